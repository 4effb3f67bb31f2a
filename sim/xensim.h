/* SPDX-License-Identifier: MIT */
/*
 * xensim.h — the administrative face of the simulated hypervisor
 * (libxensim): machines, domains, route counters, MSI log, guest vCPUs.
 * Used by the xensim CLI, xengt-script, tests and benches; never by
 * xen-glue/, which only sees the libxen* API that libxensim implements.
 * qemu-glue/ (no Xen there) uses its machine-memory windows (xensim_mem_*).
 *
 * A machine is a set of shared-memory files named after it
 * (/dev/shm/xensim-<machine>.*). Every libxen* call made by a process
 * acts on the machine named by $XENSIM_MACHINE ("xensim" if unset).
 */
#ifndef SIM_XENSIM_H
#define SIM_XENSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XENSIM_MAX_DOMAINS 64
#define XENSIM_MAX_VCPUS 8
#define XENSIM_DEFAULT_MACHINE "xensim"

/* The emulator domain id that libxen* calls act as (dom0). */
#define XENSIM_DM_DOMID 0

/* Machine memory map (machine addresses = mfn << 12). */
#define XENSIM_MEM_SIZE (64ull << 30)	     /* sparse machine RAM backing */
#define XENSIM_APERTURE_MADDR (0x4000000000ull) /* GPU aperture BAR (machine) */
/*
 * The GPU host pool: the top of machine RAM, never given to a domain
 * (xensim_domain_create stops below it). The daemon's pgpu backend
 * allocates what the GPU runs from (shadow contexts, rings, batch copies,
 * page tables) here (sim/softgpu/pool.c); machine address = file offset.
 */
#define XENSIM_GPU_POOL_SIZE (4ull << 30)
#define XENSIM_GPU_POOL_MADDR (XENSIM_MEM_SIZE - XENSIM_GPU_POOL_SIZE)

/* What happened to a guest access: ground truth for tests. */
enum sim_route {
	ROUTE_RAM_READ,		/* RAM, direct */
	ROUTE_RAM_WRITE,
	ROUTE_WP_READ,		/* p2m_ioreq_server page read: direct */
	ROUTE_WP_WRITE_IOREQ,	/* p2m_ioreq_server page write: COPY ioreq */
	ROUTE_DIRECT_READ,	/* p2m_mmio_direct (aperture): no trap */
	ROUTE_DIRECT_WRITE,
	ROUTE_MMIO_IOREQ,	/* claimed MEMORY range: sync ioreq */
	ROUTE_PIO_IOREQ,	/* claimed PORT range */
	ROUTE_PCI_IOREQ,	/* CF8/CFC decoded to PCI_CONFIG */
	ROUTE_CF8,		/* the CF8 address latch itself */
	ROUTE_UNCLAIMED_READ,	/* nobody: all-ones */
	ROUTE_UNCLAIMED_WRITE,	/* nobody: dropped */
	ROUTE_BUFFERED,		/* sent on the buffered ring */
	ROUTE_BROADCAST,	/* INVALIDATE / TIMEOFFSET to every server */
	ROUTE_WP_RETRY,		/* typed page, claimant gone: Xen retries forever */
	ROUTE_BAD_IOSTATE,	/* slot state != NONE or vp_eport changed: not sent */
	ROUTE_RO_DISCARD,	/* write to a p2m_ram_ro page: discarded */
	ROUTE_NR
};
const char *sim_route_name(enum sim_route r);

/*
 * p2m type of a guest frame as the sim keeps it (xensim_p2m_lookup).
 * Gfns above RAM are P2M_HOLE unless direct-mapped.
 */
enum sim_p2m {
	P2M_RAM_RW = 0,		/* p2m_ram_rw */
	P2M_IOREQ_SERVER = 1,	/* p2m_ioreq_server: reads direct, writes to the claimant */
	P2M_RAM_RO = 2,		/* p2m_ram_ro: reads direct, writes discarded */
	P2M_HOLE = 3,		/* p2m_mmio_dm (how EPT reports any hole) or p2m_invalid */
	P2M_DIRECT = 4,		/* p2m_mmio_direct: a machine frame (xc_domain_memory_mapping) */
};

struct sim_domain_info {
	uint32_t domid;
	uint64_t ram_bytes;
	unsigned int vcpus;
	bool paused;
	bool crashed;		/* shut down with SHUTDOWN_crash (domain_crash) */
	bool shutdown;		/* shut down for another reason (shutdown_reason) */
	bool dying;		/* destroyed, kept while a process still maps its pages */
	unsigned int shutdown_reason;	/* SHUTDOWN_*, 255 while running */
	unsigned int nr_servers;
};

/* ---- machine and domains (xensim CLI, xengt-script, tests) ---- */

/* Create the machine's files if missing; 0 or -errno. */
int xensim_machine_create(const char *machine);
/* Remove every file of a machine (domains and all). */
int xensim_machine_destroy(const char *machine);
/* Create a domain with ram_mb of RAM at gpa 0 and vcpus vCPUs, paused. Returns domid (>0) or -errno. */
int xensim_domain_create(const char *machine, unsigned int ram_mb, unsigned int vcpus);
/*
 * Destroy (xl destroy: domain_kill). The domain becomes dying at once:
 * its servers, ports and p2m go, its vCPUs stop (-ESRCH), @releaseDomain
 * fires; it stays listed (dying) while any live process still maps its
 * pages (xenforeignmemory_map or map_resource frames) and is freed when
 * the last such mapping goes. Destroying a dying domain is a no-op.
 */
int xensim_domain_destroy(const char *machine, uint32_t domid);
/*
 * The guest shuts itself down (SCHEDOP_shutdown) with reason SHUTDOWN_*
 * (any u8, as Xen takes it; SHUTDOWN_crash reads as crashed). The first
 * reason sticks; its vCPUs stop (-ESRCH); @releaseDomain fires the first
 * time. -ESRCH for a dying domain.
 */
int xensim_domain_shutdown(const char *machine, uint32_t domid, unsigned int reason);
int xensim_domain_unpause(const char *machine, uint32_t domid);
/* Up to max domains (dying ones too); returns the count. */
int xensim_domain_list(const char *machine, struct sim_domain_info *out, int max);

/* Route counters of a domain (all vCPUs). */
int xensim_route_counts(const char *machine, uint32_t domid, uint64_t counts[ROUTE_NR]);
/* Counts of direct-route accesses inside [gpa_start, gpa_end] (aperture direct map). */
int xensim_direct_count(const char *machine, uint32_t domid, uint64_t gpa_start,
			uint64_t gpa_end, uint64_t *reads, uint64_t *writes);

/* ---- a guest vCPU (runs in the guest's own process) ---- */

struct sim_vcpu;

/* Attach to vCPU vcpu of domid on machine; NULL + errno on failure. */
struct sim_vcpu *sim_vcpu_attach(const char *machine, uint32_t domid, unsigned int vcpu);
void sim_vcpu_detach(struct sim_vcpu *c);

/*
 * One guest access, routed as Xen's EPT and I/O dispatch would. Sizes
 * 1/2/4/8 (PIO: 1/2/4). Blocks while a device model handles an ioreq.
 * Returns 0, or -errno on a simulator failure (-ESRCH once the domain is
 * shut down, crashed, dying or gone; -EBUSY when Xen would refuse to send: slot not NONE or
 * vp_eport changed, ROUTE_BAD_IOSTATE). As on Xen (wait_for_io), a vCPU
 * waits for its answer for ever, a dead device model included; only a
 * test harness deadline (sim_vcpu_set_harness_deadline) ends the wait,
 * with -ETIMEDOUT and a message on stderr: a test failure, never a normal
 * outcome. The vCPU then stays blocked on that request: its next access
 * waits for that answer first. sim_mem_write gives
 * -EAGAIN (ROUTE_WP_RETRY) for a p2m_ioreq_server page whose claimant was
 * destroyed without unclaiming: on Xen that vCPU would retry forever.
 * Writes to a p2m_ram_ro page are discarded (ROUTE_RO_DISCARD).
 * Writes inside 0xa0000-0xbffff (not RAM: the VGA hole) go buffered to
 * the server claiming them, as stdvga sends them; reads there are sync.
 */
int sim_mem_read(struct sim_vcpu *c, uint64_t gpa, unsigned int size, uint64_t *val);
int sim_mem_write(struct sim_vcpu *c, uint64_t gpa, unsigned int size, uint64_t val);
int sim_pio_read(struct sim_vcpu *c, uint16_t port, unsigned int size, uint32_t *val);
int sim_pio_write(struct sim_vcpu *c, uint16_t port, unsigned int size, uint32_t val);
/*
 * rep movs/ins/outs: count items of size bytes between device address
 * dev_addr (MMIO: a hole; PIO: a port) and guest RAM at ram_gpa; df
 * reverses direction. For PIO the port stays the same (is_pio). to_dev:
 * RAM -> device. Split into ioreqs the way Xen's emulator does it (at most
 * 4096 reps per pass, the RAM side within one page, MMIO within one page;
 * each piece goes to its own server or is unclaimed). -EINVAL when a RAM
 * item is not guest RAM.
 */
int sim_rep(struct sim_vcpu *c, bool is_pio, bool to_dev, uint64_t dev_addr,
	    uint64_t ram_gpa, unsigned int size, uint32_t count, bool df);
/* Send a raw ioreq as Xen would on this vCPU (tests of malformed requests). */
struct sim_raw_ioreq {
	uint64_t addr, data;
	uint32_t count, size;
	uint8_t type, dir, df, data_is_ptr;
};
int sim_send_raw_ioreq(struct sim_vcpu *c, uint32_t server_id, struct sim_raw_ioreq *req);
/* Broadcast INVALIDATE (sync) / TIMEOFFSET (buffered) to every server. */
int sim_broadcast_invalidate(struct sim_vcpu *c);
int sim_broadcast_timeoffset(struct sim_vcpu *c, uint64_t offset);
/* Buffered write as stdvga would send it (addr < 1 MiB). */
int sim_buffered_write(struct sim_vcpu *c, uint64_t addr, unsigned int size, uint64_t val);

/* Wait up to timeout_ms for an MSI injected into this domain; -ETIMEDOUT. */
int sim_wait_msi(struct sim_vcpu *c, int timeout_ms, uint64_t *addr, uint32_t *data);
/* MSIs injected into this domain so far. */
uint64_t sim_msi_count(struct sim_vcpu *c);
/* Direct pointer to guest RAM (for test set-up), NULL if gpa is not RAM. */
void *sim_guest_ram(struct sim_vcpu *c, uint64_t gpa, size_t len);

/* ---- the xenstore of the machine (tests and tools) ---- */
/* Read a key into buf; -ENOENT if absent. */
int xensim_xs_read(const char *machine, const char *path, char *buf, size_t len);
int xensim_xs_write(const char *machine, const char *path, const char *val);

/* ---- additions: tools and test hooks ---- */
/*
 * gfn -> DMA address: the machine address of a page of the guest's RAM
 * (ram_rw, ram_ro, ioreq_server); -EFAULT for anything else (a hole, a
 * direct-mapped device frame such as the guest's aperture, a dying
 * domain's torn-down p2m). The sim's answer to the hv_ops DMA hook.
 */
int xensim_gfn_to_maddr(const char *machine, uint32_t domid, uint64_t gfn, uint64_t *maddr);
/*
 * The same translation for a caller that makes many (the sim build's gfn ->
 * DMA hook: a guest GGTT rewrite is 1 Ki calls per 4 MiB): the machine is
 * attached once by xensim_dma_open (NULL: $XENSIM_MACHINE, read then), so a
 * call costs the machine lock and a lookup, not the name, the file check
 * and this process's machine table that xensim_gfn_to_maddr pays each time.
 * The translator keeps the machine mapped until xensim_dma_close. Open:
 * NULL + errno; xensim_dma_gfn: 0, -ESRCH (no such domain) or -EFAULT
 * (not guest RAM, as xensim_gfn_to_maddr).
 */
struct xensim_dma;
struct xensim_dma *xensim_dma_open(const char *machine);
int xensim_dma_gfn(struct xensim_dma *x, uint32_t domid, uint64_t gfn, uint64_t *maddr);
void xensim_dma_close(struct xensim_dma *x);
/*
 * Machine memory as this process sees it, with windows of external memory
 * (memwin.c; not a Xen facility). A window is a range of machine addresses
 * reserved machine-wide (no domain is ever given it); this process places
 * pages of a file it holds (a QEMU guest's RAM memfd: qemu-glue/) there,
 * over its own mapping of the machine, so everything in this process that
 * reaches machine memory through that mapping (softgpu's memory accesses,
 * xensim_mem_rw) reaches the file: the guest's DMA address of gpa is then
 * window + gpa. Other processes see the window's range as empty machine
 * RAM. xensim_mem_open attaches (and creates) the machine (NULL:
 * $XENSIM_MACHINE); NULL + errno. xensim_mem_close puts the machine's own
 * pages back over every window of x (the ranges stay reserved, as a
 * destroyed domain's RAM extent does). xensim_mem_window: reserve size
 * bytes (page multiple, 2 MiB aligned start): 0, -EINVAL, -ENOSPC (x has
 * XENSIM_MEM_MAX_WINDOWS), -ENOMEM (machine address space exhausted).
 * xensim_mem_map: place len bytes of fd from off at maddr; everything page
 * aligned, inside one of x's windows, fd a regular file at least off + len
 * long (else -EINVAL: pages past its end would fault); xensim_mem_unmap
 * puts the machine's pages back. xensim_mem_rw: copy between buf and
 * machine memory at maddr, page by page: RAM and windows directly, the
 * GPU aperture (XENSIM_APERTURE_MADDR) translated through softgpu's GGTT;
 * 0, or -EFAULT if any page is neither or not present (reads get all-ones
 * there, writes are dropped there).
 */
#define XENSIM_MEM_MAX_WINDOWS 16
struct xensim_mem;
struct xensim_mem *xensim_mem_open(const char *machine);
void xensim_mem_close(struct xensim_mem *x);
int xensim_mem_window(struct xensim_mem *x, uint64_t size, uint64_t *maddr);
int xensim_mem_map(struct xensim_mem *x, uint64_t maddr, uint64_t len, int fd, uint64_t off);
int xensim_mem_unmap(struct xensim_mem *x, uint64_t maddr, uint64_t len);
int xensim_mem_rw(struct xensim_mem *x, uint64_t maddr, void *buf, size_t len, bool write);
/* The p2m entry of a gfn: its type, and its machine address for RAM and direct maps. */
int xensim_p2m_lookup(const char *machine, uint32_t domid, uint64_t gfn, enum sim_p2m *type,
		      uint64_t *maddr);
/* HAP (EPT/NPT) for a domain, default on; off: shadow paging rules (-EOPNOTSUPP). */
int xensim_set_hap(const char *machine, uint32_t domid, bool on);
/*
 * The host's physical address width (default 39, a Gen9-era client CPU);
 * memory_mapping refuses frames at or above it. Setting it also resets
 * dom0's iomem permissions to every frame below it, as Xen grants at boot.
 */
int xensim_set_paddr_bits(const char *machine, unsigned int bits);
/* dom0's own iomem permission (the caller side of memory_mapping/iomem_permission). */
int xensim_dom0_iomem_permission(const char *machine, uint64_t first_mfn, uint64_t nr,
				 bool allow);
/* Level (0/1) of INTx line intx (0..3) of device dev (0..31) on bus 0, as set by the DM. */
int xensim_intx_level(const char *machine, uint32_t domid, unsigned int dev, unsigned int intx);
/*
 * Test hook: for the next n ATOMIC buffered sends that rebase the ring
 * pointers, the device model consumes one more slot between Xen's read of
 * the pointer pair and its cmpxchg (the race the retry loop is for).
 */
int xensim_test_bufioreq_race(const char *machine, unsigned int n);
/* Test hook: the next n xenevtchn_notify calls on the machine fail with EIO. */
int xensim_test_notify_fail(const char *machine, unsigned int n);
/* Test hook: make server id of domid look created by emulator domain emu_domid. */
int xensim_server_set_emulator(const char *machine, uint32_t domid, uint16_t id,
			       uint32_t emu_domid);
/*
 * Legacy ioreq page switch (per machine, default off). On: map_resource of
 * XENMEM_resource_ioreq_server fails EOPNOTSUPP (an old Xen/privcmd), so a
 * device model must use get_ioreq_server_info with gfn pointers, which puts
 * the server pages into guest gfns from a pool of XENSIM_IOREQ_GFN_POOL
 * pages at the top of guest RAM (ram_pages - 1 downwards).
 */
#define XENSIM_IOREQ_GFN_POOL 8
int xensim_set_legacy_ioreq_pages(const char *machine, bool on);
/* 1 or 0, or -errno. */
int xensim_get_legacy_ioreq_pages(const char *machine);
/*
 * Test harness deadline for each answer this vCPU waits for, in ms (0:
 * none, the vCPU waits for ever as on Xen). The default comes from
 * $XENSIM_HARNESS_DEADLINE_MS at attach. Reaching it is a test failure:
 * the access returns -ETIMEDOUT and says so on stderr.
 */
void sim_vcpu_set_harness_deadline(struct sim_vcpu *c, int ms);

/* What a vCPU is doing, as the hypervisor sees it (tests, `xensim vcpus`). */
struct xensim_vcpu_status {
	bool attached;		/* a process drives this vCPU */
	int pid;		/* that process */
	bool blocked;		/* in wait_for_io: waiting for a device model's answer */
	unsigned int server;	/* ... of this ioreq server */
	bool asleep;		/* ... and past its spin, asleep on its doorbell */
	uint64_t blocked_ms;	/* for this long */
};
int xensim_vcpu_status(const char *machine, uint32_t domid, unsigned int vcpu,
		       struct xensim_vcpu_status *out);
/* "vCPU 3/0 blocked on server 0 (asleep, 120 ms)", "vCPU 3/0 running", "vCPU 3/0 not attached". */
void xensim_vcpu_status_str(uint32_t domid, unsigned int vcpu,
			    const struct xensim_vcpu_status *st, char *buf, size_t len);

/*
 * The cross-process wait a simulated vCPU uses for its answer, in shared
 * memory: a bounded spin (yielding the CPU now and then), then a futex
 * sleep marked in the waiter, so a waker makes a futex call only for a
 * sleeper. Benches use it for the machine's own wake-up limit.
 */
struct xensim_waiter {
	uint32_t seq;		/* bumped by every wake: the futex word */
	uint32_t sleepers;	/* waiters (about to be) asleep on seq */
};
/* Wake w's waiters, after making what they wait for true. */
void xensim_wake(struct xensim_waiter *w);
/*
 * Wait until done(arg): spin up to spin_ns, then sleep on w. 0, or
 * -ETIMEDOUT at deadline_ns (CLOCK_MONOTONIC ns; 0: none).
 */
int xensim_wait(struct xensim_waiter *w, bool (*done)(void *arg), void *arg, uint64_t spin_ns,
		uint64_t deadline_ns);
/* The spin a vCPU allows itself before it sleeps ($XENSIM_VCPU_SPIN_US, default 50 us). */
uint64_t xensim_vcpu_spin_ns(void);

#endif
