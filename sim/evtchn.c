/* SPDX-License-Identifier: MIT */
/*
 * evtchn.c — simulated event channels and the libxenevtchn API. Ports are
 * machine-wide numbers in the shared state; each xenevtchn handle owns a
 * slot with a ring of fired ports and a doorbell FIFO (doorbell.c) that
 * makes xenevtchn_fd pollable. As with the Linux evtchn driver: a fired
 * port stays masked until unmask(), a notification of a masked port only
 * sets it pending (no wake-up; unmask fires it), and the fd stays
 * readable while any fired port is unread (the driver's ring keeps its
 * data until read), so a second queued port can never be stranded.
 * Deviation: xenevtchn_pending on an empty queue returns -1/EAGAIN; the
 * real library's fd is blocking, so there it would block until a port
 * fires (poll the fd first, as QEMU does).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenevtchn.h>

#include "sim_int.h"

/*
 * Where a notify on one of this handle's ports lands when its peer is a
 * vCPU's port (the answer to an ioreq): recorded at bind, so the notify
 * needs no machine lock. Only a waker's own ports are cached; a binding
 * that went away since (peer closed, domain gone) only costs a spurious
 * wake-up of a vCPU that re-checks its slot, never a lost one.
 */
struct notify_target {
	uint32_t dom;		/* index in st->dom[] + 1; 0: not cached */
	uint32_t domid;
	uint32_t vcpu;
};

struct xenevtchn_handle {
	struct sim_rhandle rh;	/* first: see sim_rhandle_new */
	int slot;
	int fd;			/* the slot's doorbell FIFO, read end */
	struct notify_target fast[SIM_MAX_PORTS];
};

/* Lock held. A guest-side port waiting for domain remote to bind; port or -errno. */
int
sim_port_alloc_unbound(struct sim_machine *m, uint32_t domid, uint32_t remote, uint32_t vcpu)
{
	for (uint32_t p = 1; p < SIM_MAX_PORTS; p++) {
		struct sim_port *sp = &m->st->port[p];

		if (sp->state != PORT_FREE)
			continue;
		memset(sp, 0, sizeof(*sp));
		sp->state = PORT_UNBOUND;
		sp->domid = domid;
		sp->remote_dom = remote;
		sp->handle = -1;
		sp->vcpu = vcpu;
		return (int)p;
	}
	return -ENOSPC;
}

static void
ring_remove(struct sim_handle *h, uint32_t port)
{
	uint32_t n = h->tail - h->head, keep = 0;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = h->ring[(h->head + i) % SIM_MAX_PORTS];

		if (v != port)
			h->ring[(h->head + keep++) % SIM_MAX_PORTS] = v;
	}
	h->tail = h->head + keep;
}

/* Lock held. Close one end; an interdomain peer falls back to unbound, as in Xen. */
void
sim_port_close(struct sim_machine *m, uint32_t port)
{
	struct sim_port *sp = &m->st->port[port];

	if (sp->state == PORT_INTERDOMAIN && sp->peer < SIM_MAX_PORTS) {
		struct sim_port *peer = &m->st->port[sp->peer];

		if (peer->state == PORT_INTERDOMAIN && peer->peer == port) {
			peer->state = PORT_UNBOUND;
			peer->remote_dom = sp->domid;
			peer->peer = 0;
		}
	}
	if (sp->handle >= 0 && sp->handle < SIM_MAX_HANDLES)
		ring_remove(&m->st->h[sp->handle], port);
	memset(sp, 0, sizeof(*sp));
}

static void
fire(struct sim_machine *m, uint32_t port)
{
	struct sim_port *sp = &m->st->port[port];
	struct sim_handle *h;

	if (sp->handle < 0) {
		/* Guest side: wake the vCPU (it rechecks its ioreq slot). */
		struct sim_domain *d = sim_domain_find(m, sp->domid);

		if (d && sp->vcpu < XENSIM_MAX_VCPUS && d->vcpu_handle[sp->vcpu] > 0) {
			__atomic_fetch_add(&m->st->h[d->vcpu_handle[sp->vcpu] - 1].notified, 1,
					   __ATOMIC_RELEASE);
			sim_doorbell(m, d->vcpu_handle[sp->vcpu] - 1);
		}
		return;
	}
	if (sp->masked) {
		sp->pending = 1;
		return;
	}
	h = &m->st->h[sp->handle];
	sp->masked = 1;
	sp->pending = 0;
	h->ring[h->tail++ % SIM_MAX_PORTS] = port;
	/* One byte in the FIFO while the ring holds anything: level, not edge. */
	if (!h->armed) {
		h->armed = 1;
		sim_doorbell(m, sp->handle);
	}
}

/* Lock held. Send on port: the peer end fires; unbound ports swallow it. */
void
sim_port_notify(struct sim_machine *m, uint32_t port)
{
	struct sim_port *sp;

	if (port == 0 || port >= SIM_MAX_PORTS)
		return;
	sp = &m->st->port[port];
	if (sp->state == PORT_INTERDOMAIN && sp->peer && sp->peer < SIM_MAX_PORTS)
		fire(m, sp->peer);
}

xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned int flags)
{
	xenevtchn_handle *xce;
	int slot;

	(void)logger;
	(void)flags;
	xce = sim_rhandle_new(sizeof(*xce));
	if (!xce)
		return NULL;
	sim_lock(xce->rh.m);
	slot = sim_handle_open(xce->rh.m, HK_EVTCHN, &xce->fd);
	sim_unlock(xce->rh.m);
	if (slot < 0) {
		sim_rhandle_free(&xce->rh);
		errno = -slot;
		return NULL;
	}
	xce->slot = slot;
	return xce;
}

xenevtchn_handle *
xenevtchn_fdopen(struct xentoollog_logger *logger, int fd, unsigned open_flags)
{
	(void)logger;
	(void)fd;
	(void)open_flags;
	errno = EOPNOTSUPP;
	return NULL;
}

int
xenevtchn_close(xenevtchn_handle *xce)
{
	if (!xce)
		return 0;
	sim_handle_close(xce->rh.m, xce->slot, xce->fd);
	sim_rhandle_free(&xce->rh);
	return 0;
}

int
xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->fd;
}

static struct sim_port *
own_port(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct sim_port *sp;

	if (port == 0 || port >= SIM_MAX_PORTS)
		return NULL;
	sp = &xce->rh.m->st->port[port];
	if (sp->state == PORT_FREE || sp->handle != xce->slot || sp->domid != XENSIM_DM_DOMID)
		return NULL;
	return sp;
}

typedef void own_port_fn(struct sim_machine *m, uint32_t port, struct sim_port *sp);

/*
 * Run fn on one of xce's own ports under the lock; EINVAL for anyone
 * else's. A doorbell the call owed that could not be rung fails it too
 * (the sim is broken then; it is logged as well).
 */
static int
own_port_op(xenevtchn_handle *xce, evtchn_port_t port, own_port_fn *fn)
{
	struct sim_port *sp;
	int rc = 0, bell;

	sim_lock(xce->rh.m);
	sp = own_port(xce, port);
	if (sp)
		fn(xce->rh.m, port, sp);
	else
		rc = -EINVAL;
	bell = sim_unlock_ring(xce->rh.m);
	return sim_ret_errno(rc ? rc : bell);
}

static void
op_notify(struct sim_machine *m, uint32_t port, struct sim_port *sp)
{
	(void)sp;
	sim_port_notify(m, port);
}

static void
op_unbind(struct sim_machine *m, uint32_t port, struct sim_port *sp)
{
	(void)sp;
	sim_port_close(m, port);
}

/*
 * A notify to a vCPU without the machine lock (Xen's evtchn_send takes
 * only the channel's own lock): wake the vCPU attached to the cached
 * target, a futex call only if it sleeps. false: not cached, take the
 * locked path.
 */
static bool
notify_fast(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct sim_state *st = xce->rh.m->st;
	struct notify_target *t;
	struct sim_domain *d;
	uint32_t dom;
	int32_t h;

	if (port == 0 || port >= SIM_MAX_PORTS)
		return false;
	t = &xce->fast[port];
	dom = __atomic_load_n(&t->dom, __ATOMIC_ACQUIRE);
	if (!dom)
		return false;
	d = &st->dom[dom - 1];
	if (!__atomic_load_n(&d->used, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&d->domid, __ATOMIC_RELAXED) != t->domid)
		return true; /* the domain is gone: nobody to wake */
	h = __atomic_load_n(&d->vcpu_handle[t->vcpu], __ATOMIC_ACQUIRE);
	if (h > 0 && h <= SIM_MAX_HANDLES) {
		__atomic_fetch_add(&st->h[h - 1].notified, 1, __ATOMIC_RELEASE);
		xensim_wake(&st->h[h - 1].wake);
	}
	return true;
}

/* A notification that arrived while masked fires now. */
static void
op_unmask(struct sim_machine *m, uint32_t port, struct sim_port *sp)
{
	sp->masked = 0;
	if (sp->pending) {
		sp->pending = 0;
		fire(m, port);
	}
}

int
xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	uint32_t *fail = &xce->rh.m->st->notify_fail;
	uint32_t n = __atomic_load_n(fail, __ATOMIC_RELAXED);

	/* Fault injection (xensim_test_notify_fail): the hypercall fails. */
	while (n && !__atomic_compare_exchange_n(fail, &n, n - 1, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
		;
	if (n) {
		errno = EIO;
		return -1;
	}
	if (notify_fast(xce, port))
		return 0;
	return own_port_op(xce, port, op_notify);
}

/* A port number, or -1 with errno set from -rc (Xen's convention). */
static xenevtchn_port_or_error_t
port_or_error(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return rc;
}

/* Bind calls on a handle restricted to another domain fail with EPERM. */
static bool
bind_refused(xenevtchn_handle *xce, uint32_t domid)
{
	return xce->rh.rdom >= 0 && (uint32_t)xce->rh.rdom != domid;
}

/* Lock held. A new unbound dom0 port towards domid, delivered to xce; or -errno. */
static int
bind_new_port(xenevtchn_handle *xce, uint32_t domid)
{
	int p = sim_port_alloc_unbound(xce->rh.m, XENSIM_DM_DOMID, domid, 0);

	if (p > 0) {
		xce->rh.m->st->port[p].handle = xce->slot;
		__atomic_store_n(&xce->fast[p].dom, 0, __ATOMIC_RELEASE);
	}
	return p;
}

xenevtchn_port_or_error_t
xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	int p;

	if (bind_refused(xce, domid))
		return port_or_error(-EPERM);
	sim_lock(xce->rh.m);
	p = bind_new_port(xce, domid);
	sim_unlock(xce->rh.m);
	return port_or_error(p);
}

xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid, evtchn_port_t remote_port)
{
	struct sim_port *rp;
	int rc, p;

	if (bind_refused(xce, domid))
		return port_or_error(-EPERM);
	sim_lock(xce->rh.m);
	rc = -EINVAL;
	if (remote_port == 0 || remote_port >= SIM_MAX_PORTS)
		goto out;
	rp = &xce->rh.m->st->port[remote_port];
	/* Xen evtchn_bind_interdomain: the remote end must be unbound and waiting for us. */
	if (rp->state != PORT_UNBOUND || rp->domid != domid || rp->remote_dom != XENSIM_DM_DOMID)
		goto out;
	p = bind_new_port(xce, domid);
	if (p < 0) {
		rc = p;
		goto out;
	}
	xce->rh.m->st->port[p].state = PORT_INTERDOMAIN;
	xce->rh.m->st->port[p].peer = remote_port;
	rp->state = PORT_INTERDOMAIN;
	rp->peer = (uint32_t)p;
	rc = p;
	if (rp->handle < 0 && rp->vcpu < XENSIM_MAX_VCPUS) {
		struct sim_domain *d = sim_domain_find(xce->rh.m, domid);

		if (d) {
			xce->fast[p].domid = domid;
			xce->fast[p].vcpu = rp->vcpu;
			__atomic_store_n(&xce->fast[p].dom, (uint32_t)(d - xce->rh.m->st->dom) + 1,
					 __ATOMIC_RELEASE);
		}
	}
out:
	sim_unlock(xce->rh.m);
	return port_or_error(rc);
}

xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	(void)xce;
	(void)virq;
	errno = EOPNOTSUPP;
	return -1;
}

int
xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	int rc = own_port_op(xce, port, op_unbind);

	if (!rc)
		__atomic_store_n(&xce->fast[port].dom, 0, __ATOMIC_RELEASE);
	return rc;
}

/*
 * The next fired port, left masked until xenevtchn_unmask. Never blocks:
 * with nothing pending it fails with EAGAIN (as a non-blocking Linux
 * evtchn fd does). The FIFO keeps its byte while ports remain queued, so
 * poll() on the fd stays readable until the ring is empty; it is emptied
 * under the lock when the ring is, so no later fire can be drained away
 * (a byte written after that, by a ring owed before, only makes one
 * spurious wake-up, which finds the ring empty and drains it).
 */
xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	struct sim_handle *h;
	int port = -1;

	sim_lock(xce->rh.m);
	h = &xce->rh.m->st->h[xce->slot];
	if (h->tail != h->head)
		port = (int)h->ring[h->head++ % SIM_MAX_PORTS];
	if (h->tail == h->head) {
		h->armed = 0;
		sim_doorbell_drain(xce->fd);
	}
	sim_unlock(xce->rh.m);
	if (port < 0)
		errno = EAGAIN;
	return port;
}

int
xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	return own_port_op(xce, port, op_unmask);
}

int
xenevtchn_restrict(xenevtchn_handle *xce, domid_t domid)
{
	return sim_ret_errno(sim_rhandle_restrict(&xce->rh, domid));
}

int
xensim_test_notify_fail(const char *machine, unsigned int n)
{
	struct sim_machine *m = sim_machine_get(machine, false);

	if (!m)
		return -errno;
	__atomic_store_n(&m->st->notify_fail, n, __ATOMIC_RELEASE);
	sim_machine_put(m);
	return 0;
}
