/*
 * store: the one source of truth, behind one interface with two engines
 * (SQLite, embedded and default; etcd, for a cluster, later).
 *
 * The data model is etcd's: an ordered map from byte-string keys to values,
 * a revision number that grows by exactly one per committed write
 * transaction, and a change feed that lists, for every revision, the keys it
 * wrote or deleted with their new values.  On top of etcd's model each key
 * may name a *parent* key: a key cannot be written while its parent is
 * missing and cannot be deleted while children point at it (checked at
 * commit, so a transaction may create a parent and its children in any
 * order).  The model checks every rule first and gives a clear error; the
 * parent rule and create-only writes (store_create) are the second line of
 * defense that a bug in the model cannot get past.
 *
 * Invariants:
 *  1. A commit is atomic and durable once store_commit() returns 0: after a
 *     crash (kill -9 or power loss) either all of its writes are visible and
 *     the revision counts it, or none and the revision does not.
 *  2. Revisions have no gaps: the commit that follows revision N is N+1.
 *     A write transaction that changed nothing does not take a revision.
 *  3. The change feed keeps every revision since the last compaction; a
 *     reader following it from revision R sees each later change once, in
 *     order.
 *  4. Read transactions see one consistent snapshot; any number may run at
 *     once with one write transaction.  Write transactions are serialized.
 *
 * Threading: struct store is shared by all threads; a struct store_txn
 * belongs to the thread that began it.  Concurrent write transactions are
 * committed together (group commit, store/sqlite.c): store_commit() returns
 * once its batch is on disk, which includes the writers queued behind it, so
 * code holding a write transaction must never wait for another thread to
 * make progress.  A thread holds at most one write transaction (a second
 * store_begin(write) on the same thread returns -EDEADLK).
 *
 * Conventions: a range end of NULL or "" means no upper bound; a negative
 * timeout in store_wait() waits forever; a write through a read transaction
 * returns -EBADF; writing one key twice in a transaction yields two feed
 * entries, in order; "sqlite:PATH?mode=ro" opens read-only, and "?batch=N",
 * "?batch_ms=N" tune the group commit.
 *
 * Errors: functions return 0 or a negative errno.  -ENOENT: no such key;
 * -EEXIST: store_create() on an existing key; -EBUSY: a write transaction was
 * begun on a handle in read-only mode; -ECONSTRAINT (defined below): the
 * commit broke a parent rule (nothing was written); -EIO: the engine failed.
 */
#ifndef OPENVPC_STORE_STORE_H
#define OPENVPC_STORE_STORE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A commit broke a parent/child rule. */
#define ECONSTRAINT 1001

struct store;
struct store_txn;

enum store_op { STORE_PUT = 1, STORE_DEL = 2 };

/* One entry of the change feed, or of a range read.  Borrowed: valid only
 * during the callback. */
struct store_kv {
	const char *key;
	const char *value; /* NUL-terminated; NULL for STORE_DEL */
	size_t value_len;
	uint64_t mod_rev; /* revision that wrote it */
};

struct store_change {
	uint64_t rev;
	enum store_op op;
	struct store_kv kv;
};

/* Callbacks return 0 to go on, anything else to stop (that value is then
 * returned by the caller). */
typedef int (*store_kv_cb)(void *arg, const struct store_kv *kv);
typedef int (*store_change_cb)(void *arg, const struct store_change *c);

/* Engine vtable: one per engine, all hooks required. */
struct store_ops {
	const char *name;
	int (*open)(const char *uri, struct store **out);
	void (*close)(struct store *s);
	int (*begin)(struct store *s, bool write, struct store_txn **out);
	int (*get)(struct store_txn *t, const char *key, char **value, size_t *len,
		   uint64_t *mod_rev);
	int (*put)(struct store_txn *t, const char *key, const char *value, size_t len,
		   const char *parent, bool create_only);
	int (*del)(struct store_txn *t, const char *key);
	int (*range)(struct store_txn *t, const char *start, const char *end, size_t limit,
		     store_kv_cb cb, void *arg);
	int (*count)(struct store_txn *t, const char *start, const char *end, uint64_t *n);
	int (*count_dir)(struct store_txn *t, const char *dir, uint64_t *n);
	int (*commit)(struct store_txn *t, uint64_t *rev);
	void (*abort)(struct store_txn *t);
	uint64_t (*revision)(struct store *s);
	int (*changes)(struct store *s, uint64_t after_rev, size_t limit, store_change_cb cb,
		       void *arg);
	int (*wait)(struct store *s, uint64_t after_rev, int timeout_ms);
};

/* Opens a store by URI: "sqlite:PATH" (PATH is the database file; its
 * directory must exist).  Returns 0 and *out, or a negative errno. */
int store_open(const char *uri, struct store **out);
/* Closes the store; accepts NULL.  No transaction may be open. */
void store_close(struct store *s);

/* Begins a transaction.  A write transaction waits for the one before it. */
int store_begin(struct store *s, bool write, struct store_txn **out);

/* Reads a key.  *value is a malloc'd NUL-terminated copy the caller frees;
 * len and mod_rev may be NULL.  -ENOENT when absent. */
int store_get(struct store_txn *t, const char *key, char **value, size_t *len, uint64_t *mod_rev);
/* Writes a key (creates or replaces).  parent may be NULL. */
int store_put(struct store_txn *t, const char *key, const char *value, size_t len,
	      const char *parent);
/* Writes a key that must not exist yet: -EEXIST otherwise. */
int store_create(struct store_txn *t, const char *key, const char *value, size_t len,
		 const char *parent);
/* Deletes a key: -ENOENT when absent. */
int store_del(struct store_txn *t, const char *key);
/* Calls cb for keys in [start, end) in key order, at most limit (0 = all). */
int store_range(struct store_txn *t, const char *start, const char *end, size_t limit,
		store_kv_cb cb, void *arg);
/* Calls cb for every key that starts with prefix. */
int store_prefix(struct store_txn *t, const char *prefix, store_kv_cb cb, void *arg);
int store_count(struct store_txn *t, const char *start, const char *end, uint64_t *n);
int store_count_prefix(struct store_txn *t, const char *prefix, uint64_t *n);
/* Number of keys directly in dir (dir ends with '/'; a key with another '/'
 * after dir is in a subdirectory and not counted).  O(1) in the SQLite engine. */
int store_count_dir(struct store_txn *t, const char *dir, uint64_t *n);

/* Commits; *rev (may be NULL) gets the new revision, or the current one when
 * nothing was written.  The transaction is freed whatever the result; on
 * error nothing was written. */
int store_commit(struct store_txn *t, uint64_t *rev);
/* Drops the transaction and its writes; accepts NULL. */
void store_abort(struct store_txn *t);

/* The last committed revision (0 for an empty store). */
uint64_t store_revision(struct store *s);
/* Calls cb for each change with rev > after_rev, oldest first, at most limit
 * changes (0 = all).  A revision's changes are never split by the limit. */
int store_changes(struct store *s, uint64_t after_rev, size_t limit, store_change_cb cb, void *arg);
/* Waits until the revision passes after_rev or timeout_ms passes.  Returns 1
 * when it has, 0 on timeout. */
int store_wait(struct store *s, uint64_t after_rev, int timeout_ms);

/* The smallest key greater than every key that starts with prefix
 * (prefix with its last byte incremented), into buf of len >= strlen+1. */
void store_prefix_end(const char *prefix, char *buf);

#endif
