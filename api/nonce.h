/*
 * nonce: the set of SignatureNonce values seen within the timestamp window,
 * so a captured request cannot be replayed (SignatureNonceUsed).
 *
 * A request is accepted only when its timestamp lies within `window`
 * seconds of now, so a nonce needs remembering for at most 2*window; older
 * entries are reused in place.  The table is open-addressed over 64-bit
 * hashes (SipHash-like keyed mixing with a random key, so a client cannot
 * aim collisions), bounded in memory; when it is full of live nonces the
 * request is refused (the caller answers Throttling) rather than forgetting
 * a live nonce.  Thread-safe (one mutex; the critical section is tiny).
 */
#ifndef OPENVPC_API_NONCE_H
#define OPENVPC_API_NONCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nonce_cache;

/* capacity is rounded up to a power of two. NULL on allocation failure. */
struct nonce_cache *nonce_cache_create(size_t capacity, int64_t window);
void nonce_cache_destroy(struct nonce_cache *c);

enum nonce_result { NONCE_FRESH, NONCE_REPLAYED, NONCE_FULL };

/* Records (access key, nonce) seen at `now`. */
enum nonce_result nonce_cache_check(struct nonce_cache *c, const char *akid, const char *nonce,
				    int64_t now);

#endif
