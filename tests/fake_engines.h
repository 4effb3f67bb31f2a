/* SPDX-License-Identifier: MIT */
/*
 * fake_engines.h — a stand-in for a GPU's engines, for scheduler tests and
 * benches: the fake pgpu of fake_hv.h plus submit, events and engine
 * reset. It reads no context image: the LRCA field of a descriptor (bits
 * 31:12) is how long that context runs, in microseconds (FAKE_RUN_HANG:
 * for ever). A context completes on its own once that time has passed on
 * the stand-in's clock (CLOCK_MONOTONIC, or a test's virtual clock), or
 * when the test says so (manual mode). Events come in the order hardware
 * writes them per engine: IDLE_ACTIVE at submission, then per element
 * COMPLETE | ELEMENT_SWITCH, the last one COMPLETE | ACTIVE_IDLE, each
 * stamped (ts_ns) with the stand-in's time it happened.
 */
#ifndef TESTS_FAKE_ENGINES_H
#define TESTS_FAKE_ENGINES_H

#include <stdbool.h>
#include <stdint.h>

#include "mediator/pgpu.h"
#include "tests/fake_hv.h"

#define FAKE_RUN_HANG 0xfffffu
/* A descriptor for the stand-in: valid, running us microseconds. */
#define FAKE_DESC(us) (1ull | ((uint64_t)((us) & 0xfffffu) << 12))
#define FAKE_DESC_US(desc) ((uint32_t)((desc) >> 12) & 0xfffffu)

struct fake_engines;

/*
 * A fake pgpu with engines in *out. vclock NULL: the real clock, and
 * event_fd is a timerfd that polls readable when an event is due;
 * otherwise the stand-in reads *vclock (ns) and has no event fd.
 */
struct fake_engines *fake_engines_open(struct pgpu_dev *out, const uint64_t *vclock);
/* The registers and GGTT underneath (fake_hv.h). */
struct pgpu_fake *fake_engines_pgpu(struct fake_engines *f);

/* Manual mode: nothing completes by time, only by fake_engines_complete. */
void fake_engines_set_manual(struct fake_engines *f, bool manual);
/*
 * Lite restores (pgpu_info.lite_restore): a submission while the last
 * element runs, naming it as element 0 with another behind, waits in the
 * ELSP. The engine takes it when that element completes (COMPLETE |
 * ACTIVE_IDLE, then IDLE_ACTIVE and at once COMPLETE | ELEMENT_SWITCH of
 * its second run, head == tail, then element 1 runs) or, on
 * fake_engines_arbitrate, at an arbitration point (PREEMPTED, then the
 * element goes on as element 0 of the pair).
 */
void fake_engines_set_lite_restore(struct fake_engines *f, bool on);
/* Engine e reaches an arbitration point: a waiting lite restore is taken. 0, or -ENOENT. */
int fake_engines_arbitrate(struct fake_engines *f, enum pgpu_engine e);
/* Every context reports one MI_USER_INTERRUPT before it completes. */
void fake_engines_set_user_irq(struct fake_engines *f, bool on);
/* The running element of engine e completes now. 0, or -ENOENT if none runs. */
int fake_engines_complete(struct fake_engines *f, enum pgpu_engine e);
/* The running element of e faults: a FAULT event, the engine stops until reset. */
int fake_engines_fault(struct fake_engines *f, enum pgpu_engine e, enum pgpu_fault kind,
		       uint64_t addr);
/* Queue any event, as if the engine had reported it. */
void fake_engines_inject(struct fake_engines *f, const struct pgpu_event *ev);
/* When the next element completes by time (UINT64_MAX: none will). */
uint64_t fake_engines_next_due(struct fake_engines *f);

struct fake_engine_stats {
	uint64_t submits;	/* accepted ELSP submissions */
	uint64_t refused;	/* submissions answered -EBUSY / -EINVAL */
	uint64_t resets;	/* engine_reset calls */
	uint64_t completed;	/* elements completed (a lite restore's rerun not counted) */
	uint64_t lite_restores;	/* of the submissions, lite restores */
	uint64_t lite_taken;	/* lite restores the engine took */
	uint64_t reruns;	/* of them, taken after the element had completed */
	uint64_t busy_ns;	/* time elements ran to completion */
	unsigned int running;	/* elements on the engine now (0..2) */
	uint32_t ctx_id;	/* the running element's context id */
	uint64_t last_desc[2];	/* the last submission */
};
void fake_engines_stats(struct fake_engines *f, enum pgpu_engine e, struct fake_engine_stats *out);
/* Events dropped because the stand-in's queue was full (a test failure). */
uint64_t fake_engines_dropped(struct fake_engines *f);

#endif
