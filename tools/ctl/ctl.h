/* SPDX-License-Identifier: MIT */
/*
 * ctl.h — shared by the xengt-ctl subcommands: the command table entry,
 * the invocation context, and helpers to ask the daemon and print replies.
 * One file per subcommand (list.c, trap_map.c, ...); main.c dispatches.
 */
#ifndef TOOLS_CTL_CTL_H
#define TOOLS_CTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/common/ctl_client.h"

/* Exit statuses of xengt-ctl. */
#define CTL_EXIT_OK	0
#define CTL_EXIT_ERROR	1	/* the daemon answered "error ..." */
#define CTL_EXIT_USAGE	2
#define CTL_EXIT_CONN	3	/* no daemon / transport failure */

struct ctl_ctx {
	const char *sock;
	bool json;
};

typedef int ctl_cmd_fn(struct ctl_ctx *c, int argc, char **argv);

struct ctl_cmd {
	const char *name;
	ctl_cmd_fn *fn;
	const char *args;	/* usage of the arguments, "" if none */
	const char *help;
};

/* The subcommands (one file each). argv[0] is the command name. */
ctl_cmd_fn ctl_cmd_list, ctl_cmd_gpu, ctl_cmd_stats, ctl_cmd_partition,
	ctl_cmd_trap_map, ctl_cmd_attach, ctl_cmd_detach, ctl_cmd_types,
	ctl_cmd_version, ctl_cmd_screenshot, ctl_cmd_shares;

/*
 * Send request and wait for the reply. On a transport failure or an
 * "error" status, print it to stderr and return the exit status to use
 * (reply freed); else return CTL_EXIT_OK with *r to be freed by the caller.
 */
int ctl_ask(struct ctl_ctx *c, const char *request, struct ctl_reply *r);

/* Parse a domid argument (decimal, < 2^16); prints and returns -EINVAL if bad. */
int ctl_parse_domid(const char *s, uint32_t *domid);

/*
 * Parse the domid argument arg and build the request "VERB DOMID" in
 * req[len]. Returns CTL_EXIT_OK, or CTL_EXIT_USAGE (printed) if arg is bad.
 */
int ctl_domid_request(const char *arg, const char *verb, char *req, size_t len,
		      uint32_t *domid);

/*
 * Send request and print its reply with ctl_print_reply(rows). Returns
 * the exit status: CTL_EXIT_OK, or as ctl_ask() on failure.
 */
int ctl_ask_print(struct ctl_ctx *c, const char *request, bool rows);

/* Check argc == want (argv[0] included); prints usage and returns false if not. */
bool ctl_argc_ok(int argc, int want, const char *name, const char *args);

/*
 * Print data lines. rows: a table with the first line's keys as headings
 * (--json: an array of objects). !rows and the reply is one record (one
 * line, or one key=value per line): "key: value" lines (--json: one
 * object). Numbers are unquoted in JSON.
 */
void ctl_print_reply(struct ctl_ctx *c, const struct ctl_reply *r, bool rows);

#endif
