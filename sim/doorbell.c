/* SPDX-License-Identifier: MIT */
/*
 * doorbell.c — how a handle slot's owner is woken. An evtchn or xs slot
 * has a FIFO in /dev/shm named after the machine, the slot and its nonce
 * (its owner holds it open for reading: that is the pollable fd), opened
 * for writing once per process and cached. A vCPU slot has a futex waiter
 * in the shared slot (waiter.c). Unlike abstract UNIX sockets, neither
 * depends on the network namespace, so a device model that unshares it
 * (as a deprivileged one does) keeps its events; the directory is opened
 * at attach, so a later chroot does not matter either.
 *
 * Doorbells are owed under the machine lock and rung by sim_unlock once
 * the lock is released, so the woken side does not block on the lock at
 * once. A doorbell that cannot be rung is counted and logged, never
 * dropped silently; one whose handle was closed meanwhile had nobody to
 * wake and is not a failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_int.h"

#define SIM_SHM_DIR "/dev/shm"
#define BELL_LOG_MAX 8		/* failures logged per process; all are counted */

struct bell_owed {
	struct sim_machine *m;
	int slot;
	uint32_t kind, nonce;
};

static __thread struct bell_owed owed[SIM_BELL_DEFER];
static __thread unsigned int nowed;
static unsigned int bell_logged;

static void
bell_name(const char *machine, unsigned long ino, int slot, uint32_t nonce, char *buf, size_t len)
{
	snprintf(buf, len, "xensim-%s.bell-%lx-%d-%u", machine, ino, slot, nonce);
}

static void
slot_bell_name(const struct sim_machine *m, int slot, uint32_t nonce, char *buf, size_t len)
{
	bell_name(m->name, (unsigned long)m->ino, slot, nonce, buf, len);
}

static bool
has_fifo(uint32_t kind)
{
	return kind == HK_EVTCHN || kind == HK_XS;
}

int
sim_bell_create(struct sim_machine *m, int slot)
{
	char name[128];
	int fd, e;

	slot_bell_name(m, slot, m->st->h[slot].nonce, name, sizeof(name));
	/* A leftover of a machine re-created on the same inode. */
	unlinkat(m->shm_dir, name, 0);
	if (mkfifoat(m->shm_dir, name, 0600) < 0)
		return -errno;
	/* O_RDWR: never blocks, and the FIFO always has a writer (no EOF). */
	fd = openat(m->shm_dir, name, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		unlinkat(m->shm_dir, name, 0);
		return -e;
	}
	return fd;
}

void
sim_bell_remove(struct sim_machine *m, int slot)
{
	char name[128];

	if (!has_fifo(m->st->h[slot].kind))
		return;
	slot_bell_name(m, slot, m->st->h[slot].nonce, name, sizeof(name));
	unlinkat(m->shm_dir, name, 0);
}

/*
 * A failed ring: nothing to report if the slot was released or reused
 * since (nobody left to wake), else counted in the machine and logged.
 */
static int
bell_failed(struct sim_machine *m, const struct bell_owed *b, int err)
{
	struct sim_handle *h = &m->st->h[b->slot];

	if (__atomic_load_n(&h->kind, __ATOMIC_ACQUIRE) == HK_FREE ||
	    __atomic_load_n(&h->nonce, __ATOMIC_ACQUIRE) != b->nonce)
		return 0;
	__atomic_fetch_add(&m->st->bell_failures, 1, __ATOMIC_RELAXED);
	if (__atomic_fetch_add(&bell_logged, 1, __ATOMIC_RELAXED) < BELL_LOG_MAX)
		fprintf(stderr, "xensim: %s: doorbell of handle %d (pid %d) failed: %s\n", m->name,
			b->slot, (int)h->pid, strerror(err));
	return -err;
}

/* Write one byte into slot's FIFO through this process's cached fd. 0 or -errno. */
static int
ring_fifo(struct sim_machine *m, const struct bell_owed *b)
{
	char name[128], one = 1;
	int rc = 0;

	pthread_mutex_lock(&m->bell_lock);
	if (m->bell[b->slot].fd < 0 || m->bell[b->slot].nonce != b->nonce) {
		if (m->bell[b->slot].fd >= 0)
			close(m->bell[b->slot].fd);
		slot_bell_name(m, b->slot, b->nonce, name, sizeof(name));
		/*
		 * O_RDWR, not O_WRONLY: a writer that is also a reader never
		 * gets SIGPIPE when the owner closes, and never ENXIO.
		 */
		m->bell[b->slot].fd = openat(m->shm_dir, name, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		m->bell[b->slot].nonce = b->nonce;
		if (m->bell[b->slot].fd < 0)
			rc = -errno;
	}
	/* A full pipe (EAGAIN) is already readable: the ring is not lost. */
	if (!rc && write(m->bell[b->slot].fd, &one, 1) < 0 && errno != EAGAIN)
		rc = -errno;
	pthread_mutex_unlock(&m->bell_lock);
	return rc;
}

static int
ring_one(struct sim_machine *m, const struct bell_owed *b)
{
	int rc;

	if (b->kind == HK_VCPU) {
		xensim_wake(&m->st->h[b->slot].wake);
		return 0;
	}
	rc = ring_fifo(m, b);
	return rc ? bell_failed(m, b, -rc) : 0;
}

void
sim_doorbell(struct sim_machine *m, int slot)
{
	struct bell_owed b;

	if (slot < 0 || slot >= SIM_MAX_HANDLES || m->st->h[slot].kind == HK_FREE)
		return;
	b = (struct bell_owed){ .m = m, .slot = slot, .kind = m->st->h[slot].kind,
				.nonce = m->st->h[slot].nonce };
	for (unsigned int i = 0; i < nowed; i++)
		if (owed[i].m == m && owed[i].slot == slot && owed[i].nonce == b.nonce)
			return;
	if (nowed == SIM_BELL_DEFER) {
		/* Too many owed at once: ring this one now, under the lock. */
		(void)ring_one(m, &b);
		return;
	}
	owed[nowed++] = b;
}

int
sim_bells_ring(struct sim_machine *m)
{
	unsigned int keep = 0;
	int rc = 0;

	for (unsigned int i = 0; i < nowed; i++) {
		struct bell_owed b = owed[i];
		int r;

		if (b.m != m) {
			owed[keep++] = b;
			continue;
		}
		r = ring_one(m, &b);
		if (r && !rc)
			rc = r;
	}
	nowed = keep;
	return rc;
}

/* A short read means the pipe is empty now: no second read just to see EAGAIN. */
void
sim_doorbell_drain(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf))
		;
}

void
sim_bells_unlink_all(const char *name)
{
	char prefix[96];
	struct dirent *de;
	size_t len;
	DIR *d;

	len = (size_t)snprintf(prefix, sizeof(prefix), "xensim-%s.bell-", name);
	d = opendir(SIM_SHM_DIR);
	if (!d)
		return;
	while ((de = readdir(d))) {
		unsigned long ino;
		int slot, n = 0;
		unsigned int nonce;

		if (strncmp(de->d_name, prefix, len) ||
		    sscanf(de->d_name + len, "%lx-%d-%u%n", &ino, &slot, &nonce, &n) != 3 ||
		    de->d_name[len + (size_t)n])
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

int
sim_bells_init(struct sim_machine *m)
{
	int rc;

	m->shm_dir = open(SIM_SHM_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (m->shm_dir < 0)
		return -errno;
	rc = pthread_mutex_init(&m->bell_lock, NULL);
	if (rc) {
		close(m->shm_dir);
		return -rc;
	}
	for (int i = 0; i < SIM_MAX_HANDLES; i++)
		m->bell[i].fd = -1;
	return 0;
}

void
sim_bells_fini(struct sim_machine *m)
{
	for (int i = 0; i < SIM_MAX_HANDLES; i++)
		if (m->bell[i].fd >= 0)
			close(m->bell[i].fd);
	pthread_mutex_destroy(&m->bell_lock);
	close(m->shm_dir);
}
