/* SPDX-License-Identifier: MIT */
/*
 * test_fence.c — fence registers (fence.c) through their table row: guest
 * fence i of a vGPU lands in physical fence fence_base + i, another
 * vGPU's slots read 0 and drop writes, a range outside the vGPU's GM is
 * refused. vGPUs are set up by hand on the fake pgpu (tests/fake_hv.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/regs/mmio_tables.h"
#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define FENCE_LO(i) (0x100000u + (i) * 8u)
#define FENCE_HI(i) (FENCE_LO(i) + 4u)

struct fx {
	struct gpu gpu;
	struct vgpu *v[2];
};

static void
fx_init(struct fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	fake_bare_gpu_init(&fx->gpu);
	fx->v[0] = fake_bare_vgpu(&fx->gpu, 1, "GVTg_V5_8", 16);
	fx->v[1] = fake_bare_vgpu(&fx->gpu, 2, "GVTg_V5_8", 16);
	CU_ASSERT_FATAL(fx->v[0] && fx->v[1]);
}

static void
fx_done(struct fx *fx)
{
	fake_bare_vgpu_free(fx->v[0]);
	fake_bare_vgpu_free(fx->v[1]);
	fake_bare_gpu_fini(&fx->gpu);
}

static const struct mmio_reg *
fence_row(void)
{
	CU_ASSERT_FATAL(fence_mmio_table.nregs == 1);
	return &fence_mmio_table.regs[0];
}

static uint32_t
phys(struct fx *fx, uint32_t off)
{
	return fake_pgpu(&fx->gpu.dev)->mmio[off / 4];
}

/* Guest-side accessors, as mmio.c calls the row (v->lock held). */
static int
gwrite(struct vgpu *v, uint32_t off, uint32_t val)
{
	int rc;

	pthread_mutex_lock(&v->lock);
	rc = fence_row()->write(v, off, val);
	pthread_mutex_unlock(&v->lock);
	return rc;
}

static uint32_t
gread(struct vgpu *v, uint32_t off)
{
	uint32_t val = 0xdeadbeef;

	pthread_mutex_lock(&v->lock);
	CU_ASSERT_EQUAL(fence_row()->read(v, off, &val), 0);
	pthread_mutex_unlock(&v->lock);
	return val;
}

/* Program guest fence i as i915 does: disable, hi, lo. */
static int
program(struct vgpu *v, unsigned int i, uint64_t start, uint64_t end, uint32_t flags)
{
	int rc = gwrite(v, FENCE_LO(i), 0);

	if (!rc)
		rc = gwrite(v, FENCE_HI(i), (uint32_t)((end - 4096) & 0xfffff000) | 0x7);
	if (!rc)
		rc = gwrite(v, FENCE_LO(i), (uint32_t)start | flags);
	return rc;
}

static void
test_row(void)
{
	const struct mmio_reg *r = fence_row();

	CU_ASSERT_EQUAL(r->off, 0x100000);
	CU_ASSERT_EQUAL(r->size, 32 * 8);
	CU_ASSERT_PTR_NOT_NULL(r->read);
	CU_ASSERT_PTR_NOT_NULL(r->write);
	CU_ASSERT_PTR_NOT_NULL(r->write64);
	CU_ASSERT_STRING_EQUAL(fence_mmio_table.module, "fence");
}

static void
test_map_to_physical(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t start;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	CU_ASSERT_EQUAL(a->part.fence_base, 4);
	CU_ASSERT_EQUAL(b->part.fence_base, 8);
	start = b->part.low_base + 0x100000;

	CU_ASSERT_EQUAL(program(b, 0, start, start + 0x200000, 1), 0);
	/* B's guest fence 0 is physical fence 8, with the very same value. */
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(8)), (uint32_t)start | 1);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_HI(8)), (uint32_t)(start + 0x1ff000) | 0x7);
	CU_ASSERT_EQUAL(gread(b, FENCE_LO(0)), (uint32_t)start | 1);
	CU_ASSERT_EQUAL(gread(b, FENCE_HI(0)), (uint32_t)(start + 0x1ff000) | 0x7);
	/* Nothing else moved: the host's fence 0, A's fence 4, B's virtual fence 8. */
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(0)), 0);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(4)), 0);
	CU_ASSERT_EQUAL(gread(a, FENCE_LO(0)), 0);

	/* Guest fence 3 (its last) of A, in its hidden GM, lands in physical 7. */
	start = a->part.high_base;
	CU_ASSERT_EQUAL(program(a, 3, start, start + a->part.high_size, 3), 0);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(7)), (uint32_t)start | 3);
	CU_ASSERT_EQUAL(b->stats.bad_access + a->stats.bad_access, 0);
	fx_done(&fx);
}

static void
test_other_vgpus_fence(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t lines;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	/* Physical fence 8 is B's; A's guest index 4 is beyond A's four fences. */
	CU_ASSERT_EQUAL(program(b, 0, b->part.low_base, b->part.low_base + 4096, 1), 0);
	lines = log_lines();
	CU_ASSERT_EQUAL(gwrite(a, FENCE_LO(4), (uint32_t)a->part.low_base | 1), -EPERM);
	CU_ASSERT_EQUAL(gwrite(a, FENCE_HI(31), 0xffffffff), -EPERM);
	CU_ASSERT_EQUAL(log_lines() - lines, 1); /* warned once */
	CU_ASSERT_EQUAL(a->stats.bad_access, 2);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(8)), (uint32_t)b->part.low_base | 1);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(12)), 0);
	/* Reads of another's slot give 0, not B's value. */
	CU_ASSERT_EQUAL(gread(a, FENCE_LO(4)), 0);
	CU_ASSERT_EQUAL(a->stats.bad_access, 3);
	CU_ASSERT_EQUAL(b->stats.bad_access, 0);
	fx_done(&fx);
}

static void
test_range_outside_gm(void)
{
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t s;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	/* A fence of A over B's aperture GM: refused, nothing written. */
	s = b->part.low_base;
	CU_ASSERT_EQUAL(program(a, 0, s, s + 0x10000, 1), -EPERM);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(4)), 0);
	CU_ASSERT_EQUAL(gread(a, FENCE_LO(0)), 0);
	/* Straddling the end of its own aperture part. */
	s = a->part.low_base + a->part.low_size - 4096;
	CU_ASSERT_EQUAL(program(a, 1, s, s + 8192, 1), -EPERM);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(5)), 0);
	/* Host GM (below the first share). */
	CU_ASSERT_EQUAL(program(a, 2, 0, 0x100000, 1), -EPERM);
	/* End before start. */
	CU_ASSERT_EQUAL(gwrite(a, FENCE_HI(0), (uint32_t)a->part.low_base), 0);
	CU_ASSERT_EQUAL(gwrite(a, FENCE_LO(0), (uint32_t)(a->part.low_base + 0x10000) | 1),
			-EPERM);
	CU_ASSERT_EQUAL(a->stats.bad_access, 4);
	/* A disabled fence may hold any range: it does nothing. */
	CU_ASSERT_EQUAL(gwrite(a, FENCE_LO(0), (uint32_t)b->part.low_base), 0);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(4)), (uint32_t)b->part.low_base);
	/* Enabling it over B's range is refused at the hi write too. */
	CU_ASSERT_EQUAL(gwrite(a, FENCE_LO(0), (uint32_t)a->part.low_base | 1), 0);
	CU_ASSERT_EQUAL(gwrite(a, FENCE_HI(0), (uint32_t)b->part.low_base), -EPERM);
	CU_ASSERT_EQUAL(gread(a, FENCE_HI(0)), (uint32_t)a->part.low_base);
	CU_ASSERT_EQUAL(b->stats.bad_access, 0);
	fx_done(&fx);
}

/* Destroy returns clean fences: the next owner starts with them disabled. */
static void
test_release_clears(void)
{
	struct fx fx;
	struct vgpu *b;

	fx_init(&fx);
	b = fx.v[1];
	CU_ASSERT_EQUAL(program(b, 2, b->part.low_base, b->part.low_base + 4096, 1), 0);
	CU_ASSERT_NOT_EQUAL(phys(&fx, FENCE_LO(10)), 0);
	pthread_mutex_lock(&fx.gpu.lock);
	gm_release(&fx.gpu, &b->part);
	pthread_mutex_unlock(&fx.gpu.lock);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(10)), 0);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_HI(10)), 0);
	fx_done(&fx);
}

/* ---- 64-bit writes ---- */

/* Physical fence-register stores in order (a recording wrapper of the fake pgpu). */
#define REC_MAX 16
static const struct pgpu_ops *rec_real;
struct rec_store {
	uint32_t off, val;
};
static struct rec_store rec[REC_MAX];
static unsigned int nrec;

static void
rec_mmio_write(struct pgpu *p, uint32_t off, uint32_t val)
{
	if (nrec < REC_MAX)
		rec[nrec++] = (struct rec_store){ off, val };
	rec_real->mmio_write(p, off, val);
}

static void
rec_attach(struct fx *fx, struct pgpu_ops *ops)
{
	rec_real = fx->gpu.dev.ops;
	*ops = *rec_real;
	ops->mmio_write = rec_mmio_write;
	fx->gpu.dev.ops = ops;
	nrec = 0;
}

static int
gwrite64(struct vgpu *v, uint32_t off, uint64_t val)
{
	CU_ASSERT_EQUAL_FATAL(mmio_index_init(), 0);
	return fake_mmio_access(v, true, off, 8, &val);
}

static uint64_t
gread64(struct vgpu *v, uint32_t off)
{
	uint64_t val = 0xdeadbeef;

	CU_ASSERT_EQUAL(fake_mmio_access(v, false, off, 8, &val), 0);
	return val;
}

/* The fence value for [start, end) with pitch bits and flags, as a qword. */
static uint64_t
fence64(uint64_t start, uint64_t end, uint32_t flags)
{
	return ((uint64_t)(((end - 4096) & 0xfffff000) | 0x7) << 32) | (uint32_t)start | flags;
}

/*
 * A writeq of a valid fence is checked as one value: accepted on a fresh
 * fence (whose old hi, 0, would make the low half alone an empty range),
 * and replacing a live range by another one; physically written disabled
 * first, then hi, then lo.
 */
static void
test_qword_write(void)
{
	struct pgpu_ops ops;
	struct fx fx;
	struct vgpu *b;
	uint64_t s, val;
	uint32_t pb;

	fx_init(&fx);
	rec_attach(&fx, &ops);
	b = fx.v[1];
	pb = b->part.fence_base;
	s = b->part.low_base + 0x100000;
	val = fence64(s, s + 0x200000, 1);
	CU_ASSERT_EQUAL(gwrite64(b, FENCE_LO(1), val), 0);
	CU_ASSERT_EQUAL(gread64(b, FENCE_LO(1)), val);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(pb + 1)), (uint32_t)val);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_HI(pb + 1)), (uint32_t)(val >> 32));
	CU_ASSERT_EQUAL_FATAL(nrec, 3);
	CU_ASSERT_EQUAL(rec[0].off, FENCE_LO(pb + 1));
	CU_ASSERT_EQUAL(rec[0].val, 0);
	CU_ASSERT_EQUAL(rec[1].off, FENCE_HI(pb + 1));
	CU_ASSERT_EQUAL(rec[1].val, (uint32_t)(val >> 32));
	CU_ASSERT_EQUAL(rec[2].off, FENCE_LO(pb + 1));
	CU_ASSERT_EQUAL(rec[2].val, (uint32_t)val);
	/* Moved below the old range: the new lo with the old hi would still
	 * be valid, the new hi with the old lo would not; one value is. */
	s = b->part.low_base;
	val = fence64(s, s + 0x1000, 3);
	CU_ASSERT_EQUAL(gwrite64(b, FENCE_LO(1), val), 0);
	CU_ASSERT_EQUAL(gread64(b, FENCE_LO(1)), val);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(pb + 1)), (uint32_t)val);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_HI(pb + 1)), (uint32_t)(val >> 32));
	/* A disabled fence as a qword: any range, nothing checked. */
	CU_ASSERT_EQUAL(gwrite64(b, FENCE_LO(2), fence64(0, 0x1000, 0)), 0);
	CU_ASSERT_EQUAL(b->stats.bad_access, 0);
	fx_done(&fx);
}

/* A refused writeq changes neither half, virtual or physical. */
static void
test_qword_refused(void)
{
	struct pgpu_ops ops;
	struct fx fx;
	struct vgpu *a, *b;
	uint64_t s, good;

	fx_init(&fx);
	a = fx.v[0];
	b = fx.v[1];
	s = a->part.high_base;
	good = fence64(s, s + 0x4000, 1);
	CU_ASSERT_EQUAL(gwrite64(a, FENCE_LO(0), good), 0);
	rec_attach(&fx, &ops);
	/* Over B's GM, straddling its own end, end before start. */
	s = b->part.low_base;
	CU_ASSERT_EQUAL(gwrite64(a, FENCE_LO(0), fence64(s, s + 0x1000, 1)), -EPERM);
	s = a->part.high_base + a->part.high_size - 0x1000;
	CU_ASSERT_EQUAL(gwrite64(a, FENCE_LO(0), fence64(s, s + 0x2000, 1)), -EPERM);
	s = a->part.high_base;
	CU_ASSERT_EQUAL(gwrite64(a, FENCE_LO(0), ((uint64_t)s << 32) | (s + 0x2000) | 1), -EPERM);
	/* Beyond its four fences (B's slot as seen from A's base). */
	CU_ASSERT_EQUAL(gwrite64(a, FENCE_LO(4), good), -EPERM);
	CU_ASSERT_EQUAL(nrec, 0);
	CU_ASSERT_EQUAL(gread64(a, FENCE_LO(0)), good);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(a->part.fence_base)), (uint32_t)good);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_HI(a->part.fence_base)), (uint32_t)(good >> 32));
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(b->part.fence_base)), 0);
	CU_ASSERT_EQUAL(a->stats.bad_access, 4);
	CU_ASSERT_EQUAL(b->stats.bad_access, 0);
	fx_done(&fx);
}

/*
 * Dword pairs through the dispatcher keep their per-dword rule: i915's
 * order (lo = 0, hi, lo) is accepted; lo first with a stale hi is not.
 */
static void
test_dword_pairs(void)
{
	struct fx fx;
	struct vgpu *b;
	uint64_t s, val, v32;

	fx_init(&fx);
	b = fx.v[1];
	CU_ASSERT_EQUAL_FATAL(mmio_index_init(), 0);
	s = b->part.low_base + 0x10000;
	val = fence64(s, s + 0x8000, 1);
	v32 = 0;
	CU_ASSERT_EQUAL(fake_mmio_access(b, true, FENCE_LO(3), 4, &v32), 0);
	v32 = val >> 32;
	CU_ASSERT_EQUAL(fake_mmio_access(b, true, FENCE_HI(3), 4, &v32), 0);
	v32 = (uint32_t)val;
	CU_ASSERT_EQUAL(fake_mmio_access(b, true, FENCE_LO(3), 4, &v32), 0);
	CU_ASSERT_EQUAL(gread64(b, FENCE_LO(3)), val);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_LO(b->part.fence_base + 3)), (uint32_t)val);
	CU_ASSERT_EQUAL(phys(&fx, FENCE_HI(b->part.fence_base + 3)), (uint32_t)(val >> 32));
	/* Fence 2 fresh (hi 0): a valid lo alone is an empty range. */
	v32 = (uint32_t)val;
	CU_ASSERT_EQUAL(fake_mmio_access(b, true, FENCE_LO(2), 4, &v32), -EPERM);
	CU_ASSERT_EQUAL(gread64(b, FENCE_LO(2)), 0);
	CU_ASSERT_EQUAL(b->stats.bad_access, 1);
	fx_done(&fx);
}

/* The whole register path: vgpu_create, mmio.c's index and dispatch, 4- and 8-byte accesses. */
static void
test_through_mmio(void)
{
	struct pgpu_dev dev;
	struct gpu *gpu;
	struct vgpu_config c;
	struct vgpu *a, *b;
	struct hv *ha = fake_hv_new(4), *hb = fake_hv_new(4);
	struct vgpu_partition pb;
	uint64_t val;
	char err[160];
	uint32_t start;

	CU_ASSERT_EQUAL(mmio_table_check(fence_mmio_table.regs, fence_mmio_table.nregs, err,
					 sizeof(err)), 0);
	fake_pgpu_open(&dev);
	CU_ASSERT_EQUAL_FATAL(gpu_create(&dev, &gpu), 0);
	vgpu_config_default(&c);
	snprintf(c.type, sizeof(c.type), "%s", "GVTg_V5_8");
	CU_ASSERT_EQUAL_FATAL(vgpu_type_apply(&c), 0);
	CU_ASSERT_EQUAL_FATAL(vgpu_create(gpu, &c, 1, &fake_hv_ops, ha, &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(vgpu_create(gpu, &c, 2, &fake_hv_ops, hb, &b, err, sizeof(err)), 0);
	vgpu_get_partition(b, &pb);
	start = (uint32_t)pb.low_base;

	pthread_mutex_lock(&b->lock);
	val = 0;
	CU_ASSERT_EQUAL(mmio_access(b, true, FENCE_LO(1), 4, &val), 0);
	val = start + 0xf000;
	CU_ASSERT_EQUAL(mmio_access(b, true, FENCE_HI(1), 4, &val), 0);
	val = start | 1;
	CU_ASSERT_EQUAL(mmio_access(b, true, FENCE_LO(1), 4, &val), 0);
	CU_ASSERT_EQUAL(mmio_access(b, false, FENCE_LO(1), 8, &val), 0);
	pthread_mutex_unlock(&b->lock);
	CU_ASSERT_EQUAL(val, ((uint64_t)(start + 0xf000) << 32) | start | 1);
	CU_ASSERT_EQUAL(fake_pgpu(&dev)->mmio[FENCE_LO(pb.fence_base + 1) / 4], start | 1);
	CU_ASSERT_EQUAL(fake_pgpu(&dev)->mmio[FENCE_HI(pb.fence_base + 1) / 4], start + 0xf000);

	/* A reads B's physical slot through its own index 4 + 1: 0. */
	pthread_mutex_lock(&a->lock);
	val = 0x1234;
	CU_ASSERT_EQUAL(mmio_access(a, false, FENCE_LO(pb.fence_base + 1 - 4), 8, &val), 0);
	CU_ASSERT_EQUAL(val, 0);
	val = 0;
	CU_ASSERT_NOT_EQUAL(mmio_access(a, true, FENCE_LO(5), 8, &val), 0);
	pthread_mutex_unlock(&a->lock);
	CU_ASSERT_EQUAL(fake_pgpu(&dev)->mmio[FENCE_LO(pb.fence_base + 1) / 4], start | 1);

	vgpu_destroy(a);
	vgpu_destroy(b);
	/* Destroy left B's physical fence disabled for the next owner. */
	CU_ASSERT_EQUAL(fake_pgpu(&dev)->mmio[FENCE_LO(pb.fence_base + 1) / 4], 0);
	gpu_destroy(gpu);
	fake_hv_free(ha);
	fake_hv_free(hb);
}

static const struct test_case fence_cases[] = {
	{ "table row", test_row },
	{ "guest fence i -> physical fence_base + i", test_map_to_physical },
	{ "another vGPU's fence: reads 0, writes dropped", test_other_vgpus_fence },
	{ "fence range outside its GM refused", test_range_outside_gm },
	{ "release clears physical fences", test_release_clears },
	{ "through vgpu_create and mmio_access", test_through_mmio },
	{ "64-bit write validated as one value", test_qword_write },
	{ "refused 64-bit write changes nothing", test_qword_refused },
	{ "dword pairs: i915 order accepted", test_dword_pairs },
	{ NULL, NULL },
};

void suite_fence(void);

void
suite_fence(void)
{
	test_add_suite("fence", fence_cases);
}
