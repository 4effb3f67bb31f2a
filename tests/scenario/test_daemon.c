/* SPDX-License-Identifier: MIT */
/*
 * test_daemon.c — xengt-dm-sim as a separate process on a private sim
 * machine, this process as the guest vCPU: config cycles, BAR placement,
 * PV info, direct aperture, trap counts (control socket) against the
 * sim's route counters, malformed raw ioreqs, SIGTERM teardown, a killed
 * daemon, and run-time attach/detach of a second domain.
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

#include "sim/xensim.h"
#include "tests/test_util.h"

#define T_BAR0 0xe0000000ull
#define T_BAR2 0x80000000ull
#define T_BAR4 0xc000u
#define T_DEV 2
#define T_SPEC "type=xengt_small"
#define BAR0_GGTT_TEST_OFF (8ull << 20)	/* the GGTT half of BAR0 (Gen9) */

struct daemon {
	char machine[64];
	char sock[100];
	pid_t pid;
	int domid;
	struct sim_vcpu *c;
};

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* One request on the control socket; the whole reply in out. 0 or -errno. */
static int
ctl(const struct daemon *d, const char *req, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->sock);
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

/* Value of key= in a reply, or ~0. */
static uint64_t
ctl_val(const char *reply, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "%s=", key);
	for (p = strstr(reply, pat); p; p = strstr(p + 1, pat))
		if (p == reply || p[-1] == '\n' || p[-1] == ' ')
			return strtoull(p + strlen(pat), NULL, 0);
	return ~0ull;
}

/* Start the daemon for domid; extra: more options, NULL-terminated (may be NULL). */
static pid_t
spawn(const struct daemon *d, const char *const *extra, int domid, const char *spec)
{
	char bin[256], log[160], dom[16];
	const char *argv[24];
	int n = 0;
	pid_t pid;

	test_build_path("xengt-dm-sim", bin, sizeof(bin));
	snprintf(log, sizeof(log), "/tmp/xengt-test-%s.log", d->machine);
	snprintf(dom, sizeof(dom), "%d", domid);
	argv[n++] = bin;
	argv[n++] = "--socket";
	argv[n++] = d->sock;
	argv[n++] = "--domid";
	argv[n++] = dom;
	argv[n++] = "--vgpu";
	argv[n++] = spec;
	for (int i = 0; extra && extra[i] && n < 23; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

/* Wait until the daemon wrote device-model/<domid>/state = running. */
static bool
wait_running(const struct daemon *d, int domid)
{
	char path[96], val[32];

	snprintf(path, sizeof(path), "/local/domain/0/device-model/%d/state", domid);
	for (int i = 0; i < 500; i++) {
		if (xensim_xs_read(d->machine, path, val, sizeof(val)) == 0 &&
		    !strcmp(val, "running"))
			return true;
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid)
			return false;
		sleep_ms(10);
	}
	return false;
}

/* Machine, domain, daemon, guest vCPU. false (and a skip) if anything is missing. */
static bool
daemon_start(struct daemon *d, const char *const *extra)
{
	char bin[256];

	memset(d, 0, sizeof(*d));
	if (access(test_build_path("xengt-dm-sim", bin, sizeof(bin)), X_OK)) {
		test_skip("build/xengt-dm-sim missing");
		return false;
	}
	test_machine_new(d->machine, sizeof(d->machine));
	setenv("XENSIM_MACHINE", d->machine, 1);
	snprintf(d->sock, sizeof(d->sock), "/tmp/xengt-test-%s.sock", d->machine);
	d->domid = xensim_domain_create(d->machine, 64, 2);
	CU_ASSERT_TRUE_FATAL(d->domid > 0);
	d->pid = spawn(d, extra, d->domid, T_SPEC);
	CU_ASSERT_TRUE_FATAL(d->pid > 0);
	if (!wait_running(d, d->domid)) {
		CU_FAIL("daemon did not reach state running");
		return false;
	}
	CU_ASSERT_EQUAL(xensim_domain_unpause(d->machine, d->domid), 0);
	d->c = sim_vcpu_attach(d->machine, d->domid, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->c);
	return true;
}

static void
daemon_stop(struct daemon *d)
{
	if (d->c)
		sim_vcpu_detach(d->c);
	if (d->pid > 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
	}
	unlink(d->sock);
	test_machine_done(d->machine);
}

static uint32_t
cfg_read(struct daemon *d, unsigned int reg, unsigned int size)
{
	uint32_t v = 0;

	CU_ASSERT_EQUAL(sim_pio_write(d->c, 0xcf8, 4, 0x80000000u | T_DEV << 11 | (reg & 0xfc)), 0);
	CU_ASSERT_EQUAL(sim_pio_read(d->c, (uint16_t)(0xcfc + (reg & 3)), size, &v), 0);
	return v;
}

static void
cfg_write(struct daemon *d, unsigned int reg, unsigned int size, uint32_t v)
{
	CU_ASSERT_EQUAL(sim_pio_write(d->c, 0xcf8, 4, 0x80000000u | T_DEV << 11 | (reg & 0xfc)), 0);
	CU_ASSERT_EQUAL(sim_pio_write(d->c, (uint16_t)(0xcfc + (reg & 3)), size, v), 0);
}

/* Place the BARs the way hvmloader does, then enable decoding. */
static void
place_bars(struct daemon *d)
{
	cfg_write(d, 0x10, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfg_read(d, 0x10, 4) & 0xfffffff0u, 0xff000000u); /* 16 MiB */
	cfg_write(d, 0x10, 4, (uint32_t)T_BAR0);
	cfg_write(d, 0x14, 4, 0);
	cfg_write(d, 0x18, 4, (uint32_t)T_BAR2);
	cfg_write(d, 0x1c, 4, 0);
	cfg_write(d, 0x20, 4, T_BAR4);
	cfg_write(d, 0x04, 2, 0x0007);
}

static void
test_guest_detects_vgpu(void)
{
	struct daemon d;
	uint64_t magic = 0;

	if (!daemon_start(&d, NULL))
		goto out;
	CU_ASSERT_EQUAL(cfg_read(&d, 0x00, 4), 0x19128086u);
	CU_ASSERT_EQUAL(cfg_read(&d, 0x0a, 2), 0x0300);	/* VGA class */
	place_bars(&d);
	CU_ASSERT_EQUAL(sim_mem_read(d.c, T_BAR0 + 0x78000, 8, &magic), 0);
	CU_ASSERT_EQUAL(magic, 0x4776544776544776ull);	/* "vGTvGTvG" */
	/* A config cycle to a slot nobody claims: all-ones without an ioreq. */
	CU_ASSERT_EQUAL(sim_pio_write(d.c, 0xcf8, 4, 0x80000000u | 5 << 11), 0);
	{
		uint32_t v = 0;

		CU_ASSERT_EQUAL(sim_pio_read(d.c, 0xcfc, 4, &v), 0);
		CU_ASSERT_EQUAL(v, 0xffffffffu);
	}
out:
	daemon_stop(&d);
}

static void
test_trap_counts_match_sim(void)
{
	struct daemon d;
	uint64_t before[ROUTE_NR], after[ROUTE_NR], v;
	char reply[8192];

	if (!daemon_start(&d, NULL))
		goto out;
	place_bars(&d);
	/* An aperture write inside the vGPU's slice: direct, zero ioreqs. */
	CU_ASSERT_EQUAL(sim_mem_read(d.c, T_BAR0 + 0x78040, 4, &v), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, before), 0);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR2 + v + 0x100, 4, 0x12345678), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_DIRECT_WRITE], before[ROUTE_DIRECT_WRITE] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_MMIO_IOREQ], before[ROUTE_MMIO_IOREQ]);
	CU_ASSERT_EQUAL(after[ROUTE_PCI_IOREQ], before[ROUTE_PCI_IOREQ]);
	/* Some register traffic, a port access, a rep, an INVALIDATE. */
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(sim_mem_read(d.c, T_BAR0 + 0x78000, 4, &v), 0);
	{
		uint32_t p = 0;

		CU_ASSERT_EQUAL(sim_pio_write(d.c, T_BAR4, 4, 0x78000), 0);
		CU_ASSERT_EQUAL(sim_pio_read(d.c, T_BAR4 + 4, 4, &p), 0);
		CU_ASSERT_EQUAL(p, 0x76544776u);	/* PV magic low dword via index/data */
	}
	CU_ASSERT_EQUAL(sim_rep(d.c, false, false, T_BAR0 + 0x78000, 0x10000, 4, 2, false), 0);
	{
		uint32_t *ram = sim_guest_ram(d.c, 0x10000, 8);

		CU_ASSERT_PTR_NOT_NULL_FATAL(ram);
		CU_ASSERT_EQUAL(ram[0], 0x76544776u);	/* rep movs from the BAR to RAM */
		CU_ASSERT_EQUAL(ram[1], 0x47765447u);
	}
	CU_ASSERT_EQUAL(sim_broadcast_invalidate(d.c), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, after), 0);
	{
		char req[32];

		snprintf(req, sizeof(req), "stats %d", d.domid);
		CU_ASSERT_EQUAL(ctl(&d, req, reply, sizeof(reply)), 0);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\nok\n"));
	CU_ASSERT_EQUAL(ctl_val(reply, "ioreq_pci"), after[ROUTE_PCI_IOREQ]);
	CU_ASSERT_EQUAL(ctl_val(reply, "ioreq_mmio"),
			after[ROUTE_MMIO_IOREQ] + after[ROUTE_WP_WRITE_IOREQ]);
	CU_ASSERT_EQUAL(ctl_val(reply, "ioreq_pio"), after[ROUTE_PIO_IOREQ]);
	CU_ASSERT_EQUAL(ctl_val(reply, "ioreq_invalidate"), 1);
	CU_ASSERT_TRUE(after[ROUTE_PCI_IOREQ] > 0);
	CU_ASSERT_TRUE(after[ROUTE_MMIO_IOREQ] >= 12);
	/* The mediator's view agrees with the transport's. */
	CU_ASSERT_EQUAL(ctl_val(reply, "cfg_reads") + ctl_val(reply, "cfg_writes"),
			after[ROUTE_PCI_IOREQ]);
out:
	daemon_stop(&d);
}

/* Raw malformed ioreqs on the vCPU's slot: safe answers, counters, no crash. */
static void
test_malformed_raw(void)
{
	static const struct {
		struct sim_raw_ioreq r;
		const char *counter;
		uint64_t want_data;
	} bad[] = {
		{ { .type = 3, .dir = 1, .size = 4, .count = 1, .addr = T_BAR0 },
		  "ioreq_bad_type", 0xffffffffu },
		{ { .type = 1, .dir = 1, .size = 3, .count = 1, .addr = T_BAR0 },
		  "ioreq_bad_size", ~0ull },
		{ { .type = 1, .dir = 1, .size = 4, .count = 0, .addr = T_BAR0 },
		  "ioreq_bad_count-zero", 0xffffffffu },
		{ { .type = 1, .dir = 1, .size = 4, .count = 0x7fffffff, .addr = T_BAR0 },
		  "ioreq_bad_count-max", 0xffffffffu },
		{ { .type = 1, .dir = 1, .size = 4, .count = 1, .addr = 0xd0000000 },
		  "ioreq_bad_range", 0xffffffffu },
		{ { .type = 2, .dir = 1, .size = 8, .count = 1, .addr = 0x10ull << 32 },
		  "ioreq_bad_pci-size", ~0ull },
		{ { .type = 2, .dir = 1, .size = 4, .count = 1, .addr = 0x18ull << 32 },
		  "ioreq_bad_pci-sbdf", 0xffffffffu },
		{ { .type = 1, .dir = 1, .size = 4, .count = 2, .data_is_ptr = 1,
		    .addr = T_BAR0 + 0x78000, .data = 0x3f000000 },
		  "ioreq_bad_ptr", 0x3f000000 },
	};
	struct daemon d;
	char reply[8192], req[32];

	if (!daemon_start(&d, NULL))
		goto out;
	place_bars(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sim_raw_ioreq r = bad[i].r;

		CU_ASSERT_EQUAL(sim_send_raw_ioreq(d.c, 0, &r), 0);
		if (r.data != bad[i].want_data)
			printf("\n    %s: data %#llx", bad[i].counter, (unsigned long long)r.data);
		CU_ASSERT_EQUAL(r.data, bad[i].want_data);
	}
	snprintf(req, sizeof(req), "stats %d", d.domid);
	CU_ASSERT_EQUAL(ctl(&d, req, reply, sizeof(reply)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(ctl_val(reply, bad[i].counter), 1);
	/* The daemon is alive and the vGPU still answers. */
	{
		uint64_t magic = 0;

		CU_ASSERT_EQUAL(sim_mem_read(d.c, T_BAR0 + 0x78000, 8, &magic), 0);
		CU_ASSERT_EQUAL(magic, 0x4776544776544776ull);
	}
out:
	daemon_stop(&d);
}

static void
test_null_mmio(void)
{
	struct daemon d;
	char reply[8192], req[32];
	uint64_t v = 1;

	static const char *const opts[] = { "--null-mmio", "0xf0000000", NULL };

	if (!daemon_start(&d, opts))
		goto out;
	CU_ASSERT_EQUAL(sim_mem_write(d.c, 0xf0000010, 4, 0xdead), 0);
	CU_ASSERT_EQUAL(sim_mem_read(d.c, 0xf0000010, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	snprintf(req, sizeof(req), "stats %d", d.domid);
	CU_ASSERT_EQUAL(ctl(&d, req, reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(ctl_val(reply, "ioreq_null"), 2);
	CU_ASSERT_EQUAL(ctl_val(reply, "mmio_reads") + ctl_val(reply, "mmio_writes"), 0);
	snprintf(req, sizeof(req), "trap-map %d", d.domid);
	CU_ASSERT_EQUAL(ctl(&d, req, reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "what=null-mmio traps=2"));
out:
	daemon_stop(&d);
}

static uint64_t
stat_of(const struct daemon *d, int domid, const char *key)
{
	char reply[8192], req[32];

	snprintf(req, sizeof(req), "stats %d", domid);
	if (ctl(d, req, reply, sizeof(reply)))
		return ~0ull;
	return ctl_val(reply, key);
}

/*
 * The buffered ring: stdvga-style writes into a page we claim (the null
 * page at 0xa0000), more than the ring holds so it wraps and Xen's
 * synchronous fallback kicks in; 8-byte TIMEOFFSETs in the two-slot form.
 */
static void
buffered_ring(const char *mode)
{
	const char *const opts[] = { "--null-mmio", "0xa0000", "--bufioreq", mode, NULL };
	uint64_t r[ROUTE_NR], got = 0;
	struct daemon d;

	if (!daemon_start(&d, opts))
		goto out;
	for (int i = 0; i < 1200; i++)
		CU_ASSERT_EQUAL(sim_buffered_write(d.c, 0xa0000 + (i % 512) * 8, i & 1 ? 8 : 4,
						   0x1111111122222222ull), 0);
	for (int i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(sim_broadcast_timeoffset(d.c, 0x100000000ull * i + 7), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, r), 0);
	CU_ASSERT_EQUAL(r[ROUTE_BUFFERED] + r[ROUTE_MMIO_IOREQ], 1200);
	CU_ASSERT_TRUE(r[ROUTE_BUFFERED] > 0);
	for (int i = 0; i < 500; i++) {	/* the daemon drains asynchronously */
		got = stat_of(&d, d.domid, "ioreq_buffered");
		if (got == r[ROUTE_BUFFERED] + r[ROUTE_BROADCAST])
			break;
		sleep_ms(10);
	}
	CU_ASSERT_EQUAL(got, r[ROUTE_BUFFERED] + r[ROUTE_BROADCAST]);
	CU_ASSERT_EQUAL(r[ROUTE_BROADCAST], 3);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_null"), 1200);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_mmio"), 1200);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_timeoffset"), 3);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_time_offset"), 0x300000007ull);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_bad_buf-short"), 0);
out:
	daemon_stop(&d);
}

/*
 * A PPGTT root announced through PV info becomes write-protected in the
 * p2m (HVMMEM_ioreq_server): reads stay direct, writes trap as COPY
 * ioreqs and land in guest memory through the glue; destroy releases it.
 */
static void
test_page_table_write_traps(void)
{
	const uint64_t root = 0x30000;
	uint64_t before[ROUTE_NR], after[ROUTE_NR], v = 0;
	struct daemon d;

	if (!daemon_start(&d, NULL))
		goto out;
	place_bars(&d);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, root + 0x10, 8, 0x1111), 0);	/* plain RAM */
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x78838, 4, (uint32_t)root), 0);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x7883c, 4, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x78818, 4, 4), 0);	/* L4 create */
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, before), 0);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, root + 0x10, 8, 0xabc0001003ull), 0);
	CU_ASSERT_EQUAL(sim_mem_read(d.c, root + 0x10, 8, &v), 0);
	CU_ASSERT_EQUAL(v, 0xabc0001003ull);
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_WP_WRITE_IOREQ], before[ROUTE_WP_WRITE_IOREQ] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_WP_READ], before[ROUTE_WP_READ] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE], before[ROUTE_RAM_WRITE]);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "page_writes"), 1);
	/* Destroy: the page is plain RAM again, writes no longer trap. */
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x78818, 4, 5), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, before), 0);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, root + 0x18, 8, 7), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE], before[ROUTE_RAM_WRITE] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_WP_WRITE_IOREQ], before[ROUTE_WP_WRITE_IOREQ]);
out:
	daemon_stop(&d);
}

/*
 * Xen picks the server when the vCPU faults and never performs a write to
 * a p2m_ioreq_server page itself (hvm/emulate.c). A write already in
 * flight when the mediator un-protects the page (here: right after the
 * g2v L4 destroy) must still land in guest RAM; sim_send_raw_ioreq plays
 * the request Xen had queued. Writes to what is not RAM are dropped whole.
 */
static void
test_late_write_after_unprotect(void)
{
	const uint64_t root = 0x30000, top = 64ull << 20;
	uint64_t v = 0, before[ROUTE_NR], after[ROUTE_NR];
	uint32_t *src;
	uint8_t *pg;
	struct daemon d;

	if (!daemon_start(&d, NULL))
		goto out;
	place_bars(&d);
	pg = sim_guest_ram(d.c, root, 4096);
	src = sim_guest_ram(d.c, 0x50000, 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	memset(pg, 0, 4096);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x78838, 4, (uint32_t)root), 0);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x7883c, 4, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x78818, 4, 4), 0);	/* L4 create */
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x78818, 4, 5), 0);	/* L4 destroy */
	/* The write Xen had already sent to us: plain 8 bytes. */
	{
		struct sim_raw_ioreq r = { .type = 1, .size = 8, .count = 1, .addr = root + 0x20,
					   .data = 0xfeedface12345678ull };

		CU_ASSERT_EQUAL(sim_send_raw_ioreq(d.c, 0, &r), 0);
		memcpy(&v, pg + 0x20, 8);
		CU_ASSERT_EQUAL(v, 0xfeedface12345678ull);
	}
	/* rep movsd from RAM (data_is_ptr) and a backwards rep stosw. */
	{
		struct sim_raw_ioreq r = { .type = 1, .size = 4, .count = 4, .data_is_ptr = 1,
					   .addr = root + 0x100, .data = 0x50000 };
		struct sim_raw_ioreq s2 = { .type = 1, .size = 2, .count = 3, .df = 1,
					    .addr = root + 0x204, .data = 0xbeef };

		for (uint32_t i = 0; i < 4; i++)
			src[i] = 0x1000 + i;
		CU_ASSERT_EQUAL(sim_send_raw_ioreq(d.c, 0, &r), 0);
		CU_ASSERT_EQUAL(memcmp(pg + 0x100, src, 16), 0);
		CU_ASSERT_EQUAL(sim_send_raw_ioreq(d.c, 0, &s2), 0);
		CU_ASSERT_EQUAL(pg[0x1fe], 0);
		CU_ASSERT_EQUAL(pg[0x200] | pg[0x201] << 8, 0xbeef);
		CU_ASSERT_EQUAL(pg[0x204] | pg[0x205] << 8, 0xbeef);
		CU_ASSERT_EQUAL(pg[0x206], 0);
	}
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_ram_write"), 3);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "page_writes"), 0);	/* not the mediator's */
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_bad_range"), 0);
	/* Not RAM (an MMIO hole), and a write running off the end of RAM: dropped whole. */
	{
		struct sim_raw_ioreq hole = { .type = 1, .size = 4, .count = 1, .addr = 0xd0000000,
					      .data = 1 };
		struct sim_raw_ioreq edge = { .type = 1, .size = 8, .count = 1, .addr = top - 4,
					      .data = ~0ull };
		uint32_t *last = sim_guest_ram(d.c, top - 4, 4);

		CU_ASSERT_PTR_NOT_NULL_FATAL(last);
		*last = 0x12345678;
		CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, before), 0);
		CU_ASSERT_EQUAL(sim_send_raw_ioreq(d.c, 0, &hole), 0);
		CU_ASSERT_EQUAL(sim_send_raw_ioreq(d.c, 0, &edge), 0);
		CU_ASSERT_EQUAL(*last, 0x12345678u);
		CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, after), 0);
		CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE], before[ROUTE_RAM_WRITE]);
	}
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_bad_range"), 2);
	/* Protected again: a late write straddling out of it must not bypass the mediator. */
	CU_ASSERT_EQUAL(sim_mem_write(d.c, T_BAR0 + 0x78818, 4, 4), 0);
	{
		struct sim_raw_ioreq r = { .type = 1, .size = 8, .count = 1, .addr = root + 0xffc,
					   .data = ~0ull };

		CU_ASSERT_EQUAL(sim_send_raw_ioreq(d.c, 0, &r), 0);
		CU_ASSERT_EQUAL(pg[0xffc] | pg[0xffd] | pg[0xffe] | pg[0xfff], 0);
	}
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_bad_range"), 3);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_ram_write"), 3);
out:
	daemon_stop(&d);
}

/* Position of the first line of the log containing pat, or -1. */
static long
log_pos(const char *log, const char *pat)
{
	const char *p = strstr(log, pat);

	return p ? p - log : -1;
}

/*
 * Buffered writes apply before a later synchronous access (QEMU's
 * cpu_handle_ioreq drains the buffered page first). vCPU 0 keeps the
 * daemon busy with long rep requests on slot 0, so vCPU 1's buffered write
 * and its following sync read of the same address are both waiting when
 * the daemon reaches slot 1; the daemon's ioreq debug log gives the order.
 */
static void
test_buffered_before_sync(void)
{
	const char *const opts[] = { "--null-mmio", "0xa0000", "--bufioreq", "atomic",
				     "--debug", "ioreq", NULL };
	char path[160], pat[64], *log = NULL;
	struct sim_vcpu *c1 = NULL;
	struct daemon d;
	pid_t storm = -1;
	size_t len = 0;
	char *quiet = getenv("XENGT_QUIET") ? strdup(getenv("XENGT_QUIET")) : NULL;
	bool started;
	FILE *f;

	/* XENGT_QUIET=1 would cap the daemon's log level below its --debug lines. */
	unsetenv("XENGT_QUIET");
	started = daemon_start(&d, opts);
	if (quiet)
		setenv("XENGT_QUIET", quiet, 1);
	free(quiet);
	if (!started)
		goto out;
	place_bars(&d);
	sim_vcpu_detach(d.c);
	d.c = NULL;
	storm = fork();
	if (storm == 0) {
		struct sim_vcpu *c = sim_vcpu_attach(d.machine, (uint32_t)d.domid, 0);

		for (int i = 0; c && i < 1000000; i++)
			sim_rep(c, false, false, T_BAR0 + 0x78000, 0x10000, 4, 1024, false);
		_exit(0);
	}
	c1 = sim_vcpu_attach(d.machine, (uint32_t)d.domid, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	sleep_ms(20);
	for (int i = 0; i < 40; i++) {
		uint64_t v = 1;

		CU_ASSERT_EQUAL(sim_buffered_write(c1, 0xa0000 + i * 8, 4, (uint64_t)i), 0);
		CU_ASSERT_EQUAL(sim_mem_read(c1, 0xa0000 + i * 8, 4, &v), 0);
		CU_ASSERT_EQUAL(v, 0);		/* the null page */
	}
	kill(storm, SIGKILL);
	waitpid(storm, NULL, 0);
	storm = -1;
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_null"), 80);
	snprintf(path, sizeof(path), "/tmp/xengt-test-%s.log", d.machine);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	{
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		/* Keep only the lines about the null page (the storm logs a lot). */
		while ((n = getline(&line, &cap, f)) > 0) {
			if (!strstr(line, "addr=0xa0"))
				continue;
			log = realloc(log, len + (size_t)n + 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(log);
			memcpy(log + len, line, (size_t)n + 1);
			len += (size_t)n;
		}
		free(line);
	}
	fclose(f);
	if (!log)
		printf("\n    no null-page lines in %s", path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	for (int i = 0; i < 40; i++) {
		long w, r;

		snprintf(pat, sizeof(pat), "mmio write addr=%#x ", 0xa0000 + i * 8);
		w = log_pos(log, pat);
		snprintf(pat, sizeof(pat), "mmio read addr=%#x ", 0xa0000 + i * 8);
		r = log_pos(log, pat);
		if (w < 0 || r < 0 || w > r)
			printf("\n    access %d: buffered write at %ld, sync read at %ld", i, w, r);
		CU_ASSERT_TRUE(w >= 0 && r > w);
	}
	free(log);
out:
	if (storm > 0) {
		kill(storm, SIGKILL);
		waitpid(storm, NULL, 0);
	}
	if (c1)
		sim_vcpu_detach(c1);
	daemon_stop(&d);
}

/* The trap map of the domain, from the control socket. */
static void
trap_map(const struct daemon *d, char *out, size_t len)
{
	char req[32];

	snprintf(req, sizeof(req), "trap-map %d", d->domid);
	CU_ASSERT_EQUAL(ctl(d, req, out, len), 0);
}

static bool
has_row(const char *map, const char *mech, uint64_t start)
{
	char pat[96];

	snprintf(pat, sizeof(pat), "mech=%s start=%#llx ", mech, (unsigned long long)start);
	return strstr(map, pat) != NULL;
}

/* A guest read: value, and the route counters that moved. */
static uint64_t
rd_routes(struct daemon *d, bool pio, uint64_t addr, unsigned int size, uint64_t delta[ROUTE_NR])
{
	uint64_t b[ROUTE_NR], a[ROUTE_NR], v = 0;
	uint32_t p = 0;

	CU_ASSERT_EQUAL(xensim_route_counts(d->machine, d->domid, b), 0);
	if (pio) {
		CU_ASSERT_EQUAL(sim_pio_read(d->c, (uint16_t)addr, size, &p), 0);
		v = p;
	} else {
		CU_ASSERT_EQUAL(sim_mem_read(d->c, addr, size, &v), 0);
	}
	CU_ASSERT_EQUAL(xensim_route_counts(d->machine, d->domid, a), 0);
	for (int i = 0; i < ROUTE_NR; i++)
		delta[i] = a[i] - b[i];
	return v;
}

/* Reads at the BARs' places: where each one answers, and with which route. */
static void
check_bars(struct daemon *d, uint64_t bar0, uint32_t bar4, uint64_t ap_gpa, bool live)
{
	uint64_t dl[ROUTE_NR], v;

	v = rd_routes(d, false, bar0 + 0x78000, 8, dl);
	if (live) {
		CU_ASSERT_EQUAL(v, 0x4776544776544776ull);
		CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 1);
	} else {
		CU_ASSERT_EQUAL(v, ~0ull);
		CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
		CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 0);
	}
	CU_ASSERT_EQUAL(sim_pio_write(d->c, (uint16_t)bar4, 4, 0x78000), 0);
	v = rd_routes(d, true, bar4 + 4, 4, dl);
	CU_ASSERT_EQUAL(v, live ? 0x76544776u : 0xffffffffu);
	CU_ASSERT_EQUAL(dl[ROUTE_PIO_IOREQ], live ? 1 : 0);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], live ? 0 : 1);
	v = rd_routes(d, false, ap_gpa, 4, dl);
	CU_ASSERT_EQUAL(dl[ROUTE_DIRECT_READ], live ? 1 : 0);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], live ? 0 : 1);
	CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 0);
	if (!live)
		CU_ASSERT_EQUAL(v, 0xffffffffu);
}

/*
 * BAR moves end to end: BAR0 and BAR4 claims follow the BAR (the old place
 * reads all-ones without reaching the vGPU), the aperture slice is direct
 * at the new BAR2 and gone from the old one, memory/IO decode off removes
 * everything and on restores it; the trap map follows each step.
 */
static void
test_bar_moves(void)
{
	const uint64_t nbar0 = 0xd0000000ull, nbar2 = 0x100000000ull;
	const uint32_t nbar4 = 0xd000;
	uint64_t low = 0, dl[ROUTE_NR], v = 0;
	char map[8192];
	uint32_t *ram;
	struct daemon d;

	if (!daemon_start(&d, NULL))
		goto out;
	place_bars(&d);
	CU_ASSERT_EQUAL(sim_mem_read(d.c, T_BAR0 + 0x78040, 4, &low), 0);
	check_bars(&d, T_BAR0, T_BAR4, T_BAR2 + low, true);
	trap_map(&d, map, sizeof(map));
	CU_ASSERT_TRUE(has_row(map, "ioreq-mmio", T_BAR0));
	CU_ASSERT_TRUE(has_row(map, "ioreq-port", T_BAR4));
	CU_ASSERT_TRUE(has_row(map, "direct", T_BAR2 + low));

	/* BAR0 */
	cfg_write(&d, 0x10, 4, (uint32_t)nbar0);
	CU_ASSERT_EQUAL(cfg_read(&d, 0x10, 4) & ~0xfu, (uint32_t)nbar0);
	v = rd_routes(&d, false, T_BAR0 + 0x78000, 8, dl);
	CU_ASSERT_EQUAL(v, ~0ull);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 0);
	v = rd_routes(&d, false, T_BAR0 + BAR0_GGTT_TEST_OFF, 8, dl);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	check_bars(&d, nbar0, T_BAR4, T_BAR2 + low, true);
	trap_map(&d, map, sizeof(map));
	CU_ASSERT_TRUE(has_row(map, "ioreq-mmio", nbar0));
	CU_ASSERT_TRUE(has_row(map, "ioreq-mmio", nbar0 + BAR0_GGTT_TEST_OFF));
	CU_ASSERT_FALSE(has_row(map, "ioreq-mmio", T_BAR0));

	/* BAR4 */
	cfg_write(&d, 0x20, 4, nbar4);
	CU_ASSERT_EQUAL(cfg_read(&d, 0x20, 4) & ~0x3u, nbar4);
	CU_ASSERT_EQUAL(sim_pio_write(d.c, T_BAR4, 4, 0x78000), 0);
	v = rd_routes(&d, true, T_BAR4 + 4, 4, dl);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	CU_ASSERT_EQUAL(dl[ROUTE_PIO_IOREQ], 0);
	check_bars(&d, nbar0, nbar4, T_BAR2 + low, true);
	trap_map(&d, map, sizeof(map));
	CU_ASSERT_TRUE(has_row(map, "ioreq-port", nbar4));
	CU_ASSERT_FALSE(has_row(map, "ioreq-port", T_BAR4));

	/* BAR2, 64-bit, above 4 GiB (high dword first: never a transient BAR at 0). */
	cfg_write(&d, 0x1c, 4, (uint32_t)(nbar2 >> 32));
	cfg_write(&d, 0x18, 4, (uint32_t)nbar2);
	CU_ASSERT_EQUAL(cfg_read(&d, 0x18, 4) & ~0xfu, (uint32_t)nbar2);
	CU_ASSERT_EQUAL(cfg_read(&d, 0x1c, 4), (uint32_t)(nbar2 >> 32));
	/* A GGTT entry backs the slice's first page with guest page 0x100. */
	CU_ASSERT_EQUAL(sim_mem_write(d.c, nbar0 + BAR0_GGTT_TEST_OFF + (low >> 12) * 8, 8,
				      0x100001), 0);
	ram = sim_guest_ram(d.c, 0x100040, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ram);
	{
		uint64_t b[ROUTE_NR], a[ROUTE_NR];

		CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, b), 0);
		CU_ASSERT_EQUAL(sim_mem_write(d.c, nbar2 + low + 0x40, 4, 0x600df00d), 0);
		CU_ASSERT_EQUAL(sim_mem_read(d.c, nbar2 + low + 0x40, 4, &v), 0);
		CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, a), 0);
		CU_ASSERT_EQUAL(v, 0x600df00d);
		CU_ASSERT_EQUAL(*ram, 0x600df00du);
		CU_ASSERT_EQUAL(a[ROUTE_DIRECT_WRITE] - b[ROUTE_DIRECT_WRITE], 1);
		CU_ASSERT_EQUAL(a[ROUTE_DIRECT_READ] - b[ROUTE_DIRECT_READ], 1);
		CU_ASSERT_EQUAL(a[ROUTE_MMIO_IOREQ] - b[ROUTE_MMIO_IOREQ], 0);
	}
	v = rd_routes(&d, false, T_BAR2 + low + 0x40, 4, dl);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	CU_ASSERT_EQUAL(dl[ROUTE_DIRECT_READ], 0);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	check_bars(&d, nbar0, nbar4, nbar2 + low + 0x40, true);
	trap_map(&d, map, sizeof(map));
	CU_ASSERT_TRUE(has_row(map, "direct", nbar2 + low));
	CU_ASSERT_FALSE(has_row(map, "direct", T_BAR2 + low));

	/* Decode off: nothing of the vGPU is reachable; the trap map keeps only config. */
	cfg_write(&d, 0x04, 2, 0x0000);
	check_bars(&d, nbar0, nbar4, nbar2 + low + 0x40, false);
	trap_map(&d, map, sizeof(map));
	CU_ASSERT_PTR_NOT_NULL(strstr(map, "mech=pci-sbdf"));
	CU_ASSERT_PTR_NULL(strstr(map, "mech=ioreq-mmio"));
	CU_ASSERT_PTR_NULL(strstr(map, "mech=ioreq-port"));
	CU_ASSERT_PTR_NULL(strstr(map, "mech=direct"));

	/* Decode on again: everything back at the new places, data still there. */
	cfg_write(&d, 0x04, 2, 0x0007);
	check_bars(&d, nbar0, nbar4, nbar2 + low + 0x40, true);
	CU_ASSERT_EQUAL(sim_mem_read(d.c, nbar2 + low + 0x40, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x600df00d);
	trap_map(&d, map, sizeof(map));
	CU_ASSERT_TRUE(has_row(map, "ioreq-mmio", nbar0));
	CU_ASSERT_TRUE(has_row(map, "ioreq-port", nbar4));
	CU_ASSERT_TRUE(has_row(map, "direct", nbar2 + low));
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "failsafe"), 0);
out:
	daemon_stop(&d);
}

static void
test_buffered_atomic(void)
{
	buffered_ring("atomic");
}

static void
test_buffered_legacy(void)
{
	buffered_ring("legacy");
}

/* Without a ring every write is synchronous and TIMEOFFSET never arrives. */
static void
test_bufioreq_off(void)
{
	static const char *const opts[] = { "--null-mmio", "0xa0000", "--bufioreq", "off", NULL };
	uint64_t r[ROUTE_NR];
	struct daemon d;

	if (!daemon_start(&d, opts))
		goto out;
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(sim_buffered_write(d.c, 0xa0000 + i * 4, 4, i), 0);
	CU_ASSERT_EQUAL(sim_broadcast_timeoffset(d.c, 42), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(d.machine, d.domid, r), 0);
	CU_ASSERT_EQUAL(r[ROUTE_BUFFERED], 0);
	CU_ASSERT_EQUAL(r[ROUTE_MMIO_IOREQ], 20);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_null"), 20);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_buffered"), 0);
	CU_ASSERT_EQUAL(stat_of(&d, d.domid, "ioreq_timeoffset"), 0);
out:
	daemon_stop(&d);
}

/* A trap storm on one domain while another one's accesses stay prompt. */
static void
test_storm_isolation(void)
{
	struct daemon d;
	char reply[1024], req[96];
	struct sim_vcpu *c2;
	uint64_t worst = 0;
	pid_t storm;
	int dom2;

	if (!daemon_start(&d, NULL))
		goto out;
	place_bars(&d);
	dom2 = xensim_domain_create(d.machine, 32, 1);
	CU_ASSERT_TRUE_FATAL(dom2 > 0);
	snprintf(req, sizeof(req), "attach %d type=xengt_small", dom2);
	CU_ASSERT_EQUAL(ctl(&d, req, reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(reply, "ok\n"));
	CU_ASSERT_EQUAL(xensim_domain_unpause(d.machine, (uint32_t)dom2), 0);
	storm = fork();
	if (storm == 0) {
		struct sim_vcpu *c = sim_vcpu_attach(d.machine, (uint32_t)d.domid, 1);

		/* rep movsd of 1024 registers per ioreq, without end */
		for (int i = 0; c && i < 1000000; i++)
			sim_rep(c, false, false, T_BAR0 + 0x78000, 0x10000, 4, 1024, false);
		_exit(0);
	}
	c2 = sim_vcpu_attach(d.machine, (uint32_t)dom2, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
	for (int i = 0; i < 200; i++) {
		struct timespec a, b;
		uint32_t v = 0;
		uint64_t ns;

		clock_gettime(CLOCK_MONOTONIC, &a);
		CU_ASSERT_EQUAL(sim_pio_write(c2, 0xcf8, 4, 0x80000000u | T_DEV << 11), 0);
		CU_ASSERT_EQUAL(sim_pio_read(c2, 0xcfc, 4, &v), 0);
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
	kill(storm, SIGKILL);
	waitpid(storm, NULL, 0);
	{
		uint64_t reps = stat_of(&d, d.domid, "ioreq_mmio");
		uint64_t items = stat_of(&d, d.domid, "mmio_reads");

		printf("\n    storm: %llu rep ioreqs, %llu register reads; worst beside it %llu us ",
		       (unsigned long long)reps, (unsigned long long)items,
		       (unsigned long long)worst / 1000);
		CU_ASSERT_TRUE(reps >= 10);
		CU_ASSERT_TRUE(items >= reps * 1024);
	}
	CU_ASSERT_TRUE(worst < 200000000ull);
out:
	daemon_stop(&d);
}

static void
test_control_protocol(void)
{
	struct daemon d;
	char reply[8192], big[1100];
	int dom2;

	if (!daemon_start(&d, NULL))
		goto out;
	CU_ASSERT_EQUAL(ctl(&d, "version", reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "gpu=softgpu device=0x1912\nok\n"));
	CU_ASSERT_EQUAL(ctl(&d, "list", reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(ctl_val(reply, "domid"), (uint64_t)d.domid);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "type=xengt_small state=running sbdf=0000:00:02.0"));
	CU_ASSERT_EQUAL(ctl(&d, "frobnicate", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error ENOENT: unknown command 'frobnicate'\n");
	CU_ASSERT_EQUAL(ctl(&d, "stats 999", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error ENOENT: no vGPU for domain 999\n");
	CU_ASSERT_EQUAL(ctl(&d, "stats", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error EINVAL: usage: stats DOMID\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(ctl(&d, big, reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error E2BIG: request longer than 1024 bytes\n");
	big[1024] = '\0';	/* exactly the limit: read whole, then refused by name */
	CU_ASSERT_EQUAL(ctl(&d, big, reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(strncmp(reply, "error ENOENT: unknown command", 29), 0);
	CU_ASSERT_EQUAL(ctl(&d, "gpu", reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(ctl_val(reply, "vgpus"), 1);

	/* No such domain: refused by Xen (the sim), the daemon carries on. */
	CU_ASSERT_EQUAL(ctl(&d, "attach 60 type=xengt_small", reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(strncmp(reply, "error ESRCH: nr_vcpus: ", 23), 0);
	CU_ASSERT_EQUAL(ctl(&d, "list", reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NULL(strstr(reply, "domid=60"));

	/* A second domain attached and detached at run time. */
	dom2 = xensim_domain_create(d.machine, 32, 1);
	CU_ASSERT_TRUE_FATAL(dom2 > 0);
	{
		char req[96];
		struct sim_vcpu *c2;
		uint32_t v = 0;

		snprintf(req, sizeof(req), "attach %d type=xengt_small,bogus=1", dom2);
		CU_ASSERT_EQUAL(ctl(&d, req, reply, sizeof(reply)), 0);
		CU_ASSERT_STRING_EQUAL(reply, "error EINVAL: bogus: unknown key (value '1')\n");
		snprintf(req, sizeof(req), "attach %d type=xengt_small", dom2);
		CU_ASSERT_EQUAL(ctl(&d, req, reply, sizeof(reply)), 0);
		CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\nok\n"));
		CU_ASSERT_EQUAL(ctl_val(reply, "domid"), (uint64_t)dom2);
		CU_ASSERT_EQUAL(ctl(&d, "gpu", reply, sizeof(reply)), 0);
		CU_ASSERT_EQUAL(ctl_val(reply, "vgpus"), 2);
		CU_ASSERT_EQUAL(xensim_domain_unpause(d.machine, (uint32_t)dom2), 0);
		c2 = sim_vcpu_attach(d.machine, (uint32_t)dom2, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c2);
		CU_ASSERT_EQUAL(sim_pio_write(c2, 0xcf8, 4, 0x80000000u | T_DEV << 11), 0);
		CU_ASSERT_EQUAL(sim_pio_read(c2, 0xcfc, 4, &v), 0);
		CU_ASSERT_EQUAL(v, 0x19128086u);
		snprintf(req, sizeof(req), "detach %d", dom2);
		CU_ASSERT_EQUAL(ctl(&d, req, reply, sizeof(reply)), 0);
		CU_ASSERT_STRING_EQUAL(reply, "ok\n");
		/* Gone: the slot reads all-ones, no device model involved. */
		CU_ASSERT_EQUAL(sim_pio_write(c2, 0xcf8, 4, 0x80000000u | T_DEV << 11), 0);
		CU_ASSERT_EQUAL(sim_pio_read(c2, 0xcfc, 4, &v), 0);
		CU_ASSERT_EQUAL(v, 0xffffffffu);
		sim_vcpu_detach(c2);
		CU_ASSERT_EQUAL(ctl(&d, "gpu", reply, sizeof(reply)), 0);
		CU_ASSERT_EQUAL(ctl_val(reply, "vgpus"), 1);
	}
out:
	daemon_stop(&d);
}

static void
test_sigterm_teardown(void)
{
	struct daemon d;
	struct sim_domain_info info[8];
	char path[96], val[32];
	int status = -1, n;

	if (!daemon_start(&d, NULL))
		goto out;
	place_bars(&d);
	CU_ASSERT_EQUAL(kill(d.pid, SIGTERM), 0);
	CU_ASSERT_EQUAL(waitpid(d.pid, &status, 0), d.pid);
	d.pid = -1;
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(path, sizeof(path), "/local/domain/0/device-model/%d/state", d.domid);
	CU_ASSERT_EQUAL(xensim_xs_read(d.machine, path, val, sizeof(val)), -ENOENT);
	n = xensim_domain_list(d.machine, info, 8);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(info[0].nr_servers, 0);
	CU_ASSERT_NOT_EQUAL(access(d.sock, F_OK), 0);	/* socket removed */
out:
	daemon_stop(&d);
}

static void
test_guest_survives_kill(void)
{
	struct daemon d;
	uint64_t v = 0;
	uint32_t p = 0;

	if (!daemon_start(&d, NULL))
		goto out;
	place_bars(&d);
	CU_ASSERT_EQUAL(kill(d.pid, SIGKILL), 0);
	waitpid(d.pid, NULL, 0);
	d.pid = -1;
	/* RAM still works; the vGPU's ranges no longer hang the vCPU. */
	CU_ASSERT_EQUAL(sim_mem_write(d.c, 0x2000, 8, 0x1122334455667788ull), 0);
	CU_ASSERT_EQUAL(sim_mem_read(d.c, 0x2000, 8, &v), 0);
	CU_ASSERT_EQUAL(v, 0x1122334455667788ull);
	CU_ASSERT_TRUE(sim_mem_read(d.c, T_BAR0 + 0x78000, 4, &v) <= 0);
	CU_ASSERT_EQUAL(sim_pio_write(d.c, 0xcf8, 4, 0x80000000u | T_DEV << 11), 0);
	CU_ASSERT_TRUE(sim_pio_read(d.c, 0xcfc, 4, &p) <= 0);
out:
	daemon_stop(&d);
}

void suite_daemon(void);
void
suite_daemon(void)
{
	static const struct test_case cases[] = {
		{ "guest_detects_vgpu", test_guest_detects_vgpu },
		{ "trap_counts_match_sim", test_trap_counts_match_sim },
		{ "malformed_raw_ioreqs", test_malformed_raw },
		{ "null_mmio", test_null_mmio },
		{ "control_protocol", test_control_protocol },
		{ "sigterm_teardown", test_sigterm_teardown },
		{ "page_table_write_traps", test_page_table_write_traps },
		{ "buffered_ring_atomic", test_buffered_atomic },
		{ "buffered_ring_legacy", test_buffered_legacy },
		{ "bufioreq_off", test_bufioreq_off },
		{ "storm_isolation", test_storm_isolation },
		{ "guest_survives_kill", test_guest_survives_kill },
		{ "late_write_after_unprotect", test_late_write_after_unprotect },
		{ "buffered_before_sync", test_buffered_before_sync },
		{ "bar_moves", test_bar_moves },
		{ NULL, NULL },
	};

	test_add_suite("daemon", cases);
}
