/* SPDX-License-Identifier: MIT */
/*
 * test_ctl_server.c — the control protocol (dm/ctl_server.c) over a fake
 * physical GPU with no vGPU attached: request handling without a socket
 * (replies and status lines for good, unknown, malformed and oversized
 * requests; peer credentials for attach/detach), then the connection
 * layer on a real socket served by this thread as the daemon's loop
 * would (replies kept for a slow reader, the idle timeout, the client
 * limit, SO_PEERCRED from another uid).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dm/ctl_server.h"
#include "dm/instance.h"
#include "mediator/log.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

static struct gpu *ctl_test_gpu;

static void
setup(void)
{
	struct pgpu_dev dev;
	struct instance_defaults d = { 0 };

	if (ctl_test_gpu)
		return;
	fake_pgpu_open(&dev);
	CU_ASSERT_EQUAL_FATAL(gpu_create(&dev, &ctl_test_gpu), 0);
	instance_init(ctl_test_gpu, &d);
	ctl_server_init(ctl_test_gpu, "fake");
}

static const char *
exec(const char *req)
{
	static char out[4096];

	setup();
	ctl_server_exec(req, out, sizeof(out));
	return out;
}

static void
test_version_gpu_list(void)
{
	CU_ASSERT_STRING_EQUAL(exec("version"), "version=0.1 gpu=fake device=0x1912\nok\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(exec("gpu"), "aperture=268435456 gm=4294967296 fences=32 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(exec("gpu"), " vgpus=0\nok\n"));
	CU_ASSERT_STRING_EQUAL(exec("list"), "ok\n");
	CU_ASSERT_STRING_EQUAL(exec("  list\t"), "ok\n");
}

static const struct {
	const char *req, *reply;
} errors[] = {
	{ "", "error EINVAL: empty request\n" },
	{ "bogus", "error ENOENT: unknown command 'bogus'\n" },
	{ "list extra", "error EINVAL: usage: list\n" },
	{ "stats", "error EINVAL: usage: stats DOMID\n" },
	{ "stats 5 6", "error EINVAL: usage: stats DOMID\n" },
	{ "stats five", "error EINVAL: bad domid 'five'\n" },
	{ "stats 0", "error EINVAL: bad domid '0'\n" },
	{ "stats 99999", "error EINVAL: bad domid '99999'\n" },
	{ "stats 7", "error ENOENT: no vGPU for domain 7\n" },
	{ "partition 7", "error ENOENT: no vGPU for domain 7\n" },
	{ "trap-map 7", "error ENOENT: no vGPU for domain 7\n" },
	{ "detach 7", "error ENOENT: no vGPU for domain 7\n" },
	{ "attach", "error EINVAL: usage: attach DOMID [SPEC]\n" },
	{ "attach 7 type=nope", "error EINVAL: type: bad value 'nope'\n" },
	{ "a b c d e", "error EINVAL: too many words\n" },
};

static void
test_errors(void)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		const char *got = exec(errors[i].req);

		if (strcmp(got, errors[i].reply))
			printf("\n    '%s': got '%s'", errors[i].req, got);
		CU_ASSERT_STRING_EQUAL(got, errors[i].reply);
	}
}

static void
test_size_check(void)
{
	char big[CTL_LINE_MAX + 2];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_STRING_EQUAL(exec(big), "error E2BIG: request longer than 1024 bytes\n");
	big[CTL_LINE_MAX] = '\0';	/* exactly the limit: parsed, unknown command */
	CU_ASSERT_PTR_NOT_NULL(strstr(exec(big), "error ENOENT: unknown command"));
}

static void
test_small_output_buffer(void)
{
	char out[8];

	setup();
	/* Truncated, but terminated and within the buffer. */
	CU_ASSERT_TRUE(ctl_server_exec("version", out, sizeof(out)) < sizeof(out));
	CU_ASSERT_EQUAL(out[sizeof(out) - 1], '\0');
}

/*
 * The socket file is created 0600 (umask 077 around bind), not chmod'ed
 * after listen; the caller's umask is restored. A permissive umask (0)
 * is in force while the socket is opened.
 */
static void
test_socket_mode(void)
{
	char dir[] = "/tmp/xengt-ctl-test.XXXXXX", path[64];
	struct stat st;
	mode_t old;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	old = umask(0);
	CU_ASSERT_EQUAL(ctl_server_open(path), 0);
	CU_ASSERT_EQUAL(umask(old), 0);	/* restored to the caller's */
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);
	ctl_server_close();
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);	/* close unlinks it */
	rmdir(dir);
}

/* ---- peer credentials (SO_PEERCRED), without a socket ---- */

static const char *
exec_as(const char *req, const struct ctl_peer *peer)
{
	static char out[4096];

	setup();
	ctl_server_exec_as(req, peer, out, sizeof(out));
	return out;
}

/*
 * attach and detach need root or the daemon's own uid; anyone else gets
 * EACCES naming both, and read-only commands still work for them.
 */
static void
test_peer_credentials(void)
{
	unsigned int self = (unsigned int)geteuid();
	struct ctl_peer other = { .known = true, .uid = self + 12345, .pid = 4242 };
	struct ctl_peer unknown = { .known = false };
	struct ctl_peer same = { .known = true, .uid = self, .pid = 1 };
	struct ctl_peer root = { .known = true, .uid = 0, .pid = 1 };
	char want[160];
	uint64_t lines = log_lines();

	snprintf(want, sizeof(want),
		 "error EACCES: attach needs root or uid %u (the daemon's); peer is uid %u\n",
		 self, self + 12345);
	CU_ASSERT_STRING_EQUAL(exec_as("attach 7 type=nope", &other), want);
	snprintf(want, sizeof(want),
		 "error EACCES: detach needs root or uid %u (the daemon's); peer is uid %u\n",
		 self, self + 12345);
	CU_ASSERT_STRING_EQUAL(exec_as("detach 7", &other), want);
	snprintf(want, sizeof(want),
		 "error EACCES: detach needs root or uid %u; peer credentials unknown\n", self);
	CU_ASSERT_STRING_EQUAL(exec_as("detach 7", &unknown), want);
	CU_ASSERT_EQUAL(log_lines() - lines, 3); /* each refusal logged */
	/* Usage errors come first; reading is open to anyone let in. */
	CU_ASSERT_STRING_EQUAL(exec_as("detach", &other), "error EINVAL: usage: detach DOMID\n");
	CU_ASSERT_STRING_EQUAL(exec_as("list", &other), "ok\n");
	CU_ASSERT_STRING_EQUAL(exec_as("stats 7", &unknown), "error ENOENT: no vGPU for domain 7\n");
	/* The daemon's uid and root get through to the command itself. */
	CU_ASSERT_STRING_EQUAL(exec_as("attach 7 type=nope", &same),
			       "error EINVAL: type: bad value 'nope'\n");
	CU_ASSERT_STRING_EQUAL(exec_as("detach 7", &root), "error ENOENT: no vGPU for domain 7\n");
	CU_ASSERT_STRING_EQUAL(exec_as("detach 7", NULL), "error ENOENT: no vGPU for domain 7\n");
}

/* ---- the connection layer on a real socket ---- */

struct srv {
	char dir[40], path[80];
};

static void
srv_open(struct srv *v, unsigned int idle_ms)
{
	setup();
	snprintf(v->dir, sizeof(v->dir), "/tmp/xengt-ctls.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(v->dir));
	snprintf(v->path, sizeof(v->path), "%s/ctl.sock", v->dir);
	ctl_server_set_idle_timeout(idle_ms);
	CU_ASSERT_EQUAL_FATAL(ctl_server_open(v->path), 0);
}

static void
srv_close(struct srv *v)
{
	ctl_server_close();
	ctl_server_set_idle_timeout(0);
	rmdir(v->dir);
}

/* One turn of the daemon's loop: wait up to ms for the control fds, serve. */
static void
pump(int ms)
{
	struct pollfd pfd[CTL_NR_POLLFDS];
	int n = ctl_server_pollfds(pfd, CTL_NR_POLLFDS);

	CU_ASSERT_TRUE(n >= 2 && n <= CTL_NR_POLLFDS);
	if (poll(pfd, (nfds_t)n, ms) > 0)
		ctl_server_service(pfd, n);
}

static int
cli_connect(const struct srv *v)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	CU_ASSERT_FATAL(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", v->path);
	CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static uint64_t
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Read from fd into buf (NUL-terminated), serving the daemon side
 * meanwhile, until buf holds want (or, want NULL, until EOF); bound_ms
 * fails the test with a message. Returns the bytes read; *eof set when
 * the daemon closed the connection.
 */
static size_t
cli_read(int fd, char *buf, size_t cap, const char *want, bool *eof, unsigned int bound_ms)
{
	uint64_t end = ms_now() + bound_ms;
	size_t len = 0;

	*eof = false;
	buf[0] = '\0';
	while (!*eof && !(want && strstr(buf, want))) {
		ssize_t n;

		if (ms_now() > end) {
			printf("\n    gave up after %u ms waiting for '%s', got '%.200s'", bound_ms,
			       want ? want : "EOF", buf);
			CU_FAIL("no reply in time");
			break;
		}
		pump(10);
		n = read(fd, buf + len, cap - 1 - len); /* fd is non-blocking (socket or pipe) */
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			*eof = true;
		else if (n > 0)
			len += (size_t)n;
		buf[len] = '\0';
	}
	return len;
}

/* A round trip on an accepted connection. */
static void
cli_version(int fd)
{
	char buf[256];
	bool eof;

	CU_ASSERT_EQUAL(send(fd, "version\n", 8, MSG_NOSIGNAL), 8);
	cli_read(fd, buf, sizeof(buf), "\nok\n", &eof, 10000);
	CU_ASSERT_STRING_EQUAL(buf, "version=0.1 gpu=fake device=0x1912\nok\n");
	CU_ASSERT_FALSE(eof);
}

/*
 * A client that pipelines many requests and does not read: once the
 * socket takes no more, its reply waits in the daemon (which stops
 * reading it) instead of being dropped with the connection; when it
 * reads, every reply arrives, in order, complete.
 */
static void
test_slow_reader_gets_every_reply(void)
{
	enum { NREQ = 20000 };
	static const char req[] = "version\n";
	static const char rep[] = "version=0.1 gpu=fake device=0x1912\nok\n";
	struct srv v;
	size_t sent = 0, total = NREQ * (sizeof(req) - 1), got = 0, want = NREQ * (sizeof(rep) - 1);
	char *in = malloc(want + 1);
	uint64_t end;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	srv_open(&v, 0);
	fd = cli_connect(&v);
	/* Send without reading until the daemon holds a reply back. */
	end = ms_now() + 20000;
	while (ctl_server_backlog() == 0 && ms_now() < end) {
		while (sent < total) {
			ssize_t n = send(fd, &req[sent % (sizeof(req) - 1)],
					 sizeof(req) - 1 - sent % (sizeof(req) - 1),
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (n <= 0)
				break;
			sent += (size_t)n;
		}
		pump(10);
	}
	CU_ASSERT_TRUE_FATAL(ctl_server_backlog() > 0);
	/* Now read everything, sending the rest as the daemon takes it. */
	end = ms_now() + 60000;
	while (got < want && ms_now() < end) {
		ssize_t n;

		while (sent < total) {
			n = send(fd, &req[sent % (sizeof(req) - 1)],
				 sizeof(req) - 1 - sent % (sizeof(req) - 1), MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n <= 0)
				break;
			sent += (size_t)n;
		}
		pump(0);
		n = recv(fd, in + got, want - got, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			break; /* dropped: the defect this test is about */
		if (n > 0)
			got += (size_t)n;
		else
			pump(5);
	}
	in[got] = '\0';
	CU_ASSERT_EQUAL(sent, total);
	CU_ASSERT_EQUAL(got, want);
	for (size_t i = 0; i + sizeof(rep) - 1 <= got; i += sizeof(rep) - 1)
		if (memcmp(in + i, rep, sizeof(rep) - 1)) {
			CU_FAIL("reply out of order or torn");
			break;
		}
	CU_ASSERT_EQUAL(ctl_server_backlog(), 0);
	cli_version(fd); /* still served */
	close(fd);
	free(in);
	srv_close(&v);
}

/* A connection with no traffic is told why and closed after the idle timeout. */
static void
test_idle_timeout(void)
{
	struct srv v;
	char buf[256];
	bool eof;
	uint64_t t0;
	int fd, busy;

	srv_open(&v, 300);
	t0 = ms_now();
	fd = cli_connect(&v);
	busy = cli_connect(&v);
	/* The busy one talks (each request restarts its timeout), the idle one does not. */
	cli_version(busy);
	cli_read(fd, buf, sizeof(buf), NULL, &eof, 10000);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_STRING_EQUAL(buf, "error ETIMEDOUT: idle for 300 ms: closing\n");
	CU_ASSERT_TRUE(ms_now() - t0 >= 300);
	close(fd);
	/* The busy one outlives it only while it talks: then it goes too. */
	cli_read(busy, buf, sizeof(buf), NULL, &eof, 10000);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_STRING_EQUAL(buf, "error ETIMEDOUT: idle for 300 ms: closing\n");
	close(busy);
	srv_close(&v);
}

/* Over the limit a client is told why; a freed slot takes the next one. */
static void
test_client_limit(void)
{
	int fds[CTL_MAX_CLIENTS], extra;
	struct srv v;
	char buf[256];
	bool eof;
	uint64_t lines;

	srv_open(&v, 0);
	for (int i = 0; i < CTL_MAX_CLIENTS; i++) {
		fds[i] = cli_connect(&v);
		cli_version(fds[i]); /* accepted and served */
	}
	lines = log_lines();
	extra = cli_connect(&v);
	cli_read(extra, buf, sizeof(buf), NULL, &eof, 10000);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_STRING_EQUAL(buf,
			       "error EBUSY: too many control connections (16); try again later\n");
	CU_ASSERT_EQUAL(log_lines() - lines, 1);
	close(extra);
	/* One leaves; the daemon notices, and the next is served. */
	close(fds[0]);
	cli_version(fds[1]);
	extra = cli_connect(&v);
	cli_version(extra);
	close(extra);
	for (int i = 1; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
	srv_close(&v);
}

/*
 * SO_PEERCRED on a real connection: a process of another uid (nobody)
 * that the socket's mode lets in may read but not detach. Needs root (to
 * become nobody); skipped otherwise.
 */
static void
test_peer_other_uid(void)
{
	const uid_t nobody = 65534;
	struct srv v;
	char buf[512], want[200];
	int pipefd[2], status = 0;
	bool eof;
	pid_t pid;
	int fd;

	if (geteuid() != 0) {
		test_skip("needs root to connect as another uid");
		return;
	}
	srv_open(&v, 0);
	CU_ASSERT_EQUAL_FATAL(chmod(v.dir, 0711), 0);
	CU_ASSERT_EQUAL_FATAL(chmod(v.path, 0666), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(pipefd), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		/* Child: become nobody, ask, copy the reply to the pipe. */
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		const char req[] = "detach 7\nlist\n";
		char r[512];
		size_t len = 0;
		int c;

		close(pipefd[0]);
		if (setresgid(nobody, nobody, nobody) || setresuid(nobody, nobody, nobody))
			_exit(2);
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", v.path);
		if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) ||
		    write(c, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
			_exit(3);
		while (len < sizeof(r) && !memmem(r, len, "\nok\n", 4)) {
			ssize_t n = read(c, r + len, sizeof(r) - len);

			if (n <= 0)
				break;
			len += (size_t)n;
		}
		if (write(pipefd[1], r, len) != (ssize_t)len)
			_exit(4);
		_exit(0);
	}
	close(pipefd[1]);
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	cli_read(pipefd[0], buf, sizeof(buf), NULL, &eof, 20000);
	if (!eof)
		kill(pid, SIGKILL); /* it hangs: the failure is recorded already */
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(want, sizeof(want),
		 "error EACCES: detach needs root or uid 0 (the daemon's); peer is uid %u\nok\n",
		 (unsigned int)nobody);
	CU_ASSERT_STRING_EQUAL(buf, want);
	close(pipefd[0]);
	/* Root, on the same socket, gets through to the command. */
	fd = cli_connect(&v);
	CU_ASSERT_EQUAL(send(fd, "detach 7\n", 9, MSG_NOSIGNAL), 9);
	cli_read(fd, buf, sizeof(buf), "\n", &eof, 10000);
	CU_ASSERT_STRING_EQUAL(buf, "error ENOENT: no vGPU for domain 7\n");
	close(fd);
	srv_close(&v);
}

/* Last case: release the fake GPU (the leak checker runs at exit). */
static void
test_cleanup(void)
{
	setup();
	CU_ASSERT_STRING_EQUAL(exec("list"), "ok\n");
	gpu_destroy(ctl_test_gpu);
	ctl_test_gpu = NULL;
}

void suite_ctl_server(void);
void
suite_ctl_server(void)
{
	static const struct test_case cases[] = {
		{ "version_gpu_list", test_version_gpu_list },
		{ "errors", test_errors },
		{ "size_check", test_size_check },
		{ "small_output_buffer", test_small_output_buffer },
		{ "socket_mode", test_socket_mode },
		{ "peer_credentials", test_peer_credentials },
		{ "slow_reader_gets_every_reply", test_slow_reader_gets_every_reply },
		{ "idle_timeout", test_idle_timeout },
		{ "client_limit", test_client_limit },
		{ "peer_other_uid", test_peer_other_uid },
		{ "cleanup", test_cleanup },
		{ NULL, NULL },
	};

	test_add_suite("ctl_server", cases);
}
