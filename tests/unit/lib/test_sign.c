/*
 * Unit tests of lib/sign: Alibaba's documented V1 test vector, the V1
 * string-to-sign and V3 canonical request captured from the real SDKs
 * (shared/reference/alibaba-api.md 2.4, 3.2, 3.4), recomputed from the
 * decoded parameters and compared byte for byte, and the encoding and
 * sorting rules those texts depend on.  (SPEC G-1: an account authenticates
 * with an AccessKey pair.)
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sign.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Asserts that a returned heap string equals `want`, then frees it. */
static void expect_owned(char *got, const char *want)
{
	cr_assert_not_null(got);
	cr_expect_str_eq(got, want);
	free(got);
}

Test(sign, pe_rfc3986)
{
	/* Node's querystring leaves *!'() bare; the signature escapes them. */
	expect_owned(sign_pe("a b*c!'()~\xc3\xa9"), "a%20b%2Ac%21%27%28%29~%C3%A9");
	expect_owned(sign_pe(""), "");
	expect_owned(sign_pe("AZaz09-_.~"), "AZaz09-_.~");
	expect_owned(sign_pe("/+=&%:"), "%2F%2B%3D%26%25%3A");
	expect_owned(sign_pe("\x01\x7f\x80\xff"), "%01%7F%80%FF");
	expect_owned(sign_pe("10.0.0.0/8"), "10.0.0.0%2F8");
}

/* The request of the ECS "Signature" documentation. */
static const struct sign_kv doc_v1[] = {
    {"Action", "DescribeRegions"},    {"Format", "XML"},
    {"Version", "2014-05-26"},	      {"AccessKeyId", "testid"},
    {"SignatureMethod", "HMAC-SHA1"}, {"Timestamp", "2016-02-23T12:46:24Z"},
    {"SignatureVersion", "1.0"},      {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
};

Test(sign, v1_documented_vector)
{
	expect_owned(sign_v1_string_to_sign("GET", doc_v1, N(doc_v1)),
		     "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML"
		     "%26SignatureMethod%3DHMAC-SHA1"
		     "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
		     "%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z"
		     "%26Version%3D2014-05-26");
	expect_owned(sign_v1("GET", doc_v1, N(doc_v1), "testsecret"),
		     "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
	/* The method is part of what is signed, and so is the secret. */
	char *post = sign_v1("POST", doc_v1, N(doc_v1), "testsecret");
	char *other = sign_v1("GET", doc_v1, N(doc_v1), "testsecreT");
	cr_assert(post && other);
	cr_expect_str_neq(post, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
	cr_expect_str_neq(other, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
	free(post);
	free(other);
}

/* Reference 3.2: pop-core GET CreateVpc, decoded from the captured query, in
 * wire order with the Signature the SDK sent (which must be left out). */
static const struct sign_kv popcore_get[] = {
    {"AccessKeyId", "testak"},
    {"Action", "CreateVpc"},
    {"CidrBlock", "10.0.0.0/8"},
    {"Description", "a b*c!'()~\xc3\xa9"},
    {"Format", "JSON"},
    {"RegionId", "cn-hangzhou"},
    {"SignatureMethod", "HMAC-SHA1"},
    {"SignatureNonce", "0e50a183d6140be893a39e1beba04be1"},
    {"SignatureVersion", "1.0"},
    {"Timestamp", "2026-11-21T14:33:14Z"},
    {"Version", "2016-04-28"},
    {"VpcName", "v1"},
    {"Signature", "S4GSb+Y85kvW1wnrlNQn8lYmTso="},
};

static const char popcore_sts[] =
    "GET&%2F&AccessKeyId%3Dtestak%26Action%3DCreateVpc%26CidrBlock%3D10.0.0.0%252F8"
    "%26Description%3Da%2520b%252Ac%2521%2527%2528%2529~%25C3%25A9%26Format%3DJSON"
    "%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D0e50a183d6140be893a39e1beba04be1%26SignatureVersion%3D1.0"
    "%26Timestamp%3D2026-11-21T14%253A33%253A14Z%26Version%3D2016-04-28%26VpcName%3Dv1";

Test(sign, v1_captured_popcore_get)
{
	expect_owned(sign_v1_string_to_sign("GET", popcore_get, N(popcore_get)), popcore_sts);
	/* The capture was made with the secret "testsecret". */
	expect_owned(sign_v1("GET", popcore_get, N(popcore_get), "testsecret"),
		     "S4GSb+Y85kvW1wnrlNQn8lYmTso=");

	/* Input order does not matter: reversed, the same text. */
	struct sign_kv rev[N(popcore_get)];
	for (size_t i = 0; i < N(popcore_get); i++)
		rev[i] = popcore_get[N(popcore_get) - 1 - i];
	expect_owned(sign_v1_string_to_sign("GET", rev, N(rev)), popcore_sts);
}

/* Reference 3.4: @alicloud/vpc20160428 CreateVpc, V3. */
static const struct sign_kv v3_query[] = {
    {"CidrBlock", "10.0.0.0/8"}, {"Description", "a b*c!'()~\xc3\xa9"},
    {"RegionId", "cn-hangzhou"}, {"Tag.1.Key", "k"},
    {"Tag.1.Value", "v"},	 {"VpcName", "v1"},
};

static const struct sign_kv v3_hdrs[] = {
    {"host", "127.0.0.1:18080"},
    {"x-acs-action", "CreateVpc"},
    {"x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"x-acs-credentials-provider", "static_ak"},
    {"x-acs-date", "2026-11-21T14:33:16Z"},
    {"x-acs-signature-nonce", "c525099bce29776c847e503c59dd8167c840060e3c9adf4a2d31b38ae90947d3"},
    {"x-acs-version", "2016-04-28"},
};

static const char v3_creq[] =
    "POST\n"
    "/\n"
    "CidrBlock=10.0.0.0%2F8&Description=a%20b%2Ac%21%27%28%29~%C3%A9&RegionId=cn-hangzhou"
    "&Tag.1.Key=k&Tag.1.Value=v&VpcName=v1\n"
    "host:127.0.0.1:18080\n"
    "x-acs-action:CreateVpc\n"
    "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
    "x-acs-credentials-provider:static_ak\n"
    "x-acs-date:2026-11-21T14:33:16Z\n"
    "x-acs-signature-nonce:c525099bce29776c847e503c59dd8167c840060e3c9adf4a2d31b38ae90947d3\n"
    "x-acs-version:2016-04-28\n"
    "\n"
    "host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;"
    "x-acs-signature-nonce;x-acs-version\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Test(sign, v3_captured_vpc_sdk)
{
	char *empty = sign_sha256_hex("", 0);
	cr_assert_not_null(empty);
	cr_expect_str_eq(empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	char *creq =
	    sign_v3_canonical_request("POST", v3_query, N(v3_query), v3_hdrs, N(v3_hdrs), empty);
	cr_assert_not_null(creq);
	cr_expect_str_eq(creq, v3_creq);
	/* The captured StringToSign carries this hash of the request. */
	expect_owned(sign_sha256_hex(creq, strlen(creq)),
		     "0c1a92a3177409954adeaf7b6d03c10e749a4b9e21ef5b7e2f0db77377b3af8d");
	free(creq);

	/* The signature in the captured Authorization header. */
	expect_owned(
	    sign_v3("POST", v3_query, N(v3_query), v3_hdrs, N(v3_hdrs), empty, "testsecret"),
	    "49ce57f2cc2b23d29dadd9d299a201c979103ab30f6206ca6c90564c28bc4ef4");
	free(empty);
}

Test(sign, v3_header_values_trimmed)
{
	const struct sign_kv hdrs[] = {{"host", " \t127.0.0.1:18080 \t"}, {"x-acs-date", "a b"}};
	char *creq = sign_v3_canonical_request("GET", NULL, 0, hdrs, N(hdrs), "00");
	cr_assert_not_null(creq);
	cr_expect_str_eq(creq, "GET\n/\n\nhost:127.0.0.1:18080\nx-acs-date:a b\n\n"
			       "host;x-acs-date\n00");
	free(creq);
}

Test(sign, sha256_known_answer)
{
	/* FIPS 180-2 example "abc" */
	expect_owned(sign_sha256_hex("abc", 3),
		     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* length is honoured, NUL bytes included */
	char *a = sign_sha256_hex("a\0b", 3), *b = sign_sha256_hex("a", 1);
	cr_assert(a && b);
	cr_expect_str_neq(a, b);
	free(a);
	free(b);
}

Test(sign, canonical_query_order)
{
	/* Byte order of the decoded names: uppercase first, then "_" before
	 * "{" (encoded "%7B" would sort first), UTF-8 after ASCII; equal
	 * names keep input order. */
	const struct sign_kv kv[] = {
	    {"b", "2"}, {"a{", "x"}, {"\xc3\xa9", "e"}, {"a_", "y"},
	    {"B", "0"}, {"b", "1"},  {"z", ""},		{"Signature", "s"},
	};
	expect_owned(sign_canonical_query(kv, N(kv), "Signature"),
		     "B=0&a_=y&a%7B=x&b=2&b=1&z=&%C3%A9=e");
	expect_owned(sign_canonical_query(kv, N(kv), NULL),
		     "B=0&Signature=s&a_=y&a%7B=x&b=2&b=1&z=&%C3%A9=e");
	/* `skip` matches whole names only */
	const struct sign_kv kv2[] = {{"SignatureX", "1"}, {"Signatur", "2"}};
	expect_owned(sign_canonical_query(kv2, N(kv2), "Signature"), "Signatur=2&SignatureX=1");
	expect_owned(sign_canonical_query(NULL, 0, NULL), "");
	expect_owned(sign_canonical_query(kv, 1, "b"), "");
}

Test(sign, repeated_name_is_stable)
{
	/* Many equal names: qsort is not required to be stable (glibc's happens
	 * to be a merge sort), the order must be on every libc. */
	struct sign_kv kv[64];
	char vals[64][4];
	for (int i = 0; i < 64; i++) {
		snprintf(vals[i], sizeof(vals[i]), "%02d", i);
		kv[i].k = (i % 3) ? "x" : "w";
		kv[i].v = vals[i];
	}
	char *q = sign_canonical_query(kv, 64, NULL);
	cr_assert_not_null(q);
	char want[64 * 6 + 1] = "";
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < 64; i++) {
			if ((pass == 0) != (i % 3 == 0))
				continue;
			char item[8];
			snprintf(item, sizeof(item), "%s%s=%02d", want[0] ? "&" : "",
				 pass == 0 ? "w" : "x", i);
			strcat(want, item);
		}
	cr_expect_str_eq(q, want);
	free(q);
}
