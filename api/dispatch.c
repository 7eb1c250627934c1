/*
 * dispatch: one request from bytes to answer.
 *
 *   decode params -> authenticate (auth.c) -> find (Version, Action)
 *   -> begin transaction -> region -> ClientToken replay? -> handler
 *   -> DryRun? abort : record token, commit -> render
 *
 * Invariants:
 *  1. A request that fails at any step commits nothing: the transaction is
 *     aborted before the error is rendered (G-5).
 *  2. A success is answered only after store_commit() returned 0, so an
 *     acknowledged change is durable (G-4).
 *  3. A ClientToken is recorded in the same transaction as the change it
 *     produced, so a retry after a crash either finds both or neither.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "api/auth.h"
#include "api/server-private.h"
#include "api/token.h"
#include "lib/log.h"
#include "lib/randid.h"
#include "lib/sign.h"
#include "model/clock.h"

extern const struct api_action api_actions_ops[];
extern const struct api_action api_actions_region[];
extern const struct api_action api_actions_vpc[];
extern const struct api_action api_actions_vswitch[];
extern const struct api_action api_actions_route[];
extern const struct api_action api_actions_eip[];
extern const struct api_action api_actions_ipv6[];
extern const struct api_action api_actions_sg[];
extern const struct api_action api_actions_eni[];
extern const struct api_action api_actions_instance[];
extern const struct api_action api_actions_classic[];
extern const struct api_action api_actions_dp[];

/* Every action table.  Each area's file defines its table ending in {0}. */
static const struct api_action *const api_tables[] = {
    api_actions_ops,   api_actions_region,   api_actions_vpc,	  api_actions_vswitch,
    api_actions_route, api_actions_eip,	     api_actions_ipv6,	  api_actions_sg,
    api_actions_eni,   api_actions_instance, api_actions_classic, api_actions_dp,
};

const struct api_action *api_find_action(const char *version, const char *name);

const struct api_action *api_find_action(const char *version, const char *name)
{
	for (size_t t = 0; t < sizeof(api_tables) / sizeof(api_tables[0]); t++)
		for (const struct api_action *a = api_tables[t]; a->name; a++)
			/* Action names match regardless of case, as the cloud's gateway
			 * does: fog-aliyun sends "DescribeVrouters". */
			if (strcasecmp(a->name, name) == 0 && strcmp(a->version, version) == 0)
				return a;
	return NULL;
}

/* Parameters that are part of the envelope, not of the request's meaning:
 * left out of the ClientToken fingerprint. */
static bool api_envelope_param(const char *k)
{
	static const char *const env[] = {
	    "AccessKeyId",    "Signature",    "SignatureMethod", "SignatureVersion",
	    "SignatureNonce", "Timestamp",    "Format",		 "Version",
	    "Action",	      "ClientToken",  "SecurityToken",	 "DryRun",
	    "OwnerId",	      "OwnerAccount", "ResourceOwnerId", "ResourceOwnerAccount",
	};
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		if (strcmp(k, env[i]) == 0)
			return true;
	return false;
}

static char *api_fingerprint(const char *action, const struct params *p)
{
	struct sign_kv *kv = calloc(p->n + 1, sizeof(*kv));
	size_t n = 0;
	kv[n++] = (struct sign_kv){"Action", action};
	for (size_t i = 0; i < p->n; i++)
		if (!api_envelope_param(p->kv[i].k))
			kv[n++] = p->kv[i];
	char *canon = sign_canonical_query(kv, n, NULL);
	free(kv);
	char *h = canon ? sign_sha256_hex(canon, strlen(canon)) : NULL;
	free(canon);
	return h;
}

static void api_render(struct api_http_resp *out, int status, json_t *body)
{
	out->status = status;
	out->body = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!out->body)
		out->body = strdup("{}");
}

void api_error_body(struct api_server *s, const struct api_http_req *in, enum merr_code code,
		    const char *msg, struct api_http_resp *out)
{
	char rid[37];
	char rec[256];
	json_t *o = json_object();
	jo_str(o, "RequestId", randid_uuid(rid));
	jo_str(o, "HostId", in->host[0] ? in->host : "openvpc");
	jo_str(o, "Code", merr_wire(code));
	jo_str(o, "Message", msg ? msg : merr_default_message(code));
	snprintf(rec, sizeof(rec), "openvpc docs/api.md#errors (%s)", merr_wire(code));
	jo_str(o, "Recommend", rec);
	api_render(out, merr_status(code), o);
	json_decref(o);
}

static void api_fail(struct api_server *s, const struct api_http_req *in, const struct merr *e,
		     struct api_http_resp *out)
{
	api_error_body(s, in, e->code, merr_message(e), out);
}

static int64_t api_real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* A ClientToken is at most 64 ASCII characters (the product's documents);
 * printable ones only, since it is echoed and hashed as text. */
static bool api_token_valid(const char *t)
{
	size_t n = 0;
	for (; t[n] != '\0'; n++)
		if (t[n] < 0x20 || t[n] > 0x7e || n == 64)
			return false;
	return n > 0;
}

/* Looks up a stored ClientToken answer: 1 found (resp set), 0 absent, -1 error. */
static int api_token_lookup(struct model *m, const char *key, const char *action, const char *fp,
			    int64_t ttl, json_t **resp)
{
	char *val = NULL;
	size_t len;
	if (store_get(m->txn, key, &val, &len, NULL) < 0)
		return 0;
	json_t *o = json_loadb(val, len, 0, NULL);
	free(val);
	if (!o)
		return merr(m, MERR_INTERNAL);
	if (!token_live(mj_int(o, "at"), m->now, ttl)) {
		json_decref(o); /* expired: this is a new request (token.h) */
		return 0;
	}
	if (strcmp(mj_str(o, "action"), action) != 0 || strcmp(mj_str(o, "fp"), fp) != 0) {
		json_decref(o);
		return merrf(
		    m, MERR_IDEMPOTENT_MISMATCH,
		    "The ClientToken was already used by a request with other parameters.");
	}
	*resp = json_incref(json_object_get(o, "resp"));
	json_decref(o);
	return 1;
}

void api_handle(struct api_server *s, const struct api_http_req *in, struct api_http_resp *out)
{
	struct params all, query;
	struct merr err = {0};
	struct api_auth who;
	struct store_txn *txn = NULL;
	char *fp = NULL;
	params_init(&all);
	params_init(&query);

	if (strcmp(in->method, "GET") != 0 && strcmp(in->method, "POST") != 0) {
		err.code = MERR_UNSUPPORTED_METHOD;
		goto fail;
	}
	if (!params_add_urlencoded(&query, in->query, strlen(in->query)) ||
	    !params_add_urlencoded(&all, in->query, strlen(in->query)) ||
	    (in->body_is_form && !params_add_urlencoded(&all, in->body, in->body_len))) {
		err.code = MERR_INVALID_PARAMETER;
		snprintf(err.msg, sizeof(err.msg),
			 "The query string or form body is not valid URL encoding.");
		goto fail;
	}
	const char *dup;
	if (params_has_duplicate(&all, &dup)) {
		err.code = MERR_INVALID_PARAMETER;
		snprintf(err.msg, sizeof(err.msg), "The parameter %.64s is given more than once.",
			 dup);
		goto fail;
	}
	const char *bad;
	switch (params_check(&all, &bad)) {
	case PARAMS_OK:
		break;
	case PARAMS_BAD_UTF8:
		err.code = MERR_INVALID_PARAMETER;
		snprintf(err.msg, sizeof(err.msg),
			 "The parameter %.64s is not valid UTF-8 (in its name or its value).", bad);
		goto fail;
	case PARAMS_BAD_INDEX:
		err.code = MERR_INVALID_PARAMETER;
		snprintf(err.msg, sizeof(err.msg),
			 "The parameter %.64s has an index that is not a number from 1 to %d "
			 "without leading zeros.",
			 bad, PARAMS_MAX_INDEX);
		goto fail;
	}
	int64_t real_now = api_real_now();
	/* Authenticate in a read transaction that a read-only action then keeps
	 * using: one snapshot, one transaction per Describe. */
	if (store_begin(s->st, false, &txn) < 0) {
		err.code = MERR_SERVICE_UNAVAILABLE;
		goto fail;
	}
	if (api_authenticate(s, txn, in, &all, &query, real_now, &who, &err) < 0) {
		store_abort(txn);
		txn = NULL;
		goto fail;
	}

	const struct api_action *act = api_find_action(who.version, who.action);
	if (!act) {
		err.code = MERR_INVALID_API;
		snprintf(err.msg, sizeof(err.msg),
			 "Specified api is not found, please check your url and method: %.64s "
			 "(Version %.32s).",
			 who.action, who.version);
		goto fail;
	}
	if ((act->flags & API_ADMIN) && !who.key.admin) {
		err.code = MERR_FORBIDDEN;
		snprintf(err.msg, sizeof(err.msg), "%s is an operator action.", act->name);
		goto fail;
	}

	int rc = 0;
	if (act->flags & API_WRITE) {
		store_abort(txn);
		txn = NULL;
		/* The nonce is durable before the change it authorizes can be:
		 * a replay after a power cut is refused too (nonce.h). */
		rc = nonce_cache_sync(s->nonces);
		if (rc == 0)
			rc = store_begin(s->st, true, &txn);
	}
	if (rc < 0) {
		err.code = MERR_SERVICE_UNAVAILABLE;
		goto fail;
	}
	struct model m;
	model_init(&m, txn, s->cfg, real_now + model_clock_offset(txn), who.key.owner,
		   who.key.admin);
	struct api_req r = {.p = &all,
			    .m = &m,
			    .out = json_object(),
			    .action = act->name,
			    .version = act->version,
			    .srv = s};
	char rid[37];
	jo_str(r.out, "RequestId", randid_uuid(rid));

	const char *region = params_get(&all, "RegionId");
	if (((act->flags & API_REGION) || ((act->flags & API_REGION_OPT) && region && *region)) &&
	    model_use_region(&m, region) < 0)
		goto model_fail;

	bool dry_run = false;
	if (arg_bool(&r, "DryRun", false, &dry_run) < 0)
		goto model_fail;
	const char *token = (act->flags & API_WRITE) ? arg_opt(&r, "ClientToken") : NULL;
	char tkey[MODEL_KEY_MAX];
	if (token) {
		if (!api_token_valid(token)) {
			merrf(&m, MERR_INVALID_PARAMETER,
			      "ClientToken must be 1 to 64 printable ASCII characters.");
			goto model_fail;
		}
		char *tokhash = sign_sha256_hex(token, strlen(token));
		snprintf(tkey, sizeof(tkey), "/t/%" PRIu64 "/%s", who.key.owner, tokhash);
		free(tokhash);
		fp = api_fingerprint(act->name, &all);
		json_t *prev = NULL;
		int found = api_token_lookup(&m, tkey, act->name, fp, s->opts.token_ttl_s, &prev);
		if (found < 0)
			goto model_fail;
		if (found > 0 && dry_run) {
			/* A DryRun only checks: it never replays the stored success. */
			json_decref(prev);
			store_abort(txn);
			txn = NULL;
			json_decref(r.out);
			err.code = MERR_DRY_RUN;
			goto fail;
		}
		if (found > 0) {
			/* A retry: answer what the first request answered, with a new RequestId. */
			store_abort(txn);
			txn = NULL;
			json_object_set_new(prev, "RequestId", json_string(rid));
			api_render(out, 200, prev);
			json_decref(prev);
			json_decref(r.out);
			goto done;
		}
	}

	if (act->fn(&r) < 0)
		goto model_fail;
	if (dry_run) {
		store_abort(txn);
		txn = NULL;
		json_decref(r.out);
		err.code = MERR_DRY_RUN;
		goto fail;
	}
	if (token) {
		json_t *rec = json_object();
		jo_str(rec, "action", act->name);
		jo_str(rec, "fp", fp);
		jo_int(rec, "at", m.now);
		json_object_set(rec, "resp", r.out);
		char *text = json_dumps(rec, JSON_COMPACT);
		char akey[MODEL_KEY_MAX];
		snprintf(akey, sizeof(akey), "/a/%" PRIu64, who.key.owner);
		rc = store_put(txn, tkey, text, strlen(text), akey);
		if (rc == 0)
			rc = token_index(txn, tkey, who.key.owner, m.now);
		free(text);
		json_decref(rec);
		if (rc < 0) {
			merr_store(&m, rc, "client token");
			goto model_fail;
		}
	}
	rc = store_commit(txn, NULL);
	txn = NULL;
	if (rc < 0) {
		merr_store(&m, rc, act->name);
		err = m.err;
		json_decref(r.out);
		goto fail;
	}
	api_render(out, 200, r.out);
	json_decref(r.out);
	goto done;

model_fail:
	err = m.err;
	if (err.code == MERR_NONE) {
		log_err("%s failed without an error code", act->name);
		err.code = MERR_INTERNAL;
	}
	json_decref(r.out);
	store_abort(txn);
	txn = NULL;
fail:
	store_abort(txn);
	txn = NULL;
	api_fail(s, in, &err, out);
done:
	free(fp);
	params_fini(&all);
	params_fini(&query);
}
