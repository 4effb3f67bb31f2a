/* SPDX-License-Identifier: MIT */
/*
 * engine.c — an engine under execlists as i915 drives one on Gen9
 * (gt/intel_execlists_submission.c): the global status page and its CSB
 * pointers (reset value 5), RING_MODE, interrupts (engine IMR, its GT
 * bank, the master), ELSP's four dword writes, and the completion path:
 * the MSI, the GT bank's IIR acked as an interrupt handler does, the CSB
 * entries read from the status page and the read pointer written back.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "sim/xensim.h"
#include "util.h"

/* The GT bank and bit shift of an engine's 16 interrupt bits (docs/execution.md). */
static const struct {
	unsigned int bank, shift;
} eng_irq[G9_NR_ENGINES] = {
	[G9_RCS] = { 0, 0 }, [G9_BCS] = { 0, 16 }, [G9_VCS] = { 1, 0 }, [G9_VECS] = { 3, 0 },
};

static volatile uint32_t *
hwsp(const struct gengine *eng)
{
	return eng->hwsp.cpu;
}

static uint32_t
hwsp_dw(const struct gengine *eng, unsigned int i)
{
	return __atomic_load_n(&hwsp(eng)[i], __ATOMIC_ACQUIRE);
}

int
gengine_init(struct gdev *g, enum g9_engine e, struct gengine *eng)
{
	uint32_t base = g9_engine_base(e), bits, imr, ier;
	unsigned int bank;
	int rc;

	memset(eng, 0, sizeof(*eng));
	if ((unsigned int)e >= G9_NR_ENGINES)
		return gfail(g, -EINVAL, "no engine %d", (int)e);
	eng->g = g;
	eng->id = e;
	eng->base = base;
	bank = eng_irq[e].bank;
	bits = (GT_USER_INTERRUPT | GT_CONTEXT_SWITCH) << eng_irq[e].shift;
	rc = gobj_new(g, G9_PAGE, false, &eng->hwsp);
	if (rc)
		return rc;
	/* i915 reset_csb_pointers: the write pointer at its reset value, so slot 0 is next. */
	hwsp(eng)[HWSP_CSB_WRITE_INDEX] = CSB_RESET_PTR;
	for (unsigned int i = 0; i < CSB_ENTRIES; i++)
		hwsp(eng)[HWSP_CSB_INDEX + 2 * i] = hwsp(eng)[HWSP_CSB_INDEX + 2 * i + 1] = ~0u;
	eng->csb_read = CSB_RESET_PTR;
	if ((rc = gdev_writel(g, base + ENG_HWSTAM, ~0u)) ||
	    (rc = gdev_writel(g, base + ENG_MODE, MASKED_SET(RING_MODE_EXECLIST))) ||
	    (rc = gdev_writel(g, base + ENG_MI_MODE, MASKED_CLEAR(MI_MODE_STOP_RING))) ||
	    (rc = gdev_writel(g, base + ENG_HWS_PGA, (uint32_t)eng->hwsp.gma)) ||
	    (rc = gdev_writel(g, base + ENG_CSB_PTR,
			      0xffffu << 16 | CSB_RESET_PTR << 8 | CSB_RESET_PTR)) ||
	    (rc = gdev_writel(g, base + ENG_IMR, ~(GT_USER_INTERRUPT | GT_CONTEXT_SWITCH))) ||
	    (rc = gdev_readl(g, GT_IMR(bank), &imr)) ||
	    (rc = gdev_writel(g, GT_IMR(bank), imr & ~bits)) ||
	    (rc = gdev_readl(g, GT_IER(bank), &ier)) ||
	    (rc = gdev_writel(g, GT_IER(bank), ier | bits)) ||
	    (rc = gdev_writel(g, IRQ_MASTER, IRQ_MASTER_ENABLE)))
		return rc;
	return 0;
}

int
gengine_submit(struct gengine *eng, struct gctx *c0, struct gctx *c1)
{
	struct gdev *g = eng->g;
	uint64_t d1 = c1 ? c1->desc : 0;
	uint32_t elsp = eng->base + ENG_ELSP;
	int rc;

	if (!c0 || c0->engine != eng->id || (c1 && c1->engine != eng->id))
		return gfail(g, -EINVAL, "submit: context of another engine");
	/* Element 1 upper, lower, then element 0 upper, lower: the fourth submits. */
	if ((rc = gdev_writel(g, elsp, (uint32_t)(d1 >> 32))) ||
	    (rc = gdev_writel(g, elsp, (uint32_t)d1)) ||
	    (rc = gdev_writel(g, elsp, (uint32_t)(c0->desc >> 32))) ||
	    (rc = gdev_writel(g, elsp, (uint32_t)c0->desc)))
		return rc;
	eng->submits++;
	return 0;
}

/* The interrupt handler: master off, ack the GT bank, master on. */
static int
handle_irq(struct gengine *eng)
{
	struct gdev *g = eng->g;
	unsigned int bank = eng_irq[eng->id].bank;
	uint32_t iir;
	int rc;

	if ((rc = gdev_writel(g, IRQ_MASTER, 0)) || (rc = gdev_readl(g, GT_IIR(bank), &iir)) ||
	    (iir && (rc = gdev_writel(g, GT_IIR(bank), iir))) ||
	    (rc = gdev_writel(g, IRQ_MASTER, IRQ_MASTER_ENABLE)))
		return rc;
	g->gt_iir_seen[bank] |= iir;
	return 0;
}

/*
 * Take the CSB entries written since the last look (*seen counts them);
 * true if ctx_id completed.
 */
static bool
take_csb(struct gengine *eng, uint32_t ctx_id, struct gcsb *csb, unsigned int max,
	 unsigned int *n, unsigned int *seen, int *rc)
{
	uint32_t wp = hwsp_dw(eng, HWSP_CSB_WRITE_INDEX);
	bool done = false;

	*rc = 0;
	if (wp >= CSB_ENTRIES) {
		*rc = gfail(eng->g, -EPROTO, "CSB write pointer %u out of range", wp);
		return false;
	}
	while (eng->csb_read != wp) {
		struct gcsb e;

		eng->csb_read = (eng->csb_read + 1) % CSB_ENTRIES;
		e.status = hwsp_dw(eng, HWSP_CSB_INDEX + 2 * eng->csb_read);
		e.ctx_id = hwsp_dw(eng, HWSP_CSB_INDEX + 2 * eng->csb_read + 1);
		(*seen)++;
		eng->csb_entries++;
		if (eng->nlog < sizeof(eng->log) / sizeof(eng->log[0]))
			eng->log[eng->nlog++] = e;
		if (csb && *n < max)
			csb[(*n)++] = e;
		if (e.status & CSB_COMPLETE) {
			eng->completes++;
			done |= e.ctx_id == ctx_id;
		}
		/* The read pointer the guest owns: a masked write of bits 10:8. */
		*rc = gdev_writel(eng->g, eng->base + ENG_CSB_PTR,
				  0x7u << 24 | (uint32_t)eng->csb_read << 8);
		if (*rc)
			return false;
	}
	return done;
}

/*
 * One interrupt within ms: the MSI taken (counted in *msis and the
 * device's total) and the handler run: 0. 1 if none came (the caller
 * decides), or the failure (-errno, said in g->err).
 */
static int
interrupt(struct gengine *eng, uint64_t ms, unsigned int *msis)
{
	struct gdev *g = eng->g;
	uint64_t addr;
	uint32_t data;
	int rc = sim_wait_msi(g->c, (int)ms, &addr, &data);

	if (rc == -ETIMEDOUT)
		return 1;
	if (rc)
		return gfail(g, rc, "waiting for the MSI: %s", strerror(-rc));
	(*msis)++;
	g->msis++;
	return handle_irq(eng);
}

/*
 * Interrupt-driven, as a driver is: the CSB is read when an MSI arrives
 * (after the handler acked the GT bank). The CSB is also looked at when no
 * MSI came for a while, only to say so: a completion without its
 * interrupt is an error, not a success.
 */
int
gengine_wait(struct gengine *eng, uint32_t ctx_id, int timeout_ms, struct gcsb *csb,
	     unsigned int max, unsigned int *n)
{
	struct gdev *g = eng->g;
	uint64_t deadline = gnow_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	unsigned int got = 0, msis = 0, seen = 0;
	bool done = false;
	int rc;

	if (!n)
		n = &got;
	*n = 0;
	for (;;) {
		uint64_t now = gnow_ms();

		if (now >= deadline) {
			if (!done && take_csb(eng, ctx_id, csb, max, n, &seen, &rc))
				done = true;
			return gfail(g, -ETIMEDOUT, "%s: context 0x%x %s within %d ms "
				     "(%u MSIs, %u CSB entries seen)", g9_engine_name(eng->id),
				     ctx_id, done ? "complete in the CSB but no MSI" :
				     "not complete", timeout_ms, msis, seen);
		}
		rc = interrupt(eng, deadline - now, &msis);
		if (rc == 1)
			continue;
		if (rc)
			return rc;
		if (take_csb(eng, ctx_id, csb, max, n, &seen, &rc))
			return 0;
		if (rc)
			return rc;
	}
}

/*
 * A breadcrumb the GPU writes before its user interrupt: has *seqno
 * reached target? Serial-number order, so the count may wrap.
 */
static bool
seqno_passed(const volatile uint32_t *seqno, uint32_t target)
{
	uint32_t v = __atomic_load_n(seqno, __ATOMIC_ACQUIRE);

	return (int32_t)(v - target) >= 0;
}

/*
 * As i915 waits for a request while later ones are queued behind it: the
 * breadcrumb is looked at first, then on each MSI (after the handler
 * acked the GT bank and the new CSB entries were consumed, whatever
 * they say: a lite restore's PREEMPTED, a COMPLETE, the next
 * IDLE_ACTIVE).
 */
int
gengine_wait_seqno(struct gengine *eng, const volatile uint32_t *seqno, uint32_t target,
		   int timeout_ms)
{
	struct gdev *g = eng->g;
	uint64_t deadline = gnow_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	unsigned int n = 0, seen = 0, msis = 0;
	int rc;

	while (!seqno_passed(seqno, target)) {
		uint64_t now = gnow_ms();

		if (now >= deadline)
			return gfail(g, -ETIMEDOUT, "%s: breadcrumb %u not reached within %d ms "
				     "(it reads %u; %u MSIs, %u CSB entries seen)",
				     g9_engine_name(eng->id), target, timeout_ms,
				     __atomic_load_n(seqno, __ATOMIC_ACQUIRE), msis, seen);
		rc = interrupt(eng, deadline - now, &msis);
		if (rc == 1)
			continue;
		if (rc)
			return rc;
		take_csb(eng, 0, NULL, 0, &n, &seen, &rc);
		if (rc)
			return rc;
	}
	return 0;
}

int
gengine_run(struct gengine *eng, struct gctx *ctx, int timeout_ms)
{
	int rc = gengine_submit(eng, ctx, NULL);

	return rc ? rc : gengine_wait(eng, ctx->ctx_id, timeout_ms, NULL, 0, NULL);
}
