/*
 * metadata: what an instance learns about itself from the network (NET-16,
 * NET-17, NET-10), as pure functions of the store.
 *
 * The metadata service at http://100.100.100.200/latest/meta-data/ and the
 * network's DHCP server come with the data plane (svc/); they identify the
 * asking instance by where the packet came from (its network, a VPC id or
 * "classic", and its source address, which the data plane has already
 * checked against the NIC's addresses) and call these functions.  Each
 * answers about the instance that owns that address and about nothing else:
 * another instance's (or another account's) data is never reachable,
 * whatever path is asked for.
 *
 * The tree of metadata_for_ip() (leaves are strings, or arrays of strings
 * that the service renders as JSON arrays, as the cloud does):
 *   mac, instance-id, private-ipv4, region-id, zone-id, network-type,
 *   hostname, instance/instance-type, vpc-id, vswitch-id, vpc-cidr-block,
 *   vswitch-cidr-block (VPC only),
 *   network/interfaces/macs/<mac>/{primary-ip-address, netmask, gateway,
 *     private-ipv4s, ipv6s, ipv6-gateway, vswitch-cidr-block,
 *     vswitch-ipv6-cidr-block, vpc-cidr-block, network-interface-id}
 *   dns-conf/nameservers
 * The public address is not part of it: public access is a 1:1 mapping the
 * instance never sees (NET-5).
 */
#ifndef OPENVPC_MODEL_METADATA_H
#define OPENVPC_MODEL_METADATA_H

#include "model/model.h"

/* The network's resolvers, given by DHCP and metadata (the cloud's own
 * addresses in 100.100.0.0/16, answered by svc/). */
#define METADATA_DNS1 "100.100.2.136"
#define METADATA_DNS2 "100.100.2.138"
#define METADATA_MTU 1500
#define METADATA_LEASE_SECONDS 86400
/* The scope argument naming the classic network instead of a VPC id. */
#define METADATA_CLASSIC "classic"

/*
 * The metadata tree of the instance that owns src_ip (any private IPv4 of
 * one of its NICs) in vpc_or_classic (a VPC id, or METADATA_CLASSIC for the
 * region's classic network).  Returns a new reference, or NULL when no
 * instance owns the address there (an ENI that is not attached, a freed
 * address, another network).  Sets no error; never writes.
 */
json_t *metadata_for_ip(struct model *m, const char *region, const char *vpc_or_classic,
			const char *src_ip);

/*
 * Renders one path of the tree as the service answers it.  path is what
 * follows "/latest/meta-data/" (the prefix itself is also accepted); empty
 * or "/" is the root.  A directory lists its children one per line, sorted,
 * subdirectories with a trailing '/'; a leaf gives its value (an array as a
 * compact JSON array).  Returns 0 with *text malloc'd (the caller frees it),
 * -ENOENT for an unknown path, -ENOMEM.
 */
int metadata_lookup(json_t *tree, const char *path, char **text);

/*
 * The DHCP (IPv4) and RA/DHCPv6 (IPv6) settings of the NIC whose primary
 * address is ip in vpc_or_classic (NET-16):
 *   {"address","prefix_len","netmask","gateway","dns":[..],"mtu",
 *    "lease_seconds","hostname","mac","network_type",
 *    "ipv6": null | {"address","prefix_len","gateway"},
 *    "no_broadcast": bool}
 * no_broadcast is true on the classic network: it carries no broadcast or
 * multicast (NET-10), so the data plane drops them and the lease says so
 * (DHCP option 28 is the host route to the gateway only).  Returns a new
 * reference or NULL (no such NIC).  Sets no error; never writes.
 */
json_t *dhcp_lease_for(struct model *m, const char *region, const char *vpc_or_classic,
		       const char *ip);

#endif
