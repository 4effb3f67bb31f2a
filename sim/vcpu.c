/* SPDX-License-Identifier: MIT */
/*
 * vcpu.c — a guest vCPU in its own process and the routing of its
 * accesses, as Xen's EPT and I/O dispatch would route them: RAM direct,
 * p2m_ioreq_server writes as COPY ioreqs, p2m_ram_ro writes discarded,
 * aperture direct through the softgpu GGTT, CF8/CFC to PCI_CONFIG,
 * claimed ranges to the highest-id server claiming them, rep accesses cut
 * into ioreqs as Xen's emulator cuts them, the rest unclaimed. Every route
 * is counted per domain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/hvm/ioreq.h>

#include "sim_int.h"
#include "softgpu/softgpu.h"

#define PCI_CF8 0xcf8
#define PCI_CFC 0xcfc
#define VGA_MEM_BASE 0xa0000ull	/* stdvga's window: buffered writes (x86 stdvga.c) */
#define VGA_MEM_END 0xbffffull

static void
count(struct sim_domain *d, enum sim_route r)
{
	__atomic_fetch_add(&d->routes[r], 1, __ATOMIC_RELAXED);
}

static uint64_t
size_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* Count an access as routed to server sid (claimed), or as unclaimed when sid < 0. */
static void
count_claim(struct sim_domain *d, int sid, enum sim_route claimed, bool write)
{
	count(d, sid >= 0 ? claimed : write ? ROUTE_UNCLAIMED_WRITE : ROUTE_UNCLAIMED_READ);
}

/* $XENSIM_HARNESS_DEADLINE_MS: a test run's bound on each answer (unset: none, as Xen). */
static int
harness_default_ms(void)
{
	const char *env = getenv("XENSIM_HARNESS_DEADLINE_MS");
	long v = env ? strtol(env, NULL, 10) : 0;

	return v > 0 && v < 24 * 3600 * 1000 ? (int)v : 0;
}

struct sim_vcpu *
sim_vcpu_attach(const char *machine, uint32_t domid, unsigned int vcpu)
{
	struct sim_vcpu *c;
	struct sim_domain *d;
	int rc = 0;

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->m = sim_machine_get(machine, false);
	if (!c->m) {
		free(c);
		return NULL;
	}
	c->domid = domid;
	c->vcpu = vcpu;
	c->pend_sid = -1;
	c->spin_ns = xensim_vcpu_spin_ns();
	c->harness_ms = harness_default_ms();
	sim_lock(c->m);
	d = sim_domain_find(c->m, domid);
	if (!d || d->dying)
		rc = -ESRCH;
	else if (vcpu >= d->vcpus)
		rc = -EINVAL;
	else if (d->vcpu_handle[vcpu] > 0 &&
		 sim_pid_alive(c->m->st->h[d->vcpu_handle[vcpu] - 1].pid))
		rc = -EBUSY;
	if (!rc) {
		int no_fd;

		rc = sim_handle_open(c->m, HK_VCPU, &no_fd);
		if (rc >= 0) {
			c->slot = rc;
			rc = 0;
			__atomic_store_n(&d->vcpu_handle[vcpu], c->slot + 1, __ATOMIC_RELEASE);
		}
	}
	sim_unlock(c->m);
	if (rc) {
		sim_machine_put(c->m);
		free(c);
		errno = -rc;
		return NULL;
	}
	return c;
}

void
sim_vcpu_detach(struct sim_vcpu *c)
{
	if (!c)
		return;
	sim_handle_close(c->m, c->slot, -1);
	softgpu_close(c->gpu);
	sim_machine_put(c->m);
	free(c);
}

void
sim_vcpu_set_harness_deadline(struct sim_vcpu *c, int ms)
{
	c->harness_ms = ms > 0 ? ms : 0;
}

/*
 * A shut-down (or crashed) domain's vCPUs are paused for good
 * (domain_shutdown), a dying one's are gone: no access runs any more.
 */
struct sim_domain *
sim_vcpu_domain(struct sim_vcpu *c)
{
	struct sim_domain *d = sim_domain_find(c->m, c->domid);

	return d && !d->dying && !d->shut_down ? d : NULL;
}

/*
 * Lock held. ioreq_server_select (xen/common/ioreq.c): FOR_EACH_IOREQ_SERVER
 * walks the ids from the highest down, and the first enabled server whose
 * kind ranges hold [start, end] entirely wins. Ids are the lowest free
 * slot at create (ioreq_server_create), so "highest id", not "most recent":
 * a server created after another was destroyed may take a lower id.
 */
static int
find_server(struct sim_domain *d, int kind, uint64_t start, uint64_t end)
{
	for (int i = SIM_MAX_SERVERS - 1; i >= 0; i--)
		if (d->srv[i].used && d->srv[i].enabled && sim_range_within(&d->srv[i], kind, start, end))
			return i;
	return -1;
}

static void
dcount(struct sim_domain *d, uint64_t gfn, bool write)
{
	for (unsigned int k = 0; k < 16; k++) {
		struct sim_dcount *e = &d->dc[(gfn + k) % SIM_DCOUNT];

		if (!e->used) {
			e->used = 1;
			e->gfn = gfn;
		}
		if (e->gfn == gfn) {
			__atomic_fetch_add(write ? &e->writes : &e->reads, 1, __ATOMIC_RELAXED);
			return;
		}
	}
	d->dc_overflow++;
}

/* A machine address (RAM file, else nothing: all-ones / dropped). */
static void
maddr_access(struct sim_machine *m, uint64_t maddr, unsigned int len, bool write, uint8_t *buf)
{
	if (maddr < XENSIM_MEM_SIZE && maddr + len <= XENSIM_MEM_SIZE) {
		if (write)
			memcpy(m->mem + maddr, buf, len);
		else
			memcpy(buf, m->mem + maddr, len);
	} else if (!write) {
		memset(buf, 0xff, len);
	}
}

/* Lock held. A direct-mapped (p2m_mmio_direct) access, page by page; aperture via GGTT. */
static void
direct_access(struct sim_vcpu *c, struct sim_domain *d, uint64_t gpa, unsigned int size,
	      bool write, uint8_t *buf)
{
	while (size) {
		unsigned int chunk = SIM_PAGE - (unsigned int)(gpa & (SIM_PAGE - 1));
		uint64_t mfn, maddr;

		if (chunk > size)
			chunk = size;
		if (!sim_dmap_lookup(d, gpa >> 12, &mfn)) {
			if (!write)
				memset(buf, 0xff, chunk);
		} else {
			maddr = (mfn << 12) | (gpa & (SIM_PAGE - 1));
			if (maddr >= XENSIM_APERTURE_MADDR &&
			    maddr < XENSIM_APERTURE_MADDR + SOFTGPU_APERTURE_SIZE) {
				uint64_t t;

				if (!c->gpu)
					c->gpu = softgpu_open(c->m->name);
				if (c->gpu && softgpu_aperture_translate(c->gpu, maddr -
									 XENSIM_APERTURE_MADDR, &t) == 0)
					maddr_access(c->m, t, chunk, write, buf);
				else if (!write)
					memset(buf, 0xff, chunk);
			} else {
				maddr_access(c->m, maddr, chunk, write, buf);
			}
			dcount(d, gpa >> 12, write);
		}
		gpa += chunk;
		buf += chunk;
		size -= chunk;
	}
}

static int
sync_ioreq(struct sim_vcpu *c, struct sim_domain *locked, int sid, uint8_t type, uint64_t addr,
	   unsigned int size, bool write, uint64_t *val)
{
	ioreq_t r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.addr = addr;
	r.size = size;
	r.count = 1;
	r.dir = write ? IOREQ_WRITE : IOREQ_READ;
	r.data = write ? (*val & size_mask(size)) : 0;
	rc = locked ? sim_ioreq_sync_locked(c, locked, sid, &r) : sim_ioreq_sync(c, sid, &r);
	if (!rc && !write)
		*val = r.data & size_mask(size);
	return rc;
}

/* Lock not held. Send to server sid, or with none (sid < 0) answer as unclaimed: reads all-ones. */
static int
send_or_unclaimed(struct sim_vcpu *c, int sid, uint8_t type, uint64_t addr, unsigned int size,
		  bool write, uint64_t *val)
{
	if (sid >= 0)
		return sync_ioreq(c, NULL, sid, type, addr, size, write, val);
	if (!write)
		*val = size_mask(size);
	return 0;
}

/*
 * Lock held (dropped on return). RAM, possibly typed p2m_ioreq_server
 * (wp) or p2m_ram_ro (ro) on either page the access touches: reads
 * direct; writes to a wp page go to the claimant as COPY. With the
 * claimant destroyed without unclaiming, the EPT entries keep w=0 (they
 * were computed with the WRITE flag and nothing recalculates them), so
 * hvmemul_do_io finds no server and returns X86EMUL_RETRY: on Xen the
 * vCPU re-executes the write forever. The sim counts ROUTE_WP_RETRY and
 * returns -EAGAIN instead of spinning. A write to ram_ro faults and is
 * emulated; __hvm_copy drops the bytes of p2m_is_discard_write pages and
 * writes the rest (ROUTE_RO_DISCARD).
 */
static int
ram_access(struct sim_vcpu *c, struct sim_domain *d, uint64_t gpa, unsigned int size, bool write,
	   uint64_t *val, uint8_t t0, uint8_t t1)
{
	uint8_t *ram = c->m->mem + d->mem_base + gpa;
	bool wp = t0 == P2M_IOREQ_SERVER || t1 == P2M_IOREQ_SERVER;
	uint8_t buf[8];
	int sid = -1, rc = 0;

	if (!write) {
		memcpy(buf, ram, size);
		count(d, wp ? ROUTE_WP_READ : ROUTE_RAM_READ);
	} else if (wp && d->memtype_server >= 0) {
		/* Only a WRITE claim exists (READ is refused): the entry is r-only. */
		sid = d->memtype_server;
		count(d, ROUTE_WP_WRITE_IOREQ);
	} else if (wp) {
		count(d, ROUTE_WP_RETRY);
		rc = -EAGAIN;
	} else if (t0 == P2M_RAM_RO || t1 == P2M_RAM_RO) {
		unsigned int first = SIM_PAGE - (unsigned int)(gpa & (SIM_PAGE - 1));

		if (first > size)
			first = size;
		if (t0 != P2M_RAM_RO)
			memcpy(ram, val, first);
		if (t1 != P2M_RAM_RO && first < size)
			memcpy(ram + first, (uint8_t *)val + first, size - first);
		count(d, ROUTE_RO_DISCARD);
	} else {
		memcpy(ram, val, size);
		count(d, ROUTE_RAM_WRITE);
	}
	sim_unlock(c->m);
	if (sid >= 0)
		return sync_ioreq(c, NULL, sid, IOREQ_TYPE_COPY, gpa, size, true, val);
	if (!write) {
		*val = 0;
		memcpy(val, buf, size);
	}
	return rc;
}

/*
 * Lock held (dropped on return). A single write inside the VGA window
 * (not RAM on an HVM guest): stdvga_mem_write sends it buffered to the
 * server claiming it; no ring, or a full one, falls back to a sync ioreq;
 * no claimant: dropped. Reads there are ordinary MMIO.
 */
static int
vga_write(struct sim_vcpu *c, struct sim_domain *d, uint64_t gpa, unsigned int size, uint64_t val)
{
	int sid = find_server(d, SIM_RANGE_MEMORY, gpa, gpa + size - 1);
	int rc;

	if (sid < 0) {
		count(d, ROUTE_UNCLAIMED_WRITE);
		sim_unlock(c->m);
		return 0;
	}
	rc = sim_ioreq_buffered(c->m, d, sid, IOREQ_TYPE_COPY, gpa, size, val & size_mask(size));
	count(d, rc == 0 ? ROUTE_BUFFERED : ROUTE_MMIO_IOREQ);
	sim_unlock(c->m);
	if (rc == 0)
		return 0;
	return sync_ioreq(c, NULL, sid, IOREQ_TYPE_COPY, gpa, size, true, &val);
}

static int
mem_access(struct sim_vcpu *c, uint64_t gpa, unsigned int size, bool write, uint64_t *val)
{
	struct sim_machine *m = c->m;
	struct sim_domain *d;
	uint64_t last = gpa + size - 1;
	uint8_t buf[8];
	int sid = -1;

	if ((size != 1 && size != 2 && size != 4 && size != 8) || last < gpa)
		return -EINVAL;
	memcpy(buf, val, sizeof(buf));
	sim_lock(m);
	d = sim_vcpu_domain(c);
	if (!d) {
		sim_unlock(m);
		return -ESRCH;
	}
	if ((last >> 12) < d->ram_pages && !(gpa <= VGA_MEM_END && last >= VGA_MEM_BASE)) {
		uint8_t *p2m = sim_p2m(m, d);
		uint8_t t0 = p2m[gpa >> 12], t1 = p2m[last >> 12];

		if (sim_p2m_is_ram(t0) && sim_p2m_is_ram(t1))
			return ram_access(c, d, gpa, size, write, val, t0, t1);
		/* A hole or a direct map over RAM: as above RAM. */
	}
	if (gpa <= VGA_MEM_END && last >= VGA_MEM_BASE && write && gpa >= VGA_MEM_BASE &&
	    last <= VGA_MEM_END)
		return vga_write(c, d, gpa, size, *val);
	if (sim_dmap_lookup(d, gpa >> 12, &(uint64_t){ 0 })) {
		direct_access(c, d, gpa, size, write, buf);
		count(d, write ? ROUTE_DIRECT_WRITE : ROUTE_DIRECT_READ);
		sim_unlock(m);
		if (!write) {
			*val = 0;
			memcpy(val, buf, size);
		}
		return 0;
	}
	sid = find_server(d, SIM_RANGE_MEMORY, gpa, last);
	count_claim(d, sid, ROUTE_MMIO_IOREQ, write);
	if (sid >= 0 && c->pend_sid < 0)	/* send with the lock still held */
		return sync_ioreq(c, d, sid, IOREQ_TYPE_COPY, gpa, size, write, val);
	sim_unlock(m);
	return send_or_unclaimed(c, sid, IOREQ_TYPE_COPY, gpa, size, write, val);
}

int
sim_mem_read(struct sim_vcpu *c, uint64_t gpa, unsigned int size, uint64_t *val)
{
	*val = 0;
	return mem_access(c, gpa, size, false, val);
}

int
sim_mem_write(struct sim_vcpu *c, uint64_t gpa, unsigned int size, uint64_t val)
{
	return mem_access(c, gpa, size, true, &val);
}

/*
 * Port I/O. A dword write to CF8 latches the config address
 * (hvm_access_cf8), but that handler always returns UNHANDLEABLE, so every
 * CF8 access then goes on like any port: to the server claiming it, else
 * unclaimed. Any access at (port & ~3) == 0xcfc with the latch enabled is
 * a PCI_CONFIG cycle, addr = (SBDF << 32) | reg, for the server that
 * registered the SBDF; with no such server it is unclaimed (all-ones),
 * never a port access (x86 arch_ioreq_server_get_type_addr).
 */
static int
pio_access(struct sim_vcpu *c, uint16_t port, unsigned int size, bool write, uint64_t *val)
{
	struct sim_machine *m = c->m;
	struct sim_domain *d;
	uint8_t type = IOREQ_TYPE_PIO;
	uint64_t addr = port;
	int sid;

	if ((size != 1 && size != 2 && size != 4) || port + size - 1 > 0xffff)
		return -EINVAL;
	sim_lock(m);
	d = sim_vcpu_domain(c);
	if (!d) {
		sim_unlock(m);
		return -ESRCH;
	}
	if (port == PCI_CF8 && size == 4 && write) {
		d->cf8 = (uint32_t)*val;
		count(d, ROUTE_CF8);
	}
	if ((port & ~3u) == PCI_CFC && (d->cf8 & 0x80000000u)) {
		uint64_t sbdf = (d->cf8 >> 8) & 0xffff; /* segment 0 */
		uint64_t reg = (d->cf8 & 0xfc) | (port & 3u);

		type = IOREQ_TYPE_PCI_CONFIG;
		addr = (sbdf << 32) | reg;
		sid = find_server(d, SIM_RANGE_PCI, sbdf, sbdf);
		count_claim(d, sid, ROUTE_PCI_IOREQ, write);
	} else {
		sid = find_server(d, SIM_RANGE_PORT, port, port + size - 1u);
		count_claim(d, sid, ROUTE_PIO_IOREQ, write);
	}
	sim_unlock(m);
	return send_or_unclaimed(c, sid, type, addr, size, write, val);
}

int
sim_pio_read(struct sim_vcpu *c, uint16_t port, unsigned int size, uint32_t *val)
{
	uint64_t v = 0;
	int rc = pio_access(c, port, size, false, &v);

	*val = (uint32_t)v;
	return rc;
}

int
sim_pio_write(struct sim_vcpu *c, uint16_t port, unsigned int size, uint32_t val)
{
	uint64_t v = val;

	return pio_access(c, port, size, true, &v);
}

#define SIM_MAX_REPS 4096	/* hvmemul_virtual_to_linear / hvmemul_linear_to_phys clip */

/* Lock held. Are all pages of guest RAM [lo, hi] RAM in the p2m (hvmemul_acquire_page)? */
static bool
ram_span_ok(struct sim_machine *m, struct sim_domain *d, uint64_t lo, uint64_t hi)
{
	uint8_t *p2m = sim_p2m(m, d);

	if ((hi >> 12) >= d->ram_pages)
		return false;
	for (uint64_t g = lo >> 12; g <= hi >> 12; g++)
		if (!sim_p2m_is_ram(p2m[g]))
			return false;
	return true;
}

/*
 * Reps one ioreq may carry, as xen/arch/x86/hvm/emulate.c decides it.
 * hvmemul_do_io_addr keeps the RAM side in one page: forwards
 * (PAGE_SIZE - off) / size, backwards ((off + size - 1) & ~PAGE_MASK) /
 * size (one short of what fits when off is item-aligned: Xen's formula);
 * 0 means the first item straddles two pages: one rep, both pages.
 * hvmemul_do_io then truncates rep MMIO at a gfn boundary of the device
 * address: 1 if a single item straddles, else forwards tail / size,
 * backwards (off + size) / size.
 */
static uint32_t
rep_chunk(bool is_pio, uint64_t dev_addr, uint64_t ram_gpa, unsigned int size, uint32_t reps,
	  bool df)
{
	unsigned int off = (unsigned int)(ram_gpa & (SIM_PAGE - 1));
	uint32_t n = (df ? ((off + size - 1) & (SIM_PAGE - 1)) : SIM_PAGE - off) / size;

	if (n > reps)
		n = reps;
	if (n == 0)
		n = 1;
	if (!is_pio && n > 1) {
		unsigned int doff = (unsigned int)(dev_addr & (SIM_PAGE - 1)), tail = SIM_PAGE - doff;
		uint32_t fit = (df ? doff + size : tail) / size;

		if (tail < size)
			n = 1;
		else if (fit < n)
			n = fit;
	}
	return n;
}

/*
 * One ioreq of a rep: n items, data_is_ptr, data = ram_gpa (its first
 * item), df. The server is chosen for this piece alone
 * (ioreq_server_select: MMIO from ioreq_mmio_first_byte to last_byte; PIO
 * the one port). Unclaimed: the null handler, which writes all-ones into
 * the RAM items of a read and drops a write.
 */
static int
rep_send(struct sim_vcpu *c, bool is_pio, bool to_dev, uint64_t dev_addr, uint64_t ram_gpa,
	 unsigned int size, uint32_t n, bool df)
{
	struct sim_machine *m = c->m;
	uint64_t span = (uint64_t)n * size;
	uint64_t ram_lo = df ? ram_gpa - (span - size) : ram_gpa;
	uint64_t lo = is_pio ? dev_addr : df ? dev_addr - (span - size) : dev_addr;
	uint64_t hi = is_pio ? dev_addr + size - 1 : lo + span - 1;
	struct sim_domain *d;
	ioreq_t r;
	int sid;

	sim_lock(m);
	d = sim_vcpu_domain(c);
	if (!d) {
		sim_unlock(m);
		return -ESRCH;
	}
	if (!ram_span_ok(m, d, ram_lo, ram_lo + span - 1)) {
		sim_unlock(m);
		return -EINVAL;
	}
	sid = find_server(d, is_pio ? SIM_RANGE_PORT : SIM_RANGE_MEMORY, lo, hi);
	if (sid < 0) {
		count(d, to_dev ? ROUTE_UNCLAIMED_WRITE : ROUTE_UNCLAIMED_READ);
		if (!to_dev)
			memset(m->mem + d->mem_base + ram_lo, 0xff, span);
		sim_unlock(m);
		return 0;
	}
	count(d, is_pio ? ROUTE_PIO_IOREQ : ROUTE_MMIO_IOREQ);
	sim_unlock(m);
	memset(&r, 0, sizeof(r));
	r.type = is_pio ? IOREQ_TYPE_PIO : IOREQ_TYPE_COPY;
	r.addr = dev_addr;
	r.data = ram_gpa;
	r.data_is_ptr = 1;
	r.count = n;
	r.size = size;
	r.df = df;
	r.dir = to_dev ? IOREQ_WRITE : IOREQ_READ;
	return sim_ioreq_sync(c, sid, &r);
}

/*
 * rep ins/outs/movs between a device and guest RAM, as Xen emulates it:
 * each pass takes at most SIM_MAX_REPS, sends one ioreq of rep_chunk()
 * items, and the instruction re-executes for the rest (mmio_retry), both
 * addresses moved on by the items done. Only the device side of an MMIO
 * rep moves (PIO: the same port). The whole span of each side must not
 * wrap; the RAM items must be guest RAM (else Xen's emulator refuses
 * the fast path: -EINVAL). Deviation: the device side is taken to be
 * MMIO (p2m_mmio_dm) whatever the p2m says there; for RAM or a direct map
 * Xen would copy without an ioreq, and for the RAM side in a hole it would
 * fall back to one-item emulation; the sim refuses only the latter.
 */
int
sim_rep(struct sim_vcpu *c, bool is_pio, bool to_dev, uint64_t dev_addr, uint64_t ram_gpa,
	unsigned int size, uint32_t count_, bool df)
{
	uint64_t span = (uint64_t)count_ * size;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return -EINVAL;
	if (is_pio && (size == 8 || dev_addr + size - 1 > 0xffff))
		return -EINVAL;
	if (!count_)
		return 0;
	if (df ? ram_gpa < span - size || (!is_pio && dev_addr < span - size) :
		 ram_gpa + span - 1 < ram_gpa || (!is_pio && dev_addr + span - 1 < dev_addr))
		return -EINVAL;
	while (count_) {
		uint32_t n = rep_chunk(is_pio, dev_addr, ram_gpa, size,
				       count_ < SIM_MAX_REPS ? count_ : SIM_MAX_REPS, df);
		uint64_t step = (uint64_t)n * size;
		int rc = rep_send(c, is_pio, to_dev, dev_addr, ram_gpa, size, n, df);

		if (rc)
			return rc;
		if (!is_pio)
			dev_addr = df ? dev_addr - step : dev_addr + step;
		ram_gpa = df ? ram_gpa - step : ram_gpa + step;
		count_ -= n;
	}
	return 0;
}

/*
 * INVALIDATE goes synchronously to every enabled server, in
 * FOR_EACH_IOREQ_SERVER order (ioreq_broadcast); each must answer.
 */
int
sim_broadcast_invalidate(struct sim_vcpu *c)
{
	int rc = 0;

	for (int sid = SIM_MAX_SERVERS - 1; sid >= 0; sid--) {
		struct sim_domain *d;
		bool on;
		ioreq_t r;

		sim_lock(c->m);
		d = sim_vcpu_domain(c);
		on = d && d->srv[sid].used && d->srv[sid].enabled;
		if (on)
			count(d, ROUTE_BROADCAST);
		sim_unlock(c->m);
		if (!d)
			return -ESRCH;
		if (!on)
			continue;
		memset(&r, 0, sizeof(r));
		r.type = IOREQ_TYPE_INVALIDATE; /* count 0, as ioreq_signal_mapcache_invalidate */
		r.size = 4;
		r.dir = IOREQ_WRITE;
		r.data = ~0ull;
		int e = sim_ioreq_sync(c, sid, &r);

		if (e && !rc)
			rc = e;
	}
	return rc;
}

/* TIMEOFFSET is only ever sent buffered; servers without a ring (or full) miss it. */
int
sim_broadcast_timeoffset(struct sim_vcpu *c, uint64_t offset)
{
	struct sim_domain *d;

	sim_lock(c->m);
	d = sim_vcpu_domain(c);
	if (!d) {
		sim_unlock(c->m);
		return -ESRCH;
	}
	for (int sid = SIM_MAX_SERVERS - 1; sid >= 0; sid--)
		if (d->srv[sid].used && d->srv[sid].enabled &&
		    sim_ioreq_buffered(c->m, d, sid, IOREQ_TYPE_TIMEOFFSET, 0, 8, offset) == 0)
			count(d, ROUTE_BROADCAST);
	sim_unlock(c->m);
	return 0;
}

/*
 * A write stdvga would buffer (addr < 1 MiB) to the server claiming it;
 * without a ring, or with the ring full, it goes synchronously instead.
 */
int
sim_buffered_write(struct sim_vcpu *c, uint64_t addr, unsigned int size, uint64_t val)
{
	struct sim_domain *d;

	if (addr + size > 0x100000 || (size != 1 && size != 2 && size != 4 && size != 8))
		return -EINVAL;
	sim_lock(c->m);
	d = sim_vcpu_domain(c);
	if (!d) {
		sim_unlock(c->m);
		return -ESRCH;
	}
	return vga_write(c, d, addr, size, val);
}

struct xensim_waiter *
sim_vcpu_waiter(struct sim_vcpu *c)
{
	return &c->m->st->h[c->slot].wake;
}

int
sim_vcpu_wait(struct sim_vcpu *c, bool (*done)(void *arg), void *arg, uint64_t spin_ns,
	      uint64_t deadline_ms)
{
	return xensim_wait(sim_vcpu_waiter(c), done, arg, spin_ns,
			   deadline_ms ? deadline_ms * 1000000ull : 0);
}

struct msi_wait {
	struct sim_vcpu *c;
	bool gone;		/* the domain went away or crashed */
	bool got;
	uint64_t *addr;
	uint32_t *data;
};

/* Take the next MSI not seen yet, if any (sim_vcpu_wait's condition). */
static bool
msi_take(void *arg)
{
	struct msi_wait *w = arg;
	struct sim_vcpu *c = w->c;
	struct sim_domain *d;

	sim_lock(c->m);
	d = sim_vcpu_domain(c);
	if (!d) {
		w->gone = true;
	} else {
		if (d->msi_count - c->msi_seen > SIM_MSI_LOG)
			c->msi_seen = d->msi_count - SIM_MSI_LOG;
		if (c->msi_seen < d->msi_count) {
			if (w->addr)
				*w->addr = d->msi[c->msi_seen % SIM_MSI_LOG].addr;
			if (w->data)
				*w->data = d->msi[c->msi_seen % SIM_MSI_LOG].data;
			c->msi_seen++;
			w->got = true;
		}
	}
	sim_unlock(c->m);
	return w->gone || w->got;
}

/* inject_msi rings the vCPU's doorbell; no spin: an MSI is not an answer. */
int
sim_wait_msi(struct sim_vcpu *c, int timeout_ms, uint64_t *addr, uint32_t *data)
{
	struct msi_wait w = { .c = c, .addr = addr, .data = data };
	uint64_t deadline = sim_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	int rc = sim_vcpu_wait(c, msi_take, &w, 0, deadline);

	if (w.gone)
		return -ESRCH;
	return w.got ? 0 : rc ? rc : -ETIMEDOUT;
}

uint64_t
sim_msi_count(struct sim_vcpu *c)
{
	struct sim_domain *d;
	uint64_t n = 0;

	sim_lock(c->m);
	d = sim_vcpu_domain(c);
	if (d)
		n = d->msi_count;
	sim_unlock(c->m);
	return n;
}

void *
sim_guest_ram(struct sim_vcpu *c, uint64_t gpa, size_t len)
{
	struct sim_domain *d;
	void *p = NULL;

	sim_lock(c->m);
	d = sim_vcpu_domain(c);
	if (d && len && gpa + len > gpa && ((gpa + len - 1) >> 12) < d->ram_pages)
		p = c->m->mem + d->mem_base + gpa;
	sim_unlock(c->m);
	return p;
}
