/* SPDX-License-Identifier: MIT */
/*
 * ctx.c — logical ring contexts as i915 builds them for Gen9 execlists
 * (gt/intel_lrc.c, the gen8 offsets tables): page 0 the per-process status
 * page, page 1 the register state as MI_LOAD_REGISTER_IMM blocks of
 * (register, value) pairs; the mediator reads the value dwords that
 * docs/execution.md lists. Plus the context's ring and its descriptor.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *name;
	uint32_t base;
	unsigned int ctx_pages;
} engines[G9_NR_ENGINES] = {
	[G9_RCS] = { "rcs0", 0x02000, 22 },
	[G9_BCS] = { "bcs0", 0x22000, 2 },
	[G9_VCS] = { "vcs0", 0x12000, 2 },
	[G9_VECS] = { "vecs0", 0x1a000, 2 },
};

uint32_t
g9_engine_base(enum g9_engine e)
{
	return (unsigned int)e < G9_NR_ENGINES ? engines[e].base : 0;
}

unsigned int
g9_engine_ctx_pages(enum g9_engine e)
{
	return (unsigned int)e < G9_NR_ENGINES ? engines[e].ctx_pages : 0;
}

const char *
g9_engine_name(enum g9_engine e)
{
	return (unsigned int)e < G9_NR_ENGINES ? engines[e].name : "?";
}

static uint32_t *
reg_state(const struct gctx *ctx)
{
	return (uint32_t *)((uint8_t *)ctx->image.cpu + G9_PAGE);
}

uint32_t
gctx_reg(const struct gctx *ctx, unsigned int idx)
{
	return __atomic_load_n(&reg_state(ctx)[idx], __ATOMIC_ACQUIRE);
}

/* The register state of a new context (i915 init_common_regs, init_ppgtt_regs). */
static void
fill_image(struct gctx *ctx)
{
	uint32_t *r = reg_state(ctx), base = g9_engine_base(ctx->engine);
	/* The register of each value dword, in i915's gen8 xcs order. */
	static const struct {
		unsigned int idx;
		uint32_t reg;
	} pairs[] = {
		{ CTX_CONTEXT_CONTROL, ENG_CONTEXT_CONTROL }, { CTX_RING_HEAD, ENG_RING_HEAD },
		{ CTX_RING_TAIL, ENG_RING_TAIL }, { CTX_RING_START, ENG_RING_START },
		{ CTX_RING_CTL, ENG_RING_CTL }, { CTX_BB_UDW, ENG_BB_UDW },
		{ CTX_BB_ADDR, ENG_BB_ADDR }, { CTX_BB_STATE, ENG_BB_STATE },
		{ CTX_SBB_UDW, ENG_SBB_UDW }, { CTX_SBB_ADDR, ENG_SBB_ADDR },
		{ CTX_SBB_STATE, ENG_SBB_STATE }, { CTX_TIMESTAMP, ENG_CTX_TIMESTAMP },
		{ CTX_PDP_UDW(3), ENG_PDP_UDW(3) }, { CTX_PDP_LDW(3), ENG_PDP_LDW(3) },
		{ CTX_PDP_UDW(2), ENG_PDP_UDW(2) }, { CTX_PDP_LDW(2), ENG_PDP_LDW(2) },
		{ CTX_PDP_UDW(1), ENG_PDP_UDW(1) }, { CTX_PDP_LDW(1), ENG_PDP_LDW(1) },
		{ CTX_PDP_UDW(0), ENG_PDP_UDW(0) }, { CTX_PDP_LDW(0), ENG_PDP_LDW(0) },
	};

	r[CTX_LRI_1] = MI_LOAD_REGISTER_IMM(11);
	r[CTX_LRI_2] = MI_LOAD_REGISTER_IMM(9);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		r[pairs[i].idx - 1] = base + pairs[i].reg;
	r[CTX_LRI_3] = MI_LOAD_REGISTER_IMM(2);
	r[CTX_LRI_3 + 1] = base + 0x200;
	r[CTX_LRI_3 + 3] = base + 0x028;
	r[CTX_END] = MI_BATCH_BUFFER_END;

	/* A new context: restore inhibited (nothing saved yet), as i915 does. */
	r[CTX_CONTEXT_CONTROL] = MASKED_SET(CTX_CTRL_INHIBIT_SYN) |
				 MASKED_CLEAR(CTX_CTRL_SAVE_INHIBIT | CTX_CTRL_RS_CTX_ENABLE) |
				 MASKED_SET(CTX_CTRL_RESTORE_INHIBIT);
	r[CTX_RING_HEAD] = 0;
	r[CTX_RING_TAIL] = 0;
	r[CTX_RING_START] = (uint32_t)ctx->ring.gma;
	r[CTX_RING_CTL] = (uint32_t)((ctx->ring.size - G9_PAGE) & 0x1ff000) | RING_CTL_VALID;
	r[CTX_BB_STATE] = RING_BB_PPGTT;
	/* Legacy 64-bit (4-level): the PML4 in PDP0. */
	r[CTX_PDP_UDW(0)] = (uint32_t)(ctx->vm->pml4 >> 32);
	r[CTX_PDP_LDW(0)] = (uint32_t)ctx->vm->pml4;
}

int
gctx_new(struct gdev *g, enum g9_engine e, struct gppgtt *vm, unsigned int ring_pages,
	 uint32_t ctx_id, struct gctx *ctx)
{
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	if ((unsigned int)e >= G9_NR_ENGINES || !vm || !ring_pages || ring_pages > 512)
		return gfail(g, -EINVAL, "context: bad engine, vm or ring size");
	ctx->g = g;
	ctx->engine = e;
	ctx->vm = vm;
	ctx->ctx_id = ctx_id;
	if ((rc = gobj_new(g, (uint64_t)g9_engine_ctx_pages(e) * G9_PAGE, false, &ctx->image)) ||
	    (rc = gobj_new(g, (uint64_t)ring_pages * G9_PAGE, false, &ctx->ring)))
		return rc;
	if (ctx->image.gma >> 32 || ctx->ring.gma >> 32)
		return gfail(g, -ERANGE, "context objects above 4 GiB of GM");
	fill_image(ctx);
	ctx->desc = (uint64_t)ctx_id << 32 | ctx->image.gma | DESC_ADDR_MODE_64B | DESC_PRIVILEGE |
		    DESC_VALID;
	return 0;
}

int
gctx_ring_append(struct gctx *ctx, const struct gcmd *b)
{
	uint32_t size = (uint32_t)ctx->ring.size, need = b->n * 4;
	uint8_t *ring = ctx->ring.cpu;

	if (need >= size || (need & 7))
		return gfail(ctx->g, -EINVAL, "ring append of %u bytes (ring %u, qword multiple)",
			     need, size);
	if (ctx->tail + need > size) {
		/* Wrap: MI_NOOP to the end, the commands from the start (hardware wraps). */
		memset(ring + ctx->tail, 0, size - ctx->tail);
		ctx->tail = 0;
	}
	memcpy(ring + ctx->tail, b->dw, need);
	ctx->tail = (ctx->tail + need) % size;
	__atomic_store_n(&reg_state(ctx)[CTX_RING_TAIL], ctx->tail, __ATOMIC_RELEASE);
	return 0;
}
