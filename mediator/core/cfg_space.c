/* SPDX-License-Identifier: MIT */
/*
 * cfg_space.c — the vGPU's virtual PCI config space: a Skylake GT2 type 0
 * header, byte write masks, BAR sizing, and what BAR placement means to
 * the hypervisor (BAR0/BAR4 claimed as ioreq ranges, the BAR2 aperture
 * slice direct-mapped), plus the MSI and PM capabilities. The register
 * file behind BAR0 is mmio.c's; routing guest accesses is vgpu.c's.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"

/* Type 0 header offsets (PCI Local Bus 3.0, section 6.1). */
#define PCI_VENDOR_ID	  0x00
#define PCI_DEVICE_ID	  0x02
#define PCI_COMMAND	  0x04
#define PCI_STATUS	  0x06
#define PCI_REVISION	  0x08
#define PCI_CLASS_PROG	  0x09
#define PCI_CACHE_LINE	  0x0c
#define PCI_HEADER_TYPE	  0x0e
#define PCI_BAR(n)	  (0x10 + 4 * (n))
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID	  0x2e
#define PCI_CAP_PTR	  0x34
#define PCI_INT_LINE	  0x3c
#define PCI_INT_PIN	  0x3d

#define PCI_CMD_IO	  (1u << 0)
#define PCI_CMD_MEM	  (1u << 1)
#define PCI_CMD_MASTER	  (1u << 2)
#define PCI_CMD_INTX_OFF  (1u << 10)
#define PCI_STATUS_CAPS	  (1u << 4)
#define PCI_STATUS_INTX	  (1u << 3)	/* Interrupt Status (read-only) */

#define PCI_BAR_IO	  0x1u
#define PCI_BAR_MEM64	  0x4u
#define PCI_BAR_PREFETCH  0x8u

/*
 * GMCH Graphics Control (SNB_GMCH_CTRL, on the GPU function itself): i915
 * sizes the GGTT from GGMS (bits 7:6, 1 << GGMS MiB on Gen8+) and stolen
 * memory from GMS (bits 15:8). 8 MiB of GGTT (4 GiB of GM), no stolen
 * memory: a vGPU has none.
 */
#define PCI_GMCH_CTRL	  0x50
#define GMCH_GGMS_8M	  (3u << 6)
/*
 * OpRegion address (ASLS). 0: no OpRegion yet, i915 then skips it. The
 * firmware writes it (SeaBIOS intel_igd_setup, hvmloader pci_setup); what
 * it reads is what opregion.c published (0 after a refusal or a reset),
 * so it has no write mask in the image: writes go to opregion_set_asls.
 */
#define PCI_ASLS	  0xfc

/* Capabilities: MSI at 0xac (as on SKL), then power management. */
#define CAP_MSI_OFF	  0xac
#define CAP_PM_OFF	  0xd0
#define PCI_CAP_ID_MSI	  0x05
#define PCI_CAP_ID_PM	  0x01
#define MSI_CTRL	  2 /* enable bit 0, MMC 3:1, MME 6:4, 64-bit cap bit 7 = 0 */
#define MSI_ADDR	  4 /* 32-bit address form (GVTG-NOTES: SKL has no upper dword) */
#define MSI_DATA	  8
#define PM_PMC		  2
#define PM_PMCSR	  4

/* Identity (SKL GT2; subsystem ids are ours to choose: Intel's, a generic id). */
#define VGPU_VENDOR	  0x8086
#define VGPU_REVISION	  0x07
#define VGPU_SUBSYS_VEN	  0x8086
#define VGPU_SUBSYS_ID	  0x2212

/* ---- the config image: fixed offsets only, asserted (never guest input) ---- */

static uint32_t
cfg_get(const struct cfg_state *c, unsigned int off, unsigned int size)
{
	uint32_t v = 0;

	assert(off + size <= CFG_SIZE);
	for (unsigned int i = 0; i < size; i++)
		v |= (uint32_t)c->cfg[off + i] << (8 * i);
	return v;
}

static void
cfg_set(struct cfg_state *c, unsigned int off, unsigned int size, uint32_t v)
{
	assert(off + size <= CFG_SIZE);
	for (unsigned int i = 0; i < size; i++)
		c->cfg[off + i] = (uint8_t)(v >> (8 * i));
}

static void
wmask_set(struct cfg_state *c, unsigned int off, unsigned int size, uint32_t m)
{
	assert(off + size <= CFG_SIZE);
	for (unsigned int i = 0; i < size; i++)
		c->wmask[off + i] = (uint8_t)(m >> (8 * i));
}

/*
 * The config offset of each virtual BAR and its flag bits. Memory BARs
 * are 64-bit, or 32-bit with bars=32 (vgpu_config.bars32): a transport
 * that registers 32-bit BARs only (QEMU's x-pci-proxy-dev sizes each BAR
 * register on its own with a 32-bit probe, docs/qemu-glue.md).
 */
static const struct {
	unsigned int reg;
	uint32_t flags;		/* besides the 64-bit type bits */
	bool mem;
} vbar_desc[VBAR_NR] = {
	[VBAR0] = { PCI_BAR(0), 0, true },
	[VBAR2] = { PCI_BAR(2), PCI_BAR_PREFETCH, true },
	[VBAR4] = { PCI_BAR(4), PCI_BAR_IO, false },
};

static bool
vbar_is64(const struct cfg_state *c, enum vbar b)
{
	return vbar_desc[b].mem && !c->bars32;
}

static void
cfg_build_caps(struct vgpu *v)
{
	struct cfg_state *c = &v->cfgs;
	unsigned int first = CAP_PM_OFF;

	/* MSI only where the transport can inject one (hv inject_msi). */
	if (v->cfg.msi && v->hv_ops->inject_msi) {
		c->msi_cap = CAP_MSI_OFF;
		first = CAP_MSI_OFF;
		cfg_set(c, CAP_MSI_OFF, 1, PCI_CAP_ID_MSI);
		cfg_set(c, CAP_MSI_OFF + 1, 1, CAP_PM_OFF);
		cfg_set(c, CAP_MSI_OFF + MSI_CTRL, 2, 0); /* 1 vector, 32-bit address */
		wmask_set(c, CAP_MSI_OFF + MSI_CTRL, 2, 0x0071); /* enable + MME */
		wmask_set(c, CAP_MSI_OFF + MSI_ADDR, 4, 0xfffffffc); /* dword aligned */
		wmask_set(c, CAP_MSI_OFF + MSI_DATA, 2, 0xffff);
	}
	cfg_set(c, CAP_PM_OFF, 1, PCI_CAP_ID_PM);
	cfg_set(c, CAP_PM_OFF + 1, 1, 0);
	cfg_set(c, CAP_PM_OFF + PM_PMC, 2, 0x0022); /* version 2 (PM 1.1), DSI; no D1/D2, no PME */
	wmask_set(c, CAP_PM_OFF + PM_PMCSR, 2, 0x0003); /* power state D0..D3hot */
	cfg_set(c, PCI_CAP_PTR, 1, first);
}

int
cfg_space_init(struct vgpu *v)
{
	struct cfg_state *c = &v->cfgs;

	memset(c, 0, sizeof(*c));
	c->bars32 = v->cfg.bars32;
	cfg_set(c, PCI_VENDOR_ID, 2, VGPU_VENDOR);
	cfg_set(c, PCI_DEVICE_ID, 2, v->gpu->info.device_id);
	cfg_set(c, PCI_STATUS, 2, PCI_STATUS_CAPS);
	cfg_set(c, PCI_REVISION, 1, VGPU_REVISION);
	cfg_set(c, PCI_CLASS_PROG, 3, 0x030000); /* VGA-compatible display controller */
	cfg_set(c, PCI_HEADER_TYPE, 1, 0x00);	  /* type 0, single function */
	cfg_set(c, PCI_SUBSYS_VENDOR, 2, VGPU_SUBSYS_VEN);
	cfg_set(c, PCI_SUBSYS_ID, 2, VGPU_SUBSYS_ID);
	/* INTA, if the transport can drive it for this address; else no pin. */
	if (v->hv_ops->set_intx && (!v->hv_ops->intx_ok ||
				    v->hv_ops->intx_ok(v->hv, v->cfg.seg, v->cfg.bus, v->cfg.dev)))
		cfg_set(c, PCI_INT_PIN, 1, 1);
	cfg_set(c, PCI_GMCH_CTRL, 2, GMCH_GGMS_8M);
	wmask_set(c, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF);
	wmask_set(c, PCI_CACHE_LINE, 1, 0xff);
	wmask_set(c, PCI_INT_LINE, 1, 0xff);

	/*
	 * BARs: the low bits under the size read as zero, so writing all-ones
	 * and reading back yields ~(size - 1) | flags (PCI 3.0 section 6.2.5.1).
	 * The upper dword of a 64-bit BAR is fully writable (sizes < 4 GiB).
	 * I/O: x86 ports are 16 bits, so bits 31:16 read as zero (Linux's
	 * pci_size() handles that form). With bars=32 they are writable, as
	 * QEMU's own I/O BARs are: the proxy computes a BAR's size as
	 * ~(value & ~0xf) + 1 over all 32 bits, so the 16-bit form would give
	 * it a size that is no power of two (and QEMU aborts registering it).
	 */
	c->bar_size[VBAR0] = BAR0_SIZE;
	c->bar_size[VBAR2] = v->gpu->info.aperture_size;
	c->bar_size[VBAR4] = BAR4_SIZE;
	for (unsigned int b = 0; b < VBAR_NR; b++) {
		unsigned int reg = vbar_desc[b].reg;
		uint64_t mask = ~(c->bar_size[b] - 1);

		cfg_set(c, reg, 4, vbar_desc[b].flags | (vbar_is64(c, b) ? PCI_BAR_MEM64 : 0));
		if (vbar_is64(c, b)) {
			wmask_set(c, reg, 4, (uint32_t)mask & ~0xfu);
			wmask_set(c, reg + 4, 4, (uint32_t)(mask >> 32));
		} else if (vbar_desc[b].mem) {
			wmask_set(c, reg, 4, (uint32_t)mask & ~0xfu);
		} else {
			wmask_set(c, reg, 4, (uint32_t)mask & (c->bars32 ? ~0x3u : 0xfffcu));
		}
	}
	cfg_build_caps(v);
	return 0;
}

/* ---- BAR placement -> hypervisor claims ---- */

static uint64_t
bar_base(const struct cfg_state *c, enum vbar b)
{
	unsigned int reg = vbar_desc[b].reg;
	uint64_t lo = cfg_get(c, reg, 4);

	if (!vbar_desc[b].mem)
		return lo & ~0x3ull;
	if (!vbar_is64(c, b))
		return lo & ~0xfull;
	return ((uint64_t)cfg_get(c, reg + 4, 4) << 32) | (lo & ~0xfull);
}

/* The guest's aperture slice sits at the same offset as in the host aperture. */
static int
bar_hv(struct vgpu *v, enum vbar b, uint64_t base, bool on)
{
	const struct hv_ops *o = v->hv_ops;
	uint64_t end = base + v->cfgs.bar_size[b] - 1;

	switch (b) {
	case VBAR0:
		return o->claim_io(v->hv, true, base, end, on);
	case VBAR2:
		if (!v->part.low_size)
			return 0;
		return o->map_aperture(v->hv, (base + v->part.low_base) >> 12, v->part.low_base,
				       v->part.low_size >> 12, on);
	case VBAR4:
		return o->claim_io(v->hv, false, base, end, on);
	default:
		return -EINVAL;
	}
}

/*
 * A BAR is placed when its base is non-zero and the whole BAR fits the
 * address space (48-bit guest physical, 4 GiB for a 32-bit BAR, 16-bit
 * ports); a BAR still holding the sizing pattern is not.
 */
static bool
bar_placed(const struct cfg_state *c, enum vbar b, uint64_t base)
{
	uint64_t limit = vbar_is64(c, b) ? (1ull << 48) : vbar_desc[b].mem ? (1ull << 32)
									  : 0x10000ull;

	return base != 0 && base < limit && c->bar_size[b] <= limit - base;
}

/*
 * Bring the hypervisor in line with command + BARs: drop the old claim
 * or mapping first, then make the new one (Xen refuses to remap a
 * mapped gfn; XEN-IOREQ-NOTES.md section 5).
 */
static void
cfg_update_bars(struct vgpu *v)
{
	struct cfg_state *c = &v->cfgs;
	uint32_t cmd = cfg_get(c, PCI_COMMAND, 2);

	for (unsigned int b = 0; b < VBAR_NR; b++) {
		uint32_t decode = b == VBAR4 ? PCI_CMD_IO : PCI_CMD_MEM;
		uint64_t base = bar_base(c, b);
		bool want = (cmd & decode) && !c->bar_sizing[b] && bar_placed(c, b, base);
		int rc;

		if (c->bar_live[b] && (!want || base != c->bar_base[b])) {
			rc = bar_hv(v, b, c->bar_base[b], false);
			if (rc < 0) {
				/*
				 * Still claimed/mapped at the old base: keep it live
				 * (the next config write or cfg_space_fini retries),
				 * and do not place the BAR anew meanwhile.
				 */
				c->release_failed++;
				vgpu_warn_once(v, WARN_HV_RELEASE,
					       "BAR%u: releasing %#llx failed: %d (kept, retried)",
					       b * 2, (unsigned long long)c->bar_base[b], rc);
				continue;
			}
			c->bar_live[b] = false;
		}
		if (want && !c->bar_live[b]) {
			rc = bar_hv(v, b, base, true);
			if (rc < 0) {
				vgpu_warn_once(v, WARN_CFG, "BAR%u at %#llx refused by hypervisor: %d",
					       b * 2, (unsigned long long)base, rc);
				continue;
			}
			c->bar_base[b] = base;
			c->bar_live[b] = true;
		}
	}
}

/*
 * Release every live BAR, with one retry each. A release that still fails
 * leaves bar_live set: vgpu_destroy then keeps the GM share out of the
 * allocator if the aperture mapping is the one left (cfg_space_gm_exposed).
 */
void
cfg_space_fini(struct vgpu *v)
{
	struct cfg_state *c = &v->cfgs;

	for (unsigned int b = 0; b < VBAR_NR; b++) {
		int rc = 0;

		for (int attempt = 0; attempt < 2 && c->bar_live[b]; attempt++) {
			rc = bar_hv(v, b, c->bar_base[b], false);
			if (rc == 0)
				c->bar_live[b] = false;
			else
				c->release_failed++;
		}
		if (c->bar_live[b])
			vgpu_log(v, LOG_ERR, "BAR%u at %#llx still claimed/mapped: release failed: %d",
				 b * 2, (unsigned long long)c->bar_base[b], rc);
	}
}

bool
cfg_space_mem_overlaps(const struct vgpu *v, uint64_t start, uint64_t end)
{
	const struct cfg_state *c = &v->cfgs;

	for (unsigned int b = 0; b < VBAR_NR; b++) {
		uint64_t base = bar_base(c, b);

		if (!vbar_desc[b].mem)
			continue;
		/* Where it is claimed, and where the guest has placed it. */
		if (c->bar_live[b] && start < c->bar_base[b] + c->bar_size[b] &&
		    c->bar_base[b] <= end)
			return true;
		if (!c->bar_sizing[b] && bar_placed(c, b, base) &&
		    start < base + c->bar_size[b] && base <= end)
			return true;
	}
	return false;
}

bool
cfg_space_gm_exposed(const struct vgpu *v)
{
	return v->cfgs.bar_live[VBAR2] && v->part.low_size;
}

/* ---- guest config cycles ---- */

/*
 * BAR sizing (PCI 3.0 section 6.2.5.1): software writes all-ones to a BAR
 * dword, reads the size mask back, then restores a base. While a dword
 * holds what the all-ones write left, the BAR is not placed: with decode
 * on, the value read back (e.g. 0xff000000 for BAR0) would otherwise be
 * claimed as a base, and the claim could cover another device's range.
 * The write itself is the sign (not the value): an aperture placed at
 * 0xc0000000 has the same value as its sizing pattern when it is 1 GiB.
 */
static void
cfg_track_sizing(struct cfg_state *c, unsigned int reg, unsigned int size, uint32_t val)
{
	for (unsigned int b = 0; b < VBAR_NR; b++) {
		unsigned int ndw = vbar_is64(c, b) ? 2 : 1;

		for (unsigned int d = 0; d < ndw; d++) {
			unsigned int dreg = vbar_desc[b].reg + 4 * d;
			unsigned int lo = reg > dreg ? reg : dreg;
			unsigned int hi = reg + size < dreg + 4 ? reg + size : dreg + 4;
			bool ones = true;

			if (lo >= hi)
				continue;
			for (unsigned int i = lo; i < hi; i++)
				ones &= (uint8_t)(val >> (8 * (i - reg))) == 0xff;
			if (ones)
				c->bar_sizing[b] |= (uint8_t)(1u << d);
			else
				c->bar_sizing[b] &= (uint8_t)~(1u << d);
		}
	}
}

static bool
touches(unsigned int reg, unsigned int size, unsigned int start, unsigned int len)
{
	return reg < start + len && start < reg + size;
}

int
cfg_space_access(struct vgpu *v, bool write, unsigned int reg, unsigned int size,
		 uint32_t *val)
{
	struct cfg_state *c = &v->cfgs;

	if ((size != 1 && size != 2 && size != 4) || (reg & (size - 1)) || reg >= 4096) {
		v->stats.bad_access++;
		vgpu_warn_once(v, WARN_CFG, "malformed config %s reg %#x size %u",
			       write ? "write" : "read", reg, size);
		if (!write)
			*val = ~0u;
		return -EINVAL;
	}
	if (reg >= CFG_SIZE) {
		/* No extended config space: absent registers (PCIe 3.0 section 7.2.2). */
		v->stats.bad_access++;
		vgpu_warn_once(v, WARN_CFG, "config access past 256 bytes: reg %#x", reg);
		if (!write)
			*val = ~0u;
		return 0;
	}
	/* ASLS reads what is published (opregion.c). */
	cfg_set(c, PCI_ASLS, 4, v->opr.asls);
	if (!write) {
		*val = cfg_get(c, reg, size);
		return 0;
	}
	if (touches(reg, size, PCI_ASLS, 4)) {
		/* A byte or word write changes those bytes of the current value. */
		uint32_t asls = v->opr.asls;

		for (unsigned int i = 0; i < size; i++) {
			unsigned int sh = 8 * (reg + i - PCI_ASLS);

			asls = (asls & ~(0xffu << sh)) | (((*val >> (8 * i)) & 0xffu) << sh);
		}
		opregion_set_asls(v, asls);
		cfg_set(c, PCI_ASLS, 4, v->opr.asls);
		return 0;
	}
	for (unsigned int i = 0; i < size; i++) {
		uint8_t m = c->wmask[reg + i];
		uint8_t b = (uint8_t)(*val >> (8 * i));

		c->cfg[reg + i] = (uint8_t)((c->cfg[reg + i] & ~m) | (b & m));
	}
	cfg_track_sizing(c, reg, size, *val);
	if (touches(reg, size, PCI_COMMAND, 2) || touches(reg, size, PCI_BAR(0), 0x18))
		cfg_update_bars(v);
	/* MSI enable/target and INTx Disable decide how the line is delivered. */
	if ((c->msi_cap && touches(reg, size, c->msi_cap, 10)) ||
	    touches(reg, size, PCI_COMMAND, 2))
		irq_update(v);
	return 0;
}

bool
cfg_msi_target(struct vgpu *v, uint64_t *addr, uint32_t *data)
{
	struct cfg_state *c = &v->cfgs;

	if (!c->msi_cap || !(cfg_get(c, c->msi_cap + MSI_CTRL, 2) & 1))
		return false;
	*addr = cfg_get(c, c->msi_cap + MSI_ADDR, 4);
	*data = cfg_get(c, c->msi_cap + MSI_DATA, 2);
	return true;
}

bool
cfg_intx_status(struct vgpu *v, bool pending)
{
	struct cfg_state *c = &v->cfgs;
	uint32_t st = cfg_get(c, PCI_STATUS, 2) & ~PCI_STATUS_INTX;

	cfg_set(c, PCI_STATUS, 2, st | (pending ? PCI_STATUS_INTX : 0));
	return pending && cfg_get(c, PCI_INT_PIN, 1) &&
	       !(cfg_get(c, PCI_COMMAND, 2) & PCI_CMD_INTX_OFF);
}

void
cfg_space_trap_rows(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n)
{
	const struct cfg_state *c = &v->cfgs;
	uint64_t sbdf = (uint64_t)v->cfg.seg << 16 | (uint64_t)v->cfg.bus << 8 |
			(uint64_t)v->cfg.dev << 3 | v->cfg.fn, b;

	vgpu_trap_row(rows, max, n, TRAP_PCI_SBDF, sbdf << 32, sbdf << 32 | (CFG_SIZE - 1),
		      "PCI config", v->traps[TS_CFG]);
	if (c->bar_live[VBAR0]) {
		b = c->bar_base[VBAR0];
		vgpu_trap_row(rows, max, n, TRAP_IOREQ_MMIO, b, b + BAR0_REGS_END - 1, "BAR0 regs",
			      v->traps[TS_BAR0_REGS]);
		vgpu_trap_row(rows, max, n, TRAP_IOREQ_MMIO, b + BAR0_GGTT_OFF, b + BAR0_SIZE - 1,
			      "BAR0 GGTT", v->traps[TS_BAR0_GGTT]);
	}
	if (c->bar_live[VBAR4]) {
		b = c->bar_base[VBAR4];
		vgpu_trap_row(rows, max, n, TRAP_IOREQ_PORT, b, b + BAR4_SIZE - 1, "BAR4 ports",
			      v->traps[TS_BAR4_PIO]);
	}
	if (c->bar_live[VBAR2] && v->part.low_size) {
		/* Direct-mapped: the DM never sees these accesses, so 0 traps. */
		b = c->bar_base[VBAR2] + v->part.low_base;
		vgpu_trap_row(rows, max, n, TRAP_DIRECT, b, b + v->part.low_size - 1,
			      "BAR2 aperture slice", 0);
	}
}

void
cfg_space_stats(struct vgpu *v, struct vgpu_stats *out)
{
	out->hv_release_failed += v->cfgs.release_failed;
}
