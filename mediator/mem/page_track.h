/* SPDX-License-Identifier: MIT */
/*
 * page_track.h — guest pages write-protected through the hypervisor ops
 * (page_track.c). A trapped write reaches the page's owner (ppgtt*.c)
 * with the old and the new value of each entry it touched, once it has
 * landed in guest memory. Pages are found by gfn in a hash (O(1)), so a
 * vGPU can track every page-table page of many PPGTTs.
 */
#ifndef MEDIATOR_PAGE_TRACK_H
#define MEDIATOR_PAGE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediator/mem/u64_hash.h"

struct vgpu;
struct tracked_page;
struct trap_entry;
struct vgpu_stats;

/* Called for a trapped write of size bytes at page offset off (lock held). */
typedef void page_write_fn(struct vgpu *v, struct tracked_page *tp,
			   unsigned int off, unsigned int size, uint64_t old,
			   uint64_t new);

/*
 * Tracked pages per vGPU at most: a guest cannot make us protect (and
 * keep state for) more than 1 Mi of its pages, 4 GiB of page tables.
 */
#define PT_MAX_PAGES (1u << 20)

struct tracked_page {
	uint64_t gfn;
	page_write_fn *on_write;
	void *priv;
	const char *what;	/* its trap-map label (static string; NULL: "tracked page") */
	uint64_t writes;
	/*
	 * The owner let go but the hypervisor refused to unprotect the page:
	 * still protected (writes still trap and are completed, nobody is
	 * notified); the release is retried by page_track_remove/_fini, and
	 * a page_track_add of the same gfn takes it over.
	 */
	bool releasing;
	/* Tracked, but its protection lifted by its owner (page_track_protect). */
	bool unprotected;
};

struct page_track {
	struct u64_hash pages;	 /* gfn -> struct tracked_page */
	uint64_t wp_failed;	 /* write-protects the hypervisor refused */
	uint64_t release_failed; /* unprotects the hypervisor refused (each attempt) */
};

/*
 * Write-protect gfn and route its writes to fn. 0, -EEXIST, -ENOSPC
 * (PT_MAX_PAGES), -ENOMEM, or the hypervisor's -errno (nothing tracked).
 */
int page_track_add(struct vgpu *v, uint64_t gfn, page_write_fn *fn, void *priv);
/*
 * Stop routing gfn's writes and unprotect it. -ENOENT, or the hypervisor's
 * -errno: then the page stays tracked as "releasing" (no owner) and the
 * release is retried by the next remove or by page_track_fini.
 */
int page_track_remove(struct vgpu *v, uint64_t gfn);
struct tracked_page *page_track_find(struct vgpu *v, uint64_t gfn);
/* Pages tracked now (releasing ones included). */
size_t page_track_count(const struct vgpu *v);
/*
 * Lift (on = false) or restore the protection of a tracked page, keeping
 * it tracked: its owner resyncs it itself meanwhile (PPGTT out-of-sync
 * leaves). 0 or the hypervisor's -errno (the state is unchanged).
 */
int page_track_protect(struct vgpu *v, struct tracked_page *tp, bool on);
/*
 * A trapped write to a tracked page (lock held): write guest memory, then,
 * only if that succeeded, notify the owner. Returns 0 or -errno.
 */
int page_track_write(struct vgpu *v, uint64_t gpa, unsigned int size, uint64_t val);
/* Release every page, retrying refused releases once more; failures are logged. */
void page_track_fini(struct vgpu *v);

/* Module hooks: trap-map rows for the tracked pages, and the counters. */
void page_track_trap_rows(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n);
void page_track_stats(struct vgpu *v, struct vgpu_stats *out);

#endif
