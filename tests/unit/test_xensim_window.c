/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_window.c — windows of external memory in the machine's
 * address space (sim/memwin.c, xensim_mem_*): reserved ranges no domain
 * gets, a memfd's pages seen at window + offset through this process's
 * machine mapping (and through the GPU aperture once the GGTT points
 * there), the placement rules, the machine's own pages back after unmap
 * and close, and other processes not seeing a window.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/softgpu/softgpu.h"
#include "tests/unit/sg_rig.h"
#include "sim/xensim.h"
#include "tests/test_util.h"

#define MB (1ull << 20)

/* A memfd of size bytes whose page i starts with the dword 0xa5000000 + i. */
static int
memfd_pattern(uint64_t size)
{
	int fd = memfd_create("xensim-window-test", MFD_CLOEXEC);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)size) == 0);
	for (uint64_t off = 0; off < size; off += 4096) {
		uint32_t v = 0xa5000000u + (uint32_t)(off >> 12);

		CU_ASSERT_FATAL(pwrite(fd, &v, sizeof(v), (off_t)off) == (ssize_t)sizeof(v));
	}
	return fd;
}

static uint32_t
rd32(struct xensim_mem *x, uint64_t maddr, int *rc)
{
	uint32_t v = 0;

	*rc = xensim_mem_rw(x, maddr, &v, sizeof(v), false);
	return v;
}

static void
test_window_reserved(void)
{
	char mach[64];
	struct xensim_mem *x;
	uint64_t w1 = 0, w2 = 0, w3;
	int d;

	test_machine_new(mach, sizeof(mach));
	x = xensim_mem_open(mach);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	d = xensim_domain_create(mach, 16, 1);
	CU_ASSERT_FATAL(d > 0);
	CU_ASSERT_EQUAL(xensim_mem_window(x, 8 * MB, &w1), 0);
	CU_ASSERT_EQUAL(xensim_mem_window(x, 4096, &w2), 0);
	CU_ASSERT_EQUAL(w1 % (2 * MB), 0);
	CU_ASSERT_EQUAL(w2 % (2 * MB), 0);
	CU_ASSERT_TRUE(w2 >= w1 + 8 * MB);
	/* No domain's RAM is inside a window: neither the one before nor one after. */
	{
		uint64_t m0 = 0, m1 = 0;
		int d2 = xensim_domain_create(mach, 16, 1);

		CU_ASSERT_FATAL(d2 > 0);
		CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, (uint32_t)d, 0, &m0), 0);
		CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, (uint32_t)d2, 0, &m1), 0);
		CU_ASSERT_TRUE(m0 + 16 * MB <= w1);
		CU_ASSERT_TRUE(m1 >= w2 + 4096);
	}
	w3 = 1;
	CU_ASSERT_EQUAL(xensim_mem_window(x, 0, &w3), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_window(x, 4095, &w3), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_window(x, XENSIM_MEM_SIZE - 4096, &w3), -ENOMEM);
	CU_ASSERT_EQUAL(w3, 1);		/* untouched on failure */
	xensim_mem_close(x);
	test_machine_done(mach);
}

/*
 * The engines reach a window too: softgpu's DMA goes through this
 * process's machine mapping (a QEMU guest's breadcrumbs land in its RAM
 * file, not in the machine's pages under the window).
 */
static void
test_window_gpu_dma(void)
{
	struct sg_rig r;
	struct sg_ctx c;
	struct xensim_mem *x;
	uint64_t w = 0;
	const uint32_t gma = 0x4000000u;
	uint32_t v = 0;
	int fd;

	rig_open(&r);
	x = xensim_mem_open(r.machine);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	fd = memfd_pattern(MB);
	CU_ASSERT_EQUAL_FATAL(xensim_mem_window(x, 2 * MB, &w), 0);
	CU_ASSERT_EQUAL_FATAL(xensim_mem_map(x, w, MB, fd, 0), 0);
	rig_ggtt_map(&r, gma, w + 5 * 4096);
	rig_ctx(&r, &c, 9, 1, NULL);
	CTX_EMIT(&c, MI_SDI | MI_GGTT | 2, gma + 8, 0, 0xfeedf00du,
		 MI_COPY_MEM | MI_GGTT | (1u << 21), gma + 12, 0, gma, 0);
	CU_ASSERT_EQUAL(rig_submit1(&r, SOFTGPU_RCS, &c), 0);
	rig_expect_run(&r, SOFTGPU_RCS, 9);
	CU_ASSERT_EQUAL(pread(fd, &v, 4, 5 * 4096 + 8), 4);
	CU_ASSERT_EQUAL(v, 0xfeedf00du);
	CU_ASSERT_EQUAL(pread(fd, &v, 4, 5 * 4096 + 12), 4);
	CU_ASSERT_EQUAL(v, 0xa5000005u);	/* read from the file, written to it */
	xensim_mem_close(x);
	close(fd);
	rig_close(&r);
}

static void
test_window_maps_memfd(void)
{
	char mach[64];
	struct xensim_mem *x, *y;
	struct softgpu *g;
	uint64_t w = 0;
	uint32_t v;
	int fd, rc;

	test_machine_new(mach, sizeof(mach));
	x = xensim_mem_open(mach);
	y = xensim_mem_open(mach);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(y);
	fd = memfd_pattern(4 * MB);
	CU_ASSERT_EQUAL_FATAL(xensim_mem_window(x, 8 * MB, &w), 0);
	/* The file's second MiB at window + 4 MiB. */
	CU_ASSERT_EQUAL(xensim_mem_map(x, w + 4 * MB, MB, fd, MB), 0);
	CU_ASSERT_EQUAL(rd32(x, w + 4 * MB, &rc), 0xa5000100u);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(rd32(x, w + 4 * MB + 0x3000, &rc), 0xa5000103u);
	/* Every user of this process's machine mapping sees it (softgpu's path). */
	CU_ASSERT_EQUAL(rd32(y, w + 4 * MB + 0x3000, &rc), 0xa5000103u);
	CU_ASSERT_EQUAL(rc, 0);
	/* The rest of the window is the machine's own (empty) RAM. */
	CU_ASSERT_EQUAL(rd32(x, w, &rc), 0);
	CU_ASSERT_EQUAL(rc, 0);
	/* Writes reach the file. */
	v = 0x12345678u;
	CU_ASSERT_EQUAL(xensim_mem_rw(x, w + 4 * MB + 0x2004, &v, 4, true), 0);
	CU_ASSERT_EQUAL(pread(fd, &v, 4, (off_t)(MB + 0x2004)), 4);
	CU_ASSERT_EQUAL(v, 0x12345678u);
	/* The aperture: GGTT entry 5 -> the window's page 0x3000 + 4 MiB. */
	g = softgpu_open(mach);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	softgpu_ggtt_write(g, 5, (w + 4 * MB + 0x3000) | 1);
	CU_ASSERT_EQUAL(rd32(x, XENSIM_APERTURE_MADDR + 5 * 4096, &rc), 0xa5000103u);
	CU_ASSERT_EQUAL(rc, 0);
	/* Not present: all-ones, -EFAULT; writes dropped. */
	CU_ASSERT_EQUAL(rd32(x, XENSIM_APERTURE_MADDR + 6 * 4096, &rc), 0xffffffffu);
	CU_ASSERT_EQUAL(rc, -EFAULT);
	v = 7;
	CU_ASSERT_EQUAL(xensim_mem_rw(x, XENSIM_APERTURE_MADDR + 6 * 4096, &v, 4, true), -EFAULT);
	/* A read across a present and a missing page: the missing part all-ones. */
	{
		uint8_t b[8];

		CU_ASSERT_EQUAL(xensim_mem_rw(x, XENSIM_APERTURE_MADDR + 6 * 4096 - 4, b, 8, false),
				-EFAULT);
		CU_ASSERT_EQUAL(b[4], 0xff);
		CU_ASSERT_EQUAL(b[7], 0xff);
	}
	/* Neither RAM nor aperture. */
	CU_ASSERT_EQUAL(rd32(x, XENSIM_MEM_SIZE, &rc), 0xffffffffu);
	CU_ASSERT_EQUAL(rc, -EFAULT);
	softgpu_close(g);
	/* Unmapped: the machine's pages again; the file keeps its contents. */
	CU_ASSERT_EQUAL(xensim_mem_unmap(x, w + 4 * MB, MB), 0);
	CU_ASSERT_EQUAL(rd32(x, w + 4 * MB + 0x2004, &rc), 0);
	CU_ASSERT_EQUAL(pread(fd, &v, 4, (off_t)(MB + 0x2004)), 4);
	CU_ASSERT_EQUAL(v, 0x12345678u);
	/* Closing restores every window it made. */
	CU_ASSERT_EQUAL(xensim_mem_map(x, w, MB, fd, 0), 0);
	CU_ASSERT_EQUAL(rd32(y, w, &rc), 0xa5000000u);
	xensim_mem_close(x);
	CU_ASSERT_EQUAL(rd32(y, w, &rc), 0);
	CU_ASSERT_EQUAL(rc, 0);
	xensim_mem_close(y);
	close(fd);
	test_machine_done(mach);
}

static void
test_window_rules(void)
{
	char mach[64];
	struct xensim_mem *x, *y;
	uint64_t w = 0, wy = 0;
	int fd, efd;

	test_machine_new(mach, sizeof(mach));
	x = xensim_mem_open(mach);
	y = xensim_mem_open(mach);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(y);
	fd = memfd_pattern(2 * MB);
	efd = eventfd(0, EFD_CLOEXEC);
	CU_ASSERT_FATAL(efd >= 0);
	CU_ASSERT_EQUAL_FATAL(xensim_mem_window(x, 2 * MB, &w), 0);
	CU_ASSERT_EQUAL_FATAL(xensim_mem_window(y, 2 * MB, &wy), 0);
	/* Outside x's windows: below, past the end, straddling, another handle's. */
	CU_ASSERT_EQUAL(xensim_mem_map(x, w - 4096, 4096, fd, 0), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_map(x, w + 2 * MB, 4096, fd, 0), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_map(x, w + 2 * MB - 4096, 8192, fd, 0), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_map(x, wy, 4096, fd, 0), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_unmap(x, wy, 4096), -EINVAL);
	/* Unaligned address, length or offset; empty. */
	CU_ASSERT_EQUAL(xensim_mem_map(x, w + 1, 4096, fd, 0), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_map(x, w, 100, fd, 0), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_map(x, w, 4096, fd, 512), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_map(x, w, 0, fd, 0), -EINVAL);
	/* Past the file's end (would fault), not a regular file, not a file. */
	CU_ASSERT_EQUAL(xensim_mem_map(x, w, 2 * MB, fd, 4096), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_map(x, w, 4096, efd, 0), -EINVAL);
	CU_ASSERT_EQUAL(xensim_mem_map(x, w, 4096, -1, 0), -EBADF);
	/* Whole file: fine. */
	CU_ASSERT_EQUAL(xensim_mem_map(x, w, 2 * MB, fd, 0), 0);
	/* Only XENSIM_MEM_MAX_WINDOWS per handle. */
	for (int i = 1; i < XENSIM_MEM_MAX_WINDOWS; i++)
		CU_ASSERT_EQUAL(xensim_mem_window(x, 4096, &wy), 0);
	CU_ASSERT_EQUAL(xensim_mem_window(x, 4096, &wy), -ENOSPC);
	xensim_mem_close(x);
	xensim_mem_close(y);
	close(fd);
	close(efd);
	test_machine_done(mach);
}

/*
 * A window is this process's view: the machine's RAM file, which every
 * other process maps, keeps its own (empty) pages there, even after a write
 * through the window.
 */
static void
test_window_process_local(void)
{
	char mach[64], path[128];
	struct xensim_mem *x;
	uint64_t w = 0;
	uint32_t v = 0xdeadbeefu;
	int fd, memfd, rc;

	test_machine_new(mach, sizeof(mach));
	x = xensim_mem_open(mach);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	fd = memfd_pattern(MB);
	CU_ASSERT_EQUAL_FATAL(xensim_mem_window(x, MB, &w), 0);
	CU_ASSERT_EQUAL_FATAL(xensim_mem_map(x, w, MB, fd, 0), 0);
	CU_ASSERT_EQUAL(xensim_mem_rw(x, w + 8192, &v, 4, true), 0);
	CU_ASSERT_EQUAL(rd32(x, w + 4096, &rc), 0xa5000001u);
	snprintf(path, sizeof(path), "/dev/shm/xensim-%s.mem", mach);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(memfd >= 0);
	v = 1;
	CU_ASSERT_EQUAL(pread(memfd, &v, 4, (off_t)(w + 4096)), 4);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(pread(memfd, &v, 4, (off_t)(w + 8192)), 4);
	CU_ASSERT_EQUAL(v, 0);
	close(memfd);
	xensim_mem_close(x);
	close(fd);
	test_machine_done(mach);
}

void suite_xensim_window(void);

void
suite_xensim_window(void)
{
	static const struct test_case cases[] = {
		{ "windows are reserved machine-wide, never a domain's RAM", test_window_reserved },
		{ "a memfd placed in a window: RAM path, aperture path, unmap, close",
		  test_window_maps_memfd },
		{ "the GPU engines read and write a window", test_window_gpu_dma },
		{ "placement rules: inside own window, aligned, within the file", test_window_rules },
		{ "a window is the placing process's view only", test_window_process_local },
		{ NULL, NULL },
	};

	test_add_suite("xensim_window", cases);
}
