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

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define GUEST_RAM_MB 16
#define B_DMA_BASE 0x7700000000ull
/* BAR0 offset of the GGTT entry of GM address gma. */
#define GGTT_OFF_OF(gma) (BAR0_GGTT_OFF + ((gma) >> 12) * 8)

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
	 * physical entry is not present, the guest reads back what it wrote.
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


/* Is physical entry idx present, i.e. does its GM page reach any memory? */
static bool
reaches(struct fx *fx, uint64_t idx)
{
	return pggtt(fx)[idx] & GGTT_PTE_PRESENT;
}

/* Every physical entry of v's share (both parts) holds GGTT_PTE_NONE. */
static size_t
share_not_none(struct fx *fx, const struct gm_part *p)
{
	size_t bad = 0;

	for (uint64_t i = ix(p->low_base); i < ix(p->low_base + p->low_size); i++)
		bad += pggtt(fx)[i] != GGTT_PTE_NONE;
	for (uint64_t i = ix(p->high_base); i < ix(p->high_base + p->high_size); i++)
		bad += pggtt(fx)[i] != GGTT_PTE_NONE;
	return bad;
}

#define STALE_PTE(i) ((((i) & 0xffffull) << 12) | 0x5000000000ull | GGTT_PTE_PRESENT)

/*
 * Creation resets the whole share: a GGTT full of live entries (what the
 * host's i915, or a daemon that died with vGPUs attached, leaves) keeps
 * none inside a new vGPU's aperture or hidden part; outside them nothing
 * is touched.
 */
static void
test_reset_on_create(void)
{
	struct fx fx;
	struct gm_part pa, pb;
	uint64_t host_idx, free_idx;

	memset(&fx, 0, sizeof(fx));
	fake_bare_gpu_init(&fx.gpu);
	for (uint64_t i = 0; i < fx.gpu.info.ggtt_entries; i++)
		pggtt(&fx)[i] = STALE_PTE(i);
	fx.v[0] = fx_vgpu(&fx, 1);
	fx.v[1] = fx_vgpu(&fx, 2);
	pa = fx.v[0]->part;
	pb = fx.v[1]->part;
	CU_ASSERT_EQUAL(share_not_none(&fx, &pa), 0);
	CU_ASSERT_EQUAL(share_not_none(&fx, &pb), 0);
	/* The guest sees empty entries too. */
	CU_ASSERT_EQUAL(gget(fx.v[0], ix(pa.low_base)), 0);
	CU_ASSERT_EQUAL(gget(fx.v[0], ix(pa.high_base + pa.high_size) - 1), 0);
	/* The host's GM and the free GM after the shares keep their entries. */
	host_idx = ix(pa.low_base) - 1;
	free_idx = ix(pb.high_base + pb.high_size);
	CU_ASSERT_EQUAL(pggtt(&fx)[host_idx], STALE_PTE(host_idx));
	CU_ASSERT_EQUAL(pggtt(&fx)[free_idx], STALE_PTE(free_idx));
	CU_ASSERT_EQUAL(pggtt(&fx)[ix(pb.low_base + pb.low_size)],
			STALE_PTE(ix(pb.low_base + pb.low_size)));
	fx_done(&fx);
}

/*
 * Destroy resets the whole share, whatever the guest did with it (mapped,
 * refused, not-present and half-written entries), and the next owner of
 * the share reaches nothing through it.
 */
static void
test_destroy_resets(void)
{
	struct fx fx;
	struct gm_part pa;
	uint64_t ia, ih, v;

	fx_init(&fx);
	pa = fx.v[0]->part;
	ia = ix(pa.low_base);
	ih = ix(pa.high_base);
	CU_ASSERT_EQUAL(gput(fx.v[0], ia, 0x10001), 0);		  /* its page */
	CU_ASSERT_EQUAL(gput(fx.v[0], ia + 1, 0x7fff0001), 0);	  /* refused */
	CU_ASSERT_EQUAL(gput(fx.v[0], ia + 2, 0x11000), 0);	  /* not present */
	CU_ASSERT_EQUAL(gput(fx.v[0], ih + 5, 0x12001), 0);
	v = 0x13001;
	CU_ASSERT_EQUAL(gacc(fx.v[0], 1, (ih + 6) * 8, 4, &v), 0); /* half an entry */
	CU_ASSERT_TRUE(reaches(&fx, ia));
	CU_ASSERT_TRUE(reaches(&fx, ih + 5));
	CU_ASSERT_EQUAL(gput(fx.v[1], ix(fx.v[1]->part.low_base), 0x10001), 0);
	fx_free_vgpu(&fx, 0);
	CU_ASSERT_EQUAL(share_not_none(&fx, &pa), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ix(fx.v[1]->part.low_base)], B_DMA_BASE + 0x10001);
	/* The next owner gets the same share: nothing reachable, nothing to read. */
	fx.v[0] = fx_vgpu(&fx, 3);
	CU_ASSERT_EQUAL(fx.v[0]->part.low_base, pa.low_base);
	CU_ASSERT_EQUAL(fx.v[0]->part.high_base, pa.high_base);
	CU_ASSERT_EQUAL(share_not_none(&fx, &pa), 0);
	CU_ASSERT_EQUAL(gget(fx.v[0], ia), 0);
	CU_ASSERT_EQUAL(gget(fx.v[0], ih + 6), 0);
	fx_done(&fx);
}

/*
 * No page is reachable from two guests: a not-present or refused entry
 * of either guest is physically not present (no common scratch page), so
 * what A writes through such an aperture page lands nowhere B can read.
 */
static void
test_no_shared_page(void)
{
	static const uint64_t ptes[] = {
		0x20000,				/* not present */
		((uint64_t)GUEST_RAM_MB << 20) | 1,	/* past its RAM */
		GGTT_PTE_ADDR_MASK | 1,			/* top of the address space */
		0,					/* all zero */
	};
	struct fx fx;
	uint64_t base[2];

	fx_init(&fx);
	for (int g = 0; g < 2; g++) {
		base[g] = ix(fx.v[g]->part.low_base) + 16;
		for (size_t i = 0; i < sizeof(ptes) / sizeof(ptes[0]); i++) {
			CU_ASSERT_EQUAL(gput(fx.v[g], base[g] + i, ptes[i]), 0);
			CU_ASSERT_EQUAL(pggtt(&fx)[base[g] + i], GGTT_PTE_NONE);
			CU_ASSERT_EQUAL(gget(fx.v[g], base[g] + i), ptes[i]);
		}
	}
	/* Over a live mapping too: the page it named is no longer reached. */
	CU_ASSERT_EQUAL(gput(fx.v[0], base[0], 0x30001), 0);
	CU_ASSERT_TRUE(reaches(&fx, base[0]));
	CU_ASSERT_EQUAL(gput(fx.v[0], base[0], 0x30000), 0);
	CU_ASSERT_FALSE(reaches(&fx, base[0]));
	CU_ASSERT_EQUAL(fx.v[0]->stats.ggtt_bad, 2);
	CU_ASSERT_EQUAL(fx.v[1]->stats.ggtt_bad, 2);
	fx_done(&fx);
}

/* The hypervisor refuses a frame inside the guest's RAM: never installed. */
static void
test_dma_refused(void)
{
	struct fx fx;
	struct vgpu *a;
	uint64_t ia;

	fx_init(&fx);
	a = fx.v[0];
	ia = ix(a->part.low_base) + 3;
	a->hv->refuse_gfn = 0x40;
	a->hv->refuse_n = 4;
	CU_ASSERT_EQUAL(gput(a, ia, 0x3f001), 0);
	CU_ASSERT_TRUE(reaches(&fx, ia));
	for (uint64_t gfn = 0x40; gfn < 0x44; gfn++) {
		CU_ASSERT_EQUAL(gput(a, ia, (gfn << 12) | 1), 0);
		CU_ASSERT_EQUAL(pggtt(&fx)[ia], GGTT_PTE_NONE);
		CU_ASSERT_EQUAL(gget(a, ia), (gfn << 12) | 1);
	}
	CU_ASSERT_EQUAL(gput(a, ia, 0x44001), 0);
	CU_ASSERT_EQUAL(pggtt(&fx)[ia], 0x100000000ull + 0x44001);
	CU_ASSERT_EQUAL(a->stats.ggtt_bad, 4);
	fx_done(&fx);
}

/* gfn_to_dma answers that break the hv.h contract (hv_ops wrappers). */
static int
dma_unaligned(struct hv *hv, uint64_t gfn, uint64_t *dma)
{
	int rc = fake_hv_ops.gfn_to_dma(hv, gfn, dma);

	*dma |= 0x800;
	return rc;
}

static int
dma_positive(struct hv *hv, uint64_t gfn, uint64_t *dma)
{
	*dma = hv->dma_base + (gfn << 12);
	return 1;
}

/* An answer that is not a page address the PTE can hold, or not 0, is a refusal. */
static void
test_dma_answer_checked(void)
{
	int (*const bad[])(struct hv *, uint64_t, uint64_t *) = { dma_unaligned, dma_positive };
	struct fx fx;
	struct vgpu *a;
	struct hv_ops ops = fake_hv_ops;
	uint64_t ia;

	fx_init(&fx);
	a = fx.v[0];
	ia = ix(a->part.high_base) + 1;
	a->hv_ops = &ops;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ops.gfn_to_dma = fake_hv_ops.gfn_to_dma;
		CU_ASSERT_EQUAL(gput(a, ia, 0x9001), 0);
		CU_ASSERT_TRUE(reaches(&fx, ia));
		ops.gfn_to_dma = bad[i];
		CU_ASSERT_EQUAL(gput(a, ia, 0x9001), 0);
		CU_ASSERT_EQUAL(pggtt(&fx)[ia], GGTT_PTE_NONE);
	}
	CU_ASSERT_EQUAL(a->stats.ggtt_bad, 2);
	a->hv_ops = &fake_hv_ops;
	fx_done(&fx);
}

/*
 * A frame of the vGPU's own BARs is never installed, even when the
 * hypervisor's lookup (wrongly) answers for it: the aperture (BAR2), its
 * registers and GGTT (BAR0). Through vgpu_create with the BARs placed.
 */
static void
test_own_bar_frames(void)
{
	struct fake_setup s;
	struct vgpu_partition p;
	uint64_t gpa, pte, *ggtt;
	const uint64_t frames[] = {
		FAKE_BAR2,			/* first aperture frame */
		FAKE_BAR2 + (16ull << 20),	/* inside its own slice */
		FAKE_BAR2 + (256ull << 20) - 4096, /* last aperture frame */
		FAKE_BAR0,			/* registers */
		FAKE_BAR0 + (8ull << 20),	/* its GGTT */
		FAKE_BAR0 + (16ull << 20) - 4096,
	};

	CU_ASSERT_EQUAL_FATAL(fake_setup(&s, NULL), 0);
	s.hv->dma_any = true;
	ggtt = fake_pgpu(&s.dev)->ggtt;
	vgpu_get_partition(s.v, &p);
	gpa = FAKE_BAR0 + GGTT_OFF_OF(p.low_base);
	/* The lax lookup does answer for RAM beyond 64 MiB: installed. */
	pte = (1ull << 30) | 1;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, gpa, 8, &pte), 0);
	CU_ASSERT_EQUAL(ggtt[ix(p.low_base)], 0x100000000ull + (1ull << 30) + 1);
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		uint64_t back = 0;

		pte = frames[i] | 1;
		CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, gpa, 8, &pte), 0);
		CU_ASSERT_EQUAL(ggtt[ix(p.low_base)], GGTT_PTE_NONE);
		CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, gpa, 8, &back), 0);
		CU_ASSERT_EQUAL(back, frames[i] | 1);
	}
	CU_ASSERT_EQUAL(s.v->stats.ggtt_bad, sizeof(frames) / sizeof(frames[0]));
	/* BARs disabled (decode off): the frame is no BAR then; the lookup decides. */
	pte = FAKE_BAR2 | 1;
	{
		uint32_t cmd = 0x4;

		CU_ASSERT_EQUAL(vgpu_cfg_access(s.v, true, 0x04, 2, &cmd), 0);
	}
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, gpa, 8, &pte), -ENOENT);
	fake_teardown(&s);
}

static const struct test_case ggtt_cases[] = {
	{ "entry translated into the physical GGTT", test_translate },
	{ "entry to a page outside its RAM refused", test_not_ram },
	{ "write outside its GM refused, reads 0", test_outside_range },
	{ "failsafe policy", test_failsafe_policy },
	{ "partial, unaligned and oversized accesses", test_partial_and_malformed },
	{ "fini clears its physical entries only", test_fini_clears },
	{ "creation resets the whole share", test_reset_on_create },
	{ "destroy resets the whole share", test_destroy_resets },
	{ "no page reachable by two guests", test_no_shared_page },
	{ "frame the hypervisor refuses never installed", test_dma_refused },
	{ "gfn_to_dma answer checked", test_dma_answer_checked },
	{ "frames of its own BARs never installed", test_own_bar_frames },
	{ NULL, NULL },
};

void suite_ggtt(void);

void
suite_ggtt(void)
{
	test_add_suite("ggtt", ggtt_cases);
}
