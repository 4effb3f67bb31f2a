/* SPDX-License-Identifier: MIT */
/*
 * display.h — virtual display (display.c, display_core.c, dp_aux.c,
 * gmbus.c, edid.c): pipes, planes, DDI/port presence, power wells and
 * DPLLs, DP AUX and GMBUS with a virtual monitor's DPCD/EDID, and a
 * vblank timer per enabled pipe.
 */
#ifndef MEDIATOR_DISPLAY_H
#define MEDIATOR_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "mediator/display/dp_aux.h"

struct vgpu;

#define DISPLAY_NR_PIPES 3
#define DISPLAY_EDID_SIZE 128
/* Default vblank period when the programmed timings are not usable (60 Hz). */
#define DISPLAY_DEFAULT_PERIOD_NS 16666667ull

/*
 * The virtual monitor sits on DDI D, where GVT-g puts it on Skylake
 * (gvt/display.c): live in SFUSE_STRAP and SDEISR. A DisplayPort sink by
 * default (vGPU spec monitor=dp): DPCD and EDID over AUX channel D
 * (dp_aux.c), nothing on the HDMI DDC pins. With monitor=hdmi it answers
 * on port D's DDC pin pair, GMBUS pin 6 (GMBUS_PIN_DPD), and AUX D has no
 * sink. Only one of the two: with no VBT i915 gives each of DDI B-D a DP
 * and an HDMI connector, and a port whose both connectors report a
 * monitor cannot be lit (one encoder per port).
 */
#define DISPLAY_MONITOR_PORT 3
#define DISPLAY_MONITOR_GMBUS_PIN 6

struct display_state {
	uint64_t next_vblank_ns;	/* 0: no pipe enabled */
	uint64_t vblank_period_ns;
	unsigned int gmbus_index;	/* byte position in the EDID being read */
	unsigned int gmbus_remaining;	/* bytes left in the current GMBUS read */
	uint8_t edid[128];
	/* gmbus.c */
	uint32_t gmbus_cycle;		/* GMBUS1 of the cycle in progress */
	bool gmbus_monitor;		/* the selected pin reaches the monitor */
	bool gmbus_reading;		/* a read of the EDID slave is in progress */
	uint32_t edid_pixclk_khz;	/* pixel clock of the EDID preferred mode */
	struct dp_aux_state aux;	/* dp_aux.c: the monitor's DPCD, I2C state */
};

int display_init(struct vgpu *v);
/* Register reset values of the display beyond its rows' (the reset image's template). */
void display_reset_regs(struct vgpu *t);
void display_fini(struct vgpu *v);
/*
 * Fire vblanks that are due; returns ns until the next one, or
 * VGPU_TICK_NONE (vgpu.h) while no pipe is enabled (lock held).
 */
uint64_t display_tick(struct vgpu *v, uint64_t now_ns);

/* Is the pipe (0..DISPLAY_NR_PIPES-1) enabled (PIPECONF bit 31)? */
bool display_pipe_enabled(const struct vgpu *v, unsigned int pipe);
/*
 * planes.c: the pipe's cursor and planes 2-3 take their programmed
 * surfaces as live ones (the pipe's vblank, or the pipe stopping).
 */
void planes_latch(struct vgpu *v, unsigned int pipe);

/* gmbus.c: back to idle with nothing selected (GMBUS0 writes, SW_CLR_INT). */
void gmbus_reset(struct vgpu *v);
/* gmbus.c: idle state of a new vGPU (display_init); its registers start at their resets. */
void gmbus_init(struct vgpu *v);

#endif
