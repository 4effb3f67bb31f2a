/* SPDX-License-Identifier: MIT */
/*
 * test_ppgtt.c — the PPGTT shadow (mediator/mem/ppgtt*.c) over the fake
 * hypervisor and GPU: the guest builds its tables in its RAM (a write to a
 * protected page traps through vgpu_mem_access, as the hypervisor would
 * send it; any other goes straight to RAM), and every check walks the
 * shadow as the GPU would, from the shadow root by machine addresses
 * through the fake pgpu's memory, down to the DMA address of the guest's
 * page. Map/unmap/remap at every level, shared tables, pages that stop
 * being tables, out-of-sync leaves, refused entries, 10k tables, roots
 * from the PV info page and from context images, legacy 3-level roots,
 * shadow pages kept while the GPU may walk them.
 */
#include <errno.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"

#define PV 0x78000u

/* A guest layout in its 64 MiB: tables from 1 MiB, data pages from 8 MiB. */
#define PML4 0x100000ull
#define PDP 0x101000ull
#define PD 0x102000ull
#define PT 0x103000ull
#define PT2 0x104000ull
#define PD2 0x105000ull
#define PDP2 0x106000ull
#define PML4B 0x107000ull
#define DATA(n) (0x800000ull + (uint64_t)(n) * 0x1000)

#define E(gpa) ((gpa) | 3)	/* present, writable */

static struct fake_setup s;
static unsigned int traps;

static uint64_t
gva(unsigned int l4, unsigned int l3, unsigned int l2, unsigned int l1)
{
	return (uint64_t)l4 << 39 | (uint64_t)l3 << 30 | (uint64_t)l2 << 21 | (uint64_t)l1 << 12;
}

/* The guest stores an entry: a protected page traps to us, any other is plain RAM. */
static void
gw(uint64_t gpa, uint64_t val)
{
	if (s.hv->wp[gpa >> 12]) {
		CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, gpa, 8, &val), 0);
		traps++;
	} else {
		memcpy(s.hv->ram + gpa, &val, 8);
	}
}

static bool
wp(uint64_t gpa)
{
	return s.hv->wp[gpa >> 12];
}

static void
up(void)
{
	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	traps = 0;
}

/* The standard tree: gva(0,0,0,i) -> DATA(i) for i < n. */
static void
build_tree(unsigned int n)
{
	gw(PML4, E(PDP));
	gw(PDP, E(PD));
	gw(PD, E(PT));
	for (unsigned int i = 0; i < n; i++)
		gw(PT + 8 * i, E(DATA(i)));
}

static uint64_t
submit(uint64_t root, unsigned int levels)
{
	uint64_t sh = 0;

	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_shadow_for_submit(s.v, root, levels, &sh), 0);
	pthread_mutex_unlock(&s.v->lock);
	return sh;
}

/*
 * The GPU's walk: from the shadow root (machine address) through shadow
 * tables in the fake's GPU memory. 0 and the machine address of gva, or -1.
 */
static int
gpu_walk(uint64_t shroot, unsigned int levels, uint64_t va, uint64_t *ma)
{
	uint64_t table = shroot;

	for (unsigned int l = levels == 4 ? 4 : 2; l >= 1; l--) {
		const uint64_t *t = fake_pgpu_mem_va(&s.dev, table);
		uint64_t e;

		if (!t)
			return -1;
		e = t[(va >> (12 + 9 * (l - 1))) & 511];
		if (!(e & 1))
			return -1;
		if (l == 1) {
			*ma = (e & 0x00003ffffffff000ull) | (va & 0xfff);
			return 0;
		}
		table = e & 0x00003ffffffff000ull;
	}
	return -1;
}

/* gva maps to guest physical gpa in the GPU's view. */
static bool
maps_to(uint64_t shroot, unsigned int levels, uint64_t va, uint64_t gpa)
{
	uint64_t ma = 0;

	return gpu_walk(shroot, levels, va, &ma) == 0 && ma == s.hv->dma_base + gpa;
}

static bool
unmapped(uint64_t shroot, unsigned int levels, uint64_t va)
{
	uint64_t ma;

	return gpu_walk(shroot, levels, va, &ma) != 0;
}

static struct vgpu_stats
stats(void)
{
	struct vgpu_stats st;

	vgpu_get_stats(s.v, &st);
	return st;
}

/* Every level walked from a context's root, each table page protected. */
static void
test_walk_all_levels(void)
{
	uint64_t sh, gpa = 0;

	up();
	build_tree(3);
	CU_ASSERT_EQUAL(traps, 0);
	sh = submit(PML4, 4);
	CU_ASSERT_PTR_NOT_NULL(fake_pgpu_mem_va(&s.dev, sh));
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, i) + 0x123, DATA(i) + 0x123));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 3)));
	CU_ASSERT(unmapped(sh, 4, gva(1, 0, 0, 0)));
	CU_ASSERT(wp(PML4) && wp(PDP) && wp(PD) && wp(PT));
	CU_ASSERT(!wp(DATA(0)));	/* data pages are not tables */
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 4);
	CU_ASSERT_EQUAL(stats().ppgtt_tables, 4);
	CU_ASSERT_EQUAL(page_track_count(s.v), 4);
	/* The same root again: the same shadow, nothing new. */
	CU_ASSERT_EQUAL(submit(PML4, 4), sh);
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 4);
	/* The scanner's translation agrees. */
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 0, 2) + 8, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, DATA(2) + 8);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 0, 3), &gpa), -EFAULT);
	pthread_mutex_unlock(&s.v->lock);
	/* Trap-map labels by level. */
	CU_ASSERT_STRING_EQUAL(page_track_find(s.v, PML4 >> 12)->what, "PPGTT PML4");
	CU_ASSERT_STRING_EQUAL(page_track_find(s.v, PT >> 12)->what, "PPGTT PT");
	fake_teardown(&s);
}

/*
 * Map, unmap and remap at each level through trapped writes; the GPU's
 * view follows each one at once (a single write per leaf: no out-of-sync).
 */
static void
test_map_unmap_remap(void)
{
	uint64_t sh;

	up();
	build_tree(1);
	sh = submit(PML4, 4);
	/* PTE: map a second page, unmap it, remap elsewhere. */
	gw(PT + 8, E(DATA(7)));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 1), DATA(7)));
	gw(PT + 8, 0);
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 1)));
	gw(PT + 8, E(DATA(9)));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 1), DATA(9)));
	CU_ASSERT_EQUAL(traps, 3);
	/* PDE: a new PT (filled while still plain RAM), then back to the first. */
	gw(PT2 + 8 * 5, E(DATA(20)));
	CU_ASSERT(!wp(PT2));
	gw(PD + 8 * 1, E(PT2));
	CU_ASSERT(wp(PT2));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 1, 5), DATA(20)));
	gw(PD + 8 * 1, 0);
	CU_ASSERT(!wp(PT2));	/* no longer a table */
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 1, 5)));
	gw(PD + 8 * 1, E(PT2));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 1, 5), DATA(20)));
	/* Remap the same PDE from PT2 to PT: PT shared by two PDEs now. */
	gw(PD + 8 * 1, E(PT));
	CU_ASSERT(!wp(PT2));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 1, 1), DATA(9)));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 1), DATA(9)));
	/* PDPE: a second directory. */
	gw(PD2 + 8 * 3, E(PT2));
	gw(PDP + 8 * 2, E(PD2));
	CU_ASSERT(wp(PD2) && wp(PT2));
	CU_ASSERT(maps_to(sh, 4, gva(0, 2, 3, 5), DATA(20)));
	gw(PDP + 8 * 2, 0);
	CU_ASSERT(!wp(PD2) && !wp(PT2));
	CU_ASSERT(unmapped(sh, 4, gva(0, 2, 3, 5)));
	/* PML4E: a second PDP naming the first directory. */
	gw(PDP2 + 8 * 4, E(PD));
	gw(PML4 + 8 * 9, E(PDP2));
	CU_ASSERT(maps_to(sh, 4, gva(9, 4, 0, 0), DATA(0)));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 0), DATA(0)));
	gw(PML4 + 8 * 9, E(PDP));	/* remapped to the first PDP */
	CU_ASSERT(!wp(PDP2));
	CU_ASSERT(maps_to(sh, 4, gva(9, 0, 0, 0), DATA(0)));
	CU_ASSERT(unmapped(sh, 4, gva(9, 4, 0, 0)));
	gw(PML4 + 8 * 9, 0);
	CU_ASSERT(unmapped(sh, 4, gva(9, 0, 0, 0)));
	CU_ASSERT(wp(PDP));	/* still named by entry 0 */
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 4);
	CU_ASSERT_EQUAL(stats().ppgtt_oos, 0);
	CU_ASSERT_EQUAL(stats().ppgtt_bad, 0);
	fake_teardown(&s);
}

/*
 * Tables shared between roots and between entries are counted: one name
 * going keeps them, the last one unprotects them; every shadow page goes
 * back to the GPU's pool.
 */
static void
test_shared_refcount(void)
{
	uint64_t sa, sb;
	struct hv *hv;
	struct pgpu_dev dev;

	up();
	build_tree(2);
	gw(PML4B + 8 * 1, E(PDP));	/* a second PPGTT sharing the PDP */
	sa = submit(PML4, 4);
	sb = submit(PML4B, 4);
	CU_ASSERT_NOT_EQUAL(sa, sb);
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 5);
	CU_ASSERT(maps_to(sb, 4, gva(1, 0, 0, 1), DATA(1)));
	/* Two PDEs name PT: dropping one keeps it. */
	gw(PD + 8 * 7, E(PT));
	CU_ASSERT(maps_to(sa, 4, gva(0, 0, 7, 0), DATA(0)));
	gw(PD + 8 * 0, 0);
	CU_ASSERT(wp(PT));
	CU_ASSERT(unmapped(sa, 4, gva(0, 0, 0, 0)));
	CU_ASSERT(maps_to(sa, 4, gva(0, 0, 7, 1), DATA(1)));
	gw(PD + 8 * 7, 0);
	CU_ASSERT(!wp(PT));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 4);
	/* A write to the page that stopped being a table is plain RAM. */
	traps = 0;
	gw(PT + 8 * 3, E(DATA(3)));
	CU_ASSERT_EQUAL(traps, 0);
	/* Root A goes (announced now, then withdrawn): B keeps the shared tables. */
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_create_root(s.v, PML4, 4), 0);
	CU_ASSERT_EQUAL(ppgtt_destroy_root(s.v, PML4, 4), 0);
	CU_ASSERT_EQUAL(ppgtt_destroy_root(s.v, PML4, 4), -ENOENT);
	pthread_mutex_unlock(&s.v->lock);
	CU_ASSERT(!wp(PML4));
	CU_ASSERT(wp(PML4B) && wp(PDP) && wp(PD));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 3);
	gw(PD + 8 * 2, E(PT2));
	gw(PT2, E(DATA(5)));
	CU_ASSERT(maps_to(submit(PML4B, 4), 4, gva(1, 0, 2, 0), DATA(5)));
	/* Teardown: everything unprotected, every shadow page back. */
	hv = s.hv;
	dev = s.dev;
	s.hv = NULL;
	vgpu_destroy(s.v);
	s.v = NULL;
	for (uint64_t g = PML4 >> 12; g <= PML4B >> 12; g++)
		CU_ASSERT_EQUAL(hv->wp[g], 0);
	CU_ASSERT_EQUAL(fake_pgpu(&dev)->mem_pages, 0);
	fake_hv_free(hv);
	fake_teardown(&s);
}

/*
 * A populate of a whole PT: after PPGTT_OOS_THRESHOLD traps the leaf is
 * unprotected; the rest of the writes land in RAM unseen, and the next
 * submission resyncs (and re-protects) it: the GPU's view is complete and
 * right, a refused entry written meanwhile included.
 */
static void
test_oos_resync(void)
{
	uint64_t sh;
	struct vgpu_stats st;

	up();
	build_tree(0);
	sh = submit(PML4, 4);
	traps = 0;
	for (unsigned int i = 0; i < 512; i++)
		gw(PT + 8 * i, E(DATA(i)));
	CU_ASSERT_EQUAL(traps, PPGTT_OOS_THRESHOLD);
	CU_ASSERT(!wp(PT));
	st = stats();
	CU_ASSERT_EQUAL(st.ppgtt_oos, 1);
	CU_ASSERT_EQUAL(st.ppgtt_oos_syncs, 0);
	/* Out of sync: the GPU view still has only what trapped. */
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, PPGTT_OOS_THRESHOLD - 1),
			  DATA(PPGTT_OOS_THRESHOLD - 1)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 100)));
	/* A bad entry and an unmap while unprotected. */
	gw(PT + 8 * 200, E(0x7ff00000000ull));
	gw(PT + 8 * 1, 0);
	CU_ASSERT_EQUAL(submit(PML4, 4), sh);
	CU_ASSERT(wp(PT));
	st = stats();
	CU_ASSERT_EQUAL(st.ppgtt_oos_syncs, 1);
	CU_ASSERT_EQUAL(st.ppgtt_bad, 1);
	for (unsigned int i = 0; i < 512; i++) {
		if (i == 1 || i == 200) {
			CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, i)));
		} else {
			CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, i), DATA(i)));
		}
	}
	/* Entries written unseen: 4..511 (200 the bad one), and entry 1 cleared. */
	CU_ASSERT_EQUAL(s.v->ppgtt.oos_entries, 512 - PPGTT_OOS_THRESHOLD + 1);
	/* In sync again: the next single write traps and shows at once. */
	traps = 0;
	gw(PT + 8 * 1, E(DATA(77)));
	CU_ASSERT_EQUAL(traps, 1);
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 1), DATA(77)));
	fake_teardown(&s);
}

/*
 * Resync mode: a hypervisor that cannot write-protect (wp_gfn NULL, as
 * under QEMU's proxy). Nothing traps; the shadow is stale until the next
 * submission, which re-reads every table top-down: a remapped PTE, a new
 * directory entry with its table, an unmapped PTE, a refused entry, and
 * a dropped subtree all show in the GPU's view right after it.
 */
static void
test_resync_mode(void)
{
	struct hv_ops nowp;
	uint64_t sh;
	struct vgpu_stats st;

	up();
	nowp = *s.v->hv_ops;
	nowp.wp_gfn = NULL;
	s.v->hv_ops = &nowp;
	build_tree(2);
	sh = submit(PML4, 4);
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 1), DATA(1)));
	CU_ASSERT(!wp(PML4) && !wp(PT));
	CU_ASSERT_EQUAL(page_track_count(s.v), 4);	/* tracked, unprotected */
	gw(PT + 8 * 1, E(DATA(7)));
	gw(PT + 8 * 0, 0);
	gw(PT + 8 * 2, E(0x7ff00000000ull));
	gw(PT2 + 8 * 5, E(DATA(20)));
	gw(PD + 8 * 1, E(PT2));
	CU_ASSERT_EQUAL(traps, 0);
	/* Stale until submitted. */
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 1), DATA(1)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 1, 5)));
	CU_ASSERT_EQUAL(submit(PML4, 4), sh);
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 1), DATA(7)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 0)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 2)));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 1, 5), DATA(20)));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 5);
	st = stats();
	CU_ASSERT_EQUAL(st.ppgtt_bad, 1);
	/* Four tables re-read (the new PT2 was read whole when made). */
	CU_ASSERT_EQUAL(st.ppgtt_resyncs, 4);
	CU_ASSERT_EQUAL(s.v->ppgtt.resync_entries, 4);
	/* A whole subtree dropped by one upper entry. */
	gw(PDP + 8 * 0, 0);
	submit(PML4, 4);
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 1)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 1, 5)));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 2);
	CU_ASSERT_EQUAL(stats().ppgtt_resyncs, 4 + 2);
	/* Nothing changed: re-read, nothing rewritten. */
	submit(PML4, 4);
	CU_ASSERT_EQUAL(s.v->ppgtt.resync_entries, 5);
	CU_ASSERT_EQUAL(s.hv->nr_wp_calls, 0);
	/* The trap map says how these pages are kept: resynced, not write-protected. */
	struct trap_entry rows[16];
	size_t n = vgpu_trap_map(s.v, rows, 16), resync = 0;

	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_NOT_EQUAL(rows[i].mech, TRAP_P2M_WP);
		resync += rows[i].mech == TRAP_RESYNC;
	}
	CU_ASSERT_EQUAL(resync, 2);	/* PML4 and PDP are left */
	fake_teardown(&s);
}

/*
 * An out-of-sync leaf whose page becomes a directory too: it is resynced
 * and protected first (a directory must see every write).
 */
static void
test_oos_page_becomes_directory(void)
{
	uint64_t sh;

	up();
	build_tree(0);
	sh = submit(PML4, 4);
	for (unsigned int i = 0; i < 8; i++)
		gw(PT + 8 * i, E(DATA(i)));
	CU_ASSERT(!wp(PT));
	gw(PT + 8 * 8, E(DATA(8)));	/* unseen */
	gw(PDP + 8 * 1, E(PT));		/* PT's page as a directory of PDP entry 1 */
	CU_ASSERT(wp(PT));
	CU_ASSERT_EQUAL(s.v->ppgtt.nr_oos, 0);
	/* As a leaf: all 9 pages, without a submission. */
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 8), DATA(8)));
	/* As a directory its entries name data pages as page tables: fine, they are RAM. */
	CU_ASSERT(wp(DATA(0)));
	traps = 0;
	gw(PT + 8 * 9, E(DATA(9)));
	CU_ASSERT_EQUAL(traps, 1);	/* trapped once, seen at both levels */
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 9), DATA(9)));
	CU_ASSERT(wp(DATA(9)));
	fake_teardown(&s);
}

/*
 * Every refused kind of entry: not present in the shadow, counted, one
 * log line for all of them; the good entries beside them work.
 */
static void
test_bad_entries(void)
{
	uint64_t sh, lines, e = 0;

	up();
	build_tree(1);
	sh = submit(PML4, 4);
	lines = log_lines();
	gw(PT + 8 * 1, E(0x7ff00000000ull));		/* frame outside its RAM */
	gw(PT + 8 * 2, E(DATA(2)) | (1ull << 50));	/* reserved bits */
	gw(PD + 8 * 1, E(0x200000) | PPGTT_PS);		/* 2 MiB page */
	gw(PD + 8 * 2, E(PT2) | PPGTT_IPS);		/* 64 KiB pages */
	gw(PDP + 8 * 1, E(PD2) | PPGTT_PS);		/* 1 GiB page */
	gw(PML4 + 8 * 1, E(PDP2) | PPGTT_PS);		/* reserved in a PML4E */
	gw(PT + 8 * 3, E(DATA(3)));			/* a good one */
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 1)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 2)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 1, 0)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 2, 0)));
	CU_ASSERT(unmapped(sh, 4, gva(0, 1, 0, 0)));
	CU_ASSERT(unmapped(sh, 4, gva(1, 0, 0, 0)));
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 3), DATA(3)));
	CU_ASSERT(!wp(PT2) && !wp(PD2) && !wp(PDP2));
	CU_ASSERT_EQUAL(stats().ppgtt_bad, 6);
	CU_ASSERT_EQUAL(log_lines(), lines + 1);
	CU_ASSERT_FALSE(stats().failsafe);
	/* The guest still reads back what it wrote. */
	CU_ASSERT_EQUAL(ppgtt_guest_entry(s.v, PML4, 1, &e), 0);
	CU_ASSERT_EQUAL(e, E(PDP2) | PPGTT_PS);
	/* The vGPU's own BAR: refused even when the hypervisor would translate it. */
	s.hv->dma_any = true;
	gw(PT + 8 * 4, E(FAKE_BAR0 + 0x1000));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 4)));
	gw(PT + 8 * 5, E(0x7ff00000000ull));	/* answered by this hypervisor: taken */
	CU_ASSERT_EQUAL(submit(PML4, 4), sh);	/* (PT went out of sync at its 4th write) */
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 5), 0x7ff00000000ull));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 4)));
	s.hv->dma_any = false;
	CU_ASSERT_EQUAL(stats().ppgtt_bad, 7);
	/* Bad roots: -EINVAL, counted. */
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_shadow_for_submit(s.v, PML4 + 8, 4, &sh), -EINVAL);
	CU_ASSERT_EQUAL(ppgtt_shadow_for_submit(s.v, 0x7ff00000000ull, 4, &sh), -EINVAL);
	CU_ASSERT_EQUAL(ppgtt_shadow_for_submit(s.v, PML4, 5, &sh), -EINVAL);
	CU_ASSERT_EQUAL(ppgtt_shadow_for_submit(s.v, FAKE_BAR0, 4, &sh), -EINVAL);
	pthread_mutex_unlock(&s.v->lock);
	CU_ASSERT_EQUAL(stats().ppgtt_bad, 11);
	fake_teardown(&s);
}

/*
 * 10 000 page tables under one root (20 directories of 500 PTs): all
 * shadowed and protected, each PT's mapping right; unmapping the PDP
 * entry unprotects them all and returns their shadow pages.
 */
static void
test_10k_tables(void)
{
	const unsigned int npd = 20, per = 500;
	const uint64_t pds = 0x200000, pts = 0x1000000;
	uint64_t sh, mem0;

	up();
	gw(PML4, E(PDP));
	for (unsigned int d = 0; d < npd; d++) {
		gw(PDP + 8 * d, E(pds + 0x1000ull * d));
		for (unsigned int k = 0; k < per; k++) {
			uint64_t pt = pts + 0x1000ull * (d * per + k);

			gw(pds + 0x1000ull * d + 8 * k, E(pt));
			gw(pt + 8 * (k % 512), E(DATA(k)));
		}
	}
	mem0 = fake_pgpu(&s.dev)->mem_pages;
	sh = submit(PML4, 4);
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 2 + npd + npd * per);
	CU_ASSERT_EQUAL(page_track_count(s.v), 2 + npd + npd * per);
	CU_ASSERT_EQUAL(fake_pgpu(&s.dev)->mem_pages, mem0 + 2 + npd + npd * per);
	for (unsigned int d = 0; d < npd; d++)
		for (unsigned int k = 0; k < per; k++) {
			CU_ASSERT(maps_to(sh, 4, gva(0, d, k, k % 512), DATA(k)));
			CU_ASSERT(wp(pts + 0x1000ull * (d * per + k)));
		}
	/* One trapped write to a PT among 10k: found and applied. */
	gw(pts + 0x1000ull * (7 * per + 123) + 8 * 300, E(DATA(42)));
	CU_ASSERT(maps_to(sh, 4, gva(0, 7, 123, 300), DATA(42)));
	gw(PML4, 0);
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 1);
	CU_ASSERT_EQUAL(page_track_count(s.v), 1);
	for (unsigned int i = 0; i < npd * per; i++)
		CU_ASSERT_EQUAL_FATAL(s.hv->wp[(pts >> 12) + i], 0);
	CU_ASSERT_EQUAL(fake_pgpu(&s.dev)->mem_pages, mem0 + 1);
	fake_teardown(&s);
}

static void
pv_pdp(unsigned int n, uint64_t gpa)
{
	fake_writel(s.v, PV + 0x838 + 8 * n, (uint32_t)gpa);
	fake_writel(s.v, PV + 0x83c + 8 * n, (uint32_t)(gpa >> 32));
}

/*
 * A root announced through the PV info page is shadowed at once (before
 * any submission) and kept until withdrawn; a root only seen in a context
 * is shadowed at its first submission; both are the same shadow.
 */
static void
test_root_pv_and_context(void)
{
	uint64_t sh, e = 0;

	up();
	build_tree(2);
	pv_pdp(0, PML4);
	fake_writel(s.v, PV + 0x818, 4);	/* PPGTT_L4_CREATE */
	CU_ASSERT(wp(PML4) && wp(PDP) && wp(PD) && wp(PT));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 4);
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, PML4, 0, &e), 0);
	CU_ASSERT_EQUAL(e & 0xfff, 3);
	sh = submit(PML4, 4);	/* the context names the announced root */
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 4);
	CU_ASSERT(maps_to(sh, 4, gva(0, 0, 0, 1), DATA(1)));
	/* A second PPGTT only a context names. */
	gw(PML4B + 8 * 3, E(PDP));
	CU_ASSERT(!wp(PML4B));
	CU_ASSERT(maps_to(submit(PML4B, 4), 4, gva(3, 0, 0, 0), DATA(0)));
	CU_ASSERT(wp(PML4B));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 5);
	/* The PV root withdrawn: its page unprotected, the shared tables stay. */
	fake_writel(s.v, PV + 0x818, 5);	/* PPGTT_L4_DESTROY */
	CU_ASSERT(!wp(PML4));
	CU_ASSERT(wp(PDP));
	CU_ASSERT_EQUAL(ppgtt_shadow_entry(s.v, PML4, 0, &e), -ENOENT);
	CU_ASSERT_EQUAL(stats().bad_access, 0);
	/* A device reset drops the rest. */
	pthread_mutex_lock(&s.v->lock);
	vgpu_reset_domains(s.v, VGPU_RESET_ALL);
	pthread_mutex_unlock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 0);
	CU_ASSERT(!wp(PML4B) && !wp(PDP) && !wp(PD) && !wp(PT));
	fake_teardown(&s);
}

/*
 * Legacy 32-bit PPGTTs: PPGTT_L3_CREATE with four PDPs (two naming the
 * same directory, one none) and a context's PDP as a 3-level root.
 */
static void
test_legacy_3level(void)
{
	uint64_t sh, gpa = 0;

	up();
	gw(PD + 8 * 4, E(PT));
	gw(PT + 8 * 6, E(DATA(6)));
	gw(PD2 + 8 * 0, E(PT2));
	gw(PT2 + 8 * 1, E(DATA(11)));
	pv_pdp(0, PD);
	pv_pdp(1, PD2);
	pv_pdp(2, PD2);
	pv_pdp(3, 0);
	fake_writel(s.v, PV + 0x818, 2);	/* PPGTT_L3_CREATE */
	CU_ASSERT_EQUAL(stats().bad_access, 0);
	CU_ASSERT(wp(PD) && wp(PT) && wp(PD2) && wp(PT2));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 4);
	sh = submit(PD, 3);
	CU_ASSERT(maps_to(sh, 3, gva(0, 0, 4, 6), DATA(6)));
	CU_ASSERT(maps_to(submit(PD2, 3), 3, gva(0, 0, 0, 1), DATA(11)));
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PD2, 3, (1ull << 30) | gva(0, 0, 0, 1), &gpa), 0);
	CU_ASSERT_EQUAL(gpa, DATA(11));
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PD2, 3, 1ull << 32, &gpa), -EFAULT);
	pthread_mutex_unlock(&s.v->lock);
	/* PD and one announcement of PD2 withdrawn: PD2 is still announced once. */
	pv_pdp(2, 0);
	fake_writel(s.v, PV + 0x818, 3);	/* PPGTT_L3_DESTROY */
	CU_ASSERT(!wp(PD) && !wp(PT));
	CU_ASSERT(wp(PD2) && wp(PT2));
	pv_pdp(0, 0);
	fake_writel(s.v, PV + 0x818, 3);
	CU_ASSERT(!wp(PD2) && !wp(PT2));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 0);
	CU_ASSERT_EQUAL(stats().bad_access, 0);
	fake_writel(s.v, PV + 0x818, 3);	/* nothing left to withdraw */
	CU_ASSERT_EQUAL(stats().bad_access, 1);
	fake_teardown(&s);
}

/* Translation without a shadow (guest memory) and with one agree; bad paths fail. */
static void
test_gva_to_gpa(void)
{
	uint64_t gpa = 0;

	up();
	build_tree(2);
	gw(PD + 8 * 5, E(0x400000) | PPGTT_PS);
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 0, 1) + 0x10, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, DATA(1) + 0x10);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 5, 0), &gpa), -EFAULT);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 0, 2), &gpa), -EFAULT);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, 1ull << 48, &gpa), -EFAULT);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, 0x7ff00000000ull, 4, 0, &gpa), -EFAULT);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 2, 0, &gpa), -EFAULT);
	CU_ASSERT_EQUAL(page_track_count(s.v), 0);	/* a lookup shadows nothing */
	pthread_mutex_unlock(&s.v->lock);
	submit(PML4, 4);
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 0, 1) + 0x10, &gpa), 0);
	CU_ASSERT_EQUAL(gpa, DATA(1) + 0x10);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 5, 0), &gpa), -EFAULT);
	pthread_mutex_unlock(&s.v->lock);
	/* A refused leaf is refused by the translation too. */
	gw(PT + 8 * 3, E(0x7ff00000000ull));
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 0, 3), &gpa), -EFAULT);
	pthread_mutex_unlock(&s.v->lock);
	fake_teardown(&s);
}

/*
 * While work of the vGPU may run, shadow pages of dropped tables stay
 * (the GPU may be walking them); they go once nothing is in flight.
 */
static void
test_deferred_free(void)
{
	uint64_t sh, mem, pd_sh;
	const uint64_t *t;

	up();
	build_tree(2);
	sh = submit(PML4, 4);
	mem = fake_pgpu(&s.dev)->mem_pages;
	/* The PD's shadow page, found as the GPU finds it. */
	t = fake_pgpu_mem_va(&s.dev, sh);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	t = fake_pgpu_mem_va(&s.dev, t[0] & ~0xfffull);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	pd_sh = t[0] & ~0xfffull;
	s.v->exec.eng[PGPU_BCS].submitted = 1;	/* in flight */
	gw(PDP, 0);
	CU_ASSERT(!wp(PD) && !wp(PT));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 2);
	CU_ASSERT_EQUAL(s.v->ppgtt.nr_retired, 2);
	CU_ASSERT_EQUAL(fake_pgpu(&s.dev)->mem_pages, mem);
	/* The GPU no longer reaches the PD, but its shadow still maps what it did. */
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 0, 0)));
	t = fake_pgpu_mem_va(&s.dev, pd_sh);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(t[0] & 1);
	s.v->exec.eng[PGPU_BCS].completed = 1;	/* done */
	CU_ASSERT_EQUAL(submit(PML4, 4), sh);
	CU_ASSERT_EQUAL(s.v->ppgtt.nr_retired, 0);
	CU_ASSERT_EQUAL(fake_pgpu(&s.dev)->mem_pages, mem - 2);
	CU_ASSERT_PTR_NULL(fake_pgpu_mem_va(&s.dev, pd_sh));
	fake_teardown(&s);
}

/*
 * Limits: tables beyond the budget are refused (not present, counted);
 * roots only seen in contexts are dropped, least recently submitted
 * first, to make room; an announced root never is.
 */
static void
test_budget_and_reclaim(void)
{
	uint64_t sh;

	up();
	s.v->ppgtt.max_tables = 8;
	build_tree(1);
	sh = submit(PML4, 4);			/* 4 tables */
	gw(PD + 8 * 1, E(PT2));
	gw(PDP + 8 * 1, E(PD2));
	gw(PDP + 8 * 2, E(DATA(50)));
	gw(PDP + 8 * 3, E(DATA(51)));
	gw(PDP + 8 * 4, E(DATA(52)));		/* the 9th table: no room */
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 8);
	CU_ASSERT_EQUAL(s.v->ppgtt.no_room, 1);
	CU_ASSERT(unmapped(sh, 4, gva(0, 4, 0, 0)));
	CU_ASSERT(!wp(DATA(52)));
	/* Back under 3/4 of the budget only by dropping the context root. */
	gw(PML4B, E(DATA(60)));
	submit(PML4B, 4);
	CU_ASSERT_EQUAL(s.v->ppgtt.roots_reclaimed, 1);
	CU_ASSERT(!wp(PML4));
	CU_ASSERT_EQUAL(ppgtt_nr_tables(s.v), 2);	/* PML4B, DATA(60) as its PDP */
	/* An announced root stays whatever the pressure. */
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_create_root(s.v, PML4B, 4), 0);
	pthread_mutex_unlock(&s.v->lock);
	s.v->ppgtt.max_tables = 3;
	submit(PML4, 4);	/* refused room: not reclaimed from the PV root */
	CU_ASSERT(wp(PML4B));
	CU_ASSERT_EQUAL(s.v->ppgtt.roots_reclaimed, 1);
	fake_teardown(&s);
}

/*
 * The hypervisor refuses: a table page that cannot be protected is not a
 * table (its entry refused); GPU memory exhausted likewise; a backend
 * without GPU memory still follows the tables but cannot submit.
 */
static void
test_failures(void)
{
	struct pgpu_ops noexec;
	const struct pgpu_ops *saved;
	uint64_t sh, gpa = 0;

	up();
	build_tree(1);
	sh = submit(PML4, 4);
	s.hv->fail_skip = 3;	/* read, write, the entry's gfn_to_dma pass; the protect fails */
	s.hv->fail_next = -EPERM;
	gw(PD + 8 * 1, E(PT2));
	CU_ASSERT(!wp(PT2));
	CU_ASSERT(unmapped(sh, 4, gva(0, 0, 1, 0)));
	CU_ASSERT_EQUAL(stats().ppgtt_bad, 1);
	CU_ASSERT_EQUAL(stats().wp_failed, 1);
	fake_pgpu(&s.dev)->mem_fail = ENOSPC;
	gw(PD + 8 * 2, E(PT2));
	CU_ASSERT(!wp(PT2));
	CU_ASSERT_EQUAL(stats().ppgtt_bad, 2);
	gw(PD + 8 * 3, E(PT2));	/* memory back: fine */
	CU_ASSERT(wp(PT2));
	fake_teardown(&s);

	up();
	build_tree(1);
	saved = s.gpu->dev.ops;
	noexec = *saved;
	noexec.mem_alloc = NULL;
	noexec.mem_free = NULL;
	s.gpu->dev.ops = &noexec;
	pv_pdp(0, PML4);
	fake_writel(s.v, PV + 0x818, 4);
	CU_ASSERT(wp(PML4) && wp(PT));
	pthread_mutex_lock(&s.v->lock);
	CU_ASSERT_EQUAL(ppgtt_shadow_for_submit(s.v, PML4, 4, &sh), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(ppgtt_gva_to_gpa(s.v, PML4, 4, gva(0, 0, 0, 0), &gpa), 0);
	CU_ASSERT_EQUAL(gpa, DATA(0));
	pthread_mutex_unlock(&s.v->lock);
	fake_writel(s.v, PV + 0x818, 5);
	CU_ASSERT(!wp(PML4) && !wp(PT));
	s.gpu->dev.ops = saved;
	fake_teardown(&s);
}

void suite_ppgtt(void);

void
suite_ppgtt(void)
{
	static const struct test_case cases[] = {
		{ "every level walked and protected", test_walk_all_levels },
		{ "map/unmap/remap at every level", test_map_unmap_remap },
		{ "shared tables refcounted, released pages unprotected", test_shared_refcount },
		{ "out-of-sync leaf resynced at submission", test_oos_resync },
		{ "out-of-sync page becoming a directory", test_oos_page_becomes_directory },
		{ "no write-protection: every table resynced per submission", test_resync_mode },
		{ "bad entries: not present, counted, one line", test_bad_entries },
		{ "10k page tables", test_10k_tables },
		{ "roots from PV info and from contexts", test_root_pv_and_context },
		{ "legacy 3-level roots", test_legacy_3level },
		{ "gva to gpa", test_gva_to_gpa },
		{ "shadow pages kept while the GPU may walk", test_deferred_free },
		{ "table budget and root reclaim", test_budget_and_reclaim },
		{ "hypervisor and memory failures", test_failures },
		{ NULL, NULL },
	};

	test_add_suite("ppgtt", cases);
}
