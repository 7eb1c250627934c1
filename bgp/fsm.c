/*
 * fsm.c: the transitions of RFC 4271 8.2.2.  Each state's switch lists the
 * events it handles; any other event is either ignored (noted per state) or
 * an FSM error.  Deviations from the RFC text, all common practice:
 *  - Connect + TcpConnectionFails goes to Active (keeps accepting the peer's
 *    connection, retries on the ConnectRetry timer) instead of Idle.
 *  - A second TCP connection while a session is in progress is the session
 *    layer's business (collision detection, session.c): the FSM ignores
 *    TcpConnection_Established outside Idle/Connect/Active.
 *  - ROUTE-REFRESH in Established restarts the hold timer like an UPDATE.
 */
#include "bgp/fsm.h"

#include <string.h>

#include "bgp/codec.h"

const char *bgp_state_name(enum bgp_state s)
{
	static const char *const names[] = {
#define X(n, str) str,
	    BGP_STATES(X)
#undef X
	};
	return s < BGP_ST_COUNT ? names[s] : "?";
}

const char *bgp_event_name(enum bgp_event e)
{
	static const char *const names[] = {
#define X(n, str) str,
	    BGP_EVENTS(X)
#undef X
	};
	return e < BGP_EV_COUNT ? names[e] : "?";
}

bool bgp_fsm_accepts_connection(enum bgp_state s)
{
	return s == BGP_ST_CONNECT || s == BGP_ST_ACTIVE || s == BGP_ST_OPENSENT ||
	       s == BGP_ST_OPENCONFIRM;
}

void bgp_fsm_init(struct bgp_fsm *f, bool passive)
{
	memset(f, 0, sizeof(*f));
	f->state = BGP_ST_IDLE;
	f->passive = passive;
}

/* Actions of every transition to Idle caused by an error (RFC 4271 8.2.2:
 * "drops the TCP connection, releases all BGP resources, increments the
 * ConnectRetryCounter by 1"). */
#define TO_IDLE_ERROR                                                                              \
	(BGP_A_DROP_TCP | BGP_A_STOP_CONNRETRY | BGP_A_STOP_TIMERS | BGP_A_RELEASE |               \
	 BGP_A_CRC_INC | BGP_A_AUTO_RESTART)
#define TO_IDLE_STOP                                                                               \
	(BGP_A_DROP_TCP | BGP_A_STOP_CONNRETRY | BGP_A_STOP_TIMERS | BGP_A_RELEASE | BGP_A_CRC_ZERO)

static enum bgp_state notify(struct bgp_fsm_out *o, uint32_t acts, uint8_t code, uint8_t sub)
{
	o->actions |= acts | BGP_A_SEND_NOTIFICATION;
	o->notify_code = code;
	o->notify_subcode = sub;
	return BGP_ST_IDLE;
}

/* Idle, Connect and Active: no BGP message can arrive without a connection
 * that reached OpenSent, so every message event there is an error. */
static enum bgp_state ev_idle(struct bgp_fsm *f, enum bgp_event ev, struct bgp_fsm_out *o)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
		o->actions |=
		    BGP_A_START_CONNRETRY | (ev == BGP_EV_MANUAL_START ? BGP_A_CRC_ZERO : 0);
		if (f->passive)
			return BGP_ST_ACTIVE;
		o->actions |= BGP_A_CONNECT;
		return BGP_ST_CONNECT;
	case BGP_EV_TCP_CONNECTED:
		o->actions |= BGP_A_DROP_TCP; /* not started: refuse */
		return BGP_ST_IDLE;
	default:
		return BGP_ST_IDLE; /* RFC 4271: all other events are ignored in Idle */
	}
}

static enum bgp_state ev_connect_active(struct bgp_fsm *f, enum bgp_event ev, struct bgp_fsm_out *o)
{
	enum bgp_state s = f->state;

	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
		return s;
	case BGP_EV_MANUAL_STOP:
		o->actions |= TO_IDLE_STOP;
		return BGP_ST_IDLE;
	case BGP_EV_ADMIN_CEASE:
		o->actions |= TO_IDLE_STOP & ~BGP_A_CRC_ZERO;
		return BGP_ST_IDLE;
	case BGP_EV_CONNRETRY_EXPIRES:
		o->actions |= BGP_A_START_CONNRETRY;
		if (f->passive)
			return BGP_ST_ACTIVE;
		o->actions |= BGP_A_DROP_TCP | BGP_A_CONNECT;
		return BGP_ST_CONNECT;
	case BGP_EV_TCP_CONNECTED:
		o->actions |= BGP_A_STOP_CONNRETRY | BGP_A_SEND_OPEN | BGP_A_START_HOLD_LARGE;
		return BGP_ST_OPENSENT;
	case BGP_EV_TCP_FAILS:
		o->actions |= BGP_A_DROP_TCP | BGP_A_START_CONNRETRY;
		return BGP_ST_ACTIVE;
	default:
		o->actions |= TO_IDLE_ERROR;
		return BGP_ST_IDLE;
	}
}

static enum bgp_state ev_opensent(enum bgp_event ev, uint8_t code, uint8_t sub,
				  struct bgp_fsm_out *o)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
	case BGP_EV_TCP_CONNECTED:
		return BGP_ST_OPENSENT;
	case BGP_EV_MANUAL_STOP:
		return notify(o, TO_IDLE_STOP, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN);
	case BGP_EV_ADMIN_CEASE:
		return notify(o, TO_IDLE_STOP & ~BGP_A_CRC_ZERO, BGP_ERR_CEASE, sub);
	case BGP_EV_HOLD_EXPIRES:
		return notify(o, TO_IDLE_ERROR, BGP_ERR_HOLD, 0);
	case BGP_EV_TCP_FAILS:
		o->actions |= BGP_A_DROP_TCP | BGP_A_START_CONNRETRY | BGP_A_STOP_TIMERS;
		return BGP_ST_ACTIVE;
	case BGP_EV_OPEN_RECV:
		o->actions |= BGP_A_STOP_CONNRETRY | BGP_A_NEGOTIATE | BGP_A_SEND_KEEPALIVE |
			      BGP_A_START_KEEPALIVE | BGP_A_START_HOLD;
		return BGP_ST_OPENCONFIRM;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		return notify(o, TO_IDLE_ERROR, code, sub);
	case BGP_EV_COLLISION_DUMP:
		return notify(o, TO_IDLE_ERROR, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	case BGP_EV_NOTIF_VERSION_ERR:
		o->actions |= TO_IDLE_ERROR & ~BGP_A_CRC_INC;
		return BGP_ST_IDLE;
	case BGP_EV_NOTIF_RECV:
		o->actions |= TO_IDLE_ERROR;
		return BGP_ST_IDLE;
	default: /* timers that cannot run here, KEEPALIVE, UPDATE, ROUTE-REFRESH */
		return notify(o, TO_IDLE_ERROR, BGP_ERR_FSM, BGP_FSM_IN_OPENSENT);
	}
}

static enum bgp_state ev_openconfirm(enum bgp_event ev, uint8_t code, uint8_t sub,
				     struct bgp_fsm_out *o)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
	case BGP_EV_TCP_CONNECTED:
		return BGP_ST_OPENCONFIRM;
	case BGP_EV_MANUAL_STOP:
		return notify(o, TO_IDLE_STOP, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN);
	case BGP_EV_ADMIN_CEASE:
		return notify(o, TO_IDLE_STOP & ~BGP_A_CRC_ZERO, BGP_ERR_CEASE, sub);
	case BGP_EV_HOLD_EXPIRES:
		return notify(o, TO_IDLE_ERROR, BGP_ERR_HOLD, 0);
	case BGP_EV_KEEPALIVE_EXPIRES:
		o->actions |= BGP_A_SEND_KEEPALIVE | BGP_A_START_KEEPALIVE;
		return BGP_ST_OPENCONFIRM;
	case BGP_EV_TCP_FAILS:
	case BGP_EV_NOTIF_RECV:
		o->actions |= TO_IDLE_ERROR;
		return BGP_ST_IDLE;
	case BGP_EV_NOTIF_VERSION_ERR:
		o->actions |= TO_IDLE_ERROR & ~BGP_A_CRC_INC;
		return BGP_ST_IDLE;
	case BGP_EV_KEEPALIVE_RECV:
		o->actions |= BGP_A_START_HOLD | BGP_A_ESTABLISHED;
		return BGP_ST_ESTABLISHED;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		return notify(o, TO_IDLE_ERROR, code, sub);
	case BGP_EV_COLLISION_DUMP:
		return notify(o, TO_IDLE_ERROR, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	default: /* ConnectRetry expiry, OPEN, UPDATE, ROUTE-REFRESH */
		return notify(o, TO_IDLE_ERROR, BGP_ERR_FSM, BGP_FSM_IN_OPENCONFIRM);
	}
}

static enum bgp_state ev_established(enum bgp_event ev, uint8_t code, uint8_t sub,
				     struct bgp_fsm_out *o)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
	case BGP_EV_TCP_CONNECTED:
		return BGP_ST_ESTABLISHED;
	case BGP_EV_MANUAL_STOP:
		return notify(o, TO_IDLE_STOP, BGP_ERR_CEASE, BGP_CEASE_ADMIN_SHUTDOWN);
	case BGP_EV_ADMIN_CEASE:
		return notify(o, TO_IDLE_STOP & ~BGP_A_CRC_ZERO, BGP_ERR_CEASE, sub);
	case BGP_EV_HOLD_EXPIRES:
		return notify(o, TO_IDLE_ERROR, BGP_ERR_HOLD, 0);
	case BGP_EV_KEEPALIVE_EXPIRES:
		o->actions |= BGP_A_SEND_KEEPALIVE | BGP_A_START_KEEPALIVE;
		return BGP_ST_ESTABLISHED;
	case BGP_EV_KEEPALIVE_RECV:
		o->actions |= BGP_A_START_HOLD;
		return BGP_ST_ESTABLISHED;
	case BGP_EV_UPDATE_RECV:
		o->actions |= BGP_A_PROCESS_UPDATE | BGP_A_START_HOLD;
		return BGP_ST_ESTABLISHED;
	case BGP_EV_REFRESH_RECV:
		o->actions |= BGP_A_PROCESS_REFRESH | BGP_A_START_HOLD;
		return BGP_ST_ESTABLISHED;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
	case BGP_EV_UPDATE_ERR:
		return notify(o, TO_IDLE_ERROR, code, sub);
	case BGP_EV_TCP_FAILS:
	case BGP_EV_NOTIF_RECV:
	case BGP_EV_NOTIF_VERSION_ERR:
		o->actions |= TO_IDLE_ERROR;
		return BGP_ST_IDLE;
	case BGP_EV_COLLISION_DUMP:
		return notify(o, TO_IDLE_ERROR, BGP_ERR_CEASE, BGP_CEASE_COLLISION);
	default: /* ConnectRetry expiry, OPEN */
		return notify(o, TO_IDLE_ERROR, BGP_ERR_FSM, BGP_FSM_IN_ESTABLISHED);
	}
}

enum bgp_state bgp_fsm_event(struct bgp_fsm *f, enum bgp_event ev, uint8_t code, uint8_t sub,
			     struct bgp_fsm_out *out)
{
	enum bgp_state next;

	memset(out, 0, sizeof(*out));
	out->from = f->state;
	switch (f->state) {
	case BGP_ST_IDLE:
		next = ev_idle(f, ev, out);
		break;
	case BGP_ST_CONNECT:
	case BGP_ST_ACTIVE:
		next = ev_connect_active(f, ev, out);
		break;
	case BGP_ST_OPENSENT:
		next = ev_opensent(ev, code, sub, out);
		break;
	case BGP_ST_OPENCONFIRM:
		next = ev_openconfirm(ev, code, sub, out);
		break;
	case BGP_ST_ESTABLISHED:
		next = ev_established(ev, code, sub, out);
		break;
	default:
		next = BGP_ST_IDLE;
		break;
	}
	if (out->actions & BGP_A_CRC_ZERO)
		f->connect_retry_counter = 0;
	if (out->actions & BGP_A_CRC_INC)
		f->connect_retry_counter++;
	if (next != f->state)
		f->transitions++;
	f->state = next;
	out->to = next;
	return next;
}
