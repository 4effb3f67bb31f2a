/* SPDX-License-Identifier: MIT */
/*
 * ppgtt_walk.c — the PPGTT walk a context's memory accesses take: legacy
 * 64-bit (4 levels, PML4 -> PDP -> PD -> PT, 48-bit addresses, the PML4's
 * machine address in the context's PDP0) and legacy 32-bit (3 levels, the
 * four PDP registers point at page directories, 32-bit addresses).
 * Entries are gen8 format: bit 0 present, bit 1 writable (Gen9 honours
 * read-only pages), bits 45:12 the next table or page. A PDPE with bit 7
 * maps a 1 GiB page and a PDE with bit 7 a 2 MiB page, as hardware does;
 * a PDE with bit 11 (its table maps 64 KiB pages) is refused. Each table
 * entry read is bounds-checked against machine memory: a walk never leaves
 * it, whatever the tables contain.
 */
#include <stddef.h>

#include "sg_int.h"

/* The entry at maddr, or false if it is outside machine memory. */
static bool
read_entry(struct sg_exec *x, uint64_t maddr, uint64_t *e)
{
	const uint8_t *p = sg_mem(x, maddr, 8);

	if (!p)
		return false;
	*e = __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_ACQUIRE);
	return true;
}

int
sg_ppgtt_xlate(struct sg_exec *x, unsigned int levels, const uint64_t pdp[4], uint64_t va,
	       bool write, uint64_t *maddr, const char **why)
{
	uint64_t table, e, size;
	unsigned int shift;

	if (levels == 4) {
		if (va >> 48) {
			*why = "beyond 48 bits";
			return -1;
		}
		table = pdp[0] & SG_PTE_ADDR_MASK;
		shift = 39;
	} else {
		if (va >> 32) {
			*why = "beyond 32 bits (legacy 32-bit context)";
			return -1;
		}
		table = pdp[(va >> 30) & 3] & SG_PTE_ADDR_MASK;
		shift = 21;
	}
	for (;; shift -= 9) {
		if (!read_entry(x, table + ((va >> shift) & 0x1ff) * 8, &e)) {
			*why = "page table outside machine memory";
			return -1;
		}
		if (!(e & SG_PTE_PRESENT)) {
			*why = "not present";
			return -1;
		}
		size = 1ull << shift;
		if (shift == 12 || ((shift == 30 || shift == 21) && (e & SG_PDE_PS)))
			break;
		if (shift == 21 && (e & SG_PDE_IPS_64K)) {
			*why = "64 KiB page table (PDE bit 11) not supported";
			return -1;
		}
		table = e & SG_PTE_ADDR_MASK;
	}
	if (write && !(e & SG_PTE_RW)) {
		*why = "read-only page";
		return -1;
	}
	*maddr = (e & SG_PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
	return 0;
}
