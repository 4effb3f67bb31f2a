/* SPDX-License-Identifier: MIT */
/*
 * softgpu.h — the simulated physical Gen9 GPU of a xensim machine: its
 * register file, its GGTT, and the aperture window that translates CPU
 * accesses through the GGTT. State lives in /dev/shm/xensim-<machine>.gpu
 * so the daemon (pgpu backend) and the hypervisor's guest-access path see
 * the same GPU. Execution (engines, PPGTT walks) comes later (ROADMAP).
 */
#ifndef SIM_SOFTGPU_H
#define SIM_SOFTGPU_H

#include <stdint.h>

#include <stdbool.h>

#define SOFTGPU_MMIO_SIZE   (2u << 20)
#define SOFTGPU_GGTT_ENTRIES (1u << 20)		/* 4 GiB of GM */
#define SOFTGPU_APERTURE_SIZE (1ull << 30)	/* mappable GM (BIOS "aperture 1024 MB", as GVT-g setups use) */
#define SOFTGPU_NR_FENCES   32
#define SOFTGPU_DEVICE_ID   0x1912		/* SKL GT2 desktop */

struct softgpu;

/* Create-or-attach the GPU of machine. NULL + errno on failure. */
struct softgpu *softgpu_open(const char *machine);
void softgpu_close(struct softgpu *g);

uint32_t softgpu_mmio_read(struct softgpu *g, uint32_t off);
void softgpu_mmio_write(struct softgpu *g, uint32_t off, uint32_t val);
uint64_t softgpu_ggtt_read(struct softgpu *g, uint64_t idx);
void softgpu_ggtt_write(struct softgpu *g, uint64_t idx, uint64_t pte);

/*
 * A CPU access through the aperture at byte offset ap_off: the machine
 * address the GGTT maps it to, or -ENOENT if the entry is not present.
 */
int softgpu_aperture_translate(struct softgpu *g, uint64_t ap_off, uint64_t *maddr);

#endif
