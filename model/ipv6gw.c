/*
 * ipv6gw: see ipv6gw.h.  ENIs are the ENI area's documents; this file only
 * reads their vpc_id, vswitch_id, type, instance_id and ipv6s, so it depends
 * on no other area's code.
 */
#include "model/ipv6gw.h"

#include <stdio.h>
#include <string.h>

#include "model/route.h"
#include "model/settle.h"

/* The caller's resource id of kind `kind`, or NULL with `notfound` (an id of
 * another kind names no such resource, whatever it names otherwise). */
static json_t *v6_need_kind(struct model *m, const char *id, const char *kind,
			    enum merr_code notfound)
{
	char k[16];
	if (!model_id_kind(id, k) || !m_streq(k, kind)) {
		merrf(m, notfound, "%s (%.64s)", merr_default_message(notfound), id ? id : "");
		return NULL;
	}
	return m_need(m, id, notfound);
}

/* --- address ids ------------------------------------------------------------ */

/* FNV-1a over the text, from a given offset basis, then the splitmix64
 * finaliser so that every input bit reaches every output bit. */
static uint64_t v6_hash(const char *s, uint64_t basis)
{
	uint64_t h = basis;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

char *ipv6_address_id(const char *vpc_id, const char *addr, char *buf)
{
	struct netaddr a;
	char canon[NETADDR_STRLEN], text[RANDID_MAX + NETADDR_STRLEN + 2];
	if (!addr || !netaddr_parse6(addr, &a))
		return NULL;
	snprintf(text, sizeof(text), "%s|%s", vpc_id, netaddr_format(&a, canon));
	/* Two independent 64-bit lanes; 20 characters of 5 bits use 100 of them. */
	uint64_t lane[2] = {v6_hash(text, 0xcbf29ce484222325ull),
			    v6_hash(text, 0x84222325cbf29ce4ull)};
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	char *p = buf + snprintf(buf, RANDID_MAX, "ipv6-");
	for (int i = 0; i < RANDID_BODY; i++) {
		uint64_t *l = &lane[i % 2];
		*p++ = digits[*l & 31];
		*l >>= 5;
	}
	*p = '\0';
	return buf;
}

/* True when the ENI's ipv6s hold addr (compared in canonical form). */
static bool v6_eni_holds(const json_t *eni, const char *addr)
{
	struct netaddr want, a;
	if (!netaddr_parse6(addr, &want))
		return false;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(eni, "ipv6s"), i, v)
	{
		if (netaddr_parse6(json_string_value(v) ? json_string_value(v) : "", &a) &&
		    netaddr_eq(&a, &want))
			return true;
	}
	return false;
}

/* Invariant 1: the bandwidth document's ENI still holds its address. */
static bool v6_bw_live(struct model *m, const json_t *doc)
{
	json_t *eni = m_get_owned(m, (uint64_t)mj_int(doc, "owner"), mj_str(doc, "eni_id"));
	bool live = eni && m_streq(mj_str(eni, "vpc_id"), mj_str(doc, "vpc_id")) &&
		    v6_eni_holds(eni, mj_str(doc, "address"));
	json_decref(eni);
	return live;
}

/* --- gateways ------------------------------------------------------------- */

json_t *ipv6gw_of_vpc(struct model *m, const char *vpc_id)
{
	struct m_eq eq = {"vpc_id", vpc_id};
	json_t *gws = m_list(m, "ipv6gw", m_keep_eq, &eq);
	json_t *gw = gws && json_array_size(gws) ? json_incref(json_array_get(gws, 0)) : NULL;
	json_decref(gws);
	return gw;
}

int ipv6gw_create(struct model *m, const struct ipv6gw_create_req *r, json_t **out)
{
	json_t *vpc = v6_need_kind(m, r->vpc_id, "vpc", MERR_VPC_NOT_FOUND);
	if (!vpc)
		return -1;
	json_t *gw = NULL;
	int rc = -1;
	if (!m_streq(mj_str(vpc, "status"), "Available")) {
		merrf(m, MERR_VPC_STATUS, "The VPC %s is %s; it must be Available.", r->vpc_id,
		      mj_str(vpc, "status"));
		goto out;
	}
	if (!mj_str(vpc, "ipv6_cidr")[0]) {
		merrf(m, MERR_VPC_IPV6_OFF,
		      "IPv6 has not been enabled for the VPC %s: enable it (ModifyVpcAttribute "
		      "EnableIPv6) before creating an IPv6 gateway.",
		      r->vpc_id);
		goto out;
	}
	if (!model_valid_name(r->name)) {
		merrf(m, MERR_IPV6GW_NAME,
		      "The Name must be 2 to 128 characters, start with a letter and not with "
		      "http:// or https://.");
		goto out;
	}
	if (!model_valid_description(r->description)) {
		merrf(m, MERR_IPV6GW_DESCRIPTION,
		      "The Description must be 2 to 256 characters and not start with http:// or "
		      "https://.");
		goto out;
	}
	json_t *have = ipv6gw_of_vpc(m, r->vpc_id);
	if (have) {
		merrf(m, MERR_IPV6GW_QUOTA,
		      "The VPC %s already has the IPv6 gateway %s; a VPC has "
		      "at most one.",
		      r->vpc_id, mj_str(have, "id"));
		json_decref(have);
		goto out;
	}
	gw = model_new_resource(m, "ipv6gw", NULL);
	mj_set_str(gw, "region", mj_str(vpc, "region"));
	settle_begin(gw, "Pending", "Available");
	mj_set_str(gw, "vpc_id", r->vpc_id);
	mj_set_str(gw, "parent", r->vpc_id);
	mj_set_str(gw, "name", r->name);
	mj_set_str(gw, "description", r->description);
	mj_set_str(gw, "charge", "PostPaid");
	json_object_set_new(gw, "tags", r->tags ? json_deep_copy(r->tags) : json_array());
	rc = m_create(m, gw);
	if (rc == 0 && out)
		*out = json_incref(gw);
out:
	json_decref(gw);
	json_decref(vpc);
	return rc;
}

int ipv6gw_delete(struct model *m, const char *gw_id)
{
	json_t *gw = v6_need_kind(m, gw_id, "ipv6gw", MERR_IPV6GW_NOT_FOUND);
	if (!gw)
		return -1;
	int rc = -1;
	if (!m_streq(mj_str(gw, "status"), "Available")) {
		merrf(m, MERR_IPV6GW_STATUS, "The IPv6 gateway %s is %s; it must be Available.",
		      gw_id, mj_str(gw, "status"));
		goto out;
	}
	if (route_refuse_if_next_hop(m, gw_id) < 0)
		goto out;
	struct m_eq eq = {"ipv6gw_id", gw_id};
	json_t *bws = m_list(m, "ipv6", m_keep_eq, &eq);
	if (!bws)
		goto out;
	size_t i;
	json_t *bw;
	json_array_foreach(bws, i, bw)
	{
		if (v6_bw_live(m, bw)) {
			merrf(
			    m, MERR_IPV6GW_DEP_BANDWIDTH,
			    "The IPv6 address %s (%s) still has internet bandwidth %s through %s; "
			    "delete it first.",
			    mj_str(bw, "address"), mj_str(bw, "id"), mj_str(bw, "bandwidth_id"),
			    gw_id);
			json_decref(bws);
			goto out;
		}
	}
	/* Only stale documents are left (invariant 1): they go with the gateway. */
	json_array_foreach(bws, i, bw)
	{
		if (m_del(m, bw) < 0) {
			json_decref(bws);
			goto out;
		}
	}
	json_decref(bws);
	settle_begin(gw, "Deleting", SETTLE_DELETED);
	rc = m_put(m, gw);
out:
	json_decref(gw);
	return rc;
}

int ipv6gw_modify(struct model *m, const char *gw_id, const char *name, const char *description)
{
	json_t *gw = v6_need_kind(m, gw_id, "ipv6gw", MERR_IPV6GW_NOT_FOUND);
	if (!gw)
		return -1;
	int rc = -1;
	if (m_streq(mj_str(gw, "status"), "Deleting")) {
		merrf(m, MERR_IPV6GW_STATUS, "The IPv6 gateway %s is being deleted.", gw_id);
		goto out;
	}
	if (name && !model_valid_name(name)) {
		merrf(m, MERR_IPV6GW_NAME,
		      "The Name must be 2 to 128 characters, start with a letter and not with "
		      "http:// or https://.");
		goto out;
	}
	if (description && !model_valid_description(description)) {
		merrf(m, MERR_IPV6GW_DESCRIPTION,
		      "The Description must be 2 to 256 characters and not start with http:// or "
		      "https://.");
		goto out;
	}
	if (name)
		mj_set_str(gw, "name", name);
	if (description)
		mj_set_str(gw, "description", description);
	rc = m_put(m, gw);
out:
	json_decref(gw);
	return rc;
}

/* --- addresses -------------------------------------------------------------- */

json_t *ipv6_list_addresses(struct model *m)
{
	json_t *enis = m_list(m, "eni", NULL, NULL);
	if (!enis)
		return NULL;
	json_t *out = json_array();
	json_t *gw_of = json_object(); /* vpc id -> gateway id ("" when none) */
	size_t i, j;
	json_t *eni, *v;
	json_array_foreach(enis, i, eni)
	{
		const char *vpc_id = mj_str(eni, "vpc_id");
		json_array_foreach(json_object_get(eni, "ipv6s"), j, v)
		{
			struct netaddr a;
			char canon[NETADDR_STRLEN], id[RANDID_MAX];
			const char *txt = json_string_value(v);
			if (!txt || !netaddr_parse6(txt, &a))
				continue;
			netaddr_format(&a, canon);
			ipv6_address_id(vpc_id, canon, id);
			if (!json_object_get(gw_of, vpc_id)) {
				json_t *gw = ipv6gw_of_vpc(m, vpc_id);
				json_object_set_new(gw_of, vpc_id,
						    json_string(gw ? mj_str(gw, "id") : ""));
				json_decref(gw);
			}
			json_t *o = json_object();
			mj_set_str(o, "id", id);
			mj_set_str(o, "address", canon);
			mj_set_str(o, "vpc_id", vpc_id);
			mj_set_str(o, "vswitch_id", mj_str(eni, "vswitch_id"));
			mj_set_str(o, "eni_id", mj_str(eni, "id"));
			mj_set_str(o, "eni_type", mj_str(eni, "type"));
			mj_set_str(o, "instance_id", mj_str(eni, "instance_id"));
			mj_set_int(o, "created", mj_int(eni, "created"));
			mj_set_str(o, "ipv6gw_id",
				   json_string_value(json_object_get(gw_of, vpc_id)));
			json_t *bw = m_get(m, id);
			/* Invariant 1, inline: the document names this ENI as holder. */
			if (bw && m_streq(mj_str(bw, "eni_id"), mj_str(eni, "id")))
				json_object_set(o, "bw", bw);
			json_decref(bw);
			json_array_append_new(out, o);
		}
	}
	json_decref(gw_of);
	json_decref(enis);
	return out;
}

/* The caller's address with this id (new reference) or NULL with
 * ResourceNotFound.Ipv6Address. */
static json_t *v6_find_address(struct model *m, const char *id)
{
	json_t *all = ipv6_list_addresses(m);
	if (!all)
		return NULL;
	json_t *found = NULL;
	size_t i;
	json_t *o;
	json_array_foreach(all, i, o)
	{
		if (id && m_streq(mj_str(o, "id"), id)) {
			found = json_incref(o);
			break;
		}
	}
	json_decref(all);
	if (!found)
		merrf(m, MERR_IPV6_ADDRESS_NOT_FOUND,
		      "The specified resource of Ipv6Address is not found: %.64s.", id ? id : "");
	return found;
}

static int v6_check_bandwidth(struct model *m, int64_t bw, const char *charge)
{
	int64_t max =
	    m_streq(charge, "PayByTraffic") ? IPV6BW_MAX_BY_TRAFFIC : IPV6BW_MAX_BY_BANDWIDTH;
	if (bw < 1 || bw > max)
		return merrf(
		    m, MERR_IPV6_BANDWIDTH,
		    "The param of Bandwidth is illegal: %s IPv6 internet bandwidth is 1 to "
		    "%lld Mbit/s.",
		    charge, (long long)max);
	return 0;
}

int ipv6bw_allocate(struct model *m, const struct ipv6bw_req *r, json_t **out)
{
	const char *charge = r->internet_charge ? r->internet_charge : "PayByBandwidth";
	if (!m_streq(charge, "PayByBandwidth") && !m_streq(charge, "PayByTraffic"))
		return merrf(m, MERR_IPV6_CHARGE_TYPE,
			     "The param of InternetChargeType is illegal: %.32s (PayByBandwidth or "
			     "PayByTraffic).",
			     charge);
	if (v6_check_bandwidth(m, r->bandwidth, charge) < 0)
		return -1;
	json_t *addr = v6_find_address(m, r->address_id);
	if (!addr)
		return -1;
	json_t *gw = NULL, *doc = NULL;
	int rc = -1;
	const char *vpc_id = mj_str(addr, "vpc_id");
	if (r->gw_id) {
		gw = v6_need_kind(m, r->gw_id, "ipv6gw", MERR_IPV6GW_NOT_FOUND);
		if (!gw)
			goto out;
		if (!m_streq(mj_str(gw, "vpc_id"), vpc_id)) {
			merrf(m, MERR_IPV6_GW_MISMATCH,
			      "The IPv6 address %s is in %s, the IPv6 gateway %s in %s.",
			      r->address_id, vpc_id, r->gw_id, mj_str(gw, "vpc_id"));
			goto out;
		}
	} else if (!(gw = ipv6gw_of_vpc(m, vpc_id))) {
		merrf(m, MERR_IPV6_NO_GATEWAY,
		      "No IPv6 gateway exists in the VPC %s of the IPv6 address; create one first "
		      "(NET-15).",
		      vpc_id);
		goto out;
	}
	if (!m_streq(mj_str(gw, "status"), "Available")) {
		merrf(m, MERR_IPV6GW_STATUS, "The IPv6 gateway %s is %s; it must be Available.",
		      mj_str(gw, "id"), mj_str(gw, "status"));
		goto out;
	}
	if (json_object_get(addr, "bw")) {
		merrf(m, MERR_IPV6_BW_EXISTS,
		      "Internet bandwidth %s is already enabled for the IPv6 address %s.",
		      mj_str(json_object_get(addr, "bw"), "bandwidth_id"), r->address_id);
		goto out;
	}
	/* A stale document under this id (invariant 1) is replaced by m_put. */
	char bwid[RANDID_MAX];
	doc = model_new_resource(m, "ipv6", NULL);
	mj_set_str(doc, "id", mj_str(addr, "id"));
	mj_set_str(doc, "region", mj_str(gw, "region"));
	mj_set_str(doc, "parent", mj_str(gw, "id"));
	mj_set_str(doc, "address", mj_str(addr, "address"));
	mj_set_str(doc, "vpc_id", vpc_id);
	mj_set_str(doc, "eni_id", mj_str(addr, "eni_id"));
	mj_set_str(doc, "ipv6gw_id", mj_str(gw, "id"));
	mj_set_str(doc, "bandwidth_id", model_new_id("ipv6bw", bwid));
	mj_set_int(doc, "bandwidth", r->bandwidth);
	mj_set_str(doc, "internet_charge", charge);
	rc = m_put(m, doc);
	if (rc == 0 && out)
		*out = json_incref(doc);
out:
	json_decref(doc);
	json_decref(gw);
	json_decref(addr);
	return rc;
}

struct v6_bwid {
	const char *bw_id;
};

static bool v6_keep_bwid(void *arg, json_t *res)
{
	return m_streq(mj_str(res, "bandwidth_id"), ((struct v6_bwid *)arg)->bw_id);
}

/* The live bandwidth named by address id and/or bandwidth id (new reference),
 * or NULL with the error set. */
static json_t *v6_find_bw(struct model *m, const char *address_id, const char *bw_id)
{
	json_t *doc = NULL;
	if (!address_id && !bw_id) {
		merr(m, MERR_IPV6_MISSING_INSTANCE);
		return NULL;
	}
	char k[16];
	if (address_id) {
		if (model_id_kind(address_id, k) && m_streq(k, "ipv6"))
			doc = m_get(m, address_id);
	} else {
		struct v6_bwid c = {bw_id};
		json_t *all = m_list(m, "ipv6", v6_keep_bwid, &c);
		if (!all)
			return NULL;
		if (json_array_size(all))
			doc = json_incref(json_array_get(all, 0));
		json_decref(all);
	}
	if (doc && ((bw_id && !m_streq(mj_str(doc, "bandwidth_id"), bw_id)) ||
		    (m->region && !m_streq(mj_str(doc, "region"), m->region->id)) ||
		    !v6_bw_live(m, doc))) {
		json_decref(doc);
		doc = NULL;
	}
	if (!doc)
		merrf(m, MERR_IPV6_INSTANCE_NOT_FOUND,
		      "The specified Ipv6AddressId or Ipv6InternetBandwidthId is not found: "
		      "%.64s%s%.64s.",
		      address_id ? address_id : "", address_id && bw_id ? " / " : "",
		      bw_id ? bw_id : "");
	return doc;
}

int ipv6bw_delete(struct model *m, const char *address_id, const char *bw_id)
{
	json_t *doc = v6_find_bw(m, address_id, bw_id);
	if (!doc)
		return -1;
	int rc = m_del(m, doc);
	json_decref(doc);
	return rc;
}

int ipv6bw_modify(struct model *m, const char *address_id, const char *bw_id, int64_t bandwidth)
{
	json_t *doc = v6_find_bw(m, address_id, bw_id);
	if (!doc)
		return -1;
	int rc = -1;
	if (v6_check_bandwidth(m, bandwidth, mj_str(doc, "internet_charge")) == 0) {
		mj_set_int(doc, "bandwidth", bandwidth);
		rc = m_put(m, doc);
	}
	json_decref(doc);
	return rc;
}

int ipv6_address_released(struct model *m, uint64_t owner, const char *vpc_id, const char *addr)
{
	char id[RANDID_MAX];
	if (!ipv6_address_id(vpc_id, addr, id))
		return 0;
	json_t *doc = m_get_owned(m, owner, id);
	int rc = doc ? m_del(m, doc) : 0;
	json_decref(doc);
	return rc;
}
