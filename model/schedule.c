/*
 * schedule: see schedule.h.  Scheduled kinds add their step here.
 */
#include "model/schedule.h"

int model_run_due(struct model *m)
{
	(void)m;
	return 0;
}
