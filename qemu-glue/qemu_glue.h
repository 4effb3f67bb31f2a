/* SPDX-License-Identifier: MIT */
/*
 * qemu_glue.h — qemu-glue's API: serve one guest's x-pci-proxy-dev socket
 * (QEMU 7.2's multi-process protocol, docs/qemu-glue.md) for the mediator.
 * dm/ reaches it only through dm_glue (qemu_ops.c, dm/glue_ops.h); tests
 * call these directly. The definition of struct hv is in qemu_int.h.
 */
#ifndef QEMU_GLUE_QEMU_GLUE_H
#define QEMU_GLUE_QEMU_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dm/glue_ops.h"
#include "mediator/hv.h"

struct vgpu;

/* The transport's options (qemu_proxy.c): --proxy-fd [DOMID:]FD, repeatable. */
extern const struct option qg_options[];
extern const char qg_usage[];
int qg_parse_option(int val, const char *arg);
/* Forget every --proxy-fd given (tests). */
void qg_options_reset(void);

/*
 * Attach to the guest whose proxy socket was given for g->domid (or the
 * next --proxy-fd given without a domid): the socket made non-blocking,
 * the xensim machine of this daemon opened for the DMA window and the
 * aperture ($XENSIM_MACHINE, the machine softgpu uses). 0 or -errno with
 * err (-ENOENT: no socket for this domid).
 */
int qg_attach(const struct glue_guest *g, struct hv **out, char *err, size_t errlen);
/* The same on a socket the caller hands over (tests, a launcher): hv owns fd. */
int qg_attach_fd(const struct glue_guest *g, int fd, struct hv **out, char *err,
		 size_t errlen);
void qg_set_vgpu(struct hv *hv, struct vgpu *v);
int qg_set_running(struct hv *hv);
/* The fd to poll for POLLIN (an epoll fd: the socket and the resample fd). */
int qg_fd(struct hv *hv);
/* Serve every complete message and a resample notification. 0 or -errno. */
int qg_run_once(struct hv *hv);
/* The same, returning how many messages were served (or -errno). */
int qg_scan(struct hv *hv);
/*
 * A DEVICE_RESET was answered since the last call (then true once): the
 * daemon replaces the vGPU. Nothing after it is served until this is asked.
 */
bool qg_take_reset(struct hv *hv);
void qg_quiesce(struct hv *hv);
bool qg_idle(struct hv *hv);
void qg_gone(struct hv *hv);
void qg_detach(struct hv *hv);
void qg_stats(struct hv *hv, const struct glue_stat_sink *sink);
void qg_trap_rows(struct hv *hv, struct trap_entry *rows, size_t max, size_t *n);
/* Has the connection ended (QEMU exited, or we dropped it)? */
bool qg_hung_up(struct hv *hv);

/* The watch: an eventfd that fires when a connection ends. */
int qg_watch_open(struct glue_watch **out, char *err, size_t errlen);
void qg_watch_close(struct glue_watch *w);
int qg_watch_fd(struct glue_watch *w);
bool qg_watch_fired(struct glue_watch *w);
enum glue_guest_state qg_guest_state(struct glue_watch *w, uint32_t domid, unsigned int *reason);

/* The mediator's hypervisor ops over the proxy (hv_qemu.c). */
extern const struct hv_ops hv_qemu_ops;

/* The vGPU spec keys this transport implies (docs/vgpu-spec.md). */
#define QG_SPEC_DEFAULTS "bars=32,msi=off"

#endif
