/* SPDX-License-Identifier: MIT */
/*
 * guest_util.c — helpers of the guest-program suites (guest_util.h).
 */
#include <png.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/scenario/guest_util.h"
#include "tests/test_util.h"

bool
gtest_up(struct scn *s, const char *spec, struct gdev *g)
{
	if (!scn_start(s, (const char *[]){ spec }, 1))
		return false;
	scn_place_bars(s->c[0]);
	if (gdev_bringup(g, s->c[0], 0, SCN_DEV, 0, GUEST_RAM_LO, GUEST_RAM_HI)) {
		fprintf(stderr, "\n    bring-up: %s\n", g->err);
		CU_FAIL("gdev_bringup");
		scn_stop(s);
		return false;
	}
	return true;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
gtest_run(const char *tool, const char *const *args, char **out)
{
	const char *argv[32];
	char prog[512];
	size_t cap = 65536, used = 0;
	uint64_t deadline = now_ms() + 60000;
	unsigned int a = 0;
	int pfd[2], st = 0;
	pid_t pid;

	*out = calloc(1, cap);
	argv[a++] = test_build_path(tool, prog, sizeof(prog));
	while (*args && a < 31)
		argv[a++] = *args++;
	argv[a] = NULL;
	if (!*out || pipe(pfd))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(pfd[1]);
	while (pid > 0 && now_ms() < deadline) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		if (used + 4096 >= cap) {
			char *nb = realloc(*out, cap * 2);

			if (!nb)
				break;
			*out = nb;
			cap *= 2;
		}
		n = read(pfd[0], *out + used, cap - used - 1);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	(*out)[used] = '\0';
	close(pfd[0]);
	if (pid < 0)
		return -1;
	if (now_ms() >= deadline) {
		fprintf(stderr, "\n    %s still running after 60 s: killed\n", tool);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

bool
gtest_png_load(const char *path, unsigned int *w, unsigned int *h, uint8_t **rgb)
{
	png_image img;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	*rgb = NULL;
	if (!png_image_begin_read_from_file(&img, path))
		return false;
	/* Only what xengt-ctl writes: 8-bit RGB, no alpha, no palette. */
	if (img.format != PNG_FORMAT_RGB) {
		png_image_free(&img);
		return false;
	}
	*w = img.width;
	*h = img.height;
	*rgb = malloc(PNG_IMAGE_SIZE(img));
	if (!*rgb || !png_image_finish_read(&img, NULL, *rgb, 0, NULL)) {
		free(*rgb);
		*rgb = NULL;
		png_image_free(&img);
		return false;
	}
	return true;
}

bool
gtest_exec_supported(const struct scn *s, char *why, size_t len)
{
	char reply[1024];

	if (scn_ctl(s, "gpu", reply, sizeof(reply))) {
		snprintf(why, len, "no answer to `gpu`");
		return false;
	}
	if (scn_ctl_val(reply, "exec") == 1)
		return true;
	if (scn_ctl_val(reply, "pgpu_submit") != 1)
		snprintf(why, len, "the daemon reports no execution: the GPU backend has no submit "
			 "(gpu: pgpu_submit=0)");
	else
		snprintf(why, len, "the daemon reports no execution: ELSP writes are not emulated "
			 "(gpu: elsp=0)");
	return false;
}
