/*
 * act_dp: the data-plane actions' link to the host's data plane.
 */
#ifndef OPENVPC_API_ACT_DP_H
#define OPENVPC_API_ACT_DP_H

struct dpsync;

/* Hands the data plane (NULL: off, for `reason`) to the actions.  Called
 * once by the daemon before the API server starts. */
void act_dp_set(struct dpsync *dp, const char *reason);

#endif
