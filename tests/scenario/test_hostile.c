/* SPDX-License-Identifier: MIT */
/*
 * test_hostile.c — issue 4's hostile guest cases through the sim: one
 * xengt-dm-sim serving two domains, A hostile and B a well-behaved
 * neighbour with known state (GGTT entries, a fence, a register, MSI).
 * Each test asserts A's exact outcome (value read back, counters, failsafe
 * or not) and that B is untouched: its entries and registers read back,
 * the physical GGTT of its share and its physical fence unchanged, no bad
 * access counted, not failsafe, MSIs still arriving, prompt answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario_util.h"
#include "sim/softgpu/softgpu.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

#define A 0
#define B 1
#define SPEC_SMALL "type=xengt_small"
#define PV_MAGIC_OFF 0x78000u
#define PV_MAGIC 0x4776544776544776ull
#define RC_CONTROL 0xa090u		/* a plain virtual register */
#define FENCE_LO(i) (0x100000u + (i) * 8u)
#define MSI_DATA 0x4021u
#define B_PTE 0x100001ull		/* B's guest page 0x100000, present */
#define B_HPTE 0x101001ull
#define B_RC 0x00050000u
#define ACCESS_SLOW_NS 500000000ull	/* "promptly": well under a second */
#define PTE_NONE 0ull			/* a physical entry that reaches nothing */
#define PTE_PAST_RAM 0x3f000001ull	/* 1008 MiB: past a guest's 64 MiB, in no BAR */

struct share {
	uint64_t low_base, low_size, high_base, high_size;
	unsigned int fence_base, fence_num;
};

struct hostile {
	struct scn s;
	struct softgpu *g;
	struct share sh[2];
	uint64_t *snap;			/* B's physical GGTT entries, low then high */
	size_t nlow, nhigh;
	uint32_t b_fence_lo, b_fence_hi;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t
rd(struct hostile *h, int d, uint64_t gpa, unsigned int size)
{
	uint64_t v = 0;

	CU_ASSERT_EQUAL(sim_mem_read(h->s.c[d], gpa, size, &v), 0);
	return v;
}

static void
wr(struct hostile *h, int d, uint64_t gpa, unsigned int size, uint64_t v)
{
	CU_ASSERT_EQUAL(sim_mem_write(h->s.c[d], gpa, size, v), 0);
}

static uint64_t
dstat(struct hostile *h, int d, const char *key)
{
	return scn_stat(&h->s, h->s.dom[d], key);
}

static void
read_share(struct hostile *h, int d)
{
	char req[32], reply[1024];
	struct share *p = &h->sh[d];

	snprintf(req, sizeof(req), "partition %u", h->s.dom[d]);
	CU_ASSERT_EQUAL_FATAL(scn_ctl(&h->s, req, reply, sizeof(reply)), 0);
	p->low_base = scn_ctl_val(reply, "low_base");
	p->low_size = scn_ctl_val(reply, "low_size");
	p->high_base = scn_ctl_val(reply, "high_base");
	p->high_size = scn_ctl_val(reply, "high_size");
	p->fence_base = (unsigned int)scn_ctl_val(reply, "fence_base");
	p->fence_num = (unsigned int)scn_ctl_val(reply, "fence_num");
	CU_ASSERT_EQUAL_FATAL(p->low_size, 16u << 20);
	/* What the guest's PV info page says agrees. */
	CU_ASSERT_EQUAL(rd(h, d, SCN_BAR0 + 0x78040, 4), p->low_base);
	CU_ASSERT_EQUAL(rd(h, d, SCN_BAR0 + 0x78050, 4), p->fence_num);
}

/* The guest's MSI capability: 32-bit address at cap+4, data at cap+8. */
static void
msi_program(struct hostile *h, int d, uint32_t addr)
{
	struct sim_vcpu *c = h->s.c[d];
	unsigned int cap = scn_cfg_read(c, 0x34, 1);

	CU_ASSERT_EQUAL_FATAL(scn_cfg_read(c, cap, 1), 0x05);
	scn_cfg_write(c, cap + 4, 4, addr);
	scn_cfg_write(c, cap + 8, 2, MSI_DATA);
	scn_cfg_write(c, cap + 2, 2, scn_cfg_read(c, cap + 2, 2) | 1);
	/* Pipe A vblank: IER on, IMR clear, master enable, pipe enable. */
	wr(h, d, SCN_BAR0 + 0x4440c, 4, 1);
	wr(h, d, SCN_BAR0 + 0x44404, 4, 0xfffffffe);
	wr(h, d, SCN_BAR0 + 0x44200, 4, 0x80000000);
	wr(h, d, SCN_BAR0 + 0x70008, 4, 0x80000000);
}

static uint64_t
ggtt_gpa(uint64_t gma)
{
	return SCN_GGTT + (gma >> 12) * 8;
}

/* B's known state, and a snapshot of its share of the physical GGTT. */
static void
b_program(struct hostile *h)
{
	struct share *b = &h->sh[B];
	uint64_t maddr = 0, addr = 0;
	uint32_t data = 0;

	wr(h, B, ggtt_gpa(b->low_base), 8, B_PTE);
	wr(h, B, ggtt_gpa(b->high_base), 8, B_HPTE);
	CU_ASSERT_EQUAL(rd(h, B, ggtt_gpa(b->low_base), 8), B_PTE);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(h->s.machine, h->s.dom[B], 0x100, &maddr), 0);
	CU_ASSERT_EQUAL(softgpu_ggtt_read(h->g, b->low_base >> 12), maddr | 1);
	/* Fence 0 over B's first aperture page: hi (last page) first, then lo. */
	h->b_fence_hi = (uint32_t)b->low_base;
	h->b_fence_lo = (uint32_t)b->low_base | 1;
	wr(h, B, SCN_BAR0 + FENCE_LO(0) + 4, 4, h->b_fence_hi);
	wr(h, B, SCN_BAR0 + FENCE_LO(0), 4, h->b_fence_lo);
	CU_ASSERT_EQUAL(softgpu_mmio_read(h->g, FENCE_LO(b->fence_base)), h->b_fence_lo);
	wr(h, B, SCN_BAR0 + RC_CONTROL, 4, B_RC);
	msi_program(h, B, 0xfee00000u);
	CU_ASSERT_EQUAL(sim_wait_msi(h->s.c[B], 2000, &addr, &data), 0);
	CU_ASSERT_EQUAL(addr, 0xfee00000u);
	CU_ASSERT_EQUAL(data, MSI_DATA);
	h->nlow = b->low_size >> 12;
	h->nhigh = b->high_size >> 12;
	h->snap = calloc(h->nlow + h->nhigh, sizeof(*h->snap));
	CU_ASSERT_PTR_NOT_NULL_FATAL(h->snap);
	for (size_t i = 0; i < h->nlow; i++)
		h->snap[i] = softgpu_ggtt_read(h->g, (b->low_base >> 12) + i);
	for (size_t i = 0; i < h->nhigh; i++)
		h->snap[h->nlow + i] = softgpu_ggtt_read(h->g, (b->high_base >> 12) + i);
}

static bool
hostile_start(struct hostile *h, const char *spec_a)
{
	const char *specs[2] = { spec_a, SPEC_SMALL };

	memset(h, 0, sizeof(*h));
	if (!scn_start(&h->s, specs, 2))
		return false;
	h->g = softgpu_open(h->s.machine);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h->g);
	/* A hang of either vCPU fails the test at the harness deadline, not as a stuck test. */
	sim_vcpu_set_harness_deadline(h->s.c[A], 3000);
	sim_vcpu_set_harness_deadline(h->s.c[B], 3000);
	scn_place_bars(h->s.c[A]);
	scn_place_bars(h->s.c[B]);
	read_share(h, A);
	read_share(h, B);
	b_program(h);
	return true;
}

static void
hostile_stop(struct hostile *h)
{
	if (h->g)
		softgpu_close(h->g);
	free(h->snap);
	scn_stop(&h->s);
}

/* B after A's attack: everything it set up is as it left it. */
static void
b_unaffected(struct hostile *h)
{
	struct share *b = &h->sh[B];
	uint64_t t0, magic = 0, addr = 0;
	uint32_t data = 0;
	size_t changed = 0;
	char reply[1024], want[64];

	CU_ASSERT_EQUAL(rd(h, B, ggtt_gpa(b->low_base), 8), B_PTE);
	CU_ASSERT_EQUAL(rd(h, B, ggtt_gpa(b->high_base), 8), B_HPTE);
	for (size_t i = 0; i < h->nlow; i++)
		changed += softgpu_ggtt_read(h->g, (b->low_base >> 12) + i) != h->snap[i];
	for (size_t i = 0; i < h->nhigh; i++)
		changed += softgpu_ggtt_read(h->g, (b->high_base >> 12) + i) !=
			   h->snap[h->nlow + i];
	CU_ASSERT_EQUAL(changed, 0);
	CU_ASSERT_EQUAL(rd(h, B, SCN_BAR0 + FENCE_LO(0), 4), h->b_fence_lo);
	CU_ASSERT_EQUAL(rd(h, B, SCN_BAR0 + FENCE_LO(0) + 4, 4), h->b_fence_hi);
	CU_ASSERT_EQUAL(softgpu_mmio_read(h->g, FENCE_LO(b->fence_base)), h->b_fence_lo);
	CU_ASSERT_EQUAL(softgpu_mmio_read(h->g, FENCE_LO(b->fence_base) + 4), h->b_fence_hi);
	CU_ASSERT_EQUAL(rd(h, B, SCN_BAR0 + RC_CONTROL, 4), B_RC);
	CU_ASSERT_EQUAL(dstat(h, B, "failsafe"), 0);
	CU_ASSERT_EQUAL(dstat(h, B, "bad_access"), 0);
	CU_ASSERT_EQUAL(dstat(h, B, "ggtt_bad"), 0);
	CU_ASSERT_EQUAL(dstat(h, B, "unknown_reg"), 0);
	CU_ASSERT_EQUAL(dstat(h, B, "msi_suppressed"), 0);
	CU_ASSERT_EQUAL(dstat(h, B, "ioreq_unhandled"), 0);
	CU_ASSERT_EQUAL(dstat(h, B, "ioreq_bad_size"), 0);
	CU_ASSERT_EQUAL(dstat(h, B, "ioreq_bad_count-max"), 0);
	CU_ASSERT_TRUE(dstat(h, B, "msi_injected") >= 1);
	/* Still answering promptly, and its interrupts still flow. */
	t0 = now_ns();
	CU_ASSERT_EQUAL(sim_mem_read(h->s.c[B], SCN_BAR0 + PV_MAGIC_OFF, 8, &magic), 0);
	CU_ASSERT_TRUE(now_ns() - t0 < ACCESS_SLOW_NS);
	CU_ASSERT_EQUAL(magic, PV_MAGIC);
	/* Ack the vblank as i915's handler does (W1C the pipe IIR): the next MSI comes. */
	wr(h, B, SCN_BAR0 + 0x44408, 4, 1);
	CU_ASSERT_EQUAL(sim_wait_msi(h->s.c[B], 2000, &addr, &data), 0);
	CU_ASSERT_EQUAL(data, MSI_DATA);
	CU_ASSERT_EQUAL(scn_ctl(&h->s, "list", reply, sizeof(reply)), 0);
	snprintf(want, sizeof(want), "domid=%u vgpu=", h->s.dom[B]);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(strstr(reply, want) ? strstr(reply, want) : reply,
				      "state=running"));
}

/*
 * A GGTT entry naming a page outside A's RAM: counted, not failsafe; the
 * guest reads back its value but the physical entry is not present (the
 * old mapping does not stay live, and no shared page stands in for it).
 */
static void
test_ggtt_page_outside_ram(void)
{
	struct hostile h;
	struct share *a;
	uint64_t maddr = 0, before;

	if (!hostile_start(&h, SPEC_SMALL))
		goto out;
	a = &h.sh[A];
	wr(&h, A, ggtt_gpa(a->low_base), 8, 0x100001);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(h.s.machine, h.s.dom[A], 0x100, &maddr), 0);
	before = softgpu_ggtt_read(h.g, a->low_base >> 12);
	CU_ASSERT_EQUAL(before, maddr | 1);
	/* 1008 MiB: past A's 64 MiB of RAM, in no BAR. */
	wr(&h, A, ggtt_gpa(a->low_base), 8, 0x3f000001);
	CU_ASSERT_EQUAL(rd(&h, A, ggtt_gpa(a->low_base), 8), 0x3f000001);
	CU_ASSERT_EQUAL(softgpu_ggtt_read(h.g, a->low_base >> 12), PTE_NONE);
	/* Also in the other half, written as two dwords. */
	wr(&h, A, ggtt_gpa(a->high_base), 4, 0x3f001001);
	wr(&h, A, ggtt_gpa(a->high_base) + 4, 4, 0);
	CU_ASSERT_EQUAL(rd(&h, A, ggtt_gpa(a->high_base), 8), 0x3f001001);
	CU_ASSERT_EQUAL(softgpu_ggtt_read(h.g, a->high_base >> 12), PTE_NONE);
	CU_ASSERT_EQUAL(dstat(&h, A, "ggtt_writes"), 4);
	CU_ASSERT_EQUAL(dstat(&h, A, "ggtt_bad"), 2);
	CU_ASSERT_EQUAL(dstat(&h, A, "failsafe"), 0);
	/* An unknown register (tolerated): its hits show in A's stats only. */
	wr(&h, A, SCN_BAR0 + 0x1f0000, 4, 7);
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + 0x1f0000, 4), 7);
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + 0x1f0000, 4), 7);
	CU_ASSERT_EQUAL(dstat(&h, A, "unknown_regs"), 1);
	CU_ASSERT_EQUAL(dstat(&h, A, "unknown_0x1f0000"), 3);
	CU_ASSERT_EQUAL(dstat(&h, B, "unknown_regs"), 0);
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + PV_MAGIC_OFF, 8), PV_MAGIC);
	b_unaffected(&h);
out:
	hostile_stop(&h);
}

/*
 * No page is shared between guests: A and B each make an aperture page
 * of their own share refused (a frame past their RAM) and write through
 * it; neither reads the other's data (the pages reach nothing: reads
 * all-ones, writes dropped), where a common scratch page behind refused
 * entries would carry A's data to B.
 */
static void
test_refused_entries_no_channel(void)
{
	struct hostile h;
	uint64_t ap[2];

	if (!hostile_start(&h, SPEC_SMALL))
		goto out;
	for (int d = A; d <= B; d++) {
		uint64_t gma = h.sh[d].low_base + 0x10000;

		wr(&h, d, ggtt_gpa(gma), 8, PTE_PAST_RAM);
		CU_ASSERT_EQUAL(rd(&h, d, ggtt_gpa(gma), 8), PTE_PAST_RAM);
		CU_ASSERT_EQUAL(softgpu_ggtt_read(h.g, gma >> 12), PTE_NONE);
		ap[d] = SCN_BAR2 + gma;
	}
	wr(&h, A, ap[A] + 0x40, 4, 0x5ec7e7a1);
	CU_ASSERT_EQUAL(rd(&h, B, ap[B] + 0x40, 4), 0xffffffffu);
	CU_ASSERT_EQUAL(rd(&h, A, ap[A] + 0x40, 4), 0xffffffffu);
	wr(&h, B, ap[B] + 0x80, 4, 0x5ec7e7b2);
	CU_ASSERT_EQUAL(rd(&h, A, ap[A] + 0x80, 4), 0xffffffffu);
	/* A not-present entry is the same: nothing behind it. */
	wr(&h, A, ggtt_gpa(h.sh[A].low_base + 0x11000), 8, 0x100000);
	wr(&h, A, ap[A] + 0x1000, 4, 0x5ec7e7a3);
	CU_ASSERT_EQUAL(rd(&h, A, ap[A] + 0x1000, 4), 0xffffffffu);
	CU_ASSERT_EQUAL(softgpu_ggtt_read(h.g, (h.sh[A].low_base + 0x11000) >> 12), PTE_NONE);
	CU_ASSERT_EQUAL(dstat(&h, A, "ggtt_bad"), 1);
	/* B's own refused entry is its only bad write, and B still works. */
	CU_ASSERT_EQUAL(dstat(&h, B, "ggtt_bad"), 1);
	CU_ASSERT_EQUAL(dstat(&h, B, "failsafe"), 0);
	CU_ASSERT_EQUAL(rd(&h, B, ggtt_gpa(h.sh[B].low_base), 8), B_PTE);
out:
	hostile_stop(&h);
}

/*
 * A share changes owner: whatever was left in it (A's own entries, a
 * refused one it wrote through, entries the host or a daemon that died
 * left behind) is reset, so the next guest, C, reaches nothing of A's
 * through its aperture and every physical entry of the share is reset.
 */
static void
test_share_reset_between_owners(void)
{
	struct hostile h;
	struct share *a;
	struct sim_vcpu *c = NULL;
	char req[96], reply[1024];
	uint64_t maddr = 0, ap, bad = 0;
	int dom_c;

	if (!hostile_start(&h, SPEC_SMALL))
		goto out;
	a = &h.sh[A];
	ap = SCN_BAR2 + a->low_base;
	/* A maps its page 0x100 (a secret in it) and writes through a refused entry. */
	wr(&h, A, 0x100040, 4, 0x5ec7e7a1);
	wr(&h, A, ggtt_gpa(a->low_base), 8, 0x100001);
	CU_ASSERT_EQUAL(rd(&h, A, ap + 0x40, 4), 0x5ec7e7a1);
	wr(&h, A, ggtt_gpa(a->low_base + 0x1000), 8, PTE_PAST_RAM);
	wr(&h, A, ap + 0x1040, 4, 0x5ec7e7a2);
	snprintf(req, sizeof(req), "detach %u", h.s.dom[A]);
	CU_ASSERT_EQUAL(scn_ctl(&h.s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "ok\n");
	/* What the host (or a daemon killed with A attached) may leave: live entries. */
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(h.s.machine, h.s.dom[A], 0x100, &maddr), 0);
	softgpu_ggtt_write(h.g, (a->low_base >> 12) + 2, maddr | 1);
	softgpu_ggtt_write(h.g, (a->high_base >> 12) + 2, maddr | 1);

	dom_c = xensim_domain_create(h.s.machine, 64, 1);
	CU_ASSERT_TRUE_FATAL(dom_c > 0);
	snprintf(req, sizeof(req), "attach %d " SPEC_SMALL, dom_c);
	CU_ASSERT_EQUAL(scn_ctl(&h.s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(reply, "ok\n"));
	snprintf(req, sizeof(req), "partition %d", dom_c);
	CU_ASSERT_EQUAL_FATAL(scn_ctl(&h.s, req, reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL_FATAL(scn_ctl_val(reply, "low_base"), a->low_base);
	CU_ASSERT_EQUAL_FATAL(scn_ctl_val(reply, "high_base"), a->high_base);
	for (uint64_t i = 0; i < a->low_size >> 12; i++)
		bad += softgpu_ggtt_read(h.g, (a->low_base >> 12) + i) != PTE_NONE;
	for (uint64_t i = 0; i < a->high_size >> 12; i++)
		bad += softgpu_ggtt_read(h.g, (a->high_base >> 12) + i) != PTE_NONE;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(xensim_domain_unpause(h.s.machine, (uint32_t)dom_c), 0);
	c = sim_vcpu_attach(h.s.machine, (uint32_t)dom_c, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	scn_place_bars(c);
	for (uint64_t off = 0; off < 3 * 0x1000; off += 0x1000) {
		uint64_t v = 0;

		CU_ASSERT_EQUAL(sim_mem_read(c, ap + off + 0x40, 4, &v), 0);
		CU_ASSERT_EQUAL(v, 0xffffffffu);
	}
	b_unaffected(&h);
out:
	if (c)
		sim_vcpu_detach(c);
	hostile_stop(&h);
}

/* A writes GGTT entries of B's share, and past the end of GM: all dropped. */
static void
test_ggtt_write_into_neighbour(void)
{
	struct hostile h;
	struct share *b;

	if (!hostile_start(&h, SPEC_SMALL))
		goto out;
	b = &h.sh[B];
	/* A page A owns, so only the index is wrong. */
	wr(&h, A, ggtt_gpa(b->low_base), 8, 0x100001);
	wr(&h, A, ggtt_gpa(b->high_base), 8, 0x100001);
	wr(&h, A, ggtt_gpa(b->low_base + 0x1000), 4, 0x100001);	/* half an entry */
	wr(&h, A, SCN_GGTT + (8u << 20) - 8, 8, 0x100001);	/* the last entry there is */
	/* A sees nothing of B's entries. */
	CU_ASSERT_EQUAL(rd(&h, A, ggtt_gpa(b->low_base), 8), 0);
	CU_ASSERT_EQUAL(rd(&h, A, ggtt_gpa(b->high_base), 8), 0);
	CU_ASSERT_EQUAL(dstat(&h, A, "ggtt_writes"), 4);
	CU_ASSERT_EQUAL(dstat(&h, A, "ggtt_bad"), 4);
	CU_ASSERT_EQUAL(dstat(&h, A, "failsafe"), 0);
	b_unaffected(&h);
out:
	hostile_stop(&h);
}

/* Guest fence indices past A's own map to nothing, least of all B's slots. */
static void
test_fence_of_other_vgpu(void)
{
	uint32_t lo, hi;
	struct hostile h;
	struct share *a, *b;
	unsigned int n = 0;

	if (!hostile_start(&h, SPEC_SMALL))
		goto out;
	a = &h.sh[A];
	b = &h.sh[B];
	CU_ASSERT_EQUAL_FATAL(a->fence_num, 2);
	lo = (uint32_t)b->low_base | 1;
	hi = (uint32_t)b->low_base;
	/* Every index A does not own, including the one that is B's slot
	 * relative to A's base, with a valid range over B's GM. */
	for (unsigned int i = a->fence_num; i < 32; i++, n++) {
		wr(&h, A, SCN_BAR0 + FENCE_LO(i) + 4, 4, hi);
		wr(&h, A, SCN_BAR0 + FENCE_LO(i), 4, lo);
		CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + FENCE_LO(i), 4), 0);
	}
	/* Its own fence 0 over B's GM: the valid lo is refused. */
	wr(&h, A, SCN_BAR0 + FENCE_LO(0) + 4, 4, hi);
	wr(&h, A, SCN_BAR0 + FENCE_LO(0), 4, lo);
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + FENCE_LO(0), 4), 0);
	CU_ASSERT_EQUAL(softgpu_mmio_read(h.g, FENCE_LO(a->fence_base)), 0);
	CU_ASSERT_EQUAL(dstat(&h, A, "bad_access"), 3 * n + 1);
	CU_ASSERT_EQUAL(dstat(&h, A, "failsafe"), 0);
	/* No physical fence outside B's slot 0 became valid. */
	for (unsigned int i = 0; i < SOFTGPU_NR_FENCES; i++)
		if (i != b->fence_base)
			CU_ASSERT_EQUAL(softgpu_mmio_read(h.g, FENCE_LO(i)) & 1, 0);
	b_unaffected(&h);
out:
	hostile_stop(&h);
}

/* Raw ioreqs with absurd sizes and counts, and unaligned accesses. */
static void
test_enormous_unaligned(void)
{
	static const struct {
		struct sim_raw_ioreq r;
		uint64_t want;
	} bad[] = {
		{ { .type = 1, .dir = 1, .size = 16, .count = 1, .addr = SCN_BAR0 + PV_MAGIC_OFF },
		  ~0ull },
		{ { .type = 1, .dir = 1, .size = 3, .count = 1, .addr = SCN_BAR0 + PV_MAGIC_OFF },
		  ~0ull },
		{ { .type = 1, .dir = 1, .size = 0, .count = 1, .addr = SCN_BAR0 + PV_MAGIC_OFF },
		  ~0ull },
		{ { .type = 1, .dir = 1, .size = 4, .count = 0x7fffffff,
		    .addr = SCN_BAR0 + PV_MAGIC_OFF }, 0xffffffffu },
		{ { .type = 1, .dir = 0, .size = 8, .count = 0xffffffffu, .data_is_ptr = 1,
		    .addr = SCN_GGTT, .data = 0x10000 }, 0x10000 },
	};
	struct hostile h;
	struct share *a;
	uint64_t phys;

	if (!hostile_start(&h, SPEC_SMALL))
		goto out;
	a = &h.sh[A];
	phys = softgpu_ggtt_read(h.g, a->low_base >> 12);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sim_raw_ioreq r = bad[i].r;

		CU_ASSERT_EQUAL(sim_send_raw_ioreq(h.s.c[A], 0, &r), 0);
		if (r.data != bad[i].want)
			printf("\n    raw %zu: data %#llx", i, (unsigned long long)r.data);
		CU_ASSERT_EQUAL(r.data, bad[i].want);
	}
	CU_ASSERT_EQUAL(dstat(&h, A, "ioreq_bad_size"), 3);
	CU_ASSERT_EQUAL(dstat(&h, A, "ioreq_bad_count-max"), 2);
	/* Unaligned register and GGTT accesses: all-ones, dropped, counted. */
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + PV_MAGIC_OFF + 1, 4), 0xffffffffu);
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + PV_MAGIC_OFF + 4, 8), ~0ull);
	wr(&h, A, ggtt_gpa(a->low_base) + 4, 8, 0x100001);
	CU_ASSERT_EQUAL(rd(&h, A, ggtt_gpa(a->low_base), 8), 0);
	CU_ASSERT_EQUAL(softgpu_ggtt_read(h.g, a->low_base >> 12), phys);
	CU_ASSERT_EQUAL(dstat(&h, A, "bad_access"), 3);
	CU_ASSERT_EQUAL(dstat(&h, A, "ggtt_writes"), 0);
	CU_ASSERT_EQUAL(dstat(&h, A, "failsafe"), 0);
	/* A itself still works. */
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + PV_MAGIC_OFF, 8), PV_MAGIC);
	b_unaffected(&h);
out:
	hostile_stop(&h);
}

/* unknown=strict: the first unknown register ends A's emulation, never its vCPU. */
static void
test_strict_unknown(void)
{
	struct hostile h;
	struct share *a;
	char reply[8192], want[64];
	uint64_t phys, t0, v = 0;

	if (!hostile_start(&h, SPEC_SMALL ",unknown=strict"))
		goto out;
	a = &h.sh[A];
	wr(&h, A, SCN_BAR0 + RC_CONTROL, 4, 0x10000);
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + RC_CONTROL, 4), 0x10000);
	CU_ASSERT_EQUAL(dstat(&h, A, "failsafe"), 0);
	phys = softgpu_ggtt_read(h.g, a->low_base >> 12);
	/* A register no table knows. */
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + 0x1ff000, 4), 0xffffffffu);
	CU_ASSERT_EQUAL(dstat(&h, A, "failsafe"), 1);
	CU_ASSERT_EQUAL(dstat(&h, A, "unknown_reg"), 1);
	snprintf(want, sizeof(want), "stats %u", h.s.dom[A]);
	CU_ASSERT_EQUAL(scn_ctl(&h.s, want, reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "failsafe_reason=unknown_register_0x1ff000"));
	/* From now on every read is all-ones, every write dropped, none hangs. */
	t0 = now_ns();
	for (int i = 0; i < 200; i++) {
		CU_ASSERT_EQUAL(sim_mem_read(h.s.c[A], SCN_BAR0 + PV_MAGIC_OFF, 8, &v), 0);
		CU_ASSERT_EQUAL(v, ~0ull);
		CU_ASSERT_EQUAL(sim_mem_write(h.s.c[A], ggtt_gpa(a->low_base), 8, 0x100001), 0);
	}
	CU_ASSERT_TRUE(now_ns() - t0 < 10 * ACCESS_SLOW_NS);
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + RC_CONTROL, 4), 0xffffffffu);
	CU_ASSERT_EQUAL(rd(&h, A, ggtt_gpa(a->low_base), 8), ~0ull);
	CU_ASSERT_EQUAL(softgpu_ggtt_read(h.g, a->low_base >> 12), phys);
	/* The control socket says so. */
	CU_ASSERT_EQUAL(scn_ctl(&h.s, "list", reply, sizeof(reply)), 0);
	snprintf(want, sizeof(want), "domid=%u vgpu=", h.s.dom[A]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(reply, want));
	CU_ASSERT_EQUAL(strncmp(strstr(strstr(reply, want), "state="), "state=failsafe", 14), 0);
	b_unaffected(&h);
out:
	hostile_stop(&h);
}

/* MSI enabled with an address that is no MSI address: nothing injected. */
static void
test_msi_bogus_address(void)
{
	struct hostile h;
	uint64_t supp = 0;

	if (!hostile_start(&h, SPEC_SMALL))
		goto out;
	msi_program(&h, A, 0x12345000u);
	for (int i = 0; i < 300 && (supp = dstat(&h, A, "msi_suppressed")) == 0; i++) {
		struct timespec ts = { 0, 10000000 };

		nanosleep(&ts, NULL);
	}
	CU_ASSERT_TRUE(supp >= 1 && supp != ~0ull);
	CU_ASSERT_EQUAL(sim_msi_count(h.s.c[A]), 0);
	CU_ASSERT_EQUAL(dstat(&h, A, "msi_injected"), 0);
	CU_ASSERT_EQUAL(dstat(&h, A, "failsafe"), 0);
	/* The vblank still happened: it is latched in A's pipe A IIR. */
	CU_ASSERT_EQUAL(rd(&h, A, SCN_BAR0 + 0x44408, 4) & 1, 1);
	b_unaffected(&h);
out:
	hostile_stop(&h);
}

void suite_hostile(void);

void
suite_hostile(void)
{
	static const struct test_case cases[] = {
		{ "ggtt_page_outside_ram", test_ggtt_page_outside_ram },
		{ "ggtt_write_into_neighbour", test_ggtt_write_into_neighbour },
		{ "refused_entries_no_channel", test_refused_entries_no_channel },
		{ "share_reset_between_owners", test_share_reset_between_owners },
		{ "fence_of_other_vgpu", test_fence_of_other_vgpu },
		{ "enormous_unaligned_sizes", test_enormous_unaligned },
		{ "strict_unknown_register", test_strict_unknown },
		{ "msi_bogus_address", test_msi_bogus_address },
		{ NULL, NULL },
	};

	test_add_suite("hostile", cases);
}
