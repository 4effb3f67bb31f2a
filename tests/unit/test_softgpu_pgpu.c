/* SPDX-License-Identifier: MIT */
/*
 * test_softgpu_pgpu.c — the "softgpu" pgpu backend (dm/pgpu/softgpu.c) as
 * the mediator sees it: mem_alloc from the GPU host pool, a GGTT mapping,
 * a submission, its events through event_fd/next_event as struct
 * pgpu_event, a fault, engine_reset, mem_free.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "dm/pgpu/pgpu_list.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

/* The next event within 10 s, or a failure. */
static bool
next(struct pgpu_dev *d, struct pgpu_event *ev)
{
	for (int i = 0; i < 1000; i++) {
		struct pollfd p = { .fd = d->ops->event_fd(d->p), .events = POLLIN };

		if (d->ops->next_event(d->p, ev))
			return true;
		poll(&p, 1, 10);
	}
	CU_FAIL("no event from the softgpu backend");
	return false;
}

static void
test_adapter(void)
{
	char mach[64];
	struct pgpu_dev d;
	struct pgpu_event ev;
	uint64_t m[4], desc[2];
	uint32_t *img, *ring, *dst;
	uint8_t *va;

	test_machine_new(mach, sizeof(mach));
	CU_ASSERT_EQUAL_FATAL(softgpu_backend.open(mach, &d), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d.ops->mem_alloc);
	CU_ASSERT_TRUE(d.ops->event_fd(d.p) >= 0);
	/* Image (2 pages), ring, destination: 4 pool pages at GM 16 MiB. */
	va = d.ops->mem_alloc(d.p, 4, m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(va);
	CU_ASSERT_TRUE(m[0] >= XENSIM_GPU_POOL_MADDR);
	for (int i = 0; i < 4; i++)
		d.ops->ggtt_write(d.p, 4096 + i, m[i] | 1);
	img = (uint32_t *)(void *)va;
	ring = (uint32_t *)(void *)(va + 2 * 4096);
	dst = (uint32_t *)(void *)(va + 3 * 4096);
	img[1024 + 0x09] = (4096 + 2) << 12;			/* RING_START */
	img[1024 + 0x0b] = 1;					/* one page, enabled */
	memcpy(ring, (const uint32_t[]){ (0x20u << 23) | (1u << 22) | 2, (4096 + 3) << 12, 0, 0x5eed,
					 0x02u << 23, 0 }, 24);
	img[1024 + 0x07] = 24;					/* RING_TAIL */
	desc[0] = (42ull << 32) | (4096ull << 12) | (3 << 3) | 1;
	desc[1] = 0;
	CU_ASSERT_EQUAL(d.ops->submit(d.p, PGPU_BCS, desc), 0);
	CU_ASSERT_TRUE(next(&d, &ev));
	CU_ASSERT_EQUAL(ev.kind, PGPU_EV_CSB);
	CU_ASSERT_EQUAL(ev.engine, PGPU_BCS);
	CU_ASSERT_EQUAL(ev.status, 1u);				/* IDLE_ACTIVE */
	CU_ASSERT_EQUAL(ev.ctx_id, 42);
	CU_ASSERT_TRUE(next(&d, &ev));
	CU_ASSERT_EQUAL(ev.kind, PGPU_EV_USER);
	CU_ASSERT_TRUE(next(&d, &ev));
	CU_ASSERT_EQUAL(ev.kind, PGPU_EV_CSB);
	CU_ASSERT_EQUAL(ev.status, (1u << 4) | (1u << 3));	/* COMPLETE | ACTIVE_IDLE */
	CU_ASSERT_EQUAL(ev.ring_head, 24);
	CU_ASSERT_EQUAL(dst[0], 0x5eed);
	/* An unknown command: a fault, -EIO until engine_reset. */
	ring[6] = 0x1f800000;
	ring[7] = 0;
	img[1024 + 0x07] = 32;
	CU_ASSERT_EQUAL(d.ops->submit(d.p, PGPU_BCS, desc), 0);
	CU_ASSERT_TRUE(next(&d, &ev));	/* IDLE_ACTIVE */
	CU_ASSERT_TRUE(next(&d, &ev));
	CU_ASSERT_EQUAL(ev.kind, PGPU_EV_FAULT);
	CU_ASSERT_EQUAL(ev.fault, PGPU_FAULT_OPCODE);
	CU_ASSERT_EQUAL(ev.fault_addr, ((4096ull + 2) << 12) + 24);
	CU_ASSERT_EQUAL(d.ops->submit(d.p, PGPU_BCS, desc), -EIO);
	CU_ASSERT_EQUAL(d.ops->engine_reset(d.p, PGPU_BCS), 0);
	CU_ASSERT_EQUAL(d.ops->next_event(d.p, &ev), 0);
	d.ops->mem_free(d.p, va, 4);
	d.ops->close(d.p);
	test_machine_done(mach);
}

void suite_softgpu_pgpu(void);

void
suite_softgpu_pgpu(void)
{
	static const struct test_case cases[] = {
		{ "pgpu ops over softgpu", test_adapter },
		{ NULL, NULL },
	};

	test_add_suite("softgpu_pgpu", cases);
}
