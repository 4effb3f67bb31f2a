/* SPDX-License-Identifier: MIT */
/*
 * sg_int.h — softgpu internals shared by its files: the handle, the
 * execution state (engines, event queue, host pool), one context's run
 * state, the opcode table's row format, and the helpers each file offers
 * the others. Not for use outside sim/softgpu/.
 */
#ifndef SIM_SOFTGPU_SG_INT_H
#define SIM_SOFTGPU_SG_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "softgpu.h"

#define SG_PAGE 4096u

/* ---- limits (softgpu_set_limits changes the first two) ---- */
#define SG_BUDGET_DEFAULT (1ull << 24)	/* commands per context run */
#define SG_SEM_TIMEOUT_MS_DEFAULT 2000u	/* an unsatisfied semaphore wait */
#define SG_MAX_CHAIN 1024u		/* batch starts inside one first-level batch */
#define SG_CMD_MAX 1026u		/* longest command: MI_STORE_DATA_IMM, 10-bit length */
#define SG_EVQ_MAX (1u << 20)		/* queued events before new ones are dropped */

/* ---- Gen9 registers (offsets from an engine's base; docs/execution.md) ---- */
#define SG_RING_TAIL	0x030
#define SG_RING_HEAD	0x034
#define SG_RING_START	0x038
#define SG_RING_CTL	0x03c
#define SG_HWS_PGA	0x080
#define SG_MI_MODE	0x09c
#define SG_RESET_CTL	0x0d0
#define SG_EXECLIST_STATUS_LO 0x234
#define SG_EXECLIST_STATUS_HI 0x238
#define SG_CONTEXT_CONTROL 0x244
#define SG_RING_MODE	0x29c
#define SG_TIMESTAMP	0x358	/* lo; hi at +4: the engine's 12 MHz timestamp */
#define SG_CSB(i)	(0x370 + 8 * (i))
#define SG_CSB_PTR	0x3a0	/* write pointer 2:0 (hardware), read pointer 10:8 (masked) */
#define SG_CTX_TIMESTAMP 0x3a8
#define SG_GPR(i)	(0x600 + 4 * (i))	/* 16 x 64-bit general purpose registers */
#define SG_CSB_ENTRIES	6
#define SG_CSB_RESET_PTR 5	/* reset value of both pointers: the first entry goes to 0 */

#define SG_GT_IIR(bank)	(0x44308 + 0x10 * (bank))
#define SG_GT_IMR(bank)	(0x44304 + 0x10 * (bank))
#define SG_GT_USER_BIT	0	/* in an engine's 16 interrupt bits */
#define SG_GT_CTX_SWITCH_BIT 8
#define SG_BCS_SWCTRL	0x22200	/* masked: bit 0 source Y-tiled, bit 1 destination Y-tiled */
#define SG_PS_DEPTH_COUNT 0x2350 /* lo; hi at +4 (PIPE_CONTROL post-sync op 2) */

/* Context image, register state page (LRCA + 4 KiB): value dword indexes. */
#define SG_CTX_RING_HEAD 0x05
#define SG_CTX_RING_TAIL 0x07
#define SG_CTX_RING_START 0x09
#define SG_CTX_RING_CTL	0x0b
#define SG_CTX_TIMESTAMP_DW 0x23
#define SG_CTX_PDP_UDW(n) (0x31 - 4 * (n))
#define SG_CTX_PDP_LDW(n) (0x33 - 4 * (n))
#define SG_CTX_DWORDS	0x34	/* dwords read from the register state page */

/* Descriptor (docs/execution.md). */
#define SG_DESC_VALID	1ull
#define SG_DESC_MODE(d)	((unsigned int)(((d) >> 3) & 3))
#define SG_DESC_LRCA(d)	((d) & 0xfffff000ull)
#define SG_DESC_ID(d)	((uint32_t)((d) >> 32))
#define SG_MODE_LEGACY_32B 1
#define SG_MODE_LEGACY_64B 3

/* Page table entries (gen8 format), GGTT and PPGTT. */
#define SG_PTE_PRESENT	(1ull << 0)
#define SG_PTE_RW	(1ull << 1)	/* PPGTT: clear = read-only (Gen9 honours it) */
#define SG_PDE_PS	(1ull << 7)	/* PDPE: 1 GiB page; PDE: 2 MiB page */
#define SG_PDE_IPS_64K	(1ull << 11)	/* PDE: its table maps 64 KiB pages (refused) */
#define SG_PTE_ADDR_MASK 0x00003ffffffff000ull	/* bits 45:12 */

/* ---- engines ---- */
struct sg_engine_info {
	const char *name;
	uint32_t base;		/* MMIO base */
	unsigned int bank;	/* GT interrupt bank */
	unsigned int shift;	/* its 16 bits in the bank */
};
extern const struct sg_engine_info sg_engine_info[SOFTGPU_NR_ENGINES];
#define SG_E(e) (1u << (e))	/* engine mask bit */

/* Skip counters: MI opcodes 0..63, 2D 64..191, 3D/media (bits 28:16) from 192. */
#define SG_KEY_MI(op)	(op)
#define SG_KEY_2D(op)	(64u + (op))
#define SG_KEY_3D(k)	(192u + (k))
#define SG_NR_KEYS	(192u + 8192u)

struct sg_engine {
	struct softgpu *g;
	enum softgpu_engine id;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;	/* guards everything below but stats' worker-only fields */
	pthread_cond_t wake;	/* the worker waits here for work */
	pthread_cond_t done;	/* reset waiters wait here */
	uint64_t pending[2];	/* the ELSP: a submission not yet taken */
	bool has_pending;
	bool hung;
	bool reset_req;
	bool stop;
	uint32_t attention;	/* atomic: non-zero when pending, reset or stop wants the worker */
	bool active;		/* worker only: between IDLE_ACTIVE and ACTIVE_IDLE */
	unsigned int csb_wp;	/* worker (and reset under lock): last CSB slot written */
	/* Blitter clip rectangle (XY_SETUP_CLIP_BLT): [x1, x2) x [y1, y2). Worker only. */
	int32_t clip[4];
	struct softgpu_engine_stats st; /* under lock (the worker adds at run end) */
	uint32_t *skips;	/* SG_NR_KEYS counters (atomic) */
	struct sg_run *run;	/* the worker's run state */
	/* Event coalescing (under the event lock): the last event and USER event queued. */
	uint64_t last_seq, user_seq;
	uint32_t user_ctx;
};

struct sg_exec {
	/*
	 * Machine memory (XENSIM_MEM_SIZE): this process's mapping of the
	 * machine, shared with libxensim, so that windows of external memory
	 * placed over it (sim/memwin.c: a QEMU guest's RAM) are what the
	 * engines read and write.
	 */
	uint8_t *mem;
	struct sim_machine *machine;	/* the reference that keeps mem mapped */
	struct sg_engine eng[SOFTGPU_NR_ENGINES];
	uint64_t budget;	/* atomic */
	uint32_t sem_timeout_ms; /* atomic */

	pthread_mutex_t ev_lock; /* the event queue */
	int efd;
	struct softgpu_event *evq;
	uint64_t *evseq;	/* sequence number of each queued event */
	uint32_t ev_head, ev_n, ev_cap;
	uint64_t ev_pushed, ev_popped, ev_dropped;

	pthread_mutex_t pool_lock; /* the host pool (pool.c) */
	uint64_t *pool_bits;	/* one bit per pool page: used */
	uint32_t pool_hint;	/* word to start the next search at */
	uint64_t pool_used;
	bool pool_owned;	/* this handle holds the pool (flock on the gpu file) */
};

struct softgpu {
	int fd;
	uint8_t *base;
	uint32_t *mmio;		/* shared: accessed with __atomic */
	uint64_t *ggtt;		/* shared: accessed with __atomic */
	char machine[64];
	pthread_mutex_t exec_lock; /* exec start */
	struct sg_exec *x;	/* NULL until softgpu_exec_start */
};

/* ---- one context's run (a worker's stack) ---- */

enum { SG_OK = 0, SG_FAULT = -1, SG_PREEMPT = -2, SG_ABORT = -3 };

struct sg_run {
	struct softgpu *g;
	struct sg_exec *x;
	struct sg_engine *e;
	uint64_t desc;
	uint32_t ctx_id;
	uint64_t lrca;
	unsigned int levels;	/* PPGTT walk levels: 3 (legacy 32-bit) or 4 */
	uint64_t pdp[4];	/* PDP0..3 (4 levels: PML4 in pdp[0]), machine addresses */
	uint32_t ring_start, ring_size, head, tail;
	uint32_t head_hi;	/* the image's RING_HEAD bits outside the offset (wrap count) */
	uint32_t ctx_ts;	/* the image's CTX_TIMESTAMP at load */
	uint64_t start_ns;
	/* Where commands come from: level 0 the ring, 1 a first-level batch, 2 a second-level one. */
	unsigned int level;
	uint64_t bb_addr[3];
	bool bb_ppgtt[3];
	unsigned int chain;	/* batch starts inside the current first-level batch */
	bool arb;		/* MI_ARB_ON_OFF */
	uint64_t budget;
	/* One-page fetch cache of the command stream. */
	uint64_t fc_page;
	bool fc_ppgtt, fc_valid;
	const uint8_t *fc_host;
	/* The command being executed. */
	uint64_t cmd_addr;
	bool cmd_ppgtt;		/* the address space of the buffer it came from */
	uint32_t cmd[SG_CMD_MAX];
	/* Outcome. */
	uint32_t fault;
	uint64_t fault_addr;
	char why[96];
	/* Counters added to the engine's stats at the end of the run. */
	uint64_t n_cmds, n_skipped, n_batches, n_user, n_blit_bytes;
	/* Blit row buffers (blit.c), allocated on first use. */
	uint8_t *rowbuf[2];
};

/* ---- the opcode table (cmd_table.c) ---- */

typedef int (*sg_cmd_fn)(struct sg_run *r, const uint32_t *c, unsigned int n);

struct sg_cmd {
	uint32_t mask, value;	/* dw0 & mask == value */
	const char *name;
	uint8_t engines;	/* SG_E() bits it is valid on */
	uint8_t bias;		/* length = (dw0 & len_mask) + bias dwords */
	uint16_t len_mask;	/* 0: always `bias` dwords */
	uint16_t min, max;	/* accepted lengths */
	sg_cmd_fn exec;		/* NULL: parsed and skipped (counted) */
};

/* The row of dw0's opcode, or NULL (unknown: a fault); the caller checks the engine. */
const struct sg_cmd *sg_cmd_lookup(uint32_t dw0);
/* The skip-counter key of dw0 (SG_KEY_*), or SG_NR_KEYS if it has none. */
unsigned int sg_cmd_key(uint32_t dw0);
/* Check the table (rows well formed, no two rows for one opcode): 0 or -EINVAL. */
int sg_cmd_table_check(void);

/* ---- softgpu.c / regs ---- */
uint32_t sg_reg_read(struct softgpu *g, uint32_t off);
void sg_reg_write(struct softgpu *g, uint32_t off, uint32_t val);
/* The register as the GPU reads it (live timestamps) from engine e's commands. */
uint32_t sg_reg_read_live(struct sg_run *r, uint32_t off);
void sg_reg_or(struct softgpu *g, uint32_t off, uint32_t bits);
uint64_t sg_timestamp(void);	/* 12 MHz ticks */
uint64_t sg_now_ns(void);

/* ---- gm.c: graphics memory ---- */
/* Machine memory [maddr, maddr + len) for this process, or NULL if outside. */
uint8_t *sg_mem(struct sg_exec *x, uint64_t maddr, uint64_t len);
/* GGTT: the machine address of gma, or -1 (not present / outside). */
int sg_ggtt_xlate(struct softgpu *g, uint64_t gma, uint64_t *maddr);
/* PPGTT walk (ppgtt_walk.c): 0, or -1 with *why. */
int sg_ppgtt_xlate(struct sg_exec *x, unsigned int levels, const uint64_t pdp[4], uint64_t va,
		   bool write, uint64_t *maddr, const char **why);
/*
 * The host address of gma in the run's GGTT or PPGTT, valid to the end of
 * its page (*avail bytes). SG_OK, or SG_FAULT with the fault recorded.
 */
int sg_gm_page(struct sg_run *r, bool ppgtt, uint64_t gma, bool write, uint8_t **host,
	       uint32_t *avail);
/* The same, extended over following pages contiguous in machine memory, up to max bytes. */
int sg_gm_span(struct sg_run *r, bool ppgtt, uint64_t gma, bool write, uint64_t max, uint8_t **host,
	       uint64_t *len);
int sg_gm_read(struct sg_run *r, bool ppgtt, uint64_t gma, void *buf, uint64_t len);
int sg_gm_write(struct sg_run *r, bool ppgtt, uint64_t gma, const void *buf, uint64_t len);
int sg_gm_write32(struct sg_run *r, bool ppgtt, uint64_t gma, uint32_t v);
int sg_gm_write64(struct sg_run *r, bool ppgtt, uint64_t gma, uint64_t v);
int sg_gm_read32(struct sg_run *r, bool ppgtt, uint64_t gma, uint32_t *v);
/* Record a fault in r (first one wins); returns SG_FAULT. */
int sg_fault(struct sg_run *r, uint32_t kind, uint64_t addr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- cmd_exec.c ---- */
/* Run r's context from head to tail: SG_OK (ring empty), SG_FAULT, SG_PREEMPT, SG_ABORT. */
int sg_run_context(struct sg_run *r);
/* What the worker checks between commands: SG_OK, SG_ABORT (reset/stop), SG_PREEMPT (arb point). */
int sg_check_attention(struct sg_run *r, bool arb_point);
/* MI handlers, used by the table. */
int sg_mi_noop(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_user_interrupt(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_arb_check(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_arb_on_off(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_bb_end(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_bb_start(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_lri(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_lrm(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_lrr(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_srm(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_sdi(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_store_index(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_copy_mem(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_flush_dw(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_mi_semaphore_wait(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_pipe_control(struct sg_run *r, const uint32_t *c, unsigned int n);

/* ---- blit.c ---- */
int sg_blt_setup_clip(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_blt_color(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_blt_src_copy(struct sg_run *r, const uint32_t *c, unsigned int n);
int sg_blt_fast_copy(struct sg_run *r, const uint32_t *c, unsigned int n);
void sg_blt_free(struct sg_run *r);

/* ---- csb.c: what the engine reports ---- */
/* A CSB entry: registers, status page, context-switch interrupt, event. */
void sg_csb(struct sg_engine *e, uint32_t status, uint32_t ctx_id, uint32_t event_ctx,
	    uint32_t head);
void sg_user_interrupt(struct sg_engine *e, uint32_t ctx_id, uint32_t head);
void sg_fault_event(struct sg_engine *e, uint32_t ctx_id, uint32_t head, uint32_t kind,
		    uint64_t addr, const char *why);
/* Engine reset's part: CSB pointers back to their reset value (lock held). */
void sg_csb_reset(struct sg_engine *e);
int sg_events_init(struct sg_exec *x);
void sg_events_fini(struct sg_exec *x);

/* ---- engine.c ---- */
void sg_exec_stop(struct softgpu *g);

/* ---- pool.c ---- */
void sg_pool_fini(struct softgpu *g, struct sg_exec *x);

#endif
