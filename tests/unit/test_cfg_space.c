/* SPDX-License-Identifier: MIT */
/*
 * test_cfg_space.c — the vGPU's PCI config space over the fake hypervisor:
 * identity, capability walk, BAR sizing, BAR moves and what they claim or
 * map, MSI target, and malformed config cycles.
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

static struct fake_setup s;

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

static struct vgpu *
setup_unplaced(void)
{
	struct vgpu_config cfg;

	vgpu_config_default(&cfg);
	memset(&s, 0, sizeof(s));
	fake_pgpu_open(&s.dev);
	CU_ASSERT_FATAL(gpu_create(&s.dev, &s.gpu) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 7, &cfg, false, &s.hv, &s.v) == 0);
	return s.v;
}

static void
test_identity(void)
{
	struct vgpu *v = setup_unplaced();
	unsigned int cap, n = 0;
	bool msi = false, pm = false;

	CU_ASSERT_EQUAL(cfgr(v, 0x00, 2), 0x8086);
	CU_ASSERT_EQUAL(cfgr(v, 0x02, 2), 0x1912);
	CU_ASSERT_EQUAL(cfgr(v, 0x08, 4) >> 8, 0x030000);
	CU_ASSERT_EQUAL(cfgr(v, 0x0e, 1), 0);
	CU_ASSERT_EQUAL(cfgr(v, 0x2c, 2), 0x8086);
	CU_ASSERT(cfgr(v, 0x06, 2) & 0x10);
	CU_ASSERT_EQUAL(cfgr(v, 0x3d, 1), 1);
	CU_ASSERT_EQUAL((cfgr(v, 0x50, 2) >> 6) & 3, 3); /* 8 MiB GGTT */
	/* Walk the capability list as a guest does (bounded). */
	for (cap = cfgr(v, 0x34, 1); cap && n < 48; cap = cfgr(v, cap + 1, 1), n++) {
		if (cfgr(v, cap, 1) == 0x05) {
			msi = true;
			CU_ASSERT_EQUAL(cap, 0xac);
			CU_ASSERT_EQUAL(cfgr(v, cap + 2, 2) & 0x80, 0); /* 32-bit address */
		}
		if (cfgr(v, cap, 1) == 0x01)
			pm = true;
	}
	CU_ASSERT(msi);
	CU_ASSERT(pm);
	CU_ASSERT(fake_hv_claimed(s.hv, 'd', 2 << 3, 2 << 3));
	fake_teardown(&s);
}

static void
test_bar_sizing(void)
{
	struct vgpu *v = setup_unplaced();

	cfgw(v, 0x10, 4, 0xffffffff);
	cfgw(v, 0x14, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfgr(v, 0x10, 4), 0xff000004); /* 16 MiB, 64-bit, non-prefetchable */
	CU_ASSERT_EQUAL(cfgr(v, 0x14, 4), 0xffffffff);
	cfgw(v, 0x18, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfgr(v, 0x18, 4), 0xf000000c); /* 256 MiB, 64-bit prefetchable */
	cfgw(v, 0x20, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfgr(v, 0x20, 4), 0x0000ffc1); /* 64 ports */
	cfgw(v, 0x24, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfgr(v, 0x24, 4), 0); /* BAR5 absent */
	/* Sizing with decode off claims nothing. */
	CU_ASSERT_EQUAL(s.hv->nr_claims, 1); /* only the SBDF */
	CU_ASSERT_EQUAL(s.hv->nr_ap_calls, 0);
	fake_teardown(&s);
}

static void
test_bar_place_and_move(void)
{
	struct vgpu *v = setup_unplaced();
	uint64_t lb, ls;

	fake_place_bars(v);
	lb = v->part.low_base;
	ls = v->part.low_size;
	CU_ASSERT(fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	CU_ASSERT(fake_hv_claimed(s.hv, 'p', FAKE_BAR4, FAKE_BAR4 + 63));
	CU_ASSERT(s.hv->ap_mapped);
	CU_ASSERT_EQUAL(s.hv->ap_gfn, (FAKE_BAR2 + lb) >> 12);
	CU_ASSERT_EQUAL(s.hv->ap_off, lb);
	CU_ASSERT_EQUAL(s.hv->ap_nr, ls >> 12);

	/* Move BAR0 with decode on: old range released, new one claimed. */
	cfgw(v, 0x10, 4, 0xd0000000);
	CU_ASSERT(!fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	CU_ASSERT(fake_hv_claimed(s.hv, 'm', 0xd0000000, 0xd0000000 + (16 << 20) - 1));
	/* Move BAR2: unmap then map at the new place. */
	unsigned int calls = s.hv->nr_ap_calls;
	cfgw(v, 0x18, 4, 0x80000000);
	CU_ASSERT_EQUAL(s.hv->nr_ap_calls, calls + 2);
	CU_ASSERT(s.hv->ap_mapped);
	CU_ASSERT_EQUAL(s.hv->ap_gfn, (0x80000000ull + lb) >> 12);
	/* Move BAR4. */
	cfgw(v, 0x20, 4, 0xd000);
	CU_ASSERT(!fake_hv_claimed(s.hv, 'p', FAKE_BAR4, FAKE_BAR4 + 63));
	CU_ASSERT(fake_hv_claimed(s.hv, 'p', 0xd000, 0xd03f));
	/* Accesses follow the BAR. */
	uint64_t val;
	CU_ASSERT_EQUAL(vgpu_mem_access(v, false, FAKE_BAR0 + 0x78000, 4, &val), -ENOENT);
	CU_ASSERT_EQUAL(vgpu_mem_access(v, false, 0xd0000000ull + 0x78000, 4, &val), 0);
	CU_ASSERT_EQUAL(val, 0x76544776); /* PV magic, low dword */

	/* Decode off drops everything. */
	cfgw(v, 0x04, 2, 0);
	CU_ASSERT(!fake_hv_claimed(s.hv, 'm', 0xd0000000, 0xd0000000 + (16 << 20) - 1));
	CU_ASSERT(!fake_hv_claimed(s.hv, 'p', 0xd000, 0xd03f));
	CU_ASSERT(!s.hv->ap_mapped);
	CU_ASSERT_EQUAL(vgpu_mem_access(v, false, 0xd0000000ull, 4, &val), -ENOENT);
	fake_teardown(&s);
}

/* Sizing a placed BAR with decode on releases it; a real base claims it again. */
static void
test_bar_sizing_live(void)
{
	struct vgpu *v = setup_unplaced();
	unsigned int claims;

	fake_place_bars(v);
	CU_ASSERT(fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	claims = s.hv->nr_claims;
	/* BAR0 low dword: the 0xff000000 it reads back is never claimed. */
	cfgw(v, 0x10, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfgr(v, 0x10, 4), 0xff000004);
	CU_ASSERT(!fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	CU_ASSERT(!fake_hv_claimed(s.hv, 'm', 0xff000000ull, 0xffffffffull));
	CU_ASSERT_FALSE(v->cfgs.bar_live[VBAR0]);
	CU_ASSERT_EQUAL(s.hv->nr_claims, claims);
	cfgw(v, 0x10, 4, (uint32_t)FAKE_BAR0);
	CU_ASSERT(fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	/* High dword, in two 16-bit halves: released until restored. */
	cfgw(v, 0x14, 2, 0xffff);
	CU_ASSERT(!fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	cfgw(v, 0x16, 2, 0xffff);
	cfgw(v, 0x14, 4, 0);
	CU_ASSERT(fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	/* BAR2: the aperture slice is unmapped while sized, mapped again after. */
	CU_ASSERT(s.hv->ap_mapped);
	cfgw(v, 0x18, 4, 0xffffffff);
	CU_ASSERT_FALSE(s.hv->ap_mapped);
	cfgw(v, 0x18, 4, (uint32_t)FAKE_BAR2);
	CU_ASSERT(s.hv->ap_mapped);
	CU_ASSERT_EQUAL(s.hv->ap_gfn, (FAKE_BAR2 + v->part.low_base) >> 12);
	/* BAR4. */
	cfgw(v, 0x20, 4, 0xffffffff);
	CU_ASSERT_EQUAL(cfgr(v, 0x20, 4), 0x0000ffc1);
	CU_ASSERT(!fake_hv_claimed(s.hv, 'p', FAKE_BAR4, FAKE_BAR4 + 63));
	CU_ASSERT(!fake_hv_claimed(s.hv, 'p', 0xffc0, 0xffff));
	cfgw(v, 0x20, 4, FAKE_BAR4);
	CU_ASSERT(fake_hv_claimed(s.hv, 'p', FAKE_BAR4, FAKE_BAR4 + 63));
	fake_teardown(&s);
}

static void
test_claim_refused(void)
{
	struct vgpu *v = setup_unplaced();
	struct vgpu_stats st;

	cfgw(v, 0x10, 4, (uint32_t)FAKE_BAR0);
	s.hv->fail_next = -EEXIST;
	cfgw(v, 0x04, 2, 0x2);
	CU_ASSERT(!v->cfgs.bar_live[VBAR0]);
	CU_ASSERT(!fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	/* The guest rewrites the command register: the claim is retried. */
	cfgw(v, 0x04, 2, 0x2);
	CU_ASSERT(v->cfgs.bar_live[VBAR0]);
	CU_ASSERT(fake_hv_claimed(s.hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16 << 20) - 1));
	vgpu_get_stats(v, &st);
	CU_ASSERT(!st.failsafe);
	fake_teardown(&s);
}

static void
test_msi_target(void)
{
	struct vgpu *v = setup_unplaced();
	uint64_t addr = 0;
	uint32_t data = 0;

	cfgw(v, 0xac + 4, 4, 0xfee0100f); /* low two bits are not writable */
	cfgw(v, 0xac + 8, 2, 0x4041);
	CU_ASSERT(!cfg_msi_target(v, &addr, &data)); /* not enabled yet */
	cfgw(v, 0xac + 2, 2, 0x0001);
	CU_ASSERT(cfg_msi_target(v, &addr, &data));
	CU_ASSERT_EQUAL(addr, 0xfee0100c);
	CU_ASSERT_EQUAL(data, 0x4041);
	cfgw(v, 0xac + 2, 2, 0x0000);
	CU_ASSERT(!cfg_msi_target(v, &addr, &data));
	fake_teardown(&s);
}

static void
test_no_msi_cap(void)
{
	struct vgpu_config cfg;
	uint64_t addr;
	uint32_t data;

	vgpu_config_default(&cfg);
	cfg.msi = false;
	memset(&s, 0, sizeof(s));
	fake_pgpu_open(&s.dev);
	CU_ASSERT_FATAL(gpu_create(&s.dev, &s.gpu) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 7, &cfg, false, &s.hv, &s.v) == 0);
	CU_ASSERT_EQUAL(cfgr(s.v, 0x34, 1), 0xd0);
	cfgw(s.v, 0xac + 2, 2, 1);
	CU_ASSERT(!cfg_msi_target(s.v, &addr, &data));
	fake_teardown(&s);
}

/* Malformed config cycles: each answered safely with an exact outcome. */
static void
test_malformed(void)
{
	struct vgpu *v = setup_unplaced();
	struct vgpu_stats st;
	uint32_t val;

	val = 0;
	CU_ASSERT_EQUAL(vgpu_cfg_access(v, false, 0x00, 3, &val), -EINVAL); /* size 3 */
	CU_ASSERT_EQUAL(val, 0xffffffff);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_cfg_access(v, false, 0x00, 8, &val), -EINVAL); /* size 8 */
	CU_ASSERT_EQUAL(val, 0xffffffff);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_cfg_access(v, false, 0x02, 4, &val), -EINVAL); /* unaligned */
	CU_ASSERT_EQUAL(val, 0xffffffff);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_cfg_access(v, false, 0x100, 4, &val), 0); /* past 256 */
	CU_ASSERT_EQUAL(val, 0xffffffff);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_cfg_access(v, false, 0x10000, 4, &val), -EINVAL); /* past 4 KiB */
	CU_ASSERT_EQUAL(val, 0xffffffff);
	val = 0x12345678;
	CU_ASSERT_EQUAL(vgpu_cfg_access(v, true, 0x1fe, 2, &val), 0); /* write past 256 */
	/* Read-only fields keep their value. */
	cfgw(v, 0x00, 4, 0xdeadbeef);
	CU_ASSERT_EQUAL(cfgr(v, 0x00, 4), 0x19128086);
	cfgw(v, 0x08, 4, 0);
	CU_ASSERT_EQUAL(cfgr(v, 0x08, 4) >> 8, 0x030000);
	cfgw(v, 0x34, 1, 0x40);
	CU_ASSERT_EQUAL(cfgr(v, 0x34, 1), 0xac);
	cfgw(v, 0x04, 4, 0xffffffff); /* status half is read-only */
	CU_ASSERT_EQUAL(cfgr(v, 0x06, 2), 0x0010);
	CU_ASSERT_EQUAL(cfgr(v, 0x04, 2), 0x0407);
	cfgw(v, 0x04, 2, 0);
	cfgw(v, 0x50, 2, 0xffff); /* GGC is read-only */
	CU_ASSERT_EQUAL(cfgr(v, 0x50, 2), 0x00c0);
	cfgw(v, 0xac, 1, 0x11); /* capability id */
	CU_ASSERT_EQUAL(cfgr(v, 0xac, 1), 0x05);
	vgpu_get_stats(v, &st);
	CU_ASSERT_EQUAL(st.bad_access, 6);
	CU_ASSERT(!st.failsafe);
	fake_teardown(&s);
}

/*
 * A BAR2 move whose aperture unmap the hypervisor refuses: the old
 * mapping is still there, so the BAR stays live at the old base (no new
 * mapping on top); the next config write retries, and destroy releases.
 */
static void
test_release_refused_retried(void)
{
	struct vgpu *v = setup_unplaced();
	unsigned int calls;
	struct hv *hv;

	fake_place_bars(v);
	calls = s.hv->nr_ap_calls;
	s.hv->fail_next = -EIO;
	cfgw(v, 0x18, 4, 0x80000000);
	CU_ASSERT(v->cfgs.bar_live[VBAR2]);
	CU_ASSERT_EQUAL(v->cfgs.bar_base[VBAR2], FAKE_BAR2);
	CU_ASSERT_EQUAL(v->cfgs.release_failed, 1);
	CU_ASSERT_EQUAL(s.hv->nr_ap_calls, calls); /* nothing mapped over it */
	CU_ASSERT(s.hv->ap_mapped);
	CU_ASSERT_EQUAL(s.hv->ap_gfn, (FAKE_BAR2 + v->part.low_base) >> 12);
	/* The guest rewrites the BAR: unmap retried, then mapped at the new base. */
	cfgw(v, 0x18, 4, 0x80000000);
	CU_ASSERT_EQUAL(v->cfgs.bar_base[VBAR2], 0x80000000ull);
	CU_ASSERT_EQUAL(s.hv->nr_ap_calls, calls + 2);
	CU_ASSERT_EQUAL(s.hv->ap_gfn, (0x80000000ull + v->part.low_base) >> 12);
	/* A failed release at decode-off is retried by destroy. */
	s.hv->fail_next = -EIO;
	s.hv->fail_skip = 1; /* BAR0 unclaim succeeds, the aperture unmap fails */
	cfgw(v, 0x04, 2, 0);
	CU_ASSERT(v->cfgs.bar_live[VBAR2]);
	CU_ASSERT(s.hv->ap_mapped);
	CU_ASSERT_FALSE(v->cfgs.bar_live[VBAR0]);
	hv = s.hv;
	s.hv = NULL;
	vgpu_destroy(s.v);
	s.v = NULL;
	CU_ASSERT_FALSE(hv->ap_mapped);
	fake_hv_free(hv);
	fake_teardown(&s);
}

/*
 * The aperture unmap keeps failing through destroy: the guest can still
 * reach its low GM, so the share is never handed to another vGPU.
 */
static void
test_destroy_keeps_exposed_gm(void)
{
	struct vgpu *v = setup_unplaced(), *v2;
	struct gpu_usage before, after;
	uint64_t lb, ls;
	struct hv *hv, *hv2;

	gpu_get_usage(s.gpu, &before);
	fake_place_bars(v);
	lb = v->part.low_base;
	ls = v->part.low_size;
	hv = s.hv;
	s.hv = NULL;
	hv->fail_next = -EIO;
	hv->fail_times = 1000; /* every hypervisor op of the teardown fails */
	vgpu_destroy(s.v);
	s.v = NULL;
	CU_ASSERT(hv->ap_mapped);
	gpu_get_usage(s.gpu, &after);
	CU_ASSERT_EQUAL(after.low_gm_free, before.low_gm_free);
	CU_ASSERT_EQUAL(after.nr_vgpus, 0);
	/* A new vGPU of the same type gets other GM. */
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 8, NULL, false, &hv2, &v2) == 0);
	CU_ASSERT(v2->part.low_base >= lb + ls || v2->part.low_base + v2->part.low_size <= lb);
	CU_ASSERT_FALSE(gm_owns(&v2->part, lb, 4096));
	vgpu_destroy(v2);
	fake_hv_free(hv2);
	fake_hv_free(hv);
	fake_teardown(&s);
}

void suite_cfg_space(void);

void
suite_cfg_space(void)
{
	static const struct test_case cases[] = {
		{ "identity and capability walk", test_identity },
		{ "BAR sizing", test_bar_sizing },
		{ "BAR sizing with decode on releases the claim", test_bar_sizing_live },
		{ "BAR placement and moves", test_bar_place_and_move },
		{ "claim refused then retried", test_claim_refused },
		{ "MSI target", test_msi_target },
		{ "MSI capability hidden", test_no_msi_cap },
		{ "malformed config cycles", test_malformed },
		{ "refused BAR release kept and retried", test_release_refused_retried },
		{ "destroy keeps GM the guest can still reach", test_destroy_keeps_exposed_gm },
		{ NULL, NULL },
	};

	test_add_suite("cfg_space", cases);
}
