/* SPDX-License-Identifier: MIT */
/*
 * env.c — how `xengt-script --program` tells a guest program who it is:
 * XENSIM_MACHINE (the machine), XENGT_GUEST_DOMID, XENGT_GUEST_SBDF
 * (seg:bus:dev.fn of its vGPU), XENGT_GUEST_INDEX / XENGT_GUEST_COUNT
 * (which of how many guests) and XENGT_GUEST_PREFIX (for its lines).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/xensim.h"

#include "tools/common/expr.h"
#include "tools/guest/libguest.h"

static int
env_num(const char *name, uint64_t max, uint64_t *out)
{
	const char *s = getenv(name);

	if (!s || expr_parse_number(s, out) || *out > max) {
		fprintf(stderr, "guest: $%s missing or bad (run me with xengt-script --program)\n",
			name);
		return -EINVAL;
	}
	return 0;
}

int
genv_read(struct genv *e)
{
	const char *m = getenv("XENSIM_MACHINE"), *sbdf = getenv("XENGT_GUEST_SBDF");
	const char *prefix = getenv("XENGT_GUEST_PREFIX");
	unsigned int seg, bus, dev, fn;
	uint64_t domid, index, count;
	char tail;

	memset(e, 0, sizeof(*e));
	if (!m || !*m || strlen(m) >= sizeof(e->machine)) {
		fprintf(stderr, "guest: $XENSIM_MACHINE missing (run me with xengt-script --program)\n");
		return -EINVAL;
	}
	if (env_num("XENGT_GUEST_DOMID", 0x7fef, &domid) ||
	    env_num("XENGT_GUEST_INDEX", 1024, &index) ||
	    env_num("XENGT_GUEST_COUNT", 1024, &count))
		return -EINVAL;
	if (!sbdf || sscanf(sbdf, "%x:%x:%x.%x%c", &seg, &bus, &dev, &fn, &tail) != 4 ||
	    bus > 0xff || dev > 0x1f || fn > 7) {
		fprintf(stderr, "guest: $XENGT_GUEST_SBDF missing or bad\n");
		return -EINVAL;
	}
	snprintf(e->machine, sizeof(e->machine), "%s", m);
	snprintf(e->prefix, sizeof(e->prefix), "%s", prefix ? prefix : "");
	e->domid = (uint32_t)domid;
	e->index = (unsigned int)index;
	e->count = (unsigned int)count;
	e->bus = (uint8_t)bus;
	e->dev = (uint8_t)dev;
	e->fn = (uint8_t)fn;
	return 0;
}

int
genv_start(const struct genv *e, struct gdev *g, const char *name)
{
	struct sim_vcpu *c = sim_vcpu_attach(e->machine, e->domid, 0);
	int rc;

	if (!c) {
		rc = -errno;
		printf("%s%s: attach to d%u: %s\n", e->prefix, name, e->domid, strerror(-rc));
		return rc;
	}
	g->c = c;	/* the caller detaches it (sim_vcpu_detach(g->c)) */
	rc = gdev_bringup(g, c, e->bus, e->dev, e->fn, GUEST_RAM_LO, GUEST_RAM_HI);
	if (!rc)
		rc = gdev_msi_enable(g, 0xfee00000, 0x4030 + (e->index & 0xf));
	return rc;
}

uint64_t
genv_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
