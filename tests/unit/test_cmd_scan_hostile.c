/* SPDX-License-Identifier: MIT */
/*
 * test_cmd_scan_hostile.c — hostile command streams against the scanner
 * (cmd_scan.c). Each is refused with its errno (-EPERM for a command,
 * -EFAULT for an address) and one line in w->why naming the cause, and
 * leaves nothing allocated; a neighbour vGPU scanning the same commands
 * against its own memory is unaffected.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/fake_hv.h"
#include "tests/test_util.h"
#include "tests/unit/cmd_scan_fx.h"

#define BATCH_GVA	0x100000000ull
#define BATCH_GPA	0x200000ull
#define DATA_GVA	0x200000000ull
#define DATA_GPA	0x400000ull

static void
setup(enum pgpu_engine e)
{
	fx_init(e, 1);
	fx_map(BATCH_GVA, BATCH_GPA, 64, false);
	fx_map(DATA_GVA, DATA_GPA, 64, false);
}

/* Scan; expect rc and a why containing want; nothing may stay allocated. */
static void
expect(int rc, const char *want)
{
	int got = fx_scan();

	if (!got)	/* unexpected: leave the fixture usable for the next case */
		cmd_scan_release(&fx->gpu, &fx->w);
	if (got != rc || !strstr(fx->w.why, want))
		printf("\n  rc %d (want %d), why \"%s\" (want \"%s\")\n", got, rc, fx->w.why, want);
	CU_ASSERT_EQUAL(got, rc);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx->w.why, want));
	CU_ASSERT_PTR_NULL(fx->w.shadow_ring.va);
	CU_ASSERT_PTR_NULL(fx->w.bbs);
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 0);
	CU_ASSERT_EQUAL(fx_live_allocs, 0);
	/* One line, prefixed with the engine. */
	CU_ASSERT_PTR_NULL(strchr(fx->w.why, '\n'));
	CU_ASSERT_EQUAL(strncmp(fx->w.why, exec_engines[fx->w.engine].name, 4), 0);
}

static void
start_batch(uint64_t gva)
{
	FX_RING(MI_BB_START_PPGTT, (uint32_t)gva, (uint32_t)(gva >> 32), MI_NOOP);
	fx_ring_done();
}

static void
test_lri_forbidden(void)
{
	/* In the ring. */
	setup(PGPU_RCS);
	FX_RING(MI_LRI(2), 0x2600, 1, 0x2038, 0x1000, MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "rcs0: LRI to register 0x2038 not allowed");
	fx_done();
	/* In a batch, the allowed one first. */
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_LRI(1), 0x7300, 0x80008000, MI_LRI(1), 0x941c, 1, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "LRI to register 0x941c not allowed");
	fx_done();
	/* Another engine's copy of an engine-relative register. */
	setup(PGPU_BCS);
	FX_RING(MI_LRI(1), 0x2600, 1, MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "bcs0: LRI to register 0x2600");
	fx_done();
	/* Stray bits in the register dword. */
	setup(PGPU_RCS);
	FX_RING(MI_LRI(1), 0x80002600, 1, MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "LRI to register 0x80002600");
	fx_done();
}

static void
test_srm_lrm_lrr_forbidden(void)
{
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_SRM_PPGTT, 0x941c, (uint32_t)DATA_GVA, 2, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "SRM from register 0x941c");
	fx_done();

	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_LRM_PPGTT, 0x2034, (uint32_t)DATA_GVA, 2, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "LRM to register 0x2034");
	fx_done();

	/* LRR: reading a timestamp is fine, writing it is not. */
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_LRR, 0x2600, 0x2358, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "LRR to register 0x2358");
	fx_done();

	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, PIPE_CONTROL6, PC_MMIO_WRITE, 0x2038, 0, 0, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "PIPE_CONTROL to register 0x2038");
	fx_done();
}

/* GGTT addresses outside the vGPU's GM: another vGPU's, the host's, beyond the GGTT. */
static void
test_ggtt_outside_gm(void)
{
	struct vgpu *n;
	uint32_t theirs;

	setup(PGPU_RCS);
	n = fx_neighbour();
	theirs = (uint32_t)(n->part.low_base + 0x1000);
	/* The ring writes into the neighbour's aperture. */
	FX_RING(MI_SDI_GGTT, theirs, 0, 7, MI_NOOP, MI_NOOP);
	fx_ring_done();
	expect(-EFAULT, "MI_STORE_DATA_IMM: GGTT 0x");
	/* A post-sync write into the host's part of GM (its shadow objects live there). */
	fx_ring_at(0);
	FX_RING(PIPE_CONTROL6, PC_QW_WRITE | PC_GLOBAL_GTT, (uint32_t)fx->gpu.hostgm.base, 0, 1, 0,
		MI_NOOP, MI_NOOP);
	fx_ring_done();
	expect(-EFAULT, "PIPE_CONTROL: GGTT 0x");
	/* The last 4 bytes of its share, written as a qword: runs out of it. */
	fx_ring_at(0);
	FX_RING(MI_SDI_GGTT | (1u << 21) | 1,
		(uint32_t)(fx->v->part.high_base + fx->v->part.high_size - 4), 0, 1, 2, MI_NOOP);
	fx_ring_done();
	expect(-EFAULT, "outside GM");
	/* A GGTT address with bits above 4 GiB. */
	fx_ring_at(0);
	FX_RING(MI_SRM_GGTT, 0x2600, (uint32_t)fx_low(0x1000), 1, MI_NOOP, MI_NOOP);
	fx_ring_done();
	expect(-EFAULT, "MI_STORE_REGISTER_MEM: GGTT 0x1");
	fake_bare_vgpu_free(n);
	fx_done();

	/* MI_FLUSH_DW (bcs0) to GGTT outside. */
	setup(PGPU_BCS);
	FX_RING(MI_FLUSH_DW4 | (1u << 14), 0x1000 | 4, 0, 0);
	fx_ring_done();
	expect(-EFAULT, "MI_FLUSH_DW: GGTT 0x1000 outside GM");
	/* A batch start to GGTT outside GM. */
	fx_ring_at(0);
	FX_RING(MI_BB_START_GGTT, 0x2000, 0, MI_NOOP);
	fx_ring_done();
	expect(-EFAULT, "batch at GGTT 0x2000 outside GM");
	/* The ring itself outside GM. */
	fx_ring_at(0);
	fx->w.ring_start = 0x1000;
	expect(-EFAULT, "ring at GGTT 0x1000 outside GM");
	fx_done();
}

/* GGTT from non-privileged code: a PPGTT batch, or a ring the descriptor does not privilege. */
static void
test_ggtt_from_ppgtt_batch(void)
{
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_SDI_GGTT, (uint32_t)fx_low(0x30000), 0, 1, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "GGTT access from a PPGTT batch");
	fx_done();

	setup(PGPU_RCS);
	fx->w.guest_desc &= ~CTX_DESC_PRIVILEGE;
	FX_RING(MI_SDI_GGTT, (uint32_t)fx_low(0x30000), 0, 1, MI_NOOP, MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "GGTT access from a non-privileged ring");
	fx_done();

	/* A status-page index from a PPGTT batch, and one past the page from the ring. */
	setup(PGPU_BCS);
	FX_GVA(BATCH_GVA, MI_FLUSH_DW4 | (1u << 21) | (1u << 14), 0x100, 0, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "status-page index from a PPGTT batch");
	fx_ring_at(0);
	FX_RING(MI_FLUSH_DW4 | (1u << 21) | (1u << 14), 0x1000, 0, 0);
	fx_ring_done();
	expect(-EFAULT, "status-page index 0x1000 past the page");
	/* The last qword of the page is fine (address bits 2:0 are not address bits). */
	fx_ring_at(0);
	FX_RING(MI_FLUSH_DW4 | (1u << 21) | (3u << 14), 0xffc, 0, 0);
	fx_ring_done();
	CU_ASSERT_EQUAL(fx_scan(), 0);
	fx_done();
}

static void
test_ppgtt_unmapped(void)
{
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_SDI_PPGTT, 0x5000, 0x3, 7, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EFAULT, "MI_STORE_DATA_IMM: PPGTT 0x300005000 not mapped");
	fx_done();

	/* A store whose last byte is on the page after the mapping. */
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_SDI_PPGTT | (1u << 21) | 1,
	       (uint32_t)(DATA_GVA + 64 * EXEC_PAGE - 4), 2, 1, 2, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EFAULT, "not mapped");
	fx_done();

	/* A blit whose destination runs past the mapping (the last row does). */
	setup(PGPU_BCS);
	FX_GVA(BATCH_GVA, XY_COLOR, BR13_32BPP_COPY(4096), 0, (64u << 16) | 1024,
	       (uint32_t)DATA_GVA + 4096, (uint32_t)(DATA_GVA >> 32), 0xff00ff, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EFAULT, "XY_COLOR_BLT: PPGTT");
	fx_done();

	/* The batch itself unmapped. */
	setup(PGPU_RCS);
	start_batch(0x900000000ull);
	expect(-EFAULT, "batch 0x900000000 runs into unmapped PPGTT 0x900000000");
	fx_done();

	/* An empty blit rectangle touches nothing and is not checked. */
	setup(PGPU_BCS);
	FX_GVA(BATCH_GVA, XY_COLOR, BR13_32BPP_COPY(4096), 5, 5, 0xdead0000, 0x77, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	CU_ASSERT_EQUAL(fx_scan(), 0);
	fx_done();
}

/* A batch that chains to itself, forever. */
static void
test_endless_chaining(void)
{
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_NOOP, MI_BB_START_PPGTT, (uint32_t)BATCH_GVA,
	       (uint32_t)(BATCH_GVA >> 32));
	start_batch(BATCH_GVA);
	expect(-EPERM, "deeper than 3");
	fx_done();

	/* Nested second levels are refused outright. */
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_BB_START_PPGTT | MI_BB_2ND, (uint32_t)(BATCH_GVA + 0x1000),
	       (uint32_t)(BATCH_GVA >> 32), MI_BB_END);
	FX_GVA(BATCH_GVA + 0x1000, MI_BB_START_PPGTT | MI_BB_2ND, (uint32_t)(BATCH_GVA + 0x2000),
	       (uint32_t)(BATCH_GVA >> 32), MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "nested below the second level");
	fx_done();

	setup(PGPU_RCS);
	FX_RING(MI_BB_START_PPGTT | MI_BB_2ND, (uint32_t)BATCH_GVA, (uint32_t)(BATCH_GVA >> 32),
		MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "2nd-level batch started from the ring");
	fx_done();

	/* Many batch starts in one ring: bounded too. */
	setup(PGPU_RCS);
	fx->w.ring_ctl = (1u << 12) | 1;	/* 2 pages */
	FX_GVA(BATCH_GVA, MI_BB_END);
	for (unsigned int i = 0; i <= CMD_MAX_BBS; i++)
		FX_RING(MI_BB_START_PPGTT, (uint32_t)BATCH_GVA, (uint32_t)(BATCH_GVA >> 32),
			MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "more than 256 batches");
	fx_done();
}

/* A batch without MI_BATCH_BUFFER_END: into unmapped memory, or on and on. */
static void
test_batch_without_end(void)
{
	/* Three pages of MI_NOOP, then nothing mapped. */
	setup(PGPU_RCS);
	fx->nmap = 0;
	fx_map(BATCH_GVA, BATCH_GPA, 3, false);
	start_batch(BATCH_GVA + 0x10);
	expect(-EFAULT, "runs into unmapped PPGTT 0x100003000");
	fx_done();

	/* A GGTT batch running off the end of the vGPU's GM. */
	setup(PGPU_RCS);
	FX_RING(MI_BB_START_GGTT, (uint32_t)(fx->v->part.high_base + fx->v->part.high_size - 8),
		0, MI_NOOP);
	fx_ring_done();
	expect(-EFAULT, "runs into unmapped GGTT");
	fx_done();

	/* 17 MiB of MI_NOOP, all mapped (one page aliased over and over). */
	setup(PGPU_RCS);
	fx->nmap = 0;
	fx_map(BATCH_GVA, BATCH_GPA, (17u << 20) / EXEC_PAGE, true);
	start_batch(BATCH_GVA);
	expect(-EPERM, "no MI_BATCH_BUFFER_END in 16 MiB");
	fx_done();

	/*
	 * Not a violation: a batch that ends on its last mapped page, though
	 * reads ahead would cross into the unmapped one after it.
	 */
	setup(PGPU_RCS);
	fx->nmap = 0;
	fx_map(BATCH_GVA, BATCH_GPA, 2, false);
	FX_GVA(BATCH_GVA + 2 * EXEC_PAGE - 4, MI_BB_END);
	start_batch(BATCH_GVA);
	CU_ASSERT_EQUAL(fx_scan(), 0);
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 1);
	CU_ASSERT_EQUAL(fx_bb(0)[2 * EXEC_PAGE / 4 - 1], MI_BB_END);
	fx_done();

	/* A command cut by the end of the mapping. */
	setup(PGPU_RCS);
	fx->nmap = 0;
	fx_map(BATCH_GVA, BATCH_GPA, 1, false);
	FX_GVA(BATCH_GVA + EXEC_PAGE - 8, MI_LRI(2), 0x2600);
	start_batch(BATCH_GVA + EXEC_PAGE - 8);
	expect(-EFAULT, "runs into unmapped");
	fx_done();
}

/* Privileged batches: a batch start asking for secure (GGTT) execution from where it may not. */
static void
test_privileged_batch(void)
{
	uint64_t gbb;

	/* From a PPGTT batch (chain or call): refused. */
	setup(PGPU_RCS);
	gbb = fx_low(0x40000);
	FX_GMA(gbb, MI_BB_END);
	FX_GVA(BATCH_GVA, MI_BB_START_GGTT | MI_BB_2ND, (uint32_t)gbb, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "privileged (GGTT) batch from a PPGTT batch");
	fx_done();

	/* From a ring whose context descriptor is not privileged: refused. */
	setup(PGPU_RCS);
	gbb = fx_low(0x40000);
	FX_GMA(gbb, MI_BB_END);
	fx->w.guest_desc &= ~CTX_DESC_PRIVILEGE;
	FX_RING(MI_BB_START_GGTT, (uint32_t)gbb, 0, MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "privileged (GGTT) batch from a non-privileged ring");
	/* The same from the privileged ring is accepted (i915's render state)... */
	fx->w.guest_desc |= CTX_DESC_PRIVILEGE;
	CU_ASSERT_EQUAL(fx_scan(), 0);
	cmd_scan_release(&fx->gpu, &fx->w);
	/* ...and audited all the same. */
	FX_GMA(gbb, MI_LRI(1), 0x2038, 0, MI_BB_END);
	expect(-EPERM, "LRI to register 0x2038");
	fx_done();

	/* Batch-start flags the scanner does not model. */
	setup(PGPU_RCS);
	FX_RING(MI_BB_START_PPGTT | (1u << 16), (uint32_t)BATCH_GVA, (uint32_t)(BATCH_GVA >> 32),
		MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "unsupported flags 0x10000");
	fx_done();
}

/* MI commands only a privileged ring may use, in a batch; and commands never allowed. */
static void
test_ring_only_and_refused(void)
{
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, MI_ARB_ON_OFF, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "MI_ARB_ON_OFF in a batch (ring only)");
	fx_done();

	setup(PGPU_BCS);
	FX_GVA(BATCH_GVA, 0x0d800000 /* MI_SEMAPHORE_SIGNAL */, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "MI_SEMAPHORE_SIGNAL in a batch");
	fx_done();

	/* MI_UPDATE_GTT: never, not even from the ring. */
	setup(PGPU_RCS);
	FX_RING(0x11800001, (uint32_t)fx_low(0), 0, MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "MI_UPDATE_GTT refused");
	fx_done();

	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, 0x0a000000 /* MI_DISPLAY_FLIP */, 0, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "MI_DISPLAY_FLIP refused");
	fx_done();

	/* A batch end in the ring. */
	setup(PGPU_RCS);
	FX_RING(MI_BB_END, MI_NOOP);
	expect(-EPERM, "MI_BATCH_BUFFER_END in the ring");
	fx_done();
}

static void
test_unknown_opcode(void)
{
	setup(PGPU_RCS);
	FX_RING(MI_NOOP, 0x1f800000, MI_NOOP, MI_NOOP);
	expect(-EPERM, "rcs0: unknown MI command 0x1f800000 in ring");
	fx_done();

	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, 0x3c000000 /* client 1 */, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "unknown client 1 command 0x3c000000 in batch");
	fx_done();

	/* Known, but not on this engine. */
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, XY_COLOR, 0, 0, 0, 0, 0, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "XY_COLOR_BLT not allowed on rcs0");
	fx_done();
}

static void
test_bad_lengths(void)
{
	/* LRI of even length. */
	setup(PGPU_RCS);
	FX_RING(0x11000002, 0x2600, 1, 0x2604, MI_NOOP, MI_NOOP);
	expect(-EPERM, "MI_LOAD_REGISTER_IMM: bad length 4");
	fx_done();

	/* SRM of 5 dwords. */
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, 0x12000003, 0x2600, (uint32_t)DATA_GVA, 2, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "MI_STORE_REGISTER_MEM: bad length 5");
	fx_done();

	/* A qword store with a dword's length. */
	setup(PGPU_RCS);
	FX_RING(MI_SDI_GGTT | (1u << 21), (uint32_t)fx_low(0x30000), 0, 1, MI_NOOP, MI_NOOP);
	expect(-EPERM, "bad length 4 dwords for a qword store");
	fx_done();

	/* 3D state with the wrong length. */
	setup(PGPU_RCS);
	FX_GVA(BATCH_GVA, 0x78140005, 0, 0, 0, 0, 0, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "3DSTATE_WM: bad length 7");
	fx_done();

	/* A command running past the ring's tail. */
	setup(PGPU_RCS);
	FX_RING(MI_NOOP, MI_LRI(1), 0x2600);
	fx_ring_done();
	fx->w.ring_tail = 8;
	expect(-EPERM, "MI_LOAD_REGISTER_IMM runs past the ring tail");
	fx_done();

	/* Ring registers past the ring. */
	setup(PGPU_RCS);
	fx->w.ring_tail = EXEC_PAGE + 8;
	expect(-EPERM, "past its 4 KiB");
	fx_done();
}

/* The other address-carrying MI commands: atomics, semaphore waits, conditional ends. */
static void
test_other_addresses(void)
{
	uint32_t in = 0, out = 0x1000;

	setup(PGPU_RCS);
	in = (uint32_t)fx_low(0x30000);
	/* MI_ATOMIC (GGTT, qword operand) inside GM from the ring: fine; outside: not. */
	FX_RING(0x17800001u | (1u << 22) | (1u << 19), in, 0, MI_NOOP);
	fx_ring_done();
	CU_ASSERT_EQUAL(fx_scan(), 0);
	cmd_scan_release(&fx->gpu, &fx->w);
	fx_ring_at(0);
	FX_RING(0x17800001u | (1u << 22) | (1u << 19), out, 0, MI_NOOP);
	fx_ring_done();
	expect(-EFAULT, "MI_ATOMIC: GGTT 0x1000 outside GM");
	/* Inline data (bit 18) needs 11 dwords; 3 is a bad length. */
	fx_ring_at(0);
	FX_RING(0x17800001u | (1u << 22) | (1u << 18), in, 0, MI_NOOP);
	fx_ring_done();
	expect(-EPERM, "MI_ATOMIC: bad length 3");
	/* A semaphore wait polling an unmapped PPGTT address, in a batch. */
	fx_ring_at(0);
	FX_GVA(BATCH_GVA, 0x0e000002u, 0, 0x1000, 0x5, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EFAULT, "MI_SEMAPHORE_WAIT: PPGTT 0x500001000 not mapped");
	/* A conditional end comparing against another vGPU's memory... from a PPGTT batch. */
	fx_ring_at(0);
	FX_GVA(BATCH_GVA, 0x1b000002u | (1u << 22), 0, in, 0, MI_BB_END);
	start_batch(BATCH_GVA);
	expect(-EPERM, "MI_CONDITIONAL_BATCH_BUFFER_END: GGTT access from a PPGTT batch");
	fx_done();
}

/* One vGPU's violation is its own: the neighbour's identical scan of its own memory passes. */
static void
test_neighbour_unaffected(void)
{
	struct vgpu *n, *me;
	struct workload mine;
	uint32_t target;

	setup(PGPU_RCS);
	n = fx_neighbour();
	target = (uint32_t)(n->part.low_base + 0x3000);
	FX_RING(MI_SDI_GGTT, target, 0, 7, MI_NOOP, MI_NOOP);
	fx_ring_done();
	mine = fx->w;
	expect(-EFAULT, "GGTT");
	/* The same ring, submitted by the neighbour (its GM holds target): accepted. */
	me = fx->v;
	fx->v = n;
	fx->w = mine;
	fx->w.v = n;
	fx->w.ring_start = (uint32_t)(n->part.low_base + FX_RING_OFF);
	memcpy(fx_gma_ptr(fx->w.ring_start), ((uint8_t *)me->hv->ram) + FX_RING_OFF,
	       fx->w.ring_tail);
	CU_ASSERT_EQUAL(fx_scan(), 0);
	CU_ASSERT_STRING_EQUAL(fx->w.why, "");
	cmd_scan_release(&fx->gpu, &fx->w);
	fx->v = me;
	fake_bare_vgpu_free(n);
	fx_done();
}

static const struct test_case hostile_cases[] = {
	{ "LRI to a forbidden register", test_lri_forbidden },
	{ "SRM/LRM/LRR/PIPE_CONTROL registers", test_srm_lrm_lrr_forbidden },
	{ "GGTT addresses outside the vGPU's GM", test_ggtt_outside_gm },
	{ "GGTT and status-page index from non-privileged code", test_ggtt_from_ppgtt_batch },
	{ "PPGTT addresses not mapped", test_ppgtt_unmapped },
	{ "endless chaining and nesting", test_endless_chaining },
	{ "batch without MI_BATCH_BUFFER_END", test_batch_without_end },
	{ "privileged batch", test_privileged_batch },
	{ "ring-only and refused commands", test_ring_only_and_refused },
	{ "unknown opcode", test_unknown_opcode },
	{ "bad lengths", test_bad_lengths },
	{ "atomics, semaphore waits, conditional ends", test_other_addresses },
	{ "a neighbour vGPU is unaffected", test_neighbour_unaffected },
	{ NULL, NULL },
};

void suite_cmd_scan_hostile(void);

void
suite_cmd_scan_hostile(void)
{
	test_add_suite("cmd_scan_hostile", hostile_cases);
}
