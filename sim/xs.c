/* SPDX-License-Identifier: MIT */
/*
 * xs.c — a small xenstore in the machine's shared state: read, write, rm,
 * directory and watches (with a pollable xs_fileno), as xen-glue and the
 * tools use them. Relative paths are taken relative to /local/domain/0;
 * special nodes ("@releaseDomain") are not paths: they can only be
 * watched, and fire when the hypervisor side says so. No transactions or
 * permissions.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "sim_int.h"

struct xs_handle {
	struct sim_machine *m;
	int slot;
	int fd;
};

/*
 * xenstored canonicalize(): absolute paths and special nodes ('@...') are
 * taken as they are, others are relative to the caller's home.
 */
static int
abs_path(const char *path, char *out, size_t len)
{
	int n;

	if (!path)
		return -EINVAL;
	if (path[0] == '/' || path[0] == '@')
		n = snprintf(out, len, "%s", path);
	else
		n = snprintf(out, len, "/local/domain/%d/%s", XENSIM_DM_DOMID, path);
	if (n < 0 || (size_t)n >= len)
		return -E2BIG;
	/* No trailing slash (except the root). */
	while (n > 1 && out[n - 1] == '/')
		out[--n] = 0;
	return 0;
}

/* A node name for read/write/rm/directory: special nodes are not (is_valid_nodename). */
static int
node_path(const char *path, char *out, size_t len)
{
	int rc = abs_path(path, out, len);

	return rc ? rc : out[0] == '@' ? -EINVAL : 0;
}

/* Is p equal to or below dir? */
static bool
under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	if (strncmp(p, dir, n))
		return false;
	return p[n] == 0 || p[n] == '/' || (n == 1 && dir[0] == '/');
}

static struct sim_xs_entry *
find(struct sim_state *st, const char *path)
{
	for (int i = 0; i < SIM_XS_ENTRIES; i++)
		if (st->xs[i].used && !strcmp(st->xs[i].path, path))
			return &st->xs[i];
	return NULL;
}

/* Lock held. Queue a watch event for every watch on path, its parents or (rm) children. */
static void
fire_watches(struct sim_machine *m, const char *path)
{
	struct sim_state *st = m->st;

	for (int i = 0; i < SIM_XS_WATCHES; i++) {
		struct sim_xs_watch *w = &st->xw[i];
		struct sim_handle *h;

		bool hit = path[0] == '@' ? !strcmp(w->path, path) :
			   w->path[0] != '@' && (under(path, w->path) || under(w->path, path));

		if (!w->used || !hit)
			continue;
		h = &st->h[w->handle];
		if (h->tail - h->head >= SIM_XS_EVQ)
			continue; /* queue full: the watcher re-reads anyway */
		snprintf(h->evq[h->tail % SIM_XS_EVQ].path, SIM_XS_PATH, "%s", path);
		snprintf(h->evq[h->tail % SIM_XS_EVQ].token, SIM_XS_TOKEN, "%s", w->token);
		h->tail++;
		if (h->tail - h->head == 1)
			sim_doorbell(m, w->handle);
	}
}

/*
 * xenstored fires a special node's watches with fire_watches(..., exact):
 * only watches on that very node, never a watch on "/" or a parent.
 */
void
sim_xs_fire_special(struct sim_machine *m, const char *node)
{
	fire_watches(m, node);
}

/* Lock held. Forget the watches of a handle slot being released. */
void
sim_xs_drop_handle(struct sim_machine *m, int slot)
{
	for (int i = 0; i < SIM_XS_WATCHES; i++)
		if (m->st->xw[i].used && m->st->xw[i].handle == slot)
			memset(&m->st->xw[i], 0, sizeof(m->st->xw[i]));
}

static int
xs_do_write(struct sim_machine *m, const char *path, const void *data, unsigned int len)
{
	struct sim_xs_entry *e;
	char p[SIM_XS_PATH];
	int rc = node_path(path, p, sizeof(p));

	if (rc)
		return rc;
	if (len >= SIM_XS_VAL)
		return -E2BIG;
	sim_lock(m);
	e = find(m->st, p);
	for (int i = 0; i < SIM_XS_ENTRIES && !e; i++)
		if (!m->st->xs[i].used) {
			e = &m->st->xs[i];
			e->used = 1;
			snprintf(e->path, sizeof(e->path), "%s", p);
		}
	if (e) {
		memset(e->val, 0, sizeof(e->val));
		memcpy(e->val, data, len);
		fire_watches(m, p);
	} else {
		rc = -ENOSPC;
	}
	sim_unlock(m);
	return rc;
}

/* Value of path into a malloc'd, NUL-terminated copy; a bare directory reads "". */
static char *
xs_do_read(struct sim_machine *m, const char *path, unsigned int *len)
{
	struct sim_xs_entry *e;
	char p[SIM_XS_PATH];
	char *out = NULL;
	int rc = node_path(path, p, sizeof(p));

	if (rc) {
		errno = -rc;
		return NULL;
	}
	sim_lock(m);
	e = find(m->st, p);
	if (e) {
		out = strdup(e->val);
	} else {
		for (int i = 0; i < SIM_XS_ENTRIES && !out; i++)
			if (m->st->xs[i].used && under(m->st->xs[i].path, p))
				out = strdup("");
		if (!out)
			errno = ENOENT;
	}
	sim_unlock(m);
	if (out && len)
		*len = (unsigned int)strlen(out);
	return out;
}

struct xs_handle *
xs_open(unsigned long flags)
{
	struct xs_handle *h;
	int slot;

	(void)flags;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->m = sim_machine_get(NULL, false);
	if (!h->m) {
		free(h);
		return NULL;
	}
	sim_lock(h->m);
	slot = sim_handle_open(h->m, HK_XS, &h->fd);
	sim_unlock(h->m);
	if (slot < 0) {
		sim_machine_put(h->m);
		free(h);
		errno = -slot;
		return NULL;
	}
	h->slot = slot;
	return h;
}

void
xs_close(struct xs_handle *xsh)
{
	if (!xsh)
		return;
	sim_handle_close(xsh->m, xsh->slot, xsh->fd);
	sim_machine_put(xsh->m);
	free(xsh);
}

void *
xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	(void)t;
	return xs_do_read(h->m, path, len);
}

bool
xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
	 unsigned int len)
{
	int rc = xs_do_write(h->m, path, data, len);

	(void)t;
	if (rc) {
		errno = -rc;
		return false;
	}
	return true;
}

bool
xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char p[SIM_XS_PATH];
	bool found = false;
	int rc = node_path(path, p, sizeof(p));

	(void)t;
	if (rc) {
		errno = -rc;
		return false;
	}
	sim_lock(h->m);
	for (int i = 0; i < SIM_XS_ENTRIES; i++)
		if (h->m->st->xs[i].used && under(h->m->st->xs[i].path, p)) {
			memset(&h->m->st->xs[i], 0, sizeof(h->m->st->xs[i]));
			found = true;
		}
	if (found)
		fire_watches(h->m, p);
	sim_unlock(h->m);
	if (!found)
		errno = ENOENT;
	return found;
}

/* Immediate children of path: one malloc'd block (array, then the strings). */
char **
xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
	char p[SIM_XS_PATH];
	char names[SIM_XS_ENTRIES][SIM_XS_PATH];
	unsigned int n = 0;
	size_t total = 0, plen;
	char **out;
	char *s;
	int rc = node_path(path, p, sizeof(p));

	(void)t;
	if (rc) {
		errno = -rc;
		return NULL;
	}
	plen = strcmp(p, "/") ? strlen(p) : 0;
	sim_lock(h->m);
	for (int i = 0; i < SIM_XS_ENTRIES; i++) {
		const char *e = h->m->st->xs[i].path;
		char child[SIM_XS_PATH];
		size_t k = 0;
		bool dup = false;

		if (!h->m->st->xs[i].used || !under(e, p) || strlen(e) <= plen + 1)
			continue;
		for (const char *c = e + plen + 1; *c && *c != '/' && k < sizeof(child) - 1; c++)
			child[k++] = *c;
		child[k] = 0;
		for (unsigned int j = 0; j < n && !dup; j++)
			dup = !strcmp(names[j], child);
		if (!dup) {
			memcpy(names[n++], child, k + 1);
			total += k + 1;
		}
	}
	sim_unlock(h->m);
	if (!n) {
		char *v = xs_do_read(h->m, p, NULL);

		if (!v)
			return NULL;
		free(v);
	}
	out = malloc(n * sizeof(char *) + total + 1);
	if (!out)
		return NULL;
	s = (char *)(out + n);
	for (unsigned int j = 0; j < n; j++) {
		out[j] = s;
		s = stpcpy(s, names[j]) + 1;
	}
	*num = n;
	return out;
}

bool
xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	char p[SIM_XS_PATH];
	int rc = abs_path(path, p, sizeof(p));

	if (rc) {
		errno = -rc;
		return false;
	}
	if (strlen(token) >= SIM_XS_TOKEN) {
		errno = E2BIG;
		return false;
	}
	rc = -ENOSPC;
	sim_lock(h->m);
	for (int i = 0; i < SIM_XS_WATCHES; i++) {
		struct sim_xs_watch *w = &h->m->st->xw[i];
		struct sim_handle *hs = &h->m->st->h[h->slot];

		if (w->used)
			continue;
		w->used = 1;
		w->handle = h->slot;
		snprintf(w->path, sizeof(w->path), "%s", p);
		snprintf(w->token, sizeof(w->token), "%s", token);
		/* xenstored fires every new watch once. */
		if (hs->tail - hs->head < SIM_XS_EVQ) {
			snprintf(hs->evq[hs->tail % SIM_XS_EVQ].path, SIM_XS_PATH, "%s", p);
			snprintf(hs->evq[hs->tail % SIM_XS_EVQ].token, SIM_XS_TOKEN, "%s", token);
			if (++hs->tail - hs->head == 1)
				sim_doorbell(h->m, h->slot);
		}
		rc = 0;
		break;
	}
	sim_unlock(h->m);
	if (rc) {
		errno = -rc;
		return false;
	}
	return true;
}

bool
xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	char p[SIM_XS_PATH];
	bool found = false;

	if (abs_path(path, p, sizeof(p))) {
		errno = EINVAL;
		return false;
	}
	sim_lock(h->m);
	for (int i = 0; i < SIM_XS_WATCHES; i++) {
		struct sim_xs_watch *w = &h->m->st->xw[i];

		if (w->used && w->handle == h->slot && !strcmp(w->path, p) &&
		    !strcmp(w->token, token)) {
			memset(w, 0, sizeof(*w));
			found = true;
		}
	}
	sim_unlock(h->m);
	if (!found)
		errno = ENOENT;
	return found;
}

int
xs_fileno(struct xs_handle *h)
{
	return h->fd;
}

/* Pop one watch event as {path, token} in one malloc'd block; NULL + EAGAIN if none. */
char **
xs_check_watch(struct xs_handle *h)
{
	struct sim_xs_event ev;
	struct sim_handle *hs;
	bool got = false;
	char **out;

	sim_doorbell_drain(h->fd);
	sim_lock(h->m);
	hs = &h->m->st->h[h->slot];
	if (hs->tail != hs->head) {
		ev = hs->evq[hs->head++ % SIM_XS_EVQ];
		got = true;
		if (hs->tail != hs->head)
			sim_doorbell(h->m, h->slot);
	}
	sim_unlock(h->m);
	if (!got) {
		errno = EAGAIN;
		return NULL;
	}
	out = malloc(2 * sizeof(char *) + strlen(ev.path) + strlen(ev.token) + 2);
	if (!out)
		return NULL;
	out[XS_WATCH_PATH] = (char *)(out + 2);
	strcpy(out[XS_WATCH_PATH], ev.path);
	out[XS_WATCH_TOKEN] = out[XS_WATCH_PATH] + strlen(ev.path) + 1;
	strcpy(out[XS_WATCH_TOKEN], ev.token);
	return out;
}

char **
xs_read_watch(struct xs_handle *h, unsigned int *num)
{
	for (;;) {
		char **r = xs_check_watch(h);
		struct pollfd pfd = { .fd = h->fd, .events = POLLIN };

		if (r || errno != EAGAIN) {
			if (r && num)
				*num = 2;
			return r;
		}
		poll(&pfd, 1, 1000);
	}
}

int
xensim_xs_read(const char *machine, const char *path, char *buf, size_t len)
{
	struct sim_machine *m = sim_machine_get(machine, false);
	char *v;
	int rc;

	if (!m)
		return -errno;
	v = xs_do_read(m, path, NULL);
	rc = v ? 0 : -errno;
	sim_machine_put(m);
	if (v)
		snprintf(buf, len, "%s", v);
	free(v);
	return rc;
}

int
xensim_xs_write(const char *machine, const char *path, const char *val)
{
	struct sim_machine *m = sim_machine_get(machine, false);

	int rc;

	if (!m)
		return -errno;
	rc = xs_do_write(m, path, val, (unsigned int)strlen(val));
	sim_machine_put(m);
	return rc;
}
