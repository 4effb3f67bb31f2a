/* SPDX-License-Identifier: MIT */
/*
 * vgpu.c — one guest's vGPU: creation and teardown of its modules in a
 * fixed order, the entry points for guest accesses (config cycles, BAR0,
 * BAR4, write-protected pages) with validation and routing, failsafe,
 * log-once, counters and the trap map. What each access means is the
 * modules' business (cfg_space.c, mmio.c, ggtt.c, page_track.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mediator/core/vgpu_int.h"
#include "mediator/exec/sched.h"


void
vgpu_config_default(struct vgpu_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->type, sizeof(cfg->type), "%s", "GVTg_V5_4");
	if (vgpu_type_apply(cfg) < 0) {
		/* The type table lost its row: the same sizes, explicitly. */
		cfg->low_gm = 128ull << 20;
		cfg->high_gm = 512ull << 20;
		cfg->fences = 4;
		cfg->weight = 4;
		cfg->max_w = 1920;
		cfg->max_h = 1200;
	}
	cfg->dev = 2; /* 00:02.0, where i915 expects the IGD */
	cfg->unknown = UNKNOWN_TOLERATE;
	cfg->vga_check = true;
	cfg->ggtt_failsafe = false;
	cfg->msi = true;
}

/* ---- logging and failsafe ---- */

void
vgpu_log(struct vgpu *v, enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, v->tag, fmt, ap);
	va_end(ap);
}

void
vgpu_warn_once(struct vgpu *v, enum warn_cause cause, const char *fmt, ...)
{
	va_list ap;

	if ((unsigned int)cause >= WARN_NR_CAUSES || (v->warned & (1ull << cause)))
		return;
	v->warned |= 1ull << cause;
	va_start(ap, fmt);
	log_vmsg(LOG_WARN, v->tag, fmt, ap);
	va_end(ap);
}

void
vgpu_enter_failsafe(struct vgpu *v, const char *reason)
{
	if (v->stats.failsafe)
		return;
	v->stats.failsafe = true;
	snprintf(v->stats.failsafe_reason, sizeof(v->stats.failsafe_reason), "%s", reason);
	vgpu_log(v, LOG_ERR, "entering failsafe: %s (reads all-ones, writes dropped)", reason);
	irq_intx_drop(v);
}

void
vgpu_fail(struct vgpu *v, const char *reason)
{
	pthread_mutex_lock(&v->lock);
	vgpu_enter_failsafe(v, reason);
	pthread_mutex_unlock(&v->lock);
}

/* ---- lifecycle ---- */


/* The register reset image's contents: every module's reset_regs (vreg.c). */
static void
vgpu_reset_regs(struct vgpu *t)
{
	for (size_t m = 0; m < vgpu_nr_modules; m++)
		if (vgpu_modules[m].reset_regs)
			vgpu_modules[m].reset_regs(t);
}

static void
set_err(char *err, size_t errlen, const char *fmt, const char *what, int rc)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, what, rc);
}

/*
 * Zeroed memory for the big per-vGPU arrays (register file, GGTT entries,
 * struct vgpu itself): anonymous pages, not calloc. Most of the 2 MiB
 * register space and of the GGTT arrays is never touched by a guest, and
 * zero pages cost nothing until written, whereas malloc must memset all
 * of it once its dynamic mmap threshold has grown past the size (~1 ms
 * per vGPU). Returns NULL on failure.
 */
void *
vgpu_zalloc(size_t size)
{
	void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Free what vgpu_zalloc(size) returned; NULL is a no-op. */
void
vgpu_zfree(void *p, size_t size)
{
	if (p)
		munmap(p, size ? size : 1);
}

/* Lowest free id 1..GPU_MAX_VGPUS, marked used; 0 if none (gpu lock held). */
static unsigned int
id_alloc(struct gpu *gpu)
{
	for (unsigned int i = 0; i < GPU_MAX_VGPUS; i++)
		if (!(gpu->id_used & (1ull << i))) {
			gpu->id_used |= 1ull << i;
			return i + 1;
		}
	return 0;
}

/*
 * Give v's GM share back after its modules are torn down (gpu->lock held).
 * If the BAR2 aperture slice is still direct-mapped into the guest (the
 * hypervisor refused the unmap even on cfg_space_fini's retry), the guest
 * can still reach that GM: handing it to the next vGPU would open a path
 * between two guests. Options were (a) release anyway (unsafe), (b) fail
 * the destroy and keep the whole vGPU (the toolstack cannot act on it and
 * its ioreq server is going away), (c) leak the share: keep it reserved in
 * the allocator, forever, with an error naming it. We take (c): it costs
 * one share's GM and fences until the daemon restarts, only after a
 * hypervisor failure, and nobody else is ever given that GM. The share is
 * one unit in the allocator, so its high GM and fences are kept as well;
 * its physical fences are still cleared.
 */
static void
vgpu_release_share(struct vgpu *v)
{
	struct gpu *gpu = v->gpu;

	if (v->part.reserved && cfg_space_gm_exposed(v)) {
		fence_clear_phys(gpu, &v->part);
		vgpu_log(v, LOG_ERR,
			 "aperture still mapped into the guest: GM low %#llx+%#llx high "
			 "%#llx+%#llx, fences %u+%u leaked (never reused)",
			 (unsigned long long)v->part.low_base, (unsigned long long)v->part.low_size,
			 (unsigned long long)v->part.high_base,
			 (unsigned long long)v->part.high_size, v->part.fence_base,
			 v->part.fence_num);
		return;
	}
	gm_release(gpu, &v->part);
}

int
vgpu_create(struct gpu *gpu, const struct vgpu_config *cfg, uint32_t domid,
	    const struct hv_ops *ops, struct hv *hv, struct vgpu **out, char *err,
	    size_t errlen)
{
	char why[128] = "";
	struct vgpu *v;
	size_t m = 0;
	int rc;

	if (!gpu || !cfg || !ops || !out || cfg->dev > 31 || cfg->fn > 7) {
		set_err(err, errlen, "%s (%d)", "invalid arguments", -EINVAL);
		return -EINVAL;
	}
	v = vgpu_zalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->gpu = gpu;
	v->domid = domid;
	v->cfg = *cfg;
	v->hv_ops = ops;
	v->hv = hv;
	pthread_mutex_init(&v->lock, NULL);

	pthread_mutex_lock(&gpu->lock);
	v->id = id_alloc(gpu);
	if (!v->id) {
		pthread_mutex_unlock(&gpu->lock);
		snprintf(why, sizeof(why), "no free vGPU id (at most %u per GPU)", GPU_MAX_VGPUS);
		rc = -ENOSPC;
		goto err_free;
	}
	rc = gm_reserve(gpu, cfg, &v->part, why, sizeof(why));
	pthread_mutex_unlock(&gpu->lock);
	snprintf(v->tag, sizeof(v->tag), "d%u/vgpu%u", domid, v->id);
	if (rc < 0)
		goto err_id;

	rc = vreg_image_init(vgpu_reset_regs);
	v->vreg = rc ? NULL : vreg_alloc();
	if (!v->vreg) {
		snprintf(why, sizeof(why), "no memory for the register file");
		rc = -ENOMEM;
		goto err_gm;
	}
	for (m = 0; m < vgpu_nr_modules; m++) {
		rc = vgpu_modules[m].init ? vgpu_modules[m].init(v) : 0;
		if (rc < 0) {
			snprintf(why, sizeof(why), "%s init failed: %d", vgpu_modules[m].name, rc);
			goto err_modules;
		}
	}
	rc = ops->claim_pcidev(hv, cfg->seg, cfg->bus, cfg->dev, cfg->fn);
	if (rc < 0) {
		snprintf(why, sizeof(why), "claiming PCI %04x:%02x:%02x.%u failed: %d",
			 cfg->seg, cfg->bus, cfg->dev, cfg->fn, rc);
		goto err_modules;
	}

	pthread_mutex_lock(&gpu->lock);
	gpu->vgpus[v->id - 1] = v;
	gpu->nr_vgpus++;
	pthread_mutex_unlock(&gpu->lock);
	vgpu_log(v, LOG_INFO, "created: GM low %#llx+%#llx high %#llx+%#llx, fences %u+%u",
		 (unsigned long long)v->part.low_base, (unsigned long long)v->part.low_size,
		 (unsigned long long)v->part.high_base, (unsigned long long)v->part.high_size,
		 v->part.fence_base, v->part.fence_num);
	*out = v;
	return 0;

err_modules:
	while (m-- > 0)
		if (vgpu_modules[m].fini)
			vgpu_modules[m].fini(v);
	vreg_free(v->vreg);
err_gm:
	pthread_mutex_lock(&gpu->lock);
	vgpu_release_share(v);
	pthread_mutex_unlock(&gpu->lock);
err_id:
	pthread_mutex_lock(&gpu->lock);
	gpu->id_used &= ~(1ull << (v->id - 1));
	pthread_mutex_unlock(&gpu->lock);
err_free:
	log_err("d%u: vGPU not created: %s", domid, why);
	if (err && errlen)
		snprintf(err, errlen, "%s", why);
	pthread_mutex_destroy(&v->lock);
	vgpu_zfree(v, sizeof(*v));
	return rc;
}

/*
 * Tear down in reverse module order. The PCI SBDF claim has no unclaim op
 * in hv.h: it goes with the ioreq server (xen-glue destroys it).
 *
 * Order: (1) out of gpu->vgpus[], so no one finds v any more (the
 * scheduler binds a kicked vGPU through that array, gpu_switch_to checks
 * it); (2) sched_forget: its running work off the engines and handed
 * back, no pointer to v left in the scheduler, whose round in progress
 * is waited for; (3) its context registers back to the host; (4) the
 * modules (execlist.c frees what is still queued), then the share.
 */
void
vgpu_destroy(struct vgpu *v)
{
	struct gpu *gpu;

	if (!v)
		return;
	gpu = v->gpu;
	pthread_mutex_lock(&gpu->lock);
	if (gpu->vgpus[v->id - 1] == v) {
		gpu->vgpus[v->id - 1] = NULL;
		gpu->nr_vgpus--;
	}
	pthread_mutex_unlock(&gpu->lock);
	/* Its work leaves the engines, then its context registers the GPU. */
	sched_forget(v);
	mmio_context_release(v);

	pthread_mutex_lock(&v->lock);
	for (size_t m = vgpu_nr_modules; m-- > 0;)
		if (vgpu_modules[m].fini)
			vgpu_modules[m].fini(v);
	pthread_mutex_unlock(&v->lock);

	pthread_mutex_lock(&gpu->lock);
	vgpu_release_share(v);
	gpu->id_used &= ~(1ull << (v->id - 1));
	pthread_mutex_unlock(&gpu->lock);
	vgpu_log(v, LOG_INFO, "destroyed");
	pthread_mutex_destroy(&v->lock);
	vreg_free(v->vreg);
	vgpu_zfree(v, sizeof(*v));
}

/* ---- guest accesses ---- */

static bool
size_ok(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Refuse a malformed access: count, log once, answer all-ones. */
static int
bad_access(struct vgpu *v, enum warn_cause cause, bool write, uint64_t *val,
	   const char *what, uint64_t addr, unsigned int size)
{
	v->stats.bad_access++;
	vgpu_warn_once(v, cause, "%s %s at %#llx size %u dropped", what,
		       write ? "write" : "read", (unsigned long long)addr, size);
	if (!write)
		*val = ~0ull;
	return -EINVAL;
}

int
vgpu_cfg_access(struct vgpu *v, bool write, unsigned int reg, unsigned int size,
		uint32_t *val)
{
	int rc;

	pthread_mutex_lock(&v->lock);
	v->traps[TS_CFG]++;
	if (write)
		v->stats.cfg_writes++;
	else
		v->stats.cfg_reads++;
	rc = cfg_space_access(v, write, reg, size, val);
	pthread_mutex_unlock(&v->lock);
	return rc;
}

/* BAR0 access at off (< BAR0_SIZE), size valid (lock held). */
static int
bar0_access(struct vgpu *v, bool write, uint64_t off, unsigned int size, uint64_t *val)
{
	if (write)
		v->stats.mmio_writes++;
	else
		v->stats.mmio_reads++;
	if (off & (size - 1))
		return bad_access(v, WARN_UNALIGNED, write, val, "unaligned BAR0", off, size);
	if (v->stats.failsafe) {
		if (!write)
			*val = ~0ull;
		return 0;
	}
	if (off < BAR0_REGS_END) {
		v->traps[TS_BAR0_REGS]++;
		return mmio_access(v, write, (uint32_t)off, size, val);
	}
	if (off >= BAR0_GGTT_OFF) {
		v->traps[TS_BAR0_GGTT]++;
		return ggtt_access(v, write, off - BAR0_GGTT_OFF, size, val);
	}
	/* 2..8 MiB: nothing there on Gen9; behave like an absent register. */
	v->traps[TS_BAR0_REGS]++;
	return bad_access(v, WARN_BAR0_HOLE, write, val, "BAR0 hole", off, size);
}

int
vgpu_mem_access(struct vgpu *v, bool write, uint64_t gpa, unsigned int size, uint64_t *val)
{
	const struct cfg_state *c = &v->cfgs;
	int rc = -ENOENT;

	pthread_mutex_lock(&v->lock);
	if (!size_ok(size)) {
		rc = bad_access(v, WARN_BAD_SIZE, write, val, "bad-size memory", gpa, size);
		goto out;
	}
	/*
	 * A write-protected page first: it is guest RAM typed
	 * p2m_ioreq_server, and Xen sends its writes to the claimant of the
	 * type before any range decode (x86 emulate.c hvmemul_do_io), so
	 * even under a BAR0 the guest placed over RAM it is a page write.
	 */
	if (page_track_find(v, gpa >> 12)) {
		v->traps[TS_WP_PAGES]++;
		if (!write) {
			/* Reads of a tracked page go to RAM; answer one that got here anyway. */
			*val = 0;
			rc = v->hv_ops->read_gpa(v->hv, gpa, val, size);
			if (rc < 0)
				*val = ~0ull;
			goto out;
		}
		if ((gpa & 0xfff) + size > 4096) {
			rc = bad_access(v, WARN_PAGE_WRITE, write, val, "page-crossing tracked",
					gpa, size);
			goto out;
		}
		rc = page_track_write(v, gpa, size, *val);
		if (rc < 0)
			vgpu_warn_once(v, WARN_PAGE_WRITE, "tracked write at %#llx failed: %d",
				       (unsigned long long)gpa, rc);
	} else if (c->bar_live[VBAR0] && gpa >= c->bar_base[VBAR0] &&
		   gpa - c->bar_base[VBAR0] < c->bar_size[VBAR0]) {
		rc = bar0_access(v, write, gpa - c->bar_base[VBAR0], size, val);
	} else if (opregion_hit(v, gpa)) {
		rc = opregion_access(v, write, gpa, size, val);
	}
out:
	pthread_mutex_unlock(&v->lock);
	return rc;
}

/*
 * BAR4: an index/data pair into the register space (+0 index, +4 data;
 * dword accesses only). Everything else in the 64 bytes reads all-ones.
 */
int
vgpu_pio_access(struct vgpu *v, bool write, uint16_t port, unsigned int size, uint32_t *val)
{
	const struct cfg_state *c = &v->cfgs;
	uint64_t v64 = write ? *val : 0, off;
	int rc;

	pthread_mutex_lock(&v->lock);
	if (!c->bar_live[VBAR4] || port < c->bar_base[VBAR4] ||
	    port - c->bar_base[VBAR4] >= c->bar_size[VBAR4]) {
		rc = -ENOENT;
		goto out;
	}
	v->traps[TS_BAR4_PIO]++;
	if (write)
		v->stats.pio_writes++;
	else
		v->stats.pio_reads++;
	off = port - c->bar_base[VBAR4];
	if (size != 1 && size != 2 && size != 4) {
		rc = bad_access(v, WARN_BAD_SIZE, write, &v64, "bad-size port", port, size);
	} else if (size != 4 || (off != 0 && off != 4)) {
		rc = bad_access(v, WARN_PIO, write, &v64, "BAR4 non-dword", port, size);
	} else if (v->stats.failsafe) {
		v64 = ~0ull;
		rc = 0;
	} else if (off == 0) {
		if (write)
			v->pio_index = *val;
		else
			v64 = v->pio_index;
		rc = 0;
	} else if (v->pio_index >= BAR0_REGS_END || (v->pio_index & 3)) {
		rc = bad_access(v, WARN_PIO, write, &v64, "BAR4 data with bad index",
				v->pio_index, size);
	} else {
		v->traps[TS_BAR0_REGS]++;
		rc = mmio_access(v, write, v->pio_index, 4, &v64);
	}
	if (!write)
		*val = (uint32_t)v64;
out:
	pthread_mutex_unlock(&v->lock);
	return rc;
}

/* ---- state for the control socket ---- */

void
vgpu_get_stats(struct vgpu *v, struct vgpu_stats *out)
{
	pthread_mutex_lock(&v->lock);
	*out = v->stats;
	/* Counters kept by their modules, reported with the rest. */
	for (size_t m = 0; m < vgpu_nr_modules; m++)
		if (vgpu_modules[m].stats)
			vgpu_modules[m].stats(v, out);
	pthread_mutex_unlock(&v->lock);
}

void
vgpu_trap_row(struct trap_entry *rows, size_t max, size_t *n, enum trap_mech mech,
	      uint64_t start, uint64_t end, const char *what, uint64_t traps)
{
	if (*n >= max)
		return;
	rows[*n].mech = mech;
	rows[*n].start = start;
	rows[*n].end = end;
	snprintf(rows[*n].what, sizeof(rows[*n].what), "%s", what);
	rows[*n].traps = traps;
	(*n)++;
}


size_t
vgpu_trap_map(struct vgpu *v, struct trap_entry *rows, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&v->lock);
	for (size_t m = 0; m < vgpu_nr_modules; m++)
		if (vgpu_modules[m].trap_rows)
			vgpu_modules[m].trap_rows(v, rows, max, &n);
	pthread_mutex_unlock(&v->lock);
	return n;
}

void
vgpu_get_partition(struct vgpu *v, struct vgpu_partition *out)
{
	pthread_mutex_lock(&v->lock);
	out->low_base = v->part.low_base;
	out->low_size = v->part.low_size;
	out->high_base = v->part.high_base;
	out->high_size = v->part.high_size;
	out->fence_base = v->part.fence_base;
	out->fence_num = v->part.fence_num;
	pthread_mutex_unlock(&v->lock);
}

uint32_t
vgpu_domid(const struct vgpu *v)
{
	return v->domid;
}

unsigned int
vgpu_id(const struct vgpu *v)
{
	return v->id;
}

uint64_t
vgpu_tick(struct vgpu *v, uint64_t now_ns)
{
	uint64_t next;

	pthread_mutex_lock(&v->lock);
	v->stats.ticks++;
	/* Failsafe: nothing runs on its own any more (no vblank, no interrupt). */
	next = VGPU_TICK_NONE;
	for (size_t m = 0; !v->stats.failsafe && m < vgpu_nr_modules; m++) {
		uint64_t t = vgpu_modules[m].tick ? vgpu_modules[m].tick(v, now_ns) : VGPU_TICK_NONE;

		if (t < next)
			next = t;
	}
	pthread_mutex_unlock(&v->lock);
	return next;
}

void
vgpu_reset_domains(struct vgpu *v, uint32_t domains)
{
	for (size_t m = 0; m < vgpu_nr_modules; m++)
		if (vgpu_modules[m].reset)
			vgpu_modules[m].reset(v, domains);
}
