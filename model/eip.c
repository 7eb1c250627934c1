/*
 * eip: see eip.h.  The holders (instances "i-..." and ENIs "eni-...") are
 * other areas' resources; this file reads and writes only the fields the
 * EIP owns in them (eip_id, eip_ip) and reads the rest (network, status,
 * public_ip, private_ip, vpc_id, type) straight from their documents, so it
 * depends on no other area's code.
 */
#include "model/eip.h"

#include <string.h>

#include "model/pubip.h"
#include "model/settle.h"

#define EIP_ECS "EcsInstance"
#define EIP_ENI "NetworkInterface"

/* The caller's EIP in m->region, or NULL with InvalidAllocationId.NotFound
 * (an id of another kind, or another account's EIP, answers the same: G-1). */
static json_t *eip_need(struct model *m, const char *id)
{
	char k[16];
	if (!model_id_kind(id, k) || !m_streq(k, "eip")) {
		merrf(m, MERR_EIP_NOT_FOUND, "Specified allocation ID is not found: %.64s.",
		      id ? id : "");
		return NULL;
	}
	json_t *eip = m_need(m, id, MERR_EIP_NOT_FOUND);
	if (!eip)
		merrf(m, MERR_EIP_NOT_FOUND, "Specified allocation ID is not found: %.64s.", id);
	return eip;
}

/* Names: 0..128 characters, not starting with http:// or https://. */
static bool eip_valid_text(const char *s, size_t max)
{
	if (!s)
		return true;
	return strlen(s) <= max && strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0;
}

static int eip_check_bandwidth(struct model *m, int64_t bw, const char *charge,
			       const char *internet_charge)
{
	int64_t max = m_streq(charge, "PrePaid")		 ? EIP_BW_MAX_PREPAID
		      : m_streq(internet_charge, "PayByTraffic") ? EIP_BW_MAX_BY_TRAFFIC
								 : EIP_BW_MAX_BY_BANDWIDTH;
	if (bw < 1 || bw > max)
		return merrf(m, MERR_INVALID_PARAMETER,
			     "Specified value of \"Bandwidth\" is not supported: a %s %s EIP takes "
			     "1 to %lld Mbit/s.",
			     charge, internet_charge, (long long)max);
	return 0;
}

struct eip_count_ctx {
	const char *region;
};

static bool eip_keep_region(void *arg, json_t *res)
{
	const struct eip_count_ctx *c = arg;
	return m_streq(mj_str(res, "region"), c->region);
}

/* The EIP quota (per account and region): -1 with QuotaExceeded.Eip when full. */
static int eip_check_quota(struct model *m, uint64_t owner, const char *region)
{
	struct eip_count_ctx c = {region};
	json_t *all = m_list_owner(m, owner, "eip", eip_keep_region, &c);
	if (!all)
		return -1;
	int64_t n = (int64_t)json_array_size(all);
	json_decref(all);
	int64_t limit = m_quota_of(m, owner, MODEL_QUOTA_EIP);
	if (n >= limit)
		return merrf(m, MERR_EIP_QUOTA,
			     "Elastic IP address quota exceeded: this account may hold %lld EIPs "
			     "in %s.",
			     (long long)limit, region);
	return 0;
}

static void eip_clear_binding(json_t *eip)
{
	mj_set_str(eip, "instance_id", "");
	mj_set_str(eip, "instance_type", "");
	mj_set_str(eip, "private_ip", "");
	mj_set_str(eip, "vpc_id", "");
}

static json_t *eip_new_doc(struct model *m, const char *status)
{
	json_t *eip = model_new_resource(m, "eip", status);
	mj_set_str(eip, "ip", "");
	mj_set_int(eip, "expires", 0);
	mj_set_str(eip, "name", "");
	mj_set_str(eip, "description", "");
	mj_set_str(eip, "isp", "BGP");
	json_object_set_new(eip, "tags", json_array());
	eip_clear_binding(eip);
	return eip;
}

int eip_allocate(struct model *m, const struct eip_alloc_req *r, json_t **out)
{
	const char *ic = r->internet_charge ? r->internet_charge : "PayByBandwidth";
	const char *charge = r->charge ? r->charge : "PostPaid";
	const char *isp = r->isp ? r->isp : "BGP";
	int64_t expires = 0;
	if (!m->region)
		return merrf(m, MERR_MISSING_PARAMETER, "RegionId is mandatory for this action.");
	if (!m_streq(ic, "PayByBandwidth") && !m_streq(ic, "PayByTraffic"))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "InternetChargeType must be PayByBandwidth or PayByTraffic.");
	if (!m_streq(charge, "PostPaid") && !m_streq(charge, "PrePaid"))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "InstanceChargeType must be PostPaid or PrePaid.");
	if (m_streq(charge, "PrePaid")) {
		const char *cycle = r->pricing_cycle ? r->pricing_cycle : "Month";
		int64_t period = r->period ? r->period : 1;
		bool year = m_streq(cycle, "Year");
		if (!m_streq(ic, "PayByBandwidth"))
			return merrf(m, MERR_INVALID_PARAMETER,
				     "A PrePaid EIP must use InternetChargeType PayByBandwidth.");
		if (!year && !m_streq(cycle, "Month"))
			return merrf(m, MERR_INVALID_PARAMETER,
				     "PricingCycle must be Month or Year.");
		if (period < 1 || period > (year ? EIP_PERIOD_YEARS_MAX : EIP_PERIOD_MONTHS_MAX))
			return merrf(m, MERR_INVALID_PARAMETER,
				     "Period must be 1 to %d when PricingCycle is %s.",
				     year ? EIP_PERIOD_YEARS_MAX : EIP_PERIOD_MONTHS_MAX, cycle);
		expires = m->now + period * (year ? EIP_YEAR_SECONDS : EIP_MONTH_SECONDS);
	}
	if (eip_check_bandwidth(m, r->bandwidth, charge, ic) < 0)
		return -1;
	if (!m_streq(isp, "BGP") && !m_streq(isp, "BGP_PRO"))
		return merrf(m, MERR_INVALID_PARAMETER, "ISP must be BGP or BGP_PRO.");
	if (!eip_valid_text(r->name, EIP_NAME_MAX))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "Name must be at most %d characters and not start with http:// or "
			     "https://.",
			     EIP_NAME_MAX);
	if (!eip_valid_text(r->description, EIP_DESCRIPTION_MAX))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "Description must be at most %d characters and not start with "
			     "http:// or https://.",
			     EIP_DESCRIPTION_MAX);
	if (eip_check_quota(m, m->caller, m->region->id) < 0)
		return -1;

	json_t *eip = eip_new_doc(m, "Available");
	mj_set_int(eip, "bandwidth", r->bandwidth);
	mj_set_str(eip, "internet_charge", ic);
	mj_set_str(eip, "charge", charge);
	mj_set_int(eip, "expires", expires);
	mj_set_str(eip, "isp", isp);
	mj_set_str(eip, "name", r->name);
	mj_set_str(eip, "description", r->description);
	if (r->tags)
		json_object_set_new(eip, "tags", json_deep_copy(r->tags));
	/* The claim's parent is the EIP, so the EIP is written first. */
	char ip[NETADDR_STRLEN];
	int rc = m_create(m, eip);
	if (rc == 0)
		rc = pubip_alloc(m, m->caller, mj_str(eip, "id"), ip);
	if (rc == 0) {
		mj_set_str(eip, "ip", ip);
		rc = m_put(m, eip);
	}
	if (rc == 0 && out)
		*out = json_incref(eip);
	json_decref(eip);
	return rc;
}

struct eip_holder_ctx {
	const char *holder_id;
};

static bool eip_keep_holder(void *arg, json_t *res)
{
	const struct eip_holder_ctx *c = arg;
	return m_streq(mj_str(res, "instance_id"), c->holder_id);
}

/* Invariant 3: -1 with InvalidAssociation.Duplicated when any EIP of the
 * owner still names holder (Associating, InUse, or Unassociating). */
static int eip_check_holder_free(struct model *m, const json_t *holder)
{
	const char *hid = mj_str(holder, "id");
	if (mj_str(holder, "eip_id")[0])
		return merrf(m, MERR_EIP_DUPLICATED,
			     "Specified instance already is associated: %s "
			     "holds %s.",
			     hid, mj_str(holder, "eip_id"));
	struct eip_holder_ctx c = {hid};
	json_t *bound =
	    m_list_owner(m, (uint64_t)mj_int(holder, "owner"), "eip", eip_keep_holder, &c);
	if (!bound)
		return -1;
	int rc = 0;
	if (json_array_size(bound) > 0)
		rc =
		    merrf(m, MERR_EIP_DUPLICATED,
			  "Specified instance already is associated: %s is still bound to %s (%s).",
			  hid, mj_str(json_array_get(bound, 0), "id"),
			  mj_str(json_array_get(bound, 0), "status"));
	json_decref(bound);
	return rc;
}

/* The caller's holder of a kind ("i" or "eni") in m->region, or NULL with
 * InvalidInstanId.NotFound (G-1: another account's answers the same). */
static json_t *eip_need_holder(struct model *m, const char *id, const char *kind)
{
	char k[16];
	json_t *h = NULL;
	if (model_id_kind(id, k) && m_streq(k, kind))
		h = m_need(m, id, MERR_EIP_INSTANCE_NOT_FOUND);
	if (!h)
		merrf(m, MERR_EIP_INSTANCE_NOT_FOUND, "Specified instance does not exist: %.64s.",
		      id ? id : "");
	return h;
}

/* EcsInstance: a VPC instance, Running or Stopped, without public IPv4. */
static int eip_check_instance(struct model *m, const json_t *inst, const char *private_ip)
{
	const char *id = mj_str(inst, "id");
	const char *st = mj_str(inst, "status");
	if (!m_streq(mj_str(inst, "network"), "vpc"))
		return merrf(m, MERR_EIP_NOT_VPC,
			     "Specified instance is not in VPC: %s is a classic "
			     "instance.",
			     id);
	if (!m_streq(st, "Running") && !m_streq(st, "Stopped"))
		return merrf(m, MERR_EIP_INSTANCE_STATUS,
			     "The instance %s is %s; an EIP is associated only with a Running or "
			     "Stopped instance.",
			     id, st);
	if (mj_str(inst, "public_ip")[0])
		return merrf(m, MERR_EIP_HAS_NAT_IP,
			     "The instance may have portMap or already bind eip: %s has the public "
			     "IP %s (NET-5: one public IPv4 per instance).",
			     id, mj_str(inst, "public_ip"));
	if (private_ip && !m_streq(private_ip, mj_str(inst, "private_ip")))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "PrivateIpAddress %.64s is not the private IP of %s (%s).", private_ip,
			     id, mj_str(inst, "private_ip"));
	return eip_check_holder_free(m, inst);
}

/* NetworkInterface: a secondary ENI, Available or InUse; the private IP is
 * one of its IPv4 addresses.  *ip gets the address the EIP maps to. */
static int eip_check_eni(struct model *m, const json_t *eni, const char *private_ip,
			 const char **ip)
{
	const char *id = mj_str(eni, "id");
	const char *st = mj_str(eni, "status");
	if (!m_streq(mj_str(eni, "type"), "Secondary"))
		return merrf(
		    m, MERR_INVALID_PARAMETER,
		    "%s is the primary network interface of %s: associate the EIP with the "
		    "instance (InstanceType EcsInstance).",
		    id, mj_str(eni, "instance_id"));
	if (!m_streq(st, "Available") && !m_streq(st, "InUse"))
		return merrf(m, MERR_EIP_ENI_STATUS,
			     "The network interface %s is %s; it must be Available or InUse.", id,
			     st);
	*ip = mj_str(eni, "primary_ip");
	if (private_ip) {
		if (!m_streq(private_ip, *ip) && !mj_arr_has_str(eni, "private_ips", private_ip))
			return merrf(m, MERR_INVALID_PARAMETER,
				     "PrivateIpAddress %.64s is not an address of %s.", private_ip,
				     id);
		*ip = private_ip;
	}
	return eip_check_holder_free(m, eni);
}

int eip_associate(struct model *m, const struct eip_assoc_req *r)
{
	const char *type = r->instance_type ? r->instance_type : EIP_ECS;
	if (!m_streq(type, EIP_ECS) && !m_streq(type, EIP_ENI))
		return merrf(
		    m, MERR_EIP_INSTANCE_TYPE,
		    "The specified value of InstanceType (%.32s) is not supported: openvpc "
		    "associates EIPs with EcsInstance and NetworkInterface.",
		    type);
	json_t *eip = eip_need(m, r->eip_id);
	if (!eip)
		return -1;
	json_t *holder = NULL;
	int rc = -1;
	if (!m_streq(mj_str(eip, "status"), "Available")) {
		merrf(m, MERR_EIP_STATUS,
		      "Current elastic IP status does not support this operation: %s is %s, "
		      "it must be Available.",
		      r->eip_id, mj_str(eip, "status"));
		goto out;
	}
	bool ecs = m_streq(type, EIP_ECS);
	holder = eip_need_holder(m, r->instance_id, ecs ? "i" : "eni");
	if (!holder)
		goto out;
	/* Without RegionId nothing else keeps the two in one region. */
	if (!m_streq(mj_str(holder, "region"), mj_str(eip, "region"))) {
		merrf(m, MERR_EIP_REGION_MISMATCH,
		      "Specified elastic IP address and ECS instance are not in the same region: "
		      "%s is in %s, %s in %s.",
		      r->eip_id, mj_str(eip, "region"), r->instance_id, mj_str(holder, "region"));
		goto out;
	}
	const char *private_ip = NULL;
	if (ecs) {
		if (eip_check_instance(m, holder, r->private_ip) < 0)
			goto out;
		private_ip = mj_str(holder, "private_ip");
	} else if (eip_check_eni(m, holder, r->private_ip, &private_ip) < 0) {
		goto out;
	}
	mj_set_str(eip, "instance_id", mj_str(holder, "id"));
	mj_set_str(eip, "instance_type", type);
	mj_set_str(eip, "private_ip", private_ip);
	mj_set_str(eip, "vpc_id", mj_str(holder, "vpc_id"));
	settle_begin(eip, "Associating", "InUse");
	mj_set_str(holder, "eip_id", mj_str(eip, "id"));
	mj_set_str(holder, "eip_ip", mj_str(eip, "ip"));
	rc = m_put(m, eip);
	if (rc == 0)
		rc = m_put(m, holder);
out:
	json_decref(holder);
	json_decref(eip);
	return rc;
}

int eip_unassociate(struct model *m, const char *eip_id, const char *instance_id,
		    const char *instance_type)
{
	json_t *eip = eip_need(m, eip_id);
	if (!eip)
		return -1;
	json_t *holder = NULL;
	int rc = -1;
	const char *hid = mj_str(eip, "instance_id");
	if (!m_streq(mj_str(eip, "status"), "InUse")) {
		merrf(m, MERR_EIP_STATUS,
		      "Current elastic IP status does not support this operation: %s is %s, "
		      "it must be InUse.",
		      eip_id, mj_str(eip, "status"));
		goto out;
	}
	if ((instance_id && !m_streq(instance_id, hid)) ||
	    (instance_type && !m_streq(instance_type, mj_str(eip, "instance_type")))) {
		merrf(m, MERR_EIP_BINDING,
		      "The eip binding status invalid: %s is associated with %s "
		      "%s, not with %.64s %.32s.",
		      eip_id, mj_str(eip, "instance_type"), hid, instance_type ? instance_type : "",
		      instance_id ? instance_id : hid);
		goto out;
	}
	holder = m_get_owned(m, (uint64_t)mj_int(eip, "owner"), hid);
	if (holder) {
		const char *st = mj_str(holder, "status");
		if (m_streq(mj_str(eip, "instance_type"), EIP_ECS) && !m_streq(st, "Running") &&
		    !m_streq(st, "Stopped")) {
			merrf(m, MERR_EIP_INSTANCE_STATUS,
			      "The instance %s is %s; it must be Running or Stopped.", hid, st);
			goto out;
		}
		if (m_streq(mj_str(eip, "instance_type"), EIP_ENI) && !m_streq(st, "Available") &&
		    !m_streq(st, "InUse")) {
			merrf(m, MERR_EIP_ENI_STATUS,
			      "The network interface %s is %s; it must be Available or InUse.", hid,
			      st);
			goto out;
		}
		mj_set_str(holder, "eip_id", "");
		mj_set_str(holder, "eip_ip", "");
		if (m_put(m, holder) < 0)
			goto out;
	}
	settle_begin(eip, "Unassociating", "Available");
	rc = m_put(m, eip);
out:
	json_decref(holder);
	json_decref(eip);
	return rc;
}

int eip_release(struct model *m, const char *eip_id)
{
	json_t *eip = eip_need(m, eip_id);
	if (!eip)
		return -1;
	int rc = -1;
	if (!m_streq(mj_str(eip, "status"), "Available")) {
		merrf(m, MERR_EIP_STATUS,
		      "Current elastic IP status does not support this operation: %s is %s; "
		      "unassociate it first (NET-7).",
		      eip_id, mj_str(eip, "status"));
		goto out;
	}
	if (m_streq(mj_str(eip, "charge"), "PrePaid") && m->now < mj_int(eip, "expires")) {
		merrf(m, MERR_EIP_PREPAID,
		      "It's forbidden to release a prepaid EIP: %s is a subscription until it "
		      "expires.",
		      eip_id);
		goto out;
	}
	settle_begin(eip, "Releasing", SETTLE_DELETED);
	rc = m_put(m, eip);
out:
	json_decref(eip);
	return rc;
}

int eip_modify(struct model *m, const struct eip_modify_req *r)
{
	json_t *eip = eip_need(m, r->eip_id);
	if (!eip)
		return -1;
	int rc = -1;
	if (m_streq(mj_str(eip, "status"), "Releasing")) {
		merrf(m, MERR_EIP_STATUS,
		      "Current elastic IP status does not support this "
		      "operation: %s is being released.",
		      r->eip_id);
		goto out;
	}
	if (r->bandwidth != -1 && eip_check_bandwidth(m, r->bandwidth, mj_str(eip, "charge"),
						      mj_str(eip, "internet_charge")) < 0)
		goto out;
	if (!eip_valid_text(r->name, EIP_NAME_MAX)) {
		merrf(m, MERR_INVALID_PARAMETER,
		      "Name must be at most %d characters and not start with http:// or https://.",
		      EIP_NAME_MAX);
		goto out;
	}
	if (!eip_valid_text(r->description, EIP_DESCRIPTION_MAX)) {
		merrf(m, MERR_INVALID_PARAMETER,
		      "Description must be at most %d characters and not start with http:// or "
		      "https://.",
		      EIP_DESCRIPTION_MAX);
		goto out;
	}
	if (r->bandwidth != -1)
		mj_set_int(eip, "bandwidth", r->bandwidth);
	if (r->name)
		mj_set_str(eip, "name", r->name);
	if (r->description)
		mj_set_str(eip, "description", r->description);
	rc = m_put(m, eip);
out:
	json_decref(eip);
	return rc;
}

int eip_adopt_nat_ip(struct model *m, json_t *inst, json_t **out)
{
	uint64_t owner = (uint64_t)mj_int(inst, "owner");
	const char *region = mj_str(inst, "region");
	const char *ip = mj_str(inst, "public_ip");
	if (!ip[0])
		return merrf(m, MERR_INTERNAL, "instance %s has no public IP to convert",
			     mj_str(inst, "id"));
	if (eip_check_quota(m, owner, region) < 0)
		return -1;
	json_t *eip = eip_new_doc(m, "InUse");
	/* The instance may be another account's when the system acts (m->caller 0). */
	mj_set_int(eip, "owner", (int64_t)owner);
	mj_set_str(eip, "region", region);
	mj_set_str(eip, "ip", ip);
	int64_t bw = mj_int(inst, "bw_out");
	mj_set_int(eip, "bandwidth", bw > 0 ? bw : EIP_BW_DEFAULT);
	const char *ic = mj_str(inst, "internet_charge");
	mj_set_str(eip, "internet_charge", ic[0] ? ic : "PayByTraffic");
	mj_set_str(eip, "charge", "PostPaid");
	mj_set_str(eip, "instance_id", mj_str(inst, "id"));
	mj_set_str(eip, "instance_type", EIP_ECS);
	mj_set_str(eip, "private_ip", mj_str(inst, "private_ip"));
	mj_set_str(eip, "vpc_id", mj_str(inst, "vpc_id"));
	int rc = m_create(m, eip);
	if (rc == 0)
		rc = pubip_rehold(m, region, ip, owner, mj_str(eip, "id"));
	if (rc == 0) {
		mj_set_str(inst, "eip_id", mj_str(eip, "id"));
		mj_set_str(inst, "eip_ip", ip);
		mj_set_str(inst, "public_ip", "");
		if (out)
			*out = json_incref(eip);
	}
	json_decref(eip);
	return rc;
}

struct eip_unbind_ctx {
	struct model *m;
	uint64_t owner;
	const char *holder_id;
	bool is_instance;
};

/* The EIPs bound to the holder and, for an instance, to the secondary ENIs
 * attached to it (they are released with it, NET-21). */
static bool eip_keep_unbind(void *arg, json_t *res)
{
	const struct eip_unbind_ctx *c = arg;
	const char *hid = mj_str(res, "instance_id");
	if (m_streq(hid, c->holder_id))
		return true;
	if (!c->is_instance || !m_streq(mj_str(res, "instance_type"), EIP_ENI))
		return false;
	json_t *eni = m_get_owned(c->m, c->owner, hid);
	bool on = eni && m_streq(mj_str(eni, "instance_id"), c->holder_id);
	json_decref(eni);
	return on;
}

int eip_unbind_from(struct model *m, json_t *holder)
{
	char kind[16];
	struct eip_unbind_ctx c = {m, (uint64_t)mj_int(holder, "owner"), mj_str(holder, "id"),
				   model_id_kind(mj_str(holder, "id"), kind) && m_streq(kind, "i")};
	json_t *bound = m_list_owner(m, c.owner, "eip", eip_keep_unbind, &c);
	if (!bound)
		return -1;
	int rc = 0;
	size_t i;
	json_t *eip;
	json_array_foreach(bound, i, eip)
	{
		eip_clear_binding(eip);
		json_object_del(eip, "settle_to");
		mj_set_str(eip, "status", "Available");
		if ((rc = m_put(m, eip)) < 0)
			break;
	}
	json_decref(bound);
	if (rc == 0) {
		mj_set_str(holder, "eip_id", "");
		mj_set_str(holder, "eip_ip", "");
	}
	return rc;
}

int settle_hook_eip(struct model *m, json_t *res, const char *final)
{
	if (m_streq(final, SETTLE_DELETED)) {
		/* Invariant 1: the address (and its PTR) goes with the EIP; the claim
		 * is the EIP's child, so it is released first. */
		if (pubip_release(m, mj_str(res, "region"), mj_str(res, "ip")) < 0)
			return -1;
		return m_del(m, res);
	}
	if (m_streq(final, "Available"))
		eip_clear_binding(res);
	mj_set_str(res, "status", final);
	return m_put(m, res);
}
