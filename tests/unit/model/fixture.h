/*
 * fixture: a real store in a fresh temporary directory, an account, and a
 * model in region cn-hangzhou, for model unit tests.  Each test gets its own
 * directory, removed at the end.
 *
 *   static struct fx fx;
 *   TestSuite(vpc, .init = fx_setup, .fini = fx_teardown);
 *   Test(vpc, net1_...) { struct model *m = fx_begin(&fx); ... fx_commit(&fx); }
 *
 * fx_begin() opens a write transaction as the fixture's account (fx.owner)
 * at fx.now; fx_commit() commits it (asserting success); fx_abort() drops it.
 * fx_as(&fx, owner) switches the acting account for the next fx_begin().
 * fx_settle_all() runs the agent's step on every pending resource, as the
 * agent would after the commit.
 */
#ifndef OPENVPC_TESTS_MODEL_FIXTURE_H
#define OPENVPC_TESTS_MODEL_FIXTURE_H

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/account.h"
#include "model/model.h"
#include "model/settle.h"

struct fx {
	char dir[64];
	struct store *st;
	struct store_txn *txn;
	struct model_config cfg;
	struct model m;
	int64_t now;
	uint64_t owner, other; /* two tenant accounts */
	uint64_t acting;
};

static struct fx fx;

static inline struct model *fx_begin(struct fx *f)
{
	cr_assert_eq(store_begin(f->st, true, &f->txn), 0);
	model_init(&f->m, f->txn, &f->cfg, f->now, f->acting, false);
	cr_assert_eq(model_use_region(&f->m, "cn-hangzhou"), 0);
	return &f->m;
}

static inline void fx_commit(struct fx *f)
{
	cr_assert_eq(store_commit(f->txn, NULL), 0, "commit failed");
	f->txn = NULL;
}

static inline void fx_abort(struct fx *f)
{
	store_abort(f->txn);
	f->txn = NULL;
}

static inline void fx_as(struct fx *f, uint64_t owner)
{
	f->acting = owner;
}

static int fx_pending_cb(void *arg, const struct store_kv *kv)
{
	if (strstr(kv->value, "\"settle_to\""))
		json_array_append_new(arg, json_string(kv->key));
	return 0;
}

/* Settles every pending resource (repeats until none is left). */
static inline void fx_settle_all(struct fx *f)
{
	for (int round = 0; round < 8; round++) {
		struct store_txn *t;
		cr_assert_eq(store_begin(f->st, true, &t), 0);
		json_t *keys = json_array();
		store_prefix(t, "/r/", fx_pending_cb, keys);
		size_t n = json_array_size(keys);
		struct model m;
		model_init(&m, t, &f->cfg, f->now, 0, true);
		for (size_t i = 0; i < n; i++)
			cr_assert_eq(model_settle(&m, json_string_value(json_array_get(keys, i))),
				     0, "settle failed: %s", merr_message(&m.err));
		json_decref(keys);
		cr_assert_eq(store_commit(t, NULL), 0);
		if (n == 0)
			return;
	}
	cr_assert_fail("resources keep settling");
}

static inline void fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/ovmodel-XXXXXX");
	cr_assert_not_null(mkdtemp(fx.dir));
	char uri[128];
	snprintf(uri, sizeof(uri), "sqlite:%s/t.db", fx.dir);
	cr_assert_eq(store_open(uri, &fx.st), 0);
	model_config_defaults(&fx.cfg);
	fx.now = 1800000000; /* 2027-01-15 */
	struct account_key k;
	cr_assert_eq(store_begin(fx.st, true, &fx.txn), 0);
	model_init(&fx.m, fx.txn, &fx.cfg, fx.now, 0, true);
	cr_assert_eq(account_create(&fx.m, "alice", false, &fx.owner, &k), 0);
	cr_assert_eq(account_create(&fx.m, "bob", false, &fx.other, &k), 0);
	fx_commit(&fx);
	fx.acting = fx.owner;
}

static inline void fx_teardown(void)
{
	if (fx.txn)
		store_abort(fx.txn);
	store_close(fx.st);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fx.dir);
}

/* Asserts that the last model call failed with this wire code. */
#define fx_assert_err(m, wire)                                                                     \
	cr_assert_str_eq(merr_wire((m)->err.code), (wire), "got %s: %s", merr_wire((m)->err.code), \
			 merr_message(&(m)->err))

#endif
