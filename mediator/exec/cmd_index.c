/* SPDX-License-Identifier: MIT */
/*
 * cmd_index.c — checks the scanner's two tables (cmd_table.c, cmd_regs.c)
 * once per process and builds what the scanner looks them up with: per
 * engine, a dense array from a header's opcode field to its row, and the
 * whitelist resolved to sorted absolute ranges. Read-only after the
 * one-time build, so any number of threads look up without a lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "mediator/exec/cmd_table.h"
#include "mediator/core/vgpu_int.h"

/*
 * Opcode field of each client, as cmd_key (cmd_table.h) computes it: the
 * header shifted right by shift and masked. Clients with mask 0 are not
 * decoded on Gen9.
 */
static const struct {
	uint8_t shift;
	uint16_t mask;
} ckey[8] = {
	[CMD_CLIENT_MI] = { 23, 0x3f },
	[CMD_CLIENT_2D] = { 22, 0x7f },
	[CMD_CLIENT_3D] = { 16, 0x1fff },
};

/* Per engine and opcode key: the packed entry (cmd_table.h), 0: not decoded there. */
uint32_t cmd_index[EXEC_NR_ENGINES][CMD_NKEYS];

/* The whitelist of one engine: absolute, sorted, disjoint. */
struct reg_range {
	uint32_t start, end;	/* [start, end) */
	const struct cmd_reg *row;
};
static struct reg_range *reg_ranges[EXEC_NR_ENGINES];
static size_t reg_nr[EXEC_NR_ENGINES];

static pthread_once_t cmd_once = PTHREAD_ONCE_INIT;
static int cmd_init_rc;

/* The bits of a header that name the command (client + opcode fields). */
static uint32_t
id_bits(uint32_t client)
{
	return (7u << 29) | ((uint32_t)ckey[client].mask << ckey[client].shift);
}

static const char *
row_problem(const struct cmd_desc *d, const struct cmd_desc *prev)
{
	uint32_t c = CMD_CLIENT(d->opcode);

	if (!d->name)
		return "row without a name";
	if (!ckey[c].mask)
		return "client not decoded on Gen9";
	if (d->opcode & ~id_bits(c))
		return "opcode has bits outside the client's opcode field";
	if (prev && d->opcode < prev->opcode)
		return "rows not sorted by opcode";
	if (prev && d->opcode == prev->opcode && (d->engines & prev->engines))
		return "two rows for one opcode on one engine";
	if (!d->engines || (d->engines & ~CMD_E_ALL))
		return "no engines, or an engine that does not exist";
	if (d->check >= CMD_CHK_NR)
		return "unknown check";
	if (d->len_min < 1 || d->len_min > d->len_max)
		return "length bounds empty or below one dword";
	if (!d->len_mask && (d->len != d->len_min || d->len != d->len_max))
		return "fixed length does not match its bounds";
	if (d->len_mask && (d->len_mask & (d->len_mask + 1)))
		return "length field is not a run of low bits";
	if (d->len_mask & id_bits(c))
		return "length field overlaps the opcode field";
	if (d->len_mask && (d->len_min < d->len || d->len_max > d->len + d->len_mask))
		return "length bounds outside what the field can express";
	if (d->len_mask > 0xffff || d->len > 0xff)
		return "length rule does not fit the index (field over 16 bits, bias over 255)";
	if ((d->flags & CMD_F_ODD_LEN) && !d->len_mask)
		return "odd-length rule on a fixed-length command";
	for (unsigned int i = 0; i < CMD_MAX_ADDRS; i++) {
		const struct cmd_addr *a = &d->addr[i];

		if (!a->dw)
			continue;
		if (a->width != 32 && a->width != 48)
			return "address width neither 32 nor 48";
		if (a->dw + (uint32_t)(a->width == 48) >= d->len_min)
			return "address field beyond the shortest command";
		if (a->lo_bits > 12 || a->space > CMD_SPACE_DW1_B2)
			return "address field malformed";
	}
	if (d->check == CMD_CHK_ADDR && (!d->addr[0].dw || !d->addr[0].size))
		return "address check without an address of known size";
	if ((d->check == CMD_CHK_BB_START || d->check == CMD_CHK_SDI ||
	     d->check == CMD_CHK_SRM || d->check == CMD_CHK_LRM || d->check == CMD_CHK_BLT ||
	     d->check == CMD_CHK_ATOMIC || d->check == CMD_CHK_FLUSH_DW ||
	     d->check == CMD_CHK_PIPE_CONTROL) && !d->addr[0].dw)
		return "check needs an address field";
	return NULL;
}

int
cmd_table_check(const struct cmd_desc *t, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct cmd_desc *prev = NULL;
		const char *why;

		/* Compare with the nearest earlier row of another opcode or the same one. */
		if (i > 0)
			prev = &t[i - 1];
		why = row_problem(&t[i], prev);
		/* Same opcode, disjoint engines: check the whole run, not just the neighbour. */
		for (size_t j = i; !why && j-- > 0 && t[j].opcode == t[i].opcode;)
			if (t[j].engines & t[i].engines)
				why = "two rows for one opcode on one engine";
		if (why) {
			if (err)
				snprintf(err, errlen, "command row %zu (%s, %#010x): %s", i,
					 t[i].name ? t[i].name : "?", t[i].opcode, why);
			return -EINVAL;
		}
	}
	return 0;
}

static int
reg_cmp(const void *a, const void *b)
{
	const struct reg_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The whitelist of engine e, resolved and sorted; NULL on ENOMEM (n = 0 for none). */
static struct reg_range *
regs_resolve(const struct cmd_reg *r, size_t n, enum pgpu_engine e, size_t *out_n)
{
	struct reg_range *v = calloc(n ? n : 1, sizeof(*v));
	size_t k = 0;

	*out_n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t base = (r[i].flags & CMD_REG_REL) ? exec_engines[e].mmio_base : 0;

		if (!(r[i].engines & (1u << e)))
			continue;
		v[k].start = base + r[i].off;
		v[k].end = v[k].start + r[i].size;
		v[k].row = &r[i];
		k++;
	}
	qsort(v, k, sizeof(*v), reg_cmp);
	*out_n = k;
	return v;
}

int
cmd_regs_check(const struct cmd_reg *r, size_t n, char *err, size_t errlen)
{
	const char *why = NULL;
	size_t i;

	for (i = 0; i < n && !why; i++) {
		const struct cmd_reg *p = i ? &r[i - 1] : NULL;
		bool rel = r[i].flags & CMD_REG_REL;

		if (!r[i].name)
			why = "row without a name";
		else if ((r[i].off | r[i].size) & 3 || !r[i].size)
			why = "offset or size not a non-zero multiple of 4";
		else if (r[i].off >= MMIO_REG_SIZE || r[i].size > MMIO_REG_SIZE - r[i].off)
			why = "range outside the register space";
		else if (!(r[i].flags & (CMD_REG_RD | CMD_REG_WR)))
			why = "neither readable nor writable";
		else if (r[i].flags & ~(CMD_REG_RD | CMD_REG_WR | CMD_REG_REL))
			why = "unknown flag";
		else if (!r[i].engines || (r[i].engines & ~CMD_E_ALL))
			why = "no engines, or an engine that does not exist";
		else if (p && !rel && (p->flags & CMD_REG_REL))
			; /* first absolute row after the relative ones */
		else if (p && rel && !(p->flags & CMD_REG_REL))
			why = "relative row after absolute rows";
		else if (p && r[i].off < p->off + p->size)
			why = "rows not sorted, or overlapping";
	}
	if (why) {
		if (err)
			snprintf(err, errlen, "register row %zu (%s): %s", i - 1,
				 r[i - 1].name ? r[i - 1].name : "?", why);
		return -EINVAL;
	}
	/* Placed at each engine's base, no two ranges of one engine may overlap. */
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		size_t k;
		struct reg_range *v = regs_resolve(r, n, e, &k);

		if (!v)
			return -ENOMEM;
		for (size_t j = 1; j < k && !why; j++)
			if (v[j].start < v[j - 1].end) {
				why = "overlaps another range";
				if (err)
					snprintf(err, errlen, "register %s: %s (%s) on %s",
						 v[j].row->name, why, v[j - 1].row->name,
						 exec_engines[e].name);
			}
		free(v);
		if (why)
			return -EINVAL;
	}
	return 0;
}

static void
cmd_build(void)
{
	char err[192];

	if (cmd_table_check(cmd_table, cmd_table_len, err, sizeof(err)) < 0 ||
	    cmd_regs_check(cmd_regs, cmd_regs_len, err, sizeof(err)) < 0) {
		log_err("cmd_scan: %s", err);
		cmd_init_rc = -EINVAL;
		return;
	}
	if (cmd_table_len >= 0x3ff) {
		log_err("cmd_scan: %zu rows do not fit the index", cmd_table_len);
		cmd_init_rc = -E2BIG;
		return;
	}
	for (size_t i = 0; i < cmd_table_len; i++) {
		const struct cmd_desc *d = &cmd_table[i];
		uint32_t ent = (uint32_t)(i + 1) | (uint32_t)__builtin_popcount(d->len_mask) << 10 |
			       d->len << 16;
		bool any = d->len_min == d->len && d->len_max == d->len + d->len_mask;
		bool exact = d->len_min == d->len_max && d->len_max <= 0xff;

		/* The common case decides from the entry alone. */
		if (d->check || d->flags || (!any && !exact))
			ent |= CMD_ENT_SLOW;
		else if (exact && d->len_mask)
			ent |= d->len_max << 24;

		/* Header bits below the opcode field and above bit 15 are flags: every value. */
		uint32_t c = CMD_CLIENT(d->opcode), nflag = ckey[c].shift - 16;

		for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++)
			if (d->engines & (1u << e))
				for (uint32_t f = 0; f < (1u << nflag); f++)
					cmd_index[e][cmd_key(d->opcode) | f] = ent;
	}
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		reg_ranges[e] = regs_resolve(cmd_regs, cmd_regs_len, e, &reg_nr[e]);
		if (!reg_ranges[e]) {
			cmd_init_rc = -ENOMEM;
			return;
		}
	}
}

int
cmd_table_init(void)
{
	pthread_once(&cmd_once, cmd_build);
	return cmd_init_rc;
}

/* The module's init (modules.c): a vGPU is not created over broken tables. */
int
cmd_scan_init(struct vgpu *v)
{
	(void)v;
	return cmd_table_init();
}

const struct cmd_desc *
cmd_lookup(enum pgpu_engine e, uint32_t hdr)
{
	uint32_t ent = cmd_index[e][cmd_key(hdr)];

	return ent ? CMD_ENT_ROW(ent) : NULL;
}

const struct cmd_desc *
cmd_lookup_any(uint32_t hdr)
{
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		const struct cmd_desc *d = cmd_lookup(e, hdr);

		if (d)
			return d;
	}
	return NULL;
}

const struct cmd_reg *
cmd_reg_allowed(enum pgpu_engine e, uint32_t off, unsigned int access)
{
	const struct reg_range *v = reg_ranges[e];
	size_t lo = 0, hi = reg_nr[e];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (off < v[mid].start)
			hi = mid;
		else if (off >= v[mid].end)
			lo = mid + 1;
		else
			return (v[mid].row->flags & access) == access ? v[mid].row : NULL;
	}
	return NULL;
}
