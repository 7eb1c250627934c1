/*
 * nonce: the set of SignatureNonce values accepted within the timestamp
 * window, so a captured request cannot be replayed (SignatureNonceUsed),
 * not even after a restart or a crash of openvpcd.
 *
 * Invariants:
 *  1. A nonce is remembered until the timestamp of the request that carried
 *     it leaves the window (ts + window, never less than now + 1): after
 *     that, the request is refused as expired anyway, so its slot is reused.
 *  2. A nonce is written to the log (write(2), before the request runs)
 *     when it is accepted, so it survives SIGTERM and kill -9 (the page
 *     cache outlives the process); nonce_cache_sync() makes the log durable
 *     against power loss too, and the API calls it before any write action
 *     runs, so a replayed change is refused even after a power cut.
 *  3. The table is shared by every account and bounded.  An account may
 *     insert only while 2*(its live nonces) + (everyone else's) stays under
 *     the usable capacity: one account alone gets half the table, k greedy
 *     accounts get 1/(k+1) each, and there is always room for a newcomer.
 *     A greedy account is refused on its own (NONCE_OVER_SHARE), the others
 *     are not.
 *
 * The log is a directory of segments <dir>/<start>.log, one per `window`
 * seconds of acceptance time, of fixed 32-byte records; a segment is
 * deleted once every nonce in it has expired (start + 3*window).  The keyed
 * hashes (random key in <dir>/key, so a client cannot aim collisions) are
 * what is stored, never the nonce text.  Thread-safe: one mutex around the
 * table and the append, one more for the sync.
 */
#ifndef OPENVPC_API_NONCE_H
#define OPENVPC_API_NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nonce_cache;

/* Opens the cache with `capacity` slots (rounded up to a power of two) for
 * timestamps accepted within +-window seconds.  dir NULL: memory only (tests).
 * Otherwise dir is created (0700) when missing, the live nonces of its
 * segments are loaded and expired segments deleted.  0 and *out, or a
 * negative errno. */
int nonce_cache_open(const char *dir, size_t capacity, int64_t window, int64_t now,
		     struct nonce_cache **out);
/* A memory-only cache; NULL on allocation failure. */
struct nonce_cache *nonce_cache_create(size_t capacity, int64_t window);
/* Closes the log (synced) and frees; accepts NULL. */
void nonce_cache_destroy(struct nonce_cache *c);

enum nonce_result {
	NONCE_FRESH,	  /* recorded: the request may run */
	NONCE_REPLAYED,	  /* seen within the window */
	NONCE_OVER_SHARE, /* this account holds its share of the table: throttled */
	NONCE_FULL,	  /* no room, or the log cannot be written: try later */
};

/* Records (akid, nonce) for account `owner`, carried by a request stamped
 * `ts` and received at `now`. */
enum nonce_result nonce_cache_check(struct nonce_cache *c, uint64_t owner, const char *akid,
				    const char *nonce, int64_t ts, int64_t now);
/* Makes every nonce accepted so far durable (fdatasync of the log; shared
 * by concurrent callers).  0, or a negative errno. */
int nonce_cache_sync(struct nonce_cache *c);
/* Live nonces held by `owner` (owner 0: by everyone), for tests. */
size_t nonce_cache_live(struct nonce_cache *c, uint64_t owner, int64_t now);

#endif
