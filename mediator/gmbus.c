/* SPDX-License-Identifier: MIT */
/*
 * gmbus.c — GMBUS: reading the virtual monitor's EDID.
 * PLACEHOLDER: being written; the table is empty until then.
 */
#include "vgpu_int.h"
#include "mmio_tables.h"

static const struct mmio_reg gmbus_regs[] = {
	{ .off = 0, .size = 0 },
};
const struct mmio_table gmbus_mmio_table = { "gmbus", gmbus_regs, 0 };
