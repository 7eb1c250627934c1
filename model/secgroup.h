/*
 * secgroup: security groups and their rules (NET-13, NET-25), and the rules
 * for joining them (NET-22, NET-23).
 *
 * A group ("sg-...", parent: its VPC, none for classic) holds:
 *   vpc_id ("" = classic network group), type ("normal"|"enterprise"),
 *   inner_access_policy ("Accept"|"Drop": members reach each other, NET-13),
 *   name, description, tags,
 *   rules: [ {"id":"sgr-...","direction":"ingress"|"egress",
 *             "protocol":"tcp"|"udp"|"icmp"|"icmpv6"|"gre"|"all",
 *             "port_from":int,"port_to":int,   (-1,-1 = all)
 *             "src_port_from","src_port_to",
 *             "peer_cidr":"" | v4 cidr, "peer_cidr6":"" | v6 cidr,
 *             "peer_group":"" | sg id, "peer_owner": int (0 = same account),
 *             "policy":"accept"|"drop", "priority":1..100,
 *             "nic_type":"intranet"|"internet", "description", "created"} ]
 *
 * Members are NICs: the ENIs that list the group in "security_group_ids"
 * (VPC), and classic instances that list it in theirs.  Membership is
 * stored on the member, never on the group, so it cannot drift.
 */
#ifndef OPENVPC_MODEL_SECGROUP_H
#define OPENVPC_MODEL_SECGROUP_H

#include "model/model.h"

/*
 * Checks that a NIC may be in exactly these groups (NET-23, NET-22):
 * 1..SG_PER_NIC groups (InstanceSecurityGroupLimitExceeded / MissingParameter),
 * each the caller's (InvalidSecurityGroupId.NotFound), each of vpc_id
 * ("" for classic; InvalidSecurityGroupId.NotVpc / InvalidOperation.VpcMismatch),
 * all of one type (InvalidOperation.MultiGroupType), no id twice
 * (InvalidParameter.SecurityGroupIdRepeated), and each with room for add_ips
 * more private IPs (SecurityGroupInstanceLimitExceed: the quota
 * "private-ip-per-security-group" for normal groups, 65536 for enterprise).
 * `already` (a JSON array of ids, may be NULL) are groups the NIC is already
 * in: their IPs are counted already, so they are not checked for room.
 * *type_out (may be NULL) gets "normal"/"enterprise".  Codes: err_sg.def.
 */
int sg_check_membership(struct model *m, const char *const *sg_ids, size_t n, const char *vpc_id,
			int64_t add_ips, const json_t *already, const char **type_out);
/* Private IPv4 addresses of the group's members (primary + secondary). */
int sg_private_ip_count(struct model *m, const char *sg_id, int64_t *n);

/* ------------------------------------------------------------------------ */
/* Groups and rules: the ECS security-group actions (NET-25).                */
/* Appended by the sg area; everything above is the original contract.       */
/* ------------------------------------------------------------------------ */

#define SG_TYPE_NORMAL "normal"
#define SG_TYPE_ENTERPRISE "enterprise"
#define SG_PRIORITY_MIN 1
#define SG_PRIORITY_MAX 100
#define SG_PRIORITY_DEFAULT 1
/* An enterprise (advanced) group holds this many private IPs; a normal one
 * the quota "private-ip-per-security-group" (NET-22). */
#define SG_ENTERPRISE_PRIVATE_IP_MAX 65536
/* Rules naming another group as peer, per normal group (the cloud's limit). */
#define SG_GROUP_RULE_MAX 20
/* Rule descriptions: the cloud allows 1..512 characters. */
#define SG_RULE_DESCRIPTION_MAX 512

struct sg_create_req {
	const char *vpc_id; /* NULL or "": a classic network group */
	const char *type;   /* NULL: "normal"; else "normal" | "enterprise" */
	const char *name;
	const char *description;
	json_t *tags; /* [{"k","v"}] or NULL; borrowed */
};

/* Creates a group: in the caller's VPC vpc_id (its parent) or in the classic
 * network.  normal groups start with InnerAccessPolicy Accept, enterprise
 * ones with Drop (NET-13).  Counts against the quota "security-group" of
 * the region.  *out (may be NULL) gets a new reference. */
int sg_create(struct model *m, const struct sg_create_req *r, json_t **out);

/* Deletes a group with its rules.  Refused (DependencyViolation) while a NIC
 * is a member or while a rule of another group names it as peer. */
int sg_delete(struct model *m, const char *sg_id);

/* ModifySecurityGroupAttribute: name and/or description (NULL: unchanged). */
int sg_modify(struct model *m, const char *sg_id, const char *name, const char *description);

/* ModifySecurityGroupPolicy: "Accept" | "Drop" (any case).  Enterprise
 * groups are always Drop. */
int sg_set_inner_policy(struct model *m, const char *sg_id, const char *policy);

/*
 * One rule as the API receives it: every field is the text of the request
 * parameter of the same name, NULL when absent.  The model validates and
 * normalizes it (protocol lower-case, CIDRs canonical, priority 1..100).
 * The peer is the Source* fields for an ingress rule and the Dest* fields
 * for an egress rule; the other side's CIDR (DestCidrIp of an ingress rule,
 * SourceCidrIp of an egress one) narrows the rule to those member addresses.
 */
struct sg_rule_req {
	const char *protocol;			/* IpProtocol */
	const char *port_range;			/* PortRange "a/b" */
	const char *source_port_range;		/* SourcePortRange */
	const char *source_cidr, *source_cidr6; /* SourceCidrIp, Ipv6SourceCidrIp */
	const char *dest_cidr, *dest_cidr6;	/* DestCidrIp, Ipv6DestCidrIp */
	const char *group_id;			/* SourceGroupId (ingress) / DestGroupId (egress) */
	const char *group_owner_id;		/* ...GroupOwnerId (decimal) */
	const char *group_owner_account;	/* ...GroupOwnerAccount (account name) */
	const char *prefix_list_id;		/* ...PrefixListId: not supported */
	const char *port_range_list_id;		/* PortRangeListId: not supported */
	const char *policy;			/* accept | drop, default accept */
	const char *priority;			/* 1..100, default 1 */
	const char *nic_type;			/* intranet | internet, default intranet */
	const char *description;
};

/* AuthorizeSecurityGroup (ingress) / AuthorizeSecurityGroupEgress: adds the
 * n rules, all or none.  A rule equal to an existing one (same direction,
 * protocol, ports, peer, other-side CIDR, policy, NIC type) is skipped: the
 * call succeeds without change.  Two equal rules in one request are refused.
 * *ids (may be NULL) gets a new JSON array of the ids of the rules that
 * were added. */
int sg_authorize(struct model *m, const char *sg_id, bool egress, const struct sg_rule_req *rules,
		 size_t n, json_t **ids);

/* RevokeSecurityGroup / RevokeSecurityGroupEgress: removes the rules equal
 * to rules[0..n) (a rule that does not exist is no error, as in the cloud)
 * and the rules with the ids rule_ids[0..n_ids) (each must exist in this
 * direction: InvalidSecurityGroupRuleId.NotFound). */
int sg_revoke(struct model *m, const char *sg_id, bool egress, const struct sg_rule_req *rules,
	      size_t n, const char *const *rule_ids, size_t n_ids);

/* ModifySecurityGroupRule / ModifySecurityGroupEgressRule.  With rule_id: the
 * fields given in r replace the rule's (the peer keeps its kind, NicType
 * cannot change, the result must not duplicate another rule).  Without:
 * r identifies the rule as Revoke does, and its Description and Priority
 * are updated. */
int sg_modify_rule(struct model *m, const char *sg_id, bool egress, const char *rule_id,
		   const struct sg_rule_req *r);

/* The groups (any account) whose rules name sg as peer: a new JSON array of
 * {"id", "owner"}; NULL with the error set on failure.  sg is a group object. */
json_t *sg_referencing(struct model *m, const json_t *sg);

/* The member NICs of a group object (ENIs, classic instances) of the group's
 * owner: a new JSON array; NULL with the error set on failure. */
json_t *sg_members(struct model *m, const json_t *sg);

/* The number of private IPs the group may hold (NET-22). */
int64_t sg_private_ip_limit(struct model *m, const json_t *sg);

/*
 * Policy evaluation (NET-13, NET-25): may a NEW connection go from src to dst?
 *
 * src_nic/dst_nic are ENI ids, classic instance ids, or VPC instance ids
 * (their primary ENI), of any account; NULL for an end outside the cloud
 * (then that side's groups are not consulted).  proto is the IP protocol
 * number (6 tcp, 17 udp, 1 icmp, 58 icmpv6, 47 gre); ports are ignored for
 * protocols without them.  `internet` marks a flow over a classic
 * instance's public NIC: only nic_type "internet" rules of classic groups
 * apply to it, and only "intranet" ones otherwise.
 *
 * The decision, in order:
 *   1. the two NICs share a group whose InnerAccessPolicy is Accept: allowed
 *      (the cloud lets this override every rule);
 *   2. the egress rules of all the source NIC's groups, lowest priority
 *      number first, drop before accept on a tie: the first match decides;
 *      none: allowed;
 *   3. the ingress rules of all the destination NIC's groups, same order;
 *      none: denied.
 * A group peer matches a NIC that is a member of that group and belongs to
 * the group's owner (the rule's peer_owner, or the rule's own account).
 *
 * Replies of an accepted connection are the data plane's business
 * (conntrack): this function never sees them.  Nor does it decide whether
 * the two NICs can reach each other at all (different VPCs, regions): that
 * is routing's.
 *
 * Returns 0 with *accept set and `why` naming the deciding rule or default,
 * or -1 with the error set (a NIC that does not exist).
 */
struct sg_flow {
	const char *src_nic, *dst_nic; /* ENI ids or classic instance ids */
	struct netaddr src, dst;
	uint8_t proto;
	uint16_t sport, dport;
	bool internet;
};
int sg_evaluate(struct model *m, const struct sg_flow *f, bool *accept, char *why, size_t whylen);

#endif
