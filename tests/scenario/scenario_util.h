/* SPDX-License-Identifier: MIT */
/*
 * scenario_util.h — helpers for scenario tests that run xengt-dm-sim as a
 * separate process on a private sim machine serving several domains: start
 * and stop it, ask its control socket, and act as a guest vCPU (config
 * cycles through CF8/CFC, hvmloader-style BAR placement).
 */
#ifndef TESTS_SCENARIO_SCENARIO_UTIL_H
#define TESTS_SCENARIO_SCENARIO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SCN_MAX_DOMS 4
#define SCN_BAR0 0xe0000000ull
#define SCN_BAR2 0x80000000ull
#define SCN_BAR4 0xc000u
#define SCN_DEV 2		/* the vGPU at 00:02.0 */
#define SCN_GGTT (SCN_BAR0 + (8u << 20))

struct sim_vcpu;

struct scn {
	char machine[64];
	char sock[100];
	pid_t pid;
	unsigned int ndom;
	uint32_t dom[SCN_MAX_DOMS];
	struct sim_vcpu *c[SCN_MAX_DOMS];	/* vCPU 0 of each domain */
};

/*
 * A private machine with one domain per spec (64 MiB RAM each), the daemon
 * serving them all, every domain unpaused with vCPU 0 attached. false (a
 * skip or a failure recorded) if anything is missing.
 */
bool scn_start(struct scn *s, const char *const *specs, unsigned int n);
/* Kill the daemon, detach, destroy the machine. */
void scn_stop(struct scn *s);

/* One request on the control socket; the whole reply in out. 0 or -errno. */
int scn_ctl(const struct scn *s, const char *req, char *out, size_t len);
/* The value of key= in a reply (word at a line start or after a space), ~0 if absent. */
uint64_t scn_ctl_val(const char *reply, const char *key);
/* One counter of `stats DOMID`, ~0 on any failure. */
uint64_t scn_stat(const struct scn *s, uint32_t domid, const char *key);

/* Config cycles to 00:02.0 through CF8/CFC on vCPU c (CUnit asserts on sim errors). */
uint32_t scn_cfg_read(struct sim_vcpu *c, unsigned int reg, unsigned int size);
void scn_cfg_write(struct sim_vcpu *c, unsigned int reg, unsigned int size, uint32_t v);
/* Place BAR0/2/4 at SCN_BAR0/2/4 the way hvmloader does; enable decoding. */
void scn_place_bars(struct sim_vcpu *c);

#endif
