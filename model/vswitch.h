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
/* IPv6: the /64 is the VPC's /56 plus an 8-bit index (CreateVSwitch
 * Ipv6CidrBlock = 0..255); ::0 to ::3 of each /64 are never allocated. */
#define VSWITCH_IPV6_INDEX_MAX 255
#define VSWITCH_IPV6_RESERVED_LOW 4

/* --- life cycle (CreateVSwitch, DeleteVSwitch, ModifyVSwitchAttribute) ------
 *
 * Invariants (every one checked on the way in, so none can be broken by a
 * committed change):
 *   1. A vSwitch's CIDR is /16../29, inside its VPC's primary or a secondary
 *      CIDR, and overlaps no other vSwitch of the VPC.
 *   2. No custom route entry of the VPC has a destination equal to or inside
 *      a vSwitch CIDR (IPv4 CIDR or IPv6 /64) (route.h keeps it from its side).
 *   3. A vSwitch's IPv6 /64 lies inside its VPC's /56 and no two vSwitches of
 *      the VPC share one; it cannot change while set, and is removed only
 *      when none of its addresses is in use.
 *   4. A vSwitch is deleted only when Available and when nothing holds an
 *      address of it and no ENI or instance names it.
 *
 * Status (G-6):
 *   vswitch_create:  (none) -> Pending -> Available          (model_settle)
 *   vswitch_modify (IPv6), route_table_associate/unassociate:
 *                    Available -> Pending -> Available
 *   vswitch_delete:  Available -> Pending -> (deleted)        (model_settle)
 */

struct vswitch_create_req {
	const char *vpc_id;
	const char *zone_id;
	const char *cidr;
	const char *name;	 /* NULL or "": none */
	const char *description; /* NULL or "": none */
	int ipv6_index;		 /* -1: no IPv6; else 0..255, the /64 inside the VPC's /56 */
	json_t *tags;		 /* [{"k","v"}] or NULL; borrowed */
};

/* Creates a vSwitch (Pending).  Errors: InvalidVpcId.NotFound,
 * InvalidZoneId.NotFound, IncorrectVpcStatus, InvalidCidrBlock.Malformed,
 * InvalidCirdrBlock.MaskLength, InvalidParameter (outside the VPC, bad IPv6
 * index), InvalidCidrBlock.Overlapped, QuotaExceeded.VSwitch,
 * OperationDenied.VpcIpv6NotEnabled, InvalidVSwitchName.Malformed,
 * InvalidVSwitchDiscription.Malformed.  *out (may be NULL) gets a new
 * reference to the vSwitch. */
int vswitch_create(struct model *m, const struct vswitch_create_req *r, json_t **out);

/* Starts deleting an Available vSwitch that nothing uses (invariant 4).
 * Errors: InvalidVSwitchId.NotFound, IncorrectVSwitchStatus, DependencyViolation.
 * Its custom route-table binding goes with it. */
int vswitch_delete(struct model *m, const char *vsw_id);

struct vswitch_modify_req {
	const char *vsw_id;
	const char *name;	 /* NULL: unchanged */
	const char *description; /* NULL: unchanged */
	int enable_ipv6;	 /* -1 unchanged, 0 remove the /64, 1 give it one */
	int ipv6_index;		 /* -1: the lowest free index when enabling; else 0..255 */
};
/* ModifyVSwitchAttribute.  Changing IPv6 needs the vSwitch Available and
 * moves it through Pending. */
int vswitch_modify(struct model *m, const struct vswitch_modify_req *r);

/* The /64 of index idx inside the VPC's /56; false when the VPC has no IPv6
 * or idx is out of range. */
bool vswitch_ipv6_block(const json_t *vpc, int idx, struct netprefix *out);

/* --- addresses ------------------------------------------------------------ */

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
int vswitch_claim_ipv6(struct model *m, const json_t *vsw, const char *ip, const char *holder_id,
		       char *out);
/* Free usable IPv4 addresses left (AvailableIpAddressCount). */
int vswitch_available_count(struct model *m, const json_t *vsw, int64_t *n);

/* The caller's vSwitch, Available, in m->region; errors InvalidVSwitchId.NotFound
 * and IncorrectVSwitchStatus. */
json_t *vswitch_need_available(struct model *m, const char *vsw_id);

#endif
