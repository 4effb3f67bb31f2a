/* SPDX-License-Identifier: MIT */
/*
 * vgpu_types.c — the table of vGPU types (how much aperture GM, hidden GM
 * and how many fences a vGPU gets, its scheduling weight and largest
 * display mode), looked up by the name given in a vgpu= spec.
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"

#define MIB (1ull << 20)

/*
 * The Gen9 rows follow GVT-g's type table (Linux gvt/vgpu.c, as listed by
 * `mdevctl types` on a Skylake host): the suffix is roughly how many fit on
 * one GPU with a 1 GiB aperture. The xengt_* rows are ours, for the
 * many-vGPU tests and the demo on the simulated GPU (1 GiB aperture, 4 GiB
 * GM, 32 fences; the host keeps 64 MiB + 128 MiB and 4 fences, gm.h):
 *   xengt_small  16 MiB aperture, 64 MiB hidden, 2 fences: fences bound it
 *                to 14 per GPU;
 *   xengt_32     the same GM and no fence register, so 32 fit with room
 *                to spare (aperture: 60, hidden GM: 46). A guest without
 *                fences still works: Linux i915 sizes its fence list from
 *                the PV info page's fence_num (intel_ggtt_init_fences) and
 *                with 0 only a CPU mapping of a *tiled* object through the
 *                aperture fails (fence_find: -ENOBUFS); untiled objects,
 *                the display and the engines need no fence on Gen9.
 */
static const struct vgpu_type vgpu_types[] = {
	{
		.name = "GVTg_V5_1",
		.low_gm = 512 * MIB,
		.high_gm = 2048 * MIB,
		.fences = 4,
		.weight = 16,
		.max_w = 1920,
		.max_h = 1200,
		.desc = "one per GPU: 512 MiB aperture, 2 GiB hidden GM",
	},
	{
		.name = "GVTg_V5_2",
		.low_gm = 256 * MIB,
		.high_gm = 1024 * MIB,
		.fences = 4,
		.weight = 8,
		.max_w = 1920,
		.max_h = 1200,
		.desc = "two per GPU: 256 MiB aperture, 1 GiB hidden GM",
	},
	{
		.name = "GVTg_V5_4",
		.low_gm = 128 * MIB,
		.high_gm = 512 * MIB,
		.fences = 4,
		.weight = 4,
		.max_w = 1920,
		.max_h = 1200,
		.desc = "four per GPU: 128 MiB aperture, 512 MiB hidden GM",
	},
	{
		.name = "GVTg_V5_8",
		.low_gm = 64 * MIB,
		.high_gm = 384 * MIB,
		.fences = 4,
		.weight = 2,
		.max_w = 1024,
		.max_h = 768,
		.desc = "eight per GPU: 64 MiB aperture, 384 MiB hidden GM",
	},
	{
		.name = "xengt_small",
		.low_gm = 16 * MIB,
		.high_gm = 64 * MIB,
		.fences = 2,
		.weight = 1,
		.max_w = 1024,
		.max_h = 768,
		.desc = "tests/demo: 16 MiB aperture, 64 MiB hidden GM, 2 fences",
	},
	{
		.name = "xengt_32",
		.low_gm = 16 * MIB,
		.high_gm = 64 * MIB,
		.fences = 0,
		.weight = 1,
		.max_w = 1024,
		.max_h = 768,
		.desc = "32 per GPU: 16 MiB aperture, 64 MiB hidden GM, no fences",
	},
};

#define VGPU_NR_TYPES (sizeof(vgpu_types) / sizeof(vgpu_types[0]))

/* The whole table (for `xengt-ctl types` and the docs); *n gets the row count. */
const struct vgpu_type *
vgpu_type_table(unsigned int *n)
{
	*n = VGPU_NR_TYPES;
	return vgpu_types;
}

/* Exact, case-sensitive name lookup; NULL for NULL, "" or an unknown name. */
const struct vgpu_type *
vgpu_type_find(const char *name)
{
	if (!name || !name[0])
		return NULL;
	for (size_t i = 0; i < VGPU_NR_TYPES; i++)
		if (strcmp(vgpu_types[i].name, name) == 0)
			return &vgpu_types[i];
	return NULL;
}

/*
 * Copy the sizes, fences, weight and resolution of type cfg->type into
 * cfg. An empty type name means "explicit sizes": cfg is left alone. The
 * spec parser applies the type first and then its explicit keys, so those
 * override. Returns 0, or -ENOENT for an unknown type name.
 */
int
vgpu_type_apply(struct vgpu_config *cfg)
{
	const struct vgpu_type *t;

	if (!cfg->type[0])
		return 0;
	t = vgpu_type_find(cfg->type);
	if (!t)
		return -ENOENT;
	cfg->low_gm = t->low_gm;
	cfg->high_gm = t->high_gm;
	cfg->fences = t->fences;
	cfg->weight = t->weight;
	cfg->max_w = t->max_w;
	cfg->max_h = t->max_h;
	return 0;
}
