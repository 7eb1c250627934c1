/*
 * eip: elastic IP addresses (NET-5, NET-7, NET-12, NET-30).
 *
 * An EIP ("eip-...", the AllocationId) holds:
 *   ip, bandwidth (Mbit/s), internet_charge ("PayByTraffic"|"PayByBandwidth"),
 *   charge ("PostPaid"|"PrePaid"), name, description, isp, tags,
 *   instance_id, instance_type ("EcsInstance"|"NetworkInterface"), private_ip,
 *   status Available|Associating|InUse|Unassociating|Releasing, settle_to.
 * Binding writes eip_id/eip_ip into the instance (or the ENI) in the same
 * transaction, so the two sides always agree.
 */
#ifndef OPENVPC_MODEL_EIP_H
#define OPENVPC_MODEL_EIP_H

#include "model/model.h"

/* NET-12: turns the instance's NatPublicIp into an EIP bound to it, keeping
 * the address and the bandwidth billing.  The caller has checked every
 * precondition; this writes the EIP (InUse) and updates inst in memory
 * (public_ip "", eip_id/eip_ip set) — the caller m_put()s inst. */
int eip_adopt_nat_ip(struct model *m, json_t *inst, json_t **out);
/* NET-7: the instance (or ENI) is going away: its EIP is unbound and survives. */
int eip_unbind_from(struct model *m, json_t *holder);

int settle_hook_eip(struct model *m, json_t *res, const char *final);

#endif
