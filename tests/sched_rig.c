/* SPDX-License-Identifier: MIT */
/*
 * sched_rig.c — the rig of the scheduler suites and benches
 * (sched_rig.h): vGPUs on the stand-in engines, and stand-ins for
 * workload_prepare and execlist_complete.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/sched_rig.h"

#define SR_SPIN_MAX 10000	/* rounds in a row without the clock moving */

struct sched_rig *sr_cur;

/* The stand-in of workload_prepare: its run time goes into the descriptor. */
static int
sr_prepare(struct vgpu *v, struct workload *w)
{
	struct sched_rig *r = sr_cur;
	int i = sr_index(r, v);

	r->prepares++;
	if (gpu_owner(v->gpu) != v)
		r->owner_wrong++;
	/* The physical per-context registers are this vGPU's while its work is built and runs. */
	if (v->gpu->dev.ops->mmio_read(v->gpu->dev.p, SR_SAVE_REG) != v->vreg[SR_SAVE_REG / 4])
		r->reg_wrong++;
	if (i < 0)
		return -EINVAL;
	r->g[i].last_ctx = w->shadow_ctx_id;
	if (r->g[i].refuse && !(r->g[i].refuse_after && r->g[i].refuse_after--)) {
		snprintf(w->why, sizeof(w->why), "test: refused");
		return -EINVAL;
	}
	w->shadow_desc = FAKE_DESC(w->guest_lrca >> 12);
	if (r->g[i].bad_desc)
		w->shadow_desc &= ~1ull;
	return 0;
}

/* Append w to its engine's queue (v->lock held). */
static void
sr_append(struct vgpu *v, struct workload *w)
{
	struct exec_engine_state *q = &v->exec.eng[w->engine];

	w->next = NULL;
	w->state = WL_QUEUED;
	w->why[0] = '\0';
	if (q->queue_tail)
		q->queue_tail->next = w;
	else
		q->queue = w;
	q->queue_tail = w;
}

/* The stand-in of execlist_complete: count, and queue again if the guest stays busy. */
static void
sr_complete(struct vgpu *v, struct workload *w)
{
	struct sched_rig *r = sr_cur;
	int i = sr_index(r, v);

	if (i < 0) {
		free(w);
		return;
	}
	if (v->exec.reset_pending)
		r->g[i].reset_seen = true;
	if (w->state == WL_DONE) {
		if (r->on_done)
			r->on_done(r, (unsigned int)i);
		r->g[i].done++;
		r->g[i].done_ns += w->end_ns - w->start_ns;
		r->g[i].user_irqs += w->user_irq;
	} else {
		r->g[i].failed++;
		snprintf(r->g[i].why, sizeof(r->g[i].why), "%s", w->why);
	}
	if (w->state == WL_DONE && r->g[i].refill && !v->exec.reset_pending) {
		sr_append(v, w);
		sched_kick(v);
		return;
	}
	r->g[i].freed++;
	free(w);
}

static const struct sched_exec_ops sr_ops = { sr_prepare, sr_complete };

int
sr_index(struct sched_rig *r, const struct vgpu *v)
{
	/* Atomic: a threaded test destroys vGPUs while the scheduler runs. */
	for (unsigned int i = 0; i < r->n; i++)
		if (__atomic_load_n(&r->g[i].v, __ATOMIC_ACQUIRE) == v)
			return (int)i;
	return -1;
}

int
sr_open(struct sched_rig *r, unsigned int n, const unsigned int *weights, bool vclock)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->now = 1000000000ull;
	r->fe = fake_engines_open(&r->dev, vclock ? &r->now : NULL);
	rc = gpu_create(&r->dev, &r->gpu);
	if (rc)
		return rc;
	sr_cur = r;
	sched_set_exec_ops(r->gpu, &sr_ops);
	for (unsigned int i = 0; i < n && i < SR_MAX; i++) {
		struct vgpu_config cfg;

		vgpu_config_default(&cfg);
		snprintf(cfg.type, sizeof(cfg.type), "%s", "xengt_small");
		if (vgpu_type_apply(&cfg))
			return -ENOENT;
		cfg.weight = weights ? weights[i] : 1;
		rc = fake_vgpu_new(r->gpu, 10 + i, &cfg, false, &r->g[i].hv, &r->g[i].v);
		if (rc)
			return rc;
		r->n = i + 1;
	}
	return 0;
}

void
sr_drop_queue(struct sched_rig *r, unsigned int i)
{
	struct vgpu *v = r->g[i].v;

	pthread_mutex_lock(&v->lock);
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		struct exec_engine_state *q = &v->exec.eng[e];

		while (q->queue) {
			struct workload *w = q->queue;

			q->queue = w->next;
			r->g[i].freed++;
			free(w);
		}
		q->queue_tail = NULL;
	}
	pthread_mutex_unlock(&v->lock);
}

void
sr_destroy(struct sched_rig *r, unsigned int i)
{
	if (!r->g[i].v)
		return;
	/* No more refills: the hand-back at destroy must free. */
	pthread_mutex_lock(&r->g[i].v->lock);
	r->g[i].refill = false;
	pthread_mutex_unlock(&r->g[i].v->lock);
	sr_drop_queue(r, i);
	vgpu_destroy(r->g[i].v);
	__atomic_store_n(&r->g[i].v, NULL, __ATOMIC_RELEASE);
	fake_hv_free(r->g[i].hv);
	r->g[i].hv = NULL;
}

void
sr_close(struct sched_rig *r)
{
	for (unsigned int i = 0; i < r->n; i++)
		sr_destroy(r, i);
	if (r->gpu)
		gpu_destroy(r->gpu);
	else
		r->dev.ops->close(r->dev.p);
	sr_cur = NULL;
	memset(r, 0, sizeof(*r));
}

void
sr_queue(struct sched_rig *r, unsigned int i, enum pgpu_engine e, uint32_t us)
{
	struct vgpu *v = r->g[i].v;
	struct workload *w = calloc(1, sizeof(*w));

	if (!w)
		abort();
	w->v = v;
	w->engine = e;
	w->guest_lrca = (uint64_t)us << 12;
	pthread_mutex_lock(&v->lock);
	w->queued_ns = r->now;
	r->g[i].queued++;
	sr_append(v, w);
	sched_kick(v);
	pthread_mutex_unlock(&v->lock);
}

int
sr_run(struct sched_rig *r, uint64_t until_ns)
{
	unsigned int rounds = 0, still = 0;

	for (;;) {
		uint64_t in = gpu_sched_run(r->gpu, r->now), due, t;

		rounds++;
		due = fake_engines_next_due(r->fe);
		t = in == VGPU_TICK_NONE ? UINT64_MAX : r->now + in;
		if (due < t)
			t = due;
		if (t > until_ns) {
			/* Nothing due before the end: the clock goes there. */
			if (r->now < until_ns)
				__atomic_store_n(&r->now, until_ns, __ATOMIC_RELEASE);
			break;
		}
		if (t <= r->now) {
			if (++still > SR_SPIN_MAX)
				return -ELOOP;
			continue;
		}
		still = 0;
		__atomic_store_n(&r->now, t, __ATOMIC_RELEASE);
	}
	return (int)rounds;
}

void
sr_get(struct sched_rig *r, unsigned int i, struct sr_vgpu *out)
{
	pthread_mutex_lock(&r->g[i].v->lock);
	*out = r->g[i];
	pthread_mutex_unlock(&r->g[i].v->lock);
}
