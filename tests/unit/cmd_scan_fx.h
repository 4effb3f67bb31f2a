/* SPDX-License-Identifier: MIT */
/*
 * cmd_scan_fx.h — the fixture of the command scanner's tests: a bare GPU
 * and vGPU on the fakes (tests/fake_hv.c) with GPU-reachable memory from
 * malloc, stand-ins for the vGPU's GGTT view (exec_gma_read) and its
 * PPGTT (ppgtt_gva_to_gpa), and a workload whose ring and batches the
 * tests write into guest memory.
 *
 * Guest graphics memory (vGPU type xengt_small on the fake GPU):
 *   GGTT, the vGPU's aperture part  -> guest RAM [0, 16 MiB)
 *   GGTT, its hidden part           -> guest RAM [32 MiB, 96 MiB)
 *   PPGTT: whatever fx_map() maps.
 */
#ifndef TESTS_UNIT_CMD_SCAN_FX_H
#define TESTS_UNIT_CMD_SCAN_FX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediator/exec/cmd_scan.h"
#include "mediator/core/vgpu_int.h"

#define FX_RAM_MB	128
#define FX_PML4		0x7000ull	/* the PPGTT root the stand-in expects */
#define FX_RING_OFF	0x10000ull	/* ring at low GM base + this */
#define FX_MAX_MAPS	32

struct fx_map {
	uint64_t gva, gpa, npages;
	bool alias;		/* every page maps to the one page at gpa */
};

struct fx {
	struct gpu gpu;
	struct pgpu_ops ops;	/* the fake pgpu's, plus mem_alloc */
	struct vgpu *v;
	struct workload w;
	struct fx_map map[FX_MAX_MAPS];
	unsigned int nmap;
	uint64_t hole_gma, hole_len;	/* GGTT range whose entries are not present */
	unsigned int gma_reads, xlates;
	/* Called on every PPGTT translation (after the copies exist): tests change the guest. */
	void (*on_xlate)(struct fx *f);
	void *arg;
};

extern struct fx *fx;
extern const struct cmd_guest_ops fx_guest_ops;
/* Host objects from the stand-in mem_alloc not freed yet. */
extern long fx_live_allocs;

/* New fixture (GPU, vGPU 1, a workload on engine e with a ring of ring_pages). */
void fx_init(enum pgpu_engine e, unsigned int ring_pages);
/* Release the workload's objects, check none leaked, tear down. */
void fx_done(void);
/* A second vGPU (id 2) on the same GPU, sharing the stand-ins' mapping rules. */
struct vgpu *fx_neighbour(void);

/* GGTT address of offset off in the vGPU's aperture / hidden part. */
uint64_t fx_low(uint64_t off);
uint64_t fx_high(uint64_t off);
/* Guest RAM behind GGTT address gma (the stand-in's rule), or NULL. */
void *fx_gma_ptr(uint64_t gma);
/* Map npages of PPGTT at gva to guest physical gpa. */
void fx_map(uint64_t gva, uint64_t gpa, uint64_t npages, bool alias);
/* Guest RAM behind PPGTT address gva, or NULL. */
void *fx_gva_ptr(uint64_t gva);

/* Append dwords to the guest ring at its tail (wrapping); fx_ring_done pads to a qword. */
void fx_ring_put(const uint32_t *dw, size_t n);
void fx_ring_done(void);
/* Put the ring's head (and tail) at byte off, for wrap tests. */
void fx_ring_at(uint32_t off);
/* Write dwords into guest memory at a PPGTT / GGTT address. */
void fx_put_gva(uint64_t gva, const uint32_t *dw, size_t n);
void fx_put_gma(uint64_t gma, const uint32_t *dw, size_t n);

/* Scan the workload with the stand-ins. */
int fx_scan(void);
/* The shadow ring's dwords at ring byte offset off; batch copy i's dwords. */
uint32_t *fx_shadow(uint32_t off);
uint32_t *fx_bb(unsigned int i);

#define FX_RING(...)                                                   \
	do {                                                           \
		const uint32_t fx_d_[] = { __VA_ARGS__ };              \
		fx_ring_put(fx_d_, sizeof(fx_d_) / sizeof(fx_d_[0])); \
	} while (0)
#define FX_GVA(gva, ...)                                                    \
	do {                                                                \
		const uint32_t fx_d_[] = { __VA_ARGS__ };                   \
		fx_put_gva((gva), fx_d_, sizeof(fx_d_) / sizeof(fx_d_[0])); \
	} while (0)
#define FX_GMA(gma, ...)                                                    \
	do {                                                                \
		const uint32_t fx_d_[] = { __VA_ARGS__ };                   \
		fx_put_gma((gma), fx_d_, sizeof(fx_d_) / sizeof(fx_d_[0])); \
	} while (0)

/* Commands as i915 writes them (gt/intel_gpu_commands.h). */
#define MI_NOOP			0x00000000u
#define MI_USER_INTERRUPT	0x01000000u
#define MI_ARB_CHECK		0x02800000u
#define MI_ARB_ON_OFF		0x04000000u
#define MI_BB_END		0x05000000u
#define MI_SDI_GGTT		0x10400002u	/* MI_STORE_DWORD_IMM_GEN4 | MI_USE_GGTT */
#define MI_SDI_PPGTT		0x10000002u
#define MI_LRI(n)		(0x11000000u | (2u * (n) - 1))
#define MI_SRM_GGTT		0x12400002u
#define MI_SRM_PPGTT		0x12000002u
#define MI_FLUSH_DW4		0x13000002u	/* MI_FLUSH_DW + 1 */
#define MI_LRM_GGTT		0x14c00002u
#define MI_LRM_PPGTT		0x14800002u
#define MI_LRR			0x15000001u
#define MI_BB_START_PPGTT	0x18800101u
#define MI_BB_START_GGTT	0x18800001u
#define MI_BB_2ND		(1u << 22)
#define MI_BB_PRED		(1u << 15)
#define PIPE_CONTROL6		0x7a000004u
#define PC_QW_WRITE		(1u << 14)
#define PC_STORE_INDEX		(1u << 21)
#define PC_CS_STALL		(1u << 20)
#define PC_GLOBAL_GTT		(1u << 24)
#define PC_MMIO_WRITE		(1u << 23)
#define XY_SRC_COPY		0x54f00008u	/* | write alpha + RGB, 10 dwords */
#define XY_COLOR		0x54300005u	/* 7 dwords */
#define BR13_32BPP_COPY(p)	((3u << 24) | (0xccu << 16) | (p))

#endif
