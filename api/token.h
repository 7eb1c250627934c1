/*
 * token: how long ClientToken answers are kept, and their removal.
 *
 * A write action with a ClientToken stores its answer under
 *   /t/<owner>/<sha256(token)>   {"action","fp","at","resp"}
 * and an index entry under
 *   /tx/<at, 12 digits>/<owner>/<sha256(token)>
 * in the same transaction (dispatch.c), both children of /a/<owner>.  A
 * record older than the time to live is treated as absent (a reuse of the
 * token is a new request), and token_sweep() deletes expired records in
 * key order of the index, so the store does not grow with every token ever
 * used.  Times are the model's (real time plus the test clock's offset).
 */
#ifndef OPENVPC_API_TOKEN_H
#define OPENVPC_API_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"
#include "store/store.h"

/* Alibaba's idempotence pages give no lifetime; openvpc keeps answers a day. */
#define TOKEN_TTL_DEFAULT (24 * 3600)

/* True when a record written at `at` is still valid at `now`. */
bool token_live(int64_t at, int64_t now, int64_t ttl);
/* Writes the index entry of the record at key "/t/<owner>/<hash>" written
 * at `at`, in t.  0 or a negative errno. */
int token_index(struct store_txn *t, const char *key, uint64_t owner, int64_t at);
/* Deletes up to `limit` expired records (and their index entries) in one
 * write transaction.  Returns how many index entries it removed (0: none
 * left), or a negative errno. */
int token_sweep(struct store *st, int64_t ttl, size_t limit);

#endif
