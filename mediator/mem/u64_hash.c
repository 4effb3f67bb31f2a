/* SPDX-License-Identifier: MIT */
/*
 * u64_hash.c — the 64-bit-keyed pointer map of u64_hash.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "mediator/mem/u64_hash.h"

static uint32_t
home(uint64_t key, uint32_t cap)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

void *
u64_hash_get(const struct u64_hash *h, uint64_t key)
{
	if (!h->cap)
		return NULL;
	for (uint32_t i = home(key, h->cap);; i = (i + 1) & (h->cap - 1)) {
		if (!h->slot[i].val)
			return NULL;
		if (h->slot[i].key == key)
			return h->slot[i].val;
	}
}

static void
place(struct u64_hash_slot *slot, uint32_t cap, uint64_t key, void *val)
{
	uint32_t i = home(key, cap);

	while (slot[i].val)
		i = (i + 1) & (cap - 1);
	slot[i].key = key;
	slot[i].val = val;
}

static int
grow(struct u64_hash *h)
{
	uint32_t cap = h->cap ? h->cap * 2 : 16;
	struct u64_hash_slot *n;

	if (!cap)
		return -ENOMEM;
	n = calloc(cap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (uint32_t i = 0; i < h->cap; i++)
		if (h->slot[i].val)
			place(n, cap, h->slot[i].key, h->slot[i].val);
	free(h->slot);
	h->slot = n;
	h->cap = cap;
	return 0;
}

int
u64_hash_put(struct u64_hash *h, uint64_t key, void *val)
{
	if (!val)
		return -EINVAL;
	if (u64_hash_get(h, key))
		return -EEXIST;
	if ((uint64_t)(h->n + 1) * 2 > h->cap && grow(h))
		return -ENOMEM;
	place(h->slot, h->cap, key, val);
	h->n++;
	return 0;
}

void *
u64_hash_del(struct u64_hash *h, uint64_t key)
{
	uint32_t i, j, mask = h->cap - 1;
	void *val;

	if (!h->cap)
		return NULL;
	for (i = home(key, h->cap);; i = (i + 1) & mask) {
		if (!h->slot[i].val)
			return NULL;
		if (h->slot[i].key == key)
			break;
	}
	val = h->slot[i].val;
	h->slot[i].val = NULL;
	/* Shift later members of the run back unless their home lies in (i, j]. */
	for (j = (i + 1) & mask; h->slot[j].val; j = (j + 1) & mask) {
		uint32_t hj = home(h->slot[j].key, h->cap);

		if (((j - hj) & mask) >= ((j - i) & mask)) {
			h->slot[i] = h->slot[j];
			h->slot[j].val = NULL;
			i = j;
		}
	}
	h->n--;
	return val;
}

void *
u64_hash_next(const struct u64_hash *h, uint32_t *pos)
{
	while (*pos < h->cap) {
		void *val = h->slot[(*pos)++].val;

		if (val)
			return val;
	}
	return NULL;
}

void **
u64_hash_values(const struct u64_hash *h)
{
	void **out = h->n ? malloc(h->n * sizeof(*out)) : NULL;
	uint32_t pos = 0, k = 0;
	void *v;

	if (!out)
		return NULL;
	while ((v = u64_hash_next(h, &pos)))
		out[k++] = v;
	return out;
}

void
u64_hash_free(struct u64_hash *h)
{
	free(h->slot);
	h->slot = NULL;
	h->cap = h->n = 0;
}
