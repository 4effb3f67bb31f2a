/* SPDX-License-Identifier: MIT */
/*
 * page_track.h — guest pages write-protected through the hypervisor ops
 * (page_track.c), and the PPGTT roots a guest announces through the PV
 * info page (ppgtt.c). A trapped write reaches the owner with the old and
 * the new value, then is completed on guest memory.
 */
#ifndef MEDIATOR_PAGE_TRACK_H
#define MEDIATOR_PAGE_TRACK_H

#include <stdbool.h>
#include <stdint.h>

struct vgpu;
struct tracked_page;

/* Called for a trapped write of size bytes at page offset off (lock held). */
typedef void page_write_fn(struct vgpu *v, struct tracked_page *tp,
			   unsigned int off, unsigned int size, uint64_t old,
			   uint64_t new);

#define PT_MAX_PAGES 1024

struct tracked_page {
	uint64_t gfn;
	page_write_fn *on_write;
	void *priv;
	uint64_t writes;
	bool used;
	/*
	 * The owner let go but the hypervisor refused to unprotect the page:
	 * still protected (writes still trap and are completed, nobody is
	 * notified); the release is retried by page_track_remove/_fini, and
	 * a page_track_add of the same gfn takes it over.
	 */
	bool releasing;
};

/* Shadow of one guest page-table page: the entries as last seen. */
struct shadow_page {
	uint64_t gfn;
	unsigned int level;   /* 4 = PML4 */
	uint64_t entry[512];
	bool used;
};

#define PPGTT_MAX_ROOTS 8

struct page_track {
	struct tracked_page pages[PT_MAX_PAGES];
	unsigned int nr_pages;
	struct shadow_page roots[PPGTT_MAX_ROOTS];
	uint64_t wp_failed;	 /* write-protects the hypervisor refused */
	uint64_t release_failed; /* unprotects the hypervisor refused (each attempt) */
};

/* Write-protect gfn and route its writes to fn. -ENOSPC, -EEXIST, or hv's -errno. */
int page_track_add(struct vgpu *v, uint64_t gfn, page_write_fn *fn, void *priv);
/*
 * Stop routing gfn's writes and unprotect it. -ENOENT, or the hypervisor's
 * -errno: then the page stays tracked as "releasing" (no owner) and the
 * release is retried by the next remove or by page_track_fini.
 */
int page_track_remove(struct vgpu *v, uint64_t gfn);
struct tracked_page *page_track_find(struct vgpu *v, uint64_t gfn);
/*
 * A trapped write to a tracked page (lock held): write guest memory, then,
 * only if that succeeded, notify the owner. Returns 0 or -errno.
 */
int page_track_write(struct vgpu *v, uint64_t gpa, unsigned int size, uint64_t val);
/* Release every page, retrying refused releases once more; failures are logged. */
void page_track_fini(struct vgpu *v);

/* PV g2v notifications for PPGTT roots (ppgtt.c). */
int ppgtt_create_root(struct vgpu *v, uint64_t root_gpa, unsigned int level);
int ppgtt_destroy_root(struct vgpu *v, uint64_t root_gpa);
/* Shadow entry idx of the root at root_gpa; -ENOENT if not tracked. */
int ppgtt_shadow_entry(struct vgpu *v, uint64_t root_gpa, unsigned int idx,
		       uint64_t *entry);

/* Module hooks: a row per tracked page, and its counters. */
void page_track_trap_rows(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n);
void page_track_stats(struct vgpu *v, struct vgpu_stats *out);

#endif
