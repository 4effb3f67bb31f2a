/* SPDX-License-Identifier: MIT */
/*
 * sched_thread.h — the daemon's scheduler thread: one per physical GPU,
 * running the mediator's scheduler (gpu_sched_run) whenever a vGPU kicks,
 * the GPU reports events, or the scheduler's next deadline comes. vGPU
 * threads only queue work and kick; no GPU work runs on them.
 */
#ifndef DM_SCHED_THREAD_H
#define DM_SCHED_THREAD_H

struct gpu;
struct sched_thread;

/*
 * Start gpu's scheduler thread (before the first vGPU is attached).
 * 0 and *out, or -errno.
 */
int sched_thread_start(struct gpu *gpu, struct sched_thread **out);
/*
 * Stop and join it, after every vGPU is gone and before gpu_destroy.
 * NULL is a no-op.
 */
void sched_thread_stop(struct sched_thread *t);

#endif
