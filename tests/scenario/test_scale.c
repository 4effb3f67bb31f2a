/* SPDX-License-Identifier: MIT */
/*
 * test_scale.c — idle cost and scale through the real daemon: an idle
 * vGPU's thread is never woken by a timer; enabling a pipe starts the
 * vblank timer (the request makes the thread ask vgpu_tick again) and
 * disabling every pipe stops it; 32 guests run a guest script at once on
 * one simulated GPU, each with its own share and its own results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scenario_util.h"
#include "script_run.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

#define PIPECONF_A	0x70008u
#define PIPECONF_ENABLE	(1u << 31)
#define PIPE_FRMCOUNT_A	0x70040u
#define WAIT_MS		5000	/* bound on waiting for the daemon to do something */
#define QUIET_MS	300	/* an idle window: ~18 ticks at the old 60 Hz */
#define GUESTS		32

static uint64_t
ticks(const struct scn *s)
{
	return scn_stat(s, s->dom[0], "ticks");
}

/*
 * vgpu_tick calls of domain 0's vGPU over a quiet window, once the calls
 * that follow the last guest request have been made: the previous window
 * absorbs those, so a second window with no guest access counts only
 * timer wakeups of its thread.
 */
static uint64_t
timer_ticks_when_quiet(const struct scn *s)
{
	uint64_t t1, t2;

	scn_sleep_ms(QUIET_MS);
	t1 = ticks(s);
	scn_sleep_ms(QUIET_MS);
	t2 = ticks(s);
	CU_ASSERT_NOT_EQUAL_FATAL(t1, ~0ull);
	CU_ASSERT_NOT_EQUAL_FATAL(t2, ~0ull);
	return t2 - t1;
}

static uint32_t
reg_read(const struct scn *s, uint32_t off)
{
	uint64_t v = ~0ull;

	CU_ASSERT_EQUAL(sim_mem_read(s->c[0], SCN_BAR0 + off, 4, &v), 0);
	return (uint32_t)v;
}

/* No pipe enabled: the vGPU's thread sleeps until a request, no timer at all. */
static void
test_idle_vgpu_no_timer(void)
{
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	/* Guest requests did make the thread ask (the count is live)... */
	CU_ASSERT(ticks(&s) > 0);
	/* ...but nothing wakes it while the guest is quiet. */
	CU_ASSERT_EQUAL(timer_ticks_when_quiet(&s), 0);
out:
	scn_stop(&s);
}

/*
 * A guest write that enables a pipe arms the vblank timer at once (the
 * thread asks vgpu_tick again after the request), frames count on while
 * the pipe is on, and the timer stops with the last pipe.
 */
static void
test_pipe_enable_starts_timer(void)
{
	struct scn s;
	uint32_t frames = 0;
	int waited;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(reg_read(&s, PIPE_FRMCOUNT_A), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + PIPECONF_A, 4, PIPECONF_ENABLE), 0);
	/* 3 frames of 16.7 ms: wait for them, generously bounded. */
	for (waited = 0; waited < WAIT_MS && frames < 3; waited += 10) {
		scn_sleep_ms(10);
		frames = reg_read(&s, PIPE_FRMCOUNT_A);
	}
	CU_ASSERT_TRUE_FATAL(frames >= 3);
	CU_ASSERT(scn_stat(&s, s.dom[0], "vblanks") >= 3);
	/* While on, the timer wakes the thread with no guest access. */
	CU_ASSERT(timer_ticks_when_quiet(&s) > 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + PIPECONF_A, 4, 0), 0);
	frames = reg_read(&s, PIPE_FRMCOUNT_A);
	CU_ASSERT_EQUAL(timer_ticks_when_quiet(&s), 0);
	CU_ASSERT_EQUAL(reg_read(&s, PIPE_FRMCOUNT_A), frames);
out:
	scn_stop(&s);
}

/*
 * 32 guests, each running tests/scripts/many.xs in its own process at the
 * same time through one daemon on one GPU (xengt-script --vgpus 32): every
 * guest passes its expects, sees its own value through its own aperture
 * slice and in its own RAM, and the shares do not overlap.
 */
static void
test_thirty_two_guests(void)
{
	unsigned long long low[GUESTS + 1] = { 0 }, high[GUESTS + 1] = { 0 };
	char prog[512], line[160];
	struct script_run r;
	unsigned int listed = 0;

	if (access(test_build_path("xengt-script", prog, sizeof(prog)), X_OK) ||
	    access(test_build_path("xengt-dm-sim", prog, sizeof(prog)), X_OK)) {
		test_skip("build/xengt-script or build/xengt-dm-sim missing");
		return;
	}
	script_run(&r, (const char *[]){ "--vgpus", "32", "--vgpu", "type=xengt_32",
					 "--ctl", "list", "tests/scripts/many.xs", NULL },
		   60000);
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	for (unsigned int d = 1; d <= GUESTS; d++) {
		const char *p;

		snprintf(line, sizeof(line), "[d%u] 7 expects passed", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		/* Its own value, written through its aperture slice, is in its own RAM. */
		snprintf(line, sizeof(line), "[d%u] memr 0x100020 4 = 0x600d%04x", d, d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(line, sizeof(line), "[d%u] $fences = 0x0", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(line, sizeof(line), "\n[d%u] $lowbase = 0x", d);
		p = strstr(r.out, line);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(sscanf(p + strlen(line), "%llx", &low[d]), 1);
		snprintf(line, sizeof(line), "\n[d%u] $highbase = 0x", d);
		p = strstr(r.out, line);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(sscanf(p + strlen(line), "%llx", &high[d]), 1);
		snprintf(line, sizeof(line), "%-6u %-5u xengt_32  running  0000:00:02.0  tolerate",
			 d, d);
		listed += script_has_line(&r, line);
	}
	/* All 32 attached at once: the daemon lists every one after the run. */
	CU_ASSERT_EQUAL(listed, GUESTS);
	for (unsigned int a = 1; a <= GUESTS; a++)
		for (unsigned int b = a + 1; b <= GUESTS; b++) {
			CU_ASSERT_TRUE(low[a] + (16u << 20) <= low[b] || low[b] + (16u << 20) <= low[a]);
			CU_ASSERT_TRUE(high[a] + (64u << 20) <= high[b] ||
				       high[b] + (64u << 20) <= high[a]);
		}
	CU_ASSERT_TRUE(script_has_line(&r, "224 expects passed"));
	script_run_free(&r);
}

void suite_scale(void);

void
suite_scale(void)
{
	static const struct test_case cases[] = {
		{ "idle_vgpu_no_timer", test_idle_vgpu_no_timer },
		{ "pipe_enable_starts_timer", test_pipe_enable_starts_timer },
		{ "thirty_two_guests", test_thirty_two_guests },
		{ NULL, NULL },
	};

	test_add_suite("scale", cases);
}
