/* SPDX-License-Identifier: MIT */
/*
 * cmd_scan_guest.c — the command scanner's entry points for the rest of
 * the mediator (exec.h): cmd_scan.c with the real guest readers, the
 * vGPU's GGTT view (exec_gma_read, execlist.c) and its PPGTT
 * (ppgtt_gva_to_gpa, mem/ppgtt*.c). Kept apart so the scanner itself can
 * be tested and benched with stand-ins for those.
 */
#include "mediator/exec/cmd_scan.h"

static const struct cmd_guest_ops cmd_guest_real = {
	.gma_read = exec_gma_read,
	.gva_to_gpa = ppgtt_gva_to_gpa,
};

int
cmd_scan_workload(struct vgpu *v, struct workload *w)
{
	return cmd_scan_run(v, w, &cmd_guest_real);
}

int
cmd_scan_ctx_bb(struct vgpu *v, struct workload *w, uint64_t gma, uint32_t len,
		uint64_t *copy_gma)
{
	return cmd_scan_ctx_bb_run(v, w, &cmd_guest_real, gma, len, copy_gma);
}
