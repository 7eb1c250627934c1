/*
 * ipv6gw: IPv6 gateways and IPv6 internet bandwidth (NET-15).
 *
 * IPv6 starts VPC-internal only.  An address reaches the internet once its
 * VPC has an IPv6 gateway and the address has internet bandwidth.
 *
 * An IPv6 gateway ("ipv6gw-...", parent: its VPC) holds:
 *   vpc_id, name, description, tags, charge "PostPaid",
 *   status Pending -> Available, Deleting -> gone (G-6, no hook needed).
 * A VPC has at most one, and only once it has an IPv6 CIDR.
 *
 * IPv6 addresses live on ENIs (the ENI area's "ipv6s" arrays; each address is
 * claimed in the VPC's "v6/<vpc>" scope with its ENI as holder).  The cloud
 * gives every address an id ("ipv6-..."); openvpc derives it from the pair
 * (VPC id, canonical address) with ipv6_address_id(), so most addresses need
 * no document of their own and the ENI area need not know about ids: the
 * same address in the same VPC always has the same id, and no two addresses
 * of a VPC share one (a 100-bit hash).
 *
 * Only an address with internet bandwidth gets a document, stored under its
 * derived id ("ipv6-...", kind "ipv6", parent: the gateway, so the store
 * itself refuses to delete a gateway that still carries bandwidth):
 *   address, vpc_id, eni_id (the holder when bandwidth was opened),
 *   ipv6gw_id, bandwidth_id ("ipv6bw-..."), bandwidth (Mbit/s),
 *   internet_charge "PayByBandwidth"|"PayByTraffic", created.
 * Invariants:
 *   1. A bandwidth document is *live* while its ENI still holds the address;
 *      otherwise it is stale (the address went away without telling us) and
 *      is treated as absent: Describe ignores it, Allocate replaces it, a
 *      gateway delete drops it.  The ENI area should call
 *      ipv6_address_released() when it removes an address, so no later
 *      holder of the address inherits its bandwidth.
 *   2. At most one bandwidth per address (the document key is the address id).
 *   3. A gateway with live bandwidth cannot be deleted
 *      (DependencyViolation.Ipv6InternetBandwidth).
 */
#ifndef OPENVPC_MODEL_IPV6GW_H
#define OPENVPC_MODEL_IPV6GW_H

#include "model/model.h"

/* Internet bandwidth of one IPv6 address, Mbit/s (the cloud's limits). */
#define IPV6BW_MAX_BY_TRAFFIC 1000
#define IPV6BW_MAX_BY_BANDWIDTH 2000

struct ipv6gw_create_req {
	const char *vpc_id;
	const char *name, *description; /* may be NULL */
	json_t *tags;			/* [{"k","v"}] or NULL; borrowed */
};

/* CreateIpv6Gateway: the VPC must be Available and have an IPv6 CIDR
 * (OperationDenied.VpcIpv6NotEnabled), and no gateway yet
 * (QuotaExceeded.Ipv6Gateway).  Pending until the agent settles it.
 * *out (may be NULL) gets a new reference. */
int ipv6gw_create(struct model *m, const struct ipv6gw_create_req *r, json_t **out);

/* DeleteIpv6Gateway: Available only; refused while any address of the VPC
 * has live internet bandwidth (invariant 3).  Available -> Deleting. */
int ipv6gw_delete(struct model *m, const char *gw_id);

/* ModifyIpv6GatewayAttribute: name and/or description (NULL: unchanged). */
int ipv6gw_modify(struct model *m, const char *gw_id, const char *name, const char *description);

/* The caller's gateway of a VPC (new reference), or NULL when none. */
json_t *ipv6gw_of_vpc(struct model *m, const char *vpc_id);

/* The derived id of an IPv6 address of a VPC: "ipv6-" + 20 characters
 * [0-9a-z], into buf (RANDID_MAX).  addr is canonicalised first, so any
 * spelling of one address gives one id.  NULL when addr is not IPv6. */
char *ipv6_address_id(const char *vpc_id, const char *addr, char *buf);

/* Every IPv6 address of the caller's ENIs in m->region, as a new JSON array
 * of objects {"id","address","vpc_id","vswitch_id","eni_id","eni_type",
 * "instance_id","created","ipv6gw_id", "bw": the live bandwidth document,
 * absent when the address has none}.  NULL with the error set on a store
 * failure. */
json_t *ipv6_list_addresses(struct model *m);

struct ipv6bw_req {
	const char *address_id; /* "ipv6-..." */
	const char *gw_id;	/* may be NULL: the VPC's gateway */
	int64_t bandwidth;
	const char *internet_charge; /* NULL: PayByBandwidth */
};

/* AllocateIpv6InternetBandwidth (NET-15): opens the address to the internet.
 * Errors: ResourceNotFound.Ipv6Address, OperationFailed.Ipv6GatewayNotExist,
 * OperationFailed.Ipv6GatewayDisMatchIpv6Address, IncorrectStatus.Ipv6Gateway,
 * OperationFailed.InternetBandwidthAlreadyExisted, IllegalParam.Bandwidth,
 * IllegalParam.InternetChargeType.  *out (may be NULL) gets a new reference
 * to the bandwidth document. */
int ipv6bw_allocate(struct model *m, const struct ipv6bw_req *r, json_t **out);

/* DeleteIpv6InternetBandwidth / ModifyIpv6InternetBandwidth: the bandwidth is
 * named by its address id or by its "ipv6bw-" id (either may be NULL, not
 * both: MissingParam.Ipv6InstanceId); InvalidIpv6Instance.NotFound when it
 * does not exist.  bandwidth: the new value, within the billing's limit. */
int ipv6bw_delete(struct model *m, const char *address_id, const char *bw_id);
int ipv6bw_modify(struct model *m, const char *address_id, const char *bw_id, int64_t bandwidth);

/* For the ENI area: the address left the VPC's ENI; drop its internet
 * bandwidth, if any (invariant 1).  No error when it has none. */
int ipv6_address_released(struct model *m, uint64_t owner, const char *vpc_id, const char *addr);

#endif
