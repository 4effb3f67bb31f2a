/* SPDX-License-Identifier: MIT */
/*
 * list.c — `xengt-ctl list`: every vGPU the daemon serves, one row each
 * (domid, vgpu id, type, state, guest SBDF).
 */
#include "ctl.h"

int
ctl_cmd_list(struct ctl_ctx *c, int argc, char **argv)
{
	struct ctl_reply r;
	int rc;

	if (!ctl_argc_ok(argc, 1, argv[0], ""))
		return CTL_EXIT_USAGE;
	rc = ctl_ask(c, "list", &r);
	if (rc)
		return rc;
	ctl_print_reply(c, &r, true);
	ctl_reply_free(&r);
	return CTL_EXIT_OK;
}
