/* SPDX-License-Identifier: MIT */
/*
 * types.c — `xengt-ctl types`: the vGPU types the daemon offers (name, GM sizes, fences, weight, resolution).
 */
#include "ctl.h"

int
ctl_cmd_types(struct ctl_ctx *c, int argc, char **argv)
{
	if (!ctl_argc_ok(argc, 1, argv[0], ""))
		return CTL_EXIT_USAGE;
	return ctl_ask_print(c, "types", true);
}
