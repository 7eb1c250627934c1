/*
 * rdns: reverse DNS names of public IPv4 addresses (NET-30).  One PTR name
 * per public address in use (a NatPublicIp or an EIP), set by the operator;
 * the name goes when the address is released (rdns_forget), so a later
 * holder of the address never inherits someone else's name.
 *   /rdns/<region>/<hex address> -> {"ip","name","holder"}
 */
#ifndef OPENVPC_MODEL_RDNS_H
#define OPENVPC_MODEL_RDNS_H

#include "model/model.h"

/* Sets (name non-empty) or clears (name NULL or "") the PTR of ip, which
 * must be a public address of m->region that is currently allocated. */
int rdns_set(struct model *m, const char *ip, const char *name);
/* All names of m->region as a JSON array of {"ip","name","holder"}. */
json_t *rdns_list(struct model *m);
/* Drops the name of a released address (no error when it has none). */
int rdns_forget(struct model *m, const char *region, const struct netaddr *a);
/* True when name is a valid DNS host name (RFC 1123 labels, <= 253 chars). */
bool rdns_valid_name(const char *name);

#endif
