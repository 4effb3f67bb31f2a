/* SPDX-License-Identifier: MIT */
/*
 * qemu_proxy.c — one guest per x-pci-proxy-dev socket: the --proxy-fd
 * option, attach and detach, the serving loop (messages in order, then a
 * resample notification), dropping a connection that ended or broke the
 * protocol, counters, the trap map's words, and the watch that tells the
 * daemon a guest is gone (its QEMU closed the socket).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mediator/log.h"
#include "mediator/vgpu.h"
#include "qemu_int.h"
#include "sim/xensim.h"

#define QG_MAX_FDS_OPT 64	/* --proxy-fd options */
#define QG_BATCH 64		/* messages per run_once before polling again */

enum { O_PROXY_FD = 1100 };

const struct option qg_options[] = {
	{ "proxy-fd", required_argument, NULL, O_PROXY_FD },
	{ NULL, 0, NULL, 0 },
};

const char qg_usage[] =
	"  --proxy-fd [DOMID:]FD  serve the x-pci-proxy-dev socket FD (inherited) as\n"
	"                         domain DOMID; without DOMID, the next --domid attached\n"
	"                         that has none (repeatable; one guest per socket)\n";

/* The sockets given on the command line, taken by attach. */
static struct {
	uint32_t domid;		/* 0: the next attach without its own */
	int fd;
	bool used;
} proxy_fds[QG_MAX_FDS_OPT];
static unsigned int nr_proxy_fds;

/* Attached guests, and the watch's eventfd (-1: no watch). */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hv *registry;
static int watch_efd = -1;

struct glue_watch {
	int fd;
};

static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &e, 10);
	return errno || *e || *out > max ? -EINVAL : 0;
}

int
qg_parse_option(int val, const char *arg)
{
	const char *colon = strchr(arg, ':');
	uint64_t domid = 0, fd;
	char dbuf[16];

	if (val != O_PROXY_FD || nr_proxy_fds == QG_MAX_FDS_OPT)
		return -EINVAL;
	if (colon) {
		if ((size_t)(colon - arg) >= sizeof(dbuf))
			return -EINVAL;
		memcpy(dbuf, arg, (size_t)(colon - arg));
		dbuf[colon - arg] = '\0';
		if (parse_uint(dbuf, 0x7fef, &domid) || !domid)
			return -EINVAL;
		arg = colon + 1;
	}
	if (parse_uint(arg, INT32_MAX, &fd) || fcntl((int)fd, F_GETFD) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < nr_proxy_fds; i++)
		if (proxy_fds[i].fd == (int)fd || (domid && proxy_fds[i].domid == domid))
			return -EINVAL;
	proxy_fds[nr_proxy_fds++] = (typeof(proxy_fds[0])){ (uint32_t)domid, (int)fd, false };
	return 0;
}

void
qg_options_reset(void)
{
	nr_proxy_fds = 0;
}

/* The socket for domid: its own, else the next one given without a domid. -1 if none. */
static int
proxy_fd_take(uint32_t domid)
{
	for (int pass = 0; pass < 2; pass++)
		for (unsigned int i = 0; i < nr_proxy_fds; i++)
			if (!proxy_fds[i].used && proxy_fds[i].domid == (pass ? 0 : domid)) {
				proxy_fds[i].used = true;
				return proxy_fds[i].fd;
			}
	return -1;
}

int
qg_attach(const struct glue_guest *g, struct hv **out, char *err, size_t errlen)
{
	int fd = proxy_fd_take(g->domid);

	if (fd < 0) {
		snprintf(err, errlen, "no --proxy-fd for domain %u", g->domid);
		return -ENOENT;
	}
	return qg_attach_fd(g, fd, out, err, errlen);
}

/* A connected UNIX stream socket: what QEMU's x-pci-proxy-dev talks over. */
static int
check_socket(int fd, char *err, size_t errlen)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
		snprintf(err, errlen, "fd %d is not a socket: %s", fd, strerror(errno));
		return -ENOTSOCK;
	}
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX ||
	    type != SOCK_STREAM) {
		snprintf(err, errlen, "fd %d is not a UNIX stream socket", fd);
		return -EINVAL;
	}
	return 0;
}

int
qg_attach_fd(const struct glue_guest *g, int fd, struct hv **out, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct hv *hv;
	int rc, fl;

	rc = check_socket(fd, err, errlen);
	if (rc) {
		close(fd);
		return rc;
	}
	hv = calloc(1, sizeof(*hv));
	if (!hv) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	hv->domid = g->domid;
	snprintf(hv->tag, sizeof(hv->tag), "d%u", g->domid);
	hv->aperture_maddr = g->aperture_maddr;
	hv->sock = fd;
	hv->irqfd = hv->resamplefd = -1;
	mpq_rx_init(&hv->rx);
	pthread_mutex_init(&hv->lock, NULL);
	pthread_rwlock_init(&hv->ram_lock, NULL);
	hv->epfd = epoll_create1(EPOLL_CLOEXEC);
	fl = fcntl(fd, F_GETFL);
	ev.data.fd = fd;
	if (hv->epfd < 0 || fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || epoll_ctl(hv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		rc = -errno;
		snprintf(err, errlen, "proxy socket %d: %s", fd, strerror(errno));
		goto fail;
	}
	/* The machine softgpu runs on: guest RAM is placed in it for DMA. */
	hv->mem = xensim_mem_open(NULL);
	if (!hv->mem) {
		rc = -errno;
		snprintf(err, errlen, "xensim machine: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_lock(&registry_lock);
	hv->next = registry;
	registry = hv;
	pthread_mutex_unlock(&registry_lock);
	log_info("[%s] QEMU proxy on fd %d", hv->tag, fd);
	*out = hv;
	return 0;

fail:
	qg_detach(hv);
	return rc;
}

void
qg_set_vgpu(struct hv *hv, struct vgpu *v)
{
	__atomic_store_n(&hv->vgpu, v, __ATOMIC_RELEASE);
}

int
qg_set_running(struct hv *hv)
{
	(void)hv;
	return 0;	/* QEMU waits for our answers, not for a state node */
}

int
qg_fd(struct hv *hv)
{
	return hv->epfd;
}

bool
qg_hung_up(struct hv *hv)
{
	return __atomic_load_n(&hv->hup, __ATOMIC_ACQUIRE);
}

/*
 * The connection is over: QEMU closed it (why NULL), or it broke the
 * protocol, or our answer could not go out. A violation puts the vGPU in
 * failsafe (the device is gone for that guest); either way the watch
 * fires, and the daemon detaches the vGPU (qg_guest_state says GONE).
 */
static void
drop(struct hv *hv, const char *why, bool violation)
{
	struct vgpu *v = __atomic_load_n(&hv->vgpu, __ATOMIC_ACQUIRE);
	uint64_t one = 1;

	if (hv->sock < 0)
		return;
	if (violation) {
		QG_COUNT(hv, violations);
		log_err("[%s] QEMU proxy: protocol violation: %s; dropping the connection",
			hv->tag, why);
		if (v)
			vgpu_fail(v, "qemu proxy: protocol violation");
	} else if (why) {
		log_err("[%s] QEMU proxy: %s; dropping the connection", hv->tag, why);
	} else {
		log_info("[%s] QEMU closed the proxy connection", hv->tag);
	}
	epoll_ctl(hv->epfd, EPOLL_CTL_DEL, hv->sock, NULL);
	close(hv->sock);
	hv->sock = -1;
	mpq_rx_reset(&hv->rx);
	__atomic_store_n(&hv->hup, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&registry_lock);
	if (watch_efd >= 0 && write(watch_efd, &one, sizeof(one)) < 0)
		log_warn("[%s] watch eventfd: %s", hv->tag, strerror(errno));
	pthread_mutex_unlock(&registry_lock);
}

int
qg_scan(struct hv *hv)
{
	int served = 0;

	for (int i = 0; i < QG_BATCH && hv->sock >= 0; i++) {
		struct mpq_msg m;
		const char *why = NULL;
		char buf[96];
		int rc = mpq_recv(hv->sock, &hv->rx, &m, &why);

		if (rc == 0)
			break;
		if (rc == -EPIPE) {
			drop(hv, NULL, false);
			break;
		}
		if (rc == -EPROTO) {
			drop(hv, why, true);
			break;
		}
		if (rc < 0) {
			snprintf(buf, sizeof(buf), "receive: %s", strerror(-rc));
			drop(hv, buf, false);
			break;
		}
		why = mpq_check(&m);
		if (why) {
			snprintf(buf, sizeof(buf), "%s (command %d)", why, m.cmd);
			mpq_msg_close_fds(&m);
			drop(hv, buf, true);
			break;
		}
		log_dbg(DBG_IOREQ, "[%s] %s", hv->tag, mpq_cmd_name(m.cmd));
		rc = serve_msg(hv, &m);
		served++;
		if (rc < 0) {
			snprintf(buf, sizeof(buf), "answering %s: %s", mpq_cmd_name(m.cmd),
				 strerror(-rc));
			drop(hv, buf, false);
			break;
		}
		/* What follows a reset waits in the socket until the daemon took it. */
		if (m.cmd == MPQ_DEVICE_RESET)
			break;
	}
	intx_resample(hv);
	return served;
}

bool
qg_take_reset(struct hv *hv)
{
	return __atomic_exchange_n(&hv->reset_taken, false, __ATOMIC_ACQ_REL);
}

int
qg_run_once(struct hv *hv)
{
	int rc = qg_scan(hv);

	return rc < 0 ? rc : 0;
}

void
qg_quiesce(struct hv *hv)
{
	/* Nothing to unclaim: QEMU keeps forwarding; answers come without a vGPU. */
	(void)hv;
}

bool
qg_idle(struct hv *hv)
{
	return hv->rx.have == 0;
}

void
qg_gone(struct hv *hv)
{
	__atomic_store_n(&hv->gone, true, __ATOMIC_RELEASE);
}

void
qg_detach(struct hv *hv)
{
	pthread_mutex_lock(&registry_lock);
	for (struct hv **p = &registry; *p; p = &(*p)->next)
		if (*p == hv) {
			*p = hv->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	if (hv->sock >= 0)
		close(hv->sock);
	mpq_rx_reset(&hv->rx);
	pthread_mutex_lock(&hv->lock);
	intx_fini(hv);
	pthread_mutex_unlock(&hv->lock);
	if (hv->mem)
		guest_ram_fini(hv);
	if (hv->epfd >= 0)
		close(hv->epfd);
	xensim_mem_close(hv->mem);
	pthread_rwlock_destroy(&hv->ram_lock);
	pthread_mutex_destroy(&hv->lock);
	free(hv);
}

/* Every counter, and the state worth seeing (xengt-ctl stats). */
void
qg_stats(struct hv *hv, const struct glue_stat_sink *sink)
{
#define QG_STAT(f) { "qemu_" #f, offsetof(struct qg_stats, f) }
	static const struct {
		const char *key;
		size_t off;
	} counters[] = {
		QG_STAT(cfg_read), QG_STAT(cfg_write), QG_STAT(mmio_read), QG_STAT(mmio_write),
		QG_STAT(pio_read), QG_STAT(pio_write), QG_STAT(aperture), QG_STAT(aperture_miss),
		QG_STAT(unclaimed), QG_STAT(refused), QG_STAT(unhooked), QG_STAT(sync_sysmem),
		QG_STAT(sync_same), QG_STAT(ram_rejected), QG_STAT(set_irqfd), QG_STAT(resets),
		QG_STAT(irq_signals), QG_STAT(resamples), QG_STAT(violations),
	};
#undef QG_STAT
	uint64_t ram = 0, win, nr;
	bool level, irqfd;

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		sink->put(sink->arg, counters[i].key,
			  __atomic_load_n((const uint64_t *)(const void *)((const char *)&hv->stats +
									  counters[i].off),
					  __ATOMIC_RELAXED));
	pthread_rwlock_rdlock(&hv->ram_lock);
	nr = hv->nr_ram;
	for (unsigned int i = 0; i < hv->nr_ram; i++)
		ram += hv->ram[i].size;
	win = hv->win_maddr;
	pthread_rwlock_unlock(&hv->ram_lock);
	pthread_mutex_lock(&hv->lock);
	level = hv->level;
	irqfd = hv->irqfd >= 0;
	pthread_mutex_unlock(&hv->lock);
	sink->put(sink->arg, "qemu_ram_regions", nr);
	sink->put(sink->arg, "qemu_ram_bytes", ram);
	sink->put(sink->arg, "qemu_dma_window", win);
	sink->put(sink->arg, "qemu_intx_level", level);
	sink->put(sink->arg, "qemu_irqfd", irqfd);
	sink->put(sink->arg, "qemu_connected", !qg_hung_up(hv));
}

/*
 * Every range of the vGPU comes to us through the proxy: the mechanism of
 * the mediator's rows is "proxy", the aperture included, which is trapped
 * here (translated through the GGTT on each access), not direct-mapped.
 */
void
qg_trap_rows(struct hv *hv, struct trap_entry *rows, size_t max, size_t *n)
{
	uint64_t ap = __atomic_load_n(&hv->stats.aperture, __ATOMIC_RELAXED);

	(void)max;
	pthread_mutex_lock(&hv->lock);
	for (size_t i = 0; i < *n; i++) {
		struct trap_entry *r = &rows[i];

		switch (r->mech) {
		case TRAP_PCI_SBDF:
		case TRAP_IOREQ_MMIO:
		case TRAP_IOREQ_PORT:
			r->mech = TRAP_PROXY;
			break;
		case TRAP_DIRECT:
			for (unsigned int a = 0; a < hv->nr_ap; a++)
				if (r->start == hv->ap[a].gpa) {
					r->mech = TRAP_PROXY;
					r->traps = ap;
				}
			break;
		default:
			break;
		}
	}
	pthread_mutex_unlock(&hv->lock);
}

/* ---- the watch: connections that ended ---- */

int
qg_watch_open(struct glue_watch **out, char *err, size_t errlen)
{
	struct glue_watch *w = calloc(1, sizeof(*w));

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "eventfd: %s", strerror(e));
		free(w);
		return -e;
	}
	pthread_mutex_lock(&registry_lock);
	watch_efd = w->fd;
	pthread_mutex_unlock(&registry_lock);
	*out = w;
	return 0;
}

void
qg_watch_close(struct glue_watch *w)
{
	pthread_mutex_lock(&registry_lock);
	if (watch_efd == w->fd)
		watch_efd = -1;
	pthread_mutex_unlock(&registry_lock);
	close(w->fd);
	free(w);
}

int
qg_watch_fd(struct glue_watch *w)
{
	return w->fd;
}

bool
qg_watch_fired(struct glue_watch *w)
{
	uint64_t cnt;

	return read(w->fd, &cnt, sizeof(cnt)) == (ssize_t)sizeof(cnt);
}

/* A guest runs while its QEMU holds the connection; after that it is gone for us. */
enum glue_guest_state
qg_guest_state(struct glue_watch *w, uint32_t domid, unsigned int *reason)
{
	enum glue_guest_state st = GLUE_DOM_GONE;

	(void)w;
	*reason = 0;
	pthread_mutex_lock(&registry_lock);
	for (struct hv *hv = registry; hv; hv = hv->next)
		if (hv->domid == domid && !qg_hung_up(hv))
			st = GLUE_DOM_RUNNING;
	pthread_mutex_unlock(&registry_lock);
	return st;
}
