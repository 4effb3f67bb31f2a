/* SPDX-License-Identifier: MIT */
/*
 * memwin.c — machine memory as this process sees it, with windows of
 * external memory: a range of machine addresses reserved machine-wide,
 * where this process places pages of a file it was given (a QEMU guest's
 * RAM memfd) over its own mapping of the machine. Whatever in this
 * process reads or writes machine memory through that mapping (softgpu's
 * DMA, an aperture access translated by the GGTT, xensim_mem_rw) then
 * reaches the file. Not a Xen facility: the sim's answer to "gfn -> DMA
 * address" for a guest whose RAM is not the machine's (qemu-glue/).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_int.h"
#include "softgpu/softgpu.h"

#define MEMWIN_ALIGN (2ull << 20)	/* windows start on a 2 MiB boundary */

struct xensim_mem {
	struct sim_machine *m;
	pthread_mutex_t lock;		/* guards gpu (opened on first aperture access) */
	struct softgpu *gpu;
	unsigned int nwin;
	struct {
		uint64_t maddr, size;
	} win[XENSIM_MEM_MAX_WINDOWS];
};

struct xensim_mem *
xensim_mem_open(const char *machine)
{
	struct xensim_mem *x = calloc(1, sizeof(*x));
	int e;

	if (!x)
		return NULL;
	x->m = sim_machine_get(machine, true);
	if (!x->m) {
		e = errno;
		free(x);
		errno = e;
		return NULL;
	}
	pthread_mutex_init(&x->lock, NULL);
	return x;
}

/* Put the machine's own pages back over [maddr, maddr + len) in this process. */
static int
memwin_restore(struct xensim_mem *x, uint64_t maddr, uint64_t len)
{
	void *p = mmap(x->m->mem + maddr, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED | MAP_NORESERVE, x->m->mem_fd, (off_t)maddr);

	return p == MAP_FAILED ? -errno : 0;
}

void
xensim_mem_close(struct xensim_mem *x)
{
	if (!x)
		return;
	for (unsigned int i = 0; i < x->nwin; i++)
		(void)memwin_restore(x, x->win[i].maddr, x->win[i].size);
	softgpu_close(x->gpu);
	pthread_mutex_destroy(&x->lock);
	sim_machine_put(x->m);
	free(x);
}

/*
 * Machine addresses come from the same bump allocator as domains' RAM
 * (xensim_domain_create), so no domain is ever given a window's range;
 * as with a destroyed domain's extent, a window's range is not reused.
 */
int
xensim_mem_window(struct xensim_mem *x, uint64_t size, uint64_t *maddr)
{
	struct sim_state *st = x->m->st;
	uint64_t base;
	int rc = 0;

	if (!size || (size & (SIM_PAGE - 1)) || size > XENSIM_MEM_SIZE)
		return -EINVAL;
	if (x->nwin == XENSIM_MEM_MAX_WINDOWS)
		return -ENOSPC;
	sim_lock(x->m);
	base = (st->mem_next + MEMWIN_ALIGN - 1) & ~(MEMWIN_ALIGN - 1);
	if (base > XENSIM_MEM_SIZE || size > XENSIM_MEM_SIZE - base)
		rc = -ENOMEM;
	else
		st->mem_next = base + size;
	sim_unlock(x->m);
	if (rc)
		return rc;
	x->win[x->nwin].maddr = base;
	x->win[x->nwin].size = size;
	x->nwin++;
	*maddr = base;
	return 0;
}

/* Is [maddr, maddr + len) page aligned, non-empty and inside one of x's windows? */
static bool
memwin_inside(const struct xensim_mem *x, uint64_t maddr, uint64_t len)
{
	if (!len || ((maddr | len) & (SIM_PAGE - 1)))
		return false;
	for (unsigned int i = 0; i < x->nwin; i++)
		if (maddr >= x->win[i].maddr && maddr - x->win[i].maddr < x->win[i].size &&
		    len <= x->win[i].size - (maddr - x->win[i].maddr))
			return true;
	return false;
}

int
xensim_mem_map(struct xensim_mem *x, uint64_t maddr, uint64_t len, int fd, uint64_t off)
{
	struct stat sb;
	void *p;

	if (!memwin_inside(x, maddr, len) || (off & (SIM_PAGE - 1)) || off > INT64_MAX - len)
		return -EINVAL;
	if (fstat(fd, &sb) < 0)
		return -errno;
	/* Pages past the end of the file would fault (SIGBUS) on the first access. */
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size < off + len)
		return -EINVAL;
	p = mmap(x->m->mem + maddr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 (off_t)off);
	if (p == MAP_FAILED) {
		int e = errno;

		/* Whatever the kernel left there, the machine's own pages go back. */
		(void)memwin_restore(x, maddr, len);
		return -e;
	}
	return 0;
}

int
xensim_mem_unmap(struct xensim_mem *x, uint64_t maddr, uint64_t len)
{
	if (!memwin_inside(x, maddr, len))
		return -EINVAL;
	return memwin_restore(x, maddr, len);
}

/* One piece within a page: RAM (windows included) or the aperture through the GGTT. */
static bool
memwin_page(struct xensim_mem *x, uint64_t maddr, uint8_t *buf, size_t len, bool write)
{
	uint64_t t;

	if (maddr >= XENSIM_APERTURE_MADDR && maddr - XENSIM_APERTURE_MADDR < SOFTGPU_APERTURE_SIZE) {
		pthread_mutex_lock(&x->lock);
		if (!x->gpu)
			x->gpu = softgpu_open(x->m->name);
		pthread_mutex_unlock(&x->lock);
		if (!x->gpu || softgpu_aperture_translate(x->gpu, maddr - XENSIM_APERTURE_MADDR, &t))
			return false;
		maddr = t;
	}
	if (maddr >= XENSIM_MEM_SIZE || len > XENSIM_MEM_SIZE - maddr)
		return false;
	if (write)
		memcpy(x->m->mem + maddr, buf, len);
	else
		memcpy(buf, x->m->mem + maddr, len);
	return true;
}

int
xensim_mem_rw(struct xensim_mem *x, uint64_t maddr, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;
	bool miss = false;

	while (len) {
		size_t chunk = SIM_PAGE - (size_t)(maddr & (SIM_PAGE - 1));

		if (chunk > len)
			chunk = len;
		if (!memwin_page(x, maddr, b, chunk, write)) {
			miss = true;
			if (!write)
				memset(b, 0xff, chunk);
		}
		if (maddr > UINT64_MAX - chunk) {
			if (!write && len > chunk)
				memset(b + chunk, 0xff, len - chunk);
			return -EFAULT;
		}
		maddr += chunk;
		b += chunk;
		len -= chunk;
	}
	return miss ? -EFAULT : 0;
}
