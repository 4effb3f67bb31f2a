/* SPDX-License-Identifier: MIT */
/*
 * mpqemu.c — framing of QEMU's multi-process protocol (mpqemu.h): receive
 * one message at a time from a non-blocking socket with the fds that rode
 * on its header, check its shape, send RET answers.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpqemu.h"

void
mpq_rx_init(struct mpq_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

void
mpq_rx_reset(struct mpq_rx *rx)
{
	for (unsigned int i = 0; i < rx->nfds; i++)
		close(rx->fds[i]);
	mpq_rx_init(rx);
}

static uint64_t
hdr_size(const struct mpq_rx *rx)
{
	uint64_t size;

	memcpy(&size, rx->buf + 8, sizeof(size));
	return size;
}

/* Take the SCM_RIGHTS fds of one recvmsg; false (all closed) if they break the framing. */
static bool
take_fds(struct mpq_rx *rx, struct msghdr *mh, bool at_header, const char **why)
{
	bool ok = !(mh->msg_flags & MSG_CTRUNC);

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;
		int fds[MPQ_MAX_FDS + 1];

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > MPQ_MAX_FDS + 1)
			n = MPQ_MAX_FDS + 1;
		memcpy(fds, CMSG_DATA(c), n * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			if (ok && at_header && rx->nfds < MPQ_MAX_FDS) {
				rx->fds[rx->nfds++] = fds[i];
				continue;
			}
			if (ok)
				*why = at_header ? "more than 8 fds on one message"
						 : "fds not on a message header";
			ok = false;
			close(fds[i]);
		}
	}
	if (!ok && !*why)
		*why = "more than 8 fds on one message";
	return ok;
}

int
mpq_recv(int sock, struct mpq_rx *rx, struct mpq_msg *out, const char **why)
{
	*why = NULL;
	for (;;) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * (MPQ_MAX_FDS + 1))];
		} cbuf;
		struct iovec iov;
		struct msghdr mh = { 0 };
		size_t need;
		ssize_t n;
		bool at_header = rx->have == 0;

		if (rx->have < MPQ_HDR_SIZE) {
			need = MPQ_HDR_SIZE - rx->have;
		} else {
			uint64_t size = hdr_size(rx);

			if (size > MPQ_DATA_MAX) {
				*why = "message larger than any QEMU sends";
				return -EPROTO;
			}
			need = MPQ_HDR_SIZE + (size_t)size - rx->have;
		}
		if (!need) {
			memset(out, 0, sizeof(*out));
			memcpy(&out->cmd, rx->buf, sizeof(out->cmd));
			out->size = hdr_size(rx);
			memcpy(out->data.raw, rx->buf + MPQ_HDR_SIZE, (size_t)out->size);
			memcpy(out->fds, rx->fds, sizeof(out->fds));
			out->nfds = rx->nfds;
			rx->have = 0;
			rx->nfds = 0;
			return 1;
		}
		iov = (struct iovec){ .iov_base = rx->buf + rx->have, .iov_len = need };
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		if (mh.msg_controllen && !take_fds(rx, &mh, at_header, why))
			return -EPROTO;
		if (n == 0)
			return -EPIPE;
		rx->have += (size_t)n;
	}
}

const char *
mpq_check(const struct mpq_msg *m)
{
	switch (m->cmd) {
	case MPQ_SYNC_SYSMEM:
		/* QEMU's remote wants at least one fd; none means RAM it cannot share (serve.c). */
		return m->size == sizeof(struct mpq_sysmem) ? NULL : "SYNC_SYSMEM of the wrong size";
	case MPQ_CFG_WRITE:
	case MPQ_CFG_READ:
		if (m->size != sizeof(struct mpq_conf))
			return "config access of the wrong size";
		return m->nfds ? "fds on a config access" : NULL;
	case MPQ_BAR_WRITE:
	case MPQ_BAR_READ:
		if (m->size != sizeof(struct mpq_bar))
			return "BAR access of the wrong size";
		return m->nfds ? "fds on a BAR access" : NULL;
	case MPQ_SET_IRQFD:
		return m->size || m->nfds != 2 ? "SET_IRQFD without exactly two fds and no data" : NULL;
	case MPQ_DEVICE_RESET:
		return m->size || m->nfds ? "DEVICE_RESET with data or fds" : NULL;
	case MPQ_RET:
		return "a RET sent to the device";
	default:
		return "unknown command";
	}
}

void
mpq_msg_close_fds(struct mpq_msg *m)
{
	for (unsigned int i = 0; i < m->nfds; i++)
		if (m->fds[i] >= 0) {
			close(m->fds[i]);
			m->fds[i] = -1;
		}
}

int
mpq_send_ret(int sock, bool with_value, uint64_t val, int timeout_ms)
{
	uint8_t buf[MPQ_HDR_SIZE + sizeof(uint64_t)] = { 0 };
	int32_t cmd = MPQ_RET;
	uint64_t size = with_value ? sizeof(uint64_t) : 0;
	size_t len = MPQ_HDR_SIZE + (size_t)size, off = 0;

	memcpy(buf, &cmd, sizeof(cmd));
	memcpy(buf + 8, &size, sizeof(size));
	memcpy(buf + MPQ_HDR_SIZE, &val, sizeof(val));
	while (off < len) {
		ssize_t n = send(sock, buf + off, len - off, MSG_DONTWAIT | MSG_NOSIGNAL);
		struct pollfd p = { .fd = sock, .events = POLLOUT };

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		/* A peer that waits for its answer always has room: bounded wait. */
		n = poll(&p, 1, timeout_ms);
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

const char *
mpq_cmd_name(int32_t cmd)
{
	static const char *const names[MPQ_CMD_MAX] = {
		[MPQ_SYNC_SYSMEM] = "SYNC_SYSMEM", [MPQ_RET] = "RET",
		[MPQ_CFG_WRITE] = "PCI_CFGWRITE", [MPQ_CFG_READ] = "PCI_CFGREAD",
		[MPQ_BAR_WRITE] = "BAR_WRITE", [MPQ_BAR_READ] = "BAR_READ",
		[MPQ_SET_IRQFD] = "SET_IRQFD", [MPQ_DEVICE_RESET] = "DEVICE_RESET",
	};

	return cmd >= 0 && cmd < MPQ_CMD_MAX ? names[cmd] : "?";
}
