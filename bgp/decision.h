/*
 * decision: BGP best path selection (RFC 4271 9.1.2) over the paths of one
 * prefix.  The process itself is written out at the top of decision.c.
 */
#ifndef OPENVPC_BGP_DECISION_H
#define OPENVPC_BGP_DECISION_H

#include <stdbool.h>
#include <stddef.h>

#include "bgp/rib.h"

/* Chooses the best of paths[0..n) among those with BGP_PATH_ACCEPTED, using
 * peers[] (indexed by path peer slot) for the tie-breakers.  Clears and sets
 * BGP_PATH_BEST (one path) and, when multipath is on, BGP_PATH_MULTIPATH on
 * every path equal to the best before the tie-breakers (steps 1-5).
 * Returns the index of the best path, or -1 when no path is accepted. */
int bgp_decision_run(struct bgp_path *paths, size_t n, const struct bgp_rib_peer *peers,
		     bool multipath);

#endif
