/* SPDX-License-Identifier: MIT */
/*
 * daemon.h — xengt-script's handling of its xengt-dm-sim child: start it
 * on a private machine with a socket in a temp dir, wait for every
 * domain's xengt-dm state "running", stop it with SIGTERM.
 */
#ifndef TOOLS_SCRIPT_DAEMON_H
#define TOOLS_SCRIPT_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct dm_child {
	pid_t pid;		/* 0 when not running */
	char dir[64];		/* temp dir holding the socket and the log */
	char sock[128];
	char log[128];
};

/*
 * Start $XENGT_BUILD/xengt-dm-sim (default: next to this program) with
 * `--socket S --domid D --vgpu SPEC` per domain; its output goes to the log
 * file unless verbose. Returns 0 or -errno (message printed).
 */
int dm_start(struct dm_child *d, const uint32_t *domids, unsigned int n,
	     const char *spec, bool verbose);
/* Wait up to timeout_ms for every domain's state "running". 0, -ETIMEDOUT, -ECHILD (daemon died). */
int dm_wait_running(struct dm_child *d, const char *machine,
		    const uint32_t *domids, unsigned int n, int timeout_ms);
/* SIGTERM, wait (SIGKILL after 5 s); keep the temp dir if keep. */
void dm_stop(struct dm_child *d, bool keep);
/* Path of a sibling program: $XENGT_BUILD/TOOL, else next to this program. 0 or -errno. */
int dm_tool_path(const char *tool, char *buf, size_t len);
/* Copy the last lines of the daemon's log to stderr. */
void dm_dump_log(const struct dm_child *d);

#endif
