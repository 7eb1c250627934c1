/*
 * rib: the routes learned from neighbors (Adj-RIB-In) and the best path per
 * prefix (Loc-RIB), in one table per address family.
 *
 * A prefix node holds every neighbor's path for that prefix (at most one per
 * neighbor).  A path is "received" once it is stored and "accepted" when the
 * neighbor's import policy passed it; only accepted paths enter the decision
 * process (decision.c).  After every change to a node the best path is
 * recomputed and, when it changed, the owner's best_changed hook is called:
 * that is the "learned routes out" interface of the speaker.
 *
 * The RIB trusts its callers: the session layer has validated everything
 * that came off the wire, and limits (prefix counts) are applied before a
 * path is added.  Nothing here is network-facing.
 *
 * Memory: nodes live in chunked pools and are referenced by 32-bit index from
 * an open hash table of chains, so a route costs about 48 bytes plus its
 * share of an interned attribute set (attr.h).
 *
 * Invariants:
 *  1. A node exists iff it has at least one path.
 *  2. At most one path per (node, neighbor).
 *  3. received[n] = paths of neighbor n; accepted[n] = those with ACCEPTED.
 *  4. At most one path of a node has BGP_PATH_BEST, and it is ACCEPTED; a
 *     node has a BEST path iff it has an ACCEPTED path.
 *  5. Every path holds one reference on its attribute set.
 */
#ifndef OPENVPC_BGP_RIB_H
#define OPENVPC_BGP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/codec.h"

#define BGP_RIB_MAX_PEERS 64 /* slots; the configured neighbor limit is lower */

enum {
	BGP_PATH_ACCEPTED = 1 << 0, /* passed the import policy */
	BGP_PATH_STALE = 1 << 1,    /* graceful restart / enhanced refresh: awaiting refresh */
	BGP_PATH_BEST = 1 << 2,
	BGP_PATH_MULTIPATH = 1 << 3, /* equal to the best up to the tie-breakers */
};

struct bgp_path {
	struct bgp_attrs *attrs; /* one reference held */
	uint16_t peer;		 /* neighbor slot */
	uint8_t flags;		 /* BGP_PATH_* */
};

/* What the decision process knows about a neighbor. */
struct bgp_rib_peer {
	bool ebgp;
	uint32_t router_id; /* host order */
	uint8_t addr[16];   /* peer address, for the last tie-breaker */
	uint8_t addr_len;
};

/* Called after the best path of p changed; best is NULL when p is gone from
 * the Loc-RIB.  The pointers are borrowed for the duration of the call. */
typedef void (*bgp_rib_best_fn)(void *ctx, const struct bgp_prefix *p, const struct bgp_path *best);

struct bgp_rib;

struct bgp_rib *bgp_rib_create(struct bgp_attr_table *attrs, bgp_rib_best_fn best_changed,
			       void *ctx);
void bgp_rib_destroy(struct bgp_rib *r);

/* Describes neighbor slot `peer` for the decision process. */
void bgp_rib_set_peer(struct bgp_rib *r, uint16_t peer, const struct bgp_rib_peer *info);
/* Enables ECMP marking (BGP_PATH_MULTIPATH). */
void bgp_rib_set_multipath(struct bgp_rib *r, bool on);

/* Adds or replaces peer's path for p.  Takes a new reference on attrs (the
 * caller keeps its own).  Returns 1 when the path is new, 0 when it replaced
 * one, -ENOMEM on allocation failure. */
int bgp_rib_update(struct bgp_rib *r, uint16_t peer, const struct bgp_prefix *p,
		   struct bgp_attrs *attrs, bool accepted);
/* Removes peer's path for p.  Returns true when there was one. */
bool bgp_rib_withdraw(struct bgp_rib *r, uint16_t peer, const struct bgp_prefix *p);
/* True when peer has a path for p. */
bool bgp_rib_has(const struct bgp_rib *r, uint16_t peer, const struct bgp_prefix *p);

/* Counts per neighbor and in the Loc-RIB. */
size_t bgp_rib_received(const struct bgp_rib *r, uint16_t peer);
size_t bgp_rib_accepted(const struct bgp_rib *r, uint16_t peer);
size_t bgp_rib_best_count(const struct bgp_rib *r, enum bgp_fam fam);
size_t bgp_rib_prefix_count(const struct bgp_rib *r, enum bgp_fam fam);
/* Bytes held by nodes, buckets and path arrays (not attribute sets). */
size_t bgp_rib_bytes(const struct bgp_rib *r);

/* Marks all of peer's paths of family fam (or every family when fam < 0) stale. */
size_t bgp_rib_mark_stale(struct bgp_rib *r, uint16_t peer, int fam);
/* Removes peer's stale paths of fam (every family when fam < 0); returns how many. */
size_t bgp_rib_sweep_stale(struct bgp_rib *r, uint16_t peer, int fam);
/* Removes all of peer's paths of fam (every family when fam < 0). */
size_t bgp_rib_flush(struct bgp_rib *r, uint16_t peer, int fam);
/* Clears the stale flag on a path that was refreshed (done by update too). */

/* Visits every prefix of fam with its paths; stop by returning false.
 * Must not modify the RIB. */
typedef bool (*bgp_rib_walk_fn)(void *ctx, const struct bgp_prefix *p, const struct bgp_path *paths,
				size_t npaths);
void bgp_rib_walk(const struct bgp_rib *r, enum bgp_fam fam, bgp_rib_walk_fn fn, void *ctx);

#endif
