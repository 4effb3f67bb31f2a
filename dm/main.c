/* SPDX-License-Identifier: MIT */
/*
 * main.c — the xengt-dm daemon: options, the physical GPU, vGPUs attached
 * at start (--domid/--vgpu pairs) or later over the control socket, and
 * the main thread's poll loop (signalfd + control socket). Each vGPU runs
 * on its own thread (instance.c), the GPU's scheduler on one more
 * (sched_thread.c).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_server.h"
#include "instance.h"
#include "sched_thread.h"
#include "mediator/log.h"
#include "mediator/vgpu.h"
#include "dm/pgpu/pgpu_list.h"

#define MAIN_DEFAULT_SOCKET "/run/xengt/xengt-dm.sock"
#define MAIN_MAX_START 64
#define MAIN_MAX_OPTS 32		/* ours plus the glue's getopt rows */

struct main_start {
	uint32_t domid;
	const char *spec;
};

struct main_opts {
	const char *gpu;		/* NAME[:SPEC] */
	const char *socket;
	struct gpu_sched_params sched;
	struct main_start start[MAIN_MAX_START];
	unsigned int nr_start;
};

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: xengt-dm [OPTIONS]\n"
		"  --gpu NAME[:SPEC]      physical GPU backend (default %s)\n"
		"  --socket PATH          control socket (default " MAIN_DEFAULT_SOCKET ")\n"
		"  --domid N --vgpu SPEC  attach a vGPU to domain N at start (repeatable)\n"
		"  --sched-slice-us N     a busy vGPU's turn on the GPU (default %llu)\n"
		"  --sched-watchdog-ms N  longest a workload may run before its engine is\n"
		"                         reset and its vGPU failed (default %llu)\n"
		"  --debug AREAS          debug areas: ioreq,mmio,cfg,gtt,irq,display,sim\n"
		"  --help\n"
		"transport %s:\n%s"
		"backends:", pgpu_backends[0] ? pgpu_backends[0]->name : "none",
		(unsigned long long)(GPU_SCHED_SLICE_NS_DEFAULT / 1000),
		(unsigned long long)(GPU_SCHED_WATCHDOG_NS_DEFAULT / 1000000), dm_glue.name,
		dm_glue.usage ? dm_glue.usage : "");
	for (unsigned int i = 0; pgpu_backends[i]; i++)
		fprintf(f, " %s", pgpu_backends[i]->name);
	fprintf(f, "\n");
}

static int
parse_u64(const char *s, int base, uint64_t *out)
{
	char *e;

	errno = 0;
	*out = strtoull(s, &e, base);
	return errno || e == s || *e ? -EINVAL : 0;
}

static void
die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "xengt-dm: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(2);
}

static void
parse_opts(int argc, char **argv, struct main_opts *o)
{
	enum { O_GPU = 256, O_SOCKET, O_DOMID, O_VGPU, O_DEBUG, O_SLICE, O_WATCHDOG, O_HELP };
	static const struct option ours[] = {
		{ "gpu", required_argument, NULL, O_GPU },
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "domid", required_argument, NULL, O_DOMID },
		{ "vgpu", required_argument, NULL, O_VGPU },
		{ "debug", required_argument, NULL, O_DEBUG },
		{ "sched-slice-us", required_argument, NULL, O_SLICE },
		{ "sched-watchdog-ms", required_argument, NULL, O_WATCHDOG },
		{ "help", no_argument, NULL, O_HELP },
	};
	struct option longopts[MAIN_MAX_OPTS];
	unsigned int n = 0;
	uint64_t v;
	int c;

	/* Ours, then the transport's own (their values are >= 1000). */
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		longopts[n++] = ours[i];
	for (const struct option *g = dm_glue.options; g && g->name && n < MAIN_MAX_OPTS - 1; g++)
		longopts[n++] = *g;
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_GPU:
			o->gpu = optarg;
			break;
		case O_SOCKET:
			o->socket = optarg;
			break;
		case O_DOMID:
			if (parse_u64(optarg, 10, &v) || v == 0 || v >= 0x7ff0)
				die_usage("--domid: bad value '%s'", optarg);
			if (o->nr_start == MAIN_MAX_START)
				die_usage("--domid: too many (%s)", optarg);
			o->start[o->nr_start++] = (struct main_start){ (uint32_t)v, "" };
			break;
		case O_VGPU:
			if (!o->nr_start || o->start[o->nr_start - 1].spec[0])
				die_usage("--vgpu '%s' must follow its --domid", optarg);
			o->start[o->nr_start - 1].spec = optarg;
			break;
		case O_SLICE:
			if (parse_u64(optarg, 10, &v) || v < 10 || v > 1000000)
				die_usage("--sched-slice-us: bad value '%s' (10..1000000)", optarg);
			o->sched.slice_ns = v * 1000;
			break;
		case O_WATCHDOG:
			if (parse_u64(optarg, 10, &v) || v < 1 || v > 60000)
				die_usage("--sched-watchdog-ms: bad value '%s' (1..60000)", optarg);
			o->sched.watchdog_ns = v * 1000000;
			break;
		case O_DEBUG:
			if (log_set_debug(optarg))
				die_usage("--debug: bad areas '%s'", optarg);
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			if (c >= 1000 && dm_glue.parse_option) {
				if (dm_glue.parse_option(c, optarg))
					die_usage("bad value '%s' for a transport option", optarg);
				break;
			}
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (o->sched.watchdog_ns < o->sched.slice_ns)
		die_usage("--sched-watchdog-ms: %s", "shorter than the slice");
}

/* Open the backend named by --gpu (NAME[:SPEC]); *name gets the backend name. */
static int
open_gpu(const char *arg, struct pgpu_dev *dev, const char **name)
{
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);

	for (unsigned int i = 0; pgpu_backends[i]; i++) {
		if (strlen(pgpu_backends[i]->name) != len || strncmp(pgpu_backends[i]->name, arg, len))
			continue;
		*name = pgpu_backends[i]->name;
		return pgpu_backends[i]->open(colon ? colon + 1 : "", dev);
	}
	return -ENOENT;
}

/* mkdir the socket's directory if missing (one level, like /run/xengt). */
static void
socket_dir(const char *path)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", path);
	if (mkdir(dirname(buf), 0700) < 0 && errno != EEXIST)
		log_warn("mkdir %s: %s", buf, strerror(errno));
}

int
main(int argc, char **argv)
{
	struct main_opts o = {
		.gpu = pgpu_backends[0] ? pgpu_backends[0]->name : "",
		.socket = MAIN_DEFAULT_SOCKET,
		.sched = { GPU_SCHED_SLICE_NS_DEFAULT, GPU_SCHED_WATCHDOG_NS_DEFAULT },
	};
	struct sched_thread *st = NULL;
	struct instance_defaults d;
	struct glue_watch *dw = NULL;
	bool reap_again;
	struct pgpu_dev dev;
	struct gpu *gpu;
	const char *gname = "?";
	sigset_t set;
	int sfd, rc, status = 0;
	char err[256];

	parse_opts(argc, argv, &o);
	if (getenv("XENGT_DEBUG"))
		log_set_debug(getenv("XENGT_DEBUG"));

	/* Signals: blocked in every thread, read from a signalfd by the main loop. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0) {
		log_err("signalfd: %s", strerror(errno));
		return 1;
	}

	rc = open_gpu(o.gpu, &dev, &gname);
	if (rc) {
		log_err("--gpu %s: %s", o.gpu, strerror(-rc));
		return 1;
	}
	rc = gpu_create(&dev, &gpu);
	if (rc) {
		log_err("gpu_create: %s", strerror(-rc));
		dev.ops->close(dev.p);
		return 1;
	}
	/* The GPU's scheduler thread, before any vGPU can queue work. */
	rc = gpu_sched_set_params(gpu, &o.sched);
	if (!rc)
		rc = sched_thread_start(gpu, &st);
	if (rc) {
		log_err("scheduler: %s", strerror(-rc));
		gpu_destroy(gpu);
		return 1;
	}
	d = (struct instance_defaults){
		.aperture_maddr = pgpu_default_aperture_mfn << 12,
		.dma_hook = pgpu_dma_hook,
	};
	instance_init(gpu, &d);
	ctl_server_init(gpu, gname);
	socket_dir(o.socket);
	rc = ctl_server_open(o.socket);
	if (rc) {
		log_err("control socket %s: %s", o.socket, strerror(-rc));
		status = 1;
		goto out_gpu;
	}
	for (unsigned int i = 0; i < o.nr_start; i++) {
		rc = instance_attach(o.start[i].domid, o.start[i].spec, NULL, err, sizeof(err));
		if (rc) {
			log_err("attach domain %u: %s", o.start[i].domid, err);
			status = 1;
			goto out_detach;
		}
	}
	/* Guests that die are noticed and their vGPUs detached (instance_reap). */
	rc = dm_glue.watch_open ? dm_glue.watch_open(&dw, err, sizeof(err)) : 0;
	if (rc) {
		log_err("watching domains: %s", err);
		status = 1;
		goto out_detach;
	}
	reap_again = dw && instance_reap(dw);	/* a domain that died while we attached */
	log_info("xengt-dm: ready (gpu %s, socket %s)", gname, o.socket);

	for (;;) {
		struct pollfd pfd[2 + CTL_NR_POLLFDS];
		int n;

		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = dw ? dm_glue.watch_fd(dw) : -1, .events = POLLIN };
		n = 2 + ctl_server_pollfds(pfd + 2, CTL_NR_POLLFDS);
		/* A death we could not confirm is asked about again each second. */
		rc = poll(pfd, (nfds_t)n, reap_again ? 1000 : -1);
		if (rc == 0) {
			reap_again = instance_reap(dw);
			continue;
		}
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			status = 1;
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				log_info("signal %u: shutting down", si.ssi_signo);
				break;
			}
		}
		if ((pfd[1].revents & POLLIN) && dm_glue.watch_fired(dw))
			reap_again = instance_reap(dw);
		ctl_server_service(pfd + 2, n - 2);
	}

out_detach:
	if (dw)
		dm_glue.watch_close(dw);
	instance_detach_all();
	ctl_server_close();
out_gpu:
	sched_thread_stop(st);
	gpu_destroy(gpu);
	close(sfd);
	return status;
}
