/* SPDX-License-Identifier: MIT */
/*
 * bench_cmd_scan.c — the command scanner's throughput (`scan`): bytes of
 * batch buffer per second through cmd_scan_run (copy from guest memory
 * into a host object, decode and audit every command, patch the batch
 * start, release), against memcpy of the same bytes, measured in
 * alternating rounds in one run. Two batches: a 3D batch as a GL driver
 * builds one per draw (state, pipe controls, a draw, a register load and
 * a query store), and igt gem_blt's blits (each with its PPGTT extents
 * audited). Guest memory readers are stand-ins like the unit tests':
 * the GGTT view and PPGTT of the vGPU are identity-simple maps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/exec/cmd_scan.h"
#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "bench.h"

#define RAM_MB		64
#define BATCH_BYTES	(256u << 10)
#define BATCH_GVA	0x100000000ull
#define BATCH_GPA	0x1000000ull	/* 16 MiB */
#define DATA_GVA	0x200000000ull
#define DATA_GPA	0x2000000ull	/* 32 MiB, 16 MiB of surfaces */
#define ROUNDS		5
#define ROUND_NS	100000000ull	/* 0.1 s per measurement */

static struct gpu gpu;
static struct pgpu_ops ops;
static struct vgpu *v;

/*
 * GPU memory as a backend hands it out: from a pool already mapped (a
 * freed block is kept for the next request of its size), zeroed on
 * every allocation as pgpu.h requires.
 */
#define POOL_MAX 64
static struct {
	void *va;
	unsigned int npages;
} pool[POOL_MAX];

static void *
mem_alloc(struct pgpu *p, unsigned int npages, uint64_t *maddr)
{
	static uint64_t next = 0x4000000000ull;
	void *va = NULL;

	(void)p;
	for (unsigned int i = 0; i < POOL_MAX && !va; i++)
		if (pool[i].va && pool[i].npages == npages) {
			va = pool[i].va;
			pool[i].va = NULL;
		}
	if (!va)
		va = aligned_alloc(EXEC_PAGE, (size_t)npages * EXEC_PAGE);
	if (!va)
		return NULL;
	memset(va, 0, (size_t)npages * EXEC_PAGE);
	for (unsigned int i = 0; i < npages; i++, next += EXEC_PAGE)
		maddr[i] = next;
	return va;
}

static void
mem_free(struct pgpu *p, void *va, unsigned int npages)
{
	(void)p;
	for (unsigned int i = 0; i < POOL_MAX; i++)
		if (!pool[i].va) {
			pool[i].va = va;
			pool[i].npages = npages;
			return;
		}
	free(va);
}

static void
pool_drain(void)
{
	for (unsigned int i = 0; i < POOL_MAX; i++) {
		free(pool[i].va);
		pool[i].va = NULL;
	}
}

/* The vGPU's aperture part is guest RAM from 0. */
static int
gma_read(struct vgpu *vg, uint64_t gma, void *buf, size_t len)
{
	if (gma < vg->part.low_base || gma + len > vg->part.low_base + vg->part.low_size)
		return -EFAULT;
	return vg->hv_ops->read_gpa(vg->hv, gma - vg->part.low_base, buf, len);
}

static int
gva_to_gpa(struct vgpu *vg, uint64_t root, unsigned int levels, uint64_t gva, uint64_t *gpa)
{
	(void)vg;
	(void)root;
	(void)levels;
	if (gva >= BATCH_GVA && gva < BATCH_GVA + (16u << 20))
		*gpa = BATCH_GPA + (gva - BATCH_GVA);
	else if (gva >= DATA_GVA && gva < DATA_GVA + (16u << 20))
		*gpa = DATA_GPA + (gva - DATA_GVA);
	else
		return -EFAULT;
	return 0;
}

static const struct cmd_guest_ops guest = { .gma_read = gma_read, .gva_to_gpa = gva_to_gpa };

static void
put(uint32_t *b, size_t *n, size_t max, const uint32_t *dw, size_t k)
{
	if (*n + k <= max) {
		memcpy(b + *n, dw, k * 4);
		*n += k;
	}
}

#define PUT(...)                                                             \
	do {                                                                 \
		const uint32_t d_[] = { __VA_ARGS__ };                       \
		put(b, &n, max, d_, sizeof(d_) / sizeof(d_[0]));             \
	} while (0)

/* One draw's worth of Gen9 3D commands, as GL drivers emit them. */
static size_t
fill_3d(uint32_t *b, size_t max)
{
	size_t n = 0;
	uint32_t q = (uint32_t)DATA_GVA;

	while (n + 100 < max) {
		PUT(0x78100007, 0, 0, 0, 0, 0, 0, 0, 0);		/* 3DSTATE_VS */
		PUT(0x7820000a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);	/* 3DSTATE_PS */
		PUT(0x781f0004, 0, 0, 0, 0, 0);				/* 3DSTATE_SBE */
		PUT(0x78170009, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);		/* 3DSTATE_CONSTANT_PS */
		PUT(0x78080003, 0, 0, 0, 0);				/* 3DSTATE_VERTEX_BUFFERS */
		PUT(0x78090003, 0, 0, 0, 0);				/* 3DSTATE_VERTEX_ELEMENTS */
		PUT(0x782a0000, 0x40, 0x782f0000, 0x80, 0x78230000, 0xc0); /* pointers */
		PUT(0x7a000004, 1u << 20, 0, 0, 0, 0);			/* PIPE_CONTROL: stall */
		PUT(0x7b000005, 4, 3, 0, 1, 0, 0);			/* 3DPRIMITIVE */
		PUT(0x11000001, 0x2600, 7);				/* LRI CS_GPR0 */
		PUT(0x12000002, 0x2358, q, 2);				/* SRM timestamp -> query */
		PUT(0x7a000004, (1u << 14) | (1u << 20), q + 8, 2, 0, 0); /* post-sync write */
		q = (uint32_t)DATA_GVA + (q + 16) % (1u << 20);
	}
	return n;
}

/* igt gem_blt: 1024x16 copies of 32-bit pixels between two surfaces. */
static size_t
fill_blt(uint32_t *b, size_t max)
{
	size_t n = 0;
	uint32_t row = 0;

	while (n + 12 < max) {
		uint64_t dst = DATA_GVA + (8u << 20), src = DATA_GVA;

		PUT(0x54f00008, (3u << 24) | (0xccu << 16) | 4096, row << 16,
		    ((row + 16) << 16) | 1024, (uint32_t)dst, (uint32_t)(dst >> 32), row << 16, 4096,
		    (uint32_t)src, (uint32_t)(src >> 32));
		row = (row + 16) % 1024;
	}
	return n;
}

static int
setup(void)
{
	fake_bare_gpu_init(&gpu);
	ops = *gpu.dev.ops;
	ops.mem_alloc = mem_alloc;
	ops.mem_free = mem_free;
	gpu.dev.ops = &ops;
	v = fake_bare_vgpu(&gpu, 1, "xengt_small", RAM_MB);
	if (!v)
		return -ENOMEM;
	return cmd_table_init();
}

static void
teardown(void)
{
	fake_bare_vgpu_free(v);
	pool_drain();
	free(gpu.hostgm.bits);
	fake_bare_gpu_fini(&gpu);
}

/* The workload: a ring on engine e that starts the batch at BATCH_GVA. */
static void
workload(struct workload *w, enum pgpu_engine e)
{
	uint32_t *ring = (uint32_t *)(v->hv->ram + 0x10000);

	memset(w, 0, sizeof(*w));
	w->v = v;
	w->engine = e;
	w->ring_start = (uint32_t)(v->part.low_base + 0x10000);
	w->ring_ctl = RING_CTL_ENABLE;
	w->guest_desc = CTX_DESC_VALID | CTX_DESC_PRIVILEGE |
			((uint64_t)CTX_ADDR_LEGACY_64B << CTX_DESC_ADDR_MODE_SHIFT);
	w->addr_mode = CTX_ADDR_LEGACY_64B;
	ring[0] = 0x18800101;
	ring[1] = (uint32_t)BATCH_GVA;
	ring[2] = (uint32_t)(BATCH_GVA >> 32);
	ring[3] = 0;
	w->ring_tail = 16;
}

/*
 * This thread's CPU time: both figures are measured on it, so a busy
 * machine (parallel builds, other benches) does not skew their ratio.
 */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Bytes per CPU second of fn over 0.1 s. */
static double
rate(int (*fn)(void *), void *arg, size_t bytes)
{
	uint64_t t0 = cpu_ns(), t;
	unsigned long iters = 0;

	do {
		for (int k = 0; k < 4; k++)	/* the clock costs a system call: read it less */
			if (fn(arg))
				return -1;
		iters += 4;
		t = cpu_ns();
	} while (t - t0 < ROUND_NS);
	return (double)bytes * iters * 1e9 / (double)(t - t0);
}

static uint8_t *copy_dst;

static int
one_memcpy(void *arg)
{
	memcpy(copy_dst, v->hv->ram + BATCH_GPA, *(size_t *)arg);
	__asm__ volatile("" : : "r"(copy_dst) : "memory");
	return 0;
}

static int
one_scan(void *arg)
{
	struct workload *w = arg;
	int rc = cmd_scan_run(v, w, &guest);

	if (rc)
		fprintf(stderr, "bench: scan: %s (%d)\n", w->why, rc);
	cmd_scan_release(&gpu, w);
	return rc;
}

/* Best of ROUNDS alternating rounds, scan and memcpy of the same batch side by side. */
static int
measure(enum pgpu_engine e, size_t (*fill)(uint32_t *, size_t), double *scan, double *mcpy)
{
	uint32_t *batch = (uint32_t *)(v->hv->ram + BATCH_GPA);
	size_t n = fill(batch, BATCH_BYTES / 4 - 1), bytes;
	struct workload w;

	batch[n++] = 0x05000000;	/* MI_BATCH_BUFFER_END */
	bytes = n * 4;
	workload(&w, e);
	*scan = *mcpy = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double s = rate(one_scan, &w, bytes), m = rate(one_memcpy, &bytes, bytes);

		if (s < 0)
			return -EINVAL;
		if (s > *scan)
			*scan = s;
		if (m > *mcpy)
			*mcpy = m;
	}
	return 0;
}

int
bench_cmd_scan(void)
{
	double s3d, m3d, sblt, mblt;
	int rc = setup();

	copy_dst = aligned_alloc(EXEC_PAGE, BATCH_BYTES);
	if (!rc && !copy_dst)
		rc = -ENOMEM;
	if (!rc)
		rc = measure(PGPU_RCS, fill_3d, &s3d, &m3d);
	if (!rc)
		rc = measure(PGPU_BCS, fill_blt, &sblt, &mblt);
	free(copy_dst);
	teardown();
	if (rc)
		return rc;
	bench_figure("scan_memcpy", m3d / 1e6, "MB/s", NULL);
	bench_figure("scan", s3d / 1e6, "MB/s", "scan_memcpy");
	bench_figure("scan_blt_memcpy", mblt / 1e6, "MB/s", NULL);
	bench_figure("scan_blt", sblt / 1e6, "MB/s", "scan_blt_memcpy");
	return 0;
}
