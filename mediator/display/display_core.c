/* SPDX-License-Identifier: MIT */
/*
 * display_core.c — the Skylake display core a guest brings up at probe:
 * fuse distribution status, power well request/state, DBUF power, DC
 * state control, the PCH reset handshake, the DPLLs (LCPLL1 = DPLL0 for
 * CDCLK, LCPLL2, WRPLL1/2), their DPLL_CTRL1/2 routing to ports and
 * DPLL_STATUS locks, and the transcoder clock selects. Every request is
 * granted at once. Pipes, planes and ports are display.c's; the pcode
 * mailbox is pcode.c's.
 */
#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"

/* SKL_FUSE_STATUS (i915_reg.h): fuse download done, power gates 0..2 distributed. */
#define SKL_FUSE_STATUS		 0x42000u
#define SKL_FUSE_DOWNLOAD_STATUS (1u << 31)
#define SKL_FUSE_PG_DIST(pg)	 (1u << (27 - (pg)))

/*
 * Power well control (HSW_PWR_WELL_CTL1..4: BIOS, DRIVER, KVMR, DEBUG
 * requesters). Well i has request bit 2i+1 and state bit 2i
 * (HSW_PWR_WELL_CTL_REQ/STATE). SKL wells: MISC_IO 0, DDI A/E 1, DDI B 2,
 * DDI C 3, DDI D 4, PW1 14, PW2 15 (SKL_PW_CTL_IDX_*).
 */
#define HSW_PWR_WELL_CTL1	0x45400u
#define HSW_PWR_WELL_CTL2	0x45404u
#define HSW_PWR_WELL_CTL3	0x45408u
#define HSW_PWR_WELL_CTL4	0x4540cu
#define PW_REQ(i)		(2u << (2 * (i)))
#define SKL_PW_REQ_MASK                                                            \
	(PW_REQ(0) | PW_REQ(1) | PW_REQ(2) | PW_REQ(3) | PW_REQ(4) | PW_REQ(14) | \
	 PW_REQ(15))

/* DBUF_CTL (DBUF_CTL_S(0)): the state follows the power request. */
#define DBUF_CTL		0x45008u
#define DBUF_POWER_REQUEST	(1u << 31)
#define DBUF_POWER_STATE	(1u << 30)

/*
 * DC state enable (DC5/DC6/DC9 allowed): a plain value. Without the DMC
 * firmware the guest never allows DC states, and nothing would enter
 * them: i915 only checks that what it writes reads back.
 */
#define DC_STATE_EN		0x45504u

/* CDCLK and the DPLL enables (SKL: DPLL0 = LCPLL1, DPLL1 = LCPLL2, DPLL2/3 = WRPLL1/2). */
#define CDCLK_CTL		0x46000u
#define LCPLL1_CTL		0x46010u
#define LCPLL2_CTL		0x46014u
#define WRPLL_CTL1		0x46040u
#define WRPLL_CTL2		0x46060u
#define LCPLL_PLL_ENABLE	(1u << 31)
#define LCPLL_PLL_LOCK		(1u << 30)
/* Which port clock drives transcoders A, B, C (TRANS_CLK_SEL): plain. */
#define TRANS_CLK_SEL_A		0x46140u
/* North display reset warn options: the PCH reset handshake enable, plain. */
#define HSW_NDE_RSTWRN_OPT	0x46408u

/* DPLL configuration and routing (intel_dpll_mgr.c / i915_reg.h, SKL). */
#define DPLL1_CFGCR1		0x6c040u	/* CFGCR1/2 of DPLL1..3: 6 dwords */
#define DPLL_CTRL1		0x6c058u
#define DPLL_CTRL2		0x6c05cu
#define DPLL_STATUS		0x6c060u
#define DPLL_LOCK(id)		(1u << ((id) * 8))
#define DPLL_CTRL1_OVERRIDE(id)	(1u << ((id) * 6))
#define DPLL_CTRL1_RATE(r, id)	((uint32_t)(r) << ((id) * 6 + 1))
#define DPLL_CTRL1_LINK_RATE_1620 3u
#define DPLL_CTRL2_CLK_OFF(port) (1u << ((port) + 15))
#define DPLL_CTRL2_SEL_OVERRIDE(port) (1u << ((port) * 3))

/*
 * Reset state, GVT-g's for a virtual DP monitor (gvt/display.c): fuses
 * distributed; DPLL0 enabled and locked in DP mode at 1620 MHz (so CDCLK
 * has its VCO); the monitor's DDI clocked from DPLL0, every other DDI's
 * clock gated. The guest may reprogram all of it.
 */
#define FUSE_RESET                                                                \
	(SKL_FUSE_DOWNLOAD_STATUS | SKL_FUSE_PG_DIST(0) | SKL_FUSE_PG_DIST(1) |   \
	 SKL_FUSE_PG_DIST(2))
#define DPLL_CTRL1_RESET (DPLL_CTRL1_OVERRIDE(0) | DPLL_CTRL1_RATE(DPLL_CTRL1_LINK_RATE_1620, 0))
#define DPLL_CTRL2_RESET                                                             \
	((DPLL_CTRL2_CLK_OFF(0) | DPLL_CTRL2_CLK_OFF(1) | DPLL_CTRL2_CLK_OFF(2) |     \
	  DPLL_CTRL2_CLK_OFF(3) | DPLL_CTRL2_CLK_OFF(4) |                             \
	  DPLL_CTRL2_SEL_OVERRIDE(DISPLAY_MONITOR_PORT)) &                           \
	 ~DPLL_CTRL2_CLK_OFF(DISPLAY_MONITOR_PORT))

/* The register whose ENABLE bit (31) locks each DPLL, by DPLL id. */
static const uint32_t dpll_enable_reg[] = { LCPLL1_CTL, LCPLL2_CTL, WRPLL_CTL1, WRPLL_CTL2 };

/* A well's state bit follows its request bit; requests for absent wells are dropped. */
static int
power_well_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	val &= SKL_PW_REQ_MASK;
	vreg_set(v, off, val | val >> 1);
	return 0;
}

static int
dbuf_ctl_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	val &= ~DBUF_POWER_STATE;
	if (val & DBUF_POWER_REQUEST)
		val |= DBUF_POWER_STATE;
	vreg_set(v, off, val);
	return 0;
}

/* LCPLLn_CTL: only ENABLE and LOCK exist (the rest MBZ); lock follows enable. */
static int
lcpll_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	vreg_set(v, off, (val & LCPLL_PLL_ENABLE) ? LCPLL_PLL_ENABLE | LCPLL_PLL_LOCK : 0);
	return 0;
}

/* DPLL_STATUS: every enabled DPLL is locked. */
static int
dpll_status_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	uint32_t st = 0;

	for (unsigned int id = 0; id < sizeof(dpll_enable_reg) / sizeof(dpll_enable_reg[0]); id++)
		if (vreg_get(v, dpll_enable_reg[id]) & LCPLL_PLL_ENABLE)
			st |= DPLL_LOCK(id);
	vreg_set(v, off, st);
	*val = st;
	return 0;
}

#define PW_ROW(r) { REG(r), .size = 4, .flags = MF_VIRT, .write = power_well_write }

static const struct mmio_reg display_core_regs[] = {
	{ REG(SKL_FUSE_STATUS), .size = 4, .flags = MF_VIRT | MF_RO | MF_NOLOG,
	  .ro_mask = ~0u, .reset = FUSE_RESET },
	{ REG(DBUF_CTL), .size = 4, .flags = MF_VIRT, .write = dbuf_ctl_write },
	PW_ROW(HSW_PWR_WELL_CTL1),
	PW_ROW(HSW_PWR_WELL_CTL2),
	PW_ROW(HSW_PWR_WELL_CTL3),
	PW_ROW(HSW_PWR_WELL_CTL4),
	{ REG(DC_STATE_EN), .size = 4, .flags = MF_VIRT },
	{ REG(CDCLK_CTL), .size = 4, .flags = MF_VIRT },
	{ REG(LCPLL1_CTL), .size = 4, .flags = MF_VIRT,
	  .reset = LCPLL_PLL_ENABLE | LCPLL_PLL_LOCK, .write = lcpll_write },
	{ REG(LCPLL2_CTL), .size = 4, .flags = MF_VIRT, .write = lcpll_write },
	{ REG(WRPLL_CTL1), .size = 4, .flags = MF_VIRT },
	{ REG(WRPLL_CTL2), .size = 4, .flags = MF_VIRT },
	{ .off = TRANS_CLK_SEL_A, .name = "TRANS_CLK_SEL_A", .size = 4, .flags = MF_VIRT },
	{ .off = TRANS_CLK_SEL_A + 4, .name = "TRANS_CLK_SEL_B", .size = 4, .flags = MF_VIRT },
	{ .off = TRANS_CLK_SEL_A + 8, .name = "TRANS_CLK_SEL_C", .size = 4, .flags = MF_VIRT },
	{ REG(HSW_NDE_RSTWRN_OPT), .size = 4, .flags = MF_VIRT },
	{ REG(DPLL1_CFGCR1), .size = 6 * 4, .flags = MF_VIRT },
	{ REG(DPLL_CTRL1), .size = 4, .flags = MF_VIRT, .reset = DPLL_CTRL1_RESET },
	{ REG(DPLL_CTRL2), .size = 4, .flags = MF_VIRT, .reset = DPLL_CTRL2_RESET },
	{ REG(DPLL_STATUS), .size = 4, .flags = MF_VIRT | MF_RO | MF_NOLOG, .ro_mask = ~0u,
	  .read = dpll_status_read },
};
const struct mmio_table display_core_mmio_table = {
	"display_core", display_core_regs,
	sizeof(display_core_regs) / sizeof(display_core_regs[0])
};
