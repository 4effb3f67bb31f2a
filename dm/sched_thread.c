/* SPDX-License-Identifier: MIT */
/*
 * sched_thread.c — the thread that runs one physical GPU's scheduler:
 * it sleeps in ppoll on the kick eventfd (written by vGPU threads through
 * gpu_sched_set_kick) and the backend's event fd, with the timeout the
 * last gpu_sched_run asked for, and calls gpu_sched_run when any of them
 * fires. What the scheduler decides is mediator/exec/sched.c's.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "dm/sched_thread.h"
#include "mediator/log.h"
#include "mediator/vgpu.h"

/*
 * Timer slack of this thread: slices are 1 ms by default, and the
 * default slack of 50 us would stretch every timed wake-up by that much.
 */
#define SCHED_THREAD_SLACK_NS 1000
/* After a failed poll, try again this much later. */
#define SCHED_THREAD_RETRY_NS 1000000ull

struct sched_thread {
	struct gpu *gpu;
	pthread_t thread;
	int kick_fd;		/* eventfd: a vGPU queued work, or stop */
	atomic_bool stop;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* gpu_sched_set_kick's callback: called under a vGPU's lock, never blocks. */
static void
sched_thread_kick(void *arg)
{
	struct sched_thread *t = arg;
	uint64_t one = 1;

	/* EAGAIN: the counter is already huge, the thread wakes anyway. */
	if (write(t->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_err("scheduler: kick: %s", strerror(errno));
}

static void *
sched_thread_main(void *arg)
{
	struct sched_thread *t = arg;
	struct pollfd pfd[2] = {
		{ .fd = t->kick_fd, .events = POLLIN },
		{ .fd = gpu_sched_fd(t->gpu), .events = POLLIN },
	};
	nfds_t n = pfd[1].fd >= 0 ? 2 : 1;
	uint64_t wait_ns = 0;

	prctl(PR_SET_TIMERSLACK, SCHED_THREAD_SLACK_NS, 0, 0, 0);
	while (!atomic_load_explicit(&t->stop, memory_order_acquire)) {
		struct timespec ts, *tsp = NULL;
		int rc;

		if (wait_ns != VGPU_TICK_NONE) {
			ts.tv_sec = (time_t)(wait_ns / 1000000000ull);
			ts.tv_nsec = (long)(wait_ns % 1000000000ull);
			tsp = &ts;
		}
		rc = ppoll(pfd, n, tsp, NULL);
		if (rc < 0 && errno != EINTR) {
			log_err("scheduler: poll: %s", strerror(errno));
			wait_ns = SCHED_THREAD_RETRY_NS;
			continue;
		}
		if (rc > 0 && (pfd[0].revents & POLLIN)) {
			uint64_t cnt;

			if (read(t->kick_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
				log_err("scheduler: kick fd: %s", strerror(errno));
		}
		wait_ns = gpu_sched_run(t->gpu, now_ns());
	}
	return NULL;
}

int
sched_thread_start(struct gpu *gpu, struct sched_thread **out)
{
	struct sched_thread *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	t->gpu = gpu;
	atomic_init(&t->stop, false);
	t->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (t->kick_fd < 0) {
		rc = -errno;
		free(t);
		return rc;
	}
	gpu_sched_set_kick(gpu, sched_thread_kick, t);
	rc = -pthread_create(&t->thread, NULL, sched_thread_main, t);
	if (rc) {
		gpu_sched_set_kick(gpu, NULL, NULL);
		close(t->kick_fd);
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void
sched_thread_stop(struct sched_thread *t)
{
	if (!t)
		return;
	/* No vGPU kicks through t once this returns (it takes the kick lock). */
	gpu_sched_set_kick(t->gpu, NULL, NULL);
	atomic_store_explicit(&t->stop, true, memory_order_release);
	sched_thread_kick(t);
	pthread_join(t->thread, NULL);
	close(t->kick_fd);
	free(t);
}
