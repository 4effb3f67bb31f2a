/* SPDX-License-Identifier: MIT */
/*
 * ggtt.c — guest GGTT emulation.
 * PLACEHOLDER: being written.
 */
#include <errno.h>

#include "vgpu_int.h"

int ggtt_init(struct vgpu *v) { (void)v; return 0; }
void ggtt_fini(struct vgpu *v) { (void)v; }
int ggtt_access(struct vgpu *v, int write, uint64_t off, unsigned int size, uint64_t *val)
{
	(void)v; (void)off; (void)size;
	if (!write) *val = 0;
	return 0;
}
