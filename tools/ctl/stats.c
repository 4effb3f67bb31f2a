/* SPDX-License-Identifier: MIT */
/*
 * stats.c — `xengt-ctl stats DOMID [KEY...]`: every counter of one vGPU
 * (struct vgpu_stats, the ioreq server's) and its failsafe reason; with
 * KEYs only those, as one table row (DOMID first) in the order given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define STATS_MAX_KEYS 24
#define STATS_VAL_MAX 128

/* The value of key in the reply (one key=value per line); NULL if absent. */
static const char *
stats_find(const struct ctl_reply *r, const char *key, char *buf, size_t len)
{
	for (size_t l = 0; l < r->nlines; l++)
		if (!ctl_kv_get(r->lines[l], key, buf, len))
			return buf;
	return NULL;
}

/* Replace the reply's lines by one "domid=N key=value ..." line. */
static int
stats_select(struct ctl_reply *r, uint32_t domid, int nkeys, char **keys)
{
	char line[CTL_LINE_MAX + 1], val[STATS_VAL_MAX], *dup;
	size_t used;

	used = (size_t)snprintf(line, sizeof(line), "domid=%u", domid);
	for (int k = 0; k < nkeys; k++) {
		if (!stats_find(r, keys[k], val, sizeof(val))) {
			fprintf(stderr, "xengt-ctl: stats: no counter '%s'\n", keys[k]);
			return CTL_EXIT_USAGE;
		}
		used += (size_t)snprintf(line + used, sizeof(line) - used, " %s=%s", keys[k],
					 val);
		if (used >= sizeof(line)) {
			fprintf(stderr, "xengt-ctl: stats: too many keys\n");
			return CTL_EXIT_USAGE;
		}
	}
	dup = strdup(line);
	if (!dup)
		return CTL_EXIT_ERROR;
	for (size_t l = 0; l < r->nlines; l++)
		free(r->lines[l]);
	r->lines[0] = dup;
	r->nlines = 1;
	return CTL_EXIT_OK;
}

int
ctl_cmd_stats(struct ctl_ctx *c, int argc, char **argv)
{
	struct ctl_reply r;
	char req[64];
	uint32_t domid;
	int rc;

	if (argc < 2 || argc > 2 + STATS_MAX_KEYS) {
		fprintf(stderr, "usage: xengt-ctl %s DOMID [KEY...]\n", argv[0]);
		return CTL_EXIT_USAGE;
	}
	if (ctl_domid_request(argv[1], "stats", req, sizeof(req), &domid))
		return CTL_EXIT_USAGE;
	rc = ctl_ask(c, req, &r);
	if (rc)
		return rc;
	if (argc > 2 && r.nlines)
		rc = stats_select(&r, domid, argc - 2, argv + 2);
	if (!rc)
		ctl_print_reply(c, &r, argc > 2);
	ctl_reply_free(&r);
	return rc;
}
