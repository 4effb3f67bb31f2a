/* SPDX-License-Identifier: MIT */
/*
 * log.c — the one place log lines are formatted and written. Tags
 * ("d5/vgpu1") come from the caller; rate limiting of guest-triggered
 * lines is vgpu_warn_once() in vgpu.c, not here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mediator/log.h"

static atomic_int log_level = LOG_INFO; /* read by every vGPU thread */
static atomic_uint debug_areas;
static atomic_uint_fast64_t nlines;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static const struct {
	const char *name;
	enum dbg_area area;
} dbg_names[] = {
	{ "ioreq", DBG_IOREQ }, { "mmio", DBG_MMIO }, { "cfg", DBG_CFG },
	{ "gtt", DBG_GTT },	{ "irq", DBG_IRQ },   { "display", DBG_DISPLAY },
	{ "sim", DBG_SIM },
};

static int set_debug(const char *areas);

/* Environment defaults; explicit calls (options) made later override them. */
static void
log_env_init(void)
{
	const char *s = getenv("XENGT_DEBUG");
	const char *q = getenv("XENGT_QUIET");

	if (s && *s)
		set_debug(s);
	if (q && *q == '1')
		atomic_store(&log_level, LOG_WARN);
}

void
log_set_level(enum log_level lvl)
{
	pthread_once(&env_once, log_env_init);
	atomic_store(&log_level, (int)lvl);
}

int
log_set_debug(const char *areas)
{
	pthread_once(&env_once, log_env_init);
	return set_debug(areas);
}

static int
set_debug(const char *areas)
{
	unsigned int mask = 0;
	const char *p = areas;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		bool found = false;

		if (n == 3 && strncmp(p, "all", 3) == 0) {
			mask = ~0u;
			found = true;
		}
		for (size_t i = 0; !found && i < sizeof(dbg_names) / sizeof(dbg_names[0]); i++) {
			if (strlen(dbg_names[i].name) == n &&
			    strncmp(p, dbg_names[i].name, n) == 0) {
				mask |= dbg_names[i].area;
				found = true;
			}
		}
		if (!found)
			return -EINVAL;
		p += n;
		if (*p == ',')
			p++;
	}
	atomic_store(&debug_areas, mask);
	if (mask)
		atomic_store(&log_level, LOG_DEBUG);
	return 0;
}

bool
log_debug_on(enum dbg_area area)
{
	pthread_once(&env_once, log_env_init);
	return (atomic_load(&debug_areas) & area) != 0;
}

uint64_t
log_lines(void)
{
	return atomic_load(&nlines);
}

void
log_vmsg(enum log_level lvl, const char *tag, const char *fmt, va_list ap)
{
	static const char *const lvl_names[] = { "error", "warn", "info", "debug" };
	char buf[512];
	int n;

	pthread_once(&env_once, log_env_init);
	atomic_fetch_add(&nlines, 1);
	if ((int)lvl > atomic_load(&log_level))
		return;
	n = snprintf(buf, sizeof(buf), "xengt: %s: %s%s%s", lvl_names[lvl],
		     tag ? "[" : "", tag ? tag : "", tag ? "] " : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = 0;
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	/* One write per line so lines from many vGPU threads never interleave. */
	fprintf(stderr, "%s\n", buf);
}

void
log_msg(enum log_level lvl, const char *tag, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, tag, fmt, ap);
	va_end(ap);
}
