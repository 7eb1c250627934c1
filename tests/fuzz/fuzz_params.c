/*
 * libFuzzer target for api/params.  The input is one form-urlencoded source,
 * or two (query and body) when it holds a '\n'; each accepted source is
 * followed by every getter on the names that arrived and on each dotted
 * prefix of them (the "Name" of "Name.N" and "Name.N.Field").  Besides
 * ASan/UBSan findings, the results must respect the decoder's limits and the
 * getters' contracts, or abort() reports a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "api/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

/* Getters walk every pair per call: bound the names tried per input so a
 * large input stays fast enough to fuzz. */
#define MAX_NAMES 16
#define MAX_DOTS 4

static bool count_cb(void *arg, unsigned idx, const char *field, const char *value)
{
	unsigned *last = arg;
	CHECK(idx >= 1 && idx <= PARAMS_MAX_INDEX && idx >= *last);
	CHECK(field[0] != '\0' && value != NULL);
	*last = idx;
	return true;
}

static void exercise_family(const struct params *p, const char *name)
{
	const char **l;
	size_t n;
	unsigned max = params_max_index(p, name);
	CHECK(max <= PARAMS_MAX_INDEX);
	if (params_list(p, name, &l, &n)) {
		CHECK((n == 0) == (l == NULL));
		CHECK(n <= p->n);
		if (n > 0)
			CHECK(max >= 1);
		for (size_t i = 0; i < n; i++)
			CHECK(l[i] != NULL);
		free(l);
	} else {
		CHECK(l == NULL && n == 0);
	}
	unsigned last = 0;
	if (params_objects(p, name, count_cb, &last))
		CHECK(last <= max);
}

static void exercise_value(const struct params *p, const char *k)
{
	const char *v = params_get(p, k);
	CHECK(v != NULL);
	int64_t i64;
	bool b;
	params_int64(p, k, &i64);
	params_bool(p, k, &b);

	char **sv;
	size_t n;
	if (params_json_list(p, k, &sv, &n)) {
		for (size_t i = 0; i < n; i++)
			CHECK(sv[i] != NULL);
		params_free_strv(sv, n);
	}
	if (params_comma_list(p, k, &sv, &n)) {
		/* The items joined with ',' are the value again. */
		size_t off = 0, vl = strlen(v);
		for (size_t i = 0; i < n; i++) {
			size_t il = strlen(sv[i]);
			CHECK(il > 0 && strchr(sv[i], ',') == NULL);
			CHECK(off + il <= vl && memcmp(v + off, sv[i], il) == 0);
			off += il;
			if (i + 1 < n) {
				CHECK(v[off] == ',');
				off++;
			}
		}
		CHECK(off == vl);
		params_free_strv(sv, n);
	}
}

static void exercise(const struct params *p)
{
	CHECK(p->n <= PARAMS_MAX_COUNT);
	for (size_t i = 0; i < p->n; i++) {
		CHECK(p->kv[i].k[0] != '\0');
		CHECK(strlen(p->kv[i].k) <= PARAMS_MAX_NAME);
		CHECK(strlen(p->kv[i].v) <= PARAMS_MAX_VALUE);
	}
	const char *dup = NULL;
	bool has_dup = params_has_duplicate(p, &dup);
	CHECK(!has_dup || params_get(p, dup) != NULL);

	/* params_check: a request it passes is all UTF-8 and every family
	 * member's index parses; one it refuses names a pair that is there. */
	const char *bad = NULL;
	enum params_fault f = params_check(p, &bad);
	if (f == PARAMS_OK) {
		for (size_t i = 0; i < p->n; i++) {
			CHECK(utf8_valid(p->kv[i].k, strlen(p->kv[i].k)));
			CHECK(utf8_valid(p->kv[i].v, strlen(p->kv[i].v)));
		}
	} else {
		CHECK(bad != NULL && params_get(p, bad) != NULL);
	}
	/* The sanitizer always yields valid UTF-8. */
	for (size_t i = 0; i < p->n && i < MAX_NAMES; i++) {
		char *clean = utf8_sanitize(p->kv[i].v, strlen(p->kv[i].v));
		CHECK(clean != NULL && utf8_valid(clean, strlen(clean)));
		CHECK(utf8_valid(p->kv[i].v, strlen(p->kv[i].v)) ==
		      (strcmp(clean, p->kv[i].v) == 0));
		free(clean);
	}

	for (size_t i = 0; i < p->n && i < MAX_NAMES; i++) {
		const char *k = p->kv[i].k;
		exercise_value(p, k);
		exercise_family(p, k);
		char name[PARAMS_MAX_NAME + 1];
		int dots = 0;
		for (const char *d = strchr(k, '.'); d && dots < MAX_DOTS; d = strchr(d + 1, '.')) {
			size_t len = (size_t)(d - k);
			memcpy(name, k, len);
			name[len] = '\0';
			exercise_family(p, name);
			dots++;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct params p;
	params_init(&p);
	const char *s = (const char *)data;
	const char *nl = memchr(s, '\n', size);
	size_t first = nl ? (size_t)(nl - s) : size;

	size_t before = p.n;
	if (params_add_urlencoded(&p, s, first))
		exercise(&p);
	else
		CHECK(p.n == before);
	if (nl) {
		before = p.n;
		if (params_add_urlencoded(&p, nl + 1, size - first - 1))
			exercise(&p);
		else
			CHECK(p.n == before);
	}
	params_fini(&p);
	return 0;
}
