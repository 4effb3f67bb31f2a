/* SPDX-License-Identifier: MIT */
/*
 * test_concurrency.c — many vGPUs of one GPU used at once: worker threads,
 * each with its own vGPU, hammer GGTT entries, fences and registers while
 * a churn thread creates/destroys vGPUs and a control thread reads stats.
 * A checking pgpu verifies every physical GGTT write at the moment it is
 * made; afterwards each share holds exactly its owner's translated
 * entries and nothing else is written. Run under TSan with `make TSAN=1`.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define NW 4		  /* worker vGPUs */
#define ITERS 150	  /* rounds per worker */
#define STEP 48		  /* GGTT entries written per round */
#define CHURN_MIN 20	  /* create/destroy rounds at least */
#define TAG_SHIFT 40	  /* dma_base = tag << 40 names the guest in every PTE */
#define CHURN_TAG 15ull
#define GGTT_BASE (FAKE_BAR0 + BAR0_GGTT_OFF)
#define FENCE_REG 0x100000u
#define PV_VGT_ID 0x7800cu
#define SCRATCH_REG 0x4000u /* no row: tolerated, reads its last write */
#define RAM_PAGES (64u << 20 >> 12) /* fake_vgpu_new gives 64 MiB */

struct worker {
	unsigned int n;
	struct hv *hv;
	struct vgpu *v;
	struct gm_part part;	/* its share, published before the barrier */
	uint64_t *guest;	/* last guest value per entry: low, then high */
	uint64_t nlow, nhigh;
	uint32_t fence_lo[2], fence_hi[2];
	uint64_t hostile;	/* GGTT writes into another share */
	uint64_t writes;	/* GGTT write accesses issued (a halves pair is two) */
	unsigned int errors;
	char first_error[160];
};

static struct {
	struct gpu *gpu;
	struct pgpu_dev dev;
	const struct pgpu_ops *fake_ops;
	struct pgpu_ops check_ops;
	struct worker w[NW];
	pthread_barrier_t start;
	atomic_uint workers_done;
	atomic_uint violations;
	atomic_uint_fast64_t first_violation; /* idx << 4 | tag, +1 */
	unsigned int churn_rounds, churn_refused, churn_errors;
	unsigned int control_rounds;
} cc;

static void
werr(struct worker *w, const char *what, unsigned long long a, unsigned long long b)
{
	if (!w->errors++)
		snprintf(w->first_error, sizeof(w->first_error), "worker %u: %s (%#llx vs %#llx)",
			 w->n, what, a, b);
}

/* Which worker's share holds GGTT index idx, or -1. Shares are fixed after the barrier. */
static int
share_of(uint64_t idx)
{
	for (unsigned int i = 0; i < NW; i++)
		if (gm_owns(&cc.w[i].part, idx << 12, 4096))
			return (int)i;
	return -1;
}

/*
 * The checking pgpu: every non-zero PTE must carry the tag of the share's
 * owner. Zero (GGTT_PTE_NONE: a share reset while a vGPU is created or
 * destroyed, before the shares are published) is always fine.
 */
static void
check_ggtt_write(struct pgpu *p, uint64_t idx, uint64_t pte)
{
	uint64_t tag = (pte & GGTT_PTE_ADDR_MASK) >> TAG_SHIFT;
	int owner = pte == GGTT_PTE_NONE ? -1 : share_of(idx);
	bool ok = pte == GGTT_PTE_NONE ||
		  (owner >= 0 ? tag == (uint64_t)owner + 1 : tag == CHURN_TAG);

	if (!ok && atomic_fetch_add(&cc.violations, 1) == 0)
		atomic_store(&cc.first_violation, (idx << 4 | (tag & 15)) + 1);
	cc.fake_ops->ggtt_write(p, idx, pte);
}

/* The guest value worker w writes to its entry j in round it. */
static uint64_t
entry_value(unsigned int j, unsigned int it)
{
	uint64_t gfn = (j * 7u + it) % RAM_PAGES;

	return gfn << 12 | (it & 1 ? 0x3 : 0x1);
}

static uint64_t
entry_gma(const struct worker *w, uint64_t j)
{
	return j < w->nlow ? w->part.low_base + (j << 12)
			   : w->part.high_base + ((j - w->nlow) << 12);
}

static void
ggtt_write(struct worker *w, uint64_t gma, uint64_t val, bool halves)
{
	uint64_t gpa = GGTT_BASE + (gma >> 12) * 8, lo = val & 0xffffffffu, hi = val >> 32;

	if (halves) {
		vgpu_mem_access(w->v, true, gpa + 4, 4, &hi);
		vgpu_mem_access(w->v, true, gpa, 4, &lo);
		w->writes += 2;
	} else {
		vgpu_mem_access(w->v, true, gpa, 8, &val);
		w->writes++;
	}
}

/* One round of a worker: GGTT entries, a hostile entry, fences, registers, BAR4. */
static void
worker_round(struct worker *w, unsigned int it)
{
	uint64_t total = w->nlow + w->nhigh;
	const struct worker *other = &cc.w[(w->n + 1) % NW];
	uint32_t reg = (uint32_t)w->n << 24 | it, got;

	for (unsigned int k = 0; k < STEP; k++) {
		uint64_t j = ((uint64_t)it * STEP * 13 + k * 101) % total;
		uint64_t val = entry_value((unsigned int)j, it);

		ggtt_write(w, entry_gma(w, j), val, (k & 3) == 0);
		w->guest[j] = val;
	}
	/* Hostile: an entry of the next worker's share, must be dropped. */
	ggtt_write(w, other->part.low_base + ((uint64_t)(it % 16) << 12),
		   entry_value(it, it), it & 1);
	w->hostile += 1; /* counted once: the upper half alone cannot map anything (ggtt.c) */

	/* Fences: disable, hi, lo, as i915 does; a range inside its low GM. */
	for (unsigned int f = 0; f < w->part.fence_num && f < 2; f++) {
		uint32_t lo = (uint32_t)(w->part.low_base + ((uint64_t)(it % 8) << 12)) | 1u;
		uint32_t hi = (uint32_t)(w->part.low_base + ((uint64_t)(it % 8 + f + 1) << 12));

		fake_writel(w->v, FENCE_REG + f * 8, 0);
		fake_writel(w->v, FENCE_REG + f * 8 + 4, hi);
		fake_writel(w->v, FENCE_REG + f * 8, lo);
		w->fence_lo[f] = lo;
		w->fence_hi[f] = hi;
	}
	/* A fence it does not have: dropped. */
	fake_writel(w->v, FENCE_REG + w->part.fence_num * 8, 0x1001);

	fake_writel(w->v, SCRATCH_REG, reg);
	got = fake_readl(w->v, SCRATCH_REG);
	if (got != reg)
		werr(w, "scratch register", got, reg);
	got = fake_readl(w->v, PV_VGT_ID);
	if (got != vgpu_id(w->v))
		werr(w, "PV info vgt_id", got, vgpu_id(w->v));
	{
		uint32_t idx = SCRATCH_REG, data = 0;

		vgpu_pio_access(w->v, true, FAKE_BAR4, 4, &idx);
		vgpu_pio_access(w->v, false, FAKE_BAR4 + 4, 4, &data);
		if (data != reg)
			werr(w, "BAR4 data", data, reg);
	}
	if ((it & 15) == 0)
		vgpu_tick(w->v, (uint64_t)it * 1000000ull);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int rc = fake_vgpu_new(cc.gpu, 100 + w->n, NULL, true, &w->hv, &w->v);

	if (rc == 0) {
		w->hv->dma_base = (uint64_t)(w->n + 1) << TAG_SHIFT;
		w->part = w->v->part;
		w->nlow = w->part.low_size >> 12;
		w->nhigh = w->part.high_size >> 12;
		w->guest = calloc(w->nlow + w->nhigh, sizeof(uint64_t));
	}
	if (rc || !w->guest)
		werr(w, "vgpu_create", (unsigned long long)rc, 0);
	pthread_barrier_wait(&cc.start);
	if (!w->errors)
		for (unsigned int it = 0; it < ITERS; it++)
			worker_round(w, it);
	atomic_fetch_add(&cc.workers_done, 1);
	return NULL;
}

/* Create a vGPU, use it a little, destroy it; every 4th round asks for too much. */
static void *
churn_main(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&cc.start);
	for (unsigned int r = 0; r < CHURN_MIN || atomic_load(&cc.workers_done) < NW; r++) {
		struct vgpu_config cfg;
		struct hv *hv;
		struct vgpu *v;
		uint64_t val;
		int rc;

		vgpu_config_default(&cfg);
		snprintf(cfg.type, sizeof(cfg.type), "%s", "xengt_small");
		vgpu_type_apply(&cfg);
		if ((r & 3) == 3)
			cfg.low_gm = 1ull << 30; /* more aperture than the GPU has */
		rc = fake_vgpu_new(cc.gpu, 200 + r, &cfg, true, &hv, &v);
		cc.churn_rounds++;
		if (rc == -ENOSPC && (r & 3) == 3) {
			cc.churn_refused++;
			continue;
		}
		if (rc) {
			cc.churn_errors++;
			continue;
		}
		hv->dma_base = CHURN_TAG << TAG_SHIFT;
		for (uint64_t j = 0; j < 32; j++) {
			val = (j + r) << 12 | 1;
			vgpu_mem_access(v, true, GGTT_BASE + ((v->part.low_base >> 12) + j) * 8, 8,
					&val);
			val = (j + r) << 12 | 1;
			vgpu_mem_access(v, true, GGTT_BASE + ((v->part.high_base >> 12) + j) * 8, 8,
					&val);
		}
		fake_writel(v, FENCE_REG + 4, (uint32_t)v->part.low_base + 0x1000);
		fake_writel(v, FENCE_REG, (uint32_t)v->part.low_base | 1);
		fake_writel(v, SCRATCH_REG, r);
		vgpu_destroy(v);
		fake_hv_free(hv);
	}
	return NULL;
}

/* The control socket's view: stats, trap maps, partitions and usage, all the time. */
static void *
control_main(void *arg)
{
	const char *q = getenv("XENGT_QUIET");
	bool quiet = q && *q == '1';

	(void)arg;
	pthread_barrier_wait(&cc.start);
	while (atomic_load(&cc.workers_done) < NW) {
		struct trap_entry rows[16];
		struct vgpu_partition part;
		struct vgpu_stats st;
		struct gpu_usage u;

		for (unsigned int i = 0; i < NW; i++) {
			if (!cc.w[i].v)
				continue;
			vgpu_get_stats(cc.w[i].v, &st);
			vgpu_trap_map(cc.w[i].v, rows, 16);
			vgpu_get_partition(cc.w[i].v, &part);
		}
		gpu_get_usage(cc.gpu, &u);
		/* The daemon may change the log level while vGPU threads log. */
		log_set_level(quiet ? LOG_WARN : LOG_INFO);
		cc.control_rounds++;
	}
	return NULL;
}

static void
check_worker(struct worker *w, const struct pgpu_fake *pf)
{
	struct vgpu_stats st;
	uint64_t bad = 0;

	CU_ASSERT_EQUAL(w->errors, 0);
	if (w->errors)
		fprintf(stderr, "%s\n", w->first_error);
	if (!w->v)
		return;
	for (uint64_t j = 0; j < w->nlow + w->nhigh; j++) {
		uint64_t idx = entry_gma(w, j) >> 12, g = w->guest[j], got = ~0ull;
		uint64_t want = g & GGTT_PTE_PRESENT ?
					(w->hv->dma_base + (g & GGTT_PTE_ADDR_MASK)) | (g & 0xfff) : 0;

		vgpu_mem_access(w->v, false, GGTT_BASE + idx * 8, 8, &got);
		if (pf->ggtt[idx] != want || got != g) {
			if (!bad++)
				fprintf(stderr, "worker %u entry %llu: phys %#llx want %#llx, read %#llx "
					"want %#llx\n", w->n, (unsigned long long)idx,
					(unsigned long long)pf->ggtt[idx], (unsigned long long)want,
					(unsigned long long)got, (unsigned long long)g);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	for (unsigned int f = 0; f < w->part.fence_num && f < 2; f++) {
		CU_ASSERT_EQUAL(pf->mmio[(FENCE_REG + (w->part.fence_base + f) * 8) / 4],
				w->fence_lo[f]);
		CU_ASSERT_EQUAL(pf->mmio[(FENCE_REG + (w->part.fence_base + f) * 8 + 4) / 4],
				w->fence_hi[f]);
	}
	vgpu_get_stats(w->v, &st);
	CU_ASSERT_FALSE(st.failsafe);
	CU_ASSERT_EQUAL(st.ggtt_bad, w->hostile);
	CU_ASSERT_EQUAL(st.ggtt_writes, w->writes);
}

/* Nothing outside the workers' shares holds a GGTT entry or a fence. */
static void
check_outside(const struct pgpu_fake *pf)
{
	uint64_t stray = 0, first = 0;
	unsigned int f;

	for (uint64_t idx = 0; idx < (1u << 20); idx++)
		if (share_of(idx) < 0 && pf->ggtt[idx] && !stray++)
			first = idx;
	if (stray)
		fprintf(stderr, "%llu stray GGTT entries, first %#llx = %#llx\n",
			(unsigned long long)stray, (unsigned long long)first,
			(unsigned long long)pf->ggtt[first]);
	CU_ASSERT_EQUAL(stray, 0);
	for (f = 0; f < GM_MAX_FENCES; f++) {
		bool owned = false;

		for (unsigned int i = 0; i < NW; i++)
			owned |= f >= cc.w[i].part.fence_base &&
				 f < cc.w[i].part.fence_base + cc.w[i].part.fence_num;
		if (!owned) {
			CU_ASSERT_EQUAL(pf->mmio[(FENCE_REG + f * 8) / 4], 0);
			CU_ASSERT_EQUAL(pf->mmio[(FENCE_REG + f * 8 + 4) / 4], 0);
		}
	}
}

static void
test_stress(void)
{
	pthread_t wt[NW], churn, control;
	struct gpu_usage u0, u1;
	const struct pgpu_fake *pf;

	memset(&cc, 0, sizeof(cc));
	fake_pgpu_open(&cc.dev);
	cc.fake_ops = cc.dev.ops;
	cc.check_ops = *cc.dev.ops;
	cc.check_ops.ggtt_write = check_ggtt_write;
	cc.dev.ops = &cc.check_ops;
	CU_ASSERT_FATAL(gpu_create(&cc.dev, &cc.gpu) == 0);
	pf = fake_pgpu(&cc.dev);
	gpu_get_usage(cc.gpu, &u0);
	pthread_barrier_init(&cc.start, NULL, NW + 2);
	for (unsigned int i = 0; i < NW; i++) {
		cc.w[i].n = i;
		CU_ASSERT_FATAL(pthread_create(&wt[i], NULL, worker_main, &cc.w[i]) == 0);
	}
	CU_ASSERT_FATAL(pthread_create(&churn, NULL, churn_main, NULL) == 0);
	CU_ASSERT_FATAL(pthread_create(&control, NULL, control_main, NULL) == 0);
	for (unsigned int i = 0; i < NW; i++)
		pthread_join(wt[i], NULL);
	pthread_join(churn, NULL);
	pthread_join(control, NULL);
	pthread_barrier_destroy(&cc.start);

	CU_ASSERT_EQUAL(atomic_load(&cc.violations), 0);
	if (atomic_load(&cc.violations))
		fprintf(stderr, "%u bad physical GGTT writes, first idx %#llx tag %llu\n",
			atomic_load(&cc.violations),
			(unsigned long long)((atomic_load(&cc.first_violation) - 1) >> 4),
			(unsigned long long)((atomic_load(&cc.first_violation) - 1) & 15));
	CU_ASSERT(cc.churn_rounds >= CHURN_MIN);
	CU_ASSERT_EQUAL(cc.churn_errors, 0);
	CU_ASSERT_EQUAL(cc.churn_refused, cc.churn_rounds / 4);
	for (unsigned int i = 0; i < NW; i++)
		check_worker(&cc.w[i], pf);
	check_outside(pf);

	/* All shares back, every entry cleared. */
	for (unsigned int i = 0; i < NW; i++) {
		vgpu_destroy(cc.w[i].v);
		fake_hv_free(cc.w[i].hv);
		free(cc.w[i].guest);
		memset(&cc.w[i].part, 0, sizeof(cc.w[i].part));
	}
	gpu_get_usage(cc.gpu, &u1);
	CU_ASSERT_EQUAL(u1.nr_vgpus, 0);
	CU_ASSERT_EQUAL(u1.low_gm_free, u0.low_gm_free);
	CU_ASSERT_EQUAL(u1.high_gm_free, u0.high_gm_free);
	CU_ASSERT_EQUAL(u1.fences_free, u0.fences_free);
	check_outside(pf);
	gpu_destroy(cc.gpu);
}

void suite_concurrency(void);

void
suite_concurrency(void)
{
	static const struct test_case cases[] = {
		{ "workers, churn and control on one GPU", test_stress },
		{ NULL, NULL },
	};

	test_add_suite("concurrency", cases);
}
