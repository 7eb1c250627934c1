/*
 * Unit tests of cli/request: the request URL the CLI sends (pop-core's GET
 * form, shared/reference/alibaba-api.md 2.2 and 3.2) carries every common
 * V1 parameter, percent-encodes as the cloud signs, puts Signature last, and
 * its Signature is what lib/sign computes over the decoded parameters, so
 * openvpcd's check (api/auth.c uses the same function) accepts it.  Also
 * the classification and printing of error answers (3.6).
 */
#include <criterion/criterion.h>

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "cli/request.h"
#include "lib/sign.h"

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : toupper((unsigned char)c) - 'A' + 10;
}

static char *pct_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len + 1) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

struct parsed {
	char *k[64], *v[64];
	size_t n;
};

static void parse_query(const char *q, struct parsed *p)
{
	p->n = 0;
	while (*q) {
		size_t len = strcspn(q, "&");
		const char *eq = memchr(q, '=', len);
		cr_assert_not_null(eq);
		p->k[p->n] = pct_decode(q, (size_t)(eq - q));
		p->v[p->n] = pct_decode(eq + 1, len - (size_t)(eq - q) - 1);
		p->n++;
		q += len;
		if (*q == '&')
			q++;
	}
}

static const char *get(const struct parsed *p, const char *k)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->k[i], k) == 0)
			return p->v[i];
	return NULL;
}

static void free_parsed(struct parsed *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->k[i]);
		free(p->v[i]);
	}
}

Test(request, base_url)
{
	char *u = cli_base_url("127.0.0.1:8080");
	cr_expect_str_eq(u, "http://127.0.0.1:8080");
	free(u);
	u = cli_base_url("https://vpc.example.com/");
	cr_expect_str_eq(u, "https://vpc.example.com");
	free(u);
}

Test(request, url_is_signed_like_pop_core)
{
	struct cli_conn c = {
	    .endpoint = "127.0.0.1:18080", .akid = "testak", .secret = "testsecret"};
	struct cli_params p;
	cli_params_init(&p);
	cli_params_add(&p, "RegionId", "cn-hangzhou");
	cli_params_add(&p, "CidrBlock", "10.0.0.0/8");
	cli_params_add(&p, "Description", "a b*c!'()~\xc3\xa9");
	cli_params_add(&p, "VpcName", "v1");
	/* A parameter cannot replace a common one. */
	cli_params_add(&p, "Format", "XML");
	char *url = cli_build_url(&c, "2016-04-28", "CreateVpc", &p,
				  "0e50a183d6140be893a39e1beba04be1", "2026-11-21T14:33:14Z");
	cr_assert_not_null(url);
	const char *prefix = "http://127.0.0.1:18080/?";
	cr_assert_eq(strncmp(url, prefix, strlen(prefix)), 0, "%s", url);
	/* Encoded the way the cloud signs: RFC 3986, %20 for a space. */
	cr_expect(strstr(url, "Description=a%20b%2Ac%21%27%28%29~%C3%A9&") != NULL, "%s", url);
	cr_expect(strstr(url, "CidrBlock=10.0.0.0%2F8&") != NULL, "%s", url);
	cr_expect(strstr(url, "Timestamp=2026-11-21T14%3A33%3A14Z&") != NULL, "%s", url);
	const char *sigp = strstr(url, "&Signature=");
	cr_assert_not_null(sigp);
	cr_expect_null(strchr(sigp + 1, '&'), "nothing follows the Signature");

	struct parsed q;
	parse_query(url + strlen(prefix), &q);
	cr_expect_str_eq(q.k[q.n - 1], "Signature", "Signature goes last");
	cr_expect_str_eq(get(&q, "Action"), "CreateVpc");
	cr_expect_str_eq(get(&q, "Version"), "2016-04-28");
	cr_expect_str_eq(get(&q, "Format"), "JSON");
	cr_expect_str_eq(get(&q, "AccessKeyId"), "testak");
	cr_expect_str_eq(get(&q, "SignatureMethod"), "HMAC-SHA1");
	cr_expect_str_eq(get(&q, "SignatureVersion"), "1.0");
	cr_expect_str_eq(get(&q, "SignatureNonce"), "0e50a183d6140be893a39e1beba04be1");
	cr_expect_str_eq(get(&q, "Description"), "a b*c!'()~\xc3\xa9");
	size_t formats = 0;
	for (size_t i = 0; i < q.n; i++)
		formats += strcmp(q.k[i], "Format") == 0;
	cr_expect_eq(formats, 1);

	/* The server's check: recompute over everything but Signature. */
	struct sign_kv kv[64];
	for (size_t i = 0; i + 1 < q.n; i++)
		kv[i] = (struct sign_kv){q.k[i], q.v[i]};
	char *sig = sign_v1("GET", kv, q.n - 1, "testsecret");
	cr_expect_str_eq(get(&q, "Signature"), sig);
	free(sig);
	free_parsed(&q);
	free(url);
	cli_params_free(&p);
}

/* DeleteAccessKey's own AccessKeyId cannot share V1's query with the
 * caller's: such calls are signed with V3 (header credential). */
Test(request, v3_when_a_parameter_is_a_v1_name)
{
	struct cli_params p;
	cli_params_init(&p);
	cli_params_add(&p, "RegionId", "cn-hangzhou");
	cr_expect_not(cli_needs_v3(&p));
	cli_params_add(&p, "AccessKeyId", "LTAItarget");
	cr_expect(cli_needs_v3(&p));

	struct cli_conn c = {
	    .endpoint = "127.0.0.1:18080", .akid = "testak", .secret = "testsecret"};
	struct cli_v3_req req;
	cr_assert_eq(cli_build_v3(&c, "2026-01-01", "DeleteAccessKey", &p, "nonce1",
				  "2026-11-21T14:33:16Z", &req),
		     0);
	cr_expect_str_eq(req.url,
			 "http://127.0.0.1:18080/?AccessKeyId=LTAItarget&RegionId=cn-hangzhou");
	cr_assert_eq(req.n_headers, 7);
	cr_expect_str_eq(req.headers[0], "Host: 127.0.0.1:18080");
	cr_expect_str_eq(req.headers[1], "x-acs-action: DeleteAccessKey");
	cr_expect_str_eq(req.headers[5], "x-acs-version: 2026-01-01");
	/* The server's check, as api/auth.c makes it. */
	char *empty = sign_sha256_hex("", 0);
	const struct sign_kv q[] = {{"RegionId", "cn-hangzhou"}, {"AccessKeyId", "LTAItarget"}};
	const struct sign_kv h[] = {
	    {"host", "127.0.0.1:18080"},	 {"x-acs-action", "DeleteAccessKey"},
	    {"x-acs-content-sha256", empty},	 {"x-acs-date", "2026-11-21T14:33:16Z"},
	    {"x-acs-signature-nonce", "nonce1"}, {"x-acs-version", "2026-01-01"}};
	char *sig = sign_v3("GET", q, 2, h, 6, empty, "testsecret");
	char want[512];
	snprintf(want, sizeof(want),
		 "Authorization: ACS3-HMAC-SHA256 Credential=testak,SignedHeaders=host;"
		 "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
		 "x-acs-version,Signature=%s",
		 sig);
	cr_expect_str_eq(req.headers[6], want);
	free(sig);
	free(empty);
	cli_v3_req_free(&req);
	cli_params_free(&p);
}

Test(request, error_classification)
{
	struct cli_reply r = {.status = 200, .json = json_pack("{s:s}", "RequestId", "R")};
	cr_expect_not(cli_reply_is_error(&r));
	json_decref(r.json);
	/* pop-core throws on a Code even with 200. */
	r.json = json_pack("{s:s, s:s}", "RequestId", "R", "Code", "Forbidden");
	cr_expect(cli_reply_is_error(&r));
	json_decref(r.json);
	r.json = json_pack("{s:s}", "RequestId", "R");
	r.status = 500;
	cr_expect(cli_reply_is_error(&r));
	json_decref(r.json);
	r.status = 200;
	r.json = NULL; /* not JSON */
	cr_expect(cli_reply_is_error(&r));
}

static char *print_error(struct cli_reply *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	cli_print_error(m, r);
	fclose(m);
	return buf;
}

Test(request, error_printing)
{
	struct cli_reply r = {.status = 404};
	r.json =
	    json_pack("{s:s, s:s, s:s, s:s}", "RequestId", "540CFF28", "HostId", "h", "Code",
		      "InvalidVpcId.NotFound", "Message", "The specified VpcId does not exist.");
	char *got = print_error(&r);
	cr_expect_str_eq(got, "Error: InvalidVpcId.NotFound: The specified VpcId does not exist.\n"
			      "RequestId: 540CFF28\n");
	free(got);
	json_decref(r.json);
	/* The SDKs accept lower-case keys too. */
	r.json = json_pack("{s:s, s:s}", "code", "Throttling", "message", "slow down");
	got = print_error(&r);
	cr_expect_str_eq(got, "Error: Throttling: slow down\n");
	free(got);
	json_decref(r.json);
	r.json = NULL;
	r.status = 502;
	r.body = (char *)"<html>bad gateway</html>";
	r.len = strlen(r.body);
	got = print_error(&r);
	cr_expect_str_eq(got, "Error: HTTP 502: <html>bad gateway</html>\n");
	free(got);
}

Test(request, unreachable_endpoint)
{
	curl_global_init(0);
	struct cli_conn c = {.endpoint = "127.0.0.1:1", .akid = "a", .secret = "s", .timeout_s = 5};
	struct cli_params p;
	cli_params_init(&p);
	struct cli_reply r;
	cr_expect_eq(cli_call(&c, "2016-04-28", "DescribeVpcs", &p, &r), CLI_EXIT_CONNECT);
	cr_expect_eq(r.status, 0);
	cr_expect_neq(r.error[0], '\0');
	cli_reply_free(&r);
	cli_params_free(&p);
}
