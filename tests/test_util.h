/* SPDX-License-Identifier: MIT */
/*
 * test_util.h — helpers every suite shares: adding suites from a table,
 * skipping with a reason, a private xensim machine per test, and starting
 * the sim daemon in its own process.
 */
#ifndef TESTS_TEST_UTIL_H
#define TESTS_TEST_UTIL_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

/* Add a suite with its tests (NULL-terminated table); aborts on CUnit failure. */
void test_add_suite(const char *name, const struct test_case *cases);

/* Mark the running test skipped, printing why (counts in the closing line). */
void test_skip(const char *why);
unsigned int test_skipped_count(void);

/* Path of a built program ($XENGT_BUILD/NAME, default build/NAME). */
const char *test_build_path(const char *name, char *buf, size_t len);

/* A fresh private machine name for one test ("t<pid>-<n>"); created. */
const char *test_machine_new(char *buf, size_t len);
/*
 * A fresh machine (name in buf, also $XENSIM_MACHINE for the libxen*
 * calls of this process) with one 64 MiB domain of vcpus vCPUs: its domid.
 */
int test_domain_new(char *buf, size_t len, unsigned int vcpus);
/* errno of a call that must fail with -1 (or NULL). */
#define EXPECT_ERR(call, e)                         \
	do {                                        \
		errno = 0;                          \
		CU_ASSERT_EQUAL((call), -1);        \
		CU_ASSERT_EQUAL(errno, (e));        \
	} while (0)
/* Destroy it (and kill any daemon left). */
void test_machine_done(const char *machine);

#endif
