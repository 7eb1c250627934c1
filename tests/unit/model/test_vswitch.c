/*
 * Model tests of vSwitches (NET-1, NET-3, NET-15, G-1, G-2, G-6, quota
 * vswitch-per-vpc): CIDR rules, address allocation and its reserved
 * addresses, IPv6 /64 blocks, life cycle and dependencies.  Instances and
 * ENIs are stood in for by minimal resources (kind, vpc_id, vswitch_id).
 */
#include "fixture.h"
#include "model/vpc.h"
#include "model/vswitch.h"

TestSuite(vswitch, .init = fx_setup, .fini = fx_teardown);

/* A VPC, settled to Available unless pending is set. */
static json_t *mk_vpc(const char *cidr, bool v6, bool pending)
{
	struct model *m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = cidr, .enable_ipv6 = v6};
	json_t *vpc = NULL;
	cr_assert_eq(vpc_create(m, &q, &vpc), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	if (!pending)
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

/* Tries CreateVSwitch; returns 0 or -1, with the error in fx.m.err. */
static int try_vsw(const char *vpc_id, const char *zone, const char *cidr, int v6, json_t **out)
{
	struct model *m = fx_begin(&fx);
	struct vswitch_create_req q = {
	    .vpc_id = vpc_id, .zone_id = zone, .cidr = cidr, .ipv6_index = v6};
	int rc = vswitch_create(m, &q, out);
	if (rc == 0)
		fx_commit(&fx);
	else
		fx_abort(&fx);
	return rc;
}

/* A vSwitch, created and settled to Available; returns its stored doc. */
static json_t *mk_vsw(const char *vpc_id, const char *cidr, int v6)
{
	json_t *v = NULL;
	cr_assert_eq(try_vsw(vpc_id, "cn-hangzhou-a", cidr, v6, &v), 0, "%s",
		     merr_message(&fx.m.err));
	fx_settle_all(&fx);
	json_t *again = reload(mj_str(v, "id"));
	json_decref(v);
	return again;
}

/* A minimal stand-in for a resource of another area (an ENI, an instance). */
static json_t *stand_in(struct model *m, const char *prefix, const char *status, const char *vpc_id,
			const char *vsw_id)
{
	json_t *o = model_new_resource(m, prefix, status);
	mj_set_str(o, "vpc_id", vpc_id);
	mj_set_str(o, "vswitch_id", vsw_id);
	mj_set_str(o, "network", "vpc");
	cr_assert_eq(m_create(m, o), 0);
	return o;
}

#define assert_err(m, wire) fx_assert_err(m, wire)

Test(vswitch, net1_create_pending_then_available)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	json_t *v = NULL;
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-b", "10.0.1.0/24", -1, &v), 0);
	cr_assert_str_eq(mj_str(v, "status"), "Pending"); /* G-6 */
	cr_assert_str_eq(mj_str(v, "zone"), "cn-hangzhou-b");
	cr_assert_str_eq(mj_str(v, "cidr"), "10.0.1.0/24");
	cr_assert_str_eq(mj_str(v, "vpc_id"), mj_str(vpc, "id"));
	cr_assert_str_eq(mj_str(v, "parent"), mj_str(vpc, "id"));
	cr_assert_str_eq(mj_str(v, "route_table_id"), mj_str(vpc, "route_table_id"),
			 "a new vSwitch uses the VPC's system route table");
	cr_assert_str_eq(mj_str(v, "ipv6_cidr"), "");
	fx_settle_all(&fx);
	json_t *again = reload(mj_str(v, "id"));
	cr_assert_str_eq(mj_str(again, "status"), "Available");
	json_decref(again);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, g2_zone_must_be_of_the_region)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-z", "10.0.1.0/24", -1, NULL), -1);
	assert_err(&fx.m, "InvalidZoneId.NotFound");
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-shanghai-a", "10.0.1.0/24", -1, NULL), -1);
	assert_err(&fx.m, "InvalidZoneId.NotFound");
	json_decref(vpc);
}

Test(vswitch, net1_cidr_mask_and_form)
{
	json_t *vpc = mk_vpc("10.0.0.0/8", false, false);
	static const struct {
		const char *cidr, *code;
	} bad[] = {
	    {"10.0.0.0/15", "InvalidCirdrBlock.MaskLength"},
	    {"10.0.0.0/30", "InvalidCirdrBlock.MaskLength"},
	    {"10.0.0.1/24", "InvalidCidrBlock.Malformed"},
	    {"10.0.0.0", "InvalidCidrBlock.Malformed"},
	    {"fd00::/64", "InvalidCidrBlock.Malformed"},
	    {"ten.0.0.0/24", "InvalidCidrBlock.Malformed"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", bad[i].cidr, -1, NULL), -1,
			     "%s accepted", bad[i].cidr);
		assert_err(&fx.m, bad[i].code);
	}
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", NULL, -1, NULL), -1);
	assert_err(&fx.m, "MissingParameter");
	json_t *a = mk_vsw(mj_str(vpc, "id"), "10.1.0.0/16", -1);
	json_t *b = mk_vsw(mj_str(vpc, "id"), "10.2.0.0/29", -1);
	json_decref(a);
	json_decref(b);
	json_decref(vpc);
}

Test(vswitch, net1_cidr_inside_primary_or_secondary)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", "10.1.0.0/24", -1, NULL), -1);
	assert_err(&fx.m, "InvalidParameter");
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", "10.0.0.0/15", -1, NULL), -1);
	assert_err(&fx.m, "InvalidCirdrBlock.MaskLength");
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_add_secondary_cidr(m, mj_str(vpc, "id"), "172.20.0.0/16"), 0);
	fx_commit(&fx);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "172.20.3.0/24", -1);
	cr_assert_str_eq(mj_str(v, "status"), "Available");
	/* A vSwitch in the secondary CIDR keeps it from being removed (vpc.c). */
	m = fx_begin(&fx);
	cr_assert_eq(vpc_del_secondary_cidr(m, mj_str(vpc, "id"), "172.20.0.0/16"), -1);
	fx_abort(&fx);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, net1_no_overlap_inside_a_vpc)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	json_t *a = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	static const char *const overl[] = {"10.0.1.0/24", "10.0.1.128/25", "10.0.0.0/23",
					    "10.0.0.0/16"};
	for (size_t i = 0; i < sizeof(overl) / sizeof(overl[0]); i++) {
		cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-b", overl[i], -1, NULL), -1,
			     "%s accepted", overl[i]);
		assert_err(&fx.m, "InvalidCidrBlock.Overlapped");
	}
	json_t *b = mk_vsw(mj_str(vpc, "id"), "10.0.2.0/24", -1); /* adjacent is fine */
	/* NET-1: the same CIDR in another VPC is fine. */
	json_t *vpc2 = mk_vpc("10.0.0.0/16", false, false);
	json_t *c = mk_vsw(mj_str(vpc2, "id"), "10.0.1.0/24", -1);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(vpc);
	json_decref(vpc2);
}

Test(vswitch, g6_vpc_must_be_available)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, true);
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", "10.0.1.0/24", -1, NULL), -1);
	assert_err(&fx.m, "IncorrectVpcStatus");
	json_decref(vpc);
}

Test(vswitch, names_and_descriptions)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	struct model *m = fx_begin(&fx);
	struct vswitch_create_req q = {.vpc_id = mj_str(vpc, "id"),
				       .zone_id = "cn-hangzhou-a",
				       .cidr = "10.0.1.0/24",
				       .ipv6_index = -1,
				       .name = "http://x"};
	cr_assert_eq(vswitch_create(m, &q, NULL), -1);
	assert_err(m, "InvalidVSwitchName.Malformed");
	q.name = "web";
	q.description = "https://desc";
	cr_assert_eq(vswitch_create(m, &q, NULL), -1);
	assert_err(m, "InvalidVSwitchDiscription.Malformed");
	q.description = "front end";
	json_t *v = NULL;
	cr_assert_eq(vswitch_create(m, &q, &v), 0);
	cr_assert_str_eq(mj_str(v, "name"), "web");
	cr_assert_str_eq(mj_str(v, "description"), "front end");
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	struct vswitch_modify_req mq = {
	    .vsw_id = mj_str(v, "id"), .name = "1bad", .enable_ipv6 = -1, .ipv6_index = -1};
	cr_assert_eq(vswitch_modify(m, &mq), -1);
	assert_err(m, "InvalidVSwitchName.Malformed");
	mq.name = "api";
	mq.description = "back end";
	cr_assert_eq(vswitch_modify(m, &mq), 0);
	fx_commit(&fx);
	json_t *again = reload(mj_str(v, "id"));
	cr_assert_str_eq(mj_str(again, "name"), "api");
	cr_assert_str_eq(mj_str(again, "description"), "back end");
	cr_assert_str_eq(mj_str(again, "status"), "Available", "a rename is immediate");
	json_decref(again);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, quota_vswitch_per_vpc)
{
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "vswitch-per-vpc", 2), 0);
	fx_commit(&fx);
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	json_t *a = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	json_t *b = mk_vsw(mj_str(vpc, "id"), "10.0.2.0/24", -1);
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", "10.0.3.0/24", -1, NULL), -1);
	assert_err(&fx.m, "QuotaExceeded.VSwitch");
	/* The quota is per VPC. */
	json_t *vpc2 = mk_vpc("10.0.0.0/16", false, false);
	json_t *c = mk_vsw(mj_str(vpc2, "id"), "10.0.3.0/24", -1);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(vpc);
	json_decref(vpc2);
}

Test(vswitch, net3_reserved_addresses_and_gateway)
{
	json_t *vpc = mk_vpc("192.168.0.0/16", false, false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "192.168.1.0/24", -1);
	struct netaddr first, last;
	char a[NETADDR_STRLEN], b[NETADDR_STRLEN];
	vswitch_usable_range(v, &first, &last);
	cr_assert_str_eq(netaddr_format(&first, a), "192.168.1.1");
	cr_assert_str_eq(netaddr_format(&last, b), "192.168.1.252");
	cr_assert_str_eq(vswitch_gateway(v, a), "192.168.1.253");
	struct model *m = fx_begin(&fx);
	int64_t n;
	cr_assert_eq(vswitch_available_count(m, v, &n), 0);
	cr_assert_eq(n, 252, "a /24 has 256 - 4 usable addresses");
	json_t *eni = stand_in(m, "eni", "Available", mj_str(vpc, "id"), mj_str(v, "id"));
	const char *eid = mj_str(eni, "id");
	char ip[NETADDR_STRLEN];
	static const char *const reserved[] = {"192.168.1.0", "192.168.1.253", "192.168.1.254",
					       "192.168.1.255", "192.168.2.7"};
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		cr_assert_eq(vswitch_claim_ip(m, v, reserved[i], eid, ip), -1, "%s", reserved[i]);
		assert_err(m, "InvalidPrivateIpAddress");
	}
	cr_assert_eq(vswitch_claim_ip(m, v, "192.168.1.x", eid, ip), -1);
	assert_err(m, "InvalidPrivateIpAddress.Malformed");
	cr_assert_eq(vswitch_claim_ip(m, v, "2001:db8::1", eid, ip), -1);
	assert_err(m, "InvalidPrivateIpAddress.Malformed");
	/* NET-3: allocated (lowest free) or chosen. */
	cr_assert_eq(vswitch_claim_ip(m, v, NULL, eid, ip), 0);
	cr_assert_str_eq(ip, "192.168.1.1");
	cr_assert_eq(vswitch_claim_ip(m, v, "192.168.1.252", eid, ip), 0);
	cr_assert_str_eq(ip, "192.168.1.252");
	cr_assert_eq(vswitch_claim_ip(m, v, NULL, eid, ip), 0);
	cr_assert_str_eq(ip, "192.168.1.2");
	cr_assert_eq(vswitch_claim_ip(m, v, "192.168.1.2", eid, ip), -1);
	assert_err(m, "InvalidPrivateIpAddress.Duplicated");
	cr_assert_eq(vswitch_available_count(m, v, &n), 0);
	cr_assert_eq(n, 249);
	cr_assert_eq(vswitch_release_ip(m, v, "192.168.1.1"), 0);
	cr_assert_eq(vswitch_claim_ip(m, v, NULL, eid, ip), 0);
	cr_assert_str_eq(ip, "192.168.1.1", "a released address is free again");
	cr_assert_eq(vswitch_release_ip(m, v, "nonsense"), -1);
	assert_err(m, "InvalidPrivateIpAddress.Malformed");
	fx_commit(&fx);
	json_decref(eni);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, net3_small_vswitch_runs_out)
{
	json_t *vpc = mk_vpc("192.168.0.0/16", false, false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "192.168.7.0/29", -1);
	struct model *m = fx_begin(&fx);
	json_t *eni = stand_in(m, "eni", "Available", mj_str(vpc, "id"), mj_str(v, "id"));
	char ip[NETADDR_STRLEN];
	for (int i = 1; i <= 4; i++) {
		cr_assert_eq(vswitch_claim_ip(m, v, NULL, mj_str(eni, "id"), ip), 0);
		char want[32];
		snprintf(want, sizeof(want), "192.168.7.%d", i);
		cr_assert_str_eq(ip, want);
	}
	cr_assert_eq(vswitch_claim_ip(m, v, NULL, mj_str(eni, "id"), ip), -1);
	assert_err(m, "QuotaExceeded.PrivateIpAddress");
	int64_t n;
	cr_assert_eq(vswitch_available_count(m, v, &n), 0);
	cr_assert_eq(n, 0);
	fx_abort(&fx);
	json_decref(eni);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, net1_addresses_unique_per_vpc_not_across_vpcs)
{
	json_t *vpc1 = mk_vpc("10.0.0.0/16", false, false);
	json_t *vpc2 = mk_vpc("10.0.0.0/16", false, false);
	json_t *a = mk_vsw(mj_str(vpc1, "id"), "10.0.1.0/24", -1);
	json_t *b = mk_vsw(mj_str(vpc2, "id"), "10.0.1.0/24", -1);
	struct model *m = fx_begin(&fx);
	json_t *e1 = stand_in(m, "eni", "Available", mj_str(vpc1, "id"), mj_str(a, "id"));
	json_t *e2 = stand_in(m, "eni", "Available", mj_str(vpc2, "id"), mj_str(b, "id"));
	char ip[NETADDR_STRLEN];
	cr_assert_eq(vswitch_claim_ip(m, a, "10.0.1.10", mj_str(e1, "id"), ip), 0);
	cr_assert_eq(vswitch_claim_ip(m, b, "10.0.1.10", mj_str(e2, "id"), ip), 0,
		     "private IPs may repeat across VPCs");
	cr_assert_eq(vswitch_claim_ip(m, a, "10.0.1.10", mj_str(e2, "id"), ip), -1);
	assert_err(m, "InvalidPrivateIpAddress.Duplicated");
	fx_commit(&fx);
	json_decref(e1);
	json_decref(e2);
	json_decref(a);
	json_decref(b);
	json_decref(vpc1);
	json_decref(vpc2);
}

Test(vswitch, net15_ipv6_block_from_the_vpc_56)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", true, false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", 5);
	struct netprefix p56, p64;
	cr_assert(netprefix_parse(mj_str(vpc, "ipv6_cidr"), &p56));
	cr_assert(netprefix_parse(mj_str(v, "ipv6_cidr"), &p64));
	cr_assert_eq(p64.len, 64);
	cr_assert(netprefix_covers(&p56, &p64), "the /64 lies inside the VPC's /56");
	cr_assert_eq(p64.addr.hi & 0xff, 5, "index 5 is the last 8 bits of the /64");
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", "10.0.2.0/24", 5, NULL), -1);
	assert_err(&fx.m, "InvalidCidrBlock.Overlapped");
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", "10.0.2.0/24", 256, NULL), -1);
	assert_err(&fx.m, "InvalidParameter");
	json_t *w = mk_vsw(mj_str(vpc, "id"), "10.0.2.0/24", 0);
	json_t *no6 = mk_vpc("10.0.0.0/16", false, false);
	cr_assert_eq(try_vsw(mj_str(no6, "id"), "cn-hangzhou-a", "10.0.2.0/24", 0, NULL), -1);
	assert_err(&fx.m, "OperationDenied.VpcIpv6NotEnabled");
	json_decref(w);
	json_decref(no6);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, net15_ipv6_addresses)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", true, false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", 1);
	json_t *v4only = mk_vsw(mj_str(vpc, "id"), "10.0.2.0/24", -1);
	struct netprefix p64;
	netprefix_parse(mj_str(v, "ipv6_cidr"), &p64);
	struct model *m = fx_begin(&fx);
	json_t *eni = stand_in(m, "eni", "Available", mj_str(vpc, "id"), mj_str(v, "id"));
	char ip[NETADDR_STRLEN], want[NETADDR_STRLEN];
	struct netaddr a;
	cr_assert_eq(vswitch_claim_ipv6(m, v, NULL, mj_str(eni, "id"), ip), 0);
	netaddr_add(&p64.addr, VSWITCH_IPV6_RESERVED_LOW, &a);
	cr_assert_str_eq(ip, netaddr_format(&a, want), "the lowest free above the reserved ones");
	cr_assert_eq(vswitch_claim_ipv6(m, v, ip, mj_str(eni, "id"), ip), -1);
	assert_err(m, "InvalidPrivateIpAddress.Duplicated");
	netaddr_add(&p64.addr, 1, &a);
	cr_assert_eq(vswitch_claim_ipv6(m, v, netaddr_format(&a, want), mj_str(eni, "id"), ip), -1);
	assert_err(m, "InvalidPrivateIpAddress");
	cr_assert_eq(vswitch_claim_ipv6(m, v, "2001:db9::10", mj_str(eni, "id"), ip), -1);
	assert_err(m, "InvalidPrivateIpAddress");
	cr_assert_eq(vswitch_claim_ipv6(m, v, "10.0.1.5", mj_str(eni, "id"), ip), -1);
	assert_err(m, "InvalidPrivateIpAddress.Malformed");
	cr_assert_eq(vswitch_claim_ipv6(m, v4only, NULL, mj_str(eni, "id"), ip), -1);
	assert_err(m, "InvalidVSwitch.Ipv6NotTurnOn");
	fx_commit(&fx);
	json_decref(eni);
	json_decref(v);
	json_decref(v4only);
	json_decref(vpc);
}

Test(vswitch, net15_modify_ipv6)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", true, false);
	json_t *a = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", 0);
	json_t *b = mk_vsw(mj_str(vpc, "id"), "10.0.2.0/24", -1);
	/* Enabling without an index takes the lowest free /64 (here 1). */
	struct model *m = fx_begin(&fx);
	struct vswitch_modify_req q = {
	    .vsw_id = mj_str(b, "id"), .enable_ipv6 = 1, .ipv6_index = -1};
	cr_assert_eq(vswitch_modify(m, &q), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *b2 = reload(mj_str(b, "id"));
	cr_assert_str_eq(mj_str(b2, "status"), "Pending", "G-6: the data plane applies it");
	struct netprefix p;
	cr_assert(netprefix_parse(mj_str(b2, "ipv6_cidr"), &p));
	cr_assert_eq(p.addr.hi & 0xff, 1);
	/* Not while Pending; and a set block cannot change. */
	m = fx_begin(&fx);
	q.enable_ipv6 = 0;
	cr_assert_eq(vswitch_modify(m, &q), -1);
	assert_err(m, "IncorrectVSwitchStatus");
	fx_abort(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	struct vswitch_modify_req ch = {
	    .vsw_id = mj_str(b, "id"), .enable_ipv6 = 1, .ipv6_index = 7};
	cr_assert_eq(vswitch_modify(m, &ch), -1);
	assert_err(m, "InvalidParameter");
	ch.ipv6_index = 1; /* the same block again: nothing to do */
	cr_assert_eq(vswitch_modify(m, &ch), 0);
	fx_abort(&fx);
	/* Disabling while an address is in use is refused, then allowed. */
	m = fx_begin(&fx);
	json_t *eni = stand_in(m, "eni", "Available", mj_str(vpc, "id"), mj_str(b, "id"));
	char ip[NETADDR_STRLEN];
	cr_assert_eq(vswitch_claim_ipv6(m, b2, NULL, mj_str(eni, "id"), ip), 0);
	fx_commit(&fx);
	m = fx_begin(&fx);
	struct vswitch_modify_req off = {
	    .vsw_id = mj_str(b, "id"), .enable_ipv6 = 0, .ipv6_index = -1};
	cr_assert_eq(vswitch_modify(m, &off), -1);
	assert_err(m, "DependencyViolation");
	off.ipv6_index = 3;
	cr_assert_eq(vswitch_modify(m, &off), -1);
	assert_err(m, "InvalidParameter");
	off.ipv6_index = -1;
	cr_assert_eq(vswitch_release_ip(m, b2, ip), 0);
	cr_assert_eq(vswitch_modify(m, &off), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	fx_settle_all(&fx);
	json_t *b3 = reload(mj_str(b, "id"));
	cr_assert_str_eq(mj_str(b3, "ipv6_cidr"), "");
	cr_assert_str_eq(mj_str(b3, "status"), "Available");
	/* Index 0 is taken by a: asking for it is refused. */
	m = fx_begin(&fx);
	struct vswitch_modify_req taken = {
	    .vsw_id = mj_str(b, "id"), .enable_ipv6 = -1, .ipv6_index = 0};
	cr_assert_eq(vswitch_modify(m, &taken), -1);
	assert_err(m, "InvalidCidrBlock.Overlapped");
	fx_abort(&fx);
	/* A VPC without IPv6 cannot give its vSwitches any. */
	json_t *no6 = mk_vpc("10.0.0.0/16", false, false);
	json_t *c = mk_vsw(mj_str(no6, "id"), "10.0.1.0/24", -1);
	m = fx_begin(&fx);
	struct vswitch_modify_req en = {
	    .vsw_id = mj_str(c, "id"), .enable_ipv6 = 1, .ipv6_index = -1};
	cr_assert_eq(vswitch_modify(m, &en), -1);
	assert_err(m, "OperationDenied.VpcIpv6NotEnabled");
	fx_abort(&fx);
	json_decref(eni);
	json_decref(a);
	json_decref(b);
	json_decref(b2);
	json_decref(b3);
	json_decref(c);
	json_decref(no6);
	json_decref(vpc);
}

Test(vswitch, g6_delete_needs_available_then_goes)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	json_t *v = NULL;
	cr_assert_eq(try_vsw(mj_str(vpc, "id"), "cn-hangzhou-a", "10.0.1.0/24", -1, &v), 0);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vswitch_delete(m, mj_str(v, "id")), -1);
	assert_err(m, "IncorrectVSwitchStatus");
	cr_assert_null(vswitch_need_available(m, mj_str(v, "id")));
	assert_err(m, "IncorrectVSwitchStatus");
	fx_abort(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	json_t *ok = vswitch_need_available(m, mj_str(v, "id"));
	cr_assert_not_null(ok);
	json_decref(ok);
	cr_assert_eq(vswitch_delete(m, mj_str(v, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *d = reload(mj_str(v, "id"));
	cr_assert_str_eq(mj_str(d, "status"), "Pending", "deleting shows Pending (G-6)");
	m = fx_begin(&fx);
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), -1);
	assert_err(m, "DependencyViolation.VSwitch");
	fx_abort(&fx);
	fx_settle_all(&fx);
	cr_assert_null(reload(mj_str(v, "id")));
	m = fx_begin(&fx);
	cr_assert_eq(vswitch_delete(m, mj_str(v, "id")), -1);
	assert_err(m, "InvalidVSwitchId.NotFound");
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_decref(d);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, delete_refused_while_used)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	const char *vid = mj_str(v, "id");
	/* An ENI in it. */
	struct model *m = fx_begin(&fx);
	json_t *eni = stand_in(m, "eni", "Available", mj_str(vpc, "id"), vid);
	cr_assert_eq(vswitch_delete(m, vid), -1);
	assert_err(m, "DependencyViolation");
	fx_abort(&fx);
	/* An instance in it. */
	m = fx_begin(&fx);
	json_t *inst = stand_in(m, "i", "Running", mj_str(vpc, "id"), vid);
	cr_assert_eq(vswitch_delete(m, vid), -1);
	assert_err(m, "DependencyViolation");
	fx_abort(&fx);
	/* An address held by anything (a classic-link peer, say). */
	m = fx_begin(&fx);
	json_t *holder = stand_in(m, "i", "Running", "", "");
	char ip[NETADDR_STRLEN];
	cr_assert_eq(vswitch_claim_ip(m, v, NULL, mj_str(holder, "id"), ip), 0);
	cr_assert_eq(vswitch_delete(m, vid), -1);
	assert_err(m, "DependencyViolation");
	cr_assert_eq(vswitch_release_ip(m, v, ip), 0);
	cr_assert_eq(vswitch_delete(m, vid), 0, "%s", merr_message(&m->err));
	fx_abort(&fx);
	json_decref(holder);
	json_decref(inst);
	json_decref(eni);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, g1_other_account_sees_nothing)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	fx_as(&fx, fx.other);
	struct model *m = fx_begin(&fx);
	cr_assert_null(vswitch_need_available(m, mj_str(v, "id")));
	assert_err(m, "InvalidVSwitchId.NotFound");
	cr_assert_eq(vswitch_delete(m, mj_str(v, "id")), -1);
	assert_err(m, "InvalidVSwitchId.NotFound");
	struct vswitch_modify_req q = {
	    .vsw_id = mj_str(v, "id"), .name = "mine", .enable_ipv6 = -1, .ipv6_index = -1};
	cr_assert_eq(vswitch_modify(m, &q), -1);
	assert_err(m, "InvalidVSwitchId.NotFound");
	struct vswitch_create_req c = {.vpc_id = mj_str(vpc, "id"),
				       .zone_id = "cn-hangzhou-a",
				       .cidr = "10.0.2.0/24",
				       .ipv6_index = -1};
	cr_assert_eq(vswitch_create(m, &c, NULL), -1);
	assert_err(m, "InvalidVpcId.NotFound");
	json_t *list = m_list(m, "vsw", NULL, NULL);
	cr_assert_eq(json_array_size(list), 0);
	json_decref(list);
	/* The other account's own VPC may reuse the CIDR. */
	struct vpc_create_req vq = {.cidr = "10.0.0.0/16"};
	json_t *ovpc = NULL;
	cr_assert_eq(vpc_create(m, &vq, &ovpc), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	json_t *ov = mk_vsw(mj_str(ovpc, "id"), "10.0.1.0/24", -1);
	cr_assert_not_null(ov);
	json_decref(ov);
	json_decref(ovpc);
	json_decref(v);
	json_decref(vpc);
}

Test(vswitch, g1_ids_of_another_kind_name_nothing)
{
	json_t *vpc = mk_vpc("10.0.0.0/16", false, false);
	json_t *v = mk_vsw(mj_str(vpc, "id"), "10.0.1.0/24", -1);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vswitch_delete(m, mj_str(vpc, "id")), -1);
	assert_err(m, "InvalidVSwitchId.NotFound");
	cr_assert_null(vswitch_need_available(m, mj_str(vpc, "id")));
	assert_err(m, "InvalidVSwitchId.NotFound");
	struct vswitch_modify_req mq = {
	    .vsw_id = mj_str(vpc, "id"), .name = "x1", .enable_ipv6 = -1, .ipv6_index = -1};
	cr_assert_eq(vswitch_modify(m, &mq), -1);
	assert_err(m, "InvalidVSwitchId.NotFound");
	struct vswitch_create_req q = {.vpc_id = mj_str(v, "id"),
				       .zone_id = "cn-hangzhou-a",
				       .cidr = "10.0.2.0/24",
				       .ipv6_index = -1};
	cr_assert_eq(vswitch_create(m, &q, NULL), -1);
	assert_err(m, "InvalidVpcId.NotFound");
	fx_abort(&fx);
	json_t *still = reload(mj_str(vpc, "id"));
	cr_assert_str_eq(mj_str(still, "status"), "Available");
	json_decref(still);
	json_decref(v);
	json_decref(vpc);
}
