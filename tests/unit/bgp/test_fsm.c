/*
 * Unit tests of bgp/fsm.c: every state x event pair (RFC 4271 8.2.2), with
 * the next state, the NOTIFICATION (if any) and the key actions.
 */
#include <criterion/criterion.h>

#include "bgp/codec.h"
#include "bgp/fsm.h"

enum {
	I = BGP_ST_IDLE,
	C = BGP_ST_CONNECT,
	A = BGP_ST_ACTIVE,
	S = BGP_ST_OPENSENT,
	O = BGP_ST_OPENCONFIRM,
	E = BGP_ST_ESTABLISHED
};

/* Rows: states; columns: events in enum order:
 * MSTART MSTOP ASTART CRT HOLD KA TCPUP TCPFAIL OPEN HDRERR OPENERR COLL
 * NOTIFVER NOTIF KARECV UPD UPDERR RR ADMIN */
static const int next_state[BGP_ST_COUNT][BGP_EV_COUNT] = {
    /* Idle */ {C, I, C, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I},
    /* Connect */ {C, I, C, C, I, I, S, A, I, I, I, I, I, I, I, I, I, I, I},
    /* Active */ {A, I, A, C, I, I, S, A, I, I, I, I, I, I, I, I, I, I, I},
    /* OpenSent */ {S, I, S, I, I, I, S, A, O, I, I, I, I, I, I, I, I, I, I},
    /* OpenConfirm */ {O, I, O, I, I, O, O, I, I, I, I, I, I, I, E, I, I, I, I},
    /* Established */ {E, I, E, I, I, E, E, I, I, I, I, I, I, I, E, E, I, E, I},
};

/* NOTIFICATION code*16+subcode sent, 0 for none; -1 = the one passed in. */
#define P -1
#define FSM1 (BGP_ERR_FSM * 16 + 1)
#define FSM2 (BGP_ERR_FSM * 16 + 2)
#define FSM3 (BGP_ERR_FSM * 16 + 3)
#define HOLD (BGP_ERR_HOLD * 16)
#define ADM (BGP_ERR_CEASE * 16 + BGP_CEASE_ADMIN_SHUTDOWN)
#define COL (BGP_ERR_CEASE * 16 + BGP_CEASE_COLLISION)
static const int notify[BGP_ST_COUNT][BGP_EV_COUNT] = {
    /* Idle */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* Connect */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* Active */ {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    /* OpenSent */
    {0, ADM, 0, FSM1, HOLD, FSM1, 0, 0, 0, P, P, COL, 0, 0, FSM1, FSM1, FSM1, FSM1, P},
    /* OpenConfirm */
    {0, ADM, 0, FSM2, HOLD, 0, 0, 0, FSM2, P, P, COL, 0, 0, 0, FSM2, FSM2, FSM2, P},
    /* Established */ {0, ADM, 0, FSM3, HOLD, 0, 0, 0, FSM3, P, P, COL, 0, 0, 0, 0, P, 0, P},
};

static struct bgp_fsm_out run(int state, int ev, bool passive)
{
	struct bgp_fsm f;
	struct bgp_fsm_out o;

	bgp_fsm_init(&f, passive);
	f.state = (enum bgp_state)state;
	bgp_fsm_event(&f, (enum bgp_event)ev, BGP_ERR_CEASE, 6, &o);
	cr_assert_eq(f.state, o.to);
	cr_assert_eq((int)o.from, state);
	return o;
}

Test(fsm, every_state_and_event)
{
	for (int s = 0; s < BGP_ST_COUNT; s++) {
		for (int e = 0; e < BGP_EV_COUNT; e++) {
			struct bgp_fsm_out o = run(s, e, false);
			int want_n = notify[s][e];

			cr_assert_eq((int)o.to, next_state[s][e], "%s + %s: got %s, want %s",
				     bgp_state_name((enum bgp_state)s),
				     bgp_event_name((enum bgp_event)e), bgp_state_name(o.to),
				     bgp_state_name((enum bgp_state)next_state[s][e]));
			if (want_n == 0) {
				cr_assert_not(o.actions & BGP_A_SEND_NOTIFICATION,
					      "%s + %s: unexpected NOTIFICATION",
					      bgp_state_name((enum bgp_state)s),
					      bgp_event_name((enum bgp_event)e));
			} else {
				int got = o.notify_code * 16 + o.notify_subcode;

				cr_assert(o.actions & BGP_A_SEND_NOTIFICATION,
					  "%s + %s: no NOTIFICATION",
					  bgp_state_name((enum bgp_state)s),
					  bgp_event_name((enum bgp_event)e));
				cr_assert_eq(got, want_n == P ? BGP_ERR_CEASE * 16 + 6 : want_n,
					     "%s + %s: notification %d",
					     bgp_state_name((enum bgp_state)s),
					     bgp_event_name((enum bgp_event)e), got);
			}
			/* Leaving a state with a connection for Idle always drops it. */
			if (s != I && (int)o.to == I)
				cr_assert(o.actions & BGP_A_DROP_TCP);
			/* A NOTIFICATION is never sent without a connection up. */
			if (s == I || s == C || s == A)
				cr_assert_not(o.actions & BGP_A_SEND_NOTIFICATION);
		}
	}
}

Test(fsm, passive_never_connects)
{
	for (int s = 0; s < BGP_ST_COUNT; s++)
		for (int e = 0; e < BGP_EV_COUNT; e++)
			cr_assert_not(run(s, e, true).actions & BGP_A_CONNECT);
	cr_assert_eq(run(I, BGP_EV_MANUAL_START, true).to, A);
	cr_assert_eq(run(A, BGP_EV_CONNRETRY_EXPIRES, true).to, A);
}

Test(fsm, start_actions)
{
	struct bgp_fsm_out o = run(I, BGP_EV_MANUAL_START, false);

	cr_assert(o.actions & BGP_A_CONNECT);
	cr_assert(o.actions & BGP_A_START_CONNRETRY);
	cr_assert(o.actions & BGP_A_CRC_ZERO);
	o = run(I, BGP_EV_AUTO_START, false);
	cr_assert_not(o.actions & BGP_A_CRC_ZERO);
}

Test(fsm, tcp_up_sends_open)
{
	struct bgp_fsm_out o = run(C, BGP_EV_TCP_CONNECTED, false);

	cr_assert(o.actions & BGP_A_SEND_OPEN);
	cr_assert(o.actions & BGP_A_START_HOLD_LARGE);
	cr_assert(o.actions & BGP_A_STOP_CONNRETRY);
}

Test(fsm, open_received)
{
	struct bgp_fsm_out o = run(S, BGP_EV_OPEN_RECV, false);

	cr_assert(o.actions & BGP_A_NEGOTIATE);
	cr_assert(o.actions & BGP_A_SEND_KEEPALIVE);
	cr_assert(o.actions & BGP_A_START_KEEPALIVE);
	cr_assert(o.actions & BGP_A_START_HOLD);
}

Test(fsm, established_entry_and_traffic)
{
	struct bgp_fsm_out o = run(O, BGP_EV_KEEPALIVE_RECV, false);

	cr_assert(o.actions & BGP_A_ESTABLISHED);
	cr_assert(o.actions & BGP_A_START_HOLD);
	o = run(E, BGP_EV_UPDATE_RECV, false);
	cr_assert(o.actions & BGP_A_PROCESS_UPDATE);
	cr_assert(o.actions & BGP_A_START_HOLD);
	o = run(E, BGP_EV_REFRESH_RECV, false);
	cr_assert(o.actions & BGP_A_PROCESS_REFRESH);
	o = run(E, BGP_EV_KEEPALIVE_EXPIRES, false);
	cr_assert(o.actions & BGP_A_SEND_KEEPALIVE);
	cr_assert(o.actions & BGP_A_START_KEEPALIVE);
	o = run(S, BGP_EV_UPDATE_RECV, false);
	cr_assert_not(o.actions & BGP_A_PROCESS_UPDATE);
}

Test(fsm, errors_release_and_restart)
{
	struct bgp_fsm_out o = run(E, BGP_EV_HOLD_EXPIRES, false);

	cr_assert(o.actions & BGP_A_RELEASE);
	cr_assert(o.actions & BGP_A_AUTO_RESTART);
	cr_assert(o.actions & BGP_A_CRC_INC);
	o = run(E, BGP_EV_MANUAL_STOP, false);
	cr_assert(o.actions & BGP_A_RELEASE);
	cr_assert_not(o.actions & BGP_A_AUTO_RESTART);
	cr_assert(o.actions & BGP_A_CRC_ZERO);
	o = run(E, BGP_EV_ADMIN_CEASE, false);
	cr_assert_not(o.actions &
		      BGP_A_AUTO_RESTART); /* a limit teardown restarts on its own timer */
	o = run(S, BGP_EV_NOTIF_VERSION_ERR, false);
	cr_assert_not(o.actions & BGP_A_CRC_INC);
}

Test(fsm, connect_retry_counter)
{
	struct bgp_fsm f;
	struct bgp_fsm_out o;

	bgp_fsm_init(&f, false);
	f.state = BGP_ST_ESTABLISHED;
	bgp_fsm_event(&f, BGP_EV_TCP_FAILS, 0, 0, &o);
	cr_assert_eq(f.connect_retry_counter, 1);
	bgp_fsm_event(&f, BGP_EV_MANUAL_START, 0, 0, &o);
	cr_assert_eq(f.connect_retry_counter, 0);
	cr_assert_eq(f.transitions, 2);
}

Test(fsm, names)
{
	cr_assert_str_eq(bgp_state_name(BGP_ST_OPENCONFIRM), "OpenConfirm");
	cr_assert_str_eq(bgp_event_name(BGP_EV_HOLD_EXPIRES), "HoldTimer_Expires");
	cr_assert(bgp_fsm_accepts_connection(BGP_ST_ACTIVE));
	cr_assert_not(bgp_fsm_accepts_connection(BGP_ST_ESTABLISHED));
	cr_assert_not(bgp_fsm_accepts_connection(BGP_ST_IDLE));
}
