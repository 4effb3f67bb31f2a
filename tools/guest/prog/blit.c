/* SPDX-License-Identifier: MIT */
/*
 * blit.c — guest-blit, a guest program (xengt-script --program): copy
 * throughput through a vGPU. Bring the vGPU up (probe, PV info, balloon,
 * MSI), bind a patterned source and a destination surface in a PPGTT,
 * then submit the same batch --repeat times on bcs0: --copies
 * XY_SRC_COPY_BLT of the whole WxH 32-bpp surface. --inflight 1 waits for
 * each (its CSB COMPLETE); --inflight N keeps up to N submissions queued,
 * as i915 does: each ends with a breadcrumb (MI_STORE_DATA_IMM of its
 * number, then MI_USER_INTERRUPT), the next is appended to the ring and
 * resubmitted (a lite restore) while earlier ones run, and the program
 * waits only for the breadcrumb N back. Prints the MiB/s copied (`make
 * bench`: e2e_blit and e2e_blit_sync, against the same batches on softgpu
 * directly) and checks the destination pixel for pixel.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xensim.h"
#include "tools/common/expr.h"
#include "tools/guest/libguest.h"

struct opts {
	unsigned int w, h, copies, repeat, inflight, timeout_ms;
};

struct scene {
	struct gdev g;
	struct gppgtt vm;
	struct gobj src, dst, batch, seqno;
	struct gengine eng;
	struct gctx ctx;
	uint32_t pitch;
};

static const char *prefix = "";

static void
usage(FILE *f)
{
	fprintf(f, "usage: guest-blit [--size WxH] [--copies K] [--repeat N] [--inflight N]\n"
		   "                  [--timeout MS]\n"
		   "run by: xengt-script [--vgpus N] --program guest-blit [-- OPTIONS]\n");
}

/* A bounded number option: 0, or -EINVAL. */
static int
number(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	uint64_t n;

	if (expr_parse_number(s, &n) || n < min || n > max)
		return -EINVAL;
	*out = (unsigned int)n;
	return 0;
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "copies", required_argument, NULL, 'k' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "inflight", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	*o = (struct opts){ .w = 1024, .h = 768, .copies = 8, .repeat = 32, .inflight = 1,
			     .timeout_ms = 5000 };
	while (!rc && (c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 's':
			rc = sscanf(optarg, "%ux%u", &o->w, &o->h) == 2 && o->w && o->w <= 4096 &&
					     o->h && o->h <= 4096 ? 0 : -EINVAL;
			break;
		case 'k':
			rc = number(optarg, 1, 64, &o->copies);
			break;
		case 'r':
			rc = number(optarg, 1, 1000000, &o->repeat);
			break;
		case 'i':	/* 64 submissions of 40 bytes fit the 16 KiB ring many times */
			rc = number(optarg, 1, 64, &o->inflight);
			break;
		case 't':
			rc = number(optarg, 1, 600000, &o->timeout_ms);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			rc = -EINVAL;
		}
	}
	return rc || optind != argc ? -EINVAL : 0;
}

static uint32_t
pixel(unsigned int x, unsigned int y)
{
	return (y * 2654435761u) ^ (x * 40503u) ^ 0x00a5a5a5u;
}

/* Surfaces and the batch, PPGTT-bound; the source patterned by the CPU. */
static int
scene_setup(struct scene *s, const struct opts *o)
{
	struct gdev *g = &s->g;
	uint64_t size;
	struct gcmd b;
	int rc;

	s->pitch = o->w * 4;
	size = ((uint64_t)s->pitch * o->h + G9_PAGE - 1) & ~(uint64_t)(G9_PAGE - 1);
	if ((rc = gobj_new_unmapped(g, size, &s->src)) ||
	    (rc = gobj_new_unmapped(g, size, &s->dst)) ||
	    (rc = gobj_new_unmapped(g, G9_PAGE, &s->batch)) ||
	    (rc = gobj_new_unmapped(g, G9_PAGE, &s->seqno)) || (rc = gppgtt_new(g, &s->vm)) ||
	    (rc = gppgtt_bind(&s->vm, &s->src)) || (rc = gppgtt_bind(&s->vm, &s->dst)) ||
	    (rc = gppgtt_bind(&s->vm, &s->batch)) || (rc = gppgtt_bind(&s->vm, &s->seqno)))
		return rc;
	for (unsigned int y = 0; y < o->h; y++)
		for (unsigned int x = 0; x < o->w; x++)
			((uint32_t *)s->src.cpu)[(size_t)y * o->w + x] = pixel(x, y);
	gcmd_init(&b, s->batch.cpu, G9_PAGE / 4);
	for (unsigned int i = 0; i < o->copies && !rc; i++)
		rc = gcmd_src_copy_blt(&b, s->dst.gva, s->pitch, 0, 0, o->w, o->h, s->src.gva,
				       s->pitch, 0, 0);
	if (!rc)
		rc = gcmd_bb_end(&b);
	if (!rc)
		rc = gcmd_align_qw(&b);
	return rc == -ENOSPC ? -E2BIG : rc;
}

/* Submission number seq: the batch, its breadcrumb, the interrupt; ELSP. */
static int
submit(struct scene *s, uint32_t seq)
{
	uint32_t ringbuf[16];
	struct gcmd r;
	int rc;

	gcmd_init(&r, ringbuf, 16);
	if ((rc = gcmd_arb_check(&r)) || (rc = gcmd_bb_start(&r, s->batch.gva, true)) ||
	    (rc = gcmd_store_dw(&r, s->seqno.gva, false, seq)) ||
	    (rc = gcmd_user_interrupt(&r)) || (rc = gcmd_align_qw(&r)) ||
	    (rc = gctx_ring_append(&s->ctx, &r)))
		return rc;
	return gengine_submit(&s->eng, &s->ctx, NULL);
}

/* Submissions first..first+n-1, at most o->inflight outstanding; all complete on return. */
static int
run(struct scene *s, const struct opts *o, uint32_t first, unsigned int n)
{
	const volatile uint32_t *crumb = (const volatile uint32_t *)s->seqno.cpu;
	int rc = 0;

	for (unsigned int i = 0; i < n && !rc; i++) {
		uint32_t seq = first + i;

		if (o->inflight > 1 && i >= o->inflight)
			rc = gengine_wait_seqno(&s->eng, crumb, seq - o->inflight,
						(int)o->timeout_ms);
		if (!rc)
			rc = submit(s, seq);
		if (!rc && o->inflight == 1)
			rc = gengine_wait(&s->eng, s->ctx.ctx_id, (int)o->timeout_ms, NULL, 0,
					  NULL);
	}
	if (!rc && o->inflight > 1)
		rc = gengine_wait_seqno(&s->eng, crumb, first + n - 1, (int)o->timeout_ms);
	if (!rc && *crumb != first + n - 1) {
		snprintf(s->g.err, sizeof(s->g.err), "breadcrumb %u after submission %u", *crumb,
			 first + n - 1);
		rc = -EPROTO;
	}
	return rc;
}

static long
wrong_pixels(const struct scene *s, const struct opts *o)
{
	long wrong = 0;

	for (unsigned int y = 0; y < o->h; y++)
		for (unsigned int x = 0; x < o->w; x++)
			wrong += ((const uint32_t *)s->dst.cpu)[(size_t)y * o->w + x] != pixel(x, y);
	return wrong;
}

int
main(int argc, char **argv)
{
	static struct scene s;
	struct opts o;
	struct genv e;
	uint64_t t0, t1;
	double mib;
	long wrong;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	if (genv_read(&e))
		return 2;
	prefix = e.prefix;
	rc = genv_start(&e, &s.g, "guest-blit");
	if (!rc)
		rc = scene_setup(&s, &o);
	if (!rc)
		rc = gengine_init(&s.g, G9_BCS, &s.eng);
	if (!rc)
		rc = gctx_new(&s.g, G9_BCS, &s.vm, 4, 0x200 + e.index, &s.ctx);
	/* One warm-up submission (first touches, the PPGTT shadowed), then the timed ones. */
	if (!rc)
		rc = run(&s, &o, 1, 1);
	t0 = genv_now_us();
	if (!rc)
		rc = run(&s, &o, 2, o.repeat);
	t1 = genv_now_us();
	if (rc) {
		printf("%sguest-blit: %s (%s)\n", prefix, s.g.err[0] ? s.g.err : "failed",
		       strerror(-rc));
		if (s.g.c)
			sim_vcpu_detach(s.g.c);
		return 1;
	}
	mib = (double)o.repeat * o.copies * s.pitch * o.h / (1024.0 * 1024.0);
	printf("%sguest-blit: %u submissions x %u copies of %ux%u on bcs0, %u in flight, in "
	       "%.1f ms: %.1f MiB/s (%" PRIu64 " MSIs)\n", prefix, o.repeat, o.copies, o.w, o.h,
	       o.inflight, (double)(t1 - t0) / 1000.0,
	       mib * 1e6 / (double)(t1 - t0 ? t1 - t0 : 1), s.g.msis);
	wrong = wrong_pixels(&s, &o);
	printf("%sguest-blit: destination %s (%ld wrong pixels)\n", prefix,
	       wrong ? "WRONG" : "exact", wrong);
	sim_vcpu_detach(s.g.c);
	return wrong ? 1 : 0;
}
