/* SPDX-License-Identifier: MIT */
/*
 * engine.c — the four engines of the process that starts execution: one
 * worker thread each, the ELSP (one pending submission of two elements),
 * loading a context from its image (register state page at LRCA + 4 KiB:
 * ring start/head/tail/ctl, PDPs or PML4, timestamp), running it
 * (cmd_exec.c), saving it on switch-out (ring head, timestamp) and the CSB
 * entries around that in hardware order (csb.c): IDLE_ACTIVE when an idle
 * engine starts, COMPLETE | ELEMENT_SWITCH between the two elements,
 * COMPLETE | ACTIVE_IDLE after the last, PREEMPTED for a context a new
 * submission replaced. A fault stops the engine (no CSB) until
 * softgpu_engine_reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sim_int.h"
#include "sg_int.h"

/* Lock held. */
static void
attention_update(struct sg_engine *e)
{
	__atomic_store_n(&e->attention, (uint32_t)(e->has_pending || e->reset_req || e->stop),
			 __ATOMIC_RELEASE);
}

static void
set_active(struct sg_engine *e, bool on)
{
	e->active = on;
	pthread_mutex_lock(&e->lock);
	e->st.active = on;
	pthread_mutex_unlock(&e->lock);
}

static void
eng_reg(struct sg_engine *e, uint32_t rel, uint32_t v)
{
	__atomic_store_n(&e->g->mmio[(sg_engine_info[e->id].base + rel) >> 2], v,
			 __ATOMIC_RELEASE);
}

/* Load the context of desc into r: SG_OK or SG_FAULT (BAD_CONTEXT). */
static int
ctx_load(struct sg_run *r, uint64_t desc)
{
	uint32_t img[SG_CTX_DWORDS], ctl;

	r->desc = desc;
	r->ctx_id = SG_DESC_ID(desc);
	r->lrca = SG_DESC_LRCA(desc);
	r->levels = SG_DESC_MODE(desc) == SG_MODE_LEGACY_64B ? 4 : 3;
	r->level = 0;
	r->chain = 0;
	r->arb = true;
	r->fc_valid = false;
	r->fault = 0;
	r->fault_addr = 0;
	r->why[0] = 0;
	r->head = r->tail = 0;
	r->budget = __atomic_load_n(&r->x->budget, __ATOMIC_RELAXED);
	r->start_ns = sg_now_ns();
	if (sg_gm_read(r, false, r->lrca + SG_PAGE, img, sizeof(img)) < 0) {
		r->fault = SOFTGPU_FAULT_BAD_CONTEXT;
		return SG_FAULT;
	}
	ctl = img[SG_CTX_RING_CTL];
	r->ring_size = (((ctl >> 12) & 0x1ff) + 1) * SG_PAGE;
	r->ring_start = img[SG_CTX_RING_START] & ~(SG_PAGE - 1);
	r->head = img[SG_CTX_RING_HEAD] & 0x1ffffc;
	r->head_hi = img[SG_CTX_RING_HEAD] & ~0x1ffffcu;
	r->tail = img[SG_CTX_RING_TAIL] & 0x1ffff8;
	r->ctx_ts = img[SG_CTX_TIMESTAMP_DW];
	if (!(ctl & 1))
		return sg_fault(r, SOFTGPU_FAULT_BAD_CONTEXT, r->lrca,
				"ring not enabled (RING_CTL 0x%x)", ctl);
	if (r->head >= r->ring_size || r->tail >= r->ring_size) {
		uint32_t head = r->head, tail = r->tail;

		r->head = r->tail = 0;
		return sg_fault(r, SOFTGPU_FAULT_BAD_CONTEXT, r->lrca,
				"head 0x%x / tail 0x%x outside the %u-byte ring", head, tail,
				r->ring_size);
	}
	for (int i = 0; i < 4; i++)
		r->pdp[i] = (uint64_t)img[SG_CTX_PDP_UDW(i)] << 32 | img[SG_CTX_PDP_LDW(i)];
	eng_reg(r->e, SG_RING_START, r->ring_start);
	eng_reg(r->e, SG_RING_HEAD, r->head | r->head_hi);
	eng_reg(r->e, SG_RING_TAIL, r->tail);
	eng_reg(r->e, SG_RING_CTL, ctl);
	eng_reg(r->e, SG_CTX_TIMESTAMP, r->ctx_ts);
	eng_reg(r->e, SG_EXECLIST_STATUS_HI, r->ctx_id);
	return SG_OK;
}

/* Switch-out: ring head and timestamp into the image (as hardware saves them). */
static void
ctx_save(struct sg_run *r)
{
	uint32_t ts = r->ctx_ts + (uint32_t)((sg_now_ns() - r->start_ns) * 3 / 250);
	uint64_t regs = r->lrca + SG_PAGE;

	sg_gm_write32(r, false, regs + 4 * SG_CTX_RING_HEAD, r->head | r->head_hi);
	sg_gm_write32(r, false, regs + 4 * SG_CTX_TIMESTAMP_DW, ts);
	r->fault = 0;	/* an image unmapped meanwhile loses the save, nothing else */
	eng_reg(r->e, SG_RING_HEAD, r->head | r->head_hi);
	eng_reg(r->e, SG_CTX_TIMESTAMP, ts);
}

/* Add the run's counters to the engine's statistics. */
static void
run_account(struct sg_engine *e, struct sg_run *r)
{
	pthread_mutex_lock(&e->lock);
	e->st.commands += r->n_cmds;
	e->st.skipped += r->n_skipped;
	e->st.batches += r->n_batches;
	e->st.user_irqs += r->n_user;
	e->st.blit_bytes += r->n_blit_bytes;
	pthread_mutex_unlock(&e->lock);
	r->n_cmds = r->n_skipped = r->n_batches = r->n_user = 0;
	r->n_blit_bytes = 0;
}

static void
run_ports(struct sg_engine *e, const uint64_t desc[2])
{
	struct sg_run *r = e->run;

	for (int i = 0; i < 2 && desc[i]; i++) {
		bool last = i == 1 || !desc[1];
		int rc = ctx_load(r, desc[i]);

		if (rc == SG_OK) {
			if (!e->active) {
				set_active(e, true);
				sg_csb(e, SOFTGPU_CSB_IDLE_ACTIVE, 0, r->ctx_id, r->head);
			}
			rc = sg_run_context(r);
		}
		run_account(e, r);
		switch (rc) {
		case SG_OK:
			ctx_save(r);
			if (last)
				set_active(e, false);
			pthread_mutex_lock(&e->lock);
			e->st.contexts++;
			pthread_mutex_unlock(&e->lock);
			sg_csb(e, SOFTGPU_CSB_COMPLETE |
				  (last ? SOFTGPU_CSB_ACTIVE_IDLE : SOFTGPU_CSB_ELEMENT_SWITCH),
			       r->ctx_id, r->ctx_id, r->head);
			break;
		case SG_PREEMPT:
			ctx_save(r);
			pthread_mutex_lock(&e->lock);
			e->st.preempted++;
			pthread_mutex_unlock(&e->lock);
			sg_csb(e, SOFTGPU_CSB_PREEMPTED, r->ctx_id, r->ctx_id, r->head);
			return;
		case SG_FAULT:
			pthread_mutex_lock(&e->lock);
			e->hung = true;
			e->st.hung = true;
			e->st.faults++;
			snprintf(e->st.last_fault, sizeof(e->st.last_fault), "%s", r->why);
			pthread_mutex_unlock(&e->lock);
			sg_fault_event(e, r->ctx_id, r->head, r->fault, r->fault_addr, r->why);
			return;
		default:	/* SG_ABORT: reset or stop */
			return;
		}
	}
}

/* Lock held: the reset itself, done by the worker. */
static void
engine_do_reset(struct sg_engine *e)
{
	e->reset_req = false;
	e->hung = false;
	e->has_pending = false;
	e->active = false;
	e->st.hung = false;
	e->st.active = false;
	e->st.resets++;
	memset(e->clip, 0, sizeof(e->clip));
	sg_csb_reset(e);
	eng_reg(e, SG_RING_START, 0);
	eng_reg(e, SG_RING_HEAD, 0);
	eng_reg(e, SG_RING_TAIL, 0);
	eng_reg(e, SG_RING_CTL, 0);
	eng_reg(e, SG_EXECLIST_STATUS_HI, 0);
	attention_update(e);
	pthread_cond_broadcast(&e->done);
}

static void *
worker(void *arg)
{
	struct sg_engine *e = arg;

	pthread_mutex_lock(&e->lock);
	for (;;) {
		uint64_t desc[2];

		if (e->reset_req) {
			engine_do_reset(e);
			continue;
		}
		if (e->stop)
			break;
		if (!e->has_pending || e->hung) {
			pthread_cond_wait(&e->wake, &e->lock);
			continue;
		}
		desc[0] = e->pending[0];
		desc[1] = e->pending[1];
		e->has_pending = false;
		e->st.submits++;
		attention_update(e);
		pthread_mutex_unlock(&e->lock);
		run_ports(e, desc);
		pthread_mutex_lock(&e->lock);
	}
	pthread_mutex_unlock(&e->lock);
	return NULL;
}

/* Ask every started worker to stop (they finish the command they are in). */
static void
stop_engines(struct sg_exec *x)
{
	for (int i = 0; i < SOFTGPU_NR_ENGINES; i++) {
		struct sg_engine *e = &x->eng[i];

		if (!e->started)
			continue;
		pthread_mutex_lock(&e->lock);
		e->stop = true;
		attention_update(e);
		pthread_cond_broadcast(&e->wake);
		pthread_mutex_unlock(&e->lock);
	}
}

/* Join the workers and free everything of x. */
static void
exec_free(struct softgpu *g, struct sg_exec *x)
{
	for (int i = 0; i < SOFTGPU_NR_ENGINES; i++) {
		struct sg_engine *e = &x->eng[i];

		if (e->started) {
			pthread_join(e->thread, NULL);
			pthread_mutex_destroy(&e->lock);
			pthread_cond_destroy(&e->wake);
			pthread_cond_destroy(&e->done);
		}
		if (e->run)
			sg_blt_free(e->run);
		free(e->run);
		free(e->skips);
	}
	sg_pool_fini(g, x);
	sg_events_fini(x);
	sim_machine_put(x->machine);
	free(x);
}

int
softgpu_exec_start(struct softgpu *g)
{
	struct sg_exec *x = NULL;
	int rc = 0;

	pthread_mutex_lock(&g->exec_lock);
	if (g->x)
		goto out;
	rc = sg_cmd_table_check();
	if (rc < 0)
		goto out;
	x = calloc(1, sizeof(*x));
	if (!x) {
		rc = -ENOMEM;
		goto out;
	}
	x->efd = -1;
	x->budget = SG_BUDGET_DEFAULT;
	x->sem_timeout_ms = SG_SEM_TIMEOUT_MS_DEFAULT;
	pthread_mutex_init(&x->pool_lock, NULL);
	/*
	 * Machine memory (the host pool lives in it), the process's own
	 * mapping of the machine (sg_int.h). Created if nobody has yet: under
	 * the QEMU glue no simulated hypervisor made the machine before the
	 * GPU starts.
	 */
	x->machine = sim_machine_get(g->machine, true);
	x->mem = x->machine ? x->machine->mem : NULL;
	if (!x->mem) {
		rc = -errno;
		goto fail;
	}
	rc = sg_events_init(x);
	if (rc < 0)
		goto fail;
	for (int i = 0; i < SOFTGPU_NR_ENGINES; i++) {
		struct sg_engine *e = &x->eng[i];

		e->g = g;
		e->id = (enum softgpu_engine)i;
		e->skips = calloc(SG_NR_KEYS, sizeof(*e->skips));
		e->run = calloc(1, sizeof(*e->run));
		if (!e->skips || !e->run) {
			rc = -ENOMEM;
			goto fail;
		}
		e->run->g = g;
		e->run->x = x;
		e->run->e = e;
		sg_csb_reset(e);
	}
	/* The workers reach x through g (csb.c): publish it before they start. */
	__atomic_store_n(&g->x, x, __ATOMIC_RELEASE);
	for (int i = 0; i < SOFTGPU_NR_ENGINES; i++) {
		struct sg_engine *e = &x->eng[i];

		pthread_mutex_init(&e->lock, NULL);
		pthread_cond_init(&e->wake, NULL);
		pthread_cond_init(&e->done, NULL);
		rc = -pthread_create(&e->thread, NULL, worker, e);
		if (rc < 0) {
			pthread_mutex_destroy(&e->lock);
			pthread_cond_destroy(&e->wake);
			pthread_cond_destroy(&e->done);
			stop_engines(x);
			__atomic_store_n(&g->x, NULL, __ATOMIC_RELEASE);
			goto fail;
		}
		e->started = true;
	}
	goto out;
fail:
	exec_free(g, x);
out:
	pthread_mutex_unlock(&g->exec_lock);
	return rc;
}

void
sg_exec_stop(struct softgpu *g)
{
	struct sg_exec *x;

	pthread_mutex_lock(&g->exec_lock);
	x = g->x;
	if (x) {
		stop_engines(x);
		exec_free(g, x);
		__atomic_store_n(&g->x, NULL, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&g->exec_lock);
}

static bool
desc_ok(uint64_t d)
{
	unsigned int mode = SG_DESC_MODE(d);

	return (d & SG_DESC_VALID) && (mode == SG_MODE_LEGACY_32B || mode == SG_MODE_LEGACY_64B);
}

/* Engine id of g: *rc -ENODEV before exec start, -EINVAL for a bad id. */
static struct sg_engine *
engine_get(struct softgpu *g, enum softgpu_engine id, int *rc)
{
	struct sg_exec *x = __atomic_load_n(&g->x, __ATOMIC_ACQUIRE);

	*rc = !x ? -ENODEV : (unsigned int)id >= SOFTGPU_NR_ENGINES ? -EINVAL : 0;
	return *rc ? NULL : &x->eng[id];
}

int
softgpu_submit(struct softgpu *g, enum softgpu_engine id, const uint64_t desc[2])
{
	int rc;
	struct sg_engine *e = engine_get(g, id, &rc);

	if (!e)
		return rc;
	if (!desc_ok(desc[0]) || (desc[1] && !desc_ok(desc[1])))
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	if (e->stop) {
		rc = -ESHUTDOWN;
	} else if (e->hung) {
		rc = -EIO;
	} else if (e->has_pending) {
		rc = -EBUSY;
	} else {
		e->pending[0] = desc[0];
		e->pending[1] = desc[1];
		e->has_pending = true;
		attention_update(e);
		pthread_cond_signal(&e->wake);
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

int
softgpu_engine_reset(struct softgpu *g, enum softgpu_engine id)
{
	int rc;
	struct sg_engine *e = engine_get(g, id, &rc);

	if (!e)
		return rc;
	pthread_mutex_lock(&e->lock);
	e->reset_req = true;
	attention_update(e);
	pthread_cond_signal(&e->wake);
	while (e->reset_req && !e->stop)
		pthread_cond_wait(&e->done, &e->lock);
	pthread_mutex_unlock(&e->lock);
	return 0;
}

void
softgpu_set_limits(struct softgpu *g, uint64_t budget, unsigned int sem_timeout_ms)
{
	struct sg_exec *x = __atomic_load_n(&g->x, __ATOMIC_ACQUIRE);

	if (!x)
		return;
	if (budget)
		__atomic_store_n(&x->budget, budget, __ATOMIC_RELAXED);
	if (sem_timeout_ms)
		__atomic_store_n(&x->sem_timeout_ms, sem_timeout_ms, __ATOMIC_RELAXED);
}

void
softgpu_engine_stats(struct softgpu *g, enum softgpu_engine id, struct softgpu_engine_stats *out)
{
	int rc;
	struct sg_engine *e = engine_get(g, id, &rc);

	memset(out, 0, sizeof(*out));
	if (!e)
		return;
	pthread_mutex_lock(&e->lock);
	*out = e->st;
	pthread_mutex_unlock(&e->lock);
}

uint64_t
softgpu_skip_count(struct softgpu *g, enum softgpu_engine id, uint32_t dw0)
{
	int rc;
	struct sg_engine *e = engine_get(g, id, &rc);
	unsigned int k = sg_cmd_key(dw0);

	if (!e || k >= SG_NR_KEYS)
		return 0;
	return __atomic_load_n(&e->skips[k], __ATOMIC_RELAXED);
}

void *
softgpu_maddr_ptr(struct softgpu *g, uint64_t maddr, size_t len)
{
	struct sg_exec *x = __atomic_load_n(&g->x, __ATOMIC_ACQUIRE);

	return x ? sg_mem(x, maddr, len) : NULL;
}
