/* SPDX-License-Identifier: MIT */
/*
 * edid.h — the EDID 1.3 base block of the vGPU's virtual monitor (edid.c).
 */
#ifndef MEDIATOR_EDID_H
#define MEDIATOR_EDID_H

#include <stdint.h>

#define EDID_BLOCK_SIZE 128

/*
 * Build a 128-byte EDID 1.3 block whose preferred (first detailed) timing
 * is a CVT reduced-blanking 60 Hz mode of w x h (clamped to what a
 * detailed timing can carry), with a valid checksum. Returns the pixel
 * clock of that mode in kHz.
 */
uint32_t edid_build(uint8_t out[EDID_BLOCK_SIZE], unsigned int w, unsigned int h);

/* Sum of the 128 bytes modulo 256 (0 for a valid block). */
uint8_t edid_checksum(const uint8_t blk[EDID_BLOCK_SIZE]);

#endif
