/* SPDX-License-Identifier: MIT */
/*
 * test_ctl_server.c — the control protocol's request handling
 * (dm/ctl_server.c ctl_server_exec) without a socket or a daemon: replies
 * and status lines for good, unknown, malformed and oversized requests,
 * over a fake physical GPU with no vGPU attached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dm/ctl_server.h"
#include "dm/instance.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

static struct gpu *ctl_test_gpu;

static void
setup(void)
{
	struct pgpu_dev dev;
	struct instance_defaults d = { .bufioreq = GLUE_BUFIOREQ_ATOMIC };

	if (ctl_test_gpu)
		return;
	fake_pgpu_open(&dev);
	CU_ASSERT_EQUAL_FATAL(gpu_create(&dev, &ctl_test_gpu), 0);
	instance_init(ctl_test_gpu, &d);
	ctl_server_init(ctl_test_gpu, "fake");
}

static const char *
exec(const char *req)
{
	static char out[4096];

	setup();
	ctl_server_exec(req, out, sizeof(out));
	return out;
}

static void
test_version_gpu_list(void)
{
	CU_ASSERT_STRING_EQUAL(exec("version"), "version=0.1 gpu=fake device=0x1912\nok\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(exec("gpu"), "aperture=268435456 gm=4294967296 fences=32 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(exec("gpu"), " vgpus=0\nok\n"));
	CU_ASSERT_STRING_EQUAL(exec("list"), "ok\n");
	CU_ASSERT_STRING_EQUAL(exec("  list\t"), "ok\n");
}

static const struct {
	const char *req, *reply;
} errors[] = {
	{ "", "error EINVAL: empty request\n" },
	{ "bogus", "error ENOENT: unknown command 'bogus'\n" },
	{ "list extra", "error EINVAL: usage: list\n" },
	{ "stats", "error EINVAL: usage: stats DOMID\n" },
	{ "stats 5 6", "error EINVAL: usage: stats DOMID\n" },
	{ "stats five", "error EINVAL: bad domid 'five'\n" },
	{ "stats 0", "error EINVAL: bad domid '0'\n" },
	{ "stats 99999", "error EINVAL: bad domid '99999'\n" },
	{ "stats 7", "error ENOENT: no vGPU for domain 7\n" },
	{ "partition 7", "error ENOENT: no vGPU for domain 7\n" },
	{ "trap-map 7", "error ENOENT: no vGPU for domain 7\n" },
	{ "detach 7", "error ENOENT: no vGPU for domain 7\n" },
	{ "attach", "error EINVAL: usage: attach DOMID [SPEC]\n" },
	{ "attach 7 type=nope", "error EINVAL: type: bad value 'nope'\n" },
	{ "a b c d e", "error EINVAL: too many words\n" },
};

static void
test_errors(void)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		const char *got = exec(errors[i].req);

		if (strcmp(got, errors[i].reply))
			printf("\n    '%s': got '%s'", errors[i].req, got);
		CU_ASSERT_STRING_EQUAL(got, errors[i].reply);
	}
}

static void
test_size_check(void)
{
	char big[CTL_LINE_MAX + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_STRING_EQUAL(exec(big), "error E2BIG: request longer than 1024 bytes\n");
	big[CTL_LINE_MAX] = '\0';	/* exactly the limit: parsed, unknown command */
	CU_ASSERT_PTR_NOT_NULL(strstr(exec(big), "error ENOENT: unknown command"));
}

static void
test_small_output_buffer(void)
{
	char out[8];

	setup();
	/* Truncated, but terminated and within the buffer. */
	CU_ASSERT_TRUE(ctl_server_exec("version", out, sizeof(out)) < sizeof(out));
	CU_ASSERT_EQUAL(out[sizeof(out) - 1], '\0');
}

/*
 * The socket file is created 0600 (umask 077 around bind), not chmod'ed
 * after listen; the caller's umask is restored. A permissive umask (0)
 * is in force while the socket is opened.
 */
static void
test_socket_mode(void)
{
	char dir[] = "/tmp/xengt-ctl-test.XXXXXX", path[64];
	struct stat st;
	mode_t old;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	old = umask(0);
	CU_ASSERT_EQUAL(ctl_server_open(path), 0);
	CU_ASSERT_EQUAL(umask(old), 0);	/* restored to the caller's */
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	ctl_server_close();
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);	/* close unlinks it */
	rmdir(dir);
}

/* Last case: release the fake GPU (the leak checker runs at exit). */
static void
test_cleanup(void)
{
	setup();
	CU_ASSERT_STRING_EQUAL(exec("list"), "ok\n");
	gpu_destroy(ctl_test_gpu);
	ctl_test_gpu = NULL;
}

void suite_ctl_server(void);
void
suite_ctl_server(void)
{
	static const struct test_case cases[] = {
		{ "version_gpu_list", test_version_gpu_list },
		{ "errors", test_errors },
		{ "size_check", test_size_check },
		{ "small_output_buffer", test_small_output_buffer },
		{ "socket_mode", test_socket_mode },
		{ "cleanup", test_cleanup },
		{ NULL, NULL },
	};

	test_add_suite("ctl_server", cases);
}
