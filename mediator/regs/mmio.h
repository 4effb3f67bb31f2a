/* SPDX-License-Identifier: MIT */
/*
 * mmio.h — the row format of the register tables and the calls a module
 * uses to read/write its vGPU's virtual registers. Each module owns the
 * rows of the registers it emulates (irq.c: interrupt banks, display.c:
 * pipes/planes, ...); mmio_tables.c lists the tables; mmio.c checks,
 * indexes and dispatches them. All offsets are BAR0-relative ("off").
 */
#ifndef MEDIATOR_MMIO_H
#define MEDIATOR_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgpu;

/* Size of the register part of BAR0 (Gen9: 2 MiB). */
#define MMIO_REG_SIZE 0x200000u

/*
 * Per-register handlers work on one aligned dword. The dispatcher splits
 * 8-byte accesses into two dwords and merges sub-dword accesses
 * (read-modify-write on the virtual value) before calling them.
 * Return 0, or -errno for an access the handler refuses (already logged).
 */
typedef int mmio_read_fn(struct vgpu *v, uint32_t off, uint32_t *val);
typedef int mmio_write_fn(struct vgpu *v, uint32_t off, uint32_t val);
/*
 * An 8-byte write at a qword-aligned off inside the row, taken as one
 * value: for registers the hardware treats as one 64-bit register (the
 * fences), where checking each dword against the other's old value would
 * refuse a valid qword. Same returns as mmio_write_fn.
 */
typedef int mmio_write64_fn(struct vgpu *v, uint32_t off, uint64_t val);

/* Row flags. */
#define MF_VIRT	  (1u << 0) /* virtual only: never touches the physical GPU */
#define MF_SAVE	  (1u << 1) /* per-context: saved/restored at vGPU switch, and written
			     * through to the physical register while the vGPU owns the GPU
			     * (overrides MF_VIRT then; mmio_context.c) */
#define MF_MASKED (1u << 2) /* masked write: bits 31:16 select which of 15:0 change */
#define MF_RO	  (1u << 3) /* whole register read-only (writes dropped, counted) */
#define MF_NOLOG  (1u << 4) /* writes that hit ro_mask bits are not logged */

struct mmio_reg {
	uint32_t off;	    /* first byte, dword aligned */
	uint32_t size;	    /* bytes covered by this row (multiple of 4); blocks allowed */
	uint32_t flags;	    /* MF_* */
	uint32_t ro_mask;   /* bits the guest cannot change */
	uint32_t w1c_mask;  /* bits cleared by writing 1 */
	uint32_t reset;	    /* value at vGPU creation/reset (every dword of a block) */
	mmio_read_fn *read; /* NULL: the virtual value */
	mmio_write_fn *write; /* NULL: default policy (masks applied to the virtual value) */
	mmio_write64_fn *write64; /* 8-byte writes (row qword aligned, not MF_SAVE);
				   * NULL: two dword writes, low first */
	const char *name;
};

/* A module's table: rows sorted by offset. */
struct mmio_table {
	const char *module;
	const struct mmio_reg *regs;
	size_t nregs;
};

/* Designated-initializer helper: .off and .name from one symbol. */
#define REG(r) .off = (r), .name = #r

/* Raw virtual register value (no policy), for handlers of this vGPU. */
uint32_t vreg_get(const struct vgpu *v, uint32_t off);
void vreg_set(struct vgpu *v, uint32_t off, uint32_t val);
/* Apply a row's default write policy (ro/w1c/masked) to the virtual value. */
uint32_t mmio_apply_write(const struct mmio_reg *r, uint32_t old, uint32_t val);

/* ---- the register engine (mmio.c) ---- */

/*
 * Check one table: rows sorted, non-overlapping, dword aligned, sizes a
 * non-zero multiple of 4, inside MMIO_REG_SIZE, named; rows with write64
 * qword aligned and sized, not MF_SAVE. Returns 0 or
 * -EINVAL with err naming the first bad row. Also run by a unit test.
 */
int mmio_table_check(const struct mmio_reg *regs, size_t n, char *err, size_t errlen);
/* The row covering off, or NULL (after mmio_init built the index). */
const struct mmio_reg *mmio_find(uint32_t off);
/*
 * Build the shared index once (first call) and reset v's unknown-register
 * bookkeeping. The reset values come with the register file (vreg.c).
 */
int mmio_init(struct vgpu *v);
/* Every row's reset value into the register file of the reset image's template. */
void mmio_reset_regs(struct vgpu *t);
/* Build the shared index if not yet built (any thread). Returns 0 or -errno. */
int mmio_index_init(void);
/* Row i (0 <= i < mmio_row_count(), sorted by offset) of the merged tables, after mmio_index_init. */
size_t mmio_row_count(void);
const struct mmio_reg *mmio_row(size_t i);
void mmio_fini(struct vgpu *v);
/*
 * A guest register access at BAR0 offset off (< MMIO_REG_SIZE) of size
 * 1/2/4/8, naturally aligned (the caller checked). 8-byte accesses are
 * split into two dwords (8-byte writes go whole to a row's write64),
 * 1/2-byte ones merged into their dword. Unknown
 * registers follow v->cfg.unknown. Lock held. Returns 0 or -errno.
 */
int mmio_access(struct vgpu *v, bool write, uint32_t off, unsigned int size, uint64_t *val);

#endif
