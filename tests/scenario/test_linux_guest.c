/* SPDX-License-Identifier: MIT */
/*
 * test_linux_guest.c — the short version of `make linux-guest`: a real
 * Linux guest boots under the patched QEMU with the device behind
 * x-pci-proxy-dev, to the point where its driver has probed. With
 * build/xengt-dm-qemu (qemu-glue) that is i915 on the vGPU; without it,
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/test_util.h"

/* The runner's own bound is 120 s for a short boot; initramfs and a KVM probe come first. */
#define LG_TIMEOUT_MS 300000
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

/* The source tree: $XENGT_SRC, else the working directory (make runs there). */
static const char *
runner_path(char *buf, size_t len)
{
	const char *src = getenv("XENGT_SRC");

	snprintf(buf, len, "%s/tools/linux-guest/run.py", src && *src ? src : ".");
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

/* python3 run.py ARGS..., output collected, killed after LG_TIMEOUT_MS. */
static void
lg_run(struct lg_run *r, const char *const *args)
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
	argv[n++] = runner_path(runner, sizeof(runner));
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

/* Skip with the runner's reason when it says it cannot run here. */
static bool
skipped(const struct lg_run *r)
{
	char why[512];

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
	CU_ASSERT(rung >= 0 && rung <= 1);
	if (find_after(&r, "guest-0: lsi53c895a: ", line, sizeof(line))) {
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
		/* xengt-dm-qemu: i915 printed its probe of 00:02.0. */
		CU_ASSERT(find_after(&r, "guest-0: i915 probe: ", line, sizeof(line)));
		CU_ASSERT_EQUAL(strncmp(line, "seen", 4), 0);
	}
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

void suite_linux_guest(void);
void
suite_linux_guest(void)
{
	static const struct test_case cases[] = {
		{ "skips without qemu, saying why", test_skips_without_qemu },
		{ "short boot: the driver probes behind the proxy", test_short_boot },
		{ NULL, NULL },
	};
	test_add_suite("linux_guest", cases);
}
