/* SPDX-License-Identifier: MIT */
/*
 * ctl_server.h — the control socket (docs/control-protocol.md): a UNIX
 * stream socket served from the main thread's poll loop, one text line
 * per request, data lines then one ok/error status line.
 */
#ifndef DM_CTL_SERVER_H
#define DM_CTL_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_LINE_MAX 1024	/* bytes of one request, newline excluded */
#define CTL_MAX_CLIENTS 16	/* connections at once; one more is told EBUSY and closed */
#define CTL_IDLE_TIMEOUT_MS 60000 /* a connection with no traffic this long is closed */
/* pollfds ctl_server_pollfds may fill: the listener, the idle timer, the clients. */
#define CTL_NR_POLLFDS (CTL_MAX_CLIENTS + 2)

/* Who sent a request: the peer's credentials (SO_PEERCRED at accept). */
struct ctl_peer {
	bool known;	/* false: SO_PEERCRED failed (treated as nobody) */
	uid_t uid;
	pid_t pid;
};

struct gpu;

/* What `version` reports. */
void ctl_server_init(struct gpu *gpu, const char *backend);


/* Create and listen on path (a stale socket file is replaced). 0 or -errno. */
int ctl_server_open(const char *path);
/* Close every connection and the socket; unlink the path. */
void ctl_server_close(void);

/*
 * Fill pollfds for the listener, the idle timer and the clients; returns
 * how many (<= max; CTL_NR_POLLFDS is enough). Main thread.
 */
int ctl_server_pollfds(struct pollfd *pfd, int max);
/*
 * Serve whatever the fds filled by ctl_server_pollfds reported: accept
 * (over CTL_MAX_CLIENTS: "error EBUSY" and close), read and answer
 * requests, send replies a slow client left waiting, close idle clients
 * ("error ETIMEDOUT"). Never blocks. Main thread.
 */
void ctl_server_service(const struct pollfd *pfd, int n);
/* Idle timeout from each connection's next traffic on (0: CTL_IDLE_TIMEOUT_MS). */
void ctl_server_set_idle_timeout(unsigned int ms);
/* Reply bytes waiting for clients that do not read fast enough (tests, stats). */
size_t ctl_server_backlog(void);

/*
 * Execute one request line (no newline) from peer and write the full
 * reply, ending with the status line, into out. Returns bytes written.
 * Commands that change state (attach, detach) are refused with EACCES
 * unless peer is root or the daemon's own uid; peer NULL is an in-process
 * caller (trusted). Pure apart from the daemon state it reads or changes;
 * used by tests without a socket.
 */
size_t ctl_server_exec_as(const char *line, const struct ctl_peer *peer, char *out,
			  size_t outlen);
/* ctl_server_exec_as for an in-process caller. */
size_t ctl_server_exec(const char *line, char *out, size_t outlen);

#endif
