/* SPDX-License-Identifier: MIT */
/*
 * libguest.h — a small guest-side GPU driver for the simulated machine:
 * what i915 does under GVT-g, step by step, on one guest vCPU. Probe the
 * PCI device and its BARs (pci.c), find the PV info page and balloon to
 * the GM ranges it names (pvinfo.c), allocate objects in that GM and
 * write their GGTT entries through BAR0 (mem.c), build a 4-level PPGTT in
 * guest RAM and announce it (ppgtt.c), fill rings and batches (cmd.c),
 * build logical context images (ctx.c), enable execlists, submit through
 * ELSP and wait for the MSI and the CSB (engine.c), show a framebuffer on
 * a display plane (display.c), draw and check patterns (pattern.c).
 *
 * Every access is a guest access on the vCPU (sim_mem_read/write,
 * sim_pio_*): registers and GGTT entries trap, the aperture goes direct,
 * page-table writes go through the guest's own (possibly write-protected)
 * RAM. Plain guest RAM the device model never tracks (object contents,
 * rings, context images) is written through the CPU's view of it
 * (sim_guest_ram). Functions return 0 or -errno; the reason is in g->err.
 */
#ifndef TOOLS_GUEST_LIBGUEST_H
#define TOOLS_GUEST_LIBGUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/guest/gen9.h"

struct sim_vcpu;

/* A bump allocator over one range. */
struct grange {
	uint64_t base, end, next;
};

/* One guest's view of its vGPU. */
struct gdev {
	struct sim_vcpu *c;
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint64_t bar0, bar2, bar2_size;
	uint16_t bar4;
	unsigned int msi_cap;		/* config offset of the MSI capability (0: none) */
	/* PV info (gdev_pvinfo) */
	bool is_vgpu;
	uint16_t pv_major, pv_minor;
	uint32_t vgt_id, caps, fences;
	uint64_t low_base, low_size, high_base, high_size;
	/* Ballooned allocators (gdev_balloon): aperture GM, hidden GM, guest RAM, PPGTT VA. */
	struct grange low, high, ram, gva;
	/* Interrupts seen by gdev_wait_irq. */
	uint64_t msis;
	uint32_t gt_iir_seen[4];	/* GT bank IIR bits acked, OR'ed */
	char err[256];			/* why the last call failed */
};

/* A GPU object: guest RAM pages, optionally mapped in the GGTT and/or a PPGTT. */
struct gobj {
	uint64_t size;		/* bytes, page multiple */
	uint64_t gpa;		/* guest RAM (contiguous) */
	uint64_t gma;		/* GGTT address (0: not in the GGTT) */
	uint64_t gva;		/* PPGTT address (0: not bound) */
	bool mappable;		/* its gma is in the aperture part */
	void *cpu;		/* the guest CPU's view of its pages */
};

/* A 4-level PPGTT in guest RAM. */
struct gppgtt {
	struct gdev *g;
	uint64_t pml4;		/* guest physical */
	unsigned int tables;	/* table pages allocated (PML4 included) */
	uint64_t pte_writes;	/* entries written (each a guest write, trapped once protected) */
	bool announced;
};

/* A logical context of one engine: its image, its ring. */
struct gctx {
	struct gdev *g;
	enum g9_engine engine;
	struct gobj image;	/* PPHWSP page + register state (hidden GM, GGTT) */
	struct gobj ring;	/* hidden GM, GGTT */
	uint32_t tail;		/* bytes */
	uint32_t ctx_id;	/* upper dword of the descriptor */
	uint64_t desc;
	struct gppgtt *vm;
};

/* One CSB entry as the guest read it from its status page. */
struct gcsb {
	uint32_t status, ctx_id;
};

/* An engine as the guest driver runs it with execlists. */
struct gengine {
	struct gdev *g;
	enum g9_engine id;
	uint32_t base;		/* MMIO base */
	struct gobj hwsp;	/* global status page (HWS_PGA), hidden GM */
	unsigned int csb_read;	/* last CSB slot consumed (reset: 5) */
	uint64_t submits, completes;
	uint64_t csb_entries;	/* CSB entries read */
	struct gcsb log[64];	/* the first 64 CSB entries read, in order */
	unsigned int nlog;
};

/* Command buffer being filled (a ring or a batch): dwords into an object. */
struct gcmd {
	uint32_t *dw;
	uint32_t n, cap;	/* dwords */
};

/* ---- pci.c: configuration space, probe ---- */

/*
 * Config cycles through CF8/CFC on c, as a guest makes them: the latch
 * selects reg's dword, the data port reg & 3 within it (any size the port
 * takes, whatever it crosses: hardware does not check). 0, -EINVAL for
 * reg > 0xff (beyond CF8's reach), or the simulator's -errno.
 */
int gpci_cfg_read(struct sim_vcpu *c, uint8_t bus, uint8_t dev, uint8_t fn, unsigned int reg,
		  unsigned int size, uint32_t *val);
int gpci_cfg_write(struct sim_vcpu *c, uint8_t bus, uint8_t dev, uint8_t fn, unsigned int reg,
		   unsigned int size, uint32_t val);
/*
 * Probe the GPU at bus:dev.fn: Intel display class, BAR0 (registers +
 * GGTT) and BAR2 (aperture) as firmware placed them (BAR2 sized with
 * decoding off, as the OS does at enumeration), the MSI capability;
 * enable memory decoding and bus mastering. -ENODEV not an Intel GPU.
 */
int gdev_probe(struct gdev *g, struct sim_vcpu *c, uint8_t bus, uint8_t dev, uint8_t fn);
/* Program and enable MSI with addr/data (32-bit address format). -ENOTSUP without the capability. */
int gdev_msi_enable(struct gdev *g, uint64_t addr, uint32_t data);

/* ---- pvinfo.c: vGPU detection, ballooning ---- */

/*
 * Read the PV info page: magic, version, vgt id, caps, GM ranges, fences.
 * -ENODEV no vGPU (bad magic), -EPROTONOSUPPORT version not 1.x,
 * -EOPNOTSUPP missing caps i915 needs (full PPGTT, HWSP emulation).
 */
int gdev_pvinfo(struct gdev *g);
/*
 * Balloon: allocate GM only inside the two ranges the PV info page named,
 * guest RAM for objects and page tables only in [ram_lo, ram_hi).
 */
int gdev_balloon(struct gdev *g, uint64_t ram_lo, uint64_t ram_hi);

/* Default guest RAM the library takes objects and page tables from (a 64 MiB guest). */
#define GUEST_RAM_LO (16ull << 20)
#define GUEST_RAM_HI (48ull << 20)
/* probe + PV info + balloon, as a driver's load does them. */
int gdev_bringup(struct gdev *g, struct sim_vcpu *c, uint8_t bus, uint8_t dev, uint8_t fn,
		 uint64_t ram_lo, uint64_t ram_hi);

/* ---- mem.c: registers, allocators, GGTT, objects, the aperture ---- */

int gdev_readl(struct gdev *g, uint32_t off, uint32_t *val);
int gdev_writel(struct gdev *g, uint32_t off, uint32_t val);
int gdev_readq(struct gdev *g, uint32_t off, uint64_t *val);
int gdev_writeq(struct gdev *g, uint32_t off, uint64_t val);
/* Bump allocation of size bytes aligned to align (a power of two). -ENOSPC when it runs out. */
int grange_alloc(struct gdev *g, struct grange *r, const char *what, uint64_t size,
		 uint64_t align, uint64_t *out);
/* npages zeroed pages of guest RAM. */
int gdev_ram_alloc(struct gdev *g, unsigned int npages, uint64_t *gpa);
/* The guest CPU's view of [gpa, gpa+len) of its RAM; NULL if not RAM. */
void *gdev_ram(struct gdev *g, uint64_t gpa, size_t len);
/* Write GGTT entries for npages at gma -> gpa (present) through BAR0. */
int gdev_ggtt_map(struct gdev *g, uint64_t gma, uint64_t gpa, unsigned int npages);
/* An object of size bytes: RAM pages, and a GGTT mapping in the aperture (mappable) or hidden GM. */
int gobj_new(struct gdev *g, uint64_t size, bool mappable, struct gobj *o);
/* An object only a PPGTT reaches (no GGTT entry). */
int gobj_new_unmapped(struct gdev *g, uint64_t size, struct gobj *o);
/* CPU accesses through the aperture (BAR2 + gma): direct, never trapped. */
int gdev_aperture_write(struct gdev *g, uint64_t gma, const void *buf, size_t len);
int gdev_aperture_read(struct gdev *g, uint64_t gma, void *buf, size_t len);

/* ---- ppgtt.c: a 4-level PPGTT in guest RAM ---- */

/* Allocate an empty PML4 and announce it (g2v PPGTT_L4_CREATE with pdp[0]). */
int gppgtt_new(struct gdev *g, struct gppgtt *vm);
/* Map npages at gva -> gpa (present, writable), allocating tables on the way. */
int gppgtt_map(struct gppgtt *vm, uint64_t gva, uint64_t gpa, unsigned int npages);
/* Give o a PPGTT address (from g->gva) and map it there. */
int gppgtt_bind(struct gppgtt *vm, struct gobj *o);
/* Walk the tables as the GPU would (guest reads): the gpa behind gva. -EFAULT unmapped. */
int gppgtt_lookup(struct gppgtt *vm, uint64_t gva, uint64_t *gpa);
/* Announce its end (g2v PPGTT_L4_DESTROY). */
int gppgtt_destroy(struct gppgtt *vm);

/* ---- cmd.c: command encodings (pure: dwords into a buffer) ---- */

void gcmd_init(struct gcmd *b, void *mem, uint32_t cap_dwords);
/* Each emitter returns 0, or -ENOSPC (nothing emitted) when the buffer is full. */
int gcmd_dw(struct gcmd *b, uint32_t dw);
int gcmd_noop(struct gcmd *b);
int gcmd_bb_end(struct gcmd *b);
int gcmd_user_interrupt(struct gcmd *b);
int gcmd_arb_check(struct gcmd *b);
int gcmd_bb_start(struct gcmd *b, uint64_t addr, bool ppgtt);
int gcmd_store_dw(struct gcmd *b, uint64_t addr, bool ggtt, uint32_t val);
int gcmd_lri(struct gcmd *b, uint32_t reg, uint32_t val);
int gcmd_flush_dw(struct gcmd *b, uint64_t ggtt_addr, uint32_t val);
/* 32-bpp blits: rectangles [x1,x2) x [y1,y2); pitches in bytes; addresses as the context sees them. */
int gcmd_color_blt(struct gcmd *b, uint64_t dst, uint32_t pitch, uint32_t x1, uint32_t y1,
		   uint32_t x2, uint32_t y2, uint32_t color);
int gcmd_src_copy_blt(struct gcmd *b, uint64_t dst, uint32_t dst_pitch, uint32_t dx, uint32_t dy,
		      uint32_t w, uint32_t h, uint64_t src, uint32_t src_pitch, uint32_t sx,
		      uint32_t sy);
int gcmd_fast_copy_blt(struct gcmd *b, uint64_t dst, uint32_t dst_pitch, uint32_t dx,
		       uint32_t dy, uint32_t w, uint32_t h, uint64_t src, uint32_t src_pitch,
		       uint32_t sx, uint32_t sy);
/* Pad with MI_NOOP to an even dword count (qword aligned end). */
int gcmd_align_qw(struct gcmd *b);

/* ---- ctx.c: logical context images ---- */

/* MMIO base and context image pages of an engine. */
uint32_t g9_engine_base(enum g9_engine e);
unsigned int g9_engine_ctx_pages(enum g9_engine e);
const char *g9_engine_name(enum g9_engine e);
/*
 * A context of engine e on vm (4-level PPGTT): its image in hidden GM with
 * the register state i915 writes (LRI blocks; CONTEXT_CONTROL, ring
 * registers, BB_STATE, PDP0 = PML4), a ring of ring_pages in hidden GM,
 * and its descriptor (valid, privilege, legacy 64-bit, LRCA, ctx_id).
 */
int gctx_new(struct gdev *g, enum g9_engine e, struct gppgtt *vm, unsigned int ring_pages,
	     uint32_t ctx_id, struct gctx *ctx);
/* Append the commands of b to the ring (wrapping with MI_NOOP padding) and set RING_TAIL in the image. */
int gctx_ring_append(struct gctx *ctx, const struct gcmd *b);
/* A dword of the register state page (index as in gen9.h CTX_*). */
uint32_t gctx_reg(const struct gctx *ctx, unsigned int idx);

/* ---- engine.c: execlists, ELSP, MSI, CSB ---- */

/*
 * Bring engine e up as i915's execlists resume does: a global status page
 * (HWS_PGA) with the CSB write pointer at its reset value, RING_MODE
 * execlist enable, MI_MODE STOP_RING off, the engine's user and
 * context-switch interrupts unmasked in its IMR and GT bank, master on.
 */
int gengine_init(struct gdev *g, enum g9_engine e, struct gengine *eng);
/* ELSP: element 1 (may be NULL) then element 0, four dword writes. */
int gengine_submit(struct gengine *eng, struct gctx *c0, struct gctx *c1);
/*
 * Wait until the CSB shows ctx_id complete, interrupt-driven: on each MSI
 * ack the GT bank the way an interrupt handler does, then read the new
 * entries from the status page (write pointer at dword 0x1f) and move the
 * read pointer in CSB_PTR. -ETIMEDOUT after timeout_ms (err says what was
 * seen, including a completion that came without its MSI). *csb (may be
 * NULL) gets the entries of this wait.
 */
int gengine_wait(struct gengine *eng, uint32_t ctx_id, int timeout_ms, struct gcsb *csb,
		 unsigned int max, unsigned int *n);
/*
 * Wait, interrupt-driven, until the dword *seqno (guest RAM the GPU
 * writes, e.g. with MI_STORE_DATA_IMM before MI_USER_INTERRUPT) has
 * reached target (serial-number order), consuming CSB entries on the
 * way: how a driver waits for one request while later ones are queued
 * behind it. -ETIMEDOUT after timeout_ms.
 */
int gengine_wait_seqno(struct gengine *eng, const volatile uint32_t *seqno, uint32_t target,
		       int timeout_ms);
/* Submit ctx alone and wait for it: gengine_submit + gengine_wait. */
int gengine_run(struct gengine *eng, struct gctx *ctx, int timeout_ms);

/* ---- display.c: a plane showing a framebuffer ---- */

/*
 * Show fb (xrgb8888, linear, w x h, stride bytes; GGTT-mapped) on pipe's
 * primary plane: timings for w x h, PIPESRC, plane stride/size/position,
 * PLANE_CTL, PLANE_SURF, pipe on; waits (bounded) until PLANE_SURFLIVE
 * shows it.
 */
int gdisplay_show(struct gdev *g, unsigned int pipe, const struct gobj *fb, unsigned int w,
		  unsigned int h, unsigned int stride);

/* ---- pattern.c: what guest programs draw ---- */

#define GPATTERN_NR 4
/* A pattern: a tile of colored rectangles, repeated over the surface. */
struct gpattern {
	const char *name;
	unsigned int tw, th;	/* tile size (0: the whole surface) */
	unsigned int nrects;
	struct { uint32_t x1, y1, x2, y2, color; } rect[8];
};
/* Pattern kind (0..GPATTERN_NR-1) for a w x h surface, colors varied by seed. -EINVAL bad kind/size. */
int gpattern_get(unsigned int kind, unsigned int w, unsigned int h, uint32_t seed,
		 struct gpattern *p);
/* The color the pattern puts at (x, y) (0x00RRGGBB). */
uint32_t gpattern_pixel(const struct gpattern *p, unsigned int x, unsigned int y);
/*
 * Commands drawing p on the GPU into back (a PPGTT-bound object, pitch
 * bytes), with XY_COLOR_BLT (the first tile), XY_SRC_COPY_BLT (the other
 * tiles from the first) and XY_FAST_COPY_BLT (back -> front), then
 * MI_STORE_DATA_IMM of seqno at seqno_gva and MI_BATCH_BUFFER_END.
 */
int gpattern_batch(const struct gpattern *p, struct gcmd *b, uint64_t back, uint64_t front,
		   uint32_t pitch, unsigned int w, unsigned int h, uint64_t seqno_gva,
		   uint32_t seqno);
/* Draw p with the CPU through the aperture (the fallback without execution). */
int gpattern_cpu_draw(struct gdev *g, const struct gpattern *p, const struct gobj *fb,
		      uint32_t pitch, unsigned int w, unsigned int h);
/*
 * Read fb back through the aperture and compare with p: the number of
 * wrong pixels (0: exact), the first one in err. < 0 on access failure.
 */
long gpattern_check(struct gdev *g, const struct gpattern *p, const struct gobj *fb,
		    uint32_t pitch, unsigned int w, unsigned int h);

/* ---- env.c: a guest program started by xengt-script --program ---- */

/* What the runner tells a guest program (XENGT_GUEST_* in the environment). */
struct genv {
	char machine[64];
	uint32_t domid;
	uint8_t bus, dev, fn;
	unsigned int index, count;	/* this guest among count */
	char prefix[16];		/* "[dN] " or "" before every line */
};
/* Read the environment; -EINVAL (message on stderr) if it is not the runner's. */
int genv_read(struct genv *e);
/*
 * A program's start on its vGPU: attach to vCPU 0 of its domain, probe, PV
 * info, balloon (GUEST_RAM_LO..HI) and MSI on (data 0x4030 + index). 0 or
 * -errno (an attach failure is printed, the others are in g->err).
 */
int genv_start(const struct genv *e, struct gdev *g, const char *name);
/* CLOCK_MONOTONIC in microseconds, for the programs' throughput lines. */
uint64_t genv_now_us(void);
/* Exit status of a guest program that skipped (the runner prints it as skipped). */
#define GUEST_EXIT_SKIP 77

#endif
