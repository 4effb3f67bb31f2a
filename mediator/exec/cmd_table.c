/* SPDX-License-Identifier: MIT */
/*
 * cmd_table.c — the Gen9 (Skylake) opcode table of the command scanner:
 * one row per command a guest may send, with its length rule, the engines
 * that decode it, what the scanner checks and where its graphics
 * addresses are. Const data only; cmd_index.c checks it once at start and
 * builds the per-engine lookup. A command not in this table is refused.
 *
 * Sources (facts only): Gen9 PRM vol. 2a; Linux i915
 * gt/intel_gpu_commands.h (opcodes, field bits), i915_cmd_parser.c
 * (length fields, privileged commands), gvt/cmd_parser.c (Gen9 command
 * set), gt/gen9_renderstate.c (the lengths of the 3D state i915's own
 * render-state batch sends on Gen9), gt/gen8_engine_cs.c (what i915
 * puts in its rings).
 *
 * Rows are sorted by opcode (client, then opcode field); one opcode may
 * have several rows for disjoint engine sets.
 *
 * 3D and media state commands carry base addresses (state base, surface,
 * vertex and depth buffers). Those are not audited here: they are used
 * by draws through the context's PPGTT, whose shadow maps only the
 * guest's own memory (mem/ppgtt), and i915's render-state batch sets
 * bases that are GGTT offsets its kernel PPGTT never maps. Addresses the
 * command itself writes or reads (MI stores and loads, post-sync writes,
 * blits, batch starts) are audited.
 */
#include "mediator/exec/cmd_table.h"

/* Length rules: fixed length n, or a length field (mask) with bias 2 and bounds. */
#define FIXED(n)		.len_mask = 0, .len = (n), .len_min = (n), .len_max = (n)
#define FIELD(mask, lo, hi)	.len_mask = (mask), .len = 2, .len_min = (lo), .len_max = (hi)
/* A 48-bit address at dword dw (bits 15:0 of dw + 1 are 47:32). */
#define A48(d, lo, sp, sz)	{ .dw = (d), .width = 48, .lo_bits = (lo), .space = (sp), .size = (sz) }

/* Any length the field can express (state commands whose length the scanner does not use). */
#define ANY8	FIELD(0xff, 2, 0xff + 2)
#define ANY9	FIELD(0x1ff, 2, 0x1ff + 2)
#define ANY16	FIELD(0xffff, 2, 0xffff + 2)
/* A 3D state command of exactly n dwords (8-bit field). */
#define ST(n)	FIELD(0xff, (n), (n))

#define RCS	CMD_E_RCS
#define BCS	CMD_E_BCS
#define VCS	CMD_E_VCS
#define ALL	CMD_E_ALL
#define XCS	(CMD_E_BCS | CMD_E_VCS | CMD_E_VECS)	/* the engines with MI_FLUSH_DW */

const struct cmd_desc cmd_table[] = {
	/* ---- MI (client 0): opcode bits 28:23 ---- */
	{ "MI_NOOP", CMD_MI(0x00), FIXED(1), .engines = ALL },
	{ "MI_SET_PREDICATE", CMD_MI(0x01), FIXED(1), .engines = ALL },
	{ "MI_USER_INTERRUPT", CMD_MI(0x02), FIXED(1), .engines = ALL },
	/* Waits for display events of a display the vGPU only emulates. */
	{ "MI_WAIT_FOR_EVENT", CMD_MI(0x03), FIXED(1), .engines = ALL, .flags = CMD_F_REFUSED },
	{ "MI_ARB_CHECK", CMD_MI(0x05), FIXED(1), .engines = ALL },
	{ "MI_RS_CONTROL", CMD_MI(0x06), FIXED(1), .engines = RCS },
	{ "MI_REPORT_HEAD", CMD_MI(0x07), FIXED(1), .engines = ALL, .flags = CMD_F_RING_ONLY },
	/* i915 brackets batches with it in the ring (gen8_emit_bb_start). */
	{ "MI_ARB_ON_OFF", CMD_MI(0x08), FIXED(1), .engines = ALL, .flags = CMD_F_RING_ONLY },
	{ "MI_URB_ATOMIC_ALLOC", CMD_MI(0x09), FIXED(1), .engines = RCS },
	{ "MI_BATCH_BUFFER_END", CMD_MI(0x0a), FIXED(1), .engines = ALL,
	  .check = CMD_CHK_BB_END },
	{ "MI_SUSPEND_FLUSH", CMD_MI(0x0b), FIXED(1), .engines = ALL, .flags = CMD_F_RING_ONLY },
	{ "MI_PREDICATE", CMD_MI(0x0c), FIXED(1), .engines = RCS },
	{ "MI_TOPOLOGY_FILTER", CMD_MI(0x0d), FIXED(1), .engines = RCS },
	{ "MI_SET_APPID", CMD_MI(0x0e), FIXED(1), .engines = ALL },
	{ "MI_RS_CONTEXT", CMD_MI(0x0f), FIXED(1), .engines = RCS },
	{ "MI_LOAD_SCAN_LINES_INCL", CMD_MI(0x12), FIELD(0x3f, 2, 0x3f + 2),
	  .engines = RCS | BCS, .flags = CMD_F_REFUSED },
	{ "MI_LOAD_SCAN_LINES_EXCL", CMD_MI(0x13), FIELD(0x3f, 2, 0x3f + 2),
	  .engines = RCS | BCS, .flags = CMD_F_REFUSED },
	/* Flips are the display model's job, through registers. */
	{ "MI_DISPLAY_FLIP", CMD_MI(0x14), ANY8, .engines = RCS | BCS, .flags = CMD_F_REFUSED },
	{ "MI_SET_CONTEXT", CMD_MI(0x18), ANY8, .engines = RCS, .flags = CMD_F_REFUSED },
	{ "MI_URB_CLEAR", CMD_MI(0x19), FIELD(0xff, 2, 2), .engines = RCS },
	{ "MI_MATH", CMD_MI(0x1a), ANY8, .engines = ALL },
	{ "MI_SEMAPHORE_SIGNAL", CMD_MI(0x1b), FIELD(0xff, 2, 2), .engines = ALL,
	  .flags = CMD_F_RING_ONLY },
	{ "MI_SEMAPHORE_WAIT", CMD_MI(0x1c), FIELD(0xff, 4, 4), .engines = ALL,
	  .check = CMD_CHK_ADDR, .addr = { A48(2, 2, CMD_SPACE_HDR22, 4) } },
	{ "MI_STORE_DATA_IMM", CMD_MI(0x20), FIELD(0x3ff, 4, 5), .engines = ALL,
	  .check = CMD_CHK_SDI, .addr = { A48(1, 2, CMD_SPACE_HDR22, 0) } },
	/* Index into the physical status page: never a guest's. */
	{ "MI_STORE_DATA_INDEX", CMD_MI(0x21), ANY8, .engines = ALL, .flags = CMD_F_REFUSED },
	{ "MI_LOAD_REGISTER_IMM", CMD_MI(0x22), FIELD(0xff, 3, 0xff + 2), .engines = ALL,
	  .flags = CMD_F_ODD_LEN, .check = CMD_CHK_LRI },
	{ "MI_UPDATE_GTT", CMD_MI(0x23), FIELD(0x3ff, 2, 0x3ff + 2), .engines = ALL,
	  .flags = CMD_F_REFUSED },
	{ "MI_STORE_REGISTER_MEM", CMD_MI(0x24), FIELD(0xff, 4, 4), .engines = ALL,
	  .check = CMD_CHK_SRM, .addr = { A48(2, 2, CMD_SPACE_HDR22, 4) } },
	{ "MI_FLUSH_DW", CMD_MI(0x26), FIELD(0x3f, 4, 5), .engines = XCS,
	  .check = CMD_CHK_FLUSH_DW, .addr = { A48(1, 3, CMD_SPACE_DW1_B2, 0) } },
	{ "MI_CLFLUSH", CMD_MI(0x27), FIELD(0x3ff, 2, 0x3ff + 2), .engines = ALL,
	  .flags = CMD_F_REFUSED },
	{ "MI_REPORT_PERF_COUNT", CMD_MI(0x28), FIELD(0x3f, 2, 0x3f + 2), .engines = ALL,
	  .flags = CMD_F_REFUSED },
	{ "MI_LOAD_REGISTER_MEM", CMD_MI(0x29), FIELD(0xff, 4, 4), .engines = ALL,
	  .check = CMD_CHK_LRM, .addr = { A48(2, 2, CMD_SPACE_HDR22, 4) } },
	{ "MI_LOAD_REGISTER_REG", CMD_MI(0x2a), FIELD(0xff, 3, 3), .engines = ALL,
	  .check = CMD_CHK_LRR },
	{ "MI_RS_STORE_DATA_IMM", CMD_MI(0x2b), ANY8, .engines = RCS, .flags = CMD_F_REFUSED },
	{ "MI_ATOMIC", CMD_MI(0x2f), FIELD(0xff, 3, 11), .engines = ALL,
	  .check = CMD_CHK_ATOMIC, .addr = { A48(1, 2, CMD_SPACE_HDR22, 0) } },
	{ "MI_BATCH_BUFFER_START", CMD_MI(0x31), FIELD(0xff, 3, 3), .engines = ALL,
	  .check = CMD_CHK_BB_START, .addr = { A48(1, 2, CMD_SPACE_BB, 0) } },
	{ "MI_CONDITIONAL_BATCH_BUFFER_END", CMD_MI(0x36), FIELD(0xff, 4, 4), .engines = ALL,
	  .check = CMD_CHK_ADDR, .addr = { A48(2, 3, CMD_SPACE_HDR22, 8) } },

	/* ---- 2D (client 2, blitter): opcode bits 28:22 ---- */
	{ "XY_FAST_COPY_BLT", CMD_2D(0x42), FIELD(0xff, 10, 10), .engines = BCS,
	  .check = CMD_CHK_BLT,
	  .addr = { A48(4, 0, CMD_SPACE_PPGTT, 0), A48(8, 0, CMD_SPACE_PPGTT, 0) } },
	{ "XY_COLOR_BLT", CMD_2D(0x50), FIELD(0xff, 7, 7), .engines = BCS,
	  .check = CMD_CHK_BLT, .addr = { A48(4, 0, CMD_SPACE_PPGTT, 0) } },
	{ "XY_SRC_COPY_BLT", CMD_2D(0x53), FIELD(0xff, 10, 10), .engines = BCS,
	  .check = CMD_CHK_BLT,
	  .addr = { A48(4, 0, CMD_SPACE_PPGTT, 0), A48(8, 0, CMD_SPACE_PPGTT, 0) } },

	/* ---- 3D/media (client 3): pipeline 28:27, opcode 26:24, sub-opcode 23:16 ---- */
	/* pipeline 0: common state */
	{ "STATE_BASE_ADDRESS", CMD_3D(0, 1, 0x01), ST(19), .engines = RCS },
	{ "STATE_SIP", CMD_3D(0, 1, 0x02), ST(3), .engines = RCS },
	/* pipeline 1: single-dword commands */
	{ "MFX_WAIT", CMD_3D(1, 0, 0x00), FIXED(1), .engines = VCS },
	{ "3DSTATE_VF_STATISTICS", CMD_3D(1, 0, 0x0b), FIXED(1), .engines = RCS },
	{ "PIPELINE_SELECT", CMD_3D(1, 1, 0x04), FIXED(1), .engines = RCS },
	/* pipeline 2: media / GPGPU (16-bit length field) */
	{ "MEDIA_VFE_STATE", CMD_3D(2, 0, 0x00), FIELD(0xffff, 9, 9), .engines = RCS },
	{ "MEDIA_CURBE_LOAD", CMD_3D(2, 0, 0x01), FIELD(0xffff, 4, 4), .engines = RCS },
	{ "MEDIA_INTERFACE_DESCRIPTOR_LOAD", CMD_3D(2, 0, 0x02), FIELD(0xffff, 4, 4),
	  .engines = RCS },
	{ "MEDIA_GATEWAY_STATE", CMD_3D(2, 0, 0x03), ANY16, .engines = RCS },
	{ "MEDIA_STATE_FLUSH", CMD_3D(2, 0, 0x04), FIELD(0xffff, 2, 2), .engines = RCS },
	{ "MEDIA_POOL_STATE", CMD_3D(2, 0, 0x05), FIELD(0xffff, 6, 6), .engines = RCS },
	{ "MEDIA_OBJECT", CMD_3D(2, 1, 0x00), ANY16, .engines = RCS },
	{ "MEDIA_OBJECT_PRT", CMD_3D(2, 1, 0x02), ANY16, .engines = RCS },
	{ "MEDIA_OBJECT_WALKER", CMD_3D(2, 1, 0x03), ANY16, .engines = RCS },
	{ "GPGPU_WALKER", CMD_3D(2, 1, 0x05), FIELD(0xffff, 15, 15), .engines = RCS },
	/* pipeline 3, opcode 0: 3D state */
	{ "3DSTATE_CLEAR_PARAMS", CMD_3D(3, 0, 0x04), ST(3), .engines = RCS },
	{ "3DSTATE_DEPTH_BUFFER", CMD_3D(3, 0, 0x05), ST(8), .engines = RCS },
	{ "3DSTATE_STENCIL_BUFFER", CMD_3D(3, 0, 0x06), ST(5), .engines = RCS },
	{ "3DSTATE_HIER_DEPTH_BUFFER", CMD_3D(3, 0, 0x07), ST(5), .engines = RCS },
	{ "3DSTATE_VERTEX_BUFFERS", CMD_3D(3, 0, 0x08), FIELD(0xff, 5, 0xff + 2), .engines = RCS },
	{ "3DSTATE_VERTEX_ELEMENTS", CMD_3D(3, 0, 0x09), FIELD(0xff, 3, 0xff + 2), .engines = RCS },
	{ "3DSTATE_INDEX_BUFFER", CMD_3D(3, 0, 0x0a), ST(5), .engines = RCS },
	{ "3DSTATE_VF", CMD_3D(3, 0, 0x0c), ST(2), .engines = RCS },
	{ "3DSTATE_MULTISAMPLE", CMD_3D(3, 0, 0x0d), ST(2), .engines = RCS },
	{ "3DSTATE_CC_STATE_POINTERS", CMD_3D(3, 0, 0x0e), ST(2), .engines = RCS },
	{ "3DSTATE_SCISSOR_STATE_POINTERS", CMD_3D(3, 0, 0x0f), ST(2), .engines = RCS },
	{ "3DSTATE_VS", CMD_3D(3, 0, 0x10), ST(9), .engines = RCS },
	{ "3DSTATE_GS", CMD_3D(3, 0, 0x11), ST(10), .engines = RCS },
	{ "3DSTATE_CLIP", CMD_3D(3, 0, 0x12), ST(4), .engines = RCS },
	{ "3DSTATE_SF", CMD_3D(3, 0, 0x13), ST(4), .engines = RCS },
	{ "3DSTATE_WM", CMD_3D(3, 0, 0x14), ST(2), .engines = RCS },
	{ "3DSTATE_CONSTANT_VS", CMD_3D(3, 0, 0x15), ST(11), .engines = RCS },
	{ "3DSTATE_CONSTANT_GS", CMD_3D(3, 0, 0x16), ST(11), .engines = RCS },
	{ "3DSTATE_CONSTANT_PS", CMD_3D(3, 0, 0x17), ST(11), .engines = RCS },
	{ "3DSTATE_SAMPLE_MASK", CMD_3D(3, 0, 0x18), ST(2), .engines = RCS },
	{ "3DSTATE_CONSTANT_HS", CMD_3D(3, 0, 0x19), ST(11), .engines = RCS },
	{ "3DSTATE_CONSTANT_DS", CMD_3D(3, 0, 0x1a), ST(11), .engines = RCS },
	{ "3DSTATE_HS", CMD_3D(3, 0, 0x1b), ST(9), .engines = RCS },
	{ "3DSTATE_TE", CMD_3D(3, 0, 0x1c), ST(4), .engines = RCS },
	{ "3DSTATE_DS", CMD_3D(3, 0, 0x1d), ST(11), .engines = RCS },
	{ "3DSTATE_STREAMOUT", CMD_3D(3, 0, 0x1e), ST(5), .engines = RCS },
	{ "3DSTATE_SBE", CMD_3D(3, 0, 0x1f), ST(6), .engines = RCS },
	{ "3DSTATE_PS", CMD_3D(3, 0, 0x20), ST(12), .engines = RCS },
	{ "3DSTATE_VIEWPORT_STATE_POINTERS_SF_CLIP", CMD_3D(3, 0, 0x21), ST(2), .engines = RCS },
	{ "3DSTATE_VIEWPORT_STATE_POINTERS_CC", CMD_3D(3, 0, 0x23), ST(2), .engines = RCS },
	{ "3DSTATE_BLEND_STATE_POINTERS", CMD_3D(3, 0, 0x24), ST(2), .engines = RCS },
	{ "3DSTATE_DEPTH_STENCIL_STATE_POINTERS", CMD_3D(3, 0, 0x25), ST(2), .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_POINTERS_VS", CMD_3D(3, 0, 0x26), ST(2), .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_POINTERS_HS", CMD_3D(3, 0, 0x27), ST(2), .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_POINTERS_DS", CMD_3D(3, 0, 0x28), ST(2), .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_POINTERS_GS", CMD_3D(3, 0, 0x29), ST(2), .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_POINTERS_PS", CMD_3D(3, 0, 0x2a), ST(2), .engines = RCS },
	{ "3DSTATE_SAMPLER_STATE_POINTERS_VS", CMD_3D(3, 0, 0x2b), ST(2), .engines = RCS },
	{ "3DSTATE_SAMPLER_STATE_POINTERS_HS", CMD_3D(3, 0, 0x2c), ST(2), .engines = RCS },
	{ "3DSTATE_SAMPLER_STATE_POINTERS_DS", CMD_3D(3, 0, 0x2d), ST(2), .engines = RCS },
	{ "3DSTATE_SAMPLER_STATE_POINTERS_GS", CMD_3D(3, 0, 0x2e), ST(2), .engines = RCS },
	{ "3DSTATE_SAMPLER_STATE_POINTERS_PS", CMD_3D(3, 0, 0x2f), ST(2), .engines = RCS },
	{ "3DSTATE_URB_VS", CMD_3D(3, 0, 0x30), ST(2), .engines = RCS },
	{ "3DSTATE_URB_HS", CMD_3D(3, 0, 0x31), ST(2), .engines = RCS },
	{ "3DSTATE_URB_DS", CMD_3D(3, 0, 0x32), ST(2), .engines = RCS },
	{ "3DSTATE_URB_GS", CMD_3D(3, 0, 0x33), ST(2), .engines = RCS },
	{ "3DSTATE_GATHER_CONSTANT_VS", CMD_3D(3, 0, 0x34), ANY8, .engines = RCS },
	{ "3DSTATE_GATHER_CONSTANT_GS", CMD_3D(3, 0, 0x35), ANY8, .engines = RCS },
	{ "3DSTATE_GATHER_CONSTANT_HS", CMD_3D(3, 0, 0x36), ANY8, .engines = RCS },
	{ "3DSTATE_GATHER_CONSTANT_DS", CMD_3D(3, 0, 0x37), ANY8, .engines = RCS },
	{ "3DSTATE_GATHER_CONSTANT_PS", CMD_3D(3, 0, 0x38), ANY8, .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_EDIT_VS", CMD_3D(3, 0, 0x43), ANY9, .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_EDIT_GS", CMD_3D(3, 0, 0x44), ANY9, .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_EDIT_HS", CMD_3D(3, 0, 0x45), ANY9, .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_EDIT_DS", CMD_3D(3, 0, 0x46), ANY9, .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_EDIT_PS", CMD_3D(3, 0, 0x47), ANY9, .engines = RCS },
	{ "3DSTATE_VF_INSTANCING", CMD_3D(3, 0, 0x49), ST(3), .engines = RCS },
	{ "3DSTATE_VF_SGVS", CMD_3D(3, 0, 0x4a), ST(2), .engines = RCS },
	{ "3DSTATE_VF_TOPOLOGY", CMD_3D(3, 0, 0x4b), ST(2), .engines = RCS },
	{ "3DSTATE_WM_CHROMAKEY", CMD_3D(3, 0, 0x4c), ST(2), .engines = RCS },
	{ "3DSTATE_PS_BLEND", CMD_3D(3, 0, 0x4d), ST(2), .engines = RCS },
	{ "3DSTATE_WM_DEPTH_STENCIL", CMD_3D(3, 0, 0x4e), FIELD(0xff, 3, 4), .engines = RCS },
	{ "3DSTATE_PS_EXTRA", CMD_3D(3, 0, 0x4f), ST(2), .engines = RCS },
	{ "3DSTATE_RASTER", CMD_3D(3, 0, 0x50), ST(5), .engines = RCS },
	{ "3DSTATE_SBE_SWIZ", CMD_3D(3, 0, 0x51), ST(11), .engines = RCS },
	{ "3DSTATE_WM_HZ_OP", CMD_3D(3, 0, 0x52), ST(5), .engines = RCS },
	{ "3DSTATE_COMPONENT_PACKING", CMD_3D(3, 0, 0x55), ST(5), .engines = RCS },
	/* pipeline 3, opcode 1: non-pipelined 3D state */
	{ "3DSTATE_DRAWING_RECTANGLE", CMD_3D(3, 1, 0x00), ST(4), .engines = RCS },
	{ "3DSTATE_SAMPLER_PALETTE_LOAD0", CMD_3D(3, 1, 0x02), ANY8, .engines = RCS },
	{ "3DSTATE_CHROMA_KEY", CMD_3D(3, 1, 0x04), ST(4), .engines = RCS },
	{ "3DSTATE_POLY_STIPPLE_OFFSET", CMD_3D(3, 1, 0x06), ST(2), .engines = RCS },
	{ "3DSTATE_POLY_STIPPLE_PATTERN", CMD_3D(3, 1, 0x07), ST(33), .engines = RCS },
	{ "3DSTATE_LINE_STIPPLE", CMD_3D(3, 1, 0x08), ST(3), .engines = RCS },
	{ "3DSTATE_AA_LINE_PARAMETERS", CMD_3D(3, 1, 0x0a), ST(3), .engines = RCS },
	{ "3DSTATE_SAMPLER_PALETTE_LOAD1", CMD_3D(3, 1, 0x0c), ANY8, .engines = RCS },
	{ "3DSTATE_MONOFILTER_SIZE", CMD_3D(3, 1, 0x11), ST(2), .engines = RCS },
	{ "3DSTATE_PUSH_CONSTANT_ALLOC_VS", CMD_3D(3, 1, 0x12), ST(2), .engines = RCS },
	{ "3DSTATE_PUSH_CONSTANT_ALLOC_HS", CMD_3D(3, 1, 0x13), ST(2), .engines = RCS },
	{ "3DSTATE_PUSH_CONSTANT_ALLOC_DS", CMD_3D(3, 1, 0x14), ST(2), .engines = RCS },
	{ "3DSTATE_PUSH_CONSTANT_ALLOC_GS", CMD_3D(3, 1, 0x15), ST(2), .engines = RCS },
	{ "3DSTATE_PUSH_CONSTANT_ALLOC_PS", CMD_3D(3, 1, 0x16), ST(2), .engines = RCS },
	{ "3DSTATE_SO_DECL_LIST", CMD_3D(3, 1, 0x17), FIELD(0x1ff, 3, 0x1ff + 2), .engines = RCS },
	{ "3DSTATE_SO_BUFFER", CMD_3D(3, 1, 0x18), ST(8), .engines = RCS },
	{ "3DSTATE_BINDING_TABLE_POOL_ALLOC", CMD_3D(3, 1, 0x19), ST(4), .engines = RCS },
	{ "3DSTATE_GATHER_POOL_ALLOC", CMD_3D(3, 1, 0x1a), ST(4), .engines = RCS },
	{ "3DSTATE_DX9_CONSTANT_BUFFER_POOL_ALLOC", CMD_3D(3, 1, 0x1b), ST(4), .engines = RCS },
	{ "3DSTATE_SAMPLE_PATTERN", CMD_3D(3, 1, 0x1c), ST(9), .engines = RCS },
	/* pipeline 3, opcodes 2 and 3 */
	{ "PIPE_CONTROL", CMD_3D(3, 2, 0x00), FIELD(0xff, 6, 6), .engines = RCS,
	  .check = CMD_CHK_PIPE_CONTROL, .addr = { A48(2, 2, CMD_SPACE_DW1_B24, 8) } },
	{ "3DPRIMITIVE", CMD_3D(3, 3, 0x00), ST(7), .engines = RCS },
};
const size_t cmd_table_len = sizeof(cmd_table) / sizeof(cmd_table[0]);
