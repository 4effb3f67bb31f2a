/* SPDX-License-Identifier: MIT */
/*
 * rangeset.c — an ioreq server's range sets (PORT, MEMORY, PCI), kept as
 * sorted, disjoint, inclusive ranges that merge when adjacent and split on
 * partial removal, as Xen's rangesets do (overlap rules live in the caller);
 * and a generic rangeset (a domain's iomem permissions).
 */
#include <errno.h>
#include <string.h>

#include "sim_int.h"

static void
insert_at(struct sim_server *s, int kind, uint32_t i, uint64_t start, uint64_t end)
{
	struct sim_range *r = s->r[kind];

	memmove(&r[i + 1], &r[i], (s->nr[kind] - i) * sizeof(*r));
	r[i].start = start;
	r[i].end = end;
	s->nr[kind]++;
}

static void
remove_at(struct sim_server *s, int kind, uint32_t i)
{
	struct sim_range *r = s->r[kind];

	memmove(&r[i], &r[i + 1], (s->nr[kind] - i - 1) * sizeof(*r));
	s->nr[kind]--;
}

/* Add [start, end] (no overlap with existing ranges: caller checked). 0 or -ENOMEM. */
static int
sim_range_add(struct sim_server *s, int kind, uint64_t start, uint64_t end)
{
	struct sim_range *r = s->r[kind];
	uint32_t i = 0;

	while (i < s->nr[kind] && r[i].end < start)
		i++;
	/* Merge with the left neighbour and/or the right one when adjacent. */
	if (i > 0 && r[i - 1].end != UINT64_MAX && r[i - 1].end + 1 == start) {
		r[i - 1].end = end;
		if (i < s->nr[kind] && end != UINT64_MAX && end + 1 == r[i].start) {
			r[i - 1].end = r[i].end;
			remove_at(s, kind, i);
		}
		return 0;
	}
	if (i < s->nr[kind] && end != UINT64_MAX && end + 1 == r[i].start) {
		r[i].start = start;
		return 0;
	}
	if (s->nr[kind] >= SIM_MAX_RANGES)
		return -ENOMEM;
	insert_at(s, kind, i, start, end);
	return 0;
}

/* Is [start, end] entirely inside one range? */
bool
sim_range_within(const struct sim_server *s, int kind, uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < s->nr[kind]; i++)
		if (s->r[kind][i].start <= start && end <= s->r[kind][i].end)
			return true;
	return false;
}

static bool
overlaps(const struct sim_server *s, int kind, uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < s->nr[kind]; i++)
		if (s->r[kind][i].start <= end && start <= s->r[kind][i].end)
			return true;
	return false;
}

/* Remove [start, end], which must lie inside one range (-ENOENT otherwise). */
int
sim_range_del(struct sim_server *s, int kind, uint64_t start, uint64_t end)
{
	struct sim_range *r = s->r[kind];

	for (uint32_t i = 0; i < s->nr[kind]; i++) {
		if (!(r[i].start <= start && end <= r[i].end))
			continue;
		if (r[i].start == start && r[i].end == end) {
			remove_at(s, kind, i);
		} else if (r[i].start == start) {
			r[i].start = end + 1;
		} else if (r[i].end == end) {
			r[i].end = start - 1;
		} else {
			if (s->nr[kind] >= SIM_MAX_RANGES)
				return -ENOMEM;
			insert_at(s, kind, i + 1, end + 1, r[i].end);
			r[i].end = start - 1;
		}
		return 0;
	}
	return -ENOENT;
}

/* Add with Xen's rule: any overlap with a range of the same server is -EEXIST. */
int
sim_range_map(struct sim_server *s, int kind, uint64_t start, uint64_t end)
{
	if (end < start)
		return -EINVAL;
	if (overlaps(s, kind, start, end))
		return -EEXIST;
	return sim_range_add(s, kind, start, end);
}

/*
 * The generic rangeset (iomem permissions): Xen's rangeset_add_range
 * merges anything overlapping or adjacent; rangeset_remove_range cuts any
 * overlap out, splitting a range that covers it strictly.
 */
int
sim_rset_add(struct sim_rset rs, uint64_t start, uint64_t end)
{
	uint32_t i = 0, j;

	if (end < start)
		return -EINVAL;
	/* First range that overlaps or touches [start, end] (or lies after it). */
	while (i < *rs.nr && rs.r[i].end != UINT64_MAX && rs.r[i].end + 1 < start)
		i++;
	j = i;
	while (j < *rs.nr && (end == UINT64_MAX || rs.r[j].start <= end + 1)) {
		if (rs.r[j].start < start)
			start = rs.r[j].start;
		if (rs.r[j].end > end)
			end = rs.r[j].end;
		j++;
	}
	if (j == i) {
		if (*rs.nr >= rs.max)
			return -ENOMEM;
		memmove(&rs.r[i + 1], &rs.r[i], (*rs.nr - i) * sizeof(*rs.r));
		(*rs.nr)++;
	} else if (j > i + 1) {
		memmove(&rs.r[i + 1], &rs.r[j], (*rs.nr - j) * sizeof(*rs.r));
		*rs.nr -= j - i - 1;
	}
	rs.r[i].start = start;
	rs.r[i].end = end;
	return 0;
}

int
sim_rset_remove(struct sim_rset rs, uint64_t start, uint64_t end)
{
	if (end < start)
		return -EINVAL;
	for (uint32_t i = 0; i < *rs.nr;) {
		struct sim_range *r = &rs.r[i];

		if (r->end < start || r->start > end) {
			i++;
		} else if (r->start < start && r->end > end) {
			if (*rs.nr >= rs.max)
				return -ENOMEM;
			memmove(&rs.r[i + 1], &rs.r[i], (*rs.nr - i) * sizeof(*rs.r));
			(*rs.nr)++;
			rs.r[i].end = start - 1;
			rs.r[i + 1].start = end + 1;
			return 0;
		} else if (r->start < start) {
			r->end = start - 1;
			i++;
		} else if (r->end > end) {
			r->start = end + 1;
			i++;
		} else {
			memmove(&rs.r[i], &rs.r[i + 1], (*rs.nr - i - 1) * sizeof(*rs.r));
			(*rs.nr)--;
		}
	}
	return 0;
}

bool
sim_rset_contains(struct sim_rset rs, uint64_t start, uint64_t end)
{
	for (uint32_t i = 0; i < *rs.nr; i++)
		if (rs.r[i].start <= start && end <= rs.r[i].end)
			return true;
	return false;
}
