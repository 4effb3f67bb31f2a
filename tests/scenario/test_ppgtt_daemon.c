/* SPDX-License-Identifier: MIT */
/*
 * test_ppgtt_daemon.c — PPGTT shadowing end to end: xengt-dm-sim serving a
 * simulated guest that builds a 4-level PPGTT in its RAM and announces it
 * through the PV info page. Every table page (not the data pages) becomes
 * p2m_ioreq_server in the simulator's p2m; a PTE write traps and lands;
 * a populate of a page table goes out of sync (its page back to ram_rw
 * after PPGTT_OOS_THRESHOLD traps); a table the guest drops is plain RAM
 * again; a refused entry is counted in the daemon's stats.
 */
#include <stdlib.h>
#include <string.h>

#include "mediator/mem/ppgtt.h"
#include "sim/xensim.h"
#include "tests/scenario/scenario_util.h"
#include "tests/test_util.h"

#define PML4 0x100000ull
#define PDP 0x101000ull
#define PD 0x102000ull
#define PT 0x103000ull
#define PT2 0x104000ull
#define DATA(n) (0x800000ull + (uint64_t)(n) * 0x1000)
#define E(gpa) ((gpa) | 3)

static enum sim_p2m
p2m(const struct scn *s, uint64_t gpa)
{
	enum sim_p2m t = P2M_HOLE;

	CU_ASSERT_EQUAL(xensim_p2m_lookup(s->machine, s->dom[0], gpa >> 12, &t, NULL), 0);
	return t;
}

static void
w64(const struct scn *s, uint64_t gpa, uint64_t val)
{
	CU_ASSERT_EQUAL(sim_mem_write(s->c[0], gpa, 8, val), 0);
}

static uint64_t
r64(const struct scn *s, uint64_t gpa)
{
	uint64_t v = 0;

	CU_ASSERT_EQUAL(sim_mem_read(s->c[0], gpa, 8, &v), 0);
	return v;
}

static void
test_tree_protected_and_oos(void)
{
	uint64_t before[ROUTE_NR], after[ROUTE_NR];
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	w64(&s, PML4, E(PDP));
	w64(&s, PDP, E(PD));
	w64(&s, PD, E(PT));
	w64(&s, PT, E(DATA(0)));
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78838, 4, (uint32_t)PML4), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x7883c, 4, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78818, 4, 4), 0);	/* L4 create */
	CU_ASSERT_EQUAL(p2m(&s, PML4), P2M_IOREQ_SERVER);
	CU_ASSERT_EQUAL(p2m(&s, PDP), P2M_IOREQ_SERVER);
	CU_ASSERT_EQUAL(p2m(&s, PD), P2M_IOREQ_SERVER);
	CU_ASSERT_EQUAL(p2m(&s, PT), P2M_IOREQ_SERVER);
	CU_ASSERT_EQUAL(p2m(&s, DATA(0)), P2M_RAM_RW);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ppgtt_tables"), 4);
	/* A populate of the PT: the first writes trap, then it goes out of sync. */
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], before), 0);
	for (unsigned int i = 1; i < 64; i++)
		w64(&s, PT + 8 * i, E(DATA(i)));
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_WP_WRITE_IOREQ] - before[ROUTE_WP_WRITE_IOREQ],
			PPGTT_OOS_THRESHOLD);
	CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE] - before[ROUTE_RAM_WRITE], 63 - PPGTT_OOS_THRESHOLD);
	CU_ASSERT_EQUAL(p2m(&s, PT), P2M_RAM_RW);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ppgtt_oos"), 1);
	for (unsigned int i = 0; i < 64; i++)
		CU_ASSERT_EQUAL(r64(&s, PT + 8 * i), E(DATA(i)));
	/* A refused entry in a directory (2 MiB page): counted, nothing protected. */
	w64(&s, PD + 8, E(PT2) | PPGTT_PS);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ppgtt_bad"), 1);
	CU_ASSERT_EQUAL(p2m(&s, PT2), P2M_RAM_RW);
	/* The guest drops the directory: its tables are plain RAM again. */
	w64(&s, PDP, 0);
	CU_ASSERT_EQUAL(p2m(&s, PD), P2M_RAM_RW);
	CU_ASSERT_EQUAL(p2m(&s, PT), P2M_RAM_RW);
	CU_ASSERT_EQUAL(p2m(&s, PDP), P2M_IOREQ_SERVER);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ppgtt_tables"), 2);
	/* Withdrawn: nothing protected. */
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78818, 4, 5), 0);
	CU_ASSERT_EQUAL(p2m(&s, PML4), P2M_RAM_RW);
	CU_ASSERT_EQUAL(p2m(&s, PDP), P2M_RAM_RW);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ppgtt_tables"), 0);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "bad_access"), 0);
out:
	scn_stop(&s);
}

void suite_ppgtt_daemon(void);

void
suite_ppgtt_daemon(void)
{
	static const struct test_case cases[] = {
		{ "tree protected, populate out of sync, dropped tables released",
		  test_tree_protected_and_oos },
		{ NULL, NULL },
	};

	test_add_suite("ppgtt_daemon", cases);
}
