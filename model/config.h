/*
 * config: what the operator decides and the model reads: regions and their
 * zones, address pools, instance types, and the default quotas.
 *
 * The daemon fills a struct model_config from its INI file
 * (daemon/config.c); model_config_defaults() gives the built-in single-host
 * setup of ARCHITECTURE.md (one region, two zones).  The model never changes
 * it after start-up, so every thread reads it without locks.
 */
#ifndef OPENVPC_MODEL_CONFIG_H
#define OPENVPC_MODEL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/netaddr.h"

#define MODEL_MAX_REGIONS 8
#define MODEL_MAX_ZONES 8
#define MODEL_MAX_ITYPES 32
#define MODEL_NAME_MAX 64

struct model_zone {
	char id[MODEL_NAME_MAX];
	char name[MODEL_NAME_MAX];
};

struct model_region {
	char id[MODEL_NAME_MAX];   /* "cn-hangzhou" */
	char name[MODEL_NAME_MAX]; /* "China (Hangzhou)" */
	struct model_zone zones[MODEL_MAX_ZONES];
	size_t n_zones;
	bool classic_offered;	       /* NET-2: new classic instances allowed */
	struct netprefix classic_pool; /* NET-1: provider-planned classic internal addresses */
	struct netprefix public_pool;  /* NatPublicIp and EIP addresses */
	struct netprefix ipv6_pool;    /* VPC IPv6 /56 blocks are cut from here */
};

/* An instance type: the network properties of SPEC NET-14, NET-20, NET-22, NET-24. */
struct model_itype {
	char name[MODEL_NAME_MAX];   /* "ecs.g6.large" */
	char family[MODEL_NAME_MAX]; /* "ecs.g6" */
	bool io_optimized;	     /* NET-14, NET-20: only these take secondary ENIs */
	unsigned eni_max;	     /* ENIs including the primary (NET-20) */
	unsigned ips_per_eni;	     /* private IPv4 per ENI while attached (NET-22) */
	unsigned ipv6_per_eni;	     /* IPv6 per ENI (NET-15) */
	unsigned queues_max;	     /* queues per NIC (NET-24) */
	unsigned internal_bw_mbps;   /* shared internal bandwidth (NET-14) */
	unsigned cpu;
	unsigned memory_gib;
};

/*
 * Quotas: name, default, error when exceeded. Each is per account and region
 * unless its comment says otherwise; the operator overrides any of them per
 * account (SetQuota).  Q(NAME, "wire-name", default)
 */
#define MODEL_QUOTAS(Q)                                                                            \
	Q(VPC, "vpc", 10)		     /* VPCs per region */                                 \
	Q(VSWITCH, "vswitch-per-vpc", 150)   /* vSwitches per VPC */                               \
	Q(USER_CIDR, "user-cidr-per-vpc", 3) /* UserCidrs per VPC */                               \
	Q(SECONDARY_CIDR, "secondary-cidr-per-vpc", 5)                                             \
	Q(ROUTE_ENTRY, "route-entry-per-table", 200) /* custom entries per route table */          \
	Q(ROUTE_TABLE, "route-table-per-vpc", 9)     /* custom route tables per VPC */             \
	Q(SECURITY_GROUP, "security-group", 100)     /* groups per region */                       \
	Q(SG_RULE, "rule-per-security-group", 200)                                                 \
	Q(SG_PER_NIC, "security-group-per-nic", 5)                                                 \
	Q(SG_PRIVATE_IP, "private-ip-per-security-group", 2000) /* NET-22 */                       \
	Q(ENI, "eni", 100)					/* ENIs per region (NET-20) */     \
	Q(ENI_IP_AVAILABLE, "private-ip-per-available-eni", 10) /* NET-22 */                       \
	Q(ENI_IP_MAX, "private-ip-per-eni", 20)			/* NET-22 */                       \
	Q(EIP, "eip", 20)					/* EIPs per region */              \
	Q(INSTANCE, "instance", 100)				/* instances per region */         \
	Q(PUBLIC_BW_OUT, "public-bandwidth-out-mbps", 200)	/* NET-28 */                       \
	Q(IP_CHANGES, "public-ip-changes-per-instance", 3)	/* NET-11 */                       \
	Q(CLASSICLINK_PER_VPC, "classiclink-per-vpc", 1000)

enum model_quota {
#define MODEL_QUOTA_ENUM(n, s, d) MODEL_QUOTA_##n,
	MODEL_QUOTAS(MODEL_QUOTA_ENUM)
#undef MODEL_QUOTA_ENUM
	    MODEL_QUOTA__COUNT
};

/* Time rules (NET-11, NET-12), in seconds; constants an operator can change. */
struct model_timing {
	int64_t ip_change_window;   /* NET-11: 6 hours after creation */
	int64_t expiry_guard;	    /* NET-12: no conversion within 24 h of expiry */
	int64_t migration_duration; /* NET-26: how long a migration event runs */
};

struct model_config {
	struct model_region regions[MODEL_MAX_REGIONS];
	size_t n_regions;
	struct model_itype itypes[MODEL_MAX_ITYPES];
	size_t n_itypes;
	int64_t quota_default[MODEL_QUOTA__COUNT];
	struct model_timing timing;
};

/* Fills cfg with the built-in defaults: region cn-hangzhou with zones a and b,
 * classic offered, pools in documentation/benchmark ranges, a small
 * catalogue of instance types, the default quotas. */
void model_config_defaults(struct model_config *cfg);

const struct model_region *model_config_region(const struct model_config *cfg, const char *id);
const struct model_zone *model_config_zone(const struct model_region *r, const char *zone_id);
const struct model_itype *model_config_itype(const struct model_config *cfg, const char *name);
/* The wire name of a quota and the quota of a wire name (-1 if none). */
const char *model_quota_name(enum model_quota q);
int model_quota_by_name(const char *name);

#endif
