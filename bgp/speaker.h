/*
 * speaker: one BGP speaker (the BGP side of a virtual border router, EC-5)
 * and its neighbors.  This is the interface the rest of openvpc wires to:
 *
 *   in:  neighbors (bgp_speaker_neighbor_add/remove) and the networks to
 *        announce (bgp_speaker_network_add/remove);
 *   out: the best learned route per prefix (hooks.route_changed) and session
 *        state changes (hooks.session_changed); introspection as JSON
 *        (ctl.h).
 *
 * Policy follows RFC 8212: a neighbor imports nothing unless its config says
 * import=accept, and exports nothing unless export=networks, in which case
 * it exports exactly the configured networks (never routes learned from
 * other neighbors).
 *
 * The speaker runs on a libevent event_base owned by the caller and is
 * single-threaded.  Network-facing code (session.c) decodes and validates
 * every message before anything reaches the RIB (rib.c) and the decision
 * process (decision.c).
 */
#ifndef OPENVPC_BGP_SPEAKER_H
#define OPENVPC_BGP_SPEAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/codec.h"
#include "bgp/fsm.h"
#include "bgp/rib.h"

struct event_base;

#define BGP_DEFAULT_ASN 45104u	     /* EC-5: the cloud side's ASN */
#define BGP_DEFAULT_MAX_NEIGHBORS 8  /* EC-5: neighbors per border router */
#define BGP_DEFAULT_MAX_PREFIXES 100 /* EC-5: dynamic routes per neighbor */
#define BGP_DEFAULT_HOLD 90
#define BGP_DEFAULT_CONNECT_RETRY 120
#define BGP_DEFAULT_IDLE_HOLD 5
#define BGP_DEFAULT_GR_TIME 120
#define BGP_DEFAULT_STALE_TIME 360
#define BGP_DEFAULT_LOCAL_PREF 100
#define BGP_LARGE_HOLD 240 /* RFC 4271 8: hold timer in OpenSent */
#define BGP_MAX_NETWORKS 1024
#define BGP_DEFAULT_MAX_OUTQ (256u * 1024) /* bytes queued for a peer before it is reset */
#define BGP_MIN_MAX_OUTQ (64u * 1024)	   /* room for a full re-advertisement */

enum bgp_limit_action {
	BGP_LIMIT_KEEP_FIRST, /* keep the first max, refuse the rest, warn */
	BGP_LIMIT_TEARDOWN,   /* Cease/1 (RFC 4486), optionally restart later */
};

struct bgp_neighbor_config {
	char description[64];
	uint8_t addr_fam; /* BGP_FAM_V4 or BGP_FAM_V6: the transport */
	uint8_t addr[16];
	uint16_t port; /* remote port; 179 */
	bool has_local_addr;
	uint8_t local_addr[16];
	uint32_t remote_as;
	uint32_t local_as; /* 0: the speaker's */
	uint16_t hold_time;
	uint16_t keepalive; /* 0: hold_time / 3 */
	uint16_t connect_retry;
	uint16_t idle_hold;
	bool passive;
	char md5_key[81];      /* empty: none (TCP_MD5SIG_MAXKEYLEN is 80) */
	bool import_accept;    /* RFC 8212: false imports nothing */
	bool export_networks;  /* RFC 8212: false exports nothing */
	uint32_t max_prefixes; /* 0: no limit */
	enum bgp_limit_action limit_action;
	uint32_t limit_restart; /* seconds; 0: stay down until reset */
	bool fam[BGP_FAM_COUNT];
	bool as4;
	bool graceful_restart; /* act as RFC 4724 helper, advertise the capability */
	uint16_t gr_time;      /* restart time we advertise */
	uint16_t stale_time;   /* how long stale routes wait for End-of-RIB */
	bool enhanced_rr;
	bool has_nexthop4, has_nexthop6;
	uint8_t nexthop4[4];
	uint8_t nexthop6[16];
	uint32_t local_pref; /* given to routes from this neighbor when eBGP */
	bool has_med;
	uint32_t med; /* MED on our announcements */
	/* Bytes we may queue for a peer that does not read; past it the session
	 * is reset with Cease/8.  0: BGP_DEFAULT_MAX_OUTQ; below
	 * BGP_MIN_MAX_OUTQ, bgp_speaker_neighbor_add() says -EINVAL. */
	uint32_t max_output_queue;
};

/* Fills a neighbor config with the defaults (EC-5 limits, timers, both
 * families, four-octet AS, graceful restart helper, import/export none). */
void bgp_neighbor_config_defaults(struct bgp_neighbor_config *nc);

struct bgp_speaker_config {
	uint32_t asn;
	uint32_t router_id; /* host order */
	unsigned max_neighbors;
	bool multipath;
	uint16_t listen_port;
	unsigned n_listen;
	struct {
		uint8_t fam;
		uint8_t addr[16];
	} listen[4];
};

void bgp_speaker_config_defaults(struct bgp_speaker_config *c);

/* A learned route as reported to the owner. */
struct bgp_route_info {
	const struct bgp_neighbor_config *from; /* borrowed */
	const struct bgp_attrs *attrs;		/* borrowed: next hop, AS_PATH, ... */
};

struct bgp_speaker_hooks {
	/* best is NULL when the prefix is no longer reachable. */
	void (*route_changed)(void *ctx, const struct bgp_prefix *p,
			      const struct bgp_route_info *best);
	void (*session_changed)(void *ctx, const struct bgp_neighbor_config *n, enum bgp_state from,
				enum bgp_state to);
	void *ctx;
};

struct bgp_speaker;

/* Creates a speaker on base.  hooks may be NULL.  Returns NULL on failure. */
struct bgp_speaker *bgp_speaker_create(struct event_base *base, const struct bgp_speaker_config *c,
				       const struct bgp_speaker_hooks *hooks);
/* Sends Cease to every established neighbor and frees everything (accepts NULL). */
void bgp_speaker_destroy(struct bgp_speaker *sp);

/* Opens the configured listening sockets.  0 or a negative errno. */
int bgp_speaker_listen(struct bgp_speaker *sp);

/* Adds and starts a neighbor.  -EEXIST when its address is taken, -ENOSPC
 * past max_neighbors (EC-5), -EINVAL on a bad config, -ENOMEM. */
int bgp_speaker_neighbor_add(struct bgp_speaker *sp, const struct bgp_neighbor_config *nc);
/* Stops (Cease/3 "peer de-configured") and removes a neighbor. -ENOENT. */
int bgp_speaker_neighbor_remove(struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16]);
/* Resets a session (Cease/4) and restarts it; also re-enables a neighbor
 * that a prefix limit took down.  -ENOENT. */
int bgp_speaker_neighbor_reset(struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16]);
/* Asks the neighbor to send its routes again (ROUTE-REFRESH for every
 * negotiated family).  -ENOENT, -ENOTCONN, -EOPNOTSUPP. */
int bgp_speaker_neighbor_refresh(struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16]);

/* Announces / withdraws a network to every neighbor with export=networks. */
int bgp_speaker_network_add(struct bgp_speaker *sp, const struct bgp_prefix *p);
int bgp_speaker_network_remove(struct bgp_speaker *sp, const struct bgp_prefix *p);

#endif
