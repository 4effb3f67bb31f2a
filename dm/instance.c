/* SPDX-License-Identifier: MIT */
/*
 * instance.c — attached vGPUs and their threads. Each instance has its own
 * ioreq server and event-channel handle, polled by its own thread together
 * with a stop eventfd; the thread also calls vgpu_tick when the time it
 * asked for has passed, and sleeps until then (or an event). With
 * --poll-us, after requests it polls the ioreq page for a while before it
 * sleeps again (ioreq_loop_poll). A trap storm in one domain therefore
 * never delays another.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "instance.h"
#include "mediator/log.h"
#include "vgpu_spec.h"

#define INSTANCE_MAX 64
#define INSTANCE_MAX_WAIT_MS 60000	/* poll's int timeout; vgpu_tick asks far less */
#define INSTANCE_POLL_SLICE_NS 1000000ull /* while polling, look at the stop fd this often */

struct instance {
	uint32_t domid;
	struct vgpu_config cfg;
	struct hv *hv;
	struct vgpu *vgpu;
	pthread_t thread;
	int stop_fd;		/* eventfd: the thread exits when readable */
};

static struct gpu *instance_gpu;
static struct instance_defaults instance_defs;
static pthread_mutex_t instance_lock = PTHREAD_MUTEX_INITIALIZER;
static struct instance *instances[INSTANCE_MAX];

void
instance_init(struct gpu *gpu, const struct instance_defaults *d)
{
	instance_gpu = gpu;
	instance_defs = *d;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* poll timeout until next_tick: ms rounded up, at least 0, bounded. */
static int
instance_timeout_ms(uint64_t now, uint64_t next_tick)
{
	uint64_t ms;

	if (next_tick <= now)
		return 0;
	ms = (next_tick - now + 999999) / 1000000;
	return ms > INSTANCE_MAX_WAIT_MS ? INSTANCE_MAX_WAIT_MS : (int)ms;
}

/*
 * Poll mode: keep serving the ioreq page until the next tick or a slice
 * ends (then the thread looks at its fds without sleeping and comes
 * back), or the adaptive window closes (then it may sleep in poll()).
 * Sets *polling; 0 or -errno.
 */
static int
instance_poll_ioreqs(struct instance *in, uint64_t next_tick, bool *polling)
{
	uint64_t end = now_ns() + INSTANCE_POLL_SLICE_NS;
	int rc;

	*polling = false;
	if (!instance_defs.poll_us)
		return 0;
	rc = ioreq_loop_poll(in->hv, next_tick && next_tick < end ? next_tick : end);
	*polling = rc > 0;
	return rc < 0 ? rc : 0;
}

/* The instance's thread: its own poll loop over its event channel and stop fd. */
static void *
instance_thread(void *arg)
{
	struct instance *in = arg;
	struct pollfd pfd[2] = {
		{ .fd = ioreq_server_fd(in->hv), .events = POLLIN },
		{ .fd = in->stop_fd, .events = POLLIN },
	};
	uint64_t next_tick = 0;
	bool polling = false;
	char why[64] = "";

	for (;;) {
		uint64_t now = now_ns();
		int timeout, n, rc = 0;

		if (now >= next_tick)
			next_tick = now + vgpu_tick(in->vgpu, now);
		timeout = polling ? 0 : instance_timeout_ms(now, next_tick);
		n = poll(pfd, 2, timeout);
		if (n < 0 && errno != EINTR) {
			snprintf(why, sizeof(why), "poll: %s", strerror(errno));
			break;
		}
		if (n > 0 && pfd[1].revents)
			break;
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			rc = ioreq_loop_run_once(in->hv);
			/*
			 * The request may have enabled a pipe (or failed the
			 * vGPU): ask vgpu_tick again rather than sleeping on
			 * the idle period it gave before. Cheap when idle.
			 */
			next_tick = 0;
		} else if (n > 0 && (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL))) {
			snprintf(why, sizeof(why), "event channel closed");
			break;
		} else if (!polling) {
			continue;
		}
		if (!rc)
			rc = instance_poll_ioreqs(in, next_tick, &polling);
		if (rc) {
			snprintf(why, sizeof(why), "ioreq loop: %s", strerror(-rc));
			break;
		}
	}
	/*
	 * Stopped on purpose (stop fd) or because the glue failed: in the
	 * second case the guest's vCPUs can no longer be answered, so say so
	 * where the toolstack looks (xengt-ctl list/stats: failsafe + reason).
	 */
	if (why[0]) {
		log_err("[d%u] vGPU thread stopped: %s", in->domid, why);
		vgpu_fail(in->vgpu, why);
	}
	return NULL;
}

static int
slot_of(uint32_t domid)
{
	for (int i = 0; i < INSTANCE_MAX; i++)
		if (instances[i] && instances[i]->domid == domid)
			return i;
	return -1;
}

static void
instance_free(struct instance *in)
{
	if (in->vgpu) {
		ioreq_server_set_vgpu(in->hv, NULL);
		vgpu_destroy(in->vgpu);
	}
	if (in->hv)
		ioreq_server_detach(in->hv);
	if (in->stop_fd >= 0)
		close(in->stop_fd);
	free(in);
}

int
instance_attach(uint32_t domid, const char *spec, unsigned int *out_id, char *err,
		size_t errlen)
{
	struct glue_config gc = {
		.domid = domid,
		.bufioreq = instance_defs.bufioreq,
		.null_mmio_gpa = instance_defs.null_mmio_gpa,
		.aperture_maddr = instance_defs.aperture_maddr,
		.dma_hook = instance_defs.dma_hook,
		.poll_us = instance_defs.poll_us,
	};
	struct instance *in;
	int rc, slot = -1;

	if (domid == 0 || domid >= 0x7ff0) {
		snprintf(err, errlen, "bad domid %u", domid);
		return -EINVAL;
	}
	in = calloc(1, sizeof(*in));
	if (!in) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	in->domid = domid;
	in->stop_fd = -1;
	rc = vgpu_spec_parse(spec, &in->cfg, err, errlen);
	if (rc) {
		free(in);
		return rc;
	}
	pthread_mutex_lock(&instance_lock);
	if (slot_of(domid) >= 0) {
		snprintf(err, errlen, "domain %u already has a vGPU", domid);
		rc = -EEXIST;
		goto err_unlock;
	}
	for (int i = 0; i < INSTANCE_MAX && slot < 0; i++)
		if (!instances[i])
			slot = i;
	if (slot < 0) {
		snprintf(err, errlen, "too many vGPUs (%d)", INSTANCE_MAX);
		rc = -ENOSPC;
		goto err_unlock;
	}
	in->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->stop_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto err_unlock;
	}
	rc = ioreq_server_attach(&gc, &in->hv, err, errlen);
	if (rc)
		goto err_unlock;
	rc = vgpu_create(instance_gpu, &in->cfg, domid, &hv_xen_ops, in->hv, &in->vgpu,
			 err, errlen);
	if (rc) {
		in->vgpu = NULL;
		goto err_unlock;
	}
	ioreq_server_set_vgpu(in->hv, in->vgpu);
	/* From here on guest requests reach the mediator. */
	rc = pthread_create(&in->thread, NULL, instance_thread, in);
	if (rc) {
		rc = -rc;
		snprintf(err, errlen, "pthread_create: %s", strerror(-rc));
		goto err_unlock;
	}
	rc = ioreq_server_set_running(in->hv);
	if (rc)
		log_warn("[d%u] xenstore state: %s", domid, strerror(-rc));
	instances[slot] = in;
	if (out_id)
		*out_id = vgpu_id(in->vgpu);
	pthread_mutex_unlock(&instance_lock);
	log_info("[d%u] vGPU %u attached (%s)", domid, vgpu_id(in->vgpu), spec);
	return 0;

err_unlock:
	pthread_mutex_unlock(&instance_lock);
	instance_free(in);
	return rc;
}

static void
instance_stop(struct instance *in)
{
	uint64_t one = 1;

	if (write(in->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_err("[d%u] cannot signal the thread", in->domid);
	pthread_join(in->thread, NULL);
	log_info("[d%u] vGPU detached", in->domid);
	instance_free(in);
}

int
instance_detach(uint32_t domid)
{
	struct instance *in;
	int slot;

	pthread_mutex_lock(&instance_lock);
	slot = slot_of(domid);
	if (slot < 0) {
		pthread_mutex_unlock(&instance_lock);
		return -ENOENT;
	}
	in = instances[slot];
	instances[slot] = NULL;
	pthread_mutex_unlock(&instance_lock);
	instance_stop(in);
	return 0;
}

void
instance_detach_all(void)
{
	for (int i = 0; i < INSTANCE_MAX; i++) {
		struct instance *in;

		pthread_mutex_lock(&instance_lock);
		in = instances[i];
		instances[i] = NULL;
		pthread_mutex_unlock(&instance_lock);
		if (in)
			instance_stop(in);
	}
}

size_t
instance_list(struct instance_info *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&instance_lock);
	for (int i = 0; i < INSTANCE_MAX && n < max; i++) {
		struct instance *in = instances[i];
		struct vgpu_stats st;

		if (!in)
			continue;
		vgpu_get_stats(in->vgpu, &st);
		out[n] = (struct instance_info){
			.domid = in->domid, .vgpu_id = vgpu_id(in->vgpu),
			.failsafe = st.failsafe, .seg = in->cfg.seg, .bus = in->cfg.bus,
			.dev = in->cfg.dev, .fn = in->cfg.fn,
		};
		snprintf(out[n].type, sizeof(out[n].type), "%s",
			 in->cfg.type[0] ? in->cfg.type : "custom");
		n++;
	}
	pthread_mutex_unlock(&instance_lock);
	return n;
}

int
instance_with(uint32_t domid, void (*fn)(struct vgpu *v, struct hv *hv, void *arg), void *arg)
{
	int slot;

	pthread_mutex_lock(&instance_lock);
	slot = slot_of(domid);
	if (slot >= 0)
		fn(instances[slot]->vgpu, instances[slot]->hv, arg);
	pthread_mutex_unlock(&instance_lock);
	return slot < 0 ? -ENOENT : 0;
}
