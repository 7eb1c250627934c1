/*
 * config: the openvpc-bgpd configuration file (INI, read with libinih).
 * The format is documented with an example in docs/bgp.md; unknown keys and
 * bad values are errors naming the section and key, so a typo never silently changes
 * policy.
 */
#ifndef OPENVPC_BGP_CONFIG_H
#define OPENVPC_BGP_CONFIG_H

#include <stddef.h>

#include "bgp/speaker.h"

struct bgp_file_config {
	struct bgp_speaker_config sp;
	char control_path[108];
	int log_level; /* enum bgp_log_level */
	unsigned n_nbrs;
	struct bgp_neighbor_config nbrs[BGP_RIB_MAX_PEERS];
	size_t n_networks;
	struct bgp_prefix networks[BGP_MAX_NETWORKS];
};

/* Parses text (the contents of a file).  Returns 0, or -1 with a message
 * ("[neighbor 192.0.2.2] hodl-time: unknown key ...") in err.  out is fully initialised
 * either way. */
int bgp_config_parse(const char *text, struct bgp_file_config *out, char *err, size_t errlen);
/* Reads and parses a file; -1 with a message on error. */
int bgp_config_load(const char *path, struct bgp_file_config *out, char *err, size_t errlen);

#endif
