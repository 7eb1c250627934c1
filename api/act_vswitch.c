/*
 * act_vswitch: the vSwitch actions of VPC 2016-04-28 (CreateVSwitch,
 * DeleteVSwitch, DescribeVSwitches, DescribeVSwitchAttributes,
 * ModifyVSwitchAttribute).  Rules live in model/vswitch.c; this file maps
 * wire parameters to model calls and vSwitches to the SDK's response shapes.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "model/vpc.h"
#include "model/vswitch.h"

/* Ipv6CidrMask: only /64 exists. */
static int vsw_arg_ipv6_mask(struct api_req *r)
{
	int64_t mask;
	return arg_int(r, "Ipv6CidrMask", VSWITCH_IPV6_PREFIX_LEN, VSWITCH_IPV6_PREFIX_LEN,
		       VSWITCH_IPV6_PREFIX_LEN, &mask);
}

/* VpcIpv6CidrBlock, when given, must be the VPC's /56 (it has only one). */
static int vsw_check_vpc_ipv6(struct api_req *r, const char *vpc_id)
{
	const char *want = arg_opt(r, "VpcIpv6CidrBlock");
	if (!want)
		return 0;
	json_t *vpc = m_get(r->m, vpc_id);
	struct netprefix a, b;
	bool ok = vpc && netprefix_parse(want, &a) &&
		  netprefix_parse(mj_str(vpc, "ipv6_cidr"), &b) && netprefix_covers(&a, &b) &&
		  a.len == b.len;
	json_decref(vpc);
	if (!ok)
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "VpcIpv6CidrBlock %.64s is not the IPv6 CIDR block of VPC %s.", want,
			     vpc_id);
	return 0;
}

static int act_create_vswitch(struct api_req *r)
{
	struct vswitch_create_req q = {
	    .cidr = arg_opt(r, "CidrBlock"),
	    .name = arg_opt(r, "VSwitchName"),
	    .description = arg_opt(r, "Description"),
	};
	int64_t idx;
	json_t *vsw = NULL;
	int rc = -1;
	if (arg_need(r, "VpcId", &q.vpc_id) < 0 || arg_need(r, "ZoneId", &q.zone_id) < 0)
		return -1;
	if (arg_int(r, "Ipv6CidrBlock", -1, 0, VSWITCH_IPV6_INDEX_MAX, &idx) < 0 ||
	    vsw_arg_ipv6_mask(r) < 0)
		return -1;
	q.ipv6_index = (int)idx;
	if (!r->m->region) {
		/* RegionId is optional here: the VPC's region is the vSwitch's. */
		char kind[16];
		json_t *vpc = model_id_kind(q.vpc_id, kind) && strcmp(kind, "vpc") == 0
				  ? m_need(r->m, q.vpc_id, MERR_VPC_NOT_FOUND)
				  : NULL;
		if (!vpc)
			return merrf(r->m, MERR_VPC_NOT_FOUND, "%s (%.64s)",
				     merr_default_message(MERR_VPC_NOT_FOUND), q.vpc_id);
		rc = model_use_region(r->m, mj_str(vpc, "region"));
		json_decref(vpc);
		if (rc < 0)
			return -1;
		rc = -1;
	}
	if (vsw_check_vpc_ipv6(r, q.vpc_id) < 0)
		return -1;
	if (arg_tags(r, &q.tags) < 0)
		return -1;
	if (vswitch_create(r->m, &q, &vsw) < 0)
		goto out;
	jo_str(r->out, "VSwitchId", mj_str(vsw, "id"));
	rc = 0;
out:
	json_decref(vsw);
	json_decref(q.tags);
	return rc;
}

static int act_delete_vswitch(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "VSwitchId", &id) < 0)
		return -1;
	return vswitch_delete(r->m, id);
}

static int act_modify_vswitch(struct api_req *r)
{
	struct vswitch_modify_req q = {
	    .name = params_get(r->p, "VSwitchName"),
	    .description = params_get(r->p, "Description"),
	};
	int64_t idx;
	if (arg_need(r, "VSwitchId", &q.vsw_id) < 0)
		return -1;
	q.enable_ipv6 = arg_tristate(r, "EnableIPv6");
	if (q.enable_ipv6 == -2)
		return -1;
	if (arg_int(r, "Ipv6CidrBlock", -1, 0, VSWITCH_IPV6_INDEX_MAX, &idx) < 0 ||
	    vsw_arg_ipv6_mask(r) < 0)
		return -1;
	q.ipv6_index = (int)idx;
	if (arg_opt(r, "VpcIpv6CidrBlock")) {
		json_t *vsw = m_get(r->m, q.vsw_id);
		int rc = vsw ? vsw_check_vpc_ipv6(r, mj_str(vsw, "vpc_id")) : 0;
		json_decref(vsw);
		if (rc < 0)
			return -1;
	}
	return vswitch_modify(r->m, &q);
}

/* The fields shared by DescribeVSwitches items and DescribeVSwitchAttributes. */
static void vsw_render_into(struct api_req *r, json_t *o, json_t *vsw)
{
	int64_t avail = 0;
	vswitch_available_count(r->m, vsw, &avail);
	const char *v6 = mj_str(vsw, "ipv6_cidr");
	jo_str(o, "VSwitchId", mj_str(vsw, "id"));
	jo_str(o, "VpcId", mj_str(vsw, "vpc_id"));
	jo_str(o, "Status", mj_str(vsw, "status"));
	jo_str(o, "CidrBlock", mj_str(vsw, "cidr"));
	jo_str(o, "Ipv6CidrBlock", v6);
	jo_bool(o, "EnabledIpv6", v6[0] != '\0');
	jo_str(o, "ZoneId", mj_str(vsw, "zone"));
	jo_int(o, "AvailableIpAddressCount", avail);
	jo_str(o, "Description", mj_str(vsw, "description"));
	jo_str(o, "VSwitchName", mj_str(vsw, "name"));
	jo_time(o, "CreationTime", mj_int(vsw, "created"), false);
	jo_bool(o, "IsDefault", false);
	jo_str(o, "ResourceGroupId", "");
	jo_str(o, "NetworkAclId", "");
	jo_int(o, "OwnerId", mj_int(vsw, "owner"));
	json_t *rt = json_object();
	json_t *vtb = m_get(r->m, mj_str(vsw, "route_table_id"));
	jo_str(rt, "RouteTableId", mj_str(vsw, "route_table_id"));
	jo_str(rt, "RouteTableType", vtb ? mj_str(vtb, "type") : "System");
	json_decref(vtb);
	json_object_set_new(o, "RouteTable", rt);
	jo_tags(o, vsw, false);
}

static json_t *vsw_render(struct api_req *r, json_t *vsw)
{
	json_t *o = json_object();
	vsw_render_into(r, o, vsw);
	return o;
}

static bool vsw_keep(struct api_req *r, json_t *vsw)
{
	if (!api_match(r, vsw, "VpcId", "vpc_id") || !api_match(r, vsw, "ZoneId", "zone") ||
	    !api_match(r, vsw, "VSwitchName", "name") ||
	    !api_match(r, vsw, "RouteTableId", "route_table_id") || !api_match_tags(r, vsw))
		return false;
	bool want;
	if (arg_opt(r, "IsDefault") && arg_bool(r, "IsDefault", false, &want) == 0 && want)
		return false; /* openvpc creates no default vSwitch */
	if (arg_opt(r, "EnableIpv6") && arg_bool(r, "EnableIpv6", false, &want) == 0 &&
	    want != (mj_str(vsw, "ipv6_cidr")[0] != '\0'))
		return false;
	int64_t owner;
	if (arg_opt(r, "VSwitchOwnerId") &&
	    arg_int(r, "VSwitchOwnerId", 0, 0, INT64_MAX, &owner) == 0 &&
	    owner != mj_int(vsw, "owner"))
		return false;
	return true;
}

#define VSW_MAX_IDS_FILTER 20

static int act_describe_vswitches(struct api_req *r)
{
	bool b;
	int64_t owner;
	if (arg_bool(r, "IsDefault", false, &b) < 0 || arg_bool(r, "EnableIpv6", false, &b) < 0 ||
	    arg_int(r, "VSwitchOwnerId", 0, 0, INT64_MAX, &owner) < 0)
		return -1;
	/* VSwitchId: one id, or a comma list as the console sends. */
	return api_describe_ids(r, "vsw", "VSwitchId", VSW_MAX_IDS_FILTER, vsw_keep, "VSwitches",
				"VSwitch", 50, vsw_render);
}

static int act_describe_vswitch_attributes(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "VSwitchId", &id) < 0)
		return -1;
	char kind[16];
	json_t *vsw = model_id_kind(id, kind) && strcmp(kind, "vsw") == 0
			  ? m_need(r->m, id, MERR_VSWITCH_NOT_FOUND)
			  : NULL;
	if (!vsw)
		return merrf(r->m, MERR_VSWITCH_NOT_FOUND, "%s (%.64s)",
			     merr_default_message(MERR_VSWITCH_NOT_FOUND), id);
	vsw_render_into(r, r->out, vsw);
	json_decref(vsw);
	return 0;
}

const struct api_action api_actions_vswitch[] = {
    {API_VERSION_VPC, "CreateVSwitch", act_create_vswitch, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "DeleteVSwitch", act_delete_vswitch, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "ModifyVSwitchAttribute", act_modify_vswitch, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "DescribeVSwitches", act_describe_vswitches, API_REGION_OPT},
    {API_VERSION_VPC, "DescribeVSwitchAttributes", act_describe_vswitch_attributes, API_REGION_OPT},
    /* ECS 2014-05-26 versions (older clients; see act_vpc.c). */
    {API_VERSION_ECS, "CreateVSwitch", act_create_vswitch, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "DeleteVSwitch", act_delete_vswitch, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "ModifyVSwitchAttribute", act_modify_vswitch, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "DescribeVSwitches", act_describe_vswitches, API_REGION_OPT},
    {0},
};
