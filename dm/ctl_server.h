/* SPDX-License-Identifier: MIT */
/*
 * ctl_server.h — the control socket (docs/control-protocol.md): a UNIX
 * stream socket served from the main thread's poll loop, one text line
 * per request, data lines then one ok/error status line.
 */
#ifndef DM_CTL_SERVER_H
#define DM_CTL_SERVER_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_LINE_MAX 1024	/* bytes of one request, newline excluded */
#define CTL_MAX_CLIENTS 16

struct gpu;

/* What `version` reports. */
void ctl_server_init(struct gpu *gpu, const char *backend);

/* --null-mmio GPA: listed in every trap map as the glue's own page. */
void ctl_server_set_null_mmio(uint64_t gpa);

/* Create and listen on path (a stale socket file is replaced). 0 or -errno. */
int ctl_server_open(const char *path);
/* Close every connection and the socket; unlink the path. */
void ctl_server_close(void);

/* Fill pollfds for the listener and clients; returns how many (<= max). */
int ctl_server_pollfds(struct pollfd *pfd, int max);
/* Serve whatever the fds filled by ctl_server_pollfds reported. */
void ctl_server_service(const struct pollfd *pfd, int n);

/*
 * Execute one request line (no newline) and write the full reply, ending
 * with the status line, into out. Returns bytes written. Pure apart from
 * the daemon state it reads or changes; used by tests without a socket.
 */
size_t ctl_server_exec(const char *line, char *out, size_t outlen);

#endif
