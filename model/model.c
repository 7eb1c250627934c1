/*
 * model: the context of one transaction, resource storage, claims and
 * quotas.  See model.h for the key layout and the tenancy rule.
 */
#include "model/model.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

void model_init(struct model *m, struct store_txn *txn, const struct model_config *cfg, int64_t now,
		uint64_t caller, bool admin)
{
	memset(m, 0, sizeof(*m));
	m->txn = txn;
	m->cfg = cfg;
	m->now = now;
	m->caller = caller;
	m->admin = admin;
}

/* --- errors --------------------------------------------------------------- */

static const struct {
	const char *wire;
	int status;
	const char *msg;
} merr_table[MERR__COUNT] = {
    [MERR_NONE] = {"", 200, ""},
#define E(name, code, st, text) [MERR_##name] = {code, st, text},
#include "model/errors.def"
#undef E
};

const char *merr_wire(enum merr_code c)
{
	return (unsigned)c < MERR__COUNT ? merr_table[c].wire : "InternalError";
}

int merr_status(enum merr_code c)
{
	return (unsigned)c < MERR__COUNT ? merr_table[c].status : 500;
}

const char *merr_default_message(enum merr_code c)
{
	return (unsigned)c < MERR__COUNT ? merr_table[c].msg : "";
}

int merr(struct model *m, enum merr_code code)
{
	m->err.code = code;
	m->err.msg[0] = '\0';
	return -1;
}

int merrf(struct model *m, enum merr_code code, const char *fmt, ...)
{
	va_list ap;
	m->err.code = code;
	va_start(ap, fmt);
	vsnprintf(m->err.msg, sizeof(m->err.msg), fmt, ap);
	va_end(ap);
	return -1;
}

int merr_store(struct model *m, int rc, const char *what)
{
	if (rc == -EEXIST || rc == -ECONSTRAINT)
		return merrf(m, MERR_OPERATION_CONFLICT,
			     "A concurrent change conflicts with this one (%s); retry.", what);
	log_err("store failure on %s: %d", what, rc);
	return merr(m, MERR_INTERNAL);
}

const char *merr_message(const struct merr *e)
{
	return e->msg[0] ? e->msg : merr_default_message(e->code);
}

/* --- regions ---------------------------------------------------------------- */

int model_use_region(struct model *m, const char *region_id)
{
	if (!region_id || !*region_id)
		return merrf(m, MERR_MISSING_PARAMETER, "RegionId is mandatory for this action.");
	const struct model_region *r = model_config_region(m->cfg, region_id);
	if (!r)
		return merrf(m, MERR_INVALID_REGION, "The specified RegionId %.64s does not exist.",
			     region_id);
	m->region = r;
	return 0;
}

int model_need_zone(struct model *m, const char *zone_id, const struct model_zone **out)
{
	if (!zone_id || !*zone_id)
		return merrf(m, MERR_MISSING_PARAMETER, "ZoneId is mandatory for this action.");
	const struct model_zone *z = m->region ? model_config_zone(m->region, zone_id) : NULL;
	if (!z)
		return merrf(m, MERR_INVALID_ZONE, "The specified ZoneId %.64s does not exist.",
			     zone_id);
	*out = z;
	return 0;
}

/* --- keys and resources ------------------------------------------------------ */

bool model_id_kind(const char *id, char *buf)
{
	if (!id)
		return false;
	const char *dash = strchr(id, '-');
	if (!dash || dash == id || dash - id > 15)
		return false;
	size_t idlen = strlen(id);
	if (idlen > RANDID_MAX - 1 || idlen == (size_t)(dash - id) + 1)
		return false;
	for (const char *p = id; *p; p++) {
		/* Ids are [a-z0-9-]: anything else can never name a resource, and
		 * must not reach a store key where '/' would change its meaning. */
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
			return false;
	}
	memcpy(buf, id, (size_t)(dash - id));
	buf[dash - id] = '\0';
	return true;
}

bool model_res_key(uint64_t owner, const char *id, char *buf)
{
	char kind[16];
	if (!model_id_kind(id, kind))
		return false;
	snprintf(buf, MODEL_KEY_MAX, "/r/%" PRIu64 "/%s/%s", owner, kind, id);
	return true;
}

char *model_new_id(const char *prefix, char *buf)
{
	return randid_make(buf, prefix);
}

json_t *model_new_resource(struct model *m, const char *prefix, const char *status)
{
	char id[RANDID_MAX];
	model_new_id(prefix, id);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "owner", json_integer((json_int_t)m->caller));
	json_object_set_new(o, "kind", json_string(prefix));
	json_object_set_new(o, "region", json_string(m->region ? m->region->id : ""));
	json_object_set_new(o, "created", json_integer(m->now));
	if (status)
		json_object_set_new(o, "status", json_string(status));
	return o;
}

static json_t *m_load_key(struct model *m, const char *key)
{
	char *val = NULL;
	size_t len = 0;
	int rc = store_get(m->txn, key, &val, &len, NULL);
	if (rc < 0)
		return NULL;
	json_error_t je;
	json_t *o = json_loadb(val, len, 0, &je);
	free(val);
	if (!o || !json_is_object(o))
		fatal("corrupt resource under %s: %s", key, je.text);
	return o;
}

json_t *m_get_owned(struct model *m, uint64_t owner, const char *id)
{
	char key[MODEL_KEY_MAX];
	if (!model_res_key(owner, id, key))
		return NULL;
	return m_load_key(m, key);
}

json_t *m_get(struct model *m, const char *id)
{
	return m_get_owned(m, m->caller, id);
}

/* The kind each "not found" code speaks of: m_need() refuses an id of
 * another kind with that code, so DeleteVpc(VpcId=vsw-...) never touches a
 * vSwitch.  Codes that may name several kinds are absent (no check). */
static const char *m_kind_of_notfound(enum merr_code c)
{
	static const struct {
		enum merr_code code;
		const char *kind;
	} map[] = {
	    {MERR_VPC_NOT_FOUND, "vpc"},	 {MERR_VSWITCH_NOT_FOUND, "vsw"},
	    {MERR_SG_NOT_FOUND, "sg"},		 {MERR_ENI_NOT_FOUND, "eni"},
	    {MERR_INSTANCE_NOT_FOUND, "i"},	 {MERR_EIP_NOT_FOUND, "eip"},
	    {MERR_IPV6GW_NOT_FOUND, "ipv6gw"},	 {MERR_MIGRATION_NOT_FOUND, "mig"},
	    {MERR_ROUTE_ENTRY_NOT_FOUND, "rte"}, {MERR_ROUTE_TABLE_NOT_FOUND, "vtb"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].code == c)
			return map[i].kind;
	return NULL;
}

json_t *m_need_kind(struct model *m, const char *id, const char *kind, enum merr_code notfound)
{
	char k[16];
	if (kind && (!model_id_kind(id, k) || strcmp(k, kind) != 0)) {
		merrf(m, notfound, "%s (%.64s)", merr_default_message(notfound), id ? id : "");
		return NULL;
	}
	json_t *o = m_get(m, id);
	if (o && m->region && strcmp(mj_str(o, "region"), m->region->id) != 0 &&
	    mj_str(o, "region")[0]) {
		json_decref(o);
		o = NULL;
	}
	if (!o)
		merrf(m, notfound, "%s (%.64s)", merr_default_message(notfound), id ? id : "");
	return o;
}

json_t *m_need(struct model *m, const char *id, enum merr_code notfound)
{
	return m_need_kind(m, id, m_kind_of_notfound(notfound), notfound);
}

static int m_write(struct model *m, json_t *res, bool create)
{
	const char *parent_id = json_string_value(json_object_get(res, "parent"));
	if (parent_id && !*parent_id)
		parent_id = NULL;
	char key[MODEL_KEY_MAX], pkey[MODEL_KEY_MAX];
	uint64_t owner = (uint64_t)mj_int(res, "owner");
	const char *id = mj_str(res, "id");
	if (!model_res_key(owner, id, key))
		fatal("resource with a malformed id: %s", id);
	if (parent_id && !model_res_key(owner, parent_id, pkey))
		fatal("resource %s with a malformed parent id", id);
	char *text = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return merr(m, MERR_INTERNAL);
	int rc = create ? store_create(m->txn, key, text, strlen(text), parent_id ? pkey : NULL)
			: store_put(m->txn, key, text, strlen(text), parent_id ? pkey : NULL);
	free(text);
	if (rc < 0)
		return merr_store(m, rc, id);
	return 0;
}

int m_put(struct model *m, json_t *res)
{
	return m_write(m, res, false);
}

int m_create(struct model *m, json_t *res)
{
	return m_write(m, res, true);
}

int m_del(struct model *m, json_t *res)
{
	char key[MODEL_KEY_MAX];
	if (!model_res_key((uint64_t)mj_int(res, "owner"), mj_str(res, "id"), key))
		fatal("deleting a resource with a malformed id");
	int rc = store_del(m->txn, key);
	if (rc < 0 && rc != -ENOENT)
		return merr_store(m, rc, mj_str(res, "id"));
	return 0;
}

struct m_list_ctx {
	json_t *arr;
	bool (*keep)(void *arg, json_t *res);
	void *arg;
	const char *kind;
	const char *region;
	int64_t count;
	bool count_only;
};

static int m_list_cb(void *arg, const struct store_kv *kv)
{
	struct m_list_ctx *c = arg;
	json_error_t je;
	json_t *o = json_loadb(kv->value, kv->value_len, 0, &je);
	if (!o || !json_is_object(o))
		fatal("corrupt resource under %s: %s", kv->key, je.text);
	/* Keys of all owners pass here when listing across owners: skip other kinds. */
	if (strcmp(mj_str(o, "kind"), c->kind) != 0 ||
	    (c->region && strcmp(mj_str(o, "region"), c->region) != 0) ||
	    (c->keep && !c->keep(c->arg, o))) {
		json_decref(o);
		return 0;
	}
	c->count++;
	if (c->count_only)
		json_decref(o);
	else
		json_array_append_new(c->arr, o);
	return 0;
}

static int m_scan(struct model *m, uint64_t owner, struct m_list_ctx *c)
{
	char prefix[MODEL_KEY_MAX];
	if (owner)
		snprintf(prefix, sizeof(prefix), "/r/%" PRIu64 "/%s/", owner, c->kind);
	else
		snprintf(prefix, sizeof(prefix), "/r/");
	int rc = store_prefix(m->txn, prefix, m_list_cb, c);
	if (rc < 0)
		return merr_store(m, rc, "list");
	return 0;
}

json_t *m_list_owner(struct model *m, uint64_t owner, const char *kind,
		     bool (*keep)(void *arg, json_t *res), void *arg)
{
	struct m_list_ctx c = {.arr = json_array(), .keep = keep, .arg = arg, .kind = kind};
	if (m_scan(m, owner, &c) < 0) {
		json_decref(c.arr);
		return NULL;
	}
	return c.arr;
}

json_t *m_list(struct model *m, const char *kind, bool (*keep)(void *arg, json_t *res), void *arg)
{
	struct m_list_ctx c = {.arr = json_array(),
			       .keep = keep,
			       .arg = arg,
			       .kind = kind,
			       .region = m->region ? m->region->id : NULL};
	if (m_scan(m, m->caller, &c) < 0) {
		json_decref(c.arr);
		return NULL;
	}
	return c.arr;
}

int m_count(struct model *m, const char *kind, bool (*keep)(void *arg, json_t *res), void *arg,
	    int64_t *n)
{
	if (!keep && m->cfg->n_regions == 1) {
		/* One region: every resource of the kind counts, and the store
		 * counts keys without reading them (quota checks on each create). */
		char prefix[MODEL_KEY_MAX];
		uint64_t c = 0;
		snprintf(prefix, sizeof(prefix), "/r/%" PRIu64 "/%s/", m->caller, kind);
		int rc = store_count_dir(m->txn, prefix, &c);
		if (rc < 0)
			return merr_store(m, rc, "count");
		*n = (int64_t)c;
		return 0;
	}
	struct m_list_ctx c = {.keep = keep,
			       .arg = arg,
			       .kind = kind,
			       .region = m->region ? m->region->id : NULL,
			       .count_only = true};
	if (m_scan(m, m->caller, &c) < 0)
		return -1;
	*n = c.count;
	return 0;
}

bool m_keep_eq(void *arg, json_t *res)
{
	const struct m_eq *eq = arg;
	return strcmp(mj_str(res, eq->k), eq->v) == 0;
}

int m_count_eq(struct model *m, const char *kind, const char *k, const char *v, int64_t *n)
{
	struct m_eq eq = {k, v};
	return m_count(m, kind, m_keep_eq, &eq, n);
}

/* --- claims -------------------------------------------------------------------- */

static void m_claim_key(const char *scope, const struct netaddr *a, char *buf)
{
	char hex[33];
	snprintf(buf, MODEL_KEY_MAX, "/c/%s/%s", scope, netaddr_keyhex(a, hex));
}

int m_claim(struct model *m, const char *scope, const struct netaddr *a, uint64_t holder_owner,
	    const char *holder_id, enum merr_code taken)
{
	char key[MODEL_KEY_MAX], pkey[MODEL_KEY_MAX], txt[NETADDR_STRLEN];
	m_claim_key(scope, a, key);
	if (!model_res_key(holder_owner, holder_id, pkey))
		fatal("claim by a malformed holder id");
	char val[256];
	snprintf(val, sizeof(val), "{\"id\":\"%s\",\"owner\":%" PRIu64 "}", holder_id,
		 holder_owner);
	int rc = store_create(m->txn, key, val, strlen(val), pkey);
	if (rc == -EEXIST)
		return merrf(m, taken, "%s (%s)", merr_default_message(taken),
			     netaddr_format(a, txt));
	if (rc < 0)
		return merr_store(m, rc, "claim");
	return 0;
}

int m_unclaim(struct model *m, const char *scope, const struct netaddr *a)
{
	char key[MODEL_KEY_MAX];
	m_claim_key(scope, a, key);
	int rc = store_del(m->txn, key);
	if (rc < 0 && rc != -ENOENT)
		return merr_store(m, rc, "unclaim");
	return 0;
}

bool m_claimed(struct model *m, const char *scope, const struct netaddr *a, char *holder_id)
{
	char key[MODEL_KEY_MAX];
	m_claim_key(scope, a, key);
	char *val = NULL;
	if (store_get(m->txn, key, &val, NULL, NULL) < 0)
		return false;
	if (holder_id) {
		json_t *o = json_loads(val, 0, NULL);
		snprintf(holder_id, RANDID_MAX, "%s", o ? mj_str(o, "id") : "");
		json_decref(o);
	}
	free(val);
	return true;
}

struct m_gap_ctx {
	struct netaddr next; /* lowest address not yet known to be taken */
	const char *scope_prefix;
	size_t plen;
	bool found_gap;
};

static int m_gap_cb(void *arg, const struct store_kv *kv)
{
	struct m_gap_ctx *g = arg;
	char hex[33];
	netaddr_keyhex(&g->next, hex);
	const char *khex = kv->key + g->plen;
	if (strcmp(khex, hex) != 0) {
		/* The key is above `next`: next is free. */
		g->found_gap = true;
		return 1;
	}
	struct netaddr n;
	if (!netaddr_add(&g->next, 1, &n)) {
		g->found_gap = false;
		return 2; /* the family's last address is taken */
	}
	g->next = n;
	return 0;
}

int m_claim_free(struct model *m, const char *scope, const struct netaddr *first,
		 const struct netaddr *last, uint64_t holder_owner, const char *holder_id,
		 enum merr_code exhausted, struct netaddr *out)
{
	char start[MODEL_KEY_MAX], end[MODEL_KEY_MAX], prefix[MODEL_KEY_MAX];
	struct netaddr after;
	m_claim_key(scope, first, start);
	snprintf(prefix, sizeof(prefix), "/c/%s/", scope);
	if (netaddr_add(last, 1, &after))
		m_claim_key(scope, &after, end);
	else
		store_prefix_end(prefix, end);
	/* Claims are keyed by fixed-width hex, so key order is address order:
	 * walk the claims of the range and stop at the first hole. */
	struct m_gap_ctx g = {.next = *first, .plen = strlen(prefix)};
	int rc = store_range(m->txn, start, end, 0, m_gap_cb, &g);
	if (rc < 0)
		return merr_store(m, rc, "allocate");
	if (rc == 2 || netaddr_cmp(&g.next, last) > 0)
		return merr(m, exhausted);
	if (m_claim(m, scope, &g.next, holder_owner, holder_id, exhausted) < 0)
		return -1;
	*out = g.next;
	return 0;
}

int m_claim_count(struct model *m, const char *scope, const struct netaddr *first,
		  const struct netaddr *last, int64_t *n)
{
	char start[MODEL_KEY_MAX], end[MODEL_KEY_MAX], prefix[MODEL_KEY_MAX];
	struct netaddr after;
	m_claim_key(scope, first, start);
	snprintf(prefix, sizeof(prefix), "/c/%s/", scope);
	if (netaddr_add(last, 1, &after))
		m_claim_key(scope, &after, end);
	else
		store_prefix_end(prefix, end);
	uint64_t c = 0;
	int rc = store_count(m->txn, start, end, &c);
	if (rc < 0)
		return merr_store(m, rc, "count");
	*n = (int64_t)c;
	return 0;
}

/* --- quotas ---------------------------------------------------------------------- */

int64_t m_quota_of(struct model *m, uint64_t owner, enum model_quota q)
{
	char key[MODEL_KEY_MAX];
	snprintf(key, sizeof(key), "/q/%" PRIu64 "/%s", owner, model_quota_name(q));
	char *val = NULL;
	if (store_get(m->txn, key, &val, NULL, NULL) == 0) {
		int64_t v = strtoll(val, NULL, 10);
		free(val);
		return v;
	}
	return m->cfg->quota_default[q];
}

int64_t m_quota(struct model *m, enum model_quota q)
{
	return m_quota_of(m, m->caller, q);
}

/* --- JSON helpers ------------------------------------------------------------------ */

const char *mj_str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

int64_t mj_int(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

bool mj_bool(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

void mj_set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v ? v : ""));
}

void mj_set_int(json_t *o, const char *k, int64_t v)
{
	json_object_set_new(o, k, json_integer((json_int_t)v));
}

void mj_set_bool(json_t *o, const char *k, bool v)
{
	json_object_set_new(o, k, json_boolean(v));
}

bool mj_arr_has_str(const json_t *o, const char *k, const char *s)
{
	json_t *a = json_object_get(o, k);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

void mj_arr_add_str(json_t *o, const char *k, const char *s)
{
	json_t *a = json_object_get(o, k);
	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(o, k, a);
	}
	if (!mj_arr_has_str(o, k, s))
		json_array_append_new(a, json_string(s));
}

bool mj_arr_del_str(json_t *o, const char *k, const char *s)
{
	json_t *a = json_object_get(o, k);
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0) {
			json_array_remove(a, i);
			return true;
		}
	}
	return false;
}

/* --- validation ---------------------------------------------------------------------- */

static bool model_starts_url(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

bool model_valid_name(const char *s)
{
	if (!s || !*s)
		return true;
	size_t n = strlen(s);
	if (n > 128 || model_starts_url(s))
		return false;
	unsigned char c0 = (unsigned char)s[0];
	if (!(isalpha(c0) || c0 >= 0x80))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (!(isalnum(*p) || *p >= 0x80 || *p == '.' || *p == '_' || *p == '-' ||
		      *p == ':' || *p == ' '))
			return false;
	}
	return true;
}

bool model_valid_description(const char *s)
{
	if (!s || !*s)
		return true;
	size_t n = strlen(s);
	if (n < 2 || n > 256 || model_starts_url(s))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 && *p != '\t')
			return false;
	}
	return true;
}
