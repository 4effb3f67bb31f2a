/* SPDX-License-Identifier: MIT */
/*
 * ppgtt_int.h — what the PPGTT shadow's files share (ppgtt.c roots and
 * submission, ppgtt_shadow.c tables, ppgtt_oos.c out-of-sync leaves,
 * ppgtt_walk.c translation). Nothing outside mediator/mem/ppgtt*.c.
 */
#ifndef MEDIATOR_MEM_PPGTT_INT_H
#define MEDIATOR_MEM_PPGTT_INT_H

#include "mediator/core/vgpu_int.h"
#include "mediator/mem/ppgtt.h"

struct ppgtt_gfn;

/*
 * The shadow of one guest table page at one level (1 PT ... 4 PML4). A
 * page may be a table at several levels (a hostile guest's choice): one
 * shadow per (gfn, level), all reached from the page's ppgtt_gfn.
 */
struct ppgtt_table {
	uint64_t gfn;
	unsigned int level;
	unsigned int refs;		/* parent entries and roots naming it */
	struct host_obj sh;		/* its shadow page; sh.va NULL: no GPU memory */
	uint64_t *gent;			/* the guest's entries as last seen */
	struct ppgtt_table **child;	/* level > 1: the table each entry names */
	struct ppgtt_gfn *pg;
	unsigned int writes;		/* trapped writes since last in sync (leaves) */
	bool oos;			/* unprotected, resynced at the next submission */
	uint64_t synced;		/* resync mode: ppgtt_state.tick of its last re-read */
	struct ppgtt_table *next;	/* on the oos or the retired list */
};

/* A guest page holding tables: the tracked page's owner data. */
struct ppgtt_gfn {
	struct tracked_page *tp;
	struct ppgtt_table *t[4];	/* by level - 1 */
};

struct ppgtt_root {
	uint64_t gpa;
	unsigned int levels;		/* 4, or 3 (legacy: a page directory) */
	struct ppgtt_table *top;
	unsigned int pv_refs;		/* g2v creates not yet destroyed (0: from a context only) */
	uint64_t last_use;		/* ppgtt_state.tick of its last submission */
};

/* The vGPU's table budget. */
static inline unsigned int
ppgtt_max_tables(const struct vgpu *v)
{
	return v->ppgtt.max_tables ? v->ppgtt.max_tables : PPGTT_MAX_TABLES;
}

/* Level of a root's top table. */
static inline unsigned int
ppgtt_top_level(unsigned int levels)
{
	return levels == 4 ? 4 : 2;
}

/* ---- ppgtt_shadow.c ---- */
/*
 * The table for (gfn, level), made (protected, read, walked) if new, with
 * one more reference. NULL + *err: -EFAULT (not its RAM), -ENOSPC (no
 * room), -ENOMEM, or the hypervisor's -errno.
 */
struct ppgtt_table *ppgtt_table_get(struct vgpu *v, uint64_t gfn, unsigned int level, int *err);
/* Drop a reference; the last one destroys t and what only it named. */
void ppgtt_table_put(struct vgpu *v, struct ppgtt_table *t);
/* Entry i of t is now val (guest value): validate, translate, shadow. */
void ppgtt_entry_set(struct vgpu *v, struct ppgtt_table *t, unsigned int i, uint64_t val);
/* Validate a guest entry for a table of level; NULL if good, else why not. */
const char *ppgtt_entry_check(struct vgpu *v, unsigned int level, uint64_t e, uint64_t *dma);
/* Free the shadow pages of dropped tables once no workload of v may walk them. */
void ppgtt_reap(struct vgpu *v);
/* Free every dropped table now (teardown: the GPU runs nothing of v). */
void ppgtt_reap_all(struct vgpu *v);

/* ---- ppgtt_oos.c ---- */
/* A trapped write to leaf t: count it, maybe take t out of sync. */
void ppgtt_oos_note_write(struct vgpu *v, struct ppgtt_table *t);
/* Bring t back in sync (re-read and re-protect it). 0 or -errno (still out of sync). */
int ppgtt_oos_sync(struct vgpu *v, struct ppgtt_table *t);
/* Every out-of-sync leaf of v (before a submission). */
void ppgtt_oos_sync_all(struct vgpu *v);
/* t is going away: off the out-of-sync list. */
void ppgtt_oos_forget(struct vgpu *v, struct ppgtt_table *t);
/*
 * Resync mode (a hypervisor without write-protection): re-read every
 * table under top, top-down, once per submission tick; each changed entry
 * validated and shadowed as a trapped write would be. 0, or -EFAULT if a
 * table page is no longer readable guest RAM.
 */
int ppgtt_resync_tree(struct vgpu *v, struct ppgtt_table *top);

#endif
