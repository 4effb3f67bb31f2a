/* SPDX-License-Identifier: MIT */
/*
 * dp_aux.c — the DP AUX channel controllers of DDI A-D (DP_AUX_CH_CTL and
 * its five data registers). A transaction completes the moment the guest
 * sets SEND_BUSY: on the monitor's port the virtual DP 1.2 sink answers
 * native DPCD reads/writes and I2C-over-AUX reads of its EDID (slave 0x50,
 * the same block GMBUS serves); on every other port it times out, as an
 * unplugged connector does. The DDI/pipe side lives in display.c.
 */
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"
#include "mediator/display/edid.h"

/*
 * Registers (i915 display/intel_dp_aux_regs.h, SKL layout): one channel
 * per DDI at 0x64010 + ch * 0x100, data registers DATA1..5 at +4..+0x14.
 */
#define DPA_AUX_CH_CTL	0x64010u
#define AUX_CH_STRIDE	0x100u
#define AUX_NR_CH	4u		/* A, B, C, D */
#define AUX_DATA_REGS	5u
#define AUX_DATA_BYTES	(AUX_DATA_REGS * 4u)

#define AUX_SEND_BUSY	(1u << 31)
#define AUX_DONE	(1u << 30)
/*
 * Interrupt on completion: stored, but no AUX event is raised (irq.c has
 * none); i915 tests SEND_BUSY before it sleeps, and it is already clear.
 */
#define AUX_INTERRUPT	(1u << 29)
#define AUX_TIME_OUT	(1u << 28)
#define AUX_RECV_ERROR	(1u << 25)
#define AUX_SIZE_SHIFT	20
#define AUX_SIZE_MASK	(0x1fu << AUX_SIZE_SHIFT)
/* Status bits the guest clears by writing 1 (i915 intel_dp_aux_xfer). */
#define AUX_W1C		(AUX_DONE | AUX_TIME_OUT | AUX_RECV_ERROR)

/*
 * AUX request header (DP 1.2 §2.7, i915 intel_dp_aux_transfer): byte 0 is
 * request << 4 | address 19:16, bytes 1-2 address 15:0, byte 3 length - 1.
 * Three bytes alone are an I2C "address only" transaction.
 */
#define AUX_HDR_SIZE	  4u
#define AUX_BARE_SIZE	  3u
#define AUX_MAX_PAYLOAD	  16u
#define AUX_REQ_NATIVE	  0x8u		/* else I2C-over-AUX */
#define AUX_REQ_READ	  0x1u		/* native 0x9, I2C 0x1 */
#define AUX_REQ_I2C_MOT	  0x4u		/* middle of transaction: no stop */
/* Reply byte 0: native reply in bits 5:4, I2C reply in bits 7:6. */
#define AUX_REPLY_ACK	  0x00u
#define AUX_REPLY_NACK	  0x10u
#define AUX_REPLY_I2C_NACK 0x40u

#define DDC_EDID_SLAVE	  0x50u

/* DPCD addresses (DP 1.2 §2.9.3; drm_dp.h names). */
#define DPCD_REV		0x000
#define DPCD_MAX_LINK_RATE	0x001
#define DPCD_MAX_LANE_COUNT	0x002
#define DPCD_MAIN_LINK_CODING	0x006
#define DPCD_RECV_PORT0_CAP0	0x008
#define DPCD_TRAINING_PATTERN	0x102
#define DPCD_SINK_COUNT		0x200
#define DPCD_LANE0_1_STATUS	0x202
#define DPCD_LANE2_3_STATUS	0x203
#define DPCD_ALIGN_STATUS	0x204
#define DPCD_SINK_STATUS	0x205
#define DPCD_SET_POWER		0x600

#define LANES_CR_DONE		0x11	/* CR_DONE, both lanes of the pair */
#define LANES_EQ_LOCKED		0x77	/* CR_DONE | EQ_DONE | SYMBOL_LOCKED */

/*
 * The sink: DP 1.2, HBR2 (0x14 = 5.4 Gb/s) x 4 lanes with enhanced
 * framing, 8b/10b, a local EDID, one sink, powered (D0). The same
 * capabilities GVT-g's virtual DP monitor reports (gvt/display.c).
 */
static const struct {
	uint16_t addr;
	uint8_t val;
} dpcd_init[] = {
	{ DPCD_REV, 0x12 },
	{ DPCD_MAX_LINK_RATE, 0x14 },
	{ DPCD_MAX_LANE_COUNT, 0x84 },
	{ DPCD_MAIN_LINK_CODING, 0x01 },
	{ DPCD_RECV_PORT0_CAP0, 0x02 },
	{ DPCD_SINK_COUNT, 0x01 },
	{ DPCD_SET_POWER, 0x01 },
};

/* DPCD ranges a source may write: link configuration, source OUI, power. */
static const struct {
	uint16_t start, end;	/* [start, end) */
} dpcd_writable[] = {
	{ 0x100, 0x200 },
	{ 0x300, 0x400 },
	{ 0x600, 0x700 },
};

void
dp_aux_init(struct vgpu *v)
{
	struct dp_aux_state *a = &v->disp.aux;

	memset(a->dpcd, 0, sizeof(a->dpcd));
	for (unsigned int i = 0; i < sizeof(dpcd_init) / sizeof(dpcd_init[0]); i++)
		a->dpcd[dpcd_init[i].addr] = dpcd_init[i].val;
	a->i2c_offset = 0;
}

/* The guest's request bytes: big-endian within each data register. */
static void
aux_unpack(const struct vgpu *v, uint32_t ctl, uint8_t *buf, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		buf[i] = (uint8_t)(vreg_get(v, ctl + 4 + (i / 4) * 4) >> ((3 - i % 4) * 8));
}

static void
aux_pack(struct vgpu *v, uint32_t ctl, const uint8_t *buf, unsigned int n)
{
	uint32_t w[AUX_DATA_REGS] = { 0 };

	for (unsigned int i = 0; i < n && i < AUX_DATA_BYTES; i++)
		w[i / 4] |= (uint32_t)buf[i] << ((3 - i % 4) * 8);
	for (unsigned int i = 0; i < AUX_DATA_REGS; i++)
		vreg_set(v, ctl + 4 + i * 4, w[i]);
}

static bool
dpcd_is_writable(unsigned int addr)
{
	for (unsigned int i = 0; i < sizeof(dpcd_writable) / sizeof(dpcd_writable[0]); i++)
		if (addr >= dpcd_writable[i].start && addr < dpcd_writable[i].end)
			return true;
	return false;
}

/*
 * Link training as a sink that always locks: the pattern written to
 * TRAINING_PATTERN_SET is reported done in the lane status (DP 1.2 §3.5.1).
 */
static void
dpcd_training(uint8_t *dpcd, uint8_t pattern)
{
	switch (pattern & 0x3) {
	case 1:		/* clock recovery */
		dpcd[DPCD_LANE0_1_STATUS] = LANES_CR_DONE;
		dpcd[DPCD_LANE2_3_STATUS] = LANES_CR_DONE;
		dpcd[DPCD_ALIGN_STATUS] = 0;
		break;
	case 2:		/* channel equalisation (TPS2/TPS3) */
	case 3:
		dpcd[DPCD_LANE0_1_STATUS] = LANES_EQ_LOCKED;
		dpcd[DPCD_LANE2_3_STATUS] = LANES_EQ_LOCKED;
		dpcd[DPCD_ALIGN_STATUS] = 0x01;	/* INTERLANE_ALIGN_DONE */
		break;
	default:	/* training off: the receiver is in sync */
		dpcd[DPCD_SINK_STATUS] = 0x01;
		break;
	}
}

/*
 * Native AUX: read (DP spec: unsupported addresses read as 0, ACKed) or
 * write (unsupported addresses NACKed; read-only ones ignored).
 * Returns the reply length written to rep.
 */
static unsigned int
aux_native(struct dp_aux_state *a, const uint8_t *req, unsigned int n, uint8_t *rep)
{
	unsigned int addr = ((req[0] & 0xfu) << 16) | (unsigned int)req[1] << 8 | req[2];
	unsigned int len = (unsigned int)req[3] + 1;

	if (len > AUX_MAX_PAYLOAD) {
		rep[0] = AUX_REPLY_NACK;
		return 1;
	}
	if (req[0] >> 4 & AUX_REQ_READ) {
		rep[0] = AUX_REPLY_ACK;
		for (unsigned int i = 0; i < len; i++)
			rep[1 + i] = addr + i < DP_AUX_DPCD_SIZE ? a->dpcd[addr + i] : 0;
		return 1 + len;
	}
	if (n < AUX_HDR_SIZE + len || addr + len > DP_AUX_DPCD_SIZE) {
		rep[0] = AUX_REPLY_NACK;
		return 1;
	}
	for (unsigned int i = 0; i < len; i++) {
		if (!dpcd_is_writable(addr + i))
			continue;
		a->dpcd[addr + i] = req[AUX_HDR_SIZE + i];
		if (addr + i == DPCD_TRAINING_PATTERN)
			dpcd_training(a->dpcd, req[AUX_HDR_SIZE + i]);
	}
	rep[0] = AUX_REPLY_ACK;
	return 1;
}

/*
 * I2C-over-AUX to the monitor's DDC: slave 0x50 is the EDID EEPROM (a
 * one-byte write sets its address, reads stream from it, wrapping at 256,
 * 0xff past the 128-byte block, as over GMBUS); other slaves NACK.
 */
static unsigned int
aux_i2c(struct vgpu *v, const uint8_t *req, unsigned int n, uint8_t *rep)
{
	struct dp_aux_state *a = &v->disp.aux;
	unsigned int slave = ((req[0] & 0xfu) << 16) | (unsigned int)req[1] << 8 | req[2];
	unsigned int len;

	if (slave != DDC_EDID_SLAVE) {
		rep[0] = AUX_REPLY_I2C_NACK;
		return 1;
	}
	rep[0] = AUX_REPLY_ACK;
	if (n == AUX_BARE_SIZE)		/* address only: start/stop, no data */
		return 1;
	len = (unsigned int)req[3] + 1;
	if (len > AUX_MAX_PAYLOAD) {
		rep[0] = AUX_REPLY_I2C_NACK;
		return 1;
	}
	if (req[0] >> 4 & AUX_REQ_READ) {
		for (unsigned int i = 0; i < len; i++) {
			rep[1 + i] = a->i2c_offset < EDID_BLOCK_SIZE ? v->disp.edid[a->i2c_offset]
								     : 0xff;
			a->i2c_offset++;	/* uint8_t: wraps at 256 */
		}
		return 1 + len;
	}
	/* A write: its first byte is the EEPROM address; the EEPROM is read-only. */
	a->i2c_offset = req[AUX_HDR_SIZE];
	return 1;
}

/*
 * One transaction on channel ch, request size n taken from the control
 * register. Returns the control bits of the outcome (DONE, errors, size).
 */
static uint32_t
aux_transact(struct vgpu *v, unsigned int ch, uint32_t ctl, unsigned int n)
{
	uint8_t req[AUX_DATA_BYTES], rep[AUX_DATA_BYTES];
	unsigned int rlen;

	v->disp.aux.transactions++;
	if (ch != DISPLAY_MONITOR_PORT || v->cfg.monitor_hdmi)
		return AUX_DONE | AUX_TIME_OUT;	/* no DP sink plugged in */
	/* A request the sink cannot parse gets no reply: time out. */
	if (n < AUX_BARE_SIZE || n > AUX_DATA_BYTES) {
		log_dbg(DBG_DISPLAY, "%s: AUX %c: bad request size %u", v->tag, 'A' + ch, n);
		return AUX_DONE | AUX_TIME_OUT;
	}
	aux_unpack(v, ctl, req, n);
	if (req[0] >> 4 & AUX_REQ_NATIVE) {
		if (n < AUX_HDR_SIZE)	/* native requests always carry a length */
			return AUX_DONE | AUX_TIME_OUT;
		rlen = aux_native(&v->disp.aux, req, n, rep);
	} else {
		/* An I2C write with a length but without its data byte. */
		if (n == AUX_HDR_SIZE && !(req[0] >> 4 & AUX_REQ_READ))
			return AUX_DONE | AUX_TIME_OUT;
		rlen = aux_i2c(v, req, n, rep);
	}
	aux_pack(v, ctl, rep, rlen);
	return AUX_DONE | (uint32_t)rlen << AUX_SIZE_SHIFT;
}

/*
 * DP_AUX_CH_CTL: DONE and the error bits are write-1-to-clear; the other
 * control fields are stored; SEND_BUSY starts a transaction that is over
 * before the write returns, so SEND_BUSY never reads back as 1.
 */
static int
dp_aux_ctl_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	unsigned int ch = (off - DPA_AUX_CH_CTL) / AUX_CH_STRIDE;
	uint32_t status = vreg_get(v, off) & AUX_W1C & ~(val & AUX_W1C);
	uint32_t nv = (val & ~(AUX_W1C | AUX_SEND_BUSY)) | status;

	if (val & AUX_SEND_BUSY) {
		unsigned int n = (val & AUX_SIZE_MASK) >> AUX_SIZE_SHIFT;

		nv &= ~(AUX_W1C | AUX_SIZE_MASK);
		nv |= aux_transact(v, ch, off, n);
	}
	vreg_set(v, off, nv);
	return 0;
}

#define AUX_ROWS(ch, C)                                                                 \
	{ .off = DPA_AUX_CH_CTL + (ch) * AUX_CH_STRIDE, .name = "DP_AUX_CH_CTL_" C,        \
	  .size = 4, .flags = MF_VIRT, .write = dp_aux_ctl_write },                        \
	{ .off = DPA_AUX_CH_CTL + (ch) * AUX_CH_STRIDE + 4, .name = "DP_AUX_CH_DATA_" C,   \
	  .size = AUX_DATA_BYTES, .flags = MF_VIRT }

static const struct mmio_reg dp_aux_regs[] = {
	AUX_ROWS(0, "A"),
	AUX_ROWS(1, "B"),
	AUX_ROWS(2, "C"),
	AUX_ROWS(3, "D"),
};
const struct mmio_table dp_aux_mmio_table = { "dp_aux", dp_aux_regs,
					      sizeof(dp_aux_regs) / sizeof(dp_aux_regs[0]) };
