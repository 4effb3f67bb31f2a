/* SPDX-License-Identifier: MIT */
/*
 * mmio_context.c — which context owns the physical GPU's per-context
 * registers (rows flagged MF_SAVE), and the switch between owners: save
 * the physical values into the outgoing owner's area, load the incoming
 * one's. Choosing when to switch is the scheduler's job; which registers
 * are per-context is the tables' (mmio_table.c and friends).
 */
#include <errno.h>

#include "mediator/core/vgpu_int.h"

/*
 * Where a context keeps its MF_SAVE values while it does not own the GPU:
 * a vGPU in its own register file (the values the guest reads), the host
 * in gpu->host_vreg. As in GVT-g's mmio_context.c, a vGPU's register file
 * takes the physical values at switch-out, so a register the engine
 * changed while the vGPU ran reads back as the engine left it; the
 * guest's own writes while it owned the GPU went through to the physical
 * register (mmio_context_write), so the save keeps them too.
 */
static uint32_t *
ctx_area(struct gpu *gpu, struct vgpu *v)
{
	return v ? v->vreg : gpu->host_vreg;
}

/*
 * Save every MF_SAVE dword from the physical GPU into from's area, then
 * load to's values. A masked register (MF_MASKED: bits 31:16 select which
 * of 15:0 change) is saved as its 16 value bits and loaded with the whole
 * mask half set, so every bit takes the saved value. gpu->lock held.
 */
static void
ctx_switch_regs(struct gpu *gpu, uint32_t *from, const uint32_t *to)
{
	const struct pgpu_ops *ops = gpu->dev.ops;

	for (size_t i = 0; i < mmio_row_count(); i++) {
		const struct mmio_reg *r = mmio_row(i);

		if (!(r->flags & MF_SAVE))
			continue;
		for (uint32_t o = r->off; o < r->off + r->size; o += 4) {
			uint32_t phys = ops->mmio_read(gpu->dev.p, o);
			uint32_t next = to[o / 4];

			if (r->flags & MF_MASKED) {
				phys &= 0xffffu;
				next = 0xffff0000u | (next & 0xffffu);
			}
			from[o / 4] = phys;
			ops->mmio_write(gpu->dev.p, o, next);
		}
	}
}

/*
 * While v owns the GPU the physical register is v's context register, so
 * a guest write must reach it: otherwise the next switch-out would save
 * the stale physical value over the guest's write. The value written is
 * what the row's policy left in v's register file (ro bits and handler
 * side effects applied). A masked register takes only the bits the guest
 * selected (its own mask half, minus ro_mask), so bits the engine owns or
 * the guest left alone keep their physical value; a plain register keeps
 * its physical ro/w1c bits. Caller holds v->lock, and ctx_switch takes the
 * outgoing and incoming owners' locks, so gpu->owner == v cannot change
 * under us; gpu->lock serialises the physical access.
 */
void
mmio_context_write(struct vgpu *v, const struct mmio_reg *r, uint32_t off, uint32_t val)
{
	struct gpu *gpu = v->gpu;
	const struct pgpu_ops *ops = gpu->dev.ops;
	uint32_t nv = vreg_get(v, off);

	if (r->flags & MF_RO)
		return;
	pthread_mutex_lock(&gpu->lock);
	if (gpu->owner == v) {
		if (r->flags & MF_MASKED) {
			uint32_t sel = (val >> 16) & ~r->ro_mask & 0xffffu;

			if (sel)
				ops->mmio_write(gpu->dev.p, off, sel << 16 | (nv & sel));
		} else {
			uint32_t keep = r->ro_mask | r->w1c_mask;
			uint32_t phys = ops->mmio_read(gpu->dev.p, off);

			ops->mmio_write(gpu->dev.p, off, (phys & keep) | (nv & ~keep));
		}
	}
	pthread_mutex_unlock(&gpu->lock);
}

/* Is v one of gpu's live vGPUs? (gpu->lock held) */
static bool
ctx_is_member(const struct gpu *gpu, const struct vgpu *v)
{
	return v->id >= 1 && v->id <= GPU_MAX_VGPUS && gpu->vgpus[v->id - 1] == v;
}

/*
 * The switch proper, switch_lock held. Lock order: the two vGPUs' locks
 * (lower id first; only this function holds two), then gpu->lock, as
 * everywhere else (v->lock before gpu->lock).
 */
static int
ctx_switch(struct gpu *gpu, struct vgpu *next, bool check_member)
{
	struct vgpu *prev = gpu->owner, *first, *second;
	int rc = 0;

	if (prev == next)
		return 0;
	if (!gpu->host_vreg) {
		/* The host's area, once: zero pages until written (vgpu_zalloc). */
		gpu->host_vreg = vgpu_zalloc(MMIO_REG_SIZE);
		if (!gpu->host_vreg)
			return -ENOMEM;
	}
	rc = mmio_index_init();
	if (rc)
		return rc;
	first = prev;
	second = next;
	if (first && second && second->id < first->id) {
		first = next;
		second = prev;
	}
	if (first)
		pthread_mutex_lock(&first->lock);
	if (second)
		pthread_mutex_lock(&second->lock);
	pthread_mutex_lock(&gpu->lock);
	if (check_member && next && !ctx_is_member(gpu, next)) {
		rc = -ENOENT;
	} else {
		ctx_switch_regs(gpu, ctx_area(gpu, prev), ctx_area(gpu, next));
		gpu->owner = next;
	}
	pthread_mutex_unlock(&gpu->lock);
	if (second)
		pthread_mutex_unlock(&second->lock);
	if (first)
		pthread_mutex_unlock(&first->lock);
	return rc;
}

int
gpu_switch_to(struct gpu *gpu, struct vgpu *next)
{
	int rc;

	if (!gpu || (next && next->gpu != gpu))
		return -EINVAL;
	pthread_mutex_lock(&gpu->switch_lock);
	rc = ctx_switch(gpu, next, true);
	pthread_mutex_unlock(&gpu->switch_lock);
	if (rc == 0 && next)
		log_dbg(DBG_MMIO, "%s: owns the GPU's context registers", next->tag);
	return rc;
}

struct vgpu *
gpu_owner(struct gpu *gpu)
{
	struct vgpu *o;

	pthread_mutex_lock(&gpu->lock);
	o = gpu->owner;
	pthread_mutex_unlock(&gpu->lock);
	return o;
}

void
mmio_context_release(struct vgpu *v)
{
	struct gpu *gpu = v->gpu;
	int rc = 0;

	pthread_mutex_lock(&gpu->switch_lock);
	/* owner changes only under switch_lock, so this read is stable. */
	if (gpu->owner == v)
		rc = ctx_switch(gpu, NULL, false);
	pthread_mutex_unlock(&gpu->switch_lock);
	if (rc)
		vgpu_log(v, LOG_ERR, "switching the GPU back to the host failed: %d", rc);
}
