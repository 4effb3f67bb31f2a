/* SPDX-License-Identifier: MIT */
/*
 * test_guest_script.c — the script statements a hand-written submission
 * is built with, end to end through xengt-script and a real daemon:
 * memfill, writefill (each entry one trapped write), gmr/gmw through the
 * guest's own GGTT entries, wait-mem and wait-readl; their failures name
 * the line and the value seen. And guest programs under the runner:
 * --program with its exit statuses (passed, skipped, failed), and --ctl
 * expanding DOMID inside a word.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/scenario/guest_util.h"
#include "tests/scenario/script_run.h"
#include "tests/test_util.h"

#define RUN_MS 60000

static bool
have_tools(void)
{
	char p[512];

	if (access(test_build_path("xengt-script", p, sizeof(p)), X_OK) ||
	    access(test_build_path("guest-draw", p, sizeof(p)), X_OK)) {
		test_skip("build/xengt-script or build/guest-draw missing");
		return false;
	}
	return true;
}

/* A script written on the fly; its path in buf. */
static const char *
tmp_script(const char *text, char *buf, size_t len)
{
	int fd;

	snprintf(buf, len, "/tmp/xengt-gs-XXXXXX.xs");
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
test_fill_statements(void)
{
	struct script_run r;

	if (!have_tools())
		return;
	script_run(&r, (const char *[]){ "tests/scripts/fill.xs", NULL }, RUN_MS);
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "memfill 0x1000000 4096 4 0x11110000 step 0x1"));
	CU_ASSERT_TRUE(script_has_line(&r, "memr 0x1003ffc 4 = 0x11110fff"));
	/* Four GGTT entries, four traps. */
	CU_ASSERT_TRUE(script_has_line(&r, "writefill 0xc0a40000 4 8 0x0000000001000001 step 0x1000"));
	CU_ASSERT_TRUE(script_has_line(&r, "traps since mark = 4"));
	CU_ASSERT_TRUE(script_has_line(&r, "readq 0xc0a40018 = 0x0000000001003001"));
	CU_ASSERT_TRUE(script_has_line(&r, "gmr 0x48003ffc 4 = 0x11110fff"));
	CU_ASSERT_TRUE(script_has_line(&r, "memr 0x1002000 4 = 0x00c0ffee"));
	/* Written through the GGTT view, read back through the aperture. */
	CU_ASSERT_TRUE(script_has_line(&r, "readl 0x8400007c = 0x00000005"));
	CU_ASSERT_TRUE(script_has_line(&r, "wait-mem 0x100007c = 0x00000005"));
	CU_ASSERT_TRUE(script_has_line(&r, "$wp = 0x5"));
	CU_ASSERT_TRUE(script_has_line(&r, "wait-readl 0xc0078000 = 0x76544776"));
	CU_ASSERT_TRUE(script_has_line(&r, "wait-mem 0x1000004 = 0x11110001"));
	CU_ASSERT_TRUE(script_has_line(&r, "7 expects passed"));
	script_run_free(&r);
}

/* Each failure names its line and what it saw. */
static void
test_fill_failures(void)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "memw 0x100000 4 3\nwait-mem 0x100000 4 1 0xff 50\n",
		  ":2: wait-mem: 0x100000 still 0x3 after 50 ms, waiting for 0x1 under mask 0xff" },
		{ "wait-readl $bar0+0x78000 0 0xffffffff 30\n",
		  ":1: wait-readl: 0xc0078000 still 0x76544776 after 30 ms" },
		{ "readl $bar0+0x78048\nset hb\ngmr $hb 4\n",
		  ":3: gmr: GM 0x48000000: its GGTT entry is not present (0x0)" },
		{ "gmw 0xffc 8 1\n", ":1: gmw: GM 0xffc beyond 4 GiB or the access crosses a page" },
		{ "memfill 0x100000 0 4 1\n", ":1: memfill: count 0 out of range (1..16777216)" },
		{ "memfill 0x3fff000 2048 4 1\n", ":1: memfill: 0x3fff000 is not guest RAM" },
		/* writefill through the routing to plain RAM: both items landed, unstepped. */
		{ "writefill 0x100000 2 8 5\nmemr 0x100008 8\nexpect 6\n",
		  ":3: expect: got 0x5, expected 0x6" },
		{ "set n 3\nmemfill 0x100000 4 $n 1\n", ":2: memfill: bad size 3" },
		{ "wait-mem 0x100000 4 0 0 600001\n", ":1: wait-mem: timeout 600001 ms too long" },
	};

	if (!have_tools())
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct script_run r;
		char sp[64];

		CU_ASSERT_PTR_NOT_NULL_FATAL(tmp_script(cases[i].text, sp, sizeof(sp)));
		script_run(&r, (const char *[]){ sp, NULL }, RUN_MS);
		if (!strstr(r.out, cases[i].want))
			fprintf(stderr, "\n    case %zu: want '%s' in:\n%s\n", i, cases[i].want, r.out);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.out, cases[i].want));
		CU_ASSERT_NOT_EQUAL(r.status, 0);
		unlink(sp);
		script_run_free(&r);
	}
}

/* guest programs under the runner: every guest's result, screenshots per domain. */
static void
test_program_runner(void)
{
	char ctl[128], path[128];
	struct script_run r;

	if (!have_tools())
		return;
	snprintf(ctl, sizeof(ctl), "screenshot DOMID /tmp/xengt-gs-%d-dDOMID.png", (int)getpid());
	script_run(&r, (const char *[]){ "--vgpus", "2", "--ctl", ctl, "--program", "guest-draw",
					 "--", "--cpu", "--size", "128x64", NULL }, RUN_MS);
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "[d1] cpu: drew bars through the aperture"));
	CU_ASSERT_TRUE(script_has_line(&r, "[d2] cpu: drew checker through the aperture"));
	CU_ASSERT_TRUE(script_has_line(&r, "[d1] pixels: 128x64 bars exact, shown on pipe A"));
	CU_ASSERT_TRUE(script_has_line(&r, "[d2] guest-draw: passed"));
	for (unsigned int d = 1; d <= 2; d++) {
		struct gpattern p;
		unsigned int w = 0, h = 0, bad = 0;
		uint8_t *rgb = NULL;
		char line[160];

		snprintf(path, sizeof(path), "/tmp/xengt-gs-%d-d%u.png", (int)getpid(), d);
		snprintf(line, sizeof(line), "$ xengt-ctl screenshot %u %s", d, path);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		CU_ASSERT_EQUAL_FATAL(gpattern_get(d - 1, 128, 64, d - 1, &p), 0);
		CU_ASSERT_TRUE(gtest_png_load(path, &w, &h, &rgb));
		CU_ASSERT_EQUAL(w, 128);
		CU_ASSERT_EQUAL(h, 64);
		for (unsigned int i = 0; rgb && w == 128 && h == 64 && i < w * h; i++)
			bad += ((uint32_t)rgb[3 * i] << 16 | (uint32_t)rgb[3 * i + 1] << 8 |
				rgb[3 * i + 2]) != gpattern_pixel(&p, i % w, i / w);
		CU_ASSERT_EQUAL(bad, 0);
		free(rgb);
		unlink(path);
	}
	script_run_free(&r);
	/* A failing program fails the run, and says how; a bad argument is a usage error. */
	script_run(&r, (const char *[]){ "--program", "guest-draw", "--", "--cpu", "--size",
					 "100x64", NULL }, RUN_MS);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_TRUE(script_has_line(&r, "guest-draw: pattern does not fit 100x64"));
	CU_ASSERT_TRUE(script_has_line(&r, "guest-draw: failed (exit status 2)"));
	script_run_free(&r);
	script_run(&r, (const char *[]){ "--program", "no-such-guest", NULL }, RUN_MS);
	CU_ASSERT_EQUAL(r.status, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "--program no-such-guest: "));
	script_run_free(&r);
}

/* A program that exits 77 is reported skipped, and the run exits 77. */
static void
test_program_skip_status(void)
{
	char sp[64];
	struct script_run r;

	if (!have_tools())
		return;
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp_script("#!/bin/sh\necho \"${XENGT_GUEST_PREFIX}d=$XENGT_GUEST_DOMID "
						"sbdf=$XENGT_GUEST_SBDF i=$XENGT_GUEST_INDEX/$XENGT_GUEST_COUNT\"\n"
						"exit 77\n", sp, sizeof(sp)));
	CU_ASSERT_EQUAL_FATAL(chmod(sp, 0700), 0);
	script_run(&r, (const char *[]){ "--vgpus", "2", "--program", sp, NULL }, RUN_MS);
	CU_ASSERT_EQUAL(r.status, 77);
	CU_ASSERT_TRUE(script_has_line(&r, "[d1] d=1 sbdf=0000:00:02.0 i=0/2"));
	CU_ASSERT_TRUE(script_has_line(&r, "[d2] d=2 sbdf=0000:00:02.0 i=1/2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, ".xs: skipped\n"));
	unlink(sp);
	script_run_free(&r);
}

static const struct test_case guest_script_cases[] = {
	{ "memfill, writefill, gmr/gmw, wait-mem, wait-readl", test_fill_statements },
	{ "their failures name line and value", test_fill_failures },
	{ "guest programs under the runner", test_program_runner },
	{ "a skipping program", test_program_skip_status },
	{ NULL, NULL },
};

void suite_guest_script(void);

void
suite_guest_script(void)
{
	test_add_suite("guest_script", guest_script_cases);
}
