/* SPDX-License-Identifier: MIT */
/*
 * test_boot_regs.c — the registers a stock Linux 6.1 i915 touches while
 * booting on the vGPU (docs/linux-guest.md, "Registers of a stock i915
 * boot"): every one recorded from a real boot has a row, so
 * unknown=strict survives it; and the rows with behaviour beyond a
 * plain value do what the hardware does: the GuC held in reset across
 * GDRST, write-once WOPCM, PSR IIR write-1-clear, FPGA_DBG, the panel
 * power sequencer, GPIO pin pairs, RPSTAT1, plane surface latching,
 * the clocks i915 derives (timestamp, raw clock) and MOCS switched with
 * the GPU's owner.
 */
#include <pthread.h>
#include <stdio.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"
#include "tests/unit/reg.h"

#define GEN6_GDRST	      0x941cu
#define GDRST_FULL	      (1u << 0)
#define GDRST_GUC	      (1u << 5)
#define GUC_STATUS	      0xc000u
#define GS_MIA_IN_RESET	      (1u << 0)
#define GUC_WOPCM_SIZE	      0xc050u
#define DMA_GUC_WOPCM_OFFSET  0xc340u
#define EDP_PSR_IMR	      0x64834u
#define EDP_PSR_IIR	      0x64838u
#define FPGA_DBG	      0x42300u
#define PCH_PP_STATUS	      0xc7200u
#define PCH_PP_CONTROL	      0xc7204u
#define GPIO(n)		      (0xc5010u + (n) * 4u)
#define GEN6_RPNSWREQ	      0xa008u
#define GEN6_RPSTAT1	      0xa01cu
#define CTC_MODE	      0xa26cu
#define PCH_RAWCLK_FREQ	      0xc6204u
#define CPU_VGACNTRL	      0x41000u
#define PIPECONF(p)	      (0x70008u + (p) * 0x1000u)
#define PLANE_SURF(p, n)      (0x7019cu + (p) * 0x1000u + ((n) - 1) * 0x100u)
#define PLANE_SURFLIVE(p, n)  (0x701acu + (p) * 0x1000u + ((n) - 1) * 0x100u)
#define CURBASE(p)	      (0x70084u + (p) * 0x1000u)
#define CURSURFLIVE(p)	      (0x700acu + (p) * 0x1000u)
#define RCS_MOCS(i)	      (0xc800u + (i) * 4u)
#define BCS_MOCS(i)	      (0xcc00u + (i) * 4u)
#define LNCFCMOCS(i)	      (0xb020u + (i) * 4u)

#define MS (1000000ull)

/*
 * Every register a stock Debian 6.1 i915 touched on the vGPU before it
 * had rows (two boots: the plain one, and one with the fbdev modeset
 * going through, `video=HDMI-A-3:d`; and a boot of main at e89913f, GT
 * running and igt included, which added GPIO F 0xc5024), as runs of
 * dwords: offset, count.
 */
static const struct {
	uint32_t off, n;
} boot_regs[] = {
	{ 0xfdc, 1 }, { 0x2024, 1 }, { 0x2064, 1 }, { 0x20b4, 2 }, { 0x20d4, 1 },
	{ 0x20e0, 1 }, { 0x24d0, 12 }, { 0x4024, 1 }, { 0x4090, 1 }, { 0x4dd4, 1 },
	{ 0x4ddc, 1 }, { 0x9044, 1 }, { 0x940c, 1 }, { 0x9424, 1 }, { 0xa00c, 1 },
	{ 0xa024, 1 }, { 0xa02c, 2 }, { 0xa068, 3 }, { 0xa26c, 1 }, { 0xb004, 2 },
	{ 0xb020, 32 }, { 0xb118, 2 }, { 0xc000, 1 }, { 0xc050, 1 }, { 0xc340, 1 },
	{ 0xc800, 128 }, { 0xcb00, 128 }, { 0x120b4, 2 }, { 0x1a0b4, 2 }, { 0x220b4, 2 },
	{ 0x41000, 1 }, { 0x42080, 1 }, { 0x420c0, 1 }, { 0x42300, 1 }, { 0x43224, 1 },
	{ 0x45000, 2 }, { 0x45270, 1 }, { 0x45504, 1 }, { 0x46140, 1 }, { 0x46408, 1 },
	{ 0x46430, 1 }, { 0x49028, 1 }, { 0x4a480, 1 }, { 0x4f060, 1 }, { 0x51000, 1 },
	{ 0x60028, 4 }, { 0x60040, 2 }, { 0x60050, 1 }, { 0x60200, 1 }, { 0x60410, 1 },
	{ 0x64834, 2 }, { 0x64f20, 18 }, { 0x650c0, 1 }, { 0x65900, 1 }, { 0x68170, 2 },
	{ 0x68180, 1 }, { 0x68270, 2 }, { 0x68280, 1 }, { 0x6c00c, 1 }, { 0x6f400, 1 },
	{ 0x70030, 2 }, { 0x70080, 3 }, { 0x700a0, 1 }, { 0x70140, 8 }, { 0x70168, 1 },
	{ 0x7017c, 1 }, { 0x70194, 2 }, { 0x701a0, 1 }, { 0x701c0, 2 }, { 0x70240, 8 },
	{ 0x70268, 1 }, { 0x70278, 3 }, { 0x7029c, 1 }, { 0x70340, 8 }, { 0x70368, 1 },
	{ 0x70378, 2 }, { 0x71080, 1 }, { 0x71280, 1 }, { 0x72080, 1 }, { 0x72280, 1 },
	{ 0xc2020, 1 }, { 0xc4030, 1 }, { 0xc403c, 1 }, { 0xc501c, 3 }, { 0xc6204, 1 },
	{ 0xc7200, 5 },
};

static void
rig_up(struct fake_setup *r, enum unknown_reg_policy pol)
{
	struct vgpu_config cfg;

	vgpu_config_default(&cfg);
	cfg.unknown = pol;
	CU_ASSERT_FATAL(fake_setup_whole(r, 7, &cfg) == 0);
}

static void
test_stock_boot_strict(void)
{
	struct fake_setup r;
	struct vgpu_stats st;
	unsigned int dwords = 0;

	rig_up(&r, UNKNOWN_STRICT);
	for (size_t i = 0; i < sizeof(boot_regs) / sizeof(boot_regs[0]); i++)
		for (uint32_t k = 0; k < boot_regs[i].n; k++) {
			uint32_t off = boot_regs[i].off + 4 * k;

			if (!mmio_find(off))
				printf("\n    no row for %#x", off);
			CU_ASSERT_PTR_NOT_NULL(mmio_find(off));
			(void)reg_rd(r.v, off);
			dwords++;
		}
	CU_ASSERT_EQUAL(dwords, 451);
	vgpu_get_stats(r.v, &st);
	CU_ASSERT_FALSE(st.failsafe);
	CU_ASSERT_EQUAL(st.unknown_reg, 0);
	fake_teardown(&r);
}

/* No GuC: its microcontroller stays in reset, whatever GDRST and the guest do. */
static void
test_guc_status_in_reset(void)
{
	struct fake_setup r;

	rig_up(&r, UNKNOWN_TOLERATE);
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_STATUS), GS_MIA_IN_RESET);
	/* intel_reset_guc: the GuC domain alone; the reset is done at once. */
	reg_wr(r.v, GEN6_GDRST, GDRST_GUC);
	CU_ASSERT_EQUAL(reg_rd(r.v, GEN6_GDRST), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_STATUS), GS_MIA_IN_RESET);
	/* Read twice: the bit is a state, not an event consumed by a read. */
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_STATUS), GS_MIA_IN_RESET);
	reg_wr(r.v, GEN6_GDRST, GDRST_FULL);
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_STATUS), GS_MIA_IN_RESET);
	/* The guest cannot take it out of reset; the attempt is counted. */
	uint64_t ro = r.v->ro_writes;
	reg_wr(r.v, GUC_STATUS, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_STATUS), GS_MIA_IN_RESET);
	CU_ASSERT_EQUAL(r.v->ro_writes, ro + 1);
	fake_teardown(&r);
}

/* GUC_WOPCM_SIZE / DMA_GUC_WOPCM_OFFSET: only their fields, and write-once once locked. */
static void
test_guc_wopcm_write_once(void)
{
	struct fake_setup r;

	rig_up(&r, UNKNOWN_TOLERATE);
	/* Unlocked (reset 0): i915 sees no earlier GuC load. */
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_WOPCM_SIZE), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, DMA_GUC_WOPCM_OFFSET), 0);
	/* Without the lock bit a write is taken, fields only, and can be redone. */
	reg_wr(r.v, GUC_WOPCM_SIZE, 0x00123ffeu);
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_WOPCM_SIZE), 0x00123000u);
	reg_wr(r.v, GUC_WOPCM_SIZE, 0x00100000u | 1u);
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_WOPCM_SIZE), 0x00100001u);
	/* Locked: further writes change nothing. */
	reg_wr(r.v, GUC_WOPCM_SIZE, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_WOPCM_SIZE), 0x00100001u);
	reg_wr(r.v, DMA_GUC_WOPCM_OFFSET, 0x00080000u | 2u | 1u | 0x3ffcu);
	CU_ASSERT_EQUAL(reg_rd(r.v, DMA_GUC_WOPCM_OFFSET), 0x00080003u);
	reg_wr(r.v, DMA_GUC_WOPCM_OFFSET, 0x00004000u);
	CU_ASSERT_EQUAL(reg_rd(r.v, DMA_GUC_WOPCM_OFFSET), 0x00080003u);
	/* A GT reset is no power cycle: still locked. */
	reg_wr(r.v, GEN6_GDRST, GDRST_FULL);
	CU_ASSERT_EQUAL(reg_rd(r.v, GUC_WOPCM_SIZE), 0x00100001u);
	fake_teardown(&r);
}

/*
 * EDP_PSR_IMR/IIR: IMR all masked out of reset; IIR write 1 to clear. i915
 * resets the pair by writing all ones to both (gen3_irq_reset), then
 * asserts IIR reads 0.
 */
static void
test_psr_irq(void)
{
	struct fake_setup r;

	rig_up(&r, UNKNOWN_TOLERATE);
	CU_ASSERT_EQUAL(reg_rd(r.v, EDP_PSR_IMR), 0xffffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, EDP_PSR_IIR), 0);
	reg_wr(r.v, EDP_PSR_IMR, 0xffffffffu);
	reg_wr(r.v, EDP_PSR_IIR, 0xffffffffu);
	reg_wr(r.v, EDP_PSR_IIR, 0xffffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, EDP_PSR_IIR), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, EDP_PSR_IMR), 0xffffffffu);
	/* Latched bits (as the hardware would set them) go only with a 1. */
	pthread_mutex_lock(&r.v->lock);
	vreg_set(r.v, EDP_PSR_IIR, 0x00010101u);
	pthread_mutex_unlock(&r.v->lock);
	reg_wr(r.v, EDP_PSR_IIR, 0x00000100u);
	CU_ASSERT_EQUAL(reg_rd(r.v, EDP_PSR_IIR), 0x00010001u);
	reg_wr(r.v, EDP_PSR_IIR, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, EDP_PSR_IIR), 0x00010001u);
	reg_wr(r.v, EDP_PSR_IMR, 0xfffffffeu);
	CU_ASSERT_EQUAL(reg_rd(r.v, EDP_PSR_IMR), 0xfffffffeu);
	fake_teardown(&r);
}

/* FPGA_DBG: RM_NOCLAIM (bit 31) write 1 to clear, nothing else to write. */
static void
test_fpga_dbg(void)
{
	struct fake_setup r;

	rig_up(&r, UNKNOWN_TOLERATE);
	CU_ASSERT_EQUAL(reg_rd(r.v, FPGA_DBG), 0);
	reg_wr(r.v, FPGA_DBG, 0x7fffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, FPGA_DBG), 0);
	pthread_mutex_lock(&r.v->lock);
	vreg_set(r.v, FPGA_DBG, 1u << 31);
	pthread_mutex_unlock(&r.v->lock);
	reg_wr(r.v, FPGA_DBG, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, FPGA_DBG), 1u << 31);
	reg_wr(r.v, FPGA_DBG, 1u << 31);
	CU_ASSERT_EQUAL(reg_rd(r.v, FPGA_DBG), 0);
	fake_teardown(&r);
}

/* PP_STATUS follows PP_CONTROL's power-on request at once and cannot be written. */
static void
test_panel_power(void)
{
	struct fake_setup r;

	rig_up(&r, UNKNOWN_TOLERATE);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCH_PP_STATUS), 0); /* off, idle */
	/* Unlock key, VDD forced: the panel itself stays off. */
	reg_wr(r.v, PCH_PP_CONTROL, 0xabcd0008u);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCH_PP_CONTROL), 0xabcd0008u);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCH_PP_STATUS), 0);
	reg_wr(r.v, PCH_PP_CONTROL, 0xabcd0009u);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCH_PP_STATUS), 0x80000008u); /* PP_ON, ON_IDLE */
	reg_wr(r.v, PCH_PP_STATUS, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCH_PP_STATUS), 0x80000008u);
	reg_wr(r.v, PCH_PP_CONTROL, 0xabcd0000u);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCH_PP_STATUS), 0);
	fake_teardown(&r);
}

/*
 * GPIO pin pairs as i915's bit-banging drives them (intel_gmbus.c
 * set_clock/get_data): direction and output level change only with their
 * mask bits, the mask bits read 0, and a line reads high unless its own
 * pin drives it low; nothing on the bus ever acknowledges.
 */
static void
test_gpio_lines(void)
{
	struct fake_setup r;
	const uint32_t clk_in = 1u << 4, data_in = 1u << 12;

	rig_up(&r, UNKNOWN_TOLERATE);
	for (unsigned int n = 0; n < 6; n++)
		CU_ASSERT_EQUAL(reg_rd(r.v, GPIO(n)), clk_in | data_in);
	/* Clock low: DIR_MASK | DIR_OUT | VAL_MASK (VAL_OUT 0). */
	reg_wr(r.v, GPIO(4), 0x7u);
	CU_ASSERT_EQUAL(reg_rd(r.v, GPIO(4)), 0x2u | data_in);
	/* Without mask bits nothing moves (only the pull-up disable is plain). */
	reg_wr(r.v, GPIO(4), 0x0au | (1u << 5));
	CU_ASSERT_EQUAL(reg_rd(r.v, GPIO(4)), 0x2u | (1u << 5) | data_in);
	/* Data low as well. */
	reg_wr(r.v, GPIO(4), (1u << 5) | 0x700u);
	CU_ASSERT_EQUAL(reg_rd(r.v, GPIO(4)), 0x2u | (1u << 5) | 0x200u);
	/* Clock released (direction in): the pull-up takes it high. */
	reg_wr(r.v, GPIO(4), (1u << 5) | 0x1u);
	CU_ASSERT_EQUAL(reg_rd(r.v, GPIO(4)), (1u << 5) | 0x200u | clk_in);
	/* Driving a 1 is high too. */
	reg_wr(r.v, GPIO(4), 0xfu | 0x700u);
	CU_ASSERT_EQUAL(reg_rd(r.v, GPIO(4)), 0xau | 0x200u | clk_in);
	/* Data released for the ACK bit: high, a NAK. */
	reg_wr(r.v, GPIO(4), 0x100u);
	CU_ASSERT(reg_rd(r.v, GPIO(4)) & data_in);
	/* Other pins untouched. */
	CU_ASSERT_EQUAL(reg_rd(r.v, GPIO(5)), clk_in | data_in);
	fake_teardown(&r);
}

/* RPSTAT1's current frequency is the last request; the register is read-only. */
static void
test_rps_status(void)
{
	struct fake_setup r;

	rig_up(&r, UNKNOWN_TOLERATE);
	CU_ASSERT_EQUAL(reg_rd(r.v, GEN6_RPSTAT1), 0);
	reg_wr(r.v, GEN6_RPNSWREQ, (0x24u << 23) | 0x1234u);
	CU_ASSERT_EQUAL(reg_rd(r.v, GEN6_RPSTAT1), 0x24u << 23);
	reg_wr(r.v, GEN6_RPSTAT1, 0xffffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, GEN6_RPSTAT1), 0x24u << 23);
	fake_teardown(&r);
}

/*
 * Values i915 derives machine facts from: CTC_MODE gives the 12 MHz
 * command streamer timestamp (24 MHz crystal >> (3 - 2)), the PCH raw
 * clock 24 MHz (it read 0 before: "rawclk rate: 0 kHz"), and the VGA
 * plane is off. CTC_MODE cannot be changed by the guest.
 */
static void
test_clock_facts(void)
{
	struct fake_setup r;
	uint32_t ctc;

	rig_up(&r, UNKNOWN_TOLERATE);
	ctc = reg_rd(r.v, CTC_MODE);
	CU_ASSERT_EQUAL(ctc & 1u, 0);	/* crystal clock source */
	CU_ASSERT_EQUAL(24000000u >> (3 - ((ctc >> 1) & 3)), 12000000u);
	reg_wr(r.v, CTC_MODE, 1u);
	CU_ASSERT_EQUAL(reg_rd(r.v, CTC_MODE), ctc);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCH_RAWCLK_FREQ) & 0x3ffu, 24);
	CU_ASSERT_EQUAL(reg_rd(r.v, CPU_VGACNTRL), 1u << 31);
	fake_teardown(&r);
}

static uint64_t
tick(struct vgpu *v, uint64_t now)
{
	uint64_t next;

	pthread_mutex_lock(&v->lock);
	next = display_tick(v, now);
	pthread_mutex_unlock(&v->lock);
	return next;
}

/* Plane 2 and the cursor: live surface at once on a stopped pipe, at vblank on a running one. */
static void
test_plane_latch(void)
{
	struct fake_setup r;
	uint64_t t = 50 * MS;

	rig_up(&r, UNKNOWN_TOLERATE);
	reg_wr(r.v, PLANE_SURF(1, 2), 0x100000);
	reg_wr(r.v, CURBASE(1), 0x7000);
	CU_ASSERT_EQUAL(reg_rd(r.v, PLANE_SURFLIVE(1, 2)), 0x100000);
	CU_ASSERT_EQUAL(reg_rd(r.v, CURSURFLIVE(1)), 0x7000);
	reg_wr(r.v, PIPECONF(1), 1u << 31);
	tick(r.v, t);
	reg_wr(r.v, PLANE_SURF(1, 2), 0x200000);
	reg_wr(r.v, PLANE_SURF(1, 3), 0x300000);
	reg_wr(r.v, CURBASE(1), 0x8000);
	CU_ASSERT_EQUAL(reg_rd(r.v, PLANE_SURFLIVE(1, 2)), 0x100000);
	CU_ASSERT_EQUAL(reg_rd(r.v, PLANE_SURFLIVE(1, 3)), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, CURSURFLIVE(1)), 0x7000);
	tick(r.v, t + DISPLAY_DEFAULT_PERIOD_NS);
	CU_ASSERT_EQUAL(reg_rd(r.v, PLANE_SURFLIVE(1, 2)), 0x200000);
	CU_ASSERT_EQUAL(reg_rd(r.v, PLANE_SURFLIVE(1, 3)), 0x300000);
	CU_ASSERT_EQUAL(reg_rd(r.v, CURSURFLIVE(1)), 0x8000);
	/* Pipe A's planes did not move with pipe B's vblank. */
	CU_ASSERT_EQUAL(reg_rd(r.v, PLANE_SURFLIVE(0, 2)), 0);
	/* The live registers are read-only. */
	reg_wr(r.v, PLANE_SURFLIVE(1, 2), 0x400000);
	CU_ASSERT_EQUAL(reg_rd(r.v, PLANE_SURFLIVE(1, 2)), 0x200000);
	/* Stopping the pipe takes what is armed. */
	reg_wr(r.v, PIPECONF(1), 1u << 31);
	reg_wr(r.v, PLANE_SURF(1, 2), 0x500000);
	reg_wr(r.v, PIPECONF(1), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, PLANE_SURFLIVE(1, 2)), 0x500000);
	fake_teardown(&r);
}

/*
 * The MOCS tables are the owner's on the GPU: a guest's write reaches the
 * physical register while it owns the GPU, and a switch loads the next
 * owner's table (and gives the host back its own).
 */
static void
test_mocs_follow_owner(void)
{
	struct fake_setup s;
	struct pgpu_fake *pf;
	struct hv *hv2;
	struct vgpu *b;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 2, NULL, true, &hv2, &b) == 0);
	pf = fake_pgpu(&s.dev);
	pf->mmio[RCS_MOCS(5) / 4] = 0x11;	/* the host's */
	pf->mmio[LNCFCMOCS(3) / 4] = 0x22;
	fake_writel(s.v, RCS_MOCS(5), 0x3b);
	fake_writel(b, RCS_MOCS(5), 0x0b);
	fake_writel(b, BCS_MOCS(63), 0x37);
	CU_ASSERT_EQUAL(pf->mmio[RCS_MOCS(5) / 4], 0x11); /* nobody owns the GPU yet */

	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, s.v), 0);
	CU_ASSERT_EQUAL(pf->mmio[RCS_MOCS(5) / 4], 0x3b);
	CU_ASSERT_EQUAL(pf->mmio[LNCFCMOCS(3) / 4], 0);
	fake_writel(s.v, LNCFCMOCS(3), 0x00300030u);
	CU_ASSERT_EQUAL(pf->mmio[LNCFCMOCS(3) / 4], 0x00300030u);

	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, b), 0);
	CU_ASSERT_EQUAL(pf->mmio[RCS_MOCS(5) / 4], 0x0b);
	CU_ASSERT_EQUAL(pf->mmio[BCS_MOCS(63) / 4], 0x37);
	CU_ASSERT_EQUAL(pf->mmio[LNCFCMOCS(3) / 4], 0);
	CU_ASSERT_EQUAL(fake_readl(s.v, LNCFCMOCS(3)), 0x00300030u);

	CU_ASSERT_EQUAL(gpu_switch_to(s.gpu, NULL), 0);
	CU_ASSERT_EQUAL(pf->mmio[RCS_MOCS(5) / 4], 0x11);
	CU_ASSERT_EQUAL(pf->mmio[LNCFCMOCS(3) / 4], 0x22);
	vgpu_destroy(b);
	fake_hv_free(hv2);
	fake_teardown(&s);
}

void suite_boot_regs(void);

void
suite_boot_regs(void)
{
	static const struct test_case cases[] = {
		{ "unknown=strict: every register of a recorded stock boot has a row",
		  test_stock_boot_strict },
		{ "GUC_STATUS: MIA in reset, across GDRST GuC and full resets", test_guc_status_in_reset },
		{ "GuC WOPCM registers: fields only, write-once once locked", test_guc_wopcm_write_once },
		{ "EDP_PSR_IMR/IIR: masked out of reset, IIR write 1 to clear", test_psr_irq },
		{ "FPGA_DBG: RM_NOCLAIM write 1 to clear", test_fpga_dbg },
		{ "PCH panel power: status follows control", test_panel_power },
		{ "GPIO pin pairs: masked direction/level, pulled-up lines", test_gpio_lines },
		{ "RPSTAT1 reports the requested frequency", test_rps_status },
		{ "CTC_MODE 12 MHz timestamps, 24 MHz raw clock, VGA off", test_clock_facts },
		{ "planes 2-3 and cursor: live surface latching", test_plane_latch },
		{ "MOCS tables follow the GPU's owner", test_mocs_follow_owner },
		{ NULL, NULL },
	};

	test_add_suite("boot_regs", cases);
}
