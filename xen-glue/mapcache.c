/* SPDX-License-Identifier: MIT */
/*
 * mapcache.c — guest memory access for the glue. Guest RAM is mapped with
 * xenforeignmemory_map in chunks of MAPCACHE_CHUNK_PAGES consecutive gfns
 * (2 MiB, as QEMU's mapcache maps buckets) that stay mapped: the cost of
 * a sweep over guest memory is one map per chunk, and a steady state has
 * no unmap at all. That matters beyond this domain: every munmap in the
 * daemon flushes the TLB of each CPU running one of its threads (IPIs),
 * so the single-page cache this replaces, thrashing under a rep sweep,
 * slowed every other vGPU of the daemon (a trial: 70 k -> 25 k traps/s).
 *
 * Chunks are found by chunk number in an open-addressed hash (O(1)); a
 * budget (mapcache.max chunks per domain) bounds the mapped size, and when
 * it is reached the least recently used quarter is unmapped in one batch.
 * Everything is dropped on IOREQ_TYPE_INVALIDATE (Xen sends it after the
 * guest's p2m shrank) and at detach; the chunks under a range whose p2m
 * entries the glue itself changes (the aperture direct map) are dropped
 * then. A page that was not RAM when its chunk was mapped (a hole) is
 * probed again on use: Xen sends no INVALIDATE when the p2m grows (a
 * balloon giving pages back), so a hole that became RAM remaps its chunk.
 *
 * Does not own the decision of what a guest may touch. All under hv->lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "glue_int.h"

#define PAGE_SHIFT_4K 12
#define PAGE_SIZE_4K 4096u

static unsigned int
mc_hash(uint64_t idx, unsigned int cap)
{
	return (unsigned int)((idx * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

static struct mapcache_chunk *
mc_find(struct mapcache *mc, uint64_t idx)
{
	if (mc->last && mc->last->idx == idx)
		return mc->last;
	if (!mc->cap)
		return NULL;
	for (unsigned int i = mc_hash(idx, mc->cap);; i = (i + 1) & (mc->cap - 1)) {
		struct mapcache_chunk *c = mc->slot[i];

		if (!c)
			return NULL;
		if (c->idx == idx)
			return mc->last = c;
	}
}

static void
mc_place(struct mapcache *mc, struct mapcache_chunk *c)
{
	unsigned int i = mc_hash(c->idx, mc->cap);

	while (mc->slot[i])
		i = (i + 1) & (mc->cap - 1);
	mc->slot[i] = c;
}

/* Room for one more chunk at a load of at most one half. 0 or -ENOMEM. */
static int
mc_reserve(struct mapcache *mc)
{
	struct mapcache_chunk **old = mc->slot;
	unsigned int ocap = mc->cap, cap;

	if ((mc->n + 1) * 2 <= mc->cap)
		return 0;
	cap = ocap ? ocap * 2 : 64;
	mc->slot = calloc(cap, sizeof(*mc->slot));
	if (!mc->slot) {
		mc->slot = old;
		return -ENOMEM;
	}
	mc->cap = cap;
	for (unsigned int i = 0; i < ocap; i++)
		if (old[i])
			mc_place(mc, old[i]);
	free(old);
	return 0;
}

/* Take c out of the hash (backward-shift deletion: no tombstones). */
static void
mc_unlink(struct mapcache *mc, struct mapcache_chunk *c)
{
	unsigned int i = mc_hash(c->idx, mc->cap), j;

	while (mc->slot[i] != c)
		i = (i + 1) & (mc->cap - 1);
	mc->slot[i] = NULL;
	for (j = (i + 1) & (mc->cap - 1); mc->slot[j]; j = (j + 1) & (mc->cap - 1)) {
		unsigned int h = mc_hash(mc->slot[j]->idx, mc->cap);

		/* Move j back into the hole at i unless its home lies in (i, j]. */
		if (((j - h) & (mc->cap - 1)) >= ((j - i) & (mc->cap - 1))) {
			mc->slot[i] = mc->slot[j];
			mc->slot[j] = NULL;
			i = j;
		}
	}
	mc->n--;
	if (mc->last == c)
		mc->last = NULL;
}

static void
mc_unmap(struct hv *hv, struct mapcache_chunk *c)
{
	xenforeignmemory_unmap(hv->fmem, c->va, MAPCACHE_CHUNK_PAGES);
	hv->mc.unmaps++;
	free(c);
}

static void
mc_drop(struct hv *hv, struct mapcache_chunk *c)
{
	mc_unlink(&hv->mc, c);
	mc_unmap(hv, c);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The budget is reached: unmap the least recently used quarter in one
 * batch, so evictions (and their TLB flushes) come once per max/4 new
 * chunks, not once per miss.
 */
static void
mc_evict(struct hv *hv)
{
	struct mapcache *mc = &hv->mc;
	unsigned int k = mc->n / 4 ? mc->n / 4 : 1, m = 0;
	uint64_t *ticks = malloc(mc->n * sizeof(*ticks)), cut;

	if (!ticks)
		return;	/* next time; the map goes ahead over budget */
	for (unsigned int i = 0; i < mc->cap; i++)
		if (mc->slot[i])
			ticks[m++] = mc->slot[i]->last_use;
	qsort(ticks, m, sizeof(*ticks), cmp_u64);
	cut = ticks[k - 1];
	free(ticks);
	/* Ticks are unique (one per lookup), so exactly k chunks are <= cut. */
	for (unsigned int i = 0; i < mc->cap;) {
		struct mapcache_chunk *c = mc->slot[i];

		if (c && c->last_use <= cut)
			mc_drop(hv, c);	/* shifts a later entry into i: look again */
		else
			i++;
	}
	mc->evictions++;
}

/* Map the chunk idx; NULL if the domain has no such pages or memory ran out. */
static struct mapcache_chunk *
mc_map(struct hv *hv, uint64_t idx)
{
	struct mapcache *mc = &hv->mc;
	xen_pfn_t pfn[MAPCACHE_CHUNK_PAGES];
	int err[MAPCACHE_CHUNK_PAGES];
	struct mapcache_chunk *c;

	if (mc->n >= (mc->max ? mc->max : MAPCACHE_MAX_CHUNKS))
		mc_evict(hv);
	if (mc_reserve(mc))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	for (unsigned int i = 0; i < MAPCACHE_CHUNK_PAGES; i++) {
		pfn[i] = (xen_pfn_t)((idx << MAPCACHE_CHUNK_SHIFT) + i);
		err[i] = 0;
	}
	c->va = xenforeignmemory_map(hv->fmem, hv->cfg.domid, PROT_READ | PROT_WRITE,
				     MAPCACHE_CHUNK_PAGES, pfn, err);
	if (!c->va) {
		free(c);
		return NULL;
	}
	mc->maps++;
	c->idx = idx;
	c->last_use = ++mc->tick;
	for (unsigned int i = 0; i < MAPCACHE_CHUNK_PAGES; i++)
		if (err[i])
			c->hole[i / 64] |= 1ull << (i % 64);
	mc_place(mc, c);
	mc->n++;
	return mc->last = c;
}

/* Is gfn RAM now? (One page mapped and unmapped; only asked about holes.) */
static bool
mc_probe(struct hv *hv, uint64_t gfn)
{
	xen_pfn_t pfn = (xen_pfn_t)gfn;
	int err = 0;
	void *va = xenforeignmemory_map(hv->fmem, hv->cfg.domid, PROT_READ, 1, &pfn, &err);

	if (!va)
		return false;
	xenforeignmemory_unmap(hv->fmem, va, 1);
	return !err;
}

/*
 * Map gfn (or find it); NULL if it is not RAM of the guest. Caller holds
 * hv->lock; the pointer is valid until the lock is dropped.
 */
void *
mapcache_get(struct hv *hv, uint64_t gfn)
{
	uint64_t idx = gfn >> MAPCACHE_CHUNK_SHIFT;
	unsigned int pg = (unsigned int)(gfn & (MAPCACHE_CHUNK_PAGES - 1));
	struct mapcache_chunk *c = mc_find(&hv->mc, idx);

	if (gfn > (UINT64_MAX >> PAGE_SHIFT_4K))
		return NULL;
	if (c && (c->hole[pg / 64] & (1ull << (pg % 64)))) {
		if (!mc_probe(hv, gfn))
			return NULL;
		mc_drop(hv, c);	/* the hole became RAM: map the chunk again */
		c = NULL;
	}
	if (!c)
		c = mc_map(hv, idx);
	if (!c || (c->hole[pg / 64] & (1ull << (pg % 64))))
		return NULL;
	c->last_use = ++hv->mc.tick;
	return c->va + ((size_t)pg << PAGE_SHIFT_4K);
}

/* Drop every mapping and the table (INVALIDATE, detach). Caller holds hv->lock. */
void
mapcache_flush(struct hv *hv)
{
	struct mapcache *mc = &hv->mc;

	for (unsigned int i = 0; i < mc->cap; i++)
		if (mc->slot[i])
			mc_unmap(hv, mc->slot[i]);
	free(mc->slot);
	mc->slot = NULL;
	mc->cap = mc->n = 0;
	mc->last = NULL;
}

void
mapcache_forget(struct hv *hv, uint64_t gfn, uint64_t nr)
{
	uint64_t first = gfn >> MAPCACHE_CHUNK_SHIFT, last;

	if (!nr || gfn + nr - 1 < gfn)
		return;
	last = (gfn + nr - 1) >> MAPCACHE_CHUNK_SHIFT;
	/* Few chunks mapped or a long range: walk the table, not the range. */
	if (last - first >= hv->mc.n) {
		for (unsigned int i = 0; i < hv->mc.cap;) {
			struct mapcache_chunk *c = hv->mc.slot[i];

			if (c && c->idx >= first && c->idx <= last)
				mc_drop(hv, c);
			else
				i++;
		}
		return;
	}
	for (uint64_t idx = first; idx <= last; idx++) {
		struct mapcache_chunk *c = mc_find(&hv->mc, idx);

		if (c)
			mc_drop(hv, c);
	}
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
