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
#include "xen-glue/glue.h"

struct gpu;

/* Daemon-wide settings every attach uses. */
struct instance_defaults {
	enum glue_bufioreq bufioreq;
	uint64_t null_mmio_gpa;
	uint64_t aperture_maddr;
	glue_dma_fn *dma_hook;
	unsigned int poll_us;		/* --poll-us: longest ioreq poll window, 0 off */
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
/* Stop the thread, destroy the vGPU, detach the server. -ENOENT if absent. */
int instance_detach(uint32_t domid);
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
