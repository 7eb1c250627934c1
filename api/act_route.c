/*
 * act_route: the route actions of VPC 2016-04-28: route tables
 * (DescribeRouteTables, DescribeRouteTableList, CreateRouteTable,
 * DeleteRouteTable, ModifyRouteTableAttributes, AssociateRouteTable,
 * UnassociateRouteTable) and route entries (CreateRouteEntry,
 * DeleteRouteEntry, ModifyRouteEntry, DescribeRouteEntryList).  Rules live
 * in model/route.c; this file maps wire parameters to model calls and
 * tables and entries to the SDK's response shapes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "model/route.h"

/* --- rendering ------------------------------------------------------------ */

/* NextHops.NextHop[] of an entry (both actions use this shape, plus extras). */
static void rt_render_hops(struct api_req *r, json_t *o, json_t *rte, bool related)
{
	json_t *arr = jo_wrap(o, "NextHops", "NextHop");
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(rte, "next_hops"), i, h)
	{
		json_t *e = json_object();
		jo_int(e, "Enabled", 1);
		jo_str(e, "NextHopId", mj_str(h, "id"));
		jo_str(e, "NextHopType", mj_str(h, "type"));
		jo_int(e, "Weight", mj_int(h, "weight"));
		if (related) {
			jo_str(e, "NextHopRegionId", mj_str(rte, "region"));
			json_t *rel = json_object();
			jo_str(rel, "InstanceId", "");
			jo_str(rel, "InstanceType", "");
			jo_str(rel, "RegionId", "");
			json_object_set_new(e, "NextHopRelatedInfo", rel);
		}
		json_array_append_new(arr, e);
	}
}

/* An entry as DescribeRouteTables shows it (RouteEntrys.RouteEntry[]). */
static json_t *rt_render_entry_old(struct api_req *r, json_t *rte)
{
	json_t *o = json_object();
	json_t *hops = json_object_get(rte, "next_hops");
	bool single = json_array_size(hops) == 1;
	jo_str(o, "RouteEntryId", mj_str(rte, "id"));
	jo_str(o, "RouteTableId", mj_str(rte, "route_table_id"));
	jo_str(o, "DestinationCidrBlock", mj_str(rte, "dest"));
	jo_str(o, "Type", mj_str(rte, "type"));
	jo_str(o, "Status", mj_str(rte, "status"));
	jo_str(o, "RouteEntryName", mj_str(rte, "name"));
	jo_str(o, "Description", mj_str(rte, "description"));
	/* ECMP entries have no single next hop: their hops are in NextHops. */
	jo_str(o, "NextHopType", single ? mj_str(json_array_get(hops, 0), "type") : "");
	jo_str(o, "InstanceId", single ? mj_str(json_array_get(hops, 0), "id") : "");
	rt_render_hops(r, o, rte, false);
	return o;
}

/* An entry as DescribeRouteEntryList shows it. */
static json_t *rt_render_entry(struct api_req *r, json_t *rte)
{
	json_t *o = json_object();
	jo_str(o, "RouteEntryId", mj_str(rte, "id"));
	jo_str(o, "RouteTableId", mj_str(rte, "route_table_id"));
	jo_str(o, "DestinationCidrBlock", mj_str(rte, "dest"));
	jo_str(o, "Type", mj_str(rte, "type"));
	jo_str(o, "Status", mj_str(rte, "status"));
	jo_str(o, "RouteEntryName", mj_str(rte, "name"));
	jo_str(o, "Description", mj_str(rte, "description"));
	jo_str(o, "IpVersion", strcmp(mj_str(rte, "ip_version"), "IPv6") == 0 ? "ipv6" : "ipv4");
	jo_str(o, "Origin", "");
	jo_str(o, "ServiceType", "");
	jo_time(o, "GmtModified", mj_int(rte, "modified"), true);
	rt_render_hops(r, o, rte, true);
	return o;
}

/* --- route tables ------------------------------------------------------------ */

static json_t *rt_render_table_old(struct api_req *r, json_t *vtb)
{
	json_t *o = json_object();
	jo_str(o, "RouteTableId", mj_str(vtb, "id"));
	jo_str(o, "RouteTableType", mj_str(vtb, "type"));
	jo_str(o, "VRouterId", mj_str(vtb, "vrouter_id"));
	jo_str(o, "Status", mj_str(vtb, "status"));
	jo_str(o, "ResourceGroupId", "");
	jo_time(o, "CreationTime", mj_int(vtb, "created"), false);
	json_t *ids = route_table_vswitch_ids(r->m, vtb);
	jo_wrap_strs(o, "VSwitchIds", "VSwitchId", ids);
	json_decref(ids);
	json_t *arr = jo_wrap(o, "RouteEntrys", "RouteEntry");
	json_t *entries = route_entries(r->m, vtb);
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e)
	{
		json_array_append_new(arr, rt_render_entry_old(r, e));
	}
	json_decref(entries);
	return o;
}

static json_t *rt_render_table(struct api_req *r, json_t *vtb)
{
	json_t *o = json_object();
	jo_str(o, "RouteTableId", mj_str(vtb, "id"));
	jo_str(o, "RouteTableName", mj_str(vtb, "name"));
	jo_str(o, "RouteTableType", mj_str(vtb, "type"));
	jo_str(o, "Description", mj_str(vtb, "description"));
	jo_str(o, "VpcId", mj_str(vtb, "vpc_id"));
	jo_str(o, "RouterId", mj_str(vtb, "vrouter_id"));
	jo_str(o, "RouterType", "VRouter");
	jo_str(o, "AssociateType", "VSwitch");
	jo_str(o, "Status", mj_str(vtb, "status"));
	jo_str(o, "ResourceGroupId", "");
	jo_int(o, "OwnerId", mj_int(vtb, "owner"));
	jo_bool(o, "RoutePropagationEnable", true);
	jo_time(o, "CreationTime", mj_int(vtb, "created"), false);
	json_t *ids = route_table_vswitch_ids(r->m, vtb);
	jo_wrap_strs(o, "VSwitchIds", "VSwitchId", ids);
	json_decref(ids);
	jo_wrap(o, "GatewayIds", "GatewayIds");
	jo_tags(o, vtb, false);
	return o;
}

/* RouterType: openvpc's tables all belong to VRouters (VBR tables come later). */
static bool rt_match_router_type(struct api_req *r)
{
	const char *t = arg_opt(r, "RouterType");
	return !t || strcasecmp(t, "VRouter") == 0;
}

static bool rt_keep_old(struct api_req *r, json_t *vtb)
{
	return rt_match_router_type(r) && api_match(r, vtb, "RouteTableId", "id") &&
	       api_match(r, vtb, "VRouterId", "vrouter_id") &&
	       api_match(r, vtb, "RouterId", "vrouter_id") && api_match(r, vtb, "Type", "type") &&
	       api_match(r, vtb, "RouteTableName", "name");
}

static int act_describe_route_tables(struct api_req *r)
{
	json_t *items = m_list(r->m, "vtb", NULL, NULL);
	if (!items)
		return -1;
	api_filter(r, items, rt_keep_old);
	int rc = api_page(r, items, "RouteTables", "RouteTable", 50, rt_render_table_old);
	json_decref(items);
	return rc;
}

static bool rt_keep(struct api_req *r, json_t *vtb)
{
	return rt_match_router_type(r) && api_match(r, vtb, "RouteTableId", "id") &&
	       api_match(r, vtb, "RouterId", "vrouter_id") &&
	       api_match(r, vtb, "VpcId", "vpc_id") &&
	       api_match(r, vtb, "RouteTableType", "type") &&
	       api_match(r, vtb, "RouteTableName", "name") && api_match_tags(r, vtb);
}

static int act_describe_route_table_list(struct api_req *r)
{
	json_t *items = m_list(r->m, "vtb", NULL, NULL);
	if (!items)
		return -1;
	api_filter(r, items, rt_keep);
	int rc = api_page(r, items, "RouterTableList", "RouterTableListType", 50, rt_render_table);
	json_decref(items);
	return rc;
}

static int act_create_route_table(struct api_req *r)
{
	struct route_table_create_req q = {
	    .name = arg_opt(r, "RouteTableName"),
	    .description = arg_opt(r, "Description"),
	};
	static const char *const types[] = {"VSwitch", NULL};
	const char *assoc;
	json_t *vtb = NULL;
	int rc = -1;
	if (arg_need(r, "VpcId", &q.vpc_id) < 0 ||
	    arg_enum(r, "AssociateType", types, false, "VSwitch", &assoc) < 0)
		return -1;
	if (arg_tags(r, &q.tags) < 0)
		return -1;
	if (route_table_create(r->m, &q, &vtb) < 0)
		goto out;
	jo_str(r->out, "RouteTableId", mj_str(vtb, "id"));
	jo_str(r->out, "AssociateType", assoc);
	jo_str(r->out, "Status", mj_str(vtb, "status"));
	rc = 0;
out:
	json_decref(vtb);
	json_decref(q.tags);
	return rc;
}

static int act_delete_route_table(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "RouteTableId", &id) < 0)
		return -1;
	return route_table_delete(r->m, id);
}

static int act_modify_route_table(struct api_req *r)
{
	const char *id;
	bool b;
	if (arg_need(r, "RouteTableId", &id) < 0 ||
	    arg_bool(r, "RoutePropagationEnable", true, &b) < 0)
		return -1;
	return route_table_modify(r->m, id, params_get(r->p, "RouteTableName"),
				  params_get(r->p, "Description"));
}

static int act_associate_route_table(struct api_req *r)
{
	const char *id, *vsw;
	if (arg_need(r, "RouteTableId", &id) < 0 || arg_need(r, "VSwitchId", &vsw) < 0)
		return -1;
	return route_table_associate(r->m, id, vsw);
}

static int act_unassociate_route_table(struct api_req *r)
{
	const char *id, *vsw;
	if (arg_need(r, "RouteTableId", &id) < 0 || arg_need(r, "VSwitchId", &vsw) < 0)
		return -1;
	return route_table_unassociate(r->m, id, vsw);
}

/* --- route entries ------------------------------------------------------------- */

struct rt_hops {
	struct route_hop *v;
	size_t cap;
	struct api_req *r;
	bool bad_weight;
};

static bool rt_hop_cb(void *arg, unsigned idx, const char *field, const char *value)
{
	struct rt_hops *h = arg;
	if (idx == 0 || idx > h->cap)
		return true;
	struct route_hop *e = &h->v[idx - 1];
	if (strcmp(field, "NextHopId") == 0) {
		e->id = *value ? value : NULL;
	} else if (strcmp(field, "NextHopType") == 0) {
		e->type = *value ? value : NULL;
	} else if (strcmp(field, "Weight") == 0 && *value) {
		char *end;
		long long w = strtoll(value, &end, 10);
		if (*end || w < 0 || w > INT32_MAX)
			h->bad_weight = true;
		else
			e->weight = w;
	}
	return true;
}

/* NextHopList.N.{NextHopId,NextHopType,Weight} into a malloc'd array (free it). */
static int rt_arg_hops(struct api_req *r, struct route_hop **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	unsigned max = params_max_index(r->p, "NextHopList");
	if (max == 0)
		return 0;
	if (max > 4 * ROUTE_ECMP_MAX)
		return merrf(r->m, MERR_NEXT_HOP_LIST_SIZE,
			     "NextHopList has %u next hops; an ECMP route has %d to %d.", max,
			     ROUTE_ECMP_MIN, ROUTE_ECMP_MAX);
	struct rt_hops h = {.v = calloc(max, sizeof(*h.v)), .cap = max, .r = r};
	if (!h.v)
		return merr(r->m, MERR_INTERNAL);
	for (unsigned i = 0; i < max; i++)
		h.v[i].weight = ROUTE_WEIGHT_UNSET;
	if (!params_objects(r->p, "NextHopList", rt_hop_cb, &h)) {
		free(h.v);
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "NextHopList.N.Field has a malformed or repeated entry.");
	}
	if (h.bad_weight) {
		free(h.v);
		return merrf(r->m, MERR_NEXT_HOP_WEIGHT,
			     "NextHopList.N.Weight must be an integer from %d to %d.",
			     ROUTE_WEIGHT_MIN, ROUTE_WEIGHT_MAX);
	}
	/* Compact the list: indexes may have gaps. */
	size_t k = 0;
	for (unsigned i = 0; i < max; i++)
		if (h.v[i].id || h.v[i].type || h.v[i].weight != ROUTE_WEIGHT_UNSET)
			h.v[k++] = h.v[i];
	*out = h.v;
	*n = k;
	return 0;
}

static int act_create_route_entry(struct api_req *r)
{
	struct route_entry_create_req q = {
	    .next_hop_type = arg_opt(r, "NextHopType"),
	    .next_hop_id = arg_opt(r, "NextHopId"),
	    .name = arg_opt(r, "RouteEntryName"),
	    .description = arg_opt(r, "Description"),
	};
	struct route_hop *hops;
	json_t *rte = NULL;
	if (arg_need(r, "RouteTableId", &q.table_id) < 0 ||
	    arg_need(r, "DestinationCidrBlock", &q.dest) < 0)
		return -1;
	if (rt_arg_hops(r, &hops, &q.n_hops) < 0)
		return -1;
	q.hops = hops;
	int rc = route_entry_create(r->m, &q, &rte);
	free(hops);
	if (rc < 0)
		return -1;
	jo_str(r->out, "RouteEntryId", mj_str(rte, "id"));
	json_decref(rte);
	return 0;
}

/* The entry a Delete/ModifyRouteEntry request names. */
static void rt_arg_ref(struct api_req *r, struct route_entry_ref *ref)
{
	ref->entry_id = arg_opt(r, "RouteEntryId");
	ref->table_id = arg_opt(r, "RouteTableId");
	ref->dest = arg_opt(r, "DestinationCidrBlock");
	ref->next_hop_id = arg_opt(r, "NextHopId");
}

static int act_delete_route_entry(struct api_req *r)
{
	struct route_entry_ref ref;
	rt_arg_ref(r, &ref);
	return route_entry_delete(r->m, &ref);
}

static int act_modify_route_entry(struct api_req *r)
{
	struct route_entry_modify_req q = {
	    .name = params_get(r->p, "RouteEntryName"),
	    .description = params_get(r->p, "Description"),
	    .new_hop_type = arg_opt(r, "NewNextHopType"),
	    .new_hop_id = arg_opt(r, "NewNextHopId"),
	};
	rt_arg_ref(r, &q.ref);
	q.ref.next_hop_id = NULL;
	if (q.new_hop_type && !q.new_hop_id)
		return merrf(r->m, MERR_MISSING_PARAMETER,
			     "NewNextHopId is mandatory when NewNextHopType is given.");
	return route_entry_modify(r->m, &q);
}

static bool rt_entry_has_hop(json_t *rte, const char *k, const char *want)
{
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(rte, "next_hops"), i, h)
	{
		if (strcasecmp(mj_str(h, k), want) == 0)
			return true;
	}
	return false;
}

static bool rt_keep_entry(struct api_req *r, json_t *rte)
{
	const char *v;
	if (!api_match(r, rte, "RouteEntryId", "id") ||
	    !api_match(r, rte, "RouteEntryName", "name"))
		return false;
	if ((v = arg_opt(r, "RouteEntryType")) && strcasecmp(v, mj_str(rte, "type")) != 0)
		return false;
	if ((v = arg_opt(r, "IpVersion")) && strcasecmp(v, mj_str(rte, "ip_version")) != 0)
		return false;
	if ((v = arg_opt(r, "NextHopId")) && !rt_entry_has_hop(rte, "id", v))
		return false;
	if ((v = arg_opt(r, "NextHopType")) && !rt_entry_has_hop(rte, "type", v))
		return false;
	if (arg_opt(r, "ServiceType"))
		return false; /* no hosted routes in openvpc */
	return true;
}

/* A destination filter in canonical form ("10.0.0.1" is 10.0.0.1/32). */
static int rt_canon_dest(struct api_req *r, const char *s, char *out)
{
	struct netprefix p;
	bool ok = strchr(s, '/') ? netprefix_parse(s, &p)
				 : (netaddr_parse(s, &p.addr) &&
				    (p.len = (uint8_t)netaddr_bits(&p.addr), true));
	if (!ok)
		return merrf(r->m, MERR_CIDR_MALFORMED, "The destination %.64s is malformed.", s);
	netprefix_format(&p, out);
	return 0;
}

#define RT_MAX_RESULT 100

static int act_describe_route_entry_list(struct api_req *r)
{
	const char *table_id;
	int64_t max, start = 0;
	if (arg_need(r, "RouteTableId", &table_id) < 0 ||
	    arg_int(r, "MaxResult", 10, 1, RT_MAX_RESULT, &max) < 0)
		return -1;
	const char *token = arg_opt(r, "NextToken");
	json_t *vtb = route_table_need(r->m, table_id);
	if (!vtb)
		return -1;
	int rc = -1;
	const char **list = NULL;
	size_t n_list = 0, n_dests = 0;
	char(*dests)[NETADDR_STRLEN] = NULL; /* DestCidrBlockList.N and DestinationCidrBlock */
	json_t *items = NULL;
	if (arg_list(r, "DestCidrBlockList", &list, &n_list) < 0)
		goto out;
	const char *one = arg_opt(r, "DestinationCidrBlock");
	dests = calloc(n_list + 1, sizeof(*dests));
	if (!dests) {
		merr(r->m, MERR_INTERNAL);
		goto out;
	}
	for (size_t i = 0; i <= n_list; i++) {
		const char *s = i < n_list ? list[i] : one;
		if (s && rt_canon_dest(r, s, dests[n_dests++]) < 0)
			goto out;
	}
	items = route_entries(r->m, vtb);
	api_filter(r, items, rt_keep_entry);
	for (size_t i = json_array_size(items); n_dests && i-- > 0;) {
		bool hit = false;
		for (size_t j = 0; j < n_dests; j++)
			hit |= strcmp(dests[j], mj_str(json_array_get(items, i), "dest")) == 0;
		if (!hit)
			json_array_remove(items, i);
	}
	int64_t total = (int64_t)json_array_size(items);
	if (token) {
		char *end;
		start = strtoll(token, &end, 10);
		if (*end || start < 0 || start > total) {
			merrf(r->m, MERR_INVALID_PARAMETER, "The NextToken %.40s is not valid.",
			      token);
			goto out;
		}
	}
	json_t *arr = jo_wrap(r->out, "RouteEntrys", "RouteEntry");
	for (int64_t i = start; i < total && i < start + max; i++)
		json_array_append_new(arr, rt_render_entry(r, json_array_get(items, (size_t)i)));
	char next[32] = "";
	if (start + max < total)
		snprintf(next, sizeof(next), "%lld", (long long)(start + max));
	jo_str(r->out, "NextToken", next);
	jo_int(r->out, "TotalCount", total);
	rc = 0;
out:
	json_decref(items);
	free(dests);
	free(list);
	json_decref(vtb);
	return rc;
}

const struct api_action api_actions_route[] = {
    {API_VERSION_VPC, "DescribeRouteTables", act_describe_route_tables, API_REGION_OPT},
    {API_VERSION_VPC, "DescribeRouteTableList", act_describe_route_table_list, API_REGION},
    {API_VERSION_VPC, "CreateRouteTable", act_create_route_table, API_WRITE | API_REGION},
    {API_VERSION_VPC, "DeleteRouteTable", act_delete_route_table, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "ModifyRouteTableAttributes", act_modify_route_table,
     API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "AssociateRouteTable", act_associate_route_table, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "UnassociateRouteTable", act_unassociate_route_table,
     API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "CreateRouteEntry", act_create_route_entry, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "DeleteRouteEntry", act_delete_route_entry, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "ModifyRouteEntry", act_modify_route_entry, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "DescribeRouteEntryList", act_describe_route_entry_list, API_REGION},
    /* ECS 2014-05-26 versions (older clients; see act_vpc.c). */
    {API_VERSION_ECS, "DescribeRouteTables", act_describe_route_tables, API_REGION_OPT},
    {API_VERSION_ECS, "CreateRouteEntry", act_create_route_entry, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "DeleteRouteEntry", act_delete_route_entry, API_WRITE | API_REGION_OPT},
    {0},
};
