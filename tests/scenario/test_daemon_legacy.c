/* SPDX-License-Identifier: MIT */
/*
 * test_daemon_legacy.c — xengt-dm-sim on a machine without resource
 * mapping (xensim legacy-ioreq-pages on): the glue falls back to ioreq
 * pages in guest gfns; the vGPU works end to end and the guest cannot
 * see those pages while the server is enabled.
 */
#include <errno.h>
#include <stdlib.h>

#include "scenario_util.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

#define LEG_SPEC "type=xengt_small"
#define LEG_RAM_MB 64u	/* what scn_start gives every domain */

/*
 * Like scn_start for one domain, with the switch on before the daemon
 * starts; loud: the test reads the daemon's info line about the legacy path.
 */
static bool
legacy_start(struct scn *s)
{
	static const char *const specs[] = { LEG_SPEC };
	const struct scn_opts o = { .legacy_ioreq_pages = true, .loud = true };

	return scn_start_with(s, specs, 1, &o);
}

/* Did the daemon say it took the legacy path? */
static bool
legacy_logged(const struct scn *s)
{
	char *lines = scn_log_lines(s, "legacy ioreq gfns");
	bool found = lines != NULL;

	free(lines);
	return found;
}

static void
test_legacy_end_to_end(void)
{
	uint64_t top = ((uint64_t)LEG_RAM_MB << 20) >> 12, before[ROUTE_NR], after[ROUTE_NR];
	uint64_t magic = 0, v = 0, maddr = 0;
	struct scn s;
	struct sim_vcpu *c;

	if (!legacy_start(&s))
		goto out;
	c = s.c[0];
	CU_ASSERT_TRUE(legacy_logged(&s));
	/* The vGPU answers config cycles and MMIO through the gfn-placed pages. */
	CU_ASSERT_EQUAL(scn_cfg_read(c, 0x00, 4), 0x19128086u);
	CU_ASSERT_EQUAL(scn_cfg_read(c, 0x0a, 2), 0x0300);
	scn_place_bars(c);
	CU_ASSERT_EQUAL(sim_mem_read(c, SCN_BAR0 + 0x78000, 8, &magic), 0);
	CU_ASSERT_EQUAL(magic, 0x4776544776544776ull); /* "vGTvGTvG" */
	/*
	 * The pool's first gfn (top of RAM) holds the server's ioreq page:
	 * out of the guest p2m while enabled, so the guest reads all-ones and
	 * its writes go nowhere, not into the page.
	 */
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(s.machine, s.dom[0], top - 1, &maddr), -EFAULT);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], before), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, (top - 1) << 12, 8, &v), 0);
	CU_ASSERT_EQUAL(v, ~0ull);
	for (unsigned int off = 0; off < 64; off += 8)
		CU_ASSERT_EQUAL(sim_mem_write(c, ((top - 1) << 12) + off, 8, ~0ull), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(s.machine, s.dom[0], after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_UNCLAIMED_READ], before[ROUTE_UNCLAIMED_READ] + 1);
	CU_ASSERT_EQUAL(after[ROUTE_UNCLAIMED_WRITE], before[ROUTE_UNCLAIMED_WRITE] + 8);
	CU_ASSERT_EQUAL(after[ROUTE_RAM_WRITE], before[ROUTE_RAM_WRITE]);
	/* The scribbles did not reach the vCPU slot: requests still flow. */
	magic = 0;
	CU_ASSERT_EQUAL(sim_mem_read(c, SCN_BAR0 + 0x78000, 8, &magic), 0);
	CU_ASSERT_EQUAL(magic, 0x4776544776544776ull);
	CU_ASSERT_EQUAL(scn_cfg_read(c, 0x00, 4), 0x19128086u);
	/* The RAM just below the pool is ordinary guest RAM. */
	CU_ASSERT_EQUAL(sim_mem_write(c, (top - XENSIM_IOREQ_GFN_POOL - 1) << 12, 4, 0x1234), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, (top - XENSIM_IOREQ_GFN_POOL - 1) << 12, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x1234);
out:
	scn_stop(&s);
}

void suite_daemon_legacy(void);

void
suite_daemon_legacy(void)
{
	static const struct test_case cases[] = {
		{ "legacy ioreq gfns: vGPU works, pages hidden", test_legacy_end_to_end },
		{ NULL, NULL },
	};

	test_add_suite("daemon_legacy", cases);
}
