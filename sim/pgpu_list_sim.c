/* SPDX-License-Identifier: MIT */
/*
 * pgpu_list_sim.c — backends and platform facts of the sim build
 * (xengt-dm-sim): softgpu first, the machine's aperture address, and a
 * gfn -> machine-address DMA hook answered by libxensim.
 */
#include <errno.h>
#include <stddef.h>

#include "dm/pgpu_list.h"
#include "sim/softgpu/softgpu.h"
#include "sim/xensim.h"

const struct pgpu_backend *const pgpu_backends[] = {
	&softgpu_backend,
	&pgpu_sysfs_backend,
	NULL,
};

const uint64_t pgpu_default_aperture_mfn = XENSIM_APERTURE_MADDR >> 12;

/*
 * The machine frame of a page of the guest's RAM (libxensim's non-Xen
 * extension); anything that is not guest RAM, such as a direct-mapped
 * aperture frame or a hole, is -EFAULT (the hv_ops DMA contract).
 */
static int
sim_dma_hook(uint32_t domid, uint64_t gfn, uint64_t *dma)
{
	return xensim_gfn_to_maddr(NULL, domid, gfn, dma);
}

int (*const pgpu_dma_hook)(uint32_t domid, uint64_t gfn, uint64_t *dma) = sim_dma_hook;
