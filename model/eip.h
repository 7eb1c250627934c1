/*
 * eip: elastic IP addresses (NET-5, NET-7, NET-12, NET-30).
 *
 * An EIP ("eip-...", the AllocationId) holds:
 *   ip, bandwidth (Mbit/s), internet_charge ("PayByTraffic"|"PayByBandwidth"),
 *   charge ("PostPaid"|"PrePaid"), expires (PrePaid: unix seconds, else 0),
 *   name, description, isp, tags,
 *   instance_id, instance_type ("EcsInstance"|"NetworkInterface"), private_ip,
 *   vpc_id (the holder's VPC),
 *   status Available|Associating|InUse|Unassociating|Releasing, settle_to.
 * Binding writes eip_id/eip_ip into the instance (or the ENI) in the same
 * transaction, so the two sides always agree.
 *
 * Invariants:
 *   1. The address is claimed in "public/<region>" with the EIP as holder for
 *      the EIP's whole life (pubip_alloc or pubip_rehold); it is released,
 *      with its PTR name (NET-30), only when the EIP goes away.
 *   2. Available: no holder (instance_id "").  Associating and InUse: the
 *      holder's doc names this EIP in eip_id/eip_ip.  Unassociating: the
 *      holder's fields are already clear; instance_id still names it until
 *      the agent settles.  Releasing: no holder.
 *   3. A holder (instance or ENI) has at most one EIP in any state but
 *      Available, and an instance with a NatPublicIp has none (NET-5).
 *
 * State diagram (G-6; "agent" is model_settle -> settle_hook_eip):
 *
 *   (new) --eip_allocate--> Available --eip_associate--> Associating
 *   Associating --agent--> InUse --eip_unassociate--> Unassociating
 *   Unassociating --agent--> Available --eip_release--> Releasing
 *   Releasing --agent--> (gone, pubip_release)
 *   Associating|InUse|Unassociating --eip_unbind_from--> Available (NET-7)
 *   (new) --eip_adopt_nat_ip--> InUse (NET-12)
 */
#ifndef OPENVPC_MODEL_EIP_H
#define OPENVPC_MODEL_EIP_H

#include "model/model.h"

/* Bandwidth limits in Mbit/s, by billing (the cloud's AllocateEipAddress docs). */
#define EIP_BW_DEFAULT 5
#define EIP_BW_MAX_BY_TRAFFIC 200   /* PostPaid, PayByTraffic */
#define EIP_BW_MAX_BY_BANDWIDTH 500 /* PostPaid, PayByBandwidth */
#define EIP_BW_MAX_PREPAID 1000	    /* PrePaid (always PayByBandwidth) */
/* Subscription periods: 1..9 months or 1..5 years. */
#define EIP_PERIOD_MONTHS_MAX 9
#define EIP_PERIOD_YEARS_MAX 5
#define EIP_MONTH_SECONDS (30 * 86400)
#define EIP_YEAR_SECONDS (365 * 86400)
#define EIP_NAME_MAX 128
#define EIP_DESCRIPTION_MAX 256

struct eip_alloc_req {
	int64_t bandwidth;	     /* Mbit/s, 1..the limit of the billing */
	const char *internet_charge; /* NULL: PayByBandwidth */
	const char *charge;	     /* NULL: PostPaid */
	int64_t period;		     /* PrePaid: number of pricing cycles (0: 1) */
	const char *pricing_cycle;   /* PrePaid: "Month" (NULL) or "Year" */
	const char *isp;	     /* NULL: "BGP"; also "BGP_PRO" */
	const char *name, *description;
	json_t *tags; /* [{"k","v"}] or NULL; borrowed */
};

/* AllocateEipAddress: a new EIP, Available at once, with the lowest free
 * address of m->region's public pool.  Errors: QuotaExceeded.Eip,
 * InsufficientPublicIp, InvalidParameter.  *out (may be NULL) gets a new
 * reference to the EIP. */
int eip_allocate(struct model *m, const struct eip_alloc_req *r, json_t **out);

struct eip_assoc_req {
	const char *eip_id;
	const char *instance_id;   /* an instance ("i-") or a secondary ENI ("eni-") */
	const char *instance_type; /* NULL: "EcsInstance"; or "NetworkInterface" */
	const char *private_ip;	   /* NULL: the holder's primary private IPv4 */
};

/* AssociateEipAddress (NET-5, NET-7): Available -> Associating, and writes
 * eip_id/eip_ip into the holder.  An instance must be a VPC instance,
 * Running or Stopped, without NatPublicIp or other EIP; an ENI must be a
 * secondary ENI, Available or InUse, without other EIP. */
int eip_associate(struct model *m, const struct eip_assoc_req *r);

/* UnassociateEipAddress: InUse -> Unassociating, clearing the holder's
 * fields.  instance_id/instance_type (may be NULL) must name the holder
 * when given (else InvalidBindingStatus). */
int eip_unassociate(struct model *m, const char *eip_id, const char *instance_id,
		    const char *instance_type);

/* ReleaseEipAddress (NET-7): Available -> Releasing; the agent frees the
 * address and its PTR (NET-30).  A subscription EIP is released only after
 * it expires (Forbidden.ChargeTypeIsPrepaid). */
int eip_release(struct model *m, const char *eip_id);

struct eip_modify_req {
	const char *eip_id;
	int64_t bandwidth;	 /* -1: unchanged */
	const char *name;	 /* NULL: unchanged; "" clears */
	const char *description; /* NULL: unchanged; "" clears */
};
/* ModifyEipAddressAttribute.  Refused while Releasing. */
int eip_modify(struct model *m, const struct eip_modify_req *r);

/* NET-12: turns the instance's NatPublicIp into an EIP bound to it, keeping
 * the address and the bandwidth billing.  The caller has checked every
 * precondition; this writes the EIP (InUse) and updates inst in memory
 * (public_ip "", eip_id/eip_ip set) — the caller m_put()s inst.
 * Counts against the EIP quota: -1 with QuotaExceeded.Eip when full (the
 * ECS caller answers MaxEIPQuotaExceeded).  *out (may be NULL) gets a new
 * reference to the EIP. */
int eip_adopt_nat_ip(struct model *m, json_t *inst, json_t **out);
/* NET-7: the instance (or ENI) is going away: its EIP is unbound and survives
 * (Available, whatever transitional state it was in).  For an instance, the
 * EIPs of the secondary ENIs still attached to it are unbound too, since
 * they are released with it (NET-21).  Writes the EIP docs and clears
 * eip_id/eip_ip of holder in memory; the caller deletes holder (and the
 * ENIs).  The ENI area calls it for an ENI it deletes on its own. */
int eip_unbind_from(struct model *m, json_t *holder);

/* Finishes Associating, Unassociating and Releasing (model/settle.h hook). */
int settle_hook_eip(struct model *m, json_t *res, const char *final);

#endif
