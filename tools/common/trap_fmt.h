/* SPDX-License-Identifier: MIT */
/*
 * trap_fmt.h — the trap map as xengt-ctl and xengt-script print it: rows
 * parsed from the daemon's `trap-map DOMID` reply, printed as a table
 * (or JSON), with the sim's direct-access counters when on a sim machine.
 */
#ifndef TOOLS_COMMON_TRAP_FMT_H
#define TOOLS_COMMON_TRAP_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct trap_row {
	char mech[16];	 /* pci-sbdf, ioreq-mmio, ioreq-port, p2m-wp, direct */
	uint64_t start, end;
	char what[48];
	uint64_t traps;
	bool have_sim;	 /* sim_reads/sim_writes valid (direct rows on a sim) */
	uint64_t sim_reads, sim_writes;
};

/* Parse one data line "mech=.. start=.. end=.. what=.. traps=N". 0 or -EINVAL. */
int trap_row_parse(const char *line, struct trap_row *row);

/* The readable name of a mechanism ("ioreq MMIO range"); the input if unknown. */
const char *trap_mech_label(const char *mech);

/*
 * Fill sim_reads/sim_writes of the direct rows from machine's counters for
 * domid (xensim_direct_count). machine NULL = nothing to add.
 */
void trap_rows_add_sim(struct trap_row *rows, size_t n, const char *machine,
		       uint32_t domid);

/* Print the rows as a table (prefix before every line, may be ""). */
void trap_map_print(FILE *f, const char *prefix, uint32_t domid,
		    const struct trap_row *rows, size_t n);
/* Print the rows as a JSON array of objects. */
void trap_map_print_json(FILE *f, uint32_t domid, const struct trap_row *rows,
			 size_t n);

#endif
