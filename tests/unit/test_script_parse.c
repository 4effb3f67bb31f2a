/* SPDX-License-Identifier: MIT */
/*
 * test_script_parse.c — the pure parts of the tools: numbers and the
 * left-to-right expression evaluator (tools/common/expr.c), the script
 * statement parser (tools/common/script.c), the vGPU spec SBDF picker,
 * key=value lookup and trap-map row parsing/printing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/test_util.h"
#include "tools/common/ctl_client.h"
#include "tools/common/expr.h"
#include "tools/common/spec.h"
#include "tools/common/trap_fmt.h"
#include "tools/common/script.h"

static void
test_numbers(void)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "42", 0, 42 },
		{ "0x10", 0, 16 },
		{ "0XfF", 0, 255 },
		{ "0xffffffffffffffff", 0, ~0ull },
		{ "18446744073709551615", 0, ~0ull },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "12a", -EINVAL, 0 },
		{ "0xzz", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0xdead;
		int rc = expr_parse_number(cases[i].s, &v);

		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc != cases[i].rc)
			fprintf(stderr, "number '%s': rc %d\n", cases[i].s, rc);
		/* On error *out stays untouched. */
		CU_ASSERT_EQUAL(v, cases[i].rc ? 0xdead : cases[i].v);
	}
}

static void
test_expr_left_to_right(void)
{
	struct expr_vars vars = { 0 };
	char err[128];
	uint64_t v;

	CU_ASSERT_EQUAL(expr_var_set(&vars, "bar2", 0x80000000), 0);
	CU_ASSERT_EQUAL(expr_var_set(&vars, "lowbase", 0x8000000), 0);
	CU_ASSERT_EQUAL(expr_eval("$bar2+$lowbase+0x1000", &vars, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 0x88001000);
	/* No precedence: ((1+2)*3). */
	CU_ASSERT_EQUAL(expr_eval("1+2*3", &vars, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 9);
	CU_ASSERT_EQUAL(expr_eval("10-3-2", &vars, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 5);
	CU_ASSERT_EQUAL(expr_eval("7/2*2", &vars, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 6);
	CU_ASSERT_EQUAL(expr_eval("$lowbase/0x1000", &vars, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 0x8000);
	CU_ASSERT_EQUAL(expr_eval("12", NULL, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 12);
	/* Replacing a variable keeps one slot. */
	CU_ASSERT_EQUAL(expr_var_set(&vars, "bar2", 1), 0);
	CU_ASSERT_EQUAL(vars.n, 2);
	CU_ASSERT_EQUAL(expr_eval("$bar2", &vars, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 1);
}

static void
test_expr_errors(void)
{
	struct expr_vars vars = { 0 };
	char err[128];
	uint64_t v = 77;

	expr_var_set(&vars, "zero", 0);
	CU_ASSERT_EQUAL(expr_eval("1/0", &vars, &v, err, sizeof(err)), -EDOM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "division by zero"));
	CU_ASSERT_EQUAL(expr_eval("5/$zero", &vars, &v, err, sizeof(err)), -EDOM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'$zero'"));
	CU_ASSERT_EQUAL(expr_eval("0xffffffffffffffff+1", &vars, &v, err, sizeof(err)), -ERANGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "overflow"));
	CU_ASSERT_EQUAL(expr_eval("0x100000000*0x100000000", &vars, &v, err, sizeof(err)), -ERANGE);
	CU_ASSERT_EQUAL(expr_eval("1-2", &vars, &v, err, sizeof(err)), -ERANGE);
	CU_ASSERT_EQUAL(expr_eval("$nope+1", &vars, &v, err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'$nope'"));
	CU_ASSERT_EQUAL(expr_eval("1++2", &vars, &v, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(expr_eval("+1", &vars, &v, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(expr_eval("1+", &vars, &v, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(expr_eval("", &vars, &v, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(expr_eval("$", &vars, &v, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(expr_eval("$9a", &vars, &v, err, sizeof(err)), -EINVAL);
	CU_ASSERT_EQUAL(expr_eval("0x10+0xg", &vars, &v, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "'0xg'"));
	CU_ASSERT_EQUAL(expr_eval("1+99999999999999999999", &vars, &v, err, sizeof(err)), -ERANGE);
	CU_ASSERT_EQUAL(v, 77); /* never written on error */
	/* Syntax-only check: variables unresolved, literal /0 caught. */
	CU_ASSERT_EQUAL(expr_check("$a/$b+1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(expr_check("$a/0", err, sizeof(err)), -EDOM);
	CU_ASSERT_EQUAL(expr_check("$a+", err, sizeof(err)), -EINVAL);
}

static void
test_vars_limits(void)
{
	struct expr_vars vars = { 0 };
	char name[16];

	CU_ASSERT_EQUAL(expr_var_set(&vars, "9x", 1), -EINVAL);
	CU_ASSERT_EQUAL(expr_var_set(&vars, "a-b", 1), -EINVAL);
	CU_ASSERT_EQUAL(expr_var_set(&vars,
				     "a_name_that_is_far_too_long_for_the_table", 1), -EINVAL);
	for (int i = 0; i < EXPR_MAX_VARS; i++) {
		snprintf(name, sizeof(name), "v%d", i);
		CU_ASSERT_EQUAL(expr_var_set(&vars, name, (uint64_t)i), 0);
	}
	CU_ASSERT_EQUAL(expr_var_set(&vars, "one_more", 1), -ENOSPC);
	CU_ASSERT_EQUAL(expr_var_set(&vars, "v3", 33), 0); /* replace still works */
	uint64_t v;

	CU_ASSERT_EQUAL(expr_var_get(&vars, "v3", &v), 0);
	CU_ASSERT_EQUAL(v, 33);
}

static void
test_parse_statements(void)
{
	struct script_stmt st;
	char err[256];

	CU_ASSERT_EQUAL(script_parse_line("readl $bar0+0x78000", 1, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_READ);
	CU_ASSERT_EQUAL(st.size, 4);
	CU_ASSERT_EQUAL(st.nargs, 1);
	CU_ASSERT_STRING_EQUAL(st.args[0], "$bar0+0x78000");
	CU_ASSERT_EQUAL(script_parse_line("  writeq 0x1000 0x5 # trailing", 2, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_WRITE);
	CU_ASSERT_EQUAL(st.size, 8);
	CU_ASSERT_EQUAL(st.nargs, 2);
	CU_ASSERT_EQUAL(st.line, 2);
	CU_ASSERT_EQUAL(script_parse_line("", 3, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(script_parse_line("   # a comment", 3, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(script_parse_line("\t\r", 3, &st, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(script_parse_line("outw 0xc004 0x10", 4, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_OUT);
	CU_ASSERT_EQUAL(st.size, 2);
	CU_ASSERT_EQUAL(script_parse_line("cfgw 0x4 2 0x7", 5, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_CFGW);
	CU_ASSERT_EQUAL(script_parse_line("cfgr 0x0 $sz", 5, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(script_parse_line("expect 0x8086 0xffff", 6, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_EXPECT);
	CU_ASSERT_EQUAL(st.nargs, 2);
	CU_ASSERT_EQUAL(script_parse_line("wait-msi", 7, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_WAIT_MSI);
	CU_ASSERT_EQUAL(st.nargs, 0);
	CU_ASSERT_EQUAL(script_parse_line("set lowbase", 8, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_SET);
	CU_ASSERT_STRING_EQUAL(st.args[0], "lowbase");
	CU_ASSERT_EQUAL(st.nargs, 1);
	CU_ASSERT_EQUAL(script_parse_line("set idx $lowbase/0x200", 8, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.nargs, 2);
	CU_ASSERT_STRING_EQUAL(st.args[1], "$lowbase/0x200");
	CU_ASSERT_EQUAL(script_parse_line("echo == the # heading ==  ", 9, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_ECHO);
	CU_ASSERT_STRING_EQUAL(st.text, "== the # heading ==");
	CU_ASSERT_EQUAL(script_parse_line("memw 0x2000 8 0x1234", 10, &st, err, sizeof(err)), 1);
	CU_ASSERT_EQUAL(st.op, SOP_MEMW);
}

static void
check_error(const char *line, unsigned int lineno, const char *want)
{
	struct script_stmt st;
	char err[256] = "";

	CU_ASSERT_EQUAL(script_parse_line(line, lineno, &st, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	if (!strstr(err, want))
		fprintf(stderr, "'%s': got '%s', want '%s'\n", line, err, want);
}

static void
test_parse_errors(void)
{
	check_error("frob 0x10", 3, "line 3: unknown statement 'frob'");
	check_error("READL 0x10", 4, "unknown statement 'READL'");
	check_error("readl 0xzz", 5, "line 5: bad number '0xzz'");
	check_error("readl 0x10000000000000000", 6, "number too large");
	check_error("writel 0x10", 7, "line 7: writel needs 2 arguments, got 1");
	check_error("readl 1 2", 8, "too many arguments for readl at '2'");
	check_error("cfgr 0 3", 9, "bad size '3' for cfgr");
	check_error("memr 0 16", 9, "bad size '16'");
	check_error("set 9lives", 10, "bad name '9lives'");
	check_error("readl 4/0", 11, "division by zero");
	check_error("readl $bar0+", 12, "missing operand");
	check_error("expect", 13, "expect needs 1 argument");
	check_error("mark 1", 14, "too many arguments");
}

/* The statements a hand-written submission uses: argument counts and sizes. */
static void
test_parse_submission_statements(void)
{
	static const struct {
		const char *line;
		enum script_op op;
		unsigned int nargs;
	} ok[] = {
		{ "memfill 0x1000000 16 4 0xffffffff", SOP_MEMFILL, 4 },
		{ "memfill 0x1000000 16 8 0 0x1000", SOP_MEMFILL, 5 },
		{ "writefill $bar0+0x800000 4 8 0x1000001 0x1000", SOP_WRITEFILL, 5 },
		{ "gmr $hws+0x7c 4", SOP_GMR, 2 },
		{ "gmw 0x48000000 8 0x5", SOP_GMW, 3 },
		{ "wait-mem 0x100007c 4 1", SOP_WAIT_MEM, 3 },
		{ "wait-mem 0x100007c 4 1 0x7 5000", SOP_WAIT_MEM, 5 },
		{ "wait-readl $bar0+0x220d0 2 2 100", SOP_WAIT_READL, 4 },
	};
	struct script_stmt st;
	char err[256];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc = script_parse_line(ok[i].line, 1, &st, err, sizeof(err));

		if (rc != 1)
			fprintf(stderr, "'%s': %s\n", ok[i].line, err);
		CU_ASSERT_EQUAL(rc, 1);
		CU_ASSERT_EQUAL(st.op, ok[i].op);
		CU_ASSERT_EQUAL(st.nargs, ok[i].nargs);
	}
	check_error("memfill 0 16 3 0", 2, "bad size '3' for memfill");
	check_error("memfill 0 16 4", 3, "memfill needs 4 arguments, got 3");
	check_error("memfill 0 1 4 0 1 2", 4, "too many arguments for memfill at '2'");
	check_error("gmr 0x1000 16", 5, "bad size '16' for gmr");
	check_error("wait-mem 0 4", 6, "wait-mem needs 3 arguments");
	check_error("wait-readl 0 1 2 3 4", 7, "too many arguments for wait-readl at '4'");
	check_error("writefill 0 1 2", 8, "writefill needs 4 arguments");
}

static void
test_parse_text(void)
{
	struct script s;
	char err[256] = "";

	CU_ASSERT_EQUAL(script_parse_text("# head\nreadl 0x10\n\nexpect 1\n", &s, err,
					  sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	if (s.n == 2) {
		CU_ASSERT_EQUAL(s.stmts[0].line, 2);
		CU_ASSERT_EQUAL(s.stmts[1].line, 4);
	}
	script_free(&s);
	/* CRLF files parse the same. */
	CU_ASSERT_EQUAL(script_parse_text("readl 0x10\r\nexpect 1\r\n", &s, err,
					  sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.n, 2);
	script_free(&s);
	CU_ASSERT_EQUAL(script_parse_text("readl 0x10\nexpect 1\nbogus\n", &s, err,
					  sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 3: unknown statement 'bogus'"));
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_PTR_NULL(s.stmts);
	CU_ASSERT_EQUAL(script_load("/nonexistent/x.xs", &s, err, sizeof(err)), -ENOENT);
}

static void
test_expect_mask(void)
{
	CU_ASSERT_TRUE(script_expect_ok(0x19128086, 0x8086, 0xffff));
	CU_ASSERT_FALSE(script_expect_ok(0x19128086, 0x8086, ~0ull));
	CU_ASSERT_TRUE(script_expect_ok(5, 5, ~0ull));
	CU_ASSERT_TRUE(script_expect_ok(0xff, 0, 0));
}

static void
test_spec_sbdf(void)
{
	struct spec_sbdf b;

	CU_ASSERT_EQUAL(spec_sbdf("type=GVTg_V5_4", &b), 0);
	CU_ASSERT_EQUAL(b.bus, 0);
	CU_ASSERT_EQUAL(b.dev, 2);
	CU_ASSERT_EQUAL(b.fn, 0);
	CU_ASSERT_EQUAL(spec_sbdf("type=GVTg_V5_8,sbdf=00:03.0,unknown=strict", &b), 0);
	CU_ASSERT_EQUAL(b.dev, 3);
	CU_ASSERT_EQUAL(spec_sbdf("sbdf=0001:0a:1f.7", &b), 0);
	CU_ASSERT_EQUAL(b.seg, 1);
	CU_ASSERT_EQUAL(b.bus, 0xa);
	CU_ASSERT_EQUAL(b.dev, 0x1f);
	CU_ASSERT_EQUAL(b.fn, 7);
	CU_ASSERT_EQUAL(spec_sbdf("sbdf=00:20.0", &b), -EINVAL);
	CU_ASSERT_EQUAL(spec_sbdf("sbdf=00:02.8", &b), -EINVAL);
	CU_ASSERT_EQUAL(spec_sbdf("sbdf=zz", &b), -EINVAL);
	CU_ASSERT_EQUAL(spec_sbdf("sbdf=", &b), -EINVAL);
	CU_ASSERT_EQUAL(spec_sbdf("sbdf=00:02.0x", &b), -EINVAL);
	CU_ASSERT_EQUAL(spec_sbdf("", &b), 0);
}

static void
test_kv_and_trap_rows(void)
{
	const char *line = "mech=direct start=0x80000000 end=0x87ffffff what=aperture traps=0";
	struct trap_row r;
	char buf[16];
	uint64_t v;

	CU_ASSERT_EQUAL(ctl_kv_get(line, "what", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "aperture");
	CU_ASSERT_EQUAL(ctl_kv_get(line, "wha", buf, sizeof(buf)), -ENOENT);
	CU_ASSERT_EQUAL(ctl_kv_get(line, "start", buf, 4), -E2BIG);
	CU_ASSERT_EQUAL(ctl_kv_u64(line, "end", &v), 0);
	CU_ASSERT_EQUAL(v, 0x87ffffff);
	CU_ASSERT_EQUAL(ctl_kv_u64("traps=12", "traps", &v), 0);
	CU_ASSERT_EQUAL(v, 12);

	CU_ASSERT_EQUAL(trap_row_parse(line, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.mech, "direct");
	CU_ASSERT_EQUAL(r.start, 0x80000000);
	CU_ASSERT_EQUAL(r.end, 0x87ffffff);
	CU_ASSERT_EQUAL(trap_row_parse("start=0x1 end=0x2", &r), -EINVAL);
	CU_ASSERT_EQUAL(trap_row_parse("mech=p2m-wp start=0x1000 end=zz", &r), -EINVAL);
	CU_ASSERT_STRING_EQUAL(trap_mech_label("p2m-wp"), "p2m write-protect");
	CU_ASSERT_STRING_EQUAL(trap_mech_label("other"), "other");
}

static void
test_trap_map_print(void)
{
	struct trap_row rows[2];
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	CU_ASSERT_EQUAL(trap_row_parse("mech=ioreq-mmio start=0xc0000000 end=0xc07fffff "
				       "what=BAR0_regs traps=17", &rows[0]), 0);
	CU_ASSERT_EQUAL(trap_row_parse("mech=direct start=0x80000000 end=0x87ffffff "
				       "what=aperture traps=0", &rows[1]), 0);
	rows[1].have_sim = true;
	rows[1].sim_reads = 3;
	rows[1].sim_writes = 2;
	f = open_memstream(&out, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	trap_map_print(f, "> ", 5, rows, 2);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "> trap map of domain 5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "SIM DIRECT ACCESSES"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "ioreq MMIO range"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "17"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "never seen by the device model"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "5 (3r 2w)"));
	free(out);
	/* JSON: a hostile "what" is escaped, sim counters included. */
	snprintf(rows[0].what, sizeof(rows[0].what), "a\"b\\c");
	out = NULL;
	f = open_memstream(&out, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	trap_map_print_json(f, 5, rows, 2);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"what\": \"a\\\"b\\\\c\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"start\": 3221225472"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"sim_direct_reads\": 3, \"sim_direct_writes\": 2"));
	free(out);
}

static const struct test_case script_parse_cases[] = {
	{ "numbers", test_numbers },
	{ "expr_left_to_right", test_expr_left_to_right },
	{ "expr_errors", test_expr_errors },
	{ "vars_limits", test_vars_limits },
	{ "parse_statements", test_parse_statements },
	{ "parse_errors", test_parse_errors },
	{ "parse_submission_statements", test_parse_submission_statements },
	{ "parse_text", test_parse_text },
	{ "expect_mask", test_expect_mask },
	{ "spec_sbdf", test_spec_sbdf },
	{ "kv_and_trap_rows", test_kv_and_trap_rows },
	{ "trap_map_print", test_trap_map_print },
	{ NULL, NULL },
};

void suite_script_parse(void);

void
suite_script_parse(void)
{
	test_add_suite("script_parse", script_parse_cases);
}
