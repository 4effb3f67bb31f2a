/* SPDX-License-Identifier: MIT */
/*
 * ctl_server.c — the control socket: connection handling (size checks, an
 * idle timeout, replies buffered for a slow reader, a client limit said
 * out loud, SO_PEERCRED for commands that change state) and a {name,
 * args, fn} command table. Commands read state through mediator/vgpu.h,
 * xen-glue counters through glue.h, and change it only through instance.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_server.h"
#include "instance.h"
#include "mediator/vgpu.h"
#include "mediator/log.h"

#define CTL_VERSION "0.1"
#define CTL_MAX_ARGS 4
#define CTL_MAX_ROWS 64

struct ctl_out {
	char *buf;
	size_t len, cap;
};

struct ctl_client {
	int fd;
	struct ctl_peer peer;		/* SO_PEERCRED at accept */
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC: idle past this, it is closed */
	char *out;			/* reply bytes the socket did not take yet (malloc'd) */
	size_t out_len, out_off;
	bool closing;			/* close once out is sent */
	size_t len;
	char buf[CTL_LINE_MAX + 2];	/* a full line, its newline, NUL */
};

typedef int ctl_cmd_fn(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen);

static struct gpu *ctl_gpu;
static const char *ctl_backend = "?";
static int ctl_listen_fd = -1;
static int ctl_timer_fd = -1;	/* idle timeout: armed for the earliest client deadline */
static unsigned int ctl_idle_ms = CTL_IDLE_TIMEOUT_MS;
static char ctl_path[108];
static struct ctl_client ctl_clients[CTL_MAX_CLIENTS];
static unsigned int ctl_nclients;

void
ctl_server_init(struct gpu *gpu, const char *backend)
{
	ctl_gpu = gpu;
	ctl_backend = backend;
}

static void
out_printf(struct ctl_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out_printf(struct ctl_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len = o->len + (size_t)n < o->cap ? o->len + (size_t)n : o->cap - 1;
}

static const struct {
	int err;
	const char *name;
} ctl_errnames[] = {
	{ EINVAL, "EINVAL" }, { ENOENT, "ENOENT" }, { E2BIG, "E2BIG" },
	{ EEXIST, "EEXIST" }, { ENOSPC, "ENOSPC" }, { ENOMEM, "ENOMEM" },
	{ EBUSY, "EBUSY" }, { EIO, "EIO" }, { EPERM, "EPERM" },
	{ ENODEV, "ENODEV" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { ERANGE, "ERANGE" },
	{ EFAULT, "EFAULT" }, { ESRCH, "ESRCH" }, { EACCES, "EACCES" },
	{ ESTALE, "ESTALE" },
};

static const char *
errname(int err, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(ctl_errnames) / sizeof(ctl_errnames[0]); i++)
		if (ctl_errnames[i].err == err)
			return ctl_errnames[i].name;
	snprintf(buf, len, "E%d", err);
	return buf;
}

/* Values contain no spaces: replace them. */
static void
nospace(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = src[i] == ' ' || src[i] == '\n' ? '_' : src[i];
	dst[i] = '\0';
}

static int
parse_domid(const char *s, uint32_t *domid)
{
	char *e;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || *e || e == s || v == 0 || v >= 0x7ff0)
		return -EINVAL;
	*domid = (uint32_t)v;
	return 0;
}

/* parse_domid of a command's DOMID word; on failure the reply's error text. */
static int
arg_domid(const char *s, uint32_t *domid, char *err, size_t errlen)
{
	if (!parse_domid(s, domid))
		return 0;
	snprintf(err, errlen, "bad domid '%s'", s);
	return -EINVAL;
}

/* Run fn on domid's vGPU; -ENOENT with the reply's error text if it has none. */
static int
with_vgpu(uint32_t domid, void (*fn)(struct vgpu *v, struct hv *hv, void *arg), void *arg,
	  char *err, size_t errlen)
{
	if (!instance_with(domid, fn, arg))
		return 0;
	snprintf(err, errlen, "no vGPU for domain %u", domid);
	return -ENOENT;
}

static int
cmd_version(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	struct gpu_usage u;

	(void)argc, (void)argv, (void)err, (void)errlen;
	gpu_get_usage(ctl_gpu, &u);
	out_printf(o, "version=%s gpu=%s device=%#06x\n", CTL_VERSION, ctl_backend,
		   u.info.device_id);
	return 0;
}

static const char *const ctl_unknown_names[] = {
	[UNKNOWN_TOLERATE] = "tolerate",
	[UNKNOWN_STRICT] = "strict",
};

static void
do_policy(struct vgpu *v, struct hv *hv, void *arg)
{
	enum unknown_reg_policy *p = arg;

	(void)hv;
	*p = vgpu_unknown_policy(v);
}

static int
cmd_list(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	struct instance_info in[CTL_MAX_ROWS];
	size_t n = instance_list(in, CTL_MAX_ROWS);

	(void)argc, (void)argv, (void)err, (void)errlen;
	for (size_t i = 0; i < n; i++) {
		enum unknown_reg_policy pol = UNKNOWN_TOLERATE;
		const char *pname = "?";

		/* Detached since instance_list: the row still prints, policy "?". */
		if (!instance_with(in[i].domid, do_policy, &pol) && pol <= UNKNOWN_STRICT)
			pname = ctl_unknown_names[pol];
		out_printf(o, "domid=%u vgpu=%u type=%s state=%s sbdf=%04x:%02x:%02x.%x"
			   " unknown=%s\n", in[i].domid, in[i].vgpu_id, in[i].type,
			   in[i].failsafe ? "failsafe" : "running", in[i].seg, in[i].bus,
			   in[i].dev, in[i].fn, pname);
	}
	return 0;
}

static int
cmd_gpu(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	struct gpu_usage u;

	(void)argc, (void)argv, (void)err, (void)errlen;
	gpu_get_usage(ctl_gpu, &u);
	out_printf(o, "aperture=%" PRIu64 " gm=%" PRIu64 " fences=%u low_free=%" PRIu64
		   " high_free=%" PRIu64 " fences_free=%u exec=%d pgpu_submit=%d elsp=%d"
		   " lite_restore=%d submits=%" PRIu64 " lite_restores=%" PRIu64 " switches=%" PRIu64
		   " engine_resets=%" PRIu64 " watchdog=%" PRIu64 " faults=%" PRIu64 " vgpus=%u\n",
		   u.info.aperture_size, u.info.gm_size, u.info.nr_fences, u.low_gm_free,
		   u.high_gm_free, u.fences_free, u.can_exec, u.pgpu_submit, u.elsp_emulated,
		   u.info.lite_restore, u.submits, u.lite_restores, u.switches, u.engine_resets,
		   u.watchdog, u.faults, u.nr_vgpus);
	return 0;
}

/*
 * The unknown registers the guest touched: unknown_regs=N distinct ones
 * listed, unknown_overflow=hits on registers past the table, then one
 * unknown_0x<off>=<hits> line each (one line each keeps lines short and
 * lets `xengt-ctl stats DOMID unknown_0x1234` pick one).
 */
static void
do_stats_unknown(struct ctl_out *o, struct vgpu *v)
{
	struct vgpu_unknown_reg u[VGPU_UNKNOWN_MAX];
	uint64_t overflow = 0;
	size_t n = vgpu_unknown_regs(v, u, VGPU_UNKNOWN_MAX, &overflow);

	out_printf(o, "unknown_regs=%zu\nunknown_overflow=%" PRIu64 "\n", n, overflow);
	for (size_t i = 0; i < n; i++)
		out_printf(o, "unknown_0x%x=%" PRIu64 "\n", u[i].off, u[i].hits);
}

static void
put_stat(void *arg, const char *key, uint64_t value)
{
	out_printf(arg, "%s=%" PRIu64 "\n", key, value);
}

static void
do_stats(struct vgpu *v, struct hv *hv, void *arg)
{
	struct ctl_out *o = arg;
	struct vgpu_stats s;
	char reason[sizeof(s.failsafe_reason)];

	vgpu_get_stats(v, &s);
#define STAT(f) out_printf(o, #f "=%" PRIu64 "\n", s.f)
	STAT(cfg_reads); STAT(cfg_writes); STAT(mmio_reads); STAT(mmio_writes);
	STAT(pio_reads); STAT(pio_writes); STAT(ggtt_writes); STAT(ggtt_bad);
	STAT(page_writes); STAT(unknown_reg); STAT(bad_access); STAT(msi_injected);
	STAT(msi_suppressed); STAT(msi_failed); STAT(intx_asserts); STAT(intx_failed);
	STAT(vblanks); STAT(ticks); STAT(wp_failed);
	STAT(hv_release_failed);
	STAT(ppgtt_tables); STAT(ppgtt_bad); STAT(ppgtt_oos); STAT(ppgtt_oos_syncs); STAT(ppgtt_resyncs);
	STAT(exec_submitted); STAT(exec_completed); STAT(exec_failed); STAT(exec_preempted);
	STAT(exec_dropped); STAT(exec_resets); STAT(busy_ns);
#undef STAT
	do_stats_unknown(o, v);
	out_printf(o, "failsafe=%d\n", s.failsafe);
	nospace(reason, sizeof(reason), s.failsafe_reason);
	out_printf(o, "failsafe_reason=%s\n", reason);
	/* The transport's own counters. */
	dm_glue.stats(hv, &(struct glue_stat_sink){ .put = put_stat, .arg = o });
}

static int
cmd_stats(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	uint32_t domid;

	(void)argc;
	if (arg_domid(argv[1], &domid, err, errlen))
		return -EINVAL;
	return with_vgpu(domid, do_stats, o, err, errlen);
}

static void
do_partition(struct vgpu *v, struct hv *hv, void *arg)
{
	struct ctl_out *o = arg;
	struct vgpu_partition p;

	(void)hv;
	vgpu_get_partition(v, &p);
	out_printf(o, "low_base=0x%" PRIx64 " low_size=%" PRIu64 " high_base=0x%" PRIx64
		   " high_size=%" PRIu64 " fence_base=%u fence_num=%u\n", p.low_base,
		   p.low_size, p.high_base, p.high_size, p.fence_base, p.fence_num);
}

static int
cmd_partition(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	uint32_t domid;

	(void)argc;
	if (arg_domid(argv[1], &domid, err, errlen))
		return -EINVAL;
	return with_vgpu(domid, do_partition, o, err, errlen);
}

static const char *const ctl_mech_names[] = {
	[TRAP_PCI_SBDF] = "pci-sbdf",
	[TRAP_IOREQ_MMIO] = "ioreq-mmio",
	[TRAP_IOREQ_PORT] = "ioreq-port",
	[TRAP_P2M_WP] = "p2m-wp",
	[TRAP_DIRECT] = "direct",
	[TRAP_PROXY] = "proxy",
	[TRAP_RESYNC] = "resync",
};

static void
do_trap_map(struct vgpu *v, struct hv *hv, void *arg)
{
	struct ctl_out *o = arg;
	struct trap_entry rows[CTL_MAX_ROWS];
	size_t n = vgpu_trap_map(v, rows, CTL_MAX_ROWS);

	/* The transport's own rows (and its words for the mechanisms). */
	if (dm_glue.trap_rows)
		dm_glue.trap_rows(hv, rows, CTL_MAX_ROWS, &n);
	for (size_t i = 0; i < n; i++) {
		char what[sizeof(rows[i].what)];
		unsigned int m = rows[i].mech;

		nospace(what, sizeof(what), rows[i].what);
		out_printf(o, "mech=%s start=0x%" PRIx64 " end=0x%" PRIx64 " what=%s traps=%"
			   PRIu64 "\n", m < sizeof(ctl_mech_names) / sizeof(ctl_mech_names[0]) &&
			   ctl_mech_names[m] ? ctl_mech_names[m] : "?",
			   rows[i].start, rows[i].end, what[0] ? what : "-", rows[i].traps);
	}
}

static int
cmd_trap_map(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	uint32_t domid;

	(void)argc;
	if (arg_domid(argv[1], &domid, err, errlen))
		return -EINVAL;
	return with_vgpu(domid, do_trap_map, o, err, errlen);
}

/* ---- what a primary plane shows (mediator display/fb.c) ---- */

/* Pixels per data line of `pixels`: 6 hex digits each, the line under CTL_LINE_MAX. */
#define CTL_PIXELS_PER_LINE 160
/* Room kept in a reply for the plane line and the status line. */
#define CTL_PIXELS_SLACK 512

static int
arg_pipe(const char *s, unsigned int *pipe, char *err, size_t errlen)
{
	if (s[0] >= 'A' && s[0] < 'A' + VGPU_NR_PIPES && !s[1]) {
		*pipe = (unsigned int)(s[0] - 'A');
		return 0;
	}
	snprintf(err, errlen, "bad pipe '%s' (A, B or C)", s);
	return -EINVAL;
}

static void
plane_line(struct ctl_out *o, const struct vgpu_plane *p)
{
	out_printf(o, "pipe=%c enabled=%d supported=%d format=%s tiling=%s width=%u height=%u"
		   " stride=%u surf=0x%" PRIx64 " x=%u y=%u ctl=0x%08x\n", 'A' + p->pipe,
		   p->enabled, p->supported, p->format, p->tiling, p->width, p->height,
		   p->stride, p->surf, p->x, p->y, p->ctl);
}

struct plane_arg {
	struct ctl_out *o;
	unsigned int pipe;
	uint64_t first;		/* pixels: the first pixel wanted */
	bool pixels;
	int rc;
	char *err;
	size_t errlen;
};

static const char *
plane_why(int rc)
{
	switch (rc) {
	case -ENODEV: return "the plane is off";
	case -EOPNOTSUPP: return "format or tiling not readable";
	case -ESTALE: return "the plane changed while it was read";
	default: return "bad pixel range";
	}
}

/*
 * pixels: the plane line, then lines "at=N rgb=RRGGBB..." of at most
 * CTL_PIXELS_PER_LINE pixels from the first wanted, as many as the reply
 * holds; the client asks again from where it stopped.
 */
static void
do_pixels(struct plane_arg *a, struct vgpu *v, const struct vgpu_plane *p)
{
	uint64_t total = (uint64_t)p->width * p->height, at = a->first, missing = 0;
	uint32_t px[CTL_PIXELS_PER_LINE];
	size_t mark = a->o->len;

	if (at > total) {
		a->rc = -EINVAL;
		snprintf(a->err, a->errlen, "pixel %" PRIu64 " beyond the plane's %" PRIu64,
			 at, total);
		return;
	}
	while (at < total && a->o->len + CTL_PIXELS_SLACK + 20 + 6 * CTL_PIXELS_PER_LINE <
	       a->o->cap) {
		uint32_t n = total - at < CTL_PIXELS_PER_LINE ? (uint32_t)(total - at) :
			     CTL_PIXELS_PER_LINE;
		int rc = vgpu_plane_read(v, p, at, n, px, &missing);

		if (rc) {
			a->o->len = mark;	/* nothing half-read goes out */
			if (mark < a->o->cap)
				a->o->buf[mark] = '\0';
			a->rc = rc;
			snprintf(a->err, a->errlen, "%s", plane_why(rc));
			return;
		}
		out_printf(a->o, "at=%" PRIu64 " rgb=", at);
		for (uint32_t i = 0; i < n; i++)
			out_printf(a->o, "%06x", px[i] & 0xffffff);
		out_printf(a->o, "\n");
		at += n;
	}
	if (at == a->first && at < total) {
		a->rc = -E2BIG;
		snprintf(a->err, a->errlen, "reply buffer too small");
		return;
	}
	out_printf(a->o, "next=%" PRIu64 " missing=%" PRIu64 "\n", at, missing);
}

static void
do_plane(struct vgpu *v, struct hv *hv, void *arg)
{
	struct plane_arg *a = arg;
	struct vgpu_plane p;

	(void)hv;
	a->rc = vgpu_plane_get(v, a->pipe, &p);
	if (a->rc) {
		snprintf(a->err, a->errlen, "bad pipe");
		return;
	}
	plane_line(a->o, &p);
	if (a->pixels)
		do_pixels(a, v, &p);
}

static int
cmd_plane(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	struct plane_arg a = { .o = o, .err = err, .errlen = errlen };
	uint32_t domid;
	int rc;

	if (arg_domid(argv[1], &domid, err, errlen) ||
	    (argc > 2 && arg_pipe(argv[2], &a.pipe, err, errlen)))
		return -EINVAL;
	rc = with_vgpu(domid, do_plane, &a, err, errlen);
	return rc ? rc : a.rc;
}

static int
cmd_pixels(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	struct plane_arg a = { .o = o, .err = err, .errlen = errlen, .pixels = true };
	uint32_t domid;
	char *e;
	int rc;

	(void)argc;
	if (arg_domid(argv[1], &domid, err, errlen) || arg_pipe(argv[2], &a.pipe, err, errlen))
		return -EINVAL;
	errno = 0;
	a.first = strtoull(argv[3], &e, 10);
	if (errno || *e || e == argv[3] || argv[3][0] == '-') {
		snprintf(err, errlen, "bad pixel index '%s'", argv[3]);
		return -EINVAL;
	}
	rc = with_vgpu(domid, do_plane, &a, err, errlen);
	if (!rc && a.rc) {
		/* The reply is the error alone: drop the plane line. */
		o->len = 0;
		if (o->cap)
			o->buf[0] = '\0';
	}
	return rc ? rc : a.rc;
}

static int
cmd_types(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	unsigned int n;
	const struct vgpu_type *t = vgpu_type_table(&n);

	(void)argc, (void)argv, (void)err, (void)errlen;
	for (unsigned int i = 0; i < n; i++)
		out_printf(o, "name=%s low_gm=%" PRIu64 " high_gm=%" PRIu64
			   " fences=%u weight=%u res=%ux%u\n", t[i].name, t[i].low_gm,
			   t[i].high_gm, t[i].fences, t[i].weight, t[i].max_w, t[i].max_h);
	return 0;
}

static int
cmd_attach(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	unsigned int id = 0;
	uint32_t domid;
	int rc;

	if (arg_domid(argv[1], &domid, err, errlen))
		return -EINVAL;
	rc = instance_attach(domid, argc > 2 ? argv[2] : "", &id, err, errlen);
	if (!rc)
		out_printf(o, "domid=%u vgpu=%u\n", domid, id);
	return rc;
}

static int
cmd_detach(struct ctl_out *o, int argc, char **argv, char *err, size_t errlen)
{
	uint32_t domid;

	(void)o, (void)argc;
	if (arg_domid(argv[1], &domid, err, errlen))
		return -EINVAL;
	if (instance_detach(domid, GLUE_DOM_RUNNING)) {
		snprintf(err, errlen, "no vGPU for domain %u", domid);
		return -ENOENT;
	}
	return 0;
}

static const struct {
	const char *name;
	int min_args, max_args;	/* words after the command */
	ctl_cmd_fn *fn;
	const char *usage;
	bool mutates;		/* changes the daemon's state: peer credentials checked */
} ctl_cmds[] = {
	{ "version", 0, 0, cmd_version, "version", false },
	{ "list", 0, 0, cmd_list, "list", false },
	{ "gpu", 0, 0, cmd_gpu, "gpu", false },
	{ "types", 0, 0, cmd_types, "types", false },
	{ "stats", 1, 1, cmd_stats, "stats DOMID", false },
	{ "partition", 1, 1, cmd_partition, "partition DOMID", false },
	{ "trap-map", 1, 1, cmd_trap_map, "trap-map DOMID", false },
	{ "plane", 1, 2, cmd_plane, "plane DOMID [PIPE]", false },
	{ "pixels", 3, 3, cmd_pixels, "pixels DOMID PIPE FIRST", false },
	{ "attach", 1, 2, cmd_attach, "attach DOMID [SPEC]", true },
	{ "detach", 1, 1, cmd_detach, "detach DOMID", true },
};

/*
 * May this peer run a command that changes state? Root and the daemon's
 * own (effective) uid may; anyone else the socket's mode lets in (an
 * administrator may open it to a monitoring group) may only read.
 * peer NULL: an in-process caller. -EACCES with the reply's text if not.
 */
static int
peer_may_mutate(const struct ctl_peer *peer, const char *cmd, char *err, size_t errlen)
{
	uid_t self = geteuid();

	if (!peer || (peer->known && (peer->uid == 0 || peer->uid == self)))
		return 0;
	if (peer->known) {
		snprintf(err, errlen, "%s needs root or uid %u (the daemon's); peer is uid %u",
			 cmd, (unsigned int)self, (unsigned int)peer->uid);
		log_warn("ctl: %s refused: peer pid %d uid %u is not root or uid %u", cmd,
			 (int)peer->pid, (unsigned int)peer->uid, (unsigned int)self);
	} else {
		snprintf(err, errlen, "%s needs root or uid %u; peer credentials unknown", cmd,
			 (unsigned int)self);
		log_warn("ctl: %s refused: peer credentials unknown", cmd);
	}
	return -EACCES;
}

size_t
ctl_server_exec(const char *line, char *out, size_t outlen)
{
	return ctl_server_exec_as(line, NULL, out, outlen);
}

size_t
ctl_server_exec_as(const char *line, const struct ctl_peer *peer, char *out, size_t outlen)
{
	struct ctl_out o = { .buf = out, .cap = outlen };
	char buf[CTL_LINE_MAX + 1], err[256] = "", en[16];
	char *argv[CTL_MAX_ARGS + 1], *save = NULL, *w;
	int argc = 0, rc = -EINVAL;

	if (outlen)
		out[0] = '\0';
	if (strlen(line) > CTL_LINE_MAX) {
		out_printf(&o, "error E2BIG: request longer than %d bytes\n", CTL_LINE_MAX);
		return o.len;
	}
	strcpy(buf, line);
	for (w = strtok_r(buf, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
		if (argc == CTL_MAX_ARGS) {
			snprintf(err, sizeof(err), "too many words");
			goto reply;
		}
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	if (argc == 0) {
		snprintf(err, sizeof(err), "empty request");
		goto reply;
	}
	for (size_t i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++) {
		if (strcmp(ctl_cmds[i].name, argv[0]))
			continue;
		if (argc - 1 < ctl_cmds[i].min_args || argc - 1 > ctl_cmds[i].max_args) {
			snprintf(err, sizeof(err), "usage: %s", ctl_cmds[i].usage);
			goto reply;
		}
		if (ctl_cmds[i].mutates)
			rc = peer_may_mutate(peer, argv[0], err, sizeof(err));
		if (!rc || !ctl_cmds[i].mutates)
			rc = ctl_cmds[i].fn(&o, argc, argv, err, sizeof(err));
		goto reply;
	}
	rc = -ENOENT;
	snprintf(err, sizeof(err), "unknown command '%.64s'", argv[0]);
reply:
	if (rc)
		out_printf(&o, "error %s: %s\n", errname(-rc, en, sizeof(en)), err);
	else
		out_printf(&o, "ok\n");
	return o.len;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
ctl_server_set_idle_timeout(unsigned int ms)
{
	ctl_idle_ms = ms ? ms : CTL_IDLE_TIMEOUT_MS;
}

int
ctl_server_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old_mask;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	ctl_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ctl_timer_fd < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	unlink(path);
	/*
	 * The socket file is created 0600 by bind itself (umask 077), so no
	 * other local user can connect between bind/listen and the chmod.
	 * Called once at startup, before any thread that creates files.
	 */
	old_mask = umask(077);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc < 0 || listen(fd, 8) < 0) {
		rc = -errno;
		close(fd);
		close(ctl_timer_fd);
		ctl_timer_fd = -1;
		return rc;
	}
	chmod(path, 0600);
	ctl_listen_fd = fd;
	snprintf(ctl_path, sizeof(ctl_path), "%s", path);
	return 0;
}

static void
client_drop(unsigned int i)
{
	close(ctl_clients[i].fd);
	free(ctl_clients[i].out);
	ctl_clients[i] = ctl_clients[--ctl_nclients];
}

void
ctl_server_close(void)
{
	while (ctl_nclients)
		client_drop(0);
	if (ctl_listen_fd >= 0) {
		close(ctl_listen_fd);
		unlink(ctl_path);
	}
	if (ctl_timer_fd >= 0)
		close(ctl_timer_fd);
	ctl_listen_fd = -1;
	ctl_timer_fd = -1;
}

int
ctl_server_pollfds(struct pollfd *pfd, int max)
{
	int n = 0;

	if (ctl_listen_fd >= 0 && n < max)
		pfd[n++] = (struct pollfd){ .fd = ctl_listen_fd, .events = POLLIN };
	if (ctl_timer_fd >= 0 && n < max)
		pfd[n++] = (struct pollfd){ .fd = ctl_timer_fd, .events = POLLIN };
	/* A client with a reply pending is not read: it gets its replies first. */
	for (unsigned int i = 0; i < ctl_nclients && n < max; i++)
		pfd[n++] = (struct pollfd){ .fd = ctl_clients[i].fd,
					    .events = ctl_clients[i].out ? POLLOUT : POLLIN };
	return n;
}

size_t
ctl_server_backlog(void)
{
	size_t n = 0;

	for (unsigned int i = 0; i < ctl_nclients; i++)
		n += ctl_clients[i].out ? ctl_clients[i].out_len - ctl_clients[i].out_off : 0;
	return n;
}

/* A client's name in log lines: its pid and uid as SO_PEERCRED told them. */
#define PEER_FMT "pid %d uid %u"
#define PEER_ARGS(c) (c)->peer.known ? (int)(c)->peer.pid : -1, \
		     (c)->peer.known ? (unsigned int)(c)->peer.uid : ~0u

/* Send without blocking; 0 = all sent, else bytes left (*err: errno, 0 for EAGAIN). */
static size_t
send_some(int fd, const char *buf, size_t len, int *err)
{
	*err = 0;
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				*err = errno;
			return len;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Queue a reply: what the socket does not take now is kept and sent when
 * it can take more (the client is not read meanwhile, so at most one
 * reply waits). false: the client is gone (logged), drop it.
 */
static bool
client_reply(struct ctl_client *c, const char *buf, size_t len)
{
	int err = 0;
	size_t left = c->out ? len : send_some(c->fd, buf, len, &err);

	if (c->out) {
		/* Only ever one reply waits (see ctl_server_pollfds); append anyway. */
		char *grown = realloc(c->out, c->out_len + len);

		if (!grown) {
			log_err("ctl: client " PEER_FMT ": no memory to keep a reply: closed",
				PEER_ARGS(c));
			return false;
		}
		c->out = grown;
		memcpy(c->out + c->out_len, buf, len);
		c->out_len += len;
		return true;
	}
	if (err) {
		log_info("ctl: client " PEER_FMT " went away: %s", PEER_ARGS(c), strerror(err));
		return false;
	}
	if (left < len)
		c->deadline_ns = now_ns() + (uint64_t)ctl_idle_ms * 1000000ull;
	if (!left)
		return true;
	c->out = malloc(left);
	if (!c->out) {
		log_err("ctl: client " PEER_FMT ": no memory to keep a reply: closed",
			PEER_ARGS(c));
		return false;
	}
	memcpy(c->out, buf + (len - left), left);
	c->out_len = left;
	c->out_off = 0;
	log_info("ctl: client " PEER_FMT ": %zu of %zu reply bytes wait until it reads",
		 PEER_ARGS(c), left, len);
	return true;
}

/* Send what waits; false: the client is gone (logged). */
static bool
client_flush(struct ctl_client *c)
{
	size_t want = c->out_len - c->out_off;
	int err;
	size_t left = send_some(c->fd, c->out + c->out_off, want, &err);

	if (err) {
		log_info("ctl: client " PEER_FMT " went away: %s", PEER_ARGS(c), strerror(err));
		return false;
	}
	if (left < want)
		c->deadline_ns = now_ns() + (uint64_t)ctl_idle_ms * 1000000ull;
	c->out_off += want - left;
	if (!left) {
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_off = 0;
	}
	return true;
}

/*
 * Serve each complete line in the buffer, until a reply has to wait.
 * false: drop the client (already logged, or a refusal already sent).
 */
static bool
client_process(struct ctl_client *c)
{
	static char reply[64 * 1024];
	char *nl;

	while (!c->out && !c->closing && (nl = memchr(c->buf, '\n', c->len))) {
		size_t linelen = (size_t)(nl - c->buf), len;

		*nl = '\0';
		len = ctl_server_exec_as(c->buf, &c->peer, reply, sizeof(reply));
		memmove(c->buf, nl + 1, c->len - linelen - 1);
		c->len -= linelen + 1;
		c->buf[c->len] = '\0';
		if (!client_reply(c, reply, len))
			return false;
	}
	if (!c->closing && !memchr(c->buf, '\n', c->len) && c->len > CTL_LINE_MAX) {
		/* The size check: a line that cannot fit is refused, the connection closed. */
		char msg[80];
		int m = snprintf(msg, sizeof(msg), "error E2BIG: request longer than %d bytes\n",
				 CTL_LINE_MAX);

		log_info("ctl: client " PEER_FMT ": request longer than %d bytes: closing",
			 PEER_ARGS(c), CTL_LINE_MAX);
		c->closing = true;
		c->len = 0;
		if (!client_reply(c, msg, (size_t)m))
			return false;
	}
	return !(c->closing && !c->out);
}

/* Read what is there and serve it. false: drop the client. */
static bool
client_read(struct ctl_client *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, MSG_DONTWAIT);

	if (n == 0)
		return false; /* the client closed: nothing to say */
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return true;
		log_info("ctl: client " PEER_FMT ": %s: closed", PEER_ARGS(c), strerror(errno));
		return false;
	}
	c->deadline_ns = now_ns() + (uint64_t)ctl_idle_ms * 1000000ull;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return client_process(c);
}

/* One client's poll result: flush what waits, then read (or go on with buffered lines). */
static bool
client_service(struct ctl_client *c, short revents)
{
	if (c->out) {
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return true;
		if (!client_flush(c))
			return false;
		if (c->out)
			return true;
		/* All sent: a refusal closes now; otherwise serve the lines that waited. */
		return c->closing ? false : client_process(c);
	}
	if (revents & (POLLIN | POLLERR | POLLHUP))
		return client_read(c);
	return true;
}

/* Refuse a connection over the limit, saying why, then close it. */
static void
client_refuse_full(int fd, const struct ctl_peer *peer)
{
	char msg[128];
	int err, m = snprintf(msg, sizeof(msg),
			      "error EBUSY: too many control connections (%d); try again later\n",
			      CTL_MAX_CLIENTS);

	send_some(fd, msg, (size_t)m, &err);
	log_warn("ctl: connection from pid %d uid %u refused: %d clients already connected",
		 peer->known ? (int)peer->pid : -1, peer->known ? (unsigned int)peer->uid : ~0u,
		 CTL_MAX_CLIENTS);
	close(fd);
}

static void
client_accept(void)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct ctl_peer peer = { 0 };
	int fd = accept4(ctl_listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_warn("ctl: accept: %s", strerror(errno));
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && clen == sizeof(cred))
		peer = (struct ctl_peer){ .known = true, .uid = cred.uid, .pid = cred.pid };
	if (ctl_nclients == CTL_MAX_CLIENTS) {
		client_refuse_full(fd, &peer);
		return;
	}
	ctl_clients[ctl_nclients++] = (struct ctl_client){
		.fd = fd,
		.peer = peer,
		.deadline_ns = now_ns() + (uint64_t)ctl_idle_ms * 1000000ull,
	};
}

/* Close every client idle past its deadline, telling it why. */
static void
clients_reap_idle(void)
{
	uint64_t now = now_ns(), junk;

	if (read(ctl_timer_fd, &junk, sizeof(junk)) < 0 && errno != EAGAIN)
		log_warn("ctl: idle timer: %s", strerror(errno));
	for (unsigned int i = 0; i < ctl_nclients;) {
		struct ctl_client *c = &ctl_clients[i];
		char msg[96];
		int err, m;

		if (c->deadline_ns > now) {
			i++;
			continue;
		}
		m = snprintf(msg, sizeof(msg), "error ETIMEDOUT: idle for %u ms: closing\n",
			     ctl_idle_ms);
		if (!c->out)
			send_some(c->fd, msg, (size_t)m, &err);
		log_info("ctl: client " PEER_FMT " idle for %u ms%s: closed", PEER_ARGS(c),
			 ctl_idle_ms, c->out ? " (not reading its replies)" : "");
		client_drop(i);
	}
}

/* Arm the idle timer for the earliest client deadline (disarm with no client). */
static void
timer_arm(void)
{
	struct itimerspec its = { 0 };
	uint64_t first = UINT64_MAX;

	if (ctl_timer_fd < 0)
		return;
	for (unsigned int i = 0; i < ctl_nclients; i++)
		if (ctl_clients[i].deadline_ns < first)
			first = ctl_clients[i].deadline_ns;
	if (first != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(first / 1000000000ull);
		its.it_value.tv_nsec = (long)(first % 1000000000ull);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(ctl_timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void
ctl_server_service(const struct pollfd *pfd, int n)
{
	for (int i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == ctl_listen_fd) {
			client_accept();
			continue;
		}
		if (pfd[i].fd == ctl_timer_fd) {
			clients_reap_idle();
			continue;
		}
		for (unsigned int c = 0; c < ctl_nclients; c++) {
			if (ctl_clients[c].fd != pfd[i].fd)
				continue;
			if (!client_service(&ctl_clients[c], pfd[i].revents))
				client_drop(c);
			break;
		}
	}
	timer_arm();
}

