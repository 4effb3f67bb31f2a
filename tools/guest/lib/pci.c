/* SPDX-License-Identifier: MIT */
/*
 * pci.c — the guest's PCI side: config cycles through the CF8 latch and
 * the CFC data ports (PCI Local Bus 3.0, 3.2.2.3.2), probing the GPU as
 * the OS and i915 do (ids, class, BAR0 and BAR2, the MSI capability from
 * the capability list), and enabling MSI.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/xensim.h"
#include "util.h"

static uint32_t
cf8_addr(uint8_t bus, uint8_t dev, uint8_t fn, unsigned int reg)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)(dev & 0x1f) << 11 |
	       (uint32_t)(fn & 7) << 8 | (reg & 0xfc);
}

int
gpci_cfg_read(struct sim_vcpu *c, uint8_t bus, uint8_t dev, uint8_t fn, unsigned int reg,
	      unsigned int size, uint32_t *val)
{
	int rc;

	if (reg > 0xff)
		return -EINVAL;
	rc = sim_pio_write(c, PCI_CONF_ADDR, 4, cf8_addr(bus, dev, fn, reg));
	if (rc)
		return rc;
	return sim_pio_read(c, (uint16_t)(PCI_CONF_DATA + (reg & 3)), size, val);
}

int
gpci_cfg_write(struct sim_vcpu *c, uint8_t bus, uint8_t dev, uint8_t fn, unsigned int reg,
	       unsigned int size, uint32_t val)
{
	int rc;

	if (reg > 0xff)
		return -EINVAL;
	rc = sim_pio_write(c, PCI_CONF_ADDR, 4, cf8_addr(bus, dev, fn, reg));
	if (rc)
		return rc;
	return sim_pio_write(c, (uint16_t)(PCI_CONF_DATA + (reg & 3)), size, val);
}

static int
cfgr(struct gdev *g, unsigned int reg, unsigned int size, uint32_t *val)
{
	int rc = gpci_cfg_read(g->c, g->bus, g->dev, g->fn, reg, size, val);

	return rc ? gfail(g, rc, "config read 0x%x: %s", reg, strerror(-rc)) : 0;
}

static int
cfgw(struct gdev *g, unsigned int reg, unsigned int size, uint32_t val)
{
	int rc = gpci_cfg_write(g->c, g->bus, g->dev, g->fn, reg, size, val);

	return rc ? gfail(g, rc, "config write 0x%x: %s", reg, strerror(-rc)) : 0;
}

/* A 64-bit memory BAR's address (n, n+1). -ENODEV if it is not one or not placed. */
static int
bar64(struct gdev *g, unsigned int n, uint64_t *addr)
{
	uint32_t lo, hi;
	int rc;

	if ((rc = cfgr(g, PCI_BAR(n), 4, &lo)) || (rc = cfgr(g, PCI_BAR(n + 1), 4, &hi)))
		return rc;
	if ((lo & 1) || ((lo >> 1) & 3) != 2)
		return gfail(g, -ENODEV, "BAR%u is not a 64-bit memory BAR (0x%08x)", n, lo);
	*addr = (uint64_t)hi << 32 | (lo & ~0xfu);
	if (!*addr)
		return gfail(g, -ENODEV, "BAR%u not placed by firmware", n);
	return 0;
}

/* Size BAR n (64-bit) with decoding off, as the OS does at enumeration. */
static int
bar64_size(struct gdev *g, unsigned int n, uint64_t *size)
{
	uint32_t cmd, lo, hi, slo, shi;
	int rc;

	if ((rc = cfgr(g, PCI_COMMAND, 2, &cmd)) ||
	    (rc = cfgw(g, PCI_COMMAND, 2, cmd & ~(uint32_t)(PCI_CMD_MEM | PCI_CMD_IO))) ||
	    (rc = cfgr(g, PCI_BAR(n), 4, &lo)) || (rc = cfgr(g, PCI_BAR(n + 1), 4, &hi)) ||
	    (rc = cfgw(g, PCI_BAR(n), 4, 0xffffffff)) ||
	    (rc = cfgw(g, PCI_BAR(n + 1), 4, 0xffffffff)) ||
	    (rc = cfgr(g, PCI_BAR(n), 4, &slo)) || (rc = cfgr(g, PCI_BAR(n + 1), 4, &shi)) ||
	    (rc = cfgw(g, PCI_BAR(n), 4, lo)) || (rc = cfgw(g, PCI_BAR(n + 1), 4, hi)) ||
	    (rc = cfgw(g, PCI_COMMAND, 2, cmd)))
		return rc;
	*size = ~((uint64_t)shi << 32 | (slo & ~0xfu)) + 1;
	return 0;
}

/* Walk the capability list for id; 0 if absent. Bounded: at most 48 entries. */
static int
find_cap(struct gdev *g, uint8_t id, unsigned int *at)
{
	uint32_t p, hdr;
	int rc;

	*at = 0;
	if ((rc = cfgr(g, PCI_CAP_PTR, 1, &p)))
		return rc;
	for (unsigned int i = 0; i < 48 && p >= 0x40 && p <= 0xfc; i++) {
		if ((rc = cfgr(g, p & 0xfc, 2, &hdr)))
			return rc;
		if ((hdr & 0xff) == id) {
			*at = p & 0xfc;
			return 0;
		}
		p = hdr >> 8;
	}
	return 0;
}

int
gdev_probe(struct gdev *g, struct sim_vcpu *c, uint8_t bus, uint8_t dev, uint8_t fn)
{
	uint32_t id, cls, bar4, cmd;
	int rc;

	memset(g, 0, sizeof(*g));
	g->c = c;
	g->bus = bus;
	g->dev = dev;
	g->fn = fn;
	if ((rc = cfgr(g, PCI_VENDOR_ID, 4, &id)) || (rc = cfgr(g, PCI_CLASS_REV, 4, &cls)))
		return rc;
	g->vendor = (uint16_t)id;
	g->device = (uint16_t)(id >> 16);
	if (g->vendor != INTEL_VENDOR || (cls >> 8) != PCI_CLASS_DISPLAY_VGA)
		return gfail(g, -ENODEV, "%02x:%02x.%x is %04x:%04x class 0x%06x, not an Intel GPU",
			     bus, dev, fn, g->vendor, g->device, cls >> 8);
	if ((rc = bar64(g, 0, &g->bar0)) || (rc = bar64(g, 2, &g->bar2)) ||
	    (rc = bar64_size(g, 2, &g->bar2_size)))
		return rc;
	if ((rc = cfgr(g, PCI_BAR(4), 4, &bar4)))
		return rc;
	g->bar4 = (bar4 & 1) ? (uint16_t)(bar4 & ~3u) : 0;
	if ((rc = find_cap(g, PCI_CAP_ID_MSI, &g->msi_cap)) ||
	    (rc = cfgr(g, PCI_COMMAND, 2, &cmd)) ||
	    (rc = cfgw(g, PCI_COMMAND, 2, cmd | PCI_CMD_MEM | PCI_CMD_MASTER)))
		return rc;
	return 0;
}

int
gdev_msi_enable(struct gdev *g, uint64_t addr, uint32_t data)
{
	unsigned int cap = g->msi_cap;
	uint32_t ctl;
	int rc;

	if (!cap)
		return gfail(g, -ENOTSUP, "no MSI capability");
	/* 32-bit address format: address at +4, data at +8, control at +2. */
	if ((rc = cfgw(g, cap + 4, 4, (uint32_t)addr)) || (rc = cfgw(g, cap + 8, 2, data)) ||
	    (rc = cfgr(g, cap + 2, 2, &ctl)) || (rc = cfgw(g, cap + 2, 2, ctl | 1)))
		return rc;
	return 0;
}
