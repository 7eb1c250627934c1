/*
 * server-private: the server state shared by server.c, dispatch.c and auth.c.
 */
#ifndef OPENVPC_API_SERVER_PRIVATE_H
#define OPENVPC_API_SERVER_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>

#include "api/nonce.h"
#include "api/server.h"
#include "model/errors.h"

struct MHD_Daemon;
struct srv_conn;

struct api_server {
	struct store *st;
	const struct model_config *cfg;
	struct api_server_opts opts;
	struct MHD_Daemon *mhd;
	struct nonce_cache *nonces;
	uint16_t port;

	/* Connections (server.c): the tracked ones and the reaper that
	 * enforces the header and request deadlines. */
	pthread_mutex_t conns_lock;
	pthread_cond_t reaper_cond;
	pthread_t reaper;
	bool stopping;
	struct srv_conn *conns;
	size_t n_conns;
	uint64_t n_reaped;
};

/* Fills out with an error response (new RequestId). msg NULL: default. */
void api_error_body(struct api_server *s, const struct api_http_req *in, enum merr_code code,
		    const char *msg, struct api_http_resp *out);

#endif
