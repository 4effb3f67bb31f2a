/* SPDX-License-Identifier: MIT */
/*
 * bench_sg.h — softgpu driven directly by the benches (bench_sg.c).
 */
#ifndef TESTS_BENCH_SG_H
#define TESTS_BENCH_SG_H

#include <stdint.h>

#include "sim/softgpu/softgpu.h"

/* The largest object: a 2048 x 2048 x 32-bpp surface. */
#define BSG_MAX_PAGES 4096

struct bsg_obj {
	uint8_t *va;
	uint64_t gma;
};

/* Start the engines and make the PPGTT's root. 0 or -errno. */
int bsg_start(struct softgpu *g);
/* npages of pool memory at gma, in the GGTT and the PPGTT. 0 or -errno. */
int bsg_obj(struct softgpu *g, unsigned int npages, uint64_t gma, struct bsg_obj *o);
/* Point a context image (2 pages: PPHWSP, register state) at the PPGTT. */
void bsg_set_pml4(struct bsg_obj *img);
/* Run the context of img (ring from offset 0 to tail) n times, each waited for; seconds. */
int bsg_run_ctx(struct softgpu *g, enum softgpu_engine e, struct bsg_obj *img, uint32_t tail,
		unsigned int n, double *secs);

#endif
