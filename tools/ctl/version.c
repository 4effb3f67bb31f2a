/* SPDX-License-Identifier: MIT */
/*
 * version.c — `xengt-ctl version`: the daemon's version and GPU backend.
 */
#include "ctl.h"

int
ctl_cmd_version(struct ctl_ctx *c, int argc, char **argv)
{
	if (!ctl_argc_ok(argc, 1, argv[0], ""))
		return CTL_EXIT_USAGE;
	return ctl_ask_print(c, "version", false);
}
