/* SPDX-License-Identifier: MIT */
/*
 * test_ggtt_harmless.c — GGTT writes outside a vGPU's share that change
 * nothing a GPU could use (ggtt.c): clears, and i915's scratch entry once
 * learnt (its guard page, the full clear of all 4 GiB of GGTT on resume or
 * a wedge) are dropped quietly: never counted as bad, never failsafe, the
 * physical GGTT and the neighbour untouched. Anything else outside still
 * is bad.
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define RAM_MB 16
#define SCRATCH ((0x123ull << 12) | 1)	/* i915: scratch page | PRESENT */

struct fx {
	struct gpu gpu;
	struct vgpu *a, *b;
};

static struct vgpu *
fx_vgpu(struct fx *fx, unsigned int id)
{
	struct vgpu *v = fake_bare_vgpu(&fx->gpu, id, "xengt_small", RAM_MB);

	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_FATAL(ggtt_init(v) == 0);
	v->cfg.ggtt_failsafe = true;	/* the strict policy: any bad write ends it */
	return v;
}

static void
fx_init(struct fx *fx)
{
	memset(fx, 0, sizeof(*fx));
	fake_bare_gpu_init(&fx->gpu);
	fx->a = fx_vgpu(fx, 1);
	fx->b = fx_vgpu(fx, 2);
}

static void
fx_done(struct fx *fx)
{
	ggtt_fini(fx->a);
	fake_bare_vgpu_free(fx->a);
	ggtt_fini(fx->b);
	fake_bare_vgpu_free(fx->b);
	fake_bare_gpu_fini(&fx->gpu);
}

static int
gacc(struct vgpu *v, uint64_t off, unsigned int size, uint64_t val)
{
	int rc;

	pthread_mutex_lock(&v->lock);
	rc = ggtt_access(v, 1, off, size, &val);
	pthread_mutex_unlock(&v->lock);
	return rc;
}

static void
gput(struct vgpu *v, uint64_t idx, uint64_t pte)
{
	CU_ASSERT_EQUAL(gacc(v, idx * 8, 8, pte), 0);
}

/* i915's init_ggtt: the holes of its own share cleared with scratch. */
static void
clear_own(struct vgpu *v, unsigned int n)
{
	uint64_t first = v->part.low_base >> 12;

	for (unsigned int i = 0; i < n; i++)
		gput(v, first + i, SCRATCH);
}

static void
test_guard_page_and_clears(void)
{
	struct fx fx;
	const uint64_t last = (1u << 20) - 1;
	uint64_t host0, lines, pb;
	unsigned int writes;

	fx_init(&fx);
	pb = fake_pgpu(&fx.gpu.dev)->ggtt[fx.b->part.low_base >> 12];
	host0 = fake_pgpu(&fx.gpu.dev)->ggtt[0];
	/* Clears outside need no learning: not present. */
	gput(fx.a, 0, 0);
	gput(fx.a, fx.b->part.low_base >> 12, 0);
	gput(fx.a, last, 0x2);	/* a stray flag, still not present */
	clear_own(fx.a, GGTT_SCRATCH_RUN);
	CU_ASSERT_EQUAL(fx.a->ggtt.scratch, SCRATCH);
	writes = fake_pgpu(&fx.gpu.dev)->ggtt_writes;
	lines = log_lines();
	gput(fx.a, last, SCRATCH);	/* the guard page */
	gput(fx.a, fx.b->part.low_base >> 12, SCRATCH);
	gput(fx.a, 0, SCRATCH);
	CU_ASSERT_EQUAL(fx.a->stats.ggtt_bad, 0);
	CU_ASSERT_FALSE(fx.a->stats.failsafe);
	CU_ASSERT_EQUAL(fx.a->ggtt.harmless, 6);
	CU_ASSERT_EQUAL(log_lines(), lines);
	CU_ASSERT_EQUAL(fake_pgpu(&fx.gpu.dev)->ggtt_writes, writes);
	CU_ASSERT_EQUAL(fake_pgpu(&fx.gpu.dev)->ggtt[0], host0);
	CU_ASSERT_EQUAL(fake_pgpu(&fx.gpu.dev)->ggtt[fx.b->part.low_base >> 12], pb);
	/* Anything else outside is still bad, and the policy ends it. */
	gput(fx.a, last, (0x124ull << 12) | 1);
	CU_ASSERT_EQUAL(fx.a->stats.ggtt_bad, 1);
	CU_ASSERT_TRUE(fx.a->stats.failsafe);
	CU_ASSERT_FALSE(fx.b->stats.failsafe);
	fx_done(&fx);
}

/*
 * The full clear on resume: every entry of the 4 GiB GGTT written with
 * scratch. Its own share gets scratch (translated), nothing else changes,
 * nothing is bad.
 */
static void
test_full_clear(void)
{
	struct fx fx;
	const uint64_t *pg;
	uint64_t own, dma = 0;

	fx_init(&fx);
	clear_own(fx.a, GGTT_SCRATCH_RUN);
	gput(fx.b, fx.b->part.low_base >> 12, (0x55ull << 12) | 1);
	pg = fake_pgpu(&fx.gpu.dev)->ggtt;
	for (uint64_t i = 0; i < (1u << 20); i++)
		gput(fx.a, i, SCRATCH);
	CU_ASSERT_EQUAL(fx.a->stats.ggtt_bad, 0);
	CU_ASSERT_FALSE(fx.a->stats.failsafe);
	own = (fx.a->part.low_size + fx.a->part.high_size) >> 12;
	CU_ASSERT_EQUAL(fx.a->ggtt.harmless, (1u << 20) - own);
	CU_ASSERT_EQUAL(ggtt_gfn_dma(fx.a, 0x123, &dma), 0);
	CU_ASSERT_EQUAL(pg[fx.a->part.high_base >> 12], dma | 1);
	CU_ASSERT_EQUAL(pg[fx.b->part.low_base >> 12], fx.b->hv->dma_base + 0x55000 + 1);
	CU_ASSERT_EQUAL(pg[0], 0);
	fx_done(&fx);
}

/*
 * Learning: a run of GGTT_SCRATCH_RUN equal present entries; one shorter
 * teaches nothing (so scratch outside is still bad before the guest
 * cleared its share). Halves of a 32-bit guest: judged alone.
 */
static void
test_learning_and_halves(void)
{
	struct fx fx;
	const uint64_t out = 0;	/* the host's first entry */

	fx_init(&fx);
	fx.a->cfg.ggtt_failsafe = false;
	clear_own(fx.a, GGTT_SCRATCH_RUN - 1);
	CU_ASSERT_EQUAL(fx.a->ggtt.scratch, 0);
	gput(fx.a, out, SCRATCH);
	CU_ASSERT_EQUAL(fx.a->stats.ggtt_bad, 1);
	gput(fx.a, (fx.a->part.low_base >> 12) + GGTT_SCRATCH_RUN - 1, SCRATCH);	/* not consecutive */
	CU_ASSERT_EQUAL(fx.a->ggtt.scratch, 0);
	clear_own(fx.a, GGTT_SCRATCH_RUN);
	CU_ASSERT_EQUAL(fx.a->ggtt.scratch, SCRATCH);
	/* Halves outside: the scratch entry's, and an upper half alone: harmless. */
	CU_ASSERT_EQUAL(gacc(fx.a, out * 8, 4, (uint32_t)SCRATCH), 0);
	CU_ASSERT_EQUAL(gacc(fx.a, out * 8 + 4, 4, SCRATCH >> 32), 0);
	CU_ASSERT_EQUAL(gacc(fx.a, out * 8 + 4, 4, 0x77), 0);
	CU_ASSERT_EQUAL(fx.a->stats.ggtt_bad, 1);
	/* A lower half naming another page: bad. */
	CU_ASSERT_EQUAL(gacc(fx.a, out * 8, 4, (0x999u << 12) | 1), 0);
	CU_ASSERT_EQUAL(fx.a->stats.ggtt_bad, 2);
	fx_done(&fx);
}

void suite_ggtt_harmless(void);

void
suite_ggtt_harmless(void)
{
	static const struct test_case cases[] = {
		{ "guard page and clears outside its GM", test_guard_page_and_clears },
		{ "full clear of the GGTT", test_full_clear },
		{ "scratch learnt from a run; halves", test_learning_and_halves },
		{ NULL, NULL },
	};

	test_add_suite("ggtt_harmless", cases);
}
