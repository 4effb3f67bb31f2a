/* SPDX-License-Identifier: MIT */
/*
 * test_linux_guest.c — the short version of `make linux-guest`: a real
 * Linux guest boots under the patched QEMU with the device behind
 * x-pci-proxy-dev. With build/xengt-dm-qemu (qemu-glue) i915 drives the
 * vGPU up to the ladder's rung 2 (GT up without a wedge, card0 usable, the
 * fbdev console lit and saved as a PNG), where the short boot stops;
 * without it,
 * QEMU's own remote LSI 53c895a, whose SCSI scan and disk read need BAR
 * access, DMA into shared guest RAM and INTx (the QEMU patch) to work.
 * Skips, saying why, where the patched QEMU or the kernel is missing.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test_util.h"

/* The runner's own bound is 300 s for a short boot; initramfs and a KVM probe come first. */
#define LG_TIMEOUT_MS 420000
#define LG_SKIP 77

struct lg_run {
	int status;	/* exit code; -1 killed or timed out */
	char *out;	/* stdout + stderr */
	size_t len;
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* tools/linux-guest/NAME in the source tree: $XENGT_SRC, else the working directory. */
static const char *
tool_path(const char *name, char *buf, size_t len)
{
	const char *src = getenv("XENGT_SRC");

	snprintf(buf, len, "%s/tools/linux-guest/%s", src && *src ? src : ".", name);
	return buf;
}

static void
append(struct lg_run *r, const char *data, size_t n)
{
	char *p = realloc(r->out, r->len + n + 1);

	if (!p)
		abort();
	memcpy(p + r->len, data, n);
	r->out = p;
	r->len += n;
	r->out[r->len] = '\0';
}

/* python3 tools/linux-guest/TOOL ARGS..., output collected, killed after LG_TIMEOUT_MS. */
static void
lg_tool(struct lg_run *r, const char *tool, const char *const *args)
{
	const char *argv[16];
	char runner[4096];
	int fds[2], n = 0;
	long long deadline = now_ms() + LG_TIMEOUT_MS;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	append(r, "", 0);
	argv[n++] = "python3";
	argv[n++] = tool_path(tool, runner, sizeof(runner));
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		setpgid(0, 0);	/* its QEMU and device processes die with it */
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		long long left = deadline - now_ms();
		char buf[4096];
		ssize_t got;

		if (left <= 0) {
			fprintf(stderr, "\n    linux-guest run still going after %d ms: killed\n", LG_TIMEOUT_MS);
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		got = read(fds[0], buf, sizeof(buf));
		if (got <= 0)
			break;
		append(r, buf, (size_t)got);
	}
	close(fds[0]);
	int st;
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

static void
lg_run(struct lg_run *r, const char *const *args)
{
	lg_tool(r, "run.py", args);
}

/* The text after "prefix" on the first line that has it, up to the line's end. */
static bool
find_after(const struct lg_run *r, const char *prefix, char *buf, size_t len)
{
	const char *p = strstr(r->out, prefix), *e;

	if (!p)
		return false;
	p += strlen(prefix);
	e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	snprintf(buf, len, "%.*s", (int)(e - p), p);
	return true;
}

static const char *
last_line(const struct lg_run *r, char *buf, size_t len)
{
	size_t n = r->len;
	const char *s;

	while (n && r->out[n - 1] == '\n')
		n--;
	s = r->out + n;
	while (s > r->out && s[-1] != '\n')
		s--;
	snprintf(buf, len, "%.*s", (int)(r->out + n - s), s);
	return buf;
}

static void
dump(const struct lg_run *r)
{
	fprintf(stderr, "\n---- linux-guest output (status %d) ----\n%s----\n", r->status, r->out);
}

/*
 * A counter of guest-0's vGPU as the harness collected it at the end
 * (xengt-ctl stats, "KEY: N" in DIR/guest-0/xengt-ctl-stats.txt), or -1
 * when the file or the line is missing.
 */
static long long
stat_counted(const char *dir, const char *key)
{
	char path[4300], line[256];
	size_t k = strlen(key);
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/guest-0/xengt-ctl-stats.txt", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (n < 0 && fgets(line, sizeof(line), f))
		if (strncmp(line, key, k) == 0 && line[k] == ':')
			n = strtoll(line + k + 1, NULL, 10);
	fclose(f);
	return n;
}

/* The unknown-register counter (unknown=strict would have failed on any). */
static long long
unknown_regs_counted(const char *dir)
{
	return stat_counted(dir, "unknown_reg");
}

/* Skip with the runner's reason when it says it cannot run here. */
static bool
skipped(const struct lg_run *r)
{
	char why[512];

	if (r->status == 127 && r->len == 0) {	/* execvp failed */
		test_skip("python3 missing (make deps)");
		return true;
	}
	if (r->status != LG_SKIP)
		return false;
	if (!find_after(r, "linux-guest: SKIP: ", why, sizeof(why)))
		snprintf(why, sizeof(why), "linux-guest runner skipped without a reason");
	test_skip(why);
	return true;
}

static void
test_short_boot(void)
{
	char out[4200], build[4096], line[512], n[64];
	const char *b = getenv("XENGT_BUILD");
	struct lg_run r;
	int rung = -1;

	snprintf(build, sizeof(build), "%s", b && *b ? b : "build");
	snprintf(out, sizeof(out), "%s/linux-guest-short", build);
	const char *args[] = { "--short", "--out", out, "--build", build, NULL };
	lg_run(&r, args);
	if (skipped(&r)) {
		free(r.out);
		return;
	}
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_EQUAL(sscanf(last_line(&r, line, sizeof(line)), "rung %d of 4", &rung), 1);
	if (find_after(&r, "guest-0: lsi53c895a: ", line, sizeof(line))) {
		CU_ASSERT_EQUAL(rung, 0);
		/* The stock device: bound, the disk read matches the image, INTx arrived. */
		CU_ASSERT_PTR_NOT_NULL(strstr(line, "bound=yes"));
		CU_ASSERT_PTR_NOT_NULL(strstr(line, "disk=match"));
		const char *irq = strstr(line, "interrupts=");
		CU_ASSERT_PTR_NOT_NULL(irq);
		if (irq) {
			snprintf(n, sizeof(n), "%s", irq + strlen("interrupts="));
			CU_ASSERT(atoi(n) > 0);
		}
	} else {
		/*
		 * xengt-dm-qemu: i915 printed its probe of 00:02.0, and the
		 * short boot's top rung: GT up without a wedge, card0 usable,
		 * the console lit and saved as a PNG.
		 */
		CU_ASSERT(find_after(&r, "guest-0: i915 probe: ", line, sizeof(line)));
		CU_ASSERT_EQUAL(strncmp(line, "seen", 4), 0);
		CU_ASSERT_EQUAL(rung, 2);
		/* Every register i915 touched up to there has a row (unknown=strict would survive). */
		long long unknown = unknown_regs_counted(out);
		if (unknown != 0)
			fprintf(stderr, "\n    unknown registers in the short boot: %lld (-1: no "
					"counter in %s/guest-0/xengt-ctl-stats.txt)\n", unknown, out);
		CU_ASSERT_EQUAL(unknown, 0);
	}
	if (r.status != 0 || rung < 0)
		dump(&r);
	free(r.out);
}

/*
 * A guest reboot: the first boot binds i915 and runs blitcheck on the
 * vGPU, then reboots; QEMU resets the machine and sends DEVICE_RESET,
 * the daemon replaces the vGPU, and the second (short) boot climbs to a
 * lit console again on the fresh one, touching no unknown register.
 */
static void
test_reboot(void)
{
	char out[4200], build[4096], line[512];
	const char *b = getenv("XENGT_BUILD");
	struct lg_run r;
	int rung = -1;

	snprintf(build, sizeof(build), "%s", b && *b ? b : "build");
	snprintf(out, sizeof(out), "%s/linux-guest-reboot", build);
	const char *args[] = { "--short", "--reboot", "--out", out, "--build", build, NULL };
	lg_run(&r, args);
	if (skipped(&r)) {
		free(r.out);
		return;
	}
	if (find_after(&r, "guest-0: lsi53c895a: ", line, sizeof(line))) {
		test_skip("no xengt-dm-qemu: the stock device stood in");
		free(r.out);
		return;
	}
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT(find_after(&r, "guest-0: first boot: ", line, sizeof(line)));
	CU_ASSERT_STRING_EQUAL(line, "i915 bound yes, blitcheck rc=0, rebooted");
	CU_ASSERT_EQUAL(sscanf(last_line(&r, line, sizeof(line)), "rung %d of 4", &rung), 1);
	CU_ASSERT_EQUAL(rung, 2);
	CU_ASSERT_EQUAL(unknown_regs_counted(out), 0);
	/* QEMU reset the device at its start and again at the reboot. */
	CU_ASSERT(stat_counted(out, "qemu_resets") >= 2);
	if (r.status != 0 || rung < 0)
		dump(&r);
	free(r.out);
}

/* No QEMU where the runner is told to look: it skips, and says what to run. */
static void
test_skips_without_qemu(void)
{
	char out[4096], line[512];
	const char *b = getenv("XENGT_BUILD");
	struct lg_run r;

	snprintf(out, sizeof(out), "%s/linux-guest-noqemu", b && *b ? b : "build");
	const char *args[] = { "--short", "--qemu", "/nonexistent/qemu-system-x86_64",
			       "--out", out, NULL };
	lg_run(&r, args);
	CU_ASSERT_EQUAL(r.status, LG_SKIP);
	CU_ASSERT(find_after(&r, "linux-guest: SKIP: ", line, sizeof(line)));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "/nonexistent/qemu-system-x86_64"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "make qemu"));
	if (r.status != LG_SKIP)
		dump(&r);
	free(r.out);
}

/* A console log as guest-init.sh prints it, climbing to a given height. */
static void
write_console(const char *dir, int height, int wedged, int blit_wrong)
{
	char path[4300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/guest-0", dir);
	mkdir(dir, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/guest-0/console.log", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "[    0.000000] Linux version 6.1.0\n"
		   "@@xengt boot kernel=6.1.0 mode=i915 short=0\n"
		   "@@xengt-begin insmod-i915\n@@xengt-end insmod-i915 rc=0\n"
		   "@@xengt i915-bound %s\n", height >= 1 ? "yes" : "no");
	if (height >= 2) {
		fprintf(f, "@@xengt i915-wedged 0\n@@xengt-begin drmcheck\n"
			   "@@xengt drm driver=i915\n@@xengt drm chipset=0x1912\n"
			   "@@xengt drm gem_create=ok\n@@xengt drm usable=yes\n"
			   "@@xengt-end drmcheck rc=0\n@@xengt fb0 i915drmfb\n"
			   "@@xengt fbcon 1\n@@xengt screenshot ok /x/screenshot.png\n");
	}
	fprintf(f, "@@xengt-begin igt-gem_exec_nop\n1.5\n@@xengt-end igt-gem_exec_nop rc=0\n"
		   "@@xengt-begin igt-gem_blt\n@@xengt-end igt-gem_blt rc=%d\n", height >= 3 ? 0 : 1);
	fprintf(f, "@@xengt-begin blitcheck\n@@xengt blit copy=%s pixels=16384 wrong=%d\n"
		   "@@xengt-end blitcheck rc=%d\n", blit_wrong ? "wrong" : "ok", blit_wrong ? 7 : 0,
		blit_wrong);
	fprintf(f, "@@xengt-begin dmesg\n"
		   "[    5.1] i915 0000:00:02.0: [drm] Virtual GPU for Intel GVT-g detected.\n"
		   "[    5.2] i915 0000:00:02.0: [drm] VGT balloon successfully\n%s"
		   "@@xengt-end dmesg rc=0\n@@xengt done\n",
		wedged == 1 ? "[    6.0] i915 0000:00:02.0: [drm] *ERROR* Failed to initialize GPU, declaring it wedged!\n" :
		wedged == 2 ? "[    6.1]  __intel_gt_set_wedged+0x24/0xe0 [i915]\n"
			      "[    6.1]  intel_gt_set_wedged+0x3f/0x60 [i915]\n"
			      "[    6.1]  __engines_record_defaults+0x2d5/0x300 [i915]\n" : "");
	fclose(f);
}

/* judge.py on made-up console logs: the rung, and the reason for the next. */
static void
test_judge_ladder(void)
{
	static const struct {
		int height;
		int wedged;	/* 1: i915's message, 2: only a call trace */
		int blit_wrong;	/* blitcheck found wrong pixels */
		const char *last, *why;
	} cases[] = {
		{ 0, 0, 0, "rung 0 of 4", "i915 did not bind" },
		{ 3, 1, 0, "rung 1 of 4", "declaring it wedged" },
		{ 3, 2, 0, "rung 1 of 4", "wedged from __engines_record_defaults" },
		{ 2, 0, 0, "rung 2 of 4", "gem_blt exited 1" },
		{ 3, 0, 1, "rung 2 of 4", "blitcheck: copy=wrong pixels=16384 wrong=7" },
		{ 3, 0, 0, "rung 3 of 4", NULL },
	};
	const char *b = getenv("XENGT_BUILD");
	char dir[4200], line[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lg_run r;

		snprintf(dir, sizeof(dir), "%s/linux-guest-judge", b && *b ? b : "build");
		write_console(dir, cases[i].height, cases[i].wedged, cases[i].blit_wrong);
		const char *args[] = { dir, NULL };
		lg_tool(&r, "judge.py", args);
		if (skipped(&r)) {
			free(r.out);
			return;
		}
		CU_ASSERT_EQUAL(r.status, 0);
		CU_ASSERT_STRING_EQUAL(last_line(&r, line, sizeof(line)), cases[i].last);
		if (cases[i].why)
			CU_ASSERT_PTR_NOT_NULL(strstr(r.out, cases[i].why));
		if (strcmp(line, cases[i].last))
			dump(&r);
		free(r.out);
	}
}

void suite_linux_guest(void);
void
suite_linux_guest(void)
{
	static const struct test_case cases[] = {
		{ "judge: the ladder from made-up console logs", test_judge_ladder },
		{ "skips without qemu, saying why", test_skips_without_qemu },
		{ "short boot: i915 up to a lit console (rung 2)", test_short_boot },
		{ "reboot: i915 ran, DEVICE_RESET, a lit console again", test_reboot },
		{ NULL, NULL },
	};
	test_add_suite("linux_guest", cases);
}
