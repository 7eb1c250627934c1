/*
 * adjout: a neighbor's Adj-RIB-Out view, the set of prefixes this session
 * has announced (RFC 4271 3.2).  An open-addressing hash set, so that
 * re-advertising every network (initial update, each ROUTE-REFRESH) costs
 * O(networks), not O(networks^2) as a linear search per prefix did.
 *
 * Linear probing with backward-shift deletion (no tombstones); the table
 * doubles at a load of 1/2.  Never more than BGP_MAX_NETWORKS entries in
 * practice (we announce only configured networks).
 */
#ifndef OPENVPC_BGP_ADJOUT_H
#define OPENVPC_BGP_ADJOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp/codec.h"

struct bgp_adjout {
	struct bgp_prefix *slot; /* owned; slot[i].len == 0xff marks a free slot */
	size_t cap;		 /* 0 or a power of two */
	size_t count;
};

/* An empty set (no allocation until the first add). */
void bgp_adjout_init(struct bgp_adjout *s);
/* Frees the table (the struct itself is the caller's). */
void bgp_adjout_fini(struct bgp_adjout *s);
/* Empties the set, keeping the table. */
void bgp_adjout_clear(struct bgp_adjout *s);
/* Adds p; true when p is in the set afterwards (false only when out of memory). */
bool bgp_adjout_add(struct bgp_adjout *s, const struct bgp_prefix *p);
/* Removes p if present. */
void bgp_adjout_del(struct bgp_adjout *s, const struct bgp_prefix *p);
bool bgp_adjout_has(const struct bgp_adjout *s, const struct bgp_prefix *p);

/* Iteration: for (i = 0; i < s->cap; i++) if (bgp_adjout_at(s, i)) ... */
static inline const struct bgp_prefix *bgp_adjout_at(const struct bgp_adjout *s, size_t i)
{
	return s->slot[i].len == 0xff ? NULL : &s->slot[i];
}

#endif
