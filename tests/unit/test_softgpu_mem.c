/* SPDX-License-Identifier: MIT */
/*
 * test_softgpu_mem.c — softgpu's memory and registers: the GPU host pool
 * (zeroed, contiguous, above every domain's RAM, one owning process at a
 * time, stray frees harmless), domain RAM stopping below the pool, the
 * register file's rules (masked registers, IIR write-1-to-clear, the
 * RESET_CTL handshake, live timestamps), engines refusing work before
 * they are started.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <string.h>

#include "sim/softgpu/softgpu.h"
#include "sim/xensim.h"
#include "tests/test_util.h"
#include "tests/unit/sg_rig.h"

static void
test_pool(void)
{
	struct sg_rig r;
	uint64_t m[8], m2[3], used0;
	uint8_t *a, *b;
	bool zero = true;

	rig_open(&r);
	used0 = softgpu_mem_used(r.g);
	a = softgpu_mem_alloc(r.g, 8, m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	for (int i = 0; i < 8; i++) {
		CU_ASSERT_TRUE(m[i] >= XENSIM_GPU_POOL_MADDR);
		CU_ASSERT_TRUE(m[i] + 4096 <= XENSIM_GPU_POOL_MADDR + XENSIM_GPU_POOL_SIZE);
		CU_ASSERT_EQUAL(m[i], m[0] + 4096ull * i);
	}
	CU_ASSERT_PTR_EQUAL(softgpu_maddr_ptr(r.g, m[0], 4096), a);
	CU_ASSERT_EQUAL(softgpu_mem_used(r.g), used0 + 8);
	memset(a, 0xab, 8 * 4096);
	softgpu_mem_free(r.g, a, 8);
	CU_ASSERT_EQUAL(softgpu_mem_used(r.g), used0);
	/* Freed pages come back zeroed. */
	b = softgpu_mem_alloc(r.g, 3, m2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (int i = 0; i < 3 * 4096; i++)
		zero &= b[i] == 0;
	CU_ASSERT_TRUE(zero);
	/* A double free, a stray pointer, a zero count: nothing changes. */
	softgpu_mem_free(r.g, b, 3);
	softgpu_mem_free(r.g, b, 3);
	softgpu_mem_free(r.g, (uint8_t *)&zero, 1);
	softgpu_mem_free(r.g, b + 1, 1);
	CU_ASSERT_EQUAL(softgpu_mem_used(r.g), used0);
	errno = 0;
	CU_ASSERT_PTR_NULL(softgpu_mem_alloc(r.g, 0, m));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(softgpu_mem_alloc(r.g, (unsigned int)(XENSIM_GPU_POOL_SIZE / 4096) + 1, m));
	CU_ASSERT_EQUAL(errno, EINVAL);
	rig_close(&r);
}

/* One owner per machine: another handle gets EBUSY until the owner closes. */
static void
test_pool_owner(void)
{
	struct sg_rig r;
	struct softgpu *g2;
	uint64_t m;
	void *p;

	rig_open(&r);		/* its status pages made it the owner */
	g2 = softgpu_open(r.machine);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
	errno = 0;
	CU_ASSERT_PTR_NULL(softgpu_mem_alloc(g2, 1, &m));
	CU_ASSERT_EQUAL(errno, ENODEV);	/* not started */
	CU_ASSERT_EQUAL(softgpu_exec_start(g2), 0);
	CU_ASSERT_EQUAL(softgpu_exec_start(g2), 0);	/* idempotent */
	errno = 0;
	CU_ASSERT_PTR_NULL(softgpu_mem_alloc(g2, 1, &m));
	CU_ASSERT_EQUAL(errno, EBUSY);
	softgpu_close(r.g);
	p = softgpu_mem_alloc(g2, 1, &m);
	CU_ASSERT_PTR_NOT_NULL(p);
	softgpu_close(g2);
	test_machine_done(r.machine);
}

/* Domains fill machine RAM up to the pool and no further. */
static void
test_pool_above_domains(void)
{
	char mach[64];
	int dom, last = -1;
	unsigned int n = 0;
	uint64_t maddr;

	test_machine_new(mach, sizeof(mach));
	while ((dom = xensim_domain_create(mach, 3584, 1)) > 0) {
		last = dom;
		n++;
	}
	CU_ASSERT_EQUAL(dom, -ENOMEM);
	CU_ASSERT_TRUE(n >= 16);
	CU_ASSERT_TRUE(last > 0);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, (uint32_t)last, (3584ull << 8) - 1, &maddr), 0);
	CU_ASSERT_TRUE(maddr + 4096 <= XENSIM_GPU_POOL_MADDR);
	/* What is left below the pool still goes to a domain that fits. */
	CU_ASSERT_TRUE(xensim_domain_create(mach, 16, 1) > 0 ||
		       XENSIM_GPU_POOL_MADDR - (maddr + 4096) < (16ull << 20));
	test_machine_done(mach);
}

static void
test_registers(void)
{
	struct sg_rig r;
	uint32_t t1, t2;

	rig_open(&r);
	/* Masked: only the bits selected by the upper half change. */
	softgpu_mmio_write(r.g, 0x229c, 0xffff0000u | 0x8001);	/* bcs0 RING_MODE */
	softgpu_mmio_write(r.g, 0x229c, 0x00010000u);		/* clear bit 0 only */
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x229c), 0x8000);
	/* CSB read pointer (10:8), masked, the write pointer kept. */
	softgpu_mmio_write(r.g, 0x23a0, 0x07000000u | (2u << 8));
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x23a0), (2u << 8) | 5);
	/* RESET_CTL: a request is answered with ready-to-reset at once. */
	softgpu_mmio_write(r.g, 0x120d0, 0x00010001);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x120d0), 3);
	softgpu_mmio_write(r.g, 0x120d0, 0x00010000);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x120d0), 0);
	/* GT IIR: write 1 to clear. */
	softgpu_mmio_write(r.g, 0x44318, 0x5);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x44318), 0);
	/* A plain register is plain; the timestamp runs. */
	softgpu_mmio_write(r.g, 0x2600, 0xfeedf00d);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x2600), 0xfeedf00d);
	t1 = softgpu_mmio_read(r.g, 0x2358);
	t2 = t1;
	for (long i = 0; i < 100000000 && t2 == t1; i++)	/* 83 ns a tick */
		t2 = softgpu_mmio_read(r.g, 0x2358);
	CU_ASSERT_NOT_EQUAL(t1, t2);
	/* Unaligned or outside: all-ones, dropped. */
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 0x2601), 0xffffffffu);
	CU_ASSERT_EQUAL(softgpu_mmio_read(r.g, 2u << 20), 0xffffffffu);
	rig_close(&r);
}

/* Before softgpu_exec_start: no engines, no events, the aperture works as before. */
static void
test_not_started(void)
{
	char mach[64];
	struct softgpu *g;
	uint64_t d[2] = { 0x19, 0 }, m;
	struct softgpu_event ev;

	test_machine_new(mach, sizeof(mach));
	g = softgpu_open(mach);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(softgpu_submit(g, SOFTGPU_RCS, d), -ENODEV);
	CU_ASSERT_EQUAL(softgpu_engine_reset(g, SOFTGPU_RCS), -ENODEV);
	CU_ASSERT_EQUAL(softgpu_event_fd(g), -1);
	CU_ASSERT_EQUAL(softgpu_next_event(g, &ev), 0);
	CU_ASSERT_PTR_NULL(softgpu_maddr_ptr(g, 0, 1));
	softgpu_ggtt_write(g, 3, 0x123000 | 1);
	CU_ASSERT_EQUAL(softgpu_aperture_translate(g, 0x3008, &m), 0);
	CU_ASSERT_EQUAL(m, 0x123008);
	softgpu_close(g);
	/* A machine nobody made RAM for (the QEMU glue's): the GPU makes it. */
	test_machine_done(mach);
	g = softgpu_open(mach);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(softgpu_exec_start(g), 0);
	CU_ASSERT_PTR_NOT_NULL(softgpu_mem_alloc(g, 1, &m));
	softgpu_close(g);
	test_machine_done(mach);
}

void suite_softgpu_mem(void);

void
suite_softgpu_mem(void)
{
	static const struct test_case cases[] = {
		{ "pool: zeroed, contiguous, stray frees", test_pool },
		{ "pool: one owner at a time", test_pool_owner },
		{ "pool: above every domain's RAM", test_pool_above_domains },
		{ "register rules", test_registers },
		{ "engines not started; RAM made on start", test_not_started },
		{ NULL, NULL },
	};

	test_add_suite("softgpu_mem", cases);
}
