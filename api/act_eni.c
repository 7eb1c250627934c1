/*
 * act_eni: the ECS 2014-05-26 actions of elastic network interfaces
 * (Create/Attach/Detach/Delete/Describe/Modify NetworkInterface*, secondary
 * private IPv4 and IPv6 addresses) and of group membership
 * (JoinSecurityGroup, LeaveSecurityGroup).  Rules live in model/eni.c; this
 * file maps wire parameters to model calls and ENI documents to the SDK's
 * response shapes (NetworkInterfaceSets.NetworkInterfaceSet[], ...).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "model/eni.h"

/* DescribeNetworkInterfaces: PageSize 1..ENI_PAGE_MAX (the cloud's 1000 is
 * far beyond what one page of a region's ENIs needs; MaxResults takes 500). */
#define ENI_PAGE_MAX 100

/* The prefix-delegation parameters are not supported: refuse them rather
 * than silently create an interface without the prefixes asked for. */
static int refuse_prefixes(struct api_req *r)
{
	static const char *const keys[] = {"Ipv4PrefixCount", "Ipv6PrefixCount", "Ipv4Prefix.1",
					   "Ipv6Prefix.1"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (arg_opt(r, keys[i]))
			return merrf(r->m, MERR_INVALID_PARAMETER,
				     "%s: IP prefixes on network interfaces are not supported.",
				     keys[i]);
	return 0;
}

/* QueueNumber or NetworkInterfaceTrafficConfig.QueueNumber; 0 when absent. */
static int arg_queues(struct api_req *r, int64_t *out)
{
	const char *k =
	    arg_opt(r, "QueueNumber") ? "QueueNumber" : "NetworkInterfaceTrafficConfig.QueueNumber";
	return arg_int(r, k, 0, 1, ENI_QUEUE_MAX, out);
}

/* --- rendering -------------------------------------------------------------- */

static void render_addrs(json_t *o, const json_t *eni, bool with_dns)
{
	json_t *ips = jo_wrap(o, "PrivateIpSets", "PrivateIpSet");
	json_t *p = json_object();
	jo_str(p, "PrivateIpAddress", mj_str(eni, "primary_ip"));
	jo_bool(p, "Primary", true);
	if (with_dns)
		jo_str(p, "PrivateDnsName", "");
	json_array_append_new(ips, p);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(eni, "private_ips"), i, v)
	{
		json_t *s = json_object();
		jo_str(s, "PrivateIpAddress", json_string_value(v));
		jo_bool(s, "Primary", false);
		if (with_dns)
			jo_str(s, "PrivateDnsName", "");
		json_array_append_new(ips, s);
	}
	json_t *v6 = jo_wrap(o, "Ipv6Sets", "Ipv6Set");
	json_array_foreach(json_object_get(eni, "ipv6s"), i, v)
	{
		json_t *s = json_object();
		jo_str(s, "Ipv6Address", json_string_value(v));
		jo_bool(s, "Primary", false);
		json_array_append_new(v6, s);
	}
	jo_wrap(o, "Ipv4PrefixSets", "Ipv4PrefixSet");
	jo_wrap(o, "Ipv6PrefixSets", "Ipv6PrefixSet");
}

/* The public address of an ENI: the EIP bound to it (secondary ENIs), or
 * its instance's NatPublicIp or EIP (primary ENI). */
static void render_public(struct api_req *r, json_t *o, const json_t *eni)
{
	json_t *pub = json_object();
	const char *iid = mj_str(eni, "instance_id");
	json_t *inst = *iid && strcmp(mj_str(eni, "type"), "Primary") == 0
			   ? m_get_owned(r->m, (uint64_t)mj_int(eni, "owner"), iid)
			   : NULL;
	const json_t *holder = inst ? inst : eni;
	const char *eip = mj_str(holder, "eip_ip");
	jo_str(pub, "PublicIpAddress", *eip ? eip : mj_str(holder, "public_ip"));
	jo_str(pub, "AllocationId", mj_str(holder, "eip_id"));
	json_decref(inst);
	json_object_set_new(o, "AssociatedPublicIp", pub);
}

static void eni_render_into(struct api_req *r, json_t *o, const json_t *eni)
{
	char owner[24];
	snprintf(owner, sizeof(owner), "%lld", (long long)mj_int(eni, "owner"));
	jo_str(o, "NetworkInterfaceId", mj_str(eni, "id"));
	jo_str(o, "NetworkInterfaceName", mj_str(eni, "name"));
	jo_str(o, "Description", mj_str(eni, "description"));
	jo_str(o, "Status", mj_str(eni, "status"));
	jo_str(o, "Type", mj_str(eni, "type"));
	jo_str(o, "VpcId", mj_str(eni, "vpc_id"));
	jo_str(o, "VSwitchId", mj_str(eni, "vswitch_id"));
	jo_str(o, "ZoneId", mj_str(eni, "zone"));
	jo_str(o, "MacAddress", mj_str(eni, "mac"));
	jo_str(o, "PrivateIpAddress", mj_str(eni, "primary_ip"));
	jo_str(o, "InstanceId", mj_str(eni, "instance_id"));
	jo_time(o, "CreationTime", mj_int(eni, "created"), false);
	jo_bool(o, "DeleteOnRelease", mj_bool(eni, "delete_on_release"));
	jo_int(o, "QueueNumber", mj_int(eni, "queue_number"));
	jo_str(o, "NetworkInterfaceTrafficMode", "Standard");
	jo_str(o, "OwnerId", owner);
	jo_str(o, "ResourceGroupId", "");
	jo_bool(o, "ServiceManaged", false);
	jo_bool(o, "SourceDestCheck", false);
	jo_wrap_strs(o, "SecurityGroupIds", "SecurityGroupId",
		     json_object_get(eni, "security_group_ids"));
	render_addrs(o, eni, true);
	if (*mj_str(eni, "instance_id")) {
		json_t *a = json_object();
		jo_str(a, "InstanceId", mj_str(eni, "instance_id"));
		jo_int(a, "DeviceIndex", mj_int(eni, "device_index"));
		jo_int(a, "NetworkCardIndex", 0);
		jo_str(a, "TrunkNetworkInterfaceId", "");
		json_object_set_new(o, "Attachment", a);
	}
	render_public(r, o, eni);
	jo_tags(o, eni, true);
}

static json_t *eni_render(struct api_req *r, json_t *eni)
{
	json_t *o = json_object();
	eni_render_into(r, o, eni);
	return o;
}

/* --- actions ------------------------------------------------------------------ */

static int act_create(struct api_req *r)
{
	struct eni_create_req q = {
	    .primary_ip = arg_opt(r, "PrimaryIpAddress"),
	    .name = arg_opt(r, "NetworkInterfaceName"),
	    .description = arg_opt(r, "Description"),
	};
	const char **sgl = NULL, **sgs = NULL, **ips = NULL, **v6 = NULL;
	size_t n_sgl = 0;
	json_t *eni = NULL;
	int rc = -1;
	int dor = -1;
	if (arg_need(r, "VSwitchId", &q.vswitch_id) < 0 || refuse_prefixes(r) < 0)
		return -1;
	if (arg_int(r, "SecondaryPrivateIpAddressCount", 0, 0, 1000, &q.secondary_count) < 0 ||
	    arg_int(r, "Ipv6AddressCount", 0, 0, 1000, &q.ipv6_count) < 0 ||
	    arg_queues(r, &q.queue_number) < 0)
		return -1;
	dor = arg_tristate(r, "DeleteOnRelease");
	if (dor == -2)
		return -1;
	if (arg_list(r, "SecurityGroupIds", &sgl, &n_sgl) < 0 ||
	    arg_list(r, "PrivateIpAddress", &ips, &q.n_secondary) < 0 ||
	    arg_list(r, "Ipv6Address", &v6, &q.n_ipv6) < 0 || arg_tags(r, &q.tags) < 0)
		goto out;
	/* SecurityGroupId (one) and SecurityGroupIds.N (several) name one set. */
	const char *one = arg_opt(r, "SecurityGroupId");
	sgs = calloc(n_sgl + 1, sizeof(*sgs));
	if (!sgs) {
		merr(r->m, MERR_INTERNAL);
		goto out;
	}
	if (one)
		sgs[q.n_sg++] = one;
	for (size_t i = 0; i < n_sgl; i++)
		sgs[q.n_sg++] = sgl[i];
	if (q.n_sg == 0) {
		merrf(r->m, MERR_MISSING_PARAMETER,
		      "SecurityGroupId or SecurityGroupIds.N is mandatory for this action.");
		goto out;
	}
	q.sg_ids = sgs;
	q.secondary_ips = ips;
	q.ipv6s = v6;
	if (eni_create(r->m, &q, &eni) < 0)
		goto out;
	if (dor == 0) {
		struct eni_modify_req mq = {.eni_id = mj_str(eni, "id"), .delete_on_release = 0};
		if (eni_modify(r->m, &mq) < 0)
			goto out;
		mj_set_bool(eni, "delete_on_release", false);
	}
	char owner[24];
	snprintf(owner, sizeof(owner), "%lld", (long long)mj_int(eni, "owner"));
	jo_str(r->out, "NetworkInterfaceId", mj_str(eni, "id"));
	jo_str(r->out, "NetworkInterfaceName", mj_str(eni, "name"));
	jo_str(r->out, "Description", mj_str(eni, "description"));
	jo_str(r->out, "Status", mj_str(eni, "status"));
	jo_str(r->out, "Type", mj_str(eni, "type"));
	jo_str(r->out, "VpcId", mj_str(eni, "vpc_id"));
	jo_str(r->out, "VSwitchId", mj_str(eni, "vswitch_id"));
	jo_str(r->out, "ZoneId", mj_str(eni, "zone"));
	jo_str(r->out, "MacAddress", mj_str(eni, "mac"));
	jo_str(r->out, "PrivateIpAddress", mj_str(eni, "primary_ip"));
	jo_str(r->out, "OwnerId", owner);
	jo_str(r->out, "ResourceGroupId", "");
	jo_bool(r->out, "ServiceManaged", false);
	jo_bool(r->out, "SourceDestCheck", false);
	jo_wrap_strs(r->out, "SecurityGroupIds", "SecurityGroupId",
		     json_object_get(eni, "security_group_ids"));
	render_addrs(r->out, eni, false);
	jo_tags(r->out, eni, true);
	rc = 0;
out:
	json_decref(eni);
	json_decref(q.tags);
	free(sgs);
	free(sgl);
	free(ips);
	free(v6);
	return rc;
}

static int act_attach(struct api_req *r)
{
	const char *eni, *inst;
	int64_t card;
	if (arg_need(r, "NetworkInterfaceId", &eni) < 0 || arg_need(r, "InstanceId", &inst) < 0 ||
	    arg_int(r, "NetworkCardIndex", 0, 0, 0, &card) < 0)
		return -1;
	if (arg_opt(r, "TrunkNetworkInstanceId"))
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "TrunkNetworkInstanceId: trunk network interfaces are not supported.");
	return eni_attach(r->m, eni, inst);
}

static int act_detach(struct api_req *r)
{
	const char *eni, *inst;
	if (arg_need(r, "NetworkInterfaceId", &eni) < 0 || arg_need(r, "InstanceId", &inst) < 0)
		return -1;
	return eni_detach(r->m, eni, inst);
}

static int act_delete(struct api_req *r)
{
	const char *eni;
	if (arg_need(r, "NetworkInterfaceId", &eni) < 0)
		return -1;
	return eni_delete(r->m, eni);
}

static int act_modify(struct api_req *r)
{
	struct eni_modify_req q = {
	    .name = params_get(r->p, "NetworkInterfaceName"),
	    .description = params_get(r->p, "Description"),
	};
	const char **sgs = NULL;
	if (arg_need(r, "NetworkInterfaceId", &q.eni_id) < 0 || arg_queues(r, &q.queue_number) < 0)
		return -1;
	q.delete_on_release = arg_tristate(r, "DeleteOnRelease");
	if (q.delete_on_release == -2)
		return -1;
	if (arg_list(r, "SecurityGroupId", &sgs, &q.n_sg) < 0)
		return -1;
	q.sg_ids = sgs;
	int rc = eni_modify(r->m, &q);
	free(sgs);
	return rc;
}

static const char *const eni_types[] = {"Primary", "Secondary", NULL};
static const char *const eni_states[] = {"Available", "Attaching", "InUse",
					 "Detaching", "Deleting",  NULL};

/* Any of the values of the list parameter k is in the ENI's address list. */
static bool match_any(struct api_req *r, const json_t *eni, const char *k, bool v6)
{
	const char **vals = NULL;
	size_t n = 0;
	if (arg_list(r, k, &vals, &n) < 0 || n == 0) {
		free(vals);
		return true;
	}
	bool hit = false;
	for (size_t i = 0; i < n && !hit; i++) {
		struct netaddr a;
		char txt[NETADDR_STRLEN];
		const char *want = netaddr_parse(vals[i], &a) ? netaddr_format(&a, txt) : vals[i];
		hit = v6 ? mj_arr_has_str(eni, "ipv6s", want)
			 : strcmp(mj_str(eni, "primary_ip"), want) == 0 ||
			       mj_arr_has_str(eni, "private_ips", want);
	}
	free(vals);
	return hit;
}

static bool eni_keep(struct api_req *r, json_t *eni)
{
	const char *sg = arg_opt(r, "SecurityGroupId");
	return api_match(r, eni, "VSwitchId", "vswitch_id") &&
	       api_match(r, eni, "VpcId", "vpc_id") &&
	       api_match(r, eni, "InstanceId", "instance_id") &&
	       api_match(r, eni, "Type", "type") && api_match(r, eni, "Status", "status") &&
	       api_match(r, eni, "PrimaryIpAddress", "primary_ip") &&
	       api_match(r, eni, "NetworkInterfaceName", "name") &&
	       (!sg || mj_arr_has_str(eni, "security_group_ids", sg)) &&
	       match_any(r, eni, "PrivateIpAddress", false) &&
	       match_any(r, eni, "Ipv6Address", true) && api_match_tags(r, eni);
}

static int act_describe(struct api_req *r)
{
	const char **ids = NULL, **tmp = NULL;
	size_t n = 0, nt = 0;
	const char *dummy;
	if (arg_enum(r, "Type", eni_types, false, NULL, &dummy) < 0 ||
	    arg_enum(r, "Status", eni_states, false, NULL, &dummy) < 0)
		return -1;
	if (arg_list(r, "PrivateIpAddress", &tmp, &nt) < 0)
		return -1;
	free(tmp);
	if (arg_list(r, "Ipv6Address", &tmp, &nt) < 0)
		return -1;
	free(tmp);
	if (arg_list(r, "NetworkInterfaceId", &ids, &n) < 0)
		return -1;
	if (n > ENI_MAX_IDS_FILTER) {
		free(ids);
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "NetworkInterfaceId.N lists at most %d ids.", ENI_MAX_IDS_FILTER);
	}
	json_t *items = m_list(r->m, "eni", NULL, NULL);
	if (!items) {
		free(ids);
		return -1;
	}
	if (n > 0)
		api_keep_values(items, "id", (const char *const *)ids, n);
	free(ids);
	api_filter(r, items, eni_keep);
	int rc = api_page(r, items, "NetworkInterfaceSets", "NetworkInterfaceSet", ENI_PAGE_MAX,
			  eni_render);
	json_decref(items);
	return rc;
}

static int act_describe_attribute(struct api_req *r)
{
	const char *id;
	if (arg_need(r, "NetworkInterfaceId", &id) < 0)
		return -1;
	json_t *eni = eni_need(r->m, id);
	if (!eni)
		return -1;
	eni_render_into(r, r->out, eni);
	json_t *tc = json_object();
	jo_str(tc, "NetworkInterfaceTrafficMode", "Standard");
	jo_int(tc, "QueueNumber", mj_int(eni, "queue_number"));
	json_object_set_new(r->out, "NetworkInterfaceTrafficConfig", tc);
	json_decref(eni);
	return 0;
}

/* The parameters Assign/Unassign{PrivateIp,Ipv6}Addresses share: the ENI,
 * the addresses (PrivateIpAddress.N or Ipv6Address.N) and, for an assign,
 * the count to allocate (count NULL: an unassign).  *ips is malloc'd. */
static int eni_ip_args(struct api_req *r, bool v6, const char **id, const char ***ips, size_t *n,
		       int64_t *count)
{
	*ips = NULL;
	*n = 0;
	if (arg_need(r, "NetworkInterfaceId", id) < 0 || refuse_prefixes(r) < 0)
		return -1;
	if (count && arg_int(r, v6 ? "Ipv6AddressCount" : "SecondaryPrivateIpAddressCount", 0, 0,
			     1000, count) < 0)
		return -1;
	return arg_list(r, v6 ? "Ipv6Address" : "PrivateIpAddress", ips, n);
}

static int eni_unassign(struct api_req *r, bool v6)
{
	const char *id;
	const char **ips;
	size_t n;
	int rc = eni_ip_args(r, v6, &id, &ips, &n, NULL);
	if (rc == 0)
		rc = eni_unassign_ips(r->m, id, v6, ips, n);
	free(ips);
	return rc;
}

static int act_assign_ips(struct api_req *r)
{
	const char *id;
	const char **ips;
	size_t n;
	int64_t count;
	json_t *got = NULL;
	int rc = eni_ip_args(r, false, &id, &ips, &n, &count);
	if (rc == 0)
		rc = eni_assign_ips(r->m, id, false, ips, n, count, &got);
	free(ips);
	if (rc < 0)
		return -1;
	json_t *set = json_object();
	jo_str(set, "NetworkInterfaceId", id);
	jo_wrap_strs(set, "PrivateIpSet", "PrivateIpAddress", got);
	jo_wrap(set, "Ipv4PrefixSet", "Ipv4Prefixes");
	json_object_set_new(r->out, "AssignedPrivateIpAddressesSet", set);
	json_decref(got);
	return 0;
}

static int act_unassign_ips(struct api_req *r)
{
	return eni_unassign(r, false);
}

static int act_assign_ipv6(struct api_req *r)
{
	const char *id;
	const char **ips;
	size_t n;
	int64_t count;
	json_t *got = NULL;
	int rc = eni_ip_args(r, true, &id, &ips, &n, &count);
	if (rc == 0)
		rc = eni_assign_ips(r->m, id, true, ips, n, count, &got);
	free(ips);
	if (rc < 0)
		return -1;
	jo_str(r->out, "NetworkInterfaceId", id);
	jo_wrap_strs(r->out, "Ipv6Sets", "Ipv6Address", got);
	jo_wrap(r->out, "Ipv6PrefixSets", "Ipv6Prefix");
	json_decref(got);
	return 0;
}

static int act_unassign_ipv6(struct api_req *r)
{
	return eni_unassign(r, true);
}

static int act_join(struct api_req *r)
{
	const char *sg;
	if (arg_need(r, "SecurityGroupId", &sg) < 0)
		return -1;
	return eni_join_group(r->m, arg_opt(r, "InstanceId"), arg_opt(r, "NetworkInterfaceId"), sg);
}

static int act_leave(struct api_req *r)
{
	const char *sg;
	if (arg_need(r, "SecurityGroupId", &sg) < 0)
		return -1;
	return eni_leave_group(r->m, arg_opt(r, "InstanceId"), arg_opt(r, "NetworkInterfaceId"),
			       sg);
}

const struct api_action api_actions_eni[] = {
    {API_VERSION_ECS, "CreateNetworkInterface", act_create, API_WRITE | API_REGION},
    {API_VERSION_ECS, "AttachNetworkInterface", act_attach, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DetachNetworkInterface", act_detach, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DeleteNetworkInterface", act_delete, API_WRITE | API_REGION},
    {API_VERSION_ECS, "ModifyNetworkInterfaceAttribute", act_modify, API_WRITE | API_REGION},
    {API_VERSION_ECS, "DescribeNetworkInterfaces", act_describe, API_REGION},
    {API_VERSION_ECS, "DescribeNetworkInterfaceAttribute", act_describe_attribute, API_REGION},
    {API_VERSION_ECS, "AssignPrivateIpAddresses", act_assign_ips, API_WRITE | API_REGION},
    {API_VERSION_ECS, "UnassignPrivateIpAddresses", act_unassign_ips, API_WRITE | API_REGION},
    {API_VERSION_ECS, "AssignIpv6Addresses", act_assign_ipv6, API_WRITE | API_REGION},
    {API_VERSION_ECS, "UnassignIpv6Addresses", act_unassign_ipv6, API_WRITE | API_REGION},
    {API_VERSION_ECS, "JoinSecurityGroup", act_join, API_WRITE | API_REGION_OPT},
    {API_VERSION_ECS, "LeaveSecurityGroup", act_leave, API_WRITE | API_REGION_OPT},
    {0},
};
