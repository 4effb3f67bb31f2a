/* SPDX-License-Identifier: MIT */
/*
 * detach.c — `xengt-ctl detach DOMID`: destroy a domain's vGPU (its GM and fences return to the pool).
 */
#include "ctl.h"

int
ctl_cmd_detach(struct ctl_ctx *c, int argc, char **argv)
{
	char req[64];
	uint32_t domid;

	if (!ctl_argc_ok(argc, 2, argv[0], "DOMID"))
		return CTL_EXIT_USAGE;
	if (ctl_domid_request(argv[1], "detach", req, sizeof(req), &domid))
		return CTL_EXIT_USAGE;
	return ctl_ask_print(c, req, false);
}
