/*
 * act_eip: the elastic IP actions of VPC 2016-04-28 (AllocateEipAddress,
 * AssociateEipAddress, UnassociateEipAddress, ReleaseEipAddress,
 * DescribeEipAddresses, ModifyEipAddressAttribute), also answered under
 * ECS 2014-05-26 where the legacy ECS API has them.  Rules live in
 * model/eip.c; this file maps wire parameters to model calls and EIP
 * documents to the SDK's EipAddresses.EipAddress[] shape.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "model/eip.h"

/* Bandwidth is a string in the SDK; out-of-range numbers reach the model,
 * which says which limit applies to the EIP's billing. */
#define EIP_ARG_BW_MAX 1000000

/* Parameters of cloud features openvpc does not model: refused with a
 * clear message rather than ignored, since ignoring them would hand out
 * something other than what was asked for. */
static int eip_refuse_unsupported(struct api_req *r, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (arg_opt(r, names[i]))
			return merrf(r->m, MERR_INVALID_PARAMETER,
				     "The parameter %s is not supported by openvpc (see "
				     "docs/coverage/eip.md).",
				     names[i]);
	return 0;
}

static int act_allocate_eip(struct api_req *r)
{
	static const char *const unsupported[] = {"IpAddress", "InstanceId",
						  "PublicIpAddressPoolId", NULL};
	static const char *const ic[] = {"PayByBandwidth", "PayByTraffic", NULL};
	static const char *const charge[] = {"PostPaid", "PrePaid", NULL};
	static const char *const cycle[] = {"Month", "Year", NULL};
	struct eip_alloc_req q = {
	    .isp = arg_opt(r, "ISP"),
	    .name = arg_opt(r, "Name"),
	    .description = arg_opt(r, "Description"),
	};
	const char *netmode = arg_opt(r, "Netmode");
	if (eip_refuse_unsupported(r, unsupported) < 0)
		return -1;
	if (netmode && strcmp(netmode, "public") != 0)
		return merrf(r->m, MERR_INVALID_PARAMETER, "Netmode must be public.");
	if (arg_int(r, "Bandwidth", EIP_BW_DEFAULT, -EIP_ARG_BW_MAX, EIP_ARG_BW_MAX, &q.bandwidth) <
		0 ||
	    arg_enum(r, "InternetChargeType", ic, false, NULL, &q.internet_charge) < 0 ||
	    arg_enum(r, "InstanceChargeType", charge, false, NULL, &q.charge) < 0 ||
	    arg_enum(r, "PricingCycle", cycle, false, NULL, &q.pricing_cycle) < 0 ||
	    arg_int(r, "Period", 0, 1, 100, &q.period) < 0)
		return -1;
	if (arg_tags(r, &q.tags) < 0)
		return -1;
	json_t *eip = NULL;
	int rc = eip_allocate(r->m, &q, &eip);
	if (rc == 0) {
		jo_str(r->out, "AllocationId", mj_str(eip, "id"));
		jo_str(r->out, "EipAddress", mj_str(eip, "ip"));
		jo_str(r->out, "ResourceGroupId", "");
	}
	json_decref(eip);
	json_decref(q.tags);
	return rc;
}

static int act_associate_eip(struct api_req *r)
{
	struct eip_assoc_req q = {
	    .instance_type = arg_opt(r, "InstanceType"),
	    .private_ip = arg_opt(r, "PrivateIpAddress"),
	};
	if (arg_need(r, "AllocationId", &q.eip_id) < 0 ||
	    arg_need(r, "InstanceId", &q.instance_id) < 0)
		return -1;
	const char *mode = arg_opt(r, "Mode");
	if (mode && strcmp(mode, "NAT") != 0)
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "Mode %.32s is not supported: openvpc associates EIPs in NAT mode "
			     "(a 1:1 mapping onto the private address, NET-5).",
			     mode);
	return eip_associate(r->m, &q);
}

static int act_unassociate_eip(struct api_req *r)
{
	const char *id;
	bool force;
	if (arg_need(r, "AllocationId", &id) < 0 || arg_bool(r, "Force", false, &force) < 0)
		return -1;
	const char *pip = arg_opt(r, "PrivateIpAddress");
	if (pip) {
		json_t *eip = m_get(r->m, id);
		bool other = eip && strcmp(mj_str(eip, "private_ip"), pip) != 0;
		json_decref(eip);
		if (other)
			return merrf(r->m, MERR_EIP_BINDING,
				     "The eip binding status invalid: %s is not mapped to %.64s.",
				     id, pip);
	}
	return eip_unassociate(r->m, id, arg_opt(r, "InstanceId"), arg_opt(r, "InstanceType"));
}

static int act_release_eip(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "AllocationId", &id) < 0)
		return -1;
	return eip_release(r->m, id);
}

static int act_modify_eip(struct api_req *r)
{
	struct eip_modify_req q = {
	    .name = params_get(r->p, "Name"),
	    .description = params_get(r->p, "Description"),
	};
	if (arg_need(r, "AllocationId", &q.eip_id) < 0 ||
	    arg_int(r, "Bandwidth", -1, -EIP_ARG_BW_MAX, EIP_ARG_BW_MAX, &q.bandwidth) < 0)
		return -1;
	if (q.bandwidth < 0 && arg_opt(r, "Bandwidth"))
		q.bandwidth = 0; /* a given negative value is refused by the model, not ignored */
	return eip_modify(r->m, &q);
}

/* --- DescribeEipAddresses --------------------------------------------------- */

static json_t *eip_render(struct api_req *r, json_t *eip)
{
	json_t *o = json_object();
	char bw[24];
	bool bound = mj_str(eip, "instance_id")[0] != '\0';
	snprintf(bw, sizeof(bw), "%lld", (long long)mj_int(eip, "bandwidth"));
	jo_str(o, "AllocationId", mj_str(eip, "id"));
	jo_time(o, "AllocationTime", mj_int(eip, "created"), false);
	jo_str(o, "Bandwidth", bw);
	jo_str(o, "EipBandwidth", bw);
	jo_str(o, "BandwidthPackageBandwidth", "");
	jo_str(o, "BandwidthPackageId", "");
	jo_str(o, "BandwidthPackageType", "");
	jo_str(o, "BizType", "");
	jo_str(o, "BusinessStatus", "Normal");
	jo_str(o, "ChargeType", mj_str(eip, "charge"));
	jo_bool(o, "DeletionProtection", false);
	jo_str(o, "Description", mj_str(eip, "description"));
	if (mj_int(eip, "expires"))
		jo_time(o, "ExpiredTime", mj_int(eip, "expires"), false);
	else
		jo_str(o, "ExpiredTime", "");
	jo_str(o, "HDMonitorStatus", "OFF");
	jo_str(o, "HasReservationData", "false");
	jo_str(o, "ISP", mj_str(eip, "isp"));
	jo_str(o, "InstanceId", mj_str(eip, "instance_id"));
	jo_str(o, "InstanceRegionId", bound ? mj_str(eip, "region") : "");
	jo_str(o, "InstanceType", mj_str(eip, "instance_type"));
	jo_str(o, "InternetChargeType", mj_str(eip, "internet_charge"));
	jo_str(o, "IpAddress", mj_str(eip, "ip"));
	jo_str(o, "Mode", "NAT");
	jo_str(o, "Name", mj_str(eip, "name"));
	jo_str(o, "Netmode", "public");
	jo_wrap(o, "OperationLocks", "LockReason");
	jo_str(o, "PrivateIpAddress", mj_str(eip, "private_ip"));
	jo_str(o, "PublicIpAddressPoolId", "");
	jo_str(o, "RegionId", mj_str(eip, "region"));
	jo_str(o, "ReservationActiveTime", "");
	jo_str(o, "ReservationBandwidth", "");
	jo_str(o, "ReservationInternetChargeType", "");
	jo_str(o, "ReservationOrderType", "");
	jo_str(o, "ResourceGroupId", "");
	jo_bool(o, "SecondLimited", false);
	jo_wrap(o, "SecurityProtectionTypes", "SecurityProtectionType");
	jo_str(o, "SegmentInstanceId", "");
	jo_int(o, "ServiceID", 0);
	jo_int(o, "ServiceManaged", 0);
	jo_str(o, "Status", mj_str(eip, "status"));
	jo_tags(o, eip, false);
	jo_str(o, "VpcId", mj_str(eip, "vpc_id"));
	jo_str(o, "Zone", "");
	return o;
}

/* Removes the items whose field f is not one of the comma-listed values of k. */
static int eip_filter_in(struct api_req *r, json_t *items, const char *k, const char *f)
{
	char **vals = NULL;
	size_t n = 0;
	if (arg_comma_list(r, k, &vals, &n) < 0)
		return -1;
	if (n > 0)
		api_keep_values(items, f, (const char *const *)vals, n);
	params_free_strv(vals, n);
	return 0;
}

/* "2018-04-18T15:02Z" or "2018-04-18T15:02:37Z" into unix seconds. */
static bool eip_parse_time(const char *s, int64_t *out)
{
	return api_parse_utc(s, API_TIME_SECONDS | API_TIME_MINUTES, out);
}

/* Filter.N.Key/Value: CreationStartTime and CreationEndTime bound AllocationTime. */
static int eip_filter_times(struct api_req *r, json_t *items)
{
	unsigned n = params_max_index(r->p, "Filter");
	char kname[32], vname[32];
	for (unsigned i = 1; i <= n; i++) {
		snprintf(kname, sizeof(kname), "Filter.%u.Key", i);
		snprintf(vname, sizeof(vname), "Filter.%u.Value", i);
		const char *k = params_get(r->p, kname), *v = params_get(r->p, vname);
		if (!k)
			continue;
		bool start = strcmp(k, "CreationStartTime") == 0;
		if (!start && strcmp(k, "CreationEndTime") != 0)
			return merrf(r->m, MERR_EIP_FILTER_KEY,
				     "The specified Filter.%u.Key %.40s does not exist "
				     "(CreationStartTime, CreationEndTime).",
				     i, k);
		int64_t t;
		if (!v || !eip_parse_time(v, &t))
			return merrf(r->m, MERR_EIP_FILTER_VALUE,
				     "Filter.%u.Value must be a UTC time like 2018-04-18T15:02Z.",
				     i);
		for (size_t j = json_array_size(items); j-- > 0;) {
			int64_t c = mj_int(json_array_get(items, j), "created");
			if (start ? c < t : c > t)
				json_array_remove(items, j);
		}
	}
	return 0;
}

static bool eip_keep(struct api_req *r, json_t *eip)
{
	return api_match(r, eip, "Status", "status") &&
	       api_match(r, eip, "AssociatedInstanceType", "instance_type") &&
	       api_match(r, eip, "AssociatedInstanceId", "instance_id") &&
	       api_match(r, eip, "EipName", "name") && api_match(r, eip, "ChargeType", "charge") &&
	       api_match(r, eip, "ISP", "isp") && api_match_tags(r, eip);
}

#define EIP_MAX_IDS_FILTER 50

static int act_describe_eips(struct api_req *r)
{
	static const char *const charges[] = {"PostPaid", "PrePaid", NULL};
	static const char *const assoc[] = {"EcsInstance", "NetworkInterface", "SlbInstance", "Nat",
					    "HaVip",	   "IpAddress",	       NULL};
	static const char *const locks[] = {"financial", "security", "recycling", "unknown", NULL};
	const char *v;
	bool b;
	if ((v = arg_opt(r, "ChargeType")) &&
	    arg_enum(r, "ChargeType", charges, false, NULL, &v) < 0)
		return merrf(r->m, MERR_EIP_CHARGE_TYPE,
			     "The specified ChargeType %.32s is not supported (PostPaid, PrePaid).",
			     arg_opt(r, "ChargeType"));
	if ((v = arg_opt(r, "AssociatedInstanceType")) &&
	    arg_enum(r, "AssociatedInstanceType", assoc, false, NULL, &v) < 0)
		return merrf(r->m, MERR_EIP_ASSOC_TYPE,
			     "The specified AssociatedInstanceType %.32s is not supported.",
			     arg_opt(r, "AssociatedInstanceType"));
	if ((v = arg_opt(r, "LockReason")) && arg_enum(r, "LockReason", locks, false, NULL, &v) < 0)
		return merrf(r->m, MERR_EIP_LOCK_REASON,
			     "The specified LockReason %.32s does not exist (financial, security).",
			     arg_opt(r, "LockReason"));
	if (arg_bool(r, "IncludeReservationData", false, &b) < 0 ||
	    arg_bool(r, "SecurityProtectionEnabled", false, &b) < 0 ||
	    arg_bool(r, "ServiceManaged", false, &b) < 0)
		return -1;
	char **ids = NULL;
	size_t n = 0;
	if (arg_comma_list(r, "AllocationId", &ids, &n) < 0)
		return -1;
	params_free_strv(ids, n);
	if (n > EIP_MAX_IDS_FILTER)
		return merrf(r->m, MERR_INVALID_PARAMETER, "AllocationId lists at most %d ids.",
			     EIP_MAX_IDS_FILTER);
	json_t *items = m_list(r->m, "eip", NULL, NULL);
	if (!items)
		return -1;
	int rc = -1;
	if (eip_filter_in(r, items, "AllocationId", "id") < 0 ||
	    eip_filter_in(r, items, "EipAddress", "ip") < 0 || eip_filter_times(r, items) < 0)
		goto out;
	api_filter(r, items, eip_keep);
	/* Nothing openvpc holds is locked, pooled, segmented, managed or protected. */
	bool none = arg_opt(r, "LockReason") || arg_opt(r, "PublicIpAddressPoolId") ||
		    arg_opt(r, "SegmentInstanceId");
	if ((arg_bool(r, "ServiceManaged", false, &b) == 0 && b) ||
	    (arg_bool(r, "SecurityProtectionEnabled", false, &b) == 0 && b) ||
	    ((v = arg_opt(r, "ResourceGroupId")) && *v))
		none = true;
	if (none)
		json_array_clear(items);
	rc = api_page(r, items, "EipAddresses", "EipAddress", 100, eip_render);
out:
	json_decref(items);
	return rc;
}

const struct api_action api_actions_eip[] = {
    {API_VERSION_VPC, "AllocateEipAddress", act_allocate_eip, API_WRITE | API_REGION},
    {API_VERSION_VPC, "AssociateEipAddress", act_associate_eip, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "UnassociateEipAddress", act_unassociate_eip, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "ReleaseEipAddress", act_release_eip, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "ModifyEipAddressAttribute", act_modify_eip, API_WRITE | API_REGION_OPT},
    {API_VERSION_VPC, "DescribeEipAddresses", act_describe_eips, API_REGION},
    /* ECS 2014-05-26 keeps the same six actions with a subset of the
     * parameters and response fields; they drive the same EIPs. */
    {API_VERSION_ECS, "AllocateEipAddress", act_allocate_eip, API_WRITE | API_REGION},
    {API_VERSION_ECS, "AssociateEipAddress", act_associate_eip, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "UnassociateEipAddress", act_unassociate_eip, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "ReleaseEipAddress", act_release_eip, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "ModifyEipAddressAttribute", act_modify_eip, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "DescribeEipAddresses", act_describe_eips, API_REGION},
    {0},
};
