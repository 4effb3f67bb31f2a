/* SPDX-License-Identifier: MIT */
/*
 * test_guestlib.c — libguest's pure parts: command encodings word for
 * word (the dwords i915 emits), buffers that never overflow, the patterns'
 * geometry, and each pattern's batch run by a small reference blitter
 * here (XY_COLOR_BLT, XY_SRC_COPY_BLT, XY_FAST_COPY_BLT, MI_STORE_DATA_IMM
 * over a flat address space, as their Gen9 definitions read) giving
 * exactly the picture gpattern_pixel describes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test_util.h"
#include "tools/guest/libguest.h"

static void
expect_dw(const struct gcmd *b, const uint32_t *want, uint32_t n)
{
	CU_ASSERT_EQUAL_FATAL(b->n, n);
	for (uint32_t i = 0; i < n; i++) {
		if (b->dw[i] != want[i])
			fprintf(stderr, "\n    dword %u: 0x%08x want 0x%08x\n", i, b->dw[i], want[i]);
		CU_ASSERT_EQUAL(b->dw[i], want[i]);
	}
}

static void
test_encodings(void)
{
	uint32_t buf[16];
	struct gcmd b;

	gcmd_init(&b, buf, 16);
	gcmd_color_blt(&b, 0x123456789000ull, 256, 1, 2, 30, 40, 0x00abcdef);
	expect_dw(&b, (const uint32_t[]){ 0x54300005, 0x03f00100, 0x00020001, 0x0028001e,
					  0x56789000, 0x1234, 0x00abcdef }, 7);
	gcmd_init(&b, buf, 16);
	gcmd_src_copy_blt(&b, 0x10000, 512, 8, 4, 16, 2, 0x20000, 1024, 3, 5);
	expect_dw(&b, (const uint32_t[]){ 0x54f00008, 0x03cc0200, 0x00040008, 0x00060018,
					  0x10000, 0, 0x00050003, 1024, 0x20000, 0 }, 10);
	gcmd_init(&b, buf, 16);
	gcmd_fast_copy_blt(&b, 0x10000, 512, 0, 0, 64, 32, 0x20000, 512, 0, 0);
	expect_dw(&b, (const uint32_t[]){ 0x50800008, 0x03000200, 0, 0x00200040, 0x10000, 0, 0,
					  512, 0x20000, 0 }, 10);
	gcmd_init(&b, buf, 16);
	gcmd_store_dw(&b, 0x1000040, false, 7);
	gcmd_store_dw(&b, 0x2000, true, 8);
	expect_dw(&b, (const uint32_t[]){ 0x10000002, 0x1000040, 0, 7, 0x10400002, 0x2000, 0, 8 },
		  8);
	gcmd_init(&b, buf, 16);
	gcmd_bb_start(&b, 0x100200000ull, true);
	gcmd_bb_start(&b, 0x3000, false);
	gcmd_user_interrupt(&b);
	gcmd_arb_check(&b);
	gcmd_bb_end(&b);
	gcmd_noop(&b);
	expect_dw(&b, (const uint32_t[]){ 0x18800101, 0x00200000, 1, 0x18800001, 0x3000, 0,
					  0x01000000, 0x02800000, 0x05000000, 0 }, 10);
	gcmd_init(&b, buf, 16);
	gcmd_lri(&b, 0x22244, 0x10001);
	gcmd_flush_dw(&b, 0x48000100, 9);
	gcmd_align_qw(&b);
	expect_dw(&b, (const uint32_t[]){ 0x11000001, 0x22244, 0x10001, 0x13004002, 0x48000104, 0,
					  9, 0 }, 8);
	CU_ASSERT_EQUAL(MI_LOAD_REGISTER_IMM(11), 0x11000015);
	CU_ASSERT_EQUAL(MI_LOAD_REGISTER_IMM(9), 0x11000011);
}

/* A command never half-written: a full buffer refuses it whole. */
static void
test_buffer_full(void)
{
	uint32_t buf[9] = { 0 };
	struct gcmd b;

	gcmd_init(&b, buf, 8);
	CU_ASSERT_EQUAL(gcmd_color_blt(&b, 0, 64, 0, 0, 1, 1, 1), 0);
	CU_ASSERT_EQUAL(gcmd_store_dw(&b, 0, false, 1), -ENOSPC);
	CU_ASSERT_EQUAL(b.n, 7);
	CU_ASSERT_EQUAL(gcmd_bb_end(&b), 0);
	CU_ASSERT_EQUAL(gcmd_noop(&b), -ENOSPC);
	CU_ASSERT_EQUAL(buf[8], 0);
	CU_ASSERT_EQUAL(gcmd_align_qw(&b), 0);	/* 8 dwords: already aligned */
}

static void
test_pattern_geometry(void)
{
	struct gpattern p, q;

	for (unsigned int k = 0; k < GPATTERN_NR; k++) {
		CU_ASSERT_EQUAL(gpattern_get(k, 256, 192, 0, &p), 0);
		CU_ASSERT_EQUAL(256 % p.tw, 0);
		CU_ASSERT_EQUAL(192 % p.th, 0);
		/* Every pixel of the tile is covered by some rectangle. */
		unsigned int uncovered = 0;

		for (unsigned int y = 0; y < p.th; y++)
			for (unsigned int x = 0; x < p.tw; x++) {
				bool hit = false;

				for (unsigned int i = 0; i < p.nrects; i++)
					hit |= x >= p.rect[i].x1 && x < p.rect[i].x2 &&
					       y >= p.rect[i].y1 && y < p.rect[i].y2;
				uncovered += !hit;
			}
		CU_ASSERT_EQUAL(uncovered, 0);
		/* Guests' seeds give different pictures. */
		CU_ASSERT_EQUAL(gpattern_get(k, 256, 192, 1, &q), 0);
		CU_ASSERT_NOT_EQUAL(gpattern_pixel(&p, 0, 0), gpattern_pixel(&q, 0, 0));
	}
	CU_ASSERT_EQUAL(gpattern_get(GPATTERN_NR, 256, 192, 0, &p), -EINVAL);
	CU_ASSERT_EQUAL(gpattern_get(1, 100, 64, 0, &p), -EINVAL);
	CU_ASSERT_EQUAL(gpattern_get(0, 0, 64, 0, &p), -EINVAL);
	CU_ASSERT_EQUAL(gpattern_get(2, 8192, 4096, 0, &p), 0);
	CU_ASSERT_EQUAL(gpattern_get(2, 8193, 4096, 0, &p), -EINVAL);
}

/* ---- a reference blitter over one flat 4 MiB address space ---- */

#define MEM_SIZE (4u << 20)

static uint32_t *
at(uint8_t *mem, uint64_t addr)
{
	if (addr + 4 > MEM_SIZE)
		CU_FAIL_FATAL("reference blitter: address outside its memory");
	return (uint32_t *)(mem + addr);
}

static uint64_t
addr64(const uint32_t *dw)
{
	return dw[0] | (uint64_t)dw[1] << 32;
}

/* Run a batch; the number of commands executed, -1 on anything unknown. */
static int
run_batch(uint8_t *mem, const uint32_t *cmd, uint32_t n)
{
	int done = 0;

	for (uint32_t i = 0; i < n;) {
		uint32_t h = cmd[i];

		if (h == MI_NOOP) {
			i++;
		} else if (h == MI_BATCH_BUFFER_END) {
			return done;
		} else if ((h & 0xffc000ff) == (XY_COLOR_BLT | 5)) {
			uint32_t pitch = cmd[i + 1] & 0xffff, x1 = cmd[i + 2] & 0xffff,
				 y1 = cmd[i + 2] >> 16, x2 = cmd[i + 3] & 0xffff, y2 = cmd[i + 3] >> 16;
			uint64_t dst = addr64(&cmd[i + 4]);

			for (uint32_t y = y1; y < y2; y++)
				for (uint32_t x = x1; x < x2; x++)
					*at(mem, dst + y * pitch + x * 4) = cmd[i + 6];
			i += 7;
		} else if ((h & 0xffc000ff) == (XY_SRC_COPY_BLT | 8) ||
			   (h & 0xffc000ff) == (XY_FAST_COPY_BLT | 8)) {
			uint32_t dp = cmd[i + 1] & 0xffff, dx1 = cmd[i + 2] & 0xffff,
				 dy1 = cmd[i + 2] >> 16, dx2 = cmd[i + 3] & 0xffff,
				 dy2 = cmd[i + 3] >> 16, sx = cmd[i + 6] & 0xffff, sy = cmd[i + 6] >> 16,
				 sp = cmd[i + 7] & 0xffff;
			uint64_t dst = addr64(&cmd[i + 4]), src = addr64(&cmd[i + 8]);

			for (uint32_t y = 0; y < dy2 - dy1; y++)
				for (uint32_t x = 0; x < dx2 - dx1; x++)
					*at(mem, dst + (dy1 + y) * dp + (dx1 + x) * 4) =
						*at(mem, src + (sy + y) * sp + (sx + x) * 4);
			i += 10;
		} else if (h == MI_STORE_DATA_IMM) {
			*at(mem, addr64(&cmd[i + 1])) = cmd[i + 3];
			i += 4;
		} else {
			return -1;
		}
		done++;
	}
	return -1;	/* no MI_BATCH_BUFFER_END */
}

static void
test_pattern_batches(void)
{
	const uint64_t back = 0x100000, front = 0x200000, seqno = 0x3ff000;
	const unsigned int w = 256, h = 192, pitch = 1088;	/* pitch wider than the picture */
	uint8_t *mem = calloc(1, MEM_SIZE);
	uint32_t batch[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
	for (unsigned int k = 0; k < GPATTERN_NR; k++) {
		struct gpattern p;
		struct gcmd b;
		unsigned int bad = 0;

		memset(mem, 0xee, MEM_SIZE);
		CU_ASSERT_EQUAL_FATAL(gpattern_get(k, w, h, k + 3, &p), 0);
		gcmd_init(&b, batch, 1024);
		CU_ASSERT_EQUAL_FATAL(gpattern_batch(&p, &b, back, front, pitch, w, h, seqno, 41 + k),
				      0);
		CU_ASSERT_EQUAL(b.n % 2, 0);
		CU_ASSERT_EQUAL(run_batch(mem, batch, b.n),
				(int)(p.nrects + (w / p.tw) * (h / p.th) - 1 + 2));
		CU_ASSERT_EQUAL(*at(mem, seqno), 41 + k);
		for (unsigned int y = 0; y < h; y++)
			for (unsigned int x = 0; x < w; x++)
				bad += *at(mem, front + y * pitch + x * 4) != gpattern_pixel(&p, x, y);
		CU_ASSERT_EQUAL(bad, 0);
		/* Nothing beyond the picture's width in each row was touched. */
		CU_ASSERT_EQUAL(*at(mem, front + w * 4), 0xeeeeeeee);
		CU_ASSERT_EQUAL(*at(mem, back + (h - 1) * pitch + w * 4 + 60), 0xeeeeeeee);
	}
	/* A batch that does not fit its buffer is refused, not truncated. */
	{
		struct gpattern p;
		struct gcmd b;

		CU_ASSERT_EQUAL(gpattern_get(1, 1024, 1024, 0, &p), 0);
		gcmd_init(&b, batch, 64);
		CU_ASSERT_EQUAL(gpattern_batch(&p, &b, back, front, 4096, 1024, 1024, seqno, 1),
				-ENOSPC);
		CU_ASSERT_EQUAL(gpattern_batch(&p, &b, back, front, 1000, 1024, 1024, seqno, 1),
				-EINVAL);
	}
	free(mem);
}

static const struct test_case guestlib_cases[] = {
	{ "command encodings word for word", test_encodings },
	{ "a full buffer refuses a whole command", test_buffer_full },
	{ "pattern geometry", test_pattern_geometry },
	{ "pattern batches on a reference blitter", test_pattern_batches },
	{ NULL, NULL },
};

void suite_guestlib(void);

void
suite_guestlib(void)
{
	test_add_suite("guestlib", guestlib_cases);
}
