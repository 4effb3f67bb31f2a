/* SPDX-License-Identifier: MIT */
/*
 * cmd_scan.h — the command scanner's internals that tests and benches
 * reach (docs/execution.md, "The command scanner"): the scan with the
 * guest-memory readers given explicitly, the decoder of one command, and
 * the scanner's limits. The rest of the mediator calls cmd_scan_workload
 * (exec.h), which passes the real readers (cmd_scan_guest.c).
 */
#ifndef MEDIATOR_EXEC_CMD_SCAN_H
#define MEDIATOR_EXEC_CMD_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "mediator/exec/cmd_table.h"
#include "mediator/exec/exec.h"

/* How the scanner reads the guest's graphics memory (v->lock held). */
struct cmd_guest_ops {
	/* Copy len bytes at GGTT address gma through the guest's GGTT view (exec_gma_read). */
	int (*gma_read)(struct vgpu *v, uint64_t gma, void *buf, size_t len);
	/* Guest physical address of PPGTT address gva (ppgtt_gva_to_gpa); -EFAULT if unmapped. */
	int (*gva_to_gpa)(struct vgpu *v, uint64_t root, unsigned int levels, uint64_t gva,
			  uint64_t *gpa);
};

/* Limits, all guest-triggerable. */
#define CMD_BB_MAX_BYTES	(16u << 20)	/* one batch buffer without an end: refused */
#define CMD_MAX_BBS		256u		/* batch buffers (copies) per workload */
#define CMD_BB_TOTAL_BYTES	(64u << 20)	/* guest bytes copied per workload */

/*
 * cmd_scan_workload with the guest readers given (tests give stand-ins).
 * Same contract: 0, or -errno with w->why; on failure nothing is left
 * allocated in w.
 */
int cmd_scan_run(struct vgpu *v, struct workload *w, const struct cmd_guest_ops *ops);

/*
 * cmd_scan_ctx_bb with the guest readers given: audit and copy one of
 * the context image's workaround batches (len > 0: the indirect context
 * buffer, exactly len bytes; len 0: the per-context batch, up to its
 * MI_BATCH_BUFFER_END). The copy is appended to w->bbs; *copy_gma is its
 * GGTT address. 0 or -errno with w->why.
 */
int cmd_scan_ctx_bb_run(struct vgpu *v, struct workload *w, const struct cmd_guest_ops *ops,
			uint64_t gma, uint32_t len, uint64_t *copy_gma);

/*
 * Decode the command at dw[0] (avail dwords readable) for engine e: its
 * row and length in dwords. 0; -EPERM for an unknown command or a length
 * its row does not accept; -ENODATA if it needs more than avail dwords
 * (*len is then its length). why (may be NULL) gets the reason.
 */
int cmd_decode(enum pgpu_engine e, const uint32_t *dw, size_t avail, const struct cmd_desc **d,
	       uint32_t *len, char *why, size_t whylen);

#endif
