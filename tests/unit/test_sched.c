/* SPDX-License-Identifier: MIT */
/*
 * test_sched.c — the GPU scheduler (mediator/exec/sched.c) on a virtual
 * clock over the stand-in engines: shares of equal and unequal weights,
 * the watchdog against a hung workload with a neighbour still served, a
 * vGPU destroyed or reset (GDRST) while its work runs, GPU faults, a
 * refused workload, idle vGPUs never looked at, the ctx-id map (ELSP
 * pairs, stale events), the register owner at every submission, and
 * lite restores (a workload behind the running one).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test_util.h"
#include "tests/sched_rig.h"

#define US 1000ull
#define MS 1000000ull

/* sr_run, and the scheduler must not spin. */
static void
run(struct sched_rig *r, uint64_t until_ns)
{
	CU_ASSERT(sr_run(r, until_ns) > 0);
}

static double
jain(const double *x, unsigned int n)
{
	double s = 0, s2 = 0;

	for (unsigned int i = 0; i < n; i++) {
		s += x[i];
		s2 += x[i] * x[i];
	}
	return s2 > 0 ? s * s / (n * s2) : 0;
}

/* Every vGPU keeps two workloads of us on RCS queued or running. */
static void
keep_busy(struct sched_rig *r, unsigned int i, uint32_t us)
{
	r->g[i].refill = true;
	sr_queue(r, i, PGPU_RCS, us);
	sr_queue(r, i, PGPU_RCS, us);
}

/* GPU time shares of vGPUs 0..n-1 from what they completed. */
static void
shares(struct sched_rig *r, unsigned int n, double *out)
{
	double total = 0;

	for (unsigned int i = 0; i < n; i++)
		total += (double)r->g[i].done_ns;
	for (unsigned int i = 0; i < n; i++)
		out[i] = total > 0 ? (double)r->g[i].done_ns / total : 0;
}

static struct fake_engine_stats
eng_stats(struct sched_rig *r, enum pgpu_engine e)
{
	struct fake_engine_stats st;

	fake_engines_stats(r->fe, e, &st);
	return st;
}

static struct sched_counters
counters(struct sched_rig *r)
{
	struct sched_counters c;

	sched_get_counters(r->gpu, &c);
	return c;
}

static void
set_params(struct sched_rig *r, uint64_t slice, uint64_t watchdog)
{
	struct gpu_sched_params p = { slice, watchdog };

	CU_ASSERT_EQUAL(gpu_sched_set_params(r->gpu, &p), 0);
}

static bool
failsafe(struct vgpu *v, char *reason, size_t len)
{
	struct vgpu_stats st;

	vgpu_get_stats(v, &st);
	if (reason)
		snprintf(reason, len, "%s", st.failsafe_reason);
	return st.failsafe;
}

/* Four busy vGPUs of one weight: a quarter of the GPU each, in 1 ms slices. */
static void
test_fair_equal(void)
{
	struct sched_rig r;
	double s[4];
	uint64_t busy;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 4, NULL, true), 0);
	for (unsigned int i = 0; i < 4; i++)
		keep_busy(&r, i, 100);
	run(&r, r.now + 2000 * MS);
	shares(&r, 4, s);
	for (unsigned int i = 0; i < 4; i++)
		CU_ASSERT(s[i] > 0.24 && s[i] < 0.26);
	CU_ASSERT(jain(s, 4) > 0.999);
	/* The GPU never idles while work waits (virtual time: switches are free). */
	busy = eng_stats(&r, PGPU_RCS).busy_ns;
	CU_ASSERT(busy >= 1990 * MS);
	/* Slices of 1 ms plus at most one workload pair of drain. */
	CU_ASSERT(counters(&r).switches >= 1500 && counters(&r).switches <= 2050);
	CU_ASSERT_EQUAL(r.owner_wrong, 0);
	CU_ASSERT_EQUAL(fake_engines_dropped(r.fe), 0);
	sr_close(&r);
}

/* Weights 1:2:4 give shares 1/7, 2/7, 4/7. */
static void
test_fair_weights(void)
{
	static const unsigned int w[3] = { 1, 2, 4 };
	struct sched_rig r;
	double s[3];

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 3, w, true), 0);
	for (unsigned int i = 0; i < 3; i++)
		keep_busy(&r, i, 100);
	run(&r, r.now + 2800 * MS);
	shares(&r, 3, s);
	for (unsigned int i = 0; i < 3; i++) {
		double want = w[i] / 7.0;

		CU_ASSERT(s[i] > want * 0.97 && s[i] < want * 1.03);
	}
	CU_ASSERT_EQUAL(r.owner_wrong, 0);
	sr_close(&r);
}

/*
 * A hung workload: its engine is reset after the watchdog's limit, it is
 * failed, its vGPU goes to failsafe with one log line, and the neighbour
 * has the GPU from then on; the failed vGPU gets nothing submitted again.
 */
static void
test_watchdog(void)
{
	struct sched_rig r;
	struct sr_vgpu a, b;
	char reason[64];
	uint64_t lines, t0;
	uint32_t ctx;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 2, NULL, true), 0);
	set_params(&r, 1 * MS, 50 * MS);
	sr_queue(&r, 0, PGPU_RCS, FAKE_RUN_HANG);
	keep_busy(&r, 1, 100);
	t0 = r.now;
	lines = log_lines();
	run(&r, t0 + 49 * MS);
	/* Before the limit: the hung one holds the engine, nothing else ran. */
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).resets, 0);
	CU_ASSERT_EQUAL(r.g[1].done, 0);
	run(&r, t0 + 300 * MS);
	CU_ASSERT_EQUAL(log_lines() - lines, 1);
	CU_ASSERT(failsafe(r.g[0].v, reason, sizeof(reason)));
	CU_ASSERT_STRING_EQUAL(reason, "watchdog: rcs0 workload ran over 50 ms");
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).resets, 1);
	CU_ASSERT_EQUAL(counters(&r).watchdog, 1);
	sr_get(&r, 0, &a);
	sr_get(&r, 1, &b);
	CU_ASSERT_EQUAL(a.done, 0);
	CU_ASSERT_EQUAL(a.failed, 1);
	CU_ASSERT_STRING_EQUAL(a.why, "stopped by the watchdog");
	/* 250 ms of 100 us workloads, all the neighbour's. */
	CU_ASSERT(b.done >= 2450);
	CU_ASSERT(!failsafe(r.g[1].v, NULL, 0));
	/* More work from the failed vGPU: never prepared, never submitted. */
	ctx = a.last_ctx;
	sr_queue(&r, 0, PGPU_RCS, 100);
	run(&r, r.now + 10 * MS);
	sr_get(&r, 0, &a);
	CU_ASSERT_EQUAL(a.last_ctx, ctx);
	CU_ASSERT_EQUAL(a.done + a.failed, 1);
	CU_ASSERT_PTR_NOT_NULL(r.g[0].v->exec.eng[PGPU_RCS].queue);
	sr_close(&r);
}

/*
 * A vGPU destroyed while its workload runs: the engine is reset, the
 * workload handed back with reset_pending set (nothing for the guest),
 * the scheduler forgets it; a late event for its context is ignored and
 * the neighbour is served.
 */
static void
test_destroy_running(void)
{
	struct sched_rig r;
	struct sched_counters c;
	struct sched_vgpu_counters vc;
	struct pgpu_event late = { .kind = PGPU_EV_CSB, .engine = PGPU_RCS,
				   .status = CSB_COMPLETE | CSB_ACTIVE_IDLE };
	const struct vgpu *gone;
	unsigned int id;
	uint64_t b0;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 2, NULL, true), 0);
	r.g[0].refill = true;
	sr_queue(&r, 0, PGPU_RCS, 10000);
	keep_busy(&r, 1, 100);
	run(&r, r.now + 1 * MS);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).running, 1);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).ctx_id, r.g[0].last_ctx);
	late.ctx_id = r.g[0].last_ctx;
	id = vgpu_id(r.g[0].v);
	gone = r.g[0].v;

	sr_destroy(&r, 0);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).resets, 1);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).running, 0);
	CU_ASSERT_EQUAL(r.g[0].failed, 1);
	CU_ASSERT_EQUAL(r.g[0].done, 0);
	CU_ASSERT_STRING_EQUAL(r.g[0].why, "vGPU destroyed");
	CU_ASSERT(r.g[0].reset_seen);
	c = counters(&r);
	CU_ASSERT_EQUAL(c.inflight, 0);
	CU_ASSERT_EQUAL(sched_get_vgpu_counters(r.gpu, id, &vc), -ENOENT);
	CU_ASSERT(gpu_owner(r.gpu) != gone);

	fake_engines_inject(r.fe, &late);
	b0 = r.g[1].done;
	run(&r, r.now + 20 * MS);
	CU_ASSERT_EQUAL(counters(&r).stale_events, c.stale_events + 1);
	CU_ASSERT(r.g[1].done >= b0 + 190);
	CU_ASSERT_EQUAL(r.g[0].failed, 1);
	CU_ASSERT_EQUAL(r.owner_wrong, 0);
	sr_close(&r);
}

/*
 * GDRST of one engine while work runs on two: that engine is reset and
 * its workload handed back with reset_pending set; the other engine's
 * work carries on; reset_pending is cleared and the vGPU works again.
 */
static void
test_guest_reset(void)
{
	struct sched_rig r;
	struct vgpu *v;
	char reason[64];

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 1, NULL, true), 0);
	v = r.g[0].v;
	sr_queue(&r, 0, PGPU_RCS, 10000);
	sr_queue(&r, 0, PGPU_BCS, 10000);
	run(&r, r.now + 1 * MS);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).running, 1);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_BCS).running, 1);

	/* What execlist.c does on a GDRST write of the render domain. */
	pthread_mutex_lock(&v->lock);
	v->exec.reset_pending = true;
	v->exec.reset_engines = 1u << PGPU_RCS;
	sched_kick(v);
	pthread_mutex_unlock(&v->lock);
	run(&r, r.now);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).resets, 1);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_BCS).resets, 0);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_BCS).running, 1);
	CU_ASSERT_EQUAL(r.g[0].failed, 1);
	CU_ASSERT_STRING_EQUAL(r.g[0].why, "engine reset by the guest");
	CU_ASSERT(r.g[0].reset_seen);
	CU_ASSERT(!v->exec.reset_pending);
	CU_ASSERT_EQUAL(v->exec.reset_engines, 0);
	CU_ASSERT(!failsafe(v, reason, sizeof(reason)));

	/* After the reset it works as before. */
	sr_queue(&r, 0, PGPU_RCS, 100);
	run(&r, r.now + 20 * MS);
	CU_ASSERT_EQUAL(r.g[0].done, 2);
	CU_ASSERT_EQUAL(r.g[0].failed, 1);
	CU_ASSERT_EQUAL(counters(&r).inflight, 0);
	sr_close(&r);
}

/* A GPU fault fails the vGPU whose context faulted; the neighbour goes on. */
static void
test_fault(void)
{
	struct sched_rig r;
	char reason[64];
	uint64_t lines, b0;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 2, NULL, true), 0);
	keep_busy(&r, 0, 100);
	keep_busy(&r, 1, 100);
	run(&r, r.now + 50 * US);
	/* The first vGPU's pair is on the engine. */
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).running, 2);
	CU_ASSERT_PTR_EQUAL(gpu_owner(r.gpu), r.g[0].v);
	lines = log_lines();
	CU_ASSERT_EQUAL(fake_engines_fault(r.fe, PGPU_RCS, PGPU_FAULT_ADDRESS, 0xdead000), 0);
	b0 = r.g[1].done;
	run(&r, r.now + 20 * MS);
	CU_ASSERT_EQUAL(log_lines() - lines, 1);
	CU_ASSERT(failsafe(r.g[0].v, reason, sizeof(reason)));
	CU_ASSERT_STRING_EQUAL(reason, "GPU address fault on rcs0 at 0xdead000");
	CU_ASSERT_EQUAL(counters(&r).faults, 1);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).resets, 1);
	/* Both of its ELSP pair are failed: the faulting one and the one behind it. */
	CU_ASSERT_EQUAL(r.g[0].failed, 2);
	CU_ASSERT(r.g[1].done >= b0 + 190);
	CU_ASSERT(!failsafe(r.g[1].v, NULL, 0));
	sr_close(&r);
}

/* workload_prepare refuses: failsafe with its reason, the neighbour goes on. */
static void
test_prepare_refused(void)
{
	struct sched_rig r;
	char reason[64];

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 2, NULL, true), 0);
	r.g[0].refuse = true;
	sr_queue(&r, 0, PGPU_RCS, 100);
	keep_busy(&r, 1, 100);
	run(&r, r.now + 10 * MS);
	CU_ASSERT(failsafe(r.g[0].v, reason, sizeof(reason)));
	CU_ASSERT_STRING_EQUAL(reason, "test: refused");
	CU_ASSERT_EQUAL(r.g[0].failed, 1);
	CU_ASSERT_STRING_EQUAL(r.g[0].why, "test: refused");
	/* Refused before the GPU saw it: every submission was the neighbour's. */
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).refused, 0);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).completed, r.g[1].done);
	CU_ASSERT(r.g[1].done >= 95);
	sr_close(&r);
}

/*
 * The second of an ELSP pair refused: both are failed, each with its own
 * reason; the first never reached the GPU either.
 */
static void
test_pair_half_refused(void)
{
	struct sched_rig r;
	char reason[64];

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 1, NULL, true), 0);
	r.g[0].refuse = true;
	r.g[0].refuse_after = 1;
	sr_queue(&r, 0, PGPU_RCS, 100);
	sr_queue(&r, 0, PGPU_RCS, 100);
	run(&r, r.now + 1 * MS);
	CU_ASSERT(failsafe(r.g[0].v, reason, sizeof(reason)));
	CU_ASSERT_STRING_EQUAL(reason, "test: refused");
	CU_ASSERT_EQUAL(r.g[0].failed, 2);
	/* The last hand-back is the refused one; the other got "its vGPU failed". */
	CU_ASSERT_STRING_EQUAL(r.g[0].why, "test: refused");
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).submits, 0);
	CU_ASSERT_EQUAL(counters(&r).inflight, 0);
	sr_close(&r);
}

/* The backend refuses a submission: the vGPU fails, the neighbour goes on. */
static void
test_submit_refused(void)
{
	struct sched_rig r;
	char reason[64];

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 2, NULL, true), 0);
	r.g[0].bad_desc = true;
	sr_queue(&r, 0, PGPU_RCS, 100);
	keep_busy(&r, 1, 100);
	run(&r, r.now + 10 * MS);
	CU_ASSERT(failsafe(r.g[0].v, reason, sizeof(reason)));
	CU_ASSERT_STRING_EQUAL(reason, "rcs0 refused the submission: -22");
	CU_ASSERT_EQUAL(r.g[0].failed, 1);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).refused, 1);
	CU_ASSERT(r.g[1].done >= 95);
	sr_close(&r);
}

/*
 * Six vGPUs that had work once and one that never had any: while one
 * vGPU is busy the scheduler never looks at them, and when it is done the
 * scheduler asks for no timer at all.
 */
static void
test_idle_untouched(void)
{
	struct sched_rig r;
	struct sched_vgpu_counters before[SR_MAX], after;
	uint64_t next;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 8, NULL, true), 0);
	for (unsigned int i = 1; i < 7; i++)
		sr_queue(&r, i, PGPU_RCS, 100);
	run(&r, r.now + 10 * MS);
	for (unsigned int i = 1; i < 7; i++) {
		CU_ASSERT_EQUAL(r.g[i].done, 1);
		CU_ASSERT_EQUAL_FATAL(sched_get_vgpu_counters(r.gpu, vgpu_id(r.g[i].v), &before[i]), 0);
	}
	CU_ASSERT_EQUAL(counters(&r).runnable, 0);

	keep_busy(&r, 0, 100);
	run(&r, r.now + 200 * MS);
	CU_ASSERT(r.g[0].done >= 1995);
	for (unsigned int i = 1; i < 7; i++) {
		CU_ASSERT_EQUAL(sched_get_vgpu_counters(r.gpu, vgpu_id(r.g[i].v), &after), 0);
		CU_ASSERT_EQUAL(after.looks, before[i].looks);
		CU_ASSERT_EQUAL(after.slices, before[i].slices);
	}
	CU_ASSERT_EQUAL(sched_get_vgpu_counters(r.gpu, vgpu_id(r.g[7].v), &after), -ENOENT);

	/* The busy one stops: no timer is asked for any more. */
	pthread_mutex_lock(&r.g[0].v->lock);
	r.g[0].refill = false;
	pthread_mutex_unlock(&r.g[0].v->lock);
	run(&r, r.now + 10 * MS);
	next = gpu_sched_run(r.gpu, r.now);
	CU_ASSERT_EQUAL(next, VGPU_TICK_NONE);
	CU_ASSERT_EQUAL(counters(&r).runnable, 0);
	CU_ASSERT_EQUAL(counters(&r).inflight, 0);
	sr_close(&r);
}

/*
 * Up to two workloads per engine go out as one ELSP pair with distinct
 * context ids, engines run side by side, the second element starts when
 * the first ends, the GPU time lands in exec.busy_ns, user interrupts are
 * passed on.
 */
static void
test_pairs_and_engines(void)
{
	struct sched_rig r;
	struct fake_engine_stats rcs;
	struct vgpu *v;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 1, NULL, true), 0);
	v = r.g[0].v;
	fake_engines_set_user_irq(r.fe, true);
	for (unsigned int i = 0; i < 3; i++)
		sr_queue(&r, 0, PGPU_RCS, 100);
	sr_queue(&r, 0, PGPU_BCS, 100);
	run(&r, r.now);
	rcs = eng_stats(&r, PGPU_RCS);
	CU_ASSERT_EQUAL(rcs.submits, 1);
	CU_ASSERT_EQUAL(rcs.running, 2);
	CU_ASSERT(rcs.last_desc[1] != 0);
	CU_ASSERT(rcs.last_desc[0] >> 32 != rcs.last_desc[1] >> 32);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_BCS).running, 1);
	CU_ASSERT_EQUAL(counters(&r).inflight, 3);
	run(&r, r.now + 10 * MS);
	CU_ASSERT_EQUAL(r.g[0].done, 4);
	CU_ASSERT_EQUAL(r.g[0].user_irqs, 4);
	CU_ASSERT_EQUAL(r.g[0].done_ns, 400 * US);
	CU_ASSERT_EQUAL(v->exec.busy_ns, 400 * US);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).submits, 2);
	sr_close(&r);
}

/* Events naming no running workload, or no engine, change nothing. */
static void
test_stale_events(void)
{
	struct sched_rig r;
	struct pgpu_event ev = { .kind = PGPU_EV_CSB, .engine = PGPU_RCS, .ctx_id = 0x12345,
				 .status = CSB_COMPLETE | CSB_ACTIVE_IDLE };

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 1, NULL, true), 0);
	sr_queue(&r, 0, PGPU_RCS, 1000);
	run(&r, r.now);
	fake_engines_inject(r.fe, &ev);
	ev.ctx_id = r.g[0].last_ctx;
	ev.engine = PGPU_BCS;		/* the right id on the wrong engine */
	fake_engines_inject(r.fe, &ev);
	ev.engine = (enum pgpu_engine)9;
	fake_engines_inject(r.fe, &ev);
	ev.engine = PGPU_RCS;
	ev.kind = (enum pgpu_event_kind)77;
	fake_engines_inject(r.fe, &ev);
	run(&r, r.now);
	CU_ASSERT_EQUAL(counters(&r).stale_events, 4);
	CU_ASSERT_EQUAL(counters(&r).inflight, 1);
	CU_ASSERT_EQUAL(r.g[0].done + r.g[0].failed, 0);
	run(&r, r.now + 2 * MS);
	CU_ASSERT_EQUAL(r.g[0].done, 1);
	sr_close(&r);
}

static void
test_params(void)
{
	struct sched_rig r;
	struct gpu_sched_params p, bad[] = {
		{ 0, 500 * MS }, { 5 * US, 500 * MS }, { 2000 * MS, 5000 * MS },
		{ 1 * MS, 0 }, { 10 * MS, 5 * MS }, { 1 * MS, 61000 * MS },
	};

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 0, NULL, true), 0);
	gpu_sched_get_params(r.gpu, &p);
	CU_ASSERT_EQUAL(p.slice_ns, GPU_SCHED_SLICE_NS_DEFAULT);
	CU_ASSERT_EQUAL(p.watchdog_ns, GPU_SCHED_WATCHDOG_NS_DEFAULT);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(gpu_sched_set_params(r.gpu, &bad[i]), -EINVAL);
	set_params(&r, 2 * MS, 100 * MS);
	gpu_sched_get_params(r.gpu, &p);
	CU_ASSERT_EQUAL(p.slice_ns, 2 * MS);
	CU_ASSERT_EQUAL(p.watchdog_ns, 100 * MS);
	/* Nothing queued: the scheduler wants no timer. */
	CU_ASSERT_EQUAL(gpu_sched_run(r.gpu, r.now), VGPU_TICK_NONE);
	sr_close(&r);
}

/*
 * Each vGPU's MF_SAVE registers are on the GPU while its work is built
 * and runs (switched at slice boundaries), and its own values survive.
 */
static void
test_registers_follow_owner(void)
{
	struct sched_rig r;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 3, NULL, true), 0);
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t val = 0x100 + i;

		CU_ASSERT_EQUAL(fake_mmio_access(r.g[i].v, true, SR_SAVE_REG, 4, &val), 0);
		keep_busy(&r, i, 100);
	}
	run(&r, r.now + 50 * MS);
	CU_ASSERT(counters(&r).switches >= 40);
	CU_ASSERT(r.prepares >= 400);
	CU_ASSERT_EQUAL(r.reg_wrong, 0);
	CU_ASSERT_EQUAL(r.owner_wrong, 0);
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t val = 0;

		CU_ASSERT_EQUAL(fake_mmio_access(r.g[i].v, false, SR_SAVE_REG, 4, &val), 0);
		CU_ASSERT_EQUAL(val, 0x100 + i);
	}
	sr_close(&r);
}

/* One vGPU on a GPU that takes lite restores (fake_engines.h). */
static void
lite_open(struct sched_rig *r)
{
	CU_ASSERT_EQUAL_FATAL(sr_open(r, 1, NULL, true), 0);
	fake_engines_set_lite_restore(r->fe, true);
	/* The rig's gpu read the info at open: say it again, as a backend's info would. */
	r->gpu->info.lite_restore = true;
}

/*
 * Manual engines: one workload running, a second one queued goes behind
 * it as a lite restore that the engine has not taken yet.
 */
static void
lite_pair(struct sched_rig *r)
{
	lite_open(r);
	fake_engines_set_manual(r->fe, true);
	sr_queue(r, 0, PGPU_RCS, 100);
	run(r, r->now + 10 * US);
	sr_queue(r, 0, PGPU_RCS, 100);
	run(r, r->now + 10 * US);
	CU_ASSERT_EQUAL_FATAL(counters(r).lite_restores, 1);
}

/*
 * A workload queued while the vGPU's only one runs goes behind it as a
 * lite restore [running, next]; the running one completes before the
 * engine takes the pair, so its second run completes at once (head ==
 * tail). Each is handed back once, the second starts the moment the
 * first ends: the GPU never idles.
 */
static void
test_lite_restore_after_complete(void)
{
	struct fake_engine_stats st1, st;
	struct sched_rig r;
	uint64_t t0;

	lite_open(&r);
	t0 = r.now;
	sr_queue(&r, 0, PGPU_RCS, 100);
	run(&r, r.now + 10 * US);
	st1 = eng_stats(&r, PGPU_RCS);
	CU_ASSERT_EQUAL(st1.submits, 1);
	CU_ASSERT_EQUAL(st1.last_desc[1], 0);
	sr_queue(&r, 0, PGPU_RCS, 100);
	run(&r, r.now + 10 * US);
	st = eng_stats(&r, PGPU_RCS);
	CU_ASSERT_EQUAL(counters(&r).lite_restores, 1);
	CU_ASSERT_EQUAL(st.lite_restores, 1);
	CU_ASSERT_EQUAL(st.last_desc[0], st1.last_desc[0]);	/* the running context again */
	CU_ASSERT_EQUAL(FAKE_DESC_US(st.last_desc[1]), 100);
	CU_ASSERT_EQUAL(r.g[0].done, 0);
	run(&r, t0 + 500 * US);
	st = eng_stats(&r, PGPU_RCS);
	CU_ASSERT_EQUAL(r.g[0].done, 2);
	CU_ASSERT_EQUAL(r.g[0].failed, 0);
	CU_ASSERT(!failsafe(r.g[0].v, NULL, 0));
	CU_ASSERT_EQUAL(st.completed, 2);
	CU_ASSERT_EQUAL(st.lite_taken, 1);
	CU_ASSERT_EQUAL(st.reruns, 1);
	CU_ASSERT_EQUAL(st.refused, 0);
	CU_ASSERT_EQUAL(st.busy_ns, 200 * US);
	/* Charged 100 us each: the second started when the first ended. */
	CU_ASSERT_EQUAL(r.g[0].done_ns, 200 * US);
	CU_ASSERT_EQUAL(counters(&r).inflight, 0);
	CU_ASSERT_EQUAL(counters(&r).stale_events, 0);
	sr_close(&r);
}

/*
 * The engine takes the lite restore at an arbitration point: PREEMPTED
 * for the running workload is not its end (it goes on as element 0),
 * its COMPLETE is; a third workload then goes behind the second.
 */
static void
test_lite_restore_preempted(void)
{
	struct sched_rig r;

	lite_pair(&r);
	/* While the ELSP still holds the pair, nothing more goes behind. */
	sr_queue(&r, 0, PGPU_RCS, 100);
	run(&r, r.now + 10 * US);
	CU_ASSERT_EQUAL(counters(&r).lite_restores, 1);
	CU_ASSERT_EQUAL(fake_engines_arbitrate(r.fe, PGPU_RCS), 0);
	run(&r, r.now + 10 * US);
	CU_ASSERT_EQUAL(r.g[0].done, 0);
	CU_ASSERT_EQUAL(r.g[0].failed, 0);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).running, 2);
	CU_ASSERT_EQUAL(fake_engines_complete(r.fe, PGPU_RCS), 0);	/* the first */
	run(&r, r.now + 10 * US);
	CU_ASSERT_EQUAL(r.g[0].done, 1);
	/* The second runs alone now: the third goes behind it. */
	CU_ASSERT_EQUAL(counters(&r).lite_restores, 2);
	CU_ASSERT_EQUAL(fake_engines_complete(r.fe, PGPU_RCS), 0);	/* the second */
	run(&r, r.now + 10 * US);
	CU_ASSERT_EQUAL(fake_engines_complete(r.fe, PGPU_RCS), 0);	/* the third (the second reran at once) */
	run(&r, r.now + 10 * US);
	CU_ASSERT_EQUAL(r.g[0].done, 3);
	CU_ASSERT_EQUAL(r.g[0].failed, 0);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).reruns, 1);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).refused, 0);
	CU_ASSERT(!failsafe(r.g[0].v, NULL, 0));
	CU_ASSERT_EQUAL(counters(&r).inflight, 0);
	sr_close(&r);
}

/* Destroyed with a lite restore in the ELSP: both fail, the engine is reset, nothing leaks. */
static void
test_lite_restore_destroyed(void)
{
	struct sched_rig r;

	lite_pair(&r);
	sr_destroy(&r, 0);
	CU_ASSERT_EQUAL(r.g[0].failed, 2);
	CU_ASSERT_EQUAL(r.g[0].freed, r.g[0].queued);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).resets, 1);
	CU_ASSERT_EQUAL(eng_stats(&r, PGPU_RCS).running, 0);
	CU_ASSERT_EQUAL(fake_engines_arbitrate(r.fe, PGPU_RCS), -ENOENT);	/* the ELSP was emptied */
	CU_ASSERT_EQUAL(counters(&r).inflight, 0);
	sr_close(&r);
}

void suite_sched(void);
void
suite_sched(void)
{
	static const struct test_case cases[] = {
		{ "fair_equal", test_fair_equal },
		{ "fair_weights", test_fair_weights },
		{ "watchdog", test_watchdog },
		{ "destroy_running", test_destroy_running },
		{ "guest_reset", test_guest_reset },
		{ "fault", test_fault },
		{ "prepare_refused", test_prepare_refused },
		{ "pair_half_refused", test_pair_half_refused },
		{ "submit_refused", test_submit_refused },
		{ "idle_untouched", test_idle_untouched },
		{ "pairs_and_engines", test_pairs_and_engines },
		{ "stale_events", test_stale_events },
		{ "params", test_params },
		{ "registers_follow_owner", test_registers_follow_owner },
		{ "lite_restore_after_complete", test_lite_restore_after_complete },
		{ "lite_restore_preempted", test_lite_restore_preempted },
		{ "lite_restore_destroyed", test_lite_restore_destroyed },
		{ NULL, NULL },
	};

	test_add_suite("sched", cases);
}
