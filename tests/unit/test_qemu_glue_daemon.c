/* SPDX-License-Identifier: MIT */
/*
 * test_qemu_glue_daemon.c — build/xengt-dm-qemu as a process, with a fake
 * QEMU on the other end of its --proxy-fd socket: the daemon serves the
 * guest's config cycles, BAR accesses and aperture through softgpu,
 * xengt-ctl (unchanged) lists it, prints its trap map with the "proxy"
 * mechanism and its qemu_* counters, and when QEMU closes the socket the
 * daemon detaches the vGPU by itself. Then the same with a real QEMU 7.2
 * (the patched build `make qemu` caches; skipped without it) running
 * nothing but its firmware: x-pci-proxy-dev probes the vGPU, SeaBIOS
 * places its 32-bit BARs, and QEMU's own `info pci` agrees with our trap
 * map.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu-glue/mpqemu.h"
#include "tests/scenario/scenario_util.h"
#include "tests/mpq_send.h"
#include "tests/test_util.h"

#define DOMID 3
#define RAM_SIZE (32ull << 20)
#define BAR0 0xfe000000ull
#define BAR2 0xc0000000ull
#define WAIT_MS 10000

struct drig {
	struct scn s;		/* machine, control socket, daemon pid */
	int q;			/* QEMU's end (the fake's, or given to a real QEMU) */
	int ram;
	uint8_t *ram_va;
};

static bool
d_send(struct drig *r, int32_t cmd, const void *data, uint64_t size, const int *fds,
       unsigned int nfds)
{
	return mpq_test_send(r->q, cmd, data, size, fds, nfds);
}

/* The daemon's answer (RET, size 8), waited for as QEMU waits: bounded here. */
static uint64_t
d_ret(struct drig *r)
{
	uint8_t buf[MPQ_HDR_SIZE + 8];
	size_t got = 0;
	int32_t cmd;
	uint64_t size, val;

	while (got < sizeof(buf)) {
		struct pollfd p = { .fd = r->q, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, WAIT_MS) != 1) {
			CU_FAIL("no answer from xengt-dm-qemu");
			return ~0ull;
		}
		n = recv(r->q, buf + got, sizeof(buf) - got, 0);
		if (n <= 0) {
			CU_FAIL("xengt-dm-qemu closed the proxy socket");
			return ~0ull;
		}
		got += (size_t)n;
	}
	memcpy(&cmd, buf, 4);
	memcpy(&size, buf + 8, 8);
	memcpy(&val, buf + MPQ_HDR_SIZE, 8);
	CU_ASSERT_EQUAL(cmd, MPQ_RET);
	CU_ASSERT_EQUAL(size, 8);
	return val;
}

static uint64_t
d_cfg(struct drig *r, bool write, uint32_t addr, int len, uint32_t val)
{
	struct mpq_conf c = { .addr = addr, .val = val, .len = len };

	CU_ASSERT_TRUE(d_send(r, write ? MPQ_CFG_WRITE : MPQ_CFG_READ, &c, sizeof(c), NULL, 0));
	return d_ret(r);
}

static uint64_t
d_bar(struct drig *r, bool write, uint64_t addr, unsigned int size, uint64_t val)
{
	struct mpq_bar b = { .addr = addr, .val = val, .size = size, .memory = 1 };

	CU_ASSERT_TRUE(d_send(r, write ? MPQ_BAR_WRITE : MPQ_BAR_READ, &b, sizeof(b), NULL, 0));
	return d_ret(r);
}

/* Is domain DOMID in `list`? */
static bool
listed(const struct scn *s, void *arg)
{
	char out[2048];

	(void)arg;
	if (scn_ctl(s, "list", out, sizeof(out)))
		return false;
	return strstr(out, "domid=3 ") != NULL;
}

static bool
not_listed(const struct scn *s, void *arg)
{
	char out[2048];

	(void)arg;
	return scn_ctl(s, "list", out, sizeof(out)) == 0 && strstr(out, "domid=") == NULL;
}

static bool
d_start(struct drig *r)
{
	char bin[256], log[160], fdarg[32];
	int sv[2];

	r->q = -1;
	if (access(test_build_path("xengt-dm-qemu", bin, sizeof(bin)), X_OK)) {
		test_skip("build/xengt-dm-qemu missing");
		return false;
	}
	test_machine_new(r->s.machine, sizeof(r->s.machine));
	snprintf(r->s.sock, sizeof(r->s.sock), "/tmp/xengt-test-%s.sock", r->s.machine);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	r->q = sv[0];
	snprintf(fdarg, sizeof(fdarg), "%d:%d", DOMID, sv[1]);
	scn_log_path(&r->s, log, sizeof(log));
	fflush(NULL);
	r->s.pid = fork();
	CU_ASSERT_FATAL(r->s.pid >= 0);
	if (r->s.pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* The proxy socket is inherited, as QEMU's launcher would hand it over. */
		fcntl(sv[1], F_SETFD, 0);
		close(sv[0]);
		setenv("XENSIM_MACHINE", r->s.machine, 1);
		unsetenv("XENGT_QUIET");
		execl(bin, bin, "--socket", r->s.sock, "--domid", "3", "--vgpu", "type=GVTg_V5_8",
		      "--proxy-fd", fdarg, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	if (!scn_wait_for(&r->s, listed, NULL, WAIT_MS)) {
		CU_FAIL("xengt-dm-qemu did not list domain 3");
		return false;
	}
	r->ram = memfd_create("guest-ram", MFD_CLOEXEC);
	CU_ASSERT_FATAL(r->ram >= 0);
	CU_ASSERT_EQUAL_FATAL(ftruncate(r->ram, (off_t)RAM_SIZE), 0);
	r->ram_va = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->ram, 0);
	CU_ASSERT_FATAL(r->ram_va != MAP_FAILED);
	return true;
}

static void
d_stop(struct drig *r)
{
	int status = 0;

	if (r->q >= 0)
		close(r->q);
	if (r->s.pid > 0) {
		kill(r->s.pid, SIGTERM);
		CU_ASSERT_TRUE(scn_wait_exit(r->s.pid, WAIT_MS, &status));
		CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	if (r->ram_va && r->ram_va != MAP_FAILED)
		munmap(r->ram_va, RAM_SIZE);
	if (r->ram > 0)
		close(r->ram);
	unlink(r->s.sock);
	if (!getenv("XENGT_TEST_VERBOSE")) {
		char log[160];

		unlink(scn_log_path(&r->s, log, sizeof(log)));
	}
	test_machine_done(r->s.machine);
}

/* Run build/xengt-ctl with args; its stdout into out. Exit status. */
static int
ctl_run(const struct drig *r, const char *args, char *out, size_t len)
{
	char bin[256], cmd[600];
	size_t got = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s -s %s %s", test_build_path("xengt-ctl", bin, sizeof(bin)),
		 r->s.sock, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (got + 1 < len) {
		size_t n = fread(out + got, 1, len - 1 - got, f);

		if (!n)
			break;
		got += n;
	}
	out[got] = '\0';
	return pclose(f);
}

static void
test_daemon_serves_proxy(void)
{
	struct mpq_sysmem sm = { .gpas = { 0 }, .sizes = { RAM_SIZE }, .offsets = { 0 } };
	char out[8192], low[32];
	struct drig r = { .q = -1 };
	uint64_t low_base;

	if (!d_start(&r)) {
		d_stop(&r);
		return;
	}
	CU_ASSERT_TRUE(d_send(&r, MPQ_SYNC_SYSMEM, &sm, sizeof(sm), &r.ram, 1));
	/* The proxy's probe, then SeaBIOS's placement. */
	CU_ASSERT_EQUAL(d_cfg(&r, false, 0x00, 2, 0), 0x8086);
	CU_ASSERT_EQUAL(d_cfg(&r, false, 0x02, 2, 0), 0x1912);
	CU_ASSERT_EQUAL(d_cfg(&r, true, 0x10, 4, 0xffffffffu), 0);
	CU_ASSERT_EQUAL(d_cfg(&r, false, 0x10, 4, 0), 0xff000000u);	/* bars=32 by default */
	CU_ASSERT_EQUAL(d_cfg(&r, false, 0x14, 4, 0), 0);
	CU_ASSERT_EQUAL(d_cfg(&r, true, 0x10, 4, (uint32_t)BAR0), 0);
	CU_ASSERT_EQUAL(d_cfg(&r, true, 0x18, 4, (uint32_t)BAR2), 0);
	CU_ASSERT_EQUAL(d_cfg(&r, true, 0x04, 2, 0x6), 0);
	CU_ASSERT_EQUAL(d_bar(&r, false, BAR0 + 0x78000, 8, 0), 0x4776544776544776ull);
	/* A GGTT entry of the slice, then its page through the aperture. */
	low_base = d_bar(&r, false, BAR0 + 0x78040, 4, 0);	/* PV info: mappable base */
	memcpy(r.ram_va + 0x5000 + 0x40, "\xef\xbe\xad\xde", 4);
	CU_ASSERT_EQUAL(d_bar(&r, true, BAR0 + (8u << 20) + (low_base >> 12) * 8, 8, 0x5000 | 1), 0);
	CU_ASSERT_EQUAL(d_bar(&r, false, BAR2 + low_base + 0x40, 4, 0), 0xdeadbeefu);
	/* xengt-ctl, unchanged: list, trap map, counters. */
	CU_ASSERT_EQUAL(ctl_run(&r, "list", out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "GVTg_V5_8"));
	scn_trap_map(&r.s, DOMID, out, sizeof(out));
	CU_ASSERT_TRUE(scn_has_row(out, "proxy", BAR0));
	CU_ASSERT_TRUE(scn_has_row(out, "proxy", BAR2 + low_base));
	CU_ASSERT_PTR_NULL(strstr(out, "mech=direct"));
	CU_ASSERT_PTR_NULL(strstr(out, "mech=ioreq"));
	CU_ASSERT_EQUAL(ctl_run(&r, "trap-map 3", out, sizeof(out)), 0);
	snprintf(low, sizeof(low), "0x%08llx", (unsigned long long)(BAR2 + low_base));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, low));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "proxy"));
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_aperture"), 1);
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_sync_sysmem"), 1);
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_ram_bytes"), RAM_SIZE);
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_connected"), 1);
	CU_ASSERT_EQUAL(ctl_run(&r, "stats 3 qemu_cfg_write", out, sizeof(out)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "QEMU_CFG_WRITE"));	/* a table row */
	/* QEMU exits: the daemon notices and detaches the vGPU on its own. */
	close(r.q);
	r.q = -1;
	CU_ASSERT_TRUE(scn_wait_for(&r.s, not_listed, NULL, WAIT_MS));
	d_stop(&r);
}

/* An empty RET (DEVICE_RESET's answer), waited for as QEMU waits. */
static bool
d_ret_empty(struct drig *r)
{
	uint8_t buf[MPQ_HDR_SIZE];
	size_t got = 0;
	int32_t cmd;
	uint64_t size;

	while (got < sizeof(buf)) {
		struct pollfd p = { .fd = r->q, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, WAIT_MS) != 1)
			return false;
		n = recv(r->q, buf + got, sizeof(buf) - got, 0);
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	memcpy(&cmd, buf, 4);
	memcpy(&size, buf + 8, 8);
	return cmd == MPQ_RET && size == 0;
}

/* The vGPU id `list` shows for DOMID (0: none). */
static uint64_t
listed_vgpu(struct drig *r)
{
	char out[2048];
	const char *p;

	if (scn_ctl(&r->s, "list", out, sizeof(out)))
		return 0;
	p = strstr(out, "domid=3 ");
	return p ? scn_ctl_val(p, "vgpu") : 0;
}

/*
 * QEMU's DEVICE_RESET (a machine reset, a guest reboot): the daemon
 * replaces the vGPU with a fresh one before it serves what QEMU sends
 * next, so the rebooting guest's firmware finds a device at power-on
 * state: config space without its BARs and decode, registers at their
 * reset values; the domain stays served.
 */
static void
test_daemon_device_reset(void)
{
	struct mpq_sysmem sm = { .gpas = { 0 }, .sizes = { RAM_SIZE }, .offsets = { 0 } };
	struct mpq_conf c = { .addr = 0x04, .len = 2 };
	struct drig r = { .q = -1 };

	if (!d_start(&r)) {
		d_stop(&r);
		return;
	}
	CU_ASSERT_TRUE(d_send(&r, MPQ_SYNC_SYSMEM, &sm, sizeof(sm), &r.ram, 1));
	CU_ASSERT_EQUAL(d_cfg(&r, true, 0x10, 4, (uint32_t)BAR0), 0);
	CU_ASSERT_EQUAL(d_cfg(&r, true, 0x04, 2, 0x6), 0);
	/* A plain register (SWF scratch) keeps what the guest wrote. */
	CU_ASSERT_EQUAL(d_bar(&r, true, BAR0 + 0x4f060, 4, 0x12345678), 0);
	CU_ASSERT_EQUAL(d_bar(&r, false, BAR0 + 0x4f060, 4, 0), 0x12345678);
	CU_ASSERT(listed_vgpu(&r) > 0);
	/* The reset, and right behind it (not waiting for its answer) a config read. */
	CU_ASSERT_TRUE(d_send(&r, MPQ_DEVICE_RESET, NULL, 0, NULL, 0));
	CU_ASSERT_TRUE(d_send(&r, MPQ_CFG_READ, &c, sizeof(c), NULL, 0));
	CU_ASSERT_TRUE(d_ret_empty(&r));
	CU_ASSERT_EQUAL(d_ret(&r), 0);		/* the new vGPU's command register */
	CU_ASSERT_EQUAL(d_cfg(&r, false, 0x10, 4, 0), 0);	/* BAR0 unassigned */
	CU_ASSERT_EQUAL(d_cfg(&r, false, 0x00, 2, 0), 0x8086);
	CU_ASSERT_EQUAL(d_cfg(&r, true, 0x10, 4, (uint32_t)BAR0), 0);
	CU_ASSERT_EQUAL(d_cfg(&r, true, 0x04, 2, 0x6), 0);
	CU_ASSERT_EQUAL(d_bar(&r, false, BAR0 + 0x4f060, 4, 0), 0);
	CU_ASSERT_EQUAL(d_bar(&r, false, BAR0 + 0x78000, 8, 0), 0x4776544776544776ull);
	CU_ASSERT(listed_vgpu(&r) > 0);	/* still served (the id may be the one just freed) */
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_resets"), 1);
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "failsafe"), 0);
	d_stop(&r);
}

/* ---- a real QEMU ---- */

/* The patched QEMU 7.2 that `make qemu` caches ($XENGT_QEMU wins); false if none. */
static bool
find_qemu(char *buf, size_t len)
{
	const char *env = getenv("XENGT_QEMU"), *cache = getenv("XENGT_QEMU_CACHE");
	char pat[512];
	glob_t g;
	bool ok = false;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return access(buf, X_OK) == 0;
	}
	snprintf(pat, sizeof(pat), "%s/qemu-*/bin/qemu-system-x86_64",
		 cache && *cache ? cache : "/var/cache/xengt-dm");
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && !ok; i++)
			if (access(g.gl_pathv[i], X_OK) == 0) {
				snprintf(buf, len, "%s", g.gl_pathv[i]);
				ok = true;
			}
		globfree(&g);
	}
	return ok;
}

/* Read from the HMP socket until the "(qemu) " prompt; the text before it in out. */
static bool
hmp_until_prompt(int fd, char *out, size_t len)
{
	size_t got = 0;

	out[0] = '\0';
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (strstr(out, "(qemu) "))
			return true;
		if (got + 1 >= len || poll(&p, 1, WAIT_MS) != 1)
			return false;
		n = read(fd, out + got, len - 1 - got);
		if (n <= 0)
			return false;
		got += (size_t)n;
		out[got] = '\0';
	}
}

static int
hmp_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(sa.sun_path)) {
		close(fd);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	for (int t = 0; fd >= 0 && t < WAIT_MS; t += 10) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		scn_sleep_ms(10);
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* SeaBIOS has placed the BARs: the trap map has the aperture slice (memory decode on). */
static bool
bars_placed(const struct scn *s, void *arg)
{
	char out[4096];

	(void)arg;
	if (scn_ctl(s, "trap-map 3", out, sizeof(out)))
		return false;
	return strstr(out, "what=BAR2_aperture_slice") && strstr(out, "what=BAR4_ports");
}

/* The start of the trap-map row named what, ~0 if none. */
static uint64_t
row_start(const char *map, const char *what)
{
	const char *p = strstr(map, what);

	while (p && p > map && p[-1] != '\n')
		p--;
	return p ? scn_ctl_val(p, "start") : ~0ull;
}

static void
test_real_qemu_firmware(void)
{
	char qemu[512], mon[128], out[8192], want[96], fdarg[48];
	struct drig r = { .q = -1 };
	uint64_t bar0, bar2;
	pid_t qpid;
	int m = -1, status = 0;

	if (!find_qemu(qemu, sizeof(qemu))) {
		test_skip("no QEMU with x-pci-proxy-dev in /var/cache/xengt-dm (make qemu)");
		return;
	}
	if (access("/usr/share/seabios/bios-256k.bin", R_OK)) {
		test_skip("no SeaBIOS (/usr/share/seabios, package seabios)");
		return;
	}
	if (!d_start(&r)) {
		d_stop(&r);
		return;
	}
	/* QEMU gets the fake QEMU's end (r.q): the daemon has the other since d_start. */
	snprintf(mon, sizeof(mon), "/tmp/xengt-test-%s.mon", r.s.machine);
	snprintf(fdarg, sizeof(fdarg), "x-pci-proxy-dev,id=vgpu0,fd=%d,addr=0x2", r.q);
	unlink(mon);
	fflush(NULL);
	qpid = fork();
	CU_ASSERT_FATAL(qpid >= 0);
	if (qpid == 0) {
		char monarg[160];
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		fcntl(r.q, F_SETFD, 0);
		snprintf(monarg, sizeof(monarg), "unix:%s,server=on,wait=off", mon);
		execl(qemu, qemu, "-L", "/usr/share/seabios", "-L", "/usr/share/qemu", "-M", "pc",
		      "-accel", "tcg", "-m", "256", "-object",
		      "memory-backend-memfd,id=mem,size=256M,share=on", "-numa", "node,memdev=mem",
		      "-vga", "none", "-nodefaults", "-display", "none", "-serial", "none",
		      "-device", fdarg, "-monitor", monarg, (char *)NULL);
		_exit(127);
	}
	close(r.q);
	r.q = -1;
	/* The proxy's realize (SYNC_SYSMEM, SET_IRQFD, probe), machine reset, then SeaBIOS. */
	CU_ASSERT_TRUE(scn_wait_for(&r.s, bars_placed, NULL, 3 * WAIT_MS));
	scn_trap_map(&r.s, DOMID, out, sizeof(out));
	bar0 = row_start(out, "what=BAR0_regs");
	{
		char part[512];

		CU_ASSERT_EQUAL(scn_ctl(&r.s, "partition 3", part, sizeof(part)), 0);
		bar2 = row_start(out, "what=BAR2_aperture_slice") - scn_ctl_val(part, "low_base");
	}
	CU_ASSERT_PTR_NULL(strstr(out, "mech=direct"));
	CU_ASSERT_PTR_NULL(strstr(out, "mech=ioreq"));
	/* 32-bit BARs inside SeaBIOS's window of the pc machine. */
	CU_ASSERT_TRUE(bar0 >= 0x80000000ull && bar0 < 0xfec00000ull);
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_set_irqfd"), 1);
	CU_ASSERT_TRUE(scn_stat(&r.s, DOMID, "qemu_resets") >= 1);
	CU_ASSERT_TRUE(scn_stat(&r.s, DOMID, "qemu_sync_sysmem") >= 1);
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_ram_bytes"), 256ull << 20);
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_violations"), 0);
	CU_ASSERT_EQUAL(scn_stat(&r.s, DOMID, "qemu_connected"), 1);
	/* QEMU's own view of the device's BARs is the same. */
	m = hmp_connect(mon);
	CU_ASSERT_FATAL(m >= 0);
	CU_ASSERT_TRUE(hmp_until_prompt(m, out, sizeof(out)));
	CU_ASSERT_EQUAL(write(m, "info pci\n", 9), 9);
	CU_ASSERT_TRUE(hmp_until_prompt(m, out, sizeof(out)));
	snprintf(want, sizeof(want), "BAR0: 32 bit memory at 0x%08" PRIx64 " [0x%08" PRIx64 "]",
		 bar0, bar0 + (16u << 20) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	snprintf(want, sizeof(want), "BAR2: 32 bit memory at 0x%08" PRIx64 " [0x%08" PRIx64 "]",
		 bar2, bar2 + (UINT64_C(1) << 30) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "BAR4: I/O at "));
	CU_ASSERT_PTR_NULL(strstr(out, "BAR1:"));
	CU_ASSERT_PTR_NULL(strstr(out, "BAR3:"));
	/* QEMU quits: the daemon detaches the vGPU. */
	CU_ASSERT_TRUE(write(m, "quit\n", 5) == 5);
	CU_ASSERT_TRUE(scn_wait_exit(qpid, WAIT_MS, &status));
	CU_ASSERT_TRUE(scn_wait_for(&r.s, not_listed, NULL, WAIT_MS));
	if (waitpid(qpid, NULL, WNOHANG) == 0) {
		kill(qpid, SIGKILL);
		waitpid(qpid, NULL, 0);
	}
	close(m);
	unlink(mon);
	d_stop(&r);
}

void suite_qemu_glue_daemon(void);

void
suite_qemu_glue_daemon(void)
{
	static const struct test_case cases[] = {
		{ "xengt-dm-qemu serves a fake QEMU; xengt-ctl; reaped on hangup",
		  test_daemon_serves_proxy },
		{ "DEVICE_RESET: a fresh vGPU before QEMU's next message", test_daemon_device_reset },
		{ "a real QEMU's proxy and SeaBIOS: probe, 32-bit BARs, info pci agrees",
		  test_real_qemu_firmware },
		{ NULL, NULL },
	};

	test_add_suite("qemu_glue_daemon", cases);
}
