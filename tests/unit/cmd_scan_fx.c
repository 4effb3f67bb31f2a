/* SPDX-License-Identifier: MIT */
/*
 * cmd_scan_fx.c — the command scanner tests' fixture (cmd_scan_fx.h):
 * stand-ins for exec_gma_read and ppgtt_gva_to_gpa (their parts are not
 * in this tree yet, and tests need to steer them), GPU memory from
 * malloc, and helpers that write rings and batches into guest memory.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake_hv.h"
#include "tests/unit/cmd_scan_fx.h"

struct fx *fx;
long fx_live_allocs;
static uint64_t fx_next_maddr = 0x4000000000ull;

/* ---- GPU-reachable memory: zeroed pages from malloc, made-up machine addresses ---- */

static void *
fx_mem_alloc(struct pgpu *p, unsigned int npages, uint64_t *maddr)
{
	void *va = aligned_alloc(EXEC_PAGE, (size_t)npages * EXEC_PAGE);

	(void)p;
	if (!va) {
		errno = ENOMEM;
		return NULL;
	}
	memset(va, 0, (size_t)npages * EXEC_PAGE);
	for (unsigned int i = 0; i < npages; i++, fx_next_maddr += EXEC_PAGE)
		maddr[i] = fx_next_maddr;
	__atomic_add_fetch(&fx_live_allocs, 1, __ATOMIC_RELAXED);
	return va;
}

static void
fx_mem_free(struct pgpu *p, void *va, unsigned int npages)
{
	(void)p;
	(void)npages;
	free(va);
	__atomic_sub_fetch(&fx_live_allocs, 1, __ATOMIC_RELAXED);
}

/* ---- the guest's GGTT view ---- */

static int
gma_to_gpa(const struct vgpu *v, uint64_t gma, uint64_t *gpa)
{
	const struct gm_part *p = &v->part;

	if (fx && gma >= fx->hole_gma && gma - fx->hole_gma < fx->hole_len)
		return -EFAULT;
	if (gma >= p->low_base && gma - p->low_base < p->low_size)
		*gpa = gma - p->low_base;
	else if (gma >= p->high_base && gma - p->high_base < p->high_size)
		*gpa = (32ull << 20) + gma - p->high_base;
	else
		return -EFAULT;
	return 0;
}

static int
fx_gma_read(struct vgpu *v, uint64_t gma, void *buf, size_t len)
{
	fx->gma_reads++;
	while (len) {
		size_t n = EXEC_PAGE - gma % EXEC_PAGE;
		uint64_t gpa;
		int rc;

		if (n > len)
			n = len;
		if (gma_to_gpa(v, gma, &gpa))
			return -EFAULT;
		rc = v->hv_ops->read_gpa(v->hv, gpa, buf, n);
		if (rc)
			return rc;
		gma += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

/* ---- the guest's PPGTT ---- */

static int
map_find(uint64_t gva, uint64_t *gpa)
{
	for (unsigned int i = 0; i < fx->nmap; i++) {
		const struct fx_map *m = &fx->map[i];

		if (gva >= m->gva && (gva - m->gva) / EXEC_PAGE < m->npages) {
			*gpa = m->alias ? m->gpa + gva % EXEC_PAGE : m->gpa + (gva - m->gva);
			return 0;
		}
	}
	return -EFAULT;
}

static int
fx_gva_to_gpa(struct vgpu *v, uint64_t root, unsigned int levels, uint64_t gva, uint64_t *gpa)
{
	(void)v;
	fx->xlates++;
	if (fx->on_xlate)
		fx->on_xlate(fx);
	if (root != FX_PML4 || levels != 4)
		return -EFAULT;
	return map_find(gva, gpa);
}

const struct cmd_guest_ops fx_guest_ops = {
	.gma_read = fx_gma_read,
	.gva_to_gpa = fx_gva_to_gpa,
};

/* ---- set-up ---- */

void
fx_init(enum pgpu_engine e, unsigned int ring_pages)
{
	struct workload *w;

	fx = calloc(1, sizeof(*fx));
	CU_ASSERT_FATAL(fx != NULL);
	fake_bare_gpu_init(&fx->gpu);
	fx->ops = *fx->gpu.dev.ops;
	fx->ops.mem_alloc = fx_mem_alloc;
	fx->ops.mem_free = fx_mem_free;
	fx->gpu.dev.ops = &fx->ops;
	fx->v = fake_bare_vgpu(&fx->gpu, 1, "xengt_small", FX_RAM_MB);
	CU_ASSERT_FATAL(fx->v != NULL);
	CU_ASSERT_FATAL(cmd_table_init() == 0);
	w = &fx->w;
	w->v = fx->v;
	w->engine = e;
	w->ring_start = (uint32_t)fx_low(FX_RING_OFF);
	w->ring_ctl = ((ring_pages - 1) << 12) | RING_CTL_ENABLE;
	w->guest_desc = CTX_DESC_VALID | CTX_DESC_PRIVILEGE |
			((uint64_t)CTX_ADDR_LEGACY_64B << CTX_DESC_ADDR_MODE_SHIFT) | (0x42ull << 32);
	w->addr_mode = CTX_ADDR_LEGACY_64B;
	w->pdp[0] = FX_PML4;
}

struct vgpu *
fx_neighbour(void)
{
	struct vgpu *n = fake_bare_vgpu(&fx->gpu, 2, "xengt_small", FX_RAM_MB);

	CU_ASSERT_FATAL(n != NULL);
	return n;
}

void
fx_done(void)
{
	cmd_scan_release(&fx->gpu, &fx->w);
	CU_ASSERT_EQUAL(fx_live_allocs, 0);
	fake_bare_vgpu_free(fx->v);
	free(fx->gpu.hostgm.bits);
	fake_bare_gpu_fini(&fx->gpu);
	free(fx);
	fx = NULL;
}

/* ---- guest memory ---- */

uint64_t
fx_low(uint64_t off)
{
	return fx->v->part.low_base + off;
}

uint64_t
fx_high(uint64_t off)
{
	return fx->v->part.high_base + off;
}

void *
fx_gma_ptr(uint64_t gma)
{
	uint64_t gpa;

	if (gma_to_gpa(fx->v, gma, &gpa))
		return NULL;
	return fx->v->hv->ram + gpa;
}

void
fx_map(uint64_t gva, uint64_t gpa, uint64_t npages, bool alias)
{
	CU_ASSERT_FATAL(fx->nmap < FX_MAX_MAPS);
	fx->map[fx->nmap++] = (struct fx_map){ gva, gpa, npages, alias };
}

void *
fx_gva_ptr(uint64_t gva)
{
	uint64_t gpa;

	if (map_find(gva, &gpa))
		return NULL;
	return fx->v->hv->ram + gpa;
}

static uint32_t
ring_size(void)
{
	return RING_CTL_SIZE(fx->w.ring_ctl);
}

void
fx_ring_put(const uint32_t *dw, size_t n)
{
	uint8_t *ring = fx_gma_ptr(fx->w.ring_start);

	CU_ASSERT_FATAL(ring != NULL);
	for (size_t i = 0; i < n; i++) {
		memcpy(ring + fx->w.ring_tail, &dw[i], 4);
		fx->w.ring_tail = (fx->w.ring_tail + 4) % ring_size();
	}
}

void
fx_ring_done(void)
{
	while (fx->w.ring_tail % 8)
		FX_RING(MI_NOOP);
}

void
fx_ring_at(uint32_t off)
{
	fx->w.ring_head = fx->w.ring_tail = off;
}

void
fx_put_gva(uint64_t gva, const uint32_t *dw, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t *p = fx_gva_ptr(gva + 4 * i);

		CU_ASSERT_FATAL(p != NULL);
		*p = dw[i];
	}
}

void
fx_put_gma(uint64_t gma, const uint32_t *dw, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t *p = fx_gma_ptr(gma + 4 * i);

		CU_ASSERT_FATAL(p != NULL);
		*p = dw[i];
	}
}

int
fx_scan(void)
{
	return cmd_scan_run(fx->v, &fx->w, &fx_guest_ops);
}

uint32_t *
fx_shadow(uint32_t off)
{
	return (uint32_t *)((uint8_t *)fx->w.shadow_ring.va + off);
}

uint32_t *
fx_bb(unsigned int i)
{
	CU_ASSERT_FATAL(i < fx->w.nr_bbs);
	return fx->w.bbs[i].va;
}
