/* SPDX-License-Identifier: MIT */
/*
 * mapcache.c — guest memory access for the glue: a small direct-mapped
 * cache of single pages mapped with xenforeignmemory_map, flushed on
 * IOREQ_TYPE_INVALIDATE (Xen sends it after the guest's p2m shrank).
 * Does not own the decision of what a guest may touch.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "glue_int.h"

#define PAGE_SHIFT_4K 12
#define PAGE_SIZE_4K 4096u

static void
slot_drop(struct hv *hv, struct mapcache_slot *s)
{
	if (s->va)
		xenforeignmemory_unmap(hv->fmem, s->va, 1);
	s->va = NULL;
}

/*
 * Map gfn (or find it in the cache); NULL if it is not RAM of the guest.
 * Caller holds hv->lock; the pointer is valid until the lock is dropped.
 */
void *
mapcache_get(struct hv *hv, uint64_t gfn)
{
	struct mapcache_slot *s = &hv->cache[gfn % MAPCACHE_SLOTS];
	xen_pfn_t pfn = (xen_pfn_t)gfn;
	int err = 0;
	void *va;

	if (s->va && s->gfn == gfn)
		return s->va;
	va = xenforeignmemory_map(hv->fmem, hv->cfg.domid, PROT_READ | PROT_WRITE,
				  1, &pfn, &err);
	if (!va)
		return NULL;
	if (err) {
		xenforeignmemory_unmap(hv->fmem, va, 1);
		return NULL;
	}
	slot_drop(hv, s);
	s->gfn = gfn;
	s->va = va;
	return va;
}

/* Drop every cached mapping (INVALIDATE, detach). Caller holds hv->lock. */
void
mapcache_flush(struct hv *hv)
{
	for (unsigned int i = 0; i < MAPCACHE_SLOTS; i++)
		slot_drop(hv, &hv->cache[i]);
}

/* Is every page of [lo, hi] guest RAM (mappable)? Caller holds hv->lock. */
bool
mapcache_is_ram(struct hv *hv, uint64_t lo, uint64_t hi)
{
	if (hi < lo)
		return false;
	for (uint64_t gfn = lo >> PAGE_SHIFT_4K; gfn <= hi >> PAGE_SHIFT_4K; gfn++)
		if (!mapcache_get(hv, gfn))
			return false;
	return true;
}

/*
 * Copy len bytes between gpa and buf, page by page, with hv->lock held.
 * All or nothing: every page is checked to be RAM before the first byte
 * moves, so a span running off the end of RAM writes nothing. 0 or -EFAULT
 * (also when gpa + len wraps the 64-bit address space).
 */
int
mapcache_copy_locked(struct hv *hv, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	uint8_t *p = buf;

	if (!len)
		return 0;
	if (gpa + len < gpa || gpa + len - 1 < gpa)
		return -EFAULT;
	if (!mapcache_is_ram(hv, gpa, gpa + len - 1))
		return -EFAULT;
	while (len) {
		size_t off = gpa & (PAGE_SIZE_4K - 1);
		size_t n = PAGE_SIZE_4K - off < len ? PAGE_SIZE_4K - off : len;
		uint8_t *va = mapcache_get(hv, gpa >> PAGE_SHIFT_4K);

		if (!va)	/* checked above; only a p2m change under us */
			return -EFAULT;
		if (to_guest)
			memcpy(va + off, p, n);
		else
			memcpy(p, va + off, n);
		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

/* Copy len bytes between gpa and buf (takes hv->lock). 0 or -EFAULT. */
int
mapcache_copy(struct hv *hv, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	int rc;

	pthread_mutex_lock(&hv->lock);
	rc = mapcache_copy_locked(hv, gpa, buf, len, to_guest);
	pthread_mutex_unlock(&hv->lock);
	return rc;
}
