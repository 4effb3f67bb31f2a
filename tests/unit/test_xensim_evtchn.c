/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_evtchn.c — simulated event channels across processes
 * (pollable fd, pending leaves the port masked, unmask re-fires a
 * coalesced event, unbind) and the xenstore with watches.
 */
#include <errno.h>
#include <poll.h>
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

/* More queued rings than one recvmmsg batch: one drain empties them all. */
static void
test_doorbell_drain_batches(void)
{
	const int n = 3 * SIM_DRAIN_BATCH + 1;
	int sv[2];
	char b = 1;

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) == 0);
	for (int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(send(sv[0], &b, 1, 0), 1);
	CU_ASSERT(readable(sv[1], 0));
	sim_doorbell_drain(sv[1]);
	CU_ASSERT(!readable(sv[1], 0));
	CU_ASSERT_EQUAL(recv(sv[1], &b, 1, MSG_DONTWAIT), -1);
	CU_ASSERT_EQUAL(errno, EAGAIN);
	/* Empty queue: returns without blocking, still empty. */
	sim_doorbell_drain(sv[1]);
	CU_ASSERT(!readable(sv[1], 0));
	close(sv[0]);
	close(sv[1]);
}

void suite_xensim_evtchn(void);

void
suite_xensim_evtchn(void)
{
	static const struct test_case cases[] = {
		{ "notify/pending/unmask across fork", test_evtchn_fork },
		{ "40 ports on one fd", test_many_ports_one_fd },
		{ "xenstore read/write/dir/rm/watch", test_xenstore },
		{ "doorbell drain in batches", test_doorbell_drain_batches },
		{ NULL, NULL },
	};

	test_add_suite("xensim_evtchn", cases);
}
