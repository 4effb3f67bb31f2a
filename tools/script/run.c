/* SPDX-License-Identifier: MIT */
/*
 * run.c — executes a parsed guest script on one guest vCPU: accesses,
 * expects, variables, MSI waits and the sim route-counter statements.
 * One handler per statement kind, dispatched from a table indexed by op.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
