/* SPDX-License-Identifier: MIT */
/*
 * xsim_dm.h — a device model in a forked process for libxensim unit
 * tests: it maps, enables and serves ioreq servers the test created and
 * registered ranges for, records every synchronous ioreq it gets, and
 * answers reads with a value that names the server (so a test sees who
 * was chosen) and rep reads with per-item values written to guest RAM.
 */
#ifndef TESTS_UNIT_XSIM_DM_H
#define TESTS_UNIT_XSIM_DM_H

#include <stdint.h>
#include <sys/types.h>

#define XDM_MAX_SRV 4
#define XDM_MAX_REC 128

/* A plain read's answer from server sid. */
#define XDM_ANSWER(sid) (0xd0000000u | ((uint32_t)(sid) << 16))
/* Item i of a rep read served by sid (truncated to the item size). */
#define XDM_ITEM(sid, i) (0xa0000000u | ((uint32_t)(sid) << 16) | (uint32_t)(i))

struct xdm_rec {
	uint64_t addr, data;
	uint32_t count, size;
	uint8_t type, dir, df, data_is_ptr;
	uint16_t sid;
};

/* Shared with the child (an anonymous shared mapping). */
struct xdm {
	uint32_t ready, quit, nrec, err;
	struct xdm_rec rec[XDM_MAX_REC];
	pid_t pid;
	uint32_t domid;
	unsigned int vcpus, nsrv;
	uint16_t sid[XDM_MAX_SRV];
};

/*
 * Fork a device model for servers sids[0..nsrv) of domid (vcpus vCPUs) on
 * $XENSIM_MACHINE: it maps each server's ioreq frame, enables it and binds
 * its ports. Returns once it serves; NULL (after a CUnit failure) if not.
 */
struct xdm *xdm_start(uint32_t domid, unsigned int vcpus, const uint16_t *sids, unsigned int nsrv);
/* Stop the child; 0 if it ran without error. */
int xdm_stop(struct xdm *x);
/* Records received so far (acquire). */
uint32_t xdm_nrec(const struct xdm *x);

#endif
