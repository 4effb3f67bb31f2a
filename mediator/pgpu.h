/* SPDX-License-Identifier: MIT */
/*
 * pgpu.h — the physical GPU as the mediator sees it: register access,
 * GGTT entry writes, and facts about the device. Implemented by the sim's
 * softgpu (sim/softgpu/) and by the sysfs BAR backend of the real build
 * (dm/pgpu/sysfs.c). The mediator never knows which one it has.
 *
 * Context: mmio_write of shared registers (fences) is called with the
 * owning struct gpu's lock held. ggtt_write is called WITHOUT that lock,
 * possibly from several vGPU threads at once but never for the same index
 * at once (each vGPU writes only the entries of its own GM share, which is
 * exclusively its own between gm_reserve and gm_release): a backend must
 * make a single-entry store safe against stores to other entries, and
 * needs no other locking. The mediator writes every GGTT entry of a vGPU's
 * share itself (GGTT_PTE_NONE, not present, where the guest may have no
 * page: docs/design.md section 5); it needs no scratch page from a backend.
 */
#ifndef MEDIATOR_PGPU_H
#define MEDIATOR_PGPU_H

#include <stdint.h>

struct pgpu; /* opaque backend handle */

struct pgpu_info {
	uint16_t device_id;	    /* PCI device id reported to guests */
	uint64_t aperture_size;	    /* bytes of CPU-visible GM ("low GM") */
	uint64_t gm_size;	    /* bytes of all GM the GGTT covers */
	unsigned int nr_fences;	    /* fence registers */
	uint64_t ggtt_entries;	    /* entries in the GGTT */
};

struct pgpu_ops {
	/* Read/write a 32-bit register at BAR0 offset off (< 2 MiB). */
	uint32_t (*mmio_read)(struct pgpu *p, uint32_t off);
	void (*mmio_write)(struct pgpu *p, uint32_t off, uint32_t val);
	/* Read/write GGTT entry idx (< ggtt_entries); pte in gen8 format. */
	uint64_t (*ggtt_read)(struct pgpu *p, uint64_t idx);
	void (*ggtt_write)(struct pgpu *p, uint64_t idx, uint64_t pte);
	/* Static facts about the device. */
	void (*info)(struct pgpu *p, struct pgpu_info *out);
	/* Release the backend. */
	void (*close)(struct pgpu *p);
};

/* One opened physical GPU: ops plus its handle. */
struct pgpu_dev {
	const struct pgpu_ops *ops;
	struct pgpu *p;
};

/*
 * A backend the daemon can open by name ("softgpu", "sysfs"); spec is the
 * text after "name:" in --gpu (may be empty). Returns 0 or -errno.
 */
struct pgpu_backend {
	const char *name;
	int (*open)(const char *spec, struct pgpu_dev *out);
};

#endif
