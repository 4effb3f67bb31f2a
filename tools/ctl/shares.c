/* SPDX-License-Identifier: MIT */
/*
 * shares.c — `xengt-ctl shares`: every vGPU's GPU work and its share of
 * the GPU's time, from the counters `stats` has: workloads completed and
 * GPU time used. Execution's parts add those counters; a counter this
 * daemon does not report yet shows "-", and a note says which is missing
 * (the names each may carry are in the tables below).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

/* The first of these `stats` keys found is the counter (names execution's parts may use). */
static const char *const busy_keys[] = { "busy_ns", "gpu_busy_ns", "exec_busy_ns", NULL };
static const char *const done_keys[] = { "exec_completed", "workloads_completed",
					 "wl_completed", "completed", NULL };

/* The value of the first key of keys in the stats reply; false if none is there. */
static bool
stats_pick(const struct ctl_reply *r, const char *const *keys, uint64_t *val)
{
	for (const char *const *k = keys; *k; k++)
		for (size_t l = 0; l < r->nlines; l++)
			if (!ctl_kv_u64(r->lines[l], *k, val))
				return true;
	return false;
}

struct share_row {
	uint64_t domid, vgpu, busy, done;
	char type[64];
	bool has_busy, has_done;
};

int
ctl_cmd_shares(struct ctl_ctx *c, int argc, char **argv)
{
	struct ctl_reply list, out = { 0 };
	struct share_row *rows;
	uint64_t total = 0;
	bool any_busy = false, any_done = false;
	size_t n = 0;
	int rc;

	if (!ctl_argc_ok(argc, 1, argv[0], ""))
		return CTL_EXIT_USAGE;
	rc = ctl_ask(c, "list", &list);
	if (rc)
		return rc;
	rows = calloc(list.nlines ? list.nlines : 1, sizeof(*rows));
	out.lines = calloc(list.nlines ? list.nlines : 1, sizeof(*out.lines));
	if (!rows || !out.lines) {
		rc = CTL_EXIT_ERROR;
		goto done;
	}
	for (size_t l = 0; l < list.nlines; l++) {
		struct share_row *s = &rows[n];
		struct ctl_reply st;
		char req[64];

		if (ctl_kv_u64(list.lines[l], "domid", &s->domid) ||
		    ctl_kv_u64(list.lines[l], "vgpu", &s->vgpu) ||
		    ctl_kv_get(list.lines[l], "type", s->type, sizeof(s->type)))
			continue;
		snprintf(req, sizeof(req), "stats %" PRIu64, s->domid);
		if (ctl_call(c->sock, req, &st) || !st.ok) {
			ctl_reply_free(&st);
			continue;	/* detached meanwhile */
		}
		s->has_busy = stats_pick(&st, busy_keys, &s->busy);
		s->has_done = stats_pick(&st, done_keys, &s->done);
		ctl_reply_free(&st);
		any_busy |= s->has_busy;
		any_done |= s->has_done;
		total += s->has_busy ? s->busy : 0;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		char line[256], busy[32] = "-", share[32] = "-", done[32] = "-";

		if (rows[i].has_busy) {
			snprintf(busy, sizeof(busy), "%.1f", rows[i].busy / 1e6);
			if (total)
				snprintf(share, sizeof(share), "%.1f%%",
					 100.0 * (double)rows[i].busy / (double)total);
		}
		if (rows[i].has_done)
			snprintf(done, sizeof(done), "%" PRIu64, rows[i].done);
		snprintf(line, sizeof(line), "domid=%" PRIu64 " vgpu=%" PRIu64
			 " type=%s workloads=%s gpu_ms=%s gpu_share=%s", rows[i].domid,
			 rows[i].vgpu, rows[i].type, done, busy, share);
		out.lines[out.nlines] = strdup(line);
		if (out.lines[out.nlines])
			out.nlines++;
	}
	ctl_print_reply(c, &out, true);
	if (!c->json && n && (!any_busy || !any_done)) {
		printf("note: this daemon's stats have no %s%s%s yet (shown as -): execution's "
		       "counters go here\n", any_done ? "" : "completed-workload counter",
		       !any_done && !any_busy ? " and no " : "",
		       any_busy ? "" : "GPU time per vGPU (busy_ns, the scheduler's)");
	}
done:
	free(rows);
	ctl_reply_free(&out);
	ctl_reply_free(&list);
	return rc;
}
