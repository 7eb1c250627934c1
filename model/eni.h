/*
 * eni: elastic network interfaces, their private IPv4 and IPv6 addresses
 * (NET-3, NET-4, NET-15, NET-18..NET-24).
 *
 * An ENI ("eni-...", parent: its vSwitch) holds:
 *   vpc_id, vswitch_id, zone        fixed for life (NET-19), except that the
 *                                    primary ENI moves with its instance (NET-4)
 *   type "Primary" | "Secondary"
 *   instance_id ("" while Available), device_index (0 for the primary)
 *   mac "00:16:3e:xx:xx:xx", unique
 *   primary_ip, private_ips [secondary IPv4 text], ipv6s [text]
 *   security_group_ids [1..5]
 *   queue_number (NET-24), delete_on_release, name, description, tags
 *   status Available|Attaching|InUse|Detaching|Deleting, settle_to (G-6)
 * Every address is claimed in the VPC scope with the ENI as holder
 * (vswitch_claim_ip / vswitch_claim_ipv6), so the ENI cannot be deleted
 * while it holds addresses (store parent rule) and no two NICs share one.
 */
#ifndef OPENVPC_MODEL_ENI_H
#define OPENVPC_MODEL_ENI_H

#include "model/model.h"

struct eni_create_req {
	const char *vswitch_id;
	const char *primary_ip;	   /* NULL: allocate */
	const char *const *sg_ids; /* 1..5 */
	size_t n_sg;
	const char *const *secondary_ips; /* given secondary IPv4 */
	size_t n_secondary;
	int64_t secondary_count; /* or: allocate this many */
	const char *const *ipv6s;
	size_t n_ipv6;
	int64_t ipv6_count;
	const char *name, *description;
	json_t *tags;	      /* borrowed, may be NULL */
	int64_t queue_number; /* 0: default */
	/* Set by the instance module for a primary ENI: */
	const json_t *instance; /* NULL for a secondary ENI */
};

/* Creates an ENI.  A secondary ENI is Available at once (CreateNetworkInterface
 * is synchronous); a primary ENI is InUse on req->instance.  *out (may be NULL)
 * gets a new reference. */
int eni_create(struct model *m, const struct eni_create_req *req, json_t **out);

/* NET-4: moves the primary ENI of a Stopped instance to another vSwitch of the
 * same zone and VPC and/or gives it another primary IP (ip NULL: allocate when
 * the vSwitch changes, keep otherwise).  The caller checks the instance's
 * status.  Errors: InvalidVSwitchId.NotFound, IncorrectVSwitchStatus,
 * InvalidVSwitchId.Mismatch (other VPC), ResourcesNotInSameZone, and those of
 * vswitch_claim_ip.  Moving to another vSwitch releases the ENI's secondary
 * IPv4 and IPv6 addresses, which belong to the old vSwitch's CIDRs. */
int eni_move_primary(struct model *m, const json_t *inst, const char *vswitch_id, const char *ip);

/* NET-21: the instance is released: deletes its primary ENI and every secondary
 * ENI still attached (they go with it), freeing their addresses. */
int eni_release_instance(struct model *m, const json_t *inst);

/* The ENIs attached to an instance, primary first (new JSON array). */
json_t *eni_list_for_instance(struct model *m, const char *instance_id);

/* The primary ENI of a VPC instance (new reference) or NULL with the error set. */
json_t *eni_primary_of(struct model *m, const json_t *inst);

/* NET-23: replaces the groups of an ENI (JoinSecurityGroup/LeaveSecurityGroup/Modify). */
int eni_set_groups(struct model *m, json_t *eni, const char *const *sg_ids, size_t n);

/* --- added by the eni area (backward-compatible extensions) ------------- */

/* Secondary IPv4 and IPv6 addresses an instance's NICs may hold: at most one
 * IPv6 address per instance (NET-15), whatever the type's ipv6_per_eni. */
#define ENI_IPV6_PER_INSTANCE 1
/* QueueNumber bounds of the API (NET-24); the instance type caps it further. */
#define ENI_QUEUE_MAX 2048
/* Most NetworkInterfaceId.N filters in one DescribeNetworkInterfaces. */
#define ENI_MAX_IDS_FILTER 100

/* The caller's ENI in m->region (new reference) or NULL with InvalidEniId.NotFound. */
json_t *eni_need(struct model *m, const char *eni_id);

/* NET-20: starts attaching an Available secondary ENI to a Running or Stopped
 * VPC instance of the same VPC and zone (Attaching -> InUse when settled). */
int eni_attach(struct model *m, const char *eni_id, const char *instance_id);
/* NET-21: starts detaching a secondary ENI (Detaching -> Available). */
int eni_detach(struct model *m, const char *eni_id, const char *instance_id);
/* NET-21: starts deleting an Available secondary ENI (Deleting -> gone); it
 * leaves its groups at once and frees its addresses when settled. */
int eni_delete(struct model *m, const char *eni_id);

struct eni_modify_req {
	const char *eni_id;
	const char *name, *description; /* NULL: unchanged */
	const char *const *sg_ids;	/* n_sg == 0: unchanged */
	size_t n_sg;
	int64_t queue_number;  /* 0: unchanged */
	int delete_on_release; /* -1 unchanged, 0, 1 */
};
/* NET-23, NET-24: ModifyNetworkInterfaceAttribute. */
int eni_modify(struct model *m, const struct eni_modify_req *req);

/* NET-22 (v6 false) / NET-15 (v6 true): assigns the given addresses, or
 * `count` allocated ones, to the ENI.  *assigned (may be NULL) gets a new
 * JSON array of the addresses assigned, in text form. */
int eni_assign_ips(struct model *m, const char *eni_id, bool v6, const char *const *ips, size_t n,
		   int64_t count, json_t **assigned);
/* Unassigns secondary IPv4 (v6 false) or IPv6 addresses of the ENI. */
int eni_unassign_ips(struct model *m, const char *eni_id, bool v6, const char *const *ips,
		     size_t n);

/* NET-23: JoinSecurityGroup / LeaveSecurityGroup for an instance (VPC: its
 * primary ENI; classic: the instance itself) or an ENI; exactly one of
 * instance_id and eni_id is given. */
int eni_join_group(struct model *m, const char *instance_id, const char *eni_id, const char *sg_id);
int eni_leave_group(struct model *m, const char *instance_id, const char *eni_id,
		    const char *sg_id);

/* Finishes Attaching/Detaching/Deleting (model/settle.h hook). */
int settle_hook_eni(struct model *m, json_t *res, const char *final);

#endif
