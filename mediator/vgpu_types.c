/* SPDX-License-Identifier: MIT */
/*
 * vgpu_types.c — the table of vGPU types.
 * PLACEHOLDER: being written.
 */
#include <errno.h>
#include <string.h>

#include "vgpu_int.h"

static const struct vgpu_type types[] = {
	{ "GVTg_V5_4", 128ull << 20, 512ull << 20, 4, 4, 1920, 1200, "placeholder" },
};

const struct vgpu_type *vgpu_type_table(unsigned int *n) { *n = 1; return types; }
const struct vgpu_type *vgpu_type_find(const char *name)
{
	return strcmp(name, types[0].name) == 0 ? &types[0] : NULL;
}
int vgpu_type_apply(struct vgpu_config *cfg)
{
	const struct vgpu_type *t = vgpu_type_find(cfg->type);
	if (!t) return -ENOENT;
	cfg->low_gm = t->low_gm; cfg->high_gm = t->high_gm; cfg->fences = t->fences;
	cfg->weight = t->weight; cfg->max_w = t->max_w; cfg->max_h = t->max_h;
	return 0;
}
