/* SPDX-License-Identifier: MIT */
/*
 * softgpu.c — the "softgpu" pgpu backend: pgpu_ops over a machine's
 * softgpu (sim/softgpu/). Spec is the machine name (empty:
 * $XENSIM_MACHINE). Opening it starts softgpu's engines in this process
 * (the daemon): submissions, events and engine resets go to them, and
 * mem_alloc hands out pages of the machine's GPU host pool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm/pgpu/pgpu_list.h"
#include "mediator/log.h"
#include "mediator/pgpu.h"
#include "sim/softgpu/softgpu.h"

/* The two sides name engines, events and faults with the same values. */
_Static_assert((int)SOFTGPU_RCS == (int)PGPU_RCS && (int)SOFTGPU_BCS == (int)PGPU_BCS &&
		       (int)SOFTGPU_VCS == (int)PGPU_VCS && (int)SOFTGPU_VECS == (int)PGPU_VECS &&
		       (int)SOFTGPU_NR_ENGINES == (int)PGPU_NR_ENGINES,
	       "engine order");
_Static_assert((int)SOFTGPU_EV_CSB == (int)PGPU_EV_CSB &&
		       (int)SOFTGPU_EV_USER == (int)PGPU_EV_USER &&
		       (int)SOFTGPU_EV_FAULT == (int)PGPU_EV_FAULT,
	       "event kinds");
_Static_assert((int)SOFTGPU_FAULT_ADDRESS == (int)PGPU_FAULT_ADDRESS &&
		       (int)SOFTGPU_FAULT_OPCODE == (int)PGPU_FAULT_OPCODE &&
		       (int)SOFTGPU_FAULT_HANG == (int)PGPU_FAULT_HANG &&
		       (int)SOFTGPU_FAULT_BAD_CONTEXT == (int)PGPU_FAULT_BAD_CONTEXT,
	       "fault kinds");

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
	out->lite_restore = true;	/* engine.c: a pending pair preempts at an arbitration point */
}

static void *
sg_mem_alloc(struct pgpu *p, unsigned int npages, uint64_t *maddr)
{
	return softgpu_mem_alloc(p->g, npages, maddr);
}

static void
sg_mem_free(struct pgpu *p, void *va, unsigned int npages)
{
	softgpu_mem_free(p->g, va, npages);
}

static int
sg_submit(struct pgpu *p, enum pgpu_engine e, const uint64_t desc[2])
{
	return softgpu_submit(p->g, (enum softgpu_engine)e, desc);
}

static int
sg_event_fd(struct pgpu *p)
{
	return softgpu_event_fd(p->g);
}

static int
sg_next_event(struct pgpu *p, struct pgpu_event *ev)
{
	struct softgpu_event s;

	if (!softgpu_next_event(p->g, &s))
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->kind = (enum pgpu_event_kind)s.kind;
	ev->engine = (enum pgpu_engine)s.engine;
	ev->ctx_id = s.ctx_id;
	ev->status = s.status;
	ev->ring_head = s.ring_head;
	ev->fault = s.fault;
	ev->fault_addr = s.fault_addr;
	snprintf(ev->why, sizeof(ev->why), "%s", s.why);
	return 1;
}

static int
sg_engine_reset(struct pgpu *p, enum pgpu_engine e)
{
	return softgpu_engine_reset(p->g, (enum softgpu_engine)e);
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
	.mem_alloc = sg_mem_alloc,
	.mem_free = sg_mem_free,
	.submit = sg_submit,
	.event_fd = sg_event_fd,
	.next_event = sg_next_event,
	.engine_reset = sg_engine_reset,
	.close = sg_close,
};

static int
sg_open(const char *spec, struct pgpu_dev *out)
{
	struct pgpu *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	p->g = softgpu_open(spec && *spec ? spec : NULL);
	if (!p->g) {
		int e = errno;

		free(p);
		return -e;
	}
	/*
	 * Without its engines the GPU still serves registers and the GGTT;
	 * execution calls then fail with -ENODEV (mem_alloc: NULL, ENODEV).
	 */
	rc = softgpu_exec_start(p->g);
	if (rc < 0)
		log_warn("softgpu: engines not started: %s", strerror(-rc));
	out->ops = &softgpu_ops;
	out->p = p;
	return 0;
}

const struct pgpu_backend softgpu_backend = {
	.name = "softgpu",
	.open = sg_open,
};
