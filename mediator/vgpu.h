/* SPDX-License-Identifier: MIT */
/*
 * vgpu.h — the mediator's public API, used by the glue (xen-glue/,
 * qemu-glue/) and by dm/: create a physical-GPU context, create/destroy
 * vGPUs on it, feed them guest accesses, read their counters and trap map.
 * Internals live in vgpu_int.h and the per-module *_int.h headers.
 */
#ifndef MEDIATOR_VGPU_H
#define MEDIATOR_VGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediator/hv.h"
#include "mediator/pgpu.h"

struct gpu;  /* one physical GPU shared by many vGPUs */
struct vgpu; /* one guest's virtual GPU */

/* What the mediator does with a register it has no row for. */
enum unknown_reg_policy {
	UNKNOWN_TOLERATE = 0, /* read last written value, log once per register */
	UNKNOWN_STRICT,	      /* put the vGPU into failsafe */
};

#define VGPU_TYPE_NAME_MAX 32

/* Everything that shapes one vGPU; filled by dm/vgpu_spec.c from a vgpu= spec. */
struct vgpu_config {
	char type[VGPU_TYPE_NAME_MAX]; /* type name, "" = explicit sizes below */
	uint64_t low_gm;	       /* bytes of aperture (mappable) GM */
	uint64_t high_gm;	       /* bytes of hidden (non-mappable) GM */
	unsigned int fences;	       /* fence registers */
	unsigned int weight;	       /* scheduling weight */
	unsigned int max_w, max_h;     /* largest display mode advertised */
	uint16_t seg;		       /* guest PCI address of the vGPU */
	uint8_t bus, dev, fn;
	enum unknown_reg_policy unknown; /* unknown-register policy */
	bool ggtt_failsafe;	       /* bad GGTT writes put the vGPU in failsafe */
	bool msi;		       /* expose the MSI capability (if the transport can inject MSIs) */
	bool bars32;		       /* BAR0/BAR2 32-bit memory BARs, BAR4 32 bits wide (bars=32) */
	bool vga_check;		       /* glue: refuse 00:02.0 if the guest has QEMU's VGA */
	bool monitor_hdmi;	       /* the virtual monitor on DDI D: HDMI (DDC over GMBUS), else DP (AUX) */
};

/* Fill *cfg with the defaults (type GVTg_V5_4, 00:02.0, tolerate). */
void vgpu_config_default(struct vgpu_config *cfg);

/* ---- vGPU types (vgpu_types.c) ---- */

/* A row of the vGPU type table: what a vgpu= spec's type= stands for. */
struct vgpu_type {
	const char *name;
	uint64_t low_gm, high_gm;  /* bytes */
	unsigned int fences, weight;
	unsigned int max_w, max_h;
	const char *desc;
};

/* Look a type up by name (exact, case-sensitive); NULL if unknown, "" or NULL. */
const struct vgpu_type *vgpu_type_find(const char *name);
/* The type table, for listing; *n gets the row count. */
const struct vgpu_type *vgpu_type_table(unsigned int *n);
/*
 * Fill the sizes, fences, weight and resolution of cfg from cfg->type
 * ("" = explicit sizes: cfg untouched). 0, or -ENOENT for an unknown name.
 */
int vgpu_type_apply(struct vgpu_config *cfg);

/* Counters one vGPU keeps; read with vgpu_get_stats. */
struct vgpu_stats {
	uint64_t cfg_reads, cfg_writes;
	uint64_t mmio_reads, mmio_writes;
	uint64_t pio_reads, pio_writes;
	uint64_t ggtt_writes, ggtt_bad;
	uint64_t page_writes;	   /* trapped writes to write-protected pages */
	uint64_t unknown_reg;	   /* accesses to registers with no row */
	uint64_t bad_access;	   /* malformed accesses rejected (size, alignment, range) */
	uint64_t msi_injected, msi_suppressed;
	uint64_t msi_failed;	   /* injections the hypervisor refused (-errno) */
	uint64_t intx_asserts;	   /* INTx raised (MSI off, INTx enabled) */
	uint64_t intx_failed;	   /* INTx level changes the hypervisor refused */
	uint64_t vblanks;
	uint64_t ticks;		   /* vgpu_tick calls: timer wakeups + re-asks after requests */
	uint64_t wp_failed;	   /* write-protects the hypervisor refused */
	uint64_t hv_release_failed; /* BAR/page releases the hypervisor refused (retried) */
	uint64_t ppgtt_tables;	   /* shadow page tables now */
	uint64_t ppgtt_bad;	   /* guest PPGTT entries/roots refused (not present in the shadow) */
	uint64_t ppgtt_oos;	   /* leaf tables taken out of sync (unprotected) */
	uint64_t ppgtt_oos_syncs;  /* resyncs of out-of-sync leaves before submissions */
	uint64_t ppgtt_resyncs;    /* table pages re-read (no write-protection: every submission) */
	/* Execution, all engines (execlist.c): workloads the guest submitted through ELSP, ... */
	uint64_t exec_submitted, exec_completed, exec_failed;
	uint64_t exec_preempted, exec_dropped, exec_resets;
	uint64_t busy_ns;	   /* GPU time its workloads used (the scheduler's clock) */
	bool failsafe;
	char failsafe_reason[64];
};

/* One row of the trap map: a guest range and what decides it. */
enum trap_mech {
	TRAP_PCI_SBDF,	   /* ioreq server PCI SBDF claim: config cycles trap */
	TRAP_IOREQ_MMIO,   /* ioreq server MEMORY range: every access traps */
	TRAP_IOREQ_PORT,   /* ioreq server PORT range: every access traps */
	TRAP_P2M_WP,	   /* p2m_ioreq_server page: writes trap, reads direct */
	TRAP_DIRECT,	   /* p2m_mmio_direct mapping: never seen by the DM */
	TRAP_PROXY,	   /* forwarded by QEMU's proxy device: every access comes to the DM */
	TRAP_RESYNC,	   /* tracked page nothing protects: re-read before each submission */
};

struct trap_entry {
	enum trap_mech mech;
	uint64_t start, end; /* inclusive; gpa, port or SBDF<<32|reg */
	char what[32];	     /* "BAR0 regs", "BAR0 GGTT", "PML4 root", ... */
	uint64_t traps;	     /* accesses the DM handled for this range */
};

/* ---- physical GPU ---- */

/* Take ownership of an opened physical GPU. Returns 0 or -errno. */
int gpu_create(const struct pgpu_dev *dev, struct gpu **out);
/* Destroy; every vGPU must be gone. */
void gpu_destroy(struct gpu *gpu);
/* Facts about the physical GPU, and how much of it is free now. */
struct gpu_usage {
	struct pgpu_info info;
	uint64_t low_gm_free, high_gm_free;
	unsigned int fences_free;
	unsigned int nr_vgpus;
	/*
	 * Execution: the backend runs commands (pgpu submit, events, memory)
	 * and the mediator emulates ELSP (a write handler on every engine's
	 * ELSP row: the execlist module). can_exec: both.
	 */
	bool pgpu_submit, elsp_emulated, can_exec;
	/*
	 * The scheduler so far: submissions to the GPU, of them lite restores
	 * (a workload behind a running one), switches between vGPUs, engine
	 * resets, workloads stopped by the watchdog, GPU faults.
	 */
	uint64_t submits, lite_restores, switches, engine_resets, watchdog, faults;
};
void gpu_get_usage(struct gpu *gpu, struct gpu_usage *out);

/*
 * Make next (NULL = the host) the owner of the physical GPU's per-context
 * registers (rows flagged MF_SAVE; mmio_context.c): the physical values
 * are saved into the outgoing owner's register file (or the host's saved
 * area), then next's virtual values are written to the physical GPU
 * (masked registers with all mask bits set). Registers without MF_SAVE
 * are never touched. Called by the scheduler thread, WITHOUT any vGPU
 * lock or gpu->lock held (it takes them). Returns 0, -ENOENT if next is
 * not (or no longer) a vGPU of gpu, -ENOMEM if the host area cannot be
 * allocated.
 */
int gpu_switch_to(struct gpu *gpu, struct vgpu *next);
/* The current owner (NULL = host), for tests and xengt-ctl. */
struct vgpu *gpu_owner(struct gpu *gpu);

/* ---- execution: the scheduler of one physical GPU (exec/sched.c) ---- */

/*
 * How to wake the GPU's scheduler thread when a vGPU has queued work
 * (called from vGPU threads, with their lock held: must not block).
 * NULL kick: none (gpu_sched_run is then called on a timer or by hand).
 */
void gpu_sched_set_kick(struct gpu *gpu, void (*kick)(void *arg), void *arg);
/* The backend's event fd to poll with the kick (-1: none; run on the period instead). */
int gpu_sched_fd(struct gpu *gpu);
/*
 * One round of the scheduler: take the engines' events and complete the
 * workloads they end, then pick what runs next (weighted time slices,
 * watchdog) and submit it. now_ns is CLOCK_MONOTONIC (or a test's clock:
 * the scheduler reads no clock of its own). Returns the ns until it wants
 * to run again (VGPU_TICK_NONE: only on a kick or an event). Scheduler
 * thread only; no lock held.
 */
uint64_t gpu_sched_run(struct gpu *gpu, uint64_t now_ns);

/*
 * The scheduler's knobs (docs/execution.md "The scheduler"):
 *   slice_ns     how long a busy vGPU keeps the GPU while another one
 *                waits; its weight decides how often it gets a slice.
 *   watchdog_ns  the longest one workload may stay on an engine: past it
 *                the engine is reset, the workload failed and its vGPU
 *                put in failsafe, so a hung or hostile vGPU holds the GPU
 *                at most this long once.
 */
#define GPU_SCHED_SLICE_NS_DEFAULT 1000000ull		/* 1 ms */
#define GPU_SCHED_WATCHDOG_NS_DEFAULT 500000000ull	/* 500 ms */
struct gpu_sched_params {
	uint64_t slice_ns;	/* 10 us .. 1 s */
	uint64_t watchdog_ns;	/* 1 ms .. 60 s, and at least slice_ns */
};
/* Set them (any thread). 0, or -EINVAL for a value out of range (nothing changed). */
int gpu_sched_set_params(struct gpu *gpu, const struct gpu_sched_params *p);
void gpu_sched_get_params(struct gpu *gpu, struct gpu_sched_params *out);

/* ---- display: what a primary plane shows (display/fb.c), for screenshots ---- */

#define VGPU_NR_PIPES 3
/* The largest source size a pipe can have (PIPESRC: 13 bits of width, 12 of height). */
#define VGPU_PLANE_MAX_W 8192u
#define VGPU_PLANE_MAX_H 4096u

/* The primary plane of one pipe, decoded from the guest's registers. */
struct vgpu_plane {
	unsigned int pipe;	/* 0..2 = pipe A..C */
	bool enabled;		/* plane enabled on a running pipe */
	bool supported;		/* a format and tiling vgpu_plane_read can read */
	char format[16];	/* "xrgb8888", "xbgr8888", "xrgb2101010", "xbgr2101010", "rgb565", else "fmt<N>" */
	char tiling[8];		/* "linear", "x", "y", else "t<N>" (Yf and others) */
	uint32_t ctl;		/* PLANE_CTL as the guest wrote it */
	unsigned int width, height; /* PIPESRC, as GVT-g's fb decoder takes it */
	unsigned int cpp;	/* bytes per pixel (0: unsupported format) */
	uint32_t stride;	/* bytes (PLANE_STRIDE in its tiling's units) */
	uint64_t surf;		/* GM address scanned out: PLANE_SURFLIVE (latched at vblank) */
	unsigned int x, y;	/* PLANE_OFFSET: first pixel shown */
};

/* Decode pipe's primary plane (takes the lock). 0, or -EINVAL for pipe >= VGPU_NR_PIPES. */
int vgpu_plane_get(struct vgpu *v, unsigned int pipe, struct vgpu_plane *out);
/*
 * Pixels first .. first+n-1 (row-major over width x height) of the plane
 * described by *want, as the display would scan them out: fetched through
 * the guest's accepted GGTT entries from its pages, converted to 0xRRGGBB.
 * A pixel on a page with no usable entry reads 0 and adds to *missing.
 * Takes the lock. 0; -ESTALE if the plane no longer matches *want (the
 * guest reprogrammed it: decode again); -ENODEV plane off; -EOPNOTSUPP
 * format or tiling not readable; -EINVAL pipe or range outside the plane.
 */
int vgpu_plane_read(struct vgpu *v, const struct vgpu_plane *want, uint64_t first, uint32_t n,
		    uint32_t *rgb, uint64_t *missing);

/* ---- vGPU lifecycle ---- */

/*
 * Create a vGPU for domid: reserve its GM and fences (-ENOSPC with a log
 * line naming what ran out), build its config space and registers, and
 * claim its PCI SBDF through hv. BARs are claimed when the guest enables
 * decoding. Returns 0 or -errno; *err (if not NULL) gets a readable reason.
 */
int vgpu_create(struct gpu *gpu, const struct vgpu_config *cfg, uint32_t domid,
		const struct hv_ops *ops, struct hv *hv, struct vgpu **out,
		char *err, size_t errlen);
/*
 * Unclaim everything, drop tracked pages and aperture mappings, return the
 * share. Its work leaves the GPU's scheduler first (running work: engine
 * reset); if v owns the physical GPU, it is switched back to the host.
 * The caller has stopped the vGPU's own thread; the scheduler thread may
 * still run (no lock held).
 */
void vgpu_destroy(struct vgpu *v);

/* ---- guest accesses (ioreq thread; each takes the vGPU lock) ---- */

/*
 * A config cycle at register reg (0..4095) of size 1/2/4. Reads fill
 * *val; absent or malformed accesses read all-ones / are dropped.
 * Returns 0, or -EINVAL for a malformed access (already answered safely).
 */
int vgpu_cfg_access(struct vgpu *v, bool write, unsigned int reg,
		    unsigned int size, uint32_t *val);
/*
 * A memory access at guest physical gpa of size 1/2/4/8 (BAR0 registers,
 * GGTT, or a write-protected page). Returns 0 handled, -ENOENT if gpa is
 * not the vGPU's (caller answers all-ones / drops), -EINVAL malformed.
 */
int vgpu_mem_access(struct vgpu *v, bool write, uint64_t gpa,
		    unsigned int size, uint64_t *val);
/* A port access (BAR4 index/data pair). Same returns as vgpu_mem_access. */
int vgpu_pio_access(struct vgpu *v, bool write, uint16_t port,
		    unsigned int size, uint32_t *val);

/*
 * The glue lost its way to service this vGPU (e.g. its event channel
 * failed): put it into failsafe with reason, so the toolstack sees why
 * (takes the lock; no-op if already failsafe).
 */
void vgpu_fail(struct vgpu *v, const char *reason);

/* Counters and state (takes the lock). */
void vgpu_get_stats(struct vgpu *v, struct vgpu_stats *out);
/* Fill up to max rows of the trap map; returns the number of rows. */
size_t vgpu_trap_map(struct vgpu *v, struct trap_entry *rows, size_t max);
/* The vGPU's GM partition and fences, for xengt-ctl. */
struct vgpu_partition {
	uint64_t low_base, low_size, high_base, high_size;
	unsigned int fence_base, fence_num;
};
void vgpu_get_partition(struct vgpu *v, struct vgpu_partition *out);
/*
 * Registers without a row that the guest touched (the unknown-register
 * policy's evidence, for xengt-ctl): up to VGPU_UNKNOWN_MAX distinct
 * offsets with their hit counts, in order of first touch; hits on
 * further offsets are only summed into *overflow. Fills up to max rows,
 * returns the number filled (takes the lock).
 */
#define VGPU_UNKNOWN_MAX 64
struct vgpu_unknown_reg {
	uint32_t off;	/* BAR0 offset, dword aligned */
	uint64_t hits;	/* reads + writes */
};
size_t vgpu_unknown_regs(struct vgpu *v, struct vgpu_unknown_reg *rows, size_t max,
			 uint64_t *overflow);
/* The vGPU's unknown-register policy (fixed at creation). */
enum unknown_reg_policy vgpu_unknown_policy(const struct vgpu *v);
uint32_t vgpu_domid(const struct vgpu *v);
unsigned int vgpu_id(const struct vgpu *v);

/*
 * Periodic work with no guest access behind it (vblank timer). Called from
 * the vGPU's thread once the time it last returned has passed, and after
 * every guest access (a pipe just enabled starts its timer at once); now_ns
 * is CLOCK_MONOTONIC. Returns the ns until it wants to be called again, or
 * VGPU_TICK_NONE: nothing is due until the guest touches the vGPU again
 * (no pipe enabled, or failsafe), so the caller sleeps until the next
 * request and asks again after it. An idle vGPU thus costs no wakeups.
 */
#define VGPU_TICK_NONE UINT64_MAX
uint64_t vgpu_tick(struct vgpu *v, uint64_t now_ns);

#endif
