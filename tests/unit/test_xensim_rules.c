/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_rules.c — libxensim refuses what Xen refuses, with Xen's
 * errno: p2m type changes and the HVMMEM_ioreq_server claim, direct
 * memory mappings, ioreq server ranges and resources, foreign mapping
 * errors, restriction. Each test runs on a private machine.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
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

static int
setup(unsigned int vcpus)
{
	int domid;

	test_machine_new(mach, sizeof(mach));
	setenv("XENSIM_MACHINE", mach, 1);
	domid = xensim_domain_create(mach, 64, vcpus);
	CU_ASSERT_FATAL(domid > 0);
	return domid;
}

/* errno of a call that must fail with -1 (or NULL). */
#define EXPECT_ERR(call, e)                         \
	do {                                        \
		errno = 0;                          \
		CU_ASSERT_EQUAL((call), -1);        \
		CU_ASSERT_EQUAL(errno, (e));        \
	} while (0)

static void
test_set_mem_type_rules(void)
{
	int domid = setup(1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	ioservid_t a, b;

	CU_ASSERT_FATAL(dm != NULL);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &a), 0);
	CU_ASSERT_EQUAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &b), 0);
	/* No claim yet: EINVAL. */
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x10, 1), EINVAL);
	/* Only ram_rw <-> ioreq_server. */
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_ro, 0x10, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, 0x10, 1), EINVAL);
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
	int domid = setup(2);
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
	int domid = setup(3);
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
	int domid = setup(1);
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
	int domid = setup(1);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	unsigned long ap_mfn = XENSIM_APERTURE_MADDR >> 12;
	unsigned long gfn = 0xe0000;
	uint64_t maddr = 0;

	CU_ASSERT_FATAL(xc != NULL);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 16, DPCI_ADD_MAPPING), EPERM);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, ap_mfn, 0x10000, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 16, DPCI_ADD_MAPPING), 0);
	/* Same mapping again is harmless; a different mfn for a mapped gfn is not. */
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 16, DPCI_ADD_MAPPING), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn + 8, ap_mfn + 100, 16, DPCI_ADD_MAPPING),
		   EBUSY);
	/* Over RAM: refused. */
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, 0x10, ap_mfn, 1, DPCI_ADD_MAPPING), EBUSY);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, gfn + 3, &maddr), 0);
	CU_ASSERT_EQUAL(maddr, XENSIM_APERTURE_MADDR + 3 * 4096);
	/* Remove, then the new mapping goes in. */
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 16, DPCI_REMOVE_MAPPING), 0);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, gfn + 3, &maddr), -ENOENT);
	CU_ASSERT_EQUAL(
		xc_domain_memory_mapping(xc, domid, gfn + 8, ap_mfn + 100, 16, DPCI_ADD_MAPPING), 0);
	/* Partial removal splits the mapping. */
	CU_ASSERT_EQUAL(
		xc_domain_memory_mapping(xc, domid, gfn + 10, ap_mfn + 102, 2, DPCI_REMOVE_MAPPING),
		0);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, gfn + 10, &maddr), -ENOENT);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, gfn + 12, &maddr), 0);
	CU_ASSERT_EQUAL(maddr, XENSIM_APERTURE_MADDR + 104 * 4096ull);
	/* Revoked permission: EPERM again. */
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, ap_mfn, 0x10000, 0), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, gfn, ap_mfn, 1, DPCI_ADD_MAPPING), EPERM);
	EXPECT_ERR(xc_domain_iomem_permission(xc, domid + 50, ap_mfn, 1, 1), ESRCH);
	xc_interface_close(xc);
	test_machine_done(mach);
}

static void
test_aperture_direct(void)
{
	int domid = setup(1);
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
	int domid = setup(1);
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
	int domid = setup(2);
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
	int domid = setup(2);
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
	/* Typed page left behind by a destroyed claimant: reads direct, writes direct (w=1). */
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 3, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_destroy_ioreq_server(dm, domid, id), 0);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x3000, 4, 0xabcd), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x3000, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0xabcd);
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
	CU_ASSERT_EQUAL(counts[ROUTE_RAM_WRITE], 2);
	CU_ASSERT_EQUAL(counts[ROUTE_RAM_READ], 2);
	CU_ASSERT_EQUAL(counts[ROUTE_WP_READ], 1);
	CU_ASSERT_EQUAL(counts[ROUTE_WP_WRITE_IOREQ], 0);
	CU_ASSERT_EQUAL(counts[ROUTE_UNCLAIMED_READ], 2);
	CU_ASSERT_EQUAL(counts[ROUTE_UNCLAIMED_WRITE], 2);
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
		{ "set_mem_type and the ioreq_server claim", test_set_mem_type_rules },
		{ "server, range and SBDF rules", test_server_rules },
		{ "resource frames and vp_eport", test_resource_and_vp_eport },
		{ "foreign map err[] and typed pages", test_foreign_map },
		{ "memory_mapping permission/remap/remove", test_memory_mapping },
		{ "aperture direct map through the GGTT", test_aperture_direct },
		{ "guest routes without a device model", test_routes_without_dm },
		{ "restrict_all", test_restrict },
		{ "domains and xenstore admin", test_domains_and_xenstore },
		{ NULL, NULL },
	};

	test_add_suite("xensim_rules", cases);
}
