/*
 * instance: ECS instances as the network sees them; see instance.h for the
 * fields, the life cycle and its invariants.  Rules implemented here:
 *   NET-1/NET-2  network type, classic only while the region offers it
 *   NET-3/NET-4  private IP from the vSwitch (the primary ENI, model/eni.c),
 *                changed only while Stopped
 *   NET-5/NET-6  at most one public IPv4; NatPublicIp released by bw 0
 *                (PostPaid at once, PrePaid at the end of the period)
 *   NET-9/NET-10 classic internal IP claimed for life, classic public IP
 *                never released, no broadcast on classic
 *   NET-11/12    public IP change window and count; conversion to EIP
 *   NET-14/15/20/24  type rules: ENIs, IPv6 count, NIC queues
 *   NET-28       bandwidth caps
 */
#include "model/instance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/account.h"
#include "model/eip.h"
#include "model/eni.h"
#include "model/pubip.h"
#include "model/region.h"
#include "model/route.h"
#include "model/secgroup.h"
#include "model/settle.h"
#include "model/vswitch.h"

/* NET-28: inbound is capped at this floor while outbound is bought below it. */
#define INSTANCE_BW_IN_FLOOR 100
#define INSTANCE_HOSTNAME_MIN 2
#define INSTANCE_HOSTNAME_MAX 64
#define INSTANCE_MAC_OUI "00:16:3e"
#define DAY (24 * 3600)

static const char *const inst_internet_charges[] = {"PayByTraffic", "PayByBandwidth", NULL};
static const char *const inst_charges[] = {"PostPaid", "PrePaid", NULL};

int64_t instance_bw_in_cap(int64_t bw_out)
{
	return bw_out < INSTANCE_BW_IN_FLOOR ? INSTANCE_BW_IN_FLOOR : bw_out;
}

bool instance_is_vpc(const json_t *inst)
{
	return strcmp(mj_str(inst, "network"), INSTANCE_NETWORK_VPC) == 0;
}

bool instance_carries_broadcast(const json_t *inst)
{
	return instance_is_vpc(inst) && !mj_bool(inst, "no_broadcast");
}

json_t *instance_need(struct model *m, const char *id)
{
	char kind[16];
	if (!id || !model_id_kind(id, kind) || strcmp(kind, "i") != 0) {
		merrf(m, MERR_INSTANCE_NOT_FOUND, "%s (%.64s)",
		      merr_default_message(MERR_INSTANCE_NOT_FOUND), id ? id : "");
		return NULL;
	}
	return m_need(m, id, MERR_INSTANCE_NOT_FOUND);
}

static int inst_status_err(struct model *m, const json_t *inst, const char *needs)
{
	return merrf(m, MERR_INSTANCE_STATUS, "The instance %s is %s; this operation needs it %s.",
		     mj_str(inst, "id"), mj_str(inst, "status"), needs);
}

static bool inst_status_is(const json_t *inst, const char *status)
{
	return !settle_pending(inst) && strcmp(mj_str(inst, "status"), status) == 0;
}

int instance_need_running_or_stopped(struct model *m, const json_t *inst)
{
	if (mj_bool(inst, "migrating"))
		return merrf(m, MERR_INSTANCE_STATUS,
			     "The instance %s is restarting into its migration to a VPC and takes "
			     "no other change until it ends (NET-26).",
			     mj_str(inst, "id"));
	if (inst_status_is(inst, "Running") || inst_status_is(inst, "Stopped"))
		return 0;
	return inst_status_err(m, inst, "Running or Stopped");
}

const char *instance_public_ip(const struct model *m, const json_t *inst)
{
	int64_t at = mj_int(inst, "public_ip_release_at");
	if (at > 0 && m->now >= at)
		return "";
	return mj_str(inst, "public_ip");
}

/* A deferred release is indexed under /sched/iprel/<id> -> owner, so the
 * scheduler finds the due ones without scanning every instance. */
static int inst_release_index(struct model *m, const json_t *inst, bool pending)
{
	char key[MODEL_KEY_MAX], val[32];
	snprintf(key, sizeof(key), "/sched/iprel/%s", mj_str(inst, "id"));
	int rc;
	if (pending) {
		snprintf(val, sizeof(val), "%lld", (long long)mj_int(inst, "owner"));
		rc = store_put(m->txn, key, val, strlen(val), NULL);
	} else {
		rc = store_del(m->txn, key);
		if (rc == -ENOENT)
			rc = 0;
	}
	return rc < 0 ? merr_store(m, rc, key) : 0;
}

/* NET-6: a PrePaid instance's NatPublicIp whose release was deferred to the
 * end of its billing period goes once that time has passed: at the
 * scheduler's next tick (instance_release_run), or earlier when a change to the
 * instance loads it through inst_load(). */
static int inst_apply_due(struct model *m, json_t *inst)
{
	int64_t at = mj_int(inst, "public_ip_release_at");
	if (at <= 0 || m->now < at)
		return 0;
	if (pubip_release(m, mj_str(inst, "region"), mj_str(inst, "public_ip")) < 0 ||
	    inst_release_index(m, inst, false) < 0)
		return -1;
	mj_set_str(inst, "public_ip", "");
	json_object_del(inst, "public_ip_release_at");
	return 0;
}

bool instance_release_due(struct model *m, uint64_t owner, const char *id)
{
	json_t *inst = m_get_owned(m, owner, id);
	if (!inst)
		return true; /* released with its instance: the run removes the index */
	int64_t at = mj_int(inst, "public_ip_release_at");
	json_decref(inst);
	return at <= 0 || m->now >= at;
}

int instance_release_run(struct model *m, uint64_t owner, const char *id)
{
	json_t *inst = m_get_owned(m, owner, id);
	if (!inst) {
		char key[MODEL_KEY_MAX];
		snprintf(key, sizeof(key), "/sched/iprel/%s", id);
		int rc = store_del(m->txn, key);
		return rc < 0 && rc != -ENOENT ? merr_store(m, rc, key) : 0;
	}
	int rc;
	if (mj_int(inst, "public_ip_release_at") <= 0)
		rc = inst_release_index(m, inst, false); /* nothing deferred any more */
	else
		rc = inst_apply_due(m, inst) < 0 ? -1 : m_put(m, inst);
	json_decref(inst);
	return rc;
}

/* The caller's instance for a change (deferred releases applied).  Actions
 * without RegionId (StartInstance, ModifyInstanceNetworkSpec, ...) work in
 * the instance's region, which address allocation needs. */
static json_t *inst_load(struct model *m, const char *id)
{
	json_t *inst = instance_need(m, id);
	if (!inst)
		return NULL;
	if ((!m->region && model_use_region(m, mj_str(inst, "region")) < 0) ||
	    inst_apply_due(m, inst) < 0) {
		json_decref(inst);
		return NULL;
	}
	return inst;
}

/* --- classic network addresses (NET-1, NET-9) ------------------------------ */

static void inst_classic_scope(const char *region, char *buf)
{
	snprintf(buf, MODEL_SCOPE_MAX, INSTANCE_CLASSIC_SCOPE_FMT, region);
}

void instance_classic_range(const struct model_region *r, struct netaddr *first,
			    struct netaddr *last)
{
	*first = netprefix_first(&r->classic_pool);
	*last = netprefix_last(&r->classic_pool);
	netaddr_add(first, 2, first); /* the network address and the gateway */
	netaddr_add(last, -1, last);  /* the broadcast address */
}

char *instance_classic_gateway(const struct model_region *r, char *buf)
{
	struct netaddr gw = netprefix_first(&r->classic_pool);
	netaddr_add(&gw, 1, &gw);
	return netaddr_format(&gw, buf);
}

static int inst_claim_classic_ip(struct model *m, json_t *inst, const char *want)
{
	char scope[MODEL_SCOPE_MAX], txt[NETADDR_STRLEN];
	struct netaddr first, last, a;
	instance_classic_range(m->region, &first, &last);
	inst_classic_scope(m->region->id, scope);
	uint64_t owner = (uint64_t)mj_int(inst, "owner");
	const char *id = mj_str(inst, "id");
	if (want) {
		if (!netaddr_parse4(want, &a))
			return merrf(m, MERR_INSTANCE_INNER_IP_MALFORMED,
				     "The InnerIpAddress %.64s is not an IPv4 address.", want);
		if (netaddr_cmp(&a, &first) < 0 || netaddr_cmp(&a, &last) > 0)
			return merrf(m, MERR_INSTANCE_INNER_IP_UNUSABLE,
				     "The InnerIpAddress %.64s is not a usable address of the "
				     "classic network.",
				     want);
		if (m_claim(m, scope, &a, owner, id, MERR_INSTANCE_IP_USED) < 0)
			return -1;
	} else if (m_claim_free(m, scope, &first, &last, owner, id, MERR_PRIVATE_IP_EXHAUSTED, &a) <
		   0) {
		if (m->err.code == MERR_PRIVATE_IP_EXHAUSTED)
			merrf(m, MERR_PRIVATE_IP_EXHAUSTED,
			      "The classic network of %s has no free internal address.",
			      m->region->id);
		return -1;
	}
	mj_set_str(inst, "private_ip", netaddr_format(&a, txt));
	return 0;
}

static int inst_release_classic_ip(struct model *m, const json_t *inst)
{
	char scope[MODEL_SCOPE_MAX];
	struct netaddr a;
	if (!netaddr_parse4(mj_str(inst, "private_ip"), &a))
		return 0;
	inst_classic_scope(mj_str(inst, "region"), scope);
	return m_unclaim(m, scope, &a);
}

/* A stable MAC for a classic instance's NIC, from its id (ENIs get theirs in eni.c). */
static void inst_classic_mac(const char *id, char *buf, size_t len)
{
	uint32_t h = 2166136261u;
	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(buf, len, INSTANCE_MAC_OUI ":%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff,
		 h & 0xff);
}

/* --- validation --------------------------------------------------------------- */

static bool inst_valid_hostname(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0)
		return true;
	if (n < INSTANCE_HOSTNAME_MIN || n > INSTANCE_HOSTNAME_MAX)
		return false;
	if (s[0] == '.' || s[0] == '-' || s[n - 1] == '.' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '-';
		if (!ok ||
		    (i > 0 && (c == '.' || c == '-') && (s[i - 1] == '.' || s[i - 1] == '-')))
			return false;
	}
	return true;
}

static bool inst_in(const char *v, const char *const *choices)
{
	for (size_t i = 0; choices[i]; i++)
		if (strcmp(v, choices[i]) == 0)
			return true;
	return false;
}

/* The end of a subscription bought now for period x unit, calendar-wise. */
static int inst_expiry(struct model *m, int64_t period, const char *unit, int64_t *out)
{
	struct tm tm;
	time_t t = (time_t)m->now;
	gmtime_r(&t, &tm);
	if (!unit || strcmp(unit, "Month") == 0) {
		static const int ok[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36, 48, 60};
		bool found = false;
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			found |= ok[i] == period;
		if (!found)
			return merrf(m, MERR_INSTANCE_PERIOD,
				     "Period %lld is not valid with PeriodUnit Month (1-9, 12, 24, "
				     "36, 48, 60).",
				     (long long)period);
		tm.tm_mon += (int)period;
	} else if (strcmp(unit, "Week") == 0) {
		if (period < 1 || period > 4)
			return merrf(m, MERR_INSTANCE_PERIOD,
				     "Period %lld is not valid with PeriodUnit Week (1-4).",
				     (long long)period);
		tm.tm_mday += 7 * (int)period;
	} else if (strcmp(unit, "Year") == 0) {
		if (period < 1 || period > 5)
			return merrf(m, MERR_INSTANCE_PERIOD,
				     "Period %lld is not valid with PeriodUnit Year (1-5).",
				     (long long)period);
		tm.tm_year += (int)period;
	} else {
		return merrf(m, MERR_INSTANCE_PERIOD_UNIT,
			     "PeriodUnit %.32s is not valid (Week, Month or Year).", unit);
	}
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int inst_check_bw_out(struct model *m, int64_t bw_out)
{
	int64_t max = m_quota(m, MODEL_QUOTA_PUBLIC_BW_OUT);
	if (bw_out < 0 || bw_out > max)
		return merrf(m, MERR_INSTANCE_BW_OUT,
			     "InternetMaxBandwidthOut %lld is out of range: 0 to %lld Mbit/s.",
			     (long long)bw_out, (long long)max);
	return 0;
}

/* NET-28: the inbound cap for the requested value (0 = the cap itself). */
static int inst_check_bw_in(struct model *m, int64_t bw_out, int64_t bw_in, int64_t *out)
{
	int64_t cap = instance_bw_in_cap(bw_out);
	if (bw_in < 0 || bw_in > cap)
		return merrf(m, MERR_INSTANCE_BW_IN,
			     "InternetMaxBandwidthIn %lld is out of range: 1 to %lld Mbit/s for an "
			     "outbound bandwidth of %lld Mbit/s.",
			     (long long)bw_in, (long long)cap, (long long)bw_out);
	*out = bw_in ? bw_in : cap;
	return 0;
}

static int inst_check_queues(struct model *m, const struct model_itype *t, int64_t q)
{
	if (q == 0)
		return 0;
	if (q < 0)
		return merrf(m, MERR_INSTANCE_QUEUE_INVALID, "The queue number %lld is not valid.",
			     (long long)q);
	if (q > (int64_t)t->queues_max)
		return merrf(m, MERR_INSTANCE_QUEUE_EXCEEDED,
			     "The queue number %lld exceeds the maximum of %s (%u per NIC).",
			     (long long)q, t->name, t->queues_max);
	return 0;
}

/* What one RunInstances request resolves to before any instance is made. */
struct inst_plan {
	const struct model_itype *itype;
	const char *zone;
	json_t *vsw; /* NULL: classic */
	int64_t bw_in;
	int64_t expires;
	const char *charge, *internet_charge;
};

static int inst_plan_network(struct model *m, const struct instance_create_req *r,
			     struct inst_plan *p)
{
	const struct model_zone *zone = NULL;
	if (r->zone_id && model_need_zone(m, r->zone_id, &zone) < 0)
		return -1;
	if (r->vswitch_id) {
		if (r->inner_ip)
			return merrf(
			    m, MERR_INVALID_PARAMETER,
			    "InnerIpAddress is for classic instances; a VPC instance takes "
			    "PrivateIpAddress.");
		p->vsw = vswitch_need_available(m, r->vswitch_id);
		if (!p->vsw)
			return -1;
		if (zone && strcmp(zone->id, mj_str(p->vsw, "zone")) != 0)
			return merrf(m, MERR_INSTANCE_ZONE_MISMATCH,
				     "The vSwitch %s is in zone %s, not in the specified zone %s.",
				     r->vswitch_id, mj_str(p->vsw, "zone"), zone->id);
		p->zone = mj_str(p->vsw, "zone");
		/* NET-15 counts the instance's IPv6 over all its NICs, as
		 * AssignIpv6Addresses does later. */
		int64_t v6 = (int64_t)r->n_ipv6 + (r->ipv6_count > 0 ? r->ipv6_count : 0);
		for (size_t i = 0; i < r->n_nics; i++)
			v6 += (int64_t)r->nics[i].n_ipv6 +
			      (r->nics[i].ipv6_count > 0 ? r->nics[i].ipv6_count : 0);
		if (v6 > INSTANCE_IPV6_MAX)
			return merrf(m, MERR_INSTANCE_IPV6_COUNT,
				     "An instance can have at most %d IPv6 address over all its "
				     "network interfaces (NET-15); %lld were asked for.",
				     INSTANCE_IPV6_MAX, (long long)v6);
		return 0;
	}
	/* Classic network (NET-1), while the region offers it (NET-2). */
	if (!region_classic_offered(m, m->region)) {
		if (r->inner_ip)
			return merrf(m, MERR_INSTANCE_CLASSIC_DENIED,
				     "The classic network is no longer offered to new instances in "
				     "%s; InnerIpAddress cannot be used. Create a VPC instance.",
				     m->region->id);
		return merrf(m, MERR_INSTANCE_VSWITCH_NECESSARY,
			     "The VSwitchId is necessary: region %s no longer offers the classic "
			     "network to new instances.",
			     m->region->id);
	}
	if (r->private_ip)
		return merrf(m, MERR_INSTANCE_VSWITCH_NECESSARY,
			     "The VSwitchId is necessary with PrivateIpAddress (classic instances "
			     "take InnerIpAddress).");
	if (!zone)
		return merrf(m, MERR_MISSING_PARAMETER,
			     "ZoneId is mandatory for a classic network instance (no VSwitchId "
			     "given).");
	p->zone = zone->id;
	if (r->n_ipv6 > 0 || r->ipv6_count > 0)
		return merrf(m, MERR_INSTANCE_IPV6_CLASSIC,
			     "IPv6 addresses are supported only by VPC instances (NET-15).");
	if (r->n_nics > 0)
		return merrf(m, MERR_INSTANCE_NIC_PARAM,
			     "Classic network instances support no elastic network interfaces "
			     "(NET-20).");
	return sg_check_membership(m, r->sg_ids, r->n_sg, "", 1, NULL, NULL);
}

static int inst_plan(struct model *m, const struct instance_create_req *r, int64_t amount,
		     struct inst_plan *p)
{
	memset(p, 0, sizeof(*p));
	if (!m->region)
		return merrf(m, MERR_MISSING_PARAMETER, "RegionId is mandatory for this action.");
	if (amount < 1 || amount > INSTANCE_AMOUNT_MAX)
		return merrf(m, MERR_INVALID_PARAMETER, "Amount must be between 1 and %d.",
			     INSTANCE_AMOUNT_MAX);
	if (!r->itype || !*r->itype)
		return merrf(m, MERR_MISSING_PARAMETER,
			     "The input parameter InstanceType that is mandatory for processing "
			     "this request is not supplied.");
	p->itype = model_config_itype(m->cfg, r->itype);
	if (!p->itype)
		return merrf(m, MERR_EIP_INSTANCE_TYPE,
			     "The InstanceType %.64s is not offered (see DescribeInstanceTypes).",
			     r->itype);
	if (r->n_sg == 0)
		return merrf(m, MERR_MISSING_PARAMETER,
			     "The input parameter SecurityGroupId that is mandatory for processing "
			     "this request is not supplied.");
	if (!model_valid_name(r->name))
		return merr(m, MERR_INSTANCE_NAME);
	if (!inst_valid_hostname(r->hostname))
		return merrf(m, MERR_INSTANCE_HOSTNAME,
			     "HostName must be 2-64 letters, digits, '.' or '-', not starting or "
			     "ending with '.' or '-'.");
	if (r->description && *r->description && !model_valid_description(r->description))
		return merrf(m, MERR_ROUTE_ENTRY_DESCRIPTION,
			     "Description must be 2 to 256 characters and not start with http:// "
			     "or https://.");
	if (amount > 1 && (r->private_ip || r->inner_ip || r->n_ipv6 > 0))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "PrivateIpAddress, InnerIpAddress and Ipv6Address.N need Amount = 1.");
	p->internet_charge = r->internet_charge ? r->internet_charge : "PayByTraffic";
	if (!inst_in(p->internet_charge, inst_internet_charges))
		return merrf(m, MERR_INSTANCE_INTERNET_CHARGE,
			     "InternetChargeType %.32s is not valid (PayByTraffic or "
			     "PayByBandwidth).",
			     p->internet_charge);
	p->charge = r->charge ? r->charge : "PostPaid";
	if (!inst_in(p->charge, inst_charges))
		return merrf(m, MERR_INSTANCE_CHARGE_TYPE,
			     "InstanceChargeType %.32s is not valid (PostPaid or PrePaid).",
			     p->charge);
	if (strcmp(p->charge, "PrePaid") == 0) {
		if (r->period == 0)
			return merrf(m, MERR_MISSING_PARAMETER,
				     "Period is mandatory for a PrePaid instance.");
		if (inst_expiry(m, r->period, r->period_unit, &p->expires) < 0)
			return -1;
	}
	if (inst_check_bw_out(m, r->bw_out) < 0 ||
	    inst_check_bw_in(m, r->bw_out, r->bw_in, &p->bw_in) < 0)
		return -1;
	if (inst_check_queues(m, p->itype, r->queue_number) < 0)
		return -1;
	if (r->n_nics > 0 && !p->itype->io_optimized)
		return merrf(m, MERR_INSTANCE_ENI_NOT_SUPPORTED,
			     "%s is not I/O-optimized and takes no secondary network interfaces "
			     "(NET-14, NET-20).",
			     p->itype->name);
	if (1 + r->n_nics > p->itype->eni_max)
		return merrf(m, MERR_INSTANCE_ENI_LIMIT,
			     "%s takes at most %u network interfaces including the primary one.",
			     p->itype->name, p->itype->eni_max);
	for (size_t i = 0; i < r->n_nics; i++)
		if (inst_check_queues(m, p->itype, r->nics[i].queue_number) < 0)
			return -1;
	int64_t n;
	if (m_count(m, "i", NULL, NULL, &n) < 0)
		return -1;
	if (n + amount > m_quota(m, MODEL_QUOTA_INSTANCE))
		return merrf(
		    m, MERR_INSTANCE_QUOTA,
		    "This account may have %lld instances in %s; it has %lld and asked for "
		    "%lld more.",
		    (long long)m_quota(m, MODEL_QUOTA_INSTANCE), m->region->id, (long long)n,
		    (long long)amount);
	return inst_plan_network(m, r, p);
}

/* Secondary ENIs created with the instance (NET-18): same VPC and zone,
 * attached at once, released with the instance (delete_on_release). */
static int inst_create_nics(struct model *m, const struct instance_create_req *r, json_t *inst)
{
	for (size_t i = 0; i < r->n_nics; i++) {
		const struct instance_nic_req *nic = &r->nics[i];
		const char *vsw_id = nic->vswitch_id ? nic->vswitch_id : r->vswitch_id;
		json_t *vsw = vswitch_need_available(m, vsw_id);
		if (!vsw)
			return -1;
		bool same = strcmp(mj_str(vsw, "vpc_id"), mj_str(inst, "vpc_id")) == 0 &&
			    strcmp(mj_str(vsw, "zone"), mj_str(inst, "zone")) == 0;
		json_decref(vsw);
		if (!same)
			return merrf(
			    m, MERR_INSTANCE_NIC_PARAM,
			    "NetworkInterface.%zu.VSwitchId %s is not in the instance's VPC "
			    "and zone.",
			    i + 1, vsw_id);
		struct eni_create_req q = {
		    .vswitch_id = vsw_id,
		    .primary_ip = nic->primary_ip,
		    .sg_ids = nic->n_sg ? nic->sg_ids : r->sg_ids,
		    .n_sg = nic->n_sg ? nic->n_sg : r->n_sg,
		    .name = nic->name,
		    .description = nic->description,
		    .queue_number = nic->queue_number,
		    .ipv6_count = nic->ipv6_count,
		    .ipv6s = nic->ipv6s,
		    .n_ipv6 = nic->n_ipv6,
		    .secondary_count = nic->secondary_count,
		};
		json_t *eni = NULL;
		if (eni_create(m, &q, &eni) < 0)
			return -1;
		/* Attached at creation (eni_attach wants a Running or Stopped
		 * instance; this one is Pending): the data plane plugs it in with
		 * the instance, Attaching -> InUse (G-6). */
		mj_set_str(eni, "instance_id", mj_str(inst, "id"));
		mj_set_int(eni, "device_index", (int64_t)i + 1);
		mj_set_bool(eni, "delete_on_release", true);
		settle_begin(eni, "Attaching", "InUse");
		int rc = m_put(m, eni);
		json_decref(eni);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static json_t *inst_new(struct model *m, const struct instance_create_req *r,
			const struct inst_plan *p)
{
	json_t *inst = model_new_resource(m, "i", NULL);
	const char *id = mj_str(inst, "id");
	settle_begin(inst, "Pending", r->start ? "Running" : "Stopped");
	mj_set_str(inst, "zone", p->zone);
	mj_set_str(inst, "itype", p->itype->name);
	mj_set_str(inst, "name", r->name && *r->name ? r->name : id);
	char host[RANDID_MAX + 4];
	snprintf(host, sizeof(host), "iZ%sZ", id + 2);
	mj_set_str(inst, "hostname", r->hostname && *r->hostname ? r->hostname : host);
	mj_set_str(inst, "description", r->description);
	mj_set_str(inst, "image_id", r->image_id);
	mj_set_str(inst, "charge", p->charge);
	mj_set_int(inst, "expires", p->expires);
	mj_set_str(inst, "internet_charge", p->internet_charge);
	mj_set_int(inst, "bw_out", r->bw_out);
	mj_set_int(inst, "bw_in", p->bw_in);
	mj_set_int(inst, "bw_in_req", r->bw_in);
	mj_set_str(inst, "public_ip", "");
	mj_set_int(inst, "public_ip_changes", 0);
	mj_set_str(inst, "eip_id", "");
	mj_set_str(inst, "eip_ip", "");
	mj_set_str(inst, "classiclink_vpc_id", "");
	mj_set_bool(inst, "pending_type_change", false);
	mj_set_int(inst, "queue_number", r->queue_number ? r->queue_number : 1);
	json_object_set_new(inst, "tags", r->tags ? json_deep_copy(r->tags) : json_array());
	return inst;
}

static int inst_create_one(struct model *m, const struct instance_create_req *r,
			   const struct inst_plan *p, json_t **out)
{
	json_t *inst = inst_new(m, r, p);
	const char *id = mj_str(inst, "id");
	uint64_t owner = (uint64_t)mj_int(inst, "owner");
	char ip[NETADDR_STRLEN];
	int rc = -1;
	if (p->vsw) {
		mj_set_str(inst, "network", INSTANCE_NETWORK_VPC);
		mj_set_str(inst, "vpc_id", mj_str(p->vsw, "vpc_id"));
		mj_set_str(inst, "vswitch_id", mj_str(p->vsw, "id"));
		mj_set_str(inst, "parent", mj_str(p->vsw, "id"));
		mj_set_str(inst, "private_ip", "");
		mj_set_str(inst, "primary_eni", "");
		mj_set_bool(inst, "no_broadcast", false);
		if (m_create(m, inst) < 0)
			goto out;
		struct eni_create_req q = {
		    .vswitch_id = mj_str(p->vsw, "id"),
		    .primary_ip = r->private_ip,
		    .sg_ids = r->sg_ids,
		    .n_sg = r->n_sg,
		    .ipv6s = r->ipv6s,
		    .n_ipv6 = r->n_ipv6,
		    .ipv6_count = r->ipv6_count,
		    .queue_number = r->queue_number,
		    .instance = inst,
		};
		json_t *eni = NULL;
		if (eni_create(m, &q, &eni) < 0)
			goto out;
		mj_set_str(inst, "primary_eni", mj_str(eni, "id"));
		mj_set_str(inst, "private_ip", mj_str(eni, "primary_ip"));
		json_decref(eni);
		if (inst_create_nics(m, r, inst) < 0)
			goto out;
	} else {
		char mac[32];
		mj_set_str(inst, "network", INSTANCE_NETWORK_CLASSIC);
		mj_set_str(inst, "vpc_id", "");
		mj_set_str(inst, "vswitch_id", "");
		mj_set_str(inst, "primary_eni", "");
		json_t *sgs = json_array();
		for (size_t i = 0; i < r->n_sg; i++)
			json_array_append_new(sgs, json_string(r->sg_ids[i]));
		json_object_set_new(inst, "security_group_ids", sgs);
		inst_classic_mac(id, mac, sizeof(mac));
		mj_set_str(inst, "mac", mac);
		mj_set_bool(inst, "no_broadcast", true); /* NET-10 */
		if (m_create(m, inst) < 0 || inst_claim_classic_ip(m, inst, r->inner_ip) < 0)
			goto out;
	}
	/* NET-5, NET-9: bandwidth bought at creation brings a public IP: at once
	 * for RunInstances, through AllocatePublicIpAddress for CreateInstance. */
	if (r->bw_out > 0 && r->defer_public_ip) {
		mj_set_bool(inst, "public_ip_entitled", true);
	} else if (r->bw_out > 0) {
		if (pubip_alloc(m, owner, id, ip) < 0)
			goto out;
		mj_set_str(inst, "public_ip", ip);
	}
	rc = m_put(m, inst);
out:
	if (rc == 0 && out)
		*out = json_incref(inst);
	json_decref(inst);
	return rc;
}

int instance_create(struct model *m, const struct instance_create_req *r, int64_t amount,
		    json_t **ids)
{
	struct inst_plan p;
	int rc = inst_plan(m, r, amount, &p);
	json_t *arr = json_array();
	for (int64_t i = 0; rc == 0 && i < amount; i++) {
		json_t *inst = NULL;
		rc = inst_create_one(m, r, &p, &inst);
		if (rc == 0)
			json_array_append_new(arr, json_string(mj_str(inst, "id")));
		json_decref(inst);
	}
	json_decref(p.vsw);
	if (rc == 0 && ids)
		*ids = json_incref(arr);
	json_decref(arr);
	return rc;
}

/* --- life cycle ---------------------------------------------------------------- */

static int inst_transition(struct model *m, const char *id, const char *from, const char *via,
			   const char *to)
{
	json_t *inst = inst_load(m, id);
	if (!inst)
		return -1;
	int rc;
	if (!inst_status_is(inst, from)) {
		rc = inst_status_err(m, inst, from);
	} else {
		settle_begin(inst, via, to);
		rc = m_put(m, inst);
	}
	json_decref(inst);
	return rc;
}

static int inst_give_public_ip(struct model *m, json_t *inst, char *ip);
static bool inst_has_public(const json_t *inst);

/* NET-5a: an instance stopped with StopCharging gets a NatPublicIp again
 * when it starts (the address may differ). */
int instance_start(struct model *m, const char *id)
{
	json_t *inst = inst_load(m, id);
	if (!inst)
		return -1;
	int rc = -1;
	if (!inst_status_is(inst, "Stopped")) {
		inst_status_err(m, inst, "Stopped");
		goto out;
	}
	/* Not when an EIP was bound meanwhile (one public IPv4, invariant 3) or
	 * the bandwidth went to 0 (NET-6). */
	if (mj_bool(inst, "public_ip_on_start") && !inst_has_public(inst) &&
	    mj_int(inst, "bw_out") > 0 && inst_give_public_ip(m, inst, NULL) < 0)
		goto out;
	json_object_del(inst, "public_ip_on_start");
	json_object_del(inst, "stopped_mode");
	settle_begin(inst, "Starting", "Running");
	rc = m_put(m, inst);
out:
	json_decref(inst);
	return rc;
}

int instance_stop(struct model *m, const char *id)
{
	return instance_stop_mode(m, id, NULL);
}

int instance_stop_mode(struct model *m, const char *id, const char *mode)
{
	json_t *inst = inst_load(m, id);
	if (!inst)
		return -1;
	int rc = -1;
	bool stop_charging = mode && strcmp(mode, INSTANCE_STOP_CHARGING) == 0;
	if (mode && !stop_charging && strcmp(mode, INSTANCE_KEEP_CHARGING) != 0) {
		merrf(m, MERR_INVALID_PARAMETER,
		      "StoppedMode must be " INSTANCE_STOP_CHARGING " or " INSTANCE_KEEP_CHARGING
		      ".");
		goto out;
	}
	if (!inst_status_is(inst, "Running")) {
		inst_status_err(m, inst, "Running");
		goto out;
	}
	if (stop_charging &&
	    (!instance_is_vpc(inst) || strcmp(mj_str(inst, "charge"), "PostPaid") != 0)) {
		merrf(m, MERR_INSTANCE_DENIED,
		      "StoppedMode=" INSTANCE_STOP_CHARGING " applies to pay-as-you-go VPC "
		      "instances; %s is %s in the %s network (NET-5a).",
		      id, mj_str(inst, "charge"), mj_str(inst, "network"));
		goto out;
	}
	/* The NatPublicIp goes when the data plane has stopped the instance
	 * (settle_hook_instance), like every address release (invariant 5). */
	mj_set_str(inst, "stopped_mode",
		   stop_charging ? INSTANCE_STOP_CHARGING : INSTANCE_KEEP_CHARGING);
	settle_begin(inst, "Stopping", "Stopped");
	rc = m_put(m, inst);
out:
	json_decref(inst);
	return rc;
}

int instance_reboot(struct model *m, const char *id)
{
	return inst_transition(m, id, "Running", "Starting", "Running");
}

int instance_delete(struct model *m, const char *id, bool force, bool terminate_subscription)
{
	json_t *inst = inst_load(m, id);
	if (!inst)
		return -1;
	int rc = -1;
	if (inst_status_is(inst, "Running") && !force) {
		merrf(m, MERR_INSTANCE_STATUS,
		      "The instance %s is Running; stop it first or set Force=true.", id);
		goto out;
	}
	if (!inst_status_is(inst, "Running") && !inst_status_is(inst, "Stopped")) {
		inst_status_err(m, inst, "Stopped (or Running with Force=true)");
		goto out;
	}
	/* Routes may name the instance or one of the NICs that go with it. */
	if (route_refuse_if_next_hop(m, id) < 0)
		goto out;
	json_t *nics = eni_list_for_instance(m, id);
	size_t ni;
	json_t *nic;
	int nic_rc = 0;
	json_array_foreach(nics, ni, nic)
	{
		if (nic_rc == 0 && mj_bool(nic, "delete_on_release"))
			nic_rc = route_refuse_if_next_hop(m, mj_str(nic, "id"));
	}
	json_decref(nics);
	if (nic_rc < 0)
		goto out;
	if (strcmp(mj_str(inst, "charge"), "PrePaid") == 0 && mj_int(inst, "expires") > m->now &&
	    !terminate_subscription) {
		merrf(m, MERR_INSTANCE_CHARGE_VIOLATION,
		      "The PrePaid instance %s has not expired; set TerminateSubscription=true to "
		      "release it early.",
		      id);
		goto out;
	}
	settle_begin(inst, "Deleting", SETTLE_DELETED);
	rc = m_put(m, inst);
out:
	json_decref(inst);
	return rc;
}

/* Releases everything a deleted instance held (invariant 5), then the
 * instance.  Runs as the system: acts as the owner in the instance's region
 * so the other areas' functions find the owner's resources. */
static int inst_release_all(struct model *m, json_t *inst)
{
	uint64_t saved_caller = m->caller;
	const struct model_region *saved_region = m->region;
	m->caller = (uint64_t)mj_int(inst, "owner");
	m->region = model_config_region(m->cfg, mj_str(inst, "region"));
	int rc = 0;
	rc = eip_unbind_from(m, inst); /* NET-7: the EIP survives */
	if (rc == 0 && instance_is_vpc(inst))
		rc = eni_release_instance(m, inst); /* NET-21 */
	if (rc == 0)
		rc = pubip_release(m, mj_str(inst, "region"), mj_str(inst, "public_ip"));
	if (rc == 0 && !instance_is_vpc(inst))
		rc = inst_release_classic_ip(m, inst);
	if (rc == 0)
		rc = m_del(m, inst);
	m->caller = saved_caller;
	m->region = saved_region;
	return rc;
}

int settle_hook_instance(struct model *m, json_t *res, const char *final)
{
	if (strcmp(final, SETTLE_DELETED) == 0)
		return inst_release_all(m, res);
	if (strcmp(final, "Stopped") == 0 &&
	    strcmp(mj_str(res, "stopped_mode"), INSTANCE_STOP_CHARGING) == 0 &&
	    mj_str(res, "public_ip")[0]) {
		/* NET-5a: the NatPublicIp is released for the stop. */
		if (pubip_release(m, mj_str(res, "region"), mj_str(res, "public_ip")) < 0)
			return -1;
		mj_set_str(res, "public_ip", "");
		mj_set_bool(res, "public_ip_on_start", true);
	}
	mj_set_str(res, "status", final);
	return m_put(m, res);
}

/* --- NET-4: moving a VPC instance ------------------------------------------------ */

int instance_modify_vpc(struct model *m, const char *id, const char *vswitch_id, const char *vpc_id,
			const char *ip)
{
	json_t *inst = inst_load(m, id);
	if (!inst)
		return -1;
	int rc = -1;
	json_t *vsw = NULL, *eni = NULL;
	if (!instance_is_vpc(inst)) {
		merrf(m, MERR_INSTANCE_DENIED,
		      "The instance %s is in the classic network: its internal IP never changes "
		      "(NET-9).",
		      id);
		goto out;
	}
	if (!inst_status_is(inst, "Stopped")) {
		inst_status_err(m, inst, "Stopped (NET-4)");
		goto out;
	}
	if (vpc_id && strcmp(vpc_id, mj_str(inst, "vpc_id")) != 0) {
		merrf(m, MERR_INSTANCE_VSWITCH_MISMATCH,
		      "The instance is in VPC %s; moving it to VPC %.64s is not supported.",
		      mj_str(inst, "vpc_id"), vpc_id);
		goto out;
	}
	vsw = vswitch_need_available(m, vswitch_id);
	if (!vsw)
		goto out;
	if (strcmp(mj_str(vsw, "vpc_id"), mj_str(inst, "vpc_id")) != 0 ||
	    strcmp(mj_str(vsw, "zone"), mj_str(inst, "zone")) != 0) {
		merrf(m, MERR_INSTANCE_VSWITCH_MISMATCH,
		      "The vSwitch %s must be in the instance's VPC %s and zone %s (NET-4).",
		      vswitch_id, mj_str(inst, "vpc_id"), mj_str(inst, "zone"));
		goto out;
	}
	if (eni_move_primary(m, inst, vswitch_id, ip) < 0)
		goto out;
	eni = eni_primary_of(m, inst);
	if (!eni)
		goto out;
	mj_set_str(inst, "vswitch_id", vswitch_id);
	mj_set_str(inst, "parent", vswitch_id);
	mj_set_str(inst, "private_ip", mj_str(eni, "primary_ip"));
	rc = m_put(m, inst);
out:
	json_decref(eni);
	json_decref(vsw);
	json_decref(inst);
	return rc;
}

/* --- public IPs ------------------------------------------------------------------ */

static int inst_give_public_ip(struct model *m, json_t *inst, char *ip)
{
	char buf[NETADDR_STRLEN];
	if (pubip_alloc(m, (uint64_t)mj_int(inst, "owner"), mj_str(inst, "id"), buf) < 0)
		return -1;
	mj_set_str(inst, "public_ip", buf);
	json_object_del(inst, "public_ip_entitled");
	if (ip)
		snprintf(ip, NETADDR_STRLEN, "%s", buf);
	return 0;
}

static bool inst_has_public(const json_t *inst)
{
	return mj_str(inst, "public_ip")[0] || mj_str(inst, "eip_id")[0];
}

/* NET-5, NET-9: after its creation only a subscription instance can get a
 * public IP, or one created by CreateInstance with bandwidth, whose address
 * AllocatePublicIpAddress hands out (public_ip_entitled). */
static bool inst_may_get_public_ip(const json_t *inst)
{
	return strcmp(mj_str(inst, "charge"), "PrePaid") == 0 ||
	       mj_bool(inst, "public_ip_entitled");
}

static int inst_deny_public_ip(struct model *m, const json_t *inst)
{
	if (instance_is_vpc(inst))
		return merrf(m, MERR_INSTANCE_DENIED,
			     "A pay-as-you-go instance created without a public IP never gets a "
			     "NatPublicIp later (NET-5); bind an EIP to %s instead.",
			     mj_str(inst, "id"));
	return merrf(m, MERR_INSTANCE_DENIED,
		     "A pay-as-you-go classic instance created without a public IP can never "
		     "get one (NET-9).");
}

int instance_modify_netspec(struct model *m, const struct instance_netspec_req *r)
{
	json_t *inst = inst_load(m, r->id);
	if (!inst)
		return -1;
	int rc = -1;
	bool prepaid = strcmp(mj_str(inst, "charge"), "PrePaid") == 0;
	int64_t bw_out = r->bw_out >= 0 ? r->bw_out : mj_int(inst, "bw_out");
	int64_t bw_in_req = mj_int(inst, "bw_in_req");
	int64_t bw_in = 0;
	if (instance_need_running_or_stopped(m, inst) < 0)
		goto out;
	if (inst_check_bw_out(m, bw_out) < 0)
		goto out;
	if (r->bw_in >= 0) {
		if (inst_check_bw_in(m, bw_out, r->bw_in, &bw_in) < 0)
			goto out;
		bw_in_req = r->bw_in;
	} else {
		/* An earlier explicit value the new cap no longer allows falls back to the cap. */
		if (bw_in_req > instance_bw_in_cap(bw_out))
			bw_in_req = 0;
		bw_in = bw_in_req ? bw_in_req : instance_bw_in_cap(bw_out);
	}
	if (r->internet_charge) {
		if (!inst_in(r->internet_charge, inst_internet_charges)) {
			merrf(m, MERR_INSTANCE_INTERNET_CHARGE,
			      "NetworkChargeType %.32s is not valid (PayByTraffic or "
			      "PayByBandwidth).",
			      r->internet_charge);
			goto out;
		}
		mj_set_str(inst, "internet_charge", r->internet_charge);
	}
	bool has_ip = mj_str(inst, "public_ip")[0] != '\0';
	if (instance_is_vpc(inst)) {
		if (bw_out == 0 && has_ip && !mj_int(inst, "public_ip_release_at")) {
			/* NET-6: released at once (PostPaid) or when the period ends. */
			if (prepaid) {
				mj_set_int(inst, "public_ip_release_at", mj_int(inst, "expires"));
				if (inst_release_index(m, inst, true) < 0)
					goto out;
			} else {
				if (pubip_release(m, mj_str(inst, "region"),
						  mj_str(inst, "public_ip")) < 0)
					goto out;
				mj_set_str(inst, "public_ip", "");
			}
		} else if (bw_out > 0 && mj_int(inst, "public_ip_release_at")) {
			json_object_del(inst, "public_ip_release_at"); /* bought again: kept */
			if (inst_release_index(m, inst, false) < 0)
				goto out;
		}
		/* NET-5: a subscription instance gets a NatPublicIp by raising its
		 * bandwidth above 0; a pay-as-you-go one never gets one after its
		 * creation (an EIP gives it internet access). */
		bool wants = r->allocate_public_ip || (prepaid && bw_out > 0);
		if (wants && !inst_has_public(inst) && !mj_int(inst, "public_ip_release_at")) {
			if (bw_out == 0) {
				merrf(m, MERR_INSTANCE_ALLOC_BANDWIDTH,
				      "AllocatePublicIp needs InternetMaxBandwidthOut above 0.");
				goto out;
			}
			if (!inst_may_get_public_ip(inst)) {
				inst_deny_public_ip(m, inst);
				goto out;
			}
			if (inst_give_public_ip(m, inst, NULL) < 0)
				goto out;
		}
	} else if (bw_out > 0 && !has_ip) {
		/* NET-9: only a PrePaid classic instance gets a public IP later. */
		if (!inst_may_get_public_ip(inst)) {
			merrf(m, MERR_INSTANCE_DENIED,
			      "A pay-as-you-go classic instance created without a public IP can "
			      "never get one (NET-9); its bandwidth cannot be raised above 0.");
			goto out;
		}
		if (inst_give_public_ip(m, inst, NULL) < 0)
			goto out;
	}
	/* NET-9: a classic public IP stays even at bandwidth 0 (no internet then). */
	mj_set_int(inst, "bw_out", bw_out);
	mj_set_int(inst, "bw_in", bw_in);
	mj_set_int(inst, "bw_in_req", bw_in_req);
	rc = m_put(m, inst);
out:
	json_decref(inst);
	return rc;
}

int instance_allocate_public_ip(struct model *m, const char *id, char *ip)
{
	json_t *inst = inst_load(m, id);
	if (!inst)
		return -1;
	int rc = -1;
	if (instance_need_running_or_stopped(m, inst) < 0)
		goto out;
	if (mj_str(inst, "public_ip")[0]) {
		/* NET-5: the address already held is the answer (docker-machine's
		 * driver calls this after CreateInstance and on every retry). */
		snprintf(ip, NETADDR_STRLEN, "%s", mj_str(inst, "public_ip"));
		rc = 0;
		goto out;
	}
	if (inst_has_public(inst)) {
		merrf(m, MERR_INSTANCE_ALLOCATED_ALREADY,
		      "The instance %s already has the EIP %s (NET-5: at most one public IP).", id,
		      mj_str(inst, "eip_ip"));
		goto out;
	}
	if (mj_int(inst, "bw_out") == 0) {
		merrf(m, MERR_INSTANCE_ALLOC_BANDWIDTH,
		      "The instance %s has InternetMaxBandwidthOut 0; raise it with "
		      "ModifyInstanceNetworkSpec first.",
		      id);
		goto out;
	}
	if (!inst_may_get_public_ip(inst)) {
		inst_deny_public_ip(m, inst);
		goto out;
	}
	if (inst_give_public_ip(m, inst, ip) < 0)
		goto out;
	rc = m_put(m, inst);
out:
	json_decref(inst);
	return rc;
}

int instance_convert_to_eip(struct model *m, const char *id, json_t **eip)
{
	json_t *inst = inst_load(m, id);
	if (!inst)
		return -1;
	int rc = -1;
	uint64_t owner = (uint64_t)mj_int(inst, "owner");
	bool prepaid = strcmp(mj_str(inst, "charge"), "PrePaid") == 0;
	if (!instance_is_vpc(inst)) {
		merrf(
		    m, MERR_INSTANCE_DENIED,
		    "The instance %s is in the classic network; only a VPC instance's NatPublicIp "
		    "can become an EIP (NET-12).",
		    id);
		goto out;
	}
	if (instance_need_running_or_stopped(m, inst) < 0)
		goto out;
	if (!mj_str(inst, "public_ip")[0]) {
		merrf(m, MERR_INSTANCE_DENIED, "The instance %s has no NatPublicIp to convert.",
		      id);
		goto out;
	}
	if (mj_int(inst, "public_ip_release_at")) {
		merrf(m, MERR_INSTANCE_DENIED,
		      "The NatPublicIp of %s is being released at the end of its billing period "
		      "(bandwidth 0); raise the bandwidth first.",
		      id);
		goto out;
	}
	if (prepaid && mj_int(inst, "expires") <= m->now) {
		merrf(m, MERR_INSTANCE_OVERDUE, "The PrePaid instance %s has expired.", id);
		goto out;
	}
	if (prepaid && mj_int(inst, "expires") - m->now < m->cfg->timing.expiry_guard) {
		merrf(m, MERR_INSTANCE_END_TIME,
		      "The PrePaid instance %s expires within %lld hours; renew it first (NET-12).",
		      id, (long long)(m->cfg->timing.expiry_guard / 3600));
		goto out;
	}
	if (!prepaid && account_in_arrears(m, owner)) {
		merrf(m, MERR_INSTANCE_NO_BALANCE,
		      "The account is in arrears; a pay-as-you-go NatPublicIp cannot be converted "
		      "until it is settled (NET-12).");
		goto out;
	}
	if (strcmp(mj_str(inst, "internet_charge"), "PayByTraffic") != 0) {
		merrf(m, MERR_INSTANCE_CONVERT_CHARGE,
		      "The public bandwidth of %s is billed by bandwidth; only PayByTraffic can be "
		      "converted to an EIP (NET-12).",
		      id);
		goto out;
	}
	if (mj_bool(inst, "pending_type_change")) {
		merr(m, MERR_INSTANCE_PLANNED_CHANGE);
		goto out;
	}
	int64_t n;
	if (m_count(m, "eip", NULL, NULL, &n) < 0)
		goto out;
	if (n >= m_quota(m, MODEL_QUOTA_EIP)) {
		merrf(m, MERR_INSTANCE_EIP_QUOTA,
		      "The account already has %lld EIPs in this region, its quota.", (long long)n);
		goto out;
	}
	if (eip_adopt_nat_ip(m, inst, eip) < 0)
		goto out;
	/* The bandwidth now belongs to the EIP: the instance's own is 0. */
	int64_t bw_in_req = mj_int(inst, "bw_in_req");
	if (bw_in_req > instance_bw_in_cap(0))
		bw_in_req = 0;
	mj_set_int(inst, "bw_out", 0);
	mj_set_int(inst, "bw_in_req", bw_in_req);
	mj_set_int(inst, "bw_in", bw_in_req ? bw_in_req : instance_bw_in_cap(0));
	rc = m_put(m, inst);
out:
	json_decref(inst);
	return rc;
}

int instance_replace_public_ip(struct model *m, const char *id, char *ip)
{
	json_t *inst = inst_load(m, id);
	if (!inst)
		return -1;
	int rc = -1;
	char old[NETADDR_STRLEN];
	int64_t max = m_quota(m, MODEL_QUOTA_IP_CHANGES);
	snprintf(old, sizeof(old), "%s", mj_str(inst, "public_ip"));
	if (!old[0]) {
		merrf(m, MERR_INSTANCE_DENIED,
		      "The instance %s has no public IP to change (NET-11).", id);
		goto out;
	}
	if (!inst_status_is(inst, "Stopped")) {
		inst_status_err(m, inst, "Stopped (NET-11)");
		goto out;
	}
	if (m->now - mj_int(inst, "created") > m->cfg->timing.ip_change_window) {
		if (instance_is_vpc(inst))
			merrf(
			    m, MERR_INSTANCE_IP_CHANGE_WINDOW,
			    "The public IP can be changed only within %lld hours of creation. A "
			    "VPC "
			    "instance can still change it by converting the NatPublicIp to an EIP "
			    "(ConvertNatPublicIpToEip, NET-12).",
			    (long long)(m->cfg->timing.ip_change_window / 3600));
		else
			merrf(m, MERR_INSTANCE_IP_CHANGE_WINDOW,
			      "The public IP can be changed only within %lld hours of creation; a "
			      "classic instance's public IP can no longer be changed (NET-9, "
			      "NET-11).",
			      (long long)(m->cfg->timing.ip_change_window / 3600));
		goto out;
	}
	if (mj_int(inst, "public_ip_changes") >= max) {
		merrf(m, MERR_INSTANCE_IP_CHANGE_QUOTA,
		      "The public IP of %s was already changed %lld times, the most allowed.", id,
		      (long long)max);
		goto out;
	}
	/* The new address is taken while the old one is still held, so they differ. */
	if (inst_give_public_ip(m, inst, ip) < 0 ||
	    pubip_release(m, mj_str(inst, "region"), old) < 0)
		goto out;
	mj_set_int(inst, "public_ip_changes", mj_int(inst, "public_ip_changes") + 1);
	rc = m_put(m, inst);
out:
	json_decref(inst);
	return rc;
}

json_t *instance_security_groups(struct model *m, const json_t *inst)
{
	if (!instance_is_vpc(inst)) {
		json_t *sgs = json_object_get(inst, "security_group_ids");
		return sgs ? json_deep_copy(sgs) : json_array();
	}
	json_t *eni = m_get_owned(m, (uint64_t)mj_int(inst, "owner"), mj_str(inst, "primary_eni"));
	json_t *sgs = eni ? json_object_get(eni, "security_group_ids") : NULL;
	json_t *copy = sgs ? json_deep_copy(sgs) : json_array();
	json_decref(eni);
	return copy;
}
