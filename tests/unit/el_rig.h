/* SPDX-License-Identifier: MIT */
/*
 * el_rig.h — what the execlist suites (test_execlist*.c) share: a guest
 * that maps part of its GM to its RAM through its own GGTT entries,
 * builds context images and rings there the way i915 does
 * (docs/execution.md), programs status pages and interrupts, and writes
 * ELSP; and a hand-driven scheduler (take, prepare, finish) with the
 * stand-ins for the parts other branches implement (el_rig.c).
 */
#ifndef TESTS_UNIT_EL_RIG_H
#define TESTS_UNIT_EL_RIG_H

#include <stdbool.h>
#include <stdint.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"

/* Guest layout: GM offsets from the start of the vGPU's aperture share. */
#define EL_GPA_BASE	0x1000000ull	/* guest RAM behind GM page 0 */
#define EL_MAPPED_PAGES	0x80		/* GM pages mapped (512 KiB) */
#define EL_HWSP(e)	(0x1000ull * (e))	/* a status page per engine */
#define EL_CTX_A	0x10000ull	/* context images (22 pages fit) */
#define EL_CTX_B	0x30000ull
#define EL_RING_A	0x50000ull	/* rings, one page each */
#define EL_RING_B	0x51000ull
#define EL_PML4		0x3000000ull	/* guest physical: an empty PML4 */

#define EL_MSI_ADDR 0xfee01000u
#define EL_MSI_DATA 0x4041u

/* One guest with its vGPU. */
struct el_vm {
	struct vgpu *v;
	struct hv *hv;
	uint64_t gm;		/* GM address of its aperture share's first page */
};

/* Map the layout's GM pages, set each engine's HWS_PGA, arm the engine interrupts and MSI. */
void el_vm_init(struct el_vm *g, struct vgpu *v, struct hv *hv);
/* The guest's RAM behind GM offset off (mapped part only). */
uint32_t *el_mem(const struct el_vm *g, uint64_t off);
/*
 * A context image of engine e at GM offset ctx: page 1 as i915 writes it
 * (LRI headers, register offsets, values), ring at GM offset ring of
 * ring_pages pages, head/tail, PML4 root; page 0 and the pages after 1
 * filled with a pattern. The ring gets MI_NOOPs and one MI_USER_INTERRUPT.
 */
void el_ctx_build(const struct el_vm *g, enum pgpu_engine e, uint64_t ctx, uint64_t ring,
		  unsigned int ring_pages, uint32_t head, uint32_t tail);
/* A descriptor: valid, legacy 64-bit, PPGTT, LRCA = GM offset ctx, context id. */
uint64_t el_desc(const struct el_vm *g, uint64_t ctx, uint32_t id);
/* The four ELSP dwords, as i915 writes them (element 1 first). */
void el_elsp(struct vgpu *v, enum pgpu_engine e, uint64_t d0, uint64_t d1);

/* The scheduler, by hand: take the head of e's queue (both locks), or NULL. */
struct workload *el_take(struct vgpu *v, enum pgpu_engine e);
/* workload_prepare under both locks. */
int el_prepare(struct vgpu *v, struct workload *w);
/* End w as st with ring head head_out (and a user interrupt): execlist_complete. */
void el_finish(struct vgpu *v, struct workload *w, enum workload_state st, uint32_t head_out,
	       bool user_irq);
/* Workloads on e's queue. */
unsigned int el_queued(struct vgpu *v, enum pgpu_engine e);

/* CSB entry i of engine e: from the registers, and from the guest's status page. */
uint64_t el_csb_reg(struct vgpu *v, enum pgpu_engine e, unsigned int i);
uint64_t el_csb_hwsp(const struct el_vm *g, enum pgpu_engine e, unsigned int i);
/* HWSP write pointer (dword 0x1f) and the register's write pointer (0x3a0 bits 2:0). */
uint32_t el_hwsp_wp(const struct el_vm *g, enum pgpu_engine e);
uint32_t el_reg(struct vgpu *v, uint32_t off);
void el_wreg(struct vgpu *v, uint32_t off, uint32_t val);

/* Kicks the (stand-in or real) scheduler got through gpu_sched_set_kick. */
unsigned int el_kicks(void);
void el_kicks_reset(struct gpu *gpu);
/* Calls to the PPGTT stand-in (0 when the real ppgtt_shadow_for_submit is linked). */
extern unsigned int el_ppgtt_calls;

#endif
