/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_evtchn.c — simulated event channels across processes
 * (pollable fd, pending leaves the port masked, unmask re-fires a
 * coalesced event, unbind; the fd stays readable while a port is queued;
 * events keep flowing after unshare(CLONE_NEWNET), as with Linux's evtchn
 * device) and the xenstore with watches.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xenstore.h>

#include "sim/sim_int.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

static char mach[64];

static bool
readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static void
test_evtchn_fork(void)
{
	xenevtchn_handle *a;
	int to_parent[2], to_child[2];
	xenevtchn_port_or_error_t p, q = 0;
	pid_t pid;
	int status;
	char go;

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	a = xenevtchn_open(NULL, 0);
	CU_ASSERT_FATAL(a != NULL);
	p = xenevtchn_bind_unbound_port(a, 0);
	CU_ASSERT_FATAL(p > 0);
	CU_ASSERT_FATAL(pipe(to_parent) == 0 && pipe(to_child) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		xenevtchn_handle *b = xenevtchn_open(NULL, 0);
		xenevtchn_port_or_error_t mine;
		int ok = 1;

		if (!b)
			_exit(10);
		mine = xenevtchn_bind_interdomain(b, 0, (evtchn_port_t)p);
		if (mine <= 0)
			_exit(11);
		/* Binding an already bound port is refused. */
		if (xenevtchn_bind_interdomain(b, 0, (evtchn_port_t)p) != -1 || errno != EINVAL)
			ok = 0;
		xenevtchn_notify(b, (evtchn_port_t)mine);
		xenevtchn_notify(b, (evtchn_port_t)mine); /* coalesces: p is masked */
		if (write(to_parent[1], &mine, sizeof(mine)) != sizeof(mine))
			_exit(12);
		if (read(to_child[0], &go, 1) != 1)
			_exit(13);
		/* The parent notified us back. */
		if (!readable(xenevtchn_fd(b), 2000) || xenevtchn_pending(b) != mine)
			ok = 0;
		xenevtchn_unmask(b, (evtchn_port_t)mine);
		xenevtchn_close(b);
		_exit(ok ? 0 : 14);
	}
	CU_ASSERT_EQUAL(read(to_parent[0], &q, sizeof(q)), (ssize_t)sizeof(q));
	CU_ASSERT(readable(xenevtchn_fd(a), 2000));
	CU_ASSERT_EQUAL(xenevtchn_pending(a), p);
	/* Masked until unmask: nothing more, and the fd is quiet. */
	errno = 0;
	CU_ASSERT_EQUAL(xenevtchn_pending(a), -1);
	CU_ASSERT_EQUAL(errno, EAGAIN);
	CU_ASSERT(!readable(xenevtchn_fd(a), 50));
	/* Unmask: the coalesced second notify fires again. */
	CU_ASSERT_EQUAL(xenevtchn_unmask(a, (evtchn_port_t)p), 0);
	CU_ASSERT(readable(xenevtchn_fd(a), 2000));
	CU_ASSERT_EQUAL(xenevtchn_pending(a), p);
	CU_ASSERT_EQUAL(xenevtchn_unmask(a, (evtchn_port_t)p), 0);
	CU_ASSERT(!readable(xenevtchn_fd(a), 50));
	/* Notify back; ports we do not own are EINVAL. */
	CU_ASSERT_EQUAL(xenevtchn_notify(a, (evtchn_port_t)p), 0);
	errno = 0;
	CU_ASSERT_EQUAL(xenevtchn_notify(a, (evtchn_port_t)q), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	go = 1;
	CU_ASSERT_EQUAL(write(to_child[1], &go, 1), 1);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The peer closed: p is unbound again, notify is swallowed. */
	CU_ASSERT_EQUAL(xenevtchn_notify(a, (evtchn_port_t)p), 0);
	CU_ASSERT_EQUAL(xenevtchn_unbind(a, (evtchn_port_t)p), 0);
	errno = 0;
	CU_ASSERT_EQUAL(xenevtchn_unbind(a, (evtchn_port_t)p), -1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	xenevtchn_close(a);
	close(to_parent[0]);
	close(to_parent[1]);
	close(to_child[0]);
	close(to_child[1]);
	test_machine_done(mach);
}

static void
test_many_ports_one_fd(void)
{
	xenevtchn_handle *a, *b;
	xenevtchn_port_or_error_t p[40], q[40];
	uint64_t seen = 0;

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	a = xenevtchn_open(NULL, 0);
	b = xenevtchn_open(NULL, 0);
	CU_ASSERT_FATAL(a && b);
	for (int i = 0; i < 40; i++) {
		p[i] = xenevtchn_bind_unbound_port(a, 0);
		q[i] = xenevtchn_bind_interdomain(b, 0, (evtchn_port_t)p[i]);
		CU_ASSERT_FATAL(p[i] > 0 && q[i] > 0);
	}
	for (int i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(xenevtchn_notify(b, (evtchn_port_t)q[i]), 0);
	/* All 40 come out, each once, with the fd readable until the last. */
	for (int n = 0; n < 40; n++) {
		xenevtchn_port_or_error_t got;

		CU_ASSERT_FATAL(readable(xenevtchn_fd(a), 1000));
		got = xenevtchn_pending(a);
		for (int i = 0; i < 40; i++)
			if (got == p[i])
				seen |= 1ull << i;
	}
	CU_ASSERT_EQUAL(seen, (1ull << 40) - 1);
	CU_ASSERT_EQUAL(xenevtchn_pending(a), -1);
	xenevtchn_close(b);
	xenevtchn_close(a);
	test_machine_done(mach);
}

/* Pop every queued port of x into got (any order); how many. */
static int
pop_all(xenevtchn_handle *x, xenevtchn_port_or_error_t *got, int max)
{
	int n = 0;

	while (n < max && readable(xenevtchn_fd(x), 0)) {
		xenevtchn_port_or_error_t p = xenevtchn_pending(x);

		if (p < 0)
			break;
		got[n++] = p;
	}
	return n;
}

static bool
same_pair(const xenevtchn_port_or_error_t *got, xenevtchn_port_or_error_t a,
	  xenevtchn_port_or_error_t b)
{
	return (got[0] == a && got[1] == b) || (got[0] == b && got[1] == a);
}

/*
 * Level-triggered like the Linux evtchn device (its ring keeps data until
 * read): two ports fired together make the fd readable until both are
 * read, without any further doorbell; then it is quiet.
 */
static void
test_two_ports_one_wakeup(void)
{
	xenevtchn_handle *a, *b;
	xenevtchn_port_or_error_t p[2], q[2], got[2] = { 0, 0 };

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	a = xenevtchn_open(NULL, 0);
	b = xenevtchn_open(NULL, 0);
	CU_ASSERT_FATAL(a && b);
	for (int i = 0; i < 2; i++) {
		p[i] = xenevtchn_bind_unbound_port(a, 0);
		q[i] = xenevtchn_bind_interdomain(b, 0, (evtchn_port_t)p[i]);
		CU_ASSERT_FATAL(p[i] > 0 && q[i] > 0);
	}
	CU_ASSERT_EQUAL(xenevtchn_notify(b, (evtchn_port_t)q[0]), 0);
	CU_ASSERT_EQUAL(xenevtchn_notify(b, (evtchn_port_t)q[1]), 0);
	CU_ASSERT(readable(xenevtchn_fd(a), 1000));
	got[0] = xenevtchn_pending(a);
	/* The second port is still queued: still readable, no new ring needed. */
	CU_ASSERT(readable(xenevtchn_fd(a), 0));
	got[1] = xenevtchn_pending(a);
	CU_ASSERT(same_pair(got, p[0], p[1]));
	CU_ASSERT(!readable(xenevtchn_fd(a), 0));
	errno = 0;
	CU_ASSERT_EQUAL(xenevtchn_pending(a), -1);
	CU_ASSERT_EQUAL(errno, EAGAIN);
	/* Both masked: notifications only set them pending, no wake-up. */
	CU_ASSERT_EQUAL(xenevtchn_notify(b, (evtchn_port_t)q[0]), 0);
	CU_ASSERT(!readable(xenevtchn_fd(a), 50));
	CU_ASSERT_EQUAL(xenevtchn_unmask(a, (evtchn_port_t)p[1]), 0);
	CU_ASSERT(!readable(xenevtchn_fd(a), 0));
	CU_ASSERT_EQUAL(xenevtchn_unmask(a, (evtchn_port_t)p[0]), 0);
	CU_ASSERT(readable(xenevtchn_fd(a), 1000));
	CU_ASSERT_EQUAL(xenevtchn_pending(a), p[0]);
	CU_ASSERT(!readable(xenevtchn_fd(a), 0));
	xenevtchn_close(b);
	xenevtchn_close(a);
	test_machine_done(mach);
}

/* Why the netns child stopped (its exit status). */
enum { NS_OK = 0, NS_SKIP = 77, NS_SETUP = 10, NS_PIPE, NS_STRANDED, NS_WRONG, NS_FAILED };

/*
 * The child of test_unshare_netns: handle b (opened before the unshare)
 * bound to p[0], p[1]; handle c opened after it, bound to p[2]. Sends on
 * both, then receives two ports queued with one wake-up.
 */
static int
netns_child(const xenevtchn_port_or_error_t *p, int to_parent, int from_parent)
{
	xenevtchn_handle *b = xenevtchn_open(NULL, 0), *c;
	xenevtchn_port_or_error_t q[2], r, got[2] = { 0, 0 };
	struct sim_machine *m;
	char go;
	int err = 0;

	if (!b)
		return NS_SETUP;
	q[0] = xenevtchn_bind_interdomain(b, 0, (evtchn_port_t)p[0]);
	q[1] = xenevtchn_bind_interdomain(b, 0, (evtchn_port_t)p[1]);
	if (q[0] <= 0 || q[1] <= 0)
		return NS_SETUP;
	if (unshare(CLONE_NEWNET) < 0) {
		err = errno;
		return write(to_parent, &err, sizeof(err)) == sizeof(err) ? NS_SKIP : NS_PIPE;
	}
	c = xenevtchn_open(NULL, 0);
	if (!c)
		return NS_SETUP;
	r = xenevtchn_bind_interdomain(c, 0, (evtchn_port_t)p[2]);
	if (r <= 0)
		return NS_SETUP;
	if (xenevtchn_notify(b, (evtchn_port_t)q[0]) || xenevtchn_notify(c, (evtchn_port_t)r))
		return NS_FAILED;
	if (write(to_parent, &err, sizeof(err)) != sizeof(err) || read(from_parent, &go, 1) != 1)
		return NS_PIPE;
	/* The parent notified p[0] and p[1]: both queued at b with one wake-up. */
	if (!readable(xenevtchn_fd(b), 2000))
		return NS_STRANDED;
	if (pop_all(b, got, 2) != 2)
		return NS_STRANDED;
	if (!same_pair(got, q[0], q[1]))
		return NS_WRONG;
	m = sim_machine_get(NULL, false);
	if (!m || m->st->bell_failures)
		return NS_FAILED;
	sim_machine_put(m);
	xenevtchn_close(c);
	xenevtchn_close(b);
	return NS_OK;
}

/*
 * A device model that unshares its network namespace (as a deprivileged
 * one does) keeps sending and receiving events, on handles opened before
 * and after the unshare: Linux's evtchn device does not depend on it.
 */
static void
test_unshare_netns(void)
{
	xenevtchn_handle *a;
	xenevtchn_port_or_error_t p[3], got[2] = { 0, 0 };
	int to_parent[2], to_child[2], status = -1, err = 0;
	char go = 1, why[128];
	pid_t pid;

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	a = xenevtchn_open(NULL, 0);
	CU_ASSERT_FATAL(a != NULL);
	for (int i = 0; i < 3; i++) {
		p[i] = xenevtchn_bind_unbound_port(a, 0);
		CU_ASSERT_FATAL(p[i] > 0);
	}
	CU_ASSERT_FATAL(pipe(to_parent) == 0 && pipe(to_child) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(netns_child(p, to_parent[1], to_child[0]));
	close(to_parent[1]);
	close(to_child[0]);
	if (read(to_parent[0], &err, sizeof(err)) != sizeof(err)) {
		waitpid(pid, &status, 0);
		CU_FAIL("netns child died before reporting");
		printf("\n    child status %#x", status);
		goto out;
	}
	if (err) {
		waitpid(pid, &status, 0);
		snprintf(why, sizeof(why), "unshare(CLONE_NEWNET): %s (needs root or CAP_SYS_ADMIN)",
			 strerror(err));
		test_skip(why);
		goto out;
	}
	/* The child's two notifications, sent from its new namespace, arrived. */
	CU_ASSERT(readable(xenevtchn_fd(a), 2000));
	CU_ASSERT_EQUAL(pop_all(a, got, 2), 2);
	CU_ASSERT(same_pair(got, p[0], p[2]));
	/* Two ports for the child's pre-unshare handle, then let it read them. */
	CU_ASSERT_EQUAL(xenevtchn_notify(a, (evtchn_port_t)p[0]), 0);
	CU_ASSERT_EQUAL(xenevtchn_notify(a, (evtchn_port_t)p[1]), 0);
	CU_ASSERT_EQUAL(write(to_child[1], &go, 1), 1);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), NS_OK);
out:
	close(to_parent[0]);
	close(to_child[1]);
	xenevtchn_close(a);
	test_machine_done(mach);
}

static void
test_xenstore(void)
{
	struct xs_handle *xs, *w;
	unsigned int len = 0, num = 0;
	char **ev, **dir;
	char *v;
	bool found_a = false, found_b = false;

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	xs = xs_open(0);
	w = xs_open(0);
	CU_ASSERT_FATAL(xs && w);
	CU_ASSERT(xs_watch(w, "/local/domain/0/device-model/5", "tok"));
	/* A new watch fires once. */
	CU_ASSERT(readable(xs_fileno(w), 1000));
	ev = xs_check_watch(w);
	CU_ASSERT_FATAL(ev != NULL);
	CU_ASSERT_STRING_EQUAL(ev[XS_WATCH_TOKEN], "tok");
	free(ev);
	CU_ASSERT_PTR_NULL(xs_check_watch(w));
	CU_ASSERT(xs_write(xs, XBT_NULL, "/local/domain/0/device-model/5/state", "running", 7));
	CU_ASSERT(readable(xs_fileno(w), 1000));
	ev = xs_read_watch(w, &num);
	CU_ASSERT_FATAL(ev != NULL);
	CU_ASSERT_EQUAL(num, 2);
	CU_ASSERT_STRING_EQUAL(ev[XS_WATCH_PATH], "/local/domain/0/device-model/5/state");
	free(ev);
	v = xs_read(xs, XBT_NULL, "/local/domain/0/device-model/5/state", &len);
	CU_ASSERT_FATAL(v != NULL);
	CU_ASSERT_STRING_EQUAL(v, "running");
	CU_ASSERT_EQUAL(len, 7);
	free(v);
	/* Relative paths are under /local/domain/0. */
	v = xs_read(xs, XBT_NULL, "device-model/5/state", NULL);
	CU_ASSERT(v && !strcmp(v, "running"));
	free(v);
	CU_ASSERT(xs_write(xs, XBT_NULL, "/local/domain/0/device-model/6/state", "x", 1));
	dir = xs_directory(xs, XBT_NULL, "/local/domain/0/device-model", &num);
	CU_ASSERT_FATAL(dir != NULL);
	CU_ASSERT_EQUAL(num, 2);
	for (unsigned int i = 0; i < num; i++) {
		found_a |= !strcmp(dir[i], "5");
		found_b |= !strcmp(dir[i], "6");
	}
	CU_ASSERT(found_a && found_b);
	free(dir);
	CU_ASSERT(xs_rm(xs, XBT_NULL, "/local/domain/0/device-model/5"));
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_read(xs, XBT_NULL, "/local/domain/0/device-model/5/state", NULL));
	CU_ASSERT_EQUAL(errno, ENOENT);
	CU_ASSERT(!xs_rm(xs, XBT_NULL, "/local/domain/0/device-model/5"));
	ev = xs_check_watch(w);
	CU_ASSERT(ev != NULL); /* the rm fired the watch */
	free(ev);
	CU_ASSERT(xs_unwatch(w, "/local/domain/0/device-model/5", "tok"));
	CU_ASSERT(!xs_unwatch(w, "/local/domain/0/device-model/5", "tok"));
	xs_close(w);
	xs_close(xs);
	test_machine_done(mach);
}

/* More queued rings than one read takes: one drain empties them all, and never blocks. */
static void
test_doorbell_drain(void)
{
	const int n = 1000;
	int fd[2];
	char b = 1;

	CU_ASSERT_FATAL(pipe2(fd, O_NONBLOCK) == 0);
	for (int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(write(fd[1], &b, 1), 1);
	CU_ASSERT(readable(fd[0], 0));
	sim_doorbell_drain(fd[0]);
	CU_ASSERT(!readable(fd[0], 0));
	CU_ASSERT_EQUAL(read(fd[0], &b, 1), -1);
	CU_ASSERT_EQUAL(errno, EAGAIN);
	/* Empty: returns without blocking, still empty. */
	sim_doorbell_drain(fd[0]);
	CU_ASSERT(!readable(fd[0], 0));
	close(fd[0]);
	close(fd[1]);
}

void suite_xensim_evtchn(void);

void
suite_xensim_evtchn(void)
{
	static const struct test_case cases[] = {
		{ "notify/pending/unmask across fork", test_evtchn_fork },
		{ "40 ports on one fd", test_many_ports_one_fd },
		{ "two ports queued, one wake-up: level-triggered", test_two_ports_one_wakeup },
		{ "events after unshare(CLONE_NEWNET)", test_unshare_netns },
		{ "xenstore read/write/dir/rm/watch", test_xenstore },
		{ "doorbell drain", test_doorbell_drain },
		{ NULL, NULL },
	};

	test_add_suite("xensim_evtchn", cases);
}
