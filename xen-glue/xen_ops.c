/* SPDX-License-Identifier: MIT */
/*
 * xen_ops.c — xen-glue as the daemon's transport (dm/glue_ops.h): its
 * command-line options (buffered ioreq mode, poll mode, the null-MMIO
 * page, the aperture's machine frame), attach with them, its counters as
 * key/value pairs, the null-MMIO trap-map row, and the domain watch.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue_int.h"
#include "mediator/log.h"

#define XEN_POLL_US_DEFAULT 50	/* --poll-us (docs/xengt-dm.md says why) */
#define XEN_POLL_US_MAX 100000

enum { O_BUF = 1000, O_NULL, O_APMFN, O_POLL };

static struct {
	enum glue_bufioreq bufioreq;
	uint64_t null_mmio_gpa;
	uint64_t aperture_mfn;		/* 0: the platform's (glue_guest.aperture_maddr) */
	unsigned int poll_us;
} xen_opts = {
	.bufioreq = GLUE_BUFIOREQ_ATOMIC,
	.poll_us = XEN_POLL_US_DEFAULT,
};

static const struct option xen_options[] = {
	{ "bufioreq", required_argument, NULL, O_BUF },
	{ "null-mmio", required_argument, NULL, O_NULL },
	{ "aperture-mfn", required_argument, NULL, O_APMFN },
	{ "poll-us", required_argument, NULL, O_POLL },
	{ NULL, 0, NULL, 0 },
};

static int
parse_u64(const char *s, int base, uint64_t *out)
{
	char *e;

	errno = 0;
	*out = strtoull(s, &e, base);
	return errno || e == s || *e ? -EINVAL : 0;
}

static int
xen_parse_option(int val, const char *arg)
{
	static const char *const modes[] = {
		[GLUE_BUFIOREQ_OFF] = "off", [GLUE_BUFIOREQ_LEGACY] = "legacy",
		[GLUE_BUFIOREQ_ATOMIC] = "atomic",
	};
	uint64_t v;

	switch (val) {
	case O_BUF:
		for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(arg, modes[i])) {
				xen_opts.bufioreq = (enum glue_bufioreq)i;
				return 0;
			}
		return -EINVAL;
	case O_NULL:
		if (parse_u64(arg, 0, &v) || !v)
			return -EINVAL;
		xen_opts.null_mmio_gpa = v & ~(uint64_t)0xfff;
		return 0;
	case O_APMFN:
		if (parse_u64(arg, 16, &v) || !v)
			return -EINVAL;
		xen_opts.aperture_mfn = v;
		return 0;
	case O_POLL:
		if (parse_u64(arg, 10, &v) || v > XEN_POLL_US_MAX)
			return -EINVAL;
		xen_opts.poll_us = (unsigned int)v;
		return 0;
	}
	return -EINVAL;
}

static int
xen_attach(const struct glue_guest *g, struct hv **out, char *err, size_t errlen)
{
	struct glue_config cfg = {
		.domid = g->domid,
		.seg = g->seg, .bus = g->bus, .dev = g->dev, .fn = g->fn,
		.check_vga = g->check_vga,
		.poll_us = xen_opts.poll_us,
		.bufioreq = xen_opts.bufioreq,
		.null_mmio_gpa = xen_opts.null_mmio_gpa,
		.aperture_maddr = xen_opts.aperture_mfn ? xen_opts.aperture_mfn << 12
							: g->aperture_maddr,
		.dma_hook = g->dma_hook,
	};

	return ioreq_server_attach(&cfg, out, err, errlen);
}

static bool
xen_poll_enabled(void)
{
	return xen_opts.poll_us != 0;
}

/* Every request the ioreq server saw, by kind and by refusal cause. */
static void
xen_stats(struct hv *hv, const struct glue_stat_sink *sink)
{
	static const struct {
		const char *key;
		size_t off;
	} plain[] = {
		{ "ioreq_buffered", offsetof(struct glue_stats, buffered) },
		{ "ioreq_null", offsetof(struct glue_stats, null_mmio) },
		{ "ioreq_unhandled", offsetof(struct glue_stats, unhandled) },
		{ "ioreq_tracked_rep", offsetof(struct glue_stats, tracked_rep) },
		{ "ioreq_wakeups", offsetof(struct glue_stats, wakeups) },
		{ "ioreq_time_offset", offsetof(struct glue_stats, time_offset) },
	};
	struct glue_stats g;
	char key[48];

	ioreq_server_get_stats(hv, &g);
	for (int k = 0; k < IOK_NR; k++) {
		snprintf(key, sizeof(key), "ioreq_%s", ioreq_kind_name(k));
		sink->put(sink->arg, key, g.by_kind[k]);
	}
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		sink->put(sink->arg, plain[i].key,
			  *(const uint64_t *)(const void *)((const char *)&g + plain[i].off));
	for (int e = 1; e < IOE_NR; e++) {
		snprintf(key, sizeof(key), "ioreq_bad_%s", ioreq_err_name(e));
		sink->put(sink->arg, key, g.by_err[e]);
	}
}

/* The null-MMIO page, if claimed: answered by the glue alone. */
static void
xen_trap_rows(struct hv *hv, struct trap_entry *rows, size_t max, size_t *n)
{
	uint64_t gpa = hv->cfg.null_mmio_gpa & ~(uint64_t)0xfff;
	struct glue_stats g;

	if (!gpa || *n >= max)
		return;
	ioreq_server_get_stats(hv, &g);
	rows[*n] = (struct trap_entry){
		.mech = TRAP_IOREQ_MMIO, .start = gpa, .end = gpa + 0xfff, .traps = g.null_mmio,
	};
	snprintf(rows[*n].what, sizeof(rows[*n].what), "null-mmio");
	(*n)++;
}

const struct glue_ops dm_glue = {
	.name = "xen",
	.hv_ops = &hv_xen_ops,
	.options = xen_options,
	.usage =
		"  --bufioreq off|legacy|atomic  buffered ioreq mode (default atomic)\n"
		"  --poll-us N            after guest requests, poll the ioreq page up to N us\n"
		"                         before sleeping (0: never; default 50)\n"
		"  --null-mmio GPA        claim one extra 4 KiB MMIO page answered by a null\n"
		"                         handler (transport cost measurements)\n"
		"  --aperture-mfn HEX     machine frame of the physical aperture BAR\n",
	.parse_option = xen_parse_option,
	.attach = xen_attach,
	.set_vgpu = ioreq_server_set_vgpu,
	.set_running = ioreq_server_set_running,
	.fd = ioreq_server_fd,
	.run_once = ioreq_loop_run_once,
	.poll = ioreq_loop_poll,
	.poll_enabled = xen_poll_enabled,
	.scan = ioreq_loop_scan,
	.quiesce = ioreq_server_quiesce,
	.idle = ioreq_server_idle,
	.gone = ioreq_server_domain_gone,
	.detach = ioreq_server_detach,
	.stats = xen_stats,
	.trap_rows = xen_trap_rows,
	.watch_open = glue_domwatch_open,
	.watch_close = glue_domwatch_close,
	.watch_fd = glue_domwatch_fd,
	.watch_fired = glue_domwatch_fired,
	.guest_state = glue_domwatch_state,
};
