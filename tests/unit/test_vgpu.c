/* SPDX-License-Identifier: MIT */
/*
 * test_vgpu.c — vGPU lifecycle on the fake hypervisor: defaults, ids and
 * shares of several vGPUs, create failures that unwind completely, the
 * trap map, destroy releasing every claim and mapping, failsafe, tick.
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

static struct fake_setup s;

static void
test_config_default(void)
{
	struct vgpu_config cfg;

	vgpu_config_default(&cfg);
	CU_ASSERT_STRING_EQUAL(cfg.type, "GVTg_V5_4");
	CU_ASSERT_EQUAL(cfg.low_gm, 128ull << 20);
	CU_ASSERT_EQUAL(cfg.high_gm, 512ull << 20);
	CU_ASSERT_EQUAL(cfg.dev, 2);
	CU_ASSERT_EQUAL(cfg.bus, 0);
	CU_ASSERT_EQUAL(cfg.fn, 0);
	CU_ASSERT_EQUAL(cfg.unknown, UNKNOWN_TOLERATE);
	CU_ASSERT(cfg.msi);
}

static void
test_ids_and_usage(void)
{
	struct gpu_usage u0, u1;
	struct hv *hv2;
	struct vgpu *v2;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	gpu_get_usage(s.gpu, &u0);
	CU_ASSERT_EQUAL(u0.nr_vgpus, 1);
	CU_ASSERT_EQUAL(u0.info.device_id, 0x1912);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 9, NULL, true, &hv2, &v2) == 0);
	CU_ASSERT_EQUAL(vgpu_id(s.v), 1);
	CU_ASSERT_EQUAL(vgpu_id(v2), 2);
	CU_ASSERT_EQUAL(vgpu_domid(v2), 9);
	CU_ASSERT_STRING_EQUAL(v2->tag, "d9/vgpu2");
	gpu_get_usage(s.gpu, &u1);
	CU_ASSERT_EQUAL(u1.nr_vgpus, 2);
	vgpu_destroy(v2);
	fake_hv_free(hv2);
	gpu_get_usage(s.gpu, &u1);
	CU_ASSERT_EQUAL(u1.nr_vgpus, 1);
	CU_ASSERT_EQUAL(u1.low_gm_free, u0.low_gm_free);
	CU_ASSERT_EQUAL(u1.high_gm_free, u0.high_gm_free);
	/* The freed id is reused. */
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 10, NULL, true, &hv2, &v2) == 0);
	CU_ASSERT_EQUAL(vgpu_id(v2), 2);
	vgpu_destroy(v2);
	fake_hv_free(hv2);
	fake_teardown(&s);
}

static void
test_create_failures_unwind(void)
{
	struct vgpu_config cfg;
	struct gpu_usage u0, u1;
	struct vgpu *v = NULL;
	struct hv *hv = fake_hv_new(16);
	char err[128] = "";

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	gpu_get_usage(s.gpu, &u0);
	vgpu_config_default(&cfg);
	cfg.dev = 40;
	CU_ASSERT_EQUAL(vgpu_create(s.gpu, &cfg, 3, &fake_hv_ops, hv, &v, err, sizeof(err)),
			-EINVAL);
	vgpu_config_default(&cfg);
	snprintf(cfg.type, sizeof(cfg.type), "xengt_small");
	cfg.low_gm = 16ull << 20;
	cfg.high_gm = 64ull << 20;
	cfg.fences = 2;
	hv->fail_next = -EBUSY; /* the SBDF claim is refused */
	CU_ASSERT_EQUAL(vgpu_create(s.gpu, &cfg, 3, &fake_hv_ops, hv, &v, err, sizeof(err)),
			-EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "PCI"));
	gpu_get_usage(s.gpu, &u1);
	CU_ASSERT_EQUAL(u1.nr_vgpus, u0.nr_vgpus);
	CU_ASSERT_EQUAL(u1.low_gm_free, u0.low_gm_free);
	CU_ASSERT_EQUAL(u1.fences_free, u0.fences_free);
	/* Too big: refused with a reason naming what ran out. */
	cfg.low_gm = 1ull << 30;
	CU_ASSERT_EQUAL(vgpu_create(s.gpu, &cfg, 3, &fake_hv_ops, hv, &v, err, sizeof(err)),
			-ENOSPC);
	CU_ASSERT(strlen(err) > 0);
	/* And the next good one gets id 2 (ids released). */
	cfg.low_gm = 16ull << 20;
	CU_ASSERT_EQUAL(vgpu_create(s.gpu, &cfg, 3, &fake_hv_ops, hv, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(vgpu_id(v), 2);
	vgpu_destroy(v);
	fake_hv_free(hv);
	fake_teardown(&s);
}

static const struct trap_entry *
row(const struct trap_entry *rows, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].what, what) == 0)
			return &rows[i];
	return NULL;
}

static void
test_trap_map_and_destroy(void)
{
	struct trap_entry rows[16];
	const struct trap_entry *r;
	struct hv *hv;
	uint32_t val;
	size_t n;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	fake_readl(s.v, 0x78000);
	fake_readl(s.v, 0x78004);
	vgpu_cfg_access(s.v, false, 0, 4, &val);
	val = 0;
	vgpu_pio_access(s.v, true, FAKE_BAR4, 4, &val);
	n = vgpu_trap_map(s.v, rows, 16);
	CU_ASSERT_EQUAL(n, 5);
	r = row(rows, n, "PCI config");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->mech, TRAP_PCI_SBDF);
	CU_ASSERT_EQUAL(r->start, (uint64_t)(2 << 3) << 32);
	CU_ASSERT_EQUAL(r->traps, 7); /* 6 from fake_place_bars + 1 */
	r = row(rows, n, "BAR0 regs");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->mech, TRAP_IOREQ_MMIO);
	CU_ASSERT_EQUAL(r->start, FAKE_BAR0);
	CU_ASSERT_EQUAL(r->end, FAKE_BAR0 + (2u << 20) - 1);
	CU_ASSERT_EQUAL(r->traps, 2);
	r = row(rows, n, "BAR0 GGTT");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->start, FAKE_BAR0 + (8u << 20));
	r = row(rows, n, "BAR4 ports");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->mech, TRAP_IOREQ_PORT);
	CU_ASSERT_EQUAL(r->traps, 1);
	r = row(rows, n, "BAR2 aperture slice");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->mech, TRAP_DIRECT);
	CU_ASSERT_EQUAL(r->start, FAKE_BAR2 + s.v->part.low_base);
	CU_ASSERT_EQUAL(r->end - r->start + 1, s.v->part.low_size);
	CU_ASSERT_EQUAL(r->traps, 0);
	CU_ASSERT_EQUAL(vgpu_trap_map(s.v, rows, 2), 2); /* bounded by max */

	hv = s.hv;
	s.hv = NULL;
	vgpu_destroy(s.v);
	s.v = NULL;
	CU_ASSERT(!fake_hv_claimed(hv, 'm', FAKE_BAR0, FAKE_BAR0 + (16u << 20) - 1));
	CU_ASSERT(!fake_hv_claimed(hv, 'p', FAKE_BAR4, FAKE_BAR4 + 63));
	CU_ASSERT(!hv->ap_mapped);
	fake_hv_free(hv);
	fake_teardown(&s);
}

static void
test_failsafe_and_tick(void)
{
	struct vgpu_stats st;
	uint64_t lines;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	/* No pipe on: nothing to tick until the guest acts. */
	CU_ASSERT_EQUAL(vgpu_tick(s.v, 1000), VGPU_TICK_NONE);
	lines = log_lines();
	vgpu_enter_failsafe(s.v, "first reason");
	vgpu_enter_failsafe(s.v, "second reason");
	CU_ASSERT_EQUAL(log_lines(), lines + 1); /* logged once */
	vgpu_get_stats(s.v, &st);
	CU_ASSERT(st.failsafe);
	CU_ASSERT_STRING_EQUAL(st.failsafe_reason, "first reason");
	CU_ASSERT_EQUAL(fake_readl(s.v, 0x78000), 0xffffffff);
	CU_ASSERT_EQUAL(vgpu_tick(s.v, 2000), VGPU_TICK_NONE);
	/* Warnings: once per cause. */
	lines = log_lines();
	vgpu_warn_once(s.v, WARN_CFG, "a");
	vgpu_warn_once(s.v, WARN_CFG, "b");
	vgpu_warn_once(s.v, WARN_NR_CAUSES, "out of range");
	CU_ASSERT_EQUAL(log_lines(), lines + 1);
	fake_teardown(&s);
}

/* The glue's way to report that it can no longer serve a vGPU. */
static void
test_glue_failure(void)
{
	struct vgpu_stats st;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	fake_writel(s.v, 0x2030, 0x40);
	CU_ASSERT_EQUAL(fake_readl(s.v, 0x2030), 0x40);
	vgpu_fail(s.v, "event channel closed");
	vgpu_get_stats(s.v, &st);
	CU_ASSERT(st.failsafe);
	CU_ASSERT_STRING_EQUAL(st.failsafe_reason, "event channel closed");
	/* From now on the guest gets the failsafe answers, never a hang. */
	CU_ASSERT_EQUAL(fake_readl(s.v, 0x2030), 0xffffffff);
	vgpu_fail(s.v, "second failure");
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_STRING_EQUAL(st.failsafe_reason, "event channel closed");
	fake_teardown(&s);
}

/* ---- mmio_context.c: switching the MF_SAVE registers between owners ---- */

#define RCS_HWSTAM	0x2098u
#define RCS_MI_MODE	0x209cu /* masked */
#define RCS_IMR		0x20a8u
#define RCS_RING_MODE	0x229cu /* masked */
#define RCS_RING_TAIL	0x2030u /* not MF_SAVE */

static bool
is_save_reg(uint32_t off)
{
	const struct mmio_reg *r = mmio_find(off);

	return r && (r->flags & MF_SAVE);
}

/* Every physical dword outside the MF_SAVE rows equals the snapshot. */
static bool
others_untouched(const uint32_t *phys, const uint32_t *snap)
{
	for (uint32_t o = 0; o < MMIO_REG_SIZE; o += 4)
		if (!is_save_reg(o) && phys[o / 4] != snap[o / 4])
			return false;
	return true;
}

static void
test_context_switch(void)
{
	static uint32_t snap[MMIO_REG_SIZE / 4];
	struct pgpu_fake *pf;
	struct hv *hv2;
	struct vgpu *a, *b;
	size_t nsave = 0;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 2, NULL, true, &hv2, &b) == 0);
	a = s.v;
	pf = fake_pgpu(&s.dev);
	for (size_t i = 0; i < mmio_row_count(); i++)
		nsave += (mmio_row(i)->flags & MF_SAVE) != 0;
	CU_ASSERT(nsave >= 4 * 4);	/* four engines' HWSTAM, MI_MODE, IMR, RING_MODE */
	CU_ASSERT_FALSE(is_save_reg(RCS_RING_TAIL));
	CU_ASSERT_FALSE(is_save_reg(0x2080)); /* RCS_HWS_PGA: never the guest's value */
	CU_ASSERT_PTR_NULL(gpu_owner(s.gpu));
	/* The host's values on the physical GPU, and the rest of it. */
	for (uint32_t o = 0; o < MMIO_REG_SIZE; o += 4)
		pf->mmio[o / 4] = o * 2654435761u;
	pf->mmio[RCS_HWSTAM / 4] = 0x1111;
	pf->mmio[RCS_MI_MODE / 4] = 0x0022;
	pf->mmio[RCS_IMR / 4] = 0x3333;
	pf->mmio[RCS_RING_MODE / 4] = 0x0044;
	memcpy(snap, pf->mmio, sizeof(snap));
	/* A's guest programs its context registers (virtual only so far). */
	fake_writel(a, RCS_HWSTAM, 0xa1);
	fake_writel(a, RCS_IMR, 0xa2);
	fake_writel(a, RCS_MI_MODE, 0xffff0001);
	fake_writel(a, RCS_RING_MODE, 0xffff0008);
	fake_writel(a, RCS_RING_TAIL, 0x40);
	CU_ASSERT_EQUAL(pf->mmio[RCS_HWSTAM / 4], 0x1111);

	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, a), 0);
	CU_ASSERT_PTR_EQUAL(gpu_owner(s.gpu), a);
	CU_ASSERT_EQUAL(pf->mmio[RCS_HWSTAM / 4], 0xa1);
	CU_ASSERT_EQUAL(pf->mmio[RCS_IMR / 4], 0xa2);
	CU_ASSERT_EQUAL(pf->mmio[RCS_MI_MODE / 4], 0x0001); /* loaded with all mask bits set */
	/* Execlists stay on: RING_MODE's GFX_RUN_LIST_ENABLE (bit 15) is read-only 1. */
	CU_ASSERT_EQUAL(pf->mmio[RCS_RING_MODE / 4], 0x8008);
	CU_ASSERT_EQUAL(pf->mmio[0x12098 / 4], 0xffffffffu); /* VCS HWSTAM reset value */
	CU_ASSERT_TRUE(others_untouched(pf->mmio, snap));
	CU_ASSERT_EQUAL(pf->mmio[RCS_RING_TAIL / 4], snap[RCS_RING_TAIL / 4]);
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, a), 0); /* already the owner: nothing */

	/* The engine changes A's IMR while A runs; then B gets the GPU. */
	pf->mmio[RCS_IMR / 4] = 0xa9;
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, b), 0);
	CU_ASSERT_PTR_EQUAL(gpu_owner(s.gpu), b);
	CU_ASSERT_EQUAL(pf->mmio[RCS_HWSTAM / 4], 0xffffffffu);
	CU_ASSERT_EQUAL(pf->mmio[RCS_IMR / 4], 0xffffffffu);
	CU_ASSERT_EQUAL(pf->mmio[RCS_MI_MODE / 4], 0x0200); /* MODE_IDLE reset */
	CU_ASSERT_EQUAL(pf->mmio[RCS_RING_MODE / 4], 0x8000);
	CU_ASSERT_TRUE(others_untouched(pf->mmio, snap));
	/* A's register file took what the hardware held (masked: value bits). */
	CU_ASSERT_EQUAL(fake_readl(a, RCS_IMR), 0xa9);
	CU_ASSERT_EQUAL(fake_readl(a, RCS_MI_MODE), 0x0001);
	CU_ASSERT_EQUAL(fake_readl(a, RCS_RING_MODE), 0x8008);

	/* Back to the host: its values are restored exactly. */
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, NULL), 0);
	CU_ASSERT_PTR_NULL(gpu_owner(s.gpu));
	CU_ASSERT_EQUAL(pf->mmio[RCS_HWSTAM / 4], 0x1111);
	CU_ASSERT_EQUAL(pf->mmio[RCS_IMR / 4], 0x3333);
	CU_ASSERT_EQUAL(pf->mmio[RCS_MI_MODE / 4], 0x0022);
	CU_ASSERT_EQUAL(pf->mmio[RCS_RING_MODE / 4], 0x0044);
	CU_ASSERT_TRUE(others_untouched(pf->mmio, snap));

	/* Destroying the owner hands the GPU back to the host first. */
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, b), 0);
	CU_ASSERT_EQUAL(pf->mmio[RCS_HWSTAM / 4], 0xffffffffu);
	vgpu_destroy(b);
	fake_hv_free(hv2);
	CU_ASSERT_PTR_NULL(gpu_owner(s.gpu));
	CU_ASSERT_EQUAL(pf->mmio[RCS_HWSTAM / 4], 0x1111);
	CU_ASSERT_EQUAL(pf->mmio[RCS_MI_MODE / 4], 0x0022);
	/* Besides, destroy cleared B's physical fences (gm_release), nothing else. */
	memcpy(&snap[0x100000 / 4], &pf->mmio[0x100000 / 4], GM_MAX_FENCES * 8);
	CU_ASSERT_TRUE(others_untouched(pf->mmio, snap));
	fake_teardown(&s);
}

/*
 * While A owns the GPU its writes to MF_SAVE registers reach the physical
 * register too (masked ones with A's own mask), so switching A out saves
 * A's latest value instead of undoing the write.
 */
static void
test_context_owner_writes(void)
{
	struct pgpu_fake *pf;
	struct hv *hv2;
	struct vgpu *a, *b;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 2, NULL, true, &hv2, &b) == 0);
	a = s.v;
	pf = fake_pgpu(&s.dev);
	pf->mmio[RCS_RING_TAIL / 4] = 0x5555;
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, a), 0);
	fake_writel(a, RCS_IMR, 0x12345678);
	fake_writel(a, RCS_HWSTAM, 0xfffe);
	/* Masked: only bit 3 selected; bit 0 set before by the load stays. */
	pf->mmio[RCS_RING_MODE / 4] = 0x0001;
	fake_writel(a, RCS_RING_MODE, 0x00080008);
	fake_writel(a, RCS_RING_TAIL, 0x40); /* not MF_SAVE: stays virtual */
	CU_ASSERT_EQUAL(pf->mmio[RCS_IMR / 4], 0x12345678);
	CU_ASSERT_EQUAL(pf->mmio[RCS_HWSTAM / 4], 0xfffe);
	CU_ASSERT_EQUAL(pf->mmio[RCS_RING_MODE / 4], 0x0009);
	CU_ASSERT_EQUAL(pf->mmio[RCS_RING_TAIL / 4], 0x5555);
	/* B is not the owner: its writes stay virtual. */
	fake_writel(b, RCS_IMR, 0xb0);
	CU_ASSERT_EQUAL(pf->mmio[RCS_IMR / 4], 0x12345678);

	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, b), 0);
	CU_ASSERT_EQUAL(pf->mmio[RCS_IMR / 4], 0xb0);
	CU_ASSERT_EQUAL(fake_readl(a, RCS_IMR), 0x12345678);
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, a), 0);
	CU_ASSERT_EQUAL(fake_readl(a, RCS_IMR), 0x12345678);
	CU_ASSERT_EQUAL(pf->mmio[RCS_IMR / 4], 0x12345678);
	CU_ASSERT_EQUAL(fake_readl(a, RCS_HWSTAM), 0xfffe);
	CU_ASSERT_EQUAL(pf->mmio[RCS_HWSTAM / 4], 0xfffe);
	CU_ASSERT_EQUAL(pf->mmio[RCS_RING_MODE / 4], 0x0009);
	CU_ASSERT_EQUAL(fake_readl(b, RCS_IMR), 0xb0);
	vgpu_destroy(b);
	fake_hv_free(hv2);
	fake_teardown(&s);
}

/* A vGPU of another GPU, or one no longer alive, cannot become the owner. */
static void
test_context_switch_refused(void)
{
	struct fake_setup other;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(fake_setup(&other, NULL) == 0);
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, other.v), -EINVAL);
	CU_ASSERT_EQUAL(gpu_switch_to(NULL, s.v), -EINVAL);
	CU_ASSERT_PTR_NULL(gpu_owner(s.gpu));
	/* Removed from its GPU (as vgpu_destroy does first): refused. */
	pthread_mutex_lock(&s.gpu->lock);
	s.gpu->vgpus[s.v->id - 1] = NULL;
	pthread_mutex_unlock(&s.gpu->lock);
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, s.v), -ENOENT);
	CU_ASSERT_PTR_NULL(gpu_owner(s.gpu));
	pthread_mutex_lock(&s.gpu->lock);
	s.gpu->vgpus[s.v->id - 1] = s.v;
	pthread_mutex_unlock(&s.gpu->lock);
	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, s.v), 0);
	fake_teardown(&other);
	fake_teardown(&s);
}

void suite_vgpu(void);

void
suite_vgpu(void)
{
	static const struct test_case cases[] = {
		{ "config defaults", test_config_default },
		{ "ids, usage, id reuse", test_ids_and_usage },
		{ "create failures unwind", test_create_failures_unwind },
		{ "trap map; destroy releases claims", test_trap_map_and_destroy },
		{ "failsafe, warn once, tick", test_failsafe_and_tick },
		{ "glue failure puts the vGPU in failsafe", test_glue_failure },
		{ "context registers switched between owners", test_context_switch },
		{ "context switch refused for foreign or dead vGPUs", test_context_switch_refused },
		{ "owner's context register writes survive a switch", test_context_owner_writes },
		{ NULL, NULL },
	};

	test_add_suite("vgpu", cases);
}
