/*
 * model: the cloud's rules over one store transaction.
 *
 * Every rule of SPEC.md sections 0 and 1 is a function of a struct model
 * (the transaction, the caller, the time, the configuration) and a request,
 * returning 0 or -1 with m->err set to a stable API error.  The model does
 * no I/O of its own, reads no clock (m->now is given), and never sees HTTP:
 * api/ decodes requests into calls and renders the results.
 *
 * Resources are JSON objects (jansson) stored under
 *     /r/<owner>/<kind>/<id>
 * where <owner> is the account id in decimal and <kind> is the prefix of the
 * id ("vpc" for "vpc-..."), so an account's VPCs are one key range.  Every
 * resource object has these fields, maintained by the helpers below:
 *     "id", "owner" (integer), "kind", "region", "created" (unix seconds)
 * and usually "status" and "parent" (see m_put).  Other fields are the resource's own, in
 * snake_case.
 *
 * Unique addresses are *claims*: /c/<scope>/<hex address> -> {"id": holder}
 * written with store_create(), so two holders of one address cannot both
 * commit even if a rule is missed; the claim's parent is its holder, so the
 * holder cannot be deleted while it still holds addresses.
 *
 * Ownership: json_t pointers returned by m_get*() and m_list() are new
 * references the caller releases with json_decref().
 *
 * Tenancy (G-1): m_get() only ever finds the caller's resources.  Looking up
 * another account's resource needs m_get_owned() with an owner the request
 * named explicitly (security-group peers of another account).  A resource of
 * another account therefore answers exactly like one that does not exist.
 */
#ifndef OPENVPC_MODEL_MODEL_H
#define OPENVPC_MODEL_MODEL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lib/netaddr.h"
#include "lib/randid.h"
#include "model/config.h"
#include "model/errors.h"
#include "store/store.h"

#define MODEL_KEY_MAX 160
#define MODEL_MSG_MAX 512

struct merr {
	enum merr_code code;
	char msg[MODEL_MSG_MAX]; /* empty: the code's default message */
};

struct model {
	struct store_txn *txn;
	const struct model_config *cfg;
	int64_t now;			   /* unix seconds: the (possibly moved) clock */
	uint64_t caller;		   /* the account acting; 0 for the system (agent) */
	bool admin;			   /* the caller is the operator */
	const struct model_region *region; /* the request's region, or NULL */
	struct merr err;
};

/* Prepares m for one transaction.  region may be NULL. */
void model_init(struct model *m, struct store_txn *txn, const struct model_config *cfg, int64_t now,
		uint64_t caller, bool admin);

/* --- errors -------------------------------------------------------------- */

/* Sets m->err and returns -1 (so callers can `return merr(m, ...)`). */
int merr(struct model *m, enum merr_code code);
int merrf(struct model *m, enum merr_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps a negative errno from the store to MERR_INTERNAL (or OPERATION_CONFLICT
 * for -EEXIST/-ECONSTRAINT, which mean a rule was raced) and returns -1. */
int merr_store(struct model *m, int rc, const char *what);
/* The message to show: m->err.msg or the code's default. */
const char *merr_message(const struct merr *e);

/* --- regions ------------------------------------------------------------- */

/* Resolves RegionId into m->region.  -1 with InvalidRegionId.NotFound. */
int model_use_region(struct model *m, const char *region_id);
/* A zone of m->region, or -1 with InvalidZoneId.NotFound. */
int model_need_zone(struct model *m, const char *zone_id, const struct model_zone **out);

/* --- keys and resources -------------------------------------------------- */

/* The kind of an id: the text before its first '-', into buf (16 bytes).
 * False when the id has no such prefix or is malformed (then no resource
 * can have it). */
bool model_id_kind(const char *id, char *buf);
/* /r/<owner>/<kind>/<id> into buf (MODEL_KEY_MAX).  False on a malformed id. */
bool model_res_key(uint64_t owner, const char *id, char *buf);

/* A new id "<prefix>-<20 chars>" into buf (RANDID_MAX). */
char *model_new_id(const char *prefix, char *buf);

/* A new resource object with the common fields set (id, owner = caller,
 * kind, region = m->region's id or "", created = now).  status may be NULL. */
json_t *model_new_resource(struct model *m, const char *prefix, const char *status);

/* The caller's resource with this id, or NULL (absent, malformed id, or
 * another account's).  Sets no error. */
json_t *m_get(struct model *m, const char *id);
/* Same, but sets `notfound` as the error when absent.  Also requires the
 * resource to be in m->region when m->region is set, and to be of the kind
 * the code speaks of (InvalidVpcId.NotFound: "vpc", ...; see model.c), so an
 * id of another kind answers NotFound. */
json_t *m_need(struct model *m, const char *id, enum merr_code notfound);
/* Same with the kind given explicitly (NULL: any kind). */
json_t *m_need_kind(struct model *m, const char *id, const char *kind, enum merr_code notfound);
/* A resource of a named owner (cross-account references only). */
json_t *m_get_owned(struct model *m, uint64_t owner, const char *id);

/* Writes a resource (create or replace).  When the resource has a string
 * field "parent" (the id of a resource of the same owner it depends on: a
 * vSwitch's VPC, an ENI's vSwitch), the store enforces it as a foreign key.
 * Returns 0 or -1 (err set). */
int m_put(struct model *m, json_t *res);
/* Creates a resource whose id must be new. */
int m_create(struct model *m, json_t *res);
/* Deletes the resource with this id of the resource's owner. */
int m_del(struct model *m, json_t *res);

/* The caller's resources of a kind, in id order, as a new JSON array,
 * keeping those for which keep(arg, res) is true (keep may be NULL).
 * NULL (with err set) on a store failure. */
json_t *m_list(struct model *m, const char *kind, bool (*keep)(void *arg, json_t *res), void *arg);
/* Same for any owner (owner 0 = all owners); used by the system. */
json_t *m_list_owner(struct model *m, uint64_t owner, const char *kind,
		     bool (*keep)(void *arg, json_t *res), void *arg);
/* Number of the caller's resources of a kind in m->region matching keep. */
int m_count(struct model *m, const char *kind, bool (*keep)(void *arg, json_t *res), void *arg,
	    int64_t *n);

/* A keep() filter for m_list/m_count: the string field k equals v. */
struct m_eq {
	const char *k;
	const char *v;
};
bool m_keep_eq(void *arg, json_t *res);
/* Number of the caller's resources of a kind whose field k equals v. */
int m_count_eq(struct model *m, const char *kind, const char *k, const char *v, int64_t *n);

/* --- claims (unique addresses) ------------------------------------------- */

/* Scopes: "v4/<vpc-id>", "v6/<vpc-id>", "classic/<region>", "public/<region>". */
#define MODEL_SCOPE_MAX 80

/* Claims address a in scope for holder (a resource of owner holder_owner).
 * -1 with `taken` as the error when another holder has it. */
int m_claim(struct model *m, const char *scope, const struct netaddr *a, uint64_t holder_owner,
	    const char *holder_id, enum merr_code taken);
/* Releases a claim (no error when it is absent). */
int m_unclaim(struct model *m, const char *scope, const struct netaddr *a);
/* True when a is claimed in scope; holder_id (RANDID_MAX, may be NULL) gets its holder. */
bool m_claimed(struct model *m, const char *scope, const struct netaddr *a, char *holder_id);
/* Claims the lowest free address in [first, last] for holder.  -1 with
 * `exhausted` as the error when none is free. */
int m_claim_free(struct model *m, const char *scope, const struct netaddr *first,
		 const struct netaddr *last, uint64_t holder_owner, const char *holder_id,
		 enum merr_code exhausted, struct netaddr *out);
/* Number of claims in scope between first and last inclusive. */
int m_claim_count(struct model *m, const char *scope, const struct netaddr *first,
		  const struct netaddr *last, int64_t *n);

/* --- quotas -------------------------------------------------------------- */

/* The caller's limit for q: the operator's override or the default. */
int64_t m_quota(struct model *m, enum model_quota q);
/* The limit of a named account. */
int64_t m_quota_of(struct model *m, uint64_t owner, enum model_quota q);

/* --- JSON field helpers (never fail on a missing field) ------------------ */

const char *mj_str(const json_t *o, const char *k);	  /* "" when absent */
int64_t mj_int(const json_t *o, const char *k);		  /* 0 when absent */
bool mj_bool(const json_t *o, const char *k);		  /* false when absent */
void mj_set_str(json_t *o, const char *k, const char *v); /* NULL v stores "" */
void mj_set_int(json_t *o, const char *k, int64_t v);
void mj_set_bool(json_t *o, const char *k, bool v);
/* Adds s to the string array o[k] (created when absent) unless present. */
void mj_arr_add_str(json_t *o, const char *k, const char *s);
/* Removes s from the string array o[k]; true when it was there. */
bool mj_arr_del_str(json_t *o, const char *k, const char *s);
bool mj_arr_has_str(const json_t *o, const char *k, const char *s);
/* String equality, for the many comparisons of ids, states and kinds. */
static inline bool m_streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

/* --- validation shared by many actions ----------------------------------- */

/* Names: 1..128 chars (2..128 when not empty is the cloud's rule), starting
 * with a letter or CJK char, not with http:// or https://, made of letters,
 * digits, '.', '_', '-', ':'.  NULL or "" is allowed (not set). */
bool model_valid_name(const char *s);
/* Descriptions: 2..256 chars, not starting with http:// or https://. */
bool model_valid_description(const char *s);

#endif
