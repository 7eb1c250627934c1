/*
 * Model tests of elastic IPs (NET-5, NET-7, NET-12, NET-30, G-1, G-5, G-6).
 *
 * Instances and ENIs are other areas' resources; these tests write stand-in
 * documents with exactly the fields eip.c reads (model/instance.h,
 * model/eni.h), so they exercise the EIP rules alone.
 */
#include "fixture.h"
#include "model/eip.h"
#include "model/pubip.h"
#include "model/rdns.h"
#include "model/vpc.h"

TestSuite(eip, .init = fx_setup, .fini = fx_teardown);

static const char *vpc_id_of_test = "vpc-eiptest0000000000000";

/* A stand-in VPC instance (or classic one) in the fixture's account. */
static json_t *make_instance(const char *network, const char *status, const char *public_ip)
{
	struct model *m = fx_begin(&fx);
	json_t *inst = model_new_resource(m, "i", status);
	mj_set_str(inst, "network", network);
	mj_set_str(inst, "vpc_id", strcmp(network, "vpc") == 0 ? vpc_id_of_test : "");
	mj_set_str(inst, "private_ip", "10.0.0.5");
	mj_set_str(inst, "public_ip", public_ip);
	mj_set_str(inst, "eip_id", "");
	mj_set_str(inst, "eip_ip", "");
	mj_set_int(inst, "bw_out", 0);
	mj_set_str(inst, "internet_charge", "PayByTraffic");
	cr_assert_eq(m_create(m, inst), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	return inst;
}

/* A stand-in ENI: type "Primary"|"Secondary". */
static json_t *make_eni(const char *type, const char *status)
{
	struct model *m = fx_begin(&fx);
	json_t *eni = model_new_resource(m, "eni", status);
	mj_set_str(eni, "type", type);
	mj_set_str(eni, "vpc_id", vpc_id_of_test);
	mj_set_str(eni, "vswitch_id", "vsw-eiptest0000000000000");
	mj_set_str(eni, "instance_id", "");
	mj_set_str(eni, "primary_ip", "10.0.0.20");
	json_t *sec = json_array();
	json_array_append_new(sec, json_string("10.0.0.21"));
	json_object_set_new(eni, "private_ips", sec);
	mj_set_str(eni, "eip_id", "");
	mj_set_str(eni, "eip_ip", "");
	cr_assert_eq(m_create(m, eni), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	return eni;
}

static json_t *alloc_eip_req(const struct eip_alloc_req *q)
{
	struct model *m = fx_begin(&fx);
	json_t *eip = NULL;
	cr_assert_eq(eip_allocate(m, q, &eip), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	return eip;
}

static json_t *alloc_eip(void)
{
	struct eip_alloc_req q = {.bandwidth = EIP_BW_DEFAULT};
	return alloc_eip_req(&q);
}

/* The stored copy of a resource (NULL when gone). */
static json_t *reload(const char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *o = m_get(m, id);
	fx_abort(&fx);
	return o;
}

static void assert_status(const char *id, const char *status)
{
	json_t *o = reload(id);
	cr_assert_not_null(o, "%s is gone", id);
	cr_assert_str_eq(mj_str(o, "status"), status, "%s is %s, expected %s", id,
			 mj_str(o, "status"), status);
	json_decref(o);
}

static void assoc_ok(const char *eip_id, const char *holder_id, const char *type, const char *ip)
{
	struct model *m = fx_begin(&fx);
	struct eip_assoc_req q = {eip_id, holder_id, type, ip};
	cr_assert_eq(eip_associate(m, &q), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
}

/* Expects the association to fail with `code` and to change nothing. */
static void assoc_fails(const char *eip_id, const char *holder_id, const char *type, const char *ip,
			const char *code)
{
	json_t *before = reload(eip_id);
	struct model *m = fx_begin(&fx);
	struct eip_assoc_req q = {eip_id, holder_id, type, ip};
	cr_assert_eq(eip_associate(m, &q), -1, "association of %s with %s accepted", eip_id,
		     holder_id);
	fx_assert_err(m, code);
	fx_abort(&fx);
	json_t *after = reload(eip_id);
	if (before)
		cr_assert(json_equal(before, after), "a refused association changed the EIP");
	json_decref(before);
	json_decref(after);
}

static bool claimed_by(const char *ip, char *holder)
{
	struct model *m = fx_begin(&fx);
	struct netaddr a;
	cr_assert(netaddr_parse4(ip, &a));
	bool r = m_claimed(m, "public/cn-hangzhou", &a, holder);
	fx_abort(&fx);
	return r;
}

/* --- AllocateEipAddress -------------------------------------------------------- */

Test(eip, net7_allocate_is_available_at_once_with_a_pool_address)
{
	json_t *eip = alloc_eip();
	cr_assert_str_eq(mj_str(eip, "status"), "Available");
	cr_assert(strncmp(mj_str(eip, "id"), "eip-", 4) == 0); /* G-3 */
	cr_assert_str_eq(mj_str(eip, "internet_charge"), "PayByBandwidth");
	cr_assert_str_eq(mj_str(eip, "charge"), "PostPaid");
	cr_assert_str_eq(mj_str(eip, "isp"), "BGP");
	cr_assert_eq(mj_int(eip, "bandwidth"), EIP_BW_DEFAULT);
	struct netaddr a;
	struct netprefix pool;
	netprefix_parse("198.18.0.0/20", &pool);
	cr_assert(netaddr_parse4(mj_str(eip, "ip"), &a));
	cr_assert(netprefix_contains(&pool, &a), "%s is outside the public pool",
		  mj_str(eip, "ip"));
	char holder[RANDID_MAX];
	cr_assert(claimed_by(mj_str(eip, "ip"), holder));
	cr_assert_str_eq(holder, mj_str(eip, "id"), "the EIP holds its address");
	json_t *again = alloc_eip();
	cr_assert_str_neq(mj_str(again, "ip"), mj_str(eip, "ip"), "one address, one EIP");
	json_decref(again);
	json_decref(eip);
}

Test(eip, net7_allocate_refuses_bad_parameters)
{
	static const struct {
		struct eip_alloc_req q;
		const char *why;
	} bad[] = {
	    {{.bandwidth = 0}, "bandwidth 0"},
	    {{.bandwidth = EIP_BW_MAX_BY_BANDWIDTH + 1}, "above the PayByBandwidth limit"},
	    {{.bandwidth = EIP_BW_MAX_BY_TRAFFIC + 1, .internet_charge = "PayByTraffic"},
	     "above the PayByTraffic limit"},
	    {{.bandwidth = 5, .internet_charge = "PayByHour"}, "unknown internet charge"},
	    {{.bandwidth = 5, .charge = "Monthly"}, "unknown charge type"},
	    {{.bandwidth = 5, .charge = "PrePaid", .internet_charge = "PayByTraffic"},
	     "PrePaid by traffic"},
	    {{.bandwidth = 5, .charge = "PrePaid", .period = 10}, "10 months"},
	    {{.bandwidth = 5, .charge = "PrePaid", .period = 6, .pricing_cycle = "Year"},
	     "6 years"},
	    {{.bandwidth = 5, .charge = "PrePaid", .pricing_cycle = "Week"}, "weeks"},
	    {{.bandwidth = 5, .isp = "ChinaTelecom"}, "single-ISP line"},
	    {{.bandwidth = 5, .name = "http://eip"}, "URL name"},
	    {{.bandwidth = 5, .description = "https://x"}, "URL description"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct model *m = fx_begin(&fx);
		cr_assert_eq(eip_allocate(m, &bad[i].q, NULL), -1, "%s accepted", bad[i].why);
		fx_assert_err(m, "InvalidParameter");
		cr_assert(strlen(merr_message(&m->err)) > 10, "a message says what was wrong");
		fx_abort(&fx);
	}
	/* The limits themselves are accepted. */
	struct eip_alloc_req ok = {.bandwidth = EIP_BW_MAX_BY_TRAFFIC,
				   .internet_charge = "PayByTraffic",
				   .name = "1st-eip",
				   .description = ""};
	json_t *eip = alloc_eip_req(&ok);
	cr_assert_str_eq(mj_str(eip, "name"), "1st-eip");
	json_decref(eip);
}

Test(eip, quota_eip_exceeded_changes_nothing)
{
	fx.cfg.quota_default[MODEL_QUOTA_EIP] = 2;
	json_t *a = alloc_eip(), *b = alloc_eip();
	struct model *m = fx_begin(&fx);
	struct eip_alloc_req q = {.bandwidth = 5};
	cr_assert_eq(eip_allocate(m, &q, NULL), -1);
	fx_assert_err(m, "QuotaExceeded.Eip");
	cr_assert_eq(merr_status(m->err.code), 400);
	fx_abort(&fx);
	m = fx_begin(&fx);
	json_t *all = m_list(m, "eip", NULL, NULL);
	cr_assert_eq(json_array_size(all), 2);
	json_decref(all);
	int64_t n;
	struct netprefix pool;
	netprefix_parse("198.18.0.0/20", &pool);
	struct netaddr first = netprefix_first(&pool), last = netprefix_last(&pool);
	cr_assert_eq(m_claim_count(m, "public/cn-hangzhou", &first, &last, &n), 0);
	cr_assert_eq(n, 2, "a refused allocation claims no address");
	fx_abort(&fx);
	/* The quota is per account. */
	fx_as(&fx, fx.other);
	json_t *c = alloc_eip();
	json_decref(c);
	json_decref(a);
	json_decref(b);
}

Test(eip, net7_allocate_exhausted_pool_is_insufficient_public_ip)
{
	/* A /30 pool has two usable addresses. */
	netprefix_parse("198.18.0.0/30", &fx.cfg.regions[0].public_pool);
	json_t *a = alloc_eip(), *b = alloc_eip();
	struct model *m = fx_begin(&fx);
	struct eip_alloc_req q = {.bandwidth = 5};
	cr_assert_eq(eip_allocate(m, &q, NULL), -1);
	fx_assert_err(m, "InsufficientPublicIp");
	fx_abort(&fx);
	json_decref(a);
	json_decref(b);
}

Test(eip, net7_prepaid_is_released_only_after_it_expires)
{
	struct eip_alloc_req q = {.bandwidth = EIP_BW_MAX_PREPAID, .charge = "PrePaid"};
	json_t *eip = alloc_eip_req(&q);
	cr_assert_eq(mj_int(eip, "expires"), fx.now + EIP_MONTH_SECONDS);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, mj_str(eip, "id")), -1);
	fx_assert_err(m, "Forbidden.ChargeTypeIsPrepaid");
	fx_abort(&fx);
	fx.now += EIP_MONTH_SECONDS;
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, mj_str(eip, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_decref(eip);
}

/* --- AssociateEipAddress with an instance ------------------------------------ */

Test(eip, net7_associate_instance_associating_then_inuse)
{
	json_t *eip = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "");
	const char *eid = mj_str(eip, "id"), *iid = mj_str(inst, "id");
	assoc_ok(eid, iid, NULL, NULL);
	json_t *e = reload(eid), *i = reload(iid);
	cr_assert_str_eq(mj_str(e, "status"), "Associating"); /* G-6 */
	cr_assert_str_eq(mj_str(e, "instance_id"), iid);
	cr_assert_str_eq(mj_str(e, "instance_type"), "EcsInstance");
	cr_assert_str_eq(mj_str(e, "private_ip"), "10.0.0.5");
	cr_assert_str_eq(mj_str(e, "vpc_id"), vpc_id_of_test);
	cr_assert_str_eq(mj_str(i, "eip_id"), eid, "both sides agree in one transaction");
	cr_assert_str_eq(mj_str(i, "eip_ip"), mj_str(eip, "ip"));
	fx_settle_all(&fx);
	assert_status(eid, "InUse");
	json_decref(e);
	json_decref(i);
	json_decref(eip);
	json_decref(inst);
}

Test(eip, net5_instance_with_nat_public_ip_takes_no_eip)
{
	json_t *eip = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "198.18.5.5");
	assoc_fails(mj_str(eip, "id"), mj_str(inst, "id"), NULL, NULL,
		    "BIND_INSTANCE_HAVE_PORTMAP_OR_BIND_EIP");
	json_t *i = reload(mj_str(inst, "id"));
	cr_assert_str_eq(mj_str(i, "eip_id"), "", "the refused request changed nothing");
	json_decref(i);
	json_decref(eip);
	json_decref(inst);
}

Test(eip, net7_classic_instance_takes_no_eip)
{
	json_t *eip = alloc_eip();
	json_t *inst = make_instance("classic", "Running", "");
	assoc_fails(mj_str(eip, "id"), mj_str(inst, "id"), NULL, NULL, "OperationDenied");
	json_decref(eip);
	json_decref(inst);
}

Test(eip, net7_instance_must_be_running_or_stopped)
{
	json_t *eip = alloc_eip();
	static const char *const bad[] = {"Pending", "Starting", "Stopping"};
	for (size_t k = 0; k < 3; k++) {
		json_t *inst = make_instance("vpc", bad[k], "");
		assoc_fails(mj_str(eip, "id"), mj_str(inst, "id"), NULL, NULL,
			    "IncorrectInstanceStatus");
		json_decref(inst);
	}
	json_t *stopped = make_instance("vpc", "Stopped", "");
	assoc_ok(mj_str(eip, "id"), mj_str(stopped, "id"), "EcsInstance", "10.0.0.5");
	json_decref(stopped);
	json_decref(eip);
}

Test(eip, net5_one_eip_per_instance_even_while_unassociating)
{
	json_t *a = alloc_eip(), *b = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "");
	const char *iid = mj_str(inst, "id");
	assoc_ok(mj_str(a, "id"), iid, NULL, NULL);
	assoc_fails(mj_str(b, "id"), iid, NULL, NULL, "InvalidAssociation.Duplicated");
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, mj_str(a, "id"), NULL, NULL), 0, "%s",
		     merr_message(&m->err));
	fx_commit(&fx);
	/* a is Unassociating: the data plane may still map it, so b must wait. */
	assoc_fails(mj_str(b, "id"), iid, NULL, NULL, "InvalidAssociation.Duplicated");
	fx_settle_all(&fx);
	assoc_ok(mj_str(b, "id"), iid, NULL, NULL);
	json_decref(a);
	json_decref(b);
	json_decref(inst);
}

Test(eip, net7_only_an_available_eip_is_associated)
{
	json_t *eip = alloc_eip();
	json_t *i1 = make_instance("vpc", "Running", ""), *i2 = make_instance("vpc", "Running", "");
	assoc_ok(mj_str(eip, "id"), mj_str(i1, "id"), NULL, NULL);
	assoc_fails(mj_str(eip, "id"), mj_str(i2, "id"), NULL, NULL, "IncorrectEipStatus");
	fx_settle_all(&fx);
	assoc_fails(mj_str(eip, "id"), mj_str(i2, "id"), NULL, NULL, "IncorrectEipStatus");
	json_decref(eip);
	json_decref(i1);
	json_decref(i2);
}

Test(eip, net7_associate_refuses_unknown_instances_and_types)
{
	json_t *eip = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "");
	json_t *eni = make_eni("Secondary", "Available");
	const char *eid = mj_str(eip, "id");
	assoc_fails(eid, "i-doesnotexist000000000", NULL, NULL, "InvalidInstanId.NotFound");
	assoc_fails(eid, "garbage/../x", NULL, NULL, "InvalidInstanId.NotFound");
	/* An ENI id with InstanceType EcsInstance names no instance, and vice versa. */
	assoc_fails(eid, mj_str(eni, "id"), "EcsInstance", NULL, "InvalidInstanId.NotFound");
	assoc_fails(eid, mj_str(inst, "id"), "NetworkInterface", NULL, "InvalidInstanId.NotFound");
	assoc_fails(eid, mj_str(inst, "id"), "Nat", NULL, "InvalidInstanceType.ValueNotSupported");
	assoc_fails(eid, mj_str(inst, "id"), "HaVip", NULL,
		    "InvalidInstanceType.ValueNotSupported");
	assoc_fails(eid, mj_str(inst, "id"), NULL, "10.0.0.99", "InvalidParameter");
	assoc_fails("eip-doesnotexist00000000", mj_str(inst, "id"), NULL, NULL,
		    "InvalidAllocationId.NotFound");
	/* An id of another kind is no EIP, even though it names a resource. */
	assoc_fails(mj_str(inst, "id"), mj_str(inst, "id"), NULL, NULL,
		    "InvalidAllocationId.NotFound");
	json_decref(eip);
	json_decref(inst);
	json_decref(eni);
}

/* --- AssociateEipAddress with an ENI ----------------------------------------- */

Test(eip, net7_associate_secondary_eni_primary_or_given_ip)
{
	json_t *a = alloc_eip(), *b = alloc_eip();
	json_t *e1 = make_eni("Secondary", "Available"), *e2 = make_eni("Secondary", "InUse");
	assoc_ok(mj_str(a, "id"), mj_str(e1, "id"), "NetworkInterface", NULL);
	assoc_ok(mj_str(b, "id"), mj_str(e2, "id"), "NetworkInterface", "10.0.0.21");
	json_t *ea = reload(mj_str(a, "id")), *eb = reload(mj_str(b, "id"));
	json_t *n1 = reload(mj_str(e1, "id"));
	cr_assert_str_eq(mj_str(ea, "private_ip"), "10.0.0.20", "default: the primary IP");
	cr_assert_str_eq(mj_str(eb, "private_ip"), "10.0.0.21");
	cr_assert_str_eq(mj_str(ea, "instance_type"), "NetworkInterface");
	cr_assert_str_eq(mj_str(n1, "eip_id"), mj_str(a, "id"));
	cr_assert_str_eq(mj_str(n1, "eip_ip"), mj_str(a, "ip"));
	fx_settle_all(&fx);
	assert_status(mj_str(a, "id"), "InUse");
	json_decref(ea);
	json_decref(eb);
	json_decref(n1);
	json_decref(a);
	json_decref(b);
	json_decref(e1);
	json_decref(e2);
}

Test(eip, net7_eni_rules)
{
	json_t *eip = alloc_eip(), *other = alloc_eip();
	json_t *prim = make_eni("Primary", "InUse");
	json_t *att = make_eni("Secondary", "Attaching");
	json_t *ok = make_eni("Secondary", "Available");
	const char *eid = mj_str(eip, "id");
	assoc_fails(eid, mj_str(prim, "id"), "NetworkInterface", NULL, "InvalidParameter");
	assoc_fails(eid, mj_str(att, "id"), "NetworkInterface", NULL,
		    "InvalidStatus.EniStatusNotSupport");
	assoc_fails(eid, mj_str(ok, "id"), "NetworkInterface", "10.9.9.9", "InvalidParameter");
	assoc_ok(eid, mj_str(ok, "id"), "NetworkInterface", NULL);
	assoc_fails(mj_str(other, "id"), mj_str(ok, "id"), "NetworkInterface", "10.0.0.21",
		    "InvalidAssociation.Duplicated");
	json_decref(eip);
	json_decref(other);
	json_decref(prim);
	json_decref(att);
	json_decref(ok);
}

/* --- UnassociateEipAddress ---------------------------------------------------- */

Test(eip, net7_unbind_and_bind_any_number_of_times)
{
	json_t *eip = alloc_eip();
	json_t *i1 = make_instance("vpc", "Running", ""), *i2 = make_instance("vpc", "Stopped", "");
	const char *eid = mj_str(eip, "id");
	for (int round = 0; round < 4; round++) {
		const char *iid = mj_str(round % 2 ? i2 : i1, "id");
		assoc_ok(eid, iid, NULL, NULL);
		fx_settle_all(&fx);
		assert_status(eid, "InUse");
		struct model *m = fx_begin(&fx);
		cr_assert_eq(eip_unassociate(m, eid, iid, "EcsInstance"), 0, "%s",
			     merr_message(&m->err));
		fx_commit(&fx);
		json_t *e = reload(eid), *i = reload(iid);
		cr_assert_str_eq(mj_str(e, "status"), "Unassociating"); /* G-6 */
		cr_assert_str_eq(mj_str(e, "instance_id"), iid, "shown until the agent settles");
		cr_assert_str_eq(mj_str(i, "eip_id"), "", "the holder's fields are cleared");
		cr_assert_str_eq(mj_str(i, "eip_ip"), "");
		json_decref(e);
		json_decref(i);
		fx_settle_all(&fx);
		e = reload(eid);
		cr_assert_str_eq(mj_str(e, "status"), "Available");
		cr_assert_str_eq(mj_str(e, "instance_id"), "");
		cr_assert_str_eq(mj_str(e, "private_ip"), "");
		cr_assert_str_eq(mj_str(e, "ip"), mj_str(eip, "ip"), "the address stays");
		json_decref(e);
	}
	json_decref(eip);
	json_decref(i1);
	json_decref(i2);
}

Test(eip, net7_unassociate_rules)
{
	json_t *eip = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "");
	const char *eid = mj_str(eip, "id"), *iid = mj_str(inst, "id");
	struct model *m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, eid, NULL, NULL), -1, "an Available EIP is not bound");
	fx_assert_err(m, "IncorrectEipStatus");
	fx_abort(&fx);
	assoc_ok(eid, iid, NULL, NULL);
	m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, eid, NULL, NULL), -1, "Associating: queries only");
	fx_assert_err(m, "IncorrectEipStatus");
	fx_abort(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, eid, "i-someoneelse00000000000", NULL), -1);
	fx_assert_err(m, "InvalidBindingStatus");
	fx_abort(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, eid, iid, "NetworkInterface"), -1);
	fx_assert_err(m, "InvalidBindingStatus");
	fx_abort(&fx);
	/* The instance is stopping: IncorrectInstanceStatus. */
	m = fx_begin(&fx);
	json_t *i = m_get(m, iid);
	mj_set_str(i, "status", "Stopping");
	cr_assert_eq(m_put(m, i), 0);
	fx_commit(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, eid, iid, NULL), -1);
	fx_assert_err(m, "IncorrectInstanceStatus");
	fx_abort(&fx);
	assert_status(eid, "InUse");
	json_decref(i);
	json_decref(eip);
	json_decref(inst);
}

Test(eip, net7_unassociate_eni)
{
	json_t *eip = alloc_eip();
	json_t *eni = make_eni("Secondary", "InUse");
	assoc_ok(mj_str(eip, "id"), mj_str(eni, "id"), "NetworkInterface", NULL);
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, mj_str(eip, "id"), mj_str(eni, "id"), "NetworkInterface"),
		     0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *n = reload(mj_str(eni, "id"));
	cr_assert_str_eq(mj_str(n, "eip_id"), "");
	fx_settle_all(&fx);
	assert_status(mj_str(eip, "id"), "Available");
	json_decref(n);
	json_decref(eip);
	json_decref(eni);
}

/* --- ReleaseEipAddress --------------------------------------------------------- */

Test(eip, net7_release_needs_unbound)
{
	json_t *eip = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "");
	const char *eid = mj_str(eip, "id");
	assoc_ok(eid, mj_str(inst, "id"), NULL, NULL);
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, eid), -1);
	fx_assert_err(m, "IncorrectEipStatus");
	fx_abort(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, eid, NULL, NULL), 0);
	fx_commit(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, eid), -1, "Unassociating is not yet unbound");
	fx_assert_err(m, "IncorrectEipStatus");
	fx_abort(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, eid), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	assert_status(eid, "Releasing"); /* G-6 */
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, eid), -1, "Releasing: queries only");
	fx_assert_err(m, "IncorrectEipStatus");
	fx_abort(&fx);
	fx_settle_all(&fx);
	json_t *gone = reload(eid);
	cr_assert_null(gone, "the agent finished the release");
	cr_assert_not(claimed_by(mj_str(eip, "ip"), NULL), "the address went back to the pool");
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, eid), -1);
	fx_assert_err(m, "InvalidAllocationId.NotFound");
	fx_abort(&fx);
	json_decref(eip);
	json_decref(inst);
}

Test(eip, net30_release_forgets_the_ptr_name)
{
	json_t *eip = alloc_eip();
	const char *ip = mj_str(eip, "ip");
	struct model *m = fx_begin(&fx);
	m->admin = true;
	cr_assert_eq(rdns_set(m, ip, "mail.example.com"), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, mj_str(eip, "id")), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	json_t *names = rdns_list(m);
	fx_abort(&fx);
	cr_assert_eq(json_array_size(names), 0, "the PTR went with the address");
	json_decref(names);
	/* The next holder of the address inherits no name. */
	json_t *next = alloc_eip();
	cr_assert_str_eq(mj_str(next, "ip"), ip, "the lowest free address is reused");
	json_decref(next);
	json_decref(eip);
}

/* --- ModifyEipAddressAttribute ---------------------------------------------------- */

Test(eip, net8_modify_bandwidth_name_description)
{
	struct eip_alloc_req q = {.bandwidth = 5, .internet_charge = "PayByTraffic"};
	json_t *eip = alloc_eip_req(&q);
	const char *eid = mj_str(eip, "id");
	struct model *m = fx_begin(&fx);
	struct eip_modify_req r = {eid, 100, "web", "front door"};
	cr_assert_eq(eip_modify(m, &r), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_t *e = reload(eid);
	cr_assert_eq(mj_int(e, "bandwidth"), 100);
	cr_assert_str_eq(mj_str(e, "name"), "web");
	cr_assert_str_eq(mj_str(e, "description"), "front door");
	json_decref(e);
	/* PayByTraffic stops at 200 Mbit/s; nothing changes on a refusal. */
	struct eip_modify_req too_big = {eid, EIP_BW_MAX_BY_TRAFFIC + 1, "other", NULL};
	m = fx_begin(&fx);
	cr_assert_eq(eip_modify(m, &too_big), -1);
	fx_assert_err(m, "InvalidParameter");
	fx_abort(&fx);
	struct eip_modify_req bad_name = {eid, -1, "https://x", NULL};
	m = fx_begin(&fx);
	cr_assert_eq(eip_modify(m, &bad_name), -1);
	fx_assert_err(m, "InvalidParameter");
	fx_abort(&fx);
	e = reload(eid);
	cr_assert_str_eq(mj_str(e, "name"), "web");
	json_decref(e);
	/* Releasing: queries only. */
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, eid), 0);
	fx_commit(&fx);
	struct eip_modify_req name_only = {eid, -1, "late", NULL};
	m = fx_begin(&fx);
	cr_assert_eq(eip_modify(m, &name_only), -1);
	fx_assert_err(m, "IncorrectEipStatus");
	fx_abort(&fx);
	json_decref(eip);
}

/* --- The holder goes away (NET-7) ------------------------------------------------ */

Test(eip, net7_eip_survives_its_instance)
{
	json_t *a = alloc_eip(), *b = alloc_eip();
	json_t *i1 = make_instance("vpc", "Running", ""), *eni = make_eni("Secondary", "InUse");
	assoc_ok(mj_str(a, "id"), mj_str(i1, "id"), NULL, NULL);
	fx_settle_all(&fx);
	assoc_ok(mj_str(b, "id"), mj_str(eni, "id"), "NetworkInterface", NULL); /* Associating */
	/* The instance area releases the instance, the ENI area the ENI. */
	struct model *m = fx_begin(&fx);
	json_t *i = m_get(m, mj_str(i1, "id")), *n = m_get(m, mj_str(eni, "id"));
	cr_assert_eq(eip_unbind_from(m, i), 0, "%s", merr_message(&m->err));
	cr_assert_eq(eip_unbind_from(m, n), 0, "%s", merr_message(&m->err));
	cr_assert_str_eq(mj_str(i, "eip_id"), "");
	cr_assert_eq(m_del(m, i), 0);
	cr_assert_eq(m_del(m, n), 0);
	fx_commit(&fx);
	json_decref(i);
	json_decref(n);
	fx_settle_all(&fx);
	const char *ids[] = {mj_str(a, "id"), mj_str(b, "id")};
	for (int k = 0; k < 2; k++) {
		json_t *e = reload(ids[k]);
		cr_assert_not_null(e, "the EIP survives its holder");
		cr_assert_str_eq(mj_str(e, "status"), "Available");
		cr_assert_str_eq(mj_str(e, "instance_id"), "");
		cr_assert_not(settle_pending(e));
		json_decref(e);
	}
	/* Unbound, it is released normally. */
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, mj_str(a, "id")), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	/* An instance without EIP: nothing to do. */
	json_t *lone = make_instance("vpc", "Running", "");
	m = fx_begin(&fx);
	cr_assert_eq(eip_unbind_from(m, lone), 0);
	fx_abort(&fx);
	json_decref(lone);
	json_decref(a);
	json_decref(b);
	json_decref(i1);
	json_decref(eni);
}

/* --- ConvertNatPublicIpToEip (NET-12) ------------------------------------------- */

static json_t *make_instance_with_nat_ip(int64_t bw_out, const char *ic)
{
	json_t *inst = make_instance("vpc", "Running", "");
	struct model *m = fx_begin(&fx);
	char ip[NETADDR_STRLEN];
	cr_assert_eq(pubip_alloc(m, fx.owner, mj_str(inst, "id"), ip), 0, "%s",
		     merr_message(&m->err));
	mj_set_str(inst, "public_ip", ip);
	mj_set_int(inst, "bw_out", bw_out);
	mj_set_str(inst, "internet_charge", ic);
	cr_assert_eq(m_put(m, inst), 0);
	fx_commit(&fx);
	return inst;
}

Test(eip, net12_adopt_nat_ip_keeps_address_and_billing)
{
	json_t *inst = make_instance_with_nat_ip(10, "PayByTraffic");
	const char *ip = mj_str(inst, "public_ip");
	char was[NETADDR_STRLEN];
	snprintf(was, sizeof(was), "%s", ip);
	struct model *m = fx_begin(&fx);
	json_t *i = m_get(m, mj_str(inst, "id")), *eip = NULL;
	cr_assert_eq(eip_adopt_nat_ip(m, i, &eip), 0, "%s", merr_message(&m->err));
	cr_assert_str_eq(mj_str(i, "public_ip"), "", "no NatPublicIp any more (NET-5)");
	cr_assert_str_eq(mj_str(i, "eip_id"), mj_str(eip, "id"));
	cr_assert_str_eq(mj_str(i, "eip_ip"), was);
	cr_assert_eq(m_put(m, i), 0);
	fx_commit(&fx);
	cr_assert_str_eq(mj_str(eip, "ip"), was, "the same address");
	cr_assert_str_eq(mj_str(eip, "status"), "InUse", "no interruption: no transition");
	cr_assert_not(settle_pending(eip));
	cr_assert_eq(mj_int(eip, "bandwidth"), 10);
	cr_assert_str_eq(mj_str(eip, "internet_charge"), "PayByTraffic");
	cr_assert_str_eq(mj_str(eip, "charge"), "PostPaid");
	cr_assert_str_eq(mj_str(eip, "instance_id"), mj_str(inst, "id"));
	cr_assert_str_eq(mj_str(eip, "private_ip"), "10.0.0.5");
	char holder[RANDID_MAX];
	cr_assert(claimed_by(was, holder));
	cr_assert_str_eq(holder, mj_str(eip, "id"), "the claim moved to the EIP");
	/* Now an ordinary EIP: unbound and released like any other. */
	m = fx_begin(&fx);
	cr_assert_eq(eip_unassociate(m, mj_str(eip, "id"), NULL, NULL), 0, "%s",
		     merr_message(&m->err));
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, mj_str(eip, "id")), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	cr_assert_not(claimed_by(was, NULL));
	json_decref(i);
	json_decref(eip);
	json_decref(inst);
}

Test(eip, net12_adopt_counts_against_the_eip_quota)
{
	fx.cfg.quota_default[MODEL_QUOTA_EIP] = 1;
	json_t *held = alloc_eip();
	json_t *inst = make_instance_with_nat_ip(5, "PayByTraffic");
	struct model *m = fx_begin(&fx);
	json_t *i = m_get(m, mj_str(inst, "id"));
	cr_assert_eq(eip_adopt_nat_ip(m, i, NULL), -1);
	fx_assert_err(m, "QuotaExceeded.Eip");
	cr_assert_str_eq(mj_str(i, "public_ip"), mj_str(inst, "public_ip"), "inst unchanged");
	fx_abort(&fx);
	json_decref(i);
	json_decref(held);
	json_decref(inst);
}

/* --- Tenancy (G-1) ------------------------------------------------------------------ */

Test(eip, g1_another_accounts_eip_and_instance_do_not_exist)
{
	json_t *eip = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "");
	const char *eid = mj_str(eip, "id");
	fx_as(&fx, fx.other);
	json_t *mine = alloc_eip();
	/* Bob names Alice's EIP: it does not exist for him. */
	assoc_fails(eid, "i-whatever00000000000000", NULL, NULL, "InvalidAllocationId.NotFound");
	struct model *m = fx_begin(&fx);
	cr_assert_eq(eip_release(m, eid), -1);
	fx_assert_err(m, "InvalidAllocationId.NotFound");
	cr_assert_eq(eip_unassociate(m, eid, NULL, NULL), -1);
	fx_assert_err(m, "InvalidAllocationId.NotFound");
	struct eip_modify_req r = {eid, 10, NULL, NULL};
	cr_assert_eq(eip_modify(m, &r), -1);
	fx_assert_err(m, "InvalidAllocationId.NotFound");
	json_t *list = m_list(m, "eip", NULL, NULL);
	cr_assert_eq(json_array_size(list), 1, "Bob sees only his own EIP");
	json_decref(list);
	fx_abort(&fx);
	/* Bob names Alice's instance for his own EIP: it does not exist either. */
	assoc_fails(mj_str(mine, "id"), mj_str(inst, "id"), NULL, NULL, "InvalidInstanId.NotFound");
	fx_as(&fx, fx.owner);
	json_t *i = reload(mj_str(inst, "id"));
	cr_assert_str_eq(mj_str(i, "eip_id"), "");
	assert_status(eid, "Available");
	json_decref(i);
	json_decref(mine);
	json_decref(eip);
	json_decref(inst);
}

Test(eip, net21_instance_release_unbinds_eips_of_its_attached_enis)
{
	json_t *a = alloc_eip(), *b = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "");
	json_t *att = make_eni("Secondary", "InUse"), *free_eni = make_eni("Secondary", "InUse");
	struct model *m = fx_begin(&fx);
	json_t *n = m_get(m, mj_str(att, "id"));
	mj_set_str(n, "instance_id", mj_str(inst, "id"));
	cr_assert_eq(m_put(m, n), 0);
	fx_commit(&fx);
	json_decref(n);
	assoc_ok(mj_str(a, "id"), mj_str(att, "id"), "NetworkInterface", NULL);
	assoc_ok(mj_str(b, "id"), mj_str(free_eni, "id"), "NetworkInterface", NULL);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	json_t *i = m_get(m, mj_str(inst, "id"));
	cr_assert_eq(eip_unbind_from(m, i), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	json_decref(i);
	assert_status(mj_str(a, "id"), "Available"); /* its ENI goes with the instance */
	assert_status(mj_str(b, "id"), "InUse");     /* another instance's ENI keeps its EIP */
	json_decref(a);
	json_decref(b);
	json_decref(inst);
	json_decref(att);
	json_decref(free_eni);
}

Test(eip, net7_eip_and_instance_must_share_a_region)
{
	json_t *eip = alloc_eip();
	json_t *inst = make_instance("vpc", "Running", "");
	struct model *m = fx_begin(&fx);
	json_t *i = m_get(m, mj_str(inst, "id"));
	mj_set_str(i, "region", "cn-shanghai");
	cr_assert_eq(m_put(m, i), 0);
	fx_commit(&fx);
	json_decref(i);
	/* With RegionId the other region's instance is not found at all... */
	assoc_fails(mj_str(eip, "id"), mj_str(inst, "id"), NULL, NULL, "InvalidInstanId.NotFound");
	/* ...and without it (RegionId is optional here) the regions must agree. */
	m = fx_begin(&fx);
	m->region = NULL;
	struct eip_assoc_req q = {mj_str(eip, "id"), mj_str(inst, "id"), NULL, NULL};
	cr_assert_eq(eip_associate(m, &q), -1);
	fx_assert_err(m, "InvalidParameter.Mismatch");
	fx_abort(&fx);
	assert_status(mj_str(eip, "id"), "Available");
	json_decref(eip);
	json_decref(inst);
}
