/* SPDX-License-Identifier: MIT */
/*
 * fake_engines.c — the stand-in engines of fake_engines.h, wrapped around
 * the fake pgpu of fake_hv.c (registers and GGTT are forwarded to it).
 * Completions are made lazily when next_event is asked, from the clock;
 * with the real clock a timerfd armed at the next one makes event_fd
 * readable on time. Never linked into a daemon.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "mediator/exec/exec.h"
#include "tests/fake_engines.h"

#define FE_QLEN 512

struct fe_engine {
	uint64_t desc[2];
	unsigned int n, cur;	/* elements submitted, the running one */
	uint64_t start;		/* when the running element started */
	bool stopped;		/* faulted: nothing runs until a reset */
	uint64_t pend[2];	/* a lite restore waiting for the engine (has_pend) */
	bool has_pend;
	struct fake_engine_stats st;
};

struct fake_engines {
	struct pgpu_dev inner;	/* fake_hv.c's pgpu */
	pthread_mutex_t mu;
	const uint64_t *vclock;
	int tfd;		/* timerfd (real clock) or -1 */
	bool manual, user_irq, lite_restore;
	struct fe_engine eng[PGPU_NR_ENGINES];
	struct pgpu_event q[FE_QLEN];
	unsigned int qhead, qlen;
	uint64_t dropped;
};

static struct fake_engines *
fe(struct pgpu *p)
{
	return (struct fake_engines *)(void *)p;
}

static uint64_t
fe_now(const struct fake_engines *f)
{
	struct timespec ts;

	if (f->vclock)
		return __atomic_load_n(f->vclock, __ATOMIC_ACQUIRE);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
push(struct fake_engines *f, const struct pgpu_event *ev)
{
	if (f->qlen == FE_QLEN) {
		f->dropped++;
		return;
	}
	f->q[(f->qhead + f->qlen++) % FE_QLEN] = *ev;
}

static uint32_t
ctx_of(uint64_t desc)
{
	return (uint32_t)(desc >> 32);
}

static void finish_element(struct fake_engines *f, enum pgpu_engine e, uint64_t at);

/*
 * The engine takes its lite restore at time at (mu held): after the
 * running element completed (preempted false: IDLE_ACTIVE, and element 0,
 * the context that just completed, completes again at once, head ==
 * tail), or at an arbitration point (preempted true: PREEMPTED for the
 * running element, which goes on as element 0 of the pair).
 */
static void
take_pending(struct fake_engines *f, enum pgpu_engine e, uint64_t at, bool preempted)
{
	struct fe_engine *g = &f->eng[e];
	struct pgpu_event ev = { .kind = PGPU_EV_CSB, .engine = e, .ts_ns = at,
				 .ctx_id = ctx_of(g->pend[0]) };

	ev.status = preempted ? CSB_PREEMPTED : CSB_IDLE_ACTIVE;
	push(f, &ev);
	g->desc[0] = g->pend[0];
	g->desc[1] = g->pend[1];
	g->has_pend = false;
	g->n = 2;
	g->cur = 0;
	g->st.lite_taken++;
	if (!preempted) {
		g->st.reruns++;
		g->start = at;
		g->st.completed--;	/* counted once, below, as the rerun's */
		finish_element(f, e, at);
	}
}

/* The running element of e ends now (mu held). */
static void
finish_element(struct fake_engines *f, enum pgpu_engine e, uint64_t at)
{
	struct fe_engine *g = &f->eng[e];
	struct pgpu_event ev = { .kind = PGPU_EV_CSB, .engine = e, .ts_ns = at };
	bool last = g->cur + 1 >= g->n;

	ev.ctx_id = ctx_of(g->desc[g->cur]);
	if (f->user_irq) {
		struct pgpu_event u = { .kind = PGPU_EV_USER, .engine = e, .ctx_id = ev.ctx_id,
					.ts_ns = at };

		push(f, &u);
	}
	ev.status = CSB_COMPLETE | (last ? CSB_ACTIVE_IDLE : CSB_ELEMENT_SWITCH);
	ev.ring_head = 0x40 * (g->cur + 1);
	push(f, &ev);
	g->st.completed++;
	g->st.busy_ns += at > g->start ? at - g->start : 0;
	if (last && g->has_pend) {
		take_pending(f, e, at, false);
	} else if (last) {
		g->n = 0;
		g->cur = 0;
	} else {
		g->cur++;
		g->start = at;
	}
}

/* When e's running element is due (UINT64_MAX: not by time). mu held. */
static uint64_t
due(const struct fake_engines *f, const struct fe_engine *g)
{
	uint32_t us;

	if (!g->n || g->stopped || f->manual)
		return UINT64_MAX;
	us = FAKE_DESC_US(g->desc[g->cur]);
	return us == FAKE_RUN_HANG ? UINT64_MAX : g->start + (uint64_t)us * 1000;
}

/* Complete whatever is due by now (mu held). */
static void
advance(struct fake_engines *f, uint64_t now)
{
	for (unsigned int e = 0; e < PGPU_NR_ENGINES; e++) {
		uint64_t t;

		while ((t = due(f, &f->eng[e])) <= now)
			finish_element(f, (enum pgpu_engine)e, t);
	}
}

static uint64_t
next_due_locked(const struct fake_engines *f)
{
	uint64_t t = UINT64_MAX;

	for (unsigned int e = 0; e < PGPU_NR_ENGINES; e++) {
		uint64_t d = due(f, &f->eng[e]);

		if (d < t)
			t = d;
	}
	return t;
}

/*
 * Real clock: make the timerfd fire when an event is there (at once) or
 * the next element is due; disarm it otherwise. mu held.
 */
static void
arm(struct fake_engines *f)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	uint64_t t = f->qlen ? 1 : next_due_locked(f);

	if (f->tfd < 0)
		return;
	if (t != UINT64_MAX) {
		/* An absolute time in the past fires at once (timerfd_settime(2)). */
		its.it_value.tv_sec = (time_t)(t / 1000000000ull);
		its.it_value.tv_nsec = (long)(t % 1000000000ull);
	}
	timerfd_settime(f->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* ---- pgpu ops ---- */

static uint32_t
fe_mmio_read(struct pgpu *p, uint32_t off)
{
	return fe(p)->inner.ops->mmio_read(fe(p)->inner.p, off);
}

static void
fe_mmio_write(struct pgpu *p, uint32_t off, uint32_t val)
{
	fe(p)->inner.ops->mmio_write(fe(p)->inner.p, off, val);
}

static uint64_t
fe_ggtt_read(struct pgpu *p, uint64_t idx)
{
	return fe(p)->inner.ops->ggtt_read(fe(p)->inner.p, idx);
}

static void
fe_ggtt_write(struct pgpu *p, uint64_t idx, uint64_t pte)
{
	fe(p)->inner.ops->ggtt_write(fe(p)->inner.p, idx, pte);
}

static void
fe_info(struct pgpu *p, struct pgpu_info *out)
{
	fe(p)->inner.ops->info(fe(p)->inner.p, out);
	out->lite_restore = fe(p)->lite_restore;
}

static int
fe_submit(struct pgpu *p, enum pgpu_engine e, const uint64_t desc[2])
{
	struct fake_engines *f = fe(p);
	struct fe_engine *g;
	int rc = 0;

	if ((unsigned int)e >= PGPU_NR_ENGINES)
		return -EINVAL;
	g = &f->eng[e];
	pthread_mutex_lock(&f->mu);
	advance(f, fe_now(f));
	if (g->n && f->lite_restore && !g->stopped && !g->has_pend && g->cur + 1 == g->n &&
	    desc[0] == g->desc[g->cur] && desc[1] && (desc[1] & CTX_DESC_VALID)) {
		/* A lite restore: waits for the running element's end or an arbitration point. */
		g->pend[0] = desc[0];
		g->pend[1] = desc[1];
		g->has_pend = true;
		g->st.submits++;
		g->st.lite_restores++;
		g->st.last_desc[0] = desc[0];
		g->st.last_desc[1] = desc[1];
	} else if (g->n || g->stopped) {
		rc = -EBUSY;
	} else if (!(desc[0] & CTX_DESC_VALID) || (desc[1] && !(desc[1] & CTX_DESC_VALID))) {
		rc = -EINVAL;
	} else {
		struct pgpu_event ev = { .kind = PGPU_EV_CSB, .engine = e,
					 .ctx_id = ctx_of(desc[0]), .status = CSB_IDLE_ACTIVE };

		g->desc[0] = desc[0];
		g->desc[1] = desc[1];
		g->n = desc[1] ? 2 : 1;
		g->cur = 0;
		g->start = fe_now(f);
		ev.ts_ns = g->start;
		g->st.submits++;
		g->st.last_desc[0] = desc[0];
		g->st.last_desc[1] = desc[1];
		push(f, &ev);
		arm(f);
	}
	if (rc)
		g->st.refused++;
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static int
fe_event_fd(struct pgpu *p)
{
	return fe(p)->tfd;
}

static int
fe_next_event(struct pgpu *p, struct pgpu_event *ev)
{
	struct fake_engines *f = fe(p);
	int got = 0;

	pthread_mutex_lock(&f->mu);
	advance(f, fe_now(f));
	if (f->qlen) {
		*ev = f->q[f->qhead];
		f->qhead = (f->qhead + 1) % FE_QLEN;
		f->qlen--;
		got = 1;
	} else if (f->tfd >= 0) {
		uint64_t exp;

		/* Taken all: clear the expiry and wait for the next one. */
		if (read(f->tfd, &exp, sizeof(exp)) < 0)
			exp = 0;
		arm(f);
	}
	pthread_mutex_unlock(&f->mu);
	return got;
}

static int
fe_engine_reset(struct pgpu *p, enum pgpu_engine e)
{
	struct fake_engines *f = fe(p);

	if ((unsigned int)e >= PGPU_NR_ENGINES)
		return -EINVAL;
	pthread_mutex_lock(&f->mu);
	/* What ran is dropped; events it already reported stay queued, as a CSB would. */
	f->eng[e].n = 0;
	f->eng[e].cur = 0;
	f->eng[e].stopped = false;
	f->eng[e].has_pend = false;
	f->eng[e].st.resets++;
	arm(f);
	pthread_mutex_unlock(&f->mu);
	return 0;
}

static void
fe_close(struct pgpu *p)
{
	struct fake_engines *f = fe(p);

	f->inner.ops->close(f->inner.p);
	if (f->tfd >= 0)
		close(f->tfd);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static const struct pgpu_ops fe_ops = {
	.mmio_read = fe_mmio_read,
	.mmio_write = fe_mmio_write,
	.ggtt_read = fe_ggtt_read,
	.ggtt_write = fe_ggtt_write,
	.info = fe_info,
	.submit = fe_submit,
	.event_fd = fe_event_fd,
	.next_event = fe_next_event,
	.engine_reset = fe_engine_reset,
	.close = fe_close,
};

/* ---- the test's handle ---- */

struct fake_engines *
fake_engines_open(struct pgpu_dev *out, const uint64_t *vclock)
{
	struct fake_engines *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	fake_pgpu_open(&f->inner);
	pthread_mutex_init(&f->mu, NULL);
	f->vclock = vclock;
	f->tfd = vclock ? -1 : timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (!vclock && f->tfd < 0)
		abort();
	out->ops = &fe_ops;
	out->p = (struct pgpu *)(void *)f;
	return f;
}

struct pgpu_fake *
fake_engines_pgpu(struct fake_engines *f)
{
	return fake_pgpu(&f->inner);
}

void
fake_engines_set_manual(struct fake_engines *f, bool manual)
{
	pthread_mutex_lock(&f->mu);
	advance(f, fe_now(f));
	f->manual = manual;
	arm(f);
	pthread_mutex_unlock(&f->mu);
}

void
fake_engines_set_lite_restore(struct fake_engines *f, bool on)
{
	pthread_mutex_lock(&f->mu);
	f->lite_restore = on;
	pthread_mutex_unlock(&f->mu);
}

int
fake_engines_arbitrate(struct fake_engines *f, enum pgpu_engine e)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&f->mu);
	advance(f, fe_now(f));
	if (f->eng[e].has_pend && !f->eng[e].stopped) {
		take_pending(f, e, fe_now(f), true);
		arm(f);
		rc = 0;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

void
fake_engines_set_user_irq(struct fake_engines *f, bool on)
{
	pthread_mutex_lock(&f->mu);
	f->user_irq = on;
	pthread_mutex_unlock(&f->mu);
}

int
fake_engines_complete(struct fake_engines *f, enum pgpu_engine e)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&f->mu);
	if (f->eng[e].n && !f->eng[e].stopped) {
		finish_element(f, e, fe_now(f));
		arm(f);
		rc = 0;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

int
fake_engines_fault(struct fake_engines *f, enum pgpu_engine e, enum pgpu_fault kind, uint64_t addr)
{
	struct fe_engine *g = &f->eng[e];
	int rc = -ENOENT;

	pthread_mutex_lock(&f->mu);
	if (g->n && !g->stopped) {
		struct pgpu_event ev = { .kind = PGPU_EV_FAULT, .engine = e,
					 .ctx_id = ctx_of(g->desc[g->cur]), .fault = kind,
					 .fault_addr = addr, .ts_ns = fe_now(f) };

		push(f, &ev);
		g->stopped = true;
		arm(f);
		rc = 0;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

void
fake_engines_inject(struct fake_engines *f, const struct pgpu_event *ev)
{
	pthread_mutex_lock(&f->mu);
	push(f, ev);
	arm(f);
	pthread_mutex_unlock(&f->mu);
}

uint64_t
fake_engines_next_due(struct fake_engines *f)
{
	uint64_t t;

	pthread_mutex_lock(&f->mu);
	t = next_due_locked(f);
	pthread_mutex_unlock(&f->mu);
	return t;
}

void
fake_engines_stats(struct fake_engines *f, enum pgpu_engine e, struct fake_engine_stats *out)
{
	pthread_mutex_lock(&f->mu);
	*out = f->eng[e].st;
	out->running = f->eng[e].n ? f->eng[e].n - f->eng[e].cur : 0;
	out->ctx_id = f->eng[e].n ? ctx_of(f->eng[e].desc[f->eng[e].cur]) : 0;
	pthread_mutex_unlock(&f->mu);
}

uint64_t
fake_engines_dropped(struct fake_engines *f)
{
	uint64_t n;

	pthread_mutex_lock(&f->mu);
	n = f->dropped;
	pthread_mutex_unlock(&f->mu);
	return n;
}
