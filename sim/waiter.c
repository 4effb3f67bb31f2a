/* SPDX-License-Identifier: MIT */
/*
 * waiter.c — the cross-process wait of a simulated vCPU (and of the
 * benches' wake-up limit): spin on the condition for a bounded time,
 * yielding the CPU now and then so that a device model on the same core
 * can run, then sleep on a futex in shared memory, counted as a sleeper
 * so that a waker makes a futex call only when someone sleeps. A futex
 * on a shared file mapping works across processes whatever their network
 * or mount namespaces.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sim_int.h"

#define SPIN_CHECK 16		/* condition checks between clock reads */
#define SPIN_YIELD_NS 2000ull	/* while spinning, give the CPU away this often */

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#endif
}

/*
 * After making the condition true: a full fence, then only if someone
 * sleeps (or is about to) bump seq and wake. With nobody asleep this
 * writes nothing: a spinning waiter's cache line stays where it is.
 */
void
xensim_wake(struct xensim_waiter *w)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&w->sleepers, __ATOMIC_SEQ_CST))
		return;
	__atomic_add_fetch(&w->seq, 1, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &w->seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/*
 * The bounded spin: true once done, false when spin_ns (or the deadline)
 * ran out. The clock is first read after SPIN_CHECK checks: an answer
 * that is already on its way costs no clock read at all.
 */
static bool
spin(bool (*done)(void *arg), void *arg, uint64_t spin_ns, uint64_t deadline_ns)
{
	uint64_t now, end = 0, next_yield = 0;

	for (unsigned int i = 1;; i++) {
		cpu_relax();
		if (done(arg))
			return true;
		if (i % SPIN_CHECK)
			continue;
		now = mono_ns();
		if (!end) {
			end = now + spin_ns;
			if (deadline_ns && deadline_ns < end)
				end = deadline_ns;
			next_yield = now + SPIN_YIELD_NS;
		}
		if (now >= end)
			return false;
		if (now >= next_yield) {
			sched_yield();
			next_yield = now + SPIN_YIELD_NS;
		}
	}
}

/*
 * The sleep: count ourselves a sleeper, read seq, check the condition,
 * then FUTEX_WAIT on the seq we read. A waker makes the condition true,
 * then reads the sleeper count (sequentially consistent, against our
 * count): if it sees none, our check comes after its store and sees the
 * condition true; if it sees us, it bumps seq and wakes, and our
 * FUTEX_WAIT either sleeps before that wake or sees seq moved and
 * returns at once. No wake-up can be lost.
 */
int
xensim_wait(struct xensim_waiter *w, bool (*done)(void *arg), void *arg, uint64_t spin_ns,
	    uint64_t deadline_ns)
{
	if (done(arg))
		return 0;
	if (spin_ns && spin(done, arg, spin_ns, deadline_ns))
		return 0;
	for (;;) {
		uint32_t seq;
		struct timespec ts;
		long rc;
		int e;

		__atomic_add_fetch(&w->sleepers, 1, __ATOMIC_SEQ_CST);
		seq = __atomic_load_n(&w->seq, __ATOMIC_SEQ_CST);
		if (done(arg)) {
			__atomic_sub_fetch(&w->sleepers, 1, __ATOMIC_SEQ_CST);
			return 0;
		}
		if (deadline_ns) {
			if (mono_ns() >= deadline_ns) {
				__atomic_sub_fetch(&w->sleepers, 1, __ATOMIC_SEQ_CST);
				return -ETIMEDOUT;
			}
			ts.tv_sec = (time_t)(deadline_ns / 1000000000ull);
			ts.tv_nsec = (long)(deadline_ns % 1000000000ull);
		}
		/* FUTEX_WAIT_BITSET: an absolute CLOCK_MONOTONIC deadline. */
		rc = syscall(SYS_futex, &w->seq, FUTEX_WAIT_BITSET, seq, deadline_ns ? &ts : NULL,
			     NULL, FUTEX_BITSET_MATCH_ANY);
		e = errno;
		__atomic_sub_fetch(&w->sleepers, 1, __ATOMIC_SEQ_CST);
		if (done(arg))
			return 0;
		if (rc < 0 && e == ETIMEDOUT)
			return -ETIMEDOUT;
	}
}

uint64_t
xensim_vcpu_spin_ns(void)
{
	static uint64_t cached = ~0ull;
	uint64_t v = __atomic_load_n(&cached, __ATOMIC_RELAXED);

	if (v == ~0ull) {
		const char *env = getenv("XENSIM_VCPU_SPIN_US");
		char *end;
		unsigned long us;

		v = SIM_VCPU_SPIN_NS;
		if (env && *env) {
			errno = 0;
			us = strtoul(env, &end, 10);
			if (!errno && !*end && us <= 1000000)
				v = (uint64_t)us * 1000;
		}
		__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	}
	return v;
}
