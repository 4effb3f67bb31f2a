/* SPDX-License-Identifier: MIT */
/*
 * mmio.c — the register engine: merges and checks every module's table
 * (mmio_tables[]), builds one dense per-dword index shared by all vGPUs,
 * and dispatches guest register accesses to row handlers or the default
 * policy (ro/w1c/masked). Routing of BAR0 itself is vgpu.c's job.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/regs/mmio_tables.h"
#include "mediator/core/vgpu_int.h"

/* Unknown registers logged per vGPU before we stop naming them. */
#define MMIO_UNKNOWN_LOG_MAX 64

#define MMIO_NR_DWORDS (MMIO_REG_SIZE / 4)

/*
 * The index: one uint16_t per dword of the 2 MiB register space holding
 * (row number + 1), 0 = no row. 1 MiB, built once, read-only afterwards,
 * so lookups from many vGPU threads need no lock (GVT-g keeps a similar
 * per-offset attribute array; a hash would save memory but cost a probe).
 */
static uint16_t *mmio_index;
static const struct mmio_reg **mmio_rows;
static size_t mmio_nr_rows;
static int mmio_index_rc;
static pthread_once_t mmio_once = PTHREAD_ONCE_INIT;

int
mmio_table_check(const struct mmio_reg *regs, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct mmio_reg *r = &regs[i];
		const char *why = NULL;

		if (!r->name)
			why = "row without a name";
		else if (r->off & 3)
			why = "offset not dword aligned";
		else if (r->size == 0 || (r->size & 3))
			why = "size not a non-zero multiple of 4";
		else if (r->off >= MMIO_REG_SIZE || r->size > MMIO_REG_SIZE - r->off)
			why = "row outside the register space";
		else if (i > 0 && r->off < regs[i - 1].off)
			why = "rows not sorted by offset";
		else if (i > 0 && r->off < regs[i - 1].off + regs[i - 1].size)
			why = "row overlaps the previous one";
		else if ((r->flags & MF_MASKED) && (r->w1c_mask & 0xffff0000u))
			why = "masked register with W1C bits in the mask half";
		else if (r->write64 && ((r->off | r->size) & 7))
			why = "write64 row not qword aligned and sized";
		else if (r->write64 && (r->flags & MF_SAVE))
			why = "write64 row flagged MF_SAVE";
		if (why) {
			if (err)
				snprintf(err, errlen, "row %zu (%s @%#x): %s", i,
					 r->name ? r->name : "?", r->off, why);
			return -EINVAL;
		}
	}
	return 0;
}

static int
row_cmp(const void *a, const void *b)
{
	const struct mmio_reg *x = *(const struct mmio_reg *const *)a;
	const struct mmio_reg *y = *(const struct mmio_reg *const *)b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Merge all tables, check each one and the merged set, build the index. */
static void
mmio_build_index(void)
{
	char err[160];
	size_t n = 0, k = 0;

	for (unsigned int t = 0; t < mmio_nr_tables; t++) {
		const struct mmio_table *tab = mmio_tables[t];

		if (mmio_table_check(tab->regs, tab->nregs, err, sizeof(err)) < 0) {
			log_err("mmio: table %s: %s", tab->module, err);
			mmio_index_rc = -EINVAL;
			return;
		}
		n += tab->nregs;
	}
	if (n >= UINT16_MAX) {
		log_err("mmio: %zu rows do not fit the 16-bit index", n);
		mmio_index_rc = -E2BIG;
		return;
	}
	mmio_rows = calloc(n ? n : 1, sizeof(*mmio_rows));
	mmio_index = calloc(MMIO_NR_DWORDS, sizeof(*mmio_index));
	if (!mmio_rows || !mmio_index) {
		mmio_index_rc = -ENOMEM;
		return;
	}
	for (unsigned int t = 0; t < mmio_nr_tables; t++)
		for (size_t i = 0; i < mmio_tables[t]->nregs; i++)
			mmio_rows[k++] = &mmio_tables[t]->regs[i];
	qsort(mmio_rows, n, sizeof(*mmio_rows), row_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct mmio_reg *r = mmio_rows[i];

		/* Overlap between two modules' tables. */
		if (i > 0 && r->off < mmio_rows[i - 1]->off + mmio_rows[i - 1]->size) {
			log_err("mmio: row %s @%#x overlaps %s @%#x", r->name, r->off,
				mmio_rows[i - 1]->name, mmio_rows[i - 1]->off);
			mmio_index_rc = -EINVAL;
			return;
		}
		for (uint32_t d = r->off / 4; d < (r->off + r->size) / 4; d++)
			mmio_index[d] = (uint16_t)(i + 1);
	}
	mmio_nr_rows = n;
	log_dbg(DBG_MMIO, "mmio: %zu register rows from %u tables", n, mmio_nr_tables);
}

uint32_t
vreg_get(const struct vgpu *v, uint32_t off)
{
	return off < MMIO_REG_SIZE ? v->vreg[off / 4] : ~0u;
}

/* An unchanged value is not stored: its page of the register file stays shared (vreg.c). */
void
vreg_set(struct vgpu *v, uint32_t off, uint32_t val)
{
	if (off < MMIO_REG_SIZE && v->vreg[off / 4] != val)
		v->vreg[off / 4] = val;
}

const struct mmio_reg *
mmio_find(uint32_t off)
{
	uint16_t i;

	if (!mmio_index || off >= MMIO_REG_SIZE)
		return NULL;
	i = mmio_index[off / 4];
	return i ? mmio_rows[i - 1] : NULL;
}

/*
 * Default write policy of a row. MF_RO: nothing changes. W1C bits: a 1
 * clears, a 0 keeps. ro_mask bits keep their value. MF_MASKED (Gen9 PRM
 * "masked bit" registers): bits 31:16 of the written value select which
 * of bits 15:0 change; the stored upper half never changes.
 */
uint32_t
mmio_apply_write(const struct mmio_reg *r, uint32_t old, uint32_t val)
{
	uint32_t writable, nv;

	if (r->flags & MF_RO)
		return old;
	writable = ~r->ro_mask & ~r->w1c_mask;
	if (r->flags & MF_MASKED)
		writable &= (val >> 16) & 0xffffu;
	nv = (old & ~writable) | (val & writable);
	nv &= ~(r->w1c_mask & val);
	return nv;
}

int
mmio_index_init(void)
{
	pthread_once(&mmio_once, mmio_build_index);
	return mmio_index_rc;
}

size_t
mmio_row_count(void)
{
	return mmio_index ? mmio_nr_rows : 0;
}

const struct mmio_reg *
mmio_row(size_t i)
{
	return i < mmio_row_count() ? mmio_rows[i] : NULL;
}

/* Every row's reset value, into the reset image's template (vreg.c); zeroes stay. */
void
mmio_reset_regs(struct vgpu *t)
{
	if (mmio_index_init())
		return;	/* logged; vgpu_create fails in mmio_init */
	for (size_t i = 0; i < mmio_nr_rows; i++) {
		const struct mmio_reg *r = mmio_rows[i];

		for (uint32_t o = r->off; r->reset && o < r->off + r->size; o += 4)
			vreg_set(t, o, r->reset);
	}
}

/*
 * The register file comes with the reset values (vreg.c); the bitmap of
 * unknown registers seen is allocated at the first one (mmio_unknown).
 */
int
mmio_init(struct vgpu *v)
{
	int rc = mmio_index_init();

	if (rc)
		return rc;
	vgpu_zfree(v->unknown_seen, MMIO_UNKNOWN_BITMAP_BYTES);
	v->unknown_seen = NULL;
	v->unknown_logged = 0;
	v->nr_unknown = 0;
	v->unknown_overflow = 0;
	return 0;
}

void
mmio_fini(struct vgpu *v)
{
	/* The index is shared and lives as long as the process. */
	vgpu_zfree(v->unknown_seen, MMIO_UNKNOWN_BITMAP_BYTES);
	v->unknown_seen = NULL;
}

/*
 * Count a hit on unknown register off in the vGPU's bounded table: a
 * linear search is fine, the table holds at most VGPU_UNKNOWN_MAX rows and
 * a stock guest touches few unknown registers. first: never seen before
 * (the unknown_seen bitmap), so no search is needed to know it is new.
 */
static void
mmio_unknown_count(struct vgpu *v, uint32_t off, bool first)
{
	if (!first) {
		for (unsigned int i = 0; i < v->nr_unknown; i++)
			if (v->unknown[i].off == off) {
				v->unknown[i].hits++;
				return;
			}
	} else if (v->nr_unknown < VGPU_UNKNOWN_MAX) {
		v->unknown[v->nr_unknown].off = off;
		v->unknown[v->nr_unknown].hits = 1;
		v->nr_unknown++;
		return;
	}
	v->unknown_overflow++;
}

size_t
vgpu_unknown_regs(struct vgpu *v, struct vgpu_unknown_reg *rows, size_t max,
		  uint64_t *overflow)
{
	size_t n;

	pthread_mutex_lock(&v->lock);
	for (n = 0; n < v->nr_unknown && n < max; n++)
		rows[n] = v->unknown[n];
	if (overflow)
		*overflow = v->unknown_overflow;
	pthread_mutex_unlock(&v->lock);
	return n;
}

enum unknown_reg_policy
vgpu_unknown_policy(const struct vgpu *v)
{
	return v->cfg.unknown;
}

/*
 * Has this vGPU met unknown register off before? Marks it seen. The
 * bitmap (a bit per dword, lazily backed: a page covers 128 KiB of
 * register space) comes at the first unknown register; without it the
 * bounded hit table answers, which is exact until it overflows.
 */
static bool
mmio_unknown_first(struct vgpu *v, uint32_t off)
{
	uint32_t d = off / 4;
	bool first;

	if (!v->unknown_seen)
		v->unknown_seen = vgpu_zalloc(MMIO_UNKNOWN_BITMAP_BYTES);
	if (!v->unknown_seen) {
		for (unsigned int i = 0; i < v->nr_unknown; i++)
			if (v->unknown[i].off == (off & ~3u))
				return false;
		return true;
	}
	first = !(v->unknown_seen[d / 64] & (1ull << (d % 64)));
	v->unknown_seen[d / 64] |= 1ull << (d % 64);
	return first;
}

/* A register with no row: the configured policy. Returns true if the access goes on. */
static bool
mmio_unknown(struct vgpu *v, bool write, uint32_t off)
{
	bool first = mmio_unknown_first(v, off);
	char why[64];

	v->stats.unknown_reg++;
	mmio_unknown_count(v, off & ~3u, first);
	if (v->cfg.unknown == UNKNOWN_STRICT) {
		snprintf(why, sizeof(why), "unknown register %#x (%s)", off & ~3u,
			 write ? "write" : "read");
		vgpu_enter_failsafe(v, why);
		return false;
	}
	if (first) {
		if (v->unknown_logged < MMIO_UNKNOWN_LOG_MAX)
			vgpu_log(v, LOG_WARN, "unknown register %#x (first %s), tolerated",
				 off & ~3u, write ? "write" : "read");
		else if (v->unknown_logged == MMIO_UNKNOWN_LOG_MAX)
			vgpu_log(v, LOG_WARN, "more unknown registers: no longer logged");
		v->unknown_logged++;
	}
	return true;
}

/* One aligned dword through its row (or the unknown policy). */
static int
dword_read(struct vgpu *v, uint32_t off, uint32_t *val)
{
	const struct mmio_reg *r = mmio_find(off);

	if (!r) {
		if (!mmio_unknown(v, false, off)) {
			*val = ~0u;
			return 0;
		}
		*val = vreg_get(v, off);
		return 0;
	}
	if (r->read)
		return r->read(v, off, val);
	*val = vreg_get(v, off);
	return 0;
}

static int
dword_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	const struct mmio_reg *r = mmio_find(off);
	uint32_t old;

	if (!r) {
		if (mmio_unknown(v, true, off))
			vreg_set(v, off, val);
		return 0;
	}
	if (r->write) {
		int rc = r->write(v, off, val);

		if (!rc && (r->flags & MF_SAVE))
			mmio_context_write(v, r, off, val);
		return rc;
	}
	old = vreg_get(v, off);
	if ((r->flags & MF_RO) || (((old ^ val) & r->ro_mask & ~r->w1c_mask) &&
				   !(r->flags & MF_MASKED))) {
		v->ro_writes++;
		if (!(r->flags & MF_NOLOG))
			vgpu_warn_once(v, WARN_RO_WRITE, "write %#x to read-only bits of %s",
				       val, r->name);
	}
	vreg_set(v, off, mmio_apply_write(r, old, val));
	if (r->flags & MF_SAVE)
		mmio_context_write(v, r, off, val);
	return 0;
}

/*
 * Sub-dword write: bytes not written must not act. For a W1C bit that
 * means writing 0, for a masked register a 0 in the select half, so
 * those bits are zero in the merged value; other bits keep their value.
 */
static int
subdword_write(struct vgpu *v, uint32_t off, unsigned int size, uint32_t val)
{
	const struct mmio_reg *r = mmio_find(off);
	unsigned int shift = (off & 3) * 8;
	uint32_t bytes = (size == 4 ? ~0u : ((1u << (size * 8)) - 1)) << shift;
	uint32_t keep = ~bytes;
	uint32_t merged;

	if (r) {
		keep &= ~r->w1c_mask;
		if (r->flags & MF_MASKED)
			keep = 0;
	}
	merged = (vreg_get(v, off & ~3u) & keep) | ((val << shift) & bytes);
	return dword_write(v, off & ~3u, merged);
}

int
mmio_access(struct vgpu *v, bool write, uint32_t off, unsigned int size, uint64_t *val)
{
	uint32_t lo, hi;
	int rc;

	if (off >= MMIO_REG_SIZE || (size != 1 && size != 2 && size != 4 && size != 8) ||
	    (off & (size - 1)))
		return -EINVAL;
	if (size == 8) {
		const struct mmio_reg *r = write ? mmio_find(off) : NULL;

		if (r && r->write64)
			return r->write64(v, off, *val);
		if (write) {
			rc = dword_write(v, off, (uint32_t)*val);
			if (!rc)
				rc = dword_write(v, off + 4, (uint32_t)(*val >> 32));
			return rc;
		}
		rc = dword_read(v, off, &lo);
		if (!rc)
			rc = dword_read(v, off + 4, &hi);
		*val = rc ? ~0ull : ((uint64_t)hi << 32 | lo);
		return rc;
	}
	if (write)
		return size == 4 ? dword_write(v, off, (uint32_t)*val)
				 : subdword_write(v, off, size, (uint32_t)*val);
	rc = dword_read(v, off & ~3u, &lo);
	if (rc) {
		*val = ~0ull;
		return rc;
	}
	lo >>= (off & 3) * 8;
	*val = size == 4 ? lo : lo & ((1u << (size * 8)) - 1);
	return 0;
}
