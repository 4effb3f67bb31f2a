/* SPDX-License-Identifier: MIT */
/*
 * hv_qemu.c — the mediator's hypervisor ops (mediator/hv.h) over QEMU's
 * proxy. The proxy forwards the whole device to us, so claims are only
 * bookkeeping, which serve.c checks each BAR access against (as Xen's
 * range sets would); guest memory is QEMU's shared RAM (guest_ram.c);
 * there is no p2m, so no write protection (-EOPNOTSUPP: the mediator
 * resyncs instead, docs/qemu-glue.md) and the aperture is not mapped but
 * trapped: map_aperture records which guest range is which aperture range
 * and serve.c translates each access through the GGTT. INTx through the
 * irqfd (intx.c); no MSI (the proxy forwards none: inject_msi is NULL, so
 * the vGPU shows no MSI capability).
 */
#include <errno.h>

#include "mediator/log.h"
#include "qemu_int.h"

bool
hv_qemu_gone(const struct hv *hv)
{
	return __atomic_load_n(&hv->gone, __ATOMIC_ACQUIRE);
}

bool
hv_qemu_claimed(const struct hv *hv, bool mmio, uint64_t lo, uint64_t hi)
{
	const struct qg_range *r = mmio ? hv->mmio : hv->pio;
	unsigned int n = mmio ? hv->nr_mmio : hv->nr_pio;

	for (unsigned int i = 0; i < n; i++)
		if (lo >= r[i].start && hi <= r[i].end)
			return true;
	return false;
}

bool
hv_qemu_aperture(const struct hv *hv, uint64_t gpa, unsigned int size, uint64_t *ap_off)
{
	for (unsigned int i = 0; i < hv->nr_ap; i++) {
		const struct qg_apmap *a = &hv->ap[i];

		if (gpa >= a->gpa && gpa - a->gpa < a->len && size <= a->len - (gpa - a->gpa)) {
			*ap_off = a->ap_off + (gpa - a->gpa);
			return true;
		}
	}
	return false;
}

static int
hv_claim_io(struct hv *hv, bool mmio, uint64_t start, uint64_t end, bool on)
{
	struct qg_range *r = mmio ? hv->mmio : hv->pio;
	unsigned int *n = mmio ? &hv->nr_mmio : &hv->nr_pio;
	int rc = 0;

	if (end < start || (!mmio && end > 0xffff))
		return -EINVAL;
	pthread_mutex_lock(&hv->lock);
	if (on) {
		rc = hv_qemu_gone(hv) ? -ESRCH : *n == QG_MAX_RANGES ? -ENOSPC : 0;
		if (!rc)
			r[(*n)++] = (struct qg_range){ start, end };
	} else {
		for (unsigned int i = 0; i < *n; i++)
			if (r[i].start == start && r[i].end == end) {
				r[i] = r[--(*n)];
				break;
			}
	}
	pthread_mutex_unlock(&hv->lock);
	log_dbg(DBG_IOREQ, "[%s] %s %s [%#llx, %#llx]: %d", hv->tag, on ? "claim" : "unclaim",
		mmio ? "mmio" : "pio", (unsigned long long)start, (unsigned long long)end, rc);
	return rc;
}

/* The proxy device is the function: the address only names it (trap map, INTx). */
static int
hv_claim_pcidev(struct hv *hv, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	if (dev > 31 || fn > 7)
		return -EINVAL;
	if (hv_qemu_gone(hv))
		return -ESRCH;
	pthread_mutex_lock(&hv->lock);
	hv->has_sbdf = true;
	hv->sbdf = (uint32_t)seg << 16 | (uint32_t)bus << 8 | (uint32_t)dev << 3 | fn;
	pthread_mutex_unlock(&hv->lock);
	return 0;
}

static int
hv_read_gpa(struct hv *hv, uint64_t gpa, void *buf, size_t len)
{
	return guest_ram_copy(hv, gpa, buf, len, false);
}

static int
hv_write_gpa(struct hv *hv, uint64_t gpa, const void *buf, size_t len)
{
	/* The cast is safe: to_guest copies from buf only. */
	return guest_ram_copy(hv, gpa, (void *)(uintptr_t)buf, len, true);
}

/*
 * No p2m here: nothing can make a guest page trap on write. Releasing a
 * protection that never existed succeeds.
 */
/*
 * The aperture is trapped, not mapped: record that guest [gfn, gfn + nr)
 * is aperture [ap_off, ...), for serve.c to translate accesses through
 * the GGTT. Pieces never overlap (the mediator unmaps before it moves).
 */
static int
hv_map_aperture(struct hv *hv, uint64_t gfn, uint64_t ap_off, uint64_t nr, bool map)
{
	uint64_t gpa = gfn << 12, len = nr << 12;
	int rc = 0;

	if ((ap_off & 0xfff) || !nr || nr > (1ull << 40) || gfn >= (1ull << 52) ||
	    ap_off > UINT64_MAX - len)
		return -EINVAL;
	pthread_mutex_lock(&hv->lock);
	if (map) {
		for (unsigned int i = 0; i < hv->nr_ap && !rc; i++)
			if (gpa < hv->ap[i].gpa + hv->ap[i].len && hv->ap[i].gpa < gpa + len)
				rc = -EBUSY;
		if (!rc)
			rc = hv_qemu_gone(hv) ? -ESRCH : hv->nr_ap == QG_MAX_APMAPS ? -ENOSPC : 0;
		if (!rc)
			hv->ap[hv->nr_ap++] = (struct qg_apmap){ gpa, ap_off, len };
	} else {
		for (unsigned int i = 0; i < hv->nr_ap; i++)
			if (hv->ap[i].gpa == gpa && hv->ap[i].ap_off == ap_off && hv->ap[i].len == len) {
				hv->ap[i] = hv->ap[--hv->nr_ap];
				break;
			}
	}
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

static int
hv_set_intx(struct hv *hv, bool level)
{
	return intx_set_level(hv, level);
}

/* QEMU routes the proxy device's pin wherever the device sits. */
static bool
hv_intx_ok(struct hv *hv, uint16_t seg, uint8_t bus, uint8_t dev)
{
	(void)hv;
	(void)seg;
	(void)bus;
	return dev <= 31;
}

static int
hv_gfn_to_dma(struct hv *hv, uint64_t gfn, uint64_t *dma)
{
	return guest_ram_dma(hv, gfn, dma);
}

const struct hv_ops hv_qemu_ops = {
	.claim_io = hv_claim_io,
	.claim_pcidev = hv_claim_pcidev,
	.read_gpa = hv_read_gpa,
	.write_gpa = hv_write_gpa,
	.wp_gfn = NULL,		/* no p2m here: PPGTT shadows resync per submission */
	.map_aperture = hv_map_aperture,
	.inject_msi = NULL,
	.set_intx = hv_set_intx,
	.intx_ok = hv_intx_ok,
	.gfn_to_dma = hv_gfn_to_dma,
};
