/* SPDX-License-Identifier: MIT */
/*
 * sched_feed.c — the scheduler's submissions (docs/execution.md "The
 * scheduler"): the owner's queued workloads taken, prepared and given to
 * free engines as ELSP pairs, or behind a lone running workload as a lite
 * restore; a refused one fails its vGPU. The policy (who owns the GPU) and
 * the events are sched.c's.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/sched.h"
#include "mediator/exec/sched_int.h"

/*
 * Fail the workloads taken for one submission that did not go out (why:
 * for those without a reason of their own), and the vGPU with reason
 * (e->v->lock held).
 */
static void
feed_fail(struct sched *s, struct gpu *gpu, struct sched_ent *e, struct sched_slot **sl,
	  unsigned int n, const char *reason, const char *why, uint64_t now)
{
	for (unsigned int k = 0; k < n; k++) {
		struct workload *w = sl[k]->w;

		sl[k]->w = NULL;
		sl[k]->ent = NULL;
		sched_handback(e, w, WL_FAILED, w->why[0] ? NULL : why, now, &s->ops);
	}
	sched_fail_locked(s, gpu, e, reason, "its vGPU failed", now);
}

/*
 * The next workload of q for engine i, in a slot, prepared (v->lock
 * held); behind: the workload it will follow on the engine (a lite
 * restore), or NULL. 0, or -errno with *out holding the slot (feed_fail's).
 */
static int
take_prepared(struct sched *s, struct sched_ent *e, struct exec_engine_state *q, unsigned int i,
	      const struct workload *behind, struct sched_slot **out)
{
	struct workload *w = q->queue;
	struct sched_slot *sl;
	int rc;

	q->queue = w->next;
	if (!q->queue)
		q->queue_tail = NULL;
	w->next = NULL;
	sl = *out = sched_slot_take(s, e, w);
	assert(sl);
	sl->engine = i;
	w->shadow_ctx_id = sl->ctx_id;
	w->start_ns = w->end_ns = 0;
	w->behind = behind != NULL;
	if (behind) {
		w->behind_desc = behind->guest_desc;
		w->behind_tail = behind->ring_tail;
	}
	rc = s->ops.prepare(e->v, w);
	if (rc) {
		if (!w->why[0])
			snprintf(w->why, sizeof(w->why), "workload refused: %d", rc);
		return rc;
	}
	w->shadow_desc = (w->shadow_desc & 0xffffffffull) | (uint64_t)w->shadow_ctx_id << 32;
	return 0;
}

/*
 * The engine runs one workload of the owner, and the owner has more
 * queued for it (v->lock held; pgpu_info.lite_restore): submit the
 * running context again as element 0 (a lite restore) with the next
 * workload behind it, as i915 keeps its ELSP full. The GPU then goes on
 * to the next without waiting for this thread to handle the completion.
 * The running slot counts two runs: the engine reports either PREEMPTED
 * (taken off at an arbitration point, resumed from its saved head) then
 * COMPLETE, or COMPLETE (it finished before the engine took the pair)
 * then COMPLETE again (its second run finds head == tail); it is handed
 * back at the last. False if the vGPU failed (feeding stops).
 */
static bool
feed_behind(struct sched *s, struct gpu *gpu, struct sched_ent *e, unsigned int i, uint64_t now)
{
	struct sched_engine *eng = &s->eng[i];
	struct sched_slot *run = eng->port[0], *sl;
	char reason[sizeof(((struct workload *)0)->why)];
	uint64_t desc[SCHED_PORTS];
	int rc;

	if (run->ent != e || run->runs != 1 || eng->untaken)
		return true;
	rc = take_prepared(s, e, &e->v->exec.eng[i], i, run->w, &sl);
	if (!rc) {
		desc[0] = run->w->shadow_desc;
		desc[1] = sl->w->shadow_desc;
		rc = gpu->dev.ops->submit(gpu->dev.p, (enum pgpu_engine)i, desc);
		s->c.submits++;
		if (rc)
			snprintf(sl->w->why, sizeof(sl->w->why), "%s refused a lite restore: %d",
				 exec_engines[i].name, rc);
	}
	if (rc) {
		snprintf(reason, sizeof(reason), "%s", sl->w->why);
		feed_fail(s, gpu, e, &sl, 1, reason, "its vGPU failed", now);
		return false;
	}
	s->c.lite_restores++;
	eng->untaken = true;
	run->runs = 2;
	sl->w->state = WL_RUNNING;
	eng->port[1] = sl;	/* it starts when the running one ends (slot_release) */
	eng->n = 2;
	e->running++;
	s->c.inflight++;
	return true;
}

/*
 * Submit the owner's queued work to every free engine: up to two
 * workloads per engine, as one ELSP pair, so the second runs while the
 * first's completion is handled; and behind a lone running workload of
 * the owner where the GPU takes lite restores (feed_behind).
 */
void
sched_feed(struct sched *s, struct gpu *gpu, uint64_t now)
{
	const struct pgpu_ops *ops = gpu->dev.ops;
	struct sched_ent *e = s->cur;
	struct vgpu *v = e->v;

	pthread_mutex_lock(&v->lock);
	for (unsigned int i = 0; i < EXEC_NR_ENGINES && sched_runnable_locked(v); i++) {
		struct exec_engine_state *q = &v->exec.eng[i];
		struct sched_slot *sl[SCHED_PORTS];
		uint64_t desc[SCHED_PORTS] = { 0, 0 };
		char reason[sizeof(((struct workload *)0)->why)];
		unsigned int n = 0;
		int rc;

		if (!q->queue)
			continue;
		if (s->eng[i].n == 1 && gpu->info.lite_restore) {
			if (!feed_behind(s, gpu, e, i, now))
				goto out;
			continue;
		}
		if (s->eng[i].n)
			continue;
		while (n < SCHED_PORTS && q->queue) {
			rc = take_prepared(s, e, q, i, NULL, &sl[n]);
			n++;
			if (rc) {
				snprintf(reason, sizeof(reason), "%s", sl[n - 1]->w->why);
				feed_fail(s, gpu, e, sl, n, reason, "its vGPU failed", now);
				goto out;
			}
			desc[n - 1] = sl[n - 1]->w->shadow_desc;
		}
		rc = ops->submit ? ops->submit(gpu->dev.p, (enum pgpu_engine)i, desc) : -EOPNOTSUPP;
		s->c.submits++;
		if (rc) {
			snprintf(reason, sizeof(reason), "%s refused the submission: %d",
				 exec_engines[i].name, rc);
			feed_fail(s, gpu, e, sl, n, reason, reason, now);
			goto out;
		}
		for (unsigned int k = 0; k < n; k++) {
			sl[k]->w->state = WL_RUNNING;
			s->eng[i].port[k] = sl[k];
		}
		s->eng[i].untaken = true;
		sl[0]->w->start_ns = now;
		s->eng[i].n = n;
		if (!e->running)
			e->busy_since = now;
		e->running += n;
		s->c.inflight += n;
	}
out:
	pthread_mutex_unlock(&v->lock);
}
