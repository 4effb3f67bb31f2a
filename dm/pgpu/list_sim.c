/* SPDX-License-Identifier: MIT */
/*
 * pgpu_list_sim.c — backends and platform facts of the sim build
 * (xengt-dm-sim): softgpu first, the machine's aperture address, and a
 * gfn -> machine-address DMA hook answered by libxensim.
 */
#include <errno.h>
#include <stdint.h>
#include <stddef.h>

#include "dm/pgpu/pgpu_list.h"
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
 * aperture frame or a hole, is -EFAULT (the hv_ops DMA contract). Through
 * a translator opened on first use ($XENSIM_MACHINE is fixed for the
 * daemon's life) and kept: the lookup costs the machine lock, not a name
 * and file check per GGTT entry.
 */
static struct xensim_dma *sim_dma;

static int
sim_dma_hook(uint32_t domid, uint64_t gfn, uint64_t *dma)
{
	struct xensim_dma *x = __atomic_load_n(&sim_dma, __ATOMIC_ACQUIRE);

	if (!x) {
		struct xensim_dma *expect = NULL;

		x = xensim_dma_open(NULL);
		if (!x)
			return -errno;
		if (!__atomic_compare_exchange_n(&sim_dma, &expect, x, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			xensim_dma_close(x);	/* another thread's won */
			x = expect;
		}
	}
	return xensim_dma_gfn(x, domid, gfn, dma);
}

int (*const pgpu_dma_hook)(uint32_t domid, uint64_t gfn, uint64_t *dma) = sim_dma_hook;
