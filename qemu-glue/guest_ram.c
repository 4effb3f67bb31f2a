/* SPDX-License-Identifier: MIT */
/*
 * guest_ram.c — the guest's RAM as QEMU shares it: each SYNC_SYSMEM lists
 * the RAM regions (guest-physical range, file, offset; QEMU's
 * proxy-memory-listener.c sends one after every memory topology change,
 * mostly unchanged) and we map them here for read_gpa/write_gpa. The same
 * pages are placed in a window of the daemon's xensim machine, so the
 * DMA address of gpa is window + gpa and softgpu, which reaches machine
 * memory, reaches the guest's RAM there (docs/qemu-glue.md).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mediator/log.h"
#include "qemu_int.h"
#include "sim/xensim.h"

#define RAM_PAGE 4096ull
#define RAM_WINDOW_ALIGN (1ull << 30)	/* the DMA window: guest RAM's end, rounded up */

/* Check region i of a SYNC_SYSMEM; fill *r or say why not. */
static const char *
region_check(const struct mpq_msg *m, unsigned int i, const struct qg_region *ok, unsigned int nok,
	     struct qg_region *r)
{
	const struct mpq_sysmem *s = &m->data.sysmem;
	struct stat sb;

	memset(r, 0, sizeof(*r));
	r->gpa = s->gpas[i];
	r->size = s->sizes[i];
	if (!r->size || ((r->gpa | r->size) & (RAM_PAGE - 1)) || s->offsets[i] < 0 ||
	    ((uint64_t)s->offsets[i] & (RAM_PAGE - 1)))
		return "not page aligned";
	r->off = (uint64_t)s->offsets[i];
	if (r->gpa > UINT64_MAX - r->size || r->off > (uint64_t)INT64_MAX - r->size)
		return "wraps";
	if (fstat(m->fds[i], &sb) < 0 || !S_ISREG(sb.st_mode))
		return "not a file";
	/* Pages past the file's end would fault (SIGBUS) on our first access. */
	if ((uint64_t)sb.st_size < r->off + r->size)
		return "past the file's end";
	for (unsigned int j = 0; j < nok; j++)
		if (r->gpa < ok[j].gpa + ok[j].size && ok[j].gpa < r->gpa + r->size)
			return "overlaps another region";
	r->dev = sb.st_dev;
	r->ino = sb.st_ino;
	return NULL;
}

static bool
same_layout(const struct qg_region *a, unsigned int na, const struct qg_region *b, unsigned int nb)
{
	if (na != nb)
		return false;
	for (unsigned int i = 0; i < na; i++)
		if (a[i].gpa != b[i].gpa || a[i].size != b[i].size || a[i].off != b[i].off ||
		    a[i].dev != b[i].dev || a[i].ino != b[i].ino)
			return false;
	return true;
}

/* ram_lock held for writing: reserve the window once, then place every region that fits. */
static void
window_place(struct hv *hv, const int *fds)
{
	uint64_t end = 0;
	int rc;

	for (unsigned int i = 0; i < hv->nr_ram; i++)
		if (hv->ram[i].gpa + hv->ram[i].size > end)
			end = hv->ram[i].gpa + hv->ram[i].size;
	if (!hv->win_size && end) {
		uint64_t size = (end + RAM_WINDOW_ALIGN - 1) & ~(RAM_WINDOW_ALIGN - 1);

		rc = xensim_mem_window(hv->mem, size, &hv->win_maddr);
		if (rc) {
			log_err("[%s] no DMA window of %llu MiB in the machine: %d (no DMA)",
				hv->tag, (unsigned long long)(size >> 20), rc);
			return;
		}
		hv->win_size = size;
	}
	for (unsigned int i = 0; i < hv->nr_ram; i++) {
		struct qg_region *r = &hv->ram[i];

		if (r->gpa + r->size > hv->win_size) {
			log_warn("[%s] RAM at %#llx+%#llx is past the DMA window (%#llx): no DMA there",
				 hv->tag, (unsigned long long)r->gpa, (unsigned long long)r->size,
				 (unsigned long long)hv->win_size);
			continue;
		}
		rc = xensim_mem_map(hv->mem, hv->win_maddr + r->gpa, r->size, fds[i], r->off);
		r->in_window = rc == 0;
		if (rc)
			log_err("[%s] RAM at %#llx: placing it in the DMA window failed: %d",
				hv->tag, (unsigned long long)r->gpa, rc);
	}
}

void
guest_ram_sync(struct hv *hv, const struct mpq_msg *m)
{
	struct qg_region nr[MPQ_MAX_FDS], old[MPQ_MAX_FDS];
	int fds[MPQ_MAX_FDS];
	unsigned int n = 0, nold;
	bool same;

	QG_COUNT(hv, sync_sysmem);
	if (!m->nfds)
		log_warn("[%s] QEMU shares no guest RAM (back it with memory-backend-memfd,share=on):"
			 " guest memory and DMA are unavailable", hv->tag);
	for (unsigned int i = 0; i < m->nfds; i++) {
		const char *why = region_check(m, i, nr, n, &nr[n]);

		if (why) {
			QG_COUNT(hv, ram_rejected);
			log_warn("[%s] SYNC_SYSMEM region %u (gpa %#llx size %#llx): %s; ignored",
				 hv->tag, i, (unsigned long long)m->data.sysmem.gpas[i],
				 (unsigned long long)m->data.sysmem.sizes[i], why);
			continue;
		}
		fds[n++] = m->fds[i];
	}
	pthread_rwlock_rdlock(&hv->ram_lock);
	same = same_layout(hv->ram, hv->nr_ram, nr, n);
	pthread_rwlock_unlock(&hv->ram_lock);
	if (same) {
		QG_COUNT(hv, sync_same);
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		void *va = mmap(NULL, nr[i].size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i],
				(off_t)nr[i].off);

		if (va == MAP_FAILED) {
			QG_COUNT(hv, ram_rejected);
			log_warn("[%s] RAM at %#llx: mmap: %s; ignored", hv->tag,
				 (unsigned long long)nr[i].gpa, strerror(errno));
			nr[i] = nr[--n];
			fds[i] = fds[n];
			i--;
			continue;
		}
		nr[i].va = va;
	}
	pthread_rwlock_wrlock(&hv->ram_lock);
	nold = hv->nr_ram;
	memcpy(old, hv->ram, sizeof(old));
	for (unsigned int i = 0; i < nold; i++)
		if (old[i].in_window)
			(void)xensim_mem_unmap(hv->mem, hv->win_maddr + old[i].gpa, old[i].size);
	memcpy(hv->ram, nr, sizeof(nr[0]) * n);
	hv->nr_ram = n;
	window_place(hv, fds);
	pthread_rwlock_unlock(&hv->ram_lock);
	for (unsigned int i = 0; i < nold; i++)
		munmap(old[i].va, old[i].size);
	for (unsigned int i = 0; i < n; i++)
		log_info("[%s] guest RAM %#llx-%#llx (file offset %#llx)%s", hv->tag,
			 (unsigned long long)nr[i].gpa,
			 (unsigned long long)(nr[i].gpa + nr[i].size - 1),
			 (unsigned long long)nr[i].off, hv->ram[i].in_window ? "" : ", no DMA");
}

void
guest_ram_fini(struct hv *hv)
{
	pthread_rwlock_wrlock(&hv->ram_lock);
	for (unsigned int i = 0; i < hv->nr_ram; i++) {
		if (hv->ram[i].in_window)
			(void)xensim_mem_unmap(hv->mem, hv->win_maddr + hv->ram[i].gpa, hv->ram[i].size);
		munmap(hv->ram[i].va, hv->ram[i].size);
	}
	hv->nr_ram = 0;
	pthread_rwlock_unlock(&hv->ram_lock);
}

/* ram_lock held. The region holding gpa, or NULL. */
static const struct qg_region *
region_of(const struct hv *hv, uint64_t gpa)
{
	for (unsigned int i = 0; i < hv->nr_ram; i++)
		if (gpa >= hv->ram[i].gpa && gpa - hv->ram[i].gpa < hv->ram[i].size)
			return &hv->ram[i];
	return NULL;
}

int
guest_ram_copy(struct hv *hv, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
	uint8_t *b = buf;
	uint64_t cur;
	size_t left;
	int rc = 0;

	if (!len)
		return 0;
	if (gpa > UINT64_MAX - len)
		return -EFAULT;
	pthread_rwlock_rdlock(&hv->ram_lock);
	/* All or nothing: every byte must be RAM before any is copied. */
	for (cur = gpa, left = len; left && !rc;) {
		const struct qg_region *r = region_of(hv, cur);
		uint64_t n;

		if (!r) {
			rc = -EFAULT;
			break;
		}
		n = r->gpa + r->size - cur;
		n = n < left ? n : left;
		cur += n;
		left -= (size_t)n;
	}
	for (cur = gpa, left = len; left && !rc;) {
		const struct qg_region *r = region_of(hv, cur);
		uint64_t n = r->gpa + r->size - cur;
		uint8_t *p = r->va + (cur - r->gpa);

		n = n < left ? n : left;
		if (to_guest)
			memcpy(p, b, (size_t)n);
		else
			memcpy(b, p, (size_t)n);
		b += n;
		cur += n;
		left -= (size_t)n;
	}
	pthread_rwlock_unlock(&hv->ram_lock);
	return rc;
}

int
guest_ram_dma(struct hv *hv, uint64_t gfn, uint64_t *dma)
{
	const struct qg_region *r;
	int rc = -EFAULT;

	if (gfn >= (1ull << 52))
		return -EFAULT;
	pthread_rwlock_rdlock(&hv->ram_lock);
	r = region_of(hv, gfn << 12);
	if (!hv->win_size)
		rc = -EOPNOTSUPP;
	else if (r && r->in_window) {
		*dma = hv->win_maddr + (gfn << 12);
		rc = 0;
	}
	pthread_rwlock_unlock(&hv->ram_lock);
	return rc;
}
