/*
 * pubip: the region's public IPv4 pool, shared by NatPublicIps (instances,
 * NET-5, NET-9) and EIPs (NET-7).  An address is claimed in scope
 * "public/<region>" with its holder (the instance or the EIP), so it is
 * never handed out twice; releasing it also forgets its reverse-DNS name
 * (NET-30).
 */
#ifndef OPENVPC_MODEL_PUBIP_H
#define OPENVPC_MODEL_PUBIP_H

#include "model/model.h"

/* Claims the lowest free address of m->region's public pool for holder
 * (owner = holder's owner).  Error InsufficientPublicIp when the pool is
 * empty.  out: text form (NETADDR_STRLEN). */
int pubip_alloc(struct model *m, uint64_t owner, const char *holder_id, char *out);
/* Moves an allocated address to a new holder (ConvertNatPublicIpToEip, NET-12). */
int pubip_rehold(struct model *m, const char *region, const char *ip, uint64_t owner,
		 const char *holder_id);
/* Releases an address and its PTR name. */
int pubip_release(struct model *m, const char *region, const char *ip);

#endif
