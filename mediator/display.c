/* SPDX-License-Identifier: MIT */
/*
 * display.c — virtual pipes, planes, DDI and the vblank timer.
 * PLACEHOLDER: being written; the table is empty until then.
 */
#include "vgpu_int.h"
#include "mmio_tables.h"

static const struct mmio_reg display_regs[] = {
	{ .off = 0, .size = 0 },
};
const struct mmio_table display_mmio_table = { "display", display_regs, 0 };

int display_init(struct vgpu *v) { (void)v; return 0; }
void display_fini(struct vgpu *v) { (void)v; }
uint64_t display_tick(struct vgpu *v, uint64_t now_ns) { (void)v; (void)now_ns; return 16666667; }
