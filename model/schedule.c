/*
 * schedule: see schedule.h.  Each scheduled kind adds its step here.
 */
#include "model/schedule.h"

#include "model/classic.h"
#include "model/instance.h"

int model_run_due(struct model *m)
{
	int a = migration_run_due(m);
	if (a < 0)
		return -1;
	int b = instance_run_due(m);
	return b < 0 ? -1 : a + b;
}
