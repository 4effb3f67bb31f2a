/* SPDX-License-Identifier: MIT */
/*
 * page_track.c — guest pages whose writes trap (write-protected through
 * hv wp_gfn): bookkeeping in a hash by gfn, and completing a trapped
 * write. The owner of a page (ppgtt*.c) sees each affected 8-byte entry's
 * old and new value once the write has landed in guest memory, which we
 * always complete, because Xen never performs a write to a
 * p2m_ioreq_server page (XEN-IOREQ-NOTES.md section 4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"

struct tracked_page *
page_track_find(struct vgpu *v, uint64_t gfn)
{
	return u64_hash_get(&v->pt.pages, gfn);
}

size_t
page_track_count(const struct vgpu *v)
{
	return v->pt.pages.n;
}

int
page_track_add(struct vgpu *v, uint64_t gfn, page_write_fn *fn, void *priv)
{
	struct page_track *pt = &v->pt;
	struct tracked_page *tp = page_track_find(v, gfn);
	int rc;

	if (tp && tp->releasing) {
		/* Still protected from a refused release: take it over. */
		tp->releasing = false;
		tp->on_write = fn;
		tp->priv = priv;
		tp->what = NULL;
		return 0;
	}
	if (tp)
		return -EEXIST;
	if (pt->pages.n >= PT_MAX_PAGES) {
		vgpu_warn_once(v, WARN_PAGE_WRITE, "more than %u tracked pages: gfn %#llx refused",
			       PT_MAX_PAGES, (unsigned long long)gfn);
		return -ENOSPC;
	}
	tp = calloc(1, sizeof(*tp));
	if (!tp)
		return -ENOMEM;
	tp->gfn = gfn;
	tp->on_write = fn;
	tp->priv = priv;
	/* Room first: after the protection nothing may fail. */
	rc = u64_hash_put(&pt->pages, gfn, tp);
	if (rc) {
		free(tp);
		return rc;
	}
	if (!v->hv_ops->wp_gfn) {
		/* No write-protection here: tracked for lookups, never trapping. */
		tp->unprotected = true;
		return 0;
	}
	rc = v->hv_ops->wp_gfn(v->hv, gfn, true);
	if (rc < 0) {
		/* A guest can retry at will: log once, count all. */
		pt->wp_failed++;
		vgpu_warn_once(v, WARN_PPGTT, "write-protecting gfn %#llx failed: %d",
			       (unsigned long long)gfn, rc);
		u64_hash_del(&pt->pages, gfn);
		free(tp);
		return rc;
	}
	return 0;
}

int
page_track_protect(struct vgpu *v, struct tracked_page *tp, bool on)
{
	int rc;

	if (tp->unprotected != on)
		return 0;
	if (!v->hv_ops->wp_gfn)
		return -EOPNOTSUPP;
	rc = v->hv_ops->wp_gfn(v->hv, tp->gfn, on);
	if (rc < 0) {
		if (on)
			v->pt.wp_failed++;
		else
			v->pt.release_failed++;
		vgpu_warn_once(v, on ? WARN_PPGTT : WARN_HV_RELEASE, "%s gfn %#llx failed: %d",
			       on ? "write-protecting" : "unprotecting",
			       (unsigned long long)tp->gfn, rc);
		return rc;
	}
	tp->unprotected = !on;
	return 0;
}

/*
 * Unprotect tp and forget it. If the hypervisor refuses, the page is
 * still write-protected: forgetting it would leave a trapping page nobody
 * completes writes for, and hide the failure. So it stays, detached from
 * its owner (whose state may be gone) and marked releasing; the release
 * is retried later. Logged once per vGPU (a guest can drive remove/create
 * cycles), every attempt counted. A page whose protection its owner
 * already lifted needs no hypervisor call.
 */
static int
untrack(struct vgpu *v, struct tracked_page *tp)
{
	int rc = tp->unprotected ? 0 : v->hv_ops->wp_gfn(v->hv, tp->gfn, false);

	if (rc < 0) {
		v->pt.release_failed++;
		vgpu_warn_once(v, WARN_HV_RELEASE, "unprotecting gfn %#llx failed: %d (kept, retried)",
			       (unsigned long long)tp->gfn, rc);
		tp->on_write = NULL;
		tp->priv = NULL;
		tp->what = NULL;
		tp->releasing = true;
		return rc;
	}
	u64_hash_del(&v->pt.pages, tp->gfn);
	free(tp);
	return 0;
}

int
page_track_remove(struct vgpu *v, uint64_t gfn)
{
	struct tracked_page *tp = page_track_find(v, gfn);

	if (!tp)
		return -ENOENT;
	return untrack(v, tp);
}

/*
 * A trapped write of size bytes (1/2/4/8) at gpa, inside one page. The
 * 8-byte entries it touches (one, or two for an unaligned write) are read
 * from guest memory before and merged after, so the owner always sees
 * whole entries; then the bytes are written to guest memory.
 */
int
page_track_write(struct vgpu *v, uint64_t gpa, unsigned int size, uint64_t val)
{
	struct tracked_page *tp = page_track_find(v, gpa >> 12);
	unsigned int off = gpa & 0xfff;
	unsigned int first = off & ~7u, len;
	uint8_t before[16], after[16];
	int rc;

	if (!tp)
		return -ENOENT;
	if ((size != 1 && size != 2 && size != 4 && size != 8) || off + size > 4096)
		return -EINVAL;
	len = ((off + size - 1) & ~7u) + 8 - first;
	rc = v->hv_ops->read_gpa(v->hv, (gpa & ~0xfffull) + first, before, len);
	if (rc < 0)
		return rc;
	memcpy(after, before, len);
	memcpy(after + (off - first), &val, size); /* little-endian, as the guest */
	/*
	 * Guest memory first: the owner's shadow must never hold a value the
	 * guest's page did not get (if write_gpa fails, nothing changed).
	 */
	rc = v->hv_ops->write_gpa(v->hv, gpa, &val, size);
	if (rc < 0)
		return rc;
	tp->writes++;
	v->stats.page_writes++;
	if (!v->stats.failsafe && tp->on_write) {
		for (unsigned int o = 0; o < len; o += 8) {
			uint64_t ov, nv;

			memcpy(&ov, before + o, 8);
			memcpy(&nv, after + o, 8);
			/* The owner may untrack the page (and free tp) in the last call. */
			tp->on_write(v, tp, first + o, 8, ov, nv);
			if (o + 8 < len && page_track_find(v, gpa >> 12) != tp)
				break;
		}
	}
	return 0;
}

/*
 * Release every page: one pass, then one retry pass over the releases the
 * hypervisor refused (including ones refused before fini). A page still
 * protected after that is logged by gfn; it only concerns this guest's
 * own RAM (it keeps trapping to an ioreq server about to go away), so the
 * vGPU's teardown goes on.
 */
void
page_track_fini(struct vgpu *v)
{
	for (int pass = 0; pass < 3 && v->pt.pages.n; pass++) {
		void **all = u64_hash_values(&v->pt.pages);
		size_t n = v->pt.pages.n;

		if (!all)
			break;	/* out of memory: logged below */
		for (size_t i = 0; i < n; i++) {
			struct tracked_page *tp = all[i];

			if (pass == 2)
				vgpu_log(v, LOG_ERR, "gfn %#llx left write-protected: release refused",
					 (unsigned long long)tp->gfn);
			else
				untrack(v, tp);
		}
		free(all);
	}
	/* What is left stays protected in the hypervisor; our records go. */
	for (void **all = u64_hash_values(&v->pt.pages); all; all = NULL) {
		for (size_t i = 0; i < v->pt.pages.n; i++)
			free(all[i]);
		free(all);
	}
	u64_hash_free(&v->pt.pages);
}

static int
cmp_gfn(const void *a, const void *b)
{
	const struct tracked_page *x = *(struct tracked_page *const *)a;
	const struct tracked_page *y = *(struct tracked_page *const *)b;

	return x->gfn < y->gfn ? -1 : x->gfn > y->gfn;
}

/*
 * One row per tracked page in gfn order while they fit; when they do not,
 * the last row sums up the rest (their span and their traps).
 */
void
page_track_trap_rows(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n)
{
	size_t total = v->pt.pages.n, room = max > *n ? max - *n : 0, i;
	/* Without write-protection (hv wp_gfn NULL) pages are resynced, never trapped. */
	enum trap_mech mech = v->hv_ops->wp_gfn ? TRAP_P2M_WP : TRAP_RESYNC;
	void **all;

	if (!total || !room)
		return;
	all = u64_hash_values(&v->pt.pages);
	if (!all)
		return;
	qsort(all, total, sizeof(*all), cmp_gfn);
	for (i = 0; i < total && (i + 1 < room || total <= room); i++) {
		const struct tracked_page *tp = all[i];

		vgpu_trap_row(rows, max, n, mech, tp->gfn << 12, (tp->gfn << 12) + 4095,
			      tp->what ? tp->what : "tracked page", tp->writes);
	}
	if (i < total) {
		const struct tracked_page *lo = all[i], *hi = all[total - 1];
		uint64_t traps = 0;
		char what[32];

		for (size_t k = i; k < total; k++)
			traps += ((const struct tracked_page *)all[k])->writes;
		snprintf(what, sizeof(what), "%zu more pages", total - i);
		vgpu_trap_row(rows, max, n, mech, lo->gfn << 12, (hi->gfn << 12) + 4095,
			      what, traps);
	}
	free(all);
}

void
page_track_stats(struct vgpu *v, struct vgpu_stats *out)
{
	out->wp_failed = v->pt.wp_failed;
	out->hv_release_failed += v->pt.release_failed;
}
