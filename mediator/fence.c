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
 * state with the valid bit set is a complete range.
 */
#include <errno.h>

#include "vgpu_int.h"
#include "mmio_tables.h"

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
 * Validate the fence as it would be after this dword write, keep it in the
 * virtual register and write the same dword to the physical fence.
 */
static int
fence_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	struct gpu *gpu = v->gpu;
	unsigned int i = fence_index(off);
	uint32_t lo_off = FENCE_LO(i);
	uint32_t lo, hi;
	uint64_t start, end;

	if (i >= v->part.fence_num) {
		vgpu_warn_once(v, WARN_FENCE_RANGE,
			       "write 0x%08x to fence %u dropped: it has %u fences", val, i,
			       v->part.fence_num);
		v->stats.bad_access++;
		return -EPERM;
	}
	lo = off == lo_off ? val : vreg_get(v, lo_off);
	hi = off == lo_off ? vreg_get(v, lo_off + 4) : val;
	if ((lo & FENCE_VALID) &&
	    (!fence_range(lo, hi, &start, &end) || !gm_owns(&v->part, start, end - start))) {
		vgpu_warn_once(v, WARN_FENCE_RANGE,
			       "fence %u dropped: range 0x%08x..0x%08x is not its GM", i,
			       lo & FENCE_PAGE_MASK, (hi & FENCE_PAGE_MASK) | 0xfff);
		v->stats.bad_access++;
		return -EPERM;
	}
	vreg_set(v, off, val);
	/* Same GM addresses for guest and host: the value goes through unchanged. */
	pthread_mutex_lock(&gpu->lock);
	gpu->dev.ops->mmio_write(gpu->dev.p, FENCE_LO(v->part.fence_base + i) + (off - lo_off),
				 val);
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
		gpu->dev.ops->mmio_write(gpu->dev.p, FENCE_LO(p->fence_base + i), 0);
		gpu->dev.ops->mmio_write(gpu->dev.p, FENCE_LO(p->fence_base + i) + 4, 0);
	}
}

static const struct mmio_reg fence_regs[] = {
	{ REG(FENCE_REG_GEN6), .size = GM_MAX_FENCES * 8, .read = fence_read,
	  .write = fence_write },
};

const struct mmio_table fence_mmio_table = {
	.module = "fence",
	.regs = fence_regs,
	.nregs = sizeof(fence_regs) / sizeof(fence_regs[0]),
};
