/*
 * Model tests of elastic network interfaces (NET-3, NET-4, NET-15,
 * NET-18..NET-24, G-1, G-6).
 *
 * Every test builds the same small world (make_world): VPC A 10.0.0.0/16
 * with IPv6 and vSwitches in zones a (with an IPv6 /64) and b, a second
 * vSwitch of zone a without IPv6, VPC B with one vSwitch, normal groups
 * sg1..sg6 and an enterprise group in VPC A, one group in VPC B and one
 * classic group.  Instances are stand-in "i-" documents (the fields of
 * model/instance.h) with a primary ENI made by eni_create, as the instance
 * module makes them.
 */
#include "fixture.h"
#include "model/eip.h"
#include "model/eni.h"
#include "model/secgroup.h"
#include "model/vpc.h"
#include "model/vswitch.h"

TestSuite(eni, .init = fx_setup, .fini = fx_teardown);

#define ID_LEN RANDID_MAX

struct world {
	char vpc[ID_LEN], vsw_a[ID_LEN], vsw_b[ID_LEN], vsw_a2[ID_LEN];
	char vpc2[ID_LEN], vsw2[ID_LEN];
	char sg[6][ID_LEN], sg_ent[ID_LEN], sg_vpc2[ID_LEN], sg_classic[ID_LEN];
};

static struct world w;

static void copy_id(char *dst, const json_t *o)
{
	snprintf(dst, ID_LEN, "%s", mj_str(o, "id"));
}

static void mk_vpc(const char *cidr, char *out)
{
	struct model *m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = cidr, .enable_ipv6 = true};
	json_t *v = NULL;
	cr_assert_eq(vpc_create(m, &q, &v), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, v);
	json_decref(v);
}

static void mk_vsw(const char *vpc, const char *zone, const char *cidr, int v6idx, char *out)
{
	struct model *m = fx_begin(&fx);
	struct vswitch_create_req q = {
	    .vpc_id = vpc, .zone_id = zone, .cidr = cidr, .ipv6_index = v6idx};
	json_t *v = NULL;
	cr_assert_eq(vswitch_create(m, &q, &v), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, v);
	json_decref(v);
}

static void mk_sg(const char *vpc, const char *type, char *out)
{
	struct model *m = fx_begin(&fx);
	struct sg_create_req q = {.vpc_id = vpc, .type = type};
	json_t *g = NULL;
	cr_assert_eq(sg_create(m, &q, &g), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, g);
	json_decref(g);
}

static void make_world(void)
{
	memset(&w, 0, sizeof(w));
	mk_vpc("10.0.0.0/16", w.vpc);
	mk_vpc("192.168.0.0/16", w.vpc2);
	fx_settle_all(&fx);
	mk_vsw(w.vpc, "cn-hangzhou-a", "10.0.1.0/24", 0, w.vsw_a);
	mk_vsw(w.vpc, "cn-hangzhou-b", "10.0.2.0/24", 1, w.vsw_b);
	mk_vsw(w.vpc, "cn-hangzhou-a", "10.0.3.0/24", -1, w.vsw_a2);
	mk_vsw(w.vpc2, "cn-hangzhou-a", "192.168.1.0/24", -1, w.vsw2);
	for (int i = 0; i < 6; i++)
		mk_sg(w.vpc, NULL, w.sg[i]);
	mk_sg(w.vpc, "enterprise", w.sg_ent);
	mk_sg(w.vpc2, NULL, w.sg_vpc2);
	mk_sg(NULL, NULL, w.sg_classic);
	fx_settle_all(&fx);
}

/* --- helpers ---------------------------------------------------------------- */

struct eni_opts {
	const char *vsw, *sg, *ip, *name;
	int64_t n2, n6, queues;
};

/* Creates a secondary ENI; -1 (transaction aborted) when the model refuses,
 * with the error left in fx.m for fx_assert_err. */
static int try_eni(struct eni_opts o, json_t **out)
{
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {o.sg ? o.sg : w.sg[0]};
	struct eni_create_req q = {
	    .vswitch_id = o.vsw ? o.vsw : w.vsw_a,
	    .primary_ip = o.ip,
	    .sg_ids = sgs,
	    .n_sg = 1,
	    .secondary_count = o.n2,
	    .ipv6_count = o.n6,
	    .name = o.name,
	    .queue_number = o.queues,
	};
	int rc = eni_create(m, &q, out);
	if (rc == 0)
		fx_commit(&fx);
	else
		fx_abort(&fx);
	return rc;
}

static json_t *mk_eni(struct eni_opts o)
{
	json_t *e = NULL;
	cr_assert_eq(try_eni(o, &e), 0, "%s", merr_message(&fx.m.err));
	return e;
}

/* The stored document (new reference) read as the fixture's account. */
static json_t *get(const char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *o = m_get(m, id);
	fx_abort(&fx);
	return o;
}

static const char *status_of(const char *id, char *buf)
{
	json_t *o = get(id);
	snprintf(buf, 32, "%s", o ? mj_str(o, "status") : "(gone)");
	json_decref(o);
	return buf;
}

struct inst_opts {
	const char *itype, *status, *vsw, *sg, *network;
	int64_t n6;
};

/* A stand-in VPC instance with its primary ENI; returns the instance id. */
static void mk_inst(struct inst_opts o, char *out)
{
	struct model *m = fx_begin(&fx);
	bool classic = o.network && strcmp(o.network, "classic") == 0;
	json_t *inst = model_new_resource(m, "i", o.status ? o.status : "Running");
	mj_set_str(inst, "itype", o.itype ? o.itype : "ecs.g6.large");
	mj_set_str(inst, "network", classic ? "classic" : "vpc");
	mj_set_int(inst, "bw_out", 5);
	mj_set_int(inst, "bw_in", 100);
	if (classic) {
		mj_set_str(inst, "zone", "cn-hangzhou-a");
		json_t *g = json_array();
		json_array_append_new(g, json_string(o.sg ? o.sg : w.sg_classic));
		json_object_set_new(inst, "security_group_ids", g);
		mj_set_str(inst, "private_ip", "10.200.0.5");
	} else {
		json_t *vsw = m_get(m, o.vsw ? o.vsw : w.vsw_a);
		cr_assert_not_null(vsw);
		mj_set_str(inst, "zone", mj_str(vsw, "zone"));
		mj_set_str(inst, "vpc_id", mj_str(vsw, "vpc_id"));
		mj_set_str(inst, "vswitch_id", mj_str(vsw, "id"));
		const char *sgs[] = {o.sg ? o.sg : w.sg[0]};
		struct eni_create_req q = {.vswitch_id = mj_str(vsw, "id"),
					   .sg_ids = sgs,
					   .n_sg = 1,
					   .ipv6_count = o.n6,
					   .instance = inst};
		json_t *eni = NULL;
		cr_assert_eq(eni_create(m, &q, &eni), 0, "%s", merr_message(&m->err));
		mj_set_str(inst, "primary_eni", mj_str(eni, "id"));
		mj_set_str(inst, "private_ip", mj_str(eni, "primary_ip"));
		json_decref(eni);
		json_decref(vsw);
	}
	cr_assert_eq(m_create(m, inst), 0);
	fx_commit(&fx);
	copy_id(out, inst);
	json_decref(inst);
}

static void set_inst_status(const char *id, const char *status)
{
	struct model *m = fx_begin(&fx);
	json_t *i = m_get(m, id);
	mj_set_str(i, "status", status);
	cr_assert_eq(m_put(m, i), 0);
	fx_commit(&fx);
	json_decref(i);
}

static const char *primary_of(const char *inst_id, char *buf)
{
	json_t *i = get(inst_id);
	snprintf(buf, ID_LEN, "%s", mj_str(i, "primary_eni"));
	json_decref(i);
	return buf;
}

static void set_quota(const char *name, int64_t v)
{
	struct model *m = fx_begin(&fx);
	m->admin = true;
	cr_assert_eq(account_set_quota(m, fx.owner, name, v), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
}

/* Runs one model call in its own transaction: commit on success, abort on failure. */
#define RUN(call)                                                                                  \
	({                                                                                         \
		struct model *m = fx_begin(&fx);                                                   \
		int rc_ = (call);                                                                  \
		if (rc_ == 0)                                                                      \
			fx_commit(&fx);                                                            \
		else                                                                               \
			fx_abort(&fx);                                                             \
		rc_;                                                                               \
	})

#define OK(call) cr_assert_eq(RUN(call), 0, "%s: %s", #call, merr_message(&fx.m.err))
#define FAILS(call, wire)                                                                          \
	do {                                                                                       \
		cr_assert_eq(RUN(call), -1, "%s succeeded", #call);                                \
		fx_assert_err(&fx.m, wire);                                                        \
	} while (0)

static bool claimed4(const char *vpc, const char *ip)
{
	struct model *m = fx_begin(&fx);
	char scope[MODEL_SCOPE_MAX];
	struct netaddr a;
	cr_assert(netaddr_parse(ip, &a));
	bool r = m_claimed(
	    m, a.family == NETADDR_V4 ? vpc_scope_v4(vpc, scope) : vpc_scope_v6(vpc, scope), &a,
	    NULL);
	fx_abort(&fx);
	return r;
}

static int64_t members(const char *sg_id)
{
	struct model *m = fx_begin(&fx);
	json_t *sg = m_get(m, sg_id);
	json_t *l = sg_members(m, sg);
	int64_t n = (int64_t)json_array_size(l);
	json_decref(l);
	json_decref(sg);
	fx_abort(&fx);
	return n;
}

/* --- NET-19: creation ----------------------------------------------------------- */

Test(eni, net19_create_is_available_at_once)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){.name = "eth-test"});
	cr_assert_str_eq(mj_str(e, "status"), "Available", "CreateNetworkInterface is synchronous");
	cr_assert_null(json_object_get(e, "settle_to"));
	cr_assert_str_eq(mj_str(e, "type"), "Secondary");
	cr_assert_str_eq(mj_str(e, "vpc_id"), w.vpc);
	cr_assert_str_eq(mj_str(e, "vswitch_id"), w.vsw_a);
	cr_assert_str_eq(mj_str(e, "zone"), "cn-hangzhou-a");
	cr_assert_str_eq(mj_str(e, "instance_id"), "");
	cr_assert_str_eq(mj_str(e, "name"), "eth-test");
	cr_assert_str_eq(mj_str(e, "primary_ip"), "10.0.1.1", "the lowest usable address");
	cr_assert(mj_arr_has_str(e, "security_group_ids", w.sg[0]));
	cr_assert(strncmp(mj_str(e, "mac"), "00:16:3e:", 9) == 0, "mac %s", mj_str(e, "mac"));
	cr_assert_eq(strlen(mj_str(e, "mac")), 17);
	cr_assert(claimed4(w.vpc, "10.0.1.1"));
	json_decref(e);
}

Test(eni, net19_given_primary_ip_and_its_rules)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){.ip = "10.0.1.50"});
	cr_assert_str_eq(mj_str(e, "primary_ip"), "10.0.1.50");
	json_decref(e);
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){.ip = "10.0.1.50"}, &x), -1);
	fx_assert_err(&fx.m, "InvalidPrivateIpAddress.Duplicated");
	cr_assert_eq(try_eni((struct eni_opts){.ip = "10.0.2.9"}, &x), -1);
	fx_assert_err(&fx.m, "InvalidPrivateIpAddress");
	cr_assert_eq(try_eni((struct eni_opts){.ip = "10.0.1.255"}, &x), -1);
	fx_assert_err(&fx.m, "InvalidPrivateIpAddress");
	cr_assert_eq(try_eni((struct eni_opts){.ip = "10.0.1"}, &x), -1);
	fx_assert_err(&fx.m, "InvalidPrivateIpAddress.Malformed");
}

Test(eni, net19_macs_are_unique)
{
	make_world();
	char macs[24][32];
	for (int i = 0; i < 24; i++) {
		json_t *e = mk_eni((struct eni_opts){0});
		snprintf(macs[i], sizeof(macs[i]), "%s", mj_str(e, "mac"));
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(macs[i], macs[j]);
		json_decref(e);
	}
}

Test(eni, net19_groups_one_to_five_of_its_vpc)
{
	make_world();
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){.sg = w.sg_vpc2}, &x), -1);
	fx_assert_err(&fx.m, "InvalidOperation.VpcMismatch");
	cr_assert_eq(try_eni((struct eni_opts){.sg = w.sg_classic}, &x), -1);
	fx_assert_err(&fx.m, "InvalidSecurityGroupId.NotVpc");
	cr_assert_eq(try_eni((struct eni_opts){.sg = "sg-doesnotexist0000000"}, &x), -1);
	fx_assert_err(&fx.m, "InvalidSecurityGroupId.NotFound");

	struct model *m = fx_begin(&fx);
	struct eni_create_req q = {.vswitch_id = w.vsw_a, .n_sg = 0};
	cr_assert_eq(eni_create(m, &q, NULL), -1);
	fx_assert_err(m, "MissingParameter");
	fx_abort(&fx);

	const char *six[] = {w.sg[0], w.sg[1], w.sg[2], w.sg[3], w.sg[4], w.sg[5]};
	m = fx_begin(&fx);
	q = (struct eni_create_req){.vswitch_id = w.vsw_a, .sg_ids = six, .n_sg = 6};
	cr_assert_eq(eni_create(m, &q, NULL), -1);
	fx_assert_err(m, "InstanceSecurityGroupLimitExceeded");
	fx_abort(&fx);

	const char *mixed[] = {w.sg[0], w.sg_ent};
	m = fx_begin(&fx); /* NET-23: never both types */
	q = (struct eni_create_req){.vswitch_id = w.vsw_a, .sg_ids = mixed, .n_sg = 2};
	cr_assert_eq(eni_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidOperation.MultiGroupType");
	fx_abort(&fx);

	m = fx_begin(&fx);
	q = (struct eni_create_req){.vswitch_id = w.vsw_a, .sg_ids = six, .n_sg = 5};
	json_t *e = NULL;
	cr_assert_eq(eni_create(m, &q, &e), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	cr_assert_eq(json_array_size(json_object_get(e, "security_group_ids")), 5);
	json_decref(e);
}

Test(eni, net19_vswitch_must_exist_and_be_the_callers)
{
	make_world();
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){.vsw = "vsw-nothere000000000000"}, &x), -1);
	fx_assert_err(&fx.m, "InvalidVSwitchId.NotFound");
	fx_as(&fx, fx.other); /* G-1 */
	cr_assert_eq(try_eni((struct eni_opts){.vsw = w.vsw_a}, &x), -1);
	fx_assert_err(&fx.m, "InvalidVSwitchId.NotFound");
}

Test(eni, net19_name_and_description_are_checked)
{
	make_world();
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){.name = "1starts-with-digit"}, &x), -1);
	fx_assert_err(&fx.m, "InvalidNetworkInterfaceName.Malformed");
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {w.sg[0]};
	struct eni_create_req q = {
	    .vswitch_id = w.vsw_a, .sg_ids = sgs, .n_sg = 1, .description = "http://x"};
	cr_assert_eq(eni_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidDescription.Malformed");
	fx_abort(&fx);
}

Test(eni, net20_eni_quota_per_region)
{
	make_world();
	set_quota("eni", 2);
	json_decref(mk_eni((struct eni_opts){0}));
	json_decref(mk_eni((struct eni_opts){0}));
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){0}, &x), -1);
	fx_assert_err(&fx.m, "MaxEniCountExceeded");
	cr_assert_eq(merr_status(fx.m.err.code), 403);
	char inst[ID_LEN]; /* primary ENIs come with instances, outside the quota */
	mk_inst((struct inst_opts){0}, inst);
}

/* --- NET-22: secondary IPv4 ----------------------------------------------------- */

Test(eni, net22_create_with_secondary_ips_up_to_ten_while_available)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){.n2 = 9});
	cr_assert_eq(json_array_size(json_object_get(e, "private_ips")), 9);
	json_decref(e);
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){.n2 = 10}, &x), -1);
	fx_assert_err(&fx.m, "InvalidOperation.Ipv4CountExceeded");

	struct model *m = fx_begin(&fx);
	const char *sgs[] = {w.sg[0]};
	const char *ips[] = {"10.0.1.200", "10.0.1.201"};
	struct eni_create_req q = {.vswitch_id = w.vsw_a,
				   .sg_ids = sgs,
				   .n_sg = 1,
				   .secondary_ips = ips,
				   .n_secondary = 2};
	cr_assert_eq(eni_create(m, &q, &e), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	cr_assert(mj_arr_has_str(e, "private_ips", "10.0.1.200"));
	cr_assert(mj_arr_has_str(e, "private_ips", "10.0.1.201"));
	json_decref(e);

	m = fx_begin(&fx);
	q.secondary_count = 1; /* both forms at once */
	cr_assert_eq(eni_create(m, &q, NULL), -1);
	fx_assert_err(m, "InvalidParameter");
	fx_abort(&fx);
}

Test(eni, net22_assign_limits_available_then_instance_type)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	const char *id = mj_str(e, "id");
	json_t *got = NULL;
	OK(eni_assign_ips(m, id, false, NULL, 0, 9, &got));
	cr_assert_eq(json_array_size(got), 9);
	json_decref(got);
	FAILS(eni_assign_ips(m, id, false, NULL, 0, 1, NULL), "InvalidOperation.Ipv4CountExceeded");
	cr_assert_eq(merr_status(fx.m.err.code), 403);

	/* Attached to ecs.g7.4xlarge (20 per ENI): up to 20, never more. */
	char inst[ID_LEN];
	mk_inst((struct inst_opts){.itype = "ecs.g7.4xlarge"}, inst);
	OK(eni_attach(m, id, inst));
	fx_settle_all(&fx);
	OK(eni_assign_ips(m, id, false, NULL, 0, 10, NULL));
	FAILS(eni_assign_ips(m, id, false, NULL, 0, 1, NULL), "InvalidOperation.Ipv4CountExceeded");
	json_decref(e);
}

Test(eni, net22_never_above_private_ip_per_eni)
{
	make_world();
	set_quota("private-ip-per-eni", 12);
	json_t *e = mk_eni((struct eni_opts){.n2 = 5});
	const char *id = mj_str(e, "id");
	char inst[ID_LEN];
	mk_inst((struct inst_opts){.itype = "ecs.g7.4xlarge"}, inst);
	OK(eni_attach(m, id, inst));
	fx_settle_all(&fx);
	OK(eni_assign_ips(m, id, false, NULL, 0, 6, NULL));
	FAILS(eni_assign_ips(m, id, false, NULL, 0, 1, NULL), "InvalidOperation.Ipv4CountExceeded");
	json_decref(e);
}

Test(eni, net22_attached_to_small_type_holds_its_ips_per_eni)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){.n2 = 3});
	char inst[ID_LEN]; /* ecs.g6.large: 6 per ENI */
	mk_inst((struct inst_opts){0}, inst);
	OK(eni_attach(m, mj_str(e, "id"), inst));
	fx_settle_all(&fx);
	OK(eni_assign_ips(m, mj_str(e, "id"), false, NULL, 0, 2, NULL));
	FAILS(eni_assign_ips(m, mj_str(e, "id"), false, NULL, 0, 1, NULL),
	      "InvalidOperation.Ipv4CountExceeded");
	json_decref(e);
}

Test(eni, net22_given_ips_and_duplicates)
{
	make_world();
	json_t *a = mk_eni((struct eni_opts){0});
	json_t *b = mk_eni((struct eni_opts){0});
	const char *ips[] = {"10.0.1.77"};
	json_t *got = NULL;
	OK(eni_assign_ips(m, mj_str(a, "id"), false, ips, 1, 0, &got));
	cr_assert_str_eq(json_string_value(json_array_get(got, 0)), "10.0.1.77");
	json_decref(got);
	FAILS(eni_assign_ips(m, mj_str(b, "id"), false, ips, 1, 0, NULL),
	      "InvalidPrivateIpAddress.Duplicated");
	const char *primary[] = {mj_str(a, "primary_ip")};
	FAILS(eni_assign_ips(m, mj_str(b, "id"), false, primary, 1, 0, NULL),
	      "InvalidPrivateIpAddress.Duplicated");
	FAILS(eni_assign_ips(m, mj_str(b, "id"), false, NULL, 0, 0, NULL), "MissingParameter");
	/* G-5: a refused request changes nothing, even its good part. */
	const char *mixed[] = {"10.0.1.78", "10.0.1.77"};
	FAILS(eni_assign_ips(m, mj_str(b, "id"), false, mixed, 2, 0, NULL),
	      "InvalidPrivateIpAddress.Duplicated");
	cr_assert_not(claimed4(w.vpc, "10.0.1.78"));
	json_decref(a);
	json_decref(b);
}

Test(eni, net22_unassign_frees_and_primary_stays)
{
	make_world();
	json_t *a = mk_eni((struct eni_opts){.n2 = 2});
	const char *id = mj_str(a, "id");
	const char *sec = json_string_value(json_array_get(json_object_get(a, "private_ips"), 0));
	const char *one[] = {sec};
	OK(eni_unassign_ips(m, id, false, one, 1));
	cr_assert_not(claimed4(w.vpc, sec));
	json_t *b = mk_eni((struct eni_opts){.ip = sec});
	cr_assert_str_eq(mj_str(b, "primary_ip"), sec, "the freed address is free again");
	const char *prim[] = {mj_str(a, "primary_ip")};
	FAILS(eni_unassign_ips(m, id, false, prim, 1), "InvalidIp.IpUnassigned");
	FAILS(eni_unassign_ips(m, id, false, one, 1), "InvalidIp.IpUnassigned");
	const char *bad[] = {"10.0.1.x"};
	FAILS(eni_unassign_ips(m, id, false, bad, 1), "InvalidIp.Address");
	FAILS(eni_unassign_ips(m, id, false, NULL, 0), "MissingParameter");
	json_decref(a);
	json_decref(b);
}

Test(eni, net22_group_holds_at_most_its_private_ip_quota)
{
	make_world();
	set_quota("private-ip-per-security-group", 4);
	json_t *a = mk_eni((struct eni_opts){.n2 = 1});			 /* 2 IPs in sg[0] */
	json_t *b = mk_eni((struct eni_opts){0});			 /* 3 */
	OK(eni_assign_ips(m, mj_str(b, "id"), false, NULL, 0, 1, NULL)); /* 4 */
	FAILS(eni_assign_ips(m, mj_str(a, "id"), false, NULL, 0, 1, NULL),
	      "SecurityGroupInstanceLimitExceed");
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){0}, &x), -1);
	fx_assert_err(&fx.m, "SecurityGroupInstanceLimitExceed");
	json_decref(a);
	json_decref(b);
}

Test(eni, net22_primary_eni_needs_instance_running_or_stopped)
{
	make_world();
	char inst[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	primary_of(inst, p);
	OK(eni_assign_ips(m, p, false, NULL, 0, 1, NULL));
	set_inst_status(inst, "Stopped");
	OK(eni_assign_ips(m, p, false, NULL, 0, 1, NULL));
	set_inst_status(inst, "Starting");
	FAILS(eni_assign_ips(m, p, false, NULL, 0, 1, NULL), "IncorrectInstanceStatus");
	json_t *e = get(p);
	const char *one[] = {
	    json_string_value(json_array_get(json_object_get(e, "private_ips"), 0))};
	FAILS(eni_unassign_ips(m, p, false, one, 1), "IncorrectInstanceStatus");
	json_decref(e);
}

Test(eni, net22_assign_needs_available_or_inuse)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	char inst[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	OK(eni_attach(m, mj_str(e, "id"), inst)); /* Attaching, not settled */
	FAILS(eni_assign_ips(m, mj_str(e, "id"), false, NULL, 0, 1, NULL),
	      "InvalidOperation.InvalidEniState");
	json_decref(e);
}

/* --- NET-15: IPv6 ------------------------------------------------------------------ */

Test(eni, net15_ipv6_needs_the_vswitch_ipv6_cidr)
{
	make_world();
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){.vsw = w.vsw_a2, .n6 = 1}, &x), -1);
	fx_assert_err(&fx.m, "InvalidVSwitch.Ipv6NotTurnOn");
	json_t *e = mk_eni((struct eni_opts){.vsw = w.vsw_a2});
	FAILS(eni_assign_ips(m, mj_str(e, "id"), true, NULL, 0, 1, NULL),
	      "InvalidVSwitch.Ipv6NotTurnOn");
	json_decref(e);
	e = mk_eni((struct eni_opts){.n6 = 1});
	cr_assert_eq(json_array_size(json_object_get(e, "ipv6s")), 1);
	const char *v6 = json_string_value(json_array_get(json_object_get(e, "ipv6s"), 0));
	cr_assert(strchr(v6, ':'));
	cr_assert(claimed4(w.vpc, v6));
	json_decref(e);
}

Test(eni, net15_at_most_one_ipv6_per_instance)
{
	make_world();
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){.n6 = 2}, &x), -1);
	fx_assert_err(&fx.m, "InvalidOperation.Ipv6CountExceeded");
	char inst[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	primary_of(inst, p);
	json_t *got = NULL;
	OK(eni_assign_ips(m, p, true, NULL, 0, 1, &got));
	cr_assert_eq(json_array_size(got), 1);
	FAILS(eni_assign_ips(m, p, true, NULL, 0, 1, NULL), "InvalidOperation.Ipv6CountExceeded");
	/* A secondary ENI of the same instance can have none either. */
	json_t *e = mk_eni((struct eni_opts){0});
	OK(eni_attach(m, mj_str(e, "id"), inst));
	fx_settle_all(&fx);
	FAILS(eni_assign_ips(m, mj_str(e, "id"), true, NULL, 0, 1, NULL),
	      "InvalidOperation.Ipv6CountExceeded");
	/* ...nor be attached with one. */
	json_t *e6 = mk_eni((struct eni_opts){.n6 = 1});
	char inst2[ID_LEN];
	mk_inst((struct inst_opts){.n6 = 1}, inst2);
	FAILS(eni_attach(m, mj_str(e6, "id"), inst2), "InvalidOperation.Ipv6CountExceeded");
	json_decref(got);
	json_decref(e);
	json_decref(e6);
}

Test(eni, net15_ipv6_removed_while_running_or_stopped_ipv4_stays)
{
	make_world();
	char inst[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){.n6 = 1}, inst);
	primary_of(inst, p);
	json_t *e = get(p);
	const char *v6[] = {json_string_value(json_array_get(json_object_get(e, "ipv6s"), 0))};
	char primary_ip[NETADDR_STRLEN];
	snprintf(primary_ip, sizeof(primary_ip), "%s", mj_str(e, "primary_ip"));
	set_inst_status(inst, "Pending");
	FAILS(eni_unassign_ips(m, p, true, v6, 1), "IncorrectInstanceStatus");
	set_inst_status(inst, "Stopped");
	OK(eni_unassign_ips(m, p, true, v6, 1));
	cr_assert_not(claimed4(w.vpc, v6[0]));
	json_t *after = get(p);
	cr_assert_eq(json_array_size(json_object_get(after, "ipv6s")), 0);
	cr_assert_str_eq(mj_str(after, "primary_ip"), primary_ip);
	cr_assert(claimed4(w.vpc, primary_ip));
	FAILS(eni_unassign_ips(m, p, true, v6, 1), "InvalidIp.IpUnassigned");
	set_inst_status(inst, "Running");
	OK(eni_assign_ips(m, p, true, v6, 1, 0, NULL));
	json_decref(after);
	json_decref(e);
}

Test(eni, net15_type_without_ipv6)
{
	make_world();
	char inst[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){.itype = "ecs.s2.small"}, inst);
	primary_of(inst, p);
	FAILS(eni_assign_ips(m, p, true, NULL, 0, 1, NULL), "InvalidOperation.Ipv6NotSupport");
}

/* --- NET-20: attach ------------------------------------------------------------------ */

Test(eni, net20_attach_goes_attaching_then_inuse)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	const char *id = mj_str(e, "id");
	char inst[ID_LEN], st[32];
	mk_inst((struct inst_opts){.status = "Stopped"}, inst);
	OK(eni_attach(m, id, inst));
	cr_assert_str_eq(status_of(id, st), "Attaching"); /* G-6 */
	json_t *a = get(id);
	cr_assert_str_eq(mj_str(a, "instance_id"), inst);
	cr_assert_eq(mj_int(a, "device_index"), 1);
	json_decref(a);
	fx_settle_all(&fx);
	cr_assert_str_eq(status_of(id, st), "InUse");
	json_t *l = NULL;
	{
		struct model *m = fx_begin(&fx);
		l = eni_list_for_instance(m, inst);
		fx_abort(&fx);
	}
	cr_assert_eq(json_array_size(l), 2);
	cr_assert_str_eq(mj_str(json_array_get(l, 0), "type"), "Primary", "primary first");
	cr_assert_str_eq(mj_str(json_array_get(l, 1), "id"), id);
	json_decref(l);
	json_decref(e);
}

Test(eni, net20_attach_never_raises_bandwidth)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	char inst[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	OK(eni_attach(m, mj_str(e, "id"), inst));
	fx_settle_all(&fx);
	json_t *i = get(inst);
	cr_assert_eq(mj_int(i, "bw_out"), 5);
	cr_assert_eq(mj_int(i, "bw_in"), 100);
	json_decref(i);
	json_decref(e);
}

Test(eni, net20_attach_needs_running_or_stopped_vpc_instance)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	const char *id = mj_str(e, "id");
	char inst[ID_LEN], classic[ID_LEN];
	mk_inst((struct inst_opts){.status = "Pending"}, inst);
	FAILS(eni_attach(m, id, inst), "IncorrectInstanceStatus");
	set_inst_status(inst, "Stopping");
	FAILS(eni_attach(m, id, inst), "IncorrectInstanceStatus");
	mk_inst((struct inst_opts){.network = "classic"}, classic);
	FAILS(eni_attach(m, id, classic), "InvalidOperation.InvalidEcsState");
	FAILS(eni_attach(m, id, "i-nothere00000000000000"), "InvalidInstanceId.NotFound");
	json_decref(e);
}

Test(eni, net20_attach_needs_same_vpc_and_zone)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	const char *id = mj_str(e, "id");
	char other_vpc[ID_LEN], other_zone[ID_LEN], other_vsw[ID_LEN];
	mk_inst((struct inst_opts){.vsw = w.vsw2, .sg = w.sg_vpc2}, other_vpc);
	FAILS(eni_attach(m, id, other_vpc), "InvalidOperation.VpcMismatch");
	mk_inst((struct inst_opts){.vsw = w.vsw_b}, other_zone);
	FAILS(eni_attach(m, id, other_zone), "InvalidOperation.AvailabilityZoneMismatch");
	/* The vSwitch may differ within the zone. */
	mk_inst((struct inst_opts){.vsw = w.vsw_a2}, other_vsw);
	OK(eni_attach(m, id, other_vsw));
	json_decref(e);
}

Test(eni, net20_attach_needs_io_optimized_and_room)
{
	make_world();
	json_t *e1 = mk_eni((struct eni_opts){0});
	json_t *e2 = mk_eni((struct eni_opts){0});
	json_t *e3 = mk_eni((struct eni_opts){0});
	char small[ID_LEN], inst[ID_LEN];
	mk_inst((struct inst_opts){.itype = "ecs.s2.small"}, small);
	FAILS(eni_attach(m, mj_str(e1, "id"), small), "InvalidOperation.InvalidEcsState");
	mk_inst((struct inst_opts){0}, inst); /* ecs.g6.large: 3 ENIs with the primary */
	OK(eni_attach(m, mj_str(e1, "id"), inst));
	OK(eni_attach(m, mj_str(e2, "id"), inst));
	FAILS(eni_attach(m, mj_str(e3, "id"), inst), "EniPerInstanceLimitExceeded");
	cr_assert_eq(merr_status(fx.m.err.code), 403);
	fx_settle_all(&fx);
	json_t *a = get(mj_str(e2, "id"));
	cr_assert_eq(mj_int(a, "device_index"), 2);
	json_decref(a);
	json_decref(e1);
	json_decref(e2);
	json_decref(e3);
}

Test(eni, net20_one_instance_at_a_time)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	char a[ID_LEN], b[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){0}, a);
	mk_inst((struct inst_opts){0}, b);
	OK(eni_attach(m, mj_str(e, "id"), a));
	FAILS(eni_attach(m, mj_str(e, "id"), b), "InvalidOperation.InvalidEniState");
	fx_settle_all(&fx);
	FAILS(eni_attach(m, mj_str(e, "id"), b), "InvalidOperation.InvalidEniState");
	primary_of(a, p);
	FAILS(eni_attach(m, p, b), "InvalidOperation.InvalidEniType");
	json_decref(e);
}

Test(eni, net20_attach_checks_ip_count_against_type)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){.n2 = 7}); /* 8 > ecs.g6.large's 6 */
	char inst[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	FAILS(eni_attach(m, mj_str(e, "id"), inst), "InvalidOperation.Ipv4CountExceeded");
	json_decref(e);
}

Test(eni, net23_attached_eni_has_the_instance_group_type)
{
	make_world();
	json_t *ent = mk_eni((struct eni_opts){.sg = w.sg_ent});
	char inst[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	FAILS(eni_attach(m, mj_str(ent, "id"), inst), "InvalidOperation.MultiGroupType");
	char inst_ent[ID_LEN];
	mk_inst((struct inst_opts){.sg = w.sg_ent}, inst_ent);
	OK(eni_attach(m, mj_str(ent, "id"), inst_ent));
	fx_settle_all(&fx);
	/* Once attached, its groups cannot switch type... */
	const char *normal[] = {w.sg[0]};
	struct eni_modify_req q = {
	    .eni_id = mj_str(ent, "id"), .sg_ids = normal, .n_sg = 1, .delete_on_release = -1};
	FAILS(eni_modify(m, &q), "InvalidOperation.MultiGroupType");
	/* ...nor can the instance's primary ENI. */
	char p[ID_LEN];
	q.eni_id = primary_of(inst_ent, p);
	FAILS(eni_modify(m, &q), "InvalidOperation.MultiGroupType");
	json_decref(ent);
}

/* --- NET-21: detach, delete, release --------------------------------------------------- */

Test(eni, net21_detach_secondary_only)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	const char *id = mj_str(e, "id");
	char inst[ID_LEN], p[ID_LEN], st[32];
	mk_inst((struct inst_opts){0}, inst);
	primary_of(inst, p);
	FAILS(eni_detach(m, p, inst), "InvalidOperation.DetachPrimaryEniNotAllowed");
	FAILS(eni_detach(m, id, inst), "InvalidOperation.InvalidEniState"); /* not attached */
	OK(eni_attach(m, id, inst));
	FAILS(eni_detach(m, id, inst), "InvalidOperation.InvalidEniState"); /* Attaching */
	fx_settle_all(&fx);
	set_inst_status(inst, "Starting");
	FAILS(eni_detach(m, id, inst), "IncorrectInstanceStatus");
	set_inst_status(inst, "Stopped");
	OK(eni_detach(m, id, inst));
	cr_assert_str_eq(status_of(id, st), "Detaching");
	fx_settle_all(&fx);
	cr_assert_str_eq(status_of(id, st), "Available");
	json_t *a = get(id);
	cr_assert_str_eq(mj_str(a, "instance_id"), "");
	json_decref(a);
	json_decref(e);
}

Test(eni, net21_delete_frees_addresses_and_groups)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){.n2 = 2, .n6 = 1});
	char id[ID_LEN], ip[NETADDR_STRLEN], sec[NETADDR_STRLEN], v6[NETADDR_STRLEN], st[32];
	copy_id(id, e);
	snprintf(ip, sizeof(ip), "%s", mj_str(e, "primary_ip"));
	snprintf(sec, sizeof(sec), "%s",
		 json_string_value(json_array_get(json_object_get(e, "private_ips"), 0)));
	snprintf(v6, sizeof(v6), "%s",
		 json_string_value(json_array_get(json_object_get(e, "ipv6s"), 0)));
	cr_assert_eq(members(w.sg[0]), 1);
	char inst[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	cr_assert_eq(members(w.sg[0]), 2);
	OK(eni_attach(m, id, inst));
	fx_settle_all(&fx);
	FAILS(eni_delete(m, id), "InvalidOperation.InvalidEniState");
	OK(eni_detach(m, id, inst));
	fx_settle_all(&fx);
	OK(eni_delete(m, id));
	cr_assert_str_eq(status_of(id, st), "Deleting");
	cr_assert_eq(members(w.sg[0]), 1, "it leaves its groups at once");
	FAILS(eni_delete(m, id), "InvalidOperation.InvalidEniState");
	fx_settle_all(&fx);
	cr_assert_str_eq(status_of(id, st), "(gone)");
	cr_assert_not(claimed4(w.vpc, ip));
	cr_assert_not(claimed4(w.vpc, sec));
	cr_assert_not(claimed4(w.vpc, v6));
	json_t *again = mk_eni((struct eni_opts){.ip = ip});
	json_decref(again);
	json_decref(e);
}

Test(eni, net18_primary_eni_cannot_be_deleted)
{
	make_world();
	char inst[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	primary_of(inst, p);
	FAILS(eni_delete(m, p), "InvalidOperation.InvalidEniType");
}

Test(eni, net21_release_instance_takes_attached_enis)
{
	make_world();
	json_t *gone = mk_eni((struct eni_opts){.n2 = 1});
	json_t *kept = mk_eni((struct eni_opts){0});
	char inst[ID_LEN], p[ID_LEN], st[32];
	mk_inst((struct inst_opts){.n6 = 1}, inst);
	primary_of(inst, p);
	json_t *pe = get(p);
	char pip[NETADDR_STRLEN];
	snprintf(pip, sizeof(pip), "%s", mj_str(pe, "primary_ip"));
	OK(eni_attach(m, mj_str(gone, "id"), inst));
	OK(eni_attach(m, mj_str(kept, "id"), inst));
	fx_settle_all(&fx);
	struct eni_modify_req q = {.eni_id = mj_str(kept, "id"), .delete_on_release = 0};
	OK(eni_modify(m, &q));
	{
		struct model *m = fx_begin(&fx);
		json_t *i = m_get(m, inst);
		cr_assert_eq(eni_release_instance(m, i), 0, "%s", merr_message(&m->err));
		cr_assert_eq(m_del(m, i), 0);
		json_decref(i);
		fx_commit(&fx);
	}
	cr_assert_str_eq(status_of(p, st), "(gone)");
	cr_assert_str_eq(status_of(mj_str(gone, "id"), st), "(gone)");
	cr_assert_str_eq(status_of(mj_str(kept, "id"), st), "Available");
	cr_assert_not(claimed4(w.vpc, pip));
	cr_assert_not(claimed4(w.vpc, mj_str(gone, "primary_ip")));
	json_decref(pe);
	json_decref(gone);
	json_decref(kept);
}

/* --- NET-23, NET-24: modify, groups ------------------------------------------------------ */

Test(eni, net23_modify_name_description_groups)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	const char *id = mj_str(e, "id");
	const char *two[] = {w.sg[1], w.sg[2]};
	struct eni_modify_req q = {.eni_id = id,
				   .name = "renamed",
				   .description = "a nic",
				   .sg_ids = two,
				   .n_sg = 2,
				   .delete_on_release = 0};
	OK(eni_modify(m, &q));
	json_t *a = get(id);
	cr_assert_str_eq(mj_str(a, "name"), "renamed");
	cr_assert_str_eq(mj_str(a, "description"), "a nic");
	cr_assert_eq(json_array_size(json_object_get(a, "security_group_ids")), 2);
	cr_assert_not(mj_arr_has_str(a, "security_group_ids", w.sg[0]), "the set is replaced");
	cr_assert_not(mj_bool(a, "delete_on_release"));
	json_decref(a);
	const char *six[] = {w.sg[0], w.sg[1], w.sg[2], w.sg[3], w.sg[4], w.sg[5]};
	q = (struct eni_modify_req){
	    .eni_id = id, .sg_ids = six, .n_sg = 6, .delete_on_release = -1};
	FAILS(eni_modify(m, &q), "InstanceSecurityGroupLimitExceeded");
	const char *other[] = {w.sg_vpc2};
	q.sg_ids = other;
	q.n_sg = 1;
	FAILS(eni_modify(m, &q), "InvalidOperation.VpcMismatch");
	q = (struct eni_modify_req){.eni_id = id, .name = "-bad", .delete_on_release = -1};
	FAILS(eni_modify(m, &q), "InvalidNetworkInterfaceName.Malformed");
	q = (struct eni_modify_req){.eni_id = "eni-nothere000000000000", .delete_on_release = -1};
	FAILS(eni_modify(m, &q), "InvalidEniId.NotFound");
	json_decref(e);
}

Test(eni, net24_queue_number_up_to_the_type)
{
	make_world();
	json_t *x = NULL;
	cr_assert_eq(try_eni((struct eni_opts){.queues = ENI_QUEUE_MAX + 1}, &x), -1);
	fx_assert_err(&fx.m, "InvalidParameter.InvalidEniQueueNumber");
	json_t *e = mk_eni((struct eni_opts){.queues = 4});
	const char *id = mj_str(e, "id");
	cr_assert_eq(mj_int(e, "queue_number"), 4);
	char inst[ID_LEN]; /* ecs.g6.large: 2 queues per NIC */
	mk_inst((struct inst_opts){.status = "Stopped"}, inst);
	FAILS(eni_attach(m, id, inst), "InvalidOperation.MaxEniQueueNumberExceeded");
	struct eni_modify_req q = {.eni_id = id, .queue_number = 2, .delete_on_release = -1};
	OK(eni_modify(m, &q));
	OK(eni_attach(m, id, inst));
	fx_settle_all(&fx);
	q.queue_number = 3;
	FAILS(eni_modify(m, &q), "InvalidOperation.MaxEniQueueNumberExceeded");
	q.queue_number = 1;
	OK(eni_modify(m, &q));
	set_inst_status(inst, "Running");
	q.queue_number = 2;
	FAILS(eni_modify(m, &q), "InvalidOperation.InvalidEcsState");
	json_t *a = get(id);
	cr_assert_eq(mj_int(a, "queue_number"), 1);
	json_decref(a);
	json_decref(e);
}

Test(eni, net23_join_and_leave_an_eni)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	const char *id = mj_str(e, "id");
	OK(eni_join_group(m, NULL, id, w.sg[1]));
	FAILS(eni_join_group(m, NULL, id, w.sg[1]), "InvalidInstanceId.AlreadyExists");
	FAILS(eni_join_group(m, NULL, id, w.sg_ent), "InvalidOperation.MultiGroupType");
	FAILS(eni_join_group(m, NULL, id, w.sg_vpc2), "InvalidOperation.VpcMismatch");
	FAILS(eni_join_group(m, NULL, id, "sg-nothere00000000000"),
	      "InvalidSecurityGroupId.NotFound");
	OK(eni_join_group(m, NULL, id, w.sg[2]));
	OK(eni_join_group(m, NULL, id, w.sg[3]));
	OK(eni_join_group(m, NULL, id, w.sg[4]));
	FAILS(eni_join_group(m, NULL, id, w.sg[5]), "InstanceSecurityGroupLimitExceeded");
	FAILS(eni_leave_group(m, NULL, id, w.sg[5]), "InstanceNotInSecurityGroup");
	for (int i = 0; i < 4; i++)
		OK(eni_leave_group(m, NULL, id, w.sg[i]));
	FAILS(eni_leave_group(m, NULL, id, w.sg[4]), "InstanceLastSecurityGroup");
	FAILS(eni_join_group(m, NULL, NULL, w.sg[1]), "MissingParameter");
	json_decref(e);
}

Test(eni, net23_instance_groups_are_its_primary_enis)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	char inst[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	OK(eni_attach(m, mj_str(e, "id"), inst));
	fx_settle_all(&fx);
	OK(eni_join_group(m, inst, NULL, w.sg[1]));
	json_t *pe = get(primary_of(inst, p));
	json_t *se = get(mj_str(e, "id"));
	cr_assert(mj_arr_has_str(pe, "security_group_ids", w.sg[1]));
	cr_assert_not(mj_arr_has_str(se, "security_group_ids", w.sg[1]), "primary ENI only");
	OK(eni_leave_group(m, inst, NULL, w.sg[0]));
	FAILS(eni_leave_group(m, inst, NULL, w.sg[1]), "InstanceLastSecurityGroup");
	set_inst_status(inst, "Pending");
	FAILS(eni_join_group(m, inst, NULL, w.sg[2]), "IncorrectInstanceStatus");
	json_decref(pe);
	json_decref(se);
	json_decref(e);
}

Test(eni, net23_classic_instance_joins_classic_groups)
{
	make_world();
	char inst[ID_LEN], g2[ID_LEN];
	mk_inst((struct inst_opts){.network = "classic"}, inst);
	mk_sg(NULL, NULL, g2);
	OK(eni_join_group(m, inst, NULL, g2));
	json_t *i = get(inst);
	cr_assert(mj_arr_has_str(i, "security_group_ids", g2));
	json_decref(i);
	FAILS(eni_join_group(m, inst, NULL, w.sg[0]), "InvalidOperation.VpcMismatch");
	OK(eni_leave_group(m, inst, NULL, w.sg_classic));
	FAILS(eni_leave_group(m, inst, NULL, g2), "InstanceLastSecurityGroup");
}

/* --- NET-3, NET-4: the primary ENI --------------------------------------------------------- */

Test(eni, net3_instance_gets_a_primary_eni_with_an_ip_of_its_vswitch)
{
	make_world();
	char inst[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	json_t *e = get(primary_of(inst, p));
	cr_assert_str_eq(mj_str(e, "type"), "Primary");
	cr_assert_str_eq(mj_str(e, "status"), "InUse");
	cr_assert_str_eq(mj_str(e, "instance_id"), inst);
	cr_assert_eq(mj_int(e, "device_index"), 0);
	cr_assert(strncmp(mj_str(e, "primary_ip"), "10.0.1.", 7) == 0);
	struct model *m = fx_begin(&fx);
	json_t *i = m_get(m, inst);
	json_t *got = eni_primary_of(m, i);
	cr_assert_str_eq(mj_str(got, "id"), p);
	json_decref(got);
	json_decref(i);
	fx_abort(&fx);
	char classic[ID_LEN];
	mk_inst((struct inst_opts){.network = "classic"}, classic);
	m = fx_begin(&fx);
	i = m_get(m, classic);
	cr_assert_null(eni_primary_of(m, i));
	fx_assert_err(m, "InvalidOperation.InvalidEcsState");
	json_decref(i);
	fx_abort(&fx);
	json_decref(e);
}

static int move(struct model *m, const char *inst, const char *vsw, const char *ip)
{
	json_t *i = m_get(m, inst);
	int rc = eni_move_primary(m, i, vsw, ip);
	json_decref(i);
	return rc;
}

Test(eni, net4_move_primary_to_another_vswitch_of_the_zone)
{
	make_world();
	char inst[ID_LEN], p[ID_LEN];
	mk_inst((struct inst_opts){.status = "Stopped"}, inst);
	primary_of(inst, p);
	OK(eni_assign_ips(m, p, false, NULL, 0, 1, NULL));
	json_t *before = get(p);
	char old_ip[NETADDR_STRLEN], old_sec[NETADDR_STRLEN];
	snprintf(old_ip, sizeof(old_ip), "%s", mj_str(before, "primary_ip"));
	snprintf(old_sec, sizeof(old_sec), "%s",
		 json_string_value(json_array_get(json_object_get(before, "private_ips"), 0)));
	FAILS(move(m, inst, w.vsw2, NULL), "InvalidVSwitchId.Mismatch");
	FAILS(move(m, inst, w.vsw_b, NULL), "ResourcesNotInSameZone");
	FAILS(move(m, inst, "vsw-nothere00000000000", NULL), "InvalidVSwitchId.NotFound");
	FAILS(move(m, inst, w.vsw_a2, "10.0.1.99"), "InvalidPrivateIpAddress");
	OK(move(m, inst, w.vsw_a2, "10.0.3.10"));
	json_t *after = get(p);
	cr_assert_str_eq(mj_str(after, "vswitch_id"), w.vsw_a2);
	cr_assert_str_eq(mj_str(after, "primary_ip"), "10.0.3.10");
	cr_assert_eq(json_array_size(json_object_get(after, "private_ips")), 0);
	cr_assert_not(claimed4(w.vpc, old_ip));
	cr_assert_not(claimed4(w.vpc, old_sec));
	cr_assert(claimed4(w.vpc, "10.0.3.10"));
	/* Same vSwitch, new address; the old one is freed. */
	OK(move(m, inst, NULL, "10.0.3.11"));
	cr_assert_not(claimed4(w.vpc, "10.0.3.10"));
	cr_assert(claimed4(w.vpc, "10.0.3.11"));
	/* Back with an allocated address. */
	OK(move(m, inst, w.vsw_a, NULL));
	json_t *back = get(p);
	cr_assert(strncmp(mj_str(back, "primary_ip"), "10.0.1.", 7) == 0);
	json_decref(back);
	json_decref(after);
	json_decref(before);
}

/* --- G-1 ---------------------------------------------------------------------------------- */

Test(eni, g1_another_accounts_eni_does_not_exist)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	const char *id = mj_str(e, "id");
	char inst[ID_LEN];
	mk_inst((struct inst_opts){0}, inst);
	fx_as(&fx, fx.other);
	struct eni_modify_req q = {.eni_id = id, .name = "x", .delete_on_release = -1};
	FAILS(eni_modify(m, &q), "InvalidEniId.NotFound");
	FAILS(eni_delete(m, id), "InvalidEniId.NotFound");
	FAILS(eni_attach(m, id, inst), "InvalidEniId.NotFound");
	FAILS(eni_assign_ips(m, id, false, NULL, 0, 1, NULL), "InvalidEniId.NotFound");
	FAILS(eni_join_group(m, NULL, id, w.sg[1]), "InvalidEniId.NotFound");
	struct model *m = fx_begin(&fx);
	json_t *l = m_list(m, "eni", NULL, NULL);
	cr_assert_eq(json_array_size(l), 0);
	json_decref(l);
	l = eni_list_for_instance(m, inst);
	cr_assert_eq(json_array_size(l), 0);
	json_decref(l);
	fx_abort(&fx);
	json_decref(e);
}

Test(eni, g1_id_of_another_kind_is_not_an_eni)
{
	make_world();
	FAILS(eni_delete(m, w.vsw_a), "InvalidEniId.NotFound");
	FAILS(eni_delete(m, "not an id"), "InvalidEniId.NotFound");
}

Test(eni, net21_deleting_an_eni_unbinds_its_eip)
{
	make_world();
	json_t *e = mk_eni((struct eni_opts){0});
	char id[ID_LEN], eip_id[ID_LEN], st[32];
	copy_id(id, e);
	{
		struct model *m = fx_begin(&fx);
		struct eip_alloc_req q = {.bandwidth = 5};
		json_t *eip = NULL;
		cr_assert_eq(eip_allocate(m, &q, &eip), 0, "%s", merr_message(&m->err));
		copy_id(eip_id, eip);
		json_decref(eip);
		fx_commit(&fx);
	}
	struct eip_assoc_req a = {
	    .eip_id = eip_id, .instance_id = id, .instance_type = "NetworkInterface"};
	OK(eip_associate(m, &a));
	fx_settle_all(&fx);
	OK(eni_delete(m, id));
	fx_settle_all(&fx);
	cr_assert_str_eq(status_of(id, st), "(gone)");
	cr_assert_str_eq(status_of(eip_id, st), "Available", "the EIP survives, unbound (NET-7)");
	json_decref(e);
}
