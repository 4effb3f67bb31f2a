/* SPDX-License-Identifier: MIT */
/*
 * csb.c — what an engine reports, in the order Gen9 does it: a context
 * status buffer entry goes into the engine's CSB registers (entry i at
 * base + 0x370 + 8 i: status, context id), the write pointer (CSB_PTR bits
 * 2:0) moves, the entry and the pointer go into the engine's global status
 * page (HWS_PGA, a GGTT address: entries from dword 0x10, the pointer at
 * dword 0x1f), then the context-switch interrupt (bit 8 of the engine's
 * GT IIR bits, unless the GT IMR masks it). MI_USER_INTERRUPT sets bit 0.
 * Each of these is also an event for the pgpu adapter, in one queue for
 * all engines, signalled through an eventfd that reads as readable while
 * the queue is not empty.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sg_int.h"

int
sg_events_init(struct sg_exec *x)
{
	x->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (x->efd < 0)
		return -errno;
	x->ev_cap = 256;
	x->evq = calloc(x->ev_cap, sizeof(*x->evq));
	x->evseq = calloc(x->ev_cap, sizeof(*x->evseq));
	if (!x->evq || !x->evseq) {
		sg_events_fini(x);
		return -ENOMEM;
	}
	pthread_mutex_init(&x->ev_lock, NULL);
	return 0;
}

void
sg_events_fini(struct sg_exec *x)
{
	if (x->efd >= 0)
		close(x->efd);
	x->efd = -1;
	free(x->evq);
	free(x->evseq);
	x->evq = NULL;
	x->evseq = NULL;
}

/* ev_lock held. Double the queue; false if it may not grow. */
static bool
evq_grow(struct sg_exec *x)
{
	uint32_t cap = x->ev_cap * 2;
	struct softgpu_event *q;
	uint64_t *seq;

	if (cap > SG_EVQ_MAX)
		return false;
	q = calloc(cap, sizeof(*q));
	seq = calloc(cap, sizeof(*seq));
	if (!q || !seq) {
		free(q);
		free(seq);
		return false;
	}
	for (uint32_t i = 0; i < x->ev_n; i++) {
		q[i] = x->evq[(x->ev_head + i) % x->ev_cap];
		seq[i] = x->evseq[(x->ev_head + i) % x->ev_cap];
	}
	free(x->evq);
	free(x->evseq);
	x->evq = q;
	x->evseq = seq;
	x->ev_cap = cap;
	x->ev_head = 0;
	return true;
}

/* ev_lock held. Queue ev; the fd turns readable with the first one. */
static void
evq_push(struct sg_exec *x, struct sg_engine *e, const struct softgpu_event *ev)
{
	uint32_t i;

	if (x->ev_n == x->ev_cap && !evq_grow(x)) {
		x->ev_dropped++;
		return;
	}
	i = (x->ev_head + x->ev_n) % x->ev_cap;
	x->evq[i] = *ev;
	x->evseq[i] = ++x->ev_pushed;
	e->last_seq = x->ev_pushed;
	if (x->ev_n++ == 0) {
		uint64_t one = 1;

		if (write(x->efd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow with one write per empty->non-empty edge */
		}
	}
}

int
softgpu_event_fd(struct softgpu *g)
{
	struct sg_exec *x = __atomic_load_n(&g->x, __ATOMIC_ACQUIRE);

	return x ? x->efd : -1;
}

int
softgpu_next_event(struct softgpu *g, struct softgpu_event *ev)
{
	struct sg_exec *x = __atomic_load_n(&g->x, __ATOMIC_ACQUIRE);
	int got = 0;

	if (!x)
		return 0;
	pthread_mutex_lock(&x->ev_lock);
	if (x->ev_n) {
		*ev = x->evq[x->ev_head];
		x->ev_popped = x->evseq[x->ev_head];
		x->ev_head = (x->ev_head + 1) % x->ev_cap;
		if (--x->ev_n == 0) {
			uint64_t v;

			if (read(x->efd, &v, sizeof(v)) < 0) {
				/* already drained: nothing to do */
			}
		}
		got = 1;
	}
	pthread_mutex_unlock(&x->ev_lock);
	return got;
}

/* Set an engine's interrupt bit in its GT IIR, unless the GT IMR masks it. */
static void
raise_irq(struct sg_engine *e, unsigned int bit)
{
	const struct sg_engine_info *in = &sg_engine_info[e->id];
	uint32_t bits = 1u << (in->shift + bit);

	if (!(sg_reg_read(e->g, SG_GT_IMR(in->bank)) & bits))
		sg_reg_or(e->g, SG_GT_IIR(in->bank), bits);
}

/* The engine's global status page, or NULL if HWS_PGA maps nothing. */
static uint32_t *
hwsp(struct sg_engine *e)
{
	uint32_t pga = sg_reg_read(e->g, sg_engine_info[e->id].base + SG_HWS_PGA) & ~(SG_PAGE - 1);
	uint64_t maddr;

	if (sg_ggtt_xlate(e->g, pga, &maddr) < 0)
		return NULL;
	return (uint32_t *)(void *)sg_mem(e->g->x, maddr, SG_PAGE);
}

void
sg_csb(struct sg_engine *e, uint32_t status, uint32_t ctx_id, uint32_t event_ctx, uint32_t head)
{
	struct sg_exec *x = e->g->x;
	uint32_t base = sg_engine_info[e->id].base, *ptr = &e->g->mmio[(base + SG_CSB_PTR) >> 2];
	uint32_t wp = (e->csb_wp + 1) % SG_CSB_ENTRIES, old, *hws;
	struct softgpu_event ev = {
		.kind = SOFTGPU_EV_CSB, .engine = e->id, .ctx_id = event_ctx,
		.status = status, .ring_head = head,
	};

	e->csb_wp = wp;
	__atomic_store_n(&e->g->mmio[(base + SG_CSB(wp)) >> 2], status, __ATOMIC_RELEASE);
	__atomic_store_n(&e->g->mmio[(base + SG_CSB(wp) + 4) >> 2], ctx_id, __ATOMIC_RELEASE);
	old = __atomic_load_n(ptr, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(ptr, &old, (old & ~7u) | wp, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_RELAXED))
		;
	hws = hwsp(e);
	if (hws) {
		__atomic_store_n(&hws[0x10 + 2 * wp], status, __ATOMIC_RELEASE);
		__atomic_store_n(&hws[0x11 + 2 * wp], ctx_id, __ATOMIC_RELEASE);
		__atomic_store_n(&hws[0x1f], wp, __ATOMIC_RELEASE);
	} else {
		pthread_mutex_lock(&e->lock);
		e->st.hwsp_skipped++;
		pthread_mutex_unlock(&e->lock);
	}
	raise_irq(e, SG_GT_CTX_SWITCH_BIT);
	pthread_mutex_lock(&x->ev_lock);
	evq_push(x, e, &ev);
	pthread_mutex_unlock(&x->ev_lock);
}

void
sg_user_interrupt(struct sg_engine *e, uint32_t ctx_id, uint32_t head)
{
	struct sg_exec *x = e->g->x;
	struct softgpu_event ev = {
		.kind = SOFTGPU_EV_USER, .engine = e->id, .ctx_id = ctx_id, .ring_head = head,
	};

	raise_irq(e, SG_GT_USER_BIT);
	pthread_mutex_lock(&x->ev_lock);
	/* Still queued, the engine's latest, same context: one interrupt, as the IIR bit is. */
	if (!(e->user_seq && e->user_seq == e->last_seq && e->user_seq > x->ev_popped &&
	      e->user_ctx == ctx_id)) {
		evq_push(x, e, &ev);
		e->user_seq = e->last_seq;
		e->user_ctx = ctx_id;
	}
	pthread_mutex_unlock(&x->ev_lock);
}

void
sg_fault_event(struct sg_engine *e, uint32_t ctx_id, uint32_t head, uint32_t kind, uint64_t addr,
	       const char *why)
{
	struct sg_exec *x = e->g->x;
	struct softgpu_event ev = {
		.kind = SOFTGPU_EV_FAULT, .engine = e->id, .ctx_id = ctx_id, .ring_head = head,
		.fault = kind, .fault_addr = addr,
	};

	snprintf(ev.why, sizeof(ev.why), "%s", why ? why : "");
	pthread_mutex_lock(&x->ev_lock);
	evq_push(x, e, &ev);
	pthread_mutex_unlock(&x->ev_lock);
}

void
sg_csb_reset(struct sg_engine *e)
{
	uint32_t base = sg_engine_info[e->id].base;

	e->csb_wp = SG_CSB_RESET_PTR;
	__atomic_store_n(&e->g->mmio[(base + SG_CSB_PTR) >> 2],
			 (SG_CSB_RESET_PTR << 8) | SG_CSB_RESET_PTR, __ATOMIC_RELEASE);
}
