/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_dma.c — the gfn -> machine-address translator of the sim
 * build's DMA hook (xensim_dma_*): the same answers as
 * xensim_gfn_to_maddr, the machine named once at open, live domain state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xensim.h"
#include "tests/test_util.h"

static void
test_dma_matches_gfn_to_maddr(void)
{
	char mach[64];
	struct xensim_dma *x;
	uint64_t a = 0, b = 0, last = (32u << 20) / 4096 - 1;
	int d1, d2;

	test_machine_new(mach, sizeof(mach));
	d1 = xensim_domain_create(mach, 32, 1);
	CU_ASSERT_FATAL(d1 > 0);
	{
		const char *env = getenv("XENSIM_MACHINE");
		char *saved = env ? strdup(env) : NULL;

		setenv("XENSIM_MACHINE", mach, 1);
		x = xensim_dma_open(NULL);	/* $XENSIM_MACHINE, read now */
		if (saved)
			setenv("XENSIM_MACHINE", saved, 1);
		else
			unsetenv("XENSIM_MACHINE");
		free(saved);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	/* A domain created after the open is seen: the state is read per call. */
	d2 = xensim_domain_create(mach, 32, 1);
	CU_ASSERT_FATAL(d2 > 0);
	for (int i = 0; i < 2; i++) {
		uint32_t dom = (uint32_t)(i ? d2 : d1);
		const uint64_t gfns[] = { 0, 0x123, last };

		for (size_t g = 0; g < sizeof(gfns) / sizeof(gfns[0]); g++) {
			CU_ASSERT_EQUAL(xensim_dma_gfn(x, dom, gfns[g], &a), 0);
			CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, dom, gfns[g], &b), 0);
			CU_ASSERT_EQUAL(a, b);
			CU_ASSERT_EQUAL(a & 0xfff, 0);
		}
		CU_ASSERT_EQUAL(xensim_dma_gfn(x, dom, last + 1, &a), -EFAULT);
		CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, dom, last + 1, &b), -EFAULT);
	}
	/* Two domains' frames are different machine pages. */
	CU_ASSERT_EQUAL(xensim_dma_gfn(x, (uint32_t)d1, 0, &a), 0);
	CU_ASSERT_EQUAL(xensim_dma_gfn(x, (uint32_t)d2, 0, &b), 0);
	CU_ASSERT_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(xensim_dma_gfn(x, 999, 0, &a), -ESRCH);
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, (uint32_t)d2), 0);
	CU_ASSERT_EQUAL(xensim_dma_gfn(x, (uint32_t)d2, 0, &a), -ESRCH);
	xensim_dma_close(x);
	test_machine_done(mach);
	/* No such machine: NULL, ENOENT. */
	errno = 0;
	CU_ASSERT_PTR_NULL(xensim_dma_open(mach));
	CU_ASSERT_EQUAL(errno, ENOENT);
	xensim_dma_close(NULL);
}

void suite_xensim_dma(void);

void
suite_xensim_dma(void)
{
	static const struct test_case cases[] = {
		{ "translator agrees with xensim_gfn_to_maddr", test_dma_matches_gfn_to_maddr },
		{ NULL, NULL },
	};

	test_add_suite("xensim_dma", cases);
}
