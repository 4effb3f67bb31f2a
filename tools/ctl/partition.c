/* SPDX-License-Identifier: MIT */
/*
 * partition.c — `xengt-ctl partition [DOMID]`: one vGPU's share of the
 * GPU (low/high GM base and size, fences); without DOMID a table of every
 * vGPU's share, one row each (DOMID first).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* Every vGPU of `list`, its partition line prefixed with its domid. */
static int
partition_all(struct ctl_ctx *c)
{
	struct ctl_reply list, p, rows = { 0 };
	int rc;

	rc = ctl_ask(c, "list", &list);
	if (rc)
		return rc;
	rows.lines = calloc(list.nlines ? list.nlines : 1, sizeof(*rows.lines));
	if (!rows.lines) {
		ctl_reply_free(&list);
		return CTL_EXIT_ERROR;
	}
	for (size_t l = 0; l < list.nlines && !rc; l++) {
		uint64_t domid;
		char req[64], line[CTL_LINE_MAX + 1];

		if (ctl_kv_u64(list.lines[l], "domid", &domid))
			continue;
		snprintf(req, sizeof(req), "partition %u", (unsigned int)domid);
		rc = ctl_ask(c, req, &p);
		if (rc)
			break;	/* detached meanwhile, or the daemon went away */
		if (p.nlines) {
			snprintf(line, sizeof(line), "domid=%u %s", (unsigned int)domid,
				 p.lines[0]);
			rows.lines[rows.nlines] = strdup(line);
			if (rows.lines[rows.nlines])
				rows.nlines++;
		}
		ctl_reply_free(&p);
	}
	if (!rc)
		ctl_print_reply(c, &rows, true);
	ctl_reply_free(&rows);
	ctl_reply_free(&list);
	return rc;
}

int
ctl_cmd_partition(struct ctl_ctx *c, int argc, char **argv)
{
	char req[64];
	uint32_t domid;

	if (argc != 1 && argc != 2) {
		fprintf(stderr, "usage: xengt-ctl %s [DOMID]\n", argv[0]);
		return CTL_EXIT_USAGE;
	}
	if (argc == 1)
		return partition_all(c);
	if (ctl_domid_request(argv[1], "partition", req, sizeof(req), &domid))
		return CTL_EXIT_USAGE;
	return ctl_ask_print(c, req, false);
}
