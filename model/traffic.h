/*
 * traffic: public traffic of instances per hour, for billing (NET-29, NET-8).
 *
 * The data-plane agent adds the bytes it counted on an instance's public
 * address (its NatPublicIp, classic public IP or bound EIP) with
 * traffic_add(); the operator exports them as CSV (ExportPublicTraffic).
 * Only outbound bytes are billable (NET-8): inbound is recorded but free.
 *
 *   /traffic/<owner>/<instance-id>/<yyyymmddhh>
 *       {"hour": unix seconds, "bytes_out", "bytes_in", "public_ip"}
 *
 * Records outlive their instance: a released instance's traffic is still
 * billed.
 */
#ifndef OPENVPC_MODEL_TRAFFIC_H
#define OPENVPC_MODEL_TRAFFIC_H

#include "model/model.h"

#define TRAFFIC_HOUR 3600
#define TRAFFIC_CSV_HEADER "instance_id,public_ip,hour,bytes_out,bytes_in,billable_bytes\n"

/* Adds bytes counted during the hour that contains hour_start (rounded
 * down to the hour) to the instance's record.  The public address recorded
 * is the instance's current one when it still exists, else the one already
 * recorded.  -1 with m->err set on a store failure or a malformed id. */
int traffic_add(struct model *m, uint64_t owner, const char *instance_id, int64_t hour_start,
		uint64_t bytes_out, uint64_t bytes_in);

/* The CSV (TRAFFIC_CSV_HEADER, then one line per instance and hour with
 * start <= hour < end, by owner, instance and hour) of one account (owner)
 * or of all (owner 0).  hour is ISO 8601 UTC ("2027-01-15T10:00:00Z");
 * billable_bytes = bytes_out.  *csv is malloc'd; the caller frees it. */
int traffic_export_csv(struct model *m, uint64_t owner, int64_t start, int64_t end, char **csv);

#endif
