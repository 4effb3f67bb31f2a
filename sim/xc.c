/* SPDX-License-Identifier: MIT */
/*
 * xc.c — the libxenctrl subset: iomem permissions (a rangeset) and direct
 * (p2m_mmio_direct) mappings of machine frames into a guest as Xen 4.17's
 * XEN_DOMCTL_memory_mapping does: permission first; RAM is replaced; a gfn
 * mapped to another mfn is -EPERM and crashes the domain; removal ignores
 * an mfn mismatch.
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

static struct sim_rset
iomem_set(struct sim_domain *d)
{
	return (struct sim_rset){ .r = d->iomem, .nr = &d->nr_iomem, .max = SIM_MAX_IOMEM };
}

/* iomem_permit_access / iomem_deny_access: a rangeset of mfns (merge, split). */
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
	if (allow_access)
		rc = sim_rset_add(iomem_set(d), first_mfn, last);
	else
		rc = sim_rset_remove(iomem_set(d), first_mfn, last);
	sim_unlock(xch->rh.m);
	return sim_ret_errno(rc);
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

static int dmap_remove(struct sim_machine *m, struct sim_domain *d, uint64_t gfn, uint64_t mfn,
		       uint64_t nr);

/*
 * set_typed_p2m_entry: a gfn already direct-mapped to another mfn is
 * -EPERM and domain_crash(); the same mapping again is a no-op; RAM (any
 * RAM type) is replaced by the mapping.
 */
static int
dmap_add(struct sim_machine *m, struct sim_domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr)
{
	uint8_t *p2m = sim_p2m(m, d);
	uint64_t cur;
	bool all_same = true;
	int i;

	for (uint64_t g = gfn; g < gfn + nr; g++) {
		if (!sim_dmap_lookup(d, g, &cur)) {
			all_same = false;
		} else if (cur != mfn + (g - gfn)) {
			sim_domain_crash(d);
			return -EPERM;
		}
	}
	if (all_same)
		return 0;
	for (i = 0; i < SIM_MAX_DMAPS; i++)
		if (!d->dmap[i].nr)
			break;
	if (i == SIM_MAX_DMAPS)
		return -ENOSPC;
	/* Pages already mapped identically keep their entry; drop them from it first. */
	for (uint64_t g = gfn; g < gfn + nr; g++)
		if (sim_dmap_lookup(d, g, &cur))
			dmap_remove(m, d, g, cur, 1);
	for (i = 0; i < SIM_MAX_DMAPS; i++)
		if (!d->dmap[i].nr) {
			d->dmap[i].gfn = gfn;
			d->dmap[i].mfn = mfn;
			d->dmap[i].nr = nr;
			break;
		}
	if (i == SIM_MAX_DMAPS)
		return -ENOSPC;
	for (uint64_t g = gfn; g < gfn + nr && g < d->ram_pages; g++) {
		if (p2m[g] == P2M_IOREQ_SERVER && d->ioreq_entries)
			d->ioreq_entries--;
		p2m[g] = P2M_DIRECT;
	}
	return 0;
}

static struct sim_dmap *
dmap_free_slot(struct sim_domain *d)
{
	for (int i = 0; i < SIM_MAX_DMAPS; i++)
		if (!d->dmap[i].nr)
			return &d->dmap[i];
	return NULL;
}

/*
 * clear_mmio_p2m_entry, page by page: a gfn that is not direct-mapped is
 * -EINVAL and stops the walk (unmap_mmio_regions); a different mfn only
 * draws a warning in Xen and the page is removed anyway. A RAM gfn that
 * was replaced stays a hole.
 */
static int
dmap_remove(struct sim_machine *m, struct sim_domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr)
{
	uint8_t *p2m = sim_p2m(m, d);

	(void)mfn;
	for (uint64_t k = 0; k < nr; k++) {
		uint64_t g = gfn + k, cur;
		struct sim_dmap *e = NULL;

		for (int i = 0; i < SIM_MAX_DMAPS; i++)
			if (d->dmap[i].nr && g >= d->dmap[i].gfn && g < d->dmap[i].gfn + d->dmap[i].nr)
				e = &d->dmap[i];
		if (!e)
			return -EINVAL;
		cur = e->mfn + (g - e->gfn);
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
		if (g < d->ram_pages)
			p2m[g] = P2M_HOLE;
	}
	return 0;
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
	if (!sim_rset_contains(iomem_set(d), first_mfn, first_mfn + nr_mfns - 1))
		rc = -EPERM;
	else if (add_mapping == DPCI_ADD_MAPPING)
		rc = dmap_add(xch->rh.m, d, first_gfn, first_mfn, nr_mfns);
	else
		rc = dmap_remove(xch->rh.m, d, first_gfn, first_mfn, nr_mfns);
	sim_unlock(xch->rh.m);
	return sim_ret_errno(rc);
}
