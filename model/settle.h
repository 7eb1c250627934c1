/*
 * settle: the second half of every asynchronous change (G-6).
 *
 * An action that the data plane must apply leaves its resource in a
 * transitional status (Pending, Attaching, Stopping, Deleting, ...) with the
 * field "settle_to" naming what comes next: a final status, or
 * SETTLE_DELETED when the resource goes away.  Applying the change is the
 * job of the host agent (agent/), which follows the store's change feed,
 * programs the data plane, and then calls model_settle() to record the
 * outcome.  Until the data plane exists the agent calls it at once; the two
 * steps stay separate commits, so clients see the transitional status and
 * poll Describe* as they do against the cloud.
 *
 *   status=Pending,settle_to=Available  --model_settle-->  status=Available
 *   status=Deleting,settle_to=@deleted  --model_settle-->  (kind's finish hook)
 *
 * Each kind with a finish hook (deletes that must release addresses, or
 * cascade to children) registers it in settle.c's table.
 */
#ifndef OPENVPC_MODEL_SETTLE_H
#define OPENVPC_MODEL_SETTLE_H

#include "model/model.h"

#define SETTLE_DELETED "@deleted"

/* Marks res as moving through `transitional` towards `final` (a status or
 * SETTLE_DELETED).  Does not write; the caller m_put()s res. */
void settle_begin(json_t *res, const char *transitional, const char *final);

/* True when the resource is waiting for the agent. */
bool settle_pending(const json_t *res);

/* Completes the pending change of the resource stored under key (a /r/ key).
 * 0 when done or nothing was pending; -1 with m->err set on failure. */
int model_settle(struct model *m, const char *key);

/* Per-kind hook that finishes a change, called by model_settle() with the
 * resource (settle_to already removed from it).  It must write or delete
 * the resource itself.  NULL hook: status = settle_to, or delete the key. */
typedef int (*settle_hook)(struct model *m, json_t *res, const char *final);

#endif
