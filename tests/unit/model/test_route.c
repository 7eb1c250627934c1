/*
 * Model tests of route tables and route entries (EC-9, NET-1, NET-15, G-1,
 * G-6, quotas route-entry-per-table and route-table-per-vpc).  Next hops
 * (instances, ENIs, IPv6 gateways) are minimal stand-in resources of their
 * kind with a vpc_id, as the other areas' modules would store them.
 */
#include "fixture.h"
#include "model/route.h"
#include "model/vpc.h"
#include "model/vswitch.h"

TestSuite(route, .init = fx_setup, .fini = fx_teardown);

#define assert_err(m, wire) fx_assert_err(m, wire)

static json_t *mk_vpc(const char *cidr, bool v6)
{
	struct model *m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = cidr, .enable_ipv6 = v6};
	json_t *vpc = NULL;
	cr_assert_eq(vpc_create(m, &q, &vpc), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	fx_settle_all(&fx);
	return vpc;
}

static json_t *reload(const char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *o = m_get(m, id);
	fx_abort(&fx);
	return o;
}

static json_t *mk_vsw(const char *vpc_id, const char *cidr, int v6)
{
	struct model *m = fx_begin(&fx);
	struct vswitch_create_req q = {
	    .vpc_id = vpc_id, .zone_id = "cn-hangzhou-a", .cidr = cidr, .ipv6_index = v6};
	json_t *v = NULL;
	cr_assert_eq(vswitch_create(m, &q, &v), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	fx_settle_all(&fx);
	json_t *again = reload(mj_str(v, "id"));
	json_decref(v);
	return again;
}

/* A stand-in next hop: kind prefix ("i", "eni", "ipv6gw") in vpc_id. */
static json_t *mk_hop(const char *prefix, const char *vpc_id, const char *network)
{
	struct model *m = fx_begin(&fx);
	json_t *o = model_new_resource(m, prefix, strcmp(prefix, "i") == 0 ? "Running" : "InUse");
	mj_set_str(o, "vpc_id", vpc_id);
	if (network)
		mj_set_str(o, "network", network);
	cr_assert_eq(m_create(m, o), 0);
	fx_commit(&fx);
	return o;
}

/* CreateRouteEntry with a single next hop; the error is in fx.m.err. */
static int try_route(const char *table, const char *dest, const char *type, const char *hop,
		     json_t **out)
{
	struct model *m = fx_begin(&fx);
	struct route_entry_create_req q = {
	    .table_id = table, .dest = dest, .next_hop_type = type, .next_hop_id = hop};
	int rc = route_entry_create(m, &q, out);
	if (rc == 0)
		fx_commit(&fx);
	else
		fx_abort(&fx);
	return rc;
}

static int try_ecmp(const char *table, const char *dest, const struct route_hop *hops, size_t n)
{
	struct model *m = fx_begin(&fx);
	struct route_entry_create_req q = {
	    .table_id = table, .dest = dest, .hops = hops, .n_hops = n};
	int rc = route_entry_create(m, &q, NULL);
	if (rc == 0)
		fx_commit(&fx);
	else
		fx_abort(&fx);
	return rc;
}

static json_t *entries_of(const char *table_id)
{
	struct model *m = fx_begin(&fx);
	json_t *t = route_table_need(m, table_id);
	cr_assert_not_null(t);
	json_t *e = route_entries(m, t);
	json_decref(t);
	fx_abort(&fx);
	return e;
}

static json_t *find_dest(json_t *entries, const char *dest)
{
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e)
	{
		if (strcmp(mj_str(e, "dest"), dest) == 0)
			return e;
	}
	return NULL;
}

Test(route, ec9_system_routes_are_derived_from_vswitches)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", true);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *e0 = entries_of(vtb);
	cr_assert_eq(json_array_size(e0), 0, "no vSwitch, no system route");
	json_t *a = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	json_t *b = mk_vsw(mj_str(vpc, "id"), "10.0.2.0/24", 3);
	json_t *e = entries_of(vtb);
	cr_assert_eq(json_array_size(e), 3, "one per vSwitch CIDR and one for the /64");
	json_t *s = find_dest(e, "10.0.1.0/24");
	cr_assert_not_null(s);
	cr_assert_str_eq(mj_str(s, "type"), "System");
	cr_assert_str_eq(mj_str(s, "status"), "Available");
	cr_assert_str_eq(mj_str(s, "ip_version"), "IPv4");
	json_t *h = json_array_get(json_object_get(s, "next_hops"), 0);
	cr_assert_str_eq(mj_str(h, "type"), "local");
	json_t *s6 = find_dest(e, mj_str(b, "ipv6_cidr"));
	cr_assert_not_null(s6);
	cr_assert_str_eq(mj_str(s6, "ip_version"), "IPv6");
	cr_assert_str_neq(mj_str(s6, "id"), mj_str(find_dest(e, "10.0.2.0/24"), "id"));
	/* Stable ids across reads. */
	json_t *again = entries_of(vtb);
	cr_assert_str_eq(mj_str(find_dest(again, "10.0.1.0/24"), "id"), mj_str(s, "id"));
	json_decref(again);
	json_decref(e);
	json_decref(e0);
	json_decref(a);
	json_decref(b);
	json_decref(vpc);
}

Test(route, ec9_route_to_an_instance)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	json_t *inst = mk_hop("i", mj_str(vpc, "id"), "vpc");
	json_t *rte = NULL;
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", mj_str(inst, "id"), &rte), 0, "%s",
		     merr_message(&fx.m.err));
	cr_assert_str_eq(mj_str(rte, "status"), "Pending"); /* G-6 */
	cr_assert_str_eq(mj_str(rte, "type"), "Custom");
	cr_assert_str_eq(mj_str(rte, "vpc_id"), mj_str(vpc, "id"));
	cr_assert_str_eq(mj_str(rte, "route_table_id"), vtb);
	json_t *h = json_array_get(json_object_get(rte, "next_hops"), 0);
	cr_assert_str_eq(mj_str(h, "type"), "Instance");
	cr_assert_str_eq(mj_str(h, "id"), mj_str(inst, "id"));
	fx_settle_all(&fx);
	json_t *again = reload(mj_str(rte, "id"));
	cr_assert_str_eq(mj_str(again, "status"), "Available");
	json_t *e = entries_of(vtb);
	cr_assert_eq(json_array_size(e), 2, "the system route and the custom one");
	/* The default type is Instance; a bare address is a host route. */
	json_t *hr = NULL;
	cr_assert_eq(try_route(vtb, "192.168.9.9", NULL, mj_str(inst, "id"), &hr), 0);
	json_t *host = reload(mj_str(hr, "id"));
	json_decref(hr);
	cr_assert_str_eq(mj_str(host, "dest"), "192.168.9.9/32");
	struct model *m = fx_begin(&fx);
	int64_t n;
	cr_assert_eq(route_count_refs(m, mj_str(inst, "id"), &n), 0);
	cr_assert_eq(n, 2, "both routes point at the instance");
	fx_abort(&fx);
	json_decref(host);
	json_decref(rte);
	json_decref(e);
	json_decref(again);
	json_decref(inst);
	json_decref(v);
	json_decref(vpc);
}

Test(route, ec9_route_to_an_eni_and_ipv6_gateway)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", true);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *eni = mk_hop("eni", mj_str(vpc, "id"), NULL);
	json_t *gw = mk_hop("ipv6gw", mj_str(vpc, "id"), NULL);
	cr_assert_eq(try_route(vtb, "172.16.0.0/12", "NetworkInterface", mj_str(eni, "id"), NULL),
		     0, "%s", merr_message(&fx.m.err));
	cr_assert_eq(try_route(vtb, "::/0", "IPv6Gateway", mj_str(gw, "id"), NULL), 0, "%s",
		     merr_message(&fx.m.err));
	cr_assert_eq(
	    try_route(vtb, "2001:db8:ffff::/48", "NetworkInterface", mj_str(eni, "id"), NULL), 0,
	    "%s", merr_message(&fx.m.err));
	json_t *e = entries_of(vtb);
	json_t *r6 = find_dest(e, "::/0");
	cr_assert_not_null(r6);
	cr_assert_str_eq(mj_str(r6, "ip_version"), "IPv6");
	cr_assert_str_eq(mj_str(json_array_get(json_object_get(r6, "next_hops"), 0), "type"),
			 "Ipv6Gateway");
	/* NET-15: the IPv6 gateway serves IPv6 destinations only. */
	cr_assert_eq(try_route(vtb, "10.9.0.0/16", "Ipv6Gateway", mj_str(gw, "id"), NULL), -1);
	assert_err(&fx.m, "InvalidNextHopType");
	/* A VPC without IPv6 has no IPv6 routes. */
	json_t *no6 = mk_vpc("10.0.0.0/16", false);
	json_t *eni2 = mk_hop("eni", mj_str(no6, "id"), NULL);
	cr_assert_eq(try_route(mj_str(no6, "route_table_id"), "::/0", "NetworkInterface",
			       mj_str(eni2, "id"), NULL),
		     -1);
	assert_err(&fx.m, "OperationDenied.VpcIpv6NotEnabled");
	json_decref(e);
	json_decref(eni2);
	json_decref(no6);
	json_decref(eni);
	json_decref(gw);
	json_decref(vpc);
}

Test(route, ec9_next_hop_must_exist_in_the_same_vpc)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	json_t *vpc2 = mk_vpc("10.0.0.0/16", false);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	json_t *far_i = mk_hop("i", mj_str(vpc2, "id"), "vpc");
	json_t *far_eni = mk_hop("eni", mj_str(vpc2, "id"), NULL);
	json_t *classic = mk_hop("i", "", "classic");
	json_t *gw2 = mk_hop("ipv6gw", mj_str(vpc2, "id"), NULL);
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", "i-doesnotexist00000000", NULL), -1);
	assert_err(&fx.m, "InvalidNextHopId.NotFound");
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", mj_str(v, "id"), NULL), -1);
	assert_err(&fx.m, "InvalidNextHopId.NotFound"); /* a vSwitch is not an instance */
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "NetworkInterface", mj_str(far_i, "id"), NULL),
		     -1);
	assert_err(&fx.m, "InvalidNextHopId.NotFound"); /* the type names the kind */
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", mj_str(far_i, "id"), NULL), -1);
	assert_err(&fx.m, "OperationFailed.InstanceDismatchCurrentVpc");
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "NetworkInterface", mj_str(far_eni, "id"), NULL),
		     -1);
	assert_err(&fx.m, "Mismatch.EniIdAndRouteTableId");
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", mj_str(classic, "id"), NULL), -1);
	assert_err(&fx.m, "IllegalParam.NextHopId");
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", NULL, NULL), -1);
	assert_err(&fx.m, "MissingParameter");
	/* G-1: another account's instance in a VPC of theirs does not exist here. */
	fx_as(&fx, fx.other);
	json_t *ovpc = mk_vpc("10.0.0.0/16", false);
	json_t *theirs = mk_hop("i", mj_str(ovpc, "id"), "vpc");
	fx_as(&fx, fx.owner);
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", mj_str(theirs, "id"), NULL), -1);
	assert_err(&fx.m, "InvalidNextHopId.NotFound");
	json_decref(theirs);
	json_decref(ovpc);
	json_decref(gw2);
	json_decref(classic);
	json_decref(far_eni);
	json_decref(far_i);
	json_decref(v);
	json_decref(vpc2);
	json_decref(vpc);
}

Test(route, ec9_next_hop_types)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *inst = mk_hop("i", mj_str(vpc, "id"), "vpc");
	static const char *const later[] = {"RouterInterface", "VpnGateway", "HaVip", "NatGateway"};
	for (size_t i = 0; i < sizeof(later) / sizeof(later[0]); i++) {
		cr_assert_eq(try_route(vtb, "0.0.0.0/0", later[i], "x-0000", NULL), -1);
		assert_err(&fx.m, "InvalidNextHopType");
		cr_assert(strstr(fx.m.err.msg, "not supported yet"), "%s", fx.m.err.msg);
	}
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Banana", mj_str(inst, "id"), NULL), -1);
	assert_err(&fx.m, "InvalidNextHopType");
	struct route_hop two[] = {{"Instance", mj_str(inst, "id"), ROUTE_WEIGHT_UNSET},
				  {"Instance", mj_str(inst, "id"), ROUTE_WEIGHT_UNSET}};
	struct model *m = fx_begin(&fx);
	struct route_entry_create_req both = {.table_id = vtb,
					      .dest = "0.0.0.0/0",
					      .next_hop_type = "Instance",
					      .next_hop_id = mj_str(inst, "id"),
					      .hops = two,
					      .n_hops = 2};
	cr_assert_eq(route_entry_create(m, &both, NULL), -1);
	assert_err(m, "InvalidNexthopTypeAndList.BothNotNull");
	struct route_entry_create_req none = {.table_id = vtb, .dest = "0.0.0.0/0"};
	cr_assert_eq(route_entry_create(m, &none, NULL), -1);
	assert_err(m, "InvalidNexthopTypeAndList.BothNull");
	fx_abort(&fx);
	json_decref(inst);
	json_decref(vpc);
}

Test(route, ec9_ecmp_over_instances_and_enis)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", true);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *hops[17];
	for (int i = 0; i < 17; i++)
		hops[i] = mk_hop(i % 2 ? "eni" : "i", mj_str(vpc, "id"), i % 2 ? NULL : "vpc");
	struct route_hop list[17];
	for (int i = 0; i < 17; i++)
		list[i] = (struct route_hop){i % 2 ? "NetworkInterface" : "Instance",
					     mj_str(hops[i], "id"), ROUTE_WEIGHT_UNSET};
	cr_assert_eq(try_ecmp(vtb, "0.0.0.0/0", list, 1), -1);
	assert_err(&fx.m, "InvalidNextHopList.Size");
	cr_assert_eq(try_ecmp(vtb, "0.0.0.0/0", list, 17), -1);
	assert_err(&fx.m, "InvalidNextHopList.Size");
	struct route_hop dup[] = {list[0], list[0]};
	cr_assert_eq(try_ecmp(vtb, "0.0.0.0/0", dup, 2), -1);
	assert_err(&fx.m, "Duplicated.VpcNextHop");
	struct route_hop heavy[] = {list[0], list[1]};
	heavy[1].weight = 256;
	cr_assert_eq(try_ecmp(vtb, "0.0.0.0/0", heavy, 2), -1);
	assert_err(&fx.m, "INVALID_WEIGHT_PARAM");
	heavy[1].weight = 0;
	cr_assert_eq(try_ecmp(vtb, "0.0.0.0/0", heavy, 2), -1);
	assert_err(&fx.m, "INVALID_WEIGHT_PARAM");
	json_t *gw = mk_hop("ipv6gw", mj_str(vpc, "id"), NULL);
	struct route_hop withgw[] = {list[0], {"Ipv6Gateway", mj_str(gw, "id"), 1}};
	cr_assert_eq(try_ecmp(vtb, "::/0", withgw, 2), -1);
	assert_err(&fx.m, "InvalidNextHopType");
	/* 2 and 16 hops are fine; weights are kept. */
	heavy[1].weight = 200;
	cr_assert_eq(try_ecmp(vtb, "0.0.0.0/0", heavy, 2), 0, "%s", merr_message(&fx.m.err));
	cr_assert_eq(try_ecmp(vtb, "192.168.0.0/16", list, 16), 0, "%s", merr_message(&fx.m.err));
	json_t *e = entries_of(vtb);
	json_t *r = find_dest(e, "0.0.0.0/0");
	json_t *nh = json_object_get(r, "next_hops");
	cr_assert_eq(json_array_size(nh), 2);
	cr_assert_eq(mj_int(json_array_get(nh, 0), "weight"), ROUTE_WEIGHT_DEFAULT);
	cr_assert_eq(mj_int(json_array_get(nh, 1), "weight"), 200);
	cr_assert_str_eq(mj_str(json_array_get(nh, 1), "type"), "NetworkInterface");
	cr_assert_eq(json_array_size(json_object_get(find_dest(e, "192.168.0.0/16"), "next_hops")),
		     16);
	json_decref(e);
	json_decref(gw);
	for (int i = 0; i < 17; i++)
		json_decref(hops[i]);
	json_decref(vpc);
}

Test(route, ec9_destination_rules)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	json_t *inst = mk_hop("i", mj_str(vpc, "id"), "vpc");
	const char *iid = mj_str(inst, "id");
	static const struct {
		const char *dest, *code;
	} bad[] = {
	    {"10.0.1.0/24", "InvalidCidrBlock"},   /* equal to a vSwitch CIDR */
	    {"10.0.1.128/25", "InvalidCidrBlock"}, /* inside one */
	    {"10.0.1.7", "InvalidCidrBlock"},
	    {"100.64.0.0/10", "InvalidCidrBlock"}, /* cloud services */
	    {"100.96.0.0/11", "InvalidCidrBlock"},
	    {"10.0.1.0/16", "InvalidCidrBlock.Malformed"},
	    {"10.0.0.0/33", "InvalidCidrBlock.Malformed"},
	    {"nowhere", "InvalidCidrBlock.Malformed"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(try_route(vtb, bad[i].dest, "Instance", iid, NULL), -1, "%s accepted",
			     bad[i].dest);
		assert_err(&fx.m, bad[i].code);
	}
	/* Wider than a vSwitch is fine (longest prefix wins); equal twice is not. */
	cr_assert_eq(try_route(vtb, "10.0.0.0/16", "Instance", iid, NULL), 0);
	cr_assert_eq(try_route(vtb, "10.0.0.0/16", "Instance", iid, NULL), -1);
	assert_err(&fx.m, "RouterEntryConflict.Duplicated");
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", iid, NULL), 0);
	/* ... and the vSwitch side: no new vSwitch may swallow a custom route. */
	cr_assert_eq(try_route(vtb, "10.0.5.0/25", "Instance", iid, NULL), 0);
	struct model *m = fx_begin(&fx);
	struct vswitch_create_req q = {.vpc_id = mj_str(vpc, "id"),
				       .zone_id = "cn-hangzhou-a",
				       .cidr = "10.0.5.0/24",
				       .ipv6_index = -1};
	cr_assert_eq(vswitch_create(m, &q, NULL), -1);
	assert_err(m, "InvalidCidrBlock.Overlapped");
	fx_abort(&fx);
	json_decref(inst);
	json_decref(v);
	json_decref(vpc);
}

Test(route, quota_route_entries_per_table)
{
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "route-entry-per-table", 2), 0);
	fx_commit(&fx);
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *inst = mk_hop("i", mj_str(vpc, "id"), "vpc");
	cr_assert_eq(try_route(vtb, "192.168.1.0/24", "Instance", mj_str(inst, "id"), NULL), 0);
	cr_assert_eq(try_route(vtb, "192.168.2.0/24", "Instance", mj_str(inst, "id"), NULL), 0);
	cr_assert_eq(try_route(vtb, "192.168.3.0/24", "Instance", mj_str(inst, "id"), NULL), -1);
	assert_err(&fx.m, "QuotaExceeded");
	/* System routes do not count. */
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	json_decref(v);
	json_decref(inst);
	json_decref(vpc);
}

Test(route, g6_delete_entry)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	json_t *inst = mk_hop("i", mj_str(vpc, "id"), "vpc");
	json_t *r1 = NULL, *r2 = NULL;
	cr_assert_eq(try_route(vtb, "192.168.1.0/24", "Instance", mj_str(inst, "id"), &r1), 0);
	struct model *m = fx_begin(&fx);
	struct route_entry_ref byid = {.entry_id = mj_str(r1, "id")};
	cr_assert_eq(route_entry_delete(m, &byid), -1);
	assert_err(m, "IncorrectRouteEntryStatus"); /* still Pending */
	fx_abort(&fx);
	fx_settle_all(&fx);
	cr_assert_eq(try_route(vtb, "192.168.2.0/24", "Instance", mj_str(inst, "id"), &r2), 0);
	fx_settle_all(&fx);
	/* Refusals. */
	json_t *e = entries_of(vtb);
	const char *sys_id = mj_str(find_dest(e, "10.0.1.0/24"), "id");
	m = fx_begin(&fx);
	struct route_entry_ref sys = {.entry_id = sys_id};
	cr_assert_eq(route_entry_delete(m, &sys), -1);
	assert_err(m, "OperationDenied");
	struct route_entry_ref sysd = {.table_id = vtb, .dest = "10.0.1.0/24"};
	cr_assert_eq(route_entry_delete(m, &sysd), -1);
	assert_err(m, "OperationDenied");
	struct route_entry_ref none = {.entry_id = "rte-doesnotexist000000"};
	cr_assert_eq(route_entry_delete(m, &none), -1);
	assert_err(m, "InvalidRouteEntryId.NotFound");
	struct route_entry_ref wrongkind = {.entry_id = mj_str(vpc, "id")};
	cr_assert_eq(route_entry_delete(m, &wrongkind), -1);
	assert_err(m, "InvalidRouteEntryId.NotFound");
	struct route_entry_ref nodest = {.table_id = vtb, .dest = "192.168.3.0/24"};
	cr_assert_eq(route_entry_delete(m, &nodest), -1);
	assert_err(m, "InvalidRouteEntry.NotFound");
	struct route_entry_ref badhop = {
	    .table_id = vtb, .dest = "192.168.1.0/24", .next_hop_id = "i-other00000000000000"};
	cr_assert_eq(route_entry_delete(m, &badhop), -1);
	assert_err(m, "InvalidRouteEntry.NotFound");
	struct route_entry_ref half = {.dest = "192.168.1.0/24"};
	cr_assert_eq(route_entry_delete(m, &half), -1);
	assert_err(m, "MissingParameter");
	struct route_entry_ref badtable = {.table_id = "vtb-nope0000000000000000",
					   .dest = "1.0.0.0/8"};
	cr_assert_eq(route_entry_delete(m, &badtable), -1);
	assert_err(m, "InvalidRouteTableId.NotFound");
	/* By id, and by table + destination (+ next hop). */
	cr_assert_eq(route_entry_delete(m, &byid), 0, "%s", merr_message(&m->err));
	struct route_entry_ref bydest = {
	    .table_id = vtb, .dest = "192.168.2.0/24", .next_hop_id = mj_str(inst, "id")};
	cr_assert_eq(route_entry_delete(m, &bydest), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *d = reload(mj_str(r1, "id"));
	cr_assert_str_eq(mj_str(d, "status"), "Deleting"); /* G-6 */
	m = fx_begin(&fx);
	cr_assert_eq(route_entry_delete(m, &byid), -1);
	assert_err(m, "IncorrectRouteEntryStatus");
	fx_abort(&fx);
	fx_settle_all(&fx);
	cr_assert_null(reload(mj_str(r1, "id")));
	cr_assert_null(reload(mj_str(r2, "id")));
	json_t *left = entries_of(vtb);
	cr_assert_eq(json_array_size(left), 1, "only the system route is left");
	json_decref(left);
	json_decref(d);
	json_decref(e);
	json_decref(r1);
	json_decref(r2);
	json_decref(inst);
	json_decref(v);
	json_decref(vpc);
}

Test(route, modify_entry_name_and_next_hop)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *a = mk_hop("i", mj_str(vpc, "id"), "vpc");
	json_t *b = mk_hop("eni", mj_str(vpc, "id"), NULL);
	json_t *r = NULL;
	cr_assert_eq(try_route(vtb, "192.168.1.0/24", "Instance", mj_str(a, "id"), &r), 0);
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	struct route_entry_modify_req q = {.ref = {.entry_id = mj_str(r, "id")},
					   .name = "http://x"};
	cr_assert_eq(route_entry_modify(m, &q), -1);
	assert_err(m, "InvalidRouteEntryName.Malformed");
	q.name = "to-office";
	q.description = "h";
	cr_assert_eq(route_entry_modify(m, &q), -1);
	assert_err(m, "InvalidDescription.Malformed");
	q.description = "office network";
	cr_assert_eq(route_entry_modify(m, &q), 0);
	fx_commit(&fx);
	json_t *r2 = reload(mj_str(r, "id"));
	cr_assert_str_eq(mj_str(r2, "name"), "to-office");
	cr_assert_str_eq(mj_str(r2, "status"), "Available");
	/* A new next hop moves the entry through Modifying. */
	m = fx_begin(&fx);
	struct route_entry_modify_req same = {.ref = {.table_id = vtb, .dest = "192.168.1.0/24"},
					      .new_hop_id = mj_str(a, "id")};
	cr_assert_eq(route_entry_modify(m, &same), -1);
	assert_err(m, "OperationDenied.NextHopNotChanged");
	struct route_entry_modify_req hop = {.ref = {.entry_id = mj_str(r, "id")},
					     .new_hop_type = "NetworkInterface",
					     .new_hop_id = mj_str(b, "id")};
	cr_assert_eq(route_entry_modify(m, &hop), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *r3 = reload(mj_str(r, "id"));
	cr_assert_str_eq(mj_str(r3, "status"), "Modifying");
	cr_assert_str_eq(mj_str(json_array_get(json_object_get(r3, "next_hops"), 0), "id"),
			 mj_str(b, "id"));
	m = fx_begin(&fx);
	cr_assert_eq(route_entry_modify(m, &hop), -1);
	assert_err(m, "IncorrectRouteEntryStatus");
	fx_abort(&fx);
	fx_settle_all(&fx);
	json_t *r4 = reload(mj_str(r, "id"));
	cr_assert_str_eq(mj_str(r4, "status"), "Available");
	/* ECMP entries keep their list. */
	struct route_hop two[] = {{"Instance", mj_str(a, "id"), 1},
				  {"NetworkInterface", mj_str(b, "id"), 1}};
	cr_assert_eq(try_ecmp(vtb, "192.168.2.0/24", two, 2), 0);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	struct route_entry_modify_req e = {.ref = {.table_id = vtb, .dest = "192.168.2.0/24"},
					   .new_hop_id = mj_str(a, "id")};
	cr_assert_eq(route_entry_modify(m, &e), -1);
	assert_err(m, "InvalidNextHopList.Size");
	struct route_entry_modify_req nf = {.ref = {.entry_id = "rte-doesnotexist000000"},
					    .name = "x1"};
	cr_assert_eq(route_entry_modify(m, &nf), -1);
	assert_err(m, "InvalidRouteEntryId.NotFound");
	fx_abort(&fx);
	json_decref(r2);
	json_decref(r3);
	json_decref(r4);
	json_decref(r);
	json_decref(a);
	json_decref(b);
	json_decref(vpc);
}

Test(route, custom_tables_associate_and_delete)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	const char *vpc_id = mj_str(vpc, "id");
	const char *sys = mj_str(vpc, "route_table_id");
	json_t *v = mk_vsw(vpc_id, "10.0.1.0/24", -1);
	json_t *w = mk_vsw(vpc_id, "10.0.2.0/24", -1);
	const char *vid = mj_str(v, "id");
	struct model *m = fx_begin(&fx);
	struct route_table_create_req q = {.vpc_id = vpc_id, .name = "https://x"};
	cr_assert_eq(route_table_create(m, &q, NULL), -1);
	assert_err(m, "InvalidParameter.RouteTableName.Malformed");
	q.name = "web tier";
	json_t *t = NULL;
	cr_assert_eq(route_table_create(m, &q, &t), 0, "%s", merr_message(&m->err));
	cr_assert_str_eq(mj_str(t, "status"), "Creating"); /* G-6 */
	cr_assert_str_eq(mj_str(t, "type"), "Custom");
	cr_assert_str_eq(mj_str(t, "vrouter_id"), mj_str(vpc, "vrouter_id"));
	fx_commit(&fx);
	const char *tid = mj_str(t, "id");
	/* Not before it is Available. */
	m = fx_begin(&fx);
	cr_assert_eq(route_table_associate(m, tid, vid), -1);
	assert_err(m, "IncorrectStatus.RouteTable");
	fx_abort(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(route_table_associate(m, sys, vid), -1);
	assert_err(m, "OperationUnsupported.SystemRouteTable");
	cr_assert_eq(route_table_unassociate(m, tid, vid), -1);
	assert_err(m, "OperationFailed.VSwitchNotAssociate");
	cr_assert_eq(route_table_associate(m, tid, "vsw-nope00000000000000"), -1);
	assert_err(m, "InvalidVSwitchId.NotFound");
	cr_assert_eq(route_table_associate(m, "vtb-nope00000000000000", vid), -1);
	assert_err(m, "InvalidRouteTableId.NotFound");
	cr_assert_eq(route_table_associate(m, tid, vid), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *v2 = reload(vid);
	cr_assert_str_eq(mj_str(v2, "route_table_id"), tid);
	cr_assert_str_eq(mj_str(v2, "status"), "Pending", "the vSwitch is Pending while binding");
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	json_t *tt = route_table_need(m, tid), *st = route_table_need(m, sys);
	json_t *ids = route_table_vswitch_ids(m, tt), *sids = route_table_vswitch_ids(m, st);
	cr_assert_eq(json_array_size(ids), 1);
	cr_assert_str_eq(json_string_value(json_array_get(ids, 0)), vid);
	cr_assert_eq(json_array_size(sids), 1, "the system table keeps the other vSwitch");
	/* A custom table routes to every vSwitch of the VPC too. */
	json_t *ent = route_entries(m, tt);
	cr_assert_eq(json_array_size(ent), 2);
	cr_assert_eq(route_table_associate(m, tid, vid), -1);
	assert_err(m, "Forbidden.VSwitchAlreadyAssociatedRouteTable");
	/* Deleting it: not the system table, not while bound, not with entries. */
	cr_assert_eq(route_table_delete(m, sys), -1);
	assert_err(m, "IncorrectRouteTableType");
	cr_assert_eq(route_table_delete(m, tid), -1);
	assert_err(m, "DependencyViolation.VSwitch");
	fx_abort(&fx);
	json_t *inst = mk_hop("i", vpc_id, "vpc");
	json_t *r = NULL;
	cr_assert_eq(try_route(tid, "0.0.0.0/0", "Instance", mj_str(inst, "id"), &r), 0, "%s",
		     merr_message(&fx.m.err));
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(route_table_unassociate(m, tid, vid), 0, "%s", merr_message(&m->err));
	cr_assert_eq(route_table_delete(m, tid), -1);
	assert_err(m, "IncorrectRouteTableStatus.RouteEntryExist");
	struct route_entry_ref rr = {.entry_id = mj_str(r, "id")};
	cr_assert_eq(route_entry_delete(m, &rr), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	json_t *v3 = reload(vid);
	cr_assert_str_eq(mj_str(v3, "route_table_id"), sys, "back on the system table");
	m = fx_begin(&fx);
	cr_assert_eq(route_table_modify(m, tid, "renamed", "the web tier"), 0);
	cr_assert_eq(route_table_delete(m, tid), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *del = reload(tid);
	cr_assert_str_eq(mj_str(del, "status"), "Deleting");
	cr_assert_str_eq(mj_str(del, "name"), "renamed");
	fx_settle_all(&fx);
	cr_assert_null(reload(tid));
	json_decref(del);
	json_decref(v3);
	json_decref(r);
	json_decref(inst);
	json_decref(ent);
	json_decref(ids);
	json_decref(sids);
	json_decref(tt);
	json_decref(st);
	json_decref(v2);
	json_decref(t);
	json_decref(v);
	json_decref(w);
	json_decref(vpc);
}

Test(route, custom_table_rules)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	json_t *vpc2 = mk_vpc("10.0.0.0/16", false);
	json_t *other_vsw = mk_vsw(mj_str(vpc2, "id"), "10.0.1.0/24", -1);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "route-table-per-vpc", 1), 0);
	fx_commit(&fx);
	m = fx_begin(&fx);
	struct route_table_create_req q = {.vpc_id = mj_str(vpc, "id")};
	json_t *t = NULL;
	cr_assert_eq(route_table_create(m, &q, &t), 0);
	cr_assert_eq(route_table_create(m, &q, NULL), -1);
	assert_err(m, "QuotaExceeded.RouteTable");
	q.vpc_id = "vpc-nope00000000000000";
	cr_assert_eq(route_table_create(m, &q, NULL), -1);
	assert_err(m, "InvalidVpcId.NotFound");
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(route_table_associate(m, mj_str(t, "id"), mj_str(other_vsw, "id")), -1);
	assert_err(m, "Forbidden.NotInSameVpc");
	fx_abort(&fx);
	/* The VPC must be Available. */
	m = fx_begin(&fx);
	struct vpc_create_req vq = {.cidr = "10.0.0.0/16"};
	json_t *pending = NULL;
	cr_assert_eq(vpc_create(m, &vq, &pending), 0);
	struct route_table_create_req pq = {.vpc_id = mj_str(pending, "id")};
	cr_assert_eq(route_table_create(m, &pq, NULL), -1);
	assert_err(m, "IncorrectVpcStatus");
	fx_abort(&fx);
	json_decref(pending);
	json_decref(t);
	json_decref(other_vsw);
	json_decref(vpc);
	json_decref(vpc2);
}

Test(route, deleting_a_vswitch_removes_its_binding)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	struct model *m = fx_begin(&fx);
	struct route_table_create_req q = {.vpc_id = mj_str(vpc, "id")};
	json_t *t = NULL;
	cr_assert_eq(route_table_create(m, &q, &t), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(route_table_associate(m, mj_str(t, "id"), mj_str(v, "id")), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(vswitch_delete(m, mj_str(v, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	json_t *tt = route_table_need(m, mj_str(t, "id"));
	json_t *ids = route_table_vswitch_ids(m, tt);
	cr_assert_eq(json_array_size(ids), 0);
	json_t *ent = route_entries(m, tt);
	cr_assert_eq(json_array_size(ent), 0, "its system route went with it");
	cr_assert_eq(route_table_delete(m, mj_str(t, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_decref(ent);
	json_decref(ids);
	json_decref(tt);
	json_decref(t);
	json_decref(v);
	json_decref(vpc);
}

Test(route, g1_other_account_sees_nothing)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	const char *vtb = mj_str(vpc, "route_table_id");
	json_t *inst = mk_hop("i", mj_str(vpc, "id"), "vpc");
	json_t *r = NULL;
	cr_assert_eq(try_route(vtb, "0.0.0.0/0", "Instance", mj_str(inst, "id"), &r), 0);
	fx_settle_all(&fx);
	fx_as(&fx, fx.other);
	struct model *m = fx_begin(&fx);
	cr_assert_null(route_table_need(m, vtb));
	assert_err(m, "InvalidRouteTableId.NotFound");
	struct route_entry_create_req q = {.table_id = vtb,
					   .dest = "192.168.0.0/16",
					   .next_hop_type = "Instance",
					   .next_hop_id = mj_str(inst, "id")};
	cr_assert_eq(route_entry_create(m, &q, NULL), -1);
	assert_err(m, "InvalidRouteTableId.NotFound");
	struct route_entry_ref byid = {.entry_id = mj_str(r, "id")};
	cr_assert_eq(route_entry_delete(m, &byid), -1);
	assert_err(m, "InvalidRouteEntryId.NotFound");
	struct route_entry_ref bydest = {.table_id = vtb, .dest = "0.0.0.0/0"};
	cr_assert_eq(route_entry_delete(m, &bydest), -1);
	assert_err(m, "InvalidRouteTableId.NotFound");
	cr_assert_eq(route_table_delete(m, vtb), -1);
	assert_err(m, "InvalidRouteTableId.NotFound");
	struct route_table_create_req tq = {.vpc_id = mj_str(vpc, "id")};
	cr_assert_eq(route_table_create(m, &tq, NULL), -1);
	assert_err(m, "InvalidVpcId.NotFound");
	fx_abort(&fx);
	json_decref(r);
	json_decref(inst);
	json_decref(vpc);
}

Test(route, g1_ids_of_another_kind_name_nothing)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	struct model *m = fx_begin(&fx);
	struct route_table_create_req q = {.vpc_id = mj_str(v, "id")};
	cr_assert_eq(route_table_create(m, &q, NULL), -1);
	assert_err(m, "InvalidVpcId.NotFound");
	cr_assert_null(route_table_need(m, mj_str(vpc, "id")));
	assert_err(m, "InvalidRouteTableId.NotFound");
	q.vpc_id = mj_str(vpc, "id");
	json_t *t = NULL;
	cr_assert_eq(route_table_create(m, &q, &t), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(route_table_associate(m, mj_str(t, "id"), mj_str(vpc, "id")), -1);
	assert_err(m, "InvalidVSwitchId.NotFound");
	cr_assert_eq(route_table_delete(m, mj_str(v, "id")), -1);
	assert_err(m, "InvalidRouteTableId.NotFound");
	struct route_entry_ref ref = {.entry_id = mj_str(t, "id")};
	cr_assert_eq(route_entry_delete(m, &ref), -1);
	assert_err(m, "InvalidRouteEntryId.NotFound");
	fx_abort(&fx);
	json_decref(t);
	json_decref(v);
	json_decref(vpc);
}

Test(route, vpc_cannot_go_while_custom_routes_are_left)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false);
	json_t *inst = mk_hop("i", mj_str(vpc, "id"), "vpc");
	json_t *r = NULL;
	cr_assert_eq(try_route(mj_str(vpc, "route_table_id"), "0.0.0.0/0", "Instance",
			       mj_str(inst, "id"), &r),
		     0);
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), -1);
	assert_err(m, "DependencyViolation.RouteEntry");
	struct route_entry_ref ref = {.entry_id = mj_str(r, "id")};
	cr_assert_eq(route_entry_delete(m, &ref), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_decref(r);
	json_decref(inst);
	json_decref(vpc);
}
