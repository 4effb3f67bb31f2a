/* SPDX-License-Identifier: MIT */
/*
 * test_irq.c — virtual interrupts (mediator/core/irq.c) on a vGPU over the fake
 * hypervisor: IIR/IMR/IER/ISR semantics through the register dispatcher,
 * master summary bits, and MSI delivery with the guest's exact address and
 * data only when MSI, the master and the bank allow it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "tests/fake_hv.h"
#include "tests/test_util.h"
#include "tests/unit/reg.h"

#define MASTER	    0x44200u
#define MASTER_EN   (1u << 31)
#define GT0_ISR	    0x44300u
#define GT0_IMR	    0x44304u
#define GT0_IIR	    0x44308u
#define GT0_IER	    0x4430cu
#define PIPEB_IMR   0x44414u
#define PIPEB_IIR   0x44418u
#define PIPEB_IER   0x4441cu

#define RCS_USER    (1u << 0)
#define RCS_CTX	    (1u << 8)
#define BCS_USER    (1u << 16)

#define MSI_ADDR_OK 0xfee01000u
#define MSI_DATA_OK 0x4041u

/* The whole default vGPU (domid 7) with MSI, driven through the register dispatcher. */
static void
rig_up(struct fake_setup *r)
{
	struct vgpu_config cfg;

	vgpu_config_default(&cfg);
	cfg.msi = true;
	CU_ASSERT_FATAL(fake_setup_whole(r, 7, &cfg) == 0);
}

static void
raise_ev(struct vgpu *v, enum irq_event ev)
{
	pthread_mutex_lock(&v->lock);
	irq_raise(v, ev);
	pthread_mutex_unlock(&v->lock);
}

static uint32_t
cfg_rd(struct vgpu *v, unsigned int reg, unsigned int size)
{
	uint32_t val = 0;

	CU_ASSERT(vgpu_cfg_access(v, false, reg, size, &val) == 0);
	return val;
}

static void
cfg_wr(struct vgpu *v, unsigned int reg, unsigned int size, uint32_t val)
{
	CU_ASSERT(vgpu_cfg_access(v, true, reg, size, &val) == 0);
}

/* Find the MSI capability the way a guest does: walk the list from 0x34. */
static unsigned int
msi_cap(struct vgpu *v)
{
	unsigned int p = cfg_rd(v, 0x34, 1) & 0xfc;

	for (int i = 0; p && i < 48; i++) {
		if (cfg_rd(v, p, 1) == 0x05)
			return p;
		p = cfg_rd(v, p + 1, 1) & 0xfc;
	}
	return 0;
}

/* Program the MSI capability: address, data, then the enable bit. */
static void
msi_program(struct vgpu *v, uint32_t addr, uint16_t data, bool enable)
{
	unsigned int cap = msi_cap(v);

	CU_ASSERT_FATAL(cap != 0);
	cfg_wr(v, cap + 4, 4, addr);
	cfg_wr(v, cap + 8, 2, data);
	cfg_wr(v, cap + 2, 2, enable ? 1 : 0);
}

/* GT0 bank open for the given bits, master on, MSI on with a good target. */
static void
arm_gt0(struct vgpu *v, uint32_t bits)
{
	reg_wr(v, GT0_IER, bits);
	reg_wr(v, GT0_IMR, ~bits);
	msi_program(v, MSI_ADDR_OK, MSI_DATA_OK, true);
	reg_wr(v, MASTER, MASTER_EN);
}

static void
test_irq_reset_state(void)
{
	struct fake_setup r;

	rig_up(&r);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IMR), 0xffffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IER), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), 0);
	/* A raise with everything masked leaves no trace but the event count. */
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), 0);
	CU_ASSERT_EQUAL(r.v->irq.raised[EV_RCS_USER], 1);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	fake_teardown(&r);
}

static void
test_irq_iir_w1c(void)
{
	struct fake_setup r;

	rig_up(&r);
	reg_wr(r.v, GT0_IER, RCS_USER | RCS_CTX);
	reg_wr(r.v, GT0_IMR, ~(RCS_USER | RCS_CTX));
	raise_ev(r.v, EV_RCS_USER);
	raise_ev(r.v, EV_RCS_CTX_SWITCH);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER | RCS_CTX);
	/* Writing 0 changes nothing; writing 1 clears exactly that bit. */
	reg_wr(r.v, GT0_IIR, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER | RCS_CTX);
	reg_wr(r.v, GT0_IIR, RCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_CTX);
	/* A one-byte write to byte 1 clears bit 8 and does not touch byte 0. */
	raise_ev(r.v, EV_RCS_USER);
	reg_wr_sized(r.v, GT0_IIR + 1, 1, 0x01);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER);
	reg_wr(r.v, GT0_IIR, 0xffffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), 0);
	fake_teardown(&r);
}

static void
test_irq_isr_read_only(void)
{
	struct fake_setup r;
	uint64_t ro;

	rig_up(&r);
	ro = r.v->ro_writes;
	reg_wr(r.v, GT0_ISR, 0xdeadbeef);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_ISR), 0);
	CU_ASSERT_EQUAL(r.v->ro_writes, ro + 1);
	/* Master: only bit 31 is the guest's; the summary bits are not writable. */
	reg_wr(r.v, MASTER, 0x7fffffffu);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), 0);
	fake_teardown(&r);
}

static void
test_irq_imr_masks(void)
{
	struct fake_setup r;

	rig_up(&r);
	arm_gt0(r.v, RCS_USER | RCS_CTX);
	reg_wr(r.v, GT0_IMR, ~RCS_CTX); /* user interrupt masked */
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), 0);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	CU_ASSERT_EQUAL(r.v->stats.msi_injected, 0);
	/* A masked pulse is gone (hardware): unmasking delivers nothing stale. */
	reg_wr(r.v, GT0_IMR, ~(RCS_USER | RCS_CTX));
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), 0);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	/* The next one goes through. */
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	fake_teardown(&r);
}

static void
test_irq_ier_gates(void)
{
	struct fake_setup r;

	rig_up(&r);
	arm_gt0(r.v, RCS_CTX);	/* IER has only the context-switch bit */
	reg_wr(r.v, GT0_IMR, 0);	/* nothing masked */
	/* IMR clear: IIR latches even though IER does not enable the bit ... */
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER);
	/* ... but it drives neither the master summary nor an MSI. */
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	raise_ev(r.v, EV_RCS_CTX_SWITCH);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER | RCS_CTX);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN | 1u);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	/* Disabling IER with IIR still set drops the line: no summary bit. */
	reg_wr(r.v, GT0_IER, 0);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER | RCS_CTX);
	/* Enabling IER for a latched bit raises the line at once: a new MSI. */
	reg_wr(r.v, GT0_IER, RCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN | 1u);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 2);
	fake_teardown(&r);
}

static void
test_irq_msi_exact(void)
{
	struct fake_setup r;

	rig_up(&r);
	arm_gt0(r.v, RCS_USER);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL_FATAL(r.hv->nr_msi, 1);
	CU_ASSERT_EQUAL(r.hv->msi_addr[0], MSI_ADDR_OK);
	CU_ASSERT_EQUAL(r.hv->msi_data[0], MSI_DATA_OK);
	CU_ASSERT_EQUAL(r.v->stats.msi_injected, 1);
	/* Master shows enable + the RCS summary bit (bit 0). */
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN | 1u);
	/* Still pending: a second event is no new edge. */
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	/* The i915 handler dance: master off, ack IIR, master on: nothing left. */
	reg_wr(r.v, MASTER, 0);
	reg_wr(r.v, GT0_IIR, RCS_USER);
	reg_wr(r.v, MASTER, MASTER_EN);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN);
	/* Next event: next MSI, same target. */
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL_FATAL(r.hv->nr_msi, 2);
	CU_ASSERT_EQUAL(r.hv->msi_addr[1], MSI_ADDR_OK);
	CU_ASSERT_EQUAL(r.hv->msi_data[1], MSI_DATA_OK);
	CU_ASSERT_EQUAL(r.v->stats.msi_injected, 2);
	fake_teardown(&r);
}

static void
test_irq_rearm_with_pending(void)
{
	struct fake_setup r;

	rig_up(&r);
	arm_gt0(r.v, RCS_USER | RCS_CTX);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	/* Handler: master off, an event arrives meanwhile, ack only the first. */
	reg_wr(r.v, MASTER, 0);
	reg_wr(r.v, GT0_IIR, RCS_USER);
	raise_ev(r.v, EV_RCS_CTX_SWITCH);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	/* Re-enabling the master with IIR pending is a new edge. */
	reg_wr(r.v, MASTER, MASTER_EN);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 2);
	fake_teardown(&r);
}

static void
test_irq_no_msi_when_msi_disabled(void)
{
	struct fake_setup r;

	rig_up(&r);
	reg_wr(r.v, GT0_IER, RCS_USER);
	reg_wr(r.v, GT0_IMR, ~RCS_USER);
	reg_wr(r.v, MASTER, MASTER_EN);
	msi_program(r.v, MSI_ADDR_OK, MSI_DATA_OK, false);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	CU_ASSERT_EQUAL(r.v->stats.msi_injected, 0);
	/* Enabling MSI in config space delivers the pending interrupt. */
	cfg_wr(r.v, msi_cap(r.v) + 2, 2, 1);
	CU_ASSERT_EQUAL_FATAL(r.hv->nr_msi, 1);
	CU_ASSERT_EQUAL(r.hv->msi_addr[0], MSI_ADDR_OK);
	CU_ASSERT_EQUAL(r.hv->msi_data[0], MSI_DATA_OK);
	fake_teardown(&r);
}

static void
test_irq_no_msi_when_master_disabled(void)
{
	struct fake_setup r;

	rig_up(&r);
	arm_gt0(r.v, RCS_USER);
	reg_wr(r.v, MASTER, 0);
	raise_ev(r.v, EV_RCS_USER);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	/* Pending: delivered once the master is enabled, once. */
	reg_wr(r.v, MASTER, MASTER_EN);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	reg_wr(r.v, MASTER, MASTER_EN);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	fake_teardown(&r);
}

static void
test_irq_summary_bits(void)
{
	struct fake_setup r;

	rig_up(&r);
	arm_gt0(r.v, BCS_USER);
	raise_ev(r.v, EV_BCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), BCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN | (1u << 1)); /* BCS */
	reg_wr(r.v, PIPEB_IER, 1);
	reg_wr(r.v, PIPEB_IMR, ~1u);
	raise_ev(r.v, EV_PIPE_B_VBLANK);
	CU_ASSERT_EQUAL(reg_rd(r.v, PIPEB_IIR), 1);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN | (1u << 1) | (1u << 17));
	reg_wr(r.v, GT0_IIR, BCS_USER);
	CU_ASSERT_EQUAL(reg_rd(r.v, MASTER), MASTER_EN | (1u << 17));
	fake_teardown(&r);
}

static void
test_irq_bogus_msi_addr(void)
{
	struct fake_setup r;
	uint64_t lines;

	rig_up(&r);
	arm_gt0(r.v, RCS_USER);
	msi_program(r.v, 0x12345000u, 0x31, true);
	lines = log_lines();
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	CU_ASSERT_EQUAL(r.v->stats.msi_suppressed, 1);
	CU_ASSERT_EQUAL(r.v->stats.msi_injected, 0);
	CU_ASSERT(log_lines() > lines);
	CU_ASSERT(r.v->warned & (1ull << WARN_MSI_ADDR));
	/* Ack and again: counted again, logged once only. */
	reg_wr(r.v, GT0_IIR, RCS_USER);
	lines = log_lines();
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	CU_ASSERT_EQUAL(r.v->stats.msi_suppressed, 2);
	CU_ASSERT_EQUAL(log_lines(), lines);
	/* A good address afterwards works. */
	reg_wr(r.v, GT0_IIR, RCS_USER);
	msi_program(r.v, MSI_ADDR_OK, MSI_DATA_OK, true);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	fake_teardown(&r);
}

static void
test_irq_inject_failure(void)
{
	struct fake_setup r;
	uint64_t lines;

	rig_up(&r);
	arm_gt0(r.v, RCS_USER);
	r.hv->fail_next = -EIO;
	lines = log_lines();
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	CU_ASSERT_EQUAL(r.v->stats.msi_injected, 0);
	CU_ASSERT_EQUAL(r.v->stats.msi_failed, 1);
	CU_ASSERT_EQUAL(log_lines(), lines + 1);
	CU_ASSERT(r.v->warned & (1ull << WARN_MSI_FAIL));
	/* Every later failure is counted, none is logged. */
	for (int i = 0; i < 5; i++) {
		reg_wr(r.v, GT0_IIR, RCS_USER);
		r.hv->fail_next = -EINVAL;
		raise_ev(r.v, EV_RCS_USER);
	}
	CU_ASSERT_EQUAL(r.v->stats.msi_failed, 6);
	CU_ASSERT_EQUAL(log_lines(), lines + 1);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	/* The hypervisor accepts again: delivered and counted as injected. */
	reg_wr(r.v, GT0_IIR, RCS_USER);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	CU_ASSERT_EQUAL(r.v->stats.msi_injected, 1);
	CU_ASSERT_EQUAL(r.v->stats.msi_failed, 6);
	fake_teardown(&r);
}

/* The address check: x86 MSI window; a high half only with vector 0 (Xen PIRQ MSI). */
static void
test_irq_msi_addr_rule(void)
{
	CU_ASSERT_TRUE(irq_msi_addr_ok(0xfee00000ull, 0x4031));
	CU_ASSERT_TRUE(irq_msi_addr_ok(0xfeeff00cull, 0x0031));
	CU_ASSERT_FALSE(irq_msi_addr_ok(0xfed00000ull, 0x31));
	CU_ASSERT_FALSE(irq_msi_addr_ok(0x12345000ull, 0x31));
	CU_ASSERT_FALSE(irq_msi_addr_ok(0x0000000100000000ull | 0xfee00000ull, 0x31));
	/* Linux PV-on-HVM: pirq 0x1234 = high bits 0x12 in addr[63:40], vector 0. */
	CU_ASSERT_TRUE(irq_msi_addr_ok(0x0000120000000000ull | 0xfee34000ull, 0x0300));
	CU_ASSERT_FALSE(irq_msi_addr_ok(0x0000120000000000ull | 0x12345000ull, 0x0300));
}

#define PCI_CMD	     0x04
#define PCI_STS	     0x06
#define CMD_INTX_OFF (1u << 10)
#define STS_INTX     (1u << 3)

/*
 * With MSI off the line is a level on INTA: asserted while an enabled
 * interrupt is pending, deasserted when the guest clears IIR, masked by
 * INTx Disable (status bit 3 still shows it), and unused once MSI is on.
 */
static void
test_irq_intx_level(void)
{
	struct fake_setup r;

	rig_up(&r);
	CU_ASSERT_EQUAL(cfg_rd(r.v, 0x3d, 1), 1);	/* INTA advertised ... */
	reg_wr(r.v, GT0_IER, RCS_USER);
	reg_wr(r.v, GT0_IMR, ~RCS_USER);
	reg_wr(r.v, MASTER, MASTER_EN);
	CU_ASSERT_EQUAL(r.hv->nr_intx_calls, 0);
	raise_ev(r.v, EV_RCS_USER);			/* ... and driven */
	CU_ASSERT_TRUE(r.hv->intx);
	CU_ASSERT_EQUAL(r.hv->nr_intx_calls, 1);
	CU_ASSERT_EQUAL(r.v->stats.intx_asserts, 1);
	CU_ASSERT_EQUAL(cfg_rd(r.v, PCI_STS, 2) & STS_INTX, STS_INTX);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	/* A second event while high: a level, so no new call. */
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_intx_calls, 1);
	/* The guest's handler clears IIR: the line drops. */
	reg_wr(r.v, GT0_IIR, RCS_USER);
	CU_ASSERT_FALSE(r.hv->intx);
	CU_ASSERT_EQUAL(r.hv->nr_intx_calls, 2);
	CU_ASSERT_EQUAL(cfg_rd(r.v, PCI_STS, 2) & STS_INTX, 0);

	/* INTx Disable: status shows the condition, the pin stays low. */
	cfg_wr(r.v, PCI_CMD, 2, cfg_rd(r.v, PCI_CMD, 2) | CMD_INTX_OFF);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_FALSE(r.hv->intx);
	CU_ASSERT_EQUAL(cfg_rd(r.v, PCI_STS, 2) & STS_INTX, STS_INTX);
	/* Clearing INTx Disable with the interrupt pending asserts it. */
	cfg_wr(r.v, PCI_CMD, 2, cfg_rd(r.v, PCI_CMD, 2) & ~CMD_INTX_OFF);
	CU_ASSERT_TRUE(r.hv->intx);

	/* MSI on: INTx drops and the pending interrupt goes as one MSI. */
	msi_program(r.v, MSI_ADDR_OK, MSI_DATA_OK, true);
	CU_ASSERT_FALSE(r.hv->intx);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 1);
	CU_ASSERT_EQUAL(cfg_rd(r.v, PCI_STS, 2) & STS_INTX, 0);
	reg_wr(r.v, GT0_IIR, RCS_USER);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_FALSE(r.hv->intx);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 2);

	/* A line still high when the vGPU goes is released. */
	msi_program(r.v, MSI_ADDR_OK, MSI_DATA_OK, false);
	CU_ASSERT_TRUE(r.hv->intx);
	vgpu_destroy(r.v);
	r.v = NULL;
	CU_ASSERT_FALSE(r.hv->intx);
	fake_teardown(&r);
}

/* Failsafe: the guest can no longer clear IIR, so a raised INTx goes low and stays low. */
static void
test_irq_intx_failsafe(void)
{
	struct fake_setup r;

	rig_up(&r);
	reg_wr(r.v, GT0_IER, RCS_USER);
	reg_wr(r.v, GT0_IMR, ~RCS_USER);
	reg_wr(r.v, MASTER, MASTER_EN);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_TRUE_FATAL(r.hv->intx);
	vgpu_fail(r.v, "test");
	CU_ASSERT_FALSE(r.hv->intx);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_FALSE(r.hv->intx);
	fake_teardown(&r);
}

/* A device where the transport has no INTx (Xen: not bus 0) advertises no pin and drives none. */
static void
test_irq_no_pin_off_bus0(void)
{
	struct vgpu_config cfg;
	struct fake_setup r;

	vgpu_config_default(&cfg);
	cfg.msi = true;
	cfg.bus = 1;
	CU_ASSERT_FATAL(fake_setup_whole(&r, 7, &cfg) == 0);
	CU_ASSERT_EQUAL(cfg_rd(r.v, 0x3d, 1), 0);
	reg_wr(r.v, GT0_IER, RCS_USER);
	reg_wr(r.v, GT0_IMR, ~RCS_USER);
	reg_wr(r.v, MASTER, MASTER_EN);
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_EQUAL(r.hv->nr_intx_calls, 0);
	fake_teardown(&r);
}

/* A refused level change is counted, logged once, and retried later. */
static void
test_irq_intx_refused(void)
{
	struct fake_setup r;

	rig_up(&r);
	reg_wr(r.v, GT0_IER, RCS_USER);
	reg_wr(r.v, GT0_IMR, ~RCS_USER);
	reg_wr(r.v, MASTER, MASTER_EN);
	r.hv->fail_next = -EINVAL;
	r.hv->fail_times = 1;
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_FALSE(r.hv->intx);
	CU_ASSERT_EQUAL(r.v->stats.intx_failed, 1);
	/* The next evaluation (another event) succeeds. */
	raise_ev(r.v, EV_RCS_USER);
	CU_ASSERT_TRUE(r.hv->intx);
	CU_ASSERT_EQUAL(r.v->stats.intx_asserts, 1);
	fake_teardown(&r);
}

static void
test_irq_bad_event(void)
{
	struct fake_setup r;

	rig_up(&r);
	arm_gt0(r.v, 0xffffffffu);
	raise_ev(r.v, EV_NR);
	raise_ev(r.v, (enum irq_event)-1);
	CU_ASSERT_EQUAL(reg_rd(r.v, GT0_IIR), 0);
	CU_ASSERT_EQUAL(r.hv->nr_msi, 0);
	fake_teardown(&r);
}

void suite_irq(void);

void
suite_irq(void)
{
	static const struct test_case cases[] = {
		{ "reset state", test_irq_reset_state },
		{ "IIR write-1-to-clear", test_irq_iir_w1c },
		{ "ISR and master summary read-only", test_irq_isr_read_only },
		{ "IMR masks", test_irq_imr_masks },
		{ "IER gates", test_irq_ier_gates },
		{ "MSI with the guest's address/data", test_irq_msi_exact },
		{ "master re-enable with pending IIR", test_irq_rearm_with_pending },
		{ "no MSI while MSI disabled, sent on enable", test_irq_no_msi_when_msi_disabled },
		{ "no MSI while master disabled, sent on enable",
		  test_irq_no_msi_when_master_disabled },
		{ "master summary bits", test_irq_summary_bits },
		{ "bogus MSI address suppressed", test_irq_bogus_msi_addr },
		{ "inject failure counted, logged once", test_irq_inject_failure },
		{ "MSI address rule (PIRQ MSI)", test_irq_msi_addr_rule },
		{ "out-of-range event ignored", test_irq_bad_event },
		{ "INTx level while MSI is off", test_irq_intx_level },
		{ "INTx refusal counted and retried", test_irq_intx_refused },
		{ "INTx dropped and held low in failsafe", test_irq_intx_failsafe },
		{ "no INTx pin where the transport has none", test_irq_no_pin_off_bus0 },
		{ NULL, NULL },
	};

	test_add_suite("irq", cases);
}
