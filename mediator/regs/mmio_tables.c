/* SPDX-License-Identifier: MIT */
/*
 * mmio_tables.c — the explicit list of register tables, one per module
 * that emulates registers. mmio.c merges, checks and indexes them once.
 */
#include "mediator/regs/mmio_tables.h"

const struct mmio_table *const mmio_tables[] = {
	&base_mmio_table,    /* mmio_table.c: engines, forcewake, misc */
	&pvinfo_mmio_table,  /* pvinfo.c: the PV info page */
	&fence_mmio_table,   /* fence.c: per-vGPU fence registers */
	&irq_mmio_table,     /* irq.c: master/GT/display interrupt banks */
	&display_mmio_table, /* display.c: pipes, planes, DDI */
	&gmbus_mmio_table,   /* gmbus.c: GMBUS with the virtual EDID */
	&display_core_mmio_table, /* display_core.c: power wells, DBUF, DPLLs */
	&dp_aux_mmio_table,  /* dp_aux.c: DP AUX channels, DPCD, EDID */
	&pcode_mmio_table,   /* pcode.c: the pcode mailbox */
	&execlist_mmio_table, /* exec/execlist_regs.c: ELSP, CSB, status page, GDRST */
};
const unsigned int mmio_nr_tables = sizeof(mmio_tables) / sizeof(mmio_tables[0]);
