/* SPDX-License-Identifier: MIT */
/*
 * xc.c — the libxenctrl subset: iomem permissions and direct (p2m_mmio_direct)
 * mappings of machine frames into a guest, with Xen's rules (domctl.c
 * XEN_DOMCTL_memory_mapping): permission first, no remapping of a mapped
 * gfn to another mfn, no mapping over RAM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "sim_int.h"

struct xc_interface_core {
	struct sim_rhandle rh;	/* first: see sim_rhandle_new */
};

xc_interface *
xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
		  unsigned open_flags)
{
	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	return sim_rhandle_new(sizeof(xc_interface));
}

int
xc_interface_close(xc_interface *xch)
{
	if (xch)
		sim_rhandle_free(&xch->rh);
	return 0;
}

/* A restricted handle cannot make domctls (privcmd restrict). Lock held on success. */
static int
domctl_begin(xc_interface *xch, uint32_t domid, struct sim_domain **d)
{
	if (xch->rh.rdom >= 0)
		return -EPERM;
	sim_lock(xch->rh.m);
	*d = sim_domain_find(xch->rh.m, domid);
	if (!*d) {
		sim_unlock(xch->rh.m);
		return -ESRCH;
	}
	return 0;
}

int
xc_domain_iomem_permission(xc_interface *xch, uint32_t domid, unsigned long first_mfn,
			   unsigned long nr_mfns, uint8_t allow_access)
{
	struct sim_domain *d;
	uint64_t last = first_mfn + nr_mfns - 1;
	int rc;

	if (!nr_mfns || last < first_mfn)
		return sim_ret_errno(-EINVAL);
	rc = domctl_begin(xch, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	if (allow_access) {
		rc = -ENOSPC;
		for (int i = 0; i < SIM_MAX_IOMEM; i++)
			if (d->iomem[i].end == 0 && d->iomem[i].start == 0) {
				d->iomem[i].start = first_mfn;
				d->iomem[i].end = last + 1; /* exclusive; 0,0 = free */
				rc = 0;
				break;
			}
	} else {
		/* Revoke: drop every permission range that overlaps. */
		for (int i = 0; i < SIM_MAX_IOMEM; i++)
			if (d->iomem[i].end && d->iomem[i].start <= last &&
			    first_mfn < d->iomem[i].end)
				d->iomem[i].start = d->iomem[i].end = 0;
	}
	sim_unlock(xch->rh.m);
	return sim_ret_errno(rc);
}

static bool
iomem_permitted(const struct sim_domain *d, uint64_t first, uint64_t nr)
{
	for (int i = 0; i < SIM_MAX_IOMEM; i++)
		if (d->iomem[i].end && d->iomem[i].start <= first && first + nr <= d->iomem[i].end)
			return true;
	return false;
}

/* Lock held. The machine frame gfn is direct-mapped to, if any. */
bool
sim_dmap_lookup(const struct sim_domain *d, uint64_t gfn, uint64_t *mfn)
{
	for (int i = 0; i < SIM_MAX_DMAPS; i++) {
		const struct sim_dmap *e = &d->dmap[i];

		if (e->nr && gfn >= e->gfn && gfn < e->gfn + e->nr) {
			*mfn = e->mfn + (gfn - e->gfn);
			return true;
		}
	}
	return false;
}

static int
dmap_add(struct sim_domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr)
{
	uint64_t cur;
	int i;

	for (uint64_t g = gfn; g < gfn + nr; g++) {
		if (g < d->ram_pages)
			return -EBUSY;
		if (sim_dmap_lookup(d, g, &cur) && cur != mfn + (g - gfn))
			return -EBUSY;
	}
	/* Idempotent if already mapped exactly so; otherwise one new entry. */
	for (i = 0; i < SIM_MAX_DMAPS; i++) {
		struct sim_dmap *e = &d->dmap[i];

		if (e->nr && e->gfn <= gfn && gfn + nr <= e->gfn + e->nr &&
		    e->mfn + (gfn - e->gfn) == mfn)
			return 0;
	}
	for (i = 0; i < SIM_MAX_DMAPS; i++)
		if (!d->dmap[i].nr) {
			d->dmap[i].gfn = gfn;
			d->dmap[i].mfn = mfn;
			d->dmap[i].nr = nr;
			return 0;
		}
	return -ENOSPC;
}

static struct sim_dmap *
dmap_free_slot(struct sim_domain *d)
{
	for (int i = 0; i < SIM_MAX_DMAPS; i++)
		if (!d->dmap[i].nr)
			return &d->dmap[i];
	return NULL;
}

/* Remove gfn -> mfn page by page; carries on past mismatches, returns the first error. */
static int
dmap_remove(struct sim_domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr)
{
	int rc = 0;

	for (uint64_t k = 0; k < nr; k++) {
		uint64_t g = gfn + k, cur;
		struct sim_dmap *e = NULL;

		for (int i = 0; i < SIM_MAX_DMAPS; i++)
			if (d->dmap[i].nr && g >= d->dmap[i].gfn && g < d->dmap[i].gfn + d->dmap[i].nr)
				e = &d->dmap[i];
		if (!e || (cur = e->mfn + (g - e->gfn)) != mfn + k) {
			if (!rc)
				rc = -EINVAL;
			continue;
		}
		if (g == e->gfn) {
			e->gfn++;
			e->mfn++;
			e->nr--;
		} else if (g == e->gfn + e->nr - 1) {
			e->nr--;
		} else {
			struct sim_dmap *n = dmap_free_slot(d);

			if (!n)
				return -ENOSPC;
			n->gfn = g + 1;
			n->mfn = cur + 1;
			n->nr = e->gfn + e->nr - (g + 1);
			e->nr = g - e->gfn;
		}
	}
	return rc;
}

int
xc_domain_memory_mapping(xc_interface *xch, uint32_t domid, unsigned long first_gfn,
			 unsigned long first_mfn, unsigned long nr_mfns, uint32_t add_mapping)
{
	struct sim_domain *d;
	int rc;

	if (!nr_mfns)
		return 0;
	if (first_gfn + nr_mfns - 1 < first_gfn || first_mfn + nr_mfns - 1 < first_mfn ||
	    first_mfn + nr_mfns > (1ull << (52 - 12)))
		return sim_ret_errno(-EINVAL);
	rc = domctl_begin(xch, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	if (!iomem_permitted(d, first_mfn, nr_mfns))
		rc = -EPERM;
	else if (add_mapping == DPCI_ADD_MAPPING)
		rc = dmap_add(d, first_gfn, first_mfn, nr_mfns);
	else
		rc = dmap_remove(d, first_gfn, first_mfn, nr_mfns);
	sim_unlock(xch->rh.m);
	return sim_ret_errno(rc);
}
