/* SPDX-License-Identifier: MIT */
/*
 * execlist_regs.c — the registers of the four engines' execlist
 * interface (Gen9 PRM vol. 2c "EXECLIST"; i915 intel_engine_regs.h) and
 * the GT reset register, as a register table of the execlist module:
 * ELSP, EXECLIST_STATUS, the CSB entries and pointers, RING_MODE,
 * HWS_PGA, RESET_CTL, CONTEXT_CONTROL, GDRST. What a submission or a
 * reset does is execlist.c's; the ring buffer registers stay in the base
 * table (mmio_table.c).
 */
#include "mediator/core/vgpu_int.h"
#include "mediator/exec/exec.h"
#include "mediator/regs/mmio_tables.h"

/* The engine whose register block holds off (every engine has 4 KiB; 0x400 used). */
static enum pgpu_engine
engine_of(uint32_t off)
{
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++)
		if (off >= exec_engines[e].mmio_base && off - exec_engines[e].mmio_base < 0x400)
			return (enum pgpu_engine)e;
	return PGPU_NR_ENGINES;
}

/* ELSP: write-only; each dword goes to the engine's submission (execlist.c). */
static int
elsp_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	(void)v;
	(void)off;
	*val = 0;
	return 0;
}

static int
elsp_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	enum pgpu_engine e = engine_of(off);

	if (e < PGPU_NR_ENGINES)
		execlist_elsp_write(v, e, val);
	return 0;
}

/*
 * RING_RESET_CTL (masked, Gen9): REQUEST_RESET (bit 0) is answered by
 * READY_TO_RESET (bit 1, read-only) at once: a virtual engine has nothing
 * in flight that must drain first (the scheduler's work is made stale by
 * the GDRST that follows). Dropping the request drops the answer.
 */
#define RESET_CTL_REQUEST (1u << 0)
#define RESET_CTL_READY	  (1u << 1)

static int
reset_ctl_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint32_t nv = mmio_apply_write(mmio_find(off), vreg_get(v, off), val);

	if (nv & RESET_CTL_REQUEST)
		nv |= RESET_CTL_READY;
	else
		nv &= ~RESET_CTL_READY;
	vreg_set(v, off, nv);
	return 0;
}

/*
 * RING_HWS_PGA: the GM address of the engine's status page (bits 31:12),
 * where CSB entries go. Accepted only inside this vGPU's own GM, as
 * GVT-g's hws_pga_write does: anything else would point the engine at
 * another guest's or the host's memory. A refused write is dropped (the
 * old value stays), logged once and counted. Purely virtual: the shadow
 * contexts never run with the guest's status page (no MF_SAVE).
 */
#define HWS_PGA_ADDR_MASK 0xfffff000u

static int
hws_pga_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	if (!gm_owns(&v->part, val & HWS_PGA_ADDR_MASK, EXEC_PAGE)) {
		v->stats.bad_access++;
		vgpu_warn_once(v, WARN_HWS_PGA,
			       "status page address %#x at %#x outside its GM dropped", val, off);
		return 0;
	}
	vreg_set(v, off, val);
	return 0;
}

/*
 * GDRST (GEN6_GDRST): domain bits, full GT reset bit 0, render 1, media
 * 2, blitter 3, video enhancement 4 (exec_engines[].gdrst_bit). Every
 * module's reset hook runs for the domains written (execlist_reset
 * resets the engines); the reset is done at once, so the bits read back
 * as 0, which is what i915 polls for (gen6_hw_domain_reset: 500 us).
 */
#define GEN6_GDRST 0x941c

static int
gdrst_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	if (val)
		vgpu_reset_domains(v, val);
	vreg_set(v, off, 0);
	return 0;
}

/*
 * TLB invalidation (GEN8_RTCR 0x4260, M1TCR, M2TCR, BTCR 0x426c, VTCR
 * 0x4270): the guest sets an engine's bit after changing its page tables
 * and polls for it to clear (i915 intel_gt_invalidate_tlb: 4 ms). Done at
 * once: the shadow PPGTT already holds every trapped change, and a
 * resynced or out-of-sync table is re-read before the next submission;
 * the GPU never saw the guest's tables.
 */
#define GEN8_RTCR 0x4260
#define GEN8_TLB_INV_REGS 5

static int
tlb_inv_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	(void)val;
	vreg_set(v, off, 0);
	return 0;
}

/* RING_MODE (GFX_MODE): execlists always on, the only mode a vGPU has. */
#define GFX_RUN_LIST_ENABLE (1u << 15)
/* CSB pointer: write pointer bits 2:0 (the engine's), read pointer 10:8 (the guest's). */
#define CSB_PTR_RESET ((CSB_ENTRIES - 1) << 8 | (CSB_ENTRIES - 1))

/*
 *   HWS_PGA: status page address (own GM only).
 *   RESET_CTL: masked request/ready handshake.
 *   ELSP: the submit port (reads 0).
 *   EXECLIST_STATUS lo/hi, the 6 CSB entries: written by the engine only.
 *   CONTEXT_CONTROL: masked, virtual (the context image holds the real one).
 *   RING_MODE: masked, per-context (MF_SAVE) as in GVT-g's switch list;
 *     GFX_RUN_LIST_ENABLE reads 1 and cannot be cleared, so the switch can
 *     never take the physical engine out of execlist mode.
 *   CSB_PTR: masked; the guest moves its read pointer only.
 */
#define EL_ROWS(e, base)                                                               \
	{ .off = (base) + ENG_HWS_PGA, .name = #e "_HWS_PGA", .size = 4, .flags = MF_VIRT, \
	  .write = hws_pga_write },                                                     \
	{ .off = (base) + ENG_RESET_CTL, .name = #e "_RESET_CTL", .size = 4,             \
	  .flags = MF_VIRT | MF_MASKED, .ro_mask = RESET_CTL_READY,                      \
	  .write = reset_ctl_write },                                                    \
	{ .off = (base) + ENG_ELSP, .name = #e "_ELSP", .size = 4, .flags = MF_VIRT,     \
	  .read = elsp_read, .write = elsp_write },                                      \
	{ .off = (base) + ENG_EXECLIST_STATUS_LO, .name = #e "_EXECLIST_STATUS_LO",      \
	  .size = 4, .flags = MF_VIRT | MF_RO | MF_NOLOG },                              \
	{ .off = (base) + ENG_EXECLIST_STATUS_HI, .name = #e "_EXECLIST_STATUS_HI",      \
	  .size = 4, .flags = MF_VIRT | MF_RO | MF_NOLOG },                              \
	{ .off = (base) + ENG_CONTEXT_CONTROL, .name = #e "_CONTEXT_CONTROL", .size = 4, \
	  .flags = MF_VIRT | MF_MASKED },                                                \
	{ .off = (base) + ENG_MODE, .name = #e "_RING_MODE", .size = 4,                  \
	  .flags = MF_VIRT | MF_MASKED | MF_SAVE, .ro_mask = GFX_RUN_LIST_ENABLE,        \
	  .reset = GFX_RUN_LIST_ENABLE },                                                \
	{ .off = (base) + ENG_CSB(0), .name = #e "_CSB", .size = CSB_ENTRIES * 8,        \
	  .flags = MF_VIRT | MF_RO },                                                    \
	{ .off = (base) + ENG_CSB_PTR, .name = #e "_CSB_PTR", .size = 4,                 \
	  .flags = MF_VIRT | MF_MASKED, .ro_mask = 0x000f, .reset = CSB_PTR_RESET }

/* Sorted by offset: rcs0 0x2000, TLB invalidation, GDRST, vcs0 0x12000, vecs0 0x1a000, bcs0 0x22000. */
static const struct mmio_reg execlist_regs[] = {
	EL_ROWS(RCS, 0x02000),
	{ REG(GEN8_RTCR), .size = 4 * GEN8_TLB_INV_REGS, .flags = MF_VIRT | MF_NOLOG,
	  .write = tlb_inv_write },
	{ REG(GEN6_GDRST), .size = 4, .flags = MF_VIRT | MF_NOLOG, .ro_mask = 0xffffffff,
	  .write = gdrst_write },
	EL_ROWS(VCS, 0x12000),
	EL_ROWS(VECS, 0x1a000),
	EL_ROWS(BCS, 0x22000),
};

const struct mmio_table execlist_mmio_table = {
	.module = "execlist",
	.regs = execlist_regs,
	.nregs = sizeof(execlist_regs) / sizeof(execlist_regs[0]),
};

/* The ring buffer registers an engine reset also clears (base table rows). */
static const uint32_t ring_regs[] = { ENG_RING_TAIL, ENG_RING_HEAD, ENG_RING_START,
				      ENG_RING_CTL, 0x074 /* ACTHD */ };

static void
row_reset(struct vgpu *v, uint32_t off)
{
	const struct mmio_reg *r = mmio_find(off);

	/*
	 * Per-context rows (MF_SAVE) keep their value: while the vGPU owns
	 * the GPU the physical register is the truth and the next switch
	 * saves it over ours; i915 writes them again after a reset anyway.
	 */
	if (!r || (r->flags & MF_SAVE))
		return;
	for (uint32_t o = r->off; o < r->off + r->size; o += 4)
		vreg_set(v, o, r->reset);
}

void
execlist_regs_reset(struct vgpu *v, enum pgpu_engine e)
{
	uint32_t base = exec_engines[e].mmio_base;

	for (size_t i = 0; i < execlist_mmio_table.nregs; i++) {
		const struct mmio_reg *r = &execlist_regs[i];

		if (engine_of(r->off) == e)
			row_reset(v, r->off);
	}
	for (size_t i = 0; i < sizeof(ring_regs) / sizeof(ring_regs[0]); i++)
		row_reset(v, base + ring_regs[i]);
}
