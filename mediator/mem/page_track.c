/* SPDX-License-Identifier: MIT */
/*
 * page_track.c — guest pages whose writes trap (write-protected through
 * hv wp_gfn): bookkeeping, and completing a trapped write. The owner of a
 * page (ppgtt.c) sees each affected 8-byte entry's old and new value once
 * the write has landed in guest memory, which we always complete, because
 * Xen never performs a write to a p2m_ioreq_server page
 * (XEN-IOREQ-NOTES.md section 4).
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"

struct tracked_page *
page_track_find(struct vgpu *v, uint64_t gfn)
{
	struct page_track *pt = &v->pt;
	unsigned int seen = 0;

	/*
	 * Linear scan that stops after the nr_pages used slots (it used to
	 * walk all PT_MAX_PAGES slots on every miss); hash it when roots grow
	 * into trees.
	 */
	for (unsigned int i = 0; i < PT_MAX_PAGES && seen < pt->nr_pages; i++) {
		if (!pt->pages[i].used)
			continue;
		if (pt->pages[i].gfn == gfn)
			return &pt->pages[i];
		seen++;
	}
	return NULL;
}

int
page_track_add(struct vgpu *v, uint64_t gfn, page_write_fn *fn, void *priv)
{
	struct page_track *pt = &v->pt;
	struct tracked_page *slot = NULL;
	int rc;

	slot = page_track_find(v, gfn);
	if (slot && slot->releasing) {
		/* Still protected from a refused release: take it over. */
		slot->releasing = false;
		slot->on_write = fn;
		slot->priv = priv;
		return 0;
	}
	if (slot)
		return -EEXIST;
	for (unsigned int i = 0; i < PT_MAX_PAGES; i++)
		if (!pt->pages[i].used) {
			slot = &pt->pages[i];
			break;
		}
	if (!slot) {
		vgpu_warn_once(v, WARN_PAGE_WRITE, "more than %u tracked pages: gfn %#llx refused",
			       PT_MAX_PAGES, (unsigned long long)gfn);
		return -ENOSPC;
	}
	rc = v->hv_ops->wp_gfn(v->hv, gfn, true);
	if (rc < 0) {
		/* A guest can retry PPGTT_L4_CREATE at will: log once, count all. */
		pt->wp_failed++;
		vgpu_warn_once(v, WARN_PPGTT, "write-protecting gfn %#llx failed: %d",
			       (unsigned long long)gfn, rc);
		return rc;
	}
	memset(slot, 0, sizeof(*slot));
	slot->gfn = gfn;
	slot->on_write = fn;
	slot->priv = priv;
	slot->used = true;
	pt->nr_pages++;
	return 0;
}

/*
 * Unprotect tp and free its slot. If the hypervisor refuses, the page is
 * still write-protected: forgetting it would leave a trapping page nobody
 * completes writes for, and hide the failure. So the slot stays, detached
 * from its owner (whose state may be gone) and marked releasing; the
 * release is retried later. Logged once per vGPU (a guest can drive
 * remove/create cycles), every attempt counted.
 */
static int
untrack(struct vgpu *v, struct tracked_page *tp)
{
	int rc = v->hv_ops->wp_gfn(v->hv, tp->gfn, false);

	if (rc < 0) {
		v->pt.release_failed++;
		vgpu_warn_once(v, WARN_HV_RELEASE, "unprotecting gfn %#llx failed: %d (kept, retried)",
			       (unsigned long long)tp->gfn, rc);
		tp->on_write = NULL;
		tp->priv = NULL;
		tp->releasing = true;
		return rc;
	}
	memset(tp, 0, sizeof(*tp));
	v->pt.nr_pages--;
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
	if (!v->stats.failsafe && tp->on_write) {
		for (unsigned int o = 0; o < len; o += 8) {
			uint64_t ov, nv;

			memcpy(&ov, before + o, 8);
			memcpy(&nv, after + o, 8);
			tp->on_write(v, tp, first + o, 8, ov, nv);
		}
	}
	tp->writes++;
	v->stats.page_writes++;
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
	for (int pass = 0; pass < 2; pass++)
		for (unsigned int i = 0; i < PT_MAX_PAGES && v->pt.nr_pages; i++)
			if (v->pt.pages[i].used && (pass == 0 || v->pt.pages[i].releasing))
				untrack(v, &v->pt.pages[i]);
	for (unsigned int i = 0; i < PT_MAX_PAGES && v->pt.nr_pages; i++)
		if (v->pt.pages[i].used)
			vgpu_log(v, LOG_ERR, "gfn %#llx left write-protected: release refused",
				 (unsigned long long)v->pt.pages[i].gfn);
	memset(v->pt.roots, 0, sizeof(v->pt.roots));
}

static bool
page_track_is_root(const struct vgpu *v, uint64_t gfn)
{
	for (unsigned int i = 0; i < PPGTT_MAX_ROOTS; i++)
		if (v->pt.roots[i].used && v->pt.roots[i].gfn == gfn)
			return true;
	return false;
}

void
page_track_trap_rows(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n)
{
	for (unsigned int i = 0; i < PT_MAX_PAGES; i++) {
		const struct tracked_page *tp = &v->pt.pages[i];

		if (tp->used)
			vgpu_trap_row(rows, max, n, TRAP_P2M_WP, tp->gfn << 12, (tp->gfn << 12) + 4095,
				      page_track_is_root(v, tp->gfn) ? "PML4 root" : "tracked page",
				      tp->writes);
	}
}

void
page_track_stats(struct vgpu *v, struct vgpu_stats *out)
{
	out->wp_failed = v->pt.wp_failed;
	out->hv_release_failed += v->pt.release_failed;
}
