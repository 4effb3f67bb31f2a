/* SPDX-License-Identifier: MIT */
/*
 * mocs_table.c — the Gen9 memory object control state tables (i915
 * gt/intel_mocs.c): 64 control entries per engine (GEN9_*_MOCS(i)) and
 * the render engine's 32 L3 cache control dwords (GEN9_LNCFCMOCS(i), two
 * 16-bit entries each). Commands name a MOCS index, so the guest's table
 * is what its surfaces' caching means: the tables are per-vGPU context
 * state (MF_SAVE), loaded on the GPU while the vGPU owns it, as GVT-g's
 * mmio_context.c switches them. On Gen9 only the render engine's tables
 * are in the context image, and only for contexts restored without the
 * inhibit bit; the other engines' are global, so the switch is needed
 * for every engine.
 */
#include "mediator/regs/mmio_tables.h"

#define GEN9_LNCFCMOCS0	  0xb020
#define GEN9_LNCFCMOCS_NR 32
#define GEN9_RCS0_MOCS0	  0xc800
#define GEN9_VCS0_MOCS0	  0xc900
#define GEN9_VECS0_MOCS0  0xcb00
#define GEN9_BCS0_MOCS0	  0xcc00
#define GEN9_MOCS_NR	  64
/* 0xca00 (VCS1) belongs to a second video engine, which the vGPU does not have. */

#define MOCS_ROW(r, n) { REG(r), .size = (n) * 4, .flags = MF_VIRT | MF_SAVE }

static const struct mmio_reg mocs_regs[] = {
	MOCS_ROW(GEN9_LNCFCMOCS0, GEN9_LNCFCMOCS_NR),
	MOCS_ROW(GEN9_RCS0_MOCS0, GEN9_MOCS_NR),
	MOCS_ROW(GEN9_VCS0_MOCS0, GEN9_MOCS_NR),
	MOCS_ROW(GEN9_VECS0_MOCS0, GEN9_MOCS_NR),
	MOCS_ROW(GEN9_BCS0_MOCS0, GEN9_MOCS_NR),
};

const struct mmio_table mocs_mmio_table = {
	.module = "mocs",
	.regs = mocs_regs,
	.nregs = sizeof(mocs_regs) / sizeof(mocs_regs[0]),
};
