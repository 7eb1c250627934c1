/*
 * schedule: work the model does at a time rather than on a request.
 *
 * Kinds of scheduled work, each indexed under its own key prefix so a tick
 * reads only what is active, never every resource:
 *   /sched/mig/<event-id>  -> owner   NET-26 migration events (classic.c):
 *        Scheduled -> Executing -> Executed, or Failed with a reason
 *   /sched/iprel/<inst-id> -> owner   NET-6 deferred NatPublicIp releases
 *        (instance.c)
 *
 * Invariants:
 *  1. Every due item runs in a write transaction of its own, so one item
 *     that cannot proceed never holds back another (of any account).
 *  2. An item whose run fails (its rule refuses, or its commit fails) has
 *     that transaction dropped, so nothing of the half-done step remains,
 *     and then its kind's fail hook records the reason in a second
 *     transaction: a migration ends Failed (never stays Executing).  A kind
 *     without a fail hook (a release that can only fail on a store error) is
 *     retried at the next tick.
 *  3. The model's clock is read per transaction (real time + the stored
 *     offset, model/clock.h), as for requests.
 */
#ifndef OPENVPC_MODEL_SCHEDULE_H
#define OPENVPC_MODEL_SCHEDULE_H

#include "model/model.h"

/* One kind of scheduled work (the hooks of schedule.c's table). */
struct model_sched_kind {
	const char *name;   /* for logs: "migration" */
	const char *prefix; /* index prefix: "/sched/mig/" */
	/* True when the item (of account owner) is due at m->now.  Read only. */
	bool (*due)(struct model *m, uint64_t owner, const char *id);
	/* Runs the item's next step: 0, or -1 with m->err set. */
	int (*run)(struct model *m, uint64_t owner, const char *id);
	/* Records that the step failed with reason; NULL: retry next tick. */
	int (*fail)(struct model *m, uint64_t owner, const char *id, const char *reason);
};

struct model_sched_stats {
	int ran;    /* items whose step committed */
	int failed; /* items whose step failed and whose failure was recorded */
	int errors; /* items left for the next tick (store trouble) */
};

/* Runs every item due now, each in its own transactions on st (see the
 * invariants above).  real_now is the real time in unix seconds; each
 * transaction adds the stored clock offset.  Fills *stats (may be NULL).
 * Returns 0, or a negative errno when the index could not be read. */
int model_run_due(struct store *st, const struct model_config *cfg, int64_t real_now,
		  struct model_sched_stats *stats);

#endif
