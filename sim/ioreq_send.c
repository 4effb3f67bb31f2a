/* SPDX-License-Identifier: MIT */
/*
 * ioreq_send.c — the hypervisor half of the ioreq protocol (xen/common/ioreq.c
 * ioreq_send, ioreq_send_buffered, wait_for_io): fill a vCPU's slot in the
 * shared_iopage, READY, notify, wait for IORESP_READY; the buffered ring
 * with its LEGACY/ATOMIC pointer handling; raw requests for tests.
 */
/* HVM_IOREQSRV_BUFIOREQ_* are tools-only definitions. */
#define __XEN_TOOLS__ 1

#include <errno.h>
#include <string.h>

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

/*
 * Xen writes the request with state NONE, then (barrier) READY, notifies
 * vp_eport and blocks; the device model moves READY -> INPROCESS ->
 * IORESP_READY and notifies back; Xen takes data and writes NONE. The sim
 * waits at most c->timeout_ms, and gives up early if the server's owner
 * process is gone; then the slot is reset to NONE (Xen would have
 * crashed the domain instead) and -ETIMEDOUT returned. As in Xen, a slot
 * not in state NONE or whose vp_eport the device model changed (or never
 * got: pages not mapped at enable) is not sent to ("device model set bad
 * IO state/event channel"): ROUTE_BAD_IOSTATE and -EBUSY. The one
 * exception: the late IORESP_READY of a request the sim timed out.
 */
int
sim_ioreq_sync(struct sim_vcpu *c, int sid, ioreq_t *req)
{
	struct sim_machine *m = c->m;
	volatile ioreq_t *slot;
	struct sim_domain *d;
	struct sim_server *s;
	uint64_t deadline;
	int owner;

	sim_lock(m);
	d = sim_vcpu_domain(c);
	if (!d) {
		sim_unlock(m);
		return -ESRCH;
	}
	if (sid < 0 || sid >= SIM_MAX_SERVERS || !d->srv[sid].used) {
		sim_unlock(m);
		return -ENOENT;
	}
	s = &d->srv[sid];
	slot = sim_srv_slot(m, d, sid, c->vcpu);
	if ((c->late_mask & (1u << sid)) && slot_state(slot) == STATE_IORESP_READY) {
		slot->state = STATE_IOREQ_NONE;
		c->late_mask &= ~(1u << sid);
	}
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
	__atomic_thread_fence(__ATOMIC_RELEASE);
	slot->state = STATE_IOREQ_READY;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	sim_port_notify(m, s->vcpu_port[c->vcpu]);
	owner = s->owner_pid;
	sim_unlock(m);

	deadline = sim_now_ms() + (uint64_t)c->timeout_ms;
	for (int wait = 0;;) {
		if (slot_state(slot) == STATE_IORESP_READY) {
			req->data = slot->data;
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			slot->state = STATE_IOREQ_NONE;
			return 0;
		}
		/* Checked once more after the wait fails: an answer may beat the exit. */
		if (wait)
			break;
		wait = sim_vcpu_wait(c, deadline, owner);
	}
	slot->state = STATE_IOREQ_NONE;
	c->late_mask |= 1u << sid;
	return -ETIMEDOUT;
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
