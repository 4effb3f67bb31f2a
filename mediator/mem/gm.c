/* SPDX-License-Identifier: MIT */
/*
 * gm.c — partitioning of one GPU's graphics memory and fence registers
 * between its vGPUs: first-fit extent lists for the aperture ("low") and
 * hidden ("high") GM, a bitmap for fence slots. Every call runs with the
 * owning struct gpu's lock held (the caller takes it).
 *
 * GM layout (as on hardware, and as GVT-g partitions it):
 *   [0, aperture_size)        low GM, CPU-visible through BAR2
 *   [aperture_size, gm_size)  high GM, reachable by the GPU only
 * The host keeps the first GM_HOST_LOW / GM_HOST_HIGH bytes of each and
 * fences 0..GM_HOST_FENCES-1 (gm.h). A vGPU's guest sees whole-GM
 * addresses: its share is told to it in the PV info page and it balloons
 * the rest, so no address translation is needed between guest and host GM.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"

#define MIB_OF(x) ((x) >> 20)

static uint64_t
gm_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Set up the allocatable windows of a GPU, clamped to what it really has. */
void
gm_alloc_init(struct gm_alloc *a, const struct pgpu_info *info)
{
	uint64_t ap = info->aperture_size & ~(GM_ALIGN - 1);
	uint64_t gm = info->gm_size & ~(GM_ALIGN - 1);

	/* The GGTT bounds the GM we can map, whatever gm_size says. */
	if (info->ggtt_entries && info->ggtt_entries < (UINT64_MAX >> 12))
		gm = gm_min(gm, (info->ggtt_entries << 12) & ~(GM_ALIGN - 1));
	ap = gm_min(ap, gm);

	memset(a, 0, sizeof(*a));
	a->low_base = gm_min(GM_HOST_LOW, ap);
	a->low_end = ap;
	a->high_base = ap + gm_min(GM_HOST_HIGH, gm - ap);
	a->high_end = gm;
	a->nr_fences = info->nr_fences < 64 ? info->nr_fences : 64;
	for (unsigned int i = 0; i < GM_HOST_FENCES && i < a->nr_fences; i++)
		a->fence_used |= 1ull << i;
}

/* Free bytes of [base, end) with nr sorted used extents; *hole gets the largest gap. */
static uint64_t
gm_free_bytes(const struct gm_extent *used, unsigned int nr, uint64_t base,
	      uint64_t end, uint64_t *hole)
{
	uint64_t cur = base, total = 0, big = 0;

	for (unsigned int i = 0; i <= nr; i++) {
		uint64_t next = i < nr ? used[i].base : end;
		uint64_t gap = next - cur;

		total += gap;
		if (gap > big)
			big = gap;
		if (i < nr)
			cur = used[i].base + used[i].size;
	}
	if (hole)
		*hole = big;
	return total;
}

/*
 * First fit of size bytes in [base, end) between the sorted extents; on
 * success the new extent is inserted in order and *out gets its base.
 */
static int
gm_fit(struct gm_extent *used, unsigned int *nr, uint64_t base, uint64_t end,
       uint64_t size, uint64_t *out)
{
	uint64_t cur = base;
	unsigned int i;

	if (*nr >= GM_MAX_EXTENTS)
		return -ENOSPC;
	for (i = 0; i <= *nr; i++) {
		uint64_t next = i < *nr ? used[i].base : end;

		if (next >= cur && next - cur >= size)
			break;
		if (i < *nr)
			cur = used[i].base + used[i].size;
	}
	if (i > *nr)
		return -ENOSPC;
	memmove(&used[i + 1], &used[i], (*nr - i) * sizeof(used[0]));
	used[i].base = cur;
	used[i].size = size;
	(*nr)++;
	*out = cur;
	return 0;
}

/* Remove the extent exactly [base, base+size); false if there is none. */
static bool
gm_unfit(struct gm_extent *used, unsigned int *nr, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < *nr; i++) {
		if (used[i].base == base && used[i].size == size) {
			memmove(&used[i], &used[i + 1], (*nr - i - 1) * sizeof(used[0]));
			(*nr)--;
			return true;
		}
	}
	return false;
}

static uint64_t
gm_fence_mask(unsigned int base, unsigned int num)
{
	if (num == 0)
		return 0;
	return (num >= 64 ? ~0ull : ((1ull << num) - 1)) << base;
}

/* First contiguous run of num free fence slots; -ENOSPC if none. */
static int
gm_fence_fit(const struct gm_alloc *a, unsigned int num, unsigned int *out)
{
	if (num == 0) {
		*out = 0;
		return 0;
	}
	for (unsigned int b = 0; b + num <= a->nr_fences; b++) {
		if (!(a->fence_used & gm_fence_mask(b, num))) {
			*out = b;
			return 0;
		}
	}
	return -ENOSPC;
}

static unsigned int
gm_fences_free(const struct gm_alloc *a)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < a->nr_fences; i++)
		if (!(a->fence_used & (1ull << i)))
			n++;
	return n;
}

void
gm_free_space(const struct gm_alloc *a, uint64_t *low, uint64_t *high,
	      unsigned int *fences)
{
	if (low)
		*low = gm_free_bytes(a->low_used, a->nr_low, a->low_base, a->low_end, NULL);
	if (high)
		*high = gm_free_bytes(a->high_used, a->nr_high, a->high_base, a->high_end,
				      NULL);
	if (fences)
		*fences = gm_fences_free(a);
}

/* A GM size from a spec: non-zero and a multiple of GM_ALIGN. */
static int
gm_check_size(const char *key, uint64_t size, char *err, size_t errlen)
{
	if (size == 0 || (size & (GM_ALIGN - 1))) {
		snprintf(err, errlen, "%s: %" PRIu64 " bytes is not a non-zero multiple of 1 MiB",
			 key, size);
		return -EINVAL;
	}
	return 0;
}

/* The -ENOSPC message for one GM window: wanted, free, and the largest hole. */
static void
gm_nospace(const char *what, uint64_t want, const struct gm_extent *used,
	   unsigned int nr, uint64_t base, uint64_t end, char *err, size_t errlen)
{
	uint64_t hole, total = gm_free_bytes(used, nr, base, end, &hole);

	if (nr >= GM_MAX_EXTENTS)
		snprintf(err, errlen, "%s: too many shares (%u)", what, nr);
	else if (hole != total)
		snprintf(err, errlen,
			 "%s: %" PRIu64 " MiB wanted, %" PRIu64 " MiB free (largest hole %" PRIu64
			 " MiB)",
			 what, MIB_OF(want), MIB_OF(total), MIB_OF(hole));
	else
		snprintf(err, errlen, "%s: %" PRIu64 " MiB wanted, %" PRIu64 " MiB free", what,
			 MIB_OF(want), MIB_OF(total));
}

int
gm_reserve(struct gpu *gpu, const struct vgpu_config *cfg, struct gm_part *out,
	   char *err, size_t errlen)
{
	struct gm_alloc *a = &gpu->gm;
	struct gm_part p = { 0 };
	char dummy[1];
	int rc;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	rc = gm_check_size("low_gm", cfg->low_gm, err, errlen);
	if (!rc)
		rc = gm_check_size("high_gm", cfg->high_gm, err, errlen);
	if (rc)
		return rc;
	if (cfg->fences > GM_MAX_FENCES) {
		snprintf(err, errlen, "fences: %u is more than the %u a GPU has", cfg->fences,
			 GM_MAX_FENCES);
		return -EINVAL;
	}

	if (gm_fit(a->low_used, &a->nr_low, a->low_base, a->low_end, cfg->low_gm,
		   &p.low_base)) {
		gm_nospace("aperture GM", cfg->low_gm, a->low_used, a->nr_low, a->low_base,
			   a->low_end, err, errlen);
		return -ENOSPC;
	}
	p.low_size = cfg->low_gm;
	if (gm_fit(a->high_used, &a->nr_high, a->high_base, a->high_end, cfg->high_gm,
		   &p.high_base)) {
		gm_nospace("hidden GM", cfg->high_gm, a->high_used, a->nr_high, a->high_base,
			   a->high_end, err, errlen);
		gm_unfit(a->low_used, &a->nr_low, p.low_base, p.low_size);
		return -ENOSPC;
	}
	p.high_size = cfg->high_gm;
	if (gm_fence_fit(a, cfg->fences, &p.fence_base)) {
		unsigned int nfree = gm_fences_free(a);

		snprintf(err, errlen, "fences: %u wanted, %u free%s", cfg->fences, nfree,
			 nfree >= cfg->fences ? " (not contiguous)" : "");
		gm_unfit(a->high_used, &a->nr_high, p.high_base, p.high_size);
		gm_unfit(a->low_used, &a->nr_low, p.low_base, p.low_size);
		return -ENOSPC;
	}
	p.fence_num = cfg->fences;
	a->fence_used |= gm_fence_mask(p.fence_base, p.fence_num);
	p.reserved = true;
	fence_clear_phys(gpu, &p);
	*out = p;
	return 0;
}

/* Return exactly the share p holds; a second release (or an empty p) is a no-op. */
void
gm_release(struct gpu *gpu, struct gm_part *p)
{
	struct gm_alloc *a = &gpu->gm;

	if (!p->reserved)
		return;
	fence_clear_phys(gpu, p);
	gm_unfit(a->low_used, &a->nr_low, p->low_base, p->low_size);
	gm_unfit(a->high_used, &a->nr_high, p->high_base, p->high_size);
	a->fence_used &= ~gm_fence_mask(p->fence_base, p->fence_num);
	memset(p, 0, sizeof(*p));
}

/* One window: [gma, gma+len) inside [base, base+size), written without overflow. */
static bool
gm_in(uint64_t base, uint64_t size, uint64_t gma, uint64_t len)
{
	return gma >= base && gma - base < size && len <= size - (gma - base);
}

bool
gm_owns(const struct gm_part *p, uint64_t gma, uint64_t len)
{
	if (!p->reserved || len == 0)
		return false;
	return gm_in(p->low_base, p->low_size, gma, len) ||
	       gm_in(p->high_base, p->high_size, gma, len);
}
