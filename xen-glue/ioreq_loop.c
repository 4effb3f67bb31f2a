/* SPDX-License-Identifier: MIT */
/*
 * ioreq_loop.c — the ioreq state machine on the shared page, the buffered
 * ring drain, dispatch of decoded requests (by kind, through a table) to
 * the mediator or the null-MMIO handler, and the adaptive poll mode.
 * Decoding itself is in ioreq_decode.c; the mediator is reached only
 * through mediator/vgpu.h.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

#include "glue_int.h"
#include "mediator/log.h"
#include "mediator/vgpu.h"

/* The decode layer mirrors the ABI numbers; keep them honest. */
_Static_assert(IOREQ_DEC_PIO == IOREQ_TYPE_PIO, "PIO");
_Static_assert(IOREQ_DEC_COPY == IOREQ_TYPE_COPY, "COPY");
_Static_assert(IOREQ_DEC_PCI_CONFIG == IOREQ_TYPE_PCI_CONFIG, "PCI_CONFIG");
_Static_assert(IOREQ_DEC_TIMEOFFSET == IOREQ_TYPE_TIMEOFFSET, "TIMEOFFSET");
_Static_assert(IOREQ_DEC_INVALIDATE == IOREQ_TYPE_INVALIDATE, "INVALIDATE");
_Static_assert(sizeof(ioreq_t) == 32, "ioreq_t is 32 bytes");
_Static_assert(sizeof(buf_ioreq_t) == 8, "buf_ioreq_t is 8 bytes");

/* Barriers of the handshake (Xen: smp_rmb/smp_wmb; QEMU: xen_rmb/xen_wmb). */
#define ioreq_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define ioreq_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define ioreq_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

#define POLL_GROW_START_NS 10000ull	/* first window after a short block (KVM: 10 us) */
#define POLL_YIELD_NS 5000ull		/* while polling, give the CPU away this often */
#define POLL_CLOCK_EVERY 8		/* empty scans between clock reads */

typedef int ioreq_exec_fn(struct hv *hv, struct vgpu *v, const struct ioreq_access *a,
			  uint64_t *data);

static void
ioreq_loop_refuse(struct hv *hv, enum ioreq_err e, const struct ioreq_raw *r)
{
	uint64_t bit = 1ull << e;

	GLUE_COUNT(hv->stats.by_err[e]);
	if (__atomic_fetch_or(&hv->warned, bit, __ATOMIC_RELAXED) & bit)
		return;
	log_warn("[%s] refused ioreq (%s, logged once): type=%u dir=%s size=%u count=%u "
		 "addr=%#llx ptr=%u df=%u", hv->tag, ioreq_err_name(e), r->type,
		 r->dir ? "read" : "write", r->size, r->count, (unsigned long long)r->addr,
		 r->data_is_ptr, r->df);
}

static bool
in_null_page(const struct hv *hv, uint64_t gpa)
{
	return hv->cfg.null_mmio_gpa && (gpa >> 12) == (hv->cfg.null_mmio_gpa >> 12);
}

/* One device-side access of one item; val is the value in/out. */
static int
device_access(struct hv *hv, struct vgpu *v, const struct ioreq_access *a, uint64_t dev,
	      uint64_t *val)
{
	uint32_t v32;
	int rc;

	if (a->kind == IOK_MMIO && in_null_page(hv, dev)) {
		if (!a->write)
			*val = 0;
		return 0;
	}
	if (!v && a->kind == IOK_MMIO && a->write) {
		/*
		 * No vGPU (detach unhooked it) but the page is still one we
		 * protect: Xen will not do the guest's store, so we do, on
		 * RAM (there is no shadow left to update).
		 */
		rc = -ENOENT;
		pthread_mutex_lock(&hv->lock);
		if (hv_xen_wp_any(hv, dev, dev + a->size - 1))
			rc = mapcache_copy_locked(hv, dev, val, a->size, true) ? -EFAULT : 0;
		pthread_mutex_unlock(&hv->lock);
		return rc;
	}
	if (!v)
		return -ENOENT;
	if (a->kind == IOK_MMIO)
		return vgpu_mem_access(v, a->write, dev, a->size, val);
	v32 = (uint32_t)*val;
	rc = vgpu_pio_access(v, a->write, (uint16_t)dev, a->size, &v32);
	*val = v32;
	return rc;
}

/*
 * Store size bytes (inside one page) at gpa. An untracked page is written
 * through the mapping cache, checked and written under the lock so that a
 * protection cannot slip in between. A page we write-protect goes through
 * the mediator as a tracked write, as if the guest had stored the value
 * itself: page_track sees old and new, then writes guest memory. A page
 * unprotected meanwhile (-ENOENT) is retried once as RAM.
 * Returns 0 (RAM), 1 (tracked) or -EFAULT.
 */
static int
ram_store_page(struct hv *hv, struct vgpu *v, uint64_t gpa, uint64_t val, unsigned int size)
{
	int rc = -ENOENT;

	for (int tries = 0; tries < 2 && rc == -ENOENT; tries++) {
		bool tracked;

		pthread_mutex_lock(&hv->lock);
		tracked = hv_xen_wp_any(hv, gpa, gpa + size - 1);
		/* No vGPU any more (detach): a protected page is stored as RAM too. */
		if (!tracked || !v)
			rc = mapcache_copy_locked(hv, gpa, &val, size, true);
		pthread_mutex_unlock(&hv->lock);
		if (!tracked || !v)
			return rc ? -EFAULT : tracked;
		rc = v ? vgpu_mem_access(v, true, gpa, size, &val) : -ENOENT;
	}
	return rc ? -EFAULT : 1;
}

/*
 * The RAM side of a rep read (MMIO -> RAM, rep ins): store one item in
 * guest memory without bypassing the mediator on a page it shadows (a
 * guest's rep movs from BAR0 into its PML4 must update the shadow, as a
 * plain store would). An item that crosses a page boundary goes byte by
 * byte (the mediator takes no page-crossing tracked write). 0 or -EFAULT.
 */
static int
ram_store(struct hv *hv, struct vgpu *v, uint64_t gpa, uint64_t val, unsigned int size)
{
	bool tracked = false;
	int rc = 0;

	if ((gpa & 0xfff) + size <= 4096) {
		rc = ram_store_page(hv, v, gpa, val, size);
		tracked = rc == 1;
	} else {
		for (unsigned int b = 0; b < size && rc >= 0; b++) {
			rc = ram_store_page(hv, v, gpa + b, (val >> (8 * b)) & 0xff, 1);
			tracked |= rc == 1;
		}
	}
	if (tracked)
		GLUE_COUNT(hv->stats.tracked_rep);
	return rc < 0 ? rc : 0;
}

/*
 * PIO and COPY, with rep: item i is at addr +- i*size (PIO: same port);
 * with data_is_ptr the value moves between the device and guest memory at
 * data +- i*size. Without it a write repeats data, a read leaves the last
 * item's value in data.
 */
static int
exec_rep(struct hv *hv, struct vgpu *v, const struct ioreq_access *a, uint64_t *data)
{
	int ret = 0;

	if (a->kind == IOK_MMIO && in_null_page(hv, a->addr))
		GLUE_COUNT(hv->stats.null_mmio);
	for (uint32_t i = 0; i < a->count; i++) {
		uint64_t dev, mem, val = a->write ? a->data : 0;
		int rc;

		ioreq_item(a, i, &dev, &mem);
		if (a->data_is_ptr && a->write) {
			val = 0;
			if (mapcache_copy(hv, mem, &val, a->size, false))
				return -EFAULT;
		}
		rc = device_access(hv, v, a, dev, &val);
		if (rc) {
			ret = rc;
			if (!a->write)
				val = ioreq_ones(a->size);
		}
		if (a->data_is_ptr && !a->write) {
			if (ram_store(hv, v, mem, val, a->size))
				return -EFAULT;
		} else if (!a->write) {
			*data = val;
		}
	}
	return ret;
}

/*
 * A config cycle; with data_is_ptr the value is read from / stored to
 * guest memory at a->data (QEMU cpu_ioreq_config), the store going
 * through the mediator if that page is one we protect.
 */
static int
exec_pci(struct hv *hv, struct vgpu *v, const struct ioreq_access *a, uint64_t *data)
{
	uint32_t val = (uint32_t)a->data;
	uint64_t mem = 0;
	int rc;

	if (a->data_is_ptr && a->write) {
		if (mapcache_copy(hv, a->data, &mem, a->size, false))
			return -EFAULT;
		val = (uint32_t)mem;
	}
	rc = v ? vgpu_cfg_access(v, a->write, (unsigned int)a->addr, a->size, &val) : -ENOENT;
	if (a->write)
		return rc;
	mem = rc ? ioreq_ones(a->size) : val;
	if (!a->data_is_ptr)
		*data = mem;
	else if (ram_store(hv, v, a->data, mem, a->size))
		return -EFAULT;
	return rc;
}

static int
exec_timeoffset(struct hv *hv, struct vgpu *v, const struct ioreq_access *a, uint64_t *data)
{
	(void)v;
	(void)data;
	__atomic_store_n(&hv->stats.time_offset, a->data, __ATOMIC_RELAXED);
	return 0;
}

/* The guest's p2m shrank: forget every cached foreign mapping. */
static int
exec_invalidate(struct hv *hv, struct vgpu *v, const struct ioreq_access *a, uint64_t *data)
{
	(void)v;
	(void)a;
	(void)data;
	pthread_mutex_lock(&hv->lock);
	mapcache_flush(hv);
	pthread_mutex_unlock(&hv->lock);
	return 0;
}

/*
 * A COPY write outside every claim (IOK_RAM_WRITE): Xen chose this server
 * when the page was still ours (p2m_ioreq_server) or the range still
 * claimed, and will not do the write itself. Done on guest memory when
 * every page it touches is RAM without a write protection of ours (that
 * one would bypass the mediator); else dropped whole (-ERANGE), never half
 * done. The span is bounded by decode (IOREQ_MAX_REP_BYTES, no wrap).
 */
static int
exec_ram_write(struct hv *hv, struct vgpu *v, const struct ioreq_access *a, uint64_t *data)
{
	uint64_t d0, m0, d1, m1, lo, hi, mlo, mhi;
	int rc = 0;

	(void)v;
	(void)data;
	ioreq_item(a, 0, &d0, &m0);
	ioreq_item(a, a->count - 1, &d1, &m1);
	lo = d0 < d1 ? d0 : d1;
	hi = (d0 < d1 ? d1 : d0) + a->size - 1;
	mlo = m0 < m1 ? m0 : m1;
	mhi = (m0 < m1 ? m1 : m0) + a->size - 1;
	pthread_mutex_lock(&hv->lock);
	if (hv_xen_wp_any(hv, lo, hi) || !mapcache_is_ram(hv, lo, hi))
		rc = -ERANGE;
	else if (a->data_is_ptr && !mapcache_is_ram(hv, mlo, mhi))
		rc = -EFAULT;
	for (uint32_t i = 0; !rc && i < a->count; i++) {
		uint64_t dev, mem, val = a->data;

		ioreq_item(a, i, &dev, &mem);
		if (a->data_is_ptr)
			rc = mapcache_copy_locked(hv, mem, &val, a->size, false);
		if (!rc)
			rc = mapcache_copy_locked(hv, dev, &val, a->size, true);
	}
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

static ioreq_exec_fn *const ioreq_exec[IOK_NR] = {
	[IOK_PIO] = exec_rep,
	[IOK_MMIO] = exec_rep,
	[IOK_PCI] = exec_pci,
	[IOK_TIMEOFFSET] = exec_timeoffset,
	[IOK_INVALIDATE] = exec_invalidate,
	[IOK_RAM_WRITE] = exec_ram_write,
};

/*
 * Decode and execute one request; returns the value for data (reads) or
 * the unchanged data (writes). Never fails: refused requests get the safe
 * answer (reads all-ones, writes dropped), a counter and one log line.
 * buffered: from the buffered ring, which never carries a write to guest
 * RAM (Xen buffers only stdvga MMIO), so IOK_RAM_WRITE is refused there.
 */
static uint64_t
ioreq_handle(struct hv *hv, const struct ioreq_raw *r, bool buffered)
{
	struct vgpu *v = __atomic_load_n(&hv->vgpu, __ATOMIC_ACQUIRE);
	struct ioreq_claims c;
	struct ioreq_access a;
	enum ioreq_err e;
	uint64_t data = r->data;
	int rc;

	pthread_mutex_lock(&hv->lock);
	c = (struct ioreq_claims){
		.has_sbdf = hv->has_sbdf, .sbdf = hv->sbdf,
		.mmio = hv->mmio, .nr_mmio = hv->nr_mmio,
		.pio = hv->pio, .nr_pio = hv->nr_pio,
		.mem_owned = hv_xen_wp_owned, .arg = hv,
	};
	e = ioreq_decode(r, &c, &a);
	pthread_mutex_unlock(&hv->lock);
	if (!e && a.kind == IOK_RAM_WRITE && buffered)
		e = IOE_RANGE;
	if (e) {
		ioreq_loop_refuse(hv, e, r);
		/* A refused read of a pointer form leaves guest memory alone. */
		return (a.write || r->data_is_ptr) ? r->data : ioreq_ones(a.size);
	}
	log_dbg(DBG_IOREQ, "[%s] %s %s addr=%#llx size=%u count=%u", hv->tag,
		ioreq_kind_name(a.kind), a.write ? "write" : "read",
		(unsigned long long)a.addr, a.size, a.count);
	rc = ioreq_exec[a.kind](hv, v, &a, &data);
	if (rc == -EFAULT)
		ioreq_loop_refuse(hv, IOE_PTR, r);
	else if (rc == -ERANGE)		/* a late write to something not RAM */
		ioreq_loop_refuse(hv, IOE_RANGE, r);
	else if (rc)
		GLUE_COUNT(hv->stats.unhandled);
	if (a.kind != IOK_RAM_WRITE || !rc)
		GLUE_COUNT(hv->stats.by_kind[a.kind]);
	if (a.data_is_ptr)
		return r->data;
	return data;
}

static void
bufslot_read(const buffered_iopage_t *bp, uint32_t idx, struct ioreq_bufslot *s)
{
	const volatile buf_ioreq_t *b = &bp->buf_ioreq[idx % IOREQ_BUFFER_SLOT_NUM];

	*s = (struct ioreq_bufslot){
		.type = b->type, .dir = b->dir, .size_code = b->size,
		.addr = b->addr, .data = b->data,
	};
}

/*
 * Drain the buffered ring. The pointers are free-running; slot = ptr % 511.
 * Read both as one 64-bit word (in ATOMIC mode Xen rebases them together
 * with a cmpxchg), consume with an atomic add, never notify. Bounded by
 * one ring's worth per wakeup.
 */
static unsigned int
ioreq_loop_buffered(struct hv *hv)
{
	buffered_iopage_t *bp = hv->bufpage;
	uint64_t *pair = (uint64_t *)(void *)bp;
	unsigned int n;

	for (n = 0; n < IOREQ_BUFFER_SLOT_NUM; n++) {
		uint64_t ptrs = __atomic_load_n(pair, __ATOMIC_ACQUIRE);
		uint32_t rd = (uint32_t)ptrs, wr = (uint32_t)(ptrs >> 32);
		struct ioreq_bufslot s[2];
		struct ioreq_raw r;
		unsigned int used;
		enum ioreq_err e;

		if (rd == wr)
			break;
		ioreq_rmb();
		bufslot_read(bp, rd, &s[0]);
		bufslot_read(bp, rd + 1, &s[1]);
		e = ioreq_decode_buffered(s, wr - rd, &r, &used);
		/*
		 * Half of an 8-byte entry: Xen publishes both slots with one
		 * write_pointer bump, so the rest is on its way; consuming
		 * one slot would turn its high half into a request of its own.
		 */
		if (e == IOE_BUF_SHORT)
			break;
		if (e)
			ioreq_loop_refuse(hv, e, &r);
		else {
			GLUE_COUNT(hv->stats.buffered);
			ioreq_handle(hv, &r, true);
		}
		if (hv->cfg.bufioreq == GLUE_BUFIOREQ_ATOMIC)
			__atomic_fetch_add(&bp->read_pointer, used, __ATOMIC_SEQ_CST);
		else
			__atomic_store_n(&bp->read_pointer, rd + used, __ATOMIC_RELEASE);
	}
	return n;
}

/*
 * The synchronous handshake for vCPU i (XEN-IOREQ-NOTES.md section 2):
 * READY -> rmb -> INPROCESS -> handle -> wmb -> IORESP_READY -> notify.
 * Xen owns every field until READY; we write only data and state.
 * Buffered requests the vCPU queued before this one are on the ring by the
 * time READY is visible, so the ring is drained first: an earlier buffered
 * write lands before a later synchronous access (QEMU cpu_handle_ioreq
 * drains the buffered page before handling the vCPU's request too).
 */
static int
ioreq_loop_slot(struct hv *hv, unsigned int i)
{
	volatile ioreq_t *req = &((ioreq_t *)hv->iopage)[i];
	struct ioreq_raw r;

	if (req->state != STATE_IOREQ_READY)
		return 0;	/* nothing for us */
	ioreq_rmb();		/* fields written before READY are visible now */
	if (hv->bufpage)
		ioreq_loop_buffered(hv);
	req->state = STATE_IOREQ_INPROCESS;
	ioreq_mb();
	r = (struct ioreq_raw){
		.addr = req->addr, .data = req->data, .count = req->count,
		.size = req->size, .type = req->type, .dir = req->dir,
		.df = req->df, .data_is_ptr = req->data_is_ptr,
	};
	req->data = ioreq_handle(hv, &r, false);
	ioreq_wmb();		/* data before the state that publishes it */
	req->state = STATE_IORESP_READY;
	ioreq_mb();
	if (xenevtchn_notify(hv->xce, hv->local_port[i]) < 0) {
		/* Without it the vCPU never wakes: owed, retried on every scan. */
		hv->notify_owed[i] = true;
		return errno ? -errno : -EIO;
	}
	return 1;		/* one request answered */
}

/* Notifications that failed earlier: the answer is on the page, the vCPU asleep. */
static int
ioreq_loop_owed(struct hv *hv)
{
	int rc = 0;

	for (unsigned int i = 0; i < hv->nr_vcpus; i++) {
		if (!hv->notify_owed[i])
			continue;
		if (xenevtchn_notify(hv->xce, hv->local_port[i]) < 0) {
			if (!rc)
				rc = errno ? -errno : -EIO;
			continue;
		}
		hv->notify_owed[i] = false;
	}
	return rc;
}


static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * A wake-up found work: size the window as KVM's halt polling does
 * (virt/kvm/kvm_main.c, grow_halt_poll_ns/shrink_halt_poll_ns). Blocked
 * for less than the longest window: polling that long would have caught
 * this request, so grow (doubling from POLL_GROW_START_NS); blocked for
 * longer: shrink (halving, to nothing below the start), so a vGPU whose
 * guest rarely traps stops polling at all. Then poll from now.
 */
static void
poll_adapt(struct hv *hv, uint64_t now)
{
	struct ioreq_poll *p = &hv->poll;
	uint64_t max = (uint64_t)hv->cfg.poll_us * 1000;

	if (p->blocked_ns) {
		bool short_block = now - p->blocked_ns <= max;

		if (short_block)
			p->window_ns = p->window_ns ? p->window_ns * 2 : POLL_GROW_START_NS;
		else if ((p->window_ns /= 2) < POLL_GROW_START_NS)
			p->window_ns = 0;
		if (p->window_ns > max)
			p->window_ns = max;
		p->blocked_ns = 0;
	}
	p->until_ns = now + p->window_ns;
}

/* Unmask every port held while polling; a notification that set one pending fires now. */
static int
poll_release(struct hv *hv)
{
	struct ioreq_poll *p = &hv->poll;
	int rc = 0;

	while (p->nheld) {
		evtchn_port_t port = p->held[--p->nheld];

		if (xenevtchn_unmask(hv->xce, port) < 0 && !rc)
			rc = errno ? -errno : -EIO;
	}
	return rc;
}

/*
 * The page once: the buffered ring, then every vCPU slot (see glue.h).
 * Requests handled, or the first -errno.
 */
int
ioreq_loop_scan(struct hv *hv)
{
	int n = 0, err = ioreq_loop_owed(hv);

	/* Buffered first, as QEMU does: they were queued before any sync request. */
	if (hv->bufpage)
		n += (int)ioreq_loop_buffered(hv);
	/*
	 * Scan every vCPU, not just the pending port's: a request whose
	 * notification we coalesced is still READY on its slot. A failed
	 * notification does not stop the others from being answered.
	 */
	for (unsigned int i = 0; i < hv->nr_vcpus; i++) {
		int rc = ioreq_loop_slot(hv, i);

		if (rc < 0 && !err)
			err = rc;
		else if (rc > 0)
			n += rc;
	}
	return err ? err : n;
}

/*
 * Called only after poll() reported POLLIN on ioreq_server_fd(): the real
 * xenevtchn fd is blocking, so xenevtchn_pending() would sleep in read()
 * until the next event (libxenevtchn does a plain read of one port). The
 * sim's fd is non-blocking, which is why EAGAIN is tolerated here. In
 * poll mode the fired port stays masked (ioreq_loop_poll unmasks it).
 */
int
ioreq_loop_run_once(struct hv *hv)
{
	int port = xenevtchn_pending(hv->xce);
	int n;

	GLUE_COUNT(hv->stats.wakeups);
	if (port >= 0 && hv->cfg.poll_us && hv->poll.nheld < GLUE_MAX_VCPUS + 1)
		hv->poll.held[hv->poll.nheld++] = (evtchn_port_t)port;
	else if (port >= 0)
		xenevtchn_unmask(hv->xce, (evtchn_port_t)port);
	else if (errno != EAGAIN && errno != EINTR)
		return errno ? -errno : -EIO;
	n = ioreq_loop_scan(hv);
	if (n < 0)
		return n;
	if (n > 0 && hv->cfg.poll_us)
		poll_adapt(hv, mono_ns());
	/* No window to poll in: nothing is left masked behind the caller's back. */
	if (hv->poll.nheld && mono_ns() >= hv->poll.until_ns) {
		int rc = poll_release(hv);

		if (rc)
			return rc;
		n = ioreq_loop_scan(hv);
		if (n < 0)
			return n;
		hv->poll.blocked_ns = mono_ns();
	}
	return 0;
}

/*
 * The poll loop. Requests found extend the window; once it closes, the
 * held ports are unmasked and the page looked at once more: a request
 * made before an unmask left a pending bit that the unmask turns into a
 * wake-up, one made after it notifies an unmasked port, and one whose
 * READY we catch here is served now. No request is left behind. While
 * polling, the CPU is handed over now and then (a vCPU may share it).
 */
int
ioreq_loop_poll(struct hv *hv, uint64_t slice_end_ns)
{
	struct ioreq_poll *p = &hv->poll;
	uint64_t next_yield = 0, now = mono_ns();

	for (unsigned int i = 0;; i++) {
		int n, rc;

		if (!(i % POLL_CLOCK_EVERY))
			now = mono_ns();

		if (now >= p->until_ns) {
			rc = poll_release(hv);
			n = rc ? rc : ioreq_loop_scan(hv);
			if (n < 0)
				return n;
			p->blocked_ns = mono_ns();
			return 0;
		}
		if (now >= slice_end_ns)
			return 1;
		n = ioreq_loop_scan(hv);
		if (n < 0)
			return n;
		if (n > 0) {
			now = mono_ns();
			p->until_ns = now + p->window_ns;
			continue;
		}
		if (!next_yield) {
			next_yield = now + POLL_YIELD_NS;
		} else if (now >= next_yield) {
			sched_yield();
			next_yield = now + POLL_YIELD_NS;
		}
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
}
