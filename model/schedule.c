/*
 * schedule: see schedule.h.  Each scheduled kind adds its row to
 * sched_kinds[].
 */
#include "model/schedule.h"

#include <stdio.h>
#include <stdlib.h>

#include "lib/log.h"
#include "model/classic.h"
#include "model/clock.h"
#include "model/instance.h"

static const struct model_sched_kind sched_kinds[] = {
    {"migration", "/sched/mig/", migration_due, migration_run, migration_failed},
    {"public IP release", "/sched/iprel/", instance_release_due, instance_release_run, NULL},
};

struct sched_item {
	const struct model_sched_kind *kind;
	uint64_t owner;
	char id[RANDID_MAX];
};

struct sched_list {
	const struct model_sched_kind *kind;
	struct sched_item *v;
	size_t n, cap;
};

static int sched_list_cb(void *arg, const struct store_kv *kv)
{
	struct sched_list *l = arg;
	const char *id = kv->key + strlen(l->kind->prefix);
	if (strlen(id) >= RANDID_MAX || !kv->value)
		return 0; /* not an index entry this module wrote */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct sched_item *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	struct sched_item *it = &l->v[l->n++];
	it->kind = l->kind;
	it->owner = strtoull(kv->value, NULL, 10);
	snprintf(it->id, sizeof(it->id), "%s", id);
	return 0;
}

static void sched_model(struct model *m, struct store_txn *t, const struct model_config *cfg,
			int64_t real_now)
{
	model_init(m, t, cfg, real_now + model_clock_offset(t), 0, true);
}

/* Reads the active items and keeps the due ones, in one read transaction. */
static int sched_collect(struct store *st, const struct model_config *cfg, int64_t real_now,
			 struct sched_list *out)
{
	struct store_txn *t;
	int rc = store_begin(st, false, &t);
	if (rc < 0)
		return rc;
	struct model m;
	sched_model(&m, t, cfg, real_now);
	for (size_t k = 0; rc == 0 && k < sizeof(sched_kinds) / sizeof(sched_kinds[0]); k++) {
		size_t from = out->n;
		out->kind = &sched_kinds[k];
		rc = store_prefix(t, sched_kinds[k].prefix, sched_list_cb, out);
		/* Keep only what is due now. */
		size_t w = from;
		for (size_t i = from; rc == 0 && i < out->n; i++)
			if (sched_kinds[k].due(&m, out->v[i].owner, out->v[i].id))
				out->v[w++] = out->v[i];
		if (rc == 0)
			out->n = w;
	}
	store_abort(t);
	return rc;
}

/* One item's step in its own transaction: 0 done, 1 no longer due, -1 the
 * step failed (reason set), -2 the store could not be used. */
static int sched_step(struct store *st, const struct model_config *cfg, int64_t real_now,
		      const struct sched_item *it, char *reason, size_t len)
{
	struct store_txn *t;
	if (store_begin(st, true, &t) < 0)
		return -2;
	struct model m;
	sched_model(&m, t, cfg, real_now);
	/* Another writer may have moved it since the list was read. */
	if (!it->kind->due(&m, it->owner, it->id)) {
		store_abort(t);
		return 1;
	}
	if (it->kind->run(&m, it->owner, it->id) < 0) {
		if (m.err.code == MERR_NONE)
			m.err.code = MERR_INTERNAL;
		snprintf(reason, len, "%s: %s", merr_wire(m.err.code), merr_message(&m.err));
		store_abort(t);
		return -1;
	}
	int rc = store_commit(t, NULL);
	if (rc < 0) {
		/* A rule the store enforces at commit (a claim, a parent key). */
		snprintf(reason, len, "%s: the step could not be committed (%d).",
			 merr_wire(MERR_INTERNAL), rc);
		return -1;
	}
	return 0;
}

/* Records a failed step with its kind's fail hook, in a fresh transaction. */
static int sched_record_failure(struct store *st, const struct model_config *cfg, int64_t real_now,
				const struct sched_item *it, const char *reason)
{
	if (!it->kind->fail)
		return -1;
	struct store_txn *t;
	if (store_begin(st, true, &t) < 0)
		return -1;
	struct model m;
	sched_model(&m, t, cfg, real_now);
	if (it->kind->fail(&m, it->owner, it->id, reason) < 0) {
		log_warn("scheduler: recording the failure of %s %s failed: %s", it->kind->name,
			 it->id, merr_message(&m.err));
		store_abort(t);
		return -1;
	}
	return store_commit(t, NULL) < 0 ? -1 : 0;
}

int model_run_due(struct store *st, const struct model_config *cfg, int64_t real_now,
		  struct model_sched_stats *stats)
{
	struct model_sched_stats s = {0};
	struct sched_list l = {0};
	int rc = sched_collect(st, cfg, real_now, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		char reason[MODEL_MSG_MAX + 64];
		int step = sched_step(st, cfg, real_now, &l.v[i], reason, sizeof(reason));
		if (step == 1)
			continue;
		if (step == 0) {
			s.ran++;
		} else if (step == -1 &&
			   sched_record_failure(st, cfg, real_now, &l.v[i], reason) == 0) {
			log_warn("scheduler: %s %s failed: %s", l.v[i].kind->name, l.v[i].id,
				 reason);
			s.failed++;
		} else {
			log_warn("scheduler: %s %s left for the next tick", l.v[i].kind->name,
				 l.v[i].id);
			s.errors++;
		}
	}
	free(l.v);
	if (stats)
		*stats = s;
	return rc;
}
