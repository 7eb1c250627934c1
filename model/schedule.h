/*
 * schedule: work the model does at a time rather than on a request.
 * NET-26: a classic-to-VPC migration runs at its scheduled time; its event
 * moves Scheduled -> Executing -> Executed (or Failed).  model_run_due()
 * starts every event whose time has come (at m->now) and is called by the
 * agent's scheduler tick.
 *   /r/<owner>/mig/<id>  migration events (model/migration.c)
 * Returns the number of events started, or -1 with m->err set.
 */
#ifndef OPENVPC_MODEL_SCHEDULE_H
#define OPENVPC_MODEL_SCHEDULE_H

#include "model/model.h"

int model_run_due(struct model *m);

#endif
