/* SPDX-License-Identifier: MIT */
/*
 * bench.c — `make bench`: runs every bench group, prints a readable table
 * and writes build/bench.json ({"name": {"value", "unit", "baseline",
 * "ratio"}}). Figures are measured, never asserted: targets live here,
 * not in tests. Arguments name groups to run alone (default: all).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_FIGURES 64

static struct figure {
	char name[40];
	double value;
	char unit[24];
	char baseline[40];
} figures[MAX_FIGURES];
static unsigned int nfigures;

void
bench_figure(const char *name, double value, const char *unit, const char *baseline)
{
	struct figure *f;

	if (nfigures == MAX_FIGURES)
		return;
	f = &figures[nfigures++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->value = value;
	snprintf(f->unit, sizeof(f->unit), "%s", unit);
	snprintf(f->baseline, sizeof(f->baseline), "%s", baseline ? baseline : "");
}

static const struct figure *
figure_find(const char *name)
{
	for (unsigned int i = 0; i < nfigures; i++)
		if (strcmp(figures[i].name, name) == 0)
			return &figures[i];
	return NULL;
}

static double
figure_ratio(const struct figure *f, int *ok)
{
	const struct figure *b = f->baseline[0] ? figure_find(f->baseline) : NULL;

	*ok = b && b->value > 0;
	return *ok ? f->value / b->value : 0;
}

static void
print_table(void)
{
	printf("\n%-22s %14s %-16s %-22s %8s\n", "figure", "value", "unit", "baseline", "ratio");
	for (unsigned int i = 0; i < nfigures; i++) {
		const struct figure *f = &figures[i];
		int ok;
		double r = figure_ratio(f, &ok);

		printf("%-22s %14.1f %-16s %-22s ", f->name, f->value, f->unit,
		       f->baseline[0] ? f->baseline : "-");
		if (ok)
			printf("%8.2f\n", r);
		else
			printf("%8s\n", "-");
	}
}

static int
write_json(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (!fp)
		return -errno;
	fprintf(fp, "{\n");
	for (unsigned int i = 0; i < nfigures; i++) {
		const struct figure *f = &figures[i];
		int ok;
		double r = figure_ratio(f, &ok);

		fprintf(fp, "  \"%s\": {\"value\": %.3f, \"unit\": \"%s\", \"baseline\": ",
			f->name, f->value, f->unit);
		if (f->baseline[0])
			fprintf(fp, "\"%s\"", f->baseline);
		else
			fprintf(fp, "null");
		if (ok)
			fprintf(fp, ", \"ratio\": %.4f}", r);
		else
			fprintf(fp, ", \"ratio\": null}");
		fprintf(fp, "%s\n", i + 1 < nfigures ? "," : "");
	}
	fprintf(fp, "}\n");
	return fclose(fp) ? -errno : 0;
}

int
main(int argc, char **argv)
{
	const char *json = "build/bench.json";
	static const struct {
		const char *name;
		int (*run)(void);
	} groups[] = {
		{ "mediator", bench_mediator },
		/* Before any group that attaches a vCPU here (bench_mapcache.c). */
		{ "mapcache", bench_mapcache },
		{ "trap", bench_trap },
		{ "scale", bench_scale },
		{ "scan", bench_cmd_scan },
		{ "sched", bench_sched },
		{ "softgpu", bench_softgpu },
		{ "e2e", bench_e2e },
		{ "linux_guest", bench_linux_guest },
	};
	int rc;

	const char *only[8];
	int nonly = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
			json = argv[++i];
		else if (argv[i][0] != '-' && nonly < 8)
			only[nonly++] = argv[i];
		else {
			fprintf(stderr, "usage: xengt-bench [--json FILE] [GROUP...]\n");
			return 2;
		}
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		bool wanted = !nonly;

		for (int k = 0; k < nonly; k++)
			wanted |= strcmp(only[k], groups[i].name) == 0;
		if (!wanted)
			continue;
		printf("bench: %s ...\n", groups[i].name);
		fflush(stdout);
		rc = groups[i].run();
		if (rc < 0)
			printf("bench: %s could not run: %s\n", groups[i].name, strerror(-rc));
	}
	print_table();
	rc = write_json(json);
	if (rc < 0) {
		fprintf(stderr, "bench: cannot write %s: %s\n", json, strerror(-rc));
		return 1;
	}
	printf("\nwrote %s\n", json);
	return 0;
}
