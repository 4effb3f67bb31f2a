/* SPDX-License-Identifier: MIT */
/*
 * domain.c — the toolstack side of xensim: create, destroy, list and
 * unpause domains (RAM is an extent of the machine RAM file), and read
 * the per-domain route and direct-access counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

static const char *const route_names[ROUTE_NR] = {
	[ROUTE_RAM_READ] = "ram_read",
	[ROUTE_RAM_WRITE] = "ram_write",
	[ROUTE_WP_READ] = "wp_read",
	[ROUTE_WP_WRITE_IOREQ] = "wp_write_ioreq",
	[ROUTE_DIRECT_READ] = "direct_read",
	[ROUTE_DIRECT_WRITE] = "direct_write",
	[ROUTE_MMIO_IOREQ] = "mmio_ioreq",
	[ROUTE_PIO_IOREQ] = "pio_ioreq",
	[ROUTE_PCI_IOREQ] = "pci_ioreq",
	[ROUTE_CF8] = "cf8",
	[ROUTE_UNCLAIMED_READ] = "unclaimed_read",
	[ROUTE_UNCLAIMED_WRITE] = "unclaimed_write",
	[ROUTE_BUFFERED] = "buffered",
	[ROUTE_BROADCAST] = "broadcast",
	[ROUTE_WP_RETRY] = "wp_retry",
	[ROUTE_BAD_IOSTATE] = "bad_iostate",
};

const char *
sim_route_name(enum sim_route r)
{
	return (unsigned int)r < ROUTE_NR ? route_names[r] : "?";
}

/* Attach machine and lock it; NULL with errno set if it does not exist. */
static struct sim_machine *
tool_machine(const char *machine)
{
	struct sim_machine *m = sim_machine_get(machine, false);

	if (m)
		sim_lock(m);
	return m;
}

int
sim_tool_begin(const char *machine, uint32_t domid, struct sim_machine **m, struct sim_domain **d)
{
	*m = tool_machine(machine);
	if (!*m)
		return -errno;
	*d = sim_domain_find(*m, domid);
	if (!*d) {
		sim_tool_end(*m);
		return -ESRCH;
	}
	return 0;
}

void
sim_tool_end(struct sim_machine *m)
{
	sim_unlock(m);
	sim_machine_put(m);
}

int
xensim_domain_create(const char *machine, unsigned int ram_mb, unsigned int vcpus)
{
	struct sim_machine *m;
	struct sim_domain *d = NULL;
	uint64_t bytes = (uint64_t)ram_mb << 20;
	int rc;

	if (!ram_mb || ram_mb > SIM_MAX_RAM_MB || !vcpus || vcpus > XENSIM_MAX_VCPUS)
		return -EINVAL;
	m = tool_machine(machine);
	if (!m)
		return -errno;
	for (int i = 0; i < XENSIM_MAX_DOMAINS && !d; i++)
		if (!m->st->dom[i].used)
			d = &m->st->dom[i];
	if (!d) {
		rc = -ENOSPC;
		goto out;
	}
	if (m->st->mem_next + bytes > XENSIM_MEM_SIZE) {
		rc = -ENOMEM;
		goto out;
	}
	memset(d, 0, sizeof(*d));
	memset(sim_p2m(m, d), P2M_RAM_RW, bytes >> 12);
	for (int i = 0; i < SIM_MAX_SERVERS; i++)
		d->srv[i].ioreq_gfn = d->srv[i].bufioreq_gfn = SIM_NO_GFN;
	d->used = 1;
	d->domid = m->st->next_domid++;
	d->ram_pages = bytes >> 12;
	d->mem_base = m->st->mem_next;
	m->st->mem_next += bytes;
	d->vcpus = vcpus;
	d->paused = 1;
	d->memtype_server = -1;
	rc = (int)d->domid;
out:
	sim_tool_end(m);
	return rc;
}

int
xensim_domain_destroy(const char *machine, uint32_t domid)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	for (uint32_t p = 1; p < SIM_MAX_PORTS; p++)
		if (m->st->port[p].state != PORT_FREE && m->st->port[p].domid == domid)
			sim_port_close(m, p);
	/* Give the RAM back to tmpfs; the extent itself is not reused. */
	fallocate(m->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)d->mem_base,
		  (off_t)(d->ram_pages << 12));
	memset(d, 0, sizeof(*d));
	d->memtype_server = -1;
	sim_tool_end(m);
	return 0;
}

int
xensim_domain_unpause(const char *machine, uint32_t domid)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	d->paused = 0;
	sim_tool_end(m);
	return 0;
}

int
xensim_domain_list(const char *machine, struct sim_domain_info *out, int max)
{
	struct sim_machine *m = tool_machine(machine);
	int n = 0;

	if (!m)
		return -errno;
	for (int i = 0; i < XENSIM_MAX_DOMAINS && n < max; i++) {
		struct sim_domain *d = &m->st->dom[i];

		if (!d->used)
			continue;
		out[n].domid = d->domid;
		out[n].ram_bytes = d->ram_pages << 12;
		out[n].vcpus = d->vcpus;
		out[n].paused = d->paused;
		out[n].crashed = d->crashed;
		out[n].nr_servers = 0;
		for (int s = 0; s < SIM_MAX_SERVERS; s++)
			out[n].nr_servers += d->srv[s].used;
		n++;
	}
	sim_tool_end(m);
	return n;
}

int
xensim_route_counts(const char *machine, uint32_t domid, uint64_t counts[ROUTE_NR])
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	for (int r = 0; r < ROUTE_NR; r++)
		counts[r] = __atomic_load_n(&d->routes[r], __ATOMIC_RELAXED);
	sim_tool_end(m);
	return 0;
}

int
xensim_direct_count(const char *machine, uint32_t domid, uint64_t gpa_start, uint64_t gpa_end,
		    uint64_t *reads, uint64_t *writes)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc;

	*reads = *writes = 0;
	rc = sim_tool_begin(machine, domid, &m, &d);
	if (rc)
		return rc;
	for (int i = 0; i < SIM_DCOUNT; i++) {
		struct sim_dcount *c = &d->dc[i];

		if (c->used && (c->gfn << 12) <= gpa_end && gpa_start < ((c->gfn + 1) << 12)) {
			*reads += c->reads;
			*writes += c->writes;
		}
	}
	sim_tool_end(m);
	return 0;
}

/* Lock held. The machine address of gfn of d; -ENOENT for a hole. */
static int
gfn_maddr(struct sim_machine *m, struct sim_domain *d, uint64_t gfn, uint64_t *maddr)
{
	uint64_t mfn;

	if (gfn < d->ram_pages && sim_p2m(m, d)[gfn] <= P2M_IOREQ_SERVER)
		*maddr = d->mem_base + (gfn << 12);
	else if (sim_dmap_lookup(d, gfn, &mfn))
		*maddr = mfn << 12;
	else
		return -ENOENT;
	return 0;
}

/* Translate a gfn to its machine address (test and tool hook). */
int
xensim_gfn_to_maddr(const char *machine, uint32_t domid, uint64_t gfn, uint64_t *maddr)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	rc = gfn_maddr(m, d, gfn, maddr);
	sim_tool_end(m);
	return rc;
}

struct xensim_dma {
	struct sim_machine *m;
};

struct xensim_dma *
xensim_dma_open(const char *machine)
{
	struct xensim_dma *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->m = sim_machine_get(machine, false);
	if (!x->m) {
		int e = errno;

		free(x);
		errno = e;
		return NULL;
	}
	return x;
}

int
xensim_dma_gfn(struct xensim_dma *x, uint32_t domid, uint64_t gfn, uint64_t *maddr)
{
	struct sim_domain *d;
	int rc;

	sim_lock(x->m);
	d = sim_domain_find(x->m, domid);
	rc = d ? gfn_maddr(x->m, d, gfn, maddr) : -ESRCH;
	sim_unlock(x->m);
	return rc;
}

void
xensim_dma_close(struct xensim_dma *x)
{
	if (!x)
		return;
	sim_machine_put(x->m);
	free(x);
}

/* Xen domain_crash(): the domain stops running; the sim keeps it listed, marked. */
void
sim_domain_crash(struct sim_domain *d)
{
	d->crashed = 1;
}

int
xensim_set_legacy_ioreq_pages(const char *machine, bool on)
{
	struct sim_machine *m = tool_machine(machine);

	if (!m)
		return -errno;
	m->st->legacy_ioreq_pages = on;
	sim_tool_end(m);
	return 0;
}

int
xensim_get_legacy_ioreq_pages(const char *machine)
{
	struct sim_machine *m = tool_machine(machine);
	int on;

	if (!m)
		return -errno;
	on = !!m->st->legacy_ioreq_pages;
	sim_tool_end(m);
	return on;
}
