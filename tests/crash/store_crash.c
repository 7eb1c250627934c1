/*
 * store_crash: kills a process that is writing to the store and checks what
 * the store holds afterwards (store.h invariants 1-3, the parent rule).
 *
 * Each round forks a child that runs a write storm from STORM_THREADS
 * threads on DIR/db.  Every transaction has one of these shapes:
 *
 *   C  create a parent p/T/N and its child c/T/N (in either order)
 *   U  rewrite the value of one of the thread's live parents
 *   D  delete one of the thread's live pairs (child or parent first)
 *   A  write x/T/N and abort                  (never committed)
 *   O  write orphan/T/N whose parent is absent (refused at commit)
 *   P  delete a parent that still has its child (refused at commit)
 *
 * Every value is "KEY|GEN|PADDING|FNV64" and checks itself.  After each
 * successful commit the child writes "ACK REV SHAPE KEY [KEY] GEN" to the
 * pipe it has for stdout with one write(2) (atomic below PIPE_BUF, and a
 * killed process's pipe keeps what was written).  The parent SIGKILLs it at
 * a random moment, reads the ACKs left in the pipe, opens the store (SQLite
 * recovers the WAL) and checks:
 *
 *   - every ACKed revision is in the change feed with exactly the ACKed
 *     changes, and the revision is <= store_revision();
 *   - the feed's revisions run 1..store_revision() without a gap, and every
 *     revision has one of the committed shapes, whole (C, U or D);
 *   - replaying the whole feed gives exactly the store's contents, keys,
 *     values and mod_revs: nothing outside a committed revision is there;
 *   - every value's checksum holds; no x/ or orphan/ key exists anywhere;
 *   - every child's parent is present.
 *
 * With STORM_THREADS writers most commits ride in group commits (see
 * store/sqlite.c), so kills also land inside batches that are still open.
 *
 * A SIGKILL tests a process crash; the kernel still holds what the process
 * wrote, so power loss (the reason for synchronous=FULL) is not covered.
 *
 *   store_crash DIR [ROUNDS [SEED]]       (store_crash.sh makes DIR)
 */
#include "store/store.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STORM_THREADS 8
#define KEY_MAX 48
#define LIVE_MAX 4096

static char crash_uri[512];

static _Noreturn void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "store_crash: FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static uint64_t fnv64(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* "KEY|GEN|PADDING|" then 16 hex digits of the FNV-1a of all before them. */
static size_t make_value(char *buf, size_t cap, const char *key, unsigned gen, unsigned *seed)
{
	int n = snprintf(buf, cap, "%s|%u|", key, gen);
	int pad = 16 + rand_r(seed) % 400;
	for (int i = 0; i < pad && (size_t)n + 20 < cap; i++)
		buf[n++] = (char)('a' + rand_r(seed) % 26);
	buf[n++] = '|';
	n += snprintf(buf + n, cap - (size_t)n, "%016" PRIx64, fnv64(buf, (size_t)n));
	return (size_t)n;
}

/* True when value is whole and was made for key; *gen gets its GEN. */
static bool check_value(const char *key, const char *v, size_t len, unsigned *gen)
{
	if (!v || len < 17 || strlen(v) != len)
		return false;
	const char *sum = v + len - 16;
	if (sum[-1] != '|')
		return false;
	char want[17];
	snprintf(want, sizeof(want), "%016" PRIx64, fnv64(v, (size_t)(sum - v)));
	if (memcmp(want, sum, 16) != 0)
		return false;
	size_t kl = strlen(key);
	if (strncmp(v, key, kl) != 0 || v[kl] != '|')
		return false;
	*gen = (unsigned)strtoul(v + kl + 1, NULL, 10);
	return true;
}

/* --- the child: a write storm --- */

struct stormer {
	int tid;
	unsigned round;
	unsigned seed;
	struct store *s;
	unsigned live[LIVE_MAX]; /* N of this thread's committed pairs */
	unsigned gen[LIVE_MAX];
	int nlive;
};

static void ack(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ack(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (write(STDOUT_FILENO, line, (size_t)n) != n)
		_exit(4);
}

static _Noreturn void storm_fail(const char *what, int r)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "ERR %s %d\n", what, r);
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		_exit(3);
	_exit(3);
}

#define CHECK(expr, want)                                                                          \
	do {                                                                                       \
		int r_ = (expr);                                                                   \
		if (r_ != (want))                                                                  \
			storm_fail(#expr, r_);                                                     \
	} while (0)

static void *storm_main(void *arg)
{
	struct stormer *w = arg;
	char pk[KEY_MAX], ck[KEY_MAX], val[600];
	unsigned n = w->round * 1000000u;
	for (;;) {
		struct store_txn *t;
		uint64_t rev;
		int shape = rand_r(&w->seed) % 100;
		CHECK(store_begin(w->s, true, &t), 0);
		if (shape < 55 || w->nlive == 0) { /* C */
			n++;
			snprintf(pk, sizeof(pk), "p/%d/%u", w->tid, n);
			snprintf(ck, sizeof(ck), "c/%d/%u", w->tid, n);
			size_t pl = make_value(val, sizeof(val), pk, 1, &w->seed);
			bool child_first = rand_r(&w->seed) & 1;
			if (child_first) {
				char cv[600];
				size_t cl = make_value(cv, sizeof(cv), ck, 1, &w->seed);
				CHECK(store_create(t, ck, cv, cl, pk), 0);
				CHECK(store_create(t, pk, val, pl, NULL), 0);
			} else {
				CHECK(store_create(t, pk, val, pl, NULL), 0);
				pl = make_value(val, sizeof(val), ck, 1, &w->seed);
				CHECK(store_create(t, ck, val, pl, pk), 0);
			}
			CHECK(store_commit(t, &rev), 0);
			if (w->nlive < LIVE_MAX) {
				w->live[w->nlive] = n;
				w->gen[w->nlive++] = 1;
			}
			ack("ACK %" PRIu64 " C %s %s 1\n", rev, pk, ck);
		} else if (shape < 75) { /* U */
			int i = rand_r(&w->seed) % w->nlive;
			snprintf(pk, sizeof(pk), "p/%d/%u", w->tid, w->live[i]);
			unsigned g = ++w->gen[i];
			size_t l = make_value(val, sizeof(val), pk, g, &w->seed);
			CHECK(store_put(t, pk, val, l, NULL), 0);
			CHECK(store_commit(t, &rev), 0);
			ack("ACK %" PRIu64 " U %s %u\n", rev, pk, g);
		} else if (shape < 90) { /* D */
			int i = rand_r(&w->seed) % w->nlive;
			snprintf(pk, sizeof(pk), "p/%d/%u", w->tid, w->live[i]);
			snprintf(ck, sizeof(ck), "c/%d/%u", w->tid, w->live[i]);
			bool child_first = rand_r(&w->seed) & 1;
			CHECK(store_del(t, child_first ? ck : pk), 0);
			CHECK(store_del(t, child_first ? pk : ck), 0);
			CHECK(store_commit(t, &rev), 0);
			w->live[i] = w->live[w->nlive - 1];
			w->gen[i] = w->gen[--w->nlive];
			ack("ACK %" PRIu64 " D %s %s 0\n", rev, pk, ck);
		} else if (shape < 94) { /* A */
			snprintf(pk, sizeof(pk), "x/%d/%u", w->tid, ++n);
			size_t l = make_value(val, sizeof(val), pk, 1, &w->seed);
			CHECK(store_put(t, pk, val, l, NULL), 0);
			store_abort(t);
		} else if (shape < 97) { /* O */
			snprintf(pk, sizeof(pk), "orphan/%d/%u", w->tid, ++n);
			size_t l = make_value(val, sizeof(val), pk, 1, &w->seed);
			CHECK(store_put(t, pk, val, l, "nowhere"), 0);
			CHECK(store_commit(t, &rev), -ECONSTRAINT);
		} else { /* P */
			int i = rand_r(&w->seed) % w->nlive;
			snprintf(pk, sizeof(pk), "p/%d/%u", w->tid, w->live[i]);
			CHECK(store_del(t, pk), 0);
			CHECK(store_commit(t, &rev), -ECONSTRAINT);
		}
	}
	return NULL;
}

static _Noreturn void storm(unsigned round, unsigned seed)
{
	struct store *s;
	CHECK(store_open(crash_uri, &s), 0);
	static struct stormer w[STORM_THREADS];
	pthread_t th[STORM_THREADS];
	for (int i = 0; i < STORM_THREADS; i++) {
		w[i] = (struct stormer){
		    .tid = i, .round = round, .seed = seed * 31u + (unsigned)i, .s = s};
		if (pthread_create(&th[i], NULL, storm_main, &w[i]) != 0)
			storm_fail("pthread_create", -1);
	}
	for (int i = 0; i < STORM_THREADS; i++)
		pthread_join(th[i], NULL); /* never: the storm runs until killed */
	_exit(5);
}

/* --- the parent: acks, kill, verification --- */

struct ack_rec {
	uint64_t rev;
	char shape;
	char k1[KEY_MAX], k2[KEY_MAX];
	unsigned gen;
};

static struct ack_rec *acks;
static size_t nacks, cap_acks;

static void parse_line(const char *line)
{
	if (strncmp(line, "ERR ", 4) == 0)
		failf("the storm failed: %s", line);
	struct ack_rec a = {0};
	char k1[KEY_MAX] = "", k2[KEY_MAX] = "", g[16] = "";
	int n = sscanf(line, "ACK %" SCNu64 " %c %47s %47s %15s", &a.rev, &a.shape, k1, k2, g);
	if (n < 4)
		failf("bad line from the storm: %s", line);
	if (a.shape == 'U') {
		a.gen = (unsigned)strtoul(k2, NULL, 10);
		k2[0] = '\0';
	} else {
		a.gen = (unsigned)strtoul(g, NULL, 10);
	}
	snprintf(a.k1, KEY_MAX, "%s", k1);
	snprintf(a.k2, KEY_MAX, "%s", k2);
	if (nacks == cap_acks) {
		cap_acks = cap_acks ? cap_acks * 2 : 4096;
		acks = realloc(acks, cap_acks * sizeof(*acks));
		if (!acks)
			failf("out of memory");
	}
	acks[nacks++] = a;
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Runs one storm, kills it after kill_ms of ACKs, keeps the ACKs. */
static size_t run_round(unsigned round, unsigned seed, int kill_ms)
{
	int fd[2];
	if (pipe(fd) != 0)
		failf("pipe");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		failf("fork");
	if (pid == 0) {
		close(fd[0]);
		if (dup2(fd[1], STDOUT_FILENO) < 0)
			_exit(6);
		close(fd[1]);
		storm(round, seed);
	}
	close(fd[1]);
	size_t before = nacks;
	char buf[65536], line[512];
	size_t ll = 0;
	double deadline = -1;
	bool killed = false;
	for (;;) {
		struct pollfd p = {fd[0], POLLIN, 0};
		double now = mono_ms();
		if (!killed && deadline >= 0 && now >= deadline) {
			kill(pid, SIGKILL);
			killed = true;
		}
		int wait_ms = killed || deadline < 0 ? 1000 : (int)(deadline - now) + 1;
		int pr = poll(&p, 1, wait_ms);
		if (pr < 0)
			failf("poll");
		if (pr == 0) {
			if (deadline < 0 && !killed)
				failf("the storm wrote nothing for a second");
			continue;
		}
		ssize_t n = read(fd[0], buf, sizeof(buf));
		if (n < 0)
			failf("read");
		if (n == 0)
			break; /* killed, pipe drained */
		if (deadline < 0)
			deadline = mono_ms() + kill_ms; /* counted from the first ACK */
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				line[ll] = '\0';
				parse_line(line);
				ll = 0;
			} else if (ll + 1 < sizeof(line)) {
				line[ll++] = buf[i];
			}
		}
	}
	close(fd[0]);
	/* A partial last line cannot happen: each ACK is one write(2). */
	if (ll)
		failf("torn ACK line");
	int status;
	if (waitpid(pid, &status, 0) != pid)
		failf("waitpid");
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		failf("the storm ended by itself (status %d)", status);
	return nacks - before;
}

/* A chained hash map from key to the last state the feed gave it. */
struct entry {
	char *key;
	char *value; /* NULL: deleted */
	size_t len;
	uint64_t mod_rev;
	bool seen; /* matched against the store */
	struct entry *next;
};

#define NBUCKETS 65536
static struct entry *buckets[NBUCKETS];

static struct entry *map_get(const char *key, bool add)
{
	uint64_t h = fnv64(key, strlen(key)) % NBUCKETS;
	for (struct entry *e = buckets[h]; e; e = e->next)
		if (strcmp(e->key, key) == 0)
			return e;
	if (!add)
		return NULL;
	struct entry *e = calloc(1, sizeof(*e));
	if (!e || !(e->key = strdup(key)))
		failf("out of memory");
	e->next = buckets[h];
	buckets[h] = e;
	return e;
}

static void map_clear(void)
{
	for (size_t i = 0; i < NBUCKETS; i++) {
		while (buckets[i]) {
			struct entry *e = buckets[i];
			buckets[i] = e->next;
			free(e->key);
			free(e->value);
			free(e);
		}
	}
}

/* The changes of one revision as the feed gives them. */
struct revset {
	int n;
	enum store_op op[2];
	char key[2][KEY_MAX];
	unsigned gen[2];
};

struct verify {
	uint64_t next_rev; /* the revision the feed must give next */
	struct revset *revs;
	size_t nrevs;
};

static int feed_cb(void *arg, const struct store_change *c)
{
	struct verify *v = arg;
	if (c->rev == 0 || (c->rev != v->next_rev && c->rev != v->next_rev - 1))
		failf("feed jumps from revision %" PRIu64 " to %" PRIu64, v->next_rev - 1, c->rev);
	if (c->rev == v->next_rev)
		v->next_rev++;
	if (c->rev >= v->nrevs)
		failf("feed revision %" PRIu64 " above the store's", c->rev);
	struct revset *rs = &v->revs[c->rev];
	if (rs->n == 2)
		failf("revision %" PRIu64 " has more than two changes", c->rev);
	if (strncmp(c->kv.key, "x/", 2) == 0 || strncmp(c->kv.key, "orphan/", 7) == 0)
		failf("feed holds %s, which was never committed", c->kv.key);
	unsigned gen = 0;
	if (c->op == STORE_PUT && !check_value(c->kv.key, c->kv.value, c->kv.value_len, &gen))
		failf("feed value of %s at revision %" PRIu64 " is torn", c->kv.key, c->rev);
	if (c->op == STORE_DEL && c->kv.value)
		failf("a delete with a value");
	rs->op[rs->n] = c->op;
	rs->gen[rs->n] = gen;
	snprintf(rs->key[rs->n], KEY_MAX, "%s", c->kv.key);
	rs->n++;
	struct entry *e = map_get(c->kv.key, true);
	free(e->value);
	e->value = NULL;
	if (c->op == STORE_PUT) {
		e->value = strndup(c->kv.value, c->kv.value_len);
		if (!e->value)
			failf("out of memory");
		e->len = c->kv.value_len;
	}
	e->mod_rev = c->rev;
	return 0;
}

static int kv_cb(void *arg, const struct store_kv *kv)
{
	size_t *n = arg;
	(*n)++;
	struct entry *e = map_get(kv->key, false);
	if (!e || !e->value)
		failf("store holds %s, which no committed revision wrote", kv->key);
	if (e->len != kv->value_len || memcmp(e->value, kv->value, kv->value_len) != 0 ||
	    e->mod_rev != kv->mod_rev)
		failf("store's %s differs from the feed's", kv->key);
	unsigned gen;
	if (!check_value(kv->key, kv->value, kv->value_len, &gen))
		failf("value of %s is torn", kv->key);
	e->seen = true;
	return 0;
}

/* The two keys of a pair: p/T/N and c/T/N with the same T/N. */
static bool is_pair(const char *p, const char *c)
{
	return p[0] == 'p' && c[0] == 'c' && p[1] == '/' && strcmp(p + 1, c + 1) == 0;
}

static bool shape_ok(const struct revset *rs, char *shape)
{
	if (rs->n == 1 && rs->op[0] == STORE_PUT && rs->key[0][0] == 'p') {
		*shape = 'U';
		return true;
	}
	if (rs->n != 2 || rs->op[0] != rs->op[1])
		return false;
	int p = rs->key[0][0] == 'p' ? 0 : 1;
	if (!is_pair(rs->key[p], rs->key[1 - p]))
		return false;
	*shape = rs->op[0] == STORE_PUT ? 'C' : 'D';
	return true;
}

static void verify(void)
{
	struct store *s;
	int r = store_open(crash_uri, &s);
	if (r < 0)
		failf("reopen after the kill: %d", r);
	uint64_t rev = store_revision(s);
	struct verify v = {1, calloc(rev + 1, sizeof(struct revset)), rev + 1};
	if (!v.revs)
		failf("out of memory");
	map_clear();
	r = store_changes(s, 0, 0, feed_cb, &v);
	if (r != 0)
		failf("store_changes: %d", r);
	if (v.next_rev != rev + 1)
		failf("feed ends at %" PRIu64 ", store is at %" PRIu64, v.next_rev - 1, rev);
	for (uint64_t i = 1; i <= rev; i++) {
		char shape;
		if (!shape_ok(&v.revs[i], &shape))
			failf("revision %" PRIu64 " is not a whole transaction", i);
	}
	/* Every ACK is in the feed, exactly. */
	for (size_t i = 0; i < nacks; i++) {
		const struct ack_rec *a = &acks[i];
		if (a->rev == 0 || a->rev > rev)
			failf("ACKed revision %" PRIu64 " lost (store at %" PRIu64 ")", a->rev,
			      rev);
		const struct revset *rs = &v.revs[a->rev];
		char shape;
		shape_ok(rs, &shape);
		bool ok = shape == a->shape;
		for (int j = 0; ok && j < rs->n; j++) {
			ok = strcmp(rs->key[j], a->k1) == 0 || strcmp(rs->key[j], a->k2) == 0;
			if (rs->op[j] == STORE_PUT)
				ok = ok && rs->gen[j] == a->gen;
		}
		if (!ok)
			failf("ACKed revision %" PRIu64 " (%c %s %s) differs in the feed", a->rev,
			      a->shape, a->k1, a->k2);
	}
	/* The store is the replay of the feed: nothing more, nothing less. */
	struct store_txn *t;
	if (store_begin(s, false, &t) < 0)
		failf("begin");
	size_t nkv = 0;
	if (store_range(t, NULL, NULL, 0, kv_cb, &nkv) != 0)
		failf("range");
	size_t live = 0;
	for (size_t i = 0; i < NBUCKETS; i++)
		for (struct entry *e = buckets[i]; e; e = e->next) {
			if (e->value && !e->seen)
				failf("%s was committed but is missing", e->key);
			live += e->value != NULL;
			/* The parent rule. */
			if (e->value && e->key[0] == 'c') {
				char pk[KEY_MAX];
				snprintf(pk, sizeof(pk), "p%s", e->key + 1);
				struct entry *p = map_get(pk, false);
				if (!p || !p->value)
					failf("%s outlived its parent", e->key);
			}
		}
	if (live != nkv)
		failf("store holds %zu keys, the feed %zu", nkv, live);
	store_abort(t);
	store_close(s);
	free(v.revs);
	printf("  store at revision %" PRIu64 ", %zu keys, %zu ACKs so far: ok\n", rev, nkv, nacks);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: store_crash DIR [ROUNDS [SEED]]\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 8;
	unsigned seed = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : (unsigned)time(NULL);
	snprintf(crash_uri, sizeof(crash_uri), "sqlite:%s/db", argv[1]);
	printf("store_crash: %d rounds, seed %u\n", rounds, seed);
	double t0 = mono_ms();
	for (int i = 0; i < rounds; i++) {
		int kill_ms = 20 + rand_r(&seed) % 600;
		size_t n = run_round((unsigned)i + 1, rand_r(&seed), kill_ms);
		printf("round %d: killed after %d ms, %zu ACKs\n", i + 1, kill_ms, n);
		verify();
	}
	printf("store_crash: ok in %.1f s\n", (mono_ms() - t0) / 1e3);
	map_clear();
	free(acks);
	return 0;
}
