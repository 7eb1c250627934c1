/*
 * decision.c: which path to a prefix is best.
 *
 * The decision process (RFC 4271 9.1.2.2, in the order applied).  Candidates
 * are the paths that passed the neighbor's import policy (BGP_PATH_ACCEPTED);
 * every neighbor of a border router is directly connected, so every NEXT_HOP
 * is taken as resolvable and step 9.1.2.2 (e), the interior cost to the next
 * hop, is equal for all and omitted.  Each step removes candidates; the first
 * step that leaves one decides.
 *
 *   1. Highest LOCAL_PREF.  Routes from external peers carry the neighbor's
 *      configured default (100) because LOCAL_PREF is never taken from them.
 *   2. Shortest AS_PATH: an AS_SEQUENCE counts each AS, an AS_SET counts one,
 *      confederation segments count zero.
 *   3. Lowest ORIGIN: IGP < EGP < INCOMPLETE.
 *   4. Lowest MULTI_EXIT_DISC, compared only among paths whose neighboring AS
 *      (leftmost AS of the AS_PATH) is the same; a missing MED counts as 0.
 *      A path is removed if some other remaining path from the same
 *      neighboring AS has a lower MED (this is order-independent, unlike a
 *      pairwise comparison).
 *   5. Paths from external peers over paths from internal peers.
 *      -- paths still standing here are equal-cost (BGP_PATH_MULTIPATH) --
 *   6. Lowest BGP Identifier of the neighbor that sent the path.
 *   7. Lowest neighbor address.
 *   8. Lowest neighbor slot (only two sessions to one router can get here).
 *
 * Stale paths (graceful restart, enhanced route refresh) take part like any
 * other: RFC 4724 keeps forwarding on them until they are refreshed or swept.
 */
#include "bgp/decision.h"

#include <string.h>

#define MAX_CAND 255

static uint32_t neighbor_as(const struct bgp_path *p)
{
	return bgp_aspath_first(bgp_attrs_aspath(p->attrs), p->attrs->aspath_len);
}

static uint32_t med_of(const struct bgp_path *p)
{
	return (p->attrs->flags & BGP_ATTRS_MED) ? p->attrs->med : 0;
}

/* Keeps only the candidates with the best key; key(better) < key(worse). */
#define KEEP_MIN(keyexpr)                                                                          \
	do {                                                                                       \
		uint64_t best_ = UINT64_MAX;                                                       \
		for (size_t i = 0; i < n; i++)                                                     \
			if (cand[i]) {                                                             \
				const struct bgp_path *p = &paths[i];                              \
				uint64_t k_ = (keyexpr);                                           \
				if (k_ < best_)                                                    \
					best_ = k_;                                                \
			}                                                                          \
		for (size_t i = 0; i < n; i++)                                                     \
			if (cand[i]) {                                                             \
				const struct bgp_path *p = &paths[i];                              \
				if ((uint64_t)(keyexpr) != best_) {                                \
					cand[i] = false;                                           \
					left--;                                                    \
				}                                                                  \
			}                                                                          \
	} while (0)

int bgp_decision_run(struct bgp_path *paths, size_t n, const struct bgp_rib_peer *peers,
		     bool multipath)
{
	bool cand[MAX_CAND];
	size_t left = 0;
	int best = -1;

	if (n > MAX_CAND)
		n = MAX_CAND;
	for (size_t i = 0; i < n; i++) {
		paths[i].flags &= (uint8_t) ~(BGP_PATH_BEST | BGP_PATH_MULTIPATH);
		cand[i] = (paths[i].flags & BGP_PATH_ACCEPTED) != 0;
		left += cand[i];
	}
	if (!left)
		return -1;

	/* 1 */ KEEP_MIN(UINT32_MAX - (uint64_t)p->attrs->local_pref);
	/* 2 */ KEEP_MIN(p->attrs->hops);
	/* 3 */ KEEP_MIN(p->attrs->origin);
	/* 4 */
	for (size_t i = 0; i < n; i++) {
		if (!cand[i])
			continue;
		for (size_t j = 0; j < n; j++) {
			if (j == i || !cand[j] || neighbor_as(&paths[j]) != neighbor_as(&paths[i]))
				continue;
			if (med_of(&paths[j]) < med_of(&paths[i])) {
				cand[i] = false;
				left--;
				break;
			}
		}
	}
	/* 5 */ KEEP_MIN(peers[p->peer].ebgp ? 0 : 1);
	if (multipath && left > 1)
		for (size_t i = 0; i < n; i++)
			if (cand[i])
				paths[i].flags |= BGP_PATH_MULTIPATH;
	/* 6 */ KEEP_MIN(peers[p->peer].router_id);
	/* 7, 8 */
	for (size_t i = 0; i < n; i++) {
		if (!cand[i])
			continue;
		if (best < 0) {
			best = (int)i;
			continue;
		}
		const struct bgp_rib_peer *a = &peers[paths[i].peer], *b = &peers[paths[best].peer];
		int c = a->addr_len != b->addr_len ? (a->addr_len < b->addr_len ? -1 : 1)
						   : memcmp(a->addr, b->addr, a->addr_len);

		if (c < 0 || (c == 0 && paths[i].peer < paths[best].peer))
			best = (int)i;
	}
	paths[best].flags |= BGP_PATH_BEST;
	return best;
}
