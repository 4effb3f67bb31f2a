/* SPDX-License-Identifier: MIT */
/*
 * ppgtt.h — shadowing of the guest's per-process GTTs (ppgtt*.c): every
 * level of each guest PPGTT is walked, each table page write-protected
 * (page_track.c) and mirrored by a shadow table in GPU-reachable host
 * memory whose entries hold machine addresses; trapped writes keep the
 * shadow in sync, frequently written leaf tables go out of sync and are
 * resynced before the next submission. The submission side of it
 * (ppgtt_shadow_for_submit, ppgtt_gva_to_gpa) is in mediator/exec/exec.h.
 *
 * Roots come from the PV info page (g2v PPGTT_L4/L3_CREATE, pvinfo.c) and
 * from context images (ppgtt_shadow_for_submit). A root is a PML4 page
 * (4 levels) or, for legacy 32-bit contexts, the page directory one PDP
 * register names (3 levels: the PDP level is the four registers).
 *
 * Limits, per vGPU: PPGTT_MAX_TABLES shadow tables (tables a guest has
 * dropped but the GPU may still walk count until reaped); roots have no
 * limit of their own. Roots seen only in context images are dropped,
 * least recently submitted first, when the tables run short.
 */
#ifndef MEDIATOR_MEM_PPGTT_H
#define MEDIATOR_MEM_PPGTT_H

#include <stdbool.h>
#include <stdint.h>

#include "mediator/mem/u64_hash.h"

struct vgpu;
struct vgpu_stats;
struct ppgtt_table;

/* gen8 PPGTT entries (i915 gt/gen8_ppgtt.c, GVT-g gtt.c). */
#define PPGTT_ENTRIES		512
#define PPGTT_PRESENT		(1ull << 0)
#define PPGTT_PS		(1ull << 7)	/* PDE: 2 MiB page; PDPE: 1 GiB page; PML4E: reserved */
#define PPGTT_IPS		(1ull << 11)	/* PDE: its PT maps 64 KiB pages (gen9) */
#define PPGTT_ADDR_MASK		0x00003ffffffff000ull	/* bits 45:12 */
#define PPGTT_RSVD_MASK		0xffffc00000000000ull	/* bits 63:46: must be 0 */
#define PPGTT_FLAGS_MASK	0xfffull	/* carried into the shadow entry */

/* Shadow tables per vGPU at most (64 MiB of GPU memory). */
#define PPGTT_MAX_TABLES	16384
/*
 * Out of sync: a leaf table (PT) trapping PPGTT_OOS_THRESHOLD writes
 * since it was last in sync (a populate, not a single bind) is
 * unprotected; at most PPGTT_MAX_OOS at a time per vGPU, each resynced
 * (re-read, re-protected) by the next ppgtt_shadow_for_submit.
 */
#define PPGTT_OOS_THRESHOLD	4
#define PPGTT_MAX_OOS		64

struct ppgtt_state {
	struct u64_hash roots;		/* root key -> struct ppgtt_root */
	unsigned int nr_tables;		/* live shadow tables */
	unsigned int nr_retired;	/* dropped ones the GPU may still walk */
	struct ppgtt_table *retired;	/* ... their list */
	struct ppgtt_table *oos;	/* out-of-sync leaves */
	unsigned int nr_oos;
	uint64_t tick;			/* submissions, for the roots' LRU */
	unsigned int max_tables;	/* 0: PPGTT_MAX_TABLES (tests lower it) */
	bool oos_off;			/* never out of sync (benches compare) */
	/* Counters (plain data). */
	uint64_t bad_entries;		/* guest entries refused (not-present shadow) */
	uint64_t no_room;		/* tables refused: PPGTT_MAX_TABLES */
	uint64_t oos_marks, oos_syncs;	/* leaves gone out of sync, resyncs */
	uint64_t oos_entries;		/* entries changed found by resyncs */
	uint64_t resync_tables;		/* resync mode: table pages re-read */
	uint64_t resync_entries;	/* ... entries found changed */
	uint64_t roots_reclaimed;	/* context roots dropped for room */
};

/*
 * g2v notifications (pvinfo.c). levels 4: root_gpa is a PML4; 3: a page
 * directory. Counted: each create takes a reference, each destroy drops
 * one (-ENOENT if none), the last one drops the shadow.
 */
int ppgtt_create_root(struct vgpu *v, uint64_t root_gpa, unsigned int levels);
int ppgtt_destroy_root(struct vgpu *v, uint64_t root_gpa, unsigned int levels);

/*
 * For tests and xengt-ctl: entry idx of the top table of root (4 levels),
 * as shadowed (machine address + flags, 0 = not present) or as the guest
 * last wrote it. -ENOENT if that root is not shadowed.
 */
int ppgtt_shadow_entry(struct vgpu *v, uint64_t root_gpa, unsigned int idx, uint64_t *entry);
int ppgtt_guest_entry(struct vgpu *v, uint64_t root_gpa, unsigned int idx, uint64_t *entry);
/* Shadow tables of v now (live). */
unsigned int ppgtt_nr_tables(const struct vgpu *v);

/* Module hooks (modules.c): teardown, a device reset, counters. */
void ppgtt_fini(struct vgpu *v);
void ppgtt_reset(struct vgpu *v, uint32_t domains);
void ppgtt_stats(struct vgpu *v, struct vgpu_stats *out);

#endif
