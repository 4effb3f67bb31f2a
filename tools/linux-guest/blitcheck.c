/* SPDX-License-Identifier: MIT */
/*
 * tools/linux-guest/blitcheck.c — runs inside the linux-guest (static, no
 * libdrm) after igt's gem_exec_nop and gem_blt, which are Debian's
 * benchmark builds and check nothing: proves that what the guest submits
 * through i915 runs right. An empty batch on every engine completes, and
 * an XY_SRC_COPY_BLT on bcs0 copies a rectangle of a patterned object
 * into another pixel for pixel, the pixels around it untouched. One
 * "@@xengt blit KEY=VALUE" fact per step; exit 0 only if all is right.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "i915_uapi.h"

#define W 256			/* the objects: W x H pixels, 32 bpp, linear */
#define H 64
#define PITCH (W * 4)
#define SIZE (PITCH * H)
/* The copied rectangle: source at (SX, SY), destination at (DX, DY), CW x CH. */
#define SX 3
#define SY 5
#define DX 40
#define DY 10
#define CW 100
#define CH 30

#define MI_BATCH_BUFFER_END (0x0au << 23)
#define XY_SRC_COPY_BLT ((2u << 29) | (0x53u << 22) | (3u << 20) | 8)	/* 10 dwords */
#define BLT_32BPP (3u << 24)
#define ROP_SRC (0xccu << 16)

static uint32_t
pattern(unsigned int x, unsigned int y)
{
	return 0xff000000u | y << 12 | x << 2 | 1;
}

static uint32_t
gem_create(int fd, uint64_t size)
{
	struct drm_i915_gem_create c = { .size = size };

	return ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &c) ? 0 : c.handle;
}

static int
gem_rw(int fd, unsigned long req, uint32_t handle, void *buf, uint64_t len)
{
	struct drm_i915_gem_pwrite p = { .handle = handle, .size = len,
					 .data_ptr = (uint64_t)(uintptr_t)buf };

	return ioctl(fd, req, &p);
}

/* Execute batch object (last of objs) on ring; wait for it (5 s). */
static int
exec_wait(int fd, struct drm_i915_gem_exec_object2 *objs, unsigned int n, uint32_t len,
	  uint64_t ring)
{
	struct drm_i915_gem_execbuffer2 eb = {
		.buffers_ptr = (uint64_t)(uintptr_t)objs, .buffer_count = n, .batch_len = len,
		.flags = ring | I915_EXEC_HANDLE_LUT,
	};
	struct drm_i915_gem_wait w = { .bo_handle = objs[n - 1].handle, .timeout_ns = 5000000000ll };

	if (ioctl(fd, DRM_IOCTL_I915_GEM_EXECBUFFER2, &eb))
		return -1;
	return ioctl(fd, DRM_IOCTL_I915_GEM_WAIT, &w);
}

/* An empty batch on each engine i915 exposes here. */
static int
nop_engines(int fd)
{
	static const struct {
		const char *name;
		uint64_t ring;
	} rings[] = { { "rcs0", I915_EXEC_RENDER }, { "bcs0", I915_EXEC_BLT },
		      { "vcs0", I915_EXEC_BSD }, { "vecs0", I915_EXEC_VEBOX } };
	uint32_t bb[2] = { MI_BATCH_BUFFER_END, 0 };
	int bad = 0;

	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		struct drm_i915_gem_exec_object2 obj = { .handle = gem_create(fd, 4096) };
		int rc = -1;

		if (obj.handle && !gem_rw(fd, DRM_IOCTL_I915_GEM_PWRITE, obj.handle, bb, sizeof(bb)))
			rc = exec_wait(fd, &obj, 1, sizeof(bb), rings[i].ring);
		printf("@@xengt blit nop-%s=%s\n", rings[i].name, rc ? strerror(errno) : "ok");
		bad |= rc != 0;
	}
	return bad;
}

static int
copy_check(int fd)
{
	static uint32_t src[W * H], dst[W * H];
	uint32_t bb[16] = { 0 };
	struct drm_i915_gem_relocation_entry rel[2] = {
		{ .target_handle = 1, .offset = 4 * 4, .read_domains = I915_GEM_DOMAIN_RENDER,
		  .write_domain = I915_GEM_DOMAIN_RENDER },
		{ .target_handle = 0, .offset = 8 * 4, .read_domains = I915_GEM_DOMAIN_RENDER },
	};
	struct drm_i915_gem_exec_object2 objs[3] = {
		{ .handle = gem_create(fd, SIZE) }, { .handle = gem_create(fd, SIZE) },
		{ .handle = gem_create(fd, 4096), .relocation_count = 2,
		  .relocs_ptr = (uint64_t)(uintptr_t)rel },
	};
	unsigned int wrong = 0;

	if (!objs[0].handle || !objs[1].handle || !objs[2].handle) {
		printf("@@xengt blit copy=create:%s\n", strerror(errno));
		return 1;
	}
	for (unsigned int y = 0; y < H; y++)
		for (unsigned int x = 0; x < W; x++) {
			src[y * W + x] = pattern(x, y);
			dst[y * W + x] = 0x5a5a5a5au;
		}
	/* Addresses 0: i915 writes the objects' real ones through the relocations. */
	bb[0] = XY_SRC_COPY_BLT;
	bb[1] = BLT_32BPP | ROP_SRC | PITCH;
	bb[2] = DY << 16 | DX;
	bb[3] = (DY + CH) << 16 | (DX + CW);
	bb[6] = SY << 16 | SX;
	bb[7] = PITCH;
	bb[10] = MI_BATCH_BUFFER_END;
	if (gem_rw(fd, DRM_IOCTL_I915_GEM_PWRITE, objs[0].handle, src, SIZE) ||
	    gem_rw(fd, DRM_IOCTL_I915_GEM_PWRITE, objs[1].handle, dst, SIZE) ||
	    gem_rw(fd, DRM_IOCTL_I915_GEM_PWRITE, objs[2].handle, bb, sizeof(bb)) ||
	    exec_wait(fd, objs, 3, 12 * 4, I915_EXEC_BLT) ||
	    gem_rw(fd, DRM_IOCTL_I915_GEM_PREAD, objs[1].handle, dst, SIZE)) {
		printf("@@xengt blit copy=%s\n", strerror(errno));
		return 1;
	}
	for (unsigned int y = 0; y < H; y++)
		for (unsigned int x = 0; x < W; x++) {
			int in = x >= DX && x < DX + CW && y >= DY && y < DY + CH;
			uint32_t want = in ? pattern(x - DX + SX, y - DY + SY) : 0x5a5a5a5au;

			wrong += dst[y * W + x] != want;
		}
	printf("@@xengt blit copy=%s pixels=%u wrong=%u\n", wrong ? "wrong" : "ok", W * H, wrong);
	return wrong != 0;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/dri/card0";
	int fd = open(path, O_RDWR | O_CLOEXEC), bad;

	if (fd < 0) {
		printf("@@xengt blit open=%s\n", strerror(errno));
		return 1;
	}
	bad = nop_engines(fd);
	bad |= copy_check(fd);
	close(fd);
	return bad;
}
