/* SPDX-License-Identifier: MIT */
/*
 * util.c — what every xengt-ctl subcommand shares: asking the daemon,
 * argument checks, and the generic key=value reply printer (table/JSON).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "tools/common/expr.h"

#define MAX_COLS 32
#define COL_MAX 64

int
ctl_ask(struct ctl_ctx *c, const char *request, struct ctl_reply *r)
{
	int rc = ctl_call(c->sock, request, r);

	if (rc) {
		fprintf(stderr, "xengt-ctl: %s: %s\n", c->sock, strerror(-rc));
		return CTL_EXIT_CONN;
	}
	if (!r->ok) {
		fprintf(stderr, "xengt-ctl: %s\n", r->status);
		ctl_reply_free(r);
		return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}

int
ctl_parse_domid(const char *s, uint32_t *domid)
{
	uint64_t v;

	if (expr_parse_number(s, &v) || v > 0xffff) {
		fprintf(stderr, "xengt-ctl: bad domid '%s'\n", s);
		return -EINVAL;
	}
	*domid = (uint32_t)v;
	return 0;
}

int
ctl_domid_request(const char *arg, const char *verb, char *req, size_t len, uint32_t *domid)
{
	if (ctl_parse_domid(arg, domid))
		return CTL_EXIT_USAGE;
	snprintf(req, len, "%s %u", verb, *domid);
	return CTL_EXIT_OK;
}

int
ctl_ask_print(struct ctl_ctx *c, const char *request, bool rows)
{
	struct ctl_reply r;
	int rc = ctl_ask(c, request, &r);

	if (rc)
		return rc;
	ctl_print_reply(c, &r, rows);
	ctl_reply_free(&r);
	return CTL_EXIT_OK;
}

bool
ctl_argc_ok(int argc, int want, const char *name, const char *args)
{
	if (argc == want)
		return true;
	fprintf(stderr, "usage: xengt-ctl %s %s\n", name, args);
	return false;
}

/* Split a data line into up to MAX_COLS key/value words. */
static unsigned int
split_kv(const char *line, char keys[][COL_MAX], char vals[][COL_MAX])
{
	unsigned int n = 0;
	const char *p = line;

	while (*p && n < MAX_COLS) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		size_t vlen = eq ? len - klen - 1 : 0;

		if (len) {
			snprintf(keys[n], COL_MAX, "%.*s", (int)klen, p);
			snprintf(vals[n], COL_MAX, "%.*s", (int)vlen, eq ? eq + 1 : "");
			n++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return n;
}

static void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static bool
is_decimal(const char *s)
{
	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* One JSON member: the quoted key, then the value unquoted if a decimal number. */
static void
json_member(const char *key, const char *val)
{
	json_str(key);
	printf(": ");
	if (is_decimal(val))
		printf("%s", val);
	else
		json_str(val);
}

static void
print_json(const struct ctl_reply *r)
{
	char keys[MAX_COLS][COL_MAX], vals[MAX_COLS][COL_MAX];

	printf("[");
	for (size_t l = 0; l < r->nlines; l++) {
		unsigned int n = split_kv(r->lines[l], keys, vals);

		printf("%s\n  {", l ? "," : "");
		for (unsigned int i = 0; i < n; i++) {
			printf("%s", i ? ", " : "");
			json_member(keys[i], vals[i]);
		}
		printf("}");
	}
	printf("\n]\n");
}

static void
print_table(const struct ctl_reply *r)
{
	char keys[MAX_COLS][COL_MAX], vals[MAX_COLS][COL_MAX];
	unsigned int ncols, width[MAX_COLS];

	ncols = split_kv(r->lines[0], keys, vals);
	for (unsigned int i = 0; i < ncols; i++)
		width[i] = (unsigned int)strlen(keys[i]);
	for (size_t l = 0; l < r->nlines; l++) {
		char k2[MAX_COLS][COL_MAX], v2[MAX_COLS][COL_MAX];
		unsigned int n = split_kv(r->lines[l], k2, v2);

		for (unsigned int i = 0; i < n && i < ncols; i++)
			if (strlen(v2[i]) > width[i])
				width[i] = (unsigned int)strlen(v2[i]);
	}
	for (unsigned int i = 0; i < ncols; i++) {
		char up[COL_MAX];

		for (size_t j = 0; j <= strlen(keys[i]); j++)
			up[j] = (char)(keys[i][j] >= 'a' && keys[i][j] <= 'z' ?
				       keys[i][j] - 32 : keys[i][j]);
		if (i + 1 < ncols)
			printf("%-*s  ", (int)width[i], up);
		else
			printf("%s\n", up);
	}
	for (size_t l = 0; l < r->nlines; l++) {
		unsigned int n = split_kv(r->lines[l], keys, vals);

		for (unsigned int i = 0; i < n && i < ncols; i++) {
			if (i + 1 < n && i + 1 < ncols)
				printf("%-*s  ", (int)width[i], vals[i]);
			else
				printf("%s", vals[i]);
		}
		printf("\n");
	}
}

/* True when the reply is one record: one line, or one key=value per line. */
static bool
one_record(const struct ctl_reply *r)
{
	if (r->nlines <= 1)
		return true;
	for (size_t l = 0; l < r->nlines; l++)
		if (strchr(r->lines[l], ' '))
			return false;
	return true;
}

static void
print_record(struct ctl_ctx *c, const struct ctl_reply *r)
{
	char keys[MAX_COLS][COL_MAX], vals[MAX_COLS][COL_MAX];
	unsigned int w = 0;
	bool first = true;

	for (size_t l = 0; l < r->nlines; l++) {
		unsigned int n = split_kv(r->lines[l], keys, vals);

		for (unsigned int i = 0; i < n; i++)
			if (strlen(keys[i]) > w)
				w = (unsigned int)strlen(keys[i]);
	}
	if (c->json)
		printf("{");
	for (size_t l = 0; l < r->nlines; l++) {
		unsigned int n = split_kv(r->lines[l], keys, vals);

		for (unsigned int i = 0; i < n; i++) {
			if (!c->json) {
				printf("%s:%*s %s\n", keys[i],
				       (int)(w - strlen(keys[i])), "", vals[i]);
				continue;
			}
			printf("%s\n  ", first ? "" : ",");
			first = false;
			json_member(keys[i], vals[i]);
		}
	}
	if (c->json)
		printf("\n}\n");
}

void
ctl_print_reply(struct ctl_ctx *c, const struct ctl_reply *r, bool rows)
{
	if (!rows && one_record(r)) {
		print_record(c, r);
		return;
	}
	if (c->json)
		print_json(r);
	else if (r->nlines)
		print_table(r);
}
