/* SPDX-License-Identifier: MIT */
/*
 * mpq_send.c — the fake QEMU's sender of mpq_send.h.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "qemu-glue/mpqemu.h"
#include "tests/mpq_send.h"

/* Room for malformed messages too: more data and more fds than QEMU sends. */
#define TEST_DATA_MAX (MPQ_DATA_MAX + 64)
#define TEST_FDS_MAX 16

bool
mpq_test_send(int sock, int32_t cmd, const void *data, uint64_t size, const int *fds,
	      unsigned int nfds)
{
	uint8_t buf[MPQ_HDR_SIZE + TEST_DATA_MAX] = { 0 };
	union {
		struct cmsghdr align;
		char c[CMSG_SPACE(sizeof(int) * TEST_FDS_MAX)];
	} cbuf;
	struct iovec iov = { .iov_base = buf, .iov_len = MPQ_HDR_SIZE + (size_t)size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (size > TEST_DATA_MAX || nfds > TEST_FDS_MAX)
		return false;
	memcpy(buf, &cmd, 4);
	memcpy(buf + 8, &size, 8);
	if (size)
		memcpy(buf + MPQ_HDR_SIZE, data, (size_t)size);
	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = cbuf.c;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)iov.iov_len;
}
