/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_route.c — libxensim routes guest accesses as Xen 4.17 does:
 * which ioreq server wins an address, port or SBDF (ioreq_server_select),
 * how a rep access is cut into ioreqs (hvm/emulate.c), the buffered ring's
 * pointer rebase (ioreq_send_buffered), MSI injection (hvm/irq.c, vmsi.c)
 * and INTx levels (dm.c). Each test runs on a private machine.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xendevicemodel.h>
#include <xenforeignmemory.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/ioreq.h>
#include <xen/memory.h>

#include "sim/xensim.h"
#include "tests/test_util.h"
#include "tests/unit/xsim_dm.h"

#define MMIO 0xe0000000ull	/* a claimed MMIO window: three pages */
#define MMIO_LAST (MMIO + 0x2fff)
#define PORT 0x1000
#define SBDF_DEV 3		/* 00:03.0 */

static char mach[64];

/* A new server (no buffered ring) claiming the MMIO window, the port range and 00:03.0. */
static ioservid_t
claiming_server(xendevicemodel_handle *dm, int domid)
{
	ioservid_t id = 0xffff;

	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, MMIO,
								    MMIO_LAST), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 0, PORT,
								    PORT + 15), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_pcidev_to_ioreq_server(dm, domid, id, 0, 0, SBDF_DEV, 0),
			0);
	return id;
}

/* The server that answers an MMIO read, a port read and a config read, all the same one. */
static int
winner(struct sim_vcpu *c)
{
	uint64_t v = 0;
	uint32_t p = 0, cfg = 0;

	CU_ASSERT_EQUAL(sim_mem_read(c, MMIO + 0x10, 4, &v), 0);
	CU_ASSERT_EQUAL(sim_pio_read(c, PORT + 4, 4, &p), 0);
	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcf8, 4, 0x80000000u | (SBDF_DEV << 11)), 0);
	CU_ASSERT_EQUAL(sim_pio_read(c, 0xcfc, 4, &cfg), 0);
	CU_ASSERT_EQUAL(v, p);
	CU_ASSERT_EQUAL(v, cfg);
	return (v & 0xff000000u) != XDM_ANSWER(0) ? -1 : (int)((v >> 16) & 0xff);
}

/*
 * ioreq_server_select walks FOR_EACH_IOREQ_SERVER from the highest id
 * down; ids are the lowest free slot. So the later of two servers wins
 * while it has the higher id, the other gets everything back once it is
 * destroyed, and a server created into a freed lower slot loses although
 * it is the newest.
 */
static void
test_server_selection(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	struct sim_vcpu *c = sim_vcpu_attach(mach, domid, 0);
	struct xdm *xa, *xb, *xc, *xd;
	ioservid_t a, b, cs, d;

	CU_ASSERT_FATAL(dm && c);
	/* One device model per server, stopped before its slot is reused. */
	a = claiming_server(dm, domid);
	b = claiming_server(dm, domid);
	CU_ASSERT_EQUAL(a, 0);
	CU_ASSERT_EQUAL(b, 1);
	xa = xdm_start(domid, 1, (uint16_t[]){ a }, 1);
	xb = xdm_start(domid, 1, (uint16_t[]){ b }, 1);
	CU_ASSERT_FATAL(xa && xb);
	CU_ASSERT_EQUAL(winner(c), (int)b);
	CU_ASSERT_EQUAL(xdm_nrec(xb), 3);
	CU_ASSERT_EQUAL(xb->rec[2].type, IOREQ_TYPE_PCI_CONFIG);
	CU_ASSERT_EQUAL(xdm_nrec(xa), 0);
	/* b gone: a serves all three again. */
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, b), 0);
	CU_ASSERT_EQUAL(xdm_stop(xb), 0);
	CU_ASSERT_EQUAL(winner(c), (int)a);
	CU_ASSERT_EQUAL(xdm_nrec(xa), 3);
	/* A new server takes the free slot 1: the highest, it wins. */
	cs = claiming_server(dm, domid);
	CU_ASSERT_EQUAL(cs, 1);
	xc = xdm_start(domid, 1, (uint16_t[]){ cs }, 1);
	CU_ASSERT_FATAL(xc != NULL);
	CU_ASSERT_EQUAL(winner(c), (int)cs);
	/* a goes; the newest server d takes slot 0 and still loses to slot 1. */
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, a), 0);
	CU_ASSERT_EQUAL(xdm_stop(xa), 0);
	d = claiming_server(dm, domid);
	CU_ASSERT_EQUAL(d, 0);
	xd = xdm_start(domid, 1, (uint16_t[]){ d }, 1);
	CU_ASSERT_FATAL(xd != NULL);
	CU_ASSERT_EQUAL(winner(c), (int)cs);
	CU_ASSERT_EQUAL(xdm_nrec(xd), 0);
	/* A disabled server is skipped: d answers. */
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, cs, 0), 0);
	CU_ASSERT_EQUAL(winner(c), (int)d);
	CU_ASSERT_EQUAL(xdm_nrec(xd), 3);
	CU_ASSERT_EQUAL(xdm_stop(xc), 0);
	CU_ASSERT_EQUAL(xdm_stop(xd), 0);
	sim_vcpu_detach(c);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/* One expected ioreq of a rep: count, device address, RAM address. */
struct piece {
	uint32_t count;
	uint64_t addr, data;
};

static const struct {
	const char *what;
	bool pio, df;
	uint64_t dev, ram;
	unsigned int size;
	uint32_t count;
	struct piece p[3];
} rep_cases[] = {
	/* hvmemul_do_io_addr: forwards, (4096 - off) / size items fit in the RAM page. */
	{ "RAM page end", false, false, MMIO, 0x20ff0, 4, 8,
	  { { 4, MMIO, 0x20ff0 }, { 4, MMIO + 0x10, 0x21000 } } },
	/* An 8-byte item across two RAM pages: count 0, so one rep on its own. */
	{ "RAM straddle", false, false, MMIO, 0x20ffc, 8, 3,
	  { { 1, MMIO, 0x20ffc }, { 2, MMIO + 8, 0x21004 } } },
	/* Backwards: ((off + size - 1) & 0xfff) / size, one short of what fits. */
	{ "RAM backwards", false, true, MMIO + 0x10c, 0x3000c, 4, 4,
	  { { 3, MMIO + 0x10c, 0x3000c }, { 1, MMIO + 0x100, 0x30000 } } },
	/* hvmemul_do_io: rep MMIO cut at the device page's end (tail / size). */
	{ "device page end", false, false, MMIO + 0xff8, 0x20000, 4, 6,
	  { { 2, MMIO + 0xff8, 0x20000 }, { 4, MMIO + 0x1000, 0x20008 } } },
	/* ... backwards at its start ((off + size) / size) ... */
	{ "device page start, df", false, true, MMIO + 0x1004, 0x30800, 4, 4,
	  { { 2, MMIO + 0x1004, 0x30800 }, { 2, MMIO + 0xffc, 0x307f8 } } },
	/* ... and a single item across the device page: one rep. */
	{ "device straddle", false, false, MMIO + 0xffe, 0x20000, 4, 3,
	  { { 1, MMIO + 0xffe, 0x20000 }, { 2, MMIO + 0x1002, 0x20004 } } },
	/* PIO: only the RAM side is cut; the port stays. */
	{ "PIO", true, false, PORT, 0x22ffe, 2, 5,
	  { { 1, PORT, 0x22ffe }, { 4, PORT, 0x23000 } } },
};

/*
 * rep reads from the claimed window into RAM: the sequence of ioreqs
 * (count, addr, data) is Xen's, and the items land where they belong.
 */
static void
test_rep_split(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	struct sim_vcpu *c = sim_vcpu_attach(mach, domid, 0);
	ioservid_t id;
	struct xdm *x;

	CU_ASSERT_FATAL(dm && c);
	id = claiming_server(dm, domid);
	x = xdm_start(domid, 1, (uint16_t[]){ id }, 1);
	CU_ASSERT_FATAL(x != NULL);
	for (size_t k = 0; k < sizeof(rep_cases) / sizeof(rep_cases[0]); k++) {
		uint32_t n0 = xdm_nrec(x), n = 0;

		CU_ASSERT_EQUAL(sim_rep(c, rep_cases[k].pio, false, rep_cases[k].dev,
					rep_cases[k].ram, rep_cases[k].size, rep_cases[k].count,
					rep_cases[k].df), 0);
		while (n < 3 && rep_cases[k].p[n].count)
			n++;
		if (xdm_nrec(x) != n0 + n) {
			CU_FAIL("wrong number of ioreqs for a rep");
			fprintf(stderr, "\n    %s: %u ioreqs, want %u\n", rep_cases[k].what,
				xdm_nrec(x) - n0, n);
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			const struct xdm_rec *r = &x->rec[n0 + i];

			CU_ASSERT_EQUAL(r->count, rep_cases[k].p[i].count);
			CU_ASSERT_EQUAL(r->addr, rep_cases[k].p[i].addr);
			CU_ASSERT_EQUAL(r->data, rep_cases[k].p[i].data);
			CU_ASSERT_EQUAL(r->df, rep_cases[k].df);
			CU_ASSERT_EQUAL(r->data_is_ptr, 1);
			CU_ASSERT_EQUAL(r->dir, IOREQ_READ);
			CU_ASSERT_EQUAL(r->type, rep_cases[k].pio ? IOREQ_TYPE_PIO : IOREQ_TYPE_COPY);
			if (r->count != rep_cases[k].p[i].count || r->data != rep_cases[k].p[i].data)
				fprintf(stderr, "\n    %s: piece %u count %u data %#lx\n",
					rep_cases[k].what, i, r->count, (unsigned long)r->data);
		}
	}
	/* The straddling 8-byte item landed whole across the two pages. */
	{
		uint64_t v = 0;

		CU_ASSERT_EQUAL(sim_mem_read(c, 0x20ffc, 8, &v), 0);
		CU_ASSERT_EQUAL(v, XDM_ITEM(id, 0));
	}
	/* RAM side not RAM: refused before anything is sent. */
	{
		uint32_t n0 = xdm_nrec(x);

		CU_ASSERT_EQUAL(sim_rep(c, false, false, MMIO, 0x4000000, 4, 2, false), -EINVAL);
		CU_ASSERT_EQUAL(xdm_nrec(x), n0);
	}
	CU_ASSERT_EQUAL(xdm_stop(x), 0);
	sim_vcpu_detach(c);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/* Each piece of a rep picks its own server: the part past the window is unclaimed. */
static void
test_rep_pieces_route_alone(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	struct sim_vcpu *c = sim_vcpu_attach(mach, domid, 0);
	ioservid_t a, b;
	struct xdm *x;
	uint32_t *ram;

	CU_ASSERT_FATAL(dm && c);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &a), 0);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &b), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, a, 1, MMIO,
								    MMIO + 0xfff), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, b, 1, MMIO + 0x1000,
								    MMIO + 0x1fff), 0);
	x = xdm_start(domid, 1, (uint16_t[]){ a, b }, 2);
	CU_ASSERT_FATAL(x != NULL);
	/*
	 * 1028 items from the end of a's page across b's page and past it:
	 * 2 to a (device page end), 1022 to b (RAM page end), 2 more to b
	 * (device page end), 2 unclaimed.
	 */
	CU_ASSERT_EQUAL(sim_rep(c, false, false, MMIO + 0xff8, 0x20000, 4, 2 + 1024 + 2, false), 0);
	CU_ASSERT_EQUAL_FATAL(xdm_nrec(x), 3);
	CU_ASSERT_EQUAL(x->rec[0].sid, a);
	CU_ASSERT_EQUAL(x->rec[0].count, 2);
	CU_ASSERT_EQUAL(x->rec[1].sid, b);
	CU_ASSERT_EQUAL(x->rec[1].count, 1022);
	CU_ASSERT_EQUAL(x->rec[2].sid, b);
	CU_ASSERT_EQUAL(x->rec[2].count, 2);
	CU_ASSERT_EQUAL(x->rec[2].addr, MMIO + 0x1ff8);
	ram = sim_guest_ram(c, 0x20000, 0x1010);
	CU_ASSERT_FATAL(ram != NULL);
	CU_ASSERT_EQUAL(ram[0], XDM_ITEM(a, 0));
	CU_ASSERT_EQUAL(ram[2], XDM_ITEM(b, 0));
	CU_ASSERT_EQUAL(ram[1023], XDM_ITEM(b, 1021));
	/* Then b's second ioreq, then the unclaimed items: all-ones. */
	CU_ASSERT_EQUAL(ram[1024], XDM_ITEM(b, 0));
	CU_ASSERT_EQUAL(ram[1025], XDM_ITEM(b, 1));
	CU_ASSERT_EQUAL(ram[1026], 0xffffffffu);
	CU_ASSERT_EQUAL(ram[1027], 0xffffffffu);
	CU_ASSERT_EQUAL(xdm_stop(x), 0);
	sim_vcpu_detach(c);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/*
 * hvm_inject_msi / vmsi_deliver. The sim's vLAPICs: IDs 2 * vcpu,
 * logical LDR bit vcpu. Only delivered MSIs are logged.
 */
static void
test_inject_msi(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 2);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	struct sim_vcpu *c;
	uint64_t addr = 0;
	uint32_t data = 0;

	CU_ASSERT_FATAL(dm != NULL);
	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	/* Delivery modes other than Fixed (0) / LowestPrio (1). */
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0xfee00000, 0x0241), EINVAL); /* SMI */
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0xfee00000, 0x0441), EINVAL); /* NMI */
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0xfee00000, 0x0741), EINVAL); /* ExtINT */
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid + 9, 0xfee00000, 0x41), ESRCH);
	/* Vector 0: the PIRQ path. pirq 0, or negative (bit 63): ERANGE. */
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0xfee00000, 0), ERANGE);
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0x80000000fee00000ull, 0), ERANGE);
	/* pirq 256 (addr[63:40] = 1) is past nr_pirqs (152): EINVAL. */
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0x00000100fee00000ull, 0), EINVAL);
	/* pirq 5 binds as IRQ_MSI_EMU; again is fine; a second pirq has no slot: EBUSY. */
	CU_ASSERT_EQUAL(xendevicemodel_inject_msi(dm, domid, 0xfee05000, 0), 0);
	CU_ASSERT_EQUAL(xendevicemodel_inject_msi(dm, domid, 0xfee05000, 0), 0);
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0xfee06000, 0), EBUSY);
	CU_ASSERT_EQUAL(sim_msi_count(c), 0); /* no event channel bound: nothing delivered */
	/* Fixed to nobody (physical 5; vCPUs are 0 and 2): 0, not delivered. */
	CU_ASSERT_EQUAL(xendevicemodel_inject_msi(dm, domid, 0xfee05000, 0x4041), 0);
	/* LowestPrio to nobody: ESRCH. */
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0xfee01000, 0x0151), ESRCH);
	EXPECT_ERR(xendevicemodel_inject_msi(dm, domid, 0xfee04004, 0x0151), ESRCH); /* logical 4 */
	CU_ASSERT_EQUAL(sim_msi_count(c), 0);
	/* Delivered: physical 0, physical 2 (vCPU 1), broadcast, logical 2 (vCPU 1). */
	CU_ASSERT_EQUAL(xendevicemodel_inject_msi(dm, domid, 0xfee00000, 0x4041), 0);
	CU_ASSERT_EQUAL(xendevicemodel_inject_msi(dm, domid, 0xfee02000, 0x0151), 0);
	CU_ASSERT_EQUAL(xendevicemodel_inject_msi(dm, domid, 0xfeeff000, 0x0052), 0);
	CU_ASSERT_EQUAL(xendevicemodel_inject_msi(dm, domid, 0xfee02004, 0x0053), 0);
	CU_ASSERT_EQUAL(sim_msi_count(c), 4);
	CU_ASSERT_EQUAL(sim_wait_msi(c, 100, &addr, &data), 0);
	CU_ASSERT_EQUAL(data, 0x4041);
	CU_ASSERT_EQUAL(sim_wait_msi(c, 100, &addr, &data), 0);
	CU_ASSERT_EQUAL(addr, 0xfee02000);
	CU_ASSERT_EQUAL(data, 0x0151);
	sim_vcpu_detach(c);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/* dm.c set_pci_intx_level: argument checks, and the level the guest sees. */
static void
test_intx_level(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);

	CU_ASSERT_FATAL(dm != NULL);
	EXPECT_ERR(xendevicemodel_set_pci_intx_level(dm, domid, 1, 0, 2, 0, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_pci_intx_level(dm, domid, 0, 1, 2, 0, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_pci_intx_level(dm, domid, 0, 0, 32, 0, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_pci_intx_level(dm, domid, 0, 0, 2, 4, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_pci_intx_level(dm, domid, 0, 0, 2, 0, 2), EINVAL);
	EXPECT_ERR(xendevicemodel_set_pci_intx_level(dm, domid + 9, 0, 0, 2, 0, 2), ESRCH);
	CU_ASSERT_EQUAL(xensim_intx_level(mach, domid, 2, 0), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_pci_intx_level(dm, domid, 0, 0, 2, 0, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_pci_intx_level(dm, domid, 0, 0, 31, 3, 1), 0);
	CU_ASSERT_EQUAL(xensim_intx_level(mach, domid, 2, 0), 1);
	CU_ASSERT_EQUAL(xensim_intx_level(mach, domid, 2, 1), 0);
	CU_ASSERT_EQUAL(xensim_intx_level(mach, domid, 31, 3), 1);
	/* The level is a u8 in the op: 256 is 0, a deassert. */
	CU_ASSERT_EQUAL(xendevicemodel_set_pci_intx_level(dm, domid, 0, 0, 2, 0, 256), 0);
	CU_ASSERT_EQUAL(xensim_intx_level(mach, domid, 2, 0), 0);
	CU_ASSERT_EQUAL(xensim_intx_level(mach, domid, 31, 3), 1);
	CU_ASSERT_EQUAL(xensim_intx_level(mach, domid, 32, 0), -EINVAL);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/* Queue k buffered writes from the guest (stdvga window). */
static void
push(struct sim_vcpu *c, unsigned int k)
{
	for (unsigned int i = 0; i < k; i++)
		CU_ASSERT_EQUAL(sim_buffered_write(c, 0xa0000 + (i & 0xff) * 4, 4, i), 0);
}

/*
 * ioreq_send_buffered's canonicalising loop: with ATOMIC, once
 * read_pointer has passed a ring both pointers drop by n * 511, retrying
 * while the device model moves read_pointer under the cmpxchg; LEGACY
 * pointers only grow.
 */
static void
test_buffered_rebase(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	struct sim_vcpu *c = sim_vcpu_attach(mach, domid, 0);
	const int modes[2] = { HVM_IOREQSRV_BUFIOREQ_ATOMIC, HVM_IOREQSRV_BUFIOREQ_LEGACY };

	CU_ASSERT_FATAL(dm && fm && c);
	for (int k = 0; k < 2; k++) {
		bool atomic = modes[k] == HVM_IOREQSRV_BUFIOREQ_ATOMIC;
		xenforeignmemory_resource_handle *res;
		volatile buffered_iopage_t *bp;
		void *addr = NULL;
		ioservid_t id;

		CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, modes[k], &id),
				      0);
		res = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, id, 0,
						    2, &addr, PROT_READ | PROT_WRITE, 0);
		CU_ASSERT_FATAL(res != NULL);
		bp = addr;
		CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, id, 1), 0);
		CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1,
									    0xa0000, 0xbffff), 0);
		/* Below a lap nothing moves. */
		push(c, 500);
		bp->read_pointer = 500;
		push(c, 20);
		CU_ASSERT_EQUAL(bp->read_pointer, 500);
		CU_ASSERT_EQUAL(bp->write_pointer, 520);
		/* The reader passed 511: the next send rebases both by 511 (ATOMIC). */
		bp->read_pointer = 515;
		push(c, 1);
		CU_ASSERT_EQUAL(bp->read_pointer, atomic ? 4 : 515);
		CU_ASSERT_EQUAL(bp->write_pointer, atomic ? 10 : 521);
		/*
		 * The reader takes one more slot between Xen's read of the pair
		 * and its cmpxchg: the cmpxchg fails and the loop goes round.
		 */
		bp->read_pointer = bp->write_pointer;
		push(c, 505);
		bp->read_pointer = bp->write_pointer - 1;
		CU_ASSERT_EQUAL(xensim_test_bufioreq_race(mach, 1), 0);
		push(c, 1);
		CU_ASSERT_EQUAL(bp->read_pointer, atomic ? 4 : 1025);
		CU_ASSERT_EQUAL(bp->write_pointer, atomic ? 5 : 1027);
		CU_ASSERT_EQUAL(xensim_test_bufioreq_race(mach, 0), 0);
		xenforeignmemory_unmap_resource(fm, res);
		CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, id), 0);
	}
	sim_vcpu_detach(c);
	xenforeignmemory_close(fm);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

void suite_xensim_route(void);

void
suite_xensim_route(void)
{
	static const struct test_case cases[] = {
		{ "highest server id wins, lowest free id on create", test_server_selection },
		{ "rep split into ioreqs as hvm/emulate.c", test_rep_split },
		{ "each rep piece routes on its own", test_rep_pieces_route_alone },
		{ "inject_msi: PIRQ path, delivery, destinations", test_inject_msi },
		{ "set_pci_intx_level checks and levels", test_intx_level },
		{ "buffered pointer rebase loop (ATOMIC only)", test_buffered_rebase },
		{ NULL, NULL },
	};

	test_add_suite("xensim_route", cases);
}
