/* SPDX-License-Identifier: MIT */
/*
 * pvinfo.c — detecting the vGPU (i915's intel_vgpu_detect: the PV info
 * page's magic and version, then the caps i915 requires) and ballooning
 * (i915's intel_vgt_balloon: only the GM ranges the page names are the
 * guest's; everything else of the GGTT is left alone).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "util.h"

int
gdev_pvinfo(struct gdev *g)
{
	uint64_t magic;
	uint32_t ver, v;
	int rc;

	if ((rc = gdev_readq(g, PV_MAGIC, &magic)))
		return rc;
	if (magic != VGT_MAGIC)
		return gfail(g, -ENODEV, "no vGPU: PV info magic 0x%016" PRIx64, magic);
	if ((rc = gdev_readl(g, PV_VERSION, &ver)) || (rc = gdev_readl(g, PV_VGT_ID, &g->vgt_id)) ||
	    (rc = gdev_readl(g, PV_CAPS, &g->caps)))
		return rc;
	g->pv_major = (uint16_t)ver;
	g->pv_minor = (uint16_t)(ver >> 16);
	if (g->pv_major != 1)
		return gfail(g, -EPROTONOSUPPORT, "PV info version %u.%u (want 1.x)", g->pv_major,
			     g->pv_minor);
	if ((g->caps & (VGT_CAPS_FULL_PPGTT | VGT_CAPS_HWSP_EMULATION)) !=
	    (VGT_CAPS_FULL_PPGTT | VGT_CAPS_HWSP_EMULATION))
		return gfail(g, -EOPNOTSUPP, "vGPU caps 0x%x lack full PPGTT or HWSP emulation",
			     g->caps);
	if ((rc = gdev_readl(g, PV_LOW_BASE, &v)))
		return rc;
	g->low_base = v;
	if ((rc = gdev_readl(g, PV_LOW_SIZE, &v)))
		return rc;
	g->low_size = v;
	if ((rc = gdev_readl(g, PV_HIGH_BASE, &v)))
		return rc;
	g->high_base = v;
	if ((rc = gdev_readl(g, PV_HIGH_SIZE, &v)))
		return rc;
	g->high_size = v;
	if ((rc = gdev_readl(g, PV_FENCES, &g->fences)))
		return rc;
	g->is_vgpu = true;
	return 0;
}

int
gdev_balloon(struct gdev *g, uint64_t ram_lo, uint64_t ram_hi)
{
	if (!g->is_vgpu)
		return gfail(g, -ENODEV, "balloon: no PV info read");
	if (!g->low_size || !g->high_size || (g->low_base | g->low_size | g->high_base |
					      g->high_size) & (G9_PAGE - 1))
		return gfail(g, -EINVAL, "balloon: GM ranges not page-sized");
	if (g->low_base + g->low_size > g->bar2_size)
		return gfail(g, -EINVAL, "balloon: aperture range 0x%" PRIx64 "+0x%" PRIx64
			     " beyond the %" PRIu64 " MiB BAR2", g->low_base, g->low_size,
			     g->bar2_size >> 20);
	if (ram_lo >= ram_hi || (ram_lo | ram_hi) & (G9_PAGE - 1))
		return gfail(g, -EINVAL, "balloon: bad RAM range");
	g->low = (struct grange){ g->low_base, g->low_base + g->low_size, g->low_base };
	g->high = (struct grange){ g->high_base, g->high_base + g->high_size, g->high_base };
	g->ram = (struct grange){ ram_lo, ram_hi, ram_lo };
	/* PPGTT addresses: anything but page 0, well inside 48 bits. */
	g->gva = (struct grange){ 0x100000, 1ull << 40, 0x100000 };
	return 0;
}

int
gdev_bringup(struct gdev *g, struct sim_vcpu *c, uint8_t bus, uint8_t dev, uint8_t fn,
	     uint64_t ram_lo, uint64_t ram_hi)
{
	int rc = gdev_probe(g, c, bus, dev, fn);

	if (!rc)
		rc = gdev_pvinfo(g);
	if (!rc)
		rc = gdev_balloon(g, ram_lo, ram_hi);
	return rc;
}
