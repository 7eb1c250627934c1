/*
 * sqlite: the embedded store engine, one SQLite database file in WAL mode.
 *
 * Layout (schema version SQ_SCHEMA_VERSION, kept in PRAGMA user_version and
 * reached through sq_migrations[], one transaction per step):
 *
 *   meta(id = 1, revision)                   the last committed revision
 *   kv(key, value, parent -> kv.key, create_rev, mod_rev)   the current map
 *   changes(rev, seq, op, key, value)        the feed, in commit order
 *   dircount(dir, n)                         keys per directory, by triggers
 *
 * kv.parent is a real foreign key, DEFERRABLE INITIALLY DEFERRED with ON
 * DELETE NO ACTION: SQLite counts violations as statements run and refuses
 * the COMMIT while any is left, so a parent and its children can be written
 * in any order inside one transaction, a child cannot outlive its parent and
 * a parent cannot be deleted while a child names it.  (RESTRICT would fail at
 * the DELETE itself, before a later statement of the same transaction could
 * repair it.)
 *
 * Connections: one write connection, used only by the holder of s->wlock
 * (a FIFO lock), so write transactions are serialized inside the process
 * (and by BEGIN IMMEDIATE against other processes); a pool of read
 * connections, one per reader running at the same moment, that read a WAL
 * snapshot and so never wait for the writer.  Every connection caches its
 * prepared statements (sq_stmt()).
 *
 * Group commit: a commit with synchronous=FULL costs one fsync of the WAL
 * (0.1 to 7 ms on the machine this was measured on), so serialized commits
 * top out at 1/fsync whatever the number of writers.  A store_txn is
 * therefore a *member* of a *batch*: one SQLite transaction in which
 * consecutive members each run inside their own SAVEPOINT.  When a member
 * ends and another writer is already queued, the lock (with the SQLite
 * transaction still open) goes to that writer, and the member's
 * store_commit() waits; the member that finds nobody queued, or the batch
 * full (SQ_BATCH_MAX, "?batch=") or old (SQ_BATCH_MS, "?batch_ms="), COMMITs
 * for all of them.  With
 * 16 writers this took 200-300 commits/s to 2,300-5,400 (bench_store).
 * The price: a store_commit() returns only when the writers queued behind
 * it have ended their transactions too, so code that holds a write
 * transaction must never wait for another thread to make progress.
 *
 * Invariants:
 *  1. meta.revision is the revision of the last committed write transaction,
 *     and the changes table holds at least one row for every revision from
 *     s->compacted + 1 to meta.revision, none above (sq_feed_compact deletes
 *     the older ones).
 *  2. A member that began at revision B (meta.revision as its SAVEPOINT
 *     found it, earlier members of the batch included) writes kv rows with
 *     mod_rev B+1, and at its first successful write (sq_txn_dirty()) sets
 *     meta.revision to B+1 inside the same SAVEPOINT as the write and its
 *     change rows: all of them are kept together or undone together.  A
 *     member without a successful write leaves meta alone, so it takes no
 *     revision.
 *  3. s->batch is non-NULL exactly while an SQLite write transaction is open
 *     on the write connection, and then s->wlock is held: by the member
 *     working in it, or by the member that is ending it in sq_batch_turn().
 *     B is read after BEGIN IMMEDIATE, so it is right even when another
 *     process wrote in between.
 *  4. A connection is used by one thread at a time: the write connection by
 *     the holder of s->wlock, a read connection between sq_conn_get() and
 *     sq_conn_put().  That is what lets connections skip SQLite's own mutex
 *     (SQLITE_OPEN_NOMUTEX).
 *  5. s->rev never decreases and is never above the committed meta.revision:
 *     it is raised only after the batch's COMMIT has returned
 *     (synchronous=FULL: the WAL is on disk), and every raise wakes the
 *     store_wait() sleepers.
 *  6. A transaction is never left open on a read connection that goes back
 *     to the pool (sq_read_end()), nor on the write connection once the lock
 *     is free (sq_batch_turn()); a ROLLBACK that fails is fatal.
 *  7. A member in which SQLite failed (anything but a clean statement-level
 *     -EEXIST/-ENOENT) is poisoned (t->failed): later writes return -EIO and
 *     its commit rolls its SAVEPOINT back.  If SQLite rolled the whole batch
 *     back on its own (sqlite3_get_autocommit()), every member of the batch
 *     gets -EIO: none of them was written.
 *  8. A member joins the batch (sq_write_end()) only when its SAVEPOINT is
 *     released with no deferred foreign key violation left; since all the
 *     members before it left none either, whatever violation is counted at
 *     that moment is its own, it alone is rolled back (-ECONSTRAINT), and
 *     the batch's COMMIT is never refused by the parent rule.  A member's
 *     store_commit() returns the batch's outcome, after the COMMIT.
 *
 * Write transaction (member) states and the functions behind each step (a
 * read transaction is only begun by sq_begin() and ended by sq_read_end()):
 *
 *   (idle)  --sq_begin_write(): take wlock, BEGIN IMMEDIATE unless a batch
 *             was handed over, SAVEPOINT, read B--> CLEAN
 *   CLEAN   --sq_put()/sq_del() ok: meta.revision = B+1, change row--> DIRTY
 *   DIRTY   --sq_put()/sq_del() ok: another change row--> DIRTY
 *   CLEAN, DIRTY --any call fails in SQLite (7)--> FAILED
 *   CLEAN, DIRTY --sq_commit(): no violation, RELEASE--> JOINED
 *   DIRTY   --sq_commit(): a parent rule broken, ROLLBACK TO,
 *             -ECONSTRAINT--> (idle)
 *   FAILED  --sq_commit(): ROLLBACK TO, -EIO--> (idle)
 *   any     --sq_abort(): ROLLBACK TO--> (idle)
 *   JOINED  --sq_batch_wait(): the batch's COMMIT ok, *rev = B+1 (or B),
 *             or its failure--> (idle)
 *
 * and after each member's step out of the lock, sq_batch_turn() either
 * hands lock and batch to the next queued writer or ends the batch:
 * COMMIT, sq_publish() of its last revision, sq_batch_finish() to wake its
 * JOINED members, lock given up.
 */
#include "store/store-private.h"

#include "lib/log.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How long a statement waits for a lock held by another process. */
/* The largest part of the database file each connection maps (bytes). */
#define SQ_MMAP_SIZE "268435456"
#define SQ_BUSY_TIMEOUT_MS 10000
/* store_wait() re-reads meta this often, to see commits of other processes. */
#define SQ_POLL_MS 100

/* Step i takes the schema from version i to i+1.  Never edit a step that has
 * shipped: append a new one. */
static const char *const sq_migrations[] = {
    /* 1: the initial schema. */
    "CREATE TABLE meta ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  revision INTEGER NOT NULL);"
    "INSERT INTO meta (id, revision) VALUES (1, 0);"
    "CREATE TABLE kv ("
    "  key TEXT PRIMARY KEY NOT NULL,"
    "  value BLOB NOT NULL,"
    "  parent TEXT REFERENCES kv (key) ON DELETE NO ACTION ON UPDATE NO ACTION"
    "    DEFERRABLE INITIALLY DEFERRED,"
    "  create_rev INTEGER NOT NULL,"
    "  mod_rev INTEGER NOT NULL) WITHOUT ROWID;"
    /* Deleting a parent looks its children up by this index. */
    "CREATE INDEX kv_parent ON kv (parent);"
    /* Compacted by sq_feed_compact (retention: feed_keep, feed_keep_s). */
    "CREATE TABLE changes ("
    "  rev INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  op INTEGER NOT NULL CHECK (op IN (1, 2)),"
    "  key TEXT NOT NULL,"
    "  value BLOB,"
    "  PRIMARY KEY (rev, seq)) WITHOUT ROWID;",
    /* 2: keys per directory (the key up to its last '/'), kept by triggers
     * so store_count_dir() is one lookup: quota checks count an account's
     * resources of a kind on every create.  rtrim(k, replace(k, '/', ''))
     * strips the last path segment: every character of it is in the set. */
    "CREATE TABLE dircount ("
    "  dir TEXT PRIMARY KEY NOT NULL,"
    "  n INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO dircount (dir, n)"
    "  SELECT rtrim(key, replace(key, '/', '')), count(*) FROM kv GROUP BY 1;"
    "CREATE TRIGGER kv_dircount_insert AFTER INSERT ON kv BEGIN"
    "  INSERT INTO dircount (dir, n) VALUES (rtrim(NEW.key, replace(NEW.key, '/', '')), 1)"
    "    ON CONFLICT (dir) DO UPDATE SET n = n + 1;"
    "END;"
    "CREATE TRIGGER kv_dircount_delete AFTER DELETE ON kv BEGIN"
    "  UPDATE dircount SET n = n - 1 WHERE dir = rtrim(OLD.key, replace(OLD.key, '/', ''));"
    "END;",
};
#define SQ_SCHEMA_VERSION ((int)(sizeof(sq_migrations) / sizeof(sq_migrations[0])))

/* The statements every connection caches, prepared on first use. */
#define SQ_STMTS(X)                                                                                \
	X(BEGIN_READ, "BEGIN")                                                                     \
	X(BEGIN_WRITE, "BEGIN IMMEDIATE")                                                          \
	X(COMMIT, "COMMIT")                                                                        \
	X(ROLLBACK, "ROLLBACK")                                                                    \
	X(SAVEPOINT, "SAVEPOINT member")                                                           \
	X(RELEASE, "RELEASE member")                                                               \
	X(ROLLBACK_TO, "ROLLBACK TO member")                                                       \
	X(REV, "SELECT revision FROM meta WHERE id = 1")                                           \
	X(SET_REV, "UPDATE meta SET revision = ?1 WHERE id = 1")                                   \
	X(GET, "SELECT value, mod_rev FROM kv WHERE key = ?1")                                     \
	X(INSERT, "INSERT INTO kv (key, value, parent, create_rev, mod_rev)"                       \
		  " VALUES (?1, ?2, ?3, ?4, ?4)")                                                  \
	X(UPSERT, "INSERT INTO kv (key, value, parent, create_rev, mod_rev)"                       \
		  " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (key) DO UPDATE SET"                   \
		  " value = excluded.value, parent = excluded.parent, mod_rev = excluded.mod_rev") \
	X(DELETE, "DELETE FROM kv WHERE key = ?1")                                                 \
	X(LOG, "INSERT INTO changes (rev, seq, op, key, value) VALUES (?1, ?2, ?3, ?4, ?5)")       \
	X(RANGE_TO, "SELECT key, value, mod_rev FROM kv WHERE key >= ?1 AND key < ?2"              \
		    " ORDER BY key LIMIT ?3")                                                      \
	X(RANGE_ALL, "SELECT key, value, mod_rev FROM kv WHERE key >= ?1 ORDER BY key LIMIT ?2")   \
	X(COUNT_TO, "SELECT count(*) FROM kv WHERE key >= ?1 AND key < ?2")                        \
	X(COUNT_ALL, "SELECT count(*) FROM kv WHERE key >= ?1")                                    \
	X(COUNT_DIR, "SELECT n FROM dircount WHERE dir = ?1")                                      \
	X(CHANGES, "SELECT rev, op, key, value FROM changes WHERE rev > ?1 ORDER BY rev, seq")     \
	X(USER_VERSION, "PRAGMA user_version")

enum sq_stmt_id {
#define SQ_STMT_ENUM(id, sql) SQ_##id,
	SQ_STMTS(SQ_STMT_ENUM)
#undef SQ_STMT_ENUM
	    SQ_NSTMT
};

static const char *const sq_stmt_sql[SQ_NSTMT] = {
#define SQ_STMT_SQL(id, sql) [SQ_##id] = sql,
    SQ_STMTS(SQ_STMT_SQL)
#undef SQ_STMT_SQL
};

struct sq_conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQ_NSTMT];
	struct sq_conn *next; /* in the free list of read connections */
};

/* A write waiter, queued on its own stack while it waits for the lock. */
struct sq_waiter {
	pthread_cond_t cond;
	pthread_t thread;
	bool granted;
	struct sq_waiter *next;
};

/* The write lock: FIFO, handed directly to the longest waiter.  A plain
 * mutex lets the thread that just committed take it again at once: with 16
 * writers (bench_store) some then waited 0.4-1.2 s while the mean was 5 ms;
 * FIFO keeps the worst near 50 ms for the same throughput. */
struct sq_wlock {
	pthread_mutex_t mu;
	bool held;
	pthread_t owner;
	struct sq_waiter *head, *tail;
};

/* A group commit: one SQLite write transaction on the write connection that
 * holds the work of consecutive write transactions ("members"), each in its
 * own SAVEPOINT, committed with one sync (invariant 8). */
struct sq_batch {
	/* Read and written only by the holder of s->wlock: */
	unsigned members;	/* members released into it */
	uint64_t rev;		/* the last revision a member took; 0: none */
	struct timespec opened; /* when its BEGIN ran */
	/* Under s->bmu: */
	int refs;   /* members waiting for the outcome, +1 while open */
	bool done;  /* committed or failed; result says which */
	int result; /* 0 or the negative errno every member gets */
};

/* Feed retention defaults (sq_feed_compact): 10,000 revisions and 30 seconds,
 * far more than a reader that follows the feed (the agent reads it every
 * tick, 500 ms) can fall behind by. */
#define SQ_FEED_KEEP 10000
#define SQ_FEED_KEEP_S 30
#define SQ_FEED_MARKS 64
#define SQ_FEED_CHUNK 2000
#define SQ_FEED_TICK_S 10

struct sq_store {
	struct store base;
	char *path;
	bool readonly;	    /* "?mode=ro": no write connection, no migrations */
	unsigned batch_max; /* "?batch=N", SQ_BATCH_MAX */
	int batch_ms;	    /* "?batch_ms=N", SQ_BATCH_MS */

	struct sq_wlock wlock;	/* held by the one write transaction (3) */
	struct sq_conn *wconn;	/* NULL when readonly */
	struct sq_batch *batch; /* open on wconn; only the wlock holder looks (8) */
	pthread_mutex_t bmu;	/* guards the outcome fields of every batch */
	pthread_cond_t bcond;	/* a batch is done */

	pthread_mutex_t pool_mu; /* guards the three fields below */
	struct sq_conn *pool;	 /* idle read connections */
	unsigned nconns;	 /* read connections open */
	unsigned nfree;		 /* of which idle */

	pthread_mutex_t mu; /* guards rev; cond is signalled when it grows */
	pthread_cond_t cond;
	uint64_t rev; /* the last revision known committed (5) */

	/* The checkpointer (sq_ckpt_main): copies the WAL back into the database
	 * file on its own connection and thread, so a committing writer never
	 * pays for it while holding the write lock. */
	sqlite3 *ckpt_db;
	pthread_t ckpt_thread;
	bool ckpt_started;
	pthread_mutex_t ckpt_mu; /* guards the two fields below */
	pthread_cond_t ckpt_cond;
	bool ckpt_wanted, ckpt_stop;

	/* Feed retention (sq_feed_compact, on the checkpointer's thread): the
	 * feed keeps at least the last feed_keep revisions and every revision
	 * of the last feed_keep_s seconds; older rows are deleted. */
	uint64_t feed_keep;  /* "?feed_keep=N", SQ_FEED_KEEP */
	int64_t feed_keep_s; /* "?feed_keep_s=N", SQ_FEED_KEEP_S */
	uint64_t compacted;  /* every revision <= this is gone from the feed */
	struct {
		int64_t at; /* monotonic seconds */
		uint64_t rev;
	} feed_marks[SQ_FEED_MARKS]; /* (time, revision) samples, a ring */
	unsigned feed_nmarks;
	int64_t feed_last_mark;
};

struct sq_txn {
	struct store_txn base;
	struct sq_conn *c;
	bool write;
	bool dirty;   /* a write succeeded: the commit takes rev + 1 */
	bool failed;  /* poisoned (7) */
	bool member;  /* write: inside its SAVEPOINT in s->batch */
	uint64_t rev; /* read: the snapshot's revision; write: B, the base */
	int64_t seq;  /* the next changes.seq */
};

static struct sq_store *sq_store(struct store *s)
{
	return (struct sq_store *)s;
}

static struct sq_txn *sq_txn(struct store_txn *t)
{
	return (struct sq_txn *)t;
}

static int sq_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		/* Another process held the database past SQ_BUSY_TIMEOUT_MS. */
		return -EAGAIN;
	case SQLITE_READONLY:
		return -EROFS;
	default:
		return -EIO;
	}
}

/* Logs an engine failure and returns it as a negative errno. */
static int sq_fail(sqlite3 *db, int rc, const char *what)
{
	log_err("store: sqlite: %s: %s (%d)", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
		rc);
	return sq_errno(rc);
}

/* --- connections and their statements --- */

/* Returns the cached statement id, ready to bind, or a fresh one (*owned)
 * when the cached one is still running (a callback that reads through the
 * same transaction it is called from).  NULL on failure, *rc set. */
static sqlite3_stmt *sq_stmt(struct sq_conn *c, enum sq_stmt_id id, bool *owned, int *rc)
{
	sqlite3_stmt *st = c->stmt[id];
	*owned = false;
	*rc = SQLITE_OK;
	if (st && !sqlite3_stmt_busy(st))
		return st;
	st = NULL;
	*rc = sqlite3_prepare_v3(c->db, sq_stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (*rc != SQLITE_OK)
		return NULL;
	if (!c->stmt[id])
		c->stmt[id] = st;
	else
		*owned = true;
	return st;
}

static void sq_stmt_done(sqlite3_stmt *st, bool owned)
{
	if (owned)
		sqlite3_finalize(st);
	else
		sqlite3_reset(st);
}

/* Runs a statement without parameters or rows (BEGIN, COMMIT, ...). */
static int sq_exec(struct sq_conn *c, enum sq_stmt_id id)
{
	bool owned;
	int rc;
	sqlite3_stmt *st = sq_stmt(c, id, &owned, &rc);
	if (!st)
		return rc;
	rc = sqlite3_step(st);
	sq_stmt_done(st, owned);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Reads one integer from a statement without parameters. */
static int sq_int(struct sq_conn *c, enum sq_stmt_id id, int64_t *v)
{
	bool owned;
	int rc;
	sqlite3_stmt *st = sq_stmt(c, id, &owned, &rc);
	if (!st)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_CORRUPT; /* meta has exactly one row (1) */
	}
	sq_stmt_done(st, owned);
	return rc;
}

static void sq_conn_close(struct sq_conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < SQ_NSTMT; i++)
		sqlite3_finalize(c->stmt[i]);
	int rc = sqlite3_close(c->db);
	if (rc != SQLITE_OK)
		fatal("store: sqlite: close: %s", sqlite3_errstr(rc));
	free(c);
}

/* Runs sql and checks that its one row, if any, reads `expect`. */
static int sq_pragma(sqlite3 *db, const char *sql, const char *expect)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);
		rc = expect && (!v || strcmp(v, expect) != 0) ? SQLITE_MISUSE : SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = expect ? SQLITE_MISUSE : SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Opens a connection.  The write connection creates the file and turns WAL
 * on (a property of the file that later connections find); read connections
 * are query_only, a second guard besides the engine's own checks. */
static int sq_conn_open(struct sq_store *s, bool write, struct sq_conn **out)
{
	struct sq_conn *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE;
	if (write)
		flags |= SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(s->path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		int r = sq_fail(c->db, rc, s->path);
		sqlite3_close(c->db);
		free(c);
		return r;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, SQ_BUSY_TIMEOUT_MS);
	enum { BOTH, WRITER, READER };
	static const struct {
		const char *sql, *expect;
		int who;
	} pragmas[] = {
	    {"PRAGMA journal_mode = WAL", "wal", WRITER},
	    /* FULL: every commit syncs the WAL before COMMIT returns (invariant 1
	     * of store.h); NORMAL would lose the last commits on power loss. */
	    {"PRAGMA synchronous = FULL", NULL, BOTH},
	    {"PRAGMA foreign_keys = ON", NULL, BOTH},
	    /* A build without foreign keys ignores the line above: check it. */
	    {"PRAGMA foreign_keys", "1", BOTH},
	    {"PRAGMA query_only = ON", NULL, READER},
	    /* Reads through a shared memory map instead of a private copy per
	     * connection (pread), and a larger page cache for the writer, whose
	     * transactions touch the same index pages again and again. */
	    {"PRAGMA mmap_size = " SQ_MMAP_SIZE, NULL, BOTH},
	    {"PRAGMA cache_size = -65536", NULL, WRITER},
	    {"PRAGMA temp_store = MEMORY", NULL, BOTH},
	    /* The WAL is truncated back to 16 MiB when it is reset, so a burst
	     * of writes (a sweep, a compaction) does not keep the disk. */
	    {"PRAGMA journal_size_limit = 16777216", NULL, BOTH},
	};
	for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++) {
		if (pragmas[i].who != BOTH && (pragmas[i].who == WRITER) != write)
			continue;
		rc = sq_pragma(c->db, pragmas[i].sql, pragmas[i].expect);
		if (rc != SQLITE_OK) {
			int r = sq_fail(c->db, rc, pragmas[i].sql);
			sq_conn_close(c);
			return r;
		}
	}
	*out = c;
	return 0;
}

/* Takes an idle read connection, or opens one: readers never queue. */
static int sq_conn_get(struct sq_store *s, struct sq_conn **out)
{
	pthread_mutex_lock(&s->pool_mu);
	struct sq_conn *c = s->pool;
	if (c) {
		s->pool = c->next;
		s->nfree--;
	}
	pthread_mutex_unlock(&s->pool_mu);
	if (!c) {
		int r = sq_conn_open(s, false, &c);
		if (r < 0)
			return r;
		pthread_mutex_lock(&s->pool_mu);
		s->nconns++;
		pthread_mutex_unlock(&s->pool_mu);
	}
	c->next = NULL;
	*out = c;
	return 0;
}

static void sq_conn_put(struct sq_store *s, struct sq_conn *c)
{
	pthread_mutex_lock(&s->pool_mu);
	c->next = s->pool;
	s->pool = c;
	s->nfree++;
	pthread_mutex_unlock(&s->pool_mu);
}

/* --- the write lock --- */

/* Returns 0 once the caller holds the lock, -EDEADLK if it already does (a
 * write transaction begun inside another would wait for itself). */
static int sq_wlock_take(struct sq_wlock *l)
{
	pthread_t self = pthread_self();
	pthread_mutex_lock(&l->mu);
	if (l->held && pthread_equal(l->owner, self)) {
		pthread_mutex_unlock(&l->mu);
		return -EDEADLK;
	}
	if (l->held) {
		struct sq_waiter w = {.thread = self, .granted = false, .next = NULL};
		pthread_cond_init(&w.cond, NULL);
		if (l->tail)
			l->tail->next = &w;
		else
			l->head = &w;
		l->tail = &w;
		while (!w.granted)
			pthread_cond_wait(&w.cond, &l->mu);
		pthread_cond_destroy(&w.cond);
	}
	l->held = true;
	l->owner = self;
	pthread_mutex_unlock(&l->mu);
	return 0;
}

/* Hands the lock to the longest waiter, if there is one; l->mu held. */
static bool sq_wlock_handover(struct sq_wlock *l)
{
	struct sq_waiter *w = l->head;
	if (!w)
		return false;
	l->head = w->next;
	if (!l->head)
		l->tail = NULL;
	/* held stays true and owner moves on now, so that the thread giving
	 * the lock up can queue again at once. */
	l->owner = w->thread;
	w->granted = true;
	pthread_cond_signal(&w->cond);
	return true;
}

static void sq_wlock_give(struct sq_wlock *l)
{
	pthread_mutex_lock(&l->mu);
	if (!sq_wlock_handover(l))
		l->held = false;
	pthread_mutex_unlock(&l->mu);
}

static bool sq_wlock_busy(struct sq_wlock *l)
{
	pthread_mutex_lock(&l->mu);
	bool busy = l->held;
	pthread_mutex_unlock(&l->mu);
	return busy;
}

/* --- revisions --- */

/* Raises s->rev to rev and wakes the waiters (5). */
static void sq_publish(struct sq_store *s, uint64_t rev)
{
	pthread_mutex_lock(&s->mu);
	if (rev > s->rev) {
		s->rev = rev;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->mu);
}

/* Reads meta.revision as committed now, which sees commits of other
 * processes too, and publishes it. */
static int sq_refresh(struct sq_store *s)
{
	struct sq_conn *c;
	int r = sq_conn_get(s, &c);
	if (r < 0)
		return r;
	int64_t rev = 0;
	int rc = sq_int(c, SQ_REV, &rev);
	sq_conn_put(s, c);
	if (rc != SQLITE_OK)
		return sq_fail(NULL, rc, "read revision");
	sq_publish(s, (uint64_t)rev);
	return 0;
}

static uint64_t sq_revision(struct store *base)
{
	struct sq_store *s = sq_store(base);
	/* On failure (logged) the last revision known is still a right answer,
	 * only perhaps an old one. */
	(void)sq_refresh(s);
	pthread_mutex_lock(&s->mu);
	uint64_t rev = s->rev;
	pthread_mutex_unlock(&s->mu);
	return rev;
}

static void sq_deadline(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static bool sq_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* A negative timeout_ms waits without a limit. */
static int sq_wait(struct store *base, uint64_t after_rev, int timeout_ms)
{
	struct sq_store *s = sq_store(base);
	struct timespec end, now, slice;
	sq_deadline(&end, timeout_ms < 0 ? 0 : timeout_ms);
	pthread_mutex_lock(&s->mu);
	while (s->rev <= after_rev) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_ms >= 0 && !sq_before(&now, &end))
			break;
		sq_deadline(&slice, SQ_POLL_MS);
		if (timeout_ms >= 0 && sq_before(&end, &slice))
			slice = end;
		if (pthread_cond_timedwait(&s->cond, &s->mu, &slice) == ETIMEDOUT &&
		    s->rev <= after_rev) {
			pthread_mutex_unlock(&s->mu);
			(void)sq_refresh(s);
			pthread_mutex_lock(&s->mu);
		}
	}
	int r = s->rev > after_rev;
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* --- group commit --- */

/* How many members a batch takes at most, and how long after its BEGIN it
 * still takes new ones (the defaults of "?batch=" and "?batch_ms="): the
 * first member's store_commit() waits for the others, so these bound that
 * wait. */
#define SQ_BATCH_MAX 64
#define SQ_BATCH_MS 5

static bool sq_batch_young(const struct sq_store *s, const struct sq_batch *b)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ms = (int64_t)(now.tv_sec - b->opened.tv_sec) * 1000 +
		     (now.tv_nsec - b->opened.tv_nsec) / 1000000;
	return ms < s->batch_ms;
}

/* Drops one reference; the last one frees the batch.  s->bmu held. */
static void sq_batch_unref(struct sq_batch *b)
{
	if (--b->refs == 0)
		free(b);
}

/* Records the outcome and wakes the members waiting for it. */
static void sq_batch_finish(struct sq_store *s, struct sq_batch *b, int result)
{
	pthread_mutex_lock(&s->bmu);
	b->done = true;
	b->result = result;
	pthread_cond_broadcast(&s->bcond);
	sq_batch_unref(b); /* the reference it had while open */
	pthread_mutex_unlock(&s->bmu);
}

/* Waits until b is done and returns its outcome. */
static int sq_batch_wait(struct sq_store *s, struct sq_batch *b)
{
	pthread_mutex_lock(&s->bmu);
	while (!b->done)
		pthread_cond_wait(&s->bcond, &s->bmu);
	int r = b->result;
	sq_batch_unref(b);
	pthread_mutex_unlock(&s->bmu);
	return r;
}

/* Ends the turn of the write lock's holder.  While another write
 * transaction is already queued and the batch is small and young, the lock
 * goes to it with the batch still open, so that one sync serves both;
 * otherwise the batch ends here: COMMIT (ROLLBACK when no member joined),
 * publish the revision, tell the members, give the lock. */
static void sq_batch_turn(struct sq_store *s)
{
	struct sq_batch *b = s->batch;
	struct sq_conn *c = s->wconn;
	pthread_mutex_lock(&s->wlock.mu);
	bool handed =
	    b->members < s->batch_max && sq_batch_young(s, b) && sq_wlock_handover(&s->wlock);
	pthread_mutex_unlock(&s->wlock.mu);
	if (handed)
		return;
	int r = 0;
	if (b->members == 0) {
		if (sq_exec(c, SQ_ROLLBACK) != SQLITE_OK)
			fatal("store: sqlite: rollback: %s", sqlite3_errmsg(c->db));
	} else {
		/* The parent rule cannot refuse it: no member left a violation
		 * behind (8). */
		int rc = sq_exec(c, SQ_COMMIT);
		if (rc != SQLITE_OK) {
			/* XXX: when the WAL's fsync itself fails, the frames may
			 * still reach the disk later, so "nothing was written"
			 * (store.h) holds only as far as SQLite's own recovery
			 * makes it hold. */
			r = sq_fail(c->db, rc, "commit");
			if (!sqlite3_get_autocommit(c->db) && sq_exec(c, SQ_ROLLBACK) != SQLITE_OK)
				fatal("store: sqlite: rollback: %s", sqlite3_errmsg(c->db));
		} else if (b->rev) {
			sq_publish(s, b->rev);
		}
	}
	s->batch = NULL;
	sq_batch_finish(s, b, r);
	sq_wlock_give(&s->wlock);
}

/* Ends a write transaction, committing it (commit) or not, and frees it.
 * Returns the member's outcome: 0 once its batch is committed, -ECONSTRAINT
 * when it broke the parent rule, -EIO when it or its batch failed. */
static int sq_write_end(struct sq_txn *t, bool commit, uint64_t *rev)
{
	struct sq_store *s = sq_store(t->base.store);
	struct sq_conn *c = t->c;
	struct sq_batch *b = s->batch;
	int r = 0;
	if (sqlite3_get_autocommit(c->db)) {
		/* SQLite rolled the whole batch back after an error (7): no
		 * member of it was written, and all of them fail. */
		free(t);
		s->batch = NULL;
		sq_batch_finish(s, b, -EIO);
		sq_wlock_give(&s->wlock);
		return commit ? -EIO : 0;
	}
	bool join = false;
	if (t->member) {
		if (commit && t->failed) {
			r = -EIO;
		} else if (commit) {
			int cur = 0, hi = 0;
			if (sqlite3_db_status(c->db, SQLITE_DBSTATUS_DEFERRED_FKS, &cur, &hi, 0) !=
			    SQLITE_OK)
				fatal("store: sqlite: db_status");
			if (cur)
				r = -ECONSTRAINT; /* all of them this member's (8) */
		}
		join = commit && r == 0;
		if (!join && sq_exec(c, SQ_ROLLBACK_TO) != SQLITE_OK)
			fatal("store: sqlite: rollback to: %s", sqlite3_errmsg(c->db));
		if (sq_exec(c, SQ_RELEASE) != SQLITE_OK)
			fatal("store: sqlite: release: %s", sqlite3_errmsg(c->db));
	}
	uint64_t mine = t->dirty ? t->rev + 1 : t->rev;
	if (join) {
		b->members++;
		if (t->dirty)
			b->rev = mine;
		pthread_mutex_lock(&s->bmu);
		b->refs++;
		pthread_mutex_unlock(&s->bmu);
	}
	free(t);
	sq_batch_turn(s); /* gives the lock up, one way or the other */
	if (join) {
		/* Even a member that wrote nothing waits: it may have read what
		 * earlier members wrote, and its *rev counts them. */
		r = sq_batch_wait(s, b);
		if (r == 0 && rev)
			*rev = mine;
	}
	return r;
}

/* --- transactions --- */

/* Ends a read transaction and hands its connection back (6). */
static void sq_read_end(struct sq_txn *t)
{
	struct sq_store *s = sq_store(t->base.store);
	if (!sqlite3_get_autocommit(t->c->db) && sq_exec(t->c, SQ_ROLLBACK) != SQLITE_OK)
		fatal("store: sqlite: rollback: %s", sqlite3_errmsg(t->c->db));
	sq_conn_put(s, t->c);
	free(t);
}

/* Takes the write lock, opens a batch unless the last holder handed one
 * over, and enters a SAVEPOINT of its own in it.  Frees t on failure. */
static int sq_begin_write(struct sq_store *s, struct sq_txn *t)
{
	int r = sq_wlock_take(&s->wlock);
	if (r < 0) {
		free(t);
		return r;
	}
	struct sq_conn *c = s->wconn;
	t->c = c;
	int rc;
	if (!s->batch) {
		struct sq_batch *b = calloc(1, sizeof(*b));
		if (!b) {
			r = -ENOMEM;
			goto fail_lock;
		}
		rc = sq_exec(c, SQ_BEGIN_WRITE);
		if (rc != SQLITE_OK) {
			free(b);
			r = sq_fail(c->db, rc, "begin");
			goto fail_lock;
		}
		b->refs = 1;
		clock_gettime(CLOCK_MONOTONIC, &b->opened);
		s->batch = b;
	}
	rc = sq_exec(c, SQ_SAVEPOINT);
	if (rc != SQLITE_OK) {
		r = sq_fail(c->db, rc, "savepoint");
		goto fail_member;
	}
	t->member = true;
	/* B, the batch's revision so far (2). */
	int64_t rev = 0;
	rc = sq_int(c, SQ_REV, &rev);
	if (rc != SQLITE_OK) {
		r = sq_fail(c->db, rc, "read revision");
		goto fail_member;
	}
	t->rev = (uint64_t)rev;
	return 0;

fail_member:
	sq_write_end(t, false, NULL); /* frees t; the batch goes on */
	return r;
fail_lock:
	sq_wlock_give(&s->wlock);
	free(t);
	return r;
}

static int sq_begin(struct store *base, bool write, struct store_txn **out)
{
	struct sq_store *s = sq_store(base);
	if (write && s->readonly)
		return -EBUSY;
	struct sq_txn *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->base.store = base;
	t->write = write;
	int r;
	if (write) {
		r = sq_begin_write(s, t);
		if (r == 0)
			*out = &t->base;
		return r;
	}
	r = sq_conn_get(s, &t->c);
	if (r < 0) {
		free(t);
		return r;
	}
	int rc = sq_exec(t->c, SQ_BEGIN_READ);
	if (rc != SQLITE_OK) {
		r = sq_fail(t->c->db, rc, "begin");
		goto fail;
	}
	/* The first read fixes the snapshot. */
	int64_t rev = 0;
	rc = sq_int(t->c, SQ_REV, &rev);
	if (rc != SQLITE_OK) {
		r = sq_fail(t->c->db, rc, "read revision");
		goto fail;
	}
	t->rev = (uint64_t)rev;
	*out = &t->base;
	return 0;
fail:
	sq_read_end(t);
	return r;
}

/* Records a failure of the engine inside t (7) and returns it. */
static int sq_txn_fail(struct sq_txn *t, int rc, const char *what)
{
	if (t->write)
		t->failed = true;
	return sq_fail(t->c->db, rc, what);
}

/* After a successful write to kv: takes the revision at the first one (2)
 * and appends the change. */
static int sq_txn_dirty(struct sq_txn *t, enum store_op op, const char *key, const char *value,
			size_t len)
{
	bool owned;
	int rc;
	sqlite3_stmt *st;
	if (!t->dirty) {
		st = sq_stmt(t->c, SQ_SET_REV, &owned, &rc);
		if (!st)
			return sq_txn_fail(t, rc, "prepare");
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(t->rev + 1));
		rc = sqlite3_step(st);
		sq_stmt_done(st, owned);
		if (rc != SQLITE_DONE)
			return sq_txn_fail(t, rc, "set revision");
		t->dirty = true;
	}
	st = sq_stmt(t->c, SQ_LOG, &owned, &rc);
	if (!st)
		return sq_txn_fail(t, rc, "prepare");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)(t->rev + 1));
	sqlite3_bind_int64(st, 2, t->seq);
	sqlite3_bind_int(st, 3, (int)op);
	sqlite3_bind_text(st, 4, key, -1, SQLITE_STATIC);
	if (op == STORE_DEL)
		sqlite3_bind_null(st, 5);
	else if (len == 0)
		sqlite3_bind_zeroblob(st, 5, 0);
	else
		sqlite3_bind_blob64(st, 5, value, len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sq_stmt_done(st, owned);
	if (rc != SQLITE_DONE)
		return sq_txn_fail(t, rc, "append change");
	t->seq++;
	return 0;
}

static int sq_put(struct store_txn *base, const char *key, const char *value, size_t len,
		  const char *parent, bool create_only)
{
	struct sq_txn *t = sq_txn(base);
	if (!t->write)
		return -EBADF;
	if (t->failed)
		return -EIO;
	if (!key || (!value && len))
		return -EINVAL;
	bool owned;
	int rc;
	sqlite3_stmt *st = sq_stmt(t->c, create_only ? SQ_INSERT : SQ_UPSERT, &owned, &rc);
	if (!st)
		return sq_txn_fail(t, rc, "prepare");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (len == 0)
		sqlite3_bind_zeroblob(st, 2, 0);
	else
		sqlite3_bind_blob64(st, 2, value, len, SQLITE_STATIC);
	if (parent)
		sqlite3_bind_text(st, 3, parent, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)(t->rev + 1));
	rc = sqlite3_step(st);
	sq_stmt_done(st, owned);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY && create_only)
		return -EEXIST; /* only this statement was undone */
	if (rc != SQLITE_DONE)
		return sq_txn_fail(t, rc, "put");
	return sq_txn_dirty(t, STORE_PUT, key, value, len);
}

static int sq_del(struct store_txn *base, const char *key)
{
	struct sq_txn *t = sq_txn(base);
	if (!t->write)
		return -EBADF;
	if (t->failed)
		return -EIO;
	if (!key)
		return -EINVAL;
	bool owned;
	int rc;
	sqlite3_stmt *st = sq_stmt(t->c, SQ_DELETE, &owned, &rc);
	if (!st)
		return sq_txn_fail(t, rc, "prepare");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sq_stmt_done(st, owned);
	if (rc != SQLITE_DONE)
		return sq_txn_fail(t, rc, "delete");
	if (sqlite3_changes(t->c->db) == 0)
		return -ENOENT;
	return sq_txn_dirty(t, STORE_DEL, key, NULL, 0);
}

/* A borrowed NUL-terminated view of a BLOB column.  sqlite3_column_text()
 * adds the terminator without changing a byte (the database is UTF-8); it
 * gives NULL for an empty BLOB, which is "". */
static const char *sq_column_value(sqlite3_stmt *st, int col, size_t *len)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		*len = 0;
		return NULL;
	}
	const char *v = (const char *)sqlite3_column_text(st, col);
	*len = (size_t)sqlite3_column_bytes(st, col);
	return v ? v : "";
}

static int sq_get(struct store_txn *base, const char *key, char **value, size_t *len,
		  uint64_t *mod_rev)
{
	struct sq_txn *t = sq_txn(base);
	*value = NULL;
	bool owned;
	int rc;
	sqlite3_stmt *st = sq_stmt(t->c, SQ_GET, &owned, &rc);
	if (!st)
		return sq_txn_fail(t, rc, "prepare");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	int r = 0;
	if (rc == SQLITE_ROW) {
		size_t n;
		const char *v = sq_column_value(st, 0, &n);
		char *copy = malloc(n + 1);
		if (copy) {
			memcpy(copy, v ? v : "", n);
			copy[n] = '\0';
			*value = copy;
			if (len)
				*len = n;
			if (mod_rev)
				*mod_rev = (uint64_t)sqlite3_column_int64(st, 1);
		} else {
			r = -ENOMEM;
		}
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		r = sq_txn_fail(t, rc, "get");
	}
	sq_stmt_done(st, owned);
	return r;
}

/* An end of NULL or "" is no upper bound (store_prefix_end() gives "" for a
 * prefix that has none). */
static bool sq_bounded(const char *end)
{
	return end && *end;
}

static int sq_range(struct store_txn *base, const char *start, const char *end, size_t limit,
		    store_kv_cb cb, void *arg)
{
	struct sq_txn *t = sq_txn(base);
	bool owned;
	int rc;
	bool bounded = sq_bounded(end);
	sqlite3_stmt *st = sq_stmt(t->c, bounded ? SQ_RANGE_TO : SQ_RANGE_ALL, &owned, &rc);
	if (!st)
		return sq_txn_fail(t, rc, "prepare");
	int p = 1;
	sqlite3_bind_text(st, p++, start ? start : "", -1, SQLITE_STATIC);
	if (bounded)
		sqlite3_bind_text(st, p++, end, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, p, limit ? (sqlite3_int64)limit : -1);
	int r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_kv kv;
		kv.key = (const char *)sqlite3_column_text(st, 0);
		kv.value = sq_column_value(st, 1, &kv.value_len);
		kv.mod_rev = (uint64_t)sqlite3_column_int64(st, 2);
		if (!kv.key || !kv.value) {
			rc = SQLITE_NOMEM;
			break;
		}
		r = cb(arg, &kv);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = sq_txn_fail(t, rc, "range");
	sq_stmt_done(st, owned);
	return r;
}

static int sq_count(struct store_txn *base, const char *start, const char *end, uint64_t *n)
{
	struct sq_txn *t = sq_txn(base);
	bool owned;
	int rc;
	bool bounded = sq_bounded(end);
	sqlite3_stmt *st = sq_stmt(t->c, bounded ? SQ_COUNT_TO : SQ_COUNT_ALL, &owned, &rc);
	if (!st)
		return sq_txn_fail(t, rc, "prepare");
	sqlite3_bind_text(st, 1, start ? start : "", -1, SQLITE_STATIC);
	if (bounded)
		sqlite3_bind_text(st, 2, end, -1, SQLITE_STATIC);
	int r = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	else
		r = sq_txn_fail(t, rc, "count");
	sq_stmt_done(st, owned);
	return r;
}

static int sq_count_dir(struct store_txn *base, const char *dir, uint64_t *n)
{
	struct sq_txn *t = sq_txn(base);
	bool owned;
	int rc;
	sqlite3_stmt *st = sq_stmt(t->c, SQ_COUNT_DIR, &owned, &rc);
	if (!st)
		return sq_txn_fail(t, rc, "prepare");
	sqlite3_bind_text(st, 1, dir, -1, SQLITE_STATIC);
	int r = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = (uint64_t)sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*n = 0;
	else
		r = sq_txn_fail(t, rc, "count");
	sq_stmt_done(st, owned);
	return r;
}

static int sq_commit(struct store_txn *base, uint64_t *rev)
{
	struct sq_txn *t = sq_txn(base);
	if (t->write)
		return sq_write_end(t, true, rev);
	if (rev)
		*rev = t->rev;
	sq_read_end(t);
	return 0;
}

static void sq_abort(struct store_txn *base)
{
	struct sq_txn *t = sq_txn(base);
	if (t->write)
		sq_write_end(t, false, NULL);
	else
		sq_read_end(t);
}

/* --- the change feed --- */

static int sq_changes(struct store *base, uint64_t after_rev, size_t limit, store_change_cb cb,
		      void *arg)
{
	struct sq_store *s = sq_store(base);
	struct sq_conn *c;
	int r = sq_conn_get(s, &c);
	if (r < 0)
		return r;
	bool owned;
	int rc;
	sqlite3_stmt *st = sq_stmt(c, SQ_CHANGES, &owned, &rc);
	if (!st) {
		r = sq_fail(c->db, rc, "prepare");
		goto out;
	}
	sqlite3_bind_int64(st, 1, after_rev > INT64_MAX ? INT64_MAX : (sqlite3_int64)after_rev);
	size_t n = 0;
	uint64_t last = 0;
	/* One statement reads one snapshot: a commit running meanwhile is either
	 * wholly in the answer or wholly out of it. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_change ch;
		ch.rev = (uint64_t)sqlite3_column_int64(st, 0);
		if (limit && n >= limit && ch.rev != last)
			break; /* never split a revision */
		ch.op = (enum store_op)sqlite3_column_int(st, 1);
		ch.kv.key = (const char *)sqlite3_column_text(st, 2);
		ch.kv.value = sq_column_value(st, 3, &ch.kv.value_len);
		ch.kv.mod_rev = ch.rev;
		if (!ch.kv.key || (ch.op == STORE_PUT && !ch.kv.value)) {
			rc = SQLITE_NOMEM;
			break;
		}
		r = cb(arg, &ch);
		if (r != 0)
			break;
		n++;
		last = ch.rev;
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = sq_fail(c->db, rc, "changes");
	sq_stmt_done(st, owned);
out:
	sq_conn_put(s, c);
	return r;
}

/* --- open and close --- */

/* Brings the schema to SQ_SCHEMA_VERSION, one step per transaction.  The
 * version is read under BEGIN IMMEDIATE so two processes opening a new file
 * at once do not both run a step. */
static int sq_migrate(struct sq_conn *c)
{
	for (;;) {
		int rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return sq_fail(c->db, rc, "migrate: begin");
		int64_t v = 0;
		rc = sq_int(c, SQ_USER_VERSION, &v);
		if (rc != SQLITE_OK) {
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
			return sq_fail(c->db, rc, "migrate: read version");
		}
		if (v > SQ_SCHEMA_VERSION) {
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
			log_err(
			    "store: sqlite: schema version %lld is newer than this program's %d",
			    (long long)v, SQ_SCHEMA_VERSION);
			return -ENOTSUP;
		}
		if (v == SQ_SCHEMA_VERSION) {
			rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
			return rc == SQLITE_OK ? 0 : sq_fail(c->db, rc, "migrate: commit");
		}
		char setv[64];
		snprintf(setv, sizeof(setv), "PRAGMA user_version = %d", (int)v + 1);
		rc = sqlite3_exec(c->db, sq_migrations[v], NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(c->db, setv, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			int r = sq_fail(c->db, rc, "migrate");
			if (!sqlite3_get_autocommit(c->db))
				sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
			return r;
		}
	}
}

/* Reads a whole decimal number in [lo, hi]. */
static bool sq_parse_num(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

/* "sqlite:PATH[?OPTION[&OPTION...]]", the options being
 *   mode=ro       read only: no write transactions, no migrations
 *   batch=N       at most N write transactions per group commit (1: none)
 *   batch_ms=N    a batch takes new members for N ms after its BEGIN
 *   feed_keep=N   the change feed keeps at least the last N revisions
 *   feed_keep_s=N ... and every revision of the last N seconds
 * A PATH with a '?' in it cannot be named. */
static int sq_parse_uri(struct sq_store *s, const char *uri)
{
	static const char scheme[] = "sqlite:";
	if (strncmp(uri, scheme, sizeof(scheme) - 1) != 0)
		return -EINVAL;
	const char *p = uri + sizeof(scheme) - 1;
	const char *q = strchr(p, '?');
	size_t n = q ? (size_t)(q - p) : strlen(p);
	if (n == 0)
		return -EINVAL;
	s->batch_max = SQ_BATCH_MAX;
	s->batch_ms = SQ_BATCH_MS;
	s->feed_keep = SQ_FEED_KEEP;
	s->feed_keep_s = SQ_FEED_KEEP_S;
	while (q && *q) {
		q++;
		size_t len = strcspn(q, "&");
		char opt[64];
		if (len >= sizeof(opt))
			return -EINVAL;
		memcpy(opt, q, len);
		opt[len] = '\0';
		q += len;
		long v;
		if (strcmp(opt, "mode=ro") == 0)
			s->readonly = true;
		else if (strncmp(opt, "batch=", 6) == 0 && sq_parse_num(opt + 6, 1, 100000, &v))
			s->batch_max = (unsigned)v;
		else if (strncmp(opt, "batch_ms=", 9) == 0 && sq_parse_num(opt + 9, 0, 3600000, &v))
			s->batch_ms = (int)v;
		else if (strncmp(opt, "feed_keep=", 10) == 0 &&
			 sq_parse_num(opt + 10, 1, 1000000000, &v))
			s->feed_keep = (uint64_t)v;
		else if (strncmp(opt, "feed_keep_s=", 12) == 0 &&
			 sq_parse_num(opt + 12, 0, 100000000, &v))
			s->feed_keep_s = v;
		else
			return -EINVAL;
	}
	s->path = strndup(p, n);
	return s->path ? 0 : -ENOMEM;
}

/* --- feed retention --- */

/* Revisions are sampled every feed_keep_s / (SQ_FEED_MARKS / 2) seconds, so
 * the ring always holds a sample older than the time kept. */
static int64_t sq_mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Deletes the feed rows no reader can need any more: below both the
 * revision feed_keep back and the revision current feed_keep_s ago.  Runs
 * on the checkpointer's connection in short transactions of at most
 * SQ_FEED_CHUNK revisions, so the writer is never held up for long (it waits
 * in its busy handler meanwhile).  A reader of the feed (the local agent)
 * reads every revision within a tick of its commit, far inside both. */
static void sq_feed_compact(struct sq_store *s)
{
	int64_t now = sq_mono_s();
	uint64_t rev = sq_revision(&s->base);
	int64_t every = s->feed_keep_s / (SQ_FEED_MARKS / 2);
	if (every < 1)
		every = 1;
	if (s->feed_nmarks == 0 || now - s->feed_last_mark >= every) {
		s->feed_marks[s->feed_nmarks % SQ_FEED_MARKS].at = now;
		s->feed_marks[s->feed_nmarks % SQ_FEED_MARKS].rev = rev;
		s->feed_nmarks++;
		s->feed_last_mark = now;
	}
	/* The newest sample at least feed_keep_s old bounds what may go. */
	uint64_t by_time = 0;
	bool have = false;
	unsigned n = s->feed_nmarks < SQ_FEED_MARKS ? s->feed_nmarks : SQ_FEED_MARKS;
	for (unsigned i = 0; i < n; i++)
		if (now - s->feed_marks[i].at >= s->feed_keep_s &&
		    (!have || s->feed_marks[i].rev > by_time)) {
			by_time = s->feed_marks[i].rev;
			have = true;
		}
	if (!have || rev <= s->feed_keep)
		return;
	uint64_t upto = rev - s->feed_keep;
	if (by_time < upto)
		upto = by_time;
	while (s->compacted < upto) {
		uint64_t to =
		    upto - s->compacted > SQ_FEED_CHUNK ? s->compacted + SQ_FEED_CHUNK : upto;
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->ckpt_db, "DELETE FROM changes WHERE rev <= ?1", -1, &st,
				       NULL) != SQLITE_OK)
			return;
		sqlite3_bind_int64(st, 1, (sqlite3_int64)to);
		int rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			if (rc != SQLITE_BUSY)
				log_warn("store: sqlite: feed compaction: %s",
					 sqlite3_errmsg(s->ckpt_db));
			return;
		}
		s->compacted = to;
	}
}

/* WAL frames after which the checkpointer is woken (SQLite's own automatic
 * checkpoint, which would run inside the committing writer, is off). */
#define SQ_CKPT_PAGES 1000

/* Called by SQLite on the write connection after each commit. */
static int sq_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sq_store *s = arg;
	(void)db;
	(void)name;
	if (pages >= SQ_CKPT_PAGES) {
		pthread_mutex_lock(&s->ckpt_mu);
		s->ckpt_wanted = true;
		pthread_cond_signal(&s->ckpt_cond);
		pthread_mutex_unlock(&s->ckpt_mu);
	}
	return SQLITE_OK;
}

/* PASSIVE checkpoints never wait for (nor block) readers or the writer; with
 * synchronous=FULL each one ends with an fsync of the database file, here
 * rather than in a request.  A checkpoint that cannot finish (a reader on an
 * old snapshot) leaves the rest for the next one. */
static void *sq_ckpt_main(void *arg)
{
	struct sq_store *s = arg;
	pthread_mutex_lock(&s->ckpt_mu);
	for (;;) {
		/* Woken by the WAL hook, or every SQ_FEED_TICK_S for the feed. */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += SQ_FEED_TICK_S;
		while (!s->ckpt_wanted && !s->ckpt_stop &&
		       pthread_cond_timedwait(&s->ckpt_cond, &s->ckpt_mu, &until) == 0)
			;
		if (s->ckpt_stop)
			break;
		s->ckpt_wanted = false;
		pthread_mutex_unlock(&s->ckpt_mu);
		sq_feed_compact(s);
		int log = 0, done = 0;
		int rc = sqlite3_wal_checkpoint_v2(s->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE,
						   &log, &done);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("store: sqlite: checkpoint: %s", sqlite3_errmsg(s->ckpt_db));
		pthread_mutex_lock(&s->ckpt_mu);
	}
	pthread_mutex_unlock(&s->ckpt_mu);
	return NULL;
}

static int sq_ckpt_start(struct sq_store *s)
{
	int rc = sqlite3_open_v2(s->path, &s->ckpt_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		log_err("store: sqlite: checkpointer: %s", sqlite3_errstr(rc));
		sqlite3_close(s->ckpt_db);
		s->ckpt_db = NULL;
		return sq_errno(rc);
	}
	sqlite3_busy_timeout(s->ckpt_db, SQ_BUSY_TIMEOUT_MS);
	sqlite3_exec(s->ckpt_db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	sqlite3_exec(s->ckpt_db, "PRAGMA journal_size_limit = 16777216", NULL, NULL, NULL);
	pthread_mutex_init(&s->ckpt_mu, NULL);
	pthread_cond_init(&s->ckpt_cond, NULL);
	/* Where an earlier run's compaction stopped. */
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->ckpt_db, "SELECT min(rev) FROM changes", -1, &st, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			s->compacted = (uint64_t)sqlite3_column_int64(st, 0) - 1;
		sqlite3_finalize(st);
	}
	if (pthread_create(&s->ckpt_thread, NULL, sq_ckpt_main, s) != 0) {
		sqlite3_close(s->ckpt_db);
		s->ckpt_db = NULL;
		return -EAGAIN;
	}
	s->ckpt_started = true;
	/* Replaces SQLite's automatic checkpoint on the write connection. */
	sqlite3_wal_hook(s->wconn->db, sq_wal_hook, s);
	return 0;
}

static void sq_ckpt_stop(struct sq_store *s)
{
	if (!s->ckpt_started)
		return;
	sqlite3_wal_hook(s->wconn->db, NULL, NULL);
	pthread_mutex_lock(&s->ckpt_mu);
	s->ckpt_stop = true;
	pthread_cond_signal(&s->ckpt_cond);
	pthread_mutex_unlock(&s->ckpt_mu);
	pthread_join(s->ckpt_thread, NULL);
	sqlite3_close(s->ckpt_db);
	pthread_cond_destroy(&s->ckpt_cond);
	pthread_mutex_destroy(&s->ckpt_mu);
	s->ckpt_started = false;
}

static void sq_close(struct store *base)
{
	struct sq_store *s = sq_store(base);
	if (sq_wlock_busy(&s->wlock) || s->batch)
		fatal("store: close with a write transaction open");
	if (s->nfree != s->nconns)
		fatal("store: close with %u read transactions open", s->nconns - s->nfree);
	while (s->pool) {
		struct sq_conn *c = s->pool;
		s->pool = c->next;
		sq_conn_close(c);
	}
	sq_ckpt_stop(s);
	/* Last: closing the last connection checkpoints the WAL into the file. */
	sq_conn_close(s->wconn);
	pthread_cond_destroy(&s->bcond);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->bmu);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_mutex_destroy(&s->wlock.mu);
	free(s->path);
	free(s);
}

static int sq_open(const char *uri, struct store **out)
{
	if (!sqlite3_threadsafe())
		return -ENOTSUP; /* (4) needs SQLite built with its threads support */
	struct sq_store *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &store_sqlite_ops;
	int r = sq_parse_uri(s, uri);
	if (r < 0)
		goto fail_free;

	pthread_mutex_init(&s->wlock.mu, NULL);
	pthread_mutex_init(&s->pool_mu, NULL);
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->bmu, NULL);
	pthread_cond_init(&s->bcond, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	r = -pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (r < 0)
		goto fail_mutex;

	if (!s->readonly) {
		r = sq_conn_open(s, true, &s->wconn);
		if (r < 0)
			goto fail_cond;
		r = sq_migrate(s->wconn);
		if (r < 0)
			goto fail_wconn;
		r = sq_ckpt_start(s);
		if (r < 0)
			goto fail_wconn;
	} else {
		struct sq_conn *c;
		r = sq_conn_get(s, &c);
		if (r < 0)
			goto fail_cond;
		int64_t v = -1;
		int rc = sq_int(c, SQ_USER_VERSION, &v);
		sq_conn_put(s, c);
		if (rc != SQLITE_OK || v != SQ_SCHEMA_VERSION) {
			log_err("store: sqlite: %s: schema version %lld, want %d", s->path,
				(long long)v, SQ_SCHEMA_VERSION);
			r = rc != SQLITE_OK ? sq_errno(rc) : -ENOTSUP;
			goto fail_pool;
		}
	}
	r = sq_refresh(s);
	if (r < 0)
		goto fail_pool;
	*out = &s->base;
	return 0;

fail_pool:
	while (s->pool) {
		struct sq_conn *c = s->pool;
		s->pool = c->next;
		sq_conn_close(c);
	}
fail_wconn:
	sq_ckpt_stop(s);
	sq_conn_close(s->wconn);
fail_cond:
	pthread_cond_destroy(&s->cond);
fail_mutex:
	pthread_cond_destroy(&s->bcond);
	pthread_mutex_destroy(&s->bmu);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->pool_mu);
	pthread_mutex_destroy(&s->wlock.mu);
fail_free:
	free(s->path);
	free(s);
	return r;
}

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .get = sq_get,
    .put = sq_put,
    .del = sq_del,
    .range = sq_range,
    .count = sq_count,
    .count_dir = sq_count_dir,
    .commit = sq_commit,
    .abort = sq_abort,
    .revision = sq_revision,
    .changes = sq_changes,
    .wait = sq_wait,
};
