/* SPDX-License-Identifier: MIT */
/*
 * instance.c — attached vGPUs and their threads. Each instance has its own
 * ioreq server and event-channel handle, polled by its own thread together
 * with a control eventfd; the thread also calls vgpu_tick when the time it
 * asked for has passed, and sleeps until then (or an event). With
 * --poll-us, after requests it polls the ioreq page for a while before it
 * sleeps again (ioreq_loop_poll). A trap storm in one domain therefore
 * never delays another.
 *
 * A vCPU waiting in Xen's wait_for_io is woken by our notification and by
 * nothing else, so the thread answers until the very end: through a glue
 * failure (the vGPU goes failsafe and the thread keeps answering, on a
 * timer if the event channel itself broke), and through detach, which
 * runs in phases (instance_stop): the thread unhooks the vGPU, the main
 * thread destroys it and quiesces the server (unclaim, disable) while the
 * thread still answers, and the thread stops only when every vCPU slot is
 * back to NONE.
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
#define INSTANCE_RETRY_MS 10		/* event channel broken: scan the slots this often */
#define INSTANCE_DRAIN_MS 5000		/* longest wait for vCPUs to take their answers */
#define INSTANCE_DRAIN_IDLE 3		/* looks at an idle page before the server may go */
#define INSTANCE_POLL_SLICE_NS 1000000ull /* while polling, look at the control fd this often */

/* Where the thread is in its life; set by the main thread, acted on by the thread. */
enum instance_phase {
	PHASE_RUN,	/* serve through the mediator */
	PHASE_UNHOOK,	/* detach asked: stop using the vGPU (answer safely) */
	PHASE_DRAIN,	/* server quiesced: answer until every slot is NONE, then exit */
};

struct instance {
	uint32_t domid;
	struct vgpu_config cfg;
	struct hv *hv;
	struct vgpu *vgpu;
	pthread_t thread;
	int ctl_fd;		/* eventfd: the phase changed */
	int phase;		/* enum instance_phase (atomic) */
	bool domain_gone;	/* no vCPU will run again: do not wait for slots (atomic) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool unhooked;		/* the thread no longer touches the vGPU (under mu) */
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

/* poll timeout until next_tick: ms rounded up, at least 0, bounded; -1 for none. */
static int
instance_timeout_ms(uint64_t now, uint64_t next_tick)
{
	uint64_t ms;

	if (next_tick == UINT64_MAX)
		return -1;
	if (next_tick <= now)
		return 0;
	ms = (next_tick - now + 999999) / 1000000;
	return ms > INSTANCE_MAX_WAIT_MS ? INSTANCE_MAX_WAIT_MS : (int)ms;
}

/*
 * The glue failed: the vGPU goes failsafe (reads all-ones, writes
 * dropped) with the reason where the toolstack looks (xengt-ctl list,
 * stats), once; the thread carries on answering.
 */
static void
instance_glue_failed(struct instance *in, bool *failed, const char *why)
{
	if (*failed)
		return;
	*failed = true;
	log_err("[d%u] %s: vGPU in failsafe, still answering", in->domid, why);
	if (__atomic_load_n(&in->phase, __ATOMIC_ACQUIRE) == PHASE_RUN && in->vgpu)
		vgpu_fail(in->vgpu, why);
}

/* PHASE_UNHOOK seen: requests from now on get the glue's safe answers. */
static void
instance_unhook(struct instance *in)
{
	pthread_mutex_lock(&in->mu);
	if (!in->unhooked) {
		dm_glue.set_vgpu(in->hv, NULL);
		in->unhooked = true;
		pthread_cond_signal(&in->cv);
	}
	pthread_mutex_unlock(&in->mu);
}

/*
 * Poll mode: keep serving the ioreq page until the next tick or a slice
 * ends (then the thread looks at its fds without sleeping and comes
 * back), or the adaptive window closes (then it may sleep in poll(); the
 * ports held masked while polling are unmasked by then). Sets *polling;
 * 0 or -errno.
 */
static int
instance_poll_ioreqs(struct instance *in, uint64_t next_tick, bool *polling)
{
	uint64_t end = now_ns() + INSTANCE_POLL_SLICE_NS;
	int rc;

	*polling = false;
	if (!dm_glue.poll || !dm_glue.poll_enabled || !dm_glue.poll_enabled())
		return 0;
	rc = dm_glue.poll(in->hv, next_tick && next_tick < end ? next_tick : end);
	*polling = rc > 0;
	return rc < 0 ? rc : 0;
}

/*
 * The transport reset the device (QEMU: a machine reset): the vGPU is
 * replaced by a fresh one of the same spec, as a PCI reset leaves a GPU
 * at power-on state (registers, config space and BARs, GGTT entries,
 * execution, display, OpRegion, failsafe). Called by the instance's own
 * thread, which alone serves its requests, under instance_lock (the
 * control socket's users of in->vgpu hold it); a detach waits for the
 * thread to unhook, which it does only after this. If the new vGPU
 * cannot be made, requests get the transport's safe answers (no vGPU).
 */
static void
instance_device_reset(struct instance *in)
{
	unsigned int old_id;
	char err[160] = "";
	int rc;

	pthread_mutex_lock(&instance_lock);
	old_id = in->vgpu ? vgpu_id(in->vgpu) : 0;
	dm_glue.set_vgpu(in->hv, NULL);
	if (in->vgpu)
		vgpu_destroy(in->vgpu);
	in->vgpu = NULL;
	rc = vgpu_create(instance_gpu, &in->cfg, in->domid, dm_glue.hv_ops, in->hv, &in->vgpu,
			 err, sizeof(err));
	if (rc) {
		in->vgpu = NULL;
		log_err("[d%u] device reset: no new vGPU (%s): answering without one", in->domid,
			err[0] ? err : strerror(-rc));
	} else {
		dm_glue.set_vgpu(in->hv, in->vgpu);
		log_info("[d%u] device reset: vGPU %u replaced by vGPU %u at power-on state",
			 in->domid, old_id, vgpu_id(in->vgpu));
	}
	pthread_mutex_unlock(&instance_lock);
}

/* The instance's thread: its own poll loop over its event channel and control fd. */
static void *
instance_thread(void *arg)
{
	struct instance *in = arg;
	struct pollfd pfd[2] = {
		{ .fd = dm_glue.fd(in->hv), .events = POLLIN },
		{ .fd = in->ctl_fd, .events = POLLIN },
	};
	uint64_t next_tick = 0, drain_end = 0;
	unsigned int idle_seen = 0;
	bool failed = false, polling = false;
	char why[64];

	for (;;) {
		int phase = __atomic_load_n(&in->phase, __ATOMIC_ACQUIRE);
		uint64_t now = now_ns();
		int timeout, n, rc = 0;

		if (phase != PHASE_RUN)
			instance_unhook(in);
		if (phase == PHASE_RUN && now >= next_tick && in->vgpu) {
			uint64_t in_ns = vgpu_tick(in->vgpu, now);

			/* VGPU_TICK_NONE: sleep until the next request or stop. */
			next_tick = in_ns >= UINT64_MAX - now ? UINT64_MAX : now + in_ns;
		}
		timeout = phase == PHASE_RUN ? instance_timeout_ms(now, next_tick)
					     : INSTANCE_RETRY_MS;
		if (phase == PHASE_DRAIN) {
			if (!drain_end)
				drain_end = now + INSTANCE_DRAIN_MS * 1000000ull;
			/*
			 * Idle on several looks, INSTANCE_RETRY_MS apart: Xen's
			 * ioreq_send does not re-check that the server is still
			 * enabled, so a vCPU that chose us just before the
			 * quiesce can still post its request a moment later.
			 */
			idle_seen = dm_glue.idle(in->hv) ? idle_seen + 1 : 0;
			if (idle_seen >= INSTANCE_DRAIN_IDLE ||
			    __atomic_load_n(&in->domain_gone, __ATOMIC_ACQUIRE))
				break;
			if (now >= drain_end) {
				log_warn("[d%u] vCPUs did not take their last answers in %d ms "
					 "(domain paused?): destroying the server anyway",
					 in->domid, INSTANCE_DRAIN_MS);
				break;
			}
		}
		/* After a failure: retry owed notifications and scan on a timer. */
		if ((failed || pfd[0].fd < 0) && (timeout < 0 || timeout > INSTANCE_RETRY_MS))
			timeout = INSTANCE_RETRY_MS;
		if (polling)
			timeout = 0;
		n = poll(pfd, 2, timeout);
		if (n < 0 && errno != EINTR) {
			snprintf(why, sizeof(why), "poll: %s", strerror(errno));
			instance_glue_failed(in, &failed, why);
			pfd[0].fd = -1;
			polling = false;
			continue;
		}
		if (n > 0 && (pfd[1].revents & POLLIN)) {
			uint64_t cnt;

			if (read(in->ctl_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
				log_warn("[d%u] control eventfd: %s", in->domid, strerror(errno));
		}
		if (pfd[0].fd < 0) {
			/* No event channel: answer whatever is on the page. */
			dm_glue.scan(in->hv);
			continue;
		}
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			rc = dm_glue.run_once(in->hv);
			if (dm_glue.take_reset && dm_glue.take_reset(in->hv) && phase == PHASE_RUN)
				instance_device_reset(in);
			/*
			 * The request may have enabled a pipe (or failed the
			 * vGPU): ask vgpu_tick again rather than sleeping on
			 * the idle period it gave before. Cheap when idle.
			 */
			next_tick = 0;
		} else if (n > 0 && (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL))) {
			instance_glue_failed(in, &failed, "event channel failed");
			pfd[0].fd = -1;
			polling = false;
			continue;
		} else if (phase == PHASE_DRAIN || failed) {
			/*
			 * A request whose notification we never got still gets
			 * its answer; a notification that failed is retried.
			 */
			rc = dm_glue.scan(in->hv);
			rc = rc < 0 ? rc : 0;
		} else if (!polling) {
			continue;
		}
		/* Poll mode: ports held masked are unmasked when the window closes. */
		if (!rc)
			rc = instance_poll_ioreqs(in, next_tick, &polling);
		if (rc) {
			snprintf(why, sizeof(why), "ioreq loop: %s", strerror(-rc));
			instance_glue_failed(in, &failed, why);
			polling = false;
		}
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
		dm_glue.set_vgpu(in->hv, NULL);
		vgpu_destroy(in->vgpu);
	}
	if (in->hv)
		dm_glue.detach(in->hv);
	if (in->ctl_fd >= 0)
		close(in->ctl_fd);
	pthread_cond_destroy(&in->cv);
	pthread_mutex_destroy(&in->mu);
	free(in);
}

int
instance_attach(uint32_t domid, const char *spec, unsigned int *out_id, char *err,
		size_t errlen)
{
	struct glue_guest gg = {
		.domid = domid,
		.aperture_maddr = instance_defs.aperture_maddr,
		.dma_hook = instance_defs.dma_hook,
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
	in->ctl_fd = -1;
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->cv, NULL);
	rc = vgpu_spec_parse(spec, &in->cfg, err, errlen);
	if (rc) {
		instance_free(in);
		return rc;
	}
	gg.seg = in->cfg.seg;
	gg.bus = in->cfg.bus;
	gg.dev = in->cfg.dev;
	gg.fn = in->cfg.fn;
	gg.check_vga = in->cfg.vga_check;
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
	in->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (in->ctl_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto err_unlock;
	}
	rc = dm_glue.attach(&gg, &in->hv, err, errlen);
	if (rc)
		goto err_unlock;
	rc = vgpu_create(instance_gpu, &in->cfg, domid, dm_glue.hv_ops, in->hv, &in->vgpu,
			 err, errlen);
	if (rc) {
		in->vgpu = NULL;
		goto err_unlock;
	}
	dm_glue.set_vgpu(in->hv, in->vgpu);
	/* From here on guest requests reach the mediator. */
	rc = pthread_create(&in->thread, NULL, instance_thread, in);
	if (rc) {
		rc = -rc;
		snprintf(err, errlen, "pthread_create: %s", strerror(-rc));
		goto err_unlock;
	}
	rc = dm_glue.set_running(in->hv);
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

/* Move the thread to phase and wake it. */
static void
instance_set_phase(struct instance *in, enum instance_phase phase)
{
	uint64_t one = 1;

	__atomic_store_n(&in->phase, (int)phase, __ATOMIC_RELEASE);
	if (write(in->ctl_fd, &one, sizeof(one)) != sizeof(one))
		log_err("[d%u] cannot signal the thread: %s", in->domid, strerror(errno));
}

/*
 * Detach in phases, so that every request Xen has sent gets its answer
 * (see the top of this file): unhook, destroy the vGPU and quiesce the
 * server while the thread answers, drain, then destroy the server.
 */
static void
instance_stop(struct instance *in)
{
	instance_set_phase(in, PHASE_UNHOOK);
	pthread_mutex_lock(&in->mu);
	while (!in->unhooked)
		pthread_cond_wait(&in->cv, &in->mu);
	pthread_mutex_unlock(&in->mu);
	vgpu_destroy(in->vgpu);		/* its BARs, pages, aperture map, share */
	in->vgpu = NULL;
	dm_glue.quiesce(in->hv);	/* SBDF, leftover ranges, p2m type; disable */
	instance_set_phase(in, PHASE_DRAIN);
	pthread_join(in->thread, NULL);
	log_info("[d%u] vGPU detached", in->domid);
	instance_free(in);
}

int
instance_detach(uint32_t domid, enum glue_guest_state st)
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
	if (st >= GLUE_DOM_DYING)
		dm_glue.gone(in->hv);
	__atomic_store_n(&in->domain_gone, st >= GLUE_DOM_SHUTDOWN, __ATOMIC_RELEASE);
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

		if (!in || !in->vgpu)
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
	if (slot >= 0 && !instances[slot]->vgpu)
		slot = -1;	/* a device reset found no new vGPU */
	if (slot >= 0)
		fn(instances[slot]->vgpu, instances[slot]->hv, arg);
	pthread_mutex_unlock(&instance_lock);
	return slot < 0 ? -ENOENT : 0;
}

/*
 * After @releaseDomain: detach the vGPU of every served domain that shut
 * down (not for a suspend: it may resume), is dying or is gone. This drops
 * our foreign mappings, without which Xen cannot free a dying domain, and
 * returns its GM share, fences and id. A rebooted guest comes back with a
 * new domid and is attached anew (docs/xengt-dm.md).
 */
bool
instance_reap(struct glue_watch *w)
{
	bool unsure = false;

	uint32_t domids[INSTANCE_MAX];
	size_t n = 0;

	pthread_mutex_lock(&instance_lock);
	for (int i = 0; i < INSTANCE_MAX; i++)
		if (instances[i])
			domids[n++] = instances[i]->domid;
	pthread_mutex_unlock(&instance_lock);
	for (size_t i = 0; i < n; i++) {
		unsigned int reason;
		enum glue_guest_state st = dm_glue.guest_state(w, domids[i], &reason);

		unsure |= st == GLUE_DOM_UNKNOWN;
		if (st < GLUE_DOM_SHUTDOWN)
			continue;
		log_info("[d%u] domain %s (reason %u): detaching its vGPU", domids[i],
			 glue_guest_state_name(st), reason);
		instance_detach(domids[i], st);
	}
	return unsure;
}

const char *
glue_guest_state_name(enum glue_guest_state st)
{
	static const char *const names[] = {
		[GLUE_DOM_UNKNOWN] = "unknown",		[GLUE_DOM_RUNNING] = "running",
		[GLUE_DOM_SUSPENDED] = "suspended",	[GLUE_DOM_SHUTDOWN] = "shut down",
		[GLUE_DOM_DYING] = "dying",		[GLUE_DOM_GONE] = "gone",
	};

	return (unsigned int)st <= GLUE_DOM_GONE ? names[st] : "?";
}
