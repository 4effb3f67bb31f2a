/* SPDX-License-Identifier: MIT */
/*
 * spec.c — picks the guest PCI address out of a vGPU spec for the tools;
 * everything else in the spec is passed to the daemon untouched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

/* One hex field of at most maxdigits digits ending at a char in stops. */
static int
hex_field(const char **p, unsigned int maxdigits, const char *stops, unsigned long *v)
{
	const char *s = *p;
	unsigned int n = 0;

	*v = 0;
	while (s[n] && !strchr(stops, s[n])) {
		char c = s[n];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
		if (++n > maxdigits)
			return -EINVAL;
		*v = *v * 16 + d;
	}
	if (!n)
		return -EINVAL;
	*p = s + n;
	return 0;
}

static int
spec_parse_sbdf(const char *s, struct spec_sbdf *out)
{
	unsigned long a, b, dev, fn;
	const char *p = s;

	if (hex_field(&p, 4, ":", &a) || *p++ != ':' || hex_field(&p, 2, ":.", &b))
		return -EINVAL;
	if (*p == ':') {	/* SEG:BUS:DEV.FN */
		p++;
		if (a > 0xffff || b > 0xff || hex_field(&p, 2, ".", &dev))
			return -EINVAL;
		out->seg = (uint16_t)a;
		out->bus = (uint8_t)b;
	} else {		/* BUS:DEV.FN */
		if (a > 0xff)
			return -EINVAL;
		out->seg = 0;
		out->bus = (uint8_t)a;
		dev = b;
	}
	if (*p++ != '.' || hex_field(&p, 1, "", &fn) || *p)
		return -EINVAL;
	if (dev > 0x1f || fn > 7)
		return -EINVAL;
	out->dev = (uint8_t)dev;
	out->fn = (uint8_t)fn;
	return 0;
}

int
spec_sbdf(const char *spec, struct spec_sbdf *out)
{
	const char *p = spec;

	*out = (struct spec_sbdf){ .seg = 0, .bus = 0, .dev = 2, .fn = 0 };
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len >= 5 && !strncmp(p, "sbdf=", 5)) {
			char buf[32];

			if (len - 5 >= sizeof(buf))
				return -EINVAL;
			memcpy(buf, p + 5, len - 5);
			buf[len - 5] = '\0';
			return spec_parse_sbdf(buf, out);
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}
