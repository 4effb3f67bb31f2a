/* SPDX-License-Identifier: MIT */
/*
 * program.h — xengt-script --program: a guest program (tools/guest/prog,
 * built on libguest) run in each guest process after the firmware step,
 * told who it is through the environment (tools/guest/lib/env.c).
 */
#ifndef TOOLS_SCRIPT_PROGRAM_H
#define TOOLS_SCRIPT_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/common/spec.h"

/* A guest program's exit status for "skipped" (and the runner's, if none failed). */
#define PROGRAM_SKIPPED 77

/* Is prog runnable (a path, or a name next to xengt-script)? 0, or -ENOENT (printed). */
int program_check(const char *prog);
/*
 * In a guest process whose vCPU is detached: exec prog with args and the
 * XENGT_GUEST_* environment. Returns only on failure (printed).
 */
void program_exec(const char *prog, char *const *args, const char *machine, uint32_t domid,
		  const struct spec_sbdf *sbdf, unsigned int index, unsigned int count,
		  const char *prefix);
/*
 * One line per guest (prefixed "[dN] " if multi) saying how the program
 * ended there. 0 all passed, PROGRAM_SKIPPED none failed but some
 * skipped, 1 any failed.
 */
int program_report(const char *prog, const uint32_t *domids, const int *status, unsigned int n,
		   bool multi);

#endif
