/* SPDX-License-Identifier: MIT */
/*
 * edid.c — the EDID 1.3 base block of the virtual monitor: header, vendor
 * "XEN", sRGB chromaticity, a few established/standard modes no larger
 * than the vGPU's maximum, and the maximum as the preferred CVT-RB mode.
 */
#include <string.h>

#include "mediator/display/edid.h"

/* CVT reduced blanking (VESA CVT 1.1): fixed horizontal blanking. */
#define CVT_RB_HBLANK	   160u
#define CVT_RB_HSYNC	   32u
#define CVT_RB_HFRONT	   48u
#define CVT_RB_VFRONT	   3u
#define CVT_RB_MIN_VBACK   6u
#define CVT_RB_MIN_VBI_US  460u
#define CVT_CLOCK_STEP_KHZ 250u
#define EDID_REFRESH_HZ	   60u

/* What a detailed timing descriptor can carry (12-bit sizes, 16-bit clock). */
#define DTD_MIN_W 640u
#define DTD_MIN_H 480u
#define DTD_MAX	  4095u
#define DTD_MAX_CLOCK_KHZ 655350u

static const uint8_t edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

/* Chromaticity of sRGB as 10-bit binary fractions: Rx Ry Gx Gy Bx By Wx Wy. */
static const uint16_t edid_chroma[8] = {
	655, 338, 307, 614, 154, 61, 320, 337, /* 0.64 .33 .30 .60 .15 .06 .3127 .329 */
};

/* Standard timings offered when they fit: width, height, aspect code (bits 7:6). */
static const struct {
	uint16_t w, h;
	uint8_t aspect;
} edid_std_modes[] = {
	{ 1280, 720, 3 },  /* 16:9 */
	{ 1280, 1024, 2 }, /* 5:4 */
	{ 1440, 900, 0 },  /* 16:10 */
	{ 1600, 900, 3 },
	{ 1680, 1050, 0 },
	{ 1920, 1080, 3 },
	{ 1920, 1200, 0 },
	{ 2560, 1440, 3 },
};

/* Established timings I/II (bytes 35-36): mode and its bit. */
static const struct {
	uint16_t w, h;
	uint8_t byte, bit;
} edid_est_modes[] = {
	{ 640, 480, 35, 5 },
	{ 800, 600, 35, 0 },
	{ 1024, 768, 36, 3 },
};

static const char edid_name[] = "xengt vmon";

/* CVT vsync width by aspect ratio. */
static unsigned int
edid_cvt_vsync(unsigned int w, unsigned int h)
{
	if (w * 3 == h * 4)
		return 4;
	if (w * 9 == h * 16)
		return 5;
	if (w * 10 == h * 16)
		return 6;
	if (w * 4 == h * 5 || w * 9 == h * 15)
		return 7;
	return 10;
}

struct edid_mode {
	unsigned int w, h, htotal, vtotal, vsync;
	uint32_t clock_khz;
};

static void
edid_cvt_rb(struct edid_mode *m, unsigned int w, unsigned int h)
{
	/* Line period (ns) leaving the minimum vertical blanking time free. */
	uint64_t frame_ns = 1000000000ull / EDID_REFRESH_HZ;
	uint64_t line_ns = (frame_ns - CVT_RB_MIN_VBI_US * 1000ull) / h;
	unsigned int vbi = (unsigned int)((CVT_RB_MIN_VBI_US * 1000ull + line_ns - 1) / line_ns);
	uint64_t clk;

	m->w = w;
	m->h = h;
	m->vsync = edid_cvt_vsync(w, h);
	if (vbi < CVT_RB_VFRONT + m->vsync + CVT_RB_MIN_VBACK)
		vbi = CVT_RB_VFRONT + m->vsync + CVT_RB_MIN_VBACK;
	m->htotal = w + CVT_RB_HBLANK;
	m->vtotal = h + vbi;
	clk = (uint64_t)m->htotal * m->vtotal * EDID_REFRESH_HZ / 1000;
	clk -= clk % CVT_CLOCK_STEP_KHZ;
	if (clk > DTD_MAX_CLOCK_KHZ)
		clk = DTD_MAX_CLOCK_KHZ;
	m->clock_khz = (uint32_t)clk;
}

static void
edid_put_dtd(uint8_t *d, const struct edid_mode *m)
{
	unsigned int hbl = m->htotal - m->w, vbl = m->vtotal - m->h;
	unsigned int hso = CVT_RB_HFRONT, hsw = CVT_RB_HSYNC;
	unsigned int vso = CVT_RB_VFRONT, vsw = m->vsync;
	unsigned int hmm = m->w * 254 / 1000, vmm = m->h * 254 / 1000; /* ~100 dpi */
	uint32_t clk10 = m->clock_khz / 10;

	d[0] = clk10 & 0xff;
	d[1] = clk10 >> 8;
	d[2] = m->w & 0xff;
	d[3] = hbl & 0xff;
	d[4] = (uint8_t)(((m->w >> 8) & 0xf) << 4 | ((hbl >> 8) & 0xf));
	d[5] = m->h & 0xff;
	d[6] = vbl & 0xff;
	d[7] = (uint8_t)(((m->h >> 8) & 0xf) << 4 | ((vbl >> 8) & 0xf));
	d[8] = hso & 0xff;
	d[9] = hsw & 0xff;
	d[10] = (uint8_t)((vso & 0xf) << 4 | (vsw & 0xf));
	d[11] = (uint8_t)(((hso >> 8) & 3) << 6 | ((hsw >> 8) & 3) << 4 |
			  ((vso >> 4) & 3) << 2 | ((vsw >> 4) & 3));
	d[12] = hmm & 0xff;
	d[13] = vmm & 0xff;
	d[14] = (uint8_t)(((hmm >> 8) & 0xf) << 4 | ((vmm >> 8) & 0xf));
	d[15] = 0;
	d[16] = 0;
	d[17] = 0x18 | 0x02; /* digital separate sync, hsync +, vsync - (CVT-RB) */
}

/* A display descriptor (tag 0xfc name, 0xfd range, 0x10 dummy). */
static void
edid_put_desc(uint8_t *d, uint8_t tag)
{
	memset(d, 0, 18);
	d[3] = tag;
}

uint8_t
edid_checksum(const uint8_t blk[EDID_BLOCK_SIZE])
{
	uint8_t sum = 0;

	for (unsigned int i = 0; i < EDID_BLOCK_SIZE; i++)
		sum = (uint8_t)(sum + blk[i]);
	return sum;
}

uint32_t
edid_build(uint8_t e[EDID_BLOCK_SIZE], unsigned int w, unsigned int h)
{
	struct edid_mode m;
	unsigned int nstd = 0, hmax_khz;
	uint8_t *d;

	if (w < DTD_MIN_W)
		w = DTD_MIN_W;
	if (w > DTD_MAX)
		w = DTD_MAX;
	if (h < DTD_MIN_H)
		h = DTD_MIN_H;
	if (h > DTD_MAX)
		h = DTD_MAX;
	edid_cvt_rb(&m, w, h);

	memset(e, 0, EDID_BLOCK_SIZE);
	memcpy(e, edid_header, sizeof(edid_header));
	/* Vendor "XEN": three 5-bit letters, big endian. */
	e[8] = (uint8_t)((('X' - '@') << 2) | (('E' - '@') >> 3));
	e[9] = (uint8_t)((('E' - '@') << 5) | ('N' - '@'));
	e[10] = 0x01;		/* product code 0x0001 */
	e[16] = 1;		/* week of manufacture */
	e[17] = 2026 - 1990;	/* year */
	e[18] = 1;		/* EDID 1.3 */
	e[19] = 3;
	e[20] = 0x80;		/* digital input */
	e[21] = (uint8_t)((w * 254 / 1000 + 9) / 10); /* size in cm at ~100 dpi */
	e[22] = (uint8_t)((h * 254 / 1000 + 9) / 10);
	e[23] = 120;		/* gamma 2.2 */
	e[24] = 0x0a;		/* RGB colour, preferred timing is the first DTD */
	e[25] = (uint8_t)((edid_chroma[0] & 3) << 6 | (edid_chroma[1] & 3) << 4 |
			  (edid_chroma[2] & 3) << 2 | (edid_chroma[3] & 3));
	e[26] = (uint8_t)((edid_chroma[4] & 3) << 6 | (edid_chroma[5] & 3) << 4 |
			  (edid_chroma[6] & 3) << 2 | (edid_chroma[7] & 3));
	for (unsigned int i = 0; i < 8; i++)
		e[27 + i] = (uint8_t)(edid_chroma[i] >> 2);

	for (size_t i = 0; i < sizeof(edid_est_modes) / sizeof(edid_est_modes[0]); i++)
		if (edid_est_modes[i].w <= w && edid_est_modes[i].h <= h)
			e[edid_est_modes[i].byte] |= (uint8_t)(1u << edid_est_modes[i].bit);

	for (unsigned int i = 0; i < 8; i++) {	/* unused slots are 01 01 */
		e[38 + 2 * i] = 0x01;
		e[39 + 2 * i] = 0x01;
	}
	for (size_t i = 0; i < sizeof(edid_std_modes) / sizeof(edid_std_modes[0]); i++) {
		if (edid_std_modes[i].w > w || edid_std_modes[i].h > h || nstd == 8)
			continue;
		e[38 + 2 * nstd] = (uint8_t)(edid_std_modes[i].w / 8 - 31);
		e[39 + 2 * nstd] = (uint8_t)(edid_std_modes[i].aspect << 6 |
					     (EDID_REFRESH_HZ - 60));
		nstd++;
	}

	edid_put_dtd(&e[54], &m);

	d = &e[72];			/* range limits */
	edid_put_desc(d, 0xfd);
	hmax_khz = (unsigned int)(m.clock_khz / m.htotal) + 10;
	d[5] = 50;			/* vertical Hz min/max */
	d[6] = 75;
	d[7] = 30;			/* horizontal kHz min/max */
	d[8] = (uint8_t)(hmax_khz > 255 ? 255 : hmax_khz);
	d[9] = (uint8_t)((m.clock_khz + 9999) / 10000); /* max clock, 10 MHz units */
	d[10] = 0x00;			/* default GTF */
	d[11] = 0x0a;
	memset(&d[12], 0x20, 6);

	d = &e[90];			/* monitor name */
	edid_put_desc(d, 0xfc);
	memset(&d[5], 0x20, 13);
	memcpy(&d[5], edid_name, sizeof(edid_name) - 1);
	d[5 + sizeof(edid_name) - 1] = 0x0a;

	edid_put_desc(&e[108], 0x10);	/* dummy */

	e[126] = 0;			/* no extension blocks */
	e[127] = (uint8_t)(0x100 - edid_checksum(e));
	return m.clock_khz;
}
