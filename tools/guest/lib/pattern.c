/* SPDX-License-Identifier: MIT */
/*
 * pattern.c — the pictures guest programs draw, as data: a tile of
 * colored rectangles repeated over the surface. The same description
 * gives the GPU's batch (color blits for the first tile, source copies
 * for the others, a fast copy to the front buffer), the CPU's fallback
 * drawing through the aperture, and the expected value of every pixel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Eight well-separated colors; a guest's seed rotates and tints them. */
static const uint32_t palette[8] = {
	0xe6194b, 0x3cb44b, 0xffe119, 0x4363d8, 0xf58231, 0x911eb4, 0x46f0f0, 0xf032e6,
};

static uint32_t
color(uint32_t seed, unsigned int i)
{
	return palette[(i + seed * 3) % 8] ^ ((seed * 0x0a1428u) & 0x3f3f3f);
}

int
gpattern_get(unsigned int kind, unsigned int w, unsigned int h, uint32_t seed,
	     struct gpattern *p)
{
	memset(p, 0, sizeof(*p));
	if (!w || !h || w > 8192 || h > 4096)
		return -EINVAL;
	switch (kind) {
	case 0:	/* vertical bars, a band 16 rows high repeated down */
		if (w % 8 || h % 16)
			return -EINVAL;
		p->name = "bars";
		p->tw = w;
		p->th = 16;
		p->nrects = 8;
		for (unsigned int i = 0; i < 8; i++)
			p->rect[i] = (typeof(p->rect[0])){ i * w / 8, 0, (i + 1) * w / 8, 16,
							  color(seed, i) };
		break;
	case 1:	/* checkerboard of 32-pixel squares */
		if (w % 64 || h % 64)
			return -EINVAL;
		p->name = "checker";
		p->tw = p->th = 64;
		p->nrects = 4;
		p->rect[0] = (typeof(p->rect[0])){ 0, 0, 32, 32, color(seed, 0) };
		p->rect[1] = (typeof(p->rect[0])){ 32, 0, 64, 32, color(seed, 1) };
		p->rect[2] = (typeof(p->rect[0])){ 0, 32, 32, 64, color(seed, 1) };
		p->rect[3] = (typeof(p->rect[0])){ 32, 32, 64, 64, color(seed, 0) };
		break;
	case 2:	/* horizontal stripes with a marker square on the left */
		if (h % 32 || w < 16)
			return -EINVAL;
		p->name = "stripes";
		p->tw = w;
		p->th = 32;
		p->nrects = 3;
		p->rect[0] = (typeof(p->rect[0])){ 0, 0, w, 16, color(seed, 2) };
		p->rect[1] = (typeof(p->rect[0])){ 0, 16, w, 32, color(seed, 5) };
		p->rect[2] = (typeof(p->rect[0])){ 4, 4, 12, 12, color(seed, 7) };
		break;
	case 3:	/* nested frames in 64-pixel tiles */
		if (w % 64 || h % 64)
			return -EINVAL;
		p->name = "frames";
		p->tw = p->th = 64;
		p->nrects = 4;
		for (unsigned int i = 0; i < 4; i++)
			p->rect[i] = (typeof(p->rect[0])){ 8 * i, 8 * i, 64 - 8 * i, 64 - 8 * i,
							  color(seed, i + 3) };
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

uint32_t
gpattern_pixel(const struct gpattern *p, unsigned int x, unsigned int y)
{
	unsigned int tx = x % p->tw, ty = y % p->th;
	uint32_t c = 0;

	for (unsigned int i = 0; i < p->nrects; i++)
		if (tx >= p->rect[i].x1 && tx < p->rect[i].x2 && ty >= p->rect[i].y1 &&
		    ty < p->rect[i].y2)
			c = p->rect[i].color;
	return c;
}

int
gpattern_batch(const struct gpattern *p, struct gcmd *b, uint64_t back, uint64_t front,
	       uint32_t pitch, unsigned int w, unsigned int h, uint64_t seqno_gva,
	       uint32_t seqno)
{
	int rc = 0;

	if (w % p->tw || h % p->th || pitch < w * 4)
		return -EINVAL;
	for (unsigned int i = 0; i < p->nrects && !rc; i++)
		rc = gcmd_color_blt(b, back, pitch, p->rect[i].x1, p->rect[i].y1, p->rect[i].x2,
				    p->rect[i].y2, p->rect[i].color);
	for (unsigned int ty = 0; ty < h / p->th && !rc; ty++)
		for (unsigned int tx = 0; tx < w / p->tw && !rc; tx++)
			if (tx || ty)
				rc = gcmd_src_copy_blt(b, back, pitch, tx * p->tw, ty * p->th,
						       p->tw, p->th, back, pitch, 0, 0);
	if (!rc)
		rc = gcmd_fast_copy_blt(b, front, pitch, 0, 0, w, h, back, pitch, 0, 0);
	if (!rc)
		rc = gcmd_store_dw(b, seqno_gva, false, seqno);
	if (!rc)
		rc = gcmd_bb_end(b);
	if (!rc)
		rc = gcmd_align_qw(b);
	return rc;
}

int
gpattern_cpu_draw(struct gdev *g, const struct gpattern *p, const struct gobj *fb,
		  uint32_t pitch, unsigned int w, unsigned int h)
{
	uint32_t *row = malloc((size_t)w * 4);
	int rc = 0;

	if (!row)
		return gfail(g, -ENOMEM, "out of memory");
	for (unsigned int y = 0; y < h && !rc; y++) {
		for (unsigned int x = 0; x < w; x++)
			row[x] = gpattern_pixel(p, x, y);
		rc = gdev_aperture_write(g, fb->gma + (uint64_t)y * pitch, row, (size_t)w * 4);
	}
	free(row);
	return rc;
}

long
gpattern_check(struct gdev *g, const struct gpattern *p, const struct gobj *fb,
	       uint32_t pitch, unsigned int w, unsigned int h)
{
	uint32_t *row = malloc((size_t)w * 4);
	long wrong = 0;

	if (!row)
		return gfail(g, -ENOMEM, "out of memory");
	for (unsigned int y = 0; y < h; y++) {
		int rc = gdev_aperture_read(g, fb->gma + (uint64_t)y * pitch, row, (size_t)w * 4);

		if (rc) {
			free(row);
			return rc;
		}
		for (unsigned int x = 0; x < w; x++) {
			uint32_t want = gpattern_pixel(p, x, y), got = row[x] & 0xffffff;

			if (got == want)
				continue;
			if (!wrong++)
				gfail(g, 0, "pixel (%u,%u) is 0x%06x, want 0x%06x (%s)", x, y, got,
				      want, p->name);
		}
	}
	free(row);
	return wrong;
}
