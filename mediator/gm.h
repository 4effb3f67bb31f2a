/* SPDX-License-Identifier: MIT */
/*
 * gm.h — vGPU types and the partitioning of one GPU's graphics memory
 * (aperture "low GM", hidden "high GM") and fence registers (gm.c,
 * vgpu_types.c).
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

/* A row of the vGPU type table (vgpu_types.c). */
struct vgpu_type {
	const char *name;
	uint64_t low_gm, high_gm;  /* bytes */
	unsigned int fences, weight;
	unsigned int max_w, max_h;
	const char *desc;
};

/* Look a type up by name; NULL if unknown. */
const struct vgpu_type *vgpu_type_find(const char *name);
/* The type table, for listing. */
const struct vgpu_type *vgpu_type_table(unsigned int *n);
/* Fill the sizes of cfg from cfg->type. -ENOENT for an unknown name. */
int vgpu_type_apply(struct vgpu_config *cfg);

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

/* Initialise the allocator for a GPU. */
void gm_alloc_init(struct gm_alloc *a, const struct pgpu_info *info);
/*
 * Reserve a share for cfg (gpu lock held). -ENOSPC with err naming what
 * ran out ("aperture", "hidden GM", "fences").
 */
int gm_reserve(struct gpu *gpu, const struct vgpu_config *cfg,
	       struct gm_part *out, char *err, size_t errlen);
/* Give a share back (gpu lock held). */
void gm_release(struct gpu *gpu, struct gm_part *p);
/* Is [gma, gma+len) inside the vGPU's own GM? */
bool gm_owns(const struct gm_part *p, uint64_t gma, uint64_t len);

#endif
