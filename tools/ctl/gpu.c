/* SPDX-License-Identifier: MIT */
/*
 * gpu.c — `xengt-ctl gpu`: the physical GPU's GM, aperture and fences, and how much is free.
 */
#include "ctl.h"

int
ctl_cmd_gpu(struct ctl_ctx *c, int argc, char **argv)
{
	struct ctl_reply r;
	int rc;

	if (!ctl_argc_ok(argc, 1, argv[0], ""))
		return CTL_EXIT_USAGE;
	rc = ctl_ask(c, "gpu", &r);
	if (rc)
		return rc;
	ctl_print_reply(c, &r, false);
	ctl_reply_free(&r);
	return CTL_EXIT_OK;
}
