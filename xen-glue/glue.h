/* SPDX-License-Identifier: MIT */
/*
 * glue.h — xen-glue's API: attach an ioreq server to a domain, serve its
 * requests from the caller's thread, the hv_ops for the mediator,
 * counters, detach, the domain watch. dm/ reaches it only through
 * dm_glue (xen_ops.c, dm/glue_ops.h); tests call it directly. No Xen
 * types here; the definition of struct hv is in glue_int.h.
 */
#ifndef XEN_GLUE_GLUE_H
#define XEN_GLUE_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm/glue_ops.h"
#include "mediator/hv.h"
#include "ioreq_decode.h"

struct vgpu;

/* How the server handles buffered ioreqs (HVM_IOREQSRV_BUFIOREQ_*). */
enum glue_bufioreq {
	GLUE_BUFIOREQ_OFF = 0,
	GLUE_BUFIOREQ_LEGACY = 1,
	GLUE_BUFIOREQ_ATOMIC = 2,
};


struct glue_config {
	uint32_t domid;
	uint16_t seg;			/* the vGPU's guest PCI address */
	uint8_t bus, dev, fn;
	bool check_vga;			/* refuse 00:02.0 when the guest has QEMU's VGA */
	enum glue_bufioreq bufioreq;
	uint64_t null_mmio_gpa;		/* 0 = none; else a 4 KiB page answered by the glue */
	uint64_t aperture_maddr;	/* machine address of the physical aperture BAR */
	glue_dma_fn *dma_hook;
	unsigned int poll_us;		/* poll mode: the longest poll window (0: off) */
};

/* Per-domain counters (read from any thread). */
struct glue_stats {
	uint64_t by_kind[IOK_NR];	/* handled requests per kind (ram_write: completed) */
	uint64_t by_err[IOE_NR];	/* refused requests per cause */
	uint64_t buffered;		/* requests drained from the buffered ring */
	uint64_t null_mmio;		/* requests answered by the null handler */
	uint64_t unhandled;		/* valid, but the mediator said -ENOENT/-EINVAL */
	uint64_t tracked_rep;		/* rep-read items stored into a protected page */
	uint64_t wakeups;
	uint64_t time_offset;		/* last TIMEOFFSET value */
};

/*
 * Attach to cfg->domid in Xen's order: open handles, check that the SBDF
 * does not hide QEMU's VGA, clean up after a killed predecessor (its
 * stale server, aperture map), create the ioreq server, map its pages,
 * enable it, bind one event channel per vCPU (and the buffered one),
 * claim the null-MMIO page. Runs before the guest is unpaused. Returns 0
 * or -errno (-EBUSY: another live daemon serves the domain, or the VGA
 * clash); *err gets a readable reason.
 */
int ioreq_server_attach(const struct glue_config *cfg, struct hv **out,
			char *err, size_t errlen);
/* Set the mediator object requests are delivered to (NULL: answer safely). */
void ioreq_server_set_vgpu(struct hv *hv, struct vgpu *v);
/*
 * Write our own xengt-dm/<domid>/state = "running" (after the vGPU
 * answers): what a launcher waits for before unpausing (docs/xengt-dm.md).
 */
int ioreq_server_set_running(struct hv *hv);
/*
 * The fd to poll for POLLIN (this domain's event channel handle). On real
 * Xen it is BLOCKING (/dev/xen/evtchn opened without O_NONBLOCK, and
 * xenevtchn_pending() is a plain read()): call ioreq_loop_run_once() only
 * after poll() reported POLLIN, or the thread sleeps until the next event.
 * (libxensim's fd happens to be non-blocking; do not rely on it.)
 */
int ioreq_server_fd(struct hv *hv);
/*
 * Teardown, first half, while the domain's thread keeps answering (a vCPU
 * waiting on Xen's wait_for_io is woken by nothing but our notification):
 * call after the vGPU is detached from the glue (ioreq_server_set_vgpu
 * NULL) and destroyed. Unclaims every range, the SBDF and the p2m type
 * (Xen sweeps typed pages back to ram_rw) and disables the server, so Xen
 * selects it for nothing new (with legacy gfn pages it is disabled only at
 * destroy: disabling clears those pages). In-flight requests are still
 * answered.
 */
void ioreq_server_quiesce(struct hv *hv);
/* Is every vCPU slot back to NONE (nothing in flight, every answer taken)? */
bool ioreq_server_idle(struct hv *hv);
/*
 * Second half (the thread stopped): destroy the server, unbind, unmap,
 * close, remove our xenstore node. Also undoes a failed attach.
 */
void ioreq_server_detach(struct hv *hv);
void ioreq_server_get_stats(struct hv *hv, struct glue_stats *out);

/*
 * Handle one wakeup of the event channel fd: pending port, unmask, the
 * buffered ring, then the vCPU slots with READY requests (the ring is
 * drained again before each one, so earlier buffered writes apply before a
 * later synchronous access). Call it only after poll() said POLLIN on
 * ioreq_server_fd(): it calls xenevtchn_pending(), which blocks on real Xen.
 * Runs on the domain's own thread only. Returns 0 or -errno.
 */
int ioreq_loop_run_once(struct hv *hv);
/*
 * Answer what is on the pages (buffered ring, READY slots) without asking
 * the event channel: for a thread whose event channel failed, which keeps
 * answering on a timer so that no vCPU waits for ever, and for the
 * poll loop. The buffered ring first (as QEMU does: those were queued
 * before any sync request), then every vCPU slot, not just the pending
 * port's (a request whose notification was coalesced, or only set a
 * masked port pending, is READY on its slot all the same). Requests
 * handled, or the first -errno (every slot is tried).
 */
int ioreq_loop_scan(struct hv *hv);

/*
 * The guest is dying or gone: its p2m is torn down, so nothing of ours is
 * mapped in it any more. From now on releases (unclaims, unmapping the
 * aperture, unprotecting pages, dropping INTx) succeed without asking
 * Xen, so the vGPU's GM share goes back to the pool; claims fail -ESRCH.
 */
void ioreq_server_domain_gone(struct hv *hv);

/* ---- watching the served domains (domain_watch.c; dm_glue's watch ops) ---- */
/*
 * Watch @releaseDomain. Also removes our xenstore nodes of domains that
 * are gone (now and whenever the watch fires). 0 or -errno with a reason.
 */
int glue_domwatch_open(struct glue_watch **out, char *err, size_t errlen);
void glue_domwatch_close(struct glue_watch *w);
int glue_domwatch_fd(struct glue_watch *w);
/* Consume the pending watch events (never blocks); true if @releaseDomain fired. */
bool glue_domwatch_fired(struct glue_watch *w);
/* The state of domid now; *reason: the SHUTDOWN_* code when shut down. */
enum glue_guest_state glue_domwatch_state(struct glue_watch *w, uint32_t domid,
					  unsigned int *reason);

/*
 * Poll mode (cfg.poll_us > 0), as ACRN's polling ioreq mode: after a
 * wake-up that found requests, keep serving the ioreq page (READY slots,
 * the buffered ring) without blocking for an adaptive window of at most
 * poll_us, with the event channels that fired left masked (a vCPU's
 * notification then only sets a pending bit: no wake-up to pay for).
 * When the window closes: unmask them, look at the page once more, and
 * the caller may block in poll(). Call it after ioreq_loop_run_once, and
 * again while it returns 1. It returns by slice_end_ns (CLOCK_MONOTONIC)
 * so the caller can check its other fds: 1 still polling, 0 the window
 * is closed (block now), or -errno. The window adapts as KVM's halt
 * polling does: it grows when a request came soon after blocking, and
 * shrinks to nothing when they come rarely, so an idle vGPU never polls.
 */
int ioreq_loop_poll(struct hv *hv, uint64_t slice_end_ns);

/* The mediator's hypervisor ops over libxen* (hv_xen.c). */
extern const struct hv_ops hv_xen_ops;

#endif
