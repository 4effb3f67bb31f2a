/* SPDX-License-Identifier: MIT */
/*
 * hv.h — everything the mediator may ask of a hypervisor (the GVT-g "MPT"
 * boundary). Implemented by xen-glue/ (real Xen or libxensim, unchanged)
 * and later by qemu-glue/. No hypervisor types cross this line: gfns and
 * gpas are uint64_t, the handle is opaque, failures are -errno.
 *
 * Context: every op may be called from the vGPU's ioreq thread with the
 * vGPU lock held; ops must not call back into the mediator.
 */
#ifndef MEDIATOR_HV_H
#define MEDIATOR_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv; /* opaque: one guest as seen by one glue */

struct hv_ops {
	/*
	 * Route (on) guest MMIO (mmio) or port I/O (!mmio) accesses to
	 * [start, end] (bytes, inclusive) to this vGPU, or stop routing
	 * (!on) a range claimed so (the same start and end). -EINVAL for
	 * end < start, or a port range past 0xffff.
	 */
	int (*claim_io)(struct hv *hv, bool mmio, uint64_t start, uint64_t end, bool on);
	/* Route config cycles of seg:bus:dev.fn to this vGPU. */
	int (*claim_pcidev)(struct hv *hv, uint16_t seg, uint8_t bus,
			    uint8_t dev, uint8_t fn);
	/* Copy len bytes of guest memory at gpa into buf. -EFAULT if any page is not guest RAM. */
	int (*read_gpa)(struct hv *hv, uint64_t gpa, void *buf, size_t len);
	/* Copy buf into guest memory at gpa; works on write-protected pages too. */
	int (*write_gpa)(struct hv *hv, uint64_t gpa, const void *buf, size_t len);
	/*
	 * Write-protect (on) or release (off) one guest page: reads stay
	 * direct, writes trap. NULL: this hypervisor cannot (QEMU's proxy);
	 * pages are then tracked unprotected and the PPGTT shadow resyncs
	 * every table before each submission (docs/execution.md).
	 */
	int (*wp_gfn)(struct hv *hv, uint64_t gfn, bool on);
	/*
	 * Direct-map nr host aperture frames starting at aperture offset
	 * ap_off (bytes, page aligned) at guest frame gfn (map) or remove
	 * that mapping (!map). Mapped frames never trap.
	 */
	int (*map_aperture)(struct hv *hv, uint64_t gfn, uint64_t ap_off,
			    uint64_t nr, bool map);
	/* Raise an MSI with exactly the address/data the guest programmed. */
	int (*inject_msi)(struct hv *hv, uint64_t addr, uint32_t data);
	/*
	 * Drive the vGPU's INTx line (its interrupt pin, INTA) to level:
	 * called on every change, never twice with the same level; only
	 * after claim_pcidev. NULL when the transport has no INTx.
	 */
	int (*set_intx)(struct hv *hv, bool level);
	/*
	 * Can set_intx drive the pin of a device at seg:bus:dev (Xen: only
	 * segment 0, bus 0)? Asked at creation; the pin is advertised only
	 * if so. NULL: as set_intx is or is not there.
	 */
	bool (*intx_ok)(struct hv *hv, uint16_t seg, uint8_t bus, uint8_t dev);
	/*
	 * Translate a guest frame into an address the GPU can DMA to: 0 and
	 * a page-aligned *dma, or -EFAULT if gfn is not RAM of this guest
	 * (holes, MMIO, direct-mapped device memory such as its aperture,
	 * foreign or granted pages). The mediator treats any other answer
	 * (a positive return, an unaligned or too large address) as a
	 * refusal, and refuses frames of the vGPU's own BARs without asking.
	 * See docs/dma.md for the real-Xen answer.
	 */
	int (*gfn_to_dma)(struct hv *hv, uint64_t gfn, uint64_t *dma);
};

#endif
