/*
 * speaker-private: the structures shared by speaker.c (neighbors, networks,
 * import/export, listening), session.c (one neighbor's connection and FSM)
 * and ctl.c (introspection).  Not for use outside bgp/.
 */
#ifndef OPENVPC_BGP_SPEAKER_PRIVATE_H
#define OPENVPC_BGP_SPEAKER_PRIVATE_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "bgp/adjout.h"
#include "bgp/attr.h"
#include "bgp/codec.h"
#include "bgp/fsm.h"
#include "bgp/log.h"
#include "bgp/rib.h"
#include "bgp/speaker.h"

/* Per-neighbor counters: messages, prefixes and errors. */
#define BGP_NBR_COUNTERS(X)                                                                        \
	X(OPEN_IN, "open-in")                                                                      \
	X(OPEN_OUT, "open-out")                                                                    \
	X(UPDATE_IN, "update-in")                                                                  \
	X(UPDATE_OUT, "update-out")                                                                \
	X(KEEPALIVE_IN, "keepalive-in")                                                            \
	X(KEEPALIVE_OUT, "keepalive-out")                                                          \
	X(NOTIFICATION_IN, "notification-in")                                                      \
	X(NOTIFICATION_OUT, "notification-out")                                                    \
	X(REFRESH_IN, "route-refresh-in")                                                          \
	X(REFRESH_OUT, "route-refresh-out")                                                        \
	X(REFRESH_DEFERRED, "route-refresh-deferred")                                              \
	X(PREFIX_ANNOUNCED_IN, "prefixes-announced-in")                                            \
	X(PREFIX_WITHDRAWN_IN, "prefixes-withdrawn-in")                                            \
	X(PREFIX_ANNOUNCED_OUT, "prefixes-announced-out")                                          \
	X(PREFIX_WITHDRAWN_OUT, "prefixes-withdrawn-out")                                          \
	X(PREFIX_REFUSED_LIMIT, "prefixes-refused-limit")                                          \
	X(PREFIX_REJECTED_POLICY, "prefixes-rejected-policy")                                      \
	X(PREFIX_REJECTED_LOOP, "prefixes-rejected-as-loop")                                       \
	X(ERR_HEADER, "errors-header")                                                             \
	X(ERR_OPEN, "errors-open")                                                                 \
	X(ERR_UPDATE_RESET, "errors-update-session-reset")                                         \
	X(ERR_TREAT_AS_WITHDRAW, "errors-update-treat-as-withdraw")                                \
	X(ERR_ATTR_DISCARD, "errors-attribute-discard")                                            \
	X(ERR_IGNORED_AFI, "errors-ignored-afi-safi")                                              \
	X(ERR_REFRESH, "errors-route-refresh")                                                     \
	X(ERR_FSM, "errors-fsm")                                                                   \
	X(HOLD_EXPIRED, "hold-timer-expired")                                                      \
	X(OUTQ_RESET, "output-queue-resets")                                                       \
	X(READ_YIELDS, "input-yields")                                                             \
	X(LIMIT_TEARDOWN, "limit-teardowns")                                                       \
	X(ESTABLISHED, "established-transitions")                                                  \
	X(CONN_ATTEMPTS, "connect-attempts")                                                       \
	X(CONN_ACCEPTED, "connections-accepted")                                                   \
	X(CONN_REJECTED, "connections-rejected")                                                   \
	X(COLLISIONS, "collisions-resolved")                                                       \
	X(GR_STALE_MARKED, "gr-stale-marked")                                                      \
	X(GR_STALE_SWEPT, "gr-stale-swept")                                                        \
	X(EOR_IN, "end-of-rib-in")

enum bgp_nbr_counter {
#define X(n, s) BGP_C_##n,
	BGP_NBR_COUNTERS(X)
#undef X
	    BGP_C_COUNT
};

#define BGP_INBUF_SIZE (64 * 1024)

/* Work per event (session.c, process_input()): at most this many messages or
 * this much time per callback; the rest waits for the next loop iteration,
 * with the socket's read event off, so timers, other neighbors, the control
 * socket and signals are served in between. */
#define BGP_READ_BATCH 256
#define BGP_READ_BUDGET_MS 10

/* Inbound ROUTE-REFRESH requests (session.c, process_refresh()): a token
 * bucket per neighbor, BGP_RR_BURST re-advertisements at once, then one per
 * BGP_RR_INTERVAL_MS; requests beyond it are coalesced into one pending
 * re-advertisement per family (counter route-refresh-deferred). */
#define BGP_RR_BURST 4
#define BGP_RR_INTERVAL_MS 500

/* Lingering closes (session.c): at most this many sockets in all, and per
 * neighbor address; past either, a closed socket is closed at once. */
#define BGP_LINGER_MAX 64
#define BGP_LINGER_PER_ADDR 4

/* accept() failing for lack of descriptors or memory pauses the listeners
 * for this long (speaker.c, on_accept()). */
#define BGP_ACCEPT_PAUSE_MS 1000

/* One TCP connection of a neighbor. */
struct bgp_conn {
	struct bgp_neighbor *nbr;
	int fd;
	bool outgoing;
	bool connecting; /* outgoing connect() in progress */
	bool closed;	 /* socket closed, struct freed from the event loop */
	int connect_errno;
	bool pending;  /* the second connection of a collision, not yet the FSM's */
	bool got_open; /* pending: the peer's OPEN arrived (in open) */
	struct bgp_open open;
	struct event *ev_read;
	struct event *ev_write;
	struct event *ev_resume; /* zero timer: go on with buffered input (process_input) */
	bool overflow;		 /* the output queue hit max_output_queue: reset pending */
	struct evbuffer *out;
	uint8_t *in;
	size_t in_len;
	uint8_t local_addr[16]; /* for next-hop-self */
	uint8_t local_fam;
};

struct bgp_neighbor {
	struct bgp_speaker *sp;
	uint16_t slot;
	struct bgp_neighbor_config cfg;
	char name[64]; /* the address in text */
	struct bgp_fsm fsm;
	struct bgp_conn *conn;	  /* the FSM's connection */
	struct bgp_conn *pending; /* incoming during OpenSent/OpenConfirm */
	uint32_t conn_gen;	  /* bumped whenever conn is dropped */
	struct event *t_connretry, *t_hold, *t_keepalive, *t_idlehold, *t_limit_restart;
	struct event *t_gr_restart, *t_gr_stale, *t_err_stale;
	struct event *t_refresh; /* deferred re-advertisement (refresh rate limit) */
	struct event *t_outq;	 /* zero timer: reset a session whose output overflowed */

	/* negotiated at OPEN (valid from OpenConfirm on) */
	struct bgp_open peer_open;
	uint16_t hold, keepalive;
	struct bgp_peer_ctx ctx;
	bool fam_up[BGP_FAM_COUNT];
	bool rr, err; /* route refresh, enhanced route refresh */

	/* graceful restart helper and enhanced refresh state */
	bool gr_waiting[BGP_FAM_COUNT]; /* stale routes kept for a restarting peer */
	bool err_refreshing[BGP_FAM_COUNT];
	bool notification_exchanged; /* this session ended with a NOTIFICATION */

	bool admin_down; /* taken down by a limit or a manual stop: no automatic restart */
	bool limit_warned;
	struct bgp_ratelimit rl;
	uint64_t ctr[BGP_C_COUNT];
	bool has_err_sent, has_err_recv;
	struct bgp_err err_sent, err_recv;
	int64_t state_since_ms;
	int64_t last_read_ms;
	uint32_t flaps;

	/* ROUTE-REFRESH rate limit (BGP_RR_*): tokens, last refill, pending families. */
	unsigned rr_tokens;
	int64_t rr_refill_ms;
	bool rr_pending[BGP_FAM_COUNT];

	/* Adj-RIB-Out: what this session has announced. */
	struct bgp_adjout adv;
};

struct bgp_listener {
	int fd;
	uint8_t fam;
	struct event *ev;
};

struct bgp_speaker {
	struct event_base *base;
	struct bgp_speaker_config cfg;
	struct bgp_speaker_hooks hooks;
	struct bgp_attr_table *attrs;
	struct bgp_rib *rib;
	struct bgp_neighbor *nbrs[BGP_RIB_MAX_PEERS];
	unsigned n_nbrs;
	struct bgp_listener listeners[4];
	unsigned n_listeners;
	struct event *t_accept; /* resumes the listeners after an accept() pause */
	uint64_t accept_pauses;
	struct bgp_ratelimit accept_rl;	  /* accept() errors */
	struct bgp_ratelimit stranger_rl; /* connections from non-neighbors */
	unsigned n_lingers;
	struct bgp_prefix networks[BGP_MAX_NETWORKS];
	size_t n_networks;
	struct bgp_update *upd; /* scratch for decoding, one for the speaker */
	uint64_t best_changes;
	int64_t started_ms;
	struct bgp_linger *lingers; /* closed sessions' sockets (session.c) */
};

/* session.c */
struct bgp_linger;
/* Closes the sockets of closed sessions still waiting for the peer's FIN. */
void bgp_session_linger_close_all(struct bgp_speaker *sp);
struct bgp_neighbor *bgp_session_create(struct bgp_speaker *sp, uint16_t slot,
					const struct bgp_neighbor_config *nc);
void bgp_session_destroy(struct bgp_neighbor *n);
/* Feeds an FSM event; err (may be NULL) supplies NOTIFICATION data. */
void bgp_session_event(struct bgp_neighbor *n, enum bgp_event ev, const struct bgp_err *err);
/* Hands over an accepted connection (fd owned by the session afterwards). */
void bgp_session_incoming(struct bgp_neighbor *n, int fd);
/* Sends our networks' announcements/withdrawals to an established session. */
void bgp_session_announce(struct bgp_neighbor *n, const struct bgp_prefix *p, bool withdraw);
/* Sends ROUTE-REFRESH for every negotiated family. */
int bgp_session_request_refresh(struct bgp_neighbor *n);
/* Applies TCP_MD5SIG for the neighbor on socket fd.  0 or -errno. */
int bgp_session_set_md5(const struct bgp_neighbor *n, int fd, uint8_t sock_fam);

/* speaker.c: import one path (policy, limit) — false when the session was torn down. */
bool bgp_speaker_import(struct bgp_neighbor *n, const struct bgp_prefix *p, struct bgp_attrs *a);
struct bgp_neighbor *bgp_speaker_find(struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16]);

#endif
