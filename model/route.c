/*
 * route: see route.h.  Custom tables and custom entries are stored
 * resources; system entries are computed from the VPC's vSwitches whenever
 * they are read, so they can never disagree with the vSwitches.  A derived
 * entry's id is "rte-" + the random part of its vSwitch's id (reversed for
 * the IPv6 /64), so it is stable across reads and recognisable on delete.
 */
#include "model/route.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "model/settle.h"
#include "model/vpc.h"
#include "model/vswitch.h"

/* --- helpers -------------------------------------------------------------- */

/* The caller's resource `id` of kind `kind` in m->region, or NULL with
 * `notfound` set (an id of another kind names nothing here). */
static json_t *route_need_kind(struct model *m, const char *id, const char *kind,
			       enum merr_code notfound)
{
	char k[16];
	if (id && model_id_kind(id, k) && strcmp(k, kind) != 0) {
		merrf(m, notfound, "%s (%.64s)", merr_default_message(notfound), id);
		return NULL;
	}
	return m_need(m, id, notfound);
}

/* Route table and entry names: 1..128 characters, not a URL (the cloud's rule). */
static bool route_valid_name(const char *s)
{
	if (!s || !*s)
		return true;
	return strlen(s) <= ROUTE_NAME_MAX && strncmp(s, "http://", 7) != 0 &&
	       strncmp(s, "https://", 8) != 0;
}

static bool route_is_available(const json_t *o)
{
	return strcmp(mj_str(o, "status"), "Available") == 0;
}

json_t *route_table_need(struct model *m, const char *table_id)
{
	return route_need_kind(m, table_id, "vtb", MERR_ROUTE_TABLE_NOT_FOUND);
}

static bool route_keep_table_vsw(void *arg, json_t *vsw)
{
	return strcmp(mj_str(vsw, "route_table_id"), arg) == 0;
}

json_t *route_table_vswitch_ids(struct model *m, const json_t *table)
{
	json_t *ids = json_array();
	json_t *vsws = m_list(m, "vsw", route_keep_table_vsw, (void *)mj_str(table, "id"));
	size_t i;
	json_t *v;
	json_array_foreach(vsws, i, v)
	{
		json_array_append_new(ids, json_string(mj_str(v, "id")));
	}
	json_decref(vsws);
	return ids;
}

/* The derived id of a vSwitch's system entry (v6: the IPv6 /64's). */
static char *route_system_id(const char *vsw_id, bool v6, char *buf)
{
	const char *body = strchr(vsw_id, '-');
	body = body ? body + 1 : vsw_id;
	size_t n = strlen(body);
	if (n > RANDID_MAX - 5)
		n = RANDID_MAX - 5;
	memcpy(buf, "rte-", 4);
	for (size_t i = 0; i < n; i++)
		buf[4 + i] = v6 ? body[n - 1 - i] : body[i];
	buf[4 + n] = '\0';
	return buf;
}

/* True when entry_id is the derived id of a system entry of the caller's vSwitches. */
static bool route_is_system_id(struct model *m, const char *entry_id)
{
	char vsw_id[RANDID_MAX + 8], sys[RANDID_MAX];
	const char *body = strncmp(entry_id, "rte-", 4) == 0 ? entry_id + 4 : NULL;
	if (!body || strlen(body) > RANDID_MAX - 5)
		return false;
	for (int v6 = 0; v6 <= 1; v6++) {
		size_t n = strlen(body);
		snprintf(vsw_id, sizeof(vsw_id), "vsw-");
		for (size_t i = 0; i < n; i++)
			vsw_id[4 + i] = v6 ? body[n - 1 - i] : body[i];
		vsw_id[4 + n] = '\0';
		json_t *vsw = m_get(m, vsw_id);
		bool hit = vsw && (!v6 || mj_str(vsw, "ipv6_cidr")[0]) &&
			   strcmp(route_system_id(vsw_id, v6, sys), entry_id) == 0;
		json_decref(vsw);
		if (hit)
			return true;
	}
	return false;
}

/* Parses a destination: a CIDR, or a bare address meaning a host route. */
static bool route_parse_dest(const char *s, struct netprefix *out)
{
	if (!s)
		return false;
	if (strchr(s, '/'))
		return netprefix_parse(s, out);
	if (!netaddr_parse(s, &out->addr))
		return false;
	out->len = (uint8_t)netaddr_bits(&out->addr);
	return true;
}

/* The vSwitch whose CIDR or /64 covers p (equal or wider), as a new
 * reference, or NULL. */
static json_t *route_vswitch_covering(struct model *m, const char *vpc_id,
				      const struct netprefix *p)
{
	struct m_eq eq = {"vpc_id", vpc_id};
	json_t *vsws = m_list(m, "vsw", m_keep_eq, &eq);
	json_t *hit = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(vsws, i, v)
	{
		struct netprefix c;
		const char *cidr = mj_str(v, p->addr.family == NETADDR_V4 ? "cidr" : "ipv6_cidr");
		if (netprefix_parse(cidr, &c) && netprefix_covers(&c, p)) {
			hit = json_incref(v);
			break;
		}
	}
	json_decref(vsws);
	return hit;
}

/* Invariants 2 and 5 for a destination of a route of vpc. */
static int route_check_dest(struct model *m, const json_t *vpc, const char *text,
			    struct netprefix *p)
{
	struct netprefix svc;
	if (!route_parse_dest(text, p))
		return merrf(
		    m, MERR_CIDR_MALFORMED,
		    "The DestinationCidrBlock %.64s is not a CIDR block (host bits must be "
		    "zero) or an IP address.",
		    text ? text : "");
	netprefix_parse(ROUTE_SERVICE_CIDR, &svc);
	if (p->addr.family == NETADDR_V4 && netprefix_covers(&svc, p))
		return merrf(m, MERR_ROUTE_DEST_INVALID,
			     "The destination %.64s lies inside %s, the range of cloud services.",
			     text, ROUTE_SERVICE_CIDR);
	if (p->addr.family == NETADDR_V6 && !mj_str(vpc, "ipv6_cidr")[0])
		return merrf(m, MERR_VPC_IPV6_OFF,
			     "IPv6 has not been enabled for VPC %s, so it cannot route %.64s.",
			     mj_str(vpc, "id"), text);
	json_t *vsw = route_vswitch_covering(m, mj_str(vpc, "id"), p);
	if (vsw) {
		merrf(m, MERR_ROUTE_DEST_INVALID,
		      "The destination %.64s is equal to or inside the CIDR block of vSwitch %s "
		      "(%s), which its system route already serves.",
		      text, mj_str(vsw, "id"),
		      mj_str(vsw, p->addr.family == NETADDR_V4 ? "cidr" : "ipv6_cidr"));
		json_decref(vsw);
		return -1;
	}
	return 0;
}

/* --- next hops ------------------------------------------------------------ */

enum route_hop_kind { HOP_INSTANCE, HOP_ENI, HOP_IPV6GW, HOP_BAD };

static const struct {
	const char *name; /* canonical wire name */
	const char *kind; /* resource kind */
	enum route_hop_kind k;
} route_hop_types[] = {
    {"Instance", "i", HOP_INSTANCE},
    {"NetworkInterface", "eni", HOP_ENI},
    {"Ipv6Gateway", "ipv6gw", HOP_IPV6GW},
};

/* Next-hop types of the cloud that openvpc does not implement yet. */
static const char *const route_hop_later[] = {
    "RouterInterface",
    "VpnGateway",
    "HaVip",
    "NatGateway",
    "Attachment",
    "VpcPeer",
    "Ipv4Gateway",
    "GatewayEndpoint",
    "Ecr",
    "GatewayLoadBalancerEndpoint",
    NULL,
};

static int route_hop_type(struct model *m, const char *type, int *idx)
{
	for (size_t i = 0; i < sizeof(route_hop_types) / sizeof(route_hop_types[0]); i++)
		if (strcasecmp(type, route_hop_types[i].name) == 0) {
			*idx = (int)i;
			return 0;
		}
	for (size_t i = 0; route_hop_later[i]; i++)
		if (strcasecmp(type, route_hop_later[i]) == 0)
			return merrf(
			    m, MERR_NEXT_HOP_TYPE,
			    "NextHopType %s is not supported yet; openvpc routes to Instance, "
			    "NetworkInterface and Ipv6Gateway next hops.",
			    route_hop_later[i]);
	return merrf(m, MERR_NEXT_HOP_TYPE,
		     "Specified parameter \"NextHopType\" is not valid: %.64s (use Instance, "
		     "NetworkInterface or Ipv6Gateway).",
		     type);
}

/* Invariant 3: resolves one next hop of a route to dest in vpc and appends
 * {type, id, weight} to hops. */
static int route_resolve_hop(struct model *m, const json_t *vpc, const struct netprefix *dest,
			     const char *type, const char *id, int64_t weight, json_t *hops)
{
	int t;
	if (route_hop_type(m, type ? type : "Instance", &t) < 0)
		return -1;
	if (!id)
		return merrf(m, MERR_MISSING_PARAMETER,
			     "The input parameter \"NextHopId\" that is "
			     "mandatory for processing this request is not supplied.");
	const char *vpc_id = mj_str(vpc, "id");
	json_t *res = m_need(m, id, MERR_NEXT_HOP_NOT_FOUND);
	if (res && strcmp(mj_str(res, "kind"), route_hop_types[t].kind) != 0) {
		json_decref(res);
		res = NULL;
	}
	if (!res)
		return merrf(m, MERR_NEXT_HOP_NOT_FOUND,
			     "Specified next hop %s %.64s does not exist.", route_hop_types[t].name,
			     id);
	int rc = -1;
	bool same_vpc = strcmp(mj_str(res, "vpc_id"), vpc_id) == 0;
	switch (route_hop_types[t].k) {
	case HOP_INSTANCE:
		if (strcmp(mj_str(res, "network"), "classic") == 0 || !mj_str(res, "vpc_id")[0]) {
			merrf(m, MERR_NEXT_HOP_NOT_VPC,
			      "Instance %s is not a VPC instance, so it cannot be a next hop.", id);
			goto out;
		}
		if (!same_vpc) {
			merrf(m, MERR_NEXT_HOP_OTHER_VPC,
			      "Instance %s is in VPC %s, not in %s of the route table.", id,
			      mj_str(res, "vpc_id"), vpc_id);
			goto out;
		}
		break;
	case HOP_ENI:
		if (!same_vpc) {
			merrf(m, MERR_NEXT_HOP_ENI_OTHER_VPC,
			      "Network interface %s is in VPC %s, not in %s of the route table.",
			      id, mj_str(res, "vpc_id"), vpc_id);
			goto out;
		}
		break;
	case HOP_IPV6GW:
		if (dest->addr.family != NETADDR_V6) {
			merrf(m, MERR_NEXT_HOP_TYPE,
			      "An Ipv6Gateway next hop serves IPv6 destinations only.");
			goto out;
		}
		if (!same_vpc) {
			merrf(m, MERR_NEXT_HOP_NOT_FOUND,
			      "IPv6 gateway %s does not exist in VPC %s.", id, vpc_id);
			goto out;
		}
		break;
	case HOP_BAD:
		fatal("route: impossible next-hop kind");
	}
	json_t *h = json_object();
	mj_set_str(h, "type", route_hop_types[t].name);
	mj_set_str(h, "id", id);
	mj_set_int(h, "weight", weight);
	json_array_append_new(hops, h);
	rc = 0;
out:
	json_decref(res);
	return rc;
}

/* Invariant 4: the next hops of a new entry, as a new JSON array, or NULL. */
static json_t *route_build_hops(struct model *m, const json_t *vpc, const struct netprefix *dest,
				const struct route_entry_create_req *r)
{
	bool single = r->next_hop_type || r->next_hop_id;
	json_t *hops = json_array();
	if (single && r->n_hops) {
		merr(m, MERR_NEXT_HOP_BOTH_NOT_NULL);
		goto fail;
	}
	if (!single && !r->n_hops) {
		merrf(m, MERR_NEXT_HOP_BOTH_NULL,
		      "Give NextHopType and NextHopId, or a NextHopList of %d to %d next hops.",
		      ROUTE_ECMP_MIN, ROUTE_ECMP_MAX);
		goto fail;
	}
	if (single) {
		if (route_resolve_hop(m, vpc, dest, r->next_hop_type, r->next_hop_id, 0, hops) < 0)
			goto fail;
		return hops;
	}
	if (r->n_hops < ROUTE_ECMP_MIN || r->n_hops > ROUTE_ECMP_MAX) {
		merrf(m, MERR_NEXT_HOP_LIST_SIZE,
		      "NextHopList has %zu next hops; an ECMP route has %d to %d.", r->n_hops,
		      ROUTE_ECMP_MIN, ROUTE_ECMP_MAX);
		goto fail;
	}
	for (size_t i = 0; i < r->n_hops; i++) {
		const struct route_hop *h = &r->hops[i];
		int t;
		if (route_hop_type(m, h->type ? h->type : "Instance", &t) < 0)
			goto fail;
		if (route_hop_types[t].k != HOP_INSTANCE && route_hop_types[t].k != HOP_ENI) {
			merrf(m, MERR_NEXT_HOP_TYPE,
			      "ECMP next hops must be Instance or NetworkInterface, not %s.",
			      route_hop_types[t].name);
			goto fail;
		}
		int64_t w = h->weight == ROUTE_WEIGHT_UNSET ? ROUTE_WEIGHT_DEFAULT : h->weight;
		if (w < ROUTE_WEIGHT_MIN || w > ROUTE_WEIGHT_MAX) {
			merrf(m, MERR_NEXT_HOP_WEIGHT,
			      "The weight %lld of next hop %.64s must be from %d to %d.",
			      (long long)w, h->id ? h->id : "", ROUTE_WEIGHT_MIN, ROUTE_WEIGHT_MAX);
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (h->id && r->hops[j].id && strcmp(h->id, r->hops[j].id) == 0) {
				merrf(m, MERR_NEXT_HOP_DUPLICATED,
				      "Next hop %.64s is listed twice in NextHopList.", h->id);
				goto fail;
			}
		if (route_resolve_hop(m, vpc, dest, h->type, h->id, w, hops) < 0)
			goto fail;
	}
	return hops;
fail:
	json_decref(hops);
	return NULL;
}

/* --- tables --------------------------------------------------------------- */

static bool route_keep_custom_table(void *arg, json_t *vtb)
{
	return strcmp(mj_str(vtb, "vpc_id"), arg) == 0 &&
	       strcmp(mj_str(vtb, "type"), ROUTE_TABLE_CUSTOM) == 0;
}

int route_table_create(struct model *m, const struct route_table_create_req *r, json_t **out)
{
	json_t *vpc = route_need_kind(m, r->vpc_id, "vpc", MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	int rc = -1;
	int64_t n;
	if (!route_valid_name(r->name)) {
		merrf(m, MERR_ROUTE_TABLE_NAME,
		      "The route table name must be 1 to %d characters and not start with http:// "
		      "or https://.",
		      ROUTE_NAME_MAX);
		goto out;
	}
	if (!model_valid_description(r->description)) {
		merr(m, MERR_ROUTE_TABLE_DESCRIPTION);
		goto out;
	}
	if (!route_is_available(vpc)) {
		merrf(m, MERR_VPC_STATUS, "VPC %s is %s; route tables can be added once Available.",
		      r->vpc_id, mj_str(vpc, "status"));
		goto out;
	}
	if (m_count(m, "vtb", route_keep_custom_table, (void *)r->vpc_id, &n) < 0)
		goto out;
	if (n >= m_quota(m, MODEL_QUOTA_ROUTE_TABLE)) {
		merrf(m, MERR_ROUTE_TABLE_QUOTA,
		      "VPC RouteTable quota exceeded: VPC %s may have %lld custom route tables.",
		      r->vpc_id, (long long)m_quota(m, MODEL_QUOTA_ROUTE_TABLE));
		goto out;
	}
	json_t *vtb = model_new_resource(m, "vtb", NULL);
	settle_begin(vtb, "Creating", "Available");
	mj_set_str(vtb, "parent", r->vpc_id);
	mj_set_str(vtb, "vpc_id", r->vpc_id);
	mj_set_str(vtb, "vrouter_id", mj_str(vpc, "vrouter_id"));
	mj_set_str(vtb, "type", ROUTE_TABLE_CUSTOM);
	mj_set_str(vtb, "name", r->name);
	mj_set_str(vtb, "description", r->description);
	json_object_set_new(vtb, "tags", r->tags ? json_deep_copy(r->tags) : json_array());
	rc = m_create(m, vtb);
	if (rc == 0 && out)
		*out = json_incref(vtb);
	json_decref(vtb);
out:
	json_decref(vpc);
	return rc;
}

int route_table_delete(struct model *m, const char *table_id)
{
	json_t *vtb = route_table_need(m, table_id);
	if (!vtb)
		return -1;
	int rc = -1;
	int64_t n;
	if (strcmp(mj_str(vtb, "type"), ROUTE_TABLE_CUSTOM) != 0) {
		merrf(m, MERR_ROUTE_TABLE_TYPE,
		      "Route table %s is the VPC's System table; it goes away with the VPC.",
		      table_id);
		goto out;
	}
	if (!route_is_available(vtb)) {
		merrf(m, MERR_ROUTE_TABLE_STATUS, "Route table %s is %s; it must be Available.",
		      table_id, mj_str(vtb, "status"));
		goto out;
	}
	if (m_count_eq(m, "rte", "route_table_id", table_id, &n) < 0)
		goto out;
	if (n > 0) {
		merrf(m, MERR_ROUTE_TABLE_HAS_ENTRIES,
		      "Route table %s still has %lld custom route entries; delete them first.",
		      table_id, (long long)n);
		goto out;
	}
	if (m_count_eq(m, "vsw", "route_table_id", table_id, &n) < 0)
		goto out;
	if (n > 0) {
		merrf(m, MERR_DEP_VSWITCH,
		      "Route table %s is still associated with %lld vSwitches; unassociate them "
		      "first.",
		      table_id, (long long)n);
		goto out;
	}
	settle_begin(vtb, "Deleting", SETTLE_DELETED);
	rc = m_put(m, vtb);
out:
	json_decref(vtb);
	return rc;
}

int route_table_modify(struct model *m, const char *table_id, const char *name,
		       const char *description)
{
	json_t *vtb = route_table_need(m, table_id);
	if (!vtb)
		return -1;
	int rc = -1;
	if (name && !route_valid_name(name)) {
		merrf(m, MERR_ROUTE_TABLE_NAME,
		      "The route table name must be 1 to %d characters and not start with http:// "
		      "or https://.",
		      ROUTE_NAME_MAX);
		goto out;
	}
	if (description && !model_valid_description(description)) {
		merr(m, MERR_ROUTE_TABLE_DESCRIPTION);
		goto out;
	}
	if (strcmp(mj_str(vtb, "status"), "Deleting") == 0) {
		merrf(m, MERR_ROUTE_TABLE_STATUS, "Route table %s is being deleted.", table_id);
		goto out;
	}
	if (name)
		mj_set_str(vtb, "name", name);
	if (description)
		mj_set_str(vtb, "description", description);
	rc = m_put(m, vtb);
out:
	json_decref(vtb);
	return rc;
}

/* The Available vSwitch and the table of one (un)association, checked for
 * the rules both share; new references in *vsw and *vtb. */
static int route_bind_prepare(struct model *m, const char *table_id, const char *vsw_id,
			      json_t **vsw, json_t **vtb)
{
	*vsw = NULL;
	*vtb = route_table_need(m, table_id);
	if (!*vtb)
		return -1;
	*vsw = route_need_kind(m, vsw_id, "vsw", MERR_VSWITCH_NOT_FOUND);
	if (!*vsw)
		goto fail;
	if (strcmp(mj_str(*vtb, "type"), ROUTE_TABLE_CUSTOM) != 0) {
		merrf(m, MERR_ROUTE_SYSTEM_TABLE,
		      "Route table %s is the System table: vSwitches use it unless bound to a "
		      "custom table (use UnassociateRouteTable to return to it).",
		      table_id);
		goto fail;
	}
	if (strcmp(mj_str(*vsw, "vpc_id"), mj_str(*vtb, "vpc_id")) != 0) {
		merrf(m, MERR_ROUTE_TABLE_NOT_SAME_VPC,
		      "vSwitch %s is in VPC %s and route table %s in VPC %s.", vsw_id,
		      mj_str(*vsw, "vpc_id"), table_id, mj_str(*vtb, "vpc_id"));
		goto fail;
	}
	if (!route_is_available(*vsw)) {
		merrf(m, MERR_VSWITCH_STATUS, "vSwitch %s is %s; it must be Available.", vsw_id,
		      mj_str(*vsw, "status"));
		goto fail;
	}
	if (!route_is_available(*vtb)) {
		merrf(m, MERR_ROUTE_TABLE_STATUS, "Route table %s is %s; it must be Available.",
		      table_id, mj_str(*vtb, "status"));
		goto fail;
	}
	return 0;
fail:
	json_decref(*vsw);
	json_decref(*vtb);
	*vsw = *vtb = NULL;
	return -1;
}

int route_table_associate(struct model *m, const char *table_id, const char *vsw_id)
{
	json_t *vsw, *vtb;
	if (route_bind_prepare(m, table_id, vsw_id, &vsw, &vtb) < 0)
		return -1;
	int rc = -1;
	json_t *vpc = m_get(m, mj_str(vsw, "vpc_id"));
	if (!vpc)
		fatal("vSwitch %s without its VPC", vsw_id);
	const char *cur = mj_str(vsw, "route_table_id");
	if (strcmp(cur, mj_str(vpc, "route_table_id")) != 0) {
		merrf(m, MERR_VSWITCH_HAS_ROUTE_TABLE,
		      "vSwitch %s is already associated with route table %s; unassociate it first.",
		      vsw_id, cur);
		goto out;
	}
	mj_set_str(vsw, "route_table_id", table_id);
	settle_begin(vsw, "Pending", "Available");
	rc = m_put(m, vsw);
out:
	json_decref(vpc);
	json_decref(vsw);
	json_decref(vtb);
	return rc;
}

int route_table_unassociate(struct model *m, const char *table_id, const char *vsw_id)
{
	json_t *vsw, *vtb;
	if (route_bind_prepare(m, table_id, vsw_id, &vsw, &vtb) < 0)
		return -1;
	int rc = -1;
	json_t *vpc = m_get(m, mj_str(vsw, "vpc_id"));
	if (!vpc)
		fatal("vSwitch %s without its VPC", vsw_id);
	if (strcmp(mj_str(vsw, "route_table_id"), table_id) != 0) {
		merrf(m, MERR_ROUTE_TABLE_NOT_BOUND,
		      "vSwitch %s is not associated with route table %s.", vsw_id, table_id);
		goto out;
	}
	mj_set_str(vsw, "route_table_id", mj_str(vpc, "route_table_id"));
	settle_begin(vsw, "Pending", "Available");
	rc = m_put(m, vsw);
out:
	json_decref(vpc);
	json_decref(vsw);
	json_decref(vtb);
	return rc;
}

/* --- entries -------------------------------------------------------------- */

static bool route_keep_table_entry(void *arg, json_t *rte)
{
	return strcmp(mj_str(rte, "route_table_id"), arg) == 0;
}

/* The table's custom entry to dest (canonical text), as a new reference, or NULL. */
static json_t *route_entry_by_dest(struct model *m, const char *table_id, const char *dest)
{
	json_t *all = m_list(m, "rte", route_keep_table_entry, (void *)table_id);
	json_t *hit = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(all, i, e)
	{
		if (strcmp(mj_str(e, "dest"), dest) == 0) {
			hit = json_incref(e);
			break;
		}
	}
	json_decref(all);
	return hit;
}

int route_entry_create(struct model *m, const struct route_entry_create_req *r, json_t **out)
{
	json_t *vtb = route_table_need(m, r->table_id);
	if (!vtb)
		return -1;
	int rc = -1;
	json_t *vpc = NULL, *hops = NULL, *dup = NULL;
	struct netprefix p;
	char txt[NETADDR_STRLEN];
	int64_t n;
	if (!route_valid_name(r->name)) {
		merrf(m, MERR_ROUTE_ENTRY_NAME,
		      "The route entry name must be 1 to %d characters and not start with http:// "
		      "or https://.",
		      ROUTE_NAME_MAX);
		goto out;
	}
	if (!model_valid_description(r->description)) {
		merr(m, MERR_ROUTE_ENTRY_DESCRIPTION);
		goto out;
	}
	if (!route_is_available(vtb)) {
		merrf(m, MERR_ROUTE_TABLE_STATUS, "Route table %s is %s; it must be Available.",
		      r->table_id, mj_str(vtb, "status"));
		goto out;
	}
	vpc = m_get(m, mj_str(vtb, "vpc_id"));
	if (!vpc)
		fatal("route table %s without its VPC", r->table_id);
	if (!route_is_available(vpc)) {
		merrf(m, MERR_VPC_STATUS, "VPC %s is %s; routes can be added once it is Available.",
		      mj_str(vpc, "id"), mj_str(vpc, "status"));
		goto out;
	}
	if (!r->dest) {
		merrf(m, MERR_MISSING_PARAMETER,
		      "The input parameter \"DestinationCidrBlock\" that "
		      "is mandatory for processing this request is not "
		      "supplied.");
		goto out;
	}
	if (route_check_dest(m, vpc, r->dest, &p) < 0)
		goto out;
	netprefix_format(&p, txt);
	if (!(hops = route_build_hops(m, vpc, &p, r)))
		goto out;
	if ((dup = route_entry_by_dest(m, r->table_id, txt))) {
		merrf(m, MERR_ROUTE_ENTRY_DUPLICATED, "Route table %s already has entry %s to %s.",
		      r->table_id, mj_str(dup, "id"), txt);
		goto out;
	}
	if (m_count_eq(m, "rte", "route_table_id", r->table_id, &n) < 0)
		goto out;
	if (n >= m_quota(m, MODEL_QUOTA_ROUTE_ENTRY)) {
		merrf(m, MERR_ROUTE_ENTRY_QUOTA,
		      "Route entry quota exceeded in this route table: %s may have %lld custom "
		      "entries.",
		      r->table_id, (long long)m_quota(m, MODEL_QUOTA_ROUTE_ENTRY));
		goto out;
	}
	json_t *rte = model_new_resource(m, "rte", NULL);
	settle_begin(rte, "Pending", "Available");
	mj_set_str(rte, "parent", r->table_id);
	mj_set_str(rte, "route_table_id", r->table_id);
	mj_set_str(rte, "vpc_id", mj_str(vpc, "id"));
	mj_set_str(rte, "type", ROUTE_TABLE_CUSTOM);
	mj_set_str(rte, "dest", txt);
	mj_set_str(rte, "ip_version", p.addr.family == NETADDR_V4 ? "IPv4" : "IPv6");
	json_object_set(rte, "next_hops", hops);
	mj_set_str(rte, "name", r->name);
	mj_set_str(rte, "description", r->description);
	mj_set_int(rte, "modified", m->now);
	rc = m_create(m, rte);
	if (rc == 0 && out)
		*out = json_incref(rte);
	json_decref(rte);
out:
	json_decref(dup);
	json_decref(hops);
	json_decref(vpc);
	json_decref(vtb);
	return rc;
}

/* The custom entry named by ref (new reference) or NULL with the error set. */
static json_t *route_entry_find(struct model *m, const struct route_entry_ref *ref)
{
	json_t *rte = NULL;
	if (ref->entry_id) {
		rte = m_need(m, ref->entry_id, MERR_ROUTE_ENTRY_NOT_FOUND);
		if (rte &&
		    (strcmp(mj_str(rte, "kind"), "rte") != 0 ||
		     (ref->table_id && strcmp(mj_str(rte, "route_table_id"), ref->table_id)))) {
			json_decref(rte);
			rte = NULL;
		}
		if (!rte) {
			if (route_is_system_id(m, ref->entry_id))
				merrf(m, MERR_ROUTE_ENTRY_SYSTEM,
				      "Route entry %s is a system route; it lasts as long as its "
				      "vSwitch.",
				      ref->entry_id);
			else
				merrf(m, MERR_ROUTE_ENTRY_NOT_FOUND,
				      "Specified RouteEntryId %.64s does not exist.",
				      ref->entry_id);
			return NULL;
		}
	} else {
		struct netprefix p;
		char txt[NETADDR_STRLEN];
		if (!ref->table_id || !ref->dest) {
			merrf(m, MERR_MISSING_PARAMETER,
			      "Name the route entry by RouteEntryId, or by RouteTableId and "
			      "DestinationCidrBlock.");
			return NULL;
		}
		json_t *vtb = route_table_need(m, ref->table_id);
		if (!vtb)
			return NULL;
		if (!route_parse_dest(ref->dest, &p)) {
			json_decref(vtb);
			merrf(m, MERR_CIDR_MALFORMED,
			      "The DestinationCidrBlock %.64s is malformed.", ref->dest);
			return NULL;
		}
		rte = route_entry_by_dest(m, ref->table_id, netprefix_format(&p, txt));
		if (!rte) {
			json_t *vsw = route_vswitch_covering(m, mj_str(vtb, "vpc_id"), &p);
			struct netprefix c;
			bool sys =
			    vsw &&
			    netprefix_parse(
				mj_str(vsw, p.addr.family == NETADDR_V4 ? "cidr" : "ipv6_cidr"),
				&c) &&
			    c.len == p.len;
			if (sys)
				merrf(m, MERR_ROUTE_ENTRY_SYSTEM,
				      "The route to %s is the system route of vSwitch %s.", txt,
				      mj_str(vsw, "id"));
			else
				merrf(m, MERR_ROUTE_ENTRY_NO_MATCH,
				      "Route table %s has no custom route entry to %s.",
				      ref->table_id, txt);
			json_decref(vsw);
		}
		json_decref(vtb);
		if (!rte)
			return NULL;
	}
	if (ref->next_hop_id) {
		bool found = false;
		size_t i;
		json_t *h;
		json_array_foreach(json_object_get(rte, "next_hops"), i, h)
		{
			found |= strcmp(mj_str(h, "id"), ref->next_hop_id) == 0;
		}
		if (!found) {
			merrf(m, MERR_ROUTE_ENTRY_NO_MATCH, "Route entry %s has no next hop %.64s.",
			      mj_str(rte, "id"), ref->next_hop_id);
			json_decref(rte);
			return NULL;
		}
	}
	return rte;
}

int route_entry_delete(struct model *m, const struct route_entry_ref *ref)
{
	json_t *rte = route_entry_find(m, ref);
	if (!rte)
		return -1;
	int rc = -1;
	if (!route_is_available(rte)) {
		merrf(m, MERR_ROUTE_ENTRY_STATUS, "Route entry %s is %s; it must be Available.",
		      mj_str(rte, "id"), mj_str(rte, "status"));
		goto out;
	}
	settle_begin(rte, "Deleting", SETTLE_DELETED);
	rc = m_put(m, rte);
out:
	json_decref(rte);
	return rc;
}

int route_entry_modify(struct model *m, const struct route_entry_modify_req *r)
{
	json_t *rte = route_entry_find(m, &r->ref);
	if (!rte)
		return -1;
	int rc = -1;
	json_t *vpc = NULL, *hops = NULL;
	if (r->name && !route_valid_name(r->name)) {
		merrf(m, MERR_ROUTE_ENTRY_NAME,
		      "The route entry name must be 1 to %d characters and not start with http:// "
		      "or https://.",
		      ROUTE_NAME_MAX);
		goto out;
	}
	if (r->description && !model_valid_description(r->description)) {
		merr(m, MERR_ROUTE_ENTRY_DESCRIPTION);
		goto out;
	}
	if (strcmp(mj_str(rte, "status"), "Deleting") == 0) {
		merrf(m, MERR_ROUTE_ENTRY_STATUS, "Route entry %s is being deleted.",
		      mj_str(rte, "id"));
		goto out;
	}
	if (r->new_hop_id || r->new_hop_type) {
		json_t *cur_hops = json_object_get(rte, "next_hops");
		json_t *cur = json_array_get(cur_hops, 0);
		struct netprefix p;
		if (json_array_size(cur_hops) != 1) {
			merrf(m, MERR_NEXT_HOP_LIST_SIZE,
			      "Route entry %s has more than one next hop (ECMP); its next hops "
			      "cannot "
			      "be replaced by ModifyRouteEntry.",
			      mj_str(rte, "id"));
			goto out;
		}
		if (!route_is_available(rte)) {
			merrf(m, MERR_ROUTE_ENTRY_STATUS,
			      "Route entry %s is %s; its next hop can change once it is Available.",
			      mj_str(rte, "id"), mj_str(rte, "status"));
			goto out;
		}
		const char *type = r->new_hop_type ? r->new_hop_type : mj_str(cur, "type");
		vpc = m_get(m, mj_str(rte, "vpc_id"));
		if (!vpc)
			fatal("route entry %s without its VPC", mj_str(rte, "id"));
		netprefix_parse(mj_str(rte, "dest"), &p);
		hops = json_array();
		if (route_resolve_hop(m, vpc, &p, type, r->new_hop_id, 0, hops) < 0)
			goto out;
		json_t *h = json_array_get(hops, 0);
		if (strcmp(mj_str(h, "type"), mj_str(cur, "type")) == 0 &&
		    strcmp(mj_str(h, "id"), mj_str(cur, "id")) == 0) {
			merrf(m, MERR_NEXT_HOP_NOT_CHANGED,
			      "Route entry %s already points at %s %s.", mj_str(rte, "id"),
			      mj_str(cur, "type"), mj_str(cur, "id"));
			goto out;
		}
		json_object_set(rte, "next_hops", hops);
		settle_begin(rte, "Modifying", "Available");
	}
	if (r->name)
		mj_set_str(rte, "name", r->name);
	if (r->description)
		mj_set_str(rte, "description", r->description);
	mj_set_int(rte, "modified", m->now);
	rc = m_put(m, rte);
out:
	json_decref(hops);
	json_decref(vpc);
	json_decref(rte);
	return rc;
}

/* A derived system entry of table for one vSwitch CIDR. */
static json_t *route_system_entry(const json_t *table, const json_t *vsw, bool v6)
{
	char id[RANDID_MAX];
	json_t *e = json_object();
	mj_set_str(e, "id", route_system_id(mj_str(vsw, "id"), v6, id));
	mj_set_str(e, "kind", "rte");
	mj_set_int(e, "owner", mj_int(table, "owner"));
	mj_set_str(e, "region", mj_str(table, "region"));
	mj_set_int(e, "created", mj_int(vsw, "created"));
	mj_set_int(e, "modified", mj_int(vsw, "created"));
	mj_set_str(e, "route_table_id", mj_str(table, "id"));
	mj_set_str(e, "vpc_id", mj_str(table, "vpc_id"));
	mj_set_str(e, "type", ROUTE_TABLE_SYSTEM);
	mj_set_str(e, "dest", mj_str(vsw, v6 ? "ipv6_cidr" : "cidr"));
	mj_set_str(e, "ip_version", v6 ? "IPv6" : "IPv4");
	json_t *hops = json_array(), *h = json_object();
	mj_set_str(h, "type", "local");
	mj_set_str(h, "id", "");
	mj_set_int(h, "weight", 0);
	json_array_append_new(hops, h);
	json_object_set_new(e, "next_hops", hops);
	mj_set_str(e, "name", "");
	mj_set_str(e, "description", "");
	mj_set_str(e, "status", "Available");
	return e;
}

json_t *route_entries(struct model *m, const json_t *table)
{
	json_t *out = json_array();
	struct m_eq eq = {"vpc_id", mj_str(table, "vpc_id")};
	json_t *vsws = m_list(m, "vsw", m_keep_eq, &eq);
	size_t i;
	json_t *v;
	json_array_foreach(vsws, i, v)
	{
		json_array_append_new(out, route_system_entry(table, v, false));
		if (mj_str(v, "ipv6_cidr")[0])
			json_array_append_new(out, route_system_entry(table, v, true));
	}
	json_decref(vsws);
	json_t *custom = m_list(m, "rte", route_keep_table_entry, (void *)mj_str(table, "id"));
	json_array_extend(out, custom);
	json_decref(custom);
	return out;
}

static bool route_keep_ref(void *arg, json_t *rte)
{
	size_t i;
	json_t *h;
	json_array_foreach(json_object_get(rte, "next_hops"), i, h)
	{
		if (strcmp(mj_str(h, "id"), arg) == 0)
			return true;
	}
	return false;
}

int route_count_refs(struct model *m, const char *target_id, int64_t *n)
{
	return m_count(m, "rte", route_keep_ref, (void *)target_id, n);
}

int route_refuse_if_next_hop(struct model *m, const char *target_id)
{
	int64_t n = 0;
	if (route_count_refs(m, target_id, &n) < 0)
		return -1;
	if (n > 0)
		return merrf(
		    m, MERR_DEP_ROUTE_ENTRY,
		    "%lld route entries still use %s as their next hop; delete them first.",
		    (long long)n, target_id);
	return 0;
}
