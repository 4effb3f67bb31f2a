/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_rules.c — libxensim refuses what Xen refuses, with Xen's
 * errno: the HVMMEM_ioreq_server claim, direct memory mappings, ioreq
 * server ranges and resources, foreign mapping errors, restriction. Each
 * test runs on a private machine. p2m type rules: test_xensim_p2m.c;
 * routing, rep, MSI/INTx: test_xensim_route.c; domain life cycle:
 * test_xensim_life.c.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xentoolcore.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>
#include <xen/hvm/ioreq.h>

#include "sim/xensim.h"
#include "sim/softgpu/softgpu.h"
#include "tests/test_util.h"

static char mach[64];

static void
test_mem_type_claim(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	ioservid_t a, b;

	CU_ASSERT_FATAL(dm != NULL);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &a), 0);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &b), 0);
	/* No claim yet: EINVAL. */
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x10, 1), EINVAL);
	/* Claim rules: type, flags (READ rejected), one claimant. */
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, a, HVMMEM_ram_rw,
							       XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
		   EINVAL);
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, a, HVMMEM_ioreq_server,
							       XEN_DMOP_IOREQ_MEM_ACCESS_READ),
		   EINVAL);
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(
			   dm, domid, a, HVMMEM_ioreq_server,
			   XEN_DMOP_IOREQ_MEM_ACCESS_READ | XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
		   EINVAL);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, a, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, b, HVMMEM_ioreq_server,
							       XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
		   EBUSY);
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, a, HVMMEM_ioreq_server,
							       XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
		   EBUSY);
	/* Only the holder may unclaim. */
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, b, HVMMEM_ioreq_server, 0),
		   EINVAL);
	/* Now typed pages are allowed; ioreq_server -> ioreq_server is not; beyond RAM EINVAL. */
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x10, 2), 0);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x11, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 64 << 8, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, ~0ull, 2), EINVAL);
	/* Unclaim sweeps the pages back: b may claim and type 0x10 again. */
	CU_ASSERT_EQUAL(
		xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, a, HVMMEM_ioreq_server, 0), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, b, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x10, 1), 0);
	/* Destroy drops the claim WITHOUT sweeping: a new claim is EBUSY until reset. */
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, b), 0);
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, a, HVMMEM_ioreq_server,
							       XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
		   EBUSY);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, 0x10, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, a, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	/* A destroyed server is gone. */
	EXPECT_ERR(xendevicemodel_set_ioreq_server_state(dm, domid, b, 1), ENOENT);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

static void
test_server_rules(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 2);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	ioservid_t id;
	evtchn_port_t port = 0;
	unsigned int nr = 0;

	CU_ASSERT_FATAL(dm != NULL);
	EXPECT_ERR(xendevicemodel_create_ioreq_server(dm, domid, 3, &id), EINVAL);
	EXPECT_ERR(xendevicemodel_create_ioreq_server(dm, domid + 100, 0, &id), ESRCH);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 2, &id), 0);
	CU_ASSERT_EQUAL(xendevicemodel_nr_vcpus(dm, domid, &nr), 0);
	CU_ASSERT_EQUAL(nr, 2);
	CU_ASSERT_EQUAL(xendevicemodel_get_ioreq_server_info(dm, domid, id, NULL, NULL, &port), 0);
	CU_ASSERT(port > 0);
	EXPECT_ERR(xendevicemodel_get_ioreq_server_info(dm, domid, 7, NULL, NULL, &port), ENOENT);
	/* Ranges: end < start, overlap within a server, adjacent merge, partial unmap. */
	EXPECT_ERR(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, 0x2000, 0x1fff),
		   EINVAL);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, 0x1000, 0x1fff),
			0);
	EXPECT_ERR(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, 0x1800, 0x27ff),
		   EEXIST);
	EXPECT_ERR(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, 0x1fff, 0x1fff),
		   EEXIST);
	/* Same numbers as PORT are a different range set. */
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 0, 0x1000, 0x1003),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, 0x2000, 0x2fff),
			0);
	CU_ASSERT_EQUAL(
		xendevicemodel_unmap_io_range_from_ioreq_server(dm, domid, id, 1, 0x1800, 0x27ff), 0);
	EXPECT_ERR(xendevicemodel_unmap_io_range_from_ioreq_server(dm, domid, id, 1, 0x1800, 0x1800),
		   ENOENT);
	EXPECT_ERR(xendevicemodel_unmap_io_range_from_ioreq_server(dm, domid, id, 0, 0x5000, 0x5000),
		   ENOENT);
	/* PCI: device/function bounds, duplicate SBDF. */
	EXPECT_ERR(xendevicemodel_map_pcidev_to_ioreq_server(dm, domid, id, 0, 0, 32, 0), EINVAL);
	EXPECT_ERR(xendevicemodel_map_pcidev_to_ioreq_server(dm, domid, id, 0, 0, 2, 8), EINVAL);
	CU_ASSERT_EQUAL(xendevicemodel_map_pcidev_to_ioreq_server(dm, domid, id, 0, 0, 2, 0), 0);
	EXPECT_ERR(xendevicemodel_map_pcidev_to_ioreq_server(dm, domid, id, 0, 0, 2, 0), EEXIST);
	CU_ASSERT_EQUAL(xendevicemodel_unmap_pcidev_from_ioreq_server(dm, domid, id, 0, 0, 2, 0), 0);
	EXPECT_ERR(xendevicemodel_unmap_pcidev_from_ioreq_server(dm, domid, id, 0, 0, 2, 0), ENOENT);
	/* A server of another emulator domain: EPERM for every op. */
	CU_ASSERT_EQUAL(xensim_server_set_emulator(mach, domid, id, 5), 0);
	EXPECT_ERR(xendevicemodel_set_ioreq_server_state(dm, domid, id, 1), EPERM);
	EXPECT_ERR(xendevicemodel_map_io_range_to_ioreq_server(dm, domid, id, 1, 0x9000, 0x9fff),
		   EPERM);
	EXPECT_ERR(xendevicemodel_destroy_ioreq_server(dm, domid, id), EPERM);
	CU_ASSERT_EQUAL(xensim_server_set_emulator(mach, domid, id, 0), 0);
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, id), 0);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

static void
test_resource_and_vp_eport(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 3);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	xenforeignmemory_resource_handle *res;
	ioservid_t off, atomic;
	void *addr = NULL;
	shared_iopage_t *sp;

	CU_ASSERT_FATAL(dm && fm);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &off), 0);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 2, &atomic), 0);
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, off,
							 0, 2, &addr, PROT_READ | PROT_WRITE, 0));
	CU_ASSERT_EQUAL(errno, ENOENT);
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, off,
							 2, 1, &addr, PROT_READ | PROT_WRITE, 0));
	CU_ASSERT_EQUAL(errno, EINVAL);
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(fm, domid, XENMEM_resource_grant_table, 0,
							 0, 1, &addr, PROT_READ | PROT_WRITE, 0));
	CU_ASSERT_EQUAL(errno, EOPNOTSUPP);
	/* OFF server: frame 1 alone is the shared page. */
	addr = NULL;
	res = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, off, 1, 1, &addr,
					    PROT_READ | PROT_WRITE, 0);
	CU_ASSERT_FATAL(res != NULL);
	sp = addr;
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].vp_eport, 0); /* not meaningful before enable */
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, off, 1), 0);
	for (int v = 0; v < 3; v++) {
		CU_ASSERT(sp->vcpu_ioreq[v].vp_eport != 0);
		for (int w = 0; w < v; w++)
			CU_ASSERT(sp->vcpu_ioreq[v].vp_eport != sp->vcpu_ioreq[w].vp_eport);
		CU_ASSERT_EQUAL(sp->vcpu_ioreq[v].state, STATE_IOREQ_NONE);
	}
	xenforeignmemory_unmap_resource(fm, res);
	/* ATOMIC server: both frames map, the buffered page first. */
	addr = NULL;
	res = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, atomic, 0, 2,
					    &addr, PROT_READ | PROT_WRITE, 0);
	CU_ASSERT_FATAL(res != NULL);
	CU_ASSERT_EQUAL(((buffered_iopage_t *)addr)->write_pointer, 0);
	xenforeignmemory_unmap_resource(fm, res);
	xenforeignmemory_close(fm);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

static void
test_foreign_map(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	struct sim_vcpu *c;
	xen_pfn_t gfns[3] = { 0x20, 0xfeed0, 0x21 };
	int err[3] = { 1, 1, 1 };
	uint64_t v = 0;
	ioservid_t id;
	uint32_t *p;

	CU_ASSERT_FATAL(fm && dm);
	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	p = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 3, gfns, err);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(err[0], 0);
	CU_ASSERT_EQUAL(err[1], -EFAULT);
	CU_ASSERT_EQUAL(err[2], 0);
	p[0] = 0xdeadbeef;
	p[2048 + 1] = 0x12345678; /* page 2 = gfn 0x21, offset 8 */
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x20000, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0xdeadbeef);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x21004, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x12345678);
	xenforeignmemory_unmap(fm, p, 3);
	/* Without err[]: the bad page fails the whole call. */
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map(fm, domid, PROT_READ, 3, gfns, NULL));
	CU_ASSERT_EQUAL(errno, EFAULT);
	/* ioreq_server-typed pages stay mappable. */
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x20, 1), 0);
	p = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 1, gfns, NULL);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(p[0], 0xdeadbeef);
	xenforeignmemory_unmap(fm, p, 1);
	/* Unknown domain. */
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map(fm, domid + 9, PROT_READ, 1, gfns, err));
	CU_ASSERT_EQUAL(errno, ESRCH);
	sim_vcpu_detach(c);
	xendevicemodel_close(dm);
	xenforeignmemory_close(fm);
	test_machine_done(mach);
}

static void
test_memory_mapping(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	unsigned long ap_mfn = XENSIM_APERTURE_MADDR >> 12;
	unsigned long gfn = 0xe0000;
	struct sim_domain_info info[2];
	uint64_t maddr = 0, v = 0, counts[ROUTE_NR];
	enum sim_p2m t;
	xen_pfn_t ram_gfn = 0x10;
	struct sim_vcpu *c;
	uint32_t *ram;

	CU_ASSERT_FATAL(xc && fm);
	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 16, DPCI_ADD_MAPPING), EPERM);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, ap_mfn, 0x10000, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 16, DPCI_ADD_MAPPING), 0);
	/* Same mapping again is harmless. */
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 16, DPCI_ADD_MAPPING), 0);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, gfn + 3, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_DIRECT);
	CU_ASSERT_EQUAL(maddr, XENSIM_APERTURE_MADDR + 3 * 4096);
	/* Over RAM: allowed, the RAM page is replaced (set_typed_p2m_entry). */
	ram = sim_guest_ram(c, ram_gfn << 12, 4);
	CU_ASSERT_FATAL(ram != NULL);
	*ram = 0x600df00d;
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, ram_gfn, ap_mfn + 200, 1,
						 DPCI_ADD_MAPPING), 0);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, ram_gfn, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_DIRECT);
	CU_ASSERT_EQUAL(maddr, XENSIM_APERTURE_MADDR + 200 * 4096ull);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, counts), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, ram_gfn << 12, 4, &v), 0);
	CU_ASSERT(v != 0x600df00d);
	{
		uint64_t c2[ROUTE_NR];

		CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, c2), 0);
		CU_ASSERT_EQUAL(c2[ROUTE_DIRECT_READ], counts[ROUTE_DIRECT_READ] + 1);
		CU_ASSERT_EQUAL(c2[ROUTE_RAM_READ], counts[ROUTE_RAM_READ]);
	}
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map(fm, domid, PROT_READ, 1, &ram_gfn, NULL));
	CU_ASSERT_EQUAL(errno, EFAULT);
	/* Removing with a different mfn: Xen only warns and removes; RAM stays gone. */
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, ram_gfn, ap_mfn + 999, 1,
						 DPCI_REMOVE_MAPPING), 0);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, ram_gfn, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_HOLE);
	CU_ASSERT_EQUAL(sim_mem_read(c, ram_gfn << 12, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	/* Removing what is not mapped: EINVAL. */
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, ram_gfn, ap_mfn + 200, 1,
					    DPCI_REMOVE_MAPPING), EINVAL);
	/* Remove, then a new mapping goes in. */
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 16, DPCI_REMOVE_MAPPING), 0);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, gfn + 3, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_HOLE);
	CU_ASSERT_EQUAL(
		xc_domain_memory_mapping(xc, domid, gfn + 8, ap_mfn + 100, 16, DPCI_ADD_MAPPING), 0);
	/* Partial removal splits the mapping. */
	CU_ASSERT_EQUAL(
		xc_domain_memory_mapping(xc, domid, gfn + 10, ap_mfn + 102, 2, DPCI_REMOVE_MAPPING),
		0);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, gfn + 10, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_HOLE);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, gfn + 12, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_DIRECT);
	CU_ASSERT_EQUAL(maddr, XENSIM_APERTURE_MADDR + 104 * 4096ull);
	/* Revoked permission: EPERM again. */
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, ap_mfn, 0x10000, 0), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 1, DPCI_ADD_MAPPING), EPERM);
	EXPECT_ERR(xc_domain_iomem_permission(xc, domid + 50, ap_mfn, 1, 1), ESRCH);
	/*
	 * A mapped gfn to another mfn: EPERM and domain_crash(); libxc then
	 * removes the whole range it tried to add, which takes the old
	 * mapping of gfn + 12 with it (the remove ignores the mfn), up to the
	 * first gfn that is not mapped.
	 */
	CU_ASSERT_EQUAL(xensim_domain_list(mach, info, 2), 1);
	CU_ASSERT(!info[0].crashed);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, ap_mfn, 0x10000, 1), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn + 12, ap_mfn + 500, 2, DPCI_ADD_MAPPING),
		   EPERM);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, gfn + 12, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_HOLE);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, gfn + 13, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_HOLE);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, gfn + 14, &t, &maddr), 0);
	CU_ASSERT_EQUAL(t, P2M_DIRECT);
	CU_ASSERT_EQUAL(maddr, XENSIM_APERTURE_MADDR + 106 * 4096ull);
	CU_ASSERT_EQUAL(xensim_domain_list(mach, info, 2), 1);
	CU_ASSERT(info[0].crashed);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x1000, 4, &v), -ESRCH);
	CU_ASSERT_EQUAL(sim_pio_write(c, 0x80, 1, 0), -ESRCH);
	sim_vcpu_detach(c);
	xenforeignmemory_close(fm);
	xc_interface_close(xc);
	test_machine_done(mach);
}

/* iomem permissions are a rangeset: grants merge, a revoke splits. */
static void
test_iomem_rangeset(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	unsigned long a = XENSIM_APERTURE_MADDR >> 12;
	unsigned long gfn = 0xe0000;

	CU_ASSERT_FATAL(xc != NULL);
	/* 64 adjacent single-page grants (> SIM_MAX_IOMEM entries) merge into one. */
	for (unsigned long i = 0; i < 64; i++)
		CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, a + i, 1, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, a, 64, DPCI_ADD_MAPPING), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, a, 64, DPCI_REMOVE_MAPPING), 0);
	/* Overlapping grant extends it. */
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, a + 32, 64, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, a, 96, DPCI_ADD_MAPPING), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, a, 96, DPCI_REMOVE_MAPPING), 0);
	/* Revoke the middle: both sides stay permitted, the hole does not. */
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, a + 8, 2, 0), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, a, 8, DPCI_ADD_MAPPING), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn + 8, a + 8, 1, DPCI_ADD_MAPPING), EPERM);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn + 9, a + 9, 2, DPCI_ADD_MAPPING), EPERM);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn + 10, a + 10, 86, DPCI_ADD_MAPPING),
			0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn + 200, a, 16, DPCI_ADD_MAPPING), EPERM);
	/* Revoke spanning the ends of two ranges and past the last one. */
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, a + 4, 200, 0), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn + 300, a, 4, DPCI_ADD_MAPPING), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn + 310, a + 4, 1, DPCI_ADD_MAPPING),
		   EPERM);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn + 320, a + 95, 1, DPCI_ADD_MAPPING),
		   EPERM);
	xc_interface_close(xc);
	test_machine_done(mach);
}

/*
 * A vCPU waits for its answer for ever (Xen wait_for_io), so a request
 * these tests do not serve is sent from a forked copy of the vCPU: the
 * test sees it READY on the server page r, checks it, then answers it
 * (IORESP_READY and a notify on vp_eport) and reaps the copy.
 */
static pid_t
send_from_copy(struct sim_vcpu *c, int server, struct sim_raw_ioreq *raw,
	       volatile ioreq_t *r)
{
	pid_t pid = fork();

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit((raw ? sim_send_raw_ioreq(c, (uint32_t)server, raw) :
			     sim_broadcast_invalidate(c)) ? 1 : 0);
	for (int i = 0; i < 500 && r->state != STATE_IOREQ_READY; i++)
		usleep(10000);
	CU_ASSERT_EQUAL_FATAL(r->state, STATE_IOREQ_READY);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return pid;
}

static void
answer_copy(int domid, volatile ioreq_t *r, pid_t pid)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	xenevtchn_port_or_error_t local;
	int status = -1;

	CU_ASSERT_FATAL(xce != NULL);
	local = xenevtchn_bind_interdomain(xce, (uint32_t)domid, r->vp_eport);
	CU_ASSERT_FATAL(local > 0);
	r->state = STATE_IOREQ_INPROCESS;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->state = STATE_IORESP_READY;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	CU_ASSERT_EQUAL(xenevtchn_notify(xce, (evtchn_port_t)local), 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(r->state, STATE_IOREQ_NONE);
	xenevtchn_close(xce);
}

/*
 * ioreq_send refuses a slot not in state NONE or with a changed vp_eport
 * (ROUTE_BAD_IOSTATE); vp_eport is only published into pages that exist
 * at enable time; INVALIDATE goes out with count 0.
 */
static void
test_send_refusals(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	xenforeignmemory_resource_handle *res, *res2;
	struct sim_raw_ioreq raw;
	uint64_t counts[ROUTE_NR];
	void *addr = NULL, *addr2 = NULL;
	shared_iopage_t *sp, *sp2;
	evtchn_port_t port;
	struct sim_vcpu *c;
	ioservid_t a, b;
	pid_t pid;

	CU_ASSERT_FATAL(dm && fm);
	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &a), 0);
	res = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, a, 1, 1, &addr,
					    PROT_READ | PROT_WRITE, 0);
	CU_ASSERT_FATAL(res != NULL);
	sp = addr;
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, a, 1), 0);
	port = sp->vcpu_ioreq[0].vp_eport;
	CU_ASSERT(port != 0);
	memset(&raw, 0, sizeof(raw));
	raw.type = IOREQ_TYPE_PIO;
	raw.size = 1;
	raw.count = 1;
	raw.addr = 0x1234;
	/* A slot the DM left INPROCESS: not sent, nothing overwritten. */
	sp->vcpu_ioreq[0].state = STATE_IOREQ_INPROCESS;
	sp->vcpu_ioreq[0].addr = 0x99;
	CU_ASSERT_EQUAL(sim_send_raw_ioreq(c, a, &raw), -EBUSY);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].addr, 0x99);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].state, STATE_IOREQ_INPROCESS);
	/* An IORESP_READY nobody asked for is refused too. */
	sp->vcpu_ioreq[0].state = STATE_IORESP_READY;
	CU_ASSERT_EQUAL(sim_send_raw_ioreq(c, a, &raw), -EBUSY);
	/* State fine, vp_eport changed by the DM. */
	sp->vcpu_ioreq[0].state = STATE_IOREQ_NONE;
	sp->vcpu_ioreq[0].vp_eport = port + 1;
	CU_ASSERT_EQUAL(sim_send_raw_ioreq(c, a, &raw), -EBUSY);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].addr, 0x99);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, counts), 0);
	CU_ASSERT_EQUAL(counts[ROUTE_BAD_IOSTATE], 3);
	/* Restored: sent. */
	sp->vcpu_ioreq[0].vp_eport = port;
	pid = send_from_copy(c, a, &raw, &sp->vcpu_ioreq[0]);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].addr, 0x1234);
	answer_copy(domid, &sp->vcpu_ioreq[0], pid);
	/* INVALIDATE: count 0, size 4, data all-ones. */
	pid = send_from_copy(c, -1, NULL, &sp->vcpu_ioreq[0]);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].type, IOREQ_TYPE_INVALIDATE);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].count, 0);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].size, 4);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].data, ~0ull);
	answer_copy(domid, &sp->vcpu_ioreq[0], pid);
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, a, 0), 0);
	/* Enabled before its pages were mapped: no port published, nothing sent. */
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &b), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, b, 1), 0);
	res2 = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, b, 1, 1,
					     &addr2, PROT_READ | PROT_WRITE, 0);
	CU_ASSERT_FATAL(res2 != NULL);
	sp2 = addr2;
	CU_ASSERT_EQUAL(sp2->vcpu_ioreq[0].vp_eport, 0);
	CU_ASSERT_EQUAL(sim_send_raw_ioreq(c, b, &raw), -EBUSY);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, counts), 0);
	CU_ASSERT_EQUAL(counts[ROUTE_BAD_IOSTATE], 4);
	/* Enabling again is a no-op; disable + enable publishes. */
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, b, 1), 0);
	CU_ASSERT_EQUAL(sp2->vcpu_ioreq[0].vp_eport, 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, b, 0), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, b, 1), 0);
	CU_ASSERT(sp2->vcpu_ioreq[0].vp_eport != 0);
	pid = send_from_copy(c, b, &raw, &sp2->vcpu_ioreq[0]);
	CU_ASSERT_EQUAL(sp2->vcpu_ioreq[0].addr, 0x1234);
	answer_copy(domid, &sp2->vcpu_ioreq[0], pid);
	xenforeignmemory_unmap_resource(fm, res);
	xenforeignmemory_unmap_resource(fm, res2);
	sim_vcpu_detach(c);
	xenforeignmemory_close(fm);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/*
 * Legacy ioreq pages: with the switch on map_resource is EOPNOTSUPP;
 * get_ioreq_server_info with gfns puts the pages into guest gfns at the
 * top of RAM; enable takes them out of the guest p2m, disable puts them
 * back. Without the switch the two ways exclude each other (-EPERM).
 */
static void
test_legacy_ioreq_pages(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	xenforeignmemory_resource_handle *res;
	uint64_t top = (64ull << 20) / 4096, counts[ROUTE_NR], c0[ROUTE_NR], v = 0;
	xen_pfn_t ioreq_gfn = 0, buf_gfn = 0, g[2];
	evtchn_port_t bufport = 0;
	shared_iopage_t *sp;
	buffered_iopage_t *bp;
	void *addr = NULL;
	struct sim_vcpu *c;
	ioservid_t a, b;
	uint32_t *ram;
	int err[2];

	CU_ASSERT_FATAL(dm && fm);
	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	/* Switch off: resource first, then gfns are EPERM (and the other way round). */
	CU_ASSERT_EQUAL(xensim_get_legacy_ioreq_pages(mach), 0);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 2, &a), 0);
	res = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, a, 0, 2, &addr,
					    PROT_READ | PROT_WRITE, 0);
	CU_ASSERT_FATAL(res != NULL);
	EXPECT_ERR(xendevicemodel_get_ioreq_server_info(dm, domid, a, &ioreq_gfn, NULL, NULL),
		   EPERM);
	xenforeignmemory_unmap_resource(fm, res);
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, a), 0);
	/* Switch on. */
	CU_ASSERT_EQUAL(xensim_set_legacy_ioreq_pages(mach, true), 0);
	CU_ASSERT_EQUAL(xensim_get_legacy_ioreq_pages(mach), 1);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 2, &b), 0);
	addr = NULL;
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, b,
							 0, 2, &addr, PROT_READ | PROT_WRITE, 0));
	CU_ASSERT_EQUAL(errno, EOPNOTSUPP);
	CU_ASSERT_EQUAL(xendevicemodel_get_ioreq_server_info(dm, domid, b, &ioreq_gfn, &buf_gfn,
							     &bufport), 0);
	CU_ASSERT_EQUAL(ioreq_gfn, top - 1);
	CU_ASSERT_EQUAL(buf_gfn, top - 2);
	CU_ASSERT(bufport != 0);
	/* Asking again gives the same gfns. */
	g[0] = g[1] = 0;
	CU_ASSERT_EQUAL(xendevicemodel_get_ioreq_server_info(dm, domid, b, &g[0], &g[1], NULL), 0);
	CU_ASSERT_EQUAL(g[0], top - 1);
	CU_ASSERT_EQUAL(g[1], top - 2);
	sp = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 1, &ioreq_gfn, NULL);
	bp = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 1, &buf_gfn, NULL);
	CU_ASSERT_FATAL(sp && bp);
	/* Before enable the guest still sees the page as its RAM. */
	ram = sim_guest_ram(c, ioreq_gfn << 12, 4);
	CU_ASSERT_FATAL(ram != NULL);
	*ram = 0x5151;
	CU_ASSERT_EQUAL(*(volatile uint32_t *)(void *)sp, 0x5151);
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, b, 1), 0);
	/* Enabled: page cleared, port published, gfns gone from the guest p2m. */
	CU_ASSERT(sp->vcpu_ioreq[0].vp_eport != 0);
	CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].addr, 0);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, c0), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, (ioreq_gfn << 12) + 4, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	CU_ASSERT_EQUAL(sim_mem_write(c, buf_gfn << 12, 4, 0x1234), 0);
	CU_ASSERT_EQUAL(bp->read_pointer, 0);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, counts), 0);
	CU_ASSERT_EQUAL(counts[ROUTE_UNCLAIMED_READ], c0[ROUTE_UNCLAIMED_READ] + 1);
	CU_ASSERT_EQUAL(counts[ROUTE_UNCLAIMED_WRITE], c0[ROUTE_UNCLAIMED_WRITE] + 1);
	CU_ASSERT_EQUAL(counts[ROUTE_RAM_READ], c0[ROUTE_RAM_READ]);
	errno = 0;
	g[0] = ioreq_gfn;
	g[1] = buf_gfn;
	err[0] = err[1] = 1;
	addr = xenforeignmemory_map(fm, domid, PROT_READ, 2, g, err);
	CU_ASSERT_FATAL(addr != NULL);
	CU_ASSERT_EQUAL(err[0], -EFAULT);
	CU_ASSERT_EQUAL(err[1], -EFAULT);
	xenforeignmemory_unmap(fm, addr, 2);
	/* The ioreq protocol runs through those pages: a raw request lands in sp. */
	{
		struct sim_raw_ioreq raw = { .addr = 0x4321, .size = 2, .count = 1 };
		pid_t pid = send_from_copy(c, b, &raw, &sp->vcpu_ioreq[0]);

		CU_ASSERT_EQUAL(sp->vcpu_ioreq[0].addr, 0x4321);
		answer_copy(domid, &sp->vcpu_ioreq[0], pid);
		CU_ASSERT_EQUAL(sim_buffered_write(c, 0xa0000, 4, 7), 0); /* unclaimed */
	}
	/* Disabled: back in the p2m, cleared. */
	CU_ASSERT_EQUAL(xendevicemodel_set_ioreq_server_state(dm, domid, b, 0), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, (ioreq_gfn << 12), 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	/* Destroy: gfns back to the pool; the next server gets the same ones. */
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, b), 0);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &a), 0);
	g[0] = 0;
	CU_ASSERT_EQUAL(xendevicemodel_get_ioreq_server_info(dm, domid, a, &g[0], NULL, NULL), 0);
	CU_ASSERT_EQUAL(g[0], top - 1);
	xenforeignmemory_unmap(fm, sp, 1);
	xenforeignmemory_unmap(fm, bp, 1);
	CU_ASSERT_EQUAL(xensim_set_legacy_ioreq_pages(mach, false), 0);
	sim_vcpu_detach(c);
	xenforeignmemory_close(fm);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

static void
test_aperture_direct(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	unsigned long ap_mfn = XENSIM_APERTURE_MADDR >> 12;
	struct softgpu *g = softgpu_open(mach);
	struct sim_vcpu *c;
	uint64_t counts[ROUTE_NR], target = 0, v = 0, r = 0, w = 0;
	uint32_t *ram;

	CU_ASSERT_FATAL(xc && g);
	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	/* GGTT entry 1 -> guest RAM page 0x30 (its machine address). */
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, 0x30, &target), 0);
	softgpu_ggtt_write(g, 1, target | 1);
	CU_ASSERT_EQUAL(softgpu_aperture_translate(g, 0x1010, &v), 0);
	CU_ASSERT_EQUAL(v, target + 0x10);
	CU_ASSERT_EQUAL(softgpu_aperture_translate(g, 0x2000, &v), -ENOENT);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, ap_mfn, 16, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0000, ap_mfn, 16, DPCI_ADD_MAPPING), 0);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0xe0001010, 4, 0xcafef00d), 0);
	ram = sim_guest_ram(c, 0x30010, 4);
	CU_ASSERT_FATAL(ram != NULL);
	CU_ASSERT_EQUAL(*ram, 0xcafef00d);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0xe0001010, 2, &v), 0);
	CU_ASSERT_EQUAL(v, 0xf00d);
	/* Entry not present: all-ones, write dropped. */
	CU_ASSERT_EQUAL(sim_mem_read(c, 0xe0002000, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffff);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, counts), 0);
	CU_ASSERT_EQUAL(counts[ROUTE_DIRECT_WRITE], 1);
	CU_ASSERT_EQUAL(counts[ROUTE_DIRECT_READ], 2);
	CU_ASSERT_EQUAL(counts[ROUTE_MMIO_IOREQ], 0);
	CU_ASSERT_EQUAL(xensim_direct_count(mach, domid, 0xe0001000, 0xe0001fff, &r, &w), 0);
	CU_ASSERT_EQUAL(r, 1);
	CU_ASSERT_EQUAL(w, 1);
	sim_vcpu_detach(c);
	softgpu_close(g);
	xc_interface_close(xc);
	test_machine_done(mach);
}

static void
test_restrict(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	int other = xensim_domain_create(mach, 16, 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	xen_pfn_t gfn = 1;
	ioservid_t id;
	unsigned int nr;
	void *p;

	CU_ASSERT_FATAL(dm && fm && xc && other > 0);
	CU_ASSERT_EQUAL(xentoolcore_restrict_all(domid), 0);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	EXPECT_ERR(xendevicemodel_create_ioreq_server(dm, other, 0, &id), EPERM);
	EXPECT_ERR(xendevicemodel_nr_vcpus(dm, other, &nr), EPERM);
	errno = 0;
	CU_ASSERT_PTR_NULL(xenforeignmemory_map(fm, other, PROT_READ, 1, &gfn, NULL));
	CU_ASSERT_EQUAL(errno, EPERM);
	p = xenforeignmemory_map(fm, domid, PROT_READ, 1, &gfn, NULL);
	CU_ASSERT(p != NULL);
	if (p)
		xenforeignmemory_unmap(fm, p, 1);
	/* Domctls are gone once restricted. */
	EXPECT_ERR(xc_domain_iomem_permission(xc, domid, 0x100, 1, 1), EPERM);
	/* A second restrict to another domain fails. */
	EXPECT_ERR(xentoolcore_restrict_all(other), EPERM);
	xc_interface_close(xc);
	xenforeignmemory_close(fm);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

static void
test_domains_and_xenstore(void)
{
	struct sim_domain_info info[4];
	int domid = test_domain_new(mach, sizeof(mach), 2);
	char buf[64];

	CU_ASSERT_EQUAL(xensim_domain_list(mach, info, 4), 1);
	CU_ASSERT_EQUAL(info[0].domid, (uint32_t)domid);
	CU_ASSERT_EQUAL(info[0].ram_bytes, 64ull << 20);
	CU_ASSERT_EQUAL(info[0].vcpus, 2);
	CU_ASSERT(info[0].paused);
	CU_ASSERT_EQUAL(xensim_domain_unpause(mach, domid), 0);
	CU_ASSERT_EQUAL(xensim_domain_list(mach, info, 4), 1);
	CU_ASSERT(!info[0].paused);
	CU_ASSERT_EQUAL(xensim_domain_create(mach, 0, 1), -EINVAL);
	CU_ASSERT_EQUAL(xensim_domain_create(mach, 16, XENSIM_MAX_VCPUS + 1), -EINVAL);
	CU_ASSERT_EQUAL(xensim_xs_read(mach, "/local/domain/0/x", buf, sizeof(buf)), -ENOENT);
	CU_ASSERT_EQUAL(xensim_xs_write(mach, "/local/domain/0/x", "42"), 0);
	CU_ASSERT_EQUAL(xensim_xs_read(mach, "/local/domain/0/x", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "42");
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, domid), 0);
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, domid), -ESRCH);
	CU_ASSERT_EQUAL(xensim_domain_list(mach, info, 4), 0);
	test_machine_done(mach);
	CU_ASSERT_EQUAL(xensim_machine_destroy(mach), -ENOENT);
}

static void
test_routes_without_dm(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 2);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	uint64_t counts[ROUTE_NR], v = 0;
	struct sim_vcpu *c, *c2;
	uint32_t pv = 0;
	ioservid_t id;

	CU_ASSERT_FATAL(dm != NULL);
	c = sim_vcpu_attach(mach, domid, 0);
	CU_ASSERT_FATAL(c != NULL);
	/* One attachment per vCPU; vCPU numbers bounded. */
	errno = 0;
	CU_ASSERT_PTR_NULL(sim_vcpu_attach(mach, domid, 0));
	CU_ASSERT_EQUAL(errno, EBUSY);
	errno = 0;
	CU_ASSERT_PTR_NULL(sim_vcpu_attach(mach, domid, 2));
	CU_ASSERT_EQUAL(errno, EINVAL);
	c2 = sim_vcpu_attach(mach, domid, 1);
	CU_ASSERT_FATAL(c2 != NULL);
	sim_vcpu_detach(c2);
	/* Plain RAM, both ways, and a page-crossing access. */
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x1ffc, 8, 0x1122334455667788ull), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x1ffc, 8, &v), 0);
	CU_ASSERT_EQUAL(v, 0x1122334455667788ull);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x2000, 2, &v), 0);
	CU_ASSERT_EQUAL(v, 0x3344);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x2000, 3, &v), -EINVAL);
	/*
	 * Typed page left behind by a destroyed claimant: reads direct; its
	 * EPT entry keeps w=0 and no server takes the write: X86EMUL_RETRY,
	 * the vCPU would spin (sim: -EAGAIN, ROUTE_WP_RETRY, RAM unchanged).
	 */
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 3, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, id), 0);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x3000, 4, 0xabcd), -EAGAIN);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x3000, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	/* Nothing claimed: all-ones, writes dropped, CF8 latched. */
	CU_ASSERT_EQUAL(sim_pio_read(c, 0x3f8, 1, &pv), 0);
	CU_ASSERT_EQUAL(pv, 0xff);
	CU_ASSERT_EQUAL(sim_pio_write(c, 0xcf8, 4, 0x80001000), 0);
	CU_ASSERT_EQUAL(sim_pio_read(c, 0xcfc, 4, &pv), 0);
	CU_ASSERT_EQUAL(pv, 0xffffffffu);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0xf0000000, 4, 1), 0);
	CU_ASSERT_EQUAL(sim_buffered_write(c, 0xa0000, 2, 1), 0);
	CU_ASSERT_EQUAL(sim_buffered_write(c, 0x100000, 2, 1), -EINVAL);
	CU_ASSERT_EQUAL(sim_pio_read(c, 0x60, 8, &pv), -EINVAL);
	CU_ASSERT_EQUAL(sim_broadcast_invalidate(c), 0); /* no server: nothing to wait for */
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, counts), 0);
	CU_ASSERT_EQUAL(counts[ROUTE_RAM_WRITE], 1);
	CU_ASSERT_EQUAL(counts[ROUTE_WP_RETRY], 1);
	CU_ASSERT_EQUAL(counts[ROUTE_RAM_READ], 2);
	CU_ASSERT_EQUAL(counts[ROUTE_WP_READ], 1);
	CU_ASSERT_EQUAL(counts[ROUTE_WP_WRITE_IOREQ], 0);
	CU_ASSERT_EQUAL(counts[ROUTE_UNCLAIMED_READ], 2);
	/* 0xf0000000, the VGA write, and the CF8 write (latched, then nobody's). */
	CU_ASSERT_EQUAL(counts[ROUTE_UNCLAIMED_WRITE], 3);
	CU_ASSERT_EQUAL(counts[ROUTE_CF8], 1);
	CU_ASSERT_EQUAL(counts[ROUTE_BROADCAST], 0);
	sim_vcpu_detach(c);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

void suite_xensim_rules(void);

void
suite_xensim_rules(void)
{
	static const struct test_case cases[] = {
		{ "the HVMMEM_ioreq_server claim", test_mem_type_claim },
		{ "server, range and SBDF rules", test_server_rules },
		{ "resource frames and vp_eport", test_resource_and_vp_eport },
		{ "foreign map err[] and typed pages", test_foreign_map },
		{ "memory_mapping permission/remap/remove", test_memory_mapping },
		{ "iomem permissions as a rangeset", test_iomem_rangeset },
		{ "bad IO state, vp_eport, INVALIDATE count", test_send_refusals },
		{ "legacy ioreq pages in guest gfns", test_legacy_ioreq_pages },
		{ "aperture direct map through the GGTT", test_aperture_direct },
		{ "guest routes without a device model", test_routes_without_dm },
		{ "restrict_all", test_restrict },
		{ "domains and xenstore admin", test_domains_and_xenstore },
		{ NULL, NULL },
	};

	test_add_suite("xensim_rules", cases);
}
