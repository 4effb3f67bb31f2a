/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_ioreq.c — the ioreq path end to end: a forked child plays
 * the device model with the real libxen* calls (create, map_resource,
 * enable, bind vp_eport, poll, answer, drain the buffered ring) while the
 * parent is the guest vCPU. Checks answers, route counters, PCI_CONFIG
 * encoding, COPY on write-protected pages, rep, ring wrap-around,
 * INVALIDATE, TIMEOFFSET, MSI, unclaimed accesses; and Xen's wait_for_io:
 * a vCPU blocked for ever by a silent or dead DM (a harness deadline is a
 * reported failure), the NONE / backwards / unknown state exits.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#include "sim/sim_int.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

#define MMIO_BASE 0xe0000000ull
#define MMIO_END 0xe0000fffull
#define PORT_BASE 0x1000
#define WP_GFN 0x40
#define NBUF 600	/* 8-byte buffered writes: > 2 laps of the 511-slot ring */
#define MAX_REC 256
#define VGA_LOG 0xb8000ull	/* buffered writes from here on are logged in arrival order */
#define MAX_VGA 16

struct rec {
	uint8_t type, dir, df, data_is_ptr;
	uint32_t size, count;
	uint64_t addr, data;
};

/* Shared between the DM child and the guest parent. */
struct shared {
	volatile int ready, quit;
	uint32_t server;
	volatile uint32_t nrec;
	struct rec rec[MAX_REC];
	volatile uint32_t nbuf;
	uint64_t buf_seen[NBUF];	/* value of each buffered write by index */
	volatile uint32_t timeoffsets;
	uint64_t timeoffset;
	volatile uint32_t nvga;
	struct {
		uint32_t addr, size;	/* size: the buf_ioreq_t code 0..3 */
		uint64_t data;
	} vga[MAX_VGA];
};

static char mach[64];

static uint64_t
answer(const ioreq_t *r)
{
	switch (r->type) {
	case IOREQ_TYPE_COPY:
		return 0x1111000000000000ull | r->addr;
	case IOREQ_TYPE_PIO:
		return 0x5500u + r->addr;
	case IOREQ_TYPE_PCI_CONFIG:
		return 0xabcd0000u | (uint32_t)(r->addr & 0xff);
	default:
		return 0x77;
	}
}

static void
record(struct shared *sh, const ioreq_t *r)
{
	uint32_t n = sh->nrec;

	if (n < MAX_REC) {
		sh->rec[n] = (struct rec){ .type = r->type, .dir = r->dir, .df = r->df,
					   .data_is_ptr = r->data_is_ptr, .size = r->size,
					   .count = r->count, .addr = r->addr, .data = r->data };
		__atomic_store_n(&sh->nrec, n + 1, __ATOMIC_RELEASE);
	}
}

/* Device model side of one ioreq; writes to the WP page and rep reads touch guest RAM. */
static void
handle(struct shared *sh, xenforeignmemory_handle *fm, uint32_t domid, ioreq_t *r)
{
	record(sh, r);
	if (r->type == IOREQ_TYPE_COPY && r->dir == IOREQ_WRITE && (r->addr >> 12) == WP_GFN) {
		xen_pfn_t gfn = WP_GFN;
		uint8_t *p = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 1, &gfn, NULL);

		if (p) {
			memcpy(p + (r->addr & 0xfff), &r->data, r->size);
			xenforeignmemory_unmap(fm, p, 1);
		}
		return;
	}
	if (r->data_is_ptr && r->dir == IOREQ_READ) {
		/* rep read: item i lands at data +/- i*size (here all in one page). */
		xen_pfn_t gfn = r->data >> 12;
		uint8_t *p = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 1, &gfn, NULL);

		if (p) {
			for (uint32_t i = 0; i < r->count; i++) {
				uint64_t off = (r->data & 0xfff) + (r->df ? -(uint64_t)i : i) * r->size;
				uint32_t v = 0x100 + i;

				if (off + r->size <= 4096)
					memcpy(p + off, &v, r->size < 4 ? r->size : 4);
			}
			xenforeignmemory_unmap(fm, p, 1);
		}
		return;
	}
	if (r->dir == IOREQ_READ && !r->data_is_ptr)
		r->data = answer(r);
}

static void
drain_buffered(struct shared *sh, buffered_iopage_t *bp)
{
	for (;;) {
		uint64_t ptrs = __atomic_load_n((uint64_t *)(void *)bp, __ATOMIC_ACQUIRE);
		uint32_t rp = (uint32_t)ptrs, wp = (uint32_t)(ptrs >> 32);
		buf_ioreq_t b0, b1;
		uint64_t data;
		uint32_t n = 1;

		if (rp == wp)
			return;
		b0 = bp->buf_ioreq[rp % IOREQ_BUFFER_SLOT_NUM];
		data = b0.data;
		if (b0.size == 3) {
			b1 = bp->buf_ioreq[(rp + 1) % IOREQ_BUFFER_SLOT_NUM];
			data |= (uint64_t)b1.data << 32;
			n = 2;
		}
		if (b0.type == IOREQ_TYPE_TIMEOFFSET) {
			sh->timeoffset = data;
			__atomic_fetch_add(&sh->timeoffsets, 1, __ATOMIC_RELEASE);
		} else if (b0.type == IOREQ_TYPE_COPY && b0.addr >= VGA_LOG) {
			uint32_t k = sh->nvga;

			if (k < MAX_VGA) {
				sh->vga[k].addr = b0.addr;
				sh->vga[k].size = b0.size;
				sh->vga[k].data = data;
				__atomic_store_n(&sh->nvga, k + 1, __ATOMIC_RELEASE);
			}
		} else if (b0.type == IOREQ_TYPE_COPY && b0.addr >= 0xa0000) {
			uint32_t idx = (b0.addr - 0xa0000) / 8;

			if (idx < NBUF)
				sh->buf_seen[idx] = data;
			__atomic_fetch_add(&sh->nbuf, 1, __ATOMIC_RELEASE);
		}
		/* ATOMIC mode: Xen may rebase both pointers; only ever add. */
		__atomic_fetch_add(&bp->read_pointer, n, __ATOMIC_RELEASE);
	}
}

static int
dm_child(struct shared *sh, uint32_t domid)
{
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xenforeignmemory_resource_handle *res;
	evtchn_port_t bufport;
	xenevtchn_port_or_error_t local, buflocal;
	buffered_iopage_t *bp;
	shared_iopage_t *sp;
	ioservid_t id;
	void *addr = NULL;
	time_t start = time(NULL);

	if (!dm || !fm || !xce)
		return 1;
	if (xendevicemodel_create_ioreq_server(dm, domid, HVM_IOREQSRV_BUFIOREQ_ATOMIC, &id))
		return 2;
	res = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, id, 0, 2, &addr,
					    PROT_READ | PROT_WRITE, 0);
	if (!res)
		return 3;
	bp = addr;
	sp = (shared_iopage_t *)((uint8_t *)addr + 4096);
	if (xendevicemodel_set_ioreq_server_state(dm, domid, id, 1))
		return 4;
	if (xendevicemodel_get_ioreq_server_info(dm, domid, id, NULL, NULL, &bufport))
		return 5;
	local = xenevtchn_bind_interdomain(xce, domid, sp->vcpu_ioreq[0].vp_eport);
	buflocal = xenevtchn_bind_interdomain(xce, domid, bufport);
	if (local < 0 || buflocal < 0)
		return 6;
	if (xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, MMIO_BASE, MMIO_END) ||
	    xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, 0xa0000, 0xbffff) ||
	    xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 0, PORT_BASE,
							PORT_BASE + 15) ||
	    xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 0, 0xcf8, 0xcff) ||
	    xendevicemodel_map_pcidev_to_ioreq_server(dm, domid, id, 0, 0, 2, 0) ||
	    xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id, HVMMEM_ioreq_server,
							XEN_DMOP_IOREQ_MEM_ACCESS_WRITE) ||
	    xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, WP_GFN, 1))
		return 7;
	if (xendevicemodel_inject_msi(dm, domid, 0xfee00000, 0x4041))
		return 8;
	sh->server = id;
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	while (!sh->quit && time(NULL) - start < 30) {
		struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
		xenevtchn_port_or_error_t port;
		ioreq_t *r = &sp->vcpu_ioreq[0];

		poll(&pfd, 1, 20);
		while ((port = xenevtchn_pending(xce)) >= 0)
			xenevtchn_unmask(xce, (evtchn_port_t)port);
		drain_buffered(sh, bp);
		if (r->state != STATE_IOREQ_READY)
			continue;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		r->state = STATE_IOREQ_INPROCESS;
		handle(sh, fm, domid, r);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		r->state = STATE_IORESP_READY;
		xenevtchn_notify(xce, (evtchn_port_t)local);
	}
	drain_buffered(sh, bp);
	xendevicemodel_destroy_ioreq_server(dm, domid, id);
	xenforeignmemory_unmap_resource(fm, res);
	xenevtchn_close(xce);
	xenforeignmemory_close(fm);
	xendevicemodel_close(dm);
	return 0;
}

static const struct rec *
last_rec(struct shared *sh)
{
	uint32_t n = __atomic_load_n(&sh->nrec, __ATOMIC_ACQUIRE);

	return n ? &sh->rec[n - 1] : NULL;
}

static void
wait_until(volatile uint32_t *v, uint32_t want)
{
	for (int i = 0; i < 500 && __atomic_load_n(v, __ATOMIC_ACQUIRE) < want; i++)
		usleep(10000);
}

static void
test_roundtrip(void)
{
	struct shared *sh;
	struct sim_vcpu *c;
	uint64_t counts[ROUTE_NR], v = 0, msi_addr = 0, before;
	uint32_t pv = 0, msi_data = 0;
	const struct rec *r;
	uint32_t *ram;
	pid_t pid;
	int domid, status;
	struct sim_raw_ioreq raw;

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	domid = xensim_domain_create(mach, 64, 1);
	CU_ASSERT_FATAL(domid > 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(dm_child(sh, domid));
	for (int i = 0; i < 500 && !sh->ready; i++)
		usleep(10000);
	CU_ASSERT_FATAL(sh->ready);
	CU_ASSERT_EQUAL(xensim_domain_unpause(mach, domid), 0);

	/* MSI injected by the DM during set-up. */
	CU_ASSERT_EQUAL(sim_wait_msi(c, 2000, &msi_addr, &msi_data), 0);
	CU_ASSERT_EQUAL(msi_addr, 0xfee00000);
	CU_ASSERT_EQUAL(msi_data, 0x4041);
	CU_ASSERT_EQUAL(sim_msi_count(c), 1);
	CU_ASSERT_EQUAL(sim_wait_msi(c, 20, NULL, NULL), -ETIMEDOUT);

	/* MMIO read and write inside the claimed range. */
	CU_ASSERT_EQUAL(sim_mem_read(c, MMIO_BASE + 0x10, 4, &v), 0);
	CU_ASSERT_EQUAL(v, (0x1111000000000000ull | (MMIO_BASE + 0x10)) & 0xffffffff);
	r = last_rec(sh);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r->type, IOREQ_TYPE_COPY);
	CU_ASSERT_EQUAL(r->dir, IOREQ_READ);
	CU_ASSERT_EQUAL(r->size, 4);
	CU_ASSERT_EQUAL(r->count, 1);
	CU_ASSERT_EQUAL(sim_mem_write(c, MMIO_BASE + 0x20, 8, 0x0123456789abcdefull), 0);
	r = last_rec(sh);
	CU_ASSERT_EQUAL(r->dir, IOREQ_WRITE);
	CU_ASSERT_EQUAL(r->data, 0x0123456789abcdefull);
	CU_ASSERT_EQUAL(r->addr, MMIO_BASE + 0x20);
	/* Straddling the end of the range: not the server's; unclaimed all-ones. */
	CU_ASSERT_EQUAL(sim_mem_read(c, MMIO_END - 1, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffff);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0xd0000000, 8, &v), 0);
	CU_ASSERT_EQUAL(v, ~0ull);

	/* Port I/O. */
	CU_ASSERT_EQUAL(sim_pio_read(c, PORT_BASE + 4, 2, &pv), 0);
	CU_ASSERT_EQUAL(pv, 0x5500u + PORT_BASE + 4);
	CU_ASSERT_EQUAL(last_rec(sh)->type, IOREQ_TYPE_PIO);
	CU_ASSERT_EQUAL(sim_pio_write(c, PORT_BASE + 8, 1, 0x5a), 0);
	CU_ASSERT_EQUAL(last_rec(sh)->data, 0x5a);

	/*
	 * CF8/CFC for 00:02.0 register 0x10, byte 2 -> PCI_CONFIG (SBDF << 32) | 0x12.
	 * The DM also claims ports 0xcf8-0xcff: a CF8 access is latched (dword
	 * writes) AND forwarded as port I/O; CFC with the latch on is PCI_CONFIG
	 * or nothing, never port I/O.
	 */
	before = sh->nrec;
	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcf8, 4, 0x80000000u | (2u << 11) | 0x10), 0);
	CU_ASSERT_EQUAL(sh->nrec, before + 1);
	CU_ASSERT_EQUAL(last_rec(sh)->type, IOREQ_TYPE_PIO);
	CU_ASSERT_EQUAL(last_rec(sh)->addr, 0xcf8);
	CU_ASSERT_EQUAL(last_rec(sh)->data, 0x80000000u | (2u << 11) | 0x10);
	CU_ASSERT_EQUAL(sim_pio_read(c, 0xcf8, 4, &pv), 0);
	CU_ASSERT_EQUAL(pv, 0x5500u + 0xcf8); /* the claimant's answer, not the latch */
	CU_ASSERT_EQUAL(last_rec(sh)->dir, IOREQ_READ);
	/* A byte write to CF8 is forwarded but does not latch. */
	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcf8, 1, 0), 0);
	CU_ASSERT_EQUAL(last_rec(sh)->size, 1);
	CU_ASSERT_EQUAL(sim_pio_read(c, 0xcfe, 2, &pv), 0);
	CU_ASSERT_EQUAL(pv, 0x0012);
	r = last_rec(sh);
	CU_ASSERT_EQUAL(r->type, IOREQ_TYPE_PCI_CONFIG);
	CU_ASSERT_EQUAL(r->addr, ((uint64_t)XEN_DMOP_PCI_SBDF(0, 0, 2, 0) << 32) | 0x12);
	CU_ASSERT_EQUAL(r->size, 2);
	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcfc, 4, 0xfffffff0u), 0);
	CU_ASSERT_EQUAL(last_rec(sh)->data, 0xfffffff0u);
	CU_ASSERT_EQUAL(last_rec(sh)->addr, ((uint64_t)0x10 << 32) | 0x10);
	/* 00:03.0 is nobody's: all-ones, and the 0xcfc port claimant never sees it. */
	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcf8, 4, 0x80000000u | (3u << 11)), 0);
	before = sh->nrec;
	CU_ASSERT_EQUAL(sim_pio_read(c, 0xcfc, 4, &pv), 0);
	CU_ASSERT_EQUAL(pv, 0xffffffffu);
	CU_ASSERT_EQUAL(sh->nrec, before);
	/* Latch off: CFC is plain port I/O to its claimant. */
	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcf8, 4, 0), 0);
	CU_ASSERT_EQUAL(sim_pio_read(c, 0xcfd, 1, &pv), 0);
	CU_ASSERT_EQUAL(pv, (0x5500u + 0xcfd) & 0xff);
	CU_ASSERT_EQUAL(last_rec(sh)->type, IOREQ_TYPE_PIO);
	CU_ASSERT_EQUAL(last_rec(sh)->addr, 0xcfd);

	/* Write-protected page: write -> COPY ioreq (DM completes it), reads direct. */
	ram = sim_guest_ram(c, (WP_GFN << 12) + 8, 4);
	CU_ASSERT_FATAL(ram != NULL);
	*ram = 0x11111111;
	before = sh->nrec;
	CU_ASSERT_EQUAL(sim_mem_write(c, (WP_GFN << 12) + 8, 4, 0x22222222), 0);
	CU_ASSERT_EQUAL(sh->nrec, before + 1);
	r = last_rec(sh);
	CU_ASSERT_EQUAL(r->type, IOREQ_TYPE_COPY);
	CU_ASSERT_EQUAL(r->dir, IOREQ_WRITE);
	CU_ASSERT_EQUAL(r->addr, (WP_GFN << 12) + 8);
	CU_ASSERT_EQUAL(sim_mem_read(c, (WP_GFN << 12) + 8, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x22222222);
	CU_ASSERT_EQUAL(sh->nrec, before + 1); /* the read did not trap */

	/*
	 * rep ins from MMIO into RAM, backwards (df): Xen's RAM-side count is
	 * ((0xc + 4 - 1) & 0xfff) / 4 = 3 items, then one more ioreq for the
	 * item at the start of the page (hvmemul_do_io_addr).
	 */
	before = sh->nrec;
	CU_ASSERT_EQUAL(sim_rep(c, false, false, MMIO_BASE + 0x10c, 0x500c, 4, 4, true), 0);
	CU_ASSERT_EQUAL_FATAL(sh->nrec, before + 2);
	r = &sh->rec[before];
	CU_ASSERT_EQUAL(r->count, 3);
	CU_ASSERT_EQUAL(r->data_is_ptr, 1);
	CU_ASSERT_EQUAL(r->df, 1);
	CU_ASSERT_EQUAL(r->data, 0x500c);
	CU_ASSERT_EQUAL(r->addr, MMIO_BASE + 0x10c);
	r = last_rec(sh);
	CU_ASSERT_EQUAL(r->count, 1);
	CU_ASSERT_EQUAL(r->data, 0x5000);
	CU_ASSERT_EQUAL(r->addr, MMIO_BASE + 0x100);
	ram = sim_guest_ram(c, 0x5000, 16);
	CU_ASSERT_FATAL(ram != NULL);
	CU_ASSERT_EQUAL(ram[3], 0x100);
	CU_ASSERT_EQUAL(ram[1], 0x102);
	CU_ASSERT_EQUAL(ram[0], 0x100); /* the second ioreq's first item */
	/*
	 * rep whose span leaves the range at a page end: hvmemul_do_io cuts it
	 * there; the claimed half is served, the rest is unclaimed (all-ones).
	 */
	CU_ASSERT_EQUAL(sim_rep(c, false, false, MMIO_END - 7, 0x6000, 4, 4, false), 0);
	CU_ASSERT_EQUAL(last_rec(sh)->count, 2);
	ram = sim_guest_ram(c, 0x6000, 16);
	CU_ASSERT_EQUAL(ram[0], 0x100);
	CU_ASSERT_EQUAL(ram[1], 0x101);
	CU_ASSERT_EQUAL(ram[2], 0xffffffffu);
	CU_ASSERT_EQUAL(ram[3], 0xffffffffu);

	/* INVALIDATE must be answered; TIMEOFFSET goes on the ring. */
	CU_ASSERT_EQUAL(sim_broadcast_invalidate(c), 0);
	CU_ASSERT_EQUAL(last_rec(sh)->type, IOREQ_TYPE_INVALIDATE);
	CU_ASSERT_EQUAL(last_rec(sh)->count, 0); /* as ioreq_signal_mapcache_invalidate */
	CU_ASSERT_EQUAL(last_rec(sh)->size, 4);
	CU_ASSERT_EQUAL(sim_broadcast_timeoffset(c, 0x1234567890ull), 0);
	wait_until(&sh->timeoffsets, 1);
	CU_ASSERT_EQUAL(sh->timeoffsets, 1);
	CU_ASSERT_EQUAL(sh->timeoffset, 0x1234567890ull);

	/* A malformed request is delivered as is. */
	memset(&raw, 0, sizeof(raw));
	raw.type = 0x42;
	raw.size = 3;
	raw.count = 0xffffffffu;
	raw.dir = IOREQ_READ;
	raw.addr = 0xdead;
	CU_ASSERT_EQUAL(sim_send_raw_ioreq(c, sh->server, &raw), 0);
	CU_ASSERT_EQUAL(raw.data, 0x77);
	CU_ASSERT_EQUAL(last_rec(sh)->type, 0x42);
	CU_ASSERT_EQUAL(last_rec(sh)->count, 0xffffffffu);
	CU_ASSERT_EQUAL(sim_send_raw_ioreq(c, 7, &raw), -ENOENT);

	/* Buffered ring: 600 two-slot writes wrap it more than twice. */
	for (uint32_t i = 0; i < NBUF; i++)
		CU_ASSERT_EQUAL(sim_buffered_write(c, 0xa0000 + i * 8, 8,
						   ((uint64_t)(i + 1) << 32) | (0xbeef0000u + i)),
				0);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, counts), 0);
	/* Writes the ring had no room for went synchronously (recorded as COPY). */
	wait_until(&sh->nbuf, (uint32_t)counts[ROUTE_BUFFERED]);
	CU_ASSERT_EQUAL(sh->nbuf, counts[ROUTE_BUFFERED]);
	CU_ASSERT(counts[ROUTE_BUFFERED] > 2 * IOREQ_BUFFER_SLOT_NUM / 2);
	{
		uint32_t ok = 0;

		for (uint32_t i = 0; i < NBUF; i++)
			ok += sh->buf_seen[i] == (((uint64_t)(i + 1) << 32) | (0xbeef0000u + i));
		CU_ASSERT_EQUAL(ok, counts[ROUTE_BUFFERED]);
	}
	{
		/* ATOMIC: Xen rebased both pointers as the reader passed each lap. */
		xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
		xenforeignmemory_resource_handle *res;
		void *addr = NULL;

		CU_ASSERT_FATAL(fm != NULL);
		res = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server,
						    sh->server, 0, 1, &addr, PROT_READ, 0);
		CU_ASSERT_FATAL(res != NULL);
		/*
		 * Xen rebases only when it sends, and only once the reader has
		 * passed a lap, so after the last send read_pointer < 511 and at
		 * most a ring's worth is queued: write_pointer < 2 * 511, far below
		 * the 2 * NBUF slots written, however slow the reader was.
		 */
		CU_ASSERT(((buffered_iopage_t *)addr)->write_pointer < 2 * IOREQ_BUFFER_SLOT_NUM);
		xenforeignmemory_unmap_resource(fm, res);
		xenforeignmemory_close(fm);
	}

	/* Route counters: ground truth of everything above. */
	CU_ASSERT_EQUAL(counts[ROUTE_MMIO_IOREQ], 5 + (NBUF - counts[ROUTE_BUFFERED]));
	CU_ASSERT_EQUAL(counts[ROUTE_PIO_IOREQ], 2 + 6); /* + four CF8 writes, a CF8 read, a CFD read */
	CU_ASSERT_EQUAL(counts[ROUTE_PCI_IOREQ], 2);
	CU_ASSERT_EQUAL(counts[ROUTE_CF8], 3); /* dword writes only */
	CU_ASSERT_EQUAL(counts[ROUTE_UNCLAIMED_READ], 4);
	CU_ASSERT_EQUAL(counts[ROUTE_WP_WRITE_IOREQ], 1);
	CU_ASSERT_EQUAL(counts[ROUTE_WP_READ], 1);
	CU_ASSERT_EQUAL(counts[ROUTE_BROADCAST], 2);
	CU_ASSERT_EQUAL(counts[ROUTE_RAM_READ], 0);

	/*
	 * Ordinary guest writes into the VGA window (stdvga): buffered to the
	 * claimant, arriving in order with their sizes and values, 8-byte ones
	 * in two slots; a read there is a synchronous COPY.
	 */
	{
		static const struct {
			uint64_t addr;
			unsigned int size, code;
			uint64_t val;
		} w[] = {
			{ VGA_LOG + 0x10, 1, 0, 0x5a },
			{ VGA_LOG + 0x02, 2, 1, 0xbeef },
			{ VGA_LOG + 0x04, 4, 2, 0xcafef00d },
			{ VGA_LOG + 0x08, 8, 3, 0x8877665544332211ull },
			{ VGA_LOG + 0x00, 8, 3, 0xfedcba9876543210ull },
			{ VGA_LOG + 0x11, 1, 0, 0xa5 },
		};
		uint64_t c2[ROUTE_NR];
		unsigned int n = sizeof(w) / sizeof(w[0]);

		for (unsigned int i = 0; i < n; i++)
			CU_ASSERT_EQUAL(sim_mem_write(c, w[i].addr, w[i].size, w[i].val), 0);
		wait_until(&sh->nvga, n);
		CU_ASSERT_EQUAL_FATAL(sh->nvga, n);
		for (unsigned int i = 0; i < n; i++) {
			CU_ASSERT_EQUAL(sh->vga[i].addr, w[i].addr);
			CU_ASSERT_EQUAL(sh->vga[i].size, w[i].code);
			CU_ASSERT_EQUAL(sh->vga[i].data, w[i].val);
		}
		before = sh->nrec;
		CU_ASSERT_EQUAL(sim_mem_read(c, VGA_LOG + 4, 4, &v), 0);
		CU_ASSERT_EQUAL(v, (0x1111000000000000ull | (VGA_LOG + 4)) & 0xffffffff);
		CU_ASSERT_EQUAL(sh->nrec, before + 1);
		CU_ASSERT_EQUAL(last_rec(sh)->dir, IOREQ_READ);
		CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, c2), 0);
		CU_ASSERT_EQUAL(c2[ROUTE_BUFFERED], counts[ROUTE_BUFFERED] + n);
		CU_ASSERT_EQUAL(c2[ROUTE_MMIO_IOREQ], counts[ROUTE_MMIO_IOREQ] + 1);
		CU_ASSERT_EQUAL(c2[ROUTE_RAM_WRITE], counts[ROUTE_RAM_WRITE]);
	}

	/* Stop the DM: it destroyed its server, so the range is unclaimed now. */
	sh->quit = 1;
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, MMIO_BASE, 4, &v), 0); /* server gone: unclaimed */
	CU_ASSERT_EQUAL(v, 0xffffffff);
	sim_vcpu_detach(c);
	munmap(sh, sizeof(*sh));
	test_machine_done(mach);
}

/* What the scripted device model does with each READY request. */
enum dm_mode {
	DM_SILENT,	/* never answers */
	DM_ANSWER,	/* INPROCESS, data = DM_ANSWER_BASE + n, IORESP_READY, notify */
	DM_NONE,	/* sets the slot back to NONE and notifies */
	DM_BACKWARDS,	/* INPROCESS, notify, then READY again, notify */
	DM_WEIRD,	/* an unknown state (7), notify */
	DM_LATE,	/* answers like DM_ANSWER once release is set */
	DM_MUTE,	/* once the vCPU sleeps, answers like DM_ANSWER but notifies only
			 * once release is set */
};
#define DM_ANSWER_BASE 0x4200u
#define SCRIPT_VCPUS 2

struct script {
	volatile int ready, quit, release;
	volatile int mode;
	volatile uint32_t seen;		/* READY requests taken */
	volatile int owed;		/* DM_MUTE: 1 + the vCPU whose notification is held */
	uint32_t server;
};

static void
script_notify(xenevtchn_handle *xce, xenevtchn_port_or_error_t port)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	xenevtchn_notify(xce, (evtchn_port_t)port);
}

/* One READY slot handled per mode; false while it must wait (DM_LATE). */
static bool
script_handle(struct script *sh, xenevtchn_handle *xce, xenevtchn_port_or_error_t port,
	      ioreq_t *r)
{
	switch (sh->mode) {
	case DM_SILENT:
		return false;
	case DM_LATE:
		if (!sh->release)
			return false;
		/* fall through */
	case DM_MUTE:
	case DM_ANSWER:
		r->state = STATE_IOREQ_INPROCESS;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r->data = DM_ANSWER_BASE + sh->seen;
		__atomic_thread_fence(__ATOMIC_RELEASE);
		r->state = STATE_IORESP_READY;
		break;
	case DM_NONE:
		r->state = STATE_IOREQ_NONE;
		break;
	case DM_BACKWARDS:
		r->state = STATE_IOREQ_INPROCESS;
		script_notify(xce, port);
		usleep(20000);
		r->state = STATE_IOREQ_READY;
		break;
	case DM_WEIRD:
		r->state = 7;
		break;
	}
	__atomic_fetch_add(&sh->seen, 1, __ATOMIC_RELEASE);
	if (sh->mode == DM_MUTE && !sh->release)
		return true;	/* answered, not notified: see script_dm */
	script_notify(xce, port);
	return true;
}

static int
script_dm(struct script *sh, uint32_t domid)
{
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xenevtchn_port_or_error_t local[SCRIPT_VCPUS];
	shared_iopage_t *sp;
	void *addr = NULL;
	ioservid_t id;

	/* Pages mapped before enable, or the ports are never published. */
	if (!dm || !fm || !xce || xendevicemodel_create_ioreq_server(dm, domid, 0, &id) ||
	    !xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, id, 1, 1,
					   &addr, PROT_READ | PROT_WRITE, 0) ||
	    xendevicemodel_set_ioreq_server_state(dm, domid, id, 1) ||
	    xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, MMIO_BASE, MMIO_END))
		return 1;
	sp = addr;
	for (int v = 0; v < SCRIPT_VCPUS; v++) {
		local[v] = xenevtchn_bind_interdomain(xce, domid, sp->vcpu_ioreq[v].vp_eport);
		if (local[v] < 0)
			return 2;
	}
	sh->server = id;
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	while (!sh->quit) {
		struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
		xenevtchn_port_or_error_t port;

		poll(&pfd, 1, 2);
		while ((port = xenevtchn_pending(xce)) >= 0)
			xenevtchn_unmask(xce, (evtchn_port_t)port);
		for (int v = 0; v < SCRIPT_VCPUS; v++) {
			ioreq_t *r = &sp->vcpu_ioreq[v];

			if (r->state != STATE_IOREQ_READY)
				continue;
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			/*
			 * DM_MUTE answers a vCPU that already sleeps: one that
			 * finds its answer there before it blocks takes it
			 * without a notification, on Xen too (wait_for_io reads
			 * the state before it waits).
			 */
			for (int t = 0; sh->mode == DM_MUTE && !sh->release && t < 500; t++) {
				struct xensim_vcpu_status st;

				if (xensim_vcpu_status(mach, domid, (unsigned int)v, &st) == 0 &&
				    st.blocked && st.asleep)
					break;
				usleep(1000);
			}
			script_handle(sh, xce, local[v], r);
			if (sh->mode == DM_MUTE && !sh->release)
				sh->owed = v + 1;
		}
		if (sh->owed && sh->release) {
			script_notify(xce, local[sh->owed - 1]);
			sh->owed = 0;
		}
	}
	return 0;
}

/* A fresh machine, a domain of SCRIPT_VCPUS vCPUs and the scripted device model (*pid). */
static uint32_t
script_start(struct script **out, pid_t *pid)
{
	struct script *sh;
	int domid;

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	domid = xensim_domain_create(mach, 16, SCRIPT_VCPUS);
	CU_ASSERT_FATAL(domid > 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	*pid = fork();
	CU_ASSERT_FATAL(*pid >= 0);
	if (*pid == 0)
		_exit(script_dm(sh, (uint32_t)domid));
	for (int i = 0; i < 500 && !__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	CU_ASSERT_FATAL(sh->ready);
	*out = sh;
	return (uint32_t)domid;
}

/* Stop the device model (unless already reaped: pid <= 0), destroy the machine. */
static void
script_stop(struct script *sh, pid_t pid)
{
	int status;

	if (pid > 0) {
		sh->quit = 1;
		waitpid(pid, &status, 0);
	}
	munmap(sh, sizeof(*sh));
	test_machine_done(mach);
}

/* Poll vCPU status until pred holds, up to ms; the last status in *st. */
static bool
status_until(uint32_t domid, unsigned int vcpu, bool (*pred)(const struct xensim_vcpu_status *),
	     int ms, struct xensim_vcpu_status *st)
{
	for (int i = 0; i <= ms; i += 5) {
		if (xensim_vcpu_status(mach, domid, vcpu, st) == 0 && pred(st))
			return true;
		usleep(5000);
	}
	return false;
}

static bool
blocked_asleep(const struct xensim_vcpu_status *st)
{
	return st->attached && st->blocked && st->asleep;
}

/*
 * Xen wait_for_io: a vCPU waits for its answer for ever. A device model
 * that never answers, and then is killed, leaves the vCPU blocked (no
 * timeout, no "the device model died" escape), as on Xen; the test
 * observes it through the sim's status and kills the vCPU itself.
 */
static void
test_dead_dm_leaves_vcpu_blocked(void)
{
	struct xensim_vcpu_status st;
	struct script *sh;
	char line[128];
	pid_t dm, vcpu;
	uint32_t domid = script_start(&sh, &dm);
	int status;

	sh->mode = DM_SILENT;
	vcpu = fork();
	CU_ASSERT_FATAL(vcpu >= 0);
	if (vcpu == 0) {
		struct sim_vcpu *c = sim_vcpu_attach(mach, domid, 1);
		uint64_t v;

		if (!c)
			_exit(1);
		sim_vcpu_set_harness_deadline(c, 0); /* wait as Xen does */
		sim_mem_read(c, MMIO_BASE + 8, 4, &v);
		_exit(2); /* never reached on a correct sim */
	}
	CU_ASSERT_FATAL(status_until(domid, 1, blocked_asleep, 5000, &st));
	CU_ASSERT_EQUAL(st.server, sh->server);
	CU_ASSERT_EQUAL(st.pid, vcpu);
	xensim_vcpu_status_str(domid, 1, &st, line, sizeof(line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "blocked on server"));
	/* The device model dies: nothing wakes the vCPU for good. */
	CU_ASSERT_EQUAL(kill(dm, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(dm, &status, 0), dm);
	/* Watch it for more than two liveness slices: still blocked, never returned. */
	for (int i = 0; i < 2 * SIM_WAIT_SLICE_MS / 10 + 20; i++) {
		CU_ASSERT_EQUAL(waitpid(vcpu, &status, WNOHANG), 0);
		CU_ASSERT_EQUAL(xensim_vcpu_status(mach, domid, 1, &st), 0);
		CU_ASSERT_TRUE(st.blocked);
		usleep(10000);
	}
	CU_ASSERT_TRUE(st.blocked_ms >= 2 * SIM_WAIT_SLICE_MS);
	CU_ASSERT_EQUAL(kill(vcpu, SIGKILL), 0);
	CU_ASSERT_EQUAL(waitpid(vcpu, &status, 0), vcpu);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	script_stop(sh, -1);
}

/* Run one read on c with stderr captured in err (the harness message). */
static int
read_capturing_stderr(struct sim_vcpu *c, uint64_t gpa, uint64_t *v, char *err, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2), rc;
	size_t n = 0;

	CU_ASSERT_FATAL(f && saved >= 0);
	fflush(stderr);
	dup2(fileno(f), 2);
	rc = sim_mem_read(c, gpa, 4, v);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(err, 1, len - 1, f);
	err[n] = '\0';
	fclose(f);
	return rc;
}

/*
 * The harness deadline is a failure, never an outcome: the access gives
 * -ETIMEDOUT with a message saying so, and the vCPU stays blocked on
 * that request; once the late answer comes, the vCPU's next access takes
 * it first, then sends its own.
 */
static void
test_harness_deadline(void)
{
	struct xensim_vcpu_status st;
	struct script *sh;
	struct sim_vcpu *c;
	char err[512];
	pid_t dm;
	uint32_t domid = script_start(&sh, &dm);
	uint64_t v = 0;

	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	sh->mode = DM_LATE;
	sim_vcpu_set_harness_deadline(c, 100);
	CU_ASSERT_EQUAL(read_capturing_stderr(c, MMIO_BASE, &v, err, sizeof(err)), -ETIMEDOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "HARNESS DEADLINE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "test failure"));
	CU_ASSERT_EQUAL(xensim_vcpu_status(mach, domid, 0, &st), 0);
	CU_ASSERT_TRUE(st.blocked);
	CU_ASSERT_EQUAL(st.server, sh->server);
	/* The late answer, then a new access: both requests reach the device model. */
	sh->release = 1;
	sim_vcpu_set_harness_deadline(c, 10000);
	CU_ASSERT_EQUAL(sim_mem_read(c, MMIO_BASE + 4, 4, &v), 0);
	CU_ASSERT_EQUAL(v, DM_ANSWER_BASE + 1);
	CU_ASSERT_EQUAL(sh->seen, 2);
	CU_ASSERT_EQUAL(xensim_vcpu_status(mach, domid, 0, &st), 0);
	CU_ASSERT_FALSE(st.blocked);
	sim_vcpu_detach(c);
	script_stop(sh, dm);
}

/*
 * An answer without a notification is no answer: Xen's vCPU, once it
 * waits, is woken by the device model's notify and by nothing else, so
 * one that writes IORESP_READY and forgets to notify leaves the vCPU
 * blocked (here until the harness deadline); the late notification
 * completes it.
 */
static void
test_answer_needs_notify(void)
{
	struct xensim_vcpu_status st;
	struct script *sh;
	struct sim_vcpu *c;
	char err[512];
	pid_t dm;
	uint32_t domid = script_start(&sh, &dm);
	uint64_t v = 0;
	int rc;

	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	sh->mode = DM_MUTE;
	sim_vcpu_set_harness_deadline(c, 300);
	rc = read_capturing_stderr(c, MMIO_BASE, &v, err, sizeof(err));
	if (rc != -ETIMEDOUT)
		printf("\n    read: %d, value %#llx, seen %u", rc, (unsigned long long)v, sh->seen);
	CU_ASSERT_EQUAL(rc, -ETIMEDOUT);
	CU_ASSERT_EQUAL(sh->seen, 1);		/* it was answered ... */
	CU_ASSERT_EQUAL(xensim_vcpu_status(mach, domid, 0, &st), 0);
	CU_ASSERT_TRUE(st.blocked);		/* ... and the vCPU still waits */
	sh->release = 1;			/* the notification, late */
	sim_vcpu_set_harness_deadline(c, 10000);
	CU_ASSERT_EQUAL(sim_mem_read(c, MMIO_BASE + 4, 4, &v), 0);
	CU_ASSERT_EQUAL(v, DM_ANSWER_BASE + 1);
	CU_ASSERT_EQUAL(sh->seen, 2);
	sim_vcpu_detach(c);
	script_stop(sh, dm);
}

/*
 * wait_for_io's other exits: a slot the device model sets back to NONE
 * ends the wait with data ~0 (a read gets all-ones); a state that moves
 * backwards (INPROCESS -> READY) or is unknown crashes the domain.
 */
static void
test_wait_for_io_states(void)
{
	static const struct {
		int mode;
		int rc;
		bool crashed;
	} cases[] = {
		{ DM_ANSWER, 0, false },
		{ DM_NONE, 0, false },
		{ DM_BACKWARDS, -ESRCH, true },
		{ DM_WEIRD, -ESRCH, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_domain_info info;
		struct script *sh;
		struct sim_vcpu *c;
		pid_t dm;
		uint32_t domid = script_start(&sh, &dm);
		uint64_t v = 0;

		c = sim_vcpu_attach(mach, domid, 0);
		CU_ASSERT_FATAL(c != NULL);
		sh->mode = cases[i].mode;
		CU_ASSERT_EQUAL(sim_mem_read(c, MMIO_BASE, 4, &v), cases[i].rc);
		if (cases[i].mode == DM_ANSWER)
			CU_ASSERT_EQUAL(v, DM_ANSWER_BASE);
		if (cases[i].mode == DM_NONE)
			CU_ASSERT_EQUAL(v, 0xffffffffu);
		CU_ASSERT_EQUAL(xensim_domain_list(mach, &info, 1), 1);
		CU_ASSERT_EQUAL(info.crashed, cases[i].crashed);
		sim_vcpu_detach(c);
		script_stop(sh, dm);
	}
}

void suite_xensim_ioreq(void);

void
suite_xensim_ioreq(void)
{
	static const struct test_case cases[] = {
		{ "round trip with a forked device model", test_roundtrip },
		{ "dead device model leaves the vCPU blocked", test_dead_dm_leaves_vcpu_blocked },
		{ "harness deadline is a reported failure", test_harness_deadline },
		{ "an answer without a notification is no answer", test_answer_needs_notify },
		{ "wait_for_io: NONE, backwards, unknown states", test_wait_for_io_states },
		{ NULL, NULL },
	};

	test_add_suite("xensim_ioreq", cases);
}
