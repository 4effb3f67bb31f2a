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
struct vgpu_stats;

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
#define RING_CTL_SIZE(ctl)	(((((ctl) >> 12) & 0x1ff) + 1) * EXEC_PAGE)
#define RING_CTL_ENABLE		1u
/* The offset bits of RING_HEAD (wrap count above) and RING_TAIL (i915 HEAD_ADDR, TAIL_ADDR). */
#define RING_HEAD_ADDR		0x001ffffcu
#define RING_TAIL_ADDR		0x001ffff8u

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
 * physical pages (guest_gm.c). -EFAULT if an entry is not present, names
 * no RAM of the guest, or lies outside the vGPU's GM; nothing is written
 * unless every page translates. v->lock held.
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
	/*
	 * From its image, checked (workload_take_image): ring_start a 4 KiB
	 * aligned GM address with the whole ring in the vGPU's GM, ring_head
	 * and ring_tail byte offsets inside the ring (wrap count and
	 * reserved bits dropped), ring_ctl with the enable bit.
	 */
	uint32_t ring_start, ring_head, ring_tail, ring_ctl;
	unsigned int addr_mode;		/* CTX_ADDR_LEGACY_32B / _64B */
	uint64_t pdp[4];		/* PDP0..3 (64B: PML4 in pdp[0]), guest physical */
	bool elsp_second;		/* element 1 of its ELSP pair */
	/*
	 * Set by the scheduler when w goes onto the GPU behind a workload
	 * still running there (a lite restore): that one's descriptor and
	 * ring tail. If it is w's own guest context, w's ring starts at that
	 * tail (workload_take_image): the guest image's head is written back
	 * only when the running one completes (GVT-g: "last workload's tail").
	 */
	bool behind;
	uint64_t behind_desc;
	uint32_t behind_tail;
	uint32_t list_seq;		/* the ELSP write it came from (exec_engine_state.seq) */
	uint32_t epoch;			/* exec_engine_state.epoch when submitted */

	/* The shadow the GPU runs (host memory; rebuilt, never saved). */
	struct host_obj shadow_ctx;	/* copy of the image, patched */
	struct host_obj shadow_ring;	/* audited copy of the ring: same size, same offsets */
	struct host_obj *bbs;		/* audited batch buffer copies: a malloc'd array
					 * (cmd_scan.c), freed by workload_release */
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
	char why[192];			/* WL_FAILED: the reason, one line (the scanner: "rcs0: ...") */
};

/*
 * Build the shadow of w (v->lock held; the scheduler, at dispatch): copy
 * the guest's context image once and take the ring registers from that
 * copy (the image is read again here, not at the ELSP write: a context
 * that completed since has a new head), shadow the PPGTT
 * (ppgtt_shadow_for_submit), scan and copy the ring and batches
 * (cmd_scan_workload), and patch the copy: page 1 is rebuilt with our own
 * LRI headers and register offsets and only the documented values
 * (docs/execution.md), ring start -> shadow ring, PDPs -> shadow tables.
 * Sets shadow_desc and shadow_ctx_id. 0, or -errno with w->why (the
 * caller fails the vGPU: failsafe); whatever was built stays in w for
 * workload_release.
 */
int workload_prepare(struct vgpu *v, struct workload *w);
/* Free the shadow objects of w (any state; twice is harmless). */
void workload_release(struct gpu *gpu, struct workload *w);
/*
 * Shared by execlist.c (at the ELSP write) and workload.c (at dispatch):
 * fill w's ring fields and PDPs from regs, the first CTX_REG_WORDS dwords
 * of the register state page (page 1) of its image, and check them
 * against v's GM (w->addr_mode must be set). 0, or -EINVAL with w->why
 * naming the field.
 */
#define CTX_REG_WORDS 0x34
int workload_take_image(struct vgpu *v, struct workload *w, const uint32_t *regs);

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
/*
 * The same for one workaround batch of the context image (INDIRECT_CTX:
 * len bytes; BB_PER_CTX_PTR: len 0, up to its MI_BATCH_BUFFER_END), at
 * GGTT address gma: the audited copy is appended to w->bbs and its GGTT
 * address returned in *copy_gma, for the shadow context. 0 or -errno
 * with w->why.
 */
int cmd_scan_ctx_bb(struct vgpu *v, struct workload *w, uint64_t gma, uint32_t len,
		    uint64_t *copy_gma);
/* Free what the scanner put in w (shadow ring, batch copies, the w->bbs array). */
void cmd_scan_release(struct gpu *gpu, struct workload *w);
/* Module init (modules.c): checks the opcode and register tables once. 0 or -errno. */
int cmd_scan_init(struct vgpu *v);

/* ---- PPGTT shadowing (../mem/ppgtt*.c) ---- */

/*
 * The shadow of the guest PPGTT whose top level is at guest physical
 * root, built by walking every level and kept in sync by write
 * protection; out-of-sync leaves are resynced now. levels 4 (legacy
 * 64-bit): root is the PML4 (pdp[0]); levels 3 (legacy 32-bit): root is
 * one PDPn value of the image, the page directory it names (call once per
 * non-zero PDPn; the shadow goes into that PDPn). *shadow is the machine
 * address to put in the shadow context. 0, or -EINVAL (a bad root: not
 * page aligned, not the guest's RAM, levels not 3/4; logged once,
 * counted), -ENOSPC (the vGPU's shadow tables are exhausted), -ENOMEM,
 * -EOPNOTSUPP (the backend has no mem_alloc). A bad entry below the root
 * is not an error: it is not present in the shadow (counted, logged once).
 * v->lock held.
 *
 * Shadow pages of tables the guest drops are freed only once no workload
 * of v may walk them: while a workload on v->exec.eng[].queue is
 * WL_RUNNING or has its shadow_ctx built, or an engine's submitted >
 * completed + failed, they are kept (execlist.c keeps these true).
 */
int ppgtt_shadow_for_submit(struct vgpu *v, uint64_t root, unsigned int levels,
			    uint64_t *shadow);
/*
 * Translate a PPGTT address: guest physical, as the GPU will see it (for
 * a shadowed root: through the shadow as of the last trapped write or
 * ppgtt_shadow_for_submit, so call it after that; else through guest
 * memory, every entry checked). levels 4: gva < 2^48; levels 3: root is
 * the PDPn of gva's GiB (pdp[(gva >> 30) & 3]), gva < 2^32. -EFAULT if
 * unmapped, refused (bad entry, 2M/1G/64K pages) or out of range. v->lock held.
 */
int ppgtt_gva_to_gpa(struct vgpu *v, uint64_t root, unsigned int levels, uint64_t gva,
		     uint64_t *gpa);

/* ---- a vGPU's execution state (execlist.c) ---- */

/* One ELSP write as the guest sees it: its two elements. */
struct exec_elsp_list {
	uint64_t desc[2];		/* element 0, element 1 (0: none) */
	uint32_t seq;			/* exec_engine_state.seq of that write */
};

/*
 * One engine of one vGPU. All plain data but the queue links: a restore
 * rebuilds the queue from cur/pend (the elements not yet completed).
 *
 * The queue holds the workloads the scheduler has not taken yet, oldest
 * first, all in state WL_QUEUED. The scheduler takes them from the head
 * only (both locks; it sets WL_RUNNING) and hands every workload it took
 * back to execlist_complete exactly once, whatever became of it (done,
 * failed in workload_prepare, faulted, stopped by a reset). Workloads are
 * calloc'd by execlist.c and freed by it (queue dropped, completion). A
 * bad ELSP empties every queue of the vGPU as it enters failsafe; other
 * failsafe causes (scanner, GGTT) do not, so the scheduler must not
 * dispatch for a vGPU whose stats.failsafe is set.
 */
struct exec_engine_state {
	uint32_t elsp[4];		/* ELSP dwords written so far (in write order) */
	unsigned int elsp_n;
	/* Submitted, not yet taken by the scheduler (it takes from the head). */
	struct workload *queue, *queue_tail;
	unsigned int csb_write;		/* guest CSB write pointer (0..5) */
	bool active;			/* a context of the guest runs or waits */
	uint64_t submitted, completed, failed;
	/* The guest's view of the engine's execlists (execlist.c). */
	struct exec_elsp_list cur;	/* the list the engine runs (while active) */
	unsigned int cur_elem;		/* element of cur running now (0, 1) */
	struct exec_elsp_list pend;	/* a list waiting for an element in flight (has_pend) */
	bool has_pend;
	unsigned int slot;		/* EXECLIST_STATUS: hardware slot of cur (0, 1) */
	uint32_t seq;			/* ELSP writes so far */
	uint32_t epoch;			/* engine resets so far: older workloads are stale */
	unsigned int outstanding;	/* this epoch's workloads not yet completed or dropped */
	unsigned int stale;		/* older epochs' workloads still with the scheduler */
	bool hung;			/* a workload faulted: ELSP ignored until a reset */
	uint32_t last_status;		/* last CSB status written */
	uint64_t preempted, dropped, resets;
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
	uint32_t ctx_seq;		/* shadow context ids handed out (workload.c) */
};

/*
 * The scheduler (sched.c): v has new work on a queue, or reset_pending
 * (v->lock held; never blocks, takes no other lock the scheduler holds:
 * marks v and wakes the GPU's scheduler thread).
 */
void sched_kick(struct vgpu *v);
/*
 * The end of w (both locks held, called by the scheduler for every
 * workload it took off a queue). WL_DONE of the current epoch: ring head
 * (w->head_out) and CTX_TIMESTAMP (from the shadow image) into the guest
 * image, the user interrupt if w->user_irq, CSB entries into the guest's
 * HWSP and CSB registers in hardware order, the context-switch
 * interrupt, EXECLIST_STATUS. WL_FAILED: nothing reaches the guest (a
 * hang, as on hardware: it resets the engine); the engine's queue is
 * dropped. A stale workload (an engine reset since) writes nothing.
 * Then w is released and freed: the caller must forget it.
 * With v->exec.reset_pending set (GDRST, or the vGPU is being destroyed:
 * sched_forget) nothing is written to the guest: w is only released and
 * freed.
 */
void execlist_complete(struct vgpu *v, struct workload *w);

/* ---- the execlist module (execlist.c, execlist_regs.c; modules.c row) ---- */

/* Set up / tear down v's execution state (queued workloads are freed). v->lock held. */
int execlist_init(struct vgpu *v);
void execlist_fini(struct vgpu *v);
/* Module reset hook: reset the engines of the GDRST domains (bit 0: all). v->lock held. */
void execlist_reset(struct vgpu *v, uint32_t domains);
/* Module stats hook: the engines' workload counters and GPU time. */
void execlist_stats(struct vgpu *v, struct vgpu_stats *out);
/* One dword written to engine e's ELSP (execlist_regs.c -> execlist.c). v->lock held. */
void execlist_elsp_write(struct vgpu *v, enum pgpu_engine e, uint32_t val);
/* Engine e's execlist and ring registers back to their reset values. v->lock held. */
void execlist_regs_reset(struct vgpu *v, enum pgpu_engine e);

#endif
