/* SPDX-License-Identifier: MIT */
/*
 * test_lifecycle.c — a guest's life cycle around the daemon, through the
 * real xengt-dm-sim on a private sim machine: a destroyed or shut-down
 * guest's vGPU is detached by itself (its GM and fences return, and the
 * dying domain can be freed), a suspended one is kept; a daemon killed
 * with SIGKILL leaves its server registered, and the next one cleans up
 * after it; a second live daemon for the same domain is refused; the
 * vGPU will not hide QEMU's emulated VGA at 00:02.0.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xen/sched.h>

#include "sim/xensim.h"
#include "tests/scenario/scenario_util.h"
#include "tests/test_util.h"

#define MIB (1ull << 20)
#define PV_MAGIC 0x4776544776544776ull

/* One value of the daemon's `gpu` reply. */
static uint64_t
gpu_val(const struct scn *s, const char *key)
{
	char reply[512];

	if (scn_ctl(s, "gpu", reply, sizeof(reply)))
		return ~0ull;
	return scn_ctl_val(reply, key);
}

static bool
vgpus_are(const struct scn *s, void *arg)
{
	return gpu_val(s, "vgpus") == (uint64_t)(uintptr_t)arg;
}

/* Is domid listed by the sim at all (dying or not)? */
static bool
sim_has_domain(const struct scn *s, uint32_t domid)
{
	struct sim_domain_info info[8];
	int n = xensim_domain_list(s->machine, info, 8);

	for (int i = 0; i < n; i++)
		if (info[i].domid == domid)
			return true;
	return false;
}

static bool
domain_freed(const struct scn *s, void *arg)
{
	return !sim_has_domain(s, (uint32_t)(uintptr_t)arg);
}

static unsigned int
nr_servers(const struct scn *s, uint32_t domid)
{
	struct sim_domain_info info[8];
	int n = xensim_domain_list(s->machine, info, 8);

	for (int i = 0; i < n; i++)
		if (info[i].domid == domid)
			return info[i].nr_servers;
	return ~0u;
}

static bool
start_two(struct scn *s)
{
	static const char *const specs[] = { "type=xengt_small", "type=xengt_small" };
	const struct scn_opts o = { .loud = true };

	return scn_start_with(s, specs, 2, &o);
}

/*
 * xl destroy: the daemon hears @releaseDomain, finds the domain dying,
 * detaches its vGPU without waiting on vCPUs that will never run, and
 * drops its mappings, so Xen can free the domain; the share comes back
 * whole (the aperture map went with the p2m) and the neighbour is intact.
 */
static void
test_destroyed_guest_detached(void)
{
	uint64_t low, high, fences, v = 0;
	struct scn s;
	char *lines;

	if (!start_two(&s))
		goto out;
	scn_place_bars(s.c[0]);		/* the aperture slice is direct-mapped */
	scn_place_bars(s.c[1]);
	low = gpu_val(&s, "low_free");
	high = gpu_val(&s, "high_free");
	fences = gpu_val(&s, "fences_free");
	sim_vcpu_detach(s.c[0]);
	s.c[0] = NULL;
	CU_ASSERT_EQUAL_FATAL(xensim_domain_destroy(s.machine, s.dom[0]), 0);
	CU_ASSERT_TRUE_FATAL(scn_wait_for(&s, vgpus_are, (void *)1, 5000));
	CU_ASSERT_EQUAL(gpu_val(&s, "low_free"), low + 16 * MIB);
	CU_ASSERT_EQUAL(gpu_val(&s, "high_free"), high + 64 * MIB);
	CU_ASSERT_EQUAL(gpu_val(&s, "fences_free"), fences + 2);
	/* Nothing of ours maps it any more: Xen frees it. */
	CU_ASSERT_TRUE(scn_wait_for(&s, domain_freed, (void *)(uintptr_t)s.dom[0], 5000));
	lines = scn_log_lines(&s, "dying");
	CU_ASSERT_PTR_NOT_NULL(lines);
	free(lines);
	/* The other guest's vGPU carries on. */
	CU_ASSERT_EQUAL(sim_mem_read(s.c[1], SCN_BAR0 + 0x78000, 8, &v), 0);
	CU_ASSERT_EQUAL(v, PV_MAGIC);
out:
	scn_stop(&s);
}

/*
 * A guest that shuts down (poweroff) loses its vGPU; one that suspends
 * (save, checkpoint) keeps it, since it may resume. The second shutdown's
 * @releaseDomain re-checks every domain, so the suspended one has been
 * looked at twice by the time the powered-off one is detached.
 */
static void
test_shutdown_and_suspend(void)
{
	char reply[1024], want[32];
	struct scn s;

	if (!start_two(&s))
		goto out;
	CU_ASSERT_EQUAL(xensim_domain_shutdown(s.machine, s.dom[0], SHUTDOWN_suspend), 0);
	CU_ASSERT_EQUAL(xensim_domain_shutdown(s.machine, s.dom[1], SHUTDOWN_poweroff), 0);
	CU_ASSERT_TRUE_FATAL(scn_wait_for(&s, vgpus_are, (void *)1, 5000));
	CU_ASSERT_EQUAL(scn_ctl(&s, "list", reply, sizeof(reply)), 0);
	snprintf(want, sizeof(want), "domid=%u ", s.dom[0]);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, want));
	snprintf(want, sizeof(want), "domid=%u ", s.dom[1]);
	CU_ASSERT_PTR_NULL(strstr(reply, want));
	/* The powered-off domain stays (the toolstack destroys it), server gone. */
	CU_ASSERT_TRUE(sim_has_domain(&s, s.dom[1]));
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[1]), 0);
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[0]), 1);
out:
	scn_stop(&s);
}

/* Announce a PML4 root through the PV info page: its page becomes p2m_ioreq_server. */
static void
announce_root(struct sim_vcpu *c, uint64_t root)
{
	CU_ASSERT_EQUAL(sim_mem_write(c, SCN_BAR0 + 0x78838, 4, (uint32_t)root), 0);
	CU_ASSERT_EQUAL(sim_mem_write(c, SCN_BAR0 + 0x7883c, 4, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_write(c, SCN_BAR0 + 0x78818, 4, 4), 0);	/* L4 create */
}

/*
 * SIGKILL: Xen keeps the dead daemon's server (and its claim of the p2m
 * type, and the aperture map); a new daemon for the domain finds them in
 * our xenstore node, undoes them, and serves the guest: the type can be
 * claimed again (no -EBUSY), the aperture mapped again at the same place
 * (Xen would crash the domain on a remap of a mapped gfn).
 */
static void
test_restart_cleans_stale_server(void)
{
	static const char *const specs[] = { "type=xengt_small" };
	const struct scn_opts o = { .loud = true, .vcpus = 2 };
	const uint64_t root = 0x30000;
	char path[96], id[16], *lines;
	uint64_t v = 0, low_base = 0, before[ROUTE_NR], after[ROUTE_NR];
	struct scn s;

	if (!scn_start_with(&s, specs, 1, &o))
		goto out;
	scn_place_bars(s.c[0]);
	announce_root(s.c[0], root);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "wp_failed"), 0);
	snprintf(path, sizeof(path), "/local/domain/0/xengt-dm/%u/ioreq-server", s.dom[0]);
	CU_ASSERT_EQUAL_FATAL(xensim_xs_read(s.machine, path, id, sizeof(id)), 0);
	CU_ASSERT_EQUAL(kill(s.pid, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(s.pid, NULL, 0), s.pid);
	s.pid = -1;
	/* Xen knows nothing of the process: the server stays. */
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[0]), 1);

	CU_ASSERT_TRUE_FATAL(scn_respawn(&s, specs, &o) > 0);
	lines = scn_log_lines(&s, "destroyed stale ioreq server");
	CU_ASSERT_PTR_NOT_NULL(lines);
	free(lines);
	lines = scn_log_lines(&s, "removed stale aperture map");
	CU_ASSERT_PTR_NOT_NULL(lines);
	free(lines);
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[0]), 1);
	/*
	 * A fresh vGPU: the guest places its BARs again and the aperture maps
	 * again (its slice starts at its GM base, PV info 0x78040).
	 */
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78040, 4, &low_base), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], before), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR2 + low_base + 0x1000, 4, &v), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_DIRECT_READ], before[ROUTE_DIRECT_READ] + 1);
	/* The p2m type is ours again: the root's page traps. */
	announce_root(s.c[0], root);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "wp_failed"), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], root + 0x10, 8, 0xabc0001003ull), 0);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "page_writes"), 1);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78000, 8, &v), 0);
	CU_ASSERT_EQUAL(v, PV_MAGIC);
out:
	scn_stop(&s);
}

/*
 * A node whose UUID is not the domain's was left for an earlier domain
 * that had this domid: the ioreq server it names is someone else's now
 * (ids are per domain), so the new daemon removes the node and touches
 * nothing it names.
 */
static void
test_foreign_node_untouched(void)
{
	static const char *const specs[] = { "type=xengt_small" };
	const struct scn_opts o = { .loud = true, .vcpus = 2 };
	char path[96], *lines;
	struct scn s;

	if (!scn_start_with(&s, specs, 1, &o))
		goto out;
	CU_ASSERT_EQUAL(kill(s.pid, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(s.pid, NULL, 0), s.pid);
	s.pid = -1;
	snprintf(path, sizeof(path), "/local/domain/0/xengt-dm/%u/uuid", s.dom[0]);
	CU_ASSERT_EQUAL_FATAL(xensim_xs_write(s.machine, path, "0123456789abcdef0123456789abcdef"),
			      0);
	CU_ASSERT_TRUE_FATAL(scn_respawn(&s, specs, &o) > 0);
	lines = scn_log_lines(&s, "stale xengt-dm node of an earlier domain");
	CU_ASSERT_PTR_NOT_NULL(lines);
	free(lines);
	lines = scn_log_lines(&s, "destroyed stale ioreq server");
	CU_ASSERT_PTR_NULL(lines);
	free(lines);
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[0]), 2);	/* the named one lives on */
out:
	scn_stop(&s);
}

/* Nodes of domains that are gone, left by a killed daemon, are pruned by the next one. */
static void
test_stale_nodes_pruned(void)
{
	static const char *const one[] = { "type=xengt_small" };
	const struct scn_opts o = { .loud = true };
	char path[96], val[32];
	uint32_t gone;
	struct scn s;

	if (!start_two(&s))
		goto out;
	CU_ASSERT_EQUAL(kill(s.pid, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(s.pid, NULL, 0), s.pid);
	s.pid = -1;
	gone = s.dom[0];
	sim_vcpu_detach(s.c[0]);
	CU_ASSERT_EQUAL_FATAL(xensim_domain_destroy(s.machine, gone), 0);
	CU_ASSERT_TRUE_FATAL(scn_wait_for(&s, domain_freed, (void *)(uintptr_t)gone, 5000));
	s.dom[0] = s.dom[1];
	s.c[0] = s.c[1];
	s.c[1] = NULL;
	s.ndom = 1;
	CU_ASSERT_TRUE_FATAL(scn_respawn(&s, one, &o) > 0);
	snprintf(path, sizeof(path), "/local/domain/0/xengt-dm/%u/pid", gone);
	CU_ASSERT_EQUAL(xensim_xs_read(s.machine, path, val, sizeof(val)), -ENOENT);
	snprintf(path, sizeof(path), "/local/domain/0/xengt-dm/%u/state", s.dom[0]);
	CU_ASSERT_EQUAL(xensim_xs_read(s.machine, path, val, sizeof(val)), 0);
out:
	scn_stop(&s);
}

/* A second daemon for a domain a live one serves is refused; the first carries on. */
static void
test_live_daemon_not_displaced(void)
{
	static const char *const specs[] = { "type=xengt_small" };
	char sock[128];
	const char *extra[] = { "--socket", sock, NULL };
	const struct scn_opts o = { .loud = true, .no_wait = true, .extra = extra };
	pid_t first, second;
	uint64_t v = 0;
	int status = 0;
	char *lines;
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	snprintf(sock, sizeof(sock), "%s.2", s.sock);
	first = s.pid;
	second = scn_respawn(&s, specs, &o);
	s.pid = first;
	CU_ASSERT_TRUE_FATAL(second > 0);
	CU_ASSERT_TRUE_FATAL(scn_wait_exit(second, 5000, &status));
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	lines = scn_log_lines(&s, "is served by xengt-dm pid");
	CU_ASSERT_PTR_NOT_NULL(lines);
	free(lines);
	unlink(sock);
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[0]), 1);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78000, 8, &v), 0);
	CU_ASSERT_EQUAL(v, PV_MAGIC);
out:
	scn_stop(&s);
}

/*
 * libxl recorded an emulated VGA (memory/videoram): a vGPU at 00:02.0
 * would hide it, so the daemon refuses and says why; at 00:03.0, or with
 * vga_check=off, it serves.
 */
static void
test_vga_clash_refused(void)
{
	static const char *const at2[] = { "type=xengt_small" };
	static const char *const at3[] = { "type=xengt_small,sbdf=00:03.0" };
	static const char *const off[] = { "type=xengt_small,vga_check=off" };
	const struct scn_opts refuse = { .loud = true, .no_wait = true, .videoram_kib = 16384 };
	const struct scn_opts serve = { .loud = true };
	int status = 0;
	char *lines;
	struct scn s;

	if (!scn_start_with(&s, at2, 1, &refuse))
		goto out;
	CU_ASSERT_TRUE_FATAL(scn_wait_exit(s.pid, 5000, &status));
	s.pid = -1;
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	lines = scn_log_lines(&s, "emulated VGA (memory/videoram = 16384 KiB) at 00:02.0");
	CU_ASSERT_PTR_NOT_NULL(lines);
	free(lines);
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[0]), 0);
	CU_ASSERT_TRUE(scn_respawn(&s, at3, &serve) > 0);
	kill(s.pid, SIGTERM);
	CU_ASSERT_TRUE(scn_wait_exit(s.pid, 5000, &status));
	s.pid = -1;
	CU_ASSERT_TRUE(scn_respawn(&s, off, &serve) > 0);
out:
	scn_stop(&s);
}

/*
 * A child vCPU reading BAR0 in a loop until the vGPU is gone (a read that
 * is not the PV magic: all-ones once the range is unclaimed or the vGPU
 * unhooked). Writes one byte to ready after its first good read. Exit
 * status: 0 every access answered, 1 a read failed (the harness deadline:
 * a vCPU left waiting for ever), 2 no vCPU.
 */
static pid_t
reader_start(const struct scn *s, unsigned int vcpu, int ready)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct sim_vcpu *c = sim_vcpu_attach(s->machine, s->dom[0], vcpu);
		bool told = false;

		if (!c)
			_exit(2);
		sim_vcpu_set_harness_deadline(c, 8000);
		for (;;) {
			uint64_t v = 0;

			if (sim_mem_read(c, SCN_BAR0 + 0x78000, 8, &v))
				_exit(1);
			if (v != PV_MAGIC)
				_exit(0);
			if (!told && write(ready, "r", 1) == 1)
				told = true;
		}
	}
	return pid;
}

/*
 * Detach while three vCPUs hammer the vGPU: every request Xen has sent
 * gets its answer (the thread answers through unhook, quiesce and drain,
 * and destroys the server only when every slot is back to NONE), so every
 * vCPU sees the vGPU vanish (all-ones) instead of waiting for ever.
 */
static void
test_detach_under_load(void)
{
	static const char *const specs[] = { "type=xengt_small" };
	const struct scn_opts o = { .vcpus = 4 };
	pid_t readers[3] = { -1, -1, -1 };
	int pipefd[2] = { -1, -1 }, st;
	char req[32], reply[256], byte;
	struct scn s;

	if (!scn_start_with(&s, specs, 1, &o))
		goto out;
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL_FATAL(pipe(pipefd), 0);
	for (unsigned int i = 0; i < 3; i++)
		readers[i] = reader_start(&s, i + 1, pipefd[1]);
	for (unsigned int i = 0; i < 3; i++)	/* each has had an answer */
		CU_ASSERT_EQUAL_FATAL(read(pipefd[0], &byte, 1), 1);
	snprintf(req, sizeof(req), "detach %u", s.dom[0]);
	CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "ok"));
	for (unsigned int i = 0; i < 3; i++) {
		bool done = scn_wait_exit(readers[i], 15000, &st);

		CU_ASSERT_TRUE(done);
		if (done) {
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				printf("\n    vCPU %u: status %#x (1: left without an answer)", i + 1, st);
			CU_ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
			readers[i] = -1;
		}
	}
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[0]), 0);
out:
	for (unsigned int i = 0; i < 3; i++)
		if (readers[i] > 0) {
			kill(readers[i], SIGKILL);
			waitpid(readers[i], NULL, 0);
		}
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	scn_stop(&s);
}

/*
 * The glue fails (a notification the hypervisor refuses): the vGPU goes
 * failsafe with the reason, the notification is retried so the vCPU gets
 * its answer, and the thread keeps answering (all-ones) until detach.
 */
static void
test_failed_glue_keeps_answering(void)
{
	struct scn s;
	uint64_t v = 0;
	char reply[4096], req[32];

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL_FATAL(xensim_test_notify_fail(s.machine, 1), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78000, 8, &v), 0);
	CU_ASSERT_EQUAL(v, PV_MAGIC);		/* answered before the failure */
	snprintf(req, sizeof(req), "stats %u", s.dom[0]);
	CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "failsafe"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "ioreq"));
	for (int i = 0; i < 50; i++) {
		v = 0;
		CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78000, 8, &v), 0);
		CU_ASSERT_EQUAL(v, ~0ull);
	}
	snprintf(req, sizeof(req), "detach %u", s.dom[0]);
	CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(nr_servers(&s, s.dom[0]), 0);
out:
	scn_stop(&s);
}

void suite_lifecycle(void);
void
suite_lifecycle(void)
{
	static const struct test_case cases[] = {
		{ "destroyed guest: vGPU detached, share back, domain freed",
		  test_destroyed_guest_detached },
		{ "shutdown detaches, suspend keeps", test_shutdown_and_suspend },
		{ "restart cleans a killed daemon's server", test_restart_cleans_stale_server },
		{ "a live daemon is not displaced", test_live_daemon_not_displaced },
		{ "a node of an earlier domain touches nothing", test_foreign_node_untouched },
		{ "stale nodes of gone domains pruned", test_stale_nodes_pruned },
		{ "vGPU refuses to hide QEMU's VGA", test_vga_clash_refused },
		{ "detach under load leaves no vCPU waiting", test_detach_under_load },
		{ "a failed glue keeps answering in failsafe", test_failed_glue_keeps_answering },
		{ NULL, NULL },
	};

	test_add_suite("lifecycle", cases);
}
