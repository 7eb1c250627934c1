/*
 * sign: Alibaba Cloud RPC request signatures, V1 (HMAC-SHA1) and V3
 * (ACS3-HMAC-SHA256), computed over already-decoded parameters.
 *
 * Both the server (api/auth.c, which recomputes and compares) and the CLI
 * (cli/, which signs) use these functions, so what the CLI sends is what the
 * server checks.  Inputs are decoded strings: callers percent-decode the wire
 * form first, and sign_pe() re-encodes with the RFC 3986 rules the cloud uses
 * (keep A-Za-z0-9-_.~, everything else %XX uppercase, space as %20), because
 * the Node SDKs leave *!'() unescaped on the wire while signing them escaped.
 *
 * Algorithms (shared/reference/alibaba-api.md sections 2.4 and 2.5):
 *   V1: canon = join("&", pe(k)=pe(v) for k in sorted(params minus Signature))
 *       sts   = METHOD "&" pe("/") "&" pe(canon)
 *       sig   = base64(HMAC-SHA1(secret "&", sts))
 *   V3: creq  = METHOD\n/\nsorted-query\n{h:trim(v)\n ...}\nsignedheaders\nhexpayloadhash
 *       sts   = "ACS3-HMAC-SHA256\n" hex(sha256(creq))
 *       sig   = hex(HMAC-SHA256(secret, sts))
 * Sorting is a plain byte comparison of the decoded names; equal names keep
 * their input order (stable), so a repeated name signs deterministically.
 *
 * Every function returns a heap string the caller frees with free(), or NULL
 * when memory runs out.  None of them reads a clock or does I/O.
 */
#ifndef OPENVPC_LIB_SIGN_H
#define OPENVPC_LIB_SIGN_H

#include <stddef.h>

/* One decoded name=value pair. */
struct sign_kv {
	const char *k;
	const char *v;
};

/* RFC 3986 percent-encoding as the cloud signs it. */
char *sign_pe(const char *s);

/* The canonical query: sorted, each pair pe(k)=pe(v), joined with "&".
 * Pairs whose name is exactly `skip` (may be NULL) are left out. */
char *sign_canonical_query(const struct sign_kv *kv, size_t n, const char *skip);

/* V1: the string to sign (for error messages) and the base64 signature. */
char *sign_v1_string_to_sign(const char *method, const struct sign_kv *kv, size_t n);
char *sign_v1(const char *method, const struct sign_kv *kv, size_t n, const char *secret);

/* V3.  `query` are the decoded query parameters; `hdrs` are the signed
 * headers, names already lowercase and listed in the order of the
 * SignedHeaders value (which the client sends sorted); `payload_sha256_hex`
 * is the lowercase hex SHA-256 of the body. */
char *sign_v3_canonical_request(const char *method, const struct sign_kv *query, size_t nq,
				const struct sign_kv *hdrs, size_t nh,
				const char *payload_sha256_hex);
char *sign_v3(const char *method, const struct sign_kv *query, size_t nq,
	      const struct sign_kv *hdrs, size_t nh, const char *payload_sha256_hex,
	      const char *secret);

/* Lowercase hex SHA-256 of a buffer. */
char *sign_sha256_hex(const void *data, size_t len);

#endif
