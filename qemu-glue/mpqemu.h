/* SPDX-License-Identifier: MIT */
/*
 * mpqemu.h — QEMU 7.2's multi-process protocol as it is on the wire
 * between x-pci-proxy-dev and a device process (facts from QEMU's
 * include/hw/remote/mpqemu-link.h, hw/remote/mpqemu-link.c and
 * hw/remote/message.c; layouts of x86-64): a 16-byte header (int cmd,
 * padding, size_t size), then size bytes of one of the data structs below;
 * file descriptors ride on the header as SCM_RIGHTS. Every request but
 * SYNC_SYSMEM and SET_IRQFD is answered with a RET message. This file and
 * mpqemu.c frame and validate messages; serve.c acts on them.
 */
#ifndef QEMU_GLUE_MPQEMU_H
#define QEMU_GLUE_MPQEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MPQemuCmd, in QEMU's order. */
enum mpq_cmd {
	MPQ_SYNC_SYSMEM = 0,	/* guest RAM regions, one fd each; no answer */
	MPQ_RET = 1,		/* an answer: data.u64 (size 8), or nothing (size 0) */
	MPQ_CFG_WRITE = 2,	/* PciConfDataMsg; answered 0 (UINT64_MAX: refused) */
	MPQ_CFG_READ = 3,	/* PciConfDataMsg; answered with the value */
	MPQ_BAR_WRITE = 4,	/* BarAccessMsg; answered 0 (UINT64_MAX: refused) */
	MPQ_BAR_READ = 5,	/* BarAccessMsg; answered with the value */
	MPQ_SET_IRQFD = 6,	/* no data, fds: the INTx irqfd and its resample fd; no answer */
	MPQ_DEVICE_RESET = 7,	/* no data; answered with an empty RET */
	MPQ_CMD_MAX = 8,
};

#define MPQ_MAX_FDS 8		/* REMOTE_MAX_FDS */
#define MPQ_HDR_SIZE 16		/* offsetof(MPQemuMsg, data.u64) */
#define MPQ_NOVAL UINT64_MAX	/* what QEMU's remote answers for a failed access */

/* PciConfDataMsg. */
struct mpq_conf {
	uint32_t addr;		/* config register */
	uint32_t val;		/* write value */
	int32_t len;		/* 1, 2 or 4 */
};

/* SyncSysmemMsg: region i is fds[i]'s bytes [offsets[i], + sizes[i]) at gpas[i]. */
struct mpq_sysmem {
	uint64_t gpas[MPQ_MAX_FDS];
	uint64_t sizes[MPQ_MAX_FDS];
	int64_t offsets[MPQ_MAX_FDS];
};

/* BarAccessMsg: an access at an absolute guest address (memory) or port (I/O). */
struct mpq_bar {
	uint64_t addr;
	uint64_t val;
	uint32_t size;		/* bytes: 1, 2, 4, 8 */
	uint8_t memory;		/* C bool: 1 memory space, 0 I/O space */
	uint8_t pad[3];
};

_Static_assert(sizeof(struct mpq_conf) == 12, "PciConfDataMsg");
_Static_assert(sizeof(struct mpq_sysmem) == 192, "SyncSysmemMsg");
_Static_assert(sizeof(struct mpq_bar) == 24, "BarAccessMsg");

#define MPQ_DATA_MAX sizeof(struct mpq_sysmem)	/* the union's size */

/* One received message: header fields, data, and the fds that came with it. */
struct mpq_msg {
	int32_t cmd;
	uint64_t size;
	union {
		uint64_t u64;
		struct mpq_conf conf;
		struct mpq_sysmem sysmem;
		struct mpq_bar bar;
		uint8_t raw[MPQ_DATA_MAX];
	} data;
	int fds[MPQ_MAX_FDS];
	unsigned int nfds;
};

/*
 * Receive state of one connection: the message being assembled (bytes so
 * far, fds that came with its header). Reads never go past the current
 * message, so fds always belong to the message whose header they rode on.
 */
struct mpq_rx {
	uint8_t buf[MPQ_HDR_SIZE + MPQ_DATA_MAX];
	size_t have;
	int fds[MPQ_MAX_FDS];
	unsigned int nfds;
};

void mpq_rx_init(struct mpq_rx *rx);
/* Close the fds of a partly received message (teardown). */
void mpq_rx_reset(struct mpq_rx *rx);

/*
 * Read what the non-blocking socket has, up to the end of one message.
 * 1: *out holds a complete message (its fds now the caller's); 0: nothing
 * more yet (EAGAIN); -EPIPE: the peer closed the connection; -EPROTO: a
 * framing violation (size over the largest message, fds not on a header,
 * more than MPQ_MAX_FDS fds), *why says which; other -errno: the socket
 * failed. After anything but 0 and 1 the connection is unusable.
 */
int mpq_recv(int sock, struct mpq_rx *rx, struct mpq_msg *out, const char **why);

/*
 * Does msg have the shape its command requires (QEMU's mpqemu_msg_valid,
 * plus: no fds where none belong, RET is never sent to a device)? NULL if
 * so, else why not.
 */
const char *mpq_check(const struct mpq_msg *msg);

/* Close every fd of msg that the caller did not take (set to -1). */
void mpq_msg_close_fds(struct mpq_msg *msg);

/*
 * Send a RET answer: with_value: size 8 and val; else size 0 (the answer
 * to DEVICE_RESET). Waits up to timeout_ms for room if the socket is
 * full. 0 or -errno (-ETIMEDOUT: the peer is not reading).
 */
int mpq_send_ret(int sock, bool with_value, uint64_t val, int timeout_ms);

/* A command's name for logs ("BAR_READ"; "?" if unknown). */
const char *mpq_cmd_name(int32_t cmd);

#endif
