/* SPDX-License-Identifier: MIT */
/*
 * mmio_tables.h — every module's register table, and the list of them.
 */
#ifndef MEDIATOR_MMIO_TABLES_H
#define MEDIATOR_MMIO_TABLES_H

#include "mediator/regs/mmio.h"

extern const struct mmio_table base_mmio_table;
extern const struct mmio_table pvinfo_mmio_table;
extern const struct mmio_table fence_mmio_table;
extern const struct mmio_table irq_mmio_table;
extern const struct mmio_table display_mmio_table;
extern const struct mmio_table gmbus_mmio_table;
extern const struct mmio_table display_core_mmio_table;
extern const struct mmio_table dp_aux_mmio_table;
extern const struct mmio_table pcode_mmio_table;
extern const struct mmio_table execlist_mmio_table;
extern const struct mmio_table gt_pm_mmio_table;
extern const struct mmio_table gt_wa_mmio_table;
extern const struct mmio_table mocs_mmio_table;
extern const struct mmio_table guc_mmio_table;
extern const struct mmio_table display_misc_mmio_table;
extern const struct mmio_table planes_mmio_table;

extern const struct mmio_table *const mmio_tables[];
extern const unsigned int mmio_nr_tables;

#endif
