/* SPDX-License-Identifier: MIT */
/*
 * cmd_regs.c — the registers a guest's command streams may reach with
 * MI_LOAD_REGISTER_IMM / _MEM / _REG, MI_STORE_REGISTER_MEM and the
 * PIPE_CONTROL MMIO write: const data, checked once (cmd_index.c). Any
 * other register is a violation.
 *
 * What is here, and why: registers saved in the engine's context image
 * (a write reaches only that context), read-only views of the engine's
 * own ring and timestamps, and the registers i915 and its clients write
 * from command streams on Gen9:
 *   - the render context workarounds i915 emits as LRIs in the kernel
 *     context's first request (gt/intel_workarounds.c
 *     gen9_ctx_workarounds_init, skl/kbl/glk/cfl_ctx_workarounds_init);
 *   - the per-context workaround batches (gt/intel_lrc.c
 *     gen9_init_indirectctx_bb, gen8_emit_flush_coherentl3_wa);
 *   - the registers Gen9 hardware lets non-privileged batches write
 *     (i915 gen9/skl_whitelist_build) and the query registers user-mode
 *     drivers read and write (i915_cmd_parser.c gen7_render_regs,
 *     hsw_render_regs, gen7_blt_regs: pipeline statistics, predicates,
 *     3DPRIMITIVE and GPGPU indirect parameters, stream-out counters, CS
 *     general purpose registers, timestamps);
 *   - the engines' MOCS tables (GVT-g gvt/cmd_parser.c lets guests load
 *     them: is_mocs_mmio).
 * Never here: ring registers as writes (RING_START/HEAD/TAIL/CTL through
 * a command would move the engine off the audited copy), GGTT, fences,
 * interrupts, display, power, or anything not in a context image.
 *
 * Rows: engine-relative ones first (offset from the engine's MMIO base,
 * docs/execution.md), then absolute ones, each part sorted by offset.
 */
#include "mediator/exec/cmd_table.h"

#define RD	CMD_REG_RD
#define RW	(CMD_REG_RD | CMD_REG_WR)
#define REL	CMD_REG_REL
#define RCS	CMD_E_RCS
#define BCS	CMD_E_BCS
#define VCS	CMD_E_VCS
#define VECS	CMD_E_VECS
#define ALL	CMD_E_ALL

const struct cmd_reg cmd_regs[] = {
	/* ---- relative to each engine's base ---- */
	{ "RING_TAIL/HEAD/START/CTL", 0x030, 0x10, ALL, RD | REL },
	{ "RING_ACTHD_UDW", 0x05c, 4, ALL, RD | REL },
	{ "RING_ACTHD", 0x074, 4, ALL, RD | REL },
	{ "RING_BBSTATE", 0x110, 4, ALL, RD | REL },
	{ "RING_BBADDR", 0x140, 4, ALL, RD | REL },
	{ "RING_BBADDR_UDW", 0x168, 4, ALL, RD | REL },
	{ "RING_TIMESTAMP", 0x358, 8, ALL, RD | REL },
	{ "RING_CTX_TIMESTAMP", 0x3a8, 4, ALL, RD | REL },
	{ "CS_GPR0..15", 0x600, 0x80, ALL, RW | REL },

	/* ---- absolute ---- */
	{ "FF_SLICE_CHICKEN", 0x2088, 4, RCS, RW },
	{ "3D_CHICKEN3", 0x2090, 4, RCS, RW },
	{ "GEN9_CTX_PREEMPT", 0x2248, 4, RCS, RW },
	{ "CS/GPGPU_THREADS_DISPATCHED", 0x2290, 8, RCS, RW },
	{ "pipeline statistics HS..PS_DEPTH_COUNT", 0x2300, 0x58, RCS, RW },
	{ "MI_PREDICATE_SRC0/SRC1/DATA/RESULT", 0x2400, 0x20, RCS, RW },
	{ "3DPRIM_END_OFFSET..BASE_VERTEX", 0x2420, 0x28, RCS, RW },
	{ "GPGPU_DISPATCHDIMX/Y/Z", 0x2500, 0xc, RCS, RW },
	{ "CS_CHICKEN1", 0x2580, 4, RCS, RW },
	{ "SO_NUM_PRIMS_WRITTEN0..3", 0x5200, 0x20, RCS, RW },
	{ "SO_PRIM_STORAGE_NEEDED0..3", 0x5240, 0x20, RCS, RW },
	{ "SO_WRITE_OFFSET0..3", 0x5280, 0x10, RCS, RW },
	{ "WM_CHICKEN3", 0x5588, 4, RCS, RW },
	{ "CACHE_MODE_0/1, GT_MODE", 0x7000, 0xc, RCS, RW },
	{ "COMMON_SLICE_CHICKEN1/2", 0x7010, 8, RCS, RW },
	{ "L3CNTLREG", 0x7034, 4, RCS, RW },
	{ "HDC_CHICKEN0/1", 0x7300, 8, RCS, RW },
	{ "LNCFCMOCS0..31", 0xb020, 0x80, RCS, RW },
	{ "L3SQCREG4", 0xb118, 4, RCS, RW },
	{ "RCS MOCS", 0xc800, 0x100, RCS, RW },
	{ "VCS MOCS", 0xc900, 0x100, VCS, RW },
	{ "VECS MOCS", 0xcb00, 0x100, VECS, RW },
	{ "BCS MOCS", 0xcc00, 0x100, BCS, RW },
	{ "HALF_SLICE_CHICKEN1", 0xe100, 4, RCS, RW },
	{ "HALF_SLICE_CHICKEN2/3/5", 0xe180, 0xc, RCS, RW },
	{ "HALF_SLICE_CHICKEN7", 0xe194, 4, RCS, RW },
	{ "ROW_CHICKEN/ROW_CHICKEN2", 0xe4f0, 8, RCS, RW },
	{ "BCS_SWCTRL", 0x22200, 4, BCS, RW },
};
const size_t cmd_regs_len = sizeof(cmd_regs) / sizeof(cmd_regs[0]);
