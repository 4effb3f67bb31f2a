/* SPDX-License-Identifier: MIT */
/*
 * foreignmem.c — libxenforeignmemory over the simulated machine: guest RAM
 * pages mapped straight from the machine RAM file with per-page errors,
 * and ioreq server frames (XENMEM_resource_ioreq_server) mapped from the
 * state file. Each mapping holds its pages as Xen's page references do:
 * counted per process in the domain, so a destroyed domain stays dying
 * until the last one is unmapped (or its process is gone). Also
 * xentoolcore_restrict_all.
 */
/* HVM_IOREQSRV_BUFIOREQ_* are tools-only definitions. */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <pthread.h>
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
	uint32_t domid;
	uint64_t held;		/* frames counted in the domain */
};

/* A live xenforeignmemory_map of this process and the pages it holds. */
struct fmap {
	struct sim_machine *m;
	uint32_t domid;
	void *addr;
	uint64_t held;
	struct fmap *next;
};

static pthread_mutex_t fmaps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fmap *fmaps;

/* Lock not held. Count (delta > 0) or release pages of domid held by this process. */
static int
hold(struct sim_machine *m, uint32_t domid, int64_t delta)
{
	struct sim_domain *d;
	int rc = 0;

	if (!delta)
		return 0;
	sim_lock(m);
	d = sim_domain_find(m, domid);
	if (d)
		rc = sim_domain_maps(m, d, delta);
	sim_unlock(m);
	return rc;
}

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
 * Map pages gfns of dom. RAM pages (also those typed ioreq_server or ram_ro)
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
	struct fmap *fm;
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
	fm = calloc(1, sizeof(*fm));
	if (!fm) {
		munmap(va, pages * SIM_PAGE);
		return NULL;
	}
	for (size_t i = 0; i < pages; i++) {
		int e = 0;

		if (arr[i] >= ram_pages || !sim_p2m_is_ram(p2m[arr[i]])) {
			e = -EFAULT;
		} else if (mmap(va + i * SIM_PAGE, SIM_PAGE, prot, MAP_SHARED | MAP_FIXED,
				fmem->rh.m->mem_fd, (off_t)(base + arr[i] * SIM_PAGE)) == MAP_FAILED) {
			e = -errno;
		}
		if (err)
			err[i] = e;
		if (e && !first_err)
			first_err = e;
		else if (!e)
			fm->held++;
	}
	if (!first_err || err)
		first_err = hold(fmem->rh.m, dom, (int64_t)fm->held);
	if (first_err) {
		munmap(va, pages * SIM_PAGE);
		free(fm);
		errno = -first_err;
		return NULL;
	}
	fm->m = fmem->rh.m;
	fm->domid = dom;
	fm->addr = va;
	pthread_mutex_lock(&fmaps_lock);
	fm->next = fmaps;
	fmaps = fm;
	pthread_mutex_unlock(&fmaps_lock);
	return va;
}

/* The pages go back: a dying domain that nobody maps any more is freed. */
int
xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
	struct fmap *fm = NULL;
	int rc;

	pthread_mutex_lock(&fmaps_lock);
	for (struct fmap **p = &fmaps; *p; p = &(*p)->next)
		if ((*p)->addr == addr && (*p)->m == fmem->rh.m) {
			fm = *p;
			*p = fm->next;
			break;
		}
	pthread_mutex_unlock(&fmaps_lock);
	rc = munmap(addr, pages * SIM_PAGE);
	if (fm) {
		hold(fm->m, fm->domid, -(int64_t)fm->held);
		free(fm);
	}
	return rc;
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
		/* The frames are the target's (PGC_extra) pages: each mapping holds them. */
		if (!rc)
			rc = sim_domain_maps(fmem->rh.m, d, (int64_t)nr_frames);
		if (!rc)
			s->res_mapped = 1;
	}
	sim_unlock(fmem->rh.m);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	fres = calloc(1, sizeof(*fres));
	va = fres ? mmap(paddr ? *paddr : NULL, nr_frames * SIM_PAGE, prot, MAP_SHARED,
			 fmem->rh.m->state_fd, (off_t)off) :
		    MAP_FAILED;
	if (va == MAP_FAILED) {
		int e = errno;

		hold(fmem->rh.m, domid, -(int64_t)nr_frames);
		free(fres);
		errno = e;
		return NULL;
	}
	fres->addr = va;
	fres->len = nr_frames * SIM_PAGE;
	fres->domid = domid;
	fres->held = nr_frames;
	if (paddr)
		*paddr = va;
	return fres;
}

int
xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
				xenforeignmemory_resource_handle *fres)
{
	if (!fres)
		return 0;
	munmap(fres->addr, fres->len);
	hold(fmem->rh.m, fres->domid, -(int64_t)fres->held);
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
