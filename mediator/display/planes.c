/* SPDX-License-Identifier: MIT */
/*
 * planes.c — the rest of Skylake's planes beyond what display.c keeps of
 * the primary one: each pipe's cursor and universal planes 2 and 3 (i915
 * exposes plane 2 as the sprite; plane 3 exists in the hardware), the
 * primary plane's colour key, AUX surface and buffer registers, every
 * plane's watermarks (8 levels + transition) and display buffer (DDB)
 * allocation, and the pipe scalers (2 on pipes A and B, 1 on C). Values
 * are the guest's own; a plane's live surface follows its programmed
 * surface at the pipe's vblank, or at once while the pipe is off, as the
 * primary plane's does (display.c). Nothing here is scanned out: the
 * screenshot shows the primary plane only.
 */
#include "mediator/core/vgpu_int.h"
#include "mediator/display/display.h"
#include "mediator/regs/mmio_tables.h"

/*
 * Plane slots of a pipe, 0x100 apart from the cursor's (i915_reg.h
 * _CURACNTR 0x70080, _PLANE_CTL_n_A 0x70180 + (n - 1) * 0x100), 0x1000
 * a pipe. Slot 0 is the cursor, slot n the universal plane n.
 */
#define PLANE_SLOT_A(slot)	(0x70080u + (slot) * 0x100u)
#define PIPE_STRIDE		0x1000u
#define SLOT(p, s)		(PLANE_SLOT_A(s) + (p) * PIPE_STRIDE)

/* Cursor registers (offsets in its slot). */
#define CUR_CNTR		0x00u
#define CUR_BASE		0x04u
#define CUR_POS			0x08u
#define CUR_FBC_CTL		0x20u
#define CUR_SURFLIVE		0x2cu
/* Universal plane registers (offsets in its slot). */
#define PL_CTL			0x00u
#define PL_STRIDE		0x08u
#define PL_POS			0x0cu
#define PL_SIZE			0x10u
#define PL_KEYVAL		0x14u
#define PL_KEYMSK		0x18u
#define PL_SURF			0x1cu
#define PL_KEYMAX		0x20u
#define PL_OFFSET		0x24u
#define PL_SURFLIVE		0x2cu
#define PL_AUX_DIST		0x40u
#define PL_AUX_OFFSET		0x44u
/* Watermarks and DDB, the same in every slot (_CUR_WM_A_0, _PLANE_WM_1_A_0 ...). */
#define SL_WM			0xc0u	/* levels 0..7 */
#define SL_WM_LEVELS		8
#define SL_WM_TRANS		0xe8u
#define SL_NV12_BUF_CFG		0xf8u	/* universal planes only */
#define SL_BUF_CFG		0xfcu

/* Scaler id of a pipe: 0x100 apart, 0x800 a pipe (_PS_1A_CTRL 0x68180, _PS_1B_CTRL 0x68980). */
#define SCALER(p, id)		(0x68100u + (p) * 0x800u + (id) * 0x100u)
#define PS_PWR_GATE		0x60u
#define PS_WIN_POS		0x70u
#define PS_WIN_SZ		0x74u
#define PS_CTRL			0x80u
#define PS_VSCALE		0x84u
#define PS_VPHASE		0x88u
#define PS_HSCALE		0x90u
#define PS_HPHASE		0x94u

/* The universal planes planes.c keeps whole (the primary is display.c's). */
#define PLANES_FIRST		2
#define PLANES_LAST		3

/* The register holding a slot's programmed surface, and its live copy. */
static uint32_t
slot_surf(unsigned int pipe, unsigned int slot)
{
	return SLOT(pipe, slot) + (slot ? PL_SURF : CUR_BASE);
}

static uint32_t
slot_live(unsigned int pipe, unsigned int slot)
{
	return SLOT(pipe, slot) + (slot ? PL_SURFLIVE : CUR_SURFLIVE);
}

static void
latch_slot(struct vgpu *v, unsigned int pipe, unsigned int slot)
{
	vreg_set(v, slot_live(pipe, slot), vreg_get(v, slot_surf(pipe, slot)));
}

void
planes_latch(struct vgpu *v, unsigned int pipe)
{
	if (pipe >= DISPLAY_NR_PIPES)
		return;
	latch_slot(v, pipe, 0);
	for (unsigned int s = PLANES_FIRST; s <= PLANES_LAST; s++)
		latch_slot(v, pipe, s);
}

/* CURBASE / PLANE_SURF: armed for the next vblank, or taken at once on a stopped pipe. */
static int
surf_write(struct vgpu *v, uint32_t off, uint32_t val)
{
	unsigned int pipe = (off >> 12) & 0xf;
	unsigned int slot = (off - PLANE_SLOT_A(0) - pipe * PIPE_STRIDE) / 0x100u;

	vreg_set(v, off, val);
	if (pipe < DISPLAY_NR_PIPES && !display_pipe_enabled(v, pipe))
		latch_slot(v, pipe, slot);
	return 0;
}

#define ROW(o, nm, ...) { .off = (o), .name = nm, .size = 4, .flags = MF_VIRT, __VA_ARGS__ }
#define LIVE_ROW(o, nm)                                                                  \
	{ .off = (o), .name = nm, .size = 4, .flags = MF_VIRT | MF_RO | MF_NOLOG, .ro_mask = ~0u }

/* A slot's watermark levels, transition watermark, NV12 and DDB allocation. */
#define WM_ROWS(b, P)                                                                    \
	{ .off = (b) + SL_WM, .name = "WM_" P, .size = SL_WM_LEVELS * 4, .flags = MF_VIRT }, \
	ROW((b) + SL_WM_TRANS, "WM_TRANS_" P)
#define PLANE_BUF_ROWS(b, P)                                                             \
	ROW((b) + SL_NV12_BUF_CFG, "PLANE_NV12_BUF_CFG_" P),                             \
	ROW((b) + SL_BUF_CFG, "PLANE_BUF_CFG_" P)

#define CURSOR_ROWS(p, P)                                                                \
	ROW(SLOT(p, 0) + CUR_CNTR, "CURCNTR_" P),                                        \
	ROW(SLOT(p, 0) + CUR_BASE, "CURBASE_" P, .write = surf_write),                   \
	ROW(SLOT(p, 0) + CUR_POS, "CURPOS_" P),                                          \
	ROW(SLOT(p, 0) + CUR_FBC_CTL, "CUR_FBC_CTL_" P),                                 \
	LIVE_ROW(SLOT(p, 0) + CUR_SURFLIVE, "CURSURFLIVE_" P),                           \
	WM_ROWS(SLOT(p, 0), "CUR_" P),                                                   \
	ROW(SLOT(p, 0) + SL_BUF_CFG, "CUR_BUF_CFG_" P)

/* The colour key, AUX surface, watermarks and DDB of plane n (all planes have them). */
#define PLANE_KEY_ROWS(b, P)                                                             \
	ROW((b) + PL_KEYVAL, "PLANE_KEYVAL_" P),                                         \
	ROW((b) + PL_KEYMSK, "PLANE_KEYMSK_" P)
#define PLANE_TAIL_ROWS(b, P)                                                            \
	ROW((b) + PL_AUX_DIST, "PLANE_AUX_DIST_" P),                                     \
	ROW((b) + PL_AUX_OFFSET, "PLANE_AUX_OFFSET_" P),                                 \
	WM_ROWS(b, "PLANE_" P),                                                          \
	PLANE_BUF_ROWS(b, P)

/* Plane 1: what display.c does not keep (CTL, STRIDE, POS, SIZE, SURF, OFFSET, SURFLIVE). */
#define PLANE1_ROWS(p, P)                                                                \
	PLANE_KEY_ROWS(SLOT(p, 1), "1" P),                                               \
	ROW(SLOT(p, 1) + PL_KEYMAX, "PLANE_KEYMAX_1" P),                                 \
	PLANE_TAIL_ROWS(SLOT(p, 1), "1" P)

#define PLANE_ROWS(p, n, P)                                                              \
	ROW(SLOT(p, n) + PL_CTL, "PLANE_CTL_" P),                                        \
	ROW(SLOT(p, n) + PL_STRIDE, "PLANE_STRIDE_" P),                                  \
	ROW(SLOT(p, n) + PL_POS, "PLANE_POS_" P),                                        \
	ROW(SLOT(p, n) + PL_SIZE, "PLANE_SIZE_" P),                                      \
	PLANE_KEY_ROWS(SLOT(p, n), P),                                                   \
	ROW(SLOT(p, n) + PL_SURF, "PLANE_SURF_" P, .write = surf_write),                 \
	ROW(SLOT(p, n) + PL_KEYMAX, "PLANE_KEYMAX_" P),                                  \
	ROW(SLOT(p, n) + PL_OFFSET, "PLANE_OFFSET_" P),                                  \
	LIVE_ROW(SLOT(p, n) + PL_SURFLIVE, "PLANE_SURFLIVE_" P),                         \
	PLANE_TAIL_ROWS(SLOT(p, n), P)

#define PIPE_PLANE_ROWS(p, P)                                                            \
	CURSOR_ROWS(p, P), PLANE1_ROWS(p, P), PLANE_ROWS(p, 2, "2" P), PLANE_ROWS(p, 3, "3" P)

#define SCALER_ROWS(p, id, S)                                                            \
	ROW(SCALER(p, id) + PS_PWR_GATE, "PS_PWR_GATE_" S),                              \
	ROW(SCALER(p, id) + PS_WIN_POS, "PS_WIN_POS_" S),                                \
	ROW(SCALER(p, id) + PS_WIN_SZ, "PS_WIN_SZ_" S),                                  \
	ROW(SCALER(p, id) + PS_CTRL, "PS_CTRL_" S),                                      \
	ROW(SCALER(p, id) + PS_VSCALE, "PS_VSCALE_" S),                                  \
	ROW(SCALER(p, id) + PS_VPHASE, "PS_VPHASE_" S),                                  \
	ROW(SCALER(p, id) + PS_HSCALE, "PS_HSCALE_" S),                                  \
	ROW(SCALER(p, id) + PS_HPHASE, "PS_HPHASE_" S)

static const struct mmio_reg planes_regs[] = {
	SCALER_ROWS(0, 0, "1A"),
	SCALER_ROWS(0, 1, "2A"),
	SCALER_ROWS(1, 0, "1B"),
	SCALER_ROWS(1, 1, "2B"),
	SCALER_ROWS(2, 0, "1C"),
	PIPE_PLANE_ROWS(0, "A"),
	PIPE_PLANE_ROWS(1, "B"),
	PIPE_PLANE_ROWS(2, "C"),
};

const struct mmio_table planes_mmio_table = { "planes", planes_regs,
					      sizeof(planes_regs) / sizeof(planes_regs[0]) };
