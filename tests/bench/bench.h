/* SPDX-License-Identifier: MIT */
/*
 * bench.h — the figure table every bench file fills, and timing helpers.
 * A figure with a baseline gets its ratio computed from the baseline
 * measured in the same run, side by side.
 */
#ifndef TESTS_BENCH_H
#define TESTS_BENCH_H

#include <stdint.h>
#include <time.h>

void bench_figure(const char *name, double value, const char *unit, const char *baseline);

static inline uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Each bench group: returns 0, or -errno if it could not run (reported, skipped). */
int bench_mediator(void);
int bench_trap(void);
int bench_scale(void);
int bench_mapcache(void);
int bench_cmd_scan(void);
int bench_sched(void);
int bench_softgpu(void);
int bench_e2e(void);
int bench_linux_guest(void);

#endif
