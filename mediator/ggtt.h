/* SPDX-License-Identifier: MIT */
/*
 * ggtt.h — the guest's view of the global GTT (ggtt.c): entries it wrote
 * for its own GM, validated and translated into the physical GGTT.
 */
#ifndef MEDIATOR_GGTT_H
#define MEDIATOR_GGTT_H

#include <stdint.h>

struct vgpu;

/* gen8 GGTT PTE: bit 0 present, bits 45:12 address. */
#define GGTT_PTE_PRESENT 1ull
#define GGTT_PTE_ADDR_MASK 0x00003ffffffff000ull

struct ggtt_state {
	uint64_t *low;	/* guest entries for its aperture part, one per 4 KiB */
	uint64_t *high; /* guest entries for its hidden part */
};

int ggtt_init(struct vgpu *v);
void ggtt_fini(struct vgpu *v);
/* BAR0 GGTT access; off is relative to the GGTT start (lock held). */
int ggtt_access(struct vgpu *v, int write, uint64_t off, unsigned int size,
		uint64_t *val);

#endif
