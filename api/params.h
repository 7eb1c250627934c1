/*
 * params: the decoded parameters of one API request.
 *
 * The RPC dialects put parameters in the query string, in a form-urlencoded
 * body, or both (shared/reference/alibaba-api.md 2.1); params_add_urlencoded()
 * is called once for each source and the result is one flat list of decoded
 * name=value pairs in arrival order.  Nothing here trusts the input: a
 * malformed escape (%G1, a truncated %4) makes the whole source invalid, a
 * name or value with a NUL byte is refused, and the sizes are bounded.
 *
 * Typed getters implement the flattening conventions of the SDKs:
 *   scalar     "VpcId=vpc-1"
 *   list       "SecurityGroupIds.1=sg-a&SecurityGroupIds.2=sg-b"   (params_list)
 *   objects    "Tag.1.Key=k&Tag.1.Value=v"                          (params_objects)
 *   JSON array "InstanceIds=[\"i-1\",\"i-2\"]"                      (params_json_list)
 *   comma list "VpcId=vpc-1,vpc-2"                                  (params_comma_list)
 * Indexes start at 1, must be decimal without leading zeros, and at most
 * PARAMS_MAX_INDEX; lists come back ordered by index, gaps allowed.
 *
 * Memory: a struct params owns copies of every name and value; strings
 * returned by getters are borrowed from it and live until params_fini().
 * Arrays returned through `out` pointers are owned by the caller (free()).
 */
#ifndef OPENVPC_API_PARAMS_H
#define OPENVPC_API_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sign.h"

#define PARAMS_MAX_COUNT 1024  /* pairs in one request */
#define PARAMS_MAX_NAME 256    /* bytes of one decoded name */
#define PARAMS_MAX_VALUE 65536 /* bytes of one decoded value */
#define PARAMS_MAX_INDEX 1000  /* largest N in Name.N */

struct params {
	struct sign_kv *kv; /* owned strings */
	size_t n, cap;
};

void params_init(struct params *p);
void params_fini(struct params *p);

/* Percent-decodes `len` bytes of "a=b&c=d" (form rules: '+' is a space) and
 * appends the pairs.  A pair without '=' gets an empty value; empty pairs
 * ("a=1&&b=2") are skipped; a pair with an empty name ("=v") is malformed.
 * Returns false, appending nothing, when the input is malformed or a limit
 * is passed. */
bool params_add_urlencoded(struct params *p, const char *s, size_t len);
/* Appends one already-decoded pair (copies both). False past a limit or
 * for an empty name. */
bool params_add(struct params *p, const char *k, const char *v);

/* The value of the first pair named `k`, or NULL. */
const char *params_get(const struct params *p, const char *k);
/* True when two pairs carry the same name (a client bug we refuse). */
bool params_has_duplicate(const struct params *p, const char **dup_name);

/* What params_check() found wrong with a request's names and values. */
enum params_fault {
	PARAMS_OK,
	PARAMS_BAD_UTF8,  /* a name or value is not well-formed UTF-8 */
	PARAMS_BAD_INDEX, /* a name has an all-digit segment that is not an index */
};
/* Checks every pair: names and values must be UTF-8 (utf8.h), and every
 * dot-separated segment of a name made of digits only must be an index
 * (1..PARAMS_MAX_INDEX, no leading zero), so "Tag.0.Key", "Tag.01.Key" and
 * "Tag.1001.Key" are refused rather than silently ignored by the getters.
 * On a fault *bad_name (borrowed) names the first offending pair. */
enum params_fault params_check(const struct params *p, const char **bad_name);
/* True when some pair is named "Name.<anything>". */
bool params_has_family(const struct params *p, const char *name);

/* Scalars.  Each returns 1 when present and valid (stores *out), 0 when
 * absent (leaves *out), -1 when present but malformed. */
int params_int64(const struct params *p, const char *k, int64_t *out);
int params_bool(const struct params *p, const char *k, bool *out); /* true/false, any case */

/* "Name.N" values, ordered by N.  *out is a malloc'd array of borrowed
 * strings, *n its length (0 and NULL when absent).  Returns false when an
 * index is malformed, out of range or given twice, when a value is repeated,
 * or when a "Name.N.Field" member is present. */
bool params_list(const struct params *p, const char *name, const char ***out, size_t *n);

/* "Name.N.Field" objects: calls cb(arg, index, field, value) for each pair,
 * ordered by index then arrival.  Returns false on a malformed index or a
 * member without a field ("Name.N", "Name.N."), before any call of cb; or
 * when cb returns false. */
bool params_objects(const struct params *p, const char *name,
		    bool (*cb)(void *arg, unsigned idx, const char *field, const char *value),
		    void *arg);
/* Largest N present in "Name.N" or "Name.N.Field" (0 when none). */
unsigned params_max_index(const struct params *p, const char *name);

/* A parameter whose value is a JSON array of strings.  Same ownership as
 * params_list but the strings are malloc'd copies: free each, then *out. */
bool params_json_list(const struct params *p, const char *k, char ***out, size_t *n);
/* A comma-separated parameter: copies, same ownership as params_json_list.
 * Empty items are refused. */
bool params_comma_list(const struct params *p, const char *k, char ***out, size_t *n);
void params_free_strv(char **v, size_t n);

#endif
