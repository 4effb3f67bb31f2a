/* SPDX-License-Identifier: MIT */
/*
 * display.c — putting a framebuffer on a pipe's primary plane the way a
 * Skylake modeset and flip end up programming it (i915 skl_program_plane:
 * PLANE_STRIDE in 64-byte units for linear, PLANE_POS, PLANE_SIZE,
 * PLANE_OFFSET, PLANE_CTL, PLANE_SURF last), with the pipe's timings and
 * source size, then waiting for the flip (PLANE_SURFLIVE).
 */
#include <errno.h>
#include <inttypes.h>
#include <time.h>

#include "util.h"

#define FLIP_TIMEOUT_MS 2000

int
gdisplay_show(struct gdev *g, unsigned int pipe, const struct gobj *fb, unsigned int w,
	      unsigned int h, unsigned int stride)
{
	uint32_t p = pipe * PIPE_STRIDE, live = 0, conf;
	/* Timings: w x h active, a little blanking (the vGPU runs them at its monitor's clock). */
	uint32_t ht = w + 160, vt = h + 45;
	uint64_t deadline;
	int rc;

	if (pipe > 2 || !w || !h || w > 8192 || h > 4096 || stride % PLANE_STRIDE_UNIT ||
	    stride < w * 4 || (uint64_t)stride * h > fb->size || !fb->gma || fb->gma >> 32)
		return gfail(g, -EINVAL, "display: bad mode %ux%u stride %u for the object", w, h,
			     stride);
	if ((rc = gdev_readl(g, PIPECONF_A + p, &conf)) ||
	    (rc = gdev_writel(g, HTOTAL_A + p, (ht - 1) << 16 | (w - 1))) ||
	    (rc = gdev_writel(g, HBLANK_A + p, (ht - 1) << 16 | (w - 1))) ||
	    (rc = gdev_writel(g, HSYNC_A + p, (w + 88 - 1) << 16 | (w + 48 - 1))) ||
	    (rc = gdev_writel(g, VTOTAL_A + p, (vt - 1) << 16 | (h - 1))) ||
	    (rc = gdev_writel(g, VBLANK_A + p, (vt - 1) << 16 | (h - 1))) ||
	    (rc = gdev_writel(g, VSYNC_A + p, (h + 9 - 1) << 16 | (h + 3 - 1))) ||
	    (rc = gdev_writel(g, PIPESRC_A + p, (w - 1) << 16 | (h - 1))) ||
	    (rc = gdev_writel(g, PLANE_STRIDE_A + p, stride / PLANE_STRIDE_UNIT)) ||
	    (rc = gdev_writel(g, PLANE_POS_A + p, 0)) ||
	    (rc = gdev_writel(g, PLANE_SIZE_A + p, (h - 1) << 16 | (w - 1))) ||
	    (rc = gdev_writel(g, PLANE_OFFSET_A + p, 0)) ||
	    (rc = gdev_writel(g, PLANE_CTL_A + p, PLANE_CTL_ENABLE | PLANE_FMT_XRGB8888)) ||
	    (rc = gdev_writel(g, PLANE_SURF_A + p, (uint32_t)fb->gma)) ||
	    (rc = gdev_writel(g, PIPECONF_A + p, conf | PIPECONF_ENABLE)))
		return rc;
	/* The flip completes at the next vblank (at once on a pipe that was off). */
	deadline = gnow_ms() + FLIP_TIMEOUT_MS;
	do {
		rc = gdev_readl(g, PLANE_SURFLIVE_A + p, &live);
		if (rc)
			return rc;
		if (live == (uint32_t)fb->gma)
			return 0;
		/* A vblank is ~16 ms away: look again in a millisecond, not in a trap storm. */
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	} while (gnow_ms() < deadline);
	return gfail(g, -ETIMEDOUT, "display: pipe %c still shows 0x%x, not 0x%" PRIx64
		     " after %d ms", 'A' + pipe, live, fb->gma, FLIP_TIMEOUT_MS);
}
