/*
 * act_classic: the classic actions.  (Filled in by its area; empty table for now.)
 */
#include "api/api.h"

const struct api_action api_actions_classic[] = {
	{0},
};
