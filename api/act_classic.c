/*
 * act_classic: ClassicLink (NET-27) and classic-to-VPC migration (NET-26).
 *
 * AttachClassicLinkVpc, DetachClassicLinkVpc and DescribeClassicLinkInstances
 * are the cloud's ECS actions.  The cloud's console offers ClassicLink rules
 * and scheduled migrations without a public API of the same shape; openvpc
 * exposes them as ECS-version extensions (docs/api.md marks them so):
 *   CreateClassicLinkRule / DeleteClassicLinkRule
 *   CreateClassicMigration / DescribeClassicMigrations / CancelClassicMigration
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "model/classic.h"

static int act_attach(struct api_req *r)
{
	const char *inst, *vpc;
	if (arg_need(r, "InstanceId", &inst) < 0 || arg_need(r, "VpcId", &vpc) < 0)
		return -1;
	return classiclink_attach(r->m, inst, vpc);
}

static int act_detach(struct api_req *r)
{
	const char *inst, *vpc;
	if (arg_need(r, "InstanceId", &inst) < 0 || arg_need(r, "VpcId", &vpc) < 0)
		return -1;
	return classiclink_detach(r->m, inst, vpc);
}

static json_t *link_render(struct api_req *r, json_t *l)
{
	(void)r;
	json_t *o = json_object();
	jo_str(o, "InstanceId", mj_str(l, "instance_id"));
	jo_str(o, "VpcId", mj_str(l, "vpc_id"));
	jo_str(o, "ConnectionStatus", mj_str(l, "status"));
	return o;
}

static int act_describe_links(struct api_req *r)
{
	json_t *links = classiclink_list(r->m, arg_opt(r, "VpcId"), arg_opt(r, "InstanceId"));
	if (!links)
		return -1;
	int rc = api_page(r, links, "Links", "Link", 100, link_render);
	json_decref(links);
	return rc;
}

static int act_create_link_rule(struct api_req *r)
{
	struct classiclink_rule_req q = {0};
	static const char *const dirs[] = {"classic<=>vpc", "classic=>vpc", "vpc=>classic", NULL};
	static const char *const protos[] = {"tcp", "udp", "icmp", "gre", "all", NULL};
	static const char *const policies[] = {"accept", "drop", NULL};
	char id[RANDID_MAX];
	if (arg_need(r, "ClassicSecurityGroupId", &q.classic_sg) < 0 ||
	    arg_need(r, "VpcSecurityGroupId", &q.vpc_sg) < 0 ||
	    arg_need(r, "Direction", &q.direction) < 0 ||
	    arg_enum(r, "Direction", dirs, false, NULL, &q.direction) < 0 ||
	    arg_need(r, "IpProtocol", &q.protocol) < 0 ||
	    arg_enum(r, "IpProtocol", protos, true, NULL, &q.protocol) < 0 ||
	    arg_need(r, "PortRange", &q.port_range) < 0 ||
	    arg_int(r, "Priority", 1, 1, 100, &q.priority) < 0 ||
	    arg_enum(r, "Policy", policies, true, "accept", &q.policy) < 0)
		return -1;
	q.description = arg_opt(r, "Description");
	if (classiclink_rule_add(r->m, &q, id) < 0)
		return -1;
	jo_str(r->out, "RuleId", id);
	return 0;
}

static int act_delete_link_rule(struct api_req *r)
{
	const char *csg, *vsg, *id;
	if (arg_need(r, "ClassicSecurityGroupId", &csg) < 0 ||
	    arg_need(r, "VpcSecurityGroupId", &vsg) < 0 || arg_need(r, "RuleId", &id) < 0)
		return -1;
	return classiclink_rule_del(r->m, csg, vsg, id);
}

/* "YYYY-MM-DDThh:mm:ssZ" or "YYYY-MM-DDThh:mmZ" (ECS style) to unix seconds. */
static bool act_parse_time(const char *s, int64_t *out)
{
	return api_parse_utc(s, API_TIME_SECONDS | API_TIME_MINUTES, out);
}

static int act_create_migration(struct api_req *r)
{
	struct migration_req q = {0};
	const char *when;
	int rc = -1;
	if (arg_need(r, "VSwitchId", &q.vswitch_id) < 0 || arg_need(r, "ExecuteTime", &when) < 0)
		return -1;
	if (!act_parse_time(when, &q.execute_at))
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "ExecuteTime %.40s is not a UTC time like 2027-01-15T08:00:00Z.",
			     when);
	if (arg_list(r, "InstanceId", (const char ***)&q.instance_ids, &q.n_instances) < 0)
		return -1;
	if (arg_list(r, "SecurityGroupId", (const char ***)&q.sg_ids, &q.n_sg) < 0)
		goto out;
	json_t *ids = NULL;
	if (migration_schedule(r->m, &q, &ids) < 0)
		goto out;
	json_t *arr = jo_wrap(r->out, "EventIds", "EventId");
	json_array_extend(arr, ids);
	json_decref(ids);
	rc = 0;
out:
	free((void *)q.instance_ids);
	free((void *)q.sg_ids);
	return rc;
}

static json_t *migration_render(struct api_req *r, json_t *ev)
{
	(void)r;
	json_t *o = json_object();
	jo_str(o, "EventId", mj_str(ev, "id"));
	jo_str(o, "InstanceId", mj_str(ev, "instance_id"));
	jo_str(o, "VSwitchId", mj_str(ev, "vswitch_id"));
	jo_wrap_strs(o, "SecurityGroupIds", "SecurityGroupId",
		     json_object_get(ev, "security_group_ids"));
	jo_str(o, "Status", mj_str(ev, "status"));
	jo_time(o, "ExecuteTime", mj_int(ev, "execute_at"), false);
	if (mj_int(ev, "started_at"))
		jo_time(o, "StartTime", mj_int(ev, "started_at"), false);
	if (mj_int(ev, "finished_at"))
		jo_time(o, "FinishTime", mj_int(ev, "finished_at"), false);
	jo_str(o, "Reason", mj_str(ev, "reason"));
	jo_str(o, "NewPrivateIpAddress", mj_str(ev, "new_private_ip"));
	return o;
}

static int act_describe_migrations(struct api_req *r)
{
	json_t *evs = migration_list(r->m, arg_opt(r, "EventId"), arg_opt(r, "InstanceId"));
	if (!evs)
		return -1;
	int rc = api_page(r, evs, "Events", "Event", 100, migration_render);
	json_decref(evs);
	return rc;
}

static int act_cancel_migration(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "EventId", &id) < 0)
		return -1;
	return migration_cancel(r->m, id);
}

const struct api_action api_actions_classic[] = {
    {API_VERSION_ECS, "AttachClassicLinkVpc", act_attach, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DetachClassicLinkVpc", act_detach, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DescribeClassicLinkInstances", act_describe_links, API_REGION},
    {API_VERSION_ECS, "CreateClassicLinkRule", act_create_link_rule, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DeleteClassicLinkRule", act_delete_link_rule, API_WRITE | API_REGION},
    {API_VERSION_ECS, "CreateClassicMigration", act_create_migration, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DescribeClassicMigrations", act_describe_migrations, API_REGION},
    {API_VERSION_ECS, "CancelClassicMigration", act_cancel_migration, API_WRITE | API_REGION},
    {0},
};
