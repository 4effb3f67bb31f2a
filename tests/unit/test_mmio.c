/* SPDX-License-Identifier: MIT */
/*
 * test_mmio.c — the register engine through guest BAR0/BAR4 accesses on
 * the fake hypervisor: table checks, every row's reset value and write
 * policy driven from the merged tables, masked/W1C/RO and forcewake
 * semantics, access splitting, unknown-register policies, malformed
 * accesses, and a second vGPU that must stay unaffected.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mediator/regs/mmio_tables.h"
#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define RCS_TAIL    0x2030
#define RCS_HEAD    0x2034
#define RCS_MI_MODE 0x209c
#define RCS_EIR	    0x20b0
#define RCS_HWSTAM  0x2098
#define RCS_CSB_PTR 0x23a0
#define FUSE2	    0x9120

static struct fake_setup s;

static void
up(enum unknown_reg_policy pol)
{
	struct vgpu_config cfg;

	vgpu_config_default(&cfg);
	cfg.unknown = pol;
	CU_ASSERT_FATAL(fake_setup(&s, &cfg) == 0);
}

/*
 * up(pol) plus a second vGPU (domid 2, placed) on the same GPU; RCS_TAIL
 * holds 0x80 in the first and 0x40 in the second. The caller frees *v2, *hv2.
 */
static void
up_pair(enum unknown_reg_policy pol, struct hv **hv2, struct vgpu **v2)
{
	up(pol);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 2, NULL, true, hv2, v2) == 0);
	fake_writel(*v2, RCS_TAIL, 0x40);
	fake_writel(s.v, RCS_TAIL, 0x80);
}

/* An offset that no table claims. */
static uint32_t
unknown_off(void)
{
	for (uint32_t off = 0x4000; off < MMIO_REG_SIZE; off += 4)
		if (!mmio_find(off))
			return off;
	return 0;
}

static int
dummy_write64(struct vgpu *v, uint32_t off, uint64_t val)
{
	(void)v, (void)off, (void)val;
	return 0;
}

static void
test_tables_check(void)
{
	static const struct mmio_reg unsorted[] = {
		{ .off = 8, .size = 4, .name = "B" },
		{ .off = 4, .size = 4, .name = "A" },
	};
	static const struct mmio_reg overlap[] = {
		{ .off = 0, .size = 8, .name = "A" },
		{ .off = 4, .size = 4, .name = "B" },
	};
	static const struct mmio_reg unaligned[] = { { .off = 2, .size = 4, .name = "A" } };
	static const struct mmio_reg badsize[] = { { .off = 4, .size = 6, .name = "A" } };
	static const struct mmio_reg outside[] = { { .off = MMIO_REG_SIZE - 4, .size = 8, .name = "A" } };
	static const struct mmio_reg noname[] = { { .off = 4, .size = 4 } };
	static const struct mmio_reg w64_odd[] = {
		{ .off = 4, .size = 8, .write64 = dummy_write64, .name = "A" } };
	static const struct mmio_reg w64_short[] = {
		{ .off = 8, .size = 4, .write64 = dummy_write64, .name = "A" } };
	static const struct mmio_reg w64_save[] = {
		{ .off = 8, .size = 8, .flags = MF_SAVE, .write64 = dummy_write64, .name = "A" } };
	static const struct mmio_reg w64_ok[] = {
		{ .off = 8, .size = 16, .write64 = dummy_write64, .name = "A" } };
	char err[160];

	for (unsigned int t = 0; t < mmio_nr_tables; t++) {
		int rc = mmio_table_check(mmio_tables[t]->regs, mmio_tables[t]->nregs, err,
					  sizeof(err));

		if (rc)
			fprintf(stderr, "table %s: %s\n", mmio_tables[t]->module, err);
		CU_ASSERT_EQUAL(rc, 0);
	}
	CU_ASSERT_EQUAL(mmio_table_check(unsorted, 2, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "sorted"));
	CU_ASSERT_EQUAL(mmio_table_check(overlap, 2, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "overlaps"));
	CU_ASSERT_EQUAL(mmio_table_check(unaligned, 1, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(mmio_table_check(badsize, 1, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(mmio_table_check(outside, 1, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(mmio_table_check(noname, 1, err, sizeof(err)), -EINVAL);
	/* A row taking whole 8-byte writes covers whole qwords and is not MF_SAVE. */
	CU_ASSERT_EQUAL(mmio_table_check(w64_odd, 1, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "write64"));
	CU_ASSERT_EQUAL(mmio_table_check(w64_short, 1, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(mmio_table_check(w64_save, 1, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "MF_SAVE"));
	CU_ASSERT_EQUAL(mmio_table_check(w64_ok, 1, err, sizeof(err)), 0);
}

static void
test_reset_values(void)
{
	up(UNKNOWN_TOLERATE);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_HWSTAM), 0xffffffff);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_CSB_PTR), 0x0505); /* both pointers 5 */
	CU_ASSERT_EQUAL(fake_readl(s.v, FUSE2), (1u << 25) | (0x8u << 20));
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_TAIL), 0);
	fake_teardown(&s);
}

/*
 * Dwords a module's init sets on purpose after the tables' reset values
 * are loaded (vgpu.c module order): bits that may differ from the row's
 * reset, and why. Anything else that differs is a defect.
 */
static const struct {
	uint32_t off, bits;
	const char *why;
} reset_overrides[] = {
	{ 0x78830, ~0u, "pvinfo_init: PV info fields reset from pvinfo.c's own field table" },
	{ 0x78834, ~0u, "pvinfo_init: PV info fields reset from pvinfo.c's own field table" },
	{ 0xc4000, 1u << 23, "display_init: SDEISR live hotplug of the monitor's port D" },
};

static uint32_t
reset_override_bits(uint32_t off)
{
	for (size_t i = 0; i < sizeof(reset_overrides) / sizeof(reset_overrides[0]); i++)
		if (reset_overrides[i].off == off)
			return reset_overrides[i].bits;
	return 0;
}

/*
 * The documented write policy of a row without handlers (mmio.h): MF_RO
 * keeps everything; otherwise bits outside ro_mask and w1c_mask take the
 * written value (for MF_MASKED only the low-half bits the high half
 * selects), and a 1 written to a W1C bit clears it. Written here from the
 * flag definitions, not from mmio.c, so the two can disagree.
 */
static uint32_t
model_write(const struct mmio_reg *r, uint32_t old, uint32_t val)
{
	uint32_t take;

	if (r->flags & MF_RO)
		return old;
	take = ~r->ro_mask & ~r->w1c_mask;
	if (r->flags & MF_MASKED)
		take &= val >> 16;
	return ((old & ~take) | (val & take)) & ~(r->w1c_mask & val);
}

/* Would the engine count this write as one that hit read-only bits (dword_write)? */
static bool
model_ro_hit(const struct mmio_reg *r, uint32_t old, uint32_t val)
{
	return (r->flags & MF_RO) ||
	       (!(r->flags & MF_MASKED) && ((old ^ val) & r->ro_mask & ~r->w1c_mask));
}

/* What every dword of the merged tables got checked against, counted. */
struct row_cover {
	size_t dwords, policy_dwords, ro_rows, rom_rows, w1c_rows, masked_rows, failures;
};

/* One failure, named after the row, without stopping the walk. */
static void
row_fail(struct row_cover *cv, const struct mmio_reg *r, uint32_t off, const char *what,
	 uint32_t want, uint32_t got)
{
	if (cv->failures++ < 20)
		printf("\n    %s @%#x: %s: want %#010x, got %#010x", r->name, off, what, want, got);
}

/*
 * Guest writes of val to a row without handlers at off: the value read
 * back and the read-only-write counter follow the model.
 */
static void
row_write_check(struct row_cover *cv, const struct mmio_reg *r, uint32_t off, uint32_t val)
{
	uint32_t old = fake_readl(s.v, off), want = model_write(r, old, val), got;
	uint64_t ro0 = s.v->ro_writes;

	fake_writel(s.v, off, val);
	got = fake_readl(s.v, off);
	if (got != want)
		row_fail(cv, r, off, "after write", want, got);
	if ((s.v->ro_writes - ro0) != (model_ro_hit(r, old, val) ? 1u : 0u))
		row_fail(cv, r, off, "read-only writes counted", model_ro_hit(r, old, val),
			 (uint32_t)(s.v->ro_writes - ro0));
}

/* The policy of one dword of a row without handlers, through BAR0. */
static void
row_policy_check(struct row_cover *cv, const struct mmio_reg *r, uint32_t off)
{
	static const uint32_t patterns[] = { 0xffffffffu, 0, 0xa5a5a5a5u, 0x5a5a5a5au };
	uint32_t got;

	cv->policy_dwords++;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		row_write_check(cv, r, off, patterns[i]);
	if (r->flags & MF_MASKED) {
		/* Masked round trip: select every low bit, set them, then clear them. */
		row_write_check(cv, r, off, 0xffffffffu);
		row_write_check(cv, r, off, 0xffff0000u);
		row_write_check(cv, r, off, 0x0000ffffu); /* no select bit: nothing moves */
		row_write_check(cv, r, off, 0x00050005u);
	}
	if (r->w1c_mask) {
		/* W1C: bits the hardware set stay on a 0 write, go on a 1 write. */
		vreg_set(s.v, off, r->w1c_mask | vreg_get(s.v, off));
		row_write_check(cv, r, off, ~r->w1c_mask & (r->flags & MF_MASKED ? 0xffffu : 0));
		got = fake_readl(s.v, off) & r->w1c_mask;
		if (got != r->w1c_mask)
			row_fail(cv, r, off, "W1C bits after writing 0", r->w1c_mask, got);
		row_write_check(cv, r, off, r->w1c_mask);
		got = fake_readl(s.v, off) & r->w1c_mask;
		if (got)
			row_fail(cv, r, off, "W1C bits after writing 1", 0, got);
	}
}

/*
 * Driven from the merged tables: every dword of every row holds the row's
 * reset value once the vGPU is created (bar reset_overrides); every row
 * without handlers follows its read-only mask, W1C bits and masked-write
 * rule for guest writes, and its RO flag. Rows with handlers are their
 * modules' tests' business. The walk must meet each kind of row.
 */
static void
test_every_row(void)
{
	struct row_cover cv = { 0 };

	up(UNKNOWN_TOLERATE);
	CU_ASSERT_FATAL(mmio_row_count() > 100);
	for (size_t i = 0; i < mmio_row_count(); i++) {
		const struct mmio_reg *r = mmio_row(i);

		for (uint32_t off = r->off; off < r->off + r->size; off += 4) {
			uint32_t got = vreg_get(s.v, off), free_bits = reset_override_bits(off);

			cv.dwords++;
			if ((got & ~free_bits) != (r->reset & ~free_bits))
				row_fail(&cv, r, off, "reset value", r->reset, got);
			if (!r->read && !r->write)
				row_policy_check(&cv, r, off);
		}
		if (r->read || r->write)
			continue;
		cv.ro_rows += !!(r->flags & MF_RO);
		cv.rom_rows += r->ro_mask && !(r->flags & MF_RO);
		cv.w1c_rows += !!r->w1c_mask;
		cv.masked_rows += !!(r->flags & MF_MASKED);
	}
	CU_ASSERT_EQUAL(cv.failures, 0);
	CU_ASSERT_TRUE(cv.dwords > 1000);
	CU_ASSERT_TRUE(cv.policy_dwords > 100);
	CU_ASSERT_TRUE(cv.ro_rows > 0);
	CU_ASSERT_TRUE(cv.rom_rows > 0);
	CU_ASSERT_TRUE(cv.w1c_rows > 0);
	CU_ASSERT_TRUE(cv.masked_rows > 0);
	/* Nothing of that reached the physical GPU's registers of another owner. */
	CU_ASSERT_FALSE(s.v->stats.failsafe);
	fake_teardown(&s);
}

static void
test_masked(void)
{
	up(UNKNOWN_TOLERATE);
	fake_writel(s.v, RCS_MI_MODE, 0x00010001);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_MI_MODE) & 0xffff, 0x0001);
	fake_writel(s.v, RCS_MI_MODE, 0x00000000); /* no select bits: nothing changes */
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_MI_MODE) & 0xffff, 0x0001);
	fake_writel(s.v, RCS_MI_MODE, 0x00010000);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_MI_MODE) & 0xffff, 0x0000);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_MI_MODE) >> 16, 0);
	/* STOP_RING (bit 8) makes MODE_IDLE (bit 9) follow; bit 9 itself is RO. */
	fake_writel(s.v, RCS_MI_MODE, 0x03000000);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_MI_MODE) & 0x300, 0);
	fake_writel(s.v, RCS_MI_MODE, 0x01000100);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_MI_MODE) & 0x300, 0x300);
	/* Ring reset handshake: REQUEST answered by READY. */
	fake_writel(s.v, 0x20d0, 0x00010001);
	CU_ASSERT_EQUAL(fake_readl(s.v, 0x20d0) & 3, 3);
	fake_writel(s.v, 0x20d0, 0x00010000);
	CU_ASSERT_EQUAL(fake_readl(s.v, 0x20d0) & 3, 0);
	/* CSB pointer: the write pointer (3:0) is the engine's. */
	fake_writel(s.v, RCS_CSB_PTR, 0xffff0302);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_CSB_PTR), 0x0305);
	fake_teardown(&s);
}

static void
test_w1c_ro(void)
{
	struct vgpu_stats st;
	uint64_t before;

	up(UNKNOWN_TOLERATE);
	vreg_set(s.v, RCS_EIR, 0x0000f0f0);
	fake_writel(s.v, RCS_EIR, 0x00003030);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_EIR), 0x0000c0c0);
	/* A byte write to byte 0 must not clear bits of byte 1. */
	uint64_t b = 0xff;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, FAKE_BAR0 + RCS_EIR, 1, &b), 0);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_EIR), 0x0000c000);
	/* Read-only registers keep their value, and the write is counted. */
	before = s.v->ro_writes;
	fake_writel(s.v, FUSE2, 0);
	CU_ASSERT_EQUAL(fake_readl(s.v, FUSE2), (1u << 25) | (0x8u << 20));
	fake_writel(s.v, 0x0d84, 0xffffffff); /* forcewake ack is RO */
	CU_ASSERT_EQUAL(fake_readl(s.v, 0x0d84), 0);
	CU_ASSERT_EQUAL(s.v->ro_writes, before + 2);
	vgpu_get_stats(s.v, &st);
	CU_ASSERT(!st.failsafe);
	fake_teardown(&s);
}

static void
test_forcewake(void)
{
	static const struct {
		uint32_t req, ack;
	} fw[] = { { 0xa278, 0x0d84 }, { 0xa188, 0x130044 }, { 0xa270, 0x0d88 } };

	up(UNKNOWN_TOLERATE);
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(fake_readl(s.v, fw[i].ack), 0);
		fake_writel(s.v, fw[i].req, 0x00010001); /* FORCEWAKE_KERNEL */
		CU_ASSERT_EQUAL(fake_readl(s.v, fw[i].ack), 1);
		fake_writel(s.v, fw[i].req, 0x80008000); /* + kernel fallback bit 15 */
		CU_ASSERT_EQUAL(fake_readl(s.v, fw[i].ack), 0x8001);
		fake_writel(s.v, fw[i].req, 0x80010000);
		CU_ASSERT_EQUAL(fake_readl(s.v, fw[i].ack), 0);
	}
	fake_teardown(&s);
}

static void
test_split_merge(void)
{
	uint64_t q = 0x1111222233334444ull, r = 0;

	up(UNKNOWN_TOLERATE);
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, FAKE_BAR0 + RCS_TAIL, 8, &q), 0);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_TAIL), 0x33334444);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_HEAD), 0x11112222);
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, FAKE_BAR0 + RCS_TAIL, 8, &r), 0);
	CU_ASSERT_EQUAL(r, q);
	q = 0xab;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, FAKE_BAR0 + RCS_TAIL + 1, 1, &q), 0);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_TAIL), 0x3333ab44);
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, FAKE_BAR0 + RCS_TAIL + 2, 2, &r), 0);
	CU_ASSERT_EQUAL(r, 0x3333);
	/* BAR4 index/data reaches the same registers. */
	uint32_t p = 0x9120;
	CU_ASSERT_EQUAL(vgpu_pio_access(s.v, true, FAKE_BAR4, 4, &p), 0);
	CU_ASSERT_EQUAL(vgpu_pio_access(s.v, false, FAKE_BAR4 + 4, 4, &p), 0);
	CU_ASSERT_EQUAL(p, (1u << 25) | (0x8u << 20));
	p = RCS_TAIL;
	vgpu_pio_access(s.v, true, FAKE_BAR4, 4, &p);
	p = 0x55;
	CU_ASSERT_EQUAL(vgpu_pio_access(s.v, true, FAKE_BAR4 + 4, 4, &p), 0);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_TAIL), 0x55);
	fake_teardown(&s);
}

static void
test_unknown_tolerate(void)
{
	uint32_t off;
	uint64_t lines;
	struct vgpu_stats st;

	up(UNKNOWN_TOLERATE);
	off = unknown_off();
	CU_ASSERT_FATAL(off != 0);
	CU_ASSERT_EQUAL(fake_readl(s.v, off), 0);
	lines = log_lines();
	fake_writel(s.v, off, 0x12345678);
	CU_ASSERT_EQUAL(fake_readl(s.v, off), 0x12345678);
	CU_ASSERT_EQUAL(log_lines(), lines); /* logged once, at the first access */
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_EQUAL(st.unknown_reg, 3);
	CU_ASSERT(!st.failsafe);
	fake_teardown(&s);
}

/* The per-vGPU table of unknown registers: hits per offset, first-touch order, bounded. */
static void
test_unknown_table(void)
{
	struct vgpu_unknown_reg u[VGPU_UNKNOWN_MAX + 4];
	uint32_t offs[VGPU_UNKNOWN_MAX + 3];
	unsigned int n = 0;
	uint64_t overflow = 99;

	up(UNKNOWN_TOLERATE);
	for (uint32_t off = 0x4000; off < MMIO_REG_SIZE && n < VGPU_UNKNOWN_MAX + 3; off += 4)
		if (!mmio_find(off))
			offs[n++] = off;
	CU_ASSERT_FATAL(n == VGPU_UNKNOWN_MAX + 3);
	CU_ASSERT_EQUAL(vgpu_unknown_regs(s.v, u, VGPU_UNKNOWN_MAX, &overflow), 0);
	CU_ASSERT_EQUAL(overflow, 0);
	fake_writel(s.v, offs[1], 1);
	fake_readl(s.v, offs[0]);
	fake_readl(s.v, offs[1]);
	fake_readl(s.v, offs[1] + 2 - 2);
	CU_ASSERT_EQUAL(vgpu_unknown_regs(s.v, u, VGPU_UNKNOWN_MAX, &overflow), 2);
	CU_ASSERT_EQUAL(u[0].off, offs[1]);
	CU_ASSERT_EQUAL(u[0].hits, 3);
	CU_ASSERT_EQUAL(u[1].off, offs[0]);
	CU_ASSERT_EQUAL(u[1].hits, 1);
	/* Fill the table; the three registers past it only count as overflow. */
	for (unsigned int i = 2; i < n; i++)
		fake_readl(s.v, offs[i]);
	fake_readl(s.v, offs[n - 1]);
	fake_readl(s.v, offs[5]);
	CU_ASSERT_EQUAL(vgpu_unknown_regs(s.v, u, VGPU_UNKNOWN_MAX + 4, &overflow),
			VGPU_UNKNOWN_MAX);
	CU_ASSERT_EQUAL(overflow, 4);
	CU_ASSERT_EQUAL(u[VGPU_UNKNOWN_MAX - 1].off, offs[VGPU_UNKNOWN_MAX - 1]);
	CU_ASSERT_EQUAL(u[5].hits, 2);
	/* max bounds the copy. */
	CU_ASSERT_EQUAL(vgpu_unknown_regs(s.v, u, 1, NULL), 1);
	CU_ASSERT_EQUAL(vgpu_unknown_policy(s.v), UNKNOWN_TOLERATE);
	fake_teardown(&s);
}

/*
 * Strict mode against a stock guest: registers a 6.1 i915 guest touches on
 * its probe and GGTT paths (outside display) all have rows.
 */
static void
test_strict_probe_rows(void)
{
	static const uint32_t probe_regs[] = {
		0x101008, /* GFX_FLSH_CNTL_GEN6: gen8_ggtt_invalidate */
		0x40e0, 0x40e4, /* GEN8_PRIVATE_PAT_LO/HI: bdw_setup_private_ppat */
		0x120010, /* HSW_EDRAM_CAP: eDRAM detection */
		0x145000, 0x14500c, 0x145010, /* SKL MAD_INTER_CHANNEL, MAD_DIMM_CH0/1 */
		0x145e04, /* SKL_MC_BIOS_DATA_0_0_0_MCHBAR_PCU: memory frequency */
		0x2080, 0x2098, 0x209c, 0x20a8, 0x229c, /* engine setup */
		0xa278, 0x0d84, 0x9120, 0x78000, 0x78818,
	};
	struct vgpu_stats st;

	up(UNKNOWN_STRICT);
	for (size_t i = 0; i < sizeof(probe_regs) / sizeof(probe_regs[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(mmio_find(probe_regs[i]));
		(void)fake_readl(s.v, probe_regs[i]);
	}
	fake_writel(s.v, 0x101008, 1);	/* the flush itself */
	CU_ASSERT_EQUAL(fake_readl(s.v, 0x101008), 0); /* completes at once */
	fake_writel(s.v, 0x40e0, 0x01020304);
	CU_ASSERT_EQUAL(fake_readl(s.v, 0x40e0), 0x01020304);
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_FALSE(st.failsafe);
	CU_ASSERT_EQUAL(st.unknown_reg, 0);
	fake_teardown(&s);
}

/* RING_HWS_PGA accepts only addresses inside the vGPU's own GM. */
static void
test_hws_pga(void)
{
	const uint32_t hws = 0x2080;
	struct vgpu_stats st;
	uint32_t own, other;

	up(UNKNOWN_TOLERATE);
	own = (uint32_t)s.v->part.low_base + 0x3000;
	other = (uint32_t)s.v->part.low_base - 0x1000; /* host / neighbour GM */
	fake_writel(s.v, hws, own);
	CU_ASSERT_EQUAL(fake_readl(s.v, hws), own);
	fake_writel(s.v, hws, other);
	CU_ASSERT_EQUAL(fake_readl(s.v, hws), own);
	fake_writel(s.v, hws, (uint32_t)(s.v->part.high_base + s.v->part.high_size));
	CU_ASSERT_EQUAL(fake_readl(s.v, hws), own);
	fake_writel(s.v, hws, (uint32_t)s.v->part.high_base);
	CU_ASSERT_EQUAL(fake_readl(s.v, hws), (uint32_t)s.v->part.high_base);
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_EQUAL(st.bad_access, 2);
	CU_ASSERT(s.v->warned & (1ull << WARN_HWS_PGA));
	CU_ASSERT_FALSE(mmio_find(hws)->flags & MF_SAVE);
	/* Never written to the physical register. */
	CU_ASSERT_EQUAL(fake_pgpu(&s.dev)->mmio[hws / 4], 0);
	fake_teardown(&s);
}

static void
test_unknown_strict(void)
{
	struct vgpu_stats st;
	struct hv *hv2;
	struct vgpu *v2;

	up_pair(UNKNOWN_STRICT, &hv2, &v2);
	CU_ASSERT_EQUAL(fake_readl(s.v, unknown_off()), 0xffffffff);
	vgpu_get_stats(s.v, &st);
	CU_ASSERT(st.failsafe);
	CU_ASSERT_PTR_NOT_NULL(strstr(st.failsafe_reason, "unknown register"));
	/* Failsafe: known registers read all-ones, writes are dropped. */
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_TAIL), 0xffffffff);
	fake_writel(s.v, RCS_TAIL, 0x99);
	CU_ASSERT_EQUAL(vreg_get(s.v, RCS_TAIL), 0x80);
	/* The second vGPU on the same GPU carries on. */
	CU_ASSERT_EQUAL(fake_readl(v2, RCS_TAIL), 0x40);
	vgpu_get_stats(v2, &st);
	CU_ASSERT(!st.failsafe);
	CU_ASSERT_EQUAL(st.bad_access, 0);
	vgpu_destroy(v2);
	fake_hv_free(hv2);
	fake_teardown(&s);
}

/* Malformed BAR0/BAR4 accesses: each with its exact outcome. */
static void
test_malformed(void)
{
	struct vgpu_stats st;
	uint64_t val;
	uint32_t p;
	struct hv *hv2;
	struct vgpu *v2;

	up_pair(UNKNOWN_TOLERATE, &hv2, &v2);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, FAKE_BAR0 + RCS_TAIL, 3, &val), -EINVAL);
	CU_ASSERT_EQUAL(val, ~0ull);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, FAKE_BAR0 + RCS_TAIL, 16, &val), -EINVAL);
	CU_ASSERT_EQUAL(val, ~0ull);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, FAKE_BAR0 + RCS_TAIL + 2, 4, &val), -EINVAL);
	CU_ASSERT_EQUAL(val, ~0ull);
	val = 0x1;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, FAKE_BAR0 + RCS_TAIL + 1, 2, &val), -EINVAL);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, FAKE_BAR0 + MMIO_REG_SIZE - 4, 8, &val),
			-EINVAL); /* straddles the end of the registers */
	CU_ASSERT_EQUAL(val, ~0ull);
	val = 0;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, FAKE_BAR0 + (4u << 20), 4, &val), -EINVAL);
	CU_ASSERT_EQUAL(val, ~0ull); /* BAR0 hole */
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, FAKE_BAR0 + (16u << 20), 4, &val), -ENOENT);
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, 0x1000, 4, &val), -ENOENT); /* plain RAM */
	p = 0;
	CU_ASSERT_EQUAL(vgpu_pio_access(s.v, false, FAKE_BAR4 + 1, 1, &p), -EINVAL);
	CU_ASSERT_EQUAL(p, 0xffffffff);
	p = 0x3;
	CU_ASSERT_EQUAL(vgpu_pio_access(s.v, true, FAKE_BAR4, 4, &p), 0); /* index unaligned */
	CU_ASSERT_EQUAL(vgpu_pio_access(s.v, false, FAKE_BAR4 + 4, 4, &p), -EINVAL);
	CU_ASSERT_EQUAL(p, 0xffffffff);
	p = MMIO_REG_SIZE;
	vgpu_pio_access(s.v, true, FAKE_BAR4, 4, &p); /* index past the registers */
	p = 5;
	CU_ASSERT_EQUAL(vgpu_pio_access(s.v, true, FAKE_BAR4 + 4, 4, &p), -EINVAL);
	CU_ASSERT_EQUAL(vgpu_pio_access(s.v, false, FAKE_BAR4 + 64, 4, &p), -ENOENT);
	CU_ASSERT_EQUAL(fake_readl(s.v, RCS_TAIL), 0x80); /* nothing above changed it */
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_EQUAL(st.bad_access, 9);
	CU_ASSERT(!st.failsafe);
	vgpu_get_stats(v2, &st);
	CU_ASSERT_EQUAL(st.bad_access, 0);
	CU_ASSERT_EQUAL(fake_readl(v2, RCS_TAIL), 0x40);
	vgpu_destroy(v2);
	fake_hv_free(hv2);
	fake_teardown(&s);
}

void suite_mmio(void);

void
suite_mmio(void)
{
	static const struct test_case cases[] = {
		{ "every table passes mmio_table_check; bad tables fail", test_tables_check },
		{ "reset values", test_reset_values },
		{ "every row: reset, RO mask, W1C, masked round trip", test_every_row },
		{ "masked registers", test_masked },
		{ "W1C and read-only", test_w1c_ro },
		{ "forcewake request/ack", test_forcewake },
		{ "8-byte split, sub-dword merge, BAR4 index/data", test_split_merge },
		{ "unknown register tolerated", test_unknown_tolerate },
		{ "unknown register strict -> failsafe", test_unknown_strict },
		{ "unknown-register table with hit counts", test_unknown_table },
		{ "strict mode: stock guest probe registers have rows", test_strict_probe_rows },
		{ "HWS_PGA inside its own GM only", test_hws_pga },
		{ "malformed accesses", test_malformed },
		{ NULL, NULL },
	};

	test_add_suite("mmio", cases);
}
