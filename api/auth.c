/*
 * auth: who sent this request, proven by its signature.  See auth.h.
 *
 * Order of checks, chosen so that an unauthenticated client learns nothing
 * about resources and cannot spend other people's nonces:
 *   1. the dialect and its mandatory fields (IncompleteSignature, Missing*)
 *   2. the timestamp format and skew (InvalidTimeStamp.*)
 *   3. the AccessKey (InvalidAccessKeyId.NotFound / .Inactive)
 *   4. the signature (SignatureDoesNotMatch, with the server's string to sign)
 *   5. the nonce, recorded only for correctly signed requests (SignatureNonceUsed)
 */
#include "api/auth.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/sign.h"
#include "model/account.h"

#define AUTH_MAX_SIGNED_HEADERS 32

static int auth_err(struct merr *e, enum merr_code c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int auth_err(struct merr *e, enum merr_code c, const char *fmt, ...)
{
	e->code = c;
	e->msg[0] = '\0';
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "YYYY-MM-DDThh:mm:ssZ" to unix seconds; false when malformed. */
static bool auth_parse_time(const char *s, int64_t *out)
{
	int Y, M, D, h, mi, sec;
	char z;
	int used = 0;
	if (strlen(s) != 20 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &Y, &M, &D, &h, &mi, &sec, &z, &used) != 7 ||
	    used != 20 || z != 'Z')
		return false;
	for (int i = 0; i < 19; i++) {
		bool digit_pos = !(i == 4 || i == 7 || i == 10 || i == 13 || i == 16);
		if (digit_pos && !isdigit((unsigned char)s[i]))
			return false;
	}
	/* A real calendar date: timegm() would quietly turn 02-30 into 03-02.
	 * No leap second either (the clocks that sign never produce :60). */
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
	if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || (M == 2 && D == 29 && !leap) ||
	    h > 23 || mi > 59 || sec > 59)
		return false;
	struct tm tm = {.tm_year = Y - 1900,
			.tm_mon = M - 1,
			.tm_mday = D,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = sec};
	*out = (int64_t)timegm(&tm);
	return true;
}

/* Checks the timestamp text against the window; 0 and *out (unix seconds). */
static int auth_check_time(const struct api_server *s, const char *ts, int64_t now, int64_t *out,
			   struct merr *e)
{
	int64_t t;
	if (!auth_parse_time(ts, &t))
		return auth_err(e, MERR_TIMESTAMP_FORMAT,
				"Specified time stamp or date value is not well formatted: %.40s "
				"(want YYYY-MM-DDThh:mm:ssZ).",
				ts);
	int64_t skew = t > now ? t - now : now - t;
	if (skew > s->opts.max_skew)
		return auth_err(e, MERR_TIMESTAMP_EXPIRED,
				"Specified time stamp or date value is expired: %.40s is %lld "
				"seconds from the server's time.",
				ts, (long long)skew);
	*out = t;
	return 0;
}

static bool auth_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}

static int auth_key(struct store_txn *t, const char *akid, struct api_auth *who, struct merr *e)
{
	int rc = account_lookup_key(t, akid, &who->key);
	if (rc == -ENOENT)
		return auth_err(e, MERR_AK_NOT_FOUND, "Specified access key is not found: %.40s.",
				akid);
	if (rc < 0)
		return auth_err(e, MERR_SERVICE_UNAVAILABLE, NULL);
	if (!who->key.active)
		return auth_err(e, MERR_AK_INACTIVE, NULL);
	return 0;
}

static int auth_nonce(struct api_server *s, const struct api_auth *who, const char *nonce,
		      int64_t ts, int64_t now, struct merr *e)
{
	switch (nonce_cache_check(s->nonces, who->key.owner, who->key.akid, nonce, ts, now)) {
	case NONCE_FRESH:
		return 0;
	case NONCE_REPLAYED:
		return auth_err(e, MERR_NONCE_USED,
				"Specified signature nonce was used already: %.70s.", nonce);
	case NONCE_OVER_SHARE:
		/* This account alone holds its share of the replay window; the
		 * others are still served. */
		return auth_err(e, MERR_THROTTLING_USER,
				"Too many requests from this account in the replay window.");
	case NONCE_FULL:
		break;
	}
	return auth_err(e, MERR_SERVICE_UNAVAILABLE, "Too many requests in the replay window.");
}

static int auth_v1(struct api_server *s, struct store_txn *t, const struct api_http_req *in,
		   const struct params *all, int64_t now, struct api_auth *who, struct merr *e)
{
	static const char *const need[] = {"AccessKeyId", "SignatureMethod", "SignatureNonce",
					   "Timestamp",	  "Action",	     "Version"};
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const char *v = params_get(all, need[i]);
		if (!v || !*v)
			return auth_err(e, MERR_MISSING_PARAMETER,
					"The input parameter \"%s\" that is mandatory for "
					"processing this request is not supplied.",
					need[i]);
	}
	if (strcmp(params_get(all, "SignatureMethod"), "HMAC-SHA1") != 0)
		return auth_err(e, MERR_INVALID_SIGNATURE_METHOD,
				"Specified signature method is not supported: %.40s.",
				params_get(all, "SignatureMethod"));
	const char *sv = params_get(all, "SignatureVersion");
	if (sv && strcmp(sv, "1.0") != 0)
		return auth_err(e, MERR_INCOMPLETE_SIGNATURE,
				"SignatureVersion %.20s is not supported (want 1.0).", sv);
	int64_t ts;
	if (auth_check_time(s, params_get(all, "Timestamp"), now, &ts, e) < 0)
		return -1;
	const char *akid = params_get(all, "AccessKeyId");
	if (auth_key(t, akid, who, e) < 0)
		return -1;

	struct sign_kv *kv = calloc(all->n ? all->n : 1, sizeof(*kv));
	size_t n = 0;
	for (size_t i = 0; i < all->n; i++)
		if (strcmp(all->kv[i].k, "Signature") != 0)
			kv[n++] = all->kv[i];
	char *sig = sign_v1(in->method, kv, n, who->key.secret);
	int rc = 0;
	if (!sig || !auth_equal(sig, params_get(all, "Signature"))) {
		char *sts = sign_v1_string_to_sign(in->method, kv, n);
		rc = auth_err(e, MERR_SIGNATURE_MISMATCH,
			      "Specified signature is not matched with our calculation. server "
			      "string to sign is:%.400s",
			      sts ? sts : "");
		free(sts);
	}
	free(sig);
	free(kv);
	if (rc < 0)
		return -1;
	if (auth_nonce(s, who, params_get(all, "SignatureNonce"), ts, now, e) < 0)
		return -1;
	snprintf(who->action, sizeof(who->action), "%s", params_get(all, "Action"));
	snprintf(who->version, sizeof(who->version), "%s", params_get(all, "Version"));
	return 0;
}

/* Splits "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex". */
static bool auth_v3_fields(const char *h, char *akid, size_t akcap, char *signed_hdrs, size_t shcap,
			   char *sig, size_t sigcap)
{
	const char *p = strchr(h, ' ');
	if (!p)
		return false;
	akid[0] = signed_hdrs[0] = sig[0] = '\0';
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *eq = strchr(p, '=');
		if (!eq)
			break;
		const char *end = strchr(eq, ',');
		if (!end)
			end = eq + strlen(eq);
		size_t klen = (size_t)(eq - p), vlen = (size_t)(end - eq - 1);
		char *dst = NULL;
		size_t cap = 0;
		if (klen == 10 && strncmp(p, "Credential", 10) == 0)
			dst = akid, cap = akcap;
		else if (klen == 13 && strncmp(p, "SignedHeaders", 13) == 0)
			dst = signed_hdrs, cap = shcap;
		else if (klen == 9 && strncmp(p, "Signature", 9) == 0)
			dst = sig, cap = sigcap;
		if (dst) {
			if (vlen >= cap)
				return false;
			memcpy(dst, eq + 1, vlen);
			dst[vlen] = '\0';
		}
		p = end;
	}
	return akid[0] && signed_hdrs[0] && sig[0];
}

struct auth_cover {
	const char (*names)[64]; /* the signed headers, lowercase */
	size_t n;
	const char *unsigned_name; /* first header that must be signed and is not */
	const char *twice;	   /* first such header given more than once */
	char seen[AUTH_MAX_SIGNED_HEADERS];
};

/* Headers whose value changes what a V3 request means or proves: Host, every
 * x-acs-* (action, version, nonce, date, token, ...) and Content-Type
 * (which decides whether the body is read as parameters). */
static bool auth_must_sign(const char *name)
{
	return strcasecmp(name, "host") == 0 || strncasecmp(name, "x-acs-", 6) == 0 ||
	       strcasecmp(name, "content-type") == 0;
}

static bool auth_cover_cb(void *cls, const char *name, const char *value)
{
	(void)value;
	struct auth_cover *c = cls;
	if (!auth_must_sign(name))
		return true;
	for (size_t i = 0; i < c->n; i++) {
		if (strcasecmp(c->names[i], name) == 0) {
			/* A second copy would not be the one that was signed (MHD's
			 * lookup answers the first), yet a proxy might read it. */
			if (c->seen[i]++) {
				c->twice = name;
				return false;
			}
			return true;
		}
	}
	c->unsigned_name = name;
	return false;
}

/* A V3 signature proves only what it covers: refuses a request in which a
 * header that changes its meaning is not among the signed ones (Alibaba
 * requires host and every x-acs-* header to be signed), or is repeated.
 * Without this, x-acs-action could be changed after signing and a signed
 * DescribeVpcAttribute delivered as DeleteVpc. */
static int auth_v3_coverage(const struct api_http_req *in, const char (*names)[64], size_t nh,
			    struct merr *e)
{
	struct auth_cover c = {.names = names, .n = nh};
	if (in->each_header)
		in->each_header(in->header_arg, auth_cover_cb, &c);
	if (c.twice)
		return auth_err(e, MERR_INCOMPLETE_SIGNATURE,
				"The header %.60s is given more than once.", c.twice);
	if (c.unsigned_name)
		return auth_err(e, MERR_INCOMPLETE_SIGNATURE,
				"The header %.60s must be listed in SignedHeaders (host and every "
				"x-acs-* header are signed).",
				c.unsigned_name);
	/* The declared payload hash, when sent, is the body's. */
	const char *declared = in->header(in->header_arg, "x-acs-content-sha256");
	if (declared) {
		char *real = sign_sha256_hex(in->body, in->body_len);
		bool same = real && strcasecmp(real, declared) == 0;
		free(real);
		if (!same)
			return auth_err(e, MERR_SIGNATURE_MISMATCH,
					"The x-acs-content-sha256 header is not the SHA-256 of the "
					"request body.");
	}
	return 0;
}

static int auth_v3(struct api_server *s, struct store_txn *t, const struct api_http_req *in,
		   const struct params *all, const struct params *query, const char *authz,
		   int64_t now, struct api_auth *who, struct merr *e)
{
	char akid[128], shdrs[1024], sig[160];
	if (strncmp(authz, "ACS3-HMAC-SHA256 ", 17) != 0)
		return auth_err(e, MERR_INVALID_SIGNATURE_METHOD,
				"Only ACS3-HMAC-SHA256 and HMAC-SHA1 signatures are supported.");
	if (!auth_v3_fields(authz, akid, sizeof(akid), shdrs, sizeof(shdrs), sig, sizeof(sig)))
		return auth_err(e, MERR_INCOMPLETE_SIGNATURE,
				"The Authorization header needs Credential, SignedHeaders and "
				"Signature.");
	const char *action = in->header(in->header_arg, "x-acs-action");
	const char *version = in->header(in->header_arg, "x-acs-version");
	const char *date = in->header(in->header_arg, "x-acs-date");
	const char *nonce = in->header(in->header_arg, "x-acs-signature-nonce");
	if (!action)
		action = params_get(all, "Action");
	if (!version)
		version = params_get(all, "Version");
	const char *missing = !action	 ? "x-acs-action"
			      : !version ? "x-acs-version"
			      : !date	 ? "x-acs-date"
			      : !nonce	 ? "x-acs-signature-nonce"
					 : NULL;
	if (missing)
		return auth_err(e, MERR_MISSING_PARAMETER,
				"The header \"%s\" that is mandatory for processing this request "
				"is not supplied.",
				missing);
	int64_t ts;
	if (auth_check_time(s, date, now, &ts, e) < 0)
		return -1;
	if (auth_key(t, akid, who, e) < 0)
		return -1;

	/* The signed headers, in the order the client listed them. */
	struct sign_kv hdrs[AUTH_MAX_SIGNED_HEADERS];
	char names[AUTH_MAX_SIGNED_HEADERS][64];
	size_t nh = 0;
	for (char *p = shdrs, *save = NULL, *tok; (tok = strtok_r(p, ";", &save)); p = NULL) {
		if (nh == AUTH_MAX_SIGNED_HEADERS || strlen(tok) >= sizeof(names[0]))
			return auth_err(e, MERR_INCOMPLETE_SIGNATURE, "Too many signed headers.");
		for (char *c = tok; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		snprintf(names[nh], sizeof(names[nh]), "%s", tok);
		const char *v = in->header(in->header_arg, names[nh]);
		if (!v)
			return auth_err(e, MERR_INCOMPLETE_SIGNATURE,
					"The signed header %.60s is not in the request.",
					names[nh]);
		hdrs[nh] = (struct sign_kv){names[nh], v};
		nh++;
	}
	if (auth_v3_coverage(in, names, nh, e) < 0)
		return -1;
	char *payload = sign_sha256_hex(in->body, in->body_len);
	char *mine =
	    payload ? sign_v3(in->method, query->kv, query->n, hdrs, nh, payload, who->key.secret)
		    : NULL;
	int rc = 0;
	if (!mine || !auth_equal(mine, sig)) {
		char *creq = payload ? sign_v3_canonical_request(in->method, query->kv, query->n,
								 hdrs, nh, payload)
				     : NULL;
		rc = auth_err(e, MERR_SIGNATURE_MISMATCH,
			      "Specified signature is not matched with our calculation. server "
			      "canonical request is:%.400s",
			      creq ? creq : "");
		free(creq);
	}
	free(mine);
	free(payload);
	if (rc < 0)
		return -1;
	if (auth_nonce(s, who, nonce, ts, now, e) < 0)
		return -1;
	snprintf(who->action, sizeof(who->action), "%s", action);
	snprintf(who->version, sizeof(who->version), "%s", version);
	return 0;
}

int api_authenticate(struct api_server *s, struct store_txn *t, const struct api_http_req *in,
		     const struct params *all, const struct params *query, int64_t now,
		     struct api_auth *who, struct merr *e)
{
	memset(who, 0, sizeof(*who));
	const char *authz = in->header(in->header_arg, "authorization");
	if (params_get(all, "Signature"))
		return auth_v1(s, t, in, all, now, who, e);
	if (authz && strncmp(authz, "ACS", 3) == 0)
		return auth_v3(s, t, in, all, query, authz, now, who, e);
	if (!params_get(all, "AccessKeyId") && !authz)
		return auth_err(e, MERR_MISSING_PARAMETER,
				"The input parameter \"AccessKeyId\" that is mandatory for "
				"processing this request is not supplied.");
	return auth_err(e, MERR_INCOMPLETE_SIGNATURE,
			"The request carries neither a Signature parameter nor an "
			"ACS3-HMAC-SHA256 Authorization header.");
}
