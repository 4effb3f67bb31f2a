/* SPDX-License-Identifier: MIT */
/*
 * daemon.c — start, watch and stop the xengt-dm-sim child of xengt-script.
 * The machine is named by $XENSIM_MACHINE, which the child inherits.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "sim/xensim.h"

#define DM_MAX_ARGS (4 + 4 * XENSIM_MAX_DOMAINS)

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
dm_tool_path(const char *tool, char *buf, size_t len)
{
	const char *dir = getenv("XENGT_BUILD");
	char self[PATH_MAX];
	ssize_t n;

	if (dir && *dir) {
		snprintf(buf, len, "%s/%s", dir, tool);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	snprintf(buf, len, "%s/%s", dirname(self), tool);
	return 0;
}

int
dm_start(struct dm_child *d, const uint32_t *domids, unsigned int n,
	 const char *spec, bool verbose)
{
	char path[PATH_MAX], domstr[XENSIM_MAX_DOMAINS][16];
	const char *argv[DM_MAX_ARGS];
	unsigned int a = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	if (n > XENSIM_MAX_DOMAINS)
		return -E2BIG;
	rc = dm_tool_path("xengt-dm-sim", path, sizeof(path));
	if (rc)
		return rc;
	if (access(path, X_OK)) {
		rc = -errno;
		fprintf(stderr, "xengt-script: %s: %s\n", path, strerror(errno));
		return rc;
	}
	snprintf(d->dir, sizeof(d->dir), "/tmp/xengt-script.XXXXXX");
	if (!mkdtemp(d->dir))
		return -errno;
	snprintf(d->sock, sizeof(d->sock), "%s/dm.sock", d->dir);
	snprintf(d->log, sizeof(d->log), "%s/dm.log", d->dir);
	argv[a++] = path;
	argv[a++] = "--socket";
	argv[a++] = d->sock;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(domstr[i], sizeof(domstr[i]), "%u", domids[i]);
		argv[a++] = "--domid";
		argv[a++] = domstr[i];
		argv[a++] = "--vgpu";
		argv[a++] = spec;
	}
	argv[a] = NULL;
	fflush(NULL);
	d->pid = fork();
	if (d->pid < 0) {
		rc = -errno;
		d->pid = 0;
		return rc;
	}
	if (d->pid == 0) {
		if (!verbose) {
			int fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			if (fd >= 0) {
				dup2(fd, STDOUT_FILENO);
				dup2(fd, STDERR_FILENO);
				close(fd);
			}
		} else {
			dup2(STDERR_FILENO, STDOUT_FILENO);
		}
		execv(path, (char *const *)argv);
		fprintf(stderr, "xengt-script: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return 0;
}

int
dm_wait_running(struct dm_child *d, const char *machine,
		const uint32_t *domids, unsigned int n, int timeout_ms)
{
	unsigned int ready = 0;

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		int status;

		if (d->pid && waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = 0;
			return -ECHILD;
		}
		while (ready < n) {
			char key[96], val[32];

			snprintf(key, sizeof(key),
				 "/local/domain/0/xengt-dm/%u/state", domids[ready]);
			if (xensim_xs_read(machine, key, val, sizeof(val)) ||
			    strcmp(val, "running"))
				break;
			ready++;
		}
		if (ready == n)
			return 0;
		sleep_ms(10);
	}
	return -ETIMEDOUT;
}

void
dm_stop(struct dm_child *d, bool keep)
{
	if (d->pid > 0) {
		int status;

		kill(d->pid, SIGTERM);
		for (int i = 0; i < 500; i++) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid)
				goto reaped;
			sleep_ms(10);
		}
		fprintf(stderr, "xengt-script: daemon ignored SIGTERM, killing it\n");
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &status, 0);
reaped:
		d->pid = 0;
	}
	if (!keep && d->dir[0]) {
		unlink(d->sock);
		unlink(d->log);
		rmdir(d->dir);
	}
}

void
dm_dump_log(const struct dm_child *d)
{
	char line[512], ring[20][512];
	unsigned int n = 0;
	FILE *f = fopen(d->log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		snprintf(ring[n++ % 20], sizeof(ring[0]), "%s", line);
	fclose(f);
	fprintf(stderr, "xengt-script: last lines of %s:\n", d->log);
	for (unsigned int i = n > 20 ? n - 20 : 0; i < n; i++)
		fprintf(stderr, "  %s", ring[i % 20]);
}
