/* SPDX-License-Identifier: MIT */
/*
 * test_glue_unhooked.c — xen-glue with no vGPU behind it (the window of a
 * detach between unhooking the vGPU and unprotecting its pages), over
 * libxensim: a guest store to a page the glue still write-protects must
 * land in guest RAM, by a plain store or by a rep read from a device
 * into it, since Xen never performs that store itself.
 */
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xensim.h"
#include "tests/test_util.h"
#include "xen-glue/glue_int.h"

#define PAGE_GPA 0x30000ull
#define NULL_GPA 0xf0000000ull	/* the glue's null-MMIO page: a device that reads 0 */

struct rig {
	char machine[64];
	struct hv *hv;
	struct sim_vcpu *c;
	pthread_t thread;
	int stop;
};

/* The domain's thread, reduced to its loop: answer whatever fires. */
static void *
serve(void *arg)
{
	struct rig *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd p = { .fd = ioreq_server_fd(r->hv), .events = POLLIN };

		if (poll(&p, 1, 10) > 0)
			ioreq_loop_run_once(r->hv);
	}
	return NULL;
}

static bool
rig_up(struct rig *r)
{
	struct glue_config cfg = { .bufioreq = GLUE_BUFIOREQ_OFF, .null_mmio_gpa = NULL_GPA };
	char err[128];
	int domid;

	memset(r, 0, sizeof(*r));
	domid = test_domain_new(r->machine, sizeof(r->machine), 1);
	cfg.domid = (uint32_t)domid;
	if (ioreq_server_attach(&cfg, &r->hv, err, sizeof(err))) {
		CU_FAIL(err);
		return false;
	}
	CU_ASSERT_EQUAL(xensim_domain_unpause(r->machine, (uint32_t)domid), 0);
	r->c = sim_vcpu_attach(r->machine, (uint32_t)domid, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r->c);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&r->thread, NULL, serve, r), 0);
	/* Protected by the glue (as page tracking left it), no vGPU hooked. */
	CU_ASSERT_EQUAL_FATAL(hv_xen_ops.wp_gfn(r->hv, PAGE_GPA >> 12, true), 0);
	return true;
}

static void
rig_down(struct rig *r)
{
	if (r->hv) {
		__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
		pthread_join(r->thread, NULL);
	}
	if (r->c)
		sim_vcpu_detach(r->c);
	if (r->hv)
		ioreq_server_detach(r->hv);
	test_machine_done(r->machine);
}

static uint64_t
ram64(struct rig *r, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, sim_guest_ram(r->c, gpa, 8), 8);
	return v;
}

static void
test_store_lands(void)
{
	uint64_t routes[ROUTE_NR], after[ROUTE_NR];
	struct rig r;

	if (!rig_up(&r))
		goto out;
	CU_ASSERT_EQUAL(xensim_route_counts(r.machine, 1, routes), 0);
	CU_ASSERT_EQUAL(sim_mem_write(r.c, PAGE_GPA + 0x18, 8, 0x1122334455667788ull), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(r.machine, 1, after), 0);
	CU_ASSERT_EQUAL(after[ROUTE_WP_WRITE_IOREQ], routes[ROUTE_WP_WRITE_IOREQ] + 1);
	CU_ASSERT_EQUAL(ram64(&r, PAGE_GPA + 0x18), 0x1122334455667788ull);
out:
	rig_down(&r);
}

/* rep movsq from the (null) device into the protected page: every item lands. */
static void
test_rep_read_lands(void)
{
	struct rig r;

	if (!rig_up(&r))
		goto out;
	memset(sim_guest_ram(r.c, PAGE_GPA + 0x100, 32), 0xee, 32);
	CU_ASSERT_EQUAL(sim_rep(r.c, false, false, NULL_GPA, PAGE_GPA + 0x100, 8, 4, false), 0);
	for (unsigned int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(ram64(&r, PAGE_GPA + 0x100 + 8 * i), 0);
out:
	rig_down(&r);
}

void suite_glue_unhooked(void);
void
suite_glue_unhooked(void)
{
	static const struct test_case cases[] = {
		{ "a store to a protected page lands with no vGPU", test_store_lands },
		{ "a rep read into a protected page lands with no vGPU", test_rep_read_lands },
		{ NULL, NULL },
	};

	test_add_suite("glue_unhooked", cases);
}
