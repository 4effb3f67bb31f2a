/* SPDX-License-Identifier: MIT */
/*
 * test_softgpu_blit.c — softgpu's blitter, pixel by pixel: fills at 8,
 * 16 and 32 bpp with byte masks, copies, fast copies, X and Y tiling,
 * overlapping copies, clipping, empty rectangles, zero and negative
 * pitches, ROPs, a tiled pitch hardware cannot use, a rectangle running
 * into an unmapped page, and a blit from a PPGTT batch.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "tests/test_util.h"
#include "tests/unit/sg_rig.h"

#define LO(a) ((uint32_t)(a))
#define HI(a) ((uint32_t)((uint64_t)(a) >> 32))
#define W 64		/* test surfaces: 64 x 32 pixels */
#define H 32
#define BCS SOFTGPU_BCS
#define DEPTH32 (3u << 24)
#define ROP(x) ((uint32_t)(x) << 16)
#define CLIP_EN (1u << 30)
#define DST_TILED (1u << 11)
#define SRC_TILED (1u << 15)
#define XY(x, y) (((uint32_t)(y) << 16) | ((uint32_t)(x) & 0xffff))

/* Run cmds on bcs0 as one context; expect it to complete. */
static void
blt(struct sg_rig *r, const uint32_t *cmds, unsigned int n)
{
	static uint32_t id = 1;
	struct sg_ctx c;

	rig_ctx(r, &c, id, 1, NULL);
	ctx_emit(&c, cmds, n);
	CU_ASSERT_EQUAL(rig_submit1(r, BCS, &c), 0);
	rig_expect_run(r, BCS, id++);
}

#define BLT(r, ...) blt((r), DWORDS(__VA_ARGS__), NDWORDS(__VA_ARGS__))

static uint32_t
px32(const struct sg_obj *o, unsigned int pitch, int x, int y)
{
	uint32_t v;

	memcpy(&v, o->va + (size_t)y * pitch + (size_t)x * 4, 4);
	return v;
}

static uint32_t
pattern(int x, int y)
{
	return 0xff000000u | (uint32_t)y << 12 | (uint32_t)x << 2 | 1;
}

/* A W x H, 32 bpp surface (pitch W * 4), filled with pattern() or v. */
static void
surf32(struct sg_rig *r, struct sg_obj *o, bool pat, uint32_t v)
{
	rig_obj(r, W * H * 4 / 4096, true, o);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint32_t p = pat ? pattern(x, y) : v;

			memcpy(o->va + (size_t)y * W * 4 + (size_t)x * 4, &p, 4);
		}
}

static bool
inside(int x, int y, int x1, int y1, int x2, int y2)
{
	return x >= x1 && x < x2 && y >= y1 && y < y2;
}

static void
test_fill32(void)
{
	struct sg_rig r;
	struct sg_obj d;
	unsigned int bad = 0;

	rig_open(&r);
	surf32(&r, &d, false, 0x01010101);
	BLT(&r, XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0xf0) | W * 4, XY(3, 2), XY(20, 9),
				    LO(d.gma), HI(d.gma), 0xaabbccdd);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			bad += px32(&d, W * 4, x, y) !=
			       (inside(x, y, 3, 2, 20, 9) ? 0xaabbccddu : 0x01010101u);
	CU_ASSERT_EQUAL(bad, 0);
	/* Colour bytes only: alpha stays. */
	BLT(&r, XY_COLOR | BLT_WRITE_RGB, DEPTH32 | ROP(0xf0) | W * 4,
				    XY(0, 20), XY(4, 21), LO(d.gma), HI(d.gma), 0x11223344);
	CU_ASSERT_EQUAL(px32(&d, W * 4, 2, 20), 0x01223344);
	CU_ASSERT_EQUAL(px32(&d, W * 4, 4, 20), 0x01010101);
	rig_close(&r);
}

static void
test_fill8_16(void)
{
	struct sg_rig r;
	struct sg_obj d;
	unsigned int bad = 0;

	rig_open(&r);
	rig_obj(&r, 1, true, &d);
	memset(d.va, 0x5a, 4096);
	/* 8 bpp, pitch 100: the colour's low byte. */
	BLT(&r, XY_COLOR, (0u << 24) | ROP(0xf0) | 100, XY(7, 1), XY(19, 4),
				    LO(d.gma), 0, 0x1234567f);
	for (int y = 0; y < 6; y++)
		for (int x = 0; x < 100; x++)
			bad += d.va[y * 100 + x] != (inside(x, y, 7, 1, 19, 4) ? 0x7f : 0x5a);
	CU_ASSERT_EQUAL(bad, 0);
	/* 16 bpp (565) at offset 2048, pitch 64. */
	BLT(&r, XY_COLOR, (1u << 24) | ROP(0xf0) | 64, XY(1, 1), XY(3, 2),
				    LO(d.gma + 2048), 0, 0xabcdf81f);
	uint16_t v[4];
	memcpy(v, d.va + 2048 + 64, 8);
	CU_ASSERT_EQUAL(v[0], 0x5a5a);
	CU_ASSERT_EQUAL(v[1], 0xf81f);
	CU_ASSERT_EQUAL(v[2], 0xf81f);
	CU_ASSERT_EQUAL(v[3], 0x5a5a);
	rig_close(&r);
}

static void
test_copy32(void)
{
	struct sg_rig r;
	struct sg_obj s, d;
	unsigned int bad = 0;

	rig_open(&r);
	surf32(&r, &s, true, 0);
	surf32(&r, &d, false, 0);
	BLT(&r, XY_SRC_COPY | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0xcc) | W * 4, XY(10, 4), XY(40, 24),
				    LO(d.gma), HI(d.gma), XY(5, 3), W * 4, LO(s.gma), HI(s.gma));
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			bad += px32(&d, W * 4, x, y) !=
			       (inside(x, y, 10, 4, 40, 24) ? pattern(x - 5, y - 1) : 0);
	CU_ASSERT_EQUAL(bad, 0);
	rig_close(&r);
}

static void
test_fast_copy(void)
{
	struct sg_rig r;
	struct sg_obj s, d, s8, d8;
	unsigned int bad = 0;

	rig_open(&r);
	surf32(&r, &s, true, 0);
	surf32(&r, &d, false, 0);
	BLT(&r, XY_FAST_COPY, (3u << 24) | W * 4, XY(0, 0), XY(W, H),
				    LO(d.gma), 0, XY(0, 0), W * 4, LO(s.gma), 0);
	CU_ASSERT_EQUAL(memcmp(d.va, s.va, W * H * 4), 0);
	/* The same into pages mapped out of order: a run never crosses a discontinuity. */
	memset(d.va, 0, W * H * 4);
	rig_ggtt_map(&r, d.gma, d.maddr + 4096);
	rig_ggtt_map(&r, d.gma + 4096, d.maddr);
	BLT(&r, XY_FAST_COPY, (3u << 24) | W * 4, XY(0, 0), XY(W, H), LO(d.gma), 0, XY(0, 0),
	    W * 4, LO(s.gma), 0);
	CU_ASSERT_EQUAL(memcmp(d.va + 4096, s.va, 4096), 0);
	CU_ASSERT_EQUAL(memcmp(d.va, s.va + 4096, 4096), 0);
	/* 8 bpp, an odd rectangle. */
	rig_obj(&r, 1, true, &s8);
	rig_obj(&r, 1, true, &d8);
	for (int i = 0; i < 4096; i++)
		s8.va[i] = (uint8_t)(i * 7);
	BLT(&r, XY_FAST_COPY, (0u << 24) | 64, XY(3, 2), XY(50, 9),
				    LO(d8.gma), 0, XY(1, 4), 64, LO(s8.gma), 0);
	for (int y = 0; y < 64; y++)
		for (int x = 0; x < 64; x++)
			bad += d8.va[y * 64 + x] !=
			       (inside(x, y, 3, 2, 50, 9) ? s8.va[(y + 2) * 64 + x - 2] : 0);
	CU_ASSERT_EQUAL(bad, 0);
	rig_close(&r);
}

/* X tiles: 512 bytes x 8 rows; Y tiles: 128 bytes x 32 rows in 16-byte columns. */
static size_t
tiled_off(bool ytile, unsigned int pitch, unsigned int bx, unsigned int y)
{
	if (!ytile)
		return (size_t)(y / 8) * pitch * 8 + (bx / 512) * 4096 + (y % 8) * 512 + bx % 512;
	return (size_t)(y / 32) * pitch * 32 + (bx / 128) * 4096 + ((bx % 128) / 16) * 512 +
	       (y % 32) * 16 + bx % 16;
}

static void
test_tiled(void)
{
	struct sg_rig r;
	struct sg_obj s, t, back;
	uint32_t v;

	rig_open(&r);
	surf32(&r, &s, true, 0);
	rig_obj(&r, 4, true, &t);	/* 64 rows of 512 bytes: whole X and Y tiles */
	surf32(&r, &back, false, 0);
	for (int ytile = 0; ytile < 2; ytile++) {
		memset(t.va, 0, 4 * 4096);
		memset(back.va, 0, W * H * 4);
		/* BCS_SWCTRL (masked): bit 1 destination Y, bit 0 source Y. */
		softgpu_mmio_write(r.g, 0x22200, 0x00030000u | (ytile ? 3u : 0u));
		/* Linear -> tiled (pitch 512 bytes = 128 dwords) with XY_SRC_COPY. */
		BLT(&r, XY_SRC_COPY | DST_TILED | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
					    DEPTH32 | ROP(0xcc) | 128, XY(0, 0), XY(W, H),
					    LO(t.gma), 0, XY(0, 0), W * 4, LO(s.gma), 0);
		memcpy(&v, t.va + tiled_off(ytile, 512, 37 * 4, 13), 4);
		CU_ASSERT_EQUAL(v, pattern(37, 13));
		memcpy(&v, t.va + tiled_off(ytile, 512, 63 * 4, 31), 4);
		CU_ASSERT_EQUAL(v, pattern(63, 31));
		/* Tiled -> linear back with XY_FAST_COPY (tiling 1 X, 2 Y). */
		BLT(&r, XY_FAST_COPY | ((ytile ? 2u : 1u) << 20),
					    (3u << 24) | W * 4, XY(0, 0), XY(W, H), LO(back.gma), 0,
					    XY(0, 0), 128, LO(t.gma), 0);
		CU_ASSERT_EQUAL(memcmp(back.va, s.va, W * H * 4), 0);
	}
	rig_close(&r);
}

/* Copies within one surface come out as if the source had been read first. */
static void
test_overlap(void)
{
	static const struct {
		int sx, sy, dx, dy, w, h;
	} cases[] = {
		{ 0, 0, 3, 5, 40, 20 },	/* down and right */
		{ 3, 5, 0, 0, 40, 20 },	/* up and left */
		{ 0, 10, 2, 10, 30, 1 },	/* one row, right */
		{ 5, 7, 1, 7, 30, 3 },	/* rows, left */
	};
	struct sg_rig r;
	struct sg_obj d;
	static uint32_t ref[H][W];

	rig_open(&r);
	surf32(&r, &d, true, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static uint32_t tmp[H][W];
		unsigned int bad = 0;

		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				ref[y][x] = px32(&d, W * 4, x, y);
		memcpy(tmp, ref, sizeof(tmp));
		for (int y = 0; y < cases[i].h; y++)
			for (int x = 0; x < cases[i].w; x++)
				ref[cases[i].dy + y][cases[i].dx + x] =
					tmp[cases[i].sy + y][cases[i].sx + x];
		BLT(&r, XY_SRC_COPY | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
					    DEPTH32 | ROP(0xcc) | W * 4, XY(cases[i].dx, cases[i].dy),
					    XY(cases[i].dx + cases[i].w, cases[i].dy + cases[i].h),
					    LO(d.gma), 0, XY(cases[i].sx, cases[i].sy), W * 4,
					    LO(d.gma), 0);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				bad += px32(&d, W * 4, x, y) != ref[y][x];
		CU_ASSERT_EQUAL(bad, 0);
		if (bad)
			fprintf(stderr, "\n    overlap case %zu: %u pixels wrong\n", i, bad);
	}
	rig_close(&r);
}

static void
test_clip(void)
{
	struct sg_rig r;
	struct sg_obj s, d;
	unsigned int bad = 0;

	rig_open(&r);
	surf32(&r, &s, true, 0);
	surf32(&r, &d, false, 0);
	/* Fill the whole surface through the clip rectangle [10, 30) x [5, 15). */
	BLT(&r, XY_SETUP_CLIP, XY(10, 5), XY(30, 15),
				    XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    CLIP_EN | DEPTH32 | ROP(0xf0) | W * 4, XY(0, 0), XY(W, H),
				    LO(d.gma), 0, 0x77777777);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			bad += px32(&d, W * 4, x, y) !=
			       (inside(x, y, 10, 5, 30, 15) ? 0x77777777u : 0);
	CU_ASSERT_EQUAL(bad, 0);
	/* A copy is clipped too, its source moving with it; without the bit, no clip. */
	memset(d.va, 0, W * H * 4);
	BLT(&r, XY_SRC_COPY | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    CLIP_EN | DEPTH32 | ROP(0xcc) | W * 4, XY(5, 2), XY(25, 12),
				    LO(d.gma), 0, XY(0, 0), W * 4, LO(s.gma), 0);
	bad = 0;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			bad += px32(&d, W * 4, x, y) !=
			       (inside(x, y, 10, 5, 25, 12) ? pattern(x - 5, y - 2) : 0);
	CU_ASSERT_EQUAL(bad, 0);
	BLT(&r, XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0xf0) | W * 4, XY(0, 0), XY(1, 1), LO(d.gma), 0, 9);
	CU_ASSERT_EQUAL(px32(&d, W * 4, 0, 0), 9);
	rig_close(&r);
}

/* Empty rectangles write nothing; pitch 0 and negative pitches do what the formula says. */
static void
test_pitch(void)
{
	struct sg_rig r;
	struct sg_obj s, d;
	struct softgpu_engine_stats st;
	unsigned int bad = 0;

	rig_open(&r);
	surf32(&r, &s, true, 0);
	surf32(&r, &d, false, 0x42);
	BLT(&r, XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0xf0) | W * 4, XY(5, 5), XY(5, 9), LO(d.gma), 0, 1,
				    XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0xf0) | W * 4, XY(9, 5), XY(3, 9), LO(d.gma), 0, 1);
	softgpu_engine_stats(r.g, BCS, &st);
	CU_ASSERT_EQUAL(st.blit_bytes, 0);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			bad += px32(&d, W * 4, x, y) != 0x42;
	CU_ASSERT_EQUAL(bad, 0);
	/* Destination pitch 0: every row lands on row 0, the last one stays. */
	BLT(&r, XY_SRC_COPY | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0xcc) | 0, XY(0, 0), XY(8, 4), LO(d.gma), 0,
				    XY(0, 0), W * 4, LO(s.gma), 0);
	CU_ASSERT_EQUAL(px32(&d, W * 4, 7, 0), pattern(7, 3));
	CU_ASSERT_EQUAL(px32(&d, W * 4, 7, 1), 0x42);
	/* Negative destination pitch from the last row: the image upside down. */
	BLT(&r, XY_SRC_COPY | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0xcc) | (uint16_t)-(W * 4), XY(0, 0), XY(W, H),
				    LO(d.gma + (H - 1) * W * 4), 0, XY(0, 0), W * 4, LO(s.gma), 0);
	bad = 0;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			bad += px32(&d, W * 4, x, y) != pattern(x, H - 1 - y);
	CU_ASSERT_EQUAL(bad, 0);
	rig_close(&r);
}

/* A tiled pitch that is not whole tiles is refused; so is an unknown depth. */
static void
test_bad_pitch(void)
{
	struct sg_rig r;
	struct sg_ctx c, f;
	struct sg_obj d;

	rig_open(&r);
	rig_obj(&r, 4, true, &d);
	rig_ctx(&r, &c, 1, 1, NULL);
	CTX_EMIT(&c, XY_COLOR | DST_TILED | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
					  DEPTH32 | ROP(0xf0) | 100, XY(0, 0), XY(4, 4), LO(d.gma), 0,
					  1);
	CU_ASSERT_EQUAL(rig_submit1(&r, BCS, &c), 0);
	rig_expect_fault(&r, BCS, SOFTGPU_FAULT_OPCODE);
	CU_ASSERT_EQUAL(softgpu_engine_reset(r.g, BCS), 0);
	CU_ASSERT_EQUAL(d.va[0], 0);
	rig_ctx(&r, &f, 2, 1, NULL);
	CTX_EMIT(&f, XY_FAST_COPY, (2u << 24) | 64, XY(0, 0), XY(4, 4),
					  LO(d.gma), 0, XY(0, 0), 64, LO(d.gma), 0);
	CU_ASSERT_EQUAL(rig_submit1(&r, BCS, &f), 0);
	rig_expect_fault(&r, BCS, SOFTGPU_FAULT_OPCODE);
	rig_close(&r);
}

/* ROP3: XOR of source and destination (0x66), and DSTINVERT (0x55). */
static void
test_rop(void)
{
	struct sg_rig r;
	struct sg_obj s, d;

	rig_open(&r);
	surf32(&r, &s, true, 0);
	surf32(&r, &d, false, 0x0f0f0f0f);
	BLT(&r, XY_SRC_COPY | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0x66) | W * 4, XY(0, 0), XY(4, 1), LO(d.gma), 0,
				    XY(0, 0), W * 4, LO(s.gma), 0,
				    XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
				    DEPTH32 | ROP(0x55) | W * 4, XY(0, 1), XY(4, 2), LO(d.gma), 0, 0);
	CU_ASSERT_EQUAL(px32(&d, W * 4, 3, 0), pattern(3, 0) ^ 0x0f0f0f0f);
	CU_ASSERT_EQUAL(px32(&d, W * 4, 4, 0), 0x0f0f0f0f);
	CU_ASSERT_EQUAL(px32(&d, W * 4, 2, 1), 0xf0f0f0f0);
	rig_close(&r);
}

/* A rectangle running into an unmapped page: an address fault there, rows before it written. */
static void
test_blit_fault(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct sg_obj d;
	struct softgpu_event ev;

	rig_open(&r);
	rig_obj(&r, 2, true, &d);
	rig_ggtt_unmap(&r, d.gma + 4096);
	rig_ctx(&r, &c, 1, 1, NULL);
	CTX_EMIT(&c, XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB,
					  DEPTH32 | ROP(0xf0) | 1024, XY(0, 0), XY(2, 8), LO(d.gma),
					  0, 0x99);
	CU_ASSERT_EQUAL(rig_submit1(&r, BCS, &c), 0);
	ev = rig_expect_fault(&r, BCS, SOFTGPU_FAULT_ADDRESS);
	CU_ASSERT_EQUAL(ev.fault_addr, d.gma + 4096);
	CU_ASSERT_EQUAL(px32(&d, 1024, 1, 3), 0x99);
	rig_close(&r);
}

/* A blit in a PPGTT batch reaches its surfaces through the PPGTT. */
static void
test_blit_ppgtt(void)
{
	struct sg_rig r;
	struct sg_ppgtt pp;
	struct sg_ctx c;
	struct sg_obj bb, d;
	const uint64_t bva = 0x10000000ull, dva = 0x345670000ull;

	rig_open(&r);
	rig_ppgtt_init(&r, &pp, 4);
	rig_obj(&r, 1, false, &bb);
	rig_obj(&r, 1, false, &d);
	rig_ppgtt_map(&r, &pp, bva, bb.maddr);
	rig_ppgtt_map(&r, &pp, dva, d.maddr);
	memcpy(bb.va, DWORDS(XY_COLOR | BLT_WRITE_ALPHA | BLT_WRITE_RGB, DEPTH32 | ROP(0xf0) | 64,
			     XY(1, 1), XY(3, 2), LO(dva), HI(dva), 0xcafe, MI_BATCH_BUFFER_END),
	       NDWORDS(0, 0, 0, 0, 0, 0, 0, 0) * 4);
	rig_ctx(&r, &c, 5, 1, &pp);
	CTX_EMIT(&c, MI_BB_START | MI_BB_PPGTT, LO(bva), HI(bva));
	CU_ASSERT_EQUAL(rig_submit1(&r, BCS, &c), 0);
	rig_expect_run(&r, BCS, 5);
	CU_ASSERT_EQUAL(px32(&d, 64, 1, 1), 0xcafe);
	CU_ASSERT_EQUAL(px32(&d, 64, 2, 1), 0xcafe);
	CU_ASSERT_EQUAL(px32(&d, 64, 3, 1), 0);
	rig_close(&r);
}

void suite_softgpu_blit(void);

void
suite_softgpu_blit(void)
{
	static const struct test_case cases[] = {
		{ "fill 32 bpp, byte masks", test_fill32 },
		{ "fill 8 and 16 bpp", test_fill8_16 },
		{ "copy 32 bpp", test_copy32 },
		{ "fast copy 32 and 8 bpp", test_fast_copy },
		{ "X and Y tiling", test_tiled },
		{ "overlapping copies", test_overlap },
		{ "clipping", test_clip },
		{ "empty rectangles, zero and negative pitch", test_pitch },
		{ "bad pitch, bad depth", test_bad_pitch },
		{ "ROPs", test_rop },
		{ "fault in the middle of a rectangle", test_blit_fault },
		{ "blit from a PPGTT batch", test_blit_ppgtt },
		{ NULL, NULL },
	};

	test_add_suite("softgpu_blit", cases);
}
