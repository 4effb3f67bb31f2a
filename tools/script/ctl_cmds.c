/* SPDX-License-Identifier: MIT */
/*
 * ctl_cmds.c — xengt-script --ctl: run the administrator's client
 * (xengt-ctl, found like xengt-dm-sim) against the live daemon, one child
 * per command and domain, so the output is exactly what an administrator
 * would see.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl_cmds.h"
#include "daemon.h"

#define CTL_DOMID_WORD "DOMID"

/* Split cmd into words (spaces/tabs) in buf; argv gets pointers. Returns the count or -E2BIG. */
static int
ctl_cmd_split(const char *cmd, char *buf, size_t len, char **argv, int max)
{
	char *save = NULL, *w;
	int n = 0;

	snprintf(buf, len, "%s", cmd);
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -E2BIG;
		argv[n++] = w;
	}
	return n;
}

int
ctl_cmd_check(const char *cmd)
{
	char buf[1024], *argv[CTL_CMD_WORDS];
	int n;

	if (strlen(cmd) >= sizeof(buf)) {
		fprintf(stderr, "xengt-script: --ctl: command too long\n");
		return -EINVAL;
	}
	n = ctl_cmd_split(cmd, buf, sizeof(buf), argv, CTL_CMD_WORDS);
	if (n <= 0) {
		fprintf(stderr, "xengt-script: --ctl '%s': %s\n", cmd,
			n ? "too many words" : "empty command");
		return -EINVAL;
	}
	return 0;
}

static bool
ctl_cmd_per_domain(char **words, int n)
{
	for (int i = 0; i < n; i++)
		if (strstr(words[i], CTL_DOMID_WORD))
			return true;
	return false;
}

/* word with every DOMID in it replaced by domstr, into buf. */
static const char *
ctl_word_subst(const char *word, const char *domstr, char *buf, size_t len)
{
	size_t used = 0;
	const char *p;

	while ((p = strstr(word, CTL_DOMID_WORD)) && used < len) {
		used += (size_t)snprintf(buf + used, len - used, "%.*s%s", (int)(p - word), word,
					 domstr);
		word = p + strlen(CTL_DOMID_WORD);
	}
	if (used < len)
		snprintf(buf + used, len - used, "%s", word);
	return buf;
}

/* One xengt-ctl child; domstr replaces DOMID in words (NULL: none). 0 if it exited 0. */
static int
ctl_cmd_exec(const char *prog, const char *sock, char **words, int n, const char *domstr)
{
	static char subst[CTL_CMD_WORDS][1024];
	const char *argv[CTL_CMD_WORDS + 4];
	int a = 0, st;
	pid_t pid;

	argv[a++] = prog;
	argv[a++] = "-s";
	argv[a++] = sock;
	printf("\n$ xengt-ctl");
	for (int i = 0; i < n; i++) {
		argv[a] = domstr ? ctl_word_subst(words[i], domstr, subst[i], sizeof(subst[i])) :
			  words[i];
		printf(" %s", argv[a++]);
	}
	argv[a] = NULL;
	printf("\n");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("xengt-script: fork");
		return -1;
	}
	if (pid == 0) {
		execv(prog, (char *const *)(uintptr_t)argv);
		fprintf(stderr, "xengt-script: %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	fprintf(stderr, "xengt-script: xengt-ctl exited with status %d\n",
		WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return -1;
}

unsigned int
ctl_cmds_run(const char *sock, const char *const *cmds, unsigned int ncmds,
	     const uint32_t *domids, unsigned int ndom)
{
	char prog[PATH_MAX], buf[1024], *words[CTL_CMD_WORDS], domstr[16];
	unsigned int failed = 0;

	if (!ncmds)
		return 0;
	if (dm_tool_path("xengt-ctl", prog, sizeof(prog)) || access(prog, X_OK)) {
		fprintf(stderr, "xengt-script: --ctl: %s not found\n", prog);
		return ncmds;
	}
	for (unsigned int c = 0; c < ncmds; c++) {
		int n = ctl_cmd_split(cmds[c], buf, sizeof(buf), words, CTL_CMD_WORDS);

		if (n <= 0) {
			failed++;
			continue;
		}
		if (!ctl_cmd_per_domain(words, n)) {
			failed += ctl_cmd_exec(prog, sock, words, n, NULL) != 0;
			continue;
		}
		for (unsigned int d = 0; d < ndom; d++) {
			snprintf(domstr, sizeof(domstr), "%u", domids[d]);
			failed += ctl_cmd_exec(prog, sock, words, n, domstr) != 0;
		}
	}
	return failed;
}
