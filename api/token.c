/*
 * token: see token.h.
 */
#include "api/token.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/clock.h"

bool token_live(int64_t at, int64_t now, int64_t ttl)
{
	return ttl <= 0 || now - at <= ttl;
}

int token_index(struct store_txn *t, const char *key, uint64_t owner, int64_t at)
{
	const char *hash = strrchr(key, '/');
	char ikey[MODEL_KEY_MAX], akey[64];
	snprintf(ikey, sizeof(ikey), "/tx/%012" PRId64 "/%" PRIu64 "%s", at < 0 ? 0 : at, owner,
		 hash ? hash : "/");
	snprintf(akey, sizeof(akey), "/a/%" PRIu64, owner);
	return store_put(t, ikey, "", 0, akey);
}

struct token_sweep_ctx {
	char (*keys)[MODEL_KEY_MAX];
	size_t n, cap;
};

static int token_sweep_cb(void *arg, const struct store_kv *kv)
{
	struct token_sweep_ctx *c = arg;
	if (c->n == c->cap || strlen(kv->key) >= MODEL_KEY_MAX)
		return 1;
	snprintf(c->keys[c->n++], MODEL_KEY_MAX, "%s", kv->key);
	return 0;
}

/* Removes the record an index entry names, when the record is still the one
 * the entry was written for (a token reused after expiry has a newer one). */
static int token_drop(struct store_txn *t, const char *ikey)
{
	int64_t at;
	uint64_t owner;
	char hash[80];
	if (sscanf(ikey, "/tx/%12" SCNd64 "/%" SCNu64 "/%79s", &at, &owner, hash) != 3)
		return store_del(t, ikey); /* not ours to read: just drop it */
	char rkey[MODEL_KEY_MAX];
	snprintf(rkey, sizeof(rkey), "/t/%" PRIu64 "/%s", owner, hash);
	char *val = NULL;
	size_t len;
	if (store_get(t, rkey, &val, &len, NULL) == 0) {
		json_t *o = json_loadb(val, len, 0, NULL);
		bool same = o && mj_int(o, "at") == at;
		json_decref(o);
		free(val);
		int rc = same ? store_del(t, rkey) : 0;
		if (rc < 0 && rc != -ENOENT)
			return rc;
	}
	int rc = store_del(t, ikey);
	return rc == -ENOENT ? 0 : rc;
}

int token_sweep(struct store *st, int64_t ttl, size_t limit)
{
	if (ttl <= 0 || limit == 0)
		return 0;
	struct store_txn *t;
	int rc = store_begin(st, true, &t);
	if (rc < 0)
		return rc;
	int64_t now = (int64_t)time(NULL) + model_clock_offset(t);
	char end[64];
	snprintf(end, sizeof(end), "/tx/%012" PRId64, now - ttl < 0 ? 0 : now - ttl);
	struct token_sweep_ctx c = {calloc(limit, sizeof(*c.keys)), 0, limit};
	if (!c.keys) {
		store_abort(t);
		return -ENOMEM;
	}
	rc = store_range(t, "/tx/", end, limit, token_sweep_cb, &c);
	for (size_t i = 0; rc >= 0 && i < c.n; i++)
		rc = token_drop(t, c.keys[i]);
	free(c.keys);
	if (rc < 0) {
		store_abort(t);
		return rc;
	}
	if (c.n == 0) {
		store_abort(t);
		return 0;
	}
	rc = store_commit(t, NULL);
	return rc < 0 ? rc : (int)c.n;
}
