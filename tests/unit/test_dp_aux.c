/* SPDX-License-Identifier: MIT */
/*
 * test_dp_aux.c — the DP AUX channels (mediator/display/dp_aux.c) driven the way
 * i915's intel_dp_aux_xfer drives them: the whole DPCD of the monitor on
 * DDI D, its EDID over I2C-over-AUX, link training status, timeouts on
 * the empty ports, and malformed requests.
 */
#include <string.h>

#include "mediator/display/edid.h"
#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"
#include "tests/unit/reg.h"

#define AUX_CTL(ch)	(0x64010u + (ch) * 0x100u)
#define AUX_DATA(ch, i) (AUX_CTL(ch) + 4u + (i) * 4u)
#define AUX_D		3u

#define SEND_BUSY  (1u << 31)
#define DONE	   (1u << 30)
#define INTERRUPT  (1u << 29)
#define TIME_OUT   (1u << 28)
#define TIMEOUT_MAX (3u << 26)
#define RECV_ERROR (1u << 25)
#define SIZE(x)	   ((uint32_t)(x) << 20)
#define SIZE_OF(c) (((c) >> 20) & 0x1fu)

#define NATIVE_WRITE 0x8u
#define NATIVE_READ  0x9u
#define I2C_WRITE    0x0u
#define I2C_READ     0x1u
#define I2C_MOT	     0x4u

/* The whole default vGPU (domid 7), driven through the register dispatcher. */
static void
rig_up(struct fake_setup *r)
{
	CU_ASSERT_FATAL(fake_setup_whole(r, 7, NULL) == 0);
}

/*
 * One transaction as intel_dp_aux_xfer does it: pack the request
 * big-endian into DATA1..5, write CTL with SEND_BUSY, the W1C status bits,
 * interrupt enable and the send size, read the status back, unpack the
 * reply, then clear DONE/errors by writing the status back. Returns the
 * status read after the transaction; rep gets SIZE_OF(status) bytes.
 */
static uint32_t
aux_xfer_raw(struct vgpu *v, unsigned int ch, const uint8_t *req, unsigned int send,
	     unsigned int size_field, uint8_t *rep)
{
	uint32_t st;

	for (unsigned int i = 0; i < send && i < 20; i += 4) {
		uint32_t w = 0;

		for (unsigned int b = 0; b < 4 && i + b < send; b++)
			w |= (uint32_t)req[i + b] << (24 - 8 * b);
		reg_wr(v, AUX_DATA(ch, i / 4), w);
	}
	reg_wr(v, AUX_CTL(ch), SEND_BUSY | DONE | TIME_OUT | RECV_ERROR | INTERRUPT | TIMEOUT_MAX |
				   SIZE(size_field));
	st = reg_rd(v, AUX_CTL(ch));
	for (unsigned int i = 0; rep && i < SIZE_OF(st) && i < 20; i++)
		rep[i] = (uint8_t)(reg_rd(v, AUX_DATA(ch, i / 4)) >> (24 - 8 * (i % 4)));
	reg_wr(v, AUX_CTL(ch), st | DONE | TIME_OUT | RECV_ERROR);
	CU_ASSERT_EQUAL(reg_rd(v, AUX_CTL(ch)) & (SEND_BUSY | DONE | TIME_OUT | RECV_ERROR), 0);
	return st;
}

static uint32_t
aux_xfer(struct vgpu *v, unsigned int ch, const uint8_t *req, unsigned int send, uint8_t *rep)
{
	return aux_xfer_raw(v, ch, req, send, send, rep);
}

/* Header of a request: request, 20-bit address, length (0: address only). */
static unsigned int
aux_hdr(uint8_t *req, unsigned int request, unsigned int addr, unsigned int len)
{
	req[0] = (uint8_t)(request << 4 | ((addr >> 16) & 0xf));
	req[1] = (uint8_t)(addr >> 8);
	req[2] = (uint8_t)addr;
	if (!len)
		return 3;
	req[3] = (uint8_t)(len - 1);
	return 4;
}

/* A native DPCD read of len bytes that must succeed with an ACK. */
static void
dpcd_read(struct vgpu *v, unsigned int addr, unsigned int len, uint8_t *out)
{
	uint8_t req[20], rep[20];
	uint32_t st = aux_xfer(v, AUX_D, req, aux_hdr(req, NATIVE_READ, addr, len), rep);

	CU_ASSERT(st & DONE);
	CU_ASSERT_FALSE(st & (SEND_BUSY | TIME_OUT | RECV_ERROR));
	CU_ASSERT(st & INTERRUPT);		/* the guest's control bits stay */
	CU_ASSERT_EQUAL(SIZE_OF(st), len + 1);
	CU_ASSERT_EQUAL(rep[0], 0x00);		/* AUX_ACK */
	memcpy(out, rep + 1, len);
}

static uint8_t
dpcd_write1(struct vgpu *v, unsigned int addr, uint8_t val)
{
	uint8_t req[20], rep[20];
	unsigned int n = aux_hdr(req, NATIVE_WRITE, addr, 1);
	uint32_t st;

	req[n] = val;
	st = aux_xfer(v, AUX_D, req, n + 1, rep);
	CU_ASSERT_EQUAL(st & (DONE | TIME_OUT), DONE);
	CU_ASSERT_EQUAL(SIZE_OF(st), 1);
	return rep[0];
}

static void
test_dp_aux_dpcd_read(void)
{
	struct fake_setup r;
	uint8_t buf[16], all[DP_AUX_DPCD_SIZE];

	rig_up(&r);
	/* Receiver capabilities as drm_dp_read_dpcd_caps reads them. */
	dpcd_read(r.v, 0x000, 15, buf);
	CU_ASSERT_EQUAL(buf[0], 0x12);		/* DPCD_REV 1.2 */
	CU_ASSERT_EQUAL(buf[1], 0x14);		/* HBR2 */
	CU_ASSERT_EQUAL(buf[2], 0x84);		/* 4 lanes, enhanced framing */
	CU_ASSERT_EQUAL(buf[14] & 0x80, 0);	/* no extended caps at 0x2200 */
	dpcd_read(r.v, 0x200, 1, buf);
	CU_ASSERT_EQUAL(buf[0], 1);		/* SINK_COUNT */
	dpcd_read(r.v, 0x021, 1, buf);
	CU_ASSERT_EQUAL(buf[0], 0);		/* no MST */
	/* The whole backed DPCD, 16 bytes at a time, equals the sink's. */
	for (unsigned int a = 0; a < DP_AUX_DPCD_SIZE; a += 16)
		dpcd_read(r.v, a, 16, all + a);
	CU_ASSERT(memcmp(all, r.v->disp.aux.dpcd, sizeof(all)) == 0);
	/* Unsupported addresses (LTTPR caps 0xf0000, 0x2200): ACK, zeros. */
	memset(buf, 0xaa, sizeof(buf));
	dpcd_read(r.v, 0xf0000, 8, buf);
	for (unsigned int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(buf[i], 0);
	dpcd_read(r.v, 0x7f8, 16, buf);		/* straddles the end */
	CU_ASSERT(memcmp(buf, r.v->disp.aux.dpcd + 0x7f8, 8) == 0);
	for (unsigned int i = 8; i < 16; i++)
		CU_ASSERT_EQUAL(buf[i], 0);
	CU_ASSERT(r.v->disp.aux.transactions >= DP_AUX_DPCD_SIZE / 16);
	fake_teardown(&r);
}

static void
test_dp_aux_dpcd_write_training(void)
{
	struct fake_setup r;
	uint8_t buf[16];

	rig_up(&r);
	CU_ASSERT_EQUAL(dpcd_write1(r.v, 0x600, 0x01), 0x00);	/* SET_POWER D0: ACK */
	CU_ASSERT_EQUAL(dpcd_write1(r.v, 0x100, 0x0a), 0x00);	/* LINK_BW_SET 2.7G */
	dpcd_read(r.v, 0x100, 1, buf);
	CU_ASSERT_EQUAL(buf[0], 0x0a);
	/* Pattern 1: clock recovery done on all lanes. */
	dpcd_write1(r.v, 0x102, 0x21);
	dpcd_read(r.v, 0x202, 3, buf);
	CU_ASSERT_EQUAL(buf[0], 0x11);
	CU_ASSERT_EQUAL(buf[1], 0x11);
	CU_ASSERT_EQUAL(buf[2] & 1, 0);
	/* Pattern 2: EQ done, symbols locked, lanes aligned. */
	dpcd_write1(r.v, 0x102, 0x22);
	dpcd_read(r.v, 0x202, 3, buf);
	CU_ASSERT_EQUAL(buf[0], 0x77);
	CU_ASSERT_EQUAL(buf[1], 0x77);
	CU_ASSERT_EQUAL(buf[2] & 1, 1);
	/* Training off: the receiver port is in sync. */
	dpcd_write1(r.v, 0x102, 0x00);
	dpcd_read(r.v, 0x205, 1, buf);
	CU_ASSERT_EQUAL(buf[0] & 1, 1);
	/* Capabilities are read-only: ACKed, unchanged. */
	CU_ASSERT_EQUAL(dpcd_write1(r.v, 0x000, 0x40), 0x00);
	dpcd_read(r.v, 0x000, 1, buf);
	CU_ASSERT_EQUAL(buf[0], 0x12);
	/* Past the DPCD: native NACK, nothing written anywhere. */
	CU_ASSERT_EQUAL(dpcd_write1(r.v, 0xfffff, 0x55), 0x10);
	CU_ASSERT_EQUAL(dpcd_write1(r.v, DP_AUX_DPCD_SIZE, 0x55), 0x10);
	fake_teardown(&r);
}

/* The I2C-over-AUX sequence drm_dp_i2c_xfer uses for an EDID block. */
static void
test_dp_aux_edid(void)
{
	struct fake_setup r;
	uint8_t req[20], rep[20], got[EDID_BLOCK_SIZE], want[EDID_BLOCK_SIZE];
	unsigned int n;
	uint32_t st;

	rig_up(&r);
	edid_build(want, 1920, 1200);
	/* Start: bare address, write, MOT. */
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, I2C_WRITE | I2C_MOT, 0x50, 0), rep);
	CU_ASSERT_EQUAL(st & (DONE | TIME_OUT), DONE);
	CU_ASSERT_EQUAL(SIZE_OF(st), 1);
	CU_ASSERT_EQUAL(rep[0], 0x00);			/* I2C ACK */
	/* Offset 0. */
	n = aux_hdr(req, I2C_WRITE | I2C_MOT, 0x50, 1);
	req[n] = 0;
	st = aux_xfer(r.v, AUX_D, req, n + 1, rep);
	CU_ASSERT_EQUAL(rep[0], 0x00);
	/* Read: bare address then 8 x 16 bytes. */
	aux_xfer(r.v, AUX_D, req, aux_hdr(req, I2C_READ | I2C_MOT, 0x50, 0), rep);
	for (unsigned int off = 0; off < EDID_BLOCK_SIZE; off += 16) {
		unsigned int rq = off + 16 < EDID_BLOCK_SIZE ? I2C_READ | I2C_MOT : I2C_READ;

		st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, rq, 0x50, 16), rep);
		CU_ASSERT_EQUAL(st & (DONE | TIME_OUT | RECV_ERROR), DONE);
		CU_ASSERT_EQUAL(SIZE_OF(st), 17);
		CU_ASSERT_EQUAL(rep[0], 0x00);
		memcpy(got + off, rep + 1, 16);
	}
	/* Stop. */
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, I2C_READ, 0x50, 0), rep);
	CU_ASSERT_EQUAL(st & (DONE | TIME_OUT), DONE);
	CU_ASSERT(memcmp(got, want, sizeof(got)) == 0);
	CU_ASSERT(memcmp(got, r.v->disp.edid, sizeof(got)) == 0);
	CU_ASSERT_EQUAL(edid_checksum(got), 0);
	/* Past the block: 0xff, and the 8-bit EEPROM address wraps to 0. */
	n = aux_hdr(req, I2C_WRITE, 0x50, 1);
	req[n] = 0xf8;
	aux_xfer(r.v, AUX_D, req, n + 1, rep);
	aux_xfer(r.v, AUX_D, req, aux_hdr(req, I2C_READ, 0x50, 12), rep);
	for (unsigned int i = 1; i <= 8; i++)
		CU_ASSERT_EQUAL(rep[i], 0xff);
	CU_ASSERT(memcmp(rep + 9, want, 4) == 0);
	/* Other slaves (0x30 segment pointer, 0x37 DDC/CI): I2C NACK. */
	aux_xfer(r.v, AUX_D, req, aux_hdr(req, I2C_WRITE | I2C_MOT, 0x37, 0), rep);
	CU_ASSERT_EQUAL(rep[0], 0x40);
	aux_xfer(r.v, AUX_D, req, aux_hdr(req, I2C_READ, 0x30, 1), rep);
	CU_ASSERT_EQUAL(rep[0], 0x40);
	fake_teardown(&r);
}

static void
test_dp_aux_absent_ports(void)
{
	struct fake_setup r;
	uint8_t req[20], rep[20];
	uint32_t st;

	rig_up(&r);
	for (unsigned int ch = 0; ch < 3; ch++) {	/* A (no eDP), B, C */
		st = aux_xfer(r.v, ch, req, aux_hdr(req, NATIVE_READ, 0, 15), rep);
		CU_ASSERT_EQUAL(st & (SEND_BUSY | DONE | TIME_OUT), DONE | TIME_OUT);
		st = aux_xfer(r.v, ch, req, aux_hdr(req, I2C_WRITE | I2C_MOT, 0x50, 0), rep);
		CU_ASSERT_EQUAL(st & (SEND_BUSY | DONE | TIME_OUT), DONE | TIME_OUT);
	}
	/* Errors are sticky until written 1: a write of 0 keeps them. */
	reg_wr(r.v, AUX_CTL(1), SEND_BUSY | SIZE(4));
	CU_ASSERT_EQUAL(reg_rd(r.v, AUX_CTL(1)) & (SEND_BUSY | DONE | TIME_OUT), DONE | TIME_OUT);
	reg_wr(r.v, AUX_CTL(1), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, AUX_CTL(1)) & (DONE | TIME_OUT), DONE | TIME_OUT);
	reg_wr(r.v, AUX_CTL(1), TIME_OUT);
	CU_ASSERT_EQUAL(reg_rd(r.v, AUX_CTL(1)) & (DONE | TIME_OUT), DONE);
	reg_wr(r.v, AUX_CTL(1), DONE);
	CU_ASSERT_EQUAL(reg_rd(r.v, AUX_CTL(1)) & (DONE | TIME_OUT), 0);
	fake_teardown(&r);
}

static void
test_dp_aux_malformed(void)
{
	struct fake_setup r;
	uint8_t req[20], rep[20];
	uint32_t st;

	rig_up(&r);
	memset(req, 0xff, sizeof(req));
	/* Send sizes the sink cannot parse (0-2, 21-31): time out, no reply. */
	for (unsigned int sz = 0; sz < 32; sz++) {
		if (sz >= 3 && sz <= 20)
			continue;
		aux_hdr(req, NATIVE_READ, 0, 1);
		st = aux_xfer_raw(r.v, AUX_D, req, 20, sz, rep);
		CU_ASSERT_EQUAL(st & (SEND_BUSY | DONE | TIME_OUT), DONE | TIME_OUT);
		CU_ASSERT_EQUAL(SIZE_OF(st), 0);
	}
	/* A native read without its length byte. */
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, NATIVE_READ, 0, 0), rep);
	CU_ASSERT_EQUAL(st & (DONE | TIME_OUT), DONE | TIME_OUT);
	/* Lengths over 16 bytes: NACK, one reply byte, nothing overflows. */
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, NATIVE_READ, 0, 256), rep);
	CU_ASSERT_EQUAL(st & (DONE | TIME_OUT), DONE);
	CU_ASSERT_EQUAL(SIZE_OF(st), 1);
	CU_ASSERT_EQUAL(rep[0], 0x10);
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, I2C_READ, 0x50, 17), rep);
	CU_ASSERT_EQUAL(SIZE_OF(st), 1);
	CU_ASSERT_EQUAL(rep[0], 0x40);
	/* A native write announcing 16 bytes but carrying 2: NACK. */
	aux_hdr(req, NATIVE_WRITE, 0x100, 16);
	st = aux_xfer(r.v, AUX_D, req, 6, rep);
	CU_ASSERT_EQUAL(rep[0], 0x10);
	/* A 16-byte write ending past the DPCD: NACK, DPCD unchanged. */
	aux_hdr(req, NATIVE_WRITE, DP_AUX_DPCD_SIZE - 8, 16);
	st = aux_xfer(r.v, AUX_D, req, 20, rep);
	CU_ASSERT_EQUAL(rep[0], 0x10);
	/* The highest address, 16 bytes: ACK, zeros. */
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, NATIVE_READ, 0xfffff, 16), rep);
	CU_ASSERT_EQUAL(SIZE_OF(st), 17);
	CU_ASSERT_EQUAL(rep[16], 0);
	/* An I2C write with a length but no data byte. */
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, I2C_WRITE, 0x50, 1), rep);
	CU_ASSERT_EQUAL(st & (DONE | TIME_OUT), DONE | TIME_OUT);
	/* The monitor still answers normally afterwards. */
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, NATIVE_READ, 0, 1), rep);
	CU_ASSERT_EQUAL(st & (DONE | TIME_OUT), DONE);
	CU_ASSERT_EQUAL(rep[1], 0x12);
	CU_ASSERT_FALSE(r.v->stats.failsafe);
	fake_teardown(&r);
}

/* monitor=hdmi: no DP sink on port D, so AUX D times out like an empty port. */
static void
test_dp_aux_hdmi_monitor(void)
{
	struct fake_setup r;
	struct vgpu_config cfg;
	uint8_t req[20], rep[20];
	uint32_t st;

	vgpu_config_default(&cfg);
	cfg.monitor_hdmi = true;
	CU_ASSERT_FATAL(fake_setup_whole(&r, 7, &cfg) == 0);
	st = aux_xfer(r.v, AUX_D, req, aux_hdr(req, NATIVE_READ, 0, 1), rep);
	CU_ASSERT_EQUAL(st & (DONE | TIME_OUT), DONE | TIME_OUT);
	fake_teardown(&r);
}

void suite_dp_aux(void);

void
suite_dp_aux(void)
{
	static const struct test_case cases[] = {
		{ "full DPCD read over native AUX", test_dp_aux_dpcd_read },
		{ "DPCD writes and link training status", test_dp_aux_dpcd_write_training },
		{ "EDID over I2C-over-AUX", test_dp_aux_edid },
		{ "absent ports time out, errors W1C", test_dp_aux_absent_ports },
		{ "malformed requests are bounded", test_dp_aux_malformed },
		{ "an HDMI monitor leaves AUX D without a sink", test_dp_aux_hdmi_monitor },
		{ NULL, NULL },
	};

	test_add_suite("dp_aux", cases);
}
