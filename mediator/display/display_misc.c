/* SPDX-License-Identifier: MIT */
/*
 * display_misc.c — the display registers a Skylake guest programs at init
 * and modeset that only need to hold their value: chicken and clock
 * gating bits (intel_pm.c init_clock_gating, display workarounds), the
 * display arbiter, FBC chicken bits, per-transcoder chicken and line-time
 * watermarks, pipe colour (CSC, gamma mode), the BIOS scratch registers,
 * display fuses, audio, the PCH raw clock and the PCH panel power
 * sequencer (whose status follows its control at once). Pipes, planes and
 * ports are display.c's and planes.c's; power wells, PLLs and DC states
 * display_core.c's.
 */
#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"

/* FBC's LLC read control (WaFbcHighMemBwCorruptionAvoidance: at 0x9044, in the GT range). */
#define FBC_LLC_READ_CTRL	0x09044u
/*
 * VGA plane control: the vGPU has no VGA plane, so it comes out of reset
 * disabled (VGA_DISP_DISABLE), as after a firmware that never lit it;
 * i915 then leaves the legacy VGA ports alone (intel_vga.c).
 */
#define CPU_VGACNTRL		0x41000u
#define VGA_DISP_DISABLE	(1u << 31)
#define CHICKEN_PAR1_1		0x42080u
#define CHICKEN_TRANS_A		0x420c0u	/* A, B, C, EDP: 4 dwords */
#define ILK_DPFC_CHICKEN	0x43224u	/* FBC A */
#define DISP_ARB_CTL		0x45000u
#define DISP_ARB_CTL2		0x45004u
#define WM_LINETIME_A		0x45270u	/* pipes A, B, C */
#define GEN8_CHICKEN_DCPR_1	0x46430u
/* Pipe CSC: 6 coefficients, the mode, pre/post offsets (0x49010..0x4904b, 0x100 a pipe). */
#define PIPE_CSC_A		0x49010u
#define PIPE_CSC_DWORDS		15
#define PIPE_CSC_STRIDE		0x100u
#define GAMMA_MODE_A		0x4a480u	/* 0x800 a pipe */
#define GAMMA_MODE_STRIDE	0x800u
/* BIOS scratch (SWF_ILK(0..35)); SWF18 tells i915 whether a pre-OS lit the display. */
#define SWF_ILK_0		0x4f000u
#define SWF_ILK_DWORDS		36
/* Display fuses: 0 = every pipe present, no CDCLK limit (675 MHz). */
#define SKL_DFSM		0x51000u
#define HSW_AUD_PIN_ELD_CP_VLD	0x650c0u
#define AUD_FREQ_CNTRL		0x65900u
/* DDI buffer balance leg control (skl_ddi_set_iboost). */
#define DISPIO_CR_TX_BMU_CR0	0x6c00cu
#define SOUTH_DSPCLK_GATE_D	0xc2020u
/* PCH raw clock in MHz (bits 9:0): 24 MHz on Skylake's SPT PCH (pch_rawclk). */
#define PCH_RAWCLK_FREQ		0xc6204u
#define SPT_RAWCLK_MHZ		24u

/* PCH panel power sequencer (PPS 0; i915_reg.h PP_*). */
#define PCH_PP_STATUS		0xc7200u
#define PCH_PP_CONTROL		0xc7204u
#define PCH_PP_ON_DELAYS	0xc7208u
#define PCH_PP_OFF_DELAYS	0xc720cu
#define PCH_PP_DIVISOR		0xc7210u
#define PANEL_POWER_ON		(1u << 0)
#define PP_ON			(1u << 31)
#define PP_SEQUENCE_STATE_ON_IDLE 0x8u

/*
 * The sequencer runs its power-up or power-down at once (its delays are
 * the guest's to wait for in software, which i915 does): with
 * PANEL_POWER_ON the status is on and idle, without it off and idle
 * (PP_SEQUENCE_NONE, state OFF_IDLE, no power cycle delay pending).
 * Forcing VDD (bit 3) does not change the status, as on hardware.
 */
static int
pp_control_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	vreg_set(v, off, val);
	vreg_set(v, PCH_PP_STATUS, (val & PANEL_POWER_ON) ? PP_ON | PP_SEQUENCE_STATE_ON_IDLE : 0);
	return 0;
}

#define PLAIN(r)	 { REG(r), .size = 4, .flags = MF_VIRT }
#define PLAIN_AT(o, nm)	 { .off = (o), .name = nm, .size = 4, .flags = MF_VIRT }

static const struct mmio_reg display_misc_regs[] = {
	PLAIN(FBC_LLC_READ_CTRL),
	{ REG(CPU_VGACNTRL), .size = 4, .flags = MF_VIRT, .reset = VGA_DISP_DISABLE },
	PLAIN(CHICKEN_PAR1_1),
	PLAIN_AT(CHICKEN_TRANS_A, "CHICKEN_TRANS_A"),
	PLAIN_AT(CHICKEN_TRANS_A + 4, "CHICKEN_TRANS_B"),
	PLAIN_AT(CHICKEN_TRANS_A + 8, "CHICKEN_TRANS_C"),
	PLAIN_AT(CHICKEN_TRANS_A + 12, "CHICKEN_TRANS_EDP"),
	PLAIN(ILK_DPFC_CHICKEN),
	PLAIN(DISP_ARB_CTL),
	PLAIN(DISP_ARB_CTL2),
	PLAIN_AT(WM_LINETIME_A, "WM_LINETIME_A"),
	PLAIN_AT(WM_LINETIME_A + 4, "WM_LINETIME_B"),
	PLAIN_AT(WM_LINETIME_A + 8, "WM_LINETIME_C"),
	PLAIN(GEN8_CHICKEN_DCPR_1),
	{ .off = PIPE_CSC_A, .name = "PIPE_CSC_A", .size = PIPE_CSC_DWORDS * 4, .flags = MF_VIRT },
	{ .off = PIPE_CSC_A + PIPE_CSC_STRIDE, .name = "PIPE_CSC_B", .size = PIPE_CSC_DWORDS * 4,
	  .flags = MF_VIRT },
	{ .off = PIPE_CSC_A + 2 * PIPE_CSC_STRIDE, .name = "PIPE_CSC_C",
	  .size = PIPE_CSC_DWORDS * 4, .flags = MF_VIRT },
	PLAIN_AT(GAMMA_MODE_A, "GAMMA_MODE_A"),
	PLAIN_AT(GAMMA_MODE_A + GAMMA_MODE_STRIDE, "GAMMA_MODE_B"),
	PLAIN_AT(GAMMA_MODE_A + 2 * GAMMA_MODE_STRIDE, "GAMMA_MODE_C"),
	{ REG(SWF_ILK_0), .size = SWF_ILK_DWORDS * 4, .flags = MF_VIRT },
	{ REG(SKL_DFSM), .size = 4, .flags = MF_VIRT | MF_RO },
	PLAIN(HSW_AUD_PIN_ELD_CP_VLD),
	PLAIN(AUD_FREQ_CNTRL),
	PLAIN(DISPIO_CR_TX_BMU_CR0),
	PLAIN(SOUTH_DSPCLK_GATE_D),
	{ REG(PCH_RAWCLK_FREQ), .size = 4, .flags = MF_VIRT, .reset = SPT_RAWCLK_MHZ },
	{ REG(PCH_PP_STATUS), .size = 4, .flags = MF_VIRT | MF_RO, .ro_mask = ~0u },
	{ REG(PCH_PP_CONTROL), .size = 4, .flags = MF_VIRT, .write = pp_control_write },
	PLAIN(PCH_PP_ON_DELAYS),
	PLAIN(PCH_PP_OFF_DELAYS),
	PLAIN(PCH_PP_DIVISOR),
};

const struct mmio_table display_misc_mmio_table = {
	"display_misc", display_misc_regs,
	sizeof(display_misc_regs) / sizeof(display_misc_regs[0])
};
