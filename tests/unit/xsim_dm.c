/* SPDX-License-Identifier: MIT */
/*
 * xsim_dm.c — the forked test device model of xsim_dm.h: the ioreq
 * protocol as QEMU runs it (READY -> INPROCESS -> answer -> IORESP_READY
 * -> notify), one shared_iopage per server, guest RAM through foreign
 * maps for rep reads.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/memory.h>
#include <xen/hvm/ioreq.h>

#include "tests/test_util.h"
#include "tests/unit/xsim_dm.h"

#define XDM_LIFE_S 30	/* a child left behind by a failed test ends by itself */

struct child {
	struct xdm *x;
	xendevicemodel_handle *dm;
	xenforeignmemory_handle *fm;
	xenevtchn_handle *xce;
	shared_iopage_t *sp[XDM_MAX_SRV];
	evtchn_port_t local[XDM_MAX_SRV][8];
};

/* Write len bytes at guest address gpa (any pages) through foreign maps. */
static void
guest_write(struct child *ch, uint64_t gpa, const void *src, unsigned int len)
{
	const uint8_t *b = src;

	while (len) {
		xen_pfn_t gfn = gpa >> 12;
		unsigned int off = (unsigned int)(gpa & 0xfff), n = 4096 - off;
		uint8_t *p = xenforeignmemory_map(ch->fm, ch->x->domid, PROT_READ | PROT_WRITE, 1,
						  &gfn, NULL);

		if (n > len)
			n = len;
		if (p) {
			memcpy(p + off, b, n);
			xenforeignmemory_unmap(ch->fm, p, 1);
		}
		gpa += n;
		b += n;
		len -= n;
	}
}

static void
serve(struct child *ch, unsigned int k, ioreq_t *r)
{
	struct xdm *x = ch->x;
	uint32_t n = x->nrec;

	if (n < XDM_MAX_REC) {
		x->rec[n] = (struct xdm_rec){ .addr = r->addr, .data = r->data, .count = r->count,
					      .size = r->size, .type = r->type, .dir = r->dir,
					      .df = r->df, .data_is_ptr = r->data_is_ptr,
					      .sid = x->sid[k] };
		__atomic_store_n(&x->nrec, n + 1, __ATOMIC_RELEASE);
	}
	if (r->dir != IOREQ_READ)
		return;
	if (!r->data_is_ptr) {
		r->data = XDM_ANSWER(x->sid[k]);
		return;
	}
	for (uint32_t i = 0; i < r->count && r->size <= 8; i++) {
		uint64_t v = XDM_ITEM(x->sid[k], i);
		uint64_t gpa = r->df ? r->data - (uint64_t)i * r->size : r->data + (uint64_t)i * r->size;

		guest_write(ch, gpa, &v, r->size);
	}
}

static int
child_setup(struct child *ch)
{
	struct xdm *x = ch->x;

	ch->dm = xendevicemodel_open(NULL, 0);
	ch->fm = xenforeignmemory_open(NULL, 0);
	ch->xce = xenevtchn_open(NULL, 0);
	if (!ch->dm || !ch->fm || !ch->xce)
		return 1;
	for (unsigned int k = 0; k < x->nsrv; k++) {
		void *addr = NULL;

		if (!xenforeignmemory_map_resource(ch->fm, x->domid, XENMEM_resource_ioreq_server,
						   x->sid[k], XENMEM_resource_ioreq_server_frame_ioreq(0),
						   1, &addr, PROT_READ | PROT_WRITE, 0))
			return 2;
		ch->sp[k] = addr;
		if (xendevicemodel_set_ioreq_server_state(ch->dm, x->domid, x->sid[k], 1))
			return 3;
		for (unsigned int v = 0; v < x->vcpus; v++) {
			xenevtchn_port_or_error_t p = xenevtchn_bind_interdomain(
				ch->xce, x->domid, ch->sp[k]->vcpu_ioreq[v].vp_eport);

			if (p < 0)
				return 4;
			ch->local[k][v] = (evtchn_port_t)p;
		}
	}
	return 0;
}

static int
child_main(struct xdm *x)
{
	struct child ch = { .x = x };
	time_t start = time(NULL);
	int rc = child_setup(&ch);

	x->err = (uint32_t)rc;
	__atomic_store_n(&x->ready, 1, __ATOMIC_RELEASE);
	while (!rc && !__atomic_load_n(&x->quit, __ATOMIC_ACQUIRE) &&
	       time(NULL) - start < XDM_LIFE_S) {
		struct pollfd pfd = { .fd = xenevtchn_fd(ch.xce), .events = POLLIN };
		xenevtchn_port_or_error_t port;

		poll(&pfd, 1, 20);
		while ((port = xenevtchn_pending(ch.xce)) >= 0)
			xenevtchn_unmask(ch.xce, (evtchn_port_t)port);
		for (unsigned int k = 0; k < x->nsrv; k++)
			for (unsigned int v = 0; v < x->vcpus; v++) {
				ioreq_t *r = &ch.sp[k]->vcpu_ioreq[v];

				if (r->state != STATE_IOREQ_READY)
					continue;
				__atomic_thread_fence(__ATOMIC_ACQUIRE);
				r->state = STATE_IOREQ_INPROCESS;
				serve(&ch, k, r);
				__atomic_thread_fence(__ATOMIC_RELEASE);
				r->state = STATE_IORESP_READY;
				xenevtchn_notify(ch.xce, ch.local[k][v]);
			}
	}
	/* Closing the channels unbinds them: another device model may bind the ports. */
	xenevtchn_close(ch.xce);
	xenforeignmemory_close(ch.fm);
	xendevicemodel_close(ch.dm);
	return rc;
}

struct xdm *
xdm_start(uint32_t domid, unsigned int vcpus, const uint16_t *sids, unsigned int nsrv)
{
	struct xdm *x = mmap(NULL, sizeof(*x), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			     -1, 0);

	CU_ASSERT_FATAL(x != MAP_FAILED);
	CU_ASSERT_FATAL(nsrv <= XDM_MAX_SRV && vcpus <= 8);
	memset(x, 0, sizeof(*x));
	x->domid = domid;
	x->vcpus = vcpus;
	x->nsrv = nsrv;
	memcpy(x->sid, sids, nsrv * sizeof(*sids));
	fflush(NULL);
	x->pid = fork();
	if (x->pid == 0)
		_exit(child_main(x));
	CU_ASSERT_FATAL(x->pid > 0);
	for (int i = 0; i < XDM_LIFE_S * 100 && !__atomic_load_n(&x->ready, __ATOMIC_ACQUIRE);
	     i++)
		usleep(10000);
	if (!__atomic_load_n(&x->ready, __ATOMIC_ACQUIRE) || x->err) {
		CU_FAIL("test device model did not come up");
		fprintf(stderr, "xdm: ready %u err %u\n", x->ready, x->err);
		xdm_stop(x);
		return NULL;
	}
	return x;
}

int
xdm_stop(struct xdm *x)
{
	int status = 0, err;

	if (!x)
		return -1;
	__atomic_store_n(&x->quit, 1, __ATOMIC_RELEASE);
	if (x->pid > 0)
		waitpid(x->pid, &status, 0);
	err = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	munmap(x, sizeof(*x));
	return err;
}

uint32_t
xdm_nrec(const struct xdm *x)
{
	return __atomic_load_n(&x->nrec, __ATOMIC_ACQUIRE);
}
