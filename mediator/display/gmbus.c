/* SPDX-License-Identifier: MIT */
/*
 * gmbus.c — the GMBUS I2C controller (GMBUS0..5), emulated just enough for
 * a guest to read the virtual monitor's EDID from slave 0x50 on the DDC
 * pin pair of the port it is plugged into (an HDMI monitor: monitor=hdmi);
 * anything else NAKs. And the same pin pairs as GPIOs (GPIOA..F), which
 * i915 bit-bangs when a GMBUS read fails (intel_gmbus.c, "retry using GPIO bit-banging"): lines with
 * pull-ups and no device answering on them, so every transfer NAKs.
 */
#include "mediator/core/vgpu_int.h"
#include "mediator/regs/mmio_tables.h"
#include "mediator/display/edid.h"

/* PCH display base 0xc0000 + 0x51xx (display/intel_gmbus_regs.h). */
#define GMBUS0 0xc5100u		/* clock rate / pin pair select */
#define GMBUS1 0xc5104u		/* command */
#define GMBUS2 0xc5108u		/* status */
#define GMBUS3 0xc510cu		/* data, bytes 3..0 */
#define GMBUS4 0xc5110u		/* interrupt mask */
#define GMBUS5 0xc5120u		/* 2-byte index */

#define GMBUS0_PIN_MASK	  0x7u

#define GMBUS1_SW_CLR_INT (1u << 31)
#define GMBUS1_SW_RDY	  (1u << 30)
#define GMBUS1_CYCLE_SHIFT 25
#define GMBUS1_CYCLE_WAIT  (1u << 0) /* in the 3-bit cycle field */
#define GMBUS1_CYCLE_INDEX (1u << 1)
#define GMBUS1_CYCLE_STOP  (1u << 2)
#define GMBUS1_COUNT_SHIFT 16
#define GMBUS1_COUNT_MASK  0x1ffu
#define GMBUS1_INDEX_SHIFT 8
#define GMBUS1_ADDR_SHIFT  1
#define GMBUS1_READ	   (1u << 0)

#define GMBUS2_INUSE	 (1u << 15)
#define GMBUS2_WAIT	 (1u << 14) /* HW_WAIT_PHASE */
#define GMBUS2_INT	 (1u << 12)
#define GMBUS2_HW_RDY	 (1u << 11)
#define GMBUS2_SATOER	 (1u << 10) /* slave NAK / timeout */
#define GMBUS2_ACTIVE	 (1u << 9)

#define GMBUS5_2BYTE_INDEX (1u << 31)

/*
 * GPIO pin pair control (display/intel_gmbus_regs.h GPIO(n): 0xc5010 +
 * 4 n, n = A..F). Clock (bits 0-5) and data (bits 8-13) have the same
 * layout: DIR_MASK (0) and VAL_MASK (2) are write enables for DIR_OUT (1)
 * and VAL_OUT (3) and read 0; VAL_IN (4) reads the line; PULLUP_DISABLE
 * (5) is a plain bit. A line is low only while its pin drives it low
 * (DIR_OUT with VAL_OUT 0): nothing else is on the bus to pull it down.
 */
#define GPIO_A		0xc5010u
#define GPIO_PINS	6
#define GPIO_DIR_MASK	(1u << 0)
#define GPIO_DIR_OUT	(1u << 1)
#define GPIO_VAL_MASK	(1u << 2)
#define GPIO_VAL_OUT	(1u << 3)
#define GPIO_VAL_IN	(1u << 4)
#define GPIO_PULLUP_DIS	(1u << 5)
#define GPIO_CLOCK	0	/* shift of the clock line's bits */
#define GPIO_DATA	8	/* shift of the data line's bits */

#define EDID_SLAVE 0x50u
/* The monitor's DDC EEPROM has an 8-bit address; bytes past the EDID read 0xff. */
#define DDC_ADDR_MASK 0xffu

void
gmbus_init(struct vgpu *v)
{
	struct display_state *d = &v->disp;

	d->gmbus_reading = false;
	d->gmbus_remaining = 0;
	d->gmbus_index = 0;
	d->gmbus_cycle = 0;
}

void
gmbus_reset(struct vgpu *v)
{
	gmbus_init(v);
	vreg_set(v, GMBUS2, (vreg_get(v, GMBUS2) & GMBUS2_INUSE) | GMBUS2_HW_RDY);
}

/* The data phase of a cycle is over: stop (idle) or wait for the next one. */
static void
gmbus_cycle_done(struct vgpu *v)
{
	struct display_state *d = &v->disp;
	uint32_t st = vreg_get(v, GMBUS2) | GMBUS2_HW_RDY;

	d->gmbus_reading = false;
	d->gmbus_remaining = 0;
	if ((d->gmbus_cycle >> GMBUS1_CYCLE_SHIFT) & GMBUS1_CYCLE_STOP)
		st &= ~(GMBUS2_ACTIVE | GMBUS2_WAIT);
	else
		st |= GMBUS2_WAIT;
	vreg_set(v, GMBUS2, st);
}

static void
gmbus_nak(struct vgpu *v, unsigned int addr)
{
	struct display_state *d = &v->disp;

	d->gmbus_reading = false;
	d->gmbus_remaining = 0;
	vreg_set(v, GMBUS2, (vreg_get(v, GMBUS2) & ~(GMBUS2_ACTIVE | GMBUS2_WAIT)) |
				    GMBUS2_HW_RDY | GMBUS2_SATOER);
	log_dbg(DBG_DISPLAY, "%s: GMBUS NAK for slave 0x%x (%s)", v->tag, addr,
		d->gmbus_monitor ? "not the EDID" : "no monitor on this pin");
}

/* GMBUS1 with SW_RDY: start a cycle. */
static void
gmbus_start(struct vgpu *v, uint32_t cmd)
{
	struct display_state *d = &v->disp;
	unsigned int cycle = (cmd >> GMBUS1_CYCLE_SHIFT) & 7;
	unsigned int count = (cmd >> GMBUS1_COUNT_SHIFT) & GMBUS1_COUNT_MASK;
	unsigned int addr = (cmd >> GMBUS1_ADDR_SHIFT) & 0x7f;
	uint32_t g5 = vreg_get(v, GMBUS5);

	d->gmbus_cycle = cmd;
	vreg_set(v, GMBUS2, (vreg_get(v, GMBUS2) & ~(GMBUS2_WAIT | GMBUS2_SATOER)) |
				    GMBUS2_HW_RDY);
	/* A bare STOP ends the transaction. */
	if (count == 0 && addr == 0 && (cycle & GMBUS1_CYCLE_STOP)) {
		gmbus_cycle_done(v);
		return;
	}
	if (!d->gmbus_monitor || addr != EDID_SLAVE) {
		gmbus_nak(v, addr);
		return;
	}
	vreg_set(v, GMBUS2, vreg_get(v, GMBUS2) | GMBUS2_ACTIVE);
	if (cycle & GMBUS1_CYCLE_INDEX)
		d->gmbus_index = (g5 & GMBUS5_2BYTE_INDEX) ? (g5 & 0xffffu)
							   : (cmd >> GMBUS1_INDEX_SHIFT) & 0xff;
	if (!(cmd & GMBUS1_READ)) {
		/* A write sets the EEPROM address: its first data byte is in GMBUS3. */
		if (count && !(cycle & GMBUS1_CYCLE_INDEX))
			d->gmbus_index = vreg_get(v, GMBUS3) & 0xff;
		d->gmbus_index &= DDC_ADDR_MASK;
		gmbus_cycle_done(v);
		return;
	}
	d->gmbus_index &= DDC_ADDR_MASK;
	d->gmbus_remaining = count;
	d->gmbus_reading = count != 0;
	if (!count)
		gmbus_cycle_done(v);
}

static int
gmbus0_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	unsigned int pin = val & GMBUS0_PIN_MASK;

	vreg_set(v, off, val);
	gmbus_reset(v);
	v->disp.gmbus_monitor = v->cfg.monitor_hdmi && pin == DISPLAY_MONITOR_GMBUS_PIN;
	return 0;
}

static int
gmbus1_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	if (val & GMBUS1_SW_CLR_INT) {
		/* Clear the interrupt and abort whatever was going on. */
		gmbus_reset(v);
		vreg_set(v, off, val & ~GMBUS1_SW_RDY);
		return 0;
	}
	vreg_set(v, off, val & ~GMBUS1_SW_RDY);
	if (val & GMBUS1_SW_RDY)
		gmbus_start(v, val);
	return 0;
}

/* Reading GMBUS2 while INUSE is clear acquires the controller. */
static int
gmbus2_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	*val = vreg_get(v, off);
	vreg_set(v, off, *val | GMBUS2_INUSE);
	return 0;
}

static int
gmbus2_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	if (val & GMBUS2_INUSE)	/* release; every other bit is status */
		vreg_set(v, off, vreg_get(v, off) & ~GMBUS2_INUSE);
	return 0;
}

/* Up to four EDID bytes per read while a read cycle has bytes left. */
static int
gmbus3_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	struct display_state *d = &v->disp;
	unsigned int n;
	uint32_t word = 0;

	if (!d->gmbus_reading || !d->gmbus_remaining) {
		*val = vreg_get(v, off);
		return 0;
	}
	n = d->gmbus_remaining < 4 ? d->gmbus_remaining : 4;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int idx = d->gmbus_index & DDC_ADDR_MASK;
		uint8_t b = idx < EDID_BLOCK_SIZE ? d->edid[idx] : 0xff;

		word |= (uint32_t)b << (8 * i);
		d->gmbus_index = (idx + 1) & DDC_ADDR_MASK;
	}
	d->gmbus_remaining -= n;
	vreg_set(v, off, word);
	if (!d->gmbus_remaining)
		gmbus_cycle_done(v);
	*val = word;
	return 0;
}

/* One line of a GPIO pin pair: the stored bits after a write of val. */
static uint32_t
gpio_line_write(uint32_t old, uint32_t val, unsigned int sh)
{
	uint32_t nv = old & ((GPIO_DIR_OUT | GPIO_VAL_OUT) << sh);

	if (val & (GPIO_DIR_MASK << sh))
		nv = (nv & ~(GPIO_DIR_OUT << sh)) | (val & (GPIO_DIR_OUT << sh));
	if (val & (GPIO_VAL_MASK << sh))
		nv = (nv & ~(GPIO_VAL_OUT << sh)) | (val & (GPIO_VAL_OUT << sh));
	return nv | (val & (GPIO_PULLUP_DIS << sh));
}

static int
gpio_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	uint32_t old = vreg_get(v, off);

	vreg_set(v, off, gpio_line_write(old, val, GPIO_CLOCK) |
				 gpio_line_write(old, val, GPIO_DATA));
	return 0;
}

/* The stored bits, and each line's level: high unless its pin drives it low. */
static int
gpio_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	uint32_t st = vreg_get(v, off);

	*val = st;
	for (unsigned int sh = GPIO_CLOCK; sh <= GPIO_DATA; sh += GPIO_DATA - GPIO_CLOCK)
		if ((st & ((GPIO_DIR_OUT | GPIO_VAL_OUT) << sh)) != (GPIO_DIR_OUT << sh))
			*val |= GPIO_VAL_IN << sh;
	return 0;
}

static const struct mmio_reg gmbus_regs[] = {
	{ .off = GPIO_A, .name = "GPIO_CTL", .size = GPIO_PINS * 4, .flags = MF_VIRT,
	  .read = gpio_read, .write = gpio_write },
	{ REG(GMBUS0), .size = 4, .flags = MF_VIRT, .write = gmbus0_write },
	{ REG(GMBUS1), .size = 4, .flags = MF_VIRT, .write = gmbus1_write },
	{ REG(GMBUS2), .size = 4, .flags = MF_VIRT, .ro_mask = ~GMBUS2_INUSE,
	  .reset = GMBUS2_HW_RDY, .read = gmbus2_read, .write = gmbus2_write },
	{ REG(GMBUS3), .size = 4, .flags = MF_VIRT, .read = gmbus3_read },
	{ REG(GMBUS4), .size = 4, .flags = MF_VIRT },
	{ REG(GMBUS5), .size = 4, .flags = MF_VIRT },
};
const struct mmio_table gmbus_mmio_table = { "gmbus", gmbus_regs,
					     sizeof(gmbus_regs) / sizeof(gmbus_regs[0]) };
