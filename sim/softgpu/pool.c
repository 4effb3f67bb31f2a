/* SPDX-License-Identifier: MIT */
/*
 * pool.c — the GPU host pool: machine memory no domain is ever given
 * (xensim.h XENSIM_GPU_POOL_*, the top 4 GiB of machine RAM), from which
 * the daemon's pgpu backend takes what the GPU runs from. The allocator
 * is process-local (a bitmap of pool pages, first fit from a moving hint);
 * one process owns the pool at a time, by an exclusive flock on the GPU's
 * state file, so two daemons on one machine cannot hand out the same
 * pages, and a dead owner's claim ends with it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>

#include "../xensim.h"
#include "sg_int.h"

#define POOL_PAGES (XENSIM_GPU_POOL_SIZE / SG_PAGE)
#define POOL_WORDS (POOL_PAGES / 64)
#define POOL_RELEASE_PAGES 256	/* frees this large give their memory back to tmpfs */

_Static_assert(XENSIM_GPU_POOL_MADDR + XENSIM_GPU_POOL_SIZE <= XENSIM_MEM_SIZE,
	       "the pool is inside machine RAM");
_Static_assert(XENSIM_APERTURE_MADDR >= XENSIM_MEM_SIZE, "the aperture is above machine RAM");

static bool
used(const uint64_t *bits, uint64_t i)
{
	return bits[i / 64] & (1ull << (i % 64));
}

static void
mark(uint64_t *bits, uint64_t first, uint64_t n, bool on)
{
	for (uint64_t i = first; i < first + n; i++) {
		if (on)
			bits[i / 64] |= 1ull << (i % 64);
		else
			bits[i / 64] &= ~(1ull << (i % 64));
	}
}

/* pool_lock held. The first free run of n pages at or after the hint, then from 0; or -1. */
static int64_t
find_run(struct sg_exec *x, uint64_t n)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t i = pass ? 0 : (uint64_t)x->pool_hint * 64, run = 0;

		while (i < POOL_PAGES) {
			if (!(i % 64) && x->pool_bits[i / 64] == ~0ull) {
				run = 0;
				i += 64;
				continue;
			}
			run = used(x->pool_bits, i) ? 0 : run + 1;
			i++;
			if (run == n)
				return (int64_t)(i - n);
		}
	}
	return -1;
}

/* pool_lock held. Take the pool for this handle: 0, -EBUSY (another owner) or -errno. */
static int
pool_claim(struct softgpu *g, struct sg_exec *x)
{
	if (x->pool_owned)
		return 0;
	if (flock(g->fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	x->pool_bits = calloc(POOL_WORDS, sizeof(uint64_t));
	if (!x->pool_bits) {
		flock(g->fd, LOCK_UN);
		return -ENOMEM;
	}
	x->pool_owned = true;
	return 0;
}

void *
softgpu_mem_alloc(struct softgpu *g, unsigned int npages, uint64_t *maddr)
{
	struct sg_exec *x = __atomic_load_n(&g->x, __ATOMIC_ACQUIRE);
	int64_t first;
	uint8_t *va;
	int rc;

	if (!x) {
		errno = ENODEV;
		return NULL;
	}
	if (!npages || npages > POOL_PAGES) {
		errno = EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&x->pool_lock);
	rc = pool_claim(g, x);
	first = rc < 0 ? -1 : find_run(x, npages);
	if (first >= 0) {
		mark(x->pool_bits, (uint64_t)first, npages, true);
		x->pool_used += npages;
		x->pool_hint = (uint32_t)(((uint64_t)first + npages) / 64) % POOL_WORDS;
	}
	pthread_mutex_unlock(&x->pool_lock);
	if (first < 0) {
		errno = rc < 0 ? -rc : ENOMEM;
		return NULL;
	}
	va = x->mem + XENSIM_GPU_POOL_MADDR + (uint64_t)first * SG_PAGE;
	memset(va, 0, (size_t)npages * SG_PAGE);
	for (unsigned int i = 0; i < npages; i++)
		maddr[i] = XENSIM_GPU_POOL_MADDR + ((uint64_t)first + i) * SG_PAGE;
	return va;
}

void
softgpu_mem_free(struct softgpu *g, void *va, unsigned int npages)
{
	struct sg_exec *x = __atomic_load_n(&g->x, __ATOMIC_ACQUIRE);
	uint8_t *pool, *p = va;
	uint64_t first;
	bool ok;

	if (!x || !va || !npages)
		return;
	pool = x->mem + XENSIM_GPU_POOL_MADDR;
	if (p < pool || (uint64_t)(p - pool) % SG_PAGE ||
	    (uint64_t)(p - pool) / SG_PAGE + npages > POOL_PAGES)
		return;
	first = (uint64_t)(p - pool) / SG_PAGE;
	pthread_mutex_lock(&x->pool_lock);
	ok = x->pool_bits != NULL;
	for (uint64_t i = first; ok && i < first + npages; i++)
		ok = used(x->pool_bits, i);
	if (ok) {	/* a double or stray free changes nothing */
		/* Before the pages can be handed out again. */
		if (npages >= POOL_RELEASE_PAGES)
			madvise(va, (size_t)npages * SG_PAGE, MADV_REMOVE);
		mark(x->pool_bits, first, npages, false);
		x->pool_used -= npages;
	}
	pthread_mutex_unlock(&x->pool_lock);
}

uint64_t
softgpu_mem_used(struct softgpu *g)
{
	struct sg_exec *x = __atomic_load_n(&g->x, __ATOMIC_ACQUIRE);
	uint64_t n;

	if (!x)
		return 0;
	pthread_mutex_lock(&x->pool_lock);
	n = x->pool_used;
	pthread_mutex_unlock(&x->pool_lock);
	return n;
}

void
sg_pool_fini(struct softgpu *g, struct sg_exec *x)
{
	if (x->pool_owned)
		flock(g->fd, LOCK_UN);
	x->pool_owned = false;
	free(x->pool_bits);
	x->pool_bits = NULL;
	pthread_mutex_destroy(&x->pool_lock);
}
