/* SPDX-License-Identifier: MIT */
/*
 * sim_int.h — libxensim internals shared by its files: the layout of the
 * machine's shared state file, the per-process machine mapping, locking,
 * handle slots with their doorbells (FIFOs and futex waiters), and the
 * helpers the libxen* front ends and the guest access path share. Not for
 * use outside sim/.
 */
#ifndef SIM_SIM_INT_H
#define SIM_SIM_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <xen/hvm/ioreq.h>

#include "xensim.h"

#define SIM_MAGIC 0x58454e53494d3035ull /* "XENSIM05": bump when the layout changes */
#define SIM_PAGE 4096u
#define SIM_MAX_SERVERS 8	/* Xen's MAX_NR_IOREQ_SERVERS */
#define SIM_MAX_RANGES 32	/* per server and range type */
/*
 * Caps sized so that every domain the machine can hold (XENSIM_MAX_DOMAINS)
 * can have a vGPU at once, with headroom:
 * - ports, machine-wide: a served domain uses 2 per vCPU (its side and the
 *   device model's) and 2 for the buffered ring, 18 at XENSIM_MAX_VCPUS;
 *   64 domains x 18 = 1152 (Xen's own limit is per domain: 4096 with the
 *   2-level ABI on 64-bit, xen/include/public/event_channel.h
 *   EVTCHN_2L_NR_CHANNELS);
 * - handles with a doorbell: the daemon holds 2 per vGPU (xenevtchn, xs),
 *   each attached guest vCPU 1: 3 x 64 = 192, plus tools and tests;
 * - xenstore watches: one or two per vGPU, plus tools.
 */
#define SIM_MAX_PORTS 2048	/* machine-wide event channel ports */
#define SIM_MAX_HANDLES 256	/* evtchn / xs / vCPU handles with a doorbell */
#define SIM_MAX_DMAPS 64	/* direct (mmio_direct) mappings per domain */
#define SIM_MAX_IOMEM 32	/* iomem permission ranges per domain */
#define SIM_MSI_LOG 256
#define SIM_DCOUNT 512		/* per-gfn direct access counters */
#define SIM_MAX_RAM_MB 3584u	/* RAM lives below the 0xe0000000 PCI hole */
#define SIM_MAX_RAM_PAGES ((uint64_t)SIM_MAX_RAM_MB << 8)
#define SIM_XS_ENTRIES 512
#define SIM_XS_WATCHES 256
#define SIM_XS_PATH 128
#define SIM_XS_VAL 256
#define SIM_XS_TOKEN 64
#define SIM_XS_EVQ 16
#define SIM_MEM_FIRST (16ull << 20) /* first machine address handed to a domain */
#define SIM_FMAP_PIDS 16	/* processes holding foreign mappings of one domain */
#define SIM_PADDR_BITS 39	/* default host address width: Skylake/Kaby Lake client (Gen9) */
/*
 * d->nr_pirqs of a domU (common/domain.c domain_create): nr_static_irqs
 * (the host's GSIs: 120 on a Skylake PCH IO-APIC) + extra_domU_irqs (32).
 */
#define SIM_NR_PIRQS (120 + 32)
#define SIM_SHUTDOWN_NONE 0xffffffffu	/* SHUTDOWN_CODE_INVALID */
#define SIM_WAIT_SLICE_MS 200	/* a blocked vCPU re-checks that its domain still exists */
#define SIM_VCPU_SPIN_NS 50000ull /* a vCPU spins this long for its answer, then sleeps */
#define SIM_BELL_DEFER 8	/* doorbells one thread may owe at sim_unlock */
#define SIM_LOCK_SPINS 200	/* trylocks before sleeping on the machine lock */

/*
 * enum sim_p2m (xensim.h) is kept per RAM gfn; gfns above RAM are holes
 * or direct maps (d->dmap). P2M_HOLE on a RAM gfn: taken out of the p2m
 * (legacy ioreq page while its server is enabled, a direct map over RAM
 * removed again, set_mem_type to mmio_dm, a dying domain's torn-down p2m).
 * P2M_DIRECT: a RAM gfn replaced by a direct (mmio_direct) mapping.
 */
/* p2m_is_ram() (asm/p2m.h P2M_RAM_TYPES): ram_rw, ram_ro and ioreq_server. */
static inline bool
sim_p2m_is_ram(uint8_t t)
{
	return t <= P2M_RAM_RO;
}

#define SIM_NO_GFN UINT64_MAX

/* Range set kinds: the XEN_DMOP_IO_RANGE_* values. */
enum { SIM_RANGE_PORT, SIM_RANGE_MEMORY, SIM_RANGE_PCI, SIM_RANGE_NR };

struct sim_range {
	uint64_t start, end; /* inclusive */
};

struct sim_server {
	uint32_t used;
	uint32_t enabled;
	uint32_t emu_domid;	/* the domain that created it: ops from others EPERM */
	int32_t bufioreq;	/* HVM_IOREQSRV_BUFIOREQ_* */
	int32_t owner_pid;	/* process that created it (liveness for waiters) */
	uint32_t vcpu_port[XENSIM_MAX_VCPUS]; /* guest-side ports */
	uint32_t buf_port;
	uint32_t res_mapped;	/* pages handed out by map_resource */
	uint64_t ioreq_gfn;	/* legacy: pages placed in guest gfns, else SIM_NO_GFN */
	uint64_t bufioreq_gfn;
	uint32_t nr[SIM_RANGE_NR];
	struct sim_range r[SIM_RANGE_NR][SIM_MAX_RANGES];
};

struct sim_dmap {
	uint64_t gfn, mfn, nr; /* nr == 0: unused */
};

struct sim_dcount {
	uint64_t gfn;
	uint64_t reads, writes;
	uint32_t used;
};

/* Pages of a domain one process maps (foreign pages and map_resource frames). */
struct sim_fmap {
	int32_t pid;		/* 0: free */
	uint32_t pad;
	uint64_t pages;
};

struct sim_domain {
	uint32_t used;
	uint32_t domid;
	uint64_t ram_pages;
	uint64_t mem_base;	/* machine address of gfn 0 */
	uint32_t vcpus;
	uint32_t paused;
	uint32_t shut_down;	/* domain_shutdown() done: vCPUs paused for good */
	uint32_t shutdown_code;	/* first SHUTDOWN_* reason (u8), else SIM_SHUTDOWN_NONE */
	uint32_t dying;		/* domain_kill() done (DOMDYING_dead): freed when unmapped */
	uint32_t hap;		/* HAP (EPT/NPT) paging, default 1 */
	uint64_t max_gfn;	/* p2m->max_mapped_pfn: the highest gfn ever mapped */
	uint64_t intx[2];	/* asserted INTx lines, bit dev * 4 + intx (hvm_pci_intx_assert) */
	int32_t msi_pirq;	/* pirq bound as IRQ_MSI_EMU by a vector-0 MSI, 0 none */
	uint32_t pad0;
	struct sim_fmap fmap[SIM_FMAP_PIDS];
	uint32_t ioreq_gfn_used; /* legacy ioreq gfn pool: bit i = ram_pages - 1 - i */
	uint32_t cf8;		/* the CF8 latch */
	int32_t memtype_server;	/* server holding HVMMEM_ioreq_server, -1 none */
	uint32_t memtype_flags;
	uint64_t ioreq_entries;	/* gfns typed p2m_ioreq_server */
	struct sim_server srv[SIM_MAX_SERVERS];
	struct sim_dmap dmap[SIM_MAX_DMAPS];
	uint32_t dmap_hwm;	/* slots at and above this index are all unused */
	uint32_t nr_iomem;
	struct sim_range iomem[SIM_MAX_IOMEM]; /* permitted mfn ranges (a rangeset) */
	uint64_t routes[ROUTE_NR];
	uint64_t msi_count;
	struct {
		uint64_t addr;
		uint32_t data;
	} msi[SIM_MSI_LOG];
	int32_t vcpu_handle[XENSIM_MAX_VCPUS]; /* handle slot + 1 of the attached vCPU, 0 none */
	uint8_t uuid[16];	/* xen_domain_handle_t: xc_dominfo_t.handle */
	struct sim_dcount dc[SIM_DCOUNT];
	uint64_t dc_overflow;
};

enum sim_port_state { PORT_FREE, PORT_UNBOUND, PORT_INTERDOMAIN };

struct sim_port {
	uint32_t state;
	uint32_t domid;		/* owner domain */
	uint32_t remote_dom;	/* for UNBOUND: who may bind */
	uint32_t peer;		/* for INTERDOMAIN */
	int32_t handle;		/* dom0 side: owning handle slot; guest side: -1 */
	uint32_t vcpu;		/* guest side: the vCPU to wake */
	uint8_t pending, masked;
};

enum sim_handle_kind { HK_FREE, HK_EVTCHN, HK_XS, HK_VCPU };

struct sim_xs_event {
	char path[SIM_XS_PATH];
	char token[SIM_XS_TOKEN];
};

struct sim_handle {
	uint32_t kind;
	int32_t pid;
	uint32_t nonce;
	uint32_t armed;			/* evtchn: a doorbell byte is in (or on its way to) the FIFO */
	int32_t wait_sid;		/* vCPU: server + 1 it is blocked on (wait_for_io), 0 none */
	uint64_t wait_since_ms;		/* vCPU: when that wait began (sim_now_ms) */
	/*
	 * vCPU: its futex doorbell and sleeper count, alone in a cache line:
	 * a device model reads it on every answer, the spinning vCPU does
	 * not write it, so no line moves between them for it.
	 */
	struct xensim_waiter wake __attribute__((aligned(64)));
	/*
	 * vCPU: notifications its ioreq ports received from a device model
	 * (both notify paths count): wait_for_io looks at its slot again only
	 * after one, as Xen's vCPU is woken by nothing else.
	 */
	uint32_t notified;
	uint32_t head __attribute__((aligned(64))); /* evtchn: ring of ports; xs: events */
	uint32_t tail;
	uint32_t ring[SIM_MAX_PORTS];
	struct sim_xs_event evq[SIM_XS_EVQ];
};

struct sim_xs_entry {
	uint32_t used;
	char path[SIM_XS_PATH];
	char val[SIM_XS_VAL];
};

struct sim_xs_watch {
	uint32_t used;
	int32_t handle;
	char path[SIM_XS_PATH];
	char token[SIM_XS_TOKEN];
};

struct sim_state {
	uint64_t magic;
	uint32_t ready;
	uint32_t next_domid;
	pthread_mutex_t lock;	/* PROCESS_SHARED + ROBUST: guards everything below */
	uint64_t mem_next;	/* bump allocator for machine RAM */
	uint32_t nonce;
	uint32_t legacy_ioreq_pages; /* map_resource EOPNOTSUPP: xensim_set_legacy_ioreq_pages */
	uint32_t paddr_bits;	/* host physical address width; 0: SIM_PADDR_BITS */
	uint32_t dom0_iomem_set; /* dom0_iomem holds dom0's boot-time grant */
	uint32_t buf_race;	/* xensim_test_bufioreq_race */
	uint32_t notify_fail;	/* xensim_test_notify_fail: notifies left to refuse */
	uint32_t nr_dom0_iomem;
	struct sim_range dom0_iomem[SIM_MAX_IOMEM]; /* dom0's iomem permissions (mfns) */
	uint64_t bell_failures;	/* doorbells that could not be rung (each also logged) */
	struct sim_domain dom[XENSIM_MAX_DOMAINS];
	struct sim_port port[SIM_MAX_PORTS];
	struct sim_handle h[SIM_MAX_HANDLES];
	struct sim_xs_entry xs[SIM_XS_ENTRIES];
	struct sim_xs_watch xw[SIM_XS_WATCHES];
};

/* The state file: struct, then server pages, then per-domain p2m bytes. */
#define SIM_PAGES_OFF (((sizeof(struct sim_state)) + SIM_PAGE - 1) & ~(uint64_t)(SIM_PAGE - 1))
#define SIM_SRV_PAGES_SIZE ((uint64_t)XENSIM_MAX_DOMAINS * SIM_MAX_SERVERS * 2 * SIM_PAGE)
#define SIM_P2M_OFF (SIM_PAGES_OFF + SIM_SRV_PAGES_SIZE)
#define SIM_STATE_SIZE (SIM_P2M_OFF + (uint64_t)XENSIM_MAX_DOMAINS * SIM_MAX_RAM_PAGES)

/* One machine as mapped by this process. */
struct sim_machine {
	char name[64];
	dev_t dev;
	ino_t ino;
	int state_fd, mem_fd;
	struct sim_state *st;
	uint8_t *state_base;	/* whole state file */
	uint8_t *mem;		/* whole machine RAM file; windows (memwin.c) overlay parts of it in
				 * this process: reach machine memory through this mapping */
	int refs;		/* handles using this mapping (process-local) */
	bool stale;		/* retired from the table: unmap at the last put */
	int shm_dir;		/* /dev/shm, opened at attach: doorbells open from any namespace */
	pthread_mutex_t bell_lock; /* guards bell[] */
	struct {
		uint32_t nonce;	/* slot generation the fd belongs to */
		int fd;		/* the slot's doorbell FIFO opened for writing, or -1 */
	} bell[SIM_MAX_HANDLES];
};

/* A guest vCPU attached in this process (xensim.h). */
struct sim_vcpu {
	struct sim_machine *m;
	uint32_t domid;
	unsigned int vcpu;
	int slot;		/* handle slot: its waiter (h[slot].wake) wakes this vCPU */
	int harness_ms;		/* test harness deadline per answer (0: none, wait as Xen) */
	uint64_t spin_ns;	/* spin this long for an answer before sleeping */
	int pend_sid;		/* server whose answer the harness gave up on (-1 none) */
	uint32_t pend_seen;	/* its wait's notification count */
	uint64_t msi_seen;
	struct softgpu *gpu;	/* for aperture translation, opened lazily */
};

/* ---- machine.c ---- */
const char *sim_machine_name(const char *machine);
/* Attach (create if asked) the named machine (NULL: $XENSIM_MACHINE); NULL + errno. */
struct sim_machine *sim_machine_get(const char *machine, bool create);
/* Drop a reference taken by sim_machine_get. */
void sim_machine_put(struct sim_machine *m);
/*
 * Open (create if asked; *created says who did) /dev/shm/xensim-<machine>.<ext>
 * sized size bytes and map it shared read/write, waiting briefly for a file
 * another process is still sizing. Base and *fd, or NULL + errno.
 */
void *sim_file_map(const char *machine, const char *ext, uint64_t size, bool create, int *fd,
		   bool *created);
/* Undo sim_file_map; errno is preserved (usable on error paths). */
void sim_file_unmap(void *base, uint64_t size, int fd);
void sim_lock(struct sim_machine *m);
/* Release the lock, then ring the doorbells this thread owes (doorbell.c). */
void sim_unlock(struct sim_machine *m);
/* sim_unlock, returning 0 or the first doorbell failure (-errno; logged too). */
int sim_unlock_ring(struct sim_machine *m);
struct sim_domain *sim_domain_find(struct sim_machine *m, uint32_t domid);
uint8_t *sim_p2m(struct sim_machine *m, struct sim_domain *d);
/* Server page pair (buffered page, then shared_iopage) and its state-file offset. */
uint64_t sim_srv_pages_off(struct sim_machine *m, struct sim_domain *d, int sid);
buffered_iopage_t *sim_srv_bufpage(struct sim_machine *m, struct sim_domain *d, int sid);
ioreq_t *sim_srv_slot(struct sim_machine *m, struct sim_domain *d, int sid, unsigned int vcpu);

/*
 * Lock held. A slot of kind; evtchn and xs slots get their doorbell FIFO
 * (readable fd in *fd), vCPU slots a futex waiter (*fd = -1). Slot or -errno.
 */
int sim_handle_open(struct sim_machine *m, enum sim_handle_kind kind, int *fd);
/* Lock not held. Release a slot from sim_handle_open and close its doorbell. */
void sim_handle_close(struct sim_machine *m, int slot, int fd);
/* Release a slot's doorbell (lock held): the FIFO of an evtchn/xs slot is unlinked. */
void sim_bell_remove(struct sim_machine *m, int slot);
bool sim_pid_alive(int pid);
/* The libxen* return convention: 0 for rc >= 0; -1 with errno = -rc for rc < 0. */
int sim_ret_errno(int rc);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t sim_now_ms(void);

/*
 * The head shared by the restrictable libxen* handles (xendevicemodel,
 * xenforeignmemory, xenevtchn, xc_interface): their first member. It is
 * also the process-local registry entry for xentoolcore_restrict_all.
 */
struct sim_rhandle {
	struct sim_machine *m;
	int32_t rdom;			/* -1: unrestricted */
	struct sim_rhandle *next;
};
/* A zeroed handle of size bytes (sim_rhandle first) on $XENSIM_MACHINE, registered; NULL + errno. */
void *sim_rhandle_new(size_t size);
/* Unregister, drop the machine and free the handle made by sim_rhandle_new. */
void sim_rhandle_free(struct sim_rhandle *rh);
/* xen*_restrict: 0, or -EINVAL when already restricted to another domain. */
int sim_rhandle_restrict(struct sim_rhandle *rh, uint32_t domid);
int sim_restrict_all(int32_t domid);

/* ---- doorbell.c ---- */
/*
 * Lock held. Ring slot's doorbell once the lock is released (sim_unlock):
 * an evtchn/xs slot's FIFO gets a byte, a vCPU slot's waiter is woken
 * (a futex wake only if it sleeps). Ringing after the unlock keeps the
 * woken side from blocking on the lock at once (a lock convoy).
 */
void sim_doorbell(struct sim_machine *m, int slot);
/* After the unlock: ring what this thread owes on m. 0 or the first -errno (also logged). */
int sim_bells_ring(struct sim_machine *m);
/* Lock held: create slot's FIFO and open it for reading; fd or -errno. */
int sim_bell_create(struct sim_machine *m, int slot);
/* Empty a doorbell fd (any number of rings) without blocking. */
void sim_doorbell_drain(int fd);
/* Unlink every doorbell FIFO of the machine called name (machine destroy). */
void sim_bells_unlink_all(const char *name);
/* Process-local doorbell cache of m: set up at map time (0 or -errno), closed at unmap. */
int sim_bells_init(struct sim_machine *m);
void sim_bells_fini(struct sim_machine *m);

/* ---- domain.c ---- */
/* Toolstack calls: attach machine, lock, find domid. 0 (locked) or -errno (nothing held). */
int sim_tool_begin(const char *machine, uint32_t domid, struct sim_machine **m,
		   struct sim_domain **d);
/* Unlock and drop the machine taken by sim_tool_begin. */
void sim_tool_end(struct sim_machine *m);

/* ---- vcpu.c ---- */
/* Lock held. c's domain, or NULL if it is gone, dying or shut down (accesses: -ESRCH). */
struct sim_domain *sim_vcpu_domain(struct sim_vcpu *c);
/*
 * Wait on c's doorbell until done(arg): spin up to spin_ns, then sleep
 * (marked as a sleeper, so only then do wakers make a futex call). 0 once
 * done, -ETIMEDOUT at deadline_ms (sim_now_ms clock; 0: none).
 */
int sim_vcpu_wait(struct sim_vcpu *c, bool (*done)(void *arg), void *arg, uint64_t spin_ns,
		  uint64_t deadline_ms);
/* c's waiter in the shared handle slot. */
struct xensim_waiter *sim_vcpu_waiter(struct sim_vcpu *c);

/* ---- evtchn.c (lock held) ---- */
int sim_port_alloc_unbound(struct sim_machine *m, uint32_t domid, uint32_t remote, uint32_t vcpu);
void sim_port_close(struct sim_machine *m, uint32_t port);
void sim_port_notify(struct sim_machine *m, uint32_t port);

/* ---- rangeset.c ---- */
/* A generic rangeset: nr sorted disjoint inclusive ranges in r[max]. */
struct sim_rset {
	struct sim_range *r;
	uint32_t *nr;
	uint32_t max;
};
/* Xen rangeset_add_range: merges overlapping and adjacent ranges. 0 or -ENOMEM. */
int sim_rset_add(struct sim_rset rs, uint64_t start, uint64_t end);
/* Xen rangeset_remove_range: removes any overlap, splitting as needed. 0 or -ENOMEM. */
int sim_rset_remove(struct sim_rset rs, uint64_t start, uint64_t end);
/* Xen rangeset_contains_range. */
bool sim_rset_contains(struct sim_rset rs, uint64_t start, uint64_t end);
int sim_range_del(struct sim_server *s, int kind, uint64_t start, uint64_t end);
bool sim_range_within(const struct sim_server *s, int kind, uint64_t start, uint64_t end);
int sim_range_map(struct sim_server *s, int kind, uint64_t start, uint64_t end);

/* ---- domain.c (lock held) ---- */
/* domain_crash(): domain_shutdown(d, SHUTDOWN_crash). */
void sim_domain_crash(struct sim_machine *m, struct sim_domain *d);
/* The p2m type of gfn (RAM byte, direct map or hole); *mfn for RAM and direct maps. */
enum sim_p2m sim_p2m_type(struct sim_machine *m, struct sim_domain *d, uint64_t gfn,
			  uint64_t *mfn);
/* Is d shut down with SHUTDOWN_crash (xc_domain_getinfo's crashed)? */
bool sim_domain_crashed(const struct sim_domain *d);
/*
 * Account pages mapped (delta > 0) or unmapped (< 0) by this process in
 * d. 0 or -ENOMEM (too many mapping processes). A dying domain whose
 * last mapping went is freed.
 */
int sim_domain_maps(struct sim_machine *m, struct sim_domain *d, int64_t delta);
/* Free the dying domains no live process maps any more. */
void sim_domain_reap(struct sim_machine *m);

/* ---- xc.c (lock held) ---- */
bool sim_dmap_lookup(const struct sim_domain *d, uint64_t gfn, uint64_t *mfn);
/* The host's physical address width (xensim_set_paddr_bits). */
unsigned int sim_paddr_bits(const struct sim_state *st);

/* ---- ioreq_send.c ---- */
/* Send req synchronously to server sid on c's slot and wait for the answer. */
int sim_ioreq_sync(struct sim_vcpu *c, int sid, ioreq_t *req);
/*
 * The same from the routing, which found d and sid under the lock (held,
 * dropped on return); only when no earlier request is pending
 * (c->pend_sid < 0). Saves taking the machine lock twice per access.
 */
int sim_ioreq_sync_locked(struct sim_vcpu *c, struct sim_domain *d, int sid, ioreq_t *req);
/* Lock held: put a write on sid's buffered ring; -EAGAIN if full, -ENOENT if no ring. */
int sim_ioreq_buffered(struct sim_machine *m, struct sim_domain *d, int sid, uint8_t type,
		       uint64_t addr, unsigned int size, uint64_t data);

/* ---- xs.c ---- */
void sim_xs_drop_handle(struct sim_machine *m, int slot);
/* Lock held. Fire the watches on a special node ("@releaseDomain"): exact match only. */
void sim_xs_fire_special(struct sim_machine *m, const char *node);

#endif
