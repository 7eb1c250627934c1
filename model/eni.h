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
	const char *primary_ip;          /* NULL: allocate */
	const char *const *sg_ids;       /* 1..5 */
	size_t n_sg;
	const char *const *secondary_ips; /* given secondary IPv4 */
	size_t n_secondary;
	int64_t secondary_count;         /* or: allocate this many */
	const char *const *ipv6s;
	size_t n_ipv6;
	int64_t ipv6_count;
	const char *name, *description;
	json_t *tags;                    /* borrowed, may be NULL */
	int64_t queue_number;            /* 0: default */
	/* Set by the instance module for a primary ENI: */
	const json_t *instance;          /* NULL for a secondary ENI */
};

/* Creates an ENI.  A secondary ENI is Available at once (CreateNetworkInterface
 * is synchronous); a primary ENI is InUse on req->instance.  *out (may be NULL)
 * gets a new reference. */
int eni_create(struct model *m, const struct eni_create_req *req, json_t **out);

/* NET-4: moves the primary ENI of a Stopped instance to another vSwitch of the
 * same zone and VPC and/or gives it another primary IP (ip NULL: allocate when
 * the vSwitch changes, keep otherwise). */
int eni_move_primary(struct model *m, const json_t *inst, const char *vswitch_id,
		     const char *ip);

/* NET-21: the instance is released: deletes its primary ENI and every secondary
 * ENI still attached (they go with it), freeing their addresses. */
int eni_release_instance(struct model *m, const json_t *inst);

/* The ENIs attached to an instance, primary first (new JSON array). */
json_t *eni_list_for_instance(struct model *m, const char *instance_id);

/* The primary ENI of a VPC instance (new reference) or NULL with the error set. */
json_t *eni_primary_of(struct model *m, const json_t *inst);

/* NET-23: replaces the groups of an ENI (JoinSecurityGroup/LeaveSecurityGroup/Modify). */
int eni_set_groups(struct model *m, json_t *eni, const char *const *sg_ids, size_t n);

/* Finishes Attaching/Detaching/Deleting (model/settle.h hook). */
int settle_hook_eni(struct model *m, json_t *res, const char *final);

#endif
