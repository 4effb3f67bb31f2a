/* SPDX-License-Identifier: MIT */
/*
 * pgpu.h — the physical GPU as the mediator sees it: register access,
 * GGTT entry writes, and facts about the device. Implemented by the sim's
 * softgpu (sim/softgpu/) and by the sysfs BAR backend of the real build
 * (dm/pgpu/sysfs.c). The mediator never knows which one it has.
 *
 * Context: mmio_write of shared registers (fences) is called with the
 * owning struct gpu's lock held. ggtt_write is called WITHOUT that lock,
 * possibly from several vGPU threads at once but never for the same index
 * at once (each vGPU writes only the entries of its own GM share, which is
 * exclusively its own between gm_reserve and gm_release): a backend must
 * make a single-entry store safe against stores to other entries, and
 * needs no other locking. The mediator writes every GGTT entry of a vGPU's
 * share itself (GGTT_PTE_NONE, not present, where the guest may have no
 * page: docs/design.md section 5); it needs no scratch page from a backend.
 *
 * Execution (docs/execution.md): the mediator reaches an engine only
 * through submit and the events; memory the GPU runs from comes from
 * mem_alloc and is mapped into the host's part of the GGTT by the
 * mediator. A real Gen9 backend writes ELSP and decodes the CSB the same
 * way; softgpu runs the commands itself.
 */
#ifndef MEDIATOR_PGPU_H
#define MEDIATOR_PGPU_H

#include <stdbool.h>
#include <stdint.h>

struct pgpu; /* opaque backend handle */

/*
 * The engines of a Gen9 GT2 (Skylake) that i915 initialises, in the order
 * the mediator indexes them. docs/execution.md has their register bases.
 */
enum pgpu_engine {
	PGPU_RCS = 0,	/* render, rcs0, MMIO base 0x2000 */
	PGPU_BCS,	/* blitter, bcs0, 0x22000 */
	PGPU_VCS,	/* video, vcs0, 0x12000 */
	PGPU_VECS,	/* video enhancement, vecs0, 0x1a000 */
	PGPU_NR_ENGINES
};

/* What an engine reports (the hardware's CSB and interrupts, decoded). */
enum pgpu_event_kind {
	PGPU_EV_CSB = 1,	/* a context status buffer entry: status bits + ctx id */
	PGPU_EV_USER,		/* MI_USER_INTERRUPT executed in context ctx_id */
	PGPU_EV_FAULT,		/* context ctx_id hung or faulted: the engine stopped it */
};

struct pgpu_event {
	enum pgpu_event_kind kind;
	enum pgpu_engine engine;
	uint32_t ctx_id;	/* the upper dword of the context's descriptor (IDLE_ACTIVE: element 0's) */
	uint32_t status;	/* PGPU_EV_CSB: GEN8_CTX_STATUS_* bits (docs/execution.md) */
	uint32_t ring_head;	/* the context's ring head when it switched out */
	uint32_t fault;		/* PGPU_EV_FAULT: enum pgpu_fault */
	uint64_t fault_addr;	/* PGPU_EV_FAULT: the graphics address involved, if any */
	char why[96];		/* PGPU_EV_FAULT: the backend's words for it ("" if none) */
	/*
	 * CLOCK_MONOTONIC ns when the engine did it (0: unknown; the
	 * scheduler then takes the time it reads the event). Lets the
	 * scheduler charge a vGPU the GPU time it used, not the time the
	 * scheduler thread took to notice.
	 */
	uint64_t ts_ns;
};

enum pgpu_fault {
	PGPU_FAULT_NONE = 0,
	PGPU_FAULT_ADDRESS,	/* a GGTT/PPGTT access to a not-present or bad entry */
	PGPU_FAULT_OPCODE,	/* a command the engine does not know */
	PGPU_FAULT_HANG,	/* no progress: endless batch or chain (engine watchdog) */
	PGPU_FAULT_BAD_CONTEXT,	/* the context image or descriptor is unusable */
};

struct pgpu_info {
	uint16_t device_id;	    /* PCI device id reported to guests */
	uint64_t aperture_size;	    /* bytes of CPU-visible GM ("low GM") */
	uint64_t gm_size;	    /* bytes of all GM the GGTT covers */
	unsigned int nr_fences;	    /* fence registers */
	uint64_t ggtt_entries;	    /* entries in the GGTT */
	/*
	 * submit takes a lite restore: the running context resubmitted as
	 * element 0 with another behind it goes on where it is (PREEMPTED at
	 * an arbitration point, then resumed from its saved head; or, if it
	 * completed before the engine took the pair, a second run that finds
	 * head == tail and completes at once), as Gen9 hardware does.
	 */
	bool lite_restore;
};

struct pgpu_ops {
	/* Read/write a 32-bit register at BAR0 offset off (< 2 MiB). */
	uint32_t (*mmio_read)(struct pgpu *p, uint32_t off);
	void (*mmio_write)(struct pgpu *p, uint32_t off, uint32_t val);
	/* Read/write GGTT entry idx (< ggtt_entries); pte in gen8 format. */
	uint64_t (*ggtt_read)(struct pgpu *p, uint64_t idx);
	void (*ggtt_write)(struct pgpu *p, uint64_t idx, uint64_t pte);
	/* Static facts about the device. */
	void (*info)(struct pgpu *p, struct pgpu_info *out);

	/* ---- execution (NULL in a backend that cannot run commands) ---- */
	/*
	 * Memory the GPU can reach, for what the mediator builds (shadow
	 * contexts, rings, batch copies, page tables, status pages): npages
	 * zeroed 4 KiB pages, contiguous for the CPU at the returned address,
	 * each with its machine (bus) address in maddr[i]. NULL + errno.
	 * Any thread; the backend locks its own pool.
	 */
	void *(*mem_alloc)(struct pgpu *p, unsigned int npages, uint64_t *maddr);
	void (*mem_free)(struct pgpu *p, void *va, unsigned int npages);
	/*
	 * Write the engine's ELSP: element 0 and element 1 (0: none) context
	 * descriptors, as one submission. The context images are reached
	 * through the GGTT at the descriptors' LRCA. -EINVAL for a bad
	 * descriptor; -EBUSY if the engine has not yet taken the previous
	 * submission (the ELSP holds one); -EIO while the engine is stopped
	 * after a fault (until engine_reset). As on hardware, a submission
	 * while a context runs preempts it (a PREEMPTED CSB event for it at
	 * its next arbitration point, the new pair then runs without
	 * IDLE_ACTIVE): a scheduler that must not preempt submits only to an
	 * idle engine (after COMPLETE | ACTIVE_IDLE). Scheduler thread only.
	 */
	int (*submit)(struct pgpu *p, enum pgpu_engine e, const uint64_t desc[2]);
	/*
	 * An fd that polls readable while events are queued (-1: none; then
	 * the caller polls next_event on a timer), and the next event: 1 one
	 * taken, 0 none. Events of one engine come in the hardware's order.
	 * Scheduler thread only.
	 */
	int (*event_fd)(struct pgpu *p);
	int (*next_event)(struct pgpu *p, struct pgpu_event *ev);
	/* Reset one engine: whatever runs is dropped, its ports are free. 0 or -errno. */
	int (*engine_reset)(struct pgpu *p, enum pgpu_engine e);
	/* Release the backend. */
	void (*close)(struct pgpu *p);
};

/* One opened physical GPU: ops plus its handle. */
struct pgpu_dev {
	const struct pgpu_ops *ops;
	struct pgpu *p;
};

/*
 * A backend the daemon can open by name ("softgpu", "sysfs"); spec is the
 * text after "name:" in --gpu (may be empty). Returns 0 or -errno.
 */
struct pgpu_backend {
	const char *name;
	int (*open)(const char *spec, struct pgpu_dev *out);
};

#endif
