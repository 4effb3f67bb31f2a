/* SPDX-License-Identifier: MIT */
/*
 * qemu_ops.c — qemu-glue as the daemon's transport (dm/glue_ops.h), for
 * xengt-dm-qemu: QEMU's x-pci-proxy-dev sockets (--proxy-fd), the spec
 * keys the proxy implies (32-bit BARs, no MSI), the watch of connections.
 * Only the daemon links this file; tests call qemu_glue.h directly.
 */
#include "qemu_glue.h"

const struct glue_ops dm_glue = {
	.name = "qemu",
	.hv_ops = &hv_qemu_ops,
	.spec_defaults = QG_SPEC_DEFAULTS,
	.options = qg_options,
	.usage = qg_usage,
	.parse_option = qg_parse_option,
	.attach = qg_attach,
	.set_vgpu = qg_set_vgpu,
	.set_running = qg_set_running,
	.fd = qg_fd,
	.run_once = qg_run_once,
	.take_reset = qg_take_reset,
	.scan = qg_scan,
	.quiesce = qg_quiesce,
	.idle = qg_idle,
	.gone = qg_gone,
	.detach = qg_detach,
	.stats = qg_stats,
	.trap_rows = qg_trap_rows,
	.watch_open = qg_watch_open,
	.watch_close = qg_watch_close,
	.watch_fd = qg_watch_fd,
	.watch_fired = qg_watch_fired,
	.guest_state = qg_guest_state,
};
