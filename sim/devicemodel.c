/* SPDX-License-Identifier: MIT */
/*
 * devicemodel.c — libxendevicemodel over the simulated hypervisor: ioreq
 * server lifecycle and range sets, the HVMMEM_ioreq_server claim and p2m
 * type changes with Xen 4.17's rules (xen/common/ioreq.c, x86 dm.c, p2m.c),
 * MSI injection into the domain's MSI log (x86 hvm/irq.c, vmsi.c), INTx
 * levels. The caller is always dom0. Error order as Xen's: privcmd's
 * restriction (EPERM), then the domain (ESRCH), then the op's own checks.
 */
/* HVM_IOREQSRV_BUFIOREQ_* are tools-only definitions. */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xendevicemodel.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/hvm_op.h>

#include "sim_int.h"

struct xendevicemodel_handle {
	struct sim_rhandle rh;	/* first: see sim_rhandle_new */
};

/* Lock the machine and find domid; on success the lock is held. */
static int
dm_begin(xendevicemodel_handle *h, domid_t domid, struct sim_domain **d)
{
	if (h->rh.rdom >= 0 && h->rh.rdom != domid)
		return -EPERM;
	sim_lock(h->rh.m);
	*d = sim_domain_find(h->rh.m, domid);
	if (!*d) {
		sim_unlock(h->rh.m);
		return -ESRCH;
	}
	return 0;
}

/* Xen get_ioreq_server + the emulator check: -ENOENT, then -EPERM. */
static int
srv_get(struct sim_domain *d, ioservid_t id, struct sim_server **s)
{
	if (id >= SIM_MAX_SERVERS || !d->srv[id].used)
		return -ENOENT;
	if (d->srv[id].emu_domid != XENSIM_DM_DOMID)
		return -EPERM;
	*s = &d->srv[id];
	return 0;
}

/* dm_begin + srv_get; on success the lock is held, on failure it is not. */
static int
srv_begin(xendevicemodel_handle *h, domid_t domid, ioservid_t id, struct sim_domain **d,
	  struct sim_server **s)
{
	int rc = dm_begin(h, domid, d);

	if (rc)
		return rc;
	rc = srv_get(*d, id, s);
	if (rc)
		sim_unlock(h->rh.m);
	return rc;
}

/* Lock held: close the server's event channel ports and clear its slot. */
static void
srv_release(struct sim_machine *m, struct sim_server *s)
{
	for (uint32_t v = 0; v < XENSIM_MAX_VCPUS; v++)
		if (s->vcpu_port[v])
			sim_port_close(m, s->vcpu_port[v]);
	if (s->buf_port)
		sim_port_close(m, s->buf_port);
	memset(s, 0, sizeof(*s));
	s->ioreq_gfn = s->bufioreq_gfn = SIM_NO_GFN;
}

xendevicemodel_handle *
xendevicemodel_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return sim_rhandle_new(sizeof(xendevicemodel_handle));
}

int
xendevicemodel_close(xendevicemodel_handle *dmod)
{
	if (dmod)
		sim_rhandle_free(&dmod->rh);
	return 0;
}

int
xendevicemodel_restrict(xendevicemodel_handle *dmod, domid_t domid)
{
	return sim_ret_errno(sim_rhandle_restrict(&dmod->rh, domid));
}

int
xendevicemodel_create_ioreq_server(xendevicemodel_handle *dmod, domid_t domid, int handle_bufioreq,
				   ioservid_t *id)
{
	struct sim_machine *m = dmod->rh.m;
	struct sim_domain *d;
	struct sim_server *s = NULL;
	int rc, sid = -1;

	if (handle_bufioreq < HVM_IOREQSRV_BUFIOREQ_OFF || handle_bufioreq > HVM_IOREQSRV_BUFIOREQ_ATOMIC)
		return sim_ret_errno(-EINVAL);
	rc = dm_begin(dmod, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	/* ioreq_server_add_vcpu -> get_free_port: -EINVAL once the domain is dying. */
	if (d->dying) {
		rc = -EINVAL;
		goto out;
	}
	/* ioreq_server_create: the lowest free id. */
	for (int i = 0; i < SIM_MAX_SERVERS && sid < 0; i++)
		if (!d->srv[i].used)
			sid = i;
	if (sid < 0) {
		rc = -ENOSPC;
		goto out;
	}
	s = &d->srv[sid];
	memset(s, 0, sizeof(*s));
	memset(m->state_base + sim_srv_pages_off(m, d, sid), 0, 2 * SIM_PAGE);
	/* Per vCPU an unbound guest port whose remote end is the emulator (ioreq_server_add_vcpu). */
	for (uint32_t v = 0; v < d->vcpus; v++) {
		rc = sim_port_alloc_unbound(m, d->domid, XENSIM_DM_DOMID, v);
		if (rc < 0)
			goto err_ports;
		s->vcpu_port[v] = (uint32_t)rc;
	}
	if (handle_bufioreq != HVM_IOREQSRV_BUFIOREQ_OFF) {
		rc = sim_port_alloc_unbound(m, d->domid, XENSIM_DM_DOMID, 0);
		if (rc < 0)
			goto err_ports;
		s->buf_port = (uint32_t)rc;
	}
	s->used = 1;
	s->ioreq_gfn = s->bufioreq_gfn = SIM_NO_GFN;
	s->emu_domid = XENSIM_DM_DOMID;
	s->bufioreq = handle_bufioreq;
	s->owner_pid = getpid();
	*id = (ioservid_t)sid;
	rc = 0;
	goto out;

err_ports:
	srv_release(m, s);
out:
	sim_unlock(m);
	return sim_ret_errno(rc);
}

/*
 * Lock held. x86 hvm_map_ioreq_gfn: a page already handed out by
 * map_resource cannot go into a gfn (-EPERM); otherwise take a gfn from
 * the pool at the top of guest RAM (-ENOMEM when empty). The server page
 * then IS that guest page (prepare_ring_for_helper).
 */
static int
legacy_gfn_alloc(struct sim_machine *m, struct sim_domain *d, struct sim_server *s, uint64_t *gfn)
{
	uint8_t *p2m = sim_p2m(m, d);

	if (*gfn != SIM_NO_GFN)
		return 0;
	if (s->res_mapped)
		return -EPERM;
	for (unsigned int i = 0; i < XENSIM_IOREQ_GFN_POOL && i < d->ram_pages; i++) {
		uint64_t g = d->ram_pages - 1 - i;

		if ((d->ioreq_gfn_used & (1u << i)) || p2m[g] != P2M_RAM_RW)
			continue;
		d->ioreq_gfn_used |= 1u << i;
		*gfn = g;
		return 0;
	}
	return -ENOMEM;
}

/* Lock held. hvm_unmap_ioreq_gfn: the gfn goes back to the pool. */
static void
legacy_gfn_free(struct sim_domain *d, uint64_t *gfn)
{
	if (*gfn == SIM_NO_GFN)
		return;
	d->ioreq_gfn_used &= ~(1u << (d->ram_pages - 1 - *gfn));
	*gfn = SIM_NO_GFN;
}

/*
 * Lock held. Enable takes the legacy gfns out of the guest p2m (the guest
 * then sees a hole there), disable puts them back; both clear the page
 * (hvm_remove_ioreq_gfn / hvm_add_ioreq_gfn).
 */
static void
legacy_gfns_set(struct sim_machine *m, struct sim_domain *d, struct sim_server *s, bool in_p2m)
{
	uint64_t gfns[2] = { s->ioreq_gfn, s->bufioreq_gfn };

	for (int i = 0; i < 2; i++) {
		if (gfns[i] == SIM_NO_GFN)
			continue;
		memset(m->mem + d->mem_base + gfns[i] * SIM_PAGE, 0, SIM_PAGE);
		sim_p2m(m, d)[gfns[i]] = in_p2m ? P2M_RAM_RW : P2M_HOLE;
	}
}

/*
 * ioreq_server_get_info: -ENOENT, -EPERM; with gfn pointers the pages are
 * placed into guest gfns (arch_ioreq_server_map_pages). The bufioreq gfn
 * and port are only reported with bufioreq on.
 */
int
xendevicemodel_get_ioreq_server_info(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
				     xen_pfn_t *ioreq_gfn, xen_pfn_t *bufioreq_gfn,
				     evtchn_port_t *bufioreq_port)
{
	struct sim_domain *d;
	struct sim_server *s;
	int rc;

	rc = srv_begin(dmod, domid, id, &d, &s);
	if (rc)
		return sim_ret_errno(rc);
	if (ioreq_gfn || bufioreq_gfn) {
		rc = legacy_gfn_alloc(dmod->rh.m, d, s, &s->ioreq_gfn);
		if (!rc && s->bufioreq != HVM_IOREQSRV_BUFIOREQ_OFF)
			rc = legacy_gfn_alloc(dmod->rh.m, d, s, &s->bufioreq_gfn);
		if (rc)
			legacy_gfn_free(d, &s->ioreq_gfn);
	}
	if (!rc) {
		if (ioreq_gfn)
			*ioreq_gfn = s->ioreq_gfn;
		if (s->bufioreq != HVM_IOREQSRV_BUFIOREQ_OFF) {
			if (bufioreq_gfn)
				*bufioreq_gfn = s->bufioreq_gfn;
			if (bufioreq_port)
				*bufioreq_port = s->buf_port;
		}
	}
	sim_unlock(dmod->rh.m);
	return sim_ret_errno(rc);
}

static int
range_op(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, int kind, uint64_t start,
	 uint64_t end, bool map)
{
	struct sim_domain *d;
	struct sim_server *s;
	int rc;

	rc = srv_begin(dmod, domid, id, &d, &s);
	if (rc)
		return sim_ret_errno(rc);
	if (map)
		rc = sim_range_map(s, kind, start, end);
	else
		rc = end < start ? -EINVAL : sim_range_del(s, kind, start, end);
	sim_unlock(dmod->rh.m);
	return sim_ret_errno(rc);
}

int
xendevicemodel_map_io_range_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
					    ioservid_t id, int is_mmio, uint64_t start, uint64_t end)
{
	return range_op(dmod, domid, id, is_mmio ? SIM_RANGE_MEMORY : SIM_RANGE_PORT, start, end,
			true);
}

int
xendevicemodel_unmap_io_range_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						ioservid_t id, int is_mmio, uint64_t start,
						uint64_t end)
{
	return range_op(dmod, domid, id, is_mmio ? SIM_RANGE_MEMORY : SIM_RANGE_PORT, start, end,
			false);
}

/* XEN_DMOP_(un)map_io_range_to_ioreq_server with an SBDF singleton. */
static int
pcidev_op(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id, uint16_t segment,
	  uint8_t bus, uint8_t device, uint8_t function, bool add)
{
	uint64_t sbdf = XEN_DMOP_PCI_SBDF(segment, bus, device, function);

	if (device > 0x1f || function > 7)
		return sim_ret_errno(-EINVAL);
	return range_op(dmod, domid, id, SIM_RANGE_PCI, sbdf, sbdf, add);
}

int
xendevicemodel_map_pcidev_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
					  ioservid_t id, uint16_t segment, uint8_t bus,
					  uint8_t device, uint8_t function)
{
	return pcidev_op(dmod, domid, id, segment, bus, device, function, true);
}

int
xendevicemodel_unmap_pcidev_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
					      ioservid_t id, uint16_t segment, uint8_t bus,
					      uint8_t device, uint8_t function)
{
	return pcidev_op(dmod, domid, id, segment, bus, device, function, false);
}

/* Lock held: p2m_ioreq_server entries back to ram_rw (the unclaim sweep). */
static void
sweep_ioreq_pages(struct sim_machine *m, struct sim_domain *d)
{
	uint8_t *p2m = sim_p2m(m, d);

	for (uint64_t g = 0; g < d->ram_pages && d->ioreq_entries; g++)
		if (p2m[g] == P2M_IOREQ_SERVER) {
			p2m[g] = P2M_RAM_RW;
			d->ioreq_entries--;
		}
	d->ioreq_entries = 0;
}

int
xendevicemodel_map_mem_type_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
					    ioservid_t id, uint16_t type, uint32_t flags)
{
	struct sim_domain *d;
	struct sim_server *s;
	int rc;

	rc = dm_begin(dmod, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	/*
	 * dm.c XEN_DMOP_map_mem_type_to_ioreq_server: -EOPNOTSUPP without HAP;
	 * then ioreq_server_map_mem_type: only HVMMEM_ioreq_server, only the
	 * WRITE flag (READ is rejected), then the server (-ENOENT, -EPERM).
	 */
	if (!d->hap)
		rc = -EOPNOTSUPP;
	else if (type != HVMMEM_ioreq_server || (flags & ~XEN_DMOP_IOREQ_MEM_ACCESS_WRITE))
		rc = -EINVAL;
	else
		rc = srv_get(d, id, &s);
	if (rc)
		goto out;
	if (flags == 0) {
		/* p2m_set_ioreq_server(d, 0, s): only the holder may unclaim. */
		if (d->memtype_server != (int32_t)id) {
			rc = -EINVAL;
			goto out;
		}
		d->memtype_server = -1;
		d->memtype_flags = 0;
		sweep_ioreq_pages(dmod->rh.m, d);
	} else {
		/* Busy while held (even by this server) or while old entries remain. */
		if (d->memtype_server >= 0 || d->ioreq_entries) {
			rc = -EBUSY;
			goto out;
		}
		d->memtype_server = id;
		d->memtype_flags = flags;
	}
out:
	sim_unlock(dmod->rh.m);
	return sim_ret_errno(rc);
}

/*
 * dm.c allow_p2m_type_change: to ioreq_server only from ram_rw, from
 * ioreq_server only to ram_rw; any other RAM type may become anything
 * (ram_rw <-> ram_ro, ram_rw -> mmio_dm); a hole only mmio_dm. A direct
 * map (mmio_direct) is neither RAM nor a hole.
 */
static bool
allow_p2m_type_change(enum sim_p2m old, enum sim_p2m new)
{
	if (new == P2M_IOREQ_SERVER)
		return old == P2M_RAM_RW;
	if (old == P2M_IOREQ_SERVER)
		return new == P2M_RAM_RW;
	return sim_p2m_is_ram(old) || (old == P2M_HOLE && new == P2M_HOLE);
}

/*
 * dm.c set_mem_type, in its order: last = first + nr - 1 must neither wrap
 * (so nr = 0 is -EINVAL) nor pass domain_get_maximum_gpfn (max_mapped_pfn);
 * type HVMMEM_unused or unknown -EINVAL; HVMMEM_ioreq_server needs HAP
 * (-EOPNOTSUPP) and a claimant (-EINVAL). Then page by page
 * (p2m_change_type_one), stopping at the first refused page; pages before
 * it keep their new type. mmio_dm is a hole to the sim (P2M_HOLE): a RAM
 * page made mmio_dm traps to the ioreq servers and cannot come back.
 */
int
xendevicemodel_set_mem_type(xendevicemodel_handle *dmod, domid_t domid, hvmmem_type_t mem_type,
			    uint64_t first_pfn, uint32_t nr)
{
	/* dm.c memtype[]: HVMMEM_* -> p2m type; HVMMEM_unused (p2m_invalid) is refused. */
	static const int8_t memtype[] = {
		[HVMMEM_ram_rw] = P2M_RAM_RW,
		[HVMMEM_ram_ro] = P2M_RAM_RO,
		[HVMMEM_mmio_dm] = P2M_HOLE,
		[HVMMEM_unused] = -1,
		[HVMMEM_ioreq_server] = P2M_IOREQ_SERVER,
	};
	uint16_t type = (uint16_t)mem_type; /* xen_dm_op_set_mem_type.mem_type */
	uint64_t last = first_pfn + nr - 1;
	struct sim_domain *d;
	uint8_t *p2m;
	int rc;

	rc = dm_begin(dmod, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	if (first_pfn > last || last > d->max_gfn ||
	    type >= sizeof(memtype) / sizeof(memtype[0]) || memtype[type] < 0)
		rc = -EINVAL;
	else if (type == HVMMEM_ioreq_server && !d->hap)
		rc = -EOPNOTSUPP;
	else if (type == HVMMEM_ioreq_server && d->memtype_server < 0)
		rc = -EINVAL;
	if (rc)
		goto out;
	p2m = sim_p2m(dmod->rh.m, d);
	for (uint64_t g = first_pfn; g <= last; g++) {
		enum sim_p2m old = sim_p2m_type(dmod->rh.m, d, g, NULL);
		enum sim_p2m new = (enum sim_p2m)memtype[type];

		if (!allow_p2m_type_change(old, new)) {
			rc = -EINVAL;
			break;
		}
		if (g >= d->ram_pages)
			continue; /* a hole stays a hole */
		if (old == P2M_IOREQ_SERVER)
			d->ioreq_entries--;
		if (new == P2M_IOREQ_SERVER)
			d->ioreq_entries++;
		p2m[g] = (uint8_t)new;
	}
out:
	sim_unlock(dmod->rh.m);
	return sim_ret_errno(rc);
}

int
xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
				      int enabled)
{
	struct sim_domain *d;
	struct sim_server *s;
	int rc;

	rc = srv_begin(dmod, domid, id, &d, &s);
	if (rc)
		return sim_ret_errno(rc);
	if (!!enabled != !!s->enabled) {
		s->enabled = !!enabled;
		legacy_gfns_set(dmod->rh.m, d, s, !s->enabled);
		/*
		 * ioreq_server_update_evtchn: enabling publishes each vCPU's port,
		 * but only into pages that exist (mapped by map_resource or placed
		 * in gfns). Pages mapped later get no port until the next enable.
		 */
		if (s->enabled && (s->res_mapped || s->ioreq_gfn != SIM_NO_GFN))
			for (uint32_t v = 0; v < d->vcpus; v++)
				sim_srv_slot(dmod->rh.m, d, id, v)->vp_eport = s->vcpu_port[v];
	}
	sim_unlock(dmod->rh.m);
	return sim_ret_errno(rc);
}

int
xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id)
{
	struct sim_domain *d;
	struct sim_server *s;
	int rc;

	rc = srv_begin(dmod, domid, id, &d, &s);
	if (rc)
		return sim_ret_errno(rc);
	/* The claim goes, but typed pages are NOT swept (x86 arch_ioreq_server_destroy). */
	if (d->memtype_server == (int32_t)id) {
		d->memtype_server = -1;
		d->memtype_flags = 0;
	}
	/* ioreq_server_deinit: disable (gfns back into the p2m), then unmap. */
	if (s->enabled)
		legacy_gfns_set(dmod->rh.m, d, s, true);
	legacy_gfn_free(d, &s->ioreq_gfn);
	legacy_gfn_free(d, &s->bufioreq_gfn);
	srv_release(dmod->rh.m, s);
	sim_unlock(dmod->rh.m);
	return 0;
}

/*
 * vlapic_match_dest for the sim's guest, whose vLAPICs are all enabled in
 * xAPIC mode with Xen's reset APIC ID (vlapic_reset: vcpu_id * 2) and a
 * flat logical destination (LDR bit vcpu_id, as Linux programs it).
 * Physical mode: the ID or the broadcast 0xff; logical: any common bit.
 */
static bool
vlapic_match_dest(unsigned int vcpu, uint8_t dest, bool logical)
{
	if (logical)
		return dest & (1u << vcpu);
	return dest == 0xff || dest == vcpu * 2;
}

/* Lock held. Record a delivered MSI and wake the domain's vCPUs. */
static void
msi_log(struct sim_machine *m, struct sim_domain *d, uint64_t addr, uint32_t data)
{
	d->msi[d->msi_count % SIM_MSI_LOG].addr = addr;
	d->msi[d->msi_count % SIM_MSI_LOG].data = data;
	__atomic_store_n(&d->msi_count, d->msi_count + 1, __ATOMIC_RELEASE);
	for (int v = 0; v < XENSIM_MAX_VCPUS; v++)
		if (d->vcpu_handle[v] > 0)
			sim_doorbell(m, d->vcpu_handle[v] - 1);
}

/*
 * Lock held. x86 hvm/irq.c hvm_inject_msi. Vector 0 is Xen's PIRQ MSI:
 * pirq = (addr[63:40] << 8) | dest id as an int, <= 0 -ERANGE. The first
 * use binds it as IRQ_MSI_EMU (map_domain_emuirq_pirq: pirq >= nr_pirqs
 * -EINVAL); only one pirq gets that binding (the emuirq -> pirq slot of
 * IRQ_MSI_EMU is taken, so another pirq with no pirq_info yet is
 * -EBUSY); then send_guest_pirq, which does nothing for an HVM guest that
 * bound no event channel to it (the sim's guests bind none): 0, nothing
 * logged. Otherwise vmsi_deliver: Fixed to every matching vLAPIC (none: 0,
 * nothing delivered), LowestPrio to one (none: -ESRCH), any other
 * delivery mode -EINVAL. Only delivered MSIs enter the MSI log.
 */
static int
inject_msi(struct sim_machine *m, struct sim_domain *d, uint64_t addr, uint32_t data)
{
	uint8_t dest = (uint8_t)(addr >> 12);	/* MSI_ADDR_DEST_ID */
	bool logical = addr & 4;		/* MSI_ADDR_DESTMODE */
	unsigned int mode = (data >> 8) & 7;	/* MSI_DATA_DELIVERY_MODE */
	bool hit = false;

	if ((data & 0xff) == 0) {
		int pirq = (int)(((addr >> 32) & 0xffffff00u) | dest);

		if (pirq <= 0)
			return -ERANGE;
		if (d->msi_pirq == pirq)
			return 0;
		if (pirq >= SIM_NR_PIRQS)
			return -EINVAL;
		if (d->msi_pirq)
			return -EBUSY;
		d->msi_pirq = pirq;
		return 0;
	}
	if (mode != 0 /* dest_Fixed */ && mode != 1 /* dest_LowestPrio */)
		return -EINVAL;
	for (unsigned int v = 0; v < d->vcpus && !hit; v++)
		hit = vlapic_match_dest(v, dest, logical);
	if (!hit)
		return mode ? -ESRCH : 0;
	msi_log(m, d, addr, data);
	return 0;
}

/* XEN_DMOP_inject_msi: libxendevicemodel zeroes the op, so its pad check (-EINVAL) never fires. */
int
xendevicemodel_inject_msi(xendevicemodel_handle *dmod, domid_t domid, uint64_t msi_addr,
			  uint32_t msi_data)
{
	struct sim_domain *d;
	int rc;

	rc = dm_begin(dmod, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	rc = inject_msi(dmod->rh.m, d, msi_addr, msi_data);
	sim_unlock(dmod->rh.m);
	return sim_ret_errno(rc);
}

int
xendevicemodel_nr_vcpus(xendevicemodel_handle *dmod, domid_t domid, unsigned int *vcpus)
{
	struct sim_domain *d;
	int rc;

	rc = dm_begin(dmod, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	*vcpus = d->vcpus;
	sim_unlock(dmod->rh.m);
	return 0;
}

/*
 * dm.c set_pci_intx_level: segment 0, bus 0, device <= 31, intx <= 3, and
 * a level (a u8 in the op) of 0 (hvm_pci_intx_deassert) or 1 (assert),
 * else -EINVAL. The line is a level: asserting twice is one assertion.
 */
int
xendevicemodel_set_pci_intx_level(xendevicemodel_handle *dmod, domid_t domid, uint16_t segment,
				  uint8_t bus, uint8_t device, uint8_t intx, unsigned int level)
{
	uint8_t lvl = (uint8_t)level;
	unsigned int bit = device * 4u + intx;
	struct sim_domain *d;
	int rc;

	rc = dm_begin(dmod, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	if (segment || bus || device > 31 || intx > 3 || lvl > 1)
		rc = -EINVAL;
	else if (lvl)
		d->intx[bit / 64] |= 1ull << (bit % 64);
	else
		d->intx[bit / 64] &= ~(1ull << (bit % 64));
	sim_unlock(dmod->rh.m);
	return sim_ret_errno(rc);
}

int
xensim_intx_level(const char *machine, uint32_t domid, unsigned int dev, unsigned int intx)
{
	struct sim_machine *m;
	struct sim_domain *d;
	unsigned int bit = dev * 4u + intx;
	int rc;

	if (dev > 31 || intx > 3)
		return -EINVAL;
	rc = sim_tool_begin(machine, domid, &m, &d);
	if (rc)
		return rc;
	rc = (int)((d->intx[bit / 64] >> (bit % 64)) & 1);
	sim_tool_end(m);
	return rc;
}

/*
 * dm.c modified_memory returns 0 before looking at anything unless the
 * domain is in log-dirty mode (live migration), which the sim never is.
 */
int
xendevicemodel_modified_memory(xendevicemodel_handle *dmod, domid_t domid, uint64_t first_pfn,
			       uint32_t nr)
{
	struct sim_domain *d;
	int rc;

	(void)first_pfn;
	(void)nr;
	rc = dm_begin(dmod, domid, &d);
	if (rc)
		return sim_ret_errno(rc);
	sim_unlock(dmod->rh.m);
	return 0;
}

/* Test hook: pretend server id of domid was created by emulator domain emu_domid. */
int
xensim_server_set_emulator(const char *machine, uint32_t domid, uint16_t id, uint32_t emu_domid)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	rc = -ENOENT;
	if (id < SIM_MAX_SERVERS && d->srv[id].used) {
		d->srv[id].emu_domid = emu_domid;
		rc = 0;
	}
	sim_tool_end(m);
	return rc;
}
