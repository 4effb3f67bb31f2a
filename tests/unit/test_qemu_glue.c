/* SPDX-License-Identifier: MIT */
/*
 * test_qemu_glue.c — qemu-glue against a fake QEMU in this process: one
 * end of a socketpair speaks QEMU 7.2's multi-process protocol as
 * x-pci-proxy-dev does (SYNC_SYSMEM with a memfd, SET_IRQFD, its config
 * probe, SeaBIOS-style BAR placement, BAR accesses at absolute addresses,
 * DEVICE_RESET), the glue serves the other end for a vGPU on softgpu.
 * Every answer is checked to the byte: RET with the value, 0, MPQ_NOVAL,
 * or an empty RET; messages without an answer leave nothing to read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dm/pgpu/pgpu_list.h"
#include "dm/vgpu_spec.h"
#include "mediator/core/vgpu_int.h"
#include "qemu-glue/qemu_int.h"
#include "sim/softgpu/softgpu.h"
#include "sim/xensim.h"
#include "tests/mpq_send.h"
#include "tests/test_util.h"

#define DOMID 5
#define RAM_SIZE (64ull << 20)
#define HOLE_LO 0xa0000ull		/* the VGA hole: not RAM */
#define HOLE_HI 0x100000ull
#define BAR0 0xfe000000ull		/* where SeaBIOS would put them (32-bit) */
#define BAR2 0xc0000000ull
#define BAR4 0xc000u
#define GGTT_OFF (8u << 20)
#define PV_MAGIC 0x4776544776544776ull

#define GT0_IMR 0x44304u
#define GT0_IIR 0x44308u
#define GT0_IER 0x4430cu
#define MASTER 0x44200u

struct rig {
	char machine[64];
	struct pgpu_dev dev;
	struct gpu *gpu;
	struct hv *hv;
	struct vgpu *v;
	int q;			/* the fake QEMU's end */
	int ram;		/* guest RAM memfd */
	uint8_t *ram_va;
	int irq, resample;	/* the eventfds handed over with SET_IRQFD */
};

/* ---- the fake QEMU ---- */

static void
q_send(struct rig *r, int32_t cmd, const void *data, uint64_t size, const int *fds,
       unsigned int nfds)
{
	CU_ASSERT_FATAL(mpq_test_send(r->q, cmd, data, size, fds, nfds));
}

/* The glue's fd is readable and it serves what came. */
static void
serve(struct rig *r)
{
	struct pollfd p = { .fd = qg_fd(r->hv), .events = POLLIN };

	CU_ASSERT_EQUAL(poll(&p, 1, 5000), 1);
	CU_ASSERT_EQUAL(qg_run_once(r->hv), 0);
}

/* Nothing for QEMU to read. */
static bool
q_quiet(struct rig *r)
{
	struct pollfd p = { .fd = r->q, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

/* One answer: exactly a RET header with size 8 and its value, nothing more. */
static uint64_t
q_ret(struct rig *r)
{
	uint8_t buf[64];
	int32_t cmd;
	uint64_t size, val = 0;
	ssize_t n = recv(r->q, buf, sizeof(buf), MSG_DONTWAIT);

	CU_ASSERT_EQUAL_FATAL(n, MPQ_HDR_SIZE + 8);
	memcpy(&cmd, buf, 4);
	memcpy(&size, buf + 8, 8);
	memcpy(&val, buf + MPQ_HDR_SIZE, 8);
	CU_ASSERT_EQUAL(cmd, MPQ_RET);
	CU_ASSERT_EQUAL(size, 8);
	return val;
}

static uint64_t
q_cfg(struct rig *r, bool write, uint32_t addr, int len, uint32_t val)
{
	struct mpq_conf c = { .addr = addr, .val = write ? val : 0, .len = len };

	q_send(r, write ? MPQ_CFG_WRITE : MPQ_CFG_READ, &c, sizeof(c), NULL, 0);
	serve(r);
	return q_ret(r);
}

static uint64_t
q_bar(struct rig *r, bool write, bool memory, uint64_t addr, unsigned int size, uint64_t val)
{
	struct mpq_bar b = { .addr = addr, .val = write ? val : 0, .size = size, .memory = memory };

	q_send(r, write ? MPQ_BAR_WRITE : MPQ_BAR_READ, &b, sizeof(b), NULL, 0);
	serve(r);
	return q_ret(r);
}

/* RAM as QEMU's pc machine shares it: below the VGA hole, and from 1 MiB up, one memfd. */
static void
q_sysmem(struct rig *r)
{
	struct mpq_sysmem s = { 0 };
	int fds[2] = { r->ram, r->ram };

	s.gpas[0] = 0;
	s.sizes[0] = HOLE_LO;
	s.offsets[0] = 0;
	s.gpas[1] = HOLE_HI;
	s.sizes[1] = RAM_SIZE - HOLE_HI;
	s.offsets[1] = (int64_t)HOLE_HI;
	q_send(r, MPQ_SYNC_SYSMEM, &s, sizeof(s), fds, 2);
	serve(r);
}

static void
q_irqfd(struct rig *r)
{
	int fds[2];

	r->irq = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->resample = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CU_ASSERT_FATAL(r->irq >= 0 && r->resample >= 0);
	fds[0] = r->irq;
	fds[1] = r->resample;
	q_send(r, MPQ_SET_IRQFD, NULL, 0, fds, 2);
	serve(r);
	CU_ASSERT_TRUE(q_quiet(r));
}

/* The irqfd's count (0 if not signalled), consumed. */
static uint64_t
irq_count(struct rig *r)
{
	uint64_t cnt = 0;

	if (read(r->irq, &cnt, sizeof(cnt)) != (ssize_t)sizeof(cnt))
		return 0;
	return cnt;
}

static uint64_t
stat(struct rig *r, size_t off)
{
	return *(const uint64_t *)(const void *)((const char *)&r->hv->stats + off);
}
#define STAT(r, f) stat(r, offsetof(struct qg_stats, f))

/* ---- the rig: machine, softgpu, vGPU, glue on one end of a socketpair ---- */

static void
rig_up(struct rig *r, bool with_vgpu)
{
	struct glue_guest g = { .domid = DOMID, .dev = 2, .aperture_maddr = XENSIM_APERTURE_MADDR };
	struct vgpu_config cfg;
	char err[160] = "";
	int sv[2];

	memset(r, 0, sizeof(*r));
	r->irq = r->resample = -1;
	test_machine_new(r->machine, sizeof(r->machine));
	setenv("XENSIM_MACHINE", r->machine, 1);	/* the glue's machine and softgpu's */
	CU_ASSERT_EQUAL_FATAL(softgpu_backend.open(r->machine, &r->dev), 0);
	CU_ASSERT_EQUAL_FATAL(gpu_create(&r->dev, &r->gpu), 0);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	r->q = sv[0];
	CU_ASSERT_EQUAL_FATAL(qg_attach_fd(&g, sv[1], &r->hv, err, sizeof(err)), 0);
	r->ram = memfd_create("guest-ram", MFD_CLOEXEC);
	CU_ASSERT_FATAL(r->ram >= 0);
	CU_ASSERT_EQUAL_FATAL(ftruncate(r->ram, (off_t)RAM_SIZE), 0);
	r->ram_va = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, r->ram, 0);
	CU_ASSERT_FATAL(r->ram_va != MAP_FAILED);
	if (!with_vgpu)
		return;
	CU_ASSERT_EQUAL_FATAL(vgpu_spec_parse_with("", QG_SPEC_DEFAULTS, &cfg, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(vgpu_create(r->gpu, &cfg, DOMID, &hv_qemu_ops, r->hv, &r->v, err,
					  sizeof(err)), 0);
	qg_set_vgpu(r->hv, r->v);
}

static void
rig_down(struct rig *r)
{
	if (r->v) {
		qg_set_vgpu(r->hv, NULL);
		vgpu_destroy(r->v);
	}
	if (r->hv)
		qg_detach(r->hv);
	if (r->q >= 0)
		close(r->q);
	munmap(r->ram_va, RAM_SIZE);
	close(r->ram);
	if (r->irq >= 0)
		close(r->irq);
	if (r->resample >= 0)
		close(r->resample);
	gpu_destroy(r->gpu);
	test_machine_done(r->machine);
}

/* SeaBIOS: BARs placed, I/O + memory decode and bus mastering on. */
static void
place_bars(struct rig *r)
{
	CU_ASSERT_EQUAL(q_cfg(r, true, 0x10, 4, (uint32_t)BAR0), 0);
	CU_ASSERT_EQUAL(q_cfg(r, true, 0x18, 4, (uint32_t)BAR2), 0);
	CU_ASSERT_EQUAL(q_cfg(r, true, 0x20, 4, BAR4), 0);
	CU_ASSERT_EQUAL(q_cfg(r, true, 0x04, 2, 0x7), 0);
}

static uint32_t
reg_rd(struct rig *r, uint32_t off)
{
	return (uint32_t)q_bar(r, false, true, BAR0 + off, 4, 0);
}

static void
reg_wr(struct rig *r, uint32_t off, uint32_t val)
{
	CU_ASSERT_EQUAL(q_bar(r, true, true, BAR0 + off, 4, val), 0);
}

/* ---- tests ---- */

/*
 * x-pci-proxy-dev's realize: SYNC_SYSMEM, SET_IRQFD (no answers), then
 * probe_pci_info: ids, then each of BAR0..5 and 0x28 sized on its own with
 * a 32-bit probe, size = ~(value & ~0xf) + 1 (hw/remote/proxy.c).
 */
static void
test_probe(void)
{
	static const struct {
		uint32_t size;
		bool io;
	} want[7] = {
		[0] = { 16u << 20, false }, [2] = { 1u << 30, false }, [4] = { 64, true },
	};
	struct rig r;

	rig_up(&r, true);
	q_sysmem(&r);
	CU_ASSERT_TRUE(q_quiet(&r));
	q_irqfd(&r);
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x00, 2, 0), 0x8086);
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x02, 2, 0), SOFTGPU_DEVICE_ID);
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x0a, 2, 0), 0x0300);
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x2e, 2, 0), 0x2212);
	for (unsigned int i = 0; i < 7; i++) {
		uint32_t reg = 0x10 + 4 * i, orig, nv, size;

		orig = (uint32_t)q_cfg(&r, false, reg, 4, 0);
		CU_ASSERT_EQUAL(q_cfg(&r, true, reg, 4, 0xffffffffu), 0);
		nv = (uint32_t)q_cfg(&r, false, reg, 4, 0);
		size = ~(nv & 0xfffffff0u) + 1;
		CU_ASSERT_EQUAL(q_cfg(&r, true, reg, 4, orig), 0);
		CU_ASSERT_EQUAL(size, want[i].size);
		/* QEMU's pci_register_bar asserts a power of two. */
		CU_ASSERT_EQUAL(size & (size - 1), 0);
		if (size)
			CU_ASSERT_EQUAL(nv & 1, want[i].io);
		/* 32-bit BARs: the type bits say so. */
		if (size && !want[i].io)
			CU_ASSERT_EQUAL(nv & 0x6, 0);
	}
	/* INTA; no MSI capability (the proxy forwards none): PM is all there is. */
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x3d, 1, 0), 1);
	{
		uint32_t p = (uint32_t)q_cfg(&r, false, 0x34, 1, 0);

		CU_ASSERT_EQUAL(q_cfg(&r, false, p, 1, 0), 0x01);
		CU_ASSERT_EQUAL(q_cfg(&r, false, p + 1, 1, 0), 0);
	}
	/* Malformed config accesses: refused with MPQ_NOVAL. */
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x00, 3, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x1000, 4, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_cfg(&r, true, 0x02, 4, 0), MPQ_NOVAL);	/* unaligned */
	CU_ASSERT_EQUAL(STAT(&r, refused), 2);
	CU_ASSERT_EQUAL(STAT(&r, cfg_read), 4 + 7 * 2 + 4 + 2);
	rig_down(&r);
}

static void
test_bars(void)
{
	struct rig r;
	uint32_t v32;

	rig_up(&r, true);
	q_sysmem(&r);
	/* Before placement nothing is claimed: reads all-ones, writes refused. */
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 + 0x78000, 4, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, true, true, BAR0 + 0x78000, 4, 1), MPQ_NOVAL);
	CU_ASSERT_EQUAL(STAT(&r, unclaimed), 2);
	place_bars(&r);
	/* The PV info page: i915's GVT-g detection. */
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 + 0x78000, 8, 0), PV_MAGIC);
	CU_ASSERT_EQUAL(reg_rd(&r, 0x78000), (uint32_t)PV_MAGIC);
	CU_ASSERT_EQUAL(reg_rd(&r, 0x78004), (uint32_t)(PV_MAGIC >> 32));
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 + 0x78000, 2, 0), (uint16_t)PV_MAGIC);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 + 0x78001, 1, 0), (uint8_t)(PV_MAGIC >> 8));
	/* The same register through the BAR4 index/data pair (absolute ports). */
	CU_ASSERT_EQUAL(q_bar(&r, true, false, BAR4, 4, 0x78004), 0);
	CU_ASSERT_EQUAL(q_bar(&r, false, false, BAR4 + 4, 4, 0), (uint32_t)(PV_MAGIC >> 32));
	CU_ASSERT_EQUAL(STAT(&r, pio_read), 1);
	CU_ASSERT_EQUAL(STAT(&r, pio_write), 1);
	/* A register round trip (GT0 IMR). */
	reg_wr(&r, GT0_IMR, 0x12345678u);
	CU_ASSERT_EQUAL(reg_rd(&r, GT0_IMR), 0x12345678u);
	/* Outside every claim: unclaimed. Partly inside: unclaimed (claims hold accesses whole). */
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 - 4, 4, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 - 4, 8, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, false, false, BAR4 + 64, 4, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(STAT(&r, unclaimed), 5);
	/* Malformed: sizes, 8-byte port, port past 64 KiB, a bool that is not 0/1. */
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0, 3, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0, 16, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, false, false, BAR4, 8, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, true, false, 0xfffe, 4, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, UINT64_MAX - 1, 4, 0), MPQ_NOVAL);
	{
		struct mpq_bar b = { .addr = BAR0 + 0x78000, .size = 4, .memory = 2 };

		q_send(&r, MPQ_BAR_READ, &b, sizeof(b), NULL, 0);
		serve(&r);
		CU_ASSERT_EQUAL(q_ret(&r), MPQ_NOVAL);
	}
	CU_ASSERT_EQUAL(STAT(&r, refused), 6);
	/* Unaligned register read: the mediator refuses it, all-ones. */
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 + 0x78002, 4, 0), MPQ_NOVAL);
	/* BAR0 moves: the old place is unclaimed, the new one answers. */
	CU_ASSERT_EQUAL(q_cfg(&r, true, 0x10, 4, 0xfd000000u), 0);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 + 0x78000, 4, 0), MPQ_NOVAL);
	v32 = (uint32_t)q_bar(&r, false, true, 0xfd078000ull, 4, 0);
	CU_ASSERT_EQUAL(v32, (uint32_t)PV_MAGIC);
	/* The base takes the BAR's alignment: 0xfff00000 places it at 0xff000000. */
	CU_ASSERT_EQUAL(q_cfg(&r, true, 0x10, 4, 0xfff00000u), 0);
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x10, 4, 0), 0xff000000u);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, 0xff078000ull, 4, 0), (uint32_t)PV_MAGIC);
	CU_ASSERT_TRUE(q_quiet(&r));
	rig_down(&r);
}

/*
 * The guest writes a GGTT entry of its aperture slice through BAR0, then
 * reads and writes the page through BAR2: trapped, translated through the
 * physical GGTT to the DMA window, which is its own RAM memfd.
 */
static void
test_aperture(void)
{
	struct vgpu_partition p;
	struct rig r;
	uint64_t idx, pte, win, page = 0x200000;

	rig_up(&r, true);
	q_sysmem(&r);
	place_bars(&r);
	vgpu_get_partition(r.v, &p);
	memcpy(r.ram_va + page + 0x10, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	idx = p.low_base >> 12;
	CU_ASSERT_EQUAL(q_bar(&r, true, true, BAR0 + GGTT_OFF + idx * 8, 8, page | 1), 0);
	/* The guest reads its own entry back; the physical one points into the window. */
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 + GGTT_OFF + idx * 8, 8, 0), page | 1);
	pthread_rwlock_rdlock(&r.hv->ram_lock);
	win = r.hv->win_maddr;
	pthread_rwlock_unlock(&r.hv->ram_lock);
	CU_ASSERT_NOT_EQUAL(win, 0);
	pte = r.dev.ops->ggtt_read(r.dev.p, idx);
	CU_ASSERT_EQUAL(pte & 0x7ffffff000ull, win + page);
	CU_ASSERT_EQUAL(pte & 1, 1);
	/* Aperture reads: 4 and 8 bytes. */
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR2 + p.low_base + 0x10, 4, 0), 0x44332211u);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR2 + p.low_base + 0x10, 8, 0),
			0x8877665544332211ull);
	/* A write lands in the guest's RAM. */
	CU_ASSERT_EQUAL(q_bar(&r, true, true, BAR2 + p.low_base + 0x20, 4, 0xcafef00du), 0);
	CU_ASSERT_EQUAL(*(uint32_t *)(void *)(r.ram_va + page + 0x20), 0xcafef00du);
	CU_ASSERT_EQUAL(STAT(&r, aperture), 3);
	/* The next page of the slice has no entry: all-ones, counted as a miss. */
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR2 + p.low_base + 0x1000, 4, 0), 0xffffffffu);
	CU_ASSERT_EQUAL(STAT(&r, aperture_miss), 1);
	/* BAR2 outside the slice is nobody's. */
	if (p.low_base)
		CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR2, 4, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR2 + p.low_base + p.low_size, 4, 0), MPQ_NOVAL);
	/* Memory decode off: the slice is "unmapped", accesses are unclaimed. */
	CU_ASSERT_EQUAL(q_cfg(&r, true, 0x04, 2, 0x1), 0);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR2 + p.low_base + 0x10, 4, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(STAT(&r, aperture), 4);
	rig_down(&r);
}

/* Arm GT0 for RCS user interrupts with the master on: INTx follows. */
static void
arm_gt0(struct rig *r)
{
	reg_wr(r, GT0_IER, 1);
	reg_wr(r, GT0_IMR, ~1u);
	reg_wr(r, MASTER, 1u << 31);
}

static void
raise_user(struct rig *r)
{
	pthread_mutex_lock(&r->v->lock);
	irq_raise(r->v, EV_RCS_USER);
	pthread_mutex_unlock(&r->v->lock);
}

static void
resample(struct rig *r)
{
	uint64_t one = 1;

	CU_ASSERT_EQUAL(write(r->resample, &one, sizeof(one)), (ssize_t)sizeof(one));
	serve(r);
}

static void
test_intx(void)
{
	struct rig r;
	int old_irq;

	rig_up(&r, true);
	q_sysmem(&r);
	q_irqfd(&r);
	place_bars(&r);
	arm_gt0(&r);
	CU_ASSERT_EQUAL(irq_count(&r), 0);
	raise_user(&r);
	/* 0 -> 1: one signal; the status register shows the condition. */
	CU_ASSERT_EQUAL(irq_count(&r), 1);
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x06, 2, 0) & 0x8, 0x8);
	/* A second event while high: no new edge. */
	raise_user(&r);
	CU_ASSERT_EQUAL(irq_count(&r), 0);
	/* Resample while still high: signalled again (KVM resamplefd semantics). */
	resample(&r);
	CU_ASSERT_EQUAL(irq_count(&r), 1);
	CU_ASSERT_EQUAL(STAT(&r, resamples), 1);
	CU_ASSERT_TRUE(q_quiet(&r));	/* no answer to a resample */
	/* The guest clears IIR: the line drops; a resample then raises nothing. */
	reg_wr(&r, GT0_IIR, 1);
	CU_ASSERT_EQUAL(r.hv->level, false);
	resample(&r);
	CU_ASSERT_EQUAL(irq_count(&r), 0);
	/* New fds while the line is high: the new irqfd gets its edge at once. */
	raise_user(&r);
	CU_ASSERT_EQUAL(irq_count(&r), 1);
	old_irq = r.irq;
	close(r.resample);
	q_irqfd(&r);
	CU_ASSERT_EQUAL(irq_count(&r), 1);
	close(old_irq);
	CU_ASSERT_EQUAL(STAT(&r, set_irqfd), 2);
	/* INTx Disable in the command register: the pin drops. */
	CU_ASSERT_EQUAL(q_cfg(&r, true, 0x04, 2, 0x407), 0);
	CU_ASSERT_EQUAL(r.hv->level, false);
	resample(&r);
	CU_ASSERT_EQUAL(irq_count(&r), 0);
	/* SET_IRQFD with fds that are not eventfds: refused, no answer, the old ones kept. */
	{
		int sv[2], fds[2];

		CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		fds[0] = sv[0];
		fds[1] = sv[1];
		q_send(&r, MPQ_SET_IRQFD, NULL, 0, fds, 2);
		serve(&r);
		CU_ASSERT_TRUE(q_quiet(&r));
		CU_ASSERT_EQUAL(STAT(&r, set_irqfd), 2);
		CU_ASSERT_EQUAL(STAT(&r, refused), 1);
		CU_ASSERT_TRUE(r.hv->irqfd >= 0);
		raise_user(&r);	/* the line: still INTx-disabled, so nothing */
		CU_ASSERT_EQUAL(irq_count(&r), 0);
		CU_ASSERT_EQUAL(q_cfg(&r, true, 0x04, 2, 0x7), 0);
		CU_ASSERT_EQUAL(irq_count(&r), 1);	/* enabled again: the pending condition raises it */
		close(sv[0]);
		close(sv[1]);
	}
	rig_down(&r);
}

static void
test_reset(void)
{
	struct rig r;
	uint8_t buf[64];
	int32_t cmd;
	uint64_t size;

	rig_up(&r, true);
	q_send(&r, MPQ_DEVICE_RESET, NULL, 0, NULL, 0);
	serve(&r);
	/* An empty RET, as QEMU's remote answers: 16 bytes. */
	CU_ASSERT_EQUAL(recv(r.q, buf, sizeof(buf), MSG_DONTWAIT), MPQ_HDR_SIZE);
	memcpy(&cmd, buf, 4);
	memcpy(&size, buf + 8, 8);
	CU_ASSERT_EQUAL(cmd, MPQ_RET);
	CU_ASSERT_EQUAL(size, 0);
	CU_ASSERT_EQUAL(STAT(&r, resets), 1);
	CU_ASSERT_FALSE(qg_hung_up(r.hv));
	/* The daemon takes it once (and replaces the vGPU). */
	CU_ASSERT_TRUE(qg_take_reset(r.hv));
	CU_ASSERT_FALSE(qg_take_reset(r.hv));
	/* A message right behind a reset waits for the next round: the daemon acts in between. */
	q_send(&r, MPQ_DEVICE_RESET, NULL, 0, NULL, 0);
	q_send(&r, MPQ_CFG_READ, &(struct mpq_conf){ .addr = 0, .len = 2 }, sizeof(struct mpq_conf),
	       NULL, 0);
	CU_ASSERT_EQUAL(qg_scan(r.hv), 1);
	CU_ASSERT_EQUAL(recv(r.q, buf, sizeof(buf), MSG_DONTWAIT), MPQ_HDR_SIZE);
	CU_ASSERT_TRUE(q_quiet(&r));
	CU_ASSERT_TRUE(qg_take_reset(r.hv));
	CU_ASSERT_EQUAL(qg_scan(r.hv), 1);
	CU_ASSERT_EQUAL(q_ret(&r), 0x8086);
	rig_down(&r);
}

/* Guest RAM from SYNC_SYSMEM as the hypervisor ops see it. */
static void
test_guest_ram(void)
{
	struct rig r;
	uint64_t dma = 0, win;
	uint8_t b[8];

	rig_up(&r, true);
	/* No RAM yet: nothing reads, no DMA. */
	CU_ASSERT_EQUAL(hv_qemu_ops.read_gpa(r.hv, 0x1000, b, 4), -EFAULT);
	CU_ASSERT_EQUAL(hv_qemu_ops.gfn_to_dma(r.hv, 1, &dma), -EOPNOTSUPP);
	q_sysmem(&r);
	memcpy(r.ram_va + 0x1000, "ramtest!", 8);
	CU_ASSERT_EQUAL(hv_qemu_ops.read_gpa(r.hv, 0x1000, b, 8), 0);
	CU_ASSERT_EQUAL(memcmp(b, "ramtest!", 8), 0);
	CU_ASSERT_EQUAL(hv_qemu_ops.write_gpa(r.hv, 0x300000, "written", 7), 0);
	CU_ASSERT_EQUAL(memcmp(r.ram_va + 0x300000, "written", 7), 0);
	/* The hole and past the end: -EFAULT, all or nothing. */
	CU_ASSERT_EQUAL(hv_qemu_ops.read_gpa(r.hv, HOLE_LO, b, 4), -EFAULT);
	memset(r.ram_va + HOLE_LO - 4, 0x5a, 4);
	CU_ASSERT_EQUAL(hv_qemu_ops.write_gpa(r.hv, HOLE_LO - 4, "12345678", 8), -EFAULT);
	CU_ASSERT_EQUAL(r.ram_va[HOLE_LO - 4], 0x5a);
	CU_ASSERT_EQUAL(hv_qemu_ops.read_gpa(r.hv, RAM_SIZE - 4, b, 8), -EFAULT);
	/* DMA: window + gpa for RAM, -EFAULT elsewhere. */
	win = r.hv->win_maddr;
	CU_ASSERT_EQUAL(win % (2u << 20), 0);
	CU_ASSERT_EQUAL(hv_qemu_ops.gfn_to_dma(r.hv, 0x123, &dma), 0);
	CU_ASSERT_EQUAL(dma, win + 0x123000);
	CU_ASSERT_EQUAL(hv_qemu_ops.gfn_to_dma(r.hv, HOLE_LO >> 12, &dma), -EFAULT);
	CU_ASSERT_EQUAL(hv_qemu_ops.gfn_to_dma(r.hv, RAM_SIZE >> 12, &dma), -EFAULT);
	/* What the GPU would see at that DMA address is the guest's page. */
	{
		uint32_t v = 0;

		memcpy(r.ram_va + 0x123008, "\x78\x56\x34\x12", 4);
		CU_ASSERT_EQUAL(xensim_mem_rw(r.hv->mem, win + 0x123008, &v, 4, false), 0);
		CU_ASSERT_EQUAL(v, 0x12345678u);
	}
	/* The same layout again (QEMU re-sends on every topology change): nothing moves. */
	q_sysmem(&r);
	CU_ASSERT_EQUAL(STAT(&r, sync_sysmem), 2);
	CU_ASSERT_EQUAL(STAT(&r, sync_same), 1);
	CU_ASSERT_EQUAL(r.hv->win_maddr, win);
	/* A layout with a bad region: that one is ignored, the rest taken. */
	{
		struct mpq_sysmem s = { 0 };
		int fds[3] = { r.ram, r.ram, r.ram };

		s.gpas[0] = 0;
		s.sizes[0] = 0x10000;
		s.gpas[1] = 0x100000;
		s.sizes[1] = RAM_SIZE;	/* past the file's end */
		s.offsets[1] = 0x100000;
		s.gpas[2] = 0x8000;	/* overlaps region 0 */
		s.sizes[2] = 0x1000;
		q_send(&r, MPQ_SYNC_SYSMEM, &s, sizeof(s), fds, 3);
		serve(&r);
		CU_ASSERT_EQUAL(STAT(&r, ram_rejected), 2);
		CU_ASSERT_EQUAL(hv_qemu_ops.read_gpa(r.hv, 0x1000, b, 8), 0);
		CU_ASSERT_EQUAL(hv_qemu_ops.read_gpa(r.hv, 0x300000, b, 4), -EFAULT);
		CU_ASSERT_EQUAL(hv_qemu_ops.gfn_to_dma(r.hv, 0x300, &dma), -EFAULT);
		CU_ASSERT_EQUAL(hv_qemu_ops.gfn_to_dma(r.hv, 0x1, &dma), 0);
		CU_ASSERT_EQUAL(dma, win + 0x1000);
	}
	/* No write protection here: no op at all, so the mediator resyncs (ppgtt_oos.c). */
	CU_ASSERT_PTR_NULL(hv_qemu_ops.wp_gfn);
	CU_ASSERT_TRUE(q_quiet(&r));
	rig_down(&r);
}

/* What a fake QEMU may send that breaks the protocol: the connection is dropped. */
static void
test_violations(void)
{
	static const struct {
		int32_t cmd;
		uint64_t size;
		unsigned int nfds;
	} bad[] = {
		{ MPQ_BAR_READ, sizeof(struct mpq_bar), 1 },	/* fds on a BAR access */
		{ MPQ_CFG_READ, 8, 0 },				/* wrong size */
		{ MPQ_RET, 8, 0 },				/* answers are ours */
		{ 42, 0, 0 },					/* unknown */
		{ -1, 0, 0 },
		{ MPQ_SET_IRQFD, 0, 1 },			/* one fd */
		{ MPQ_DEVICE_RESET, 8, 0 },
		{ MPQ_SYNC_SYSMEM, 64, 1 },
		{ MPQ_BAR_READ, sizeof(struct mpq_bar), 9 },	/* more fds than any message */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t data[MPQ_DATA_MAX] = { 0 }, buf[16];
		int fds[9];
		ssize_t n;
		struct vgpu_stats st;
		struct rig r;

		rig_up(&r, true);
		for (unsigned int f = 0; f < bad[i].nfds; f++)
			fds[f] = r.ram;
		q_send(&r, bad[i].cmd, data, bad[i].size, fds, bad[i].nfds);
		serve(&r);
		/* QEMU sees the connection end (reset if data was left unread); no answer came first. */
		errno = 0;
		n = recv(r.q, buf, sizeof(buf), MSG_DONTWAIT);
		CU_ASSERT_TRUE(n == 0 || (n < 0 && errno == ECONNRESET));
		CU_ASSERT_TRUE(qg_hung_up(r.hv));
		CU_ASSERT_EQUAL(STAT(&r, violations), 1);
		vgpu_get_stats(r.v, &st);
		CU_ASSERT_TRUE(st.failsafe);
		rig_down(&r);
	}
}

/* An oversized header (the size field) is caught before any data is read. */
static void
test_oversized(void)
{
	uint8_t hdr[MPQ_HDR_SIZE] = { 0 }, buf[16];
	int32_t cmd = MPQ_BAR_READ;
	uint64_t size = 100000;
	struct rig r;

	rig_up(&r, false);
	memcpy(hdr, &cmd, 4);
	memcpy(hdr + 8, &size, 8);
	CU_ASSERT_EQUAL(send(r.q, hdr, sizeof(hdr), MSG_NOSIGNAL), (ssize_t)sizeof(hdr));
	serve(&r);
	CU_ASSERT_EQUAL(recv(r.q, buf, sizeof(buf), MSG_DONTWAIT), 0);
	CU_ASSERT_EQUAL(STAT(&r, violations), 1);
	rig_down(&r);
}

/* A message in pieces is served once it is whole; its fds ride on the first piece. */
static void
test_split_message(void)
{
	struct mpq_conf c = { .addr = 0, .len = 2 };
	uint8_t msg[MPQ_HDR_SIZE + sizeof(c)] = { 0 };
	int32_t cmd = MPQ_CFG_READ;
	uint64_t size = sizeof(c);
	struct rig r;

	rig_up(&r, true);
	memcpy(msg, &cmd, 4);
	memcpy(msg + 8, &size, 8);
	memcpy(msg + MPQ_HDR_SIZE, &c, sizeof(c));
	CU_ASSERT_EQUAL(send(r.q, msg, 10, MSG_NOSIGNAL), 10);
	serve(&r);
	CU_ASSERT_TRUE(q_quiet(&r));
	CU_ASSERT_FALSE(qg_idle(r.hv));	/* half a message in hand */
	CU_ASSERT_EQUAL(send(r.q, msg + 10, sizeof(msg) - 10, MSG_NOSIGNAL),
			(ssize_t)(sizeof(msg) - 10));
	serve(&r);
	CU_ASSERT_EQUAL(q_ret(&r), 0x8086);
	CU_ASSERT_TRUE(qg_idle(r.hv));
	/* Two messages in one write: both served, answers in order. */
	{
		uint8_t two[2 * sizeof(msg)];
		uint8_t buf[64];
		uint64_t a, b;

		memcpy(two, msg, sizeof(msg));
		memcpy(two + sizeof(msg), msg, sizeof(msg));
		((struct mpq_conf *)(void *)(two + sizeof(msg) + MPQ_HDR_SIZE))->addr = 2;
		CU_ASSERT_EQUAL(send(r.q, two, sizeof(two), MSG_NOSIGNAL), (ssize_t)sizeof(two));
		serve(&r);
		CU_ASSERT_EQUAL(recv(r.q, buf, sizeof(buf), MSG_DONTWAIT), 2 * (MPQ_HDR_SIZE + 8));
		memcpy(&a, buf + MPQ_HDR_SIZE, 8);
		memcpy(&b, buf + 2 * MPQ_HDR_SIZE + 8, 8);
		CU_ASSERT_EQUAL(a, 0x8086);
		CU_ASSERT_EQUAL(b, SOFTGPU_DEVICE_ID);
	}
	rig_down(&r);
}

/* Without a vGPU (between unhook and detach): safe answers. */
static void
test_unhooked(void)
{
	struct rig r;

	rig_up(&r, true);
	place_bars(&r);
	qg_set_vgpu(r.hv, NULL);
	CU_ASSERT_EQUAL(q_cfg(&r, false, 0x00, 2, 0), 0xffff);
	CU_ASSERT_EQUAL(q_cfg(&r, true, 0x04, 2, 0), 0);
	CU_ASSERT_EQUAL(q_bar(&r, false, true, BAR0 + 0x78000, 4, 0), MPQ_NOVAL);
	CU_ASSERT_EQUAL(q_bar(&r, true, true, BAR0 + 0x78000, 4, 0), 0);
	CU_ASSERT_EQUAL(STAT(&r, unhooked), 4);
	qg_set_vgpu(r.hv, r.v);
	rig_down(&r);
}

/* QEMU exits: the watch fires and the guest reads as gone; others run on. */
static void
test_hangup_watch(void)
{
	struct glue_guest g = { .domid = DOMID + 1, .dev = 2 };
	struct glue_watch *w = NULL;
	struct hv *other = NULL;
	struct pollfd p;
	unsigned int reason = 99;
	char err[128];
	int sv[2];
	struct rig r;

	rig_up(&r, false);
	CU_ASSERT_EQUAL_FATAL(qg_watch_open(&w, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	CU_ASSERT_EQUAL_FATAL(qg_attach_fd(&g, sv[1], &other, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(qg_guest_state(w, DOMID, &reason), GLUE_DOM_RUNNING);
	CU_ASSERT_FALSE(qg_watch_fired(w));
	close(r.q);
	r.q = -1;
	serve(&r);
	CU_ASSERT_TRUE(qg_hung_up(r.hv));
	p = (struct pollfd){ .fd = qg_watch_fd(w), .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 1);
	CU_ASSERT_TRUE(qg_watch_fired(w));
	CU_ASSERT_EQUAL(qg_guest_state(w, DOMID, &reason), GLUE_DOM_GONE);
	CU_ASSERT_EQUAL(reason, 0);
	CU_ASSERT_EQUAL(qg_guest_state(w, DOMID + 1, &reason), GLUE_DOM_RUNNING);
	CU_ASSERT_EQUAL(qg_guest_state(w, 77, &reason), GLUE_DOM_GONE);
	/* Nothing left to poll: the hung-up socket left the epoll set. */
	p = (struct pollfd){ .fd = qg_fd(r.hv), .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 0);
	CU_ASSERT_EQUAL(qg_scan(r.hv), 0);
	/* Gone: releases succeed, claims are refused. */
	qg_gone(r.hv);
	CU_ASSERT_EQUAL(hv_qemu_ops.claim_io(r.hv, true, BAR0, BAR0 + 0xfff, true), -ESRCH);
	CU_ASSERT_EQUAL(hv_qemu_ops.claim_io(r.hv, true, BAR0, BAR0 + 0xfff, false), 0);
	/* Ranges that are none: backwards, or ports past 0xffff. */
	CU_ASSERT_EQUAL(hv_qemu_ops.claim_io(r.hv, true, BAR0 + 0x1000, BAR0, true), -EINVAL);
	CU_ASSERT_EQUAL(hv_qemu_ops.claim_io(r.hv, false, 0xfff0, 0x1000f, true), -EINVAL);
	CU_ASSERT_EQUAL(hv_qemu_ops.map_aperture(r.hv, 0x1000, 0, 1, false), 0);
	qg_detach(other);
	close(sv[0]);
	qg_watch_close(w);
	rig_down(&r);
}

/* Every row of the trap map is the proxy's, the aperture's with its accesses. */
static void
test_trap_rows(void)
{
	struct trap_entry rows[32];
	struct vgpu_partition p;
	struct rig r;
	size_t n;
	bool ap = false;

	rig_up(&r, true);
	q_sysmem(&r);
	place_bars(&r);
	vgpu_get_partition(r.v, &p);
	(void)q_bar(&r, false, true, BAR2 + p.low_base, 4, 0);
	(void)q_bar(&r, false, true, BAR2 + p.low_base + 8, 4, 0);
	n = vgpu_trap_map(r.v, rows, 32);
	qg_trap_rows(r.hv, rows, 32, &n);
	CU_ASSERT_TRUE(n >= 5);
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(rows[i].mech, TRAP_PROXY);
		if (rows[i].start == BAR2 + p.low_base) {
			ap = true;
			CU_ASSERT_EQUAL(rows[i].traps, 2);
		}
	}
	CU_ASSERT_TRUE(ap);
	rig_down(&r);
}

struct kv {
	char keys[48][32];
	uint64_t vals[48];
	unsigned int n;
};

static void
kv_put(void *arg, const char *key, uint64_t val)
{
	struct kv *kv = arg;

	if (kv->n < 48) {
		snprintf(kv->keys[kv->n], sizeof(kv->keys[0]), "%s", key);
		kv->vals[kv->n++] = val;
	}
}

static uint64_t
kv_get(const struct kv *kv, const char *key)
{
	for (unsigned int i = 0; i < kv->n; i++)
		if (!strcmp(kv->keys[i], key))
			return kv->vals[i];
	CU_FAIL("missing key");
	return ~0ull;
}

static void
test_stats(void)
{
	struct kv kv = { .n = 0 };
	struct glue_stat_sink sink = { kv_put, &kv };
	struct rig r;

	rig_up(&r, true);
	q_sysmem(&r);
	q_irqfd(&r);
	(void)q_cfg(&r, false, 0, 2, 0);
	qg_stats(r.hv, &sink);
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_cfg_read"), 1);
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_sync_sysmem"), 1);
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_set_irqfd"), 1);
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_ram_regions"), 2);
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_ram_bytes"), RAM_SIZE - (HOLE_HI - HOLE_LO));
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_dma_window"), r.hv->win_maddr);
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_irqfd"), 1);
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_connected"), 1);
	CU_ASSERT_EQUAL(kv_get(&kv, "qemu_violations"), 0);
	rig_down(&r);
}

/* --proxy-fd [DOMID:]FD, and which attach takes which socket. */
static void
test_options(void)
{
	struct glue_guest g = { .dev = 2 };
	struct hv *a = NULL, *b = NULL, *c = NULL;
	char err[128] = "", big[32], mach[64];
	int s1[2], s2[2], pfd[2];

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	qg_options_reset();
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s1), 0);
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s2), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(pfd), 0);
	snprintf(big, sizeof(big), "%d", s1[1]);
	CU_ASSERT_EQUAL(qg_parse_option(1100, big), 0);
	CU_ASSERT_EQUAL(qg_parse_option(1100, big), -EINVAL);		/* the same fd twice */
	snprintf(big, sizeof(big), "7:%d", s2[1]);
	CU_ASSERT_EQUAL(qg_parse_option(1100, big), 0);
	snprintf(big, sizeof(big), "7:%d", pfd[0]);
	CU_ASSERT_EQUAL(qg_parse_option(1100, big), -EINVAL);		/* domain 7 twice */
	snprintf(big, sizeof(big), "%d", pfd[0]);
	CU_ASSERT_EQUAL(qg_parse_option(1100, big), 0);			/* a pipe: refused at attach */
	CU_ASSERT_EQUAL(qg_parse_option(1100, "x"), -EINVAL);
	CU_ASSERT_EQUAL(qg_parse_option(1100, ""), -EINVAL);
	CU_ASSERT_EQUAL(qg_parse_option(1100, "0:3"), -EINVAL);
	CU_ASSERT_EQUAL(qg_parse_option(1100, "32752:3"), -EINVAL);
	CU_ASSERT_EQUAL(qg_parse_option(1100, "5:"), -EINVAL);
	CU_ASSERT_EQUAL(qg_parse_option(1100, "-3"), -EINVAL);
	CU_ASSERT_EQUAL(qg_parse_option(1100, "999999"), -EINVAL);	/* not open */
	CU_ASSERT_EQUAL(qg_parse_option(1099, "3"), -EINVAL);
	/* Domain 7 gets its own; domain 3 the first anonymous one. */
	g.domid = 7;
	CU_ASSERT_EQUAL(qg_attach(&g, &a, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(a->sock, s2[1]);
	g.domid = 3;
	CU_ASSERT_EQUAL(qg_attach(&g, &b, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b->sock, s1[1]);
	/* The next anonymous one is a pipe: refused, with a reason. */
	g.domid = 4;
	CU_ASSERT_EQUAL(qg_attach(&g, &c, err, sizeof(err)), -ENOTSOCK);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a socket"));
	/* None left. */
	g.domid = 9;
	CU_ASSERT_EQUAL(qg_attach(&g, &c, err, sizeof(err)), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no --proxy-fd for domain 9");
	/* The attached sockets are non-blocking now. */
	CU_ASSERT_TRUE(fcntl(a->sock, F_GETFL) & O_NONBLOCK);
	qg_detach(a);
	qg_detach(b);
	qg_options_reset();
	close(s1[0]);
	close(s2[0]);
	close(pfd[1]);
	test_machine_done(mach);
}

void suite_qemu_glue(void);

void
suite_qemu_glue(void)
{
	static const struct test_case cases[] = {
		{ "x-pci-proxy-dev probe: ids, 32-bit BAR sizes, INTA, no MSI", test_probe },
		{ "BAR accesses at absolute addresses, claims, refusals, moves", test_bars },
		{ "GGTT write through BAR0, aperture read/write through BAR2", test_aperture },
		{ "INTx: irqfd on 0->1, re-raise on resample while high", test_intx },
		{ "DEVICE_RESET answered with an empty RET", test_reset },
		{ "SYNC_SYSMEM: guest RAM, holes, DMA window, resends, bad regions", test_guest_ram },
		{ "protocol violations drop the connection, vGPU failsafe", test_violations },
		{ "an oversized header is a violation", test_oversized },
		{ "split and coalesced messages", test_split_message },
		{ "answers without a vGPU", test_unhooked },
		{ "QEMU hangs up: watch fires, guest gone", test_hangup_watch },
		{ "trap map rows are the proxy's", test_trap_rows },
		{ "counters", test_stats },
		{ "--proxy-fd and attach", test_options },
		{ NULL, NULL },
	};

	test_add_suite("qemu_glue", cases);
}
