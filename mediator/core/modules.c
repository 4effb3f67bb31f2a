/* SPDX-License-Identifier: MIT */
/*
 * modules.c — the table of a vGPU's modules: what each one sets up and
 * tears down, and the optional hooks through which vgpu.c reaches it
 * (register reset values, tick, reset, trap-map rows, counters). A new
 * part of the vGPU (execution, its scheduler, the PPGTT shadow) plugs in
 * here with a row, not with calls by name from vgpu.c.
 */
#include "mediator/core/vgpu_int.h"

/*
 * Set-up order, explicit. Torn down in reverse: tracked pages first, then
 * BAR claims and the aperture mapping (cfg_space), so the guest can no
 * longer reach the GM before ggtt_fini clears its entries. reset_regs:
 * the module's register reset values, the same for every vGPU; run once,
 * in this order, on the template of the register reset image (vreg.c),
 * never per vGPU: init must not write registers.
 */
const struct vgpu_module vgpu_modules[] = {
	{ .name = "mmio", .init = mmio_init, .fini = mmio_fini, .reset_regs = mmio_reset_regs },
	{ .name = "pvinfo", .reset_regs = pvinfo_reset_regs },
	{ .name = "ggtt", .init = ggtt_init, .fini = ggtt_fini },
	{ .name = "irq", .init = irq_init, .fini = irq_fini },
	{ .name = "display", .init = display_init, .fini = display_fini,
	  .reset_regs = display_reset_regs, .tick = display_tick },
	/* Before cfg_space: ASLS writes publish it; torn down after the BARs. */
	{ .name = "opregion", .init = opregion_init, .fini = opregion_fini,
	  .reset = opregion_reset, .trap_rows = opregion_trap_rows, .stats = opregion_stats },
	{ .name = "cfg_space", .init = cfg_space_init, .fini = cfg_space_fini,
	  .trap_rows = cfg_space_trap_rows, .stats = cfg_space_stats },
	{ .name = "execlist", .init = execlist_init, .fini = execlist_fini,
	  .reset = execlist_reset, .stats = execlist_stats },
	/* No init: struct vgpu comes zeroed from vgpu_zalloc (no tracked pages). */
	{ .name = "page_track", .fini = page_track_fini,
	  .trap_rows = page_track_trap_rows, .stats = page_track_stats },
	/*
	 * After page_track: its tables' pages are released before
	 * page_track_fini. Before any execution row: torn down after them,
	 * once the GPU runs nothing of the vGPU (ppgtt_fini frees every
	 * shadow page at once).
	 */
	{ .name = "ppgtt", .fini = ppgtt_fini, .reset = ppgtt_reset, .stats = ppgtt_stats },
	/* The command scanner's tables, checked once: no vGPU over a broken table. */
	{ .name = "cmd_scan", .init = cmd_scan_init },
};
const size_t vgpu_nr_modules = sizeof(vgpu_modules) / sizeof(vgpu_modules[0]);
