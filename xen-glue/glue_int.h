/* SPDX-License-Identifier: MIT */
/*
 * glue_int.h — xen-glue's definition of struct hv: the Xen handles, the
 * ioreq pages and ports of one domain, its claims and mapping cache.
 * Only xen-glue sources include this (it pulls in the Xen headers).
 */
#ifndef XEN_GLUE_GLUE_INT_H
#define XEN_GLUE_GLUE_INT_H

#include <pthread.h>
#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xen/hvm/ioreq.h>

#include "glue.h"

#define GLUE_MAX_VCPUS 128		/* ioreq_t slots in one shared page */
#define GLUE_MAX_RANGES 16

/*
 * Guest RAM mapped in long-lived chunks (mapcache.c): MAPCACHE_CHUNK_PAGES
 * consecutive gfns per xenforeignmemory_map, found by chunk number in an
 * open-addressed hash, kept until INVALIDATE, detach, an aperture map over
 * them, or the budget (max chunks; the least recently used quarter goes
 * in one batch).
 */
#define MAPCACHE_CHUNK_SHIFT 9		/* 512 pages: 2 MiB per mapping */
#define MAPCACHE_CHUNK_PAGES (1u << MAPCACHE_CHUNK_SHIFT)
#define MAPCACHE_MAX_CHUNKS 4096	/* 8 GiB of guest RAM mapped at most, per domain */

struct mapcache_chunk {
	uint64_t idx;			/* first gfn >> MAPCACHE_CHUNK_SHIFT */
	uint8_t *va;			/* the chunk's pages; holes are PROT_NONE */
	uint64_t last_use;		/* mapcache tick of the last lookup */
	uint64_t hole[MAPCACHE_CHUNK_PAGES / 64]; /* bit per page that was not RAM */
};

struct mapcache {
	struct mapcache_chunk **slot;	/* hash by idx, linear probing; NULL = free */
	unsigned int cap;		/* power of two, 0 before the first map */
	unsigned int n;			/* chunks mapped */
	unsigned int max;		/* budget (MAPCACHE_MAX_CHUNKS; tests lower it) */
	struct mapcache_chunk *last;	/* the last chunk found (sweeps stay in one) */
	uint64_t tick;
	uint64_t maps, unmaps, evictions; /* xenforeignmemory calls, eviction batches */
};

/* Poll mode state (ioreq_loop.c): the adaptive window and the ports held masked. */
struct ioreq_poll {
	uint64_t window_ns;		/* polling window now, 0..cfg.poll_us */
	uint64_t until_ns;		/* polling until (CLOCK_MONOTONIC) */
	uint64_t blocked_ns;		/* when the thread last went to block, 0 if not */
	unsigned int nheld;
	evtchn_port_t held[GLUE_MAX_VCPUS + 1]; /* fired, left masked while polling */
};

struct hv {
	struct glue_config cfg;
	char tag[16];			/* "d5": log prefix */

	xendevicemodel_handle *dmod;
	xenforeignmemory_handle *fmem;
	xenevtchn_handle *xce;
	xc_interface *xch;
	struct xs_handle *xsh;

	ioservid_t id;
	bool created, enabled, mem_type_claimed, xs_node_written;
	bool gone;			/* domain dying or gone: releases are no-ops (atomic) */
	xenforeignmemory_resource_handle *fres; /* resource mapping, or NULL (legacy) */
	void *res_addr;			/* start of the resource mapping */
	unsigned int res_frames;
	buffered_iopage_t *bufpage;	/* NULL if bufioreq is off */
	shared_iopage_t *iopage;
	bool legacy_mapped;		/* pages mapped with xenforeignmemory_map */

	unsigned int nr_vcpus;
	evtchn_port_t local_port[GLUE_MAX_VCPUS];
	bool bound[GLUE_MAX_VCPUS];
	bool notify_owed[GLUE_MAX_VCPUS]; /* answered, but the notification failed */
	evtchn_port_t buf_local;
	bool buf_bound;

	struct vgpu *vgpu;

	/* Claims, guarded by lock (mediator ops may come from other threads). */
	pthread_mutex_t lock;
	struct ioreq_range mmio[GLUE_MAX_RANGES];
	unsigned int nr_mmio;
	struct ioreq_range pio[GLUE_MAX_RANGES];
	unsigned int nr_pio;
	bool has_sbdf;
	uint32_t sbdf;
	uint64_t *wp_gfns;		/* sorted */
	unsigned int nr_wp, cap_wp;
	struct mapcache mc;		/* guest RAM mappings (mapcache.c) */

	uint64_t warned;		/* bit per enum ioreq_err already logged */
	struct glue_stats stats;	/* updated with relaxed atomics */
	struct ioreq_poll poll;		/* the domain thread's only */
};

/* Count one event in a glue_stats field. */
#define GLUE_COUNT(field) __atomic_fetch_add(&(field), 1, __ATOMIC_RELAXED)

/* Mapping cache (mapcache.c); lock held by the caller. */
void *mapcache_get(struct hv *hv, uint64_t gfn);
/* Unmap everything (INVALIDATE, detach) and free the table. */
void mapcache_flush(struct hv *hv);
/* Unmap the chunks holding any of gfns [gfn, gfn + nr) (their p2m entries changed). */
void mapcache_forget(struct hv *hv, uint64_t gfn, uint64_t nr);
/* Copy between guest memory and buf (takes the lock). 0 or -EFAULT; all or nothing. */
int mapcache_copy(struct hv *hv, uint64_t gpa, void *buf, size_t len, bool to_guest);
/* The same with hv->lock already held. */
int mapcache_copy_locked(struct hv *hv, uint64_t gpa, void *buf, size_t len, bool to_guest);
/* Is every page of [lo, hi] guest RAM? (lock held; maps them into the cache) */
bool mapcache_is_ram(struct hv *hv, uint64_t lo, uint64_t hi);

/* Our xenstore node xengt-dm/<domid>/ (xs_state.c). */
/* Write leaf = printf(fmt, ...). 0 or -errno. */
int xs_state_write(struct hv *hv, const char *leaf, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Remove leaf, or the whole node when leaf is NULL. */
void xs_state_rm(struct hv *hv, const char *leaf);
/* Record the domain's UUID and our pid (before the server exists). 0 or -errno. */
int xs_state_write_owner(struct hv *hv);
/* Undo a dead predecessor's server and aperture map; -EBUSY if it lives. */
int xs_state_cleanup_stale(struct hv *hv, char *err, size_t errlen);
/* Remove nodes of domains that are gone and no live daemon owns. */
void xs_state_prune(struct xs_handle *xsh, xc_interface *xch);
/* -EBUSY with a reason if the SBDF would hide the guest's emulated VGA. */
int xs_state_check_vga(struct hv *hv, char *err, size_t errlen);

/* Is [lo, hi] inside one write-protected page? (lock held) */
bool hv_xen_wp_owned(void *arg, uint64_t lo, uint64_t hi);
/* Does any page of [lo, hi] have a write protection of ours? (lock held) */
bool hv_xen_wp_any(const struct hv *hv, uint64_t lo, uint64_t hi);

#endif
