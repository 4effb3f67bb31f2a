/* SPDX-License-Identifier: MIT */
/*
 * mpq_send.h — a fake QEMU's end of the multi-process protocol for the
 * qemu-glue tests: one message (header, data, fds) in one sendmsg.
 */
#ifndef TESTS_MPQ_SEND_H
#define TESTS_MPQ_SEND_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Send cmd with size bytes of data and nfds fds (SCM_RIGHTS) on sock;
 * true if all went. Up to 64 bytes more than MPQ_DATA_MAX and 16 fds, so
 * that tests can send what the protocol forbids; false beyond that.
 */
bool mpq_test_send(int sock, int32_t cmd, const void *data, uint64_t size, const int *fds,
		   unsigned int nfds);

#endif
