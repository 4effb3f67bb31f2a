/* SPDX-License-Identifier: MIT */
/*
 * test_pvinfo.c — the PV info page as a guest reads it through BAR0:
 * detection, its own GM ranges, read-only fields, display_ready, and g2v
 * PPGTT notifications (good root, root outside RAM, unknown notify).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define PV 0x78000u

static struct fake_setup s;

static uint64_t
readq(struct vgpu *v, uint32_t off)
{
	uint64_t val = 0;

	CU_ASSERT_EQUAL(vgpu_mem_access(v, false, FAKE_BAR0 + off, 8, &val), 0);
	return val;
}

static void
test_detect_and_ranges(void)
{
	struct vgpu_partition p;
	struct hv *hv2;
	struct vgpu *v2;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 2, NULL, true, &hv2, &v2) == 0);
	CU_ASSERT_EQUAL(readq(s.v, PV), 0x4776544776544776ull);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x08), 0x00000001); /* 1.0 */
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x0c), vgpu_id(s.v));
	CU_ASSERT_EQUAL(fake_readl(v2, PV + 0x0c), vgpu_id(v2));
	CU_ASSERT_NOT_EQUAL(vgpu_id(s.v), vgpu_id(v2));
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x10), (1u << 2) | (1u << 3));
	vgpu_get_partition(s.v, &p);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x40), (uint32_t)p.low_base);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x44), (uint32_t)p.low_size);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x48), (uint32_t)p.high_base);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x4c), (uint32_t)p.high_size);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x50), p.fence_num);
	CU_ASSERT(p.low_size > 0 && p.high_size > 0);
	/* The two guests' mappable ranges do not overlap. */
	uint32_t b1 = fake_readl(s.v, PV + 0x40), n1 = fake_readl(s.v, PV + 0x44);
	uint32_t b2 = fake_readl(v2, PV + 0x40), n2 = fake_readl(v2, PV + 0x44);
	CU_ASSERT(b1 + n1 <= b2 || b2 + n2 <= b1);
	/* Read-only fields ignore writes; display_ready is RW. */
	fake_writel(s.v, PV + 0x00, 0);
	fake_writel(s.v, PV + 0x44, 0xffffffff);
	CU_ASSERT_EQUAL(readq(s.v, PV), 0x4776544776544776ull);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x44), (uint32_t)p.low_size);
	fake_writel(s.v, PV + 0x804, 1);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x804), 1);
	CU_ASSERT_EQUAL(fake_readl(v2, PV + 0x804), 0);
	/* Cursor hot-spot: "none" (UINT32_MAX) until the guest sets it. */
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x830), 0xffffffffu);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x834), 0xffffffffu);
	fake_writel(s.v, PV + 0x830, 5);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x830), 5);
	CU_ASSERT_EQUAL(fake_readl(v2, PV + 0x830), 0xffffffffu);
	vgpu_destroy(v2);
	fake_hv_free(hv2);
	fake_teardown(&s);
}

static void
set_pdp0(struct vgpu *v, uint64_t gpa)
{
	fake_writel(v, PV + 0x838, (uint32_t)gpa);
	fake_writel(v, PV + 0x83c, (uint32_t)(gpa >> 32));
}

static void
test_g2v_l4(void)
{
	const uint64_t root = 0x200000;
	uint64_t e, pte = 0x345000 | 3;
	struct vgpu_stats st;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	memcpy(s.hv->ram + root + 3 * 8, &pte, 8);
	set_pdp0(s.v, root);
	fake_writel(s.v, PV + 0x818, 4); /* PPGTT_L4_CREATE */
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, root, 3, &e), 0);
	CU_ASSERT_EQUAL(e, pte);
	CU_ASSERT_EQUAL(s.hv->wp[root >> 12], 1);
	fake_writel(s.v, PV + 0x818, 5); /* PPGTT_L4_DESTROY */
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, root, 3, &e), -ENOENT);
	CU_ASSERT_EQUAL(s.hv->wp[root >> 12], 0);
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_EQUAL(st.bad_access, 0);
	fake_teardown(&s);
}

static void
test_g2v_hostile(void)
{
	struct vgpu_stats st;
	uint64_t e;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	set_pdp0(s.v, 0x7ff00000000ull); /* far outside the guest's 64 MiB */
	fake_writel(s.v, PV + 0x818, 4);
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, 0x7ff00000000ull, 0, &e), -ENOENT);
	CU_ASSERT_EQUAL(s.hv->nr_wp_calls, 0);
	set_pdp0(s.v, 0x200010); /* not page aligned */
	fake_writel(s.v, PV + 0x818, 4);
	CU_ASSERT_EQUAL(s.hv->nr_wp_calls, 0);
	fake_writel(s.v, PV + 0x818, 5); /* destroy of a root never created */
	fake_writel(s.v, PV + 0x818, 0x1234); /* unknown notify */
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_EQUAL(st.bad_access, 4);
	CU_ASSERT(!st.failsafe);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x818), 0x1234);
	fake_teardown(&s);
}

/* Undefined offsets of the page: read 0, writes dropped, logged once, never the unknown policy. */
static void
test_undefined_offsets(void)
{
	struct vgpu_config cfg;
	struct vgpu_stats st;
	uint64_t lines;

	vgpu_config_default(&cfg);
	snprintf(cfg.type, sizeof(cfg.type), "%s", "xengt_small");
	CU_ASSERT_FATAL(vgpu_type_apply(&cfg) == 0);
	cfg.unknown = UNKNOWN_STRICT;
	CU_ASSERT_FATAL(fake_setup(&s, &cfg) == 0);
	lines = log_lines();
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x20), 0);	/* rsv1 */
	fake_writel(s.v, PV + 0x20, 0x1234);
	fake_writel(s.v, PV + 0x900, 0x1);
	fake_writel(s.v, PV + 0xffc, 0x1);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x20), 0);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x900), 0);
	CU_ASSERT_EQUAL(log_lines(), lines + 1);
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_EQUAL(st.bad_access, 3);
	CU_ASSERT_EQUAL(st.unknown_reg, 0);
	CU_ASSERT_FALSE(st.failsafe);
	CU_ASSERT(s.v->warned & (1ull << WARN_PVINFO_UNDEF));
	/* Identity still answers, and read-only writes are counted as such. */
	CU_ASSERT_EQUAL(readq(s.v, PV), 0x4776544776544776ull);
	fake_writel(s.v, PV + 0x0c, 99);
	CU_ASSERT_EQUAL(fake_readl(s.v, PV + 0x0c), vgpu_id(s.v));
	CU_ASSERT_EQUAL(s.v->ro_writes, 1);
	fake_teardown(&s);
}

void suite_pvinfo(void);

void
suite_pvinfo(void)
{
	static const struct test_case cases[] = {
		{ "detection, ids and GM ranges of two vGPUs", test_detect_and_ranges },
		{ "undefined offsets dropped, not unknown registers", test_undefined_offsets },
		{ "g2v PPGTT L4 create/destroy", test_g2v_l4 },
		{ "g2v with bogus roots and values", test_g2v_hostile },
		{ NULL, NULL },
	};

	test_add_suite("pvinfo", cases);
}
