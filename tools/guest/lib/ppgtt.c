/* SPDX-License-Identifier: MIT */
/*
 * ppgtt.c — a 4-level, 48-bit PPGTT in guest RAM as i915's gen8_ppgtt
 * builds one: an empty PML4 announced to the vGPU at creation (g2v
 * PPGTT_L4_CREATE with pdp[0], i915's gen8_ppgtt_notify_vgt), then tables
 * allocated and entries written as objects are bound. Every entry is a
 * guest memory write: once the device model write-protects a table page,
 * that write traps and the shadow follows it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/xensim.h"
#include "util.h"

/* Index of gva at level (3 = PML4 .. 0 = PT). */
static unsigned int
level_index(uint64_t gva, unsigned int level)
{
	return (unsigned int)((gva >> (12 + 9 * level)) & 0x1ff);
}

static int
pte_read(struct gppgtt *vm, uint64_t table, unsigned int i, uint64_t *pte)
{
	int rc = sim_mem_read(vm->g->c, table + i * 8ull, 8, pte);

	return rc ? gfail(vm->g, rc, "page table read at 0x%" PRIx64 ": %s", table + i * (uint64_t)8,
			  strerror(-rc)) : 0;
}

static int
pte_write(struct gppgtt *vm, uint64_t table, unsigned int i, uint64_t pte)
{
	int rc = sim_mem_write(vm->g->c, table + i * 8ull, 8, pte);

	vm->pte_writes++;
	return rc ? gfail(vm->g, rc, "page table write at 0x%" PRIx64 ": %s", table + i * (uint64_t)8,
			  strerror(-rc)) : 0;
}

static int
notify(struct gppgtt *vm, uint32_t what)
{
	struct gdev *g = vm->g;
	int rc;

	if ((rc = gdev_writel(g, PV_PDP_LO(0), (uint32_t)vm->pml4)) ||
	    (rc = gdev_writel(g, PV_PDP_HI(0), (uint32_t)(vm->pml4 >> 32))) ||
	    (rc = gdev_writel(g, PV_G2V_NOTIFY, what)))
		return rc;
	return 0;
}

int
gppgtt_new(struct gdev *g, struct gppgtt *vm)
{
	int rc;

	memset(vm, 0, sizeof(*vm));
	vm->g = g;
	rc = gdev_ram_alloc(g, 1, &vm->pml4);
	if (rc)
		return rc;
	vm->tables = 1;
	rc = notify(vm, G2V_PPGTT_L4_CREATE);
	vm->announced = rc == 0;
	return rc;
}

/* The table one level down from entry i of table (allocated if absent). */
static int
next_table(struct gppgtt *vm, uint64_t table, unsigned int i, uint64_t *next)
{
	uint64_t pte;
	int rc = pte_read(vm, table, i, &pte);

	if (rc)
		return rc;
	if (pte & PTE_PRESENT) {
		*next = pte & PTE_ADDR_MASK;
		return 0;
	}
	rc = gdev_ram_alloc(vm->g, 1, next);
	if (rc)
		return rc;
	vm->tables++;
	return pte_write(vm, table, i, *next | PTE_PRESENT | PTE_RW);
}

int
gppgtt_map(struct gppgtt *vm, uint64_t gva, uint64_t gpa, unsigned int npages)
{
	if ((gva | gpa) & (G9_PAGE - 1) || gva >> 48 || (gva + (uint64_t)npages * G9_PAGE) >> 48)
		return gfail(vm->g, -EINVAL, "ppgtt map 0x%" PRIx64 " -> 0x%" PRIx64
			     ": unaligned or beyond 48 bits", gva, gpa);
	for (unsigned int p = 0; p < npages; p++) {
		uint64_t va = gva + (uint64_t)p * G9_PAGE, table = vm->pml4;
		int rc;

		for (unsigned int level = 3; level > 0; level--) {
			rc = next_table(vm, table, level_index(va, level), &table);
			if (rc)
				return rc;
		}
		rc = pte_write(vm, table, level_index(va, 0),
			       ((gpa + (uint64_t)p * G9_PAGE) & PTE_ADDR_MASK) | PTE_PRESENT | PTE_RW);
		if (rc)
			return rc;
	}
	return 0;
}

int
gppgtt_bind(struct gppgtt *vm, struct gobj *o)
{
	int rc = grange_alloc(vm->g, &vm->g->gva, "PPGTT addresses", o->size, G9_PAGE, &o->gva);

	if (rc)
		return rc;
	return gppgtt_map(vm, o->gva, o->gpa, (unsigned int)(o->size / G9_PAGE));
}

int
gppgtt_lookup(struct gppgtt *vm, uint64_t gva, uint64_t *gpa)
{
	uint64_t table = vm->pml4, pte = 0;

	for (int level = 3; level >= 0; level--) {
		int rc = pte_read(vm, table, level_index(gva, (unsigned int)level), &pte);

		if (rc)
			return rc;
		if (!(pte & PTE_PRESENT))
			return gfail(vm->g, -EFAULT, "0x%" PRIx64 " unmapped at level %d", gva, level);
		table = pte & PTE_ADDR_MASK;
	}
	*gpa = table | (gva & (G9_PAGE - 1));
	return 0;
}

int
gppgtt_destroy(struct gppgtt *vm)
{
	int rc = 0;

	if (vm->announced)
		rc = notify(vm, G2V_PPGTT_L4_DESTROY);
	vm->announced = false;
	return rc;
}
