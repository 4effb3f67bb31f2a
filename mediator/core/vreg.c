/* SPDX-License-Identifier: MIT */
/*
 * vreg.c — storage of a vGPU's virtual register file (MMIO_REG_SIZE
 * bytes, one uint32_t per dword): the shared reset image and the
 * per-vGPU copy-on-write mapping of it. The accessors vreg_get/vreg_set
 * are mmio.c's, next to the register engine that inlines them.
 *
 * The reset image is the register file of a vGPU fresh from creation:
 * every module's reset_regs hook (vgpu.c) run once on a template. It is
 * kept in a sealed memfd (read-only for ever) and each vGPU maps it
 * MAP_PRIVATE: reads of a page the vGPU never wrote share the image's
 * page, the first write to a 4 KiB page of registers gives that vGPU its
 * own copy of that page (copy-on-write by the MMU). So a vGPU costs no
 * register memory until its guest changes a register, at most the pages
 * it changes afterwards, and an access is still one array index. A write
 * of the value a register already holds changes nothing and copies
 * nothing (a guest rewrites unchanged values often).
 *
 * Without memfd (an old kernel, a sandbox) the image stays in anonymous
 * memory and each vGPU gets a zeroed file with the image's non-zero pages
 * copied in: the same contents, at the old cost.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mediator/core/vgpu_int.h"

#define VREG_PAGE 4096u
#define VREG_PAGES (MMIO_REG_SIZE / VREG_PAGE)
#define VREG_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static struct {
	pthread_mutex_t lock;
	bool built;
	int rc;			/* of the build: 0 or -errno, sticky */
	int fd;			/* the sealed image, or -1 */
	uint32_t *copy;		/* the image when there is no memfd */
	uint64_t nonzero[VREG_PAGES / 64]; /* bit per image page that is not all zero */
} img = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

/* A zeroed image file, mapped shared for building; NULL (and fd -1) without memfd. */
static uint32_t *
image_file(int *fd)
{
	void *p;

	*fd = memfd_create("xengt-vreg-reset", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (*fd < 0)
		return NULL;
	if (ftruncate(*fd, MMIO_REG_SIZE) == 0) {
		p = mmap(NULL, MMIO_REG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
		if (p != MAP_FAILED)
			return p;
	}
	close(*fd);
	*fd = -1;
	return NULL;
}

/* Note which pages of the built image hold a non-zero register. */
static void
image_scan(const uint32_t *image)
{
	for (unsigned int pg = 0; pg < VREG_PAGES; pg++)
		for (unsigned int i = 0; i < VREG_PAGE / 4; i++)
			if (image[pg * (VREG_PAGE / 4) + i]) {
				img.nonzero[pg / 64] |= 1ull << (pg % 64);
				break;
			}
}

/* Lock held. Build the image by running fill on a template vGPU. */
static int
image_build(void (*fill)(struct vgpu *tmpl))
{
	struct vgpu *t = vgpu_zalloc(sizeof(*t));
	uint32_t *image;
	int fd;

	if (!t)
		return -ENOMEM;
	image = image_file(&fd);
	if (!image)
		image = vgpu_zalloc(MMIO_REG_SIZE);
	if (!image) {
		vgpu_zfree(t, sizeof(*t));
		return -ENOMEM;
	}
	t->vreg = image;
	fill(t);
	vgpu_zfree(t, sizeof(*t));
	image_scan(image);
	if (fd < 0) {
		img.copy = image;
		return 0;
	}
	/*
	 * Sealed read-only for good: no writable shared mapping may remain.
	 * Nothing here writes the file again, so a sandbox that refuses the
	 * seal costs only the kernel's guarantee.
	 */
	munmap(image, MMIO_REG_SIZE);
	if (fcntl(fd, F_ADD_SEALS, VREG_SEALS) < 0)
		log_warn("vreg: cannot seal the register reset image: %s", strerror(errno));
	img.fd = fd;
	return 0;
}

int
vreg_image_init(void (*fill)(struct vgpu *tmpl))
{
	int rc;

	pthread_mutex_lock(&img.lock);
	if (!img.built) {
		img.rc = image_build(fill);
		img.built = true;
		if (img.rc)
			log_err("vreg: cannot build the register reset image: %s", strerror(-img.rc));
	}
	rc = img.rc;
	pthread_mutex_unlock(&img.lock);
	return rc;
}

uint32_t *
vreg_alloc(void)
{
	uint32_t *r;
	int fd, rc;

	pthread_mutex_lock(&img.lock);
	fd = img.fd;
	rc = img.built ? img.rc : -EINVAL;
	pthread_mutex_unlock(&img.lock);
	if (rc)
		return NULL;
	if (fd >= 0) {
		void *p = mmap(NULL, MMIO_REG_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_NORESERVE, fd, 0);

		return p == MAP_FAILED ? NULL : p;
	}
	r = vgpu_zalloc(MMIO_REG_SIZE);
	for (unsigned int pg = 0; r && pg < VREG_PAGES; pg++)
		if (img.nonzero[pg / 64] & (1ull << (pg % 64)))
			memcpy(r + pg * (VREG_PAGE / 4), img.copy + pg * (VREG_PAGE / 4), VREG_PAGE);
	return r;
}

void
vreg_free(uint32_t *vreg)
{
	if (vreg)
		munmap(vreg, MMIO_REG_SIZE);
}
