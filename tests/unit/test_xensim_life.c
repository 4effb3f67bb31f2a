/* SPDX-License-Identifier: MIT */
/*
 * test_xensim_life.c — a domain's life as Xen 4.17 and xenstored show it
 * to a device model: xc_domain_getinfo (the next domain for a missing
 * domid), shutdown with its reasons, destroy leaving the domain dying
 * while any process still maps its pages, and @releaseDomain. Each test
 * runs on a private machine.
 */
#define __XEN_TOOLS__ 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xentoolcore.h>
#include <xen/memory.h>
#include <xen/sched.h>

#include "sim/xensim.h"
#include "tests/test_util.h"

static char mach[64];

/* The entry of domid in xensim_domain_list, or NULL if it is not listed. */
static const struct sim_domain_info *
listed(uint32_t domid)
{
	static struct sim_domain_info info[XENSIM_MAX_DOMAINS];
	int n = xensim_domain_list(mach, info, XENSIM_MAX_DOMAINS);

	for (int i = 0; i < n; i++)
		if (info[i].domid == domid)
			return &info[i];
	return NULL;
}

/* xc_domain_getinfo for exactly domid, as a daemon checks it: 1 and info.domid == domid. */
static bool
getinfo_is(xc_interface *xc, uint32_t domid, xc_dominfo_t *info)
{
	return xc_domain_getinfo(xc, domid, 1, info) == 1 && info->domid == domid;
}

static void
test_getinfo(void)
{
	int d1 = test_domain_new(mach, sizeof(mach), 2);
	int d2 = xensim_domain_create(mach, 16, 1);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	xc_dominfo_t info[4];

	CU_ASSERT_FATAL(xc && d2 == d1 + 1);
	CU_ASSERT_FATAL(getinfo_is(xc, d1, &info[0]));
	CU_ASSERT(info[0].hvm && info[0].hap && info[0].paused);
	CU_ASSERT(!info[0].running && !info[0].dying && !info[0].shutdown && !info[0].crashed);
	CU_ASSERT_EQUAL(info[0].shutdown_reason, 255); /* SHUTDOWN_CODE_INVALID */
	CU_ASSERT_EQUAL(info[0].nr_online_vcpus, 2);
	CU_ASSERT_EQUAL(info[0].max_vcpu_id, 1);
	CU_ASSERT_EQUAL(info[0].nr_pages, (64u << 20) >> 12);
	CU_ASSERT_EQUAL(info[0].max_memkb, 64u << 10);
	CU_ASSERT_EQUAL(xensim_domain_unpause(mach, d1), 0);
	CU_ASSERT_FATAL(getinfo_is(xc, d1, &info[0]));
	CU_ASSERT(info[0].running && !info[0].paused);
	CU_ASSERT_EQUAL(xensim_set_hap(mach, d1, false), 0);
	CU_ASSERT_FATAL(getinfo_is(xc, d1, &info[0]));
	CU_ASSERT(!info[0].hap);
	/* From 0: dom0 first (running, not HVM), then the guests in domid order. */
	CU_ASSERT_EQUAL(xc_domain_getinfo(xc, 0, 4, info), 3);
	CU_ASSERT_EQUAL(info[0].domid, 0);
	CU_ASSERT(info[0].running && !info[0].hvm);
	CU_ASSERT_EQUAL(info[1].domid, (uint32_t)d1);
	CU_ASSERT_EQUAL(info[2].domid, (uint32_t)d2);
	/* A missing domid answers with the NEXT domain, or ESRCH past the last. */
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, d1), 0);
	CU_ASSERT_EQUAL(xc_domain_getinfo(xc, d1, 1, info), 1);
	CU_ASSERT_EQUAL(info[0].domid, (uint32_t)d2);
	CU_ASSERT(!getinfo_is(xc, d1, info));
	EXPECT_ERR(xc_domain_getinfo(xc, d2 + 1, 1, info), ESRCH);
	EXPECT_ERR(xc_domain_getinfo(xc, DOMID_FIRST_RESERVED, 1, info), EINVAL);
	CU_ASSERT_EQUAL(xc_domain_getinfo(xc, d2, 0, info), 0);
	/* A restricted handle makes no domctl. */
	CU_ASSERT_EQUAL(xentoolcore_restrict_all(d2), 0);
	EXPECT_ERR(xc_domain_getinfo(xc, d2, 1, info), EPERM);
	xc_interface_close(xc);
	test_machine_done(mach);
}

/* Next watch event's path and token, or "" if none is queued. */
static void
next_event(struct xs_handle *xs, char *path, char *token)
{
	char **ev = xs_check_watch(xs);

	path[0] = token[0] = 0;
	if (ev) {
		strcpy(path, ev[XS_WATCH_PATH]);
		strcpy(token, ev[XS_WATCH_TOKEN]);
		free(ev);
	}
}

#define EXPECT_EVENT(xs, want_path, want_token)                  \
	do {                                                     \
		char p_[128], t_[64];                            \
		next_event((xs), p_, t_);                        \
		CU_ASSERT_STRING_EQUAL(p_, (want_path));         \
		CU_ASSERT_STRING_EQUAL(t_, (want_token));        \
	} while (0)

/*
 * SCHEDOP_shutdown: the first reason sticks, the vCPUs stop, a crash
 * reads as crashed; xenstored fires @releaseDomain the first time it
 * sees the shutdown (check_domains), and on dying (destroy_domain). Only
 * a watch on the special node itself fires: it is no path.
 */
static void
test_shutdown_and_release_watch(void)
{
	int d1 = test_domain_new(mach, sizeof(mach), 1);
	int d2 = xensim_domain_create(mach, 16, 1);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	struct xs_handle *xs = xs_open(0);
	struct sim_vcpu *c = sim_vcpu_attach(mach, d1, 0);
	xc_dominfo_t info;
	uint64_t v = 0;
	unsigned int len;

	CU_ASSERT_FATAL(xc && xs && c && d2 > 0);
	CU_ASSERT(xs_watch(xs, "@releaseDomain", "rel"));
	CU_ASSERT(xs_watch(xs, "/", "root"));
	EXPECT_EVENT(xs, "@releaseDomain", "rel"); /* every new watch fires once */
	EXPECT_EVENT(xs, "/", "root");
	EXPECT_EVENT(xs, "", "");
	/* Not a node: no read, write or rm; "@" paths are not made relative. */
	errno = 0;
	CU_ASSERT_PTR_NULL(xs_read(xs, XBT_NULL, "@releaseDomain", &len));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT(!xs_write(xs, XBT_NULL, "@releaseDomain", "x", 1));
	CU_ASSERT(xs_write(xs, XBT_NULL, "releaseDomain", "x", 1));
	EXPECT_EVENT(xs, "/local/domain/0/releaseDomain", "root");
	EXPECT_EVENT(xs, "", "");
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x1000, 4, &v), 0);
	/* Reboot: shut down, vCPUs stopped, the watch fires once. */
	CU_ASSERT_EQUAL(xensim_domain_shutdown(mach, d1, SHUTDOWN_reboot), 0);
	EXPECT_EVENT(xs, "@releaseDomain", "rel");
	EXPECT_EVENT(xs, "", "");
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x1000, 4, &v), -ESRCH);
	CU_ASSERT_FATAL(getinfo_is(xc, d1, &info));
	CU_ASSERT(info.shutdown && !info.crashed && !info.dying && !info.running);
	CU_ASSERT_EQUAL(info.shutdown_reason, SHUTDOWN_reboot);
	/* A later crash changes neither the reason nor fires again. */
	CU_ASSERT_EQUAL(xensim_domain_shutdown(mach, d1, SHUTDOWN_crash), 0);
	EXPECT_EVENT(xs, "", "");
	CU_ASSERT_FATAL(getinfo_is(xc, d1, &info));
	CU_ASSERT(info.shutdown && !info.crashed);
	CU_ASSERT_EQUAL(info.shutdown_reason, SHUTDOWN_reboot);
	/* Crash first: xc_domain_getinfo turns shutdown into crashed. Reason is a u8. */
	CU_ASSERT_EQUAL(xensim_domain_shutdown(mach, d2, 0x100 | SHUTDOWN_crash), 0);
	EXPECT_EVENT(xs, "@releaseDomain", "rel");
	CU_ASSERT_FATAL(getinfo_is(xc, d2, &info));
	CU_ASSERT(info.crashed && !info.shutdown);
	CU_ASSERT_EQUAL(info.shutdown_reason, SHUTDOWN_crash);
	CU_ASSERT(listed(d2) && listed(d2)->crashed && !listed(d2)->shutdown);
	CU_ASSERT(listed(d1) && listed(d1)->shutdown && listed(d1)->shutdown_reason == 1);
	/* Destroy: dying (here freed at once: nothing maps it), the watch fires once more. */
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, d1), 0);
	EXPECT_EVENT(xs, "@releaseDomain", "rel");
	EXPECT_EVENT(xs, "", "");
	CU_ASSERT_PTR_NULL(listed(d1));
	CU_ASSERT_EQUAL(xensim_domain_shutdown(mach, d1, 0), -ESRCH);
	CU_ASSERT(xs_unwatch(xs, "@releaseDomain", "rel"));
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, d2), 0);
	EXPECT_EVENT(xs, "", "");
	sim_vcpu_detach(c);
	xs_close(xs);
	xc_interface_close(xc);
	test_machine_done(mach);
}

/*
 * domain_kill with pages still mapped: the domain stays, dying, with no
 * servers, ports or p2m, until the last mapping (foreign page or ioreq
 * server frame) is gone.
 */
static void
test_dying_while_mapped(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);
	xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
	xc_interface *xc = xc_interface_open(NULL, NULL, 0);
	struct sim_vcpu *c = sim_vcpu_attach(mach, domid, 0);
	xenforeignmemory_resource_handle *res;
	xen_pfn_t gfn = 0x10;
	xc_dominfo_t info;
	uint32_t *p, *q;
	void *addr = NULL;
	uint64_t v = 0;
	ioservid_t id;
	int err = 1;

	CU_ASSERT_FATAL(dm && fm && xc && c);
	CU_ASSERT_EQUAL(sim_mem_write(c, 0x10000, 4, 0x600d), 0);
	CU_ASSERT_EQUAL_FATAL(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), 0);
	res = xenforeignmemory_map_resource(fm, domid, XENMEM_resource_ioreq_server, id, 1, 1, &addr,
					    PROT_READ | PROT_WRITE, 0);
	p = xenforeignmemory_map(fm, domid, PROT_READ | PROT_WRITE, 1, &gfn, NULL);
	CU_ASSERT_FATAL(res && p);
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, domid), 0);
	/* Dying: listed, flagged; nothing of it runs or can be set up again. */
	CU_ASSERT_FATAL(listed(domid) != NULL);
	CU_ASSERT(listed(domid)->dying);
	CU_ASSERT_FATAL(getinfo_is(xc, domid, &info));
	CU_ASSERT(info.dying && !info.running);
	CU_ASSERT_EQUAL(info.nr_pages, 2);
	CU_ASSERT_EQUAL(sim_mem_read(c, 0x10000, 4, &v), -ESRCH);
	errno = 0;
	CU_ASSERT_PTR_NULL(sim_vcpu_attach(mach, domid, 0));
	CU_ASSERT_EQUAL(errno, ESRCH);
	EXPECT_ERR(xendevicemodel_set_ioreq_server_state(dm, domid, id, 1), ENOENT);
	EXPECT_ERR(xendevicemodel_create_ioreq_server(dm, domid, 0, &id), EINVAL);
	CU_ASSERT_EQUAL(xensim_gfn_to_maddr(mach, domid, 0x10, &v), -EFAULT);
	q = xenforeignmemory_map(fm, domid, PROT_READ, 1, &gfn, &err);
	CU_ASSERT_FATAL(q != NULL);
	CU_ASSERT_EQUAL(err, -EFAULT); /* the p2m is torn down */
	xenforeignmemory_unmap(fm, q, 1);
	/* Destroying again changes nothing. */
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, domid), 0);
	/* What the device model still maps is the guest's memory as it was. */
	CU_ASSERT_EQUAL(p[0], 0x600d);
	/* The foreign page goes; the server frame still holds the domain. */
	xenforeignmemory_unmap(fm, p, 1);
	CU_ASSERT(listed(domid) && listed(domid)->dying);
	CU_ASSERT_FATAL(getinfo_is(xc, domid, &info));
	CU_ASSERT_EQUAL(info.nr_pages, 1);
	/* The last mapping goes: freed. */
	xenforeignmemory_unmap_resource(fm, res);
	CU_ASSERT_PTR_NULL(listed(domid));
	EXPECT_ERR(xc_domain_getinfo(xc, domid, 1, &info), ESRCH);
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, domid), -ESRCH);
	sim_vcpu_detach(c);
	xc_interface_close(xc);
	xenforeignmemory_close(fm);
	xendevicemodel_close(dm);
	test_machine_done(mach);
}

/* A process that dies with its mappings releases them: the dying domain is then freed. */
static void
test_dying_until_mapper_exits(void)
{
	int domid = test_domain_new(mach, sizeof(mach), 1);
	int to_child[2], to_parent[2];
	char b = 0;
	pid_t pid;
	int status = 0;

	CU_ASSERT_FATAL(pipe(to_child) == 0 && pipe(to_parent) == 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		xenforeignmemory_handle *fm = xenforeignmemory_open(NULL, 0);
		xen_pfn_t gfns[2] = { 1, 2 };
		void *p = fm ? xenforeignmemory_map(fm, domid, PROT_READ, 2, gfns, NULL) : NULL;

		b = p ? 1 : 2;
		if (write(to_parent[1], &b, 1) != 1 || read(to_child[0], &b, 1) != 1)
			_exit(3);
		_exit(0); /* exits mapped */
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(read(to_parent[0], &b, 1), 1);
	CU_ASSERT_EQUAL(b, 1);
	CU_ASSERT_EQUAL(xensim_domain_destroy(mach, domid), 0);
	CU_ASSERT(listed(domid) && listed(domid)->dying);
	CU_ASSERT_EQUAL(write(to_child[1], &b, 1), 1);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_PTR_NULL(listed(domid));
	for (int i = 0; i < 2; i++) {
		close(to_child[i]);
		close(to_parent[i]);
	}
	test_machine_done(mach);
}

void suite_xensim_life(void);

void
suite_xensim_life(void)
{
	static const struct test_case cases[] = {
		{ "xc_domain_getinfo: flags, order, the next domain", test_getinfo },
		{ "shutdown reasons and @releaseDomain", test_shutdown_and_release_watch },
		{ "destroyed: dying while mapped, freed at the last unmap", test_dying_while_mapped },
		{ "destroyed: freed when the mapping process exits", test_dying_until_mapper_exits },
		{ NULL, NULL },
	};

	test_add_suite("xensim_life", cases);
}
