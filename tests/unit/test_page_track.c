/* SPDX-License-Identifier: MIT */
/*
 * test_page_track.c — write-protected guest pages: a trapped PTE write
 * updates the PPGTT shadow and lands in guest RAM, sub-entry and
 * unaligned writes merge, 10k tracked pages found by gfn, hypervisor
 * failures, untrack at destroy, the trap map's rows. (The PPGTT shadow
 * itself: test_ppgtt.c.)
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define ROOT 0x300000ull

static struct fake_setup s;

static uint64_t
ram64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, s.hv->ram + gpa, 8);
	return v;
}

static void
up_with_root(void)
{
	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(ppgtt_create_root(s.v, ROOT, 4) == 0);
}

static void
test_trapped_pte_write(void)
{
	uint64_t val = 0xabc000 | 3, e = 0;
	struct vgpu_stats st;
	struct trap_entry rows[16];
	size_t n;

	up_with_root();
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, ROOT + 5 * 8, 8, &val), 0);
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, ROOT, 5, &e), 0);
	CU_ASSERT_EQUAL(e, val);
	CU_ASSERT_EQUAL(ram64(ROOT + 5 * 8), val); /* the write landed */
	/* The shadow names the shadow of the new PDP, with the guest's flags. */
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, ROOT, 5, &e), 0);
	CU_ASSERT_EQUAL(e & 0xfff, 3);
	CU_ASSERT(e >= FAKE_MADDR_BASE);
	CU_ASSERT_PTR_NOT_NULL(fake_pgpu_mem_va(&s.dev, e & ~0xfffull));
	CU_ASSERT_EQUAL(s.hv->wp[0xabc], 1);
	/* Half-entry write: the merged entry names a frame far outside its RAM. */
	uint64_t hi = 0x1;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, ROOT + 5 * 8 + 4, 4, &hi), 0);
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, ROOT, 5, &e), 0);
	CU_ASSERT_EQUAL(e, 0x100000000ull | val);
	CU_ASSERT_EQUAL(ram64(ROOT + 5 * 8), e);
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, ROOT, 5, &e), 0);
	CU_ASSERT_EQUAL(e, 0);			/* refused: not present */
	CU_ASSERT_EQUAL(s.hv->wp[0xabc], 0);	/* no longer a page table */
	/* Unaligned 4-byte write across entries 6 and 7. */
	uint64_t x = 0x11223344;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, ROOT + 7 * 8 - 2, 4, &x), 0);
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, ROOT, 6, &e), 0);
	CU_ASSERT_EQUAL(e, 0x3344000000000000ull);
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, ROOT, 7, &e), 0);
	CU_ASSERT_EQUAL(e, 0x1122);
	CU_ASSERT_EQUAL(ram64(ROOT + 7 * 8), 0x1122);
	/* A read that reaches us is answered from RAM. */
	uint64_t r = 0;
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, ROOT + 5 * 8, 8, &r), 0);
	CU_ASSERT_EQUAL(r, 0x100000000ull | val);
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_EQUAL(st.page_writes, 3);
	n = vgpu_trap_map(s.v, rows, 16);
	bool found = false;
	for (size_t i = 0; i < n; i++)
		if (rows[i].mech == TRAP_P2M_WP && rows[i].start == ROOT) {
			found = true;
			CU_ASSERT_EQUAL(rows[i].traps, 3);
			CU_ASSERT_STRING_EQUAL(rows[i].what, "PPGTT PML4");
		}
	CU_ASSERT(found);
	fake_teardown(&s);
}

/*
 * A guest that places BAR0 over RAM holding one of its page tables: the
 * page's p2m type sends its writes to us before any BAR decode, so a
 * store there is a page write (shadow + RAM), never a register write;
 * the same for a rep read from BAR0 into it (the glue hands us the store).
 */
static void
test_page_wins_over_bar0(void)
{
	const uint64_t bar0 = 0x1000000, page = bar0 + 0x100000; /* a register offset */
	uint64_t val = 0x5000 | 3, e = 0, r = 0;
	uint32_t cmd = 0, lo = (uint32_t)bar0 | 0x4, hi = 0;
	struct vgpu_stats st;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(ppgtt_create_root(s.v, page, 4) == 0);
	CU_ASSERT_EQUAL(vgpu_cfg_access(s.v, true, 0x10, 4, &lo), 0);
	CU_ASSERT_EQUAL(vgpu_cfg_access(s.v, true, 0x14, 4, &hi), 0);
	CU_ASSERT_EQUAL(vgpu_cfg_access(s.v, false, 0x04, 2, &cmd), 0);
	CU_ASSERT_TRUE_FATAL(s.v->cfgs.bar_live[VBAR0]);
	CU_ASSERT_EQUAL(s.v->cfgs.bar_base[VBAR0], bar0);
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, page + 8, 8, &val), 0);
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, page, 1, &e), 0);
	CU_ASSERT_EQUAL(e, val);
	CU_ASSERT_EQUAL(ram64(page + 8), val);
	vgpu_get_stats(s.v, &st);
	CU_ASSERT_EQUAL(st.page_writes, 1);
	CU_ASSERT_EQUAL(st.mmio_writes, 0);
	/* A BAR0 register away from the page is still a register. */
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, false, bar0 + 0x78000, 8, &r), 0);
	CU_ASSERT_EQUAL(r, 0x4776544776544776ull);	/* the PV info magic */
	fake_teardown(&s);
}

/*
 * Ten thousand tracked pages (every page-table page of a busy guest):
 * each found by its gfn, removals leave the others findable, a re-add
 * works, a duplicate is refused, and all are unprotected at destroy.
 */
static void
test_10k_pages(void)
{
	const uint64_t first = 0x1000, n = 10000;
	struct hv *hv;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	for (uint64_t g = first; g < first + n; g++)
		CU_ASSERT_EQUAL_FATAL(page_track_add(s.v, g, NULL, NULL), 0);
	CU_ASSERT_EQUAL(page_track_count(s.v), n);
	for (uint64_t g = first; g < first + n; g++) {
		struct tracked_page *tp = page_track_find(s.v, g);

		CU_ASSERT_PTR_NOT_NULL_FATAL(tp);
		CU_ASSERT_EQUAL(tp->gfn, g);
		CU_ASSERT_EQUAL(s.hv->wp[g], 1);
	}
	CU_ASSERT_PTR_NULL(page_track_find(s.v, first - 1));
	CU_ASSERT_PTR_NULL(page_track_find(s.v, first + n));
	CU_ASSERT_EQUAL(page_track_add(s.v, first + 7, NULL, NULL), -EEXIST);
	/* Every other page goes: the rest stay findable, the gone ones unprotected. */
	for (uint64_t g = first; g < first + n; g += 2)
		CU_ASSERT_EQUAL(page_track_remove(s.v, g), 0);
	CU_ASSERT_EQUAL(page_track_count(s.v), n / 2);
	for (uint64_t g = first; g < first + n; g++) {
		bool odd = (g - first) & 1;

		CU_ASSERT_EQUAL(page_track_find(s.v, g) != NULL, odd);
		CU_ASSERT_EQUAL(s.hv->wp[g], odd);
	}
	CU_ASSERT_EQUAL(page_track_remove(s.v, first), -ENOENT);
	CU_ASSERT_EQUAL(page_track_add(s.v, first, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(page_track_find(s.v, first));
	hv = s.hv;
	s.hv = NULL;
	vgpu_destroy(s.v);
	s.v = NULL;
	for (uint64_t g = first; g < first + n; g++)
		CU_ASSERT_EQUAL(hv->wp[g], 0);
	fake_hv_free(hv);
	fake_teardown(&s);
}

/* Lifting and restoring a tracked page's protection keeps it tracked. */
static void
test_protect_toggle(void)
{
	struct tracked_page *tp;
	unsigned int calls;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_EQUAL_FATAL(page_track_add(s.v, 0x300, NULL, NULL), 0);
	tp = page_track_find(s.v, 0x300);
	CU_ASSERT_EQUAL(page_track_protect(s.v, tp, false), 0);
	CU_ASSERT_EQUAL(s.hv->wp[0x300], 0);
	CU_ASSERT_TRUE(tp->unprotected);
	CU_ASSERT_PTR_EQUAL(page_track_find(s.v, 0x300), tp);
	s.hv->fail_next = -EBUSY;	/* a refused re-protect changes nothing */
	CU_ASSERT_EQUAL(page_track_protect(s.v, tp, true), -EBUSY);
	CU_ASSERT_TRUE(tp->unprotected);
	CU_ASSERT_EQUAL(s.v->pt.wp_failed, 1);
	CU_ASSERT_EQUAL(page_track_protect(s.v, tp, true), 0);
	CU_ASSERT_EQUAL(s.hv->wp[0x300], 1);
	CU_ASSERT_FALSE(tp->unprotected);
	/* Removing an unprotected page asks the hypervisor nothing. */
	CU_ASSERT_EQUAL(page_track_protect(s.v, tp, false), 0);
	calls = s.hv->nr_wp_calls;
	CU_ASSERT_EQUAL(page_track_remove(s.v, 0x300), 0);
	CU_ASSERT_EQUAL(s.hv->nr_wp_calls, calls);
	fake_teardown(&s);
}

/* More tracked pages than trap-map rows: the last row sums up the rest. */
static void
test_trap_rows_summary(void)
{
	struct trap_entry rows[64];
	size_t n, k = 0;
	uint64_t sum = 100;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	for (uint64_t g = 0x400; g < 0x400 + 100; g++)
		CU_ASSERT_EQUAL_FATAL(page_track_add(s.v, g, NULL, NULL), 0);
	for (uint64_t g = 0x400; g < 0x400 + 100; g++)
		CU_ASSERT_EQUAL(page_track_write(s.v, g << 12, 8, 1), 0);
	n = vgpu_trap_map(s.v, rows, 64);
	CU_ASSERT_EQUAL_FATAL(n, 64);
	for (size_t i = 0; i < n; i++)
		if (rows[i].mech == TRAP_P2M_WP) {
			k++;
			sum -= rows[i].traps;
		}
	CU_ASSERT_EQUAL(sum, 0);	/* every trap in some row */
	CU_ASSERT(strstr(rows[n - 1].what, "more pages") != NULL);
	CU_ASSERT_EQUAL(rows[n - 1].end, ((0x400ull + 99) << 12) + 4095);
	CU_ASSERT(k < 100);
	fake_teardown(&s);
}

static void
test_hv_failure_and_destroy(void)
{
	struct hv *hv;
	uint64_t e;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	s.hv->fail_next = -EBUSY;
	s.hv->fail_skip = 1;	/* the root's gfn_to_dma check passes */
	CU_ASSERT_EQUAL(ppgtt_create_root(s.v, ROOT, 4), -EBUSY);
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, ROOT, 0, &e), -ENOENT);
	CU_ASSERT_EQUAL(page_track_count(s.v), 0);
	CU_ASSERT_EQUAL(ppgtt_create_root(s.v, ROOT, 4), 0);
	CU_ASSERT_EQUAL(page_track_add(s.v, 0x2000, NULL, NULL), 0);
	CU_ASSERT_EQUAL(s.hv->wp[ROOT >> 12], 1);
	CU_ASSERT_EQUAL(s.hv->wp[0x2000], 1);
	/* Destroy releases every page; keep hv to look at it. */
	hv = s.hv;
	s.hv = NULL;
	vgpu_destroy(s.v);
	s.v = NULL;
	CU_ASSERT_EQUAL(hv->wp[ROOT >> 12], 0);
	CU_ASSERT_EQUAL(hv->wp[0x2000], 0);
	fake_hv_free(hv);
	fake_teardown(&s);
}

static void
test_failsafe_still_writes_ram(void)
{
	uint64_t val = 0x777000 | 1, e = 0;

	up_with_root();
	vgpu_enter_failsafe(s.v, "test");
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, ROOT + 8, 8, &val), 0);
	CU_ASSERT_EQUAL(ram64(ROOT + 8), val); /* guest RAM is never dropped */
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, ROOT, 1, &e), 0);
	CU_ASSERT_EQUAL(e, 0); /* but the shadow no longer follows */
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, ROOT, 1, &e), 0);
	CU_ASSERT_EQUAL(e, 0);
	fake_teardown(&s);
}

/*
 * The write reaches guest memory first; the shadow follows only if it
 * did. A failed write_gpa leaves both the shadow and RAM as they were.
 */
static void
test_failed_write_keeps_shadow(void)
{
	uint64_t val = 0x5000 | 1, e = 0xdead;

	up_with_root();
	s.hv->fail_skip = 1; /* read_gpa of the old entry succeeds */
	s.hv->fail_next = -EIO;
	CU_ASSERT_EQUAL(page_track_write(s.v, ROOT + 2 * 8, 8, val), -EIO);
	CU_ASSERT_EQUAL(s.hv->fail_next, 0); /* the injected failure was consumed */
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, ROOT, 2, &e), 0);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, ROOT, 2, &e), 0);
	CU_ASSERT_EQUAL(e, 0);
	CU_ASSERT_EQUAL(ram64(ROOT + 2 * 8), 0);
	CU_ASSERT_EQUAL(page_track_count(s.v), 1);
	/* And the next write goes through as usual. */
	CU_ASSERT_EQUAL(page_track_write(s.v, ROOT + 2 * 8, 8, val), 0);
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, ROOT, 2, &e), 0);
	CU_ASSERT_EQUAL(e, val);
	CU_ASSERT_EQUAL(page_track_count(s.v), 2);	/* its PDP at gfn 5 */
	CU_ASSERT_EQUAL(ram64(ROOT + 2 * 8), val);
	fake_teardown(&s);
}

/* Records whether the page read was write-protected at the time of the read. */
static void
hook_wp_at_read(struct hv *hv, uint64_t gpa, size_t len)
{
	int *state = hv->hook_arg;

	if (len == 4096 && gpa == ROOT) /* the shadow read of the root */
		*state = hv->wp[gpa >> 12] ? 1 : 2;
}

/*
 * The root is write-protected before it is read into the shadow (a write
 * in between would otherwise be lost to the shadow); a failed read undoes
 * the protection.
 */
static void
test_root_protected_before_read(void)
{
	int state = 0;
	uint64_t e;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	memset(s.hv->ram + ROOT, 0x11, 8);
	s.hv->hook_arg = &state;
	s.hv->read_hook = hook_wp_at_read;
	CU_ASSERT_EQUAL(ppgtt_create_root(s.v, ROOT, 4), 0);
	CU_ASSERT_EQUAL(state, 1);
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, ROOT, 0, &e), 0);
	CU_ASSERT_EQUAL(e, 0x1111111111111111ull);	/* reserved bits: refused */
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, ROOT, 0, &e), 0);
	CU_ASSERT_EQUAL(e, 0);
	s.hv->read_hook = NULL;
	/* Read fails after the protection: untracked again, no shadow. */
	s.hv->fail_skip = 2; /* the root's gfn_to_dma check and wp_gfn succeed */
	s.hv->fail_next = -EIO;
	CU_ASSERT_EQUAL(ppgtt_create_root(s.v, ROOT + 0x1000, 4), -EIO);
	CU_ASSERT_PTR_NULL(page_track_find(s.v, (ROOT >> 12) + 1));
	CU_ASSERT_EQUAL(s.hv->wp[(ROOT >> 12) + 1], 0);
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, ROOT + 0x1000, 0, &e), -ENOENT);
	CU_ASSERT_EQUAL(page_track_count(s.v), 1);
	/* Outside guest RAM: refused, nothing tracked. */
	CU_ASSERT(ppgtt_create_root(s.v, 1ull << 40, 4) < 0);
	CU_ASSERT_EQUAL(page_track_count(s.v), 1);
	fake_teardown(&s);
}

/*
 * A guest retrying PPGTT_L4_CREATE on a page the hypervisor refuses to
 * protect: logged once, every failure counted.
 */
static void
test_wp_failure_logged_once(void)
{
	uint64_t lines;

	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	s.hv->fail_skip = 1; /* the root's gfn_to_dma check succeeds */
	s.hv->fail_next = -EPERM;
	CU_ASSERT_EQUAL(ppgtt_create_root(s.v, ROOT, 4), -EPERM);
	lines = log_lines();
	for (int i = 0; i < 10; i++) {
		s.hv->fail_skip = 1;
		s.hv->fail_next = -EPERM;
		CU_ASSERT_EQUAL(ppgtt_create_root(s.v, ROOT, 4), -EPERM);
	}
	CU_ASSERT_EQUAL(log_lines(), lines);
	CU_ASSERT_EQUAL(s.v->pt.wp_failed, 11);
	{
		struct vgpu_stats st;

		vgpu_get_stats(s.v, &st); /* what xengt-ctl stats shows */
		CU_ASSERT_EQUAL(st.wp_failed, 11);
	}
	CU_ASSERT(s.v->warned & (1ull << WARN_PPGTT));
	fake_teardown(&s);
}

/*
 * A release the hypervisor refuses keeps the page tracked (still
 * protected) and is retried at fini: destroy then leaves it unprotected.
 */
static void
test_failed_release_retried(void)
{
	struct hv *hv;

	up_with_root();
	s.hv->fail_next = -EBUSY;
	CU_ASSERT_EQUAL(ppgtt_destroy_root(s.v, ROOT, 4), 0);	/* the shadow goes */
	CU_ASSERT_EQUAL(s.hv->wp[ROOT >> 12], 1);
	CU_ASSERT_PTR_NOT_NULL(page_track_find(s.v, ROOT >> 12));
	CU_ASSERT_EQUAL(s.v->pt.release_failed, 1);
	{
		struct vgpu_stats st;

		vgpu_get_stats(s.v, &st);
		CU_ASSERT_EQUAL(st.hv_release_failed, 1 + s.v->cfgs.release_failed);
	}
	/* The root is gone from the guest's point of view; a re-create works. */
	uint64_t e;
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, ROOT, 0, &e), -ENOENT);
	CU_ASSERT_EQUAL(ppgtt_create_root(s.v, ROOT, 4), 0);
	s.hv->fail_next = -EBUSY;
	CU_ASSERT_EQUAL(page_track_remove(s.v, 0x2000), -ENOENT);
	CU_ASSERT_EQUAL(page_track_add(s.v, 0x2000, NULL, NULL), -EBUSY);
	CU_ASSERT_EQUAL(page_track_add(s.v, 0x2000, NULL, NULL), 0);
	s.hv->fail_next = -EBUSY;
	CU_ASSERT_EQUAL(page_track_remove(s.v, 0x2000), -EBUSY);
	CU_ASSERT_EQUAL(s.hv->wp[0x2000], 1);
	/* Destroy retries every pending release. */
	hv = s.hv;
	s.hv = NULL;
	vgpu_destroy(s.v);
	s.v = NULL;
	CU_ASSERT_EQUAL(hv->wp[0x2000], 0);
	CU_ASSERT_EQUAL(hv->wp[ROOT >> 12], 0);
	fake_hv_free(hv);
	fake_teardown(&s);
}

void suite_page_track(void);

void
suite_page_track(void)
{
	static const struct test_case cases[] = {
		{ "trapped PTE write: shadow + guest RAM", test_trapped_pte_write },
		{ "10k tracked pages", test_10k_pages },
		{ "protection lifted and restored", test_protect_toggle },
		{ "trap map sums up what does not fit", test_trap_rows_summary },
		{ "hypervisor failure; destroy untracks", test_hv_failure_and_destroy },
		{ "failsafe: writes still land in RAM", test_failsafe_still_writes_ram },
		{ "failed guest write leaves the shadow alone", test_failed_write_keeps_shadow },
		{ "root protected before it is read", test_root_protected_before_read },
		{ "refused write-protect logged once, counted", test_wp_failure_logged_once },
		{ "refused release kept and retried", test_failed_release_retried },
		{ "a protected page wins over a BAR0 placed on it", test_page_wins_over_bar0 },
		{ NULL, NULL },
	};

	test_add_suite("page_track", cases);
}
