/* SPDX-License-Identifier: MIT */
/*
 * execlist.c — the guest's execlists, as its driver sees them
 * (docs/execution.md): four ELSP dwords become two checked descriptors
 * and queued workloads; completions, preemptions and resets become CSB
 * entries in the guest's status page and CSB registers, in the order
 * hardware writes them, with the engine's interrupts. The registers
 * themselves are execlist_regs.c's; shadows and the scheduler are not
 * ours (workload.c, sched.c).
 *
 * The model per engine (all plain data in struct exec_engine_state):
 * `cur` is the execlist the engine runs, `cur_elem` its running element.
 * A new ELSP while cur still has work is a preemption (Gen9: the pending
 * execlist replaces the current one at its next arbitration point):
 *   - elements that have not started (still queued here) are dropped:
 *     the guest sees PREEMPTED for the running element, with
 *     LITE_RESTORE when the new element 0 is that same context (a tail
 *     update: the new workload runs from the image's head, so nothing of
 *     the old one is lost). That is what i915 expects: it treats any
 *     PREEMPTED or IDLE_ACTIVE entry as "my last ELSP is now active".
 *   - an element the scheduler already gave to the GPU cannot be stopped
 *     (pgpu has no preemption): it runs to its tail, as if it met no
 *     arbitration point. The new list waits in `pend`; when the running
 *     element completes the guest sees COMPLETE|ACTIVE_IDLE for it, then
 *     IDLE_ACTIVE for the new list (GVT-g's order), one interrupt.
 * Every ELSP thus gets exactly one IDLE_ACTIVE or PREEMPTED entry, and
 * every element that completes exactly one COMPLETE entry, which is the
 * count i915's CSB processing relies on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/exec.h"

/* Each engine's interrupt events (irq.c places them in the GT banks). */
static const struct {
	enum irq_event user, ctx_switch;
} el_irq[EXEC_NR_ENGINES] = {
	[PGPU_RCS] = { EV_RCS_USER, EV_RCS_CTX_SWITCH },
	[PGPU_BCS] = { EV_BCS_USER, EV_BCS_CTX_SWITCH },
	[PGPU_VCS] = { EV_VCS_USER, EV_VCS_CTX_SWITCH },
	[PGPU_VECS] = { EV_VECS_USER, EV_VECS_CTX_SWITCH },
};

/* EXECLIST_STATUS lower dword (Gen9; GVT-g execlist_status_format). */
#define ELS_CUR_POINTER	  (1u << 0)  /* slot of the current execlist */
#define ELS_WRITE_POINTER (1u << 1)  /* slot the next ELSP goes to */
#define ELS_QUEUE_FULL	  (1u << 2)  /* both slots taken */
#define ELS_1_VALID	  (1u << 3)
#define ELS_0_VALID	  (1u << 4)
#define ELS_REASON_SHIFT  5	     /* 9 bits: the last context switch's status */
#define ELS_1_ACTIVE	  (1u << 17)
#define ELS_0_ACTIVE	  (1u << 18)

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t
reg(enum pgpu_engine e, uint32_t eng_off)
{
	return exec_engines[e].mmio_base + eng_off;
}

/* Same context: same image (LRCA) and same id, as GVT-g's same_context. */
static bool
same_ctx(uint64_t a, uint64_t b)
{
	return (a & CTX_DESC_LRCA_MASK) == (b & CTX_DESC_LRCA_MASK) &&
	       CTX_DESC_ID(a) == CTX_DESC_ID(b);
}

/* ---- what the guest reads: EXECLIST_STATUS, CSB, status page ---- */

static void
el_status(struct vgpu *v, enum pgpu_engine e)
{
	const struct exec_engine_state *es = &v->exec.eng[e];
	uint32_t lo = (es->last_status & 0x1ffu) << ELS_REASON_SHIFT, hi = 0;
	unsigned int other = es->slot ^ 1;

	if (es->active) {
		unsigned int full = es->has_pend;

		lo |= es->slot ? ELS_CUR_POINTER | ELS_1_VALID | ELS_1_ACTIVE
			       : ELS_0_VALID | ELS_0_ACTIVE;
		if (full)
			lo |= ELS_QUEUE_FULL | (other ? ELS_1_VALID : ELS_0_VALID);
		if (full ? es->slot : other)
			lo |= ELS_WRITE_POINTER;
		hi = CTX_DESC_ID(es->cur.desc[es->cur_elem]);
	} else if (other) {
		lo |= ELS_WRITE_POINTER;
	}
	vreg_set(v, reg(e, ENG_EXECLIST_STATUS_LO), lo);
	vreg_set(v, reg(e, ENG_EXECLIST_STATUS_HI), hi);
}

/*
 * One CSB entry, where hardware puts it: the next slot after the write
 * pointer, in the CSB registers and in the guest's status page (HWS_PGA:
 * entry at dword 0x10 + 2i, then the write pointer at dword 0x1f), entry
 * before pointer so a reader that sees the pointer sees the entry.
 */
static void
csb_push(struct vgpu *v, enum pgpu_engine e, uint32_t status, uint32_t ctx_id)
{
	struct exec_engine_state *es = &v->exec.eng[e];
	uint32_t entry[2] = { status, ctx_id };
	uint32_t ptr, hws, wp;

	es->csb_write = es->csb_write >= CSB_ENTRIES - 1 ? 0 : es->csb_write + 1;
	wp = es->csb_write;
	vreg_set(v, reg(e, ENG_CSB(wp)), status);
	vreg_set(v, reg(e, ENG_CSB(wp)) + 4, ctx_id);
	ptr = vreg_get(v, reg(e, ENG_CSB_PTR));
	vreg_set(v, reg(e, ENG_CSB_PTR), (ptr & ~0x7u) | wp);
	es->last_status = status;

	hws = vreg_get(v, reg(e, ENG_HWS_PGA)) & ~(EXEC_PAGE - 1);
	if (!hws)
		return;		/* no status page yet: the registers only */
	if (exec_gma_write(v, hws + 4 * (HWSP_CSB_INDEX + 2 * wp), entry, sizeof(entry)) < 0 ||
	    exec_gma_write(v, hws + 4 * HWSP_CSB_WRITE_INDEX, &wp, sizeof(wp)) < 0) {
		v->stats.bad_access++;
		vgpu_warn_once(v, WARN_HWSP,
			       "%s status page at GM %#x not mapped: CSB entries in registers only",
			       exec_engines[e].name, hws);
	}
}

/* A batch of CSB entries ends with the engine's context-switch interrupt. */
static void
csb_irq(struct vgpu *v, enum pgpu_engine e)
{
	el_status(v, e);
	irq_raise(v, el_irq[e].ctx_switch);
}

/* ---- the queue ---- */

static void
queue_add(struct exec_engine_state *es, struct workload *w)
{
	w->next = NULL;
	if (es->queue_tail)
		es->queue_tail->next = w;
	else
		es->queue = w;
	es->queue_tail = w;
}

static void
workload_free(struct gpu *gpu, struct workload *w)
{
	workload_release(gpu, w);
	free(w);
}

/* Drop every workload the scheduler has not taken (they never ran). */
static unsigned int
queue_drop(struct vgpu *v, enum pgpu_engine e)
{
	struct exec_engine_state *es = &v->exec.eng[e];
	unsigned int n = 0;

	while (es->queue) {
		struct workload *w = es->queue;

		es->queue = w->next;
		workload_free(v->gpu, w);
		n++;
	}
	es->queue_tail = NULL;
	es->dropped += n;
	es->outstanding = es->outstanding > n ? es->outstanding - n : 0;
	return n;
}

/* ---- ELSP: checking a submission ---- */

/*
 * A workload for element idx of descriptor desc, its image read through
 * the guest's GGTT and checked. NULL with why filled (the caller fails
 * the vGPU).
 */
static struct workload *
el_build(struct vgpu *v, enum pgpu_engine e, uint64_t desc, unsigned int idx, char *why,
	 size_t whylen)
{
	const char *name = exec_engines[e].name;
	uint64_t lrca = desc & CTX_DESC_LRCA_MASK;
	unsigned int mode = (unsigned int)((desc & CTX_DESC_ADDR_MODE_MASK) >>
					   CTX_DESC_ADDR_MODE_SHIFT);
	uint32_t regs[CTX_REG_WORDS];
	struct workload *w;

	if (mode != CTX_ADDR_LEGACY_32B && mode != CTX_ADDR_LEGACY_64B) {
		snprintf(why, whylen, "%s ELSP: element %u addressing mode %u", name, idx, mode);
		return NULL;
	}
	/* Bit 8 clear: a GGTT ("privileged") context, whose batches bypass its PPGTT. */
	if (!(desc & CTX_DESC_PRIVILEGE)) {
		snprintf(why, whylen, "%s ELSP: element %u not a PPGTT context", name, idx);
		return NULL;
	}
	if (!gm_owns(&v->part, lrca, (uint64_t)exec_engines[e].ctx_pages * EXEC_PAGE)) {
		snprintf(why, whylen, "%s ELSP: LRCA %#" PRIx64 " outside its GM", name, lrca);
		return NULL;
	}
	if (exec_gma_read(v, lrca + EXEC_PAGE, regs, sizeof(regs)) < 0) {
		snprintf(why, whylen, "%s ELSP: context %#" PRIx64 " not mapped", name, lrca);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(why, whylen, "%s ELSP: no memory for a workload", name);
		return NULL;
	}
	w->v = v;
	w->engine = e;
	w->state = WL_QUEUED;
	w->guest_desc = desc;
	w->guest_lrca = lrca;
	w->addr_mode = mode;
	w->elsp_second = idx == 1;
	if (workload_take_image(v, w, regs) < 0) {
		snprintf(why, whylen, "%s ELSP: %.40s", name, w->why);
		free(w);
		return NULL;
	}
	return w;
}

/* The guest's last ELSP list becomes the one the engine runs. */
static void
el_make_current(struct exec_engine_state *es, const struct exec_elsp_list *l)
{
	es->cur = *l;
	es->cur_elem = 0;
	es->slot ^= 1;
	es->active = true;
}

/*
 * The fourth ELSP dword arrived: element 1 upper, element 1 lower,
 * element 0 upper, element 0 lower (v->lock held). A malformed
 * submission fails the vGPU, with one log line naming why.
 */
static void
el_submit(struct vgpu *v, enum pgpu_engine e)
{
	struct exec_engine_state *es = &v->exec.eng[e];
	struct exec_elsp_list l = { .desc = {
		(uint64_t)es->elsp[2] << 32 | es->elsp[3],
		(uint64_t)es->elsp[0] << 32 | es->elsp[1],
	} };
	struct workload *w[2] = { NULL, NULL };
	char why[64] = "";
	unsigned int n = 0;
	uint64_t t = now_ns();

	if (es->hung) {
		es->failed++;
		vgpu_warn_once(v, WARN_ELSP, "%s ELSP while the engine is hung: ignored until a reset",
			       exec_engines[e].name);
		return;
	}
	/* An element without its valid bit is no element (i915 writes 0). */
	if (!(l.desc[1] & CTX_DESC_VALID))
		l.desc[1] = 0;
	if (!(l.desc[0] & CTX_DESC_VALID))
		snprintf(why, sizeof(why), "%s ELSP: element 0 not valid", exec_engines[e].name);
	else if (l.desc[1] && (l.desc[0] & CTX_DESC_LRCA_MASK) == (l.desc[1] & CTX_DESC_LRCA_MASK))
		snprintf(why, sizeof(why), "%s ELSP: one context in both elements",
			 exec_engines[e].name);
	for (unsigned int i = 0; !why[0] && i < 2 && l.desc[i]; i++, n++)
		w[i] = el_build(v, e, l.desc[i], i, why, sizeof(why));
	if (why[0]) {
		free(w[0]);
		vgpu_enter_failsafe(v, why);
		/* Nothing of a failed vGPU runs any more: what it queued goes too. */
		for (unsigned int i = 0; i < EXEC_NR_ENGINES; i++)
			queue_drop(v, (enum pgpu_engine)i);
		return;
	}

	l.seq = ++es->seq;
	if (!es->active) {
		el_make_current(es, &l);
		es->has_pend = false;
		csb_push(v, e, CSB_IDLE_ACTIVE, 0);
		csb_irq(v, e);
	} else {
		queue_drop(v, e);
		if (es->has_pend)
			es->preempted++;	/* a list that never ran is replaced */
		if (es->outstanding) {
			/* An element is on the GPU: the new list waits for it (see top). */
			es->pend = l;
			es->has_pend = true;
			el_status(v, e);
		} else {
			uint64_t old = es->cur.desc[es->cur_elem];
			uint32_t st = CSB_PREEMPTED | (same_ctx(old, l.desc[0]) ? CSB_LITE_RESTORE : 0);

			es->preempted++;
			el_make_current(es, &l);
			es->has_pend = false;
			csb_push(v, e, st, CTX_DESC_ID(old));
			csb_irq(v, e);
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		w[i]->list_seq = l.seq;
		w[i]->epoch = es->epoch;
		w[i]->queued_ns = t;
		queue_add(es, w[i]);
	}
	es->submitted += n;
	es->outstanding += n;
	sched_kick(v);
}

void
execlist_elsp_write(struct vgpu *v, enum pgpu_engine e, uint32_t val)
{
	struct exec_engine_state *es = &v->exec.eng[e];

	es->elsp[es->elsp_n++] = val;
	if (es->elsp_n < 4)
		return;
	es->elsp_n = 0;
	el_submit(v, e);
}

/* ---- completion ---- */

/* Ring head and context timestamp back into the guest's image, as hardware saves them. */
static void
el_writeback(struct vgpu *v, const struct workload *w)
{
	uint64_t page1 = w->guest_lrca + EXEC_PAGE;
	uint32_t ts;
	int rc;

	rc = exec_gma_write(v, page1 + 4 * CTX_REG_RING_HEAD, &w->head_out, 4);
	if (!rc && w->shadow_ctx.va && w->shadow_ctx.npages > 1) {
		memcpy(&ts, (const uint8_t *)w->shadow_ctx.va + EXEC_PAGE + 4 * CTX_REG_TIMESTAMP,
		       sizeof(ts));
		rc = exec_gma_write(v, page1 + 4 * CTX_REG_TIMESTAMP, &ts, 4);
	}
	if (rc < 0) {
		v->stats.bad_access++;
		vgpu_warn_once(v, WARN_HWSP, "%s context %#" PRIx64 " unmapped before it completed",
			       exec_engines[w->engine].name, w->guest_lrca);
	}
	vreg_set(v, reg(w->engine, ENG_RING_HEAD), w->head_out);
	vreg_set(v, reg(w->engine, ENG_RING_TAIL), w->ring_tail);
}

/* cur is done with: the pending list runs now (after an entry for the old one). */
static void
el_promote(struct vgpu *v, enum pgpu_engine e, uint32_t status)
{
	struct exec_engine_state *es = &v->exec.eng[e];

	el_make_current(es, &es->pend);
	es->has_pend = false;
	csb_push(v, e, status, 0);
}

/* The CSB entries for the completion of w, a workload of the current epoch. */
static void
el_done(struct vgpu *v, struct workload *w)
{
	enum pgpu_engine e = w->engine;
	struct exec_engine_state *es = &v->exec.eng[e];
	uint32_t id = CTX_DESC_ID(w->guest_desc);

	es->completed++;
	el_writeback(v, w);
	if (w->user_irq)
		irq_raise(v, el_irq[e].user);
	if (es->has_pend && es->active && w->list_seq == es->pend.seq) {
		/* The new list ran before the old element came back: it preempted it. */
		uint32_t old = CTX_DESC_ID(es->cur.desc[es->cur_elem]);

		el_make_current(es, &es->pend);
		es->has_pend = false;
		csb_push(v, e, CSB_PREEMPTED, old);
	}
	if (!es->active || w->list_seq != es->cur.seq) {
		/* Of a list a later ELSP replaced: the guest already saw it go. */
		el_status(v, e);
		return;
	}
	if (es->has_pend) {
		csb_push(v, e, CSB_COMPLETE | CSB_ACTIVE_IDLE, id);
		el_promote(v, e, CSB_IDLE_ACTIVE);
	} else if (!w->elsp_second && es->cur.desc[1]) {
		csb_push(v, e, CSB_COMPLETE | CSB_ELEMENT_SWITCH, id);
		es->cur_elem = 1;
	} else {
		csb_push(v, e, CSB_COMPLETE | CSB_ACTIVE_IDLE, id);
		es->active = false;
	}
	csb_irq(v, e);
}

void
execlist_complete(struct vgpu *v, struct workload *w)
{
	struct exec_engine_state *es;

	if (!w)
		return;
	if ((unsigned int)w->engine >= EXEC_NR_ENGINES || w->v != v) {
		workload_free(v->gpu, w);
		return;
	}
	es = &v->exec.eng[w->engine];
	w->end_ns = w->end_ns ? w->end_ns : now_ns();
	if (w->epoch != es->epoch) {
		/* Its engine was reset since: the guest forgot it, so do we. */
		if (es->stale)
			es->stale--;
	} else if (v->stats.failsafe) {
		/* No longer emulated: nothing reaches the guest any more. */
		if (es->outstanding)
			es->outstanding--;
	} else {
		if (es->outstanding)
			es->outstanding--;
		if (w->state == WL_DONE) {
			el_done(v, w);
		} else {
			/*
			 * Failed or faulted: on hardware a hang. No CSB, no
			 * interrupt; the guest's hang check resets the engine
			 * (GDRST), until then nothing more runs on it.
			 */
			es->failed++;
			es->hung = true;
			queue_drop(v, w->engine);
			vgpu_warn_once(v, WARN_EXEC_FAULT, "%s workload failed (%s): engine hung "
				       "until the guest resets it", exec_engines[w->engine].name,
				       w->why[0] ? w->why : "fault");
		}
	}
	workload_free(v->gpu, w);
}

/* ---- reset ---- */

/*
 * Reset one engine's execution (v->lock held): queued workloads dropped,
 * those the scheduler holds made stale (a new epoch) and flagged for it,
 * the guest's view back to idle with both CSB pointers at 5 (the first
 * entry after a reset goes to slot 0). Registers: execlist_regs.c.
 */
static void
el_reset_engine(struct vgpu *v, enum pgpu_engine e)
{
	struct exec_engine_state *es = &v->exec.eng[e];

	queue_drop(v, e);
	es->stale += es->outstanding;
	es->outstanding = 0;
	if (es->stale) {
		v->exec.reset_pending = true;
		v->exec.reset_engines |= 1u << e;
	}
	es->epoch++;
	es->resets++;
	es->elsp_n = 0;
	memset(es->elsp, 0, sizeof(es->elsp));
	memset(&es->cur, 0, sizeof(es->cur));
	memset(&es->pend, 0, sizeof(es->pend));
	es->cur_elem = 0;
	es->has_pend = false;
	es->active = false;
	es->hung = false;
	es->slot = 1;		/* the first list after a reset goes to slot 0 */
	es->csb_write = CSB_ENTRIES - 1;
	es->last_status = 0;
	execlist_regs_reset(v, e);
	el_status(v, e);
}

/* GDRST domain bits -> engines (GEN6_GRDOM_FULL: all of them). */
#define GDRST_FULL (1u << 0)

void
execlist_reset(struct vgpu *v, uint32_t domains)
{
	bool any = false;

	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		if (!(domains & GDRST_FULL) && !(domains & exec_engines[e].gdrst_bit))
			continue;
		el_reset_engine(v, (enum pgpu_engine)e);
		any = true;
	}
	if (any && v->exec.reset_pending)
		sched_kick(v);
}

/* ---- module hooks ---- */

int
execlist_init(struct vgpu *v)
{
	memset(&v->exec, 0, sizeof(v->exec));
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		v->exec.eng[e].csb_write = CSB_ENTRIES - 1;
		v->exec.eng[e].slot = 1;
	}
	return 0;
}

void
execlist_fini(struct vgpu *v)
{
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++)
		queue_drop(v, (enum pgpu_engine)e);
}

void
execlist_stats(struct vgpu *v, struct vgpu_stats *out)
{
	for (unsigned int i = 0; i < EXEC_NR_ENGINES; i++) {
		const struct exec_engine_state *es = &v->exec.eng[i];

		out->exec_submitted += es->submitted;
		out->exec_completed += es->completed;
		out->exec_failed += es->failed;
		out->exec_preempted += es->preempted;
		out->exec_dropped += es->dropped;
		out->exec_resets += es->resets;
	}
	out->busy_ns = v->exec.busy_ns;
}
