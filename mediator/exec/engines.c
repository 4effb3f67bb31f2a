/* SPDX-License-Identifier: MIT */
/*
 * engines.c — the Gen9 GT2 engines as data: name, MMIO base, the size of
 * a logical context image, and the GDRST domain that resets it (i915
 * gt/intel_engine_cs.c intel_engines[], gt/intel_lrc.c context sizes,
 * i915_reg.h GEN6_GDRST).
 */
#include "mediator/exec/exec.h"

const struct exec_engine_info exec_engines[EXEC_NR_ENGINES] = {
	[PGPU_RCS] = { "rcs0", 0x02000, 22, 1u << 1 },	/* GEN9 render context: 22 pages */
	[PGPU_BCS] = { "bcs0", 0x22000, 2, 1u << 3 },	/* other engines: 2 pages */
	[PGPU_VCS] = { "vcs0", 0x12000, 2, 1u << 2 },
	[PGPU_VECS] = { "vecs0", 0x1a000, 2, 1u << 4 },
};
