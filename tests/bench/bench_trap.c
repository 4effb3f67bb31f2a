/* SPDX-License-Identifier: MIT */
/*
 * bench_trap.c — the cost of one synchronous ioreq round trip through the
 * real shared page and event channel path: the guest vCPU (this process)
 * against xengt-dm-sim (a child process), a null handler in the glue vs a
 * vGPU register read through the mediator, measured in the same run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/xensim.h"
#include "bench.h"

#define BAR0_GPA 0xe0000000ull
#define NULL_GPA 0xf0000000ull
#define REG_PROBE 0x2030u

static int
cfg_write(struct sim_vcpu *c, unsigned int reg, unsigned int size, uint32_t val)
{
	/* 00:02.0 through the CF8/CFC mechanism #1, as a guest does. */
	int rc = sim_pio_write(c, 0xcf8, 4, 0x80000000u | (2u << 11) | (reg & 0xfc));

	return rc ? rc : sim_pio_write(c, 0xcfc + (reg & 3), size, val);
}

static int
wait_running(const char *machine, uint32_t domid, pid_t dm)
{
	char path[96], buf[32];

	snprintf(path, sizeof(path), "/local/domain/0/xengt-dm/%u/state", domid);
	for (int i = 0; i < 1000; i++) {
		if (xensim_xs_read(machine, path, buf, sizeof(buf)) == 0 && strcmp(buf, "running") == 0)
			return 0;
		if (waitpid(dm, NULL, WNOHANG) == dm)
			return -ECHILD;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static double
time_reads(struct sim_vcpu *c, uint64_t gpa, unsigned int n, int *rc)
{
	uint64_t val, t0 = bench_now_ns();

	for (unsigned int i = 0; i < n && !*rc; i++)
		*rc = sim_mem_read(c, gpa, 4, &val);
	return (double)(bench_now_ns() - t0) / n;
}

int
bench_trap(void)
{
	const char *dir = getenv("XENGT_BUILD");
	char machine[32], dmpath[512], sock[64], domarg[16], nullarg[32];
	struct sim_vcpu *c = NULL;
	pid_t dm;
	int domid, rc;

	snprintf(machine, sizeof(machine), "bench-%d", (int)getpid());
	snprintf(dmpath, sizeof(dmpath), "%s/xengt-dm-sim", dir && *dir ? dir : "build");
	snprintf(sock, sizeof(sock), "/tmp/xengt-bench-%d.sock", (int)getpid());
	if (access(dmpath, X_OK) != 0)
		return -ENOENT;
	rc = xensim_machine_create(machine);
	if (rc < 0)
		return rc;
	domid = xensim_domain_create(machine, 64, 1);
	if (domid < 0) {
		xensim_machine_destroy(machine);
		return domid;
	}
	snprintf(domarg, sizeof(domarg), "%d", domid);
	snprintf(nullarg, sizeof(nullarg), "%#llx", (unsigned long long)NULL_GPA);
	dm = fork();
	if (dm == 0) {
		setenv("XENSIM_MACHINE", machine, 1);
		execl(dmpath, dmpath, "--socket", sock, "--null-mmio", nullarg,
		      "--domid", domarg, "--vgpu", "type=GVTg_V5_4", (char *)NULL);
		_exit(127);
	}
	rc = dm < 0 ? -errno : wait_running(machine, domid, dm);
	if (!rc && !(c = sim_vcpu_attach(machine, domid, 0)))
		rc = -errno;
	if (!rc)
		rc = cfg_write(c, 0x10, 4, (uint32_t)BAR0_GPA);
	if (!rc)
		rc = cfg_write(c, 0x14, 4, 0);
	if (!rc)
		rc = cfg_write(c, 0x04, 2, 0x6);
	if (!rc) {
		const unsigned int n = 20000;
		double tn, tr;

		time_reads(c, NULL_GPA, 1000, &rc); /* warm up both paths */
		time_reads(c, BAR0_GPA + REG_PROBE, 1000, &rc);
		tn = time_reads(c, NULL_GPA, n, &rc);
		tr = time_reads(c, BAR0_GPA + REG_PROBE, n, &rc);
		if (!rc) {
			bench_figure("trap_null", tn, "ns/trap", NULL);
			bench_figure("trap_reg_read", tr, "ns/trap", "trap_null");
		}
	}
	if (c)
		sim_vcpu_detach(c);
	if (dm > 0) {
		kill(dm, SIGTERM);
		waitpid(dm, NULL, 0);
	}
	unlink(sock);
	xensim_machine_destroy(machine);
	return rc;
}
