/* SPDX-License-Identifier: MIT */
/*
 * regs.c — the register file's behaviour, the same for a CPU access and
 * for a command (MI_LOAD_REGISTER_*): masked registers (the upper 16 bits
 * of a write select which lower bits change), GT IIR write-1-to-clear, the
 * RESET_CTL handshake, and registers whose value is live (timestamps).
 * Every other register is plain storage in the shared register file.
 */
#include <stddef.h>
#include <time.h>

#include "sg_int.h"

const struct sg_engine_info sg_engine_info[SOFTGPU_NR_ENGINES] = {
	[SOFTGPU_RCS] = { "rcs0", 0x02000, 0, 0 },
	[SOFTGPU_BCS] = { "bcs0", 0x22000, 0, 16 },
	[SOFTGPU_VCS] = { "vcs0", 0x12000, 1, 0 },
	[SOFTGPU_VECS] = { "vecs0", 0x1a000, 3, 0 },
};

enum reg_kind { REG_PLAIN, REG_MASKED, REG_W1C };

/* Masked registers of every engine (offsets from its base). */
static const uint16_t engine_masked[] = {
	SG_MI_MODE, SG_RESET_CTL, SG_CONTEXT_CONTROL, SG_RING_MODE, SG_CSB_PTR,
};
/* Registers outside the engines' blocks, with their kind. */
static const struct {
	uint32_t off;
	uint8_t kind;
} other_regs[] = {
	{ SG_BCS_SWCTRL, REG_MASKED },
	{ SG_GT_IIR(0), REG_W1C },
	{ SG_GT_IIR(1), REG_W1C },
	{ SG_GT_IIR(2), REG_W1C },
	{ SG_GT_IIR(3), REG_W1C },
};

uint64_t
sg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The command streamer timestamp: 12 MHz on Skylake (83.3 ns a tick). */
uint64_t
sg_timestamp(void)
{
	return sg_now_ns() * 3 / 250;
}

/* The engine whose block holds off (and the offset in it), or -1. */
static int
engine_of(uint32_t off, uint32_t *rel)
{
	for (int e = 0; e < SOFTGPU_NR_ENGINES; e++)
		if (off >= sg_engine_info[e].base && off < sg_engine_info[e].base + 0x1000) {
			*rel = off - sg_engine_info[e].base;
			return e;
		}
	return -1;
}

static enum reg_kind
reg_kind(uint32_t off)
{
	uint32_t rel;

	if (engine_of(off, &rel) >= 0) {
		for (size_t i = 0; i < sizeof(engine_masked) / sizeof(engine_masked[0]); i++)
			if (rel == engine_masked[i])
				return REG_MASKED;
		return REG_PLAIN;
	}
	for (size_t i = 0; i < sizeof(other_regs) / sizeof(other_regs[0]); i++)
		if (off == other_regs[i].off)
			return other_regs[i].kind;
	return REG_PLAIN;
}

uint32_t
sg_reg_read(struct softgpu *g, uint32_t off)
{
	uint32_t rel;

	if (engine_of(off, &rel) >= 0 && (rel == SG_TIMESTAMP || rel == SG_TIMESTAMP + 4)) {
		uint64_t ts = sg_timestamp();

		return rel == SG_TIMESTAMP ? (uint32_t)ts : (uint32_t)(ts >> 32);
	}
	return __atomic_load_n(&g->mmio[off >> 2], __ATOMIC_ACQUIRE);
}

void
sg_reg_write(struct softgpu *g, uint32_t off, uint32_t val)
{
	uint32_t *p = &g->mmio[off >> 2];
	uint32_t old, nv, rel = 0;

	switch (reg_kind(off)) {
	case REG_W1C:
		__atomic_fetch_and(p, ~val, __ATOMIC_ACQ_REL);
		return;
	case REG_MASKED:
		old = __atomic_load_n(p, __ATOMIC_RELAXED);
		do {
			uint32_t m = val >> 16;

			nv = (old & ~m & 0xffff) | (val & m & 0xffff);
			/* RESET_CTL: a reset request is answered with ready-to-reset at once. */
			if (engine_of(off, &rel) >= 0 && rel == SG_RESET_CTL)
				nv = (nv & 1) ? (nv | 2) : (nv & ~2u);
		} while (!__atomic_compare_exchange_n(p, &old, nv, false, __ATOMIC_ACQ_REL,
						      __ATOMIC_RELAXED));
		return;
	case REG_PLAIN:
		__atomic_store_n(p, val, __ATOMIC_RELEASE);
		return;
	}
}

void
sg_reg_or(struct softgpu *g, uint32_t off, uint32_t bits)
{
	__atomic_fetch_or(&g->mmio[off >> 2], bits, __ATOMIC_ACQ_REL);
}

/* A register as a command on r's engine reads it: the running context's ring head is live too. */
uint32_t
sg_reg_read_live(struct sg_run *r, uint32_t off)
{
	uint32_t rel = 0;
	int e = engine_of(off, &rel);

	if (e == (int)r->e->id && rel == SG_RING_HEAD)
		return r->head | r->head_hi;
	if (e == (int)r->e->id && rel == SG_CTX_TIMESTAMP)
		return (uint32_t)((sg_now_ns() - r->start_ns) * 3 / 250) +
		       __atomic_load_n(&r->g->mmio[off >> 2], __ATOMIC_RELAXED);
	return sg_reg_read(r->g, off);
}
