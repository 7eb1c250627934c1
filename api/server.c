/*
 * server: libmicrohttpd glue.  See server.h.
 *
 * The raw request URI comes from MHD's URI log callback, because the query
 * must be decoded by our own (fuzzed) parser rather than MHD's lenient one:
 * the signature is computed over exactly what we decode.
 *
 * Connections (issue 7, "Connections"): every connection is tracked from
 * MHD's STARTED to its CLOSED notification in a struct srv_conn, which owns
 * the request being read (so no path can leak it) and records its phase.
 * A reaper thread enforces deadlines MHD lacks, since its timeout is an idle
 * timeout that a byte every few seconds (slowloris) resets forever:
 *   - the request line within idle_timeout of the connection's start or of
 *     the end of its previous request (an idle keep-alive connection is
 *     closed then too);
 *   - the headers within header_timeout of the request line;
 *   - the whole request within request_timeout of the request line.
 * A connection past its deadline is shut down (shutdown(2) on its socket,
 * which MHD then reads as a closed peer and cleans up); the socket stays
 * MHD's to close, and CLOSED (called before MHD closes it) takes the
 * connection out of the reaper's list under the same lock, so the reaper
 * never touches a descriptor MHD has closed.
 *
 * Polling is level-triggered (poll): with edge-triggered epoll, MHD missed
 * the end of a connection whose FIN came with its request, and the socket
 * sat in CLOSE-WAIT until the idle timeout.
 */
#include "api/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "api/server-private.h"
#include "api/token.h"
#include "lib/log.h"

/* One request being read; owned by its connection's srv_conn. */
struct srv_req {
	char *uri;
	char *body;
	size_t len, cap;
	bool too_big;	  /* the body passed max_body */
	bool uri_too_big; /* the request line passed max_uri */
	bool started;	  /* MHD's first call carries only the headers */
};

/* One connection, from MHD's STARTED to its CLOSED notification. */
struct srv_conn {
	struct srv_conn *prev, *next; /* api_server.conns, under conns_lock */
	int fd;
	int64_t phase_start; /* monotonic ms: start, or end of the last request */
	int64_t line_at;     /* monotonic ms the request line came, 0: not yet */
	bool in_body;	     /* headers complete, request not yet answered */
	bool reaped;	     /* shut down by the reaper */
	struct srv_req *req; /* the request being read, or NULL */
};

static int64_t srv_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void srv_req_free(struct srv_req *q)
{
	if (q) {
		free(q->uri);
		free(q->body);
		free(q);
	}
}

static struct srv_conn *srv_conn_of(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void srv_notify_conn(void *cls, struct MHD_Connection *con, void **socket_context,
			    enum MHD_ConnectionNotificationCode code)
{
	struct api_server *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		struct srv_conn *c = calloc(1, sizeof(*c));
		if (!c)
			return; /* untracked: no deadline, nothing to free */
		const union MHD_ConnectionInfo *ci =
		    MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
		c->fd = ci ? ci->connect_fd : -1;
		c->phase_start = srv_now_ms();
		pthread_mutex_lock(&s->conns_lock);
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->n_conns++;
		pthread_mutex_unlock(&s->conns_lock);
		*socket_context = c;
		return;
	}
	struct srv_conn *c = *socket_context;
	if (!c)
		return;
	pthread_mutex_lock(&s->conns_lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	pthread_mutex_unlock(&s->conns_lock);
	srv_req_free(c->req); /* a request MHD never completed */
	free(c);
	*socket_context = NULL;
}

static void *srv_uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct api_server *s = cls;
	struct srv_req *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	size_t n = uri ? strlen(uri) : 0;
	if (n > s->opts.max_uri)
		q->uri_too_big = true; /* answered with the API's JSON error */
	else
		q->uri = strdup(uri ? uri : "/");
	struct srv_conn *c = srv_conn_of(con);
	if (c) {
		pthread_mutex_lock(&s->conns_lock);
		srv_req_free(c->req); /* cannot happen: completed frees it */
		c->req = q;
		c->line_at = srv_now_ms();
		pthread_mutex_unlock(&s->conns_lock);
	}
	return q;
}

static void srv_completed(void *cls, struct MHD_Connection *con, void **con_cls,
			  enum MHD_RequestTerminationCode toe)
{
	struct api_server *s = cls;
	struct srv_req *q = *con_cls;
	struct srv_conn *c = srv_conn_of(con);
	if (c) {
		pthread_mutex_lock(&s->conns_lock);
		if (c->req == q)
			c->req = NULL;
		c->in_body = false;
		c->line_at = 0;
		c->phase_start = srv_now_ms(); /* idle until the next request line */
		pthread_mutex_unlock(&s->conns_lock);
	}
	srv_req_free(q);
	*con_cls = NULL;
}

#define SRV_DEFAULT_MAX_URI (192 * 1024)
#define SRV_SWEEP_TICKS 5 /* reaper ticks (seconds) between ClientToken sweeps */
#define SRV_DEFAULT_CONNECTION_MEMORY (256 * 1024)

/* The reaper: once a second, shuts down the connections past a deadline;
 * every SRV_SWEEP_TICKS seconds, deletes expired ClientToken answers. */
static void *srv_reaper(void *arg)
{
	struct api_server *s = arg;
	unsigned ticks = 0;
	pthread_mutex_lock(&s->conns_lock);
	while (!s->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&s->reaper_cond, &s->conns_lock, &until);
		int64_t now = srv_now_ms(), idle_ms = (int64_t)s->opts.idle_timeout_s * 1000;
		for (struct srv_conn *c = s->conns; c; c = c->next) {
			int64_t due = c->in_body   ? c->line_at + s->opts.request_timeout_ms
				      : c->line_at ? c->line_at + s->opts.header_timeout_ms
						   : c->phase_start + idle_ms;
			if (c->reaped || c->fd < 0 || now <= due)
				continue;
			/* MHD reads this as a closed peer and cleans up; the
			 * descriptor stays open (and ours to use) until CLOSED. */
			shutdown(c->fd, SHUT_RDWR);
			c->reaped = true;
			s->n_reaped++;
		}
		/* Expired ClientToken answers, a bounded batch every few seconds,
		 * outside the connections' lock. */
		if (++ticks % SRV_SWEEP_TICKS == 0) {
			pthread_mutex_unlock(&s->conns_lock);
			int n, rounds = 0;
			while ((n = token_sweep(s->st, s->opts.token_ttl_s, 500)) == 500 &&
			       ++rounds < 20)
				;
			if (n < 0)
				log_warn("ClientToken sweep: %s", strerror(-n));
			pthread_mutex_lock(&s->conns_lock);
		}
	}
	pthread_mutex_unlock(&s->conns_lock);
	return NULL;
}

static const char *srv_header(void *arg, const char *name)
{
	return MHD_lookup_connection_value(arg, MHD_HEADER_KIND, name);
}

struct srv_each {
	bool (*fn)(void *cls, const char *name, const char *value);
	void *cls;
};

static void srv_reaper_stop(struct api_server *s)
{
	pthread_mutex_lock(&s->conns_lock);
	s->stopping = true;
	pthread_cond_signal(&s->reaper_cond);
	pthread_mutex_unlock(&s->conns_lock);
	pthread_join(s->reaper, NULL);
}

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
		struct srv_conn *c = srv_conn_of(con);
		if (c) {
			pthread_mutex_lock(&s->conns_lock);
			c->in_body = true; /* headers complete: the body deadline runs */
			pthread_mutex_unlock(&s->conns_lock);
		}
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
	if (q->uri_too_big) {
		q->uri_too_big = false;
		struct api_http_req in = {.method = method, .query = "", .body = "", .host = ""};
		struct api_http_resp out = {0};
		char msg[128];
		snprintf(msg, sizeof(msg), "The request line is longer than %zu bytes.",
			 s->opts.max_uri);
		api_error_body(s, &in, MERR_INVALID_PARAMETER, msg, &out);
		return srv_send(con, out.status, out.body);
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
	if (s->opts.max_uri == 0)
		s->opts.max_uri = SRV_DEFAULT_MAX_URI;
	if (s->opts.connection_memory == 0)
		s->opts.connection_memory = SRV_DEFAULT_CONNECTION_MEMORY;
	if (s->opts.header_timeout_ms == 0)
		s->opts.header_timeout_ms = 10000;
	if (s->opts.request_timeout_ms == 0)
		s->opts.request_timeout_ms = 60000;
	if (s->opts.idle_timeout_s == 0)
		s->opts.idle_timeout_s = 30;
	if (s->opts.per_ip_connections == 0)
		s->opts.per_ip_connections = 64;
	if (s->opts.max_connections == 0)
		s->opts.max_connections = 4096;
	if (s->opts.token_ttl_s == 0)
		s->opts.token_ttl_s = TOKEN_TTL_DEFAULT;
	pthread_mutex_init(&s->conns_lock, NULL);
	pthread_cond_init(&s->reaper_cond, NULL);
	if ((rc = pthread_create(&s->reaper, NULL, srv_reaper, s)) != 0) {
		rc = -rc;
		goto fail_nonces;
	}
	unsigned threads = o->threads ? o->threads : 16;
	/* MHD_OPTION_CONNECTION_MEMORY_LIMIT bounds the request line and
	 * headers a connection can hold (MHD answers past it with its own
	 * HTML 414/431): sized for the largest request the SDKs send, the ECS
	 * SDK's AuthorizeSecurityGroup with 100 rules in the query (V3), whose
	 * request line measures 64 KB with every field and short descriptions,
	 * 116 KB with 512-character descriptions (docs/benchmarks.md). Beyond
	 * max_uri (below the pool) the API answers its own JSON error. */
	s->mhd = MHD_start_daemon(
	    MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, srv_access, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_URI_LOG_CALLBACK, srv_uri_cb, s, MHD_OPTION_NOTIFY_COMPLETED, srv_completed,
	    s, MHD_OPTION_NOTIFY_CONNECTION, srv_notify_conn, s, MHD_OPTION_CONNECTION_TIMEOUT,
	    s->opts.idle_timeout_s, MHD_OPTION_CONNECTION_LIMIT, s->opts.max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->opts.per_ip_connections,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->opts.connection_memory,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
	if (!s->mhd) {
		log_err("cannot listen on %s", o->listen);
		rc = -EADDRINUSE;
		goto fail_reaper;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : ntohs(sa.sin_port);
	*out = s;
	return 0;

fail_reaper:
	srv_reaper_stop(s);
fail_nonces:
	pthread_cond_destroy(&s->reaper_cond);
	pthread_mutex_destroy(&s->conns_lock);
	nonce_cache_destroy(s->nonces);
	free(s);
	return rc;
}

uint16_t api_server_port(const struct api_server *s)
{
	return s->port;
}

void api_server_stop(struct api_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->mhd); /* every connection CLOSED: the list is empty */
	srv_reaper_stop(s);
	pthread_cond_destroy(&s->reaper_cond);
	pthread_mutex_destroy(&s->conns_lock);
	nonce_cache_destroy(s->nonces);
	free(s);
}

void api_server_stats(struct api_server *s, struct api_server_stats *out)
{
	pthread_mutex_lock(&s->conns_lock);
	out->connections = s->n_conns;
	out->reaped = s->n_reaped;
	pthread_mutex_unlock(&s->conns_lock);
}
