/* SPDX-License-Identifier: MIT */
/*
 * opregion.c — the vGPU's OpRegion and VBT, and ASLS: what the firmware's
 * write of PCI config 0xfc publishes where. The content is data: a table
 * of header fields and one child device per monitor type, laid out as
 * i915 reads them (display/intel_opregion.c intel_opregion_setup,
 * display/intel_bios.c intel_bios_is_valid_vbt, parse_general_definitions,
 * parse_ddi_port). Publishing goes through hv_ops only: guest RAM
 * (write_gpa: SeaBIOS's etc/igd-opregion copy under QEMU) or a claimed
 * MMIO range served here (hvmloader's hole pages under Xen). docs/opregion.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/display/opregion.h"

/* ---- content ---- */

/* OpRegion version 2.0 (major at +3 of "over"): no RVDA, no headless bit. */
#define OPREGION_MAJOR	  2u
/* The VBT: BDB 155 takes 33-byte children and none of the 158+ fields. */
#define VBT_VERSION	  100u
#define BDB_VERSION	  155u
#define VBT_SIGNATURE	  "$VBT SKYLAKE"
#define BDB_SIGNATURE	  "BIOS_DATA_BLOCK"
/* Child device handle of the first external port (DEVICE_HANDLE_EFP1). */
#define VBT_HANDLE_EFP1	  0x0004u
#define VBT_DP_AUX_D	  0x30u	/* child aux_channel DP_AUX_D */
#define VBT_GMBUS_PIN_DPD 6u	/* child ddc_pin: GMBUS pin of port D */

/* Offsets inside the OpRegion of the VBT parts. */
#define BDB_OFF		  (OPREGION_VBT_OFF + VBT_HDR_LEN)
#define BLK_OFF		  (BDB_OFF + BDB_HDR_LEN)	/* the first block's id */
#define GENDEFS_LEN	  (BDB_GENDEFS_HDR_LEN + VBT_CHILD_SIZE)
#define CHILD_OFF	  (BLK_OFF + 3 + BDB_GENDEFS_HDR_LEN)
#define BDB_LEN		  (BDB_HDR_LEN + 3 + GENDEFS_LEN)
#define VBT_LEN		  (VBT_HDR_LEN + BDB_LEN)

/* A little-endian field of the OpRegion: width 1, 2 or 4 bytes. */
struct opr_field {
	uint16_t off;
	uint8_t width;
	uint32_t val;
};

static const struct opr_field opr_fields[] = {
	{ OPREGION_HDR_SIZE, 4, OPREGION_SIZE / 1024 },
	{ OPREGION_HDR_OVER + 3, 1, OPREGION_MAJOR },
	{ OPREGION_HDR_MBOXES, 4, OPREGION_MBOX_VBT },
	/* VBT header */
	{ OPREGION_VBT_OFF + VBT_OFF_VERSION, 2, VBT_VERSION },
	{ OPREGION_VBT_OFF + VBT_OFF_HDR_SIZE, 2, VBT_HDR_LEN },
	{ OPREGION_VBT_OFF + VBT_OFF_VBT_SIZE, 2, VBT_LEN },
	{ OPREGION_VBT_OFF + VBT_OFF_BDB_OFFSET, 4, VBT_HDR_LEN },
	/* BDB header */
	{ BDB_OFF + BDB_OFF_VERSION, 2, BDB_VERSION },
	{ BDB_OFF + BDB_OFF_HDR_SIZE, 2, BDB_HDR_LEN },
	{ BDB_OFF + BDB_OFF_BDB_SIZE, 2, BDB_LEN },
	/* Block 2, general definitions: id, size, then its header; no CRT DDC pin. */
	{ BLK_OFF, 1, BDB_GENERAL_DEFINITIONS },
	{ BLK_OFF + 1, 2, GENDEFS_LEN },
	{ BLK_OFF + 3 + BDB_GENDEFS_CHILD_SIZE, 1, VBT_CHILD_SIZE },
	/* Its one child: the monitor's port (the rest per monitor type, below). */
	{ CHILD_OFF + CHILD_OFF_HANDLE, 2, VBT_HANDLE_EFP1 },
};

/*
 * The child device per monitor type: DDI D only, one signal each, so i915
 * makes exactly one connector (intel_ddi_init: DP if DEVICE_TYPE bit 2,
 * HDMI if TMDS without NOT_HDMI) and no port A eDP.
 */
static const struct opr_field child_dp[] = {
	{ CHILD_OFF + CHILD_OFF_DEVICE_TYPE, 2, VBT_DEVICE_TYPE_DP },
	{ CHILD_OFF + CHILD_OFF_DVO_PORT, 1, VBT_DVO_PORT_DPD },
	{ CHILD_OFF + CHILD_OFF_AUX_CHANNEL, 1, VBT_DP_AUX_D },
};
static const struct opr_field child_hdmi[] = {
	{ CHILD_OFF + CHILD_OFF_DEVICE_TYPE, 2, VBT_DEVICE_TYPE_HDMI },
	{ CHILD_OFF + CHILD_OFF_DVO_PORT, 1, VBT_DVO_PORT_HDMID },
	{ CHILD_OFF + CHILD_OFF_DDC_PIN, 1, VBT_GMBUS_PIN_DPD },
};

_Static_assert(OPREGION_VBT_OFF + VBT_LEN <= OPREGION_SIZE, "VBT fits mailbox 4");
_Static_assert(CHILD_OFF_AUX_CHANNEL < VBT_CHILD_SIZE, "child layout");

static void
put_fields(uint8_t *out, const struct opr_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (unsigned int b = 0; b < f[i].width; b++)
			out[f[i].off + b] = (uint8_t)(f[i].val >> (8 * b));
}

uint8_t
opregion_vbt_sum(const uint8_t *opregion)
{
	const uint8_t *vbt = opregion + OPREGION_VBT_OFF;
	unsigned int len = vbt[VBT_OFF_VBT_SIZE] | vbt[VBT_OFF_VBT_SIZE + 1] << 8;
	uint8_t sum = 0;

	if (len > OPREGION_VBT_MAX)
		len = OPREGION_VBT_MAX;
	for (unsigned int i = 0; i < len; i++)
		sum = (uint8_t)(sum + vbt[i]);
	return sum;
}

void
opregion_build(uint8_t *out, bool hdmi)
{
	uint8_t *vbt = out + OPREGION_VBT_OFF;

	memset(out, 0, OPREGION_SIZE);
	memcpy(out, OPREGION_SIG, strlen(OPREGION_SIG));
	/* VBT signature padded with spaces to its 20 bytes, as BIOSes ship it. */
	memset(vbt, ' ', VBT_SIG_LEN);
	memcpy(vbt, VBT_SIGNATURE, strlen(VBT_SIGNATURE));
	memcpy(out + BDB_OFF, BDB_SIGNATURE, strlen(BDB_SIGNATURE));
	put_fields(out, opr_fields, sizeof(opr_fields) / sizeof(opr_fields[0]));
	if (hdmi)
		put_fields(out, child_hdmi, sizeof(child_hdmi) / sizeof(child_hdmi[0]));
	else
		put_fields(out, child_dp, sizeof(child_dp) / sizeof(child_dp[0]));
	/* The checksum byte makes the VBT's bytes sum to 0 (mod 256). */
	vbt[VBT_OFF_CHECKSUM] = (uint8_t)(0x100 - opregion_vbt_sum(out));
}

/* ---- module ---- */

int
opregion_init(struct vgpu *v)
{
	struct opregion_state *o = &v->opr;

	o->buf = calloc(1, OPREGION_SIZE);
	if (!o->buf)
		return -ENOMEM;
	opregion_build(o->buf, v->cfg.monitor_hdmi);
	return 0;
}

/* Drop the MMIO claim if any; false if the hypervisor refused (kept, retried). */
static bool
opregion_unclaim(struct vgpu *v)
{
	struct opregion_state *o = &v->opr;
	int rc;

	if (!o->claimed)
		return true;
	rc = v->hv_ops->claim_io(v->hv, true, o->claim_base, o->claim_base + OPREGION_SIZE - 1, false);
	if (rc < 0) {
		o->release_failed++;
		vgpu_warn_once(v, WARN_HV_RELEASE, "OpRegion at %#llx: unclaim failed: %d (kept, retried)",
			       (unsigned long long)o->claim_base, rc);
		return false;
	}
	o->claimed = false;
	return true;
}

/* Withdraw what is published: ASLS reads 0 (an unclaim failure is retried later). */
static void
opregion_withdraw(struct vgpu *v)
{
	opregion_unclaim(v);
	v->opr.asls = 0;
	v->opr.where = OPREGION_NONE;
}

void
opregion_fini(struct vgpu *v)
{
	struct opregion_state *o = &v->opr;

	/* One retry, as for the BARs (cfg_space_fini). */
	if (!opregion_unclaim(v) && !opregion_unclaim(v))
		vgpu_log(v, LOG_ERR, "OpRegion at %#llx still claimed: release failed",
			 (unsigned long long)o->claim_base);
	free(o->buf);
	o->buf = NULL;
}

/* A whole-device reset clears ASLS, as at power-on (gvt/cfg_space.c). */
void
opregion_reset(struct vgpu *v, uint32_t domains)
{
	if (domains == VGPU_RESET_ALL)
		opregion_withdraw(v);
}

static int
opregion_refuse(struct vgpu *v, uint32_t asls, const char *why, int rc)
{
	v->opr.refused++;
	vgpu_warn_once(v, WARN_OPREGION, "ASLS %#x refused: %s (%d)", asls, why, rc);
	return rc;
}

int
opregion_set_asls(struct vgpu *v, uint32_t asls)
{
	struct opregion_state *o = &v->opr;
	uint64_t end = (uint64_t)asls + OPREGION_SIZE - 1;
	int rc;

	if (asls == o->asls && o->where == OPREGION_MMIO)
		return 0; /* the same claim: nothing to do */
	opregion_withdraw(v);
	if (!asls)
		return 0;
	if (asls & 0xfff)
		return opregion_refuse(v, asls, "not page aligned", -EINVAL);
	if (end > 0xffffffffull)
		return opregion_refuse(v, asls, "runs past 4 GiB", -EINVAL);
	if (cfg_space_mem_overlaps(v, asls, end))
		return opregion_refuse(v, asls, "overlaps a BAR of the vGPU", -EINVAL);
	/* Guest RAM (SeaBIOS reserved it): the guest gets its own copy there. */
	if (v->hv_ops->write_gpa(v->hv, asls, o->buf, OPREGION_SIZE) == 0) {
		o->asls = asls;
		o->where = OPREGION_RAM;
		vgpu_log(v, LOG_INFO, "OpRegion copied to guest RAM at %#x", asls);
		return 0;
	}
	/* Not RAM (hvmloader's hole pages): trap the range and serve it. */
	if (o->claimed)
		return opregion_refuse(v, asls, "the old claim is still held", -EBUSY);
	rc = v->hv_ops->claim_io(v->hv, true, asls, end, true);
	if (rc < 0)
		return opregion_refuse(v, asls, "neither guest RAM nor claimable", rc);
	o->claimed = true;
	o->claim_base = asls;
	o->asls = asls;
	o->where = OPREGION_MMIO;
	vgpu_log(v, LOG_INFO, "OpRegion served as MMIO at %#x", asls);
	return 0;
}

bool
opregion_hit(const struct vgpu *v, uint64_t gpa)
{
	const struct opregion_state *o = &v->opr;

	return o->where == OPREGION_MMIO && gpa >= o->claim_base &&
	       gpa - o->claim_base < OPREGION_SIZE;
}

int
opregion_access(struct vgpu *v, bool write, uint64_t gpa, unsigned int size, uint64_t *val)
{
	struct opregion_state *o = &v->opr;
	uint64_t off = gpa - o->claim_base;

	o->traps++;
	if (size > OPREGION_SIZE - off) {
		vgpu_warn_once(v, WARN_OPREGION, "OpRegion access past its end at %#llx size %u",
			       (unsigned long long)gpa, size);
		v->stats.bad_access++;
		if (!write)
			*val = ~0ull;
		return 0;
	}
	if (!write) {
		*val = 0;
		for (unsigned int i = 0; i < size; i++)
			*val |= (uint64_t)o->buf[off + i] << (8 * i);
		return 0;
	}
	if (off < OPREGION_MBOX1_OFF || off + size > OPREGION_MBOX3_END) {
		v->ro_writes++;
		vgpu_warn_once(v, WARN_OPREGION, "write to the OpRegion %s at %#llx dropped",
			       off < OPREGION_MBOX1_OFF ? "header" : "VBT",
			       (unsigned long long)gpa);
		return 0;
	}
	for (unsigned int i = 0; i < size; i++)
		o->buf[off + i] = (uint8_t)(*val >> (8 * i));
	return 0;
}

void
opregion_trap_rows(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n)
{
	const struct opregion_state *o = &v->opr;

	if (o->where == OPREGION_MMIO)
		vgpu_trap_row(rows, max, n, TRAP_IOREQ_MMIO, o->claim_base,
			      o->claim_base + OPREGION_SIZE - 1, "OpRegion", o->traps);
}

void
opregion_stats(struct vgpu *v, struct vgpu_stats *out)
{
	out->hv_release_failed += v->opr.release_failed;
}
