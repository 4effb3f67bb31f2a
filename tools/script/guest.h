/* SPDX-License-Identifier: MIT */
/*
 * guest.h — one scripted guest: its vCPU on the sim, its vGPU's PCI
 * address, the script variables and counters. Shared by bars.c (BAR
 * placement as hvmloader does it) and run.c (statement execution).
 */
#ifndef TOOLS_SCRIPT_GUEST_H
#define TOOLS_SCRIPT_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/common/script.h"
#include "sim/xensim.h"
#include "tools/common/expr.h"

struct guest {
	struct sim_vcpu *vcpu;
	const char *machine;
	uint32_t domid;
	uint16_t seg;
	uint8_t bus, dev, fn;	/* the vGPU's SBDF */
	const char *prefix;	/* "" or "[dN] " before every line */
	const char *file;	/* script path, for error messages */
	bool verbose;
	struct expr_vars vars;	/* bar0, bar2, bar4, domid, set NAMEs */
	uint64_t last;		/* the last value read */
	bool have_last;
	uint64_t mark[ROUTE_NR]; /* route counters at the last `mark` */
	unsigned int expects;	/* expects passed */
};

/*
 * A config cycle to the vGPU through the CF8 latch and CFC data ports, the
 * way a guest does it (PCI Local Bus spec 3.0, 3.2.2.3.2). reg < 256.
 * Returns 0 or -errno from the sim.
 */
int guest_cfg_read(struct guest *g, unsigned int reg, unsigned int size, uint32_t *val);
int guest_cfg_write(struct guest *g, unsigned int reg, unsigned int size, uint32_t val);

/*
 * Size the vGPU's BARs and place them as hvmloader does, then enable
 * decoding; sets $bar0/$bar2/$bar4. Returns 0 or -errno (message printed).
 */
int guest_place_bars(struct guest *g);

/* Run every statement; 0 when all passed, -1 at the first failure (printed). */
int guest_run(struct guest *g, const struct script *s);

#endif
