/*
 * dpsync: the store, compiled into this host's data plane.
 *
 * The agent feeds it every resource document it reads from the change feed
 * (dpsync_feed); dpsync keeps what forwarding depends on (instances, ENIs,
 * vSwitches, route tables and entries, security groups) and marks what a
 * change touches.  dpsync_apply() then makes the kernel agree with the
 * store for exactly those: an instance's network namespace, one veth (or
 * TAP) per attached ENI with its MAC, queues and addresses, the program at
 * TC ingress of its host end, and the map entries of dp/dp.h (ENI, address,
 * route table, security-group tables).  Only after apply does the agent
 * settle the resources (G-6), so "Available" and "InUse" mean forwarding.
 *
 * Incremental: a change touches its own entries.  A changed rule recompiles
 * the ENIs whose tables depend on its group (agent/sgcompile.h), written
 * into the slot that is not live and flipped in one update; a changed
 * route entry rewrites its table's entries; an ENI's addresses, its own
 * entries.  Nothing is flushed.
 *
 * Restart: dpsync_create() reads back what the pinned maps hold (index
 * assignments by owner id, address and route entries, table slots), so the
 * first dpsync_apply() after the agent's full scan only writes differences;
 * dpsync_reconcile() then removes namespaces, devices and entries of the
 * prefix that the store no longer has.
 *
 * Threading: the agent's thread feeds and applies; the API's threads call
 * the query functions (counters, flows, trace).  One mutex guards both.
 *
 * Names: netns "<prefix><instance id>", host device "<prefix>" followed by
 * a hash of the ENI id (15 characters at most), instance devices eth<N> by
 * device index.
 */
#ifndef OPENVPC_AGENT_DPSYNC_H
#define OPENVPC_AGENT_DPSYNC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent/dpload.h"

#define DPSYNC_PREFIX_MAX 5

struct dpsync;

struct model_config;

struct dpsync_opts {
	const char *prefix;		/* 1..DPSYNC_PREFIX_MAX of [a-z0-9] */
	const struct model_config *cfg; /* regions (classic pools); borrowed, outlives it */
	bool tap;			/* instance_backend = tap: a TAP per ENI, no namespaces */
};

/* Loads the data plane (dpload_open) and reads back its state.  0, or a
 * negative errno with a sentence in why. */
int dpsync_create(const struct dpsync_opts *o, struct dpsync **out, char *why, size_t whylen);
/* Frees memory; everything in the kernel stays (accepts NULL). */
void dpsync_destroy(struct dpsync *s);

/* One resource document under its /r/ key; value NULL: deleted. */
void dpsync_feed(struct dpsync *s, const char *key, const char *value, size_t len);
/* Programs what the fed changes touched.  Returns the number of resources
 * that could not be programmed (logged; retried on the next apply). */
int dpsync_apply(struct dpsync *s);
/* Removes kernel objects of the prefix that no fed resource accounts for.
 * Call after the first full feed and apply. */
int dpsync_reconcile(struct dpsync *s);
/* Removes everything of the prefix (namespaces, devices, pins): the
 * daemon's --dp-destroy and the tests' cleanup. */
int dpsync_destroy_all(const char *prefix);

const char *dpsync_prefix(const struct dpsync *s);
const char *dpsync_backend(const struct dpsync *s);

/* --- queries (any thread) ------------------------------------------------- */

/* Every programmed ENI (owner 0: all owners) as a JSON array of
 * {"id","owner","instance_id","index","ifindex"}: a new reference. */
json_t *dpsync_enis(struct dpsync *s, uint64_t owner);
/* Per-ENI counters summed over CPUs: {"tx":[p,b],"rx":..,"arp":..,"drop":..}
 * and drops by reason {"REASON":[p,b],...} (nonzero only).  NULL when the
 * ENI is not programmed. */
json_t *dpsync_counters(struct dpsync *s, const char *eni_id);
json_t *dpsync_drops(struct dpsync *s, const char *eni_id);
/* Rule counters of the groups of owner (0: all): [{"sg","rule","packets","bytes"}]. */
json_t *dpsync_rule_counters(struct dpsync *s, uint64_t owner, const char *sg_id);
/* Conntrack entries of an ENI: [{"proto","src","sport","dst","dport","state",
 * "reply","packets","bytes","peer"}]. */
json_t *dpsync_flows(struct dpsync *s, const char *eni_id);
/* Traces a frame sent by the ENI.  0 with *out filled, -ENOENT when the ENI
 * is not programmed, or -errno.  *to_eni gets the id of the ENI it would be
 * delivered to ("" if none; buffer of 32). */
int dpsync_trace(struct dpsync *s, const char *eni_id, const void *frame, size_t len,
		 struct dpload_trace_out *out, char *to_eni);
/* How long programming takes: the first apply after start (the whole
 * store against the kernel) and the applies of changes since (time from
 * the agent reading the change to the kernel holding it; the store's
 * commit-to-wakeup is not included). */
struct dpsync_stats {
	uint64_t first_sync_us; /* 0 until the first apply */
	uint32_t first_sync_nics;
	uint32_t nics; /* programmed now */
	uint64_t applies;
	uint64_t apply_p50_us, apply_p99_us, apply_max_us; /* over the last 1,024 */
};
void dpsync_get_stats(struct dpsync *s, struct dpsync_stats *out);

/* The ENI's MAC and network index (for building trace frames). */
bool dpsync_eni_mac(struct dpsync *s, const char *eni_id, uint8_t mac[6]);

#endif
