/*
 * Model tests of security groups: groups (NET-25), rules and their
 * validation (NET-25, NET-15), membership (NET-22, NET-23), policy
 * evaluation (NET-13, NET-25) and tenancy (G-1, G-5).
 *
 * ENIs and instances are other areas' work: member NICs here are stand-in
 * documents of kind "eni" (security_group_ids, primary_ip, private_ips,
 * vpc_id) and kind "i" with network "classic" (private_ip), written with
 * model_new_resource + m_create, as the data plane would find them.
 */
#include "fixture.h"
#include "model/secgroup.h"
#include "model/vpc.h"

TestSuite(sg, .init = fx_setup, .fini = fx_teardown);

#define ID_MAX RANDID_MAX

/* --- helpers --------------------------------------------------------------- */

static void make_vpc(const char *cidr, char *id)
{
	struct model *m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = cidr};
	json_t *vpc = NULL;
	cr_assert_eq(vpc_create(m, &q, &vpc), 0, "%s", merr_message(&m->err));
	snprintf(id, ID_MAX, "%s", mj_str(vpc, "id"));
	json_decref(vpc);
	fx_commit(&fx);
}

static void make_sg_typed(const char *vpc_id, const char *type, char *id)
{
	struct model *m = fx_begin(&fx);
	struct sg_create_req q = {.vpc_id = vpc_id, .type = type, .name = "web"};
	json_t *sg = NULL;
	cr_assert_eq(sg_create(m, &q, &sg), 0, "%s", merr_message(&m->err));
	snprintf(id, ID_MAX, "%s", mj_str(sg, "id"));
	json_decref(sg);
	fx_commit(&fx);
}

static void make_sg(const char *vpc_id, char *id)
{
	make_sg_typed(vpc_id, NULL, id);
}

/* A stand-in ENI of the acting account in vpc_id with the given groups. */
static void make_eni(const char *vpc_id, const char *ip, const char *const *secondary, size_t n_sec,
		     const char *const *sgs, size_t n_sg, char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *eni = model_new_resource(m, "eni", "InUse");
	mj_set_str(eni, "vpc_id", vpc_id);
	mj_set_str(eni, "primary_ip", ip);
	mj_set_str(eni, "instance_id", "");
	json_t *sec = json_array();
	for (size_t i = 0; i < n_sec; i++)
		json_array_append_new(sec, json_string(secondary[i]));
	json_object_set_new(eni, "private_ips", sec);
	json_t *g = json_array();
	for (size_t i = 0; i < n_sg; i++)
		json_array_append_new(g, json_string(sgs[i]));
	json_object_set_new(eni, "security_group_ids", g);
	cr_assert_eq(m_create(m, eni), 0);
	snprintf(id, ID_MAX, "%s", mj_str(eni, "id"));
	json_decref(eni);
	fx_commit(&fx);
}

/* A stand-in classic instance of the acting account in group sg_id. */
static void make_classic(const char *ip, const char *sg_id, char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *i = model_new_resource(m, "i", "Running");
	mj_set_str(i, "network", "classic");
	mj_set_str(i, "private_ip", ip);
	json_t *g = json_array();
	json_array_append_new(g, json_string(sg_id));
	json_object_set_new(i, "security_group_ids", g);
	cr_assert_eq(m_create(m, i), 0);
	snprintf(id, ID_MAX, "%s", mj_str(i, "id"));
	json_decref(i);
	fx_commit(&fx);
}

static void authorize_ok(const char *sg, bool egress, struct sg_rule_req q)
{
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_authorize(m, sg, egress, &q, 1, NULL), 0, "%s: %s", merr_wire(m->err.code),
		     merr_message(&m->err));
	fx_commit(&fx);
}

static void authorize_fails(const char *sg, bool egress, struct sg_rule_req q, const char *wire)
{
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_authorize(m, sg, egress, &q, 1, NULL), -1, "accepted, expected %s", wire);
	fx_assert_err(m, wire);
	fx_abort(&fx);
}

/* The group as stored (new reference). */
static json_t *get_sg(const char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *sg = m_get(m, id);
	fx_abort(&fx);
	cr_assert_not_null(sg);
	return sg;
}

static size_t rule_count(const char *sg_id)
{
	json_t *sg = get_sg(sg_id);
	size_t n = json_array_size(json_object_get(sg, "rules"));
	json_decref(sg);
	return n;
}

/* The id of rule k of the group, into id. */
static void rule_id(const char *sg_id, size_t k, char *id)
{
	json_t *sg = get_sg(sg_id);
	snprintf(id, ID_MAX, "%s", mj_str(json_array_get(json_object_get(sg, "rules"), k), "id"));
	json_decref(sg);
}

static bool flow(const char *src_nic, const char *src, const char *dst_nic, const char *dst,
		 uint8_t proto, uint16_t dport, char *why)
{
	struct sg_flow f = {
	    .src_nic = src_nic, .dst_nic = dst_nic, .proto = proto, .sport = 40000, .dport = dport};
	cr_assert(netaddr_parse(src, &f.src));
	cr_assert(netaddr_parse(dst, &f.dst));
	struct model *m = fx_begin(&fx);
	bool accept = false;
	cr_assert_eq(sg_evaluate(m, &f, &accept, why, 256), 0, "%s", merr_message(&m->err));
	fx_abort(&fx);
	return accept;
}

#define TCP 6
#define UDP 17
#define ICMP 1

/* --- groups (NET-25) ---------------------------------------------------------- */

Test(sg, net25_create_vpc_group)
{
	char vpc[ID_MAX], sg[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	cr_assert_eq(strncmp(sg, "sg-", 3), 0, "G-3 id prefix");
	json_t *g = get_sg(sg);
	cr_assert_str_eq(mj_str(g, "vpc_id"), vpc);
	cr_assert_str_eq(mj_str(g, "parent"), vpc, "the VPC cannot go while the group is there");
	cr_assert_str_eq(mj_str(g, "type"), "normal");
	cr_assert_str_eq(mj_str(g, "inner_access_policy"), "Accept", "NET-13 default");
	cr_assert_eq(json_array_size(json_object_get(g, "rules")), 0);
	json_decref(g);
}

Test(sg, net25_create_classic_group_without_vpc)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	json_t *g = get_sg(sg);
	cr_assert_str_eq(mj_str(g, "vpc_id"), "");
	cr_assert_null(json_object_get(g, "parent"));
	json_decref(g);
}

Test(sg, net25_vpc_must_exist_and_be_callers)
{
	char vpc[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	struct model *m = fx_begin(&fx);
	struct sg_create_req q = {.vpc_id = "vpc-doesnotexist0000000"};
	cr_assert_eq(sg_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidVpcId.NotFound");
	fx_abort(&fx);
	fx_as(&fx, fx.other); /* G-1: another account's VPC does not exist for us */
	m = fx_begin(&fx);
	q.vpc_id = vpc;
	cr_assert_eq(sg_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidVpcId.NotFound");
	fx_abort(&fx);
}

Test(sg, net23_enterprise_groups)
{
	char vpc[ID_MAX], sg[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg_typed(vpc, "Enterprise", sg);
	json_t *g = get_sg(sg);
	cr_assert_str_eq(mj_str(g, "type"), "enterprise");
	cr_assert_str_eq(mj_str(g, "inner_access_policy"), "Drop", "enterprise isolates members");
	json_decref(g);
	struct model *m = fx_begin(&fx);
	struct sg_create_req q = {.type = "enterprise"};
	cr_assert_eq(sg_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidParams.VpcIdGroupType");
	q = (struct sg_create_req){.vpc_id = vpc, .type = "premium"};
	cr_assert_eq(sg_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidParams.GroupType");
	fx_abort(&fx);
}

Test(sg, g5_create_name_and_description_rules)
{
	struct model *m = fx_begin(&fx);
	struct sg_create_req q = {.name = "1abc"};
	cr_assert_eq(sg_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidSecurityGroupName.Malformed");
	q = (struct sg_create_req){.name = "http://x"};
	cr_assert_eq(sg_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidSecurityGroupName.Malformed");
	q = (struct sg_create_req){.description = "https://x"};
	cr_assert_eq(sg_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidSecurityGroupDiscription.Malformed");
	fx_abort(&fx);
}

Test(sg, quota_security_group_per_region)
{
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "security-group", 2), 0);
	fx_commit(&fx);
	char a[ID_MAX], b[ID_MAX];
	make_sg(NULL, a);
	make_sg(NULL, b);
	m = fx_begin(&fx);
	struct sg_create_req q = {0};
	cr_assert_eq(sg_create(m, &q, NULL), -1);
	fx_assert_err(m, "QuotaExceed.SecurityGroup");
	cr_assert_eq(merr_status(m->err.code), 403);
	fx_abort(&fx);
}

Test(sg, net25_modify_name_description)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_modify(m, sg, "db", "the database tier"), 0);
	fx_commit(&fx);
	json_t *g = get_sg(sg);
	cr_assert_str_eq(mj_str(g, "name"), "db");
	cr_assert_str_eq(mj_str(g, "description"), "the database tier");
	json_decref(g);
	m = fx_begin(&fx);
	cr_assert_eq(sg_modify(m, sg, "-bad", NULL), -1);
	fx_assert_err(m, "InvalidSecurityGroupName.Malformed");
	cr_assert_eq(sg_modify(m, sg, NULL, "x"), -1);
	fx_assert_err(m, "InvalidSecurityGroupDiscription.Malformed");
	fx_abort(&fx);
}

Test(sg, net13_inner_access_policy)
{
	char vpc[ID_MAX], sg[ID_MAX], ent[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	make_sg_typed(vpc, "enterprise", ent);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_set_inner_policy(m, sg, "drop"), 0);
	fx_commit(&fx);
	json_t *g = get_sg(sg);
	cr_assert_str_eq(mj_str(g, "inner_access_policy"), "Drop");
	json_decref(g);
	m = fx_begin(&fx);
	cr_assert_eq(sg_set_inner_policy(m, sg, "Maybe"), -1);
	fx_assert_err(m, "InvalidParameter");
	cr_assert_eq(sg_set_inner_policy(m, ent, "Accept"), -1);
	fx_assert_err(m, "InvalidOperation.NotSupportEnterpriseGroup");
	cr_assert_eq(sg_set_inner_policy(m, ent, "Drop"), 0, "Drop is what it is already");
	fx_abort(&fx);
}

Test(sg, g1_other_account_group_is_not_found)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	fx_as(&fx, fx.other);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_delete(m, sg), -1);
	fx_assert_err(m, "InvalidSecurityGroupId.NotFound");
	cr_assert_eq(sg_modify(m, sg, "x1", NULL), -1);
	fx_assert_err(m, "InvalidSecurityGroupId.NotFound");
	cr_assert_eq(sg_set_inner_policy(m, sg, "Drop"), -1);
	fx_assert_err(m, "InvalidSecurityGroupId.NotFound");
	struct sg_rule_req q = {
	    .protocol = "tcp", .port_range = "22/22", .source_cidr = "0.0.0.0/0"};
	cr_assert_eq(sg_authorize(m, sg, false, &q, 1, NULL), -1);
	fx_assert_err(m, "InvalidSecurityGroupId.NotFound");
	cr_assert_eq(sg_revoke(m, sg, false, &q, 1, NULL, 0), -1);
	fx_assert_err(m, "InvalidSecurityGroupId.NotFound");
	int64_t n;
	cr_assert_eq(sg_private_ip_count(m, sg, &n), -1);
	fx_assert_err(m, "InvalidSecurityGroupId.NotFound");
	fx_abort(&fx);
}

Test(sg, net25_delete_refused_while_members)
{
	char vpc[ID_MAX], sg[ID_MAX], eni[ID_MAX], cl[ID_MAX], csg[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	const char *g[] = {sg};
	make_eni(vpc, "10.0.0.5", NULL, 0, g, 1, eni);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_delete(m, sg), -1);
	fx_assert_err(m, "DependencyViolation");
	cr_assert_eq(merr_status(m->err.code), 403);
	cr_assert(strstr(m->err.msg, eni), "the message names the member: %s", m->err.msg);
	fx_abort(&fx);

	make_sg(NULL, csg);
	make_classic("198.18.0.9", csg, cl);
	m = fx_begin(&fx);
	cr_assert_eq(sg_delete(m, csg), -1);
	fx_assert_err(m, "DependencyViolation");
	fx_abort(&fx);
}

Test(sg, net25_delete_refused_while_referenced)
{
	char vpc[ID_MAX], a[ID_MAX], b[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, a);
	make_sg(vpc, b);
	/* A rule naming its own group does not block its deletion. */
	authorize_ok(a, false, (struct sg_rule_req){.protocol = "all", .group_id = a});
	authorize_ok(b, false, (struct sg_rule_req){.protocol = "all", .group_id = a});
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_delete(m, a), -1);
	fx_assert_err(m, "DependencyViolation");
	cr_assert(strstr(m->err.msg, b), "%s", m->err.msg);
	json_t *ga = m_get(m, a);
	json_t *refs = sg_referencing(m, ga);
	cr_assert_eq(json_array_size(refs), 1);
	cr_assert_str_eq(mj_str(json_array_get(refs, 0), "id"), b);
	json_decref(refs);
	json_decref(ga);
	fx_abort(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(sg_revoke(m, b, false, &(struct sg_rule_req){.protocol = "ALL", .group_id = a},
			       1, NULL, 0),
		     0);
	cr_assert_eq(sg_delete(m, a), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	m = fx_begin(&fx);
	cr_assert_null(m_get(m, a));
	fx_abort(&fx);
}

Test(sg, net25_vpc_delete_waits_for_groups)
{
	char vpc[ID_MAX], sg[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_delete(m, vpc), -1);
	fx_assert_err(m, "DependencyViolation.SecurityGroup");
	cr_assert_eq(sg_delete(m, sg), 0);
	cr_assert_eq(vpc_delete(m, vpc), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
}

/* --- rules (NET-25) ------------------------------------------------------------- */

Test(sg, net25_authorize_stores_normalized_rule)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	authorize_ok(sg, false,
		     (struct sg_rule_req){.protocol = "TcP",
					  .port_range = "22/22",
					  .source_cidr = "10.1.2.3/8",
					  .description = "ssh"});
	json_t *g = get_sg(sg);
	json_t *r = json_array_get(json_object_get(g, "rules"), 0);
	cr_assert_eq(strncmp(mj_str(r, "id"), "sgr-", 4), 0);
	cr_assert_str_eq(mj_str(r, "direction"), "ingress");
	cr_assert_str_eq(mj_str(r, "protocol"), "tcp", "stored lower-case");
	cr_assert_eq(mj_int(r, "port_from"), 22);
	cr_assert_eq(mj_int(r, "port_to"), 22);
	cr_assert_str_eq(mj_str(r, "peer_cidr"), "10.0.0.0/8", "host bits cleared");
	cr_assert_str_eq(mj_str(r, "policy"), "accept", "default policy");
	cr_assert_eq(mj_int(r, "priority"), 1, "default priority");
	cr_assert_str_eq(mj_str(r, "nic_type"), "intranet", "default NIC type");
	cr_assert_str_eq(mj_str(r, "description"), "ssh");
	json_decref(g);

	authorize_ok(sg, true,
		     (struct sg_rule_req){
			 .protocol = "udp", .port_range = "53/53", .dest_cidr = "192.0.2.1"});
	g = get_sg(sg);
	r = json_array_get(json_object_get(g, "rules"), 1);
	cr_assert_str_eq(mj_str(r, "direction"), "egress");
	cr_assert_str_eq(mj_str(r, "peer_cidr"), "192.0.2.1/32", "a bare address is a /32");
	json_decref(g);
}

Test(sg, net25_duplicate_rule_is_success_without_change)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	struct sg_rule_req q = {
	    .protocol = "tcp", .port_range = "80/80", .source_cidr = "0.0.0.0/0"};
	authorize_ok(sg, false, q);
	authorize_ok(sg, false, q);
	q.protocol = "TCP";
	q.priority = "7"; /* priority is not part of what a rule is */
	authorize_ok(sg, false, q);
	cr_assert_eq(rule_count(sg), 1);
	q.policy = "drop";
	authorize_ok(sg, false, q);
	cr_assert_eq(rule_count(sg), 2, "a drop rule is another rule");
	authorize_ok(sg, true,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "80/80", .dest_cidr = "0.0.0.0/0"});
	cr_assert_eq(rule_count(sg), 3, "an egress rule is another rule");

	struct sg_rule_req two[] = {
	    {.protocol = "udp", .port_range = "1/2", .source_cidr = "10.0.0.0/8"},
	    {.protocol = "UDP", .port_range = "1/2", .source_cidr = "10.0.0.0/8"},
	};
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_authorize(m, sg, false, two, 2, NULL), -1);
	fx_assert_err(m, "InvalidParam.DuplicatePermissions");
	fx_abort(&fx);
}

Test(sg, net25_protocols)
{
	char vpc[ID_MAX], sg[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	static const char *const ok[] = {"tcp", "UDP", "Icmp", "ICMPv6", "gre", "ALL"};
	for (size_t i = 0; i < 6; i++) {
		bool ports = i < 2;
		bool v6 = i == 3;
		authorize_ok(sg, false,
			     (struct sg_rule_req){.protocol = ok[i],
						  .port_range = ports ? "1/65535" : "-1/-1",
						  .source_cidr = v6 ? NULL : "0.0.0.0/0",
						  .source_cidr6 = v6 ? "::/0" : NULL});
	}
	cr_assert_eq(rule_count(sg), 6);
	authorize_fails(sg, false,
			(struct sg_rule_req){
			    .protocol = "sctp", .port_range = "1/2", .source_cidr = "0.0.0.0/0"},
			"InvalidIpProtocol.ValueNotSupported");
	authorize_fails(sg, false,
			(struct sg_rule_req){.port_range = "1/2", .source_cidr = "0.0.0.0/0"},
			"MissingParameter");
}

Test(sg, net25_port_ranges)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	static const struct {
		const char *proto, *range, *code;
	} bad[] = {
	    {"tcp", "0/10", "InvalidIpPortRange.Malformed"},
	    {"tcp", "10/5", "InvalidIpPortRange.Malformed"},
	    {"udp", "1/65536", "InvalidIpPortRange.Malformed"},
	    {"tcp", "-1/-1", "InvalidIpPortRange.Malformed"},
	    {"tcp", "22", "InvalidParam.PortRange"},
	    {"tcp", "a/b", "InvalidParam.PortRange"},
	    {"tcp", "22/22/22", "InvalidParam.PortRange"},
	    {"tcp", NULL, "InvalidPortRange.Malformed"},
	    {"icmp", "22/22", "InvalidIpPortRange.Malformed"},
	    {"all", "1/65535", "InvalidIpPortRange.Malformed"},
	    {"gre", "0/0", "InvalidIpPortRange.Malformed"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		authorize_fails(sg, false,
				(struct sg_rule_req){.protocol = bad[i].proto,
						     .port_range = bad[i].range,
						     .source_cidr = "0.0.0.0/0"},
				bad[i].code);
	/* ICMP without PortRange means -1/-1. */
	authorize_ok(sg, false,
		     (struct sg_rule_req){.protocol = "icmp", .source_cidr = "0.0.0.0/0"});
	json_t *g = get_sg(sg);
	cr_assert_eq(mj_int(json_array_get(json_object_get(g, "rules"), 0), "port_from"), -1);
	json_decref(g);
	/* Source ports. */
	authorize_fails(sg, false,
			(struct sg_rule_req){.protocol = "tcp",
					     .port_range = "22/22",
					     .source_port_range = "9/1",
					     .source_cidr = "0.0.0.0/0"},
			"InvalidSourcePortRange.Malformed");
	authorize_fails(sg, false,
			(struct sg_rule_req){.protocol = "icmp",
					     .source_port_range = "1/2",
					     .source_cidr = "0.0.0.0/0"},
			"InvalidSourcePortRange.Malformed");
	authorize_ok(sg, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "22/22",
					  .source_port_range = "1024/65535",
					  .source_cidr = "0.0.0.0/0"});
}

Test(sg, net25_exactly_one_peer)
{
	char vpc[ID_MAX], sg[ID_MAX], other[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	make_sg(vpc, other);
	struct sg_rule_req base = {.protocol = "tcp", .port_range = "22/22"};
	authorize_fails(sg, false, base, "MissingParameter.Source");
	authorize_fails(sg, true, base, "MissingParameter.Dest");
	struct sg_rule_req q = base;
	q.source_cidr = "10.0.0.0/8";
	q.group_id = other;
	authorize_fails(sg, false, q, "InvalidParamter.Conflict");
	q = base;
	q.source_cidr = "10.0.0.0/8";
	q.source_cidr6 = "::/0";
	authorize_fails(sg, false, q, "InvalidParam.SourceIp");
	q = base;
	q.dest_cidr = "10.0.0.0/8";
	q.dest_cidr6 = "::/0";
	authorize_fails(sg, true, q, "InvalidParam.DestIp");
	q = base;
	q.prefix_list_id = "pl-abc";
	authorize_fails(sg, false, q, "InvalidPrefixListId.NotFound");
	q = base;
	q.source_cidr = "10.0.0.0/8";
	q.port_range_list_id = "prl-abc";
	authorize_fails(sg, false, q, "InvalidPortRangeListId.NotFound");
	/* An ingress rule's DestCidrIp narrows it; it is not a peer. */
	q = base;
	q.dest_cidr = "10.0.1.0/24";
	authorize_fails(sg, false, q, "MissingParameter.Source");
	q.source_cidr = "0.0.0.0/0";
	authorize_ok(sg, false, q);
}

Test(sg, net25_cidr_syntax)
{
	char vpc[ID_MAX], sg[ID_MAX], csg[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	make_sg(NULL, csg);
	struct sg_rule_req q = {.protocol = "tcp", .port_range = "22/22"};
	q.source_cidr = "10.0.0.0/33";
	authorize_fails(sg, false, q, "InvalidSourceCidrIp.Malformed");
	q.source_cidr = "::/0";
	authorize_fails(sg, false, q, "InvalidSourceCidrIp.Malformed");
	q = (struct sg_rule_req){.protocol = "tcp", .port_range = "22/22", .dest_cidr = "banana"};
	authorize_fails(sg, true, q, "InvalidDestCidrIp.Malformed");
	q = (struct sg_rule_req){
	    .protocol = "tcp", .port_range = "22/22", .source_cidr6 = "10.0.0.0/8"};
	authorize_fails(sg, false, q, "InvalidParam.Ipv6SourceCidrIp");
	q = (struct sg_rule_req){
	    .protocol = "tcp", .port_range = "22/22", .dest_cidr6 = "2001:db8::/129"};
	authorize_fails(sg, true, q, "InvalidParam.Ipv6DestCidrIp");
	/* NET-15: IPv6 rules exist in VPC groups only. */
	q = (struct sg_rule_req){.protocol = "tcp", .port_range = "22/22", .source_cidr6 = "::/0"};
	authorize_fails(csg, false, q, "InvalidParam.Ipv6SourceCidrIp");
	/* A rule is of one family. */
	q = (struct sg_rule_req){.protocol = "tcp",
				 .port_range = "22/22",
				 .source_cidr6 = "::/0",
				 .dest_cidr = "10.0.0.0/24"};
	authorize_fails(sg, false, q, "InvalidParameter.Conflict");
}

Test(sg, net15_icmp_families)
{
	char vpc[ID_MAX], sg[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	authorize_fails(sg, false, (struct sg_rule_req){.protocol = "icmp", .source_cidr6 = "::/0"},
			"InvalidParam.Ipv4ProtocolConflictWithIpv6Address");
	authorize_fails(sg, false,
			(struct sg_rule_req){.protocol = "icmpv6", .source_cidr = "0.0.0.0/0"},
			"InvalidParam.Ipv6ProtocolConflictWithIpv4Address");
	authorize_ok(sg, false, (struct sg_rule_req){.protocol = "icmpv6", .source_cidr6 = "::/0"});
	json_t *g = get_sg(sg);
	cr_assert_str_eq(mj_str(json_array_get(json_object_get(g, "rules"), 0), "peer_cidr6"),
			 "::/0");
	json_decref(g);
}

Test(sg, net25_policy_priority_nic_type)
{
	char vpc[ID_MAX], sg[ID_MAX], csg[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	make_sg(NULL, csg);
	struct sg_rule_req q = {
	    .protocol = "tcp", .port_range = "22/22", .source_cidr = "0.0.0.0/0"};
	q.policy = "reject";
	authorize_fails(sg, false, q, "InvalidPolicy.Malformed");
	q.policy = "DROP";
	q.priority = "0";
	authorize_fails(sg, false, q, "InvalidPriority.ValueNotSupported");
	q.priority = "101";
	authorize_fails(sg, false, q, "InvalidPriority.ValueNotSupported");
	q.priority = "high";
	authorize_fails(sg, false, q, "InvalidPriority.Malformed");
	q.priority = "100";
	q.nic_type = "wifi";
	authorize_fails(sg, false, q, "InvalidNicType.ValueNotSupported");
	q.nic_type = "internet";
	authorize_fails(sg, false, q, "InvalidNicType.Mismatch");
	authorize_ok(csg, false, q); /* internet NIC rules are for classic groups */
	q.nic_type = "intranet";
	authorize_ok(sg, false, q);
	json_t *g = get_sg(sg);
	json_t *r = json_array_get(json_object_get(g, "rules"), 0);
	cr_assert_str_eq(mj_str(r, "policy"), "drop");
	cr_assert_eq(mj_int(r, "priority"), 100);
	json_decref(g);
	q.description = "https://evil";
	authorize_fails(sg, false, q, "InvalidSecurityGroupDiscription.Malformed");
}

Test(sg, net25_group_peers_vpc)
{
	char vpc[ID_MAX], vpc2[ID_MAX], a[ID_MAX], b[ID_MAX], far[ID_MAX], cl[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_vpc("10.1.0.0/16", vpc2);
	make_sg(vpc, a);
	make_sg(vpc, b);
	make_sg(vpc2, far);
	make_sg(NULL, cl);
	authorize_ok(a, false,
		     (struct sg_rule_req){.protocol = "tcp", .port_range = "22/22", .group_id = b});
	authorize_ok(a, true,
		     (struct sg_rule_req){.protocol = "tcp", .port_range = "22/22", .group_id = b});
	authorize_fails(
	    a, false,
	    (struct sg_rule_req){.protocol = "tcp", .port_range = "22/22", .group_id = far},
	    "InvalidSourceGroupId.Mismatch");
	authorize_fails(
	    a, true,
	    (struct sg_rule_req){.protocol = "tcp", .port_range = "22/22", .group_id = far},
	    "InvalidDestGroupId.Mismatch");
	authorize_fails(a, false,
			(struct sg_rule_req){.protocol = "tcp",
					     .port_range = "22/22",
					     .group_id = "sg-nosuchgroup000000000"},
			"InvalidSourceGroupId.NotFound");
	authorize_fails(a, true,
			(struct sg_rule_req){.protocol = "tcp",
					     .port_range = "22/22",
					     .group_id = "vpc-notagroup0000000000"},
			"InvalidDestGroupId.NotFound");
	/* NET-27: a VPC group may name the account's classic group (ClassicLink). */
	authorize_ok(a, false, (struct sg_rule_req){.protocol = "all", .group_id = cl});
	/* A classic group cannot name a VPC group. */
	authorize_fails(cl, false, (struct sg_rule_req){.protocol = "all", .group_id = a},
			"InvalidNetworkType.Conflict");
	authorize_fails(
	    a, false,
	    (struct sg_rule_req){.protocol = "all", .group_id = b, .nic_type = "internet"},
	    "InvalidNicType.Mismatch");
}

Test(sg, g1_cross_account_group_peers)
{
	char mine[ID_MAX], theirs[ID_MAX], theirs_vpc_sg[ID_MAX], vpc[ID_MAX], owner_txt[24];
	make_sg(NULL, mine);
	fx_as(&fx, fx.other);
	make_sg(NULL, theirs);
	make_vpc("10.9.0.0/16", vpc);
	make_sg(vpc, theirs_vpc_sg);
	fx_as(&fx, fx.owner);
	/* Without the owner, another account's group does not exist (G-1). */
	authorize_fails(mine, false, (struct sg_rule_req){.protocol = "all", .group_id = theirs},
			"InvalidSourceGroupId.NotFound");
	snprintf(owner_txt, sizeof(owner_txt), "%" PRIu64, fx.other);
	authorize_ok(mine, false,
		     (struct sg_rule_req){
			 .protocol = "all", .group_id = theirs, .group_owner_id = owner_txt});
	json_t *g = get_sg(mine);
	json_t *r = json_array_get(json_object_get(g, "rules"), 0);
	cr_assert_eq((uint64_t)mj_int(r, "peer_owner"), fx.other);
	json_decref(g);
	/* By account name too. */
	authorize_ok(mine, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "1/2",
					  .group_id = theirs,
					  .group_owner_account = "bob"});
	authorize_fails(mine, false,
			(struct sg_rule_req){
			    .protocol = "all", .group_id = theirs, .group_owner_account = "nobody"},
			"InvalidSourceGroupId.NotFound");
	authorize_fails(
	    mine, false,
	    (struct sg_rule_req){.protocol = "all", .group_id = theirs, .group_owner_id = "12x"},
	    "InvalidParameter");
	/* Another account's VPC group is not a classic peer, and answers exactly
	 * like a group that does not exist (G-1: no existence oracle). */
	authorize_fails(mine, false,
			(struct sg_rule_req){.protocol = "all",
					     .group_id = theirs_vpc_sg,
					     .group_owner_id = owner_txt},
			"InvalidSourceGroupId.NotFound");
	/* Their group cannot be deleted while our rule names it (invariant 3). */
	fx_as(&fx, fx.other);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_delete(m, theirs), -1);
	fx_assert_err(m, "DependencyViolation");
	fx_abort(&fx);
}

Test(sg, net25_enterprise_rules)
{
	char vpc[ID_MAX], ent[ID_MAX], b[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg_typed(vpc, "enterprise", ent);
	make_sg(vpc, b);
	authorize_fails(ent, false, (struct sg_rule_req){.protocol = "all", .group_id = b},
			"InvalidGroupAuthParameter.OperationDenied");
	authorize_fails(
	    ent, false,
	    (struct sg_rule_req){.protocol = "all", .source_cidr = "0.0.0.0/0", .policy = "drop"},
	    "InvalidGroupParameter.OperationDenied");
	authorize_ok(ent, false,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "443/443", .source_cidr = "0.0.0.0/0"});
}

Test(sg, quota_rules_per_group_all_or_none)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "rule-per-security-group", 3), 0);
	fx_commit(&fx);
	authorize_ok(sg, false,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "1/1", .source_cidr = "0.0.0.0/0"});
	authorize_ok(
	    sg, true,
	    (struct sg_rule_req){.protocol = "tcp", .port_range = "2/2", .dest_cidr = "0.0.0.0/0"});
	struct sg_rule_req two[] = {
	    {.protocol = "tcp", .port_range = "3/3", .source_cidr = "0.0.0.0/0"},
	    {.protocol = "tcp", .port_range = "4/4", .source_cidr = "0.0.0.0/0"},
	};
	m = fx_begin(&fx);
	cr_assert_eq(sg_authorize(m, sg, false, two, 2, NULL), -1);
	fx_assert_err(m, "AuthorizationLimitExceed");
	cr_assert_eq(merr_status(m->err.code), 403);
	fx_abort(&fx);
	cr_assert_eq(rule_count(sg), 2, "G-5: a failed request changes nothing");
	authorize_ok(sg, false, two[0]);
	cr_assert_eq(rule_count(sg), 3);
}

Test(sg, net25_group_rules_limit)
{
	char vpc[ID_MAX], a[ID_MAX], b[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, a);
	make_sg(vpc, b);
	struct sg_rule_req q[SG_GROUP_RULE_MAX + 1];
	char ports[SG_GROUP_RULE_MAX + 1][16];
	for (int i = 0; i <= SG_GROUP_RULE_MAX; i++) {
		snprintf(ports[i], sizeof(ports[i]), "%d/%d", i + 1, i + 1);
		q[i] =
		    (struct sg_rule_req){.protocol = "tcp", .port_range = ports[i], .group_id = b};
	}
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_authorize(m, a, false, q, SG_GROUP_RULE_MAX, NULL), 0);
	fx_commit(&fx);
	authorize_fails(a, false, q[SG_GROUP_RULE_MAX], "AuthorizedGroupRule.LimitExceed");
	authorize_ok(a, false,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "99/99", .source_cidr = "10.0.0.0/8"});
}

Test(sg, g5_failed_batch_changes_nothing)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	struct sg_rule_req two[] = {
	    {.protocol = "tcp", .port_range = "3/3", .source_cidr = "0.0.0.0/0"},
	    {.protocol = "tcp", .port_range = "4/3", .source_cidr = "0.0.0.0/0"},
	};
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_authorize(m, sg, false, two, 2, NULL), -1);
	fx_assert_err(m, "InvalidIpPortRange.Malformed");
	fx_abort(&fx);
	cr_assert_eq(rule_count(sg), 0);
}

Test(sg, net25_revoke_by_fields_and_by_id)
{
	char sg[ID_MAX], id[ID_MAX];
	make_sg(NULL, sg);
	struct sg_rule_req ssh = {
	    .protocol = "tcp", .port_range = "22/22", .source_cidr = "0.0.0.0/0"};
	struct sg_rule_req web = {
	    .protocol = "tcp", .port_range = "80/80", .source_cidr = "0.0.0.0/0"};
	struct sg_rule_req out = {.protocol = "all", .dest_cidr = "0.0.0.0/0", .policy = "drop"};
	authorize_ok(sg, false, ssh);
	authorize_ok(sg, false, web);
	authorize_ok(sg, true, out);
	struct model *m = fx_begin(&fx);
	struct sg_rule_req ssh_upper = {
	    .protocol = "TCP", .port_range = "22/22", .source_cidr = "0.0.0.0/0", .priority = "50"};
	cr_assert_eq(sg_revoke(m, sg, false, &ssh_upper, 1, NULL, 0), 0);
	fx_commit(&fx);
	cr_assert_eq(rule_count(sg), 2);
	/* A rule that is not there: no error, no change. */
	m = fx_begin(&fx);
	cr_assert_eq(sg_revoke(m, sg, false, &ssh, 1, NULL, 0), 0);
	/* The egress rule by fields needs its policy: accept does not match drop. */
	struct sg_rule_req out_accept = {.protocol = "all", .dest_cidr = "0.0.0.0/0"};
	cr_assert_eq(sg_revoke(m, sg, true, &out_accept, 1, NULL, 0), 0);
	fx_commit(&fx);
	cr_assert_eq(rule_count(sg), 2);
	/* By id: the id must be of this direction. */
	rule_id(sg, 0, id); /* the web rule (ingress) */
	m = fx_begin(&fx);
	const char *ids[] = {id};
	cr_assert_eq(sg_revoke(m, sg, true, NULL, 0, ids, 1), -1);
	fx_assert_err(m, "InvalidSecurityGroupRuleId.NotFound");
	cr_assert_eq(sg_revoke(m, sg, false, NULL, 0, ids, 1), 0);
	cr_assert_eq(sg_revoke(m, sg, false, NULL, 0, NULL, 0), -1);
	fx_assert_err(m, "MissingParameter");
	fx_commit(&fx);
	cr_assert_eq(rule_count(sg), 1);
}

Test(sg, net25_modify_rule_by_id)
{
	char vpc[ID_MAX], sg[ID_MAX], b[ID_MAX], id[ID_MAX], gid[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	make_sg(vpc, b);
	authorize_ok(sg, false,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "22/22", .source_cidr = "10.0.0.0/8"});
	authorize_ok(sg, false,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "80/80", .source_cidr = "10.0.0.0/8"});
	authorize_ok(sg, false, (struct sg_rule_req){.protocol = "all", .group_id = b});
	rule_id(sg, 0, id);
	rule_id(sg, 2, gid);
	struct model *m = fx_begin(&fx);
	struct sg_rule_req q = {.priority = "5",
				.policy = "drop",
				.description = "no ssh",
				.source_cidr = "172.16.0.0/12"};
	cr_assert_eq(sg_modify_rule(m, sg, false, id, &q), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *g = get_sg(sg);
	json_t *r = json_array_get(json_object_get(g, "rules"), 0);
	cr_assert_str_eq(mj_str(r, "id"), id, "the rule keeps its id");
	cr_assert_eq(mj_int(r, "priority"), 5);
	cr_assert_str_eq(mj_str(r, "policy"), "drop");
	cr_assert_str_eq(mj_str(r, "description"), "no ssh");
	cr_assert_str_eq(mj_str(r, "peer_cidr"), "172.16.0.0/12");
	cr_assert_eq(mj_int(r, "port_from"), 22, "fields not given stay");
	json_decref(g);

	m = fx_begin(&fx);
	q = (struct sg_rule_req){.group_id = b};
	cr_assert_eq(sg_modify_rule(m, sg, false, id, &q), -1);
	fx_assert_err(m, "InvalidOperation.ModifySgRuleEntityType");
	q = (struct sg_rule_req){.source_cidr = "10.0.0.0/8"};
	cr_assert_eq(sg_modify_rule(m, sg, false, gid, &q), -1);
	fx_assert_err(m, "InvalidOperation.ModifySgRuleEntityType");
	q = (struct sg_rule_req){.nic_type = "internet"};
	cr_assert_eq(sg_modify_rule(m, sg, false, id, &q), -1);
	fx_assert_err(m, "InvalidOperation.ModifyNicType");
	/* Becoming the 80/80 rule (policy accept, same peer) would duplicate it. */
	q = (struct sg_rule_req){
	    .port_range = "80/80", .policy = "accept", .source_cidr = "10.0.0.0/8"};
	cr_assert_eq(sg_modify_rule(m, sg, false, id, &q), -1);
	fx_assert_err(m, "InvalidOperation.RuleDuplicate");
	q = (struct sg_rule_req){.priority = "500"};
	cr_assert_eq(sg_modify_rule(m, sg, false, id, &q), -1);
	fx_assert_err(m, "InvalidPriority.ValueNotSupported");
	cr_assert_eq(sg_modify_rule(m, sg, true, id, &q), -1);
	fx_assert_err(m, "InvalidSecurityGroupRuleId.NotFound");
	fx_abort(&fx);
}

Test(sg, net25_modify_rule_by_fields)
{
	char sg[ID_MAX];
	make_sg(NULL, sg);
	authorize_ok(sg, false,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "22/22", .source_cidr = "10.0.0.0/8"});
	struct model *m = fx_begin(&fx);
	struct sg_rule_req q = {.protocol = "TCP",
				.port_range = "22/22",
				.source_cidr = "10.0.0.0/8",
				.description = "admins",
				.priority = "9"};
	cr_assert_eq(sg_modify_rule(m, sg, false, NULL, &q), 0, "%s", merr_message(&m->err));
	q.port_range = "23/23";
	cr_assert_eq(sg_modify_rule(m, sg, false, NULL, &q), -1);
	fx_assert_err(m, "SecurityGroupRule.NotFound");
	fx_commit(&fx);
	json_t *g = get_sg(sg);
	json_t *r = json_array_get(json_object_get(g, "rules"), 0);
	cr_assert_str_eq(mj_str(r, "description"), "admins");
	cr_assert_eq(mj_int(r, "priority"), 9);
	json_decref(g);
}

/* --- membership (NET-22, NET-23) ------------------------------------------------- */

Test(sg, net23_membership_rules)
{
	char vpc[ID_MAX], vpc2[ID_MAX], g[6][ID_MAX], far[ID_MAX], cl[ID_MAX], ent[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_vpc("10.1.0.0/16", vpc2);
	for (int i = 0; i < 6; i++)
		make_sg(vpc, g[i]);
	make_sg(vpc2, far);
	make_sg(NULL, cl);
	make_sg_typed(vpc, "enterprise", ent);
	const char *five[] = {g[0], g[1], g[2], g[3], g[4], g[5]};
	struct model *m = fx_begin(&fx);
	const char *type = NULL;
	cr_assert_eq(sg_check_membership(m, five, 5, vpc, 1, NULL, &type), 0, "%s",
		     merr_message(&m->err));
	cr_assert_str_eq(type, "normal");
	cr_assert_eq(sg_check_membership(m, five, 0, vpc, 1, NULL, NULL), -1);
	fx_assert_err(m, "MissingParameter");
	cr_assert_eq(sg_check_membership(m, five, 6, vpc, 1, NULL, NULL), -1);
	fx_assert_err(m, "InstanceSecurityGroupLimitExceeded");
	const char *rep[] = {g[0], g[0]};
	cr_assert_eq(sg_check_membership(m, rep, 2, vpc, 1, NULL, NULL), -1);
	fx_assert_err(m, "InvalidParameter.SecurityGroupIdRepeated");
	const char *fa[] = {g[0], far};
	cr_assert_eq(sg_check_membership(m, fa, 2, vpc, 1, NULL, NULL), -1);
	fx_assert_err(m, "InvalidOperation.VpcMismatch");
	const char *c[] = {cl};
	cr_assert_eq(sg_check_membership(m, c, 1, vpc, 1, NULL, NULL), -1);
	fx_assert_err(m, "InvalidSecurityGroupId.NotVpc");
	cr_assert_eq(sg_check_membership(m, c, 1, "", 1, NULL, NULL), 0, "classic joins classic");
	const char *v[] = {g[0]};
	cr_assert_eq(sg_check_membership(m, v, 1, NULL, 1, NULL, NULL), -1);
	fx_assert_err(m, "InvalidOperation.VpcMismatch");
	const char *mix[] = {g[0], ent};
	cr_assert_eq(sg_check_membership(m, mix, 2, vpc, 1, NULL, NULL), -1);
	fx_assert_err(m, "InvalidOperation.MultiGroupType");
	const char *e[] = {ent};
	cr_assert_eq(sg_check_membership(m, e, 1, vpc, 1, NULL, &type), 0);
	cr_assert_str_eq(type, "enterprise");
	fx_abort(&fx);
	/* G-1: another account's group does not exist for us. */
	fx_as(&fx, fx.other);
	m = fx_begin(&fx);
	cr_assert_eq(sg_check_membership(m, v, 1, vpc, 1, NULL, NULL), -1);
	fx_assert_err(m, "InvalidSecurityGroupId.NotFound");
	fx_abort(&fx);
}

Test(sg, net23_per_nic_quota_is_an_operator_setting)
{
	char vpc[ID_MAX], a[ID_MAX], b[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, a);
	make_sg(vpc, b);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "security-group-per-nic", 1), 0);
	fx_commit(&fx);
	const char *two[] = {a, b};
	m = fx_begin(&fx);
	cr_assert_eq(sg_check_membership(m, two, 2, vpc, 1, NULL, NULL), -1);
	fx_assert_err(m, "InstanceSecurityGroupLimitExceeded");
	fx_abort(&fx);
}

Test(sg, net22_private_ips_per_group)
{
	char vpc[ID_MAX], sg[ID_MAX], other[ID_MAX], ent[ID_MAX], eni[ID_MAX], csg[ID_MAX],
	    cl[ID_MAX];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	make_sg(vpc, other);
	make_sg_typed(vpc, "enterprise", ent);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "private-ip-per-security-group", 4), 0);
	fx_commit(&fx);
	const char *g[] = {sg};
	const char *sec[] = {"10.0.0.6", "10.0.0.7"};
	make_eni(vpc, "10.0.0.5", sec, 2, g, 1, eni);
	m = fx_begin(&fx);
	int64_t n = 0;
	cr_assert_eq(sg_private_ip_count(m, sg, &n), 0);
	cr_assert_eq(n, 3, "primary + secondary IPs");
	cr_assert_eq(sg_check_membership(m, g, 1, vpc, 1, NULL, NULL), 0, "3 + 1 <= 4");
	cr_assert_eq(sg_check_membership(m, g, 1, vpc, 2, NULL, NULL), -1);
	fx_assert_err(m, "SecurityGroupInstanceLimitExceed");
	cr_assert_eq(merr_status(m->err.code), 403);
	/* A NIC already in the group brings no new IPs to it. */
	json_t *already = json_pack("[s]", sg);
	const char *both[] = {sg, other};
	cr_assert_eq(sg_check_membership(m, both, 2, vpc, 3, already, NULL), 0, "%s",
		     merr_message(&m->err));
	json_decref(already);
	/* Enterprise groups hold 65536. */
	const char *e[] = {ent};
	cr_assert_eq(sg_check_membership(m, e, 1, vpc, 100, NULL, NULL), 0);
	fx_abort(&fx);
	/* Classic members count their one internal IP. */
	make_sg(NULL, csg);
	make_classic("198.18.0.3", csg, cl);
	m = fx_begin(&fx);
	cr_assert_eq(sg_private_ip_count(m, csg, &n), 0);
	cr_assert_eq(n, 1);
	json_t *cg = m_get(m, csg);
	json_t *members = sg_members(m, cg);
	cr_assert_eq(json_array_size(members), 1);
	cr_assert_str_eq(mj_str(json_array_get(members, 0), "id"), cl);
	json_decref(members);
	json_decref(cg);
	fx_abort(&fx);
}

/* --- policy evaluation (NET-13, NET-25) ---------------------------------------- */

Test(sg, net13_same_group_reachable_by_default)
{
	char vpc[ID_MAX], sg[ID_MAX], a[ID_MAX], b[ID_MAX], why[256];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	const char *g[] = {sg};
	make_eni(vpc, "10.0.0.5", NULL, 0, g, 1, a);
	make_eni(vpc, "10.0.0.6", NULL, 0, g, 1, b);
	cr_assert(flow(a, "10.0.0.5", b, "10.0.0.6", TCP, 5432, why), "%s", why);
	cr_assert(strstr(why, "InnerAccessPolicy Accept"), "%s", why);
	cr_assert(flow(b, "10.0.0.6", a, "10.0.0.5", UDP, 53, why), "%s", why);
	/* From outside the group: default deny. */
	cr_assert_not(flow(NULL, "203.0.113.9", b, "10.0.0.6", TCP, 22, why), "%s", why);
	cr_assert(strstr(why, "default"), "%s", why);
}

Test(sg, net13_drop_policy_isolates_members)
{
	char vpc[ID_MAX], sg[ID_MAX], a[ID_MAX], b[ID_MAX], why[256];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	const char *g[] = {sg};
	make_eni(vpc, "10.0.0.5", NULL, 0, g, 1, a);
	make_eni(vpc, "10.0.0.6", NULL, 0, g, 1, b);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_set_inner_policy(m, sg, "Drop"), 0);
	fx_commit(&fx);
	cr_assert_not(flow(a, "10.0.0.5", b, "10.0.0.6", TCP, 22, why), "%s", why);
	/* A rule naming the group itself lets chosen traffic through again. */
	authorize_ok(
	    sg, false,
	    (struct sg_rule_req){.protocol = "tcp", .port_range = "22/22", .group_id = sg});
	cr_assert(flow(a, "10.0.0.5", b, "10.0.0.6", TCP, 22, why), "%s", why);
	cr_assert(strstr(why, "ingress rule sgr-"), "%s", why);
	cr_assert_not(flow(a, "10.0.0.5", b, "10.0.0.6", TCP, 80, why), "%s", why);
}

Test(sg, net13_different_groups_need_a_rule)
{
	char vpc[ID_MAX], web[ID_MAX], db[ID_MAX], a[ID_MAX], b[ID_MAX], why[256];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, web);
	make_sg(vpc, db);
	const char *gw[] = {web}, *gd[] = {db};
	make_eni(vpc, "10.0.0.5", NULL, 0, gw, 1, a);
	make_eni(vpc, "10.0.1.5", NULL, 0, gd, 1, b);
	cr_assert_not(flow(a, "10.0.0.5", b, "10.0.1.5", TCP, 3306, why), "%s", why);
	authorize_ok(
	    db, false,
	    (struct sg_rule_req){.protocol = "tcp", .port_range = "3306/3306", .group_id = web});
	cr_assert(flow(a, "10.0.0.5", b, "10.0.1.5", TCP, 3306, why), "%s", why);
	cr_assert_not(flow(a, "10.0.0.5", b, "10.0.1.5", TCP, 22, why), "only the port allowed");
	cr_assert_not(flow(b, "10.0.1.5", a, "10.0.0.5", TCP, 3306, why), "not the reverse");
	/* A CIDR peer matches the other end's address. */
	authorize_ok(web, false,
		     (struct sg_rule_req){.protocol = "icmp", .source_cidr = "10.0.1.0/24"});
	cr_assert(flow(b, "10.0.1.5", a, "10.0.0.5", ICMP, 0, why), "%s", why);
	cr_assert_not(flow(NULL, "10.0.2.5", a, "10.0.0.5", ICMP, 0, why), "%s", why);
	/* An ingress rule's DestCidrIp narrows it to those member addresses. */
	authorize_ok(web, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "80/80",
					  .source_cidr = "0.0.0.0/0",
					  .dest_cidr = "10.0.9.0/24"});
	cr_assert_not(flow(NULL, "192.0.2.1", a, "10.0.0.5", TCP, 80, why), "%s", why);
}

Test(sg, net13_classic_cross_account_through_authorization)
{
	char ga[ID_MAX], gb[ID_MAX], a[ID_MAX], a2[ID_MAX], b[ID_MAX], why[256], owner_txt[24];
	make_sg(NULL, ga);
	make_classic("198.18.0.1", ga, a);
	make_classic("198.18.0.2", ga, a2);
	fx_as(&fx, fx.other);
	make_sg(NULL, gb);
	make_classic("198.18.0.3", gb, b);
	fx_as(&fx, fx.owner);
	/* Same account, same group: reachable by default. */
	cr_assert(flow(a, "198.18.0.1", a2, "198.18.0.2", TCP, 22, why), "%s", why);
	/* Different accounts: not until B's group authorizes A's. */
	cr_assert_not(flow(a, "198.18.0.1", b, "198.18.0.3", TCP, 22, why), "%s", why);
	snprintf(owner_txt, sizeof(owner_txt), "%" PRIu64, fx.owner);
	fx_as(&fx, fx.other);
	authorize_ok(gb, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "22/22",
					  .group_id = ga,
					  .group_owner_id = owner_txt});
	fx_as(&fx, fx.owner);
	cr_assert(flow(a, "198.18.0.1", b, "198.18.0.3", TCP, 22, why), "%s", why);
	cr_assert_not(flow(b, "198.18.0.3", a, "198.18.0.1", TCP, 22, why), "%s", why);
	/* The same group id seen as B's own group does not match A's members. */
	fx_as(&fx, fx.other);
	authorize_ok(gb, false,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "80/80", .source_cidr = "198.18.0.9"});
	cr_assert_not(flow(a, "198.18.0.1", b, "198.18.0.3", TCP, 80, why), "%s", why);
}

Test(sg, net25_priority_and_drop_beats_accept)
{
	char vpc[ID_MAX], sg[ID_MAX], a[ID_MAX], why[256];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	const char *g[] = {sg};
	make_eni(vpc, "10.0.0.5", NULL, 0, g, 1, a);
	authorize_ok(sg, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "22/22",
					  .source_cidr = "0.0.0.0/0",
					  .priority = "2"});
	cr_assert(flow(NULL, "192.0.2.1", a, "10.0.0.5", TCP, 22, why), "%s", why);
	authorize_ok(sg, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "1/1024",
					  .source_cidr = "192.0.2.0/24",
					  .policy = "drop",
					  .priority = "3"});
	cr_assert(flow(NULL, "192.0.2.1", a, "10.0.0.5", TCP, 22, why), "lower number wins: %s",
		  why);
	authorize_ok(sg, false,
		     (struct sg_rule_req){.protocol = "all",
					  .source_cidr = "192.0.2.0/24",
					  .policy = "drop",
					  .priority = "2"});
	cr_assert_not(flow(NULL, "192.0.2.1", a, "10.0.0.5", TCP, 22, why), "tie: drop wins");
	cr_assert(strstr(why, "drop, priority 2"), "%s", why);
	cr_assert(flow(NULL, "198.51.100.1", a, "10.0.0.5", TCP, 22, why), "%s", why);
}

Test(sg, net25_egress_allowed_unless_dropped)
{
	char vpc[ID_MAX], sg[ID_MAX], other[ID_MAX], a[ID_MAX], b[ID_MAX], why[256];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	make_sg(vpc, other);
	const char *g[] = {sg}, *go[] = {other};
	make_eni(vpc, "10.0.0.5", NULL, 0, g, 1, a);
	make_eni(vpc, "10.0.0.6", NULL, 0, go, 1, b);
	cr_assert(flow(a, "10.0.0.5", NULL, "203.0.113.1", TCP, 443, why), "%s", why);
	authorize_ok(other, false, (struct sg_rule_req){.protocol = "all", .group_id = sg});
	cr_assert(flow(a, "10.0.0.5", b, "10.0.0.6", UDP, 9, why), "%s", why);
	authorize_ok(sg, true,
		     (struct sg_rule_req){.protocol = "udp",
					  .port_range = "1/65535",
					  .dest_cidr = "0.0.0.0/0",
					  .policy = "drop"});
	cr_assert_not(flow(a, "10.0.0.5", NULL, "203.0.113.1", UDP, 53, why), "%s", why);
	cr_assert(strstr(why, "egress rule"), "%s", why);
	cr_assert_not(flow(a, "10.0.0.5", b, "10.0.0.6", UDP, 9, why), "egress drop wins");
	cr_assert(flow(a, "10.0.0.5", b, "10.0.0.6", TCP, 9, why), "%s", why);
	/* An egress rule naming a group matches its members only. */
	authorize_ok(
	    sg, true,
	    (struct sg_rule_req){
		.protocol = "tcp", .port_range = "1/65535", .group_id = other, .policy = "drop"});
	cr_assert_not(flow(a, "10.0.0.5", b, "10.0.0.6", TCP, 9, why), "%s", why);
	cr_assert(flow(a, "10.0.0.5", NULL, "203.0.113.1", TCP, 443, why), "%s", why);
}

Test(sg, net15_ipv6_any_address)
{
	char vpc[ID_MAX], sg[ID_MAX], a[ID_MAX], why[256];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	const char *g[] = {sg};
	make_eni(vpc, "10.0.0.5", NULL, 0, g, 1, a);
	authorize_ok(sg, false,
		     (struct sg_rule_req){
			 .protocol = "tcp", .port_range = "443/443", .source_cidr6 = "::/0"});
	cr_assert(flow(NULL, "2001:db8::1", a, "2408:4000::5", TCP, 443, why), "%s", why);
	cr_assert_not(flow(NULL, "192.0.2.1", a, "10.0.0.5", TCP, 443, why),
		      "IPv4 and IPv6 rules are independent");
	cr_assert_not(flow(NULL, "2001:db8::1", a, "2408:4000::5", TCP, 80, why), "%s", why);
}

Test(sg, net25_rules_of_all_groups_of_a_nic_apply)
{
	char vpc[ID_MAX], s1[ID_MAX], s2[ID_MAX], a[ID_MAX], why[256];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, s1);
	make_sg(vpc, s2);
	const char *g[] = {s1, s2};
	make_eni(vpc, "10.0.0.5", NULL, 0, g, 2, a);
	authorize_ok(s1, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "22/22",
					  .source_cidr = "0.0.0.0/0",
					  .priority = "10"});
	cr_assert(flow(NULL, "192.0.2.1", a, "10.0.0.5", TCP, 22, why), "%s", why);
	authorize_ok(s2, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "22/22",
					  .source_cidr = "192.0.2.0/24",
					  .policy = "drop",
					  .priority = "5"});
	cr_assert_not(flow(NULL, "192.0.2.1", a, "10.0.0.5", TCP, 22, why), "%s", why);
	cr_assert(strstr(why, s2), "%s", why);
}

Test(sg, net25_classic_internet_nic_rules)
{
	char sg[ID_MAX], a[ID_MAX], why[256];
	make_sg(NULL, sg);
	make_classic("198.18.0.1", sg, a);
	authorize_ok(sg, false,
		     (struct sg_rule_req){.protocol = "tcp",
					  .port_range = "80/80",
					  .source_cidr = "0.0.0.0/0",
					  .nic_type = "internet"});
	struct sg_flow f = {
	    .dst_nic = a, .proto = TCP, .sport = 5000, .dport = 80, .internet = true};
	netaddr_parse("203.0.113.7", &f.src);
	netaddr_parse("192.0.2.50", &f.dst);
	struct model *m = fx_begin(&fx);
	bool accept = false;
	cr_assert_eq(sg_evaluate(m, &f, &accept, why, sizeof(why)), 0);
	cr_assert(accept, "%s", why);
	f.internet = false;
	netaddr_parse("198.18.0.1", &f.dst);
	cr_assert_eq(sg_evaluate(m, &f, &accept, why, sizeof(why)), 0);
	cr_assert_not(accept, "an internet rule does not open the intranet NIC: %s", why);
	f.dst_nic = "eni-doesnotexist00000000";
	cr_assert_eq(sg_evaluate(m, &f, &accept, why, sizeof(why)), -1);
	fx_abort(&fx);
}

Test(sg, net13_vpc_instance_resolves_to_primary_eni)
{
	char vpc[ID_MAX], sg[ID_MAX], eni[ID_MAX], peer[ID_MAX], why[256];
	make_vpc("10.0.0.0/16", vpc);
	make_sg(vpc, sg);
	const char *g[] = {sg};
	make_eni(vpc, "10.0.0.5", NULL, 0, g, 1, eni);
	make_eni(vpc, "10.0.0.6", NULL, 0, g, 1, peer);
	struct model *m = fx_begin(&fx);
	json_t *i = model_new_resource(m, "i", "Running");
	mj_set_str(i, "network", "vpc");
	mj_set_str(i, "primary_eni", eni);
	cr_assert_eq(m_create(m, i), 0);
	char iid[ID_MAX];
	snprintf(iid, sizeof(iid), "%s", mj_str(i, "id"));
	json_decref(i);
	fx_commit(&fx);
	cr_assert(flow(iid, "10.0.0.5", peer, "10.0.0.6", TCP, 22, why), "%s", why);
}
