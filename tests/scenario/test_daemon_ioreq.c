/* SPDX-License-Identifier: MIT */
/*
 * test_daemon_ioreq.c — the ioreq transport of xengt-dm-sim end to end:
 * malformed raw ioreqs, the null-MMIO range, the buffered ring (both
 * layouts, wrap, TIMEOFFSET, off), buffered writes applied before a later
 * synchronous access, and late writes to a page no longer write-protected.
 */
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

/*
 * A config cycle with data_is_ptr and count 1 is served as QEMU does: a
 * read stores the register in guest memory at data, a write takes its
 * value from there; data itself comes back unchanged.
 */
static void
test_pci_config_ptr(void)
{
	struct sim_raw_ioreq r = { .type = 2, .dir = 1, .size = 4, .count = 1,
				   .addr = (uint64_t)0x10 << 32, .data_is_ptr = 1,
				   .data = 0x3000 };
	struct scn s;
	uint64_t v = 0;

	if (!scn_start_small(&s, NULL))
		goto out;
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], 0x3000, 8, ~0ull), 0);
	CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &r), 0);
	CU_ASSERT_EQUAL(r.data, 0x3000);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], 0x3000, 8, &v), 0);
	/* Vendor 8086 and the device id, then the untouched upper half. */
	CU_ASSERT_EQUAL(v & 0xffff, 0x8086);
	CU_ASSERT_EQUAL(v >> 32, 0xffffffffu);
	CU_ASSERT_EQUAL((uint32_t)v, scn_cfg_read(s.c[0], 0, 4));
	/* A write: the interrupt line register from guest memory. */
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], 0x3008, 1, 0x5a), 0);
	r = (struct sim_raw_ioreq){ .type = 2, .dir = 0, .size = 1, .count = 1,
				    .addr = (uint64_t)0x10 << 32 | 0x3c, .data_is_ptr = 1,
				    .data = 0x3008 };
	CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &r), 0);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0x3c, 1), 0x5a);
out:
	scn_stop(&s);
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
		{ { .type = 3, .dir = 1, .size = 4, .count = 1, .addr = SCN_BAR0 },
		  "ioreq_bad_type", 0xffffffffu },
		{ { .type = 1, .dir = 1, .size = 3, .count = 1, .addr = SCN_BAR0 },
		  "ioreq_bad_size", ~0ull },
		{ { .type = 1, .dir = 1, .size = 4, .count = 0, .addr = SCN_BAR0 },
		  "ioreq_bad_count-zero", 0xffffffffu },
		{ { .type = 1, .dir = 1, .size = 4, .count = 0x7fffffff, .addr = SCN_BAR0 },
		  "ioreq_bad_count-max", 0xffffffffu },
		{ { .type = 1, .dir = 1, .size = 4, .count = 1, .addr = 0xd0000000 },
		  "ioreq_bad_range", 0xffffffffu },
		{ { .type = 2, .dir = 1, .size = 8, .count = 1, .addr = 0x10ull << 32 },
		  "ioreq_bad_pci-size", ~0ull },
		{ { .type = 2, .dir = 1, .size = 4, .count = 1, .addr = 0x18ull << 32 },
		  "ioreq_bad_pci-sbdf", 0xffffffffu },
		{ { .type = 1, .dir = 1, .size = 4, .count = 2, .data_is_ptr = 1,
		    .addr = SCN_BAR0 + 0x78000, .data = 0x3f000000 },
		  "ioreq_bad_ptr", 0x3f000000 },
	};
	struct scn s;
	char reply[8192], req[32];

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sim_raw_ioreq r = bad[i].r;

		CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &r), 0);
		if (r.data != bad[i].want_data)
			printf("\n    %s: data %#llx", bad[i].counter, (unsigned long long)r.data);
		CU_ASSERT_EQUAL(r.data, bad[i].want_data);
	}
	snprintf(req, sizeof(req), "stats %u", s.dom[0]);
	CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(scn_ctl_val(reply, bad[i].counter), 1);
	/* The daemon is alive and the vGPU still answers. */
	{
		uint64_t magic = 0;

		CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78000, 8, &magic), 0);
		CU_ASSERT_EQUAL(magic, 0x4776544776544776ull);
	}
out:
	scn_stop(&s);
}

static void
test_null_mmio(void)
{
	struct scn s;
	char reply[8192], req[32];
	uint64_t v = 1;

	static const char *const opts[] = { "--null-mmio", "0xf0000000", NULL };

	if (!scn_start_small(&s, opts))
		goto out;
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], 0xf0000010, 4, 0xdead), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], 0xf0000010, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	snprintf(req, sizeof(req), "stats %u", s.dom[0]);
	CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "ioreq_null"), 2);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "mmio_reads") + scn_ctl_val(reply, "mmio_writes"), 0);
	snprintf(req, sizeof(req), "trap-map %u", s.dom[0]);
	CU_ASSERT_EQUAL(scn_ctl(&s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "what=null-mmio traps=2"));
out:
	scn_stop(&s);
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
	struct scn s;

	if (!scn_start_small(&s, opts))
		goto out;
	for (int i = 0; i < 1200; i++)
		CU_ASSERT_EQUAL(sim_buffered_write(s.c[0], 0xa0000 + (i % 512) * 8, i & 1 ? 8 : 4,
						   0x1111111122222222ull), 0);
	for (int i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(sim_broadcast_timeoffset(s.c[0], 0x100000000ull * i + 7), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], r), 0);
	CU_ASSERT_EQUAL(r[ROUTE_BUFFERED] + r[ROUTE_MMIO_IOREQ], 1200);
	CU_ASSERT_TRUE(r[ROUTE_BUFFERED] > 0);
	for (int i = 0; i < 500; i++) {	/* the daemon drains asynchronously */
		got = scn_stat(&s, s.dom[0], "ioreq_buffered");
		if (got == r[ROUTE_BUFFERED] + r[ROUTE_BROADCAST])
			break;
		scn_sleep_ms(10);
	}
	CU_ASSERT_EQUAL(got, r[ROUTE_BUFFERED] + r[ROUTE_BROADCAST]);
	CU_ASSERT_EQUAL(r[ROUTE_BROADCAST], 3);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_null"), 1200);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_mmio"), 1200);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_timeoffset"), 3);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_time_offset"), 0x300000007ull);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_bad_buf-short"), 0);
out:
	scn_stop(&s);
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
	struct scn s;

	if (!scn_start_small(&s, opts))
		goto out;
	for (int i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(sim_buffered_write(s.c[0], 0xa0000 + i * 4, 4, i), 0);
	CU_ASSERT_EQUAL(sim_broadcast_timeoffset(s.c[0], 42), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], r), 0);
	CU_ASSERT_EQUAL(r[ROUTE_BUFFERED], 0);
	CU_ASSERT_EQUAL(r[ROUTE_MMIO_IOREQ], 20);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_null"), 20);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_buffered"), 0);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_timeoffset"), 0);
out:
	scn_stop(&s);
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
static bool
storm_busy(const struct scn *s, void *arg)
{
	uint64_t n = scn_stat(s, s->dom[0], "ioreq_mmio");

	(void)arg;
	return n != ~0ull && n >= 2;
}

static void
test_buffered_before_sync(void)
{
	const char *const opts[] = { "--null-mmio", "0xa0000", "--bufioreq", "atomic",
				     "--debug", "ioreq", NULL };
	const struct scn_opts o = { .extra = opts, .vcpus = 2, .loud = true };
	static const char *const specs[] = { "type=xengt_small" };
	struct sim_vcpu *c1 = NULL;
	char path[160], pat[64], *log;
	struct scn s;
	pid_t storm = -1;

	/* loud: XENGT_QUIET=1 would cap the daemon's log level below its --debug lines. */
	if (!scn_start_with(&s, specs, 1, &o))
		goto out;
	scn_place_bars(s.c[0]);
	sim_vcpu_detach(s.c[0]);
	s.c[0] = NULL;
	storm = scn_storm_start(&s, 0, 0);
	c1 = sim_vcpu_attach(s.machine, s.dom[0], 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c1);
	/* The storm is keeping the daemon busy once its first reps are served. */
	CU_ASSERT_TRUE(scn_wait_for(&s, storm_busy, NULL, 5000));
	for (int i = 0; i < 40; i++) {
		uint64_t v = 1;

		CU_ASSERT_EQUAL(sim_buffered_write(c1, 0xa0000 + i * 8, 4, (uint64_t)i), 0);
		CU_ASSERT_EQUAL(sim_mem_read(c1, 0xa0000 + i * 8, 4, &v), 0);
		CU_ASSERT_EQUAL(v, 0);		/* the null page */
	}
	scn_storm_stop(storm);
	storm = -1;
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_null"), 80);
	/* Keep only the lines about the null page (the storm logs a lot). */
	log = scn_log_lines(&s, "addr=0xa0");
	if (!log)
		printf("\n    no null-page lines in %s", scn_log_path(&s, path, sizeof(path)));
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
	scn_storm_stop(storm);
	if (c1)
		sim_vcpu_detach(c1);
	scn_stop(&s);
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
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	pg = sim_guest_ram(s.c[0], root, 4096);
	src = sim_guest_ram(s.c[0], 0x50000, 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	memset(pg, 0, 4096);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78838, 4, (uint32_t)root), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x7883c, 4, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78818, 4, 4), 0);	/* L4 create */
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78818, 4, 5), 0);	/* L4 destroy */
	/* The write Xen had already sent to us: plain 8 bytes. */
	{
		struct sim_raw_ioreq r = { .type = 1, .size = 8, .count = 1, .addr = root + 0x20,
					   .data = 0xfeedface12345678ull };

		CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &r), 0);
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
		CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &r), 0);
		CU_ASSERT_EQUAL(memcmp(pg + 0x100, src, 16), 0);
		CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &s2), 0);
		CU_ASSERT_EQUAL(pg[0x1fe], 0);
		CU_ASSERT_EQUAL(pg[0x200] | pg[0x201] << 8, 0xbeef);
		CU_ASSERT_EQUAL(pg[0x204] | pg[0x205] << 8, 0xbeef);
		CU_ASSERT_EQUAL(pg[0x206], 0);
	}
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_ram_write"), 3);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "page_writes"), 0);	/* not the mediator's */
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_bad_range"), 0);
	/* Not RAM (an MMIO hole), and a write running off the end of RAM: dropped whole. */
	{
		struct sim_raw_ioreq hole = { .type = 1, .size = 4, .count = 1, .addr = 0xd0000000,
					      .data = 1 };
		struct sim_raw_ioreq edge = { .type = 1, .size = 8, .count = 1, .addr = top - 4,
					      .data = ~0ull };
		uint32_t *last = sim_guest_ram(s.c[0], top - 4, 4);

		CU_ASSERT_PTR_NOT_NULL_FATAL(last);
		*last = 0x12345678;
		CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], before), 0);
		CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &hole), 0);
		CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &edge), 0);
		CU_ASSERT_EQUAL(*last, 0x12345678u);
		CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
		CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE], before[ROUTE_RAM_WRITE]);
	}
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_bad_range"), 2);
	/* Protected again: a late write straddling out of it must not bypass the mediator. */
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78818, 4, 4), 0);
	{
		struct sim_raw_ioreq r = { .type = 1, .size = 8, .count = 1, .addr = root + 0xffc,
					   .data = ~0ull };

		CU_ASSERT_EQUAL(sim_send_raw_ioreq(s.c[0], 0, &r), 0);
		CU_ASSERT_EQUAL(pg[0xffc] | pg[0xffd] | pg[0xffe] | pg[0xfff], 0);
	}
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_bad_range"), 3);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_ram_write"), 3);
out:
	scn_stop(&s);
}

void suite_daemon_ioreq(void);

void
suite_daemon_ioreq(void)
{
	static const struct test_case cases[] = {
		{ "malformed_raw_ioreqs", test_malformed_raw },
		{ "null_mmio", test_null_mmio },
		{ "pci_config_ptr", test_pci_config_ptr },
		{ "buffered_ring_atomic", test_buffered_atomic },
		{ "buffered_ring_legacy", test_buffered_legacy },
		{ "bufioreq_off", test_bufioreq_off },
		{ "late_write_after_unprotect", test_late_write_after_unprotect },
		{ "buffered_before_sync", test_buffered_before_sync },
		{ NULL, NULL },
	};

	test_add_suite("daemon_ioreq", cases);
}
