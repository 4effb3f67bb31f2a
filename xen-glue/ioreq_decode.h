/* SPDX-License-Identifier: MIT */
/*
 * ioreq_decode.h — pure decoding of Xen ioreqs into validated accesses.
 * No Xen header and no I/O here: the glue copies an ioreq_t / buf_ioreq_t
 * into the plain structs below, and unit tests and fuzzers call the same
 * functions without a daemon. Execution lives in ioreq_loop.c.
 */
#ifndef XEN_GLUE_IOREQ_DECODE_H
#define XEN_GLUE_IOREQ_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* ioreq type numbers (xen/hvm/ioreq.h IOREQ_TYPE_*; ABI, checked in ioreq_loop.c). */
#define IOREQ_DEC_PIO		0
#define IOREQ_DEC_COPY		1
#define IOREQ_DEC_PCI_CONFIG	2
#define IOREQ_DEC_TIMEOFFSET	7
#define IOREQ_DEC_INVALIDATE	8
#define IOREQ_DEC_NR_TYPES	9

/* Largest rep transfer we accept (count * size), bytes. Xen splits reps at page boundaries. */
#define IOREQ_MAX_REP_BYTES	(64u << 10)

/* The fields of one ioreq_t, as read from the shared page (dir: 1 = read). */
struct ioreq_raw {
	uint64_t addr, data;
	uint32_t count, size;
	uint8_t type, dir, df, data_is_ptr;
};

/* What a request is, once decoded. */
enum ioreq_kind {
	IOK_PIO,	/* port I/O: addr is a port */
	IOK_MMIO,	/* IOREQ_TYPE_COPY: addr is a gpa */
	IOK_PCI,	/* config cycle: sbdf + reg */
	IOK_TIMEOFFSET,	/* RTC offset broadcast: data is the offset */
	IOK_INVALIDATE,	/* flush the mapping cache */
	IOK_RAM_WRITE,	/* COPY write outside every claim: a late write to guest RAM */
	IOK_NR
};

/* Why a request was refused. Each gets a counter and one log line per domain. */
enum ioreq_err {
	IOE_OK = 0,
	IOE_TYPE,	/* unknown ioreq type */
	IOE_SIZE,	/* size not 1/2/4/8 (PIO: not 1/2/4) */
	IOE_COUNT_ZERO,	/* count == 0 */
	IOE_COUNT_MAX,	/* count * size > IOREQ_MAX_REP_BYTES */
	IOE_WRAP,	/* device or memory span wraps the address space */
	IOE_PORT,	/* port span beyond 0xffff */
	IOE_PCI_SIZE,	/* config cycle size not 1/2/4 */
	IOE_PCI_FORM,	/* config cycle with count != 1 */
	IOE_PCI_SBDF,	/* config cycle for an SBDF we do not claim */
	IOE_PCI_REG,	/* config register >= 4096 or unaligned */
	IOE_RANGE,	/* outside every claimed range */
	IOE_PTR,	/* data_is_ptr names guest memory we cannot map (at execution) */
	IOE_BUF_SHORT,	/* buffered 8-byte request missing its second slot */
	IOE_BUF_READ,	/* buffered request that is a read (no reply path) */
	IOE_NR
};

/* Inclusive range of bytes (gpa) or ports. */
struct ioreq_range {
	uint64_t start, end;
};

/*
 * What this server owns; decode refuses everything else with IOE_RANGE,
 * except a COPY write, which becomes IOK_RAM_WRITE: Xen picks the server
 * when the vCPU faults, so a write to a page the mediator un-protected (or
 * a range it unclaimed) after that still arrives here, and Xen never
 * performs a write to a p2m_ioreq_server page itself (hvm/emulate.c
 * hvmemul_do_io: "the device model side needs to check the incoming ioreq").
 * The glue completes it on guest memory if the target is RAM, else drops it.
 */
struct ioreq_claims {
	bool has_sbdf;
	uint32_t sbdf;			/* seg<<16 | bus<<8 | dev<<3 | fn */
	const struct ioreq_range *mmio;
	unsigned int nr_mmio;
	const struct ioreq_range *pio;
	unsigned int nr_pio;
	/* Optional: does [start, end] lie inside one write-protected page? */
	bool (*mem_owned)(void *arg, uint64_t start, uint64_t end);
	void *arg;
};

/* A validated access: item i touches device address/memory per ioreq_item(). */
struct ioreq_access {
	enum ioreq_kind kind;
	bool write, df, data_is_ptr;
	unsigned int size;		/* bytes per item: 1, 2, 4, 8 */
	uint32_t count;			/* items, >= 1 */
	uint64_t addr;			/* port, gpa, or config register */
	uint64_t data;			/* write value (masked to size) or gpa of the buffer */
	uint32_t sbdf;			/* IOK_PCI only */
};

/* The buffered-ring slot as plain fields (buf_ioreq_t: size code 0..3 = 1/2/4/8 bytes). */
struct ioreq_bufslot {
	uint8_t type, dir, size_code;
	uint32_t addr;			/* 20 bits */
	uint32_t data;
};

/*
 * Decode and validate one synchronous request against claims. Pure.
 * Returns IOE_OK with *out filled, or the reason it was refused (then
 * out->kind, write and size are still filled when known, for the safe reply).
 */
enum ioreq_err ioreq_decode(const struct ioreq_raw *r, const struct ioreq_claims *c,
			    struct ioreq_access *out);

/*
 * Turn the buffered slot(s) at s[0] (s[1] used for an 8-byte value) into
 * a raw request. avail = slots between read and write pointer (>= 1).
 * *used = slots to consume (1 or 2; also on error). Pure.
 */
enum ioreq_err ioreq_decode_buffered(const struct ioreq_bufslot *s, unsigned int avail,
				     struct ioreq_raw *out, unsigned int *used);

/*
 * Addresses of item i (< a->count): *dev is the device side (the port for
 * PIO, gpa for MMIO), *mem the guest buffer when data_is_ptr. df counts down.
 */
void ioreq_item(const struct ioreq_access *a, uint32_t i, uint64_t *dev, uint64_t *mem);

/* All-ones of size bytes: the answer to a refused read. */
uint64_t ioreq_ones(unsigned int size);

/* Short name of an error class / kind ("size", "pci-sbdf", ...). */
const char *ioreq_err_name(enum ioreq_err e);
const char *ioreq_kind_name(enum ioreq_kind k);

/* Encode/decode the PCI_CONFIG address: SBDF << 32 | reg. */
static inline uint32_t
ioreq_pci_sbdf(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	return (uint32_t)seg << 16 | (uint32_t)bus << 8 | (uint32_t)(dev & 0x1f) << 3 | (fn & 7);
}

#endif
