/* SPDX-License-Identifier: MIT */
/*
 * bench_trap.c — the cost of one synchronous ioreq round trip through the
 * real shared page and event channel path: the guest vCPU (this process)
 * against xengt-dm-sim (a child process), a null handler in the glue vs a
 * vGPU register read through the mediator, with the two processes pinned
 * (sched_setaffinity) to the same core, to different cores, and with the
 * daemon's poll mode (--poll-us) on either; beside them, in the same
 * run, the machine's own limit: a cross-process ping-pong over shared
 * memory with the vCPU's spin-then-futex wait (wake_limit_cross).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/xensim.h"
#include "bench.h"

#define BAR0_GPA 0xe0000000ull
#define NULL_GPA 0xf0000000ull
#define REG_PROBE 0x2030u
#define ROUNDS 9		/* rounds per placement; the median round is kept */
#define PER_ROUND 2000		/* traps per path per round */
#define PINGPONGS 20000
#define POLL_US "200"		/* --poll-us of trap_poll_cross */

/* One daemon on a private machine, its domain's vCPU 0 driven from here. */
struct rig {
	char machine[48];
	char sock[80];
	pid_t dm;
	struct sim_vcpu *c;
};

static int
pin(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(pid, sizeof(set), &set) ? -errno : 0;
}

/* The first two CPUs this process may use; how many there are (0..2). */
static int
pick_cpus(int cpu[2])
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
	return n;
}

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

static void
rig_stop(struct rig *r)
{
	if (r->c)
		sim_vcpu_detach(r->c);
	if (r->dm > 0) {
		kill(r->dm, SIGTERM);
		waitpid(r->dm, NULL, 0);
	}
	unlink(r->sock);
	xensim_machine_destroy(r->machine);
}

/* A daemon pinned to dm_cpu with --poll-us poll_us, its guest's BARs placed. */
static int
rig_start(struct rig *r, const char *tag, int dm_cpu, const char *poll_us)
{
	const char *dir = getenv("XENGT_BUILD");
	char dmpath[512], domarg[16], nullarg[32];
	int domid, rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->machine, sizeof(r->machine), "bench-%d-%s", (int)getpid(), tag);
	snprintf(r->sock, sizeof(r->sock), "/tmp/xengt-bench-%d-%s.sock", (int)getpid(), tag);
	snprintf(dmpath, sizeof(dmpath), "%s/xengt-dm-sim", dir && *dir ? dir : "build");
	if (access(dmpath, X_OK) != 0)
		return -ENOENT;
	rc = xensim_machine_create(r->machine);
	if (rc < 0)
		return rc;
	domid = xensim_domain_create(r->machine, 64, 1);
	if (domid < 0) {
		xensim_machine_destroy(r->machine);
		return domid;
	}
	snprintf(domarg, sizeof(domarg), "%d", domid);
	snprintf(nullarg, sizeof(nullarg), "%#llx", (unsigned long long)NULL_GPA);
	r->dm = fork();
	if (r->dm == 0) {
		/* Every thread the daemon makes inherits this affinity. */
		if (pin(0, dm_cpu))
			_exit(126);
		setenv("XENSIM_MACHINE", r->machine, 1);
		execl(dmpath, dmpath, "--socket", r->sock, "--null-mmio", nullarg, "--poll-us",
		      poll_us, "--domid", domarg, "--vgpu", "type=GVTg_V5_4", (char *)NULL);
		_exit(127);
	}
	rc = r->dm < 0 ? -errno : wait_running(r->machine, (uint32_t)domid, r->dm);
	if (rc == -ECHILD)
		r->dm = 0;
	if (!rc && !(r->c = sim_vcpu_attach(r->machine, (uint32_t)domid, 0)))
		rc = -errno;
	if (!rc)
		rc = cfg_write(r->c, 0x10, 4, (uint32_t)BAR0_GPA);
	if (!rc)
		rc = cfg_write(r->c, 0x14, 4, 0);
	if (!rc)
		rc = cfg_write(r->c, 0x04, 2, 0x6);
	if (rc)
		rig_stop(r);
	return rc;
}

static double
time_reads(struct sim_vcpu *c, uint64_t gpa, unsigned int n, int *rc)
{
	uint64_t val, t0 = bench_now_ns();

	for (unsigned int i = 0; i < n && !*rc; i++)
		*rc = sim_mem_read(c, gpa, 4, &val);
	return (double)(bench_now_ns() - t0) / n;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* CPU time (user + system) of a process so far, from /proc, in ns; 0 if unknown. */
static uint64_t
proc_cpu_ns(pid_t pid)
{
	unsigned long long ut = 0, st = 0;
	char path[64], buf[1024], *p;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* comm may hold spaces */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
			 &st) != 2)
		return 0;
	return (ut + st) * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

static uint64_t
self_cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000ull +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000ull;
}

struct trap_figs {
	double null_ns, reg_ns;	/* median round */
	double cpu_ns;		/* CPU of both processes per trap, all rounds */
};

/*
 * ROUNDS rounds of PER_ROUND null traps then PER_ROUND register reads
 * (interleaved, so drift hits both alike); the median round of each.
 */
static int
measure(struct rig *r, struct trap_figs *f)
{
	double tn[ROUNDS], tr[ROUNDS];
	uint64_t cpu0, dm0;
	int rc = 0;

	time_reads(r->c, NULL_GPA, PER_ROUND / 4, &rc); /* warm up both paths */
	time_reads(r->c, BAR0_GPA + REG_PROBE, PER_ROUND / 4, &rc);
	cpu0 = self_cpu_ns();
	dm0 = proc_cpu_ns(r->dm);
	for (int i = 0; i < ROUNDS && !rc; i++) {
		tn[i] = time_reads(r->c, NULL_GPA, PER_ROUND, &rc);
		tr[i] = time_reads(r->c, BAR0_GPA + REG_PROBE, PER_ROUND, &rc);
	}
	if (rc)
		return rc;
	f->cpu_ns = (double)(self_cpu_ns() - cpu0 + proc_cpu_ns(r->dm) - dm0) /
		    (2.0 * ROUNDS * PER_ROUND);
	qsort(tn, ROUNDS, sizeof(tn[0]), cmp_double);
	qsort(tr, ROUNDS, sizeof(tr[0]), cmp_double);
	f->null_ns = tn[ROUNDS / 2];
	f->reg_ns = tr[ROUNDS / 2];
	return 0;
}

/* The vCPU on cpu_vcpu, a daemon (poll_us) on cpu_dm: its figures. */
static int
placement(const char *tag, int cpu_vcpu, int cpu_dm, const char *poll_us, struct trap_figs *f)
{
	struct rig r;
	int rc = pin(0, cpu_vcpu);

	if (!rc)
		rc = rig_start(&r, tag, cpu_dm, poll_us);
	if (rc) {
		printf("bench: trap %s could not start: %s\n", tag, strerror(-rc));
		return rc;
	}
	rc = measure(&r, f);
	if (rc)
		printf("bench: trap %s: access failed: %s\n", tag, strerror(-rc));
	rig_stop(&r);
	return rc;
}

struct pingpong {
	struct xensim_waiter w[2];
	uint32_t turn;		/* whose move: 0 this process, 1 the child */
};

static bool
turn0(void *arg)
{
	return __atomic_load_n(&((struct pingpong *)arg)->turn, __ATOMIC_ACQUIRE) == 0;
}

static bool
turn1(void *arg)
{
	return __atomic_load_n(&((struct pingpong *)arg)->turn, __ATOMIC_ACQUIRE) == 1;
}

/*
 * The machine's limit for a cross-core wake-up round trip: two processes
 * pinned apart pass the turn back and forth over shared memory, each
 * waiting with the simulated vCPU's own spin-then-futex wait.
 */
static int
wake_limit(int cpu_a, int cpu_b, double *ns)
{
	struct pingpong *pp = mmap(NULL, sizeof(*pp), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t spin = xensim_vcpu_spin_ns(), t0;
	int status, rc;
	pid_t pid;

	if (pp == MAP_FAILED)
		return -errno;
	memset(pp, 0, sizeof(*pp));
	rc = pin(0, cpu_a);
	pid = rc ? -1 : fork();
	if (pid == 0) {
		if (pin(0, cpu_b))
			_exit(1);
		for (int i = 0; i < PINGPONGS + 100; i++) {
			xensim_wait(&pp->w[1], turn1, pp, spin, 0);
			__atomic_store_n(&pp->turn, 0, __ATOMIC_RELEASE);
			xensim_wake(&pp->w[0]);
		}
		_exit(0);
	}
	if (pid < 0) {
		munmap(pp, sizeof(*pp));
		return rc ? rc : -errno;
	}
	t0 = 0;
	for (int i = 0; i < PINGPONGS + 100; i++) {
		if (i == 100)
			t0 = bench_now_ns(); /* after a warm-up */
		__atomic_store_n(&pp->turn, 1, __ATOMIC_RELEASE);
		xensim_wake(&pp->w[1]);
		xensim_wait(&pp->w[0], turn0, pp, spin, 0);
	}
	*ns = (double)(bench_now_ns() - t0) / PINGPONGS;
	waitpid(pid, &status, 0);
	munmap(pp, sizeof(*pp));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

int
bench_trap(void)
{
	struct trap_figs same, cross, poll;
	cpu_set_t saved;
	int cpu[2], ncpu = pick_cpus(cpu), rc;
	double limit = 0;

	if (!ncpu)
		return -ENODEV;
	sched_getaffinity(0, sizeof(saved), &saved);
	rc = placement("same", cpu[0], cpu[0], "0", &same);
	if (!rc) {
		bench_figure("trap_null_same", same.null_ns, "ns/trap", NULL);
		bench_figure("trap_reg_read_same", same.reg_ns, "ns/trap", "trap_null_same");
	}
	/* The daemon's poll mode with both on one core: it must yield to the vCPU. */
	if (!rc && !placement("same-poll", cpu[0], cpu[0], POLL_US, &poll))
		bench_figure("trap_poll_same", poll.null_ns, "ns/trap", "trap_null_same");
	if (ncpu < 2) {
		printf("bench: one CPU only: no cross-core trap figures\n");
		sched_setaffinity(0, sizeof(saved), &saved);
		return rc;
	}
	if (!wake_limit(cpu[0], cpu[1], &limit))
		bench_figure("wake_limit_cross", limit, "ns/rt", NULL);
	if (!placement("cross", cpu[0], cpu[1], "0", &cross)) {
		bench_figure("trap_null_cross", cross.null_ns, "ns/trap", NULL);
		bench_figure("trap_reg_read_cross", cross.reg_ns, "ns/trap", "trap_null_cross");
		bench_figure("trap_cpu_cross", cross.cpu_ns, "ns/trap", NULL);
	}
	if (!placement("poll", cpu[0], cpu[1], POLL_US, &poll)) {
		bench_figure("trap_poll_cross", poll.null_ns, "ns/trap", "wake_limit_cross");
		bench_figure("trap_reg_read_poll_cross", poll.reg_ns, "ns/trap", "trap_poll_cross");
		bench_figure("trap_cpu_poll_cross", poll.cpu_ns, "ns/trap", "trap_cpu_cross");
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	return rc;
}
