/* SPDX-License-Identifier: MIT */
/*
 * script_run.c — xengt-script as a child process (script_run.h).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "script_run.h"
#include "tests/test_util.h"

#define SCRIPT_MAX_ARGS 30

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
script_run(struct script_run *r, const char *const *args, int timeout_ms)
{
	const char *argv[SCRIPT_MAX_ARGS + 2];
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	size_t cap = 65536, used = 0;
	char prog[512];
	unsigned int a = 0;
	int pfd[2], st = 0;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	argv[a++] = test_build_path("xengt-script", prog, sizeof(prog));
	while (*args && a <= SCRIPT_MAX_ARGS)
		argv[a++] = *args++;
	argv[a] = NULL;
	r->out = calloc(1, cap);
	if (!r->out || pipe(pfd))
		return;
	fflush(NULL);
	r->pid = fork();
	if (r->pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(pfd[1]);
	/* Read until the output closes (the tool and its children are done). */
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t got;

		if (r->pid < 0 || now >= deadline)
			break;
		if (poll(&p, 1, (int)(deadline - now)) <= 0)
			continue;
		if (used + 4096 >= cap) {
			char *nb = realloc(r->out, cap * 2);

			if (!nb)
				break;
			r->out = nb;
			cap *= 2;
		}
		got = read(pfd[0], r->out + used, cap - used - 1);
		if (got <= 0)
			break;
		used += (size_t)got;
	}
	r->out[used] = '\0';
	close(pfd[0]);
	if (r->pid < 0)
		return;
	if (now_ms() >= deadline) {
		fprintf(stderr, "\n    xengt-script still running after %d ms: killed\n", timeout_ms);
		kill(r->pid, SIGKILL);
		waitpid(r->pid, &st, 0);
		return;
	}
	if (waitpid(r->pid, &st, 0) == r->pid && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

bool
script_has_line(const struct script_run *r, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = r->out; p && (p = strstr(p, line)); p++)
		if ((p == r->out || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

void
script_dump_on_failure(const struct script_run *r, int want)
{
	if (r->status != want)
		fprintf(stderr, "\n--- xengt-script exit %d (want %d), output:\n%s---\n",
			r->status, want, r->out ? r->out : "");
}

void
script_run_free(struct script_run *r)
{
	free(r->out);
	r->out = NULL;
}
