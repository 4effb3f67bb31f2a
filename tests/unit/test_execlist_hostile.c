/* SPDX-License-Identifier: MIT */
/*
 * test_execlist_hostile.c — submissions a hostile guest makes
 * (mediator/exec/execlist.c, workload.c): each puts that vGPU in
 * failsafe with one log line naming why, queues nothing, and a
 * neighbour vGPU on the same GPU submits and completes as before.
 */
#include <string.h>

#include "tests/test_util.h"
#include "tests/unit/el_rig.h"

#define RCS PGPU_RCS
#define RCS_BASE 0x2000u

static struct fake_setup s;
static struct el_vm g, n;	/* the hostile guest, its neighbour */
static struct hv *nhv;
static struct vgpu *nv;

static void
up(void)
{
	CU_ASSERT_FATAL(fake_setup(&s, NULL) == 0);
	CU_ASSERT_FATAL(fake_vgpu_new(s.gpu, 2, NULL, true, &nhv, &nv) == 0);
	el_vm_init(&g, s.v, s.hv);
	el_vm_init(&n, nv, nhv);
	el_kicks_reset(s.gpu);
	el_ctx_build(&g, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
	el_ctx_build(&n, RCS, EL_CTX_A, EL_RING_A, 1, 0x0, 0x40);
}

static void
down(void)
{
	vgpu_destroy(nv);
	fake_hv_free(nhv);
	/* Every shadow object (workloads, PPGTT shadows) went back to the GPU's memory. */
	vgpu_destroy(s.v);
	s.v = NULL;
	CU_ASSERT_EQUAL(fake_pgpu(&s.dev)->mem_pages, 0);
	fake_teardown(&s);
}

/* The neighbour submits, runs and completes as if nothing happened. */
static void
assert_neighbour_fine(void)
{
	struct workload *w;

	el_elsp(nv, RCS, el_desc(&n, EL_CTX_A, 0x77), 0);
	CU_ASSERT_FALSE(nv->stats.failsafe);
	CU_ASSERT_EQUAL(el_csb_hwsp(&n, RCS, 0), 0x01);
	CU_ASSERT_EQUAL(nhv->nr_msi, 1);
	el_wreg(nv, 0x44308, ~0u);	/* its driver handles the interrupt */
	w = el_take(nv, RCS);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL_FATAL(el_prepare(nv, w), 0);
	el_finish(nv, w, WL_DONE, 0x40, true);
	CU_ASSERT_EQUAL(el_csb_hwsp(&n, RCS, 1), 0x18ull | 0x77ull << 32);
	CU_ASSERT_EQUAL(el_hwsp_wp(&n, RCS), 1);
	CU_ASSERT_EQUAL(el_mem(&n, EL_CTX_A + 4096)[CTX_REG_RING_HEAD], 0x40);
	CU_ASSERT_EQUAL(nv->irq.raised[EV_RCS_USER], 1);
	CU_ASSERT_EQUAL(nhv->nr_msi, 2);
}

/* d0/d1 through ELSP: failsafe with why, exactly one log line, nothing queued or signalled. */
static void
assert_refused(uint64_t d0, uint64_t d1, const char *why)
{
	uint64_t lines = log_lines();
	unsigned int msi = s.hv->nr_msi;

	el_elsp(s.v, RCS, d0, d1);
	CU_ASSERT_TRUE(s.v->stats.failsafe);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.v->stats.failsafe_reason, why));
	if (!strstr(s.v->stats.failsafe_reason, why))
		fprintf(stderr, "failsafe reason: \"%s\", wanted \"%s\"\n",
			s.v->stats.failsafe_reason, why);
	CU_ASSERT_EQUAL(log_lines() - lines, 1);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].queue, NULL);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].submitted, 0);
	CU_ASSERT_EQUAL(el_hwsp_wp(&g, RCS), 0);	/* no CSB entry */
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 0);
	CU_ASSERT_EQUAL(s.hv->nr_msi, msi);
	/* Failsafe: the registers read all-ones from now on. */
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_CSB_PTR), 0xffffffffu);
	assert_neighbour_fine();
}

static uint64_t
with_mode(uint64_t d, unsigned int mode)
{
	return (d & ~CTX_DESC_ADDR_MODE_MASK) | (uint64_t)mode << CTX_DESC_ADDR_MODE_SHIFT;
}

/* The LRCA names the neighbour's context image (its GM) or the host's GM. */
static void
test_lrca_outside(void)
{
	up();
	assert_refused(el_desc(&g, EL_CTX_A, 1) - g.gm + n.gm, 0, "outside its GM");
	down();
	up();
	assert_refused(el_desc(&g, EL_CTX_A, 1) - g.gm + 0x100000, 0, "outside its GM");
	down();
	/* The last pages of its GM, with the rest of a 22-page image past the end. */
	up();
	assert_refused(el_desc(&g, 0, 1) + s.v->part.high_base + s.v->part.high_size - 0x2000 - g.gm,
		       0, "outside its GM");
	down();
}

/* Addressing modes other than legacy 32/64-bit PPGTT. */
static void
test_bad_mode(void)
{
	static const unsigned int modes[] = { 0, 2 };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		up();
		assert_refused(with_mode(el_desc(&g, EL_CTX_A, 1), modes[i]), 0, "addressing mode");
		down();
	}
	/* A GGTT context: bit 8 clear. */
	up();
	assert_refused(el_desc(&g, EL_CTX_A, 1) & ~CTX_DESC_PRIVILEGE, 0, "not a PPGTT context");
	down();
}

/* The image's ring: in the neighbour's GM, unaligned, disabled, head past its end. */
static void
test_ring_outside(void)
{
	uint32_t *p1;

	up();
	p1 = el_mem(&g, EL_CTX_A + 4096);
	p1[CTX_REG_RING_START] = (uint32_t)(n.gm + EL_RING_A);
	assert_refused(el_desc(&g, EL_CTX_A, 1), 0, "outside its GM");
	down();
	up();
	p1 = el_mem(&g, EL_CTX_A + 4096);
	/* Starts inside, a 512-page ring runs past the end of its aperture share. */
	p1[CTX_REG_RING_START] = (uint32_t)(g.gm + s.v->part.low_size - 0x1000);
	p1[CTX_REG_RING_CTL] = (511u << 12) | RING_CTL_ENABLE;
	assert_refused(el_desc(&g, EL_CTX_A, 1), 0, "outside its GM");
	down();
	up();
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_START] += 0x10;
	assert_refused(el_desc(&g, EL_CTX_A, 1), 0, "not page aligned");
	down();
	up();
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_CTL] &= ~RING_CTL_ENABLE;
	assert_refused(el_desc(&g, EL_CTX_A, 1), 0, "not enabled");
	down();
	up();
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_TAIL] = 0x1000;
	assert_refused(el_desc(&g, EL_CTX_A, 1), 0, "past");
	down();
}

/* A bad submission on one engine: what the vGPU queued elsewhere never runs. */
static void
test_failsafe_drops_queues(void)
{
	up();
	el_ctx_build(&g, PGPU_BCS, EL_CTX_B, EL_RING_B, 1, 0x0, 0x40);
	el_elsp(s.v, PGPU_BCS, el_desc(&g, EL_CTX_B, 2), 0);
	CU_ASSERT_EQUAL(el_queued(s.v, PGPU_BCS), 1);
	el_elsp(s.v, RCS, with_mode(el_desc(&g, EL_CTX_A, 1), 0), 0);
	CU_ASSERT_TRUE(s.v->stats.failsafe);
	CU_ASSERT_EQUAL(el_queued(s.v, PGPU_BCS), 0);
	CU_ASSERT_EQUAL(s.v->exec.eng[PGPU_BCS].outstanding, 0);
	assert_neighbour_fine();
	down();
}

/* Malformed pairs: element 0 invalid, one context twice, an image not mapped. */
static void
test_bad_elements(void)
{
	uint64_t pte = 0;

	up();
	assert_refused(el_desc(&g, EL_CTX_A, 1) & ~CTX_DESC_VALID, el_desc(&g, EL_CTX_B, 2),
		       "not valid");
	down();
	up();
	assert_refused(el_desc(&g, EL_CTX_A, 1), el_desc(&g, EL_CTX_A, 2), "both elements");
	down();
	/* Element 1's image is in its GM but the guest never mapped that page. */
	up();
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, FAKE_BAR0 + 0x800000 +
					((g.gm + EL_CTX_B + 4096) >> 12) * 8, 8, &pte), 0);
	assert_refused(el_desc(&g, EL_CTX_A, 1), el_desc(&g, EL_CTX_B, 2), "not mapped");
	down();
	/* A PML4 that is no page. */
	up();
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_PDP_LDW(0)] |= 0x8;
	assert_refused(el_desc(&g, EL_CTX_A, 1), 0, "PDP0");
	down();
}

/*
 * Checked at the ELSP write, changed before dispatch: workload_prepare
 * reads the image again and refuses (the scheduler fails the vGPU); its
 * shadow objects go back whatever it built.
 */
static void
test_changed_before_dispatch(void)
{
	struct workload *w;

	up();
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 1), 0);
	CU_ASSERT_FALSE(s.v->stats.failsafe);
	el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_START] = (uint32_t)(n.gm + EL_RING_A);
	w = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL(el_prepare(s.v, w), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(w->why, "outside its GM"));
	/* The shadow context got as far as being allocated; the end frees it. */
	CU_ASSERT_PTR_NOT_NULL(w->shadow_ctx.va);
	el_finish(s.v, w, WL_FAILED, 0, false);
	CU_ASSERT(s.v->exec.eng[RCS].hung);
	assert_neighbour_fine();
	down();
}

/* A vGPU that went failsafe while its workload ran: the completion writes nothing. */
static void
test_complete_in_failsafe(void)
{
	static uint8_t hwsp[4096];
	struct workload *w;

	up();
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 1), 0);
	w = el_take(s.v, RCS);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT_EQUAL_FATAL(el_prepare(s.v, w), 0);
	vgpu_fail(s.v, "test");
	memcpy(hwsp, el_mem(&g, EL_HWSP(RCS)), sizeof(hwsp));
	el_finish(s.v, w, WL_DONE, 0x40, true);
	CU_ASSERT_EQUAL(memcmp(hwsp, el_mem(&g, EL_HWSP(RCS)), sizeof(hwsp)), 0);
	CU_ASSERT_EQUAL(el_mem(&g, EL_CTX_A + 4096)[CTX_REG_RING_HEAD], 3u << 21);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_USER], 0);
	CU_ASSERT_EQUAL(s.v->irq.raised[EV_RCS_CTX_SWITCH], 1);
	CU_ASSERT_EQUAL(s.v->exec.eng[RCS].outstanding, 0);
	assert_neighbour_fine();
	down();
}

/* A status page the guest never mapped: CSB in the registers only, counted, no failsafe. */
static void
test_hwsp_unmapped(void)
{
	uint64_t pte = 0;
	uint64_t bad;

	up();
	CU_ASSERT_EQUAL(vgpu_mem_access(s.v, true, FAKE_BAR0 + 0x800000 +
					((g.gm + EL_HWSP(RCS)) >> 12) * 8, 8, &pte), 0);
	bad = s.v->stats.bad_access;
	el_elsp(s.v, RCS, el_desc(&g, EL_CTX_A, 1), 0);
	CU_ASSERT_FALSE(s.v->stats.failsafe);
	CU_ASSERT_EQUAL(el_csb_reg(s.v, RCS, 0), 0x01);
	CU_ASSERT_EQUAL(s.v->stats.bad_access, bad + 1);
	CU_ASSERT(s.v->warned & (1ull << WARN_HWSP));
	CU_ASSERT_EQUAL(el_queued(s.v, RCS), 1);
	/* HWS_PGA outside its GM is refused at the register. */
	el_wreg(s.v, RCS_BASE + ENG_HWS_PGA, (uint32_t)(n.gm + EL_HWSP(RCS)));
	CU_ASSERT_EQUAL(el_reg(s.v, RCS_BASE + ENG_HWS_PGA), (uint32_t)(g.gm + EL_HWSP(RCS)));
	down();
}

void suite_execlist_hostile(void);
void
suite_execlist_hostile(void)
{
	static const struct test_case cases[] = {
		{ "LRCA outside its GM", test_lrca_outside },
		{ "addressing mode, GGTT context", test_bad_mode },
		{ "ring outside its GM, unaligned, disabled, past", test_ring_outside },
		{ "invalid element 0, twin, unmapped image, bad PML4", test_bad_elements },
		{ "failsafe drops the other engines' queues", test_failsafe_drops_queues },
		{ "image changed between ELSP and dispatch", test_changed_before_dispatch },
		{ "status page not mapped", test_hwsp_unmapped },
		{ "completion after failsafe writes nothing", test_complete_in_failsafe },
		{ NULL, NULL },
	};

	test_add_suite("execlist_hostile", cases);
}
