/* SPDX-License-Identifier: MIT */
/*
 * ioreq_send.c — the hypervisor half of the ioreq protocol (xen/common/ioreq.c
 * ioreq_send, ioreq_send_buffered, wait_for_io): fill a vCPU's slot in the
 * shared_iopage, READY, notify, wait for IORESP_READY (for ever, as Xen);
 * the buffered ring with its LEGACY/ATOMIC pointer handling; raw requests
 * for tests; what a vCPU is blocked on (xensim_vcpu_status).
 */
/* HVM_IOREQSRV_BUFIOREQ_* are tools-only definitions. */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <stdint.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/ioreq.h>

#include "sim_int.h"

static unsigned int
slot_state(volatile ioreq_t *slot)
{
	unsigned int st = slot->state;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return st;
}

/* wait_for_io's condition: the slot's state has moved off prev. */
struct answer_wait {
	volatile ioreq_t *slot;
	unsigned int prev;
	const uint32_t *notified;	/* the vCPU handle's notification count */
	uint32_t seen;			/* ... when the vCPU last looked */
};

/*
 * wait_on_xen_event_channel's condition, looked at only once the device
 * model has notified the vCPU's port since the vCPU last looked: Xen's
 * vCPU, once it waits, is woken by that notification and by nothing else,
 * so a device model that answers without notifying leaves it blocked,
 * here too (the vCPU's spin and its liveness checks never read a slot on
 * their own). As in Xen, the state is read once before the wait: an
 * answer already there is taken at once.
 */
static bool
state_moved(void *arg)
{
	struct answer_wait *w = arg;
	uint32_t n = __atomic_load_n(w->notified, __ATOMIC_ACQUIRE);

	if (n == w->seen)
		return false;
	w->seen = n;
	return slot_state(w->slot) != w->prev;
}

/* Milliseconds of CLOCK_MONOTONIC_COARSE: cheap enough for every request. */
static uint64_t
coarse_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Mark c blocked on server sid (sid < 0: not blocked) for xensim_vcpu_status. */
static void
wait_mark(struct sim_vcpu *c, int sid)
{
	struct sim_handle *h = &c->m->st->h[c->slot];

	if (sid >= 0)
		__atomic_store_n(&h->wait_since_ms, coarse_ms(), __ATOMIC_RELAXED);
	__atomic_store_n(&h->wait_sid, sid + 1, __ATOMIC_RELEASE);
}

/* wait_for_io's bail-out: domain_crash(), the vCPU never runs again (-ESRCH here). */
static int
wait_crash(struct sim_vcpu *c)
{
	struct sim_domain *d;

	sim_lock(c->m);
	d = sim_domain_find(c->m, c->domid);
	if (d)
		sim_domain_crash(c->m, d);
	sim_unlock(c->m);
	wait_mark(c, -1);
	return -ESRCH;
}

static bool
domain_alive(struct sim_vcpu *c)
{
	bool alive;

	sim_lock(c->m);
	alive = sim_vcpu_domain(c) != NULL;
	sim_unlock(c->m);
	return alive;
}

/*
 * Xen wait_for_io (xen/common/ioreq.c) after ioreq_send made the slot
 * READY: the vCPU blocks until the device model changes the state, for
 * ever if it never does. There is no timeout and no escape when the
 * device model dies: on Xen the vCPU stays blocked until the domain is
 * destroyed. As there: IORESP_READY -> NONE and take data; READY and
 * INPROCESS -> wait for the next change; a state that moves backwards or
 * is unknown crashes the domain; a state set back to NONE by the device
 * model (the race with an emulator dying) ends the wait with data ~0.
 * The wait itself: a bounded spin, then a futex sleep marked in the slot,
 * so that the device model's notify makes a futex call only for a sleeper
 * (on Xen the notify is a cheap hypercall whatever the vCPU does).
 * A sleeping vCPU re-checks every SIM_WAIT_SLICE_MS that its domain still
 * exists (a vCPU of a destroyed domain is gone: -ESRCH). The test harness
 * deadline, if set, ends the wait with -ETIMEDOUT and a message: a test
 * failure; the vCPU stays blocked on that request (c->pend_sid).
 */
static int
wait_for_io(struct sim_vcpu *c, int sid, volatile ioreq_t *slot, uint32_t seen, uint64_t *data)
{
	struct answer_wait w = { .slot = slot, .prev = STATE_IOREQ_NONE,
				 .notified = &c->m->st->h[c->slot].notified, .seen = seen };
	uint64_t start = coarse_ms(), harness = c->harness_ms ? start + (uint64_t)c->harness_ms : 0;
	unsigned int state = slot_state(slot);

	*data = ~0ull;
	wait_mark(c, sid);
	while (state != STATE_IOREQ_NONE) {
		uint64_t spin = c->spin_ns;

		if (state < w.prev)
			return wait_crash(c); /* "Weird HVM ioreq state transition" */
		switch (w.prev = state) {
		case STATE_IORESP_READY:
			*data = slot->data;
			__atomic_thread_fence(__ATOMIC_RELEASE); /* data read before NONE frees the slot */
			slot->state = STATE_IOREQ_NONE;
			wait_mark(c, -1);
			return 0;
		case STATE_IOREQ_READY:
		case STATE_IOREQ_INPROCESS:
			for (;;) {
				uint64_t until = coarse_ms() + SIM_WAIT_SLICE_MS;

				if (harness && harness < until)
					until = harness;
				if (!sim_vcpu_wait(c, state_moved, &w, spin, until))
					break;
				spin = 0;
				if (harness && coarse_ms() >= harness) {
					fprintf(stderr, "xensim: HARNESS DEADLINE: vCPU %u/%u got no answer "
						"from ioreq server %d in %d ms; on Xen it stays blocked "
						"(wait_for_io): this is a test failure\n", c->domid,
						c->vcpu, sid, c->harness_ms);
					c->pend_sid = sid;
					c->pend_seen = w.seen;
					return -ETIMEDOUT;
				}
				if (!domain_alive(c)) {
					wait_mark(c, -1);
					return -ESRCH;
				}
			}
			state = slot_state(slot);
			continue;
		default:
			return wait_crash(c); /* "Weird HVM iorequest state" */
		}
	}
	wait_mark(c, -1);
	return 0;
}

/*
 * A vCPU whose harness deadline passed is still in wait_for_io for that
 * request: before anything else it waits for that answer again (and
 * drops it: the access it belonged to has already failed its test).
 */
static int
resume_pending(struct sim_vcpu *c)
{
	volatile ioreq_t *slot;
	struct sim_domain *d;
	uint64_t data;
	int sid = c->pend_sid;

	sim_lock(c->m);
	d = sim_vcpu_domain(c);
	slot = d ? sim_srv_slot(c->m, d, sid, c->vcpu) : NULL;
	sim_unlock(c->m);
	if (!slot)
		return -ESRCH;
	c->pend_sid = -1;
	return wait_for_io(c, sid, slot, c->pend_seen, &data);
}

/*
 * Xen ioreq_send: the request is written with state NONE, then (barrier)
 * READY, vp_eport is notified and the vCPU blocks in wait_for_io. As in
 * Xen, a slot not in state NONE or whose vp_eport the device model
 * changed (or never got: pages not mapped at enable) is not sent to
 * ("device model set bad IO state/event channel"): ROUTE_BAD_IOSTATE and
 * -EBUSY. The notification's doorbell is rung once the machine lock is
 * released (sim_unlock), so the woken device model does not block on it.
 */
int
sim_ioreq_sync(struct sim_vcpu *c, int sid, ioreq_t *req)
{
	struct sim_domain *d;
	int rc;

	if (c->pend_sid >= 0) {
		rc = resume_pending(c);
		if (rc)
			return rc;
	}
	sim_lock(c->m);
	d = sim_vcpu_domain(c);
	if (!d) {
		sim_unlock(c->m);
		return -ESRCH;
	}
	return sim_ioreq_sync_locked(c, d, sid, req);
}

int
sim_ioreq_sync_locked(struct sim_vcpu *c, struct sim_domain *d, int sid, ioreq_t *req)
{
	struct sim_machine *m = c->m;
	volatile ioreq_t *slot;
	struct sim_server *s;
	uint64_t data;
	uint32_t seen;
	int rc;

	if (sid < 0 || sid >= SIM_MAX_SERVERS || !d->srv[sid].used) {
		sim_unlock(m);
		return -ENOENT;
	}
	s = &d->srv[sid];
	slot = sim_srv_slot(m, d, sid, c->vcpu);
	if (slot_state(slot) != STATE_IOREQ_NONE || slot->vp_eport != s->vcpu_port[c->vcpu]) {
		__atomic_fetch_add(&d->routes[ROUTE_BAD_IOSTATE], 1, __ATOMIC_RELAXED);
		sim_unlock(m);
		return -EBUSY;
	}
	slot->addr = req->addr;
	slot->data = req->data;
	slot->count = req->count;
	slot->size = req->size;
	slot->data_is_ptr = req->data_is_ptr;
	slot->dir = req->dir;
	slot->df = req->df;
	slot->type = req->type;
	/* Notifications before this request are not its answer's. */
	seen = __atomic_load_n(&m->st->h[c->slot].notified, __ATOMIC_ACQUIRE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	slot->state = STATE_IOREQ_READY;
	/*
	 * No full fence needed here: the notify runs under the machine lock,
	 * as does a device model's unmask, so either the unmask comes first
	 * and this notify rings its doorbell, or this one leaves the port
	 * pending and the unmask fires it; the device model re-reads the page
	 * after unmasking either way.
	 */
	sim_port_notify(m, s->vcpu_port[c->vcpu]);
	sim_unlock(m);
	rc = wait_for_io(c, sid, slot, seen, &data);
	if (!rc)
		req->data = data;
	return rc;
}

int
xensim_vcpu_status(const char *machine, uint32_t domid, unsigned int vcpu,
		   struct xensim_vcpu_status *out)
{
	struct sim_machine *m;
	struct sim_domain *d;
	int rc = sim_tool_begin(machine, domid, &m, &d), slot;

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	if (vcpu >= d->vcpus) {
		sim_tool_end(m);
		return -EINVAL;
	}
	slot = d->vcpu_handle[vcpu] - 1;
	if (slot >= 0 && slot < SIM_MAX_HANDLES && m->st->h[slot].kind == HK_VCPU &&
	    sim_pid_alive(m->st->h[slot].pid)) {
		struct sim_handle *h = &m->st->h[slot];
		int sid1 = __atomic_load_n(&h->wait_sid, __ATOMIC_ACQUIRE);

		out->attached = true;
		out->pid = h->pid;
		if (sid1 > 0) {
			out->blocked = true;
			out->server = (unsigned int)(sid1 - 1);
			out->asleep = __atomic_load_n(&h->wake.sleepers, __ATOMIC_ACQUIRE) > 0;
			out->blocked_ms = coarse_ms() -
					  __atomic_load_n(&h->wait_since_ms, __ATOMIC_RELAXED);
		}
	}
	sim_tool_end(m);
	return 0;
}

void
xensim_vcpu_status_str(uint32_t domid, unsigned int vcpu, const struct xensim_vcpu_status *st,
		       char *buf, size_t len)
{
	if (!st->attached)
		snprintf(buf, len, "vCPU %u/%u not attached", domid, vcpu);
	else if (st->blocked)
		snprintf(buf, len, "vCPU %u/%u blocked on server %u (%s, %llu ms)", domid, vcpu,
			 st->server, st->asleep ? "asleep" : "spinning",
			 (unsigned long long)st->blocked_ms);
	else
		snprintf(buf, len, "vCPU %u/%u running", domid, vcpu);
}

/*
 * Lock held. The canonicalising loop of ioreq_send_buffered (ATOMIC only):
 * while read_pointer has passed a whole ring, take both pointers as one
 * 64-bit value, subtract n * 511 from each (n = read / 511) and cmpxchg
 * the pair back; a device model moving read_pointer in between makes the
 * cmpxchg fail and the loop go round again, at most 511 - qw times in all
 * (qw++ < IOREQ_BUFFER_SLOT_NUM). LEGACY servers never get here: their
 * pointers only ever grow.
 */
static void
bufioreq_rebase(struct sim_machine *m, buffered_iopage_t *pg, uint32_t qw)
{
	uint64_t *full = (uint64_t *)(void *)pg;

	while (qw++ < IOREQ_BUFFER_SLOT_NUM &&
	       __atomic_load_n(&pg->read_pointer, __ATOMIC_ACQUIRE) >= IOREQ_BUFFER_SLOT_NUM) {
		uint64_t old = __atomic_load_n(full, __ATOMIC_ACQUIRE), nv;
		uint32_t orp = (uint32_t)old, owp = (uint32_t)(old >> 32);
		uint32_t n = orp / IOREQ_BUFFER_SLOT_NUM;

		nv = (uint64_t)(orp - n * IOREQ_BUFFER_SLOT_NUM) |
		     ((uint64_t)(owp - n * IOREQ_BUFFER_SLOT_NUM) << 32);
		/* xensim_test_bufioreq_race: the reader takes one more slot right now. */
		if (m->st->buf_race && orp != owp) {
			m->st->buf_race--;
			__atomic_fetch_add(&pg->read_pointer, 1, __ATOMIC_ACQ_REL);
		}
		__atomic_compare_exchange_n(full, &old, nv, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
}

/*
 * Lock held. Xen ioreq_send_buffered: only writes, addr in 20 bits; an
 * 8-byte value takes two slots (second one: high half). No page yet (the
 * device model never mapped the server's frames, so Xen allocated none)
 * or no ring: not buffered. Full when write - read >= 511 - (two slots ?
 * 1 : 0). Then the ATOMIC rebase (bufioreq_rebase) and the notification.
 */
int
sim_ioreq_buffered(struct sim_machine *m, struct sim_domain *d, int sid, uint8_t type,
		   uint64_t addr, unsigned int size, uint64_t data)
{
	struct sim_server *s = &d->srv[sid];
	buffered_iopage_t *pg;
	buf_ioreq_t bp;
	uint32_t rp, wp, qw = size == 8;

	if (s->bufioreq == HVM_IOREQSRV_BUFIOREQ_OFF ||
	    (!s->res_mapped && s->bufioreq_gfn == SIM_NO_GFN))
		return -ENOENT;
	pg = sim_srv_bufpage(m, d, sid);
	memset(&bp, 0, sizeof(bp));
	bp.type = type;
	bp.dir = IOREQ_WRITE;
	bp.addr = (uint32_t)(addr & 0xfffff);
	switch (size) {
	case 1: bp.size = 0; break;
	case 2: bp.size = 1; break;
	case 4: bp.size = 2; break;
	case 8: bp.size = 3; break;
	default: return -EINVAL;
	}
	rp = __atomic_load_n(&pg->read_pointer, __ATOMIC_ACQUIRE);
	wp = pg->write_pointer;
	if (wp - rp >= IOREQ_BUFFER_SLOT_NUM - qw)
		return -EAGAIN;
	bp.data = (uint32_t)data;
	pg->buf_ioreq[wp % IOREQ_BUFFER_SLOT_NUM] = bp;
	if (qw) {
		bp.data = (uint32_t)(data >> 32);
		pg->buf_ioreq[(wp + 1) % IOREQ_BUFFER_SLOT_NUM] = bp;
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&pg->write_pointer, wp + 1 + qw, __ATOMIC_RELEASE);
	if (s->bufioreq == HVM_IOREQSRV_BUFIOREQ_ATOMIC)
		bufioreq_rebase(m, pg, qw);
	sim_port_notify(m, s->buf_port);
	return 0;
}

int
sim_send_raw_ioreq(struct sim_vcpu *c, uint32_t server_id, struct sim_raw_ioreq *req)
{
	ioreq_t r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.addr = req->addr;
	r.data = req->data;
	r.count = req->count;
	r.size = req->size;
	r.type = req->type;
	r.dir = req->dir & 1;
	r.df = req->df & 1;
	r.data_is_ptr = req->data_is_ptr & 1;
	rc = sim_ioreq_sync(c, server_id >= SIM_MAX_SERVERS ? -1 : (int)server_id, &r);
	if (!rc)
		req->data = r.data;
	return rc;
}

int
xensim_test_bufioreq_race(const char *machine, unsigned int n)
{
	struct sim_machine *m = sim_machine_get(machine, false);

	if (!m)
		return -errno;
	sim_lock(m);
	m->st->buf_race = n;
	sim_unlock(m);
	sim_machine_put(m);
	return 0;
}
