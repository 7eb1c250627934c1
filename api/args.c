/*
 * args: parameter readers and response writers shared by every action.
 * See api.h for the contracts.  Error messages name the parameter and the
 * rule it broke, so a user can fix the request from the message alone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "api/utf8.h"
#include "lib/log.h"

int arg_need(struct api_req *r, const char *k, const char **out)
{
	const char *v = params_get(r->p, k);
	if (!v || !*v)
		return merrf(r->m, MERR_MISSING_PARAMETER,
			     "The input parameter \"%s\" that is mandatory for processing this "
			     "request is not supplied.",
			     k);
	*out = v;
	return 0;
}

const char *arg_opt(struct api_req *r, const char *k)
{
	const char *v = params_get(r->p, k);
	return v && *v ? v : NULL;
}

int arg_int(struct api_req *r, const char *k, int64_t def, int64_t min, int64_t max, int64_t *out)
{
	int64_t v;
	int rc = params_int64(r->p, k, &v);
	if (rc == 0 || (rc < 0 && !arg_opt(r, k))) {
		*out = def;
		return 0;
	}
	if (rc < 0 || v < min || v > max)
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "The parameter %s must be an integer from %lld to %lld.", k,
			     (long long)min, (long long)max);
	*out = v;
	return 0;
}

int arg_bool(struct api_req *r, const char *k, bool def, bool *out)
{
	bool v;
	int rc = params_bool(r->p, k, &v);
	if (rc == 0 || (rc < 0 && !arg_opt(r, k))) {
		*out = def;
		return 0;
	}
	if (rc < 0)
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "The parameter %s must be true or false.", k);
	*out = v;
	return 0;
}

int arg_tristate(struct api_req *r, const char *k)
{
	if (!arg_opt(r, k))
		return -1;
	bool v;
	if (arg_bool(r, k, false, &v) < 0)
		return -2;
	return v ? 1 : 0;
}

int arg_list(struct api_req *r, const char *k, const char ***out, size_t *n)
{
	if (!params_list(r->p, k, out, n))
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "The list parameter %s.N has a malformed or repeated entry.", k);
	return 0;
}

int arg_json_list(struct api_req *r, const char *k, char ***out, size_t *n)
{
	if (!params_json_list(r->p, k, out, n))
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "The parameter %s must be a JSON array of strings.", k);
	return 0;
}

int arg_comma_list(struct api_req *r, const char *k, char ***out, size_t *n)
{
	if (!params_comma_list(r->p, k, out, n))
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "The parameter %s must be a comma-separated list.", k);
	return 0;
}

int arg_enum(struct api_req *r, const char *k, const char *const *choices, bool nocase,
	     const char *def, const char **out)
{
	const char *v = arg_opt(r, k);
	if (!v) {
		*out = def;
		return 0;
	}
	for (size_t i = 0; choices[i]; i++) {
		if (nocase ? strcasecmp(v, choices[i]) == 0 : strcmp(v, choices[i]) == 0) {
			*out = choices[i];
			return 0;
		}
	}
	char allowed[256] = "";
	for (size_t i = 0; choices[i]; i++) {
		strncat(allowed, choices[i], sizeof(allowed) - strlen(allowed) - 3);
		if (choices[i + 1])
			strncat(allowed, ", ", sizeof(allowed) - strlen(allowed) - 1);
	}
	return merrf(r->m, MERR_INVALID_PARAMETER, "The parameter %s must be one of: %s.", k,
		     allowed);
}

struct arg_tags_ctx {
	json_t *byidx;
	const char *bad;
};

static bool arg_tags_cb(void *arg, unsigned idx, const char *field, const char *value)
{
	struct arg_tags_ctx *c = arg;
	char key[16];
	snprintf(key, sizeof(key), "%u", idx);
	json_t *t = json_object_get(c->byidx, key);
	if (!t) {
		t = json_object();
		json_object_set_new(c->byidx, key, t);
	}
	if (strcmp(field, "Key") == 0)
		json_object_set_new(t, "k", json_string(value));
	else if (strcmp(field, "Value") == 0)
		json_object_set_new(t, "v", json_string(value));
	else {
		c->bad = field;
		return false;
	}
	return true;
}

#define ARG_MAX_TAGS 20

/* Every error path of arg_tags() formats its message before it frees the
 * documents the message may quote: a key read from c.byidx lives only as
 * long as c.byidx. */
int arg_tags(struct api_req *r, json_t **out)
{
	struct arg_tags_ctx c = {json_object(), NULL};
	/* "Tag.x" present in any form selects the Tag family, so that a
	 * malformed index (Tag.0, Tag.01, Tag.1001) is refused by
	 * params_objects() instead of silently selecting the empty "Tags". */
	const char *name = params_has_family(r->p, "Tag") ? "Tag" : "Tags";
	if (!params_objects(r->p, name, arg_tags_cb, &c)) {
		json_decref(c.byidx);
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "The parameter %s.N is malformed (N is 1 to %d, fields are Key and "
			     "Value).",
			     name, PARAMS_MAX_INDEX);
	}
	json_t *arr = json_array();
	const char *k;
	json_t *t;
	int rc = 0;
	json_object_foreach(c.byidx, k, t)
	{
		const char *key = json_string_value(json_object_get(t, "k"));
		if (!key || !*key || strlen(key) > 128 || strncmp(key, "aliyun", 6) == 0 ||
		    strncmp(key, "acs:", 4) == 0) {
			rc = merrf(r->m, MERR_INVALID_PARAMETER,
				   "Each Tag needs a Key of 1-128 characters that does not start "
				   "with aliyun or acs:.");
			break;
		}
		json_t *v = json_object_get(t, "v");
		if (json_string_length(v) > 128) {
			rc = merrf(r->m, MERR_INVALID_PARAMETER, "A Tag Value is longer than 128.");
			break;
		}
		size_t i;
		json_t *prev;
		bool twice = false;
		json_array_foreach(arr, i, prev)
		{
			twice = twice ||
				strcmp(json_string_value(json_object_get(prev, "k")), key) == 0;
		}
		if (twice) {
			rc = merrf(r->m, MERR_INVALID_PARAMETER,
				   "The Tag key %.64s is given twice.", key);
			break;
		}
		json_t *e = json_object();
		json_object_set_new(e, "k", json_string(key));
		json_object_set_new(e, "v", json_string(v ? json_string_value(v) : ""));
		json_array_append_new(arr, e);
	}
	json_decref(c.byidx);
	if (rc == 0 && json_array_size(arr) > ARG_MAX_TAGS)
		rc = merrf(r->m, MERR_INVALID_PARAMETER, "At most %d tags per resource.",
			   ARG_MAX_TAGS);
	if (rc < 0) {
		json_decref(arr);
		return -1;
	}
	*out = arr;
	return 0;
}

bool api_parse_utc(const char *s, unsigned forms, int64_t *out)
{
	static const struct {
		unsigned form;
		const char *fmt;
		int fields;
	} forms_tab[] = {
	    {API_TIME_SECONDS, "%4d-%2d-%2dT%2d:%2d:%2d", 6},
	    {API_TIME_MINUTES, "%4d-%2d-%2dT%2d:%2d", 5},
	    {API_TIME_HOURS, "%4d-%2d-%2dT%2d", 4},
	};
	/* Fixed widths: "YYYY-MM-DDThh", then ":mm" per field, then 'Z'; every
	 * field position holds digits, so %d reads no sign or space. */
	for (size_t i = 0; i < sizeof(forms_tab) / sizeof(forms_tab[0]); i++) {
		if (!(forms & forms_tab[i].form))
			continue;
		size_t want = 14 + 3 * (size_t)(forms_tab[i].fields - 4);
		if (strlen(s) != want || s[want - 1] != 'Z')
			continue;
		bool digits = true;
		for (size_t j = 0; j + 1 < want; j++)
			if (j != 4 && j != 7 && j != 10 && j != 13 && j != 16)
				digits = digits && s[j] >= '0' && s[j] <= '9';
		int v[6] = {0};
		if (!digits || sscanf(s, forms_tab[i].fmt, &v[0], &v[1], &v[2], &v[3], &v[4],
				      &v[5]) != forms_tab[i].fields)
			continue;
		static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		int Y = v[0], M = v[1], D = v[2];
		bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
		if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || (M == 2 && D == 29 && !leap) ||
		    v[3] > 23 || (forms_tab[i].fields > 4 && v[4] > 59) ||
		    (forms_tab[i].fields > 5 && v[5] > 59))
			return false;
		struct tm tm = {
		    .tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = v[3]};
		if (forms_tab[i].fields > 4)
			tm.tm_min = v[4];
		if (forms_tab[i].fields > 5)
			tm.tm_sec = v[5];
		*out = (int64_t)timegm(&tm);
		return true;
	}
	return false;
}

/* --- responses ------------------------------------------------------------- */

void jo_str(json_t *o, const char *k, const char *v)
{
	json_t *s = json_string(v ? v : "");
	if (s == NULL) {
		/* Not UTF-8 (an echo of bad input): jansson would refuse it and
		 * the field would vanish, so render it with U+FFFD instead. */
		char *clean = utf8_sanitize(v, strlen(v));
		s = json_string(clean ? clean : "");
		free(clean);
	}
	json_object_set_new(o, k, s);
}

void jo_int(json_t *o, const char *k, int64_t v)
{
	json_object_set_new(o, k, json_integer((json_int_t)v));
}

void jo_bool(json_t *o, const char *k, bool v)
{
	json_object_set_new(o, k, json_boolean(v));
}

json_t *jo_wrap(json_t *o, const char *wrapper, const char *item)
{
	json_t *w = json_object();
	json_t *arr = json_array();
	json_object_set_new(w, item, arr);
	json_object_set_new(o, wrapper, w);
	return arr;
}

void jo_wrap_strs(json_t *o, const char *wrapper, const char *item, const json_t *src)
{
	json_t *arr = jo_wrap(o, wrapper, item);
	size_t i;
	json_t *v;
	json_array_foreach(src, i, v)
	{
		if (json_is_string(v))
			json_array_append(arr, v);
	}
}

void jo_time(json_t *o, const char *k, int64_t t, bool minutes_only)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), minutes_only ? "%Y-%m-%dT%H:%MZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
	jo_str(o, k, buf);
}

void jo_tags(json_t *o, const json_t *res, bool ecs_style)
{
	json_t *arr = jo_wrap(o, "Tags", "Tag");
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(res, "tags"), i, t)
	{
		json_t *e = json_object();
		jo_str(e, ecs_style ? "TagKey" : "Key", mj_str(t, "k"));
		jo_str(e, ecs_style ? "TagValue" : "Value", mj_str(t, "v"));
		json_array_append_new(arr, e);
	}
}

/* Reads the paging parameters for `total` items: 0 and the page's start,
 * size and number, or -1 with the error set. */
static int api_page_args(struct api_req *r, int64_t total, int64_t max_size, bool *ecs_style,
			 int64_t *start_out, int64_t *size_out, int64_t *number_out)
{
	int64_t number, size, start;
	const char *token = arg_opt(r, "NextToken");
	*ecs_style = token || arg_opt(r, "MaxResults");
	if (*ecs_style) {
		/* NextToken is the offset of the next item, as text. */
		if (arg_int(r, "MaxResults", 10, 1, 500, &size) < 0)
			return -1;
		start = 0;
		if (token) {
			char *end;
			start = strtoll(token, &end, 10);
			if (*end || start < 0 || start > total)
				return merrf(r->m, MERR_INVALID_PARAMETER,
					     "The NextToken %.40s is not valid.", token);
		}
		number = size ? start / size + 1 : 1;
	} else {
		if (arg_int(r, "PageNumber", 1, 1, 1000000, &number) < 0 ||
		    arg_int(r, "PageSize", 10, 1, max_size, &size) < 0)
			return -1;
		start = (number - 1) * size;
	}
	*start_out = start;
	*size_out = size;
	*number_out = number;
	return 0;
}

static void api_page_footer(struct api_req *r, int64_t total, int64_t number, int64_t size,
			    int64_t start, bool ecs_style)
{
	jo_int(r->out, "TotalCount", total);
	jo_int(r->out, "PageNumber", number);
	jo_int(r->out, "PageSize", size);
	if (ecs_style) {
		char next[32] = "";
		if (start + size < total)
			snprintf(next, sizeof(next), "%lld", (long long)(start + size));
		jo_str(r->out, "NextToken", next);
	}
}

struct api_all_ctx {
	json_t *page;	    /* the page's documents, parsed */
	size_t plen;	    /* length of the directory prefix */
	int64_t skip, left; /* items still to pass over, then to take */
};

/* Collects the page only: rendering reads the store too, and a read inside
 * the range's callback would find the range statement busy and prepare a
 * new one for every item. */
static int api_all_cb(void *arg, const struct store_kv *kv)
{
	struct api_all_ctx *c = arg;
	if (strchr(kv->key + c->plen, '/'))
		return 0; /* a key below a resource, not a resource */
	if (c->skip > 0) {
		c->skip--; /* passed over without parsing it */
		return 0;
	}
	if (c->left-- <= 0)
		return 1;
	json_error_t je;
	json_t *o = json_loadb(kv->value, kv->value_len, 0, &je);
	if (!o || !json_is_object(o))
		fatal("corrupt resource under %s: %s", kv->key, je.text);
	json_array_append_new(c->page, o);
	return 0;
}

int api_describe_all(struct api_req *r, const char *kind, const char *wrapper, const char *item,
		     int64_t max_page, json_t *(*render)(struct api_req *r, json_t *res))
{
	if (r->m->cfg->n_regions != 1)
		return api_describe_ids(r, kind, "-", 0, NULL, wrapper, item, max_page, render);
	char prefix[MODEL_KEY_MAX], end[MODEL_KEY_MAX];
	snprintf(prefix, sizeof(prefix), "/r/%" PRIu64 "/%s/", r->m->caller, kind);
	store_prefix_end(prefix, end);
	uint64_t count = 0;
	int rc = store_count_dir(r->m->txn, prefix, &count);
	if (rc < 0)
		return merr_store(r->m, rc, "count");
	int64_t total = (int64_t)count, start, size, number;
	bool ecs_style;
	if (api_page_args(r, total, max_page, &ecs_style, &start, &size, &number) < 0)
		return -1;
	struct api_all_ctx c = {
	    .page = json_array(), .plen = strlen(prefix), .skip = start, .left = size};
	if (start < total) {
		rc = store_range(r->m->txn, prefix, end, 0, api_all_cb, &c);
		if (rc < 0) {
			json_decref(c.page);
			return merr_store(r->m, rc, "list");
		}
	}
	json_t *arr = jo_wrap(r->out, wrapper, item);
	size_t i;
	json_t *res;
	json_array_foreach(c.page, i, res)
	{
		json_t *one = render(r, res);
		if (one)
			json_array_append_new(arr, one);
	}
	json_decref(c.page);
	api_page_footer(r, total, number, size, start, ecs_style);
	return 0;
}

int api_page(struct api_req *r, json_t *items, const char *wrapper, const char *item,
	     int64_t max_size, json_t *(*fn)(struct api_req *r, json_t *res))
{
	int64_t number, size, start;
	bool ecs_style;
	int64_t total = (int64_t)json_array_size(items);
	if (api_page_args(r, total, max_size, &ecs_style, &start, &size, &number) < 0)
		return -1;
	json_t *arr = jo_wrap(r->out, wrapper, item);
	for (int64_t i = start; i < total && i < start + size; i++) {
		json_t *one = fn(r, json_array_get(items, (size_t)i));
		if (one)
			json_array_append_new(arr, one);
	}
	api_page_footer(r, total, number, size, start, ecs_style);
	return 0;
}

void api_filter(struct api_req *r, json_t *items, bool (*keep)(struct api_req *r, json_t *res))
{
	for (size_t i = json_array_size(items); i-- > 0;)
		if (!keep(r, json_array_get(items, i)))
			json_array_remove(items, i);
}

int api_describe_ids(struct api_req *r, const char *kind, const char *ids_param, size_t max_ids,
		     bool (*keep)(struct api_req *r, json_t *res), const char *wrapper,
		     const char *item, int64_t max_page,
		     json_t *(*render)(struct api_req *r, json_t *res))
{
	char **ids = NULL;
	size_t n = 0;
	if (arg_comma_list(r, ids_param, &ids, &n) < 0)
		return -1;
	if (n > max_ids) {
		params_free_strv(ids, n);
		return merrf(r->m, MERR_INVALID_PARAMETER, "%s lists at most %zu ids.", ids_param,
			     max_ids);
	}
	json_t *items = m_list(r->m, kind, NULL, NULL);
	if (items && n > 0)
		api_keep_values(items, "id", (const char *const *)ids, n);
	params_free_strv(ids, n);
	if (!items)
		return -1;
	if (keep)
		api_filter(r, items, keep);
	int rc = api_page(r, items, wrapper, item, max_page, render);
	json_decref(items);
	return rc;
}

void api_keep_values(json_t *items, const char *f, const char *const *vals, size_t n)
{
	for (size_t i = json_array_size(items); i-- > 0;) {
		const char *v = mj_str(json_array_get(items, i), f);
		bool want = false;
		for (size_t j = 0; j < n && !want; j++)
			want = strcmp(vals[j], v) == 0;
		if (!want)
			json_array_remove(items, i);
	}
}

bool api_match(struct api_req *r, json_t *res, const char *k, const char *f)
{
	const char *want = arg_opt(r, k);
	return !want || strcmp(mj_str(res, f), want) == 0;
}

bool api_match_tags(struct api_req *r, json_t *res)
{
	unsigned n = params_max_index(r->p, "Tag");
	char kname[32], vname[32];
	for (unsigned i = 1; i <= n; i++) {
		snprintf(kname, sizeof(kname), "Tag.%u.Key", i);
		snprintf(vname, sizeof(vname), "Tag.%u.Value", i);
		const char *k = params_get(r->p, kname);
		const char *v = params_get(r->p, vname);
		if (!k)
			continue;
		bool found = false;
		size_t j;
		json_t *t;
		json_array_foreach(json_object_get(res, "tags"), j, t)
		{
			if (strcmp(mj_str(t, "k"), k) == 0 &&
			    (!v || strcmp(mj_str(t, "v"), v) == 0))
				found = true;
		}
		if (!found)
			return false;
	}
	return true;
}
