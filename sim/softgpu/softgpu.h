/* SPDX-License-Identifier: MIT */
/*
 * softgpu.h — the simulated physical Gen9 (Skylake GT2) GPU of a xensim
 * machine. Two halves:
 *
 * - Shared state in /dev/shm/xensim-<machine>.gpu: the register file and
 *   the GGTT, seen by every process that opens the GPU (the daemon's pgpu
 *   backend, the hypervisor's guest-access path for the aperture, tests).
 * - Execution, in the one process that starts it (the daemon): four
 *   engines (rcs0, bcs0, vcs0, vecs0), each a worker thread running
 *   execlist submissions from machine memory through the GGTT or the
 *   context's PPGTT; context status buffer, status page and GT interrupt
 *   registers as Gen9 writes them; events through an eventfd. And the GPU
 *   host pool: machine memory above every domain's RAM for what the daemon
 *   builds for the GPU (xensim.h XENSIM_GPU_POOL_*).
 *
 * docs/execution.md describes the execlist interface; docs/softgpu.md
 * what softgpu executes, skips and refuses.
 */
#ifndef SIM_SOFTGPU_H
#define SIM_SOFTGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOFTGPU_MMIO_SIZE   (2u << 20)
#define SOFTGPU_GGTT_ENTRIES (1u << 20)		/* 4 GiB of GM */
#define SOFTGPU_APERTURE_SIZE (1ull << 30)	/* mappable GM (BIOS "aperture 1024 MB", as GVT-g setups use) */
#define SOFTGPU_NR_FENCES   32
#define SOFTGPU_DEVICE_ID   0x1912		/* SKL GT2 desktop */

struct softgpu;

/* Create-or-attach the GPU of machine. NULL + errno on failure. */
struct softgpu *softgpu_open(const char *machine);
/* Stops the engines (if this handle started them) and releases the pool. */
void softgpu_close(struct softgpu *g);

/*
 * Register access as the CPU makes it (BAR0). Writes follow the
 * hardware's rules where softgpu models them: masked registers (upper 16
 * bits select the lower bits written), GT IIR write-1-to-clear.
 */
uint32_t softgpu_mmio_read(struct softgpu *g, uint32_t off);
void softgpu_mmio_write(struct softgpu *g, uint32_t off, uint32_t val);
uint64_t softgpu_ggtt_read(struct softgpu *g, uint64_t idx);
void softgpu_ggtt_write(struct softgpu *g, uint64_t idx, uint64_t pte);

/*
 * A CPU access through the aperture at byte offset ap_off: the machine
 * address the GGTT maps it to, or -ENOENT if the entry is not present.
 */
int softgpu_aperture_translate(struct softgpu *g, uint64_t ap_off, uint64_t *maddr);

/* ---------------- execution ---------------- */

/* Engines, in the order of the mediator's enum pgpu_engine. */
enum softgpu_engine {
	SOFTGPU_RCS = 0,	/* rcs0, MMIO base 0x02000 */
	SOFTGPU_BCS,		/* bcs0, 0x22000 */
	SOFTGPU_VCS,		/* vcs0, 0x12000 */
	SOFTGPU_VECS,		/* vecs0, 0x1a000 */
	SOFTGPU_NR_ENGINES
};

/* Event kinds: the values of the mediator's enum pgpu_event_kind. */
enum softgpu_event_kind {
	SOFTGPU_EV_CSB = 1,	/* a context status buffer entry */
	SOFTGPU_EV_USER,	/* MI_USER_INTERRUPT (consecutive ones of a context coalesce) */
	SOFTGPU_EV_FAULT,	/* the context hung; the engine stays stopped until reset */
};

/* Fault kinds: the values of the mediator's enum pgpu_fault. */
enum softgpu_fault {
	SOFTGPU_FAULT_NONE = 0,
	SOFTGPU_FAULT_ADDRESS,	/* GGTT/PPGTT: not present, read-only, outside memory */
	SOFTGPU_FAULT_OPCODE,	/* unknown command, or a command softgpu refuses */
	SOFTGPU_FAULT_HANG,	/* instruction budget, chaining limit, endless wait */
	SOFTGPU_FAULT_BAD_CONTEXT, /* context image unreadable or its ring unusable */
};

/* CSB status bits (i915 GEN8_CTX_STATUS_*). */
#define SOFTGPU_CSB_IDLE_ACTIVE		(1u << 0)
#define SOFTGPU_CSB_PREEMPTED		(1u << 1)
#define SOFTGPU_CSB_ELEMENT_SWITCH	(1u << 2)
#define SOFTGPU_CSB_ACTIVE_IDLE		(1u << 3)
#define SOFTGPU_CSB_COMPLETE		(1u << 4)

struct softgpu_event {
	enum softgpu_event_kind kind;
	enum softgpu_engine engine;
	/*
	 * The context's id (descriptor bits 63:32). IDLE_ACTIVE: the id of
	 * element 0, which starts (the CSB entry itself holds 0 there, as
	 * hardware writes it).
	 */
	uint32_t ctx_id;
	uint32_t status;	/* CSB: SOFTGPU_CSB_* */
	uint32_t ring_head;	/* ring head offset at the event */
	uint32_t fault;		/* FAULT: enum softgpu_fault */
	uint64_t fault_addr;	/* FAULT: the graphics address involved (or the command's) */
	char why[96];		/* FAULT: what happened, in words (the command, the walk) */
};

/*
 * Start the engines in this process: maps machine memory, one worker
 * thread per engine, the event fd. 0 or -errno; idempotent per handle.
 * Engines start reset: CSB pointers at 5 (the first entry goes to slot 0).
 */
int softgpu_exec_start(struct softgpu *g);

/*
 * ELSP: element 0 and element 1 (0: none) as one submission. -EINVAL for
 * a descriptor softgpu refuses (not valid, addressing mode neither legacy
 * 32-bit (1) nor legacy 64-bit (3)); -EIO while the engine is hung (after
 * a fault, until softgpu_engine_reset); -EBUSY if the engine has not yet
 * taken the previous submission (the ELSP holds one); -ENODEV before
 * softgpu_exec_start. A submission while a context runs replaces it at
 * the running context's next ring-level arbitration point (MI_ARB_CHECK,
 * an unsatisfied MI_SEMAPHORE_WAIT): that context is saved and reported
 * PREEMPTED, the new pair runs without an IDLE_ACTIVE.
 */
int softgpu_submit(struct softgpu *g, enum softgpu_engine e, const uint64_t desc[2]);

/* Readable while events are queued (-1 before exec start). */
int softgpu_event_fd(struct softgpu *g);
/* The next event, all engines in one queue in the order they happened: 1, or 0 if none. */
int softgpu_next_event(struct softgpu *g, struct softgpu_event *ev);

/*
 * Reset one engine: what runs or waits is dropped (no event for it), the
 * hang is cleared, CSB pointers go to 5, ring registers to 0. Returns when
 * the engine is idle. Events queued before the reset stay queued.
 */
int softgpu_engine_reset(struct softgpu *g, enum softgpu_engine e);

/*
 * Limits (defaults in sg_int.h): commands one context may execute per run
 * before it is a hang, and how long an unsatisfied MI_SEMAPHORE_WAIT may
 * poll before it is one. 0 keeps the current value.
 */
void softgpu_set_limits(struct softgpu *g, uint64_t budget, unsigned int sem_timeout_ms);

struct softgpu_engine_stats {
	uint64_t submits;	/* submissions taken */
	uint64_t contexts;	/* elements run to completion */
	uint64_t preempted;
	uint64_t commands;	/* commands executed or skipped */
	uint64_t skipped;	/* commands parsed and skipped (3D/media state) */
	uint64_t batches;	/* MI_BATCH_BUFFER_STARTs followed */
	uint64_t user_irqs;	/* MI_USER_INTERRUPTs executed */
	uint64_t faults;
	uint64_t resets;
	uint64_t sem_waits;	/* MI_SEMAPHORE_WAITs that found their condition false (counted at once) */
	uint64_t blit_bytes;	/* destination bytes written by 2D commands */
	uint64_t hwsp_skipped;	/* CSB writes with no status page mapped at HWS_PGA */
	bool hung;
	bool active;		/* between IDLE_ACTIVE and ACTIVE_IDLE */
	char last_fault[96];	/* what the last fault was, for logs and tests */
};
void softgpu_engine_stats(struct softgpu *g, enum softgpu_engine e,
			  struct softgpu_engine_stats *out);
/* How many commands with this first dword's opcode engine e skipped (3D/media state). */
uint64_t softgpu_skip_count(struct softgpu *g, enum softgpu_engine e, uint32_t dw0);

/* ---------------- GPU host pool ---------------- */

/*
 * npages zeroed pages of the machine's GPU host pool, contiguous in
 * machine memory (maddr[i] = maddr[0] + i * 4096) and for the CPU at the
 * returned address. One process at a time owns the pool (the first to
 * allocate, until it closes or dies; others get EBUSY). NULL + errno
 * (ENOMEM: pool exhausted; ENODEV: exec not started).
 */
void *softgpu_mem_alloc(struct softgpu *g, unsigned int npages, uint64_t *maddr);
void softgpu_mem_free(struct softgpu *g, void *va, unsigned int npages);
/* Pages of the pool in use (tests, stats). */
uint64_t softgpu_mem_used(struct softgpu *g);

/*
 * This process's view of machine memory [maddr, maddr + len) (exec
 * started), or NULL outside it: how tests and tools look at what the GPU
 * wrote.
 */
void *softgpu_maddr_ptr(struct softgpu *g, uint64_t maddr, size_t len);

#endif
