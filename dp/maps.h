/*
 * maps: the BPF side's declarations of the maps dp.h describes.  Every map is
 * pinned by the agent under /sys/fs/bpf/<prefix>/ (LIBBPF_PIN_BY_NAME with a
 * pin root the agent chooses), so forwarding state outlives openvpcd and the
 * agent finds it again after a restart.  Capacities are the maxima of dp.h;
 * the agent may shrink them before load (bpf_map__set_max_entries).
 */
#ifndef OPENVPC_DP_MAPS_H
#define OPENVPC_DP_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "dp/dp.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dp_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DP_ENI_MAX);
	__type(key, __u32);
	__type(value, struct dp_eni);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eni SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_ENI_MAX);
	__type(key, __u32); /* ifindex */
	__type(value, struct dp_ifmap_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ifmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_ADDR_MAX);
	__type(key, struct dp_addr_key);
	__type(value, struct dp_addr_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} addr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_ROUTE_MAX);
	__type(key, struct dp_route_key);
	__type(value, struct dp_route_val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} route SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DP_RTB_MAX);
	__type(key, __u32);
	__type(value, struct dp_rtb);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rtb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DP_VPC_MAX);
	__type(key, __u32);
	__type(value, struct dp_net);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} net SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DP_SGP_MAX);
	__type(key, __u32);
	__type(value, struct dp_sgp);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sgp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, DP_SG_PREFIX_MAX);
	__type(key, struct dp_sg_key);
	__type(value, struct dp_sg_val);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sg_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DP_SG_CHUNK_MAX);
	__type(key, struct dp_sg_chunk_key);
	__type(value, struct dp_sg_chunk);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sg_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DP_CT_MAX);
	__type(key, struct dp_ct_key);
	__type(value, struct dp_ct);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_ENI_MAX *DP_STAT_MAX);
	__type(key, __u32);
	__type(value, struct dp_stat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} eni_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_ENI_MAX *DP_DROP_MAX);
	__type(key, __u32);
	__type(value, struct dp_stat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DP_RULE_MAX);
	__type(key, __u32);
	__type(value, struct dp_stat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rule_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dp_trace);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} trace SEC(".maps");

#endif
