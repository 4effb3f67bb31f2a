/* SPDX-License-Identifier: MIT */
/*
 * intx.c — the vGPU's INTx line over the two eventfds of SET_IRQFD, with
 * KVM's irqfd + resamplefd meaning (QEMU's hw/remote/iohub.c
 * remote_iohub_set_irq, intr_resample_handler): the irqfd is signalled
 * when the line goes 0 -> 1; when the resample fd fires (the interrupt
 * controller took the interrupt, or the patched proxy lowered the pin
 * after a BAR access) it is signalled again if the line is still high.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "mediator/log.h"
#include "qemu_int.h"

/* Is fd an eventfd? (QEMU hands over event notifiers; anything else is refused.) */
static bool
is_eventfd(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return !strcmp(target, "anon_inode:[eventfd]");
}

/* lock held. */
static void
signal_irqfd(struct hv *hv)
{
	uint64_t one = 1;

	if (hv->irqfd < 0)
		return;
	if (write(hv->irqfd, &one, sizeof(one)) == (ssize_t)sizeof(one))
		QG_COUNT(hv, irq_signals);
	else
		log_warn("[%s] irqfd: %s", hv->tag, strerror(errno));
}

int
intx_set_fds(struct hv *hv, int irqfd, int resamplefd)
{
	struct epoll_event ev = { .events = EPOLLIN };

	if (!is_eventfd(irqfd) || !is_eventfd(resamplefd)) {
		close(irqfd);
		close(resamplefd);
		return -EINVAL;
	}
	pthread_mutex_lock(&hv->lock);
	intx_fini(hv);
	hv->irqfd = irqfd;
	hv->resamplefd = resamplefd;
	ev.data.fd = resamplefd;
	if (epoll_ctl(hv->epfd, EPOLL_CTL_ADD, resamplefd, &ev) < 0)
		log_warn("[%s] resample fd: epoll: %s (no re-raise)", hv->tag, strerror(errno));
	/*
	 * The line may be high already (QEMU re-sent its fds): the new irqfd
	 * has seen no edge, so it gets one now.
	 */
	if (hv->level)
		signal_irqfd(hv);
	pthread_mutex_unlock(&hv->lock);
	QG_COUNT(hv, set_irqfd);
	return 0;
}

void
intx_resample(struct hv *hv)
{
	struct pollfd p;
	uint64_t cnt;

	pthread_mutex_lock(&hv->lock);
	p = (struct pollfd){ .fd = hv->resamplefd, .events = POLLIN };
	/* Only ours to read, but never block the serving thread on it. */
	if (hv->resamplefd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN) &&
	    read(hv->resamplefd, &cnt, sizeof(cnt)) == (ssize_t)sizeof(cnt)) {
		QG_COUNT(hv, resamples);
		if (hv->level)
			signal_irqfd(hv);
	}
	pthread_mutex_unlock(&hv->lock);
}

int
intx_set_level(struct hv *hv, bool level)
{
	int rc = 0;

	pthread_mutex_lock(&hv->lock);
	if (!hv->has_sbdf)
		rc = -ENODEV;
	else if (level && hv_qemu_gone(hv))
		rc = -ESRCH;
	if (!rc) {
		if (level && !hv->level)
			signal_irqfd(hv);	/* without fds yet: raised when they come */
		hv->level = level;
	}
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

/* lock held (or the last user). */
void
intx_fini(struct hv *hv)
{
	if (hv->resamplefd >= 0) {
		epoll_ctl(hv->epfd, EPOLL_CTL_DEL, hv->resamplefd, NULL);
		close(hv->resamplefd);
	}
	if (hv->irqfd >= 0)
		close(hv->irqfd);
	hv->irqfd = hv->resamplefd = -1;
}
