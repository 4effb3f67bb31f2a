/* SPDX-License-Identifier: MIT */
/*
 * opregion.h — the vGPU's ACPI OpRegion (opregion.c): 8 KiB holding the
 * OpRegion header and, in mailbox 4, a VBT whose one child device is the
 * virtual monitor's port; and where the guest finds it (PCI config ASLS,
 * 0xfc): copied into guest RAM, or served as a claimed MMIO range.
 */
#ifndef MEDIATOR_OPREGION_H
#define MEDIATOR_OPREGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgpu;
struct vgpu_stats;
struct trap_entry;

/* Layout of the OpRegion (i915 display/intel_opregion.c OPREGION_*). */
#define OPREGION_SIZE	      8192u
#define OPREGION_MBOX1_OFF    0x100u  /* public ACPI methods */
#define OPREGION_MBOX3_END    0x400u  /* end of mailboxes 1-3 (ACPI, SWSCI, ASLE) */
#define OPREGION_VBT_OFF      0x400u  /* mailbox 4: the VBT */
#define OPREGION_VBT_MAX      (OPREGION_SIZE - OPREGION_VBT_OFF)

/* Header fields (struct opregion_header, 256 bytes). */
#define OPREGION_SIG	      "IntelGraphicsMem"
#define OPREGION_HDR_SIZE     0x10u   /* u32: size in KiB */
#define OPREGION_HDR_OVER     0x14u   /* u8 rsvd, revision, minor, major */
#define OPREGION_HDR_MBOXES   0x58u   /* u32: mailboxes present */
#define OPREGION_MBOX_VBT     (1u << 3) /* mailbox 4 (bit n-1 for mailbox n) */

/* VBT header (struct vbt_header, 48 bytes) and BDB header (22 bytes). */
#define VBT_HDR_LEN	      48u
#define VBT_SIG_LEN	      20u
#define VBT_OFF_VERSION	      20u
#define VBT_OFF_HDR_SIZE      22u
#define VBT_OFF_VBT_SIZE      24u
#define VBT_OFF_CHECKSUM      26u
#define VBT_OFF_BDB_OFFSET    28u
#define BDB_HDR_LEN	      22u
#define BDB_OFF_VERSION	      16u
#define BDB_OFF_HDR_SIZE      18u
#define BDB_OFF_BDB_SIZE      20u

/* BDB block 2 (general definitions) and its child device configs. */
#define BDB_GENERAL_DEFINITIONS 2u
#define BDB_GENDEFS_HDR_LEN   5u      /* crt ddc pin, dpms, boot display[2], child size */
#define BDB_GENDEFS_CHILD_SIZE 4u     /* offset of child_dev_size in the block */
#define VBT_CHILD_SIZE	      33u     /* legacy child config: BDB versions 111..194 */
#define CHILD_OFF_HANDLE      0u
#define CHILD_OFF_DEVICE_TYPE 2u
#define CHILD_OFF_DVO_PORT    16u
#define CHILD_OFF_DDC_PIN     19u
#define CHILD_OFF_AUX_CHANNEL 25u

/* Child device types (intel_vbt_defs.h DEVICE_TYPE_*) and the bits i915 tests. */
#define VBT_DEVICE_TYPE_DP    0x68c6u /* DP only: no TMDS, not-HDMI */
#define VBT_DEVICE_TYPE_HDMI  0x60d2u /* HDMI only: TMDS, no DP */
#define VBT_TYPE_DP_OUTPUT    (1u << 2)
#define VBT_TYPE_TMDS	      (1u << 4)
#define VBT_TYPE_NOT_HDMI     (1u << 11)
#define VBT_TYPE_INTERNAL     (1u << 12) /* with DP: eDP */
/* dvo_port values of DDI D (DVO_PORT_HDMID, DVO_PORT_DPD). */
#define VBT_DVO_PORT_HDMID    3u
#define VBT_DVO_PORT_DPD      9u

/* Where the OpRegion is published. */
enum opregion_where { OPREGION_NONE = 0, OPREGION_RAM, OPREGION_MMIO };

struct opregion_state {
	uint8_t *buf;		/* OPREGION_SIZE bytes: this vGPU's OpRegion */
	uint32_t asls;		/* what ASLS reads: the published base, 0 = none */
	enum opregion_where where;
	bool claimed;		/* [claim_base, +OPREGION_SIZE) claimed with claim_io */
	uint64_t claim_base;
	uint64_t traps;		/* MMIO accesses served */
	uint64_t refused;	/* ASLS values refused */
	uint64_t release_failed; /* unclaims the hypervisor refused */
};

/*
 * Build the OpRegion with its VBT into out (OPREGION_SIZE bytes): the one
 * child device is DDI D, HDMI-only if hdmi, else DP-only. Pure: the same
 * bytes for the same monitor type.
 */
void opregion_build(uint8_t *out, bool hdmi);
/* The VBT's byte sum modulo 256 over its vbt_size bytes (0 when valid). */
uint8_t opregion_vbt_sum(const uint8_t *opregion);

/* Module hooks (modules.c). */
int opregion_init(struct vgpu *v);
void opregion_fini(struct vgpu *v);
void opregion_reset(struct vgpu *v, uint32_t domains);
void opregion_trap_rows(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n);
void opregion_stats(struct vgpu *v, struct vgpu_stats *out);

/*
 * A guest write made ASLS asls (lock held): withdraw the old OpRegion
 * and publish at asls (0: none). In guest RAM if write_gpa takes it,
 * else as a claimed MMIO range. 0, or -EINVAL for an unaligned, wrapping
 * or BAR-overlapping address and the hypervisor's error when it refuses
 * both: then ASLS reads 0 and nothing is published.
 */
int opregion_set_asls(struct vgpu *v, uint32_t asls);
/* Does gpa fall in the claimed OpRegion (lock held)? */
bool opregion_hit(const struct vgpu *v, uint64_t gpa);
/*
 * A guest access to the claimed OpRegion (opregion_hit true): reads from
 * the buffer; writes land in mailboxes 1-3 only (the header and the VBT
 * are the firmware's, read-only).
 */
int opregion_access(struct vgpu *v, bool write, uint64_t gpa, unsigned int size,
		    uint64_t *val);

#endif
