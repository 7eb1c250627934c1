/*
 * act_sg: the security-group actions of ECS 2014-05-26 (CreateSecurityGroup,
 * DeleteSecurityGroup, DescribeSecurityGroups, DescribeSecurityGroupAttribute,
 * ModifySecurityGroupAttribute, ModifySecurityGroupPolicy, Authorize/Revoke
 * in both directions, ModifySecurityGroup(Egress)Rule,
 * DescribeSecurityGroupReferences).  Rules live in model/secgroup.c; this
 * file maps wire parameters (the flat single-rule form and Permissions.N.*)
 * to model calls and groups to the SDK's response shapes.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "model/account.h"
#include "model/secgroup.h"

/* --- groups ------------------------------------------------------------------ */

static int act_create_sg(struct api_req *r)
{
	struct sg_create_req q = {
	    .vpc_id = arg_opt(r, "VpcId"),
	    .type = arg_opt(r, "SecurityGroupType"),
	    .name = arg_opt(r, "SecurityGroupName"),
	    .description = arg_opt(r, "Description"),
	};
	json_t *sg = NULL;
	if (arg_tags(r, &q.tags) < 0)
		return -1;
	int rc = sg_create(r->m, &q, &sg);
	if (rc == 0)
		jo_str(r->out, "SecurityGroupId", mj_str(sg, "id"));
	json_decref(sg);
	json_decref(q.tags);
	return rc;
}

static int act_delete_sg(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "SecurityGroupId", &id) < 0)
		return -1;
	return sg_delete(r->m, id);
}

static int act_modify_sg_attribute(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "SecurityGroupId", &id) < 0)
		return -1;
	return sg_modify(r->m, id, arg_opt(r, "SecurityGroupName"), arg_opt(r, "Description"));
}

static int act_modify_sg_policy(struct api_req *r)
{
	const char *id, *policy;
	if (arg_need(r, "SecurityGroupId", &id) < 0 ||
	    arg_need(r, "InnerAccessPolicy", &policy) < 0)
		return -1;
	return sg_set_inner_policy(r->m, id, policy);
}

/* Instances in the group: the distinct instances of its member ENIs plus its
 * classic instances. */
static int64_t sg_ecs_count(const json_t *members)
{
	json_t *seen = json_object();
	size_t i;
	json_t *nic;
	json_array_foreach(members, i, nic)
	{
		const char *inst = strcmp(mj_str(nic, "kind"), "eni") == 0
				       ? mj_str(nic, "instance_id")
				       : mj_str(nic, "id");
		if (*inst)
			json_object_set_new(seen, inst, json_true());
	}
	int64_t n = (int64_t)json_object_size(seen);
	json_decref(seen);
	return n;
}

static json_t *sg_render(struct api_req *r, json_t *sg)
{
	json_t *o = json_object();
	json_t *rules = json_object_get(sg, "rules");
	json_t *members = sg_members(r->m, sg);
	int64_t ips = 0, groups = 0;
	size_t i;
	json_t *x;
	json_array_foreach(members, i, x)
	{
		ips += strcmp(mj_str(x, "kind"), "eni") == 0
			   ? (mj_str(x, "primary_ip")[0] ? 1 : 0) +
				 (int64_t)json_array_size(json_object_get(x, "private_ips"))
			   : (mj_str(x, "private_ip")[0] ? 1 : 0);
	}
	json_array_foreach(rules, i, x)
	{
		groups += mj_str(x, "peer_group")[0] != '\0';
	}
	int64_t avail = sg_private_ip_limit(r->m, sg) - ips;
	jo_int(o, "AvailableInstanceAmount", avail > 0 ? avail : 0);
	jo_time(o, "CreationTime", mj_int(sg, "created"), false);
	jo_str(o, "Description", mj_str(sg, "description"));
	jo_int(o, "EcsCount", sg_ecs_count(members));
	jo_int(o, "GroupToGroupRuleCount", groups);
	jo_str(o, "ResourceGroupId", "");
	jo_int(o, "RuleCount", (int64_t)json_array_size(rules));
	jo_str(o, "SecurityGroupId", mj_str(sg, "id"));
	jo_str(o, "SecurityGroupName", mj_str(sg, "name"));
	jo_str(o, "SecurityGroupType", mj_str(sg, "type"));
	jo_int(o, "ServiceID", 0);
	jo_bool(o, "ServiceManaged", false);
	jo_tags(o, sg, true);
	jo_str(o, "VpcId", mj_str(sg, "vpc_id"));
	json_decref(members);
	return o;
}

static bool sg_keep(struct api_req *r, json_t *sg)
{
	if (!api_match(r, sg, "VpcId", "vpc_id") || !api_match(r, sg, "SecurityGroupId", "id") ||
	    !api_match(r, sg, "SecurityGroupType", "type") || !api_match_tags(r, sg))
		return false;
	const char *name = arg_opt(r, "SecurityGroupName");
	if (name) {
		bool fuzzy = false;
		arg_bool(r, "FuzzyQuery", false, &fuzzy);
		if (fuzzy ? !strstr(mj_str(sg, "name"), name)
			  : strcmp(mj_str(sg, "name"), name) != 0)
			return false;
	}
	const char *net = arg_opt(r, "NetworkType");
	if (net && (strcasecmp(net, "vpc") == 0) != (mj_str(sg, "vpc_id")[0] != '\0'))
		return false;
	return true;
}

#define SG_MAX_IDS_FILTER 100

static int act_describe_sgs(struct api_req *r)
{
	static const char *const nets[] = {"vpc", "classic", NULL};
	static const char *const types[] = {SG_TYPE_NORMAL, SG_TYPE_ENTERPRISE, NULL};
	const char *net, *type;
	bool b;
	if (arg_enum(r, "NetworkType", nets, true, NULL, &net) < 0 ||
	    arg_enum(r, "SecurityGroupType", types, false, NULL, &type) < 0 ||
	    arg_bool(r, "FuzzyQuery", false, &b) < 0 ||
	    arg_bool(r, "IsQueryEcsCount", false, &b) < 0)
		return -1;
	char **ids = NULL;
	size_t n = 0;
	const char *raw = arg_opt(r, "SecurityGroupIds");
	/* A JSON array by definition; a comma list is accepted too. */
	if (raw && (raw[0] == '[' ? arg_json_list(r, "SecurityGroupIds", &ids, &n)
				  : arg_comma_list(r, "SecurityGroupIds", &ids, &n)) < 0)
		return -1;
	if (n > SG_MAX_IDS_FILTER) {
		params_free_strv(ids, n);
		return merrf(r->m, MERR_INVALID_PARAMETER, "SecurityGroupIds lists at most %d ids.",
			     SG_MAX_IDS_FILTER);
	}
	json_t *items = m_list(r->m, "sg", NULL, NULL);
	if (!items) {
		params_free_strv(ids, n);
		return -1;
	}
	if (raw)
		api_keep_values(items, "id", (const char *const *)ids, n);
	params_free_strv(ids, n);
	api_filter(r, items, sg_keep);
	jo_str(r->out, "RegionId", r->m->region->id);
	int rc = api_page(r, items, "SecurityGroups", "SecurityGroup", 50, sg_render);
	json_decref(items);
	return rc;
}

/* --- rules as the SDK shows them ------------------------------------------------ */

static const char *sg_wire_protocol(const char *p)
{
	static const char *const t[][2] = {{"tcp", "TCP"},	 {"udp", "UDP"}, {"icmp", "ICMP"},
					   {"icmpv6", "ICMPv6"}, {"gre", "GRE"}, {"all", "ALL"}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(p, t[i][0]) == 0)
			return t[i][1];
	return p;
}

/* The peer group's name (own groups only) and owner account (another's only). */
static void sg_render_peer(struct api_req *r, json_t *o, const json_t *rule, const char *pfx)
{
	char k[48];
	const char *pg = mj_str(rule, "peer_group");
	uint64_t po = (uint64_t)mj_int(rule, "peer_owner");
	const char *name = "", *account = "";
	json_t *g = NULL, *acct = NULL;
	if (*pg && !po && (g = m_get(r->m, pg)) != NULL)
		name = mj_str(g, "name");
	if (*pg && po && (acct = account_get(r->m, po)) != NULL)
		account = mj_str(acct, "name");
	snprintf(k, sizeof(k), "%sGroupId", pfx);
	jo_str(o, k, pg);
	snprintf(k, sizeof(k), "%sGroupName", pfx);
	jo_str(o, k, name);
	snprintf(k, sizeof(k), "%sGroupOwnerAccount", pfx);
	jo_str(o, k, account);
	snprintf(k, sizeof(k), "%sCidrIp", pfx);
	jo_str(o, k, mj_str(rule, "peer_cidr"));
	snprintf(k, sizeof(k), "Ipv6%sCidrIp", pfx);
	jo_str(o, k, mj_str(rule, "peer_cidr6"));
	json_decref(g);
	json_decref(acct);
}

static json_t *sg_render_rule(struct api_req *r, const json_t *rule)
{
	json_t *o = json_object();
	bool egress = strcmp(mj_str(rule, "direction"), "egress") == 0;
	char buf[48];
	jo_str(o, "SecurityGroupRuleId", mj_str(rule, "id"));
	jo_str(o, "Direction", mj_str(rule, "direction"));
	jo_str(o, "IpProtocol", sg_wire_protocol(mj_str(rule, "protocol")));
	snprintf(buf, sizeof(buf), "%lld/%lld", (long long)mj_int(rule, "port_from"),
		 (long long)mj_int(rule, "port_to"));
	jo_str(o, "PortRange", buf);
	buf[0] = '\0';
	if (mj_int(rule, "src_port_from") >= 0)
		snprintf(buf, sizeof(buf), "%lld/%lld", (long long)mj_int(rule, "src_port_from"),
			 (long long)mj_int(rule, "src_port_to"));
	jo_str(o, "SourcePortRange", buf);
	jo_str(o, "Policy", strcmp(mj_str(rule, "policy"), "drop") == 0 ? "Drop" : "Accept");
	/* A JSON number, as the live cloud sends it (aliyungo decodes an int),
	 * though the Tea SDK's model declares a string. */
	jo_int(o, "Priority", mj_int(rule, "priority"));
	jo_str(o, "NicType", mj_str(rule, "nic_type"));
	jo_str(o, "Description", mj_str(rule, "description"));
	jo_time(o, "CreateTime", mj_int(rule, "created"), false);
	/* The peer on its side, the rule's own-side CIDR on the other. */
	const char *local = egress ? "Source" : "Dest";
	sg_render_peer(r, o, rule, egress ? "Dest" : "Source");
	snprintf(buf, sizeof(buf), "%sCidrIp", local);
	jo_str(o, buf, mj_str(rule, "local_cidr"));
	snprintf(buf, sizeof(buf), "Ipv6%sCidrIp", local);
	jo_str(o, buf, mj_str(rule, "local_cidr6"));
	/* The other direction's group fields exist, empty, as in the cloud. */
	const char *none = egress ? "Source" : "Dest";
	static const char *const group_fields[] = {"GroupId", "GroupName", "GroupOwnerAccount"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "%s%s", none, group_fields[i]);
		jo_str(o, buf, "");
	}
	jo_str(o, "SourcePrefixListId", "");
	jo_str(o, "SourcePrefixListName", "");
	jo_str(o, "DestPrefixListId", "");
	jo_str(o, "DestPrefixListName", "");
	jo_str(o, "PortRangeListId", "");
	jo_str(o, "PortRangeListName", "");
	return o;
}

static int act_describe_sg_attribute(struct api_req *r)
{
	static const char *const dirs[] = {"ingress", "egress", "all", NULL};
	static const char *const nics[] = {"intranet", "internet", NULL};
	const char *id, *dir, *nic;
	if (arg_need(r, "SecurityGroupId", &id) < 0 ||
	    arg_enum(r, "Direction", dirs, true, "all", &dir) < 0 ||
	    arg_enum(r, "NicType", nics, true, NULL, &nic) < 0)
		return -1;
	int64_t max, start = 0;
	if (arg_int(r, "MaxResults", 1000, 1, 1000, &max) < 0)
		return -1;
	const char *token = arg_opt(r, "NextToken");
	if (token) {
		char *end;
		start = strtoll(token, &end, 10);
		if (*end || start < 0)
			return merrf(r->m, MERR_INVALID_PARAMETER,
				     "The NextToken %.40s is not valid.", token);
	}
	json_t *sg = m_need(r->m, id, MERR_SG_NOT_FOUND);
	if (!sg)
		return -1;
	jo_str(r->out, "SecurityGroupId", mj_str(sg, "id"));
	jo_str(r->out, "SecurityGroupName", mj_str(sg, "name"));
	jo_str(r->out, "Description", mj_str(sg, "description"));
	jo_str(r->out, "VpcId", mj_str(sg, "vpc_id"));
	jo_str(r->out, "RegionId", mj_str(sg, "region"));
	jo_str(r->out, "InnerAccessPolicy", mj_str(sg, "inner_access_policy"));
	jo_wrap(r->out, "SnapshotPolicyIds", "SnapshotPolicyId");
	json_t *perms = jo_wrap(r->out, "Permissions", "Permission");
	int64_t seen = 0;
	size_t i;
	json_t *rule;
	json_array_foreach(json_object_get(sg, "rules"), i, rule)
	{
		if ((strcmp(dir, "all") != 0 && strcmp(mj_str(rule, "direction"), dir) != 0) ||
		    (nic && strcmp(mj_str(rule, "nic_type"), nic) != 0))
			continue;
		if (seen++ < start)
			continue;
		if ((int64_t)json_array_size(perms) == max) {
			char next[32];
			snprintf(next, sizeof(next), "%lld", (long long)(seen - 1));
			jo_str(r->out, "NextToken", next);
			break;
		}
		json_array_append_new(perms, sg_render_rule(r, rule));
	}
	if (!json_object_get(r->out, "NextToken"))
		jo_str(r->out, "NextToken", "");
	json_decref(sg);
	return 0;
}

/* --- rule parameters -------------------------------------------------------------- */

struct sg_field {
	const char *name;
	size_t off;
};

#define SG_F(n, f)                                                                                 \
	{                                                                                          \
		n, offsetof(struct sg_rule_req, f)                                                 \
	}

/* Fields shared by both directions. */
static const struct sg_field sg_fields_common[] = {
    SG_F("IpProtocol", protocol),
    SG_F("PortRange", port_range),
    SG_F("SourcePortRange", source_port_range),
    SG_F("SourceCidrIp", source_cidr),
    SG_F("Ipv6SourceCidrIp", source_cidr6),
    SG_F("DestCidrIp", dest_cidr),
    SG_F("Ipv6DestCidrIp", dest_cidr6),
    SG_F("PortRangeListId", port_range_list_id),
    SG_F("Policy", policy),
    SG_F("Priority", priority),
    SG_F("NicType", nic_type),
    SG_F("Description", description),
    {NULL, 0},
};

static const struct sg_field sg_fields_ingress[] = {
    SG_F("SourceGroupId", group_id),
    SG_F("SourceGroupOwnerId", group_owner_id),
    SG_F("SourceGroupOwnerAccount", group_owner_account),
    SG_F("SourcePrefixListId", prefix_list_id),
    {NULL, 0},
};

static const struct sg_field sg_fields_egress[] = {
    SG_F("DestGroupId", group_id),
    SG_F("DestGroupOwnerId", group_owner_id),
    SG_F("DestGroupOwnerAccount", group_owner_account),
    SG_F("DestPrefixListId", prefix_list_id),
    {NULL, 0},
};

static const char **sg_field_slot(struct sg_rule_req *q, bool egress, const char *name)
{
	const struct sg_field *tabs[] = {sg_fields_common,
					 egress ? sg_fields_egress : sg_fields_ingress};
	for (size_t t = 0; t < 2; t++)
		for (const struct sg_field *f = tabs[t]; f->name; f++)
			if (strcmp(f->name, name) == 0)
				return (const char **)(void *)((char *)q + f->off);
	return NULL;
}

/* Reads the flat single-rule form into q; true when any of its fields is given. */
static bool sg_read_flat(struct api_req *r, bool egress, struct sg_rule_req *q)
{
	bool any = false;
	const struct sg_field *tabs[] = {sg_fields_common,
					 egress ? sg_fields_egress : sg_fields_ingress};
	memset(q, 0, sizeof(*q));
	for (size_t t = 0; t < 2; t++)
		for (const struct sg_field *f = tabs[t]; f->name; f++) {
			const char *v = params_get(r->p, f->name);
			*sg_field_slot(q, egress, f->name) = v;
			/* An empty Description alone is not a rule. */
			any |= v && *v && strcmp(f->name, "Description") != 0;
		}
	return any;
}

struct sg_perm_ctx {
	struct sg_rule_req *reqs; /* indexed by N-1 */
	bool *present;
	bool egress;
	const char *bad;
};

static bool sg_perm_cb(void *arg, unsigned idx, const char *field, const char *value)
{
	struct sg_perm_ctx *c = arg;
	const char **slot = sg_field_slot(&c->reqs[idx - 1], c->egress, field);
	if (!slot) {
		c->bad = field;
		return false;
	}
	*slot = value;
	c->present[idx - 1] = true;
	return true;
}

/*
 * The rules of an Authorize/Revoke request: Permissions.N.* or the flat form,
 * never both.  *out is malloc'd (free it; strings borrowed from the request).
 */
static int sg_read_rules(struct api_req *r, bool egress, struct sg_rule_req **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct sg_rule_req flat;
	bool has_flat = sg_read_flat(r, egress, &flat);
	unsigned max = params_max_index(r->p, "Permissions");
	if (max > 0 && has_flat)
		return merrf(r->m, MERR_SG_PERMISSIONS_MIXED,
			     "Give the rule either as Permissions.N.* or as flat parameters "
			     "(IpProtocol, PortRange, ...), not both.");
	if (max == 0) {
		if (!has_flat)
			return 0;
		*out = malloc(sizeof(**out));
		**out = flat;
		*n = 1;
		return 0;
	}
	struct sg_perm_ctx c = {calloc(max, sizeof(*c.reqs)), calloc(max, sizeof(bool)), egress,
				NULL};
	if (!params_objects(r->p, "Permissions", sg_perm_cb, &c)) {
		free(c.reqs);
		free(c.present);
		if (c.bad)
			return merrf(r->m, MERR_INVALID_PARAMETER,
				     "Permissions.N.%.64s is not a field of %s rules.", c.bad,
				     egress ? "egress" : "ingress");
		return merrf(
		    r->m, MERR_INVALID_PARAMETER,
		    "The parameter Permissions.N is malformed (Permissions.N.Field=value).");
	}
	size_t k = 0;
	for (unsigned i = 0; i < max; i++)
		if (c.present[i])
			c.reqs[k++] = c.reqs[i];
	free(c.present);
	*out = c.reqs;
	*n = k;
	return 0;
}

static int act_authorize(struct api_req *r, bool egress)
{
	const char *id;
	struct sg_rule_req *rules;
	size_t n;
	if (arg_need(r, "SecurityGroupId", &id) < 0 || sg_read_rules(r, egress, &rules, &n) < 0)
		return -1;
	int rc = sg_authorize(r->m, id, egress, rules, n, NULL);
	free(rules);
	return rc;
}

static int act_authorize_ingress(struct api_req *r)
{
	return act_authorize(r, false);
}

static int act_authorize_egress(struct api_req *r)
{
	return act_authorize(r, true);
}

static int act_revoke(struct api_req *r, bool egress)
{
	const char *id;
	struct sg_rule_req *rules = NULL;
	const char **ids = NULL;
	size_t n = 0, n_ids = 0;
	int rc = -1;
	if (arg_need(r, "SecurityGroupId", &id) < 0 ||
	    arg_list(r, "SecurityGroupRuleId", &ids, &n_ids) < 0 ||
	    sg_read_rules(r, egress, &rules, &n) < 0)
		goto out;
	rc = sg_revoke(r->m, id, egress, rules, n, ids, n_ids);
out:
	free(rules);
	free(ids);
	return rc;
}

static int act_revoke_ingress(struct api_req *r)
{
	return act_revoke(r, false);
}

static int act_revoke_egress(struct api_req *r)
{
	return act_revoke(r, true);
}

static int act_modify_rule(struct api_req *r, bool egress)
{
	const char *id;
	struct sg_rule_req q;
	if (arg_need(r, "SecurityGroupId", &id) < 0)
		return -1;
	sg_read_flat(r, egress, &q);
	return sg_modify_rule(r->m, id, egress, arg_opt(r, "SecurityGroupRuleId"), &q);
}

static int act_modify_rule_ingress(struct api_req *r)
{
	return act_modify_rule(r, false);
}

static int act_modify_rule_egress(struct api_req *r)
{
	return act_modify_rule(r, true);
}

#define SG_MAX_REFERENCE_IDS 10

static int act_describe_references(struct api_req *r)
{
	const char **ids;
	size_t n;
	if (arg_list(r, "SecurityGroupId", &ids, &n) < 0)
		return -1;
	int rc = -1;
	if (n == 0) {
		merrf(r->m, MERR_MISSING_PARAMETER,
		      "The input parameter \"SecurityGroupId.N\" that is mandatory for processing "
		      "this request is not supplied.");
		goto out;
	}
	if (n > SG_MAX_REFERENCE_IDS) {
		merrf(r->m, MERR_INVALID_PARAMETER, "SecurityGroupId.N lists at most %d ids.",
		      SG_MAX_REFERENCE_IDS);
		goto out;
	}
	json_t *arr = jo_wrap(r->out, "SecurityGroupReferences", "SecurityGroupReference");
	for (size_t i = 0; i < n; i++) {
		json_t *sg = m_need(r->m, ids[i], MERR_SG_NOT_FOUND);
		if (!sg)
			goto out;
		json_t *refs = sg_referencing(r->m, sg);
		json_decref(sg);
		if (!refs)
			goto out;
		json_t *e = json_object();
		jo_str(e, "SecurityGroupId", ids[i]);
		json_t *list = jo_wrap(e, "ReferencingSecurityGroups", "ReferencingSecurityGroup");
		size_t j;
		json_t *g;
		json_array_foreach(refs, j, g)
		{
			char uid[24];
			snprintf(uid, sizeof(uid), "%lld", (long long)mj_int(g, "owner"));
			json_t *x = json_object();
			jo_str(x, "AliUid", uid);
			jo_str(x, "SecurityGroupId", mj_str(g, "id"));
			json_array_append_new(list, x);
		}
		json_decref(refs);
		json_array_append_new(arr, e);
	}
	rc = 0;
out:
	free(ids);
	return rc;
}

const struct api_action api_actions_sg[] = {
    {API_VERSION_ECS, "CreateSecurityGroup", act_create_sg, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DeleteSecurityGroup", act_delete_sg, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DescribeSecurityGroups", act_describe_sgs, API_REGION},
    {API_VERSION_ECS, "DescribeSecurityGroupAttribute", act_describe_sg_attribute, API_REGION},
    {API_VERSION_ECS, "ModifySecurityGroupAttribute", act_modify_sg_attribute,
     API_WRITE | API_REGION},
    {API_VERSION_ECS, "ModifySecurityGroupPolicy", act_modify_sg_policy, API_WRITE | API_REGION},
    {API_VERSION_ECS, "AuthorizeSecurityGroup", act_authorize_ingress, API_WRITE | API_REGION},
    {API_VERSION_ECS, "AuthorizeSecurityGroupEgress", act_authorize_egress, API_WRITE | API_REGION},
    {API_VERSION_ECS, "RevokeSecurityGroup", act_revoke_ingress, API_WRITE | API_REGION},
    {API_VERSION_ECS, "RevokeSecurityGroupEgress", act_revoke_egress, API_WRITE | API_REGION},
    {API_VERSION_ECS, "ModifySecurityGroupRule", act_modify_rule_ingress, API_WRITE | API_REGION},
    {API_VERSION_ECS, "ModifySecurityGroupEgressRule", act_modify_rule_egress,
     API_WRITE | API_REGION},
    {API_VERSION_ECS, "DescribeSecurityGroupReferences", act_describe_references, API_REGION},
    {0},
};
