/* SPDX-License-Identifier: MIT */
/*
 * xc.c — the libxenctrl subset: xc_domain_getinfo, iomem permissions (a
 * rangeset per domain, and dom0's own) and direct (p2m_mmio_direct)
 * mappings of machine frames into a guest as Xen 4.17's
 * XEN_DOMCTL_memory_mapping does and libxc drives it: frames below the
 * host's address width, permission of both caller and target; RAM is
 * replaced; a gfn mapped to another mfn is -EPERM and crashes the domain;
 * removal ignores an mfn mismatch. The machine's address width lives here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xen/sched.h>

#include "sim_int.h"

#define MSI_ADDR_BASE_MFN 0xfee00ull	/* MSI_ADDR_BASE_LO >> 12: the LAPIC/MSI window */

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

unsigned int
sim_paddr_bits(const struct sim_state *st)
{
	return st->paddr_bits ? st->paddr_bits : SIM_PADDR_BITS;
}

/*
 * Lock held. dom0's iomem rangeset as x86 dom0_setup_permissions grants
 * it at boot: every frame below 2^paddr_bits, minus the LAPIC/MSI window
 * (the sim has no IO-APIC or HPET frames to take out as well).
 */
static struct sim_rset
dom0_iomem(struct sim_state *st)
{
	struct sim_rset rs = { .r = st->dom0_iomem, .nr = &st->nr_dom0_iomem,
			       .max = SIM_MAX_IOMEM };

	if (!st->dom0_iomem_set) {
		st->nr_dom0_iomem = 0;
		sim_rset_add(rs, 0, (1ull << (sim_paddr_bits(st) - 12)) - 1);
		sim_rset_remove(rs, MSI_ADDR_BASE_MFN, MSI_ADDR_BASE_MFN + 0xff);
		st->dom0_iomem_set = 1;
	}
	return rs;
}

/*
 * XEN_DOMCTL_iomem_permission (common/domctl.c): -EINVAL only when the
 * range wraps; the caller (dom0) must itself be permitted the whole range
 * (-EPERM); then iomem_permit_access / iomem_deny_access on the target.
 */
int
xc_domain_iomem_permission(xc_interface *xch, uint32_t domid, unsigned long first_mfn,
			   unsigned long nr_mfns, uint8_t allow_access)
{
	struct sim_domain *d;
	unsigned long last = first_mfn + nr_mfns - 1;
	int rc;

	rc = domctl_begin(xch, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	if (last < first_mfn)
		rc = -EINVAL;
	else if (!sim_rset_contains(dom0_iomem(xch->rh.m->st), first_mfn, last))
		rc = -EPERM;
	else if (allow_access)
		rc = sim_rset_add(iomem_set(d), first_mfn, last);
	else
		rc = sim_rset_remove(iomem_set(d), first_mfn, last);
	sim_unlock(xch->rh.m);
	return sim_ret_errno(rc);
}

int
xensim_dom0_iomem_permission(const char *machine, uint64_t first_mfn, uint64_t nr, bool allow)
{
	struct sim_machine *m = sim_machine_get(machine, false);
	struct sim_rset rs;
	int rc;

	if (!m)
		return -errno;
	if (!nr || first_mfn + nr - 1 < first_mfn) {
		sim_machine_put(m);
		return -EINVAL;
	}
	sim_lock(m);
	rs = dom0_iomem(m->st);
	rc = allow ? sim_rset_add(rs, first_mfn, first_mfn + nr - 1) :
		     sim_rset_remove(rs, first_mfn, first_mfn + nr - 1);
	sim_unlock(m);
	sim_machine_put(m);
	return rc;
}

/* The CPU's physical address width (CPUID 0x80000008), 32..52 bits. */
int
xensim_set_paddr_bits(const char *machine, unsigned int bits)
{
	struct sim_machine *m;

	if (bits < 32 || bits > 52)
		return -EINVAL;
	m = sim_machine_get(machine, false);
	if (!m)
		return -errno;
	sim_lock(m);
	m->st->paddr_bits = bits;
	m->st->dom0_iomem_set = 0;
	sim_unlock(m);
	sim_machine_put(m);
	return 0;
}

/* Lock held. The machine frame gfn is direct-mapped to, if any. */
bool
sim_dmap_lookup(const struct sim_domain *d, uint64_t gfn, uint64_t *mfn)
{
	for (uint32_t i = 0; i < d->dmap_hwm && i < SIM_MAX_DMAPS; i++) {
		const struct sim_dmap *e = &d->dmap[i];

		if (e->nr && gfn >= e->gfn && gfn < e->gfn + e->nr) {
			*mfn = e->mfn + (gfn - e->gfn);
			return true;
		}
	}
	return false;
}

/*
 * map_mmio_regions -> set_mmio_p2m_entry (x86 mm/p2m.c), in gfn order: a
 * gfn already direct-mapped to this very mfn stays; one mapped to another
 * mfn is -EPERM and domain_crash() (set_typed_p2m_entry: p2m_is_special);
 * anything else (RAM of any type, a hole) is replaced. The pages before a
 * refused one stay mapped (map_mmio_regions reports them as done).
 * Extents on the same gfn -> mfn line are merged.
 */
static int
dmap_add(struct sim_machine *m, struct sim_domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr)
{
	uint8_t *p2m = sim_p2m(m, d);
	uint64_t end = gfn + nr, stop = end, lo = gfn, hi;
	struct sim_dmap *slot = NULL;
	int merged = 0;

	for (int i = 0; i < SIM_MAX_DMAPS; i++) {
		struct sim_dmap *e = &d->dmap[i];

		if (e->nr && e->gfn < end && gfn < e->gfn + e->nr && e->mfn - e->gfn != mfn - gfn)
			stop = e->gfn > gfn ? (e->gfn < stop ? e->gfn : stop) : gfn;
	}
	hi = stop;
	for (int i = 0; i < SIM_MAX_DMAPS && stop > gfn; i++) {
		struct sim_dmap *e = &d->dmap[i];

		if (!e->nr)
			slot = slot ? slot : e;
		else if (e->mfn - e->gfn == mfn - gfn && e->gfn <= hi && lo <= e->gfn + e->nr)
			merged++;
	}
	if (stop > gfn && !slot && !merged)
		return -ENOSPC;
	for (int i = 0; i < SIM_MAX_DMAPS && stop > gfn; i++) {
		struct sim_dmap *e = &d->dmap[i];

		if (e->nr && e->mfn - e->gfn == mfn - gfn && e->gfn <= hi && lo <= e->gfn + e->nr) {
			lo = e->gfn < lo ? e->gfn : lo;
			hi = e->gfn + e->nr > hi ? e->gfn + e->nr : hi;
			e->nr = 0;
			slot = slot ? slot : e;
		}
	}
	if (stop > gfn) {
		uint32_t idx = (uint32_t)(slot - d->dmap);

		slot->gfn = lo;
		slot->mfn = mfn + lo - gfn;
		slot->nr = hi - lo;
		if (idx + 1 > d->dmap_hwm)
			d->dmap_hwm = idx + 1;
		for (uint64_t g = gfn; g < stop && g < d->ram_pages; g++) {
			if (p2m[g] == P2M_IOREQ_SERVER && d->ioreq_entries)
				d->ioreq_entries--;
			p2m[g] = P2M_DIRECT;
		}
		/* ept_set_entry: max_mapped_pfn tracks the highest gfn ever mapped. */
		if (stop - 1 > d->max_gfn)
			d->max_gfn = stop - 1;
	}
	if (stop < end) {
		sim_domain_crash(m, d);
		return -EPERM;
	}
	return 0;
}

static struct sim_dmap *
dmap_free_slot(struct sim_domain *d)
{
	for (int i = 0; i < SIM_MAX_DMAPS; i++)
		if (!d->dmap[i].nr) {
			if ((uint32_t)i + 1 > d->dmap_hwm)
				d->dmap_hwm = (uint32_t)i + 1;
			return &d->dmap[i];
		}
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

/*
 * XEN_DOMCTL_memory_mapping (common/domctl.c), in its order: -EINVAL if
 * the frame range wraps or reaches 2^paddr_bits ((mfn | mfn_end) >>
 * (paddr_bits - PAGE_SHIFT)) or the gfn range wraps; -EPERM unless both
 * the caller (dom0) and the target may access [mfn, mfn_end]
 * (iomem_access_permitted); then map or unmap. A dying domain's p2m pool
 * is gone (paging_teardown), so a mapping cannot be added: -ENOMEM
 * (inferred: p2m_set_entry cannot allocate a table).
 */
static int
domctl_memory_mapping(xc_interface *xch, uint32_t domid, unsigned long gfn, unsigned long mfn,
		      unsigned long nr, bool add)
{
	unsigned long mfn_end = mfn + nr - 1;
	struct sim_domain *d;
	struct sim_state *st;
	int rc = domctl_begin(xch, domid, &d);

	if (rc)
		return rc;
	st = xch->rh.m->st;
	if (mfn_end < mfn || ((mfn | mfn_end) >> (sim_paddr_bits(st) - 12)) || gfn + nr - 1 < gfn)
		rc = -EINVAL;
	else if (!sim_rset_contains(dom0_iomem(st), mfn, mfn_end) ||
		 !sim_rset_contains(iomem_set(d), mfn, mfn_end))
		rc = -EPERM;
	else if (add && d->dying)
		rc = -ENOMEM;
	else if (add)
		rc = dmap_add(xch->rh.m, d, gfn, mfn, nr);
	else
		rc = dmap_remove(xch->rh.m, d, gfn, mfn, nr);
	sim_unlock(xch->rh.m);
	return rc;
}

/*
 * libxc xc_domain_memory_mapping: xc_domain_getinfo must find exactly
 * domid, else it returns -EINVAL itself (a plain value, errno as getinfo
 * left it); a PV domain or nr 0 is 0. The domctl's partial progress is resumed until an
 * error; a failed add then removes the whole range again (errors
 * ignored; the removal, like every unmap, stops at the first gfn that is
 * not direct-mapped). Any nonzero add_mapping adds.
 */
int
xc_domain_memory_mapping(xc_interface *xch, uint32_t domid, unsigned long first_gfn,
			 unsigned long first_mfn, unsigned long nr_mfns, uint32_t add_mapping)
{
	xc_dominfo_t info;
	int rc;

	if (xc_domain_getinfo(xch, domid, 1, &info) != 1 || info.domid != domid)
		return -EINVAL;
	/* xc_core_arch_auto_translated_physmap: nothing to map for a PV domain (dom0). */
	if (!info.hvm || !nr_mfns)
		return 0;
	rc = domctl_memory_mapping(xch, domid, first_gfn, first_mfn, nr_mfns, add_mapping != 0);
	if (rc && add_mapping != DPCI_REMOVE_MAPPING)
		domctl_memory_mapping(xch, domid, first_gfn, first_mfn, nr_mfns, false);
	return sim_ret_errno(rc);
}

/* Lock held. XEN_DOMCTL_getdomaininfo's answer (common/domctl.c getdomaininfo). */
static void
fill_info(struct sim_machine *m, struct sim_domain *d, xc_dominfo_t *info)
{
	bool live = !d->dying && !d->shut_down && !d->paused;

	memset(info, 0, sizeof(*info));
	info->domid = d->domid;
	memcpy(info->handle, d->uuid, sizeof(info->handle));
	/* XEN_DOMINF_dying means DOMDYING_dead: domain_kill has finished (the sim's destroy). */
	info->dying = d->dying;
	info->shutdown = d->shut_down;
	info->shutdown_reason = d->shutdown_code & 0xff; /* SHUTDOWN_CODE_INVALID reads 255 */
	if (info->shutdown && info->shutdown_reason == SHUTDOWN_crash) {
		info->shutdown = 0;
		info->crashed = 1;
	}
	info->paused = d->paused;
	/* No scheduler in the sim: an unpaused live domain's vCPUs count as running. */
	info->running = live;
	info->hvm = 1;
	info->hap = d->hap;
	info->nr_pages = d->dying ? 0 : d->ram_pages;
	for (int i = 0; d->dying && i < SIM_FMAP_PIDS; i++)
		info->nr_pages += d->fmap[i].pages;
	info->max_memkb = d->ram_pages << 2;
	info->nr_online_vcpus = d->vcpus;
	info->max_vcpu_id = d->vcpus - 1;
	info->gpaddr_bits = (uint8_t)sim_paddr_bits(m->st);
	info->arch_config.emulation_flags = XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
}

/* dom0, which the sim has no domain slot for: a running PV domain. */
static void
fill_dom0(struct sim_machine *m, xc_dominfo_t *info)
{
	memset(info, 0, sizeof(*info));
	info->running = 1;
	info->shutdown_reason = 0xff;
	info->nr_online_vcpus = 1;
	info->gpaddr_bits = (uint8_t)sim_paddr_bits(m->st);
}

/*
 * libxc xc_domain_getinfo: up to max_doms domains, each the first with
 * domid >= the one asked (XEN_DOMCTL_getdomaininfo walks the sorted
 * domain list), continuing after the last one found. So a missing domid
 * answers with the NEXT domain: callers must check info->domid. Dying
 * domains are listed. No domain at all: -1 with the domctl's errno
 * (ESRCH; EINVAL at DOMID_FIRST_RESERVED and beyond). A restricted
 * handle makes no domctl (EPERM).
 */
int
xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
		  xc_dominfo_t *info)
{
	struct sim_machine *m = xch->rh.m;
	uint32_t next = first_domid;
	unsigned int n;
	int rc = 0;

	memset(info, 0, max_doms * sizeof(*info));
	if (!max_doms)
		return 0;
	if (xch->rh.rdom >= 0)
		return sim_ret_errno(-EPERM);
	sim_lock(m);
	sim_domain_reap(m);
	for (n = 0; n < max_doms; n++) {
		struct sim_domain *best = NULL;

		if (next >= DOMID_FIRST_RESERVED) {
			rc = -EINVAL;
			break;
		}
		if (next == XENSIM_DM_DOMID) {
			fill_dom0(m, &info[n]);
			next = XENSIM_DM_DOMID + 1;
			continue;
		}
		for (int i = 0; i < XENSIM_MAX_DOMAINS; i++) {
			struct sim_domain *d = &m->st->dom[i];

			if (d->used && d->domid >= next && (!best || d->domid < best->domid))
				best = d;
		}
		if (!best) {
			rc = -ESRCH;
			break;
		}
		fill_info(m, best, &info[n]);
		next = (uint16_t)best->domid + 1;
	}
	sim_unlock(m);
	return n ? (int)n : sim_ret_errno(rc);
}
