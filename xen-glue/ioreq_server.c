/* SPDX-License-Identifier: MIT */
/*
 * ioreq_server.c — lifecycle of one domain's ioreq server, in Xen's order
 * (XEN-IOREQ-NOTES.md section 1): handles, create, map pages, enable,
 * vp_eports, bind, claims; teardown in two halves (quiesce while the
 * thread still answers, then destroy). The request loop is ioreq_loop.c,
 * the mediator's ops hv_xen.c, our xenstore node xs_state.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "glue_int.h"
#include "mediator/log.h"

static int
fail(char *err, size_t errlen, const char *what, int rc)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, strerror(-rc));
	return rc;
}

static int
errno_rc(void)
{
	return errno ? -errno : -EIO;
}

static int
open_handles(struct hv *hv, char *err, size_t errlen)
{
	hv->dmod = xendevicemodel_open(NULL, 0);
	if (!hv->dmod)
		return fail(err, errlen, "xendevicemodel_open", errno_rc());
	hv->fmem = xenforeignmemory_open(NULL, 0);
	if (!hv->fmem)
		return fail(err, errlen, "xenforeignmemory_open", errno_rc());
	hv->xce = xenevtchn_open(NULL, 0);
	if (!hv->xce)
		return fail(err, errlen, "xenevtchn_open", errno_rc());
	hv->xch = xc_interface_open(NULL, NULL, 0);
	if (!hv->xch)
		return fail(err, errlen, "xc_interface_open", errno_rc());
	hv->xsh = xs_open(0);
	if (!hv->xsh)
		return fail(err, errlen, "xs_open", errno_rc());
	return 0;
}

/*
 * Preferred: map the server's frames as a resource (frame 0 = buffered
 * page, 1 = the vCPU page). Only EOPNOTSUPP (old Xen / kernel) falls back
 * to the legacy gfn path; any other failure is fatal, as in QEMU.
 */
static int
map_pages(struct hv *hv, char *err, size_t errlen)
{
	bool buf = hv->cfg.bufioreq != GLUE_BUFIOREQ_OFF;
	unsigned long first = buf ? XENMEM_resource_ioreq_server_frame_bufioreq
				  : XENMEM_resource_ioreq_server_frame_ioreq(0);
	xen_pfn_t ioreq_gfn = 0, buf_gfn = 0;
	int e = 0;

	hv->res_frames = buf ? 2 : 1;
	hv->fres = xenforeignmemory_map_resource(hv->fmem, hv->cfg.domid,
						 XENMEM_resource_ioreq_server, hv->id,
						 first, hv->res_frames, &hv->res_addr,
						 PROT_READ | PROT_WRITE, 0);
	if (hv->fres) {
		hv->bufpage = buf ? hv->res_addr : NULL;
		hv->iopage = (shared_iopage_t *)((uint8_t *)hv->res_addr +
						 (buf ? XC_PAGE_SIZE : 0));
		return 0;
	}
	if (errno != EOPNOTSUPP)
		return fail(err, errlen, "xenforeignmemory_map_resource", errno_rc());
	log_info("[%s] resource mapping not supported: legacy ioreq gfns", hv->tag);
	if (xendevicemodel_get_ioreq_server_info(hv->dmod, hv->cfg.domid, hv->id, &ioreq_gfn,
						 buf ? &buf_gfn : NULL, NULL) < 0)
		return fail(err, errlen, "get_ioreq_server_info", errno_rc());
	hv->legacy_mapped = true;
	hv->iopage = xenforeignmemory_map(hv->fmem, hv->cfg.domid, PROT_READ | PROT_WRITE, 1,
					  &ioreq_gfn, &e);
	if (!hv->iopage || e)
		return fail(err, errlen, "map ioreq page", e ? e : errno_rc());
	if (buf) {
		hv->bufpage = xenforeignmemory_map(hv->fmem, hv->cfg.domid,
						   PROT_READ | PROT_WRITE, 1, &buf_gfn, &e);
		if (!hv->bufpage || e)
			return fail(err, errlen, "map bufioreq page", e ? e : errno_rc());
	}
	return 0;
}

/* After enable: vp_eport of each vCPU is meaningful; bind one channel each. */
static int
bind_ports(struct hv *hv, char *err, size_t errlen)
{
	evtchn_port_t bufport = 0;
	int p;

	for (unsigned int i = 0; i < hv->nr_vcpus; i++) {
		uint32_t remote = __atomic_load_n(&((ioreq_t *)hv->iopage)[i].vp_eport,
						  __ATOMIC_ACQUIRE);

		p = xenevtchn_bind_interdomain(hv->xce, hv->cfg.domid, remote);
		if (p < 0)
			return fail(err, errlen, "bind vCPU event channel", errno_rc());
		hv->local_port[i] = (evtchn_port_t)p;
		hv->bound[i] = true;
	}
	if (hv->cfg.bufioreq == GLUE_BUFIOREQ_OFF)
		return 0;
	if (xendevicemodel_get_ioreq_server_info(hv->dmod, hv->cfg.domid, hv->id, NULL, NULL,
						 &bufport) < 0)
		return fail(err, errlen, "get bufioreq port", errno_rc());
	p = xenevtchn_bind_interdomain(hv->xce, hv->cfg.domid, bufport);
	if (p < 0)
		return fail(err, errlen, "bind bufioreq event channel", errno_rc());
	hv->buf_local = (evtchn_port_t)p;
	hv->buf_bound = true;
	return 0;
}

int
ioreq_server_attach(const struct glue_config *cfg, struct hv **out, char *err, size_t errlen)
{
	struct hv *hv = calloc(1, sizeof(*hv));
	unsigned int vcpus = 0;
	int rc;

	if (!hv)
		return fail(err, errlen, "attach", -ENOMEM);
	hv->cfg = *cfg;
	snprintf(hv->tag, sizeof(hv->tag), "d%u", cfg->domid);
	pthread_mutex_init(&hv->lock, NULL);
	if ((unsigned int)cfg->bufioreq > GLUE_BUFIOREQ_ATOMIC) {
		rc = fail(err, errlen, "bufioreq mode", -EINVAL);
		goto err_detach;
	}
	rc = open_handles(hv, err, errlen);
	if (rc)
		goto err_detach;
	if (xendevicemodel_nr_vcpus(hv->dmod, cfg->domid, &vcpus) < 0) {
		rc = fail(err, errlen, "nr_vcpus", errno_rc());
		goto err_detach;
	}
	if (vcpus == 0 || vcpus > GLUE_MAX_VCPUS) {
		rc = fail(err, errlen, "nr_vcpus out of range", -ERANGE);
		goto err_detach;
	}
	hv->nr_vcpus = vcpus;
	rc = xs_state_check_vga(hv, err, errlen);
	if (!rc)
		rc = xs_state_cleanup_stale(hv, err, errlen);
	if (rc)
		goto err_detach;
	/* Who we are and for which domain, before there is anything to clean up. */
	rc = xs_state_write_owner(hv);
	if (rc) {
		fail(err, errlen, "xenstore xengt-dm node", rc);
		goto err_detach;
	}
	if (xendevicemodel_create_ioreq_server(hv->dmod, cfg->domid, (int)cfg->bufioreq,
					       &hv->id) < 0) {
		rc = fail(err, errlen, "create_ioreq_server", errno_rc());
		goto err_detach;
	}
	hv->created = true;
	/* Recorded at once: a successor must find it even if we die now. */
	rc = xs_state_write(hv, "ioreq-server", "%u", hv->id);
	if (rc) {
		fail(err, errlen, "xenstore xengt-dm node", rc);
		goto err_detach;
	}
	rc = map_pages(hv, err, errlen);
	if (rc)
		goto err_detach;
	if (xendevicemodel_set_ioreq_server_state(hv->dmod, cfg->domid, hv->id, 1) < 0) {
		rc = fail(err, errlen, "enable ioreq server", errno_rc());
		goto err_detach;
	}
	hv->enabled = true;
	rc = bind_ports(hv, err, errlen);
	if (rc)
		goto err_detach;
	if (cfg->null_mmio_gpa) {
		uint64_t g = cfg->null_mmio_gpa & ~0xfffull;

		rc = hv_xen_ops.claim_io(hv, true, g, g + 0xfff, true);
		if (rc) {
			fail(err, errlen, "claim null-mmio page", rc);
			goto err_detach;
		}
	}
	log_info("[%s] ioreq server %u: %u vCPUs, bufioreq %d, %s pages", hv->tag, hv->id,
		 vcpus, (int)cfg->bufioreq, hv->fres ? "resource" : "legacy");
	*out = hv;
	return 0;

err_detach:
	ioreq_server_detach(hv);
	return rc;
}

void
ioreq_server_set_vgpu(struct hv *hv, struct vgpu *v)
{
	__atomic_store_n(&hv->vgpu, v, __ATOMIC_RELEASE);
}

int
ioreq_server_set_running(struct hv *hv)
{
	return xs_state_write(hv, "state", "running");
}

int
ioreq_server_fd(struct hv *hv)
{
	return xenevtchn_fd(hv->xce);
}

void
ioreq_server_get_stats(struct hv *hv, struct glue_stats *out)
{
	uint64_t *dst = (uint64_t *)out;
	const uint64_t *src = (const uint64_t *)&hv->stats;

	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

void
ioreq_server_domain_gone(struct hv *hv)
{
	__atomic_store_n(&hv->gone, true, __ATOMIC_RELEASE);
}

void
ioreq_server_quiesce(struct hv *hv)
{
	uint32_t domid = hv->cfg.domid;

	pthread_mutex_lock(&hv->lock);
	if (hv->gone) {		/* Xen tore the servers and the p2m down itself */
		hv->nr_mmio = hv->nr_pio = 0;
		hv->has_sbdf = hv->mem_type_claimed = hv->enabled = false;
		hv->nr_wp = 0;
	}
	for (unsigned int i = 0; i < hv->nr_mmio; i++)
		xendevicemodel_unmap_io_range_from_ioreq_server(hv->dmod, domid, hv->id, 1,
								hv->mmio[i].start,
								hv->mmio[i].end);
	for (unsigned int i = 0; i < hv->nr_pio; i++)
		xendevicemodel_unmap_io_range_from_ioreq_server(hv->dmod, domid, hv->id, 0,
								hv->pio[i].start,
								hv->pio[i].end);
	hv->nr_mmio = hv->nr_pio = 0;
	if (hv->has_sbdf)
		xendevicemodel_unmap_pcidev_from_ioreq_server(
			hv->dmod, domid, hv->id, (uint16_t)(hv->sbdf >> 16),
			(uint8_t)(hv->sbdf >> 8), (uint8_t)((hv->sbdf >> 3) & 0x1f),
			(uint8_t)(hv->sbdf & 7));
	hv->has_sbdf = false;
	/* Sweeps the pages still typed ioreq_server back to ram_rw. */
	if (hv->mem_type_claimed &&
	    xendevicemodel_map_mem_type_to_ioreq_server(hv->dmod, domid, hv->id,
							HVMMEM_ioreq_server, 0) < 0)
		log_warn("[%s] unclaim p2m type: %s", hv->tag, strerror(errno));
	hv->mem_type_claimed = false;
	hv->nr_wp = 0;
	pthread_mutex_unlock(&hv->lock);
	/*
	 * With legacy gfn pages, Xen's disable gives the pages back to the
	 * guest and clears them (x86 arch_ioreq_server_disable ->
	 * hvm_add_ioreq_gfn): requests still READY would vanish unanswered.
	 * There the server stays enabled until destroy (which disables it);
	 * with nothing claimed, only a broadcast can still reach it.
	 */
	if (hv->enabled && !hv->legacy_mapped) {
		if (xendevicemodel_set_ioreq_server_state(hv->dmod, domid, hv->id, 0) < 0)
			log_warn("[%s] disable ioreq server: %s", hv->tag, strerror(errno));
		hv->enabled = false;
	}
}

bool
ioreq_server_idle(struct hv *hv)
{
	for (unsigned int i = 0; i < hv->nr_vcpus; i++) {
		const volatile ioreq_t *req = &((ioreq_t *)hv->iopage)[i];

		if (req->state != STATE_IOREQ_NONE)
			return false;
	}
	return true;
}

/* Teardown mirrors attach; every step is guarded by what was done. */
void
ioreq_server_detach(struct hv *hv)
{
	uint32_t domid = hv->cfg.domid;

	if (hv->created)
		ioreq_server_quiesce(hv);
	if (hv->created)
		xendevicemodel_destroy_ioreq_server(hv->dmod, domid, hv->id);
	if (hv->xs_node_written)
		xs_state_rm(hv, NULL);
	if (hv->buf_bound)
		xenevtchn_unbind(hv->xce, hv->buf_local);
	for (unsigned int i = 0; i < hv->nr_vcpus; i++)
		if (hv->bound[i])
			xenevtchn_unbind(hv->xce, hv->local_port[i]);
	if (hv->fmem)
		mapcache_flush(hv);
	if (hv->fres)
		xenforeignmemory_unmap_resource(hv->fmem, hv->fres);
	if (hv->legacy_mapped) {
		if (hv->iopage)
			xenforeignmemory_unmap(hv->fmem, hv->iopage, 1);
		if (hv->bufpage)
			xenforeignmemory_unmap(hv->fmem, hv->bufpage, 1);
	}
	if (hv->xsh)
		xs_close(hv->xsh);
	if (hv->xch)
		xc_interface_close(hv->xch);
	if (hv->xce)
		xenevtchn_close(hv->xce);
	if (hv->fmem)
		xenforeignmemory_close(hv->fmem);
	if (hv->dmod)
		xendevicemodel_close(hv->dmod);
	free(hv->wp_gfns);
	pthread_mutex_destroy(&hv->lock);
	free(hv);
}
