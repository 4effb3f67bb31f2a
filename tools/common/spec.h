/* SPDX-License-Identifier: MIT */
/*
 * spec.h — the little the tools need to know about a vGPU spec string
 * (docs/vgpu-spec.md): where the vGPU sits on the guest's PCI bus.
 * Full validation is the daemon's job (dm/vgpu_spec.c).
 */
#ifndef TOOLS_COMMON_SPEC_H
#define TOOLS_COMMON_SPEC_H

#include <stdint.h>

struct spec_sbdf {
	uint16_t seg;
	uint8_t bus, dev, fn;
};

/*
 * The sbdf= of a comma-separated spec, 0000:00:02.0 if absent.
 * 0 or -EINVAL (bad sbdf value).
 */
int spec_sbdf(const char *spec, struct spec_sbdf *out);

#endif
