/* SPDX-License-Identifier: MIT */
/*
 * cfg_space.h — the vGPU's virtual PCI config space (cfg_space.c): a
 * Gen9 GT2 header, BAR sizing and moves, the MSI capability.
 */
#ifndef MEDIATOR_CFG_SPACE_H
#define MEDIATOR_CFG_SPACE_H

#include <stdbool.h>
#include <stdint.h>

struct vgpu;

#define CFG_SIZE 256

/* BAR sizes of the virtual device. */
#define BAR0_SIZE  (16u << 20) /* GTTMMADR: registers + GGTT */
#define BAR0_GGTT_OFF (8u << 20) /* GGTT starts halfway into BAR0 */
#define BAR0_REGS_END (2u << 20)  /* registers: BAR0 [0, 2 MiB) (MMIO_REG_SIZE) */
#define BAR4_SIZE  64u	       /* I/O: MMIO index at +0, data at +4 */
/* BAR2 (aperture) size is the physical aperture size. */

enum vbar { VBAR0 = 0, VBAR2, VBAR4, VBAR_NR };

struct cfg_state {
	uint8_t cfg[CFG_SIZE];	  /* the config image; accessed only through cfg_get/cfg_set */
	uint8_t wmask[CFG_SIZE];  /* guest-writable bits per byte */
	uint64_t bar_size[VBAR_NR];
	uint64_t bar_base[VBAR_NR]; /* currently claimed/mapped base, valid if bar_live */
	bool bar_live[VBAR_NR];	  /* claimed with the hypervisor (decode on, base set) */
	uint8_t bar_sizing[VBAR_NR]; /* bit per BAR dword (0 low, 1 high) last written all-ones */
	uint8_t msi_cap;	  /* offset of the MSI capability, 0 if hidden */
	bool bars32;		  /* 32-bit memory BARs, 32-bit I/O BAR mask (vgpu_config.bars32) */
	uint64_t release_failed;  /* BAR releases the hypervisor refused (each attempt) */
};

/* Build the config image for v (called from vgpu_create). */
int cfg_space_init(struct vgpu *v);
/*
 * Drop BAR claims and aperture mappings (retried once). A BAR whose
 * release the hypervisor keeps refusing stays live (bar_live), logged.
 */
void cfg_space_fini(struct vgpu *v);
/*
 * After cfg_space_fini: is the BAR2 aperture slice still direct-mapped
 * into the guest (its release failed)? Then the guest can still reach
 * its low GM, and the share must not go to another vGPU.
 */
bool cfg_space_gm_exposed(const struct vgpu *v);
/*
 * Does [start, end] (gpa, inclusive) overlap a memory BAR of v, where it
 * is claimed or where the guest placed it?
 */
bool cfg_space_mem_overlaps(const struct vgpu *v, uint64_t start, uint64_t end);
/* Module hooks: its trap-map rows (SBDF, BAR0, BAR4, BAR2 slice) and counters. */
void cfg_space_trap_rows(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n);
void cfg_space_stats(struct vgpu *v, struct vgpu_stats *out);
/* Guest config cycle (lock held). */
int cfg_space_access(struct vgpu *v, bool write, unsigned int reg,
		     unsigned int size, uint32_t *val);
/* MSI address/data the guest programmed; false if MSI is disabled. */
bool cfg_msi_target(struct vgpu *v, uint64_t *addr, uint32_t *data);
/*
 * The legacy interrupt: record the interrupt condition in the status
 * register (bit 3, whatever INTx Disable says) and return whether the
 * INTx pin may be asserted for it (condition set, a pin advertised,
 * INTx Disable clear).
 */
bool cfg_intx_status(struct vgpu *v, bool pending);

#endif
