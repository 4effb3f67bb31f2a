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
 *   uuid          the domain's UUID: a later domain with the same domid is not it
 *   pid           "PID STARTTIME" of the daemon serving the domain (a recycled
 *                 pid has another start time)
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

/* The domain's UUID as 32 hex digits; -ESRCH if domid is not a domain now. */
static int
domain_uuid(xc_interface *xch, uint32_t domid, char out[33])
{
	xc_dominfo_t info;

	if (xc_domain_getinfo(xch, domid, 1, &info) != 1 || info.domid != domid)
		return -ESRCH;
	for (unsigned int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", info.handle[i]);
	return 0;
}

/* Field 22 of /proc/PID/stat: when the process started (0 if it is gone). */
static unsigned long long
proc_start_time(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* After "(comm)": state is field 3, starttime field 22. */
	for (int field = 2; p && *p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (p)
		start = strtoull(p + 1, NULL, 10);
	return start;
}

int
xs_state_write_owner(struct hv *hv)
{
	char uuid[33];
	int rc = domain_uuid(hv->xch, hv->cfg.domid, uuid);

	if (rc)
		return rc;
	rc = xs_state_write(hv, "uuid", "%s", uuid);
	if (!rc)
		rc = xs_state_write(hv, "pid", "%d %llu", (int)getpid(),
				    proc_start_time((long)getpid()));
	return rc;
}

/*
 * Does the node's "pid" name a live process other than us? The start
 * time tells a recycled pid. (A daemon in another pid namespace cannot
 * be seen: run one xengt-dm per emulator domain's namespace.)
 */
static bool
owner_alive(const char *pid_s, long *pid)
{
	unsigned long long start = 0, now;

	*pid = 0;
	if (!pid_s || sscanf(pid_s, "%ld %llu", pid, &start) < 1 || *pid <= 0 ||
	    *pid == (long)getpid())
		return false;
	now = proc_start_time(*pid);
	return now && (!start || now == start);
}

/*
 * A node left by an earlier daemon. If its process still runs, the domain
 * is served: refuse (-EBUSY). If it was written for an earlier domain
 * that had this domid (another UUID), nothing in it is this domain's:
 * just remove it. Otherwise undo what Xen keeps for a dead emulator
 * (XEN-IOREQ-NOTES.md section 8: its server stays registered, and a new
 * claim of HVMMEM_ioreq_server would get -EBUSY while its typed pages
 * remain): unclaim the type (Xen sweeps the pages back to ram_rw),
 * disable and destroy the server, remove the aperture direct map, lower
 * an INTx line it left asserted, then remove the node. vCPUs blocked on
 * the dead server stay blocked (recovery is later work, ROADMAP.md).
 */
int
xs_state_cleanup_stale(struct hv *hv, char *err, size_t errlen)
{
	char *pid_s = xs_get(hv, "pid"), *id_s = xs_get(hv, "ioreq-server");
	char *ap_s = xs_get(hv, "aperture"), *uuid_s = xs_get(hv, "uuid");
	const struct glue_config *c = &hv->cfg;
	uint32_t d = c->domid;
	char uuid[33] = "";
	long pid;
	int rc = 0;

	if (!pid_s && !id_s && !ap_s && !uuid_s)
		goto out;
	if (owner_alive(pid_s, &pid)) {
		snprintf(err, errlen, "domain %u is served by xengt-dm pid %ld", d, pid);
		rc = -EBUSY;
		goto out;
	}
	if (domain_uuid(hv->xch, hv->cfg.domid, uuid) || !uuid_s || strcmp(uuid_s, uuid)) {
		log_warn("[%s] removed a stale xengt-dm node of an earlier domain %u "
			 "(uuid %s, now %s): nothing of it touched", hv->tag, d,
			 uuid_s ? uuid_s : "?", uuid[0] ? uuid : "?");
		xs_state_rm(hv, NULL);
		goto out;
	}
	if (id_s) {
		ioservid_t id = (ioservid_t)strtoul(id_s, NULL, 10);

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
		    xc_domain_memory_mapping(hv->xch, d, (unsigned long)gfn, (unsigned long)mfn,
					     (unsigned long)nr, DPCI_REMOVE_MAPPING) == 0) {
			xc_domain_iomem_permission(hv->xch, d, (unsigned long)mfn,
						   (unsigned long)nr, 0);
			log_warn("[%s] removed stale aperture map gfn %#" PRIx64 " + %" PRIu64,
				 hv->tag, gfn, nr);
		}
	}
	/* Only changes are sent: a line the dead daemon left high would stay high. */
	if (!c->seg && !c->bus && c->dev <= 31)
		xendevicemodel_set_pci_intx_level(hv->dmod, d, 0, 0, c->dev, 0, 0);
	xs_state_rm(hv, NULL);
out:
	free(pid_s);
	free(id_s);
	free(ap_s);
	free(uuid_s);
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

/*
 * Nodes that outlived their domain (a killed daemon's, whose guest was
 * destroyed since): removed when no live daemon owns them and the domain
 * with that domid is gone or another one (a different UUID). At start and
 * after each @releaseDomain, so xenstore does not collect them.
 */
void
xs_state_prune(struct xs_handle *xsh, xc_interface *xch)
{
	unsigned int n = 0;
	char **dir = xs_directory(xsh, XBT_NULL, "xengt-dm", &n);

	for (unsigned int i = 0; dir && i < n; i++) {
		char path[64], uuid[33], *pid_s, *uuid_s;
		unsigned long domid = strtoul(dir[i], NULL, 10);
		long pid;
		bool keep;

		snprintf(path, sizeof(path), "xengt-dm/%s/pid", dir[i]);
		pid_s = xs_read(xsh, XBT_NULL, path, NULL);
		snprintf(path, sizeof(path), "xengt-dm/%s/uuid", dir[i]);
		uuid_s = xs_read(xsh, XBT_NULL, path, NULL);
		keep = owner_alive(pid_s, &pid) || (pid && pid == (long)getpid()) ||
		       (domain_uuid(xch, (uint32_t)domid, uuid) == 0 && uuid_s &&
			!strcmp(uuid, uuid_s));
		free(pid_s);
		free(uuid_s);
		if (keep)
			continue;
		snprintf(path, sizeof(path), "xengt-dm/%s", dir[i]);
		if (xs_rm(xsh, XBT_NULL, path))
			log_info("xenstore: removed the stale xengt-dm node of domain %lu", domid);
	}
	free(dir);
}
