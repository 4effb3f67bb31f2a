/* SPDX-License-Identifier: MIT */
/*
 * test_daemon_opregion.c — the OpRegion end to end through xengt-dm-sim
 * and the Xen glue: hvmloader's ASLS write (3 hole pages at the top of
 * its dynamic reserved area, tools/firmware/hvmloader/pci.c) makes the
 * range an ioreq claim whose reads, rep movs included, are the OpRegion;
 * an ASLS in guest RAM (SeaBIOS's way) gets the bytes copied there.
 */
#include <string.h>

#include "scenario_util.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

/*
 * hvmloader: mem_hole_alloc(3) from RESERVED_MEMORY_DYNAMIC_END (0xfe000000)
 * down, the first such allocation (config.h, util.c at RELEASE-4.17.0).
 */
#define HOLE_ASLS 0xfdffd000u
#define RAM_ASLS  0x00200000u	/* inside the domain's 64 MiB */
#define OPR_SIZE  8192u

static void
test_asls_hole_served(void)
{
	uint64_t v = 0, dl[ROUTE_NR];
	char map[8192];
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	/* Before ASLS: nothing there. */
	v = scn_read_routes(&s, 0, false, HOLE_ASLS, 8, dl);
	CU_ASSERT_EQUAL(v, ~0ull);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	/* As hvmloader: ASLS first, BARs after. */
	scn_cfg_write(s.c[0], 0xfc, 4, HOLE_ASLS);
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0xfc, 4), HOLE_ASLS);
	v = scn_read_routes(&s, 0, false, HOLE_ASLS, 8, dl);
	CU_ASSERT_EQUAL(memcmp(&v, "IntelGra", 8), 0);
	CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 1);
	/* The last byte is served; the byte after is not the vGPU's. */
	v = scn_read_routes(&s, 0, false, HOLE_ASLS + OPR_SIZE - 1, 1, dl);
	CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 1);
	v = scn_read_routes(&s, 0, false, HOLE_ASLS + OPR_SIZE, 1, dl);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	/* i915 memcpy()s the VBT out of the mapping: a rep movs into RAM. */
	CU_ASSERT_EQUAL(sim_rep(s.c[0], false, false, HOLE_ASLS + 0x400, RAM_ASLS, 8, 4, false), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], RAM_ASLS, 8, &v), 0);
	CU_ASSERT_EQUAL(memcmp(&v, "$VBT SKY", 8), 0);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_TRUE(scn_has_row(map, "ioreq-mmio", HOLE_ASLS));
	/* ASLS 0: the claim goes. */
	scn_cfg_write(s.c[0], 0xfc, 4, 0);
	v = scn_read_routes(&s, 0, false, HOLE_ASLS, 8, dl);
	CU_ASSERT_EQUAL(v, ~0ull);
	CU_ASSERT_EQUAL(dl[ROUTE_UNCLAIMED_READ], 1);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "failsafe"), 0);
out:
	scn_stop(&s);
}

static void
test_asls_ram_copied(void)
{
	uint64_t v = 0, dl[ROUTE_NR];
	struct scn s;

	if (!scn_start_small(&s, NULL))
		goto out;
	scn_place_bars(s.c[0]);
	scn_cfg_write(s.c[0], 0xfc, 4, RAM_ASLS);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0xfc, 4), RAM_ASLS);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], RAM_ASLS + 8, 8, &v), 0);
	CU_ASSERT_EQUAL(memcmp(&v, "phicsMem", 8), 0);
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], RAM_ASLS + 0x400, 4, &v), 0);
	CU_ASSERT_EQUAL(memcmp(&v, "$VBT", 4), 0);
	/* Plain RAM: reads never reach the device model. */
	scn_read_routes(&s, 0, false, RAM_ASLS, 8, dl);
	CU_ASSERT_EQUAL(dl[ROUTE_MMIO_IOREQ], 0);
	/* Over the vGPU's own BAR0: refused, ASLS reads 0. */
	scn_cfg_write(s.c[0], 0xfc, 4, (uint32_t)SCN_BAR0);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0xfc, 4), 0);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "failsafe"), 0);
out:
	scn_stop(&s);
}

void suite_daemon_opregion(void);

void
suite_daemon_opregion(void)
{
	static const struct test_case cases[] = {
		{ "ASLS in the hole (hvmloader): claimed and served, rep movs too",
		  test_asls_hole_served },
		{ "ASLS in guest RAM (SeaBIOS): the OpRegion copied there", test_asls_ram_copied },
		{ NULL, NULL },
	};

	test_add_suite("daemon_opregion", cases);
}
