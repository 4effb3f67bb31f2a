/* SPDX-License-Identifier: MIT */
/*
 * cmd_table.h — the command scanner's data (docs/execution.md): the Gen9
 * opcode table (cmd_table.c) and the register whitelist of LRI / SRM /
 * LRM / LRR (cmd_regs.c), both const data checked once at start, and the
 * per-engine indexes built from them. The scanner itself is cmd_scan.c.
 *
 * Command header (Gen9 PRM vol. 2a, "Command Format"): bits 31:29 the
 * client: 0 MI, 2 2D (blitter), 3 3D/media ("GFXPIPE"); 1 and 4..7 are
 * not decoded on Gen9. The opcode field per client:
 *   MI        bits 28:23
 *   2D        bits 28:22
 *   3D/media  bits 28:27 pipeline (subtype), 26:24 opcode, 23:16 sub-opcode
 * The length field, where a command has one, holds dwords - 2 in its low
 * bits (its width varies per command); one-dword commands have none.
 */
#ifndef MEDIATOR_EXEC_CMD_TABLE_H
#define MEDIATOR_EXEC_CMD_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "mediator/pgpu.h"

/* Header fields. */
#define CMD_CLIENT(hdr)		((hdr) >> 29)
#define CMD_CLIENT_MI		0u
#define CMD_CLIENT_2D		2u
#define CMD_CLIENT_3D		3u
/* A header with only the identifying bits of a command (its row's opcode). */
#define CMD_MI(op)		((uint32_t)(op) << 23)
#define CMD_2D(op)		((2u << 29) | (uint32_t)(op) << 22)
#define CMD_3D(pipe, op, sub)	((3u << 29) | (uint32_t)(pipe) << 27 | (uint32_t)(op) << 24 | \
				 (uint32_t)(sub) << 16)

/* Engines a command may run on (bit per enum pgpu_engine). */
#define CMD_E_RCS	(1u << PGPU_RCS)
#define CMD_E_BCS	(1u << PGPU_BCS)
#define CMD_E_VCS	(1u << PGPU_VCS)
#define CMD_E_VECS	(1u << PGPU_VECS)
#define CMD_E_ALL	(CMD_E_RCS | CMD_E_BCS | CMD_E_VCS | CMD_E_VECS)

/* What the scanner does with a command beyond decoding its length. */
enum cmd_check {
	CMD_CHK_NONE = 0,	/* nothing: state without graphics addresses it audits */
	CMD_CHK_ADDR,		/* audit the addr[] fields (fixed access size) */
	CMD_CHK_SDI,		/* MI_STORE_DATA_IMM: address + data size from the length */
	CMD_CHK_LRI,		/* MI_LOAD_REGISTER_IMM: (register, value) pairs, whitelist */
	CMD_CHK_SRM,		/* MI_STORE_REGISTER_MEM: register read, memory write */
	CMD_CHK_LRM,		/* MI_LOAD_REGISTER_MEM: memory read, register write */
	CMD_CHK_LRR,		/* MI_LOAD_REGISTER_REG: register to register */
	CMD_CHK_FLUSH_DW,	/* MI_FLUSH_DW: post-sync write, index or address */
	CMD_CHK_PIPE_CONTROL,	/* PIPE_CONTROL: post-sync write, MMIO write */
	CMD_CHK_ATOMIC,		/* MI_ATOMIC: address + operand size */
	CMD_CHK_BLT,		/* XY_* blits: destination (and source) extents */
	CMD_CHK_BB_START,	/* MI_BATCH_BUFFER_START: copy, scan, patch */
	CMD_CHK_BB_END,		/* MI_BATCH_BUFFER_END */
	CMD_CHK_NR
};

/* How a graphics address field picks its address space. */
enum cmd_space {
	CMD_SPACE_PPGTT = 0,	/* no selector: the context's PPGTT (blits, 3D state) */
	CMD_SPACE_HDR22,	/* header bit 22 set: GGTT, clear: PPGTT (SDI, SRM, LRM, ...) */
	CMD_SPACE_BB,		/* header bit 8 clear: GGTT, set: PPGTT (batch start) */
	CMD_SPACE_DW1_B24,	/* dword 1 bit 24 set: GGTT (PIPE_CONTROL) */
	CMD_SPACE_DW1_B2,	/* dword 1 bit 2 set: GGTT (MI_FLUSH_DW) */
};

/* A graphics address inside a command. */
struct cmd_addr {
	uint8_t dw;		/* dword of its low part; 0: no address */
	uint8_t width;		/* 32, or 48: bits 15:0 of dword dw + 1 are bits 47:32 */
	uint8_t lo_bits;	/* low bits of dword dw that are not address bits (2: 1:0) */
	uint8_t space;		/* enum cmd_space */
	uint8_t size;		/* bytes accessed (CMD_CHK_ADDR); 0: the handler knows */
};

#define CMD_MAX_ADDRS 2

/* One command: a row of the opcode table. */
struct cmd_desc {
	const char *name;
	/* Client and opcode fields as in a header (CMD_MI/CMD_2D/CMD_3D), other bits 0. */
	uint32_t opcode;
	/*
	 * Length in dwords = (header & len_mask) + len: a fixed-length
	 * command has len_mask 0 and len its length; one with a length
	 * field has that field's mask and len the bias (2 on Gen9).
	 */
	uint32_t len_mask;
	uint32_t len;
	/* Accepted lengths in dwords, header included (fixed: both = len). */
	uint32_t len_min, len_max;
	uint8_t engines;	/* CMD_E_*: engines that decode it */
	uint8_t flags;		/* CMD_F_* */
	uint8_t check;		/* enum cmd_check */
	struct cmd_addr addr[CMD_MAX_ADDRS];
};

/* Row flags. */
#define CMD_F_REFUSED	(1u << 0)	/* never from a guest (display flips, GTT updates, ...) */
#define CMD_F_RING_ONLY	(1u << 1)	/* privileged MI command: ring and context batches only */
#define CMD_F_ODD_LEN	(1u << 2)	/* length must be odd (header + pairs: LRI) */

extern const struct cmd_desc cmd_table[];
extern const size_t cmd_table_len;

/* One register range of the whitelist. */
struct cmd_reg {
	const char *name;
	uint32_t off;		/* MMIO offset, or offset from the engine's base (CMD_REG_REL) */
	uint32_t size;		/* bytes, a multiple of 4 */
	uint8_t engines;	/* CMD_E_*: whose command streams may reach it */
	uint8_t flags;		/* CMD_REG_* */
};

#define CMD_REG_RD	(1u << 0)	/* may be read: SRM, LRR source */
#define CMD_REG_WR	(1u << 1)	/* may be written: LRI, LRM, LRR destination, PIPE_CONTROL */
#define CMD_REG_REL	(1u << 2)	/* off is relative to the engine's MMIO base */

extern const struct cmd_reg cmd_regs[];
extern const size_t cmd_regs_len;

/*
 * Check an opcode table: rows sorted by (client, opcode field), no two
 * rows for one opcode on one engine, lengths sane (fixed: 1..; field:
 * bias + mask covers [len_min, len_max], len_min >= 1), engines given,
 * address fields inside the shortest command, checks in range. 0, or
 * -EINVAL with err naming the row and the problem.
 */
int cmd_table_check(const struct cmd_desc *t, size_t n, char *err, size_t errlen);
/*
 * Check a register whitelist: rows sorted by offset, dword aligned and
 * sized, a read or write flag, engines given, and no two ranges of one
 * engine overlapping once relative rows are placed at each engine's base.
 * 0, or -EINVAL with err.
 */
int cmd_regs_check(const struct cmd_reg *r, size_t n, char *err, size_t errlen);

/*
 * The per-engine index (cmd_index.c, written once by cmd_table_init, then
 * read-only), by the header's top 16 bits: a 3D/media command is named by
 * all of them, an MI or 2D command by fewer (its row fills every value
 * of the flag bits between its opcode and bit 16). An entry is 0 (not
 * decoded on that engine) or packs the row and its length rule, so that
 * the scanner's critical path (header -> length -> next header) is one
 * load:
 *   bits 9:0   row number + 1
 *   bits 14:10 width of the length field (0: fixed length)
 *   bit 15     CMD_ENT_SLOW: the row must be consulted (a check, a flag,
 *              length bounds that bits 31:24 do not express)
 *   bits 23:16 the fixed length, or the field's bias
 *   bits 31:24 the one accepted length (0: any the field can express)
 * 256 KiB per engine, of which the few pages holding real opcodes are
 * ever touched.
 */
#define CMD_NKEYS 0x10000u
extern uint32_t cmd_index[PGPU_NR_ENGINES][CMD_NKEYS];

static inline uint32_t
cmd_key(uint32_t hdr)
{
	return hdr >> 16;
}

/* An index entry's row (NULL-safe only for a non-zero entry) and length of header hdr. */
#define CMD_ENT_ROW(ent)	(&cmd_table[((ent) & 0x3ff) - 1])
#define CMD_ENT_LEN(ent, hdr)	(((hdr) & ((1u << (((ent) >> 10) & 0x1f)) - 1)) + (((ent) >> 16) & 0xff))
#define CMD_ENT_SLOW		(1u << 15)
#define CMD_ENT_EXACT(ent)	((ent) >> 24)

/*
 * Check both tables (once per process) and build the per-engine indexes;
 * logs and returns -EINVAL if a table is broken, -ENOMEM. Any thread.
 */
int cmd_table_init(void);

/* The row decoding hdr on engine e, or NULL (after cmd_table_init). Lock-free. */
const struct cmd_desc *cmd_lookup(enum pgpu_engine e, uint32_t hdr);
/* A row for hdr on any engine (NULL: unknown anywhere): for error messages. */
const struct cmd_desc *cmd_lookup_any(uint32_t hdr);
/*
 * The whitelist range holding register off (MMIO offset) for engine e
 * that grants access (CMD_REG_RD / CMD_REG_WR), or NULL.
 */
const struct cmd_reg *cmd_reg_allowed(enum pgpu_engine e, uint32_t off, unsigned int access);

#endif
