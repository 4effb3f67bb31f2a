/* SPDX-License-Identifier: MIT */
/*
 * fb.c — what a vGPU's primary plane shows: its registers decoded (Skylake
 * universal plane 1: PLANE_CTL format/order/tiling, PLANE_STRIDE,
 * PLANE_OFFSET, PLANE_SURFLIVE; the size from PIPESRC as GVT-g's
 * fb_decoder.c takes it) and its pixels fetched the way the display engine
 * would: through the guest's accepted GGTT entries (mem/ggtt_view.c), from
 * the guest's own pages, detiled and converted to 0xRRGGBB. Read only;
 * every register value is the guest's and is bounded before use.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/mem/ggtt_view.h"

#define PIPE_STRIDE	0x1000u
#define PIPESRC_A	0x6001cu
#define PIPECONF_A	0x70008u
#define PLANE_CTL_A	0x70180u
#define PLANE_STRIDE_A	0x70188u
#define PLANE_SURFLIVE_A 0x701acu
#define PLANE_OFFSET_A	0x701a4u
#define PREG(a, pipe)	((uint32_t)((a) + (pipe) * PIPE_STRIDE))

#define PIPECONF_ENABLE		(1u << 31)
#define PLANE_CTL_ENABLE	(1u << 31)
#define PLANE_CTL_FORMAT(ctl)	(((ctl) >> 24) & 0xf)	/* SKL: bits 27:24 */
#define PLANE_CTL_ORDER_RGBX	(1u << 20)
#define PLANE_CTL_TILING(ctl)	(((ctl) >> 10) & 0x7)	/* bits 12:10 */
#define PLANE_STRIDE_MASK	0x3ffu			/* GVT-g: _PRI_PLANE_STRIDE_MASK >> 6 */
#define SURF_MASK		0xfffff000u

#define FB_PAGE 4096u

typedef uint32_t px_fn(const uint8_t *p);

static uint32_t
px_xrgb8888(const uint8_t *p)	/* bytes B, G, R, X */
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t
px_xbgr8888(const uint8_t *p)	/* bytes R, G, B, X */
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* 10-bit channels: the top 8 bits of each. */
static uint32_t
px_xrgb2101010(const uint8_t *p)
{
	uint32_t v = le32(p);

	return ((v >> 22) & 0xff) << 16 | ((v >> 12) & 0xff) << 8 | ((v >> 2) & 0xff);
}

static uint32_t
px_xbgr2101010(const uint8_t *p)
{
	uint32_t v = le32(p);

	return ((v >> 2) & 0xff) << 16 | ((v >> 12) & 0xff) << 8 | ((v >> 22) & 0xff);
}

/* 5:6:5, each channel widened by repeating its top bits. */
static uint32_t
px_rgb565(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8;
	uint32_t r = (v >> 11) & 0x1f, g = (v >> 5) & 0x3f, b = v & 0x1f;

	return ((r << 3) | (r >> 2)) << 16 | ((g << 2) | (g >> 4)) << 8 | ((b << 3) | (b >> 2));
}

/* PLANE_CTL formats we read (i915 PLANE_CTL_FORMAT_*; GVT-g skl_format_to_drm). */
static const struct fb_format {
	unsigned int code;	/* PLANE_CTL bits 27:24 */
	bool rgbx;		/* PLANE_CTL_ORDER_RGBX */
	const char *name;
	unsigned int cpp;
	px_fn *to_rgb;
} fb_formats[] = {
	{ 4, false, "xrgb8888", 4, px_xrgb8888 },
	{ 4, true, "xbgr8888", 4, px_xbgr8888 },
	{ 2, false, "xrgb2101010", 4, px_xrgb2101010 },
	{ 2, true, "xbgr2101010", 4, px_xbgr2101010 },
	{ 14, false, "rgb565", 2, px_rgb565 },
};

/*
 * Tilings (PLANE_CTL bits 12:10) with PLANE_STRIDE's unit and the tile's
 * shape (i915 / GVT-g intel_vgpu_get_stride): X tiles are 512 bytes x 8
 * rows; legacy Y tiles 128 bytes x 32 rows in columns of 16 bytes. Yf and
 * the rest are not read.
 */
enum fb_tiling { FB_LINEAR, FB_X, FB_Y };
static const struct fb_tiling_desc {
	unsigned int code;
	enum fb_tiling kind;
	const char *name;
	unsigned int unit;	/* bytes per PLANE_STRIDE step */
} fb_tilings[] = {
	{ 0, FB_LINEAR, "linear", 64 },
	{ 1, FB_X, "x", 512 },
	{ 4, FB_Y, "y", 128 },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct fb_format *
fb_format_find(uint32_t ctl)
{
	for (size_t i = 0; i < NELEM(fb_formats); i++)
		if (fb_formats[i].code == PLANE_CTL_FORMAT(ctl) &&
		    fb_formats[i].rgbx == !!(ctl & PLANE_CTL_ORDER_RGBX))
			return &fb_formats[i];
	return NULL;
}

static const struct fb_tiling_desc *
fb_tiling_find(uint32_t ctl)
{
	for (size_t i = 0; i < NELEM(fb_tilings); i++)
		if (fb_tilings[i].code == PLANE_CTL_TILING(ctl))
			return &fb_tilings[i];
	return NULL;
}

/* Lock held. */
static void
fb_decode(struct vgpu *v, unsigned int pipe, struct vgpu_plane *out)
{
	uint32_t ctl = vreg_get(v, PREG(PLANE_CTL_A, pipe));
	uint32_t src = vreg_get(v, PREG(PIPESRC_A, pipe));
	uint32_t off = vreg_get(v, PREG(PLANE_OFFSET_A, pipe));
	const struct fb_format *f = fb_format_find(ctl);
	const struct fb_tiling_desc *t = fb_tiling_find(ctl);

	memset(out, 0, sizeof(*out));
	out->pipe = pipe;
	out->ctl = ctl;
	out->enabled = (ctl & PLANE_CTL_ENABLE) &&
		       (vreg_get(v, PREG(PIPECONF_A, pipe)) & PIPECONF_ENABLE);
	out->width = ((src >> 16) & 0x1fff) + 1;
	out->height = (src & 0xfff) + 1;
	out->x = off & 0x1fff;
	out->y = (off >> 16) & 0x1fff;
	out->surf = vreg_get(v, PREG(PLANE_SURFLIVE_A, pipe)) & SURF_MASK;
	if (f) {
		snprintf(out->format, sizeof(out->format), "%s", f->name);
		out->cpp = f->cpp;
	} else {
		snprintf(out->format, sizeof(out->format), "fmt%u", PLANE_CTL_FORMAT(ctl));
	}
	if (t)
		snprintf(out->tiling, sizeof(out->tiling), "%s", t->name);
	else
		snprintf(out->tiling, sizeof(out->tiling), "t%u", PLANE_CTL_TILING(ctl));
	out->stride = (vreg_get(v, PREG(PLANE_STRIDE_A, pipe)) & PLANE_STRIDE_MASK) *
		      (t ? t->unit : 64);
	out->supported = f && t && out->stride;
}

int
vgpu_plane_get(struct vgpu *v, unsigned int pipe, struct vgpu_plane *out)
{
	if (pipe >= VGPU_NR_PIPES)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	fb_decode(v, pipe, out);
	pthread_mutex_unlock(&v->lock);
	return 0;
}

static bool
plane_same(const struct vgpu_plane *a, const struct vgpu_plane *b)
{
	return a->pipe == b->pipe && a->enabled == b->enabled && a->ctl == b->ctl &&
	       a->width == b->width && a->height == b->height && a->stride == b->stride &&
	       a->surf == b->surf && a->x == b->x && a->y == b->y;
}

/* Byte offset from the surface of the pixel at column x, row y (both include the offset). */
static uint64_t
fb_offset(enum fb_tiling kind, uint64_t stride, uint64_t x, uint64_t y, unsigned int cpp)
{
	uint64_t xb = x * cpp;

	switch (kind) {
	case FB_X:
		return (y / 8) * stride * 8 + (xb / 512) * FB_PAGE + (y % 8) * 512 + xb % 512;
	case FB_Y:
		return (y / 32) * stride * 32 + (xb / 128) * FB_PAGE + (xb % 128 / 16) * 512 +
		       (y % 32) * 16 + xb % 16;
	case FB_LINEAR:
	default:
		return y * stride + xb;
	}
}

/* The last few GM pages fetched, so tiled walks do not read a page per pixel. */
#define FB_CACHE 8
struct fb_cache {
	uint64_t page[FB_CACHE];	/* GM page address + 1 (0: empty) */
	bool missing[FB_CACHE];
	uint8_t data[FB_CACHE][FB_PAGE];
	unsigned int next;
};

/* The FB_PAGE bytes of GM page gpage (lock held); *missing if no usable entry. */
static const uint8_t *
fb_page(struct vgpu *v, struct fb_cache *c, uint64_t gpage, bool *missing)
{
	unsigned int i;
	uint64_t miss = 0;

	for (i = 0; i < FB_CACHE; i++) {
		if (c->page[i] == gpage + 1) {
			*missing = c->missing[i];
			return c->data[i];
		}
	}
	i = c->next++ % FB_CACHE;
	ggtt_view_read(v, gpage, c->data[i], FB_PAGE, &miss);
	c->page[i] = gpage + 1;
	c->missing[i] = miss != 0;
	*missing = c->missing[i];
	return c->data[i];
}

int
vgpu_plane_read(struct vgpu *v, const struct vgpu_plane *want, uint64_t first, uint32_t n,
		uint32_t *rgb, uint64_t *missing)
{
	static __thread struct fb_cache cache;
	const struct fb_format *f;
	const struct fb_tiling_desc *t;
	struct vgpu_plane now;
	uint64_t total;
	int rc = 0;

	if (want->pipe >= VGPU_NR_PIPES)
		return -EINVAL;
	total = (uint64_t)want->width * want->height;
	if (first > total || n > total - first)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	fb_decode(v, want->pipe, &now);
	f = fb_format_find(now.ctl);
	t = fb_tiling_find(now.ctl);
	if (!plane_same(&now, want))
		rc = -ESTALE;
	else if (!now.enabled)
		rc = -ENODEV;
	else if (!now.supported || !f || !t)
		rc = -EOPNOTSUPP;
	if (rc) {
		pthread_mutex_unlock(&v->lock);
		return rc;
	}
	memset(cache.page, 0, sizeof(cache.page));
	for (uint32_t i = 0; i < n; i++) {
		uint64_t p = first + i;
		uint64_t x = p % now.width + now.x, y = p / now.width + now.y;
		uint64_t gma = now.surf + fb_offset(t->kind, now.stride, x, y, f->cpp);
		uint8_t px[4] = { 0 };
		bool miss = false;
		const uint8_t *pg;
		unsigned int in = (unsigned int)(gma % FB_PAGE);

		/* A pixel never straddles a page: cpp divides the page and every offset is cpp-aligned. */
		pg = fb_page(v, &cache, gma - in, &miss);
		memcpy(px, pg + in, f->cpp);
		rgb[i] = miss ? 0 : f->to_rgb(px);
		if (miss && missing)
			(*missing)++;
	}
	pthread_mutex_unlock(&v->lock);
	return 0;
}
