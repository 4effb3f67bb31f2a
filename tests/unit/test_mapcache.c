/* SPDX-License-Identifier: MIT */
/*
 * test_mapcache.c — xen-glue's guest-memory mapping cache (mapcache.c)
 * over libxensim: a private machine and domain, the glue attached to it in
 * this process, copies checked against the guest's RAM as the sim holds it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xensim.h"
#include "tests/test_util.h"
#include "xen-glue/glue_int.h"

#define MC_RAM_MB 17	/* 8 whole chunks and a partial one */
#define MC_RAM_BYTES ((uint64_t)MC_RAM_MB << 20)
#define CHUNK_BYTES ((uint64_t)MAPCACHE_CHUNK_PAGES << 12)

struct mc {
	char machine[64];
	int domid;
	struct hv *hv;
	struct sim_vcpu *c;
};

static bool
mc_start(struct mc *m)
{
	struct glue_config cfg = { .bufioreq = GLUE_BUFIOREQ_OFF,
				   .aperture_maddr = XENSIM_APERTURE_MADDR };
	char err[128];

	memset(m, 0, sizeof(*m));
	test_machine_new(m->machine, sizeof(m->machine));
	setenv("XENSIM_MACHINE", m->machine, 1);
	m->domid = xensim_domain_create(m->machine, MC_RAM_MB, 1);
	CU_ASSERT_TRUE_FATAL(m->domid > 0);
	cfg.domid = (uint32_t)m->domid;
	if (ioreq_server_attach(&cfg, &m->hv, err, sizeof(err))) {
		CU_FAIL(err);
		return false;
	}
	CU_ASSERT_EQUAL(xensim_domain_unpause(m->machine, (uint32_t)m->domid), 0);
	m->c = sim_vcpu_attach(m->machine, (uint32_t)m->domid, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->c);
	return true;
}

static void
mc_stop(struct mc *m)
{
	if (m->c)
		sim_vcpu_detach(m->c);
	if (m->hv)
		ioreq_server_detach(m->hv);
	test_machine_done(m->machine);
}

/* The guest's own view of its RAM (the sim's memfd), not through the cache. */
static uint8_t *
ram(struct mc *m, uint64_t gpa, size_t len)
{
	uint8_t *p = sim_guest_ram(m->c, gpa, len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

/* Chunks mapped now. */
static unsigned int
chunks(struct hv *hv)
{
	unsigned int n;

	pthread_mutex_lock(&hv->lock);
	n = hv->mc.n;
	pthread_mutex_unlock(&hv->lock);
	return n;
}

/* Writes and reads that cross page boundaries, through the hv op and directly. */
static const uint8_t big_zero[0x1010];

static void
test_cross_page(void)
{
	uint8_t pat[300], back[300];
	struct mc m;

	if (!mc_start(&m))
		goto out;
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)(i * 7 + 1);
	memset(ram(&m, 0x1f00, 0x200), 0, 0x200);
	CU_ASSERT_EQUAL(hv_xen_ops.write_gpa(m.hv, 0x1f80, pat, sizeof(pat)), 0);
	CU_ASSERT_EQUAL(memcmp(ram(&m, 0x1f80, sizeof(pat)), pat, sizeof(pat)), 0);
	CU_ASSERT_EQUAL(ram(&m, 0x1f7f, 1)[0], 0);	/* nothing before ... */
	CU_ASSERT_EQUAL(ram(&m, 0x1f80 + sizeof(pat), 1)[0], 0);	/* ... or after */
	/* The guest changes a byte on the second page; the cache sees it (shared). */
	ram(&m, 0x2010, 1)[0] = 0xee;
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, 0x1f80, back, sizeof(back), false), 0);
	CU_ASSERT_EQUAL(back[0x90], 0xee);
	back[0x90] = pat[0x90];
	CU_ASSERT_EQUAL(memcmp(back, pat, sizeof(pat)), 0);
	/* The last byte of RAM, and a copy ending exactly there. */
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, MC_RAM_BYTES - 1, pat, 1, true), 0);
	CU_ASSERT_EQUAL(ram(&m, MC_RAM_BYTES - 1, 1)[0], pat[0]);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, MC_RAM_BYTES - 0x1010, (void *)(uintptr_t)big_zero, 0x1010, true), 0);
	CU_ASSERT_EQUAL(ram(&m, MC_RAM_BYTES - 1, 1)[0], 0);
out:
	mc_stop(&m);
}

/*
 * A sweep over 4096 pages maps each 2 MiB chunk once; a second sweep maps
 * and unmaps nothing (no TLB flush of the daemon's other threads).
 */
static void
test_steady_sweep(void)
{
	struct mc m;
	uint64_t maps = 0;

	if (!mc_start(&m))
		goto out;
	for (int sweep = 0; sweep < 2; sweep++) {
		if (sweep == 1)
			maps = m.hv->mc.maps;
		for (unsigned int i = 0; i < 4096; i++) {
			uint64_t v = 0x5a5a0000ull + i + sweep;

			CU_ASSERT_EQUAL(mapcache_copy(m.hv, (uint64_t)i * 4096 + 16, &v, 8, true), 0);
		}
	}
	CU_ASSERT_EQUAL(maps, 4096 / MAPCACHE_CHUNK_PAGES);
	CU_ASSERT_EQUAL(m.hv->mc.maps, maps);
	CU_ASSERT_EQUAL(m.hv->mc.unmaps, 0);
	CU_ASSERT_EQUAL(chunks(m.hv), 4096 / MAPCACHE_CHUNK_PAGES);
	for (unsigned int i = 0; i < 4096; i += 511) {
		uint64_t got;

		memcpy(&got, ram(&m, (uint64_t)i * 4096 + 16, 8), 8);
		CU_ASSERT_EQUAL(got, 0x5a5a0001ull + i);
	}
out:
	mc_stop(&m);
}

/*
 * More chunks than the budget: the least recently used quarter goes in
 * one batch, and every value still lands on, and comes from, the right page.
 */
static void
test_eviction(void)
{
	const unsigned int npages = (unsigned int)(MC_RAM_BYTES >> 12);
	static uint8_t big[3 * CHUNK_BYTES], back[3 * CHUNK_BYTES];
	struct mc m;

	if (!mc_start(&m))
		goto out;
	m.hv->mc.max = 4;
	for (unsigned int i = 0; i < npages; i++) {
		uint64_t v = 0xa5a50000ull + i;

		CU_ASSERT_EQUAL(mapcache_copy(m.hv, (uint64_t)i * 4096 + 8, &v, 8, true), 0);
	}
	/* 9 chunks through a budget of 4: each eviction drops one (a quarter of 4). */
	CU_ASSERT_EQUAL(m.hv->mc.maps, 9);
	CU_ASSERT_EQUAL(m.hv->mc.evictions, 5);
	CU_ASSERT_EQUAL(m.hv->mc.unmaps, 5);
	CU_ASSERT_EQUAL(chunks(m.hv), 4);
	for (unsigned int i = 0; i < npages; i++) {
		uint64_t got = 0, want = 0xa5a50000ull + i;

		CU_ASSERT_EQUAL(mapcache_copy(m.hv, (uint64_t)i * 4096 + 8, &got, 8, false), 0);
		CU_ASSERT_EQUAL(got, want);
		memcpy(&got, ram(&m, (uint64_t)i * 4096 + 8, 8), 8);
		CU_ASSERT_EQUAL(got, want);
	}
	CU_ASSERT(chunks(m.hv) <= 4);
	/* The least recently used go: chunk 0 is touched, then 5 more are mapped. */
	m.hv->mc.max = 8;
	mapcache_flush(m.hv);
	for (unsigned int c = 0; c < 8; c++)
		CU_ASSERT_EQUAL(mapcache_copy(m.hv, c * CHUNK_BYTES, back, 8, false), 0);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, 0, back, 8, false), 0);	/* chunk 0: recent */
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, 8 * CHUNK_BYTES, back, 8, false), 0); /* evicts 2 */
	pthread_mutex_lock(&m.hv->lock);
	CU_ASSERT_EQUAL(m.hv->mc.n, 7);
	m.hv->mc.last = NULL;
	{
		uint64_t maps = m.hv->mc.maps;

		CU_ASSERT_PTR_NOT_NULL(mapcache_get(m.hv, 0));	/* kept */
		CU_ASSERT_EQUAL(m.hv->mc.maps, maps);
		CU_ASSERT_PTR_NOT_NULL(mapcache_get(m.hv, MAPCACHE_CHUNK_PAGES)); /* evicted */
		CU_ASSERT_EQUAL(m.hv->mc.maps, maps + 1);
	}
	pthread_mutex_unlock(&m.hv->lock);
	/* One copy across three chunks, with a budget of two: all of it right. */
	m.hv->mc.max = 2;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i ^ (i >> 12));
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, 0x200800, big, sizeof(big), true), 0);
	CU_ASSERT_EQUAL(memcmp(ram(&m, 0x200800, sizeof(big)), big, sizeof(big)), 0);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, 0x200800, back, sizeof(back), false), 0);
	CU_ASSERT_EQUAL(memcmp(back, big, sizeof(big)), 0);
out:
	mc_stop(&m);
}

/*
 * The aperture direct-mapped over RAM the cache had mapped: the glue drops
 * that chunk, so the page is no longer RAM to it (the old page is not
 * reached); pages beside it still are. Removing the map leaves a hole.
 */
static void
test_aperture_over_ram(void)
{
	const uint64_t gfn = 0x123;
	uint64_t v = 0x77, got = 0;
	struct mc m;

	if (!mc_start(&m))
		goto out;
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, gfn << 12, &v, 8, true), 0);
	CU_ASSERT_EQUAL(hv_xen_ops.map_aperture(m.hv, gfn, 0, 2, true), 0);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, gfn << 12, &got, 8, false), -EFAULT);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, (gfn + 1) << 12, &got, 8, false), -EFAULT);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, (gfn + 2) << 12, &got, 8, false), 0);
	CU_ASSERT_EQUAL(hv_xen_ops.map_aperture(m.hv, gfn, 0, 2, false), 0);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, gfn << 12, &got, 8, false), -EFAULT);
	/* A range of chunks never mapped: nothing to drop, nothing mapped. */
	pthread_mutex_lock(&m.hv->lock);
	{
		unsigned int n = m.hv->mc.n;

		mapcache_forget(m.hv, 0x100000, 1ull << 30);
		mapcache_forget(m.hv, ~0ull, 2);	/* wraps: ignored */
		CU_ASSERT_EQUAL(m.hv->mc.n, n);
		mapcache_forget(m.hv, 0, 1);
		CU_ASSERT_EQUAL(m.hv->mc.n, n - 1);
	}
	pthread_mutex_unlock(&m.hv->lock);
out:
	mc_stop(&m);
}

/* Outside RAM: -EFAULT, and not one byte written of the part that is RAM. */
static void
test_outside_ram(void)
{
	uint8_t buf[64];
	uint64_t v = 0;
	struct mc m;

	if (!mc_start(&m))
		goto out;
	memset(buf, 0x5a, sizeof(buf));
	memset(ram(&m, MC_RAM_BYTES - 32, 32), 0x11, 32);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, MC_RAM_BYTES - 32, buf, sizeof(buf), true), -EFAULT);
	for (unsigned int i = 0; i < 32; i++)
		CU_ASSERT_EQUAL(ram(&m, MC_RAM_BYTES - 32 + i, 1)[0], 0x11);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, MC_RAM_BYTES, &v, 8, false), -EFAULT);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, 0xe0000000, &v, 8, true), -EFAULT);
	CU_ASSERT_EQUAL(hv_xen_ops.read_gpa(m.hv, MC_RAM_BYTES + 0x1000, &v, 4), -EFAULT);
	pthread_mutex_lock(&m.hv->lock);
	CU_ASSERT_PTR_NULL(mapcache_get(m.hv, MC_RAM_BYTES >> 12));
	CU_ASSERT_FALSE(mapcache_is_ram(m.hv, MC_RAM_BYTES - 8, MC_RAM_BYTES + 8));
	CU_ASSERT_TRUE(mapcache_is_ram(m.hv, 0, MC_RAM_BYTES - 1));
	pthread_mutex_unlock(&m.hv->lock);
	/* A short read that fails leaves the caller's buffer alone too. */
	memset(buf, 0x5a, sizeof(buf));
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, MC_RAM_BYTES - 32, buf, sizeof(buf), false), -EFAULT);
	CU_ASSERT_EQUAL(buf[0], 0x5a);
out:
	mc_stop(&m);
}

/* gpa + len past 2^64 is refused before any mapping. */
static void
test_wrap(void)
{
	uint8_t buf[16] = { 0 };
	struct mc m;

	if (!mc_start(&m))
		goto out;
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, ~0ull - 3, buf, 8, true), -EFAULT);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, ~0ull, buf, 2, false), -EFAULT);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, 0xfffffffffffff000ull, buf, 0x1000, false), -EFAULT);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, ~0ull, buf, 0, true), 0);	/* nothing to do */
	CU_ASSERT_EQUAL(chunks(m.hv), 0);
out:
	mc_stop(&m);
}

struct loop_arg {
	struct hv *hv;
	atomic_int stop;
};

/* The domain's ioreq thread, as dm/ runs it: poll, then one run of the loop. */
static void *
loop_thread(void *p)
{
	struct loop_arg *a = p;
	struct pollfd pfd = { .fd = ioreq_server_fd(a->hv), .events = POLLIN };

	while (!atomic_load(&a->stop))
		if (poll(&pfd, 1, 20) > 0 && (pfd.revents & POLLIN))
			ioreq_loop_run_once(a->hv);
	return NULL;
}

/* INVALIDATE (the guest's p2m shrank) empties the cache; later copies re-map. */
static void
test_invalidate_flush(void)
{
	struct loop_arg la;
	struct glue_stats st;
	pthread_t t;
	uint64_t v = 0x0123456789abcdefull, got = 0;
	struct mc m;

	if (!mc_start(&m))
		goto out;
	for (unsigned int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(mapcache_copy(m.hv, (uint64_t)i * CHUNK_BYTES, &v, 8, true), 0);
	CU_ASSERT_EQUAL(chunks(m.hv), 3);
	la.hv = m.hv;
	atomic_init(&la.stop, 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, loop_thread, &la), 0);
	CU_ASSERT_EQUAL(sim_broadcast_invalidate(m.c), 0);	/* returns once answered */
	atomic_store(&la.stop, 1);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(chunks(m.hv), 0);
	CU_ASSERT_EQUAL(m.hv->mc.unmaps, 3);
	ioreq_server_get_stats(m.hv, &st);
	CU_ASSERT_EQUAL(st.by_kind[IOK_INVALIDATE], 1);
	/* Re-mapped on demand, and the data is the guest's. */
	memcpy(ram(&m, 0x3000, 8), &(uint64_t){ 0x77 }, 8);
	CU_ASSERT_EQUAL(mapcache_copy(m.hv, 0x3000, &got, 8, false), 0);
	CU_ASSERT_EQUAL(got, 0x77);
	CU_ASSERT_EQUAL(chunks(m.hv), 1);
	pthread_mutex_lock(&m.hv->lock);
	CU_ASSERT_PTR_NOT_NULL(m.hv->mc.last);
	if (m.hv->mc.last)
		CU_ASSERT_EQUAL(m.hv->mc.last->idx, 0);
	pthread_mutex_unlock(&m.hv->lock);
out:
	mc_stop(&m);
}

void suite_mapcache(void);
void
suite_mapcache(void)
{
	static const struct test_case cases[] = {
		{ "cross_page", test_cross_page },
		{ "steady_sweep_maps_once", test_steady_sweep },
		{ "eviction", test_eviction },
		{ "aperture_over_ram_dropped", test_aperture_over_ram },
		{ "outside_ram_no_partial_write", test_outside_ram },
		{ "wrap_refused", test_wrap },
		{ "invalidate_flush_remap", test_invalidate_flush },
		{ NULL, NULL },
	};

	test_add_suite("mapcache", cases);
}
