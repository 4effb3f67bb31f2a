/* SPDX-License-Identifier: MIT */
/*
 * util.c — libguest's internal helpers (util.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "util.h"

int
gfail(struct gdev *g, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->err, sizeof(g->err), fmt, ap);
	va_end(ap);
	return rc;
}

uint64_t
gnow_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
