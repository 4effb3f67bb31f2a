/* SPDX-License-Identifier: MIT */
/*
 * irq.h — virtual interrupt registers (master, GT banks, display) and
 * delivery of the aggregated line as MSI, or as INTx while MSI is off
 * (irq.c).
 */
#ifndef MEDIATOR_IRQ_H
#define MEDIATOR_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct vgpu;

/* Events a vGPU can raise. */
enum irq_event {
	EV_RCS_USER = 0,   /* MI_USER_INTERRUPT on the render engine */
	EV_RCS_CTX_SWITCH,
	EV_BCS_USER,
	EV_BCS_CTX_SWITCH,
	EV_VCS_USER,	   /* video engine vcs0 (GT1 bank) */
	EV_VCS_CTX_SWITCH,
	EV_VECS_USER,	   /* video enhancement engine vecs0 (GT3 bank) */
	EV_VECS_CTX_SWITCH,
	EV_PIPE_A_VBLANK,
	EV_PIPE_B_VBLANK,
	EV_PIPE_C_VBLANK,
	EV_NR
};

struct irq_state {
	bool line;		/* aggregated interrupt pending (master level) */
	bool intx;		/* level the hypervisor was last told for INTx */
	uint64_t raised[EV_NR]; /* events raised, for tests and stats */
};

int irq_init(struct vgpu *v);
void irq_fini(struct vgpu *v);
/* Raise an event: set IIR/ISR per IMR/IER, inject MSI if due (lock held). */
void irq_raise(struct vgpu *v, enum irq_event ev);
/*
 * May an MSI with this address/data be injected? 0xFEExxxxx with a zero
 * upper half, or any upper half when the vector (data bits 7:0) is 0
 * (a Xen PIRQ MSI). Pure predicate.
 */
bool irq_msi_addr_ok(uint64_t addr, uint32_t data);
/*
 * Lower INTx if we raised it: at destroy, and on entering failsafe (the
 * guest can no longer clear the cause; a level left high would storm a
 * GSI it may share with other devices). Lock held.
 */
void irq_intx_drop(struct vgpu *v);
/* Re-evaluate the master line (after a register or MSI-capability write). */
void irq_update(struct vgpu *v);

#endif
