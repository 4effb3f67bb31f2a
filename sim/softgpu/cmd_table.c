/* SPDX-License-Identifier: MIT */
/*
 * cmd_table.c — the GPU's own opcode table (Gen9): which commands each
 * engine knows, how long each is, and what executes it. A command not in
 * the table, or on an engine it is not for, is an OPCODE fault: softgpu
 * never guesses. Rows without a handler are 3D/media state (and the draw
 * call of i915's null render state) that softgpu cannot draw with: parsed
 * by length and skipped, with a counter per opcode. The table is indexed
 * once at start and checked (no row malformed, no opcode claimed twice).
 * Layouts: Gen9 PRM vol 2a, i915 gt/intel_gpu_commands.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>

#include "sg_int.h"

#define ALL (SG_E(SOFTGPU_RCS) | SG_E(SOFTGPU_BCS) | SG_E(SOFTGPU_VCS) | SG_E(SOFTGPU_VECS))
#define RCS SG_E(SOFTGPU_RCS)
#define BCS SG_E(SOFTGPU_BCS)
#define XCS (SG_E(SOFTGPU_BCS) | SG_E(SOFTGPU_VCS) | SG_E(SOFTGPU_VECS))

/* Match masks: the bits that make the opcode of each command type. */
#define MI_MASK 0xff800000u	/* type 0, opcode 28:23 */
#define BLT_MASK 0xffc00000u	/* type 2, opcode 28:22 */
#define GFX_MASK 0xffff0000u	/* type 3, subtype 28:27, opcode 26:24, sub-opcode 23:16 */

#define MI(op) (((uint32_t)(op)) << 23)
#define BLT(op) ((2u << 29) | ((uint32_t)(op) << 22))
#define GFX(st, op, sub) ((3u << 29) | ((uint32_t)(st) << 27) | ((uint32_t)(op) << 24) | \
			  ((uint32_t)(sub) << 16))

/* One-dword command; variable length (dw0 & lm) + 2 in [lo, hi]. */
#define ONE(m, v, name, eng, fn) { m, v, name, eng, 1, 0, 1, 1, fn }
#define VAR(m, v, name, eng, lm, lo, hi, fn) { m, v, name, eng, 2, lm, lo, hi, fn }

static const struct sg_cmd cmd_table[] = {
	/* MI: the command streamer itself. */
	ONE(MI_MASK, MI(0x00), "MI_NOOP", ALL, sg_mi_noop),
	ONE(MI_MASK, MI(0x01), "MI_SET_PREDICATE", ALL, NULL),
	ONE(MI_MASK, MI(0x02), "MI_USER_INTERRUPT", ALL, sg_mi_user_interrupt),
	ONE(MI_MASK, MI(0x05), "MI_ARB_CHECK", ALL, sg_mi_arb_check),
	ONE(MI_MASK, MI(0x06), "MI_RS_CONTROL", RCS, NULL),
	ONE(MI_MASK, MI(0x08), "MI_ARB_ON_OFF", ALL, sg_mi_arb_on_off),
	ONE(MI_MASK, MI(0x09), "MI_URB_ATOMIC_ALLOC", RCS, NULL),
	ONE(MI_MASK, MI(0x0a), "MI_BATCH_BUFFER_END", ALL, sg_mi_bb_end),
	ONE(MI_MASK, MI(0x0b), "MI_SUSPEND_FLUSH", ALL, NULL),
	ONE(MI_MASK, MI(0x0c), "MI_PREDICATE", RCS, NULL),
	ONE(MI_MASK, MI(0x0d), "MI_TOPOLOGY_FILTER", RCS, NULL),
	ONE(MI_MASK, MI(0x0e), "MI_SET_APPID", ALL, NULL),
	ONE(MI_MASK, MI(0x0f), "MI_RS_CONTEXT", RCS, NULL),
	VAR(MI_MASK, MI(0x1c), "MI_SEMAPHORE_WAIT", ALL, 0xff, 4, 4, sg_mi_semaphore_wait),
	VAR(MI_MASK, MI(0x20), "MI_STORE_DATA_IMM", ALL, 0x3ff, 4, 1025, sg_mi_sdi),
	VAR(MI_MASK, MI(0x21), "MI_STORE_DATA_INDEX", ALL, 0xff, 3, 4, sg_mi_store_index),
	VAR(MI_MASK, MI(0x22), "MI_LOAD_REGISTER_IMM", ALL, 0xff, 3, 257, sg_mi_lri),
	VAR(MI_MASK, MI(0x24), "MI_STORE_REGISTER_MEM", ALL, 0xff, 4, 4, sg_mi_srm),
	VAR(MI_MASK, MI(0x26), "MI_FLUSH_DW", XCS, 0x3f, 4, 5, sg_mi_flush_dw),
	VAR(MI_MASK, MI(0x29), "MI_LOAD_REGISTER_MEM", ALL, 0xff, 4, 4, sg_mi_lrm),
	VAR(MI_MASK, MI(0x2a), "MI_LOAD_REGISTER_REG", ALL, 0xff, 3, 3, sg_mi_lrr),
	VAR(MI_MASK, MI(0x2e), "MI_COPY_MEM_MEM", ALL, 0xff, 5, 5, sg_mi_copy_mem),
	VAR(MI_MASK, MI(0x31), "MI_BATCH_BUFFER_START", ALL, 0xff, 3, 3, sg_mi_bb_start),

	/* 2D: the blitter. */
	VAR(BLT_MASK, BLT(0x03), "XY_SETUP_CLIP_BLT", BCS, 0xff, 3, 3, sg_blt_setup_clip),
	VAR(BLT_MASK, BLT(0x42), "XY_FAST_COPY_BLT", BCS, 0xff, 10, 10, sg_blt_fast_copy),
	VAR(BLT_MASK, BLT(0x50), "XY_COLOR_BLT", BCS, 0xff, 7, 7, sg_blt_color),
	VAR(BLT_MASK, BLT(0x53), "XY_SRC_COPY_BLT", BCS, 0xff, 10, 10, sg_blt_src_copy),

	/* 3D/media on the render engine. */
	VAR(GFX_MASK, GFX(3, 2, 0), "PIPE_CONTROL", RCS, 0xff, 5, 6, sg_pipe_control),
	VAR(0xff000000u, GFX(3, 0, 0), "3DSTATE_* (pipelined)", RCS, 0xff, 2, 257, NULL),
	VAR(0xff000000u, GFX(3, 1, 0), "3DSTATE_* (non-pipelined)", RCS, 0xff, 2, 257, NULL),
	VAR(GFX_MASK, GFX(3, 3, 0), "3DPRIMITIVE", RCS, 0xff, 7, 7, NULL),
	ONE(GFX_MASK, GFX(1, 1, 4), "PIPELINE_SELECT", RCS, NULL),
	ONE(GFX_MASK, GFX(1, 0, 0x0b), "3DSTATE_VF_STATISTICS", RCS, NULL),
	VAR(GFX_MASK, GFX(0, 1, 1), "STATE_BASE_ADDRESS", RCS, 0xff, 19, 19, NULL),
	VAR(GFX_MASK, GFX(0, 1, 2), "STATE_SIP", RCS, 0xff, 3, 3, NULL),
	VAR(GFX_MASK, GFX(2, 0, 0), "MEDIA_VFE_STATE", RCS, 0xff, 9, 9, NULL),
	VAR(GFX_MASK, GFX(2, 0, 1), "MEDIA_CURBE_LOAD", RCS, 0xff, 4, 4, NULL),
	VAR(GFX_MASK, GFX(2, 0, 2), "MEDIA_INTERFACE_DESCRIPTOR_LOAD", RCS, 0xff, 4, 4, NULL),
	VAR(GFX_MASK, GFX(2, 0, 4), "MEDIA_STATE_FLUSH", RCS, 0xff, 2, 2, NULL),
};

#define NR_ROWS (sizeof(cmd_table) / sizeof(cmd_table[0]))

static const struct sg_cmd *cmd_index[SG_NR_KEYS];
static int index_rc = -EINVAL;
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

unsigned int
sg_cmd_key(uint32_t dw0)
{
	switch (dw0 >> 29) {
	case 0:
		return SG_KEY_MI((dw0 >> 23) & 0x3f);
	case 2:
		return SG_KEY_2D((dw0 >> 22) & 0x7f);
	case 3:
		return SG_KEY_3D((dw0 >> 16) & 0x1fff);
	default:
		return SG_NR_KEYS;
	}
}

/* A first dword with only key's opcode bits set. */
static uint32_t
key_dw0(unsigned int key)
{
	if (key < 64)
		return MI(key);
	if (key < 192)
		return BLT(key - 64);
	return (3u << 29) | ((key - 192) << 16);
}

static uint32_t
type_mask(uint32_t value)
{
	switch (value >> 29) {
	case 0:
		return MI_MASK;
	case 2:
		return BLT_MASK;
	case 3:
		return GFX_MASK;
	default:
		return 0;
	}
}

static bool
row_ok(const struct sg_cmd *c)
{
	uint32_t tm = type_mask(c->value);

	return tm && (c->mask & ~tm) == 0 && (c->mask >> 29) == 7 && (c->value & ~c->mask) == 0 &&
	       c->engines && c->name && c->min >= 1 && c->min <= c->max &&
	       c->max <= SG_CMD_MAX && c->max <= c->len_mask + c->bias &&
	       (c->len_mask || (c->min == c->bias && c->max == c->bias)) &&
	       (c->len_mask & c->mask) == 0;
}

static void
index_build(void)
{
	for (size_t i = 0; i < NR_ROWS; i++) {
		if (!row_ok(&cmd_table[i]))
			return;
		for (unsigned int k = 0; k < SG_NR_KEYS; k++) {
			uint32_t dw0 = key_dw0(k);

			if ((dw0 & cmd_table[i].mask) != cmd_table[i].value)
				continue;
			if (cmd_index[k])
				return; /* two rows claim one opcode */
			cmd_index[k] = &cmd_table[i];
		}
	}
	index_rc = 0;
}

int
sg_cmd_table_check(void)
{
	pthread_once(&index_once, index_build);
	return index_rc;
}

const struct sg_cmd *
sg_cmd_lookup(uint32_t dw0)
{
	unsigned int k = sg_cmd_key(dw0);

	return k < SG_NR_KEYS && index_rc == 0 ? cmd_index[k] : NULL;
}
