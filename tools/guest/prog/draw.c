/* SPDX-License-Identifier: MIT */
/*
 * draw.c — guest-draw, a guest program (xengt-script --program): a whole
 * guest driver's day. Bring the vGPU up (probe, PV info, balloon, MSI),
 * build a PPGTT and announce it, draw a pattern on the GPU (a batch of
 * blits submitted through ELSP on the blitter, completion from the MSI
 * and the CSB) --repeat times, show the frame on pipe A's primary plane,
 * and read every pixel back through the aperture. Prints its throughput.
 * Without execution (no completion in time) --cpu-fallback draws with the
 * CPU instead and says so; --cpu always does.
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

#define BATCH_PAGES 4

struct opts {
	int pattern;		/* -1: the guest's index */
	unsigned int w, h, repeat, timeout_ms;
	bool cpu, cpu_fallback;
	enum g9_engine engine;
};

static const char *prefix = "";

static void
usage(FILE *f)
{
	fprintf(f, "usage: guest-draw [--pattern 0-3] [--size WxH] [--repeat N] [--timeout MS]\n"
		   "                  [--engine bcs|rcs] [--cpu | --cpu-fallback]\n"
		   "run by: xengt-script [--vgpus N] --program guest-draw [-- OPTIONS]\n");
}

static int
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "pattern", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "engine", required_argument, NULL, 'e' },
		{ "cpu", no_argument, NULL, 'c' },
		{ "cpu-fallback", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	int c;

	*o = (struct opts){ .pattern = -1, .w = 256, .h = 192, .repeat = 1, .timeout_ms = 5000,
			    .engine = G9_BCS };
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (expr_parse_number(optarg, &n) || n >= GPATTERN_NR)
				return -EINVAL;
			o->pattern = (int)n;
			break;
		case 's':
			if (sscanf(optarg, "%ux%u", &o->w, &o->h) != 2)
				return -EINVAL;
			break;
		case 'r':
			if (expr_parse_number(optarg, &n) || !n || n > 1000000)
				return -EINVAL;
			o->repeat = (unsigned int)n;
			break;
		case 't':
			if (expr_parse_number(optarg, &n) || n > 600000)
				return -EINVAL;
			o->timeout_ms = (unsigned int)n;
			break;
		case 'e':
			if (!strcmp(optarg, "bcs"))
				o->engine = G9_BCS;
			else if (!strcmp(optarg, "rcs"))
				o->engine = G9_RCS;
			else
				return -EINVAL;
			break;
		case 'c':
			o->cpu = true;
			break;
		case 'f':
			o->cpu_fallback = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	return optind == argc ? 0 : -EINVAL;
}

/* Everything the program allocates on its vGPU. */
struct scene {
	struct gdev g;
	struct gppgtt vm;
	struct gobj front, back, batch, seqno;
	struct gengine eng;
	struct gctx ctx;
	struct gpattern pat;
	uint32_t pitch;
};

/* Objects and the PPGTT: the front buffer in the aperture, the rest PPGTT-only. */
static int
scene_objects(struct scene *s, const struct opts *o)
{
	struct gdev *g = &s->g;
	int rc;

	s->pitch = (o->w * 4 + 63) & ~63u;
	if ((rc = gobj_new(g, (uint64_t)s->pitch * o->h, true, &s->front)) ||
	    (rc = gobj_new_unmapped(g, (uint64_t)s->pitch * o->h, &s->back)) ||
	    (rc = gobj_new_unmapped(g, BATCH_PAGES * G9_PAGE, &s->batch)) ||
	    (rc = gobj_new_unmapped(g, G9_PAGE, &s->seqno)) || (rc = gppgtt_new(g, &s->vm)) ||
	    (rc = gppgtt_bind(&s->vm, &s->front)) || (rc = gppgtt_bind(&s->vm, &s->back)) ||
	    (rc = gppgtt_bind(&s->vm, &s->batch)) || (rc = gppgtt_bind(&s->vm, &s->seqno)))
		return rc;
	return 0;
}

/* One submission: the pattern's batch (seqno n) and a ring that starts it. */
static int
submit_one(struct scene *s, const struct opts *o, uint32_t n)
{
	uint32_t ringbuf[16];
	struct gcmd b, r;
	int rc;

	gcmd_init(&b, s->batch.cpu, (uint32_t)(s->batch.size / 4));
	rc = gpattern_batch(&s->pat, &b, s->back.gva, s->front.gva, s->pitch, o->w, o->h,
			    s->seqno.gva, n);
	if (rc)
		return rc == -ENOSPC ? -E2BIG : rc;
	gcmd_init(&r, ringbuf, 16);
	if ((rc = gcmd_arb_check(&r)) || (rc = gcmd_bb_start(&r, s->batch.gva, true)) ||
	    (rc = gcmd_user_interrupt(&r)) || (rc = gcmd_align_qw(&r)) ||
	    (rc = gctx_ring_append(&s->ctx, &r)))
		return rc;
	if ((rc = gengine_submit(&s->eng, &s->ctx, NULL)))
		return rc;
	return gengine_wait(&s->eng, s->ctx.ctx_id, (int)o->timeout_ms, NULL, 0, NULL);
}

/* Draw with the GPU o->repeat times. 0, -ETIMEDOUT (nothing completed) or another -errno. */
static int
gpu_draw(struct scene *s, const struct opts *o, unsigned int index)
{
	uint64_t t0, t1;
	uint32_t seq;
	int rc;

	if ((rc = gengine_init(&s->g, o->engine, &s->eng)) ||
	    (rc = gctx_new(&s->g, o->engine, &s->vm, 4, 0x100 + index, &s->ctx)))
		return rc;
	t0 = genv_now_us();
	for (unsigned int i = 1; i <= o->repeat; i++) {
		rc = submit_one(s, o, i);
		if (rc)
			return rc;
	}
	t1 = genv_now_us();
	seq = ((volatile uint32_t *)s->seqno.cpu)[0];
	if (seq != o->repeat) {
		snprintf(s->g.err, sizeof(s->g.err), "seqno %u after %u submissions", seq,
			 o->repeat);
		return -EPROTO;
	}
	printf("%sgpu: %u submissions on %s in %.1f ms: %.0f/s (%" PRIu64 " MSIs, %" PRIu64
	       " CSB entries, seqno %u)\n", prefix, o->repeat, g9_engine_name(o->engine),
	       (double)(t1 - t0) / 1000.0, o->repeat * 1e6 / (double)(t1 - t0 ? t1 - t0 : 1),
	       s->g.msis, s->eng.csb_entries, seq);
	return 0;
}

int
main(int argc, char **argv)
{
	static struct scene s;
	struct opts o;
	struct genv e;
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
	if (gpattern_get(o.pattern < 0 ? e.index % GPATTERN_NR : (unsigned int)o.pattern, o.w,
			 o.h, e.index, &s.pat)) {
		printf("%sguest-draw: pattern does not fit %ux%u\n", prefix, o.w, o.h);
		return 2;
	}
	rc = genv_start(&e, &s.g, "guest-draw");
	if (!rc)
		rc = scene_objects(&s, &o);
	if (rc)
		goto fail;
	printf("%svGPU %u: aperture 0x%" PRIx64 "+%" PRIu64 " MiB, hidden 0x%" PRIx64 "+%" PRIu64
	       " MiB; %ux%u %s at GM 0x%" PRIx64 ", PML4 at 0x%" PRIx64 "\n", prefix, s.g.vgt_id,
	       s.g.low_base, s.g.low_size >> 20, s.g.high_base, s.g.high_size >> 20, o.w, o.h,
	       s.pat.name, s.front.gma, s.vm.pml4);
	if (!o.cpu) {
		rc = gpu_draw(&s, &o, e.index);
		if (rc == -ETIMEDOUT && o.cpu_fallback && !s.eng.completes) {
			printf("%sgpu: nothing completed within %u ms (%s): this daemon runs no "
			       "commands yet; drawing with the CPU instead\n", prefix,
			       o.timeout_ms, s.g.err);
			o.cpu = true;
		} else if (rc) {
			goto fail;
		}
	}
	if (o.cpu) {
		rc = gpattern_cpu_draw(&s.g, &s.pat, &s.front, s.pitch, o.w, o.h);
		if (rc)
			goto fail;
		printf("%scpu: drew %s through the aperture\n", prefix, s.pat.name);
	}
	rc = gdisplay_show(&s.g, 0, &s.front, o.w, o.h, s.pitch);
	if (rc)
		goto fail;
	wrong = gpattern_check(&s.g, &s.pat, &s.front, s.pitch, o.w, o.h);
	if (wrong) {
		if (wrong > 0)
			printf("%sguest-draw: %ld of %u pixels wrong; first: %s\n", prefix, wrong,
			       o.w * o.h, s.g.err);
		else
			printf("%sguest-draw: %s\n", prefix, s.g.err);
		if (s.g.c)
			sim_vcpu_detach(s.g.c);
		return 1;
	}
	printf("%spixels: %ux%u %s exact, shown on pipe A\n", prefix, o.w, o.h, s.pat.name);
	if (s.g.c)
		sim_vcpu_detach(s.g.c);
	return 0;
fail:
	printf("%sguest-draw: %s (%s)\n", prefix, s.g.err, strerror(-rc));
	if (s.g.c)
		sim_vcpu_detach(s.g.c);
	return 1;
}
