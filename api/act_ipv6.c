/*
 * act_ipv6: the ipv6 actions.  (Filled in by its area; empty table for now.)
 */
#include "api/api.h"

const struct api_action api_actions_ipv6[] = {
	{0},
};
