/* SPDX-License-Identifier: MIT */
/*
 * sched_int.h — the scheduler's own state, shared by sched.c (policy,
 * events, the ctx-id map) and sched_feed.c (submissions). Nothing
 * outside mediator/exec/sched*.c includes it.
 */
#ifndef MEDIATOR_EXEC_SCHED_INT_H
#define MEDIATOR_EXEC_SCHED_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/sched.h"

#define SCHED_PORTS 2		/* ELSP elements per submission */
#define SCHED_SLOTS (EXEC_NR_ENGINES * SCHED_PORTS)
#define SCHED_WSCALE 1024u	/* vtime = ns * SCHED_WSCALE / weight */
#define SCHED_WEIGHT_MAX 1000u
#define SCHED_MAX_EVENTS 256	/* events taken per round; more: run again at once */
#define SCHED_POLL_NS 100000ull	/* no event fd: look for events this often while work runs */
#define SCHED_RETRY_NS 1000000ull /* a failed register switch is retried after this */
#define SCHED_ALL_ENGINES ((1u << EXEC_NR_ENGINES) - 1)
/* Context ids: slot index + 1 in the low 4 bits, a sequence above (21 bits in all). */
#define SCHED_ID_SLOT_BITS 4
#define SCHED_ID_SEQ_MASK 0x1ffffu

/* One vGPU as the scheduler sees it, indexed by vGPU id - 1. */
struct sched_ent {
	struct vgpu *v;			/* NULL: not known (never kicked, or forgotten) */
	struct sched_ent *prev, *next;	/* run list */
	bool queued;			/* on the run list */
	unsigned int weight;		/* its type's weight, 1..SCHED_WEIGHT_MAX */
	uint64_t vtime;			/* weighted GPU time (compared wrap-safe) */
	unsigned int running;		/* its workloads on the engines */
	uint64_t busy_since;		/* running > 0 since then */
	uint64_t slice_busy;		/* GPU time of this slice, not yet charged */
	struct sched_vgpu_counters c;
};

/* One running workload: the ctx-id map's entry. */
struct sched_slot {
	struct workload *w;		/* NULL: free */
	struct sched_ent *ent;
	uint32_t ctx_id;
	unsigned int engine;		/* the engine it was submitted to */
	/* Submissions of it the engine has not finished with: 2 after a lite restore (feed_behind). */
	unsigned int runs;
};

/* An engine's ports: port[0] runs, port[1] follows (element switch). */
struct sched_engine {
	struct sched_slot *port[SCHED_PORTS];
	unsigned int n;
	/*
	 * The last submission is not taken yet: no IDLE_ACTIVE or PREEMPTED
	 * since (the engine's acknowledgement; submit says -EBUSY until then).
	 */
	bool untaken;
};

struct sched {
	atomic_uint_fast64_t pending;	/* bit (id - 1): kicked since the last round */
	pthread_mutex_t kick_lock;	/* kick and kick_arg; innermost lock */
	void (*kick)(void *arg);
	void *kick_arg;

	/* Everything below: gpu->sched_lock. */
	struct gpu_sched_params params;
	struct sched_exec_ops ops;
	struct sched_ent ent[GPU_MAX_VGPUS];
	struct sched_ent runq;		/* sentinel of the run list */
	unsigned int nr_runq;
	struct sched_ent *cur;		/* whose slice it is; NULL: nobody's */
	bool expired;			/* cur's slice is over: drain, then switch */
	uint64_t slice_end;		/* cur's slice ends then (wall clock) */
	uint64_t min_vtime;		/* least vtime of the waiting, never decreases */
	uint64_t retry_at;		/* a failed switch: pick again then (0: none) */
	bool switch_logged;
	uint64_t now;			/* the last round's clock */
	uint32_t seq;
	struct sched_slot slot[SCHED_SLOTS];
	struct sched_engine eng[EXEC_NR_ENGINES];
	struct sched_counters c;
};

/* ---- sched.c, for sched_feed.c (all with gpu->sched_lock held) ---- */

/* May v's queued work be submitted (v->lock held)? */
bool sched_runnable_locked(const struct vgpu *v);
/* A free slot for w of e with a fresh context id; NULL if all are taken (cannot happen). */
struct sched_slot *sched_slot_take(struct sched *s, struct sched_ent *e, struct workload *w);
/* Hand w back to execlist.c (v->lock held); w may be freed when this returns. */
void sched_handback(struct sched_ent *e, struct workload *w, enum workload_state st,
		    const char *why, uint64_t now, const struct sched_exec_ops *ops);
/* Fail e's vGPU with reason: failsafe, its running work failed, nothing more submitted. */
void sched_fail_locked(struct sched *s, struct gpu *gpu, struct sched_ent *e, const char *reason,
		       const char *why, uint64_t now);

/* ---- sched_feed.c ---- */

/* Submit the owner's (s->cur) queued work where engines can take it. */
void sched_feed(struct sched *s, struct gpu *gpu, uint64_t now);

#endif
