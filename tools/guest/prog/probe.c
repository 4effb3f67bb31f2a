/* SPDX-License-Identifier: MIT */
/*
 * probe.c — guest-probe, a guest program (xengt-script --program): what a
 * driver's load learns about its vGPU (PCI ids, BARs, MSI, PV info, the
 * GM it may use), printed one fact a line.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/xensim.h"
#include "tools/guest/libguest.h"

int
main(void)
{
	struct sim_vcpu *c;
	struct genv e;
	struct gdev g;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (genv_read(&e))
		return 2;
	c = sim_vcpu_attach(e.machine, e.domid, 0);
	if (!c) {
		printf("%sguest-probe: attach to d%u: %m\n", e.prefix, e.domid);
		return 1;
	}
	rc = gdev_bringup(&g, c, e.bus, e.dev, e.fn, GUEST_RAM_LO, GUEST_RAM_HI);
	if (rc) {
		printf("%sguest-probe: %s\n", e.prefix, g.err);
		sim_vcpu_detach(c);
		return 1;
	}
	printf("%spci %02x:%02x.%x %04x:%04x\n", e.prefix, g.bus, g.dev, g.fn, g.vendor,
	       g.device);
	printf("%sbar0 0x%" PRIx64 " bar2 0x%" PRIx64 " (%" PRIu64 " MiB) msi_cap 0x%x\n",
	       e.prefix, g.bar0, g.bar2, g.bar2_size >> 20, g.msi_cap);
	printf("%spvinfo %u.%u vgt_id %u caps 0x%x fences %u\n", e.prefix, g.pv_major,
	       g.pv_minor, g.vgt_id, g.caps, g.fences);
	printf("%saperture 0x%" PRIx64 "+0x%" PRIx64 " hidden 0x%" PRIx64 "+0x%" PRIx64 "\n",
	       e.prefix, g.low_base, g.low_size, g.high_base, g.high_size);
	sim_vcpu_detach(c);
	return 0;
}
