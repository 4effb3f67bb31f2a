/* SPDX-License-Identifier: MIT */
/*
 * script.c — the statement table of the guest-script language and the
 * line parser. Execution lives in tools/script/run.c; expressions in expr.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"
#include "expr.h"

/* Argument kinds, one letter per argument: E expression, N name, S size. */
struct stmt_desc {
	const char *name;
	enum script_op op;
	unsigned int size;	/* access size for sized keywords, else 0 */
	unsigned int min_args, max_args;
	const char *kinds;
	unsigned int size_mask;	/* allowed S values, bit n = size n */
};

#define SZ(n) (1u << (n))

static const struct stmt_desc stmt_table[] = {
	{ "readb", SOP_READ, 1, 1, 1, "E" },
	{ "readw", SOP_READ, 2, 1, 1, "E" },
	{ "readl", SOP_READ, 4, 1, 1, "E" },
	{ "readq", SOP_READ, 8, 1, 1, "E" },
	{ "writeb", SOP_WRITE, 1, 2, 2, "EE" },
	{ "writew", SOP_WRITE, 2, 2, 2, "EE" },
	{ "writel", SOP_WRITE, 4, 2, 2, "EE" },
	{ "writeq", SOP_WRITE, 8, 2, 2, "EE" },
	{ "inb", SOP_IN, 1, 1, 1, "E" },
	{ "inw", SOP_IN, 2, 1, 1, "E" },
	{ "inl", SOP_IN, 4, 1, 1, "E" },
	{ "outb", SOP_OUT, 1, 2, 2, "EE" },
	{ "outw", SOP_OUT, 2, 2, 2, "EE" },
	{ "outl", SOP_OUT, 4, 2, 2, "EE" },
	{ "cfgr", SOP_CFGR, 0, 2, 2, "ES", SZ(1) | SZ(2) | SZ(4) },
	{ "cfgw", SOP_CFGW, 0, 3, 3, "ESE", SZ(1) | SZ(2) | SZ(4) },
	{ "memr", SOP_MEMR, 0, 2, 2, "ES", SZ(1) | SZ(2) | SZ(4) | SZ(8) },
	{ "memw", SOP_MEMW, 0, 3, 3, "ESE", SZ(1) | SZ(2) | SZ(4) | SZ(8) },
	{ "expect", SOP_EXPECT, 0, 1, 2, "EE" },
	{ "wait-msi", SOP_WAIT_MSI, 0, 0, 1, "E" },
	{ "set", SOP_SET, 0, 1, 2, "NE" },
	{ "echo", SOP_ECHO, 0, 0, 0, "" },
	{ "mark", SOP_MARK, 0, 0, 0, "" },
	{ "traps", SOP_TRAPS, 0, 0, 0, "" },
	{ "direct", SOP_DIRECT, 0, 0, 0, "" },
	{ "memfill", SOP_MEMFILL, 0, 4, 5, "EESEE", SZ(1) | SZ(2) | SZ(4) | SZ(8) },
	{ "writefill", SOP_WRITEFILL, 0, 4, 5, "EESEE", SZ(1) | SZ(2) | SZ(4) | SZ(8) },
	{ "gmr", SOP_GMR, 0, 2, 2, "ES", SZ(1) | SZ(2) | SZ(4) | SZ(8) },
	{ "gmw", SOP_GMW, 0, 3, 3, "ESE", SZ(1) | SZ(2) | SZ(4) | SZ(8) },
	{ "wait-mem", SOP_WAIT_MEM, 0, 3, 5, "ESEEE", SZ(1) | SZ(2) | SZ(4) | SZ(8) },
	{ "wait-readl", SOP_WAIT_READL, 0, 2, 4, "EEEE" },
};

static const struct stmt_desc *
stmt_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(stmt_table) / sizeof(stmt_table[0]); i++)
		if (!strcmp(stmt_table[i].name, name))
			return &stmt_table[i];
	return NULL;
}

/* Next whitespace-separated word of *p into buf; 0 at end, -E2BIG too long. */
static int
next_word(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t n = 0;

	while (*s && isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '#') {
		*p = s;
		return 0;
	}
	while (s[n] && !isspace((unsigned char)s[n]))
		n++;
	if (n >= len) {
		snprintf(buf, len, "%.*s", (int)(len - 4 > 40 ? 40 : len - 4), s);
		*p = s + n;
		return -E2BIG;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	*p = s + n;
	return 1;
}

static int
check_arg(const struct stmt_desc *d, unsigned int i, const char *arg,
	  unsigned int lineno, char *err, size_t errlen)
{
	char why[160];
	uint64_t v;
	int rc;

	switch (d->kinds[i]) {
	case 'N':
		if (!expr_name_ok(arg)) {
			snprintf(err, errlen, "line %u: bad name '%s'", lineno, arg);
			return -EINVAL;
		}
		return 0;
	case 'S':
		/* A literal size is checked now, an expression at run time. */
		if (expr_parse_number(arg, &v) == 0) {
			if (v > 8 || !(d->size_mask & SZ(v))) {
				snprintf(err, errlen, "line %u: bad size '%s' for %s",
					 lineno, arg, d->name);
				return -EINVAL;
			}
			return 0;
		}
		/* fall through */
	default:
		rc = expr_check(arg, why, sizeof(why));
		if (rc) {
			snprintf(err, errlen, "line %u: %s", lineno, why);
			return -EINVAL;
		}
		return 0;
	}
}

int
script_parse_line(const char *line, unsigned int lineno,
		  struct script_stmt *st, char *err, size_t errlen)
{
	const struct stmt_desc *d;
	char word[SCRIPT_ARG_MAX];
	const char *p = line;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = next_word(&p, word, sizeof(word));
	if (rc == 0)
		return 0;
	if (rc < 0) {
		snprintf(err, errlen, "line %u: unknown statement '%s'", lineno, word);
		return -EINVAL;
	}
	d = stmt_lookup(word);
	if (!d) {
		snprintf(err, errlen, "line %u: unknown statement '%s'", lineno, word);
		return -EINVAL;
	}
	st->op = d->op;
	st->name = d->name;
	st->size = d->size;
	st->line = lineno;
	if (d->op == SOP_ECHO) {
		while (*p && isspace((unsigned char)*p))
			p++;
		snprintf(st->text, sizeof(st->text), "%s", p);
		/* Trailing whitespace (and a \r from CRLF files) is dropped. */
		for (size_t n = strlen(st->text);
		     n && isspace((unsigned char)st->text[n - 1]); n--)
			st->text[n - 1] = '\0';
		return 1;
	}
	for (;;) {
		rc = next_word(&p, word, sizeof(word));
		if (rc == 0)
			break;
		if (rc < 0) {
			snprintf(err, errlen, "line %u: argument too long '%s'",
				 lineno, word);
			return -EINVAL;
		}
		if (st->nargs >= d->max_args) {
			snprintf(err, errlen, "line %u: too many arguments for %s at '%s'",
				 lineno, d->name, word);
			return -EINVAL;
		}
		rc = check_arg(d, st->nargs, word, lineno, err, errlen);
		if (rc)
			return rc;
		memcpy(st->args[st->nargs++], word, strlen(word) + 1);
	}
	if (st->nargs < d->min_args) {
		snprintf(err, errlen, "line %u: %s needs %u argument%s, got %u",
			 lineno, d->name, d->min_args, d->min_args > 1 ? "s" : "",
			 st->nargs);
		return -EINVAL;
	}
	return 1;
}

int
script_parse_text(const char *text, struct script *s, char *err, size_t errlen)
{
	unsigned int lineno = 0;
	const char *p = text;

	memset(s, 0, sizeof(*s));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct script_stmt st, *ns;
		char *line = strndup(p, len);
		int rc;

		if (!line) {
			script_free(s);
			return -ENOMEM;
		}
		lineno++;
		rc = script_parse_line(line, lineno, &st, err, errlen);
		free(line);
		if (rc < 0) {
			script_free(s);
			return rc;
		}
		if (rc > 0) {
			ns = realloc(s->stmts, (s->n + 1) * sizeof(*ns));
			if (!ns) {
				script_free(s);
				return -ENOMEM;
			}
			s->stmts = ns;
			s->stmts[s->n++] = st;
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

int
script_load(const char *path, struct script *s, char *err, size_t errlen)
{
	char *text = NULL;
	size_t cap = 0, len = 0;
	FILE *f = fopen(path, "r");
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nt = realloc(text, cap + 65536);

			if (!nt) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = nt;
			cap += 65536;
		}
		size_t n = fread(text + len, 1, 4096, f);

		len += n;
		if (n < 4096)
			break;
	}
	fclose(f);
	text[len] = '\0';
	if (strlen(text) != len) {
		snprintf(err, errlen, "%s: NUL byte in script", path);
		free(text);
		return -EINVAL;
	}
	rc = script_parse_text(text, s, err, errlen);
	free(text);
	return rc;
}

void
script_free(struct script *s)
{
	free(s->stmts);
	s->stmts = NULL;
	s->n = 0;
}
