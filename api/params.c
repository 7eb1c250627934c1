/*
 * params: decoding of form-urlencoded API parameters and the typed getters
 * that undo the SDKs' flattening (see params.h for the conventions).
 *
 * Everything here reads bytes a client controls.  The decoder validates a
 * whole source before it appends anything, so a request is either taken
 * in full or refused.  The getters that walk "Name.N" families first collect
 * and validate every matching pair, then sort, then answer: a malformed
 * index anywhere makes the whole family invalid rather than half-read.
 */
#include "api/params.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api/utf8.h"

void params_init(struct params *p)
{
	p->kv = NULL;
	p->n = 0;
	p->cap = 0;
}

static void free_pair(struct sign_kv *kv)
{
	/* The pairs are owned; they are const only for sign_*() callers. */
	free((char *)kv->k);
	free((char *)kv->v);
}

void params_fini(struct params *p)
{
	for (size_t i = 0; i < p->n; i++)
		free_pair(&p->kv[i]);
	free(p->kv);
	params_init(p);
}

/* Makes room for `more` pairs beyond p->n.  The caller has checked the
 * count limit, so the sizes cannot overflow. */
static bool reserve(struct params *p, size_t more)
{
	if (p->n + more <= p->cap)
		return true;
	size_t cap = p->cap ? p->cap : 16;
	while (cap < p->n + more)
		cap *= 2;
	struct sign_kv *kv = realloc(p->kv, cap * sizeof(*kv));
	if (kv == NULL)
		return false;
	p->kv = kv;
	p->cap = cap;
	return true;
}

/* ---- decoding --------------------------------------------------------- */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) with form rules into a new string of at most `max`
 * bytes.  NULL when malformed, holding a NUL byte, too long, or out of
 * memory. */
static char *form_decode(const char *s, size_t len, size_t max)
{
	char *out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int h = i + 1 < len ? hexval((unsigned char)s[i + 1]) : -1;
			int l = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;
			if (h < 0 || l < 0)
				goto fail;
			c = (unsigned char)(h << 4 | l);
			i += 2;
		}
		if (c == '\0' || o == max)
			goto fail;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
fail:
	free(out);
	return NULL;
}

bool params_add_urlencoded(struct params *p, const char *s, size_t len)
{
	size_t count = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (end > i)
			count++;
		i = end + 1;
	}
	if (count > PARAMS_MAX_COUNT - p->n)
		return false;
	if (!reserve(p, count))
		return false;

	/* Decode into the reserved slots past p->n; commit by moving p->n. */
	size_t done = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		size_t seg = end - i;
		if (seg > 0) {
			const char *eq = memchr(s + i, '=', seg);
			size_t klen = eq ? (size_t)(eq - (s + i)) : seg;
			size_t voff = eq ? klen + 1 : seg;
			char *k = klen > 0 ? form_decode(s + i, klen, PARAMS_MAX_NAME) : NULL;
			char *v = form_decode(s + i + voff, seg - voff, PARAMS_MAX_VALUE);
			if (k == NULL || v == NULL) { /* malformed, or an empty name */
				free(k);
				free(v);
				goto fail;
			}
			p->kv[p->n + done].k = k;
			p->kv[p->n + done].v = v;
			done++;
		}
		i = end + 1;
	}
	p->n += done;
	return true;
fail:
	for (size_t j = 0; j < done; j++)
		free_pair(&p->kv[p->n + j]);
	return false;
}

bool params_add(struct params *p, const char *k, const char *v)
{
	size_t kl = strlen(k), vl = strlen(v);
	if (p->n >= PARAMS_MAX_COUNT || kl == 0 || kl > PARAMS_MAX_NAME || vl > PARAMS_MAX_VALUE)
		return false;
	if (!reserve(p, 1))
		return false;
	char *kc = strdup(k);
	char *vc = strdup(v);
	if (kc == NULL || vc == NULL) {
		free(kc);
		free(vc);
		return false;
	}
	p->kv[p->n].k = kc;
	p->kv[p->n].v = vc;
	p->n++;
	return true;
}

/* ---- scalars ---------------------------------------------------------- */

const char *params_get(const struct params *p, const char *k)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->kv[i].k, k) == 0)
			return p->kv[i].v;
	return NULL;
}

struct named {
	const char *k;
	size_t pos; /* arrival order */
};

static int named_cmp(const void *x, const void *y)
{
	const struct named *a = x, *b = y;
	int c = strcmp(a->k, b->k);
	if (c != 0)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

bool params_has_duplicate(const struct params *p, const char **dup_name)
{
	if (p->n < 2)
		return false;
	struct named *v = malloc(p->n * sizeof(*v));
	if (v == NULL) {
		/* Without memory fall back to the quadratic scan (n is bounded). */
		for (size_t i = 0; i < p->n; i++)
			for (size_t j = i + 1; j < p->n; j++)
				if (strcmp(p->kv[i].k, p->kv[j].k) == 0) {
					if (dup_name)
						*dup_name = p->kv[i].k;
					return true;
				}
		return false;
	}
	for (size_t i = 0; i < p->n; i++)
		v[i] = (struct named){.k = p->kv[i].k, .pos = i};
	qsort(v, p->n, sizeof(*v), named_cmp);

	/* Report the repeated name whose first occurrence came first, as the
	 * quadratic scan would. */
	size_t best = SIZE_MAX;
	for (size_t i = 0; i + 1 < p->n; i++)
		if (strcmp(v[i].k, v[i + 1].k) == 0 && v[i].pos < best &&
		    (i == 0 || strcmp(v[i - 1].k, v[i].k) != 0))
			best = v[i].pos;
	free(v);
	if (best == SIZE_MAX)
		return false;
	if (dup_name)
		*dup_name = p->kv[best].k;
	return true;
}

int params_int64(const struct params *p, const char *k, int64_t *out)
{
	const char *s = params_get(p, k);
	if (s == NULL)
		return 0;
	bool neg = *s == '-';
	if (neg)
		s++;
	if (*s == '\0')
		return -1;
	/* Accumulate as a negative number: its range holds INT64_MIN. */
	int64_t v = 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		int d = *s - '0';
		if (v < (INT64_MIN + d) / 10)
			return -1;
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == INT64_MIN)
			return -1;
		v = -v;
	}
	*out = v;
	return 1;
}

int params_bool(const struct params *p, const char *k, bool *out)
{
	const char *s = params_get(p, k);
	if (s == NULL)
		return 0;
	if (strcasecmp(s, "true") == 0)
		*out = true;
	else if (strcasecmp(s, "false") == 0)
		*out = false;
	else
		return -1;
	return 1;
}

/* ---- "Name.N" families ------------------------------------------------ */

/* True when the segment s[0..len) is all digits but not an index. */
static bool bad_index_segment(const char *s, size_t len)
{
	if (len == 0)
		return false;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v <= PARAMS_MAX_INDEX)
			v = v * 10 + (unsigned)(s[i] - '0');
	}
	return s[0] == '0' || v > PARAMS_MAX_INDEX;
}

enum params_fault params_check(const struct params *p, const char **bad_name)
{
	for (size_t i = 0; i < p->n; i++) {
		const char *k = p->kv[i].k, *v = p->kv[i].v;
		if (!utf8_valid(k, strlen(k)) || !utf8_valid(v, strlen(v))) {
			*bad_name = k;
			return PARAMS_BAD_UTF8;
		}
		/* The first segment is the parameter's own name, never an index. */
		const char *seg = strchr(k, '.');
		while (seg != NULL) {
			seg++;
			const char *dot = strchr(seg, '.');
			size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
			if (bad_index_segment(seg, len)) {
				*bad_name = k;
				return PARAMS_BAD_INDEX;
			}
			seg = dot;
		}
	}
	return PARAMS_OK;
}

/* If `k` is in the family "name." returns what follows the dot, else NULL. */
static const char *family_rest(const char *k, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(k, name, n) != 0 || k[n] != '.')
		return NULL;
	return k + n + 1;
}

/* Parses the index at the start of s: decimal, no leading zero, in
 * 1..PARAMS_MAX_INDEX, ended by '.' or NUL.  Returns the end or NULL. */
static const char *parse_index(const char *s, unsigned *out)
{
	if (*s < '1' || *s > '9')
		return NULL;
	unsigned v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > PARAMS_MAX_INDEX)
			return NULL;
	}
	if (*s != '\0' && *s != '.')
		return NULL;
	*out = v;
	return s;
}

struct member {
	unsigned idx;
	size_t pos;	   /* arrival order */
	const char *field; /* after "Name.N.", or NULL for "Name.N" */
	const char *value;
};

static int member_cmp(const void *x, const void *y)
{
	const struct member *a = x, *b = y;
	if (a->idx != b->idx)
		return a->idx < b->idx ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Collects the members of family `name`, sorted by index then arrival.
 * `want_field` says whether each member must be "Name.N.Field" (true) or
 * exactly "Name.N" (false).  Returns false on a malformed member or when
 * memory runs out; *out is NULL when there are none. */
static bool collect(const struct params *p, const char *name, bool want_field, struct member **out,
		    size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t count = 0;
	for (size_t i = 0; i < p->n; i++)
		if (family_rest(p->kv[i].k, name) != NULL)
			count++;
	if (count == 0)
		return true;
	struct member *m = malloc(count * sizeof(*m));
	if (m == NULL)
		return false;
	size_t j = 0;
	for (size_t i = 0; i < p->n; i++) {
		const char *rest = family_rest(p->kv[i].k, name);
		if (rest == NULL)
			continue;
		unsigned idx;
		const char *end = parse_index(rest, &idx);
		if (end == NULL)
			goto fail;
		const char *field = NULL;
		if (*end == '.') {
			field = end + 1;
			if (!want_field || *field == '\0')
				goto fail;
		} else if (want_field) {
			goto fail;
		}
		m[j++] = (struct member){.idx = idx, .pos = i, .field = field, .value = p->kv[i].v};
	}
	qsort(m, j, sizeof(*m), member_cmp);
	*out = m;
	*n = j;
	return true;
fail:
	free(m);
	return false;
}

static int str_ptr_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* True when two of the strings are equal.  NULL-safe for n == 0. */
static bool has_repeat(const char **v, size_t n, bool *oom)
{
	*oom = false;
	if (n < 2)
		return false;
	const char **s = malloc(n * sizeof(*s));
	if (s == NULL) {
		*oom = true;
		return false;
	}
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), str_ptr_cmp);
	bool rep = false;
	for (size_t i = 0; i + 1 < n && !rep; i++)
		rep = strcmp(s[i], s[i + 1]) == 0;
	free(s);
	return rep;
}

bool params_list(const struct params *p, const char *name, const char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	struct member *m;
	size_t count;
	if (!collect(p, name, false, &m, &count))
		return false;
	if (count == 0)
		return true;
	const char **v = malloc(count * sizeof(*v));
	if (v == NULL) {
		free(m);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < count; i++) {
		if (i > 0 && m[i].idx == m[i - 1].idx)
			ok = false; /* "Name.2" given twice */
		v[i] = m[i].value;
	}
	free(m);
	bool oom;
	if (ok && (has_repeat(v, count, &oom) || oom))
		ok = false;
	if (!ok) {
		free(v);
		return false;
	}
	*out = v;
	*n = count;
	return true;
}

bool params_objects(const struct params *p, const char *name,
		    bool (*cb)(void *arg, unsigned idx, const char *field, const char *value),
		    void *arg)
{
	struct member *m;
	size_t count;
	if (!collect(p, name, true, &m, &count))
		return false;
	bool ok = true;
	for (size_t i = 0; i < count && ok; i++)
		ok = cb(arg, m[i].idx, m[i].field, m[i].value);
	free(m);
	return ok;
}

bool params_has_family(const struct params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (family_rest(p->kv[i].k, name) != NULL)
			return true;
	return false;
}

unsigned params_max_index(const struct params *p, const char *name)
{
	unsigned max = 0;
	for (size_t i = 0; i < p->n; i++) {
		const char *rest = family_rest(p->kv[i].k, name);
		unsigned idx;
		if (rest != NULL && parse_index(rest, &idx) != NULL && idx > max)
			max = idx;
	}
	return max;
}

/* ---- string vectors --------------------------------------------------- */

void params_free_strv(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

bool params_json_list(const struct params *p, const char *k, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const char *s = params_get(p, k);
	if (s == NULL)
		return true;
	json_error_t err;
	/* Without JSON_ALLOW_NUL jansson refuses "\u0000", so each item is a
	 * proper C string. */
	json_t *j = json_loads(s, 0, &err);
	if (j == NULL)
		return false;
	bool ok = json_is_array(j);
	size_t count = ok ? json_array_size(j) : 0;
	char **v = NULL;
	if (ok && count > 0) {
		v = calloc(count, sizeof(*v));
		ok = v != NULL;
	}
	for (size_t i = 0; ok && i < count; i++) {
		json_t *item = json_array_get(j, i);
		ok = json_is_string(item) && (v[i] = strdup(json_string_value(item))) != NULL;
	}
	json_decref(j);
	if (!ok) {
		params_free_strv(v, count);
		return false;
	}
	*out = v;
	*n = count;
	return true;
}

bool params_comma_list(const struct params *p, const char *k, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const char *s = params_get(p, k);
	if (s == NULL)
		return true;
	size_t count = 1;
	for (const char *c = s; *c != '\0'; c++)
		count += *c == ',';
	char **v = calloc(count, sizeof(*v));
	if (v == NULL)
		return false;
	const char *start = s;
	for (size_t i = 0; i < count; i++) {
		const char *comma = strchr(start, ',');
		size_t len = comma ? (size_t)(comma - start) : strlen(start);
		if (len == 0 || (v[i] = strndup(start, len)) == NULL) {
			params_free_strv(v, count);
			return false;
		}
		start += len + 1;
	}
	*out = v;
	*n = count;
	return true;
}
