/*
 * local: see local.h.
 *
 * One thread.  Loop: wait for a revision past the one processed (or the
 * scheduler tick), read the new changes, collect the keys of resources
 * that are pending, settle them in batched write transactions, then run the
 * scheduler.  Settling writes new revisions that the loop reads again; they
 * carry no pending resource, so the loop quiesces.
 */
#include "agent/local.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/dpsync.h"
#include "lib/log.h"
#include "model/clock.h"
#include "model/schedule.h"
#include "model/settle.h"

#define AGENT_BATCH 256

struct agent_local {
	struct store *st;
	const struct model_config *cfg;
	struct agent_local_opts opts;
	pthread_t thread;
	atomic_bool stop;
	uint64_t rev;
};

struct agent_keys {
	char **v;
	size_t n, cap;
	uint64_t rev;	   /* the newest revision read from the feed */
	struct dpsync *dp; /* fed every resource document read, or NULL */
};

static void agent_keys_add(struct agent_keys *k, const char *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i], key) == 0)
			return;
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->v = realloc(k->v, k->cap * sizeof(*k->v));
		if (!k->v)
			fatal("out of memory");
	}
	k->v[k->n++] = strdup(key);
}

static void agent_keys_clear(struct agent_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i]);
	k->n = 0;
}

static bool agent_is_pending(const char *key, const char *value, size_t len)
{
	if (strncmp(key, "/r/", 3) != 0 || !value)
		return false;
	/* Cheap test first: most writes carry no settle_to. */
	if (!memmem(value, len, "\"settle_to\"", 11))
		return false;
	return true;
}

static int agent_change_cb(void *arg, const struct store_change *c)
{
	struct agent_keys *k = arg;
	if (c->rev > k->rev)
		k->rev = c->rev;
	if (k->dp && strncmp(c->kv.key, "/r/", 3) == 0)
		dpsync_feed(k->dp, c->kv.key, c->op == STORE_PUT ? c->kv.value : NULL,
			    c->op == STORE_PUT ? c->kv.value_len : 0);
	if (c->op == STORE_PUT && agent_is_pending(c->kv.key, c->kv.value, c->kv.value_len))
		agent_keys_add(k, c->kv.key);
	return 0;
}

static int agent_scan_cb(void *arg, const struct store_kv *kv)
{
	struct agent_keys *k = arg;
	if (k->dp)
		dpsync_feed(k->dp, kv->key, kv->value, kv->value_len);
	if (agent_is_pending(kv->key, kv->value, kv->value_len))
		agent_keys_add(arg, kv->key);
	return 0;
}

static int64_t agent_real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* Settles a batch of keys in one transaction (one fsync for the batch).  A
 * key whose settling fails is skipped and logged; when the batch commit
 * fails as a whole, each key is retried alone so one bad resource cannot
 * hold back the others. */
static void agent_settle(struct agent_local *a, char **keys, size_t n)
{
	struct store_txn *t;
	if (n == 0 || store_begin(a->st, true, &t) < 0)
		return;
	struct model m;
	model_init(&m, t, a->cfg, agent_real_now() + model_clock_offset(t), 0, true);
	for (size_t i = 0; i < n; i++) {
		if (model_settle(&m, keys[i]) < 0) {
			log_warn("agent: settling %s failed: %s %s", keys[i], merr_wire(m.err.code),
				 merr_message(&m.err));
			if (n > 1) {
				/* The transaction may hold part of that key's writes: redo alone.
				 */
				store_abort(t);
				for (size_t j = 0; j < n; j++)
					agent_settle(a, &keys[j], 1);
				return;
			}
			store_abort(t);
			return;
		}
	}
	int rc = store_commit(t, NULL);
	if (rc < 0) {
		log_warn("agent: commit of %zu settled resources failed: %d", n, rc);
		if (n > 1)
			for (size_t j = 0; j < n; j++)
				agent_settle(a, &keys[j], 1);
	}
}

/* Runs the due scheduled work; the model gives each item its own
 * transactions, so one that fails never holds back another (schedule.h). */
static void agent_schedule(struct agent_local *a)
{
	struct model_sched_stats s;
	int rc = model_run_due(a->st, a->cfg, agent_real_now(), &s);
	if (rc < 0)
		log_warn("agent: scheduler: reading the schedule failed: %d", rc);
	if (s.failed || s.errors)
		log_warn("agent: scheduler: %d ran, %d failed, %d left for the next tick", s.ran,
			 s.failed, s.errors);
}

static void agent_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void *agent_main(void *arg)
{
	struct agent_local *a = arg;
	struct agent_keys keys = {.dp = a->opts.dp};
	struct store_txn *t;

	/* Start-up: everything a crash left transitional; the data plane is
	 * compared with the whole store and its leftovers removed. */
	a->rev = store_revision(a->st);
	if (store_begin(a->st, false, &t) == 0) {
		store_prefix(t, "/r/", agent_scan_cb, &keys);
		store_abort(t);
	}
	if (a->opts.dp) {
		int errors = dpsync_apply(a->opts.dp);
		dpsync_reconcile(a->opts.dp);
		if (errors)
			log_warn("agent: %d resources could not be programmed at start", errors);
	}
	while (!atomic_load(&a->stop)) {
		if (a->opts.dp)
			dpsync_apply(a->opts.dp);
		if (keys.n > 0 && a->opts.settle_delay_ms > 0)
			agent_sleep_ms(a->opts.settle_delay_ms);
		/* Batches bound the transaction size; each batch is one commit. */
		for (size_t i = 0; i < keys.n; i += AGENT_BATCH)
			agent_settle(a, keys.v + i,
				     keys.n - i < AGENT_BATCH ? keys.n - i : AGENT_BATCH);
		agent_keys_clear(&keys);
		agent_schedule(a);
		store_wait(a->st, a->rev, a->opts.tick_ms);
		/* Each change is read once: the position moves to the newest one read. */
		keys.rev = a->rev;
		store_changes(a->st, a->rev, 0, agent_change_cb, &keys);
		a->rev = keys.rev;
	}
	agent_keys_clear(&keys);
	free(keys.v);
	return NULL;
}

int agent_local_start(struct store *st, const struct model_config *cfg,
		      const struct agent_local_opts *o, struct agent_local **out)
{
	struct agent_local *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->st = st;
	a->cfg = cfg;
	a->opts = *o;
	if (a->opts.tick_ms <= 0)
		a->opts.tick_ms = 500;
	atomic_init(&a->stop, false);
	if (pthread_create(&a->thread, NULL, agent_main, a) != 0) {
		free(a);
		return -EAGAIN;
	}
	*out = a;
	return 0;
}

void agent_local_stop(struct agent_local *a)
{
	if (!a)
		return;
	atomic_store(&a->stop, true);
	pthread_join(a->thread, NULL);
	free(a);
}
