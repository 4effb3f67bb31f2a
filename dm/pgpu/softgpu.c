/* SPDX-License-Identifier: MIT */
/*
 * softgpu.c — the "softgpu" pgpu backend: pgpu_ops over a
 * machine's softgpu. Spec is the machine name (empty: $XENSIM_MACHINE).
 */
#include <errno.h>
#include <stdlib.h>

#include "dm/pgpu/pgpu_list.h"
#include "mediator/pgpu.h"
#include "sim/softgpu/softgpu.h"

struct pgpu {
	struct softgpu *g;
};

static uint32_t
sg_mmio_read(struct pgpu *p, uint32_t off)
{
	return softgpu_mmio_read(p->g, off);
}

static void
sg_mmio_write(struct pgpu *p, uint32_t off, uint32_t val)
{
	softgpu_mmio_write(p->g, off, val);
}

static uint64_t
sg_ggtt_read(struct pgpu *p, uint64_t idx)
{
	return softgpu_ggtt_read(p->g, idx);
}

static void
sg_ggtt_write(struct pgpu *p, uint64_t idx, uint64_t pte)
{
	softgpu_ggtt_write(p->g, idx, pte);
}

static void
sg_info(struct pgpu *p, struct pgpu_info *out)
{
	(void)p;
	out->device_id = SOFTGPU_DEVICE_ID;
	out->aperture_size = SOFTGPU_APERTURE_SIZE;
	out->gm_size = (uint64_t)SOFTGPU_GGTT_ENTRIES << 12;
	out->nr_fences = SOFTGPU_NR_FENCES;
	out->ggtt_entries = SOFTGPU_GGTT_ENTRIES;
}

static void
sg_close(struct pgpu *p)
{
	softgpu_close(p->g);
	free(p);
}

static const struct pgpu_ops softgpu_ops = {
	.mmio_read = sg_mmio_read,
	.mmio_write = sg_mmio_write,
	.ggtt_read = sg_ggtt_read,
	.ggtt_write = sg_ggtt_write,
	.info = sg_info,
	.close = sg_close,
};

static int
sg_open(const char *spec, struct pgpu_dev *out)
{
	struct pgpu *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->g = softgpu_open(spec && *spec ? spec : NULL);
	if (!p->g) {
		int e = errno;

		free(p);
		return -e;
	}
	out->ops = &softgpu_ops;
	out->p = p;
	return 0;
}

const struct pgpu_backend softgpu_backend = {
	.name = "softgpu",
	.open = sg_open,
};
