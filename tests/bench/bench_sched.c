/* SPDX-License-Identifier: MIT */
/*
 * bench_sched.c — the GPU scheduler's figures, on the real clock, with
 * the daemon's scheduler thread (dm/sched_thread.c) driving the mediator's
 * scheduler over the stand-in engines of tests/fake_engines.c (a workload
 * there is a run time, no commands): workload_prepare and
 * execlist_complete are stand-ins (tests/sched_rig.c), so these figures
 * are the scheduler's own cost and policy, not the whole execution path.
 *
 *   fairness_jain_8     Jain index of the workloads (all of one length)
 *                       8 busy vGPUs of one weight completed (goal >= 0.99)
 *   weight_accuracy     weights 1:2:4: 1 - the largest relative error of
 *                       their shares against 1/7, 2/7, 4/7
 *   aggregate_8         workloads/s of 8 busy vGPUs together, against one
 *                       alone (sched_tput_1; goal >= 0.90)
 *   idle_neighbours_7   one busy vGPU beside 7 idle ones (which each ran
 *                       once, so the scheduler knows them), against it
 *                       alone (sched_tput_short_1), with empty workloads so
 *                       the scheduler's own cost is all there is to lose
 *                       (goal: ratio >= 0.98). The scheduler thread never
 *                       sleeps then, so the figure is workloads per second
 *                       of this process's CPU time (the other thread
 *                       sleeps): on a shared machine the wall clock of so
 *                       short a loop measures the neighbours' load more
 *                       than ours.
 *   submit_latency      a guest thread queues an empty workload and kicks
 *                       (what its ELSP write will do), the scheduler thread
 *                       runs it, the completion wakes the guest thread
 *                       again (waiting as a vCPU waits for an ioreq
 *                       answer): ns per round trip, the two threads on
 *                       different cores, against trap_null_cross (the
 *                       ioreq round trip of bench_trap.c, placed alike);
 *                       submit_latency_same on one core, against
 *                       trap_null_same
 *
 * Each figure is the median of several rounds; the runs a ratio compares
 * alternate, round by round.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dm/sched_thread.h"
#include "sim/xensim.h"
#include "tests/sched_rig.h"
#include "bench.h"

#define MS 1000000ull
#define COST_US 100		/* a busy vGPU's workloads: 100 us each, two queued */
#define WARMUP_NS (50 * MS)
#define WINDOW_NS (300 * MS)
#define SHORT_WINDOW_NS (150 * MS)
#define ROUNDS 5		/* rounds of a figure (alternating for a ratio); the median is kept */
#define ROUNDS_SHORT 9		/* for idle_neighbours_7: short runs, more of them */
#define ROUNDS_FAIR 3		/* for the shares: long runs, stable */
#define LAT_ROUNDS 9
#define LAT_PER_ROUND 1000

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return v[n / 2];
}

static uint64_t
done_of(struct sched_rig *r, unsigned int i)
{
	struct sr_vgpu g;

	sr_get(r, i, &g);
	return g.done;
}

/* Wait (bounded) until vGPU i has completed n workloads. */
static int
wait_done(struct sched_rig *r, unsigned int i, uint64_t n)
{
	uint64_t end = bench_now_ns() + 10000 * MS;

	while (done_of(r, i) < n) {
		if (bench_now_ns() > end)
			return -ETIMEDOUT;
		sleep_ns(100000);
	}
	return 0;
}

static void
set_refill(struct sched_rig *r, unsigned int i, bool on)
{
	pthread_mutex_lock(&r->g[i].v->lock);
	r->g[i].refill = on;
	pthread_mutex_unlock(&r->g[i].v->lock);
}

/*
 * nbusy busy vGPUs (weights, NULL: 1) beside nidle that ran once: the
 * workloads each busy one completed in a window of window_ns, into
 * done[]. cost_us: each workload's run time.
 */
/* CPU time of this process (all threads), ns. */
static uint64_t
cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ull +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ull;
}

static int
measure(unsigned int nbusy, unsigned int nidle, const unsigned int *weights, uint32_t cost_us,
	uint64_t window_ns, double *done, double *cpu)
{
	uint64_t cpu0 = 0;
	unsigned int w[SR_MAX];
	struct sched_rig *r = calloc(1, sizeof(*r));
	struct sched_thread *st = NULL;
	uint64_t before[SR_MAX];
	int rc;

	if (!r)
		return -ENOMEM;
	for (unsigned int i = 0; i < nbusy + nidle; i++)
		w[i] = weights && i < nbusy ? weights[i] : 1;
	rc = sr_open(r, nbusy + nidle, w, false);
	if (!rc)
		rc = sched_thread_start(r->gpu, &st);
	for (unsigned int i = nbusy; !rc && i < nbusy + nidle; i++) {
		sr_queue(r, i, PGPU_RCS, cost_us);
		rc = wait_done(r, i, 1);
	}
	for (unsigned int i = 0; !rc && i < nbusy; i++) {
		set_refill(r, i, true);
		sr_queue(r, i, PGPU_RCS, cost_us);
		sr_queue(r, i, PGPU_RCS, cost_us);
	}
	if (!rc) {
		sleep_ns(WARMUP_NS);
		for (unsigned int i = 0; i < nbusy; i++)
			before[i] = done_of(r, i);
		cpu0 = cpu_ns();
		sleep_ns(window_ns);
		if (cpu)
			*cpu = (double)(cpu_ns() - cpu0);
		for (unsigned int i = 0; i < nbusy; i++)
			done[i] = (double)(done_of(r, i) - before[i]);
		for (unsigned int i = 0; i < nbusy; i++)
			set_refill(r, i, false);
	}
	sched_thread_stop(st);
	sr_close(r);
	free(r);
	return rc;
}

static double
sum(const double *x, unsigned int n)
{
	double s = 0;

	for (unsigned int i = 0; i < n; i++)
		s += x[i];
	return s;
}

static double
jain(const double *x, unsigned int n)
{
	double s2 = 0;

	for (unsigned int i = 0; i < n; i++)
		s2 += x[i] * x[i];
	return s2 > 0 ? sum(x, n) * sum(x, n) / (n * s2) : 0;
}

static int
bench_fairness(void)
{
	static const unsigned int w[3] = { 1, 2, 4 };
	double x[8], j[ROUNDS_FAIR], acc[ROUNDS_FAIR];
	int rc = 0;

	for (unsigned int k = 0; k < ROUNDS_FAIR && !rc; k++) {
		double worst = 0;

		rc = measure(8, 0, NULL, COST_US, WINDOW_NS, x, NULL);
		j[k] = jain(x, 8);
		if (!rc)
			rc = measure(3, 0, w, COST_US, 2 * WINDOW_NS, x, NULL);
		for (unsigned int i = 0; i < 3; i++) {
			double want = w[i] / 7.0, got = sum(x, 3) > 0 ? x[i] / sum(x, 3) : 0;
			double err = got > want ? (got - want) / want : (want - got) / want;

			if (err > worst)
				worst = err;
		}
		acc[k] = 1 - worst;
	}
	if (rc)
		return rc;
	bench_figure("fairness_jain_8", median(j, ROUNDS_FAIR), "index", NULL);
	bench_figure("weight_accuracy", median(acc, ROUNDS_FAIR), "ratio", NULL);
	return 0;
}

/*
 * Alternating rounds of a and b: workloads/s of all busy vGPUs (per
 * second of CPU time if per_cpu, else of the wall clock); the medians.
 */
static int
compare(unsigned int nbusy_a, unsigned int nidle_a, unsigned int nbusy_b, unsigned int nidle_b,
	uint32_t cost_us, uint64_t window_ns, bool per_cpu, unsigned int rounds, double *a,
	double *b)
{
	double ta[ROUNDS_SHORT], tb[ROUNDS_SHORT], x[SR_MAX], cpu = 0;
	int rc = 0;

	if (rounds > ROUNDS_SHORT)
		rounds = ROUNDS_SHORT;
	for (unsigned int k = 0; k < rounds && !rc; k++) {
		rc = measure(nbusy_a, nidle_a, NULL, cost_us, window_ns, x, &cpu);
		ta[k] = sum(x, nbusy_a) * 1e9 / (per_cpu && cpu > 0 ? cpu : (double)window_ns);
		if (!rc)
			rc = measure(nbusy_b, nidle_b, NULL, cost_us, window_ns, x, &cpu);
		tb[k] = sum(x, nbusy_b) * 1e9 / (per_cpu && cpu > 0 ? cpu : (double)window_ns);
	}
	if (rc)
		return rc;
	*a = median(ta, rounds);
	*b = median(tb, rounds);
	return 0;
}

static int
bench_aggregate(void)
{
	double alone, together, busy, quiet;
	int rc = compare(1, 0, 8, 0, COST_US, WINDOW_NS, false, ROUNDS, &alone, &together);

	if (rc)
		return rc;
	bench_figure("sched_tput_1", alone, "wl/s", NULL);
	bench_figure("aggregate_8", together, "wl/s", "sched_tput_1");
	rc = compare(1, 0, 1, 7, 0, SHORT_WINDOW_NS, true, ROUNDS_SHORT, &quiet, &busy);
	if (rc)
		return rc;
	bench_figure("sched_tput_short_1", quiet, "wl/cpu-s", NULL);
	bench_figure("idle_neighbours_7", busy, "wl/cpu-s", "sched_tput_short_1");
	return 0;
}

/* ---- submit latency ---- */

struct lat {
	struct xensim_waiter w;
	uint32_t done;
};

static void
lat_done(struct sched_rig *r, unsigned int i)
{
	struct lat *l = r->arg;

	(void)i;
	__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
	xensim_wake(&l->w);
}

static bool
lat_is_done(void *arg)
{
	return __atomic_load_n(&((struct lat *)arg)->done, __ATOMIC_ACQUIRE) != 0;
}

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * ns from a guest's kick to its completion, the scheduler thread on
 * cpu_sched (started while this thread sat there: it inherits the
 * affinity), the guest thread on cpu_guest. Median of LAT_ROUNDS.
 */
static int
latency(int cpu_guest, int cpu_sched, double *ns)
{
	struct sched_rig *r = calloc(1, sizeof(*r));
	struct sched_thread *st = NULL;
	struct lat l = { { 0, 0 }, 0 };
	uint64_t spin = xensim_vcpu_spin_ns();
	double t[LAT_ROUNDS];
	int rc;

	if (!r)
		return -ENOMEM;
	rc = sr_open(r, 1, NULL, false);
	r->on_done = lat_done;
	r->arg = &l;
	if (!rc)
		rc = pin(cpu_sched);
	if (!rc)
		rc = sched_thread_start(r->gpu, &st);
	if (!rc)
		rc = pin(cpu_guest);
	for (int k = -1; k < LAT_ROUNDS && !rc; k++) {
		uint64_t t0 = bench_now_ns();

		for (unsigned int j = 0; j < LAT_PER_ROUND && !rc; j++) {
			__atomic_store_n(&l.done, 0, __ATOMIC_RELEASE);
			sr_queue(r, 0, PGPU_RCS, 0);
			rc = xensim_wait(&l.w, lat_is_done, &l, spin, bench_now_ns() + 10000 * MS);
		}
		if (k >= 0) /* round -1 warms up */
			t[k] = (double)(bench_now_ns() - t0) / LAT_PER_ROUND;
	}
	sched_thread_stop(st);
	sr_close(r);
	free(r);
	if (!rc)
		*ns = median(t, LAT_ROUNDS);
	return rc;
}

static int
bench_latency(void)
{
	cpu_set_t saved;
	int cpu[2], n = 0, rc;
	double ns;

	if (sched_getaffinity(0, sizeof(saved), &saved))
		return -errno;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &saved))
			cpu[n++] = c;
	if (!n)
		return -ENODEV;
	/* The placements of bench_trap's trap_null figures. */
	rc = latency(cpu[0], cpu[0], &ns);
	if (!rc)
		bench_figure("submit_latency_same", ns, "ns/rt", "trap_null_same");
	if (!rc && n > 1) {
		rc = latency(cpu[0], cpu[1], &ns);
		if (!rc)
			bench_figure("submit_latency", ns, "ns/rt", "trap_null_cross");
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	return rc;
}

int
bench_sched(void)
{
	int rc = bench_fairness();

	if (!rc)
		rc = bench_aggregate();
	if (!rc)
		rc = bench_latency();
	return rc;
}
