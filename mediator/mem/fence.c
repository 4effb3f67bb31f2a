/* SPDX-License-Identifier: MIT */
/*
 * fence.c — the fence registers (FENCE_REG_GEN6) as a vGPU sees them:
 * guest fence i is physical fence part.fence_base + i; other slots belong
 * to the host or to other vGPUs and read 0 / drop writes.
 *
 * Register layout (Linux i915_reg.h FENCE_REG_GEN6_LO/HI, i915 fence
 * code): 64-bit fence i at 0x100000 + i*8, written as two dwords.
 *   lo: bit 0 valid, bit 1 Y tiling, bits 31:12 first page of the range
 *   hi: bits 11:0 pitch (bits 43:32 of the 64-bit value), bits 31:12 last
 *       page of the range (inclusive)
 * i915 disables a fence (lo = 0) before writing hi and then lo, so every
 * state with the valid bit set is a complete range. A writeq is one value:
 * its two halves are checked together (fence_write64), never each against
 * the other's old value.
 */
#include <errno.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"

#define FENCE_REG_GEN6 0x100000u
#define FENCE_LO(i) (FENCE_REG_GEN6 + (i) * 8u)
#define FENCE_VALID 1u
#define FENCE_PAGE_MASK 0xfffff000u
#define FENCE_PAGE 4096ull

/* The GM range [*start, *end) a valid fence (lo, hi) covers; false if it covers none. */
static bool
fence_range(uint32_t lo, uint32_t hi, uint64_t *start, uint64_t *end)
{
	*start = lo & FENCE_PAGE_MASK;
	*end = (uint64_t)(hi & FENCE_PAGE_MASK) + FENCE_PAGE;
	return *end > *start;
}

/* Guest fence index of a register offset (dword aligned, inside the row). */
static unsigned int
fence_index(uint32_t off)
{
	return (off - FENCE_REG_GEN6) / 8;
}

static int
fence_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	unsigned int i = fence_index(off);

	if (i >= v->part.fence_num) {
		vgpu_warn_once(v, WARN_FENCE_RANGE,
			       "read of fence %u: it has fences 0..%u only, reads 0", i,
			       v->part.fence_num ? v->part.fence_num - 1 : 0);
		v->stats.bad_access++;
		*val = 0;
		return 0;
	}
	*val = vreg_get(v, off);
	return 0;
}

/*
 * Guest fence i exists for this vGPU? Otherwise the write is dropped,
 * counted and logged once. Returns 0 or -EPERM.
 */
static int
fence_own(struct vgpu *v, unsigned int i, uint64_t val)
{
	if (i < v->part.fence_num)
		return 0;
	vgpu_warn_once(v, WARN_FENCE_RANGE,
		       "write 0x%llx to fence %u dropped: it has %u fences",
		       (unsigned long long)val, i, v->part.fence_num);
	v->stats.bad_access++;
	return -EPERM;
}

/*
 * Would fence i as (lo, hi) be acceptable? A disabled fence always is; a
 * valid one must cover a range inside the vGPU's own GM. 0 or -EPERM.
 */
static int
fence_check(struct vgpu *v, unsigned int i, uint32_t lo, uint32_t hi)
{
	uint64_t start, end;

	if (!(lo & FENCE_VALID) ||
	    (fence_range(lo, hi, &start, &end) && gm_owns(&v->part, start, end - start)))
		return 0;
	vgpu_warn_once(v, WARN_FENCE_RANGE,
		       "fence %u dropped: range 0x%08x..0x%08x is not its GM", i,
		       lo & FENCE_PAGE_MASK, (hi & FENCE_PAGE_MASK) | 0xfff);
	v->stats.bad_access++;
	return -EPERM;
}

/* Write dword off (BAR0 offset inside physical fence slot phys_i) to the GPU. */
static void
fence_phys_write(struct gpu *gpu, unsigned int phys_i, uint32_t dw_off, uint32_t val)
{
	gpu->dev.ops->mmio_write(gpu->dev.p, FENCE_LO(phys_i) + dw_off, val);
}

/*
 * One dword: validate the fence as it would be after this write (the
 * other half keeps its current value), keep it in the virtual register
 * and write the same dword to the physical fence.
 */
static int
fence_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	struct gpu *gpu = v->gpu;
	unsigned int i = fence_index(off);
	uint32_t lo_off = FENCE_LO(i);
	uint32_t lo, hi;

	if (fence_own(v, i, val))
		return -EPERM;
	lo = off == lo_off ? val : vreg_get(v, lo_off);
	hi = off == lo_off ? vreg_get(v, lo_off + 4) : val;
	if (fence_check(v, i, lo, hi))
		return -EPERM;
	vreg_set(v, off, val);
	/* Same GM addresses for guest and host: the value goes through unchanged. */
	pthread_mutex_lock(&gpu->lock);
	fence_phys_write(gpu, v->part.fence_base + i, off - lo_off, val);
	pthread_mutex_unlock(&gpu->lock);
	return 0;
}

/*
 * A whole 64-bit fence (writeq): validated as the one value it is, then
 * written to the physical fence disabled first, hi, then lo (the order
 * i915 uses), so the GPU never sees the new half of one register beside
 * the old half of the other.
 */
static int
fence_write64(struct vgpu *v, uint32_t off, uint64_t val)
{
	struct gpu *gpu = v->gpu;
	unsigned int i = fence_index(off);
	uint32_t lo = (uint32_t)val, hi = (uint32_t)(val >> 32);

	if (fence_own(v, i, val) || fence_check(v, i, lo, hi))
		return -EPERM;
	vreg_set(v, off, lo);
	vreg_set(v, off + 4, hi);
	pthread_mutex_lock(&gpu->lock);
	fence_phys_write(gpu, v->part.fence_base + i, 0, 0);
	fence_phys_write(gpu, v->part.fence_base + i, 4, hi);
	fence_phys_write(gpu, v->part.fence_base + i, 0, lo);
	pthread_mutex_unlock(&gpu->lock);
	return 0;
}

void
fence_clear_phys(struct gpu *gpu, const struct gm_part *p)
{
	if (!gpu->dev.ops || !gpu->dev.ops->mmio_write)
		return;
	for (unsigned int i = 0; i < p->fence_num; i++) {
		/* Disable first, as i915 does, so no half-written range is ever live. */
		fence_phys_write(gpu, p->fence_base + i, 0, 0);
		fence_phys_write(gpu, p->fence_base + i, 4, 0);
	}
}

static const struct mmio_reg fence_regs[] = {
	{ REG(FENCE_REG_GEN6), .size = GM_MAX_FENCES * 8, .read = fence_read,
	  .write = fence_write, .write64 = fence_write64 },
};

const struct mmio_table fence_mmio_table = {
	.module = "fence",
	.regs = fence_regs,
	.nregs = sizeof(fence_regs) / sizeof(fence_regs[0]),
};
