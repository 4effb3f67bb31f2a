/* SPDX-License-Identifier: MIT */
/*
 * pcode.c — the GEN6+ pcode (PCU firmware) mailbox: GEN6_PCODE_MAILBOX
 * plus its two data registers. Every command completes the moment READY
 * is written, successfully; the few a Skylake guest reads answers from
 * (memory latencies, CDCLK change handshake, RC6 VIDs) get Skylake's
 * answers. Nothing reaches the physical PCU.
 */
#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"

/* i915_reg.h: mailbox (interface) 0x138124, DATA 0x138128, DATA1 0x13812c. */
#define GEN6_PCODE_MAILBOX	0x138124u
#define GEN6_PCODE_DATA		0x138128u
#define GEN6_PCODE_DATA1	0x13812cu
#define GEN6_PCODE_READY	(1u << 31)
#define GEN6_PCODE_CMD_MASK	0xffu	/* the command in, the status (0 = success) out */

/* Commands (i915_reg.h GEN6_PCODE_*, GEN9_PCODE_*, SKL_PCODE_*). */
#define GEN6_PCODE_READ_RC6VIDS		0x05
#define GEN9_PCODE_READ_MEM_LATENCY	0x06
#define SKL_PCODE_CDCLK_CONTROL		0x07
#define SKL_CDCLK_READY_FOR_CHANGE	0x1
#define GEN9_PCODE_SAGV_CONTROL		0x21	/* DATA: 0 disable, 3 enable */
#define GEN9_SAGV_DISABLE		0x0
#define GEN9_SAGV_IS_DISABLED		0x1

/*
 * Skylake's memory latencies in us, one byte per watermark level: levels
 * 0-3 when DATA was 0, levels 4-7 otherwise (i915 skl_read_wm_latency
 * asks twice). The values a SKL part reports (as GVT-g returns them).
 */
#define SKL_MEM_LATENCY_0_3	0x1e1a1100u
#define SKL_MEM_LATENCY_4_7	0x61514b3du

typedef void pcode_cmd_fn(struct vgpu *v);

static void
pcode_mem_latency(struct vgpu *v)
{
	vreg_set(v, GEN6_PCODE_DATA,
		 vreg_get(v, GEN6_PCODE_DATA) ? SKL_MEM_LATENCY_4_7 : SKL_MEM_LATENCY_0_3);
}

/* skl_set_cdclk polls this until the PCU says it is ready for the change. */
static void
pcode_cdclk_control(struct vgpu *v)
{
	vreg_set(v, GEN6_PCODE_DATA, SKL_CDCLK_READY_FOR_CHANGE);
}

/*
 * SAGV (system agent voltage/frequency switching): i915 asks to disable
 * it at init and polls DATA until it says disabled (skl_sagv_disable);
 * the PCU answers at once. Enable needs no answer.
 */
static void
pcode_sagv_control(struct vgpu *v)
{
	if (vreg_get(v, GEN6_PCODE_DATA) == GEN9_SAGV_DISABLE)
		vreg_set(v, GEN6_PCODE_DATA, GEN9_SAGV_IS_DISABLED);
}

static void
pcode_rc6vids(struct vgpu *v)
{
	vreg_set(v, GEN6_PCODE_DATA, vreg_get(v, GEN6_PCODE_DATA) | 0x1);
}

/* Commands with an answer; every other command just succeeds. */
static pcode_cmd_fn *const pcode_cmds[GEN6_PCODE_CMD_MASK + 1] = {
	[GEN6_PCODE_READ_RC6VIDS] = pcode_rc6vids,
	[GEN9_PCODE_READ_MEM_LATENCY] = pcode_mem_latency,
	[SKL_PCODE_CDCLK_CONTROL] = pcode_cdclk_control,
	[GEN9_PCODE_SAGV_CONTROL] = pcode_sagv_control,
};

/*
 * Writing READY starts a command; it is done before the write returns:
 * READY clear, status (bits 7:0) GEN6_PCODE_SUCCESS, the answer in DATA.
 * A write without READY only stores the value (no command runs).
 */
static int
pcode_mailbox_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	unsigned int cmd = val & GEN6_PCODE_CMD_MASK;

	if (!(val & GEN6_PCODE_READY)) {
		vreg_set(v, off, val);
		return 0;
	}
	if (pcode_cmds[cmd])
		pcode_cmds[cmd](v);
	log_dbg(DBG_DISPLAY, "%s: pcode command %#x, data %#x", v->tag, cmd,
		vreg_get(v, GEN6_PCODE_DATA));
	vreg_set(v, off, val & ~(GEN6_PCODE_READY | GEN6_PCODE_CMD_MASK));
	return 0;
}

static const struct mmio_reg pcode_regs[] = {
	{ REG(GEN6_PCODE_MAILBOX), .size = 4, .flags = MF_VIRT, .write = pcode_mailbox_write },
	{ REG(GEN6_PCODE_DATA), .size = 4, .flags = MF_VIRT },
	{ REG(GEN6_PCODE_DATA1), .size = 4, .flags = MF_VIRT },
};
const struct mmio_table pcode_mmio_table = { "pcode", pcode_regs,
					     sizeof(pcode_regs) / sizeof(pcode_regs[0]) };
