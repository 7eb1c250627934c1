/*
 * act_region: DescribeRegions and DescribeZones (G-2) in both the VPC and
 * the ECS versions, from the operator's configuration.
 */
#include <string.h>

#include "api/api.h"

static int act_describe_regions(struct api_req *r)
{
	const struct model_config *cfg = r->m->cfg;
	bool ecs = strcmp(r->version, API_VERSION_ECS) == 0;
	json_t *arr = jo_wrap(r->out, "Regions", "Region");
	for (size_t i = 0; i < cfg->n_regions; i++) {
		json_t *e = json_object();
		jo_str(e, "RegionId", cfg->regions[i].id);
		jo_str(e, "LocalName", cfg->regions[i].name);
		jo_str(e, "RegionEndpoint", "");
		if (ecs)
			jo_str(e, "Status", "available");
		json_array_append_new(arr, e);
	}
	return 0;
}

static int act_describe_zones(struct api_req *r)
{
	const struct model_region *reg = r->m->region;
	bool ecs = strcmp(r->version, API_VERSION_ECS) == 0;
	json_t *arr = jo_wrap(r->out, "Zones", "Zone");
	for (size_t i = 0; i < reg->n_zones; i++) {
		json_t *e = json_object();
		jo_str(e, "ZoneId", reg->zones[i].id);
		jo_str(e, "LocalName", reg->zones[i].name);
		if (ecs) {
			json_t *nt = jo_wrap(e, "AvailableInstanceTypes", "InstanceTypes");
			for (size_t j = 0; j < r->m->cfg->n_itypes; j++)
				json_array_append_new(nt, json_string(r->m->cfg->itypes[j].name));
			json_t *net = jo_wrap(e, "AvailableResourceCreation", "ResourceTypes");
			json_array_append_new(net, json_string("VSwitch"));
			json_array_append_new(net, json_string("Instance"));
		}
		json_array_append_new(arr, e);
	}
	return 0;
}

/* ECS DescribeInstanceTypes: the network properties of NET-14, NET-20, NET-22, NET-24. */
static int act_describe_instance_types(struct api_req *r)
{
	const struct model_config *cfg = r->m->cfg;
	json_t *arr = jo_wrap(r->out, "InstanceTypes", "InstanceType");
	const char *want = arg_opt(r, "InstanceTypeFamily");
	for (size_t i = 0; i < cfg->n_itypes; i++) {
		const struct model_itype *t = &cfg->itypes[i];
		if (want && strcmp(want, t->family) != 0)
			continue;
		json_t *e = json_object();
		jo_str(e, "InstanceTypeId", t->name);
		jo_str(e, "InstanceTypeFamily", t->family);
		jo_int(e, "CpuCoreCount", t->cpu);
		jo_int(e, "MemorySize", t->memory_gib);
		jo_int(e, "EniQuantity", t->eni_max);
		jo_int(e, "EniPrivateIpAddressQuantity", t->ips_per_eni);
		jo_int(e, "EniIpv6AddressQuantity", t->ipv6_per_eni);
		jo_int(e, "MaximumQueueNumberPerEni", t->queues_max);
		jo_int(e, "InstanceBandwidthRx", (int64_t)t->internal_bw_mbps * 1024);
		jo_int(e, "InstanceBandwidthTx", (int64_t)t->internal_bw_mbps * 1024);
		jo_bool(e, "IoOptimized", t->io_optimized);
		json_array_append_new(arr, e);
	}
	return 0;
}

const struct api_action api_actions_region[] = {
    {API_VERSION_VPC, "DescribeRegions", act_describe_regions, 0},
    {API_VERSION_ECS, "DescribeRegions", act_describe_regions, 0},
    {API_VERSION_VPC, "DescribeZones", act_describe_zones, API_REGION},
    {API_VERSION_ECS, "DescribeZones", act_describe_zones, API_REGION},
    {API_VERSION_ECS, "DescribeInstanceTypes", act_describe_instance_types, 0},
    {0},
};
