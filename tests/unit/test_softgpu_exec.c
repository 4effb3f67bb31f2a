/* SPDX-License-Identifier: MIT */
/*
 * test_softgpu_exec.c — softgpu's engines driven directly (no mediator):
 * execlist submission and the CSB in hardware order (one element, two,
 * a preempting resubmit), status page, CSB registers and interrupts,
 * stores, register loads and stores, batch buffers (GGTT, PPGTT, chained,
 * second level), every fault kind with recovery by engine reset, 3D state
 * skipped and counted, all four engines at once.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/sg_rig.h"
#include "tests/test_util.h"

#define LO(a) ((uint32_t)(a))
#define HI(a) ((uint32_t)((uint64_t)(a) >> 32))
#define SDI_GGTT(a, v) MI_SDI | MI_GGTT | 2, LO(a), HI(a), (v)
#define SDI_PPGTT(a, v) MI_SDI | 2, LO(a), HI(a), (v)
#define BBS_GGTT(a) MI_BB_START, LO(a), HI(a)
#define BBS_PPGTT(a) MI_BB_START | MI_BB_PPGTT, LO(a), HI(a)
/* Poll until the dword at GGTT address a equals v. */
#define SEM_EQ(a, v) MI_SEM_WAIT | (1u << 15) | (4u << 12) | MI_GGTT, (v), LO(a), HI(a)

#define RCS SOFTGPU_RCS
#define BCS SOFTGPU_BCS
#define VCS SOFTGPU_VCS
#define VECS SOFTGPU_VECS
#define CSB_DONE (SOFTGPU_CSB_COMPLETE | SOFTGPU_CSB_ACTIVE_IDLE)
#define CSB_SWITCH (SOFTGPU_CSB_COMPLETE | SOFTGPU_CSB_ELEMENT_SWITCH)

static const uint32_t eng_base[] = { 0x2000, 0x22000, 0x12000, 0x1a000 };

static uint32_t
rd32(const struct sg_obj *o, unsigned int off)
{
	return __atomic_load_n((const uint32_t *)(const void *)(o->va + off), __ATOMIC_ACQUIRE);
}

static void
wr32(const struct sg_obj *o, unsigned int off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)(o->va + off), v, __ATOMIC_RELEASE);
}

static uint32_t
hwsp(struct sg_rig *r, enum softgpu_engine e, unsigned int dw)
{
	return rd32(&r->hwsp[e], 4 * dw);
}

/* Copy n dwords into an object at byte offset off. */
static void
put(struct sg_obj *o, unsigned int off, const uint32_t *dw, unsigned int n)
{
	memcpy(o->va + off, dw, 4 * n);
}
#define PUT(o, off, ...) put((o), (off), DWORDS(__VA_ARGS__), NDWORDS(__VA_ARGS__))

/* One element from idle: IDLE_ACTIVE then COMPLETE | ACTIVE_IDLE, in the status page too. */
static void
test_csb_one(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_obj dst;

	rig_open(&r);
	rig_ctx(&r, &c, 7, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	CTX_EMIT(&c, SDI_GGTT(dst.gma + 8, 0xdeadbeef));
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 7);
	CU_ASSERT_TRUE(rig_no_event(&r));
	CU_ASSERT_EQUAL(rd32(&dst, 8), 0xdeadbeef);
	/* The image got the ring head back. */
	CU_ASSERT_EQUAL(*ctx_reg(&c, 0x05), c.tail);
	/* Status page: entries from dword 0x10 (status, context id), write pointer at 0x1f. */
	CU_ASSERT_EQUAL(hwsp(&r, RCS, 0x10), SOFTGPU_CSB_IDLE_ACTIVE);
	CU_ASSERT_EQUAL(hwsp(&r, RCS, 0x11), 0);	/* hardware writes 0 there */
	CU_ASSERT_EQUAL(hwsp(&r, RCS, 0x12), CSB_DONE);
	CU_ASSERT_EQUAL(hwsp(&r, RCS, 0x13), 7);
	CU_ASSERT_EQUAL(hwsp(&r, RCS, 0x1f), 1);
	/* The same in the CSB registers, the write pointer in CSB_PTR 2:0, read pointer kept. */
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x2370), SOFTGPU_CSB_IDLE_ACTIVE);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x2378), CSB_DONE);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x237c), 7);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x23a0), (5u << 8) | 1);
	/* Context-switch interrupt: bit 8 of rcs0's bits in GT0 IIR; write 1 to clear. */
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x44308) & 0x101, 0x100);
	softgpu_mmio_write(r.g, 0x44308, 0x100);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x44308) & 0x100, 0);
	rig_close(&r);
}

/* Two elements: IDLE_ACTIVE, COMPLETE | ELEMENT_SWITCH (first), COMPLETE | ACTIVE_IDLE (second). */
static void
test_csb_two(void)
{
	struct sg_rig r;
	struct sg_ctx a, b;
	struct sg_obj dst;

	rig_open(&r);
	rig_ctx(&r, &a, 1, 1, NULL);
	rig_ctx(&r, &b, 2, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	CTX_EMIT(&a, SDI_GGTT(dst.gma, 0xa));
	CTX_EMIT(&b, SDI_GGTT(dst.gma + 4, 0xb));
	CU_ASSERT_EQUAL(rig_submit2(&r, BCS, &a, &b), 0);
	rig_expect_csb(&r, BCS, SOFTGPU_CSB_IDLE_ACTIVE, 1);
	rig_expect_csb(&r, BCS, CSB_SWITCH, 1);
	rig_expect_csb(&r, BCS, CSB_DONE, 2);
	CU_ASSERT_EQUAL(rd32(&dst, 0), 0xa);
	CU_ASSERT_EQUAL(rd32(&dst, 4), 0xb);
	CU_ASSERT_EQUAL(hwsp(&r, BCS, 0x14), CSB_DONE);
	CU_ASSERT_EQUAL(hwsp(&r, BCS, 0x15), 2);
	CU_ASSERT_EQUAL(hwsp(&r, BCS, 0x1f), 2);
	/* bcs0's bits are GT0 31:16. */
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x44308) & (0x100u << 16), 0x100u << 16);
	rig_close(&r);
}

/* A new submission replaces a context waiting on a semaphore: PREEMPTED, saved, resumable. */
static void
test_csb_preempt(void)
{
	struct sg_rig r;
	struct sg_ctx a, b;
	struct sg_obj dst;

	rig_open(&r);
	rig_ctx(&r, &a, 1, 1, NULL);
	rig_ctx(&r, &b, 2, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	CTX_EMIT(&a, MI_ARB_CHECK, SEM_EQ(dst.gma, 1),
					  SDI_GGTT(dst.gma + 4, 0xa));
	CTX_EMIT(&b, SDI_GGTT(dst.gma + 8, 0xb));
	CU_ASSERT_EQUAL(rig_submit1(&r, VCS, &a), 0);
	rig_expect_csb(&r, VCS, SOFTGPU_CSB_IDLE_ACTIVE, 1);
	rig_wait_sem(&r, VCS, 1);
	CU_ASSERT_EQUAL(rig_submit1(&r, VCS, &b), 0);
	rig_expect_csb(&r, VCS, SOFTGPU_CSB_PREEMPTED, 1);
	rig_expect_csb(&r, VCS, CSB_DONE, 2);	/* no IDLE_ACTIVE: the engine stayed busy */
	CU_ASSERT_EQUAL(rd32(&dst, 8), 0xb);
	CU_ASSERT_EQUAL(rd32(&dst, 4), 0);
	CU_ASSERT_EQUAL(*ctx_reg(&a, 0x05), 4);	/* saved at the semaphore wait */
	/* Released and resubmitted, it goes on from there. */
	wr32(&dst, 0, 1);
	CU_ASSERT_EQUAL(rig_submit1(&r, VCS, &a), 0);
	rig_expect_run(&r, VCS, 1);
	CU_ASSERT_EQUAL(rd32(&dst, 4), 0xa);
	CU_ASSERT_EQUAL(*ctx_reg(&a, 0x05), a.tail);
	struct softgpu_engine_stats st;
	softgpu_engine_stats(r.g, VCS, &st);
	CU_ASSERT_EQUAL(st.preempted, 1);
	CU_ASSERT_EQUAL(st.contexts, 2);
	rig_close(&r);
}

/* The ELSP holds one submission: with arbitration off nothing takes it, and a third is -EBUSY. */
static void
test_submit_rules(void)
{
	struct sg_rig r;
	struct sg_ctx a, b;
	struct sg_obj dst;
	uint64_t d[2];

	rig_open(&r);
	rig_ctx(&r, &a, 1, 1, NULL);
	rig_ctx(&r, &b, 2, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	d[0] = ctx_desc(&a) & ~1ull;	/* not valid */
	d[1] = 0;
	CU_ASSERT_EQUAL(softgpu_submit(r.g, RCS, d), -EINVAL);
	d[0] = ctx_desc(&a) & ~(3ull << 3);	/* advanced context mode */
	CU_ASSERT_EQUAL(softgpu_submit(r.g, RCS, d), -EINVAL);
	d[0] = ctx_desc(&a);
	d[1] = 2;			/* element 1 not valid */
	CU_ASSERT_EQUAL(softgpu_submit(r.g, RCS, d), -EINVAL);
	CU_ASSERT_EQUAL(softgpu_submit(r.g, SOFTGPU_NR_ENGINES, d), -EINVAL);
	CTX_EMIT(&a, MI_ARB_ON_OFF, SEM_EQ(dst.gma, 1));
	CTX_EMIT(&b, SDI_GGTT(dst.gma + 4, 0xb));
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &a), 0);
	rig_wait_sem(&r, RCS, 1);
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &b), 0);
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &b), -EBUSY);
	wr32(&dst, 0, 1);
	rig_expect_run(&r, RCS, 1);
	rig_expect_run(&r, RCS, 2);
	CU_ASSERT_EQUAL(rd32(&dst, 4), 0xb);
	rig_close(&r);
}

/* MI_USER_INTERRUPT: an event per context (consecutive ones may coalesce), IIR bit 0. */
static void
test_user_interrupt(void)
{
	struct sg_rig r;
	struct sg_ctx a, b;
	struct softgpu_event ev;
	struct softgpu_engine_stats st;
	unsigned int users = 0;

	rig_open(&r);
	rig_ctx(&r, &a, 1, 1, NULL);
	rig_ctx(&r, &b, 2, 1, NULL);
	CTX_EMIT(&a, MI_USER_INTERRUPT, MI_USER_INTERRUPT);
	CTX_EMIT(&b, MI_NOOP, MI_USER_INTERRUPT);
	CU_ASSERT_EQUAL(rig_submit2(&r, VECS, &a, &b), 0);
	rig_expect_csb(&r, VECS, SOFTGPU_CSB_IDLE_ACTIVE, 1);
	while (rig_event(&r, &ev) && ev.kind == SOFTGPU_EV_USER) {
		CU_ASSERT_EQUAL(ev.ctx_id, 1);
		users++;
	}
	CU_ASSERT_TRUE(users >= 1 && users <= 2);
	CU_ASSERT_EQUAL(ev.kind, SOFTGPU_EV_CSB);
	CU_ASSERT_EQUAL(ev.status, CSB_SWITCH);
	CU_ASSERT_TRUE(rig_event(&r, &ev));
	CU_ASSERT_EQUAL(ev.kind, SOFTGPU_EV_USER);
	CU_ASSERT_EQUAL(ev.ctx_id, 2);
	rig_expect_csb(&r, VECS, CSB_DONE, 2);
	softgpu_engine_stats(r.g, VECS, &st);
	CU_ASSERT_EQUAL(st.user_irqs, 3);
	/* vecs0: GT3 bits 15:0, user interrupt bit 0. */
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x44338) & 0x101, 0x101);
	rig_close(&r);
}

/* Stores: SDI dword/qword/several, store-index (per-process and engine page), copy. */
static void
test_stores(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_obj dst;

	rig_open(&r);
	rig_ctx(&r, &c, 3, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	wr32(&dst, 0x100, 0x5a5a5a5a);
	CTX_EMIT(&c,
		MI_SDI | MI_GGTT | (1u << 21) | 3, LO(dst.gma + 0x10), 0, 0x11111111, 0x22222222,
		MI_SDI | MI_GGTT | 4, LO(dst.gma + 0x20), 0, 1, 2, 3,
		MI_STORE_INDEX | (1u << 21) | 1, 0x40, 0xc0ffee,	/* the context's PPHWSP */
		MI_STORE_INDEX | 1, 0x80, 0xbeef,			/* rcs0's status page */
		MI_COPY_MEM | MI_GGTT | (1u << 21), LO(dst.gma + 0x30), 0, LO(dst.gma + 0x100), 0);
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 3);
	CU_ASSERT_EQUAL(rd32(&dst, 0x10), 0x11111111);
	CU_ASSERT_EQUAL(rd32(&dst, 0x14), 0x22222222);
	CU_ASSERT_EQUAL(rd32(&dst, 0x20), 1);
	CU_ASSERT_EQUAL(rd32(&dst, 0x24), 2);
	CU_ASSERT_EQUAL(rd32(&dst, 0x28), 3);
	CU_ASSERT_EQUAL(rd32(&c.img, 0x40), 0xc0ffee);
	CU_ASSERT_EQUAL(hwsp(&r, RCS, 0x80 / 4), 0xbeef);
	CU_ASSERT_EQUAL(rd32(&dst, 0x30), 0x5a5a5a5a);
	rig_close(&r);
}

/* Post-sync writes: PIPE_CONTROL on rcs0, MI_FLUSH_DW on bcs0: dword, qword, timestamp, by index. */
static void
test_post_sync(void)
{
	struct sg_rig r;
	struct sg_ctx c, x;
	struct sg_obj dst;

	rig_open(&r);
	rig_ctx(&r, &c, 1, 1, NULL);
	rig_ctx(&r, &x, 2, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	memset(dst.va, 0xee, 0x100);
	CTX_EMIT(&c,
		PIPE_CONTROL(6), (1u << 24) | (1u << 14), LO(dst.gma), 0, 0x1234, 0x5678,
		PIPE_CONTROL(5), (1u << 24) | (1u << 14), LO(dst.gma + 0x10), 0, 0xabcd,
		PIPE_CONTROL(6), (1u << 24) | (3u << 14), LO(dst.gma + 0x20), 0, 0, 0,
		/* Store-data-index: an offset into the context's PPHWSP (i915's flush scratch). */
		PIPE_CONTROL(6), (1u << 21) | (1u << 14), 0xd0, 0, 0x1d0, 0x2d0);
	CTX_EMIT(&x,
		MI_FLUSH_DW | (1u << 14) | 2, LO(dst.gma + 0x40) | 4, 0, 0x4444,
		MI_FLUSH_DW | (1u << 14) | 3, LO(dst.gma + 0x48) | 4, 0, 0x55, 0x66,
		MI_FLUSH_DW | (3u << 14) | 2, LO(dst.gma + 0x50) | 4, 0, 0,
		MI_FLUSH_DW | (1u << 21) | (1u << 14) | 2, 0x88, 0, 0x88);
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 1);
	CU_ASSERT_EQUAL(rig_submit1(&r, BCS, &x), 0);
	rig_expect_run(&r, BCS, 2);
	CU_ASSERT_EQUAL(rd32(&dst, 0), 0x1234);
	CU_ASSERT_EQUAL(rd32(&dst, 4), 0x5678);
	CU_ASSERT_EQUAL(rd32(&dst, 0x10), 0xabcd);
	CU_ASSERT_EQUAL(rd32(&dst, 0x14), 0xeeeeeeee);	/* a dword write is a dword */
	CU_ASSERT_NOT_EQUAL(rd32(&dst, 0x20) | (uint64_t)rd32(&dst, 0x24) << 32, 0xeeeeeeeeeeeeeeeeull);
	CU_ASSERT_EQUAL(rd32(&dst, 0x40), 0x4444);
	CU_ASSERT_EQUAL(rd32(&dst, 0x44), 0xeeeeeeee);
	CU_ASSERT_EQUAL(rd32(&dst, 0x48), 0x55);
	CU_ASSERT_EQUAL(rd32(&dst, 0x4c), 0x66);
	CU_ASSERT_NOT_EQUAL(rd32(&dst, 0x54), 0xeeeeeeee);
	CU_ASSERT_EQUAL(rd32(&c.img, 0xd0), 0x1d0);
	CU_ASSERT_EQUAL(rd32(&c.img, 0xd4), 0x2d0);
	CU_ASSERT_EQUAL(rd32(&x.img, 0x88), 0x88);
	CU_ASSERT_EQUAL(hwsp(&r, RCS, 0xd0 / 4), 0);	/* not the engine's page */
	CU_ASSERT_EQUAL(hwsp(&r, BCS, 0x88 / 4), 0);
	rig_close(&r);
}

/* LRI then SRM of the same registers; LRM and LRR; masked registers obey their mask. */
static void
test_lri_srm(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_obj dst;

	rig_open(&r);
	rig_ctx(&r, &c, 1, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	wr32(&dst, 0x80, 0x55aa55aa);
	softgpu_mmio_write(r.g, 0x209c, 0xffff0000u | 0x0f0f);	/* MI_MODE: all bits */
	CTX_EMIT(&c,
		MI_LRI(3), 0x2600, 0x12345678, 0x2604, 0x9abcdef0, 0x209c, (0x00ffu << 16) | 0x00f0,
		MI_SRM | MI_GGTT, 0x2600, LO(dst.gma), 0,
		MI_SRM | MI_GGTT, 0x2604, LO(dst.gma + 4), 0,
		MI_LRM | MI_GGTT, 0x2608, LO(dst.gma + 0x80), 0,
		MI_LRR, 0x2608, 0x2610,
		MI_SRM | MI_GGTT, 0x2610, LO(dst.gma + 8), 0,
		MI_SRM | MI_GGTT, 0x209c, LO(dst.gma + 12), 0,
		MI_SRM | MI_GGTT, 0x2358, LO(dst.gma + 16), 0,	/* the live timestamp */);
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 1);
	CU_ASSERT_EQUAL(rd32(&dst, 0), 0x12345678);
	CU_ASSERT_EQUAL(rd32(&dst, 4), 0x9abcdef0);
	CU_ASSERT_EQUAL(rd32(&dst, 8), 0x55aa55aa);
	CU_ASSERT_EQUAL(rd32(&dst, 12), 0x0ff0);	/* only the low byte changed */
	CU_ASSERT_NOT_EQUAL(rd32(&dst, 16), 0);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x2600), 0x12345678);
	rig_close(&r);
}

/* GGTT batches: first level, a second-level call that returns, a chain; then back to the ring. */
static void
test_batch_ggtt(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_obj dst, b1, b2, b3;
	struct softgpu_engine_stats st;

	rig_open(&r);
	rig_ctx(&r, &c, 1, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	rig_obj(&r, 1, true, &b1);
	rig_obj(&r, 1, true, &b2);
	rig_obj(&r, 1, true, &b3);
	PUT(&b1, 0, SDI_GGTT(dst.gma, 1),
		MI_BB_START | MI_BB_SECOND, LO(b2.gma), 0,
		SDI_GGTT(dst.gma + 8, 3),
		MI_BB_START, LO(b3.gma), 0,
		SDI_GGTT(dst.gma + 0x40, 0xbad),	/* chained away from: never runs */);
	PUT(&b2, 0, SDI_GGTT(dst.gma + 4, 2), MI_BATCH_BUFFER_END);
	PUT(&b3, 0, SDI_GGTT(dst.gma + 12, 4), MI_BATCH_BUFFER_END);
	CTX_EMIT(&c, BBS_GGTT(b1.gma), SDI_GGTT(dst.gma + 16, 5));
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 1);
	for (unsigned int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(rd32(&dst, 4 * i), i + 1);
	CU_ASSERT_EQUAL(rd32(&dst, 0x40), 0);
	softgpu_engine_stats(r.g, RCS, &st);
	CU_ASSERT_EQUAL(st.batches, 3);
	rig_close(&r);
}

/* A PPGTT batch (48-bit address) storing through the PPGTT; 2 MiB and 1 GiB pages. */
static void
test_batch_ppgtt(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_ppgtt pp;
	struct sg_obj dst, bb, big;
	const uint64_t bva = 0x123456000ull, dva = 0x7fff00000000ull;
	const uint64_t va2m = 0x40000000ull, va1g = 0x3c0000000ull;
	uint64_t m2, m1g = 0xfc0000000ull;	/* 63 GiB: a 1 GiB-aligned stretch of machine RAM */
	uint32_t *p;

	rig_open(&r);
	rig_ppgtt_init(&r, &pp, 4);
	rig_ctx(&r, &c, 9, 1, &pp);
	rig_obj(&r, 1, false, &dst);
	rig_obj(&r, 1, false, &bb);
	rig_obj(&r, 1024, false, &big);	/* holds a 2 MiB-aligned 2 MiB */
	m2 = (big.maddr + 0x1fffff) & ~0x1fffffull;
	rig_ppgtt_map(&r, &pp, bva, bb.maddr);
	rig_ppgtt_map(&r, &pp, dva, dst.maddr);
	*rig_ppgtt_entry(&r, &pp, va2m, 21) = m2 | 0x83;
	*rig_ppgtt_entry(&r, &pp, va1g, 30) = m1g | 0x83;
	PUT(&bb, 0, SDI_PPGTT(dva + 0x24, 0x600d),
		SDI_PPGTT(va2m + 0x123458, 0x2222),
		SDI_PPGTT(va1g + 0x2345678, 0x1111),
		MI_BATCH_BUFFER_END);
	CTX_EMIT(&c, BBS_PPGTT(bva));
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 9);
	CU_ASSERT_EQUAL(rd32(&dst, 0x24), 0x600d);
	p = softgpu_maddr_ptr(r.g, m2 + 0x123458, 4);
	CU_ASSERT_EQUAL(*p, 0x2222);
	p = softgpu_maddr_ptr(r.g, m1g + 0x2345678, 4);
	CU_ASSERT_EQUAL(*p, 0x1111);
	rig_close(&r);
}

/* Legacy 32-bit: PDP0..3 each point at a page directory; addresses above 4 GiB fault. */
static void
test_ppgtt_legacy32(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_ppgtt pp;
	struct sg_obj dst, bb;
	struct softgpu_event ev;

	rig_open(&r);
	rig_ppgtt_init(&r, &pp, 3);
	rig_ctx(&r, &c, 4, 1, &pp);
	CU_ASSERT_EQUAL(c.mode, 1);
	rig_obj(&r, 1, false, &dst);
	rig_obj(&r, 1, false, &bb);
	rig_ppgtt_map(&r, &pp, 0xc0001000, bb.maddr);	/* PDP3 */
	rig_ppgtt_map(&r, &pp, 0x80002000, dst.maddr);	/* PDP2 */
	PUT(&bb, 0, SDI_PPGTT(0x80002010, 0x32), MI_BATCH_BUFFER_END);
	CTX_EMIT(&c, BBS_PPGTT(0xc0001000));
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 4);
	CU_ASSERT_EQUAL(rd32(&dst, 0x10), 0x32);
	/* The same batch start at a 33-bit address: an address fault. */
	CTX_EMIT(&c, BBS_PPGTT(0x1c0001000ull));
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	ev = rig_expect_fault(&r, RCS, SOFTGPU_FAULT_ADDRESS);
	CU_ASSERT_EQUAL(ev.fault_addr, 0x1c0001000ull);
	rig_close(&r);
}

/* PPGTT faults: not present, read-only page on a write, 64 KiB page tables. */
static void
test_ppgtt_faults(void)
{
	static const struct {
		uint64_t va;
		uint32_t kind;
	} cases[] = {
		{ 0x200000, SOFTGPU_FAULT_ADDRESS },	/* not mapped */
		{ 0x300000, SOFTGPU_FAULT_ADDRESS },	/* read-only */
		{ 0x400000, SOFTGPU_FAULT_ADDRESS },	/* PDE with IPS (64 KiB) */
		{ 0x500000, SOFTGPU_FAULT_ADDRESS },	/* page table outside machine memory */
	};
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_ppgtt pp;
	struct sg_obj pg;

	rig_open(&r);
	rig_ppgtt_init(&r, &pp, 4);
	rig_ctx(&r, &c, 1, 1, &pp);
	rig_obj(&r, 1, false, &pg);
	*rig_ppgtt_entry(&r, &pp, 0x300000, 12) = pg.maddr | 1;	/* present, not writable */
	rig_ppgtt_map(&r, &pp, 0x400000, pg.maddr);
	*rig_ppgtt_entry(&r, &pp, 0x400000, 21) |= 1ull << 11;
	*rig_ppgtt_entry(&r, &pp, 0x500000, 21) = 0x4000000000ull | 3;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct softgpu_event ev;

		CTX_EMIT(&c, SDI_PPGTT(cases[i].va + 8, 1));
		CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
		ev = rig_expect_fault(&r, RCS, cases[i].kind);
		CU_ASSERT_EQUAL(ev.fault_addr, cases[i].va + 8);
		CU_ASSERT_EQUAL(ev.ctx_id, 1);
		CU_ASSERT_EQUAL(softgpu_engine_reset(r.g, RCS), 0);
		/* The head stayed where the fault was: start after it next time. */
		*ctx_reg(&c, 0x05) = c.tail;
	}
	CU_ASSERT_EQUAL(*(uint32_t *)softgpu_maddr_ptr(r.g, pg.maddr + 8, 4), 0);
	rig_close(&r);
}

/* Run a context that must fault with kind on e, check the hang and the recovery. */
static void
fault_and_recover(struct sg_rig *r, enum softgpu_engine e, struct sg_ctx *c, uint32_t kind,
		  uint64_t addr)
{
	struct softgpu_engine_stats st;
	struct softgpu_event ev;
	struct sg_ctx ok;
	struct sg_obj dst;

	CU_ASSERT_EQUAL(rig_submit1(r, e, c), 0);
	ev = rig_expect_fault(r, e, kind);
	CU_ASSERT_EQUAL(ev.ctx_id, c->id);
	if (addr)
		CU_ASSERT_EQUAL(ev.fault_addr, addr);
	softgpu_engine_stats(r->g, e, &st);
	CU_ASSERT_TRUE(st.hung);
	CU_ASSERT_NOT_EQUAL(st.last_fault[0], 0);
	/* Hung: nothing more is taken until the engine is reset. */
	CU_ASSERT_EQUAL(rig_submit1(r, e, c), -EIO);
	CU_ASSERT_TRUE(rig_no_event(r));
	CU_ASSERT_EQUAL(softgpu_engine_reset(r->g, e), 0);
	softgpu_engine_stats(r->g, e, &st);
	CU_ASSERT_FALSE(st.hung);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r->g, eng_base[e] + 0x3a0), (5u << 8) | 5);
	/* A good context runs again, its first CSB entry in slot 0. */
	rig_ctx(r, &ok, 100, 1, NULL);
	rig_obj(r, 1, true, &dst);
	CTX_EMIT(&ok, SDI_GGTT(dst.gma, 0x600d));
	CU_ASSERT_EQUAL(rig_submit1(r, e, &ok), 0);
	rig_expect_run(r, e, 100);
	CU_ASSERT_EQUAL(rd32(&dst, 0), 0x600d);
	CU_ASSERT_EQUAL(hwsp(r, e, 0x10), SOFTGPU_CSB_IDLE_ACTIVE);
	CU_ASSERT_EQUAL(hwsp(r, e, 0x1f), 1);
}

static void
test_fault_opcode(void)
{
	struct sg_rig r;
	struct sg_ctx c, d, x;

	rig_open(&r);
	rig_ctx(&r, &c, 1, 1, NULL);
	CTX_EMIT(&c, MI_NOOP, 0x1f800000);	/* MI opcode 0x3f */
	fault_and_recover(&r, RCS, &c, SOFTGPU_FAULT_OPCODE, c.ring.gma + 4);
	/* A blitter command on the render engine. */
	rig_ctx(&r, &d, 2, 1, NULL);
	CTX_EMIT(&d, XY_SETUP_CLIP, 0, 0);
	fault_and_recover(&r, RCS, &d, SOFTGPU_FAULT_OPCODE, d.ring.gma);
	/* 3D state on the video engine (there it would be a codec command). */
	rig_ctx(&r, &x, 3, 1, NULL);
	CTX_EMIT(&x, 0x69040300);
	fault_and_recover(&r, VCS, &x, SOFTGPU_FAULT_OPCODE, x.ring.gma);
	rig_close(&r);
}

static void
test_fault_address(void)
{
	struct sg_rig r;
	struct sg_ctx c, d;
	struct sg_obj bb;

	rig_open(&r);
	rig_ctx(&r, &c, 1, 1, NULL);
	CTX_EMIT(&c, SDI_GGTT(0x7000010ull, 1));	/* unmapped */
	fault_and_recover(&r, BCS, &c, SOFTGPU_FAULT_ADDRESS, 0x7000010ull);
	/* A GGTT entry pointing outside machine memory (the aperture's machine address). */
	rig_obj(&r, 1, true, &bb);
	rig_ggtt_map(&r, bb.gma, 0x4000000000ull);
	rig_ctx(&r, &d, 2, 1, NULL);
	CTX_EMIT(&d, BBS_GGTT(bb.gma + 0x40));
	fault_and_recover(&r, BCS, &d, SOFTGPU_FAULT_ADDRESS, bb.gma + 0x40);
	rig_close(&r);
}

static void
test_fault_hang(void)
{
	struct sg_rig r;
	struct sg_ctx c, d, s, t;
	struct sg_obj loop, nops, sem;
	uint32_t body[64];

	rig_open(&r);
	/* A batch that chains to itself: the chaining limit. */
	rig_obj(&r, 1, true, &loop);
	PUT(&loop, 0, BBS_GGTT(loop.gma));
	rig_ctx(&r, &c, 1, 1, NULL);
	CTX_EMIT(&c, BBS_GGTT(loop.gma));
	fault_and_recover(&r, RCS, &c, SOFTGPU_FAULT_HANG, loop.gma);
	/* 60 NOOPs then back to the start by a second-level... chain: the instruction budget. */
	softgpu_set_limits(r.g, 1000, 0);
	rig_obj(&r, 1, true, &nops);
	memset(body, 0, sizeof(body));
	body[60] = MI_BB_START;
	body[61] = LO(nops.gma);
	put(&nops, 0, body, 62);
	rig_ctx(&r, &d, 2, 1, NULL);
	CTX_EMIT(&d, BBS_GGTT(nops.gma));
	fault_and_recover(&r, VECS, &d, SOFTGPU_FAULT_HANG, 0);
	softgpu_set_limits(r.g, 1ull << 24, 50);
	/* A semaphore never satisfied: a hang after the semaphore timeout. */
	rig_obj(&r, 1, true, &sem);
	rig_ctx(&r, &s, 3, 1, NULL);
	CTX_EMIT(&s, SEM_EQ(sem.gma, 1));
	fault_and_recover(&r, VCS, &s, SOFTGPU_FAULT_HANG, sem.gma);
	/* A command cut by the tail: hardware would wait for the rest for ever. */
	rig_ctx(&r, &t, 4, 1, NULL);
	CTX_EMIT(&t, MI_SDI | MI_GGTT | 2, LO(sem.gma));
	fault_and_recover(&r, BCS, &t, SOFTGPU_FAULT_HANG, t.ring.gma);
	rig_close(&r);
}

static void
test_fault_bad_context(void)
{
	struct sg_rig r;
	struct sg_ctx c, d, e;

	rig_open(&r);
	rig_ctx(&r, &c, 1, 1, NULL);
	CTX_EMIT(&c, MI_NOOP);
	rig_ggtt_unmap(&r, c.img.gma + 4096);	/* the register state page */
	fault_and_recover(&r, RCS, &c, SOFTGPU_FAULT_BAD_CONTEXT, 0);
	rig_ctx(&r, &d, 2, 1, NULL);
	CTX_EMIT(&d, MI_NOOP);
	*ctx_reg(&d, 0x0b) &= ~1u;		/* ring not enabled */
	fault_and_recover(&r, RCS, &d, SOFTGPU_FAULT_BAD_CONTEXT, 0);
	rig_ctx(&r, &e, 3, 1, NULL);
	*ctx_reg(&e, 0x07) = 0x2000;		/* tail outside the one-page ring */
	fault_and_recover(&r, RCS, &e, SOFTGPU_FAULT_BAD_CONTEXT, 0);
	rig_close(&r);
}

/* Reset while a context waits: dropped without an event; the engine takes new work. */
static void
test_reset_running(void)
{
	struct sg_rig r;
	struct sg_ctx a, b;
	struct sg_obj sem;

	rig_open(&r);
	rig_obj(&r, 1, true, &sem);
	rig_ctx(&r, &a, 1, 1, NULL);
	rig_ctx(&r, &b, 2, 1, NULL);
	CTX_EMIT(&a, SEM_EQ(sem.gma, 1), SDI_GGTT(sem.gma + 4, 0xa));
	CTX_EMIT(&b, SDI_GGTT(sem.gma + 8, 0xb));
	CU_ASSERT_EQUAL(rig_submit2(&r, RCS, &a, &b), 0);
	rig_expect_csb(&r, RCS, SOFTGPU_CSB_IDLE_ACTIVE, 1);
	rig_wait_sem(&r, RCS, 1);
	CU_ASSERT_EQUAL(softgpu_engine_reset(r.g, RCS), 0);
	wr32(&sem, 0, 1);
	CU_ASSERT_TRUE(rig_no_event(&r));
	CU_ASSERT_EQUAL(rd32(&sem, 4), 0);
	CU_ASSERT_EQUAL(rd32(&sem, 8), 0);
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &b), 0);
	rig_expect_run(&r, RCS, 2);
	CU_ASSERT_EQUAL(rd32(&sem, 8), 0xb);
	CU_ASSERT_EQUAL(rd32(&sem, 4), 0);
	rig_close(&r);
}

/* What i915's null render state sends: parsed, skipped, counted per opcode. */
static void
test_skip_3d_state(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_obj bb, dst;
	uint32_t batch[64], n = 0;
	struct softgpu_engine_stats st;

	rig_open(&r);
	rig_ctx(&r, &c, 1, 1, NULL);
	rig_obj(&r, 1, true, &bb);
	rig_obj(&r, 1, true, &dst);
	memset(batch, 0, sizeof(batch));
	batch[n++] = 0x69040300;			/* PIPELINE_SELECT */
	batch[n++] = 0x78140000;			/* a 3DSTATE, 2 dwords */
	n++;
	batch[n++] = 0x78140000;
	n++;
	batch[n++] = 0x61010011;			/* STATE_BASE_ADDRESS, 19 dwords */
	n += 18;
	batch[n++] = 0x680b0001;			/* 3DSTATE_VF_STATISTICS */
	batch[n++] = 0x79190002;			/* non-pipelined 3DSTATE, 4 dwords */
	n += 3;
	batch[n++] = 0x7b000005;			/* 3DPRIMITIVE */
	n += 6;
	batch[n++] = MI_SDI | MI_GGTT | 2;
	batch[n++] = LO(dst.gma);
	batch[n++] = 0;
	batch[n++] = 0x3d;
	batch[n++] = MI_BATCH_BUFFER_END;
	put(&bb, 0, batch, n);
	CTX_EMIT(&c, BBS_GGTT(bb.gma));
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 1);
	CU_ASSERT_EQUAL(rd32(&dst, 0), 0x3d);
	CU_ASSERT_EQUAL(softgpu_skip_count(r.g, RCS, 0x69040300), 1);
	CU_ASSERT_EQUAL(softgpu_skip_count(r.g, RCS, 0x78140000), 2);
	CU_ASSERT_EQUAL(softgpu_skip_count(r.g, RCS, 0x61010011), 1);
	CU_ASSERT_EQUAL(softgpu_skip_count(r.g, RCS, 0x680b0001), 1);
	CU_ASSERT_EQUAL(softgpu_skip_count(r.g, RCS, 0x79190002), 1);
	CU_ASSERT_EQUAL(softgpu_skip_count(r.g, RCS, 0x7b000005), 1);
	CU_ASSERT_EQUAL(softgpu_skip_count(r.g, RCS, 0x78150000), 0);
	softgpu_engine_stats(r.g, RCS, &st);
	CU_ASSERT_EQUAL(st.skipped, 7);
	rig_close(&r);
}

/* All four engines busy at once, then all complete, each with its own result. */
static void
test_all_engines(void)
{
	struct sg_rig r;
	struct sg_ctx c[SOFTGPU_NR_ENGINES];
	struct sg_obj sem, dst;
	unsigned int seen[SOFTGPU_NR_ENGINES] = { 0 };
	struct softgpu_event ev;

	rig_open(&r);
	rig_obj(&r, 1, true, &sem);
	rig_obj(&r, 1, true, &dst);
	for (int e = 0; e < SOFTGPU_NR_ENGINES; e++)
		rig_ctx(&r, &c[e], 10 + e, 1, NULL);
	CTX_EMIT(&c[RCS], SEM_EQ(sem.gma, 1),
		PIPE_CONTROL(6), (1u << 24) | (1u << 14), LO(dst.gma), 0, 0x10, 0);
	CTX_EMIT(&c[BCS], SEM_EQ(sem.gma, 1),
		XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB, (3u << 24) | (0xf0u << 16) | 64,
		(1u << 16) | 2, (2u << 16) | 4, LO(dst.gma + 0x100), 0, 0x11);
	CTX_EMIT(&c[VCS], SEM_EQ(sem.gma, 1),
		MI_FLUSH_DW | (1u << 14) | 2, LO(dst.gma + 0x20) | 4, 0, 0x12);
	CTX_EMIT(&c[VECS], SEM_EQ(sem.gma, 1), SDI_GGTT(dst.gma + 0x30, 0x13));
	for (int e = 0; e < SOFTGPU_NR_ENGINES; e++)
		CU_ASSERT_EQUAL(rig_submit1(&r, (enum softgpu_engine)e, &c[e]), 0);
	for (int e = 0; e < SOFTGPU_NR_ENGINES; e++)
		rig_wait_sem(&r, (enum softgpu_engine)e, 1);
	wr32(&sem, 0, 1);
	for (int i = 0; i < 2 * SOFTGPU_NR_ENGINES && rig_event(&r, &ev); i++) {
		CU_ASSERT_EQUAL(ev.kind, SOFTGPU_EV_CSB);
		CU_ASSERT_EQUAL(ev.ctx_id, 10 + ev.engine);
		/* Per engine: IDLE_ACTIVE, then COMPLETE | ACTIVE_IDLE. */
		CU_ASSERT_EQUAL(ev.status, seen[ev.engine]++ ? CSB_DONE : SOFTGPU_CSB_IDLE_ACTIVE);
	}
	CU_ASSERT_TRUE(rig_no_event(&r));
	CU_ASSERT_EQUAL(rd32(&dst, 0), 0x10);
	CU_ASSERT_EQUAL(rd32(&dst, 0x100 + 64 + 8), 0x11);	/* pixel (2, 1) */
	CU_ASSERT_EQUAL(rd32(&dst, 0x20), 0x12);
	CU_ASSERT_EQUAL(rd32(&dst, 0x30), 0x13);
	rig_close(&r);
}

/* The ring wraps: commands straddling its end run as one. */
static void
test_ring_wrap(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_obj dst;
	uint32_t nops[1020] = { 0 };

	rig_open(&r);
	rig_ctx(&r, &c, 1, 1, NULL);
	rig_obj(&r, 1, true, &dst);
	ctx_emit(&c, nops, 1020);
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 1);
	/* Head and tail at 4080: an SDI of 4 dwords ends 8 bytes past the start. */
	CTX_EMIT(&c, SDI_GGTT(dst.gma, 0x77), SDI_GGTT(dst.gma + 4, 0x78));
	CU_ASSERT_EQUAL(c.tail, 16);
	CU_ASSERT_EQUAL(rig_submit1(&r, RCS, &c), 0);
	rig_expect_run(&r, RCS, 1);
	CU_ASSERT_EQUAL(rd32(&dst, 0), 0x77);
	CU_ASSERT_EQUAL(rd32(&dst, 4), 0x78);
	rig_close(&r);
}

static uint32_t
xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* One well-formed command with random operands at out: its length. */
static unsigned int
wellformed(uint32_t *out, uint32_t *seed, uint64_t scratch, enum softgpu_engine e)
{
	uint32_t v = xorshift(seed), a = xorshift(seed), d = xorshift(seed);
	uint32_t pa = a & 0x3fffc, ga = LO(scratch) + (a & 0xffc);
	uint32_t rect = ((d & 15) << 16) | ((d >> 4) & 15), rect2 = ((d >> 8) & 31) << 16 | ((d >> 13) & 31);
	uint32_t br13 = (d & 0x3ff0000u) | (a & 0x40000000u) | 64;

	v %= 12;
	if (v >= 7 && v <= 10 && e != BCS)	/* the blitter's commands: bcs0 only */
		v = v % 5;
	if (v == 5 && e != RCS)
		v = 6;
	else if (v == 6 && e == RCS)
		v = 5;
	switch (v) {
	case 0:
		return (void)memcpy(out, DWORDS(MI_SDI | 2, pa, 0, d), 16), 4;
	case 1:
		return (void)memcpy(out, DWORDS(MI_SDI | MI_GGTT | 2, ga, 0, d), 16), 4;
	case 2:
		return (void)memcpy(out, DWORDS(MI_LRI(1), 0x2600 + (d & 0x7c), a), 12), 3;
	case 3:
		return (void)memcpy(out, DWORDS(MI_SRM, 0x2600 + (d & 0x7c), pa, 0), 16), 4;
	case 4:
		return (void)memcpy(out, DWORDS(MI_USER_INTERRUPT, MI_ARB_CHECK), 8), 2;
	case 5:
		return (void)memcpy(out, DWORDS(PIPE_CONTROL(6), (d & (3u << 14)) | (a & (1u << 24)),
						 (a & (1u << 24)) ? ga : pa, 0, d, a), 24), 6;
	case 6:
		return (void)memcpy(out, DWORDS(MI_FLUSH_DW | (d & (3u << 14)) | 2, ga | 4, 0, d), 16), 4;
	case 7:
		return (void)memcpy(out, DWORDS(XY_COLOR | (d & (3u << 20)), br13, rect, rect2, LO(scratch), 0, a), 28), 7;
	case 8:
		return (void)memcpy(out, DWORDS(XY_SRC_COPY | (d & (3u << 20)), br13, rect, rect2, LO(scratch), 0,
						 rect, 64, LO(scratch), 0), 40), 10;
	case 9:
		return (void)memcpy(out, DWORDS(XY_FAST_COPY, (d & (7u << 24)) | 64, rect, rect2, LO(scratch), 0,
						 rect, 64, LO(scratch), 0), 40), 10;
	case 10:
		return (void)memcpy(out, DWORDS(XY_SETUP_CLIP, rect, rect2), 12), 3;
	default:
		/* "memory != random data": nearly always true at once. */
		return (void)memcpy(out, DWORDS(MI_SEM_WAIT | (1u << 15) | (5u << 12), a, pa, 0), 16), 4;
	}
}

/*
 * Hostile command streams: rings of random dwords and of known opcodes
 * with random operands, on every engine, through a PPGTT whose leaves
 * point at a scratch page. Each run ends in completion or a fault (then a
 * reset); softgpu survives every one and still runs a good context.
 */
static void
test_hostile_streams(void)
{
	static const uint32_t heads[] = {
		MI_SDI | 2, MI_SDI | MI_GGTT | 2, MI_LRI(1), MI_SRM, MI_LRM, MI_LRR, MI_COPY_MEM,
		MI_BB_START, MI_BB_START | MI_BB_PPGTT, MI_BB_START | MI_BB_SECOND,
		MI_BATCH_BUFFER_END, MI_USER_INTERRUPT, MI_ARB_CHECK, MI_STORE_INDEX | 1,
		MI_SEM_WAIT | (1u << 15), MI_FLUSH_DW | (1u << 14) | 2, PIPE_CONTROL(6),
		XY_COLOR | BLT_WRITE_RGB, XY_SRC_COPY, XY_FAST_COPY, XY_SETUP_CLIP, 0x78100007,
		0x7b000005,
	};
	struct sg_rig r;
	struct sg_ppgtt pp;
	struct sg_obj scratch;
	uint32_t seed = 0x12345678;
	unsigned int done = 0, faults = 0;

	rig_open(&r);
	softgpu_set_limits(r.g, 20000, 5);
	rig_ppgtt_init(&r, &pp, 4);
	rig_obj(&r, 1, true, &scratch);
	for (uint64_t va = 0; va < 64 * 4096; va += 4096)
		rig_ppgtt_map(&r, &pp, va, scratch.maddr);
	for (unsigned int iter = 0; iter < 400; iter++) {
		enum softgpu_engine e = (enum softgpu_engine)(iter % SOFTGPU_NR_ENGINES);
		struct sg_ctx c;
		uint32_t ring[160];
		struct softgpu_event ev;
		bool end = false;

		unsigned int n = 0;

		if (iter % 3) {
			/* Well-formed commands with random operands, mostly in mapped memory. */
			while (n < 100)
				n += wellformed(ring + n, &seed, scratch.gma, e);
		} else {
			/* Half known opcodes, small addresses (inside the mapped range) often. */
			for (; n < 128; n++) {
				uint32_t v = xorshift(&seed);

				if (v & 1)
					ring[n] = heads[(v >> 1) % (sizeof(heads) / sizeof(heads[0]))];
				else if (v & 2)
					ring[n] = (v >> 2) & 0x3fffc;
				else
					ring[n] = v;
			}
		}
		rig_ctx(&r, &c, iter, 1, &pp);
		ctx_emit(&c, ring, n);
		CU_ASSERT_EQUAL_FATAL(rig_submit1(&r, e, &c), 0);
		while (!end && rig_event(&r, &ev)) {
			if (ev.kind == SOFTGPU_EV_FAULT) {
				faults++;
				CU_ASSERT_EQUAL(softgpu_engine_reset(r.g, e), 0);
				end = true;
			} else if (ev.kind == SOFTGPU_EV_CSB && (ev.status & SOFTGPU_CSB_ACTIVE_IDLE)) {
				done++;
				end = true;
			}
		}
		CU_ASSERT_TRUE_FATAL(end);
		/* The streams may scribble on the status page registers: point them back. */
		for (int k = 0; k < SOFTGPU_NR_ENGINES; k++)
			softgpu_mmio_write(r.g, eng_base[k] + 0x80, (uint32_t)r.hwsp[k].gma);
	}
	CU_ASSERT_EQUAL(done + faults, 400);
	CU_ASSERT_TRUE(faults > 0);
	if (getenv("SG_VERBOSE"))
		fprintf(stderr, "\n    hostile: %u completed, %u faulted\n", done, faults);
	for (int e = 0; e < SOFTGPU_NR_ENGINES; e++) {
		struct sg_ctx ok;
		struct sg_obj dst;

		softgpu_engine_reset(r.g, (enum softgpu_engine)e);
		rig_ctx(&r, &ok, 1000 + e, 1, NULL);
		rig_obj(&r, 1, true, &dst);
		CTX_EMIT(&ok, SDI_GGTT(dst.gma, 0x600d));
		CU_ASSERT_EQUAL(rig_submit1(&r, (enum softgpu_engine)e, &ok), 0);
		rig_expect_run(&r, (enum softgpu_engine)e, 1000 + e);
		CU_ASSERT_EQUAL(rd32(&dst, 0), 0x600d);
	}
	rig_close(&r);
}

void suite_softgpu_exec(void);

void
suite_softgpu_exec(void)
{
	static const struct test_case cases[] = {
		{ "CSB: one element", test_csb_one },
		{ "CSB: two elements", test_csb_two },
		{ "CSB: preempting resubmit", test_csb_preempt },
		{ "submit: descriptors, one pending", test_submit_rules },
		{ "user interrupts", test_user_interrupt },
		{ "stores", test_stores },
		{ "post-sync writes", test_post_sync },
		{ "LRI/SRM/LRM/LRR", test_lri_srm },
		{ "batches in the GGTT", test_batch_ggtt },
		{ "batches in the PPGTT, large pages", test_batch_ppgtt },
		{ "legacy 32-bit PPGTT", test_ppgtt_legacy32 },
		{ "PPGTT faults", test_ppgtt_faults },
		{ "fault: opcode", test_fault_opcode },
		{ "fault: address", test_fault_address },
		{ "fault: hang", test_fault_hang },
		{ "fault: bad context", test_fault_bad_context },
		{ "reset while running", test_reset_running },
		{ "3D state skipped and counted", test_skip_3d_state },
		{ "all four engines at once", test_all_engines },
		{ "ring wrap", test_ring_wrap },
		{ "hostile command streams", test_hostile_streams },
		{ NULL, NULL },
	};

	test_add_suite("softgpu_exec", cases);
}
