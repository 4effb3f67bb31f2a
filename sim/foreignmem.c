/* SPDX-License-Identifier: MIT */
/*
 * foreignmem.c — libxenforeignmemory over the simulated machine: guest RAM
 * pages mapped straight from the machine RAM file with per-page errors,
 * and ioreq server frames (XENMEM_resource_ioreq_server) mapped from the
 * state file. Also xentoolcore_restrict_all.
 */
/* HVM_IOREQSRV_BUFIOREQ_* are tools-only definitions. */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenforeignmemory.h>
#include <xentoolcore.h>
#include <xen/memory.h>
#include <xen/hvm/hvm_op.h>

#include "sim_int.h"

struct xenforeignmemory_handle {
	struct sim_rhandle rh;	/* first: see sim_rhandle_new */
};

struct xenforeignmemory_resource_handle {
	void *addr;
	size_t len;
};

xenforeignmemory_handle *
xenforeignmemory_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	(void)logger;
	(void)open_flags;
	return sim_rhandle_new(sizeof(xenforeignmemory_handle));
}

int
xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
	if (fmem)
		sim_rhandle_free(&fmem->rh);
	return 0;
}

int
xenforeignmemory_restrict(xenforeignmemory_handle *fmem, domid_t domid)
{
	return sim_ret_errno(sim_rhandle_restrict(&fmem->rh, domid));
}

/*
 * Map pages gfns of dom. RAM pages (also those typed p2m_ioreq_server)
 * map; anything else (holes, direct-mapped MMIO, RAM gfns taken out of
 * the p2m or replaced by a direct map) gets err[i] = -EFAULT
 * and stays an inaccessible hole. Without err[], any bad page fails the
 * whole call (NULL, errno from the first bad page), as libxenforeignmemory.
 */
void *
xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
		     const xen_pfn_t arr[], int err[])
{
	struct sim_domain *d;
	uint64_t base, ram_pages;
	uint8_t *va, *p2m;
	int first_err = 0;

	if (fmem->rh.rdom >= 0 && (uint32_t)fmem->rh.rdom != dom) {
		errno = EPERM;
		return NULL;
	}
	if (!pages) {
		errno = EINVAL;
		return NULL;
	}
	sim_lock(fmem->rh.m);
	d = sim_domain_find(fmem->rh.m, dom);
	base = d ? d->mem_base : 0;
	ram_pages = d ? d->ram_pages : 0;
	p2m = d ? sim_p2m(fmem->rh.m, d) : NULL;
	sim_unlock(fmem->rh.m);
	if (!d) {
		errno = ESRCH;
		return NULL;
	}
	va = mmap(NULL, pages * SIM_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		  0);
	if (va == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < pages; i++) {
		int e = 0;

		if (arr[i] >= ram_pages || p2m[arr[i]] > P2M_IOREQ_SERVER) {
			e = -EFAULT;
		} else if (mmap(va + i * SIM_PAGE, SIM_PAGE, prot, MAP_SHARED | MAP_FIXED,
				fmem->rh.m->mem_fd, (off_t)(base + arr[i] * SIM_PAGE)) == MAP_FAILED) {
			e = -errno;
		}
		if (err)
			err[i] = e;
		if (e && !first_err)
			first_err = e;
	}
	if (first_err && !err) {
		munmap(va, pages * SIM_PAGE);
		errno = -first_err;
		return NULL;
	}
	return va;
}

int
xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
	(void)fmem;
	return munmap(addr, pages * SIM_PAGE);
}

/*
 * Xen ioreq_server_get_frame: frame 0 is the buffered page (-ENOENT with
 * bufioreq off), frame 1 the shared_iopage; anything else -EINVAL. Other
 * resource types are -EOPNOTSUPP, and so is everything on a machine with
 * the legacy-ioreq-pages switch on (no map_resource support). Pages
 * already placed in guest gfns: -EPERM (ioreq_server_alloc_mfn).
 */
xenforeignmemory_resource_handle *
xenforeignmemory_map_resource(xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
			      unsigned int id, unsigned long frame, unsigned long nr_frames,
			      void **paddr, int prot, int flags)
{
	xenforeignmemory_resource_handle *fres;
	struct sim_domain *d;
	struct sim_server *s;
	uint64_t off = 0;
	int rc = 0;
	void *va;

	(void)flags;
	if (fmem->rh.rdom >= 0 && fmem->rh.rdom != domid)
		rc = -EPERM;
	else if (type != XENMEM_resource_ioreq_server)
		rc = -EOPNOTSUPP;
	else if (nr_frames == 0 || frame > 1 || frame + nr_frames > 2)
		rc = -EINVAL;
	if (rc) {
		errno = -rc;
		return NULL;
	}
	sim_lock(fmem->rh.m);
	d = sim_domain_find(fmem->rh.m, domid);
	if (fmem->rh.m->st->legacy_ioreq_pages) {
		rc = -EOPNOTSUPP;
	} else if (!d) {
		rc = -ESRCH;
	} else if (id >= SIM_MAX_SERVERS || !d->srv[id].used) {
		rc = -ENOENT;
	} else {
		s = &d->srv[id];
		if (s->emu_domid != XENSIM_DM_DOMID || s->ioreq_gfn != SIM_NO_GFN)
			rc = -EPERM;
		else if (frame == XENMEM_resource_ioreq_server_frame_bufioreq &&
			 s->bufioreq == HVM_IOREQSRV_BUFIOREQ_OFF)
			rc = -ENOENT;
		else
			off = sim_srv_pages_off(fmem->rh.m, d, (int)id) + frame * SIM_PAGE;
		if (!rc)
			s->res_mapped = 1;
	}
	sim_unlock(fmem->rh.m);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	fres = calloc(1, sizeof(*fres));
	if (!fres)
		return NULL;
	va = mmap(paddr ? *paddr : NULL, nr_frames * SIM_PAGE, prot, MAP_SHARED, fmem->rh.m->state_fd,
		  (off_t)off);
	if (va == MAP_FAILED) {
		free(fres);
		return NULL;
	}
	fres->addr = va;
	fres->len = nr_frames * SIM_PAGE;
	if (paddr)
		*paddr = va;
	return fres;
}

int
xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
				xenforeignmemory_resource_handle *fres)
{
	(void)fmem;
	if (!fres)
		return 0;
	munmap(fres->addr, fres->len);
	free(fres);
	return 0;
}

int
xenforeignmemory_resource_size(xenforeignmemory_handle *fmem, domid_t domid, unsigned int type,
			       unsigned int id, size_t *size)
{
	(void)fmem;
	(void)domid;
	(void)id;
	if (type != XENMEM_resource_ioreq_server) {
		errno = EOPNOTSUPP;
		return -1;
	}
	*size = 2 * SIM_PAGE;
	return 0;
}

int
xentoolcore_restrict_all(domid_t domid)
{
	int rc = sim_restrict_all(domid);

	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}
