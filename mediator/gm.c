/* SPDX-License-Identifier: MIT */
/*
 * gm.c — partitioning of GM and fences between vGPUs.
 * PLACEHOLDER: being written.
 */
#include <errno.h>
#include <string.h>

#include "vgpu_int.h"

void gm_alloc_init(struct gm_alloc *a, const struct pgpu_info *info)
{
	memset(a, 0, sizeof(*a));
	a->low_base = 0; a->low_end = info->aperture_size;
	a->high_base = info->aperture_size; a->high_end = info->gm_size;
	a->nr_fences = info->nr_fences;
}

static uint64_t next_low, next_high;
static unsigned int next_fence;

int gm_reserve(struct gpu *gpu, const struct vgpu_config *cfg, struct gm_part *out, char *err, size_t errlen)
{
	(void)err; (void)errlen;
	out->low_base = gpu->gm.low_base + next_low; out->low_size = cfg->low_gm; next_low += cfg->low_gm;
	out->high_base = gpu->gm.high_base + next_high; out->high_size = cfg->high_gm; next_high += cfg->high_gm;
	out->fence_base = next_fence; out->fence_num = cfg->fences; next_fence += cfg->fences;
	out->reserved = true;
	return 0;
}

void gm_release(struct gpu *gpu, struct gm_part *p) { (void)gpu; p->reserved = false; }

bool gm_owns(const struct gm_part *p, uint64_t gma, uint64_t len)
{
	return (gma >= p->low_base && gma + len <= p->low_base + p->low_size) ||
	       (gma >= p->high_base && gma + len <= p->high_base + p->high_size);
}
