/*
 * fsm: the BGP finite state machine of RFC 4271 section 8, as a pure
 * function.  bgp_fsm_event() takes the current state and an event and returns
 * the next state plus the actions the session layer must carry out (send a
 * message, start or stop a timer, open or drop the TCP connection, release
 * routes).  It touches no socket, timer or clock, so every state x event pair
 * is unit-tested.
 *
 * Optional behaviour of RFC 4271 8.1 used here: passive TCP establishment per
 * neighbor (PassiveTcpEstablishment), automatic restart after an error
 * (AutomaticStart via the IdleHold timer, with the restart left to the
 * session layer), and collision detection (OpenCollisionDump).  DelayOpen
 * and DampPeerOscillations are not used.
 *
 *            ManualStart/AutoStart          TcpConnected
 *   Idle ---------------------------> Connect ----------> OpenSent
 *    ^   (passive) -> Active          |  ^  TcpFails         |  OpenRecv
 *    |                       CRT exp. |  |  -> Active        v
 *    |                  Active <------+--+              OpenConfirm
 *    |   errors, NOTIFICATION,          TcpConnected          | KeepAliveRecv
 *    |   hold expiry, ManualStop        -> OpenSent           v
 *    +-------------------------------------------------- Established
 *
 * Each transition's actions are listed in fsm.c next to its case.
 */
#ifndef OPENVPC_BGP_FSM_H
#define OPENVPC_BGP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#define BGP_STATES(X)                                                                              \
	X(IDLE, "Idle")                                                                            \
	X(CONNECT, "Connect")                                                                      \
	X(ACTIVE, "Active")                                                                        \
	X(OPENSENT, "OpenSent")                                                                    \
	X(OPENCONFIRM, "OpenConfirm")                                                              \
	X(ESTABLISHED, "Established")

enum bgp_state {
#define X(n, s) BGP_ST_##n,
	BGP_STATES(X)
#undef X
	    BGP_ST_COUNT
};

/* Events (RFC 4271 8.1 numbers in brackets). */
#define BGP_EVENTS(X)                                                                              \
	X(MANUAL_START, "ManualStart")			  /* [1], [4] when passive */              \
	X(MANUAL_STOP, "ManualStop")			  /* [2] */                                \
	X(AUTO_START, "AutomaticStart")			  /* [3], [5] when passive */              \
	X(CONNRETRY_EXPIRES, "ConnectRetryTimer_Expires") /* [9] */                                \
	X(HOLD_EXPIRES, "HoldTimer_Expires")		  /* [10] */                               \
	X(KEEPALIVE_EXPIRES, "KeepaliveTimer_Expires")	  /* [11] */                               \
	X(TCP_CONNECTED, "TcpConnection_Established")	  /* [16], [17] */                         \
	X(TCP_FAILS, "TcpConnectionFails")		  /* [18] */                               \
	X(OPEN_RECV, "BGPOpen")				  /* [19] */                               \
	X(HEADER_ERR, "BGPHeaderErr")			  /* [21] */                               \
	X(OPEN_ERR, "BGPOpenMsgErr")			  /* [22] */                               \
	X(COLLISION_DUMP, "OpenCollisionDump")		  /* [23] */                               \
	X(NOTIF_VERSION_ERR, "NotifMsgVerErr")		  /* [24] */                               \
	X(NOTIF_RECV, "NotifMsg")			  /* [25] */                               \
	X(KEEPALIVE_RECV, "KeepAliveMsg")		  /* [26] */                               \
	X(UPDATE_RECV, "UpdateMsg")			  /* [27] */                               \
	X(UPDATE_ERR, "UpdateMsgErr")			  /* [28] */                               \
	X(REFRESH_RECV, "RouteRefreshMsg")		  /* RFC 2918 */                           \
	X(ADMIN_CEASE, "AdminCease")			  /* local Cease: limits, reset, deconfig */

enum bgp_event {
#define X(n, s) BGP_EV_##n,
	BGP_EVENTS(X)
#undef X
	    BGP_EV_COUNT
};

/* Actions, as bits of struct bgp_fsm_out.actions. */
enum {
	BGP_A_CONNECT = 1u << 0,  /* start an outgoing TCP connection */
	BGP_A_DROP_TCP = 1u << 1, /* close the connection */
	BGP_A_SEND_OPEN = 1u << 2,
	BGP_A_SEND_KEEPALIVE = 1u << 3,
	BGP_A_SEND_NOTIFICATION = 1u << 4, /* code/subcode in out; data from the session */
	BGP_A_START_CONNRETRY = 1u << 5,   /* (re)start the ConnectRetry timer */
	BGP_A_STOP_CONNRETRY = 1u << 6,
	BGP_A_START_HOLD_LARGE = 1u << 7, /* hold timer to 4 minutes (OpenSent) */
	BGP_A_START_HOLD = 1u << 8,	  /* hold timer to the negotiated time (0: none) */
	BGP_A_START_KEEPALIVE = 1u << 9,  /* (re)start the keepalive timer */
	BGP_A_STOP_TIMERS = 1u << 10,	  /* hold and keepalive */
	BGP_A_RELEASE = 1u << 11,     /* release resources: the peer's routes go (or turn stale) */
	BGP_A_ESTABLISHED = 1u << 12, /* session up: send our routes and End-of-RIB */
	BGP_A_PROCESS_UPDATE = 1u << 13,
	BGP_A_PROCESS_REFRESH = 1u << 14,
	BGP_A_CRC_ZERO = 1u << 15,     /* ConnectRetryCounter = 0 */
	BGP_A_CRC_INC = 1u << 16,      /* ConnectRetryCounter += 1 */
	BGP_A_AUTO_RESTART = 1u << 17, /* going Idle after an error: schedule AutomaticStart */
	BGP_A_NEGOTIATE = 1u << 18,    /* adopt the peer's OPEN (hold time, capabilities) */
};

struct bgp_fsm {
	enum bgp_state state;
	bool passive; /* never initiate TCP, only accept */
	uint32_t connect_retry_counter;
	uint32_t transitions; /* for introspection */
};

struct bgp_fsm_out {
	uint32_t actions;
	uint8_t notify_code; /* with BGP_A_SEND_NOTIFICATION */
	uint8_t notify_subcode;
	enum bgp_state from, to;
};

void bgp_fsm_init(struct bgp_fsm *f, bool passive);

/* Applies event ev.  For OPEN_ERR, HEADER_ERR, UPDATE_ERR and ADMIN_CEASE the
 * NOTIFICATION code/subcode to send are passed in (code, sub); other events
 * ignore them.  Fills *out and returns the new state. */
enum bgp_state bgp_fsm_event(struct bgp_fsm *f, enum bgp_event ev, uint8_t code, uint8_t sub,
			     struct bgp_fsm_out *out);

const char *bgp_state_name(enum bgp_state s);
const char *bgp_event_name(enum bgp_event e);

/* True when an incoming TCP connection may be accepted in state s. */
bool bgp_fsm_accepts_connection(enum bgp_state s);

#endif
