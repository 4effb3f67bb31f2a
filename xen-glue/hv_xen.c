/* SPDX-License-Identifier: MIT */
/*
 * hv_xen.c — the mediator's hypervisor ops (mediator/hv.h) over libxen*:
 * ioreq range and SBDF claims, guest memory through the mapping cache,
 * p2m write protection, aperture direct mapping, MSI, gfn -> DMA. Keeps the
 * claim lists that ioreq decoding checks requests against.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "glue_int.h"
#include "mediator/log.h"

#define APERTURE_PAGE_SHIFT 12

static int
xen_rc(int rc)
{
	return rc < 0 ? (errno ? -errno : -EIO) : 0;
}

static int
range_add(struct ioreq_range *r, unsigned int *n, uint64_t start, uint64_t end)
{
	if (*n >= GLUE_MAX_RANGES)
		return -ENOSPC;
	r[*n].start = start;
	r[*n].end = end;
	(*n)++;
	return 0;
}

static void
range_del(struct ioreq_range *r, unsigned int *n, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < *n; i++)
		if (r[i].start == start && r[i].end == end) {
			r[i] = r[--(*n)];
			return;
		}
}

/*
 * The guest is dying or gone (ioreq_server_domain_gone): its p2m and
 * servers are torn down, so a release has nothing left to undo and
 * succeeds at once; a new claim is refused.
 */
static bool
hv_gone(const struct hv *hv)
{
	return __atomic_load_n(&hv->gone, __ATOMIC_ACQUIRE);
}

static int
hv_claim_io(struct hv *hv, bool mmio, uint64_t start, uint64_t end, bool on)
{
	struct ioreq_range *r = mmio ? hv->mmio : hv->pio;
	unsigned int *n = mmio ? &hv->nr_mmio : &hv->nr_pio;
	int rc;

	if (end < start || (!mmio && end > 0xffff))
		return -EINVAL;
	pthread_mutex_lock(&hv->lock);
	if (on) {
		rc = hv_gone(hv) ? -ESRCH : *n < GLUE_MAX_RANGES ? 0 : -ENOSPC;
		if (!rc)
			rc = xen_rc(xendevicemodel_map_io_range_to_ioreq_server(
				hv->dmod, hv->cfg.domid, hv->id, mmio, start, end));
		if (!rc)
			rc = range_add(r, n, start, end);
	} else {
		range_del(r, n, start, end);
		rc = hv_gone(hv) ? 0 : xen_rc(xendevicemodel_unmap_io_range_from_ioreq_server(
			hv->dmod, hv->cfg.domid, hv->id, mmio, start, end));
	}
	pthread_mutex_unlock(&hv->lock);
	log_dbg(DBG_IOREQ, "[%s] %s %s [%#llx, %#llx]: %d", hv->tag,
		on ? "claim" : "unclaim", mmio ? "mmio" : "pio",
		(unsigned long long)start, (unsigned long long)end, rc);
	return rc;
}

static int
hv_claim_pcidev(struct hv *hv, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	int rc;

	if (dev > 31 || fn > 7)
		return -EINVAL;
	if (hv_gone(hv))
		return -ESRCH;
	pthread_mutex_lock(&hv->lock);
	rc = xen_rc(xendevicemodel_map_pcidev_to_ioreq_server(hv->dmod, hv->cfg.domid,
							       hv->id, seg, bus, dev, fn));
	if (!rc) {
		hv->has_sbdf = true;
		hv->sbdf = ioreq_pci_sbdf(seg, bus, dev, fn);
	}
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

static int
hv_read_gpa(struct hv *hv, uint64_t gpa, void *buf, size_t len)
{
	return mapcache_copy(hv, gpa, buf, len, false);
}

static int
hv_write_gpa(struct hv *hv, uint64_t gpa, const void *buf, size_t len)
{
	/* The cast is safe: to_guest copies from buf only. */
	return mapcache_copy(hv, gpa, (void *)(uintptr_t)buf, len, true);
}

static int
wp_find(const struct hv *hv, uint64_t gfn, unsigned int *pos)
{
	unsigned int lo = 0, hi = hv->nr_wp;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (hv->wp_gfns[mid] < gfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return lo < hv->nr_wp && hv->wp_gfns[lo] == gfn;
}

bool
hv_xen_wp_owned(void *arg, uint64_t lo, uint64_t hi)
{
	struct hv *hv = arg;
	unsigned int pos;

	if (lo >> 12 != hi >> 12)
		return false;
	return wp_find(hv, lo >> 12, &pos);
}

bool
hv_xen_wp_any(const struct hv *hv, uint64_t lo, uint64_t hi)
{
	unsigned int pos;

	if (hi < lo)
		return false;
	wp_find(hv, lo >> 12, &pos);	/* first protected gfn >= lo's */
	return pos < hv->nr_wp && hv->wp_gfns[pos] <= hi >> 12;
}

/* Make room for one more protected gfn, so that wp_insert cannot fail. */
static int
wp_reserve(struct hv *hv)
{
	unsigned int cap;
	uint64_t *n;

	if (hv->nr_wp < hv->cap_wp)
		return 0;
	cap = hv->cap_wp ? hv->cap_wp * 2 : 64;
	n = realloc(hv->wp_gfns, cap * sizeof(*n));
	if (!n)
		return -ENOMEM;
	hv->wp_gfns = n;
	hv->cap_wp = cap;
	return 0;
}

/* Record gfn as protected (room reserved by wp_reserve) or forget it. */
static void
wp_set(struct hv *hv, uint64_t gfn, bool on)
{
	unsigned int pos;
	bool found = wp_find(hv, gfn, &pos);

	if (on && !found) {
		memmove(&hv->wp_gfns[pos + 1], &hv->wp_gfns[pos],
			(hv->nr_wp - pos) * sizeof(*hv->wp_gfns));
		hv->wp_gfns[pos] = gfn;
		hv->nr_wp++;
	} else if (!on && found) {
		memmove(&hv->wp_gfns[pos], &hv->wp_gfns[pos + 1],
			(hv->nr_wp - pos - 1) * sizeof(*hv->wp_gfns));
		hv->nr_wp--;
	}
}

/*
 * Write-protect through the p2m: the first use claims HVMMEM_ioreq_server
 * for this server with WRITE access (only one server per domain may), then
 * each page moves ram_rw <-> ioreq_server (the only change Xen allows).
 * Everything that can fail is done before the type change (the slot in
 * the list is reserved first), so the list and the p2m never disagree: a
 * page Xen traps is always one the mediator believes protected.
 */
static int
hv_wp_gfn(struct hv *hv, uint64_t gfn, bool on)
{
	int rc = 0;

	pthread_mutex_lock(&hv->lock);
	if (hv_gone(hv)) {
		if (!on)
			wp_set(hv, gfn, false);
		pthread_mutex_unlock(&hv->lock);
		return on ? -ESRCH : 0;
	}
	if (on)
		rc = wp_reserve(hv);
	if (!rc && on && !hv->mem_type_claimed) {
		rc = xen_rc(xendevicemodel_map_mem_type_to_ioreq_server(
			hv->dmod, hv->cfg.domid, hv->id, HVMMEM_ioreq_server,
			XEN_DMOP_IOREQ_MEM_ACCESS_WRITE));
		if (!rc)
			hv->mem_type_claimed = true;
	}
	if (!rc && (on || hv->mem_type_claimed))
		rc = xen_rc(xendevicemodel_set_mem_type(hv->dmod, hv->cfg.domid,
							on ? HVMMEM_ioreq_server : HVMMEM_ram_rw,
							gfn, 1));
	/* Nothing after the hypercall can fail: no type to roll back. */
	if (!rc)
		wp_set(hv, gfn, on);
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

/*
 * The gfns changed p2m type (RAM under a BAR became the aperture, the
 * aperture a hole): drop our long-lived mappings of them, which would go
 * on reaching the old pages (mapcache.c). After the change, so that no
 * mapping made in between survives.
 */
static int
aperture_forget(struct hv *hv, uint64_t gfn, uint64_t nr, int rc)
{
	pthread_mutex_lock(&hv->lock);
	mapcache_forget(hv, gfn, nr);
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

/*
 * Direct-map part of the physical aperture: iomem permission for the
 * machine frames first (Xen checks both caller and target), then the
 * p2m_mmio_direct mapping. Removal in the reverse order.
 */
static int
hv_map_aperture(struct hv *hv, uint64_t gfn, uint64_t ap_off, uint64_t nr, bool map)
{
	unsigned long mfn;
	int rc;

	if ((ap_off & 0xfff) || !nr || !hv->cfg.aperture_maddr)
		return -EINVAL;
	if (hv_gone(hv))
		return map ? -ESRCH : 0;
	mfn = (unsigned long)((hv->cfg.aperture_maddr + ap_off) >> APERTURE_PAGE_SHIFT);
	if (map) {
		rc = xen_rc(xc_domain_iomem_permission(hv->xch, hv->cfg.domid, mfn, nr, 1));
		if (rc)
			return rc;
		rc = xen_rc(xc_domain_memory_mapping(hv->xch, hv->cfg.domid, gfn, mfn, nr,
						     DPCI_ADD_MAPPING));
		if (rc)
			xc_domain_iomem_permission(hv->xch, hv->cfg.domid, mfn, nr, 0);
		else	/* for a successor if we are killed (xs_state.c) */
			xs_state_write(hv, "aperture", "%llx %lx %llx", (unsigned long long)gfn,
				       mfn, (unsigned long long)nr);
		return aperture_forget(hv, gfn, nr, rc);
	}
	rc = xen_rc(xc_domain_memory_mapping(hv->xch, hv->cfg.domid, gfn, mfn, nr,
					     DPCI_REMOVE_MAPPING));
	xc_domain_iomem_permission(hv->xch, hv->cfg.domid, mfn, nr, 0);
	if (!rc)
		xs_state_rm(hv, "aperture");
	return aperture_forget(hv, gfn, nr, rc);
}

static int
hv_inject_msi(struct hv *hv, uint64_t addr, uint32_t data)
{
	return xen_rc(xendevicemodel_inject_msi(hv->dmod, hv->cfg.domid, addr, data));
}

/*
 * INTA of the claimed SBDF. Xen routes it through the domain's PCI link
 * routing (dm.c XEN_DMOP_set_pci_intx_level: segment 0, bus 0, device
 * <= 31, intx 0..3 only), so a vGPU elsewhere has no INTx on Xen.
 */
static int
hv_set_intx(struct hv *hv, bool level)
{
	uint32_t sbdf;
	bool has;

	pthread_mutex_lock(&hv->lock);
	has = hv->has_sbdf;
	sbdf = hv->sbdf;
	pthread_mutex_unlock(&hv->lock);
	if (!has)
		return -ENODEV;
	if (hv_gone(hv))
		return level ? -ESRCH : 0;
	return xen_rc(xendevicemodel_set_pci_intx_level(hv->dmod, hv->cfg.domid,
							 (uint16_t)(sbdf >> 16),
							 (uint8_t)(sbdf >> 8),
							 (uint8_t)((sbdf >> 3) & 0x1f), 0,
							 level ? 1 : 0));
}

static bool
hv_intx_ok(struct hv *hv, uint16_t seg, uint8_t bus, uint8_t dev)
{
	(void)hv;
	return seg == 0 && bus == 0 && dev <= 31;
}

/* See docs/dma.md: upstream Xen gives dom0 userspace no gfn -> mfn call. */
static int
hv_gfn_to_dma(struct hv *hv, uint64_t gfn, uint64_t *dma)
{
	if (!hv->cfg.dma_hook)
		return -EOPNOTSUPP;
	return hv->cfg.dma_hook(hv->cfg.domid, gfn, dma);
}

const struct hv_ops hv_xen_ops = {
	.claim_io = hv_claim_io,
	.claim_pcidev = hv_claim_pcidev,
	.read_gpa = hv_read_gpa,
	.write_gpa = hv_write_gpa,
	.wp_gfn = hv_wp_gfn,
	.map_aperture = hv_map_aperture,
	.inject_msi = hv_inject_msi,
	.set_intx = hv_set_intx,
	.intx_ok = hv_intx_ok,
	.gfn_to_dma = hv_gfn_to_dma,
};
