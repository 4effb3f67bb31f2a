/* SPDX-License-Identifier: MIT */
/*
 * test_ggtt.c — guest GGTT emulation (ggtt.c) on the fake pgpu and fake
 * hypervisor: translation into the physical GGTT, read-back, hostile
 * entries (not guest RAM, outside its GM, malformed accesses), the
 * failsafe policy, and that a second vGPU beside it is never touched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define GUEST_RAM_MB 16
#define B_DMA_BASE 0x7700000000ull

struct fx {
	struct gpu gpu;
	struct vgpu *v[2];
};

static struct vgpu *
fx_vgpu(struct fx *fx, unsigned int id)
{
	struct vgpu *v = fake_bare_vgpu(&fx->gpu, id, "xengt_small", GUEST_RAM_MB);

	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_FATAL(ggtt_init(v) == 0);
	return v;
}

static void
fx_init(struct fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	fake_bare_gpu_init(&fx->gpu);
	fx->v[0] = fx_vgpu(fx, 1);
	fx->v[1] = fx_vgpu(fx, 2);
	fx->v[1]->hv->dma_base = B_DMA_BASE; /* B's frames live elsewhere */
}

static void
fx_free_vgpu(struct fx *fx, int i)
{
	if (!fx->v[i])
		return;
	ggtt_fini(fx->v[i]);
	fake_bare_vgpu_free(fx->v[i]);
	fx->v[i] = NULL;
}

static void
fx_done(struct fx *fx)
{
	fx_free_vgpu(fx, 0);
	fx_free_vgpu(fx, 1);
	fake_bare_gpu_fini(&fx->gpu);
}

static uint64_t *
pggtt(struct fx *fx)
{
	return fake_pgpu(&fx->gpu.dev)->ggtt;
}

/* A guest access as vgpu.c routes it: v->lock held, off from the GGTT start. */
static int
gacc(struct vgpu *v, int write, uint64_t off, unsigned int size, uint64_t *val)
{
	int rc;

	pthread_mutex_lock(&v->lock);
	rc = ggtt_access(v, write, off, size, val);
	pthread_mutex_unlock(&v->lock);
	return rc;
}

static int
gput(struct vgpu *v, uint64_t idx, uint64_t pte)
{
	return gacc(v, 1, idx * 8, 8, &pte);
}

static uint64_t
gget(struct vgpu *v, uint64_t idx)
{
	uint64_t val = 0xdeadbeefdeadbeefull;

	CU_ASSERT_EQUAL(gacc(v, 0, idx * 8, 8, &val), 0);
	return val;
}

/* Entry index of byte gma. */
static uint64_t
ix(uint64_t gma)
{
	return gma >> 12;
}

static void
test_translate(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t ia, ib, ih, pte;
	uint64_t v32;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	ia = ix(a->part.low_base) + 5;
	ib = ix(b->part.low_base) + 5;
	ih = ix(a->part.high_base + a->part.high_size) - 1; /* its last hidden entry */

	pte = (0x123ull << 12) | 0x3;
	CU_ASSERT_EQUAL(gput(a, ia, pte), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], (0x100000000ull + 0x123000) | 0x3);
	CU_ASSERT_EQUAL(gget(a, ia), pte);
	/* The same gfn in B goes to B's frames, at B's index. */
	CU_ASSERT_EQUAL(gput(b, ib, pte), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ib], (B_DMA_BASE + 0x123000) | 0x3);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], (0x100000000ull + 0x123000) | 0x3);
	/* Hidden GM, last guest frame, high bits above 45 and PAT bits. */
	pte = 0xfff0000000000000ull | ((GUEST_RAM_MB * 256ull - 1) << 12) | 0x19b;
	CU_ASSERT_EQUAL(gput(a, ih, pte), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ih], 0x100000000ull + (GUEST_RAM_MB << 20) - 4096 + 0x19b);
	CU_ASSERT_EQUAL(gget(a, ih), pte); /* the guest reads what it wrote */
	/* 4-byte and 2-byte reads of the halves. */
	CU_ASSERT_EQUAL(gacc(a, 0, ih * 8 + 4, 4, &v32), 0);
	CU_ASSERT_EQUAL(v32, pte >> 32);
	CU_ASSERT_EQUAL(gacc(a, 0, ih * 8 + 6, 2, &v32), 0);
	CU_ASSERT_EQUAL(v32, 0xfff0);
	CU_ASSERT_EQUAL(gacc(a, 0, ih * 8, 1, &v32), 0);
	CU_ASSERT_EQUAL(v32, 0x9b);
	/* Not present: the physical entry points at nothing. */
	CU_ASSERT_EQUAL(gput(a, ia, 0x123000), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0);
	CU_ASSERT_EQUAL(gget(a, ia), 0x123000);
	CU_ASSERT_EQUAL(a->stats.ggtt_writes, 3);
	CU_ASSERT_EQUAL(a->stats.ggtt_bad, 0);
	CU_ASSERT_EQUAL(b->stats.ggtt_writes, 1);
	fx_done(&fx);
}

static void
test_not_ram(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t ia, good = (0x42ull << 12) | 1;
	unsigned int writes;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	ia = ix(a->part.high_base) + 7;
	CU_ASSERT_EQUAL(gput(a, ia, good), 0);
	writes = fake_pgpu(&fx.gpu.dev)->ggtt_writes;
	/*
	 * gfn one past its RAM: the old mapping must not stay live, the
	 * physical entry goes to the scratch page (none here: 0), the guest
	 * reads back what it wrote.
	 */
	CU_ASSERT_EQUAL(gput(a, ia, ((uint64_t)GUEST_RAM_MB << 20) | 1), 0);
	CU_ASSERT_EQUAL(fake_pgpu(&fx.gpu.dev)->ggtt_writes, writes + 1);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0);
	CU_ASSERT_EQUAL(gget(a, ia), ((uint64_t)GUEST_RAM_MB << 20) | 1);
	/* Good again, then a gfn at the top of the 46-bit space. */
	CU_ASSERT_EQUAL(gput(a, ia, good), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0x100000000ull + 0x42000 + 1);
	CU_ASSERT_EQUAL(gput(a, ia, GGTT_PTE_ADDR_MASK | 1), 0);
	CU_ASSERT_EQUAL(fake_pgpu(&fx.gpu.dev)->ggtt_writes, writes + 3);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0);
	CU_ASSERT_EQUAL(gget(a, ia), GGTT_PTE_ADDR_MASK | 1);
	CU_ASSERT_EQUAL(a->stats.ggtt_bad, 2);
	CU_ASSERT_EQUAL(a->stats.ggtt_writes, 4);
	CU_ASSERT_FALSE(a->stats.failsafe);
	/* A DMA address the PTE cannot hold (above bit 45) is refused too. */
	a->hv->dma_base = 1ull << 47;
	CU_ASSERT_EQUAL(gput(a, ia + 1, good), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia + 1], 0);
	CU_ASSERT_EQUAL(gget(a, ia + 1), good);
	CU_ASSERT_EQUAL(a->stats.ggtt_bad, 3);
	CU_ASSERT_EQUAL(b->stats.ggtt_bad, 0);
	fx_done(&fx);
}

static void
test_outside_range(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t ib, pte = (0x10ull << 12) | 1;
	unsigned int writes;
	uint64_t lines;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	ib = ix(b->part.low_base);
	CU_ASSERT_EQUAL(gput(b, ib, pte), 0);
	writes = fake_pgpu(&fx.gpu.dev)->ggtt_writes;
	lines = log_lines();
	/* A writes B's entry, the host's entry 0, the last GGTT entry, just past its part. */
	CU_ASSERT_EQUAL(gput(a, ib, (0x20ull << 12) | 1), 0);
	CU_ASSERT_EQUAL(gput(a, 0, pte), 0);
	CU_ASSERT_EQUAL(gput(a, (1u << 20) - 1, pte), 0);
	CU_ASSERT_EQUAL(gput(a, ix(a->part.low_base + a->part.low_size), pte), 0);
	CU_ASSERT_EQUAL(gput(a, ix(a->part.low_base) - 1, pte), 0);
	CU_ASSERT_EQUAL(log_lines() - lines, 1);
	CU_ASSERT_EQUAL(fake_pgpu(&fx.gpu.dev)->ggtt_writes, writes);
	CU_ASSERT_EQUAL(pggtt(&fx)[ib], B_DMA_BASE + 0x10000 + 1);
	CU_ASSERT_EQUAL(a->stats.ggtt_bad, 5);
	CU_ASSERT_FALSE(a->stats.failsafe);
	/* Reads outside its GM: 0 (ballooned), not B's value. */
	CU_ASSERT_EQUAL(gget(a, ib), 0);
	CU_ASSERT_EQUAL(gget(a, 0), 0);
	CU_ASSERT_EQUAL(gget(b, ib), pte);
	CU_ASSERT_EQUAL(b->stats.ggtt_bad, 0);
	fx_done(&fx);
}

/* vgpu.c's vgpu_enter_failsafe: the policy puts only the offender in failsafe. */
static void
test_failsafe_policy(void)
{
	struct fx fx;
	struct vgpu *a, *b;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	a->cfg.ggtt_failsafe = true;
	b->cfg.ggtt_failsafe = true;
	CU_ASSERT_EQUAL(gput(a, ix(b->part.high_base), 1), 0);
	CU_ASSERT_TRUE(a->stats.failsafe);
	CU_ASSERT_PTR_NOT_NULL(strstr(a->stats.failsafe_reason, "GGTT"));
	CU_ASSERT_FALSE(b->stats.failsafe);
	/* Same for an entry to a page outside its RAM. */
	CU_ASSERT_EQUAL(gput(b, ix(b->part.high_base), (0xfffffull << 12) | 1), 0);
	CU_ASSERT_TRUE(b->stats.failsafe);
	CU_ASSERT_EQUAL(pggtt(&fx)[ix(b->part.high_base)], 0);
	fx_done(&fx);
}

/* Halves, bytes, unaligned and oversized accesses: safe answers, never a torn entry. */
static void
test_partial_and_malformed(void)
{
	struct fx fx;
	struct vgpu *a;
	uint64_t ia, v, pte = (0x77ull << 12) | 3;
	unsigned int writes;

	fx_init(&fx);
	a = fx.v[0];
	ia = ix(a->part.low_base) + 1;
	/* Two dword halves, low first (i915 on a 32-bit kernel). */
	v = (uint32_t)pte;
	CU_ASSERT_EQUAL(gacc(a, 1, ia * 8, 4, &v), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0);
	v = pte >> 32;
	CU_ASSERT_EQUAL(gacc(a, 1, ia * 8 + 4, 4, &v), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0x100000000ull + 0x77000 + 3);
	CU_ASSERT_EQUAL(gget(a, ia), pte);
	/* Eight byte writes, high byte first. */
	for (int i = 7; i >= 0; i--) {
		v = ((0x55ull << 12) | 1) >> (i * 8);
		CU_ASSERT_EQUAL(gacc(a, 1, ia * 8 + (unsigned int)i, 1, &v), 0);
		if (i)
			CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0x100000000ull + 0x77000 + 3);
	}
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0x100000000ull + 0x55000 + 1);
	/* A half, then a half of another entry: the first is abandoned. */
	v = 0x99001;
	CU_ASSERT_EQUAL(gacc(a, 1, ia * 8, 4, &v), 0);
	CU_ASSERT_EQUAL(gget(a, ia), 0x99001); /* register-like read-back of the merge */
	v = 0;
	CU_ASSERT_EQUAL(gacc(a, 1, (ia + 1) * 8 + 4, 4, &v), 0);
	CU_ASSERT_EQUAL(gget(a, ia), (0x55ull << 12) | 1);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0x100000000ull + 0x55000 + 1);

	/* Malformed: crossing entries, odd sizes, past the GGTT. */
	writes = fake_pgpu(&fx.gpu.dev)->ggtt_writes;
	v = ~0ull;
	CU_ASSERT_EQUAL(gacc(a, 1, ia * 8 + 6, 4, &v), -EINVAL);
	CU_ASSERT_EQUAL(gacc(a, 1, ia * 8 + 1, 8, &v), -EINVAL);
	CU_ASSERT_EQUAL(gacc(a, 1, ia * 8, 3, &v), -EINVAL);
	CU_ASSERT_EQUAL(gacc(a, 1, ia * 8, 16, &v), -EINVAL);
	CU_ASSERT_EQUAL(gacc(a, 1, ia * 8, 0, &v), -EINVAL);
	CU_ASSERT_EQUAL(gacc(a, 1, GGTT_MMIO_SIZE, 8, &v), -EINVAL);
	CU_ASSERT_EQUAL(gacc(a, 1, UINT64_MAX - 3, 4, &v), -EINVAL);
	v = 0;
	CU_ASSERT_EQUAL(gacc(a, 0, ia * 8 + 7, 2, &v), -EINVAL);
	CU_ASSERT_EQUAL(v, ~0ull);
	CU_ASSERT_EQUAL(fake_pgpu(&fx.gpu.dev)->ggtt_writes, writes);
	CU_ASSERT_EQUAL(a->stats.bad_access, 8);
	CU_ASSERT_EQUAL(gget(a, ia), (0x55ull << 12) | 1);
	/* A partial write outside its GM is refused like a whole one. */
	v = 1;
	CU_ASSERT_EQUAL(gacc(a, 1, 8, 4, &v), 0);
	CU_ASSERT_EQUAL(a->stats.ggtt_bad, 1);
	CU_ASSERT_EQUAL(pggtt(&fx)[1], 0);
	fx_done(&fx);
}

/* Destroy clears its physical entries; the neighbour's stay. */
static void
test_fini_clears(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t ia, ih, ib;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	ia = ix(a->part.low_base);
	ih = ix(a->part.high_base) + 3;
	ib = ix(b->part.low_base);
	CU_ASSERT_EQUAL(gput(a, ia, 0x1001), 0);
	CU_ASSERT_EQUAL(gput(a, ih, 0x2001), 0);
	CU_ASSERT_EQUAL(gput(b, ib, 0x3001), 0);
	CU_ASSERT_NOT_EQUAL(pggtt(&fx)[ia], 0);
	CU_ASSERT_NOT_EQUAL(pggtt(&fx)[ih], 0);
	fx_free_vgpu(&fx, 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ih], 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ib], B_DMA_BASE + 0x3001);
	/* A new vGPU in the freed share sees nothing stale. */
	fx.v[0] = fx_vgpu(&fx, 3);
	CU_ASSERT_EQUAL(fx.v[0]->part.low_base, ia << 12);
	CU_ASSERT_EQUAL(gget(fx.v[0], ia), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0);
	fx_done(&fx);
}


#define SCRATCH 0x7f000000ull

/* With a scratch page, non-present and released entries point at it, never at page 0. */
static void
test_scratch_page(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t ia, ib;

	fx_init(&fx);
	fx.gpu.info.scratch_maddr = SCRATCH;
	a = fx.v[0];
	b = fx.v[1];
	ia = ix(a->part.low_base) + 2;
	ib = ix(b->part.low_base) + 2;
	CU_ASSERT_EQUAL(gput(a, ia, 0x1001), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0x100000000ull + 0x1001);
	CU_ASSERT_EQUAL(gput(a, ia, 0x1000), 0); /* not present */
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], SCRATCH | GGTT_PTE_PRESENT);
	CU_ASSERT_EQUAL(gget(a, ia), 0x1000);	 /* the guest still reads its value */
	CU_ASSERT_EQUAL(gput(a, ia + 1, 0x2001), 0);
	CU_ASSERT_EQUAL(gput(b, ib, 0x3001), 0);
	fx_free_vgpu(&fx, 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia + 1], SCRATCH | GGTT_PTE_PRESENT);
	CU_ASSERT_EQUAL(pggtt(&fx)[ib], B_DMA_BASE + 0x3001);
	fx_done(&fx);
}

/* A refused entry (frame not its RAM) replaces a live mapping by the scratch page. */
static void
test_not_ram_scratch(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t ia, ib, bad = ((uint64_t)GUEST_RAM_MB << 20) | 0x3;

	fx_init(&fx);
	fx.gpu.info.scratch_maddr = SCRATCH;
	a = fx.v[0];
	b = fx.v[1];
	ia = ix(a->part.high_base) + 9;
	ib = ix(b->part.high_base) + 9;
	CU_ASSERT_EQUAL(gput(a, ia, 0x5001), 0);
	CU_ASSERT_EQUAL(gput(b, ib, 0x5001), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0x100000000ull + 0x5001);
	CU_ASSERT_EQUAL(gput(a, ia, bad), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], SCRATCH | GGTT_PTE_PRESENT);
	CU_ASSERT_EQUAL(gget(a, ia), bad);
	CU_ASSERT_EQUAL(a->stats.ggtt_bad, 1);
	CU_ASSERT_EQUAL(pggtt(&fx)[ib], B_DMA_BASE + 0x5001);
	CU_ASSERT_EQUAL(b->stats.ggtt_bad, 0);
	/* With the failsafe policy: same physical outcome, and the vGPU stops. */
	a->cfg.ggtt_failsafe = true;
	CU_ASSERT_EQUAL(gput(a, ia + 1, 0x6001), 0);
	CU_ASSERT_EQUAL(gput(a, ia + 1, bad), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia + 1], SCRATCH | GGTT_PTE_PRESENT);
	CU_ASSERT_TRUE(a->stats.failsafe);
	CU_ASSERT_FALSE(b->stats.failsafe);
	fx_done(&fx);
}

static const struct pgpu_ops *real_ops;

static void
bad_scratch_info(struct pgpu *p, struct pgpu_info *out)
{
	real_ops->info(p, out);
	out->scratch_maddr = 0x1234; /* not page aligned */
}

/* gpu_create refuses a backend whose scratch page is not a page address. */
static void
test_scratch_unaligned(void)
{
	struct pgpu_ops ops;
	struct pgpu_dev dev;
	struct gpu *gpu = NULL;

	fake_pgpu_open(&dev);
	real_ops = dev.ops;
	ops = *dev.ops;
	ops.info = bad_scratch_info;
	dev.ops = &ops;
	CU_ASSERT_EQUAL(gpu_create(&dev, &gpu), -EINVAL);
	CU_ASSERT_PTR_NULL(gpu);
	real_ops->close(dev.p);
}

static const struct test_case ggtt_cases[] = {
	{ "entry translated into the physical GGTT", test_translate },
	{ "entry to a page outside its RAM refused", test_not_ram },
	{ "write outside its GM refused, reads 0", test_outside_range },
	{ "failsafe policy", test_failsafe_policy },
	{ "partial, unaligned and oversized accesses", test_partial_and_malformed },
	{ "fini clears its physical entries only", test_fini_clears },
	{ "scratch page behind non-present entries", test_scratch_page },
	{ "refused entry points at the scratch page", test_not_ram_scratch },
	{ "unaligned scratch page refused", test_scratch_unaligned },
	{ NULL, NULL },
};

void suite_ggtt(void);

void
suite_ggtt(void)
{
	test_add_suite("ggtt", ggtt_cases);
}
