/* SPDX-License-Identifier: MIT */
/*
 * test_vreg.c — the register file's storage (vreg.c): every vGPU starts
 * from the shared reset image, a write gives only that vGPU (and only
 * that 4 KiB page) its own copy, creating and idling a vGPU writes no
 * register page and allocates no unknown-register bitmap. Pages are
 * checked in /proc/self/pagemap: a page of the register file that is
 * present and not a file (shmem) page is a private copy.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define RCS_TAIL	0x2030u		/* plain virtual register, reset 0 */
#define FUSE2		0x9120u		/* read-only, reset SKL GT2 fuses */
#define SKL_GT2_FUSE2	((1u << 25) | (0x8u << 20))
#define PV_CURSOR_X_HOT	0x78830u	/* PV info field, reset UINT32_MAX */
#define SDEISR		0xc4000u	/* the monitor's live hotplug bit (port D) */
#define SDE_PORTD_HOTPLUG (1u << 23)
#define GMBUS2		0xc5108u	/* HW_RDY at reset */
#define GMBUS2_HW_RDY	(1u << 11)
#define UNKNOWN_REG	0x1ff000u	/* no row: nothing is decoded there on Gen9 */

#define PM_PRESENT	(1ull << 63)
#define PM_FILE		(1ull << 61)	/* file page or shared anonymous */

/*
 * Pages of v's register file that are its own (present, not the image's
 * shmem page), or -1 if /proc/self/pagemap cannot say.
 */
static int
private_pages(const struct vgpu *v)
{
	uint64_t e[MMIO_REG_SIZE / 4096];
	off_t at = (off_t)((uintptr_t)v->vreg / 4096 * 8);
	int fd = open("/proc/self/pagemap", O_RDONLY), n = 0;

	if (fd < 0)
		return -1;
	if (pread(fd, e, sizeof(e), at) != (ssize_t)sizeof(e)) {
		close(fd);
		return -1;
	}
	close(fd);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		n += (e[i] & PM_PRESENT) && !(e[i] & PM_FILE);
	return n;
}

/* Every vGPU reads the reset values; a write stays in its own register file. */
static void
test_reset_image_copy_on_write(void)
{
	struct fake_setup s;
	struct hv *hv2 = NULL, *hv3 = NULL;
	struct vgpu *v2 = NULL, *v3 = NULL;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 2, NULL, true, &hv2, &v2) == 0);
	for (int i = 0; i < 2; i++) {
		struct vgpu *v = i ? v2 : s.v;

		CU_ASSERT_EQUAL(fake_readl(v, FUSE2), SKL_GT2_FUSE2);	/* a row's reset */
		CU_ASSERT_EQUAL(fake_readl(v, PV_CURSOR_X_HOT), 0xffffffffu); /* pvinfo's */
		CU_ASSERT(fake_readl(v, SDEISR) & SDE_PORTD_HOTPLUG);	/* display's */
		CU_ASSERT_EQUAL(fake_readl(v, GMBUS2), GMBUS2_HW_RDY);
		CU_ASSERT_EQUAL(fake_readl(v, RCS_TAIL), 0);
	}
	fake_writel(s.v, RCS_TAIL, 0x1230);
	fake_writel(s.v, PV_CURSOR_X_HOT, 7);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_TAIL), 0x1230);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV_CURSOR_X_HOT), 7);
	CU_ASSERT_EQUAL(fake_readl(v2, RCS_TAIL), 0);
	CU_ASSERT_EQUAL(fake_readl(v2, PV_CURSOR_X_HOT), 0xffffffffu);
	fake_writel(v2, RCS_TAIL, 0x4560);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_TAIL), 0x1230);
	CU_ASSERT_EQUAL(fake_readl(v2, RCS_TAIL), 0x4560);
	/* A vGPU created after the writes still starts from the reset values. */
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 3, NULL, true, &hv3, &v3) == 0);
	CU_ASSERT_EQUAL(fake_readl(v3, RCS_TAIL), 0);
	CU_ASSERT_EQUAL(fake_readl(v3, PV_CURSOR_X_HOT), 0xffffffffu);
	vgpu_destroy(v3);
	vgpu_destroy(v2);
	fake_hv_free(hv3);
	fake_hv_free(hv2);
	fake_teardown(&s);
}

/*
 * A new vGPU, and one whose guest only reads or rewrites values, has no
 * page of registers of its own; a changed register costs exactly its page.
 */
static void
test_idle_vgpu_private_pages(void)
{
	struct fake_setup s;
	int n;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	n = private_pages(s.v);
	if (n < 0) {
		test_skip("/proc/self/pagemap not readable");
		fake_teardown(&s);
		return;
	}
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(s.v->unknown_seen);
	/* Reads map the image's pages, they copy nothing. */
	for (uint32_t off = 0; off < MMIO_REG_SIZE; off += 4096)
		(void)fake_readl(s.v, off);
	CU_ASSERT_EQUAL(private_pages(s.v), 0);
	/* Writing the value a register holds changes nothing. */
	fake_writel(s.v, RCS_TAIL, 0);
	fake_writel(s.v, GMBUS2, GMBUS2_HW_RDY);
	CU_ASSERT_EQUAL(private_pages(s.v), 0);
	fake_writel(s.v, RCS_TAIL, 0x80);
	CU_ASSERT_EQUAL(private_pages(s.v), 1);
	fake_writel(s.v, RCS_TAIL + 4, 0x40);	/* same page */
	CU_ASSERT_EQUAL(private_pages(s.v), 1);
	fake_writel(s.v, PV_CURSOR_X_HOT, 1);	/* another page */
	CU_ASSERT_EQUAL(private_pages(s.v), 2);
	fake_teardown(&s);
}

/* The unknown-register bitmap comes with the first unknown register. */
static void
test_unknown_bitmap_lazy(void)
{
	struct vgpu_unknown_reg rows[4];
	struct fake_setup s;
	uint64_t overflow = 1;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_PTR_NULL_FATAL(mmio_find(UNKNOWN_REG));
	CU_ASSERT_PTR_NULL(s.v->unknown_seen);
	(void)fake_readl(s.v, RCS_TAIL);
	CU_ASSERT_PTR_NULL(s.v->unknown_seen);
	fake_writel(s.v, UNKNOWN_REG, 5);
	CU_ASSERT_PTR_NOT_NULL(s.v->unknown_seen);
	(void)fake_readl(s.v, UNKNOWN_REG);
	CU_ASSERT_EQUAL(vgpu_unknown_regs(s.v, rows, 4, &overflow), 1);
	CU_ASSERT_EQUAL(rows[0].off, UNKNOWN_REG);
	CU_ASSERT_EQUAL(rows[0].hits, 2);
	CU_ASSERT_EQUAL(overflow, 0);
	fake_teardown(&s);
}

void suite_vreg(void);

void
suite_vreg(void)
{
	static const struct test_case cases[] = {
		{ "reset image, copy-on-write per vGPU", test_reset_image_copy_on_write },
		{ "idle vGPU has no register page of its own", test_idle_vgpu_private_pages },
		{ "unknown-register bitmap allocated lazily", test_unknown_bitmap_lazy },
		{ NULL, NULL },
	};

	test_add_suite("vreg", cases);
}
