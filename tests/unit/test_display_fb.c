/* SPDX-License-Identifier: MIT */
/*
 * test_display_fb.c — the primary-plane accessor (display/fb.c,
 * mem/ggtt_view.c) on the fake GPU and guest: the plane decoded from what
 * the guest wrote, its pixels fetched through the guest's accepted GGTT
 * entries (linear, X and Y tiled; each format), pages without a usable
 * entry reading black and counted, and every hostile or stale request
 * refused with its errno. A neighbour vGPU's GM is never reached.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define PIPESRC_A	0x6001cu
#define PIPECONF_A	0x70008u
#define PLANE_CTL_A	0x70180u
#define PLANE_STRIDE_A	0x70188u
#define PLANE_SURF_A	0x7019cu
#define PLANE_OFFSET_A	0x701a4u
#define CTL_ON		(1u << 31)
#define CTL_FMT(n)	((uint32_t)(n) << 24)
#define CTL_RGBX	(1u << 20)
#define CTL_TILE(n)	((uint32_t)(n) << 10)
#define FMT_XRGB8888	4
#define FMT_2101010	2
#define FMT_RGB565	14
#define GGTT_BAR_OFF	0x800000ull
#define FB_GPA		0x200000ull	/* guest RAM behind the framebuffer */

static struct fake_setup s;

static void
ggtt_set(struct vgpu *v, uint64_t gma, uint64_t pte)
{
	CU_ASSERT_EQUAL(vgpu_mem_access(v, true, FAKE_BAR0 + GGTT_BAR_OFF + (gma >> 12) * 8, 8,
					&pte), 0);
}

/* Map npages of guest RAM from gpa at GM address gma. */
static void
map_pages(struct vgpu *v, uint64_t gma, uint64_t gpa, unsigned int npages)
{
	for (unsigned int i = 0; i < npages; i++)
		ggtt_set(v, gma + i * 4096ull, (gpa + i * 4096ull) | 1);
}

/* The plane of pipe A: w x h, ctl (enable added), stride register value, surface. */
static void
program(struct vgpu *v, unsigned int w, unsigned int h, uint32_t ctl, uint32_t stride_reg,
	uint64_t surf)
{
	fake_writel(v, PIPESRC_A, (w - 1) << 16 | (h - 1));
	fake_writel(v, PLANE_STRIDE_A, stride_reg);
	fake_writel(v, PLANE_CTL_A, ctl | CTL_ON);
	fake_writel(v, PLANE_SURF_A, (uint32_t)surf);	/* pipe off: latched at once */
	fake_writel(v, PIPECONF_A, 1u << 31);
}

static uint64_t
low_base(void)
{
	return s.v->part.low_base;
}

static void
setup(void)
{
	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
}

static void
test_decode(void)
{
	struct vgpu_plane p;

	setup();
	fake_writel(s.v, PLANE_OFFSET_A, 3u << 16 | 5);
	program(s.v, 256, 192, CTL_FMT(FMT_XRGB8888), 16, low_base() + 0x10000);
	CU_ASSERT_EQUAL(vgpu_plane_get(s.v, 0, &p), 0);
	CU_ASSERT_TRUE(p.enabled);
	CU_ASSERT_TRUE(p.supported);
	CU_ASSERT_STRING_EQUAL(p.format, "xrgb8888");
	CU_ASSERT_STRING_EQUAL(p.tiling, "linear");
	CU_ASSERT_EQUAL(p.width, 256);
	CU_ASSERT_EQUAL(p.height, 192);
	CU_ASSERT_EQUAL(p.cpp, 4);
	CU_ASSERT_EQUAL(p.stride, 1024);
	CU_ASSERT_EQUAL(p.surf, low_base() + 0x10000);
	CU_ASSERT_EQUAL(p.x, 5);
	CU_ASSERT_EQUAL(p.y, 3);
	/* Each unit: X tiles count 512 bytes, Y tiles 128. */
	fake_writel(s.v, PLANE_CTL_A, CTL_ON | CTL_FMT(FMT_XRGB8888) | CTL_TILE(1));
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_STRING_EQUAL(p.tiling, "x");
	CU_ASSERT_EQUAL(p.stride, 16 * 512);
	fake_writel(s.v, PLANE_CTL_A, CTL_ON | CTL_FMT(FMT_XRGB8888) | CTL_TILE(4));
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_STRING_EQUAL(p.tiling, "y");
	CU_ASSERT_EQUAL(p.stride, 16 * 128);
	/* Yf and YUV are named but not readable. */
	fake_writel(s.v, PLANE_CTL_A, CTL_ON | CTL_FMT(FMT_XRGB8888) | CTL_TILE(5));
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_STRING_EQUAL(p.tiling, "t5");
	CU_ASSERT_FALSE(p.supported);
	fake_writel(s.v, PLANE_CTL_A, CTL_ON | CTL_FMT(0));
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_STRING_EQUAL(p.format, "fmt0");
	CU_ASSERT_FALSE(p.supported);
	/* The pipe off: the plane is not shown. */
	fake_writel(s.v, PLANE_CTL_A, CTL_ON | CTL_FMT(FMT_XRGB8888));
	fake_writel(s.v, PIPECONF_A, 0);
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_FALSE(p.enabled);
	CU_ASSERT_EQUAL(vgpu_plane_get(s.v, 3, &p), -EINVAL);
	fake_teardown(&s);
}

/* A linear 64 x 40 xrgb8888 frame: every pixel as written, exactly. */
static void
test_linear_pixels(void)
{
	const unsigned int w = 64, h = 40, stride = 256;
	uint64_t gma, missing = 0;
	uint32_t *got = calloc(w * h, 4);
	struct vgpu_plane p;

	setup();
	gma = low_base() + 0x20000;
	map_pages(s.v, gma, FB_GPA, 3);
	for (unsigned int y = 0; y < h; y++)
		for (unsigned int x = 0; x < w; x++) {
			uint32_t v = 0xff000000u | (x * 4) << 16 | (y * 6) << 8 | ((x + y) & 0xff);

			memcpy(s.hv->ram + FB_GPA + y * stride + x * 4, &v, 4);
		}
	program(s.v, w, h, CTL_FMT(FMT_XRGB8888), stride / 64, gma);
	CU_ASSERT_EQUAL_FATAL(vgpu_plane_get(s.v, 0, &p), 0);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, w * h, got, &missing), 0);
	CU_ASSERT_EQUAL(missing, 0);
	for (unsigned int y = 0; y < h; y++)
		for (unsigned int x = 0; x < w; x++)
			if (got[y * w + x] != ((x * 4) << 16 | (y * 6) << 8 | ((x + y) & 0xff))) {
				CU_FAIL("pixel differs");
				y = h;
				break;
			}
	/* A window in the middle: the same pixels. */
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 5 * w + 7, 3, got, NULL), 0);
	CU_ASSERT_EQUAL(got[0], (7u * 4) << 16 | 30u << 8 | 12);
	/* PLANE_OFFSET moves the first pixel shown. */
	fake_writel(s.v, PLANE_OFFSET_A, 2u << 16 | 1);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, 1, got, NULL), -ESTALE);
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, 1, got, NULL), 0);
	CU_ASSERT_EQUAL(got[0], 4u << 16 | 12u << 8 | 3);
	free(got);
	fake_teardown(&s);
}

/* One pixel of format fmt/rgbx holding raw bytes, read back as 0xRRGGBB. */
static uint32_t
one_pixel(uint32_t ctl, const void *raw, unsigned int cpp)
{
	uint64_t gma = low_base() + 0x40000;
	struct vgpu_plane p;
	uint32_t got = 0xdeadbeef;

	map_pages(s.v, gma, FB_GPA, 1);
	memcpy(s.hv->ram + FB_GPA, raw, cpp);
	program(s.v, 1, 1, ctl, 1, gma);
	CU_ASSERT_EQUAL(vgpu_plane_get(s.v, 0, &p), 0);
	CU_ASSERT_EQUAL(p.cpp, cpp);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, 1, &got, NULL), 0);
	return got;
}

static void
test_formats(void)
{
	const uint8_t bgrx[4] = { 0x11, 0x22, 0x33, 0x44 };
	const uint32_t x2r10 = 0x3ffu << 20 | 0x200u << 10 | 0x004u; /* R max, G half, B 1 */
	const uint16_t r5g6b5 = 0x1fu << 11 | 0x20u << 5 | 0x01u;

	setup();
	CU_ASSERT_EQUAL(one_pixel(CTL_FMT(FMT_XRGB8888), bgrx, 4), 0x332211);
	CU_ASSERT_EQUAL(one_pixel(CTL_FMT(FMT_XRGB8888) | CTL_RGBX, bgrx, 4), 0x112233);
	CU_ASSERT_EQUAL(one_pixel(CTL_FMT(FMT_2101010), &x2r10, 4), 0xff8001);
	CU_ASSERT_EQUAL(one_pixel(CTL_FMT(FMT_2101010) | CTL_RGBX, &x2r10, 4), 0x0180ff);
	CU_ASSERT_EQUAL(one_pixel(CTL_FMT(FMT_RGB565), &r5g6b5, 2), 0xff8208);
	fake_teardown(&s);
}

/* Tiled layouts: the pixel at (x, y) is read from the byte the tiling puts it at. */
static void
test_tiled(void)
{
	static const struct {
		unsigned int tile;	/* PLANE_CTL tiling */
		unsigned int x, y;
		uint64_t off;		/* where the tiling puts it, stride 2 tiles */
	} cases[] = {
		/* X: 512 B x 8 rows per 4 KiB tile; stride 1024 B. */
		{ 1, 0, 0, 0 }, { 1, 1, 0, 4 }, { 1, 0, 1, 512 }, { 1, 128, 0, 4096 },
		{ 1, 0, 8, 8192 }, { 1, 129, 9, 8192 + 4096 + 512 + 4 },
		/* Y: 128 B x 32 rows, 16 B columns; stride 256 B. */
		{ 4, 0, 0, 0 }, { 4, 1, 0, 4 }, { 4, 4, 0, 512 }, { 4, 0, 1, 16 },
		{ 4, 32, 0, 4096 }, { 4, 0, 32, 8192 }, { 4, 37, 33, 8192 + 4096 + 512 + 16 + 4 },
	};

	setup();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t gma = low_base() + 0x80000, stride_units = 2;
		uint32_t w = 256, h = 64, got = 0, mark = 0xa0b0c0 + (uint32_t)i;
		unsigned int unit = cases[i].tile == 1 ? 512 : 128;
		struct vgpu_plane p;

		map_pages(s.v, gma, FB_GPA, 16);
		memset(s.hv->ram + FB_GPA, 0, 16 * 4096);
		memcpy(s.hv->ram + FB_GPA + cases[i].off, &mark, 4);
		program(s.v, w, h, CTL_FMT(FMT_XRGB8888) | CTL_TILE(cases[i].tile),
			(uint32_t)stride_units, gma);
		CU_ASSERT_EQUAL(vgpu_plane_get(s.v, 0, &p), 0);
		CU_ASSERT_EQUAL(p.stride, stride_units * unit);
		CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, cases[i].y * w + cases[i].x, 1, &got,
						NULL), 0);
		if (got != mark)
			fprintf(stderr, "\n    tiling %u (%u,%u): got 0x%x want 0x%x\n",
				cases[i].tile, cases[i].x, cases[i].y, got, mark);
		CU_ASSERT_EQUAL(got, mark);
	}
	fake_teardown(&s);
}

/* Pages without a usable entry read black and are counted; nothing else is touched. */
static void
test_missing_pages(void)
{
	const unsigned int w = 1024, h = 4;	/* one 4 KiB page per row */
	uint64_t gma, missing = 0;
	uint32_t got[4096];
	struct vgpu_plane p;

	setup();
	gma = low_base() + 0x100000;
	memset(s.hv->ram + FB_GPA, 0x7f, 4 * 4096);
	ggtt_set(s.v, gma, FB_GPA | 1);			/* row 0: mapped */
	ggtt_set(s.v, gma + 4096, 0);			/* row 1: not present */
	ggtt_set(s.v, gma + 2 * 4096, 0x7fff000ull | 1); /* row 2: beyond its 64 MiB: refused */
	ggtt_set(s.v, gma + 3 * 4096, (FB_GPA + 3 * 4096) | 1);
	CU_ASSERT_EQUAL(s.v->stats.ggtt_bad, 1);
	program(s.v, w, h, CTL_FMT(FMT_XRGB8888), 64, gma);
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, w * h, got, &missing), 0);
	CU_ASSERT_EQUAL(missing, 2 * w);
	CU_ASSERT_EQUAL(got[0], 0x7f7f7f);
	CU_ASSERT_EQUAL(got[w], 0);
	CU_ASSERT_EQUAL(got[2 * w + 5], 0);
	CU_ASSERT_EQUAL(got[3 * w + 1023], 0x7f7f7f);
	fake_teardown(&s);
}

/* Refusals: off, unsupported, stale, out of range; the largest plane reads without overflow. */
static void
test_refusals(void)
{
	struct vgpu_plane p, bad;
	uint64_t missing = 0;
	uint32_t px[2];

	setup();
	program(s.v, 16, 16, CTL_FMT(FMT_XRGB8888), 1, low_base());
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 256, 1, px, NULL), -EINVAL);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 255, 2, px, NULL), -EINVAL);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, UINT64_MAX, 1, px, NULL), -EINVAL);
	bad = p;
	bad.pipe = 7;
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &bad, 0, 1, px, NULL), -EINVAL);
	/* Plane disabled since the caller looked. */
	fake_writel(s.v, PLANE_CTL_A, CTL_FMT(FMT_XRGB8888));
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, 1, px, NULL), -ESTALE);
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, 1, px, NULL), -ENODEV);
	fake_writel(s.v, PLANE_CTL_A, CTL_ON | CTL_FMT(0));
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, 1, px, NULL), -EOPNOTSUPP);
	/* Stride 0 is unreadable, not a division or a wrap. */
	fake_writel(s.v, PLANE_CTL_A, CTL_ON | CTL_FMT(FMT_XRGB8888));
	fake_writel(s.v, PLANE_STRIDE_A, 0);
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_FALSE(p.supported);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, 1, px, NULL), -EOPNOTSUPP);
	/* Every field at its maximum: the last pixel is far outside its GM, read as missing. */
	fake_writel(s.v, PIPESRC_A, 0xffffffffu);
	fake_writel(s.v, PLANE_STRIDE_A, 0xffffffffu);
	fake_writel(s.v, PLANE_OFFSET_A, 0xffffffffu);
	fake_writel(s.v, PLANE_CTL_A, CTL_ON | CTL_FMT(FMT_XRGB8888) | CTL_TILE(4));
	fake_writel(s.v, PIPECONF_A, 0);
	fake_writel(s.v, PLANE_SURF_A, 0xfffff000u);
	fake_writel(s.v, PIPECONF_A, 1u << 31);
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_EQUAL(p.width, VGPU_PLANE_MAX_W);
	CU_ASSERT_EQUAL(p.height, VGPU_PLANE_MAX_H);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, (uint64_t)p.width * p.height - 2, 2, px,
					&missing), 0);
	CU_ASSERT_EQUAL(missing, 2);
	CU_ASSERT_EQUAL(px[1], 0);
	fake_teardown(&s);
}

/* A plane pointed at a neighbour's GM shows nothing of it. */
static void
test_neighbour_unreachable(void)
{
	struct vgpu *b = NULL;
	struct hv *bhv = NULL;
	struct vgpu_plane p;
	uint64_t missing = 0, bgma;
	uint32_t px = 1;

	setup();
	CU_ASSERT_EQUAL_FATAL(fake_vgpu_new(s.gpu, 2, NULL, true, &bhv, &b), 0);
	bgma = b->part.low_base;
	memset(bhv->ram + FB_GPA, 0x55, 4096);
	map_pages(b, bgma, FB_GPA, 1);
	/* The same guest frame number in A's own RAM holds something else. */
	memset(s.hv->ram + FB_GPA, 0x66, 4096);
	program(s.v, 4, 4, CTL_FMT(FMT_XRGB8888), 1, bgma);
	vgpu_plane_get(s.v, 0, &p);
	CU_ASSERT_EQUAL(p.surf, bgma);
	CU_ASSERT_EQUAL(vgpu_plane_read(s.v, &p, 0, 1, &px, &missing), 0);
	CU_ASSERT_EQUAL(px, 0);
	CU_ASSERT_EQUAL(missing, 1);
	/* B itself shows its page. */
	program(b, 4, 4, CTL_FMT(FMT_XRGB8888), 1, bgma);
	vgpu_plane_get(b, 0, &p);
	CU_ASSERT_EQUAL(vgpu_plane_read(b, &p, 0, 1, &px, NULL), 0);
	CU_ASSERT_EQUAL(px, 0x555555);
	vgpu_destroy(b);
	fake_hv_free(bhv);
	fake_teardown(&s);
}

static const struct test_case display_fb_cases[] = {
	{ "plane decoded from the guest's registers", test_decode },
	{ "linear pixels exact, PLANE_OFFSET, stale plane", test_linear_pixels },
	{ "each format to RGB", test_formats },
	{ "X and Y tiled addresses", test_tiled },
	{ "pages without an accepted GGTT entry read black", test_missing_pages },
	{ "refusals and the largest plane", test_refusals },
	{ "a neighbour's GM is unreachable", test_neighbour_unreachable },
	{ NULL, NULL },
};

void suite_display_fb(void);

void
suite_display_fb(void)
{
	test_add_suite("display_fb", display_fb_cases);
}
