/*
 * store: the engine-independent half of store.h.  It picks an engine by the
 * scheme of the URI ("sqlite:PATH", later "etcd:..."), then forwards every
 * call to that engine's struct store_ops; the prefix helpers are written once
 * here on top of range and count.
 *
 * Adding an engine: implement struct store_ops in store/ENGINE.c, declare it
 * in store/store-private.h and add one line to store_engines[] below.
 */
#include "store/store-private.h"

#include <stdlib.h>
#include <string.h>

static const struct store_engine {
	const char *scheme; /* the URI up to its first ':' */
	const struct store_ops *ops;
} store_engines[] = {
    {"sqlite", &store_sqlite_ops},
    /* XXX: {"etcd", &store_etcd_ops}, the cluster engine, is still to come. */
};

static const struct store_ops *store_engine_find(const char *uri)
{
	const char *colon = strchr(uri, ':');
	if (!colon)
		return NULL;
	size_t n = (size_t)(colon - uri);
	for (size_t i = 0; i < sizeof(store_engines) / sizeof(store_engines[0]); i++) {
		const struct store_engine *e = &store_engines[i];
		if (strlen(e->scheme) == n && memcmp(e->scheme, uri, n) == 0)
			return e->ops;
	}
	return NULL;
}

int store_open(const char *uri, struct store **out)
{
	*out = NULL;
	if (!uri)
		return -EINVAL;
	const struct store_ops *ops = store_engine_find(uri);
	if (!ops)
		return -EPROTONOSUPPORT;
	return ops->open(uri, out);
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}

int store_begin(struct store *s, bool write, struct store_txn **out)
{
	*out = NULL;
	return s->ops->begin(s, write, out);
}

int store_get(struct store_txn *t, const char *key, char **value, size_t *len, uint64_t *mod_rev)
{
	return t->store->ops->get(t, key, value, len, mod_rev);
}

int store_put(struct store_txn *t, const char *key, const char *value, size_t len,
	      const char *parent)
{
	return t->store->ops->put(t, key, value, len, parent, false);
}

int store_create(struct store_txn *t, const char *key, const char *value, size_t len,
		 const char *parent)
{
	return t->store->ops->put(t, key, value, len, parent, true);
}

int store_del(struct store_txn *t, const char *key)
{
	return t->store->ops->del(t, key);
}

int store_range(struct store_txn *t, const char *start, const char *end, size_t limit,
		store_kv_cb cb, void *arg)
{
	return t->store->ops->range(t, start, end, limit, cb, arg);
}

int store_count(struct store_txn *t, const char *start, const char *end, uint64_t *n)
{
	return t->store->ops->count(t, start, end, n);
}

/* Runs fn over [prefix, store_prefix_end(prefix)).  An end of "" means "no
 * upper bound" to the engines (no key sorts below ""), which is what a prefix
 * of only 0xff bytes, or the empty prefix, needs. */
int store_prefix(struct store_txn *t, const char *prefix, store_kv_cb cb, void *arg)
{
	size_t n = strlen(prefix);
	char small[128];
	char *end = n < sizeof(small) ? small : malloc(n + 1);
	if (!end)
		return -ENOMEM;
	store_prefix_end(prefix, end);
	int r = store_range(t, prefix, end, 0, cb, arg);
	if (end != small)
		free(end);
	return r;
}

int store_count_dir(struct store_txn *t, const char *dir, uint64_t *n)
{
	return t->store->ops->count_dir(t, dir, n);
}

int store_count_prefix(struct store_txn *t, const char *prefix, uint64_t *count)
{
	size_t n = strlen(prefix);
	char small[128];
	char *end = n < sizeof(small) ? small : malloc(n + 1);
	if (!end)
		return -ENOMEM;
	store_prefix_end(prefix, end);
	int r = store_count(t, prefix, end, count);
	if (end != small)
		free(end);
	return r;
}

int store_commit(struct store_txn *t, uint64_t *rev)
{
	return t->store->ops->commit(t, rev);
}

void store_abort(struct store_txn *t)
{
	if (t)
		t->store->ops->abort(t);
}

uint64_t store_revision(struct store *s)
{
	return s->ops->revision(s);
}

int store_changes(struct store *s, uint64_t after_rev, size_t limit, store_change_cb cb, void *arg)
{
	return s->ops->changes(s, after_rev, limit, cb, arg);
}

int store_wait(struct store *s, uint64_t after_rev, int timeout_ms)
{
	return s->ops->wait(s, after_rev, timeout_ms);
}

/* Trailing 0xff bytes cannot be incremented: "ab\xff" ends before "ac", so
 * they are dropped first.  When nothing is left the result is "", which the
 * range functions read as "no upper bound". */
void store_prefix_end(const char *prefix, char *buf)
{
	size_t n = strlen(prefix);
	memcpy(buf, prefix, n + 1);
	while (n > 0 && (unsigned char)buf[n - 1] == 0xff)
		buf[--n] = '\0';
	if (n > 0)
		buf[n - 1] = (char)((unsigned char)buf[n - 1] + 1);
}
