/* SPDX-License-Identifier: MIT */
/*
 * test_gm.c — vGPU types (vgpu_types.c) and GM/fence partitioning (gm.c)
 * on the fake physical GPU of tests/fake_hv.c (256 MiB aperture, 4 GiB
 * GM, 32 fences): how many vGPUs fit, what the refusal says, and that a
 * released share is reused exactly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "sim/softgpu/softgpu.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define MIB (1ull << 20)

/* A struct gpu set up by hand: the fake pgpu, its info, the allocator. */
static struct gpu *
gpu_new(void)
{
	struct gpu *g = calloc(1, sizeof(*g));

	CU_ASSERT_FATAL(g != NULL);
	fake_pgpu_open(&g->dev);
	g->dev.ops->info(g->dev.p, &g->info);
	pthread_mutex_init(&g->lock, NULL);
	gm_alloc_init(&g->gm, &g->info);
	return g;
}

static void
gpu_free(struct gpu *g)
{
	g->dev.ops->close(g->dev.p);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static void
cfg_sizes(struct vgpu_config *c, uint64_t low, uint64_t high, unsigned int fences)
{
	memset(c, 0, sizeof(*c));
	c->low_gm = low;
	c->high_gm = high;
	c->fences = fences;
}

static int
reserve(struct gpu *g, const struct vgpu_config *c, struct gm_part *p, char *err, size_t len)
{
	int rc;

	pthread_mutex_lock(&g->lock);
	rc = gm_reserve(g, c, p, err, len);
	pthread_mutex_unlock(&g->lock);
	return rc;
}

static void
test_type_lookup(void)
{
	unsigned int n = 0;
	const struct vgpu_type *t = vgpu_type_table(&n);
	const struct vgpu_type *v4 = vgpu_type_find("GVTg_V5_4");

	CU_ASSERT_EQUAL(n, 6);
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_PTR_EQUAL(vgpu_type_find(t[i].name), &t[i]);
		CU_ASSERT(t[i].low_gm && !(t[i].low_gm % MIB));
		CU_ASSERT(t[i].high_gm && !(t[i].high_gm % MIB));
		CU_ASSERT(t[i].fences <= GM_MAX_FENCES && t[i].weight > 0);
		CU_ASSERT(t[i].desc && t[i].desc[0]);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(v4);
	CU_ASSERT_EQUAL(v4->low_gm, 128 * MIB);
	CU_ASSERT_EQUAL(v4->high_gm, 512 * MIB);
	CU_ASSERT_EQUAL(vgpu_type_find("GVTg_V5_8")->max_w, 1024);
	CU_ASSERT_EQUAL(vgpu_type_find("GVTg_V5_1")->weight, 16);
	CU_ASSERT_PTR_NULL(vgpu_type_find("gvtg_v5_4"));
	CU_ASSERT_PTR_NULL(vgpu_type_find("GVTg_V5_3"));
	CU_ASSERT_PTR_NULL(vgpu_type_find(""));
	CU_ASSERT_PTR_NULL(vgpu_type_find(NULL));
}

static void
test_type_apply(void)
{
	struct vgpu_config c;

	cfg_sizes(&c, 3 * MIB, 5 * MIB, 1);
	strcpy(c.type, "GVTg_V5_2");
	CU_ASSERT_EQUAL(vgpu_type_apply(&c), 0);
	CU_ASSERT_EQUAL(c.low_gm, 256 * MIB);
	CU_ASSERT_EQUAL(c.high_gm, 1024 * MIB);
	CU_ASSERT_EQUAL(c.fences, 4);
	CU_ASSERT_EQUAL(c.weight, 8);
	CU_ASSERT_EQUAL(c.max_w, 1920);
	CU_ASSERT_EQUAL(c.max_h, 1200);

	/* Unknown name: refused, cfg untouched. */
	cfg_sizes(&c, 3 * MIB, 5 * MIB, 1);
	strcpy(c.type, "GVTg_V9_9");
	CU_ASSERT_EQUAL(vgpu_type_apply(&c), -ENOENT);
	CU_ASSERT_EQUAL(c.low_gm, 3 * MIB);
	CU_ASSERT_EQUAL(c.fences, 1);

	/* No type: explicit sizes stay. */
	cfg_sizes(&c, 3 * MIB, 5 * MIB, 1);
	CU_ASSERT_EQUAL(vgpu_type_apply(&c), 0);
	CU_ASSERT_EQUAL(c.low_gm, 3 * MIB);
	CU_ASSERT_EQUAL(c.high_gm, 5 * MIB);
}

static void
test_alloc_init(void)
{
	struct gpu *g = gpu_new();
	uint64_t low, high;
	unsigned int fences;

	CU_ASSERT_EQUAL(g->gm.low_base, GM_HOST_LOW);
	CU_ASSERT_EQUAL(g->gm.low_end, 256 * MIB);
	CU_ASSERT_EQUAL(g->gm.high_base, 256 * MIB + GM_HOST_HIGH);
	CU_ASSERT_EQUAL(g->gm.high_end, 4096 * MIB);
	gm_free_space(&g->gm, &low, &high, &fences);
	CU_ASSERT_EQUAL(low, 192 * MIB);
	CU_ASSERT_EQUAL(high, (4096 - 256 - 128) * MIB);
	CU_ASSERT_EQUAL(fences, 32 - GM_HOST_FENCES);
	gpu_free(g);
}

/* V5_8 needs 64 MiB of aperture: three fit beside the host's 64 MiB, the fourth is refused. */
static void
test_partition_aperture(void)
{
	struct gpu *g = gpu_new();
	struct vgpu_config c;
	struct gm_part p[4];
	char err[128];
	uint64_t low;

	memset(&c, 0, sizeof(c));
	strcpy(c.type, "GVTg_V5_8");
	CU_ASSERT_EQUAL_FATAL(vgpu_type_apply(&c), 0);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(reserve(g, &c, &p[i], err, sizeof(err)), 0);
		CU_ASSERT(p[i].reserved);
		CU_ASSERT_EQUAL(p[i].low_base, (64 + 64 * (uint64_t)i) * MIB);
		CU_ASSERT_EQUAL(p[i].low_size, 64 * MIB);
		CU_ASSERT_EQUAL(p[i].high_base, (384 + 384 * (uint64_t)i) * MIB);
		CU_ASSERT_EQUAL(p[i].high_size, 384 * MIB);
		CU_ASSERT_EQUAL(p[i].fence_base, 4 + 4 * (unsigned int)i);
		CU_ASSERT_EQUAL(p[i].fence_num, 4);
	}
	memset(&p[3], 0x5a, sizeof(p[3]));
	CU_ASSERT_EQUAL(reserve(g, &c, &p[3], err, sizeof(err)), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(err, "aperture GM: 64 MiB wanted, 0 MiB free");
	CU_ASSERT_EQUAL(p[3].low_base, 0x5a5a5a5a5a5a5a5aull); /* *out untouched */
	CU_ASSERT_EQUAL(g->gm.nr_high, 3);		       /* nothing half-reserved */
	gm_free_space(&g->gm, &low, NULL, NULL);
	CU_ASSERT_EQUAL(low, 0);
	gpu_free(g);
}

/* Hidden GM runs out first: the aperture part taken on the way is given back. */
static void
test_partition_hidden(void)
{
	struct gpu *g = gpu_new();
	struct vgpu_config c;
	struct gm_part p;
	char err[128];
	uint64_t low, high;
	unsigned int fences;

	cfg_sizes(&c, 1 * MIB, 1024 * MIB, 1);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL_FATAL(reserve(g, &c, &p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(reserve(g, &c, &p, err, sizeof(err)), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(err, "hidden GM: 1024 MiB wanted, 640 MiB free");
	gm_free_space(&g->gm, &low, &high, &fences);
	CU_ASSERT_EQUAL(low, 189 * MIB);
	CU_ASSERT_EQUAL(high, 640 * MIB);
	CU_ASSERT_EQUAL(fences, 25);
	gpu_free(g);
}

/* 28 free fences, 4 each: seven fit, the eighth is refused, GM rolled back. */
static void
test_partition_fences(void)
{
	struct gpu *g = gpu_new();
	struct vgpu_config c;
	struct gm_part p;
	char err[128];
	uint64_t low, high;

	cfg_sizes(&c, 1 * MIB, 1 * MIB, 4);
	for (int i = 0; i < 7; i++)
		CU_ASSERT_EQUAL_FATAL(reserve(g, &c, &p, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(p.fence_base, 28);
	CU_ASSERT_EQUAL(reserve(g, &c, &p, err, sizeof(err)), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(err, "fences: 4 wanted, 0 free");
	gm_free_space(&g->gm, &low, &high, NULL);
	CU_ASSERT_EQUAL(low, 185 * MIB);
	CU_ASSERT_EQUAL(high, (4096 - 384 - 7) * MIB);
	gpu_free(g);
}

/* Eight of the small type fit on the 256 MiB aperture (the many-vGPU target). */
static void
test_partition_eight_small(void)
{
	struct gpu *g = gpu_new();
	struct vgpu_config c;
	struct gm_part p[8];
	char err[128];
	unsigned int n = 0;

	memset(&c, 0, sizeof(c));
	strcpy(c.type, "xengt_small");
	CU_ASSERT_EQUAL_FATAL(vgpu_type_apply(&c), 0);
	while (n < 8 && reserve(g, &c, &p[n], err, sizeof(err)) == 0)
		n++;
	CU_ASSERT_EQUAL(n, 8);
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++) {
			CU_ASSERT(p[i].low_base + p[i].low_size <= p[j].low_base);
			CU_ASSERT(p[i].fence_base + p[i].fence_num <= p[j].fence_base);
		}
	gpu_free(g);
}

/*
 * xengt_32 on the simulated GPU (softgpu: 1 GiB aperture, 4 GiB GM, 32
 * fences): 32 fit beside the host's reserve without taking a fence; the
 * hidden GM is what runs out, after 46.
 */
static void
test_partition_thirty_two(void)
{
	struct gpu *g = gpu_new();
	struct vgpu_config c;
	struct gm_part p[64];
	char err[128];
	unsigned int n = 0, fences = 0;

	g->info.aperture_size = SOFTGPU_APERTURE_SIZE;
	g->info.gm_size = (uint64_t)SOFTGPU_GGTT_ENTRIES << 12;
	g->info.ggtt_entries = SOFTGPU_GGTT_ENTRIES;
	g->info.nr_fences = SOFTGPU_NR_FENCES;
	gm_alloc_init(&g->gm, &g->info);
	memset(&c, 0, sizeof(c));
	strcpy(c.type, "xengt_32");
	CU_ASSERT_EQUAL_FATAL(vgpu_type_apply(&c), 0);
	CU_ASSERT_EQUAL(c.fences, 0);
	while (n < 64 && reserve(g, &c, &p[n], err, sizeof(err)) == 0)
		n++;
	CU_ASSERT_EQUAL(n, 46);
	CU_ASSERT_STRING_EQUAL(err, "hidden GM: 64 MiB wanted, 0 MiB free");
	gm_free_space(&g->gm, NULL, NULL, &fences);
	CU_ASSERT_EQUAL(fences, SOFTGPU_NR_FENCES - GM_HOST_FENCES);
	for (unsigned int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(p[i].fence_num, 0);
		for (unsigned int j = i + 1; j < n; j++) {
			CU_ASSERT(p[i].low_base + p[i].low_size <= p[j].low_base);
			CU_ASSERT(p[i].high_base + p[i].high_size <= p[j].high_base);
		}
	}
	gpu_free(g);
}

static void
test_release_reuse(void)
{
	struct gpu *g = gpu_new();
	struct pgpu_fake *f = fake_pgpu(&g->dev);
	struct vgpu_config c, big;
	struct gm_part a, b, c3, d;
	char err[128];
	uint64_t low, high;
	unsigned int fences;

	cfg_sizes(&c, 64 * MIB, 384 * MIB, 4);
	CU_ASSERT_EQUAL_FATAL(reserve(g, &c, &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(reserve(g, &c, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(reserve(g, &c, &c3, err, sizeof(err)), 0);

	/* B's physical fence set by its guest; release clears it. */
	f->mmio[(0x100000 + b.fence_base * 8) / 4] = 0x12345001;
	f->mmio[(0x100000 + b.fence_base * 8 + 4) / 4] = 0x12346000;
	pthread_mutex_lock(&g->lock);
	gm_release(g, &b);
	pthread_mutex_unlock(&g->lock);
	CU_ASSERT_FALSE(b.reserved);
	CU_ASSERT_EQUAL(f->mmio[(0x100000 + 8 * 8) / 4], 0);
	CU_ASSERT_EQUAL(f->mmio[(0x100000 + 8 * 8 + 4) / 4], 0);

	/* A new one lands in the hole B left. */
	CU_ASSERT_EQUAL_FATAL(reserve(g, &c, &d, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(d.low_base, 128 * MIB);
	CU_ASSERT_EQUAL(d.high_base, 768 * MIB);
	CU_ASSERT_EQUAL(d.fence_base, 8);

	/* Two 64 MiB holes are not one 128 MiB hole. */
	pthread_mutex_lock(&g->lock);
	gm_release(g, &a);
	gm_release(g, &c3);
	gm_release(g, &c3); /* second release: no-op */
	pthread_mutex_unlock(&g->lock);
	cfg_sizes(&big, 128 * MIB, 1 * MIB, 1);
	CU_ASSERT_EQUAL(reserve(g, &big, &a, err, sizeof(err)), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(err,
			       "aperture GM: 128 MiB wanted, 128 MiB free (largest hole 64 MiB)");

	/* Everything back: the free space is what it was at start. */
	pthread_mutex_lock(&g->lock);
	gm_release(g, &d);
	pthread_mutex_unlock(&g->lock);
	gm_free_space(&g->gm, &low, &high, &fences);
	CU_ASSERT_EQUAL(low, 192 * MIB);
	CU_ASSERT_EQUAL(high, (4096 - 384) * MIB);
	CU_ASSERT_EQUAL(fences, 28);
	CU_ASSERT_EQUAL(g->gm.nr_low, 0);
	CU_ASSERT_EQUAL(g->gm.nr_high, 0);
	gpu_free(g);
}

static void
test_bad_sizes(void)
{
	struct gpu *g = gpu_new();
	struct vgpu_config c;
	struct gm_part p;
	char err[128];
	uint64_t low;

	cfg_sizes(&c, 0, 64 * MIB, 1);
	CU_ASSERT_EQUAL(reserve(g, &c, &p, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "low_gm"));
	cfg_sizes(&c, 64 * MIB, 3 * MIB / 2, 1);
	CU_ASSERT_EQUAL(reserve(g, &c, &p, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "high_gm"));
	cfg_sizes(&c, 64 * MIB, 0, 1);
	CU_ASSERT_EQUAL(reserve(g, &c, &p, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "high_gm"));
	cfg_sizes(&c, 64 * MIB, 64 * MIB, 33);
	CU_ASSERT_EQUAL(reserve(g, &c, &p, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "fences"));
	cfg_sizes(&c, 1ull << 62, 64 * MIB, 1);
	CU_ASSERT_EQUAL(reserve(g, &c, &p, err, sizeof(err)), -ENOSPC);
	CU_ASSERT_EQUAL(reserve(g, &c, &p, NULL, 0), -ENOSPC); /* no err buffer: fine */
	gm_free_space(&g->gm, &low, NULL, NULL);
	CU_ASSERT_EQUAL(low, 192 * MIB);
	gpu_free(g);
}

static void
test_owns(void)
{
	struct gm_part p = {
		.low_base = 64 * MIB, .low_size = 16 * MIB,
		.high_base = 512 * MIB, .high_size = 32 * MIB,
		.reserved = true,
	};

	CU_ASSERT_TRUE(gm_owns(&p, 64 * MIB, 4096));
	CU_ASSERT_TRUE(gm_owns(&p, 64 * MIB, 16 * MIB));
	CU_ASSERT_TRUE(gm_owns(&p, 80 * MIB - 1, 1));
	CU_ASSERT_FALSE(gm_owns(&p, 80 * MIB - 1, 2));
	CU_ASSERT_FALSE(gm_owns(&p, 80 * MIB, 1));
	CU_ASSERT_FALSE(gm_owns(&p, 64 * MIB - 1, 2));
	CU_ASSERT_TRUE(gm_owns(&p, 543 * MIB, MIB));
	CU_ASSERT_FALSE(gm_owns(&p, 543 * MIB, MIB + 1));
	/* Spanning the gap between its two parts is not owning it. */
	CU_ASSERT_FALSE(gm_owns(&p, 64 * MIB, 480 * MIB));
	CU_ASSERT_FALSE(gm_owns(&p, 64 * MIB, 0));
	/* No wrap-around: a huge len from inside, a gma near the top. */
	CU_ASSERT_FALSE(gm_owns(&p, 70 * MIB, UINT64_MAX));
	CU_ASSERT_FALSE(gm_owns(&p, UINT64_MAX - 10, 100));
	p.reserved = false;
	CU_ASSERT_FALSE(gm_owns(&p, 64 * MIB, 4096));
}

/* A GPU smaller than the host reserve: nothing to hand out, no underflow. */
static void
test_tiny_gpu(void)
{
	struct pgpu_info info = {
		.aperture_size = 32 * MIB, .gm_size = 96 * MIB,
		.nr_fences = 2, .ggtt_entries = 96 * 256,
	};
	struct gm_alloc a;
	uint64_t low, high;
	unsigned int fences;

	gm_alloc_init(&a, &info);
	gm_free_space(&a, &low, &high, &fences);
	CU_ASSERT_EQUAL(low, 0);
	CU_ASSERT_EQUAL(high, 0);
	CU_ASSERT_EQUAL(fences, 0);
	CU_ASSERT_EQUAL(a.low_base, 32 * MIB);
	CU_ASSERT_EQUAL(a.high_base, 96 * MIB);
}

/* Through the public API: vgpu_create refuses the fourth V5_8, destroy makes room. */
static void
test_vgpu_create_partition(void)
{
	struct pgpu_dev dev;
	struct gpu *gpu;
	struct vgpu_config c;
	struct vgpu *v[4] = { NULL };
	struct hv *hv[5];
	struct vgpu_partition part[4];
	struct gpu_usage u;
	char err[160];

	fake_pgpu_open(&dev);
	CU_ASSERT_EQUAL_FATAL(gpu_create(&dev, &gpu), 0);
	vgpu_config_default(&c);
	snprintf(c.type, sizeof(c.type), "%s", "GVTg_V5_8");
	CU_ASSERT_EQUAL_FATAL(vgpu_type_apply(&c), 0);
	for (int i = 0; i < 5; i++)
		hv[i] = fake_hv_new(4);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(vgpu_create(gpu, &c, 10 + (uint32_t)i, &fake_hv_ops, hv[i],
						  &v[i], err, sizeof(err)), 0);
		vgpu_get_partition(v[i], &part[i]);
		CU_ASSERT_EQUAL(part[i].low_size, 64 * MIB);
		CU_ASSERT_EQUAL(part[i].fence_num, 4);
	}
	CU_ASSERT_EQUAL(vgpu_create(gpu, &c, 13, &fake_hv_ops, hv[3], &v[3], err, sizeof(err)),
			-ENOSPC);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "aperture GM: 64 MiB wanted, 0 MiB free"));
	gpu_get_usage(gpu, &u);
	CU_ASSERT_EQUAL(u.nr_vgpus, 3);
	CU_ASSERT_EQUAL(u.low_gm_free, 0);
	CU_ASSERT_EQUAL(u.fences_free, 16);

	vgpu_destroy(v[1]);
	CU_ASSERT_EQUAL_FATAL(vgpu_create(gpu, &c, 14, &fake_hv_ops, hv[4], &v[1], err,
					  sizeof(err)), 0);
	vgpu_get_partition(v[1], &part[3]);
	CU_ASSERT_EQUAL(part[3].low_base, part[1].low_base);
	CU_ASSERT_EQUAL(part[3].high_base, part[1].high_base);
	CU_ASSERT_EQUAL(part[3].fence_base, part[1].fence_base);
	for (int i = 0; i < 3; i++)
		vgpu_destroy(v[i]);
	gpu_get_usage(gpu, &u);
	CU_ASSERT_EQUAL(u.nr_vgpus, 0);
	CU_ASSERT_EQUAL(u.low_gm_free, 192 * MIB);
	CU_ASSERT_EQUAL(u.fences_free, 28);
	gpu_destroy(gpu);
	for (int i = 0; i < 5; i++)
		fake_hv_free(hv[i]);
}

static const struct test_case gm_cases[] = {
	{ "type lookup", test_type_lookup },
	{ "type apply", test_type_apply },
	{ "allocator init keeps the host share", test_alloc_init },
	{ "aperture runs out: -ENOSPC and message", test_partition_aperture },
	{ "hidden GM runs out, aperture rolled back", test_partition_hidden },
	{ "fences run out, GM rolled back", test_partition_fences },
	{ "eight xengt_small fit", test_partition_eight_small },
	{ "32 xengt_32 fit the simulated GPU, no fences", test_partition_thirty_two },
	{ "release returns the share, reused", test_release_reuse },
	{ "bad sizes: -EINVAL naming the key", test_bad_sizes },
	{ "gm_owns bounds and overflow", test_owns },
	{ "GPU smaller than the host reserve", test_tiny_gpu },
	{ "vgpu_create/destroy partition a GPU", test_vgpu_create_partition },
	{ NULL, NULL },
};

void suite_gm(void);

void
suite_gm(void)
{
	test_add_suite("gm", gm_cases);
}
