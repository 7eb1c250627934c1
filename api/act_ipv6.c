/*
 * act_ipv6: the IPv6 gateway and IPv6 internet bandwidth actions of VPC
 * 2016-04-28 (CreateIpv6Gateway, DeleteIpv6Gateway, DescribeIpv6Gateways,
 * DescribeIpv6GatewayAttribute, ModifyIpv6GatewayAttribute,
 * DescribeIpv6Addresses, AllocateIpv6InternetBandwidth,
 * DeleteIpv6InternetBandwidth, ModifyIpv6InternetBandwidth).  Rules live in
 * model/ipv6gw.c (NET-15); this file maps the wire to them.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "model/ipv6gw.h"

/* Bandwidth out of range is the model's IllegalParam.Bandwidth; only text
 * that is no integer at all is refused here. */
#define V6_ARG_BW_MAX 1000000000

/* --- gateways ------------------------------------------------------------- */

static int act_create_gw(struct api_req *r)
{
	struct ipv6gw_create_req q = {
	    .name = arg_opt(r, "Name"),
	    .description = arg_opt(r, "Description"),
	};
	if (arg_need(r, "VpcId", &q.vpc_id) < 0 || arg_tags(r, &q.tags) < 0)
		return -1;
	json_t *gw = NULL;
	int rc = ipv6gw_create(r->m, &q, &gw);
	if (rc == 0) {
		jo_str(r->out, "Ipv6GatewayId", mj_str(gw, "id"));
		jo_str(r->out, "ResourceGroupId", "");
	}
	json_decref(gw);
	json_decref(q.tags);
	return rc;
}

static int act_delete_gw(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "Ipv6GatewayId", &id) < 0)
		return -1;
	return ipv6gw_delete(r->m, id);
}

static int act_modify_gw(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "Ipv6GatewayId", &id) < 0)
		return -1;
	return ipv6gw_modify(r->m, id, arg_opt(r, "Name"), arg_opt(r, "Description"));
}

static void gw_render_into(json_t *o, json_t *gw)
{
	jo_str(o, "Ipv6GatewayId", mj_str(gw, "id"));
	jo_str(o, "VpcId", mj_str(gw, "vpc_id"));
	jo_str(o, "RegionId", mj_str(gw, "region"));
	jo_str(o, "Status", mj_str(gw, "status"));
	jo_str(o, "Name", mj_str(gw, "name"));
	jo_str(o, "Description", mj_str(gw, "description"));
	jo_time(o, "CreationTime", mj_int(gw, "created"), false);
	jo_str(o, "ExpiredTime", "");
	jo_str(o, "BusinessStatus", "Normal");
	jo_str(o, "InstanceChargeType", mj_str(gw, "charge"));
	jo_int(o, "OwnerId", mj_int(gw, "owner"));
	jo_str(o, "ResourceGroupId", "");
	jo_tags(o, gw, false);
}

static json_t *gw_render(struct api_req *r, json_t *gw)
{
	json_t *o = json_object();
	gw_render_into(o, gw);
	return o;
}

/* Tags.N.Key/Value (this action's spelling) or Tag.N: every pair must match. */
static bool v6_match_tags(struct api_req *r, json_t *res, const char *name)
{
	unsigned n = params_max_index(r->p, name);
	char kname[40], vname[40];
	for (unsigned i = 1; i <= n; i++) {
		snprintf(kname, sizeof(kname), "%s.%u.Key", name, i);
		snprintf(vname, sizeof(vname), "%s.%u.Value", name, i);
		const char *k = params_get(r->p, kname), *v = params_get(r->p, vname);
		if (!k)
			continue;
		bool found = false;
		size_t j;
		json_t *t;
		json_array_foreach(json_object_get(res, "tags"), j, t)
		{
			if (strcmp(mj_str(t, "k"), k) == 0 &&
			    (!v || strcmp(mj_str(t, "v"), v) == 0))
				found = true;
		}
		if (!found)
			return false;
	}
	return true;
}

static bool gw_keep(struct api_req *r, json_t *gw)
{
	return api_match(r, gw, "Ipv6GatewayId", "id") && api_match(r, gw, "Name", "name") &&
	       api_match(r, gw, "VpcId", "vpc_id") && v6_match_tags(r, gw, "Tags") &&
	       v6_match_tags(r, gw, "Tag");
}

static int act_describe_gws(struct api_req *r)
{
	json_t *items = m_list(r->m, "ipv6gw", NULL, NULL);
	if (!items)
		return -1;
	api_filter(r, items, gw_keep);
	int rc = api_page(r, items, "Ipv6Gateways", "Ipv6Gateway", 50, gw_render);
	json_decref(items);
	return rc;
}

static int act_describe_gw_attribute(struct api_req *r)
{
	const char *id;
	char kind[16];
	if (arg_need(r, "Ipv6GatewayId", &id) < 0)
		return -1;
	json_t *gw = NULL;
	if (model_id_kind(id, kind) && strcmp(kind, "ipv6gw") == 0)
		gw = m_need(r->m, id, MERR_IPV6GW_NOT_FOUND);
	if (!gw)
		return merrf(r->m, MERR_IPV6GW_NOT_FOUND,
			     "The specified resource of Ipv6Gateway is not found: %.64s.", id);
	gw_render_into(r->out, gw);
	jo_str(r->out, "GatewayRouteTableId", "");
	json_decref(gw);
	return 0;
}

/* --- addresses ---------------------------------------------------------------- */

/* The instance the address is associated with, as the cloud shows it: the
 * instance for a primary ENI, the ENI itself for a secondary one. */
static bool v6_on_instance(const json_t *a)
{
	return strcmp(mj_str(a, "eni_type"), "Primary") == 0 && mj_str(a, "instance_id")[0];
}

static json_t *addr_render(struct api_req *r, json_t *a)
{
	json_t *o = json_object();
	json_t *bw = json_object_get(a, "bw");
	bool inst = v6_on_instance(a);
	jo_str(o, "Ipv6AddressId", mj_str(a, "id"));
	jo_str(o, "Ipv6Address", mj_str(a, "address"));
	jo_str(o, "AddressType", "IPv6Address");
	jo_time(o, "AllocationTime", mj_int(a, "created"), false);
	jo_str(o, "AssociatedInstanceId", inst ? mj_str(a, "instance_id") : mj_str(a, "eni_id"));
	jo_str(o, "AssociatedInstanceType", inst ? "EcsInstance" : "NetworkInterface");
	jo_str(o, "Ipv6AddressName", "");
	jo_str(o, "Ipv6AddressDescription", "");
	jo_str(o, "Ipv6GatewayId", mj_str(a, "ipv6gw_id"));
	jo_str(o, "Ipv6Isp", "BGP");
	jo_str(o, "NetworkType", bw ? "Public" : "Private");
	jo_int(o, "RealBandwidth", bw ? mj_int(bw, "bandwidth") : 0);
	jo_str(o, "ResourceGroupId", "");
	jo_int(o, "ServiceManaged", 0);
	jo_str(o, "Status", "Available");
	jo_tags(o, a, false);
	jo_str(o, "VSwitchId", mj_str(a, "vswitch_id"));
	jo_str(o, "VpcId", mj_str(a, "vpc_id"));
	if (bw) {
		/* NET-15: only an address opened to the internet shows this object. */
		json_t *b = json_object();
		jo_int(b, "Bandwidth", mj_int(bw, "bandwidth"));
		jo_str(b, "BusinessStatus", "Normal");
		jo_bool(b, "HasReservationData", false);
		jo_str(b, "InstanceChargeType", "PostPaid");
		jo_str(b, "InternetChargeType", mj_str(bw, "internet_charge"));
		jo_str(b, "Ipv6InternetBandwidthId", mj_str(bw, "bandwidth_id"));
		jo_str(b, "ReservationActiveTime", "");
		jo_int(b, "ReservationBandwidth", 0);
		jo_str(b, "ReservationInternetChargeType", "");
		jo_str(b, "ReservationOrderType", "");
		json_object_set_new(o, "Ipv6InternetBandwidth", b);
	}
	return o;
}

static bool addr_keep(struct api_req *r, json_t *a)
{
	const char *v;
	json_t *bw = json_object_get(a, "bw");
	if (!api_match(r, a, "VpcId", "vpc_id") || !api_match(r, a, "VSwitchId", "vswitch_id"))
		return false;
	if ((v = arg_opt(r, "Ipv6Address"))) {
		struct netaddr want, have;
		if (!netaddr_parse6(v, &want) || !netaddr_parse6(mj_str(a, "address"), &have) ||
		    !netaddr_eq(&want, &have))
			return false;
	}
	/* A secondary ENI attached to an instance answers to either id. */
	if ((v = arg_opt(r, "AssociatedInstanceId")) && strcmp(v, mj_str(a, "eni_id")) != 0 &&
	    strcmp(v, mj_str(a, "instance_id")) != 0)
		return false;
	if ((v = arg_opt(r, "AssociatedInstanceType")) &&
	    strcmp(v, v6_on_instance(a) ? "EcsInstance" : "NetworkInterface") != 0)
		return false;
	if ((v = arg_opt(r, "NetworkType")) && strcmp(v, bw ? "Public" : "Private") != 0)
		return false;
	if ((v = arg_opt(r, "Ipv6InternetBandwidthId")) &&
	    (!bw || strcmp(v, mj_str(bw, "bandwidth_id")) != 0))
		return false;
	return true;
}

#define V6_MAX_IDS_FILTER 20

static int act_describe_addresses(struct api_req *r)
{
	static const char *const types[] = {"IPv6Address", "IPv6Prefix", NULL};
	const char *type;
	bool managed, b;
	if (arg_enum(r, "AddressType", types, false, "IPv6Address", &type) < 0 ||
	    arg_bool(r, "ServiceManaged", false, &managed) < 0 ||
	    arg_bool(r, "IncludeReservationData", false, &b) < 0)
		return -1;
	char **ids = NULL;
	size_t n = 0;
	if (arg_comma_list(r, "Ipv6AddressId", &ids, &n) < 0)
		return -1;
	if (n > V6_MAX_IDS_FILTER) {
		params_free_strv(ids, n);
		return merrf(r->m, MERR_INVALID_PARAMETER, "Ipv6AddressId lists at most %d ids.",
			     V6_MAX_IDS_FILTER);
	}
	json_t *items = ipv6_list_addresses(r->m);
	if (!items) {
		params_free_strv(ids, n);
		return -1;
	}
	if (n > 0)
		api_keep_values(items, "id", (const char *const *)ids, n);
	params_free_strv(ids, n);
	api_filter(r, items, addr_keep);
	/* Prefixes, names, tags and managed addresses do not exist here. */
	const char *name = arg_opt(r, "Name"), *rg = arg_opt(r, "ResourceGroupId");
	if (strcmp(type, "IPv6Prefix") == 0 || managed || name || rg ||
	    params_max_index(r->p, "Tag") > 0)
		json_array_clear(items);
	int rc = api_page(r, items, "Ipv6Addresses", "Ipv6Address", 50, addr_render);
	json_decref(items);
	return rc;
}

/* --- internet bandwidth ---------------------------------------------------------- */

static int v6_need_bandwidth(struct api_req *r, int64_t *bw)
{
	const char *s;
	if (arg_need(r, "Bandwidth", &s) < 0)
		return -1;
	return arg_int(r, "Bandwidth", 0, -V6_ARG_BW_MAX, V6_ARG_BW_MAX, bw);
}

static int act_allocate_bw(struct api_req *r)
{
	struct ipv6bw_req q = {
	    .gw_id = arg_opt(r, "Ipv6GatewayId"),
	    .internet_charge = arg_opt(r, "InternetChargeType"),
	};
	if (arg_need(r, "Ipv6AddressId", &q.address_id) < 0 ||
	    v6_need_bandwidth(r, &q.bandwidth) < 0)
		return -1;
	json_t *doc = NULL;
	int rc = ipv6bw_allocate(r->m, &q, &doc);
	if (rc == 0) {
		jo_str(r->out, "InternetBandwidthId", mj_str(doc, "bandwidth_id"));
		jo_str(r->out, "Ipv6AddressId", mj_str(doc, "id"));
	}
	json_decref(doc);
	return rc;
}

static int act_delete_bw(struct api_req *r)
{
	return ipv6bw_delete(r->m, arg_opt(r, "Ipv6AddressId"),
			     arg_opt(r, "Ipv6InternetBandwidthId"));
}

static int act_modify_bw(struct api_req *r)
{
	int64_t bw;
	if (v6_need_bandwidth(r, &bw) < 0)
		return -1;
	return ipv6bw_modify(r->m, arg_opt(r, "Ipv6AddressId"),
			     arg_opt(r, "Ipv6InternetBandwidthId"), bw);
}

const struct api_action api_actions_ipv6[] = {
    {API_VERSION_VPC, "CreateIpv6Gateway", act_create_gw, API_WRITE | API_REGION},
    {API_VERSION_VPC, "DeleteIpv6Gateway", act_delete_gw, API_WRITE | API_REGION},
    {API_VERSION_VPC, "ModifyIpv6GatewayAttribute", act_modify_gw, API_WRITE | API_REGION},
    {API_VERSION_VPC, "DescribeIpv6Gateways", act_describe_gws, API_REGION},
    {API_VERSION_VPC, "DescribeIpv6GatewayAttribute", act_describe_gw_attribute, API_REGION},
    {API_VERSION_VPC, "DescribeIpv6Addresses", act_describe_addresses, API_REGION},
    {API_VERSION_VPC, "AllocateIpv6InternetBandwidth", act_allocate_bw, API_WRITE | API_REGION},
    {API_VERSION_VPC, "DeleteIpv6InternetBandwidth", act_delete_bw, API_WRITE | API_REGION},
    {API_VERSION_VPC, "ModifyIpv6InternetBandwidth", act_modify_bw, API_WRITE | API_REGION},
    {0},
};
