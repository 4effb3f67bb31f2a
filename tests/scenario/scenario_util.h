/* SPDX-License-Identifier: MIT */
/*
 * scenario_util.h — helpers for scenario tests that run xengt-dm-sim as a
 * separate process on a private sim machine serving several domains: start
 * and stop it, ask its control socket, and act as a guest vCPU (config
 * cycles through CF8/CFC, hvmloader-style BAR placement), read the
 * daemon's log, count the sim's routes of one access, run a trap storm.
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
#define SCN_GGTT_OFF (8u << 20)	/* the GGTT half of BAR0 (Gen9) */
#define SCN_GGTT (SCN_BAR0 + SCN_GGTT_OFF)
#define SCN_MAX_EXTRA 16	/* daemon options beyond the domains' */

struct sim_vcpu;

struct scn {
	char machine[64];
	char sock[100];
	pid_t pid;
	unsigned int gen;		/* daemons started on this machine so far - 1 (log name) */
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
/* What scn_start_with can change; all-zero is scn_start. */
struct scn_opts {
	const char *const *extra;	/* more daemon options, NULL-terminated (NULL: none) */
	unsigned int vcpus;		/* vCPUs of each domain (0: 1) */
	bool legacy_ioreq_pages;	/* machine without resource mapping (xensim switch) */
	bool loud;			/* unset XENGT_QUIET for the daemon (tests read its log) */
	long videoram_kib;		/* > 0: memory/videoram as libxl writes it (QEMU's VGA) */
	bool no_wait;			/* do not wait for "running" (a daemon expected to refuse) */
};
/* scn_start with options. */
bool scn_start_with(struct scn *s, const char *const *specs, unsigned int n,
		    const struct scn_opts *o);
/* One domain of type xengt_small with 2 vCPUs; extra: more daemon options (may be NULL). */
bool scn_start_small(struct scn *s, const char *const *extra);
/* Kill the daemon (unless s->pid <= 0), detach, destroy the machine. */
void scn_stop(struct scn *s);
/*
 * Start another daemon for the same domains (after the first was killed,
 * or beside it); its log is a new file (s->gen). Waits for "running"
 * unless o->no_wait. Returns its pid (also in s->pid), or -1.
 */
pid_t scn_respawn(struct scn *s, const char *const *specs, const struct scn_opts *o);
/* Wait up to ms for pid to exit; its wait status in *status. */
bool scn_wait_exit(pid_t pid, int ms, int *status);
/* Poll cond(s, arg) every 10 ms for up to ms; true once it holds. */
bool scn_wait_for(const struct scn *s, bool (*cond)(const struct scn *s, void *arg),
		  void *arg, int ms);

/* Sleep ms milliseconds. */
void scn_sleep_ms(int ms);
/* The daemon's stdout+stderr file (kept after scn_stop only with XENGT_TEST_VERBOSE). */
const char *scn_log_path(const struct scn *s, char *buf, size_t len);
/*
 * The lines of the daemon's log that contain pat, concatenated (malloc'd,
 * the caller frees), NULL if none. CUnit-fatal if the log cannot be opened.
 */
char *scn_log_lines(const struct scn *s, const char *pat);

/* One request on the control socket; the whole reply in out. 0 or -errno. */
int scn_ctl(const struct scn *s, const char *req, char *out, size_t len);
/* The value of key= in a reply (word at a line start or after a space), ~0 if absent. */
uint64_t scn_ctl_val(const char *reply, const char *key);
/* One counter of `stats DOMID`, ~0 on any failure. */
uint64_t scn_stat(const struct scn *s, uint32_t domid, const char *key);
/* `trap-map DOMID` into out (CUnit asserts the request went through). */
void scn_trap_map(const struct scn *s, uint32_t domid, char *out, size_t len);
/* Has a trap map a row of mechanism mech starting at start? */
bool scn_has_row(const char *map, const char *mech, uint64_t start);

/*
 * A guest read on domain i's vCPU 0 (port if pio, else memory): the value,
 * and in delta how much each of the sim's route counters moved.
 */
uint64_t scn_read_routes(const struct scn *s, unsigned int i, bool pio, uint64_t addr,
			 unsigned int size, uint64_t delta[]);
/*
 * A child process hammering domain i's BAR0 from vCPU vcpu with rep movsd
 * of 1024 registers per ioreq, without end; scn_storm_stop kills and reaps it.
 */
pid_t scn_storm_start(const struct scn *s, unsigned int i, unsigned int vcpu);
void scn_storm_stop(pid_t storm);

/* Config cycles to 00:02.0 through CF8/CFC on vCPU c (CUnit asserts on sim errors). */
uint32_t scn_cfg_read(struct sim_vcpu *c, unsigned int reg, unsigned int size);
void scn_cfg_write(struct sim_vcpu *c, unsigned int reg, unsigned int size, uint32_t v);
/* Place BAR0/2/4 at SCN_BAR0/2/4 the way hvmloader does; enable decoding. */
void scn_place_bars(struct sim_vcpu *c);

#endif
