/* SPDX-License-Identifier: MIT */
/*
 * vgpu_int.h — struct gpu and struct vgpu as the mediator modules share
 * them. Each module keeps its own state struct in its own header
 * (cfg_space.h, gm.h, ggtt.h, irq.h, display.h, page_track.h) and is
 * set up by <module>_init(v) / torn down by <module>_fini(v), called in a
 * fixed order from vgpu.c. Never include this outside mediator/ and tests/.
 */
#ifndef MEDIATOR_VGPU_INT_H
#define MEDIATOR_VGPU_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mediator/log.h"
#include "mediator/vgpu.h"
#include "mediator/regs/mmio.h"
#include "mediator/core/cfg_space.h"
#include "mediator/mem/gm.h"
#include "mediator/mem/ggtt.h"
#include "mediator/core/irq.h"
#include "mediator/display/display.h"
#include "mediator/display/opregion.h"
#include "mediator/mem/page_track.h"
#include "mediator/mem/ppgtt.h"
#include "mediator/exec/exec.h"

#define GPU_MAX_VGPUS 64

/* The host's window of hidden GM for its own objects (exec/hostmem.c). */
struct hostgm {
	uint64_t base;		/* GM address of page 0 */
	uint32_t npages;
	uint64_t *bits;		/* a bit per page in use; NULL until first use */
};

struct sched; /* exec/sched.c */

/* One physical GPU: the resources its vGPUs share. */
struct gpu {
	struct pgpu_dev dev;
	struct pgpu_info info;
	pthread_mutex_t lock;	/* protects everything below and physical GGTT/fence writes */
	struct gm_alloc gm;	/* GM and fence partitioning (gm.c) */
	struct hostgm hostgm;	/* host objects' GM (exec/hostmem.c) */
	/* The scheduler (exec/sched.c): its lock is taken before any vGPU lock. */
	pthread_mutex_t sched_lock;
	struct sched *sched;
	struct vgpu *vgpus[GPU_MAX_VGPUS];
	unsigned int nr_vgpus;
	unsigned int next_id;
	uint64_t id_used;	/* bit (id - 1) per vGPU id in use */
	/* mmio_context.c: who owns the MF_SAVE registers of the physical GPU. */
	pthread_mutex_t switch_lock; /* serialises gpu_switch_to; taken before any vGPU lock */
	struct vgpu *owner;	/* NULL = host (under gpu->lock and switch_lock) */
	uint32_t *host_vreg;	/* host's saved MF_SAVE values, MMIO_REG_SIZE bytes (lazy) */
};

/* Guest-triggerable warnings, each logged once per vGPU (vgpu_warn_once). */
enum warn_cause {
	WARN_BAD_SIZE,
	WARN_UNALIGNED,
	WARN_UNKNOWN_REG,
	WARN_RO_WRITE,
	WARN_GGTT_RANGE,
	WARN_GGTT_PAGE,
	WARN_FENCE_RANGE,
	WARN_MSI_ADDR,
	WARN_CFG,
	WARN_PAGE_WRITE,
	WARN_PVINFO,
	WARN_BAR0_HOLE,		/* access to the unused part of BAR0 (2..8 MiB) */
	WARN_PIO,		/* BAR4 access other than the index/data dwords */
	WARN_PPGTT,		/* bad PPGTT root (outside RAM, too many, unaligned) */
	WARN_PPGTT_ENTRY,	/* a guest PPGTT entry refused (ppgtt_shadow.c) */
	WARN_MSI_FAIL,		/* the hypervisor refused an MSI injection */
	WARN_INTX_FAIL,		/* the hypervisor refused an INTx level change */
	WARN_PVINFO_UNDEF,	/* write to an undefined PV info offset */
	WARN_HWS_PGA,		/* status page address outside its GM */
	WARN_HV_RELEASE,	/* the hypervisor refused to release a claim/map/protect */
	WARN_HWSP,		/* status page or context image not mapped at completion */
	WARN_ELSP,		/* ELSP written to a hung engine */
	WARN_EXEC_FAULT,	/* a workload faulted or failed: the engine hangs */
	WARN_OPREGION,		/* ASLS refused, OpRegion access past its end or to read-only parts */
	WARN_NR_CAUSES
};

/* Trap counters per guest-visible range, for the trap map. */
enum trap_slot {
	TS_CFG,
	TS_BAR0_REGS,
	TS_BAR0_GGTT,
	TS_BAR4_PIO,
	TS_WP_PAGES,
	TS_NR
};

struct vgpu {
	struct gpu *gpu;
	unsigned int id;	/* vgt_id, 1.. (0 is the host) */
	uint32_t domid;
	char tag[24];		/* "d5/vgpu1": prefix of every log line */
	struct vgpu_config cfg;
	const struct hv_ops *hv_ops;
	struct hv *hv;

	pthread_mutex_t lock;	/* all of this vGPU's state; ioreq thread + control + tick */

	/* Virtual register file: MMIO_REG_SIZE bytes, copy-on-write of the reset image (vreg.c). */
	uint32_t *vreg;
	/* Unknown registers already seen: a bit per dword, allocated at the first (mmio.c). */
	uint64_t *unknown_seen;

	struct cfg_state cfgs;	 /* cfg_space.c */
	struct gm_part part;	 /* gm.c: this vGPU's share */
	struct ggtt_state ggtt;	 /* ggtt.c */
	struct irq_state irq;	 /* irq.c */
	struct display_state disp; /* display.c */
	struct opregion_state opr; /* display/opregion.c: OpRegion, VBT, ASLS */
	struct exec_state exec;	 /* exec/execlist.c: engines, queues, CSB */

	struct vgpu_stats stats;
	uint64_t traps[TS_NR];
	uint64_t warned;	/* bit per enum warn_cause */
	uint64_t ro_writes;	/* writes that hit read-only bits/registers */
	unsigned int unknown_logged; /* distinct unknown registers logged (capped) */
	/* Distinct unknown registers with hit counts (mmio.c), first VGPU_UNKNOWN_MAX. */
	struct vgpu_unknown_reg unknown[VGPU_UNKNOWN_MAX];
	unsigned int nr_unknown;
	uint64_t unknown_overflow; /* hits on unknown registers past the table */
	uint32_t pio_index;	/* BAR4 +0: the MMIO index the data port uses */

	struct page_track pt;	 /* page_track.c: write-protected pages */
	struct ppgtt_state ppgtt; /* ppgtt*.c: shadowed PPGTTs */
};

#define MMIO_UNKNOWN_BITMAP_BYTES (MMIO_REG_SIZE / 4 / 8)

/*
 * One part of a vGPU (modules.c has the table). Every hook but the name
 * is optional. Hooks run with v->lock held, in table order (fini: reverse).
 */
struct vgpu_module {
	const char *name;
	/* Set up for a new vGPU (no registers: they come from reset_regs). 0 or -errno. */
	int (*init)(struct vgpu *v);
	void (*fini)(struct vgpu *v);
	/* Its registers' reset values, into the reset image's template (once). */
	void (*reset_regs)(struct vgpu *t);
	/* Periodic work: ns until it wants to run again, VGPU_TICK_NONE for no timer. */
	uint64_t (*tick)(struct vgpu *v, uint64_t now_ns);
	/* A reset of the GDRST domains in mask (VGPU_RESET_ALL: the whole device). */
	void (*reset)(struct vgpu *v, uint32_t domains);
	/* Its rows of the trap map (vgpu_trap_row). */
	void (*trap_rows)(struct vgpu *v, struct trap_entry *rows, size_t max, size_t *n);
	/* Its counters, added to what vgpu_get_stats reports. */
	void (*stats)(struct vgpu *v, struct vgpu_stats *out);
};
extern const struct vgpu_module vgpu_modules[];
extern const size_t vgpu_nr_modules;

/* GDRST (0x941c) domain bits, and the whole device. */
#define VGPU_RESET_ALL 0xffffffffu
/* Run every module's reset hook for domains (v->lock held). */
void vgpu_reset_domains(struct vgpu *v, uint32_t domains);
/* Append a trap-map row if there is room (trap_rows hooks). */
void vgpu_trap_row(struct trap_entry *rows, size_t max, size_t *n, enum trap_mech mech,
		   uint64_t start, uint64_t end, const char *what, uint64_t traps);

/* Zeroed, lazily backed memory for big per-vGPU arrays (vgpu.c); NULL on failure. */
void *vgpu_zalloc(size_t size);
void vgpu_zfree(void *p, size_t size);

/*
 * vreg.c: the register reset image, built once by fill(template) (the
 * modules' reset_regs hooks, vgpu.c); 0 or -errno (sticky). Then each
 * vGPU's register file: a private copy-on-write mapping of the image
 * (NULL on failure), freed with vreg_free.
 */
int vreg_image_init(void (*fill)(struct vgpu *tmpl));
uint32_t *vreg_alloc(void);
void vreg_free(uint32_t *vreg);

/* Log a guest-caused problem once per vGPU and cause; always counted by the caller. */
void vgpu_warn_once(struct vgpu *v, enum warn_cause cause, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Log at info/warn level with the vGPU tag. */
void vgpu_log(struct vgpu *v, enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Stop emulating: reads all-ones, writes dropped, reason kept for xengt-ctl. */
void vgpu_enter_failsafe(struct vgpu *v, const char *reason);
/*
 * pvinfo.c: the reset values of the PV info page's guest-writable fields
 * into the reset image's template (a vGPU's page then starts with them).
 */
void pvinfo_reset_regs(struct vgpu *t);
/*
 * mmio_context.c: if v owns the physical GPU, switch it back to the host
 * (vgpu_destroy, no lock held). Never fails for the host switch-back.
 */
void mmio_context_release(struct vgpu *v);
/*
 * mmio_context.c: a guest write of val to MF_SAVE row r at off has just
 * updated v's register file; if v owns the physical GPU, write the new
 * value through to the physical register (masked rows: only the bits the
 * guest selected). v->lock held (the owner cannot change); takes gpu->lock.
 */
void mmio_context_write(struct vgpu *v, const struct mmio_reg *r, uint32_t off, uint32_t val);

#endif
