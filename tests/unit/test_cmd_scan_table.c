/* SPDX-License-Identifier: MIT */
/*
 * test_cmd_scan_table.c — the command scanner's data (cmd_table.c,
 * cmd_regs.c, cmd_index.c): both tables pass their checks, broken tables
 * are refused for the right reason, every row decodes to the length its
 * rule gives on the engines it names and nowhere else, headers i915
 * really sends decode as the hardware reads them, and the register
 * whitelist answers per engine and per access.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/exec/cmd_scan.h"
#include "tests/test_util.h"

static void
test_tables_pass(void)
{
	char err[192] = "";

	CU_ASSERT_EQUAL(cmd_table_check(cmd_table, cmd_table_len, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(cmd_regs_check(cmd_regs, cmd_regs_len, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(cmd_table_init(), 0);
	CU_ASSERT_TRUE(cmd_table_len > 100);
}

/* A two-row table: a copy of two real rows that a test then breaks. */
static int
check_pair(const struct cmd_desc *a, const struct cmd_desc *b, const char *want)
{
	struct cmd_desc t[2] = { *a, *b };
	char err[192] = "";
	int rc = cmd_table_check(t, 2, err, sizeof(err));

	if (want && !strstr(err, want)) {
		printf("\n  want \"%s\", got \"%s\"\n", want, err);
		return 1;
	}
	return rc;
}

static const struct cmd_desc *
row(const char *name)
{
	for (size_t i = 0; i < cmd_table_len; i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return &cmd_table[i];
	CU_FAIL_FATAL("row missing");
	return NULL;
}

static void
test_table_check_refuses(void)
{
	const struct cmd_desc *noop = row("MI_NOOP"), *lri = row("MI_LOAD_REGISTER_IMM");
	struct cmd_desc bad;

	/* The pair as it is passes. */
	CU_ASSERT_EQUAL(check_pair(noop, lri, NULL), 0);
	/* Unsorted. */
	CU_ASSERT_EQUAL(check_pair(lri, noop, "not sorted"), -EINVAL);
	/* One opcode twice on one engine (overlap). */
	CU_ASSERT_EQUAL(check_pair(lri, lri, "two rows for one opcode"), -EINVAL);
	/* Same opcode on disjoint engines is fine. */
	bad = *lri;
	bad.engines = CMD_E_RCS;
	{
		struct cmd_desc other = *lri;

		other.engines = CMD_E_BCS;
		CU_ASSERT_EQUAL(check_pair(&bad, &other, NULL), 0);
	}
	/* Length bounds the field cannot express. */
	bad = *lri;
	bad.len_max = 0xff + 3;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "outside what the field"), -EINVAL);
	bad = *lri;
	bad.len_min = 0;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "below one dword"), -EINVAL);
	bad = *lri;
	bad.len_min = 9;
	bad.len_max = 8;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "empty"), -EINVAL);
	/* A length field reaching into the opcode bits. */
	bad = *lri;
	bad.len_mask = 0x00ffffff;
	bad.len_max = 0x1000;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "overlaps the opcode"), -EINVAL);
	bad = *lri;
	bad.len_mask = 0x5;
	bad.len_max = 7;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "run of low bits"), -EINVAL);
	/* Fixed length not matching its bounds. */
	bad = *noop;
	bad.len_max = 2;
	CU_ASSERT_EQUAL(check_pair(&bad, lri, "fixed length"), -EINVAL);
	/* No engine; an address beyond the shortest command; a bad client; stray opcode bits. */
	bad = *lri;
	bad.engines = 0;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "no engines"), -EINVAL);
	bad = *row("MI_STORE_REGISTER_MEM");
	bad.addr[0].dw = 3;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "beyond the shortest"), -EINVAL);
	bad = *lri;
	bad.opcode = (1u << 29);
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "client not decoded"), -EINVAL);
	bad = *lri;
	bad.opcode |= 1;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "outside the client's opcode field"), -EINVAL);
	/* A check that needs an address without one. */
	bad = *row("MI_STORE_DATA_IMM");
	bad.addr[0].dw = 0;
	CU_ASSERT_EQUAL(check_pair(noop, &bad, "needs an address"), -EINVAL);
}

static int
check_regs(const struct cmd_reg *r, size_t n, const char *want)
{
	char err[192] = "";
	int rc = cmd_regs_check(r, n, err, sizeof(err));

	if (want && !strstr(err, want)) {
		printf("\n  want \"%s\", got \"%s\"\n", want, err);
		return 1;
	}
	return rc;
}

static void
test_regs_check_refuses(void)
{
	const struct cmd_reg ok[] = {
		{ "A", 0x600, 0x80, CMD_E_ALL, CMD_REG_RD | CMD_REG_WR | CMD_REG_REL },
		{ "B", 0x7000, 4, CMD_E_RCS, CMD_REG_WR },
	};
	const struct cmd_reg unsorted[] = {
		{ "B", 0x7004, 4, CMD_E_RCS, CMD_REG_WR },
		{ "A", 0x7000, 8, CMD_E_RCS, CMD_REG_WR },
	};
	const struct cmd_reg overlap[] = {
		{ "A", 0x7000, 8, CMD_E_RCS, CMD_REG_WR },
		{ "B", 0x7004, 4, CMD_E_BCS, CMD_REG_WR },
	};
	/* Relative CS_GPR of rcs0 lands on 0x2600: an absolute row there overlaps it. */
	const struct cmd_reg engine_overlap[] = {
		{ "GPR", 0x600, 0x80, CMD_E_ALL, CMD_REG_RD | CMD_REG_REL },
		{ "X", 0x2640, 4, CMD_E_RCS, CMD_REG_WR },
	};
	const struct cmd_reg order[] = {
		{ "B", 0x7000, 4, CMD_E_RCS, CMD_REG_WR },
		{ "A", 0x600, 4, CMD_E_ALL, CMD_REG_WR | CMD_REG_REL },
	};
	const struct cmd_reg noaccess[] = { { "A", 0x7000, 4, CMD_E_RCS, 0 } };
	const struct cmd_reg unaligned[] = { { "A", 0x7002, 4, CMD_E_RCS, CMD_REG_WR } };

	CU_ASSERT_EQUAL(check_regs(ok, 2, NULL), 0);
	CU_ASSERT_EQUAL(check_regs(unsorted, 2, "not sorted"), -EINVAL);
	CU_ASSERT_EQUAL(check_regs(overlap, 2, "overlapping"), -EINVAL);
	CU_ASSERT_EQUAL(check_regs(engine_overlap, 2, "overlaps another range"), -EINVAL);
	CU_ASSERT_EQUAL(check_regs(order, 2, "relative row after absolute"), -EINVAL);
	CU_ASSERT_EQUAL(check_regs(noaccess, 1, "neither readable nor writable"), -EINVAL);
	CU_ASSERT_EQUAL(check_regs(unaligned, 1, "multiple of 4"), -EINVAL);
}

/* Every row, on every engine: its shortest and longest length decode as its rule says. */
static void
test_every_row_decodes(void)
{
	unsigned int checked = 0;

	CU_ASSERT_FATAL(cmd_table_init() == 0);
	for (size_t i = 0; i < cmd_table_len; i++) {
		const struct cmd_desc *r = &cmd_table[i];
		uint32_t lens[2] = { r->len_min, r->len_max };

		for (unsigned int e = 0; e < PGPU_NR_ENGINES; e++) {
			for (unsigned int k = 0; k < 2; k++) {
				uint32_t n = lens[k], got;
				uint32_t *dw = calloc(n, 4);
				const struct cmd_desc *d;
				char why[64] = "";
				int rc;

				CU_ASSERT_FATAL(dw != NULL);
				if ((r->flags & CMD_F_ODD_LEN) && !(n & 1))
					n--;
				dw[0] = r->opcode | (r->len_mask ? (n - r->len) : 0);
				rc = cmd_decode(e, dw, n, &d, &got, why, sizeof(why));
				if (r->engines & (1u << e)) {
					if (rc != 0 || d != r || got != n)
						printf("\n  %s on %u: rc %d len %u (want %u) %s\n",
						       r->name, e, rc, got, n, why);
					CU_ASSERT_EQUAL(rc, 0);
					CU_ASSERT_PTR_EQUAL(d, r);
					CU_ASSERT_EQUAL(got, n);
					/* One dword short: the decoder asks for the rest. */
					CU_ASSERT_EQUAL(cmd_decode(e, dw, n - 1, &d, &got, NULL, 0),
							-ENODATA);
					checked++;
				} else if (!cmd_lookup(e, dw[0])) {
					CU_ASSERT_EQUAL(rc, -EPERM);
					CU_ASSERT_PTR_NOT_NULL(strstr(why, "not allowed on"));
				}
				free(dw);
			}
		}
	}
	CU_ASSERT_TRUE(checked > 2 * cmd_table_len);
}

struct hdr_case {
	enum pgpu_engine e;
	uint32_t hdr;
	const char *name;	/* NULL: refused */
	uint32_t len;
};

/*
 * Headers as i915 emits them on Gen9 (gt/gen8_engine_cs.c, the render
 * state of gt/gen9_renderstate.c, igt's blits) and wrong ones.
 */
static const struct hdr_case hdrs[] = {
	{ PGPU_RCS, 0x7a000004, "PIPE_CONTROL", 6 },		/* GFX_OP_PIPE_CONTROL(6) */
	{ PGPU_RCS, 0x18800101, "MI_BATCH_BUFFER_START", 3 },	/* _GEN8 | PPGTT */
	{ PGPU_RCS, 0x10400002, "MI_STORE_DATA_IMM", 4 },	/* _GEN4 | MI_USE_GGTT */
	{ PGPU_RCS, 0x10600003, "MI_STORE_DATA_IMM", 5 },	/* qword */
	{ PGPU_RCS, 0x11000001, "MI_LOAD_REGISTER_IMM", 3 },	/* LRI(1) */
	{ PGPU_RCS, 0x11000005, "MI_LOAD_REGISTER_IMM", 7 },	/* LRI(3) */
	{ PGPU_RCS, 0x12400002, "MI_STORE_REGISTER_MEM", 4 },	/* _GEN8 | GGTT */
	{ PGPU_RCS, 0x14c00002, "MI_LOAD_REGISTER_MEM", 4 },	/* _GEN8 | GGTT */
	{ PGPU_RCS, 0x15000001, "MI_LOAD_REGISTER_REG", 3 },
	{ PGPU_RCS, 0x0e008002, "MI_SEMAPHORE_WAIT", 4 },
	{ PGPU_RCS, 0x04000001, "MI_ARB_ON_OFF", 1 },
	{ PGPU_RCS, 0x02800000, "MI_ARB_CHECK", 1 },
	{ PGPU_RCS, 0x01000000, "MI_USER_INTERRUPT", 1 },
	{ PGPU_RCS, 0x05000000, "MI_BATCH_BUFFER_END", 1 },
	{ PGPU_RCS, 0x00000000, "MI_NOOP", 1 },
	{ PGPU_RCS, 0x69040300, "PIPELINE_SELECT", 1 },
	{ PGPU_RCS, 0x680b0001, "3DSTATE_VF_STATISTICS", 1 },
	{ PGPU_RCS, 0x61010011, "STATE_BASE_ADDRESS", 19 },
	{ PGPU_RCS, 0x7820000a, "3DSTATE_PS", 12 },
	{ PGPU_RCS, 0x79170101, "3DSTATE_SO_DECL_LIST", 259 },
	{ PGPU_RCS, 0x78080083, "3DSTATE_VERTEX_BUFFERS", 133 },
	{ PGPU_RCS, 0x78090043, "3DSTATE_VERTEX_ELEMENTS", 69 },
	{ PGPU_RCS, 0x7907001f, "3DSTATE_POLY_STIPPLE_PATTERN", 33 },
	{ PGPU_RCS, 0x7b000005, "3DPRIMITIVE", 7 },
	{ PGPU_RCS, 0x70050004, "MEDIA_POOL_STATE", 6 },	/* GEN9_MEDIA_POOL_STATE */
	{ PGPU_BCS, 0x13000002, "MI_FLUSH_DW", 4 },		/* MI_FLUSH_DW + 1 */
	{ PGPU_BCS, 0x54f00008, "XY_SRC_COPY_BLT", 10 },	/* | write alpha/rgb, 64-bit */
	{ PGPU_BCS, 0x54300005, "XY_COLOR_BLT", 7 },
	{ PGPU_BCS, 0x50800008, "XY_FAST_COPY_BLT", 10 },
	{ PGPU_VCS, 0x68000000, "MFX_WAIT", 1 },
	{ PGPU_VECS, 0x13000003, "MI_FLUSH_DW", 5 },
	/* Refused: wrong length, wrong engine, unknown. */
	{ PGPU_BCS, 0x13000001, NULL, 3 },	/* MI_FLUSH_DW of 3 dwords (gen6 form) */
	{ PGPU_RCS, 0x11000002, NULL, 4 },	/* LRI of even length */
	{ PGPU_RCS, 0x12000003, NULL, 5 },	/* SRM of 5 */
	{ PGPU_RCS, 0x7a000003, NULL, 5 },	/* PIPE_CONTROL(5): pre-Gen8 */
	{ PGPU_RCS, 0x78140001, NULL, 3 },	/* 3DSTATE_WM of 3 */
	{ PGPU_RCS, 0x13000002, NULL, 0 },	/* MI_FLUSH_DW on the render engine */
	{ PGPU_RCS, 0x54f00008, NULL, 0 },	/* a blit on the render engine */
	{ PGPU_BCS, 0x7a000004, NULL, 0 },	/* PIPE_CONTROL on the blitter */
	{ PGPU_RCS, 0x20000000, NULL, 0 },	/* client 1 */
	{ PGPU_RCS, 0xe0000000, NULL, 0 },	/* client 7 */
	{ PGPU_RCS, 0x1f800000, NULL, 0 },	/* MI opcode 0x3f */
	{ PGPU_RCS, 0x7fff0000, NULL, 0 },	/* 3D (3,7,0xff) */
};

static void
test_real_headers(void)
{
	uint32_t dw[300] = { 0 };

	CU_ASSERT_FATAL(cmd_table_init() == 0);
	for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		const struct cmd_desc *d;
		uint32_t len;
		char why[64] = "";
		int rc;

		dw[0] = hdrs[i].hdr;
		rc = cmd_decode(hdrs[i].e, dw, 300, &d, &len, why, sizeof(why));
		if (hdrs[i].name) {
			if (rc || !d || strcmp(d->name, hdrs[i].name) || len != hdrs[i].len)
				printf("\n  %#010x: rc %d %s len %u\n", hdrs[i].hdr, rc,
				       d ? d->name : "-", len);
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_PTR_NOT_NULL_FATAL(d);
			CU_ASSERT_STRING_EQUAL(d->name, hdrs[i].name);
			CU_ASSERT_EQUAL(len, hdrs[i].len);
		} else {
			if (rc != -EPERM)
				printf("\n  %#010x accepted as %s\n", hdrs[i].hdr, d ? d->name : "-");
			CU_ASSERT_EQUAL(rc, -EPERM);
			CU_ASSERT_NOT_EQUAL(why[0], '\0');
			if (hdrs[i].len)
				CU_ASSERT_PTR_NOT_NULL(strstr(why, "bad length"));
		}
	}
}

static void
test_whitelist(void)
{
	CU_ASSERT_FATAL(cmd_table_init() == 0);
	/* CS GPRs: engine relative, read and write, every engine at its own base only. */
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_RCS, 0x2600, CMD_REG_WR));
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_RCS, 0x267c, CMD_REG_RD));
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x2680, CMD_REG_WR));
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_BCS, 0x22600, CMD_REG_WR));
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x22600, CMD_REG_WR));
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_VCS, 0x12608, CMD_REG_WR));
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_VECS, 0x1a600, CMD_REG_RD));
	/* Timestamps and ring registers: read, never written. */
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_RCS, 0x2358, CMD_REG_RD));
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_BCS, 0x2235c, CMD_REG_RD));
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x2358, CMD_REG_WR));
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_RCS, 0x2038, CMD_REG_RD));
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x2038, CMD_REG_WR));	/* RING_START */
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x2034, CMD_REG_WR));	/* RING_HEAD */
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x2030, CMD_REG_WR));	/* RING_TAIL */
	/* The render context workarounds i915 writes: rcs0 only. */
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_RCS, 0x7300, CMD_REG_WR));	/* HDC_CHICKEN0 */
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_RCS, 0xe4f0, CMD_REG_WR));	/* ROW_CHICKEN */
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_RCS, 0xb118, CMD_REG_WR));	/* L3SQCREG4 */
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_RCS, 0x2580, CMD_REG_WR));	/* CS_CHICKEN1 */
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_BCS, 0x7300, CMD_REG_WR));
	/* MOCS: each engine its own table. */
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_BCS, 0xcc04, CMD_REG_WR));
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_BCS, 0xc804, CMD_REG_WR));
	CU_ASSERT_PTR_NOT_NULL(cmd_reg_allowed(PGPU_BCS, 0x22200, CMD_REG_WR)); /* BCS_SWCTRL */
	/* Never: reset, GGTT/fences, interrupts, forcewake. */
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x941c, CMD_REG_RD));	/* GDRST */
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x100000, CMD_REG_WR));	/* fence 0 */
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x44200, CMD_REG_WR));	/* master irq */
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0xa278, CMD_REG_WR));	/* forcewake */
	CU_ASSERT_PTR_NULL(cmd_reg_allowed(PGPU_RCS, 0x2230, CMD_REG_WR));	/* ELSP */
}

static const struct test_case cmd_table_cases[] = {
	{ "opcode table and whitelist pass their checks", test_tables_pass },
	{ "broken opcode tables refused, with the reason", test_table_check_refuses },
	{ "broken whitelists refused, with the reason", test_regs_check_refuses },
	{ "every row decodes to its length on its engines only", test_every_row_decodes },
	{ "i915's real headers decode; wrong ones are refused", test_real_headers },
	{ "register whitelist per engine and access", test_whitelist },
	{ NULL, NULL },
};

void suite_cmd_scan_table(void);

void
suite_cmd_scan_table(void)
{
	test_add_suite("cmd_scan_table", cmd_table_cases);
}
