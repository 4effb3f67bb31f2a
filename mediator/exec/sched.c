/* SPDX-License-Identifier: MIT */
/*
 * sched.c — the scheduler of one physical GPU (docs/execution.md "The
 * scheduler"): which vGPU's workloads run on the engines, in weighted
 * time slices; the GPU-wide map from shadow context id to running
 * workload, through which the engines' events complete workloads; the
 * watchdog; and the hand-back of running work when a vGPU is reset or
 * destroyed. Building a workload's shadow is workload.c's, writing its
 * results into the guest execlist.c's; submitting the owner's work to the
 * engines sched_feed.c's (state shared in sched_int.h); the thread that
 * calls gpu_sched_run is the daemon's (dm/sched_thread.c).
 *
 * The policy, in the manner of a fair-share (CFS-like) scheduler and of
 * GVT-g's vGPU-level time slices (Linux gvt/sched_policy.c):
 *  - One vGPU at a time owns the GPU: its MF_SAVE registers are on the
 *    physical GPU (gpu_switch_to) and only its workloads are submitted,
 *    to whichever engines are free, for a slice (params.slice_ns). At the
 *    end of the slice, if another vGPU waits, nothing more of the owner's
 *    is submitted; once its running work is done the next owner is
 *    picked. Running work is never preempted (no mid-batch preemption of
 *    a shadow context); a workload longer than the slice is charged to
 *    its vGPU, so it waits longer for its next turn.
 *  - The next owner is the waiting vGPU with the least weighted GPU time
 *    (vtime: ns its work was on the engines * SCHED_WSCALE / weight), so
 *    over time each busy vGPU gets a share of the GPU proportional to its
 *    weight. A vGPU that had no work starts again at the least vtime of
 *    those waiting: idle time is not banked.
 *  - Only vGPUs with queued work are on the run list: a vGPU enters it
 *    when it kicks (sched_kick) and leaves it when the scheduler finds it
 *    with nothing queued. Nothing on the hot path looks at the others,
 *    so an idle vGPU costs the busy ones nothing.
 *  - Watchdog: a workload on an engine for params.watchdog_ns gets its
 *    engine reset, is failed, and its vGPU goes to failsafe (one log
 *    line); a GPU fault event does the same. A failed vGPU gets nothing
 *    submitted again.
 *
 * Locking (exec.h): everything here is under gpu->sched_lock, taken by
 * gpu_sched_run, sched_forget and the counters; v->lock is taken inside
 * it, one vGPU at a time, and gpu_switch_to (switch_lock, vGPU locks) is
 * called with sched_lock alone. sched_kick runs under the kicking vGPU's
 * lock, so it only sets that vGPU's bit in an atomic mask and wakes the
 * thread. All running workloads belong to the owner of the current slice
 * (s->cur): the owner changes only when none of its work runs.
 */
#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/sched.h"
#include "mediator/exec/sched_int.h"

static const char *const fault_names[] = {
	[PGPU_FAULT_NONE] = "fault",
	[PGPU_FAULT_ADDRESS] = "address fault",
	[PGPU_FAULT_OPCODE] = "unknown command",
	[PGPU_FAULT_HANG] = "hang",
	[PGPU_FAULT_BAD_CONTEXT] = "bad context",
};

/* ---- set-up ---- */

int
sched_init(struct gpu *gpu)
{
	struct sched *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	atomic_init(&s->pending, 0);
	pthread_mutex_init(&s->kick_lock, NULL);
	s->params.slice_ns = GPU_SCHED_SLICE_NS_DEFAULT;
	s->params.watchdog_ns = GPU_SCHED_WATCHDOG_NS_DEFAULT;
	s->ops.prepare = workload_prepare;
	s->ops.complete = execlist_complete;
	s->runq.prev = s->runq.next = &s->runq;
	gpu->sched = s;
	return 0;
}

void
sched_fini(struct gpu *gpu)
{
	struct sched *s = gpu->sched;

	if (!s)
		return;
	if (s->c.inflight)
		log_err("gpu: scheduler freed with %u workloads on the engines", s->c.inflight);
	pthread_mutex_destroy(&s->kick_lock);
	free(s);
	gpu->sched = NULL;
}

void
sched_set_exec_ops(struct gpu *gpu, const struct sched_exec_ops *ops)
{
	pthread_mutex_lock(&gpu->sched_lock);
	gpu->sched->ops = *ops;
	pthread_mutex_unlock(&gpu->sched_lock);
}

int
gpu_sched_set_params(struct gpu *gpu, const struct gpu_sched_params *p)
{
	if (!gpu || !gpu->sched || !p || p->slice_ns < 10000 || p->slice_ns > 1000000000ull ||
	    p->watchdog_ns < 1000000 || p->watchdog_ns > 60000000000ull ||
	    p->watchdog_ns < p->slice_ns)
		return -EINVAL;
	pthread_mutex_lock(&gpu->sched_lock);
	gpu->sched->params = *p;
	pthread_mutex_unlock(&gpu->sched_lock);
	return 0;
}

void
gpu_sched_get_params(struct gpu *gpu, struct gpu_sched_params *out)
{
	pthread_mutex_lock(&gpu->sched_lock);
	*out = gpu->sched->params;
	pthread_mutex_unlock(&gpu->sched_lock);
}

/* ---- kicks ---- */

void
gpu_sched_set_kick(struct gpu *gpu, void (*kick)(void *arg), void *arg)
{
	struct sched *s = gpu->sched;

	pthread_mutex_lock(&s->kick_lock);
	s->kick = kick;
	s->kick_arg = arg;
	pthread_mutex_unlock(&s->kick_lock);
}

/*
 * Only the kick that makes the mask non-empty wakes the thread: a later
 * one finds its bit taken with the earlier ones by the same round (the
 * round swaps the whole mask out), or, if the round took the mask just
 * before, sees it empty and wakes the thread itself.
 */
void
sched_kick(struct vgpu *v)
{
	struct sched *s = v->gpu->sched;
	uint64_t bit;

	if (!s || v->id < 1 || v->id > GPU_MAX_VGPUS)
		return;
	bit = 1ull << (v->id - 1);
	if (atomic_fetch_or_explicit(&s->pending, bit, memory_order_acq_rel))
		return;
	pthread_mutex_lock(&s->kick_lock);
	if (s->kick)
		s->kick(s->kick_arg);
	pthread_mutex_unlock(&s->kick_lock);
}

int
gpu_sched_fd(struct gpu *gpu)
{
	const struct pgpu_ops *ops = gpu->dev.ops;

	return ops->event_fd ? ops->event_fd(gpu->dev.p) : -1;
}

/* ---- the run list and vtime ---- */

static bool
vt_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

static void
runq_add(struct sched *s, struct sched_ent *e)
{
	if (e->queued)
		return;
	/* Idle time is not banked: start no earlier than the least of those waiting. */
	if (vt_before(e->vtime, s->min_vtime))
		e->vtime = s->min_vtime;
	e->prev = s->runq.prev;
	e->next = &s->runq;
	s->runq.prev->next = e;
	s->runq.prev = e;
	e->queued = true;
	s->nr_runq++;
}

static void
runq_del(struct sched *s, struct sched_ent *e)
{
	if (!e->queued)
		return;
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = NULL;
	e->queued = false;
	s->nr_runq--;
}

/* Does any vGPU but cur wait for the GPU? */
static bool
others_wait(const struct sched *s)
{
	return s->nr_runq > (s->cur && s->cur->queued ? 1u : 0u);
}

/*
 * Charge e the GPU time it used in this slice: the time any of its work
 * was on an engine, from submission to the completion the engine
 * stamped (pgpu_event.ts_ns). Not the slice's wall time: when the
 * scheduler thread is late (a busy host), the GPU idles and that is no
 * vGPU's doing.
 */
static void
charge(struct sched_ent *e, uint64_t now)
{
	uint64_t ns = e->slice_busy;

	if (e->running && now > e->busy_since) {
		ns += now - e->busy_since;
		e->busy_since = now;
	}
	e->slice_busy = 0;
	e->vtime += ns * SCHED_WSCALE / e->weight;
	e->c.charged_ns += ns;
}

static void
end_slice(struct sched *s, uint64_t now)
{
	charge(s->cur, now);
	s->cur = NULL;
	s->expired = false;
}

/* Can v get work submitted? (v->lock held) */
bool
sched_runnable_locked(const struct vgpu *v)
{
	if (v->stats.failsafe || v->exec.reset_pending)
		return false;
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++)
		if (v->exec.eng[e].queue)
			return true;
	return false;
}

static bool
look_runnable(struct sched_ent *e)
{
	bool run;

	pthread_mutex_lock(&e->v->lock);
	e->c.looks++;
	run = sched_runnable_locked(e->v);
	pthread_mutex_unlock(&e->v->lock);
	return run;
}

/* The entry of vGPU id, bound to the live vGPU on first use; NULL if it is gone. */
static struct sched_ent *
bind(struct sched *s, struct gpu *gpu, unsigned int id)
{
	struct sched_ent *e = &s->ent[id - 1];
	struct vgpu *v;

	if (e->v)
		return e;
	pthread_mutex_lock(&gpu->lock);
	v = gpu->vgpus[id - 1];
	pthread_mutex_unlock(&gpu->lock);
	if (!v)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->v = v;
	/* cfg is fixed at creation: no lock needed to read it. */
	e->weight = v->cfg.weight < 1 ? 1 : v->cfg.weight > SCHED_WEIGHT_MAX ? SCHED_WEIGHT_MAX
									    : v->cfg.weight;
	e->vtime = s->min_vtime;
	return e;
}

/* ---- running workloads: the ctx-id map ---- */

static struct sched_slot *
slot_find(struct sched *s, uint32_t ctx_id)
{
	uint32_t i = (ctx_id & ((1u << SCHED_ID_SLOT_BITS) - 1)) - 1;

	if (i >= SCHED_SLOTS || !s->slot[i].w || s->slot[i].ctx_id != ctx_id)
		return NULL;
	return &s->slot[i];
}

/* A free slot with a fresh context id; NULL if all are taken (cannot happen: 2 per engine). */
struct sched_slot *
sched_slot_take(struct sched *s, struct sched_ent *e, struct workload *w)
{
	for (uint32_t i = 0; i < SCHED_SLOTS; i++) {
		struct sched_slot *sl = &s->slot[i];

		if (sl->w)
			continue;
		s->seq = (s->seq + 1) & SCHED_ID_SEQ_MASK;
		sl->w = w;
		sl->ent = e;
		sl->runs = 1;
		sl->ctx_id = s->seq << SCHED_ID_SLOT_BITS | (i + 1);
		return sl;
	}
	return NULL;
}

/* Hand w back to execlist.c (v->lock held); w may be freed when this returns. */
void
sched_handback(struct sched_ent *e, struct workload *w, enum workload_state st, const char *why,
	 uint64_t now, const struct sched_exec_ops *ops)
{
	struct vgpu *v = e->v;

	w->state = st;
	if (why)
		snprintf(w->why, sizeof(w->why), "%s", why);
	if (w->start_ns) {
		w->end_ns = now > w->start_ns ? now : w->start_ns;
		v->exec.busy_ns += w->end_ns - w->start_ns;
	}
	if (st == WL_DONE)
		e->c.completed++;
	else
		e->c.failed++;
	ops->complete(v, w);
}

/*
 * Take sl off its engine at time now (when it ended); the next element
 * starts then. Returns its workload (the slot is free again).
 */
static struct workload *
slot_release(struct sched *s, unsigned int engine, struct sched_slot *sl, uint64_t now)
{
	struct sched_engine *eng = &s->eng[engine];
	struct workload *w = sl->w;
	unsigned int i;

	for (i = 0; i < eng->n && eng->port[i] != sl; i++)
		;
	assert(i < eng->n);
	for (; i + 1 < eng->n; i++)
		eng->port[i] = eng->port[i + 1];
	eng->port[--eng->n] = NULL;
	if (eng->n && !eng->port[0]->w->start_ns)
		eng->port[0]->w->start_ns = now;
	if (!--sl->ent->running && now > sl->ent->busy_since)
		sl->ent->slice_busy += now - sl->ent->busy_since;
	s->c.inflight--;
	sl->w = NULL;
	sl->ent = NULL;
	return w;
}

/*
 * Reset the engines in mask that run e's work and fail that work with why
 * (e->v->lock held). All running work is cur's, so nothing else is lost.
 */
static void
cancel_locked(struct sched *s, struct gpu *gpu, struct sched_ent *e, uint32_t mask,
	      const char *why, uint64_t now)
{
	const struct pgpu_ops *ops = gpu->dev.ops;

	for (unsigned int i = 0; i < EXEC_NR_ENGINES; i++) {
		struct sched_engine *eng = &s->eng[i];

		if (!(mask & (1u << i)) || !eng->n || eng->port[0]->ent != e)
			continue;
		if (ops->engine_reset && ops->engine_reset(gpu->dev.p, (enum pgpu_engine)i) < 0)
			log_err("gpu: %s reset failed", exec_engines[i].name);
		s->c.engine_resets++;
		eng->untaken = false;	/* a reset drops what the ELSP held */
		while (eng->n) {
			struct sched_slot *sl = eng->port[0];

			assert(sl->ent == e);
			sched_handback(e, slot_release(s, i, sl, now), WL_FAILED, why, now, &s->ops);
		}
	}
}

/*
 * Fail e's vGPU (e->v->lock held): failsafe with reason (its one log
 * line), every running workload of it failed, nothing of it submitted
 * again.
 */
void
sched_fail_locked(struct sched *s, struct gpu *gpu, struct sched_ent *e, const char *reason,
	    const char *why, uint64_t now)
{
	vgpu_enter_failsafe(e->v, reason);
	cancel_locked(s, gpu, e, SCHED_ALL_ENGINES, why, now);
	runq_del(s, e);
	if (s->cur == e)
		end_slice(s, now); /* nothing of it runs any more */
}

/* ---- events ---- */

static void
on_event(struct sched *s, struct gpu *gpu, const struct pgpu_event *ev, uint64_t now)
{
	struct sched_slot *sl = slot_find(s, ev->ctx_id);
	struct sched_ent *e;
	char reason[sizeof(((struct workload *)0)->why)];
	uint64_t at;

	s->c.events++;
	if (ev->kind == PGPU_EV_CSB && (unsigned int)ev->engine < EXEC_NR_ENGINES &&
	    (ev->status & (CSB_IDLE_ACTIVE | CSB_PREEMPTED)))
		s->eng[ev->engine].untaken = false;
	if (!sl || (unsigned int)ev->engine >= EXEC_NR_ENGINES || sl->engine != ev->engine) {
		/* A context already taken off (reset, destroyed) or never ours. */
		s->c.stale_events++;
		return;
	}
	e = sl->ent;
	switch (ev->kind) {
	case PGPU_EV_CSB:
		if (!(ev->status & (CSB_COMPLETE | CSB_PREEMPTED)))
			return; /* idle-to-active, element switch: nothing ends */
		/* When it ended: the engine's stamp if it has one, not before it started. */
		at = ev->ts_ns && ev->ts_ns < now ? ev->ts_ns : now;
		if (at < sl->w->start_ns)
			at = sl->w->start_ns;
		if (sl->runs > 1) {
			/* One run of a lite-restored context ended; it goes on in the pair. */
			sl->runs--;
			return;
		}
		pthread_mutex_lock(&e->v->lock);
		sl->w->head_out = ev->ring_head;
		/* A PREEMPTED ending its last run was never asked for (the scheduler does not preempt). */
		sched_handback(e, slot_release(s, ev->engine, sl, at),
			 ev->status & CSB_COMPLETE ? WL_DONE : WL_FAILED,
			 ev->status & CSB_COMPLETE ? NULL : "preempted by the GPU", at, &s->ops);
		pthread_mutex_unlock(&e->v->lock);
		break;
	case PGPU_EV_USER:
		sl->w->user_irq = true;
		break;
	case PGPU_EV_FAULT:
		s->c.faults++;
		snprintf(reason, sizeof(reason), "GPU %s on %s at %#llx%s%.96s",
			 ev->fault < sizeof(fault_names) / sizeof(fault_names[0])
				 ? fault_names[ev->fault] : "fault",
			 exec_engines[ev->engine].name, (unsigned long long)ev->fault_addr,
			 ev->why[0] ? ": " : "", ev->why);
		pthread_mutex_lock(&e->v->lock);
		sched_fail_locked(s, gpu, e, reason, reason, now);
		pthread_mutex_unlock(&e->v->lock);
		break;
	default:
		s->c.stale_events++;
		break;
	}
}

/* Take the engines' events; false if more are left than a round takes. */
static bool
take_events(struct sched *s, struct gpu *gpu, uint64_t now)
{
	const struct pgpu_ops *ops = gpu->dev.ops;
	struct pgpu_event ev;

	if (!ops->next_event)
		return true;
	for (unsigned int n = 0; n < SCHED_MAX_EVENTS; n++) {
		if (ops->next_event(gpu->dev.p, &ev) != 1)
			return true;
		on_event(s, gpu, &ev, now);
	}
	return false;
}

/* ---- kicks, resets, the watchdog ---- */

/* Look at a kicked vGPU: a GDRST to finish, work to queue. */
static void
on_kick(struct sched *s, struct gpu *gpu, struct sched_ent *e, uint64_t now)
{
	struct vgpu *v = e->v;
	bool run;

	pthread_mutex_lock(&v->lock);
	e->c.looks++;
	if (v->exec.reset_pending) {
		uint32_t mask = v->exec.reset_engines ? v->exec.reset_engines : SCHED_ALL_ENGINES;

		if (e->running)
			cancel_locked(s, gpu, e, mask, "engine reset by the guest", now);
		v->exec.reset_pending = false;
		v->exec.reset_engines = 0;
	}
	run = sched_runnable_locked(v);
	pthread_mutex_unlock(&v->lock);
	if (run)
		runq_add(s, e);
}

static void
take_kicks(struct sched *s, struct gpu *gpu, uint64_t now)
{
	uint64_t bits = atomic_exchange_explicit(&s->pending, 0, memory_order_acq_rel);

	while (bits) {
		unsigned int id = (unsigned int)__builtin_ctzll(bits) + 1;
		struct sched_ent *e;

		bits &= bits - 1;
		e = bind(s, gpu, id);
		if (e)
			on_kick(s, gpu, e, now);
	}
}

static void
watchdog(struct sched *s, struct gpu *gpu, uint64_t now)
{
	for (unsigned int i = 0; i < EXEC_NR_ENGINES; i++) {
		struct sched_engine *eng = &s->eng[i];
		struct sched_ent *e;
		char reason[sizeof(((struct workload *)0)->why)];

		if (!eng->n || !eng->port[0]->w->start_ns || now <= eng->port[0]->w->start_ns ||
		    now - eng->port[0]->w->start_ns < s->params.watchdog_ns)
			continue;
		e = eng->port[0]->ent;
		s->c.watchdog++;
		snprintf(reason, sizeof(reason), "watchdog: %s workload ran over %llu ms",
			 exec_engines[i].name,
			 (unsigned long long)(s->params.watchdog_ns / 1000000));
		pthread_mutex_lock(&e->v->lock);
		sched_fail_locked(s, gpu, e, reason, "stopped by the watchdog", now);
		pthread_mutex_unlock(&e->v->lock);
	}
}

/* ---- slices ---- */

/* The waiting vGPU with the least vtime becomes the owner. */
static void
pick(struct sched *s, struct gpu *gpu, uint64_t now)
{
	struct sched_ent *best = NULL, *e, *next;
	bool other;
	int rc;

	if (s->retry_at && now < s->retry_at)
		return;
	s->retry_at = 0;
	for (e = s->runq.next; e != &s->runq; e = next) {
		next = e->next;
		if (!look_runnable(e)) {
			runq_del(s, e);
			continue;
		}
		if (!best || vt_before(e->vtime, best->vtime))
			best = e;
	}
	if (!best)
		return;
	if (vt_before(s->min_vtime, best->vtime))
		s->min_vtime = best->vtime;
	other = gpu_owner(gpu) != best->v;
	rc = gpu_switch_to(gpu, best->v);
	if (rc) {
		if (!s->switch_logged)
			vgpu_log(best->v, LOG_ERR, "switching the GPU's registers to it failed: %d "
				 "(retrying)", rc);
		s->switch_logged = true;
		s->retry_at = now + SCHED_RETRY_NS;
		return;
	}
	s->switch_logged = false;
	if (other)
		s->c.switches++;
	s->cur = best;
	s->expired = false;
	s->slice_end = now + s->params.slice_ns;
	best->c.slices++;
}

/* End, extend or keep the current slice; pick an owner if there is none. */
static void
slice(struct sched *s, struct gpu *gpu, uint64_t now)
{
	struct sched_ent *e = s->cur;

	if (e && !look_runnable(e)) {
		/* Nothing more to submit: its turn ends with its running work. */
		runq_del(s, e);
		if (!e->running)
			end_slice(s, now);
	} else if (e) {
		runq_add(s, e); /* work queued without a kick yet */
		if (now >= s->slice_end && !s->expired) {
			if (others_wait(s)) {
				s->expired = true;
			} else {
				/* Alone: a new slice at once, no switch. */
				charge(e, now);
				s->min_vtime = e->vtime;
				s->slice_end = now + s->params.slice_ns;
			}
		}
		if (s->cur && s->expired && !e->running)
			end_slice(s, now);
	}
	if (!s->cur)
		pick(s, gpu, now);
}

/* ---- the round ---- */

static uint64_t
next_wake(struct sched *s, struct gpu *gpu, uint64_t now)
{
	uint64_t t = UINT64_MAX;

	/* The slice timer runs only while the owner has work queued and someone waits. */
	if (s->cur && s->cur->queued && !s->expired && others_wait(s))
		t = s->slice_end;
	for (unsigned int i = 0; i < EXEC_NR_ENGINES; i++) {
		const struct sched_engine *eng = &s->eng[i];

		if (eng->n && eng->port[0]->w->start_ns &&
		    eng->port[0]->w->start_ns + s->params.watchdog_ns < t)
			t = eng->port[0]->w->start_ns + s->params.watchdog_ns;
	}
	if (s->c.inflight && gpu_sched_fd(gpu) < 0 && now + SCHED_POLL_NS < t)
		t = now + SCHED_POLL_NS;
	if (s->retry_at && s->retry_at < t)
		t = s->retry_at;
	else if (!s->cur && !s->retry_at && s->nr_runq)
		t = now; /* the owner failed in this round: pick another at once */
	if (t == UINT64_MAX)
		return VGPU_TICK_NONE;
	return t > now ? t - now : 0;
}

uint64_t
gpu_sched_run(struct gpu *gpu, uint64_t now_ns)
{
	struct sched *s = gpu->sched;
	uint64_t next;
	bool all;

	if (!s)
		return VGPU_TICK_NONE;
	pthread_mutex_lock(&gpu->sched_lock);
	s->c.rounds++;
	s->now = now_ns;
	all = take_events(s, gpu, now_ns);
	take_kicks(s, gpu, now_ns);
	watchdog(s, gpu, now_ns);
	slice(s, gpu, now_ns);
	if (s->cur && !s->expired)
		sched_feed(s, gpu, now_ns);
	next = all ? next_wake(s, gpu, now_ns) : 0;
	pthread_mutex_unlock(&gpu->sched_lock);
	return next;
}

/* ---- a vGPU going away ---- */

void
sched_forget(struct vgpu *v)
{
	struct gpu *gpu = v->gpu;
	struct sched *s = gpu->sched;
	struct sched_ent *e;

	if (!s || v->id < 1 || v->id > GPU_MAX_VGPUS)
		return;
	atomic_fetch_and_explicit(&s->pending, ~(1ull << (v->id - 1)), memory_order_acq_rel);
	pthread_mutex_lock(&gpu->sched_lock);
	e = &s->ent[v->id - 1];
	if (e->v == v) {
		pthread_mutex_lock(&v->lock);
		/* Going away: nothing is written back into the guest any more. */
		v->exec.reset_pending = true;
		cancel_locked(s, gpu, e, SCHED_ALL_ENGINES, "vGPU destroyed", s->now);
		pthread_mutex_unlock(&v->lock);
		runq_del(s, e);
		if (s->cur == e) {
			s->cur = NULL;
			s->expired = false;
		}
		memset(e, 0, sizeof(*e));
	}
	pthread_mutex_unlock(&gpu->sched_lock);
}

/* ---- counters ---- */

void
sched_get_counters(struct gpu *gpu, struct sched_counters *out)
{
	pthread_mutex_lock(&gpu->sched_lock);
	*out = gpu->sched->c;
	out->runnable = gpu->sched->nr_runq;
	pthread_mutex_unlock(&gpu->sched_lock);
}

int
sched_get_vgpu_counters(struct gpu *gpu, unsigned int id, struct sched_vgpu_counters *out)
{
	int rc = -ENOENT;

	if (id < 1 || id > GPU_MAX_VGPUS)
		return rc;
	pthread_mutex_lock(&gpu->sched_lock);
	if (gpu->sched->ent[id - 1].v) {
		*out = gpu->sched->ent[id - 1].c;
		rc = 0;
	}
	pthread_mutex_unlock(&gpu->sched_lock);
	return rc;
}
