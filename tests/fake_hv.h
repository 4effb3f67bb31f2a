/* SPDX-License-Identifier: MIT */
/*
 * fake_hv.h — an in-process hypervisor and physical GPU for mediator unit
 * tests: hv_ops that record every claim, write-protect, aperture mapping
 * and MSI, guest RAM in a malloc'd buffer, and a pgpu with plain arrays.
 * Scenario tests use the real glue over libxensim instead.
 */
#ifndef TESTS_FAKE_HV_H
#define TESTS_FAKE_HV_H

#include <stdbool.h>
#include <stdint.h>

#include "mediator/vgpu.h"

#define FAKE_MAX_CLAIMS 32
#define FAKE_MAX_MSI 64

struct fake_claim {
	char kind;		/* 'm' mmio, 'p' pio, 'd' pcidev */
	uint64_t start, end;
	bool live;
};

struct hv {			/* the fake's definition of the opaque handle */
	uint8_t *ram;		/* guest RAM at gpa 0 */
	uint64_t ram_size;
	uint64_t dma_base;	/* gfn_to_dma answers dma_base + gpa */
	/*
	 * gfn_to_dma refuses (-EFAULT) gfns in [refuse_gfn, refuse_gfn +
	 * refuse_n) though they are inside ram_size: RAM the guest gave up
	 * (a BAR or a foreign mapping placed over it, a ballooned page).
	 */
	uint64_t refuse_gfn, refuse_n;
	/*
	 * gfn_to_dma answers every gfn, RAM or not (dma_base + gpa): a glue
	 * that breaks the hv.h contract, as libxensim did for direct-mapped
	 * device memory. The mediator must not trust it blindly.
	 */
	bool dma_any;
	unsigned int nr_dma_calls; /* gfn_to_dma calls */
	struct fake_claim claims[FAKE_MAX_CLAIMS];
	unsigned int nr_claims;
	uint8_t *wp;		/* one byte per gfn: write-protected */
	unsigned int nr_wp_calls;
	uint64_t ap_gfn, ap_off, ap_nr;	/* last aperture mapping */
	bool ap_mapped;
	unsigned int nr_ap_calls;
	uint64_t msi_addr[FAKE_MAX_MSI];
	uint32_t msi_data[FAKE_MAX_MSI];
	unsigned int nr_msi;
	bool intx;		/* INTx level as last set */
	unsigned int nr_intx_calls;
	int fail_next;		/* if non-zero, the next op returns this -errno */
	unsigned int fail_skip;	/* ops that succeed before fail_next fires (default 0) */
	unsigned int fail_times; /* ops that fail with fail_next (0 or 1: one-shot) */
	/* If set, called at the start of every read_gpa (ordering tests). */
	void (*read_hook)(struct hv *hv, uint64_t gpa, size_t len);
	void *hook_arg;		/* free for the hook's use */
};

extern const struct hv_ops fake_hv_ops;

/* A fake guest with ram_mb of RAM. */
struct hv *fake_hv_new(unsigned int ram_mb);
void fake_hv_free(struct hv *hv);
/* Is [start,end] of kind claimed right now? */
bool fake_hv_claimed(struct hv *hv, char kind, uint64_t start, uint64_t end);

/*
 * A fake physical GPU (arrays): 256 MiB aperture, 4 GiB GM, 32 fences.
 * Writes to masked registers (MF_MASKED rows) apply the mask half.
 */
struct fake_mem_block;
struct pgpu_fake {
	uint32_t mmio[0x200000 / 4];
	uint64_t *ggtt;		/* 1 Mi entries */
	unsigned int ggtt_writes;
	/* GPU-reachable memory (mem_alloc), see fake_pgpu_mem_va. */
	struct fake_mem_block *mem;	/* sorted by machine address */
	size_t nmem, capmem;
	uint64_t mem_next;	/* machine address of the next allocation */
	uint64_t mem_pages;	/* pages allocated now */
	int mem_fail;		/* if non-zero, the next mem_alloc fails with this errno */
};
void fake_pgpu_open(struct pgpu_dev *out);
struct pgpu_fake *fake_pgpu(const struct pgpu_dev *dev);
/*
 * The fake's mem_alloc hands out malloc'd pages with made-up machine
 * addresses from FAKE_MADDR_BASE up (never reused, never guest RAM's
 * dma_base + gpa). The CPU view of machine address maddr (any offset in an
 * allocated page), or NULL if nothing is allocated there: what the GPU
 * would reach by that address.
 */
#define FAKE_MADDR_BASE 0x200000000000ull
void *fake_pgpu_mem_va(const struct pgpu_dev *dev, uint64_t maddr);

/* ---- fixtures built on the fakes (additions for the mediator unit tests) ---- */

/* Where fake_place_bars puts the BARs (as hvmloader would). */
#define FAKE_BAR0 0xe0000000ull
#define FAKE_BAR2 0xc0000000ull
#define FAKE_BAR4 0xc000u

/* Program BAR0/2/4 through config cycles and enable I/O + memory decode. */
void fake_place_bars(struct vgpu *v);
/*
 * A vGPU for domid on gpu with a fresh fake guest of 64 MiB (*hv).
 * cfg NULL = vgpu_config_default with the small test type "xengt_small"
 * (16 MiB aperture), so several fit on the fake GPU. Returns vgpu_create's result.
 */
int fake_vgpu_new(struct gpu *gpu, uint32_t domid, const struct vgpu_config *cfg,
		  bool place, struct hv **hv, struct vgpu **v);
/* One GPU + one vGPU (domid 1) with BARs placed. */
struct fake_setup {
	struct pgpu_dev dev;
	struct gpu *gpu;
	struct hv *hv;
	struct vgpu *v;
};
int fake_setup(struct fake_setup *s, const struct vgpu_config *cfg);
/*
 * The whole-GPU rig of the register-level module tests (display, irq,
 * DP AUX): one vGPU for domid of config cfg (NULL = vgpu_config_default)
 * over a fresh fake GPU and a 16 MiB fake guest, BARs not placed.
 * Returns 0 or the first failing step's -errno; fake_teardown undoes it.
 */
int fake_setup_whole(struct fake_setup *s, uint32_t domid, const struct vgpu_config *cfg);
void fake_teardown(struct fake_setup *s);
/* Guest-style accessors through vgpu_mem_access on BAR0 (returns all-ones on error). */
uint32_t fake_readl(struct vgpu *v, uint32_t off);
void fake_writel(struct vgpu *v, uint32_t off, uint32_t val);

/*
 * A register access through mmio_access with v->lock held, as vgpu.c makes
 * it (tests of one module's rows, without BAR routing). Returns its rc.
 */
int fake_mmio_access(struct vgpu *v, bool write, uint32_t off, unsigned int size,
		     uint64_t *val);

/* ---- bare fixtures: struct gpu / struct vgpu assembled by hand (no gpu_create,
 * vgpu_create), for tests of one module (ggtt.c, fence.c) ---- */

/* Fake pgpu, its info, the lock and the GM allocator. */
void fake_bare_gpu_init(struct gpu *gpu);
void fake_bare_gpu_fini(struct gpu *gpu);
/*
 * vGPU id (domid = id) of vGPU type `type` with a fake guest of ram_mb: tag,
 * hv, lock, a zeroed register file and its GM share reserved. No module
 * is initialised. NULL if the type is unknown or the share does not fit.
 */
struct vgpu *fake_bare_vgpu(struct gpu *gpu, unsigned int id, const char *type,
			    unsigned int ram_mb);
/* Release its share and free it (module state is the caller's to undo first). */
void fake_bare_vgpu_free(struct vgpu *v);

#endif
