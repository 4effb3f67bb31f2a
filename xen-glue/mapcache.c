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

/* Copy len bytes between gpa and buf, page by page. 0 or -EFAULT. */
int
mapcache_copy(struct hv *hv, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	uint8_t *p = buf;
	int rc = 0;

	if (gpa + len < gpa)
		return -EFAULT;
	pthread_mutex_lock(&hv->lock);
	while (len) {
		size_t off = gpa & (PAGE_SIZE_4K - 1);
		size_t n = PAGE_SIZE_4K - off < len ? PAGE_SIZE_4K - off : len;
		uint8_t *va = mapcache_get(hv, gpa >> PAGE_SHIFT_4K);

		if (!va) {
			rc = -EFAULT;
			break;
		}
		if (to_guest)
			memcpy(va + off, p, n);
		else
			memcpy(p, va + off, n);
		gpa += n;
		p += n;
		len -= n;
	}
	pthread_mutex_unlock(&hv->lock);
	return rc;
}
