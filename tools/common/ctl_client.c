/* SPDX-License-Identifier: MIT */
/*
 * ctl_client.c — control-socket client: connect, one request, read the
 * reply. Every line from the daemon is size-checked before it is kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_client.h"
#include "expr.h"

const char *
ctl_default_socket(void)
{
	const char *s = getenv("XENGT_SOCKET");

	return s && *s ? s : CTL_DEFAULT_SOCKET;
}

static int
ctl_connect(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
add_line(struct ctl_reply *r, const char *line)
{
	char **nl;

	if (r->nlines >= CTL_MAX_LINES)
		return -E2BIG;
	nl = realloc(r->lines, (r->nlines + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	r->lines = nl;
	r->lines[r->nlines] = strdup(line);
	if (!r->lines[r->nlines])
		return -ENOMEM;
	r->nlines++;
	return 0;
}

/* Handle one complete line; 1 when it was the status line. */
static int
take_line(struct ctl_reply *r, const char *line)
{
	if (!strcmp(line, "ok") || !strncmp(line, "error", 5)) {
		r->ok = !strcmp(line, "ok");
		snprintf(r->status, sizeof(r->status), "%s", line);
		return 1;
	}
	return add_line(r, line);
}

int
ctl_call(const char *sock, const char *request, struct ctl_reply *r)
{
	char line[CTL_LINE_MAX + 1], buf[4096];
	size_t used = 0, reqlen = strlen(request);
	int fd, rc;

	memset(r, 0, sizeof(*r));
	if (reqlen >= CTL_LINE_MAX || strchr(request, '\n'))
		return -E2BIG;
	fd = ctl_connect(sock);
	if (fd < 0)
		return fd;
	rc = write_all(fd, request, reqlen);
	if (!rc)
		rc = write_all(fd, "\n", 1);
	if (rc)
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (n == 0) {
			rc = -EPROTO;
			goto out;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				/* Over-long lines from the daemon are truncated. */
				if (used < CTL_LINE_MAX)
					line[used++] = buf[i];
				continue;
			}
			line[used] = '\0';
			used = 0;
			rc = take_line(r, line);
			if (rc) {
				rc = rc > 0 ? 0 : rc;
				goto out;
			}
		}
	}
out:
	close(fd);
	if (rc)
		ctl_reply_free(r);
	return rc;
}

void
ctl_reply_free(struct ctl_reply *r)
{
	for (size_t i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	r->lines = NULL;
	r->nlines = 0;
}

int
ctl_kv_get(const char *line, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = line;

	while (*p) {
		const char *end = strchr(p, ' ');
		size_t wlen = end ? (size_t)(end - p) : strlen(p);

		if (wlen > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			size_t vlen = wlen - klen - 1;

			if (vlen >= len)
				return -E2BIG;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return 0;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return -ENOENT;
}

int
ctl_kv_u64(const char *line, const char *key, uint64_t *val)
{
	char buf[64];
	int rc = ctl_kv_get(line, key, buf, sizeof(buf));

	return rc ? rc : expr_parse_number(buf, val);
}
