/*
 * vswitch: see vswitch.h.  A vSwitch is a JSON resource whose parent is its
 * VPC; its addresses are claims in the VPC's scopes, held by ENIs (and
 * classic-link peers), never by the vSwitch itself, so the free count is
 * the usable size minus the claims inside the CIDR.
 */
#include "model/vswitch.h"

#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "model/settle.h"
#include "model/vpc.h"

/* The caller's resource `id` in m->region if it is of kind `kind`, else NULL
 * with `notfound` (an id of another kind, "vpc-..." given as a VSwitchId,
 * names nothing here). */
static json_t *vswitch_need_kind(struct model *m, const char *id, const char *kind,
				 enum merr_code notfound)
{
	char k[16];
	if (id && model_id_kind(id, k) && strcmp(k, kind) != 0) {
		merrf(m, notfound, "%s (%.64s)", merr_default_message(notfound), id);
		return NULL;
	}
	return m_need(m, id, notfound);
}

/* --- addresses ------------------------------------------------------------ */

void vswitch_usable_range(const json_t *vsw, struct netaddr *first, struct netaddr *last)
{
	struct netprefix p;
	if (!netprefix_parse(mj_str(vsw, "cidr"), &p))
		fatal("vSwitch %s has a corrupt CIDR", mj_str(vsw, "id"));
	struct netaddr lo = netprefix_first(&p), hi = netprefix_last(&p);
	netaddr_add(&lo, VSWITCH_RESERVED_LOW, first);
	netaddr_add(&hi, -VSWITCH_RESERVED_HIGH, last);
}

char *vswitch_gateway(const json_t *vsw, char *buf)
{
	struct netprefix p;
	struct netaddr gw;
	if (!netprefix_parse(mj_str(vsw, "cidr"), &p))
		fatal("vSwitch %s has a corrupt CIDR", mj_str(vsw, "id"));
	struct netaddr hi = netprefix_last(&p);
	/* The third address from the end: .253 of a /24. */
	netaddr_add(&hi, -(VSWITCH_RESERVED_HIGH - 1), &gw);
	return netaddr_format(&gw, buf);
}

/* The allocatable IPv6 range of the vSwitch's /64; false when it has none. */
static bool vswitch_usable_range6(const json_t *vsw, struct netaddr *first, struct netaddr *last)
{
	struct netprefix p;
	if (!netprefix_parse(mj_str(vsw, "ipv6_cidr"), &p))
		return false;
	struct netaddr lo = netprefix_first(&p);
	netaddr_add(&lo, VSWITCH_IPV6_RESERVED_LOW, first);
	*last = netprefix_last(&p);
	return true;
}

/* Claims `ip` (checked against [first, last]) or the lowest free address. */
static int vswitch_claim_in(struct model *m, const json_t *vsw, const char *scope,
			    const struct netaddr *first, const struct netaddr *last,
			    const struct netaddr *want, const char *holder_id, char *out)
{
	uint64_t owner = (uint64_t)mj_int(vsw, "owner");
	struct netaddr got;
	if (want) {
		if (m_claim(m, scope, want, owner, holder_id, MERR_PRIVATE_IP_DUPLICATED) < 0)
			return -1;
		got = *want;
	} else if (m_claim_free(m, scope, first, last, owner, holder_id, MERR_PRIVATE_IP_EXHAUSTED,
				&got) < 0) {
		if (m->err.code == MERR_PRIVATE_IP_EXHAUSTED)
			merrf(m, MERR_PRIVATE_IP_EXHAUSTED,
			      "Don't have enough private IPs in this switch (%s).",
			      mj_str(vsw, "id"));
		return -1;
	}
	if (out)
		netaddr_format(&got, out);
	return 0;
}

int vswitch_claim_ip(struct model *m, const json_t *vsw, const char *ip, const char *holder_id,
		     char *out)
{
	struct netaddr first, last, a;
	char scope[MODEL_SCOPE_MAX];
	vswitch_usable_range(vsw, &first, &last);
	vpc_scope_v4(mj_str(vsw, "vpc_id"), scope);
	if (ip) {
		if (!netaddr_parse4(ip, &a))
			return merrf(m, MERR_PRIVATE_IP_MALFORMED,
				     "The private IP address %.64s is not an IPv4 address.", ip);
		if (netaddr_cmp(&a, &first) < 0 || netaddr_cmp(&a, &last) > 0)
			return merrf(m, MERR_PRIVATE_IP_INVALID,
				     "The private IP address %.64s is outside the usable range of "
				     "vSwitch %s (%s; the first and the last three addresses are "
				     "reserved).",
				     ip, mj_str(vsw, "id"), mj_str(vsw, "cidr"));
	}
	return vswitch_claim_in(m, vsw, scope, &first, &last, ip ? &a : NULL, holder_id, out);
}

int vswitch_claim_ipv6(struct model *m, const json_t *vsw, const char *ip, const char *holder_id,
		       char *out)
{
	struct netaddr first, last, a;
	char scope[MODEL_SCOPE_MAX];
	if (!vswitch_usable_range6(vsw, &first, &last))
		return merrf(m, MERR_VSWITCH_IPV6_OFF, "vSwitch %s has no IPv6 CIDR block.",
			     mj_str(vsw, "id"));
	vpc_scope_v6(mj_str(vsw, "vpc_id"), scope);
	if (ip) {
		if (!netaddr_parse6(ip, &a))
			return merrf(m, MERR_PRIVATE_IP_MALFORMED,
				     "The address %.64s is not an IPv6 address.", ip);
		if (netaddr_cmp(&a, &first) < 0 || netaddr_cmp(&a, &last) > 0)
			return merrf(
			    m, MERR_PRIVATE_IP_INVALID,
			    "The IPv6 address %.64s is outside the usable range of vSwitch "
			    "%s (%s; the first %d addresses are reserved).",
			    ip, mj_str(vsw, "id"), mj_str(vsw, "ipv6_cidr"),
			    VSWITCH_IPV6_RESERVED_LOW);
	}
	return vswitch_claim_in(m, vsw, scope, &first, &last, ip ? &a : NULL, holder_id, out);
}

int vswitch_release_ip(struct model *m, const json_t *vsw, const char *ip)
{
	struct netaddr a;
	char scope[MODEL_SCOPE_MAX];
	if (!ip || !netaddr_parse(ip, &a))
		return merrf(m, MERR_PRIVATE_IP_MALFORMED, "The address %.64s is malformed.",
			     ip ? ip : "");
	if (a.family == NETADDR_V4)
		vpc_scope_v4(mj_str(vsw, "vpc_id"), scope);
	else
		vpc_scope_v6(mj_str(vsw, "vpc_id"), scope);
	return m_unclaim(m, scope, &a);
}

int vswitch_available_count(struct model *m, const json_t *vsw, int64_t *n)
{
	struct netaddr first, last;
	char scope[MODEL_SCOPE_MAX];
	int64_t used;
	vswitch_usable_range(vsw, &first, &last);
	if (m_claim_count(m, vpc_scope_v4(mj_str(vsw, "vpc_id"), scope), &first, &last, &used) < 0)
		return -1;
	*n = netaddr_diff(&first, &last) + 1 - used;
	return 0;
}

json_t *vswitch_need_available(struct model *m, const char *vsw_id)
{
	json_t *vsw = vswitch_need_kind(m, vsw_id, "vsw", MERR_VSWITCH_NOT_FOUND);
	if (vsw && strcmp(mj_str(vsw, "status"), "Available") != 0) {
		merrf(m, MERR_VSWITCH_STATUS, "vSwitch %s is %s; it must be Available.", vsw_id,
		      mj_str(vsw, "status"));
		json_decref(vsw);
		return NULL;
	}
	return vsw;
}

bool vswitch_ipv6_block(const json_t *vpc, int idx, struct netprefix *out)
{
	struct netprefix p;
	if (idx < 0 || idx > VSWITCH_IPV6_INDEX_MAX ||
	    !netprefix_parse(mj_str(vpc, "ipv6_cidr"), &p) || p.len != VPC_IPV6_PREFIX_LEN)
		return false;
	/* The /56 leaves 8 bits of the high word for the /64 index. */
	out->addr = p.addr;
	out->addr.hi |= (uint64_t)idx;
	out->len = VSWITCH_IPV6_PREFIX_LEN;
	return true;
}

/* --- life cycle ----------------------------------------------------------- */

/* Invariants 1 and 2 for a candidate IPv4 CIDR p in the VPC. */
static int vswitch_check_cidr(struct model *m, const json_t *vpc, const struct netprefix *p,
			      const char *text)
{
	if (!vpc_covers(vpc, p))
		return merrf(
		    m, MERR_INVALID_PARAMETER,
		    "Specified CIDR block %.64s is not valid in VPC %s: it must lie inside "
		    "the VPC's primary or a secondary CIDR block.",
		    text, mj_str(vpc, "id"));
	struct m_eq eq = {"vpc_id", mj_str(vpc, "id")};
	json_t *vsws = m_list(m, "vsw", m_keep_eq, &eq);
	if (!vsws)
		return -1;
	int rc = 0;
	size_t i;
	json_t *v;
	json_array_foreach(vsws, i, v)
	{
		struct netprefix q;
		if (netprefix_parse(mj_str(v, "cidr"), &q) && netprefix_overlaps(p, &q)) {
			rc = merrf(m, MERR_CIDR_OVERLAPPED,
				   "Specified CIDR block %.64s overlapped with vSwitch %s (%s).",
				   text, mj_str(v, "id"), mj_str(v, "cidr"));
			break;
		}
	}
	json_decref(vsws);
	return rc;
}

/* Invariant 2 from the vSwitch side: no custom route of the VPC lies inside p. */
static int vswitch_check_routes(struct model *m, const char *vpc_id, const struct netprefix *p,
				const char *text)
{
	struct m_eq eq = {"vpc_id", vpc_id};
	json_t *rtes = m_list(m, "rte", m_keep_eq, &eq);
	if (!rtes)
		return -1;
	int rc = 0;
	size_t i;
	json_t *e;
	json_array_foreach(rtes, i, e)
	{
		struct netprefix d;
		if (netprefix_parse(mj_str(e, "dest"), &d) && netprefix_covers(p, &d)) {
			rc = merrf(
			    m, MERR_CIDR_OVERLAPPED,
			    "Specified CIDR block %.64s overlapped with the destination %s of "
			    "custom route entry %s.",
			    text, mj_str(e, "dest"), mj_str(e, "id"));
			break;
		}
	}
	json_decref(rtes);
	return rc;
}

/* Invariant 3: the /64 of idx is free in the VPC and holds no custom route. */
static int vswitch_check_ipv6(struct model *m, const json_t *vpc, int idx, struct netprefix *out)
{
	char txt[NETADDR_STRLEN];
	if (!mj_str(vpc, "ipv6_cidr")[0])
		return merrf(m, MERR_VPC_IPV6_OFF,
			     "IPv6 has not been enabled for VPC %s; enable it before giving a "
			     "vSwitch an IPv6 CIDR block.",
			     mj_str(vpc, "id"));
	if (!vswitch_ipv6_block(vpc, idx, out))
		return merrf(
		    m, MERR_INVALID_PARAMETER,
		    "Ipv6CidrBlock must be an integer from 0 to %d (the last 8 bits of the "
		    "vSwitch's /64).",
		    VSWITCH_IPV6_INDEX_MAX);
	netprefix_format(out, txt);
	struct m_eq eq = {"vpc_id", mj_str(vpc, "id")};
	json_t *vsws = m_list(m, "vsw", m_keep_eq, &eq);
	if (!vsws)
		return -1;
	int rc = 0;
	size_t i;
	json_t *v;
	json_array_foreach(vsws, i, v)
	{
		if (strcmp(mj_str(v, "ipv6_cidr"), txt) == 0) {
			rc = merrf(m, MERR_CIDR_OVERLAPPED,
				   "The IPv6 CIDR block %s is already used by vSwitch %s.", txt,
				   mj_str(v, "id"));
			break;
		}
	}
	json_decref(vsws);
	if (rc == 0)
		rc = vswitch_check_routes(m, mj_str(vpc, "id"), out, txt);
	return rc;
}

/* The lowest /64 index that no vSwitch of the VPC uses, or -1. */
static int vswitch_free_ipv6_index(struct model *m, const json_t *vpc)
{
	bool used[VSWITCH_IPV6_INDEX_MAX + 1] = {false};
	struct m_eq eq = {"vpc_id", mj_str(vpc, "id")};
	json_t *vsws = m_list(m, "vsw", m_keep_eq, &eq);
	if (!vsws)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(vsws, i, v)
	{
		struct netprefix p;
		if (netprefix_parse(mj_str(v, "ipv6_cidr"), &p))
			used[p.addr.hi & VSWITCH_IPV6_INDEX_MAX] = true;
	}
	json_decref(vsws);
	for (int k = 0; k <= VSWITCH_IPV6_INDEX_MAX; k++)
		if (!used[k])
			return k;
	merrf(m, MERR_CIDR_OVERLAPPED, "Every IPv6 /64 of VPC %s is already used.",
	      mj_str(vpc, "id"));
	return -1;
}

int vswitch_create(struct model *m, const struct vswitch_create_req *r, json_t **out)
{
	const struct model_zone *zone;
	struct netprefix p, p6;
	char txt[NETADDR_STRLEN];
	if (!m->region)
		return merrf(m, MERR_MISSING_PARAMETER, "RegionId is mandatory for this action.");
	json_t *vpc = vswitch_need_kind(m, r->vpc_id, "vpc", MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	int rc = -1;
	json_t *vsw = NULL;
	if (model_need_zone(m, r->zone_id, &zone) < 0)
		goto out;
	if (!model_valid_name(r->name)) {
		merr(m, MERR_VSWITCH_NAME);
		goto out;
	}
	if (!model_valid_description(r->description)) {
		merr(m, MERR_VSWITCH_DESCRIPTION);
		goto out;
	}
	if (strcmp(mj_str(vpc, "status"), "Available") != 0) {
		merrf(m, MERR_VPC_STATUS,
		      "VPC %s is %s; vSwitches can be created once it is Available.", r->vpc_id,
		      mj_str(vpc, "status"));
		goto out;
	}
	if (!r->cidr) {
		merrf(m, MERR_MISSING_PARAMETER,
		      "The input parameter \"CidrBlock\" that is mandatory "
		      "for processing this request is not supplied.");
		goto out;
	}
	if (!netprefix_parse(r->cidr, &p) || p.addr.family != NETADDR_V4) {
		merrf(m, MERR_CIDR_MALFORMED,
		      "The specified CidrBlock %.64s is not an IPv4 network in CIDR form.",
		      r->cidr);
		goto out;
	}
	if (p.len < VSWITCH_MIN_MASK || p.len > VSWITCH_MAX_MASK) {
		merrf(m, MERR_CIDR_MASK,
		      "The mask of a vSwitch CidrBlock must be between /%d and /%d.",
		      VSWITCH_MIN_MASK, VSWITCH_MAX_MASK);
		goto out;
	}
	netprefix_format(&p, txt);
	if (vswitch_check_cidr(m, vpc, &p, txt) < 0 ||
	    vswitch_check_routes(m, r->vpc_id, &p, txt) < 0)
		goto out;
	if (r->ipv6_index >= 0 && vswitch_check_ipv6(m, vpc, r->ipv6_index, &p6) < 0)
		goto out;
	int64_t n;
	if (m_count_eq(m, "vsw", "vpc_id", r->vpc_id, &n) < 0)
		goto out;
	if (n >= m_quota(m, MODEL_QUOTA_VSWITCH)) {
		merrf(m, MERR_VSWITCH_QUOTA,
		      "Virtual switch quota exceeded: VPC %s may have %lld vSwitches.", r->vpc_id,
		      (long long)m_quota(m, MODEL_QUOTA_VSWITCH));
		goto out;
	}

	vsw = model_new_resource(m, "vsw", NULL);
	settle_begin(vsw, "Pending", "Available");
	mj_set_str(vsw, "parent", r->vpc_id);
	mj_set_str(vsw, "vpc_id", r->vpc_id);
	mj_set_str(vsw, "zone", zone->id);
	mj_set_str(vsw, "cidr", txt);
	mj_set_str(vsw, "ipv6_cidr", r->ipv6_index >= 0 ? netprefix_format(&p6, txt) : "");
	mj_set_str(vsw, "name", r->name);
	mj_set_str(vsw, "description", r->description);
	mj_set_str(vsw, "route_table_id", mj_str(vpc, "route_table_id"));
	json_object_set_new(vsw, "tags", r->tags ? json_deep_copy(r->tags) : json_array());
	rc = m_create(m, vsw);
	if (rc == 0 && out)
		*out = json_incref(vsw);
out:
	json_decref(vsw);
	json_decref(vpc);
	return rc;
}

int vswitch_delete(struct model *m, const char *vsw_id)
{
	json_t *vsw = vswitch_need_kind(m, vsw_id, "vsw", MERR_VSWITCH_NOT_FOUND);
	if (!vsw)
		return -1;
	int rc = -1;
	int64_t n_eni, n_inst, n_ips;
	struct netaddr first, last;
	char scope[MODEL_SCOPE_MAX];
	if (strcmp(mj_str(vsw, "status"), "Available") != 0) {
		merrf(m, MERR_VSWITCH_STATUS, "vSwitch %s is %s; it can be deleted once Available.",
		      vsw_id, mj_str(vsw, "status"));
		goto out;
	}
	vswitch_usable_range(vsw, &first, &last);
	if (m_count_eq(m, "eni", "vswitch_id", vsw_id, &n_eni) < 0 ||
	    m_count_eq(m, "i", "vswitch_id", vsw_id, &n_inst) < 0 ||
	    m_claim_count(m, vpc_scope_v4(mj_str(vsw, "vpc_id"), scope), &first, &last, &n_ips) < 0)
		goto out;
	if (n_eni > 0 || n_inst > 0 || n_ips > 0) {
		merrf(m, MERR_VSWITCH_IN_USE,
		      "vSwitch %s is still in use: %lld network interfaces, %lld instances and "
		      "%lld private IP addresses.",
		      vsw_id, (long long)n_eni, (long long)n_inst, (long long)n_ips);
		goto out;
	}
	/* The custom route-table binding lives in the vSwitch (route_table_id),
	 * so it goes with it; a bound table's VSwitchIds no longer list it. */
	settle_begin(vsw, "Pending", SETTLE_DELETED);
	rc = m_put(m, vsw);
out:
	json_decref(vsw);
	return rc;
}

/* Invariant 3 on removal: none of the /64's addresses is claimed. */
static int vswitch_disable_ipv6(struct model *m, json_t *vsw)
{
	struct netprefix p;
	char scope[MODEL_SCOPE_MAX];
	int64_t n;
	if (!netprefix_parse(mj_str(vsw, "ipv6_cidr"), &p))
		return 0;
	struct netaddr first = netprefix_first(&p), last = netprefix_last(&p);
	if (m_claim_count(m, vpc_scope_v6(mj_str(vsw, "vpc_id"), scope), &first, &last, &n) < 0)
		return -1;
	if (n > 0)
		return merrf(m, MERR_VSWITCH_IN_USE,
			     "vSwitch %s still has %lld IPv6 addresses in use; release them before "
			     "disabling IPv6.",
			     mj_str(vsw, "id"), (long long)n);
	mj_set_str(vsw, "ipv6_cidr", "");
	return 0;
}

static int vswitch_enable_ipv6(struct model *m, json_t *vsw, int idx)
{
	json_t *vpc = m_get(m, mj_str(vsw, "vpc_id"));
	if (!vpc)
		fatal("vSwitch %s without its VPC", mj_str(vsw, "id"));
	int rc = -1;
	struct netprefix p6, cur;
	char txt[NETADDR_STRLEN];
	if (!mj_str(vpc, "ipv6_cidr")[0]) {
		merrf(m, MERR_VPC_IPV6_OFF,
		      "IPv6 has not been enabled for VPC %s; enable it before the vSwitch.",
		      mj_str(vpc, "id"));
		goto out;
	}
	if (netprefix_parse(mj_str(vsw, "ipv6_cidr"), &cur)) {
		/* Already on: asking again for the same block changes nothing. */
		if (idx < 0 ||
		    (vswitch_ipv6_block(vpc, idx, &p6) && netprefix_overlaps(&p6, &cur))) {
			rc = 0;
			goto out;
		}
		merrf(m, MERR_INVALID_PARAMETER,
		      "vSwitch %s already has the IPv6 CIDR block %s, which cannot be changed.",
		      mj_str(vsw, "id"), mj_str(vsw, "ipv6_cidr"));
		goto out;
	}
	if (idx < 0 && (idx = vswitch_free_ipv6_index(m, vpc)) < 0)
		goto out;
	if (vswitch_check_ipv6(m, vpc, idx, &p6) < 0)
		goto out;
	mj_set_str(vsw, "ipv6_cidr", netprefix_format(&p6, txt));
	rc = 0;
out:
	json_decref(vpc);
	return rc;
}

int vswitch_modify(struct model *m, const struct vswitch_modify_req *r)
{
	json_t *vsw = vswitch_need_kind(m, r->vsw_id, "vsw", MERR_VSWITCH_NOT_FOUND);
	if (!vsw)
		return -1;
	int rc = -1;
	if (r->name && !model_valid_name(r->name)) {
		merr(m, MERR_VSWITCH_NAME);
		goto out;
	}
	if (r->description && !model_valid_description(r->description)) {
		merr(m, MERR_VSWITCH_DESCRIPTION);
		goto out;
	}
	if (r->enable_ipv6 == 0 && r->ipv6_index >= 0) {
		merrf(m, MERR_INVALID_PARAMETER,
		      "Ipv6CidrBlock cannot be given when EnableIPv6 is false.");
		goto out;
	}
	int enable = r->enable_ipv6 == -1 && r->ipv6_index >= 0 ? 1 : r->enable_ipv6;
	if (enable != -1) {
		char before[NETADDR_STRLEN];
		snprintf(before, sizeof(before), "%s", mj_str(vsw, "ipv6_cidr"));
		if (strcmp(mj_str(vsw, "status"), "Available") != 0) {
			merrf(m, MERR_VSWITCH_STATUS,
			      "vSwitch %s is %s; its IPv6 setting can change once it is Available.",
			      r->vsw_id, mj_str(vsw, "status"));
			goto out;
		}
		if ((enable ? vswitch_enable_ipv6(m, vsw, r->ipv6_index)
			    : vswitch_disable_ipv6(m, vsw)) < 0)
			goto out;
		if (strcmp(before, mj_str(vsw, "ipv6_cidr")) != 0)
			settle_begin(vsw, "Pending",
				     "Available"); /* the data plane reprograms it */
	}
	if (r->name)
		mj_set_str(vsw, "name", r->name);
	if (r->description)
		mj_set_str(vsw, "description", r->description);
	rc = m_put(m, vsw);
out:
	json_decref(vsw);
	return rc;
}
