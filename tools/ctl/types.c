/* SPDX-License-Identifier: MIT */
/*
 * types.c — `xengt-ctl types`: the vGPU types the daemon offers (name, GM sizes, fences, weight, resolution).
 */
#include "ctl.h"

int
ctl_cmd_types(struct ctl_ctx *c, int argc, char **argv)
{
	struct ctl_reply r;
	int rc;

	if (!ctl_argc_ok(argc, 1, argv[0], ""))
		return CTL_EXIT_USAGE;
	rc = ctl_ask(c, "types", &r);
	if (rc)
		return rc;
	ctl_print_reply(c, &r, true);
	ctl_reply_free(&r);
	return CTL_EXIT_OK;
}
