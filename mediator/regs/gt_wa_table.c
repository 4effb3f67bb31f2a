/* SPDX-License-Identifier: MIT */
/*
 * gt_wa_table.c — the GT's chicken, clock-gating and cache-control
 * registers that i915's workaround lists program (gt/intel_workarounds.c,
 * gt/intel_gtt.c gtt_write_workarounds) and read back to verify, and the
 * render engine's FORCE_TO_NONPRIV whitelist. Each is a plain per-vGPU
 * virtual register: the guest's workarounds tune its own view, the host's
 * stay on the hardware (the host driver applies the same ones). Masked
 * where the hardware takes a mask half (GVT-g's F_MODE_MASK rows).
 */
#include "mediator/regs/mmio_tables.h"

/* Render engine chicken registers (masked). */
#define GEN9_CSFE_CHICKEN1_RCS	  0x20d4
#define GEN7_FF_SLICE_CS_CHICKEN1 0x20e0
/*
 * RING_FORCE_TO_NONPRIV(RCS, 0..11): registers a non-privileged batch may
 * write (gen9 has 12 slots; i915 fills every one, unused with RING_NOPID).
 * Virtual only: what the physical engine lets a batch touch stays the
 * host's, and the command scanner checks every guest batch anyway.
 */
#define RCS_FORCE_TO_NONPRIV	  0x24d0
#define RCS_NONPRIV_SLOTS	  12
/* GAM (GT memory interface) and L3 control. */
#define HSW_GTT_CACHE_EN	  0x4024
#define GAM_ECOCHK		  0x4090
#define GEN8_L3_LRA_1_GPGPU	  0x4dd4
#define MMCD_MISC_CTRL		  0x4ddc
/* Unit-level clock gating. */
#define GEN7_UCGCTL4		  0x940c
#define GEN7_MISCCPCTL		  0x9424
/* LNCF/L3 bank arbitration and scratch (render workarounds). */
#define GEN8_GARBCNTL		  0xb004
#define GEN9_SCRATCH_LNCF1	  0xb008
#define GEN8_L3SQCREG4		  0xb118
#define GEN9_SCRATCH1		  0xb11c

#define PLAIN(r)  { REG(r), .size = 4, .flags = MF_VIRT }
#define MASKED(r) { REG(r), .size = 4, .flags = MF_VIRT | MF_MASKED }

static const struct mmio_reg gt_wa_regs[] = {
	MASKED(GEN9_CSFE_CHICKEN1_RCS),
	MASKED(GEN7_FF_SLICE_CS_CHICKEN1),
	{ REG(RCS_FORCE_TO_NONPRIV), .size = RCS_NONPRIV_SLOTS * 4, .flags = MF_VIRT },
	PLAIN(HSW_GTT_CACHE_EN),
	PLAIN(GAM_ECOCHK),
	PLAIN(GEN8_L3_LRA_1_GPGPU),
	PLAIN(MMCD_MISC_CTRL),
	PLAIN(GEN7_UCGCTL4),
	PLAIN(GEN7_MISCCPCTL),
	PLAIN(GEN8_GARBCNTL),
	PLAIN(GEN9_SCRATCH_LNCF1),
	PLAIN(GEN8_L3SQCREG4),
	PLAIN(GEN9_SCRATCH1),
};

const struct mmio_table gt_wa_mmio_table = {
	.module = "gt_wa",
	.regs = gt_wa_regs,
	.nregs = sizeof(gt_wa_regs) / sizeof(gt_wa_regs[0]),
};
