/* SPDX-License-Identifier: MIT */
/*
 * test_daemon_transport.c — how guest requests reach the daemon. A
 * daemon in its own network namespace (as a deprivileged one runs) still
 * gets and answers them. Poll mode (--poll-us): a burst of guest accesses
 * is served from the ioreq page without a wake-up per request; every
 * request is answered, also across windows that close between accesses
 * and from two vCPUs at once; once the guest is quiet the vGPU thread
 * sleeps again (an idle vGPU costs nothing); --poll-us 0 takes a wake-up
 * per request.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario_util.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

#define MAGIC_REG (SCN_BAR0 + 0x78000)	/* PV info magic: "vGTvGTvG" */
#define MAGIC 0x4776544776544776ull
#define BURST 2000

/* n reads of the PV info magic on c; how many came back right. */
static unsigned int
magic_reads(struct sim_vcpu *c, unsigned int n)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t v = 0;

		ok += sim_mem_read(c, MAGIC_REG, 8, &v) == 0 && v == MAGIC;
	}
	return ok;
}

/* CPU ticks (user + system) and context switches of pid so far, from /proc. */
static void
proc_usage(pid_t pid, unsigned long long *ticks, unsigned long long *switches)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0, n;
	FILE *f;
	size_t len;

	*ticks = *switches = ~0ull;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
			 &st) != 2)
		return;
	*ticks = ut + st;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	*switches = 0;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "voluntary_ctxt_switches: %llu", &n) == 1 ||
		    sscanf(buf, "nonvoluntary_ctxt_switches: %llu", &n) == 1)
			*switches += n;
	fclose(f);
}

/* Context switches of every thread of pid (the vGPU threads included), ~0 on failure. */
static unsigned long long
all_switches(pid_t pid)
{
	unsigned long long sum = 0, ticks, sw;
	struct dirent *de;
	char path[64];
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return ~0ull;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			proc_usage((pid_t)atoi(de->d_name), &ticks, &sw);
			if (sw != ~0ull)
				sum += sw;
		}
	closedir(d);
	return sum;
}

/* The daemon for domid, started in a new network namespace; exits 77 if it cannot be made. */
static pid_t
spawn_in_netns(const char *machine, const char *sock, uint32_t domid)
{
	char bin[256], dom[16];
	pid_t pid;

	test_build_path("xengt-dm-sim", bin, sizeof(bin));
	snprintf(dom, sizeof(dom), "%u", domid);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		if (fd >= 0)
			dup2(fd, 1);
		setenv("XENSIM_MACHINE", machine, 1);
		execl(bin, bin, "--socket", sock, "--domid", dom, "--vgpu", "type=xengt_small",
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * A device model that unshares its network namespace (as a deprivileged
 * one does) still receives the vCPU's notifications and wakes the vCPU
 * with its answers: the sim's event channels do not depend on it, as
 * Linux's evtchn device does not.
 */
static void
test_daemon_in_own_netns(void)
{
	char machine[64], sock[128], path[96], val[32];
	struct sim_vcpu *c = NULL;
	bool running = false;
	int domid, status = -1;
	pid_t dm;

	test_machine_new(machine, sizeof(machine));
	snprintf(sock, sizeof(sock), "/tmp/xengt-test-%s.sock", machine);
	domid = xensim_domain_create(machine, 64, 1);
	CU_ASSERT_FATAL(domid > 0);
	dm = spawn_in_netns(machine, sock, (uint32_t)domid);
	CU_ASSERT_FATAL(dm > 0);
	snprintf(path, sizeof(path), "/local/domain/0/xengt-dm/%d/state", domid);
	for (int i = 0; i < 1000 && !running; i++) {
		running = xensim_xs_read(machine, path, val, sizeof(val)) == 0 &&
			  !strcmp(val, "running");
		if (!running && waitpid(dm, &status, WNOHANG) == dm) {
			dm = -1;
			break;
		}
		if (!running)
			scn_sleep_ms(10);
	}
	if (dm < 0 && WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		test_skip("unshare(CLONE_NEWNET) not permitted (needs root or CAP_SYS_ADMIN)");
		goto out;
	}
	CU_ASSERT_TRUE_FATAL(running);
	CU_ASSERT_EQUAL(xensim_domain_unpause(machine, (uint32_t)domid), 0);
	c = sim_vcpu_attach(machine, (uint32_t)domid, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	sim_vcpu_set_harness_deadline(c, 10000);
	/* Config cycles, BAR placement, then a register: every one a round trip. */
	scn_place_bars(c);
	CU_ASSERT_EQUAL(magic_reads(c, 100), 100);
out:
	if (c)
		sim_vcpu_detach(c);
	if (dm > 0) {
		kill(dm, SIGKILL);
		waitpid(dm, NULL, 0);
	}
	unlink(sock);
	test_machine_done(machine);
}

/*
 * A burst with polling: every answer right, and far fewer wake-ups than
 * requests (most were found on the page while the thread polled). Then
 * quiet: the thread sleeps, spending neither CPU nor wake-ups.
 */
static void
test_poll_burst_then_idle(void)
{
	static const char *const extra[] = { "--poll-us", "5000", NULL };
	unsigned long long t0, t1, sw0, sw1, unused;
	uint64_t wake0, wake1;
	struct scn s;

	if (!scn_start_small(&s, extra))
		goto out;
	scn_place_bars(s.c[0]);
	wake0 = scn_stat(&s, s.dom[0], "ioreq_wakeups");
	CU_ASSERT_EQUAL(magic_reads(s.c[0], BURST), BURST);
	wake1 = scn_stat(&s, s.dom[0], "ioreq_wakeups");
	CU_ASSERT_NOT_EQUAL_FATAL(wake0, ~0ull);
	CU_ASSERT_NOT_EQUAL_FATAL(wake1, ~0ull);
	if (getenv("XENGT_TEST_VERBOSE") || wake1 - wake0 >= BURST / 2)
		printf("\n    %llu wake-ups for %u requests ", (unsigned long long)(wake1 - wake0),
		       BURST);
	CU_ASSERT_TRUE(wake1 - wake0 < BURST / 2);
	/* Quiet guest: after the last window (5 ms at most) nothing runs. */
	scn_sleep_ms(100);
	proc_usage(s.pid, &t0, &unused);
	sw0 = all_switches(s.pid);
	scn_sleep_ms(600);
	proc_usage(s.pid, &t1, &unused);
	sw1 = all_switches(s.pid);
	CU_ASSERT_NOT_EQUAL_FATAL(t0, ~0ull);
	CU_ASSERT_NOT_EQUAL_FATAL(sw0, ~0ull);
	if (getenv("XENGT_TEST_VERBOSE") || t1 - t0 > 6 || sw1 - sw0 >= 60)
		printf("\n    idle after a burst: %llu ticks, %llu switches in 600 ms ", t1 - t0,
		       sw1 - sw0);
	CU_ASSERT_TRUE(t1 - t0 <= 6);	/* <= 10 % of a CPU: not polling */
	CU_ASSERT_TRUE(sw1 - sw0 < 60);
out:
	scn_stop(&s);
}

/*
 * Requests spaced so that windows close between them (unmask, look
 * again, sleep) and others close together: each one answered right. A
 * lost request would fail at the harness deadline.
 */
static void
test_poll_window_edges(void)
{
	static const char *const extra[] = { "--poll-us", "50", NULL };
	unsigned int ok = 0;
	struct scn s;

	if (!scn_start_small(&s, extra))
		goto out;
	scn_place_bars(s.c[0]);
	for (unsigned int i = 0; i < 200; i++) {
		ok += magic_reads(s.c[0], 1 + i % 3) == 1 + i % 3;
		usleep((i * 37) % 300);	/* 0..300 us: before, at and after the window */
	}
	CU_ASSERT_EQUAL(ok, 200);
out:
	scn_stop(&s);
}

/* Two vCPUs trapping at once: the poll loop serves every slot, not just one port's. */
static void
test_poll_two_vcpus(void)
{
	static const char *const extra[] = { "--poll-us", "1000", NULL };
	struct scn s;
	pid_t child;
	int status = -1;

	if (!scn_start_small(&s, extra))
		goto out;
	scn_place_bars(s.c[0]);
	fflush(NULL);
	child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		struct sim_vcpu *c = sim_vcpu_attach(s.machine, s.dom[0], 1);

		_exit(c && magic_reads(c, BURST) == BURST ? 0 : 1);
	}
	CU_ASSERT_EQUAL(magic_reads(s.c[0], BURST), BURST);
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
out:
	scn_stop(&s);
}

/* --poll-us 0: the classic loop, one wake-up per request. */
static void
test_poll_off(void)
{
	static const char *const extra[] = { "--poll-us", "0", NULL };
	uint64_t wake0, wake1;
	struct scn s;

	if (!scn_start_small(&s, extra))
		goto out;
	scn_place_bars(s.c[0]);
	wake0 = scn_stat(&s, s.dom[0], "ioreq_wakeups");
	CU_ASSERT_EQUAL(magic_reads(s.c[0], 200), 200);
	wake1 = scn_stat(&s, s.dom[0], "ioreq_wakeups");
	CU_ASSERT_TRUE(wake1 - wake0 >= 200);
out:
	scn_stop(&s);
}

void suite_daemon_transport(void);

void
suite_daemon_transport(void)
{
	static const struct test_case cases[] = {
		{ "daemon in its own network namespace", test_daemon_in_own_netns },
		{ "burst served by polling, then idle", test_poll_burst_then_idle },
		{ "windows closing between requests", test_poll_window_edges },
		{ "two vCPUs polled at once", test_poll_two_vcpus },
		{ "--poll-us 0: a wake-up per request", test_poll_off },
		{ NULL, NULL },
	};

	test_add_suite("daemon_transport", cases);
}
