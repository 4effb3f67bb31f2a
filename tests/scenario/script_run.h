/* SPDX-License-Identifier: MIT */
/*
 * script_run.h — run build/xengt-script (guest scripts against a real
 * xengt-dm-sim on a private machine) as a child process and look at what
 * it printed: its exit status and whole lines of its output.
 */
#ifndef TESTS_SCENARIO_SCRIPT_RUN_H
#define TESTS_SCENARIO_SCRIPT_RUN_H

#include <stdbool.h>
#include <sys/types.h>

struct script_run {
	int status;	/* exit status; -1 killed, timed out or not run */
	pid_t pid;
	char *out;	/* stdout and stderr together (malloc'd, NUL-terminated) */
};

/*
 * Run xengt-script with args (NULL-terminated, at most 30), collecting its
 * output; a run still going after timeout_ms is killed (status -1).
 */
void script_run(struct script_run *r, const char *const *args, int timeout_ms);
/* Is line one whole line of the output? */
bool script_has_line(const struct script_run *r, const char *line);
/* Print the output when the status is not want (for the test log). */
void script_dump_on_failure(const struct script_run *r, int want);
void script_run_free(struct script_run *r);

#endif
