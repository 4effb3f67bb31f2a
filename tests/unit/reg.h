/* SPDX-License-Identifier: MIT */
/*
 * reg.h — 32-bit register accesses for unit tests that drive one mediator
 * module through the register dispatcher (fake_mmio_access, v->lock held
 * as vgpu.c takes it), with a CUnit assert that the access succeeded.
 * The vGPU itself comes from fake_setup_whole (tests/fake_hv.h).
 */
#ifndef TESTS_UNIT_REG_H
#define TESTS_UNIT_REG_H

#include <stdint.h>

struct vgpu;

/* Read the 4-byte register at BAR0 offset off (asserts rc 0; 0 on failure). */
uint32_t reg_rd(struct vgpu *v, uint32_t off);
/* Write size (1, 2, 4) bytes of val at BAR0 offset off (asserts rc 0). */
void reg_wr_sized(struct vgpu *v, uint32_t off, unsigned int size, uint32_t val);
/* Write the 4-byte register at BAR0 offset off (asserts rc 0). */
void reg_wr(struct vgpu *v, uint32_t off, uint32_t val);

#endif
