/*
 * traffic: see traffic.h.
 */
#include "model/traffic.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/account.h"
#include "model/instance.h"

static void traffic_key(uint64_t owner, const char *id, int64_t hour, char *buf)
{
	struct tm tm;
	time_t t = (time_t)hour;
	char stamp[16];
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H", &tm);
	snprintf(buf, MODEL_KEY_MAX, "/traffic/%" PRIu64 "/%s/%s", owner, id, stamp);
}

int traffic_add(struct model *m, uint64_t owner, const char *instance_id, int64_t hour_start,
		uint64_t bytes_out, uint64_t bytes_in)
{
	char key[MODEL_KEY_MAX], kind[16], *val = NULL;
	size_t len = 0;
	if (!instance_id || !model_id_kind(instance_id, kind) || strcmp(kind, "i") != 0)
		return merrf(m, MERR_INVALID_PARAMETER, "%.64s is not an instance id.",
			     instance_id ? instance_id : "");
	int64_t hour = hour_start - ((hour_start % TRAFFIC_HOUR) + TRAFFIC_HOUR) % TRAFFIC_HOUR;
	traffic_key(owner, instance_id, hour, key);
	json_t *rec = NULL;
	if (store_get(m->txn, key, &val, &len, NULL) == 0) {
		rec = json_loadb(val, len, 0, NULL);
		free(val);
	}
	if (!rec) {
		rec = json_object();
		mj_set_int(rec, "hour", hour);
		mj_set_str(rec, "public_ip", "");
	}
	mj_set_int(rec, "bytes_out", mj_int(rec, "bytes_out") + (int64_t)bytes_out);
	mj_set_int(rec, "bytes_in", mj_int(rec, "bytes_in") + (int64_t)bytes_in);
	json_t *inst = m_get_owned(m, owner, instance_id);
	if (inst) {
		const char *ip = instance_public_ip(m, inst);
		if (!ip[0])
			ip = mj_str(inst, "eip_ip");
		if (ip[0])
			mj_set_str(rec, "public_ip", ip);
		json_decref(inst);
	}
	char *text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(rec);
	if (!text)
		return merr(m, MERR_INTERNAL);
	int rc = store_put(m->txn, key, text, strlen(text), NULL);
	free(text);
	return rc < 0 ? merr_store(m, rc, key) : 0;
}

struct traffic_csv {
	int64_t start, end;
	char *buf;
	size_t len, cap;
	bool oom;
};

static void traffic_append(struct traffic_csv *c, const char *s)
{
	size_t n = strlen(s);
	if (c->oom)
		return;
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 256;
		while (cap < c->len + n + 1)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (!b) {
			c->oom = true;
			return;
		}
		c->buf = b;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n + 1);
	c->len += n;
}

static int traffic_csv_cb(void *arg, const struct store_kv *kv)
{
	struct traffic_csv *c = arg;
	json_t *rec = json_loadb(kv->value, kv->value_len, 0, NULL);
	if (!rec)
		return 0;
	int64_t hour = mj_int(rec, "hour");
	if (hour >= c->start && hour < c->end) {
		/* /traffic/<owner>/<instance>/<stamp>: the instance is the third part. */
		char id[RANDID_MAX] = "", line[256], stamp[32];
		const char *p = strchr(kv->key + strlen("/traffic/"), '/');
		const char *q = p ? strchr(p + 1, '/') : NULL;
		if (p && q && (size_t)(q - p - 1) < sizeof(id))
			snprintf(id, sizeof(id), "%.*s", (int)(q - p - 1), p + 1);
		struct tm tm;
		time_t t = (time_t)hour;
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(line, sizeof(line), "%s,%s,%s,%lld,%lld,%lld\n", id,
			 mj_str(rec, "public_ip"), stamp, (long long)mj_int(rec, "bytes_out"),
			 (long long)mj_int(rec, "bytes_in"), (long long)mj_int(rec, "bytes_out"));
		traffic_append(c, line);
	}
	json_decref(rec);
	return 0;
}

int traffic_export_csv(struct model *m, uint64_t owner, int64_t start, int64_t end, char **csv)
{
	char prefix[MODEL_KEY_MAX];
	struct traffic_csv c = {.start = start, .end = end};
	if (owner) {
		/* An account that does not exist is an error, not an empty export. */
		json_t *acct = account_get(m, owner);
		if (!acct)
			return merrf(m, MERR_ACCOUNT_NOT_FOUND,
				     "The account %" PRIu64 " does not exist.", owner);
		json_decref(acct);
	}
	if (owner)
		snprintf(prefix, sizeof(prefix), "/traffic/%" PRIu64 "/", owner);
	else
		snprintf(prefix, sizeof(prefix), "/traffic/");
	traffic_append(&c, TRAFFIC_CSV_HEADER);
	int rc = store_prefix(m->txn, prefix, traffic_csv_cb, &c);
	if (rc < 0) {
		free(c.buf);
		return merr_store(m, rc, "traffic");
	}
	if (c.oom) {
		free(c.buf);
		return merr(m, MERR_INTERNAL);
	}
	*csv = c.buf;
	return 0;
}
