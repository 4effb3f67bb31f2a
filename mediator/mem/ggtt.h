/* SPDX-License-Identifier: MIT */
/*
 * ggtt.h — the guest's view of the global GTT (ggtt.c): entries it wrote
 * for its own GM, validated and translated into the physical GGTT.
 */
#ifndef MEDIATOR_GGTT_H
#define MEDIATOR_GGTT_H

#include <stdint.h>

struct vgpu;

/* gen8 GGTT PTE: bit 0 present, bits 45:12 address. */
#define GGTT_PTE_PRESENT 1ull
#define GGTT_PTE_ADDR_MASK 0x00003ffffffff000ull
/*
 * The physical entry behind anything a guest may not reach: not present,
 * no address (docs/design.md section 5). Also the reset value of a share.
 */
#define GGTT_PTE_NONE 0ull

/* Low PTE bits carried from the guest's entry into the physical one (present, PAT). */
#define GGTT_PTE_FLAGS_MASK 0xfffull
/* Bytes of PTEs in BAR0 from the GGTT start (BAR0 + 8 MiB): 1 Mi entries. */
#define GGTT_MMIO_SIZE 0x800000ull

struct ggtt_state {
	uint64_t *low;	/* guest entries for its aperture part, one per 4 KiB */
	uint64_t *high; /* guest entries for its hidden part */
	uint64_t nlow, nhigh; /* entries in each (vgpu_zalloc'd) */
	/* A partly written entry (4-byte halves, sub-dword writes) waits here. */
	uint64_t pend_idx;  /* entry index */
	uint64_t pend_val;  /* merged value so far */
	uint8_t pend_bytes; /* bit per byte written; 0xff = complete */
	/*
	 * The guest's scratch entry, learnt (ggtt.c): the present value it
	 * wrote to GGTT_SCRATCH_RUN consecutive entries (a clear_range), 0
	 * while unknown. Writes outside its GM that only clear or name
	 * scratch are harmless: dropped quietly, not counted as bad.
	 */
	uint64_t scratch;
	uint64_t run_val, run_next;	/* the current run of equal values */
	uint32_t run_len;
	uint64_t harmless;		/* harmless writes outside its GM, dropped */
};

/* A present value written to this many consecutive entries is the scratch entry. */
#define GGTT_SCRATCH_RUN 16

/*
 * Allocate the guest-entry arrays for v->part and reset every physical
 * entry of the share to GGTT_PTE_NONE (after gm_reserve; the vGPU is not
 * reachable by the guest yet). Returns 0 or -ENOMEM. No gpu->lock needed.
 */
int ggtt_init(struct vgpu *v);
/*
 * Reset every physical GGTT entry of the share to GGTT_PTE_NONE (so the
 * next owner of the GM sees nothing stale, and no GPU access reaches the
 * guest's pages once they may go back to the hypervisor), and free the
 * arrays. Call it before gm_release; no gpu->lock needed. Safe on a vGPU
 * whose ggtt_init failed or never ran, and twice.
 */
void ggtt_fini(struct vgpu *v);
/*
 * BAR0 GGTT access (v->lock held; physical entries of its own share are
 * written without gpu->lock, see ggtt.c).
 * off: bytes from the GGTT start (BAR0 + 8 MiB); size 1, 2, 4 or 8,
 * inside one 8-byte entry. Reads fill *val (0 for entries outside its GM).
 * Returns 0 handled (writes outside its GM are dropped: counted as bad unless
 * harmless, i.e. not present or the learnt scratch entry; entries of its GM
 * whose frame is not its RAM, or lies in one of its own live memory BARs,
 * are kept for read-back but physically not present; both logged once, counted in stats.ggtt_bad, and with
 * cfg.ggtt_failsafe the vGPU enters failsafe), or -EINVAL for a malformed
 * access (bad size, crossing an entry, off >= GGTT_MMIO_SIZE): reads
 * all-ones, writes dropped, stats.bad_access counted.
 */
int ggtt_access(struct vgpu *v, int write, uint64_t off, unsigned int size,
		uint64_t *val);
/*
 * The guest physical address behind GM address gma in the guest's own
 * view of its GGTT (the entry it wrote, as ggtt_access reads it back):
 * 0, or -EFAULT if gma is outside its GM, the entry is not present, or
 * it names a frame of one of the vGPU's own BARs. Whether the frame is
 * RAM is for the reader of guest memory to find out. v->lock held.
 */
int ggtt_gma_to_gpa(struct vgpu *v, uint64_t gma, uint64_t *gpa);
/*
 * Guest frame gfn -> DMA address for a GTT entry (GGTT or PPGTT): 0 and a
 * page-aligned address within GGTT_PTE_ADDR_MASK, or -EFAULT if it is not
 * the guest's RAM (the hypervisor refuses, answers out of contract, or it
 * is a frame of v's own live BAR0/BAR2).
 */
int ggtt_gfn_dma(struct vgpu *v, uint64_t gfn, uint64_t *dma);

#endif
