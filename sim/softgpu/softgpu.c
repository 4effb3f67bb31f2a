/* SPDX-License-Identifier: MIT */
/*
 * softgpu.c — the simulated GPU's state: a register file and a GGTT in
 * /dev/shm/xensim-<machine>.gpu, shared by the daemon (pgpu backend) and
 * the guest access path (aperture translation). No engines yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../sim_int.h"
#include "softgpu.h"

/* gen8 GGTT PTE: bit 0 present, bits 38:12 the page address. */
#define SOFTGPU_PTE_PRESENT 1ull
#define SOFTGPU_PTE_ADDR_MASK 0x7ffffff000ull
#define SOFTGPU_FILE_SIZE ((uint64_t)SOFTGPU_MMIO_SIZE + (uint64_t)SOFTGPU_GGTT_ENTRIES * 8)

struct softgpu {
	int fd;
	uint8_t *base;
	volatile uint32_t *mmio;
	volatile uint64_t *ggtt;
};

struct softgpu *
softgpu_open(const char *machine)
{
	const char *name = sim_machine_name(machine);
	struct softgpu *g;
	bool created;
	int e;

	if (strchr(name, '/')) {
		errno = EINVAL;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	/* Idempotent: the first opener creates and sizes it; new files read as zeroes. */
	g->base = sim_file_map(name, "gpu", SOFTGPU_FILE_SIZE, true, &g->fd, &created);
	if (!g->base) {
		e = errno;
		free(g);
		errno = e;
		return NULL;
	}
	g->mmio = (volatile uint32_t *)g->base;
	g->ggtt = (volatile uint64_t *)(g->base + SOFTGPU_MMIO_SIZE);
	return g;
}

void
softgpu_close(struct softgpu *g)
{
	if (!g)
		return;
	sim_file_unmap(g->base, SOFTGPU_FILE_SIZE, g->fd);
	free(g);
}

/* Out-of-range or unaligned offsets read all-ones and drop writes. */
uint32_t
softgpu_mmio_read(struct softgpu *g, uint32_t off)
{
	if (off >= SOFTGPU_MMIO_SIZE || (off & 3))
		return 0xffffffffu;
	return g->mmio[off >> 2];
}

void
softgpu_mmio_write(struct softgpu *g, uint32_t off, uint32_t val)
{
	if (off >= SOFTGPU_MMIO_SIZE || (off & 3))
		return;
	g->mmio[off >> 2] = val;
}

uint64_t
softgpu_ggtt_read(struct softgpu *g, uint64_t idx)
{
	if (idx >= SOFTGPU_GGTT_ENTRIES)
		return 0;
	return __atomic_load_n(&g->ggtt[idx], __ATOMIC_ACQUIRE);
}

void
softgpu_ggtt_write(struct softgpu *g, uint64_t idx, uint64_t pte)
{
	if (idx >= SOFTGPU_GGTT_ENTRIES)
		return;
	__atomic_store_n(&g->ggtt[idx], pte, __ATOMIC_RELEASE);
}

int
softgpu_aperture_translate(struct softgpu *g, uint64_t ap_off, uint64_t *maddr)
{
	uint64_t pte;

	if (ap_off >= SOFTGPU_APERTURE_SIZE)
		return -ENOENT;
	pte = softgpu_ggtt_read(g, ap_off >> 12);
	if (!(pte & SOFTGPU_PTE_PRESENT))
		return -ENOENT;
	*maddr = (pte & SOFTGPU_PTE_ADDR_MASK) + (ap_off & 0xfff);
	return 0;
}
