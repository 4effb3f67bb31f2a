/* SPDX-License-Identifier: MIT */
/*
 * u64_hash.h — a map from 64-bit keys to non-NULL pointers (u64_hash.c):
 * open addressing with linear probing, at most half full, deletion by
 * backward shift (no tombstones). Lookup and insertion O(1) on average;
 * growing rehashes once per doubling. For the tracked pages and the
 * PPGTT roots of a vGPU, which grow into the thousands.
 */
#ifndef MEDIATOR_MEM_U64_HASH_H
#define MEDIATOR_MEM_U64_HASH_H

#include <stdint.h>

struct u64_hash_slot {
	uint64_t key;
	void *val;		/* NULL = free */
};

struct u64_hash {
	struct u64_hash_slot *slot;
	uint32_t cap;		/* power of two, 0 while empty and never used */
	uint32_t n;
};

void *u64_hash_get(const struct u64_hash *h, uint64_t key);
/* Insert key -> val (val != NULL). 0, -EEXIST, or -ENOMEM (nothing changed). */
int u64_hash_put(struct u64_hash *h, uint64_t key, void *val);
/* Remove key; its value, or NULL if absent. */
void *u64_hash_del(struct u64_hash *h, uint64_t key);
/* Free the table (not the values). */
void u64_hash_free(struct u64_hash *h);

/*
 * Visit every value: v = u64_hash_next(h, &pos) from pos = 0 until NULL.
 * Not while deleting: a deletion shifts entries back, past the cursor.
 */
void *u64_hash_next(const struct u64_hash *h, uint32_t *pos);
/* Every value, in a malloc'd array of h->n (NULL if empty or out of memory). */
void **u64_hash_values(const struct u64_hash *h);

#endif
