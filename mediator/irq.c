/* SPDX-License-Identifier: MIT */
/*
 * irq.c — virtual interrupt registers and MSI delivery.
 * PLACEHOLDER: being written; the table is empty until then.
 */
#include "vgpu_int.h"
#include "mmio_tables.h"

static const struct mmio_reg irq_regs[] = {
	{ .off = 0, .size = 0 },
};
const struct mmio_table irq_mmio_table = { "irq", irq_regs, 0 };

int irq_init(struct vgpu *v) { (void)v; return 0; }
void irq_fini(struct vgpu *v) { (void)v; }
void irq_raise(struct vgpu *v, enum irq_event ev) { v->irq.raised[ev]++; }
void irq_update(struct vgpu *v) { (void)v; }
