/* SPDX-License-Identifier: MIT */
/*
 * test_guest.c — libguest (tools/guest) against a real xengt-dm-sim, the
 * steps that need no execution: probe (ids, BARs, MSI capability), PV
 * info and ballooning (the ranges `partition` reports), objects and their
 * GGTT entries (each one trapped write, read back, the aperture reaching
 * the object's pages without a trap), the PPGTT announced and populated
 * (its PML4 write-protected, writes to it trapped, walks resolving),
 * context images as docs/execution.md lays them out, the engine's status
 * page register, and a plane the daemon decodes as the guest set it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/xensim.h"
#include "tests/scenario/guest_util.h"
#include "tests/test_util.h"
#include "tools/guest/libguest.h"

static void
routes(const struct scn *s, uint64_t out[ROUTE_NR])
{
	CU_ASSERT_EQUAL(xensim_route_counts(s->machine, s->dom[0], out), 0);
}

static void
test_probe_pvinfo(void)
{
	char reply[4096];
	struct gdev g;
	struct scn s;

	if (!gtest_up(&s, "type=GVTg_V5_4", &g))
		return;
	CU_ASSERT_EQUAL(g.vendor, 0x8086);
	CU_ASSERT_EQUAL(g.device, 0x1912);
	CU_ASSERT_EQUAL(g.bar0, SCN_BAR0);
	CU_ASSERT_EQUAL(g.bar2, SCN_BAR2);
	CU_ASSERT_EQUAL(g.bar2_size, 1ull << 30);	/* the softgpu's aperture */
	CU_ASSERT_EQUAL(g.bar4, SCN_BAR4);
	CU_ASSERT_EQUAL(g.msi_cap, 0xac);
	CU_ASSERT_TRUE(g.is_vgpu);
	CU_ASSERT_EQUAL(g.pv_major, 1);
	CU_ASSERT_EQUAL(g.caps & 0xc, 0xc);
	CU_ASSERT_EQUAL(g.fences, 4);
	/* What the guest balloons to is exactly its partition. */
	CU_ASSERT_EQUAL_FATAL(scn_ctl(&s, "partition 1", reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "low_base"), g.low_base);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "low_size"), g.low_size);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "high_base"), g.high_base);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "high_size"), g.high_size);
	CU_ASSERT_EQUAL(g.low_size, 128ull << 20);
	CU_ASSERT_EQUAL(g.high_size, 512ull << 20);
	CU_ASSERT_EQUAL_FATAL(scn_ctl(&s, "list", reply, sizeof(reply)), 0);
	CU_ASSERT_EQUAL(scn_ctl_val(reply, "vgpu"), g.vgt_id);
	CU_ASSERT_EQUAL(g.low.next, g.low_base);
	CU_ASSERT_EQUAL(g.high.end, g.high_base + g.high_size);
	/* MSI: the capability takes the guest's address and data. */
	CU_ASSERT_EQUAL(gdev_msi_enable(&g, 0xfee00000, 0x4031), 0);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0xac + 8, 2), 0x4031);
	CU_ASSERT_EQUAL(scn_cfg_read(s.c[0], 0xac + 2, 2) & 1, 1);
	scn_stop(&s);
}

/* A device that is not an Intel GPU, a BAR firmware did not place: refused with the reason. */
static void
test_probe_refusals(void)
{
	struct gdev g;
	struct scn s;

	if (!scn_start(&s, (const char *[]){ "type=xengt_small" }, 1))
		return;
	/* BARs not placed yet. */
	CU_ASSERT_EQUAL(gdev_probe(&g, s.c[0], 0, SCN_DEV, 0), -ENODEV);
	CU_ASSERT_STRING_EQUAL(g.err, "BAR0 not placed by firmware");
	/* Nothing at 00:03.0: all-ones vendor. */
	CU_ASSERT_EQUAL(gdev_probe(&g, s.c[0], 0, 3, 0), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(g.err, "ffff:ffff"));
	/* PV info and balloon in order. */
	scn_place_bars(s.c[0]);
	CU_ASSERT_EQUAL(gdev_probe(&g, s.c[0], 0, SCN_DEV, 0), 0);
	CU_ASSERT_EQUAL(gdev_balloon(&g, GUEST_RAM_LO, GUEST_RAM_HI), -ENODEV);
	CU_ASSERT_EQUAL(gdev_pvinfo(&g), 0);
	CU_ASSERT_EQUAL(gdev_balloon(&g, GUEST_RAM_HI, GUEST_RAM_LO), -EINVAL);
	CU_ASSERT_EQUAL(gdev_balloon(&g, GUEST_RAM_LO, GUEST_RAM_HI), 0);
	scn_stop(&s);
}

/* Allocations stay inside the ballooned ranges, aligned; running out says so. */
static void
test_balloon_alloc(void)
{
	uint64_t a, b, c;
	struct gdev g;
	struct scn s;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	CU_ASSERT_EQUAL(grange_alloc(&g, &g.low, "aperture GM", 4096, 4096, &a), 0);
	CU_ASSERT_EQUAL(a, g.low_base);
	CU_ASSERT_EQUAL(grange_alloc(&g, &g.low, "aperture GM", 100, 1 << 16, &b), 0);
	CU_ASSERT_EQUAL(b, g.low_base + 0x10000);
	CU_ASSERT_EQUAL(grange_alloc(&g, &g.low, "aperture GM", g.low_size, 4096, &c), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(g.err, "aperture GM: 16777216 bytes wanted, 16711580 left");
	CU_ASSERT_EQUAL(grange_alloc(&g, &g.low, "aperture GM", 4096, 3, &c), -EINVAL);
	CU_ASSERT_EQUAL(grange_alloc(&g, &g.high, "hidden GM", g.high_size, 4096, &c), 0);
	CU_ASSERT_EQUAL(c, g.high_base);
	CU_ASSERT_EQUAL(grange_alloc(&g, &g.high, "hidden GM", 4096, 4096, &c), -ENOSPC);
	/* Guest RAM: zeroed pages inside [lo, hi). */
	memset(gdev_ram(&g, GUEST_RAM_LO, 4096), 0x5a, 4096);
	CU_ASSERT_EQUAL(gdev_ram_alloc(&g, 2, &a), 0);
	CU_ASSERT_EQUAL(a, GUEST_RAM_LO);
	CU_ASSERT_EQUAL(((uint8_t *)gdev_ram(&g, a, 4096))[100], 0);
	CU_ASSERT_EQUAL(gdev_ram_alloc(&g, (GUEST_RAM_HI - GUEST_RAM_LO) / 4096, &a), -ENOSPC);
	scn_stop(&s);
}

/* Objects: one trapped write per GGTT entry, read back; the aperture reaches the pages directly. */
static void
test_ggtt_objects(void)
{
	uint64_t before[ROUTE_NR], after[ROUTE_NR], pte;
	uint8_t buf[8192], back[8192];
	struct gobj o, h;
	struct gdev g;
	struct scn s;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	routes(&s, before);
	CU_ASSERT_EQUAL_FATAL(gobj_new(&g, 3 * 4096, true, &o), 0);
	routes(&s, after);
	CU_ASSERT_EQUAL(after[ROUTE_MMIO_IOREQ] - before[ROUTE_MMIO_IOREQ], 3);
	CU_ASSERT_TRUE(o.mappable);
	CU_ASSERT_EQUAL(o.gma, g.low_base);
	for (unsigned int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(gdev_readq(&g, (uint32_t)(G9_GGTT_OFF + (o.gma >> 12) * 8 + i * 8),
					   &pte), 0);
		CU_ASSERT_EQUAL(pte, (o.gpa + i * 4096ull) | 1);
	}
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ggtt_writes"), 3);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "ggtt_bad"), 0);
	/* CPU through the aperture: lands in the object's own pages, no trap at all. */
	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	routes(&s, before);
	CU_ASSERT_EQUAL(gdev_aperture_write(&g, o.gma + 4096, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(gdev_aperture_read(&g, o.gma + 4096, back, sizeof(back)), 0);
	routes(&s, after);
	CU_ASSERT_EQUAL(memcmp(buf, back, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(memcmp((uint8_t *)o.cpu + 4096, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(after[ROUTE_MMIO_IOREQ] - before[ROUTE_MMIO_IOREQ], 0);
	CU_ASSERT_EQUAL(after[ROUTE_DIRECT_WRITE] - before[ROUTE_DIRECT_WRITE], 1024);
	CU_ASSERT_EQUAL(after[ROUTE_DIRECT_READ] - before[ROUTE_DIRECT_READ], 1024);
	/* A hidden object has entries but no aperture path. */
	CU_ASSERT_EQUAL_FATAL(gobj_new(&g, 4096, false, &h), 0);
	CU_ASSERT_EQUAL(h.gma, g.high_base);
	CU_ASSERT_EQUAL(gdev_readq(&g, (uint32_t)(G9_GGTT_OFF + (h.gma >> 12) * 8), &pte), 0);
	CU_ASSERT_EQUAL(pte, h.gpa | 1);
	CU_ASSERT_EQUAL(gdev_aperture_write(&g, h.gma, buf, 4), -EFAULT);
	scn_stop(&s);
}

/* The PPGTT: announced empty, its PML4 write-protected, every write to it trapped, walks resolve. */
static void
test_ppgtt_notify(void)
{
	uint64_t before[ROUTE_NR], after[ROUTE_NR], gpa, pml4e;
	char map[8192];
	struct gppgtt vm;
	struct gobj o;
	struct gdev g;
	struct scn s;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	CU_ASSERT_EQUAL_FATAL(gppgtt_new(&g, &vm), 0);
	CU_ASSERT_TRUE(vm.announced);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_TRUE(scn_has_row(map, "p2m-wp", vm.pml4));
	CU_ASSERT_EQUAL_FATAL(gobj_new(&g, 5 * 4096, true, &o), 0);
	routes(&s, before);
	CU_ASSERT_EQUAL_FATAL(gppgtt_bind(&vm, &o), 0);
	routes(&s, after);
	/* PML4 -> PDP -> PD -> PT: 3 tables, one entry each, 5 PTEs. */
	CU_ASSERT_EQUAL(vm.tables, 4);
	CU_ASSERT_EQUAL(vm.pte_writes, 3 + 5);
	/* The PML4 entry went to the device model; the rest reached RAM (or it, once tracked). */
	CU_ASSERT_TRUE(after[ROUTE_WP_WRITE_IOREQ] - before[ROUTE_WP_WRITE_IOREQ] >= 1);
	CU_ASSERT_EQUAL(after[ROUTE_WP_WRITE_IOREQ] - before[ROUTE_WP_WRITE_IOREQ] +
			after[ROUTE_RAM_WRITE] - before[ROUTE_RAM_WRITE], 8);
	CU_ASSERT_TRUE(scn_stat(&s, s.dom[0], "page_writes") >= 1);
	/* The write landed in guest memory: the walk finds every page. */
	CU_ASSERT_EQUAL(sim_mem_read(s.c[0], vm.pml4, 8, &pml4e), 0);
	CU_ASSERT_EQUAL(pml4e & 3, 3);
	for (unsigned int i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(gppgtt_lookup(&vm, o.gva + i * 4096ull + 0x123, &gpa), 0);
		CU_ASSERT_EQUAL(gpa, o.gpa + i * 4096ull + 0x123);
	}
	CU_ASSERT_EQUAL(gppgtt_lookup(&vm, o.gva + 5 * 4096ull, &gpa), -EFAULT);
	CU_ASSERT_EQUAL(gppgtt_lookup(&vm, 1ull << 39, &gpa), -EFAULT);
	CU_ASSERT_STRING_EQUAL(g.err, "0x8000000000 unmapped at level 3");
	CU_ASSERT_EQUAL(gppgtt_map(&vm, 0x1001, 0x2000, 1), -EINVAL);
	CU_ASSERT_EQUAL(gppgtt_map(&vm, 1ull << 48, 0x2000, 1), -EINVAL);
	/* Destroyed: the root is no longer tracked. */
	CU_ASSERT_EQUAL(gppgtt_destroy(&vm), 0);
	scn_trap_map(&s, s.dom[0], map, sizeof(map));
	CU_ASSERT_FALSE(scn_has_row(map, "p2m-wp", vm.pml4));
	scn_stop(&s);
}

/* A context image as docs/execution.md lays it out; its ring wraps as hardware does. */
static void
test_context_image(void)
{
	uint32_t cmds[6] = { MI_NOOP, MI_NOOP, MI_NOOP, MI_NOOP, MI_NOOP, MI_NOOP };
	struct gppgtt vm;
	struct gctx c;
	struct gcmd b;
	struct gdev g;
	struct scn s;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	CU_ASSERT_EQUAL_FATAL(gppgtt_new(&g, &vm), 0);
	CU_ASSERT_EQUAL_FATAL(gctx_new(&g, G9_BCS, &vm, 1, 0x42, &c), 0);
	CU_ASSERT_EQUAL(c.image.size, 2 * 4096);
	CU_ASSERT_EQUAL(c.image.gma & 0xfff, 0);
	CU_ASSERT_EQUAL(c.desc, 0x42ull << 32 | c.image.gma | 0x119);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x01), 0x11000015);	/* MI_LOAD_REGISTER_IMM(11) */
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x02), 0x22244);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x03), 0x000f0009);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x04), 0x22034);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x05), 0);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x08), 0x22038);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x09), (uint32_t)c.ring.gma);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x0b), 0x1);		/* one page, enabled */
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x11), 0x20);		/* BB_STATE: PPGTT */
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x21), 0x11000011);	/* MI_LOAD_REGISTER_IMM(9) */
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x32), 0x22270);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x33), (uint32_t)vm.pml4);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x31), 0);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x46), MI_BATCH_BUFFER_END);
	/* The image and ring live in hidden GM, mapped in the GGTT. */
	CU_ASSERT_TRUE(c.image.gma >= g.high_base && c.ring.gma >= g.high_base);
	/* Ring: tail in the image; 4096-byte ring, 24-byte appends wrap with NOOP padding. */
	gcmd_init(&b, cmds, 6);
	b.n = 6;
	for (unsigned int i = 0; i < 170; i++)
		CU_ASSERT_EQUAL_FATAL(gctx_ring_append(&c, &b), 0);
	CU_ASSERT_EQUAL(c.tail, 170 * 24);
	CU_ASSERT_EQUAL(gctx_reg(&c, 0x07), 170 * 24);
	((uint32_t *)c.ring.cpu)[4095 / 4] = 0xdeadbeef;
	CU_ASSERT_EQUAL(gctx_ring_append(&c, &b), 0);
	CU_ASSERT_EQUAL(c.tail, 24);
	CU_ASSERT_EQUAL(((uint32_t *)c.ring.cpu)[4095 / 4], MI_NOOP);
	b.n = 5;	/* not a qword multiple */
	CU_ASSERT_EQUAL(gctx_ring_append(&c, &b), -EINVAL);
	scn_stop(&s);
}

/* Execlists set-up on the status page register and the interrupt bank, as the guest wrote them. */
static void
test_engine_setup(void)
{
	struct gengine e;
	struct gdev g;
	struct scn s;
	uint32_t v;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	CU_ASSERT_EQUAL_FATAL(gengine_init(&g, G9_BCS, &e), 0);
	CU_ASSERT_EQUAL(gdev_readl(&g, 0x22000 + ENG_HWS_PGA, &v), 0);
	CU_ASSERT_EQUAL(v, (uint32_t)e.hwsp.gma);
	CU_ASSERT_EQUAL(gdev_readl(&g, GT_IER(0), &v), 0);
	CU_ASSERT_EQUAL(v & 0x01010000, 0x01010000);
	CU_ASSERT_EQUAL(gdev_readl(&g, GT_IMR(0), &v), 0);
	CU_ASSERT_EQUAL(v & 0x01010000, 0);
	CU_ASSERT_EQUAL(((uint32_t *)e.hwsp.cpu)[0x1f], 5);
	CU_ASSERT_EQUAL(e.csb_read, 5);
	CU_ASSERT_EQUAL(scn_stat(&s, s.dom[0], "failsafe"), 0);
	scn_stop(&s);
}

/* The plane the guest programs is the plane the daemon decodes, pixels included. */
static void
test_display_plane(void)
{
	char reply[65536], want[64];
	struct gpattern p;
	struct gobj fb;
	struct gdev g;
	struct scn s;

	if (!gtest_up(&s, "type=xengt_small", &g))
		return;
	CU_ASSERT_EQUAL_FATAL(gobj_new(&g, 128 * 4 * 64, true, &fb), 0);
	CU_ASSERT_EQUAL_FATAL(gpattern_get(1, 128, 64, 2, &p), 0);
	CU_ASSERT_EQUAL_FATAL(gpattern_cpu_draw(&g, &p, &fb, 512, 128, 64), 0);
	CU_ASSERT_EQUAL_FATAL(gdisplay_show(&g, 0, &fb, 128, 64, 512), 0);
	CU_ASSERT_EQUAL(gpattern_check(&g, &p, &fb, 512, 128, 64), 0);
	CU_ASSERT_EQUAL_FATAL(scn_ctl(&s, "plane 1 A", reply, sizeof(reply)), 0);
	snprintf(want, sizeof(want), "surf=0x%" PRIx64 " ", fb.gma);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "pipe=A enabled=1 supported=1 format=xrgb8888 "
				      "tiling=linear width=128 height=64 stride=512 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, want));
	/* Pixels 33..35 of row 0 and the first of row 32, as the pattern has them. */
	CU_ASSERT_EQUAL_FATAL(scn_ctl(&s, "pixels 1 A 33", reply, sizeof(reply)), 0);
	snprintf(want, sizeof(want), "\nat=33 rgb=%06x%06x%06x", gpattern_pixel(&p, 33, 0),
		 gpattern_pixel(&p, 34, 0), gpattern_pixel(&p, 35, 0));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "\nnext=8192 missing=0\nok\n"));
	CU_ASSERT_NOT_EQUAL(gpattern_pixel(&p, 0, 0), gpattern_pixel(&p, 32, 0));
	/* Other pipes are off; bad requests are refused with their errno. */
	CU_ASSERT_EQUAL(scn_ctl(&s, "plane 1 B", reply, sizeof(reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(reply, "pipe=B enabled=0 "));
	CU_ASSERT_EQUAL(scn_ctl(&s, "pixels 1 B 0", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error ENODEV: the plane is off\n");
	CU_ASSERT_EQUAL(scn_ctl(&s, "pixels 1 A 8193", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error EINVAL: pixel 8193 beyond the plane's 8192\n");
	CU_ASSERT_EQUAL(scn_ctl(&s, "pixels 1 D 0", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error EINVAL: bad pipe 'D' (A, B or C)\n");
	CU_ASSERT_EQUAL(scn_ctl(&s, "pixels 1 A -1", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error EINVAL: bad pixel index '-1'\n");
	CU_ASSERT_EQUAL(scn_ctl(&s, "plane 9", reply, sizeof(reply)), 0);
	CU_ASSERT_STRING_EQUAL(reply, "error ENOENT: no vGPU for domain 9\n");
	scn_stop(&s);
}

static const struct test_case guest_cases[] = {
	{ "probe and PV info match the daemon's partition", test_probe_pvinfo },
	{ "probe refusals name the reason", test_probe_refusals },
	{ "ballooned allocators", test_balloon_alloc },
	{ "objects: GGTT entries trapped, aperture direct", test_ggtt_objects },
	{ "PPGTT announced, PML4 protected, walks resolve", test_ppgtt_notify },
	{ "context image layout and ring wrap", test_context_image },
	{ "engine set-up registers and status page", test_engine_setup },
	{ "display plane decoded by the daemon", test_display_plane },
	{ NULL, NULL },
};

void suite_guest(void);

void
suite_guest(void)
{
	test_add_suite("guest", guest_cases);
}
