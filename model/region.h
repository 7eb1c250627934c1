/*
 * region: run-time switches of a region that the operator flips without a
 * restart.  NET-2: a region can stop offering the classic network to new
 * instances; existing classic instances keep working.  The configured value
 * is the default; /sys/classic_offered/<region> ("0"/"1") overrides it.
 */
#ifndef OPENVPC_MODEL_REGION_H
#define OPENVPC_MODEL_REGION_H

#include "model/model.h"

bool region_classic_offered(struct model *m, const struct model_region *r);
int region_set_classic_offered(struct model *m, const struct model_region *r, bool offered);

#endif
