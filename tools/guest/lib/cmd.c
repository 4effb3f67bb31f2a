/* SPDX-License-Identifier: MIT */
/*
 * cmd.c — command encodings a Gen9 driver puts in rings and batches, as
 * i915 emits them (gt/intel_gpu_commands.h; the blits as in its client
 * blt selftests and intel_migrate: 64-bit addresses, 32 bpp, pitches in
 * bytes for linear surfaces). Pure: dwords into a caller's buffer; an
 * emitter either writes its whole command or nothing.
 */
#include <errno.h>
#include <string.h>

#include "tools/guest/libguest.h"

void
gcmd_init(struct gcmd *b, void *mem, uint32_t cap_dwords)
{
	b->dw = mem;
	b->n = 0;
	b->cap = cap_dwords;
}

/* Emit n dwords at once (all or none). */
static int
emit(struct gcmd *b, const uint32_t *dw, uint32_t n)
{
	if (n > b->cap - b->n)
		return -ENOSPC;
	memcpy(b->dw + b->n, dw, n * sizeof(uint32_t));
	b->n += n;
	return 0;
}

int
gcmd_dw(struct gcmd *b, uint32_t dw)
{
	return emit(b, &dw, 1);
}

int
gcmd_noop(struct gcmd *b)
{
	return gcmd_dw(b, MI_NOOP);
}

int
gcmd_bb_end(struct gcmd *b)
{
	return gcmd_dw(b, MI_BATCH_BUFFER_END);
}

int
gcmd_user_interrupt(struct gcmd *b)
{
	return gcmd_dw(b, MI_USER_INTERRUPT);
}

int
gcmd_arb_check(struct gcmd *b)
{
	return gcmd_dw(b, MI_ARB_CHECK);
}

int
gcmd_bb_start(struct gcmd *b, uint64_t addr, bool ppgtt)
{
	const uint32_t dw[] = { MI_BATCH_BUFFER_START | (ppgtt ? MI_BB_PPGTT : 0),
				(uint32_t)addr, (uint32_t)(addr >> 32) };

	return emit(b, dw, 3);
}

int
gcmd_store_dw(struct gcmd *b, uint64_t addr, bool ggtt, uint32_t val)
{
	const uint32_t dw[] = { MI_STORE_DATA_IMM | (ggtt ? MI_USE_GGTT : 0), (uint32_t)addr,
				(uint32_t)(addr >> 32), val };

	return emit(b, dw, 4);
}

int
gcmd_lri(struct gcmd *b, uint32_t reg, uint32_t val)
{
	const uint32_t dw[] = { MI_LOAD_REGISTER_IMM(1), reg, val };

	return emit(b, dw, 3);
}

int
gcmd_flush_dw(struct gcmd *b, uint64_t ggtt_addr, uint32_t val)
{
	const uint32_t dw[] = { MI_FLUSH_DW | MI_FLUSH_DW_STORE,
				(uint32_t)ggtt_addr | MI_FLUSH_DW_USE_GTT,
				(uint32_t)(ggtt_addr >> 32), val };

	return emit(b, dw, 4);
}

int
gcmd_color_blt(struct gcmd *b, uint64_t dst, uint32_t pitch, uint32_t x1, uint32_t y1,
	       uint32_t x2, uint32_t y2, uint32_t color)
{
	const uint32_t dw[] = {
		XY_COLOR_BLT | BLT_WRITE_RGBA | (7 - 2),
		BLT_DEPTH_32 | BLT_ROP_COLOR_COPY | (pitch & 0xffff),
		y1 << 16 | (x1 & 0xffff),
		y2 << 16 | (x2 & 0xffff),
		(uint32_t)dst, (uint32_t)(dst >> 32),
		color,
	};

	return emit(b, dw, 7);
}

int
gcmd_src_copy_blt(struct gcmd *b, uint64_t dst, uint32_t dst_pitch, uint32_t dx, uint32_t dy,
		  uint32_t w, uint32_t h, uint64_t src, uint32_t src_pitch, uint32_t sx,
		  uint32_t sy)
{
	const uint32_t dw[] = {
		XY_SRC_COPY_BLT | BLT_WRITE_RGBA | (10 - 2),
		BLT_DEPTH_32 | BLT_ROP_SRC_COPY | (dst_pitch & 0xffff),
		dy << 16 | (dx & 0xffff),
		(dy + h) << 16 | ((dx + w) & 0xffff),
		(uint32_t)dst, (uint32_t)(dst >> 32),
		sy << 16 | (sx & 0xffff),
		src_pitch & 0xffff,
		(uint32_t)src, (uint32_t)(src >> 32),
	};

	return emit(b, dw, 10);
}

int
gcmd_fast_copy_blt(struct gcmd *b, uint64_t dst, uint32_t dst_pitch, uint32_t dx, uint32_t dy,
		   uint32_t w, uint32_t h, uint64_t src, uint32_t src_pitch, uint32_t sx,
		   uint32_t sy)
{
	/* Linear source and destination: tiling fields 0. */
	const uint32_t dw[] = {
		XY_FAST_COPY_BLT | (10 - 2),
		FAST_DEPTH_32 | (dst_pitch & 0xffff),
		dy << 16 | (dx & 0xffff),
		(dy + h) << 16 | ((dx + w) & 0xffff),
		(uint32_t)dst, (uint32_t)(dst >> 32),
		sy << 16 | (sx & 0xffff),
		src_pitch & 0xffff,
		(uint32_t)src, (uint32_t)(src >> 32),
	};

	return emit(b, dw, 10);
}

int
gcmd_align_qw(struct gcmd *b)
{
	return (b->n & 1) ? gcmd_noop(b) : 0;
}
