/* SPDX-License-Identifier: MIT */
/*
 * ioreq_decode.c — validate ioreq fields (guest-controlled, so hostile)
 * and turn them into struct ioreq_access; decode buffered-ring slots.
 * Pure functions only: no Xen calls, no logging, no state.
 */
#include <stddef.h>

#include "ioreq_decode.h"

typedef enum ioreq_err ioreq_decode_fn(const struct ioreq_raw *r,
				       const struct ioreq_claims *c,
				       struct ioreq_access *a);

static const char *const ioreq_err_names[IOE_NR] = {
	[IOE_OK] = "ok",
	[IOE_TYPE] = "type",
	[IOE_SIZE] = "size",
	[IOE_COUNT_ZERO] = "count-zero",
	[IOE_COUNT_MAX] = "count-max",
	[IOE_WRAP] = "wrap",
	[IOE_PORT] = "port",
	[IOE_PCI_SIZE] = "pci-size",
	[IOE_PCI_FORM] = "pci-form",
	[IOE_PCI_SBDF] = "pci-sbdf",
	[IOE_PCI_REG] = "pci-reg",
	[IOE_RANGE] = "range",
	[IOE_PTR] = "ptr",
	[IOE_BUF_SHORT] = "buf-short",
	[IOE_BUF_READ] = "buf-read",
};

static const char *const ioreq_kind_names[IOK_NR] = {
	[IOK_PIO] = "pio",
	[IOK_MMIO] = "mmio",
	[IOK_PCI] = "pci",
	[IOK_TIMEOFFSET] = "timeoffset",
	[IOK_INVALIDATE] = "invalidate",
	[IOK_RAM_WRITE] = "ram_write",
};

const char *
ioreq_err_name(enum ioreq_err e)
{
	return (unsigned int)e < IOE_NR ? ioreq_err_names[e] : "?";
}

const char *
ioreq_kind_name(enum ioreq_kind k)
{
	return (unsigned int)k < IOK_NR ? ioreq_kind_names[k] : "?";
}

uint64_t
ioreq_ones(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static bool
size_ok(uint32_t size, uint32_t max)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && size <= max;
}

/* First and last byte of count items of size from base, counting down if df. */
static enum ioreq_err
span(uint64_t base, uint32_t size, uint32_t count, bool df, uint64_t *lo, uint64_t *hi)
{
	uint64_t back = (uint64_t)(count - 1) * size;

	if (df) {
		if (base < back || base + size - 1 < base)
			return IOE_WRAP;
		*lo = base - back;
		*hi = base + size - 1;
	} else {
		if (base + back + size - 1 < base)
			return IOE_WRAP;
		*lo = base;
		*hi = base + back + size - 1;
	}
	return IOE_OK;
}

static bool
in_ranges(const struct ioreq_range *r, unsigned int n, uint64_t lo, uint64_t hi)
{
	for (unsigned int i = 0; i < n; i++)
		if (lo >= r[i].start && hi <= r[i].end)
			return true;
	return false;
}

/* Common checks for PIO and COPY: size, count, spans; fills a. */
static enum ioreq_err
decode_rep(const struct ioreq_raw *r, struct ioreq_access *a, uint32_t max_size,
	   uint64_t *lo, uint64_t *hi)
{
	uint64_t mlo, mhi;
	enum ioreq_err e;

	if (!size_ok(r->size, max_size))
		return IOE_SIZE;
	a->size = r->size;
	if (r->count == 0)
		return IOE_COUNT_ZERO;
	if ((uint64_t)r->count * r->size > IOREQ_MAX_REP_BYTES)
		return IOE_COUNT_MAX;
	a->count = r->count;
	a->df = r->df;
	a->data_is_ptr = r->data_is_ptr;
	a->addr = r->addr;
	a->data = r->data;
	if (a->write && !a->data_is_ptr)
		a->data &= ioreq_ones(a->size);
	if (a->data_is_ptr) {
		e = span(r->data, r->size, r->count, r->df, &mlo, &mhi);
		if (e)
			return e;
	}
	if (a->kind == IOK_PIO) {
		/* The port stays the same for every item (rep ins/outs). */
		*lo = r->addr;
		*hi = r->addr + r->size - 1;
		if (r->addr > 0xffff || *hi > 0xffff)
			return IOE_PORT;
		return IOE_OK;
	}
	return span(r->addr, r->size, r->count, r->df, lo, hi);
}

static enum ioreq_err
decode_pio(const struct ioreq_raw *r, const struct ioreq_claims *c, struct ioreq_access *a)
{
	uint64_t lo, hi;
	enum ioreq_err e = decode_rep(r, a, 4, &lo, &hi);

	if (e)
		return e;
	return in_ranges(c->pio, c->nr_pio, lo, hi) ? IOE_OK : IOE_RANGE;
}

static enum ioreq_err
decode_copy(const struct ioreq_raw *r, const struct ioreq_claims *c, struct ioreq_access *a)
{
	uint64_t lo, hi;
	enum ioreq_err e = decode_rep(r, a, 8, &lo, &hi);

	if (e)
		return e;
	/*
	 * A page we write-protect before any range: its p2m type sends its
	 * writes here whatever BAR the guest placed over it (emulate.c
	 * hvmemul_do_io checks p2m_ioreq_server before selecting by range).
	 */
	if (c->mem_owned && c->mem_owned(c->arg, lo, hi))
		return IOE_OK;
	if (in_ranges(c->mmio, c->nr_mmio, lo, hi))
		return IOE_OK;
	if (!a->write)
		return IOE_RANGE;
	/* Not ours any more: bounded like any rep, done on RAM by the glue. */
	a->kind = IOK_RAM_WRITE;
	return IOE_OK;
}

/*
 * Config cycles come only from CF8/CFC (addr = SBDF << 32 | reg), one
 * item of 1/2/4 bytes. With data_is_ptr the value moves through guest
 * memory at data, as QEMU's cpu_ioreq_config serves it; a count other
 * than 1 is not a form Xen produces.
 */
static enum ioreq_err
decode_pci(const struct ioreq_raw *r, const struct ioreq_claims *c, struct ioreq_access *a)
{
	uint64_t reg = r->addr & 0xffffffffu;

	if (r->size != 1 && r->size != 2 && r->size != 4)
		return IOE_PCI_SIZE;
	a->size = r->size;
	if (r->count != 1)
		return IOE_PCI_FORM;
	a->count = 1;
	a->data_is_ptr = r->data_is_ptr;
	a->sbdf = (uint32_t)(r->addr >> 32);
	if (!c->has_sbdf || a->sbdf != c->sbdf)
		return IOE_PCI_SBDF;
	if (reg + r->size > 4096 || (reg & (r->size - 1)))
		return IOE_PCI_REG;
	a->addr = reg;
	if (a->data_is_ptr) {
		a->data = r->data;
		return span(r->data, r->size, 1, false, &(uint64_t){ 0 }, &(uint64_t){ 0 });
	}
	a->data = a->write ? r->data & ioreq_ones(r->size) : 0;
	return IOE_OK;
}

static enum ioreq_err
decode_timeoffset(const struct ioreq_raw *r, const struct ioreq_claims *c,
		  struct ioreq_access *a)
{
	(void)c;
	a->size = r->size ? r->size : 8;
	a->count = 1;
	a->data = r->data;
	return IOE_OK;
}

static enum ioreq_err
decode_invalidate(const struct ioreq_raw *r, const struct ioreq_claims *c,
		  struct ioreq_access *a)
{
	(void)r;
	(void)c;
	a->size = 8;
	a->count = 1;
	return IOE_OK;
}

static const struct {
	enum ioreq_kind kind;
	ioreq_decode_fn *fn;
} ioreq_decoders[IOREQ_DEC_NR_TYPES] = {
	[IOREQ_DEC_PIO] = { IOK_PIO, decode_pio },
	[IOREQ_DEC_COPY] = { IOK_MMIO, decode_copy },
	[IOREQ_DEC_PCI_CONFIG] = { IOK_PCI, decode_pci },
	[IOREQ_DEC_TIMEOFFSET] = { IOK_TIMEOFFSET, decode_timeoffset },
	[IOREQ_DEC_INVALIDATE] = { IOK_INVALIDATE, decode_invalidate },
};

enum ioreq_err
ioreq_decode(const struct ioreq_raw *r, const struct ioreq_claims *c, struct ioreq_access *a)
{
	*a = (struct ioreq_access){
		.kind = IOK_MMIO,
		.write = !r->dir,
		.size = size_ok(r->size, 8) ? r->size : 8,
		.count = 1,
	};
	if (r->type >= IOREQ_DEC_NR_TYPES || !ioreq_decoders[r->type].fn)
		return IOE_TYPE;
	a->kind = ioreq_decoders[r->type].kind;
	return ioreq_decoders[r->type].fn(r, c, a);
}

enum ioreq_err
ioreq_decode_buffered(const struct ioreq_bufslot *s, unsigned int avail,
		      struct ioreq_raw *out, unsigned int *used)
{
	unsigned int size = 1u << (s[0].size_code & 3);

	*used = 1;
	*out = (struct ioreq_raw){
		.type = s[0].type,
		.dir = s[0].dir,
		.addr = s[0].addr & 0xfffff,
		.data = s[0].data,
		.size = size,
		.count = 1,
	};
	if (size == 8) {
		/* The high half travels in the next slot (Xen ioreq_send_buffered). */
		if (avail < 2)
			return IOE_BUF_SHORT;
		*used = 2;
		out->data |= (uint64_t)s[1].data << 32;
	}
	if (s[0].dir)
		return IOE_BUF_READ;
	return IOE_OK;
}

void
ioreq_item(const struct ioreq_access *a, uint32_t i, uint64_t *dev, uint64_t *mem)
{
	uint64_t step = (uint64_t)i * a->size;

	if (a->kind == IOK_PIO)
		*dev = a->addr;
	else
		*dev = a->df ? a->addr - step : a->addr + step;
	*mem = a->df ? a->data - step : a->data + step;
}
