/* SPDX-License-Identifier: MIT */
/*
 * bench_linux_guest.c — the real clients' figures: one stock Debian 6.1
 * guest boots under the patched QEMU with its i915 on a vGPU of
 * xengt-dm-qemu (tools/linux-guest/run.py), runs igt's gem_exec_nop and
 * gem_blt benchmarks, and the harness writes what they printed with the
 * traps per submission the daemon counted meanwhile (figures.py):
 * `i915_exec_nop` (submissions/s), `i915_blt` (MiB/s) and their `_traps`.
 * TCG and a proxy round trip per access: these are this path's figures,
 * not the Xen path's. Skipped, saying why, where QEMU or the kernel is
 * missing (the runner exits 77).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define LG_SKIP 77
#define LG_IGT "gem_exec_nop -e 1 -r 3;gem_blt -r 3"

/* Run the harness; its exit status, or -errno. */
static int
run_harness(const char *build, const char *out, const char *log)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		FILE *f = freopen(log, "w", stdout);

		if (!f || dup2(fileno(stdout), 2) < 0)
			_exit(127);
		setenv("LINUX_GUEST_IGT", getenv("LINUX_GUEST_IGT") ? getenv("LINUX_GUEST_IGT") : LG_IGT,
		       1);
		execlp("python3", "python3", "tools/linux-guest/run.py", "--out", out, "--build", build,
		       (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -EINTR;
}

/* The runner's last line (its verdict or its reason to skip). */
static void
last_line(const char *log, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen(log, "r");

	snprintf(buf, len, "(no output)");
	while (f && fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(buf, len, "%.*s", (int)strcspn(line, "\n"), line);
	if (f)
		fclose(f);
}

int
bench_linux_guest(void)
{
	const char *b = getenv("XENGT_BUILD");
	char build[512], out[600], log[640], figs[700], line[160], why[512];
	unsigned int n = 0;
	FILE *f;
	int rc;

	snprintf(build, sizeof(build), "%s", b && *b ? b : "build");
	snprintf(out, sizeof(out), "%s/bench-linux-guest", build);
	snprintf(log, sizeof(log), "%s.log", out);
	rc = run_harness(build, out, log);
	last_line(log, why, sizeof(why));
	if (rc != 0) {
		fprintf(stderr, "bench: linux_guest: %s (%s)\n",
			rc == LG_SKIP ? "skipped" : "the harness failed", why);
		return rc == LG_SKIP ? -ENODEV : -EIO;
	}
	snprintf(figs, sizeof(figs), "%s/guest-0/figures.txt", out);
	f = fopen(figs, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char name[40], unit[24];
		double v;

		if (sscanf(line, "%39s %lf %23s", name, &v, unit) == 3) {
			bench_figure(name, v, unit, NULL);
			n++;
		}
	}
	if (f)
		fclose(f);
	if (!n) {
		fprintf(stderr, "bench: linux_guest: no figures (%s; see %s)\n", why, log);
		return -EIO;
	}
	return 0;
}
