/*
 * sign: the V1 and V3 request signature algorithms of the Alibaba Cloud RPC
 * API (see sign.h for the formulas), built on OpenSSL libcrypto.
 *
 * The only subtle parts are the text forms: the canonical query is sorted by
 * the decoded names with a stable sort (equal names keep their input order)
 * and every name and value is re-encoded with sign_pe(); V1 then encodes the
 * whole canonical query a second time.  Strings are assembled in a small
 * growable buffer whose failure is sticky, so a chain of appends is checked
 * once at the end.
 */
#include "lib/sign.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* ---- growable string -------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
	bool failed; /* an allocation failed; s is freed and stays NULL */
};

static void sbuf_reserve(struct sbuf *b, size_t more)
{
	if (b->failed)
		return;
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + more + 1 && cap <= SIZE_MAX / 2)
		cap *= 2;
	char *s = cap >= b->len + more + 1 ? realloc(b->s, cap) : NULL;
	if (s == NULL) {
		free(b->s);
		b->s = NULL;
		b->failed = true;
		return;
	}
	b->s = s;
	b->s[b->len] = '\0';
	b->cap = cap;
}

static void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	sbuf_reserve(b, n);
	if (b->failed)
		return;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

/* Appends pe(s): RFC 3986 unreserved bytes as they are, the rest as %XX. */
static void sbuf_add_pe(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	sbuf_reserve(b, 3 * n);
	if (b->failed)
		return;
	char *o = b->s + b->len;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		}
	}
	*o = '\0';
	b->len = (size_t)(o - b->s);
}

static void sbuf_add_hex(struct sbuf *b, const unsigned char *d, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	sbuf_reserve(b, 2 * n);
	if (b->failed)
		return;
	for (size_t i = 0; i < n; i++) {
		b->s[b->len++] = hex[d[i] >> 4];
		b->s[b->len++] = hex[d[i] & 0xf];
	}
	b->s[b->len] = '\0';
}

/* Returns the finished string (owned by the caller), or NULL if any append
 * failed.  An empty buffer still yields an allocated "". */
static char *sbuf_finish(struct sbuf *b)
{
	sbuf_reserve(b, 0);
	return b->failed ? NULL : b->s;
}

/* ---- encoding and canonical forms ------------------------------------- */

char *sign_pe(const char *s)
{
	struct sbuf b = {0};
	sbuf_add_pe(&b, s);
	return sbuf_finish(&b);
}

struct sorted_kv {
	const struct sign_kv *kv;
	size_t pos; /* input position: makes qsort stable */
};

static int sorted_kv_cmp(const void *x, const void *y)
{
	const struct sorted_kv *a = x, *b = y;
	int c = strcmp(a->kv->k, b->kv->k); /* compares as unsigned char */
	if (c != 0)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

char *sign_canonical_query(const struct sign_kv *kv, size_t n, const char *skip)
{
	struct sorted_kv *v = malloc((n ? n : 1) * sizeof(*v));
	if (v == NULL)
		return NULL;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (skip != NULL && strcmp(kv[i].k, skip) == 0)
			continue;
		v[m].kv = &kv[i];
		v[m].pos = i;
		m++;
	}
	qsort(v, m, sizeof(*v), sorted_kv_cmp);

	struct sbuf b = {0};
	for (size_t i = 0; i < m; i++) {
		if (i > 0)
			sbuf_add(&b, "&");
		sbuf_add_pe(&b, v[i].kv->k);
		sbuf_add(&b, "=");
		sbuf_add_pe(&b, v[i].kv->v ? v[i].kv->v : "");
	}
	free(v);
	return sbuf_finish(&b);
}

/* ---- V1 --------------------------------------------------------------- */

char *sign_v1_string_to_sign(const char *method, const struct sign_kv *kv, size_t n)
{
	char *canon = sign_canonical_query(kv, n, "Signature");
	if (canon == NULL)
		return NULL;
	struct sbuf b = {0};
	sbuf_add(&b, method);
	sbuf_add(&b, "&%2F&");
	sbuf_add_pe(&b, canon);
	free(canon);
	return sbuf_finish(&b);
}

char *sign_v1(const char *method, const struct sign_kv *kv, size_t n, const char *secret)
{
	char *sts = sign_v1_string_to_sign(method, kv, n);
	if (sts == NULL)
		return NULL;

	struct sbuf key = {0};
	sbuf_add(&key, secret);
	sbuf_add(&key, "&");
	char *k = sbuf_finish(&key);
	if (k == NULL) {
		free(sts);
		return NULL;
	}

	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	const unsigned char *ok = HMAC(EVP_sha1(), k, (int)strlen(k), (const unsigned char *)sts,
				       strlen(sts), mac, &maclen);
	free(k);
	free(sts);
	if (ok == NULL)
		return NULL;

	char *out = malloc(4 * ((maclen + 2) / 3) + 1);
	if (out == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
	return out;
}

/* ---- V3 --------------------------------------------------------------- */

/* Appends s without leading and trailing blanks (space, tab). */
static void sbuf_add_trimmed(struct sbuf *b, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	sbuf_addn(b, s, n);
}

char *sign_v3_canonical_request(const char *method, const struct sign_kv *query, size_t nq,
				const struct sign_kv *hdrs, size_t nh,
				const char *payload_sha256_hex)
{
	char *cq = sign_canonical_query(query, nq, NULL);
	if (cq == NULL)
		return NULL;

	struct sbuf b = {0};
	sbuf_add(&b, method);
	sbuf_add(&b, "\n/\n");
	sbuf_add(&b, cq);
	sbuf_add(&b, "\n");
	free(cq);
	for (size_t i = 0; i < nh; i++) {
		sbuf_add(&b, hdrs[i].k);
		sbuf_add(&b, ":");
		sbuf_add_trimmed(&b, hdrs[i].v ? hdrs[i].v : "");
		sbuf_add(&b, "\n");
	}
	sbuf_add(&b, "\n");
	for (size_t i = 0; i < nh; i++) {
		if (i > 0)
			sbuf_add(&b, ";");
		sbuf_add(&b, hdrs[i].k);
	}
	sbuf_add(&b, "\n");
	sbuf_add(&b, payload_sha256_hex);
	return sbuf_finish(&b);
}

char *sign_sha256_hex(const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		return NULL;
	struct sbuf b = {0};
	sbuf_add_hex(&b, md, mdlen);
	return sbuf_finish(&b);
}

char *sign_v3(const char *method, const struct sign_kv *query, size_t nq,
	      const struct sign_kv *hdrs, size_t nh, const char *payload_sha256_hex,
	      const char *secret)
{
	char *creq = sign_v3_canonical_request(method, query, nq, hdrs, nh, payload_sha256_hex);
	if (creq == NULL)
		return NULL;
	char *h = sign_sha256_hex(creq, strlen(creq));
	free(creq);
	if (h == NULL)
		return NULL;

	struct sbuf sts = {0};
	sbuf_add(&sts, "ACS3-HMAC-SHA256\n");
	sbuf_add(&sts, h);
	free(h);
	char *s = sbuf_finish(&sts);
	if (s == NULL)
		return NULL;

	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	const unsigned char *ok = HMAC(EVP_sha256(), secret, (int)strlen(secret),
				       (const unsigned char *)s, strlen(s), mac, &maclen);
	free(s);
	if (ok == NULL)
		return NULL;
	struct sbuf out = {0};
	sbuf_add_hex(&out, mac, maclen);
	return sbuf_finish(&out);
}
