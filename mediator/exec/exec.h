/* SPDX-License-Identifier: MIT */
/*
 * exec.h — execution inside the mediator (docs/execution.md): the
 * contract between its parts, each in a file of its own:
 *
 *   hostmem.c    memory the GPU runs from, mapped into the host's GGTT part
 *   execlist.c   the guest's execlists: ELSP, context images, CSB, HWSP,
 *                GDRST / RESET_CTL (a vGPU module)
 *   workload.c   one guest submission turned into a shadow context
 *   cmd_scan.c   the command scanner, driven by cmd_table.c
 *   sched.c      the scheduler of one physical GPU (its own daemon thread)
 *   ../mem/ppgtt*.c  PPGTT shadowing (write protection, out-of-sync leaves)
 *
 * Locking: a vGPU's execution state is under v->lock, like the rest of
 * the vGPU. The scheduler's state is under gpu->sched_lock, taken before
 * any v->lock (and before gpu->switch_lock). Workloads move from a vGPU's
 * queue (v->lock) to the scheduler (both locks) and back (completion,
 * both locks).
 *
 * A workload's life: execlist.c allocates it, fills the guest fields and
 * appends it to v->exec.eng[e].queue (WL_QUEUED), then sched_kick(v).
 * The scheduler takes it off the head of that queue (it is then on no
 * queue), sets shadow_ctx_id, calls workload_prepare, submits it
 * (WL_RUNNING), and hands it back exactly once through execlist_complete
 * (WL_DONE, or WL_FAILED with why): from then on it is execlist.c's again,
 * which releases its shadow (workload_release) and frees it.
 *
 * Everything a vGPU's execution consists of is plain data in struct
 * exec_state and its workloads (guest addresses, descriptors, counters):
 * what a save/restore would write out. Host objects (shadow copies) are
 * rebuilt from it, never saved.
 */
#ifndef MEDIATOR_EXEC_EXEC_H
#define MEDIATOR_EXEC_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediator/pgpu.h"

struct gpu;
struct vgpu;

/* ---- Gen9 facts used by more than one part (docs/execution.md) ---- */

#define EXEC_NR_ENGINES PGPU_NR_ENGINES
#define EXEC_PAGE 4096u

/* Context descriptor (i915 gt/intel_lrc.c lrc_descriptor; Gen8/9 layout). */
#define CTX_DESC_VALID		(1ull << 0)
#define CTX_DESC_FORCE_PD_RESTORE (1ull << 1)
#define CTX_DESC_FORCE_RESTORE	(1ull << 2)
#define CTX_DESC_ADDR_MODE_SHIFT 3	/* 2 bits */
#define CTX_DESC_ADDR_MODE_MASK	(3ull << CTX_DESC_ADDR_MODE_SHIFT)
#define CTX_ADDR_LEGACY_32B	1	/* 3-level PPGTT, PDP0..3 in the image */
#define CTX_ADDR_LEGACY_64B	3	/* 4-level PPGTT, PML4 in PDP0 */
#define CTX_DESC_PRIVILEGE	(1ull << 8)
#define CTX_DESC_LRCA_MASK	0xfffff000ull	/* GGTT address of the context (PPHWSP page) */
#define CTX_DESC_ID(desc)	((uint32_t)((desc) >> 32))

/* Register state page (LRCA + 4 KiB): value dword indexes (i915 intel_lrc_reg.h). */
#define CTX_REG_CONTEXT_CONTROL	0x03
#define CTX_REG_RING_HEAD	0x05
#define CTX_REG_RING_TAIL	0x07
#define CTX_REG_RING_START	0x09
#define CTX_REG_RING_CTL	0x0b
#define CTX_REG_BB_STATE	0x11
#define CTX_REG_TIMESTAMP	0x23
#define CTX_REG_PDP_UDW(n)	(0x31 - 4 * (n))	/* PDPn upper dword */
#define CTX_REG_PDP_LDW(n)	(0x33 - 4 * (n))	/* PDPn lower dword */

/* RING_CTL: buffer length in pages - 1 at bits 20:12, enable bit 0. */
#define RING_CTL_SIZE(ctl)	((((ctl) >> 12) & 0x1ff) + 1) * EXEC_PAGE
#define RING_CTL_ENABLE		1u

/* CSB status dword (i915 gt/intel_lrc.h GEN8_CTX_STATUS_*). */
#define CSB_IDLE_ACTIVE		(1u << 0)
#define CSB_PREEMPTED		(1u << 1)
#define CSB_ELEMENT_SWITCH	(1u << 2)
#define CSB_ACTIVE_IDLE		(1u << 3)
#define CSB_COMPLETE		(1u << 4)
#define CSB_LITE_RESTORE	(1u << 15)
#define CSB_ENTRIES		6	/* Gen9 */
#define HWSP_CSB_INDEX		0x10	/* dword of the first CSB entry in the HWSP */
#define HWSP_CSB_WRITE_INDEX	0x1f	/* dword of the CSB write pointer in the HWSP */

/* Engine register offsets from the engine's MMIO base. */
#define ENG_RING_TAIL	0x030
#define ENG_RING_HEAD	0x034
#define ENG_RING_START	0x038
#define ENG_RING_CTL	0x03c
#define ENG_HWS_PGA	0x080
#define ENG_MI_MODE	0x09c
#define ENG_IMR		0x0a8
#define ENG_RESET_CTL	0x0d0
#define ENG_ELSP	0x230
#define ENG_EXECLIST_STATUS_LO 0x234
#define ENG_EXECLIST_STATUS_HI 0x238
#define ENG_CONTEXT_CONTROL 0x244
#define ENG_CSB(i)	(0x370 + 8 * (i))	/* CSB entry i: lo, then hi at +4 */
#define ENG_CSB_PTR	0x3a0	/* write pointer 2:0 (hw), read pointer 10:8 (sw, masked) */
#define ENG_MODE	0x29c	/* RING_MODE_GEN7: execlist enable bit 15 (masked) */

/* The engines' MMIO bases and interrupt placement, by enum pgpu_engine. */
struct exec_engine_info {
	const char *name;	/* "rcs0" */
	uint32_t mmio_base;
	unsigned int ctx_pages;	/* pages of its logical context image (PPHWSP included) */
	uint32_t gdrst_bit;	/* GDRST (0x941c) domain bit */
};
extern const struct exec_engine_info exec_engines[EXEC_NR_ENGINES];

/* ---- host memory the GPU runs from (hostmem.c) ---- */

/*
 * Pages from the pgpu's mem_alloc, mapped at a GM address inside the
 * host's reserved part of the GGTT (gm.h GM_HOST_*): what a shadow context,
 * ring, batch copy or status page is. The GPU reaches it at gma (GGTT) or
 * through maddr[] (PPGTT shadow tables hold machine addresses).
 */
struct host_obj {
	void *va;		/* CPU view, npages contiguous */
	uint64_t gma;		/* GGTT address (0: not mapped) */
	unsigned int npages;
	uint64_t *maddr;	/* machine address of each page */
};
/* 0 or -errno (-ENOSPC: host GM or memory exhausted; -EOPNOTSUPP: no mem_alloc). */
int host_obj_alloc(struct gpu *gpu, unsigned int npages, bool map_ggtt, struct host_obj *o);
void host_obj_free(struct gpu *gpu, struct host_obj *o);

/* ---- reading the guest through its GGTT view ---- */

/*
 * Copy len bytes from/to guest graphics memory at gma, translated through
 * the guest's own GGTT entries (its view, kept by ggtt.c) to guest
 * physical pages. -EFAULT if an entry is not present or outside the
 * vGPU's GM. v->lock held.
 */
int exec_gma_read(struct vgpu *v, uint64_t gma, void *buf, size_t len);
int exec_gma_write(struct vgpu *v, uint64_t gma, const void *buf, size_t len);

/* ---- one submission (workload.c) ---- */

enum workload_state {
	WL_QUEUED,	/* on the vGPU's engine queue, not yet given to the GPU */
	WL_RUNNING,	/* submitted to the physical engine */
	WL_DONE,	/* completed; written back to the guest */
	WL_FAILED,	/* refused by the scanner, faulted or reset */
};

struct workload {
	struct workload *next;		/* queue link */
	struct vgpu *v;
	enum pgpu_engine engine;
	enum workload_state state;

	/* What the guest submitted (plain data: saveable). */
	uint64_t guest_desc;		/* its context descriptor */
	uint64_t guest_lrca;		/* GGTT address of its context image */
	uint32_t ring_start, ring_head, ring_tail, ring_ctl; /* from its image */
	unsigned int addr_mode;		/* CTX_ADDR_LEGACY_32B / _64B */
	uint64_t pdp[4];		/* PDP0..3 (64B: PML4 in pdp[0]), guest physical */
	bool elsp_second;		/* element 1 of its ELSP pair */

	/* The shadow the GPU runs (host memory; rebuilt, never saved). */
	struct host_obj shadow_ctx;	/* copy of the image, patched */
	struct host_obj shadow_ring;	/* audited copy of [head, tail) */
	struct host_obj *bbs;		/* audited batch buffer copies */
	unsigned int nr_bbs;
	uint64_t shadow_desc;		/* what goes into the physical ELSP */
	/*
	 * Unique among the GPU's running workloads: set by the scheduler
	 * before workload_prepare, which may put it in shadow_desc; the
	 * scheduler writes it into shadow_desc's upper dword afterwards.
	 */
	uint32_t shadow_ctx_id;

	/* Results. */
	uint32_t head_out;		/* ring head when it switched out (from the CSB event) */
	bool user_irq;			/* it executed MI_USER_INTERRUPT */
	uint64_t queued_ns;		/* execlist.c: when the guest submitted it */
	uint64_t start_ns, end_ns;	/* scheduler: on the engine, off it (0: never ran) */
	char why[64];			/* WL_FAILED: the reason */
};

/*
 * Build the shadow of w (v->lock held): read the guest context image and
 * ring registers, shadow the PPGTT (ppgtt_shadow_for_submit), scan and
 * copy the ring and batches (cmd_scan_workload), copy and patch the
 * context image (ring start -> shadow ring, PDPs -> shadow tables).
 * 0, or -errno with w->why (the caller fails the vGPU: failsafe).
 */
int workload_prepare(struct vgpu *v, struct workload *w);
/* Free the shadow objects of w (any state). */
void workload_release(struct gpu *gpu, struct workload *w);

/* ---- the command scanner (cmd_scan.c) ---- */

/*
 * Audit the commands of w: the guest ring [ring_head, ring_tail) and every
 * batch buffer it starts (chained up to CMD_MAX_CHAIN deep), by the opcode
 * table; copy them into w->shadow_ring and w->bbs first (nothing changes
 * after the check), pointing batch starts at the copies; registers of
 * LRI/SRM/LRM only from the whitelist; every graphics address inside the
 * vGPU's GM or mapped by its PPGTT. 0 or -errno with w->why.
 */
#define CMD_MAX_CHAIN 3
int cmd_scan_workload(struct vgpu *v, struct workload *w);

/* ---- PPGTT shadowing (../mem/ppgtt*.c) ---- */

/*
 * The shadow of the guest PPGTT whose top level is at guest physical
 * root (PML4 for 4 levels, a PDP for legacy 32-bit), built by walking
 * every level and kept in sync by write protection; out-of-sync leaves
 * are resynced now. *shadow is the machine address to put in the shadow
 * context. 0, or -errno (a bad guest entry: -EINVAL with a log line).
 * v->lock held.
 */
int ppgtt_shadow_for_submit(struct vgpu *v, uint64_t root, unsigned int levels,
			    uint64_t *shadow);
/* Translate a PPGTT address through the guest's tables: guest physical. -EFAULT if unmapped. */
int ppgtt_gva_to_gpa(struct vgpu *v, uint64_t root, unsigned int levels, uint64_t gva,
		     uint64_t *gpa);

/* ---- a vGPU's execution state (execlist.c) ---- */

struct exec_engine_state {
	uint32_t elsp[4];		/* ELSP dwords written so far (in write order) */
	unsigned int elsp_n;
	/* Submitted, not yet taken by the scheduler (it takes from the head). */
	struct workload *queue, *queue_tail;
	unsigned int csb_write;		/* guest CSB write pointer (0..5) */
	bool active;			/* a context of the guest runs or waits */
	uint64_t submitted, completed, failed;
};

struct exec_state {
	struct exec_engine_state eng[EXEC_NR_ENGINES];
	uint64_t busy_ns;		/* GPU time used: sum of its workloads' end - start (scheduler) */
	/*
	 * GDRST in progress: execlist.c sets it (v->lock), drops the named
	 * engines' queues and calls sched_kick(v). The scheduler then takes
	 * the vGPU's running work off those engines (engine reset), hands
	 * each workload back through execlist_complete as WL_FAILED while
	 * reset_pending is still set, and clears reset_pending and
	 * reset_engines (both locks): GDRST reads its bits as 1 until then.
	 * A vGPU with reset_pending set gets nothing submitted.
	 */
	bool reset_pending;
	uint32_t reset_engines;		/* bit per enum pgpu_engine to reset; 0 = all */
};

/*
 * The scheduler (sched.c): v has new work on a queue, or reset_pending
 * (v->lock held; never blocks, takes no other lock the scheduler holds:
 * marks v and wakes the GPU's scheduler thread).
 */
void sched_kick(struct vgpu *v);
/*
 * Completion of w (both locks held, called by the scheduler; w is no
 * longer on any queue and is execlist.c's again): write back ring head
 * and registers into the guest image, CSB entries into the guest HWSP and
 * CSB registers, raise the engine's interrupts; then release and free w.
 * w->state is WL_DONE or WL_FAILED (w->why: refused by workload_prepare,
 * GPU fault, watchdog, engine reset). With v->exec.reset_pending set (GDRST,
 * or the vGPU is being destroyed: sched_forget) nothing is written to the
 * guest: w is only released and freed.
 */
void execlist_complete(struct vgpu *v, struct workload *w);

#endif
