/* SPDX-License-Identifier: MIT */
/*
 * ctl_client.h — the client side of the daemon's control socket
 * (docs/control-protocol.md): one request line out, data lines and one
 * status line back; plus key=value word lookup in a data line.
 */
#ifndef TOOLS_COMMON_CTL_CLIENT_H
#define TOOLS_COMMON_CTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_DEFAULT_SOCKET "/run/xengt/xengt-dm.sock"
#define CTL_LINE_MAX 1024
#define CTL_MAX_LINES 4096

struct ctl_reply {
	char **lines;	  /* data lines, without the newline */
	size_t nlines;
	bool ok;	  /* status line was "ok" */
	char status[CTL_LINE_MAX + 1]; /* the status line itself */
};

/* $XENGT_SOCKET if set, else CTL_DEFAULT_SOCKET. */
const char *ctl_default_socket(void);

/*
 * Connect to sock, send request (one line, no newline needed), read the
 * reply up to its status line. Returns 0 when a status line arrived (see
 * r->ok), -errno on a transport failure (-E2BIG request too long, -EPROTO
 * the daemon closed without a status line). Free r with ctl_reply_free.
 */
int ctl_call(const char *sock, const char *request, struct ctl_reply *r);
void ctl_reply_free(struct ctl_reply *r);

/*
 * Copy the value of word "key=value" in line into buf. 0, -ENOENT if the
 * key is absent, -E2BIG if the value does not fit.
 */
int ctl_kv_get(const char *line, const char *key, char *buf, size_t len);
/* The same, parsed as a number (hex with 0x, or decimal). 0 or -errno. */
int ctl_kv_u64(const char *line, const char *key, uint64_t *val);

#endif
