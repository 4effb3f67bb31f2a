/* SPDX-License-Identifier: MIT */
/*
 * test_daemon.c — xengt-dm-sim as a separate process on a private sim
 * machine, this process as the guest vCPU: the daemon's life cycle. The
 * guest detects the vGPU, trap counts (control socket) agree with the
 * sim's route counters, the control protocol with run-time attach/detach
 * of a second domain, a trap storm beside another domain, SIGTERM teardown
 * and a killed daemon (the next vCPU access blocks for good, as on Xen);
 * an idle vGPU's thread sleeps instead of polling.
 * Raw ioreqs: test_daemon_ioreq.c; BARs: test_daemon_bars.c.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario_util.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

static void
test_guest_detects_vgpu(void)
{
	struct scn s;
	uint64_t magic = 0;

	if (!scn_start_small(&s, NULL))
		goto out;
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0x00, 4), 0x19128086u);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0x0a, 2), 0x0300);	/* VGA class */
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78000, 8, &magic), 0);
	CU_ASSERT_EQUAL(magic, 0x4776544776544776ull);	/* "vGTvGTvG" */
	/* A config cycle to a slot nobody claims: all-ones without an ioreq. */
	CU_ASSERT_EQUAL(sim_pio_write(s.c[0], 0xcf8, 4, 0x80000000u | 5 << 11), 0);
	{
		uint32_t v = 0;

		CU_ASSERT_EQUAL(sim_pio_read(s.c[0], 0xcfc, 4, &v), 0);
		CU_ASSERT_EQUAL(v, 0xffffffffu);
	}
out:
	scn_stop(&s);
}

static void
test_trap_counts_match_sim(void)
{
	struct scn s;
	uint64_t before[ROUTE_NR], after[ROUTE_NR], v;
	char reply[8192];

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	/* An aperture write inside the vGPU's slice: direct, zero ioreqs. */
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78040, 4, &v), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], before), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR2 + v + 0x100, 4, 0x12345678), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_DIRECT_WRITE], before[ROUTE_DIRECT_WRITE] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_MMIO_IOREQ], before[ROUTE_MMIO_IOREQ]);
	CU_ASSERT_EQUAL(after[ROUTE_PCI_IOREQ], before[ROUTE_PCI_IOREQ]);
	/* Some register traffic, a port access, a rep, an INVALIDATE. */
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78000, 4, &v), 0);
	{
		uint32_t p = 0;

		CU_ASSERT_EQUAL(sim_pio_write(s.c[0], SCN_BAR4, 4, 0x78000), 0);
		CU_ASSERT_EQUAL(sim_pio_read(s.c[0], SCN_BAR4 + 4, 4, &p), 0);
		CU_ASSERT_EQUAL(p, 0x76544776u);	/* PV magic low dword via index/data */
	}
	CU_ASSERT_EQUAL(sim_rep(s.c[0], false, false, SCN_BAR0 + 0x78000, 0x10000, 4, 2, false), 0);
	{
		uint32_t *ram = sim_guest_ram(s.c[0], 0x10000, 8);

		CU_ASSERT_PTR_NOT_NULL_FATAL(ram);
		CU_ASSERT_EQUAL(ram[0], 0x76544776u);	/* rep movs from the BAR to RAM */
		CU_ASSERT_EQUAL(ram[1], 0x47765447u);
	}
	CU_ASSERT_EQUAL(sim_broadcast_invalidate(s.c[0]), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
	{
		char req[32];

		snprintf(req, sizeof(req), "stats %u", s.dom[0]);
		CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\nok\n"));
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "ioreq_pci"), after[ROUTE_PCI_IOREQ]);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "ioreq_mmio"),
			after[ROUTE_MMIO_IOREQ] + after[ROUTE_WP_WRITE_IOREQ]);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "ioreq_pio"), after[ROUTE_PIO_IOREQ]);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "ioreq_invalidate"), 1);
	CU_ASSERT_TRUE(after[ROUTE_PCI_IOREQ] > 0);
	CU_ASSERT_TRUE(after[ROUTE_MMIO_IOREQ] >= 12);
	/* The mediator's view agrees with the transport's. */
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "cfg_reads") + scn_ctl_val(reply, "cfg_writes"),
			after[ROUTE_PCI_IOREQ]);
out:
	scn_stop(&s);
}

static void
test_control_protocol(void)
{
	struct scn s;
	char reply[8192], big[1100];
	int dom2;

	if (!scn_start_small(&s, NULL))
		goto out;
	CU_ASSERT_EQUAL(scn_ctl(&s, "version", reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "gpu=softgpu device=0x1912\nok\n"));
	CU_ASSERT_EQUAL(scn_ctl(&s, "list", reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "domid"), (uint64_t)s.dom[0]);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "type=xengt_small state=running sbdf=0000:00:02.0"));
	CU_ASSERT_EQUAL(scn_ctl(&s, "frobnicate", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error ENOENT: unknown command 'frobnicate'\n");
	CU_ASSERT_EQUAL(scn_ctl(&s, "stats 999", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error ENOENT: no vGPU for domain 999\n");
	CU_ASSERT_EQUAL(scn_ctl(&s, "stats", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error EINVAL: usage: stats DOMID\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(scn_ctl(&s, big, reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error E2BIG: request longer than 1024 bytes\n");
	big[1024] = '\0';	/* exactly the limit: read whole, then refused by name */
	CU_ASSERT_EQUAL(scn_ctl(&s, big, reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(strncmp(reply, "error ENOENT: unknown command", 29), 0);
	CU_ASSERT_EQUAL(scn_ctl(&s, "gpu", reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "vgpus"), 1);

	/* No such domain: refused by Xen (the sim), the daemon carries on. */
	CU_ASSERT_EQUAL(scn_ctl(&s, "attach 60 type=xengt_small", reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(strncmp(reply, "error ESRCH: nr_vcpus: ", 23), 0);
	CU_ASSERT_EQUAL(scn_ctl(&s, "list", reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NULL(strstr(reply, "domid=60"));

	/* A second domain attached and detached at run time. */
	dom2 = xensim_domain_create(s.machine, 32, 1);
	CU_ASSERT_TRUE_FATAL(dom2 > 0);
	{
		char req[96];
		struct sim_vcpu *c2;

		snprintf(req, sizeof(req), "attach %u type=xengt_small,bogus=1", dom2);
		CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
		CU_ASSERT_STRING_EQUAL(reply, "error EINVAL: bogus: unknown key (value '1')\n");
		snprintf(req, sizeof(req), "attach %u type=xengt_small", dom2);
		CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\nok\n"));
		CU_ASSERT_EQUAL(scn_ctl_val(reply, "domid"), (uint64_t)dom2);
		CU_ASSERT_EQUAL(scn_ctl(&s, "gpu", reply, sizeof(reply)), 0);
		CU_ASSERT_EQUAL(scn_ctl_val(reply, "vgpus"), 2);
		CU_ASSERT_EQUAL(xensim_domain_unpause(s.machine, (uint32_t)dom2), 0);
		c2 = sim_vcpu_attach(s.machine, (uint32_t)dom2, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
		CU_ASSERT_EQUAL(scn_cfg_read(c2, 0x00, 4), 0x19128086u);
		snprintf(req, sizeof(req), "detach %u", dom2);
		CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
		CU_ASSERT_STRING_EQUAL(reply, "ok\n");
		/* Gone: the slot reads all-ones, no device model involved. */
		CU_ASSERT_EQUAL(scn_cfg_read(c2, 0x00, 4), 0xffffffffu);
		sim_vcpu_detach(c2);
		CU_ASSERT_EQUAL(scn_ctl(&s, "gpu", reply, sizeof(reply)), 0);
		CU_ASSERT_EQUAL(scn_ctl_val(reply, "vgpus"), 1);
	}
out:
	scn_stop(&s);
}

/* A trap storm on one domain while another one's accesses stay prompt. */
static void
test_storm_isolation(void)
{
	struct scn s;
	char reply[1024], req[96];
	struct sim_vcpu *c2;
	uint64_t worst = 0, base;
	pid_t storm;
	int dom2;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	dom2 = xensim_domain_create(s.machine, 32, 1);
	CU_ASSERT_TRUE_FATAL(dom2 > 0);
	snprintf(req, sizeof(req), "attach %u type=xengt_small", dom2);
	CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(reply, "ok\n"));
	CU_ASSERT_EQUAL(xensim_domain_unpause(s.machine, (uint32_t)dom2), 0);
	base = scn_stat(&s, s.dom[0], "ioreq_mmio");
	storm = scn_storm_start(&s, 0, 1);
	c2 = sim_vcpu_attach(s.machine, (uint32_t)dom2, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	/*
	 * Measure only once the storm runs (a forked child under TSan takes
	 * a while to get going), and until it did at least 10 ioreqs.
	 */
	for (int t = 0; t < 500 && scn_stat(&s, s.dom[0], "ioreq_mmio") == base; t++)
		scn_sleep_ms(10);
	for (int i = 0; i < 200 || (i < 20000 && scn_stat(&s, s.dom[0], "ioreq_mmio") < base + 10);
	     i++) {
		struct timespec a, b;
		uint32_t v;
		uint64_t ns;

		clock_gettime(CLOCK_MONOTONIC, &a);
		v = scn_cfg_read(c2, 0x00, 4);
		clock_gettime(CLOCK_MONOTONIC, &b);
		CU_ASSERT_EQUAL(v, 0x19128086u);
		ns = (uint64_t)(b.tv_sec - a.tv_sec) * 1000000000ull + (uint64_t)b.tv_nsec -
		     (uint64_t)a.tv_nsec;
		if (ns > worst)
			worst = ns;
	}
	sim_vcpu_detach(c2);
	/* The storm was still going while we measured. */
	CU_ASSERT_EQUAL(waitpid(storm, NULL, WNOHANG), 0);
	scn_storm_stop(storm);
	{
		uint64_t reps = scn_stat(&s, s.dom[0], "ioreq_mmio") - base;
		uint64_t items = scn_stat(&s, s.dom[0], "mmio_reads");

		printf("\n    storm: %llu rep ioreqs, %llu register reads; worst beside it %llu us ",
		       (unsigned long long)reps, (unsigned long long)items,
		       (unsigned long long)worst / 1000);
		CU_ASSERT_TRUE(reps >= 10);
		CU_ASSERT_TRUE(items >= reps * 1024);
	}
	CU_ASSERT_TRUE(worst < 200000000ull);
out:
	scn_stop(&s);
}

static void
test_sigterm_teardown(void)
{
	struct scn s;
	struct sim_domain_info info[8];
	char path[96], val[32];
	int status = -1, n;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(kill(s.pid, SIGTERM), 0);
	CU_ASSERT_EQUAL(waitpid(s.pid, &status, 0), s.pid);
	s.pid = -1;
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(path, sizeof(path), "/local/domain/0/xengt-dm/%u/state", s.dom[0]);
	CU_ASSERT_EQUAL(xensim_xs_read(s.machine, path, val, sizeof(val)), -ENOENT);
	n = xensim_domain_list(s.machine, info, 8);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(info[0].nr_servers, 0);
	CU_ASSERT_NOT_EQUAL(access(s.sock, F_OK), 0);	/* socket removed */
out:
	scn_stop(&s);
}

/*
 * A killed daemon: as on Xen, its server stays registered and the vCPU
 * that next touches the vGPU blocks for good (wait_for_io has no timeout
 * and no "device model died" escape); the sim shows it as blocked on the
 * server, and the test kills that vCPU's process itself. The guest's RAM
 * still works from another vCPU.
 */
static void
test_killed_daemon_blocks_vcpu(void)
{
	struct xensim_vcpu_status st = { 0 };
	struct scn s;
	uint64_t v = 0;
	pid_t vcpu;
	int status;
	bool seen = false;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(kill(s.pid, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(s.pid, NULL, 0), s.pid);
	s.pid = -1;
	vcpu = fork();
	CU_ASSERT_FATAL(vcpu >= 0);
	if (vcpu == 0) {
		struct sim_vcpu *c = sim_vcpu_attach(s.machine, s.dom[0], 1);

		if (!c)
			_exit(1);
		sim_vcpu_set_harness_deadline(c, 0); /* block as Xen does */
		sim_mem_read(c, SCN_BAR0 + 0x78000, 4, &v);
		_exit(2);
	}
	for (int i = 0; i < 1000 && !seen; i++) {
		seen = xensim_vcpu_status(s.machine, s.dom[0], 1, &st) == 0 && st.blocked &&
		       st.asleep;
		if (!seen)
			scn_sleep_ms(5);
	}
	CU_ASSERT_TRUE(seen);
	{
		/* What an admin sees: `xensim vcpus DOMID`. */
		char bin[256], cmd[512], out[512] = "", want[64];
		FILE *p;
		size_t n;

		snprintf(cmd, sizeof(cmd), "%s -m %s vcpus %u",
			 test_build_path("xensim", bin, sizeof(bin)), s.machine, s.dom[0]);
		p = popen(cmd, "r");
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		CU_ASSERT_EQUAL(pclose(p), 0);
		snprintf(want, sizeof(want), "vCPU %u/1 blocked on server %u (asleep", s.dom[0],
			 st.server);
		CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	}
	/* Still blocked over the next half second: nothing ends the wait. */
	for (int i = 0; seen && i < 50; i++) {
		CU_ASSERT_EQUAL(waitpid(vcpu, &status, WNOHANG), 0);
		CU_ASSERT_EQUAL(xensim_vcpu_status(s.machine, s.dom[0], 1, &st), 0);
		CU_ASSERT_TRUE(st.blocked);
		scn_sleep_ms(10);
	}
	/* RAM from vCPU 0 is untouched by it. */
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], 0x2000, 8, 0x1122334455667788ull), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], 0x2000, 8, &v), 0);
	CU_ASSERT_EQUAL(v, 0x1122334455667788ull);
	CU_ASSERT_EQUAL(kill(vcpu, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(vcpu, &status, 0), vcpu);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
out:
	scn_stop(&s);
}

/* Context switches of every thread of pid so far (/proc), ~0 on failure. */
static uint64_t
ctx_switches(pid_t pid)
{
	char path[64], line[128];
	struct dirent *de;
	uint64_t sum = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return ~0ull;
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/status", (int)pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long n;

			if (sscanf(line, "voluntary_ctxt_switches: %llu", &n) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %llu", &n) == 1)
				sum += n;
		}
		fclose(f);
	}
	closedir(d);
	return sum;
}

/*
 * A vGPU with no pipe enabled and no guest access: its thread sleeps
 * until a request comes (vgpu_tick asks for no timer), not 1 ms at a
 * time. Over 600 ms the whole daemon switches a few times, not hundreds.
 */
static void
test_idle_sleeps(void)
{
	struct scn s;
	uint64_t before, after;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	scn_sleep_ms(100);
	before = ctx_switches(s.pid);
	scn_sleep_ms(600);
	after = ctx_switches(s.pid);
	CU_ASSERT_NOT_EQUAL_FATAL(before, ~0ull);
	CU_ASSERT_NOT_EQUAL_FATAL(after, ~0ull);
	if (after - before >= 60)
		printf("\n    idle daemon: %llu context switches in 600 ms",
		       (unsigned long long)(after - before));
	CU_ASSERT_TRUE(after - before < 60);
out:
	scn_stop(&s);
}

void suite_daemon(void);

void
suite_daemon(void)
{
	static const struct test_case cases[] = {
		{ "guest_detects_vgpu", test_guest_detects_vgpu },
		{ "trap_counts_match_sim", test_trap_counts_match_sim },
		{ "control_protocol", test_control_protocol },
		{ "sigterm_teardown", test_sigterm_teardown },
		{ "storm_isolation", test_storm_isolation },
		{ "killed_daemon_blocks_vcpu", test_killed_daemon_blocks_vcpu },
		{ "idle_sleeps", test_idle_sleeps },
		{ NULL, NULL },
	};

	test_add_suite("daemon", cases);
}
