/* SPDX-License-Identifier: MIT */
/*
 * fence.c — fence registers mapped to the vGPU's physical fence slots.
 * PLACEHOLDER: being written; the table is empty until then.
 */
#include "vgpu_int.h"
#include "mmio_tables.h"

static const struct mmio_reg fence_regs[] = {
	{ .off = 0, .size = 0 },
};
const struct mmio_table fence_mmio_table = { "fence", fence_regs, 0 };
