/* SPDX-License-Identifier: MIT */
/*
 * vgpu_spec.h — the xl-style vGPU spec ("type=GVTg_V5_4,sbdf=00:02.0,...",
 * docs/vgpu-spec.md) parsed into a struct vgpu_config.
 */
#ifndef DM_VGPU_SPEC_H
#define DM_VGPU_SPEC_H

#include <stddef.h>

#include "mediator/vgpu.h"

#define VGPU_SPEC_MAX 512

/*
 * Parse spec into *cfg: defaults, then the type, then explicit keys (which
 * override the type's sizes); a key the spec does not give takes the
 * build's transport default if it has one (dm_glue.spec_defaults: the
 * QEMU proxy's "bars=32,msi=off"). Returns 0, or -EINVAL with err naming
 * the key and the value ("fences: bad value 'x'").
 */
int vgpu_spec_parse(const char *spec, struct vgpu_config *cfg, char *err, size_t errlen);
/* The same with the transport defaults given (NULL: none), for tests. */
int vgpu_spec_parse_with(const char *spec, const char *defaults, struct vgpu_config *cfg,
			 char *err, size_t errlen);

#endif
