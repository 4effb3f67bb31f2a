/* SPDX-License-Identifier: MIT */
/*
 * display.h — virtual display (display.c, gmbus.c, edid.c): pipes,
 * planes, DDI/port presence, GMBUS with a virtual monitor's EDID, and a
 * vblank timer per enabled pipe.
 */
#ifndef MEDIATOR_DISPLAY_H
#define MEDIATOR_DISPLAY_H

#include <stdint.h>

struct vgpu;

struct display_state {
	uint64_t next_vblank_ns;	/* 0: no pipe enabled */
	uint64_t vblank_period_ns;
	unsigned int gmbus_index;	/* byte position in the EDID being read */
	unsigned int gmbus_remaining;	/* bytes left in the current GMBUS read */
	uint8_t edid[128];
};

int display_init(struct vgpu *v);
void display_fini(struct vgpu *v);
/* Fire vblanks that are due; returns ns until the next one (lock held). */
uint64_t display_tick(struct vgpu *v, uint64_t now_ns);

#endif
