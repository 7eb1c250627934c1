/*
 * account: see account.h.
 */
#include "model/account.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/randid.h"

static void account_key_path(const char *akid, char *buf)
{
	snprintf(buf, MODEL_KEY_MAX, "/ak/%s", akid);
}

static void account_path(uint64_t owner, char *buf)
{
	snprintf(buf, MODEL_KEY_MAX, "/a/%" PRIu64, owner);
}

static int account_put_json(struct model *m, const char *key, json_t *o, const char *parent,
			    bool create)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = create ? store_create(m->txn, key, text, strlen(text), parent)
			: store_put(m->txn, key, text, strlen(text), parent);
	free(text);
	return rc < 0 ? merr_store(m, rc, key) : 0;
}

static json_t *account_load(struct store_txn *t, const char *key)
{
	char *val = NULL;
	size_t len;
	if (store_get(t, key, &val, &len, NULL) < 0)
		return NULL;
	json_t *o = json_loadb(val, len, 0, NULL);
	free(val);
	return o;
}

json_t *account_get(struct model *m, uint64_t owner)
{
	char key[MODEL_KEY_MAX];
	account_path(owner, key);
	return account_load(m->txn, key);
}

int account_add_key(struct model *m, uint64_t owner, struct account_key *key)
{
	char path[MODEL_KEY_MAX], apath[MODEL_KEY_MAX];
	json_t *acct = account_get(m, owner);
	if (!acct)
		return merr(m, MERR_ACCOUNT_NOT_FOUND);
	memcpy(key->akid, "LTAI", 4);
	randid_chars(key->akid + 4, ACCOUNT_AKID_LEN - 4, 1);
	randid_chars(key->secret, ACCOUNT_SECRET_LEN, 1);
	key->owner = owner;
	key->active = true;
	key->admin = mj_bool(acct, "admin");
	json_decref(acct);
	json_t *o = json_object();
	mj_set_str(o, "akid", key->akid);
	mj_set_str(o, "secret", key->secret);
	mj_set_int(o, "owner", (int64_t)owner);
	mj_set_bool(o, "active", true);
	mj_set_int(o, "created", m->now);
	account_key_path(key->akid, path);
	account_path(owner, apath);
	int rc = account_put_json(m, path, o, apath, true);
	json_decref(o);
	return rc;
}

int account_create(struct model *m, const char *name, bool admin, uint64_t *owner,
		   struct account_key *key)
{
	char digits[16], path[MODEL_KEY_MAX];
	if (!name || !*name || strlen(name) > 64 || !model_valid_name(name))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "AccountName must be 1-64 letters, digits, '.', '_' or '-', "
			     "starting with a letter.");
	/* A 16-digit id starting with 1..9: 15 random digits after a fixed '1'. */
	randid_chars(digits, 15, 0);
	uint64_t id = 1;
	for (int i = 0; i < 15; i++)
		id = id * 10 + (uint64_t)(digits[i] % 10);
	account_path(id, path);
	json_t *o = json_object();
	mj_set_int(o, "id", (int64_t)id);
	mj_set_str(o, "name", name);
	mj_set_bool(o, "admin", admin);
	mj_set_bool(o, "in_arrears", false);
	mj_set_int(o, "created", m->now);
	int rc = account_put_json(m, path, o, NULL, true);
	json_decref(o);
	if (rc < 0)
		return rc;
	*owner = id;
	return account_add_key(m, id, key);
}

/* No lockout: refuses to take away `akid` when it is the last active key of
 * any operator account (nothing else can create keys or accounts).  0 when
 * some other active operator key remains or akid is not an operator's. */
static int account_keep_operator_key(struct model *m, const char *akid)
{
	json_t *all = account_list(m);
	if (!all)
		return -1;
	bool mine = false;
	size_t others = 0, i, j;
	json_t *a, *k;
	json_array_foreach(all, i, a)
	{
		if (!mj_bool(a, "admin"))
			continue;
		json_array_foreach(json_object_get(a, "keys"), j, k)
		{
			if (strcmp(mj_str(k, "akid"), akid) == 0)
				mine = true;
			else if (mj_bool(k, "active"))
				others++;
		}
	}
	json_decref(all);
	if (mine && others == 0)
		return merrf(m, MERR_LAST_OPERATOR_KEY,
			     "%.40s is the last active operator AccessKey: create another one "
			     "first (or recover on the host: openvpcd --mint-operator-key).",
			     akid);
	return 0;
}

int account_del_key(struct model *m, const char *akid)
{
	char path[MODEL_KEY_MAX];
	if (!akid || strlen(akid) > 64 || strchr(akid, '/'))
		return merr(m, MERR_AK_NOT_FOUND);
	if (account_keep_operator_key(m, akid) < 0)
		return -1;
	account_key_path(akid, path);
	int rc = store_del(m->txn, path);
	if (rc == -ENOENT)
		return merr(m, MERR_AK_NOT_FOUND);
	return rc < 0 ? merr_store(m, rc, path) : 0;
}

int account_set_key_active(struct model *m, const char *akid, bool active)
{
	char path[MODEL_KEY_MAX];
	if (!akid || strlen(akid) > 64 || strchr(akid, '/'))
		return merr(m, MERR_AK_NOT_FOUND);
	account_key_path(akid, path);
	json_t *o = account_load(m->txn, path);
	if (!o)
		return merr(m, MERR_AK_NOT_FOUND);
	if (!active && account_keep_operator_key(m, akid) < 0) {
		json_decref(o);
		return -1;
	}
	char apath[MODEL_KEY_MAX];
	account_path((uint64_t)mj_int(o, "owner"), apath);
	mj_set_bool(o, "active", active);
	int rc = account_put_json(m, path, o, apath, false);
	json_decref(o);
	return rc;
}

int account_lookup_key(struct store_txn *t, const char *akid, struct account_key *out)
{
	char path[MODEL_KEY_MAX];
	if (!akid || !*akid || strlen(akid) > 64 || strchr(akid, '/'))
		return -ENOENT;
	account_key_path(akid, path);
	json_t *o = account_load(t, path);
	if (!o)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	snprintf(out->akid, sizeof(out->akid), "%s", mj_str(o, "akid"));
	snprintf(out->secret, sizeof(out->secret), "%s", mj_str(o, "secret"));
	out->owner = (uint64_t)mj_int(o, "owner");
	out->active = mj_bool(o, "active");
	json_decref(o);
	char apath[MODEL_KEY_MAX];
	account_path(out->owner, apath);
	json_t *a = account_load(t, apath);
	out->admin = a && mj_bool(a, "admin");
	json_decref(a);
	return 0;
}

struct account_list_ctx {
	json_t *accounts;
	json_t *byid;
};

static int account_list_cb(void *arg, const struct store_kv *kv)
{
	struct account_list_ctx *c = arg;
	json_t *o = json_loadb(kv->value, kv->value_len, 0, NULL);
	if (!o)
		return 0;
	if (strncmp(kv->key, "/a/", 3) == 0) {
		json_object_set_new(o, "keys", json_array());
		json_array_append(c->accounts, o);
		json_object_set_new(c->byid, kv->key + 3, o);
	} else {
		char id[32];
		snprintf(id, sizeof(id), "%" PRId64, mj_int(o, "owner"));
		json_t *acct = json_object_get(c->byid, id);
		if (acct) {
			json_t *k = json_object();
			mj_set_str(k, "akid", mj_str(o, "akid"));
			mj_set_bool(k, "active", mj_bool(o, "active"));
			json_array_append_new(json_object_get(acct, "keys"), k);
		}
		json_decref(o);
	}
	return 0;
}

json_t *account_list(struct model *m)
{
	struct account_list_ctx c = {json_array(), json_object()};
	if (store_prefix(m->txn, "/a/", account_list_cb, &c) < 0 ||
	    store_prefix(m->txn, "/ak/", account_list_cb, &c) < 0) {
		json_decref(c.accounts);
		json_decref(c.byid);
		merr(m, MERR_INTERNAL);
		return NULL;
	}
	json_decref(c.byid);
	return c.accounts;
}

int account_set_arrears(struct model *m, uint64_t owner, bool in_arrears)
{
	char path[MODEL_KEY_MAX];
	json_t *o = account_get(m, owner);
	if (!o)
		return merr(m, MERR_ACCOUNT_NOT_FOUND);
	mj_set_bool(o, "in_arrears", in_arrears);
	account_path(owner, path);
	int rc = account_put_json(m, path, o, NULL, false);
	json_decref(o);
	return rc;
}

bool account_in_arrears(struct model *m, uint64_t owner)
{
	json_t *o = account_get(m, owner);
	bool r = o && mj_bool(o, "in_arrears");
	json_decref(o);
	return r;
}

int account_set_quota(struct model *m, uint64_t owner, const char *quota_name, int64_t value)
{
	char path[MODEL_KEY_MAX], apath[MODEL_KEY_MAX], buf[32];
	if (!quota_name || model_quota_by_name(quota_name) < 0)
		return merrf(m, MERR_QUOTA_NAME, "The quota %.64s does not exist.",
			     quota_name ? quota_name : "");
	json_t *a = account_get(m, owner);
	if (!a)
		return merr(m, MERR_ACCOUNT_NOT_FOUND);
	json_decref(a);
	snprintf(path, sizeof(path), "/q/%" PRIu64 "/%s", owner, quota_name);
	account_path(owner, apath);
	int rc;
	if (value < 0) {
		rc = store_del(m->txn, path);
		if (rc == -ENOENT)
			rc = 0;
	} else {
		snprintf(buf, sizeof(buf), "%" PRId64, value);
		rc = store_put(m->txn, path, buf, strlen(buf), apath);
	}
	return rc < 0 ? merr_store(m, rc, path) : 0;
}

static int account_find_admin_cb(void *arg, const struct store_kv *kv)
{
	json_t *o = json_loadb(kv->value, kv->value_len, 0, NULL);
	bool admin = o && mj_bool(o, "admin");
	json_decref(o);
	if (admin) {
		*(bool *)arg = true;
		return 1;
	}
	return 0;
}

struct account_admin_ctx {
	uint64_t owner;
	int64_t created;
	bool found;
};

static int account_oldest_admin_cb(void *arg, const struct store_kv *kv)
{
	struct account_admin_ctx *c = arg;
	json_t *o = json_loadb(kv->value, kv->value_len, 0, NULL);
	if (o && mj_bool(o, "admin") && (!c->found || mj_int(o, "created") < c->created)) {
		c->found = true;
		c->owner = (uint64_t)mj_int(o, "id");
		c->created = mj_int(o, "created");
	}
	json_decref(o);
	return 0;
}

int account_mint_operator_key(struct model *m, struct account_key *key)
{
	struct account_admin_ctx c = {0};
	int rc = store_prefix(m->txn, "/a/", account_oldest_admin_cb, &c);
	if (rc < 0)
		return merr_store(m, rc, "operator");
	if (!c.found)
		return merr(m, MERR_ACCOUNT_NOT_FOUND);
	return account_add_key(m, c.owner, key);
}

int account_bootstrap(struct model *m, bool *created, struct account_key *key)
{
	bool found = false;
	*created = false;
	int rc = store_prefix(m->txn, "/a/", account_find_admin_cb, &found);
	if (rc < 0)
		return merr_store(m, rc, "bootstrap");
	if (found)
		return 0;
	uint64_t owner;
	if (account_create(m, "operator", true, &owner, key) < 0)
		return -1;
	*created = true;
	return 0;
}
