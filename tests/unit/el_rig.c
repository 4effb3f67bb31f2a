/* SPDX-License-Identifier: MIT */
/*
 * el_rig.c — the guest side and the hand-driven scheduler of the execlist
 * suites (el_rig.h), and the stand-ins for what other parts of issue 13
 * implement: ppgtt_shadow_for_submit (a deterministic "shadow" address),
 * cmd_scan_workload (copies the ring unaudited into a shadow ring), and
 * the scheduler's kick. All are weak: once the real ones are linked they
 * win, and the suites hold with them too (the rings hold valid commands,
 * the PML4 is a real, empty one, and no assertion needs a stand-in's
 * particular answer).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/el_rig.h"

#define BAR0_GGTT 0x800000ull
#define MI_NOOP 0u
#define MI_USER_INTERRUPT (0x02u << 23)

/* ---- stand-ins (weak) ---- */

unsigned int el_ppgtt_calls;
static unsigned int kicks;

/* A root's "shadow": a made-up machine address, the same for the same root. */
__attribute__((weak)) int
ppgtt_shadow_for_submit(struct vgpu *v, uint64_t root, unsigned int levels, uint64_t *shadow)
{
	el_ppgtt_calls++;
	if ((levels != 4 && levels != 3) || (root & 0xfff))
		return -EINVAL;
	*shadow = 0x700000000000ull | (uint64_t)v->id << 36 | root;
	return 0;
}

/* The ring copied as it is into a shadow ring of the same size (no audit). */
__attribute__((weak)) int
cmd_scan_workload(struct vgpu *v, struct workload *w)
{
	uint32_t size = RING_CTL_SIZE(w->ring_ctl);
	int rc = host_obj_alloc(v->gpu, size / EXEC_PAGE, true, &w->shadow_ring);

	if (rc < 0) {
		snprintf(w->why, sizeof(w->why), "stand-in: no shadow ring");
		return rc;
	}
	if (exec_gma_read(v, w->ring_start, w->shadow_ring.va, size) < 0) {
		snprintf(w->why, sizeof(w->why), "stand-in: ring not mapped");
		return -EFAULT;
	}
	return 0;
}

static void
count_kick(void *arg)
{
	(void)arg;
	kicks++;
}

unsigned int
el_kicks(void)
{
	return kicks;
}

void
el_kicks_reset(struct gpu *gpu)
{
	kicks = 0;
	gpu_sched_set_kick(gpu, count_kick, NULL);
}

/* ---- the guest ---- */

uint32_t
el_reg(struct vgpu *v, uint32_t off)
{
	return fake_readl(v, off);
}

void
el_wreg(struct vgpu *v, uint32_t off, uint32_t val)
{
	fake_writel(v, off, val);
}

static void
cfg_wr(struct vgpu *v, unsigned int reg, unsigned int size, uint32_t val)
{
	CU_ASSERT(vgpu_cfg_access(v, true, reg, size, &val) == 0);
}

static uint32_t
cfg_rd(struct vgpu *v, unsigned int reg, unsigned int size)
{
	uint32_t val = 0;

	CU_ASSERT(vgpu_cfg_access(v, false, reg, size, &val) == 0);
	return val;
}

/* MSI on, the GT banks open for every engine's user and context-switch bits, master on. */
static void
arm_irqs(struct vgpu *v)
{
	static const uint32_t banks[][2] = {
		{ 0x44300, 0x01010101 },	/* GT0: rcs 15:0, bcs 31:16 */
		{ 0x44310, 0x00000101 },	/* GT1: vcs0 */
		{ 0x44330, 0x00000101 },	/* GT3: vecs0 */
	};
	unsigned int p = cfg_rd(v, 0x34, 1) & 0xfc;

	for (int i = 0; p && i < 48 && cfg_rd(v, p, 1) != 0x05; i++)
		p = cfg_rd(v, p + 1, 1) & 0xfc;
	CU_ASSERT_FATAL(p != 0);
	cfg_wr(v, p + 4, 4, EL_MSI_ADDR);
	cfg_wr(v, p + 8, 2, EL_MSI_DATA);
	cfg_wr(v, p + 2, 2, 1);
	for (size_t i = 0; i < sizeof(banks) / sizeof(banks[0]); i++) {
		el_wreg(v, banks[i][0] + 0xc, banks[i][1]);	/* IER */
		el_wreg(v, banks[i][0] + 0x4, ~banks[i][1]);	/* IMR */
	}
	el_wreg(v, 0x44200, 1u << 31);
}

void
el_vm_init(struct el_vm *g, struct vgpu *v, struct hv *hv)
{
	g->v = v;
	g->hv = hv;
	g->gm = v->part.low_base;
	for (uint64_t i = 0; i < EL_MAPPED_PAGES; i++) {
		uint64_t pte = (EL_GPA_BASE + (i << 12)) | GGTT_PTE_PRESENT;

		CU_ASSERT_FATAL(vgpu_mem_access(v, true, FAKE_BAR0 + BAR0_GGTT +
						((g->gm >> 12) + i) * 8, 8, &pte) == 0);
	}
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++)
		el_wreg(v, exec_engines[e].mmio_base + ENG_HWS_PGA, (uint32_t)(g->gm + EL_HWSP(e)));
	arm_irqs(v);
}

uint32_t *
el_mem(const struct el_vm *g, uint64_t off)
{
	CU_ASSERT_FATAL(off < EL_MAPPED_PAGES * 4096ull);
	return (uint32_t *)(void *)(g->hv->ram + EL_GPA_BASE + off);
}

void
el_ctx_build(const struct el_vm *g, enum pgpu_engine e, uint64_t ctx, uint64_t ring,
	     unsigned int ring_pages, uint32_t head, uint32_t tail)
{
	uint32_t base = exec_engines[e].mmio_base;
	unsigned int pages = exec_engines[e].ctx_pages;
	uint32_t *p1 = el_mem(g, ctx + 4096), *r = el_mem(g, ring);

	for (unsigned int pg = 0; pg < pages; pg++) {
		uint32_t *p = el_mem(g, ctx + pg * 4096ull);

		if (pg == 1)
			continue;
		for (unsigned int i = 0; i < 1024; i++)
			p[i] = 0xc0de0000u | pg << 10 | i;
	}
	memset(p1, 0, 4096);
	p1[0x01] = (0x22u << 23) | (2 * (e == PGPU_RCS ? 14 : 11) - 1) | (1u << 12);
	p1[0x02] = base + 0x244;
	p1[0x03] = 0x00090009;			/* CONTEXT_CONTROL */
	p1[0x04] = base + 0x34;
	p1[0x05] = head | (3u << 21);		/* RING_HEAD with a wrap count */
	p1[0x06] = base + 0x30;
	p1[0x07] = tail;
	p1[0x08] = base + 0x38;
	p1[0x09] = (uint32_t)(g->gm + ring);
	p1[0x0a] = base + 0x3c;
	p1[0x0b] = ((ring_pages - 1) << 12) | RING_CTL_ENABLE;
	/* A guest-chosen register in the LRI list: it must never reach the GPU. */
	p1[0x0c] = 0x12345;
	p1[0x0d] = 0xbad0bad0;
	p1[0x10] = base + 0x110;
	p1[0x11] = 0xffffffff;			/* BB_STATE: forced to PPGTT */
	p1[0x21] = (0x22u << 23) | (2 * 9 - 1) | (1u << 12);
	p1[0x22] = base + 0x3a8;
	p1[0x23] = 0x1000;			/* CTX_TIMESTAMP */
	for (unsigned int n = 0; n < 4; n++) {
		p1[CTX_REG_PDP_UDW(n) - 1] = base + 0x274 + 8 * n;
		p1[CTX_REG_PDP_LDW(n) - 1] = base + 0x270 + 8 * n;
	}
	p1[CTX_REG_PDP_LDW(0)] = (uint32_t)EL_PML4;
	p1[CTX_REG_PDP_UDW(0)] = (uint32_t)(EL_PML4 >> 32);
	for (unsigned int i = 0; i < ring_pages * 1024; i++)
		r[i] = MI_NOOP;
	if (tail >= 8)
		r[(tail - 8) / 4] = MI_USER_INTERRUPT;
}

uint64_t
el_desc(const struct el_vm *g, uint64_t ctx, uint32_t id)
{
	return CTX_DESC_VALID | (uint64_t)CTX_ADDR_LEGACY_64B << CTX_DESC_ADDR_MODE_SHIFT |
	       CTX_DESC_PRIVILEGE | (g->gm + ctx) | (uint64_t)id << 32;
}

void
el_elsp(struct vgpu *v, enum pgpu_engine e, uint64_t d0, uint64_t d1)
{
	uint32_t elsp = exec_engines[e].mmio_base + ENG_ELSP;

	el_wreg(v, elsp, (uint32_t)(d1 >> 32));
	el_wreg(v, elsp, (uint32_t)d1);
	el_wreg(v, elsp, (uint32_t)(d0 >> 32));
	el_wreg(v, elsp, (uint32_t)d0);
}

/* ---- the scheduler, by hand ---- */

static void
both_lock(struct vgpu *v)
{
	pthread_mutex_lock(&v->gpu->sched_lock);
	pthread_mutex_lock(&v->lock);
}

static void
both_unlock(struct vgpu *v)
{
	pthread_mutex_unlock(&v->lock);
	pthread_mutex_unlock(&v->gpu->sched_lock);
}

struct workload *
el_take(struct vgpu *v, enum pgpu_engine e)
{
	struct exec_engine_state *es = &v->exec.eng[e];
	struct workload *w;

	both_lock(v);
	w = es->queue;
	if (w) {
		es->queue = w->next;
		if (!es->queue)
			es->queue_tail = NULL;
		w->next = NULL;
		w->state = WL_RUNNING;
	}
	both_unlock(v);
	return w;
}

int
el_prepare(struct vgpu *v, struct workload *w)
{
	int rc;

	both_lock(v);
	rc = workload_prepare(v, w);
	both_unlock(v);
	return rc;
}

void
el_finish(struct vgpu *v, struct workload *w, enum workload_state st, uint32_t head_out,
	  bool user_irq)
{
	both_lock(v);
	w->state = st;
	w->head_out = head_out;
	w->user_irq = user_irq;
	execlist_complete(v, w);
	both_unlock(v);
}

unsigned int
el_queued(struct vgpu *v, enum pgpu_engine e)
{
	unsigned int n = 0;

	pthread_mutex_lock(&v->lock);
	for (const struct workload *w = v->exec.eng[e].queue; w; w = w->next)
		n++;
	pthread_mutex_unlock(&v->lock);
	return n;
}

uint64_t
el_csb_reg(struct vgpu *v, enum pgpu_engine e, unsigned int i)
{
	uint32_t off = exec_engines[e].mmio_base + ENG_CSB(i);

	return (uint64_t)el_reg(v, off + 4) << 32 | el_reg(v, off);
}

uint64_t
el_csb_hwsp(const struct el_vm *g, enum pgpu_engine e, unsigned int i)
{
	const uint32_t *hwsp = el_mem(g, EL_HWSP(e));

	return (uint64_t)hwsp[HWSP_CSB_INDEX + 2 * i + 1] << 32 | hwsp[HWSP_CSB_INDEX + 2 * i];
}

uint32_t
el_hwsp_wp(const struct el_vm *g, enum pgpu_engine e)
{
	return el_mem(g, EL_HWSP(e))[HWSP_CSB_WRITE_INDEX];
}
