/* SPDX-License-Identifier: MIT */
/*
 * softgpu.c — the simulated GPU's shared state: a register file and a GGTT
 * in /dev/shm/xensim-<machine>.gpu, shared by the daemon (pgpu backend),
 * the guest access path (aperture translation) and tests. The register
 * file's rules live in regs.c, execution in engine.c and its neighbours.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../sim_int.h"
#include "sg_int.h"

/* gen8 GGTT PTE as the aperture path has always decoded it: bit 0 present, bits 38:12 the page. */
#define SOFTGPU_APERTURE_ADDR_MASK 0x7ffffff000ull
#define SOFTGPU_FILE_SIZE ((uint64_t)SOFTGPU_MMIO_SIZE + (uint64_t)SOFTGPU_GGTT_ENTRIES * 8)

struct softgpu *
softgpu_open(const char *machine)
{
	const char *name = sim_machine_name(machine);
	struct softgpu *g;
	bool created;
	int e;

	if (strchr(name, '/') || strlen(name) >= sizeof(g->machine)) {
		errno = EINVAL;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	snprintf(g->machine, sizeof(g->machine), "%s", name);
	/* Idempotent: the first opener creates and sizes it; new files read as zeroes. */
	g->base = sim_file_map(name, "gpu", SOFTGPU_FILE_SIZE, true, &g->fd, &created);
	if (!g->base) {
		e = errno;
		free(g);
		errno = e;
		return NULL;
	}
	g->mmio = (uint32_t *)(void *)g->base;
	g->ggtt = (uint64_t *)(void *)(g->base + SOFTGPU_MMIO_SIZE);
	pthread_mutex_init(&g->exec_lock, NULL);
	return g;
}

void
softgpu_close(struct softgpu *g)
{
	if (!g)
		return;
	sg_exec_stop(g);
	pthread_mutex_destroy(&g->exec_lock);
	sim_file_unmap(g->base, SOFTGPU_FILE_SIZE, g->fd);
	free(g);
}

/* Out-of-range or unaligned offsets read all-ones and drop writes. */
uint32_t
softgpu_mmio_read(struct softgpu *g, uint32_t off)
{
	if (off >= SOFTGPU_MMIO_SIZE || (off & 3))
		return 0xffffffffu;
	return sg_reg_read(g, off);
}

void
softgpu_mmio_write(struct softgpu *g, uint32_t off, uint32_t val)
{
	if (off >= SOFTGPU_MMIO_SIZE || (off & 3))
		return;
	sg_reg_write(g, off, val);
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
	if (!(pte & SG_PTE_PRESENT))
		return -ENOENT;
	*maddr = (pte & SOFTGPU_APERTURE_ADDR_MASK) + (ap_off & 0xfff);
	return 0;
}
