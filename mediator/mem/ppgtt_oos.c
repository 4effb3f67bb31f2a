/* SPDX-License-Identifier: MIT */
/*
 * ppgtt_oos.c — out-of-sync leaf tables. A guest filling a page table
 * (binding an object: hundreds of PTEs in a row) would trap once per PTE;
 * after PPGTT_OOS_THRESHOLD trapped writes since it was last in sync, a
 * leaf is unprotected and its writes go straight to guest memory. Before
 * the next submission (ppgtt_shadow_for_submit) every such leaf is
 * protected again, re-read and compared with what its shadow last saw;
 * each changed entry is validated and shadowed as a trapped write would
 * have been. Only a page whose only table is a leaf goes out of sync (a
 * higher table on the same page must see every write; making one syncs
 * the leaf first), and at most PPGTT_MAX_OOS at a time.
 *
 * Resync mode: where the hypervisor cannot write-protect (hv wp_gfn NULL,
 * QEMU's proxy) no write ever traps, so every table a submission's root
 * reaches is re-read before it, top-down (a changed upper entry makes or
 * drops a subtree before its tables are visited), each once per tick.
 */
#include <errno.h>
#include <stdlib.h>

#include "mediator/mem/ppgtt_int.h"

static bool
leaf_only(const struct ppgtt_table *t)
{
	const struct ppgtt_gfn *pg = t->pg;

	return t->level == 1 && !pg->t[1] && !pg->t[2] && !pg->t[3];
}

void
ppgtt_oos_note_write(struct vgpu *v, struct ppgtt_table *t)
{
	struct ppgtt_state *ps = &v->ppgtt;

	if (t->oos || ++t->writes < PPGTT_OOS_THRESHOLD || ps->nr_oos >= PPGTT_MAX_OOS || ps->oos_off ||
	    !leaf_only(t) || t->pg->tp->releasing)
		return;
	if (page_track_protect(v, t->pg->tp, false))
		return;	/* stays in sync, trapping */
	t->oos = true;
	t->next = ps->oos;
	ps->oos = t;
	ps->nr_oos++;
	ps->oos_marks++;
}

void
ppgtt_oos_forget(struct vgpu *v, struct ppgtt_table *t)
{
	struct ppgtt_state *ps = &v->ppgtt;

	for (struct ppgtt_table **p = &ps->oos; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			t->next = NULL;
			t->oos = false;
			ps->nr_oos--;
			return;
		}
}

int
ppgtt_oos_sync(struct vgpu *v, struct ppgtt_table *t)
{
	uint64_t *buf;
	int rc;

	if (!t->oos)
		return 0;
	buf = malloc(EXEC_PAGE);
	if (!buf)
		return -ENOMEM;
	/* Protected again first, then read: no write can fall in between. */
	rc = page_track_protect(v, t->pg->tp, true);
	if (!rc)
		ppgtt_oos_forget(v, t);
	if (v->hv_ops->read_gpa(v->hv, t->gfn << 12, buf, EXEC_PAGE) == 0) {
		for (unsigned int i = 0; i < PPGTT_ENTRIES; i++)
			if (buf[i] != t->gent[i]) {
				ppgtt_entry_set(v, t, i, buf[i]);
				v->ppgtt.oos_entries++;
			}
	} else if (!rc) {
		rc = -EFAULT;
	}
	t->writes = 0;
	v->ppgtt.oos_syncs++;
	free(buf);
	return rc;
}

void
ppgtt_oos_sync_all(struct vgpu *v)
{
	struct ppgtt_table *t = v->ppgtt.oos, *next;

	/* A leaf that cannot be protected again stays listed, resynced each time. */
	for (; t; t = next) {
		next = t->next;
		ppgtt_oos_sync(v, t);
	}
}

static int
resync_table(struct vgpu *v, struct ppgtt_table *t, uint64_t *buf)
{
	struct ppgtt_state *ps = &v->ppgtt;
	int rc = 0;

	if (t->synced == ps->tick)
		return 0;
	t->synced = ps->tick;
	if (v->hv_ops->read_gpa(v->hv, t->gfn << 12, buf, EXEC_PAGE) < 0)
		return -EFAULT;
	ps->resync_tables++;
	for (unsigned int i = 0; i < PPGTT_ENTRIES; i++)
		if (buf[i] != t->gent[i]) {
			ppgtt_entry_set(v, t, i, buf[i]);
			ps->resync_entries++;
		}
	for (unsigned int i = 0; t->level > 1 && i < PPGTT_ENTRIES && !rc; i++)
		if (t->child[i])
			rc = resync_table(v, t->child[i], buf);
	return rc;
}

int
ppgtt_resync_tree(struct vgpu *v, struct ppgtt_table *top)
{
	uint64_t *buf = malloc(EXEC_PAGE);
	int rc;

	if (!buf)
		return -ENOMEM;
	rc = resync_table(v, top, buf);
	free(buf);
	return rc;
}
