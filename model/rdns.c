/*
 * rdns: see rdns.h.
 */
#include "model/rdns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rdns_key(const char *region, const struct netaddr *a, char *buf)
{
	char hex[33];
	snprintf(buf, MODEL_KEY_MAX, "/rdns/%s/%s", region, netaddr_keyhex(a, hex));
}

bool rdns_valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 253)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!(isalnum((unsigned char)c) || c == '-'))
			return false;
		if (label == 0 && c == '-')
			return false;
		if (++label > 63)
			return false;
	}
	return name[n - 1] != '-';
}

int rdns_set(struct model *m, const char *ip, const char *name)
{
	struct netaddr a;
	char scope[MODEL_SCOPE_MAX], key[MODEL_KEY_MAX], holder[RANDID_MAX], txt[NETADDR_STRLEN];
	if (!ip || !netaddr_parse4(ip, &a))
		return merrf(m, MERR_INVALID_PARAMETER, "IpAddress %.64s is not an IPv4 address.",
			     ip ? ip : "");
	if (!netprefix_contains(&m->region->public_pool, &a))
		return merrf(m, MERR_INVALID_PARAMETER, "%s is not a public address of region %s.",
			     ip, m->region->id);
	snprintf(scope, sizeof(scope), "public/%s", m->region->id);
	if (!m_claimed(m, scope, &a, holder))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "%s is not allocated to anyone; a PTR name needs an address in use.",
			     ip);
	rdns_key(m->region->id, &a, key);
	int rc;
	if (!name || !*name) {
		rc = store_del(m->txn, key);
		if (rc == -ENOENT)
			rc = 0;
	} else {
		if (!rdns_valid_name(name))
			return merrf(m, MERR_INVALID_PARAMETER,
				     "%.80s is not a valid DNS host name.", name);
		json_t *o = json_object();
		mj_set_str(o, "ip", netaddr_format(&a, txt));
		mj_set_str(o, "name", name);
		mj_set_str(o, "holder", holder);
		char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(o);
		rc = store_put(m->txn, key, text, strlen(text), NULL);
		free(text);
	}
	return rc < 0 ? merr_store(m, rc, key) : 0;
}

static int rdns_list_cb(void *arg, const struct store_kv *kv)
{
	json_t *o = json_loadb(kv->value, kv->value_len, 0, NULL);
	if (o)
		json_array_append_new(arg, o);
	return 0;
}

json_t *rdns_list(struct model *m)
{
	char prefix[MODEL_KEY_MAX];
	snprintf(prefix, sizeof(prefix), "/rdns/%s/", m->region->id);
	json_t *arr = json_array();
	if (store_prefix(m->txn, prefix, rdns_list_cb, arr) < 0) {
		json_decref(arr);
		merr(m, MERR_INTERNAL);
		return NULL;
	}
	return arr;
}

int rdns_forget(struct model *m, const char *region, const struct netaddr *a)
{
	char key[MODEL_KEY_MAX];
	rdns_key(region, a, key);
	int rc = store_del(m->txn, key);
	return rc < 0 && rc != -ENOENT ? merr_store(m, rc, key) : 0;
}
