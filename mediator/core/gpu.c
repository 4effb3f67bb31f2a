/* SPDX-License-Identifier: MIT */
/*
 * gpu.c — one physical GPU shared by many vGPUs: takes ownership of an
 * opened pgpu backend, holds the lock for shared resources (GGTT, fences,
 * GM partition) and reports what is still free. vGPUs are vgpu.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/sched.h"

/*
 * Take ownership of dev (its close op runs in gpu_destroy). Returns 0 or
 * -EINVAL for a backend without ops or with facts we cannot serve,
 * -ENOMEM. Context: start-up, before any vGPU thread runs.
 */
int
gpu_create(const struct pgpu_dev *dev, struct gpu **out)
{
	struct gpu *gpu;

	if (!dev || !dev->ops || !dev->ops->info || !out)
		return -EINVAL;
	gpu = calloc(1, sizeof(*gpu));
	if (!gpu)
		return -ENOMEM;
	gpu->dev = *dev;
	dev->ops->info(dev->p, &gpu->info);
	if (!gpu->info.aperture_size || (gpu->info.aperture_size & (gpu->info.aperture_size - 1)) ||
	    gpu->info.aperture_size > gpu->info.gm_size || gpu->info.nr_fences > 64) {
		log_err("gpu: backend reports an unusable layout (aperture %#llx, GM %#llx, "
			"%u fences)", (unsigned long long)gpu->info.aperture_size,
			(unsigned long long)gpu->info.gm_size, gpu->info.nr_fences);
		free(gpu);
		return -EINVAL;
	}
	pthread_mutex_init(&gpu->lock, NULL);
	pthread_mutex_init(&gpu->switch_lock, NULL);
	pthread_mutex_init(&gpu->sched_lock, NULL);
	if (sched_init(gpu) < 0) {
		pthread_mutex_destroy(&gpu->lock);
		pthread_mutex_destroy(&gpu->switch_lock);
		pthread_mutex_destroy(&gpu->sched_lock);
		free(gpu);
		return -ENOMEM;
	}
	gpu->owner = NULL; /* the host owns the context registers */
	gm_alloc_init(&gpu->gm, &gpu->info);
	gpu->next_id = 1;
	log_info("gpu: device %#06x, aperture %llu MiB, GM %llu MiB, %u fences",
		 gpu->info.device_id, (unsigned long long)(gpu->info.aperture_size >> 20),
		 (unsigned long long)(gpu->info.gm_size >> 20), gpu->info.nr_fences);
	*out = gpu;
	return 0;
}

/* Destroy gpu and close its backend; every vGPU must already be destroyed. */
void
gpu_destroy(struct gpu *gpu)
{
	if (!gpu)
		return;
	if (gpu->nr_vgpus)
		log_err("gpu: destroyed with %u vGPUs alive", gpu->nr_vgpus);
	sched_fini(gpu);
	if (gpu->dev.ops && gpu->dev.ops->close)
		gpu->dev.ops->close(gpu->dev.p);
	pthread_mutex_destroy(&gpu->lock);
	pthread_mutex_destroy(&gpu->switch_lock);
	pthread_mutex_destroy(&gpu->sched_lock);
	free(gpu->hostgm.bits);
	vgpu_zfree(gpu->host_vreg, MMIO_REG_SIZE);
	free(gpu);
}

static uint64_t
extents_sum(const struct gm_extent *e, unsigned int n)
{
	uint64_t s = 0;

	for (unsigned int i = 0; i < n && i < GM_MAX_EXTENTS; i++)
		s += e[i].size;
	return s;
}

/* Facts and free space now (takes the gpu lock). */
/* Does every engine's ELSP row have a write handler (execlist emulation)? */
static bool
gpu_elsp_emulated(void)
{
	if (mmio_index_init())
		return false;
	for (unsigned int e = 0; e < EXEC_NR_ENGINES; e++) {
		const struct mmio_reg *r = mmio_find(exec_engines[e].mmio_base + ENG_ELSP);

		if (!r || !r->write)
			return false;
	}
	return true;
}

void
gpu_get_usage(struct gpu *gpu, struct gpu_usage *out)
{
	const struct gm_alloc *a = &gpu->gm;
	uint64_t low_total, high_total, low_used, high_used;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&gpu->lock);
	out->info = gpu->info;
	low_total = a->low_end - a->low_base;
	high_total = a->high_end - a->high_base;
	low_used = extents_sum(a->low_used, a->nr_low);
	high_used = extents_sum(a->high_used, a->nr_high);
	out->low_gm_free = low_used < low_total ? low_total - low_used : 0;
	out->high_gm_free = high_used < high_total ? high_total - high_used : 0;
	{
		unsigned int used = (unsigned int)__builtin_popcountll(a->fence_used);

		out->fences_free = used < a->nr_fences ? a->nr_fences - used : 0;
	}
	out->nr_vgpus = gpu->nr_vgpus;
	out->pgpu_submit = gpu->dev.ops->submit && gpu->dev.ops->next_event &&
			   gpu->dev.ops->mem_alloc;
	pthread_mutex_unlock(&gpu->lock);
	out->elsp_emulated = gpu_elsp_emulated();
	out->can_exec = out->pgpu_submit && out->elsp_emulated;
	if (gpu->sched) {
		struct sched_counters c;

		sched_get_counters(gpu, &c);
		out->submits = c.submits;
		out->lite_restores = c.lite_restores;
		out->switches = c.switches;
		out->engine_resets = c.engine_resets;
		out->watchdog = c.watchdog;
		out->faults = c.faults;
	}
}
