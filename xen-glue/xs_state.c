/* SPDX-License-Identifier: MIT */
/*
 * xs_state.c — xengt-dm's own xenstore node for a domain it serves, and
 * what it is used for: the toolstack's "ready" signal, the record a
 * restarted daemon needs to clean up after a killed one (stale ioreq
 * server, aperture direct map), and the check that the vGPU's SBDF does
 * not shadow QEMU's emulated VGA.
 *
 * The node is xengt-dm/<domid>/ relative to the daemon's own domain, i.e.
 * /local/domain/0/xengt-dm/<domid>/ for a dom0 daemon (docs/xengt-dm.md):
 *   state         "running" once the vGPU answers (the launcher waits on it)
 *   pid           the daemon process serving the domain
 *   ioreq-server  the ioreq server id (written right after it is created)
 *   aperture      "GFN MFN NR" (hex) while the aperture slice is direct-mapped
 * QEMU's device-model/<domid>/state belongs to QEMU and libxl: never
 * touched here (XEN-IOREQ-NOTES.md section 8).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "glue_int.h"
#include "mediator/log.h"

#define XS_NODE_FMT "xengt-dm/%u"

static void
node_path(const struct hv *hv, const char *leaf, char *buf, size_t len)
{
	int n = snprintf(buf, len, XS_NODE_FMT, hv->cfg.domid);

	if (leaf && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "/%s", leaf);
}

int
xs_state_write(struct hv *hv, const char *leaf, const char *fmt, ...)
{
	char path[64], val[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	node_path(hv, leaf, path, sizeof(path));
	if (!xs_write(hv->xsh, XBT_NULL, path, val, (unsigned int)strlen(val)))
		return errno ? -errno : -EIO;
	hv->xs_node_written = true;
	return 0;
}

void
xs_state_rm(struct hv *hv, const char *leaf)
{
	char path[64];

	node_path(hv, leaf, path, sizeof(path));
	if (!xs_rm(hv->xsh, XBT_NULL, path) && errno != ENOENT)
		log_warn("[%s] xenstore rm %s: %s", hv->tag, path, strerror(errno));
	if (!leaf)
		hv->xs_node_written = false;
}

/* Read leaf of the node (or an absolute path when leaf starts with '/'); NULL if absent. */
static char *
xs_get(struct hv *hv, const char *leaf)
{
	char path[96];
	unsigned int len = 0;

	if (leaf[0] == '/')
		snprintf(path, sizeof(path), "%s", leaf);
	else
		node_path(hv, leaf, path, sizeof(path));
	return xs_read(hv->xsh, XBT_NULL, path, &len);
}

/*
 * A node left by an earlier daemon. If its process still runs, the domain
 * is served: refuse (-EBUSY). Otherwise undo what Xen keeps for a dead
 * emulator (XEN-IOREQ-NOTES.md section 8: its server stays registered and
 * a new claim of HVMMEM_ioreq_server would get -EBUSY while its typed
 * pages remain): unclaim the type (Xen sweeps the pages back to ram_rw),
 * disable and destroy the server, remove the aperture direct map, then
 * the node. vCPUs blocked on the dead server stay blocked (recovery is
 * later work, ROADMAP.md). Ops on a server of another emulator domain
 * fail -EPERM: then it is not ours and is left alone.
 */
int
xs_state_cleanup_stale(struct hv *hv, char *err, size_t errlen)
{
	char *pid_s = xs_get(hv, "pid"), *id_s = xs_get(hv, "ioreq-server");
	char *ap_s = xs_get(hv, "aperture");
	long pid = pid_s ? strtol(pid_s, NULL, 10) : 0;
	int rc = 0;

	if (!pid_s && !id_s && !ap_s)
		goto out;
	if (pid > 0 && pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
		snprintf(err, errlen, "domain %u is served by xengt-dm pid %ld", hv->cfg.domid,
			 pid);
		rc = -EBUSY;
		goto out;
	}
	if (id_s) {
		ioservid_t id = (ioservid_t)strtoul(id_s, NULL, 10);
		uint32_t d = hv->cfg.domid;

		if (xendevicemodel_map_mem_type_to_ioreq_server(hv->dmod, d, id,
								HVMMEM_ioreq_server, 0) < 0 &&
		    errno != ENOENT && errno != EINVAL)
			log_warn("[%s] stale server %u: unclaim p2m type: %s", hv->tag, id,
				 strerror(errno));
		xendevicemodel_set_ioreq_server_state(hv->dmod, d, id, 0);
		if (xendevicemodel_destroy_ioreq_server(hv->dmod, d, id) == 0)
			log_warn("[%s] destroyed stale ioreq server %u of xengt-dm pid %ld "
				 "(vCPUs blocked on it stay blocked)", hv->tag, id, pid);
		else if (errno != ENOENT)
			log_warn("[%s] stale ioreq server %u: destroy: %s", hv->tag, id,
				 strerror(errno));
	}
	if (ap_s) {
		uint64_t gfn, mfn, nr;

		if (sscanf(ap_s, "%" SCNx64 " %" SCNx64 " %" SCNx64, &gfn, &mfn, &nr) == 3 && nr &&
		    xc_domain_memory_mapping(hv->xch, hv->cfg.domid, (unsigned long)gfn,
					     (unsigned long)mfn, (unsigned long)nr,
					     DPCI_REMOVE_MAPPING) == 0) {
			xc_domain_iomem_permission(hv->xch, hv->cfg.domid, (unsigned long)mfn,
						   (unsigned long)nr, 0);
			log_warn("[%s] removed stale aperture map gfn %#" PRIx64 " + %" PRIu64,
				 hv->tag, gfn, nr);
		}
	}
	xs_state_rm(hv, NULL);
out:
	free(pid_s);
	free(id_s);
	free(ap_s);
	return rc;
}

/*
 * libxl records the emulated VGA's video memory in the guest's
 * memory/videoram (KiB; 0 with vga="none"). QEMU puts that VGA at the
 * first free slot, 00:02.0, and Xen sends a config cycle to the most
 * recently created server claiming the SBDF: ours would silently hide
 * QEMU's device. Refuse; the admin sets vga="none" or moves one of them.
 */
int
xs_state_check_vga(struct hv *hv, char *err, size_t errlen)
{
	const struct glue_config *c = &hv->cfg;
	char path[64], *val;
	long kib;

	if (!c->check_vga || c->seg || c->bus || c->dev != 2 || c->fn)
		return 0;
	snprintf(path, sizeof(path), "/local/domain/%u/memory/videoram", c->domid);
	val = xs_get(hv, path);
	kib = val ? strtol(val, NULL, 10) : 0;
	free(val);
	if (kib <= 0)
		return 0;
	snprintf(err, errlen,
		 "domain %u has an emulated VGA (memory/videoram = %ld KiB) at 00:02.0, "
		 "where the vGPU would hide it: set vga=\"none\" in its config, or give "
		 "the vGPU another sbdf, or vga_check=off if QEMU's VGA was moved",
		 c->domid, kib);
	return -EBUSY;
}
