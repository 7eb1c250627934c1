/*
 * vpc: virtual private clouds (SPEC NET-1, NET-15), their CIDRs, their
 * vRouter and system route table, and the ClassicLink switch (NET-27).
 *
 * A VPC resource ("vpc-...") holds:
 *   cidr            primary IPv4 CIDR, /8../28, never in reserved ranges
 *   secondary_cidrs extra IPv4 CIDRs (AssociateVpcCidrBlock), no overlap
 *   user_cidrs      up to 3 CIDRs the user reserves for its own networks
 *   ipv6_cidr       a /56 from the region's pool once IPv6 is enabled, or ""
 *   vrouter_id, route_table_id   created with the VPC (EC-9)
 *   classiclink     ClassicLink enabled (NET-27)
 *   name, description, status (Pending -> Available, G-6)
 */
#ifndef OPENVPC_MODEL_VPC_H
#define OPENVPC_MODEL_VPC_H

#include "model/model.h"

#define VPC_DEFAULT_CIDR "172.16.0.0/12"
#define VPC_MIN_MASK 8
#define VPC_MAX_MASK 28
#define VPC_IPV6_PREFIX_LEN 56

struct vpc_create_req {
	const char *cidr; /* NULL: VPC_DEFAULT_CIDR */
	const char *name;
	const char *description;
	bool enable_ipv6;
	char **user_cidrs;
	size_t n_user_cidrs;
	json_t *tags; /* [{"k","v"}] or NULL; borrowed */
};

/* Creates a VPC with its vRouter and system route table (Pending).
 * *out (may be NULL) gets a new reference to the VPC. */
int vpc_create(struct model *m, const struct vpc_create_req *r, json_t **out);

/* Deletes an Available VPC that has nothing left in it. */
int vpc_delete(struct model *m, const char *vpc_id);

struct vpc_modify_req {
	const char *vpc_id;
	const char *name;	 /* NULL: unchanged */
	const char *description; /* NULL: unchanged */
	const char *cidr;	 /* NULL: unchanged; must cover every vSwitch */
	int enable_ipv6;	 /* -1 unchanged, 1 enable (allocates a /56) */
};
int vpc_modify(struct model *m, const struct vpc_modify_req *r);

/* Secondary CIDRs (AssociateVpcCidrBlock / UnassociateVpcCidrBlock). */
int vpc_add_secondary_cidr(struct model *m, const char *vpc_id, const char *cidr);
int vpc_del_secondary_cidr(struct model *m, const char *vpc_id, const char *cidr);

/* EC-9: the VRouter of a VPC ("vrouter_id", with "vrouter_name" and
 * "vrouter_description" on the VPC).  The caller's VPC (in m->region) whose
 * VRouter this is, or NULL with InvalidVRouterId.NotFound. */
json_t *vpc_of_vrouter(struct model *m, const char *vrouter_id);
/* ModifyVRouterAttribute: name and description (NULL: unchanged). */
int vpc_modify_vrouter(struct model *m, const char *vrouter_id, const char *name,
		       const char *description);

/* NET-27: Enable/DisableVpcClassicLink. */
int vpc_set_classiclink(struct model *m, const char *vpc_id, bool enable);

/* True when the IPv4 prefix lies inside the VPC's primary or a secondary CIDR. */
bool vpc_covers(const json_t *vpc, const struct netprefix *p);

/* Parses and checks a VPC CIDR (mask, reserved ranges); -1 with the error set. */
int vpc_check_cidr(struct model *m, const char *cidr, struct netprefix *out);

/* Claim scopes of a VPC's addresses, into buf (MODEL_SCOPE_MAX). */
char *vpc_scope_v4(const char *vpc_id, char *buf);
char *vpc_scope_v6(const char *vpc_id, char *buf);

#endif
