/* SPDX-License-Identifier: MIT */
/*
 * fake_hv.c — the in-process hypervisor and physical GPU of the mediator
 * unit tests (fake_hv.h). It records every claim, write-protect, aperture
 * mapping and MSI so tests can assert them; guest RAM is a calloc'd buffer.
 * It is never linked into a daemon. Scenario tests use xen-glue + libxensim.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/mem/gm.h"
#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"

/* ---- hypervisor ops ---- */

/*
 * Injected failure: hv->fail_next makes the next op fail (after fail_skip
 * successful ops), fail_times ops in a row if set.
 */
static int
take_fail(struct hv *hv)
{
	int rc = hv->fail_next;

	if (rc && hv->fail_skip) {
		hv->fail_skip--;
		return 0;
	}
	if (hv->fail_times > 1) {
		hv->fail_times--;
		return rc;
	}
	hv->fail_next = 0;
	hv->fail_times = 0;
	return rc;
}

static bool
overlaps(const struct fake_claim *c, char kind, uint64_t start, uint64_t end)
{
	return c->live && c->kind == kind && start <= c->end && c->start <= end;
}

/* Like Xen's range sets: end >= start, no overlap with a live range of the same kind. */
static int
claim(struct hv *hv, char kind, uint64_t start, uint64_t end)
{
	int rc = take_fail(hv);
	struct fake_claim *slot = NULL;

	if (rc)
		return rc;
	if (end < start)
		return -EINVAL;
	for (unsigned int i = 0; i < hv->nr_claims; i++) {
		if (overlaps(&hv->claims[i], kind, start, end))
			return -EEXIST;
		if (!hv->claims[i].live && !slot)
			slot = &hv->claims[i];
	}
	if (!slot) {
		if (hv->nr_claims >= FAKE_MAX_CLAIMS)
			return -ENOSPC;
		slot = &hv->claims[hv->nr_claims++];
	}
	slot->kind = kind;
	slot->start = start;
	slot->end = end;
	slot->live = true;
	return 0;
}

static int
unclaim(struct hv *hv, char kind, uint64_t start, uint64_t end)
{
	int rc = take_fail(hv);

	if (rc)
		return rc;
	for (unsigned int i = 0; i < hv->nr_claims; i++) {
		struct fake_claim *c = &hv->claims[i];

		if (c->live && c->kind == kind && c->start == start && c->end == end) {
			c->live = false;
			return 0;
		}
	}
	return -ENOENT;
}

static int
fake_claim_io(struct hv *hv, bool mmio, uint64_t start, uint64_t end, bool on)
{
	if (end < start || (!mmio && end > 0xffff))
		return -EINVAL;
	return on ? claim(hv, mmio ? 'm' : 'p', start, end) : unclaim(hv, mmio ? 'm' : 'p', start, end);
}

static int
fake_claim_pcidev(struct hv *hv, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	uint64_t sbdf = (uint64_t)seg << 16 | (uint64_t)bus << 8 | (uint64_t)(dev & 0x1f) << 3 |
			(fn & 7);

	return claim(hv, 'd', sbdf, sbdf);
}

static bool
in_ram(const struct hv *hv, uint64_t gpa, size_t len)
{
	return gpa < hv->ram_size && len <= hv->ram_size - gpa;
}

static int
fake_read_gpa(struct hv *hv, uint64_t gpa, void *buf, size_t len)
{
	int rc;

	if (hv->read_hook)
		hv->read_hook(hv, gpa, len);
	rc = take_fail(hv);
	if (rc)
		return rc;
	if (!in_ram(hv, gpa, len))
		return -EFAULT;
	memcpy(buf, hv->ram + gpa, len);
	return 0;
}

static int
fake_write_gpa(struct hv *hv, uint64_t gpa, const void *buf, size_t len)
{
	int rc = take_fail(hv);

	if (rc)
		return rc;
	if (!in_ram(hv, gpa, len))
		return -EFAULT;
	memcpy(hv->ram + gpa, buf, len);
	return 0;
}

/* Xen's set_mem_type refuses anything that is not ram_rw <-> ioreq_server. */
static int
fake_wp_gfn(struct hv *hv, uint64_t gfn, bool on)
{
	int rc = take_fail(hv);

	if (rc)
		return rc;
	hv->nr_wp_calls++;
	if (gfn >= hv->ram_size >> 12)
		return -EINVAL;
	hv->wp[gfn] = on ? 1 : 0;
	return 0;
}

static int
fake_map_aperture(struct hv *hv, uint64_t gfn, uint64_t ap_off, uint64_t nr, bool map)
{
	int rc = take_fail(hv);

	if (rc)
		return rc;
	hv->nr_ap_calls++;
	hv->ap_gfn = gfn;
	hv->ap_off = ap_off;
	hv->ap_nr = nr;
	hv->ap_mapped = map;
	return 0;
}

static int
fake_inject_msi(struct hv *hv, uint64_t addr, uint32_t data)
{
	int rc = take_fail(hv);

	if (rc)
		return rc;
	if (hv->nr_msi >= FAKE_MAX_MSI)
		return -ENOSPC;
	hv->msi_addr[hv->nr_msi] = addr;
	hv->msi_data[hv->nr_msi] = data;
	hv->nr_msi++;
	return 0;
}

static int
fake_set_intx(struct hv *hv, bool level)
{
	int rc = take_fail(hv);

	if (rc)
		return rc;
	hv->nr_intx_calls++;
	hv->intx = level;
	return 0;
}

/* Like Xen: INTx only for devices on segment 0, bus 0. */
static bool
fake_intx_ok(struct hv *hv, uint16_t seg, uint8_t bus, uint8_t dev)
{
	(void)hv;
	(void)dev;
	return seg == 0 && bus == 0;
}

static int
fake_gfn_to_dma(struct hv *hv, uint64_t gfn, uint64_t *dma)
{
	int rc = take_fail(hv);

	hv->nr_dma_calls++;
	if (rc)
		return rc;
	if (!hv->dma_any && (gfn >= hv->ram_size >> 12 ||
			     (gfn >= hv->refuse_gfn && gfn - hv->refuse_gfn < hv->refuse_n)))
		return -EFAULT;
	*dma = hv->dma_base + (gfn << 12);
	return 0;
}

const struct hv_ops fake_hv_ops = {
	.claim_io = fake_claim_io,
	.claim_pcidev = fake_claim_pcidev,
	.read_gpa = fake_read_gpa,
	.write_gpa = fake_write_gpa,
	.wp_gfn = fake_wp_gfn,
	.map_aperture = fake_map_aperture,
	.inject_msi = fake_inject_msi,
	.set_intx = fake_set_intx,
	.intx_ok = fake_intx_ok,
	.gfn_to_dma = fake_gfn_to_dma,
};

struct hv *
fake_hv_new(unsigned int ram_mb)
{
	struct hv *hv = calloc(1, sizeof(*hv));

	if (!hv)
		abort();
	hv->ram_size = (uint64_t)ram_mb << 20;
	hv->ram = calloc(1, hv->ram_size ? hv->ram_size : 1);
	hv->wp = calloc(1, (hv->ram_size >> 12) + 1);
	if (!hv->ram || !hv->wp)
		abort();
	/* Machine frames of this guest: somewhere above 4 GiB, distinct per test run. */
	hv->dma_base = 0x100000000ull;
	return hv;
}

void
fake_hv_free(struct hv *hv)
{
	if (!hv)
		return;
	free(hv->ram);
	free(hv->wp);
	free(hv);
}

bool
fake_hv_claimed(struct hv *hv, char kind, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < hv->nr_claims; i++) {
		const struct fake_claim *c = &hv->claims[i];

		if (c->live && c->kind == kind && c->start == start && c->end == end)
			return true;
	}
	return false;
}

/* ---- physical GPU ---- */

#define FAKE_GGTT_ENTRIES (1u << 20)

static struct pgpu_fake *
pf(struct pgpu *p)
{
	return (struct pgpu_fake *)(void *)p;
}

static uint32_t
fake_mmio_read(struct pgpu *p, uint32_t off)
{
	if (off >= sizeof(pf(p)->mmio))
		return ~0u;
	return pf(p)->mmio[off / 4];
}

/*
 * Masked registers (rows flagged MF_MASKED) behave as on the hardware:
 * bits 31:16 select which of 15:0 change, and the mask half reads as 0.
 */
static void
fake_mmio_write(struct pgpu *p, uint32_t off, uint32_t val)
{
	const struct mmio_reg *r = mmio_find(off & ~3u);

	if (off >= sizeof(pf(p)->mmio))
		return;
	if (r && (r->flags & MF_MASKED)) {
		uint32_t sel = val >> 16;

		val = ((pf(p)->mmio[off / 4] & ~sel) | (val & sel)) & 0xffffu;
	}
	pf(p)->mmio[off / 4] = val;
}

static uint64_t
fake_ggtt_read(struct pgpu *p, uint64_t idx)
{
	return idx < FAKE_GGTT_ENTRIES ? pf(p)->ggtt[idx] : ~0ull;
}

static void
fake_ggtt_write(struct pgpu *p, uint64_t idx, uint64_t pte)
{
	if (idx < FAKE_GGTT_ENTRIES) {
		/*
		 * A store of the value already there is skipped: the array
		 * stands for the GPU's GGTT, not daemon memory, and a share
		 * reset to 0 must not fault in its untouched zero pages (the
		 * bench's vgpu_mem figures read this process's RSS).
		 */
		if (pf(p)->ggtt[idx] != pte)
			pf(p)->ggtt[idx] = pte;
		/* Called without the gpu lock from many vGPU threads (pgpu.h). */
		__atomic_fetch_add(&pf(p)->ggtt_writes, 1, __ATOMIC_RELAXED);
	}
}

static void
fake_info(struct pgpu *p, struct pgpu_info *out)
{
	(void)p;
	memset(out, 0, sizeof(*out));
	out->device_id = 0x1912; /* Skylake GT2 desktop */
	out->aperture_size = 256ull << 20;
	out->gm_size = 4ull << 30;
	out->nr_fences = 32;
	out->ggtt_entries = FAKE_GGTT_ENTRIES;
}

/* ---- GPU-reachable memory (mem_alloc / mem_free), an addition for execution ---- */

struct fake_mem_block {
	uint64_t maddr;
	uint8_t *va;
	unsigned int npages;
};

static void *
fake_mem_alloc(struct pgpu *p, unsigned int npages, uint64_t *maddr)
{
	struct pgpu_fake *f = pf(p);
	struct fake_mem_block *b;
	void *va;

	if (f->mem_fail) {
		errno = f->mem_fail;
		f->mem_fail = 0;
		return NULL;
	}
	if (f->nmem == f->capmem) {
		size_t cap = f->capmem ? f->capmem * 2 : 64;
		struct fake_mem_block *n = realloc(f->mem, cap * sizeof(*n));

		if (!n)
			return NULL;
		f->mem = n;
		f->capmem = cap;
	}
	va = aligned_alloc(4096, (size_t)npages * 4096);
	if (!va)
		return NULL;
	memset(va, 0, (size_t)npages * 4096);
	if (!f->mem_next)
		f->mem_next = FAKE_MADDR_BASE;
	b = &f->mem[f->nmem++];	/* addresses only grow: the array stays sorted */
	b->maddr = f->mem_next;
	b->va = va;
	b->npages = npages;
	for (unsigned int i = 0; i < npages; i++)
		maddr[i] = b->maddr + (uint64_t)i * 4096;
	f->mem_next += ((uint64_t)npages + 1) * 4096;	/* a gap: no run-on between blocks */
	f->mem_pages += npages;
	return va;
}

static struct fake_mem_block *
fake_mem_find(const struct pgpu_fake *f, uint64_t maddr)
{
	size_t lo = 0, hi = f->nmem;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct fake_mem_block *b = &f->mem[mid];

		if (maddr < b->maddr)
			hi = mid;
		else if (maddr >= b->maddr + (uint64_t)b->npages * 4096)
			lo = mid + 1;
		else
			return (struct fake_mem_block *)(uintptr_t)b;
	}
	return NULL;
}

static void
fake_mem_free(struct pgpu *p, void *va, unsigned int npages)
{
	struct pgpu_fake *f = pf(p);

	for (size_t i = 0; i < f->nmem; i++)
		if (f->mem[i].va == va) {
			if (f->mem[i].npages != npages)
				abort();	/* a caller bug the tests must see */
			free(va);
			f->mem_pages -= npages;
			memmove(&f->mem[i], &f->mem[i + 1], (f->nmem - i - 1) * sizeof(f->mem[0]));
			f->nmem--;
			return;
		}
	abort();
}

void *
fake_pgpu_mem_va(const struct pgpu_dev *dev, uint64_t maddr)
{
	const struct fake_mem_block *b = fake_mem_find(pf(dev->p), maddr);

	return b ? b->va + (maddr - b->maddr) : NULL;
}

static void
fake_close(struct pgpu *p)
{
	for (size_t i = 0; i < pf(p)->nmem; i++)
		free(pf(p)->mem[i].va);
	free(pf(p)->mem);
	free(pf(p)->ggtt);
	free(pf(p));
}


static const struct pgpu_ops fake_pgpu_ops = {
	.mmio_read = fake_mmio_read,
	.mmio_write = fake_mmio_write,
	.ggtt_read = fake_ggtt_read,
	.ggtt_write = fake_ggtt_write,
	.info = fake_info,
	.mem_alloc = fake_mem_alloc,
	.mem_free = fake_mem_free,
	.close = fake_close,
};

void
fake_pgpu_open(struct pgpu_dev *out)
{
	struct pgpu_fake *f = calloc(1, sizeof(*f));

	if (!f)
		abort();
	f->ggtt = calloc(FAKE_GGTT_ENTRIES, sizeof(uint64_t));
	if (!f->ggtt)
		abort();
	out->ops = &fake_pgpu_ops;
	out->p = (struct pgpu *)(void *)f;
}

struct pgpu_fake *
fake_pgpu(const struct pgpu_dev *dev)
{
	return pf(dev->p);
}

/* ---- fixtures ---- */

static void
cfgw(struct vgpu *v, unsigned int reg, uint32_t val)
{
	vgpu_cfg_access(v, true, reg, 4, &val);
}

void
fake_place_bars(struct vgpu *v)
{
	cfgw(v, 0x10, (uint32_t)FAKE_BAR0);
	cfgw(v, 0x14, (uint32_t)(FAKE_BAR0 >> 32));
	cfgw(v, 0x18, (uint32_t)FAKE_BAR2);
	cfgw(v, 0x1c, (uint32_t)(FAKE_BAR2 >> 32));
	cfgw(v, 0x20, FAKE_BAR4);
	cfgw(v, 0x04, 0x7); /* I/O + memory decode, bus master */
}

int
fake_vgpu_new(struct gpu *gpu, uint32_t domid, const struct vgpu_config *cfg, bool place,
	      struct hv **hv, struct vgpu **v)
{
	struct vgpu_config def;
	char err[128];
	int rc;

	if (!cfg) {
		/* Small, so several fit beside a default one on the fake GPU. */
		vgpu_config_default(&def);
		snprintf(def.type, sizeof(def.type), "%s", "xengt_small");
		if (vgpu_type_apply(&def) < 0) {
			def.low_gm = 16ull << 20;
			def.high_gm = 64ull << 20;
			def.fences = 2;
		}
		cfg = &def;
	}
	*hv = fake_hv_new(64);
	rc = vgpu_create(gpu, cfg, domid, &fake_hv_ops, *hv, v, err, sizeof(err));
	if (rc < 0) {
		fake_hv_free(*hv);
		*hv = NULL;
		*v = NULL;
		return rc;
	}
	if (place)
		fake_place_bars(*v);
	return 0;
}

int
fake_setup(struct fake_setup *s, const struct vgpu_config *cfg)
{
	int rc;

	memset(s, 0, sizeof(*s));
	fake_pgpu_open(&s->dev);
	rc = gpu_create(&s->dev, &s->gpu);
	if (rc < 0)
		return rc;
	return fake_vgpu_new(s->gpu, 1, cfg, true, &s->hv, &s->v);
}

int
fake_setup_whole(struct fake_setup *s, uint32_t domid, const struct vgpu_config *cfg)
{
	struct vgpu_config def;
	char err[128];
	int rc;

	memset(s, 0, sizeof(*s));
	fake_pgpu_open(&s->dev);
	rc = gpu_create(&s->dev, &s->gpu);
	if (rc < 0)
		return rc;
	if (!cfg) {
		vgpu_config_default(&def);
		cfg = &def;
	}
	s->hv = fake_hv_new(16);
	rc = vgpu_create(s->gpu, cfg, domid, &fake_hv_ops, s->hv, &s->v, err, sizeof(err));
	if (rc < 0)
		s->v = NULL;
	return rc;
}

void
fake_teardown(struct fake_setup *s)
{
	if (s->v)
		vgpu_destroy(s->v);
	if (s->gpu)
		gpu_destroy(s->gpu);
	fake_hv_free(s->hv);
	memset(s, 0, sizeof(*s));
}

uint32_t
fake_readl(struct vgpu *v, uint32_t off)
{
	uint64_t val = ~0ull;

	if (vgpu_mem_access(v, false, FAKE_BAR0 + off, 4, &val) < 0)
		return ~0u;
	return (uint32_t)val;
}

void
fake_writel(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint64_t v64 = val;

	vgpu_mem_access(v, true, FAKE_BAR0 + off, 4, &v64);
}

int
fake_mmio_access(struct vgpu *v, bool write, uint32_t off, unsigned int size, uint64_t *val)
{
	int rc;

	pthread_mutex_lock(&v->lock);
	rc = mmio_access(v, write, off, size, val);
	pthread_mutex_unlock(&v->lock);
	return rc;
}

/* ---- bare fixtures ---- */

void
fake_bare_gpu_init(struct gpu *gpu)
{
	memset(gpu, 0, sizeof(*gpu));
	fake_pgpu_open(&gpu->dev);
	gpu->dev.ops->info(gpu->dev.p, &gpu->info);
	pthread_mutex_init(&gpu->lock, NULL);
	gm_alloc_init(&gpu->gm, &gpu->info);
}

void
fake_bare_gpu_fini(struct gpu *gpu)
{
	gpu->dev.ops->close(gpu->dev.p);
	pthread_mutex_destroy(&gpu->lock);
}

struct vgpu *
fake_bare_vgpu(struct gpu *gpu, unsigned int id, const char *type, unsigned int ram_mb)
{
	struct vgpu *v = calloc(1, sizeof(*v));
	char err[128];
	int rc;

	if (!v)
		abort();
	v->gpu = gpu;
	v->id = id;
	v->domid = id;
	snprintf(v->tag, sizeof(v->tag), "d%u/vgpu%u", id, id);
	snprintf(v->cfg.type, sizeof(v->cfg.type), "%s", type);
	v->hv_ops = &fake_hv_ops;
	v->hv = fake_hv_new(ram_mb);
	pthread_mutex_init(&v->lock, NULL);
	v->vreg = calloc(1, MMIO_REG_SIZE);
	if (!v->vreg)
		abort();
	rc = vgpu_type_apply(&v->cfg);
	if (!rc) {
		pthread_mutex_lock(&gpu->lock);
		rc = gm_reserve(gpu, &v->cfg, &v->part, err, sizeof(err));
		pthread_mutex_unlock(&gpu->lock);
	}
	if (rc) {
		fake_bare_vgpu_free(v);
		return NULL;
	}
	return v;
}

void
fake_bare_vgpu_free(struct vgpu *v)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->gpu->lock);
	gm_release(v->gpu, &v->part);
	pthread_mutex_unlock(&v->gpu->lock);
	fake_hv_free(v->hv);
	free(v->vreg);
	pthread_mutex_destroy(&v->lock);
	free(v);
}
