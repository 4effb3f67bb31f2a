/* SPDX-License-Identifier: MIT */
/*
 * trap_map.c — `xengt-ctl trap-map DOMID`: who decides each of the
 * guest's vGPU ranges (ioreq range, PCI SBDF, p2m type, direct map) and
 * how many traps it took. On a sim machine ($XENSIM_MACHINE set) direct
 * ranges also show the simulator's count of accesses that never trapped.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"
#include "tools/common/trap_fmt.h"

#define TRAP_ROWS_MAX 256

int
ctl_cmd_trap_map(struct ctl_ctx *c, int argc, char **argv)
{
	struct trap_row rows[TRAP_ROWS_MAX];
	const char *machine = getenv("XENSIM_MACHINE");
	struct ctl_reply r;
	size_t n = 0;
	char req[64];
	uint32_t domid;
	int rc;

	if (!ctl_argc_ok(argc, 2, argv[0], "DOMID"))
		return CTL_EXIT_USAGE;
	if (ctl_domid_request(argv[1], "trap-map", req, sizeof(req), &domid))
		return CTL_EXIT_USAGE;
	rc = ctl_ask(c, req, &r);
	if (rc)
		return rc;
	for (size_t i = 0; i < r.nlines && n < TRAP_ROWS_MAX; i++) {
		if (trap_row_parse(r.lines[i], &rows[n]) == 0)
			n++;
		else
			fprintf(stderr, "xengt-ctl: ignoring malformed row '%s'\n",
				r.lines[i]);
	}
	ctl_reply_free(&r);
	trap_rows_add_sim(rows, n, machine && *machine ? machine : NULL, domid);
	if (c->json)
		trap_map_print_json(stdout, domid, rows, n);
	else
		trap_map_print(stdout, "", domid, rows, n);
	return CTL_EXIT_OK;
}
