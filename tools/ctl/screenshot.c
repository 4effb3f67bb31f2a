/* SPDX-License-Identifier: MIT */
/*
 * screenshot.c — `xengt-ctl screenshot DOMID FILE.png [PIPE]`: what a
 * vGPU's primary plane shows, saved as a PNG. The daemon decodes the
 * plane and fetches its pixels through the guest's GGTT (`plane`, then
 * `pixels` in pieces: docs/control-protocol.md); a plane the guest
 * reprograms meanwhile is read again from the start (a few times).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "png_write.h"

#define SHOT_RETRIES 3

/* The plane as the daemon describes it; only what must not change between pieces. */
struct shot_plane {
	char line[CTL_LINE_MAX + 1];	/* the plane line, compared whole */
	uint64_t width, height, enabled, supported;
	char format[32], tiling[16];
};

static int
shot_parse_plane(const char *line, struct shot_plane *p)
{
	snprintf(p->line, sizeof(p->line), "%s", line);
	if (ctl_kv_u64(line, "width", &p->width) || ctl_kv_u64(line, "height", &p->height) ||
	    ctl_kv_u64(line, "enabled", &p->enabled) ||
	    ctl_kv_u64(line, "supported", &p->supported) ||
	    ctl_kv_get(line, "format", p->format, sizeof(p->format)) ||
	    ctl_kv_get(line, "tiling", p->tiling, sizeof(p->tiling)) ||
	    !p->width || !p->height || p->width > 8192 || p->height > 4096)
		return -EPROTO;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One "at=N rgb=..." line into rgb; *at advances. -EPROTO if malformed or out of order. */
static int
shot_take_row(const char *line, uint8_t *rgb, uint64_t total, uint64_t *at)
{
	const char *hex = strstr(line, " rgb=");
	uint64_t first;
	size_t n;

	if (ctl_kv_u64(line, "at", &first) || first != *at || !hex)
		return -EPROTO;
	hex += 5;
	n = strlen(hex);
	if (n % 6 || n / 6 > total - first)
		return -EPROTO;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -EPROTO;
		rgb[first * 3 + i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*at += n / 6;
	return 0;
}

/*
 * One pass over the plane: every piece, each checked to come from the same
 * plane. 0 done; 1 the plane changed (read again); else an exit status.
 */
static int
shot_pass(struct ctl_ctx *c, uint32_t domid, char pipe, const struct shot_plane *p,
	  uint8_t *rgb, uint64_t *missing)
{
	uint64_t total = p->width * p->height, at = 0;

	*missing = 0;
	while (at < total) {
		struct ctl_reply r;
		char req[96];
		uint64_t next = 0, miss = 0, before = at;
		int rc;

		snprintf(req, sizeof(req), "pixels %u %c %" PRIu64, domid, pipe, at);
		rc = ctl_call(c->sock, req, &r);
		if (rc) {
			fprintf(stderr, "xengt-ctl: %s: %s\n", c->sock, strerror(-rc));
			return CTL_EXIT_CONN;
		}
		if (!r.ok) {
			bool stale = !strncmp(r.status, "error ESTALE", 12);

			if (!stale)
				fprintf(stderr, "xengt-ctl: %s\n", r.status);
			ctl_reply_free(&r);
			return stale ? 1 : CTL_EXIT_ERROR;
		}
		if (r.nlines < 2 || strcmp(r.lines[0], p->line)) {
			ctl_reply_free(&r);
			return 1;	/* another plane answered this piece */
		}
		for (size_t l = 1; l + 1 < r.nlines && !rc; l++)
			rc = shot_take_row(r.lines[l], rgb, total, &at);
		if (!rc && (ctl_kv_u64(r.lines[r.nlines - 1], "next", &next) ||
			    ctl_kv_u64(r.lines[r.nlines - 1], "missing", &miss) || next != at))
			rc = -EPROTO;
		ctl_reply_free(&r);
		if (rc || at == before) {
			fprintf(stderr, "xengt-ctl: screenshot: malformed pixels reply\n");
			return CTL_EXIT_ERROR;
		}
		*missing += miss;
	}
	return 0;
}

int
ctl_cmd_screenshot(struct ctl_ctx *c, int argc, char **argv)
{
	struct shot_plane p;
	uint64_t missing = 0;
	uint8_t *rgb = NULL;
	char req[64], err[256], pipe = 'A';
	uint32_t domid;
	int rc = CTL_EXIT_ERROR;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: xengt-ctl %s DOMID FILE.png [A|B|C]\n", argv[0]);
		return CTL_EXIT_USAGE;
	}
	if (argc == 4) {
		if (strlen(argv[3]) != 1 || argv[3][0] < 'A' || argv[3][0] > 'C') {
			fprintf(stderr, "xengt-ctl: bad pipe '%s' (A, B or C)\n", argv[3]);
			return CTL_EXIT_USAGE;
		}
		pipe = argv[3][0];
	}
	if (ctl_parse_domid(argv[1], &domid))
		return CTL_EXIT_USAGE;
	for (int attempt = 0; attempt <= SHOT_RETRIES; attempt++) {
		struct ctl_reply r;

		snprintf(req, sizeof(req), "plane %u %c", domid, pipe);
		rc = ctl_ask(c, req, &r);
		if (rc)
			break;
		rc = r.nlines ? shot_parse_plane(r.lines[0], &p) : -EPROTO;
		ctl_reply_free(&r);
		if (rc) {
			fprintf(stderr, "xengt-ctl: screenshot: malformed plane reply\n");
			rc = CTL_EXIT_ERROR;
			break;
		}
		if (!p.enabled || !p.supported) {
			fprintf(stderr, "xengt-ctl: domain %u pipe %c: %s\n", domid, pipe,
				!p.enabled ? "the primary plane is off" :
				"format or tiling not readable");
			fprintf(stderr, "xengt-ctl: plane: %s\n", p.line);
			rc = CTL_EXIT_ERROR;
			break;
		}
		free(rgb);
		rgb = calloc(p.width * p.height, 3);
		if (!rgb) {
			fprintf(stderr, "xengt-ctl: out of memory\n");
			rc = CTL_EXIT_ERROR;
			break;
		}
		rc = shot_pass(c, domid, pipe, &p, rgb, &missing);
		if (rc != 1)
			break;
		if (attempt == SHOT_RETRIES) {
			fprintf(stderr, "xengt-ctl: domain %u pipe %c: the plane kept changing "
				"while it was read\n", domid, pipe);
			rc = CTL_EXIT_ERROR;
		}
	}
	if (!rc) {
		int wrc = png_write_rgb(argv[2], (unsigned int)p.width, (unsigned int)p.height,
					rgb, err, sizeof(err));

		if (wrc) {
			fprintf(stderr, "xengt-ctl: %s\n", err);
			rc = CTL_EXIT_ERROR;
		} else {
			printf("domain %u pipe %c: %" PRIu64 "x%" PRIu64 " %s %s -> %s", domid,
			       pipe, p.width, p.height, p.format, p.tiling, argv[2]);
			if (missing)
				printf(" (%" PRIu64 " pixels on pages with no GGTT entry: black)",
				       missing);
			printf("\n");
		}
	}
	free(rgb);
	return rc;
}
