/*
 * Model tests of IPv6 gateways and IPv6 internet bandwidth (NET-15, G-1,
 * G-5, G-6).
 *
 * ENIs are the ENI area's resources; these tests write stand-in ENI
 * documents with the fields ipv6gw.c reads (vpc_id, vswitch_id, type,
 * instance_id, ipv6s), as AssignIpv6Addresses would leave them.
 */
#include "fixture.h"
#include "model/ipv6gw.h"
#include "model/vpc.h"

TestSuite(ipv6gw, .init = fx_setup, .fini = fx_teardown);

static json_t *make_vpc(bool v6)
{
	struct model *m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = "10.0.0.0/16", .enable_ipv6 = v6};
	json_t *vpc = NULL;
	cr_assert_eq(vpc_create(m, &q, &vpc), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	fx_settle_all(&fx);
	return vpc;
}

/* A stand-in ENI of the VPC holding the given IPv6 addresses (NULL-terminated). */
static json_t *make_eni(const json_t *vpc, const char *type, const char *instance_id,
			const char *const *v6)
{
	struct model *m = fx_begin(&fx);
	json_t *eni = model_new_resource(m, "eni", "InUse");
	mj_set_str(eni, "type", type);
	mj_set_str(eni, "vpc_id", mj_str(vpc, "id"));
	mj_set_str(eni, "vswitch_id", "vsw-v6test00000000000000");
	mj_set_str(eni, "instance_id", instance_id);
	json_t *arr = json_array();
	for (size_t i = 0; v6 && v6[i]; i++)
		json_array_append_new(arr, json_string(v6[i]));
	json_object_set_new(eni, "ipv6s", arr);
	cr_assert_eq(m_create(m, eni), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	return eni;
}

/* An address inside the VPC's /56. */
static void v6_addr(const json_t *vpc, unsigned host, char *buf)
{
	struct netprefix p;
	cr_assert(netprefix_parse(mj_str(vpc, "ipv6_cidr"), &p));
	struct netaddr a = netprefix_first(&p);
	cr_assert(netaddr_add(&a, host, &a));
	netaddr_format(&a, buf);
}

static json_t *make_gw(const json_t *vpc, bool settle)
{
	struct model *m = fx_begin(&fx);
	struct ipv6gw_create_req q = {.vpc_id = mj_str(vpc, "id"), .name = "gw1"};
	json_t *gw = NULL;
	cr_assert_eq(ipv6gw_create(m, &q, &gw), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	if (settle)
		fx_settle_all(&fx);
	return gw;
}

static json_t *reload(const char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *o = m_get(m, id);
	fx_abort(&fx);
	return o;
}

static json_t *list_addresses(void)
{
	struct model *m = fx_begin(&fx);
	json_t *all = ipv6_list_addresses(m);
	cr_assert_not_null(all, "%s", merr_message(&m->err));
	fx_abort(&fx);
	return all;
}

static char *addr_id(const json_t *vpc, const char *addr, char *buf)
{
	cr_assert_not_null(ipv6_address_id(mj_str(vpc, "id"), addr, buf));
	return buf;
}

static int bw_alloc(const char *address_id, const char *gw_id, int64_t bw, const char *charge,
		    json_t **out, char *code)
{
	struct model *m = fx_begin(&fx);
	struct ipv6bw_req q = {address_id, gw_id, bw, charge};
	int rc = ipv6bw_allocate(m, &q, out);
	if (rc == 0) {
		fx_commit(&fx);
	} else {
		snprintf(code, 96, "%s", merr_wire(m->err.code));
		fx_abort(&fx);
	}
	return rc;
}

/* --- gateways ------------------------------------------------------------------- */

Test(ipv6gw, net15_gateway_pending_then_available)
{
	json_t *vpc = make_vpc(true);
	json_t *gw = make_gw(vpc, false);
	cr_assert(strncmp(mj_str(gw, "id"), "ipv6gw-", 7) == 0);
	cr_assert_str_eq(mj_str(gw, "status"), "Pending"); /* G-6 */
	cr_assert_str_eq(mj_str(gw, "vpc_id"), mj_str(vpc, "id"));
	cr_assert_str_eq(mj_str(gw, "name"), "gw1");
	fx_settle_all(&fx);
	json_t *again = reload(mj_str(gw, "id"));
	cr_assert_str_eq(mj_str(again, "status"), "Available");
	struct model *m = fx_begin(&fx);
	json_t *of = ipv6gw_of_vpc(m, mj_str(vpc, "id"));
	fx_abort(&fx);
	cr_assert_str_eq(mj_str(of, "id"), mj_str(gw, "id"));
	json_decref(of);
	json_decref(again);
	json_decref(gw);
	json_decref(vpc);
}

Test(ipv6gw, net15_gateway_needs_an_ipv6_vpc)
{
	json_t *v4 = make_vpc(false);
	struct model *m = fx_begin(&fx);
	struct ipv6gw_create_req q = {.vpc_id = mj_str(v4, "id")};
	cr_assert_eq(ipv6gw_create(m, &q, NULL), -1);
	fx_assert_err(m, "OperationDenied.VpcIpv6NotEnabled");
	fx_abort(&fx);
	q.vpc_id = "vpc-doesnotexist00000000";
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidVpcId.NotFound");
	fx_abort(&fx);
	/* A VPC still Pending takes no gateway yet. */
	m = fx_begin(&fx);
	struct vpc_create_req vq = {.enable_ipv6 = true};
	json_t *pending = NULL;
	cr_assert_eq(vpc_create(m, &vq, &pending), 0);
	fx_commit(&fx);
	q.vpc_id = mj_str(pending, "id");
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_create(m, &q, NULL), -1);
	fx_assert_err(m, "IncorrectVpcStatus");
	fx_abort(&fx);
	/* Enabling IPv6 later opens the way. */
	m = fx_begin(&fx);
	struct vpc_modify_req mq = {.vpc_id = mj_str(v4, "id"), .enable_ipv6 = 1};
	cr_assert_eq(vpc_modify(m, &mq), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *gw = make_gw(v4, true);
	json_decref(gw);
	json_decref(pending);
	json_decref(v4);
}

Test(ipv6gw, net15_one_gateway_per_vpc)
{
	json_t *vpc = make_vpc(true);
	json_t *gw = make_gw(vpc, false);
	struct model *m = fx_begin(&fx);
	struct ipv6gw_create_req q = {.vpc_id = mj_str(vpc, "id")};
	cr_assert_eq(ipv6gw_create(m, &q, NULL), -1, "even while the first is Pending");
	fx_assert_err(m, "QuotaExceeded.Ipv6Gateway");
	fx_abort(&fx);
	/* Another VPC gets its own. */
	json_t *vpc2 = make_vpc(true);
	json_t *gw2 = make_gw(vpc2, true);
	json_decref(gw2);
	json_decref(vpc2);
	json_decref(gw);
	json_decref(vpc);
}

Test(ipv6gw, net15_gateway_name_and_description_rules)
{
	json_t *vpc = make_vpc(true);
	struct model *m = fx_begin(&fx);
	struct ipv6gw_create_req q = {.vpc_id = mj_str(vpc, "id"), .name = "http://gw"};
	cr_assert_eq(ipv6gw_create(m, &q, NULL), -1);
	fx_assert_err(m, "IllegalParam.Name");
	fx_abort(&fx);
	q.name = NULL;
	q.description = "https://desc";
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_create(m, &q, NULL), -1);
	fx_assert_err(m, "IllegalParam.Description");
	fx_abort(&fx);
	json_t *gw = make_gw(vpc, true);
	const char *id = mj_str(gw, "id");
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_modify(m, id, "renamed", "a gateway"), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_modify(m, id, "9starts-with-digit", NULL), -1);
	fx_assert_err(m, "IllegalParam.Name");
	fx_abort(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_modify(m, id, NULL, "x"), -1, "descriptions are 2..256");
	fx_assert_err(m, "IllegalParam.Description");
	fx_abort(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_modify(m, "ipv6gw-doesnotexist0000000", "n1", NULL), -1);
	fx_assert_err(m, "ResourceNotFound.Ipv6Gateway");
	cr_assert_eq(ipv6gw_modify(m, mj_str(vpc, "id"), "n1", NULL), -1, "a VPC is no gateway");
	fx_assert_err(m, "ResourceNotFound.Ipv6Gateway");
	fx_abort(&fx);
	json_t *again = reload(id);
	cr_assert_str_eq(mj_str(again, "name"), "renamed");
	cr_assert_str_eq(mj_str(again, "description"), "a gateway");
	json_decref(again);
	json_decref(gw);
	json_decref(vpc);
}

Test(ipv6gw, net15_gateway_delete_and_vpc_dependency)
{
	json_t *vpc = make_vpc(true);
	json_t *gw = make_gw(vpc, false);
	const char *id = mj_str(gw, "id");
	struct model *m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, id), -1, "Pending: not yet");
	fx_assert_err(m, "IncorrectStatus.Ipv6Gateway");
	fx_abort(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), -1);
	fx_assert_err(m, "DependencyViolation.Ipv6Gateway");
	fx_abort(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, id), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *d = reload(id);
	cr_assert_str_eq(mj_str(d, "status"), "Deleting"); /* G-6 */
	json_decref(d);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, id), -1);
	fx_assert_err(m, "IncorrectStatus.Ipv6Gateway");
	fx_abort(&fx);
	fx_settle_all(&fx);
	cr_assert_null(reload(id));
	m = fx_begin(&fx);
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_decref(gw);
	json_decref(vpc);
}

/* --- address ids ---------------------------------------------------------------- */

Test(ipv6gw, net15_address_ids_are_stable_and_distinct)
{
	char a[RANDID_MAX], b[RANDID_MAX], c[RANDID_MAX], d[RANDID_MAX];
	cr_assert_not_null(ipv6_address_id("vpc-a", "2001:db8::1", a));
	cr_assert_not_null(ipv6_address_id("vpc-a", "2001:0DB8:0:0::0001", b));
	cr_assert_str_eq(a, b, "one address, whatever its spelling, has one id");
	cr_assert_not_null(ipv6_address_id("vpc-b", "2001:db8::1", c));
	cr_assert_str_neq(a, c, "the id belongs to the VPC's address");
	cr_assert_not_null(ipv6_address_id("vpc-a", "2001:db8::2", d));
	cr_assert_str_neq(a, d);
	cr_assert_eq(strlen(a), 5 + 20);
	cr_assert(strncmp(a, "ipv6-", 5) == 0);
	char kind[16];
	cr_assert(model_id_kind(a, kind), "a valid resource id (G-3)");
	cr_assert_str_eq(kind, "ipv6");
	cr_assert_null(ipv6_address_id("vpc-a", "10.0.0.1", a), "IPv4 is no IPv6 address");
	cr_assert_null(ipv6_address_id("vpc-a", NULL, a));
	/* 4096 addresses of one VPC: no two share an id. */
	json_t *seen = json_object();
	for (unsigned i = 0; i < 4096; i++) {
		char txt[64], id[RANDID_MAX];
		snprintf(txt, sizeof(txt), "2001:db8:0:1::%x", i);
		ipv6_address_id("vpc-a", txt, id);
		cr_assert_null(json_object_get(seen, id), "collision at %s", txt);
		json_object_set_new(seen, id, json_true());
	}
	json_decref(seen);
}

/* --- addresses and internet bandwidth ------------------------------------------ */

Test(ipv6gw, net15_addresses_start_vpc_internal)
{
	json_t *vpc = make_vpc(true);
	char x[NETADDR_STRLEN], y[NETADDR_STRLEN], id[RANDID_MAX];
	v6_addr(vpc, 0x10, x);
	v6_addr(vpc, 0x11, y);
	const char *both[] = {x, y, NULL};
	json_t *eni = make_eni(vpc, "Primary", "i-v6test000000000000000", both);
	json_t *all = list_addresses();
	cr_assert_eq(json_array_size(all), 2);
	json_t *o = json_array_get(all, 0);
	cr_assert_str_eq(mj_str(o, "address"), x);
	cr_assert_str_eq(mj_str(o, "id"), addr_id(vpc, x, id));
	cr_assert_str_eq(mj_str(o, "vpc_id"), mj_str(vpc, "id"));
	cr_assert_str_eq(mj_str(o, "vswitch_id"), "vsw-v6test00000000000000");
	cr_assert_str_eq(mj_str(o, "eni_id"), mj_str(eni, "id"));
	cr_assert_str_eq(mj_str(o, "eni_type"), "Primary");
	cr_assert_str_eq(mj_str(o, "instance_id"), "i-v6test000000000000000");
	cr_assert_str_eq(mj_str(o, "ipv6gw_id"), "", "no gateway yet");
	cr_assert_null(json_object_get(o, "bw"), "NET-15: no internet bandwidth at first");
	json_decref(all);
	json_t *gw = make_gw(vpc, true);
	all = list_addresses();
	cr_assert_str_eq(mj_str(json_array_get(all, 1), "ipv6gw_id"), mj_str(gw, "id"));
	cr_assert_null(json_object_get(json_array_get(all, 1), "bw"),
		       "a gateway alone opens nothing");
	json_decref(all);
	json_decref(gw);
	json_decref(eni);
	json_decref(vpc);
}

Test(ipv6gw, net15_internet_bandwidth_needs_a_gateway)
{
	json_t *vpc = make_vpc(true);
	char x[NETADDR_STRLEN], id[RANDID_MAX], code[96];
	v6_addr(vpc, 0x20, x);
	const char *one[] = {x, NULL};
	json_t *eni = make_eni(vpc, "Secondary", "", one);
	addr_id(vpc, x, id);
	cr_assert_eq(bw_alloc(id, NULL, 10, NULL, NULL, code), -1);
	cr_assert_str_eq(code, "OperationFailed.Ipv6GatewayNotExist");
	json_t *gw = make_gw(vpc, false);
	cr_assert_eq(bw_alloc(id, NULL, 10, NULL, NULL, code), -1);
	cr_assert_str_eq(code, "IncorrectStatus.Ipv6Gateway", "the gateway is still Pending");
	fx_settle_all(&fx);
	json_t *bw = NULL;
	cr_assert_eq(bw_alloc(id, mj_str(gw, "id"), 10, "PayByTraffic", &bw, code), 0, "%s", code);
	cr_assert_str_eq(mj_str(bw, "id"), id);
	cr_assert(strncmp(mj_str(bw, "bandwidth_id"), "ipv6bw-", 7) == 0);
	cr_assert_eq(mj_int(bw, "bandwidth"), 10);
	cr_assert_str_eq(mj_str(bw, "internet_charge"), "PayByTraffic");
	json_t *all = list_addresses();
	json_t *listed = json_object_get(json_array_get(all, 0), "bw");
	cr_assert_not_null(listed, "the address now reaches the internet");
	cr_assert_str_eq(mj_str(listed, "bandwidth_id"), mj_str(bw, "bandwidth_id"));
	json_decref(all);
	cr_assert_eq(bw_alloc(id, NULL, 10, NULL, NULL, code), -1, "one bandwidth per address");
	cr_assert_str_eq(code, "OperationFailed.InternetBandwidthAlreadyExisted");
	json_decref(bw);
	json_decref(gw);
	json_decref(eni);
	json_decref(vpc);
}

Test(ipv6gw, net15_allocate_bandwidth_refusals)
{
	json_t *vpc = make_vpc(true), *vpc2 = make_vpc(true);
	char x[NETADDR_STRLEN], id[RANDID_MAX], code[96];
	v6_addr(vpc, 0x30, x);
	const char *one[] = {x, NULL};
	json_t *eni = make_eni(vpc, "Primary", "i-v6test000000000000000", one);
	json_t *gw = make_gw(vpc, true), *gw2 = make_gw(vpc2, true);
	addr_id(vpc, x, id);
	static const struct {
		int64_t bw;
		const char *charge, *code;
	} bad[] = {
	    {0, NULL, "IllegalParam.Bandwidth"},
	    {IPV6BW_MAX_BY_BANDWIDTH + 1, "PayByBandwidth", "IllegalParam.Bandwidth"},
	    {IPV6BW_MAX_BY_TRAFFIC + 1, "PayByTraffic", "IllegalParam.Bandwidth"},
	    {10, "PayByOld95", "IllegalParam.InternetChargeType"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(bw_alloc(id, NULL, bad[i].bw, bad[i].charge, NULL, code), -1);
		cr_assert_str_eq(code, bad[i].code);
	}
	cr_assert_eq(bw_alloc(id, mj_str(gw2, "id"), 10, NULL, NULL, code), -1);
	cr_assert_str_eq(code, "OperationFailed.Ipv6GatewayDisMatchIpv6Address");
	cr_assert_eq(bw_alloc(id, "ipv6gw-doesnotexist00000000", 10, NULL, NULL, code), -1);
	cr_assert_str_eq(code, "ResourceNotFound.Ipv6Gateway");
	cr_assert_eq(bw_alloc("ipv6-doesnotexist0000000000", NULL, 10, NULL, NULL, code), -1);
	cr_assert_str_eq(code, "ResourceNotFound.Ipv6Address");
	/* Nothing was written by the refusals; the limits themselves pass. */
	json_t *all = list_addresses();
	cr_assert_null(json_object_get(json_array_get(all, 0), "bw"));
	json_decref(all);
	cr_assert_eq(bw_alloc(id, NULL, IPV6BW_MAX_BY_BANDWIDTH, NULL, NULL, code), 0, "%s", code);
	json_decref(gw);
	json_decref(gw2);
	json_decref(eni);
	json_decref(vpc);
	json_decref(vpc2);
}

Test(ipv6gw, net15_modify_and_delete_bandwidth_by_either_id)
{
	json_t *vpc = make_vpc(true);
	char x[NETADDR_STRLEN], y[NETADDR_STRLEN], idx[RANDID_MAX], idy[RANDID_MAX], code[96];
	v6_addr(vpc, 0x40, x);
	v6_addr(vpc, 0x41, y);
	const char *both[] = {x, y, NULL};
	json_t *eni = make_eni(vpc, "Primary", "i-v6test000000000000000", both);
	json_t *gw = make_gw(vpc, true);
	json_t *bx = NULL, *by = NULL;
	cr_assert_eq(bw_alloc(addr_id(vpc, x, idx), NULL, 5, "PayByTraffic", &bx, code), 0);
	cr_assert_eq(bw_alloc(addr_id(vpc, y, idy), NULL, 5, NULL, &by, code), 0);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(ipv6bw_modify(m, idx, NULL, 50), 0, "%s", merr_message(&m->err));
	cr_assert_eq(ipv6bw_modify(m, NULL, mj_str(by, "bandwidth_id"), 1500), 0, "%s",
		     merr_message(&m->err));
	fx_commit(&fx);
	json_t *sx = reload(idx), *sy = reload(idy);
	cr_assert_eq(mj_int(sx, "bandwidth"), 50);
	cr_assert_eq(mj_int(sy, "bandwidth"), 1500);
	json_decref(sx);
	json_decref(sy);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6bw_modify(m, idx, NULL, 1500), -1, "PayByTraffic stops at 1000");
	fx_assert_err(m, "IllegalParam.Bandwidth");
	cr_assert_eq(ipv6bw_modify(m, NULL, NULL, 5), -1);
	fx_assert_err(m, "MissingParam.Ipv6InstanceId");
	cr_assert_eq(ipv6bw_modify(m, NULL, "ipv6bw-doesnotexist000000000", 5), -1);
	fx_assert_err(m, "InvalidIpv6Instance.NotFound");
	cr_assert_eq(ipv6bw_modify(m, idx, mj_str(by, "bandwidth_id"), 5), -1,
		     "the two ids must name one bandwidth");
	fx_assert_err(m, "InvalidIpv6Instance.NotFound");
	cr_assert_eq(ipv6bw_delete(m, mj_str(vpc, "id"), NULL), -1);
	fx_assert_err(m, "InvalidIpv6Instance.NotFound");
	fx_abort(&fx);
	/* The gateway cannot go while bandwidth rides on it. */
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, mj_str(gw, "id")), -1);
	fx_assert_err(m, "DependencyViolation.Ipv6InternetBandwidth");
	fx_abort(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6bw_delete(m, NULL, mj_str(bx, "bandwidth_id")), 0, "%s",
		     merr_message(&m->err));
	cr_assert_eq(ipv6bw_delete(m, idy, NULL), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6bw_delete(m, idy, NULL), -1, "already gone");
	fx_assert_err(m, "InvalidIpv6Instance.NotFound");
	fx_abort(&fx);
	json_t *all = list_addresses();
	cr_assert_null(json_object_get(json_array_get(all, 0), "bw"));
	cr_assert_null(json_object_get(json_array_get(all, 1), "bw"));
	json_decref(all);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, mj_str(gw, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_decref(bx);
	json_decref(by);
	json_decref(gw);
	json_decref(eni);
	json_decref(vpc);
}

Test(ipv6gw, net15_bandwidth_never_passes_to_a_later_holder)
{
	json_t *vpc = make_vpc(true);
	char x[NETADDR_STRLEN], id[RANDID_MAX], code[96];
	v6_addr(vpc, 0x50, x);
	const char *one[] = {x, NULL};
	json_t *e1 = make_eni(vpc, "Primary", "i-v6one00000000000000000", one);
	json_t *gw = make_gw(vpc, true);
	cr_assert_eq(bw_alloc(addr_id(vpc, x, id), NULL, 5, NULL, NULL, code), 0, "%s", code);
	/* The ENI area drops the address without telling this area... */
	struct model *m = fx_begin(&fx);
	json_t *n = m_get(m, mj_str(e1, "id"));
	json_object_set_new(n, "ipv6s", json_array());
	cr_assert_eq(m_put(m, n), 0);
	fx_commit(&fx);
	json_decref(n);
	/* ...and gives it to another ENI: the bandwidth is not inherited. */
	json_t *e2 = make_eni(vpc, "Primary", "i-v6two00000000000000000", one);
	json_t *all = list_addresses();
	cr_assert_eq(json_array_size(all), 1);
	cr_assert_str_eq(mj_str(json_array_get(all, 0), "eni_id"), mj_str(e2, "id"));
	cr_assert_null(json_object_get(json_array_get(all, 0), "bw"), "stale bandwidth is ignored");
	json_decref(all);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6bw_delete(m, id, NULL), -1, "a stale bandwidth does not exist");
	fx_assert_err(m, "InvalidIpv6Instance.NotFound");
	fx_abort(&fx);
	/* The new holder opens its own; the gateway still refuses to go. */
	json_t *fresh = NULL;
	cr_assert_eq(bw_alloc(id, NULL, 7, NULL, &fresh, code), 0, "%s", code);
	cr_assert_str_eq(mj_str(fresh, "eni_id"), mj_str(e2, "id"));
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, mj_str(gw, "id")), -1);
	fx_assert_err(m, "DependencyViolation.Ipv6InternetBandwidth");
	fx_abort(&fx);
	/* The ENI area's hook drops it; then the gateway goes. */
	m = fx_begin(&fx);
	cr_assert_eq(ipv6_address_released(m, fx.owner, mj_str(vpc, "id"), x), 0);
	cr_assert_eq(ipv6_address_released(m, fx.owner, mj_str(vpc, "id"), x), 0, "idempotent");
	fx_commit(&fx);
	cr_assert_null(reload(id));
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, mj_str(gw, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	fx_settle_all(&fx);
	json_decref(fresh);
	json_decref(gw);
	json_decref(e1);
	json_decref(e2);
	json_decref(vpc);
}

Test(ipv6gw, net15_gateway_delete_drops_stale_bandwidth)
{
	json_t *vpc = make_vpc(true);
	char x[NETADDR_STRLEN], id[RANDID_MAX], code[96];
	v6_addr(vpc, 0x60, x);
	const char *one[] = {x, NULL};
	json_t *eni = make_eni(vpc, "Secondary", "", one);
	json_t *gw = make_gw(vpc, true);
	cr_assert_eq(bw_alloc(addr_id(vpc, x, id), NULL, 5, NULL, NULL, code), 0, "%s", code);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(m_del(m, eni), 0, "the ENI goes away without the hook");
	fx_commit(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, mj_str(gw, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	cr_assert_null(reload(id), "the stale document went with the gateway");
	fx_settle_all(&fx);
	cr_assert_null(reload(mj_str(gw, "id")));
	json_decref(gw);
	json_decref(eni);
	json_decref(vpc);
}

/* --- Tenancy (G-1) ---------------------------------------------------------------- */

Test(ipv6gw, g1_another_accounts_gateways_and_addresses_do_not_exist)
{
	json_t *vpc = make_vpc(true);
	char x[NETADDR_STRLEN], id[RANDID_MAX], code[96];
	v6_addr(vpc, 0x70, x);
	const char *one[] = {x, NULL};
	json_t *eni = make_eni(vpc, "Primary", "i-v6test000000000000000", one);
	json_t *gw = make_gw(vpc, true);
	cr_assert_eq(bw_alloc(addr_id(vpc, x, id), NULL, 5, NULL, NULL, code), 0, "%s", code);
	fx_as(&fx, fx.other);
	json_t *all = list_addresses();
	cr_assert_eq(json_array_size(all), 0, "Bob sees none of Alice's addresses");
	json_decref(all);
	cr_assert_eq(bw_alloc(id, NULL, 5, NULL, NULL, code), -1);
	cr_assert_str_eq(code, "ResourceNotFound.Ipv6Address");
	struct model *m = fx_begin(&fx);
	cr_assert_eq(ipv6gw_delete(m, mj_str(gw, "id")), -1);
	fx_assert_err(m, "ResourceNotFound.Ipv6Gateway");
	cr_assert_eq(ipv6gw_modify(m, mj_str(gw, "id"), "mine", NULL), -1);
	fx_assert_err(m, "ResourceNotFound.Ipv6Gateway");
	cr_assert_eq(ipv6bw_delete(m, id, NULL), -1);
	fx_assert_err(m, "InvalidIpv6Instance.NotFound");
	cr_assert_eq(ipv6bw_modify(m, id, NULL, 9), -1);
	fx_assert_err(m, "InvalidIpv6Instance.NotFound");
	struct ipv6gw_create_req q = {.vpc_id = mj_str(vpc, "id")};
	cr_assert_eq(ipv6gw_create(m, &q, NULL), -1, "Alice's VPC does not exist for Bob");
	fx_assert_err(m, "InvalidVpcId.NotFound");
	fx_abort(&fx);
	fx_as(&fx, fx.owner);
	json_t *still = reload(id);
	cr_assert_eq(mj_int(still, "bandwidth"), 5);
	json_decref(still);
	json_decref(gw);
	json_decref(eni);
	json_decref(vpc);
}
