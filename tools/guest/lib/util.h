/* SPDX-License-Identifier: MIT */
/*
 * util.h — libguest's internal helpers: failing with a reason in g->err,
 * the monotonic clock.
 */
#ifndef TOOLS_GUEST_LIB_UTIL_H
#define TOOLS_GUEST_LIB_UTIL_H

#include <stdint.h>

#include "tools/guest/libguest.h"

/* Put the reason in g->err and return rc (a -errno). */
int gfail(struct gdev *g, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* CLOCK_MONOTONIC in ms. */
uint64_t gnow_ms(void);

#endif
