/*
 * schedule: see schedule.h.  Each scheduled kind adds its step here.
 */
#include "model/schedule.h"

#include "model/classic.h"

int model_run_due(struct model *m)
{
	return migration_run_due(m);
}
