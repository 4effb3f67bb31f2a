/* SPDX-License-Identifier: MIT */
/*
 * test_script.c — xengt-script end to end: each guest script under
 * tests/scripts runs against a real xengt-dm-sim on a private machine;
 * the exit status and exact output lines are checked, plus the failure
 * paths (failed expect, parse error, runtime error) and the teardown;
 * eight guests at once with --ctl showing each vGPU's share and counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim/xensim.h"
#include "tests/scenario/script_run.h"
#include "tests/test_util.h"

#define RUN_TIMEOUT_MS 60000

static const char *tmp_script(const char *text, char *buf, size_t len);

static bool
have_tools(void)
{
	char p[512];

	if (access(test_build_path("xengt-script", p, sizeof(p)), X_OK) ||
	    access(test_build_path("xengt-dm-sim", p, sizeof(p)), X_OK)) {
		test_skip("build/xengt-script or build/xengt-dm-sim missing");
		return false;
	}
	return true;
}

static const char *
script_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "tests/scripts/%s", name);
	return buf;
}

/* Run xengt-script with args (NULL-terminated), collect output, bounded. */
static void
run_script(struct script_run *r, const char *const *args)
{
	script_run(r, args, RUN_TIMEOUT_MS);
}

static const char *
last_line(struct script_run *r)
{
	size_t n = strlen(r->out);

	while (n && r->out[n - 1] == '\n')
		r->out[--n] = '\0';
	const char *p = strrchr(r->out, '\n');

	return p ? p + 1 : r->out;
}

static unsigned int
count_lines_with(const struct script_run *r, const char *s)
{
	unsigned int n = 0;

	for (const char *p = r->out; (p = strstr(p, s)); p++)
		n++;
	return n;
}

/* The sim machine of a finished run is gone (unless --keep). */
static bool
machine_gone(pid_t pid)
{
	struct sim_domain_info info[XENSIM_MAX_DOMAINS];
	char m[32];

	snprintf(m, sizeof(m), "xs-%d", (int)pid);
	return xensim_domain_list(m, info, XENSIM_MAX_DOMAINS) < 0;
}

static void
test_pvinfo(void)
{
	char sp[256];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ script_path("pvinfo.xs", sp, sizeof(sp)), NULL });
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "vGPU 00:02.0: vendor 0x8086 device 0x1912"));
	CU_ASSERT_TRUE(script_has_line(&r, "$bar0 = 0xc0000000 (16 MiB, mem64)"));
	CU_ASSERT_TRUE(script_has_line(&r, "readq 0xc0078000 = 0x4776544776544776"));
	CU_ASSERT_TRUE(script_has_line(&r, "readl 0xc0078044 = 0x08000000"));
	CU_ASSERT_STRING_EQUAL(last_line(&r), "11 expects passed");
	CU_ASSERT_TRUE(machine_gone(r.pid));
	free(r.out);
}

static void
test_cfg_space(void)
{
	char sp[256];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ script_path("cfg_space.xs", sp, sizeof(sp)), NULL });
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "cfgr 0x0 2 = 0x8086"));
	CU_ASSERT_TRUE(script_has_line(&r, "cfgr 0x10 4 = 0xc0000004"));
	CU_ASSERT_TRUE(script_has_line(&r, "cfgr 0x20 4 = 0x0000ffc1"));
	CU_ASSERT_STRING_EQUAL(last_line(&r), "13 expects passed");
	free(r.out);
}

static void
test_ggtt_aperture(void)
{
	char sp[256];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ script_path("ggtt.xs", sp, sizeof(sp)), NULL });
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "traps since mark = 0"));
	CU_ASSERT_TRUE(script_has_line(&r, "memr 0x100044 4 = 0x600df00d"));
	/* The refused entry reads back, but the aperture page reaches nothing. */
	CU_ASSERT_TRUE(script_has_line(&r, "readq 0xc0820008 = 0x0000000080000001"));
	CU_ASSERT_TRUE(script_has_line(&r, "readl 0x84001000 = 0xffffffff"));
	CU_ASSERT_TRUE(script_has_line(&r, "memr 0x101000 4 = 0x11111111"));
	CU_ASSERT_STRING_EQUAL(last_line(&r), "8 expects passed");
	free(r.out);
}

static void
test_forcewake(void)
{
	char sp[256];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ script_path("forcewake.xs", sp, sizeof(sp)), NULL });
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "readl 0xc0000d84 = 0x00000001"));
	CU_ASSERT_STRING_EQUAL(last_line(&r), "5 expects passed");
	free(r.out);
}

static void
test_msi(void)
{
	char sp[256];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ script_path("msi.xs", sp, sizeof(sp)), NULL });
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "msi addr=0xfee00000 data=0x4021"));
	CU_ASSERT_STRING_EQUAL(last_line(&r), "4 expects passed");
	free(r.out);
	/* Same set-up with pipe A's vblank masked in IMR: no MSI, line 6 fails. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp_script(
		"cfgw 0xb0 4 0xfee00000\n"
		"cfgw 0xb4 2 0x4021\n"
		"cfgw 0xae 2 0x1\n"
		"writel $bar0+0x4440c 0x1\n"
		"writel $bar0+0x44200 0x80000000\n"
		"writel $bar0+0x44404 0xffffffff\n"
		"writel $bar0+0x70008 0x80000000\n"
		"wait-msi 300\n", sp, sizeof(sp)));
	run_script(&r, (const char *[]){ sp, NULL });
	script_dump_on_failure(&r, 1);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, ":8: wait-msi: no MSI within 300 ms"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "msi addr="));
	unlink(sp);
	free(r.out);
}

static void
test_demo_trap_map(void)
{
	char sp[256];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ "--trap-map", script_path("demo.xs", sp, sizeof(sp)),
					 NULL });
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	/* Aperture: two direct accesses, no trap; page-table write: one trap. */
	CU_ASSERT_TRUE(script_has_line(&r, "traps since mark = 0"));
	CU_ASSERT_TRUE(script_has_line(&r, "direct accesses since mark = 2"));
	CU_ASSERT_TRUE(script_has_line(&r, "traps since mark = 1"));
	CU_ASSERT_TRUE(script_has_line(&r, "memr 0x200008 8 = 0x0000000000300003"));
	CU_ASSERT_TRUE(script_has_line(&r, "trap map of domain 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "p2m write-protect"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "2 (1r 1w)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "never seen by the device model"));
	CU_ASSERT_STRING_EQUAL(last_line(&r), "11 expects passed");
	free(r.out);
}

static void
test_failed_expect_names_line(void)
{
	char sp[256];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ script_path("fail_expect.xs", sp, sizeof(sp)), NULL });
	script_dump_on_failure(&r, 1);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_TRUE(script_has_line(&r, "tests/scripts/fail_expect.xs:5: expect: got 0x76544776, "
				"expected 0x12345678"));
	/* It stopped there: line 6's read never ran, no success line. */
	CU_ASSERT_EQUAL(count_lines_with(&r, "readl 0xc0078000 ="), 1);
	CU_ASSERT_PTR_NULL(strstr(r.out, "expects passed"));
	CU_ASSERT_TRUE(machine_gone(r.pid));
	free(r.out);
}

static void
test_parse_error_names_token(void)
{
	char sp[256];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ script_path("parse_error.xs", sp, sizeof(sp)), NULL });
	script_dump_on_failure(&r, 2);
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "line 3: unknown statement 'frobnicate'"));
	/* Refused before any guest ran. */
	CU_ASSERT_PTR_NULL(strstr(r.out, "vendor 0x8086"));
	free(r.out);
}

/* A script written on the fly; returns its path in buf. */
static const char *
tmp_script(const char *text, char *buf, size_t len)
{
	int fd;

	snprintf(buf, len, "/tmp/xengt-test-XXXXXX.xs");
	fd = mkstemps(buf, 3);
	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return NULL;
	}
	close(fd);
	return buf;
}

static void
test_runtime_errors(void)
{
	char sp[64];
	struct script_run r;

	if (!have_tools())
		return;
	/* Variables, left-to-right arithmetic, then a division by zero on line 6. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp_script(
		"readl $bar0+0x78044\n"
		"set size\n"
		"set half $size/2\n"
		"readl $bar0+0x78040+$half-$half\n"
		"set zero $half-$half\n"
		"readl $bar0/$zero\n", sp, sizeof(sp)));
	run_script(&r, (const char *[]){ sp, NULL });
	script_dump_on_failure(&r, 1);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_TRUE(script_has_line(&r, "readl 0xc0078040 = 0x04000000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, ":6: readl: division by zero at '$zero'"));
	unlink(sp);
	free(r.out);
	/* A value that does not fit the access size, and an unknown variable. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp_script("writeb 0x1000 0x100\n", sp + 0, sizeof(sp)));
	run_script(&r, (const char *[]){ sp, NULL });
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, ":1: writeb: value 0x100 does not fit 1 byte"));
	unlink(sp);
	free(r.out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp_script("# x\nreadl $nothing\n", sp, sizeof(sp)));
	run_script(&r, (const char *[]){ sp, NULL });
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, ":2: readl: unknown variable '$nothing'"));
	unlink(sp);
	free(r.out);
	/* A spec the daemon refuses: its reason is shown, nothing runs. */
	run_script(&r, (const char *[]){ "--vgpu", "type=bogus", "tests/scripts/pvinfo.xs",
					 NULL });
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "exited before the vGPUs were running"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "'bogus'"));
	CU_ASSERT_TRUE(machine_gone(r.pid));
	free(r.out);
	/* Bad options are usage errors. */
	run_script(&r, (const char *[]){ "--vgpus", "0", "x.xs", NULL });
	CU_ASSERT_EQUAL(r.status, 2);
	free(r.out);
}

static void
test_eight_vgpus(void)
{
	char sp[256], line[64];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ "--vgpus", "8", script_path("ggtt.xs", sp, sizeof(sp)),
					 NULL });
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	for (unsigned int d = 1; d <= 8; d++) {
		/* Each guest has its own aperture slice, 64 MiB apart. */
		snprintf(line, sizeof(line), "[d%u] readl 0xc0078040 = 0x%08x", d,
			 d * 0x4000000u);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(line, sizeof(line), "[d%u] 8 expects passed", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(line, sizeof(line), "[d%u] memr 0x100044 4 = 0x600df00d", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
	}
	CU_ASSERT_STRING_EQUAL(last_line(&r), "64 expects passed");
	free(r.out);
}

/* Issue 4's "done when": 8 guests at once, each only its own GM, xengt-ctl per vGPU. */
static void
test_eight_guests_ctl(void)
{
	char sp[256], line[160];
	unsigned long long low[9] = { 0 }, high[9] = { 0 };
	unsigned int fb[9] = { 0 };
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ "--vgpus", "8", "--vgpu", "type=xengt_small",
					 "--ctl", "list", "--ctl", "partition",
					 "--ctl", "stats DOMID ggtt_writes ggtt_bad bad_access failsafe",
					 script_path("many.xs", sp, sizeof(sp)), NULL });
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "$ xengt-ctl list"));
	CU_ASSERT_TRUE(script_has_line(&r, "$ xengt-ctl partition"));
	CU_ASSERT_TRUE(script_has_line(&r, "DOMID  LOW_BASE   LOW_SIZE  HIGH_BASE   HIGH_SIZE  "
				"FENCE_BASE  FENCE_NUM"));
	for (unsigned int d = 1; d <= 8; d++) {
		const char *p;

		snprintf(line, sizeof(line), "[d%u] 7 expects passed", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		/* The script ran to its end in every guest. */
		snprintf(line, sizeof(line), "[d%u] memr 0x100020 4 = 0x600d%04x", d, d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(line, sizeof(line), "%u      %u     xengt_small  running  0000:00:02.0  tolerate",
			 d, d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		/* Its partition row: parse it and compare with what the guest read. */
		snprintf(line, sizeof(line), "\n%u      0x", d);
		p = strstr(r.out, line);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(sscanf(p + 1, "%*u %llx 16777216 %llx 67108864 %u 2", &low[d],
				       &high[d], &fb[d]), 3);
		snprintf(line, sizeof(line), "[d%u] $lowbase = 0x%llx", d, low[d]);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(line, sizeof(line), "[d%u] $highbase = 0x%llx", d, high[d]);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		/* Counters: 3 GGTT writes, the one outside its share refused, no failsafe. */
		snprintf(line, sizeof(line), "$ xengt-ctl stats %u ggtt_writes ggtt_bad "
			 "bad_access failsafe", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(line, sizeof(line), "%u      3            1         0           0", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
	}
	/* Distinct, non-overlapping shares: 16 MiB / 64 MiB / 2 fences each. */
	for (unsigned int a = 1; a <= 8; a++)
		for (unsigned int b = a + 1; b <= 8; b++) {
			CU_ASSERT_TRUE(low[a] + 16777216 <= low[b] || low[b] + 16777216 <= low[a]);
			CU_ASSERT_TRUE(high[a] + 67108864 <= high[b] ||
				       high[b] + 67108864 <= high[a]);
			CU_ASSERT_TRUE(fb[a] + 2 <= fb[b] || fb[b] + 2 <= fb[a]);
		}
	CU_ASSERT_STRING_EQUAL(last_line(&r), "56 expects passed");
	CU_ASSERT_TRUE(machine_gone(r.pid));
	free(r.out);
	/* A --ctl command that fails fails the run; the guests' results still show. */
	run_script(&r, (const char *[]){ "--ctl", "stats 77", script_path("forcewake.xs", sp,
					 sizeof(sp)), NULL });
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_TRUE(script_has_line(&r, "$ xengt-ctl stats 77"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "error ENOENT: no vGPU for domain 77"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "expects passed"));
	free(r.out);
	run_script(&r, (const char *[]){ "--ctl", " ", "x.xs", NULL });
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "--ctl ' ': empty command"));
	free(r.out);
}

static void
test_keep_leaves_machine(void)
{
	struct sim_domain_info info[XENSIM_MAX_DOMAINS];
	char sp[256], m[32];
	struct script_run r;

	if (!have_tools())
		return;
	run_script(&r, (const char *[]){ "--keep", script_path("forcewake.xs", sp, sizeof(sp)),
					 NULL });
	CU_ASSERT_EQUAL(r.status, 0);
	snprintf(m, sizeof(m), "xs-%d", (int)r.pid);
	CU_ASSERT_EQUAL(xensim_domain_list(m, info, XENSIM_MAX_DOMAINS), 1);
	/* The daemon was stopped, but the machine and its domain stay. */
	xensim_machine_destroy(m);
	/* So does the daemon's log: its path is printed; clean it up. */
	const char *log = strstr(r.out, "daemon log in ");

	CU_ASSERT_PTR_NOT_NULL(log);
	if (log) {
		char path[128], *end;

		snprintf(path, sizeof(path), "%s", log + strlen("daemon log in "));
		end = strchr(path, '\n');
		if (end)
			*end = '\0';
		CU_ASSERT_EQUAL(unlink(path), 0);
		end = strrchr(path, '/');
		if (end)
			*end = '\0';
		CU_ASSERT_EQUAL(rmdir(path), 0);
	}
	CU_ASSERT_TRUE(machine_gone(r.pid));
	free(r.out);
}

static const struct test_case script_cases[] = {
	{ "pvinfo", test_pvinfo },
	{ "cfg_space", test_cfg_space },
	{ "ggtt_aperture", test_ggtt_aperture },
	{ "forcewake", test_forcewake },
	{ "msi", test_msi },
	{ "demo_trap_map", test_demo_trap_map },
	{ "failed_expect_names_line", test_failed_expect_names_line },
	{ "parse_error_names_token", test_parse_error_names_token },
	{ "runtime_errors", test_runtime_errors },
	{ "eight_vgpus", test_eight_vgpus },
	{ "eight_guests_ctl", test_eight_guests_ctl },
	{ "keep_leaves_machine", test_keep_leaves_machine },
	{ NULL, NULL },
};

void suite_script(void);

void
suite_script(void)
{
	test_add_suite("script", script_cases);
}
