/* SPDX-License-Identifier: MIT */
/*
 * display.c — the vGPU's virtual display engine: transcoders A-C and eDP
 * (timings, M/N values, CRC and infoframe control), pipes A-C (PIPECONF,
 * scanline, frame/flip counters, pipe misc), primary planes (surface
 * latched on vblank; the other planes are planes.c's), DDI ports
 * (presence, buffer control and translations, DP transport), PCH hotplug
 * control, and the vblank timer that raises each enabled pipe's vblank
 * interrupt. Nothing reaches the physical GPU.
 */
#include <stddef.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"
#include "mediator/display/edid.h"

/* Per-pipe/transcoder stride (i915 _MMIO_PIPE2 / _MMIO_TRANS2 on SKL). */
#define PIPE_STRIDE 0x1000u

/* Transcoder timings (display/intel_display_regs.h: _TRANS_HTOTAL_A ...). */
#define HTOTAL_A   0x60000u
#define HBLANK_A   0x60004u
#define HSYNC_A	   0x60008u
#define VTOTAL_A   0x6000cu
#define VBLANK_A   0x60010u
#define VSYNC_A	   0x60014u
#define PIPESRC_A  0x6001cu
/*
 * The rest of a transcoder's registers a modeset writes (i915_reg.h):
 * vsync shift, pixel multiplier, the data and link M/N values (M1/N1;
 * M2/N2 for DRRS), CRC control, the video DIP (infoframe) control, DDI
 * function control and the MSA misc field. Plain values.
 */
#define VSYNCSHIFT_A	 0x60028u
#define PIPE_MULT_A	 0x6002cu
#define PIPEA_DATA_M1	 0x60030u	/* DATA_M1, N1, M2, N2, LINK_M1, N1, M2, N2 */
#define PIPEA_M_N_DWORDS 8
#define PIPE_CRC_CTL_A	 0x60050u
#define VIDEO_DIP_CTL_A	 0x60200u
#define TRANS_DDI_FUNC_CTL_A 0x60400u
#define TRANS_MSA_MISC_A 0x60410u
/* The eDP transcoder's registers sit at pipe "index" 0xf (0x6f000, 0x7f008). */
#define TRANSCODER_EDP	 0xfu

/* DDI buffer control, one per port A..E (_DDI_BUF_CTL_A + port * 0x100). */
#define DDI_BUF_CTL_A		  0x64000u
#define DDI_BUF_CTL_STRIDE	  0x100u
#define DDI_BUF_CTL_ENABLE	  (1u << 31)
#define DDI_BUF_IS_IDLE		  (1u << 7)
/*
 * DP transport control and status of each DDI (i915_reg.h _DP_TP_CTL_A
 * 0x64040, _DP_TP_STATUS_A 0x64044, same stride): with the idle pattern
 * selected on an enabled transport, the port reports idle done at once
 * (intel_ddi.c waits for it on every DP modeset).
 */
#define DP_TP_CTL_A		  0x64040u
#define DP_TP_STATUS_A		  0x64044u
#define DP_TP_CTL_ENABLE	  (1u << 31)
#define DP_TP_CTL_LINK_TRAIN_MASK (7u << 8)
#define DP_TP_CTL_LINK_TRAIN_IDLE (2u << 8)
#define DP_TP_STATUS_IDLE_DONE	  (1u << 25)
#define DDI_INIT_DISPLAY_DETECTED (1u << 0)
/*
 * DDI buffer translations: 10 entries (LO/HI dword pairs) per port at
 * _DDI_BUF_TRANS_A + port * 0x60; the guest loads its voltage swing and
 * pre-emphasis table at every port enable (intel_ddi_buf_trans.c).
 */
#define DDI_BUF_TRANS_A		  0x64e00u
#define DDI_BUF_TRANS_STRIDE	  0x60u
#define DDI_BUF_TRANS_BYTES	  (10u * 8u)

/* Pipe registers (_PIPEADSL, _TRANSACONF, _PIPEA_FRMCOUNT_G4X ...). */
#define PIPEDSL_A	 0x70000u
#define PIPECONF_A	 0x70008u
#define PIPECONF_ENABLE	 (1u << 31)
#define PIPECONF_STATE	 (1u << 30) /* i965+: pipe actually running */
#define PIPE_MISC_A	 0x70030u	/* dithering, colour format */
#define SKL_BOTTOM_COLOR_A 0x70034u
#define PIPE_FRMCOUNT_A	 0x70040u
#define PIPE_FLIPCOUNT_A 0x70044u

/* Primary plane (_DSPACNTR ... / SKL PLANE_*_1_A at the same offsets). */
#define DSPCNTR_A     0x70180u
#define DSPSTRIDE_A   0x70188u
#define DSPPOS_A      0x7018cu
#define DSPSIZE_A     0x70190u
#define DSPSURF_A     0x7019cu
#define DSPOFFSET_A   0x701a4u
#define DSPSURFLIVE_A 0x701acu

/* South display fuse straps: which DDIs exist (SFUSE_STRAP_DDI*_DETECTED). */
#define SFUSE_STRAP		 0xc2014u
#define SFUSE_STRAP_DDIB_DETECTED (1u << 2)
#define SFUSE_STRAP_DDIC_DETECTED (1u << 1)
#define SFUSE_STRAP_DDID_DETECTED (1u << 0)

/*
 * PCH hotplug control (SHOTPLUG_CTL, SHOTPLUG_CTL2 for port E): enables
 * and pulse durations are plain, the long/short pulse status of each
 * port (2 bits) is write 1 to clear. The monitor is there from the start
 * and never replugged, so no status bit is ever set.
 */
#define PCH_PORT_HOTPLUG	0xc4030u
#define PCH_PORT_HOTPLUG_STATUS	0x03030303u	/* ports A (25:24), D, C, B */
#define PCH_PORT_HOTPLUG2	0xc403cu
#define PCH_PORT_HOTPLUG2_STATUS 0x3u		/* port E */

/* PCH hotplug live status: SDEISR bit per port (SDE_PORT*_HOTPLUG_CPT). */
#define SDEISR			0xc4000u
#define SDE_PORTB_HOTPLUG_CPT	(1u << 21)
#define SDE_PORTC_HOTPLUG_CPT	(1u << 22)
#define SDE_PORTD_HOTPLUG_CPT	(1u << 23)

/* Live status and fuse strap of the monitor's port, D. */
#define MONITOR_SDE_HOTPLUG	SDE_PORTD_HOTPLUG_CPT
#define MONITOR_SFUSE_DETECTED	SFUSE_STRAP_DDID_DETECTED
_Static_assert(DISPLAY_MONITOR_PORT == 3, "SFUSE/SDEISR bits above are port D's");

/* Vblank periods outside 24..240 Hz are treated as insane timings. */
#define VBLANK_MIN_NS (1000000000ull / 240)
#define VBLANK_MAX_NS (1000000000ull / 24)

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const enum irq_event display_vblank_event[DISPLAY_NR_PIPES] = {
	EV_PIPE_A_VBLANK, EV_PIPE_B_VBLANK, EV_PIPE_C_VBLANK,
};

/* A pipe's copy of a register given pipe A's offset (usable in tables). */
#define pipe_reg(reg_a, pipe) ((uint32_t)((reg_a) + (pipe) * PIPE_STRIDE))

static unsigned int
pipe_of(uint32_t off)
{
	return (off >> 12) & 0xf; /* 0x6p000 / 0x7p000 */
}

static bool
display_pipe_on(const struct vgpu *v, unsigned int pipe)
{
	return vreg_get(v, pipe_reg(PIPECONF_A, pipe)) & PIPECONF_ENABLE;
}

bool
display_pipe_enabled(const struct vgpu *v, unsigned int pipe)
{
	return pipe < DISPLAY_NR_PIPES && display_pipe_on(v, pipe);
}

/*
 * Make the primary plane's live surface the programmed one (a completed
 * flip, counted); the pipe's other planes latch with it (planes.c).
 */
static void
display_latch_surface(struct vgpu *v, unsigned int pipe)
{
	uint32_t surf = vreg_get(v, pipe_reg(DSPSURF_A, pipe));
	uint32_t live = pipe_reg(DSPSURFLIVE_A, pipe);

	planes_latch(v, pipe);
	if (vreg_get(v, live) != surf) {
		vreg_set(v, live, surf);
		vreg_set(v, pipe_reg(PIPE_FLIPCOUNT_A, pipe),
			 vreg_get(v, pipe_reg(PIPE_FLIPCOUNT_A, pipe)) + 1);
	}
}

/*
 * Frame period of a pipe from its programmed H/V totals at the virtual
 * monitor's pixel clock (that of its preferred mode, so the preferred
 * mode runs at its ~60 Hz); the default when the timings are not sane.
 */
static uint64_t
display_period_ns(const struct vgpu *v, unsigned int pipe)
{
	uint32_t ht = vreg_get(v, pipe_reg(HTOTAL_A, pipe));
	uint32_t vt = vreg_get(v, pipe_reg(VTOTAL_A, pipe));
	uint64_t hactive = (ht & 0x1fff) + 1, htotal = ((ht >> 16) & 0x1fff) + 1;
	uint64_t vactive = (vt & 0x1fff) + 1, vtotal = ((vt >> 16) & 0x1fff) + 1;
	uint64_t clk = v->disp.edid_pixclk_khz, ns;

	if (!ht || !vt || !clk || htotal < hactive || vtotal < vactive ||
	    hactive < 64 || vactive < 64)
		return DISPLAY_DEFAULT_PERIOD_NS;
	ns = htotal * vtotal * 1000000ull / clk;
	if (ns < VBLANK_MIN_NS || ns > VBLANK_MAX_NS)
		return DISPLAY_DEFAULT_PERIOD_NS;
	return ns;
}

/* One vblank on one enabled pipe. */
static void
display_vblank(struct vgpu *v, unsigned int pipe)
{
	uint32_t fc = pipe_reg(PIPE_FRMCOUNT_A, pipe);

	vreg_set(v, fc, vreg_get(v, fc) + 1);
	display_latch_surface(v, pipe);
	v->stats.vblanks++;
	irq_raise(v, display_vblank_event[pipe]);
}

uint64_t
display_tick(struct vgpu *v, uint64_t now_ns)
{
	struct display_state *d = &v->disp;
	int first = -1;

	for (unsigned int p = 0; p < DISPLAY_NR_PIPES; p++)
		if (display_pipe_on(v, p) && first < 0)
			first = (int)p;
	/*
	 * No pipe on: no timer at all. Only a guest write to PIPECONF can
	 * change that, and the vGPU's thread asks again after every request,
	 * which arms the timer below at once.
	 */
	if (first < 0) {
		d->next_vblank_ns = 0;
		return VGPU_TICK_NONE;
	}
	if (d->next_vblank_ns == 0) {	/* a pipe just came on: arm */
		d->vblank_period_ns = display_period_ns(v, (unsigned int)first);
		d->next_vblank_ns = now_ns + d->vblank_period_ns;
		return d->vblank_period_ns;
	}
	if (now_ns < d->next_vblank_ns)
		return d->next_vblank_ns - now_ns;

	for (unsigned int p = 0; p < DISPLAY_NR_PIPES; p++)
		if (display_pipe_on(v, p))
			display_vblank(v, p);
	/* Missed frames are not replayed: one vblank per tick at most. */
	d->vblank_period_ns = display_period_ns(v, (unsigned int)first);
	d->next_vblank_ns += d->vblank_period_ns;
	if (d->next_vblank_ns <= now_ns)
		d->next_vblank_ns = now_ns + d->vblank_period_ns;
	return d->next_vblank_ns - now_ns;
}

/* ---- register handlers ---- */

static int
display_pipeconf_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	unsigned int pipe = pipe_of(off);

	/* The state bit follows the enable bit at once: no PLL to wait for. */
	val &= ~PIPECONF_STATE;
	if (val & PIPECONF_ENABLE)
		val |= PIPECONF_STATE;
	vreg_set(v, off, val);
	if (!(val & PIPECONF_ENABLE) && pipe < DISPLAY_NR_PIPES)
		display_latch_surface(v, pipe);
	return 0;
}

/* Scanline: advances on every read of a running pipe so "moving" checks pass. */
static int
display_pipedsl_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	unsigned int pipe = pipe_of(off);
	uint32_t vt, vtotal;

	if (pipe >= DISPLAY_NR_PIPES || !display_pipe_on(v, pipe)) {
		*val = 0;
		return 0;
	}
	vt = vreg_get(v, pipe_reg(VTOTAL_A, pipe));
	vtotal = ((vt >> 16) & 0x1fff) + 1;
	*val = (vreg_get(v, off) + 1) % vtotal;
	vreg_set(v, off, *val);
	return 0;
}

static int
display_dspsurf_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	unsigned int pipe = pipe_of(off);

	vreg_set(v, off, val);
	/* A stopped pipe has no vblank to wait for: the write takes effect now. */
	if (pipe < DISPLAY_NR_PIPES && !display_pipe_on(v, pipe))
		display_latch_surface(v, pipe);
	return 0;
}

static int
display_ddi_buf_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint32_t old = vreg_get(v, off);

	val = (val & ~(DDI_BUF_IS_IDLE | DDI_INIT_DISPLAY_DETECTED)) |
	      (old & DDI_INIT_DISPLAY_DETECTED);
	if (!(val & DDI_BUF_CTL_ENABLE))
		val |= DDI_BUF_IS_IDLE;
	vreg_set(v, off, val);
	return 0;
}

static int
display_dp_tp_ctl_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint32_t status = off - DP_TP_CTL_A + DP_TP_STATUS_A;
	bool idle = (val & DP_TP_CTL_ENABLE) &&
		    (val & DP_TP_CTL_LINK_TRAIN_MASK) == DP_TP_CTL_LINK_TRAIN_IDLE;

	vreg_set(v, off, val);
	vreg_set(v, status, (vreg_get(v, status) & ~DP_TP_STATUS_IDLE_DONE) |
				    (idle ? DP_TP_STATUS_IDLE_DONE : 0));
	return 0;
}

/* The rows of one pipe's transcoder timings. */
#define TIMING_ROWS(p, P)                                                                  \
	{ .off = pipe_reg(HTOTAL_A, p), .name = "HTOTAL_" P, .size = 4, .flags = MF_VIRT }, \
	{ .off = pipe_reg(HBLANK_A, p), .name = "HBLANK_" P, .size = 4, .flags = MF_VIRT }, \
	{ .off = pipe_reg(HSYNC_A, p), .name = "HSYNC_" P, .size = 4, .flags = MF_VIRT },   \
	{ .off = pipe_reg(VTOTAL_A, p), .name = "VTOTAL_" P, .size = 4, .flags = MF_VIRT }, \
	{ .off = pipe_reg(VBLANK_A, p), .name = "VBLANK_" P, .size = 4, .flags = MF_VIRT }, \
	{ .off = pipe_reg(VSYNC_A, p), .name = "VSYNC_" P, .size = 4, .flags = MF_VIRT },   \
	{ .off = pipe_reg(PIPESRC_A, p), .name = "PIPESRC_" P, .size = 4, .flags = MF_VIRT }, \
	{ .off = pipe_reg(VSYNCSHIFT_A, p), .name = "VSYNCSHIFT_" P, .size = 4,            \
	  .flags = MF_VIRT },                                                             \
	{ .off = pipe_reg(PIPE_MULT_A, p), .name = "PIPE_MULT_" P, .size = 4,              \
	  .flags = MF_VIRT },                                                             \
	{ .off = pipe_reg(PIPEA_DATA_M1, p), .name = "PIPE_DATA_LINK_M_N_" P,              \
	  .size = PIPEA_M_N_DWORDS * 4, .flags = MF_VIRT },                               \
	{ .off = pipe_reg(PIPE_CRC_CTL_A, p), .name = "PIPE_CRC_CTL_" P, .size = 4,        \
	  .flags = MF_VIRT },                                                             \
	{ .off = pipe_reg(VIDEO_DIP_CTL_A, p), .name = "VIDEO_DIP_CTL_" P, .size = 4,      \
	  .flags = MF_VIRT },                                                             \
	{ .off = pipe_reg(TRANS_DDI_FUNC_CTL_A, p), .name = "TRANS_DDI_FUNC_CTL_" P,      \
	  .size = 4, .flags = MF_VIRT },                                                  \
	{ .off = pipe_reg(TRANS_MSA_MISC_A, p), .name = "TRANS_MSA_MISC_" P, .size = 4,    \
	  .flags = MF_VIRT }

/* A transcoder's PIPECONF (TRANSCONF): the state bit follows the enable bit. */
#define PIPECONF_ROW(p, P)                                                                \
	{ .off = pipe_reg(PIPECONF_A, p), .name = "PIPECONF_" P, .size = 4,               \
	  .flags = MF_VIRT, .ro_mask = PIPECONF_STATE, .write = display_pipeconf_write }

/* The rows of one pipe and its primary plane. */
#define PIPE_ROWS(p, P)                                                                   \
	{ .off = pipe_reg(PIPEDSL_A, p), .name = "PIPEDSL_" P, .size = 4,                 \
	  .flags = MF_VIRT | MF_RO, .ro_mask = ~0u, .read = display_pipedsl_read },       \
	PIPECONF_ROW(p, P),                                                               \
	{ .off = pipe_reg(PIPE_MISC_A, p), .name = "PIPE_MISC_" P, .size = 4,              \
	  .flags = MF_VIRT },                                                             \
	{ .off = pipe_reg(SKL_BOTTOM_COLOR_A, p), .name = "SKL_BOTTOM_COLOR_" P, .size = 4, \
	  .flags = MF_VIRT },                                                             \
	{ .off = pipe_reg(PIPE_FRMCOUNT_A, p), .name = "PIPE_FRMCOUNT_" P, .size = 4,     \
	  .flags = MF_VIRT | MF_RO | MF_NOLOG, .ro_mask = ~0u },                          \
	{ .off = pipe_reg(PIPE_FLIPCOUNT_A, p), .name = "PIPE_FLIPCOUNT_" P, .size = 4,   \
	  .flags = MF_VIRT | MF_RO | MF_NOLOG, .ro_mask = ~0u },                          \
	{ .off = pipe_reg(DSPCNTR_A, p), .name = "DSPCNTR_" P, .size = 4, .flags = MF_VIRT }, \
	{ .off = pipe_reg(DSPSTRIDE_A, p), .name = "DSPSTRIDE_" P, .size = 4,             \
	  .flags = MF_VIRT },                                                             \
	{ .off = pipe_reg(DSPPOS_A, p), .name = "DSPPOS_" P, .size = 4, .flags = MF_VIRT }, \
	{ .off = pipe_reg(DSPSIZE_A, p), .name = "DSPSIZE_" P, .size = 4, .flags = MF_VIRT }, \
	{ .off = pipe_reg(DSPSURF_A, p), .name = "DSPSURF_" P, .size = 4,                 \
	  .flags = MF_VIRT, .write = display_dspsurf_write },                             \
	{ .off = pipe_reg(DSPOFFSET_A, p), .name = "DSPOFFSET_" P, .size = 4,             \
	  .flags = MF_VIRT },                                                             \
	{ .off = pipe_reg(DSPSURFLIVE_A, p), .name = "DSPSURFLIVE_" P, .size = 4,         \
	  .flags = MF_VIRT | MF_RO, .ro_mask = ~0u }

#define DDI_ROW(port, P, rst)                                                        \
	{ .off = DDI_BUF_CTL_A + (port) * DDI_BUF_CTL_STRIDE, .name = "DDI_BUF_CTL_" P, \
	  .size = 4, .flags = MF_VIRT, .reset = (rst), .write = display_ddi_buf_write }, \
	{ .off = DP_TP_CTL_A + (port) * DDI_BUF_CTL_STRIDE, .name = "DP_TP_CTL_" P,    \
	  .size = 4, .flags = MF_VIRT, .write = display_dp_tp_ctl_write },              \
	{ .off = DP_TP_STATUS_A + (port) * DDI_BUF_CTL_STRIDE, .name = "DP_TP_STATUS_" P, \
	  .size = 4, .flags = MF_VIRT | MF_RO, .ro_mask = ~0u }

#define DDI_BUF_TRANS_ROW(port, P)                                                   \
	{ .off = DDI_BUF_TRANS_A + (port) * DDI_BUF_TRANS_STRIDE,                      \
	  .name = "DDI_BUF_TRANS_" P, .size = DDI_BUF_TRANS_BYTES, .flags = MF_VIRT }

static const struct mmio_reg display_regs[] = {
	TIMING_ROWS(0, "A"),
	TIMING_ROWS(1, "B"),
	TIMING_ROWS(2, "C"),
	/* Port A (eDP) has no panel; ports B-E exist, the monitor is on D. */
	DDI_ROW(0, "A", DDI_BUF_IS_IDLE),
	DDI_ROW(1, "B", DDI_BUF_IS_IDLE),
	DDI_ROW(2, "C", DDI_BUF_IS_IDLE),
	DDI_ROW(3, "D", DDI_BUF_IS_IDLE),
	DDI_ROW(4, "E", DDI_BUF_IS_IDLE),
	DDI_BUF_TRANS_ROW(0, "A"),
	DDI_BUF_TRANS_ROW(1, "B"),
	DDI_BUF_TRANS_ROW(2, "C"),
	DDI_BUF_TRANS_ROW(3, "D"),
	DDI_BUF_TRANS_ROW(4, "E"),
	TIMING_ROWS(TRANSCODER_EDP, "EDP"),
	PIPE_ROWS(0, "A"),
	PIPE_ROWS(1, "B"),
	PIPE_ROWS(2, "C"),
	PIPECONF_ROW(TRANSCODER_EDP, "EDP"),
	{ REG(SFUSE_STRAP), .size = 4, .flags = MF_VIRT | MF_RO, .ro_mask = ~0u,
	  .reset = MONITOR_SFUSE_DETECTED },
	{ REG(PCH_PORT_HOTPLUG), .size = 4, .flags = MF_VIRT,
	  .w1c_mask = PCH_PORT_HOTPLUG_STATUS },
	{ REG(PCH_PORT_HOTPLUG2), .size = 4, .flags = MF_VIRT,
	  .w1c_mask = PCH_PORT_HOTPLUG2_STATUS },
};
const struct mmio_table display_mmio_table = { "display", display_regs,
					       NELEM(display_regs) };

/* Register reset values beyond the rows' (reset image, vreg.c). */
void
display_reset_regs(struct vgpu *t)
{
	/* Live hotplug status of the port the monitor is plugged into. */
	vreg_set(t, SDEISR, vreg_get(t, SDEISR) | MONITOR_SDE_HOTPLUG);
}

int
display_init(struct vgpu *v)
{
	struct display_state *d = &v->disp;
	unsigned int w = v->cfg.max_w ? v->cfg.max_w : 1920;
	unsigned int h = v->cfg.max_h ? v->cfg.max_h : 1200;

	d->next_vblank_ns = 0;
	d->vblank_period_ns = DISPLAY_DEFAULT_PERIOD_NS;
	d->edid_pixclk_khz = edid_build(d->edid, w, h);
	dp_aux_init(v);
	gmbus_init(v);
	return 0;
}

void
display_fini(struct vgpu *v)
{
	v->disp.next_vblank_ns = 0;
}
