/* SPDX-License-Identifier: MIT */
/*
 * qemu_int.h — qemu-glue's definition of struct hv (one guest behind one
 * x-pci-proxy-dev socket) and what its files share: guest RAM regions
 * (guest_ram.c), the interrupt line (intx.c), message handling
 * (serve.c), the hypervisor ops (hv_qemu.c). Only qemu-glue sources and
 * its tests include it.
 */
#ifndef QEMU_GLUE_QEMU_INT_H
#define QEMU_GLUE_QEMU_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "mpqemu.h"
#include "qemu_glue.h"

#define QG_MAX_RANGES 16	/* claimed MMIO / port ranges */
#define QG_MAX_APMAPS 4		/* aperture pieces the mediator "maps" */
#define QG_SEND_TIMEOUT_MS 1000	/* a peer that does not take its answer is gone */

struct xensim_mem;

/* One guest RAM region of a SYNC_SYSMEM, mapped here. */
struct qg_region {
	uint64_t gpa, size;	/* page multiples */
	uint64_t off;		/* in the file */
	dev_t dev;		/* the file (to tell an unchanged layout) */
	ino_t ino;
	uint8_t *va;		/* our mapping */
	bool in_window;		/* also placed in the DMA window */
};

struct qg_range {
	uint64_t start, end;	/* inclusive */
};

/* An aperture piece: guest [gpa, gpa + len) is aperture [ap_off, ap_off + len). */
struct qg_apmap {
	uint64_t gpa, ap_off, len;
};

/* Counters (relaxed atomics; read by the control socket's thread). */
struct qg_stats {
	uint64_t cfg_read, cfg_write;
	uint64_t mmio_read, mmio_write;	/* BAR accesses to claimed MMIO (BAR0) */
	uint64_t pio_read, pio_write;	/* BAR accesses to claimed ports (BAR4) */
	uint64_t aperture;		/* BAR2 accesses served through the GGTT */
	uint64_t aperture_miss;		/* ... that hit a not-present GGTT entry */
	uint64_t unclaimed;		/* BAR accesses outside every claim: all-ones / dropped */
	uint64_t refused;		/* malformed accesses (size, range) answered MPQ_NOVAL */
	uint64_t unhooked;		/* accesses answered without a vGPU (detach) */
	uint64_t sync_sysmem, sync_same; /* SYNC_SYSMEM messages; ... that changed nothing */
	uint64_t ram_rejected;		/* regions refused (alignment, overlap, file too short) */
	uint64_t set_irqfd, resets;
	uint64_t irq_signals;		/* irqfd writes: 0 -> 1 edges and resample re-raises */
	uint64_t resamples;		/* resample notifications taken */
	uint64_t violations;		/* protocol violations (the connection is dropped) */
};

struct hv {
	uint32_t domid;
	char tag[16];			/* "d5": log prefix */
	uint64_t aperture_maddr;	/* machine address of the physical aperture */
	int sock;			/* the proxy's socket (non-blocking), -1 once dropped */
	int epfd;			/* epoll: sock + the resample fd */
	struct vgpu *vgpu;		/* atomic: NULL = answer without one */
	bool hup;			/* atomic: the connection ended (peer gone or dropped) */
	bool gone;			/* atomic: dm told us the guest is gone */
	bool reset_taken;		/* atomic: a DEVICE_RESET answered, not yet taken by dm */
	struct mpq_rx rx;		/* the serving thread's */
	struct xensim_mem *mem;		/* the machine: DMA window, aperture accesses */
	struct hv *next;		/* registry (qemu_proxy.c) */

	/* Guest RAM: written by SYNC_SYSMEM, read by the hv ops from any thread. */
	pthread_rwlock_t ram_lock;
	struct qg_region ram[MPQ_MAX_FDS];
	unsigned int nr_ram;
	uint64_t win_maddr, win_size;	/* the DMA window (0: not yet reserved) */

	/* Claims, aperture pieces and the interrupt line. */
	pthread_mutex_t lock;
	struct qg_range mmio[QG_MAX_RANGES], pio[QG_MAX_RANGES];
	unsigned int nr_mmio, nr_pio;
	bool has_sbdf;
	uint32_t sbdf;
	struct qg_apmap ap[QG_MAX_APMAPS];
	unsigned int nr_ap;
	int irqfd, resamplefd;		/* from SET_IRQFD, -1 before */
	bool level;			/* INTx as the mediator last set it */

	struct qg_stats stats;
};

#define QG_COUNT(hv, field) __atomic_fetch_add(&(hv)->stats.field, 1, __ATOMIC_RELAXED)

/* ---- guest_ram.c ---- */
/* Apply a SYNC_SYSMEM (its fds are closed, mapped or not). */
void guest_ram_sync(struct hv *hv, const struct mpq_msg *m);
/* Unmap everything (detach). */
void guest_ram_fini(struct hv *hv);
/* Copy between guest RAM and buf; all or nothing: 0 or -EFAULT. */
int guest_ram_copy(struct hv *hv, uint64_t gpa, void *buf, size_t len, bool to_guest);
/* The DMA address of a page of guest RAM: 0 or -EFAULT. */
int guest_ram_dma(struct hv *hv, uint64_t gfn, uint64_t *dma);

/* ---- intx.c ---- */
/* Take a SET_IRQFD's two fds (replacing older ones). 0, or -EINVAL (not eventfds: closed). */
int intx_set_fds(struct hv *hv, int irqfd, int resamplefd);
/* The resample fd fired: re-raise if the line is still high. */
void intx_resample(struct hv *hv);
/* Drive the line (hv op set_intx). */
int intx_set_level(struct hv *hv, bool level);
void intx_fini(struct hv *hv);

/* ---- serve.c ---- */
/*
 * Act on one valid message (its fds are consumed) and answer it if the
 * protocol wants an answer. 0, or -errno if the answer could not be sent.
 */
int serve_msg(struct hv *hv, struct mpq_msg *m);

/* ---- hv_qemu.c ---- */
/* Is [lo, hi] inside one claimed range (mmio or ports)? (lock held) */
bool hv_qemu_claimed(const struct hv *hv, bool mmio, uint64_t lo, uint64_t hi);
/* The aperture offset of [gpa, gpa + size), if one aperture piece holds it all (lock held). */
bool hv_qemu_aperture(const struct hv *hv, uint64_t gpa, unsigned int size, uint64_t *ap_off);
bool hv_qemu_gone(const struct hv *hv);

#endif
