/* SPDX-License-Identifier: MIT */
/*
 * png_write.h — an 8-bit RGB image into a PNG file (libpng), for
 * `xengt-ctl screenshot`.
 */
#ifndef TOOLS_CTL_PNG_WRITE_H
#define TOOLS_CTL_PNG_WRITE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write w x h pixels (rgb: 3 bytes each, rows top to bottom, no padding)
 * to path as a PNG (a temporary file renamed into place, so a reader never
 * sees half a file). 0, or -errno with err saying what failed.
 */
int png_write_rgb(const char *path, unsigned int w, unsigned int h, const uint8_t *rgb,
		  char *err, size_t errlen);

#endif
