/*
 * api: how one RPC action is written.
 *
 * An action is a row of a struct api_action table (one table per area, in
 * api/act_<area>.c, listed in api/dispatch.c).  dispatch.c authenticates the
 * request, opens the transaction the row asks for (read or write), resolves
 * RegionId when the row says API_REGION, handles ClientToken and DryRun, and
 * then calls the handler with a struct api_req.  The handler:
 *   1. reads its parameters with the arg_*() helpers below (each sets a clear
 *      MissingParameter/InvalidParameter error and returns -1 on bad input);
 *   2. calls the model (model/<area>.h), which checks every rule;
 *   3. adds the response fields to r->out with the jo_*() helpers, using the
 *      exact PascalCase names and wrappers of shared/reference/alibaba-api.md.
 * It returns 0, or -1 with r->m->err set; dispatch.c then aborts the
 * transaction, so a failed request changes nothing (G-5), and renders the
 * error.  RequestId is added by dispatch.c; a handler never writes "Code".
 *
 * Memory: r->out is owned by dispatch.c.  Strings from arg_*() are borrowed
 * from the request and live until the handler returns.
 */
#ifndef OPENVPC_API_API_H
#define OPENVPC_API_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/params.h"
#include "model/model.h"

#define API_VERSION_VPC "2016-04-28"
#define API_VERSION_ECS "2014-05-26"
/* openvpc's own operator actions (accounts, quotas, the test clock). */
#define API_VERSION_OPS "2026-01-01"

enum api_flags {
	API_WRITE = 1 << 0,	 /* runs in a write transaction */
	API_REGION = 1 << 1,	 /* RegionId is required and resolved into r->m->region */
	API_ADMIN = 1 << 2,	 /* operator accounts only */
	API_REGION_OPT = 1 << 3, /* RegionId resolved when present */
};

struct api_server;

struct api_req {
	const struct params *p;
	struct model *m;
	json_t *out;
	const char *action;
	const char *version;
	struct api_server *srv;
};

typedef int (*api_handler)(struct api_req *r);

struct api_action {
	const char *version;
	const char *name;
	api_handler fn;
	unsigned flags;
};

/* --- parameters ----------------------------------------------------------- */

/* A required string: -1 with MissingParameter when absent or empty. */
int arg_need(struct api_req *r, const char *k, const char **out);
/* An optional string: NULL when absent or empty. */
const char *arg_opt(struct api_req *r, const char *k);
/* An optional integer in [min, max]; def when absent.  -1 (InvalidParameter) otherwise. */
int arg_int(struct api_req *r, const char *k, int64_t def, int64_t min, int64_t max, int64_t *out);
/* An optional boolean ("true"/"false", any case); def when absent. */
int arg_bool(struct api_req *r, const char *k, bool def, bool *out);
/* An optional tri-state boolean: -1 absent, 0 false, 1 true; -2 and error when malformed. */
int arg_tristate(struct api_req *r, const char *k);
/* "Name.N" list; *out is malloc'd (free it), strings borrowed. */
int arg_list(struct api_req *r, const char *k, const char ***out, size_t *n);
/* JSON-array string or comma list parameters; free with params_free_strv. */
int arg_json_list(struct api_req *r, const char *k, char ***out, size_t *n);
int arg_comma_list(struct api_req *r, const char *k, char ***out, size_t *n);
/* Value must be one of the NULL-terminated choices (exact match, or
 * case-insensitive when nocase); def when absent. */
int arg_enum(struct api_req *r, const char *k, const char *const *choices, bool nocase,
	     const char *def, const char **out);
/* Tag.N.Key / Tag.N.Value into a JSON array [{"k":..,"v":..}] (new ref). */
int arg_tags(struct api_req *r, json_t **out);

/* The forms of an ISO 8601 UTC time that api_parse_utc() accepts. */
enum api_time_form {
	API_TIME_SECONDS = 1 << 0, /* 2027-01-15T10:00:00Z */
	API_TIME_MINUTES = 1 << 1, /* 2027-01-15T10:00Z */
	API_TIME_HOURS = 1 << 2,   /* 2027-01-15T10Z */
};
/* Parses a UTC time in one of `forms` into unix seconds.  False when the
 * text is malformed or not a real calendar time (02-30, 24:00, :60): such
 * dates are refused, never normalized by timegm(). */
bool api_parse_utc(const char *s, unsigned forms, int64_t *out);

/* --- responses ------------------------------------------------------------ */

void jo_str(json_t *o, const char *k, const char *v); /* NULL v: "" */
void jo_int(json_t *o, const char *k, int64_t v);
void jo_bool(json_t *o, const char *k, bool v);
/* {"<wrapper>": {"<item>": [...]}} : returns the inner array (borrowed). */
json_t *jo_wrap(json_t *o, const char *wrapper, const char *item);
/* Same with the string array src (may be NULL: empty). */
void jo_wrap_strs(json_t *o, const char *wrapper, const char *item, const json_t *src);
/* ISO-8601 UTC ("2018-04-18T15:02:37Z"); minute precision when minutes_only. */
void jo_time(json_t *o, const char *k, int64_t t, bool minutes_only);
/* Tags of a resource as Tags.Tag[] with {Key,Value} (VPC) or {TagKey,TagValue} (ECS). */
void jo_tags(json_t *o, const json_t *res, bool ecs_style);

/* Paging: reads PageNumber (>=1) and PageSize (1..max_size, default 10),
 * or NextToken/MaxResults when the action is ECS-style and they are given;
 * renders each item of `items` through fn into out.<wrapper>.<item>[] and
 * sets TotalCount, PageNumber, PageSize (and NextToken when more remain).
 * -1 on a bad paging parameter. */
int api_page(struct api_req *r, json_t *items, const char *wrapper, const char *item,
	     int64_t max_size, json_t *(*fn)(struct api_req *r, json_t *res));

/* Keeps the items of `items` (a JSON array) for which keep(r, res) is true. */
void api_filter(struct api_req *r, json_t *items, bool (*keep)(struct api_req *r, json_t *res));
/* The common Describe of the VPC API: the caller's resources of `kind` in the
 * region, narrowed to the ids of the comma-list parameter ids_param (at most
 * max_ids; absent: all), then by keep (may be NULL), then paged into
 * out.<wrapper>.<item>[] through render (page size up to max_page). */
int api_describe_ids(struct api_req *r, const char *kind, const char *ids_param, size_t max_ids,
		     bool (*keep)(struct api_req *r, json_t *res), const char *wrapper,
		     const char *item, int64_t max_page,
		     json_t *(*render)(struct api_req *r, json_t *res));
/* The unfiltered Describe: every resource of `kind` of the caller, one page
 * of it, without reading the others: TotalCount comes from the store's key
 * count and the page from a key-ordered range read (the order and paging of
 * api_describe_ids).  Falls back to api_describe_ids when more than one
 * region is configured (the count would span regions). */
int api_describe_all(struct api_req *r, const char *kind, const char *wrapper, const char *item,
		     int64_t max_page, json_t *(*render)(struct api_req *r, json_t *res));
/* Keeps the items whose string field f is one of vals[0..n) (n = 0 keeps
 * none): the id-list filters of the Describe actions. */
void api_keep_values(json_t *items, const char *f, const char *const *vals, size_t n);
/* A keep() helper: when the parameter k is given, the field f must equal it. */
bool api_match(struct api_req *r, json_t *res, const char *k, const char *f);
/* True when the resource's tags include every Tag.N.Key/Value of the request. */
bool api_match_tags(struct api_req *r, json_t *res);

#endif
