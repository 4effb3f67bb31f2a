/* SPDX-License-Identifier: MIT */
/*
 * vgpu_spec.c — parser of the vGPU spec (docs/vgpu-spec.md): a key table,
 * one small value parser per kind. Knows nothing about what the values
 * mean to the mediator beyond their syntax and documented ranges.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/glue_ops.h"
#include "vgpu_spec.h"

typedef int vgpu_spec_fn(const char *val, struct vgpu_config *cfg);

static int
parse_u64(const char *s, int base, uint64_t *out, const char **end)
{
	char *e;

	if (!isdigit((unsigned char)*s) && !(base == 16 && isxdigit((unsigned char)*s)))
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &e, base);
	if (errno)
		return -EINVAL;
	*end = e;
	return 0;
}

/* A size: decimal with an optional K/M/G suffix, at least 1. */
static int
parse_size(const char *s, uint64_t *out)
{
	const char *e;
	unsigned int shift = 0;
	uint64_t v;

	if (parse_u64(s, 10, &v, &e))
		return -EINVAL;
	switch (*e) {
	case 'K': case 'k': shift = 10; e++; break;
	case 'M': case 'm': shift = 20; e++; break;
	case 'G': case 'g': shift = 30; e++; break;
	default: break;
	}
	if (*e || v == 0 || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

static int
parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	const char *e;
	uint64_t v;

	if (parse_u64(s, 10, &v, &e) || *e || v < min || v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int
spec_type(const char *val, struct vgpu_config *cfg)
{
	if (strlen(val) >= sizeof(cfg->type) || !vgpu_type_find(val))
		return -EINVAL;
	strcpy(cfg->type, val);
	return vgpu_type_apply(cfg);
}

static int
spec_low_gm(const char *val, struct vgpu_config *cfg)
{
	return parse_size(val, &cfg->low_gm);
}

static int
spec_high_gm(const char *val, struct vgpu_config *cfg)
{
	return parse_size(val, &cfg->high_gm);
}

static int
spec_fences(const char *val, struct vgpu_config *cfg)
{
	return parse_uint(val, 0, 64, &cfg->fences);
}

static int
spec_weight(const char *val, struct vgpu_config *cfg)
{
	return parse_uint(val, 1, 16, &cfg->weight);
}

static int
spec_res(const char *val, struct vgpu_config *cfg)
{
	const char *e;
	uint64_t w, h;

	if (parse_u64(val, 10, &w, &e) || (*e != 'x' && *e != 'X'))
		return -EINVAL;
	if (parse_u64(e + 1, 10, &h, &e) || *e)
		return -EINVAL;
	if (w < 64 || h < 64 || w > 8192 || h > 8192)
		return -EINVAL;
	cfg->max_w = (unsigned int)w;
	cfg->max_h = (unsigned int)h;
	return 0;
}

/* [SEG:]BUS:DEV.FN, hex fields. */
static int
spec_sbdf(const char *val, struct vgpu_config *cfg)
{
	uint64_t f[4];
	const char *s = val, *e;
	unsigned int n = 0;

	for (;;) {
		if (n == 4 || parse_u64(s, 16, &f[n], &e))
			return -EINVAL;
		n++;
		if (*e == ':' && n < 3) {
			s = e + 1;
			continue;
		}
		if (*e == '.' && (n == 2 || n == 3)) {
			if (parse_u64(e + 1, 16, &f[n], &e) || *e)
				return -EINVAL;
			n++;
			break;
		}
		return -EINVAL;
	}
	if (n == 3) {		/* BUS:DEV.FN */
		f[3] = f[2];
		f[2] = f[1];
		f[1] = f[0];
		f[0] = 0;
	}
	if (f[0] > 0xffff || f[1] > 0xff || f[2] > 31 || f[3] > 7)
		return -EINVAL;
	cfg->seg = (uint16_t)f[0];
	cfg->bus = (uint8_t)f[1];
	cfg->dev = (uint8_t)f[2];
	cfg->fn = (uint8_t)f[3];
	return 0;
}

static int
spec_unknown(const char *val, struct vgpu_config *cfg)
{
	if (!strcmp(val, "tolerate"))
		cfg->unknown = UNKNOWN_TOLERATE;
	else if (!strcmp(val, "strict"))
		cfg->unknown = UNKNOWN_STRICT;
	else
		return -EINVAL;
	return 0;
}

/* A two-word switch: off_word sets *out false, on_word true, anything else -EINVAL. */
static int
parse_switch(const char *s, const char *off_word, const char *on_word, bool *out)
{
	if (!strcmp(s, off_word))
		*out = false;
	else if (!strcmp(s, on_word))
		*out = true;
	else
		return -EINVAL;
	return 0;
}

static int
spec_ggtt(const char *val, struct vgpu_config *cfg)
{
	return parse_switch(val, "drop", "failsafe", &cfg->ggtt_failsafe);
}

static int
spec_msi(const char *val, struct vgpu_config *cfg)
{
	return parse_switch(val, "off", "on", &cfg->msi);
}

static int
spec_vga_check(const char *val, struct vgpu_config *cfg)
{
	return parse_switch(val, "off", "on", &cfg->vga_check);
}

static int
spec_monitor(const char *val, struct vgpu_config *cfg)
{
	return parse_switch(val, "dp", "hdmi", &cfg->monitor_hdmi);
}

static int
spec_bars(const char *val, struct vgpu_config *cfg)
{
	return parse_switch(val, "64", "32", &cfg->bars32);
}

/* The type row comes first: it is applied before any explicit key. */
static const struct {
	const char *key;
	vgpu_spec_fn *fn;
} vgpu_spec_keys[] = {
	{ "type", spec_type },
	{ "low_gm", spec_low_gm },
	{ "high_gm", spec_high_gm },
	{ "fences", spec_fences },
	{ "weight", spec_weight },
	{ "res", spec_res },
	{ "sbdf", spec_sbdf },
	{ "unknown", spec_unknown },
	{ "ggtt", spec_ggtt },
	{ "msi", spec_msi },
	{ "vga_check", spec_vga_check },
	{ "bars", spec_bars },
	{ "monitor", spec_monitor },
};
#define VGPU_SPEC_NKEYS (sizeof(vgpu_spec_keys) / sizeof(vgpu_spec_keys[0]))

static int
key_index(const char *key)
{
	for (size_t i = 0; i < VGPU_SPEC_NKEYS; i++)
		if (!strcmp(vgpu_spec_keys[i].key, key))
			return (int)i;
	return -1;
}

/*
 * Split spec into buf and vals[] (one value per key of the table, NULL if
 * not given): syntax, known keys, no duplicates. 0 or -EINVAL with err.
 */
static int
spec_split(const char *spec, char *buf, size_t buflen, const char *vals[], char *err,
	   size_t errlen)
{
	char *save = NULL, *tok;

	if (strlen(spec) >= buflen) {
		snprintf(err, errlen, "spec longer than %d bytes", VGPU_SPEC_MAX - 1);
		return -EINVAL;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int k;

		if (!eq) {
			snprintf(err, errlen, "%s: missing '=value'", tok);
			return -EINVAL;
		}
		*eq = '\0';
		k = key_index(tok);
		if (k < 0) {
			snprintf(err, errlen, "%s: unknown key (value '%s')", tok, eq + 1);
			return -EINVAL;
		}
		if (vals[k]) {
			snprintf(err, errlen, "%s: given twice ('%s', '%s')", tok, vals[k], eq + 1);
			return -EINVAL;
		}
		vals[k] = eq + 1;
	}
	return 0;
}

int
vgpu_spec_parse_with(const char *spec, const char *defaults, struct vgpu_config *cfg,
		     char *err, size_t errlen)
{
	char buf[VGPU_SPEC_MAX], dbuf[VGPU_SPEC_MAX], derr[96];
	const char *vals[VGPU_SPEC_NKEYS] = { 0 }, *dvals[VGPU_SPEC_NKEYS] = { 0 };

	/* Pass 1: syntax, known keys, no duplicates (the transport's too). */
	if (spec_split(spec, buf, sizeof(buf), vals, err, errlen))
		return -EINVAL;
	if (defaults && spec_split(defaults, dbuf, sizeof(dbuf), dvals, derr, sizeof(derr))) {
		snprintf(err, errlen, "transport default: %s", derr);
		return -EINVAL;
	}
	/* Pass 2: defaults, the type, then explicit keys (else the transport's) in table order. */
	vgpu_config_default(cfg);
	if (vgpu_type_apply(cfg)) {
		snprintf(err, errlen, "type: bad default '%s'", cfg->type);
		return -EINVAL;
	}
	for (size_t k = 0; k < VGPU_SPEC_NKEYS; k++) {
		const char *val = vals[k] ? vals[k] : dvals[k];

		if (!val)
			continue;
		if (vgpu_spec_keys[k].fn(val, cfg)) {
			snprintf(err, errlen, "%s%s: bad value '%s'", vals[k] ? "" : "transport default ",
				 vgpu_spec_keys[k].key, val);
			return -EINVAL;
		}
	}
	return 0;
}

int
vgpu_spec_parse(const char *spec, struct vgpu_config *cfg, char *err, size_t errlen)
{
	return vgpu_spec_parse_with(spec, dm_glue.spec_defaults, cfg, err, errlen);
}
