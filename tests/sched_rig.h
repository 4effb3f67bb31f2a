/* SPDX-License-Identifier: MIT */
/*
 * sched_rig.h — what the scheduler suites and benches share: a GPU on the stand-in
 * engines (tests/fake_engines.h) with up to SR_MAX vGPUs, and a stand-in
 * for the execution parts the scheduler drives (workload_prepare,
 * execlist_complete): workloads with a run time, counted when handed
 * back, optionally queued again at once (a guest that stays busy).
 */
#ifndef TESTS_SCHED_RIG_H
#define TESTS_SCHED_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/sched.h"
#include "tests/fake_engines.h"
#include "tests/fake_hv.h"

#define SR_MAX 8
#define SR_SAVE_REG 0x2098u	/* RCS HWSTAM: a per-context (MF_SAVE) register */

struct sr_vgpu {
	struct hv *hv;
	struct vgpu *v;
	/* What the stand-in saw (under v->lock). */
	uint64_t done, failed;
	uint64_t done_ns;		/* run time of its completed workloads */
	uint64_t user_irqs;		/* completed workloads that reported MI_USER_INTERRUPT */
	uint64_t queued, freed;		/* workloads made by sr_queue; freed (hand-back, drop) */
	char why[192];			/* the last failed workload's reason */
	bool reset_seen;		/* reset_pending was set at a hand-back */
	uint32_t last_ctx;		/* shadow ctx id of the last workload prepared */
	/* How it behaves. */
	bool refill;			/* queue a completed workload again */
	bool refuse;			/* prepare refuses its workloads */
	unsigned int refuse_after;	/* ... or only after this many more prepared */
	bool bad_desc;			/* prepare builds a descriptor without the valid bit */
};

struct sched_rig {
	uint64_t now;			/* the virtual clock (vclock rigs) */
	struct pgpu_dev dev;
	struct fake_engines *fe;
	struct gpu *gpu;
	struct sr_vgpu g[SR_MAX];
	unsigned int n;
	unsigned int owner_wrong;	/* prepares while another vGPU owned the registers */
	unsigned int reg_wrong;		/* prepares with SR_SAVE_REG not the vGPU's on the GPU */
	unsigned int prepares;
	/* If set: called for each completed workload of vGPU i (both locks held). */
	void (*on_done)(struct sched_rig *r, unsigned int i);
	void *arg;			/* free for on_done's use */
};

/* The rig whose stand-ins the scheduler calls (one at a time). */
extern struct sched_rig *sr_cur;

/*
 * A GPU with n vGPUs of the given weights (NULL: all 1); virtual clock if
 * vclock, else the real one. 0 or -errno.
 */
int sr_open(struct sched_rig *r, unsigned int n, const unsigned int *weights, bool vclock);
/* Drop every queued workload, destroy the vGPUs and the GPU. */
void sr_close(struct sched_rig *r);
/* Queue a workload of run time us on engine e of vGPU i and kick. */
void sr_queue(struct sched_rig *r, unsigned int i, enum pgpu_engine e, uint32_t us);
/* Free vGPU i's queued workloads (before it is destroyed: execlist.c's job). */
void sr_drop_queue(struct sched_rig *r, unsigned int i);
/* Destroy vGPU i now (its queue dropped first). */
void sr_destroy(struct sched_rig *r, unsigned int i);
/*
 * Virtual clock: run the scheduler until the clock reaches until_ns or
 * nothing is left to do; time jumps to the next thing due. Returns the
 * rounds run (at least one), or -ELOOP if the scheduler asked to run
 * again and again without the clock moving.
 */
int sr_run(struct sched_rig *r, uint64_t until_ns);
/* Index of v in the rig, or -1. */
int sr_index(struct sched_rig *r, const struct vgpu *v);
/* A snapshot of vGPU i's counters (what the stand-in saw), under its lock. */
void sr_get(struct sched_rig *r, unsigned int i, struct sr_vgpu *out);

#endif
