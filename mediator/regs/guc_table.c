/* SPDX-License-Identifier: MIT */
/*
 * guc_table.c — the GuC registers a guest reads with GuC disabled (i915
 * gt/uc/intel_uc.c, intel_guc_reg.h). The vGPU has no GuC: its
 * microcontroller is held in reset for good, so GUC_STATUS reads
 * MIA_IN_RESET before and after every GDRST (a GuC domain reset, bit 5,
 * leaves it in reset, which is where it already is) and no firmware can
 * be loaded. The two WOPCM registers behave as on hardware: write-once,
 * locked by their bit 0 until the next power cycle (a vGPU reset here).
 * A guest that finds them locked assumes an earlier driver loaded the
 * GuC and refuses to run without it (uc_is_wopcm_locked).
 */
#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"

#define GUC_STATUS		0xc000
#define GS_MIA_IN_RESET		(1u << 0)
#define GUC_WOPCM_SIZE		0xc050
#define GUC_WOPCM_SIZE_MASK	(0xfffffu << 12)
#define DMA_GUC_WOPCM_OFFSET	0xc340
#define GUC_WOPCM_OFFSET_MASK	(0x3ffffu << 14)
#define HUC_LOADING_AGENT_GUC	(1u << 1)
/* Bit 0 of both: GUC_WOPCM_SIZE_LOCKED, GUC_WOPCM_OFFSET_VALID. */
#define WOPCM_LOCK		(1u << 0)

/* The fields each WOPCM register has; the rest reads 0. */
static uint32_t
wopcm_fields(uint32_t off)
{
	return off == GUC_WOPCM_SIZE ? GUC_WOPCM_SIZE_MASK | WOPCM_LOCK
				     : GUC_WOPCM_OFFSET_MASK | HUC_LOADING_AGENT_GUC | WOPCM_LOCK;
}

/* Once bit 0 is set the register keeps its value: writes are dropped. */
static int
wopcm_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint32_t old = vreg_get(v, off);

	if (old & WOPCM_LOCK) {
		if (val != old) {
			v->ro_writes++;
			vgpu_warn_once(v, WARN_RO_WRITE, "write %#x to locked GuC WOPCM register %#x",
				       val, off);
		}
		return 0;
	}
	vreg_set(v, off, val & wopcm_fields(off));
	return 0;
}

static const struct mmio_reg guc_regs[] = {
	{ REG(GUC_STATUS), .size = 4, .flags = MF_VIRT | MF_RO, .ro_mask = ~0u,
	  .reset = GS_MIA_IN_RESET },
	{ REG(GUC_WOPCM_SIZE), .size = 4, .flags = MF_VIRT, .write = wopcm_write },
	{ REG(DMA_GUC_WOPCM_OFFSET), .size = 4, .flags = MF_VIRT, .write = wopcm_write },
};

const struct mmio_table guc_mmio_table = {
	.module = "guc",
	.regs = guc_regs,
	.nregs = sizeof(guc_regs) / sizeof(guc_regs[0]),
};
