/*
 * Model tests of ClassicLink (NET-27) and classic-to-VPC migration (NET-26),
 * on the real vpc, vswitch, secgroup, instance and eni modules.
 */
#include "fixture.h"
#include "model/classic.h"
#include "model/eni.h"
#include "model/instance.h"
#include "model/schedule.h"
#include "model/secgroup.h"
#include "model/vpc.h"
#include "model/vswitch.h"

TestSuite(classic, .init = fx_setup, .fini = fx_teardown);

struct world {
	char vpc[RANDID_MAX], vsw_a[RANDID_MAX], vsw_b[RANDID_MAX];
	char vpc_sg[RANDID_MAX], classic_sg[RANDID_MAX], classic_i[RANDID_MAX];
};

static void cp(char *dst, const json_t *o)
{
	snprintf(dst, RANDID_MAX, "%s", mj_str(o, "id"));
}

static void run_instance(const char *vsw, const char *sg, int64_t bw, char *out)
{
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {sg};
	struct instance_create_req q = {.zone_id = vsw ? NULL : "cn-hangzhou-a",
					.vswitch_id = vsw,
					.sg_ids = sgs,
					.n_sg = 1,
					.itype = "ecs.g6.large",
					.bw_out = bw,
					.start = true};
	json_t *ids = NULL;
	cr_assert_eq(instance_create(m, &q, 1, &ids), 0, "%s", merr_message(&m->err));
	snprintf(out, RANDID_MAX, "%s", json_string_value(json_array_get(ids, 0)));
	json_decref(ids);
	fx_commit(&fx);
	fx_settle_all(&fx);
}

static void build(struct world *w)
{
	struct model *m = fx_begin(&fx);
	json_t *o;
	struct vpc_create_req vq = {.cidr = "10.0.0.0/16"};
	cr_assert_eq(vpc_create(m, &vq, &o), 0);
	cp(w->vpc, o);
	json_decref(o);
	fx_commit(&fx);
	fx_settle_all(&fx);
	m = fx_begin(&fx);
	struct vswitch_create_req sa = {
	    .vpc_id = w->vpc, .zone_id = "cn-hangzhou-a", .cidr = "10.0.1.0/24", .ipv6_index = -1};
	struct vswitch_create_req sb = {
	    .vpc_id = w->vpc, .zone_id = "cn-hangzhou-b", .cidr = "10.0.2.0/24", .ipv6_index = -1};
	cr_assert_eq(vswitch_create(m, &sa, &o), 0, "%s", merr_message(&m->err));
	cp(w->vsw_a, o);
	json_decref(o);
	cr_assert_eq(vswitch_create(m, &sb, &o), 0);
	cp(w->vsw_b, o);
	json_decref(o);
	struct sg_create_req g1 = {.vpc_id = w->vpc}, g2 = {0};
	cr_assert_eq(sg_create(m, &g1, &o), 0);
	cp(w->vpc_sg, o);
	json_decref(o);
	cr_assert_eq(sg_create(m, &g2, &o), 0);
	cp(w->classic_sg, o);
	json_decref(o);
	fx_commit(&fx);
	fx_settle_all(&fx);
	run_instance(NULL, w->classic_sg, 5, w->classic_i);
}

static json_t *get(const char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *o = m_get(m, id);
	fx_abort(&fx);
	return o;
}

Test(classic, net27_link_needs_classiclink_enabled_vpc)
{
	struct world w;
	build(&w);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(classiclink_attach(m, w.classic_i, w.vpc), -1);
	fx_assert_err(m, "OperationDenied");
	cr_assert_eq(vpc_set_classiclink(m, w.vpc, true), 0);
	cr_assert_eq(classiclink_attach(m, w.classic_i, w.vpc), 0, "%s", merr_message(&m->err));
	cr_assert_eq(classiclink_attach(m, w.classic_i, w.vpc), -1, "one VPC per instance");
	fx_assert_err(m, "InvalidParameter.InvalidInstanceIdAndVpcId");
	json_t *links = classiclink_list(m, w.vpc, NULL);
	cr_assert_eq(json_array_size(links), 1);
	cr_assert_str_eq(mj_str(json_array_get(links, 0), "status"), "Connected");
	json_decref(links);
	cr_assert_eq(vpc_set_classiclink(m, w.vpc, false), -1, "linked instances keep it on");
	fx_assert_err(m, "DependencyViolation.ClassicLink");
	fx_commit(&fx);
}

Test(classic, net27_vpc_instances_and_other_accounts_cannot_link)
{
	struct world w;
	char vi[RANDID_MAX];
	build(&w);
	run_instance(w.vsw_a, w.vpc_sg, 0, vi);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_set_classiclink(m, w.vpc, true), 0);
	cr_assert_eq(classiclink_attach(m, vi, w.vpc), -1);
	fx_assert_err(m, "OperationDenied");
	fx_commit(&fx);
	fx_as(&fx, fx.other);
	m = fx_begin(&fx);
	cr_assert_eq(classiclink_attach(m, w.classic_i, w.vpc), -1);
	fx_assert_err(m, "InvalidInstanceId.NotFound");
	fx_abort(&fx);
}

Test(classic, net27_quota_per_vpc)
{
	struct world w;
	char second[RANDID_MAX];
	build(&w);
	run_instance(NULL, w.classic_sg, 0, second);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(account_set_quota(m, fx.owner, "classiclink-per-vpc", 1), 0);
	cr_assert_eq(vpc_set_classiclink(m, w.vpc, true), 0);
	cr_assert_eq(classiclink_attach(m, w.classic_i, w.vpc), 0);
	cr_assert_eq(classiclink_attach(m, second, w.vpc), -1);
	fx_assert_err(m, "QuotaExceeded");
	fx_commit(&fx);
}

Test(classic, net27_rules_open_the_chosen_direction_and_sg_evaluate_honours_them)
{
	struct world w;
	char vi[RANDID_MAX], rid[RANDID_MAX];
	build(&w);
	run_instance(w.vsw_a, w.vpc_sg, 0, vi);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_set_classiclink(m, w.vpc, true), 0);
	cr_assert_eq(classiclink_attach(m, w.classic_i, w.vpc), 0);
	json_t *ci = m_get(m, w.classic_i), *vinst = m_get(m, vi);
	struct sg_flow f = {
	    .src_nic = w.classic_i, .dst_nic = vi, .proto = 6, .sport = 40000, .dport = 22};
	netaddr_parse(mj_str(ci, "private_ip"), &f.src);
	netaddr_parse(mj_str(vinst, "private_ip"), &f.dst);
	bool ok;
	char why[256];
	cr_assert_eq(sg_evaluate(m, &f, &ok, why, sizeof(why)), 0, "%s", merr_message(&m->err));
	cr_assert_not(ok, "no rule yet: denied (%s)", why);
	struct classiclink_rule_req q = {.classic_sg = w.classic_sg,
					 .vpc_sg = w.vpc_sg,
					 .direction = "classic=>vpc",
					 .protocol = "tcp",
					 .port_range = "22/22",
					 .priority = 1};
	cr_assert_eq(classiclink_rule_add(m, &q, rid), 0, "%s", merr_message(&m->err));
	cr_assert_eq(sg_evaluate(m, &f, &ok, why, sizeof(why)), 0);
	cr_assert(ok, "classic=>vpc admits the classic member on 22 (%s)", why);
	f.dport = 23;
	cr_assert_eq(sg_evaluate(m, &f, &ok, why, sizeof(why)), 0);
	cr_assert_not(ok, "only port 22 was opened");
	/* The reverse direction stays closed. */
	struct sg_flow back = {.src_nic = vi,
			       .dst_nic = w.classic_i,
			       .proto = 6,
			       .sport = 40000,
			       .dport = 22,
			       .src = f.dst,
			       .dst = f.src};
	cr_assert_eq(sg_evaluate(m, &back, &ok, why, sizeof(why)), 0);
	cr_assert_not(ok, "vpc=>classic was not opened");
	cr_assert_eq(classiclink_rule_del(m, w.classic_sg, w.vpc_sg, rid), 0);
	f.dport = 22;
	cr_assert_eq(sg_evaluate(m, &f, &ok, why, sizeof(why)), 0);
	cr_assert_not(ok, "revoked");
	json_decref(ci);
	json_decref(vinst);
	fx_commit(&fx);
}

Test(classic, net27_rule_validation)
{
	struct world w;
	char rid[RANDID_MAX];
	build(&w);
	struct model *m = fx_begin(&fx);
	struct classiclink_rule_req q = {.classic_sg = w.classic_sg,
					 .vpc_sg = w.vpc_sg,
					 .direction = "classic=>vpc",
					 .protocol = "tcp",
					 .port_range = "22/22",
					 .priority = 1};
	cr_assert_eq(classiclink_rule_add(m, &q, rid), -1, "ClassicLink must be enabled");
	fx_assert_err(m, "OperationDenied");
	cr_assert_eq(vpc_set_classiclink(m, w.vpc, true), 0);
	struct classiclink_rule_req swapped = q;
	swapped.classic_sg = w.vpc_sg;
	swapped.vpc_sg = w.classic_sg;
	cr_assert_eq(classiclink_rule_add(m, &swapped, rid), -1);
	fx_assert_err(m, "InvalidSecurityGroup.InvalidNetworkType");
	struct classiclink_rule_req bad = q;
	bad.port_range = "-1/-1";
	cr_assert_eq(classiclink_rule_add(m, &bad, rid), -1);
	fx_assert_err(m, "InvalidIpPortRange.Malformed");
	bad = q;
	bad.priority = 101;
	cr_assert_eq(classiclink_rule_add(m, &bad, rid), -1);
	fx_assert_err(m, "InvalidPriority.ValueNotSupported");
	fx_abort(&fx);
}

/* One scheduler tick; returns how many items moved (ran or failed). */
static int run_due(void)
{
	struct model_sched_stats s;
	cr_assert_eq(model_run_due(fx.st, &fx.cfg, fx.now, &s), 0);
	cr_assert_eq(s.errors, 0, "an item was left for the next tick");
	return s.ran + s.failed;
}

static json_t *schedule(struct world *w, const char *inst, const char *vsw, int64_t at)
{
	struct model *m = fx_begin(&fx);
	const char *insts[] = {inst}, *sgs[] = {w->vpc_sg};
	struct migration_req q = {.instance_ids = insts,
				  .n_instances = 1,
				  .vswitch_id = vsw,
				  .sg_ids = sgs,
				  .n_sg = 1,
				  .execute_at = at};
	json_t *ids = NULL;
	if (migration_schedule(m, &q, &ids) < 0) {
		fx_abort(&fx);
		return NULL;
	}
	fx_commit(&fx);
	return ids;
}

Test(classic, net26_migration_runs_at_its_time_and_keeps_id_and_public_ip)
{
	struct world w;
	build(&w);
	json_t *before = get(w.classic_i);
	json_t *ids = schedule(&w, w.classic_i, w.vsw_a, fx.now + 3600);
	cr_assert_not_null(ids);
	const char *ev = json_string_value(json_array_get(ids, 0));
	cr_assert_eq(run_due(), 0, "not due yet");
	fx.now += 3600;
	cr_assert_eq(run_due(), 1);
	json_t *e = get(ev);
	cr_assert_str_eq(mj_str(e, "status"), "Executing");
	json_decref(e);
	fx.now += fx.cfg.timing.migration_duration - 1;
	cr_assert_eq(run_due(), 0, "the migration takes its time");
	fx.now += 1;
	cr_assert_eq(run_due(), 1);
	e = get(ev);
	cr_assert_str_eq(mj_str(e, "status"), "Executed");
	json_t *after = get(w.classic_i);
	cr_assert_str_eq(mj_str(after, "network"), "vpc");
	cr_assert_str_eq(mj_str(after, "vpc_id"), w.vpc);
	cr_assert_str_eq(mj_str(after, "vswitch_id"), w.vsw_a);
	cr_assert_str_eq(mj_str(after, "public_ip"), mj_str(before, "public_ip"));
	cr_assert_str_neq(mj_str(after, "private_ip"), mj_str(before, "private_ip"));
	cr_assert_str_eq(mj_str(e, "new_private_ip"), mj_str(after, "private_ip"));
	cr_assert(strncmp(mj_str(after, "private_ip"), "10.0.1.", 7) == 0);
	cr_assert_str_neq(mj_str(after, "primary_eni"), "");
	/* The classic internal address is free again. */
	struct model *m = fx_begin(&fx);
	struct netaddr old;
	netaddr_parse(mj_str(before, "private_ip"), &old);
	char scope[MODEL_SCOPE_MAX];
	snprintf(scope, sizeof(scope), "classic/%s", "cn-hangzhou");
	cr_assert_not(m_claimed(m, scope, &old, NULL));
	fx_abort(&fx);
	json_decref(e);
	json_decref(after);
	json_decref(before);
	json_decref(ids);
}

Test(classic, net26_refusals_at_scheduling)
{
	struct world w;
	build(&w);
	cr_assert_null(schedule(&w, w.classic_i, w.vsw_a, fx.now - 1));
	fx_assert_err(&fx.m, "InvalidParameter.ExecuteTime");
	cr_assert_null(schedule(&w, w.classic_i, w.vsw_b, fx.now + 60));
	fx_assert_err(&fx.m, "ResourcesNotInSameZone");
	json_t *ids = schedule(&w, w.classic_i, w.vsw_a, fx.now + 60);
	cr_assert_not_null(ids);
	cr_assert_null(schedule(&w, w.classic_i, w.vsw_a, fx.now + 120));
	fx_assert_err(&fx.m, "InvalidInstanceId.MigrationScheduled");
	json_decref(ids);
}

Test(classic, net26_failed_migration_changes_nothing)
{
	struct world w;
	build(&w);
	json_t *before = get(w.classic_i);
	json_t *ids = schedule(&w, w.classic_i, w.vsw_a, fx.now + 60);
	const char *ev = json_string_value(json_array_get(ids, 0));
	/* The target goes away before the time. */
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vswitch_delete(m, w.vsw_a), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	fx_settle_all(&fx);
	fx.now += 60;
	cr_assert_eq(run_due(), 1);
	json_t *e = get(ev);
	cr_assert_str_eq(mj_str(e, "status"), "Failed");
	cr_assert(strstr(mj_str(e, "reason"), "VSwitch") != NULL, "reason: %s",
		  mj_str(e, "reason"));
	json_t *after = get(w.classic_i);
	cr_assert_str_eq(mj_str(after, "network"), "classic");
	cr_assert_str_eq(mj_str(after, "private_ip"), mj_str(before, "private_ip"));
	cr_assert_eq(run_due(), 0, "a failed event is done");
	json_decref(e);
	json_decref(after);
	json_decref(before);
	json_decref(ids);
}

Test(classic, net26_cancel_only_scheduled)
{
	struct world w;
	build(&w);
	json_t *ids = schedule(&w, w.classic_i, w.vsw_a, fx.now + 60);
	const char *ev = json_string_value(json_array_get(ids, 0));
	struct model *m = fx_begin(&fx);
	cr_assert_eq(migration_cancel(m, ev), 0);
	cr_assert_eq(migration_cancel(m, ev), -1);
	fx_assert_err(m, "InvalidStatus.EventStatus");
	fx_commit(&fx);
	fx.now += 120;
	cr_assert_eq(run_due(), 0, "a cancelled event never runs");
	json_t *after = get(w.classic_i);
	cr_assert_str_eq(mj_str(after, "network"), "classic");
	json_decref(after);
	json_decref(ids);
}

/* Takes every free address of a vSwitch with ENIs of the acting account. */
static void exhaust(const char *vsw, const char *sg)
{
	const char *sgs[] = {sg};
	for (int i = 0; i < 300; i++) {
		struct model *m = fx_begin(&fx);
		struct eni_create_req q = {.vswitch_id = vsw, .sg_ids = sgs, .n_sg = 1};
		json_t *eni = NULL;
		if (eni_create(m, &q, &eni) < 0) {
			fx_abort(&fx);
			return;
		}
		json_decref(eni);
		fx_commit(&fx);
	}
	cr_assert_fail("the vSwitch never filled up");
}

static void tiny_vswitch(const struct world *w, char *out)
{
	struct model *m = fx_begin(&fx);
	json_t *o;
	struct vswitch_create_req q = {
	    .vpc_id = w->vpc, .zone_id = "cn-hangzhou-a", .cidr = "10.0.9.0/29", .ipv6_index = -1};
	cr_assert_eq(vswitch_create(m, &q, &o), 0, "%s", merr_message(&m->err));
	cp(out, o);
	json_decref(o);
	fx_commit(&fx);
	fx_settle_all(&fx);
}

Test(classic, net26_a_failing_migration_ends_failed_and_never_blocks_another_account)
{
	/* Alice's migration targets a vSwitch that is full when it finishes;
	 * Bob's, due at the same time, must still run. */
	struct world a, b;
	build(&a);
	char tiny[RANDID_MAX];
	tiny_vswitch(&a, tiny);
	fx_as(&fx, fx.other);
	build(&b);
	fx_as(&fx, fx.owner);
	json_t *before = get(a.classic_i);
	json_t *ida = schedule(&a, a.classic_i, tiny, fx.now + 60);
	cr_assert_not_null(ida);
	fx_as(&fx, fx.other);
	json_t *idb = schedule(&b, b.classic_i, b.vsw_a, fx.now + 60);
	cr_assert_not_null(idb);
	fx_as(&fx, fx.owner);
	fx.now += 60;
	cr_assert_eq(run_due(), 2, "both start");
	exhaust(tiny, a.vpc_sg);
	fx.now += fx.cfg.timing.migration_duration;
	cr_assert_eq(run_due(), 2, "one finishes, the other fails: neither is left over");
	json_t *ea = get(json_string_value(json_array_get(ida, 0)));
	cr_assert_str_eq(mj_str(ea, "status"), "Failed");
	cr_assert(strstr(mj_str(ea, "reason"), "QuotaExceeded.PrivateIpAddress"), "reason: %s",
		  mj_str(ea, "reason"));
	json_t *after = get(a.classic_i);
	cr_assert_str_eq(mj_str(after, "network"), "classic", "nothing lost");
	cr_assert_str_eq(mj_str(after, "private_ip"), mj_str(before, "private_ip"));
	cr_assert_str_eq(mj_str(after, "status"), "Running", "back from the restart");
	cr_assert_not(mj_bool(after, "migrating"));
	fx_as(&fx, fx.other);
	json_t *eb = get(json_string_value(json_array_get(idb, 0)));
	cr_assert_str_eq(mj_str(eb, "status"), "Executed");
	json_t *ib = get(b.classic_i);
	cr_assert_str_eq(mj_str(ib, "network"), "vpc");
	fx_as(&fx, fx.owner);
	cr_assert_eq(run_due(), 0, "nothing is retried forever");
	json_decref(ib);
	json_decref(eb);
	json_decref(after);
	json_decref(ea);
	json_decref(before);
	json_decref(ida);
	json_decref(idb);
}

Test(classic, net26_a_migrating_instance_takes_no_other_network_change)
{
	struct world w;
	build(&w);
	struct model *m = fx_begin(&fx);
	cr_assert_eq(vpc_set_classiclink(m, w.vpc, true), 0);
	fx_commit(&fx);
	json_t *ids = schedule(&w, w.classic_i, w.vsw_a, fx.now + 60);
	cr_assert_not_null(ids);
	fx.now += 60;
	cr_assert_eq(run_due(), 1);
	json_t *inst = get(w.classic_i);
	cr_assert_str_eq(mj_str(inst, "status"), "Starting", "the instance is restarting");
	json_decref(inst);
	m = fx_begin(&fx);
	cr_assert_eq(classiclink_attach(m, w.classic_i, w.vpc), -1,
		     "a link made now would vanish with the migration");
	cr_assert_eq(instance_stop(m, w.classic_i), -1);
	fx_assert_err(m, "IncorrectInstanceStatus");
	struct instance_netspec_req ns = {.id = w.classic_i, .bw_out = 10, .bw_in = -1};
	cr_assert_eq(instance_modify_netspec(m, &ns), -1);
	fx_assert_err(m, "IncorrectInstanceStatus");
	char ip[NETADDR_STRLEN];
	cr_assert_eq(instance_replace_public_ip(m, w.classic_i, ip), -1);
	cr_assert_eq(instance_delete(m, w.classic_i, true, false), -1);
	cr_assert_eq(eni_join_group(m, w.classic_i, NULL, w.classic_sg), -1);
	fx_abort(&fx);
	fx.now += fx.cfg.timing.migration_duration;
	cr_assert_eq(run_due(), 1);
	inst = get(w.classic_i);
	cr_assert_str_eq(mj_str(inst, "network"), "vpc");
	cr_assert_str_eq(mj_str(inst, "status"), "Running", "the status it had before");
	cr_assert_not(mj_bool(inst, "migrating"));
	json_decref(inst);
	json_decref(ids);
}
