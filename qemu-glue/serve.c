/* SPDX-License-Identifier: MIT */
/*
 * serve.c — what each proxy message means: config cycles into
 * vgpu_cfg_access; BAR accesses at absolute addresses into
 * vgpu_mem_access / vgpu_pio_access when a claim holds them whole (as
 * Xen's range sets decide), into the aperture through the GGTT when an
 * aperture piece does, else unclaimed (all-ones, dropped); guest RAM
 * (SYNC_SYSMEM), the interrupt eventfds (SET_IRQFD), device reset. Each
 * request gets the answer QEMU's own remote (hw/remote/message.c) gives:
 * the value or 0, MPQ_NOVAL for an access that failed; an empty RET for
 * DEVICE_RESET; nothing for SYNC_SYSMEM and SET_IRQFD.
 */
#include <errno.h>

#include "mediator/log.h"
#include "mediator/vgpu.h"
#include "qemu_int.h"
#include "sim/xensim.h"

typedef int serve_fn(struct hv *hv, struct mpq_msg *m);

static uint64_t
size_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static struct vgpu *
vgpu_of(struct hv *hv)
{
	return __atomic_load_n(&hv->vgpu, __ATOMIC_ACQUIRE);
}

static int
answer(struct hv *hv, uint64_t val)
{
	return mpq_send_ret(hv->sock, true, val, QG_SEND_TIMEOUT_MS);
}

static int
serve_cfg(struct hv *hv, struct mpq_msg *m)
{
	const struct mpq_conf *c = &m->data.conf;
	bool write = m->cmd == MPQ_CFG_WRITE;
	struct vgpu *v = vgpu_of(hv);
	uint32_t val = write ? c->val : 0;
	uint64_t ret;

	if (write)
		QG_COUNT(hv, cfg_write);
	else
		QG_COUNT(hv, cfg_read);
	if ((c->len != 1 && c->len != 2 && c->len != 4) || c->addr > 0xfff) {
		QG_COUNT(hv, refused);
		ret = MPQ_NOVAL;
	} else if (!v) {
		QG_COUNT(hv, unhooked);
		ret = write ? 0 : size_mask((unsigned int)c->len);
	} else {
		int rc = vgpu_cfg_access(v, write, c->addr, (unsigned int)c->len, &val);

		ret = rc ? MPQ_NOVAL : write ? 0 : val;
	}
	return answer(hv, ret);
}

/* An access the aperture piece at ap_off holds: through the GGTT to machine memory. */
static uint64_t
aperture_access(struct hv *hv, bool write, uint64_t ap_off, unsigned int size, uint64_t val)
{
	QG_COUNT(hv, aperture);
	if (xensim_mem_rw(hv->mem, hv->aperture_maddr + ap_off, &val, size, write))
		QG_COUNT(hv, aperture_miss);	/* not present: read all-ones, write dropped */
	return write ? 0 : val & size_mask(size);
}

static int
serve_bar(struct hv *hv, struct mpq_msg *m)
{
	const struct mpq_bar *b = &m->data.bar;
	bool write = m->cmd == MPQ_BAR_WRITE, mem = b->memory == 1;
	unsigned int size = b->size;
	uint64_t val = 0, ret = MPQ_NOVAL, ap = 0;
	bool in_ap = false, claimed = false;
	struct vgpu *v = vgpu_of(hv);
	int rc = -EINVAL;

	if (mem && write)
		QG_COUNT(hv, mmio_write);
	else if (mem)
		QG_COUNT(hv, mmio_read);
	else if (write)
		QG_COUNT(hv, pio_write);
	else
		QG_COUNT(hv, pio_read);
	/* QEMU's remote refuses sizes that are no power of two up to 8; ports are 16-bit. */
	if ((size != 1 && size != 2 && size != 4 && size != 8) || b->memory > 1 ||
	    b->addr > UINT64_MAX - (size - 1) ||
	    (!mem && (size == 8 || b->addr + size - 1 > 0xffff))) {
		QG_COUNT(hv, refused);
		return answer(hv, MPQ_NOVAL);
	}
	if (write)
		val = b->val & size_mask(size);
	pthread_mutex_lock(&hv->lock);
	in_ap = mem && hv_qemu_aperture(hv, b->addr, size, &ap);
	claimed = !in_ap && hv_qemu_claimed(hv, mem, b->addr, b->addr + size - 1);
	pthread_mutex_unlock(&hv->lock);
	if (in_ap)
		return answer(hv, aperture_access(hv, write, ap, size, val));
	if (claimed && !v) {
		QG_COUNT(hv, unhooked);
		return answer(hv, write ? 0 : MPQ_NOVAL);
	}
	if (claimed && mem) {
		rc = vgpu_mem_access(v, write, b->addr, size, &val);
	} else if (claimed) {
		uint32_t v32 = (uint32_t)val;

		rc = vgpu_pio_access(v, write, (uint16_t)b->addr, size, &v32);
		val = v32;
	}
	if (!claimed || rc == -ENOENT)
		QG_COUNT(hv, unclaimed);
	else if (!rc)
		ret = write ? 0 : val & size_mask(size);
	return answer(hv, ret);
}

static int
serve_sysmem(struct hv *hv, struct mpq_msg *m)
{
	guest_ram_sync(hv, m);
	mpq_msg_close_fds(m);
	return 0;
}

static int
serve_irqfd(struct hv *hv, struct mpq_msg *m)
{
	int rc = intx_set_fds(hv, m->fds[0], m->fds[1]);

	m->fds[0] = m->fds[1] = -1;	/* taken, or closed */
	if (rc) {
		QG_COUNT(hv, refused);
		log_warn("[%s] SET_IRQFD: the fds are not eventfds; no INTx", hv->tag);
	}
	return 0;
}

/*
 * QEMU resets the proxy at machine reset (first at start-up): answered at
 * once, and marked for the daemon, which replaces the vGPU with a fresh
 * one (qg_take_reset) before anything after it is served (qg_scan stops
 * here): the guest's firmware then finds a device at power-on state.
 */
static int
serve_reset(struct hv *hv, struct mpq_msg *m)
{
	(void)m;
	QG_COUNT(hv, resets);
	log_info("[%s] DEVICE_RESET from QEMU", hv->tag);
	__atomic_store_n(&hv->reset_taken, true, __ATOMIC_RELEASE);
	return mpq_send_ret(hv->sock, false, 0, QG_SEND_TIMEOUT_MS);
}

static serve_fn *const handlers[MPQ_CMD_MAX] = {
	[MPQ_SYNC_SYSMEM] = serve_sysmem,
	[MPQ_CFG_WRITE] = serve_cfg,
	[MPQ_CFG_READ] = serve_cfg,
	[MPQ_BAR_WRITE] = serve_bar,
	[MPQ_BAR_READ] = serve_bar,
	[MPQ_SET_IRQFD] = serve_irqfd,
	[MPQ_DEVICE_RESET] = serve_reset,
};

int
serve_msg(struct hv *hv, struct mpq_msg *m)
{
	int rc = 0;

	if (m->cmd >= 0 && m->cmd < MPQ_CMD_MAX && handlers[m->cmd])
		rc = handlers[m->cmd](hv, m);
	mpq_msg_close_fds(m);
	return rc;
}
