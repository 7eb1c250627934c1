/*
 * vpc: see vpc.h.  The CIDR rules follow the cloud: /8 to /28, never
 * 100.64.0.0/10, 224.0.0.0/4, 127.0.0.0/8, 169.254.0.0/16 or 0.0.0.0/8
 * (carrier NAT, multicast, loopback, link-local, "this network").
 */
#include "model/vpc.h"

#include "model/settle.h"

#include <stdio.h>
#include <string.h>

static const char *const vpc_reserved[] = {
    "100.64.0.0/10", "224.0.0.0/4", "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8", "240.0.0.0/4",
};

char *vpc_scope_v4(const char *vpc_id, char *buf)
{
	snprintf(buf, MODEL_SCOPE_MAX, "v4/%s", vpc_id);
	return buf;
}

char *vpc_scope_v6(const char *vpc_id, char *buf)
{
	snprintf(buf, MODEL_SCOPE_MAX, "v6/%s", vpc_id);
	return buf;
}

int vpc_check_cidr(struct model *m, const char *cidr, struct netprefix *out)
{
	struct netprefix p;
	if (!netprefix_parse(cidr, &p) || p.addr.family != NETADDR_V4)
		return merrf(m, MERR_CIDR_MALFORMED,
			     "The specified CidrBlock %.64s is not an IPv4 network in CIDR form.",
			     cidr);
	if (p.len < VPC_MIN_MASK || p.len > VPC_MAX_MASK)
		return merrf(m, MERR_CIDR_MASK,
			     "The mask of CidrBlock %.64s must be between /%d and /%d.", cidr,
			     VPC_MIN_MASK, VPC_MAX_MASK);
	for (size_t i = 0; i < sizeof(vpc_reserved) / sizeof(vpc_reserved[0]); i++) {
		struct netprefix r;
		netprefix_parse(vpc_reserved[i], &r);
		if (netprefix_overlaps(&p, &r))
			return merrf(m, MERR_CIDR_MALFORMED,
				     "CidrBlock %.64s overlaps the reserved range %s.", cidr,
				     vpc_reserved[i]);
	}
	*out = p;
	return 0;
}

bool vpc_covers(const json_t *vpc, const struct netprefix *p)
{
	struct netprefix c;
	if (netprefix_parse(mj_str(vpc, "cidr"), &c) && netprefix_covers(&c, p))
		return true;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(vpc, "secondary_cidrs"), i, v)
	{
		if (netprefix_parse(json_string_value(v), &c) && netprefix_covers(&c, p))
			return true;
	}
	return false;
}

/* Cuts the lowest free /56 out of the region's IPv6 pool for the VPC. */
static int vpc_alloc_ipv6(struct model *m, json_t *vpc)
{
	const struct netprefix *pool = &m->region->ipv6_pool;
	char scope[MODEL_SCOPE_MAX], txt[NETADDR_STRLEN];
	snprintf(scope, sizeof(scope), "v6blk/%s", m->region->id);
	if (pool->len > VPC_IPV6_PREFIX_LEN)
		return merrf(m, MERR_INTERNAL, "The region's IPv6 pool is smaller than a /56.");
	uint64_t blocks =
	    1ull << (VPC_IPV6_PREFIX_LEN - pool->len > 32 ? 32 : VPC_IPV6_PREFIX_LEN - pool->len);
	for (uint64_t k = 0; k < blocks; k++) {
		struct netprefix blk = {.addr = pool->addr, .len = VPC_IPV6_PREFIX_LEN};
		/* A /56 block spans 2^72 addresses: 2^8 steps of the high word. */
		blk.addr.hi += k << 8;
		if (m_claimed(m, scope, &blk.addr, NULL))
			continue;
		if (m_claim(m, scope, &blk.addr, (uint64_t)mj_int(vpc, "owner"), mj_str(vpc, "id"),
			    MERR_OPERATION_CONFLICT) < 0)
			return -1;
		mj_set_str(vpc, "ipv6_cidr", netprefix_format(&blk, txt));
		return 0;
	}
	return merrf(m, MERR_INTERNAL, "The region has no free IPv6 block.");
}

static int vpc_free_ipv6(struct model *m, json_t *vpc)
{
	struct netprefix p;
	char scope[MODEL_SCOPE_MAX];
	if (!netprefix_parse(mj_str(vpc, "ipv6_cidr"), &p))
		return 0;
	snprintf(scope, sizeof(scope), "v6blk/%s", mj_str(vpc, "region"));
	return m_unclaim(m, scope, &p.addr);
}

static int vpc_check_user_cidrs(struct model *m, char **cidrs, size_t n)
{
	if ((int64_t)n > m_quota(m, MODEL_QUOTA_USER_CIDR))
		return merrf(m, MERR_USER_CIDR_QUOTA,
			     "Specified UserCidr number is greater than %lld.",
			     (long long)m_quota(m, MODEL_QUOTA_USER_CIDR));
	for (size_t i = 0; i < n; i++) {
		struct netprefix p;
		if (!netprefix_parse(cidrs[i], &p) || p.addr.family != NETADDR_V4)
			return merrf(m, MERR_USER_CIDR_MALFORMED,
				     "The specified UserCidr %.64s is invalid.", cidrs[i]);
		for (size_t j = 0; j < i; j++) {
			struct netprefix q;
			netprefix_parse(cidrs[j], &q);
			if (netprefix_overlaps(&p, &q))
				return merrf(m, MERR_USER_CIDR_MALFORMED,
					     "UserCidr %.64s overlaps %.64s.", cidrs[i], cidrs[j]);
		}
	}
	return 0;
}

int vpc_create(struct model *m, const struct vpc_create_req *r, json_t **out)
{
	struct netprefix p;
	char txt[NETADDR_STRLEN], id[RANDID_MAX];
	if (!m->region)
		return merrf(m, MERR_MISSING_PARAMETER, "RegionId is mandatory for this action.");
	if (vpc_check_cidr(m, r->cidr ? r->cidr : VPC_DEFAULT_CIDR, &p) < 0)
		return -1;
	if (!model_valid_name(r->name))
		return merr(m, MERR_VPC_NAME);
	if (!model_valid_description(r->description))
		return merr(m, MERR_VPC_DESCRIPTION);
	if (vpc_check_user_cidrs(m, r->user_cidrs, r->n_user_cidrs) < 0)
		return -1;
	int64_t n;
	if (m_count(m, "vpc", NULL, NULL, &n) < 0)
		return -1;
	if (n >= m_quota(m, MODEL_QUOTA_VPC))
		return merrf(m, MERR_VPC_QUOTA,
			     "VPC quota exceeded: this account may have %lld VPCs in %s.",
			     (long long)m_quota(m, MODEL_QUOTA_VPC), m->region->id);

	json_t *vpc = model_new_resource(m, "vpc", NULL);
	settle_begin(vpc, "Pending", "Available");
	const char *vpc_id = mj_str(vpc, "id");
	mj_set_str(vpc, "cidr", netprefix_format(&p, txt));
	mj_set_str(vpc, "name", r->name);
	mj_set_str(vpc, "description", r->description);
	json_object_set_new(vpc, "secondary_cidrs", json_array());
	json_t *uc = json_array();
	for (size_t i = 0; i < r->n_user_cidrs; i++) {
		struct netprefix q;
		netprefix_parse(r->user_cidrs[i], &q);
		json_array_append_new(uc, json_string(netprefix_format(&q, txt)));
	}
	json_object_set_new(vpc, "user_cidrs", uc);
	mj_set_str(vpc, "ipv6_cidr", "");
	mj_set_bool(vpc, "classiclink", false);
	json_object_set_new(vpc, "tags", r->tags ? json_deep_copy(r->tags) : json_array());
	mj_set_str(vpc, "vrouter_id", model_new_id("vrt", id));

	/* The system route table: one per VPC, created and deleted with it (EC-9). */
	json_t *vtb = model_new_resource(m, "vtb", "Available");
	mj_set_str(vtb, "vpc_id", vpc_id);
	mj_set_str(vtb, "parent", vpc_id);
	mj_set_str(vtb, "vrouter_id", mj_str(vpc, "vrouter_id"));
	mj_set_str(vtb, "type", "System");
	mj_set_str(vtb, "name", "");
	mj_set_str(vtb, "description", "");
	mj_set_str(vpc, "route_table_id", mj_str(vtb, "id"));

	int rc = m_create(m, vpc);
	if (rc == 0 && r->enable_ipv6)
		rc = vpc_alloc_ipv6(m, vpc) < 0 ? -1 : m_put(m, vpc);
	if (rc == 0)
		rc = m_create(m, vtb);
	json_decref(vtb);
	if (rc == 0 && out)
		*out = json_incref(vpc);
	json_decref(vpc);
	return rc;
}

int vpc_delete(struct model *m, const char *vpc_id)
{
	json_t *vpc = m_need(m, vpc_id, MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	int rc = -1;
	int64_t n;
	if (strcmp(mj_str(vpc, "status"), "Available") != 0) {
		merrf(m, MERR_VPC_STATUS, "The VPC is %s; it can be deleted once Available.",
		      mj_str(vpc, "status"));
		goto out;
	}
	static const struct {
		const char *kind;
		enum merr_code err;
	} deps[] = {
	    {"vsw", MERR_DEP_VSWITCH},
	    {"sg", MERR_DEP_SECURITY_GROUP},
	    {"rte", MERR_DEP_ROUTE_ENTRY},
	    {"ipv6gw", MERR_DEP_IPV6_GATEWAY},
	};
	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++) {
		if (m_count_eq(m, deps[i].kind, "vpc_id", vpc_id, &n) < 0)
			goto out;
		if (n > 0) {
			merrf(m, deps[i].err, "%s (%lld left)", merr_default_message(deps[i].err),
			      (long long)n);
			goto out;
		}
	}
	if (m_count_eq(m, "i", "classiclink_vpc_id", vpc_id, &n) < 0)
		goto out;
	if (n > 0) {
		merr(m, MERR_DEP_CLASSICLINK);
		goto out;
	}
	/* Custom route tables are the user's to delete; only the system one goes with the VPC. */
	struct m_eq eq = {"vpc_id", vpc_id};
	json_t *tables = m_list(m, "vtb", m_keep_eq, &eq);
	if (!tables)
		goto out;
	size_t custom = 0, i;
	json_t *t;
	json_array_foreach(tables, i, t)
	{
		custom += strcmp(mj_str(t, "type"), "System") != 0;
	}
	json_decref(tables);
	if (custom > 0) {
		merrf(m, MERR_DEP_ROUTE_TABLE, "The VPC still has %zu custom route tables.",
		      custom);
		goto out;
	}
	json_t *vtb = m_get(m, mj_str(vpc, "route_table_id"));
	if (vtb) {
		rc = m_del(m, vtb);
		json_decref(vtb);
		if (rc < 0)
			goto out;
	}
	rc = vpc_free_ipv6(m, vpc);
	if (rc == 0)
		rc = m_del(m, vpc);
out:
	json_decref(vpc);
	return rc;
}

/* Every vSwitch of the VPC lies inside the candidate primary CIDR or a secondary one. */
static int vpc_check_vswitches_fit(struct model *m, json_t *vpc_candidate)
{
	struct m_eq eq = {"vpc_id", mj_str(vpc_candidate, "id")};
	json_t *vsws = m_list(m, "vsw", m_keep_eq, &eq);
	if (!vsws)
		return -1;
	size_t i;
	json_t *v;
	int rc = 0;
	json_array_foreach(vsws, i, v)
	{
		struct netprefix p;
		if (netprefix_parse(mj_str(v, "cidr"), &p) && !vpc_covers(vpc_candidate, &p)) {
			rc = merrf(m, MERR_CIDR_MALFORMED,
				   "vSwitch %s (%s) would no longer lie inside the VPC.",
				   mj_str(v, "id"), mj_str(v, "cidr"));
			break;
		}
	}
	json_decref(vsws);
	return rc;
}

int vpc_modify(struct model *m, const struct vpc_modify_req *r)
{
	json_t *vpc = m_need(m, r->vpc_id, MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	int rc = -1;
	if (r->name && !model_valid_name(r->name)) {
		merr(m, MERR_VPC_NAME);
		goto out;
	}
	if (r->description && !model_valid_description(r->description)) {
		merr(m, MERR_VPC_DESCRIPTION);
		goto out;
	}
	if (r->name)
		mj_set_str(vpc, "name", r->name);
	if (r->description)
		mj_set_str(vpc, "description", r->description);
	if (r->cidr) {
		struct netprefix p;
		char txt[NETADDR_STRLEN];
		if (strcmp(mj_str(vpc, "status"), "Available") != 0) {
			merr(m, MERR_VPC_STATUS);
			goto out;
		}
		if (vpc_check_cidr(m, r->cidr, &p) < 0)
			goto out;
		mj_set_str(vpc, "cidr", netprefix_format(&p, txt));
		if (vpc_check_vswitches_fit(m, vpc) < 0)
			goto out;
	}
	if (r->enable_ipv6 == 1 && !mj_str(vpc, "ipv6_cidr")[0] && vpc_alloc_ipv6(m, vpc) < 0)
		goto out;
	rc = m_put(m, vpc);
out:
	json_decref(vpc);
	return rc;
}

json_t *vpc_of_vrouter(struct model *m, const char *vrouter_id)
{
	struct m_eq eq = {"vrouter_id", vrouter_id ? vrouter_id : ""};
	json_t *vpcs = vrouter_id && *vrouter_id ? m_list(m, "vpc", m_keep_eq, &eq) : NULL;
	json_t *vpc = json_array_get(vpcs, 0);
	if (vpc && (!m->region || strcmp(mj_str(vpc, "region"), m->region->id) == 0))
		json_incref(vpc);
	else
		vpc = NULL;
	json_decref(vpcs);
	if (!vpc && m->err.code == MERR_NONE)
		merrf(m, MERR_VROUTER_NOT_FOUND, "%s (%.64s)",
		      merr_default_message(MERR_VROUTER_NOT_FOUND), vrouter_id ? vrouter_id : "");
	return vpc;
}

int vpc_modify_vrouter(struct model *m, const char *vrouter_id, const char *name,
		       const char *description)
{
	json_t *vpc = vpc_of_vrouter(m, vrouter_id);
	if (!vpc)
		return -1;
	int rc = -1;
	if (name && *name && !model_valid_name(name)) {
		merr(m, MERR_VROUTER_NAME);
		goto out;
	}
	if (description && *description && !model_valid_description(description)) {
		merrf(m, MERR_INVALID_PARAMETER,
		      "Description must be 2 to 256 characters and not start with http:// or "
		      "https://.");
		goto out;
	}
	if (name)
		mj_set_str(vpc, "vrouter_name", name);
	if (description)
		mj_set_str(vpc, "vrouter_description", description);
	rc = m_put(m, vpc);
out:
	json_decref(vpc);
	return rc;
}

int vpc_add_secondary_cidr(struct model *m, const char *vpc_id, const char *cidr)
{
	json_t *vpc = m_need(m, vpc_id, MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	int rc = -1;
	struct netprefix p, q;
	char txt[NETADDR_STRLEN];
	json_t *sec = json_object_get(vpc, "secondary_cidrs");
	if (vpc_check_cidr(m, cidr, &p) < 0)
		goto out;
	if ((int64_t)json_array_size(sec) >= m_quota(m, MODEL_QUOTA_SECONDARY_CIDR)) {
		merrf(m, MERR_INVALID_PARAMETER, "The VPC already has %zu secondary CIDR blocks.",
		      json_array_size(sec));
		goto out;
	}
	netprefix_parse(mj_str(vpc, "cidr"), &q);
	if (netprefix_overlaps(&p, &q)) {
		merrf(m, MERR_INVALID_PARAMETER, "CidrBlock %s overlaps the VPC's primary CIDR.",
		      cidr);
		goto out;
	}
	size_t i;
	json_t *v;
	json_array_foreach(sec, i, v)
	{
		if (netprefix_parse(json_string_value(v), &q) && netprefix_overlaps(&p, &q)) {
			merrf(m, MERR_INVALID_PARAMETER, "CidrBlock %s overlaps %s of the VPC.",
			      cidr, json_string_value(v));
			goto out;
		}
	}
	json_array_append_new(sec, json_string(netprefix_format(&p, txt)));
	rc = m_put(m, vpc);
out:
	json_decref(vpc);
	return rc;
}

int vpc_del_secondary_cidr(struct model *m, const char *vpc_id, const char *cidr)
{
	json_t *vpc = m_need(m, vpc_id, MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	int rc = -1;
	struct netprefix p;
	char txt[NETADDR_STRLEN];
	if (!netprefix_parse(cidr, &p)) {
		merr(m, MERR_CIDR_MALFORMED);
		goto out;
	}
	if (!mj_arr_del_str(vpc, "secondary_cidrs", netprefix_format(&p, txt))) {
		merrf(m, MERR_INVALID_PARAMETER, "%s is not a secondary CIDR of the VPC.", cidr);
		goto out;
	}
	if (vpc_check_vswitches_fit(m, vpc) < 0)
		goto out;
	rc = m_put(m, vpc);
out:
	json_decref(vpc);
	return rc;
}

int vpc_set_classiclink(struct model *m, const char *vpc_id, bool enable)
{
	json_t *vpc = m_need(m, vpc_id, MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	int rc = -1;
	if (strcmp(mj_str(vpc, "status"), "Available") != 0) {
		merr(m, MERR_VPC_STATUS);
		goto out;
	}
	if (!enable) {
		int64_t n;
		if (m_count_eq(m, "i", "classiclink_vpc_id", vpc_id, &n) < 0)
			goto out;
		if (n > 0) {
			merrf(m, MERR_DEP_CLASSICLINK,
			      "%lld classic instances are still linked to the VPC.", (long long)n);
			goto out;
		}
	}
	mj_set_bool(vpc, "classiclink", enable);
	rc = m_put(m, vpc);
out:
	json_decref(vpc);
	return rc;
}
