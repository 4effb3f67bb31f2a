/* SPDX-License-Identifier: MIT */
/*
 * main.c — xengt-script: make a private sim machine with N domains, start
 * xengt-dm-sim for them, run the guest script (or a guest program,
 * --program) in one forked guest process per domain, report, tear down.
 * Parsing is tools/common/script.c, execution run.c, firmware-like BAR
 * placement bars.c, the daemon child daemon.c, the --ctl commands
 * ctl_cmds.c, guest programs program.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl_cmds.h"
#include "daemon.h"
#include "guest.h"
#include "program.h"
#include "tools/common/ctl_client.h"
#include "tools/common/spec.h"
#include "tools/common/trap_fmt.h"

#define GUEST_RAM_MB 64
#define DM_START_TIMEOUT_MS 10000

struct opts {
	const char *spec;
	unsigned int nvgpus;
	bool keep, verbose, trap_map;
	const char *file;
	const char *ctl[CTL_CMDS_MAX];	/* --ctl commands, in order */
	unsigned int nctl;
	const char *program;		/* --program: a guest program instead of a script */
	char *const *prog_args;		/* its arguments (after --), NULL-terminated */
};

/* Per-guest results, in memory shared with the guest processes. */
struct result {
	unsigned int expects;
	int done;		/* 1 ran to the end */
	int status;		/* its exit status (set by the runner) */
};

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: xengt-script [--vgpu SPEC] [--vgpus N] [--keep] [--trap-map]\n"
		"                    [--ctl CMD]... [-v] FILE\n"
		"       xengt-script [OPTIONS] --program PROG [-- ARG...]\n"
		"  --vgpu SPEC  vGPU spec for every domain (docs/vgpu-spec.md)\n"
		"  --vgpus N    N domains with a vGPU each, the script runs in each (default 1)\n"
		"  --program PROG  run guest program PROG (a path, or a name next to this\n"
		"               program: guest-draw, guest-probe) in each guest instead of a\n"
		"               script, with ARGs; exit 0 passed, 77 skipped, else failed\n"
		"  --keep       leave the machine, domains and daemon log behind\n"
		"  --trap-map   print each domain's trap map at the end\n"
		"  --ctl CMD    after the guests finished, while the daemon still runs: run\n"
		"               `xengt-ctl -s SOCKET CMD` and show its output; DOMID in a\n"
		"               word of CMD runs it once per domain with the domain's id.\n"
		"               Repeat for more commands (run in order, at most %d); a\n"
		"               failing one fails the run. E.g. --ctl list --ctl\n"
		"               'partition DOMID' --ctl 'screenshot DOMID d-DOMID.png'\n"
		"  -v           verbose: writes, expects, variables, daemon log on stderr\n"
		"env: XENGT_BUILD = directory of xengt-dm-sim and xengt-ctl (default: next\n"
		"     to this program)\n", CTL_CMDS_MAX);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{ "vgpu", required_argument, NULL, 'g' },
		{ "vgpus", required_argument, NULL, 'n' },
		{ "keep", no_argument, NULL, 'k' },
		{ "trap-map", no_argument, NULL, 't' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "program", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t n;
	int c;

	memset(o, 0, sizeof(*o));
	o->nvgpus = 1;
	while ((c = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			o->spec = optarg;
			break;
		case 'n':
			if (expr_parse_number(optarg, &n) || n < 1 || n > XENSIM_MAX_DOMAINS) {
				fprintf(stderr, "xengt-script: --vgpus: bad count '%s' (1..%d)\n",
					optarg, XENSIM_MAX_DOMAINS);
				return -EINVAL;
			}
			o->nvgpus = (unsigned int)n;
			break;
		case 'k':
			o->keep = true;
			break;
		case 't':
			o->trap_map = true;
			break;
		case 'c':
			if (o->nctl == CTL_CMDS_MAX) {
				fprintf(stderr, "xengt-script: at most %d --ctl commands\n",
					CTL_CMDS_MAX);
				return -EINVAL;
			}
			if (ctl_cmd_check(optarg))
				return -EINVAL;
			o->ctl[o->nctl++] = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'P':
			o->program = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (o->program) {
		/* Everything after the options (and "--") is the program's. */
		o->prog_args = argv + optind;
		o->file = o->program;
	} else if (optind != argc - 1) {
		usage(stderr);
		return -EINVAL;
	} else {
		o->file = argv[optind];
	}
	/*
	 * Default type: GVTg_V5_4 (128 MiB aperture, 512 MiB hidden GM) fits four
	 * times into the sim GPU's GM next to the host's reservation; more
	 * guests get GVTg_V5_8 with 256 MiB of hidden GM and 3 fences so that
	 * eight fit, and more than eight xengt_32 (no fences; 46 fit).
	 */
	if (!o->spec)
		o->spec = o->nvgpus <= 4 ? "type=GVTg_V5_4" :
			  o->nvgpus <= 8 ? "type=GVTg_V5_8,high_gm=256M,fences=3" :
			  "type=xengt_32";
	return 0;
}

/* The guest process: one vCPU of one domain running the whole script. */
static int
guest_main(const struct opts *o, const struct script *s, const char *machine,
	   uint32_t domid, const struct spec_sbdf *sbdf, unsigned int index, struct result *res)
{
	char prefix[16] = "";
	struct guest g;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o->nvgpus > 1)
		snprintf(prefix, sizeof(prefix), "[d%u] ", domid);
	memset(&g, 0, sizeof(g));
	g.machine = machine;
	g.domid = domid;
	g.seg = sbdf->seg;
	g.bus = sbdf->bus;
	g.dev = sbdf->dev;
	g.fn = sbdf->fn;
	g.prefix = prefix;
	g.file = o->file;
	g.verbose = o->verbose;
	expr_var_set(&g.vars, "domid", domid);
	g.vcpu = sim_vcpu_attach(machine, domid, 0);
	if (!g.vcpu) {
		printf("%sattach to vCPU 0 of d%u: %s\n", prefix, domid, strerror(errno));
		return 1;
	}
	rc = guest_place_bars(&g);
	if (!rc && o->program) {
		/* Firmware done: the OS (the guest program) takes the vCPU over. */
		sim_vcpu_detach(g.vcpu);
		fflush(NULL);
		program_exec(o->program, o->prog_args, machine, domid, sbdf, index, o->nvgpus,
			     prefix);
		_exit(127);	/* program_exec said why */
	}
	if (!rc)
		rc = guest_run(&g, s);
	res->expects = g.expects;
	res->done = rc == 0;
	sim_vcpu_detach(g.vcpu);
	return rc ? 1 : 0;
}

static void
print_trap_maps(const struct dm_child *dm, const char *machine,
		const uint32_t *domids, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct trap_row rows[128];
		struct ctl_reply r;
		char req[32];
		size_t nrows = 0;
		int rc;

		snprintf(req, sizeof(req), "trap-map %u", domids[i]);
		rc = ctl_call(dm->sock, req, &r);
		if (rc) {
			printf("trap-map d%u: %s\n", domids[i], strerror(-rc));
			continue;
		}
		if (!r.ok) {
			printf("trap-map d%u: %s\n", domids[i], r.status);
			ctl_reply_free(&r);
			continue;
		}
		for (size_t l = 0; l < r.nlines && nrows < 128; l++)
			if (trap_row_parse(r.lines[l], &rows[nrows]) == 0)
				nrows++;
		ctl_reply_free(&r);
		trap_rows_add_sim(rows, nrows, machine, domids[i]);
		trap_map_print(stdout, "", domids[i], rows, nrows);
	}
}

/* Wait for the guests; a dead daemon or a signal stops the rest. 0 all passed. */
static int
wait_guests(struct dm_child *dm, pid_t *pids, unsigned int n, struct result *res)
{
	unsigned int left = 0;
	int failed = 0;

	for (unsigned int i = 0; i < n; i++)
		left += pids[i] > 0;
	if (left < n)
		failed = 1;	/* a guest could not be forked */

	while (left) {
		int status;
		pid_t p = waitpid(-1, &status, 0);

		if (p < 0 && errno == EINTR && stop_requested) {
			fprintf(stderr, "xengt-script: interrupted\n");
			for (unsigned int i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
			failed = 1;
			continue;
		}
		if (p < 0)
			break;
		if (p == dm->pid) {
			dm->pid = 0;
			fprintf(stderr, "xengt-script: the daemon exited during the script\n");
			dm_dump_log(dm);
			for (unsigned int i = 0; i < n; i++)
				if (pids[i] > 0)
					kill(pids[i], SIGKILL);
			failed = 1;
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			if (pids[i] != p)
				continue;
			pids[i] = 0;
			left--;
			res[i].status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			if (res[i].status)
				failed = 1;
		}
	}
	return failed;
}

int
main(int argc, char **argv)
{
	uint32_t domids[XENSIM_MAX_DOMAINS];
	pid_t pids[XENSIM_MAX_DOMAINS] = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int ndom = 0, total = 0;
	struct dm_child dm = { 0 };
	struct spec_sbdf sbdf;
	struct result *res;
	char machine[32], err[256];
	struct script s;
	struct opts o;
	int rc, failed = 1;

	if (parse_opts(argc, argv, &o))
		return 2;
	/*
	 * The simulated vCPUs wait for their answers for ever, as on Xen; a
	 * script is a test, so an answer that never comes fails it (with the
	 * sim's message) instead of hanging it. Set the variable to change it.
	 */
	setenv("XENSIM_HARNESS_DEADLINE_MS", "30000", 0);
	if (spec_sbdf(o.spec, &sbdf)) {
		fprintf(stderr, "xengt-script: bad sbdf in spec '%s'\n", o.spec);
		return 2;
	}
	rc = o.program ? script_parse_text("", &s, err, sizeof(err)) :
			 script_load(o.file, &s, err, sizeof(err));
	if (!rc && o.program && program_check(o.program)) {
		script_free(&s);
		return 2;
	}
	if (rc) {
		fprintf(stderr, "xengt-script: %s%s%s\n", rc == -EINVAL ? o.file : "",
			rc == -EINVAL ? ": " : "", err);
		return 2;
	}
	res = mmap(NULL, sizeof(*res) * o.nvgpus, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		perror("xengt-script: mmap");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	snprintf(machine, sizeof(machine), "xs-%d", (int)getpid());
	setenv("XENSIM_MACHINE", machine, 1);
	rc = xensim_machine_create(machine);
	if (rc) {
		fprintf(stderr, "xengt-script: machine %s: %s\n", machine, strerror(-rc));
		return 1;
	}
	for (ndom = 0; ndom < o.nvgpus; ndom++) {
		rc = xensim_domain_create(machine, GUEST_RAM_MB, 1);
		if (rc < 0) {
			fprintf(stderr, "xengt-script: domain: %s\n", strerror(-rc));
			goto out;
		}
		domids[ndom] = (uint32_t)rc;
	}
	rc = dm_start(&dm, domids, ndom, o.spec, o.verbose);
	if (rc) {
		fprintf(stderr, "xengt-script: cannot start the daemon: %s\n", strerror(-rc));
		goto out;
	}
	rc = dm_wait_running(&dm, machine, domids, ndom, DM_START_TIMEOUT_MS);
	if (rc) {
		fprintf(stderr, "xengt-script: the daemon %s\n", rc == -ECHILD ?
			"exited before the vGPUs were running" :
			"did not report every vGPU running within 10 s");
		dm_dump_log(&dm);
		goto out;
	}
	for (unsigned int i = 0; i < ndom; i++) {
		rc = xensim_domain_unpause(machine, domids[i]);
		if (rc) {
			fprintf(stderr, "xengt-script: unpause d%u: %s\n", domids[i],
				strerror(-rc));
			goto out;
		}
	}
	fflush(NULL);
	for (unsigned int i = 0; i < ndom; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("xengt-script: fork");
			pids[i] = 0;
			break;
		}
		if (pids[i] == 0) {
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			_exit(guest_main(&o, &s, machine, domids[i], &sbdf, i, &res[i]));
		}
	}
	for (unsigned int i = 0; i < ndom; i++)
		res[i].status = -1;
	failed = wait_guests(&dm, pids, ndom, res);
	if (o.program) {
		int status[XENSIM_MAX_DOMAINS];

		for (unsigned int i = 0; i < ndom; i++)
			status[i] = res[i].status;
		failed = program_report(o.program, domids, status, ndom, o.nvgpus > 1);
	} else {
		for (unsigned int i = 0; i < ndom; i++) {
			total += res[i].expects;
			if (!res[i].done)
				failed = 1;
			if (o.nvgpus > 1 && res[i].done)
				printf("[d%u] %u expects passed\n", domids[i], res[i].expects);
		}
	}
	if (o.trap_map && dm.pid)
		print_trap_maps(&dm, machine, domids, ndom);
	if (o.nctl && !dm.pid)
		fprintf(stderr, "xengt-script: --ctl skipped: the daemon is gone\n");
	else if (ctl_cmds_run(dm.sock, o.ctl, o.nctl, domids, ndom))
		failed = 1;
out:
	dm_stop(&dm, o.keep);
	if (o.keep) {
		fprintf(stderr, "xengt-script: kept machine %s (XENSIM_MACHINE=%s)%s%s\n",
			machine, machine, dm.dir[0] ? ", daemon log in " : "",
			dm.dir[0] ? dm.log : "");
	} else {
		xensim_machine_destroy(machine);
	}
	script_free(&s);
	if (!failed && !o.program)
		printf("%u expects passed\n", total);
	if (failed == PROGRAM_SKIPPED)
		return PROGRAM_SKIPPED;
	return failed ? 1 : 0;
}
