/* SPDX-License-Identifier: MIT */
/*
 * png_write.c — PNG encoding with libpng (png_write.h). libpng reports
 * errors by longjmp; everything that must survive one is volatile or
 * allocated before the setjmp.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "png_write.h"

int
png_write_rgb(const char *path, unsigned int w, unsigned int h, const uint8_t *rgb,
	      char *err, size_t errlen)
{
	char tmp[4096];
	png_structp png = NULL;
	png_infop info = NULL;
	FILE *volatile f = NULL;
	int rc;

	if (!w || !h || w > 0x7fffffff / 3) {
		snprintf(err, errlen, "bad image size %ux%u", w, h);
		return -EINVAL;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid()) >= sizeof(tmp)) {
		snprintf(err, errlen, "path too long");
		return -ENAMETOOLONG;
	}
	f = fopen(tmp, "wb");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return rc;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info) {
		snprintf(err, errlen, "libpng: out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	if (setjmp(png_jmpbuf(png))) {
		snprintf(err, errlen, "libpng failed writing %s", tmp);
		rc = -EIO;
		goto fail;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (unsigned int y = 0; y < h; y++)
		png_write_row(png, (png_const_bytep)(rgb + (size_t)y * w * 3));
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	if (fclose(f)) {
		f = NULL;
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		return rc;
	}
	if (rename(tmp, path)) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return rc;
	}
	return 0;
fail:
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	if (f)
		fclose(f);
	unlink(tmp);
	return rc;
}
