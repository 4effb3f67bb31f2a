/* SPDX-License-Identifier: MIT */
/*
 * scenario_util.c — a multi-domain xengt-dm-sim on a private machine for
 * scenario tests: spawn, wait for every domain's xengt-dm state "running",
 * control-socket requests, the guest's PCI config cycles, the daemon's
 * log, route-counted reads and trap storms.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario_util.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

void
scn_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int
scn_ctl(const struct scn *s, const char *req, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -ECONNREFUSED;
	}
	/*
	 * The daemon may close the connection after refusing an oversized
	 * request before it has read it all: a failed send is fine as long as
	 * its reply can be read.
	 */
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) >= 0)
		(void)send(fd, "\n", 1, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	while (got + 1 < len && (n = read(fd, out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fd);
	return 0;
}

uint64_t
scn_ctl_val(const char *reply, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "%s=", key);
	for (p = strstr(reply, pat); p; p = strstr(p + 1, pat))
		if (p == reply || p[-1] == '\n' || p[-1] == ' ')
			return strtoull(p + strlen(pat), NULL, 0);
	return ~0ull;
}

uint64_t
scn_stat(const struct scn *s, uint32_t domid, const char *key)
{
	char reply[8192], req[32];

	snprintf(req, sizeof(req), "stats %u", domid);
	if (scn_ctl(s, req, reply, sizeof(reply)))
		return ~0ull;
	return scn_ctl_val(reply, key);
}

const char *
scn_log_path(const struct scn *s, char *buf, size_t len)
{
	if (s->gen)
		snprintf(buf, len, "/tmp/xengt-test-%s.%u.log", s->machine, s->gen);
	else
		snprintf(buf, len, "/tmp/xengt-test-%s.log", s->machine);
	return buf;
}

char *
scn_log_lines(const struct scn *s, const char *pat)
{
	char path[160], *line = NULL, *out = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	FILE *f = fopen(scn_log_path(s, path, sizeof(path)), "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while ((n = getline(&line, &cap, f)) > 0) {
		if (!strstr(line, pat))
			continue;
		out = realloc(out, len + (size_t)n + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		memcpy(out + len, line, (size_t)n + 1);
		len += (size_t)n;
	}
	free(line);
	fclose(f);
	return out;
}

/* The daemon serving every domain of s, output to its log. */
static pid_t
scn_spawn(const struct scn *s, const char *const *specs, const struct scn_opts *o)
{
	char bin[256], log[160], dom[SCN_MAX_DOMS][16];
	const char *argv[4 + 4 * SCN_MAX_DOMS + SCN_MAX_EXTRA];
	unsigned int n = 0;
	pid_t pid;

	test_build_path("xengt-dm-sim", bin, sizeof(bin));
	scn_log_path(s, log, sizeof(log));
	argv[n++] = bin;
	argv[n++] = "--socket";
	argv[n++] = s->sock;
	for (unsigned int i = 0; i < s->ndom; i++) {
		snprintf(dom[i], sizeof(dom[i]), "%u", s->dom[i]);
		argv[n++] = "--domid";
		argv[n++] = dom[i];
		argv[n++] = "--vgpu";
		argv[n++] = specs[i];
	}
	for (unsigned int i = 0; o->extra && o->extra[i]; i++) {
		CU_ASSERT_TRUE_FATAL(i < SCN_MAX_EXTRA);
		argv[n++] = o->extra[i];
	}
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		setenv("XENSIM_MACHINE", s->machine, 1);
		if (o->loud)
			unsetenv("XENGT_QUIET");
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

/*
 * Our daemon's xenstore node says "running", and it is this daemon's
 * (pid): a killed predecessor leaves its node behind until the next one
 * cleans it up.
 */
static bool
scn_wait_running(const struct scn *s, uint32_t domid)
{
	char path[96], pidpath[96], val[32], pid[40];

	snprintf(path, sizeof(path), "/local/domain/0/xengt-dm/%u/state", domid);
	snprintf(pidpath, sizeof(pidpath), "/local/domain/0/xengt-dm/%u/pid", domid);
	for (int i = 0; i < 1000; i++) {
		if (xensim_xs_read(s->machine, path, val, sizeof(val)) == 0 &&
		    !strcmp(val, "running") &&
		    xensim_xs_read(s->machine, pidpath, pid, sizeof(pid)) == 0 &&
		    strtol(pid, NULL, 10) == (long)s->pid)	/* "PID STARTTIME" */
			return true;
		if (waitpid(s->pid, NULL, WNOHANG) == s->pid)
			return false;
		scn_sleep_ms(10);
	}
	return false;
}

bool
scn_start(struct scn *s, const char *const *specs, unsigned int n)
{
	static const struct scn_opts none;

	return scn_start_with(s, specs, n, &none);
}

bool
scn_start_with(struct scn *s, const char *const *specs, unsigned int n,
	       const struct scn_opts *o)
{
	char bin[256];

	memset(s, 0, sizeof(*s));
	if (access(test_build_path("xengt-dm-sim", bin, sizeof(bin)), X_OK)) {
		test_skip("build/xengt-dm-sim missing");
		return false;
	}
	CU_ASSERT_TRUE_FATAL(n >= 1 && n <= SCN_MAX_DOMS);
	test_machine_new(s->machine, sizeof(s->machine));
	snprintf(s->sock, sizeof(s->sock), "/tmp/xengt-test-%s.sock", s->machine);
	if (o->legacy_ioreq_pages)
		CU_ASSERT_EQUAL_FATAL(xensim_set_legacy_ioreq_pages(s->machine, true), 0);
	for (unsigned int i = 0; i < n; i++) {
		int rc = xensim_domain_create(s->machine, 64, o->vcpus ? o->vcpus : 1);

		CU_ASSERT_TRUE_FATAL(rc > 0);
		s->dom[i] = (uint32_t)rc;
	}
	s->ndom = n;
	for (unsigned int i = 0; o->videoram_kib > 0 && i < n; i++) {
		char path[64], val[24];

		snprintf(path, sizeof(path), "/local/domain/%u/memory/videoram", s->dom[i]);
		snprintf(val, sizeof(val), "%ld", o->videoram_kib);
		CU_ASSERT_EQUAL_FATAL(xensim_xs_write(s->machine, path, val), 0);
	}
	s->pid = scn_spawn(s, specs, o);
	CU_ASSERT_TRUE_FATAL(s->pid > 0);
	if (o->no_wait)
		return true;
	for (unsigned int i = 0; i < n; i++) {
		if (!scn_wait_running(s, s->dom[i])) {
			CU_FAIL("daemon did not reach state running");
			return false;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(xensim_domain_unpause(s->machine, s->dom[i]), 0);
		s->c[i] = sim_vcpu_attach(s->machine, s->dom[i], 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s->c[i]);
	}
	return true;
}

pid_t
scn_respawn(struct scn *s, const char *const *specs, const struct scn_opts *o)
{
	s->gen++;
	s->pid = scn_spawn(s, specs, o);
	if (s->pid <= 0 || o->no_wait)
		return s->pid;
	for (unsigned int i = 0; i < s->ndom; i++)
		if (!scn_wait_running(s, s->dom[i]))
			return -1;
	return s->pid;
}

bool
scn_wait_exit(pid_t pid, int ms, int *status)
{
	for (int t = 0; t <= ms; t += 10) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return true;
		scn_sleep_ms(10);
	}
	return false;
}

bool
scn_wait_for(const struct scn *s, bool (*cond)(const struct scn *s, void *arg), void *arg,
	     int ms)
{
	for (int t = 0; t <= ms; t += 10) {
		if (cond(s, arg))
			return true;
		scn_sleep_ms(10);
	}
	return false;
}

bool
scn_start_small(struct scn *s, const char *const *extra)
{
	static const char *const specs[] = { "type=xengt_small" };
	const struct scn_opts o = { .extra = extra, .vcpus = 2 };

	return scn_start_with(s, specs, 1, &o);
}

void
scn_stop(struct scn *s)
{
	char log[160];

	for (unsigned int i = 0; i < s->ndom; i++)
		if (s->c[i])
			sim_vcpu_detach(s->c[i]);
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	unlink(s->sock);
	for (; !getenv("XENGT_TEST_VERBOSE"); s->gen--) {
		unlink(scn_log_path(s, log, sizeof(log)));
		if (!s->gen)
			break;
	}
	test_machine_done(s->machine);
}

void
scn_trap_map(const struct scn *s, uint32_t domid, char *out, size_t len)
{
	char req[32];

	snprintf(req, sizeof(req), "trap-map %u", domid);
	CU_ASSERT_EQUAL(scn_ctl(s, req, out, len), 0);
}

bool
scn_has_row(const char *map, const char *mech, uint64_t start)
{
	char pat[96];

	snprintf(pat, sizeof(pat), "mech=%s start=%#llx ", mech, (unsigned long long)start);
	return strstr(map, pat) != NULL;
}

uint64_t
scn_read_routes(const struct scn *s, unsigned int i, bool pio, uint64_t addr,
		unsigned int size, uint64_t delta[])
{
	uint64_t b[ROUTE_NR], a[ROUTE_NR], v = 0;
	uint32_t p = 0;

	CU_ASSERT_EQUAL(xensim_route_counts(s->machine, s->dom[i], b), 0);
	if (pio) {
		CU_ASSERT_EQUAL(sim_pio_read(s->c[i], (uint16_t)addr, size, &p), 0);
		v = p;
	} else {
		CU_ASSERT_EQUAL(sim_mem_read(s->c[i], addr, size, &v), 0);
	}
	CU_ASSERT_EQUAL(xensim_route_counts(s->machine, s->dom[i], a), 0);
	for (int r = 0; r < ROUTE_NR; r++)
		delta[r] = a[r] - b[r];
	return v;
}

pid_t
scn_storm_start(const struct scn *s, unsigned int i, unsigned int vcpu)
{
	pid_t storm;

	fflush(NULL);
	storm = fork();
	if (storm == 0) {
		struct sim_vcpu *c = sim_vcpu_attach(s->machine, s->dom[i], vcpu);

		for (int k = 0; c && k < 1000000; k++)
			sim_rep(c, false, false, SCN_BAR0 + 0x78000, 0x10000, 4, 1024, false);
		_exit(0);
	}
	return storm;
}

void
scn_storm_stop(pid_t storm)
{
	if (storm <= 0)
		return;
	kill(storm, SIGKILL);
	waitpid(storm, NULL, 0);
}

uint32_t
scn_cfg_read(struct sim_vcpu *c, unsigned int reg, unsigned int size)
{
	uint32_t v = 0;

	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcf8, 4, 0x80000000u | SCN_DEV << 11 | (reg & 0xfc)), 0);
	CU_ASSERT_EQUAL(sim_pio_read(c, (uint16_t)(0xcfc + (reg & 3)), size, &v), 0);
	return v;
}

void
scn_cfg_write(struct sim_vcpu *c, unsigned int reg, unsigned int size, uint32_t v)
{
	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcf8, 4, 0x80000000u | SCN_DEV << 11 | (reg & 0xfc)), 0);
	CU_ASSERT_EQUAL(sim_pio_write(c, (uint16_t)(0xcfc + (reg & 3)), size, v), 0);
}

void
scn_place_bars(struct sim_vcpu *c)
{
	scn_cfg_write(c, 0x10, 4, 0xffffffff);
	CU_ASSERT_EQUAL(scn_cfg_read(c, 0x10, 4) & 0xfffffff0u, 0xff000000u); /* 16 MiB */
	scn_cfg_write(c, 0x10, 4, (uint32_t)SCN_BAR0);
	scn_cfg_write(c, 0x14, 4, 0);
	scn_cfg_write(c, 0x18, 4, (uint32_t)SCN_BAR2);
	scn_cfg_write(c, 0x1c, 4, 0);
	scn_cfg_write(c, 0x20, 4, SCN_BAR4);
	scn_cfg_write(c, 0x04, 2, 0x0007);
}
