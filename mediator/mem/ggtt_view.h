/* SPDX-License-Identifier: MIT */
/*
 * ggtt_view.h — reading the guest's graphics memory the way the GPU would
 * reach it through the guest's own GGTT entries (ggtt_view.c): for the
 * mediator's readers of guest GM (the display's screenshot accessor;
 * execution's exec_gma_read can sit on the same lookup).
 */
#ifndef MEDIATOR_MEM_GGTT_VIEW_H
#define MEDIATOR_MEM_GGTT_VIEW_H

#include <stddef.h>
#include <stdint.h>

struct vgpu;

/*
 * The guest frame behind GM address gma: 0 and *gfn if gma is in the
 * vGPU's GM and its entry is present and was accepted (the physical entry
 * is present: ggtt.c refuses frames that are not the guest's RAM), else
 * -EFAULT. v->lock held.
 */
int ggtt_view_gfn(struct vgpu *v, uint64_t gma, uint64_t *gfn);

/*
 * Copy len bytes of GM at gma into buf through the guest's entries. A page
 * with no usable entry (ggtt_view_gfn fails) reads as zeros and is counted
 * in *missing (pages; may be NULL), as the display would scan out nothing
 * there. 0, or the hypervisor's -errno for a page it cannot read (the page
 * is zeroed and counted too). v->lock held.
 */
int ggtt_view_read(struct vgpu *v, uint64_t gma, void *buf, size_t len, uint64_t *missing);

#endif
