/*
 * request: one signed RPC call to openvpcd, the way @alicloud/pop-core makes
 * it: GET / with every parameter in the query, the common parameters of
 * signature V1 (Action, Version, Format=JSON, AccessKeyId, SignatureMethod
 * HMAC-SHA1, SignatureVersion 1.0, a fresh random SignatureNonce, Timestamp
 * now in UTC) and the Signature computed by lib/sign over all of them.
 * The HTTP client is libcurl with a timeout; one connection per call.
 *
 * One exception: an action whose own parameters include a name V1 uses
 * for itself (the operator's DeleteAccessKey and UpdateAccessKey take an
 * AccessKeyId: the key to act on, not the caller's) cannot be said in V1,
 * where the two would be one query parameter.  Such a call is signed with
 * V3 instead (ACS3-HMAC-SHA256, the new SDKs' default): the caller's key
 * goes in the Authorization header and the query holds only the action's
 * parameters, still a GET.
 *
 * The answer is classified as the SDKs do (shared/reference/alibaba-api.md
 * 3.6): an API error is an HTTP status >= 400 or a body with a "Code";
 * anything curl could not complete is a connection failure.
 */
#ifndef OPENVPC_CLI_REQUEST_H
#define OPENVPC_CLI_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/flags.h"

/* Exit statuses of the openvpc command (docs/cli.md "Exit codes"). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_API = 1,     /* the API answered with an error */
	CLI_EXIT_USAGE = 2,   /* bad command line or configuration */
	CLI_EXIT_CONNECT = 3, /* openvpcd could not be reached */
};

/* Where and as whom to call: every string is borrowed. */
struct cli_conn {
	const char *endpoint; /* host:port, or http(s)://host:port */
	const char *akid;
	const char *secret;
	long timeout_s; /* whole request; 0 means 30 */
	bool debug;	/* print the request line and status to stderr */
};

/* The answer of one call. */
struct cli_reply {
	long status; /* HTTP status; 0 when the request failed */
	char *body;  /* NUL-terminated body (owned), "" when none */
	size_t len;
	json_t *json;	 /* the parsed body (owned), NULL when not JSON */
	char error[256]; /* the curl error of a connection failure */
};

void cli_reply_free(struct cli_reply *r);

/* The base URL for an endpoint: "http://" is added when no scheme is
 * given, and trailing slashes are removed.  Heap string, or NULL. */
char *cli_base_url(const char *endpoint);

/* The whole request URL (base + "/?" + query, Signature last) for the
 * given parameters, with the nonce and timestamp given explicitly so the
 * result is reproducible.  Heap string; NULL when memory runs out. */
char *cli_build_url(const struct cli_conn *c, const char *version, const char *action,
		    const struct cli_params *p, const char *nonce, const char *timestamp);

/* Whether the parameters need signature V3 (see above). */
bool cli_needs_v3(const struct cli_params *p);

/* A request signed with V3: the URL and the header lines to send ("Name:
 * value", Host and Authorization included).  All owned; see _free. */
struct cli_v3_req {
	char *url;
	char *headers[8];
	size_t n_headers;
};

/* Builds the V3 form of a call with the nonce and date given.  Returns 0,
 * or -1 when memory runs out (req is then empty). */
int cli_build_v3(const struct cli_conn *c, const char *version, const char *action,
		 const struct cli_params *p, const char *nonce, const char *date,
		 struct cli_v3_req *req);
void cli_v3_req_free(struct cli_v3_req *req);

/* Makes the call.  Returns CLI_EXIT_OK when an HTTP answer arrived (an
 * API error included: see cli_reply_is_error), or CLI_EXIT_CONNECT with
 * reply->error set.  reply is always initialised; free it. */
int cli_call(const struct cli_conn *c, const char *version, const char *action,
	     const struct cli_params *p, struct cli_reply *reply);

/* Whether the answer is an API error. */
bool cli_reply_is_error(const struct cli_reply *r);

/* Prints an API error as "Error: <Code>: <Message>" and "RequestId: <id>"
 * (or the HTTP status and the start of the body when it is not JSON). */
void cli_print_error(FILE *out, const struct cli_reply *r);

#endif
