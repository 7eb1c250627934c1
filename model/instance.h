/*
 * instance: ECS instances as the network sees them (NET-1..NET-14, NET-24,
 * NET-26, NET-28): their network type, addresses, public IP, bandwidth and
 * life cycle.  Compute is out of scope: an instance here is the thing the
 * data plane will attach a TAP device or a namespace for.
 *
 * An instance ("i-...") holds:
 *   zone, itype (instance type name), name, hostname, description, image_id
 *   network "vpc" | "classic"
 *   vpc_id, vswitch_id, primary_eni (VPC; parent: the vSwitch)
 *   private_ip   VPC: the primary ENI's primary IP; classic: the internal IP
 *                (claimed in scope "classic/<region>", never changes, NET-9)
 *   security_group_ids   classic only (a VPC instance's groups are its
 *                        primary ENI's, NET-23)
 *   charge "PostPaid" | "PrePaid", expires (unix seconds, PrePaid only)
 *   internet_charge "PayByTraffic" | "PayByBandwidth"
 *   bw_out, bw_in (Mbit/s; NET-28); bw_in_req: InternetMaxBandwidthIn as
 *                asked (0: follow the cap, instance_bw_in_cap)
 *   public_ip    the NatPublicIp (VPC) or classic public IP, "" when none
 *   public_ip_release_at  NET-6: a PrePaid NatPublicIp set to bandwidth 0
 *                goes at this time (the end of the period); absent otherwise
 *   public_ip_changes   NET-11 counter
 *   public_ip_entitled  NET-5: created by CreateInstance with bandwidth; the
 *                NatPublicIp comes with AllocatePublicIpAddress
 *   stopped_mode KeepCharging | StopCharging of the last stop (NET-5a);
 *                public_ip_on_start: a StopCharging stop released the
 *                NatPublicIp, StartInstance assigns a new one
 *   queue_number NetworkInterfaceQueueNumber asked at creation (NET-24; the
 *                NICs' own queue_number is what the data plane uses)
 *   mac          classic only (VPC instances' MACs are their ENIs')
 *   no_broadcast true on classic (NET-10), read by the data plane
 *   eip_id, eip_ip      the bound EIP (VPC), "" when none (set by eip.c)
 *   classiclink_vpc_id  the VPC a classic instance is linked to (NET-27)
 *   pending_type_change  NET-12 precondition
 *   status Pending|Starting|Running|Stopping|Stopped, settle_to (G-6)
 *   tags
 */
#ifndef OPENVPC_MODEL_INSTANCE_H
#define OPENVPC_MODEL_INSTANCE_H

#include "model/model.h"

/* NET-28: the caps the data plane enforces for bw_out = X Mbit/s:
 * out = X (X <= PUBLIC_BW_OUT quota, 200), in = 100 when X < 100, else X. */
int64_t instance_bw_in_cap(int64_t bw_out);

/* The caller's instance or NULL with InvalidInstanceId.NotFound. */
json_t *instance_need(struct model *m, const char *id);
bool instance_is_vpc(const json_t *inst);
/* Running or Stopped (what most network changes need), else IncorrectInstanceStatus. */
int instance_need_running_or_stopped(struct model *m, const json_t *inst);

/* Finishes Pending/Starting/Stopping/Deleting (model/settle.h hook). */
int settle_hook_instance(struct model *m, json_t *res, const char *final);

/*
 * --- Additions of the instance area (backward compatible) -----------------
 *
 * Life cycle (G-6), each arrow a function of this module, the settle hook
 * finishing every transitional state once the data plane applied it:
 *
 *   instance_create(start)  -> Pending --settle--> Running
 *   instance_create(!start) -> Pending --settle--> Stopped
 *   instance_start:   Stopped  -> Starting --settle--> Running
 *   instance_stop:    Running  -> Stopping --settle--> Stopped
 *   instance_reboot:  Running  -> Starting --settle--> Running
 *   instance_delete:  Stopped (or Running with force) -> Deleting
 *                     --settle--> gone, everything it held released
 *
 * Invariants:
 *  1. A VPC instance has exactly one primary ENI (primary_eni) whose primary
 *     IP is the instance's private_ip; its "parent" is its vSwitch.
 *  2. A classic instance holds the claim of its private_ip in scope
 *     "classic/<region>" for its whole life (NET-1, NET-9); it never changes.
 *  3. public_ip, when set, is claimed in "public/<region>" with the instance
 *     as holder (pubip.h); an instance never has both public_ip and eip_id
 *     (NET-5).
 *  4. A classic public IP is never released while the instance lives
 *     (NET-9); a NatPublicIp only through bandwidth 0 (NET-6) or deletion.
 *  5. Addresses are released only when the data plane is done with the
 *     instance: in the settle hook of Deleting, not in the request.
 */

#define INSTANCE_NETWORK_VPC "vpc"
#define INSTANCE_NETWORK_CLASSIC "classic"
#define INSTANCE_IPV6_MAX 1	/* NET-15: at most one IPv6 address per instance */
#define INSTANCE_AMOUNT_MAX 100 /* RunInstances Amount */
#define INSTANCE_CLASSIC_SCOPE_FMT "classic/%s"

/* A secondary ENI created with the instance (RunInstances NetworkInterface.N). */
struct instance_nic_req {
	const char *vswitch_id;	   /* NULL: the instance's vSwitch */
	const char *primary_ip;	   /* NULL: allocate */
	const char *const *sg_ids; /* NULL/0: the instance's groups */
	size_t n_sg;
	const char *name, *description;
	int64_t queue_number;	  /* 0: default */
	int64_t ipv6_count;	  /* NET-15: IPv6 addresses to allocate */
	const char *const *ipv6s; /* or: given */
	size_t n_ipv6;
	int64_t secondary_count; /* secondary private IPv4 to allocate */
};

struct instance_create_req {
	const char *zone_id;	   /* required for classic; must match the vSwitch's */
	const char *vswitch_id;	   /* NULL: classic network (NET-1, NET-2) */
	const char *private_ip;	   /* VPC: PrivateIpAddress (NET-3) */
	const char *inner_ip;	   /* classic: InnerIpAddress */
	const char *const *sg_ids; /* 1..5 groups (required) */
	size_t n_sg;
	const char *itype;	     /* the operator's catalogue (config.h) */
	int64_t bw_out;		     /* InternetMaxBandwidthOut, 0..quota (NET-28) */
	int64_t bw_in;		     /* InternetMaxBandwidthIn, 0: the NET-28 cap */
	const char *internet_charge; /* NULL: PayByTraffic */
	const char *charge;	     /* NULL: PostPaid */
	int64_t period;		     /* PrePaid: required */
	const char *period_unit;     /* NULL: Month; Week, Month, Year */
	int64_t ipv6_count;	     /* NET-15 */
	const char *const *ipv6s;
	size_t n_ipv6;
	const struct instance_nic_req *nics; /* secondary ENIs (NET-18, NET-20) */
	size_t n_nics;
	int64_t queue_number; /* NetworkInterfaceQueueNumber (NET-24), 0: default */
	const char *name, *hostname, *description, *image_id;
	json_t *tags; /* borrowed, may be NULL */
	bool start;   /* RunInstances: Pending -> Running; else -> Stopped */
	/* CreateInstance (NET-5): bandwidth > 0 brings no NatPublicIp at
	 * creation; AllocatePublicIpAddress assigns it later. */
	bool defer_public_ip;
};

/* Creates `amount` instances (1..INSTANCE_AMOUNT_MAX) in m->region, all or
 * none.  *ids (may be NULL) gets a new JSON array of their ids. */
int instance_create(struct model *m, const struct instance_create_req *r, int64_t amount,
		    json_t **ids);

int instance_start(struct model *m, const char *id);
int instance_stop(struct model *m, const char *id);
/* StopInstance's StoppedMode (NULL: KeepCharging).  NET-5a: StopCharging
 * (pay-as-you-go VPC instances only, else OperationDenied) releases the
 * NatPublicIp once stopped; StartInstance assigns one again. */
#define INSTANCE_STOP_CHARGING "StopCharging"
#define INSTANCE_KEEP_CHARGING "KeepCharging"
int instance_stop_mode(struct model *m, const char *id, const char *mode);
int instance_reboot(struct model *m, const char *id);
/* Running needs force; an unexpired PrePaid instance needs terminate_subscription. */
int instance_delete(struct model *m, const char *id, bool force, bool terminate_subscription);

/* NET-4: ModifyInstanceVpcAttribute (Stopped only).  vpc_id may be NULL (else must be the
 * instance's); ip NULL: allocate when the vSwitch changes. */
int instance_modify_vpc(struct model *m, const char *id, const char *vswitch_id, const char *vpc_id,
			const char *ip);

/* NET-6, NET-9, NET-28: ModifyInstanceNetworkSpec.  bw_out/bw_in < 0: unchanged;
 * internet_charge NULL: unchanged; allocate_public_ip: AllocatePublicIp. */
struct instance_netspec_req {
	const char *id;
	int64_t bw_out, bw_in;
	const char *internet_charge;
	bool allocate_public_ip;
};
int instance_modify_netspec(struct model *m, const struct instance_netspec_req *r);

/* NET-5 (and NET-9 for a PrePaid classic instance): AllocatePublicIpAddress.
 * ip (NETADDR_STRLEN) gets the address: the NatPublicIp already held, or a
 * new one for a subscription instance or one made by CreateInstance with
 * bandwidth (public_ip_entitled); a pay-as-you-go instance otherwise never
 * gets one (OperationDenied). */
int instance_allocate_public_ip(struct model *m, const char *id, char *ip);

/* NET-12: ConvertNatPublicIpToEip.  *eip (may be NULL) gets the new EIP. */
int instance_convert_to_eip(struct model *m, const char *id, json_t **eip);

/* NET-11: swaps the public IP of a Stopped instance for a new one, within
 * cfg->timing.ip_change_window of creation, at most quota IP_CHANGES times.
 * ip (NETADDR_STRLEN) gets the new address. */
int instance_replace_public_ip(struct model *m, const char *id, char *ip);

/* NET-6: the public IP as users and the data plane should see it now:
 * a NatPublicIp whose deferred release time (public_ip_release_at) has
 * passed is shown as gone even before a write releases it. */
const char *instance_public_ip(const struct model *m, const json_t *inst);

/* NET-10: whether the instance's network carries broadcast and multicast
 * (false for classic).  Stored as "no_broadcast" for the data plane. */
bool instance_carries_broadcast(const json_t *inst);

/* The classic network of a region (NET-1): instances get addresses in
 * [first, last] of its classic_pool; the pool's first address + 1 is the
 * gateway, the network and broadcast addresses are never handed out. */
void instance_classic_range(const struct model_region *r, struct netaddr *first,
			    struct netaddr *last);
char *instance_classic_gateway(const struct model_region *r, char *buf);

/* The security groups of an instance: its own (classic) or its primary ENI's
 * (VPC), as a new JSON array of strings. */
json_t *instance_security_groups(struct model *m, const json_t *inst);

/* The scheduler's hooks (model/schedule.h) for NET-6's deferred releases:
 * whether the instance's NatPublicIp release is due at m->now, and the
 * release itself (0, or -1 with the error set). */
bool instance_release_due(struct model *m, uint64_t owner, const char *id);
int instance_release_run(struct model *m, uint64_t owner, const char *id);

#endif
