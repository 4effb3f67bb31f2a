/* SPDX-License-Identifier: MIT */
/*
 * test_cmd_scan.c — the command scanner on streams a guest i915 really
 * sends (cmd_scan.c): the ring is copied to a shadow of the same size at
 * the same offsets, each batch is copied and its start pointed at the
 * copy, the copies are what was checked, wrapped rings and both batch
 * levels work, and the context workaround batches scan. The hostile
 * streams are in test_cmd_scan_hostile.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/fake_hv.h"
#include "tests/test_util.h"
#include "tests/unit/cmd_scan_fx.h"

#define BATCH_GVA	0x100000000ull	/* PPGTT batch buffers */
#define BATCH_GPA	0x200000ull
#define DATA_GVA	0x200000000ull	/* PPGTT data (blit surfaces, stores) */
#define DATA_GPA	0x400000ull
#define HWSP_OFF	0x30000ull	/* a status page in the vGPU's aperture part */

static void
map_std(void)
{
	fx_map(BATCH_GVA, BATCH_GPA, 64, false);
	fx_map(DATA_GVA, DATA_GPA, 512, false);
}

static bool
in_host_window(uint64_t gma, unsigned int npages)
{
	return gma >= fx->gpu.hostgm.base &&
	       gma + (uint64_t)npages * EXEC_PAGE <=
		       fx->gpu.hostgm.base + ((uint64_t)fx->gpu.hostgm.npages << 12);
}

/* i915's first request on rcs0 (gt/gen8_engine_cs.c): breadcrumbs, flushes, a batch. */
static void
emit_i915_request(uint64_t batch)
{
	uint32_t hwsp = (uint32_t)fx_low(HWSP_OFF);

	/* gen8_emit_init_breadcrumb */
	FX_RING(MI_SDI_GGTT, hwsp, 0, 41, MI_NOOP, MI_ARB_CHECK);
	/* gen8_emit_flush_rcs(EMIT_INVALIDATE): a null PIPE_CONTROL, then one to the scratch index */
	FX_RING(PIPE_CONTROL6, 0, 0, 0, 0, 0);
	FX_RING(PIPE_CONTROL6, PC_CS_STALL | PC_QW_WRITE | PC_STORE_INDEX | 0x1c1c, 0x34 * 4, 0, 0,
		0);
	/* gen8_emit_bb_start */
	FX_RING(MI_ARB_ON_OFF | 1, MI_BB_START_PPGTT, (uint32_t)batch, (uint32_t)(batch >> 32),
		MI_ARB_ON_OFF, MI_NOOP);
	/* gen8_emit_fini_breadcrumb_rcs */
	FX_RING(PIPE_CONTROL6, (1u << 12) | 1 | (1u << 5), 0, 0, 0, 0);
	FX_RING(PIPE_CONTROL6, PC_QW_WRITE | PC_GLOBAL_GTT | PC_CS_STALL | (1u << 7), hwsp, 0, 42,
		0);
	FX_RING(MI_USER_INTERRUPT, MI_ARB_ON_OFF | 1, MI_ARB_CHECK, MI_NOOP);
	fx_ring_done();
}

static void
test_i915_request(void)
{
	uint32_t guest_ring[64], tail, bb_off = 0;
	uint64_t bb;

	fx_init(PGPU_RCS, 4);
	map_std();
	/* gem_exec_nop's batch: MI_BATCH_BUFFER_END (and padding). */
	FX_GVA(BATCH_GVA, MI_BB_END, MI_NOOP);
	emit_i915_request(BATCH_GVA);
	tail = fx->w.ring_tail;
	memcpy(guest_ring, fx_gma_ptr(fx->w.ring_start), tail);

	CU_ASSERT_EQUAL_FATAL(fx_scan(), 0);
	CU_ASSERT_STRING_EQUAL(fx->w.why, "");
	/* The shadow ring: same size, mapped in the host's GM window, same offsets. */
	CU_ASSERT_EQUAL(fx->w.shadow_ring.npages, 4);
	CU_ASSERT_TRUE(in_host_window(fx->w.shadow_ring.gma, 4));
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 1);
	bb = fx->w.bbs[0].gma;
	CU_ASSERT_TRUE(in_host_window(bb, fx->w.bbs[0].npages));
	for (uint32_t off = 0; off < tail; off += 4) {
		if (guest_ring[off / 4] == MI_BB_START_PPGTT)
			bb_off = off;
	}
	CU_ASSERT_FATAL(bb_off != 0);
	/* Everything as the guest wrote it, but the batch start: GGTT, at the copy. */
	for (uint32_t off = 0; off < tail; off += 4) {
		uint32_t want = guest_ring[off / 4];

		if (off == bb_off)
			want = MI_BB_START_GGTT;
		else if (off == bb_off + 4)
			want = (uint32_t)bb;
		else if (off == bb_off + 8)
			want = (uint32_t)(bb >> 32);
		CU_ASSERT_EQUAL(*fx_shadow(off), want);
	}
	/* The guest's own ring is untouched. */
	CU_ASSERT_EQUAL(memcmp(guest_ring, fx_gma_ptr(fx->w.ring_start), tail), 0);
	/* The copy: its end, then the guard end, then nothing of the guest's. */
	CU_ASSERT_EQUAL(fx_bb(0)[0], MI_BB_END);
	CU_ASSERT_EQUAL(fx_bb(0)[1], MI_BB_END);
	CU_ASSERT_EQUAL(fx_bb(0)[2], 0);
	fx_done();
}

/*
 * The kernel context's first request on rcs0 loads the Skylake context
 * workarounds with one LRI (gt/intel_workarounds.c: intel_engine_emit_ctx_wa
 * over gen9/skl_ctx_workarounds_init); a request may end in the preemption
 * busy-wait on the engine's status page (emit_preempt_busywait).
 */
static void
test_i915_ctx_workarounds(void)
{
	static const uint32_t regs[] = {
		0x7014,	/* COMMON_SLICE_CHICKEN2 */
		0xe194,	/* GEN9_HALF_SLICE_CHICKEN7 */
		0xe4f0,	/* GEN8_ROW_CHICKEN */
		0x7004,	/* CACHE_MODE_1 */
		0xe188,	/* GEN9_HALF_SLICE_CHICKEN5 */
		0x7300,	/* HDC_CHICKEN0 */
		0xe184,	/* GEN8_HALF_SLICE_CHICKEN3 */
		0xe180,	/* HALF_SLICE_CHICKEN2 */
		0x2580,	/* GEN8_CS_CHICKEN1 */
		0x7008,	/* GEN7_GT_MODE (skl_tune_iz_hashing) */
		0xe100,	/* GEN7_HALF_SLICE_CHICKEN1 (kbl, cfl) */
		0x5588,	/* GEN9_WM_CHICKEN3 (bxt, glk) */
	};
	const unsigned int n = sizeof(regs) / sizeof(regs[0]);

	fx_init(PGPU_RCS, 1);
	FX_RING(MI_LRI(n));
	for (unsigned int i = 0; i < n; i++)
		FX_RING(regs[i], 0x00010001u);
	FX_RING(MI_NOOP);
	/* MI_SEMAPHORE_WAIT | GLOBAL_GTT | POLL | SAD_EQ_SDD on the status page */
	FX_RING(MI_ARB_CHECK, 0x0e000002u | (1u << 22) | (1u << 15) | (4u << 12), 0,
		(uint32_t)fx_low(HWSP_OFF + 0x100), 0, MI_NOOP);
	fx_ring_done();
	CU_ASSERT_EQUAL(fx_scan(), 0);
	CU_ASSERT_STRING_EQUAL(fx->w.why, "");
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 0);
	CU_ASSERT_EQUAL(*fx_shadow(0), MI_LRI(n));
	fx_done();
}

/* An empty submission (head == tail) is fine and copies nothing. */
static void
test_empty_ring(void)
{
	fx_init(PGPU_BCS, 1);
	fx_ring_at(0x100);
	CU_ASSERT_EQUAL(fx_scan(), 0);
	CU_ASSERT_PTR_NOT_NULL(fx->w.shadow_ring.va);
	CU_ASSERT_EQUAL(fx->gma_reads, 0);
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 0);
	fx_done();
}

/* igt gem_blt: a batch of XY_SRC_COPY_BLTs on bcs0, then MI_FLUSH_DW breadcrumbs. */
static void
test_gem_blt(void)
{
	uint32_t batch[10 * 16 + 2];
	unsigned int n = 0;

	fx_init(PGPU_BCS, 1);
	map_std();
	for (unsigned int i = 0; i < 16; i++) {
		uint64_t dst = DATA_GVA + 0x100000, src = DATA_GVA;

		batch[n++] = XY_SRC_COPY;
		batch[n++] = BR13_32BPP_COPY(1024);		/* 256 pixels of 4 bytes */
		batch[n++] = (i * 16u) << 16;			/* dst y1, x1 */
		batch[n++] = ((i + 1) * 16u) << 16 | 256;	/* dst y2, x2 */
		batch[n++] = (uint32_t)dst;
		batch[n++] = (uint32_t)(dst >> 32);
		batch[n++] = 0;					/* src y1, x1 */
		batch[n++] = 1024;				/* src pitch */
		batch[n++] = (uint32_t)src;
		batch[n++] = (uint32_t)(src >> 32);
	}
	batch[n++] = MI_BB_END;
	batch[n++] = MI_NOOP;
	fx_put_gva(BATCH_GVA, batch, n);
	FX_RING(MI_ARB_ON_OFF | 1, MI_BB_START_PPGTT, (uint32_t)BATCH_GVA,
		(uint32_t)(BATCH_GVA >> 32), MI_ARB_ON_OFF, MI_NOOP);
	/* gen8_emit_flush_xcs + the xcs breadcrumb (a GGTT store of the seqno) */
	FX_RING(MI_FLUSH_DW4 | (1u << 21) | (1u << 14), 0x34 * 4, 0, 0);
	FX_RING(MI_FLUSH_DW4 | (1u << 14), (uint32_t)fx_low(HWSP_OFF) | 4, 0, 42);
	FX_RING(MI_USER_INTERRUPT, MI_ARB_ON_OFF | 1, MI_ARB_CHECK, MI_NOOP);
	fx_ring_done();

	CU_ASSERT_EQUAL_FATAL(fx_scan(), 0);
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 1);
	/* The copy is the batch, byte for byte, then the guard. */
	CU_ASSERT_EQUAL(memcmp(fx_bb(0), batch, (n - 1) * 4), 0);
	CU_ASSERT_EQUAL(fx_bb(0)[n - 1], MI_BB_END);
	/* Translations are remembered per page: fewer than one per address checked. */
	CU_ASSERT_TRUE(fx->xlates < 16 * 4);
	fx_done();
}

/*
 * The copy is what runs: the guest rewrites its batch while the scan is
 * under way (after the copy, before the scan finished) and after it;
 * the shadow holds the bytes that were checked, each guest page was read
 * once, and the guest's later bytes (a forbidden LRI) are nowhere in it.
 */
static void
rewrite_batch(struct fx *f)
{
	uint32_t *p = fx_gva_ptr(BATCH_GVA);

	if (f->xlates < 2)	/* the first translation is the batch's own read */
		return;
	p[0] = MI_LRI(1);
	p[1] = 0x2038;	/* RING_START: forbidden */
	p[2] = 0;
}

static unsigned int batch_page_reads;

static void
count_reads(struct hv *hv, uint64_t gpa, size_t len)
{
	(void)hv;
	if (gpa < BATCH_GPA + EXEC_PAGE && gpa + len > BATCH_GPA)
		batch_page_reads++;
}

static void
test_changed_after_submission(void)
{
	const uint32_t orig[] = { MI_SDI_PPGTT, (uint32_t)DATA_GVA, (uint32_t)(DATA_GVA >> 32), 7,
				  MI_BB_END, MI_NOOP };

	fx_init(PGPU_RCS, 1);
	map_std();
	fx_put_gva(BATCH_GVA, orig, 6);
	FX_RING(MI_BB_START_PPGTT, (uint32_t)BATCH_GVA, (uint32_t)(BATCH_GVA >> 32), MI_NOOP);
	fx_ring_done();
	/* The SDI's address is translated after the copy: the guest strikes then. */
	fx->on_xlate = rewrite_batch;
	batch_page_reads = 0;
	fx->v->hv->read_hook = count_reads;

	CU_ASSERT_EQUAL_FATAL(fx_scan(), 0);
	CU_ASSERT_EQUAL(((uint32_t *)fx_gva_ptr(BATCH_GVA))[0], MI_LRI(1));	/* it did strike */
	CU_ASSERT_EQUAL(memcmp(fx_bb(0), orig, 5 * 4), 0);	/* the checked bytes */
	CU_ASSERT_EQUAL(batch_page_reads, 1);			/* read once, never again */
	/* And after the scan: nothing the guest does reaches the shadow. */
	FX_GVA(BATCH_GVA + 16, MI_LRI(1), 0x2038, 0);
	CU_ASSERT_EQUAL(memcmp(fx_bb(0), orig, 5 * 4), 0);
	CU_ASSERT_EQUAL(batch_page_reads, 1);
	fx->v->hv->read_hook = NULL;
	fx_done();
}

/* A ring whose [head, tail) wraps: copied and patched at the same offsets. */
static void
test_wrapped_ring(void)
{
	uint32_t start = EXEC_PAGE - 8;
	uint64_t bb;

	fx_init(PGPU_RCS, 1);
	map_std();
	FX_GVA(BATCH_GVA, MI_BB_END);
	fx_ring_at(start);
	/* The batch start straddles the end of the ring. */
	FX_RING(MI_NOOP, MI_BB_START_PPGTT, (uint32_t)BATCH_GVA, (uint32_t)(BATCH_GVA >> 32),
		MI_ARB_CHECK, MI_NOOP);
	fx_ring_done();
	CU_ASSERT_EQUAL(fx->w.ring_tail, 16);

	CU_ASSERT_EQUAL_FATAL(fx_scan(), 0);
	bb = fx->w.bbs[0].gma;
	CU_ASSERT_EQUAL(*fx_shadow(start), MI_NOOP);
	CU_ASSERT_EQUAL(*fx_shadow(start + 4), MI_BB_START_GGTT);
	CU_ASSERT_EQUAL(*fx_shadow(0), (uint32_t)bb);
	CU_ASSERT_EQUAL(*fx_shadow(4), (uint32_t)(bb >> 32));
	CU_ASSERT_EQUAL(*fx_shadow(8), MI_ARB_CHECK);
	/* Outside [head, tail) the shadow holds nothing of the guest's. */
	CU_ASSERT_EQUAL(*fx_shadow(16), 0);
	CU_ASSERT_EQUAL(*fx_shadow(start - 4), 0);
	fx_done();
}

/* First level calls a second level, which returns; then a chain; each copy patched. */
static void
test_two_levels_and_chain(void)
{
	const uint64_t b1 = BATCH_GVA, b2 = BATCH_GVA + 0x1000, b3 = BATCH_GVA + 0x2000;

	fx_init(PGPU_RCS, 1);
	map_std();
	FX_GVA(b1, MI_BB_START_PPGTT | MI_BB_2ND, (uint32_t)b2, (uint32_t)(b2 >> 32),
	       MI_LRI(1), 0x2600, 5,	/* CS_GPR0, after the call returns */
	       MI_BB_START_PPGTT, (uint32_t)b3, (uint32_t)(b3 >> 32),
	       MI_LRI(1), 0x2038, 0);	/* after an unpredicated chain: never runs */
	FX_GVA(b2, MI_ARB_CHECK, MI_BB_END);
	FX_GVA(b3, MI_NOOP, MI_BB_END);
	FX_RING(MI_BB_START_PPGTT, (uint32_t)b1, (uint32_t)(b1 >> 32), MI_NOOP);
	fx_ring_done();

	CU_ASSERT_EQUAL_FATAL(fx_scan(), 0);
	/* Copies join the list as they finish: b2, b3, then b1. */
	CU_ASSERT_EQUAL_FATAL(fx->w.nr_bbs, 3);
	CU_ASSERT_EQUAL(fx_bb(2)[0], MI_BB_START_GGTT | MI_BB_2ND);
	CU_ASSERT_EQUAL(fx_bb(2)[1], (uint32_t)fx->w.bbs[0].gma);
	CU_ASSERT_EQUAL(fx_bb(2)[6], MI_BB_START_GGTT);
	CU_ASSERT_EQUAL(fx_bb(2)[7], (uint32_t)fx->w.bbs[1].gma);
	/* What follows the chain is not in the copy: the guard, then zeros. */
	CU_ASSERT_EQUAL(fx_bb(2)[9], MI_BB_END);
	CU_ASSERT_EQUAL(fx_bb(2)[10], 0);
	CU_ASSERT_EQUAL(fx_bb(2)[11], 0);
	CU_ASSERT_EQUAL(*fx_shadow(4), (uint32_t)fx->w.bbs[2].gma);
	fx_done();
}

/* A predicated chain may fall through: what follows it is scanned too. */
static void
test_predicated_chain_falls_through(void)
{
	const uint64_t b1 = BATCH_GVA, b2 = BATCH_GVA + 0x1000;

	fx_init(PGPU_RCS, 1);
	map_std();
	FX_GVA(b1, MI_BB_START_PPGTT | MI_BB_PRED, (uint32_t)b2, (uint32_t)(b2 >> 32),
	       MI_LRI(1), 0x2600, 1, MI_BB_END);
	FX_GVA(b2, MI_BB_END);
	FX_RING(MI_BB_START_PPGTT, (uint32_t)b1, (uint32_t)(b1 >> 32), MI_NOOP);
	fx_ring_done();
	CU_ASSERT_EQUAL_FATAL(fx_scan(), 0);
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 2);
	CU_ASSERT_EQUAL(fx_bb(1)[3], MI_LRI(1));
	CU_ASSERT_EQUAL(fx_bb(1)[6], MI_BB_END);
	cmd_scan_release(&fx->gpu, &fx->w);

	/* The same with a forbidden register after it: refused, so it was scanned. */
	FX_GVA(b1 + 16, 0x2038);
	CU_ASSERT_EQUAL(fx_scan(), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx->w.why, "LRI to register 0x2038"));
	fx_done();
}

/*
 * i915's render-state batch on rcs0 (gt/intel_renderstate.c): a GGTT
 * ("secure") batch from the privileged ring, with the 3D state of Gen9.
 * Accepted and audited like any other.
 */
static void
test_render_state_batch(void)
{
	uint32_t s[512];
	unsigned int n = 0;
	uint64_t bb;

	fx_init(PGPU_RCS, 1);
	bb = fx_low(0x40000);
	map_std();
	s[n++] = PIPE_CONTROL6;
	s[n++] = PC_GLOBAL_GTT;
	for (int i = 0; i < 4; i++)
		s[n++] = 0;
	s[n++] = 0x69040300;	/* PIPELINE_SELECT */
	s[n++] = 0x78140000;	/* 3DSTATE_WM */
	s[n++] = 0;
	s[n++] = 0x61010011;	/* STATE_BASE_ADDRESS: bases are not audited */
	for (int i = 0; i < 18; i++)
		s[n++] = i % 2 ? 0 : 0x1001;
	s[n++] = 0x79170101;	/* 3DSTATE_SO_DECL_LIST, 259 dwords */
	for (int i = 0; i < 258; i++)
		s[n++] = 0;
	s[n++] = 0x78090043;	/* 3DSTATE_VERTEX_ELEMENTS, 69 dwords */
	for (int i = 0; i < 68; i++)
		s[n++] = 0;
	s[n++] = 0x680b0001;	/* 3DSTATE_VF_STATISTICS */
	s[n++] = 0x7b000005;	/* 3DPRIMITIVE */
	for (int i = 0; i < 6; i++)
		s[n++] = 0;
	s[n++] = MI_BB_END;
	fx_put_gma(bb, s, n);
	FX_RING(MI_ARB_ON_OFF | 1, MI_BB_START_GGTT, (uint32_t)bb, 0, MI_ARB_ON_OFF, MI_NOOP);
	fx_ring_done();

	CU_ASSERT_EQUAL_FATAL(fx_scan(), 0);
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 1);
	CU_ASSERT_EQUAL(memcmp(fx_bb(0), s, n * 4), 0);
	CU_ASSERT_EQUAL(*fx_shadow(8), (uint32_t)fx->w.bbs[0].gma);
	/* A batch of n dwords read from the guest in a couple of chunks, not per page. */
	CU_ASSERT_TRUE(fx->gma_reads <= 3);
	fx_done();
}

/* The indirect context batch i915 puts in a Gen9 render context (gt/intel_lrc.c). */
static void
test_context_batch(void)
{
	uint64_t wa, scratch, copy = 0;
	uint32_t b[32];
	unsigned int n = 0;

	fx_init(PGPU_RCS, 1);
	wa = fx_low(0x50000);
	scratch = fx_low(0x60000);
	b[n++] = MI_ARB_ON_OFF;
	/* gen8_emit_flush_coherentl3_wa */
	b[n++] = MI_SRM_GGTT;
	b[n++] = 0xb118;
	b[n++] = (uint32_t)scratch;
	b[n++] = 0;
	b[n++] = MI_LRI(1);
	b[n++] = 0xb118;
	b[n++] = 0x40400000 | (1u << 21);
	b[n++] = PIPE_CONTROL6;
	b[n++] = PC_CS_STALL | (1u << 5);
	for (int i = 0; i < 4; i++)
		b[n++] = 0;
	b[n++] = MI_LRM_GGTT;
	b[n++] = 0xb118;
	b[n++] = (uint32_t)scratch + 256;
	b[n++] = 0;
	/* the three LRIs of gen9_init_indirectctx_bb */
	b[n++] = MI_LRI(3);
	b[n++] = 0x7014;
	b[n++] = 0x20000000;
	b[n++] = 0x2088;
	b[n++] = 0x00020002;
	b[n++] = 0x2090;
	b[n++] = 0x02000200;
	b[n++] = MI_NOOP;
	b[n++] = MI_ARB_ON_OFF | 1;
	while (n % 16)
		b[n++] = MI_NOOP;
	fx_put_gma(wa, b, n);

	CU_ASSERT_EQUAL_FATAL(cmd_scan_ctx_bb_run(fx->v, &fx->w, &fx_guest_ops, wa, n * 4, &copy), 0);
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 1);
	CU_ASSERT_EQUAL(copy, fx->w.bbs[0].gma);
	CU_ASSERT_EQUAL(memcmp(fx_bb(0), b, n * 4), 0);

	/* The per-context batch: up to its end. */
	FX_GMA(wa + 0x800, MI_ARB_ON_OFF | 1, MI_BB_END);
	CU_ASSERT_EQUAL(cmd_scan_ctx_bb_run(fx->v, &fx->w, &fx_guest_ops, wa + 0x800, 0, &copy), 0);
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 2);

	/* A forbidden register in it: refused, and the copies already made stay. */
	FX_GMA(wa + 5 * 4 + 4, 0x2034);
	CU_ASSERT_EQUAL(cmd_scan_ctx_bb_run(fx->v, &fx->w, &fx_guest_ops, wa, n * 4, &copy), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx->w.why, "LRI to register 0x2034"));
	CU_ASSERT_EQUAL(fx->w.nr_bbs, 2);
	/* A command running past its size. */
	FX_GMA(wa + 5 * 4 + 4, 0xb118);
	CU_ASSERT_EQUAL(cmd_scan_ctx_bb_run(fx->v, &fx->w, &fx_guest_ops, wa, 6 * 4, &copy),
			-EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(fx->w.why, "past the"));
	fx_done();
}

/* Legacy 32-bit contexts: PPGTT addresses go through pdp[gva >> 30], two levels. */
static unsigned int levels_seen;
static uint64_t root_seen;

static int
gva32(struct vgpu *v, uint64_t root, unsigned int levels, uint64_t gva, uint64_t *gpa)
{
	(void)v;
	levels_seen = levels;
	root_seen = root;
	/* levels 3: root is the page directory of gva's GiB, gva the whole address. */
	if (gva >= (1ull << 32))
		return -EFAULT;
	*gpa = BATCH_GPA + gva % EXEC_PAGE;
	return 0;
}

static void
test_legacy_32bit_context(void)
{
	const struct cmd_guest_ops ops = { .gma_read = fx_guest_ops.gma_read, .gva_to_gpa = gva32 };
	const uint64_t gva = (2ull << 30) + 0x1000;

	fx_init(PGPU_RCS, 1);
	fx->w.addr_mode = CTX_ADDR_LEGACY_32B;
	for (int i = 0; i < 4; i++)
		fx->w.pdp[i] = 0x10000ull * (i + 1);
	((uint32_t *)(fx->v->hv->ram + BATCH_GPA))[0] = MI_BB_END;
	FX_RING(MI_BB_START_PPGTT, (uint32_t)gva, 0, MI_NOOP);
	fx_ring_done();
	CU_ASSERT_EQUAL(cmd_scan_run(fx->v, &fx->w, &ops), 0);
	CU_ASSERT_EQUAL(levels_seen, 3);
	CU_ASSERT_EQUAL(root_seen, fx->w.pdp[2]);
	cmd_scan_release(&fx->gpu, &fx->w);
	/* Beyond 4 GiB nothing is mapped in a 32-bit context. */
	fx->w.ring_head = fx->w.ring_tail = 0;
	FX_RING(MI_BB_START_PPGTT, 0x1000, 1, MI_NOOP);
	fx_ring_done();
	CU_ASSERT_EQUAL(cmd_scan_run(fx->v, &fx->w, &ops), -EFAULT);
	fx_done();
}

static const struct test_case cmd_scan_cases[] = {
	{ "i915 request: shadow ring, batch copied, start patched", test_i915_request },
	{ "i915 context workaround LRI and busy-wait", test_i915_ctx_workarounds },
	{ "empty submission", test_empty_ring },
	{ "igt gem_blt batch on bcs0", test_gem_blt },
	{ "batch changed after submission: the copy is what runs", test_changed_after_submission },
	{ "wrapped ring copied and patched in place", test_wrapped_ring },
	{ "second-level call returns; chain ends the batch", test_two_levels_and_chain },
	{ "predicated chain: the rest is scanned too", test_predicated_chain_falls_through },
	{ "i915 render-state GGTT batch from the privileged ring", test_render_state_batch },
	{ "context workaround batches", test_context_batch },
	{ "legacy 32-bit context translations", test_legacy_32bit_context },
	{ NULL, NULL },
};

void suite_cmd_scan(void);

void
suite_cmd_scan(void)
{
	test_add_suite("cmd_scan", cmd_scan_cases);
}
