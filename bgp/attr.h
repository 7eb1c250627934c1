/*
 * attr: interned path attribute sets.
 *
 * A full feed has far fewer distinct attribute sets than prefixes (an UPDATE
 * carries hundreds of NLRI that share one set), so the RIB stores a pointer to
 * one shared, immutable, reference-counted struct bgp_attrs per distinct set.
 * bgp_attrs_intern() returns the existing set when an equal one is already in
 * the table.  Sets are compared by their whole encoded content (next hop,
 * origin, AS_PATH, MED, LOCAL_PREF, aggregator, communities, unknown
 * transitive attributes).
 *
 * Invariants:
 *  1. A set in the table is never modified.
 *  2. refcnt counts RIB paths (and other holders) referencing the set; the
 *     set is freed when it drops to zero.
 *  3. Equal content => same pointer, so paths compare attributes by pointer.
 */
#ifndef OPENVPC_BGP_ATTR_H
#define OPENVPC_BGP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/codec.h"

enum {
	BGP_ATTRS_MED = 1 << 0,
	BGP_ATTRS_LOCAL_PREF = 1 << 1,
	BGP_ATTRS_ATOMIC_AGGR = 1 << 2,
	BGP_ATTRS_AGGREGATOR = 1 << 3,
};

struct bgp_attrs {
	struct bgp_attrs *hnext; /* hash chain */
	uint32_t refcnt;
	uint32_t hash;
	uint8_t origin;
	uint8_t flags;	/* BGP_ATTRS_* */
	uint8_t nh_len; /* 4, 16 or 32 */
	uint8_t pad;
	uint16_t hops; /* AS_PATH length for best path selection */
	uint16_t aspath_len;
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggr_as;
	uint8_t aggr_id[4];
	uint16_t comm_len, lcomm_len, extcomm_len, other_len;
	/* nexthop | aspath | comm | lcomm | extcomm | other */
	uint8_t data[];
};

static inline const uint8_t *bgp_attrs_nh(const struct bgp_attrs *a)
{
	return a->data;
}
static inline const uint8_t *bgp_attrs_aspath(const struct bgp_attrs *a)
{
	return a->data + a->nh_len;
}
static inline const uint8_t *bgp_attrs_comm(const struct bgp_attrs *a)
{
	return bgp_attrs_aspath(a) + a->aspath_len;
}
static inline const uint8_t *bgp_attrs_lcomm(const struct bgp_attrs *a)
{
	return bgp_attrs_comm(a) + a->comm_len;
}
static inline const uint8_t *bgp_attrs_extcomm(const struct bgp_attrs *a)
{
	return bgp_attrs_lcomm(a) + a->lcomm_len;
}
static inline const uint8_t *bgp_attrs_other(const struct bgp_attrs *a)
{
	return bgp_attrs_extcomm(a) + a->extcomm_len;
}

struct bgp_attr_table;

/* Creates an empty table; NULL on allocation failure. */
struct bgp_attr_table *bgp_attr_table_create(void);
/* Frees the table and every set still in it (destroy accepts NULL). */
void bgp_attr_table_destroy(struct bgp_attr_table *t);
/* Number of distinct sets and their total bytes, for introspection. */
size_t bgp_attr_table_count(const struct bgp_attr_table *t);
size_t bgp_attr_table_bytes(const struct bgp_attr_table *t);

/* Interns the attributes of a decoded UPDATE with next hop nh (nh_len bytes)
 * and LOCAL_PREF default_lp when the UPDATE had none.  Returns a set with one
 * reference owned by the caller, or NULL on allocation failure. */
struct bgp_attrs *bgp_attrs_intern(struct bgp_attr_table *t, const struct bgp_pattrs *pa,
				   const uint8_t *nh, uint8_t nh_len, uint32_t default_lp);
void bgp_attrs_ref(struct bgp_attrs *a);
/* Drops one reference; frees the set at zero. */
void bgp_attrs_unref(struct bgp_attr_table *t, struct bgp_attrs *a);

#endif
