/* SPDX-License-Identifier: MIT */
/*
 * pgpu_list_hw.c — backends and platform facts of the real build
 * (xengt-dm): a real GPU through sysfs; no DMA hook yet (docs/dma.md).
 */
#include <stddef.h>

#include "dm/pgpu/pgpu_list.h"

const struct pgpu_backend *const pgpu_backends[] = {
	&pgpu_sysfs_backend,
	NULL,
};

/* The aperture BAR's machine address is host-specific: --aperture-mfn. */
const uint64_t pgpu_default_aperture_mfn = 0;

int (*const pgpu_dma_hook)(uint32_t domid, uint64_t gfn, uint64_t *dma) = NULL;
