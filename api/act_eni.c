/*
 * act_eni: the eni actions.  (Filled in by its area; empty table for now.)
 */
#include "api/api.h"

const struct api_action api_actions_eni[] = {
	{0},
};
