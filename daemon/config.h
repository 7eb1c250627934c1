/*
 * config: openvpcd's INI configuration file (docs/operations.md lists every
 * key).  Unknown sections or keys are errors, so a typo never silently
 * leaves a default in place.
 */
#ifndef OPENVPC_DAEMON_CONFIG_H
#define OPENVPC_DAEMON_CONFIG_H

#include <stdbool.h>

#include "model/config.h"

#define DCONF_PATH_MAX 512

struct dconf {
	char listen[128];
	unsigned threads;
	char data_dir[DCONF_PATH_MAX];
	bool test_clock;
	int settle_delay_ms;
	int log_level; /* 0 err .. 3 debug */
	/* [dataplane]: the eBPF data plane of this host (docs/operations.md). */
	enum dconf_dp { DCONF_DP_AUTO = 0, DCONF_DP_ON, DCONF_DP_OFF } dataplane;
	char dp_prefix[8]; /* everything it creates carries it: netns, devices, pins */
	bool dp_tap;	   /* instance_backend = tap */
	struct model_config model;
};

/* "auto" | "on" | "off"; false for anything else. */
bool dconf_dp_mode(const char *v, enum dconf_dp *out);

/* Built-in defaults (ARCHITECTURE: one host, API on 127.0.0.1, ./var). */
void dconf_defaults(struct dconf *c);
/* Reads path over the defaults.  0, or -1 after printing file:line: reason. */
int dconf_load(struct dconf *c, const char *path);

#endif
