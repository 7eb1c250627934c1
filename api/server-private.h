/*
 * server-private: the server state shared by server.c, dispatch.c and auth.c.
 */
#ifndef OPENVPC_API_SERVER_PRIVATE_H
#define OPENVPC_API_SERVER_PRIVATE_H

#include "api/nonce.h"
#include "api/server.h"
#include "model/errors.h"

struct MHD_Daemon;

struct api_server {
	struct store *st;
	const struct model_config *cfg;
	struct api_server_opts opts;
	struct MHD_Daemon *mhd;
	struct nonce_cache *nonces;
	uint16_t port;
};

/* Fills out with an error response (new RequestId). msg NULL: default. */
void api_error_body(struct api_server *s, const struct api_http_req *in, enum merr_code code,
		    const char *msg, struct api_http_resp *out);

#endif
