/*
 * eni: elastic network interfaces (see eni.h): creation, attachment, their
 * private IPv4 and IPv6 addresses, their security groups, and the primary
 * ENI that every VPC instance carries.
 *
 * Invariants:
 *  1. Every address an ENI lists (primary_ip, private_ips[], ipv6s[]) is
 *     claimed in its VPC's scope with the ENI as holder, and its MAC in
 *     "mac/<region>"; nothing else holds a claim for the ENI.  The claims are
 *     released only by eni_destroy() (the ENI goes away), by unassigning,
 *     or by moving a primary ENI (NET-4).
 *  2. instance_id is "" exactly when status is Available or Deleting.
 *  3. A Primary ENI is InUse on its instance from creation to release; it is
 *     never attached, detached or deleted through the ENI actions (NET-18).
 *  4. An ENI holds 1 + len(private_ips) <= private-ip-per-eni IPv4
 *     addresses; while attached at most the type's ips_per_eni, while
 *     Available at most private-ip-per-available-eni when added (NET-22).
 *  5. The ENIs of one instance hold at most ENI_IPV6_PER_INSTANCE IPv6
 *     addresses together (NET-15).
 *  6. All groups of an ENI are of one type (sg_type), equal to the type of
 *     its instance's primary ENI while attached (NET-23).
 *
 * State diagram of a secondary ENI (settle_hook_eni finishes each arrow
 * marked "settle"):
 *
 *   eni_create -> Available --eni_attach--> Attaching --settle--> InUse
 *                 Available <--settle-- Detaching <--eni_detach-- InUse
 *                 Available --eni_delete--> Deleting --settle--> (gone)
 *   eni_release_instance: attached ENIs go with the instance (gone), or
 *   back to Available when DeleteOnRelease is false.
 */
#include "model/eni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/eip.h"
#include "model/instance.h"
#include "model/ipv6gw.h"
#include "model/route.h"
#include "model/secgroup.h"
#include "model/settle.h"
#include "model/vpc.h"
#include "model/vswitch.h"

#define ENI_KIND "eni"
#define ENI_MAC_OUI "00:16:3e"
#define ENI_MAC_SPACE 0xffffffu /* the 3 bytes after the OUI */
#define ENI_MAC_TRIES 8

/* --- small helpers ---------------------------------------------------------- */

static bool eni_is_primary(const json_t *eni)
{
	return m_streq(mj_str(eni, "type"), "Primary");
}

static uint64_t res_owner(const json_t *res)
{
	return (uint64_t)mj_int(res, "owner");
}

static int64_t imin(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static size_t arr_len(const json_t *o, const char *k)
{
	return json_array_size(json_object_get(o, k));
}

json_t *eni_need(struct model *m, const char *eni_id)
{
	json_t *e = m_need(m, eni_id, MERR_ENI_NOT_FOUND);
	if (e && !m_streq(mj_str(e, "kind"), ENI_KIND)) {
		json_decref(e);
		merrf(m, MERR_ENI_NOT_FOUND, "%s (%.64s)", merr_default_message(MERR_ENI_NOT_FOUND),
		      eni_id);
		return NULL;
	}
	return e;
}

/* The instance an ENI is attached to (new reference), or NULL. */
static json_t *eni_instance(struct model *m, const json_t *eni)
{
	const char *iid = mj_str(eni, "instance_id");
	if (!*iid)
		return NULL;
	return m_get_owned(m, res_owner(eni), iid);
}

static const struct model_itype *inst_itype(struct model *m, const json_t *inst)
{
	return inst ? model_config_itype(m->cfg, mj_str(inst, "itype")) : NULL;
}

/* NET-22: how many private IPv4 addresses an ENI may hold: the instance
 * type's ips_per_eni while attached (it == the type), the Available limit
 * otherwise; never more than private-ip-per-eni. */
static int64_t eni_v4_limit(struct model *m, uint64_t owner, const struct model_itype *it)
{
	int64_t max = m_quota_of(m, owner, MODEL_QUOTA_ENI_IP_MAX);
	int64_t lim =
	    it ? (int64_t)it->ips_per_eni : m_quota_of(m, owner, MODEL_QUOTA_ENI_IP_AVAILABLE);
	return imin(lim, max);
}

/* NET-15: at most one IPv6 address per NIC (and per instance, see below). */
static int64_t eni_v6_limit(const struct model_itype *it)
{
	return it ? imin(it->ipv6_per_eni, ENI_IPV6_PER_INSTANCE) : ENI_IPV6_PER_INSTANCE;
}

static int64_t eni_v4_count(const json_t *eni)
{
	return 1 + (int64_t)arr_len(eni, "private_ips");
}

static bool keep_instance(void *arg, json_t *res)
{
	return m_streq(mj_str(res, "instance_id"), (const char *)arg);
}

/* The instance's ENIs, any owner when m->caller is the system. */
static json_t *eni_list_of(struct model *m, uint64_t owner, const char *instance_id)
{
	return m_list_owner(m, owner, ENI_KIND, keep_instance, (void *)instance_id);
}

/* IPv6 addresses held by all NICs of an instance. */
static int eni_instance_v6_count(struct model *m, const json_t *inst, int64_t *n)
{
	json_t *l = eni_list_of(m, res_owner(inst), mj_str(inst, "id"));
	if (!l)
		return -1;
	size_t i;
	json_t *e;
	*n = 0;
	json_array_foreach(l, i, e) *n += (int64_t)arr_len(e, "ipv6s");
	json_decref(l);
	return 0;
}

static int unclaim_text(struct model *m, const char *scope, const char *txt)
{
	struct netaddr a;
	if (!txt || !netaddr_parse(txt, &a))
		return 0;
	return m_unclaim(m, scope, &a);
}

static void mac_scope(const char *region, char *buf)
{
	snprintf(buf, MODEL_SCOPE_MAX, "mac/%s", region);
}

/* The MAC's 24 low bits as the address claimed in "mac/<region>". */
static bool mac_addr(const char *mac, struct netaddr *a)
{
	unsigned x, y, z;
	if (strncmp(mac, ENI_MAC_OUI ":", sizeof(ENI_MAC_OUI)) != 0 ||
	    sscanf(mac + sizeof(ENI_MAC_OUI), "%2x:%2x:%2x", &x, &y, &z) != 3)
		return false;
	*a = (struct netaddr){.family = NETADDR_V4, .lo = (x << 16) | (y << 8) | z};
	return true;
}

/* Gives the ENI a MAC "00:16:3e:xx:xx:xx" unique in its region: a few random
 * tries, then the lowest free one (the space is 2^24 per region). */
static int eni_claim_mac(struct model *m, json_t *eni)
{
	char scope[MODEL_SCOPE_MAX], mac[32];
	struct netaddr a = {.family = NETADDR_V4};
	mac_scope(mj_str(eni, "region"), scope);
	bool got = false;
	for (int t = 0; t < ENI_MAC_TRIES && !got; t++) {
		char rnd[8];
		uint64_t v = 0;
		randid_chars(rnd, 6, 0);
		for (int i = 0; i < 6; i++)
			v = v * 36 + (uint64_t)(rnd[i] <= '9' ? rnd[i] - '0' : rnd[i] - 'a' + 10);
		a.lo = v & ENI_MAC_SPACE;
		if (!m_claimed(m, scope, &a, NULL)) {
			if (m_claim(m, scope, &a, res_owner(eni), mj_str(eni, "id"),
				    MERR_OPERATION_CONFLICT) < 0)
				return -1;
			got = true;
		}
	}
	if (!got) {
		struct netaddr first = {.family = NETADDR_V4, .lo = 0};
		struct netaddr last = {.family = NETADDR_V4, .lo = ENI_MAC_SPACE};
		if (m_claim_free(m, scope, &first, &last, res_owner(eni), mj_str(eni, "id"),
				 MERR_INTERNAL, &a) < 0)
			return -1;
	}
	snprintf(mac, sizeof(mac), ENI_MAC_OUI ":%02x:%02x:%02x", (unsigned)(a.lo >> 16) & 0xff,
		 (unsigned)(a.lo >> 8) & 0xff, (unsigned)a.lo & 0xff);
	mj_set_str(eni, "mac", mac);
	return 0;
}

/* Releases the ENI's secondary IPv4 (v4) and/or IPv6 (v6) claims and empties
 * those lists.  Does not write the ENI. */
static int eni_release_secondary(struct model *m, json_t *eni, bool v4, bool v6)
{
	char s4[MODEL_SCOPE_MAX], s6[MODEL_SCOPE_MAX];
	vpc_scope_v4(mj_str(eni, "vpc_id"), s4);
	vpc_scope_v6(mj_str(eni, "vpc_id"), s6);
	size_t i;
	json_t *v;
	if (v4) {
		json_array_foreach(json_object_get(eni, "private_ips"), i, v)
		{
			if (unclaim_text(m, s4, json_string_value(v)) < 0)
				return -1;
		}
		json_object_set_new(eni, "private_ips", json_array());
	}
	if (v6) {
		json_array_foreach(json_object_get(eni, "ipv6s"), i, v)
		{
			/* Its internet bandwidth goes with the address (NET-15). */
			if (ipv6_address_released(m, res_owner(eni), mj_str(eni, "vpc_id"),
						  json_string_value(v)) < 0 ||
			    unclaim_text(m, s6, json_string_value(v)) < 0)
				return -1;
		}
		json_object_set_new(eni, "ipv6s", json_array());
	}
	return 0;
}

/* Frees every claim of the ENI (invariant 1) and deletes it.  An EIP bound
 * to it survives, unbound (NET-7). */
static int eni_destroy(struct model *m, json_t *eni)
{
	char s4[MODEL_SCOPE_MAX], sm[MODEL_SCOPE_MAX];
	struct netaddr a;
	if (mj_str(eni, "eip_id")[0] && eip_unbind_from(m, eni) < 0)
		return -1;
	if (eni_release_secondary(m, eni, true, true) < 0)
		return -1;
	if (unclaim_text(m, vpc_scope_v4(mj_str(eni, "vpc_id"), s4), mj_str(eni, "primary_ip")) < 0)
		return -1;
	mac_scope(mj_str(eni, "region"), sm);
	if (mac_addr(mj_str(eni, "mac"), &a) && m_unclaim(m, sm, &a) < 0)
		return -1;
	return m_del(m, eni);
}

/* Counts given-or-allocated addresses of a request; both forms at once is an error. */
static int addr_count(struct model *m, const char *what, size_t n_given, int64_t count,
		      int64_t *out)
{
	if (count < 0)
		return merrf(m, MERR_INVALID_PARAMETER, "%s count must not be negative.", what);
	if (n_given > 0 && count > 0)
		return merrf(m, MERR_INVALID_PARAMETER,
			     "Give either the %s addresses or their count, not both.", what);
	*out = n_given > 0 ? (int64_t)n_given : count;
	return 0;
}

/* Claims one IPv4 (v6 false) or IPv6 address for the ENI from vsw and appends it. */
static int eni_add_addr(struct model *m, json_t *eni, const json_t *vsw, bool v6, const char *ip,
			json_t *assigned)
{
	char txt[NETADDR_STRLEN];
	int rc = v6 ? vswitch_claim_ipv6(m, vsw, ip, mj_str(eni, "id"), txt)
		    : vswitch_claim_ip(m, vsw, ip, mj_str(eni, "id"), txt);
	if (rc < 0)
		return -1;
	json_array_append_new(json_object_get(eni, v6 ? "ipv6s" : "private_ips"), json_string(txt));
	if (assigned)
		json_array_append_new(assigned, json_string(txt));
	return 0;
}

/* The group type of an instance: its primary ENI's (VPC) or "" when unknown. */
static const char *inst_group_type(struct model *m, const json_t *inst, char *buf, size_t len)
{
	buf[0] = '\0';
	json_t *p = m_get_owned(m, res_owner(inst), mj_str(inst, "primary_eni"));
	if (p)
		snprintf(buf, len, "%s", mj_str(p, "sg_type"));
	json_decref(p);
	return buf;
}

/* --- creation ------------------------------------------------------------------ */

int eni_create(struct model *m, const struct eni_create_req *req, json_t **out)
{
	const json_t *inst = req->instance;
	const struct model_itype *it = NULL;
	if (!m->region)
		return merrf(m, MERR_MISSING_PARAMETER, "RegionId is mandatory for this action.");
	if (!req->vswitch_id || !*req->vswitch_id)
		return merrf(m, MERR_MISSING_PARAMETER, "VSwitchId is mandatory for this action.");
	if (!model_valid_name(req->name))
		return merrf(
		    m, MERR_ENI_NAME,
		    "NetworkInterfaceName must be 2 to 128 characters, start with a letter "
		    "and not with http:// or https://.");
	if (!model_valid_description(req->description))
		return merrf(m, MERR_ROUTE_ENTRY_DESCRIPTION,
			     "Description must be 2 to 256 characters and not start with http:// "
			     "or https://.");
	int64_t n4, n6;
	if (addr_count(m, "secondary private IP", req->n_secondary, req->secondary_count, &n4) <
		0 ||
	    addr_count(m, "IPv6", req->n_ipv6, req->ipv6_count, &n6) < 0)
		return -1;
	if (req->queue_number < 0 || req->queue_number > ENI_QUEUE_MAX)
		return merrf(m, MERR_INSTANCE_QUEUE_INVALID,
			     "QueueNumber must be between 1 and %d.", ENI_QUEUE_MAX);
	if (inst) {
		it = inst_itype(m, inst);
		if (!it)
			return merrf(m, MERR_INVALID_PARAMETER, "Unknown instance type %.64s.",
				     mj_str(inst, "itype"));
	}
	json_t *vsw = vswitch_need_available(m, req->vswitch_id);
	if (!vsw)
		return -1;
	int rc = -1;
	json_t *eni = NULL;
	const char *vpc_id = mj_str(vsw, "vpc_id");
	if (inst && mj_str(inst, "zone")[0] &&
	    !m_streq(mj_str(inst, "zone"), mj_str(vsw, "zone"))) {
		merrf(m, MERR_MIGRATION_ZONE, "vSwitch %s is in zone %s, the instance in %s.",
		      mj_str(vsw, "id"), mj_str(vsw, "zone"), mj_str(inst, "zone"));
		goto out;
	}
	int64_t lim4 = eni_v4_limit(m, m->caller, it);
	if (1 + n4 > lim4) {
		merrf(m, MERR_ENI_IPV4_COUNT,
		      "A %s network interface holds at most %lld private IPv4 addresses "
		      "(primary included); %lld were asked for.",
		      it ? "attached" : "new", (long long)lim4, (long long)(1 + n4));
		goto out;
	}
	if (n6 > 0 && it && it->ipv6_per_eni == 0) {
		merrf(m, MERR_INSTANCE_IPV6_CLASSIC, "Instance type %s does not support IPv6.",
		      it->name);
		goto out;
	}
	if (n6 > eni_v6_limit(it)) {
		merrf(m, MERR_INSTANCE_IPV6_COUNT,
		      "At most %lld IPv6 address per network interface and instance (NET-15); "
		      "%lld were asked for.",
		      (long long)eni_v6_limit(it), (long long)n6);
		goto out;
	}
	if (it && req->queue_number > it->queues_max) {
		merrf(m, MERR_INSTANCE_QUEUE_EXCEEDED,
		      "QueueNumber %lld exceeds %u, the maximum of %s.",
		      (long long)req->queue_number, it->queues_max, it->name);
		goto out;
	}
	if (!inst) {
		/* NET-20: the region's ENI quota counts the ENIs users create;
		 * primary ENIs come with instances and count as instances. */
		struct m_eq eq = {"type", "Secondary"};
		int64_t n;
		if (m_count(m, ENI_KIND, m_keep_eq, &eq, &n) < 0)
			goto out;
		if (n >= m_quota(m, MODEL_QUOTA_ENI)) {
			merrf(m, MERR_ENI_QUOTA,
			      "This account may have %lld network interfaces in %s.",
			      (long long)m_quota(m, MODEL_QUOTA_ENI), m->region->id);
			goto out;
		}
	}
	const char *sg_type = NULL;
	if (sg_check_membership(m, req->sg_ids, req->n_sg, vpc_id, 1 + n4, NULL, &sg_type) < 0)
		goto out;

	eni = model_new_resource(m, ENI_KIND, inst ? "InUse" : "Available");
	mj_set_str(eni, "parent", mj_str(vsw, "id"));
	mj_set_str(eni, "vpc_id", vpc_id);
	mj_set_str(eni, "vswitch_id", mj_str(vsw, "id"));
	mj_set_str(eni, "zone", mj_str(vsw, "zone"));
	mj_set_str(eni, "type", inst ? "Primary" : "Secondary");
	mj_set_str(eni, "instance_id", inst ? mj_str(inst, "id") : "");
	mj_set_int(eni, "device_index", 0);
	mj_set_str(eni, "primary_ip", "");
	json_object_set_new(eni, "private_ips", json_array());
	json_object_set_new(eni, "ipv6s", json_array());
	json_t *sgs = json_array();
	for (size_t i = 0; i < req->n_sg; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= m_streq(req->sg_ids[i], req->sg_ids[j]);
		if (!dup)
			json_array_append_new(sgs, json_string(req->sg_ids[i]));
	}
	json_object_set_new(eni, "security_group_ids", sgs);
	mj_set_str(eni, "sg_type", sg_type ? sg_type : "normal");
	mj_set_int(eni, "queue_number",
		   req->queue_number ? req->queue_number : (it ? it->queues_max : 1));
	mj_set_bool(eni, "delete_on_release", true);
	mj_set_str(eni, "name", req->name);
	mj_set_str(eni, "description", req->description);
	json_object_set_new(eni, "tags", req->tags ? json_deep_copy(req->tags) : json_array());

	/* The ENI exists first: its claims name it as their holder (parent). */
	if (m_create(m, eni) < 0 || eni_claim_mac(m, eni) < 0)
		goto out;
	char txt[NETADDR_STRLEN];
	if (vswitch_claim_ip(m, vsw, req->primary_ip, mj_str(eni, "id"), txt) < 0)
		goto out;
	mj_set_str(eni, "primary_ip", txt);
	for (int64_t i = 0; i < n4; i++)
		if (eni_add_addr(m, eni, vsw, false,
				 req->n_secondary ? req->secondary_ips[i] : NULL, NULL) < 0)
			goto out;
	for (int64_t i = 0; i < n6; i++)
		if (eni_add_addr(m, eni, vsw, true, req->n_ipv6 ? req->ipv6s[i] : NULL, NULL) < 0)
			goto out;
	if (m_put(m, eni) < 0)
		goto out;
	if (out)
		*out = json_incref(eni);
	rc = 0;
out:
	json_decref(eni);
	json_decref(vsw);
	return rc;
}

/* --- the instance's side ----------------------------------------------------------- */

json_t *eni_primary_of(struct model *m, const json_t *inst)
{
	if (!m_streq(mj_str(inst, "network"), "vpc")) {
		merrf(m, MERR_ENI_ECS_STATE,
		      "Instance %s is a classic network instance: it has no "
		      "network interface (NET-20).",
		      mj_str(inst, "id"));
		return NULL;
	}
	json_t *e = m_get_owned(m, res_owner(inst), mj_str(inst, "primary_eni"));
	if (!e || !m_streq(mj_str(e, "kind"), ENI_KIND)) {
		json_decref(e);
		merrf(m, MERR_ENI_NOT_FOUND, "Instance %s has no primary network interface.",
		      mj_str(inst, "id"));
		return NULL;
	}
	return e;
}

static int cmp_nic(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int px = eni_is_primary(x) ? 0 : 1, py = eni_is_primary(y) ? 0 : 1;
	if (px != py)
		return px - py;
	int64_t dx = mj_int(x, "device_index"), dy = mj_int(y, "device_index");
	return dx < dy ? -1 : dx > dy;
}

json_t *eni_list_for_instance(struct model *m, const char *instance_id)
{
	json_t *l = eni_list_of(m, m->caller, instance_id);
	if (!l)
		return NULL;
	size_t n = json_array_size(l);
	if (n < 2)
		return l;
	json_t **v = calloc(n, sizeof(*v));
	if (!v) {
		json_decref(l);
		merr(m, MERR_INTERNAL);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(l, i));
	qsort(v, n, sizeof(*v), cmp_nic);
	json_array_clear(l);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(l, v[i]);
	free(v);
	return l;
}

int eni_release_instance(struct model *m, const json_t *inst)
{
	json_t *l = eni_list_of(m, res_owner(inst), mj_str(inst, "id"));
	if (!l)
		return -1;
	size_t i;
	json_t *e;
	int rc = 0;
	json_array_foreach(l, i, e)
	{
		if (!eni_is_primary(e) && !mj_bool(e, "delete_on_release")) {
			/* DeleteOnRelease=false: the ENI outlives the instance. */
			json_object_del(e, "settle_to");
			mj_set_str(e, "status", "Available");
			mj_set_str(e, "instance_id", "");
			mj_set_int(e, "device_index", 0);
			rc = m_put(m, e);
		} else {
			rc = eni_destroy(m, e);
		}
		if (rc < 0)
			break;
	}
	json_decref(l);
	return rc;
}

int eni_move_primary(struct model *m, const json_t *inst, const char *vswitch_id, const char *ip)
{
	json_t *eni = eni_primary_of(m, inst);
	if (!eni)
		return -1;
	int rc = -1;
	json_t *vsw = NULL;
	char s4[MODEL_SCOPE_MAX], txt[NETADDR_STRLEN];
	vpc_scope_v4(mj_str(eni, "vpc_id"), s4);
	bool move = vswitch_id && *vswitch_id && !m_streq(vswitch_id, mj_str(eni, "vswitch_id"));
	if (move) {
		vsw = vswitch_need_available(m, vswitch_id);
		if (!vsw)
			goto out;
		if (!m_streq(mj_str(vsw, "vpc_id"), mj_str(eni, "vpc_id"))) {
			merrf(m, MERR_INSTANCE_VSWITCH_MISMATCH,
			      "vSwitch %s is in %s, the instance in %s.", vswitch_id,
			      mj_str(vsw, "vpc_id"), mj_str(eni, "vpc_id"));
			goto out;
		}
		if (!m_streq(mj_str(vsw, "zone"), mj_str(eni, "zone"))) {
			merrf(m, MERR_MIGRATION_ZONE,
			      "vSwitch %s is in zone %s, the instance in %s.", vswitch_id,
			      mj_str(vsw, "zone"), mj_str(eni, "zone"));
			goto out;
		}
		/* Secondary IPv4 and IPv6 addresses belong to the old vSwitch's
		 * CIDRs: they are released with the move. */
		if (eni_release_secondary(m, eni, true, true) < 0)
			goto out;
	} else {
		if (!ip || !*ip || m_streq(ip, mj_str(eni, "primary_ip"))) {
			rc = 0; /* nothing changes */
			goto out;
		}
		vsw = vswitch_need_available(m, mj_str(eni, "vswitch_id"));
		if (!vsw)
			goto out;
	}
	/* Free the old primary first so that the same address may be asked
	 * for again in the new vSwitch; a failure aborts the whole change. */
	if (unclaim_text(m, s4, mj_str(eni, "primary_ip")) < 0)
		goto out;
	if (vswitch_claim_ip(m, vsw, ip && *ip ? ip : NULL, mj_str(eni, "id"), txt) < 0)
		goto out;
	mj_set_str(eni, "primary_ip", txt);
	mj_set_str(eni, "vswitch_id", mj_str(vsw, "id"));
	mj_set_str(eni, "parent", mj_str(vsw, "id"));
	rc = m_put(m, eni);
out:
	json_decref(vsw);
	json_decref(eni);
	return rc;
}

/* --- groups ------------------------------------------------------------------------- */

/* NET-23: the type of an attached ENI's groups equals its instance's.  For a
 * primary ENI, the secondary ENIs already attached must share the new type. */
static int eni_check_type_with_instance(struct model *m, const json_t *eni, const char *type)
{
	json_t *inst = eni_instance(m, eni);
	if (!inst)
		return 0;
	int rc = 0;
	if (!eni_is_primary(eni)) {
		char t[32];
		inst_group_type(m, inst, t, sizeof(t));
		if (t[0] && !m_streq(t, type))
			rc = merrf(m, MERR_SG_MULTI_TYPE,
				   "Instance %s is in %s security groups; network interface %s "
				   "cannot join %s ones.",
				   mj_str(inst, "id"), t, mj_str(eni, "id"), type);
	} else {
		json_t *l = eni_list_of(m, res_owner(inst), mj_str(inst, "id"));
		size_t i;
		json_t *e;
		json_array_foreach(l, i, e)
		{
			if (!eni_is_primary(e) && !m_streq(mj_str(e, "sg_type"), type)) {
				rc = merrf(m, MERR_SG_MULTI_TYPE,
					   "Network interface %s of the instance is in %s security "
					   "groups; the instance cannot join %s ones.",
					   mj_str(e, "id"), mj_str(e, "sg_type"), type);
				break;
			}
		}
		json_decref(l);
	}
	json_decref(inst);
	return rc;
}

/* Validates and sets the groups of an ENI, without writing it. */
static int eni_apply_groups(struct model *m, json_t *eni, const char *const *sg_ids, size_t n)
{
	const char *type = NULL;
	if (sg_check_membership(m, sg_ids, n, mj_str(eni, "vpc_id"), eni_v4_count(eni),
				json_object_get(eni, "security_group_ids"), &type) < 0)
		return -1;
	if (!type)
		type = "normal";
	if (eni_check_type_with_instance(m, eni, type) < 0)
		return -1;
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= m_streq(sg_ids[i], sg_ids[j]);
		if (!dup)
			json_array_append_new(a, json_string(sg_ids[i]));
	}
	json_object_set_new(eni, "security_group_ids", a);
	mj_set_str(eni, "sg_type", type);
	return 0;
}

int eni_set_groups(struct model *m, json_t *eni, const char *const *sg_ids, size_t n)
{
	if (eni_apply_groups(m, eni, sg_ids, n) < 0)
		return -1;
	return m_put(m, eni);
}

/* The ENI is Available or InUse; a primary ENI's instance is Running or Stopped. */
static int eni_need_changeable(struct model *m, const json_t *eni)
{
	const char *st = mj_str(eni, "status");
	if (!m_streq(st, "Available") && !m_streq(st, "InUse"))
		return merrf(m, MERR_ENI_STATE,
			     "Network interface %s is %s; it must be Available or InUse.",
			     mj_str(eni, "id"), st);
	if (eni_is_primary(eni)) {
		json_t *inst = eni_instance(m, eni);
		if (!inst)
			return merrf(m, MERR_ENI_ECS_STATE, "The instance of %s is gone.",
				     mj_str(eni, "id"));
		int rc = instance_need_running_or_stopped(m, inst);
		json_decref(inst);
		return rc;
	}
	return 0;
}

/* Join (join true) or leave one group; the new set is checked as a whole. */
static int eni_change_group(struct model *m, const char *instance_id, const char *eni_id,
			    const char *sg_id, bool join)
{
	bool has_i = instance_id && *instance_id, has_e = eni_id && *eni_id;
	if (!sg_id || !*sg_id)
		return merrf(m, MERR_MISSING_PARAMETER, "SecurityGroupId is mandatory.");
	if (has_i == has_e)
		return merrf(m, has_i ? MERR_INVALID_PARAMETER : MERR_MISSING_PARAMETER,
			     "Give exactly one of InstanceId and NetworkInterfaceId.");
	json_t *inst = NULL, *nic = NULL, *sg = NULL;
	int rc = -1;
	bool classic = false;
	if (has_i) {
		inst = instance_need(m, instance_id);
		if (!inst || instance_need_running_or_stopped(m, inst) < 0)
			goto out;
		classic = !m_streq(mj_str(inst, "network"), "vpc");
		nic = classic ? json_incref(inst) : eni_primary_of(m, inst);
		if (!nic)
			goto out;
	} else {
		nic = eni_need(m, eni_id);
		if (!nic || eni_need_changeable(m, nic) < 0)
			goto out;
	}
	sg = m_need(m, sg_id, MERR_SG_NOT_FOUND);
	if (!sg)
		goto out;
	if (!m_streq(mj_str(sg, "kind"), "sg")) {
		merrf(m, MERR_SG_NOT_FOUND, "%s (%.64s)", merr_default_message(MERR_SG_NOT_FOUND),
		      sg_id);
		goto out;
	}
	const char *what = has_i ? "Instance" : "Network interface";
	const char *nic_id = has_i ? instance_id : eni_id;
	json_t *cur = json_object_get(nic, "security_group_ids");
	bool member = mj_arr_has_str(nic, "security_group_ids", sg_id);
	if (join && member) {
		merrf(m, MERR_ENI_SG_ALREADY, "%s %s is already in security group %s.", what,
		      nic_id, sg_id);
		goto out;
	}
	if (!join && !member) {
		merrf(m, MERR_ENI_SG_NOT_MEMBER, "%s %s is not in security group %s.", what, nic_id,
		      sg_id);
		goto out;
	}
	if (!join && json_array_size(cur) <= 1) {
		merrf(m, MERR_ENI_LAST_SG, "%s %s must stay in at least one security group.", what,
		      nic_id);
		goto out;
	}
	size_t n = json_array_size(cur), k = 0;
	const char **ids = calloc(n + 1, sizeof(*ids));
	if (!ids) {
		merr(m, MERR_INTERNAL);
		goto out;
	}
	size_t i;
	json_t *v;
	json_array_foreach(cur, i, v)
	{
		if (join || !m_streq(json_string_value(v), sg_id))
			ids[k++] = json_string_value(v);
	}
	if (join)
		ids[k++] = sg_id;
	if (classic) {
		/* A classic instance is its own NIC: classic groups only, one IP. */
		const char *type = NULL;
		rc = sg_check_membership(m, ids, k, "", 1, cur, &type);
		if (rc == 0) {
			json_t *a = json_array();
			for (size_t j = 0; j < k; j++)
				json_array_append_new(a, json_string(ids[j]));
			json_object_set_new(nic, "security_group_ids", a);
			rc = m_put(m, nic);
		}
	} else {
		rc = eni_set_groups(m, nic, ids, k);
	}
	free(ids);
out:
	json_decref(sg);
	json_decref(nic);
	json_decref(inst);
	return rc;
}

int eni_join_group(struct model *m, const char *instance_id, const char *eni_id, const char *sg_id)
{
	return eni_change_group(m, instance_id, eni_id, sg_id, true);
}

int eni_leave_group(struct model *m, const char *instance_id, const char *eni_id, const char *sg_id)
{
	return eni_change_group(m, instance_id, eni_id, sg_id, false);
}

/* --- attach, detach, delete ---------------------------------------------------------- */

int eni_attach(struct model *m, const char *eni_id, const char *instance_id)
{
	json_t *eni = eni_need(m, eni_id);
	if (!eni)
		return -1;
	json_t *inst = NULL, *nics = NULL;
	int rc = -1;
	if (eni_is_primary(eni)) {
		merrf(m, MERR_ENI_TYPE, "%s is the primary network interface of %s.", eni_id,
		      mj_str(eni, "instance_id"));
		goto out;
	}
	if (!m_streq(mj_str(eni, "status"), "Available")) {
		merrf(m, MERR_ENI_STATE,
		      "Network interface %s is %s; only an Available one can be attached.", eni_id,
		      mj_str(eni, "status"));
		goto out;
	}
	inst = instance_need(m, instance_id);
	if (!inst)
		goto out;
	if (!m_streq(mj_str(inst, "network"), "vpc")) {
		merrf(m, MERR_ENI_ECS_STATE,
		      "Instance %s is in the classic network, which supports no network interface "
		      "(NET-20).",
		      instance_id);
		goto out;
	}
	if (instance_need_running_or_stopped(m, inst) < 0)
		goto out;
	if (!m_streq(mj_str(inst, "vpc_id"), mj_str(eni, "vpc_id"))) {
		merrf(m, MERR_SG_VPC_MISMATCH, "Network interface %s is in %s, instance %s in %s.",
		      eni_id, mj_str(eni, "vpc_id"), instance_id, mj_str(inst, "vpc_id"));
		goto out;
	}
	if (!m_streq(mj_str(inst, "zone"), mj_str(eni, "zone"))) {
		merrf(m, MERR_ENI_ZONE_MISMATCH,
		      "Network interface %s is in zone %s, instance %s in %s.", eni_id,
		      mj_str(eni, "zone"), instance_id, mj_str(inst, "zone"));
		goto out;
	}
	const struct model_itype *it = inst_itype(m, inst);
	if (!it || !it->io_optimized) {
		merrf(m, MERR_ENI_ECS_STATE,
		      "Instance type %s is not I/O optimized and takes no secondary network "
		      "interface (NET-20).",
		      mj_str(inst, "itype"));
		goto out;
	}
	nics = eni_list_of(m, res_owner(inst), instance_id);
	if (!nics)
		goto out;
	if (json_array_size(nics) >= it->eni_max) {
		merrf(m, MERR_INSTANCE_ENI_LIMIT,
		      "Instance type %s takes at most %u network interfaces.", it->name,
		      it->eni_max);
		goto out;
	}
	if (eni_v4_count(eni) > eni_v4_limit(m, res_owner(inst), it)) {
		merrf(m, MERR_ENI_IPV4_COUNT,
		      "Network interface %s holds %lld private IPv4 addresses; type %s allows %lld "
		      "per interface.",
		      eni_id, (long long)eni_v4_count(eni), it->name,
		      (long long)eni_v4_limit(m, res_owner(inst), it));
		goto out;
	}
	int64_t v6 = (int64_t)arr_len(eni, "ipv6s"), inst_v6 = 0;
	if (v6 > 0) {
		if (it->ipv6_per_eni == 0) {
			merrf(m, MERR_INSTANCE_IPV6_CLASSIC,
			      "Network interface %s has IPv6 addresses; type %s supports no IPv6.",
			      eni_id, it->name);
			goto out;
		}
		size_t i;
		json_t *e;
		json_array_foreach(nics, i, e) inst_v6 += (int64_t)arr_len(e, "ipv6s");
		if (v6 > eni_v6_limit(it) || inst_v6 + v6 > ENI_IPV6_PER_INSTANCE) {
			merrf(m, MERR_INSTANCE_IPV6_COUNT,
			      "An instance holds at most %d IPv6 address (NET-15); instance %s "
			      "has %lld and %s %lld.",
			      ENI_IPV6_PER_INSTANCE, instance_id, (long long)inst_v6, eni_id,
			      (long long)v6);
			goto out;
		}
	}
	if (mj_int(eni, "queue_number") > it->queues_max) {
		merrf(
		    m, MERR_INSTANCE_QUEUE_EXCEEDED,
		    "QueueNumber %lld of %s exceeds %u, the maximum of instance type %s (NET-24).",
		    (long long)mj_int(eni, "queue_number"), eni_id, it->queues_max, it->name);
		goto out;
	}
	char t[32];
	inst_group_type(m, inst, t, sizeof(t));
	if (t[0] && !m_streq(t, mj_str(eni, "sg_type"))) {
		merrf(m, MERR_SG_MULTI_TYPE,
		      "Instance %s is in %s security groups, network interface %s in %s ones "
		      "(NET-23).",
		      instance_id, t, eni_id, mj_str(eni, "sg_type"));
		goto out;
	}
	/* The lowest free device index; 0 is the primary's. */
	int64_t idx = 1;
	for (bool taken = true; taken; idx += taken) {
		taken = false;
		size_t i;
		json_t *e;
		json_array_foreach(nics, i, e) taken |= mj_int(e, "device_index") == idx;
	}
	/* NET-20: the instance's bandwidth is not touched: more NICs never raise it. */
	mj_set_str(eni, "instance_id", instance_id);
	mj_set_int(eni, "device_index", idx);
	settle_begin(eni, "Attaching", "InUse");
	rc = m_put(m, eni);
out:
	json_decref(nics);
	json_decref(inst);
	json_decref(eni);
	return rc;
}

int eni_detach(struct model *m, const char *eni_id, const char *instance_id)
{
	json_t *eni = eni_need(m, eni_id);
	if (!eni)
		return -1;
	json_t *inst = NULL;
	int rc = -1;
	if (eni_is_primary(eni)) {
		merrf(m, MERR_ENI_DETACH_PRIMARY,
		      "%s is the primary network interface of %s and cannot be detached (NET-21).",
		      eni_id, mj_str(eni, "instance_id"));
		goto out;
	}
	inst = instance_need(m, instance_id);
	if (!inst)
		goto out;
	if (!m_streq(mj_str(eni, "instance_id"), instance_id)) {
		merrf(m, MERR_ENI_STATE, "Network interface %s is not attached to instance %s.",
		      eni_id, instance_id);
		goto out;
	}
	if (!m_streq(mj_str(eni, "status"), "InUse")) {
		merrf(m, MERR_ENI_STATE,
		      "Network interface %s is %s; only an InUse one can be "
		      "detached.",
		      eni_id, mj_str(eni, "status"));
		goto out;
	}
	if (instance_need_running_or_stopped(m, inst) < 0)
		goto out;
	settle_begin(eni, "Detaching", "Available");
	rc = m_put(m, eni);
out:
	json_decref(inst);
	json_decref(eni);
	return rc;
}

int eni_delete(struct model *m, const char *eni_id)
{
	json_t *eni = eni_need(m, eni_id);
	if (!eni)
		return -1;
	int rc = -1;
	if (eni_is_primary(eni)) {
		merrf(m, MERR_ENI_TYPE,
		      "%s is the primary network interface of %s: it goes with the instance "
		      "(NET-18).",
		      eni_id, mj_str(eni, "instance_id"));
		goto out;
	}
	if (!m_streq(mj_str(eni, "status"), "Available")) {
		merrf(m, MERR_ENI_STATE,
		      "Network interface %s is %s; only an Available one can be "
		      "deleted.",
		      eni_id, mj_str(eni, "status"));
		goto out;
	}
	if (route_refuse_if_next_hop(m, eni_id) < 0)
		goto out;
	/* NET-21: it leaves its groups now (membership lives on the ENI); its
	 * addresses stay claimed until the data plane has let go of them. */
	json_object_set_new(eni, "security_group_ids", json_array());
	settle_begin(eni, "Deleting", SETTLE_DELETED);
	rc = m_put(m, eni);
out:
	json_decref(eni);
	return rc;
}

int settle_hook_eni(struct model *m, json_t *res, const char *final)
{
	if (m_streq(final, SETTLE_DELETED))
		return eni_destroy(m, res);
	if (m_streq(final, "Available")) {
		/* Detaching done (invariant 2). */
		mj_set_str(res, "instance_id", "");
		mj_set_int(res, "device_index", 0);
	}
	mj_set_str(res, "status", final);
	return m_put(m, res);
}

/* --- modify -------------------------------------------------------------------------- */

int eni_modify(struct model *m, const struct eni_modify_req *req)
{
	json_t *eni = eni_need(m, req->eni_id);
	if (!eni)
		return -1;
	json_t *inst = NULL;
	int rc = -1;
	const char *st = mj_str(eni, "status");
	if (!m_streq(st, "Available") && !m_streq(st, "InUse")) {
		merrf(m, MERR_ENI_STATE,
		      "Network interface %s is %s; it can be modified when "
		      "Available or InUse.",
		      req->eni_id, st);
		goto out;
	}
	if (req->name && !model_valid_name(req->name)) {
		merrf(m, MERR_ENI_NAME,
		      "NetworkInterfaceName must be 2 to 128 characters, start with a letter and "
		      "not with http:// or https://.");
		goto out;
	}
	if (req->description && !model_valid_description(req->description)) {
		merrf(m, MERR_ROUTE_ENTRY_DESCRIPTION,
		      "Description must be 2 to 256 characters and not start with http:// or "
		      "https://.");
		goto out;
	}
	inst = eni_instance(m, eni);
	if (req->queue_number) {
		if (req->queue_number < 1 || req->queue_number > ENI_QUEUE_MAX) {
			merrf(m, MERR_INSTANCE_QUEUE_INVALID,
			      "QueueNumber must be between 1 and %d.", ENI_QUEUE_MAX);
			goto out;
		}
		const struct model_itype *it = inst_itype(m, inst);
		if (it && req->queue_number > it->queues_max) {
			merrf(m, MERR_INSTANCE_QUEUE_EXCEEDED,
			      "QueueNumber %lld exceeds %u, the maximum per interface of instance "
			      "type %s (NET-24).",
			      (long long)req->queue_number, it->queues_max, it->name);
			goto out;
		}
		if (inst && !m_streq(mj_str(inst, "status"), "Stopped")) {
			merrf(m, MERR_ENI_ECS_STATE,
			      "The queues of an attached network interface change only while its "
			      "instance %s is Stopped; it is %s.",
			      mj_str(inst, "id"), mj_str(inst, "status"));
			goto out;
		}
		mj_set_int(eni, "queue_number", req->queue_number);
	}
	if (req->n_sg > 0 && eni_apply_groups(m, eni, req->sg_ids, req->n_sg) < 0)
		goto out;
	if (req->name)
		mj_set_str(eni, "name", req->name);
	if (req->description)
		mj_set_str(eni, "description", req->description);
	if (req->delete_on_release >= 0)
		mj_set_bool(eni, "delete_on_release", req->delete_on_release != 0);
	rc = m_put(m, eni);
out:
	json_decref(inst);
	json_decref(eni);
	return rc;
}

/* --- secondary addresses --------------------------------------------------------------- */

int eni_assign_ips(struct model *m, const char *eni_id, bool v6, const char *const *ips, size_t n,
		   int64_t count, json_t **assigned)
{
	int64_t add;
	const char *what = v6 ? "IPv6" : "secondary private IP";
	if (addr_count(m, what, n, count, &add) < 0)
		return -1;
	if (add == 0)
		return merrf(m, MERR_MISSING_PARAMETER, "Give the %s addresses or their count.",
			     what);
	json_t *eni = eni_need(m, eni_id);
	if (!eni)
		return -1;
	json_t *inst = NULL, *vsw = NULL, *out = json_array();
	int rc = -1;
	if (eni_need_changeable(m, eni) < 0)
		goto out;
	inst = eni_instance(m, eni);
	const struct model_itype *it = inst_itype(m, inst);
	if (!v6) {
		int64_t lim = eni_v4_limit(m, res_owner(eni), it);
		if (eni_v4_count(eni) + add > lim) {
			merrf(m, MERR_ENI_IPV4_COUNT,
			      "Network interface %s holds %lld private IPv4 addresses; %s it may "
			      "hold %lld (NET-22).",
			      eni_id, (long long)eni_v4_count(eni),
			      it ? "attached to this instance type" : "while Available",
			      (long long)lim);
			goto out;
		}
		/* NET-22: every group of the ENI must have room for the new IPs. */
		json_t *g = json_object_get(eni, "security_group_ids");
		size_t ng = json_array_size(g);
		const char **ids = calloc(ng + 1, sizeof(*ids));
		if (!ids) {
			merr(m, MERR_INTERNAL);
			goto out;
		}
		for (size_t i = 0; i < ng; i++)
			ids[i] = json_string_value(json_array_get(g, i));
		int sg_rc = sg_check_membership(m, ids, ng, mj_str(eni, "vpc_id"), add, NULL, NULL);
		free(ids);
		if (sg_rc < 0)
			goto out;
	} else {
		if (it && it->ipv6_per_eni == 0) {
			merrf(m, MERR_INSTANCE_IPV6_CLASSIC, "Instance type %s supports no IPv6.",
			      it->name);
			goto out;
		}
		int64_t have = (int64_t)arr_len(eni, "ipv6s"), inst_have = 0;
		if (inst && eni_instance_v6_count(m, inst, &inst_have) < 0)
			goto out;
		if (have + add > eni_v6_limit(it) || inst_have + add > ENI_IPV6_PER_INSTANCE) {
			merrf(m, MERR_INSTANCE_IPV6_COUNT,
			      "At most %d IPv6 address per network interface and per instance "
			      "(NET-15); %s has %lld.",
			      ENI_IPV6_PER_INSTANCE, inst ? mj_str(inst, "id") : eni_id,
			      (long long)(inst ? inst_have : have));
			goto out;
		}
	}
	vsw = m_get_owned(m, res_owner(eni), mj_str(eni, "vswitch_id"));
	if (!vsw) {
		merrf(m, MERR_INTERNAL, "The vSwitch of %s is gone.", eni_id);
		goto out;
	}
	for (int64_t i = 0; i < add; i++)
		if (eni_add_addr(m, eni, vsw, v6, n ? ips[i] : NULL, out) < 0)
			goto out;
	if (m_put(m, eni) < 0)
		goto out;
	if (assigned)
		*assigned = json_incref(out);
	rc = 0;
out:
	json_decref(out);
	json_decref(vsw);
	json_decref(inst);
	json_decref(eni);
	return rc;
}

int eni_unassign_ips(struct model *m, const char *eni_id, bool v6, const char *const *ips, size_t n)
{
	if (n == 0)
		return merrf(m, MERR_MISSING_PARAMETER, "%s.1 is mandatory for this action.",
			     v6 ? "Ipv6Address" : "PrivateIpAddress");
	json_t *eni = eni_need(m, eni_id);
	if (!eni)
		return -1;
	int rc = -1;
	char scope[MODEL_SCOPE_MAX], txt[NETADDR_STRLEN];
	const char *list = v6 ? "ipv6s" : "private_ips";
	if (v6)
		vpc_scope_v6(mj_str(eni, "vpc_id"), scope);
	else
		vpc_scope_v4(mj_str(eni, "vpc_id"), scope);
	if (eni_need_changeable(m, eni) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct netaddr a;
		if (!ips[i] || !netaddr_parse(ips[i], &a) ||
		    a.family != (v6 ? NETADDR_V6 : NETADDR_V4)) {
			merrf(m, MERR_ENI_IP_ADDRESS, "%.64s is not an %s address.",
			      ips[i] ? ips[i] : "", v6 ? "IPv6" : "IPv4");
			goto out;
		}
		netaddr_format(&a, txt);
		if (!v6 && m_streq(txt, mj_str(eni, "primary_ip"))) {
			merrf(
			    m, MERR_ENI_IP_UNASSIGNED,
			    "%s is the primary IP address of %s and cannot be unassigned (NET-22).",
			    txt, eni_id);
			goto out;
		}
		if (!mj_arr_del_str(eni, list, txt)) {
			merrf(m, MERR_ENI_IP_UNASSIGNED, "%s is not assigned to %s.", txt, eni_id);
			goto out;
		}
		if (v6 && ipv6_address_released(m, res_owner(eni), mj_str(eni, "vpc_id"), txt) < 0)
			goto out;
		if (m_unclaim(m, scope, &a) < 0)
			goto out;
	}
	rc = m_put(m, eni);
out:
	json_decref(eni);
	return rc;
}
