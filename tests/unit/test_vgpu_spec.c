/* SPDX-License-Identifier: MIT */
/*
 * test_vgpu_spec.c — golden cases for the vGPU spec parser
 * (dm/vgpu_spec.c, docs/vgpu-spec.md): accepted specs with every field
 * checked, refused specs with the exact error text naming key and value.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dm/vgpu_spec.h"
#include "mediator/vgpu.h"
#include "tests/test_util.h"

#define MIB (1ull << 20)

static void
test_defaults(void)
{
	struct vgpu_config c;
	char err[128] = "";

	CU_ASSERT_EQUAL(vgpu_spec_parse("", &c, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.type, "GVTg_V5_4");
	CU_ASSERT_EQUAL(c.low_gm, 128 * MIB);
	CU_ASSERT_EQUAL(c.high_gm, 512 * MIB);
	CU_ASSERT_EQUAL(c.fences, 4);
	CU_ASSERT_EQUAL(c.seg, 0);
	CU_ASSERT_EQUAL(c.bus, 0);
	CU_ASSERT_EQUAL(c.dev, 2);
	CU_ASSERT_EQUAL(c.fn, 0);
	CU_ASSERT_EQUAL(c.unknown, UNKNOWN_TOLERATE);
	CU_ASSERT_FALSE(c.ggtt_failsafe);
	CU_ASSERT_TRUE(c.msi);
	CU_ASSERT_TRUE(c.vga_check);
	CU_ASSERT_FALSE(c.monitor_hdmi);	/* a DisplayPort monitor */
}

static void
test_type_and_overrides(void)
{
	struct vgpu_config c;
	char err[128] = "";

	/* Explicit keys override the type wherever they appear in the spec. */
	CU_ASSERT_EQUAL(vgpu_spec_parse("low_gm=32M,type=GVTg_V5_8,fences=8", &c, err,
					sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c.type, "GVTg_V5_8");
	CU_ASSERT_EQUAL(c.low_gm, 32 * MIB);
	CU_ASSERT_EQUAL(c.high_gm, 384 * MIB);
	CU_ASSERT_EQUAL(c.fences, 8);
	CU_ASSERT_EQUAL(c.weight, 2);
	/* No fences at all is a valid share (i915 reads fence_num 0 from the PV info page). */
	CU_ASSERT_EQUAL(vgpu_spec_parse("type=GVTg_V5_8,fences=0", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.fences, 0);
	CU_ASSERT_EQUAL(vgpu_spec_parse("type=xengt_32", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.fences, 0);
	CU_ASSERT_EQUAL(c.low_gm, 16 * MIB);
	CU_ASSERT_EQUAL(c.high_gm, 64 * MIB);
	CU_ASSERT_EQUAL(c.max_w, 1024);
	CU_ASSERT_EQUAL(c.max_h, 768);
}

static void
test_all_keys(void)
{
	struct vgpu_config c;
	char err[128] = "";

	CU_ASSERT_EQUAL(vgpu_spec_parse("type=xengt_small,high_gm=1G,weight=16,res=800x600,"
					"sbdf=0001:02:1f.7,unknown=strict,ggtt=failsafe,msi=off,"
					"vga_check=off,monitor=hdmi",
					&c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.low_gm, 16 * MIB);
	CU_ASSERT_EQUAL(c.high_gm, 1024 * MIB);
	CU_ASSERT_EQUAL(c.weight, 16);
	CU_ASSERT_EQUAL(c.max_w, 800);
	CU_ASSERT_EQUAL(c.max_h, 600);
	CU_ASSERT_EQUAL(c.seg, 1);
	CU_ASSERT_EQUAL(c.bus, 2);
	CU_ASSERT_EQUAL(c.dev, 31);
	CU_ASSERT_EQUAL(c.fn, 7);
	CU_ASSERT_EQUAL(c.unknown, UNKNOWN_STRICT);
	CU_ASSERT_TRUE(c.ggtt_failsafe);
	CU_ASSERT_FALSE(c.msi);
	CU_ASSERT_FALSE(c.vga_check);
	CU_ASSERT_TRUE(c.monitor_hdmi);
	CU_ASSERT_EQUAL(vgpu_spec_parse("sbdf=00:03.1,low_gm=4096K", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c.bus, 0);
	CU_ASSERT_EQUAL(c.dev, 3);
	CU_ASSERT_EQUAL(c.fn, 1);
	CU_ASSERT_EQUAL(c.low_gm, 4 * MIB);
}

/* Refused specs: exact message naming key and value. */
static const struct {
	const char *spec, *err;
} bad[] = {
	{ "type=GVTg_V9_9", "type: bad value 'GVTg_V9_9'" },
	{ "colour=red", "colour: unknown key (value 'red')" },
	{ "low_gm", "low_gm: missing '=value'" },
	{ "low_gm=12Q", "low_gm: bad value '12Q'" },
	{ "low_gm=0", "low_gm: bad value '0'" },
	{ "high_gm=-1M", "high_gm: bad value '-1M'" },
	{ "fences=-1", "fences: bad value '-1'" },
	{ "fences=65", "fences: bad value '65'" },
	{ "weight=17", "weight: bad value '17'" },
	{ "res=1920", "res: bad value '1920'" },
	{ "res=1920x", "res: bad value '1920x'" },
	{ "sbdf=00:20.0", "sbdf: bad value '00:20.0'" },
	{ "sbdf=00:02.8", "sbdf: bad value '00:02.8'" },
	{ "sbdf=02.0", "sbdf: bad value '02.0'" },
	{ "sbdf=0:0:0:2.0", "sbdf: bad value '0:0:0:2.0'" },
	{ "unknown=ignore", "unknown: bad value 'ignore'" },
	{ "ggtt=yes", "ggtt: bad value 'yes'" },
	{ "msi=1", "msi: bad value '1'" },
	{ "vga_check=no", "vga_check: bad value 'no'" },
	{ "monitor=vga", "monitor: bad value 'vga'" },
	{ "msi=on,msi=off", "msi: given twice ('on', 'off')" },
	{ "low_gm=99999999999999999999G", "low_gm: bad value '99999999999999999999G'" },
};

static void
test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vgpu_config c;
		char err[128] = "";

		CU_ASSERT_EQUAL(vgpu_spec_parse(bad[i].spec, &c, err, sizeof(err)), -EINVAL);
		if (strcmp(err, bad[i].err))
			printf("\n    '%s': got '%s'", bad[i].spec, err);
		CU_ASSERT_STRING_EQUAL(err, bad[i].err);
	}
}

static void
test_too_long(void)
{
	char spec[VGPU_SPEC_MAX + 8], err[128] = "";
	struct vgpu_config c;

	memset(spec, 'a', sizeof(spec) - 1);
	spec[sizeof(spec) - 1] = '\0';
	CU_ASSERT_EQUAL(vgpu_spec_parse(spec, &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than"));
}

void suite_vgpu_spec(void);
void
suite_vgpu_spec(void)
{
	static const struct test_case cases[] = {
		{ "defaults", test_defaults },
		{ "type_and_overrides", test_type_and_overrides },
		{ "all_keys", test_all_keys },
		{ "bad_specs", test_bad },
		{ "too_long", test_too_long },
		{ NULL, NULL },
	};

	test_add_suite("vgpu_spec", cases);
}
