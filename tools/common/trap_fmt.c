/* SPDX-License-Identifier: MIT */
/*
 * trap_fmt.c — parsing and printing of trap-map rows. The daemon owns the
 * data; this file only formats it and, on a sim machine, adds the
 * simulator's count of accesses that went straight to memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl_client.h"
#include "sim/xensim.h"
#include "trap_fmt.h"

static const struct {
	const char *mech;
	const char *label;
} mech_labels[] = {
	{ "pci-sbdf", "PCI SBDF" },
	{ "ioreq-mmio", "ioreq MMIO range" },
	{ "ioreq-port", "ioreq port range" },
	{ "p2m-wp", "p2m write-protect" },
	{ "direct", "direct map" },
	{ "resync", "resync per submit" },
};

const char *
trap_mech_label(const char *mech)
{
	for (size_t i = 0; i < sizeof(mech_labels) / sizeof(mech_labels[0]); i++)
		if (!strcmp(mech_labels[i].mech, mech))
			return mech_labels[i].label;
	return mech;
}

int
trap_row_parse(const char *line, struct trap_row *row)
{
	memset(row, 0, sizeof(*row));
	if (ctl_kv_get(line, "mech", row->mech, sizeof(row->mech)) ||
	    ctl_kv_u64(line, "start", &row->start) ||
	    ctl_kv_u64(line, "end", &row->end))
		return -EINVAL;
	if (ctl_kv_get(line, "what", row->what, sizeof(row->what)))
		snprintf(row->what, sizeof(row->what), "-");
	if (ctl_kv_u64(line, "traps", &row->traps))
		row->traps = 0;
	return 0;
}

void
trap_rows_add_sim(struct trap_row *rows, size_t n, const char *machine,
		  uint32_t domid)
{
	if (!machine)
		return;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].mech, "direct"))
			continue;
		if (xensim_direct_count(machine, domid, rows[i].start, rows[i].end,
					&rows[i].sim_reads, &rows[i].sim_writes) == 0)
			rows[i].have_sim = true;
	}
}

/* "0xe0000000-0xe0ffffff", or "00:02.0 reg 0x000-0xfff" for a PCI claim. */
static void
fmt_range(const struct trap_row *r, char *buf, size_t len)
{
	if (!strcmp(r->mech, "pci-sbdf")) {
		uint32_t sbdf = (uint32_t)(r->start >> 32);

		snprintf(buf, len, "%04x:%02x:%02x.%x reg 0x%03x-0x%03x",
			 sbdf >> 16, (sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f,
			 sbdf & 7, (unsigned int)(r->start & 0xfff),
			 (unsigned int)(r->end & 0xfff));
	} else if (!strcmp(r->mech, "ioreq-port")) {
		snprintf(buf, len, "port 0x%04" PRIx64 "-0x%04" PRIx64, r->start, r->end);
	} else {
		snprintf(buf, len, "0x%08" PRIx64 "-0x%08" PRIx64, r->start, r->end);
	}
}

void
trap_map_print(FILE *f, const char *prefix, uint32_t domid,
	       const struct trap_row *rows, size_t n)
{
	bool sim = false;

	for (size_t i = 0; i < n; i++)
		sim |= rows[i].have_sim;
	fprintf(f, "%strap map of domain %u\n", prefix, domid);
	fprintf(f, "%s%-30s %-18s %-20s %8s", prefix, "RANGE", "MECHANISM", "WHAT",
		"TRAPS");
	if (sim)
		fprintf(f, "  %-19s", "SIM DIRECT ACCESSES");
	fprintf(f, "\n");
	for (size_t i = 0; i < n; i++) {
		const struct trap_row *r = &rows[i];
		bool direct = !strcmp(r->mech, "direct");
		char range[64], traps[24], simcol[64] = "";

		fmt_range(r, range, sizeof(range));
		if (direct)
			snprintf(traps, sizeof(traps), "-");
		else
			snprintf(traps, sizeof(traps), "%" PRIu64, r->traps);
		if (r->have_sim)
			snprintf(simcol, sizeof(simcol), "%" PRIu64 " (%" PRIu64
				 "r %" PRIu64 "w)", r->sim_reads + r->sim_writes,
				 r->sim_reads, r->sim_writes);
		fprintf(f, "%s%-30s %-18s %-20s %8s", prefix, range,
			trap_mech_label(r->mech), r->what, traps);
		/* Only direct rows carry the sim column and the note. */
		if (sim && direct)
			fprintf(f, "  %-19s", simcol);
		fprintf(f, "%s\n", direct ? "  never seen by the device model" : "");
	}
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void
trap_map_print_json(FILE *f, uint32_t domid, const struct trap_row *rows, size_t n)
{
	fprintf(f, "[");
	for (size_t i = 0; i < n; i++) {
		const struct trap_row *r = &rows[i];

		fprintf(f, "%s\n  {\"domid\": %u, \"mech\": ", i ? "," : "", domid);
		json_str(f, r->mech);
		fprintf(f, ", \"start\": %" PRIu64 ", \"end\": %" PRIu64 ", \"what\": ",
			r->start, r->end);
		json_str(f, r->what);
		fprintf(f, ", \"traps\": %" PRIu64, r->traps);
		if (r->have_sim)
			fprintf(f, ", \"sim_direct_reads\": %" PRIu64
				", \"sim_direct_writes\": %" PRIu64,
				r->sim_reads, r->sim_writes);
		fprintf(f, "}");
	}
	fprintf(f, "\n]\n");
}
