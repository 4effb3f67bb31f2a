/* SPDX-License-Identifier: MIT */
/*
 * pvinfo.c — the PV info page at BAR0 + 0x78000 (layout of Linux
 * i915_pvinfo.h): how a guest detects a vGPU, learns its GM ranges and
 * fence count, and announces PPGTT roots (g2v notify). The ranges come
 * from v->part (gm.c); the shadowing itself is ppgtt.c's.
 */
#include <errno.h>

#include "mmio_tables.h"
#include "vgpu_int.h"

#define PVINFO_BASE 0x78000u
#define PV(o)	    (PVINFO_BASE + (o))

#define PVINFO_MAGIC_LO		PV(0x00)
#define PVINFO_MAGIC_HI		PV(0x04)
#define PVINFO_VERSION		PV(0x08) /* major in 15:0, minor in 31:16 */
#define PVINFO_VGT_ID		PV(0x0c)
#define PVINFO_VGT_CAPS		PV(0x10)
#define PVINFO_MAPPABLE_BASE	PV(0x40)
#define PVINFO_MAPPABLE_SIZE	PV(0x44)
#define PVINFO_NONMAPPABLE_BASE PV(0x48)
#define PVINFO_NONMAPPABLE_SIZE PV(0x4c)
#define PVINFO_FENCE_NUM	PV(0x50)
#define PVINFO_DISPLAY_READY	PV(0x804)
#define PVINFO_G2V_NOTIFY	PV(0x818)
#define PVINFO_CURSOR_X_HOT	PV(0x830)
#define PVINFO_CURSOR_Y_HOT	PV(0x834)
#define PVINFO_PDP		PV(0x838) /* pdp[0..3] lo/hi */
#define PVINFO_EXECLIST_DESC	PV(0x858) /* lo/hi */

#define VGT_MAGIC 0x4776544776544776ull /* "vGTvGTvG" */
#define VGT_VERSION_MAJOR 1
#define VGT_VERSION_MINOR 0

/*
 * Capabilities we advertise (i915_pvinfo.h VGT_CAPS_*):
 *   bit 2 FULL_48BIT_PPGTT: the guest may use 4-level PPGTT; we shadow
 *         the PML4 it announces with PPGTT_L4_CREATE.
 *   bit 3 HWSP_EMULATION: the vGPU emulates the hardware status page
 *         writes the guest relies on.
 *   bit 4 HUGE_GTT is NOT set: we do not shadow 2 MiB / 1 GiB entries yet,
 *         so the guest must not use huge pages in its PPGTT.
 */
#define VGT_CAPS_FULL_PPGTT    (1u << 2)
#define VGT_CAPS_HWSP_EMULATION (1u << 3)
#define PVINFO_CAPS (VGT_CAPS_FULL_PPGTT | VGT_CAPS_HWSP_EMULATION)

/* g2v notifications (i915_pvinfo.h enum vgt_g2v_type). */
enum {
	G2V_PPGTT_L3_CREATE = 2,
	G2V_PPGTT_L3_DESTROY = 3,
	G2V_PPGTT_L4_CREATE = 4,
	G2V_PPGTT_L4_DESTROY = 5,
	G2V_EXECLIST_CTX_CREATE = 6,
	G2V_EXECLIST_CTX_DESTROY = 7,
};

/* Identity and ranges: computed from v, so they cannot be written. */
static int
pvinfo_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	switch (off) {
	case PVINFO_MAGIC_LO:
		*val = (uint32_t)VGT_MAGIC;
		break;
	case PVINFO_MAGIC_HI:
		*val = (uint32_t)(VGT_MAGIC >> 32);
		break;
	case PVINFO_VERSION:
		*val = VGT_VERSION_MAJOR | (uint32_t)VGT_VERSION_MINOR << 16;
		break;
	case PVINFO_VGT_ID:
		*val = v->id;
		break;
	case PVINFO_MAPPABLE_BASE:
		*val = (uint32_t)v->part.low_base;
		break;
	case PVINFO_MAPPABLE_SIZE:
		*val = (uint32_t)v->part.low_size;
		break;
	case PVINFO_NONMAPPABLE_BASE:
		*val = (uint32_t)v->part.high_base;
		break;
	case PVINFO_NONMAPPABLE_SIZE:
		*val = (uint32_t)v->part.high_size;
		break;
	case PVINFO_FENCE_NUM:
		*val = v->part.fence_num;
		break;
	default:
		*val = vreg_get(v, off);
		break;
	}
	return 0;
}

static int
pvinfo_ro_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	v->ro_writes++;
	vgpu_warn_once(v, WARN_PVINFO, "write %#x to read-only PV info field %#x", val,
		       off - PVINFO_BASE);
	return 0;
}

static uint64_t
pvinfo_pdp0(struct vgpu *v)
{
	return (uint64_t)vreg_get(v, PVINFO_PDP + 4) << 32 | vreg_get(v, PVINFO_PDP);
}

static int
pvinfo_g2v_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint64_t root = pvinfo_pdp0(v);
	int rc = 0;

	vreg_set(v, off, val);
	switch (val) {
	case G2V_PPGTT_L4_CREATE:
		rc = ppgtt_create_root(v, root, 4);
		break;
	case G2V_PPGTT_L4_DESTROY:
		rc = ppgtt_destroy_root(v, root);
		break;
	case G2V_EXECLIST_CTX_CREATE:
	case G2V_EXECLIST_CTX_DESTROY:
		/* Nothing to do: contexts are found at submission (as GVT-g). */
		break;
	default:
		vgpu_warn_once(v, WARN_PVINFO, "g2v notify %u not supported", val);
		v->stats.bad_access++;
		break;
	}
	if (rc < 0) {
		/* ppgtt.c logged why; the guest gets no shadow, the vGPU carries on. */
		v->stats.bad_access++;
	}
	return 0;
}

/* Rows within the page; anything else in it is an unknown register. */
static const struct mmio_reg pvinfo_regs[] = {
	/* Identity: magic, version, vgt_id, caps (read-only, from v). */
	{ REG(PVINFO_MAGIC_LO), .size = 4, .flags = MF_VIRT | MF_RO, .read = pvinfo_read,
	  .write = pvinfo_ro_write },
	{ REG(PVINFO_MAGIC_HI), .size = 4, .flags = MF_VIRT | MF_RO, .read = pvinfo_read,
	  .write = pvinfo_ro_write },
	{ REG(PVINFO_VERSION), .size = 4, .flags = MF_VIRT | MF_RO, .read = pvinfo_read,
	  .write = pvinfo_ro_write },
	{ REG(PVINFO_VGT_ID), .size = 4, .flags = MF_VIRT | MF_RO, .read = pvinfo_read,
	  .write = pvinfo_ro_write },
	{ REG(PVINFO_VGT_CAPS), .size = 4, .flags = MF_VIRT | MF_RO, .reset = PVINFO_CAPS,
	  .write = pvinfo_ro_write },
	/* avail_rs: the guest's GM ranges and fences (read-only, from v->part). */
	{ REG(PVINFO_MAPPABLE_BASE), .size = 4, .flags = MF_VIRT | MF_RO,
	  .read = pvinfo_read, .write = pvinfo_ro_write },
	{ REG(PVINFO_MAPPABLE_SIZE), .size = 4, .flags = MF_VIRT | MF_RO,
	  .read = pvinfo_read, .write = pvinfo_ro_write },
	{ REG(PVINFO_NONMAPPABLE_BASE), .size = 4, .flags = MF_VIRT | MF_RO,
	  .read = pvinfo_read, .write = pvinfo_ro_write },
	{ REG(PVINFO_NONMAPPABLE_SIZE), .size = 4, .flags = MF_VIRT | MF_RO,
	  .read = pvinfo_read, .write = pvinfo_ro_write },
	{ REG(PVINFO_FENCE_NUM), .size = 4, .flags = MF_VIRT | MF_RO, .read = pvinfo_read,
	  .write = pvinfo_ro_write },
	/* 0 not ready, 1 ready: the guest's display is set up (plain RW). */
	{ REG(PVINFO_DISPLAY_READY), .size = 4, .flags = MF_VIRT },
	/* Guest-to-vGPU notification: acts on the value written. */
	{ REG(PVINFO_G2V_NOTIFY), .size = 4, .flags = MF_VIRT, .write = pvinfo_g2v_write },
	{ REG(PVINFO_CURSOR_X_HOT), .size = 4, .flags = MF_VIRT },
	{ REG(PVINFO_CURSOR_Y_HOT), .size = 4, .flags = MF_VIRT },
	/* PPGTT roots the next g2v notify refers to (plain RW). */
	{ REG(PVINFO_PDP), .size = 4 * 8, .flags = MF_VIRT },
	/* Execlist context descriptor of a context g2v notify (plain RW). */
	{ REG(PVINFO_EXECLIST_DESC), .size = 8, .flags = MF_VIRT },
};

const struct mmio_table pvinfo_mmio_table = {
	.module = "pvinfo",
	.regs = pvinfo_regs,
	.nregs = sizeof(pvinfo_regs) / sizeof(pvinfo_regs[0]),
};
