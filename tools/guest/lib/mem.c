/* SPDX-License-Identifier: MIT */
/*
 * mem.c — register accesses through BAR0, the ballooned allocators (GM,
 * guest RAM, PPGTT addresses), GGTT entries written through BAR0 (each a
 * trapped write, as i915's gen8_ggtt_insert_entries makes them), GPU
 * objects, and the CPU's direct path through the aperture (BAR2).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/xensim.h"
#include "util.h"

static int
reg_fail(struct gdev *g, int rc, const char *op, uint32_t off)
{
	return gfail(g, rc, "%s of BAR0+0x%x: %s", op, off, strerror(-rc));
}

int
gdev_readl(struct gdev *g, uint32_t off, uint32_t *val)
{
	uint64_t v = 0;
	int rc = sim_mem_read(g->c, g->bar0 + off, 4, &v);

	*val = (uint32_t)v;
	return rc ? reg_fail(g, rc, "readl", off) : 0;
}

int
gdev_writel(struct gdev *g, uint32_t off, uint32_t val)
{
	int rc = sim_mem_write(g->c, g->bar0 + off, 4, val);

	return rc ? reg_fail(g, rc, "writel", off) : 0;
}

int
gdev_readq(struct gdev *g, uint32_t off, uint64_t *val)
{
	int rc = sim_mem_read(g->c, g->bar0 + off, 8, val);

	return rc ? reg_fail(g, rc, "readq", off) : 0;
}

int
gdev_writeq(struct gdev *g, uint32_t off, uint64_t val)
{
	int rc = sim_mem_write(g->c, g->bar0 + off, 8, val);

	return rc ? reg_fail(g, rc, "writeq", off) : 0;
}

int
grange_alloc(struct gdev *g, struct grange *r, const char *what, uint64_t size,
	     uint64_t align, uint64_t *out)
{
	uint64_t at;

	if (!size || !align || (align & (align - 1)))
		return gfail(g, -EINVAL, "%s: bad size %" PRIu64 " or alignment", what, size);
	at = (r->next + align - 1) & ~(align - 1);
	if (at < r->next || at > r->end || size > r->end - at)
		return gfail(g, -ENOSPC, "%s: %" PRIu64 " bytes wanted, %" PRIu64 " left", what,
			     size, r->end > r->next ? r->end - r->next : 0);
	*out = at;
	r->next = at + size;
	return 0;
}

void *
gdev_ram(struct gdev *g, uint64_t gpa, size_t len)
{
	return sim_guest_ram(g->c, gpa, len);
}

int
gdev_ram_alloc(struct gdev *g, unsigned int npages, uint64_t *gpa)
{
	void *p;
	int rc = grange_alloc(g, &g->ram, "guest RAM", (uint64_t)npages * G9_PAGE, G9_PAGE, gpa);

	if (rc)
		return rc;
	p = gdev_ram(g, *gpa, (size_t)npages * G9_PAGE);
	if (!p)
		return gfail(g, -EFAULT, "guest RAM 0x%" PRIx64 " is not RAM", *gpa);
	memset(p, 0, (size_t)npages * G9_PAGE);
	return 0;
}

int
gdev_ggtt_map(struct gdev *g, uint64_t gma, uint64_t gpa, unsigned int npages)
{
	for (unsigned int i = 0; i < npages; i++) {
		uint64_t idx = (gma >> 12) + i;
		int rc = gdev_writeq(g, (uint32_t)(G9_GGTT_OFF + idx * 8),
				     ((gpa + (uint64_t)i * G9_PAGE) & PTE_ADDR_MASK) | PTE_PRESENT);

		if (rc)
			return rc;
	}
	return 0;
}

static int
obj_pages(struct gdev *g, uint64_t size, struct gobj *o)
{
	int rc;

	memset(o, 0, sizeof(*o));
	if (!size)
		return gfail(g, -EINVAL, "empty object");
	o->size = (size + G9_PAGE - 1) & ~(uint64_t)(G9_PAGE - 1);
	rc = gdev_ram_alloc(g, (unsigned int)(o->size / G9_PAGE), &o->gpa);
	if (rc)
		return rc;
	o->cpu = gdev_ram(g, o->gpa, (size_t)o->size);
	return 0;
}

int
gobj_new(struct gdev *g, uint64_t size, bool mappable, struct gobj *o)
{
	int rc = obj_pages(g, size, o);

	if (rc)
		return rc;
	o->mappable = mappable;
	rc = grange_alloc(g, mappable ? &g->low : &g->high, mappable ? "aperture GM" : "hidden GM",
			  o->size, G9_PAGE, &o->gma);
	if (rc)
		return rc;
	return gdev_ggtt_map(g, o->gma, o->gpa, (unsigned int)(o->size / G9_PAGE));
}

int
gobj_new_unmapped(struct gdev *g, uint64_t size, struct gobj *o)
{
	return obj_pages(g, size, o);
}

/* An aperture access of len bytes at gma: 8-byte accesses, smaller at the edges. */
static int
aperture_io(struct gdev *g, uint64_t gma, uint8_t *buf, size_t len, bool write)
{
	if (gma < g->low_base || gma - g->low_base > g->low_size ||
	    len > g->low_base + g->low_size - gma)
		return gfail(g, -EFAULT, "aperture 0x%" PRIx64 "+%zu outside its slice", gma, len);
	while (len) {
		unsigned int sz = (gma & 7) == 0 && len >= 8 ? 8 : (gma & 3) == 0 && len >= 4 ? 4 : 1;
		uint64_t v = 0;
		int rc;

		if (write) {
			memcpy(&v, buf, sz);
			rc = sim_mem_write(g->c, g->bar2 + gma, sz, v);
		} else {
			rc = sim_mem_read(g->c, g->bar2 + gma, sz, &v);
			memcpy(buf, &v, sz);
		}
		if (rc)
			return gfail(g, rc, "aperture %s at 0x%" PRIx64 ": %s",
				     write ? "write" : "read", gma, strerror(-rc));
		gma += sz;
		buf += sz;
		len -= sz;
	}
	return 0;
}

int
gdev_aperture_write(struct gdev *g, uint64_t gma, const void *buf, size_t len)
{
	return aperture_io(g, gma, (uint8_t *)(uintptr_t)buf, len, true);
}

int
gdev_aperture_read(struct gdev *g, uint64_t gma, void *buf, size_t len)
{
	return aperture_io(g, gma, buf, len, false);
}
