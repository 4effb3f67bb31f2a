/* SPDX-License-Identifier: MIT */
/*
 * list.c — `xengt-ctl list`: every vGPU the daemon serves, one row each
 * (domid, vgpu id, type, state, guest SBDF).
 */
#include "ctl.h"

int
ctl_cmd_list(struct ctl_ctx *c, int argc, char **argv)
{
	if (!ctl_argc_ok(argc, 1, argv[0], ""))
		return CTL_EXIT_USAGE;
	return ctl_ask_print(c, "list", true);
}
