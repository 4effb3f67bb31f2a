/* SPDX-License-Identifier: MIT */
/*
 * pgpu_list.h — the physical-GPU backends this daemon build can open, and
 * the platform facts that differ between the real build
 * (dm/pgpu/list_hw.c) and the sim build (dm/pgpu/list_sim.c). Every
 * physical-GPU backend lives in dm/pgpu/: sysfs.c (real BARs) and
 * softgpu.c (the simulated GPU of sim/softgpu/).
 */
#ifndef DM_PGPU_LIST_H
#define DM_PGPU_LIST_H

#include <stdint.h>

#include "mediator/pgpu.h"

/* NULL-terminated; the first entry is the default for --gpu. */
extern const struct pgpu_backend *const pgpu_backends[];

/* Default --aperture-mfn (machine frame of the aperture BAR); 0 = must be given. */
extern const uint64_t pgpu_default_aperture_mfn;

/*
 * gfn -> DMA address hook handed to xen-glue (docs/dma.md); NULL when
 * this build has none (gfn_to_dma then answers -EOPNOTSUPP).
 */
extern int (*const pgpu_dma_hook)(uint32_t domid, uint64_t gfn, uint64_t *dma);

/* The sysfs BAR backend of the real build (dm/pgpu/sysfs.c). */
extern const struct pgpu_backend pgpu_sysfs_backend;
/* The sim build's backend over softgpu, "softgpu[:MACHINE]" (dm/pgpu/softgpu.c). */
extern const struct pgpu_backend softgpu_backend;

#endif
