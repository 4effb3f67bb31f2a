/* SPDX-License-Identifier: MIT */
/*
 * test_util.c — shared test helpers (see test_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/xensim.h"
#include "test_util.h"

static unsigned int nskipped;

void
test_add_suite(const char *name, const struct test_case *cases)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (!s) {
		fprintf(stderr, "cannot add suite %s\n", name);
		abort();
	}
	for (; cases->name; cases++)
		if (!CU_add_test(s, cases->name, cases->fn)) {
			fprintf(stderr, "cannot add test %s\n", cases->name);
			abort();
		}
}

void
test_skip(const char *why)
{
	nskipped++;
	printf("\n    SKIPPED: %s ", why);
	fflush(stdout);
}

unsigned int
test_skipped_count(void)
{
	return nskipped;
}

const char *
test_build_path(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("XENGT_BUILD");

	snprintf(buf, len, "%s/%s", dir && *dir ? dir : "build", name);
	return buf;
}

const char *
test_machine_new(char *buf, size_t len)
{
	static unsigned int n;

	snprintf(buf, len, "t%d-%u", (int)getpid(), n++);
	xensim_machine_destroy(buf);
	if (xensim_machine_create(buf) < 0) {
		fprintf(stderr, "cannot create machine %s\n", buf);
		abort();
	}
	return buf;
}

int
test_domain_new(char *buf, size_t len, unsigned int vcpus)
{
	int domid;

	test_machine_new(buf, len);
	setenv("XENSIM_MACHINE", buf, 1);
	domid = xensim_domain_create(buf, 64, vcpus);
	CU_ASSERT_FATAL(domid > 0);
	return domid;
}

void
test_machine_done(const char *machine)
{
	xensim_machine_destroy(machine);
}
