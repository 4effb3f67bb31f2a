/* SPDX-License-Identifier: MIT */
/*
 * gt_pm_table.c — the GT's power management registers (Gen9 PRM vol. 2c
 * "RPS"/"RC6"; i915 gt/intel_gt_regs.h, gt/intel_rps.c): the frequency
 * request and its thresholds/evaluation intervals, RC6 control, the PM
 * interrupt mask and the RP state capabilities. The host owns the
 * physical GT's frequency and RC states: every row is the vGPU's own
 * virtual value. RPSTAT1 answers with the frequency last requested, as a
 * GT with headroom would run at; the busyness counters read 0 (an idle
 * GT: the guest's RPS worker then asks for nothing more).
 */
#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"

#define GEN6_RPNSWREQ		 0xa008
#define GEN6_RC_VIDEO_FREQ	 0xa00c
#define GEN6_RP_DOWN_TIMEOUT	 0xa010
#define GEN6_RP_INTERRUPT_LIMITS 0xa014
#define GEN6_RPSTAT1		 0xa01c
#define GEN6_RP_CONTROL		 0xa024
#define GEN6_RP_UP_THRESHOLD	 0xa02c
#define GEN6_RP_DOWN_THRESHOLD	 0xa030
/* CUR_UP_EI, CUR_UP, PREV_UP, CUR_DOWN_EI, CUR_DOWN, PREV_DOWN: the hardware's counters. */
#define GEN6_RP_CUR_UP_EI	 0xa050
#define GEN6_RP_EI_COUNTERS	 6
#define GEN6_RP_UP_EI		 0xa068
#define GEN6_RP_DOWN_EI		 0xa06c
#define GEN6_RP_IDLE_HYSTERSIS	 0xa070
#define GEN6_RC_CONTROL		 0xa090
#define GEN6_RC_STATE		 0xa094
#define GEN6_PMINTRMSK		 0xa168
#define GEN6_RP_STATE_CAP	 0x145998

/*
 * Gen9: the request in RPNSWREQ bits 31:23 (GEN9_FREQUENCY), the current
 * actual frequency in RPSTAT1 bits 31:23 (GEN9_CAGF_MASK), both in
 * 16.67 MHz units.
 */
#define GEN9_FREQ_MASK		 (0x1ffu << 23)

/* RP0 1100 MHz, RP1 600 MHz, RPn 300 MHz in 50 MHz units (bits 7:0, 15:8, 23:16). */
#define SKL_RP_STATE_CAP	 (0x16u | (0x0cu << 8) | (0x06u << 16))

/* The GT runs at what was last asked of it. */
static int
rpstat1_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	(void)off;
	*val = vreg_get(v, GEN6_RPNSWREQ) & GEN9_FREQ_MASK;
	return 0;
}

#define PLAIN(r) { REG(r), .size = 4, .flags = MF_VIRT }

static const struct mmio_reg gt_pm_regs[] = {
	PLAIN(GEN6_RPNSWREQ),
	PLAIN(GEN6_RC_VIDEO_FREQ),
	PLAIN(GEN6_RP_DOWN_TIMEOUT),
	PLAIN(GEN6_RP_INTERRUPT_LIMITS),
	{ REG(GEN6_RPSTAT1), .size = 4, .flags = MF_VIRT | MF_RO, .ro_mask = ~0u,
	  .read = rpstat1_read },
	PLAIN(GEN6_RP_CONTROL),
	PLAIN(GEN6_RP_UP_THRESHOLD),
	PLAIN(GEN6_RP_DOWN_THRESHOLD),
	{ REG(GEN6_RP_CUR_UP_EI), .size = GEN6_RP_EI_COUNTERS * 4, .flags = MF_VIRT | MF_RO },
	PLAIN(GEN6_RP_UP_EI),
	PLAIN(GEN6_RP_DOWN_EI),
	PLAIN(GEN6_RP_IDLE_HYSTERSIS),
	PLAIN(GEN6_RC_CONTROL),
	PLAIN(GEN6_RC_STATE),
	{ REG(GEN6_PMINTRMSK), .size = 4, .flags = MF_VIRT, .reset = 0xffffffff },
	{ REG(GEN6_RP_STATE_CAP), .size = 4, .flags = MF_VIRT | MF_RO,
	  .reset = SKL_RP_STATE_CAP },
};

const struct mmio_table gt_pm_mmio_table = {
	.module = "gt_pm",
	.regs = gt_pm_regs,
	.nregs = sizeof(gt_pm_regs) / sizeof(gt_pm_regs[0]),
};
