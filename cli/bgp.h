/*
 * bgp: `openvpc bgp`, the BGP speaker's introspection (see bgp.c).
 */
#ifndef OPENVPC_CLI_BGP_H
#define OPENVPC_CLI_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/request.h"

/* openvpc-bgpd's default control socket (bgp/config.c uses the same). */
#define CLI_BGP_SOCKET "/run/openvpc-bgpd.sock"

/* Runs `openvpc bgp WORDS...`; returns a CLI_EXIT_* code.  socket_path may be NULL. */
int cli_bgp_main(char **words, size_t n, const char *socket_path, bool json, FILE *out, FILE *err);

#endif
