/* SPDX-License-Identifier: MIT */
/*
 * test_guest_exec.c — guests that run commands on their vGPU through the
 * whole path: libguest builds the PPGTT, the context and the batches,
 * submits through ELSP on the blitter, waits for the MSI and the CSB, and
 * reads the pixels back through the aperture. XY_COLOR_BLT, XY_SRC_COPY_BLT,
 * XY_FAST_COPY_BLT and MI_STORE_DATA_IMM pixel- and value-exact; CSB order;
 * four guests drawing at once (guest-draw) with their screenshots exact; the
 * hand-written submission script. Each test skips, saying why, while the
 * daemon reports no execution (`gpu`: exec=0).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/scenario/guest_util.h"
#include "tests/scenario/script_run.h"
#include "tests/test_util.h"

#define EXEC_TIMEOUT_MS 10000
#define FB_W 64
#define FB_H 64
#define PITCH (FB_W * 4)

/* A guest ready to submit on bcs0: PPGTT, framebuffer (aperture + PPGTT), batch, context. */
struct rig {
	struct scn s;
	struct gdev g;
	struct gppgtt vm;
	struct gobj fb, batch, aux;
	struct gengine eng;
	struct gctx ctx;
};

static bool
rig_up(struct rig *r)
{
	char why[160];

	memset(r, 0, sizeof(*r));
	if (!gtest_up(&r->s, "type=xengt_small", &r->g))
		return false;
	if (!gtest_exec_supported(&r->s, why, sizeof(why))) {
		test_skip(why);
		scn_stop(&r->s);
		return false;
	}
	if (gdev_msi_enable(&r->g, 0xfee00000, 0x4033) ||
	    gobj_new(&r->g, PITCH * FB_H, true, &r->fb) ||
	    gobj_new_unmapped(&r->g, 4 * 4096, &r->batch) ||
	    gobj_new_unmapped(&r->g, PITCH * FB_H, &r->aux) || gppgtt_new(&r->g, &r->vm) ||
	    gppgtt_bind(&r->vm, &r->fb) || gppgtt_bind(&r->vm, &r->batch) ||
	    gppgtt_bind(&r->vm, &r->aux) || gengine_init(&r->g, G9_BCS, &r->eng) ||
	    gctx_new(&r->g, G9_BCS, &r->vm, 4, 0x77, &r->ctx)) {
		fprintf(stderr, "\n    rig: %s\n", r->g.err);
		CU_FAIL("rig set-up");
		scn_stop(&r->s);
		return false;
	}
	return true;
}

/* The batch in b (already ended) started from the ring; wait; the CSB entries in csb. */
static int
rig_run(struct rig *r, struct gcsb *csb, unsigned int max, unsigned int *n)
{
	uint32_t ring[8];
	struct gcmd c;
	int rc;

	gcmd_init(&c, ring, 8);
	if ((rc = gcmd_bb_start(&c, r->batch.gva, true)) || (rc = gcmd_user_interrupt(&c)) ||
	    (rc = gcmd_align_qw(&c)) || (rc = gctx_ring_append(&r->ctx, &c)) ||
	    (rc = gengine_submit(&r->eng, &r->ctx, NULL)))
		return rc;
	rc = gengine_wait(&r->eng, r->ctx.ctx_id, EXEC_TIMEOUT_MS, csb, max, n);
	if (rc)
		fprintf(stderr, "\n    %s\n", r->g.err);
	return rc;
}

/* Fill the framebuffer with one value through the aperture. */
static void
fb_fill(struct rig *r, uint32_t v)
{
	uint32_t row[FB_W];

	for (unsigned int x = 0; x < FB_W; x++)
		row[x] = v;
	for (unsigned int y = 0; y < FB_H; y++)
		CU_ASSERT_EQUAL(gdev_aperture_write(&r->g, r->fb.gma + y * PITCH, row, PITCH), 0);
}

static uint32_t
fb_px(struct rig *r, unsigned int x, unsigned int y)
{
	uint32_t v = 0;

	CU_ASSERT_EQUAL(gdev_aperture_read(&r->g, r->fb.gma + y * PITCH + x * 4, &v, 4), 0);
	return v;
}

/* XY_COLOR_BLT: the rectangle and nothing else; the CSB in hardware order; the MSI came. */
static void
test_color_blt(void)
{
	struct gcsb csb[8];
	unsigned int n = 0, bad = 0;
	struct gcmd b;
	struct rig r;

	if (!rig_up(&r))
		return;
	fb_fill(&r, 0x00111111);
	gcmd_init(&b, r.batch.cpu, 1024);
	CU_ASSERT_EQUAL(gcmd_color_blt(&b, r.fb.gva, PITCH, 8, 4, 40, 20, 0x00abcdef), 0);
	CU_ASSERT_EQUAL(gcmd_bb_end(&b), 0);
	CU_ASSERT_EQUAL(gcmd_align_qw(&b), 0);
	CU_ASSERT_EQUAL_FATAL(rig_run(&r, csb, 8, &n), 0);
	/* An idle engine: idle-to-active, then complete + active-to-idle, both for our context. */
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(csb[0].status & CSB_IDLE_ACTIVE, CSB_IDLE_ACTIVE);
	CU_ASSERT_EQUAL(csb[0].ctx_id, 0);	/* nothing switched out */
	CU_ASSERT_EQUAL(csb[1].status & (CSB_COMPLETE | CSB_ACTIVE_IDLE),
			CSB_COMPLETE | CSB_ACTIVE_IDLE);
	CU_ASSERT_EQUAL(csb[1].ctx_id, 0x77);
	CU_ASSERT_TRUE(r.g.msis >= 1);
	CU_ASSERT_EQUAL(r.g.gt_iir_seen[0] & (GT_CONTEXT_SWITCH << 16), GT_CONTEXT_SWITCH << 16);
	/* The ring head written back into the image: all of the ring was consumed. */
	CU_ASSERT_EQUAL(gctx_reg(&r.ctx, CTX_RING_HEAD), r.ctx.tail);
	for (unsigned int y = 0; y < FB_H; y++)
		for (unsigned int x = 0; x < FB_W; x++) {
			bool in = x >= 8 && x < 40 && y >= 4 && y < 20;
			uint32_t got = fb_px(&r, x, y) & 0xffffff;

			if (got != (in ? 0xabcdefu : 0x111111u) && !bad++)
				fprintf(stderr, "\n    (%u,%u) = 0x%06x\n", x, y, got);
		}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(scn_stat(&r.s, r.s.dom[0], "failsafe"), 0);
	scn_stop(&r.s);
}

/* XY_SRC_COPY_BLT of a block, then XY_FAST_COPY_BLT of the whole surface, exact. */
static void
test_copy_blts(void)
{
	uint32_t *aux;
	unsigned int bad = 0;
	struct gcmd b;
	struct rig r;

	if (!rig_up(&r))
		return;
	/* The source: every pixel its own value, written by the CPU into the object's pages. */
	aux = r.aux.cpu;
	for (unsigned int i = 0; i < FB_W * FB_H; i++)
		aux[i] = 0x00010000u * (i % 251) + i;
	fb_fill(&r, 0);
	gcmd_init(&b, r.batch.cpu, 1024);
	/* aux (8..24, 8..24) -> fb (40.., 32..); then fb -> aux whole, fast copy. */
	CU_ASSERT_EQUAL(gcmd_src_copy_blt(&b, r.fb.gva, PITCH, 40, 32, 16, 16, r.aux.gva, PITCH,
					  8, 8), 0);
	CU_ASSERT_EQUAL(gcmd_fast_copy_blt(&b, r.aux.gva, PITCH, 0, 0, FB_W, FB_H, r.fb.gva,
					   PITCH, 0, 0), 0);
	CU_ASSERT_EQUAL(gcmd_bb_end(&b), 0);
	CU_ASSERT_EQUAL(gcmd_align_qw(&b), 0);
	CU_ASSERT_EQUAL_FATAL(rig_run(&r, NULL, 0, NULL), 0);
	for (unsigned int y = 0; y < FB_H; y++)
		for (unsigned int x = 0; x < FB_W; x++) {
			bool in = x >= 40 && x < 56 && y >= 32 && y < 48;
			unsigned int si = (y - 32 + 8) * FB_W + (x - 40 + 8);
			uint32_t want = in ? 0x00010000u * (si % 251) + si : 0;

			if (fb_px(&r, x, y) != want && !bad++)
				fprintf(stderr, "\n    fb (%u,%u) = 0x%08x want 0x%08x\n", x, y,
					fb_px(&r, x, y), want);
			/* The fast copy made aux the framebuffer's twin. */
			if (aux[y * FB_W + x] != want && !bad++)
				fprintf(stderr, "\n    aux (%u,%u) = 0x%08x\n", x, y,
					aux[y * FB_W + x]);
		}
	CU_ASSERT_EQUAL(bad, 0);
	scn_stop(&r.s);
}

/* MI_STORE_DATA_IMM in ten submissions in a row: each value lands, the CSB pairs come in order. */
static void
test_store_dw_sequence(void)
{
	volatile uint32_t *slot;
	struct rig r;

	if (!rig_up(&r))
		return;
	slot = (volatile uint32_t *)((uint8_t *)r.aux.cpu + 0x40);
	for (uint32_t i = 1; i <= 10; i++) {
		struct gcsb csb[4];
		unsigned int n = 0;
		struct gcmd b;

		gcmd_init(&b, r.batch.cpu, 1024);
		CU_ASSERT_EQUAL(gcmd_store_dw(&b, r.aux.gva + 0x40, false, 0xc0de0000 + i), 0);
		CU_ASSERT_EQUAL(gcmd_bb_end(&b), 0);
		CU_ASSERT_EQUAL(gcmd_align_qw(&b), 0);
		CU_ASSERT_EQUAL_FATAL(rig_run(&r, csb, 4, &n), 0);
		CU_ASSERT_EQUAL(*slot, 0xc0de0000 + i);
		CU_ASSERT_EQUAL(n, 2);
		CU_ASSERT_EQUAL(csb[n - 1].status & CSB_COMPLETE, CSB_COMPLETE);
	}
	CU_ASSERT_EQUAL(r.eng.nlog, 20);
	CU_ASSERT_EQUAL(r.eng.csb_entries, 20);
	/* Each submission: idle-to-active, then complete + active-to-idle for context 0x77. */
	for (unsigned int i = 0; i < 20; i += 2) {
		CU_ASSERT_EQUAL(r.eng.log[i].status & CSB_IDLE_ACTIVE, CSB_IDLE_ACTIVE);
		CU_ASSERT_EQUAL(r.eng.log[i + 1].status & (CSB_COMPLETE | CSB_ACTIVE_IDLE),
				CSB_COMPLETE | CSB_ACTIVE_IDLE);
		CU_ASSERT_EQUAL(r.eng.log[i + 1].ctx_id, 0x77);
	}
	CU_ASSERT_EQUAL(r.eng.completes, 10);
	scn_stop(&r.s);
}

/* Is there execution? A throwaway daemon says; false = skipped (with the reason). */
static bool
exec_or_skip(void)
{
	char why[160];
	struct scn s;
	bool ok;

	if (!scn_start(&s, (const char *[]){ "type=xengt_small" }, 1))
		return false;
	ok = gtest_exec_supported(&s, why, sizeof(why));
	scn_stop(&s);
	if (!ok)
		test_skip(why);
	return ok;
}

/* Four guests draw their patterns on the GPU at once; each screenshot is its guest's, exactly. */
static void
test_four_guests_draw(void)
{
	char ctl[160], path[128], line[96];
	struct script_run r;

	if (!exec_or_skip())
		return;
	snprintf(ctl, sizeof(ctl), "screenshot DOMID /tmp/xengt-four-%d-DOMID.png", (int)getpid());
	script_run(&r, (const char *[]){ "--vgpus", "4", "--ctl", ctl, "--program", "guest-draw",
					 "--", "--repeat", "20", NULL }, 120000);
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	for (unsigned int d = 1; d <= 4; d++) {
		struct gpattern p;
		unsigned int w = 0, h = 0, bad = 0;
		uint8_t *rgb;

		snprintf(line, sizeof(line), "[d%u] guest-draw: passed", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(path, sizeof(path), "/tmp/xengt-four-%d-%u.png", (int)getpid(), d);
		CU_ASSERT_EQUAL_FATAL(gpattern_get(d - 1, 256, 192, d - 1, &p), 0);
		CU_ASSERT_TRUE(gtest_png_load(path, &w, &h, &rgb));
		if (rgb && w == 256 && h == 192)
			for (unsigned int i = 0; i < w * h; i++)
				bad += ((uint32_t)rgb[3 * i] << 16 | (uint32_t)rgb[3 * i + 1] << 8 |
					rgb[3 * i + 2]) != gpattern_pixel(&p, i % w, i / w);
		CU_ASSERT_EQUAL(bad, 0);
		free(rgb);
		unlink(path);
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "gpu: 20 submissions on bcs0"));
	CU_ASSERT_PTR_NULL(strstr(r.out, "drawing with the CPU instead"));
	script_run_free(&r);
}

/* The number after key (a line of xengt-ctl's aligned output) in out; -1 if none. */
static long
ctl_field(const char *out, const char *key)
{
	const char *p = strstr(out, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/*
 * guest-blit on two vGPUs at once with the options in args (NULL-ended):
 * both destinations exact, both passed, the throughput line the bench
 * reads (e2e_blit) printed as summary, and `xengt-ctl gpu` afterwards.
 */
static void
blit_on_two(const char *const *args, const char *summary)
{
	const char *argv[24] = { "--vgpus", "2", "--ctl", "gpu", "--program", "guest-blit", "--" };
	struct script_run r;
	unsigned int n = 7;

	if (!exec_or_skip())
		return;
	for (unsigned int i = 0; args[i] && n + 1 < sizeof(argv) / sizeof(argv[0]); i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	script_run(&r, argv, 120000);
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	for (unsigned int d = 1; d <= 2; d++) {
		char line[96];

		snprintf(line, sizeof(line), "[d%u] guest-blit: destination exact (0 wrong pixels)", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
		snprintf(line, sizeof(line), "[d%u] guest-blit: passed", d);
		CU_ASSERT_TRUE(script_has_line(&r, line));
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, summary));
	/*
	 * softgpu takes lite restores, and `xengt-ctl gpu` says so (how many
	 * were used depends on how the guests' submissions and the engine
	 * interleave on this machine: sched/lite_restore_* count them).
	 */
	CU_ASSERT_EQUAL(ctl_field(r.out, "\nlite_restore:"), 1);
	script_run_free(&r);
}

/* guest-blit, each submission waited for. */
static void
test_guest_blit(void)
{
	blit_on_two((const char *[]){ "--size", "320x200", "--copies", "3", "--repeat", "5", NULL },
		    "5 submissions x 3 copies of 320x200 on bcs0, 1 in flight, in ");
}

/*
 * guest-blit as i915 submits: up to 3 submissions queued behind each
 * other (breadcrumbs, ELSP again while the context runs: lite restores
 * in the guest's execlists and, behind a running workload, on the GPU):
 * every breadcrumb in order, every pixel right.
 */
static void
test_guest_blit_inflight(void)
{
	blit_on_two((const char *[]){ "--size", "640x480", "--copies", "4", "--repeat", "40",
				      "--inflight", "3", NULL },
		    "40 submissions x 4 copies of 640x480 on bcs0, 3 in flight, in ");
}

/* The hand-written submission (tests/scripts/submit.xs): CSB and pixels as expected. */
static void
test_submit_script(void)
{
	struct script_run r;

	if (!exec_or_skip())
		return;
	script_run(&r, (const char *[]){ "tests/scripts/submit.xs", NULL }, 60000);
	script_dump_on_failure(&r, 0);
	CU_ASSERT_EQUAL(r.status, 0);
	CU_ASSERT_TRUE(script_has_line(&r, "msi addr=0xfee00000 data=0x4041"));
	CU_ASSERT_TRUE(script_has_line(&r, "wait-mem 0x100007c = 0x00000001"));
	CU_ASSERT_TRUE(script_has_line(&r, "readl 0x84000ffc = 0x00ff8800"));
	CU_ASSERT_TRUE(script_has_line(&r, "8 expects passed"));
	script_run_free(&r);
}

static const struct test_case guest_exec_cases[] = {
	{ "XY_COLOR_BLT pixel-exact, CSB order, MSI", test_color_blt },
	{ "XY_SRC_COPY_BLT and XY_FAST_COPY_BLT exact", test_copy_blts },
	{ "MI_STORE_DATA_IMM over ten submissions", test_store_dw_sequence },
	{ "four guests draw at once, screenshots exact", test_four_guests_draw },
	{ "hand-written submission script", test_submit_script },
	{ "guest-blit: copies through two vGPUs, checked", test_guest_blit },
	{ "guest-blit: queued submissions (lite restores), two vGPUs", test_guest_blit_inflight },
	{ NULL, NULL },
};

void suite_guest_exec(void);

void
suite_guest_exec(void)
{
	test_add_suite("guest_exec", guest_exec_cases);
}
