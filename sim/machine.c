/* SPDX-License-Identifier: MIT */
/*
 * machine.c — a xensim machine as shared memory: create/attach the state
 * and RAM files, the robust process-shared lock (whose release rings the
 * doorbells owed under it), handle slots, and the process-local restrict
 * registry. Doorbells, domains and the libxen* front ends live in their
 * own files.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sim_int.h"

#define SIM_MAX_MACHINES 64

static pthread_mutex_t machines_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_machine *machines[SIM_MAX_MACHINES];
static struct sim_rhandle *restrict_list;

const char *
sim_machine_name(const char *machine)
{
	const char *env;

	if (machine && *machine)
		return machine;
	env = getenv("XENSIM_MACHINE");
	return env && *env ? env : XENSIM_DEFAULT_MACHINE;
}

static void
sim_path(char *buf, size_t len, const char *machine, const char *ext)
{
	snprintf(buf, len, "/dev/shm/xensim-%s.%s", machine, ext);
}

static int
state_init(struct sim_state *st)
{
	pthread_mutexattr_t a;
	int rc;

	memset(st, 0, sizeof(*st));
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	rc = pthread_mutex_init(&st->lock, &a);
	pthread_mutexattr_destroy(&a);
	if (rc)
		return -rc;
	st->next_domid = 1;
	st->mem_next = SIM_MEM_FIRST;
	for (int i = 0; i < XENSIM_MAX_DOMAINS; i++)
		st->dom[i].memtype_server = -1;
	st->magic = SIM_MAGIC;
	__atomic_store_n(&st->ready, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Open (or create) one machine file of the given size. Guest RAM is a
 * tmpfs file rather than a memfd: it is the memfd equivalent, but a memfd
 * would die with the `xensim create` process that made the domain.
 */
static int
open_file(const char *machine, const char *ext, uint64_t size, bool create, bool *created)
{
	char path[256];
	int fd;

	sim_path(path, sizeof(path), machine, ext);
	*created = false;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*created = true;
			if (ftruncate(fd, (off_t)size) < 0) {
				int e = errno;

				close(fd);
				unlink(path);
				errno = e;
				return -1;
			}
		} else if (errno == EEXIST) {
			fd = open(path, O_RDWR | O_CLOEXEC);
		}
	}
	return fd;
}

void *
sim_file_map(const char *machine, const char *ext, uint64_t size, bool create, int *fd,
	     bool *created)
{
	struct stat sb;
	void *base;
	int e;

	*fd = open_file(machine, ext, size, create, created);
	if (*fd < 0)
		return NULL;
	if (fstat(*fd, &sb) < 0)
		goto err_close;
	/*
	 * Someone else created it and may still be sizing it. Sizing is
	 * idempotent, so an opener allowed to create does it too; others
	 * give the creator a moment.
	 */
	if ((uint64_t)sb.st_size < size && !*created && create && ftruncate(*fd, (off_t)size) < 0)
		goto err_close;
	for (int i = 0; i < 100 && (uint64_t)sb.st_size < size && !*created && !create; i++) {
		usleep(10000);
		fstat(*fd, &sb);
	}
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, *fd, 0);
	if (base == MAP_FAILED)
		goto err_close;
	return base;

err_close:
	e = errno;
	close(*fd);
	errno = e;
	return NULL;
}

void
sim_file_unmap(void *base, uint64_t size, int fd)
{
	int e = errno;

	munmap(base, size);
	close(fd);
	errno = e;
}

static struct sim_machine *
machine_map(const char *name, bool create)
{
	struct sim_machine *m;
	struct stat sb;
	bool c1, c2;
	int rc;

	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->state_base = sim_file_map(name, "state", SIM_STATE_SIZE, create, &m->state_fd, &c1);
	if (!m->state_base)
		goto err_free;
	m->mem = sim_file_map(name, "mem", XENSIM_MEM_SIZE, create, &m->mem_fd, &c2);
	if (!m->mem)
		goto err_unmap_state;
	if (fstat(m->state_fd, &sb) < 0)
		goto err_unmap_mem;
	m->dev = sb.st_dev;
	m->ino = sb.st_ino;
	m->st = (struct sim_state *)m->state_base;
	rc = sim_bells_init(m);
	if (rc < 0) {
		errno = -rc;
		goto err_unmap_mem;
	}
	if (c1) {
		rc = state_init(m->st);
		if (rc < 0) {
			errno = -rc;
			goto err_bells;
		}
	} else {
		for (int i = 0; i < 200 && !__atomic_load_n(&m->st->ready, __ATOMIC_ACQUIRE); i++)
			usleep(5000);
		if (m->st->magic != SIM_MAGIC) {
			errno = EPROTO;
			goto err_bells;
		}
	}
	return m;

err_bells:
	sim_bells_fini(m);
err_unmap_mem:
	sim_file_unmap(m->mem, XENSIM_MEM_SIZE, m->mem_fd);
err_unmap_state:
	sim_file_unmap(m->state_base, SIM_STATE_SIZE, m->state_fd);
err_free:
	free(m);
	return NULL;
}

static void
machine_unmap(struct sim_machine *m)
{
	sim_bells_fini(m);
	sim_file_unmap(m->mem, XENSIM_MEM_SIZE, m->mem_fd);
	sim_file_unmap(m->state_base, SIM_STATE_SIZE, m->state_fd);
	free(m);
}

/* machines_lock held. Drop m from the table; unmapped now or at its last put. */
static void
machine_retire(int i)
{
	struct sim_machine *m = machines[i];

	machines[i] = NULL;
	m->stale = true;
	if (!m->refs)
		machine_unmap(m);
}

/*
 * Handles share one mapping per machine, counted by references. A
 * machine destroyed (and maybe re-created under the same name: a new
 * inode) is retired from the table; its mapping goes with its last user.
 */
struct sim_machine *
sim_machine_get(const char *machine, bool create)
{
	const char *name = sim_machine_name(machine);
	struct sim_machine *m = NULL;
	char path[256];
	struct stat sb;
	bool exists;
	int i, slot = -1;

	if (strlen(name) >= 48 || strchr(name, '/')) {
		errno = EINVAL;
		return NULL;
	}
	sim_path(path, sizeof(path), name, "state");
	pthread_mutex_lock(&machines_lock);
	exists = stat(path, &sb) == 0;
	if (!exists && !create) {
		pthread_mutex_unlock(&machines_lock);
		errno = ENOENT;
		return NULL;
	}
	for (i = 0; i < SIM_MAX_MACHINES; i++) {
		struct sim_machine *c = machines[i];

		if (c && !strcmp(c->name, name)) {
			if (exists && sb.st_ino == c->ino && sb.st_dev == c->dev)
				m = c;
			else
				machine_retire(i);
		}
	}
	for (i = 0; i < SIM_MAX_MACHINES && slot < 0; i++)
		if (!machines[i])
			slot = i;
	/* Table full: unmap machines nobody holds. */
	for (i = 0; i < SIM_MAX_MACHINES && slot < 0 && !m; i++)
		if (!machines[i]->refs) {
			machine_retire(i);
			slot = i;
		}
	if (!m) {
		if (slot < 0) {
			pthread_mutex_unlock(&machines_lock);
			errno = EMFILE;
			return NULL;
		}
		m = machine_map(name, create);
		if (m)
			machines[slot] = m;
	}
	if (m)
		m->refs++;
	pthread_mutex_unlock(&machines_lock);
	return m;
}

void
sim_machine_put(struct sim_machine *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&machines_lock);
	if (--m->refs == 0 && m->stale)
		machine_unmap(m);
	pthread_mutex_unlock(&machines_lock);
}

int
xensim_machine_create(const char *machine)
{
	struct sim_machine *m = sim_machine_get(machine, true);

	if (!m)
		return -errno;
	sim_machine_put(m);
	return 0;
}

int
xensim_machine_destroy(const char *machine)
{
	const char *name = sim_machine_name(machine);
	static const char *const exts[] = { "state", "mem", "gpu" };
	char path[256];
	int rc = -ENOENT;

	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		sim_path(path, sizeof(path), name, exts[i]);
		if (unlink(path) == 0)
			rc = 0;
	}
	sim_bells_unlink_all(name);
	pthread_mutex_lock(&machines_lock);
	for (int i = 0; i < SIM_MAX_MACHINES; i++)
		if (machines[i] && !strcmp(machines[i]->name, name))
			machine_retire(i);
	pthread_mutex_unlock(&machines_lock);
	return rc;
}

/*
 * The lock is held for short stretches by processes on other cores (a
 * device model's notify while its vCPU starts the next access): spin on
 * it briefly before sleeping, or every such meeting costs a futex sleep
 * and wake-up on both sides (robust mutexes do not spin by themselves).
 */
void
sim_lock(struct sim_machine *m)
{
	int rc;

	for (int i = 0; i < SIM_LOCK_SPINS; i++) {
		/* Try only when glibc's lock word looks free: no cache-line tug of war. */
		if (!__atomic_load_n(&m->st->lock.__data.__lock, __ATOMIC_RELAXED)) {
			rc = pthread_mutex_trylock(&m->st->lock);
			if (rc != EBUSY)
				goto locked;
		}
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	}
	rc = pthread_mutex_lock(&m->st->lock);
locked:
	/* A process died holding it: the state is ours to keep using. */
	if (rc == EOWNERDEAD)
		pthread_mutex_consistent(&m->st->lock);
}

/* Doorbells owed under the lock are rung once it is free (doorbell.c). */
void
sim_unlock(struct sim_machine *m)
{
	pthread_mutex_unlock(&m->st->lock);
	(void)sim_bells_ring(m); /* failures are counted and logged there */
}

int
sim_unlock_ring(struct sim_machine *m)
{
	pthread_mutex_unlock(&m->st->lock);
	return sim_bells_ring(m);
}

struct sim_domain *
sim_domain_find(struct sim_machine *m, uint32_t domid)
{
	for (int i = 0; i < XENSIM_MAX_DOMAINS; i++)
		if (m->st->dom[i].used && m->st->dom[i].domid == domid)
			return &m->st->dom[i];
	return NULL;
}

static int
sim_dom_index(struct sim_machine *m, struct sim_domain *d)
{
	return (int)(d - m->st->dom);
}

uint8_t *
sim_p2m(struct sim_machine *m, struct sim_domain *d)
{
	return m->state_base + SIM_P2M_OFF + (uint64_t)sim_dom_index(m, d) * SIM_MAX_RAM_PAGES;
}

uint64_t
sim_srv_pages_off(struct sim_machine *m, struct sim_domain *d, int sid)
{
	return SIM_PAGES_OFF +
	       ((uint64_t)sim_dom_index(m, d) * SIM_MAX_SERVERS + (uint64_t)sid) * 2 * SIM_PAGE;
}

/* Legacy servers (get_ioreq_server_info with gfns) keep their pages in guest RAM. */
buffered_iopage_t *
sim_srv_bufpage(struct sim_machine *m, struct sim_domain *d, int sid)
{
	if (d->srv[sid].bufioreq_gfn != SIM_NO_GFN)
		return (buffered_iopage_t *)(m->mem + d->mem_base + d->srv[sid].bufioreq_gfn * SIM_PAGE);
	return (buffered_iopage_t *)(m->state_base + sim_srv_pages_off(m, d, sid));
}

ioreq_t *
sim_srv_slot(struct sim_machine *m, struct sim_domain *d, int sid, unsigned int vcpu)
{
	shared_iopage_t *p =
		(shared_iopage_t *)(m->state_base + sim_srv_pages_off(m, d, sid) + SIM_PAGE);

	if (d->srv[sid].ioreq_gfn != SIM_NO_GFN)
		p = (shared_iopage_t *)(m->mem + d->mem_base + d->srv[sid].ioreq_gfn * SIM_PAGE);

	return &p->vcpu_ioreq[vcpu];
}

bool
sim_pid_alive(int pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH);
}

static void
handle_reclaim(struct sim_machine *m, int slot)
{
	struct sim_state *st = m->st;

	for (uint32_t p = 1; p < SIM_MAX_PORTS; p++)
		if (st->port[p].state != PORT_FREE && st->port[p].handle == slot &&
		    st->port[p].domid == XENSIM_DM_DOMID)
			sim_port_close(m, p);
	for (int d = 0; d < XENSIM_MAX_DOMAINS; d++)
		for (int v = 0; v < XENSIM_MAX_VCPUS; v++)
			if (st->dom[d].vcpu_handle[v] == slot + 1) /* read by lock-free notifies */
				__atomic_store_n(&st->dom[d].vcpu_handle[v], 0, __ATOMIC_RELEASE);
	sim_xs_drop_handle(m, slot);
	sim_bell_remove(m, slot);
	memset(&st->h[slot], 0, sizeof(st->h[slot]));
}

/* Lock held. Slots of dead processes are reclaimed. Returns slot or -errno. */
static int
sim_handle_alloc(struct sim_machine *m, enum sim_handle_kind kind)
{
	struct sim_state *st = m->st;
	int slot = -1;

	for (int i = 0; i < SIM_MAX_HANDLES && slot < 0; i++)
		if (st->h[i].kind == HK_FREE)
			slot = i;
	for (int i = 0; i < SIM_MAX_HANDLES && slot < 0; i++)
		if (!sim_pid_alive(st->h[i].pid)) {
			handle_reclaim(m, i);
			slot = i;
		}
	if (slot < 0)
		return -EMFILE;
	memset(&st->h[slot], 0, sizeof(st->h[slot]));
	st->h[slot].kind = kind;
	st->h[slot].pid = getpid();
	st->h[slot].nonce = ++st->nonce;
	return slot;
}

/* Lock held. */
static void
sim_handle_free(struct sim_machine *m, int slot)
{
	if (slot >= 0 && slot < SIM_MAX_HANDLES)
		handle_reclaim(m, slot);
}

int
sim_handle_open(struct sim_machine *m, enum sim_handle_kind kind, int *fd)
{
	int slot = sim_handle_alloc(m, kind);

	*fd = -1;
	if (slot < 0 || kind == HK_VCPU)
		return slot;
	*fd = sim_bell_create(m, slot);
	if (*fd < 0) {
		int rc = *fd;

		*fd = -1;
		sim_handle_free(m, slot);
		return rc;
	}
	return slot;
}

void
sim_handle_close(struct sim_machine *m, int slot, int fd)
{
	sim_lock(m);
	sim_handle_free(m, slot);
	sim_unlock(m);
	if (fd >= 0)
		close(fd);
}

int
sim_ret_errno(int rc)
{
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	return 0;
}

uint64_t
sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void *
sim_rhandle_new(size_t size)
{
	struct sim_rhandle *rh;

	assert(size >= sizeof(*rh));
	rh = calloc(1, size);
	if (!rh)
		return NULL;
	rh->m = sim_machine_get(NULL, false);
	if (!rh->m) {
		free(rh);
		return NULL;
	}
	rh->rdom = -1;
	pthread_mutex_lock(&machines_lock);
	rh->next = restrict_list;
	restrict_list = rh;
	pthread_mutex_unlock(&machines_lock);
	return rh;
}

void
sim_rhandle_free(struct sim_rhandle *rh)
{
	pthread_mutex_lock(&machines_lock);
	for (struct sim_rhandle **p = &restrict_list; *p; p = &(*p)->next)
		if (*p == rh) {
			*p = rh->next;
			break;
		}
	pthread_mutex_unlock(&machines_lock);
	sim_machine_put(rh->m);
	free(rh);
}

int
sim_rhandle_restrict(struct sim_rhandle *rh, uint32_t domid)
{
	if (rh->rdom >= 0 && (uint32_t)rh->rdom != domid)
		return -EINVAL;
	rh->rdom = (int32_t)domid;
	return 0;
}

/*
 * Restrict every libxen* handle this process holds (xendevicemodel,
 * xenforeignmemory, xenevtchn, xc_interface) to domid. As in Xen, a
 * handle already restricted to another domain makes this fail (EPERM).
 */
int
sim_restrict_all(int32_t domid)
{
	int rc = 0;

	pthread_mutex_lock(&machines_lock);
	for (struct sim_rhandle *r = restrict_list; r; r = r->next) {
		if (r->rdom >= 0 && r->rdom != domid)
			rc = -EPERM;
		else
			r->rdom = domid;
	}
	pthread_mutex_unlock(&machines_lock);
	return rc;
}
