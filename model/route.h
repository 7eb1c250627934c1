/*
 * route: the route tables of a VPC's vRouter and their entries (EC-9, NET-1).
 *
 * A route table ("vtb-...", parent: its VPC) holds:
 *   vpc_id, vrouter_id, type "System" | "Custom", name, description, tags,
 *   status (custom tables: Creating -> Available, Deleting -> gone)
 * The System table is created and deleted with its VPC (model/vpc.c).  Up to
 * MODEL_QUOTA_ROUTE_TABLE Custom tables per VPC can be added; a vSwitch uses
 * the System table unless it is bound to a Custom one.  The binding lives in
 * the vSwitch alone (its "route_table_id"), so a table's vSwitches are the
 * vSwitches that name it, and deleting a vSwitch removes its binding.
 *
 * A custom route entry ("rte-...", parent: its table) holds:
 *   route_table_id, vpc_id, type "Custom", dest (canonical CIDR, v4 or v6),
 *   ip_version "IPv4" | "IPv6", next_hops [{type, id, weight}], name,
 *   description, status, settle_to
 * System entries are never stored: route_entries() derives them, one "local"
 * route per vSwitch CIDR (and IPv6 /64) of the VPC, in every table.
 *
 * Invariants:
 *   1. A table holds at most one entry per destination.
 *   2. No custom destination is equal to or inside a vSwitch CIDR or /64 of
 *      the VPC (vswitch.c keeps it from its side), nor inside 100.64.0.0/10.
 *   3. Every next hop names, when written, a resource of the caller in the
 *      table's VPC: an instance ("i", VPC network), an ENI ("eni") or, for
 *      IPv6 destinations only, the VPC's IPv6 gateway ("ipv6gw").
 *   4. An entry has one next hop (weight 0), or 2..16 distinct Instance /
 *      NetworkInterface hops (ECMP) with weights 1..255.
 *   5. An IPv6 destination needs the VPC to have IPv6.
 *
 * Entry status (G-6):
 *   route_entry_create:            (none) -> Pending -> Available
 *   route_entry_modify (next hop): Available -> Modifying -> Available
 *   route_entry_delete:            Available -> Deleting -> (deleted)
 * Next-hop changes and deletes need Available (IncorrectRouteEntryStatus);
 * names and descriptions change in any status but Deleting.
 */
#ifndef OPENVPC_MODEL_ROUTE_H
#define OPENVPC_MODEL_ROUTE_H

#include "model/model.h"

#define ROUTE_TABLE_SYSTEM "System"
#define ROUTE_TABLE_CUSTOM "Custom"
#define ROUTE_ECMP_MIN 2
#define ROUTE_ECMP_MAX 16
#define ROUTE_WEIGHT_MIN 1
#define ROUTE_WEIGHT_MAX 255
#define ROUTE_WEIGHT_DEFAULT 1
#define ROUTE_WEIGHT_UNSET (-1)
/* Cloud services' range: no custom route may target it or a part of it. */
#define ROUTE_SERVICE_CIDR "100.64.0.0/10"
#define ROUTE_NAME_MAX 128

/* --- tables --------------------------------------------------------------- */

struct route_table_create_req {
	const char *vpc_id;
	const char *name, *description; /* NULL: none */
	json_t *tags;			/* [{"k","v"}] or NULL; borrowed */
};

/* CreateRouteTable: a Custom table in an Available VPC (Creating).  Errors:
 * InvalidVpcId.NotFound, IncorrectVpcStatus, QuotaExceeded.RouteTable,
 * InvalidParameter.RouteTableName.Malformed, InvalidParameter.Description.Malformed.
 * *out (may be NULL) gets a new reference. */
int route_table_create(struct model *m, const struct route_table_create_req *r, json_t **out);

/* DeleteRouteTable: an Available Custom table with no custom entry and no
 * vSwitch.  Errors: InvalidRouteTableId.NotFound, IncorrectRouteTableType,
 * IncorrectStatus.RouteTable, IncorrectRouteTableStatus.RouteEntryExist,
 * DependencyViolation.VSwitch. */
int route_table_delete(struct model *m, const char *table_id);

/* ModifyRouteTableAttributes: name and/or description (NULL: unchanged). */
int route_table_modify(struct model *m, const char *table_id, const char *name,
		       const char *description);

/* AssociateRouteTable: binds an Available vSwitch of the table's VPC, that
 * uses the System table, to an Available Custom table; the vSwitch goes
 * Pending -> Available.  UnassociateRouteTable undoes it. */
int route_table_associate(struct model *m, const char *table_id, const char *vsw_id);
int route_table_unassociate(struct model *m, const char *table_id, const char *vsw_id);

/* The caller's route table (kind "vtb") in m->region, or NULL with
 * InvalidRouteTableId.NotFound.  New reference. */
json_t *route_table_need(struct model *m, const char *table_id);

/* Ids of the vSwitches that use the table, in id order (new JSON array). */
json_t *route_table_vswitch_ids(struct model *m, const json_t *table);

/* --- entries -------------------------------------------------------------- */

struct route_hop {
	const char *type; /* "Instance", "NetworkInterface", ...; NULL: Instance */
	const char *id;
	int64_t weight; /* ROUTE_WEIGHT_UNSET: ROUTE_WEIGHT_DEFAULT */
};

struct route_entry_create_req {
	const char *table_id;
	const char *dest;	   /* CIDR, or an address meaning /32 or /128 */
	const char *next_hop_type; /* single next hop ... */
	const char *next_hop_id;
	const struct route_hop *hops; /* ... or an ECMP list, never both */
	size_t n_hops;
	const char *name, *description;
};

/* CreateRouteEntry (invariants 1-5, quota ROUTE_ENTRY -> QuotaExceeded).
 * *out (may be NULL) gets a new reference to the entry (Pending). */
int route_entry_create(struct model *m, const struct route_entry_create_req *r, json_t **out);

/* Names an entry: by id, or by table and destination.  next_hop_id, when
 * set, must be one of its next hops. */
struct route_entry_ref {
	const char *entry_id;
	const char *table_id;
	const char *dest;
	const char *next_hop_id;
};

/* DeleteRouteEntry.  Errors: InvalidRouteEntryId.NotFound (by id),
 * InvalidRouteEntry.NotFound (by destination), OperationDenied (a system
 * entry), IncorrectRouteEntryStatus, InvalidRouteTableId.NotFound. */
int route_entry_delete(struct model *m, const struct route_entry_ref *ref);

struct route_entry_modify_req {
	struct route_entry_ref ref;
	const char *name, *description; /* NULL: unchanged */
	const char *new_hop_type;	/* NULL: the current type */
	const char *new_hop_id;		/* NULL: next hop unchanged */
};
/* ModifyRouteEntry: name, description, and the next hop of a single-hop entry. */
int route_entry_modify(struct model *m, const struct route_entry_modify_req *r);

/* Every entry of the table, system (derived) ones first, then custom ones
 * in id order, as a new JSON array of objects shaped like stored entries
 * (system ones have type "System" and one next hop {type "local"}). */
json_t *route_entries(struct model *m, const json_t *table);

/* Number of the caller's custom entries with a next hop naming target_id
 * (an instance, ENI or IPv6 gateway about to go away). */
int route_count_refs(struct model *m, const char *target_id, int64_t *n);

/* -1 with DependencyViolation.RouteEntry when a route entry of the caller
 * names target_id (an instance, an ENI, an IPv6 gateway) as next hop: the
 * owners of those resources call it before deleting them. */
int route_refuse_if_next_hop(struct model *m, const char *target_id);

#endif
