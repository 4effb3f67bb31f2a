/* SPDX-License-Identifier: MIT */
/*
 * mmio_table.c — the base register table: the Gen9 (Skylake GT2) registers
 * an i915 guest touches at probe that no other module owns: forcewake
 * request/ack, per-engine ring and error registers, GT identification,
 * uncore debug. Interrupts, fences, display, GMBUS, the PV info page, the
 * engines' execlist interface with GDRST, GT power management, workaround
 * registers, MOCS and the GuC have their own tables (mmio_tables.c).
 */
#include "mediator/regs/mmio_tables.h"
#include "mediator/core/vgpu_int.h"

/*
 * Forcewake (Gen9 PRM vol. 2c; i915 intel_uncore.c fw_domain_init):
 * writing the masked request register of a power domain is acknowledged
 * in its ack register. A vGPU's GT is always awake, so the ack follows the
 * request at once: ack = request bits 15:0.
 */
#define FORCEWAKE_ACK_RENDER_GEN9	0x0d84
#define FORCEWAKE_ACK_MEDIA_GEN9	0x0d88
#define FORCEWAKE_BLITTER_GEN9		0xa188
#define FORCEWAKE_MEDIA_GEN9		0xa270
#define FORCEWAKE_RENDER_GEN9		0xa278
#define FORCEWAKE_ACK_BLITTER_GEN9	0x130044

static const struct {
	uint32_t req, ack;
} fw_domains[] = {
	{ FORCEWAKE_RENDER_GEN9, FORCEWAKE_ACK_RENDER_GEN9 },
	{ FORCEWAKE_BLITTER_GEN9, FORCEWAKE_ACK_BLITTER_GEN9 },
	{ FORCEWAKE_MEDIA_GEN9, FORCEWAKE_ACK_MEDIA_GEN9 },
};

static const struct mmio_reg *
row_of(uint32_t off)
{
	return mmio_find(off);
}

static int
forcewake_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint32_t nv = mmio_apply_write(row_of(off), vreg_get(v, off), val);

	vreg_set(v, off, nv);
	for (unsigned int i = 0; i < sizeof(fw_domains) / sizeof(fw_domains[0]); i++)
		if (fw_domains[i].req == off)
			vreg_set(v, fw_domains[i].ack, nv & 0xffffu);
	return 0;
}

/*
 * RING_MI_MODE (masked): STOP_RING (bit 8) asks the engine to stop; the
 * engine reports MODE_IDLE (bit 9, read-only) once it has. i915 waits for
 * MODE_IDLE before a reset, so an idle virtual engine reports it at once.
 */
#define MI_MODE_STOP_RING (1u << 8)
#define MI_MODE_IDLE	  (1u << 9)

/*
 * A masked request/acknowledge pair answered at once: after the write the
 * read-only ack bit mirrors the request bit.
 */
static int
req_ack_write(struct vgpu *v, uint32_t off, uint32_t val, uint32_t req, uint32_t ack)
{
	uint32_t nv = mmio_apply_write(row_of(off), vreg_get(v, off), val);

	if (nv & req)
		nv |= ack;
	else
		nv &= ~ack;
	vreg_set(v, off, nv);
	return 0;
}

static int
mi_mode_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	return req_ack_write(v, off, val, MI_MODE_STOP_RING, MI_MODE_IDLE);
}

/*
 * One engine's ring registers (Gen9 PRM vol. 2c "RING_BUF"; i915
 * intel_engine_regs.h). A row macro that expands to designated-initializer
 * rows (data, not registration calls): the engines share one layout at
 * different bases, and writing it out four times invites copy-paste drift.
 * The execlist interface of the same engines (HWS_PGA, RESET_CTL, ELSP,
 * EXECLIST_STATUS, RING_MODE, CSB) is exec/execlist_regs.c's table.
 *   TAIL/HEAD/START/CTL: ring buffer; under execlists the context image
 *   holds the real ones. ACTHD: read-only to the guest.
 *   IPEIR: instruction parser error identity, write 1 to clear; IPEHR:
 *     the header of the faulting instruction, read-only. A virtual engine
 *     reports no parser errors: both read 0.
 *   HWSTAM, IMR: per-engine interrupt masks (the GT banks are irq.c's).
 *   MI_MODE: masked.  EIR: error identity, write 1 to clear.
 *   EMR: error mask, plain (i915 writes it at every execlists resume).
 *   ESR: error status, read-only; 0 (i915 resets an engine that resumes
 *     with it non-zero, enable_error_interrupt).
 */
#define ENGINE_ROWS(e, base)                                                          \
	{ .off = (base) + 0x30, .name = #e "_RING_TAIL", .size = 4, .flags = MF_VIRT },  \
	{ .off = (base) + 0x34, .name = #e "_RING_HEAD", .size = 4, .flags = MF_VIRT },  \
	{ .off = (base) + 0x38, .name = #e "_RING_START", .size = 4, .flags = MF_VIRT }, \
	{ .off = (base) + 0x3c, .name = #e "_RING_CTL", .size = 4, .flags = MF_VIRT },   \
	{ .off = (base) + 0x64, .name = #e "_IPEIR", .size = 4, .flags = MF_VIRT,        \
	  .w1c_mask = 0xffffffff },                                                     \
	{ .off = (base) + 0x68, .name = #e "_IPEHR", .size = 4, .flags = MF_VIRT | MF_RO }, \
	{ .off = (base) + 0x74, .name = #e "_ACTHD", .size = 4, .flags = MF_VIRT | MF_RO }, \
	{ .off = (base) + 0x98, .name = #e "_HWSTAM", .size = 4, .flags = MF_VIRT | MF_SAVE, \
	  .reset = 0xffffffff },                                                        \
	{ .off = (base) + 0x9c, .name = #e "_MI_MODE", .size = 4,                        \
	  .flags = MF_VIRT | MF_MASKED | MF_SAVE, .ro_mask = MI_MODE_IDLE,               \
	  .reset = MI_MODE_IDLE, .write = mi_mode_write },                               \
	{ .off = (base) + 0xa8, .name = #e "_IMR", .size = 4, .flags = MF_VIRT | MF_SAVE, \
	  .reset = 0xffffffff },                                                        \
	{ .off = (base) + 0xb0, .name = #e "_EIR", .size = 4, .flags = MF_VIRT,          \
	  .w1c_mask = 0xffffffff },                                                     \
	{ .off = (base) + 0xb4, .name = #e "_EMR", .size = 4, .flags = MF_VIRT },        \
	{ .off = (base) + 0xb8, .name = #e "_ESR", .size = 4, .flags = MF_VIRT | MF_RO }

#define RCS_BASE  0x02000
#define VCS_BASE  0x12000
#define VECS_BASE 0x1a000
#define BCS_BASE  0x22000

/* Error and fault reporting (Gen8+). */
#define GEN8_RING_FAULT_REG 0x4094
#define ERROR_GEN6	    0x40a0
/* Slice/subslice/EU fuses the guest reads to size its engines (verify values). */
#define GEN8_FUSE2	    0x9120
#define GEN8_EU_DISABLE0    0x9134
#define GEN8_EU_DISABLE1    0x9138
#define GEN8_EU_DISABLE2    0x913c
/* GT wake status read around forcewake (RPS and RC6 are gt_pm_table.c's). */
#define GEN6_GT_THREAD_STATUS_REG 0x13805c
#define GEN6_GT_CORE_STATUS 0x138060
/*
 * Uncore and GT odds a stock 6.1 i915 reads or writes at probe and GT init:
 *   GEN8_MCR_SELECTOR: steering of reads of replicated (multicast)
 *     registers to one slice/subslice (intel_gt_mcr.c, and the GT
 *     workaround list). Every register here is virtual and not
 *     replicated, so the steering only has to keep its value.
 *   PGTBL_ER: page table error status, write 1 to clear; never set
 *     (intel_gt_clear_error_registers writes back what it reads).
 *   CTC_MODE: where the command streamer timestamp counts from. Source
 *     crystal (bit 0 = 0), shift 2 (bits 2:1): 24 MHz >> (3 - 2) = 12 MHz,
 *     Skylake's timestamp rate, which softgpu's timestamps also count
 *     (gen9_read_clock_frequency). Read-only: a guest write would not
 *     change the physical timestamp.
 *   FPGA_DBG: uncore debug; bit 31 (RM_NOCLAIM) latches an access to an
 *     unclaimed register and is write 1 to clear (intel_uncore.c checks
 *     and clears it). The vGPU never sets it, the rest reads 0.
 */
#define GEN8_MCR_SELECTOR   0x0fdc
#define PGTBL_ER	    0x2024
#define CTC_MODE	    0xa26c
#define CTC_SHIFT_2	    (2u << 1)
#define FPGA_DBG	    0x42300
#define FPGA_DBG_RM_NOCLAIM (1u << 31)
/*
 * Probe/GGTT path of a stock 6.1 i915 guest, outside display (rows added
 * so strict mode does not fail a normal guest; docs/vgpu-spec.md):
 *   GFX_FLSH_CNTL_GEN6: written by gen8_ggtt_invalidate after GGTT
 *     updates; the flush completes at once, reads 0.
 *   GEN8_PRIVATE_PAT_LO/HI: the private PAT (bdw_setup_private_ppat at
 *     GGTT probe); virtual, the host's PAT stays on the hardware.
 *   HSW_EDRAM_CAP: eDRAM detection; 0 = none.
 *   MCHBAR mirror (0x140000 + ...): DRAM type/DIMMs/frequency read by
 *     intel_dram_detect: one DDR4 channel pair, 8 GiB x8 single-rank
 *     DIMMs, 2133 MT/s (ratio 8 x 266.67 MHz) (verify field layout).
 */
#define GEN8_PRIVATE_PAT_LO 0x40e0
#define GEN8_PRIVATE_PAT_HI 0x40e4
#define GFX_FLSH_CNTL_GEN6  0x101008
#define HSW_EDRAM_CAP	    0x120010
#define SKL_MAD_INTER_CHANNEL_0_0_0_MCHBAR_MCMAIN 0x145000
#define SKL_MAD_DIMM_CH0_0_0_0_MCHBAR_MCMAIN	  0x14500c
#define SKL_MAD_DIMM_CH1_0_0_0_MCHBAR_MCMAIN	  0x145010
#define SKL_MC_BIOS_DATA_0_0_0_MCHBAR_PCU	  0x145e04
#define SKL_DRAM_DDR4	    0x0u	/* SKL_DRAM_DDR_TYPE_DDR4 (bits 1:0; DDR3 is 1) */
#define SKL_DIMM_8G_X8_1R   0x8u
#define SKL_MC_RATIO_2133   0x8u

/*
 * Skylake GT2: one slice (GEN8_F2_S_ENA, bits 27:25), subslice 3 of 4
 * disabled (GEN9_F2_SS_DIS, bits 23:20) -> 3 subslices, no EU disabled.
 */
#define SKL_GT2_FUSE2	    ((1u << 25) | (0x8u << 20))

static const struct mmio_reg base_regs[] = {
	{ REG(FORCEWAKE_ACK_RENDER_GEN9), .size = 4, .flags = MF_VIRT | MF_RO },
	{ REG(FORCEWAKE_ACK_MEDIA_GEN9), .size = 4, .flags = MF_VIRT | MF_RO },
	{ REG(GEN8_MCR_SELECTOR), .size = 4, .flags = MF_VIRT },
	{ REG(PGTBL_ER), .size = 4, .flags = MF_VIRT, .w1c_mask = 0xffffffff },
	ENGINE_ROWS(RCS, RCS_BASE),
	{ REG(GEN8_RING_FAULT_REG), .size = 4, .flags = MF_VIRT },
	{ REG(ERROR_GEN6), .size = 4, .flags = MF_VIRT, .w1c_mask = 0xffffffff },
	{ REG(GEN8_PRIVATE_PAT_LO), .size = 4, .flags = MF_VIRT },
	{ REG(GEN8_PRIVATE_PAT_HI), .size = 4, .flags = MF_VIRT },
	{ REG(GEN8_FUSE2), .size = 4, .flags = MF_VIRT | MF_RO, .reset = SKL_GT2_FUSE2 },
	{ REG(GEN8_EU_DISABLE0), .size = 4, .flags = MF_VIRT | MF_RO },
	{ REG(GEN8_EU_DISABLE1), .size = 4, .flags = MF_VIRT | MF_RO },
	{ REG(GEN8_EU_DISABLE2), .size = 4, .flags = MF_VIRT | MF_RO },
	{ REG(FORCEWAKE_BLITTER_GEN9), .size = 4, .flags = MF_VIRT | MF_MASKED,
	  .write = forcewake_write },
	{ REG(CTC_MODE), .size = 4, .flags = MF_VIRT | MF_RO, .reset = CTC_SHIFT_2 },
	{ REG(FORCEWAKE_MEDIA_GEN9), .size = 4, .flags = MF_VIRT | MF_MASKED,
	  .write = forcewake_write },
	{ REG(FORCEWAKE_RENDER_GEN9), .size = 4, .flags = MF_VIRT | MF_MASKED,
	  .write = forcewake_write },
	ENGINE_ROWS(VCS, VCS_BASE),
	ENGINE_ROWS(VECS, VECS_BASE),
	ENGINE_ROWS(BCS, BCS_BASE),
	{ REG(FPGA_DBG), .size = 4, .flags = MF_VIRT, .ro_mask = ~FPGA_DBG_RM_NOCLAIM,
	  .w1c_mask = FPGA_DBG_RM_NOCLAIM },
	/* The flush completes at once: writes act, nothing is kept. */
	{ REG(GFX_FLSH_CNTL_GEN6), .size = 4, .flags = MF_VIRT | MF_NOLOG,
	  .ro_mask = 0xffffffff },
	{ REG(HSW_EDRAM_CAP), .size = 4, .flags = MF_VIRT | MF_RO },
	{ REG(FORCEWAKE_ACK_BLITTER_GEN9), .size = 4, .flags = MF_VIRT | MF_RO },
	/* 0: no thread of the GT is waking up; i915 polls it before forcewake. */
	{ REG(GEN6_GT_THREAD_STATUS_REG), .size = 4, .flags = MF_VIRT | MF_RO },
	{ REG(GEN6_GT_CORE_STATUS), .size = 4, .flags = MF_VIRT | MF_RO },
	{ REG(SKL_MAD_INTER_CHANNEL_0_0_0_MCHBAR_MCMAIN), .size = 4, .flags = MF_VIRT | MF_RO,
	  .reset = SKL_DRAM_DDR4 },
	{ REG(SKL_MAD_DIMM_CH0_0_0_0_MCHBAR_MCMAIN), .size = 4, .flags = MF_VIRT | MF_RO,
	  .reset = SKL_DIMM_8G_X8_1R },
	{ REG(SKL_MAD_DIMM_CH1_0_0_0_MCHBAR_MCMAIN), .size = 4, .flags = MF_VIRT | MF_RO,
	  .reset = SKL_DIMM_8G_X8_1R },
	{ REG(SKL_MC_BIOS_DATA_0_0_0_MCHBAR_PCU), .size = 4, .flags = MF_VIRT | MF_RO,
	  .reset = SKL_MC_RATIO_2133 },
};

const struct mmio_table base_mmio_table = {
	.module = "base",
	.regs = base_regs,
	.nregs = sizeof(base_regs) / sizeof(base_regs[0]),
};
