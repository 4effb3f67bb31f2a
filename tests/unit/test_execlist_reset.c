/* SPDX-License-Identifier: MIT */
/*
 * test_execlist_reset.c — GDRST and the RESET_CTL handshake
 * (mediator/exec/execlist.c, execlist_regs.c): a reset in the middle of
 * work drops what is queued, makes what runs stale (its completion
 * reaches nothing of the guest), puts the engine's registers and CSB
 * pointers back to their reset values, and leaves other engines alone.
 */
#include <string.h>

#include "tests/test_util.h"
#include "tests/unit/el_rig.h"

#define RCS PGPU_RCS
#define BCS PGPU_BCS
#define RCS_BASE 0x2000u
#define BCS_BASE 0x22000u
#define GDRST 0x941cu
#define GRDOM_FULL (1u << 0)
#define GRDOM_RENDER (1u << 1)
#define GRDOM_BLT (1u << 3)

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

/* Engine e as after a reset: idle, CSB pointers 5/5, ring and execlist registers cleared. */
static void
assert_reset(enum pgpu_engine e)
{
	uint32_t base = exec_engines[e].mmio_base;
	const struct exec_engine_state *es = &s.v->exec.eng[e];

	CU_ASSERT_EQUAL(el_reg(s.v, base + ENG_CSB_PTR), 0x0505);
	CU_ASSERT_EQUAL(el_reg(s.v, base + ENG_EXECLIST_STATUS_LO), 0);
	CU_ASSERT_EQUAL(el_reg(s.v, base + ENG_EXECLIST_STATUS_HI), 0);
	CU_ASSERT_EQUAL(el_reg(s.v, base + ENG_HWS_PGA), 0);
	CU_ASSERT_EQUAL(el_reg(s.v, base + ENG_RING_HEAD), 0);
	CU_ASSERT_EQUAL(el_reg(s.v, base + ENG_RING_TAIL), 0);
	CU_ASSERT_EQUAL(el_reg(s.v, base + ENG_RESET_CTL), 0);
	for (unsigned int i = 0; i < CSB_ENTRIES; i++)
		CU_ASSERT_EQUAL(el_csb_reg(s.v, e, i), 0);
	CU_ASSERT_FALSE(es->active);
	CU_ASSERT_FALSE(es->has_pend);
	CU_ASSERT_EQUAL(es->csb_write, 5);
	CU_ASSERT_EQUAL(el_queued(s.v, e), 0);
}

/* GDRST of the render engine while one element runs and one waits. */
static void
test_gdrst_mid_work(void)
{
	static uint8_t hwsp_before[4096];
	struct workload *w;
	unsigned int kicks;

	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	el_ctx_build(&g, RCS, EL_CTX_B, EL_RING_B, 1, 0x0, 0x40);
	el_ctx_build(&g, BCS, 0x60000, 0x52000, 1, 0x0, 0x40);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), el_desc(&g, EL_CTX_B, 0x22));
	el_elsp(s.v, BCS, el_desc(&g, 0x60000, 0x33), 0);
	w = el_take(s.v, RCS);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	/* The guest's reset sequence (i915 intel_reset.c): RESET_CTL handshake, then GDRST. */
	el_wreg(s.v, RCS_BASE + ENG_RESET_CTL, 0x00010001);
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_RESET_CTL) & 3, 3);
	kicks = el_kicks();
	el_wreg(s.v, GDRST, GRDOM_RENDER);
	CU_ASSERT_EQUAL(el_reg(s.v, GDRST), 0);		/* done at once */
	assert_reset(RCS);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].dropped, 1);	/* element 1 never ran */
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].stale, 1);	/* element 0 is on the GPU */
	CU_ASSERT(s.v->exec.reset_pending);
	CU_ASSERT_EQUAL(s.v->exec.reset_engines, 1u << RCS);
	/*
	 * The scheduler is told: kicks coalesce until its next round (the
	 * ELSP's kick is still pending here, nobody ran a round), so the
	 * GDRST's may not call back again; one did.
	 */
	CU_ASSERT(el_kicks() >= 1 && el_kicks() >= kicks);
	CU_ASSERT_FALSE(s.v->stats.failsafe);
	/* The blitter's work is untouched. */
	CU_ASSERT_EQUAL(el_queued(s.v, BCS), 1);
	CU_ASSERT_EQUAL(el_csb_reg(s.v, BCS, 0), 0x01);
	CU_ASSERT_EQUAL(el_reg(s.v, BCS_BASE + ENG_HWS_PGA), (uint32_t)(g.gm + EL_HWSP(BCS)));
	/* The stale element ends: nothing of it reaches the guest. */
	memcpy(hwsp_before, el_mem(&g, EL_HWSP(RCS)), sizeof(hwsp_before));
	el_finish(s.v, w, WL_DONE, 0x40, true);
	CU_ASSERT_EQUAL(memcmp(hwsp_before, el_mem(&g, EL_HWSP(RCS)), sizeof(hwsp_before)), 0);
	CU_ASSERT_EQUAL(el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_HEAD], 3u << 21);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_USER], 0);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 1);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].stale, 0);
	assert_reset(RCS);
	/* i915 resumes the engine (HWS_PGA again) and submits: CSB from slot 0. */
	el_wreg(s.v, RCS_BASE + ENG_HWS_PGA, (uint32_t)(g.gm + EL_HWSP(RCS)));
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	CU_ASSERT_EQUAL(el_csb_reg(s.v, RCS, 0), 0x01);
	CU_ASSERT_EQUAL(el_csb_hwsp(&g, RCS, 0), 0x01);
	CU_ASSERT_EQUAL(el_hwsp_wp(&g, RCS), 0);
	w = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL(w->epoch, 1);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_finish(s.v, w, WL_DONE, 0x40, false);
	CU_ASSERT_EQUAL(el_csb_hwsp(&g, RCS, 1), 0x18ull | 0x11ull << 32);
	w = el_take(s.v, BCS);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_finish(s.v, w, WL_DONE, 0x40, false);
	CU_ASSERT_EQUAL(el_csb_hwsp(&g, BCS, 1), 0x18ull | 0x33ull << 32);
	down();
}

/* Full GT reset (bit 0), and a reset while a new list waits for a running element. */
static void
test_gdrst_full(void)
{
	struct workload *w;

	up();
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	el_ctx_build(&g, BCS, 0x60000, 0x52000, 1, 0x0, 0x40);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	w = el_take(s.v, RCS);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);	/* waits in pend */
	CU_ASSERT(s.v->exec.eng[RCS].has_pend);
	el_elsp(s.v, BCS, el_desc(&g, 0x60000, 0x33), 0);
	el_wreg(s.v, GDRST, GRDOM_FULL);
	CU_ASSERT_EQUAL(el_reg(s.v, GDRST), 0);
	assert_reset(RCS);
	assert_reset(BCS);
	CU_ASSERT_EQUAL(s.v->exec.reset_engines, 1u << RCS);	/* only rcs0 had work on the GPU */
	el_finish(s.v, w, WL_DONE, 0x40, false);
	assert_reset(RCS);
	/* A blitter-only reset leaves the render engine's state alone. */
	el_wreg(s.v, RCS_BASE + ENG_HWS_PGA, (uint32_t)(g.gm + EL_HWSP(RCS)));
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 0x11), 0);
	el_wreg(s.v, GDRST, GRDOM_BLT);
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	CU_ASSERT(s.v->exec.eng[RCS].active);
	CU_ASSERT_EQUAL(s.v->exec.eng[BCS].resets, 2);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].resets, 1);
	/* The whole device (vgpu_reset_domains with every bit): every engine. */
	pthread_mutex_lock(&s.v->lock);
	vgpu_reset_domains(s.v, VGPU_RESET_ALL);
	pthread_mutex_unlock(&s.v->lock);
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++)
		assert_reset((enum pgpu_engine)e);
	down();
}

/* RESET_CTL: a request is answered with ready-to-reset at once; masked; GDRST clears it. */
static void
test_reset_ctl(void)
{
	up();
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		uint32_t off = exec_engines[e].mmio_base + ENG_RESET_CTL;

		CU_ASSERT_EQUAL(el_reg(s.v, off), 0);
		el_wreg(s.v, off, 0x00000001);		/* no mask bit: nothing */
		CU_ASSERT_EQUAL(el_reg(s.v, off), 0);
		el_wreg(s.v, off, 0x00010001);
		CU_ASSERT_EQUAL(el_reg(s.v, off) & 3, 3);
		el_wreg(s.v, off, 0x00020000);		/* the ready bit is the engine's */
		CU_ASSERT_EQUAL(el_reg(s.v, off) & 3, 3);
		el_wreg(s.v, off, 0x00010000);
		CU_ASSERT_EQUAL(el_reg(s.v, off) & 3, 0);
		el_wreg(s.v, off, 0x00010001);
		el_wreg(s.v, GDRST, exec_engines[e].gdrst_bit);
		CU_ASSERT_EQUAL(el_reg(s.v, off), 0);
	}
	CU_ASSERT_FALSE(s.v->stats.failsafe);
	down();
}

/* TLB invalidation: each engine's request bit reads back clear at once (i915 polls 4 ms). */
static void
test_tlb_invalidation(void)
{
	up();
	for (uint32_t off = 0x4260; off <= 0x4270; off += 4) {
		CU_ASSERT_EQUAL(el_reg(s.v, off), 0);
		el_wreg(s.v, off, 1);
		CU_ASSERT_EQUAL(el_reg(s.v, off), 0);
	}
	CU_ASSERT_EQUAL(s.v->stats.unknown_reg, 0);
	CU_ASSERT_FALSE(s.v->stats.failsafe);
	down();
}

void suite_execlist_reset(void);
void
suite_execlist_reset(void)
{
	static const struct test_case cases[] = {
		{ "GDRST in the middle of work", test_gdrst_mid_work },
		{ "full, blitter-only and whole-device resets", test_gdrst_full },
		{ "RESET_CTL handshake on every engine", test_reset_ctl },
		{ "TLB invalidation completes at once", test_tlb_invalidation },
		{ NULL, NULL },
	};

	test_add_suite("execlist_reset", cases);
}
