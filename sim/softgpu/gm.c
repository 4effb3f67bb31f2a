/* SPDX-License-Identifier: MIT */
/*
 * gm.c — graphics memory as a running context reaches it: GGTT entries
 * (bit 0 present, bits 45:12 the machine page) or the context's PPGTT
 * (ppgtt_walk.c), into machine memory (machine address = offset in the
 * machine's RAM file). Every access is bounds-checked; a bad one records
 * an address fault in the run and the command stops there.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../xensim.h"
#include "sg_int.h"

uint8_t *
sg_mem(struct sg_exec *x, uint64_t maddr, uint64_t len)
{
	if (maddr >= XENSIM_MEM_SIZE || len > XENSIM_MEM_SIZE - maddr)
		return NULL;
	return x->mem + maddr;
}

int
sg_ggtt_xlate(struct softgpu *g, uint64_t gma, uint64_t *maddr)
{
	uint64_t pte;

	if ((gma >> 12) >= SOFTGPU_GGTT_ENTRIES)
		return -1;
	pte = __atomic_load_n(&g->ggtt[gma >> 12], __ATOMIC_ACQUIRE);
	if (!(pte & SG_PTE_PRESENT))
		return -1;
	*maddr = (pte & SG_PTE_ADDR_MASK) | (gma & (SG_PAGE - 1));
	return 0;
}

int
sg_fault(struct sg_run *r, uint32_t kind, uint64_t addr, const char *fmt, ...)
{
	va_list ap;

	if (r->fault)
		return SG_FAULT;
	r->fault = kind;
	r->fault_addr = addr;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return SG_FAULT;
}

int
sg_gm_page(struct sg_run *r, bool ppgtt, uint64_t gma, bool write, uint8_t **host,
	   uint32_t *avail)
{
	uint64_t maddr;
	const char *why = "not present";

	if (ppgtt) {
		if (sg_ppgtt_xlate(r->x, r->levels, r->pdp, gma, write, &maddr, &why) < 0)
			return sg_fault(r, SOFTGPU_FAULT_ADDRESS, gma, "PPGTT 0x%llx: %s",
					(unsigned long long)gma, why);
	} else if (sg_ggtt_xlate(r->g, gma, &maddr) < 0) {
		return sg_fault(r, SOFTGPU_FAULT_ADDRESS, gma, "GGTT 0x%llx: %s",
				(unsigned long long)gma,
				(gma >> 12) >= SOFTGPU_GGTT_ENTRIES ? "beyond the GGTT" : why);
	}
	*avail = SG_PAGE - (uint32_t)(gma & (SG_PAGE - 1));
	*host = sg_mem(r->x, maddr, *avail);
	if (!*host)
		return sg_fault(r, SOFTGPU_FAULT_ADDRESS, gma,
				"%s 0x%llx: machine address 0x%llx outside memory",
				ppgtt ? "PPGTT" : "GGTT", (unsigned long long)gma,
				(unsigned long long)maddr);
	return SG_OK;
}

int
sg_gm_span(struct sg_run *r, bool ppgtt, uint64_t gma, bool write, uint64_t max, uint8_t **host,
	   uint64_t *len)
{
	uint8_t *h, *next;
	uint32_t avail;

	if (sg_gm_page(r, ppgtt, gma, write, &h, &avail) < 0)
		return SG_FAULT;
	*host = h;
	*len = avail;
	/* Following pages that continue it in machine memory (a fault there just ends the span). */
	while (*len < max) {
		uint32_t fault = r->fault;

		if (sg_gm_page(r, ppgtt, gma + *len, write, &next, &avail) < 0) {
			r->fault = fault;
			break;
		}
		if (next != h + *len)
			break;
		*len += avail;
	}
	if (*len > max)
		*len = max;
	return SG_OK;
}

static int
gm_copy(struct sg_run *r, bool ppgtt, uint64_t gma, void *buf, uint64_t len, bool write)
{
	uint8_t *b = buf, *host;
	uint32_t avail;

	while (len) {
		if (sg_gm_page(r, ppgtt, gma, write, &host, &avail) < 0)
			return SG_FAULT;
		if (avail > len)
			avail = (uint32_t)len;
		if (write)
			memcpy(host, b, avail);
		else
			memcpy(b, host, avail);
		b += avail;
		gma += avail;
		len -= avail;
	}
	return SG_OK;
}

int
sg_gm_read(struct sg_run *r, bool ppgtt, uint64_t gma, void *buf, uint64_t len)
{
	return gm_copy(r, ppgtt, gma, buf, len, false);
}

int
sg_gm_write(struct sg_run *r, bool ppgtt, uint64_t gma, const void *buf, uint64_t len)
{
	return gm_copy(r, ppgtt, gma, (void *)(uintptr_t)buf, len, true);
}

/* Aligned dwords and qwords are single stores: a CPU polling them never sees half of one. */
int
sg_gm_write32(struct sg_run *r, bool ppgtt, uint64_t gma, uint32_t v)
{
	uint8_t *host;
	uint32_t avail;

	if (gma & 3)
		return sg_gm_write(r, ppgtt, gma, &v, 4);
	if (sg_gm_page(r, ppgtt, gma, true, &host, &avail) < 0)
		return SG_FAULT;
	__atomic_store_n((uint32_t *)(void *)host, v, __ATOMIC_RELEASE);
	return SG_OK;
}

int
sg_gm_write64(struct sg_run *r, bool ppgtt, uint64_t gma, uint64_t v)
{
	uint8_t *host;
	uint32_t avail;

	if (gma & 7)
		return sg_gm_write(r, ppgtt, gma, &v, 8);
	if (sg_gm_page(r, ppgtt, gma, true, &host, &avail) < 0)
		return SG_FAULT;
	__atomic_store_n((uint64_t *)(void *)host, v, __ATOMIC_RELEASE);
	return SG_OK;
}

int
sg_gm_read32(struct sg_run *r, bool ppgtt, uint64_t gma, uint32_t *v)
{
	uint8_t *host;
	uint32_t avail;

	if (gma & 3)
		return sg_gm_read(r, ppgtt, gma, v, 4);
	if (sg_gm_page(r, ppgtt, gma, false, &host, &avail) < 0)
		return SG_FAULT;
	*v = __atomic_load_n((const uint32_t *)(const void *)host, __ATOMIC_ACQUIRE);
	return SG_OK;
}
