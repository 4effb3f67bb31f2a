/* SPDX-License-Identifier: MIT */
/*
 * sched.h — the GPU scheduler's (sched.c) internals for the rest of the
 * mediator and the tests: set-up with the GPU (gpu.c), forgetting a vGPU
 * before it is destroyed (vgpu.c), counters, and the seam through which
 * tests put stand-ins in place of workload_prepare / execlist_complete.
 * The public part is in vgpu.h (gpu_sched_*) and exec.h (sched_kick).
 */
#ifndef MEDIATOR_EXEC_SCHED_H
#define MEDIATOR_EXEC_SCHED_H

#include <stdint.h>

#include "mediator/exec/exec.h"

struct gpu;
struct vgpu;

/* gpu_create: the scheduler's state for gpu. 0 or -ENOMEM. */
int sched_init(struct gpu *gpu);
/* gpu_destroy: free it (every vGPU forgotten, the scheduler thread stopped). */
void sched_fini(struct gpu *gpu);

/*
 * vgpu_destroy, no lock held, after v left gpu->vgpus[] and before its
 * context registers go back to the host (mmio_context_release) and its
 * modules are torn down: its running work is taken off the engines
 * (engine reset) and handed back through execlist_complete with
 * reset_pending set (nothing written to the guest), its kick is dropped,
 * and the scheduler keeps no pointer to v. Waits for a round of
 * gpu_sched_run in progress (gpu->sched_lock), so the scheduler thread is
 * never inside v when this returns.
 */
void sched_forget(struct vgpu *v);

/*
 * The execution parts the scheduler drives. Default: workload_prepare and
 * execlist_complete; tests set stand-ins before any work is queued.
 */
struct sched_exec_ops {
	int (*prepare)(struct vgpu *v, struct workload *w);	/* v->lock held */
	void (*complete)(struct vgpu *v, struct workload *w);	/* both locks held */
};
void sched_set_exec_ops(struct gpu *gpu, const struct sched_exec_ops *ops);

/* What the scheduler did, GPU-wide (tests, benches). */
struct sched_counters {
	uint64_t rounds;		/* gpu_sched_run calls */
	uint64_t events, stale_events;	/* pgpu events; those naming no running workload */
	uint64_t submits;		/* pgpu submit calls */
	uint64_t lite_restores;		/* of them, a workload queued behind a running one */
	uint64_t switches;		/* gpu_switch_to to another vGPU */
	uint64_t engine_resets;		/* pgpu engine_reset calls */
	uint64_t watchdog;		/* workloads stopped by the watchdog */
	uint64_t faults;		/* PGPU_EV_FAULT handled */
	unsigned int inflight;		/* workloads on the engines now */
	unsigned int runnable;		/* vGPUs on the run list now */
};
void sched_get_counters(struct gpu *gpu, struct sched_counters *out);

/* One vGPU as the scheduler sees it (by vGPU id). */
struct sched_vgpu_counters {
	uint64_t looks;		/* times the scheduler examined it (took its lock) */
	uint64_t slices;	/* turns it got on the GPU */
	uint64_t completed, failed; /* workloads handed back */
	uint64_t charged_ns;	/* GPU time it was charged (its slices' length) */
};
/* 0, or -ENOENT if the scheduler does not know vGPU id (never kicked, or forgotten). */
int sched_get_vgpu_counters(struct gpu *gpu, unsigned int id, struct sched_vgpu_counters *out);

#endif
