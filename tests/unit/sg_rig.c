/* SPDX-License-Identifier: MIT */
/*
 * sg_rig.c — the softgpu test rig (sg_rig.h).
 */
#include <CUnit/CUnit.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tests/unit/sg_rig.h"
#include "tests/test_util.h"

#define ENG_BASE(e) ((const uint32_t[]){ 0x2000, 0x22000, 0x12000, 0x1a000 }[e])

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
rig_open(struct sg_rig *r)
{
	memset(r, 0, sizeof(*r));
	test_machine_new(r->machine, sizeof(r->machine));
	r->g = softgpu_open(r->machine);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->g);
	CU_ASSERT_EQUAL_FATAL(softgpu_exec_start(r->g), 0);
	r->next_gma = 1ull << 20;
	rig_ppgtt_init(r, &r->mirror, 4);
	for (int e = 0; e < SOFTGPU_NR_ENGINES; e++) {
		rig_obj(r, 1, true, &r->hwsp[e]);
		softgpu_mmio_write(r->g, ENG_BASE(e) + 0x80, (uint32_t)r->hwsp[e].gma);
	}
}

void
rig_close(struct sg_rig *r)
{
	softgpu_close(r->g);
	test_machine_done(r->machine);
}

void
rig_ggtt_map(struct sg_rig *r, uint64_t gma, uint64_t maddr)
{
	softgpu_ggtt_write(r->g, gma >> 12, maddr | 1);
	rig_ppgtt_map(r, &r->mirror, gma, maddr);
}

void
rig_ggtt_unmap(struct sg_rig *r, uint64_t gma)
{
	softgpu_ggtt_write(r->g, gma >> 12, 0);
	*rig_ppgtt_entry(r, &r->mirror, gma, 12) = 0;
}

void
rig_obj(struct sg_rig *r, unsigned int npages, bool map, struct sg_obj *o)
{
	uint64_t maddr[npages];

	memset(o, 0, sizeof(*o));
	o->va = softgpu_mem_alloc(r->g, npages, maddr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o->va);
	o->maddr = maddr[0];
	o->npages = npages;
	if (!map)
		return;
	o->gma = r->next_gma;
	r->next_gma += (uint64_t)(npages + 1) * 4096; /* a hole after each object */
	for (unsigned int i = 0; i < npages; i++)
		rig_ggtt_map(r, o->gma + 4096ull * i, maddr[i]);
}

void
rig_ppgtt_init(struct sg_rig *r, struct sg_ppgtt *pp, unsigned int levels)
{
	struct sg_obj t;

	memset(pp, 0, sizeof(*pp));
	pp->levels = levels;
	for (unsigned int i = 0; i < (levels == 4 ? 1u : 4u); i++) {
		rig_obj(r, 1, false, &t);
		pp->pdp[i] = t.maddr;
	}
}

uint64_t *
rig_ppgtt_entry(struct sg_rig *r, struct sg_ppgtt *pp, uint64_t va, unsigned int shift)
{
	uint64_t table;
	unsigned int s;

	if (pp->levels == 4) {
		table = pp->pdp[0];
		s = 39;
	} else {
		table = pp->pdp[(va >> 30) & 3];
		s = 21;
	}
	for (;; s -= 9) {
		uint64_t *e = softgpu_maddr_ptr(r->g, table + ((va >> s) & 0x1ff) * 8, 8);

		if (s == shift)
			return e;
		if (!(*e & 1)) {
			struct sg_obj t;

			rig_obj(r, 1, false, &t);
			*e = t.maddr | 3;
		}
		table = *e & 0x00003ffffffff000ull;
	}
}

void
rig_ppgtt_map(struct sg_rig *r, struct sg_ppgtt *pp, uint64_t va, uint64_t maddr)
{
	*rig_ppgtt_entry(r, pp, va, 12) = maddr | 3;
}

uint32_t *
ctx_reg(struct sg_ctx *c, unsigned int i)
{
	return (uint32_t *)(void *)(c->img.va + 4096) + i;
}

void
rig_ctx(struct sg_rig *r, struct sg_ctx *c, uint32_t id, unsigned int ring_pages,
	const struct sg_ppgtt *pp)
{
	memset(c, 0, sizeof(*c));
	if (!pp)
		pp = &r->mirror;
	rig_obj(r, 2, true, &c->img);
	rig_obj(r, ring_pages, true, &c->ring);
	c->id = id;
	c->mode = pp->levels == 3 ? 1 : 3;
	*ctx_reg(c, 0x09) = (uint32_t)c->ring.gma;
	*ctx_reg(c, 0x0b) = ((ring_pages - 1) << 12) | 1;
	*ctx_reg(c, 0x05) = 0;
	*ctx_reg(c, 0x07) = 0;
	for (int i = 0; i < 4; i++) {
		*ctx_reg(c, 0x31 - 4 * i) = (uint32_t)(pp->pdp[i] >> 32);
		*ctx_reg(c, 0x33 - 4 * i) = (uint32_t)pp->pdp[i];
	}
}

void
ctx_emit(struct sg_ctx *c, const uint32_t *dw, unsigned int n)
{
	uint32_t size = c->ring.npages * 4096u;

	for (unsigned int i = 0; i < n + (n & 1); i++) {
		uint32_t v = i < n ? dw[i] : MI_NOOP;

		memcpy(c->ring.va + c->tail, &v, 4);
		c->tail = (c->tail + 4) % size;
	}
	*ctx_reg(c, 0x07) = c->tail;
}

uint64_t
ctx_desc(const struct sg_ctx *c)
{
	return (uint64_t)c->id << 32 | c->img.gma | (uint64_t)c->mode << 3 | 1;
}

int
rig_submit1(struct sg_rig *r, enum softgpu_engine e, const struct sg_ctx *c)
{
	uint64_t d[2] = { ctx_desc(c), 0 };

	return softgpu_submit(r->g, e, d);
}

int
rig_submit2(struct sg_rig *r, enum softgpu_engine e, const struct sg_ctx *a,
	    const struct sg_ctx *b)
{
	uint64_t d[2] = { ctx_desc(a), ctx_desc(b) };

	return softgpu_submit(r->g, e, d);
}

bool
rig_event(struct sg_rig *r, struct softgpu_event *ev)
{
	uint64_t deadline = now_ms() + RIG_WAIT_MS;

	for (;;) {
		struct pollfd p = { .fd = softgpu_event_fd(r->g), .events = POLLIN };
		uint64_t t;

		if (softgpu_next_event(r->g, ev))
			return true;
		t = now_ms();
		if (t >= deadline)
			break;
		poll(&p, 1, (int)(deadline - t));
	}
	CU_FAIL("no softgpu event within RIG_WAIT_MS");
	return false;
}

void
rig_expect_csb(struct sg_rig *r, enum softgpu_engine e, uint32_t status, uint32_t ctx)
{
	struct softgpu_event ev;

	if (!rig_event(r, &ev))
		return;
	CU_ASSERT_EQUAL(ev.kind, SOFTGPU_EV_CSB);
	CU_ASSERT_EQUAL(ev.engine, e);
	CU_ASSERT_EQUAL(ev.status, status);
	CU_ASSERT_EQUAL(ev.ctx_id, ctx);
	if (ev.kind != SOFTGPU_EV_CSB || ev.status != status || ev.ctx_id != ctx)
		fprintf(stderr, "\n    event kind %d engine %d status 0x%x ctx %u (want 0x%x %u)\n",
			ev.kind, ev.engine, ev.status, ev.ctx_id, status, ctx);
}

void
rig_expect_run(struct sg_rig *r, enum softgpu_engine e, uint32_t ctx)
{
	rig_expect_csb(r, e, SOFTGPU_CSB_IDLE_ACTIVE, ctx);
	rig_expect_csb(r, e, SOFTGPU_CSB_COMPLETE | SOFTGPU_CSB_ACTIVE_IDLE, ctx);
}

struct softgpu_event
rig_expect_fault(struct sg_rig *r, enum softgpu_engine e, uint32_t kind)
{
	struct softgpu_event ev = { 0 };

	/* An idle engine reports IDLE_ACTIVE before the context runs into its fault. */
	while (rig_event(r, &ev) && ev.kind == SOFTGPU_EV_CSB &&
	       ev.status == SOFTGPU_CSB_IDLE_ACTIVE)
		;
	CU_ASSERT_EQUAL(ev.kind, SOFTGPU_EV_FAULT);
	CU_ASSERT_EQUAL(ev.engine, e);
	CU_ASSERT_EQUAL(ev.fault, kind);
	if (ev.kind != SOFTGPU_EV_FAULT || ev.fault != kind) {
		struct softgpu_engine_stats st;

		softgpu_engine_stats(r->g, e, &st);
		fprintf(stderr, "\n    event kind %d fault %u (want %u): %s\n", ev.kind, ev.fault,
			kind, st.last_fault);
	}
	return ev;
}

bool
rig_no_event(struct sg_rig *r)
{
	struct softgpu_event ev;

	return !softgpu_next_event(r->g, &ev);
}

bool
rig_wait_sem(struct sg_rig *r, enum softgpu_engine e, uint64_t n)
{
	uint64_t deadline = now_ms() + RIG_WAIT_MS;
	struct softgpu_engine_stats st;

	do {
		softgpu_engine_stats(r->g, e, &st);
		if (st.sem_waits >= n)
			return true;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	} while (now_ms() < deadline);
	CU_FAIL("engine never polled its semaphore");
	return false;
}
