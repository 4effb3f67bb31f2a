/* SPDX-License-Identifier: MIT */
/*
 * main.c — the one CUnit runner. Every tests/{unit,scenario}/test_<name>.c
 * defines `void suite_<name>(void)` that adds its suite; the Makefile lists
 * them in suites.h. Usage: run-tests [SUITE-SUBSTRING...]
 */
#include <CUnit/Basic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#define SUITE(n) void suite_##n(void);
#include "suites.h"
#undef SUITE

static const struct {
	const char *name;
	void (*add)(void);
} suites[] = {
#define SUITE(n) { #n, suite_##n },
#include "suites.h"
#undef SUITE
};

static int
wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]))
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int run, failed;

	/*
	 * `make test` sets XENGT_BUILD to a tree it has just built: the
	 * scenario suites would skip without the programs, and a green run
	 * that skipped them would hide a broken build.
	 */
	const char *build = getenv("XENGT_BUILD");
	if (build && *build) {
		static const char *const progs[] = { "xengt-dm-sim", "xengt-script", "xengt-ctl", "xensim" };
		char path[4096];

		for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", build, progs[i]);
			if (access(path, X_OK) != 0) {
				fprintf(stderr, "run-tests: XENGT_BUILD=%s has no %s\n", build, progs[i]);
				return 2;
			}
		}
	}
	/*
	 * A simulated vCPU waits for its answer for ever, as on Xen; in a test
	 * run a lost answer must fail the test (with the sim's message), not
	 * hang the run. Inherited by xengt-script and every forked vCPU.
	 */
	setenv("XENSIM_HARNESS_DEADLINE_MS", "30000", 0);
	/* A peer that closes a socket early must fail a test, not kill the runner. */
	signal(SIGPIPE, SIG_IGN);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (wanted(suites[i].name, argc, argv))
			suites[i].add();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	unsigned int skipped = test_skipped_count();
	CU_cleanup_registry();
	printf("\n%u passed, %u failed, %u skipped\n", run - failed - skipped, failed, skipped);
	return failed ? 1 : 0;
}
