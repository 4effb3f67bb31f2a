/* SPDX-License-Identifier: MIT */
/*
 * blit.c — the 2D engine (bcs0): XY_SETUP_CLIP_BLT, XY_COLOR_BLT,
 * XY_SRC_COPY_BLT and XY_FAST_COPY_BLT, pixel-exact (Gen9 PRM vol 2a,
 * i915 gt/intel_gpu_commands.h, igt lib/intel_blt.c for the layouts).
 *
 * What softgpu does, and refuses (an OPCODE fault, never a guess):
 * - Rectangles are [x1, x2) x [y1, y2) in signed 16-bit coordinates; an
 *   empty one writes nothing. XY_COLOR/XY_SRC_COPY with BR13 bit 30 are
 *   clipped to the XY_SETUP_CLIP_BLT rectangle (same convention, the
 *   source moving with the destination); XY_FAST_COPY has no clipping.
 * - Linear surfaces: byte address = base + y * pitch + x * cpp, the pitch
 *   signed 16-bit for XY_COLOR/XY_SRC_COPY (0 and negative pitches do
 *   what the formula says) and unsigned for XY_FAST_COPY. Tiled surfaces
 *   (X, or legacy Y: BCS_SWCTRL for XY_*, the tiling fields for FAST_COPY)
 *   take their pitch in dwords, which must be a whole number of tiles
 *   (512 bytes X, 128 bytes Y), and no negative coordinate; Yf/Ys tiling
 *   is refused. No bit-6 swizzling (Gen9).
 * - XY_COLOR/XY_SRC_COPY: 8, 16 (565/1555) and 32 bpp, any ROP3 (the
 *   pattern is the fill colour for XY_COLOR and 0 for XY_SRC_COPY), the
 *   32 bpp byte masks (bit 21 alpha, bit 20 colour). XY_FAST_COPY: 8, 16,
 *   32, 64, 128 bpp copies.
 * - Surface addresses always go through the context's PPGTT: under
 *   execlists a GGTT batch (the scanner's shadow copies) only decides
 *   where commands are fetched from and their privilege, not where the
 *   blitter reads and writes.
 * - Overlapping copies come out as if the whole source were read first
 *   (rows in the safe order, each row read before it is written).
 */
#include <stdlib.h>
#include <string.h>

#include "sg_int.h"

#define ROWBUF_SIZE (65536u * 16u)	/* widest row: 65535 pixels of 16 bytes */
#define PACKED_RUN (16u << 20)		/* longest single run of a packed copy */

enum tiling { TILE_NONE, TILE_X, TILE_Y };

struct surf {
	uint64_t base;
	int64_t pitch;		/* bytes */
	unsigned int cpp;
	enum tiling tiling;
	bool ppgtt;
};

struct rect {
	int32_t x1, y1, x2, y2;
};

static int32_t
lo16(uint32_t v)
{
	return (int16_t)(v & 0xffff);
}

static int32_t
hi16(uint32_t v)
{
	return (int16_t)(v >> 16);
}

static uint64_t
addr48(uint32_t lo, uint32_t hi)
{
	return ((uint64_t)(hi & 0xffff) << 32) | lo;
}

/* The byte address of byte bx of row y (linear: any sign; tiled: bx, y >= 0). */
static uint64_t
surf_addr(const struct surf *s, int64_t bx, int64_t y)
{
	uint64_t t;

	switch (s->tiling) {
	case TILE_X:	/* 512 bytes x 8 rows a tile */
		t = (uint64_t)(y / 8) * (uint64_t)s->pitch * 8 + (uint64_t)(bx / 512) * SG_PAGE;
		return s->base + t + (uint64_t)(y % 8) * 512 + (uint64_t)(bx % 512);
	case TILE_Y:	/* 128 bytes x 32 rows, in 16-byte columns */
		t = (uint64_t)(y / 32) * (uint64_t)s->pitch * 32 + (uint64_t)(bx / 128) * SG_PAGE;
		return s->base + t + (uint64_t)((bx % 128) / 16) * 512 + (uint64_t)(y % 32) * 16 +
		       (uint64_t)(bx % 16);
	default:
		return s->base + (uint64_t)(y * s->pitch + bx);
	}
}

/* Bytes from bx to the end of its contiguous run in the surface layout. */
static uint32_t
surf_run(const struct surf *s, int64_t bx, uint32_t len)
{
	uint32_t left = s->tiling == TILE_X ? 512 - (uint32_t)(bx % 512)
		      : s->tiling == TILE_Y ? 16 - (uint32_t)(bx % 16) : len;

	return left < len ? left : len;
}

/* Move len bytes of row y from byte bx between the surface and buf. */
static int
row_io(struct sg_run *r, const struct surf *s, int64_t bx, int64_t y, uint8_t *buf,
       uint32_t len, bool write)
{
	while (len) {
		uint32_t n = surf_run(s, bx, len);
		uint64_t a = surf_addr(s, bx, y);
		int rc = write ? sg_gm_write(r, s->ppgtt, a, buf, n)
			       : sg_gm_read(r, s->ppgtt, a, buf, n);

		if (rc < 0)
			return rc;
		bx += n;
		buf += n;
		len -= n;
	}
	return SG_OK;
}

/*
 * Linear to linear copy of len bytes from (sbx, sy) to (dbx, dy), in spans
 * as long as both sides stay contiguous in machine memory, with no buffer
 * in between.
 */
static int
row_copy_direct(struct sg_run *r, const struct surf *d, int64_t dbx, int64_t dy,
		const struct surf *s, int64_t sbx, int64_t sy, uint64_t len)
{
	uint64_t da = surf_addr(d, dbx, dy), sa = surf_addr(s, sbx, sy);

	while (len) {
		uint8_t *dp, *sp;
		uint64_t dn, sn, n;

		if (sg_gm_span(r, s->ppgtt, sa, false, len, &sp, &sn) < 0 ||
		    sg_gm_span(r, d->ppgtt, da, true, sn, &dp, &dn) < 0)
			return SG_FAULT;
		n = dn < sn ? dn : sn;
		memcpy(dp, sp, n);
		da += n;
		sa += n;
		len -= n;
	}
	return SG_OK;
}

static int
surf_check(struct sg_run *r, const struct surf *s, const struct rect *rc, const char *what)
{
	uint32_t tw = s->tiling == TILE_X ? 512 : 128;

	if (s->tiling == TILE_NONE)
		return SG_OK;
	if (s->pitch <= 0 || s->pitch % tw)
		return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
				"%s pitch %lld is not a whole number of %s tiles", what,
				(long long)s->pitch, s->tiling == TILE_X ? "X" : "Y");
	if (rc->x1 < 0 || rc->y1 < 0)
		return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
				"%s: negative coordinate on a tiled surface", what);
	return SG_OK;
}

static int
rowbufs(struct sg_run *r)
{
	for (int i = 0; i < 2; i++)
		if (!r->rowbuf[i] && !(r->rowbuf[i] = malloc(ROWBUF_SIZE)))
			return sg_fault(r, SOFTGPU_FAULT_HANG, r->cmd_addr,
					"no memory for a blit row buffer");
	return SG_OK;
}

void
sg_blt_free(struct sg_run *r)
{
	for (int i = 0; i < 2; i++) {
		free(r->rowbuf[i]);
		r->rowbuf[i] = NULL;
	}
}

/* ROP3 of pattern p, source s, destination d: bit (p << 2 | s << 1 | d) of rop. */
static uint32_t
rop3(uint8_t rop, uint32_t p, uint32_t s, uint32_t d)
{
	uint32_t res = 0;

	for (unsigned int i = 0; i < 8; i++)
		if (rop & (1u << i))
			res |= ((i & 4) ? p : ~p) & ((i & 2) ? s : ~s) & ((i & 1) ? d : ~d);
	return res;
}

static bool
rop_uses_dst(uint8_t rop)
{
	return ((rop >> 1) & 0x55) != (rop & 0x55);
}

static bool
rop_uses_src(uint8_t rop)
{
	return ((rop >> 2) & 0x33) != (rop & 0x33);
}

/*
 * A blit: dst rectangle rc (already clipped) of d; from s at (sx, sy) if
 * s, else pattern-only; ROP and byte mask (for cpp 4). Rows go in the
 * order overlapping surfaces need.
 */
struct blit {
	struct surf d, s;
	bool has_src;
	struct rect rc;
	int32_t sx, sy;
	uint8_t rop;
	uint32_t pattern;
	uint32_t mask;		/* byte-lane mask of a pixel (cpp <= 4) */
};

static bool
ranges_overlap(const struct blit *b)
{
	int64_t h = b->rc.y2 - b->rc.y1, w = (int64_t)(b->rc.x2 - b->rc.x1) * b->d.cpp;
	uint64_t d0 = surf_addr(&b->d, (int64_t)b->rc.x1 * b->d.cpp, b->rc.y1);
	uint64_t d1 = surf_addr(&b->d, (int64_t)b->rc.x1 * b->d.cpp, b->rc.y2 - 1);
	uint64_t s0 = surf_addr(&b->s, (int64_t)b->sx * b->s.cpp, b->sy);
	uint64_t s1 = surf_addr(&b->s, (int64_t)b->sx * b->s.cpp, b->sy + h - 1);
	uint64_t dlo = d0 < d1 ? d0 : d1, dhi = (d0 < d1 ? d1 : d0) + (uint64_t)w;
	uint64_t slo = s0 < s1 ? s0 : s1, shi = (s0 < s1 ? s1 : s0) + (uint64_t)w;

	if (b->d.tiling != TILE_NONE || b->s.tiling != TILE_NONE) {
		/* A tiled row is spread over its tile row: widen to whole tile rows. */
		dhi += (uint64_t)(b->d.pitch > 0 ? b->d.pitch : -b->d.pitch) * 32;
		shi += (uint64_t)(b->s.pitch > 0 ? b->s.pitch : -b->s.pitch) * 32;
	}
	return b->d.ppgtt == b->s.ppgtt && dlo < shi && slo < dhi;
}

static void
pixels_rop(const struct blit *b, uint8_t *out, const uint8_t *src, uint32_t npix)
{
	unsigned int cpp = b->d.cpp;

	for (uint32_t i = 0; i < npix; i++) {
		uint32_t s = 0, d = 0, v;

		if (src)
			memcpy(&s, src + i * cpp, cpp);
		memcpy(&d, out + i * cpp, cpp);
		v = rop3(b->rop, b->pattern, s, d);
		v = (v & b->mask) | (d & ~b->mask);
		memcpy(out + i * cpp, &v, cpp);
	}
}

static int
blit_run(struct sg_run *r, struct blit *b)
{
	int32_t h = b->rc.y2 - b->rc.y1;
	uint32_t npix, len, full;
	bool full_mask, plain_copy, plain_fill, overlap, need_dst, const_fill, bottom_up = false;
	int rc;

	if (b->rc.x2 <= b->rc.x1 || h <= 0)
		return SG_OK;
	npix = (uint32_t)(b->rc.x2 - b->rc.x1);
	len = npix * b->d.cpp;
	full = b->d.cpp >= 4 ? 0xffffffffu : (1u << (8 * b->d.cpp)) - 1;
	full_mask = b->d.cpp > 4 || (b->mask & full) == full;
	plain_copy = b->has_src && (b->rop == 0xcc || b->d.cpp > 4) && full_mask;
	plain_fill = !b->has_src && b->rop == 0xf0 && full_mask;
	need_dst = !full_mask || rop_uses_dst(b->rop);
	const_fill = plain_fill || (!b->has_src && !need_dst);
	overlap = b->has_src && ranges_overlap(b);
	if (surf_check(r, &b->d, &b->rc, "destination") < 0)
		return SG_FAULT;
	if (b->has_src) {
		struct rect src = { b->sx, b->sy, b->sx + (int32_t)npix, b->sy + h };

		if (surf_check(r, &b->s, &src, "source") < 0)
			return SG_FAULT;
	}
	if (overlap) {
		uint64_t da = surf_addr(&b->d, (int64_t)b->rc.x1 * b->d.cpp, b->rc.y1);
		uint64_t sa = surf_addr(&b->s, (int64_t)b->sx * b->s.cpp, b->sy);

		bottom_up = (da > sa) == (b->d.pitch > 0);
	}
	if (rowbufs(r) < 0)
		return SG_FAULT;
	if (const_fill)
		for (uint32_t i = 0; i < npix; i++) {
			uint32_t v = rop3(b->rop, b->pattern, 0, 0);

			memcpy(r->rowbuf[1] + i * b->d.cpp, &v, b->d.cpp);
		}
	for (int32_t k = 0; k < h; k++) {
		int32_t i = bottom_up ? h - 1 - k : k;
		int64_t dy = b->rc.y1 + i, dbx = (int64_t)b->rc.x1 * b->d.cpp;
		int64_t sy = b->sy + i, sbx = (int64_t)b->sx * b->s.cpp;

		rc = sg_check_attention(r, false);
		if (rc)
			return rc;
		if (plain_copy && !overlap && b->d.tiling == TILE_NONE && b->s.tiling == TILE_NONE) {
			/*
			 * Rows packed on both sides (pitch = row length) are one
			 * run: up to PACKED_RUN bytes at once (a reset waits no longer).
			 */
			bool packed = b->d.pitch == (int64_t)len && b->s.pitch == (int64_t)len;
			int32_t rows = packed ? (int32_t)(PACKED_RUN / len) : 1;

			if (rows < 1)
				rows = 1;
			if (rows > h - k)
				rows = h - k;
			rc = row_copy_direct(r, &b->d, dbx, dy, &b->s, sbx, sy,
					     (uint64_t)len * (uint64_t)rows);
			if (!rc) {
				r->n_blit_bytes += (uint64_t)len * (uint64_t)(rows - 1);
				k += rows - 1;
			}
		} else if (plain_copy) {
			rc = row_io(r, &b->s, sbx, sy, r->rowbuf[0], len, false);
			if (!rc)
				rc = row_io(r, &b->d, dbx, dy, r->rowbuf[0], len, true);
		} else if (const_fill) {
			rc = row_io(r, &b->d, dbx, dy, r->rowbuf[1], len, true);
		} else {
			rc = b->has_src && rop_uses_src(b->rop)
				     ? row_io(r, &b->s, sbx, sy, r->rowbuf[0], len, false) : SG_OK;
			if (!rc)
				rc = row_io(r, &b->d, dbx, dy, r->rowbuf[1], len, false);
			if (!rc) {
				pixels_rop(b, r->rowbuf[1],
					   b->has_src && rop_uses_src(b->rop) ? r->rowbuf[0] : NULL,
					   npix);
				rc = row_io(r, &b->d, dbx, dy, r->rowbuf[1], len, true);
			}
		}
		if (rc)
			return rc;
		r->n_blit_bytes += len;
	}
	return SG_OK;
}

/* Intersect the destination with the engine's clip rectangle; the source follows. */
static void
clip(struct sg_run *r, struct blit *b)
{
	const int32_t *c = r->e->clip;

	if (b->rc.x1 < c[0]) {
		b->sx += c[0] - b->rc.x1;
		b->rc.x1 = c[0];
	}
	if (b->rc.y1 < c[1]) {
		b->sy += c[1] - b->rc.y1;
		b->rc.y1 = c[1];
	}
	if (b->rc.x2 > c[2])
		b->rc.x2 = c[2];
	if (b->rc.y2 > c[3])
		b->rc.y2 = c[3];
}

static const unsigned int br13_cpp[4] = { 1, 2, 2, 4 };

/* BR00/BR13 of XY_COLOR_BLT and XY_SRC_COPY_BLT: depth, ROP, pitch, masks, tiling. */
static void
xy_common(struct sg_run *r, struct blit *b, const uint32_t *c)
{
	uint32_t swctrl = sg_reg_read(r->g, SG_BCS_SWCTRL);
	unsigned int cpp = br13_cpp[(c[1] >> 24) & 3];

	b->d.cpp = b->s.cpp = cpp;
	b->rop = (uint8_t)(c[1] >> 16);
	b->d.pitch = lo16(c[1]);
	b->d.tiling = (c[0] & (1u << 11)) ? ((swctrl & 2) ? TILE_Y : TILE_X) : TILE_NONE;
	b->s.tiling = (c[0] & (1u << 15)) ? ((swctrl & 1) ? TILE_Y : TILE_X) : TILE_NONE;
	if (b->d.tiling != TILE_NONE)
		b->d.pitch *= 4;
	b->d.ppgtt = b->s.ppgtt = true;	/* execlist contexts: surfaces are PPGTT */
	b->mask = cpp == 4 ? (((c[0] >> 21) & 1) ? 0xff000000u : 0) |
			     (((c[0] >> 20) & 1) ? 0x00ffffffu : 0)
			   : 0xffffffffu;
	b->rc = (struct rect){ lo16(c[2]), hi16(c[2]), lo16(c[3]), hi16(c[3]) };
}

int
sg_blt_setup_clip(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	(void)n;
	r->e->clip[0] = lo16(c[1]);
	r->e->clip[1] = hi16(c[1]);
	r->e->clip[2] = lo16(c[2]);
	r->e->clip[3] = hi16(c[2]);
	return SG_OK;
}

/* XY_COLOR_BLT: BR00, BR13, dst top-left, bottom-right, dst address (2), colour. */
int
sg_blt_color(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	struct blit b = { 0 };

	(void)n;
	xy_common(r, &b, c);
	b.d.base = addr48(c[4], c[5]);
	b.pattern = b.d.cpp == 4 ? c[6] : c[6] & ((1u << (8 * b.d.cpp)) - 1);
	if (c[1] & (1u << 30))
		clip(r, &b);
	return blit_run(r, &b);
}

/*
 * XY_SRC_COPY_BLT: BR00, BR13, dst top-left, bottom-right, dst address
 * (2), src top-left, src pitch, src address (2).
 */
int
sg_blt_src_copy(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	struct blit b = { 0 };

	(void)n;
	xy_common(r, &b, c);
	b.has_src = true;
	b.d.base = addr48(c[4], c[5]);
	b.sx = lo16(c[6]);
	b.sy = hi16(c[6]);
	b.s.pitch = lo16(c[7]);
	if (b.s.tiling != TILE_NONE)
		b.s.pitch *= 4;
	b.s.base = addr48(c[8], c[9]);
	if (c[1] & (1u << 30))
		clip(r, &b);
	return blit_run(r, &b);
}

/* XY_FAST_COPY_BLT tiling field: 0 linear, 1 X, 2 Y (legacy if the type bit is 0), 3 Ys. */
static int
fast_tiling(struct sg_run *r, unsigned int field, bool yf, enum tiling *t)
{
	static const enum tiling map[3] = { TILE_NONE, TILE_X, TILE_Y };

	if (field == 3 || (field == 2 && yf))
		return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
				"XY_FAST_COPY_BLT: Yf/Ys tiling not supported");
	*t = map[field];
	return SG_OK;
}

/*
 * XY_FAST_COPY_BLT: dw0 src tiling 21:20, dst tiling 14:13; dw1 dst pitch
 * 15:0, depth 26:24, tile-Y type bits 30 (dst) / 31 (src); then as
 * XY_SRC_COPY_BLT. Always a plain copy.
 */
int
sg_blt_fast_copy(struct sg_run *r, const uint32_t *c, unsigned int n)
{
	static const unsigned int depth_cpp[8] = { 1, 2, 0, 4, 8, 16, 0, 0 };
	struct blit b = { 0 };
	unsigned int cpp = depth_cpp[(c[1] >> 24) & 7];

	(void)n;
	if (!cpp)
		return sg_fault(r, SOFTGPU_FAULT_OPCODE, r->cmd_addr,
				"XY_FAST_COPY_BLT colour depth %u", (c[1] >> 24) & 7);
	if (fast_tiling(r, (c[0] >> 13) & 3, c[1] & (1u << 30), &b.d.tiling) < 0 ||
	    fast_tiling(r, (c[0] >> 20) & 3, c[1] & (1u << 31), &b.s.tiling) < 0)
		return SG_FAULT;
	b.has_src = true;
	b.rop = 0xcc;
	b.mask = 0xffffffffu;
	b.d.cpp = b.s.cpp = cpp;
	b.d.ppgtt = b.s.ppgtt = true;
	b.d.pitch = (int64_t)(c[1] & 0xffff) * (b.d.tiling != TILE_NONE ? 4 : 1);
	b.s.pitch = (int64_t)(c[7] & 0xffff) * (b.s.tiling != TILE_NONE ? 4 : 1);
	b.rc = (struct rect){ lo16(c[2]), hi16(c[2]), lo16(c[3]), hi16(c[3]) };
	b.d.base = addr48(c[4], c[5]);
	b.sx = lo16(c[6]);
	b.sy = hi16(c[6]);
	b.s.base = addr48(c[8], c[9]);
	return blit_run(r, &b);
}
