/* SPDX-License-Identifier: MIT */
/*
 * domain.c — the toolstack side of xensim: create, shut down, destroy,
 * list and unpause domains (RAM is an extent of the machine RAM file);
 * a destroyed domain's dying state while processes still map its pages
 * (Xen 4.17 common/domain.c domain_kill, domain_shutdown); the p2m
 * lookup; the per-domain route and direct-access counters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/sched.h>

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
	[ROUTE_RO_DISCARD] = "ro_discard",
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
	sim_domain_reap(m);
	for (int i = 0; i < XENSIM_MAX_DOMAINS && !d; i++)
		if (!m->st->dom[i].used)
			d = &m->st->dom[i];
	if (!d) {
		rc = -ENOSPC;
		goto out;
	}
	/* Domain RAM ends where the GPU host pool begins (xensim.h). */
	if (m->st->mem_next + bytes > XENSIM_GPU_POOL_MADDR) {
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
	d->shutdown_code = SIM_SHUTDOWN_NONE;
	d->hap = 1;
	d->max_gfn = d->ram_pages - 1;
	/* The toolstack gives every domain a fresh UUID (libxl: the config's or a random one). */
	if (getrandom(d->uuid, sizeof(d->uuid), 0) != (ssize_t)sizeof(d->uuid))
		for (unsigned int i = 0; i < sizeof(d->uuid); i++)
			d->uuid[i] = (uint8_t)(d->domid * 131u + i * 7u + (unsigned int)m->st->nonce);
	rc = (int)d->domid;
out:
	sim_tool_end(m);
	return rc;
}

/* Lock held. domain_destroy(), once nothing references the domain: its RAM goes. */
static void
domain_free(struct sim_machine *m, struct sim_domain *d)
{
	/* Give the RAM back to tmpfs; the extent itself is not reused. */
	fallocate(m->mem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)d->mem_base,
		  (off_t)(d->ram_pages << 12));
	memset(d, 0, sizeof(*d));
	d->memtype_server = -1;
}

/* Lock held. Pages of d some live process still maps (dead ones' entries dropped). */
static uint64_t
live_maps(struct sim_domain *d)
{
	uint64_t n = 0;

	for (int i = 0; i < SIM_FMAP_PIDS; i++) {
		struct sim_fmap *f = &d->fmap[i];

		if (f->pid && !sim_pid_alive(f->pid))
			memset(f, 0, sizeof(*f));
		n += f->pages;
	}
	return n;
}

/*
 * Lock held. domain_kill: every event channel closed (evtchn_destroy),
 * the ioreq servers destroyed (ioreq_server_destroy_all, claim dropped),
 * the p2m torn down (paging_teardown: every gfn now a hole, so foreign
 * maps and gfn lookups fail), then DOMDYING_dead and VIRQ_DOM_EXC, on
 * which xenstored fires @releaseDomain (xenstored_domain.c check_domains
 * -> destroy_domain). Pages other processes map stay allocated to the
 * domain (they hold a page reference each, ioreq server frames too: they
 * are PGC_extra pages of the target), so it is only freed when the last
 * mapping goes: not at all here if one is left.
 */
static void
domain_kill(struct sim_machine *m, struct sim_domain *d)
{
	for (uint32_t p = 1; p < SIM_MAX_PORTS; p++)
		if (m->st->port[p].state != PORT_FREE && m->st->port[p].domid == d->domid)
			sim_port_close(m, p);
	memset(d->srv, 0, sizeof(d->srv));
	for (int i = 0; i < SIM_MAX_SERVERS; i++)
		d->srv[i].ioreq_gfn = d->srv[i].bufioreq_gfn = SIM_NO_GFN;
	d->memtype_server = -1;
	d->memtype_flags = 0;
	d->ioreq_entries = 0;
	d->ioreq_gfn_used = 0;
	memset(sim_p2m(m, d), P2M_HOLE, d->ram_pages);
	memset(d->dmap, 0, sizeof(d->dmap));
	d->dying = 1;
	sim_xs_fire_special(m, "@releaseDomain");
	if (!live_maps(d))
		domain_free(m, d);
}

int
xensim_domain_destroy(const char *machine, uint32_t domid)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	/* domain_kill on DOMDYING_dead: nothing more to do. */
	if (!d->dying)
		domain_kill(m, d);
	sim_tool_end(m);
	return 0;
}

/*
 * Lock held. domain_shutdown: the first reason sticks (shutdown_code is
 * only set while SHUTDOWN_CODE_INVALID); the vCPUs are paused for good;
 * once all are, VIRQ_DOM_EXC (no suspend event channel in the sim), and
 * xenstored, noticing the shutdown for the first time, fires
 * @releaseDomain. Later calls change nothing.
 */
static void
domain_shutdown(struct sim_machine *m, struct sim_domain *d, uint8_t reason)
{
	if (d->shutdown_code == SIM_SHUTDOWN_NONE)
		d->shutdown_code = reason;
	if (d->shut_down)
		return;
	d->shut_down = 1;
	sim_xs_fire_special(m, "@releaseDomain");
}

int
xensim_domain_shutdown(const char *machine, uint32_t domid, unsigned int reason)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	/* SCHEDOP_shutdown takes the reason as a u8, unchecked. No vCPU of a dying domain runs. */
	if (d->dying)
		rc = -ESRCH;
	else
		domain_shutdown(m, d, (uint8_t)reason);
	sim_tool_end(m);
	return rc;
}

/* __domain_crash -> domain_shutdown(d, SHUTDOWN_crash). */
void
sim_domain_crash(struct sim_machine *m, struct sim_domain *d)
{
	domain_shutdown(m, d, SHUTDOWN_crash);
}

bool
sim_domain_crashed(const struct sim_domain *d)
{
	return d->shut_down && d->shutdown_code == SHUTDOWN_crash;
}

int
sim_domain_maps(struct sim_machine *m, struct sim_domain *d, int64_t delta)
{
	int32_t pid = getpid();
	struct sim_fmap *f = NULL;

	for (int i = 0; i < SIM_FMAP_PIDS && !f; i++)
		if (d->fmap[i].pid == pid)
			f = &d->fmap[i];
	if (!f && delta > 0) {
		live_maps(d);
		for (int i = 0; i < SIM_FMAP_PIDS && !f; i++)
			if (!d->fmap[i].pid)
				f = &d->fmap[i];
		if (!f)
			return -ENOMEM;
		f->pid = pid;
		f->pages = 0;
	}
	if (f) {
		if (delta < 0 && (uint64_t)-delta >= f->pages)
			memset(f, 0, sizeof(*f));
		else
			f->pages += (uint64_t)delta;
	}
	if (d->dying && !live_maps(d))
		domain_free(m, d);
	return 0;
}

void
sim_domain_reap(struct sim_machine *m)
{
	for (int i = 0; i < XENSIM_MAX_DOMAINS; i++) {
		struct sim_domain *d = &m->st->dom[i];

		if (d->used && d->dying && !live_maps(d))
			domain_free(m, d);
	}
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
	sim_domain_reap(m);
	for (int i = 0; i < XENSIM_MAX_DOMAINS && n < max; i++) {
		struct sim_domain *d = &m->st->dom[i];

		if (!d->used)
			continue;
		out[n].domid = d->domid;
		out[n].ram_bytes = d->ram_pages << 12;
		out[n].vcpus = d->vcpus;
		out[n].paused = d->paused;
		out[n].crashed = sim_domain_crashed(d);
		out[n].shutdown = d->shut_down && !out[n].crashed;
		out[n].dying = d->dying;
		out[n].shutdown_reason = d->shutdown_code & 0xff;
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

enum sim_p2m
sim_p2m_type(struct sim_machine *m, struct sim_domain *d, uint64_t gfn, uint64_t *mfn)
{
	uint64_t dm;

	if (gfn < d->ram_pages) {
		uint8_t t = sim_p2m(m, d)[gfn];

		if (sim_p2m_is_ram(t)) {
			if (mfn)
				*mfn = (d->mem_base >> 12) + gfn;
			return (enum sim_p2m)t;
		}
		if (t != P2M_DIRECT)
			return P2M_HOLE;
	}
	if (sim_dmap_lookup(d, gfn, &dm)) {
		if (mfn)
			*mfn = dm;
		return P2M_DIRECT;
	}
	return P2M_HOLE;
}

int
xensim_p2m_lookup(const char *machine, uint32_t domid, uint64_t gfn, enum sim_p2m *type,
		  uint64_t *maddr)
{
	struct sim_machine *m;
	struct sim_domain *d;
	uint64_t mfn = 0;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	*type = sim_p2m_type(m, d, gfn, &mfn);
	if (maddr)
		*maddr = mfn << 12;
	sim_tool_end(m);
	return 0;
}

/* Lock held. The machine address of a page of d's RAM; -EFAULT otherwise. */
static int
gfn_maddr(struct sim_machine *m, struct sim_domain *d, uint64_t gfn, uint64_t *maddr)
{
	uint64_t mfn = 0;

	if (!sim_p2m_is_ram(sim_p2m_type(m, d, gfn, &mfn)))
		return -EFAULT;
	*maddr = mfn << 12;
	return 0;
}

/*
 * The DMA hook's contract (hv_ops: gfn -> DMA address of guest memory):
 * only the guest's RAM resolves. A direct-mapped device frame (the
 * guest's own aperture slice) or a hole is not guest memory: -EFAULT.
 */
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

/* paging_mode_hap: a per-domain choice in Xen (hap=0 in xl.cfg); for tests. */
int
xensim_set_hap(const char *machine, uint32_t domid, bool on)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d);

	if (rc)
		return rc;
	d->hap = on;
	sim_tool_end(m);
	return 0;
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
