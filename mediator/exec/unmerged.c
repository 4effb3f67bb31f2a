/* SPDX-License-Identifier: MIT */
/*
 * unmerged.c — TEMPORARY, delete when sched.c, cmd_scan.c and the PPGTT
 * shadow's ppgtt_shadow_for_submit are merged (issue 13: other branches
 * implement them against exec.h). Weak, fail-closed stand-ins so this
 * branch links: a real definition replaces each one. Until then a
 * workload never reaches a GPU unscanned or unshadowed: preparing one
 * fails (-ENOSYS, the vGPU goes failsafe), and a kick wakes nobody.
 */
#include <errno.h>
#include <stdio.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/exec.h"

__attribute__((weak)) void
sched_kick(struct gpu *gpu)
{
	(void)gpu;
}
