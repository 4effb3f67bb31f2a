/* SPDX-License-Identifier: MIT */
/*
 * ggtt.c — the guest's global GTT: BAR0 + 8 MiB, 8-byte gen8 PTEs, entry
 * i maps GM address i * 4 KiB. A guest entry for its own GM is validated
 * (present => its frame must be guest RAM: the hypervisor's gfn -> DMA
 * lookup must answer, and the frame must not be one of the vGPU's own
 * BARs), translated (guest frame -> DMA address) and written to the
 * physical GGTT at the same index; the guest's own value is kept and read
 * back. A not-present or refused entry is physically not present
 * (GGTT_PTE_NONE): no page stands behind it, so none can be shared (docs/
 * design.md section 5). Entries outside its GM are ballooned: read 0,
 * writes dropped. A write there that only clears (not present) or points
 * at the guest's scratch page is harmless and dropped quietly: i915 writes
 * its guard page and, on resume or a wedge, clears all of the GGTT (about
 * a million entries) with its scratch entry; only other values count as
 * bad (and may end in failsafe). The scratch entry is learnt as the present
 * value written to GGTT_SCRATCH_RUN consecutive entries (i915 clears its
 * own share's holes so at boot, before it writes the guard page). The
 * physical entries of the whole share are reset to GGTT_PTE_NONE when the
 * vGPU is created and when it is destroyed.
 *
 * The aperture needs nothing here: the guest's aperture slice is
 * direct-mapped (cfg_space.c) and the physical GGTT written below is what
 * the hardware uses to translate it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "mediator/core/vgpu_int.h"

#define GGTT_PAGE_SHIFT 12

/* The slot keeping the guest's value of entry idx, or NULL if not its GM. */
static uint64_t *
ggtt_slot(struct vgpu *v, uint64_t idx)
{
	const struct gm_part *p = &v->part;
	uint64_t gma = idx << GGTT_PAGE_SHIFT;

	if (idx >= v->gpu->info.ggtt_entries || !gm_owns(p, gma, 1ull << GGTT_PAGE_SHIFT))
		return NULL;
	if (v->ggtt.low && gma >= p->low_base && gma - p->low_base < p->low_size)
		return &v->ggtt.low[(gma - p->low_base) >> GGTT_PAGE_SHIFT];
	if (v->ggtt.high && gma >= p->high_base && gma - p->high_base < p->high_size)
		return &v->ggtt.high[(gma - p->high_base) >> GGTT_PAGE_SHIFT];
	return NULL;
}

/*
 * Write one physical GGTT entry of this vGPU's own share. No gpu->lock:
 * the share is exclusively this vGPU's from gm_reserve to gm_release (both
 * under gpu->lock, which orders them against these stores), so no other
 * thread writes the same index, and backends store single entries safely
 * (pgpu.h). Taking the shared lock here serialised every vGPU's GGTT
 * updates (a guest boot rewrites its whole share) for nothing.
 */
static void
ggtt_phys_write(struct vgpu *v, uint64_t idx, uint64_t pte)
{
	struct gpu *gpu = v->gpu;

	gpu->dev.ops->ggtt_write(gpu->dev.p, idx, pte);
}

/*
 * Is guest frame gfn inside one of v's live memory BARs (BAR0 registers
 * and GGTT, BAR2 aperture)? Those frames are the vGPU's own device memory,
 * never guest RAM, whatever the hypervisor's lookup answers: an entry
 * naming one would let the GPU reach the aperture (and through it other
 * GM) or its own registers.
 */
static bool
ggtt_gfn_is_bar(const struct vgpu *v, uint64_t gfn)
{
	static const enum vbar mem_bars[] = { VBAR0, VBAR2 };
	const struct cfg_state *c = &v->cfgs;

	if (gfn > (UINT64_MAX >> GGTT_PAGE_SHIFT))
		return false;
	for (size_t i = 0; i < sizeof(mem_bars) / sizeof(mem_bars[0]); i++) {
		enum vbar b = mem_bars[i];
		uint64_t gpa = gfn << GGTT_PAGE_SHIFT;

		if (c->bar_live[b] && gpa >= c->bar_base[b] && gpa - c->bar_base[b] < c->bar_size[b])
			return true;
	}
	return false;
}

/*
 * The DMA address of guest frame gfn, checked against the hv_ops contract
 * (hv.h): 0 and a page-aligned address the PTE can hold, or -EFAULT for
 * anything else (a refusal, a positive return, an address with offset
 * bits or above bit 45, a frame of its own BARs). Also ppgtt_shadow.c's.
 */
int
ggtt_gfn_dma(struct vgpu *v, uint64_t gfn, uint64_t *dma)
{
	int rc;

	if (ggtt_gfn_is_bar(v, gfn))
		return -EFAULT;
	rc = v->hv_ops->gfn_to_dma(v->hv, gfn, dma);
	if (rc)
		return rc < 0 ? rc : -EFAULT;
	if (*dma & ~GGTT_PTE_ADDR_MASK)
		return -EFAULT;
	return 0;
}

/* A refused guest write: counted, and per policy the end of this vGPU's emulation. */
static void
ggtt_refuse(struct vgpu *v, const char *why)
{
	v->stats.ggtt_bad++;
	if (v->cfg.ggtt_failsafe)
		vgpu_enter_failsafe(v, why);
}

/*
 * A complete 8-byte guest entry for index idx: validate, translate, keep,
 * and write the physical entry. An entry outside its GM changes nothing.
 * An entry of its own GM whose frame is not its RAM is kept for read-back
 * (the guest reads what it wrote, as with any GGTT entry, and as GVT-g's
 * emulate_ggtt_mmio_write does) but the physical entry is not present:
 * the old mapping must never stay live behind a value the guest replaced.
 */
static void
ggtt_learn_scratch(struct ggtt_state *g, uint64_t idx, uint64_t pte)
{
	if (pte == g->run_val && idx == g->run_next && g->run_len) {
		if (++g->run_len >= GGTT_SCRATCH_RUN && (pte & GGTT_PTE_PRESENT))
			g->scratch = pte;
	} else {
		g->run_val = pte;
		g->run_len = 1;
	}
	g->run_next = idx + 1;
}

/* A write outside its GM that changes nothing a GPU could use: not present, or scratch. */
static bool
ggtt_harmless(const struct ggtt_state *g, uint64_t pte)
{
	return !(pte & GGTT_PTE_PRESENT) || (g->scratch && pte == g->scratch);
}

static void
ggtt_write_entry(struct vgpu *v, uint64_t idx, uint64_t pte)
{
	uint64_t *slot = ggtt_slot(v, idx);
	uint64_t phys = GGTT_PTE_NONE, dma = 0;

	ggtt_learn_scratch(&v->ggtt, idx, pte);
	if (!slot && ggtt_harmless(&v->ggtt, pte)) {
		v->ggtt.harmless++;
		return;
	}
	if (!slot) {
		vgpu_warn_once(v, WARN_GGTT_RANGE,
			       "GGTT write 0x%016" PRIx64 " to entry %" PRIu64
			       " (GM 0x%" PRIx64 ") outside its GM dropped",
			       pte, idx, idx << GGTT_PAGE_SHIFT);
		ggtt_refuse(v, "GGTT write outside its GM");
		return;
	}
	if (pte & GGTT_PTE_PRESENT) {
		uint64_t gfn = (pte & GGTT_PTE_ADDR_MASK) >> GGTT_PAGE_SHIFT;
		int rc = ggtt_gfn_dma(v, gfn, &dma);

		if (rc) {
			vgpu_warn_once(v, WARN_GGTT_PAGE,
				       "GGTT entry %" PRIu64 " -> gfn 0x%" PRIx64
				       " not its RAM (%d): not present",
				       idx, gfn, rc);
			ggtt_refuse(v, "GGTT entry to a page outside its RAM");
		} else {
			phys = dma | (pte & GGTT_PTE_FLAGS_MASK);
		}
	}
	*slot = pte;
	ggtt_phys_write(v, idx, phys);
}

/* The value the guest reads for entry idx: its own (or pending) value, 0 if not its GM. */
static uint64_t
ggtt_read_entry(struct vgpu *v, uint64_t idx)
{
	const uint64_t *slot = ggtt_slot(v, idx);

	if (!slot)
		return 0;
	if (v->ggtt.pend_bytes && v->ggtt.pend_idx == idx)
		return v->ggtt.pend_val;
	return *slot;
}

/*
 * A write of size bytes at byte shift inside entry idx. i915 writes whole
 * entries (writeq, or two dword halves on 32-bit kernels); a part-entry
 * write is merged into a pending value that is applied once all 8 bytes of
 * the same entry have been written, so no half-updated entry ever reaches
 * the physical GGTT. A partial write to another entry abandons the pending
 * one (the guest keeps its old value there).
 */
static void
ggtt_write_part(struct vgpu *v, uint64_t idx, unsigned int shift, unsigned int size,
		uint64_t val)
{
	struct ggtt_state *g = &v->ggtt;
	uint64_t mask = (size == 8 ? ~0ull : ((1ull << (size * 8)) - 1)) << (shift * 8);
	uint8_t bytes = (uint8_t)(((1u << size) - 1) << shift);

	if (!ggtt_slot(v, idx)) {
		/*
		 * Outside its GM nothing is merged: each part is judged alone.
		 * A part without byte 0 cannot make an entry present; one with
		 * it is harmless if it clears the present bit or matches the
		 * scratch entry's bytes.
		 */
		uint64_t part = (val << (shift * 8)) & mask;

		if (shift || !(part & GGTT_PTE_PRESENT) ||
		    (g->scratch && part == (g->scratch & mask)))
			g->harmless++;
		else
			ggtt_write_entry(v, idx, part); /* refused there */
		return;
	}
	if (!g->pend_bytes || g->pend_idx != idx) {
		g->pend_idx = idx;
		g->pend_val = *ggtt_slot(v, idx);
		g->pend_bytes = 0;
	}
	g->pend_val = (g->pend_val & ~mask) | ((val << (shift * 8)) & mask);
	g->pend_bytes |= bytes;
	if (g->pend_bytes == 0xff) {
		g->pend_bytes = 0;
		ggtt_write_entry(v, idx, g->pend_val);
	}
}

int
ggtt_gma_to_gpa(struct vgpu *v, uint64_t gma, uint64_t *gpa)
{
	const uint64_t *slot = ggtt_slot(v, gma >> GGTT_PAGE_SHIFT);
	uint64_t pte;

	if (!slot)
		return -EFAULT;
	pte = *slot;
	if (!(pte & GGTT_PTE_PRESENT) ||
	    ggtt_gfn_is_bar(v, (pte & GGTT_PTE_ADDR_MASK) >> GGTT_PAGE_SHIFT))
		return -EFAULT;
	*gpa = (pte & GGTT_PTE_ADDR_MASK) | (gma & ((1ull << GGTT_PAGE_SHIFT) - 1));
	return 0;
}

int
ggtt_access(struct vgpu *v, int write, uint64_t off, unsigned int size, uint64_t *val)
{
	uint64_t idx = off >> 3;
	unsigned int shift = off & 7;

	if ((size != 1 && size != 2 && size != 4 && size != 8) || off >= GGTT_MMIO_SIZE ||
	    shift + size > 8) {
		vgpu_warn_once(v, WARN_BAD_SIZE,
			       "GGTT %s of %u bytes at +0x%" PRIx64 " rejected",
			       write ? "write" : "read", size, off);
		v->stats.bad_access++;
		if (!write)
			*val = ~0ull;
		return -EINVAL;
	}
	if (!write) {
		uint64_t e = ggtt_read_entry(v, idx) >> (shift * 8);

		*val = size == 8 ? e : e & ((1ull << (size * 8)) - 1);
		return 0;
	}
	v->stats.ggtt_writes++;
	if (size == 8) {
		if (v->ggtt.pend_idx == idx)
			v->ggtt.pend_bytes = 0;
		ggtt_write_entry(v, idx, *val);
	} else {
		ggtt_write_part(v, idx, shift, size, *val);
	}
	return 0;
}

/*
 * Reset every physical entry of share p (aperture and hidden parts) to
 * GGTT_PTE_NONE, as GVT-g's intel_vgpu_reset_ggtt does at vGPU creation
 * (gvt/gtt.c; it points them at its one scratch page, which would be
 * shared: docs/design.md section 5). No gpu->lock: the share is this
 * vGPU's alone while reserved (see ggtt_phys_write).
 */
static void
ggtt_reset_share(struct gpu *gpu, const struct gm_part *p)
{
	const struct {
		uint64_t base, size;
	} win[] = { { p->low_base, p->low_size }, { p->high_base, p->high_size } };

	if (!p->reserved)
		return;
	for (size_t w = 0; w < sizeof(win) / sizeof(win[0]); w++) {
		uint64_t first = win[w].base >> GGTT_PAGE_SHIFT, n = win[w].size >> GGTT_PAGE_SHIFT;

		for (uint64_t i = 0; i < n && first + i < gpu->info.ggtt_entries; i++)
			gpu->dev.ops->ggtt_write(gpu->dev.p, first + i, GGTT_PTE_NONE);
	}
}

int
ggtt_init(struct vgpu *v)
{
	uint64_t nlow = v->part.low_size >> GGTT_PAGE_SHIFT;
	uint64_t nhigh = v->part.high_size >> GGTT_PAGE_SHIFT;

	v->ggtt.nlow = nlow;
	v->ggtt.nhigh = nhigh;
	v->ggtt.low = vgpu_zalloc(nlow * sizeof(uint64_t));
	v->ggtt.high = vgpu_zalloc(nhigh * sizeof(uint64_t));
	v->ggtt.pend_bytes = 0;
	if (!v->ggtt.low || !v->ggtt.high) {
		ggtt_fini(v);
		return -ENOMEM;
	}
	/* Whatever the share's previous owner (another guest, the host) left goes. */
	ggtt_reset_share(v->gpu, &v->part);
	return 0;
}

void
ggtt_fini(struct vgpu *v)
{
	/* Guest RAM behind its entries may go back to Xen once the guest dies. */
	ggtt_reset_share(v->gpu, &v->part);
	vgpu_zfree(v->ggtt.low, v->ggtt.nlow * sizeof(uint64_t));
	vgpu_zfree(v->ggtt.high, v->ggtt.nhigh * sizeof(uint64_t));
	v->ggtt.low = NULL;
	v->ggtt.high = NULL;
	v->ggtt.nlow = v->ggtt.nhigh = 0;
	v->ggtt.pend_bytes = 0;
}
