/* SPDX-License-Identifier: MIT */
/*
 * test_daemon_legacy.c — xengt-dm-sim on a machine without resource
 * mapping (xensim legacy-ioreq-pages on): the glue falls back to ioreq
 * pages in guest gfns; the vGPU works end to end and the guest cannot
 * see those pages while the server is enabled.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario_util.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

#define LEG_SPEC "type=xengt_small"
#define LEG_RAM_MB 64u

static void
legacy_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static pid_t
legacy_spawn(const struct scn *s)
{
	char bin[256], log[160], dom[16];
	pid_t pid;

	test_build_path("xengt-dm-sim", bin, sizeof(bin));
	snprintf(log, sizeof(log), "/tmp/xengt-test-%s.log", s->machine);
	snprintf(dom, sizeof(dom), "%u", s->dom[0]);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		setenv("XENSIM_MACHINE", s->machine, 1);
		/* The test reads the daemon's info line about the legacy path. */
		unsetenv("XENGT_QUIET");
		execl(bin, bin, "--socket", s->sock, "--domid", dom, "--vgpu", LEG_SPEC,
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

static bool
legacy_wait_running(const struct scn *s)
{
	char path[96], val[32];

	snprintf(path, sizeof(path), "/local/domain/0/device-model/%u/state", s->dom[0]);
	for (int i = 0; i < 1000; i++) {
		if (xensim_xs_read(s->machine, path, val, sizeof(val)) == 0 &&
		    !strcmp(val, "running"))
			return true;
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
			return false;
		legacy_sleep_ms(10);
	}
	return false;
}

/* Like scn_start for one domain, with the switch on before the daemon starts. */
static bool
legacy_start(struct scn *s)
{
	char bin[256];
	int rc;

	memset(s, 0, sizeof(*s));
	if (access(test_build_path("xengt-dm-sim", bin, sizeof(bin)), X_OK)) {
		test_skip("build/xengt-dm-sim missing");
		return false;
	}
	test_machine_new(s->machine, sizeof(s->machine));
	snprintf(s->sock, sizeof(s->sock), "/tmp/xengt-test-%s.sock", s->machine);
	CU_ASSERT_EQUAL_FATAL(xensim_set_legacy_ioreq_pages(s->machine, true), 0);
	rc = xensim_domain_create(s->machine, LEG_RAM_MB, 1);
	CU_ASSERT_TRUE_FATAL(rc > 0);
	s->dom[0] = (uint32_t)rc;
	s->ndom = 1;
	s->pid = legacy_spawn(s);
	CU_ASSERT_TRUE_FATAL(s->pid > 0);
	if (!legacy_wait_running(s)) {
		CU_FAIL("daemon did not reach state running");
		return false;
	}
	CU_ASSERT_EQUAL(xensim_domain_unpause(s->machine, s->dom[0]), 0);
	s->c[0] = sim_vcpu_attach(s->machine, s->dom[0], 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->c[0]);
	return true;
}

/* Did the daemon say it took the legacy path? */
static bool
legacy_logged(const struct scn *s)
{
	char log[160], line[512];
	bool found = false;
	FILE *f;

	snprintf(log, sizeof(log), "/tmp/xengt-test-%s.log", s->machine);
	f = fopen(log, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "legacy ioreq gfns") != NULL;
	fclose(f);
	return found;
}

static void
test_legacy_end_to_end(void)
{
	uint64_t top = ((uint64_t)LEG_RAM_MB << 20) >> 12, before[ROUTE_NR], after[ROUTE_NR];
	uint64_t magic = 0, v = 0, maddr = 0;
	struct scn s;
	struct sim_vcpu *c;

	if (!legacy_start(&s))
		goto out;
	c = s.c[0];
	CU_ASSERT_TRUE(legacy_logged(&s));
	/* The vGPU answers config cycles and MMIO through the gfn-placed pages. */
	CU_ASSERT_EQUAL(scn_cfg_read(c, 0x00, 4), 0x19128086u);
	CU_ASSERT_EQUAL(scn_cfg_read(c, 0x0a, 2), 0x0300);
	scn_place_bars(c);
	CU_ASSERT_EQUAL(sim_mem_read(c, SCN_BAR0 + 0x78000, 8, &magic), 0);
	CU_ASSERT_EQUAL(magic, 0x4776544776544776ull); /* "vGTvGTvG" */
	/*
	 * The pool's first gfn (top of RAM) holds the server's ioreq page:
	 * out of the guest p2m while enabled, so the guest reads all-ones and
	 * its writes go nowhere, not into the page.
	 */
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(s.machine, s.dom[0], top - 1, &maddr), -ENOENT);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], before), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, (top - 1) << 12, 8, &v), 0);
	CU_ASSERT_EQUAL(v, ~0ull);
	for (unsigned int off = 0; off < 64; off += 8)
		CU_ASSERT_EQUAL(sim_mem_write(c, ((top - 1) << 12) + off, 8, ~0ull), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_UNCLAIMED_READ], before[ROUTE_UNCLAIMED_READ] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_UNCLAIMED_WRITE], before[ROUTE_UNCLAIMED_WRITE] + 8);
	CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE], before[ROUTE_RAM_WRITE]);
	/* The scribbles did not reach the vCPU slot: requests still flow. */
	magic = 0;
	CU_ASSERT_EQUAL(sim_mem_read(c, SCN_BAR0 + 0x78000, 8, &magic), 0);
	CU_ASSERT_EQUAL(magic, 0x4776544776544776ull);
	CU_ASSERT_EQUAL(scn_cfg_read(c, 0x00, 4), 0x19128086u);
	/* The RAM just below the pool is ordinary guest RAM. */
	CU_ASSERT_EQUAL(sim_mem_write(c, (top - XENSIM_IOREQ_GFN_POOL - 1) << 12, 4, 0x1234), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, (top - XENSIM_IOREQ_GFN_POOL - 1) << 12, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x1234);
out:
	scn_stop(&s);
}

void suite_daemon_legacy(void);

void
suite_daemon_legacy(void)
{
	static const struct test_case cases[] = {
		{ "legacy ioreq gfns: vGPU works, pages hidden", test_legacy_end_to_end },
		{ NULL, NULL },
	};

	test_add_suite("daemon_legacy", cases);
}
