/* SPDX-License-Identifier: MIT */
/*
 * test_guest_screenshot.c — `xengt-ctl screenshot` end to end: a guest
 * (libguest) writes a pattern through its aperture and shows it on its
 * primary plane; the daemon reads the plane registers and the pixels
 * through the guest's GGTT; the PNG, decoded here with libpng, holds
 * exactly the guest's pixels. Planes that need many pieces, pages with no
 * GGTT entry, two guests side by side, a guest flipping meanwhile, the
 * refusals; and `xengt-ctl shares`, the demo's other per-vGPU report.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/scenario/guest_util.h"
#include "tests/test_util.h"

static const char *
png_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/xengt-shot-%d-%s.png", (int)getpid(), tag);
	return buf;
}

/*
 * Pixels of the PNG at path that differ from pattern p (w x h; pixels
 * black_from.. black_n of them black), -1 if it does not decode as w x h.
 */
static long
png_wrong_q(const char *path, const struct gpattern *p, unsigned int w, unsigned int h,
	    unsigned int black_from, unsigned int black_n, bool quiet)
{
	unsigned int pw = 0, ph = 0;
	uint8_t *rgb;
	long wrong = 0;

	if (!gtest_png_load(path, &pw, &ph, &rgb))
		return -1;
	if (pw != w || ph != h) {
		free(rgb);
		return -1;
	}
	for (unsigned int i = 0; i < w * h; i++) {
		uint32_t want = i >= black_from && i < black_from + black_n ?
				0 : gpattern_pixel(p, i % w, i / w);
		uint32_t got = (uint32_t)rgb[3 * i] << 16 | (uint32_t)rgb[3 * i + 1] << 8 |
			       rgb[3 * i + 2];

		if (got != want && !wrong++ && !quiet)
			fprintf(stderr, "\n    pixel %u: 0x%06x, want 0x%06x\n", i, got, want);
	}
	free(rgb);
	return wrong;
}

/* png_wrong_q, saying which pixel differs first. */
static long
png_wrong(const char *path, const struct gpattern *p, unsigned int w, unsigned int h,
	  unsigned int black_from, unsigned int black_n)
{
	return png_wrong_q(path, p, w, h, black_from, black_n, false);
}

/* A guest shows pattern kind at w x h on pipe A (drawn with the CPU through the aperture). */
static bool
show(struct gdev *g, unsigned int kind, unsigned int w, unsigned int h, uint32_t seed,
     struct gpattern *p, struct gobj *fb)
{
	if (gpattern_get(kind, w, h, seed, p) || gobj_new(g, (uint64_t)w * 4 * h, true, fb) ||
	    gpattern_cpu_draw(g, p, fb, w * 4, w, h) || gdisplay_show(g, 0, fb, w, h, w * 4)) {
		fprintf(stderr, "\n    show: %s\n", g->err);
		return false;
	}
	return true;
}

static void
test_screenshot_exact(void)
{
	char path[128], line[256], *out;
	struct gpattern p;
	struct gobj fb;
	struct gdev g;
	struct scn s;
	int st;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	CU_ASSERT_FATAL(show(&g, 0, 256, 192, 1, &p, &fb));
	png_path(path, sizeof(path), "exact");
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1", path, NULL },
		       &out);
	CU_ASSERT_EQUAL(st, 0);
	snprintf(line, sizeof(line), "domain 1 pipe A: 256x192 xrgb8888 linear -> %s\n", path);
	CU_ASSERT_STRING_EQUAL(out, line);
	free(out);
	CU_ASSERT_EQUAL(png_wrong(path, &p, 256, 192, 0, 0), 0);
	/* The guest draws something else: the next screenshot shows it. */
	CU_ASSERT_EQUAL_FATAL(gpattern_get(3, 256, 192, 5, &p), 0);
	CU_ASSERT_EQUAL_FATAL(gpattern_cpu_draw(&g, &p, &fb, 1024, 256, 192), 0);
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1", path, "A",
						     NULL }, &out);
	CU_ASSERT_EQUAL(st, 0);
	free(out);
	CU_ASSERT_EQUAL(png_wrong(path, &p, 256, 192, 0, 0), 0);
	unlink(path);
	scn_stop(&s);
}

/* 640 x 480 takes many pieces; a page whose GGTT entry the guest cleared reads black. */
static void
test_screenshot_pieces_and_holes(void)
{
	const unsigned int w = 640, h = 480, page = 40;	/* bytes 163840..: row 64, 65 */
	char path[128], *out;
	struct gpattern p;
	struct gobj fb;
	struct gdev g;
	struct scn s;
	int st;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	CU_ASSERT_FATAL(show(&g, 2, w, h, 3, &p, &fb));
	CU_ASSERT_EQUAL_FATAL(gdev_writeq(&g, (uint32_t)(G9_GGTT_OFF + ((fb.gma >> 12) + page) * 8),
					  0), 0);
	png_path(path, sizeof(path), "holes");
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1", path, NULL },
		       &out);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ": 640x480 xrgb8888 linear -> "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " (1024 pixels on pages with no GGTT entry: black)\n"));
	free(out);
	CU_ASSERT_EQUAL(png_wrong(path, &p, w, h, page * 4096 / 4, 1024), 0);
	unlink(path);
	scn_stop(&s);
}

/* Two guests, two planes: each screenshot is its own guest's picture, never the other's. */
static void
test_screenshot_two_guests(void)
{
	char path[2][128], *out;
	struct gpattern p[2];
	struct gobj fb[2];
	struct gdev g[2];
	struct scn s;

	if (!scn_start(&s, (const char *[]){ "type=xengt_small", "type=xengt_small" }, 2))
		return;
	for (unsigned int i = 0; i < 2; i++) {
		scn_place_bars(s.c[i]);
		CU_ASSERT_EQUAL_FATAL(gdev_bringup(&g[i], s.c[i], 0, SCN_DEV, 0, GUEST_RAM_LO,
						   GUEST_RAM_HI), 0);
		CU_ASSERT_FATAL(show(&g[i], 1, 128, 128, i, &p[i], &fb[i]));
	}
	CU_ASSERT_NOT_EQUAL(gpattern_pixel(&p[0], 0, 0), gpattern_pixel(&p[1], 0, 0));
	for (unsigned int i = 0; i < 2; i++) {
		char dom[16];

		snprintf(dom, sizeof(dom), "%u", s.dom[i]);
		png_path(path[i], sizeof(path[i]), i ? "b" : "a");
		CU_ASSERT_EQUAL(gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot",
									 dom, path[i], NULL }, &out), 0);
		free(out);
	}
	CU_ASSERT_EQUAL(png_wrong(path[0], &p[0], 128, 128, 0, 0), 0);
	CU_ASSERT_EQUAL(png_wrong(path[1], &p[1], 128, 128, 0, 0), 0);
	CU_ASSERT_TRUE(png_wrong_q(path[1], &p[0], 128, 128, 0, 0, true) > 0);
	unlink(path[0]);
	unlink(path[1]);
	scn_stop(&s);
}

static void
test_screenshot_refusals(void)
{
	char path[128], *out;
	struct gpattern p;
	struct gobj fb;
	struct gdev g;
	struct scn s;
	int st;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	png_path(path, sizeof(path), "refused");
	/* Nothing shown yet. */
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1", path, NULL },
		       &out);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "xengt-ctl: domain 1 pipe A: the primary plane is off\n"));
	free(out);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	/* A format the accessor does not read (YUV 4:2:2). */
	CU_ASSERT_FATAL(show(&g, 0, 64, 64, 0, &p, &fb));
	CU_ASSERT_EQUAL(gdev_writel(&g, PLANE_CTL_A, PLANE_CTL_ENABLE), 0);
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1", path, NULL },
		       &out);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "format or tiling not readable"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, " format=fmt0 "));
	free(out);
	/* Usage errors and a domain without a vGPU. */
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1", path, "D",
						     NULL }, &out);
	CU_ASSERT_EQUAL(st, 2);
	free(out);
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1", NULL }, &out);
	CU_ASSERT_EQUAL(st, 2);
	free(out);
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "7", path, NULL },
		       &out);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "error ENOENT: no vGPU for domain 7"));
	free(out);
	/* An unwritable path: the error, and no file left behind. */
	CU_ASSERT_EQUAL(gdev_writel(&g, PLANE_CTL_A, PLANE_CTL_ENABLE | PLANE_FMT_XRGB8888), 0);
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1",
						     "/nonexistent/dir/x.png", NULL }, &out);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "/nonexistent/dir/x.png.tmp"));
	free(out);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	scn_stop(&s);
}

/* The guest flips between two frames while a screenshot is taken. */
struct flipper {
	struct gdev *g;
	uint64_t surf[2];
	bool stop;		/* __atomic: set by the test thread */
	unsigned int flips;
};

static void *
flip_main(void *arg)
{
	struct flipper *f = arg;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		if (gdev_writel(f->g, PLANE_SURF_A, (uint32_t)f->surf[f->flips & 1]))
			break;
		f->flips++;
		/* A flip lands at the next vblank (~16 ms): offer one about every 5 ms. */
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
	return NULL;
}

/* Whatever moment it catches, a screenshot is one whole frame, never a mix of two. */
static void
test_screenshot_during_flips(void)
{
	const unsigned int w = 640, h = 480;
	struct gpattern p[2];
	struct gobj fb[2];
	struct flipper f = { 0 };
	char path[128], *out;
	pthread_t thr;
	struct gdev g;
	struct scn s;
	int st;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	CU_ASSERT_FATAL(show(&g, 0, w, h, 1, &p[0], &fb[0]));
	CU_ASSERT_EQUAL_FATAL(gpattern_get(2, w, h, 2, &p[1]), 0);
	CU_ASSERT_EQUAL_FATAL(gobj_new(&g, (uint64_t)w * 4 * h, true, &fb[1]), 0);
	CU_ASSERT_EQUAL_FATAL(gpattern_cpu_draw(&g, &p[1], &fb[1], w * 4, w, h), 0);
	f.g = &g;
	f.surf[0] = fb[1].gma;
	f.surf[1] = fb[0].gma;
	png_path(path, sizeof(path), "flips");
	CU_ASSERT_EQUAL_FATAL(pthread_create(&thr, NULL, flip_main, &f), 0);
	for (unsigned int i = 0; i < 3; i++) {
		st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "screenshot", "1", path,
							     NULL }, &out);
		if (st == 0) {
			long a = png_wrong_q(path, &p[0], w, h, 0, 0, true);
			long b = png_wrong_q(path, &p[1], w, h, 0, 0, true);

			CU_ASSERT_TRUE(a == 0 || b == 0);
			unlink(path);
		} else {
			CU_ASSERT_EQUAL(st, 1);
			CU_ASSERT_PTR_NOT_NULL(strstr(out, "the plane kept changing while it was read"));
		}
		free(out);
	}
	__atomic_store_n(&f.stop, true, __ATOMIC_RELEASE);
	pthread_join(thr, NULL);
	CU_ASSERT_TRUE(f.flips > 0);
	scn_stop(&s);
}

/*
 * `xengt-ctl shares`: a row per vGPU; a counter this daemon does not
 * report yet is "-", with the note saying which.
 */
static void
test_shares(void)
{
	char *out, *json;
	struct scn s;
	int st;

	if (!scn_start(&s, (const char *[]){ "type=xengt_small", "type=xengt_small" }, 2))
		return;
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "shares", NULL }, &out);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "DOMID  VGPU  TYPE         WORKLOADS  GPU_MS  GPU_SHARE\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n1      1     xengt_small  "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n2      2     xengt_small  "));
	/* "-" exactly when the note names the missing counter. */
	CU_ASSERT_EQUAL(strstr(out, "  -  ") != NULL, strstr(out, "note: this daemon's stats have no") != NULL);
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "--json", "shares", NULL }, &json);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"domid\": 2"));
	CU_ASSERT_PTR_NULL(strstr(json, "note:"));
	free(json);
	free(out);
	st = gtest_run("xengt-ctl", (const char *[]){ "-s", s.sock, "shares", "1", NULL }, &out);
	CU_ASSERT_EQUAL(st, 2);
	free(out);
	scn_stop(&s);
}

static const struct test_case guest_screenshot_cases[] = {
	{ "the PNG holds exactly the guest's pixels", test_screenshot_exact },
	{ "many pieces, a page without a GGTT entry black", test_screenshot_pieces_and_holes },
	{ "two guests, each its own picture", test_screenshot_two_guests },
	{ "refusals: plane off, format, usage, domain, path", test_screenshot_refusals },
	{ "flips during a screenshot: one whole frame", test_screenshot_during_flips },
	{ "shares: a row per vGPU, missing counters said", test_shares },
	{ NULL, NULL },
};

void suite_guest_screenshot(void);

void
suite_guest_screenshot(void)
{
	test_add_suite("guest_screenshot", guest_screenshot_cases);
}
