/* SPDX-License-Identifier: MIT */
/*
 * attach.c — `xengt-ctl attach DOMID [SPEC]`: give a running domain a vGPU
 * (spec as in docs/vgpu-spec.md, the defaults without; the daemon checks it).
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

int
ctl_cmd_attach(struct ctl_ctx *c, int argc, char **argv)
{
	char req[CTL_LINE_MAX];
	const char *spec;
	uint32_t domid;

	if (argc != 2 && !ctl_argc_ok(argc, 3, argv[0], "DOMID [SPEC]"))
		return CTL_EXIT_USAGE;
	if (ctl_parse_domid(argv[1], &domid))
		return CTL_EXIT_USAGE;
	spec = argc > 2 ? argv[2] : "";
	/* The protocol splits on spaces: a spec never contains one. */
	if (strpbrk(spec, " \t\n") || strlen(spec) > CTL_LINE_MAX - 32) {
		fprintf(stderr, "xengt-ctl: bad spec '%s'\n", spec);
		return CTL_EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "attach %u%s%s", domid, *spec ? " " : "", spec);
	return ctl_ask_print(c, req, false);
}
