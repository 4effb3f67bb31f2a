/* SPDX-License-Identifier: MIT */
/*
 * expr.h — numbers and tiny expressions for the tools: hex/decimal
 * numbers, $NAME variables, + - * / evaluated strictly left to right,
 * with overflow and division by zero refused. Pure functions, no I/O.
 */
#ifndef TOOLS_COMMON_EXPR_H
#define TOOLS_COMMON_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXPR_NAME_MAX 32
#define EXPR_MAX_VARS 64

/* A small name -> value table ($bar0, $lowbase, ...). */
struct expr_vars {
	unsigned int n;
	struct {
		char name[EXPR_NAME_MAX];
		uint64_t val;
	} v[EXPR_MAX_VARS];
};

/* True if s is a valid variable name: [A-Za-z_][A-Za-z0-9_]*, < EXPR_NAME_MAX. */
bool expr_name_ok(const char *s);

/* Set (or replace) a variable. 0, -EINVAL bad name, -ENOSPC table full. */
int expr_var_set(struct expr_vars *vars, const char *name, uint64_t val);
/* Look a variable up. 0 or -ENOENT. */
int expr_var_get(const struct expr_vars *vars, const char *name, uint64_t *val);

/*
 * Parse one unsigned number: 0x-prefixed hex or decimal, the whole string.
 * 0, -EINVAL (not a number, empty, trailing junk) or -ERANGE (> 64 bits).
 */
int expr_parse_number(const char *s, uint64_t *out);

/*
 * Evaluate s = TERM { (+|-|*|/) TERM }, TERM = NUMBER | $NAME, left to right
 * (no precedence: "1+2*3" is 9). vars may be NULL. Returns 0, -EINVAL
 * (syntax), -ENOENT (unknown variable), -ERANGE (overflow or a negative
 * result), -EDOM (division by zero). err, if not NULL, gets a message
 * naming the offending token.
 */
int expr_eval(const char *s, const struct expr_vars *vars, uint64_t *out,
	      char *err, size_t errlen);

/* Syntax check only (variables are not resolved). Same errors as expr_eval. */
int expr_check(const char *s, char *err, size_t errlen);

#endif
