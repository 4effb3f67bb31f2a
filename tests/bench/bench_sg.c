/* SPDX-License-Identifier: MIT */
/*
 * bench_sg.c — softgpu driven directly by the benches (bench_sg.h):
 * objects from the GPU pool mapped at chosen addresses in the GGTT and in
 * one 4-level PPGTT mirroring it, context images pointing at it, and a
 * context run n times, each waited for.
 */
#include <errno.h>
#include <poll.h>

#include "bench.h"
#include "bench_sg.h"


/*
 * The contexts' 4-level PPGTT, mirroring the GGTT: blitter surfaces are
 * PPGTT addresses under execlists. Tables come from the pool.
 */
static uint64_t pml4;

int
bsg_start(struct softgpu *g)
{
	int rc = softgpu_exec_start(g);

	if (rc < 0)
		return rc;
	return softgpu_mem_alloc(g, 1, &pml4) ? 0 : -errno;
}


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
int
bsg_obj(struct softgpu *g, unsigned int npages, uint64_t gma, struct bsg_obj *o)
{
	uint64_t maddr[BSG_MAX_PAGES];

	if (!npages || npages > BSG_MAX_PAGES)
		return -EINVAL;
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
void
bsg_set_pml4(struct bsg_obj *img)
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
int
bsg_run_ctx(struct softgpu *g, enum softgpu_engine e, struct bsg_obj *img, uint32_t tail, unsigned int n,
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
