/*
 * act_instance: the ECS 2014-05-26 instance actions as the network sees
 * them (RunInstances, CreateInstance, Start/Stop/Reboot/DeleteInstance(s),
 * DescribeInstances, DescribeInstanceAttribute, DescribeInstanceStatus,
 * ModifyInstanceVpcAttribute, ModifyInstanceNetworkSpec,
 * AllocatePublicIpAddress, ConvertNatPublicIpToEip), openvpc's
 * ReplaceInstancePublicIp (the console's "change public IP", NET-11) and
 * the operator's ExportPublicTraffic (NET-29).  Rules live in
 * model/instance.c and model/traffic.c; this file maps wire parameters to
 * model calls and instances to the SDK's response shapes.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "model/eni.h"
#include "model/instance.h"
#include "model/settle.h"
#include "model/traffic.h"

/* What DescribeInstances answers as ExpiredTime of a pay-as-you-go instance. */
#define INST_NEVER_EXPIRES "2099-12-31T15:59Z"
#define INST_MAX_IDS 100
#define INST_PAGE_MAX 100
#define INST_ARG_WIDE 1000000000 /* wide bounds: the model gives the specific error */
#define INST_NIC_MAX 8

/* --- creation -------------------------------------------------------------- */

/* The strings of the SecurityGroupIds.N list, or else of SecurityGroupId. */
static int inst_arg_groups(struct api_req *r, const char *list_name, const char *one_name,
			   const char ***out, size_t *n)
{
	if (arg_list(r, list_name, out, n) < 0)
		return -1;
	if (*n == 0) {
		const char *one = arg_opt(r, one_name);
		if (one) {
			free(*out);
			*out = malloc(sizeof(**out));
			if (!*out)
				return merr(r->m, MERR_INTERNAL);
			(*out)[0] = one;
			*n = 1;
		}
	}
	return 0;
}

struct inst_create_args {
	struct instance_create_req q;
	const char **sgs;
	const char **ipv6s;
	struct instance_nic_req nics[INST_NIC_MAX];
	const char **nic_sgs[INST_NIC_MAX];
	const char **nic_ipv6s[INST_NIC_MAX];
	int64_t amount;
};

static void inst_create_args_free(struct inst_create_args *a)
{
	free(a->sgs);
	free(a->ipv6s);
	for (size_t i = 0; i < INST_NIC_MAX; i++) {
		free(a->nic_sgs[i]);
		free(a->nic_ipv6s[i]);
	}
	json_decref(a->q.tags);
}

/* NetworkInterface.N.<field> that RunInstances implements; any other is
 * refused rather than ignored. */
static bool inst_nic_field_known(const char *f)
{
	static const char *const plain[] = {
	    "InstanceType",	"SecurityGroupId",	"VSwitchId",
	    "PrimaryIpAddress", "NetworkInterfaceName", "Description",
	    "QueueNumber",	"Ipv6AddressCount",	"SecondaryPrivateIpAddressCount",
	};
	static const char *const listed[] = {"SecurityGroupIds.", "Ipv6Address."};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(f, plain[i]) == 0)
			return true;
	for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
		if (strncmp(f, listed[i], strlen(listed[i])) == 0)
			return true;
	return false;
}

static int inst_check_nic_fields(struct api_req *r)
{
	static const char pre[] = "NetworkInterface.";
	for (size_t i = 0; i < r->p->n; i++) {
		const char *k = r->p->kv[i].k;
		if (strncmp(k, pre, sizeof(pre) - 1) != 0)
			continue;
		const char *f = k + sizeof(pre) - 1;
		while (*f >= '0' && *f <= '9')
			f++;
		if (*f == '.' && inst_nic_field_known(f + 1))
			continue;
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "The parameter %.96s is not supported by openvpc's RunInstances.", k);
	}
	return 0;
}

/* NetworkInterface.N.*: secondary ENIs, or (InstanceType=Primary) the
 * primary NIC's vSwitch, address and groups when not given at the top. */
static int inst_arg_nics(struct api_req *r, struct inst_create_args *a)
{
	unsigned max = params_max_index(r->p, "NetworkInterface");
	char k[96], k2[96];
	if (inst_check_nic_fields(r) < 0)
		return -1;
	if (max > INST_NIC_MAX)
		return merrf(r->m, MERR_INSTANCE_NIC_PARAM,
			     "At most %d NetworkInterface.N are accepted.", INST_NIC_MAX);
	for (unsigned i = 1; i <= max; i++) {
		snprintf(k, sizeof(k), "NetworkInterface.%u.InstanceType", i);
		const char *type = arg_opt(r, k);
		snprintf(k, sizeof(k), "NetworkInterface.%u.SecurityGroupIds", i);
		snprintf(k2, sizeof(k2), "NetworkInterface.%u.SecurityGroupId", i);
		const char **sgs = NULL;
		size_t n_sg = 0;
		if (inst_arg_groups(r, k, k2, &sgs, &n_sg) < 0)
			return -1;
		a->nic_sgs[i - 1] = sgs;
		snprintf(k, sizeof(k), "NetworkInterface.%u.VSwitchId", i);
		const char *vsw = arg_opt(r, k);
		snprintf(k, sizeof(k), "NetworkInterface.%u.PrimaryIpAddress", i);
		const char *ip = arg_opt(r, k);
		int64_t v6_count, v4_count;
		const char **v6s = NULL;
		size_t n_v6 = 0;
		snprintf(k, sizeof(k), "NetworkInterface.%u.Ipv6AddressCount", i);
		snprintf(k2, sizeof(k2), "NetworkInterface.%u.SecondaryPrivateIpAddressCount", i);
		if (arg_int(r, k, 0, 0, INST_ARG_WIDE, &v6_count) < 0 ||
		    arg_int(r, k2, 0, 0, INST_ARG_WIDE, &v4_count) < 0)
			return -1;
		snprintf(k, sizeof(k), "NetworkInterface.%u.Ipv6Address", i);
		if (arg_list(r, k, &v6s, &n_v6) < 0)
			return -1;
		a->nic_ipv6s[i - 1] = v6s;
		if (type && strcmp(type, "Primary") == 0) {
			if (!a->q.vswitch_id)
				a->q.vswitch_id = vsw;
			if (!a->q.private_ip)
				a->q.private_ip = ip;
			if (a->q.n_sg == 0) {
				a->q.sg_ids = sgs;
				a->q.n_sg = n_sg;
			}
			/* NET-15: the primary NIC's IPv6 is the instance's. */
			if (v6_count && (a->q.ipv6_count || a->q.n_ipv6))
				return merrf(
				    r->m, MERR_INVALID_PARAMETER,
				    "Give the primary NIC's IPv6 once: Ipv6AddressCount or "
				    "NetworkInterface.%u.Ipv6AddressCount.",
				    i);
			if (v6_count)
				a->q.ipv6_count = v6_count;
			if (n_v6 && (a->q.ipv6_count || a->q.n_ipv6))
				return merrf(r->m, MERR_INVALID_PARAMETER,
					     "Give the primary NIC's IPv6 once: Ipv6Address.N or "
					     "NetworkInterface.%u.Ipv6Address.N.",
					     i);
			if (n_v6) {
				a->q.ipv6s = v6s;
				a->q.n_ipv6 = n_v6;
			}
			if (v4_count)
				return merrf(
				    r->m, MERR_INVALID_PARAMETER,
				    "NetworkInterface.%u.SecondaryPrivateIpAddressCount: the "
				    "primary NIC gets secondary IPs with "
				    "AssignPrivateIpAddresses.",
				    i);
			continue;
		}
		if (type && strcmp(type, "Secondary") != 0)
			return merrf(
			    r->m, MERR_INSTANCE_NIC_PARAM,
			    "NetworkInterface.%u.InstanceType must be Primary or Secondary.", i);
		struct instance_nic_req *nic = &a->nics[a->q.n_nics++];
		nic->vswitch_id = vsw;
		nic->primary_ip = ip;
		nic->sg_ids = sgs;
		nic->n_sg = n_sg;
		nic->ipv6_count = v6_count;
		nic->ipv6s = v6s;
		nic->n_ipv6 = n_v6;
		nic->secondary_count = v4_count;
		snprintf(k, sizeof(k), "NetworkInterface.%u.NetworkInterfaceName", i);
		nic->name = arg_opt(r, k);
		snprintf(k, sizeof(k), "NetworkInterface.%u.Description", i);
		nic->description = arg_opt(r, k);
		snprintf(k, sizeof(k), "NetworkInterface.%u.QueueNumber", i);
		if (arg_int(r, k, 0, -INST_ARG_WIDE, INST_ARG_WIDE, &nic->queue_number) < 0)
			return -1;
	}
	a->q.nics = a->nics;
	return 0;
}

static int inst_parse_create(struct api_req *r, struct inst_create_args *a, bool run)
{
	struct instance_create_req *q = &a->q;
	memset(a, 0, sizeof(*a));
	q->zone_id = arg_opt(r, "ZoneId");
	q->vswitch_id = arg_opt(r, "VSwitchId");
	q->private_ip = arg_opt(r, "PrivateIpAddress");
	q->inner_ip = arg_opt(r, "InnerIpAddress");
	q->itype = arg_opt(r, "InstanceType");
	q->internet_charge = arg_opt(r, "InternetChargeType");
	q->charge = arg_opt(r, "InstanceChargeType");
	q->period_unit = arg_opt(r, "PeriodUnit");
	q->name = arg_opt(r, "InstanceName");
	q->hostname = arg_opt(r, "HostName");
	q->description = arg_opt(r, "Description");
	q->image_id = arg_opt(r, "ImageId");
	q->start = run;
	if (inst_arg_groups(r, "SecurityGroupIds", "SecurityGroupId", &a->sgs, &q->n_sg) < 0)
		return -1;
	q->sg_ids = a->sgs;
	if (arg_list(r, "Ipv6Address", &a->ipv6s, &q->n_ipv6) < 0)
		return -1;
	q->ipv6s = a->ipv6s;
	if (arg_int(r, "InternetMaxBandwidthOut", 0, -INST_ARG_WIDE, INST_ARG_WIDE, &q->bw_out) <
		0 ||
	    arg_int(r, "InternetMaxBandwidthIn", 0, -INST_ARG_WIDE, INST_ARG_WIDE, &q->bw_in) < 0 ||
	    arg_int(r, "Period", 0, -INST_ARG_WIDE, INST_ARG_WIDE, &q->period) < 0 ||
	    arg_int(r, "Ipv6AddressCount", 0, 0, INST_ARG_WIDE, &q->ipv6_count) < 0 ||
	    arg_int(r, "NetworkInterfaceQueueNumber", 0, -INST_ARG_WIDE, INST_ARG_WIDE,
		    &q->queue_number) < 0 ||
	    arg_int(r, "Amount", 1, -INST_ARG_WIDE, INST_ARG_WIDE, &a->amount) < 0)
		return -1;
	/* Network options openvpc does not implement are refused, never ignored;
	 * MinAmount is met since creation is all or none. */
	for (size_t i = 0; i < r->p->n; i++) {
		const char *k = r->p->kv[i].k;
		if (strncmp(k, "NetworkOptions.", 15) == 0 || strncmp(k, "HostNames.", 10) == 0)
			return merrf(r->m, MERR_INVALID_PARAMETER,
				     "The parameter %.96s is not supported by openvpc.", k);
	}
	int64_t min_amount;
	if (arg_int(r, "MinAmount", 1, 1, INST_ARG_WIDE, &min_amount) < 0)
		return -1;
	if (min_amount > a->amount)
		return merrf(r->m, MERR_INVALID_PARAMETER, "MinAmount cannot exceed Amount.");
	if (strcmp(q->charge ? q->charge : "PostPaid", "PrePaid") != 0)
		q->period = 0; /* Period applies to subscriptions only */
	if (inst_arg_nics(r, a) < 0)
		return -1;
	return arg_tags(r, &q->tags);
}

static int act_run_instances(struct api_req *r)
{
	struct inst_create_args a;
	json_t *ids = NULL;
	int rc = -1;
	if (inst_parse_create(r, &a, true) < 0)
		goto out;
	if (instance_create(r->m, &a.q, a.amount, &ids) < 0)
		goto out;
	json_t *arr = jo_wrap(r->out, "InstanceIdSets", "InstanceIdSet");
	json_array_extend(arr, ids);
	jo_str(r->out, "OrderId", "");
	rc = 0;
out:
	json_decref(ids);
	inst_create_args_free(&a);
	return rc;
}

static int act_create_instance(struct api_req *r)
{
	struct inst_create_args a;
	json_t *ids = NULL;
	int rc = -1;
	if (inst_parse_create(r, &a, false) < 0)
		goto out;
	a.q.defer_public_ip = true; /* NET-5: AllocatePublicIpAddress assigns it */
	if (instance_create(r->m, &a.q, 1, &ids) < 0)
		goto out;
	jo_str(r->out, "InstanceId", json_string_value(json_array_get(ids, 0)));
	jo_str(r->out, "OrderId", "");
	rc = 0;
out:
	json_decref(ids);
	inst_create_args_free(&a);
	return rc;
}

/* --- life cycle ------------------------------------------------------------------ */

static int act_start_instance(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "InstanceId", &id) < 0)
		return -1;
	return instance_start(r->m, id);
}

static int act_stop_instance(struct api_req *r)
{
	const char *id;
	bool force;
	if (arg_need(r, "InstanceId", &id) < 0 || arg_bool(r, "ForceStop", false, &force) < 0)
		return -1;
	return instance_stop_mode(r->m, id, arg_opt(r, "StoppedMode")); /* NET-5a */
}

static int act_reboot_instance(struct api_req *r)
{
	const char *id;
	bool force;
	if (arg_need(r, "InstanceId", &id) < 0 || arg_bool(r, "ForceStop", false, &force) < 0)
		return -1;
	return instance_reboot(r->m, id);
}

static int act_delete_instance(struct api_req *r)
{
	const char *id;
	bool force, term;
	if (arg_need(r, "InstanceId", &id) < 0 || arg_bool(r, "Force", false, &force) < 0 ||
	    arg_bool(r, "TerminateSubscription", false, &term) < 0)
		return -1;
	return instance_delete(r->m, id, force, term);
}

static int act_delete_instances(struct api_req *r)
{
	const char **ids = NULL;
	size_t n = 0;
	bool force, term;
	int rc = -1;
	if (arg_list(r, "InstanceId", &ids, &n) < 0 || arg_bool(r, "Force", false, &force) < 0 ||
	    arg_bool(r, "TerminateSubscription", false, &term) < 0)
		goto out;
	if (n == 0) {
		merrf(r->m, MERR_MISSING_PARAMETER,
		      "The input parameter InstanceId.N that is mandatory for processing this "
		      "request is not supplied.");
		goto out;
	}
	if (n > INST_MAX_IDS) {
		merr(r->m, MERR_INSTANCE_TOO_MANY_IDS);
		goto out;
	}
	rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = instance_delete(r->m, ids[i], force, term);
out:
	free(ids);
	return rc;
}

/* --- describing ------------------------------------------------------------------- */

static void inst_ip_list(json_t *o, const char *wrapper, const char *ip)
{
	json_t *arr = jo_wrap(o, wrapper, "IpAddress");
	if (ip && *ip)
		json_array_append_new(arr, json_string(ip));
}

static void inst_render_eip(struct api_req *r, json_t *o, const json_t *inst)
{
	json_t *e = json_object();
	const char *eip_id = mj_str(inst, "eip_id");
	json_t *eip = eip_id[0] ? m_get(r->m, eip_id) : NULL;
	jo_str(e, "AllocationId", eip_id);
	jo_str(e, "IpAddress", mj_str(inst, "eip_ip"));
	jo_int(e, "Bandwidth", eip ? mj_int(eip, "bandwidth") : 0);
	jo_str(e, "InternetChargeType", eip ? mj_str(eip, "internet_charge") : "");
	jo_bool(e, "IsSupportUnassociate", eip_id[0] != '\0');
	json_object_set_new(o, "EipAddress", e);
	json_decref(eip);
}

static void inst_render_nics(struct api_req *r, json_t *o, const json_t *inst)
{
	json_t *arr = jo_wrap(o, "NetworkInterfaces", "NetworkInterface");
	if (!instance_is_vpc(inst))
		return;
	json_t *enis = eni_list_for_instance(r->m, mj_str(inst, "id"));
	size_t i, j;
	json_t *e, *v;
	json_array_foreach(enis, i, e)
	{
		json_t *n = json_object();
		jo_str(n, "NetworkInterfaceId", mj_str(e, "id"));
		jo_str(n, "MacAddress", mj_str(e, "mac"));
		jo_str(n, "PrimaryIpAddress", mj_str(e, "primary_ip"));
		jo_str(n, "Type", mj_str(e, "type"));
		json_t *ips = jo_wrap(n, "PrivateIpSets", "PrivateIpSet");
		json_t *p = json_object();
		jo_str(p, "PrivateIpAddress", mj_str(e, "primary_ip"));
		jo_bool(p, "Primary", true);
		jo_str(p, "PrivateDnsName", "");
		json_array_append_new(ips, p);
		json_array_foreach(json_object_get(e, "private_ips"), j, v)
		{
			p = json_object();
			jo_str(p, "PrivateIpAddress", json_string_value(v));
			jo_bool(p, "Primary", false);
			jo_str(p, "PrivateDnsName", "");
			json_array_append_new(ips, p);
		}
		json_t *v6 = jo_wrap(n, "Ipv6Sets", "Ipv6Set");
		json_array_foreach(json_object_get(e, "ipv6s"), j, v)
		{
			p = json_object();
			jo_str(p, "Ipv6Address", json_string_value(v));
			jo_bool(p, "Primary", j == 0);
			json_array_append_new(v6, p);
		}
		jo_wrap(n, "Ipv4PrefixSets", "Ipv4PrefixSet");
		jo_wrap(n, "Ipv6PrefixSets", "Ipv6PrefixSet");
		json_array_append_new(arr, n);
	}
	json_decref(enis);
}

/* StoppedMode as DescribeInstances shows it: the mode of the stop that left
 * the instance Stopped (NET-5a), Not-applicable otherwise. */
static const char *inst_stopped_mode(const json_t *inst)
{
	const char *mode = mj_str(inst, "stopped_mode");
	if (strcmp(mj_str(inst, "status"), "Stopped") != 0 || settle_pending(inst))
		return "Not-applicable";
	return mode[0] ? mode : "KeepCharging";
}

/* The fields shared by DescribeInstances items and DescribeInstanceAttribute. */
static void inst_render_into(struct api_req *r, json_t *o, json_t *inst, bool attribute)
{
	const struct model_itype *t = model_config_itype(r->m->cfg, mj_str(inst, "itype"));
	bool vpc = instance_is_vpc(inst);
	jo_str(o, "InstanceId", mj_str(inst, "id"));
	jo_str(o, "InstanceName", mj_str(inst, "name"));
	jo_str(o, "HostName", mj_str(inst, "hostname"));
	jo_str(o, "Description", mj_str(inst, "description"));
	jo_str(o, "ImageId", mj_str(inst, "image_id"));
	jo_str(o, "InstanceType", mj_str(inst, "itype"));
	jo_str(o, "InstanceTypeFamily", t ? t->family : "");
	jo_int(o, "Cpu", t ? t->cpu : 0);
	jo_int(o, "Memory", t ? (int64_t)t->memory_gib * 1024 : 0);
	if (attribute)
		jo_str(o, "IoOptimized", t && t->io_optimized ? "optimized" : "none");
	else
		jo_bool(o, "IoOptimized", t && t->io_optimized);
	jo_str(o, "RegionId", mj_str(inst, "region"));
	jo_str(o, "ZoneId", mj_str(inst, "zone"));
	jo_str(o, "Status", mj_str(inst, "status"));
	jo_str(o, "InstanceNetworkType", mj_str(inst, "network"));
	jo_str(o, "InstanceChargeType", mj_str(inst, "charge"));
	jo_str(o, "InternetChargeType", mj_str(inst, "internet_charge"));
	jo_int(o, "InternetMaxBandwidthOut", mj_int(inst, "bw_out"));
	jo_int(o, "InternetMaxBandwidthIn", mj_int(inst, "bw_in")); /* NET-28 cap */
	jo_time(o, "CreationTime", mj_int(inst, "created"), true);
	if (!attribute)
		jo_time(o, "StartTime", mj_int(inst, "created"), true);
	if (strcmp(mj_str(inst, "charge"), "PrePaid") == 0)
		jo_time(o, "ExpiredTime", mj_int(inst, "expires"), true);
	else
		jo_str(o, "ExpiredTime", INST_NEVER_EXPIRES);
	json_t *va = json_object();
	jo_str(va, "VpcId", mj_str(inst, "vpc_id"));
	jo_str(va, "VSwitchId", mj_str(inst, "vswitch_id"));
	jo_str(va, "NatIpAddress", "");
	inst_ip_list(va, "PrivateIpAddress", vpc ? mj_str(inst, "private_ip") : "");
	json_object_set_new(o, "VpcAttributes", va);
	inst_ip_list(o, "InnerIpAddress", vpc ? "" : mj_str(inst, "private_ip"));
	inst_ip_list(o, "PublicIpAddress", instance_public_ip(r->m, inst));
	inst_render_eip(r, o, inst);
	json_t *sgs = instance_security_groups(r->m, inst);
	jo_wrap_strs(o, "SecurityGroupIds", "SecurityGroupId", sgs);
	json_decref(sgs);
	jo_wrap(o, "OperationLocks", "LockReason");
	jo_bool(o, "DeletionProtection", false);
	jo_str(o, "SerialNumber", "");
	if (!attribute) {
		jo_str(o, "OSType", "linux");
		jo_str(o, "ResourceGroupId", "");
		jo_str(o, "StoppedMode", inst_stopped_mode(inst));
		inst_render_nics(r, o, inst);
		jo_tags(o, inst, true);
	} else {
		jo_str(o, "ClusterId", "");
		jo_str(o, "VlanId", "");
		jo_str(o, "StoppedMode", inst_stopped_mode(inst));
	}
}

static json_t *inst_render(struct api_req *r, json_t *inst)
{
	json_t *o = json_object();
	inst_render_into(r, o, inst, false);
	return o;
}

/* The request's JSON-array filters, parsed once per DescribeInstances. */
struct inst_filters {
	char **ids, **priv, **inner, **pub, **eips;
	size_t n_ids, n_priv, n_inner, n_pub, n_eips;
};

static bool inst_in_list(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool inst_keep(struct api_req *r, const struct inst_filters *f, json_t *inst)
{
	bool vpc = instance_is_vpc(inst);
	const char *ip = mj_str(inst, "private_ip");
	if (f->n_ids && !inst_in_list(f->ids, f->n_ids, mj_str(inst, "id")))
		return false;
	if (f->n_priv && !(vpc && inst_in_list(f->priv, f->n_priv, ip)))
		return false;
	if (f->n_inner && !(!vpc && inst_in_list(f->inner, f->n_inner, ip)))
		return false;
	if (f->n_pub && !inst_in_list(f->pub, f->n_pub, instance_public_ip(r->m, inst)))
		return false;
	if (f->n_eips && !inst_in_list(f->eips, f->n_eips, mj_str(inst, "eip_ip")))
		return false;
	if (!api_match(r, inst, "VpcId", "vpc_id") ||
	    !api_match(r, inst, "VSwitchId", "vswitch_id") ||
	    !api_match(r, inst, "ZoneId", "zone") ||
	    !api_match(r, inst, "InstanceNetworkType", "network") ||
	    !api_match(r, inst, "Status", "status") ||
	    !api_match(r, inst, "InstanceType", "itype") ||
	    !api_match(r, inst, "ImageId", "image_id") ||
	    !api_match(r, inst, "InternetChargeType", "internet_charge") ||
	    !api_match(r, inst, "InstanceChargeType", "charge") || !api_match_tags(r, inst))
		return false;
	const char *name = arg_opt(r, "InstanceName");
	if (name && fnmatch(name, mj_str(inst, "name"), 0) != 0)
		return false; /* the cloud's '*' wildcard */
	const char *fam = arg_opt(r, "InstanceTypeFamily");
	if (fam) {
		const struct model_itype *t = model_config_itype(r->m->cfg, mj_str(inst, "itype"));
		if (!t || strcmp(t->family, fam) != 0)
			return false;
	}
	const char *sg = arg_opt(r, "SecurityGroupId");
	if (sg) {
		json_t *sgs = instance_security_groups(r->m, inst);
		bool in = false;
		size_t i;
		json_t *v;
		json_array_foreach(sgs, i, v) in |= strcmp(json_string_value(v), sg) == 0;
		json_decref(sgs);
		if (!in)
			return false;
	}
	return true;
}

static void inst_filters_free(struct inst_filters *f)
{
	params_free_strv(f->ids, f->n_ids);
	params_free_strv(f->priv, f->n_priv);
	params_free_strv(f->inner, f->n_inner);
	params_free_strv(f->pub, f->n_pub);
	params_free_strv(f->eips, f->n_eips);
}

static int act_describe_instances(struct api_req *r)
{
	struct inst_filters f = {0};
	json_t *items = NULL;
	int rc = -1;
	if (arg_json_list(r, "InstanceIds", &f.ids, &f.n_ids) < 0 ||
	    arg_json_list(r, "PrivateIpAddresses", &f.priv, &f.n_priv) < 0 ||
	    arg_json_list(r, "InnerIpAddresses", &f.inner, &f.n_inner) < 0 ||
	    arg_json_list(r, "PublicIpAddresses", &f.pub, &f.n_pub) < 0 ||
	    arg_json_list(r, "EipAddresses", &f.eips, &f.n_eips) < 0)
		goto out;
	if (f.n_ids > INST_MAX_IDS || f.n_priv > INST_MAX_IDS || f.n_inner > INST_MAX_IDS ||
	    f.n_pub > INST_MAX_IDS || f.n_eips > INST_MAX_IDS) {
		merrf(r->m, MERR_INVALID_PARAMETER,
		      "InstanceIds and the address filters list at most %d values.", INST_MAX_IDS);
		goto out;
	}
	items = m_list(r->m, "i", NULL, NULL);
	if (!items)
		goto out;
	for (size_t i = json_array_size(items); i-- > 0;)
		if (!inst_keep(r, &f, json_array_get(items, i)))
			json_array_remove(items, i);
	rc = api_page(r, items, "Instances", "Instance", INST_PAGE_MAX, inst_render);
out:
	json_decref(items);
	inst_filters_free(&f);
	return rc;
}

static int act_describe_instance_attribute(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "InstanceId", &id) < 0)
		return -1;
	json_t *inst = instance_need(r->m, id);
	if (!inst)
		return -1;
	inst_render_into(r, r->out, inst, true);
	json_decref(inst);
	return 0;
}

static json_t *inst_render_status(struct api_req *r, json_t *inst)
{
	json_t *o = json_object();
	jo_str(o, "InstanceId", mj_str(inst, "id"));
	jo_str(o, "Status", mj_str(inst, "status"));
	return o;
}

static bool inst_keep_status(struct api_req *r, json_t *inst)
{
	return api_match(r, inst, "ZoneId", "zone");
}

static int act_describe_instance_status(struct api_req *r)
{
	const char **ids = NULL;
	size_t n = 0;
	if (arg_list(r, "InstanceId", &ids, &n) < 0)
		return -1;
	json_t *items = m_list(r->m, "i", NULL, NULL);
	if (!items) {
		free(ids);
		return -1;
	}
	if (n > 0)
		api_keep_values(items, "id", (const char *const *)ids, n);
	free(ids);
	api_filter(r, items, inst_keep_status);
	int rc = api_page(r, items, "InstanceStatuses", "InstanceStatus", 50, inst_render_status);
	json_decref(items);
	return rc;
}

/* --- network changes ------------------------------------------------------------------ */

static int act_modify_vpc_attribute(struct api_req *r)
{
	const char *id, *vsw;
	if (arg_need(r, "InstanceId", &id) < 0 || arg_need(r, "VSwitchId", &vsw) < 0)
		return -1;
	return instance_modify_vpc(r->m, id, vsw, arg_opt(r, "VpcId"),
				   arg_opt(r, "PrivateIpAddress"));
}

static int act_modify_network_spec(struct api_req *r)
{
	struct instance_netspec_req q = {.internet_charge = arg_opt(r, "NetworkChargeType")};
	if (arg_need(r, "InstanceId", &q.id) < 0 ||
	    arg_int(r, "InternetMaxBandwidthOut", -1, -INST_ARG_WIDE, INST_ARG_WIDE, &q.bw_out) <
		0 ||
	    arg_int(r, "InternetMaxBandwidthIn", -1, -INST_ARG_WIDE, INST_ARG_WIDE, &q.bw_in) < 0 ||
	    arg_bool(r, "AllocatePublicIp", false, &q.allocate_public_ip) < 0)
		return -1;
	/* A temporary upgrade would silently become permanent: refuse it. */
	if (arg_opt(r, "StartTime") || arg_opt(r, "EndTime"))
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "Temporary bandwidth upgrades (StartTime/EndTime) are not supported; "
			     "change the bandwidth without them.");
	/* Explicit negative values are errors, not "unchanged". */
	if ((arg_opt(r, "InternetMaxBandwidthOut") && q.bw_out < 0) ||
	    (arg_opt(r, "InternetMaxBandwidthIn") && q.bw_in < 0))
		return merrf(r->m,
			     q.bw_out < 0 && arg_opt(r, "InternetMaxBandwidthOut")
				 ? MERR_INSTANCE_BW_OUT
				 : MERR_INSTANCE_BW_IN,
			     "A bandwidth cannot be negative.");
	if (instance_modify_netspec(r->m, &q) < 0)
		return -1;
	jo_str(r->out, "OrderId", "");
	return 0;
}

static int act_allocate_public_ip(struct api_req *r)
{
	const char *id;
	char ip[NETADDR_STRLEN];
	if (arg_need(r, "InstanceId", &id) < 0)
		return -1;
	if (arg_opt(r, "IpAddress") || arg_opt(r, "VlanId"))
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "IpAddress and VlanId are not supported: the address is allocated "
			     "from the region's pool.");
	if (instance_allocate_public_ip(r->m, id, ip) < 0)
		return -1;
	jo_str(r->out, "IpAddress", ip);
	return 0;
}

static int act_convert_to_eip(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "InstanceId", &id) < 0)
		return -1;
	return instance_convert_to_eip(r->m, id, NULL);
}

static int act_replace_public_ip(struct api_req *r)
{
	const char *id;
	char ip[NETADDR_STRLEN];
	if (arg_need(r, "InstanceId", &id) < 0)
		return -1;
	if (instance_replace_public_ip(r->m, id, ip) < 0)
		return -1;
	jo_str(r->out, "IpAddress", ip);
	return 0;
}

/* --- NET-29: traffic export ------------------------------------------------------------ */

/* ISO 8601 UTC: "2027-01-15T10:00:00Z", "2027-01-15T10:00Z" or "2027-01-15T10Z". */
static int inst_arg_time(struct api_req *r, const char *k, int64_t def, int64_t *out)
{
	const char *s = arg_opt(r, k);
	if (!s) {
		*out = def;
		return 0;
	}
	if (api_parse_utc(s, API_TIME_SECONDS | API_TIME_MINUTES | API_TIME_HOURS, out))
		return 0;
	return merrf(r->m, MERR_INVALID_PARAMETER,
		     "%s must be an ISO 8601 UTC time such as 2027-01-15T10:00:00Z.", k);
}

static int act_export_public_traffic(struct api_req *r)
{
	int64_t start, end, owner;
	char *csv = NULL;
	if (inst_arg_time(r, "StartTime", 0, &start) < 0 ||
	    inst_arg_time(r, "EndTime", INT64_MAX, &end) < 0 ||
	    arg_int(r, "AccountId", 0, 0, INT64_MAX, &owner) < 0)
		return -1;
	if (end <= start)
		return merrf(r->m, MERR_INVALID_PARAMETER, "EndTime must be after StartTime.");
	if (traffic_export_csv(r->m, (uint64_t)owner, start, end, &csv) < 0)
		return -1;
	jo_str(r->out, "Csv", csv);
	free(csv);
	return 0;
}

const struct api_action api_actions_instance[] = {
    {API_VERSION_ECS, "RunInstances", act_run_instances, API_WRITE | API_REGION},
    {API_VERSION_ECS, "CreateInstance", act_create_instance, API_WRITE | API_REGION},
    {API_VERSION_ECS, "StartInstance", act_start_instance, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "StopInstance", act_stop_instance, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "RebootInstance", act_reboot_instance, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "DeleteInstance", act_delete_instance, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "DeleteInstances", act_delete_instances, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DescribeInstances", act_describe_instances, API_REGION},
    {API_VERSION_ECS, "DescribeInstanceAttribute", act_describe_instance_attribute, API_REGION_OPT},
    {API_VERSION_ECS, "DescribeInstanceStatus", act_describe_instance_status, API_REGION},
    {API_VERSION_ECS, "ModifyInstanceVpcAttribute", act_modify_vpc_attribute,
     API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "ModifyInstanceNetworkSpec", act_modify_network_spec,
     API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "AllocatePublicIpAddress", act_allocate_public_ip,
     API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "ConvertNatPublicIpToEip", act_convert_to_eip, API_WRITE | API_REGION},
    /* openvpc extension: the console's "change public IP" (NET-11). */
    {API_VERSION_ECS, "ReplaceInstancePublicIp", act_replace_public_ip, API_WRITE | API_REGION_OPT},
    {API_VERSION_OPS, "ExportPublicTraffic", act_export_public_traffic, API_ADMIN},
    {0},
};
