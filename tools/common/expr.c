/* SPDX-License-Identifier: MIT */
/*
 * expr.c — number parsing and the left-to-right expression evaluator used
 * by xengt-script and xengt-ctl. It owns no I/O; callers print errors.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "expr.h"

bool
expr_name_ok(const char *s)
{
	size_t i;

	if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return i < EXPR_NAME_MAX;
}

int
expr_var_set(struct expr_vars *vars, const char *name, uint64_t val)
{
	unsigned int i;

	if (!expr_name_ok(name))
		return -EINVAL;
	for (i = 0; i < vars->n; i++) {
		if (!strcmp(vars->v[i].name, name)) {
			vars->v[i].val = val;
			return 0;
		}
	}
	if (vars->n >= EXPR_MAX_VARS)
		return -ENOSPC;
	snprintf(vars->v[vars->n].name, sizeof(vars->v[0].name), "%s", name);
	vars->v[vars->n].val = val;
	vars->n++;
	return 0;
}

int
expr_var_get(const struct expr_vars *vars, const char *name, uint64_t *val)
{
	for (unsigned int i = 0; vars && i < vars->n; i++) {
		if (!strcmp(vars->v[i].name, name)) {
			*val = vars->v[i].val;
			return 0;
		}
	}
	return -ENOENT;
}

static int
digit_val(char c, unsigned int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)d < base ? d : -1;
}

/* Parse the number at s[0..len); 0, -EINVAL or -ERANGE. */
static int
parse_number_n(const char *s, size_t len, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= len)
		return -EINVAL;
	for (; i < len; i++) {
		int d = digit_val(s[i], base);

		if (d < 0)
			return -EINVAL;
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v))
			return -ERANGE;
	}
	*out = v;
	return 0;
}

int
expr_parse_number(const char *s, uint64_t *out)
{
	return parse_number_n(s, strlen(s), out);
}

static bool
is_op(char c)
{
	return c == '+' || c == '-' || c == '*' || c == '/';
}

/* Apply one operator; 0, -ERANGE or -EDOM. */
static int
apply(char op, uint64_t a, uint64_t b, uint64_t *out)
{
	switch (op) {
	case '+':
		return __builtin_add_overflow(a, b, out) ? -ERANGE : 0;
	case '-':
		return __builtin_sub_overflow(a, b, out) ? -ERANGE : 0;
	case '*':
		return __builtin_mul_overflow(a, b, out) ? -ERANGE : 0;
	default:
		if (b == 0)
			return -EDOM;
		*out = a / b;
		return 0;
	}
}

static void
seterr(char *err, size_t errlen, const char *fmt, const char *tok, size_t toklen)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, (int)toklen, tok);
}

/* The evaluator proper; vars NULL with resolve false = syntax check only. */
static int
eval(const char *s, const struct expr_vars *vars, bool resolve, uint64_t *out,
     char *err, size_t errlen)
{
	const char *p = s;
	uint64_t acc = 0;
	char op = 0;
	int rc;

	if (!*p) {
		seterr(err, errlen, "empty expression%.*s", "", 0);
		return -EINVAL;
	}
	for (;;) {
		const char *tok = p;
		uint64_t val = 0;
		size_t n;

		while (*p && !is_op(*p))
			p++;
		n = (size_t)(p - tok);
		if (n == 0) {
			seterr(err, errlen, "missing operand before '%.*s'",
			       *p ? p : "end", *p ? 1 : 3);
			return -EINVAL;
		}
		if (tok[0] == '$') {
			char name[EXPR_NAME_MAX];

			if (n - 1 >= sizeof(name)) {
				seterr(err, errlen, "bad variable name '%.*s'", tok, n);
				return -EINVAL;
			}
			memcpy(name, tok + 1, n - 1);
			name[n - 1] = '\0';
			if (!expr_name_ok(name)) {
				seterr(err, errlen, "bad variable name '%.*s'", tok, n);
				return -EINVAL;
			}
			if (resolve && expr_var_get(vars, name, &val) < 0) {
				seterr(err, errlen, "unknown variable '%.*s'", tok, n);
				return -ENOENT;
			}
		} else {
			rc = parse_number_n(tok, n, &val);
			if (rc == -ERANGE) {
				seterr(err, errlen, "number too large '%.*s'", tok, n);
				return rc;
			}
			if (rc < 0) {
				seterr(err, errlen, "bad number '%.*s'", tok, n);
				return rc;
			}
		}
		if (!op) {
			acc = val;
		} else if (resolve) {
			rc = apply(op, acc, val, &acc);
			if (rc == -EDOM) {
				seterr(err, errlen, "division by zero at '%.*s'", tok, n);
				return rc;
			}
			if (rc == -ERANGE) {
				seterr(err, errlen, "overflow at '%.*s'", tok, n);
				return rc;
			}
		} else if (op == '/' && tok[0] != '$' && val == 0) {
			seterr(err, errlen, "division by zero at '%.*s'", tok, n);
			return -EDOM;
		}
		if (!*p)
			break;
		op = *p++;
	}
	*out = acc;
	return 0;
}

int
expr_eval(const char *s, const struct expr_vars *vars, uint64_t *out,
	  char *err, size_t errlen)
{
	return eval(s, vars, true, out, err, errlen);
}

int
expr_check(const char *s, char *err, size_t errlen)
{
	uint64_t dummy;

	return eval(s, NULL, false, &dummy, err, errlen);
}
