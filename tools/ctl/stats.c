/* SPDX-License-Identifier: MIT */
/*
 * stats.c — `xengt-ctl stats DOMID`: every counter of one vGPU (struct vgpu_stats) and its failsafe reason.
 */
#include <stdio.h>

#include "ctl.h"

int
ctl_cmd_stats(struct ctl_ctx *c, int argc, char **argv)
{
	struct ctl_reply r;
	char req[64];
	uint32_t domid;
	int rc;

	if (!ctl_argc_ok(argc, 2, argv[0], "DOMID"))
		return CTL_EXIT_USAGE;
	if (ctl_parse_domid(argv[1], &domid))
		return CTL_EXIT_USAGE;
	snprintf(req, sizeof(req), "stats %u", domid);
	rc = ctl_ask(c, req, &r);
	if (rc)
		return rc;
	ctl_print_reply(c, &r, false);
	ctl_reply_free(&r);
	return CTL_EXIT_OK;
}
