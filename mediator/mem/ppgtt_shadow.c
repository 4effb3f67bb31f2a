/* SPDX-License-Identifier: MIT */
/*
 * ppgtt_shadow.c — the shadow tables of the guest's PPGTTs: one per guest
 * table page and level, refcounted by the entries (and roots) naming it,
 * made by protecting the page, reading it and walking every entry, and
 * kept in sync entry by entry (trapped writes, resyncs). Every guest entry
 * is validated before it reaches a shadow (present, reserved bits, size
 * bits, the frame is the guest's RAM and not one of its BARs); a refused
 * one is not present in the shadow, counted, and logged once. A table no
 * entry names any more goes, and its page is unprotected once no table
 * lives on it; its shadow page is kept until no workload of the vGPU may
 * still walk it (docs/execution.md, exec.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/mem/ppgtt_int.h"

static const char *const level_name[4] = { "PPGTT PT", "PPGTT PD", "PPGTT PDP", "PPGTT PML4" };

/* ---- when the GPU may still walk a shadow page ---- */

/*
 * Work of v the GPU may be running or about to run (exec.h): a workload
 * on an engine queue that runs or has its shadow built, or submissions
 * not yet accounted as completed or failed.
 */
static bool
gpu_may_walk(const struct vgpu *v)
{
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		const struct exec_engine_state *es = &v->exec.eng[e];

		if (es->submitted > es->completed + es->failed)
			return true;
		for (const struct workload *w = es->queue; w; w = w->next)
			if (w->state == WL_RUNNING || w->shadow_ctx.va)
				return true;
	}
	return false;
}

static void
table_free(struct vgpu *v, struct ppgtt_table *t)
{
	host_obj_free(v->gpu, &t->sh);
	free(t);
}

void
ppgtt_reap_all(struct vgpu *v)
{
	struct ppgtt_state *ps = &v->ppgtt;

	while (ps->retired) {
		struct ppgtt_table *t = ps->retired;

		ps->retired = t->next;
		ps->nr_retired--;
		table_free(v, t);
	}
}

void
ppgtt_reap(struct vgpu *v)
{
	if (v->ppgtt.retired && !gpu_may_walk(v))
		ppgtt_reap_all(v);
}

/* A table nothing names any more: its shadow page goes now or once the GPU is done. */
static void
table_retire(struct vgpu *v, struct ppgtt_table *t)
{
	free(t->gent);
	free(t->child);
	t->gent = NULL;
	t->child = NULL;
	if (!t->sh.va || !gpu_may_walk(v)) {
		table_free(v, t);
		return;
	}
	t->next = v->ppgtt.retired;
	v->ppgtt.retired = t;
	v->ppgtt.nr_retired++;
}

/* ---- entries ---- */

const char *
ppgtt_entry_check(struct vgpu *v, unsigned int level, uint64_t e, uint64_t *dma)
{
	if (e & PPGTT_RSVD_MASK)
		return "reserved bits 63:46 set";
	if (level == 4 && (e & PPGTT_PS))
		return "reserved bit 7 set in a PML4 entry";
	if (level == 3 && (e & PPGTT_PS))
		return "1 GiB page (not supported)";
	if (level == 2 && (e & PPGTT_PS))
		return "2 MiB page (not supported)";
	if (level == 2 && (e & PPGTT_IPS))
		return "64 KiB pages (not supported)";
	if (ggtt_gfn_dma(v, (e & PPGTT_ADDR_MASK) >> 12, dma))
		return "frame not its RAM";
	return NULL;
}

static void
entry_refused(struct vgpu *v, const struct ppgtt_table *t, unsigned int i, uint64_t e,
	      const char *why)
{
	v->ppgtt.bad_entries++;
	vgpu_warn_once(v, WARN_PPGTT_ENTRY,
		       "PPGTT level %u table at gfn 0x%" PRIx64 " entry %u = 0x%016" PRIx64
		       " refused: %s (not present in the shadow)",
		       t->level, t->gfn, i, e, why);
}

void
ppgtt_entry_set(struct vgpu *v, struct ppgtt_table *t, unsigned int i, uint64_t val)
{
	struct ppgtt_table *old = t->child ? t->child[i] : NULL, *nc = NULL;
	uint64_t sh = 0, dma = 0;

	t->gent[i] = val;
	if (val & PPGTT_PRESENT) {
		const char *why = ppgtt_entry_check(v, t->level, val, &dma);

		if (!why && t->level > 1) {
			int err = 0;

			nc = ppgtt_table_get(v, (val & PPGTT_ADDR_MASK) >> 12, t->level - 1, &err);
			if (!nc)
				why = err == -ENOSPC ? "no room for its table" :
							"its table cannot be tracked";
		}
		if (why)
			entry_refused(v, t, i, val, why);
		else if (t->level == 1)
			sh = dma | (val & PPGTT_FLAGS_MASK);
		else if (nc->sh.va)
			sh = nc->sh.maddr[0] | (val & PPGTT_FLAGS_MASK);
	}
	/* One store the GPU sees whole: it may be walking this table now. */
	if (t->sh.va)
		__atomic_store_n(&((uint64_t *)t->sh.va)[i], sh, __ATOMIC_RELEASE);
	if (t->child)
		t->child[i] = nc;
	if (old)
		ppgtt_table_put(v, old);
}

/* ---- trapped writes ---- */

/*
 * A trapped write to a page holding tables: page_track.c hands over whole
 * aligned entries once the guest's page has them. Each table on the page
 * takes the new value at its level (the highest first: it may drop the
 * lower ones).
 */
static void
ppgtt_on_write(struct vgpu *v, struct tracked_page *tp, unsigned int off, unsigned int size,
	       uint64_t old, uint64_t new)
{
	struct ppgtt_gfn *pg = tp->priv;

	(void)old;	/* the tables keep what they last saw */
	if (size != 8 || (off & 7) || off >= 4096)
		return;
	ppgtt_reap(v);
	for (unsigned int l = 4; l >= 1; l--) {
		struct ppgtt_table *t = pg->t[l - 1];

		if (!t)
			continue;
		ppgtt_entry_set(v, t, off / 8, new);
		if (l == 1)
			ppgtt_oos_note_write(v, t);
	}
}

/* The trap-map label of a page: its highest table. */
static void
label(struct ppgtt_gfn *pg)
{
	for (int l = 4; l >= 1; l--)
		if (pg->t[l - 1]) {
			pg->tp->what = level_name[l - 1];
			return;
		}
}

/* ---- tables ---- */

static struct ppgtt_table *
table_new(struct vgpu *v, uint64_t gfn, unsigned int level, int *err)
{
	struct ppgtt_table *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		goto nomem;
	t->gfn = gfn;
	t->level = level;
	t->gent = calloc(PPGTT_ENTRIES, sizeof(*t->gent));
	if (level > 1)
		t->child = calloc(PPGTT_ENTRIES, sizeof(*t->child));
	if (!t->gent || (level > 1 && !t->child))
		goto nomem;
	/* A backend without GPU memory: the guest's tables are still followed. */
	rc = host_obj_alloc(v->gpu, 1, false, &t->sh);
	if (rc && rc != -EOPNOTSUPP) {
		*err = rc;
		goto fail;
	}
	return t;
nomem:
	*err = -ENOMEM;
fail:
	if (t) {
		free(t->gent);
		free(t->child);
		free(t);
	}
	return NULL;
}

/* The tables on gfn, if the page is PPGTT's (NULL: untracked; *other: someone else's). */
static struct ppgtt_gfn *
gfn_tables(struct vgpu *v, uint64_t gfn, bool *other)
{
	struct tracked_page *tp = page_track_find(v, gfn);

	*other = tp && tp->on_write != ppgtt_on_write && !tp->releasing;
	return tp && tp->on_write == ppgtt_on_write ? tp->priv : NULL;
}

struct ppgtt_table *
ppgtt_table_get(struct vgpu *v, uint64_t gfn, unsigned int level, int *err)
{
	struct ppgtt_state *ps = &v->ppgtt;
	struct ppgtt_table *t;
	struct ppgtt_gfn *pg;
	uint64_t *buf;
	bool other;
	int rc;

	pg = gfn_tables(v, gfn, &other);
	if (other) {
		*err = -EBUSY;
		return NULL;
	}
	if (pg && pg->t[level - 1]) {
		pg->t[level - 1]->refs++;
		return pg->t[level - 1];
	}
	if (ps->nr_tables + ps->nr_retired >= ppgtt_max_tables(v))
		ppgtt_reap(v);
	if (ps->nr_tables + ps->nr_retired >= ppgtt_max_tables(v)) {
		ps->no_room++;
		*err = -ENOSPC;
		return NULL;
	}
	buf = malloc(EXEC_PAGE);
	t = buf ? table_new(v, gfn, level, err) : NULL;
	if (!buf)
		*err = -ENOMEM;
	if (!t) {
		free(buf);
		return NULL;
	}
	if (!pg) {
		/*
		 * Protect first, then read: from the protection on, every guest
		 * write traps to us (and waits for v->lock, held here), so the
		 * read below sees every write before it and on_write every one
		 * after. The other order loses a write landing in between.
		 */
		pg = calloc(1, sizeof(*pg));
		rc = pg ? page_track_add(v, gfn, ppgtt_on_write, pg) : -ENOMEM;
		if (rc) {
			free(pg);
			goto fail;
		}
		pg->tp = page_track_find(v, gfn);
	} else if (pg->tp->unprotected && v->hv_ops->wp_gfn) {
		/* Its leaf is out of sync; a table at this level needs the page protected. */
		rc = ppgtt_oos_sync(v, pg->t[0]);
		if (rc)
			goto fail;
	}
	pg->t[level - 1] = t;
	t->pg = pg;
	t->refs = 1;
	t->synced = ps->tick;	/* read in full just below */
	ps->nr_tables++;
	label(pg);
	rc = v->hv_ops->read_gpa(v->hv, gfn << 12, buf, EXEC_PAGE);
	if (rc < 0) {
		*err = rc;
		ppgtt_table_put(v, t);	/* undoes all of the above */
		free(buf);
		return NULL;
	}
	for (unsigned int i = 0; i < PPGTT_ENTRIES; i++)
		if (buf[i])
			ppgtt_entry_set(v, t, i, buf[i]);
	free(buf);
	return t;
fail:
	/* Never named by anything, never seen by the GPU. */
	*err = rc;
	free(t->gent);
	free(t->child);
	table_free(v, t);
	free(buf);
	return NULL;
}

void
ppgtt_table_put(struct vgpu *v, struct ppgtt_table *t)
{
	struct ppgtt_gfn *pg = t->pg;
	bool empty = true;

	if (--t->refs)
		return;
	for (unsigned int i = 0; t->child && i < PPGTT_ENTRIES; i++) {
		struct ppgtt_table *c = t->child[i];

		if (c) {
			t->child[i] = NULL;
			ppgtt_table_put(v, c);
		}
	}
	if (t->oos)
		ppgtt_oos_forget(v, t);
	pg->t[t->level - 1] = NULL;
	v->ppgtt.nr_tables--;
	for (int l = 0; l < 4; l++)
		empty &= !pg->t[l];
	if (empty) {
		/* Not a page table any more: unprotected (a refusal is kept and retried). */
		page_track_remove(v, t->gfn);
		free(pg);
	} else {
		label(pg);
	}
	table_retire(v, t);
}
