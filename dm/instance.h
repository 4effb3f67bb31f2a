/* SPDX-License-Identifier: MIT */
/*
 * instance.h — the daemon's attached vGPUs: one per domain, each with its
 * ioreq server (xen-glue) and its own thread running its own poll loop.
 * Attach and detach work at run time from the control socket.
 */
#ifndef DM_INSTANCE_H
#define DM_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediator/vgpu.h"
#include "dm/glue_ops.h"

struct gpu;

/* Daemon-wide platform facts every attach passes to the glue. */
struct instance_defaults {
	uint64_t aperture_maddr;
	glue_dma_fn *dma_hook;
};

/* One attached vGPU, as seen by the control socket. */
struct instance_info {
	uint32_t domid;
	unsigned int vgpu_id;
	char type[VGPU_TYPE_NAME_MAX];
	bool failsafe;
	uint16_t seg;
	uint8_t bus, dev, fn;
};

/* Set up the registry (gpu shared by all instances). */
void instance_init(struct gpu *gpu, const struct instance_defaults *d);

/*
 * Attach a vGPU with spec to domid: ioreq server, vGPU, thread, xenstore
 * "running". Main thread. Returns 0 (and *out_id) or -errno with err.
 */
int instance_attach(uint32_t domid, const char *spec, unsigned int *out_id,
		    char *err, size_t errlen);
/*
 * Destroy the vGPU and detach the server, answering every request in
 * flight (instance.c). st: what became of the domain (GLUE_DOM_RUNNING for
 * an admin's detach). Shut down or worse: its vCPUs never run again, so
 * do not wait for them to take their last answers; dying or gone: its p2m
 * is torn down, so releases have nothing to undo and the GM share returns.
 * -ENOENT if absent.
 */
int instance_detach(uint32_t domid, enum glue_guest_state st);
/*
 * Detach the vGPUs of domains that shut down, are dying or are gone (after
 * @releaseDomain, which xenstored fires once per death). true if a
 * domain's state could not be read: call again a little later.
 */
bool instance_reap(struct glue_watch *w);
/* Detach everything (shutdown). */
void instance_detach_all(void);

/* Up to max instances; returns the count. */
size_t instance_list(struct instance_info *out, size_t max);

/*
 * Run fn on the vGPU and glue of domid with the registry locked (so the
 * instance cannot be detached meanwhile). -ENOENT if absent.
 */
int instance_with(uint32_t domid, void (*fn)(struct vgpu *v, struct hv *hv, void *arg),
		  void *arg);

#endif
