/* SPDX-License-Identifier: MIT */
/*
 * test_ctl.c — the control-socket client (tools/common/ctl_client.c)
 * against a scripted server thread, and the xengt-ctl program against a
 * real xengt-dm-sim serving two domains: list, gpu, stats, partition,
 * trap-map, types, attach/detach, --json, and the exit statuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mediator/vgpu.h"
#include "sim/xensim.h"
#include "tests/test_util.h"
#include "tools/common/ctl_client.h"

/* ---- a scripted server: one connection, one canned reply ---- */

struct fake_srv {
	int lfd;
	char path[108];
	const char *reply;	/* written after the request line arrives */
	char request[2048];	/* what the client sent */
	pthread_t thr;
};

static void *
fake_srv_main(void *arg)
{
	struct fake_srv *s = arg;
	size_t used = 0;
	int fd = accept(s->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	while (used < sizeof(s->request) - 1) {
		ssize_t n = read(fd, s->request + used, sizeof(s->request) - 1 - used);

		if (n <= 0)
			break;
		used += (size_t)n;
		if (memchr(s->request, '\n', used))
			break;
	}
	s->request[used] = '\0';
	if (write(fd, s->reply, strlen(s->reply)) < 0)
		perror("fake_srv write");
	close(fd);
	return NULL;
}

static int
fake_srv_start(struct fake_srv *s, const char *reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(s, 0, sizeof(*s));
	snprintf(s->path, sizeof(s->path), "/tmp/xengt-ctl-test-%d.sock", (int)getpid());
	unlink(s->path);
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	s->reply = reply;
	s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(s->lfd, 1))
		return -errno;
	return pthread_create(&s->thr, NULL, fake_srv_main, s) ? -EAGAIN : 0;
}

static void
fake_srv_stop(struct fake_srv *s)
{
	pthread_join(s->thr, NULL);
	close(s->lfd);
	unlink(s->path);
}

static void
test_client_ok_reply(void)
{
	struct fake_srv s;
	struct ctl_reply r;

	CU_ASSERT_EQUAL_FATAL(fake_srv_start(&s, "a=1 b=0x10\nc=3\nok\n"), 0);
	CU_ASSERT_EQUAL(ctl_call(s.path, "gpu", &r), 0);
	fake_srv_stop(&s);
	CU_ASSERT_STRING_EQUAL(s.request, "gpu\n");
	CU_ASSERT_TRUE(r.ok);
	CU_ASSERT_STRING_EQUAL(r.status, "ok");
	CU_ASSERT_EQUAL_FATAL(r.nlines, 2);
	CU_ASSERT_STRING_EQUAL(r.lines[0], "a=1 b=0x10");
	CU_ASSERT_STRING_EQUAL(r.lines[1], "c=3");
	uint64_t v = 0;

	CU_ASSERT_EQUAL(ctl_kv_u64(r.lines[0], "b", &v), 0);
	CU_ASSERT_EQUAL(v, 16);
	ctl_reply_free(&r);
	CU_ASSERT_EQUAL(r.nlines, 0);
}

static void
test_client_error_reply(void)
{
	struct fake_srv s;
	struct ctl_reply r;

	CU_ASSERT_EQUAL_FATAL(fake_srv_start(&s, "error ENOENT: no vGPU for domain 9\n"), 0);
	CU_ASSERT_EQUAL(ctl_call(s.path, "stats 9", &r), 0);
	fake_srv_stop(&s);
	CU_ASSERT_STRING_EQUAL(s.request, "stats 9\n");
	CU_ASSERT_FALSE(r.ok);
	CU_ASSERT_STRING_EQUAL(r.status, "error ENOENT: no vGPU for domain 9");
	CU_ASSERT_EQUAL(r.nlines, 0);
	ctl_reply_free(&r);
}

static void
test_client_transport_errors(void)
{
	char longreq[CTL_LINE_MAX + 8];
	struct fake_srv s;
	struct ctl_reply r;

	/* The daemon hangs up without a status line. */
	CU_ASSERT_EQUAL_FATAL(fake_srv_start(&s, "x=1\n"), 0);
	CU_ASSERT_EQUAL(ctl_call(s.path, "list", &r), -EPROTO);
	fake_srv_stop(&s);
	CU_ASSERT_EQUAL(r.nlines, 0);
	/* Nobody listening. */
	CU_ASSERT_EQUAL(ctl_call("/tmp/xengt-no-such-socket", "list", &r), -ENOENT);
	/* Requests the protocol cannot carry are refused before connecting. */
	CU_ASSERT_EQUAL(ctl_call("/tmp/xengt-no-such-socket", "list\nlist", &r), -E2BIG);
	memset(longreq, 'a', sizeof(longreq) - 1);
	longreq[sizeof(longreq) - 1] = '\0';
	CU_ASSERT_EQUAL(ctl_call("/tmp/xengt-no-such-socket", longreq, &r), -E2BIG);
}

/* ---- xengt-ctl against a real daemon ---- */

struct tool_out {
	int status;
	char out[65536];
};

/* Run build/xengt-ctl with args; stdout+stderr collected, 30 s bound. */
static void
run_ctl(struct tool_out *t, const char *machine, const char *const *args)
{
	const char *argv[16];
	char prog[512];
	size_t used = 0;
	unsigned int a = 0;
	int pfd[2], st;
	pid_t pid;

	t->status = -1;
	t->out[0] = '\0';
	argv[a++] = test_build_path("xengt-ctl", prog, sizeof(prog));
	while (*args && a < 15)
		argv[a++] = *args++;
	argv[a] = NULL;
	if (pipe(pfd))
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		if (machine)
			setenv("XENSIM_MACHINE", machine, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	for (int waited = 0; waited < 30000 && used < sizeof(t->out) - 1;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) == 0) {
			waited += 100;
			continue;
		}
		n = read(pfd[0], t->out + used, sizeof(t->out) - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	t->out[used] = '\0';
	close(pfd[0]);
	for (int i = 0; waitpid(pid, &st, WNOHANG) == 0; i++) {
		if (i == 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return;
		}
		usleep(10000);
	}
	t->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A line that starts with key: and whose last word is value. */
static bool
has_kv(const struct tool_out *t, const char *key, const char *value)
{
	char k[64];
	size_t kl, vl = strlen(value);

	snprintf(k, sizeof(k), "%s:", key);
	kl = strlen(k);
	for (const char *p = t->out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > kl + vl && !strncmp(p, k, kl) && p[len - vl - 1] == ' ' &&
		    !strncmp(p + len - vl, value, vl))
			return true;
	}
	return false;
}

static unsigned int
count_substr(const char *s, const char *sub)
{
	unsigned int n = 0;

	for (const char *p = s; (p = strstr(p, sub)); p++)
		n++;
	return n;
}

struct daemon {
	char machine[64];
	char sock[128];
	pid_t pid;
	uint32_t dom[2];
};

static bool
daemon_start(struct daemon *d)
{
	char prog[512];
	char d1[16], d2[16];
	pid_t pid;

	memset(d, 0, sizeof(*d));
	if (access(test_build_path("xengt-ctl", prog, sizeof(prog)), X_OK) ||
	    access(test_build_path("xengt-dm-sim", prog, sizeof(prog)), X_OK)) {
		test_skip("build/xengt-ctl or build/xengt-dm-sim missing");
		return false;
	}
	test_machine_new(d->machine, sizeof(d->machine));
	for (int i = 0; i < 2; i++) {
		int rc = xensim_domain_create(d->machine, 64, 1);

		CU_ASSERT_TRUE_FATAL(rc > 0);
		d->dom[i] = (uint32_t)rc;
	}
	snprintf(d->sock, sizeof(d->sock), "/tmp/xengt-ctl-%s.sock", d->machine);
	snprintf(d1, sizeof(d1), "%u", d->dom[0]);
	snprintf(d2, sizeof(d2), "%u", d->dom[1]);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0 && !getenv("XENGT_TEST_VERBOSE")) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		setenv("XENSIM_MACHINE", d->machine, 1);
		execl(prog, prog, "--socket", d->sock, "--domid", d1, "--vgpu",
		      "type=GVTg_V5_4", "--domid", d2, "--vgpu", "type=GVTg_V5_8",
		      (char *)NULL);
		_exit(127);
	}
	d->pid = pid;
	for (int i = 0; i < 2; i++) {
		char key[96], val[32] = "";
		int waited = 0;

		snprintf(key, sizeof(key), "/local/domain/0/xengt-dm/%u/state", d->dom[i]);
		while (waited < 10000 &&
		       (xensim_xs_read(d->machine, key, val, sizeof(val)) ||
			strcmp(val, "running"))) {
			usleep(10000);
			waited += 10;
		}
		CU_ASSERT_STRING_EQUAL_FATAL(val, "running");
	}
	return true;
}

static void
daemon_stop(struct daemon *d)
{
	int st;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, &st, 0);
		CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	unlink(d->sock);
	test_machine_done(d->machine);
}

static void
test_ctl_list_and_json(void)
{
	struct tool_out *t = malloc(sizeof(*t));
	struct daemon d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	if (!daemon_start(&d)) {
		free(t);
		return;
	}
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "list", NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "DOMID"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "GVTg_V5_4"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "GVTg_V5_8"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "0000:00:02.0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "UNKNOWN"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "tolerate"));
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "--json", "list", NULL });
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "\"unknown\": \"tolerate\""));
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "\"type\": \"GVTg_V5_8\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "\"state\": \"running\""));
	CU_ASSERT_EQUAL(t->out[0], '[');
	/* gpu: both vGPUs counted. */
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "gpu", NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_TRUE(has_kv(t, "vgpus", "2"));
	/* Unknown command and missing daemon: usage and connection statuses. */
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "frobnicate", NULL });
	CU_ASSERT_EQUAL(t->status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "unknown command 'frobnicate'"));
	run_ctl(t, NULL, (const char *[]){ "-s", "/tmp/xengt-none.sock", "list", NULL });
	CU_ASSERT_EQUAL(t->status, 3);
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "stats", "x1", NULL });
	CU_ASSERT_EQUAL(t->status, 2);
	daemon_stop(&d);
	free(t);
}

static void
test_ctl_partition_stats(void)
{
	struct tool_out *t = malloc(sizeof(*t));
	char dom[16];
	struct daemon d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	if (!daemon_start(&d)) {
		free(t);
		return;
	}
	snprintf(dom, sizeof(dom), "%u", d.dom[0]);
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "partition", dom, NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_TRUE(has_kv(t, "low_size", "134217728"));
	CU_ASSERT_TRUE(has_kv(t, "high_size", "536870912"));
	CU_ASSERT_TRUE(has_kv(t, "fence_num", "4"));
	snprintf(dom, sizeof(dom), "%u", d.dom[1]);
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "--json", "partition", dom, NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "\"low_size\": 67108864"));
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "stats", dom, NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_TRUE(has_kv(t, "failsafe", "0"));
	CU_ASSERT_TRUE(has_kv(t, "mmio_reads", "0"));
	CU_ASSERT_TRUE(has_kv(t, "msi_failed", "0"));
	CU_ASSERT_TRUE(has_kv(t, "unknown_regs", "0"));
	CU_ASSERT_TRUE(has_kv(t, "unknown_overflow", "0"));
	/* A domain without a vGPU: the daemon's error, exit status 1. */
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "stats", "77", NULL });
	CU_ASSERT_EQUAL(t->status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "error ENOENT"));
	daemon_stop(&d);
	free(t);
}

static void
test_ctl_trap_map_attach_detach(void)
{
	struct tool_out *t = malloc(sizeof(*t));
	char dom1[16], dom2[16];
	struct daemon d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	if (!daemon_start(&d)) {
		free(t);
		return;
	}
	snprintf(dom1, sizeof(dom1), "%u", d.dom[0]);
	snprintf(dom2, sizeof(dom2), "%u", d.dom[1]);
	/* Before the guest places BARs only the PCI SBDF claim exists. */
	run_ctl(t, d.machine, (const char *[]){ "-s", d.sock, "trap-map", dom1, NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "trap map of domain"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "0000:00:02.0 reg 0x000-0x0ff"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "PCI SBDF"));
	run_ctl(t, d.machine, (const char *[]){ "-s", d.sock, "--json", "trap-map", dom1, NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "\"mech\": \"pci-sbdf\""));
	/* Detach the second vGPU: its GM returns, list shows one. */
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "detach", dom2, NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "gpu", NULL });
	CU_ASSERT_TRUE(has_kv(t, "vgpus", "1"));
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "detach", dom2, NULL });
	CU_ASSERT_EQUAL(t->status, 1);
	/* A bad spec is refused naming the value; a good one attaches. */
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "attach", dom2, "type=nope", NULL });
	CU_ASSERT_EQUAL(t->status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "nope"));
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "attach", dom2, "type=GVTg_V5_8",
					   NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_TRUE(has_kv(t, "domid", dom2));
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "gpu", NULL });
	CU_ASSERT_TRUE(has_kv(t, "vgpus", "2"));
	daemon_stop(&d);
	free(t);
}

/* types: one row per entry of the daemon's type table, sizes in bytes. */
static void
test_ctl_types(void)
{
	struct tool_out *t = malloc(sizeof(*t));
	unsigned int ntypes = 0;
	struct daemon d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	if (!daemon_start(&d)) {
		free(t);
		return;
	}
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "--json", "types", NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_EQUAL(t->out[0], '[');
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "{\"name\": \"GVTg_V5_4\", \"low_gm\": 134217728, "
					  "\"high_gm\": 536870912, \"fences\": 4, \"weight\": 4, "
					  "\"res\": \"1920x1200\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "{\"name\": \"xengt_small\", \"low_gm\": 16777216, "
					  "\"high_gm\": 67108864, \"fences\": 2, \"weight\": 1, "
					  "\"res\": \"1024x768\"}"));
	/* Every row of the table the daemon was built with, none more. */
	vgpu_type_table(&ntypes);
	CU_ASSERT_EQUAL(count_substr(t->out, "\"name\": "), ntypes);
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "types", NULL });
	CU_ASSERT_EQUAL(t->status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "NAME"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t->out, "GVTg_V5_8"));
	/* No arguments taken: a usage error, nothing asked. */
	run_ctl(t, NULL, (const char *[]){ "-s", d.sock, "types", "x", NULL });
	CU_ASSERT_EQUAL(t->status, 2);
	daemon_stop(&d);
	free(t);
}

static const struct test_case ctl_cases[] = {
	{ "client_ok_reply", test_client_ok_reply },
	{ "client_error_reply", test_client_error_reply },
	{ "client_transport_errors", test_client_transport_errors },
	{ "ctl_list_and_json", test_ctl_list_and_json },
	{ "ctl_partition_stats", test_ctl_partition_stats },
	{ "ctl_trap_map_attach_detach", test_ctl_trap_map_attach_detach },
	{ "ctl_types", test_ctl_types },
	{ NULL, NULL },
};

void suite_ctl(void);

void
suite_ctl(void)
{
	test_add_suite("ctl", ctl_cases);
}
