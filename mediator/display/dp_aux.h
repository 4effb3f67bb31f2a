/* SPDX-License-Identifier: MIT */
/*
 * dp_aux.h — the DisplayPort AUX channels of DDI A-D (dp_aux.c): the
 * virtual monitor's DPCD (native AUX) and its EDID over I2C-over-AUX.
 */
#ifndef MEDIATOR_DP_AUX_H
#define MEDIATOR_DP_AUX_H

#include <stdint.h>

struct vgpu;

/* DPCD addresses 0x000..0x7ff are backed (receiver caps up to SET_POWER). */
#define DP_AUX_DPCD_SIZE 0x800u

struct dp_aux_state {
	uint8_t dpcd[DP_AUX_DPCD_SIZE];	/* the monitor's DPCD */
	uint8_t i2c_offset;		/* DDC EEPROM address for the next I2C read */
	uint64_t transactions;		/* AUX transactions completed (any outcome) */
};

/* Load the DP 1.2 sink's DPCD and reset the I2C state (display_init). */
void dp_aux_init(struct vgpu *v);

#endif
