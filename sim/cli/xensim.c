/* SPDX-License-Identifier: MIT */
/*
 * xensim.c — the toolstack of the simulated hypervisor: create, list,
 * shut down, destroy and unpause domains, show route counters and MSIs,
 * read xenstore, machine settings, remove a machine. One {name, fn, help}
 * table dispatches.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/sched.h>

#include "sim/xensim.h"
#include "sim/sim_int.h"

static const char *machine;

static int
parse_domid(int argc, char **argv, uint32_t *domid)
{
	char *end;
	unsigned long v;

	if (argc < 2) {
		fprintf(stderr, "xensim: %s needs a DOMID\n", argv[0]);
		return -EINVAL;
	}
	v = strtoul(argv[1], &end, 0);
	if (*end || !*argv[1] || v == 0 || v > 0x7fef) {
		fprintf(stderr, "xensim: bad domid '%s'\n", argv[1]);
		return -EINVAL;
	}
	*domid = (uint32_t)v;
	return 0;
}

static int
cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int mem = 128, vcpus = 1;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'm')
			mem = (unsigned int)strtoul(optarg, NULL, 0);
		else if (c == 'v')
			vcpus = (unsigned int)strtoul(optarg, NULL, 0);
		else
			return -EINVAL;
	}
	rc = xensim_machine_create(machine);
	if (rc < 0)
		return rc;
	rc = xensim_domain_create(machine, mem, vcpus);
	if (rc < 0)
		return rc;
	printf("%d\n", rc);
	return 0;
}

/* SHUTDOWN_* names, indexed by reason (xen/sched.h). */
static const char *const shutdown_names[] = {
	[SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
	[SHUTDOWN_suspend] = "suspend",	  [SHUTDOWN_crash] = "crash",
	[SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};
#define NR_SHUTDOWN_NAMES (sizeof(shutdown_names) / sizeof(shutdown_names[0]))

/* The state column: as xl list's flags say it, one word. */
static const char *
state_name(const struct sim_domain_info *i)
{
	if (i->dying)
		return "dying";
	if (i->crashed)
		return "crashed";
	if (i->shutdown)
		return i->shutdown_reason < NR_SHUTDOWN_NAMES ? shutdown_names[i->shutdown_reason] :
								 "shutdown";
	return i->paused ? "paused" : "running";
}

static int
cmd_list(int argc, char **argv)
{
	struct sim_domain_info info[XENSIM_MAX_DOMAINS];
	int n;

	(void)argc;
	(void)argv;
	n = xensim_domain_list(machine, info, XENSIM_MAX_DOMAINS);
	if (n < 0)
		return n;
	printf("%-6s %8s %5s %-10s %s\n", "domid", "mem_mb", "vcpus", "state", "servers");
	for (int i = 0; i < n; i++)
		printf("%-6u %8" PRIu64 " %5u %-10s %u\n", info[i].domid, info[i].ram_bytes >> 20,
		       info[i].vcpus, state_name(&info[i]), info[i].nr_servers);
	return 0;
}

/* shutdown DOMID [REASON]: a SHUTDOWN_* name or number (default poweroff). */
static int
cmd_shutdown(int argc, char **argv)
{
	unsigned long reason = SHUTDOWN_poweroff;
	uint32_t domid;
	int rc = parse_domid(argc, argv, &domid);

	if (rc)
		return rc;
	if (argc > 2) {
		char *end;

		reason = NR_SHUTDOWN_NAMES;
		for (size_t i = 0; i < NR_SHUTDOWN_NAMES; i++)
			if (!strcmp(argv[2], shutdown_names[i]))
				reason = i;
		if (reason == NR_SHUTDOWN_NAMES) {
			reason = strtoul(argv[2], &end, 0);
			if (*end || !*argv[2] || reason > 255) {
				fprintf(stderr, "xensim: bad shutdown reason '%s'\n", argv[2]);
				return -EINVAL;
			}
		}
	}
	return xensim_domain_shutdown(machine, domid, (unsigned int)reason);
}

static int
cmd_destroy(int argc, char **argv)
{
	uint32_t domid;
	int rc = parse_domid(argc, argv, &domid);

	return rc ? rc : xensim_domain_destroy(machine, domid);
}

static int
cmd_unpause(int argc, char **argv)
{
	uint32_t domid;
	int rc = parse_domid(argc, argv, &domid);

	return rc ? rc : xensim_domain_unpause(machine, domid);
}

static int
cmd_counts(int argc, char **argv)
{
	uint64_t counts[ROUTE_NR];
	uint32_t domid;
	int rc = parse_domid(argc, argv, &domid);

	if (!rc)
		rc = xensim_route_counts(machine, domid, counts);
	if (rc)
		return rc;
	for (int r = 0; r < ROUTE_NR; r++)
		printf("%-16s %" PRIu64 "\n", sim_route_name((enum sim_route)r), counts[r]);
	return 0;
}

static int
cmd_msi(int argc, char **argv)
{
	struct sim_machine *m;
	struct sim_domain *d;
	uint64_t first;
	uint32_t domid;
	int rc = parse_domid(argc, argv, &domid);

	if (rc)
		return rc;
	rc = sim_tool_begin(machine, domid, &m, &d);
	if (rc)
		return rc;
	first = d->msi_count > SIM_MSI_LOG ? d->msi_count - SIM_MSI_LOG : 0;
	printf("msi_count %" PRIu64 "\n", d->msi_count);
	for (uint64_t i = first; i < d->msi_count; i++)
		printf("%" PRIu64 " addr %#" PRIx64 " data %#x\n", i,
		       d->msi[i % SIM_MSI_LOG].addr, d->msi[i % SIM_MSI_LOG].data);
	sim_tool_end(m);
	return 0;
}

/* What each vCPU of a domain is doing: running, or blocked on a server (wait_for_io). */
static int
cmd_vcpus(int argc, char **argv)
{
	struct sim_domain_info info[XENSIM_MAX_DOMAINS];
	uint32_t domid;
	int rc = parse_domid(argc, argv, &domid), n;

	if (rc)
		return rc;
	n = xensim_domain_list(machine, info, XENSIM_MAX_DOMAINS);
	for (int i = 0; i < n; i++) {
		if (info[i].domid != domid)
			continue;
		for (unsigned int v = 0; v < info[i].vcpus; v++) {
			struct xensim_vcpu_status st;
			char line[128];

			rc = xensim_vcpu_status(machine, domid, v, &st);
			if (rc)
				return rc;
			xensim_vcpu_status_str(domid, v, &st, line, sizeof(line));
			if (st.attached)
				printf("%s pid %d\n", line, st.pid);
			else
				printf("%s\n", line);
		}
		return 0;
	}
	return n < 0 ? n : -ESRCH;
}

static int
cmd_xs_read(int argc, char **argv)
{
	char buf[SIM_XS_VAL];
	int rc;

	if (argc < 2)
		return -EINVAL;
	rc = xensim_xs_read(machine, argv[1], buf, sizeof(buf));
	if (!rc)
		printf("%s\n", buf);
	return rc;
}

/*
 * set legacy-ioreq-pages on|off: map_resource EOPNOTSUPP, pages in guest gfns.
 * set paddr-bits N: the host's physical address width.
 */
static int
cmd_set(int argc, char **argv)
{
	bool on;

	if (argc == 3 && !strcmp(argv[1], "paddr-bits")) {
		char *end;
		unsigned long bits = strtoul(argv[2], &end, 0);

		return *end || !*argv[2] ? -EINVAL : xensim_set_paddr_bits(machine, (unsigned int)bits);
	}
	if (argc < 3 || strcmp(argv[1], "legacy-ioreq-pages"))
		return -EINVAL;
	if (!strcmp(argv[2], "on"))
		on = true;
	else if (!strcmp(argv[2], "off"))
		on = false;
	else
		return -EINVAL;
	return xensim_set_legacy_ioreq_pages(machine, on);
}

static int
cmd_machine_destroy(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return xensim_machine_destroy(machine);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "create", cmd_create, "create [--mem MB] [--vcpus N]  new paused domain; prints domid" },
	{ "list", cmd_list, "list                           domains of the machine" },
	{ "shutdown", cmd_shutdown, "shutdown DOMID [REASON]        poweroff|reboot|suspend|crash|watchdog|soft_reset|N" },
	{ "destroy", cmd_destroy, "destroy DOMID                  dying until nothing maps its pages" },
	{ "unpause", cmd_unpause, "unpause DOMID" },
	{ "counts", cmd_counts, "counts DOMID                   guest access route counters" },
	{ "msi", cmd_msi, "msi DOMID                      MSIs injected so far" },
	{ "vcpus", cmd_vcpus, "vcpus DOMID                    each vCPU: running, or blocked on a server" },
	{ "xs-read", cmd_xs_read, "xs-read PATH" },
	{ "set", cmd_set, "set legacy-ioreq-pages on|off   ioreq pages via guest gfns only" },
	{ "set", cmd_set, "set paddr-bits N               host physical address width (default 39)" },
	{ "machine-destroy", cmd_machine_destroy, "machine-destroy                remove the machine's files" },
};

static void
usage(void)
{
	fprintf(stderr, "usage: xensim [-m|--machine MACHINE] COMMAND ...\n"
			"  (MACHINE defaults to $XENSIM_MACHINE, else \"xensim\")\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s\n", cmds[i].help);
}

int
main(int argc, char **argv)
{
	static const struct option top_opts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+m:h", top_opts, NULL)) != -1) {
		if (c == 'm') {
			machine = optarg;
		} else {
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	machine = sim_machine_name(machine);
	if (optind >= argc) {
		usage();
		return 2;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name))
			continue;
		int rc = cmds[i].fn(argc - optind, argv + optind);

		if (rc < 0) {
			fprintf(stderr, "xensim %s: %s\n", cmds[i].name, strerror(-rc));
			return 1;
		}
		return 0;
	}
	usage();
	return 2;
}
