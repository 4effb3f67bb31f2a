/* SPDX-License-Identifier: MIT */
/*
 * test_qemu_glue_bars.c — what the QEMU transport needs of the vGPU's
 * config space, over the fake hypervisor: bars=32 (32-bit BAR0/BAR2, a
 * full 32-bit I/O BAR mask, BAR1/BAR3 absent) with the sizes QEMU's proxy
 * computes from its 32-bit probe, placement below 4 GiB, the MSI
 * capability only where the transport injects MSIs, and the spec's
 * transport defaults (dm/vgpu_spec.c).
 */
#include <errno.h>
#include <string.h>

#include "dm/vgpu_spec.h"
#include "mediator/core/vgpu_int.h"
#include "qemu-glue/qemu_glue.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define BAR0 0xfe000000u
#define BAR2 0xc0000000u
#define BAR4 0xc000u

static uint32_t
cfgr(struct vgpu *v, unsigned int reg, unsigned int size)
{
	uint32_t val = 0;

	CU_ASSERT_EQUAL(vgpu_cfg_access(v, false, reg, size, &val), 0);
	return val;
}

static void
cfgw(struct vgpu *v, unsigned int reg, unsigned int size, uint32_t val)
{
	CU_ASSERT_EQUAL(vgpu_cfg_access(v, true, reg, size, &val), 0);
}

/* hw/remote/proxy.c probe_pci_info: a BAR register's size from its 32-bit probe. */
static uint32_t
proxy_probe(struct vgpu *v, unsigned int reg, bool *io)
{
	uint32_t orig = cfgr(v, reg, 4), nv;

	cfgw(v, reg, 4, 0xffffffffu);
	nv = cfgr(v, reg, 4);
	cfgw(v, reg, 4, orig);
	*io = nv & 1;
	return ~(nv & 0xfffffff0u) + 1;
}

/* A vGPU of spec (with the QEMU transport's defaults) on the fake GPU and guest. */
static void
rig_up(struct fake_setup *s, const char *spec, const struct hv_ops *ops)
{
	struct vgpu_config cfg;
	char err[128] = "";

	memset(s, 0, sizeof(*s));
	CU_ASSERT_EQUAL_FATAL(vgpu_spec_parse_with(spec, QG_SPEC_DEFAULTS, &cfg, err, sizeof(err)),
			      0);
	snprintf(cfg.type, sizeof(cfg.type), "xengt_small");
	CU_ASSERT_EQUAL_FATAL(vgpu_type_apply(&cfg), 0);
	fake_pgpu_open(&s->dev);
	CU_ASSERT_EQUAL_FATAL(gpu_create(&s->dev, &s->gpu), 0);
	s->hv = fake_hv_new(64);
	CU_ASSERT_EQUAL_FATAL(vgpu_create(s->gpu, &cfg, 1, ops ? ops : &fake_hv_ops, s->hv, &s->v,
					  err, sizeof(err)), 0);
}

static void
test_bars32_sizing(void)
{
	struct fake_setup s;
	bool io;

	rig_up(&s, "", NULL);
	CU_ASSERT_TRUE(s.v->cfg.bars32);
	cfgw(s.v, 0x10, 4, 0xffffffffu);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x10, 4), 0xff000000u);	/* 16 MiB, 32-bit */
	cfgw(s.v, 0x14, 4, 0xffffffffu);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x14, 4), 0);			/* no BAR1 */
	cfgw(s.v, 0x18, 4, 0xffffffffu);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x18, 4), 0xf0000008u);	/* 256 MiB, 32-bit prefetchable */
	cfgw(s.v, 0x1c, 4, 0xffffffffu);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x1c, 4), 0);			/* no BAR3 */
	cfgw(s.v, 0x20, 4, 0xffffffffu);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x20, 4), 0xffffffc1u);	/* 64 ports, all 32 bits */
	/* What the proxy registers: BAR0, BAR2, BAR4, each a power of two; nothing else. */
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x10, &io), 16u << 20);
	CU_ASSERT_FALSE(io);
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x14, &io), 0);
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x18, &io), 256u << 20);
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x1c, &io), 0);
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x20, &io), 64);
	CU_ASSERT_TRUE(io);
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x24, &io), 0);
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x28, &io), 0);
	/* Sizing with decode off claimed nothing but the SBDF. */
	CU_ASSERT_EQUAL(s.hv->nr_claims, 1);
	fake_teardown(&s);
}

/* Why bars=32: the default 64-bit BARs come out of the proxy's probe broken. */
static void
test_bars64_through_the_proxy(void)
{
	struct fake_setup s;
	bool io;

	rig_up(&s, "bars=64", NULL);
	CU_ASSERT_FALSE(s.v->cfg.bars32);
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x10, &io), 16u << 20);
	/* The upper dword reads all-ones after its probe: a bogus 16-byte BAR1. */
	CU_ASSERT_EQUAL(proxy_probe(s.v, 0x14, &io), 16);
	/* The 16-bit I/O form: no power of two (QEMU would abort registering it). */
	{
		uint32_t n = proxy_probe(s.v, 0x20, &io);

		CU_ASSERT_NOT_EQUAL(n & (n - 1), 0);
	}
	/* And bars=64 leaves the I/O BAR as it always was. */
	cfgw(s.v, 0x20, 4, 0xffffffffu);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x20, 4), 0x0000ffc1u);
	fake_teardown(&s);
}

static void
test_bars32_placement(void)
{
	struct fake_setup s;

	rig_up(&s, "", NULL);
	cfgw(s.v, 0x10, 4, BAR0);
	cfgw(s.v, 0x18, 4, BAR2);
	cfgw(s.v, 0x20, 4, BAR4);
	cfgw(s.v, 0x04, 2, 0x7);
	CU_ASSERT_TRUE(fake_hv_claimed(s.hv, 'm', BAR0, BAR0 + (16u << 20) - 1));
	CU_ASSERT_TRUE(fake_hv_claimed(s.hv, 'p', BAR4, BAR4 + 63));
	CU_ASSERT_TRUE(s.hv->ap_mapped);
	CU_ASSERT_EQUAL(s.hv->ap_gfn, (BAR2 + s.v->part.low_base) >> 12);
	/* BAR1 and BAR3 are no upper halves: writing them moves nothing. */
	cfgw(s.v, 0x14, 4, 1);
	cfgw(s.v, 0x1c, 4, 1);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x14, 4), 0);
	CU_ASSERT_TRUE(fake_hv_claimed(s.hv, 'm', BAR0, BAR0 + (16u << 20) - 1));
	CU_ASSERT_EQUAL(s.hv->ap_gfn, (BAR2 + s.v->part.low_base) >> 12);
	/* Ports are 16 bits on x86: an I/O base above them is not placed. */
	cfgw(s.v, 0x20, 4, 0x1c000);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x20, 4), 0x1c001u);
	CU_ASSERT_FALSE(fake_hv_claimed(s.hv, 'p', BAR4, BAR4 + 63));
	CU_ASSERT_FALSE(fake_hv_claimed(s.hv, 'p', 0xc000, 0xc03f));
	CU_ASSERT_FALSE(s.v->cfgs.bar_live[VBAR4]);
	cfgw(s.v, 0x20, 4, BAR4);
	CU_ASSERT_TRUE(fake_hv_claimed(s.hv, 'p', BAR4, BAR4 + 63));
	/* Accesses follow BAR0. */
	{
		uint64_t val = 0;

		CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, BAR0 + 0x78000, 4, &val), 0);
		CU_ASSERT_EQUAL(val, 0x76544776u);
	}
	fake_teardown(&s);
}

/* The MSI capability only where the transport can inject an MSI. */
static void
test_msi_needs_inject(void)
{
	struct hv_ops no_msi = fake_hv_ops;
	struct fake_setup s;
	unsigned int cap, n = 0;

	no_msi.inject_msi = NULL;
	rig_up(&s, "msi=on", &no_msi);
	CU_ASSERT_TRUE(s.v->cfg.msi);
	for (cap = cfgr(s.v, 0x34, 1); cap && n < 48; cap = cfgr(s.v, cap + 1, 1), n++)
		CU_ASSERT_NOT_EQUAL(cfgr(s.v, cap, 1), 0x05);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x34, 1), 0xd0);	/* PM only */
	CU_ASSERT_EQUAL(cfgr(s.v, 0x3d, 1), 1);		/* INTA */
	fake_teardown(&s);
	/* With an inject op and msi=on it is there. */
	rig_up(&s, "msi=on", NULL);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x34, 1), 0xac);
	CU_ASSERT_EQUAL(cfgr(s.v, 0xac, 1), 0x05);
	fake_teardown(&s);
}

static void
test_spec_transport_defaults(void)
{
	struct vgpu_config c;
	char err[128] = "";

	CU_ASSERT_EQUAL(vgpu_spec_parse_with("", QG_SPEC_DEFAULTS, &c, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(c.bars32);
	CU_ASSERT_FALSE(c.msi);
	CU_ASSERT_STRING_EQUAL(c.type, "GVTg_V5_4");
	/* A key the spec gives wins. */
	CU_ASSERT_EQUAL(vgpu_spec_parse_with("bars=64,msi=on", QG_SPEC_DEFAULTS, &c, err,
					     sizeof(err)), 0);
	CU_ASSERT_FALSE(c.bars32);
	CU_ASSERT_TRUE(c.msi);
	/* This build's transport (xen-glue) implies nothing: bars=64, MSI on. */
	CU_ASSERT_EQUAL(vgpu_spec_parse("", &c, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(c.bars32);
	CU_ASSERT_TRUE(c.msi);
	CU_ASSERT_EQUAL(vgpu_spec_parse("bars=32", &c, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(c.bars32);
	/* Errors name the key and value, and say when a transport default is bad. */
	CU_ASSERT_EQUAL(vgpu_spec_parse_with("bars=16", NULL, &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "bars: bad value '16'");
	CU_ASSERT_EQUAL(vgpu_spec_parse_with("bars=32,bars=64", NULL, &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "bars: given twice ('32', '64')");
	CU_ASSERT_EQUAL(vgpu_spec_parse_with("", "bars=16", &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "transport default bars: bad value '16'");
	CU_ASSERT_EQUAL(vgpu_spec_parse_with("", "nokey=1", &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "transport default: nokey: unknown key (value '1')");
	/* A bad spec is reported as the spec's, even with good defaults. */
	CU_ASSERT_EQUAL(vgpu_spec_parse_with("msi=1", QG_SPEC_DEFAULTS, &c, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "msi: bad value '1'");
}

void suite_qemu_glue_bars(void);

void
suite_qemu_glue_bars(void)
{
	static const struct test_case cases[] = {
		{ "bars=32: sizes as the proxy's 32-bit probe sees them", test_bars32_sizing },
		{ "bars=64 through the proxy's probe: a bogus BAR1, a broken I/O size",
		  test_bars64_through_the_proxy },
		{ "bars=32: placement, no upper halves, 16-bit ports", test_bars32_placement },
		{ "MSI capability only with an inject op", test_msi_needs_inject },
		{ "spec: bars key and transport defaults", test_spec_transport_defaults },
		{ NULL, NULL },
	};

	test_add_suite("qemu_glue_bars", cases);
}
