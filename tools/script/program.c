/* SPDX-License-Identifier: MIT */
/*
 * program.c — xengt-script --program (program.h): find the guest program,
 * hand it the guest's identity in its environment, and report how it
 * ended in each guest.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "program.h"

#define PROGRAM_MAX_ARGS 64

/* prog as given (a path) or next to this program (a name). */
static int
program_path(const char *prog, char *buf, size_t len)
{
	if (strchr(prog, '/')) {
		snprintf(buf, len, "%s", prog);
		return 0;
	}
	return dm_tool_path(prog, buf, len);
}

int
program_check(const char *prog)
{
	char path[PATH_MAX];

	if (program_path(prog, path, sizeof(path)) || access(path, X_OK)) {
		fprintf(stderr, "xengt-script: --program %s: %s not found or not executable\n",
			prog, path);
		return -ENOENT;
	}
	return 0;
}

static void
setenv_u(const char *name, unsigned int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", v);
	setenv(name, buf, 1);
}

void
program_exec(const char *prog, char *const *args, const char *machine, uint32_t domid,
	     const struct spec_sbdf *sbdf, unsigned int index, unsigned int count,
	     const char *prefix)
{
	char path[PATH_MAX], sbdf_s[32], *argv[PROGRAM_MAX_ARGS + 2];
	unsigned int a = 0;

	if (program_path(prog, path, sizeof(path))) {
		printf("%sxengt-script: %s: no path\n", prefix, prog);
		return;
	}
	argv[a++] = basename(path);
	while (args && *args && a <= PROGRAM_MAX_ARGS)
		argv[a++] = *args++;
	argv[a] = NULL;
	snprintf(sbdf_s, sizeof(sbdf_s), "%04x:%02x:%02x.%x", sbdf->seg, sbdf->bus, sbdf->dev,
		 sbdf->fn);
	setenv("XENSIM_MACHINE", machine, 1);
	setenv_u("XENGT_GUEST_DOMID", domid);
	setenv("XENGT_GUEST_SBDF", sbdf_s, 1);
	setenv_u("XENGT_GUEST_INDEX", index);
	setenv_u("XENGT_GUEST_COUNT", count);
	setenv("XENGT_GUEST_PREFIX", prefix, 1);
	fflush(NULL);
	execv(path, argv);
	printf("%sxengt-script: exec %s: %s\n", prefix, path, strerror(errno));
}

int
program_report(const char *prog, const uint32_t *domids, const int *status, unsigned int n,
	       bool multi)
{
	unsigned int passed = 0, skipped = 0;
	char name[PATH_MAX];

	snprintf(name, sizeof(name), "%s", prog);
	for (unsigned int i = 0; i < n; i++) {
		char pre[16] = "";

		if (multi)
			snprintf(pre, sizeof(pre), "[d%u] ", domids[i]);
		if (status[i] == 0) {
			passed++;
			printf("%s%s: passed\n", pre, basename(name));
		} else if (status[i] == PROGRAM_SKIPPED) {
			skipped++;
			printf("%s%s: skipped\n", pre, basename(name));
		} else {
			printf("%s%s: failed (exit status %d)\n", pre, basename(name), status[i]);
		}
	}
	if (passed + skipped < n)
		return 1;
	return skipped ? PROGRAM_SKIPPED : 0;
}
