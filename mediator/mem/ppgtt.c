/* SPDX-License-Identifier: MIT */
/*
 * ppgtt.c — PPGTT roots a guest announces through the PV info page
 * (g2v PPGTT_L4_CREATE/DESTROY): the PML4 page is write-protected and
 * read into a shadow, and every trapped write updates the shadow entry.
 * Walking and shadowing the lower levels is later work (issue 5).
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"

static struct shadow_page *
root_find(struct vgpu *v, uint64_t gfn)
{
	for (unsigned int i = 0; i < PPGTT_MAX_ROOTS; i++)
		if (v->pt.roots[i].used && v->pt.roots[i].gfn == gfn)
			return &v->pt.roots[i];
	return NULL;
}

/* A trapped write to a root page: page_track.c hands over whole entries. */
static void
ppgtt_on_write(struct vgpu *v, struct tracked_page *tp, unsigned int off,
	       unsigned int size, uint64_t old, uint64_t new)
{
	struct shadow_page *sp = tp->priv;

	(void)v;
	(void)old;
	if (size != 8 || (off & 7) || off >= 4096)
		return; /* page_track.c only passes aligned entries */
	sp->entry[off / 8] = new;
	log_dbg(DBG_GTT, "ppgtt: gfn %#llx entry %u = %#llx", (unsigned long long)sp->gfn,
		off / 8, (unsigned long long)new);
}

/*
 * Shadow the root at root_gpa (guest physical, page aligned). Only
 * 4-level roots are supported (we advertise FULL_48BIT_PPGTT).
 * Returns 0, -EINVAL (alignment/level), -EEXIST, -ENOSPC, -EFAULT (not
 * guest RAM), or the hypervisor's -errno. Lock held.
 */
int
ppgtt_create_root(struct vgpu *v, uint64_t root_gpa, unsigned int level)
{
	struct shadow_page *sp = NULL;
	uint8_t probe;
	int rc;

	if (level != 4 || (root_gpa & 0xfff)) {
		vgpu_warn_once(v, WARN_PPGTT, "bad PPGTT root %#llx level %u",
			       (unsigned long long)root_gpa, level);
		return -EINVAL;
	}
	if (root_find(v, root_gpa >> 12))
		return -EEXIST;
	for (unsigned int i = 0; i < PPGTT_MAX_ROOTS; i++)
		if (!v->pt.roots[i].used) {
			sp = &v->pt.roots[i];
			break;
		}
	if (!sp) {
		vgpu_warn_once(v, WARN_PPGTT, "more than %u PPGTT roots: %#llx refused",
			       PPGTT_MAX_ROOTS, (unsigned long long)root_gpa);
		return -ENOSPC;
	}
	/*
	 * A root outside guest RAM never reaches the hypervisor's p2m: probe
	 * one byte before protecting anything.
	 */
	rc = v->hv_ops->read_gpa(v->hv, root_gpa, &probe, sizeof(probe));
	if (rc < 0) {
		vgpu_warn_once(v, WARN_PPGTT, "PPGTT root %#llx is not guest RAM (%d)",
			       (unsigned long long)root_gpa, rc);
		return rc;
	}
	memset(sp, 0, sizeof(*sp));
	sp->gfn = root_gpa >> 12;
	sp->level = level;
	/*
	 * Protect first, then read: from the protect on, every guest write
	 * traps to us (and waits for our lock, held here), so the shadow read
	 * below sees every write before it and on_write every one after. The
	 * other order loses a write landing between the read and the protect.
	 */
	rc = page_track_add(v, sp->gfn, ppgtt_on_write, sp);
	if (rc < 0) {
		vgpu_warn_once(v, WARN_PPGTT, "cannot track PPGTT root %#llx (%d)",
			       (unsigned long long)root_gpa, rc);
		memset(sp, 0, sizeof(*sp));
		return rc;
	}
	rc = v->hv_ops->read_gpa(v->hv, root_gpa, sp->entry, sizeof(sp->entry));
	if (rc < 0) {
		vgpu_warn_once(v, WARN_PPGTT, "reading PPGTT root %#llx failed (%d)",
			       (unsigned long long)root_gpa, rc);
		/* A refused release keeps the page tracked without owner (page_track.c). */
		page_track_remove(v, sp->gfn);
		memset(sp, 0, sizeof(*sp));
		return rc;
	}
	sp->used = true;
	return 0;
}

int
ppgtt_destroy_root(struct vgpu *v, uint64_t root_gpa)
{
	struct shadow_page *sp = root_find(v, root_gpa >> 12);
	int rc;

	if (!sp || (root_gpa & 0xfff)) {
		vgpu_warn_once(v, WARN_PPGTT, "destroy of unknown PPGTT root %#llx",
			       (unsigned long long)root_gpa);
		return -ENOENT;
	}
	/*
	 * The shadow goes in any case (the guest let go of the root); if the
	 * hypervisor refuses the unprotect, page_track keeps the page, detached
	 * from this shadow, and retries (page_track_remove).
	 */
	rc = page_track_remove(v, sp->gfn);
	memset(sp, 0, sizeof(*sp));
	return rc;
}

int
ppgtt_shadow_entry(struct vgpu *v, uint64_t root_gpa, unsigned int idx, uint64_t *entry)
{
	struct shadow_page *sp = root_find(v, root_gpa >> 12);

	if (!sp)
		return -ENOENT;
	if (idx >= 512)
		return -EINVAL;
	*entry = sp->entry[idx];
	return 0;
}
