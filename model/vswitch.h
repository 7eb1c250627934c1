/*
 * vswitch: vSwitches (NET-1, NET-3, NET-15, G-2): one zone, one IPv4 CIDR
 * inside its VPC (primary or secondary CIDR), no overlap with the VPC's
 * other vSwitches, optionally one IPv6 /64 cut from the VPC's /56.
 *
 * A vSwitch resource ("vsw-...", parent: its VPC) holds:
 *   vpc_id, zone, cidr, ipv6_cidr ("" when none), name, description,
 *   route_table_id (the VPC's system table unless a custom one is bound),
 *   status (Pending -> Available, G-6), tags
 *
 * Addresses: the cloud reserves the first address of the CIDR and the last
 * three (VSWITCH_RESERVED_*); the gateway (the vRouter's address in the
 * vSwitch, given to instances by DHCP and metadata) is the third from last,
 * e.g. 192.168.1.253 in 192.168.1.0/24.
 * Everything else is allocatable; allocation claims the address in the VPC
 * scope (vpc_scope_v4/v6), so an address is unique in the whole VPC.
 */
#ifndef OPENVPC_MODEL_VSWITCH_H
#define OPENVPC_MODEL_VSWITCH_H

#include "model/model.h"

#define VSWITCH_MIN_MASK 16
#define VSWITCH_MAX_MASK 29
#define VSWITCH_RESERVED_LOW 1
#define VSWITCH_RESERVED_HIGH 3
#define VSWITCH_IPV6_PREFIX_LEN 64

/* The usable range of the vSwitch's IPv4 CIDR: [first, last]. */
void vswitch_usable_range(const json_t *vsw, struct netaddr *first, struct netaddr *last);
/* The gateway address, text form into buf (NETADDR_STRLEN). */
char *vswitch_gateway(const json_t *vsw, char *buf);

/* Claims a private IPv4 of the vSwitch for holder (an ENI or a classic-link
 * peer): `ip` when given (must be usable, inside the CIDR, free), else the
 * lowest free one.  Errors: InvalidPrivateIpAddress.Malformed,
 * InvalidPrivateIpAddress (outside or reserved), InvalidPrivateIpAddress.Duplicated,
 * QuotaExceeded.PrivateIpAddress (none free).  out (may be NULL) gets the
 * text form (NETADDR_STRLEN). */
int vswitch_claim_ip(struct model *m, const json_t *vsw, const char *ip, const char *holder_id,
		     char *out);
/* Releases a private IPv4 (or IPv6) address claimed in the vSwitch's VPC. */
int vswitch_release_ip(struct model *m, const json_t *vsw, const char *ip);
/* Same for IPv6: the vSwitch must have an IPv6 CIDR (InvalidVSwitch.Ipv6NotTurnOn). */
int vswitch_claim_ipv6(struct model *m, const json_t *vsw, const char *ip,
		       const char *holder_id, char *out);
/* Free usable IPv4 addresses left (AvailableIpAddressCount). */
int vswitch_available_count(struct model *m, const json_t *vsw, int64_t *n);

/* The caller's vSwitch, Available, in m->region; errors InvalidVSwitchId.NotFound
 * and IncorrectVSwitchStatus. */
json_t *vswitch_need_available(struct model *m, const char *vsw_id);

#endif
