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
 * all of one type (InvalidSecurityGroup.TypeMismatch... see err_ecs.def), and
 * each with room for add_ips more private IPs (SecurityGroupInstanceLimitExceed).
 * `already` (may be NULL) are groups the NIC is already in (their IPs are
 * counted already).  *type_out (may be NULL) gets "normal"/"enterprise".
 */
int sg_check_membership(struct model *m, const char *const *sg_ids, size_t n,
			const char *vpc_id, int64_t add_ips, const json_t *already,
			const char **type_out);
/* Private IPv4 addresses of the group's members (primary + secondary). */
int sg_private_ip_count(struct model *m, const char *sg_id, int64_t *n);

#endif
