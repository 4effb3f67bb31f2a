/* SPDX-License-Identifier: MIT */
/*
 * bench_scale.c — idle cost and scale figures:
 *   idle_wakeups_8    wakeups per second of xengt-dm-sim serving 8 attached,
 *                     idle vGPUs (context switches of all its threads, /proc)
 *   vgpus_running_max the most guests that run tests/scripts/many.xs at once
 *                     on one simulated GPU (xengt-script --vgpus N)
 *   ggtt_write_sim    a guest GGTT entry write through the mediator with the
 *                     physical GPU and the gfn -> DMA translation of the
 *                     simulator (softgpu, libxensim), next to ggtt_write
 *                     (bench_mediator.c: fake GPU and hypervisor)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dm/pgpu/pgpu_list.h"
#include "mediator/vgpu.h"
#include "sim/softgpu/softgpu.h"
#include "sim/xensim.h"
#include "tests/fake_hv.h"
#include "tools/common/ctl_client.h"
#include "bench.h"

#define IDLE_VGPUS 8
#define IDLE_SPEC "type=xengt_small"
#define IDLE_SECONDS 3
#define RUN_SPEC "type=xengt_32"	/* the type made for many guests (vgpu_types.c) */
#define RUN_SCRIPT "tests/scripts/many.xs"
#define RUN_TIMEOUT_S 60
#define BAR0_GPA 0xe0000000ull
#define GGTT_OFF (8u << 20)

static const char *
build_path(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("XENGT_BUILD");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "build", name);
	return buf;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Context switches (voluntary + not) of every thread of pid so far; 0 on failure. */
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
		return 0;
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

/* vGPUs the daemon lists as running (its control socket); -errno if it cannot say. */
static int
running_vgpus(const char *sock)
{
	struct ctl_reply r;
	int rc = ctl_call(sock, "list", &r), n = 0;

	if (rc)
		return rc;
	for (size_t i = 0; r.ok && i < r.nlines; i++)
		n += strstr(r.lines[i], " state=running") != NULL;
	ctl_reply_free(&r);
	return n;
}

/* ---- idle_wakeups_8 ---- */

static pid_t
spawn_daemon(const char *machine, const char *sock, const int *domids, unsigned int n)
{
	char bin[512], dom[IDLE_VGPUS][16];
	const char *argv[4 + 4 * IDLE_VGPUS];
	unsigned int a = 0;
	pid_t pid;

	build_path("xengt-dm-sim", bin, sizeof(bin));
	argv[a++] = bin;
	argv[a++] = "--socket";
	argv[a++] = sock;
	for (unsigned int i = 0; i < n; i++) {
		snprintf(dom[i], sizeof(dom[i]), "%d", domids[i]);
		argv[a++] = "--domid";
		argv[a++] = dom[i];
		argv[a++] = "--vgpu";
		argv[a++] = IDLE_SPEC;
	}
	argv[a] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		setenv("XENSIM_MACHINE", machine, 1);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

static int
bench_idle(void)
{
	char machine[32], sock[64], bin[512];
	int domids[IDLE_VGPUS], rc = 0;
	uint64_t c0, c1, t0, t1;
	pid_t dm = -1;

	if (access(build_path("xengt-dm-sim", bin, sizeof(bin)), X_OK))
		return -ENOENT;
	snprintf(machine, sizeof(machine), "bidle-%d", (int)getpid());
	snprintf(sock, sizeof(sock), "/tmp/xengt-bidle-%d.sock", (int)getpid());
	rc = xensim_machine_create(machine);
	if (rc)
		return rc;
	for (unsigned int i = 0; !rc && i < IDLE_VGPUS; i++) {
		domids[i] = xensim_domain_create(machine, 64, 1);
		if (domids[i] < 0)
			rc = domids[i];
	}
	if (!rc) {
		dm = spawn_daemon(machine, sock, domids, IDLE_VGPUS);
		rc = dm < 0 ? -errno : -ETIMEDOUT;
	}
	/* Attached = listed as running on the control socket (bounded: 10 s). */
	for (int i = 0; dm > 0 && i < 1000 && rc == -ETIMEDOUT; i++) {
		if (running_vgpus(sock) == IDLE_VGPUS)
			rc = 0;
		else if (waitpid(dm, NULL, WNOHANG) == dm) {
			dm = -1;
			rc = -ECHILD;
		} else
			sleep_ms(10);
	}
	if (!rc) {
		sleep_ms(200);	/* let start-up settle */
		c0 = ctx_switches(dm);
		t0 = bench_now_ns();
		sleep_ms(IDLE_SECONDS * 1000);
		c1 = ctx_switches(dm);
		t1 = bench_now_ns();
		if (!c0 || c1 < c0)
			rc = -EIO;
		else
			bench_figure("idle_wakeups_8", (double)(c1 - c0) * 1e9 / (double)(t1 - t0),
				     "wakeups/s", NULL);
	}
	if (dm > 0) {
		kill(dm, SIGTERM);
		waitpid(dm, NULL, 0);
	}
	unlink(sock);
	xensim_machine_destroy(machine);
	return rc;
}

/* ---- vgpus_running_max ---- */

/* xengt-script --vgpus n RUN_SCRIPT: 1 every guest passed, 0 not, -errno could not run. */
static int
run_guests(unsigned int n)
{
	char bin[512], count[16];
	int status;
	pid_t pid;

	build_path("xengt-script", bin, sizeof(bin));
	snprintf(count, sizeof(count), "%u", n);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		setenv("XENGT_QUIET", "1", 1);
		alarm(RUN_TIMEOUT_S);	/* a hung run counts as a failure */
		execl(bin, bin, "--vgpus", count, "--vgpu", RUN_SPEC, RUN_SCRIPT, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -ENOEXEC;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * The largest guest count (up to XENSIM_MAX_DOMAINS) for which every guest
 * passed: counts in steps of 8 until one fails, then bisection below it.
 */
static int
bench_running_max(void)
{
	char bin[512];
	unsigned int good = 0, bad = XENSIM_MAX_DOMAINS + 1;
	int rc;

	if (access(build_path("xengt-script", bin, sizeof(bin)), X_OK) ||
	    access(RUN_SCRIPT, R_OK))
		return -ENOENT;
	for (unsigned int n = 8; n <= XENSIM_MAX_DOMAINS; n += 8) {
		rc = run_guests(n);
		if (rc < 0)
			return rc;
		if (!rc) {
			bad = n;
			break;
		}
		good = n;
	}
	while (bad - good > 1) {
		unsigned int mid = (good + bad) / 2;

		rc = run_guests(mid);
		if (rc < 0)
			return rc;
		if (rc)
			good = mid;
		else
			bad = mid;
	}
	bench_figure("vgpus_running_max", good, "guests", NULL);
	return 0;
}

/* ---- ggtt_write_sim ---- */

static uint32_t sim_domid;
static struct xensim_dma *sim_dma;

/* gfn -> DMA as the sim build of the daemon answers it (dm/pgpu/list_sim.c). */
static int
sim_gfn_to_dma(struct hv *hv, uint64_t gfn, uint64_t *dma)
{
	(void)hv;
	return xensim_dma_gfn(sim_dma, sim_domid, gfn, dma);
}

static int
bench_ggtt_sim(void)
{
	const unsigned int n = 100000, ram_pages = (64u << 20) >> 12;
	struct hv_ops ops = fake_hv_ops;
	struct vgpu_partition part;
	struct vgpu_config cfg;
	struct pgpu_dev dev;
	struct gpu *gpu = NULL;
	struct vgpu *v = NULL;
	struct hv *hv = NULL;
	char machine[32], err[128];
	const char *old = getenv("XENSIM_MACHINE");
	char *saved = old ? strdup(old) : NULL;
	uint64_t t0, t1;
	int rc, dom;

	snprintf(machine, sizeof(machine), "bggtt-%d", (int)getpid());
	rc = xensim_machine_create(machine);
	if (rc)
		goto out_env;
	/* The daemon's hook names no machine: it is $XENSIM_MACHINE. */
	setenv("XENSIM_MACHINE", machine, 1);
	dom = xensim_domain_create(machine, 64, 1);
	rc = dom < 0 ? dom : softgpu_backend.open(machine, &dev);
	if (rc)
		goto out;
	sim_domid = (uint32_t)dom;
	ops.gfn_to_dma = sim_gfn_to_dma;
	sim_dma = xensim_dma_open(NULL);
	if (!sim_dma) {
		rc = -errno;
		dev.ops->close(dev.p);
		goto out;
	}
	rc = gpu_create(&dev, &gpu);
	if (rc) {
		dev.ops->close(dev.p);
		xensim_dma_close(sim_dma);
		goto out;
	}
	hv = fake_hv_new(1);
	vgpu_config_default(&cfg);
	rc = hv ? vgpu_create(gpu, &cfg, sim_domid, &ops, hv, &v, err, sizeof(err)) : -ENOMEM;
	if (!rc) {
		uint32_t val = (uint32_t)BAR0_GPA;

		rc = vgpu_cfg_access(v, true, 0x10, 4, &val);
		val = 0x6;
		if (!rc)
			rc = vgpu_cfg_access(v, true, 0x04, 2, &val);
	}
	if (!rc) {
		vgpu_get_partition(v, &part);
		t0 = bench_now_ns();
		for (unsigned int i = 0; i < n; i++) {
			uint64_t idx = (part.low_base >> 12) + (i % (part.low_size >> 12));
			uint64_t pte = ((uint64_t)(i % ram_pages) << 12) | 1;

			vgpu_mem_access(v, true, BAR0_GPA + GGTT_OFF + idx * 8, 8, &pte);
		}
		t1 = bench_now_ns();
		bench_figure("ggtt_write_sim", (double)(t1 - t0) / n, "ns/entry", "ggtt_write");
	}
	if (v)
		vgpu_destroy(v);
	if (hv)
		fake_hv_free(hv);
	gpu_destroy(gpu);
	xensim_dma_close(sim_dma);
out:
	xensim_machine_destroy(machine);
out_env:
	if (saved)
		setenv("XENSIM_MACHINE", saved, 1);
	else
		unsetenv("XENSIM_MACHINE");
	free(saved);
	return rc;
}

int
bench_scale(void)
{
	int rc = bench_ggtt_sim(), r;

	if (rc)
		printf("bench: ggtt_write_sim could not run: %s\n", strerror(-rc));
	r = bench_idle();
	if (r)
		printf("bench: idle_wakeups_8 could not run: %s\n", strerror(-r));
	rc = rc ? rc : r;
	r = bench_running_max();
	if (r)
		printf("bench: vgpus_running_max could not run: %s\n", strerror(-r));
	return rc ? rc : r;
}
