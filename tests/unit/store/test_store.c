/*
 * Unit tests of the store (store/store.h) on its SQLite engine: the key/value
 * calls, revisions, the change feed, the parent rule, snapshots under a
 * running writer, concurrent writers, group commit, reopening, URI options,
 * and a randomized run checked against a deliberately simple in-memory
 * reference (an array of keys).
 *
 * Each case gets a fresh database in its own temporary directory (fixture
 * st_setup/st_teardown) and runs in its own process (Criterion), so a crash
 * fails one case.
 */
#include "store/store.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char st_dir[64];
static char st_uri[128];
static struct store *st;

static void st_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(st_dir, sizeof(st_dir), "%s/ovstore-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(st_dir));
	snprintf(st_uri, sizeof(st_uri), "sqlite:%s/db", st_dir);
	cr_assert_eq(store_open(st_uri, &st), 0);
}

static void st_teardown(void)
{
	store_close(st);
	st = NULL;
	static const char *const sfx[] = {"db", "db-wal", "db-shm"};
	char p[160];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", st_dir, sfx[i]);
		unlink(p);
	}
	rmdir(st_dir);
}

static void st_reopen(void)
{
	store_close(st);
	st = NULL;
	cr_assert_eq(store_open(st_uri, &st), 0);
}

TestSuite(store, .init = st_setup, .fini = st_teardown, .timeout = 60);

/* --- helpers --- */

static uint64_t put1(const char *key, const char *value, const char *parent)
{
	struct store_txn *t;
	uint64_t rev = 0;
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, key, value, strlen(value), parent), 0);
	cr_assert_eq(store_commit(t, &rev), 0);
	return rev;
}

/* The value of key in a fresh read transaction, or NULL; caller frees. */
static char *get1(const char *key)
{
	struct store_txn *t;
	char *v = NULL;
	cr_assert_eq(store_begin(st, false, &t), 0);
	int r = store_get(t, key, &v, NULL, NULL);
	cr_assert(r == 0 || r == -ENOENT, "get %s: %d", key, r);
	cr_assert_eq(store_commit(t, NULL), 0);
	return v;
}

static void expect_value(const char *key, const char *want)
{
	char *v = get1(key);
	if (!want) {
		cr_assert_null(v, "%s should be absent, is %s", key, v);
		return;
	}
	cr_assert_not_null(v, "%s is absent", key);
	cr_assert_str_eq(v, want);
	free(v);
}

struct collect {
	char keys[64][32];
	size_t n;
	int stop_at; /* stop after this many with 42; 0: never */
};

static int collect_cb(void *arg, const struct store_kv *kv)
{
	struct collect *c = arg;
	cr_assert_lt(c->n, 64);
	snprintf(c->keys[c->n++], 32, "%s", kv->key);
	return c->stop_at && (int)c->n == c->stop_at ? 42 : 0;
}

/* --- basics --- */

Test(store, get_put_create_del)
{
	struct store_txn *t;
	char *v;
	size_t len;
	uint64_t mod;
	cr_assert_eq(store_revision(st), 0);
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_get(t, "a", &v, &len, &mod), -ENOENT);
	cr_assert_null(v);
	cr_assert_eq(store_put(t, "a", "one", 3, NULL), 0);
	cr_assert_eq(store_create(t, "a", "x", 1, NULL), -EEXIST);
	cr_assert_eq(store_create(t, "b", "two", 3, NULL), 0);
	cr_assert_eq(store_del(t, "nope"), -ENOENT);
	/* A write transaction reads its own writes. */
	cr_assert_eq(store_get(t, "a", &v, &len, &mod), 0);
	cr_assert_str_eq(v, "one");
	cr_assert_eq(len, 3);
	cr_assert_eq(mod, 1);
	free(v);
	uint64_t rev;
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(rev, 1);
	cr_assert_eq(store_revision(st), 1);

	expect_value("a", "one");
	expect_value("b", "two");
	cr_assert_eq(put1("a", "uno", NULL), 2);
	expect_value("a", "uno");

	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_del(t, "a"), 0);
	cr_assert_eq(store_del(t, "a"), -ENOENT);
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(rev, 3);
	expect_value("a", NULL);
	expect_value("b", "two");
}

Test(store, values_are_bytes)
{
	struct store_txn *t;
	char *v;
	size_t len;
	uint64_t mod;
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "bin", "a\0b\xff", 4, NULL), 0);
	cr_assert_eq(store_put(t, "empty", "", 0, NULL), 0);
	cr_assert_eq(store_put(t, "null", NULL, 0, NULL), 0);
	cr_assert_eq(store_put(t, "bad", NULL, 3, NULL), -EINVAL);
	cr_assert_eq(store_commit(t, NULL), 0);
	cr_assert_eq(store_begin(st, false, &t), 0);
	cr_assert_eq(store_get(t, "bin", &v, &len, &mod), 0);
	cr_assert_eq(len, 4);
	cr_assert_eq(memcmp(v, "a\0b\xff", 5), 0); /* with the added NUL */
	free(v);
	cr_assert_eq(store_get(t, "empty", &v, &len, NULL), 0);
	cr_assert_eq(len, 0);
	cr_assert_str_eq(v, "");
	free(v);
	cr_assert_eq(store_get(t, "null", &v, NULL, NULL), 0);
	cr_assert_str_eq(v, "");
	free(v);
	store_abort(t);
}

Test(store, range_count_prefix)
{
	static const char *const keys[] = {"a",	 "a/1", "a/2",	 "a/3",
					   "a0", "b/1", "b\xff", "b\xff\xff"};
	struct store_txn *t;
	cr_assert_eq(store_begin(st, true, &t), 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert_eq(store_put(t, keys[i], "v", 1, NULL), 0);
	cr_assert_eq(store_commit(t, NULL), 0);

	cr_assert_eq(store_begin(st, false, &t), 0);
	struct collect c = {0};
	cr_assert_eq(store_prefix(t, "a/", collect_cb, &c), 0);
	cr_assert_eq(c.n, 3);
	cr_assert_str_eq(c.keys[0], "a/1");
	cr_assert_str_eq(c.keys[2], "a/3");

	memset(&c, 0, sizeof(c));
	cr_assert_eq(store_range(t, "a/", "b", 2, collect_cb, &c), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_str_eq(c.keys[1], "a/2");

	memset(&c, 0, sizeof(c));
	cr_assert_eq(store_range(t, NULL, NULL, 0, collect_cb, &c), 0);
	cr_assert_eq(c.n, 8);
	cr_assert_str_eq(c.keys[0], "a");
	cr_assert_str_eq(c.keys[7], "b\xff\xff");

	memset(&c, 0, sizeof(c));
	c.stop_at = 2;
	cr_assert_eq(store_range(t, "", NULL, 0, collect_cb, &c), 42);
	cr_assert_eq(c.n, 2);

	memset(&c, 0, sizeof(c));
	cr_assert_eq(store_prefix(t, "b\xff", collect_cb, &c), 0);
	cr_assert_eq(c.n, 2);
	memset(&c, 0, sizeof(c));
	cr_assert_eq(store_prefix(t, "", collect_cb, &c), 0);
	cr_assert_eq(c.n, 8);

	uint64_t n;
	cr_assert_eq(store_count(t, "a", "a0", &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(store_count(t, "a", NULL, &n), 0);
	cr_assert_eq(n, 8);
	cr_assert_eq(store_count_prefix(t, "a", &n), 0);
	cr_assert_eq(n, 5);
	cr_assert_eq(store_count_prefix(t, "zz", &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(store_count_prefix(t, "b\xff", &n), 0);
	cr_assert_eq(n, 2);
	store_abort(t);

	char buf[8];
	store_prefix_end("a/", buf);
	cr_assert_str_eq(buf, "a0");
	store_prefix_end("a\xff", buf);
	cr_assert_str_eq(buf, "b");
	store_prefix_end("\xff\xff", buf);
	cr_assert_str_eq(buf, "");
	store_prefix_end("", buf);
	cr_assert_str_eq(buf, "");
}

/* A callback may read through the transaction that calls it, even with the
 * statement that is running (a fresh one is prepared). */
struct nested {
	struct store_txn *t;
	int n;
};

static int nested_cb(void *arg, const struct store_kv *kv)
{
	struct nested *x = arg;
	char *v;
	cr_assert_eq(store_get(x->t, kv->key, &v, NULL, NULL), 0);
	cr_assert_str_eq(v, kv->value);
	free(v);
	struct collect c = {0};
	cr_assert_eq(store_range(x->t, NULL, NULL, 0, collect_cb, &c), 0);
	cr_assert_eq(c.n, 3);
	x->n++;
	return 0;
}

Test(store, nested_reads_in_callback)
{
	struct store_txn *t;
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "x", "1", 1, NULL), 0);
	cr_assert_eq(store_put(t, "y", "2", 1, NULL), 0);
	cr_assert_eq(store_put(t, "z", "3", 1, NULL), 0);
	struct nested x = {t, 0};
	cr_assert_eq(store_range(t, NULL, NULL, 0, nested_cb, &x), 0);
	cr_assert_eq(x.n, 3);
	cr_assert_eq(store_commit(t, NULL), 0);
}

/* --- revisions, abort --- */

Test(store, revision_per_commit_no_gap)
{
	struct store_txn *t;
	uint64_t rev;
	for (uint64_t i = 1; i <= 20; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%llu", (unsigned long long)i);
		cr_assert_eq(store_begin(st, true, &t), 0);
		cr_assert_eq(store_put(t, k, "v", 1, NULL), 0);
		cr_assert_eq(store_put(t, "same", k, strlen(k), NULL), 0);
		cr_assert_eq(store_commit(t, &rev), 0);
		cr_assert_eq(rev, i);
		cr_assert_eq(store_revision(st), i);
	}
	/* Nothing written: no revision. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(rev, 20);
	/* Only failed writes: no revision either. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_create(t, "k1", "v", 1, NULL), -EEXIST);
	cr_assert_eq(store_del(t, "missing"), -ENOENT);
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(rev, 20);
	cr_assert_eq(put1("k21", "v", NULL), 21);
	/* A read transaction reports its snapshot's revision. */
	cr_assert_eq(store_begin(st, false, &t), 0);
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(rev, 21);
	/* Writes through a read transaction are refused. */
	cr_assert_eq(store_begin(st, false, &t), 0);
	cr_assert_eq(store_put(t, "x", "v", 1, NULL), -EBADF);
	cr_assert_eq(store_del(t, "k1"), -EBADF);
	store_abort(t);
}

Test(store, abort_leaves_nothing)
{
	put1("keep", "1", NULL);
	struct store_txn *t;
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "gone", "x", 1, NULL), 0);
	cr_assert_eq(store_put(t, "keep", "2", 1, NULL), 0);
	cr_assert_eq(store_del(t, "keep"), 0);
	store_abort(t);
	store_abort(NULL);
	expect_value("gone", NULL);
	expect_value("keep", "1");
	cr_assert_eq(store_revision(st), 1);
	/* The feed did not see it and the next commit takes revision 2. */
	cr_assert_eq(put1("after", "x", NULL), 2);
	uint64_t n = 0;
	cr_assert_eq(store_begin(st, false, &t), 0);
	cr_assert_eq(store_count(t, NULL, NULL, &n), 0);
	cr_assert_eq(n, 2);
	store_abort(t);
}

/* --- change feed --- */

struct feed {
	struct store_change c[64];
	char key[64][16];
	char val[64][16];
	size_t n;
	size_t stop_at;
};

static int feed_cb(void *arg, const struct store_change *c)
{
	struct feed *f = arg;
	cr_assert_lt(f->n, 64);
	f->c[f->n] = *c;
	snprintf(f->key[f->n], 16, "%s", c->kv.key);
	snprintf(f->val[f->n], 16, "%s", c->kv.value ? c->kv.value : "(null)");
	f->n++;
	return f->stop_at && f->n == f->stop_at ? 7 : 0;
}

Test(store, change_feed)
{
	struct store_txn *t;
	/* rev 1: three changes; rev 2: one; rev 3: two (a put and a delete). */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "a", "a1", 2, NULL), 0);
	cr_assert_eq(store_put(t, "b", "b1", 2, NULL), 0);
	cr_assert_eq(store_put(t, "c", "c1", 2, NULL), 0);
	cr_assert_eq(store_commit(t, NULL), 0);
	put1("a", "a2", NULL);
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "d", "d3", 2, NULL), 0);
	cr_assert_eq(store_del(t, "b"), 0);
	cr_assert_eq(store_commit(t, NULL), 0);

	struct feed f = {0};
	cr_assert_eq(store_changes(st, 0, 0, feed_cb, &f), 0);
	cr_assert_eq(f.n, 6);
	static const uint64_t revs[] = {1, 1, 1, 2, 3, 3};
	static const char *const keys[] = {"a", "b", "c", "a", "d", "b"};
	static const char *const vals[] = {"a1", "b1", "c1", "a2", "d3", "(null)"};
	for (size_t i = 0; i < 6; i++) {
		cr_assert_eq(f.c[i].rev, revs[i]);
		cr_assert_eq(f.c[i].kv.mod_rev, revs[i]);
		cr_assert_str_eq(f.key[i], keys[i]);
		cr_assert_str_eq(f.val[i], vals[i]);
		cr_assert_eq(f.c[i].op, i == 5 ? STORE_DEL : STORE_PUT);
	}
	/* From any revision. */
	memset(&f, 0, sizeof(f));
	cr_assert_eq(store_changes(st, 2, 0, feed_cb, &f), 0);
	cr_assert_eq(f.n, 2);
	cr_assert_eq(f.c[0].rev, 3);
	memset(&f, 0, sizeof(f));
	cr_assert_eq(store_changes(st, 3, 0, feed_cb, &f), 0);
	cr_assert_eq(f.n, 0);
	/* A limit never splits a revision. */
	static const struct {
		uint64_t after;
		size_t limit, want;
	} lim[] = {{0, 1, 3}, {0, 3, 3}, {0, 4, 4}, {0, 5, 6}, {1, 1, 1}, {1, 2, 3}, {2, 1, 2}};
	for (size_t i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		memset(&f, 0, sizeof(f));
		cr_assert_eq(store_changes(st, lim[i].after, lim[i].limit, feed_cb, &f), 0);
		cr_assert_eq(f.n, lim[i].want, "after %llu limit %zu: %zu",
			     (unsigned long long)lim[i].after, lim[i].limit, f.n);
	}
	/* A callback's non-zero answer stops and is returned. */
	memset(&f, 0, sizeof(f));
	f.stop_at = 2;
	cr_assert_eq(store_changes(st, 0, 0, feed_cb, &f), 7);
	cr_assert_eq(f.n, 2);
}

/* --- parent rule --- */

Test(store, parent_rules)
{
	struct store_txn *t;
	uint64_t rev;
	/* A child without its parent is refused at commit, writing nothing. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "other", "x", 1, NULL), 0);
	cr_assert_eq(store_put(t, "vpc/1/vsw/1", "c", 1, "vpc/1"), 0);
	cr_assert_eq(store_commit(t, &rev), -ECONSTRAINT);
	expect_value("other", NULL);
	expect_value("vpc/1/vsw/1", NULL);
	cr_assert_eq(store_revision(st), 0);

	/* Parent and child in one transaction, child first. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_create(t, "vpc/1/vsw/1", "c", 1, "vpc/1"), 0);
	cr_assert_eq(store_create(t, "vpc/1", "p", 1, NULL), 0);
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(rev, 1);
	/* ... and parent first. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_create(t, "vpc/2", "p", 1, NULL), 0);
	cr_assert_eq(store_create(t, "vpc/2/vsw/1", "c", 1, "vpc/2"), 0);
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(rev, 2);

	/* A parent with a child cannot be deleted. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_del(t, "vpc/1"), 0); /* checked at commit */
	cr_assert_eq(store_commit(t, &rev), -ECONSTRAINT);
	expect_value("vpc/1", "p");
	cr_assert_eq(store_revision(st), 2);

	/* A child cannot be moved under a missing parent. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "vpc/1/vsw/1", "c2", 2, "vpc/9"), 0);
	cr_assert_eq(store_commit(t, &rev), -ECONSTRAINT);
	expect_value("vpc/1/vsw/1", "c");

	/* Deleting a parent, then writing it again in the same transaction. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_del(t, "vpc/1"), 0);
	cr_assert_eq(store_put(t, "vpc/1", "p2", 2, NULL), 0);
	cr_assert_eq(store_commit(t, &rev), 0);
	expect_value("vpc/1", "p2");
	expect_value("vpc/1/vsw/1", "c");

	/* Parent and child deleted together, in either order. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_del(t, "vpc/1"), 0);
	cr_assert_eq(store_del(t, "vpc/1/vsw/1"), 0);
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_del(t, "vpc/2/vsw/1"), 0);
	cr_assert_eq(store_del(t, "vpc/2"), 0);
	cr_assert_eq(store_commit(t, &rev), 0);
	cr_assert_eq(rev, 5);
	expect_value("vpc/1", NULL);
	expect_value("vpc/2", NULL);

	/* The store still works after refused commits (the write lock and the
	 * connection were given back clean). */
	cr_assert_eq(put1("after", "x", NULL), 6);
}

/* --- concurrency --- */

Test(store, snapshot_while_writing)
{
	put1("k", "old", NULL);
	struct store_txn *w, *r1, *r2;
	char *v;
	cr_assert_eq(store_begin(st, true, &w), 0);
	cr_assert_eq(store_put(w, "k", "new", 3, NULL), 0);
	cr_assert_eq(store_put(w, "k2", "new", 3, NULL), 0);
	/* A reader begun while the writer holds the write lock does not wait
	 * (same thread: waiting would hang) and sees the last commit. */
	cr_assert_eq(store_begin(st, false, &r1), 0);
	cr_assert_eq(store_get(r1, "k", &v, NULL, NULL), 0);
	cr_assert_str_eq(v, "old");
	free(v);
	cr_assert_eq(store_get(r1, "k2", &v, NULL, NULL), -ENOENT);
	uint64_t rev;
	cr_assert_eq(store_commit(w, &rev), 0);
	cr_assert_eq(rev, 2);
	/* r1 keeps its snapshot after the commit. */
	cr_assert_eq(store_get(r1, "k", &v, NULL, NULL), 0);
	cr_assert_str_eq(v, "old");
	free(v);
	uint64_t n;
	cr_assert_eq(store_count(r1, NULL, NULL, &n), 0);
	cr_assert_eq(n, 1);
	/* A new reader sees the commit. */
	cr_assert_eq(store_begin(st, false, &r2), 0);
	cr_assert_eq(store_get(r2, "k", &v, NULL, NULL), 0);
	cr_assert_str_eq(v, "new");
	free(v);
	cr_assert_eq(store_commit(r1, &rev), 0);
	cr_assert_eq(rev, 1);
	cr_assert_eq(store_commit(r2, &rev), 0);
	cr_assert_eq(rev, 2);
}

Test(store, nested_write_is_refused)
{
	struct store_txn *w, *w2 = NULL;
	cr_assert_eq(store_begin(st, true, &w), 0);
	cr_assert_eq(store_begin(st, true, &w2), -EDEADLK);
	cr_assert_null(w2);
	store_abort(w);
}

#define NTHREADS 8
#define NCOMMITS 200

struct writer {
	int id;
	uint64_t revs[NCOMMITS];
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	for (int i = 0; i < NCOMMITS; i++) {
		char k[32], v[64];
		snprintf(k, sizeof(k), "w/%d/%03d", w->id, i);
		snprintf(v, sizeof(v), "value-%d-%d-%s", w->id, i, "0123456789abcdef");
		struct store_txn *t;
		if (store_begin(st, true, &t) != 0)
			return "begin";
		if (store_put(t, k, v, strlen(v), NULL) != 0)
			return "put";
		if (store_commit(t, &w->revs[i]) != 0)
			return "commit";
	}
	return NULL;
}

/* Readers running beside the writers: every snapshot holds exactly as many
 * keys as its revision, since every commit adds one. */
static volatile int readers_stop;

static void *reader_main(void *arg)
{
	unsigned long *n = arg;
	while (!readers_stop) {
		struct store_txn *t;
		uint64_t count, rev;
		if (store_begin(st, false, &t) != 0)
			return "begin";
		if (store_count_prefix(t, "w/", &count) != 0)
			return "count";
		if (store_commit(t, &rev) != 0)
			return "commit";
		if (count != rev)
			return "snapshot count differs from its revision";
		(*n)++;
		usleep(50); /* leave the CPUs to the writers on a small machine */
	}
	return NULL;
}

struct feed_check {
	uint64_t next_rev;
	const char **key_of_rev; /* expected key per revision */
	int bad;
};

static int feed_check_cb(void *arg, const struct store_change *c)
{
	struct feed_check *f = arg;
	if (c->rev != f->next_rev || strcmp(c->kv.key, f->key_of_rev[c->rev]) != 0)
		f->bad++;
	f->next_rev++;
	return 0;
}

Test(store, concurrent_writers)
{
	pthread_t th[NTHREADS], rth[2];
	static struct writer w[NTHREADS];
	unsigned long nread[2] = {0, 0};
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&rth[i], NULL, reader_main, &nread[i]), 0);
	for (int i = 0; i < NTHREADS; i++) {
		w[i].id = i;
		cr_assert_eq(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		void *res;
		pthread_join(th[i], &res);
		cr_assert_null(res, "writer %d failed at %s", i, (char *)res);
	}
	readers_stop = 1;
	for (int i = 0; i < 2; i++) {
		void *res;
		pthread_join(rth[i], &res);
		cr_assert_null(res, "reader %d failed: %s", i, (char *)res);
		cr_assert_gt(nread[i], 0);
	}
	const uint64_t total = NTHREADS * NCOMMITS;
	cr_assert_eq(store_revision(st), total);
	/* Every revision 1..total was handed out exactly once. */
	static const char *key_of_rev[NTHREADS * NCOMMITS + 1];
	static char keys[NTHREADS * NCOMMITS][32];
	for (int i = 0; i < NTHREADS; i++)
		for (int j = 0; j < NCOMMITS; j++) {
			uint64_t r = w[i].revs[j];
			cr_assert(r >= 1 && r <= total);
			cr_assert_null(key_of_rev[r], "revision %llu given twice",
				       (unsigned long long)r);
			char *k = keys[i * NCOMMITS + j];
			snprintf(k, 32, "w/%d/%03d", i, j);
			key_of_rev[r] = k;
			if (j > 0)
				cr_assert_gt(r, w[i].revs[j - 1]);
		}
	/* Every value is intact. */
	struct store_txn *t;
	cr_assert_eq(store_begin(st, false, &t), 0);
	uint64_t n;
	cr_assert_eq(store_count_prefix(t, "w/", &n), 0);
	cr_assert_eq(n, total);
	for (int i = 0; i < NTHREADS; i++)
		for (int j = 0; j < NCOMMITS; j++) {
			char want[64], *v;
			uint64_t mod;
			snprintf(want, sizeof(want), "value-%d-%d-%s", i, j, "0123456789abcdef");
			cr_assert_eq(store_get(t, keys[i * NCOMMITS + j], &v, NULL, &mod), 0);
			cr_assert_str_eq(v, want);
			cr_assert_eq(mod, w[i].revs[j]);
			free(v);
		}
	store_abort(t);
	/* The feed lists them in revision order, one per revision. */
	struct feed_check f = {1, key_of_rev, 0};
	cr_assert_eq(store_changes(st, 0, 0, feed_check_cb, &f), 0);
	cr_assert_eq(f.bad, 0);
	cr_assert_eq(f.next_rev, total + 1);
}

struct waker {
	int delay_ms;
};

static void *waker_main(void *arg)
{
	struct waker *w = arg;
	usleep((useconds_t)w->delay_ms * 1000);
	struct store_txn *t;
	if (store_begin(st, true, &t) != 0)
		return "begin";
	if (store_put(t, "wake", "1", 1, NULL) != 0 || store_commit(t, NULL) != 0)
		return "write";
	return NULL;
}

Test(store, wait_for_commit)
{
	cr_assert_eq(store_wait(st, 0, 0), 0);
	cr_assert_eq(store_wait(st, 0, 30), 0);
	pthread_t th;
	struct waker w = {50};
	cr_assert_eq(pthread_create(&th, NULL, waker_main, &w), 0);
	cr_assert_eq(store_wait(st, 0, 10000), 1);
	cr_assert_eq(store_revision(st), 1);
	void *res;
	pthread_join(th, &res);
	cr_assert_null(res);
	cr_assert_eq(store_wait(st, 0, 0), 1);
	cr_assert_eq(store_wait(st, 1, 0), 0);
}

/* --- group commit --- */

/* Writers queued behind a member ride in its batch: each keeps its own
 * outcome (a broken parent rule or an abort touches only its own writes),
 * nobody's commit returns before the batch is written, and readers see
 * none of it before then. */
static _Atomic int gc_step;

struct gc_member {
	int step;   /* when gc_step reaches it, begin */
	int result; /* of store_commit; 1: aborted */
	uint64_t rev;
	int saw_a; /* inside its write txn: 0 when "a" (member 1's) was visible */
	int reader_saw_a;
};

static void *gc_main(void *arg)
{
	struct gc_member *m = arg;
	struct store_txn *t, *r;
	char *v = NULL;
	if (store_begin(st, true, &t) != 0)
		return "begin";
	/* An earlier member's write, in the batch but not committed yet: this
	 * member sees it, a reader does not. */
	m->saw_a = store_get(t, "a", &v, NULL, NULL);
	free(v);
	if (store_begin(st, false, &r) != 0)
		return "begin read";
	m->reader_saw_a = store_get(r, "a", &v, NULL, NULL);
	free(v);
	store_abort(r);
	if (m->step == 1) {
		store_put(t, "orphan", "x", 1, "nowhere");
		m->result = store_commit(t, &m->rev);
	} else if (m->step == 2) {
		store_put(t, "b", "2", 1, NULL);
		m->result = store_commit(t, &m->rev);
	} else {
		store_put(t, "c", "3", 1, NULL);
		gc_step = 99; /* the batch's last member is ending */
		store_abort(t);
		m->result = 1;
	}
	return NULL;
}

Test(store, group_commit)
{
	char uri[160];
	store_close(st);
	snprintf(uri, sizeof(uri), "%s?batch_ms=60000", st_uri);
	cr_assert_eq(store_open(uri, &st), 0);

	struct store_txn *t;
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "a", "1", 1, NULL), 0);
	/* Three writers queue up behind this one, in order. */
	pthread_t th[3];
	struct gc_member m[3] = {{.step = 1}, {.step = 2}, {.step = 3}};
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(pthread_create(&th[i], NULL, gc_main, &m[i]), 0);
		usleep(200 * 1000); /* enough to be queued */
	}
	uint64_t rev;
	cr_assert_eq(store_commit(t, &rev), 0);
	/* Returned only once the batch was written, which happened when its
	 * last member ended. */
	cr_assert_eq(gc_step, 99);
	cr_assert_eq(rev, 1);
	for (int i = 0; i < 3; i++) {
		void *res;
		pthread_join(th[i], &res);
		cr_assert_null(res, "member %d: %s", i + 2, (char *)res);
		cr_assert_eq(m[i].saw_a, 0, "member %d does not see a", i + 2);
		cr_assert_eq(m[i].reader_saw_a, -ENOENT, "a reader saw a too early");
	}
	cr_assert_eq(m[0].result, -ECONSTRAINT);
	cr_assert_eq(m[1].result, 0);
	cr_assert_eq(m[1].rev, 2);
	cr_assert_eq(m[2].result, 1);

	cr_assert_eq(store_revision(st), 2);
	expect_value("a", "1");
	expect_value("b", "2");
	expect_value("c", NULL);
	expect_value("orphan", NULL);
	struct feed f = {0};
	cr_assert_eq(store_changes(st, 0, 0, feed_cb, &f), 0);
	cr_assert_eq(f.n, 2);
	cr_assert_eq(f.c[0].rev, 1);
	cr_assert_eq(f.c[1].rev, 2);
	cr_assert_str_eq(f.key[1], "b");
	/* And the store goes on after the batch. */
	cr_assert_eq(put1("d", "4", NULL), 3);
}

Test(store, group_commit_off)
{
	char uri[160];
	store_close(st);
	snprintf(uri, sizeof(uri), "%s?batch=1&batch_ms=60000", st_uri);
	cr_assert_eq(store_open(uri, &st), 0);
	struct store_txn *t;
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_put(t, "a", "1", 1, NULL), 0);
	pthread_t th;
	struct gc_member m = {.step = 3};
	cr_assert_eq(pthread_create(&th, NULL, gc_main, &m), 0);
	usleep(200 * 1000);
	cr_assert_eq(store_commit(t, NULL), 0);
	pthread_join(th, NULL);
	/* Alone in its batch: committed before the queued writer began, so
	 * even a reader begun by that writer sees it. */
	cr_assert_eq(m.saw_a, 0);
	cr_assert_eq(m.reader_saw_a, 0);
}

/* --- opening --- */

Test(store, reopen_keeps_everything)
{
	struct store_txn *t;
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_create(t, "p", "parent", 6, NULL), 0);
	cr_assert_eq(store_create(t, "p/c", "child", 5, "p"), 0);
	cr_assert_eq(store_commit(t, NULL), 0);
	put1("x", "1", NULL);
	put1("x", "2", NULL);
	st_reopen();
	cr_assert_eq(store_revision(st), 3);
	expect_value("p", "parent");
	expect_value("p/c", "child");
	expect_value("x", "2");
	struct feed f = {0};
	cr_assert_eq(store_changes(st, 0, 0, feed_cb, &f), 0);
	cr_assert_eq(f.n, 4);
	/* The parent rule survives too. */
	cr_assert_eq(store_begin(st, true, &t), 0);
	cr_assert_eq(store_del(t, "p"), 0);
	cr_assert_eq(store_commit(t, NULL), -ECONSTRAINT);
	cr_assert_eq(put1("y", "1", NULL), 4);
}

Test(store, read_only_handle)
{
	put1("k", "v", NULL);
	char uri[160];
	snprintf(uri, sizeof(uri), "%s?mode=ro", st_uri);
	struct store *ro;
	cr_assert_eq(store_open(uri, &ro), 0);
	struct store_txn *t;
	cr_assert_eq(store_begin(ro, true, &t), -EBUSY);
	cr_assert_eq(store_begin(ro, false, &t), 0);
	char *v;
	cr_assert_eq(store_get(t, "k", &v, NULL, NULL), 0);
	cr_assert_str_eq(v, "v");
	free(v);
	store_abort(t);
	/* It sees the writer's commits, from its revision and its wait. */
	put1("k", "w", NULL);
	cr_assert_eq(store_revision(ro), 2);
	put1("k", "x", NULL);
	cr_assert_eq(store_wait(ro, 2, 5000), 1);
	store_close(ro);
}

Test(store, bad_uris)
{
	struct store *s = (struct store *)1;
	cr_assert_lt(store_open("nosuch:/tmp/x", &s), 0);
	cr_assert_null(s);
	cr_assert_lt(store_open("noscheme", &s), 0);
	cr_assert_eq(store_open("sqlite:", &s), -EINVAL);
	cr_assert_eq(store_open("sqlite:/nonexistent-dir/x/db", &s), -ENOENT);
	char uri[160];
	snprintf(uri, sizeof(uri), "sqlite:%s/missing?mode=ro", st_dir);
	cr_assert_eq(store_open(uri, &s), -ENOENT);
	static const char *const bad_opts[] = {"?mode=rw",	   "?batch=0", "?batch=x",
					       "?batch_ms=-1",	   "?what",    "?batch=1&",
					       "?mode=ro&batch=1x"};
	for (size_t i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++) {
		snprintf(uri, sizeof(uri), "%s%s", st_uri, bad_opts[i]);
		cr_assert_eq(store_open(uri, &s), -EINVAL, "%s", uri);
	}
	snprintf(uri, sizeof(uri), "%s?batch=8&batch_ms=2&mode=ro", st_uri);
	cr_assert_eq(store_open(uri, &s), 0);
	store_close(s);
	store_close(NULL);
}

/* --- randomized, against a reference --- */

#define RKEYS 40
#define RTXNS 500
#define RMAXCH 4096

/* The reference: what a store must hold, spelled out as plainly as can be. */
struct ref_entry {
	bool present;
	char val[24];
	uint64_t mod_rev;
};

struct ref_change {
	uint64_t rev;
	enum store_op op;
	int key;
	char val[24];
};

static struct ref_entry ref[RKEYS];
static struct ref_change ref_feed[RMAXCH];
static size_t ref_nfeed;

static void rkey(int i, char *buf)
{
	snprintf(buf, 16, "r/%02d", i);
}

struct cmp_state {
	int next; /* index of the next key expected present */
	int bad;
};

static int cmp_cb(void *arg, const struct store_kv *kv)
{
	struct cmp_state *c = arg;
	while (c->next < RKEYS && !ref[c->next].present)
		c->next++;
	char k[16];
	if (c->next >= RKEYS) {
		c->bad++;
		return 0;
	}
	rkey(c->next, k);
	struct ref_entry *e = &ref[c->next];
	if (strcmp(k, kv->key) != 0 || strcmp(e->val, kv->value) != 0 ||
	    kv->value_len != strlen(e->val) || kv->mod_rev != e->mod_rev)
		c->bad++;
	c->next++;
	return 0;
}

static void compare_contents(void)
{
	struct store_txn *t;
	cr_assert_eq(store_begin(st, false, &t), 0);
	struct cmp_state c = {0, 0};
	cr_assert_eq(store_prefix(t, "r/", cmp_cb, &c), 0);
	while (c.next < RKEYS && !ref[c.next].present)
		c.next++;
	cr_assert_eq(c.bad, 0);
	cr_assert_eq(c.next, RKEYS, "store is missing keys from %d", c.next);
	store_abort(t);
}

struct replay {
	size_t i; /* position in ref_feed */
	uint64_t last_rev;
	int bad;
};

static int replay_cb(void *arg, const struct store_change *c)
{
	struct replay *r = arg;
	if (r->i >= ref_nfeed) {
		r->bad++;
		return 0;
	}
	struct ref_change *w = &ref_feed[r->i++];
	char k[16];
	rkey(w->key, k);
	if (c->rev != w->rev || c->op != w->op || strcmp(c->kv.key, k) != 0)
		r->bad++;
	if (c->op == STORE_PUT && strcmp(c->kv.value, w->val) != 0)
		r->bad++;
	if (c->op == STORE_DEL && c->kv.value)
		r->bad++;
	r->last_rev = c->rev;
	return 0;
}

static void compare_feed(unsigned *seed)
{
	struct replay r = {0, 0, 0};
	cr_assert_eq(store_changes(st, 0, 0, replay_cb, &r), 0);
	cr_assert_eq(r.bad, 0);
	cr_assert_eq(r.i, ref_nfeed);
	/* Again in pages of random sizes: the pages join up exactly. */
	struct replay p = {0, 0, 0};
	for (;;) {
		size_t before = p.i;
		size_t limit = 1 + (size_t)(rand_r(seed) % 7);
		cr_assert_eq(store_changes(st, p.last_rev, limit, replay_cb, &p), 0);
		if (p.i == before)
			break;
		cr_assert_geq(p.i - before,
			      limit < ref_nfeed - before ? limit : ref_nfeed - before);
		/* A page ends at a revision's end. */
		cr_assert(p.i == ref_nfeed || ref_feed[p.i].rev != ref_feed[p.i - 1].rev);
	}
	cr_assert_eq(p.bad, 0);
	cr_assert_eq(p.i, ref_nfeed);
}

Test(store, randomized_against_reference)
{
	unsigned seed = (unsigned)time(NULL);
	const char *env = getenv("STORE_TEST_SEED");
	if (env)
		seed = (unsigned)strtoul(env, NULL, 0);
	cr_log_info("seed %u (STORE_TEST_SEED)", seed);
	uint64_t rev = 0;
	for (int n = 0; n < RTXNS; n++) {
		struct ref_entry local[RKEYS];
		memcpy(local, ref, sizeof(ref));
		struct ref_change pend[8];
		size_t npend = 0;
		struct store_txn *t;
		cr_assert_eq(store_begin(st, true, &t), 0);
		int nops = 1 + rand_r(&seed) % 6;
		for (int i = 0; i < nops; i++) {
			int k = rand_r(&seed) % RKEYS, op = rand_r(&seed) % 10;
			char key[16], val[24];
			rkey(k, key);
			snprintf(val, sizeof(val), "v%d.%d", n, i);
			if (op < 4 || (op < 6 && !local[k].present)) { /* put / create */
				bool create = op >= 3;
				int r = create ? store_create(t, key, val, strlen(val), NULL)
					       : store_put(t, key, val, strlen(val), NULL);
				if (create && local[k].present) {
					cr_assert_eq(r, -EEXIST);
					continue;
				}
				cr_assert_eq(r, 0);
				local[k].present = true;
				snprintf(local[k].val, sizeof(local[k].val), "%s", val);
				local[k].mod_rev = rev + 1;
				pend[npend++] = (struct ref_change){rev + 1, STORE_PUT, k, {0}};
				snprintf(pend[npend - 1].val, 24, "%s", val);
			} else if (op < 9) { /* delete */
				int r = store_del(t, key);
				if (!local[k].present) {
					cr_assert_eq(r, -ENOENT);
					continue;
				}
				cr_assert_eq(r, 0);
				local[k].present = false;
				pend[npend++] = (struct ref_change){rev + 1, STORE_DEL, k, {0}};
			} else { /* read back */
				char *v;
				int r = store_get(t, key, &v, NULL, NULL);
				cr_assert_eq(r, local[k].present ? 0 : -ENOENT);
				if (r == 0)
					cr_assert_str_eq(v, local[k].val);
				free(v);
			}
		}
		if (rand_r(&seed) % 5 == 0) {
			store_abort(t);
		} else {
			uint64_t got;
			cr_assert_eq(store_commit(t, &got), 0);
			if (npend)
				rev++;
			cr_assert_eq(got, rev);
			memcpy(ref, local, sizeof(ref));
			cr_assert_leq(ref_nfeed + npend, RMAXCH);
			memcpy(&ref_feed[ref_nfeed], pend, npend * sizeof(pend[0]));
			ref_nfeed += npend;
		}
		cr_assert_eq(store_revision(st), rev);
		if (rand_r(&seed) % 50 == 0)
			compare_contents();
		if (rand_r(&seed) % 100 == 0)
			st_reopen();
	}
	compare_contents();
	compare_feed(&seed);
	st_reopen();
	compare_contents();
	compare_feed(&seed);
}

/* store_count_dir: keys directly in a directory, kept through puts, creates,
 * deletes, aborted and committed transactions, against a full count. */
Test(store, count_dir_matches_a_full_count)
{
	struct store *s = st;
	struct store_txn *t;
	uint64_t n = 99;
	cr_assert_eq(store_begin(s, true, &t), 0);
	cr_assert_eq(store_count_dir(t, "/r/1/vpc/", &n), 0);
	cr_assert_eq(n, 0);
	for (int i = 0; i < 10; i++) {
		char k[64];
		snprintf(k, sizeof(k), "/r/1/vpc/vpc-%02d", i);
		cr_assert_eq(store_put(t, k, "{}", 2, NULL), 0);
	}
	cr_assert_eq(store_put(t, "/r/1/vpc/vpc-00", "{\"x\":1}", 7, NULL), 0,
		     "a replace is no new key");
	cr_assert_eq(store_put(t, "/r/1/vpc/sub/deeper", "{}", 2, NULL), 0, "a subdirectory");
	cr_assert_eq(store_put(t, "/r/1/vsw/vsw-1", "{}", 2, NULL), 0);
	cr_assert_eq(store_commit(t, NULL), 0);
	cr_assert_eq(store_begin(s, true, &t), 0);
	cr_assert_eq(store_count_dir(t, "/r/1/vpc/", &n), 0);
	cr_assert_eq(n, 10);
	cr_assert_eq(store_del(t, "/r/1/vpc/vpc-03"), 0);
	store_abort(t);
	cr_assert_eq(store_begin(s, true, &t), 0);
	cr_assert_eq(store_count_dir(t, "/r/1/vpc/", &n), 0);
	cr_assert_eq(n, 10, "an aborted delete counts for nothing");
	cr_assert_eq(store_del(t, "/r/1/vpc/vpc-03"), 0);
	cr_assert_eq(store_del(t, "/r/1/vpc/vpc-04"), 0);
	cr_assert_eq(store_count_dir(t, "/r/1/vpc/", &n), 0);
	cr_assert_eq(n, 8, "the transaction sees its own deletes");
	cr_assert_eq(store_commit(t, NULL), 0);
	cr_assert_eq(store_begin(s, false, &t), 0);
	cr_assert_eq(store_count_dir(t, "/r/1/vpc/", &n), 0);
	cr_assert_eq(n, 8);
	cr_assert_eq(store_count_dir(t, "/r/1/vpc/sub/", &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(store_count_dir(t, "/r/1/vsw/", &n), 0);
	cr_assert_eq(n, 1);
	store_abort(t);
	st_reopen();
	cr_assert_eq(store_begin(st, false, &t), 0);
	cr_assert_eq(store_count_dir(t, "/r/1/vpc/", &n), 0);
	cr_assert_eq(n, 8, "the counts survive a reopen");
	store_abort(t);
}
