/* SPDX-License-Identifier: MIT */
/*
 * bars.c — what hvmloader does for the vGPU before the OS runs: probe it
 * through CF8/CFC, size its BARs, place them in the PCI MMIO hole (memory)
 * and from 0xc000 (I/O), enable decoding. Only guest accesses are used.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "guest.h"
#include "tools/guest/libguest.h"

#define PCI_BAR0	0x10
#define PCI_NR_BARS	6

/*
 * The MMIO hole as hvmloader computes it (tools/firmware/hvmloader/pci.c):
 * start at 0xe0000000 below the 0xfc000000 end, and halve the start address
 * (0xe0000000 -> 0xc0000000 -> 0x80000000) until the BARs fit.
 */
#define HOLE_START	0xe0000000ull
#define HOLE_END	0xfc000000ull
#define HOLE_LOWEST	0x80000000ull
#define IO_START	0xc000u
#define IO_END		0x10000u

struct bar {
	unsigned int idx;	/* BAR number 0..5 */
	bool io, is64;
	uint64_t size, addr;
};

/* Config cycles as a guest makes them: libguest's (tools/guest/lib/pci.c). */
int
guest_cfg_read(struct guest *g, unsigned int reg, unsigned int size, uint32_t *val)
{
	return gpci_cfg_read(g->vcpu, g->bus, g->dev, g->fn, reg, size, val);
}

int
guest_cfg_write(struct guest *g, unsigned int reg, unsigned int size, uint32_t val)
{
	return gpci_cfg_write(g->vcpu, g->bus, g->dev, g->fn, reg, size, val);
}

/*
 * Size one BAR (PCI 3.0, 6.2.5.1): write all-ones, read back, the size is
 * the two's complement of the address bits; then restore. Returns the
 * number of BAR registers used (1, 2 for a 64-bit BAR) or -errno.
 */
static int
size_bar(struct guest *g, unsigned int i, struct bar *b)
{
	unsigned int reg = PCI_BAR0 + 4 * i;
	uint32_t orig, lo, orig_hi = 0, hi = 0xffffffff;
	uint64_t mask;
	int rc;

	memset(b, 0, sizeof(*b));
	b->idx = i;
	if ((rc = guest_cfg_read(g, reg, 4, &orig)) ||
	    (rc = guest_cfg_write(g, reg, 4, 0xffffffff)) ||
	    (rc = guest_cfg_read(g, reg, 4, &lo)) ||
	    (rc = guest_cfg_write(g, reg, 4, orig)))
		return rc;
	b->io = orig & 1;
	if (b->io) {
		mask = ~(uint64_t)(lo & ~3u) & 0xffff;
		b->size = lo & ~3u ? mask + 1 : 0;
		return 1;
	}
	b->is64 = ((orig >> 1) & 3) == 2;
	if (b->is64 && i + 1 < PCI_NR_BARS) {
		if ((rc = guest_cfg_read(g, reg + 4, 4, &orig_hi)) ||
		    (rc = guest_cfg_write(g, reg + 4, 4, 0xffffffff)) ||
		    (rc = guest_cfg_read(g, reg + 4, 4, &hi)) ||
		    (rc = guest_cfg_write(g, reg + 4, 4, orig_hi)))
			return rc;
	} else {
		hi = 0xffffffff;
	}
	mask = (uint64_t)hi << 32 | (lo & ~0xfu);
	b->size = (lo & ~0xfu) || (b->is64 && hi) ? ~mask + 1 : 0;
	return b->is64 ? 2 : 1;
}

static int
write_bar(struct guest *g, const struct bar *b)
{
	unsigned int reg = PCI_BAR0 + 4 * b->idx;
	int rc;

	rc = guest_cfg_write(g, reg, 4, (uint32_t)b->addr);
	if (!rc && b->is64)
		rc = guest_cfg_write(g, reg + 4, 4, (uint32_t)(b->addr >> 32));
	return rc;
}

static const char *
human(uint64_t size, char *buf, size_t len)
{
	if (size >= (1ull << 20) && !(size & ((1ull << 20) - 1)))
		snprintf(buf, len, "%" PRIu64 " MiB", size >> 20);
	else if (size >= 1024 && !(size & 1023))
		snprintf(buf, len, "%" PRIu64 " KiB", size >> 10);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", size);
	return buf;
}

/* Assign addresses: memory BARs largest first, naturally aligned. */
static int
assign(struct bar *bars, unsigned int n)
{
	uint64_t total = 0, start = HOLE_START, cur;
	uint32_t io = IO_START;

	for (unsigned int i = 0; i < n; i++) {
		for (unsigned int j = i + 1; j < n; j++) {
			if (bars[j].size > bars[i].size) {
				struct bar t = bars[i];

				bars[i] = bars[j];
				bars[j] = t;
			}
		}
		if (!bars[i].io)
			total += bars[i].size;
	}
	while (total > HOLE_END - start && start > HOLE_LOWEST)
		start = (start << 1) & 0xffffffffull;
	if (total > HOLE_END - start)
		return -ENOSPC;
	cur = start;
	for (unsigned int i = 0; i < n; i++) {
		struct bar *b = &bars[i];

		if (b->io) {
			io = (io + (uint32_t)b->size - 1) & ~((uint32_t)b->size - 1);
			if (io + b->size > IO_END)
				return -ENOSPC;
			b->addr = io;
			io += (uint32_t)b->size;
		} else {
			cur = (cur + b->size - 1) & ~(b->size - 1);
			if (cur + b->size > HOLE_END)
				return -ENOSPC;
			b->addr = cur;
			cur += b->size;
		}
	}
	return 0;
}

int
guest_place_bars(struct guest *g)
{
	struct bar bars[PCI_NR_BARS];
	unsigned int n = 0;
	uint32_t id, cmd;
	char sz[32];
	int rc;

	rc = guest_cfg_read(g, PCI_VENDOR_ID, 4, &id);
	if (rc) {
		printf("%sconfig read of %02x:%02x.%x failed: %s\n", g->prefix,
		       g->bus, g->dev, g->fn, strerror(-rc));
		return rc;
	}
	if ((id & 0xffff) == 0xffff) {
		printf("%sno PCI device at %02x:%02x.%x\n", g->prefix, g->bus,
		       g->dev, g->fn);
		return -ENODEV;
	}
	printf("%svGPU %02x:%02x.%x: vendor 0x%04x device 0x%04x\n", g->prefix,
	       g->bus, g->dev, g->fn, id & 0xffff, id >> 16);
	/* Decoding off while BARs are sized and moved, as firmware does. */
	if ((rc = guest_cfg_read(g, PCI_COMMAND, 2, &cmd)) ||
	    (rc = guest_cfg_write(g, PCI_COMMAND, 2,
				  cmd & ~(uint32_t)(PCI_CMD_IO | PCI_CMD_MEM))))
		return rc;
	for (unsigned int i = 0; i < PCI_NR_BARS;) {
		struct bar b;

		rc = size_bar(g, i, &b);
		if (rc < 0)
			return rc;
		i += (unsigned int)rc;
		if (b.size)
			bars[n++] = b;
	}
	rc = assign(bars, n);
	if (rc) {
		printf("%sBARs do not fit the MMIO hole\n", g->prefix);
		return rc;
	}
	for (unsigned int i = 0; i < n; i++) {
		char name[8];

		rc = write_bar(g, &bars[i]);
		if (rc)
			return rc;
		snprintf(name, sizeof(name), "bar%u", bars[i].idx);
		expr_var_set(&g->vars, name, bars[i].addr);
		printf("%s$%s = 0x%" PRIx64 " (%s, %s)\n", g->prefix, name,
		       bars[i].addr, human(bars[i].size, sz, sizeof(sz)),
		       bars[i].io ? "I/O" : bars[i].is64 ? "mem64" : "mem32");
	}
	rc = guest_cfg_write(g, PCI_COMMAND, 2,
			     cmd | PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	return rc;
}
