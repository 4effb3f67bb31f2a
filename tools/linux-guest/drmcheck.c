/* SPDX-License-Identifier: MIT */
/*
 * tools/linux-guest/drmcheck.c — runs inside the linux-guest (static, no
 * libdrm): is /dev/dri/card0 usable? Opens it, asks the driver's name
 * (DRM_IOCTL_VERSION) and chipset id (I915_GETPARAM), creates and closes a
 * GEM object. One "@@xengt drm KEY=VALUE" fact per step; exit 0 only if
 * every step worked. The ioctl layouts: i915_uapi.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "i915_uapi.h"

static int
step(const char *what, int rc)
{
	if (rc)
		printf("@@xengt drm %s=err:%s\n", what, strerror(errno));
	return rc ? 1 : 0;
}

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/dri/card0";
	char name[64] = "";
	struct drm_version ver = { .name = name, .name_len = sizeof(name) - 1 };
	int chipset = 0;
	struct drm_i915_getparam gp = { .param = I915_PARAM_CHIPSET_ID, .value = &chipset };
	struct drm_i915_gem_create create = { .size = 4096 };
	struct drm_gem_close close_arg = { 0 };
	int fd, bad = 0;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("@@xengt drm open=err:%s\n", strerror(errno));
		return 1;
	}
	if (!step("version", ioctl(fd, DRM_IOCTL_VERSION, &ver)))
		printf("@@xengt drm driver=%s\n", name);
	else
		bad = 1;
	if (!step("chipset", ioctl(fd, DRM_IOCTL_I915_GETPARAM, &gp)))
		printf("@@xengt drm chipset=0x%04x\n", chipset);
	else
		bad = 1;
	if (!step("gem_create", ioctl(fd, DRM_IOCTL_I915_GEM_CREATE, &create))) {
		close_arg.handle = create.handle;
		bad |= step("gem_close", ioctl(fd, DRM_IOCTL_GEM_CLOSE, &close_arg));
		printf("@@xengt drm gem_create=ok\n");
	} else {
		bad = 1;
	}
	close(fd);
	printf("@@xengt drm usable=%s\n", bad ? "no" : "yes");
	return bad;
}
