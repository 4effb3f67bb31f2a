/* SPDX-License-Identifier: MIT */
/*
 * tools/linux-guest/i915_uapi.h — the kernel uapi layouts and ioctl
 * numbers the guest helpers use (drm.h, i915_drm.h), restated: Debian
 * ships those headers only in libdrm-dev, and the helpers are static
 * programs without libdrm.
 */
#ifndef LINUX_GUEST_I915_UAPI_H
#define LINUX_GUEST_I915_UAPI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

struct drm_version {
	int version_major, version_minor, version_patchlevel;
	size_t name_len;
	char *name;
	size_t date_len;
	char *date;
	size_t desc_len;
	char *desc;
};
struct drm_gem_close {
	uint32_t handle, pad;
};
struct drm_i915_getparam {
	int32_t param;
	int *value;
};
struct drm_i915_gem_create {
	uint64_t size;
	uint32_t handle, pad;
};
#define DRM_IOCTL_VERSION _IOWR('d', 0x00, struct drm_version)
#define DRM_IOCTL_GEM_CLOSE _IOW('d', 0x09, struct drm_gem_close)
/* DRM_COMMAND_BASE 0x40 + DRM_I915_GETPARAM 0x06 / DRM_I915_GEM_CREATE 0x1b */
#define DRM_IOCTL_I915_GETPARAM _IOWR('d', 0x46, struct drm_i915_getparam)
#define DRM_IOCTL_I915_GEM_CREATE _IOWR('d', 0x5b, struct drm_i915_gem_create)
#define I915_PARAM_CHIPSET_ID 4

struct drm_i915_gem_pwrite {	/* also GEM_PREAD's */
	uint32_t handle, pad;
	uint64_t offset, size, data_ptr;
};
struct drm_i915_gem_relocation_entry {
	uint32_t target_handle, delta;
	uint64_t offset, presumed_offset;
	uint32_t read_domains, write_domain;
};
struct drm_i915_gem_exec_object2 {
	uint32_t handle, relocation_count;
	uint64_t relocs_ptr, alignment, offset, flags, rsvd1, rsvd2;
};
struct drm_i915_gem_execbuffer2 {
	uint64_t buffers_ptr;
	uint32_t buffer_count, batch_start_offset, batch_len, DR1, DR4, num_cliprects;
	uint64_t cliprects_ptr, flags, rsvd1, rsvd2;
};
struct drm_i915_gem_wait {
	uint32_t bo_handle, flags;
	int64_t timeout_ns;
};
/* DRM_COMMAND_BASE 0x40 + GEM_PREAD 0x1c, GEM_PWRITE 0x1d, GEM_EXECBUFFER2 0x29, GEM_WAIT 0x2c */
#define DRM_IOCTL_I915_GEM_PREAD _IOW('d', 0x5c, struct drm_i915_gem_pwrite)
#define DRM_IOCTL_I915_GEM_PWRITE _IOW('d', 0x5d, struct drm_i915_gem_pwrite)
#define DRM_IOCTL_I915_GEM_EXECBUFFER2 _IOW('d', 0x69, struct drm_i915_gem_execbuffer2)
#define DRM_IOCTL_I915_GEM_WAIT _IOWR('d', 0x6c, struct drm_i915_gem_wait)
/* execbuf flags: the engine, and the objects named by their index (HANDLE_LUT). */
#define I915_EXEC_RENDER 1
#define I915_EXEC_BSD 2
#define I915_EXEC_BLT 3
#define I915_EXEC_VEBOX 4
#define I915_EXEC_HANDLE_LUT (1u << 12)
#define I915_GEM_DOMAIN_RENDER 0x2

#endif
