/*
 * classic: the bridges between the classic network and VPCs.
 *
 * ClassicLink (NET-27): a VPC with ClassicLink enabled (vpc_set_classiclink)
 * accepts links from classic instances of the same account and region.  A
 * linked instance has "classiclink_vpc_id" set and shows connection status
 * Connected; what it may reach is decided by ClassicLink rules, which join
 * a classic group and a VPC group in a direction:
 *   classic=>vpc   the VPC group admits the classic group's members
 *   vpc=>classic   the classic group admits the VPC group's members
 *   classic<=>vpc  both
 * They are stored as ordinary ingress rules (with "classiclink": true) in
 * the groups they open, so sg_evaluate() decides them like any other rule,
 * and revoking the ClassicLink rule removes exactly those rules.
 *
 * Migration (NET-26): a classic instance is moved into a VPC at a scheduled
 * time.  The event ("mig-...") moves
 *     Scheduled --(time reached: migration_start)--> Executing
 *     Executing --(migration_duration later: migration_finish)--> Executed
 *     Scheduled/Executing --(the step failed: migration_failed)--> Failed
 * Each step runs in a transaction of its own (model/schedule.h); a step
 * that fails (a precondition broke, the vSwitch has no free address) is
 * dropped whole and the event ends Failed with the reason, so an event
 * never stays Executing and never holds back another.  While Executing the
 * instance is restarting (status Starting, "migrating": true) and refuses
 * every other change (NET-26); it returns to the status it had.
 *     Scheduled --(CancelClassicMigration)--> Cancelled
 * Executing the migration: the instance keeps its id, login and public IP
 * (which becomes the NatPublicIp of a VPC instance, invisible inside the OS
 * and convertible to an EIP); it gets a primary ENI in the target vSwitch
 * (which must be in the instance's zone) with a new private IP and the
 * target VPC groups; its classic internal IP, classic groups and ClassicLink
 * are released.  A failed migration changes nothing of the instance and
 * records the reason.  Pending unpaid orders would be cancelled here; openvpc
 * has no billing orders, so there is nothing to cancel.
 */
#ifndef OPENVPC_MODEL_CLASSIC_H
#define OPENVPC_MODEL_CLASSIC_H

#include "model/model.h"

/* AttachClassicLinkVpc / DetachClassicLinkVpc. */
int classiclink_attach(struct model *m, const char *instance_id, const char *vpc_id);
int classiclink_detach(struct model *m, const char *instance_id, const char *vpc_id);
/* The caller's links, filtered by vpc_id and/or instance_id (NULL: any):
 * a new array of {"instance_id","vpc_id","status"}. */
json_t *classiclink_list(struct model *m, const char *vpc_id, const char *instance_id);

struct classiclink_rule_req {
	const char *classic_sg, *vpc_sg;
	const char *direction;	/* "classic<=>vpc" | "classic=>vpc" | "vpc=>classic" */
	const char *protocol;	/* tcp|udp|icmp|gre|all */
	const char *port_range; /* "a/b" or "-1/-1" */
	int64_t priority;	/* 1..100 */
	const char *policy;	/* accept (default) | drop */
	const char *description;
};
/* Adds a ClassicLink rule; *rule_id (RANDID_MAX) gets its id. */
int classiclink_rule_add(struct model *m, const struct classiclink_rule_req *r, char *rule_id);
/* Removes every rule of that ClassicLink rule id from both groups. */
int classiclink_rule_del(struct model *m, const char *classic_sg, const char *vpc_sg,
			 const char *rule_id);

struct migration_req {
	const char *const *instance_ids;
	size_t n_instances;
	const char *vswitch_id;
	const char *const *sg_ids; /* VPC groups the instances join */
	size_t n_sg;
	int64_t execute_at; /* unix seconds, >= now */
};
/* Schedules one event per instance; ids (new array) gets the event ids. */
int migration_schedule(struct model *m, const struct migration_req *r, json_t **ids);
/* Cancels a Scheduled event. */
int migration_cancel(struct model *m, const char *event_id);
/* The caller's events, optionally of one instance or one id (new array). */
json_t *migration_list(struct model *m, const char *event_id, const char *instance_id);
/* The scheduler's hooks (model/schedule.h): whether the event of account
 * owner is due at m->now; its next step (Scheduled -> Executing, Executing
 * -> Executed), 0 or -1 with m->err set; and, in a new transaction after a
 * failed step, Failed with the reason (the instance back as it was). */
bool migration_due(struct model *m, uint64_t owner, const char *id);
int migration_run(struct model *m, uint64_t owner, const char *id);
int migration_failed(struct model *m, uint64_t owner, const char *id, const char *reason);

#endif
