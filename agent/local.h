/*
 * local: the host agent of a single-machine install, inside openvpcd.
 *
 * It follows the store's change feed and, for every resource left in a
 * transitional status (model/settle.h), applies the change and records the
 * outcome with model_settle() in a transaction of its own.  Applying is
 * programming the data plane (agent/dpsync.h) when there is one: every
 * resource document read is fed to it and applied before the settling
 * commit, so a settled status means the kernel forwards accordingly.  It also runs the scheduler:
 * events due at the model's clock (NET-26 migrations) are started and finished by model_run_due().
 *
 * After a restart it settles whatever a crash left transitional: it starts
 * by scanning every resource rather than trusting an in-memory position.
 */
#ifndef OPENVPC_AGENT_LOCAL_H
#define OPENVPC_AGENT_LOCAL_H

#include <stdint.h>

#include "model/config.h"
#include "store/store.h"

struct agent_local;

struct dpsync;

struct agent_local_opts {
	struct dpsync *dp;   /* the data plane to program before settling; NULL: none */
	int settle_delay_ms; /* wait before settling (lets tests observe Pending) */
	int tick_ms;	     /* scheduler period */
};

int agent_local_start(struct store *st, const struct model_config *cfg,
		      const struct agent_local_opts *o, struct agent_local **out);
/* Stops the thread and frees; accepts NULL. */
void agent_local_stop(struct agent_local *a);

#endif
