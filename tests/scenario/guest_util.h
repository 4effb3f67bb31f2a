/* SPDX-License-Identifier: MIT */
/*
 * guest_util.h — what the guest-program suites (test_guest*.c) share:
 * a guest brought up on a daemon of its own, running a built tool and
 * taking its output, decoding a PNG with libpng, and asking the daemon
 * whether it executes guests' commands (the reason to skip when not).
 */
#ifndef TESTS_SCENARIO_GUEST_UTIL_H
#define TESTS_SCENARIO_GUEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/scenario/scenario_util.h"
#include "tools/guest/libguest.h"

/* One domain with spec, BARs placed, the guest driver brought up. false: failed (recorded). */
bool gtest_up(struct scn *s, const char *spec, struct gdev *g);
/*
 * Run $XENGT_BUILD/tool with args (NULL-terminated, at most 30), its
 * stdout and stderr in *out (malloc'd). Returns its exit status, -1 if it
 * did not exit normally within 60 s.
 */
int gtest_run(const char *tool, const char *const *args, char **out);
/* Decode an 8-bit RGB PNG into *rgb (malloc'd, 3 bytes a pixel). false if it is not one. */
bool gtest_png_load(const char *path, unsigned int *w, unsigned int *h, uint8_t **rgb);
/*
 * Does the daemon run guests' commands (`gpu`: exec=1)? If not, why in
 * why ("the GPU backend has no submit", "ELSP writes are not emulated").
 */
bool gtest_exec_supported(const struct scn *s, char *why, size_t len);

#endif
