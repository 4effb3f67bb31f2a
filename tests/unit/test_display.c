/* SPDX-License-Identifier: MIT */
/*
 * test_display.c — the virtual display (mediator/display/display.c, gmbus.c,
 * edid.c) on a vGPU over the fake hypervisor: the EDID block, vblanks only
 * on enabled pipes with frame counters and surface latching, port
 * presence (monitor on DDI D), EDID reads over GMBUS including hostile
 * ones, the display core (power wells, DBUF, DPLLs) and the pcode mailbox.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/display/edid.h"
#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"
#include "tests/unit/reg.h"

#define MASTER	       0x44200u
#define MASTER_EN      (1u << 31)
#define PIPE_IMR(p)    (0x44404u + (p) * 0x10u)
#define PIPE_IIR(p)    (0x44408u + (p) * 0x10u)
#define PIPE_IER(p)    (0x4440cu + (p) * 0x10u)
#define HTOTAL(p)      (0x60000u + (p) * 0x1000u)
#define VTOTAL(p)      (0x6000cu + (p) * 0x1000u)
#define DDI_BUF_CTL(x) (0x64000u + (x) * 0x100u)
#define PIPEDSL(p)     (0x70000u + (p) * 0x1000u)
#define PIPECONF(p)    (0x70008u + (p) * 0x1000u)
#define FRMCOUNT(p)    (0x70040u + (p) * 0x1000u)
#define FLIPCOUNT(p)   (0x70044u + (p) * 0x1000u)
#define DSPSURF(p)     (0x7019cu + (p) * 0x1000u)
#define DSPSURFLIVE(p) (0x701acu + (p) * 0x1000u)
#define SFUSE_STRAP    0xc2014u
#define SDEISR	       0xc4000u
#define GMBUS0	       0xc5100u
#define GMBUS1	       0xc5104u
#define GMBUS2	       0xc5108u
#define GMBUS3	       0xc510cu
#define GMBUS5	       0xc5120u

#define G1_SW_CLR_INT (1u << 31)
#define G1_SW_RDY     (1u << 30)
#define G1_WAIT	      (1u << 25)
#define G1_INDEX      (2u << 25)
#define G1_STOP	      (4u << 25)
#define G2_WAIT	      (1u << 14)
#define G2_HW_RDY     (1u << 11)
#define G2_SATOER     (1u << 10)
#define G2_ACTIVE     (1u << 9)

#define MS (1000000ull)

/* The monitor: DDI D (GVT-g's SKL choice), DDC on GMBUS pin 6 (GMBUS_PIN_DPD). */
#define MON_PIN	   6u
#define PORTB_PIN  5u	/* GMBUS_PIN_DPB: nothing plugged into port B */

/*
 * The whole default vGPU (domid 9) with MSI, its monitor's mode w x h
 * (0: the default), driven through the register dispatcher.
 */
static void
rig_up_mode(struct fake_setup *r, unsigned int w, unsigned int h)
{
	struct vgpu_config cfg;

	vgpu_config_default(&cfg);
	cfg.msi = true;
	if (w) {
		cfg.max_w = w;
		cfg.max_h = h;
	}
	CU_ASSERT_FATAL(fake_setup_whole(r, 9, &cfg) == 0);
}

static void
rig_up(struct fake_setup *r)
{
	rig_up_mode(r, 0, 0);
}

/* The same with an HDMI monitor (monitor=hdmi): its EDID on GMBUS pin 6. */
static void
rig_up_hdmi(struct fake_setup *r)
{
	struct vgpu_config cfg;

	vgpu_config_default(&cfg);
	cfg.msi = true;
	cfg.monitor_hdmi = true;
	CU_ASSERT_FATAL(fake_setup_whole(r, 9, &cfg) == 0);
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

static unsigned int
dtd_hactive(const uint8_t *e)
{
	return e[56] | (unsigned int)(e[58] >> 4) << 8;
}

static unsigned int
dtd_vactive(const uint8_t *e)
{
	return e[59] | (unsigned int)(e[61] >> 4) << 8;
}

static void
test_edid_block(void)
{
	static const uint8_t hdr[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	uint8_t e[EDID_BLOCK_SIZE];
	uint32_t khz = edid_build(e, 1920, 1200);

	CU_ASSERT(memcmp(e, hdr, sizeof(hdr)) == 0);
	CU_ASSERT_EQUAL(edid_checksum(e), 0);
	CU_ASSERT_EQUAL(e[18], 1);
	CU_ASSERT_EQUAL(e[19], 3);
	CU_ASSERT(e[24] & 0x02);	/* preferred timing = first DTD */
	CU_ASSERT_EQUAL(e[126], 0);	/* no extensions */
	/* Preferred mode: 1920x1200 CVT-RB, 154.00 MHz, 2080 x 1235 total. */
	CU_ASSERT_EQUAL(khz, 154000);
	CU_ASSERT_EQUAL(e[54] | e[55] << 8, 15400);
	CU_ASSERT_EQUAL(dtd_hactive(e), 1920);
	CU_ASSERT_EQUAL(dtd_vactive(e), 1200);
	CU_ASSERT_EQUAL(e[57] | (e[58] & 0xf) << 8, 160);	/* hblank */
	CU_ASSERT_EQUAL(e[60] | (e[61] & 0xf) << 8, 35);	/* vblank */
	/* Descriptors: range limits and name. */
	CU_ASSERT_EQUAL(e[72 + 3], 0xfd);
	CU_ASSERT_EQUAL(e[90 + 3], 0xfc);
	CU_ASSERT(memcmp(&e[95], "xengt vmon\n", 11) == 0);
	/* Vendor "XEN". */
	CU_ASSERT_EQUAL(((e[8] << 8 | e[9]) >> 10) & 0x1f, 'X' - '@');
	CU_ASSERT_EQUAL(((e[8] << 8 | e[9]) >> 5) & 0x1f, 'E' - '@');
	CU_ASSERT_EQUAL((e[8] << 8 | e[9]) & 0x1f, 'N' - '@');
}

static void
test_edid_small_and_clamped(void)
{
	uint8_t e[EDID_BLOCK_SIZE];

	edid_build(e, 1024, 768);
	CU_ASSERT_EQUAL(edid_checksum(e), 0);
	CU_ASSERT_EQUAL(dtd_hactive(e), 1024);
	CU_ASSERT_EQUAL(dtd_vactive(e), 768);
	CU_ASSERT_EQUAL(e[36] & 0x08, 0x08); /* 1024x768@60 established */
	/* No standard timing bigger than the maximum. */
	for (unsigned int i = 0; i < 8; i++) {
		uint8_t b = e[38 + 2 * i];

		CU_ASSERT(b == 0x01 || (b + 31u) * 8u <= 1024u);
	}
	/* Absurd sizes are clamped into what a DTD can carry; still valid. */
	edid_build(e, 100000, 1);
	CU_ASSERT_EQUAL(edid_checksum(e), 0);
	CU_ASSERT_EQUAL(dtd_hactive(e), 4095);
	CU_ASSERT_EQUAL(dtd_vactive(e), 480);
	edid_build(e, 0, 0);
	CU_ASSERT_EQUAL(edid_checksum(e), 0);
	CU_ASSERT_EQUAL(dtd_hactive(e), 640);
}

static void
test_display_edid_follows_config(void)
{
	struct fake_setup r;

	rig_up_mode(&r, 1280, 1024);
	CU_ASSERT_EQUAL(edid_checksum(r.v->disp.edid), 0);
	CU_ASSERT_EQUAL(dtd_hactive(r.v->disp.edid), 1280);
	CU_ASSERT_EQUAL(dtd_vactive(r.v->disp.edid), 1024);
	fake_teardown(&r);
}

static void
test_display_ports(void)
{
	struct fake_setup r;

	rig_up(&r);
	CU_ASSERT_EQUAL(reg_rd(r.v, SFUSE_STRAP) & 0x7, 1u << 0);	/* DDI D only */
	reg_wr(r.v, SFUSE_STRAP, 0x7);
	CU_ASSERT_EQUAL(reg_rd(r.v, SFUSE_STRAP) & 0x7, 1u << 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, DDI_BUF_CTL(0)) & 1, 0);	/* no eDP panel */
	/* SDEISR: port D live (SDE_PORTD_HOTPLUG_CPT), B and C not. */
	CU_ASSERT_EQUAL(reg_rd(r.v, SDEISR) & (7u << 21), 1u << 23);
	CU_ASSERT(reg_rd(r.v, DDI_BUF_CTL(3)) & (1u << 7));		/* idle */
	reg_wr(r.v, DDI_BUF_CTL(3), (1u << 31) | 1u);
	CU_ASSERT_EQUAL(reg_rd(r.v, DDI_BUF_CTL(3)), 1u << 31);	/* running, bit 0 RO */
	reg_wr(r.v, DDI_BUF_CTL(3), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, DDI_BUF_CTL(3)), 1u << 7);
	/* DP_TP: the idle pattern on an enabled transport reports idle done (bit 25). */
	reg_wr(r.v, 0x64340, (1u << 31) | (2u << 8));
	CU_ASSERT_EQUAL(reg_rd(r.v, 0x64344) & (1u << 25), 1u << 25);
	reg_wr(r.v, 0x64340, (1u << 31) | (3u << 8));		/* normal pattern */
	CU_ASSERT_EQUAL(reg_rd(r.v, 0x64344) & (1u << 25), 0);
	reg_wr(r.v, 0x64344, ~0u);				/* status is read-only */
	CU_ASSERT_EQUAL(reg_rd(r.v, 0x64344), 0);
	fake_teardown(&r);
}

static void
test_display_pipeconf_state(void)
{
	struct fake_setup r;
	uint32_t a, b;

	rig_up(&r);
	reg_wr(r.v, PIPECONF(0), 1u << 30);		/* state bit is not the guest's */
	CU_ASSERT_EQUAL(reg_rd(r.v, PIPECONF(0)), 0);
	reg_wr(r.v, PIPECONF(0), 1u << 31);
	CU_ASSERT_EQUAL(reg_rd(r.v, PIPECONF(0)), (1u << 31) | (1u << 30));
	/* The scanline moves on a running pipe. */
	reg_wr(r.v, VTOTAL(0), (1234u << 16) | 1199u);
	a = reg_rd(r.v, PIPEDSL(0));
	b = reg_rd(r.v, PIPEDSL(0));
	CU_ASSERT(a != b);
	CU_ASSERT(a < 1235 && b < 1235);
	reg_wr(r.v, PIPECONF(0), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, PIPECONF(0)), 0);
	fake_teardown(&r);
}

static void
test_display_vblank_enabled_pipes(void)
{
	struct fake_setup r;
	unsigned int cap;
	uint32_t val;
	uint64_t t0 = 1000 * MS, next;

	rig_up(&r);
	/* Vblank interrupts open on pipes A and B, master and MSI on. */
	for (unsigned int p = 0; p < 2; p++) {
		reg_wr(r.v, PIPE_IER(p), 1);
		reg_wr(r.v, PIPE_IMR(p), ~1u);
	}
	reg_wr(r.v, MASTER, MASTER_EN);
	val = 0;
	CU_ASSERT(vgpu_cfg_access(r.v, false, 0x34, 1, &val) == 0);
	cap = val; /* first capability; walk to MSI (id 5) */
	for (int i = 0; cap && i < 48; i++) {
		CU_ASSERT(vgpu_cfg_access(r.v, false, cap, 1, &val) == 0);
		if (val == 5)
			break;
		CU_ASSERT(vgpu_cfg_access(r.v, false, cap + 1, 1, &val) == 0);
		cap = val & 0xfc;
	}
	CU_ASSERT_FATAL(cap != 0);
	val = 0xfee00000u;
	CU_ASSERT(vgpu_cfg_access(r.v, true, cap + 4, 4, &val) == 0);
	val = 0x21;
	CU_ASSERT(vgpu_cfg_access(r.v, true, cap + 8, 2, &val) == 0);
	val = 1;
	CU_ASSERT(vgpu_cfg_access(r.v, true, cap + 2, 2, &val) == 0);

	/* No pipe on: no timer (the thread sleeps until a request), nothing fires. */
	CU_ASSERT_EQUAL(tick(r.v, t0), VGPU_TICK_NONE);
	CU_ASSERT_EQUAL(tick(r.v, t0 + 100 * MS), VGPU_TICK_NONE);
	CU_ASSERT_EQUAL(r.v->stats.vblanks, 0);

	reg_wr(r.v, PIPECONF(0), 1u << 31);	/* only pipe A */
	next = tick(r.v, t0);		/* arms */
	CU_ASSERT_EQUAL(next, DISPLAY_DEFAULT_PERIOD_NS);
	CU_ASSERT_EQUAL(r.v->stats.vblanks, 0);
	next = tick(r.v, t0 + 10 * MS);	/* not yet */
	CU_ASSERT_EQUAL(r.v->stats.vblanks, 0);
	CU_ASSERT(next > 6 * MS && next < 7 * MS);
	next = tick(r.v, t0 + DISPLAY_DEFAULT_PERIOD_NS);
	CU_ASSERT_EQUAL(r.v->stats.vblanks, 1);
	CU_ASSERT_EQUAL(next, DISPLAY_DEFAULT_PERIOD_NS);
	CU_ASSERT_EQUAL(reg_rd(r.v, FRMCOUNT(0)), 1);
	CU_ASSERT_EQUAL(reg_rd(r.v, FRMCOUNT(1)), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, PIPE_IIR(0)), 1);
	CU_ASSERT_EQUAL(reg_rd(r.v, PIPE_IIR(1)), 0);
	CU_ASSERT_EQUAL(r.v->irq.raised[EV_PIPE_A_VBLANK], 1);
	CU_ASSERT_EQUAL(r.v->irq.raised[EV_PIPE_B_VBLANK], 0);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	CU_ASSERT_EQUAL(r.hv->msi_addr[0], 0xfee00000u);
	CU_ASSERT_EQUAL(r.hv->msi_data[0], 0x21);

	/* Both pipes on: one vblank each per frame. */
	reg_wr(r.v, PIPECONF(1), 1u << 31);
	tick(r.v, t0 + 2 * DISPLAY_DEFAULT_PERIOD_NS);
	CU_ASSERT_EQUAL(reg_rd(r.v, FRMCOUNT(0)), 2);
	CU_ASSERT_EQUAL(reg_rd(r.v, FRMCOUNT(1)), 1);
	CU_ASSERT_EQUAL(r.v->stats.vblanks, 3);
	CU_ASSERT_EQUAL(reg_rd(r.v, PIPE_IIR(1)), 1);
	/* Frame counter is read-only. */
	reg_wr(r.v, FRMCOUNT(0), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, FRMCOUNT(0)), 2);

	/* All off: timer disarms, counters stop. */
	reg_wr(r.v, PIPECONF(0), 0);
	reg_wr(r.v, PIPECONF(1), 0);
	CU_ASSERT_EQUAL(tick(r.v, t0 + 3 * DISPLAY_DEFAULT_PERIOD_NS), VGPU_TICK_NONE);
	CU_ASSERT_EQUAL(tick(r.v, t0 + 10 * DISPLAY_DEFAULT_PERIOD_NS), VGPU_TICK_NONE);
	CU_ASSERT_EQUAL(r.v->stats.vblanks, 3);
	CU_ASSERT_EQUAL(r.v->disp.next_vblank_ns, 0);
	fake_teardown(&r);
}

static void
test_display_period_from_timings(void)
{
	struct fake_setup r;
	uint64_t p;

	rig_up(&r);
	/* 1920x1200 CVT-RB: 2080 x 1235 at the monitor's 154 MHz = 16.681 ms. */
	reg_wr(r.v, HTOTAL(0), (2079u << 16) | 1919u);
	reg_wr(r.v, VTOTAL(0), (1234u << 16) | 1199u);
	reg_wr(r.v, PIPECONF(0), 1u << 31);
	p = tick(r.v, 5 * MS);
	CU_ASSERT_EQUAL(p, 2080ull * 1235ull * 1000000ull / 154000ull);
	reg_wr(r.v, PIPECONF(0), 0);
	tick(r.v, 6 * MS);
	/* Total smaller than active: not sane, the default period. */
	reg_wr(r.v, HTOTAL(0), (99u << 16) | 1919u);
	reg_wr(r.v, PIPECONF(0), 1u << 31);
	p = tick(r.v, 7 * MS);
	CU_ASSERT_EQUAL(p, DISPLAY_DEFAULT_PERIOD_NS);
	fake_teardown(&r);
}

static void
test_display_surface_latch(void)
{
	struct fake_setup r;
	uint64_t t = 50 * MS;

	rig_up(&r);
	/* Pipe off: a surface write is live at once. */
	reg_wr(r.v, DSPSURF(0), 0x100000);
	CU_ASSERT_EQUAL(reg_rd(r.v, DSPSURFLIVE(0)), 0x100000);
	reg_wr(r.v, PIPECONF(0), 1u << 31);
	tick(r.v, t);
	/* Pipe on: it waits for the vblank. */
	reg_wr(r.v, DSPSURF(0), 0x200000);
	CU_ASSERT_EQUAL(reg_rd(r.v, DSPSURFLIVE(0)), 0x100000);
	CU_ASSERT_EQUAL(reg_rd(r.v, FLIPCOUNT(0)), 1);
	tick(r.v, t + DISPLAY_DEFAULT_PERIOD_NS);
	CU_ASSERT_EQUAL(reg_rd(r.v, DSPSURFLIVE(0)), 0x200000);
	CU_ASSERT_EQUAL(reg_rd(r.v, FLIPCOUNT(0)), 2);
	/* The guest cannot write the live register. */
	reg_wr(r.v, DSPSURFLIVE(0), 0x300000);
	CU_ASSERT_EQUAL(reg_rd(r.v, DSPSURFLIVE(0)), 0x200000);
	fake_teardown(&r);
}

/* Start an EDID read the way i915 does: index cycle, WAIT, count bytes. */
static void
gmbus_read_start(struct vgpu *v, unsigned int pin, unsigned int slave,
		 unsigned int index, unsigned int count)
{
	reg_wr(v, GMBUS0, pin);
	reg_wr(v, GMBUS1, G1_SW_RDY | G1_INDEX | G1_WAIT | (count << 16) | (index << 8) |
			      (slave << 1) | 1u);
}

static void
test_gmbus_edid_read(void)
{
	struct fake_setup r;
	uint8_t got[EDID_BLOCK_SIZE], want[EDID_BLOCK_SIZE];

	rig_up_hdmi(&r);
	edid_build(want, 1920, 1200);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_HW_RDY);
	gmbus_read_start(r.v, MON_PIN, 0x50, 0, 128);
	CU_ASSERT_FALSE(reg_rd(r.v, GMBUS2) & G2_SATOER);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_ACTIVE);
	for (unsigned int i = 0; i < EDID_BLOCK_SIZE; i += 4) {
		uint32_t w;

		CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_HW_RDY);
		w = reg_rd(r.v, GMBUS3);
		for (unsigned int b = 0; b < 4; b++)
			got[i + b] = (uint8_t)(w >> (8 * b));
	}
	CU_ASSERT(memcmp(got, want, sizeof(got)) == 0);
	CU_ASSERT(memcmp(got, r.v->disp.edid, sizeof(got)) == 0);
	CU_ASSERT_EQUAL(edid_checksum(got), 0);
	/* Data phase over: waiting; then a STOP makes it idle. */
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_WAIT);
	reg_wr(r.v, GMBUS1, G1_SW_RDY | G1_STOP);
	CU_ASSERT_FALSE(reg_rd(r.v, GMBUS2) & (G2_ACTIVE | G2_WAIT | G2_SATOER));

	/* Offset set by a one-byte write, then a plain read: bytes 8..11. */
	reg_wr(r.v, GMBUS3, 8);
	reg_wr(r.v, GMBUS1, G1_SW_RDY | G1_WAIT | (1u << 16) | (0x50u << 1));
	CU_ASSERT_FALSE(reg_rd(r.v, GMBUS2) & G2_SATOER);
	reg_wr(r.v, GMBUS1, G1_SW_RDY | G1_WAIT | (4u << 16) | (0x50u << 1) | 1u);
	CU_ASSERT_EQUAL(reg_rd(r.v, GMBUS3), (uint32_t)want[8] | want[9] << 8 |
						 want[10] << 16 | (uint32_t)want[11] << 24);
	fake_teardown(&r);
}

static void
test_gmbus_nak(void)
{
	struct fake_setup r;
	uint32_t before;

	rig_up_hdmi(&r);
	/* Pin 5 is port B: nothing plugged in. */
	gmbus_read_start(r.v, PORTB_PIN, 0x50, 0, 128);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_SATOER);
	CU_ASSERT_FALSE(reg_rd(r.v, GMBUS2) & G2_ACTIVE);
	before = reg_rd(r.v, GMBUS3);
	CU_ASSERT_EQUAL(reg_rd(r.v, GMBUS3), before);	/* no data flows */
	/* i915's recovery: SW_CLR_INT then 0 clears the NAK. */
	reg_wr(r.v, GMBUS1, G1_SW_CLR_INT);
	reg_wr(r.v, GMBUS1, 0);
	CU_ASSERT_FALSE(reg_rd(r.v, GMBUS2) & G2_SATOER);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_HW_RDY);
	/* Right pin, wrong slave (e.g. 0x37 DDC/CI, 0x54 SCDC): NAK too. */
	gmbus_read_start(r.v, MON_PIN, 0x37, 0, 4);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_SATOER);
	gmbus_read_start(r.v, MON_PIN, 0x54, 0, 4);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_SATOER);
	/* Pin 4 is port C: nothing there either. */
	gmbus_read_start(r.v, 4, 0x50, 0, 4);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_SATOER);
	/* Pin 0 (none selected). */
	gmbus_read_start(r.v, 0, 0x50, 0, 4);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_SATOER);
	fake_teardown(&r);
}

/* The default DP monitor answers on no DDC pin: HDMI-A-3 must see nothing. */
static void
test_gmbus_dp_monitor_silent(void)
{
	struct fake_setup r;

	rig_up(&r);
	gmbus_read_start(r.v, MON_PIN, 0x50, 0, 128);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_SATOER);
	CU_ASSERT_FALSE(reg_rd(r.v, GMBUS2) & G2_ACTIVE);
	fake_teardown(&r);
}

static void
test_gmbus_read_past_end(void)
{
	struct fake_setup r;
	const uint8_t *e;
	uint32_t w, last = 0;

	rig_up_hdmi(&r);
	e = r.v->disp.edid;
	/* From 124, 8 bytes: 124..127 then 0xff past the block. */
	gmbus_read_start(r.v, MON_PIN, 0x50, 124, 8);
	w = reg_rd(r.v, GMBUS3);
	CU_ASSERT_EQUAL(w, (uint32_t)e[124] | e[125] << 8 | e[126] << 16 |
				   (uint32_t)e[127] << 24);
	CU_ASSERT_EQUAL(reg_rd(r.v, GMBUS3), 0xffffffffu);
	/* Count exhausted: further reads return the last value, no overrun. */
	CU_ASSERT_EQUAL(reg_rd(r.v, GMBUS3), 0xffffffffu);
	CU_ASSERT(reg_rd(r.v, GMBUS2) & G2_WAIT);

	/* The maximum count (511) from 0: bounded, wraps at the 8-bit address. */
	reg_wr(r.v, GMBUS1, G1_SW_RDY | G1_STOP);
	gmbus_read_start(r.v, MON_PIN, 0x50, 0, 511);
	for (unsigned int i = 0; i < 200; i++) {
		w = reg_rd(r.v, GMBUS3);
		if (i == 64)	/* bytes 256..259 = EEPROM address 0..3 again */
			CU_ASSERT_EQUAL(w, (uint32_t)e[0] | e[1] << 8 | e[2] << 16 |
						   (uint32_t)e[3] << 24);
		if (i == 40)	/* bytes 160..163: past the EDID */
			CU_ASSERT_EQUAL(w, 0xffffffffu);
		last = w;
	}
	CU_ASSERT_EQUAL(reg_rd(r.v, GMBUS3), last);
	CU_ASSERT_EQUAL(r.v->disp.gmbus_remaining, 0);

	/* A 2-byte index far out of range is clamped to the 8-bit address. */
	reg_wr(r.v, GMBUS5, (1u << 31) | 0xfff0u);
	gmbus_read_start(r.v, MON_PIN, 0x50, 0, 4);
	CU_ASSERT_EQUAL(reg_rd(r.v, GMBUS3), 0xffffffffu); /* address 0xf0.. */
	CU_ASSERT(r.v->disp.gmbus_index < 256);
	fake_teardown(&r);
}

/* ---- display core (display_core.c) and pcode mailbox (pcode.c) ---- */

#define SKL_FUSE_STATUS	 0x42000u
#define DBUF_CTL	 0x45008u
#define PWR_WELL_CTL(n)	 (0x45400u + (n) * 4u)	/* CTL1..4: BIOS, DRIVER, KVMR, DEBUG */
#define LCPLL1_CTL	 0x46010u
#define LCPLL2_CTL	 0x46014u
#define WRPLL_CTL1	 0x46040u
#define WRPLL_CTL2	 0x46060u
#define DPLL_CTRL1	 0x6c058u
#define DPLL_CTRL2	 0x6c05cu
#define DPLL_STATUS	 0x6c060u
#define PCODE_MAILBOX	 0x138124u
#define PCODE_DATA	 0x138128u
#define PCODE_DATA1	 0x13812cu
#define PCODE_READY	 (1u << 31)

static void
test_display_core_power_wells(void)
{
	struct fake_setup r;

	rig_up(&r);
	/* Fuses downloaded, PG0..2 distributed (bits 31, 27, 26, 25); read-only. */
	CU_ASSERT_EQUAL(reg_rd(r.v, SKL_FUSE_STATUS), 0x8e000000u);
	reg_wr(r.v, SKL_FUSE_STATUS, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, SKL_FUSE_STATUS), 0x8e000000u);
	for (unsigned int n = 0; n < 4; n++)
		CU_ASSERT_EQUAL(reg_rd(r.v, PWR_WELL_CTL(n)), 0);
	/* DRIVER: PW1 (idx 14) and MISC_IO (idx 0) requested -> both states on. */
	reg_wr(r.v, PWR_WELL_CTL(1), (1u << 29) | (1u << 1));
	CU_ASSERT_EQUAL(reg_rd(r.v, PWR_WELL_CTL(1)), (3u << 28) | 3u);
	/* Add PW2 (idx 15) and DDI D (idx 4). */
	reg_wr(r.v, PWR_WELL_CTL(1), reg_rd(r.v, PWR_WELL_CTL(1)) | (1u << 31) | (1u << 9));
	CU_ASSERT_EQUAL(reg_rd(r.v, PWR_WELL_CTL(1)), (0xfu << 28) | (3u << 8) | 3u);
	/* Release PW2: its state drops with the request. */
	reg_wr(r.v, PWR_WELL_CTL(1), reg_rd(r.v, PWR_WELL_CTL(1)) & ~(1u << 31));
	CU_ASSERT_EQUAL(reg_rd(r.v, PWR_WELL_CTL(1)), (3u << 28) | (3u << 8) | 3u);
	/* State bits alone and requests of wells SKL lacks (idx 5, 13) are dropped. */
	reg_wr(r.v, PWR_WELL_CTL(1), (1u << 0) | (1u << 11) | (1u << 27) | (1u << 30));
	CU_ASSERT_EQUAL(reg_rd(r.v, PWR_WELL_CTL(1)), 0);
	reg_wr(r.v, PWR_WELL_CTL(1), 0xffffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, PWR_WELL_CTL(1)), 0xf00003ffu);
	/* The BIOS requester register behaves the same way. */
	reg_wr(r.v, PWR_WELL_CTL(0), 1u << 29);
	CU_ASSERT_EQUAL(reg_rd(r.v, PWR_WELL_CTL(0)), 3u << 28);
	/* DBUF: state follows request; the state bit alone is dropped. */
	CU_ASSERT_EQUAL(reg_rd(r.v, DBUF_CTL), 0);
	reg_wr(r.v, DBUF_CTL, 1u << 31);
	CU_ASSERT_EQUAL(reg_rd(r.v, DBUF_CTL), 3u << 30);
	reg_wr(r.v, DBUF_CTL, 1u << 30);
	CU_ASSERT_EQUAL(reg_rd(r.v, DBUF_CTL), 0);
	fake_teardown(&r);
}

static void
test_display_core_dplls(void)
{
	struct fake_setup r;

	rig_up(&r);
	/* GVT-g's reset: DPLL0 on and locked, DP 1620 (rate 3 << 1 | override). */
	CU_ASSERT_EQUAL(reg_rd(r.v, LCPLL1_CTL), 3u << 30);
	CU_ASSERT_EQUAL(reg_rd(r.v, DPLL_CTRL1), 0x7u);
	CU_ASSERT_EQUAL(reg_rd(r.v, DPLL_STATUS), 1u);
	/* DDI D clocked from DPLL0 (override bit 9, CLK_OFF bit 18 clear), A/B/C/E gated. */
	CU_ASSERT_EQUAL(reg_rd(r.v, DPLL_CTRL2), 0xb8200u);
	/* Lock follows enable; only bits 31:30 exist. */
	reg_wr(r.v, LCPLL1_CTL, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, LCPLL1_CTL), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, DPLL_STATUS), 0);
	reg_wr(r.v, LCPLL1_CTL, 1u << 30);			/* lock alone: nothing */
	CU_ASSERT_EQUAL(reg_rd(r.v, LCPLL1_CTL), 0);
	reg_wr(r.v, LCPLL1_CTL, 0xffffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, LCPLL1_CTL), 3u << 30);
	/* DPLL1..3 lock bits 8, 16, 24 follow LCPLL2 / WRPLL1 / WRPLL2 enables. */
	reg_wr(r.v, LCPLL2_CTL, 1u << 31);
	CU_ASSERT_EQUAL(reg_rd(r.v, LCPLL2_CTL), 3u << 30);
	reg_wr(r.v, WRPLL_CTL1, 1u << 31);
	reg_wr(r.v, WRPLL_CTL2, 1u << 31);
	CU_ASSERT_EQUAL(reg_rd(r.v, DPLL_STATUS), 0x01010101u);
	reg_wr(r.v, WRPLL_CTL1, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, DPLL_STATUS), 0x01000101u);
	/* DPLL_STATUS is read-only. */
	reg_wr(r.v, DPLL_STATUS, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, DPLL_STATUS), 0x01000101u);
	/* DPLL_CTRL1/2 are plain storage the guest programs. */
	reg_wr(r.v, DPLL_CTRL1, 0x3fu << 6);
	CU_ASSERT_EQUAL(reg_rd(r.v, DPLL_CTRL1), 0x3fu << 6);
	fake_teardown(&r);
}

/* One mailbox command as i915's __snb_pcode_rw issues it; returns DATA. */
static uint32_t
pcode_cmd(struct vgpu *v, uint32_t mbox, uint32_t data)
{
	CU_ASSERT_FALSE(reg_rd(v, PCODE_MAILBOX) & PCODE_READY);
	reg_wr(v, PCODE_DATA, data);
	reg_wr(v, PCODE_DATA1, 0);
	reg_wr(v, PCODE_MAILBOX, PCODE_READY | mbox);
	/* Done at once: READY clear, status (bits 7:0) 0 = success. */
	CU_ASSERT_EQUAL(reg_rd(v, PCODE_MAILBOX) & (PCODE_READY | 0xffu), 0);
	return reg_rd(v, PCODE_DATA);
}

static void
test_pcode_mailbox(void)
{
	struct fake_setup r;

	rig_up(&r);
	/* GEN9_PCODE_READ_MEM_LATENCY (6): levels 0-3, then 4-7. */
	CU_ASSERT_EQUAL(pcode_cmd(r.v, 0x6, 0), 0x1e1a1100u);
	CU_ASSERT_EQUAL(pcode_cmd(r.v, 0x6, 1), 0x61514b3du);
	/* SKL_PCODE_CDCLK_CONTROL (7): PREPARE (3) answered READY_FOR_CHANGE (1). */
	CU_ASSERT_EQUAL(pcode_cmd(r.v, 0x7, 0x3), 0x1u);
	CU_ASSERT_EQUAL(pcode_cmd(r.v, 0x7, 0x2) & 0x1u, 0x1u);	/* voltage level write */
	/* GEN6_PCODE_READ_RC6VIDS (5). */
	CU_ASSERT_EQUAL(pcode_cmd(r.v, 0x5, 0x40), 0x41u);
	/* GEN9_PCODE_SAGV_CONTROL (0x21): disable (0) answered IS_DISABLED (1); enable (3) kept. */
	CU_ASSERT_EQUAL(pcode_cmd(r.v, 0x21, 0), 0x1u);
	CU_ASSERT_EQUAL(pcode_cmd(r.v, 0x21, 3), 0x3u);
	/* Other commands (min freq table 0x8) succeed, DATA untouched. */
	CU_ASSERT_EQUAL(pcode_cmd(r.v, 0x8, 0x1234), 0x1234u);
	/* Parameters (bits 23:8) stay; command/status byte and READY clear. */
	reg_wr(r.v, PCODE_MAILBOX, PCODE_READY | (0x12u << 8) | 0x9u);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCODE_MAILBOX), 0x1200u);
	/* Without READY nothing runs: value stored, DATA unchanged. */
	reg_wr(r.v, PCODE_DATA, 0);
	reg_wr(r.v, PCODE_MAILBOX, 0x6);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCODE_MAILBOX), 0x6u);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCODE_DATA), 0);
	/* All ones: command 0xff, completes, no out-of-table access. */
	reg_wr(r.v, PCODE_MAILBOX, 0xffffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, PCODE_MAILBOX), 0x7fffff00u);
	fake_teardown(&r);
}

void suite_display(void);

void
suite_display(void)
{
	static const struct test_case cases[] = {
		{ "EDID header, checksum, preferred mode", test_edid_block },
		{ "EDID small and clamped modes", test_edid_small_and_clamped },
		{ "EDID follows the vGPU's max resolution", test_display_edid_follows_config },
		{ "port presence and DDI buffers", test_display_ports },
		{ "PIPECONF state follows enable", test_display_pipeconf_state },
		{ "vblank only on enabled pipes", test_display_vblank_enabled_pipes },
		{ "vblank period from timings", test_display_period_from_timings },
		{ "surface latched on vblank", test_display_surface_latch },
		{ "GMBUS reads the whole EDID", test_gmbus_edid_read },
		{ "GMBUS NAKs absent port and other slaves", test_gmbus_nak },
		{ "GMBUS reads past the end are safe", test_gmbus_read_past_end },
		{ "GMBUS: a DP monitor answers on no pin", test_gmbus_dp_monitor_silent },
		{ "power wells, fuses and DBUF grant requests", test_display_core_power_wells },
		{ "DPLL locks follow enables, GVT reset", test_display_core_dplls },
		{ "pcode mailbox answers and completes", test_pcode_mailbox },
		{ NULL, NULL },
	};

	test_add_suite("display", cases);
}
