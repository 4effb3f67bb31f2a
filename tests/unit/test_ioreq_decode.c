/* SPDX-License-Identifier: MIT */
/*
 * test_ioreq_decode.c — the pure ioreq decoder (xen-glue/ioreq_decode.c):
 * every request form Xen produces, the buffered two-slot form, and
 * malformed requests, each with its exact error class and safe answer.
 */
#include <stdio.h>
#include <string.h>

#include "tests/test_util.h"
#include "xen-glue/ioreq_decode.h"

#define BAR0 0xe0000000ull
#define SBDF ioreq_pci_sbdf(0, 0, 2, 0)

static const struct ioreq_range mmio_r[] = { { BAR0, BAR0 + 0xffffff } };
static const struct ioreq_range pio_r[] = { { 0xc000, 0xc03f } };

static bool
wp_owned(void *arg, uint64_t lo, uint64_t hi)
{
	uint64_t gfn = *(uint64_t *)arg;

	return lo >> 12 == gfn && hi >> 12 == gfn;
}

static uint64_t wp_gfn = 0x1234;

static const struct ioreq_claims claims = {
	.has_sbdf = true, .sbdf = 0x10,	/* 00:02.0 */
	.mmio = mmio_r, .nr_mmio = 1,
	.pio = pio_r, .nr_pio = 1,
	.mem_owned = wp_owned, .arg = &wp_gfn,
};

static enum ioreq_err
dec(struct ioreq_raw r, struct ioreq_access *a)
{
	return ioreq_decode(&r, &claims, a);
}

static void
test_sbdf_encoding(void)
{
	CU_ASSERT_EQUAL(SBDF, 0x10);
	CU_ASSERT_EQUAL(ioreq_pci_sbdf(1, 3, 31, 7), 0x103ffu);
}

static void
test_pio_write(void)
{
	struct ioreq_access a;

	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 0, .addr = 0xc004, .size = 4,
						.count = 1, .data = 0xaabbccdd11223344ull }, &a),
			IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_PIO);
	CU_ASSERT_TRUE(a.write);
	CU_ASSERT_EQUAL(a.data, 0x11223344);	/* masked to size */
	CU_ASSERT_EQUAL(a.addr, 0xc004);
}

static void
test_pio_read_rep_ptr(void)
{
	struct ioreq_access a;
	uint64_t dev, mem;

	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 0, .dir = 1, .addr = 0xc010, .size = 2,
						.count = 8, .data_is_ptr = 1, .data = 0x5000 }, &a),
			IOE_OK);
	CU_ASSERT_FALSE(a.write);
	CU_ASSERT_EQUAL(a.count, 8);
	ioreq_item(&a, 7, &dev, &mem);
	CU_ASSERT_EQUAL(dev, 0xc010);		/* the port never moves */
	CU_ASSERT_EQUAL(mem, 0x5000 + 14);
}

static void
test_mmio_rep_df(void)
{
	struct ioreq_access a;
	uint64_t dev, mem;

	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = BAR0 + 0x100, .size = 4,
						.count = 16, .df = 1, .data_is_ptr = 1,
						.data = 0x9000 }, &a), IOE_OK);
	ioreq_item(&a, 3, &dev, &mem);
	CU_ASSERT_EQUAL(dev, BAR0 + 0x100 - 12);
	CU_ASSERT_EQUAL(mem, 0x9000 - 12);
	/* The same going down past the BAR start is outside the claim... */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .dir = 1, .addr = BAR0 + 8, .size = 4,
						.count = 16, .df = 1 }, &a), IOE_RANGE);
	/* ... and as a write it is left to the RAM path (dropped there: not RAM). */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = BAR0 + 8, .size = 4,
						.count = 16, .df = 1 }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_RAM_WRITE);
}

static void
test_mmio_forms(void)
{
	struct ioreq_access a;

	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .dir = 1, .addr = BAR0 + 0x78000,
						.size = 8, .count = 1 }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_MMIO);
	CU_ASSERT_EQUAL(a.size, 8);
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = BAR0, .size = 2, .count = 1,
						.data = 0x1122334455667788ull }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.data, 0x7788);
	/* Last byte of the claim, exactly. */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = BAR0 + 0xfffffc, .size = 4,
						.count = 1 }, &a), IOE_OK);
	/* A write to a write-protected page (p2m ioreq_server). */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = (wp_gfn << 12) + 0xff8,
						.size = 8, .count = 1 }, &a), IOE_OK);
	/* ... straddling off its end is not ours: the RAM path (which refuses wp pages). */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = (wp_gfn << 12) + 0xffc,
						.size = 8, .count = 1 }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_RAM_WRITE);
	/* Exactly the rep limit passes. */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = BAR0, .size = 4,
						.count = IOREQ_MAX_REP_BYTES / 4 }, &a), IOE_OK);
}

static void
test_pci_config(void)
{
	struct ioreq_access a;

	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 2, .dir = 1,
						.addr = (uint64_t)SBDF << 32 | 0x10, .size = 4,
						.count = 1 }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_PCI);
	CU_ASSERT_EQUAL(a.sbdf, SBDF);
	CU_ASSERT_EQUAL(a.addr, 0x10);
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 2, .addr = (uint64_t)SBDF << 32 | 0x4,
						.size = 2, .count = 1, .data = 0xffff0007 }, &a),
			IOE_OK);
	CU_ASSERT_EQUAL(a.data, 0x0007);
	/* data_is_ptr, count 1: the value moves through guest memory at data. */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 2, .dir = 1,
						.addr = (uint64_t)SBDF << 32, .size = 4,
						.count = 1, .data_is_ptr = 1, .data = 0x5000 }, &a),
			IOE_OK);
	CU_ASSERT_TRUE(a.data_is_ptr);
	CU_ASSERT_EQUAL(a.data, 0x5000);
}

static void
test_invalidate_timeoffset(void)
{
	struct ioreq_access a;

	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 8, .size = 0, .count = 0 }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_INVALIDATE);
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 7, .size = 8, .count = 1,
						.data = 0x123456789ull }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_TIMEOFFSET);
	CU_ASSERT_EQUAL(a.data, 0x123456789ull);
}

/*
 * Malformed requests: exact class, and the size of the safe reply (a read
 * gets all-ones of that many bytes): the request's own size when it is
 * 1/2/4/8, else 8.
 */
static const struct {
	const char *what;
	struct ioreq_raw r;
	enum ioreq_err want;
	unsigned int reply_size;
} malformed[] = {
	{ "unknown type 3", { .type = 3, .dir = 1, .size = 4, .count = 1 }, IOE_TYPE, 4 },
	{ "unknown type 200", { .type = 200, .size = 2, .count = 1 }, IOE_TYPE, 2 },
	{ "size 0", { .type = 1, .addr = BAR0, .size = 0, .count = 1 }, IOE_SIZE, 8 },
	{ "size 3", { .type = 1, .addr = BAR0, .size = 3, .count = 1 }, IOE_SIZE, 8 },
	{ "size 16", { .type = 1, .addr = BAR0, .size = 16, .count = 1 }, IOE_SIZE, 8 },
	{ "PIO size 8", { .type = 0, .addr = 0xc000, .size = 8, .count = 1 }, IOE_SIZE, 8 },
	{ "count 0", { .type = 1, .addr = BAR0, .size = 4, .count = 0 }, IOE_COUNT_ZERO, 4 },
	{ "count ~0", { .type = 1, .addr = BAR0, .size = 4, .count = 0xffffffffu },
	  IOE_COUNT_MAX, 4 },
	{ "count one past limit", { .type = 1, .addr = BAR0, .size = 4,
				    .count = IOREQ_MAX_REP_BYTES / 4 + 1 }, IOE_COUNT_MAX, 4 },
	{ "gpa wraps", { .type = 1, .addr = ~0ull - 1, .size = 4, .count = 1 }, IOE_WRAP, 4 },
	{ "df below 0", { .type = 1, .addr = 8, .size = 2, .count = 8, .df = 1 }, IOE_WRAP, 2 },
	{ "ptr wraps", { .type = 1, .addr = BAR0, .size = 4, .count = 2, .data_is_ptr = 1,
			 .data = ~0ull - 2 }, IOE_WRAP, 4 },
	{ "port span past 0xffff", { .type = 0, .addr = 0xfffe, .size = 4, .count = 1 },
	  IOE_PORT, 4 },
	{ "port 0x10000", { .type = 0, .addr = 0x10000, .size = 1, .count = 1 }, IOE_PORT, 1 },
	{ "PCI size 8", { .type = 2, .addr = 0x10ull << 32, .size = 8, .count = 1 },
	  IOE_PCI_SIZE, 8 },
	{ "PCI size 3", { .type = 2, .dir = 1, .addr = 0x10ull << 32, .size = 3, .count = 1 },
	  IOE_PCI_SIZE, 8 },
	{ "PCI count 2", { .type = 2, .addr = 0x10ull << 32, .size = 4, .count = 2 },
	  IOE_PCI_FORM, 4 },
	{ "PCI data_is_ptr wraps", { .type = 2, .addr = 0x10ull << 32, .size = 2, .count = 1,
				     .data_is_ptr = 1, .data = ~0ull }, IOE_WRAP, 2 },
	{ "PCI other SBDF", { .type = 2, .dir = 1, .addr = 0x18ull << 32, .size = 1, .count = 1 },
	  IOE_PCI_SBDF, 1 },
	{ "PCI reg 4096", { .type = 2, .addr = 0x10ull << 32 | 0x1000, .size = 4, .count = 1 },
	  IOE_PCI_REG, 4 },
	{ "PCI unaligned", { .type = 2, .addr = 0x10ull << 32 | 0x11, .size = 4, .count = 1 },
	  IOE_PCI_REG, 4 },
	{ "MMIO outside", { .type = 1, .dir = 1, .addr = 0xd0000000, .size = 4, .count = 1 },
	  IOE_RANGE, 4 },
	{ "MMIO byte outside", { .type = 1, .dir = 1, .addr = 0xd0000000, .size = 1, .count = 1 },
	  IOE_RANGE, 1 },
	{ "MMIO straddles end", { .type = 1, .dir = 1, .addr = BAR0 + 0xfffffe, .size = 4,
				  .count = 1 }, IOE_RANGE, 4 },
	{ "rep runs off the BAR", { .type = 1, .dir = 1, .addr = BAR0 + 0xfffff0, .size = 8,
				    .count = 8 }, IOE_RANGE, 8 },
	{ "PIO outside", { .type = 0, .dir = 1, .addr = 0x3f8, .size = 1, .count = 1 },
	  IOE_RANGE, 1 },
	{ "PIO write outside", { .type = 0, .addr = 0x3f8, .size = 2, .count = 1 },
	  IOE_RANGE, 2 },
};

static void
test_malformed(void)
{
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct ioreq_access a;
		enum ioreq_err e = dec(malformed[i].r, &a);

		if (e != malformed[i].want || a.size != malformed[i].reply_size)
			printf("\n    %s: got %s size %u, want %s size %u", malformed[i].what,
			       ioreq_err_name(e), a.size, ioreq_err_name(malformed[i].want),
			       malformed[i].reply_size);
		CU_ASSERT_EQUAL(e, malformed[i].want);
		CU_ASSERT_EQUAL(a.write, !malformed[i].r.dir);
		CU_ASSERT_EQUAL(a.size, malformed[i].reply_size);
		CU_ASSERT_EQUAL(ioreq_ones(a.size), malformed[i].reply_size == 8 ? ~0ull :
				(1ull << (8 * malformed[i].reply_size)) - 1);
	}
	CU_ASSERT_TRUE(sizeof(malformed) / sizeof(malformed[0]) >= 20);
}

/*
 * A COPY write outside every claim (a page the mediator un-protected, or a
 * range it unclaimed, after Xen had picked this server): every form decodes
 * to IOK_RAM_WRITE with its fields intact, still bounded; reads and port
 * writes outside the claims stay refused.
 */
static void
test_ram_write(void)
{
	struct ioreq_access a;
	uint64_t dev, mem;

	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = 0x30010, .size = 4,
						.count = 1, .data = 0x1122334455667788ull }, &a),
			IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_RAM_WRITE);
	CU_ASSERT_TRUE(a.write);
	CU_ASSERT_EQUAL(a.addr, 0x30010);
	CU_ASSERT_EQUAL(a.data, 0x55667788);	/* masked to size */
	CU_ASSERT_EQUAL(a.count, 1);
	/* rep movsq from RAM, backwards: pointer kept whole, items walk down. */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = 0x30ff8, .size = 8,
						.count = 4, .df = 1, .data_is_ptr = 1,
						.data = 0x50018 }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_RAM_WRITE);
	CU_ASSERT_TRUE(a.data_is_ptr);
	CU_ASSERT_TRUE(a.df);
	CU_ASSERT_EQUAL(a.count, 4);
	CU_ASSERT_EQUAL(a.data, 0x50018);
	ioreq_item(&a, 3, &dev, &mem);
	CU_ASSERT_EQUAL(dev, 0x30ff8 - 24);
	CU_ASSERT_EQUAL(mem, 0x50018 - 24);
	/* rep stos: same value to count items. */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = 0x31000, .size = 2,
						.count = 100, .data = 0xabcd }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_RAM_WRITE);
	CU_ASSERT_EQUAL(a.count, 100);
	/* Bounded exactly like claimed requests. */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = 0x30000, .size = 4,
						.count = IOREQ_MAX_REP_BYTES / 4 + 1 }, &a),
			IOE_COUNT_MAX);
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = ~0ull - 3, .size = 8,
						.count = 1 }, &a), IOE_WRAP);
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = 0x30000, .size = 4,
						.count = 2, .data_is_ptr = 1, .data = ~0ull - 4 },
			    &a), IOE_WRAP);
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = 0x30000, .size = 3,
						.count = 1 }, &a), IOE_SIZE);
	/* A read there is not ours (Xen reads p2m_ioreq_server pages itself). */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .dir = 1, .addr = 0x30000, .size = 4,
						.count = 1 }, &a), IOE_RANGE);
	/* Claimed and owned requests keep their own kinds. */
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = BAR0, .size = 4,
						.count = 1 }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_MMIO);
	CU_ASSERT_EQUAL(dec((struct ioreq_raw){ .type = 1, .addr = wp_gfn << 12, .size = 8,
						.count = 1 }, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_MMIO);
	CU_ASSERT_STRING_EQUAL(ioreq_kind_name(IOK_RAM_WRITE), "ram_write");
}

static void
test_pci_unclaimed(void)
{
	struct ioreq_claims none = { 0 };
	struct ioreq_raw r = { .type = 2, .dir = 1, .addr = 0x10ull << 32, .size = 4, .count = 1 };
	struct ioreq_access a;

	CU_ASSERT_EQUAL(ioreq_decode(&r, &none, &a), IOE_PCI_SBDF);
	r.type = 1;
	r.addr = BAR0;
	CU_ASSERT_EQUAL(ioreq_decode(&r, &none, &a), IOE_RANGE);
}

static void
test_ones(void)
{
	CU_ASSERT_EQUAL(ioreq_ones(1), 0xff);
	CU_ASSERT_EQUAL(ioreq_ones(2), 0xffff);
	CU_ASSERT_EQUAL(ioreq_ones(4), 0xffffffffull);
	CU_ASSERT_EQUAL(ioreq_ones(8), ~0ull);
	for (int e = 0; e < IOE_NR; e++)
		CU_ASSERT_STRING_NOT_EQUAL(ioreq_err_name(e), "?");
	CU_ASSERT_STRING_EQUAL(ioreq_err_name(IOE_NR), "?");
}

static void
test_buffered(void)
{
	struct ioreq_bufslot s[2] = {
		{ .type = 1, .size_code = 2, .addr = 0xa0010, .data = 0xdeadbeef },
	};
	struct ioreq_raw r;
	struct ioreq_access a;
	unsigned int used;

	CU_ASSERT_EQUAL(ioreq_decode_buffered(s, 5, &r, &used), IOE_OK);
	CU_ASSERT_EQUAL(used, 1);
	CU_ASSERT_EQUAL(r.size, 4);
	CU_ASSERT_EQUAL(r.addr, 0xa0010);
	CU_ASSERT_EQUAL(r.data, 0xdeadbeef);
	CU_ASSERT_EQUAL(r.dir, 0);
	CU_ASSERT_EQUAL(r.count, 1);
	/* Not ours: a stdvga write decodes as a RAM write (the glue refuses that from the ring). */
	CU_ASSERT_EQUAL(ioreq_decode(&r, &claims, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_RAM_WRITE);

	/* Two-slot 8-byte form: the second slot carries the high half. */
	s[0] = (struct ioreq_bufslot){ .type = 7, .size_code = 3, .data = 0x89abcdef };
	s[1] = (struct ioreq_bufslot){ .data = 0x01234567 };
	CU_ASSERT_EQUAL(ioreq_decode_buffered(s, 2, &r, &used), IOE_OK);
	CU_ASSERT_EQUAL(used, 2);
	CU_ASSERT_EQUAL(r.size, 8);
	CU_ASSERT_EQUAL(r.data, 0x0123456789abcdefull);
	CU_ASSERT_EQUAL(ioreq_decode(&r, &claims, &a), IOE_OK);
	CU_ASSERT_EQUAL(a.kind, IOK_TIMEOFFSET);
	CU_ASSERT_EQUAL(a.data, 0x0123456789abcdefull);

	/* Malformed: the pair's second half is missing; consumes one slot. */
	CU_ASSERT_EQUAL(ioreq_decode_buffered(s, 1, &r, &used), IOE_BUF_SHORT);
	CU_ASSERT_EQUAL(used, 1);
	/* Malformed: a buffered read has nowhere to answer. */
	s[0] = (struct ioreq_bufslot){ .type = 1, .dir = 1, .size_code = 0, .addr = 0x3c0 };
	CU_ASSERT_EQUAL(ioreq_decode_buffered(s, 1, &r, &used), IOE_BUF_READ);
	/* The 20-bit address field never yields more. */
	s[0] = (struct ioreq_bufslot){ .type = 1, .size_code = 0, .addr = 0xffffffff };
	CU_ASSERT_EQUAL(ioreq_decode_buffered(s, 1, &r, &used), IOE_OK);
	CU_ASSERT_EQUAL(r.addr, 0xfffff);
}

void suite_ioreq_decode(void);
void
suite_ioreq_decode(void)
{
	static const struct test_case cases[] = {
		{ "sbdf_encoding", test_sbdf_encoding },
		{ "pio_write", test_pio_write },
		{ "pio_read_rep_ptr", test_pio_read_rep_ptr },
		{ "mmio_rep_df", test_mmio_rep_df },
		{ "mmio_forms", test_mmio_forms },
		{ "pci_config", test_pci_config },
		{ "invalidate_timeoffset", test_invalidate_timeoffset },
		{ "malformed", test_malformed },
		{ "ram_write", test_ram_write },
		{ "pci_unclaimed", test_pci_unclaimed },
		{ "ones_and_names", test_ones },
		{ "buffered", test_buffered },
		{ NULL, NULL },
	};

	test_add_suite("ioreq_decode", cases);
}
