/*
 * Model tests of VPCs (NET-1, NET-15, NET-27, G-1, G-5).
 */
#include "fixture.h"
#include "model/vpc.h"

TestSuite(vpc, .init = fx_setup, .fini = fx_teardown);

static json_t *make_vpc(const char *cidr, bool v6)
{
	struct model *m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = cidr, .enable_ipv6 = v6};
	json_t *vpc = NULL;
	cr_assert_eq(vpc_create(m, &q, &vpc), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	return vpc;
}

Test(vpc, net1_create_pending_then_available)
{
	json_t *vpc = make_vpc("10.0.0.0/16", false);
	cr_assert_str_eq(mj_str(vpc, "status"), "Pending"); /* G-6 */
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	json_t *again = m_get(m, mj_str(vpc, "id"));
	cr_assert_str_eq(mj_str(again, "status"), "Available");
	cr_assert_str_eq(mj_str(again, "cidr"), "10.0.0.0/16");
	json_t *vtb = m_get(m, mj_str(vpc, "route_table_id"));
	cr_assert_not_null(vtb, "the system route table is created with the VPC");
	fx_abort(&fx);
	json_decref(vtb);
	json_decref(again);
	json_decref(vpc);
}

Test(vpc, net1_cidr_rules)
{
	static const struct {
		const char *cidr, *code;
	} bad[] = {
	    {"10.0.0.0/7", "InvalidCirdrBlock.MaskLength"},
	    {"10.0.0.0/29", "InvalidCirdrBlock.MaskLength"},
	    {"10.0.0.1/16", "InvalidCidrBlock.Malformed"},
	    {"100.64.0.0/16", "InvalidCidrBlock.Malformed"},
	    {"127.0.0.0/8", "InvalidCidrBlock.Malformed"},
	    {"169.254.0.0/16", "InvalidCidrBlock.Malformed"},
	    {"224.0.0.0/8", "InvalidCidrBlock.Malformed"},
	    {"fd00::/8", "InvalidCidrBlock.Malformed"},
	    {"banana", "InvalidCidrBlock.Malformed"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct model *m = fx_begin(&fx);
		struct vpc_create_req q = {.cidr = bad[i].cidr};
		cr_assert_eq(vpc_create(m, &q, NULL), -1, "%s accepted", bad[i].cidr);
		fx_assert_err(m, bad[i].code);
		fx_abort(&fx);
	}
}

Test(vpc, net1_private_ranges_repeat_across_vpcs)
{
	json_t *a = make_vpc("192.168.0.0/16", false);
	json_t *b = make_vpc("192.168.0.0/16", false);
	cr_assert_str_neq(mj_str(a, "id"), mj_str(b, "id"));
	json_decref(a);
	json_decref(b);
}

Test(vpc, g1_other_account_sees_nothing)
{
	json_t *vpc = make_vpc(NULL, false);
	cr_assert_str_eq(mj_str(vpc, "cidr"), "172.16.0.0/12");
	fx_as(&fx, fx.other);
	struct model *m = fx_begin(&fx);
	cr_assert_null(m_get(m, mj_str(vpc, "id")));
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), -1);
	fx_assert_err(m, "InvalidVpcId.NotFound");
	json_t *list = m_list(m, "vpc", NULL, NULL);
	cr_assert_eq(json_array_size(list), 0);
	json_decref(list);
	fx_abort(&fx);
	json_decref(vpc);
}

Test(vpc, quota_vpc_per_region)
{
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "vpc", 2), 0);
	fx_commit(&fx);
	json_decref(make_vpc("10.1.0.0/16", false));
	json_decref(make_vpc("10.2.0.0/16", false));
	m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = "10.3.0.0/16"};
	cr_assert_eq(vpc_create(m, &q, NULL), -1);
	fx_assert_err(m, "QuotaExceeded.Vpc");
	fx_abort(&fx);
}

Test(vpc, net15_ipv6_blocks_are_distinct_56s)
{
	json_t *a = make_vpc("10.0.0.0/16", true);
	json_t *b = make_vpc("10.0.0.0/16", false);
	struct netprefix p;
	cr_assert(netprefix_parse(mj_str(a, "ipv6_cidr"), &p));
	cr_assert_eq(p.len, 56);
	cr_assert_str_eq(mj_str(b, "ipv6_cidr"), "");
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	struct vpc_modify_req mq = {.vpc_id = mj_str(b, "id"), .enable_ipv6 = 1};
	cr_assert_eq(vpc_modify(m, &mq), 0);
	json_t *b2 = m_get(m, mj_str(b, "id"));
	cr_assert_str_neq(mj_str(b2, "ipv6_cidr"), "");
	cr_assert_str_neq(mj_str(b2, "ipv6_cidr"), mj_str(a, "ipv6_cidr"));
	fx_commit(&fx);
	json_decref(a);
	json_decref(b);
	json_decref(b2);
}

Test(vpc, g6_delete_needs_available)
{
	json_t *vpc = make_vpc("10.0.0.0/16", false);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), -1);
	fx_assert_err(m, "IncorrectVpcStatus");
	fx_abort(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	m = fx_begin(&fx);
	cr_assert_null(m_get(m, mj_str(vpc, "id")));
	cr_assert_null(m_get(m, mj_str(vpc, "route_table_id")), "the route table goes too");
	fx_abort(&fx);
	json_decref(vpc);
}

Test(vpc, secondary_cidr_no_overlap)
{
	json_t *vpc = make_vpc("10.0.0.0/16", false);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_add_secondary_cidr(m, mj_str(vpc, "id"), "10.0.128.0/17"), -1);
	cr_assert_eq(vpc_add_secondary_cidr(m, mj_str(vpc, "id"), "172.20.0.0/16"), 0);
	cr_assert_eq(vpc_add_secondary_cidr(m, mj_str(vpc, "id"), "172.20.1.0/24"), -1);
	fx_commit(&fx);
	json_decref(vpc);
}

Test(vpc, net27_classiclink_switch)
{
	json_t *vpc = make_vpc("10.0.0.0/16", false);
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_set_classiclink(m, mj_str(vpc, "id"), true), 0);
	json_t *v = m_get(m, mj_str(vpc, "id"));
	cr_assert(mj_bool(v, "classiclink"));
	fx_commit(&fx);
	json_decref(v);
	json_decref(vpc);
}

Test(vpc, g1_ids_of_another_kind_are_not_found)
{
	json_t *vpc = make_vpc("10.0.0.0/16", false);
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	/* The VPC's route table id is a real resource of the caller, but not a VPC. */
	cr_assert_eq(vpc_delete(m, mj_str(vpc, "route_table_id")), -1);
	fx_assert_err(m, "InvalidVpcId.NotFound");
	json_t *vtb = m_get(m, mj_str(vpc, "route_table_id"));
	cr_assert_not_null(vtb, "nothing was deleted");
	json_decref(vtb);
	fx_abort(&fx);
	json_decref(vpc);
}
