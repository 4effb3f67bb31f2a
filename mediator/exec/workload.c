/* SPDX-License-Identifier: MIT */
/*
 * workload.c — one guest submission turned into something the physical
 * GPU may run: the guest's context image read once through its GGTT and
 * checked, a shadow copy whose register state page is ours, the shadow
 * PPGTT root(s) (mem/ppgtt*.c) and the audited ring (cmd_scan.c), and the
 * shadow descriptor. Queuing and completion are execlist.c's; when a
 * workload runs is sched.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/exec.h"

/*
 * The register state page (page 1) of a Gen8/9 logical ring context
 * (i915 gt/intel_lrc_reg.h CTX_*, gt/intel_lrc.c; GVT-g's
 * populate_shadow_context takes the same fields from the guest). The
 * context restore executes this page as MI_LOAD_REGISTER_IMM commands:
 * if the guest's own page went to the GPU, its register offsets would
 * too, and the restore would load any register it names. So the shadow
 * page is rebuilt: our LRI headers and offsets, the guest's value only
 * for the fields docs/execution.md documents, everything else zero (no
 * batch in progress, no per-context or indirect workaround batches).
 */
#define MI_LOAD_REGISTER_IMM(n)	((0x22u << 23) | (2u * (n) - 1))
#define MI_LRI_FORCE_POSTED	(1u << 12)
#define CTX_LRI_HEADER_0	0x01
#define CTX_LRI_HEADER_1	0x21
#define RING_BB_PPGTT		(1u << 5)	/* BB_STATE: batches through the PPGTT */

enum ctx_val {
	CV_ZERO,	/* 0 */
	CV_GUEST,	/* the guest's value */
	CV_PPGTT_BB,	/* RING_BB_PPGTT */
	CV_PATCHED,	/* ours: shadow ring, shadow PDPs (set after) */
};

static const struct ctx_reg {
	uint8_t val_idx;	/* dword of the value; the register offset is the dword before */
	uint16_t reg;		/* register, from the engine's MMIO base */
	bool rcs_only;
	enum ctx_val val;
} ctx_regs[] = {
	{ CTX_REG_CONTEXT_CONTROL, 0x244, false, CV_GUEST },
	{ CTX_REG_RING_HEAD, 0x034, false, CV_GUEST },
	{ CTX_REG_RING_TAIL, 0x030, false, CV_GUEST },
	{ CTX_REG_RING_START, 0x038, false, CV_PATCHED },
	{ CTX_REG_RING_CTL, 0x03c, false, CV_GUEST },
	{ 0x0d, 0x168, false, CV_ZERO },	/* BB_ADDR_UDW */
	{ 0x0f, 0x140, false, CV_ZERO },	/* BB_ADDR */
	{ CTX_REG_BB_STATE, 0x110, false, CV_PPGTT_BB },
	{ 0x13, 0x11c, false, CV_ZERO },	/* SBB_ADDR_UDW */
	{ 0x15, 0x114, false, CV_ZERO },	/* SBB_ADDR */
	{ 0x17, 0x118, false, CV_ZERO },	/* SBB_STATE */
	{ 0x19, 0x1c0, true, CV_ZERO },		/* BB_PER_CTX_PTR */
	{ 0x1b, 0x1c4, true, CV_ZERO },		/* INDIRECT_CTX */
	{ 0x1d, 0x1c8, true, CV_ZERO },		/* INDIRECT_CTX_OFFSET */
	{ CTX_REG_TIMESTAMP, 0x3a8, false, CV_GUEST },
	{ CTX_REG_PDP_UDW(3), 0x28c, false, CV_PATCHED },
	{ CTX_REG_PDP_LDW(3), 0x288, false, CV_PATCHED },
	{ CTX_REG_PDP_UDW(2), 0x284, false, CV_PATCHED },
	{ CTX_REG_PDP_LDW(2), 0x280, false, CV_PATCHED },
	{ CTX_REG_PDP_UDW(1), 0x27c, false, CV_PATCHED },
	{ CTX_REG_PDP_LDW(1), 0x278, false, CV_PATCHED },
	{ CTX_REG_PDP_UDW(0), 0x274, false, CV_PATCHED },
	{ CTX_REG_PDP_LDW(0), 0x270, false, CV_PATCHED },
};
#define NR_CTX_REGS (sizeof(ctx_regs) / sizeof(ctx_regs[0]))

static int
fail(struct workload *w, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(struct workload *w, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return rc;
}

int
workload_take_image(struct vgpu *v, struct workload *w, const uint32_t *regs)
{
	uint32_t ctl = regs[CTX_REG_RING_CTL], start = regs[CTX_REG_RING_START];
	uint32_t head = regs[CTX_REG_RING_HEAD] & RING_HEAD_ADDR;
	uint32_t tail = regs[CTX_REG_RING_TAIL] & RING_TAIL_ADDR;
	uint32_t size = RING_CTL_SIZE(ctl);

	if (!(ctl & RING_CTL_ENABLE))
		return fail(w, -EINVAL, "ring not enabled (RING_CTL %#x)", ctl);
	if (start & (EXEC_PAGE - 1))
		return fail(w, -EINVAL, "ring start %#x not page aligned", start);
	if (!gm_owns(&v->part, start, size))
		return fail(w, -EINVAL, "ring %#x+%#x outside its GM", start, size);
	if (head >= size || tail >= size)
		return fail(w, -EINVAL, "ring head %#x/tail %#x past %#x", head, tail, size);
	for (unsigned int n = 0; n < 4; n++) {
		w->pdp[n] = (uint64_t)regs[CTX_REG_PDP_UDW(n)] << 32 | regs[CTX_REG_PDP_LDW(n)];
		if ((w->addr_mode == CTX_ADDR_LEGACY_32B || n == 0) && (w->pdp[n] & (EXEC_PAGE - 1)))
			return fail(w, -EINVAL, "PDP%u %#" PRIx64 " not page aligned", n, w->pdp[n]);
	}
	/* Behind a workload of the same context still on the GPU: its ring goes on from that tail. */
	if (w->behind && (w->behind_desc & CTX_DESC_LRCA_MASK) == (w->guest_desc & CTX_DESC_LRCA_MASK) &&
	    CTX_DESC_ID(w->behind_desc) == CTX_DESC_ID(w->guest_desc)) {
		if (w->behind_tail >= size)
			return fail(w, -EINVAL, "ring tail %#x of the running workload past %#x",
				    w->behind_tail, size);
		head = w->behind_tail;
	}
	w->ring_start = start;
	w->ring_ctl = ctl;
	w->ring_head = head;
	w->ring_tail = tail;
	return 0;
}

/* Shadow PPGTT root(s) of w into pdp_out[0..3] (machine addresses; unused ones 0). */
static int
shadow_roots(struct vgpu *v, struct workload *w, uint64_t pdp_out[4])
{
	unsigned int n = w->addr_mode == CTX_ADDR_LEGACY_64B ? 1 : 4;
	unsigned int levels = w->addr_mode == CTX_ADDR_LEGACY_64B ? 4 : 3;

	memset(pdp_out, 0, 4 * sizeof(*pdp_out));
	for (unsigned int i = 0; i < n; i++) {
		int rc;

		if (levels == 3 && !w->pdp[i])
			continue;	/* a PDPn the context does not use */
		rc = ppgtt_shadow_for_submit(v, w->pdp[i], levels, &pdp_out[i]);

		if (rc < 0)
			return fail(w, rc, "PPGTT root %#" PRIx64 " refused (%d)", w->pdp[i], rc);
	}
	return 0;
}

/*
 * Rebuild page 1 of the shadow (in place over the guest's copy, which
 * workload_take_image has read): our headers and offsets, the guest's
 * documented values, the shadow ring and PDPs.
 */
static void
build_reg_page(struct workload *w, uint32_t *page, const uint64_t pdp[4])
{
	uint32_t base = exec_engines[w->engine].mmio_base;
	bool rcs = w->engine == PGPU_RCS;
	uint32_t guest[CTX_REG_WORDS];

	memcpy(guest, page, sizeof(guest));
	memset(page, 0, EXEC_PAGE);
	page[CTX_LRI_HEADER_0] = MI_LOAD_REGISTER_IMM(rcs ? 14 : 11) | MI_LRI_FORCE_POSTED;
	page[CTX_LRI_HEADER_1] = MI_LOAD_REGISTER_IMM(9) | MI_LRI_FORCE_POSTED;
	for (size_t i = 0; i < NR_CTX_REGS; i++) {
		const struct ctx_reg *r = &ctx_regs[i];

		if (r->rcs_only && !rcs)
			continue;
		page[r->val_idx - 1] = base + r->reg;
		page[r->val_idx] = r->val == CV_GUEST ? guest[r->val_idx]
				 : r->val == CV_PPGTT_BB ? RING_BB_PPGTT : 0;
	}
	page[CTX_REG_RING_START] = (uint32_t)w->shadow_ring.gma;
	for (unsigned int n = 0; n < 4; n++) {
		page[CTX_REG_PDP_UDW(n)] = (uint32_t)(pdp[n] >> 32);
		page[CTX_REG_PDP_LDW(n)] = (uint32_t)pdp[n];
	}
}

/*
 * A context id for the GPU, unique among running workloads: the vGPU id
 * above bit 20, a per-vGPU count below (never 0). Two of one vGPU's
 * workloads share an id only after 2^20 - 1 others were prepared while
 * the first still ran.
 */
static uint32_t
shadow_ctx_id(struct vgpu *v)
{
	uint32_t n = ++v->exec.ctx_seq & 0xfffffu;

	if (!n)
		n = ++v->exec.ctx_seq & 0xfffffu;
	return (uint32_t)v->id << 20 | n;
}

int
workload_prepare(struct vgpu *v, struct workload *w)
{
	struct gpu *gpu = v->gpu;
	unsigned int pages;
	uint64_t pdp[4];
	uint32_t *page1;
	int rc;

	w->why[0] = '\0';
	if ((unsigned int)w->engine >= EXEC_NR_ENGINES)
		return fail(w, -EINVAL, "no engine %u", (unsigned int)w->engine);
	pages = exec_engines[w->engine].ctx_pages;
	rc = host_obj_alloc(gpu, pages, true, &w->shadow_ctx);
	if (rc < 0)
		return fail(w, rc, "no host memory for a context (%d)", rc);
	if (w->shadow_ctx.gma + (uint64_t)pages * EXEC_PAGE > (1ull << 32))
		return fail(w, -ENOSPC, "shadow context above 4 GiB of GM");
	/* One read of the whole image: what is checked is what runs. */
	if (exec_gma_read(v, w->guest_lrca, w->shadow_ctx.va, (size_t)pages * EXEC_PAGE) < 0)
		return fail(w, -EFAULT, "context %#" PRIx64 " not mapped", w->guest_lrca);
	page1 = (uint32_t *)((uint8_t *)w->shadow_ctx.va + EXEC_PAGE);
	rc = workload_take_image(v, w, page1);
	if (rc < 0)
		return rc;
	rc = shadow_roots(v, w, pdp);
	if (rc < 0)
		return rc;
	rc = cmd_scan_workload(v, w);
	if (rc < 0) {
		if (!w->why[0])
			fail(w, rc, "command scan failed (%d)", rc);
		return rc;
	}
	if (!w->shadow_ring.gma || w->shadow_ring.gma >= (1ull << 32) ||
	    (uint64_t)w->shadow_ring.npages * EXEC_PAGE < RING_CTL_SIZE(w->ring_ctl))
		return fail(w, -EINVAL, "no usable shadow ring");
	build_reg_page(w, page1, pdp);
	/* The scheduler hands out the GPU-wide ids (sched.c); a caller without one gets ours. */
	if (!w->shadow_ctx_id)
		w->shadow_ctx_id = shadow_ctx_id(v);
	w->shadow_desc = (w->guest_desc & (EXEC_PAGE - 1)) | w->shadow_ctx.gma |
			 (uint64_t)w->shadow_ctx_id << 32;
	return 0;
}

void
workload_release(struct gpu *gpu, struct workload *w)
{
	host_obj_free(gpu, &w->shadow_ctx);
	cmd_scan_release(gpu, w);	/* the shadow ring and batch copies */
}
