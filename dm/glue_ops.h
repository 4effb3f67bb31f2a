/* SPDX-License-Identifier: MIT */
/*
 * glue_ops.h — the daemon's boundary to a transport: everything dm/ asks
 * of the glue that brings a guest's accesses in (xen-glue/: an ioreq
 * server per guest; qemu-glue/: QEMU's multi-process proxy). A build of
 * the daemon links exactly one glue, which defines dm_glue. dm/ includes
 * no glue header but this one, so a new transport needs no change in dm/
 * or mediator/. A glue includes this header and nothing else of dm/.
 *
 * struct hv is the glue's object for one attached guest; it is also the
 * handle the mediator's hypervisor ops (mediator/hv.h) are called with.
 */
#ifndef DM_GLUE_OPS_H
#define DM_GLUE_OPS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediator/hv.h"
#include "mediator/vgpu.h"

struct hv;		/* one attached guest (the glue's) */
struct glue_watch;	/* the daemon-wide watch of guests (the glue's) */

/* gfn -> DMA address hook of the platform (docs/dma.md); NULL: none. */
typedef int glue_dma_fn(uint32_t domid, uint64_t gfn, uint64_t *dma);

/* What an attach needs: the guest, the vGPU's address, platform facts. */
struct glue_guest {
	uint32_t domid;			/* the guest as the transport names it */
	uint16_t seg;			/* the vGPU's guest PCI address */
	uint8_t bus, dev, fn;
	bool check_vga;			/* refuse an address another device model holds */
	uint64_t aperture_maddr;	/* machine address of the physical aperture */
	glue_dma_fn *dma_hook;
};

/* What became of a guest (watch). */
enum glue_guest_state {
	GLUE_DOM_UNKNOWN,	/* could not ask (ask again later) */
	GLUE_DOM_RUNNING,
	GLUE_DOM_SUSPENDED,	/* shut down for save/checkpoint or soft reset: resumes */
	GLUE_DOM_SHUTDOWN,	/* poweroff, reboot, crash, watchdog: its vCPUs never run again */
	GLUE_DOM_DYING,		/* being destroyed; its memory is gone */
	GLUE_DOM_GONE,		/* no such guest */
};
const char *glue_guest_state_name(enum glue_guest_state st);

/* Where a glue's counters go: one call per counter (xengt-ctl stats). */
struct glue_stat_sink {
	void (*put)(void *arg, const char *key, uint64_t value);
	void *arg;
};

struct glue_ops {
	const char *name;		/* "xen", "qemu" */
	const struct hv_ops *hv_ops;	/* for vgpu_create */
	/*
	 * vGPU spec keys this transport implies ("bars=32,msi=off"), applied
	 * as defaults: a key the spec gives wins (dm/vgpu_spec.c). NULL: none.
	 */
	const char *spec_defaults;

	/*
	 * The transport's own command-line options (getopt_long rows, their
	 * val >= 1000, NULL-terminated) and their help lines; parse_option is
	 * called for each: 0 or -EINVAL (bad value: the daemon exits 2).
	 */
	const struct option *options;
	const char *usage;
	int (*parse_option)(int val, const char *arg);

	/*
	 * Attach to a guest, before it runs: the transport set up, claims that
	 * come first (e.g. nothing hides the vGPU's address). 0 or -errno with
	 * a readable reason in err (-EBUSY: another daemon serves it).
	 */
	int (*attach)(const struct glue_guest *g, struct hv **out, char *err, size_t errlen);
	/* Where requests go (NULL: answered safely without a vGPU: reads all-ones). */
	void (*set_vgpu)(struct hv *hv, struct vgpu *v);
	/* Tell the toolstack the vGPU answers (Xen: our xenstore node). 0 or -errno. */
	int (*set_running)(struct hv *hv);
	/* The fd to poll for POLLIN, then call run_once (blocking fd: only after POLLIN). */
	int (*fd)(struct hv *hv);
	/* Serve what woke the fd. 0 or -errno (the vGPU goes failsafe; keep serving). */
	int (*run_once)(struct hv *hv);
	/*
	 * Did the transport take a device reset since the last call (QEMU's
	 * DEVICE_RESET at a machine reset; it serves nothing after it until
	 * asked again)? The daemon then replaces the vGPU with a fresh one
	 * before it serves on. NULL: never (Xen: a rebooted guest is a new
	 * domain).
	 */
	bool (*take_reset)(struct hv *hv);
	/*
	 * Optional poll mode: keep serving until slice_end_ns (CLOCK_MONOTONIC)
	 * or until the adaptive window closes. 1 still polling, 0 closed (block
	 * now), -errno. NULL, or poll_enabled false: no poll mode.
	 */
	int (*poll)(struct hv *hv, uint64_t slice_end_ns);
	bool (*poll_enabled)(void);
	/* Serve whatever is pending without the fd (after an fd failure). Served count or -errno. */
	int (*scan)(struct hv *hv);
	/* Teardown, first half, while the thread still serves: unclaim, stop new requests. */
	void (*quiesce)(struct hv *hv);
	/* Nothing in flight: the guest took every answer. */
	bool (*idle)(struct hv *hv);
	/* The guest's memory is gone: releases succeed without asking the transport. */
	void (*gone)(struct hv *hv);
	/* Teardown, second half (the thread stopped). Also undoes a failed attach. */
	void (*detach)(struct hv *hv);
	/* The transport's counters. */
	void (*stats)(struct hv *hv, const struct glue_stat_sink *sink);
	/* Rows of the trap map that the transport adds (or rewrites: mechanisms). */
	void (*trap_rows)(struct hv *hv, struct trap_entry *rows, size_t max, size_t *n);

	/* ---- the daemon-wide watch of guests (optional: NULL watch_open) ---- */
	int (*watch_open)(struct glue_watch **out, char *err, size_t errlen);
	void (*watch_close)(struct glue_watch *w);
	int (*watch_fd)(struct glue_watch *w);
	/* Consume what woke the fd; true if guests may have gone. */
	bool (*watch_fired)(struct glue_watch *w);
	enum glue_guest_state (*guest_state)(struct glue_watch *w, uint32_t domid,
					     unsigned int *reason);
};

/* The build's glue (xen-glue/xen_ops.c or qemu-glue/). */
extern const struct glue_ops dm_glue;

#endif
