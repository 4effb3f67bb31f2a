/* SPDX-License-Identifier: MIT */
/*
 * bench_softgpu.c — softgpu alone (no mediator): `softgpu_blit`, the
 * MiB/s of a 1024x768x32 XY_SRC_COPY_BLT submitted and waited for
 * (context load, copy, CSB, event), beside `softgpu_blit_memcpy`, a CPU
 * memcpy of the same 3 MiB between the same pages; and `softgpu_ctx_us`,
 * the round trip of an empty context (submit to COMPLETE | ACTIVE_IDLE).
 * Each the best of REPS batches measured alternately.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "sim/softgpu/softgpu.h"
#include "sim/xensim.h"

#define BW 1024
#define BH 768
#define SURF_PAGES (BW * BH * 4 / 4096)
#define BLIT_ROUNDS 16
#define NOP_ROUNDS 400
#define REPS 8

struct bobj {
	uint8_t *va;
	uint64_t gma;
};

/*
 * The contexts' 4-level PPGTT, mirroring the GGTT: blitter surfaces are
 * PPGTT addresses under execlists. Tables come from the pool.
 */
static uint64_t pml4;

static int
ppgtt_map(struct softgpu *g, uint64_t va, uint64_t maddr)
{
	uint64_t table = pml4;

	for (unsigned int s = 39; s > 12; s -= 9) {
		uint64_t *e = softgpu_maddr_ptr(g, table + ((va >> s) & 0x1ff) * 8, 8);

		if (!e)
			return -EFAULT;
		if (!(*e & 1)) {
			uint64_t t;

			if (!softgpu_mem_alloc(g, 1, &t))
				return -errno;
			*e = t | 3;
		}
		table = *e & 0x00003ffffffff000ull;
	}
	uint64_t *pte = softgpu_maddr_ptr(g, table + ((va >> 12) & 0x1ff) * 8, 8);

	if (!pte)
		return -EFAULT;
	*pte = maddr | 3;
	return 0;
}

/* npages from the pool, mapped at gma in the GGTT and the PPGTT. */
static int
bobj(struct softgpu *g, unsigned int npages, uint64_t gma, struct bobj *o)
{
	uint64_t maddr[SURF_PAGES];

	o->va = softgpu_mem_alloc(g, npages, maddr);
	if (!o->va)
		return -errno;
	o->gma = gma;
	for (unsigned int i = 0; i < npages; i++) {
		int rc = ppgtt_map(g, gma + 4096ull * i, maddr[i]);

		if (rc)
			return rc;
		softgpu_ggtt_write(g, (gma >> 12) + i, maddr[i] | 1);
	}
	return 0;
}

/* The context image's PDP0 (the PML4 in 64-bit mode). */
static void
set_pml4(struct bobj *img)
{
	uint32_t *regs = (uint32_t *)(void *)(img->va + 4096);

	regs[0x31] = (uint32_t)(pml4 >> 32);
	regs[0x33] = (uint32_t)pml4;
}

/* Wait for the engine's COMPLETE | ACTIVE_IDLE (5 s at most). */
static int
wait_idle(struct softgpu *g)
{
	struct softgpu_event ev;
	struct pollfd p = { .fd = softgpu_event_fd(g), .events = POLLIN };

	for (;;) {
		while (softgpu_next_event(g, &ev)) {
			if (ev.kind == SOFTGPU_EV_FAULT)
				return -EIO;
			if (ev.kind == SOFTGPU_EV_CSB && (ev.status & SOFTGPU_CSB_ACTIVE_IDLE))
				return 0;
		}
		if (poll(&p, 1, 5000) <= 0)
			return -ETIMEDOUT;
	}
}

/* Run the context whose image is img (ring from offset 0 to tail) n times; seconds. */
static int
run_ctx(struct softgpu *g, enum softgpu_engine e, struct bobj *img, uint32_t tail, unsigned int n,
	double *secs)
{
	uint64_t d[2] = { (1ull << 32) | img->gma | (3 << 3) | 1, 0 }, t0;
	uint32_t *regs = (uint32_t *)(void *)(img->va + 4096);
	int rc;

	t0 = bench_now_ns();
	for (unsigned int i = 0; i < n; i++) {
		regs[0x05] = 0;
		regs[0x07] = tail;
		rc = softgpu_submit(g, e, d);
		if (!rc)
			rc = wait_idle(g);
		if (rc)
			return rc;
	}
	*secs = (double)(bench_now_ns() - t0) / 1e9;
	return 0;
}

static int
bench_body(struct softgpu *g)
{
	struct bobj img, ring, src, dst, nimg, nring;
	const uint32_t blit[] = {
		(2u << 29) | (0x53u << 22) | (3u << 20) | 8, (3u << 24) | (0xccu << 16) | BW * 4, 0,
		(BH << 16) | BW, 0, 0, 0, BW * 4, 0, 0,
	};
	uint32_t *cmd;
	double secs, mc, best_blit, best_mc, best_ctx;
	uint64_t t0;
	int rc;

	if ((rc = softgpu_exec_start(g)) < 0)
		return rc;
	if (!softgpu_mem_alloc(g, 1, &pml4))
		return -errno;
	if ((rc = bobj(g, 2, 1ull << 20, &img)) < 0 ||
	    (rc = bobj(g, 1, 2ull << 20, &ring)) < 0 ||
	    (rc = bobj(g, SURF_PAGES, 16ull << 20, &src)) < 0 ||
	    (rc = bobj(g, SURF_PAGES, 32ull << 20, &dst)) < 0 ||
	    (rc = bobj(g, 2, 3ull << 20, &nimg)) < 0 || (rc = bobj(g, 1, 4ull << 20, &nring)) < 0)
		return rc;
	for (unsigned int i = 0; i < SURF_PAGES * 4096u; i++)
		src.va[i] = (uint8_t)(i * 13 + 1);
	cmd = (uint32_t *)(void *)ring.va;
	memcpy(cmd, blit, sizeof(blit));
	cmd[4] = (uint32_t)dst.gma;
	cmd[8] = (uint32_t)src.gma;
	((uint32_t *)(void *)(img.va + 4096))[0x09] = (uint32_t)ring.gma;
	((uint32_t *)(void *)(img.va + 4096))[0x0b] = 1;
	((uint32_t *)(void *)(nimg.va + 4096))[0x09] = (uint32_t)nring.gma;
	((uint32_t *)(void *)(nimg.va + 4096))[0x0b] = 1;
	set_pml4(&img);
	set_pml4(&nimg);
	/* Warm up (page faults on first touch), check the result once. */
	rc = run_ctx(g, SOFTGPU_BCS, &img, 48, 1, &secs);
	if (rc)
		return rc;
	if (memcmp(dst.va, src.va, (size_t)SURF_PAGES * 4096))
		return -EIO;
	/*
	 * Side by side, in REPS alternating batches: the best batch of each
	 * (a shared, loaded machine slows some batches down, never speeds one up).
	 */
	best_blit = best_mc = best_ctx = 0;
	for (unsigned int rep = 0; rep < REPS; rep++) {
		rc = run_ctx(g, SOFTGPU_BCS, &img, 48, BLIT_ROUNDS, &secs);
		if (rc)
			return rc;
		if (BLIT_ROUNDS * 3.0 / secs > best_blit)
			best_blit = BLIT_ROUNDS * 3.0 / secs;
		t0 = bench_now_ns();
		for (unsigned int i = 0; i < BLIT_ROUNDS; i++) {
			memcpy(dst.va, src.va, (size_t)SURF_PAGES * 4096);
			__asm__ __volatile__("" ::: "memory");
		}
		mc = (double)(bench_now_ns() - t0) / 1e9;
		if (BLIT_ROUNDS * 3.0 / mc > best_mc)
			best_mc = BLIT_ROUNDS * 3.0 / mc;
		/* Empty contexts: two NOOPs each. */
		rc = run_ctx(g, SOFTGPU_RCS, &nimg, 8, NOP_ROUNDS, &secs);
		if (rc)
			return rc;
		if (!best_ctx || secs * 1e6 / NOP_ROUNDS < best_ctx)
			best_ctx = secs * 1e6 / NOP_ROUNDS;
	}
	bench_figure("softgpu_blit_memcpy", best_mc, "MiB/s", NULL);
	bench_figure("softgpu_blit", best_blit, "MiB/s", "softgpu_blit_memcpy");
	bench_figure("softgpu_ctx_us", best_ctx, "us", NULL);
	return 0;
}

int
bench_softgpu(void)
{
	char machine[32];
	struct softgpu *g;
	int rc;

	snprintf(machine, sizeof(machine), "bsg-%d", (int)getpid());
	rc = xensim_machine_create(machine);
	if (rc)
		return rc;
	g = softgpu_open(machine);
	if (!g) {
		rc = -errno;
	} else {
		rc = bench_body(g);
		softgpu_close(g);
	}
	xensim_machine_destroy(machine);
	return rc;
}
