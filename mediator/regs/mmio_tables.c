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
	&gt_pm_mmio_table,   /* gt_pm_table.c: RPS and RC6 */
	&gt_wa_mmio_table,   /* gt_wa_table.c: GT workaround/chicken registers, whitelist */
	&mocs_mmio_table,    /* mocs_table.c: MOCS and L3 cache control tables */
	&guc_mmio_table,     /* guc_table.c: GuC status (held in reset), WOPCM */
	&display_misc_mmio_table, /* display_misc.c: display chicken/arbiter/clock gating,
				   * VGA, scratch, panel power, audio, color */
	&planes_mmio_table,  /* planes.c: cursors, sprite planes, watermarks, scalers */
};
const unsigned int mmio_nr_tables = sizeof(mmio_tables) / sizeof(mmio_tables[0]);
