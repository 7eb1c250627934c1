/*
 * server: libmicrohttpd glue.  See server.h.
 *
 * The raw request URI comes from MHD's URI log callback, because the query
 * must be decoded by our own (fuzzed) parser rather than MHD's lenient one:
 * the signature is computed over exactly what we decode.
 */
#include "api/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/server-private.h"
#include "lib/log.h"

struct srv_req {
	char *uri;
	char *body;
	size_t len, cap;
	bool too_big;
	bool started; /* MHD's first call carries only the headers */
};

static void *srv_uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct srv_req *q = calloc(1, sizeof(*q));
	if (q)
		q->uri = strdup(uri ? uri : "/");
	return q;
}

static void srv_completed(void *cls, struct MHD_Connection *con, void **con_cls,
			  enum MHD_RequestTerminationCode toe)
{
	struct srv_req *q = *con_cls;
	if (q) {
		free(q->uri);
		free(q->body);
		free(q);
	}
	*con_cls = NULL;
}

static const char *srv_header(void *arg, const char *name)
{
	return MHD_lookup_connection_value(arg, MHD_HEADER_KIND, name);
}

struct srv_each {
	bool (*fn)(void *cls, const char *name, const char *value);
	void *cls;
};

static enum MHD_Result srv_each_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	(void)kind;
	struct srv_each *e = cls;
	return e->fn(e->cls, key, value ? value : "") ? MHD_YES : MHD_NO;
}

static void srv_each_header(void *arg, bool (*fn)(void *cls, const char *name, const char *value),
			    void *cls)
{
	struct srv_each e = {fn, cls};
	MHD_get_connection_values(arg, MHD_HEADER_KIND, srv_each_cb, &e);
}

static enum MHD_Result srv_send(struct MHD_Connection *con, int status, char *body)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json;charset=utf-8");
	enum MHD_Result r = MHD_queue_response(con, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result srv_access(void *cls, struct MHD_Connection *con, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct api_server *s = cls;
	struct srv_req *q = *con_cls;
	if (!q)
		return MHD_NO;
	if (!q->started) {
		q->started = true;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* Accumulate the body; past the limit, keep reading but drop it. */
		if (q->len + *upload_data_size > s->opts.max_body) {
			q->too_big = true;
		} else {
			if (q->len + *upload_data_size > q->cap) {
				size_t cap = q->cap ? q->cap : 4096;
				while (cap < q->len + *upload_data_size)
					cap *= 2;
				char *nb = realloc(q->body, cap);
				if (!nb)
					return MHD_NO;
				q->body = nb;
				q->cap = cap;
			}
			memcpy(q->body + q->len, upload_data, *upload_data_size);
			q->len += *upload_data_size;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (q->uri == NULL) /* already answered */
		return MHD_YES;

	const char *qm = strchr(q->uri, '?');
	const char *ctype = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Type");
	const char *host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Host");
	struct api_http_req in = {
	    .method = method,
	    .query = qm ? qm + 1 : "",
	    .body = q->body ? q->body : "",
	    .body_len = q->len,
	    .body_is_form =
		ctype && strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0,
	    .host = host ? host : "",
	    .header = srv_header,
	    .each_header = srv_each_header,
	    .header_arg = con,
	};
	struct api_http_resp out = {0};
	if (q->too_big) {
		api_error_body(s, &in, MERR_INVALID_PARAMETER, "The request body is too large.",
			       &out);
	} else {
		api_handle(s, &in, &out);
	}
	free(q->uri);
	q->uri = NULL;
	return srv_send(con, out.status, out.body);
}

static bool srv_parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return false;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return false;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

int api_server_start(struct store *st, const struct model_config *cfg,
		     const struct api_server_opts *o, struct api_server **out)
{
	struct sockaddr_in sa;
	if (!srv_parse_listen(o->listen, &sa)) {
		log_err("bad listen address %s (want IPv4:port)", o->listen);
		return -EINVAL;
	}
	struct api_server *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->st = st;
	s->cfg = cfg;
	s->opts = *o;
	if (s->opts.max_skew <= 0)
		s->opts.max_skew = 900;
	if (s->opts.max_body == 0)
		s->opts.max_body = 1 << 20;
	char ndir[4096];
	if (o->data_dir)
		snprintf(ndir, sizeof(ndir), "%s/nonces", o->data_dir);
	int rc = nonce_cache_open(o->data_dir ? ndir : NULL,
				  o->nonce_capacity ? o->nonce_capacity : 1 << 20, s->opts.max_skew,
				  (int64_t)time(NULL), &s->nonces);
	if (rc < 0) {
		free(s);
		return rc;
	}
	unsigned threads = o->threads ? o->threads : 16;
	s->mhd = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    srv_access, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_URI_LOG_CALLBACK, srv_uri_cb, s,
	    MHD_OPTION_NOTIFY_COMPLETED, srv_completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)60, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (!s->mhd) {
		log_err("cannot listen on %s", o->listen);
		nonce_cache_destroy(s->nonces);
		free(s);
		return -EADDRINUSE;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : ntohs(sa.sin_port);
	*out = s;
	return 0;
}

uint16_t api_server_port(const struct api_server *s)
{
	return s->port;
}

void api_server_stop(struct api_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->mhd);
	nonce_cache_destroy(s->nonces);
	free(s);
}
