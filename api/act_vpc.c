/*
 * act_vpc: the VPC actions of VPC 2016-04-28 (CreateVpc, DeleteVpc,
 * DescribeVpcs, DescribeVpcAttribute, ModifyVpcAttribute, secondary CIDRs,
 * ClassicLink switch).  Rules live in model/vpc.c; this file maps wire
 * parameters to model calls and model objects to the SDK's response shapes.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "model/vpc.h"

static int act_create_vpc(struct api_req *r)
{
	struct vpc_create_req q = {
	    .cidr = arg_opt(r, "CidrBlock"),
	    .name = arg_opt(r, "VpcName"),
	    .description = arg_opt(r, "Description"),
	};
	json_t *vpc = NULL;
	int rc = -1;
	if (arg_bool(r, "EnableIpv6", false, &q.enable_ipv6) < 0)
		return -1;
	if (arg_comma_list(r, "UserCidr", &q.user_cidrs, &q.n_user_cidrs) < 0)
		return -1;
	if (arg_tags(r, &q.tags) < 0)
		goto out;
	if (vpc_create(r->m, &q, &vpc) < 0)
		goto out;
	jo_str(r->out, "VpcId", mj_str(vpc, "id"));
	jo_str(r->out, "VRouterId", mj_str(vpc, "vrouter_id"));
	jo_str(r->out, "RouteTableId", mj_str(vpc, "route_table_id"));
	jo_str(r->out, "ResourceGroupId", "");
	rc = 0;
out:
	json_decref(vpc);
	json_decref(q.tags);
	params_free_strv(q.user_cidrs, q.n_user_cidrs);
	return rc;
}

static int act_delete_vpc(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "VpcId", &id) < 0)
		return -1;
	return vpc_delete(r->m, id);
}

static int act_modify_vpc(struct api_req *r)
{
	struct vpc_modify_req q = {
	    .name = params_get(r->p, "VpcName"),
	    .description = params_get(r->p, "Description"),
	    .cidr = arg_opt(r, "CidrBlock"),
	};
	if (arg_need(r, "VpcId", &q.vpc_id) < 0)
		return -1;
	q.enable_ipv6 = arg_tristate(r, "EnableIPv6");
	if (q.enable_ipv6 == -2)
		return -1;
	return vpc_modify(r->m, &q);
}

/* The fields shared by DescribeVpcs items and DescribeVpcAttribute. */
static void vpc_render_into(struct api_req *r, json_t *o, json_t *vpc)
{
	jo_str(o, "VpcId", mj_str(vpc, "id"));
	jo_str(o, "RegionId", mj_str(vpc, "region"));
	jo_str(o, "Status", mj_str(vpc, "status"));
	jo_str(o, "VpcName", mj_str(vpc, "name"));
	jo_str(o, "Description", mj_str(vpc, "description"));
	jo_time(o, "CreationTime", mj_int(vpc, "created"), false);
	jo_str(o, "CidrBlock", mj_str(vpc, "cidr"));
	jo_str(o, "VRouterId", mj_str(vpc, "vrouter_id"));
	jo_bool(o, "IsDefault", false);
	jo_int(o, "OwnerId", mj_int(vpc, "owner"));
	jo_str(o, "ResourceGroupId", "");
	const char *v6 = mj_str(vpc, "ipv6_cidr");
	jo_bool(o, "EnabledIpv6", v6[0] != '\0');
	jo_str(o, "Ipv6CidrBlock", v6);
	json_t *v6arr = jo_wrap(o, "Ipv6CidrBlocks", "Ipv6CidrBlock");
	if (v6[0]) {
		json_t *e = json_object();
		jo_str(e, "Ipv6CidrBlock", v6);
		jo_str(e, "Ipv6Isp", "BGP");
		json_array_append_new(v6arr, e);
	}
	jo_wrap_strs(o, "SecondaryCidrBlocks", "SecondaryCidrBlock",
		     json_object_get(vpc, "secondary_cidrs"));
	jo_wrap_strs(o, "UserCidrs", "UserCidr", json_object_get(vpc, "user_cidrs"));
	json_t *rt = jo_wrap(o, "RouterTableIds", "RouterTableIds");
	json_array_append_new(rt, json_string(mj_str(vpc, "route_table_id")));
	jo_wrap(o, "NatGatewayIds", "NatGatewayIds");
	struct m_eq eq = {"vpc_id", mj_str(vpc, "id")};
	json_t *vsws = m_list(r->m, "vsw", m_keep_eq, &eq);
	json_t *ids = jo_wrap(o, "VSwitchIds", "VSwitchId");
	size_t i;
	json_t *v;
	json_array_foreach(vsws, i, v)
	{
		json_array_append_new(ids, json_string(mj_str(v, "id")));
	}
	json_decref(vsws);
	jo_tags(o, vpc, false);
}

static json_t *vpc_render(struct api_req *r, json_t *vpc)
{
	json_t *o = json_object();
	vpc_render_into(r, o, vpc);
	return o;
}

static bool vpc_keep(struct api_req *r, json_t *vpc)
{
	if (!api_match(r, vpc, "VpcName", "name") || !api_match_tags(r, vpc))
		return false;
	bool want;
	if (arg_opt(r, "IsDefault") && arg_bool(r, "IsDefault", false, &want) == 0 && want)
		return false; /* openvpc creates no default VPC */
	if (arg_opt(r, "EnableIpv6") && arg_bool(r, "EnableIpv6", false, &want) == 0 &&
	    want != (mj_str(vpc, "ipv6_cidr")[0] != '\0'))
		return false;
	return true;
}

#define VPC_MAX_IDS_FILTER 20

static int act_describe_vpcs(struct api_req *r)
{
	bool b;
	if (arg_bool(r, "IsDefault", false, &b) < 0 || arg_bool(r, "EnableIpv6", false, &b) < 0)
		return -1;
	/* Without a filter, one page is read, not every VPC of the account. */
	if (!arg_opt(r, "VpcId") && !arg_opt(r, "VpcName") && !arg_opt(r, "IsDefault") &&
	    !arg_opt(r, "EnableIpv6") && !params_has_family(r->p, "Tag"))
		return api_describe_all(r, "vpc", "Vpcs", "Vpc", 50, vpc_render);
	return api_describe_ids(r, "vpc", "VpcId", VPC_MAX_IDS_FILTER, vpc_keep, "Vpcs", "Vpc", 50,
				vpc_render);
}

static int act_describe_vpc_attribute(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "VpcId", &id) < 0)
		return -1;
	json_t *vpc = m_need(r->m, id, MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	vpc_render_into(r, r->out, vpc);
	jo_bool(r->out, "ClassicLinkEnabled", mj_bool(vpc, "classiclink"));
	jo_bool(r->out, "SupportIpv4Gateway", false);
	jo_wrap(r->out, "AssociatedCens", "AssociatedCen");
	json_t *cr = jo_wrap(r->out, "CloudResources", "CloudResourceSetType");
	static const struct {
		const char *kind, *type;
	} kinds[] = {{"vsw", "VSwitch"}, {"vtb", "VRouter"}, {"sg", "SecurityGroup"}};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		int64_t n = 0;
		m_count_eq(r->m, kinds[i].kind, "vpc_id", id, &n);
		json_t *e = json_object();
		jo_str(e, "ResourceType", kinds[i].type);
		jo_int(e, "ResourceCount", n);
		json_array_append_new(cr, e);
	}
	json_decref(vpc);
	return 0;
}

static int act_associate_cidr(struct api_req *r)
{
	const char *id, *cidr;
	if (arg_need(r, "VpcId", &id) < 0 || arg_need(r, "SecondaryCidrBlock", &cidr) < 0)
		return -1;
	return vpc_add_secondary_cidr(r->m, id, cidr);
}

static int act_unassociate_cidr(struct api_req *r)
{
	const char *id, *cidr;
	if (arg_need(r, "VpcId", &id) < 0 || arg_need(r, "SecondaryCidrBlock", &cidr) < 0)
		return -1;
	return vpc_del_secondary_cidr(r->m, id, cidr);
}

static int act_enable_classiclink(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "VpcId", &id) < 0)
		return -1;
	return vpc_set_classiclink(r->m, id, true);
}

static int act_disable_classiclink(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "VpcId", &id) < 0)
		return -1;
	return vpc_set_classiclink(r->m, id, false);
}

/* --- VRouters (EC-9) ------------------------------------------------------------ */

static json_t *vrouter_render(struct api_req *r, json_t *vpc)
{
	json_t *o = json_object();
	jo_str(o, "VRouterId", mj_str(vpc, "vrouter_id"));
	jo_str(o, "VRouterName", mj_str(vpc, "vrouter_name"));
	jo_str(o, "Description", mj_str(vpc, "vrouter_description"));
	jo_str(o, "RegionId", mj_str(vpc, "region"));
	jo_str(o, "VpcId", mj_str(vpc, "id"));
	jo_time(o, "CreationTime", mj_int(vpc, "created"), false);
	struct m_eq eq = {"vpc_id", mj_str(vpc, "id")};
	json_t *vtbs = m_list(r->m, "vtb", m_keep_eq, &eq);
	json_t *ids = jo_wrap(o, "RouteTableIds", "RouteTableId");
	size_t i;
	json_t *v;
	json_array_foreach(vtbs, i, v)
	{
		json_array_append_new(ids, json_string(mj_str(v, "id")));
	}
	json_decref(vtbs);
	return o;
}

static int act_describe_vrouters(struct api_req *r)
{
	json_t *items = m_list(r->m, "vpc", NULL, NULL);
	if (!items)
		return -1;
	for (size_t i = json_array_size(items); i-- > 0;) {
		json_t *vpc = json_array_get(items, i);
		if (strcmp(mj_str(vpc, "region"), r->m->region->id) != 0 ||
		    !api_match(r, vpc, "VRouterId", "vrouter_id"))
			json_array_remove(items, i);
	}
	int rc = api_page(r, items, "VRouters", "VRouter", 50, vrouter_render);
	json_decref(items);
	return rc;
}

static int act_modify_vrouter(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "VRouterId", &id) < 0)
		return -1;
	return vpc_modify_vrouter(r->m, id, params_get(r->p, "VRouterName"),
				  params_get(r->p, "Description"));
}

const struct api_action api_actions_vpc[] = {
    {API_VERSION_VPC, "CreateVpc", act_create_vpc, API_WRITE | API_REGION},
    {API_VERSION_VPC, "DeleteVpc", act_delete_vpc, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "ModifyVpcAttribute", act_modify_vpc, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "DescribeVpcs", act_describe_vpcs, API_REGION},
    {API_VERSION_VPC, "DescribeVpcAttribute", act_describe_vpc_attribute, API_REGION},
    {API_VERSION_VPC, "AssociateVpcCidrBlock", act_associate_cidr, API_WRITE | API_REGION},
    {API_VERSION_VPC, "UnassociateVpcCidrBlock", act_unassociate_cidr, API_WRITE | API_REGION},
    {API_VERSION_VPC, "EnableVpcClassicLink", act_enable_classiclink, API_WRITE | API_REGION},
    {API_VERSION_VPC, "DisableVpcClassicLink", act_disable_classiclink, API_WRITE | API_REGION},
    {API_VERSION_VPC, "DescribeVRouters", act_describe_vrouters, API_REGION},
    {API_VERSION_VPC, "ModifyVRouterAttribute", act_modify_vrouter, API_WRITE | API_REGION},
    /* The ECS 2014-05-26 versions of the VPC actions, which Alibaba still
     * answers and older clients (aliyungo, fog-aliyun) call: same rules, the
     * same shapes (a superset of the ECS SDK's). */
    {API_VERSION_ECS, "CreateVpc", act_create_vpc, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DeleteVpc", act_delete_vpc, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "ModifyVpcAttribute", act_modify_vpc, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "DescribeVpcs", act_describe_vpcs, API_REGION},
    {API_VERSION_ECS, "DescribeVRouters", act_describe_vrouters, API_REGION},
    {API_VERSION_ECS, "ModifyVRouterAttribute", act_modify_vrouter, API_WRITE | API_REGION},
    {0},
};
