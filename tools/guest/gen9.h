/* SPDX-License-Identifier: MIT */
/*
 * gen9.h — what a Gen9 (Skylake GT2) guest driver knows about its GPU:
 * config space, the PV info page, GGTT/PPGTT entry formats, engine and
 * interrupt registers, the logical context layout, command encodings,
 * display registers. The guest side's own copy of these facts (as i915
 * has its own headers), from i915 (i915_reg.h, i915_pvinfo.h,
 * gt/intel_lrc_reg.h, gt/intel_gpu_commands.h, gt/intel_lrc.c) and
 * docs/execution.md; the mediator's copies are not visible up here.
 */
#ifndef TOOLS_GUEST_GEN9_H
#define TOOLS_GUEST_GEN9_H

#include <stdint.h>

#define G9_PAGE 4096u

/* ---- PCI ---- */
#define PCI_CONF_ADDR	0xcf8
#define PCI_CONF_DATA	0xcfc
#define PCI_VENDOR_ID	0x00
#define PCI_COMMAND	0x04
#define PCI_CLASS_REV	0x08
#define PCI_BAR(n)	(0x10 + 4 * (n))
#define PCI_CAP_PTR	0x34
#define PCI_CMD_IO	0x1
#define PCI_CMD_MEM	0x2
#define PCI_CMD_MASTER	0x4
#define PCI_CAP_ID_MSI	0x05
#define INTEL_VENDOR	0x8086
#define PCI_CLASS_DISPLAY_VGA 0x030000

/* ---- BAR0: registers in the low half, GGTT in the upper half ---- */
#define G9_GGTT_OFF	0x800000ull

/* ---- PV info page (i915_pvinfo.h) ---- */
#define PV_BASE		0x78000u
#define PV_MAGIC	(PV_BASE + 0x00)
#define PV_VERSION	(PV_BASE + 0x08)
#define PV_VGT_ID	(PV_BASE + 0x0c)
#define PV_CAPS		(PV_BASE + 0x10)
#define PV_LOW_BASE	(PV_BASE + 0x40)
#define PV_LOW_SIZE	(PV_BASE + 0x44)
#define PV_HIGH_BASE	(PV_BASE + 0x48)
#define PV_HIGH_SIZE	(PV_BASE + 0x4c)
#define PV_FENCES	(PV_BASE + 0x50)
#define PV_DISPLAY_READY (PV_BASE + 0x804)
#define PV_G2V_NOTIFY	(PV_BASE + 0x818)
#define PV_PDP_LO(n)	(PV_BASE + 0x838 + 8 * (n))
#define PV_PDP_HI(n)	(PV_BASE + 0x83c + 8 * (n))
#define VGT_MAGIC	0x4776544776544776ull
#define VGT_CAPS_FULL_PPGTT	(1u << 2)
#define VGT_CAPS_HWSP_EMULATION	(1u << 3)
#define G2V_PPGTT_L4_CREATE	4
#define G2V_PPGTT_L4_DESTROY	5

/* ---- GTT entries (gen8) ---- */
#define PTE_PRESENT	(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_ADDR_MASK	0x0000fffffffff000ull

/* ---- engines (docs/execution.md) ---- */
enum g9_engine { G9_RCS, G9_BCS, G9_VCS, G9_VECS, G9_NR_ENGINES };
#define ENG_RING_TAIL	0x030
#define ENG_RING_HEAD	0x034
#define ENG_RING_START	0x038
#define ENG_RING_CTL	0x03c
#define ENG_HWS_PGA	0x080
#define ENG_HWSTAM	0x098
#define ENG_MI_MODE	0x09c
#define ENG_IMR		0x0a8
#define ENG_RESET_CTL	0x0d0
#define ENG_BB_STATE	0x110
#define ENG_SBB_ADDR	0x114
#define ENG_SBB_STATE	0x118
#define ENG_SBB_UDW	0x11c
#define ENG_BB_ADDR	0x140
#define ENG_BB_UDW	0x168
#define ENG_ELSP	0x230
#define ENG_CONTEXT_CONTROL 0x244
#define ENG_PDP_LDW(n)	(0x270 + 8 * (n))
#define ENG_PDP_UDW(n)	(0x274 + 8 * (n))
#define ENG_MODE	0x29c
#define ENG_CSB(i)	(0x370 + 8 * (i))
#define ENG_CSB_PTR	0x3a0
#define ENG_CTX_TIMESTAMP 0x3a8

#define MASKED_SET(bits)	((uint32_t)(bits) << 16 | (uint32_t)(bits))
#define MASKED_CLEAR(bits)	((uint32_t)(bits) << 16)
#define RING_MODE_EXECLIST	(1u << 15)
#define MI_MODE_STOP_RING	(1u << 8)
#define RING_CTL_VALID		1u
#define RING_BB_PPGTT		(1u << 5)

/* CSB: entries at HWSP dword 0x10 + 2i, write pointer at 0x1f; 6 entries; reset 5. */
#define HWSP_CSB_INDEX		0x10
#define HWSP_CSB_WRITE_INDEX	0x1f
#define CSB_ENTRIES		6
#define CSB_RESET_PTR		5
#define CSB_IDLE_ACTIVE		(1u << 0)
#define CSB_PREEMPTED		(1u << 1)
#define CSB_ELEMENT_SWITCH	(1u << 2)
#define CSB_ACTIVE_IDLE		(1u << 3)
#define CSB_COMPLETE		(1u << 4)

/* Context descriptor (i915 lrc_descriptor). */
#define DESC_VALID		(1ull << 0)
#define DESC_ADDR_MODE_64B	(3ull << 3)
#define DESC_PRIVILEGE		(1ull << 8)

/* Register state page (LRCA + 4 KiB): LRI blocks as i915's gen8 offsets tables. */
#define CTX_LRI_1		0x01	/* MI_LOAD_REGISTER_IMM(11) */
#define CTX_CONTEXT_CONTROL	0x03
#define CTX_RING_HEAD		0x05
#define CTX_RING_TAIL		0x07
#define CTX_RING_START		0x09
#define CTX_RING_CTL		0x0b
#define CTX_BB_UDW		0x0d
#define CTX_BB_ADDR		0x0f
#define CTX_BB_STATE		0x11
#define CTX_SBB_UDW		0x13
#define CTX_SBB_ADDR		0x15
#define CTX_SBB_STATE		0x17
#define CTX_LRI_2		0x21	/* MI_LOAD_REGISTER_IMM(9) */
#define CTX_TIMESTAMP		0x23
#define CTX_PDP_UDW(n)		(0x31 - 4 * (n))
#define CTX_PDP_LDW(n)		(0x33 - 4 * (n))
#define CTX_LRI_3		0x41	/* MI_LOAD_REGISTER_IMM(2) */
#define CTX_END			0x46	/* MI_BATCH_BUFFER_END closes the image */
#define CTX_CTRL_RESTORE_INHIBIT (1u << 0)
#define CTX_CTRL_RS_CTX_ENABLE	(1u << 1)
#define CTX_CTRL_SAVE_INHIBIT	(1u << 2)
#define CTX_CTRL_INHIBIT_SYN	(1u << 3)

/* ---- interrupts (gen8) ---- */
#define IRQ_MASTER		0x44200u
#define IRQ_MASTER_ENABLE	(1u << 31)
#define GT_ISR(n)		(0x44300u + 0x10 * (n))
#define GT_IMR(n)		(GT_ISR(n) + 4)
#define GT_IIR(n)		(GT_ISR(n) + 8)
#define GT_IER(n)		(GT_ISR(n) + 0xc)
#define GT_USER_INTERRUPT	(1u << 0)
#define GT_CONTEXT_SWITCH	(1u << 8)

/* ---- commands (header dword; length = dwords - 2) ---- */
#define MI_NOOP			0x00000000u
#define MI_USER_INTERRUPT	(0x02u << 23)
#define MI_ARB_CHECK		(0x05u << 23)
#define MI_BATCH_BUFFER_END	(0x0au << 23)
#define MI_LOAD_REGISTER_IMM(n)	((0x22u << 23) | (2 * (n) - 1))
#define MI_STORE_DATA_IMM	((0x20u << 23) | 2)	/* 4 dwords: 64-bit address */
#define MI_USE_GGTT		(1u << 22)
#define MI_FLUSH_DW		((0x26u << 23) | 2)	/* 4 dwords with post-sync data */
#define MI_FLUSH_DW_STORE	(1u << 14)
#define MI_FLUSH_DW_USE_GTT	(1u << 2)		/* in the address dword */
#define MI_BATCH_BUFFER_START	((0x31u << 23) | 1)	/* 3 dwords: 64-bit address */
#define MI_BB_PPGTT		(1u << 8)
#define BLT_CLIENT		(2u << 29)
#define XY_COLOR_BLT		(BLT_CLIENT | (0x50u << 22))
#define XY_SRC_COPY_BLT		(BLT_CLIENT | (0x53u << 22))
#define XY_FAST_COPY_BLT	(BLT_CLIENT | (0x42u << 22))
#define BLT_WRITE_RGBA		(3u << 20)
#define BLT_DEPTH_32		(3u << 24)
#define BLT_ROP_SRC_COPY	(0xccu << 16)
#define BLT_ROP_COLOR_COPY	(0xf0u << 16)
#define FAST_DEPTH_32		(3u << 24)

/* ---- display (SKL universal plane 1 of each pipe) ---- */
#define PIPE_STRIDE		0x1000u
#define HTOTAL_A		0x60000u
#define HBLANK_A		0x60004u
#define HSYNC_A			0x60008u
#define VTOTAL_A		0x6000cu
#define VBLANK_A		0x60010u
#define VSYNC_A			0x60014u
#define PIPESRC_A		0x6001cu
#define PIPECONF_A		0x70008u
#define PLANE_CTL_A		0x70180u
#define PLANE_STRIDE_A		0x70188u
#define PLANE_POS_A		0x7018cu
#define PLANE_SIZE_A		0x70190u
#define PLANE_SURF_A		0x7019cu
#define PLANE_OFFSET_A		0x701a4u
#define PLANE_SURFLIVE_A	0x701acu
#define PIPECONF_ENABLE		(1u << 31)
#define PLANE_CTL_ENABLE	(1u << 31)
#define PLANE_FMT_XRGB8888	(4u << 24)
#define PLANE_STRIDE_UNIT	64u	/* linear */

#endif
