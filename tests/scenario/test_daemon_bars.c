/* SPDX-License-Identifier: MIT */
/*
 * test_daemon_bars.c — guest memory layout through xengt-dm-sim: BAR moves
 * and decode on/off (claims, the direct aperture slice and the trap map
 * follow), and a PPGTT root page write-protected in the p2m (also as the
 * target of a rep movs from BAR0).
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

/* Reads at the BARs' places: where each one answers, and with which route. */
static void
check_bars(const struct scn *s, uint64_t bar0, uint32_t bar4, uint64_t ap_gpa, bool live)
{
	uint64_t dl[ROUTE_NR], v;

	v = scn_read_routes(s, 0, false, bar0 + 0x78000, 8, dl);
	if (live) {
		CU_ASSERT_EQUAL(v, 0x4776544776544776ull);
		CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 1);
	} else {
		CU_ASSERT_EQUAL(v, ~0ull);
		CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
		CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 0);
	}
	CU_ASSERT_EQUAL(sim_pio_write(s->c[0], (uint16_t)bar4, 4, 0x78000), 0);
	v = scn_read_routes(s, 0, true, bar4 + 4, 4, dl);
	CU_ASSERT_EQUAL(v, live ? 0x76544776u : 0xffffffffu);
	CU_ASSERT_EQUAL(dl[ROUTE_PIO_IOREQ], live ? 1 : 0);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], live ? 0 : 1);
	v = scn_read_routes(s, 0, false, ap_gpa, 4, dl);
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
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78040, 4, &low), 0);
	check_bars(&s, SCN_BAR0, SCN_BAR4, SCN_BAR2 + low, true);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_TRUE(scn_has_row(map, "ioreq-mmio", SCN_BAR0));
	CU_ASSERT_TRUE(scn_has_row(map, "ioreq-port", SCN_BAR4));
	CU_ASSERT_TRUE(scn_has_row(map, "direct", SCN_BAR2 + low));

	/* BAR0 */
	scn_cfg_write(s.c[0], 0x10, 4, (uint32_t)nbar0);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0x10, 4) & ~0xfu, (uint32_t)nbar0);
	v = scn_read_routes(&s, 0, false, SCN_BAR0 + 0x78000, 8, dl);
	CU_ASSERT_EQUAL(v, ~0ull);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 0);
	v = scn_read_routes(&s, 0, false, SCN_BAR0 + SCN_GGTT_OFF, 8, dl);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	check_bars(&s, nbar0, SCN_BAR4, SCN_BAR2 + low, true);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_TRUE(scn_has_row(map, "ioreq-mmio", nbar0));
	CU_ASSERT_TRUE(scn_has_row(map, "ioreq-mmio", nbar0 + SCN_GGTT_OFF));
	CU_ASSERT_FALSE(scn_has_row(map, "ioreq-mmio", SCN_BAR0));

	/* BAR4 */
	scn_cfg_write(s.c[0], 0x20, 4, nbar4);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0x20, 4) & ~0x3u, nbar4);
	CU_ASSERT_EQUAL(sim_pio_write(s.c[0], SCN_BAR4, 4, 0x78000), 0);
	v = scn_read_routes(&s, 0, true, SCN_BAR4 + 4, 4, dl);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	CU_ASSERT_EQUAL(dl[ROUTE_PIO_IOREQ], 0);
	check_bars(&s, nbar0, nbar4, SCN_BAR2 + low, true);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_TRUE(scn_has_row(map, "ioreq-port", nbar4));
	CU_ASSERT_FALSE(scn_has_row(map, "ioreq-port", SCN_BAR4));

	/* BAR2, 64-bit, above 4 GiB (high dword first: never a transient BAR at 0). */
	scn_cfg_write(s.c[0], 0x1c, 4, (uint32_t)(nbar2 >> 32));
	scn_cfg_write(s.c[0], 0x18, 4, (uint32_t)nbar2);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0x18, 4) & ~0xfu, (uint32_t)nbar2);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0x1c, 4), (uint32_t)(nbar2 >> 32));
	/* A GGTT entry backs the slice's first page with guest page 0x100. */
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], nbar0 + SCN_GGTT_OFF + (low >> 12) * 8, 8,
				      0x100001), 0);
	ram = sim_guest_ram(s.c[0], 0x100040, 4);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ram);
	{
		uint64_t b[ROUTE_NR], a[ROUTE_NR];

		CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], b), 0);
		CU_ASSERT_EQUAL(sim_mem_write(s.c[0], nbar2 + low + 0x40, 4, 0x600df00d), 0);
		CU_ASSERT_EQUAL(sim_mem_read(s.c[0], nbar2 + low + 0x40, 4, &v), 0);
		CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], a), 0);
		CU_ASSERT_EQUAL(v, 0x600df00d);
		CU_ASSERT_EQUAL(*ram, 0x600df00du);
		CU_ASSERT_EQUAL(a[ROUTE_DIRECT_WRITE] - b[ROUTE_DIRECT_WRITE], 1);
		CU_ASSERT_EQUAL(a[ROUTE_DIRECT_READ] - b[ROUTE_DIRECT_READ], 1);
		CU_ASSERT_EQUAL(a[ROUTE_MMIO_IOREQ] - b[ROUTE_MMIO_IOREQ], 0);
	}
	v = scn_read_routes(&s, 0, false, SCN_BAR2 + low + 0x40, 4, dl);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	CU_ASSERT_EQUAL(dl[ROUTE_DIRECT_READ], 0);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	check_bars(&s, nbar0, nbar4, nbar2 + low + 0x40, true);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_TRUE(scn_has_row(map, "direct", nbar2 + low));
	CU_ASSERT_FALSE(scn_has_row(map, "direct", SCN_BAR2 + low));

	/* Decode off: nothing of the vGPU is reachable; the trap map keeps only config. */
	scn_cfg_write(s.c[0], 0x04, 2, 0x0000);
	check_bars(&s, nbar0, nbar4, nbar2 + low + 0x40, false);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_PTR_NOT_NULL(strstr(map, "mech=pci-sbdf"));
	CU_ASSERT_PTR_NULL(strstr(map, "mech=ioreq-mmio"));
	CU_ASSERT_PTR_NULL(strstr(map, "mech=ioreq-port"));
	CU_ASSERT_PTR_NULL(strstr(map, "mech=direct"));

	/* Decode on again: everything back at the new places, data still there. */
	scn_cfg_write(s.c[0], 0x04, 2, 0x0007);
	check_bars(&s, nbar0, nbar4, nbar2 + low + 0x40, true);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], nbar2 + low + 0x40, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x600df00d);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_TRUE(scn_has_row(map, "ioreq-mmio", nbar0));
	CU_ASSERT_TRUE(scn_has_row(map, "ioreq-port", nbar4));
	CU_ASSERT_TRUE(scn_has_row(map, "direct", nbar2 + low));
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "failsafe"), 0);
out:
	scn_stop(&s);
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
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], root + 0x10, 8, 0x1111), 0);	/* plain RAM */
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78838, 4, (uint32_t)root), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x7883c, 4, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78818, 4, 4), 0);	/* L4 create */
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], before), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], root + 0x10, 8, 0xabc0001003ull), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], root + 0x10, 8, &v), 0);
	CU_ASSERT_EQUAL(v, 0xabc0001003ull);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_WP_WRITE_IOREQ], before[ROUTE_WP_WRITE_IOREQ] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_WP_READ], before[ROUTE_WP_READ] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE], before[ROUTE_RAM_WRITE]);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "page_writes"), 1);
	/* Destroy: the page is plain RAM again, writes no longer trap. */
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78818, 4, 5), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], before), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], root + 0x18, 8, 7), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE], before[ROUTE_RAM_WRITE] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_WP_WRITE_IOREQ], before[ROUTE_WP_WRITE_IOREQ]);
out:
	scn_stop(&s);
}

/*
 * rep movs from BAR0 (the PV info magic) into an announced PML4 page: the
 * items reach guest memory through the mediator as tracked writes (the
 * shadow sees them), not behind its back through the foreign map. An item
 * straddling into the page from the page below lands whole as well.
 */
static void
test_rep_read_into_page_table(void)
{
	const uint64_t root = 0x30000;
	const uint64_t magic = 0x4776544776544776ull;
	uint64_t v = 0, w1 = 0;
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], SCN_BAR0 + 0x78008, 8, &w1), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], root + 0x10, 8, 0x1111), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], root - 8, 8, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78838, 4, (uint32_t)root), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x7883c, 4, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_write(s.c[0], SCN_BAR0 + 0x78818, 4, 4), 0);	/* L4 create */
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "page_writes"), 0);

	/* Two aligned entries: two tracked writes, both in guest memory. */
	CU_ASSERT_EQUAL(sim_rep(s.c[0], false, false, SCN_BAR0 + 0x78000, root + 0x10, 8, 2,
				false), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], root + 0x10, 8, &v), 0);
	CU_ASSERT_EQUAL(v, magic);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], root + 0x18, 8, &v), 0);
	CU_ASSERT_EQUAL(v, w1);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "page_writes"), 2);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_tracked_rep"), 2);

	/* One item across the page's start: half plain RAM, half tracked. */
	CU_ASSERT_EQUAL(sim_rep(s.c[0], false, false, SCN_BAR0 + 0x78000, root - 4, 8, 1,
				false), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], root - 8, 8, &v), 0);
	CU_ASSERT_EQUAL(v, (magic & 0xffffffffull) << 32);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], root, 8, &v), 0);
	CU_ASSERT_EQUAL(v & 0xffffffffull, magic >> 32);
	CU_ASSERT_TRUE(scn_stat(&s, s.dom[0], "page_writes") > 2);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ioreq_tracked_rep"), 3);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "failsafe"), 0);
out:
	scn_stop(&s);
}

void suite_daemon_bars(void);

void
suite_daemon_bars(void)
{
	static const struct test_case cases[] = {
		{ "page_table_write_traps", test_page_table_write_traps },
		{ "rep_read_into_page_table", test_rep_read_into_page_table },
		{ "bar_moves", test_bar_moves },
		{ NULL, NULL },
	};

	test_add_suite("daemon_bars", cases);
}
