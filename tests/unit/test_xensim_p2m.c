/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_p2m.c — libxensim's p2m as Xen 4.17 keeps it: set_mem_type
 * (dm.c set_mem_type, allow_p2m_type_change) and what each type does to
 * guest accesses and foreign maps; HAP; gfn -> DMA address for guest RAM
 * only; xc_domain_memory_mapping's frame limit, the caller's and the
 * target's iomem permission and libxc's behaviour around the domctl.
 * Each test runs on a private machine.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenforeignmemory.h>
#include <xen/hvm/dm_op.h>
#include <xen/hvm/hvm_op.h>

#include "dm/pgpu/pgpu_list.h"
#include "sim/xensim.h"
#include "sim/softgpu/softgpu.h"
#include "tests/test_util.h"

#define RAM_PAGES 0x4000ull	/* 64 MiB */
#define AP_MFN (XENSIM_APERTURE_MADDR >> 12)

static char mach[64];

static enum sim_p2m
type_of(int domid, uint64_t gfn)
{
	enum sim_p2m t = P2M_HOLE;

	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, gfn, &t, NULL), 0);
	return t;
}

/* dm.c set_mem_type: the range test and the type test, before any page. */
static void
test_set_mem_type_range(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);

	CU_ASSERT_FATAL(dm && xc);
	/* nr = 0: first > first + nr - 1 (and from 0 the last gfn wraps past the maximum). */
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, 0x10, 0), EINVAL);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, 0, 0), EINVAL);
	/* The highest gfn (max_mapped_pfn) is the top RAM page, and no further. */
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, RAM_PAGES - 1, 1), 0);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, RAM_PAGES - 1, 2), EINVAL);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, RAM_PAGES, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, ~0ull, 2), EINVAL);
	/* HVMMEM_unused and unknown types; the type is a u16 in the op. */
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_unused, 0x10, 1), EINVAL);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, (hvmmem_type_t)5, 0x10, 1), EINVAL);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, (hvmmem_type_t)0x10001, 0x10, 1), 0);
	CU_ASSERT_EQUAL(type_of(domid, 0x10), P2M_RAM_RO);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid + 9, HVMMEM_ram_rw, 0x10, 1), ESRCH);
	/*
	 * A direct map raises the maximum for good (ept_set_entry): a hole
	 * above RAM may then become mmio_dm, up to the mapping's last gfn, even
	 * once the mapping is gone.
	 */
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, AP_MFN, 16, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0000, AP_MFN, 16, DPCI_ADD_MAPPING),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, RAM_PAGES, 1), 0);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, 0xe0010, 1), EINVAL);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0000, AP_MFN, 16,
						 DPCI_REMOVE_MAPPING), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, 0xe000f, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, 0xe0005, 2), 0);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, 0xe000f, 2), EINVAL);
	xc_interface_close(xc);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/* dm.c allow_p2m_type_change, each transition with its errno. */
static const struct {
	const char *what;
	hvmmem_type_t to;
	enum sim_p2m from, after;
	int err;
} transitions[] = {
	{ "ram_rw -> ram_ro", HVMMEM_ram_ro, P2M_RAM_RW, P2M_RAM_RO, 0 },
	{ "ram_ro -> ram_rw", HVMMEM_ram_rw, P2M_RAM_RO, P2M_RAM_RW, 0 },
	{ "ram_ro -> ram_ro", HVMMEM_ram_ro, P2M_RAM_RO, P2M_RAM_RO, 0 },
	{ "ram_ro -> ioreq_server", HVMMEM_ioreq_server, P2M_RAM_RO, P2M_RAM_RO, EINVAL },
	{ "ram_rw -> ioreq_server", HVMMEM_ioreq_server, P2M_RAM_RW, P2M_IOREQ_SERVER, 0 },
	{ "ioreq_server -> ioreq_server", HVMMEM_ioreq_server, P2M_IOREQ_SERVER, P2M_IOREQ_SERVER,
	  EINVAL },
	{ "ioreq_server -> ram_ro", HVMMEM_ram_ro, P2M_IOREQ_SERVER, P2M_IOREQ_SERVER, EINVAL },
	{ "ioreq_server -> mmio_dm", HVMMEM_mmio_dm, P2M_IOREQ_SERVER, P2M_IOREQ_SERVER, EINVAL },
	{ "ioreq_server -> ram_rw", HVMMEM_ram_rw, P2M_IOREQ_SERVER, P2M_RAM_RW, 0 },
	{ "ram_ro -> mmio_dm", HVMMEM_mmio_dm, P2M_RAM_RO, P2M_HOLE, 0 },
	{ "ram_rw -> mmio_dm", HVMMEM_mmio_dm, P2M_RAM_RW, P2M_HOLE, 0 },
	{ "mmio_dm -> ram_rw", HVMMEM_ram_rw, P2M_HOLE, P2M_HOLE, EINVAL },
	{ "mmio_dm -> ram_ro", HVMMEM_ram_ro, P2M_HOLE, P2M_HOLE, EINVAL },
	{ "mmio_dm -> ioreq_server", HVMMEM_ioreq_server, P2M_HOLE, P2M_HOLE, EINVAL },
	{ "mmio_dm -> mmio_dm", HVMMEM_mmio_dm, P2M_HOLE, P2M_HOLE, 0 },
	{ "mmio_direct -> mmio_dm", HVMMEM_mmio_dm, P2M_DIRECT, P2M_DIRECT, EINVAL },
	{ "mmio_direct -> ram_rw", HVMMEM_ram_rw, P2M_DIRECT, P2M_DIRECT, EINVAL },
};

/* Bring gfn to type t with allowed changes (a direct map for P2M_DIRECT). */
static void
make_type(xendevicemodel_handle *dm, xc_interface *xc, int domid, uint64_t gfn, enum sim_p2m t)
{
	static const hvmmem_type_t hvmmem[] = {
		[P2M_RAM_RW] = HVMMEM_ram_rw, [P2M_IOREQ_SERVER] = HVMMEM_ioreq_server,
		[P2M_RAM_RO] = HVMMEM_ram_ro, [P2M_HOLE] = HVMMEM_mmio_dm,
	};

	int rc = t == P2M_DIRECT ?
			 xc_domain_memory_mapping(xc, domid, gfn, AP_MFN + gfn, 1, DPCI_ADD_MAPPING) :
			 xendevicemodel_set_mem_type(dm, domid, hvmmem[t], gfn, 1);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(type_of(domid, gfn), t);
}

static void
test_type_changes(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	ioservid_t id;

	CU_ASSERT_FATAL(dm && xc);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, AP_MFN, 0x1000, 1), 0);
	for (size_t k = 0; k < sizeof(transitions) / sizeof(transitions[0]); k++) {
		uint64_t gfn = 0x100 + k;
		int rc;

		make_type(dm, xc, domid, gfn, transitions[k].from);
		errno = 0;
		rc = xendevicemodel_set_mem_type(dm, domid, transitions[k].to, gfn, 1);
		if (rc != (transitions[k].err ? -1 : 0) ||
		    (transitions[k].err && errno != transitions[k].err) ||
		    type_of(domid, gfn) != transitions[k].after) {
			CU_FAIL("set_mem_type transition");
			fprintf(stderr, "\n    %s: rc %d errno %d type %d\n", transitions[k].what, rc,
				errno, type_of(domid, gfn));
		}
	}
	/* Pages are changed in order; the first refused one stops the walk. */
	make_type(dm, xc, domid, 0x201, P2M_HOLE);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_ro, 0x200, 3), EINVAL);
	CU_ASSERT_EQUAL(type_of(domid, 0x200), P2M_RAM_RO);
	CU_ASSERT_EQUAL(type_of(domid, 0x201), P2M_HOLE);
	CU_ASSERT_EQUAL(type_of(domid, 0x202), P2M_RAM_RW);
	/* Every ioreq_server page gone again: the claim can be dropped and retaken. */
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id,
								    HVMMEM_ioreq_server, 0), 0);
	CU_ASSERT_EQUAL(type_of(domid, 0x104), P2M_RAM_RW);
	xc_interface_close(xc);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/* What the types mean to the guest and to a device model's foreign map. */
static void
test_types_in_use(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	struct sim_vcpu *c = sim_vcpu_attach(mach, domid, 0);
	uint64_t c0[ROUTE_NR], c1[ROUTE_NR], v = 0;
	xen_pfn_t gfns[2] = { 0x30, 0x31 };
	int err[2] = { 1, 1 };
	uint32_t *p;

	CU_ASSERT_FATAL(dm && fm && c);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x30000, 4, 0x11111111), 0);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x31000, 4, 0x22222222), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_ro, 0x30, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, 0x31, 1), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, c0), 0);
	/* ram_ro: reads direct, writes discarded (__hvm_copy: p2m_is_discard_write). */
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x30000, 4, 0xdead), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x30000, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x11111111);
	/* mmio_dm: a hole, so unclaimed MMIO (all-ones); the RAM below is untouched. */
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x31000, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x31000, 4, 0xbeef), 0);
	CU_ASSERT_EQUAL(xensim_route_counts(mach, domid, c1), 0);
	CU_ASSERT_EQUAL(c1[ROUTE_RO_DISCARD], c0[ROUTE_RO_DISCARD] + 1);
	CU_ASSERT_EQUAL(c1[ROUTE_RAM_WRITE], c0[ROUTE_RAM_WRITE]);
	CU_ASSERT_EQUAL(c1[ROUTE_RAM_READ], c0[ROUTE_RAM_READ] + 1);
	CU_ASSERT_EQUAL(c1[ROUTE_UNCLAIMED_READ], c0[ROUTE_UNCLAIMED_READ] + 1);
	CU_ASSERT_EQUAL(c1[ROUTE_UNCLAIMED_WRITE], c0[ROUTE_UNCLAIMED_WRITE] + 1);
	/* Foreign map: ram_ro is RAM (mappable, writable by dom0); mmio_dm is not. */
	p = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 2, gfns, err);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(err[0], 0);
	CU_ASSERT_EQUAL(err[1], -EFAULT);
	CU_ASSERT_EQUAL(p[0], 0x11111111);
	p[1] = 0x44444444;
	xenforeignmemory_unmap(fm, p, 2);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x30004, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x44444444);
	/* Back to ram_rw: writes land again. */
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, 0x30, 1), 0);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x30000, 4, 0x5555), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x30000, 4, &v), 0);
	CU_ASSERT_EQUAL(v, 0x5555);
	/* Across ram_ro and ram_rw: the ro half dropped, the rw half written. */
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_ro, 0x2f, 1), 0);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x2fffc, 8, 0x9999999988888888ull), 0);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x2fffc, 8, &v), 0);
	CU_ASSERT_EQUAL(v, 0x99999999ull << 32);
	sim_vcpu_detach(c);
	xenforeignmemory_close(fm);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/* Shadow paging (hap=0): no HVMMEM_ioreq_server at all; other types still change. */
static void
test_no_hap(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	ioservid_t id;

	CU_ASSERT_FATAL(dm != NULL);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	CU_ASSERT_EQUAL(xensim_set_hap(mach, domid, false), 0);
	/* dm.c checks HAP before the type, the flags and the server. */
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id, HVMMEM_ioreq_server,
							       XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
		   EOPNOTSUPP);
	EXPECT_ERR(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, 7, HVMMEM_ram_rw, 9),
		   EOPNOTSUPP);
	/* set_mem_type: -EOPNOTSUPP before "no claimant" (-EINVAL), after the range test. */
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x10, 1),
		   EOPNOTSUPP);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x10, 0), EINVAL);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_ro, 0x10, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_rw, 0x10, 1), 0);
	/* With HAP: no claimant yet is -EINVAL; then it works. */
	CU_ASSERT_EQUAL(xensim_set_hap(mach, domid, true), 0);
	EXPECT_ERR(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x10, 1), EINVAL);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x10, 1), 0);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/*
 * gfn -> DMA address (xensim_gfn_to_maddr, the DMA hook of the sim
 * build): the machine address of guest RAM of any RAM type; -EFAULT for
 * the guest's aperture, a RAM gfn replaced by a direct map, holes.
 */
static void
test_dma_lookup(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	uint64_t base = 0, ma = 0;
	ioservid_t id;

	CU_ASSERT_FATAL(dm && xc && pgpu_dma_hook);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, 0, &base), 0);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, 0x10, &ma), 0);
	CU_ASSERT_EQUAL(ma, base + 0x10000);
	/* ram_ro and ioreq_server pages are RAM. */
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	CU_ASSERT_EQUAL(xendevicemodel_map_mem_type_to_ioreq_server(dm, domid, id, HVMMEM_ioreq_server,
								    XEN_DMOP_IOREQ_MEM_ACCESS_WRITE),
			0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ioreq_server, 0x11, 1), 0);
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_ram_ro, 0x12, 1), 0);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, 0x11, &ma), 0);
	CU_ASSERT_EQUAL(ma, base + 0x11000);
	CU_ASSERT_EQUAL(pgpu_dma_hook(domid, 0x12, &ma), 0);
	CU_ASSERT_EQUAL(ma, base + 0x12000);
	/* Not guest memory. */
	CU_ASSERT_EQUAL(xendevicemodel_set_mem_type(dm, domid, HVMMEM_mmio_dm, 0x13, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, AP_MFN, 32, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0000, AP_MFN, 16, DPCI_ADD_MAPPING),
			0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0x14, AP_MFN + 16, 1, DPCI_ADD_MAPPING),
			0);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, 0xe0003, &ma), -EFAULT);
	CU_ASSERT_EQUAL(pgpu_dma_hook(domid, 0xe0003, &ma), -EFAULT);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, 0x14, &ma), -EFAULT);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, 0x13, &ma), -EFAULT);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, RAM_PAGES, &ma), -EFAULT);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, ~0ull, &ma), -EFAULT);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid + 9, 0x10, &ma), -ESRCH);
	xc_interface_close(xc);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/*
 * XEN_DOMCTL_memory_mapping: frames must lie below 2^paddr_bits; both dom0
 * (the caller) and the target need the iomem permission, and granting it
 * needs dom0's own.
 */
static void
test_memory_mapping_rules(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	unsigned long top = 1ul << (39 - 12);
	enum sim_p2m t;

	CU_ASSERT_FATAL(xc != NULL);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, AP_MFN, 64, 1), 0);
	/* dom0 loses part of the aperture: the target's permission is not enough. */
	CU_ASSERT_EQUAL(xensim_dom0_iomem_permission(mach, AP_MFN + 8, 8, false), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, 0xe0000, AP_MFN, 16, DPCI_ADD_MAPPING),
		   EPERM);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, 0xe0000, &t, NULL), 0);
	CU_ASSERT_EQUAL(t, P2M_HOLE);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0000, AP_MFN, 8, DPCI_ADD_MAPPING),
			0);
	/* ... nor can dom0 grant what it does not have (iomem_permission checks the caller). */
	EXPECT_ERR(xc_domain_iomem_permission(xc, domid, AP_MFN + 12, 1, 1), EPERM);
	EXPECT_ERR(xc_domain_iomem_permission(xc, domid, AP_MFN + 12, 1, 0), EPERM);
	CU_ASSERT_EQUAL(xensim_dom0_iomem_permission(mach, AP_MFN + 8, 8, true), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0008, AP_MFN + 8, 8,
						 DPCI_ADD_MAPPING), 0);
	/* dom0 has the LAPIC/MSI window taken out at boot. */
	EXPECT_ERR(xc_domain_iomem_permission(xc, domid, 0xfee00, 1, 1), EPERM);
	/* Frames at or above 2^paddr_bits (39 by default): EINVAL, before permissions. */
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, 0xf0000, top - 1, 2, DPCI_ADD_MAPPING),
		   EINVAL);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, 0xf0000, top, 1, DPCI_ADD_MAPPING), EINVAL);
	/* A 38-bit host has no aperture at 2^38. */
	CU_ASSERT_EQUAL(xensim_set_paddr_bits(mach, 38), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, 0xe0010, AP_MFN + 16, 1, DPCI_ADD_MAPPING),
		   EINVAL);
	CU_ASSERT_EQUAL(xensim_set_paddr_bits(mach, 46), 0);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, top, 1, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xf0000, top, 1, DPCI_ADD_MAPPING), 0);
	CU_ASSERT_EQUAL(xensim_set_paddr_bits(mach, 31), -EINVAL);
	CU_ASSERT_EQUAL(xensim_set_paddr_bits(mach, 53), -EINVAL);
	/* iomem_permission: only a wrapping range is EINVAL. */
	EXPECT_ERR(xc_domain_iomem_permission(xc, domid, 5, 0, 1), EINVAL);
	xc_interface_close(xc);
	test_machine_done(mach);
}

/*
 * libxc around the domctl: the domain must be found by xc_domain_getinfo
 * (else -EINVAL as a value), nr 0 does nothing, any nonzero add_mapping
 * adds, a failed add removes the range it tried; a dying domain cannot
 * get a new mapping.
 */
static void
test_memory_mapping_libxc(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	int other = xensim_domain_create(mach, 16, 1);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	enum sim_p2m t;

	CU_ASSERT_FATAL(xc && other > domid);
	CU_ASSERT_EQUAL(xc_domain_iomem_permission(xc, domid, AP_MFN, 64, 1), 0);
	errno = 0;
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, other + 5, 0xe0000, AP_MFN, 1, 1), -EINVAL);
	CU_ASSERT_EQUAL(errno, ESRCH);
	/* domid 0 exists (dom0) but is not auto-translated: nothing to do. */
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, 0, 0xe0000, AP_MFN, 1, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0000, AP_MFN, 0, 1), 0);
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0000, AP_MFN, 4, 2), 0);
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, 0xe0003, &t, NULL), 0);
	CU_ASSERT_EQUAL(t, P2M_DIRECT);
	/* An add refused at its third page (other mfn): the whole range comes out again. */
	CU_ASSERT_EQUAL(xc_domain_memory_mapping(xc, domid, 0xe0010, AP_MFN + 16, 4, 1), 0);
	EXPECT_ERR(xc_domain_memory_mapping(xc, domid, 0xe000e, AP_MFN + 40, 8, 1), EPERM);
	for (uint64_t g = 0xe000e; g < 0xe0014; g++) {
		CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, g, &t, NULL), 0);
		CU_ASSERT_EQUAL(t, P2M_HOLE);
	}
	CU_ASSERT_EQUAL(xensim_p2m_lookup(mach, domid, 0xe0003, &t, NULL), 0);
	CU_ASSERT_EQUAL(t, P2M_DIRECT);
	/* A dying domain (mapped by this process): no new mapping. */
	{
		xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
		xen_pfn_t gfn = 1;
		void *p;

		CU_ASSERT_FATAL(fm != NULL);
		p = xenforeignmemory_map(fm, domid, PROT_READ, 1, &gfn, NULL);
		CU_ASSERT_FATAL(p != NULL);
		CU_ASSERT_EQUAL(xensim_domain_destroy(mach, domid), 0);
		EXPECT_ERR(xc_domain_memory_mapping(xc, domid, 0xe0020, AP_MFN + 32, 1, 1), ENOMEM);
		xenforeignmemory_unmap(fm, p, 1);
		xenforeignmemory_close(fm);
	}
	xc_interface_close(xc);
	test_machine_done(mach);
}

void suite_xensim_p2m(void);

void
suite_xensim_p2m(void)
{
	static const struct test_case cases[] = {
		{ "set_mem_type range and type checks", test_set_mem_type_range },
		{ "allow_p2m_type_change", test_type_changes },
		{ "ram_ro and mmio_dm in use", test_types_in_use },
		{ "no HAP: no ioreq_server type", test_no_hap },
		{ "gfn -> DMA address: guest RAM only", test_dma_lookup },
		{ "memory_mapping: paddr_bits, caller and target permission", test_memory_mapping_rules },
		{ "memory_mapping: libxc around the domctl", test_memory_mapping_libxc },
		{ NULL, NULL },
	};

	test_add_suite("xensim_p2m", cases);
}
