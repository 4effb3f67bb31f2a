/* SPDX-License-Identifier: MIT */
/*
 * sg_rig.h — a test rig that drives softgpu directly, as the daemon's
 * pgpu backend would but with no mediator: a private machine with its
 * GPU started, objects from the GPU host pool mapped in the GGTT, PPGTTs
 * built by hand, context images and rings, status pages, and a bounded
 * wait for events (a test fails, never hangs).
 */
#ifndef TESTS_UNIT_SG_RIG_H
#define TESTS_UNIT_SG_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/softgpu/softgpu.h"

#define RIG_WAIT_MS 10000	/* the longest a test waits for one event */

struct sg_obj {
	uint8_t *va;		/* CPU view */
	uint64_t maddr;		/* machine address of the first page (contiguous) */
	uint64_t gma;		/* GGTT address (0: not mapped) */
	unsigned int npages;
};

/* ---- PPGTT ---- */
struct sg_ppgtt {
	unsigned int levels;	/* 4 (legacy 64-bit) or 3 (legacy 32-bit) */
	uint64_t pdp[4];	/* what goes into the context image */
};

struct sg_rig {
	char machine[64];
	struct softgpu *g;
	uint64_t next_gma;
	struct sg_obj hwsp[SOFTGPU_NR_ENGINES];
	/*
	 * A 4-level PPGTT mirroring the GGTT page for page: the default of a
	 * context made without its own, so that blitter surfaces (always
	 * PPGTT addresses under execlists) can be named by GGTT address.
	 */
	struct sg_ppgtt mirror;
};

/* A fresh machine with its GPU started and a status page per engine. */
void rig_open(struct sg_rig *r);
void rig_close(struct sg_rig *r);
/* npages of pool memory; mapped in the GGTT at a fresh address unless !map. */
void rig_obj(struct sg_rig *r, unsigned int npages, bool map, struct sg_obj *o);
/* Map/unmap a GGTT page by hand (the mirror PPGTT follows). */
void rig_ggtt_map(struct sg_rig *r, uint64_t gma, uint64_t maddr);
void rig_ggtt_unmap(struct sg_rig *r, uint64_t gma);

void rig_ppgtt_init(struct sg_rig *r, struct sg_ppgtt *pp, unsigned int levels);
/*
 * The entry for va at the level whose pages are 1 << shift bytes
 * (12: PTE, 21: PDE, 30: PDPE), tables above it made present (+ RW) as needed.
 */
uint64_t *rig_ppgtt_entry(struct sg_rig *r, struct sg_ppgtt *pp, uint64_t va, unsigned int shift);
/* Map a 4 KiB page: present | writable. */
void rig_ppgtt_map(struct sg_rig *r, struct sg_ppgtt *pp, uint64_t va, uint64_t maddr);

/* ---- contexts ---- */
struct sg_ctx {
	struct sg_obj img;	/* 2 pages: PPHWSP, register state */
	struct sg_obj ring;
	uint32_t tail;
	uint32_t id;
	unsigned int mode;	/* descriptor addressing mode: 3 (64-bit) or 1 (32-bit) */
};
/* A context with a ring of ring_pages (GGTT), PPGTT pp or else the rig's GGTT mirror. */
void rig_ctx(struct sg_rig *r, struct sg_ctx *c, uint32_t id, unsigned int ring_pages,
	     const struct sg_ppgtt *pp);
/* Append n dwords to the ring (wrapping), a NOOP after an odd count, and move the image's tail. */
void ctx_emit(struct sg_ctx *c, const uint32_t *dw, unsigned int n);
/* Register state page dword i. */
uint32_t *ctx_reg(struct sg_ctx *c, unsigned int i);
uint64_t ctx_desc(const struct sg_ctx *c);
/* ctx_emit of a list of dwords, counted by the compiler. */
#define DWORDS(...) ((const uint32_t[]){ __VA_ARGS__ })
#define NDWORDS(...) (sizeof(DWORDS(__VA_ARGS__)) / sizeof(uint32_t))
#define CTX_EMIT(c, ...) ctx_emit((c), DWORDS(__VA_ARGS__), NDWORDS(__VA_ARGS__))
/* Submit c alone (element 1 none); the return of softgpu_submit. */
int rig_submit1(struct sg_rig *r, enum softgpu_engine e, const struct sg_ctx *c);
int rig_submit2(struct sg_rig *r, enum softgpu_engine e, const struct sg_ctx *a,
		const struct sg_ctx *b);

/* ---- events ---- */
/* The next event within RIG_WAIT_MS: true, or false (a CUnit failure is recorded). */
bool rig_event(struct sg_rig *r, struct softgpu_event *ev);
/* Assert the next event is a CSB entry of engine e with this status and context id. */
void rig_expect_csb(struct sg_rig *r, enum softgpu_engine e, uint32_t status, uint32_t ctx);
/* The usual pair for one element run from idle. */
void rig_expect_run(struct sg_rig *r, enum softgpu_engine e, uint32_t ctx);
/* Assert the next event is a fault of kind on e; returns it. */
struct softgpu_event rig_expect_fault(struct sg_rig *r, enum softgpu_engine e, uint32_t kind);
/* No event is queued right now. */
bool rig_no_event(struct sg_rig *r);
/* Wait (bounded) until engine e has found n semaphore waits unsatisfied in all. */
bool rig_wait_sem(struct sg_rig *r, enum softgpu_engine e, uint64_t n);

/* Command builders (Gen9 layouts). */
#define MI_NOOP 0u
#define MI_USER_INTERRUPT (0x02u << 23)
#define MI_ARB_CHECK (0x05u << 23)
#define MI_ARB_ON_OFF (0x08u << 23)
#define MI_BATCH_BUFFER_END (0x0au << 23)
#define MI_BB_START (0x31u << 23 | 1)
#define MI_BB_PPGTT (1u << 8)
#define MI_BB_SECOND (1u << 22)
#define MI_SDI (0x20u << 23)		/* | length; bit 22 GGTT, bit 21 qword */
#define MI_GGTT (1u << 22)
#define MI_LRI(n) ((0x22u << 23) | (2 * (n) - 1))
#define MI_SRM ((0x24u << 23) | 2)
#define MI_LRM ((0x29u << 23) | 2)
#define MI_LRR ((0x2au << 23) | 1)
#define MI_COPY_MEM ((0x2eu << 23) | 3)
#define MI_FLUSH_DW (0x26u << 23)	/* | length */
#define MI_SEM_WAIT ((0x1cu << 23) | 2)	/* | 1 << 15 poll | op << 12 | GGTT */
#define MI_STORE_INDEX (0x21u << 23)
#define PIPE_CONTROL(len) ((3u << 29) | (3u << 27) | (2u << 24) | ((len) - 2))
#define XY_SETUP_CLIP ((2u << 29) | (0x03u << 22) | 1)
#define XY_COLOR ((2u << 29) | (0x50u << 22) | 5)
#define XY_SRC_COPY ((2u << 29) | (0x53u << 22) | 8)
#define XY_FAST_COPY ((2u << 29) | (0x42u << 22) | 8)
#define BLT_WRITE_ALPHA (1u << 21)
#define BLT_WRITE_RGB (1u << 20)

#endif
