/*
 * auth: authentication of RPC requests in the three dialects the SDKs send
 * (shared/reference/alibaba-api.md section 0): V1 HMAC-SHA1 with the
 * signature in the query or the form body, and V3 ACS3-HMAC-SHA256 with an
 * Authorization header.  Checks the signature against the account's secret,
 * the timestamp against a 15-minute window (real time, never the test
 * clock), and the nonce against replays.
 */
#ifndef OPENVPC_API_AUTH_H
#define OPENVPC_API_AUTH_H

#include "api/params.h"
#include "api/server-private.h"
#include "model/account.h"

struct api_auth {
	struct account_key key; /* the caller's key and account */
	char action[80];
	char version[24];
};

/* 0 and *who filled, or -1 with *e set.  `all` are the merged parameters,
 * `query` those of the query string alone (V3 signs only those).  The key is
 * read in t, a read transaction the caller owns. */
int api_authenticate(struct api_server *s, struct store_txn *t, const struct api_http_req *in,
		     const struct params *all, const struct params *query, int64_t now,
		     struct api_auth *who, struct merr *e);

#endif
