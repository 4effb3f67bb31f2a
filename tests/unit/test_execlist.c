/* SPDX-License-Identifier: MIT */
/*
 * test_execlist.c — execlists as a guest sees them (mediator/exec/
 * execlist.c, workload.c): a context built in the fake guest's RAM and
 * submitted through ELSP, the workload that gets queued, its shadow, and
 * the CSB entries, status page words, registers and interrupts of one and
 * two elements, of a preemption and of a lite restore, on every engine.
 * Resets: test_execlist_reset.c; hostile submissions: test_execlist_hostile.c.
 */
#include <string.h>

#include "tests/test_util.h"
#include "tests/unit/el_rig.h"

#define RCS PGPU_RCS
#define RCS_BASE 0x2000u
#define GT0_IIR 0x44308u
#define IDLE_ACTIVE 0x01ull
#define PREEMPTED 0x02ull
#define COMPLETE_SWITCH 0x14ull	 /* COMPLETE | ELEMENT_SWITCH */
#define COMPLETE_IDLE 0x18ull	 /* COMPLETE | ACTIVE_IDLE */
#define LITE 0x8000ull
#define ID(x) ((uint64_t)(x) << 32)

static struct fake_setup s;
static struct el_vm g;

static void
up(void)
{
	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	el_vm_init(&g, s.v, s.hv);
	el_kicks_reset(s.gpu);
}

static void
down(void)
{
	/* Every shadow object (workloads, PPGTT shadows) went back to the GPU's memory. */
	vgpu_destroy(s.v);
	s.v = NULL;
	CU_ASSERT_EQUAL(fake_pgpu(&s.dev)->mem_pages, 0);
	fake_teardown(&s);
}

/* Entries 0..n-1 of the CSB are exp[], in the registers and in the status page alike. */
static void
assert_csb(enum pgpu_engine e, const uint64_t *exp, unsigned int n, unsigned int wp)
{
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(el_csb_reg(s.v, e, i), exp[i]);
		CU_ASSERT_EQUAL(el_csb_hwsp(&g, e, i), exp[i]);
	}
	CU_ASSERT_EQUAL(el_reg(s.v, exec_engines[e].mmio_base + ENG_CSB_PTR) & 0x7, wp);
	CU_ASSERT_EQUAL(el_hwsp_wp(&g, e), wp);
}

/* ELSP: one workload queued with the guest's fields, IDLE_ACTIVE, a kick, an MSI. */
static void
test_elsp_queues(void)
{
	const uint64_t exp[] = { IDLE_ACTIVE };
	struct workload *w;
	uint64_t d;

	up();
	d = el_desc(&g, EL_CTX_A, 0x11);
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x40, 0x80);
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_CSB_PTR), 0x0505);
	el_elsp(s.v, RCS, d, 0);
	CU_ASSERT_FALSE(s.v->stats.failsafe);
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	CU_ASSERT(el_kicks() >= 1);
	w = s.v->exec.eng[RCS].queue;
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL(w->state, WL_QUEUED);
	CU_ASSERT_EQUAL(w->engine, RCS);
	CU_ASSERT_EQUAL(w->guest_desc, d);
	CU_ASSERT_EQUAL(w->guest_lrca, g.gm + EL_CTX_A);
	CU_ASSERT_EQUAL(w->ring_start, g.gm + EL_RING_A);
	CU_ASSERT_EQUAL(w->ring_head, 0x40);	/* wrap count dropped */
	CU_ASSERT_EQUAL(w->ring_tail, 0x80);
	CU_ASSERT_EQUAL(w->ring_ctl, RING_CTL_ENABLE);
	CU_ASSERT_EQUAL(w->addr_mode, CTX_ADDR_LEGACY_64B);
	CU_ASSERT_EQUAL(w->pdp[0], EL_PML4);
	CU_ASSERT_FALSE(w->elsp_second);
	CU_ASSERT_EQUAL(w->list_seq, 1);
	CU_ASSERT_PTR_NULL(w->shadow_ctx.va);	/* nothing shadowed before dispatch */
	/* HWSP emulation is promised in the PV info caps (bit 3), and done: */
	CU_ASSERT(el_reg(s.v, 0x78010) & (1u << 3));
	/* the engine went busy: IDLE_ACTIVE in slot 0 (after reset both pointers are 5). */
	assert_csb(RCS, exp, 1, 0);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 1);
	CU_ASSERT_EQUAL(s.hv->nr_msi, 1);
	CU_ASSERT_EQUAL(s.hv->msi_addr[0], EL_MSI_ADDR);
	/* EXECLIST_STATUS: execlist 0 valid and active, the context id above. */
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_EXECLIST_STATUS_LO) & 0x6001f, 0x40012);
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_EXECLIST_STATUS_HI), 0x11);
	/* ELSP is write-only. */
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_ELSP), 0);
	/* Three dwords are not a submission. */
	el_wreg(s.v, RCS_BASE + ENG_ELSP, 0);
	el_wreg(s.v, RCS_BASE + ENG_ELSP, 0);
	el_wreg(s.v, RCS_BASE + ENG_ELSP, (uint32_t)(d >> 32));
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	el_wreg(s.v, RCS_BASE + ENG_ELSP, (uint32_t)d);
	/* The same context again before it ran: a lite restore, one workload still. */
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].dropped, 1);
	CU_ASSERT_EQUAL(el_csb_reg(s.v, RCS, 1), PREEMPTED | LITE | ID(0x11));
	down();
}

/* The shadow the GPU gets: our register page, the guest's values, the audited ring. */
static void
test_prepare_shadow(void)
{
	struct workload *w, *w2;
	const uint32_t *sp1;
	uint64_t root;
	uint32_t id0;

	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x40, 0x80);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	w = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	CU_ASSERT_EQUAL(w->shadow_ctx.npages, 22);
	/* In the host's window of hidden GM, never in a vGPU's share. */
	CU_ASSERT(w->shadow_ctx.gma >= s.gpu->hostgm.base);
	CU_ASSERT(w->shadow_ctx.gma + 22 * 4096 <= s.gpu->gm.high_base);
	CU_ASSERT_FALSE(gm_owns(&s.v->part, w->shadow_ctx.gma, 4096));
	/* Pages 0 and 2.. are the guest's. */
	CU_ASSERT_EQUAL(memcmp(w->shadow_ctx.va, el_mem(&g, EL_CTX_A), 4096), 0);
	CU_ASSERT_EQUAL(memcmp((uint8_t *)w->shadow_ctx.va + 2 * 4096, el_mem(&g, EL_CTX_A + 2 * 4096),
			       20 * 4096), 0);
	/* Page 1: our LRI headers and offsets; the guest's documented values. */
	sp1 = (const uint32_t *)((const uint8_t *)w->shadow_ctx.va + 4096);
	CU_ASSERT_EQUAL(sp1[0x01], (0x22u << 23) | 27 | (1u << 12));
	CU_ASSERT_EQUAL(sp1[0x02], RCS_BASE + 0x244);
	CU_ASSERT_EQUAL(sp1[0x03], 0x00090009);
	CU_ASSERT_EQUAL(sp1[0x05], 0x40 | (3u << 21));
	CU_ASSERT_EQUAL(sp1[0x07], 0x80);
	CU_ASSERT_EQUAL(sp1[0x08], RCS_BASE + 0x38);
	CU_ASSERT_EQUAL(sp1[0x09], (uint32_t)w->shadow_ring.gma);
	CU_ASSERT_EQUAL(sp1[0x0b], RING_CTL_ENABLE);
	CU_ASSERT_EQUAL(sp1[0x0c], RCS_BASE + 0x168);	/* not the guest's 0x12345 */
	CU_ASSERT_EQUAL(sp1[0x0d], 0);
	CU_ASSERT_EQUAL(sp1[0x11], 1u << 5);		/* BB_STATE: PPGTT */
	CU_ASSERT_EQUAL(sp1[0x23], 0x1000);
	CU_ASSERT_EQUAL(sp1[0x32], RCS_BASE + 0x270);
	/* PDP0: the shadow of the guest's PML4, as the PPGTT shadow answers for it. */
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_shadow_for_submit(s.v, EL_PML4, 4, &root), 0);
	pthread_mutex_unlock(&s.v->lock);
	CU_ASSERT_EQUAL((uint64_t)sp1[CTX_REG_PDP_UDW(0)] << 32 | sp1[CTX_REG_PDP_LDW(0)], root);
	CU_ASSERT_EQUAL(sp1[CTX_REG_PDP_LDW(1)] | sp1[CTX_REG_PDP_UDW(1)], 0);
	/* The ring the GPU reads is a copy: same offsets, same commands. */
	CU_ASSERT(w->shadow_ring.gma != 0 && !gm_owns(&s.v->part, w->shadow_ring.gma, 4096));
	CU_ASSERT_EQUAL(memcmp((uint8_t *)w->shadow_ring.va + 0x40, (uint8_t *)el_mem(&g, EL_RING_A) + 0x40,
			       0x40), 0);
	/* The descriptor: the guest's flags, our LRCA, a GPU-wide id naming the vGPU. */
	CU_ASSERT_EQUAL(w->shadow_desc & 0xfff, w->guest_desc & 0xfff);
	CU_ASSERT_EQUAL(w->shadow_desc & CTX_DESC_LRCA_MASK, w->shadow_ctx.gma);
	CU_ASSERT_EQUAL(CTX_DESC_ID(w->shadow_desc), w->shadow_ctx_id);
	CU_ASSERT_EQUAL(w->shadow_ctx_id >> 20, s.v->id);
	id0 = w->shadow_ctx_id;
	el_finish(s.v, w, WL_DONE, 0x80, false);
	/* The guest moves its head after the ELSP: the shadow, built at dispatch, follows. */
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_HEAD] = 0x48;
	w2 = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w2 != NULL);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w2), 0);
	CU_ASSERT_EQUAL(w2->ring_head, 0x48);
	CU_ASSERT_EQUAL(((uint32_t *)((uint8_t *)w2->shadow_ctx.va + 4096))[CTX_REG_RING_HEAD], 0x48);
	/* Ids differ between workloads. */
	CU_ASSERT(w2->shadow_ctx_id != id0);
	CU_ASSERT_EQUAL(w2->shadow_ctx_id >> 20, s.v->id);
	el_finish(s.v, w2, WL_DONE, 0x80, false);
	down();
}

/* A legacy 32-bit context: four page-directory roots, each shadowed (levels 3). */
static void
test_prepare_legacy32(void)
{
	static const uint64_t pd[4] = { 0x3001000, 0x3002000, 0x3003000, 0x3004000 };
	uint32_t *p1;
	const uint32_t *sp1;
	struct workload *w;
	uint64_t d;

	up();
	el_ctx_build(&g, PGPU_BCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	p1 = el_mem(&g, EL_CTX_A + 4096);
	for (unsigned int i = 0; i < 4; i++) {
		p1[CTX_REG_PDP_LDW(i)] = (uint32_t)pd[i];
		p1[CTX_REG_PDP_UDW(i)] = 0;
	}
	d = (el_desc(&g, EL_CTX_A, 5) & ~CTX_DESC_ADDR_MODE_MASK) |
	    (uint64_t)CTX_ADDR_LEGACY_32B << CTX_DESC_ADDR_MODE_SHIFT;
	el_elsp(s.v, PGPU_BCS, d, 0);
	w = el_take(s.v, PGPU_BCS);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL(w->addr_mode, CTX_ADDR_LEGACY_32B);
	CU_ASSERT_EQUAL(w->pdp[3], pd[3]);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	sp1 = (const uint32_t *)((const uint8_t *)w->shadow_ctx.va + 4096);
	CU_ASSERT_EQUAL(sp1[0x01], (0x22u << 23) | 21 | (1u << 12));	/* 11 registers */
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t root = 0;

		pthread_mutex_lock(&s.v->lock);
		CU_ASSERT_EQUAL(ppgtt_shadow_for_submit(s.v, pd[i], 3, &root), 0);
		pthread_mutex_unlock(&s.v->lock);
		CU_ASSERT_EQUAL((uint64_t)sp1[CTX_REG_PDP_UDW(i)] << 32 | sp1[CTX_REG_PDP_LDW(i)], root);
		CU_ASSERT(root != pd[i]);	/* never the guest's address */
	}
	CU_ASSERT_EQUAL(w->shadow_desc & 0x18, 0x08);	/* mode 1 kept */
	el_finish(s.v, w, WL_DONE, 0x40, false);
	down();
}

/* One element: IDLE_ACTIVE, then COMPLETE|ACTIVE_IDLE; head and timestamp written back. */
static void
test_complete_one(void)
{
	const uint64_t exp[] = { IDLE_ACTIVE, COMPLETE_IDLE | ID(0x11) };
	struct workload *w;

	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x40, 0x80);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	CU_ASSERT_EQUAL(s.hv->nr_msi, 1);
	el_wreg(s.v, GT0_IIR, ~0u);		/* the guest handles the first interrupt */
	w = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	/* The GPU ran it: it saved its timestamp into the shadow image. */
	((uint32_t *)((uint8_t *)w->shadow_ctx.va + 4096))[CTX_REG_TIMESTAMP] = 0x5555;
	el_finish(s.v, w, WL_DONE, 0x80, true);
	assert_csb(RCS, exp, 2, 1);
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_CSB_PTR), 0x0501);
	CU_ASSERT_EQUAL(el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_HEAD], 0x80);
	CU_ASSERT_EQUAL(el_mem(&g, EL_CTX_A + 4096)[CTX_REG_TIMESTAMP], 0x5555);
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_RING_HEAD), 0x80);
	/* User interrupt and context switch, latched together, one more MSI. */
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_USER], 1);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 2);
	CU_ASSERT_EQUAL(el_reg(s.v, GT0_IIR), 0x101);
	CU_ASSERT_EQUAL(s.hv->nr_msi, 2);
	/* Idle again; the last switch's reason in EXECLIST_STATUS. */
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_EXECLIST_STATUS_LO) & 0x6001d, 0);
	CU_ASSERT_EQUAL((el_reg(s.v, RCS_BASE + ENG_EXECLIST_STATUS_LO) >> 5) & 0x1ff, COMPLETE_IDLE);
	CU_ASSERT_FALSE(s.v->exec.eng[RCS].active);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].completed, 1);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].outstanding, 0);
	down();
}

/* Two elements: IDLE_ACTIVE, COMPLETE|ELEMENT_SWITCH (0), COMPLETE|ACTIVE_IDLE (1). */
static void
test_complete_two(void)
{
	const uint64_t exp[] = { IDLE_ACTIVE, COMPLETE_SWITCH | ID(0x11), COMPLETE_IDLE | ID(0x22) };
	struct workload *w;

	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x40, 0x80);
	el_ctx_build(&g, RCS, EL_CTX_B, EL_RING_B, 1, 0x0, 0x20);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), el_desc(&g, EL_CTX_B, 0x22));
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 2);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].queue->next->elsp_second, true);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].queue->next->ring_tail, 0x20);
	w = el_take(s.v, RCS);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_finish(s.v, w, WL_DONE, 0x80, false);
	/* Element 1 runs now: EXECLIST_STATUS names it. */
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_EXECLIST_STATUS_HI), 0x22);
	CU_ASSERT(s.v->exec.eng[RCS].active);
	w = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w != NULL && w->elsp_second);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_finish(s.v, w, WL_DONE, 0x20, true);
	assert_csb(RCS, exp, 3, 2);
	CU_ASSERT_EQUAL(el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_HEAD], 0x80);
	CU_ASSERT_EQUAL(el_mem(&g, EL_CTX_B + 4096)[CTX_REG_RING_HEAD], 0x20);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 3);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_USER], 1);
	CU_ASSERT_FALSE(s.v->exec.eng[RCS].active);
	down();
}

/* Six slots: the seventh entry lands in slot 0 again, the pointers follow. */
static void
test_csb_wraps(void)
{
	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	for (uint32_t i = 0; i < 4; i++) {
		struct workload *w;

		el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x100 + i), 0);
		w = el_take(s.v, RCS);
		CU_ASSERT_FATAL(w != NULL);
		CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
		el_finish(s.v, w, WL_DONE, 0x40, false);
	}
	/* 8 entries: slots 0..5, then 0 and 1 again. */
	CU_ASSERT_EQUAL(el_csb_reg(s.v, RCS, 0), IDLE_ACTIVE);
	CU_ASSERT_EQUAL(el_csb_hwsp(&g, RCS, 0), IDLE_ACTIVE);
	CU_ASSERT_EQUAL(el_csb_reg(s.v, RCS, 1), COMPLETE_IDLE | ID(0x103));
	CU_ASSERT_EQUAL(el_csb_hwsp(&g, RCS, 1), COMPLETE_IDLE | ID(0x103));
	CU_ASSERT_EQUAL(el_csb_reg(s.v, RCS, 5), COMPLETE_IDLE | ID(0x102));
	CU_ASSERT_EQUAL(el_hwsp_wp(&g, RCS), 1);
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_CSB_PTR) & 7, 1);
	/* The guest's read pointer is its own (masked), the write pointer is not. */
	el_wreg(s.v, RCS_BASE + ENG_CSB_PTR, 0x07000100);
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_CSB_PTR), 0x0101);
	down();
}

/*
 * A new ELSP while the old list has not started: the old element is
 * preempted at once (LITE_RESTORE for the same context with a new tail),
 * its workload dropped; the new one reads the image again at dispatch.
 */
static void
test_preempt_queued(void)
{
	const uint64_t exp[] = { IDLE_ACTIVE, PREEMPTED | LITE | ID(0x11), PREEMPTED | ID(0x11),
				 COMPLETE_IDLE | ID(0x22) };
	struct exec_engine_state *es;
	struct workload *w;

	up();
	es = &s.v->exec.eng[RCS];
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	el_ctx_build(&g, RCS, EL_CTX_B, EL_RING_B, 1, 0x0, 0x20);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_TAIL] = 0x80;	/* i915 adds a request */
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	CU_ASSERT_EQUAL(es->queue->ring_tail, 0x80);
	CU_ASSERT_EQUAL(es->dropped, 1);
	/* Another context replaces it before it ran. */
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_B, 0x22), 0);
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	CU_ASSERT_EQUAL(es->queue->guest_lrca, g.gm + EL_CTX_B);
	CU_ASSERT_EQUAL(es->preempted, 2);
	w = el_take(s.v, RCS);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_finish(s.v, w, WL_DONE, 0x20, false);
	assert_csb(RCS, exp, 4, 3);
	/* A's image was never run: its head is untouched. */
	CU_ASSERT_EQUAL(el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_HEAD], 3u << 21);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 4);
	down();
}

/*
 * A lite restore while the element runs on the GPU: it cannot be stopped,
 * so it completes (COMPLETE|ACTIVE_IDLE) and the new list starts
 * (IDLE_ACTIVE), one interrupt; the new workload starts at the head the
 * first one reached.
 */
static void
test_preempt_inflight(void)
{
	const uint64_t exp[] = { IDLE_ACTIVE, COMPLETE_IDLE | ID(0x11), IDLE_ACTIVE,
				 COMPLETE_IDLE | ID(0x11) };
	struct workload *w, *w2;

	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	w = el_take(s.v, RCS);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_TAIL] = 0x80;
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	/* Nothing for the guest yet: the running element has not switched out. */
	CU_ASSERT_EQUAL(el_hwsp_wp(&g, RCS), 0);
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	CU_ASSERT(el_reg(s.v, RCS_BASE + ENG_EXECLIST_STATUS_LO) & (1u << 2)); /* queue full */
	el_finish(s.v, w, WL_DONE, 0x40, false);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 2);
	w2 = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w2 != NULL);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w2), 0);
	CU_ASSERT_EQUAL(w2->ring_head, 0x40);	/* where the first one stopped */
	CU_ASSERT_EQUAL(w2->ring_tail, 0x80);
	el_finish(s.v, w2, WL_DONE, 0x80, false);
	assert_csb(RCS, exp, 4, 3);
	down();
}

/*
 * Behind a workload still on the GPU (the scheduler's lite restore): the
 * next one of the same context starts at the running one's tail, not at
 * the image's head (written back only when the running one completes),
 * so nothing runs twice; one of another context starts at its own head.
 */
static void
test_prepare_behind_running(void)
{
	struct workload *w, *w2, *wb;

	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	el_ctx_build(&g, RCS, EL_CTX_B, EL_RING_B, 1, 0x10, 0x20);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	w = el_take(s.v, RCS);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_TAIL] = 0x80;
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	w2 = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w2 != NULL);
	w2->behind = true;
	w2->behind_desc = w->guest_desc;
	w2->behind_tail = w->ring_tail;
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w2), 0);
	CU_ASSERT_EQUAL(w2->ring_head, 0x40);	/* not the image's 0: w's commands are not run again */
	CU_ASSERT_EQUAL(w2->ring_tail, 0x80);
	/* Another context behind w: its own head. */
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_B, 0x22), 0);
	wb = el_take(s.v, RCS);
	CU_ASSERT_FATAL(wb != NULL);
	wb->behind = true;
	wb->behind_desc = w->guest_desc;
	wb->behind_tail = w->ring_tail;
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, wb), 0);
	CU_ASSERT_EQUAL(wb->ring_head, 0x10);
	/* A tail past the ring is refused, not followed. */
	w2->behind_tail = 0x2000;
	CU_ASSERT(workload_take_image(s.v, w2, (const uint32_t *)el_mem(&g, EL_CTX_A + 4096)) < 0);
	el_finish(s.v, w, WL_DONE, 0x40, false);
	el_finish(s.v, w2, WL_DONE, 0x80, false);
	el_finish(s.v, wb, WL_DONE, 0x20, false);
	down();
}

/* Every engine: its own CSB, status page and interrupt bits (VCS0 in GT1, VECS in GT3). */
static void
test_engines(void)
{
	static const struct {
		enum pgpu_engine e;
		enum irq_event ev;
		uint32_t iir, bit;
	} eng[] = {
		{ PGPU_BCS, EV_BCS_CTX_SWITCH, 0x44308, 1u << 24 },
		{ PGPU_VCS, EV_VCS_CTX_SWITCH, 0x44318, 1u << 8 },
		{ PGPU_VECS, EV_VECS_CTX_SWITCH, 0x44338, 1u << 8 },
	};

	up();
	for (size_t i = 0; i < sizeof(eng) / sizeof(eng[0]); i++) {
		enum pgpu_engine e = eng[i].e;
		uint64_t ctx = EL_CTX_A + 0x4000 * i, ring = EL_RING_A + 0x1000 * i;
		const uint64_t exp[] = { IDLE_ACTIVE, COMPLETE_IDLE | ID(0x30 + i) };
		struct workload *w;

		el_ctx_build(&g, e, ctx, ring, 1, 0x0, 0x10);
		el_elsp(s.v, e, el_desc(&g, ctx, 0x30 + (uint32_t)i), 0);
		CU_ASSERT_EQUAL(s.v->irq.raised[eng[i].ev], 1);
		CU_ASSERT_EQUAL(el_reg(s.v, eng[i].iir) & eng[i].bit, eng[i].bit);
		w = el_take(s.v, e);
		CU_ASSERT_FATAL(w != NULL);
		CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
		CU_ASSERT_EQUAL(w->shadow_ctx.npages, 2);
		/* Its register page names its own engine's registers. */
		CU_ASSERT_EQUAL(((uint32_t *)((uint8_t *)w->shadow_ctx.va + 4096))[0x08],
				exec_engines[e].mmio_base + 0x38);
		el_finish(s.v, w, WL_DONE, 0x10, true);
		assert_csb(e, exp, 2, 1);
		CU_ASSERT_EQUAL(s.v->irq.raised[eng[i].ev], 2);
		CU_ASSERT_EQUAL(s.v->irq.raised[eng[i].ev - 1], 1);	/* its user interrupt */
	}
	/* The render engine saw none of it. */
	CU_ASSERT_EQUAL(el_hwsp_wp(&g, RCS), 0);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 0);
	down();
}

/* A workload that faulted: no CSB, no interrupt; the engine hangs until a reset. */
static void
test_fault_hangs(void)
{
	const uint64_t exp[] = { IDLE_ACTIVE };
	struct workload *w;

	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	el_ctx_build(&g, RCS, EL_CTX_B, EL_RING_B, 1, 0x0, 0x40);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), el_desc(&g, EL_CTX_B, 0x22));
	w = el_take(s.v, RCS);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_finish(s.v, w, WL_FAILED, 0x8, false);
	assert_csb(RCS, exp, 1, 0);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 1);
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 0);	/* element 1 never runs */
	CU_ASSERT(s.v->exec.eng[RCS].hung);
	CU_ASSERT_EQUAL(el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_HEAD], 3u << 21);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 0);
	CU_ASSERT_FALSE(s.v->stats.failsafe);
	/* The guest's hang recovery: GDRST of the render engine, then it runs again. */
	el_wreg(s.v, 0x941c, 1u << 1);
	CU_ASSERT_FALSE(s.v->exec.eng[RCS].hung);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	CU_ASSERT_EQUAL(el_csb_reg(s.v, RCS, 0), IDLE_ACTIVE);
	down();
}

/* exec_gma_read/write: through the guest's GGTT entries, page by page, all or nothing. */
static void
test_gma_access(void)
{
	uint8_t buf[8192], back[8192];
	uint64_t pte = 0;

	up();
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	pthread_mutex_lock(&s.v->lock);
	/* Across a page boundary: two GGTT entries, two guest frames. */
	CU_ASSERT_EQUAL(exec_gma_write(s.v, g.gm + 0x2800, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(memcmp(s.hv->ram + EL_GPA_BASE + 0x2800, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(exec_gma_read(s.v, g.gm + 0x2800, back, sizeof(back)), 0);
	CU_ASSERT_EQUAL(memcmp(back, buf, sizeof(buf)), 0);
	/* Outside its GM, or wrapping: refused. */
	CU_ASSERT_EQUAL(exec_gma_read(s.v, g.gm - 4096, back, 16), -EFAULT);
	CU_ASSERT_EQUAL(exec_gma_read(s.v, UINT64_MAX - 8, back, 16), -EFAULT);
	pthread_mutex_unlock(&s.v->lock);
	/* The guest unmaps the last page: a write reaching it writes nothing at all. */
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, FAKE_BAR0 + 0x800000 +
					((g.gm >> 12) + EL_MAPPED_PAGES - 1) * 8, 8, &pte), 0);
	memset(s.hv->ram + EL_GPA_BASE + (EL_MAPPED_PAGES - 2) * 4096ull, 0xee, 4096);
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(exec_gma_write(s.v, g.gm + (EL_MAPPED_PAGES - 1) * 4096ull - 16, buf, 32),
			-EFAULT);
	CU_ASSERT_EQUAL(exec_gma_read(s.v, g.gm + (EL_MAPPED_PAGES - 1) * 4096ull, back, 4),
			-EFAULT);
	pthread_mutex_unlock(&s.v->lock);
	CU_ASSERT_EQUAL(s.hv->ram[EL_GPA_BASE + (EL_MAPPED_PAGES - 1) * 4096ull - 16], 0xee);
	down();
}

void suite_execlist(void);
void
suite_execlist(void)
{
	static const struct test_case cases[] = {
		{ "ELSP queues a checked workload, IDLE_ACTIVE", test_elsp_queues },
		{ "prepare: our register page, guest values, shadow ring", test_prepare_shadow },
		{ "prepare: legacy 32-bit context, four roots", test_prepare_legacy32 },
		{ "one element: CSB, HWSP, head, interrupts", test_complete_one },
		{ "two elements: element switch then idle", test_complete_two },
		{ "CSB wraps after six entries", test_csb_wraps },
		{ "preemption of work not started; lite restore", test_preempt_queued },
		{ "lite restore of a running element", test_preempt_inflight },
		{ "a workload behind a running one of its context starts at its tail", test_prepare_behind_running },
		{ "bcs0, vcs0, vecs0: own CSB, HWSP, GT banks", test_engines },
		{ "a faulted workload hangs the engine until GDRST", test_fault_hangs },
		{ "exec_gma_read/write through the guest GGTT", test_gma_access },
		{ NULL, NULL },
	};

	test_add_suite("execlist", cases);
}
