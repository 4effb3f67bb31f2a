/* SPDX-License-Identifier: MIT */
/*
 * gpu.c — `xengt-ctl gpu`: the physical GPU's GM, aperture and fences, and how much is free.
 */
#include "ctl.h"

int
ctl_cmd_gpu(struct ctl_ctx *c, int argc, char **argv)
{
	if (!ctl_argc_ok(argc, 1, argv[0], ""))
		return CTL_EXIT_USAGE;
	return ctl_ask_print(c, "gpu", false);
}
