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
 *   bw_out, bw_in (Mbit/s; NET-28)
 *   public_ip    the NatPublicIp (VPC) or classic public IP, "" when none
 *   public_ip_changes   NET-11 counter
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

#endif
