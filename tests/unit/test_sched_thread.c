/* SPDX-License-Identifier: MIT */
/*
 * test_sched_thread.c — the daemon's scheduler thread (dm/sched_thread.c)
 * on the real clock over the stand-in engines: kicks from other threads
 * wake it and their work completes; vGPUs are destroyed and created
 * while it runs busy neighbours (run under TSan with `make TSAN=1`); it
 * stops cleanly.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm/sched_thread.h"
#include "tests/test_util.h"
#include "tests/sched_rig.h"

#define WAIT_NS 20000000000ull	/* a generous bound on anything observable */

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wait until vGPU i has handed back at least n workloads; false on timeout. */
static bool
wait_handed_back(struct sched_rig *r, unsigned int i, uint64_t n)
{
	uint64_t end = mono_ns() + WAIT_NS;
	struct sr_vgpu g;

	do {
		sr_get(r, i, &g);
		if (g.done + g.failed >= n)
			return true;
		sched_yield();
	} while (mono_ns() < end);
	return false;
}

struct kicker {
	struct sched_rig *r;
	unsigned int i, n;
};

static void *
kicker_main(void *arg)
{
	struct kicker *k = arg;

	for (unsigned int j = 0; j < k->n; j++)
		sr_queue(k->r, k->i, j % 2 ? PGPU_BCS : PGPU_RCS, j % 3);
	return NULL;
}

/* Two threads queue work for two vGPUs; the scheduler thread runs it all. */
static void
test_thread_serves_kicks(void)
{
	struct sched_rig r;
	struct sched_thread *st = NULL;
	struct kicker k[2];
	pthread_t th[2];

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 2, NULL, false), 0);
	CU_ASSERT_EQUAL_FATAL(sched_thread_start(r.gpu, &st), 0);
	for (unsigned int i = 0; i < 2; i++) {
		k[i] = (struct kicker){ &r, i, 300 };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, kicker_main, &k[i]), 0);
	}
	for (unsigned int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (unsigned int i = 0; i < 2; i++) {
		CU_ASSERT(wait_handed_back(&r, i, 300));
		CU_ASSERT_EQUAL(r.g[i].done, 300);
		CU_ASSERT_EQUAL(r.g[i].failed, 0);
	}
	sched_thread_stop(st);
	CU_ASSERT_EQUAL(r.owner_wrong, 0);
	CU_ASSERT_EQUAL(fake_engines_dropped(r.fe), 0);
	sr_close(&r);
}

/*
 * Churn: one slot's vGPU is destroyed and created again, busy each time,
 * while two neighbours stay busy; each destroy leaves nothing behind and
 * the neighbours keep being served.
 */
static void
test_thread_destroy_churn(void)
{
	struct sched_rig r;
	struct sched_thread *st = NULL;
	struct sched_counters c;
	struct sr_vgpu g;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 3, NULL, false), 0);
	CU_ASSERT_EQUAL_FATAL(sched_thread_start(r.gpu, &st), 0);
	for (unsigned int i = 1; i < 3; i++) {
		pthread_mutex_lock(&r.g[i].v->lock);
		r.g[i].refill = true;
		pthread_mutex_unlock(&r.g[i].v->lock);
		sr_queue(&r, i, PGPU_RCS, 20);
		sr_queue(&r, i, PGPU_RCS, 20);
	}
	for (unsigned int round = 0; round < 20; round++) {
		struct vgpu_config cfg;
		uint64_t n1, n2;

		pthread_mutex_lock(&r.g[0].v->lock);
		r.g[0].refill = true;
		r.g[0].done = r.g[0].failed = r.g[0].queued = r.g[0].freed = 0;
		pthread_mutex_unlock(&r.g[0].v->lock);
		sr_queue(&r, 0, PGPU_RCS, 200);
		sr_queue(&r, 0, PGPU_BCS, 200);
		CU_ASSERT(wait_handed_back(&r, 0, 3));
		sr_get(&r, 1, &g);
		n1 = g.done;
		sr_get(&r, 2, &g);
		n2 = g.done;

		sr_destroy(&r, 0);
		/*
		 * Its two workloads were on the engines (handed back failed),
		 * done (freed after refill stopped) or queued (dropped): each
		 * freed exactly once, none left to the scheduler.
		 */
		CU_ASSERT_EQUAL(r.g[0].queued, 2);
		CU_ASSERT_EQUAL(r.g[0].freed, 2);
		if (r.g[0].failed)
			CU_ASSERT_STRING_EQUAL(r.g[0].why, "vGPU destroyed");
		CU_ASSERT(wait_handed_back(&r, 1, n1 + 10));
		CU_ASSERT(wait_handed_back(&r, 2, n2 + 10));

		vgpu_config_default(&cfg);
		snprintf(cfg.type, sizeof(cfg.type), "%s", "xengt_small");
		CU_ASSERT_EQUAL_FATAL(vgpu_type_apply(&cfg), 0);
		CU_ASSERT_EQUAL_FATAL(fake_vgpu_new(r.gpu, 10, &cfg, false, &r.g[0].hv, &g.v), 0);
		__atomic_store_n(&r.g[0].v, g.v, __ATOMIC_RELEASE);
	}
	sr_destroy(&r, 0);
	sched_thread_stop(st);
	/* Stopped: the two neighbours' work is all that is on the engines. */
	sched_get_counters(r.gpu, &c);
	CU_ASSERT(c.inflight <= 2 * 2);
	CU_ASSERT_EQUAL(r.owner_wrong, 0);
	CU_ASSERT_EQUAL(fake_engines_dropped(r.fe), 0);
	sr_close(&r);
}

/* Stopping an idle thread, and one with nothing ever queued, returns. */
static void
test_thread_stop_idle(void)
{
	struct sched_rig r;
	struct sched_thread *st = NULL;

	CU_ASSERT_EQUAL_FATAL(sr_open(&r, 1, NULL, false), 0);
	CU_ASSERT_EQUAL_FATAL(sched_thread_start(r.gpu, &st), 0);
	sched_thread_stop(st);
	CU_ASSERT_EQUAL_FATAL(sched_thread_start(r.gpu, &st), 0);
	sr_queue(&r, 0, PGPU_RCS, 0);
	CU_ASSERT(wait_handed_back(&r, 0, 1));
	sched_thread_stop(st);
	/* No thread: a kick only marks the vGPU, the work waits for a round. */
	sr_queue(&r, 0, PGPU_RCS, 0);
	CU_ASSERT_EQUAL(r.g[0].done, 1);
	sched_thread_stop(NULL);
	sr_close(&r);
}

void suite_sched_thread(void);
void
suite_sched_thread(void)
{
	static const struct test_case cases[] = {
		{ "serves_kicks", test_thread_serves_kicks },
		{ "destroy_churn", test_thread_destroy_churn },
		{ "stop_idle", test_thread_stop_idle },
		{ NULL, NULL },
	};

	test_add_suite("sched_thread", cases);
}
