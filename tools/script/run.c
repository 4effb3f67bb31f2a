/* SPDX-License-Identifier: MIT */
/*
 * run.c — executes a parsed guest script on one guest vCPU: accesses,
 * expects, variables, MSI waits, the sim route-counter statements, and
 * what a hand-written submission needs (fills, graphics memory through
 * the guest's GGTT entries, waits on memory and registers).
 * One handler per statement kind, dispatched from a table indexed by op.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guest.h"

typedef int stmt_fn(struct guest *g, const struct script_stmt *st);

/* Print a failure naming file and line; always returns -1. */
static int __attribute__((format(printf, 3, 4)))
fail(struct guest *g, const struct script_stmt *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("%s%s:%u: %s: %s\n", g->prefix, g->file, st->line, st->name, msg);
	fflush(stdout);
	return -1;
}

static int
arg(struct guest *g, const struct script_stmt *st, unsigned int i, uint64_t *v)
{
	char err[160];

	if (expr_eval(st->args[i], &g->vars, v, err, sizeof(err)))
		return fail(g, st, "%s", err);
	return 0;
}

static int
set_last(struct guest *g, uint64_t v)
{
	g->last = v;
	g->have_last = true;
	return 0;
}

static int
sim_err(struct guest *g, const struct script_stmt *st, int rc)
{
	/* The sim's harness deadline: on Xen this vCPU would simply stay blocked. */
	if (rc == -ETIMEDOUT)
		return fail(g, st, "no answer from the device model before the harness deadline "
			    "($XENSIM_HARNESS_DEADLINE_MS); on Xen the vCPU stays blocked");
	return fail(g, st, "access failed: %s", strerror(-rc));
}

static void
show(struct guest *g, const char *what, unsigned int size, uint64_t v)
{
	printf("%s%s = 0x%0*" PRIx64 "\n", g->prefix, what, (int)(size * 2), v);
}

/* A read of st->size at addr (gpa or port) returned rc and v: show it, keep it as the last read. */
static int
read_done(struct guest *g, const struct script_stmt *st, int rc, uint64_t addr, uint64_t v)
{
	char what[96];

	if (rc)
		return sim_err(g, st, rc);
	snprintf(what, sizeof(what), "%s 0x%" PRIx64, st->name, addr);
	show(g, what, st->size, v);
	return set_last(g, v);
}

/* A write of v to addr (gpa or port) returned rc: echo it. */
static int
write_done(struct guest *g, const struct script_stmt *st, int rc, uint64_t addr, uint64_t v)
{
	if (rc)
		return sim_err(g, st, rc);
	printf("%s%s 0x%" PRIx64 " 0x%0*" PRIx64 "\n", g->prefix, st->name, addr,
	       (int)st->size * 2, v);
	return 0;
}

static int
do_read(struct guest *g, const struct script_stmt *st)
{
	uint64_t gpa, v;
	int rc;

	if (arg(g, st, 0, &gpa))
		return -1;
	rc = sim_mem_read(g->vcpu, gpa, st->size, &v);
	return read_done(g, st, rc, gpa, v);
}

/* VALUE must fit the access size: silently truncating would hide typos. */
static int
check_fit(struct guest *g, const struct script_stmt *st, uint64_t v, unsigned int size)
{
	if (size < 8 && v >> (size * 8))
		return fail(g, st, "value 0x%" PRIx64 " does not fit %u byte%s", v,
			    size, size > 1 ? "s" : "");
	return 0;
}

static int
do_write(struct guest *g, const struct script_stmt *st)
{
	uint64_t gpa, v;
	int rc;

	if (arg(g, st, 0, &gpa) || arg(g, st, 1, &v) ||
	    check_fit(g, st, v, st->size))
		return -1;
	rc = sim_mem_write(g->vcpu, gpa, st->size, v);
	return write_done(g, st, rc, gpa, v);
}

static int
get_port(struct guest *g, const struct script_stmt *st, uint64_t *port)
{
	if (arg(g, st, 0, port))
		return -1;
	if (*port > 0xffff)
		return fail(g, st, "port 0x%" PRIx64 " out of range", *port);
	return 0;
}

static int
do_in(struct guest *g, const struct script_stmt *st)
{
	uint64_t port;
	uint32_t v;
	int rc;

	if (get_port(g, st, &port))
		return -1;
	rc = sim_pio_read(g->vcpu, (uint16_t)port, st->size, &v);
	return read_done(g, st, rc, port, v);
}

static int
do_out(struct guest *g, const struct script_stmt *st)
{
	uint64_t port, v;
	int rc;

	if (get_port(g, st, &port) || arg(g, st, 1, &v) ||
	    check_fit(g, st, v, st->size))
		return -1;
	rc = sim_pio_write(g->vcpu, (uint16_t)port, st->size, (uint32_t)v);
	return write_done(g, st, rc, port, v);
}

/* OFF and SIZE of cfgr/cfgw/memr/memw, SIZE checked against allowed sizes. */
static int
off_size(struct guest *g, const struct script_stmt *st, uint64_t *off,
	 uint64_t *size, unsigned int max_size)
{
	if (arg(g, st, 0, off) || arg(g, st, 1, size))
		return -1;
	if (*size == 0 || *size > max_size || (*size & (*size - 1)))
		return fail(g, st, "bad size %" PRIu64, *size);
	return 0;
}

static int
do_cfgr(struct guest *g, const struct script_stmt *st)
{
	uint64_t off, size;
	char what[64];
	uint32_t v;
	int rc;

	if (off_size(g, st, &off, &size, 4))
		return -1;
	if (off > 0xff)
		return fail(g, st, "offset 0x%" PRIx64 " beyond CF8 reach (0xff)", off);
	rc = guest_cfg_read(g, (unsigned int)off, (unsigned int)size, &v);
	if (rc)
		return sim_err(g, st, rc);
	snprintf(what, sizeof(what), "cfgr 0x%" PRIx64 " %" PRIu64, off, size);
	show(g, what, (unsigned int)size, v);
	return set_last(g, v);
}

static int
do_cfgw(struct guest *g, const struct script_stmt *st)
{
	uint64_t off, size, v;
	int rc;

	if (off_size(g, st, &off, &size, 4) || arg(g, st, 2, &v) ||
	    check_fit(g, st, v, (unsigned int)size))
		return -1;
	if (off > 0xff)
		return fail(g, st, "offset 0x%" PRIx64 " beyond CF8 reach (0xff)", off);
	rc = guest_cfg_write(g, (unsigned int)off, (unsigned int)size, (uint32_t)v);
	if (rc)
		return sim_err(g, st, rc);
	printf("%scfgw 0x%" PRIx64 " %" PRIu64 " 0x%0*" PRIx64 "\n", g->prefix,
	       off, size, (int)size * 2, v);
	return 0;
}

static void *
ram(struct guest *g, const struct script_stmt *st, uint64_t gpa, uint64_t size)
{
	void *p = sim_guest_ram(g->vcpu, gpa, (size_t)size);

	if (!p)
		fail(g, st, "0x%" PRIx64 " is not guest RAM", gpa);
	return p;
}

static int
do_memr(struct guest *g, const struct script_stmt *st)
{
	uint64_t gpa, size, v = 0;
	char what[64];
	void *p;

	if (off_size(g, st, &gpa, &size, 8) || !(p = ram(g, st, gpa, size)))
		return -1;
	memcpy(&v, p, (size_t)size); /* little endian, as the guest sees it */
	snprintf(what, sizeof(what), "memr 0x%" PRIx64 " %" PRIu64, gpa, size);
	show(g, what, (unsigned int)size, v);
	return set_last(g, v);
}

static int
do_memw(struct guest *g, const struct script_stmt *st)
{
	uint64_t gpa, size, v;
	void *p;

	if (off_size(g, st, &gpa, &size, 8) || arg(g, st, 2, &v) ||
	    check_fit(g, st, v, (unsigned int)size) || !(p = ram(g, st, gpa, size)))
		return -1;
	memcpy(p, &v, (size_t)size);
	printf("%smemw 0x%" PRIx64 " %" PRIu64 " 0x%0*" PRIx64 "\n", g->prefix, gpa,
	       size, (int)size * 2, v);
	return 0;
}

static int
do_expect(struct guest *g, const struct script_stmt *st)
{
	uint64_t want, mask = ~0ull;

	if (arg(g, st, 0, &want) || (st->nargs > 1 && arg(g, st, 1, &mask)))
		return -1;
	if (!g->have_last)
		return fail(g, st, "nothing read yet");
	if (!script_expect_ok(g->last, want, mask)) {
		if (mask == ~0ull)
			return fail(g, st, "got 0x%" PRIx64 ", expected 0x%" PRIx64,
				    g->last, want);
		return fail(g, st, "got 0x%" PRIx64 ", expected 0x%" PRIx64
			    " under mask 0x%" PRIx64, g->last, want, mask);
	}
	g->expects++;
	if (g->verbose)
		printf("%sexpect 0x%" PRIx64 ": ok\n", g->prefix, want);
	return 0;
}

static int
do_wait_msi(struct guest *g, const struct script_stmt *st)
{
	uint64_t ms = 1000, addr;
	uint32_t data;
	int rc;

	if (st->nargs && arg(g, st, 0, &ms))
		return -1;
	if (ms > 600000)
		return fail(g, st, "timeout %" PRIu64 " ms too long", ms);
	rc = sim_wait_msi(g->vcpu, (int)ms, &addr, &data);
	if (rc == -ETIMEDOUT)
		return fail(g, st, "no MSI within %" PRIu64 " ms", ms);
	if (rc)
		return sim_err(g, st, rc);
	printf("%smsi addr=0x%" PRIx64 " data=0x%x\n", g->prefix, addr, data);
	return set_last(g, data);
}

static int
do_set(struct guest *g, const struct script_stmt *st)
{
	uint64_t v = g->last;

	if (st->nargs > 1) {
		if (arg(g, st, 1, &v))
			return -1;
	} else if (!g->have_last) {
		return fail(g, st, "nothing read yet");
	}
	if (expr_var_set(&g->vars, st->args[0], v))
		return fail(g, st, "cannot set '%s' (too many variables)", st->args[0]);
	printf("%s$%s = 0x%" PRIx64 "\n", g->prefix, st->args[0], v);
	return 0;
}

static int
do_echo(struct guest *g, const struct script_stmt *st)
{
	printf("%s%s\n", g->prefix, st->text);
	return 0;
}

static int
do_mark(struct guest *g, const struct script_stmt *st)
{
	int rc = xensim_route_counts(g->machine, g->domid, g->mark);

	return rc ? sim_err(g, st, rc) : 0;
}

/* Accesses the device model saw (each one a trap) vs ones that went direct. */
static const enum sim_route trap_routes[] = {
	ROUTE_WP_WRITE_IOREQ, ROUTE_MMIO_IOREQ, ROUTE_PIO_IOREQ, ROUTE_PCI_IOREQ,
};
static const enum sim_route direct_routes[] = {
	ROUTE_DIRECT_READ, ROUTE_DIRECT_WRITE,
};

static int
count_since(struct guest *g, const struct script_stmt *st,
	    const enum sim_route *routes, size_t n, const char *label)
{
	uint64_t now[ROUTE_NR], sum = 0;
	int rc = xensim_route_counts(g->machine, g->domid, now);

	if (rc)
		return sim_err(g, st, rc);
	for (size_t i = 0; i < n; i++)
		sum += now[routes[i]] - g->mark[routes[i]];
	printf("%s%s since mark = %" PRIu64 "\n", g->prefix, label, sum);
	return set_last(g, sum);
}

static int
do_traps(struct guest *g, const struct script_stmt *st)
{
	return count_since(g, st, trap_routes,
			   sizeof(trap_routes) / sizeof(trap_routes[0]), "traps");
}

static int
do_direct(struct guest *g, const struct script_stmt *st)
{
	return count_since(g, st, direct_routes,
			   sizeof(direct_routes) / sizeof(direct_routes[0]),
			   "direct accesses");
}

/* Argument i as an access size in allowed (a bit per size). */
static int
size_arg(struct guest *g, const struct script_stmt *st, unsigned int i, unsigned int allowed,
	 unsigned int *size)
{
	uint64_t v;

	if (arg(g, st, i, &v))
		return -1;
	if (v == 0 || v > 8 || !(allowed & (1u << v)))
		return fail(g, st, "bad size %" PRIu64, v);
	*size = (unsigned int)v;
	return 0;
}

#define SIZES_ALL ((1u << 1) | (1u << 2) | (1u << 4) | (1u << 8))
#define FILL_MAX_BYTES ((uint64_t)64 << 20)

/* ADDR COUNT SIZE VALUE [STEP] of memfill / writefill, checked. */
static int
fill_args(struct guest *g, const struct script_stmt *st, uint64_t *addr, uint64_t *count,
	  unsigned int *size, uint64_t *val, uint64_t *step)
{
	*step = 0;
	if (arg(g, st, 0, addr) || arg(g, st, 1, count) || size_arg(g, st, 2, SIZES_ALL, size) ||
	    arg(g, st, 3, val) || (st->nargs > 4 && arg(g, st, 4, step)))
		return -1;
	if (*count == 0 || *count > FILL_MAX_BYTES / *size)
		return fail(g, st, "count %" PRIu64 " out of range (1..%" PRIu64 ")", *count,
			    FILL_MAX_BYTES / *size);
	return 0;
}

static uint64_t
size_mask64(unsigned int size)
{
	return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static void
fill_echo(struct guest *g, const struct script_stmt *st, uint64_t addr, uint64_t count,
	  unsigned int size, uint64_t val, uint64_t step)
{
	printf("%s%s 0x%" PRIx64 " %" PRIu64 " %u 0x%0*" PRIx64, g->prefix, st->name, addr, count,
	       size, (int)size * 2, val);
	if (step)
		printf(" step 0x%" PRIx64, step);
	printf("\n");
}

static int
do_memfill(struct guest *g, const struct script_stmt *st)
{
	uint64_t gpa, count, val, step;
	unsigned int size;
	uint8_t *p;

	if (fill_args(g, st, &gpa, &count, &size, &val, &step) ||
	    !(p = ram(g, st, gpa, count * size)))
		return -1;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t v = (val + i * step) & size_mask64(size);

		memcpy(p + i * size, &v, size);	/* little endian, as the guest sees it */
	}
	fill_echo(g, st, gpa, count, size, val, step);
	return 0;
}

static int
do_writefill(struct guest *g, const struct script_stmt *st)
{
	uint64_t addr, count, val, step;
	unsigned int size;

	if (fill_args(g, st, &addr, &count, &size, &val, &step))
		return -1;
	if (addr + count * size < addr)
		return fail(g, st, "range wraps");
	for (uint64_t i = 0; i < count; i++) {
		int rc = sim_mem_write(g->vcpu, addr + i * size, size,
				       (val + i * step) & size_mask64(size));

		if (rc)
			return sim_err(g, st, rc);
	}
	fill_echo(g, st, addr, count, size, val, step);
	return 0;
}

/*
 * The guest RAM behind graphics memory address gma, as the guest finds it:
 * its own GGTT entry, read through BAR0 (a trapped read). The access may
 * not cross a page.
 */
static void *
gm_ram(struct guest *g, const struct script_stmt *st, uint64_t gma, unsigned int size,
       uint64_t *gpa)
{
	uint64_t bar0, pte;
	int rc;

	if (expr_var_get(&g->vars, "bar0", &bar0)) {
		fail(g, st, "BAR0 not placed");
		return NULL;
	}
	if (gma >> 32 || (gma & 0xfff) + size > 0x1000) {
		fail(g, st, "GM 0x%" PRIx64 " beyond 4 GiB or the access crosses a page", gma);
		return NULL;
	}
	rc = sim_mem_read(g->vcpu, bar0 + 0x800000 + (gma >> 12) * 8, 8, &pte);
	if (rc) {
		sim_err(g, st, rc);
		return NULL;
	}
	if (!(pte & 1)) {
		fail(g, st, "GM 0x%" PRIx64 ": its GGTT entry is not present (0x%" PRIx64 ")", gma,
		     pte);
		return NULL;
	}
	*gpa = (pte & 0x0000fffffffff000ull) | (gma & 0xfff);
	return ram(g, st, *gpa, size);
}

static int
do_gmr(struct guest *g, const struct script_stmt *st)
{
	uint64_t gma, gpa, v = 0;
	unsigned int size;
	char what[64];
	void *p;

	if (arg(g, st, 0, &gma) || size_arg(g, st, 1, SIZES_ALL, &size) ||
	    !(p = gm_ram(g, st, gma, size, &gpa)))
		return -1;
	memcpy(&v, p, size);
	snprintf(what, sizeof(what), "gmr 0x%" PRIx64 " %u", gma, size);
	show(g, what, size, v);
	return set_last(g, v);
}

static int
do_gmw(struct guest *g, const struct script_stmt *st)
{
	uint64_t gma, gpa, v;
	unsigned int size;
	void *p;

	if (arg(g, st, 0, &gma) || size_arg(g, st, 1, SIZES_ALL, &size) || arg(g, st, 2, &v) ||
	    check_fit(g, st, v, size) || !(p = gm_ram(g, st, gma, size, &gpa)))
		return -1;
	memcpy(p, &v, size);
	printf("%sgmw 0x%" PRIx64 " %u 0x%0*" PRIx64 "\n", g->prefix, gma, size, (int)size * 2, v);
	return 0;
}

#define WAIT_MS_DEFAULT 1000
#define WAIT_MS_MAX 600000

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* VALUE [MASK [MS]] starting at argument i. */
static int
wait_args(struct guest *g, const struct script_stmt *st, unsigned int i, uint64_t *want,
	  uint64_t *mask, uint64_t *ms)
{
	*mask = ~0ull;
	*ms = WAIT_MS_DEFAULT;
	if (arg(g, st, i, want) || (st->nargs > i + 1 && arg(g, st, i + 1, mask)) ||
	    (st->nargs > i + 2 && arg(g, st, i + 2, ms)))
		return -1;
	if (*ms > WAIT_MS_MAX)
		return fail(g, st, "timeout %" PRIu64 " ms too long", *ms);
	return 0;
}

/*
 * Poll read() until (value & mask) == (want & mask) or ms pass: the guest
 * spinning on memory or a register. Shows the value that matched.
 */
static int
wait_until(struct guest *g, const struct script_stmt *st, uint64_t addr, unsigned int size,
	   uint64_t want, uint64_t mask, uint64_t ms,
	   int (*read)(struct guest *g, uint64_t addr, unsigned int size, uint64_t *v))
{
	uint64_t deadline = now_ms() + ms, v = 0;
	char what[64];

	for (;;) {
		int rc = read(g, addr, size, &v);

		if (rc)
			return rc == -EFAULT ? fail(g, st, "0x%" PRIx64 " is not guest RAM", addr) :
			       sim_err(g, st, rc);
		if (script_expect_ok(v, want, mask))
			break;
		if (now_ms() >= deadline)
			return fail(g, st, "0x%" PRIx64 " still 0x%" PRIx64 " after %" PRIu64
				    " ms, waiting for 0x%" PRIx64 " under mask 0x%" PRIx64, addr, v,
				    ms, want, mask);
		nanosleep(&(struct timespec){ 0, 200000 }, NULL);
	}
	snprintf(what, sizeof(what), "%s 0x%" PRIx64, st->name, addr);
	show(g, what, size, v);
	return set_last(g, v);
}

static int
read_ram(struct guest *g, uint64_t gpa, unsigned int size, uint64_t *v)
{
	const volatile uint8_t *p = sim_guest_ram(g->vcpu, gpa, size);

	if (!p)
		return -EFAULT;
	*v = 0;
	for (unsigned int i = 0; i < size; i++)
		*v |= (uint64_t)p[i] << (8 * i);
	return 0;
}

static int
read_reg(struct guest *g, uint64_t addr, unsigned int size, uint64_t *v)
{
	return sim_mem_read(g->vcpu, addr, size, v);
}

static int
do_wait_mem(struct guest *g, const struct script_stmt *st)
{
	uint64_t gpa, want, mask, ms;
	unsigned int size;

	if (arg(g, st, 0, &gpa) || size_arg(g, st, 1, SIZES_ALL, &size) ||
	    wait_args(g, st, 2, &want, &mask, &ms))
		return -1;
	return wait_until(g, st, gpa, size, want, mask, ms, read_ram);
}

static int
do_wait_readl(struct guest *g, const struct script_stmt *st)
{
	uint64_t addr, want, mask, ms;

	if (arg(g, st, 0, &addr) || wait_args(g, st, 1, &want, &mask, &ms))
		return -1;
	return wait_until(g, st, addr, 4, want, mask, ms, read_reg);
}

static stmt_fn *const stmt_handlers[] = {
	[SOP_READ] = do_read,
	[SOP_WRITE] = do_write,
	[SOP_IN] = do_in,
	[SOP_OUT] = do_out,
	[SOP_CFGR] = do_cfgr,
	[SOP_CFGW] = do_cfgw,
	[SOP_MEMR] = do_memr,
	[SOP_MEMW] = do_memw,
	[SOP_EXPECT] = do_expect,
	[SOP_WAIT_MSI] = do_wait_msi,
	[SOP_SET] = do_set,
	[SOP_ECHO] = do_echo,
	[SOP_MARK] = do_mark,
	[SOP_TRAPS] = do_traps,
	[SOP_DIRECT] = do_direct,
	[SOP_MEMFILL] = do_memfill,
	[SOP_WRITEFILL] = do_writefill,
	[SOP_GMR] = do_gmr,
	[SOP_GMW] = do_gmw,
	[SOP_WAIT_MEM] = do_wait_mem,
	[SOP_WAIT_READL] = do_wait_readl,
};

int
guest_run(struct guest *g, const struct script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct script_stmt *st = &s->stmts[i];

		if ((size_t)st->op >= sizeof(stmt_handlers) / sizeof(stmt_handlers[0]) ||
		    !stmt_handlers[st->op])
			return fail(g, st, "no handler");
		if (stmt_handlers[st->op](g, st))
			return -1;
		fflush(stdout);
	}
	return 0;
}
