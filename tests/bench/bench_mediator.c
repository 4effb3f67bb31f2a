/* SPDX-License-Identifier: MIT */
/*
 * bench_mediator.c — in-process mediator figures over the fake hypervisor
 * and GPU of tests/fake_hv.c: GGTT entry emulation vs a plain 8-byte
 * store, register read/write vs a null handler, vGPU creation time and
 * memory per vGPU for 1, 8 and 32 vGPUs on one GPU; the PPGTT shadow:
 *   ppgtt_trap          one trapped PTE write (validated, translated,
 *                       shadowed) vs ggtt_write, the same for a GGTT entry
 *   ppgtt_oos           traps taken by a populate of a whole page table
 *                       (512 PTEs) with out-of-sync leaves, vs
 *   ppgtt_oos_off       the same populate with every write trapped
 *   ppgtt_populate      mediator time per PTE of that populate and the
 *                       resync at the next submission, vs ..._sync without
 *   ggtt_clear_outside  a write of the scratch entry outside the vGPU's GM
 *                       (i915's full clear of all 4 GiB of GGTT) vs ggtt_write
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "bench.h"

#define BAR0_GPA 0xe0000000ull
#define REG_PROBE 0x2030u /* RCS ring TAIL: a plain virtual register */

struct bench_vgpu {
	struct hv *hv;
	struct vgpu *v;
};

static int
place_bar0(struct vgpu *v)
{
	uint32_t val = (uint32_t)BAR0_GPA;
	int rc = vgpu_cfg_access(v, true, 0x10, 4, &val);

	val = 0;
	if (!rc)
		rc = vgpu_cfg_access(v, true, 0x14, 4, &val);
	val = 0x6; /* memory decode + bus master */
	if (!rc)
		rc = vgpu_cfg_access(v, true, 0x04, 2, &val);
	return rc;
}

static int
make_vgpu(struct gpu *gpu, const char *sizes, uint32_t domid, struct bench_vgpu *out)
{
	struct vgpu_config cfg;
	char err[128];
	int rc;

	vgpu_config_default(&cfg);
	if (sizes) {
		/* Small explicit shares so 32 fit on one GPU, as an admin would set them. */
		cfg.type[0] = '\0';
		cfg.low_gm = 4ull << 20;
		cfg.high_gm = 64ull << 20;
		cfg.fences = 0;
	}
	out->hv = fake_hv_new(16);
	if (!out->hv)
		return -ENOMEM;
	rc = vgpu_create(gpu, &cfg, domid, &fake_hv_ops, out->hv, &out->v, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "bench: vgpu_create: %s\n", err);
		fake_hv_free(out->hv);
		return rc;
	}
	return place_bar0(out->v);
}

static void
free_vgpu(struct bench_vgpu *b)
{
	vgpu_destroy(b->v);
	fake_hv_free(b->hv);
}

static volatile uint64_t sink[4096];

static void
bench_ggtt(struct bench_vgpu *b)
{
	const unsigned int n = 200000;
	struct vgpu_partition part;
	uint64_t t0, t1, t2;

	vgpu_get_partition(b->v, &part);
	t0 = bench_now_ns();
	for (unsigned int i = 0; i < n; i++) {
		uint64_t idx = (part.low_base >> 12) + (i % (part.low_size >> 12));
		uint64_t pte = ((uint64_t)(i % 4096) << 12) | 1;

		vgpu_mem_access(b->v, true, BAR0_GPA + (8u << 20) + idx * 8, 8, &pte);
	}
	t1 = bench_now_ns();
	for (unsigned int i = 0; i < n; i++)
		sink[i % 4096] = ((uint64_t)(i % 4096) << 12) | 1;
	t2 = bench_now_ns();
	bench_figure("store_8b", (double)(t2 - t1) / n, "ns/entry", NULL);
	bench_figure("ggtt_write", (double)(t1 - t0) / n, "ns/entry", "store_8b");
}

typedef int access_fn(struct vgpu *v, bool write, uint64_t gpa, unsigned int size, uint64_t *val);

static int
null_access(struct vgpu *v, bool write, uint64_t gpa, unsigned int size, uint64_t *val)
{
	(void)v; (void)write; (void)gpa; (void)size;
	*val = 0;
	return 0;
}

static double
time_access(access_fn *volatile fn, struct vgpu *v, bool write, unsigned int n)
{
	uint64_t val = 0x1234, t0 = bench_now_ns();

	for (unsigned int i = 0; i < n; i++) {
		val = i;
		fn(v, write, BAR0_GPA + REG_PROBE, 4, &val);
	}
	return (double)(bench_now_ns() - t0) / n;
}

static void
bench_mmio(struct bench_vgpu *b)
{
	const unsigned int n = 500000;

	bench_figure("mmio_null", time_access(null_access, b->v, false, n), "ns/access", NULL);
	bench_figure("mmio_read", time_access(vgpu_mem_access, b->v, false, n), "ns/access", "mmio_null");
	bench_figure("mmio_write", time_access(vgpu_mem_access, b->v, true, n), "ns/access", "mmio_null");
}

/*
 * Resident memory of this process in bytes: counts what vGPU creation
 * really touched (malloc'd or mmap'd), not what it merely reserved.
 */
static size_t
heap_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *fp = fopen("/proc/self/statm", "r");

	if (fp) {
		if (fscanf(fp, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(fp);
	}
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static int
bench_create(struct gpu *gpu, unsigned int n)
{
	struct bench_vgpu *b = calloc(n, sizeof(*b));
	char name[32];
	size_t h0, h1;
	uint64_t t0, t1;
	int rc = 0;
	unsigned int made = 0;

	if (!b)
		return -ENOMEM;
	/* Guest RAM of the fake hypervisor is allocated outside the measured part. */
	for (unsigned int i = 0; i < n; i++)
		if (!(b[i].hv = fake_hv_new(1)))
			rc = -ENOMEM;
	h0 = heap_bytes();
	t0 = bench_now_ns();
	for (unsigned int i = 0; !rc && i < n; i++, made++) {
		struct vgpu_config cfg;
		char err[128];

		vgpu_config_default(&cfg);
		cfg.type[0] = '\0';
		cfg.low_gm = 4ull << 20;
		cfg.high_gm = 64ull << 20;
		cfg.fences = 0;
		rc = vgpu_create(gpu, &cfg, 100 + i, &fake_hv_ops, b[i].hv, &b[i].v, err, sizeof(err));
		if (rc < 0)
			fprintf(stderr, "bench: vgpu %u of %u: %s\n", i + 1, n, err);
	}
	t1 = bench_now_ns();
	h1 = heap_bytes();
	if (!rc) {
		snprintf(name, sizeof(name), "vgpu_create_%u", n);
		bench_figure(name, (double)(t1 - t0) / 1000.0 / n, "us/vgpu", n > 1 ? "vgpu_create_1" : NULL);
		snprintf(name, sizeof(name), "vgpu_mem_%u", n);
		bench_figure(name, (double)(h1 - h0) / 1024.0 / n, "KiB/vgpu", n > 1 ? "vgpu_mem_1" : NULL);
	}
	for (unsigned int i = 0; i < made; i++)
		vgpu_destroy(b[i].v);
	for (unsigned int i = 0; i < n; i++)
		if (b[i].hv)
			fake_hv_free(b[i].hv);
	free(b);
	return rc;
}

/* ---- PPGTT ---- */

#define PB_PML4 0x100000ull
#define PB_PDP 0x101000ull
#define PB_PD 0x102000ull
#define PB_PT0 0x200000ull		/* page tables from 2 MiB: up to 512 of them */
#define PB_DATA 0x800000ull

/* The guest stores an entry: a write-protected page traps, any other is RAM. */
static unsigned int
pb_store(struct bench_vgpu *b, uint64_t gpa, uint64_t val)
{
	if (b->hv->wp[gpa >> 12]) {
		vgpu_mem_access(b->v, true, gpa, 8, &val);
		return 1;
	}
	memcpy(b->hv->ram + gpa, &val, 8);
	return 0;
}

static int
pb_submit(struct bench_vgpu *b)
{
	uint64_t sh;
	int rc;

	pthread_mutex_lock(&b->v->lock);
	rc = ppgtt_shadow_for_submit(b->v, PB_PML4, 4, &sh);
	pthread_mutex_unlock(&b->v->lock);
	return rc;
}

/*
 * npt empty page tables under one shadowed root (PDEs 0..npt-1), then each
 * populated with 512 PTEs as i915 binds an object, and a submission:
 * traps taken per populate and mediator ns per PTE (populate + resync).
 */
static int
pb_populate(struct bench_vgpu *b, unsigned int npt, double *traps, double *ns)
{
	unsigned int t = 0;
	uint64_t t0;
	int rc;

	pb_store(b, PB_PML4, PB_PDP | 3);
	pb_store(b, PB_PDP, PB_PD | 3);
	for (unsigned int k = 0; k < npt; k++)
		pb_store(b, PB_PD + 8 * k, (PB_PT0 + 0x1000ull * k) | 3);
	rc = pb_submit(b);
	t0 = bench_now_ns();
	for (unsigned int k = 0; !rc && k < npt; k++) {
		for (unsigned int i = 0; i < 512; i++)
			t += pb_store(b, PB_PT0 + 0x1000ull * k + 8 * i,
				      (PB_DATA + 0x1000ull * ((k + i) % 1024)) | 3);
		rc = pb_submit(b);
	}
	*ns = (double)(bench_now_ns() - t0) / (npt * 512.0);
	*traps = (double)t / npt;
	/* Undo: the root's entry cleared drops every table. */
	pb_store(b, PB_PML4, 0);
	memset(b->hv->ram + PB_PT0, 0, 0x1000ull * npt);
	return rc;
}

static int
bench_ppgtt(struct bench_vgpu *b)
{
	const unsigned int npt = 256, n = 200000;
	double traps_oos, traps_sync, ns_oos, ns_sync;
	uint64_t t0, t1;
	int rc;

	rc = pb_populate(b, npt, &traps_oos, &ns_oos);
	b->v->ppgtt.oos_off = true;
	if (!rc)
		rc = pb_populate(b, npt, &traps_sync, &ns_sync);
	if (rc)
		return rc;
	bench_figure("ppgtt_oos_off", traps_sync, "traps/PT", NULL);
	bench_figure("ppgtt_oos", traps_oos, "traps/PT", "ppgtt_oos_off");
	bench_figure("ppgtt_populate_sync", ns_sync, "ns/PTE", NULL);
	bench_figure("ppgtt_populate", ns_oos, "ns/PTE", "ppgtt_populate_sync");
	/* One trapped PTE write, in sync: rewriting the PTEs of one table. */
	pb_store(b, PB_PML4, PB_PDP | 3);
	pb_store(b, PB_PDP, PB_PD | 3);
	pb_store(b, PB_PD, PB_PT0 | 3);
	rc = pb_submit(b);
	t0 = bench_now_ns();
	for (unsigned int i = 0; !rc && i < n; i++)
		pb_store(b, PB_PT0 + 8 * (i % 512), (PB_DATA + 0x1000ull * (i % 1024)) | 3);
	t1 = bench_now_ns();
	b->v->ppgtt.oos_off = false;
	pb_store(b, PB_PML4, 0);
	if (!rc)
		bench_figure("ppgtt_trap", (double)(t1 - t0) / n, "ns/write", "ggtt_write");
	return rc;
}

/*
 * i915's full GGTT clear: after its own holes taught the scratch entry,
 * every entry outside its GM written with it. Must be harmless (never
 * bad) and cheap.
 */
static int
bench_ggtt_clear(struct bench_vgpu *b)
{
	const uint64_t scratch = (0x123ull << 12) | 1, ggtt = BAR0_GPA + (8u << 20);
	struct vgpu_partition part;
	struct vgpu_stats st;
	uint64_t t0, n = 0, entries = 1u << 20;

	vgpu_get_partition(b->v, &part);
	for (uint64_t i = 0; i < 2 * GGTT_SCRATCH_RUN; i++) {
		uint64_t pte = scratch;

		vgpu_mem_access(b->v, true, ggtt + ((part.low_base >> 12) + i) * 8, 8, &pte);
	}
	t0 = bench_now_ns();
	for (uint64_t i = 0; i < entries; i++) {
		uint64_t gma = i << 12, pte = scratch;

		if ((gma >= part.low_base && gma < part.low_base + part.low_size) ||
		    (gma >= part.high_base && gma < part.high_base + part.high_size))
			continue;
		vgpu_mem_access(b->v, true, ggtt + i * 8, 8, &pte);
		n++;
	}
	bench_figure("ggtt_clear_outside", (double)(bench_now_ns() - t0) / n, "ns/entry",
		     "ggtt_write");
	vgpu_get_stats(b->v, &st);
	if (st.ggtt_bad || st.failsafe) {
		printf("bench: ggtt_clear_outside: %llu entries counted bad\n",
		       (unsigned long long)st.ggtt_bad);
		return -EINVAL;
	}
	return 0;
}

int
bench_mediator(void)
{
	struct pgpu_dev dev;
	struct gpu *gpu;
	struct bench_vgpu b;
	int rc;

	fake_pgpu_open(&dev);
	rc = gpu_create(&dev, &gpu);
	if (rc < 0)
		return rc;
	rc = make_vgpu(gpu, NULL, 1, &b);
	if (!rc) {
		bench_ggtt(&b);
		bench_mmio(&b);
		rc = bench_ppgtt(&b);
		if (!rc)
			rc = bench_ggtt_clear(&b);
		free_vgpu(&b);
	}
	if (!rc)
		rc = bench_create(gpu, 1);
	if (!rc)
		rc = bench_create(gpu, 8);
	if (!rc)
		rc = bench_create(gpu, 32);
	gpu_destroy(gpu);
	return rc;
}
