/*
 * request: signing and sending one RPC call with libcurl.  See request.h.
 */
#include "cli/request.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/randid.h"
#include "lib/sign.h"

void cli_reply_free(struct cli_reply *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

char *cli_base_url(const char *endpoint)
{
	char *url;
	int n = strstr(endpoint, "://") ? asprintf(&url, "%s", endpoint)
					: asprintf(&url, "http://%s", endpoint);
	if (n < 0)
		return NULL;
	size_t len = strlen(url);
	while (len > 0 && url[len - 1] == '/')
		url[--len] = '\0';
	return url;
}

/* Appends to a memstream; failures surface when it is closed. */
static void cli_put_pe(FILE *o, const char *s)
{
	char *e = sign_pe(s);
	if (e)
		fputs(e, o);
	else
		fputc('\x01', o); /* poisons the URL; cli_build_url checks */
	free(e);
}

/* The parameters V1 signing sets itself. */
static const char *const cli_v1_common[] = {
    "Action",		"Version",	  "Format",    "AccessKeyId", "SignatureMethod",
    "SignatureVersion", "SignatureNonce", "Timestamp", "Signature",
};

bool cli_needs_v3(const struct cli_params *p)
{
	for (size_t i = 0; i < p->n; i++)
		for (size_t j = 0; j < sizeof(cli_v1_common) / sizeof(cli_v1_common[0]); j++)
			if (strcmp(p->kv[i].k, cli_v1_common[j]) == 0)
				return true;
	return false;
}

void cli_v3_req_free(struct cli_v3_req *req)
{
	free(req->url);
	for (size_t i = 0; i < req->n_headers; i++)
		free(req->headers[i]);
	memset(req, 0, sizeof(*req));
}

int cli_build_v3(const struct cli_conn *c, const char *version, const char *action,
		 const struct cli_params *p, const char *nonce, const char *date,
		 struct cli_v3_req *req)
{
	memset(req, 0, sizeof(*req));
	char *base = cli_base_url(c->endpoint);
	if (!base)
		return -1;
	/* host is signed as sent: the authority part of the URL, port included. */
	const char *auth = strstr(base, "://") + 3;
	char *host = strndup(auth, strcspn(auth, "/"));
	char *payload = sign_sha256_hex("", 0);
	/* Signed headers, sorted by name as the SDK sends them. */
	const struct sign_kv hdrs[] = {
	    {"host", host ? host : ""},
	    {"x-acs-action", action},
	    {"x-acs-content-sha256", payload ? payload : ""},
	    {"x-acs-date", date},
	    {"x-acs-signature-nonce", nonce},
	    {"x-acs-version", version},
	};
	size_t nh = sizeof(hdrs) / sizeof(hdrs[0]);
	struct sign_kv *q = calloc(p->n + 1, sizeof(*q));
	for (size_t i = 0; q && i < p->n; i++)
		q[i] = (struct sign_kv){p->kv[i].k, p->kv[i].v};
	char *sig = host && payload && q
			? sign_v3("GET", q, p->n, hdrs, nh, payload, c->secret ? c->secret : "")
			: NULL;
	char *query = q ? sign_canonical_query(q, p->n, NULL) : NULL;
	int rc = -1;
	if (sig && query && asprintf(&req->url, "%s/?%s", base, query) >= 0) {
		rc = 0;
		for (size_t i = 0; i < nh && rc == 0; i++) {
			/* "Host" with a capital, as curl would send it; the rest as signed. */
			if (asprintf(&req->headers[req->n_headers], "%s: %s",
				     i == 0 ? "Host" : hdrs[i].k, hdrs[i].v) < 0)
				rc = -1;
			else
				req->n_headers++;
		}
		if (rc == 0 &&
		    asprintf(&req->headers[req->n_headers],
			     "Authorization: ACS3-HMAC-SHA256 Credential=%s,SignedHeaders="
			     "host;x-acs-action;x-acs-content-sha256;x-acs-date;"
			     "x-acs-signature-nonce;x-acs-version,Signature=%s",
			     c->akid ? c->akid : "", sig) < 0)
			rc = -1;
		else if (rc == 0)
			req->n_headers++;
	} else {
		req->url = NULL;
	}
	if (rc < 0)
		cli_v3_req_free(req);
	free(query);
	free(sig);
	free(q);
	free(payload);
	free(host);
	free(base);
	return rc;
}

char *cli_build_url(const struct cli_conn *c, const char *version, const char *action,
		    const struct cli_params *p, const char *nonce, const char *timestamp)
{
	const struct sign_kv common[] = {
	    {"Action", action},
	    {"Version", version},
	    {"Format", "JSON"},
	    {"AccessKeyId", c->akid ? c->akid : ""},
	    {"SignatureMethod", "HMAC-SHA1"},
	    {"SignatureVersion", "1.0"},
	    {"SignatureNonce", nonce},
	    {"Timestamp", timestamp},
	};
	size_t nc = sizeof(common) / sizeof(common[0]);
	struct sign_kv *kv = calloc(nc + p->n, sizeof(*kv));
	if (!kv)
		return NULL;
	memcpy(kv, common, sizeof(common));
	size_t n = nc;
	for (size_t i = 0; i < p->n; i++) {
		/* A parameter may not override the common ones. */
		bool dup = false;
		for (size_t j = 0; j < nc; j++)
			dup |= strcmp(common[j].k, p->kv[i].k) == 0;
		if (!dup)
			kv[n++] = (struct sign_kv){p->kv[i].k, p->kv[i].v};
	}
	char *sig = sign_v1("GET", kv, n, c->secret ? c->secret : "");
	char *base = cli_base_url(c->endpoint);
	char *url = NULL;
	size_t len = 0;
	FILE *o = sig && base ? open_memstream(&url, &len) : NULL;
	if (o) {
		fputs(base, o);
		fputs("/?", o);
		for (size_t i = 0; i < n; i++) {
			cli_put_pe(o, kv[i].k);
			fputc('=', o);
			cli_put_pe(o, kv[i].v);
			fputc('&', o);
		}
		fputs("Signature=", o);
		cli_put_pe(o, sig);
		if (fclose(o) != 0 || strchr(url, '\x01')) {
			free(url);
			url = NULL;
		}
	}
	free(kv);
	free(sig);
	free(base);
	return url;
}

struct cli_sink {
	char *buf;
	size_t len, cap;
	bool oom;
};

static size_t cli_sink_write(char *data, size_t size, size_t nmemb, void *user)
{
	struct cli_sink *s = user;
	size_t n = size * nmemb;
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *nb = realloc(s->buf, cap);
		if (!nb) {
			s->oom = true;
			return 0; /* makes curl fail the transfer */
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

int cli_call(const struct cli_conn *c, const char *version, const char *action,
	     const struct cli_params *p, struct cli_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	char nonce[33], stamp[32];
	randid_chars(nonce, 32, 0);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	struct cli_v3_req v3 = {0};
	struct curl_slist *hl = NULL;
	char *url;
	if (cli_needs_v3(p)) {
		url = cli_build_v3(c, version, action, p, nonce, stamp, &v3) == 0 ? v3.url : NULL;
		v3.url = NULL; /* url owns it now */
		for (size_t i = 0; url && i < v3.n_headers; i++) {
			struct curl_slist *n = curl_slist_append(hl, v3.headers[i]);
			if (!n) {
				free(url);
				url = NULL;
				break;
			}
			hl = n;
		}
		cli_v3_req_free(&v3);
	} else {
		url = cli_build_url(c, version, action, p, nonce, stamp);
	}
	if (!url) {
		curl_slist_free_all(hl);
		snprintf(reply->error, sizeof(reply->error), "out of memory");
		reply->body = strdup("");
		return CLI_EXIT_CONNECT;
	}
	if (c->debug)
		fprintf(stderr, "> GET %s%s\n", url, hl ? " (signature V3)" : "");

	struct cli_sink sink = {0};
	char curl_err[CURL_ERROR_SIZE] = "";
	CURLcode cc = CURLE_FAILED_INIT;
	CURL *h = curl_easy_init();
	if (h) {
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 30L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(h, CURLOPT_USERAGENT, "openvpc-cli/0.1");
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cli_sink_write);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
		if (hl)
			curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
		cc = curl_easy_perform(h);
		if (cc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply->status);
		curl_easy_cleanup(h);
	}
	free(url);
	curl_slist_free_all(hl);
	reply->body = sink.buf ? sink.buf : strdup("");
	reply->len = sink.len;
	if (cc != CURLE_OK) {
		snprintf(reply->error, sizeof(reply->error), "%s",
			 sink.oom      ? "out of memory"
			 : curl_err[0] ? curl_err
				       : curl_easy_strerror(cc));
		reply->status = 0;
		return CLI_EXIT_CONNECT;
	}
	if (c->debug)
		fprintf(stderr, "< HTTP %ld, %zu bytes\n", reply->status, reply->len);
	if (reply->body)
		reply->json = json_loadb(reply->body, reply->len, JSON_DECODE_ANY, NULL);
	return CLI_EXIT_OK;
}

static const char *cli_json_str(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(o, a);
	if (!json_is_string(v))
		v = json_object_get(o, b);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

bool cli_reply_is_error(const struct cli_reply *r)
{
	if (r->status >= 400 || r->status == 0)
		return true;
	if (!json_is_object(r->json))
		return true; /* the SDKs fail on a body that is not a JSON object */
	return cli_json_str(r->json, "Code", "code") != NULL;
}

void cli_print_error(FILE *out, const struct cli_reply *r)
{
	const char *code = json_is_object(r->json) ? cli_json_str(r->json, "Code", "code") : NULL;
	if (code) {
		const char *msg = cli_json_str(r->json, "Message", "message");
		const char *rid = cli_json_str(r->json, "RequestId", "requestId");
		fprintf(out, "Error: %s: %s\n", code, msg ? msg : "(no message)");
		if (rid)
			fprintf(out, "RequestId: %s\n", rid);
		return;
	}
	/* Not an API error body: say what came back, briefly. */
	int n = r->len > 200 ? 200 : (int)r->len;
	fprintf(out, "Error: HTTP %ld: %s%.*s\n", r->status,
		json_is_object(r->json) || r->status >= 400 ? ""
							    : "the answer is not a JSON object: ",
		n, r->body ? r->body : "");
}
