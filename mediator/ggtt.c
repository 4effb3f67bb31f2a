/* SPDX-License-Identifier: MIT */
/*
 * ggtt.c — the guest's global GTT: BAR0 + 8 MiB, 8-byte gen8 PTEs, entry
 * i maps GM address i * 4 KiB. A guest entry for its own GM is validated
 * (present => its frame must be guest RAM), translated (guest frame -> DMA
 * address through hv_ops->gfn_to_dma) and written to the physical GGTT at
 * the same index; the guest's own value is kept and read back (a frame
 * that is not its RAM maps the scratch page). Entries outside its GM are
 * ballooned: read 0, writes dropped.
 *
 * The aperture needs nothing here: the guest's aperture slice is
 * direct-mapped (cfg_space.c) and the physical GGTT written below is what
 * the hardware uses to translate it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "vgpu_int.h"

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

/* The physical entry behind a non-present guest entry: the scratch page, or 0. */
static uint64_t
ggtt_scratch_pte(const struct gpu *gpu)
{
	uint64_t m = gpu->info.scratch_maddr & GGTT_PTE_ADDR_MASK;

	return m ? m | GGTT_PTE_PRESENT : 0;
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
 * (the guest reads what it wrote, as with any GGTT entry) but the
 * physical entry points at the scratch page (0 without one), as GVT-g's
 * emulate_ggtt_mmio_write does when it cannot map the guest frame: the
 * old mapping must never stay live behind a value the guest replaced.
 */
static void
ggtt_write_entry(struct vgpu *v, uint64_t idx, uint64_t pte)
{
	uint64_t *slot = ggtt_slot(v, idx);
	uint64_t phys = ggtt_scratch_pte(v->gpu), dma = 0;

	if (!slot) {
		vgpu_warn_once(v, WARN_GGTT_RANGE,
			       "GGTT write 0x%016" PRIx64 " to entry %" PRIu64
			       " (GM 0x%" PRIx64 ") outside its GM dropped",
			       pte, idx, idx << GGTT_PAGE_SHIFT);
		ggtt_refuse(v, "GGTT write outside its GM");
		return;
	}
	/* Not present, or refused: the physical entry points at the scratch page (or is 0). */
	if (pte & GGTT_PTE_PRESENT) {
		uint64_t gfn = (pte & GGTT_PTE_ADDR_MASK) >> GGTT_PAGE_SHIFT;
		int rc = v->hv_ops->gfn_to_dma(v->hv, gfn, &dma);

		if (rc || (dma & ~GGTT_PTE_ADDR_MASK & ~((1ull << GGTT_PAGE_SHIFT) - 1))) {
			vgpu_warn_once(v, WARN_GGTT_PAGE,
				       "GGTT entry %" PRIu64 " -> gfn 0x%" PRIx64
				       " not its RAM (%d): mapped to the scratch page",
				       idx, gfn, rc);
			ggtt_refuse(v, "GGTT entry to a page outside its RAM");
		} else {
			phys = (dma & GGTT_PTE_ADDR_MASK) | (pte & GGTT_PTE_FLAGS_MASK);
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
		ggtt_write_entry(v, idx, val << (shift * 8)); /* refused there */
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
	return 0;
}

/*
 * Point the physical entries of one window where the guest made an entry
 * present back at the scratch page (or 0): the next owner sees nothing stale.
 */
static void
ggtt_clear_window(struct gpu *gpu, const uint64_t *kept, uint64_t base, uint64_t n)
{
	uint64_t scratch = ggtt_scratch_pte(gpu);

	if (!kept)
		return;
	for (uint64_t i = 0; i < n; i++)
		if (kept[i] & GGTT_PTE_PRESENT)
			gpu->dev.ops->ggtt_write(gpu->dev.p, (base >> GGTT_PAGE_SHIFT) + i, scratch);
}

void
ggtt_fini(struct vgpu *v)
{
	struct gpu *gpu = v->gpu;

	pthread_mutex_lock(&gpu->lock);
	ggtt_clear_window(gpu, v->ggtt.low, v->part.low_base, v->ggtt.nlow);
	ggtt_clear_window(gpu, v->ggtt.high, v->part.high_base, v->ggtt.nhigh);
	pthread_mutex_unlock(&gpu->lock);
	vgpu_zfree(v->ggtt.low, v->ggtt.nlow * sizeof(uint64_t));
	vgpu_zfree(v->ggtt.high, v->ggtt.nhigh * sizeof(uint64_t));
	v->ggtt.low = NULL;
	v->ggtt.high = NULL;
	v->ggtt.nlow = v->ggtt.nhigh = 0;
	v->ggtt.pend_bytes = 0;
}
