/* SPDX-License-Identifier: MIT */
/*
 * gm.h — the partitioning of one GPU's graphics memory (aperture "low
 * GM", hidden "high GM") and fence registers (gm.c). Mediator-internal:
 * the vGPU types (vgpu_types.c) are public API, in vgpu.h.
 */
#ifndef MEDIATOR_GM_H
#define MEDIATOR_GM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gpu;
struct vgpu;
struct vgpu_config;
struct pgpu_info;

/* Free-space bookkeeping of one GPU (host keeps the first part of each range). */
#define GM_MAX_EXTENTS 128
struct gm_extent {
	uint64_t base, size;
};
struct gm_alloc {
	uint64_t low_base, low_end;	/* allocatable window of the aperture part */
	uint64_t high_base, high_end;	/* allocatable window of the hidden part */
	uint64_t fence_used;		/* bit per physical fence */
	unsigned int nr_fences;
	struct gm_extent low_used[GM_MAX_EXTENTS], high_used[GM_MAX_EXTENTS];
	unsigned int nr_low, nr_high;
};

/* One vGPU's share. GM addresses (gma) are GPU graphics-memory offsets. */
struct gm_part {
	uint64_t low_base, low_size;   /* gma range of its aperture part */
	uint64_t high_base, high_size; /* gma range of its hidden part */
	unsigned int fence_base, fence_num; /* physical fence slots */
	bool reserved;
};

/*
 * What the host keeps for itself, as GVT-g does (its gvt.h keeps 128 MiB
 * low, 384 MiB high and 4 fences; we keep less because the simulated GPU's
 * aperture is only 256 MiB): the first GM_HOST_LOW bytes of the aperture,
 * the first GM_HOST_HIGH bytes of hidden GM and fences 0..GM_HOST_FENCES-1.
 * Each is clamped to what the GPU has.
 */
#define GM_HOST_LOW (64ull << 20)
#define GM_HOST_HIGH (128ull << 20)
#define GM_HOST_FENCES 4u
/* GM sizes of a vGPU must be non-zero multiples of this. */
#define GM_ALIGN (1ull << 20)
/* Fence registers of the GPU we model (FENCE_REG_GEN6, 0x100000 + i*8). */
#define GM_MAX_FENCES 32u

/* Initialise the allocator for a GPU. */
void gm_alloc_init(struct gm_alloc *a, const struct pgpu_info *info);
/*
 * Reserve a share for cfg (gpu lock held): first fit in the aperture and
 * hidden GM, a contiguous run of fence slots. -EINVAL when a size is zero
 * or not a multiple of GM_ALIGN, or fences > GM_MAX_FENCES (err names the
 * key: "low_gm", "high_gm", "fences"); -ENOSPC when it does not fit, err
 * naming what ran out ("aperture GM: 128 MiB wanted, 64 MiB free").
 * On failure nothing is reserved.
 */
int gm_reserve(struct gpu *gpu, const struct vgpu_config *cfg,
	       struct gm_part *out, char *err, size_t errlen);
/* Give a share back (gpu lock held). */
void gm_release(struct gpu *gpu, struct gm_part *p);
/* Is [gma, gma+len) inside the vGPU's own GM? */
bool gm_owns(const struct gm_part *p, uint64_t gma, uint64_t len);
/* Free bytes of low/high GM and free fence slots now (gpu lock held). */
void gm_free_space(const struct gm_alloc *a, uint64_t *low, uint64_t *high,
		   unsigned int *fences);
/*
 * Zero the physical fence registers of share p (fence.c; gpu lock held).
 * gm_reserve and gm_release call it so no share starts or ends with a
 * stale fence.
 */
void fence_clear_phys(struct gpu *gpu, const struct gm_part *p);

#endif
