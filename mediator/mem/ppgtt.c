/* SPDX-License-Identifier: MIT */
/*
 * ppgtt.c — the roots of a vGPU's shadowed PPGTTs and the submission side:
 * roots announced through the PV info page (g2v PPGTT_L4/L3_CREATE and
 * DESTROY, pvinfo.c) and roots found in context images
 * (ppgtt_shadow_for_submit), kept in a hash by address without a limit of
 * their own; translating a PPGTT address for the command scanner
 * (ppgtt_gva_to_gpa); the module hooks. The tables themselves are
 * ppgtt_shadow.c's, out-of-sync leaves ppgtt_oos.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/mem/ppgtt_int.h"

/* A root's key: its page address, bit 0 set for a legacy (3-level) root. */
static uint64_t
root_key(uint64_t gpa, unsigned int levels)
{
	return gpa | (levels == 3 ? 1 : 0);
}

static struct ppgtt_root *
root_find(struct vgpu *v, uint64_t gpa, unsigned int levels)
{
	return u64_hash_get(&v->ppgtt.roots, root_key(gpa, levels));
}

/* Is gpa a root address a guest may give: levels 3 or 4, page aligned, its RAM. */
static int
root_check(struct vgpu *v, uint64_t gpa, unsigned int levels, const char *from)
{
	uint64_t dma;

	if ((levels != 3 && levels != 4) || (gpa & 0xfff)) {
		vgpu_warn_once(v, WARN_PPGTT, "bad PPGTT root 0x%" PRIx64 " (%u levels) from %s",
			       gpa, levels, from);
		return -EINVAL;
	}
	if (ggtt_gfn_dma(v, gpa >> 12, &dma)) {
		vgpu_warn_once(v, WARN_PPGTT, "PPGTT root 0x%" PRIx64 " from %s is not guest RAM",
			       gpa, from);
		return -EFAULT;
	}
	return 0;
}

static void
root_free(struct vgpu *v, struct ppgtt_root *r)
{
	u64_hash_del(&v->ppgtt.roots, root_key(r->gpa, r->levels));
	ppgtt_table_put(v, r->top);
	free(r);
}

/* A new root (checked by the caller), its whole tree shadowed. 0 or -errno. */
static int
root_new(struct vgpu *v, uint64_t gpa, unsigned int levels, unsigned int pv_refs,
	 struct ppgtt_root **out)
{
	struct ppgtt_root *r = calloc(1, sizeof(*r));
	int rc = r ? 0 : -ENOMEM;

	if (!rc)
		r->top = ppgtt_table_get(v, gpa >> 12, ppgtt_top_level(levels), &rc);
	if (!rc) {
		r->gpa = gpa;
		r->levels = levels;
		r->pv_refs = pv_refs;
		rc = u64_hash_put(&v->ppgtt.roots, root_key(gpa, levels), r);
		if (rc)
			ppgtt_table_put(v, r->top);
	}
	if (rc) {
		vgpu_warn_once(v, WARN_PPGTT, "cannot shadow PPGTT root 0x%" PRIx64 ": %d", gpa, rc);
		free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/*
 * Tables are short: drop roots seen only in context images, least
 * recently submitted first (never the one being submitted, tick now),
 * until a quarter of the budget is free.
 */
static void
roots_reclaim(struct vgpu *v)
{
	struct ppgtt_state *ps = &v->ppgtt;

	while (ps->nr_tables + ps->nr_retired > ppgtt_max_tables(v) * 3 / 4) {
		struct ppgtt_root *lru = NULL, *r;
		uint32_t pos = 0;

		while ((r = u64_hash_next(&ps->roots, &pos)))
			if (!r->pv_refs && r->last_use < ps->tick && (!lru || r->last_use < lru->last_use))
				lru = r;
		if (!lru)
			return;
		root_free(v, lru);
		ps->roots_reclaimed++;
		ppgtt_reap(v);
	}
}

int
ppgtt_create_root(struct vgpu *v, uint64_t root_gpa, unsigned int levels)
{
	struct ppgtt_root *r;
	int rc = root_check(v, root_gpa, levels, "g2v notify");

	if (rc)
		return rc;
	/*
	 * Counted: legacy PPGTTs may share a page directory (i915 points the
	 * PDPs it does not use at one scratch directory), and a root first
	 * found in a context image is kept from its announcement on.
	 */
	r = root_find(v, root_gpa, levels);
	if (r) {
		r->pv_refs++;
		return 0;
	}
	return root_new(v, root_gpa, levels, 1, &r);
}

int
ppgtt_destroy_root(struct vgpu *v, uint64_t root_gpa, unsigned int levels)
{
	struct ppgtt_root *r = (levels == 3 || levels == 4) ? root_find(v, root_gpa, levels) : NULL;

	if (!r) {
		vgpu_warn_once(v, WARN_PPGTT, "destroy of unknown PPGTT root 0x%" PRIx64, root_gpa);
		return -ENOENT;
	}
	if (r->pv_refs > 1) {
		r->pv_refs--;
		return 0;
	}
	/*
	 * The shadow goes once the last announcement is withdrawn, even if a
	 * context still names it (the guest let go of the root); pages
	 * the hypervisor refuses to unprotect stay tracked, detached, and are
	 * retried (page_track.c); shadow pages the GPU may still walk stay
	 * until it is done.
	 */
	root_free(v, r);
	return 0;
}

int
ppgtt_shadow_for_submit(struct vgpu *v, uint64_t root, unsigned int levels, uint64_t *shadow)
{
	struct ppgtt_state *ps = &v->ppgtt;
	struct ppgtt_root *r;
	int rc = root_check(v, root, levels, "a context image");

	if (rc) {
		ps->bad_entries++;
		return -EINVAL;
	}
	ppgtt_reap(v);
	ps->tick++;
	r = root_find(v, root, levels);
	if (!r) {
		roots_reclaim(v);
		rc = root_new(v, root, levels, 0, &r);
		if (rc)
			return rc == -EFAULT || rc == -EBUSY ? -EINVAL : rc;
	}
	r->last_use = ps->tick;
	ppgtt_oos_sync_all(v);
	if (!v->hv_ops->wp_gfn && ppgtt_resync_tree(v, r->top) < 0)
		return -EINVAL;
	if (!r->top->sh.va)
		return -EOPNOTSUPP;
	*shadow = r->top->sh.maddr[0];
	return 0;
}

/* ---- translation ---- */

/* Index of gva at a table of level (1 PT .. 4 PML4). */
static unsigned int
va_index(uint64_t gva, unsigned int level)
{
	return (unsigned int)(gva >> (12 + 9 * (level - 1))) & (PPGTT_ENTRIES - 1);
}

/*
 * Through the shadow's view (what the GPU walks): the guest entries as
 * the shadow last took them, a refused entry as not present.
 */
static int
walk_shadow(struct vgpu *v, const struct ppgtt_table *t, uint64_t gva, uint64_t *gpa)
{
	for (;;) {
		unsigned int i = va_index(gva, t->level);
		uint64_t e = t->gent[i], dma;

		if (!(e & PPGTT_PRESENT))
			return -EFAULT;
		if (t->level > 1) {
			t = t->child[i];
			if (!t)
				return -EFAULT;
			continue;
		}
		if (t->sh.va ? !((const uint64_t *)t->sh.va)[i] : !!ppgtt_entry_check(v, 1, e, &dma))
			return -EFAULT;
		*gpa = (e & PPGTT_ADDR_MASK) | (gva & 0xfff);
		return 0;
	}
}

/* Through guest memory (a root not shadowed): every entry checked on the way. */
static int
walk_guest(struct vgpu *v, uint64_t table, unsigned int level, uint64_t gva, uint64_t *gpa)
{
	for (;;) {
		uint64_t e = 0, dma;

		if (v->hv_ops->read_gpa(v->hv, table + 8 * va_index(gva, level), &e, 8))
			return -EFAULT;
		if (!(e & PPGTT_PRESENT) || ppgtt_entry_check(v, level, e, &dma))
			return -EFAULT;
		if (level == 1) {
			*gpa = (e & PPGTT_ADDR_MASK) | (gva & 0xfff);
			return 0;
		}
		table = e & PPGTT_ADDR_MASK;
		level--;
	}
}

int
ppgtt_gva_to_gpa(struct vgpu *v, uint64_t root, unsigned int levels, uint64_t gva,
		 uint64_t *gpa)
{
	struct ppgtt_root *r;
	uint64_t dma;

	if ((levels != 3 && levels != 4) || (root & 0xfff))
		return -EFAULT;
	if (gva >> (levels == 4 ? 48 : 32))
		return -EFAULT;
	r = root_find(v, root, levels);
	if (r)
		return walk_shadow(v, r->top, gva, gpa);
	if (ggtt_gfn_dma(v, root >> 12, &dma))
		return -EFAULT;
	return walk_guest(v, root, ppgtt_top_level(levels), gva, gpa);
}

/* ---- for tests and tools ---- */

static int
top_entry(struct vgpu *v, uint64_t root_gpa, unsigned int idx, uint64_t *entry, bool shadow)
{
	struct ppgtt_root *r = root_find(v, root_gpa, 4);

	if (!r)
		return -ENOENT;
	if (idx >= PPGTT_ENTRIES)
		return -EINVAL;
	if (!shadow)
		*entry = r->top->gent[idx];
	else
		*entry = r->top->sh.va ? ((const uint64_t *)r->top->sh.va)[idx] : 0;
	return 0;
}

int
ppgtt_shadow_entry(struct vgpu *v, uint64_t root_gpa, unsigned int idx, uint64_t *entry)
{
	return top_entry(v, root_gpa, idx, entry, true);
}

int
ppgtt_guest_entry(struct vgpu *v, uint64_t root_gpa, unsigned int idx, uint64_t *entry)
{
	return top_entry(v, root_gpa, idx, entry, false);
}

unsigned int
ppgtt_nr_tables(const struct vgpu *v)
{
	return v->ppgtt.nr_tables;
}

/* ---- module hooks ---- */

static void
roots_drop_all(struct vgpu *v)
{
	struct ppgtt_root *r;

	while (v->ppgtt.roots.n) {
		uint32_t pos = 0;

		r = u64_hash_next(&v->ppgtt.roots, &pos);
		root_free(v, r);
	}
}

/* Teardown: the GPU runs nothing of v any more (exec's modules went first). */
void
ppgtt_fini(struct vgpu *v)
{
	roots_drop_all(v);
	ppgtt_reap_all(v);
	u64_hash_free(&v->ppgtt.roots);
}

/* A device reset: the guest's page tables are gone with its driver. */
void
ppgtt_reset(struct vgpu *v, uint32_t domains)
{
	if (domains == VGPU_RESET_ALL)
		roots_drop_all(v);
}

void
ppgtt_stats(struct vgpu *v, struct vgpu_stats *out)
{
	const struct ppgtt_state *ps = &v->ppgtt;

	out->ppgtt_tables = ps->nr_tables;
	out->ppgtt_bad = ps->bad_entries + ps->no_room;
	out->ppgtt_oos = ps->oos_marks;
	out->ppgtt_oos_syncs = ps->oos_syncs;
	out->ppgtt_resyncs = ps->resync_tables;
}
