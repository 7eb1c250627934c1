/*
 * classic: ClassicLink and classic-to-VPC migration.  See classic.h for the
 * rules and the migration event's state diagram; the functions behind each
 * transition are migration_start(), migration_finish() and migration_failed().
 */
#include "model/classic.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/eni.h"
#include "model/instance.h"
#include "model/schedule.h"
#include "model/secgroup.h"
#include "model/vpc.h"
#include "model/vswitch.h"

#define CLASSIC_LINK_CONNECTED "Connected"

static bool classic_is_classic(const json_t *inst)
{
	return strcmp(mj_str(inst, "network"), "classic") == 0;
}

static bool classic_running_or_stopped(const json_t *inst)
{
	const char *s = mj_str(inst, "status");
	return strcmp(s, "Running") == 0 || strcmp(s, "Stopped") == 0;
}

/* --- ClassicLink ------------------------------------------------------------ */

int classiclink_attach(struct model *m, const char *instance_id, const char *vpc_id)
{
	json_t *inst = instance_need(m, instance_id);
	if (!inst)
		return -1;
	json_t *vpc = NULL;
	int rc = -1;
	if (!classic_is_classic(inst)) {
		merrf(m, MERR_CLASSICLINK_NOT_CLASSIC,
		      "Only classic network instances can be linked; %s is in a VPC.", instance_id);
		goto out;
	}
	if (!classic_running_or_stopped(inst)) {
		merrf(m, MERR_CLASSICLINK_INSTANCE_STATUS,
		      "The instance is %s; it can be linked when Running or Stopped.",
		      mj_str(inst, "status"));
		goto out;
	}
	vpc = m_need(m, vpc_id, MERR_VPC_NOT_FOUND);
	if (!vpc)
		goto out;
	if (!mj_bool(vpc, "classiclink")) {
		merrf(m, MERR_CLASSICLINK_DISABLED,
		      "ClassicLink is not enabled on %s (EnableVpcClassicLink first).", vpc_id);
		goto out;
	}
	const char *cur = mj_str(inst, "classiclink_vpc_id");
	if (cur[0]) {
		merrf(m, MERR_CLASSICLINK_ALREADY,
		      "The instance is already linked to %s; an instance links to one VPC.", cur);
		goto out;
	}
	int64_t n;
	if (m_count_eq(m, "i", "classiclink_vpc_id", vpc_id, &n) < 0)
		goto out;
	if (n >= m_quota(m, MODEL_QUOTA_CLASSICLINK_PER_VPC)) {
		merrf(m, MERR_CLASSICLINK_QUOTA,
		      "The link quota exceeded in this vpc (%lld links).", (long long)n);
		goto out;
	}
	mj_set_str(inst, "classiclink_vpc_id", vpc_id);
	mj_set_str(inst, "classiclink_status", CLASSIC_LINK_CONNECTED);
	rc = m_put(m, inst);
out:
	json_decref(vpc);
	json_decref(inst);
	return rc;
}

int classiclink_detach(struct model *m, const char *instance_id, const char *vpc_id)
{
	json_t *inst = instance_need(m, instance_id);
	if (!inst)
		return -1;
	int rc = -1;
	if (strcmp(mj_str(inst, "classiclink_vpc_id"), vpc_id ? vpc_id : "") != 0 || !vpc_id ||
	    !*vpc_id) {
		merrf(m, MERR_CLASSICLINK_NOT_LINKED, "The instance %s is not linked to %.64s.",
		      instance_id, vpc_id ? vpc_id : "");
		goto out;
	}
	mj_set_str(inst, "classiclink_vpc_id", "");
	json_object_del(inst, "classiclink_status");
	rc = m_put(m, inst);
out:
	json_decref(inst);
	return rc;
}

struct classiclink_filter {
	const char *vpc_id, *instance_id;
};

static bool classiclink_keep(void *arg, json_t *inst)
{
	const struct classiclink_filter *f = arg;
	const char *linked = mj_str(inst, "classiclink_vpc_id");
	return linked[0] && (!f->vpc_id || strcmp(linked, f->vpc_id) == 0) &&
	       (!f->instance_id || strcmp(mj_str(inst, "id"), f->instance_id) == 0);
}

json_t *classiclink_list(struct model *m, const char *vpc_id, const char *instance_id)
{
	struct classiclink_filter f = {vpc_id, instance_id};
	json_t *insts = m_list(m, "i", classiclink_keep, &f);
	if (!insts)
		return NULL;
	json_t *out = json_array();
	size_t i;
	json_t *inst;
	json_array_foreach(insts, i, inst)
	{
		json_t *l = json_object();
		mj_set_str(l, "instance_id", mj_str(inst, "id"));
		mj_set_str(l, "vpc_id", mj_str(inst, "classiclink_vpc_id"));
		mj_set_str(l, "status",
			   mj_str(inst, "classiclink_status")[0]
			       ? mj_str(inst, "classiclink_status")
			       : CLASSIC_LINK_CONNECTED);
		json_array_append_new(out, l);
	}
	json_decref(insts);
	return out;
}

/* --- ClassicLink rules ---------------------------------------------------------- */

static int classiclink_ports(struct model *m, const char *proto, const char *range, int64_t *from,
			     int64_t *to)
{
	bool ported = strcmp(proto, "tcp") == 0 || strcmp(proto, "udp") == 0;
	long a, b;
	char tail;
	if (!range || sscanf(range, "%ld/%ld%c", &a, &b, &tail) != 2)
		return merrf(m, MERR_CLASSICLINK_PORT_RANGE,
			     "PortRange must be \"from/to\" (\"-1/-1\" for every port).");
	if (ported ? (a < 1 || b > 65535 || a > b) : (a != -1 || b != -1))
		return merrf(m, MERR_CLASSICLINK_PORT_RANGE,
			     ported ? "PortRange of tcp/udp must lie within 1/65535."
				    : "PortRange of this protocol must be -1/-1.");
	*from = a;
	*to = b;
	return 0;
}

/* Appends an ingress rule to `to_group` admitting the members of `peer`. */
static void classiclink_append(struct model *m, json_t *to_group, const json_t *peer,
			       const struct classiclink_rule_req *r, int64_t from, int64_t to,
			       const char *link_id)
{
	char id[RANDID_MAX];
	json_t *rule = json_object();
	mj_set_str(rule, "id", model_new_id("sgr", id));
	mj_set_str(rule, "direction", "ingress");
	mj_set_str(rule, "protocol", r->protocol);
	mj_set_int(rule, "port_from", from);
	mj_set_int(rule, "port_to", to);
	mj_set_int(rule, "src_port_from", -1);
	mj_set_int(rule, "src_port_to", -1);
	mj_set_str(rule, "peer_cidr", "");
	mj_set_str(rule, "peer_cidr6", "");
	mj_set_str(rule, "peer_group", mj_str(peer, "id"));
	mj_set_int(rule, "peer_owner", 0);
	mj_set_str(rule, "policy", r->policy && *r->policy ? r->policy : "accept");
	mj_set_int(rule, "priority", r->priority);
	mj_set_str(rule, "nic_type", "intranet");
	mj_set_str(rule, "description", r->description);
	mj_set_int(rule, "created", m->now);
	mj_set_bool(rule, "classiclink", true);
	mj_set_str(rule, "classiclink_rule_id", link_id);
	json_t *rules = json_object_get(to_group, "rules");
	if (!json_is_array(rules)) {
		rules = json_array();
		json_object_set_new(to_group, "rules", rules);
	}
	json_array_append_new(rules, rule);
}

int classiclink_rule_add(struct model *m, const struct classiclink_rule_req *r, char *rule_id)
{
	static const char *const protos[] = {"tcp", "udp", "icmp", "gre", "all", NULL};
	json_t *csg = m_need(m, r->classic_sg, MERR_SG_NOT_FOUND);
	json_t *vsg = csg ? m_need(m, r->vpc_sg, MERR_SG_NOT_FOUND) : NULL;
	json_t *vpc = NULL;
	int rc = -1;
	if (!vsg)
		goto out;
	if (mj_str(csg, "vpc_id")[0] || !mj_str(vsg, "vpc_id")[0]) {
		merrf(m, MERR_CLASSICLINK_GROUPS,
		      "A ClassicLink rule joins a classic network group (%s) and a VPC group (%s).",
		      r->classic_sg, r->vpc_sg);
		goto out;
	}
	vpc = m_need(m, mj_str(vsg, "vpc_id"), MERR_VPC_NOT_FOUND);
	if (!vpc)
		goto out;
	if (!mj_bool(vpc, "classiclink")) {
		merrf(m, MERR_CLASSICLINK_DISABLED, "ClassicLink is not enabled on %s.",
		      mj_str(vpc, "id"));
		goto out;
	}
	bool in = false, out_dir = false;
	if (r->direction && strcmp(r->direction, "classic<=>vpc") == 0)
		in = out_dir = true;
	else if (r->direction && strcmp(r->direction, "classic=>vpc") == 0)
		in = true;
	else if (r->direction && strcmp(r->direction, "vpc=>classic") == 0)
		out_dir = true;
	else {
		merrf(m, MERR_CLASSICLINK_DIRECTION,
		      "Direction must be classic<=>vpc, classic=>vpc or vpc=>classic.");
		goto out;
	}
	bool known = false;
	for (size_t i = 0; protos[i]; i++)
		known |= r->protocol && strcmp(r->protocol, protos[i]) == 0;
	if (!known) {
		merrf(m, MERR_CLASSICLINK_PROTOCOL,
		      "IpProtocol must be tcp, udp, icmp, gre or all.");
		goto out;
	}
	if (r->priority < 1 || r->priority > 100) {
		merrf(m, MERR_CLASSICLINK_PRIORITY, "Priority must be from 1 to 100.");
		goto out;
	}
	if (r->policy && *r->policy && strcmp(r->policy, "accept") && strcmp(r->policy, "drop")) {
		merrf(m, MERR_CLASSICLINK_PROTOCOL, "Policy must be accept or drop.");
		goto out;
	}
	int64_t from = 0, to = 0;
	if (classiclink_ports(m, r->protocol, r->port_range, &from, &to) < 0)
		goto out;
	model_new_id("clr", rule_id);
	/* classic=>vpc: the VPC group admits the classic group's members. */
	if (in)
		classiclink_append(m, vsg, csg, r, from, to, rule_id);
	if (out_dir)
		classiclink_append(m, csg, vsg, r, from, to, rule_id);
	if ((int64_t)json_array_size(json_object_get(vsg, "rules")) >
		m_quota(m, MODEL_QUOTA_SG_RULE) ||
	    (int64_t)json_array_size(json_object_get(csg, "rules")) >
		m_quota(m, MODEL_QUOTA_SG_RULE)) {
		merrf(m, MERR_CLASSICLINK_RULE_QUOTA,
		      "The limit of authorization records in the security group reaches.");
		goto out;
	}
	rc = m_put(m, vsg) < 0 ? -1 : m_put(m, csg);
out:
	json_decref(vpc);
	json_decref(vsg);
	json_decref(csg);
	return rc;
}

/* Removes the rules of link rule `id` from a group; returns how many went. */
static size_t classiclink_strip(json_t *group, const char *id)
{
	json_t *rules = json_object_get(group, "rules");
	size_t gone = 0;
	for (size_t i = json_array_size(rules); i-- > 0;) {
		if (strcmp(mj_str(json_array_get(rules, i), "classiclink_rule_id"), id) == 0) {
			json_array_remove(rules, i);
			gone++;
		}
	}
	return gone;
}

int classiclink_rule_del(struct model *m, const char *classic_sg, const char *vpc_sg,
			 const char *rule_id)
{
	json_t *csg = m_need(m, classic_sg, MERR_SG_NOT_FOUND);
	json_t *vsg = csg ? m_need(m, vpc_sg, MERR_SG_NOT_FOUND) : NULL;
	int rc = -1;
	if (!vsg)
		goto out;
	if (!rule_id || classiclink_strip(csg, rule_id) + classiclink_strip(vsg, rule_id) == 0) {
		merrf(m, MERR_CLASSICLINK_RULE_NOT_FOUND,
		      "No ClassicLink rule %.64s joins these groups.", rule_id ? rule_id : "");
		goto out;
	}
	rc = m_put(m, vsg) < 0 ? -1 : m_put(m, csg);
out:
	json_decref(vsg);
	json_decref(csg);
	return rc;
}

/* --- migration ------------------------------------------------------------------- */

#define MIG_SCHEDULED "Scheduled"
#define MIG_EXECUTING "Executing"
#define MIG_EXECUTED "Executed"
#define MIG_FAILED "Failed"
#define MIG_CANCELLED "Cancelled"

/* Active events are indexed under /sched/mig/<id> -> owner, so the scheduler
 * tick reads only them instead of scanning every resource. */
static int migration_index(struct model *m, const json_t *ev, bool active)
{
	char key[MODEL_KEY_MAX], val[32];
	snprintf(key, sizeof(key), "/sched/mig/%s", mj_str(ev, "id"));
	int rc;
	if (active) {
		snprintf(val, sizeof(val), "%" PRId64, mj_int(ev, "owner"));
		rc = store_put(m->txn, key, val, strlen(val), NULL);
	} else {
		rc = store_del(m->txn, key);
		if (rc == -ENOENT)
			rc = 0;
	}
	return rc < 0 ? merr_store(m, rc, key) : 0;
}

/* Checks that the migration can run now; 0, or -1 with the reason in m->err. */
static int migration_check(struct model *m, const json_t *ev, const json_t *inst)
{
	if (!classic_is_classic(inst))
		return merrf(m, MERR_MIGRATION_NOT_CLASSIC, "%s is not a classic instance.",
			     mj_str(inst, "id"));
	json_t *vsw = vswitch_need_available(m, mj_str(ev, "vswitch_id"));
	if (!vsw)
		return -1;
	int rc = 0;
	if (strcmp(mj_str(vsw, "zone"), mj_str(inst, "zone")) != 0)
		rc =
		    merrf(m, MERR_MIGRATION_ZONE,
			  "The vSwitch %s is in %s, the instance in %s: the target vSwitch must be "
			  "in the instance's zone.",
			  mj_str(vsw, "id"), mj_str(vsw, "zone"), mj_str(inst, "zone"));
	json_t *sgs = json_object_get(ev, "security_group_ids");
	const char *ids[8];
	size_t n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(sgs, i, v)
	{
		if (n < 8)
			ids[n++] = json_string_value(v);
	}
	if (rc == 0 && sg_check_membership(m, ids, n, mj_str(vsw, "vpc_id"), 1, NULL, NULL) < 0)
		rc = -1;
	json_decref(vsw);
	return rc;
}

int migration_schedule(struct model *m, const struct migration_req *r, json_t **ids)
{
	if (r->n_instances == 0)
		return merrf(m, MERR_MISSING_PARAMETER,
			     "The input parameter \"InstanceId.N\" that is mandatory for "
			     "processing this request is not supplied.");
	if (r->execute_at < m->now)
		return merrf(m, MERR_MIGRATION_TIME,
			     "ExecuteTime lies in the past; a migration is scheduled for later.");
	json_t *out = json_array();
	for (size_t i = 0; i < r->n_instances; i++) {
		json_t *inst = instance_need(m, r->instance_ids[i]);
		if (!inst)
			goto fail;
		json_t *ev = model_new_resource(m, "mig", MIG_SCHEDULED);
		mj_set_str(ev, "instance_id", r->instance_ids[i]);
		mj_set_str(ev, "vswitch_id", r->vswitch_id);
		json_t *sgs = json_array();
		for (size_t k = 0; k < r->n_sg; k++)
			json_array_append_new(sgs, json_string(r->sg_ids[k]));
		json_object_set_new(ev, "security_group_ids", sgs);
		mj_set_int(ev, "execute_at", r->execute_at);
		mj_set_str(ev, "reason", "");
		/* Every precondition is checked now too, so a request that can
		 * never succeed is refused at once rather than failing later. */
		int64_t pending;
		struct m_eq eq = {"instance_id", r->instance_ids[i]};
		int rc = migration_check(m, ev, inst);
		json_decref(inst);
		if (rc == 0) {
			json_t *evs = m_list(m, "mig", m_keep_eq, &eq);
			pending = 0;
			size_t k;
			json_t *e;
			json_array_foreach(evs, k, e)
			{
				const char *s = mj_str(e, "status");
				pending +=
				    strcmp(s, MIG_SCHEDULED) == 0 || strcmp(s, MIG_EXECUTING) == 0;
			}
			json_decref(evs);
			if (pending)
				rc = merrf(m, MERR_MIGRATION_PENDING,
					   "%s already has a scheduled migration.",
					   r->instance_ids[i]);
		}
		if (rc == 0)
			rc = m_create(m, ev) < 0 ? -1 : migration_index(m, ev, true);
		if (rc == 0)
			json_array_append_new(out, json_string(mj_str(ev, "id")));
		json_decref(ev);
		if (rc < 0)
			goto fail;
	}
	*ids = out;
	return 0;
fail:
	json_decref(out);
	return -1;
}

int migration_cancel(struct model *m, const char *event_id)
{
	json_t *ev = m_need(m, event_id, MERR_MIGRATION_NOT_FOUND);
	if (!ev)
		return -1;
	int rc = -1;
	if (strcmp(mj_str(ev, "status"), MIG_SCHEDULED) != 0) {
		merrf(m, MERR_MIGRATION_STATUS,
		      "The migration is %s; only a Scheduled one can be "
		      "cancelled.",
		      mj_str(ev, "status"));
		goto out;
	}
	mj_set_str(ev, "status", MIG_CANCELLED);
	mj_set_int(ev, "finished_at", m->now);
	rc = m_put(m, ev) < 0 ? -1 : migration_index(m, ev, false);
out:
	json_decref(ev);
	return rc;
}

struct migration_filter {
	const char *id, *instance_id;
};

static bool migration_keep(void *arg, json_t *ev)
{
	const struct migration_filter *f = arg;
	return (!f->id || strcmp(mj_str(ev, "id"), f->id) == 0) &&
	       (!f->instance_id || strcmp(mj_str(ev, "instance_id"), f->instance_id) == 0);
}

json_t *migration_list(struct model *m, const char *event_id, const char *instance_id)
{
	struct migration_filter f = {event_id, instance_id};
	return m_list(m, "mig", migration_keep, &f);
}

/* The instance is back from its migration restart: the status it had. */
static void migration_restore(json_t *inst)
{
	if (!mj_bool(inst, "migrating"))
		return;
	const char *prev = mj_str(inst, "migration_prev_status");
	mj_set_str(inst, "status", prev[0] ? prev : "Running");
	json_object_del(inst, "migration_prev_status");
	json_object_del(inst, "migrating");
}

static int migration_fail(struct model *m, json_t *ev, const char *reason)
{
	mj_set_str(ev, "status", MIG_FAILED);
	mj_set_str(ev, "reason", reason);
	mj_set_int(ev, "finished_at", m->now);
	return m_put(m, ev) < 0 ? -1 : migration_index(m, ev, false);
}

/* Scheduled -> Executing: the instance restarts into the migration and,
 * while it runs, takes no other change (NET-26): its status is Starting,
 * which every network change refuses (they need Running or Stopped).  A
 * precondition that no longer holds fails the step (the scheduler then
 * records it with migration_failed). */
static int migration_start(struct model *m, json_t *ev, json_t *inst)
{
	if (migration_check(m, ev, inst) < 0)
		return -1;
	if (instance_need_running_or_stopped(m, inst) < 0)
		return -1;
	mj_set_str(ev, "status", MIG_EXECUTING);
	mj_set_int(ev, "started_at", m->now);
	mj_set_str(inst, "migration_prev_status", mj_str(inst, "status"));
	mj_set_str(inst, "status", "Starting");
	mj_set_bool(inst, "migrating", true);
	if (m_put(m, inst) < 0)
		return -1;
	return m_put(m, ev);
}

/* Executing -> Executed: the instance becomes a VPC instance.  Any failure
 * (a precondition broke, the vSwitch has no free address) returns -1 with
 * the reason: the scheduler drops this transaction, so the instance keeps
 * everything it had, and records the failure in a new one. */
static int migration_finish(struct model *m, json_t *ev, json_t *inst)
{
	char scope[MODEL_SCOPE_MAX];
	struct netaddr old;
	if (migration_check(m, ev, inst) < 0)
		return -1;
	json_t *vsw = vswitch_need_available(m, mj_str(ev, "vswitch_id"));
	if (!vsw)
		return -1;
	/* Release the classic side: internal IP, link, groups. */
	snprintf(scope, sizeof(scope), "classic/%s", mj_str(inst, "region"));
	if (netaddr_parse4(mj_str(inst, "private_ip"), &old) && m_unclaim(m, scope, &old) < 0)
		goto fail;
	migration_restore(inst);
	mj_set_str(inst, "classic_private_ip", mj_str(inst, "private_ip"));
	mj_set_str(inst, "classiclink_vpc_id", "");
	json_object_del(inst, "classiclink_status");
	json_object_del(inst, "security_group_ids");
	mj_set_str(inst, "network", "vpc");
	mj_set_str(inst, "vpc_id", mj_str(vsw, "vpc_id"));
	mj_set_str(inst, "vswitch_id", mj_str(vsw, "id"));
	mj_set_str(inst, "parent", mj_str(vsw, "id"));
	mj_set_bool(inst, "no_broadcast", false);
	mj_set_str(inst, "primary_eni", "");
	mj_set_str(inst, "private_ip", "");
	if (m_put(m, inst) < 0)
		goto fail;
	const char *ids[8];
	size_t n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(ev, "security_group_ids"), i, v)
	{
		if (n < 8)
			ids[n++] = json_string_value(v);
	}
	struct eni_create_req q = {
	    .vswitch_id = mj_str(vsw, "id"),
	    .sg_ids = ids,
	    .n_sg = n,
	    .instance = inst,
	};
	json_t *eni = NULL;
	if (eni_create(m, &q, &eni) < 0)
		goto fail;
	mj_set_str(inst, "primary_eni", mj_str(eni, "id"));
	mj_set_str(inst, "private_ip", mj_str(eni, "primary_ip"));
	json_decref(eni);
	/* The public IP keeps its claim (holder: the instance): it is now the
	 * NatPublicIp of a VPC instance (NET-26), convertible with NET-12. */
	if (m_put(m, inst) < 0)
		goto fail;
	json_decref(vsw);
	mj_set_str(ev, "status", MIG_EXECUTED);
	mj_set_int(ev, "finished_at", m->now);
	mj_set_str(ev, "new_private_ip", mj_str(inst, "private_ip"));
	return m_put(m, ev) < 0 ? -1 : migration_index(m, ev, false);
fail:
	json_decref(vsw);
	return -1;
}

/* Acts as the event's owner in its region for the duration of a step. */
struct migration_as {
	uint64_t caller;
	const struct model_region *region;
};

static void migration_enter(struct model *m, const json_t *ev, struct migration_as *saved)
{
	saved->caller = m->caller;
	saved->region = m->region;
	m->caller = (uint64_t)mj_int(ev, "owner");
	m->region = model_config_region(m->cfg, mj_str(ev, "region"));
}

static void migration_leave(struct model *m, const struct migration_as *saved)
{
	m->caller = saved->caller;
	m->region = saved->region;
}

static int migration_unindex(struct model *m, const char *id)
{
	char key[MODEL_KEY_MAX];
	snprintf(key, sizeof(key), "/sched/mig/%s", id);
	int rc = store_del(m->txn, key);
	return rc < 0 && rc != -ENOENT ? merr_store(m, rc, key) : 0;
}

bool migration_due(struct model *m, uint64_t owner, const char *id)
{
	json_t *ev = m_get_owned(m, owner, id);
	if (!ev)
		return true; /* only the index is left: the run removes it */
	const char *status = mj_str(ev, "status");
	bool due;
	if (strcmp(status, MIG_SCHEDULED) == 0)
		due = m->now >= mj_int(ev, "execute_at");
	else if (strcmp(status, MIG_EXECUTING) == 0)
		due = m->now >= mj_int(ev, "started_at") + m->cfg->timing.migration_duration;
	else
		due = true; /* finished: the run removes the stale index entry */
	json_decref(ev);
	return due;
}

int migration_run(struct model *m, uint64_t owner, const char *id)
{
	json_t *ev = m_get_owned(m, owner, id);
	if (!ev)
		return migration_unindex(m, id);
	const char *status = mj_str(ev, "status");
	struct migration_as saved;
	int rc;
	migration_enter(m, ev, &saved);
	json_t *inst = m_get(m, mj_str(ev, "instance_id"));
	if (strcmp(status, MIG_SCHEDULED) != 0 && strcmp(status, MIG_EXECUTING) != 0)
		rc = migration_index(m, ev, false);
	else if (!inst || !m->region)
		rc = merrf(m, MERR_INSTANCE_NOT_FOUND, "The instance %s no longer exists.",
			   mj_str(ev, "instance_id"));
	else if (strcmp(status, MIG_SCHEDULED) == 0)
		rc = migration_start(m, ev, inst);
	else
		rc = migration_finish(m, ev, inst);
	json_decref(inst);
	migration_leave(m, &saved);
	json_decref(ev);
	return rc;
}

int migration_failed(struct model *m, uint64_t owner, const char *id, const char *reason)
{
	json_t *ev = m_get_owned(m, owner, id);
	if (!ev)
		return migration_unindex(m, id);
	struct migration_as saved;
	int rc = 0;
	migration_enter(m, ev, &saved);
	json_t *inst = m_get(m, mj_str(ev, "instance_id"));
	if (inst && mj_bool(inst, "migrating")) {
		migration_restore(inst); /* back to the status it had, still classic */
		rc = m_put(m, inst);
	}
	if (rc == 0)
		rc = migration_fail(m, ev, reason);
	json_decref(inst);
	migration_leave(m, &saved);
	json_decref(ev);
	return rc;
}
