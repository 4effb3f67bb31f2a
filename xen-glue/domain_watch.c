/* SPDX-License-Identifier: MIT */
/*
 * domain_watch.c — noticing that a served guest is gone: xenstored fires
 * the special watch @releaseDomain when a domain shuts down and when it
 * becomes dying (tools/xenstore/xenstored_domain.c), without saying
 * which; each served domain is then asked with xc_domain_getinfo (which
 * answers the next domain up when the one asked for no longer exists).
 * dm/ decides what to do; this file only tells it, without Xen types.
 *
 * Needs an unrestricted xc handle (a domctl): in a deprivileged daemon
 * this moves to the privileged helper (ROADMAP.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glue_int.h"	/* first: the Xen headers need its <stdint.h> */
#include <xen/sched.h>
#include "mediator/log.h"

#define WATCH_TOKEN "xengt-dm-release"

struct glue_watch {
	struct xs_handle *xsh;
	xc_interface *xch;
};

void
glue_domwatch_close(struct glue_watch *w)
{
	if (!w)
		return;
	if (w->xsh) {
		xs_unwatch(w->xsh, "@releaseDomain", WATCH_TOKEN);
		xs_close(w->xsh);
	}
	if (w->xch)
		xc_interface_close(w->xch);
	free(w);
}

int
glue_domwatch_open(struct glue_watch **out, char *err, size_t errlen)
{
	struct glue_watch *w = calloc(1, sizeof(*w));
	const char *what = "out of memory";
	int rc = -ENOMEM;

	if (!w)
		goto fail;
	what = "xs_open";
	w->xsh = xs_open(0);
	if (!w->xsh)
		goto fail_errno;
	what = "xc_interface_open";
	w->xch = xc_interface_open(NULL, NULL, 0);
	if (!w->xch)
		goto fail_errno;
	what = "xs_watch @releaseDomain";
	if (!xs_watch(w->xsh, "@releaseDomain", WATCH_TOKEN))
		goto fail_errno;
	xs_state_prune(w->xsh, w->xch);
	*out = w;
	return 0;

fail_errno:
	rc = errno ? -errno : -EIO;
fail:
	snprintf(err, errlen, "%s: %s", what, strerror(-rc));
	glue_domwatch_close(w);
	return rc;
}

int
glue_domwatch_fd(struct glue_watch *w)
{
	return xs_fileno(w->xsh);
}

bool
glue_domwatch_fired(struct glue_watch *w)
{
	bool fired = false;
	char **ev;

	while ((ev = xs_check_watch(w->xsh))) {
		if (!strcmp(ev[XS_WATCH_TOKEN], WATCH_TOKEN))
			fired = true;
		free(ev);
	}
	if (fired)
		xs_state_prune(w->xsh, w->xch);
	return fired;
}

enum glue_guest_state
glue_domwatch_state(struct glue_watch *w, uint32_t domid, unsigned int *reason)
{
	xc_dominfo_t info;
	int n = xc_domain_getinfo(w->xch, domid, 1, &info);

	*reason = 0;
	if (n < 0) {
		/* Cannot tell now; the caller asks again later. */
		log_warn("[d%u] xc_domain_getinfo: %s", domid, strerror(errno));
		return GLUE_DOM_UNKNOWN;
	}
	if (n == 0 || info.domid != domid)
		return GLUE_DOM_GONE;
	if (info.dying)
		return GLUE_DOM_DYING;
	if (info.shutdown || info.crashed) {
		*reason = info.shutdown_reason;
		/* Both resume on the same domid: save/checkpoint, kexec (on_soft_reset). */
		if ((info.shutdown_reason == SHUTDOWN_suspend ||
		     info.shutdown_reason == SHUTDOWN_soft_reset) && !info.crashed)
			return GLUE_DOM_SUSPENDED;
		return GLUE_DOM_SHUTDOWN;
	}
	return GLUE_DOM_RUNNING;
}
