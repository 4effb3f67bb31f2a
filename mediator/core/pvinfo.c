/* SPDX-License-Identifier: MIT */
/*
 * pvinfo.c — the PV info page at BAR0 + 0x78000 (layout of Linux
 * i915_pvinfo.h): how a guest detects a vGPU, learns its GM ranges and
 * fence count, and announces PPGTT roots (g2v notify). The ranges come
 * from v->part (gm.c); the shadowing itself is ppgtt.c's.
 */
#include <errno.h>

#include "mediator/regs/mmio_tables.h"
#include "mediator/core/vgpu_int.h"

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
 *         every level under the PML4 it announces with PPGTT_L4_CREATE
 *         (and the four page directories of PPGTT_L3_CREATE).
 *   bit 3 HWSP_EMULATION: the vGPU emulates the hardware status page
 *         writes the guest relies on: every CSB entry and the CSB write
 *         pointer go into the guest's global status page (HWS_PGA, dwords
 *         0x10.. and 0x1f), which i915 reads instead of the CSB registers
 *         (exec/execlist.c csb_push; tests/unit/test_execlist.c).
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

/* ---- fields computed from v (identity, ranges): read-only ---- */

static uint32_t pv_magic_lo(const struct vgpu *v) { (void)v; return (uint32_t)VGT_MAGIC; }
static uint32_t pv_magic_hi(const struct vgpu *v) { (void)v; return (uint32_t)(VGT_MAGIC >> 32); }
static uint32_t
pv_version(const struct vgpu *v)
{
	(void)v;
	return VGT_VERSION_MAJOR | (uint32_t)VGT_VERSION_MINOR << 16;
}
static uint32_t pv_caps(const struct vgpu *v) { (void)v; return PVINFO_CAPS; }
static uint32_t pv_vgt_id(const struct vgpu *v) { return v->id; }
static uint32_t pv_low_base(const struct vgpu *v) { return (uint32_t)v->part.low_base; }
static uint32_t pv_low_size(const struct vgpu *v) { return (uint32_t)v->part.low_size; }
static uint32_t pv_high_base(const struct vgpu *v) { return (uint32_t)v->part.high_base; }
static uint32_t pv_high_size(const struct vgpu *v) { return (uint32_t)v->part.high_size; }
static uint32_t pv_fence_num(const struct vgpu *v) { return v->part.fence_num; }

static int pvinfo_g2v_write(struct vgpu *v, uint32_t off, uint32_t val);

/*
 * The fields of the page (i915_pvinfo.h struct vgt_if), sorted by offset.
 * get: computed read-only field (writes dropped and counted as read-only);
 * NULL: a guest-writable field kept in the register file, with write
 * (NULL = store the value). reset: value at vGPU creation; the cursor
 * hot-spot starts at UINT32_MAX ("none"), as GVT-g's populate_pvinfo_page
 * sets it. Any other offset of the page is reserved: reads 0, writes
 * dropped with one log line (not the unknown-register policy: the page is
 * ours, the guest just wrote a field we do not define).
 */
static const struct pvinfo_field {
	uint32_t off;	/* BAR0 offset of the first dword */
	uint32_t size;	/* bytes */
	const char *name;
	uint32_t (*get)(const struct vgpu *v);
	mmio_write_fn *write;
	uint32_t reset;
} pvinfo_fields[] = {
	{ PVINFO_MAGIC_LO, 4, "magic_lo", pv_magic_lo, NULL, 0 },
	{ PVINFO_MAGIC_HI, 4, "magic_hi", pv_magic_hi, NULL, 0 },
	{ PVINFO_VERSION, 4, "version", pv_version, NULL, 0 },
	{ PVINFO_VGT_ID, 4, "vgt_id", pv_vgt_id, NULL, 0 },
	{ PVINFO_VGT_CAPS, 4, "vgt_caps", pv_caps, NULL, 0 },
	{ PVINFO_MAPPABLE_BASE, 4, "mappable_base", pv_low_base, NULL, 0 },
	{ PVINFO_MAPPABLE_SIZE, 4, "mappable_size", pv_low_size, NULL, 0 },
	{ PVINFO_NONMAPPABLE_BASE, 4, "nonmappable_base", pv_high_base, NULL, 0 },
	{ PVINFO_NONMAPPABLE_SIZE, 4, "nonmappable_size", pv_high_size, NULL, 0 },
	{ PVINFO_FENCE_NUM, 4, "fence_num", pv_fence_num, NULL, 0 },
	/* 0 not ready, 1 ready: the guest's display is set up. */
	{ PVINFO_DISPLAY_READY, 4, "display_ready", NULL, NULL, 0 },
	/* Guest-to-vGPU notification: acts on the value written. */
	{ PVINFO_G2V_NOTIFY, 4, "g2v_notify", NULL, pvinfo_g2v_write, 0 },
	{ PVINFO_CURSOR_X_HOT, 4, "cursor_x_hot", NULL, NULL, UINT32_MAX },
	{ PVINFO_CURSOR_Y_HOT, 4, "cursor_y_hot", NULL, NULL, UINT32_MAX },
	/* PPGTT roots the next g2v notify refers to. */
	{ PVINFO_PDP, 4 * 8, "pdp", NULL, NULL, 0 },
	/* Execlist context descriptor of a context g2v notify. */
	{ PVINFO_EXECLIST_DESC, 8, "execlist_context_descriptor", NULL, NULL, 0 },
};
#define PVINFO_NR_FIELDS (sizeof(pvinfo_fields) / sizeof(pvinfo_fields[0]))

/* The field covering BAR0 offset off, or NULL (binary search: sorted table). */
static const struct pvinfo_field *
pvinfo_field(uint32_t off)
{
	size_t lo = 0, hi = PVINFO_NR_FIELDS;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct pvinfo_field *f = &pvinfo_fields[mid];

		if (off < f->off)
			hi = mid;
		else if (off >= f->off + f->size)
			lo = mid + 1;
		else
			return f;
	}
	return NULL;
}

static int
pvinfo_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	const struct pvinfo_field *f = pvinfo_field(off);

	if (!f)
		*val = 0;	/* reserved */
	else if (f->get)
		*val = f->get(v);
	else
		*val = vreg_get(v, off);
	return 0;
}

static int
pvinfo_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	const struct pvinfo_field *f = pvinfo_field(off);

	if (!f) {
		v->stats.bad_access++;
		vgpu_warn_once(v, WARN_PVINFO_UNDEF,
			       "write %#x to undefined PV info offset %#x dropped", val,
			       off - PVINFO_BASE);
		return 0;
	}
	if (f->get) {
		v->ro_writes++;
		vgpu_warn_once(v, WARN_PVINFO, "write %#x to read-only PV info field %s", val,
			       f->name);
		return 0;
	}
	if (f->write)
		return f->write(v, off, val);
	vreg_set(v, off, val);
	return 0;
}
static uint64_t
pvinfo_pdp(struct vgpu *v, unsigned int n)
{
	return (uint64_t)vreg_get(v, PVINFO_PDP + 8 * n + 4) << 32 | vreg_get(v, PVINFO_PDP + 8 * n);
}

/*
 * PPGTT_L3_CREATE/DESTROY: a legacy 32-bit PPGTT, pdp[0..3] its four page
 * directories (i915 gen8_ppgtt_notify_vgt: each PDP in use; 0 = none).
 * Each is a 3-level root of its own; the first failure is the answer.
 */
static int
pvinfo_l3(struct vgpu *v, bool create)
{
	int rc = 0;

	for (unsigned int n = 0; n < 4; n++) {
		uint64_t pd = pvinfo_pdp(v, n);
		int r;

		if (!pd)
			continue;
		r = create ? ppgtt_create_root(v, pd, 3) : ppgtt_destroy_root(v, pd, 3);
		if (r < 0 && !rc)
			rc = r;
	}
	return rc;
}

static int
pvinfo_g2v_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint64_t root = pvinfo_pdp(v, 0);
	int rc = 0;

	vreg_set(v, off, val);
	switch (val) {
	case G2V_PPGTT_L4_CREATE:
		rc = ppgtt_create_root(v, root, 4);
		break;
	case G2V_PPGTT_L4_DESTROY:
		rc = ppgtt_destroy_root(v, root, 4);
		break;
	case G2V_PPGTT_L3_CREATE:
	case G2V_PPGTT_L3_DESTROY:
		rc = pvinfo_l3(v, val == G2V_PPGTT_L3_CREATE);
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

void
pvinfo_reset_regs(struct vgpu *t)
{
	for (size_t i = 0; i < PVINFO_NR_FIELDS; i++) {
		const struct pvinfo_field *f = &pvinfo_fields[i];

		for (uint32_t o = 0; !f->get && o < f->size; o += 4)
			vreg_set(t, f->off + o, f->reset);
	}
}

/* One row for the whole page; pvinfo_fields[] says what each offset is. */
#define PVINFO_PAGE PVINFO_BASE
static const struct mmio_reg pvinfo_regs[] = {
	{ REG(PVINFO_PAGE), .size = 0x1000, .flags = MF_VIRT | MF_NOLOG, .read = pvinfo_read,
	  .write = pvinfo_write },
};

const struct mmio_table pvinfo_mmio_table = {
	.module = "pvinfo",
	.regs = pvinfo_regs,
	.nregs = sizeof(pvinfo_regs) / sizeof(pvinfo_regs[0]),
};
