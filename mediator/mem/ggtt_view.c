/* SPDX-License-Identifier: MIT */
/*
 * ggtt_view.c — guest GM through the guest's own GGTT entries (the values
 * ggtt.c keeps for read-back), trusting only those it accepted: an entry
 * counts when the physical entry at the same index is present, which
 * ggtt.c makes true only for frames of the guest's RAM. The bytes come
 * from the guest's pages through the hypervisor ops, never from the
 * physical GPU's view.
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/mem/ggtt_view.h"

#define VIEW_PAGE 4096ull

int
ggtt_view_gfn(struct vgpu *v, uint64_t gma, uint64_t *gfn)
{
	const struct gm_part *p = &v->part;
	uint64_t page = gma & ~(VIEW_PAGE - 1), idx = gma >> 12, pte;
	struct gpu *gpu = v->gpu;

	if (idx >= gpu->info.ggtt_entries || !gm_owns(p, page, VIEW_PAGE))
		return -EFAULT;
	if (v->ggtt.low && page >= p->low_base && page - p->low_base < p->low_size)
		pte = v->ggtt.low[(page - p->low_base) >> 12];
	else if (v->ggtt.high && page >= p->high_base && page - p->high_base < p->high_size)
		pte = v->ggtt.high[(page - p->high_base) >> 12];
	else
		return -EFAULT;
	if (!(pte & GGTT_PTE_PRESENT) ||
	    !(gpu->dev.ops->ggtt_read(gpu->dev.p, idx) & GGTT_PTE_PRESENT))
		return -EFAULT;
	*gfn = (pte & GGTT_PTE_ADDR_MASK) >> 12;
	return 0;
}

int
ggtt_view_read(struct vgpu *v, uint64_t gma, void *buf, size_t len, uint64_t *missing)
{
	uint8_t *out = buf;
	int first_err = 0;

	while (len) {
		size_t chunk = (size_t)(VIEW_PAGE - (gma & (VIEW_PAGE - 1)));
		uint64_t gfn;
		int rc;

		if (chunk > len)
			chunk = len;
		rc = ggtt_view_gfn(v, gma, &gfn);
		if (!rc) {
			rc = v->hv_ops->read_gpa(v->hv, (gfn << 12) | (gma & (VIEW_PAGE - 1)), out,
						 chunk);
			if (rc && !first_err)
				first_err = rc < 0 ? rc : -EIO;
		}
		if (rc) {
			memset(out, 0, chunk);
			if (missing)
				(*missing)++;
		}
		out += chunk;
		gma += chunk;
		len -= chunk;
	}
	return first_err;
}
