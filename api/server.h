/*
 * server: the HTTP front end of the RPC API (libmicrohttpd).
 *
 * It reads each request whole (query string as sent, form body when the
 * content type says so, the headers the signature names), hands it to
 * api_handle() (dispatch.c) and writes back the status and JSON body that
 * come out.  Requests run on a pool of MHD threads; each runs to completion
 * on its thread, in its own store transaction.
 */
#ifndef OPENVPC_API_SERVER_H
#define OPENVPC_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/config.h"
#include "store/store.h"

struct api_server;

struct api_server_opts {
	const char *listen; /* "127.0.0.1:8080"; port 0 picks a free one */
	unsigned threads;   /* MHD thread pool size (>= 1) */
	bool test_clock;    /* SetClock allowed (tests only) */
	int64_t max_skew;   /* accepted |Timestamp - now| in seconds (900) */
	size_t max_body;    /* largest accepted request body in bytes */
	/* The data directory: accepted nonces are logged in <data_dir>/nonces
	 * so a replay is refused across restarts.  NULL: memory only (tests). */
	const char *data_dir;
	size_t nonce_capacity; /* replay table slots (0: 1 << 20) */
	/* Connection limits; 0 picks the default in brackets. */
	size_t max_uri;		     /* longest request line answered [192 KiB] */
	size_t connection_memory;    /* MHD's per-connection buffer [256 KiB] */
	int64_t header_timeout_ms;   /* headers complete within this [10 s] */
	int64_t request_timeout_ms;  /* whole request within this [60 s] */
	unsigned idle_timeout_s;     /* an idle keep-alive connection closes [30 s] */
	unsigned per_ip_connections; /* concurrent connections per client address [64] */
	unsigned max_connections;    /* concurrent connections in all [4096] */
	int64_t token_ttl_s;	     /* ClientToken answers kept [24 h]; < 0: forever */
};

/* Starts listening.  The server borrows st and cfg, which must outlive it. */
int api_server_start(struct store *st, const struct model_config *cfg,
		     const struct api_server_opts *o, struct api_server **out);
/* The port actually bound. */
uint16_t api_server_port(const struct api_server *s);
/* Stops accepting, waits for requests in flight, frees; accepts NULL. */
void api_server_stop(struct api_server *s);

struct api_server_stats {
	size_t connections; /* open now */
	uint64_t reaped;    /* shut down past a deadline, since start */
};
void api_server_stats(struct api_server *s, struct api_server_stats *out);

/* One request as the HTTP layer read it.  Borrowed for the call. */
struct api_http_req {
	const char *method; /* "GET", "POST", ... */
	const char *query;  /* raw query string after '?', "" if none */
	const char *body;   /* raw body (not NUL-terminated) */
	size_t body_len;
	bool body_is_form; /* Content-Type: application/x-www-form-urlencoded */
	const char *host;  /* Host header or "" */
	/* Looks up a header by lowercase name; NULL when absent. */
	const char *(*header)(void *arg, const char *name);
	/* Calls fn(cls, name, value) for every header in arrival order (names
	 * as sent, any case) until fn returns false.  NULL: no headers. */
	void (*each_header)(void *arg, bool (*fn)(void *cls, const char *name, const char *value),
			    void *cls);
	void *header_arg;
};

struct api_http_resp {
	int status;
	char *body; /* malloc'd JSON text */
};

/* Runs one request through authentication, dispatch and the model. */
void api_handle(struct api_server *s, const struct api_http_req *in, struct api_http_resp *out);

#endif
