/* SPDX-License-Identifier: MIT */
/*
 * guest_gm.c — reading and writing a guest's graphics memory the way its
 * GPU would reach it: each 4 KiB page through the guest's own GGTT entry
 * (ggtt.c keeps the guest's view), then guest physical memory through the
 * hypervisor ops. Context images, rings and status pages are found this
 * way; the physical GGTT is never consulted (it may lag or differ).
 */
#include <errno.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/exec.h"

/* Bytes from gma to the end of its page. */
static size_t
page_rest(uint64_t gma)
{
	return EXEC_PAGE - (size_t)(gma & (EXEC_PAGE - 1));
}

/* [gma, gma + len) does not wrap and lies in the vGPU's GM. */
static bool
span_ok(struct vgpu *v, uint64_t gma, size_t len)
{
	return len && gma + len > gma && gm_owns(&v->part, gma, len);
}

int
exec_gma_read(struct vgpu *v, uint64_t gma, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (!len)
		return 0;
	if (!span_ok(v, gma, len))
		return -EFAULT;
	while (len) {
		size_t n = page_rest(gma) < len ? page_rest(gma) : len;
		uint64_t gpa;

		if (ggtt_gma_to_gpa(v, gma, &gpa) < 0 ||
		    v->hv_ops->read_gpa(v->hv, gpa, p, n) < 0)
			return -EFAULT;
		gma += n;
		p += n;
		len -= n;
	}
	return 0;
}

int
exec_gma_write(struct vgpu *v, uint64_t gma, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t a;
	size_t left;

	if (!len)
		return 0;
	if (!span_ok(v, gma, len))
		return -EFAULT;
	/* Every page first: a write that cannot land whole does not start. */
	for (a = gma, left = len; left;) {
		size_t n = page_rest(a) < left ? page_rest(a) : left;
		uint64_t gpa;

		if (ggtt_gma_to_gpa(v, a, &gpa) < 0)
			return -EFAULT;
		a += n;
		left -= n;
	}
	while (len) {
		size_t n = page_rest(gma) < len ? page_rest(gma) : len;
		uint64_t gpa;

		if (ggtt_gma_to_gpa(v, gma, &gpa) < 0 ||
		    v->hv_ops->write_gpa(v->hv, gpa, p, n) < 0)
			return -EFAULT;
		gma += n;
		p += n;
		len -= n;
	}
	return 0;
}
