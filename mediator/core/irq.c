/* SPDX-License-Identifier: MIT */
/*
 * irq.c — the vGPU's gen8+ interrupt registers (master control, GT banks,
 * display-engine pipe/port/misc banks, PCU, PCH SDE), purely virtual, and
 * delivery of the aggregated line: as the MSI the guest programmed (an
 * edge per rise), or while MSI is off as a level on the INTx pin.
 */
#include <stddef.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"

/* Master interrupt control (i915_reg.h GEN8_MASTER_IRQ). */
#define IRQ_MASTER	   0x44200u
#define IRQ_MASTER_ENABLE  (1u << 31) /* the only guest-writable bit */

/* Every bank is ISR +0 (RO), IMR +4, IIR +8 (write 1 to clear), IER +0xc. */
#define BANK_ISR 0x0u
#define BANK_IMR 0x4u
#define BANK_IIR 0x8u
#define BANK_IER 0xcu

/* Bank bases (i915_reg.h / gt/intel_gt_regs.h: GEN8_GT_ISR(n), GEN8_DE_*_ISR). */
#define GT0_BASE     0x44300u /* RCS bits 15:0, BCS bits 31:16 */
#define GT1_BASE     0x44310u /* VCS0 15:0, VCS1 31:16 */
#define GT2_BASE     0x44320u /* PM/GuC */
#define GT3_BASE     0x44330u /* VECS 15:0 */
#define DE_PIPEA_BASE 0x44400u
#define DE_PIPEB_BASE 0x44410u
#define DE_PIPEC_BASE 0x44420u
#define DE_PORT_BASE 0x44440u
#define DE_MISC_BASE 0x44460u
#define PCU_BASE     0x444e0u
#define SDE_BASE     0xc4000u /* PCH (south display) bank: SDEISR.. */
/*
 * The eDP PSR interrupts (EDP_PSR_IMR/IIR, display/intel_psr.c): a pair
 * without ISR/IER that feeds DE_MISC's PSR bit. IMR comes out of reset
 * all masked, IIR is write 1 to clear; the vGPU has no PSR panel, so
 * nothing ever sets an IIR bit (i915 checks that IIR reads 0 at IRQ
 * install, gen3_assert_iir_is_zero).
 */
#define EDP_PSR_IMR  0x64834u
#define EDP_PSR_IIR  0x64838u

/* Engine interrupt bits inside an engine's 16-bit field. */
#define GT_USER_INTERRUPT  (1u << 0)
#define GT_CONTEXT_SWITCH  (1u << 8)
#define GT_BCS_SHIFT	   16
/* Display pipe bank bits. */
#define DE_PIPE_VBLANK	   (1u << 0)

enum irq_bank_id {
	BANK_GT0, BANK_GT1, BANK_GT2, BANK_GT3,
	BANK_DE_PIPEA, BANK_DE_PIPEB, BANK_DE_PIPEC,
	BANK_DE_PORT, BANK_DE_MISC, BANK_PCU, BANK_SDE,
	BANK_NR
};

static const uint32_t irq_bank_base[BANK_NR] = {
	[BANK_GT0] = GT0_BASE,		[BANK_GT1] = GT1_BASE,
	[BANK_GT2] = GT2_BASE,		[BANK_GT3] = GT3_BASE,
	[BANK_DE_PIPEA] = DE_PIPEA_BASE, [BANK_DE_PIPEB] = DE_PIPEB_BASE,
	[BANK_DE_PIPEC] = DE_PIPEC_BASE, [BANK_DE_PORT] = DE_PORT_BASE,
	[BANK_DE_MISC] = DE_MISC_BASE,	[BANK_PCU] = PCU_BASE,
	[BANK_SDE] = SDE_BASE,
};

/* Which bank and bit each event sets. */
static const struct {
	enum irq_bank_id bank;
	uint32_t bit;
} irq_event_map[EV_NR] = {
	[EV_RCS_USER] = { BANK_GT0, GT_USER_INTERRUPT },
	[EV_RCS_CTX_SWITCH] = { BANK_GT0, GT_CONTEXT_SWITCH },
	[EV_BCS_USER] = { BANK_GT0, GT_USER_INTERRUPT << GT_BCS_SHIFT },
	[EV_BCS_CTX_SWITCH] = { BANK_GT0, GT_CONTEXT_SWITCH << GT_BCS_SHIFT },
	[EV_VCS_USER] = { BANK_GT1, GT_USER_INTERRUPT },	/* VCS0: GT1 15:0 */
	[EV_VCS_CTX_SWITCH] = { BANK_GT1, GT_CONTEXT_SWITCH },
	[EV_VECS_USER] = { BANK_GT3, GT_USER_INTERRUPT },	/* VECS: GT3 15:0 */
	[EV_VECS_CTX_SWITCH] = { BANK_GT3, GT_CONTEXT_SWITCH },
	[EV_PIPE_A_VBLANK] = { BANK_DE_PIPEA, DE_PIPE_VBLANK },
	[EV_PIPE_B_VBLANK] = { BANK_DE_PIPEB, DE_PIPE_VBLANK },
	[EV_PIPE_C_VBLANK] = { BANK_DE_PIPEC, DE_PIPE_VBLANK },
};

/*
 * Master summary bits: master bit is set while (IIR & IER & mask) of its
 * bank is non-zero (GEN8_GT_*_IRQ, GEN8_DE_*_IRQ, GEN8_PCU_IRQ).
 */
static const struct {
	enum irq_bank_id bank;
	uint32_t mask;
	uint32_t master_bit;
} irq_summary[] = {
	{ BANK_GT0, 0x0000ffffu, 1u << 0 },   /* RCS */
	{ BANK_GT0, 0xffff0000u, 1u << 1 },   /* BCS */
	{ BANK_GT1, 0x0000ffffu, 1u << 2 },   /* VCS0 */
	{ BANK_GT1, 0xffff0000u, 1u << 3 },   /* VCS1 */
	{ BANK_GT2, 0xffffffffu, 1u << 4 },   /* PM (+GuC) */
	{ BANK_GT3, 0x0000ffffu, 1u << 6 },   /* VECS */
	{ BANK_DE_PIPEA, 0xffffffffu, 1u << 16 },
	{ BANK_DE_PIPEB, 0xffffffffu, 1u << 17 },
	{ BANK_DE_PIPEC, 0xffffffffu, 1u << 18 },
	{ BANK_DE_PORT, 0xffffffffu, 1u << 20 },
	{ BANK_DE_MISC, 0xffffffffu, 1u << 22 },
	{ BANK_SDE, 0xffffffffu, 1u << 23 },   /* PCH */
	{ BANK_PCU, 0xffffffffu, 1u << 30 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * x86 MSI (Intel SDM vol. 3 section 11.11): address 0xFEExxxxx. The upper
 * address half must be zero, except for a Xen PIRQ MSI: a Linux PV-on-HVM
 * guest (arch/x86/pci/xen.c) writes vector 0 in the data and carries bits
 * 31:8 of the pirq number in address bits 63:40, which Xen's MSI injection
 * decodes when it sees vector 0 (XEN-IOREQ-NOTES.md).
 */
bool
irq_msi_addr_ok(uint64_t addr, uint32_t data)
{
	if ((addr & 0xfff00000ull) != 0xfee00000ull)
		return false;
	return (addr >> 32) == 0 || (data & 0xffu) == 0;
}

static void
irq_deliver(struct vgpu *v)
{
	uint64_t addr;
	uint32_t data;
	int rc;

	if (!cfg_msi_target(v, &addr, &data))
		return;		/* MSI off: stays pending, sent once enabled */
	v->irq.line = true;	/* this edge is consumed, delivered or not */
	if (!irq_msi_addr_ok(addr, data)) {
		v->stats.msi_suppressed++;
		vgpu_warn_once(v, WARN_MSI_ADDR,
			       "MSI address 0x%llx is not an x86 MSI address; "
			       "interrupts suppressed",
			       (unsigned long long)addr);
		return;
	}
	rc = v->hv_ops->inject_msi(v->hv, addr, data);
	if (rc < 0) {
		/*
		 * The hypervisor refused it (Xen: e.g. a delivery mode it does
		 * not inject). Guest-caused and possibly per interrupt: count
		 * every one, log the first only.
		 */
		v->stats.msi_failed++;
		vgpu_warn_once(v, WARN_MSI_FAIL,
			       "MSI injection (addr 0x%llx data 0x%x) refused: %d; "
			       "further failures only counted",
			       (unsigned long long)addr, data, rc);
		return;
	}
	v->stats.msi_injected++;
	log_dbg(DBG_IRQ, "%s: MSI addr 0x%llx data 0x%x", v->tag,
		(unsigned long long)addr, data);
}

/*
 * The INTx pin follows the line while MSI is off (PCI 3.0 6.8: a function
 * with MSI enabled does not use INTx), gated by the command register's
 * INTx Disable; the status register shows the condition either way. The
 * hypervisor hears only changes; a refused change is retried on the next
 * update (the recorded level stays as it was).
 */
static void
irq_intx_update(struct vgpu *v, bool pending)
{
	uint64_t addr;
	uint32_t data;
	bool level;
	int rc;

	/* MSI on, or failsafe (the guest can no longer clear IIR): the pin stays low. */
	if (cfg_msi_target(v, &addr, &data) || v->stats.failsafe)
		pending = false;
	level = cfg_intx_status(v, pending);
	if (level == v->irq.intx || !v->hv_ops->set_intx)
		return;
	rc = v->hv_ops->set_intx(v->hv, level);
	if (rc < 0) {
		v->stats.intx_failed++;
		vgpu_warn_once(v, WARN_INTX_FAIL,
			       "INTx %s refused: %d; further failures only counted",
			       level ? "assert" : "deassert", rc);
		return;
	}
	v->irq.intx = level;
	if (level)
		v->stats.intx_asserts++;
	log_dbg(DBG_IRQ, "%s: INTx %s", v->tag, level ? "asserted" : "deasserted");
}

void
irq_update(struct vgpu *v)
{
	uint32_t master = vreg_get(v, IRQ_MASTER) & IRQ_MASTER_ENABLE;
	uint32_t summary = 0;

	for (size_t i = 0; i < NELEM(irq_summary); i++) {
		uint32_t base = irq_bank_base[irq_summary[i].bank];
		uint32_t pend = vreg_get(v, base + BANK_IIR) &
				vreg_get(v, base + BANK_IER);

		if (pend & irq_summary[i].mask)
			summary |= irq_summary[i].master_bit;
	}
	vreg_set(v, IRQ_MASTER, master | summary);
	irq_intx_update(v, master && summary);

	if (!master || !summary) {
		v->irq.line = false;	/* level low: the next rise is a new edge */
		return;
	}
	if (!v->irq.line)
		irq_deliver(v);
}

void
irq_raise(struct vgpu *v, enum irq_event ev)
{
	uint32_t base, bit;

	if ((unsigned int)ev >= EV_NR)
		return;
	v->irq.raised[ev]++;
	base = irq_bank_base[irq_event_map[ev].bank];
	bit = irq_event_map[ev].bit;
	/*
	 * Engine and vblank events are pulses: ISR shows the level only while
	 * it lasts, so it is back to 0 by the time a guest could read it.
	 * IIR latches the pulse whenever IMR does not mask it; IER only gates
	 * whether a latched bit drives the master summary (irq_update), as in
	 * GVT-g's interrupt.c propagate_event/update_upstream_irq. A guest
	 * that enables IER later therefore sees the interrupt already pending.
	 */
	if (!(vreg_get(v, base + BANK_IMR) & bit))
		vreg_set(v, base + BANK_IIR, vreg_get(v, base + BANK_IIR) | bit);
	irq_update(v);
}

/* ---- register handlers ---- */

static int
irq_master_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	/* Only the enable bit is writable; the rest is the live summary. */
	vreg_set(v, off, (vreg_get(v, off) & ~IRQ_MASTER_ENABLE) |
			 (val & IRQ_MASTER_ENABLE));
	irq_update(v);
	return 0;
}

static int
irq_iir_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	vreg_set(v, off, vreg_get(v, off) & ~val);
	irq_update(v);
	return 0;
}

/* IMR and IER: plain registers whose change re-evaluates the master line. */
static int
irq_mask_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	vreg_set(v, off, val);
	irq_update(v);
	return 0;
}

/* The four rows of one bank; IMR comes out of reset all masked. */
#define IRQ_BANK_ROWS(base, nm)                                              \
	{ .off = (base) + BANK_ISR, .name = nm "_ISR", .size = 4,            \
	  .flags = MF_VIRT | MF_RO, .ro_mask = 0xffffffffu },                \
	{ .off = (base) + BANK_IMR, .name = nm "_IMR", .size = 4,            \
	  .flags = MF_VIRT, .reset = 0xffffffffu, .write = irq_mask_write }, \
	{ .off = (base) + BANK_IIR, .name = nm "_IIR", .size = 4,            \
	  .flags = MF_VIRT, .w1c_mask = 0xffffffffu, .write = irq_iir_write }, \
	{ .off = (base) + BANK_IER, .name = nm "_IER", .size = 4,            \
	  .flags = MF_VIRT, .write = irq_mask_write }

static const struct mmio_reg irq_regs[] = {
	{ REG(IRQ_MASTER), .size = 4, .flags = MF_VIRT,
	  .ro_mask = ~IRQ_MASTER_ENABLE, .write = irq_master_write },
	IRQ_BANK_ROWS(GT0_BASE, "GEN8_GT0"),
	IRQ_BANK_ROWS(GT1_BASE, "GEN8_GT1"),
	IRQ_BANK_ROWS(GT2_BASE, "GEN8_GT2"),
	IRQ_BANK_ROWS(GT3_BASE, "GEN8_GT3"),
	IRQ_BANK_ROWS(DE_PIPEA_BASE, "GEN8_DE_PIPE_A"),
	IRQ_BANK_ROWS(DE_PIPEB_BASE, "GEN8_DE_PIPE_B"),
	IRQ_BANK_ROWS(DE_PIPEC_BASE, "GEN8_DE_PIPE_C"),
	IRQ_BANK_ROWS(DE_PORT_BASE, "GEN8_DE_PORT"),
	IRQ_BANK_ROWS(DE_MISC_BASE, "GEN8_DE_MISC"),
	IRQ_BANK_ROWS(PCU_BASE, "GEN8_PCU"),
	{ REG(EDP_PSR_IMR), .size = 4, .flags = MF_VIRT, .reset = 0xffffffffu },
	{ REG(EDP_PSR_IIR), .size = 4, .flags = MF_VIRT, .w1c_mask = 0xffffffffu },
	IRQ_BANK_ROWS(SDE_BASE, "SDE"),
};
const struct mmio_table irq_mmio_table = { "irq", irq_regs, NELEM(irq_regs) };

int
irq_init(struct vgpu *v)
{
	v->irq.line = false;
	v->irq.intx = false;
	for (int i = 0; i < EV_NR; i++)
		v->irq.raised[i] = 0;
	return 0;
}

void
irq_intx_drop(struct vgpu *v)
{
	if (v->irq.intx && v->hv_ops->set_intx && v->hv_ops->set_intx(v->hv, false) == 0)
		v->irq.intx = false;
}

void
irq_fini(struct vgpu *v)
{
	v->irq.line = false;
	irq_intx_drop(v);
}
