/* SPDX-License-Identifier: MIT */
/*
 * reg.c — asserted register reads and writes through the dispatcher for the
 * unit suites of display, interrupts and DP AUX (reg.h). No fixture of its
 * own: the vGPU comes from tests/fake_hv.c.
 */
#include <CUnit/CUnit.h>

#include "tests/fake_hv.h"
#include "tests/unit/reg.h"

uint32_t
reg_rd(struct vgpu *v, uint32_t off)
{
	uint64_t val = 0;

	CU_ASSERT(fake_mmio_access(v, false, off, 4, &val) == 0);
	return (uint32_t)val;
}

void
reg_wr_sized(struct vgpu *v, uint32_t off, unsigned int size, uint32_t val)
{
	uint64_t v64 = val;

	CU_ASSERT(fake_mmio_access(v, true, off, size, &v64) == 0);
}

void
reg_wr(struct vgpu *v, uint32_t off, uint32_t val)
{
	reg_wr_sized(v, off, 4, val);
}
