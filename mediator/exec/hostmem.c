/* SPDX-License-Identifier: MIT */
/*
 * hostmem.c — memory the GPU runs from on the host's behalf (shadow
 * contexts, rings, batch copies, status pages): pages from the backend's
 * mem_alloc, mapped into the host's part of hidden GM, which no vGPU is
 * ever given (gm.h GM_HOST_HIGH, right above the aperture). A bitmap of
 * that range, first fit, under gpu->lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/exec.h"

/* Lock held. Set up the bitmap of the host GM window on first use. */
static int
hostgm_ready(struct gpu *gpu)
{
	struct hostgm *h = &gpu->hostgm;

	if (h->bits)
		return 0;
	h->base = gpu->gm.low_end;			/* the aperture's end ... */
	h->npages = (uint32_t)((gpu->gm.high_base - h->base) >> 12); /* ... to the first vGPU's */
	if (!h->npages)
		return -ENOSPC;
	h->bits = calloc((h->npages + 63) / 64, sizeof(uint64_t));
	return h->bits ? 0 : -ENOMEM;
}

static bool
bit_used(const struct hostgm *h, uint32_t i)
{
	return h->bits[i / 64] & (1ull << (i % 64));
}

static void
bits_set(struct hostgm *h, uint32_t first, uint32_t n, bool on)
{
	for (uint32_t i = first; i < first + n; i++) {
		if (on)
			h->bits[i / 64] |= 1ull << (i % 64);
		else
			h->bits[i / 64] &= ~(1ull << (i % 64));
	}
}

/* Lock held. First fit of n pages: the first page's index, or -ENOSPC. */
static int64_t
hostgm_take(struct hostgm *h, uint32_t n)
{
	for (uint32_t i = 0, run = 0; i < h->npages; i++) {
		run = bit_used(h, i) ? 0 : run + 1;
		if (run == n) {
			bits_set(h, i + 1 - n, n, true);
			return (int64_t)(i + 1 - n);
		}
	}
	return -ENOSPC;
}

int
host_obj_alloc(struct gpu *gpu, unsigned int npages, bool map_ggtt, struct host_obj *o)
{
	const struct pgpu_ops *ops = gpu->dev.ops;
	int64_t first = 0;
	int rc = 0;

	memset(o, 0, sizeof(*o));
	if (!npages)
		return -EINVAL;
	if (!ops->mem_alloc || !ops->mem_free)
		return -EOPNOTSUPP;
	o->maddr = calloc(npages, sizeof(*o->maddr));
	if (!o->maddr)
		return -ENOMEM;
	o->va = ops->mem_alloc(gpu->dev.p, npages, o->maddr);
	if (!o->va) {
		rc = errno ? -errno : -ENOMEM;
		goto fail;
	}
	o->npages = npages;
	if (!map_ggtt)
		return 0;
	pthread_mutex_lock(&gpu->lock);
	rc = hostgm_ready(gpu);
	if (!rc)
		first = hostgm_take(&gpu->hostgm, npages);
	pthread_mutex_unlock(&gpu->lock);
	if (!rc && first < 0)
		rc = (int)first;
	if (rc)
		goto fail;
	o->gma = gpu->hostgm.base + ((uint64_t)first << 12);
	for (unsigned int i = 0; i < npages; i++)
		ops->ggtt_write(gpu->dev.p, (o->gma >> 12) + i,
				(o->maddr[i] & GGTT_PTE_ADDR_MASK) | GGTT_PTE_PRESENT);
	return 0;
fail:
	if (o->va)
		ops->mem_free(gpu->dev.p, o->va, npages);
	free(o->maddr);
	memset(o, 0, sizeof(*o));
	return rc;
}

void
host_obj_free(struct gpu *gpu, struct host_obj *o)
{
	const struct pgpu_ops *ops = gpu->dev.ops;

	if (!o->va)
		return;
	if (o->gma) {
		for (unsigned int i = 0; i < o->npages; i++)
			ops->ggtt_write(gpu->dev.p, (o->gma >> 12) + i, GGTT_PTE_NONE);
		pthread_mutex_lock(&gpu->lock);
		bits_set(&gpu->hostgm, (uint32_t)((o->gma - gpu->hostgm.base) >> 12), o->npages,
			 false);
		pthread_mutex_unlock(&gpu->lock);
	}
	ops->mem_free(gpu->dev.p, o->va, o->npages);
	free(o->maddr);
	memset(o, 0, sizeof(*o));
}
