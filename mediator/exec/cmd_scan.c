/* SPDX-License-Identifier: MIT */
/*
 * cmd_scan.c — the command scanner (docs/execution.md): copies a
 * workload's ring [head, tail) and every batch buffer it starts into host
 * objects, then audits the copies command by command with the opcode
 * table (cmd_table.c) and the register whitelist (cmd_regs.c), and points
 * each batch start at its audited copy. The guest is read once, before
 * the check; nothing is read from it again. How the guest is read is
 * given (struct cmd_guest_ops): cmd_scan_guest.c passes the real readers.
 *
 * Privilege, as Gen9 hardware has it: the ring runs privileged when the
 * context descriptor says so (i915 always sets the bit); a batch started
 * from GGTT is privileged, one started from PPGTT is not, and a batch
 * start cannot ask for more than its caller has. Only privileged code may
 * name GGTT addresses or status-page indexes; privileged-only MI commands
 * (CMD_F_RING_ONLY) are refused in every batch. The copies themselves run
 * from GGTT, so this scan, not the hardware, is what holds a guest to
 * those rules.
 *
 * Not here: the workload's life (workload.c), reading the context image
 * (execlist.c), the PPGTT shadow (mem/ppgtt*.c).
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/exec/cmd_scan.h"
#include "mediator/core/vgpu_int.h"

/* MI_BATCH_BUFFER_START header bits (Gen9 PRM vol. 2a). */
#define BB_SECOND_LEVEL		(1u << 22)
#define BB_ADD_OFFSET		(1u << 16)
#define BB_PREDICATE		(1u << 15)
#define BB_RESOURCE_STREAMER	(1u << 10)
#define BB_PPGTT		(1u << 8)	/* address space indicator: 1 PPGTT, 0 GGTT */
#define MI_BATCH_BUFFER_END	CMD_MI(0x0a)

/* A register dword of LRI/SRM/LRM/LRR: offset bits 22:2, the rest must be 0. */
#define REG_OFF_MASK		0x007ffffcu

#define PAGE			EXEC_PAGE
#define TLB_SIZE		64	/* PPGTT translations remembered during one scan */
#define SCAN_END		1	/* a check's answer: the buffer ends with this command */

enum buf_kind { BUF_RING, BUF_BB1, BUF_BB2, BUF_CTX };

/* One scan of a workload. */
struct scan {
	struct vgpu *v;
	struct workload *w;
	const struct cmd_guest_ops *ops;
	enum pgpu_engine e;
	unsigned int addr_mode;	/* CTX_ADDR_LEGACY_32B / _64B */
	uint64_t copied;	/* guest batch bytes copied */
	struct {
		uint64_t vpn1;	/* page number + 1 (0: empty) */
		uint64_t gpa;	/* its guest physical page */
	} tlb[TLB_SIZE];
};

/* One buffer being scanned: the ring or a batch copy. */
struct buf {
	enum buf_kind kind;
	bool priv;		/* privileged: may name GGTT addresses */
	unsigned int depth;	/* batch starts from the ring to here */
	uint32_t *dw;		/* the copy */
	size_t ndw;		/* dwords copied so far */
	/* Batches only. */
	bool ggtt;		/* guest address space of the batch */
	bool exact;		/* context batch of a given size: no end command needed */
	uint64_t gaddr;		/* guest address of dw[0] */
	size_t max_bytes;	/* what it may grow to */
	unsigned int chunk;	/* pages per guest read (doubles, so small batches read little) */
	struct host_obj obj;	/* holds dw */
};

typedef int cmd_check_fn(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d,
			 uint32_t len);

static const char *const buf_name[] = {
	[BUF_RING] = "ring", [BUF_BB1] = "batch", [BUF_BB2] = "2nd-level batch",
	[BUF_CTX] = "context batch",
};

/* Record why (one line, prefixed with the engine) and return rc. */
static int __attribute__((format(printf, 3, 4)))
refuse(struct scan *s, int rc, const char *fmt, ...)
{
	char *why = s->w->why;
	size_t n = sizeof(s->w->why);
	int k = snprintf(why, n, "%s: ", exec_engines[s->e].name);
	va_list ap;

	if (k > 0 && (size_t)k < n) {
		va_start(ap, fmt);
		vsnprintf(why + k, n - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ---- reading the guest ---- */

/* The context's addressing mode, from the workload or its descriptor. */
static unsigned int
addr_mode_of(const struct workload *w)
{
	if (w->addr_mode)
		return w->addr_mode;
	return (unsigned int)((w->guest_desc & CTX_DESC_ADDR_MODE_MASK) >> CTX_DESC_ADDR_MODE_SHIFT);
}

/* Guest physical address of PPGTT address gva (remembered per page for this scan). */
static int
xlate(struct scan *s, uint64_t gva, uint64_t *gpa)
{
	uint64_t vpn = gva / PAGE, page;
	/* Hashed: a blit's source and destination often share their low page bits. */
	unsigned int slot = (unsigned int)((vpn ^ (vpn >> 6) ^ (vpn >> 12)) % TLB_SIZE);
	const struct workload *w = s->w;
	int rc;

	if (s->tlb[slot].vpn1 == vpn + 1) {
		*gpa = s->tlb[slot].gpa | (gva % PAGE);
		return 0;
	}
	if (s->addr_mode == CTX_ADDR_LEGACY_64B && gva < (1ull << 48))
		rc = s->ops->gva_to_gpa(s->v, w->pdp[0], 4, vpn * PAGE, &page);
	else if (s->addr_mode == CTX_ADDR_LEGACY_32B && gva < (1ull << 32))
		rc = s->ops->gva_to_gpa(s->v, w->pdp[gva >> 30], 3, vpn * PAGE, &page);
	else
		rc = -EFAULT;
	if (rc)
		return -EFAULT;
	page &= ~(uint64_t)(PAGE - 1);
	s->tlb[slot].vpn1 = vpn + 1;
	s->tlb[slot].gpa = page;
	*gpa = page | (gva % PAGE);
	return 0;
}

/* Copy len bytes of guest graphics memory (GGTT or PPGTT) at addr. 0 or -EFAULT. */
static int
guest_read(struct scan *s, bool ggtt, uint64_t addr, void *buf, size_t len)
{
	if (ggtt) {
		if (!gm_owns(&s->v->part, addr, len))
			return -EFAULT;
		return s->ops->gma_read(s->v, addr, buf, len) ? -EFAULT : 0;
	}
	while (len) {
		size_t n = PAGE - addr % PAGE;
		uint64_t gpa;

		if (n > len)
			n = len;
		if (xlate(s, addr, &gpa) || s->v->hv_ops->read_gpa(s->v->hv, gpa, buf, n))
			return -EFAULT;
		addr += n;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

/* ---- batch copies ---- */

/* Grow b's copy to hold at least min_bytes (a bigger object, the copy moved over). */
static int
bb_grow(struct scan *s, struct buf *b, size_t min_bytes)
{
	unsigned int pages = b->obj.npages ? b->obj.npages * 2 : 4;
	struct host_obj n;
	int rc;

	while ((size_t)pages * PAGE < min_bytes)
		pages *= 2;
	rc = host_obj_alloc(s->v->gpu, pages, true, &n);
	if (rc)
		return refuse(s, rc, "no host memory for a batch copy (%d)", rc);
	if (b->obj.va) {
		memcpy(n.va, b->obj.va, b->ndw * 4);
		host_obj_free(s->v->gpu, &b->obj);
	}
	b->obj = n;
	b->dw = n.va;
	return 0;
}

/*
 * Copy b from the guest until want_dw dwords are there: reads end at page
 * boundaries and grow while they succeed, so a batch near the end of
 * its mapping is read only as far as it needs.
 */
static int
bb_fetch(struct scan *s, struct buf *b, size_t want_dw)
{
	size_t want = want_dw * 4;

	while (b->ndw * 4 < want) {
		size_t have = b->ndw * 4, cap = (size_t)b->obj.npages * PAGE;
		uint64_t ga = b->gaddr + have;
		size_t first = PAGE - ga % PAGE, n;
		int rc;

		if (want > b->max_bytes) {
			if (b->exact)
				return refuse(s, -EPERM, "command runs past the %zu-byte context batch",
					      b->max_bytes);
			return refuse(s, -EPERM, "batch %#llx: no MI_BATCH_BUFFER_END in %u MiB",
				      (unsigned long long)b->gaddr, CMD_BB_MAX_BYTES >> 20);
		}
		if (s->copied >= CMD_BB_TOTAL_BYTES)
			return refuse(s, -EPERM, "workload starts over %u MiB of batches",
				      CMD_BB_TOTAL_BYTES >> 20);
		if (have == cap) {
			rc = bb_grow(s, b, have + PAGE);
			if (rc)
				return rc;
			cap = (size_t)b->obj.npages * PAGE;
		}
		n = first + (size_t)(b->chunk - 1) * PAGE;
		if (n > cap - have)
			n = cap - have;
		if (n > b->max_bytes - have)
			n = b->max_bytes - have;
		if (n > CMD_BB_TOTAL_BYTES - s->copied)
			n = CMD_BB_TOTAL_BYTES - s->copied;
		rc = guest_read(s, b->ggtt, ga, (char *)b->dw + have, n);
		if (rc && n > first) {
			/* Maybe only a later page is missing: take what is there. */
			n = first;
			b->chunk = 1;
			rc = guest_read(s, b->ggtt, ga, (char *)b->dw + have, n);
		}
		if (rc)
			return refuse(s, -EFAULT, "%s %#llx runs into unmapped %s %#llx",
				      buf_name[b->kind], (unsigned long long)b->gaddr,
				      b->ggtt ? "GGTT" : "PPGTT", (unsigned long long)ga);
		b->ndw += n / 4;
		s->copied += n;
		if (b->chunk < 64)
			b->chunk *= 2;
	}
	return 0;
}

/* Keep a finished copy in w->bbs (the workload owns it from here). */
static int
bbs_append(struct scan *s, struct host_obj *o)
{
	struct workload *w = s->w;
	struct host_obj *v = realloc(w->bbs, (w->nr_bbs + 1) * sizeof(*v));

	if (!v)
		return refuse(s, -ENOMEM, "no host memory for the batch list");
	w->bbs = v;
	w->bbs[w->nr_bbs++] = *o;
	memset(o, 0, sizeof(*o));
	return 0;
}

/* ---- decoding ---- */

static const char *
client_name(uint32_t hdr)
{
	static const char *const names[8] = { "MI", "client 1", "2D", "3D/media", "client 4",
					      "client 5", "client 6", "client 7" };

	return names[CMD_CLIENT(hdr)];
}

/* Why hdr has no row on engine e (into why). */
static void
unknown_why(enum pgpu_engine e, uint32_t hdr, char *why, size_t whylen)
{
	const struct cmd_desc *any = cmd_lookup_any(hdr);

	if (any)
		snprintf(why, whylen, "%s not allowed on %s", any->name, exec_engines[e].name);
	else
		snprintf(why, whylen, "unknown %s command %#010x", client_name(hdr), hdr);
}

int
cmd_decode(enum pgpu_engine e, const uint32_t *dw, size_t avail, const struct cmd_desc **d,
	   uint32_t *len, char *why, size_t whylen)
{
	const struct cmd_desc *r;
	uint32_t n;

	*d = NULL;
	*len = 0;
	if (!avail)
		return -ENODATA;
	r = cmd_lookup(e, dw[0]);
	if (!r) {
		if (why)
			unknown_why(e, dw[0], why, whylen);
		return -EPERM;
	}
	n = CMD_ENT_LEN(cmd_index[e][cmd_key(dw[0])], dw[0]);
	*d = r;
	*len = n;
	if (n < r->len_min || n > r->len_max || ((r->flags & CMD_F_ODD_LEN) && !(n & 1))) {
		if (why)
			snprintf(why, whylen, "%s: bad length %u dwords", r->name, n);
		return -EPERM;
	}
	if (n > avail) {
		if (why)
			snprintf(why, whylen, "%s: %u dwords, %zu left", r->name, n, avail);
		return -ENODATA;
	}
	return 0;
}

/* ---- address and register audits ---- */

/* Which header bit picks GGTT for each enum cmd_space (dw 0xff: always PPGTT). */
static const struct {
	uint8_t dw, bit;
	bool ggtt_when_set;
} space_sel[] = {
	[CMD_SPACE_PPGTT] = { 0xff, 0, false },
	[CMD_SPACE_HDR22] = { 0, 22, true },
	[CMD_SPACE_BB] = { 0, 8, false },
	[CMD_SPACE_DW1_B24] = { 1, 24, true },
	[CMD_SPACE_DW1_B2] = { 1, 2, true },
};

static bool
field_ggtt(const uint32_t *dw, const struct cmd_addr *a)
{
	unsigned int i = space_sel[a->space].dw;

	if (i == 0xff)
		return false;
	return !!(dw[i] & (1u << space_sel[a->space].bit)) == space_sel[a->space].ggtt_when_set;
}

static uint64_t
field_addr(const uint32_t *dw, const struct cmd_addr *a)
{
	uint64_t ga = dw[a->dw] & ~((1u << a->lo_bits) - 1);

	if (a->width == 48)	/* bits 63:48 are canonical copies of 47: ignored */
		ga |= (uint64_t)(dw[a->dw + 1] & 0xffff) << 32;
	return ga;
}

/* [ga, ga + size) must be the vGPU's GM (GGTT, privileged code only) or mapped by its PPGTT. */
static int
audit_range(struct scan *s, const struct buf *b, const char *name, bool ggtt, uint64_t ga,
	    uint64_t size)
{
	uint64_t gpa;

	if (ggtt) {
		if (!b->priv)
			return refuse(s, -EPERM, "%s: GGTT access from a %s", name,
				      b->kind == BUF_RING ? "non-privileged ring" : "PPGTT batch");
		if (!gm_owns(&s->v->part, ga, size))
			return refuse(s, -EFAULT, "%s: GGTT %#llx outside GM", name,
				      (unsigned long long)ga);
		return 0;
	}
	if (xlate(s, ga, &gpa) || xlate(s, ga + size - 1, &gpa))
		return refuse(s, -EFAULT, "%s: PPGTT %#llx not mapped", name,
			      (unsigned long long)ga);
	return 0;
}

static int
audit_field(struct scan *s, const struct buf *b, const struct cmd_desc *d, const uint32_t *dw,
	    const struct cmd_addr *a, uint32_t size)
{
	return audit_range(s, b, d->name, field_ggtt(dw, a), field_addr(dw, a), size);
}

/* A post-sync write by index into the context's status page (PPHWSP): privileged, in the page. */
static int
audit_index(struct scan *s, const struct buf *b, const char *name, uint32_t off, uint32_t size)
{
	if (!b->priv)
		return refuse(s, -EPERM, "%s: status-page index from a PPGTT batch", name);
	if (off + size > PAGE)
		return refuse(s, -EFAULT, "%s: status-page index %#x past the page", name, off);
	return 0;
}

static int
audit_reg(struct scan *s, const char *what, uint32_t reg, unsigned int access)
{
	if ((reg & ~REG_OFF_MASK) || !cmd_reg_allowed(s->e, reg, access))
		return refuse(s, -EPERM, "%s %s register %#x not allowed", what,
			      access == CMD_REG_WR ? "to" : "from", reg);
	return 0;
}

/* ---- the checks, by enum cmd_check ---- */

static int
chk_addr(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	(void)len;
	for (unsigned int i = 0; i < CMD_MAX_ADDRS && d->addr[i].dw; i++) {
		int rc = audit_field(s, b, d, &b->dw[pos], &d->addr[i], d->addr[i].size);

		if (rc)
			return rc;
	}
	return 0;
}

/* MI_STORE_DATA_IMM: one data dword (length 4) or a qword (bit 21, length 5). */
static int
chk_sdi(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	const uint32_t *dw = &b->dw[pos];
	uint32_t want = (dw[0] & (1u << 21)) ? 5 : 4;

	if (len != want)
		return refuse(s, -EPERM, "%s: bad length %u dwords for a %s store", d->name, len,
			      want == 5 ? "qword" : "dword");
	return audit_field(s, b, d, dw, &d->addr[0], (len - 3) * 4);
}

static int
chk_lri(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	const uint32_t *dw = &b->dw[pos];

	(void)d;
	for (uint32_t i = 1; i + 1 < len; i += 2) {
		int rc = audit_reg(s, "LRI", dw[i], CMD_REG_WR);

		if (rc)
			return rc;
	}
	return 0;
}

static int
chk_srm(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	const uint32_t *dw = &b->dw[pos];
	int rc = audit_reg(s, "SRM", dw[1], CMD_REG_RD);

	(void)len;
	return rc ? rc : audit_field(s, b, d, dw, &d->addr[0], 4);
}

static int
chk_lrm(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	const uint32_t *dw = &b->dw[pos];
	int rc = audit_reg(s, "LRM", dw[1], CMD_REG_WR);

	(void)len;
	return rc ? rc : audit_field(s, b, d, dw, &d->addr[0], 4);
}

static int
chk_lrr(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	const uint32_t *dw = &b->dw[pos];
	int rc = audit_reg(s, "LRR", dw[1], CMD_REG_RD);

	(void)d;
	(void)len;
	return rc ? rc : audit_reg(s, "LRR", dw[2], CMD_REG_WR);
}

/* MI_FLUSH_DW: post-sync op bits 15:14 of the header, index mode bit 21. */
static int
chk_flush_dw(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	const uint32_t *dw = &b->dw[pos];
	unsigned int op = (dw[0] >> 14) & 3;
	uint32_t size = (op == 3 || len == 5) ? 8 : 4;

	if (!op)
		return 0;
	if (dw[0] & (1u << 21))
		return audit_index(s, b, d->name, dw[1] & ~7u, size);
	return audit_field(s, b, d, dw, &d->addr[0], size);
}

/* PIPE_CONTROL: dword 1 bit 23 MMIO write, bits 15:14 post-sync op, bit 21 index mode. */
static int
chk_pipe_control(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d,
		 uint32_t len)
{
	const uint32_t *dw = &b->dw[pos];
	int rc;

	(void)len;
	if (dw[1] & (1u << 23)) {
		rc = audit_reg(s, "PIPE_CONTROL", dw[2], CMD_REG_WR);
		if (rc)
			return rc;
	}
	if (!((dw[1] >> 14) & 3))
		return 0;
	if (dw[1] & (1u << 21))
		return audit_index(s, b, d->name, dw[2] & ~7u, 8);
	return audit_field(s, b, d, dw, &d->addr[0], 8);
}

/* MI_ATOMIC: operand size bits 20:19 (4, 8, 16 bytes), inline data bit 18 (length 11). */
static int
chk_atomic(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	const uint32_t *dw = &b->dw[pos];
	unsigned int sz = (dw[0] >> 19) & 3;
	uint32_t want = (dw[0] & (1u << 18)) ? 11 : 3;

	if (sz == 3)
		return refuse(s, -EPERM, "%s: reserved operand size", d->name);
	if (len != want)
		return refuse(s, -EPERM, "%s: bad length %u dwords", d->name, len);
	return audit_field(s, b, d, dw, &d->addr[0], 4u << sz);
}

/*
 * The bytes a blit rectangle touches: rows y1..y2-1 at pitch bytes from
 * base (pitch in dwords on a tiled surface, whose rows are whole tile
 * rows of at least 8 lines), columns x1..x2-1 of cpp bytes. false if the
 * rectangle is empty (the blitter draws nothing).
 */
static bool
blt_extent(uint64_t base, int16_t pitch, bool tiled, uint32_t cpp, uint32_t xy1, uint32_t xy2,
	   uint64_t *lo, uint64_t *hi)
{
	int64_t x1 = xy1 & 0xffff, y1 = xy1 >> 16, x2 = xy2 & 0xffff, y2 = xy2 >> 16;
	int64_t p = tiled ? (int64_t)pitch * 4 : pitch, a, z;

	if (x2 <= x1 || y2 <= y1)
		return false;
	if (tiled) {
		y1 &= ~7;
		y2 = (y2 + 7) & ~7;
		x1 = 0;
	}
	a = y1 * p;
	z = (y2 - 1) * p;
	if (a > z) {
		int64_t t = a;

		a = z;
		z = t;
	}
	*lo = base + (uint64_t)(a + x1 * (int64_t)cpp);
	*hi = base + (uint64_t)(z + (tiled && x2 * (int64_t)cpp < p ? p : x2 * (int64_t)cpp) - 1);
	return true;
}

static int
audit_blt(struct scan *s, const struct buf *b, const char *name, uint64_t base, int16_t pitch,
	  bool tiled, uint32_t cpp, uint32_t xy1, uint32_t xy2)
{
	uint64_t lo, hi;

	if (!blt_extent(base, pitch, tiled, cpp, xy1, xy2, &lo, &hi))
		return 0;
	if (lo > hi || hi >= (1ull << 48))
		return refuse(s, -EFAULT, "%s: surface wraps the address space", name);
	return audit_range(s, b, name, false, lo, hi - lo + 1);
}

/*
 * XY_COLOR_BLT / XY_SRC_COPY_BLT: BR13 (dword 1) depth 25:24, pitch 15:0;
 * destination tiled header bit 11, source tiled bit 15. XY_FAST_COPY_BLT:
 * depth 26:24 of dword 1, tiling in header bits 14:13 (destination) and
 * 21:20 (source). Rectangles: x in bits 15:0, y in 31:16.
 */
static int
chk_blt(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	static const uint8_t xy_cpp[4] = { 1, 2, 2, 4 };
	static const uint8_t fast_cpp[8] = { 1, 2, 0, 4, 8, 16, 0, 0 };
	const uint32_t *dw = &b->dw[pos];
	bool fast = d->opcode == CMD_2D(0x42);
	uint32_t cpp = fast ? fast_cpp[(dw[1] >> 24) & 7] : xy_cpp[(dw[1] >> 24) & 3];
	bool dtiled = fast ? ((dw[0] >> 13) & 3) != 0 : !!(dw[0] & (1u << 11));
	bool stiled = fast ? ((dw[0] >> 20) & 3) != 0 : !!(dw[0] & (1u << 15));
	uint32_t w, h;
	int rc;

	(void)len;
	if (!cpp)
		return refuse(s, -EPERM, "%s: reserved colour depth", d->name);
	rc = audit_blt(s, b, d->name, field_addr(dw, &d->addr[0]), (int16_t)(dw[1] & 0xffff),
		       dtiled, cpp, dw[2], dw[3]);
	if (rc || !d->addr[1].dw)
		return rc;
	/* Source: the destination's size at the source origin (dword 6), pitch dword 7. */
	w = (dw[3] & 0xffff) - (dw[2] & 0xffff);
	h = (dw[3] >> 16) - (dw[2] >> 16);
	if ((int32_t)w <= 0 || (int32_t)h <= 0)
		return 0;
	return audit_blt(s, b, d->name, field_addr(dw, &d->addr[1]), (int16_t)(dw[7] & 0xffff),
			 stiled, cpp, dw[6],
			 (((dw[6] >> 16) + h) << 16) | (((dw[6] & 0xffff) + w) & 0xffff));
}

static int scan_batch(struct scan *s, enum buf_kind kind, bool priv, unsigned int depth,
		      bool ggtt, uint64_t gaddr, uint32_t exact_len, uint64_t *copy_gma);

/*
 * MI_BATCH_BUFFER_START: copy and scan the batch it starts, then point
 * the command at the copy (GGTT). From the ring it starts a first-level
 * batch; from a first-level batch it calls a second-level one (bit 22)
 * or chains to another first-level one; a second-level batch may chain
 * but not nest further. A chain ends the current batch unless it is
 * predicated (it may fall through).
 */
static int
chk_bb_start(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	uint32_t hdr = b->dw[pos];
	bool ppgtt = hdr & BB_PPGTT, second = hdr & BB_SECOND_LEVEL, chain = false;
	uint64_t ga = field_addr(&b->dw[pos], &d->addr[0]), copy;
	enum buf_kind kind;
	int rc;

	(void)len;
	if (hdr & (BB_ADD_OFFSET | BB_RESOURCE_STREAMER))
		return refuse(s, -EPERM, "batch start with unsupported flags %#x",
			      hdr & (BB_ADD_OFFSET | BB_RESOURCE_STREAMER));
	switch (b->kind) {
	case BUF_RING:
		if (second)
			return refuse(s, -EPERM, "2nd-level batch started from the ring");
		kind = BUF_BB1;
		break;
	case BUF_BB1:
		kind = second ? BUF_BB2 : BUF_BB1;
		chain = !second;
		break;
	case BUF_BB2:
		if (second)
			return refuse(s, -EPERM, "batch nested below the second level");
		kind = BUF_BB2;
		chain = true;
		break;
	default:
		return refuse(s, -EPERM, "batch start in a context batch");
	}
	if (b->depth >= CMD_MAX_CHAIN)
		return refuse(s, -EPERM, "batches chained or nested deeper than %u", CMD_MAX_CHAIN);
	if (!ppgtt && !b->priv)
		return refuse(s, -EPERM, "privileged (GGTT) batch from a %s",
			      b->kind == BUF_RING ? "non-privileged ring" : "PPGTT batch");
	if (!ppgtt && !gm_owns(&s->v->part, ga, 4))
		return refuse(s, -EFAULT, "batch at GGTT %#llx outside GM", (unsigned long long)ga);
	rc = scan_batch(s, kind, !ppgtt, b->depth + 1, !ppgtt, ga, 0, &copy);
	if (rc)
		return rc;
	b->dw[pos] = hdr & ~BB_PPGTT;
	b->dw[pos + 1] = (uint32_t)copy;
	b->dw[pos + 2] = (uint32_t)(copy >> 32);
	return chain && !(hdr & BB_PREDICATE) ? SCAN_END : 0;
}

static int
chk_bb_end(struct scan *s, struct buf *b, size_t pos, const struct cmd_desc *d, uint32_t len)
{
	(void)pos;
	(void)d;
	(void)len;
	if (b->kind == BUF_RING)
		return refuse(s, -EPERM, "MI_BATCH_BUFFER_END in the ring");
	/* A sized context batch runs to its size: scan all of it. */
	return b->exact ? 0 : SCAN_END;
}

static cmd_check_fn *const checks[CMD_CHK_NR] = {
	[CMD_CHK_NONE] = NULL,
	[CMD_CHK_ADDR] = chk_addr,
	[CMD_CHK_SDI] = chk_sdi,
	[CMD_CHK_LRI] = chk_lri,
	[CMD_CHK_SRM] = chk_srm,
	[CMD_CHK_LRM] = chk_lrm,
	[CMD_CHK_LRR] = chk_lrr,
	[CMD_CHK_FLUSH_DW] = chk_flush_dw,
	[CMD_CHK_PIPE_CONTROL] = chk_pipe_control,
	[CMD_CHK_ATOMIC] = chk_atomic,
	[CMD_CHK_BLT] = chk_blt,
	[CMD_CHK_BB_START] = chk_bb_start,
	[CMD_CHK_BB_END] = chk_bb_end,
};

/* ---- the scan loop ---- */

/*
 * Audit b from dword pos up to end (the ring's tail, a context batch's
 * size) or, for a batch, its end command; *end_out gets the dword after
 * the last command. Batches are copied from the guest as the scan needs
 * them (bb_fetch).
 */
static int
scan_buf(struct scan *s, struct buf *b, size_t pos, size_t end, size_t *end_out)
{
	const uint32_t *index = cmd_index[s->e];

	while (pos < end) {
		const struct cmd_desc *d;
		uint32_t hdr, len, ent;
		int rc;

		if (pos >= b->ndw) {
			rc = bb_fetch(s, b, pos + 1);
			if (rc)
				return rc;
		}
		/* The critical path: header, index entry, length (cmd_table.h). */
		hdr = b->dw[pos];
		ent = index[cmd_key(hdr)];
		if (__builtin_expect(!ent, 0)) {
			char why[sizeof(s->w->why)];

			unknown_why(s->e, hdr, why, sizeof(why));
			return refuse(s, -EPERM, "%s in %s", why, buf_name[b->kind]);
		}
		len = CMD_ENT_LEN(ent, hdr);
		d = CMD_ENT_ROW(ent);
		if (!(ent & CMD_ENT_SLOW)) {
			/* No check, no flag: only its length to agree with and to fit. */
			if (__builtin_expect(CMD_ENT_EXACT(ent) && len != CMD_ENT_EXACT(ent), 0))
				return refuse(s, -EPERM, "%s: bad length %u dwords", d->name, len);
			if (__builtin_expect(pos + len <= b->ndw, 1)) {
				pos += len;
				continue;
			}
		} else if (__builtin_expect(len < d->len_min || len > d->len_max ||
					    ((d->flags & CMD_F_ODD_LEN) && !(len & 1)), 0)) {
			return refuse(s, -EPERM, "%s: bad length %u dwords", d->name, len);
		}
		if (__builtin_expect(pos + len > b->ndw, 0)) {
			if (b->kind == BUF_RING)
				return refuse(s, -EPERM, "%s runs past the ring tail", d->name);
			if (pos + len > end)
				return refuse(s, -EPERM, "%s runs past the context batch", d->name);
			rc = bb_fetch(s, b, pos + len);
			if (rc)
				return rc;
		}
		if (__builtin_expect(d->flags & (CMD_F_REFUSED | CMD_F_RING_ONLY), 0)) {
			if (d->flags & CMD_F_REFUSED)
				return refuse(s, -EPERM, "%s refused", d->name);
			if (b->kind == BUF_BB1 || b->kind == BUF_BB2)
				return refuse(s, -EPERM, "%s in a batch (ring only)", d->name);
		}
		if (d->check) {
			rc = checks[d->check](s, b, pos, d, len);
			if (rc < 0)
				return rc;
			if (rc == SCAN_END) {
				*end_out = pos + len;
				return 0;
			}
		}
		pos += len;
	}
	*end_out = pos;
	return 0;
}

/*
 * Copy and audit one batch at gaddr; on success its copy (ending in an
 * MI_BATCH_BUFFER_END guard right after its last command, in case
 * predication skips the guest's end, and zeros after that) joins w->bbs
 * and *copy_gma is its GGTT address.
 */
static int
scan_batch(struct scan *s, enum buf_kind kind, bool priv, unsigned int depth, bool ggtt,
	   uint64_t gaddr, uint32_t exact_len, uint64_t *copy_gma)
{
	struct buf b = {
		.kind = kind, .priv = priv, .depth = depth, .ggtt = ggtt, .gaddr = gaddr,
		.exact = exact_len != 0, .max_bytes = exact_len ? exact_len : CMD_BB_MAX_BYTES,
		.chunk = 1,
	};
	size_t end;
	int rc;

	if (s->w->nr_bbs >= CMD_MAX_BBS)
		return refuse(s, -EPERM, "workload starts more than %u batches", CMD_MAX_BBS);
	rc = scan_buf(s, &b, 0, b.exact ? exact_len / 4 : SIZE_MAX, &end);
	if (!rc && (end + 1) * 4 > (size_t)b.obj.npages * PAGE)
		rc = bb_grow(s, &b, (end + 1) * 4);
	if (rc) {
		host_obj_free(s->v->gpu, &b.obj);
		return rc;
	}
	b.dw[end] = MI_BATCH_BUFFER_END;
	if (b.ndw > end + 1)
		memset(&b.dw[end + 1], 0, (b.ndw - end - 1) * 4);
	*copy_gma = b.obj.gma;
	rc = bbs_append(s, &b.obj);
	if (rc)
		host_obj_free(s->v->gpu, &b.obj);
	return rc;
}

/* Copy the guest ring's [head, tail) into w->shadow_ring (same size, same offsets) and audit it. */
static int
scan_ring(struct scan *s)
{
	struct workload *w = s->w;
	uint32_t size = RING_CTL_SIZE(w->ring_ctl);
	uint64_t start = w->ring_start & ~(uint64_t)(PAGE - 1);
	uint32_t head = w->ring_head & 0x1ffffcu, tail = w->ring_tail & 0x1ffff8u;
	struct buf b = { .kind = BUF_RING, .priv = !!(w->guest_desc & CTX_DESC_PRIVILEGE) };
	uint32_t *lin = NULL, first;
	uint8_t *sh;
	size_t end;
	int rc;

	if (head >= size || tail >= size)
		return refuse(s, -EPERM, "ring head %#x/tail %#x past its %u KiB", head, tail,
			      size >> 10);
	if (!gm_owns(&s->v->part, start, size))
		return refuse(s, -EFAULT, "ring at GGTT %#llx outside GM",
			      (unsigned long long)start);
	rc = host_obj_alloc(s->v->gpu, size / PAGE, true, &w->shadow_ring);
	if (rc)
		return refuse(s, rc, "no host memory for the shadow ring (%d)", rc);
	if (head == tail)
		return 0;
	sh = w->shadow_ring.va;
	/* The copy, before anything is checked. */
	first = head < tail ? tail - head : size - head;
	rc = s->ops->gma_read(s->v, start + head, sh + head, first);
	if (!rc && head > tail && tail)
		rc = s->ops->gma_read(s->v, start, sh, tail);
	if (rc)
		return refuse(s, -EFAULT, "ring at GGTT %#llx not readable",
			      (unsigned long long)start);
	if (head < tail) {
		b.dw = (uint32_t *)(sh + head);
		b.ndw = (tail - head) / 4;
		return scan_buf(s, &b, 0, b.ndw, &end);
	}
	/* Wrapped: audit a straight copy, then put it back in place (with any patches). */
	b.ndw = (first + tail) / 4;
	lin = malloc(b.ndw * 4);
	if (!lin)
		return refuse(s, -ENOMEM, "no host memory to scan the ring");
	memcpy(lin, sh + head, first);
	memcpy((uint8_t *)lin + first, sh, tail);
	b.dw = lin;
	rc = scan_buf(s, &b, 0, b.ndw, &end);
	if (!rc) {
		memcpy(sh + head, lin, first);
		memcpy(sh, (uint8_t *)lin + first, tail);
	}
	free(lin);
	return rc;
}

static void
scan_init(struct scan *s, struct vgpu *v, struct workload *w, const struct cmd_guest_ops *ops)
{
	memset(s, 0, sizeof(*s));
	s->v = v;
	s->w = w;
	s->ops = ops;
	s->e = w->engine;
	s->addr_mode = addr_mode_of(w);
}

int
cmd_scan_run(struct vgpu *v, struct workload *w, const struct cmd_guest_ops *ops)
{
	struct scan s;
	int rc;

	assert(!w->shadow_ring.va && !w->bbs && !w->nr_bbs);
	if ((unsigned int)w->engine >= EXEC_NR_ENGINES)
		return -EINVAL;
	rc = cmd_table_init();
	if (rc)
		return rc;
	scan_init(&s, v, w, ops);
	w->why[0] = '\0';
	rc = scan_ring(&s);
	if (rc)
		cmd_scan_release(v->gpu, w);
	return rc;
}

int
cmd_scan_ctx_bb_run(struct vgpu *v, struct workload *w, const struct cmd_guest_ops *ops,
		    uint64_t gma, uint32_t len, uint64_t *copy_gma)
{
	struct scan s;
	int rc;

	if ((unsigned int)w->engine >= EXEC_NR_ENGINES)
		return -EINVAL;
	rc = cmd_table_init();
	if (rc)
		return rc;
	scan_init(&s, v, w, ops);
	w->why[0] = '\0';
	if ((gma & 3) || (len & 3))
		return refuse(&s, -EPERM, "context batch %#llx+%#x not dword aligned",
			      (unsigned long long)gma, len);
	/* Context batches come from the context image: GGTT, privileged, no batch starts. */
	return scan_batch(&s, BUF_CTX, true, CMD_MAX_CHAIN, true, gma, len, copy_gma);
}

void
cmd_scan_release(struct gpu *gpu, struct workload *w)
{
	host_obj_free(gpu, &w->shadow_ring);
	for (unsigned int i = 0; i < w->nr_bbs; i++)
		host_obj_free(gpu, &w->bbs[i]);
	free(w->bbs);
	w->bbs = NULL;
	w->nr_bbs = 0;
}
