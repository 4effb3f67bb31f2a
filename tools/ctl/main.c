/* SPDX-License-Identifier: MIT */
/*
 * main.c — xengt-ctl, the administrator's client of the daemon's control
 * socket: options, then dispatch through the subcommand table. Each
 * subcommand lives in its own file (list.c, trap_map.c, ...).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const struct ctl_cmd ctl_cmds[] = {
	{ "list", ctl_cmd_list, "", "every vGPU: domid, id, type, state, SBDF" },
	{ "gpu", ctl_cmd_gpu, "", "the physical GPU's GM and fences, used and free" },
	{ "stats", ctl_cmd_stats, "DOMID [KEY...]", "a vGPU's counters (KEYs: only those, one row)" },
	{ "partition", ctl_cmd_partition, "[DOMID]", "GM ranges and fences (no DOMID: every vGPU)" },
	{ "trap-map", ctl_cmd_trap_map, "DOMID", "what traps, by which mechanism, how often" },
	{ "attach", ctl_cmd_attach, "DOMID [SPEC]", "give a domain a vGPU (docs/vgpu-spec.md)" },
	{ "detach", ctl_cmd_detach, "DOMID", "remove a domain's vGPU" },
	{ "types", ctl_cmd_types, "", "the vGPU types on offer" },
	{ "version", ctl_cmd_version, "", "daemon version and GPU backend" },
	{ "shares", ctl_cmd_shares, "", "each vGPU's GPU work and share of GPU time" },
	{ "screenshot", ctl_cmd_screenshot, "DOMID FILE.png [PIPE]",
	  "save what a vGPU's primary plane shows (pipe A default) as a PNG" },
};

#define NR_CMDS (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: xengt-ctl [-s SOCKET] [--json] COMMAND [ARG...]\n"
		   "  -s SOCKET  control socket (default $XENGT_SOCKET or %s)\n"
		   "  --json     machine-readable output\n"
		   "commands:\n", CTL_DEFAULT_SOCKET);
	for (size_t i = 0; i < NR_CMDS; i++) {
		char head[40];

		snprintf(head, sizeof(head), "%s %s", ctl_cmds[i].name, ctl_cmds[i].args);
		fprintf(f, "  %-22s %s\n", head, ctl_cmds[i].help);
	}
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_ctx c = { .sock = ctl_default_socket() };
	int opt;

	/* "+": stop at the command, its arguments are its own. */
	while ((opt = getopt_long(argc, argv, "+s:jh", lopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			c.sock = optarg;
			break;
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	for (size_t i = 0; i < NR_CMDS; i++)
		if (!strcmp(ctl_cmds[i].name, argv[optind]))
			return ctl_cmds[i].fn(&c, argc - optind, argv + optind);
	fprintf(stderr, "xengt-ctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return CTL_EXIT_USAGE;
}
