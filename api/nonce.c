/*
 * nonce: see nonce.h.
 */
#include "api/nonce.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/log.h"

struct nonce_slot {
	uint64_t h1, h2; /* two independent hashes: a false replay needs both to collide */
	int64_t seen;	 /* 0: empty */
};

struct nonce_cache {
	pthread_mutex_t lock;
	struct nonce_slot *slots;
	size_t mask;
	int64_t window;
	uint64_t k1, k2;
};

#define NONCE_MAX_PROBE 64

static uint64_t nonce_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t nonce_hash(uint64_t key, const char *a, const char *b)
{
	uint64_t h = key;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		h = nonce_mix(h ^ *p) + 0x9e3779b97f4a7c15ull;
	h = nonce_mix(h ^ 0x100);
	for (const unsigned char *p = (const unsigned char *)b; *p; p++)
		h = nonce_mix(h ^ *p) + 0x9e3779b97f4a7c15ull;
	return nonce_mix(h) | 1; /* never 0 */
}

struct nonce_cache *nonce_cache_create(size_t capacity, int64_t window)
{
	size_t n = 1024;
	while (n < capacity)
		n <<= 1;
	struct nonce_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->slots = calloc(n, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	c->window = window;
	if (getrandom(&c->k1, sizeof(c->k1), 0) != sizeof(c->k1) ||
	    getrandom(&c->k2, sizeof(c->k2), 0) != sizeof(c->k2))
		fatal("getrandom failed");
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void nonce_cache_destroy(struct nonce_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	free(c);
}

enum nonce_result nonce_cache_check(struct nonce_cache *c, const char *akid, const char *nonce,
				    int64_t now)
{
	uint64_t h1 = nonce_hash(c->k1, akid, nonce), h2 = nonce_hash(c->k2, akid, nonce);
	enum nonce_result res = NONCE_FULL;
	pthread_mutex_lock(&c->lock);
	struct nonce_slot *reuse = NULL;
	for (size_t i = 0; i < NONCE_MAX_PROBE; i++) {
		struct nonce_slot *s = &c->slots[(h1 + i) & c->mask];
		bool live = s->seen != 0 && now - s->seen <= 2 * c->window;
		if (live && s->h1 == h1 && s->h2 == h2) {
			res = NONCE_REPLAYED;
			goto out;
		}
		if (!live && !reuse)
			reuse = s;
		if (s->seen == 0)
			break; /* an empty slot ends the probe chain */
	}
	if (reuse) {
		reuse->h1 = h1;
		reuse->h2 = h2;
		reuse->seen = now;
		res = NONCE_FRESH;
	}
out:
	pthread_mutex_unlock(&c->lock);
	return res;
}
