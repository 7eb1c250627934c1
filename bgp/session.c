/*
 * session.c: one neighbor's TCP connection(s), timers and FSM driving.  This
 * is the network-facing part of the speaker: bytes from the peer are framed,
 * decoded and validated by the codec here, and only decoded, valid routes go
 * on to speaker.c (policy, limits) and the RIB.
 *
 * Invariants:
 *  1. n->conn is the connection the FSM talks about; it exists in Connect
 *     (connecting or none), OpenSent, OpenConfirm and Established.
 *  2. n->pending exists only while the FSM is in OpenSent/OpenConfirm: the
 *     second connection of a collision.  It is resolved (RFC 4271 6.8) when
 *     its OPEN arrives, before any other message on it is looked at.
 *  3. A closed connection is freed from the event loop, never inside the
 *     callback that closed it, so a callback can check c->closed after any
 *     call that may have ended the connection.
 *  4. Every FSM event goes through fsm_event(), which carries out the
 *     actions of bgp_fsm_event() in a fixed order (run_actions()).
 *  5. One event's work is bounded: process_input() handles at most
 *     BGP_READ_BATCH messages or BGP_READ_BUDGET_MS; while complete
 *     messages wait in c->in, the read event is off and c->ev_resume is
 *     pending, so the buffer never fills and a read never returns 0 for
 *     lack of room.  Inbound refresh requests are rate-limited
 *     (refresh_request()); re-advertisement is O(networks) (adjout.c).
 *  6. c->out never holds more than cfg.max_output_queue bytes of ours (a
 *     NOTIFICATION aside): conn_send() refuses more, sets c->overflow, and
 *     on_outq() resets the session from the event loop.
 *
 * Transitions and the function behind each:
 *   Idle -> Connect/Active        fsm_event(MANUAL_START|AUTO_START): start_connect()
 *   Connect/Active -> OpenSent    on_write() (connect done) / bgp_session_incoming()
 *   OpenSent -> OpenConfirm       handle_msg(OPEN) -> check_open() -> negotiate()
 *   OpenConfirm -> Established    handle_msg(KEEPALIVE) -> established()
 *   any -> Idle                   errors, timers (on_hold), NOTIFICATION -> release()
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgp/speaker-private.h"

static uint32_t fsm_event(struct bgp_neighbor *n, enum bgp_event ev, const struct bgp_err *err);
static void start_connect(struct bgp_neighbor *n);

/* ---- timers ---- */

static void timer_start(struct event *ev, unsigned sec, bool jitter)
{
	double s = sec;
	struct timeval tv;

	if (jitter) /* RFC 4271 10: jitter of 0.75..1.0 */
		s *= 0.75 + 0.25 * ((double)random() / RAND_MAX);
	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	evtimer_add(ev, &tv);
}

/* ---- connections ---- */

static void conn_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_conn *c = arg;

	event_free(c->ev_resume);
	evbuffer_free(c->out);
	free(c->in);
	free(c);
}

/*
 * Lingering close.  close() on a socket with unread data makes the kernel
 * answer with a RST and drop what is still queued to send, a NOTIFICATION
 * included: the peer then sees "connection reset" instead of our Cease.  So
 * a closed session's socket first sends FIN after its data (shutdown), then
 * stays open, discarding what arrives, until the peer closes its side or
 * BGP_LINGER_MS pass; only then is it closed.  The speaker owns the list of
 * lingering sockets and closes what is left when it is destroyed.
 */
#define BGP_LINGER_MS 2000

struct bgp_linger {
	struct bgp_speaker *sp;
	evutil_socket_t fd;
	uint8_t fam; /* the neighbor's address, for BGP_LINGER_PER_ADDR */
	uint8_t addr[16];
	struct event *ev;
	int64_t deadline_ms;
	struct bgp_linger *next;
};

static void linger_free(struct bgp_linger *l)
{
	for (struct bgp_linger **pp = &l->sp->lingers; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	event_free(l->ev);
	close(l->fd);
	l->sp->n_lingers--;
	free(l);
}

static void linger_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_linger *l = arg;
	char sink[4096];
	bool done = (what & EV_TIMEOUT) != 0;

	while (!done) {
		ssize_t r = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (r > 0)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		done = true; /* EOF: the peer closed its side too; or an error */
	}
	int64_t left = l->deadline_ms - bgp_now_ms();
	if (done || left <= 0) {
		linger_free(l);
		return;
	}
	struct timeval tv = {(time_t)(left / 1000), (suseconds_t)((left % 1000) * 1000)};
	event_add(l->ev, &tv);
}

/* A burst of connections from one address (each new one replaces the
 * previous, which lingers) must not pile up descriptors: past
 * BGP_LINGER_PER_ADDR for the address or BGP_LINGER_MAX in all, the socket
 * is closed at once. */
static bool linger_room(const struct bgp_speaker *sp, uint8_t fam, const uint8_t addr[16])
{
	unsigned same = 0;

	if (sp->n_lingers >= BGP_LINGER_MAX)
		return false;
	for (const struct bgp_linger *l = sp->lingers; l; l = l->next)
		if (l->fam == fam && memcmp(l->addr, addr, 16) == 0 &&
		    ++same >= BGP_LINGER_PER_ADDR)
			return false;
	return true;
}

static void linger_start(struct bgp_speaker *sp, evutil_socket_t fd, uint8_t fam,
			 const uint8_t addr[16])
{
	struct bgp_linger *l;
	struct timeval tv = {BGP_LINGER_MS / 1000, (BGP_LINGER_MS % 1000) * 1000};

	if (!linger_room(sp, fam, addr)) {
		close(fd);
		return;
	}
	l = calloc(1, sizeof(*l));
	shutdown(fd, SHUT_WR);
	if (!l || !(l->ev = event_new(sp->base, fd, EV_READ, linger_cb, l)) ||
	    event_add(l->ev, &tv) < 0) {
		if (l && l->ev)
			event_free(l->ev);
		free(l);
		close(fd);
		return;
	}
	l->sp = sp;
	l->fd = fd;
	l->fam = fam;
	memcpy(l->addr, addr, 16);
	l->deadline_ms = bgp_now_ms() + BGP_LINGER_MS;
	l->next = sp->lingers;
	sp->lingers = l;
	sp->n_lingers++;
}

void bgp_session_linger_close_all(struct bgp_speaker *sp)
{
	while (sp->lingers)
		linger_free(sp->lingers);
}

/* Closes the socket (lingering, see above) and frees the struct from the
 * event loop (inv. 3). */
static void conn_close(struct bgp_conn *c)
{
	struct timeval zero = {0, 0};

	if (!c || c->closed)
		return;
	c->closed = true;
	event_free(c->ev_read);
	event_free(c->ev_write);
	event_del(c->ev_resume); /* freed with the struct */
	if (c->connecting)
		close(c->fd);
	else
		linger_start(c->nbr->sp, c->fd, c->nbr->cfg.addr_fam, c->nbr->cfg.addr);
	if (event_base_once(c->nbr->sp->base, -1, EV_TIMEOUT, conn_free_cb, c, &zero) < 0)
		conn_free_cb(-1, 0, c); /* XXX: cannot defer; only at teardown of the base */
}

static void on_read(evutil_socket_t fd, short what, void *arg);
static void on_write(evutil_socket_t fd, short what, void *arg);
static void on_resume(evutil_socket_t fd, short what, void *arg);

static void conn_local_addr(struct bgp_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		c->local_fam = BGP_FAM_V4;
		memcpy(c->local_addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6) {
		const uint8_t *a = ((struct sockaddr_in6 *)&ss)->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		if (memcmp(a, mapped, 12) == 0) {
			c->local_fam = BGP_FAM_V4;
			memcpy(c->local_addr, a + 12, 4);
		} else {
			c->local_fam = BGP_FAM_V6;
			memcpy(c->local_addr, a, 16);
		}
	}
}

static struct bgp_conn *conn_new(struct bgp_neighbor *n, int fd, bool outgoing, bool connecting)
{
	struct bgp_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c)
		goto fail;
	c->nbr = n;
	c->fd = fd;
	c->outgoing = outgoing;
	c->connecting = connecting;
	c->in = malloc(BGP_INBUF_SIZE);
	c->out = evbuffer_new();
	if (!c->in || !c->out)
		goto fail_buf;
	c->ev_read = event_new(n->sp->base, fd, EV_READ | EV_PERSIST, on_read, c);
	c->ev_write = event_new(n->sp->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
	c->ev_resume = evtimer_new(n->sp->base, on_resume, c);
	if (!c->ev_read || !c->ev_write || !c->ev_resume)
		goto fail_ev;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connecting) {
		event_add(c->ev_write, NULL);
	} else {
		event_add(c->ev_read, NULL);
		conn_local_addr(c);
	}
	return c;
fail_ev:
	if (c->ev_read)
		event_free(c->ev_read);
	if (c->ev_write)
		event_free(c->ev_write);
	if (c->ev_resume)
		event_free(c->ev_resume);
fail_buf:
	if (c->out)
		evbuffer_free(c->out);
	free(c->in);
	free(c);
fail:
	close(fd);
	return NULL;
}

static void conn_flush(struct bgp_conn *c)
{
	while (evbuffer_get_length(c->out)) {
		int w = evbuffer_write(c->out, c->fd);

		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
				event_add(c->ev_write, NULL);
				return;
			}
			/* The read side sees the reset and reports TcpConnectionFails. */
			evbuffer_drain(c->out, evbuffer_get_length(c->out));
			event_active(c->ev_read, EV_READ, 0);
			break;
		}
		if (w == 0)
			break;
	}
	event_del(c->ev_write);
}

/* Queues a message.  The queue is bounded (cfg.max_output_queue): a peer
 * that stops reading would otherwise grow us without limit.  Past the bound
 * nothing more is queued and the session is reset from the event loop
 * (on_outq(): Cease/8), not here, deep inside an encoding loop. */
static void conn_send(struct bgp_conn *c, const uint8_t *buf, size_t len)
{
	struct timeval zero = {0, 0};

	if (!c || c->closed || c->connecting || !len || c->overflow)
		return;
	if (evbuffer_get_length(c->out) + len > c->nbr->cfg.max_output_queue) {
		c->overflow = true;
		if (c == c->nbr->conn)
			evtimer_add(c->nbr->t_outq, &zero);
		return;
	}
	evbuffer_add(c->out, buf, len);
	/* Batch: flush at once only when there is a good amount queued; the
	 * write event (or the end of the current read batch) flushes the rest. */
	if (evbuffer_get_length(c->out) >= 16384)
		conn_flush(c);
	else
		event_add(c->ev_write, NULL);
}

/* ---- messages out ---- */

static uint32_t local_as(const struct bgp_neighbor *n)
{
	return n->cfg.local_as ? n->cfg.local_as : n->sp->cfg.asn;
}

static void send_open(struct bgp_neighbor *n, struct bgp_conn *c)
{
	struct bgp_open o;
	uint8_t buf[256];
	struct bgp_wbuf w;
	size_t len;

	memset(&o, 0, sizeof(o));
	o.as4 = n->cfg.as4;
	o.as4_value = local_as(n);
	o.hold_time = n->cfg.hold_time;
	o.bgp_id = n->sp->cfg.router_id;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		o.mp[f] = n->cfg.fam[f];
	o.route_refresh = true;
	o.enhanced_rr = n->cfg.enhanced_rr;
	if (n->cfg.graceful_restart) {
		/* Helper only: no families listed, so a peer never waits on us. */
		o.gr = true;
		o.gr_time = n->cfg.gr_time;
	}
	bgp_wbuf_init(&w, buf, sizeof(buf));
	len = bgp_encode_open(&w, &o);
	conn_send(c, buf, len);
	n->ctr[BGP_C_OPEN_OUT]++;
}

static void send_keepalive(struct bgp_neighbor *n)
{
	uint8_t buf[BGP_HDR_LEN];
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, buf, sizeof(buf));
	conn_send(n->conn, buf, bgp_encode_keepalive(&w));
	n->ctr[BGP_C_KEEPALIVE_OUT]++;
}

static void send_notification(struct bgp_neighbor *n, struct bgp_conn *c, const struct bgp_err *e)
{
	uint8_t buf[BGP_HDR_LEN + 2 + BGP_ERR_DATA_MAX];
	struct bgp_wbuf w;

	if (!c || c->closed || c->connecting)
		return;
	bgp_wbuf_init(&w, buf, sizeof(buf));
	evbuffer_add(c->out, buf, bgp_encode_notification(&w, e));
	conn_flush(c); /* the connection is about to close: push it out now */
	n->ctr[BGP_C_NOTIFICATION_OUT]++;
	if (c == n->conn) {
		n->err_sent = *e;
		n->has_err_sent = true;
		n->notification_exchanged = true;
	}
	bgp_log(BGP_LOG_WARN, "neighbor %s: sent NOTIFICATION %u/%u (%s, %s)", n->name, e->code,
		e->subcode, bgp_err_code_name(e->code), bgp_err_subcode_name(e->code, e->subcode));
}

/* Our AS_PATH for an announcement: [local AS] to an external peer, empty to an internal one. */
static size_t out_aspath(const struct bgp_neighbor *n, uint8_t buf[6])
{
	uint32_t as = local_as(n);

	if (!n->ctx.ebgp)
		return 0;
	buf[0] = BGP_AS_SEQUENCE;
	buf[1] = 1;
	buf[2] = (uint8_t)(as >> 24);
	buf[3] = (uint8_t)(as >> 16);
	buf[4] = (uint8_t)(as >> 8);
	buf[5] = (uint8_t)as;
	return 6;
}

/* Fills the attributes of our announcements for family fam; false when we
 * have no usable next hop for it. */
static bool out_attrs(const struct bgp_neighbor *n, enum bgp_fam fam, struct bgp_out_attrs *a,
		      uint8_t aspath[6])
{
	const struct bgp_conn *c = n->conn;

	memset(a, 0, sizeof(*a));
	a->origin = BGP_ORIGIN_IGP;
	a->aspath = aspath;
	a->aspath_len = (uint16_t)out_aspath(n, aspath);
	a->has_med = n->cfg.has_med;
	a->med = n->cfg.med;
	if (!n->ctx.ebgp) {
		a->has_local_pref = true;
		a->local_pref = n->cfg.local_pref;
	}
	if (fam == BGP_FAM_V4) {
		if (n->cfg.has_nexthop4)
			memcpy(a->nexthop4, n->cfg.nexthop4, 4);
		else if (c && c->local_fam == BGP_FAM_V4)
			memcpy(a->nexthop4, c->local_addr, 4);
		else
			return false;
	} else {
		if (n->cfg.has_nexthop6)
			memcpy(a->nexthop6, n->cfg.nexthop6, 16);
		else if (c && c->local_fam == BGP_FAM_V6)
			memcpy(a->nexthop6, c->local_addr, 16);
		else
			return false;
		a->nexthop6_len = 16;
	}
	return true;
}

/* Sends announcements (or withdrawals) of p[0..cnt), all of family fam. */
static void send_prefixes(struct bgp_neighbor *n, enum bgp_fam fam, const struct bgp_prefix *p,
			  size_t cnt, bool withdraw)
{
	struct bgp_out_attrs a;
	uint8_t aspath[6];
	uint8_t buf[BGP_MAX_LEN];

	if (!withdraw && !out_attrs(n, fam, &a, aspath)) {
		if (bgp_ratelimit_ok(&n->rl))
			bgp_log(BGP_LOG_WARN,
				"neighbor %s: no %s next hop, not announcing %s routes", n->name,
				fam == BGP_FAM_V4 ? "IPv4" : "IPv6", bgp_fam_name(fam));
		return;
	}
	while (cnt) {
		struct bgp_wbuf w;
		size_t msglen, used;

		bgp_wbuf_init(&w, buf, sizeof(buf));
		used =
		    bgp_encode_update(&w, fam, withdraw ? NULL : &a, n->ctx.as4, p, cnt, &msglen);
		if (!used)
			break; /* cannot happen: one prefix always fits */
		conn_send(n->conn, buf, msglen);
		if (!n->conn || n->conn->overflow)
			break; /* not sent; the session is about to be reset */
		n->ctr[BGP_C_UPDATE_OUT]++;
		for (size_t i = 0; i < used; i++) {
			if (withdraw) {
				bgp_adjout_del(&n->adv, &p[i]);
				n->ctr[BGP_C_PREFIX_WITHDRAWN_OUT]++;
			} else {
				/* XXX: out of memory leaves the Adj-RIB-Out view
				 * incomplete; the announcement went out anyway. */
				bgp_adjout_add(&n->adv, &p[i]);
				n->ctr[BGP_C_PREFIX_ANNOUNCED_OUT]++;
			}
		}
		p += used;
		cnt -= used;
	}
}

/* Announces every configured network of fam (RFC 8212: only with export=networks). */
static void announce_networks(struct bgp_neighbor *n, enum bgp_fam fam)
{
	struct bgp_speaker *sp = n->sp;
	struct bgp_prefix *list;
	size_t cnt = 0;

	if (!n->cfg.export_networks || !n->fam_up[fam] || !sp->n_networks)
		return;
	list = malloc(sp->n_networks * sizeof(*list));
	if (!list)
		return;
	for (size_t i = 0; i < sp->n_networks; i++)
		if (sp->networks[i].fam == fam)
			list[cnt++] = sp->networks[i];
	send_prefixes(n, fam, list, cnt, false);
	free(list);
}

static void send_eor(struct bgp_neighbor *n, enum bgp_fam fam)
{
	uint8_t buf[64];
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, buf, sizeof(buf));
	conn_send(n->conn, buf, bgp_encode_eor(&w, fam));
	n->ctr[BGP_C_UPDATE_OUT]++;
}

static void send_refresh(struct bgp_neighbor *n, enum bgp_fam fam, uint8_t subtype)
{
	uint8_t buf[64];
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, buf, sizeof(buf));
	conn_send(n->conn, buf, bgp_encode_route_refresh(&w, fam, subtype));
	n->ctr[BGP_C_REFRESH_OUT]++;
}

void bgp_session_announce(struct bgp_neighbor *n, const struct bgp_prefix *p, bool withdraw)
{
	if (n->fsm.state != BGP_ST_ESTABLISHED || !n->fam_up[p->fam] || !n->cfg.export_networks)
		return;
	send_prefixes(n, (enum bgp_fam)p->fam, p, 1, withdraw);
	conn_flush(n->conn);
}

int bgp_session_request_refresh(struct bgp_neighbor *n)
{
	if (n->fsm.state != BGP_ST_ESTABLISHED)
		return -ENOTCONN;
	if (!n->rr)
		return -EOPNOTSUPP;
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		if (n->fam_up[f])
			send_refresh(n, (enum bgp_fam)f, BGP_RR_REQUEST);
	conn_flush(n->conn);
	return 0;
}

/* ---- MD5 ---- */

int bgp_session_set_md5(const struct bgp_neighbor *n, int fd, uint8_t sock_fam)
{
	struct tcp_md5sig md;
	size_t klen = strlen(n->cfg.md5_key);

	memset(&md, 0, sizeof(md));
	if (n->cfg.addr_fam == BGP_FAM_V4 && sock_fam == BGP_FAM_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&md.tcpm_addr;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, n->cfg.addr, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&md.tcpm_addr;

		sin6->sin6_family = AF_INET6;
		if (n->cfg.addr_fam == BGP_FAM_V4) { /* IPv4 peer on a dual-stack socket */
			sin6->sin6_addr.s6_addr[10] = 0xff;
			sin6->sin6_addr.s6_addr[11] = 0xff;
			memcpy(&sin6->sin6_addr.s6_addr[12], n->cfg.addr, 4);
		} else {
			memcpy(&sin6->sin6_addr, n->cfg.addr, 16);
		}
	}
	md.tcpm_keylen = (uint16_t)klen;
	memcpy(md.tcpm_key, n->cfg.md5_key, klen);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md, sizeof(md)) < 0)
		return -errno;
	return 0;
}

/* ---- connection establishment ---- */

static void fill_sockaddr(uint8_t fam, const uint8_t *addr, uint16_t port,
			  struct sockaddr_storage *ss, socklen_t *sl)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == BGP_FAM_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
		*sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
		*sl = sizeof(*sin6);
	}
}

static void start_connect(struct bgp_neighbor *n)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, rc;
	struct bgp_conn *c;

	n->ctr[BGP_C_CONN_ATTEMPTS]++;
	fd = socket(n->cfg.addr_fam == BGP_FAM_V4 ? AF_INET : AF_INET6,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		bgp_log(BGP_LOG_ERR, "neighbor %s: socket: %s", n->name, strerror(errno));
		return; /* the ConnectRetry timer tries again */
	}
	if (n->cfg.md5_key[0] && (rc = bgp_session_set_md5(n, fd, n->cfg.addr_fam)) < 0)
		bgp_log(BGP_LOG_ERR, "neighbor %s: TCP_MD5SIG: %s", n->name, strerror(-rc));
	if (n->cfg.has_local_addr) {
		int one = 1;

		setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one));
		fill_sockaddr(n->cfg.addr_fam, n->cfg.local_addr, 0, &ss, &sl);
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
			bgp_log(BGP_LOG_WARN, "neighbor %s: bind: %s", n->name, strerror(errno));
	}
	fill_sockaddr(n->cfg.addr_fam, n->cfg.addr, n->cfg.port, &ss, &sl);
	rc = connect(fd, (struct sockaddr *)&ss, sl);
	c = conn_new(n, fd, true, true);
	if (!c)
		return;
	if (rc < 0 && errno != EINPROGRESS) {
		c->connect_errno = errno;
		event_active(c->ev_write, EV_WRITE, 0);
	}
	n->conn = c;
}

static void drop_conn(struct bgp_neighbor *n, bool also_pending)
{
	if (n->conn) {
		/* Push out what is queued (a NOTIFICATION) before closing. */
		if (!n->conn->connecting)
			conn_flush(n->conn);
		conn_close(n->conn);
		n->conn = NULL;
		n->conn_gen++;
	}
	if (also_pending && n->pending) {
		conn_close(n->pending);
		n->pending = NULL;
	}
}

/* ---- negotiation, establishment, release ---- */

static void negotiate(struct bgp_neighbor *n)
{
	const struct bgp_open *o = &n->peer_open;
	struct bgp_rib_peer info;

	n->hold = o->hold_time < n->cfg.hold_time ? o->hold_time : n->cfg.hold_time;
	if (n->hold) {
		n->keepalive = n->hold / 3;
		if (n->cfg.keepalive && n->cfg.keepalive < n->keepalive)
			n->keepalive = n->cfg.keepalive;
		if (!n->keepalive)
			n->keepalive = 1;
	} else {
		n->keepalive = 0;
	}
	n->ctx.as4 = n->cfg.as4 && o->as4;
	n->ctx.peer_as = n->cfg.remote_as;
	n->ctx.ebgp = n->cfg.remote_as != local_as(n);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		n->fam_up[f] = n->cfg.fam[f] && o->mp[f];
		n->ctx.fam[f] = n->fam_up[f];
	}
	/* Our own addresses, for the next hop check (RFC 4271 6.3 a): the
	 * session's local address, and the next hops we announce. */
	n->ctx.has_local4 = n->ctx.has_local6 = false;
	if (n->conn && n->conn->local_fam == BGP_FAM_V4) {
		n->ctx.has_local4 = true;
		memcpy(n->ctx.local4, n->conn->local_addr, 4);
	} else if (n->cfg.has_nexthop4) {
		n->ctx.has_local4 = true;
		memcpy(n->ctx.local4, n->cfg.nexthop4, 4);
	}
	if (n->conn && n->conn->local_fam == BGP_FAM_V6) {
		n->ctx.has_local6 = true;
		memcpy(n->ctx.local6, n->conn->local_addr, 16);
	} else if (n->cfg.has_nexthop6) {
		n->ctx.has_local6 = true;
		memcpy(n->ctx.local6, n->cfg.nexthop6, 16);
	}
	n->rr = o->route_refresh;
	n->err = o->route_refresh && o->enhanced_rr && n->cfg.enhanced_rr;
	n->rr_tokens = BGP_RR_BURST;
	n->rr_refill_ms = bgp_now_ms();
	memset(&info, 0, sizeof(info));
	info.ebgp = n->ctx.ebgp;
	info.router_id = o->bgp_id;
	info.addr_len = n->cfg.addr_fam == BGP_FAM_V4 ? 4 : 16;
	memcpy(info.addr, n->cfg.addr, info.addr_len);
	bgp_rib_set_peer(n->sp->rib, n->slot, &info);
}

static void gr_stop_waiting(struct bgp_neighbor *n, int fam, bool sweep)
{
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if ((fam >= 0 && f != fam) || !n->gr_waiting[f])
			continue;
		n->gr_waiting[f] = false;
		if (sweep)
			n->ctr[BGP_C_GR_STALE_SWEPT] += bgp_rib_sweep_stale(n->sp->rib, n->slot, f);
	}
	if (!n->gr_waiting[BGP_FAM_V4] && !n->gr_waiting[BGP_FAM_V6]) {
		evtimer_del(n->t_gr_stale);
		evtimer_del(n->t_gr_restart);
	}
}

static void established(struct bgp_neighbor *n)
{
	const struct bgp_open *o = &n->peer_open;

	n->ctr[BGP_C_ESTABLISHED]++;
	n->limit_warned = false;
	/* RFC 4724 4.2: stale routes of a restarted peer go now unless the new
	 * OPEN says forwarding state was kept; otherwise they wait for End-of-RIB. */
	evtimer_del(n->t_gr_restart);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!n->gr_waiting[f])
			continue;
		if (!(o->gr && o->gr_fam[f] && o->gr_fwd[f] && n->fam_up[f]))
			gr_stop_waiting(n, f, true);
	}
	if (n->gr_waiting[BGP_FAM_V4] || n->gr_waiting[BGP_FAM_V6])
		timer_start(n->t_gr_stale, n->cfg.stale_time, false);
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!n->fam_up[f])
			continue;
		announce_networks(n, (enum bgp_fam)f);
		send_eor(n, (enum bgp_fam)f);
	}
	conn_flush(n->conn);
}

/* Releases the session's routes (RFC 4271 "release all BGP resources"),
 * or keeps them stale when the peer is restarting gracefully (RFC 4724). */
static void release(struct bgp_neighbor *n, enum bgp_state from)
{
	struct bgp_rib *rib = n->sp->rib;
	const struct bgp_open *o = &n->peer_open;

	if (from == BGP_ST_ESTABLISHED) {
		bool gr = n->cfg.graceful_restart && o->gr && !n->notification_exchanged &&
			  o->gr_time > 0;

		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			if (gr && o->gr_fam[f] && n->fam_up[f]) {
				n->ctr[BGP_C_GR_STALE_MARKED] +=
				    bgp_rib_mark_stale(rib, n->slot, f);
				n->gr_waiting[f] = true;
			} else {
				bgp_rib_flush(rib, n->slot, f);
				n->gr_waiting[f] = false;
			}
		}
		if (n->gr_waiting[BGP_FAM_V4] || n->gr_waiting[BGP_FAM_V6]) {
			bgp_log(BGP_LOG_INFO,
				"neighbor %s: graceful restart, keeping routes stale for %us",
				n->name, o->gr_time);
			timer_start(n->t_gr_restart, o->gr_time, false);
		}
		n->flaps++;
	} else if (!evtimer_pending(n->t_gr_restart, NULL)) {
		gr_stop_waiting(n, -1, true);
	}
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		n->err_refreshing[f] = false;
		n->fam_up[f] = false;
		n->rr_pending[f] = false;
	}
	evtimer_del(n->t_err_stale);
	evtimer_del(n->t_refresh);
	bgp_adjout_clear(&n->adv);
}

/* ---- the FSM driver ---- */

static void run_actions(struct bgp_neighbor *n, const struct bgp_fsm_out *o,
			const struct bgp_err *err)
{
	uint32_t a = o->actions;

	if (a & BGP_A_SEND_NOTIFICATION) {
		struct bgp_err e;

		if (err && err->code == o->notify_code && err->subcode == o->notify_subcode)
			e = *err;
		else
			bgp_err_set(&e, o->notify_code, o->notify_subcode, NULL, 0);
		send_notification(n, n->conn, &e);
	}
	if (a & BGP_A_SEND_OPEN) {
		n->notification_exchanged = false;
		send_open(n, n->conn);
	}
	if (a & BGP_A_NEGOTIATE)
		negotiate(n);
	if (a & BGP_A_SEND_KEEPALIVE)
		send_keepalive(n);
	if (a & BGP_A_STOP_CONNRETRY)
		evtimer_del(n->t_connretry);
	if (a & BGP_A_START_CONNRETRY)
		timer_start(n->t_connretry, n->cfg.connect_retry, true);
	if (a & BGP_A_STOP_TIMERS) {
		evtimer_del(n->t_hold);
		evtimer_del(n->t_keepalive);
	}
	if (a & BGP_A_START_HOLD_LARGE)
		timer_start(n->t_hold, BGP_LARGE_HOLD, false);
	if (a & BGP_A_START_HOLD) {
		if (n->hold)
			timer_start(n->t_hold, n->hold, false);
		else
			evtimer_del(n->t_hold);
	}
	if ((a & BGP_A_START_KEEPALIVE) && n->keepalive)
		timer_start(n->t_keepalive, n->keepalive, true);
	if (a & BGP_A_DROP_TCP)
		drop_conn(n, o->to == BGP_ST_IDLE);
	if (a & BGP_A_RELEASE)
		release(n, o->from);
	if (a & BGP_A_ESTABLISHED)
		established(n);
	if (a & BGP_A_CONNECT)
		start_connect(n);
	if ((a & BGP_A_AUTO_RESTART) && !n->admin_down)
		timer_start(n->t_idlehold, n->cfg.idle_hold, false);
	if (n->conn && !n->conn->closed && !n->conn->connecting)
		conn_flush(n->conn);
}

static uint32_t fsm_event(struct bgp_neighbor *n, enum bgp_event ev, const struct bgp_err *err)
{
	struct bgp_fsm_out o;
	uint8_t code = err ? err->code : 0, sub = err ? err->subcode : 0;

	bgp_fsm_event(&n->fsm, ev, code, sub, &o);
	if (o.from != o.to)
		bgp_log(BGP_LOG_INFO, "neighbor %s: %s -> %s (%s)", n->name, bgp_state_name(o.from),
			bgp_state_name(o.to), bgp_event_name(ev));
	else
		bgp_log(BGP_LOG_DEBUG, "neighbor %s: %s in %s", n->name, bgp_event_name(ev),
			bgp_state_name(o.from));
	if ((o.actions & BGP_A_SEND_NOTIFICATION) && o.notify_code == BGP_ERR_FSM)
		n->ctr[BGP_C_ERR_FSM]++;
	run_actions(n, &o, err);
	if (o.from != o.to) {
		n->state_since_ms = bgp_now_ms();
		if (n->sp->hooks.session_changed)
			n->sp->hooks.session_changed(n->sp->hooks.ctx, &n->cfg, o.from, o.to);
	}
	return o.actions;
}

void bgp_session_event(struct bgp_neighbor *n, enum bgp_event ev, const struct bgp_err *err)
{
	fsm_event(n, ev, err);
}

/* ---- messages in ---- */

/* Checks an OPEN against the configuration (RFC 4271 6.2). */
static bool check_open(struct bgp_neighbor *n, const struct bgp_open *o, struct bgp_err *err)
{
	uint32_t peer_as = bgp_open_peer_as(o);

	if (peer_as != n->cfg.remote_as) {
		uint8_t d[2] = {(uint8_t)(o->my_as16 >> 8), (uint8_t)o->my_as16};

		bgp_err_set(err, BGP_ERR_OPEN, BGP_OPEN_BAD_AS, d, 2);
		return false;
	}
	/* RFC 6286: the identifier must differ from ours on an internal session. */
	if (n->cfg.remote_as == local_as(n) && o->bgp_id == n->sp->cfg.router_id) {
		bgp_err_set(err, BGP_ERR_OPEN, BGP_OPEN_BAD_ID, NULL, 0);
		return false;
	}
	return true;
}

static void withdraw_field(struct bgp_neighbor *n, struct bgp_cur c, enum bgp_fam fam)
{
	struct bgp_prefix p;

	while (bgp_nlri_next(&c, fam, &p)) {
		bgp_rib_withdraw(n->sp->rib, n->slot, &p);
		n->ctr[BGP_C_PREFIX_WITHDRAWN_IN]++;
	}
}

/* Interns attrs and imports every prefix of field c; false when the session
 * went down on the way (limit teardown, out of memory). */
static bool announce_field(struct bgp_neighbor *n, struct bgp_cur c, enum bgp_fam fam,
			   const uint8_t *nh, uint8_t nh_len)
{
	struct bgp_speaker *sp = n->sp;
	struct bgp_attrs *a =
	    bgp_attrs_intern(sp->attrs, &sp->upd->a, nh, nh_len, n->cfg.local_pref);
	struct bgp_prefix p;
	bool alive = true;

	if (!a) {
		struct bgp_err e;

		bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_OUT_OF_RESOURCES, NULL, 0);
		fsm_event(n, BGP_EV_ADMIN_CEASE, &e);
		return false;
	}
	if (bgp_aspath_contains(bgp_attrs_aspath(a), a->aspath_len, local_as(n))) {
		/* Our own AS in the path: a loop, never usable (RFC 4271 9.1.2). */
		while (bgp_nlri_next(&c, fam, &p)) {
			n->ctr[BGP_C_PREFIX_REJECTED_LOOP]++;
			bgp_rib_withdraw(sp->rib, n->slot, &p);
		}
		bgp_attrs_unref(sp->attrs, a);
		return true;
	}
	while (alive && bgp_nlri_next(&c, fam, &p))
		alive = bgp_speaker_import(n, &p, a);
	bgp_attrs_unref(sp->attrs, a);
	return alive;
}

static void process_update(struct bgp_neighbor *n, const uint8_t *body, size_t len)
{
	struct bgp_update *u = n->sp->upd;
	struct bgp_err err;
	uint32_t gen = n->conn_gen;

	if (!bgp_decode_update(body, len, &n->ctx, u, &err)) {
		n->ctr[BGP_C_ERR_UPDATE_RESET]++;
		bgp_log(BGP_LOG_WARN, "neighbor %s: malformed UPDATE, session reset", n->name);
		fsm_event(n, BGP_EV_UPDATE_ERR, &err);
		return;
	}
	if (u->discarded) {
		n->ctr[BGP_C_ERR_ATTR_DISCARD] += u->discarded;
		if (bgp_ratelimit_ok(&n->rl))
			bgp_log(BGP_LOG_WARN, "neighbor %s: attribute discarded: %s", n->name,
				u->why);
	}
	n->ctr[BGP_C_ERR_IGNORED_AFI] += u->ignored_fam;
	withdraw_field(n, u->withdrawn, BGP_FAM_V4);
	if (u->mp_unreach_fam >= 0)
		withdraw_field(n, u->mp_unreach, (enum bgp_fam)u->mp_unreach_fam);
	if (u->treat_as_withdraw) {
		/* RFC 7606 2: withdraw everything the message announced. */
		n->ctr[BGP_C_ERR_TREAT_AS_WITHDRAW]++;
		if (bgp_ratelimit_ok(&n->rl))
			bgp_log(BGP_LOG_WARN, "neighbor %s: UPDATE treated as withdraw: %s",
				n->name, u->why);
		withdraw_field(n, u->nlri, BGP_FAM_V4);
		if (u->mp_reach_fam >= 0)
			withdraw_field(n, u->mp_reach, (enum bgp_fam)u->mp_reach_fam);
		return;
	}
	if (u->n_nlri && !announce_field(n, u->nlri, BGP_FAM_V4, u->a.nexthop, 4))
		return;
	if (u->mp_reach_fam >= 0 && u->n_mp_reach &&
	    !announce_field(n, u->mp_reach, (enum bgp_fam)u->mp_reach_fam, u->mp_nh, u->mp_nh_len))
		return;
	if (gen != n->conn_gen)
		return;
	if (u->eor_fam >= 0) {
		n->ctr[BGP_C_EOR_IN]++;
		if (n->gr_waiting[u->eor_fam])
			gr_stop_waiting(n, u->eor_fam, true);
	}
}

/* Re-sends our Adj-RIB-Out of fam, framed by BoRR/EoRR when enhanced
 * (RFC 7313 4).  O(networks): the Adj-RIB-Out is a hash set. */
static void readvertise(struct bgp_neighbor *n, enum bgp_fam fam)
{
	if (n->err)
		send_refresh(n, fam, BGP_RR_BORR);
	announce_networks(n, fam);
	if (n->err)
		send_refresh(n, fam, BGP_RR_EORR);
}

/* Refills the refresh bucket: one token per BGP_RR_INTERVAL_MS, at most
 * BGP_RR_BURST.  Returns the ms until the next token when it is empty. */
static int64_t rr_refill(struct bgp_neighbor *n)
{
	int64_t now = bgp_now_ms(), earned = (now - n->rr_refill_ms) / BGP_RR_INTERVAL_MS;

	if (n->rr_tokens >= BGP_RR_BURST) {
		n->rr_refill_ms = now;
		return 0;
	}
	if (earned > 0) {
		n->rr_tokens += earned > BGP_RR_BURST ? BGP_RR_BURST : (unsigned)earned;
		if (n->rr_tokens > BGP_RR_BURST)
			n->rr_tokens = BGP_RR_BURST;
		n->rr_refill_ms += earned * BGP_RR_INTERVAL_MS;
	}
	return n->rr_tokens ? 0 : n->rr_refill_ms + BGP_RR_INTERVAL_MS - now;
}

static void rr_schedule(struct bgp_neighbor *n, int64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};

	if (!evtimer_pending(n->t_refresh, NULL))
		evtimer_add(n->t_refresh, &tv);
}

/* A peer's refresh request (RFC 2918 3), rate-limited: within the bucket
 * it is served at once; past it, requests for a family are coalesced into
 * one re-advertisement when the next token comes (on_refresh()).  The peer
 * gets every route it asked for, but a flood of requests costs a flag each. */
static void refresh_request(struct bgp_neighbor *n, enum bgp_fam fam)
{
	int64_t wait;

	if (n->rr_pending[fam]) {
		n->ctr[BGP_C_REFRESH_DEFERRED]++;
		return;
	}
	wait = rr_refill(n);
	if (wait == 0) {
		n->rr_tokens--;
		readvertise(n, fam);
		return;
	}
	n->ctr[BGP_C_REFRESH_DEFERRED]++;
	n->rr_pending[fam] = true;
	rr_schedule(n, wait);
}

static void on_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_neighbor *n = arg;

	if (n->fsm.state != BGP_ST_ESTABLISHED)
		return;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		int64_t wait;

		if (!n->rr_pending[f])
			continue;
		wait = rr_refill(n);
		if (wait) {
			rr_schedule(n, wait);
			return;
		}
		n->rr_tokens--;
		n->rr_pending[f] = false;
		readvertise(n, (enum bgp_fam)f);
		if (!n->conn || n->conn->closed)
			return;
	}
	if (n->conn && !n->conn->closed)
		conn_flush(n->conn);
}

/* The output queue overflowed (conn_send()): the peer does not drain what
 * we send.  Reset with Cease/8 "out of resources" (RFC 4486), restart later. */
static void on_outq(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_neighbor *n = arg;
	struct bgp_err e;

	if (!n->conn || n->conn->closed || !n->conn->overflow)
		return;
	n->ctr[BGP_C_OUTQ_RESET]++;
	bgp_log(BGP_LOG_WARN,
		"neighbor %s: not reading: %zu bytes queued, over max-output-queue %u; session "
		"reset (Cease/8)",
		n->name, evbuffer_get_length(n->conn->out), n->cfg.max_output_queue);
	/* What is queued will never be read; the NOTIFICATION goes first. */
	evbuffer_drain(n->conn->out, evbuffer_get_length(n->conn->out));
	bgp_err_set(&e, BGP_ERR_CEASE, BGP_CEASE_OUT_OF_RESOURCES, NULL, 0);
	fsm_event(n, BGP_EV_ADMIN_CEASE, &e);
	if (!n->admin_down)
		timer_start(n->t_idlehold, n->cfg.idle_hold, false);
}

static void process_refresh(struct bgp_neighbor *n, const struct bgp_route_refresh *rr)
{
	enum bgp_fam fam;

	if (!bgp_fam_from_afi(rr->afi, rr->safi, &fam) || !n->fam_up[fam]) {
		n->ctr[BGP_C_ERR_IGNORED_AFI]++; /* RFC 2918 4: ignore */
		return;
	}
	switch (rr->subtype) {
	case BGP_RR_REQUEST:
		refresh_request(n, fam);
		break;
	case BGP_RR_BORR:
		if (!n->err)
			break;
		/* Marking walks the whole table: nothing to walk for a peer
		 * without routes (a flood of BoRRs from it costs nothing). */
		if (bgp_rib_received(n->sp->rib, n->slot))
			bgp_rib_mark_stale(n->sp->rib, n->slot, fam);
		n->err_refreshing[fam] = true;
		timer_start(n->t_err_stale, n->cfg.stale_time, false);
		break;
	case BGP_RR_EORR:
		if (!n->err || !n->err_refreshing[fam])
			break;
		n->err_refreshing[fam] = false;
		/* XXX: a peer with routes sending BoRR/EoRR over and over costs a
		 * walk of the whole table each (the latency it causes others is
		 * bounded per event by BGP_READ_BUDGET_MS, its CPU is not); a
		 * per-peer route list in rib.c would make it O(its routes). */
		if (bgp_rib_received(n->sp->rib, n->slot))
			bgp_rib_sweep_stale(n->sp->rib, n->slot, fam);
		break;
	default:
		break; /* RFC 7313 5: unknown subtypes are ignored */
	}
}

static void resolve_collision(struct bgp_neighbor *n, struct bgp_conn *c);

/* Handles one message, msg[0..mlen) with its header (framed and checked
 * by bgp_decode_header()); c may be closed on return. */
static void handle_msg(struct bgp_conn *c, uint8_t type, const uint8_t *msg, size_t mlen)
{
	struct bgp_neighbor *n = c->nbr;
	struct bgp_err err;
	struct bgp_cur cur;
	const uint8_t *body;
	size_t len;

	bgp_cur_init(&cur, msg, mlen);
	if (!bgp_cur_skip(&cur, BGP_HDR_LEN))
		return; /* cannot happen: the header was decoded */
	body = bgp_cur_ptr(&cur);
	len = bgp_cur_left(&cur);

	if (c->pending) {
		/* Before the collision is resolved only OPEN matters (invariant 2). */
		if (type == BGP_MSG_OPEN && bgp_decode_open(body, len, &c->open, &err)) {
			n->ctr[BGP_C_OPEN_IN]++;
			resolve_collision(n, c);
		} else {
			if (type == BGP_MSG_OPEN)
				send_notification(n, c, &err);
			conn_close(c);
			n->pending = NULL;
		}
		return;
	}
	switch (type) {
	case BGP_MSG_OPEN:
		n->ctr[BGP_C_OPEN_IN]++;
		if (n->fsm.state != BGP_ST_OPENSENT) {
			fsm_event(n, BGP_EV_OPEN_RECV, NULL); /* an FSM error past OpenSent */
			return;
		}
		if (!bgp_decode_open(body, len, &n->peer_open, &err) ||
		    !check_open(n, &n->peer_open, &err)) {
			n->ctr[BGP_C_ERR_OPEN]++;
			bgp_log(BGP_LOG_WARN, "neighbor %s: bad OPEN: %s", n->name,
				bgp_err_subcode_name(err.code, err.subcode));
			fsm_event(n, BGP_EV_OPEN_ERR, &err);
			return;
		}
		fsm_event(n, BGP_EV_OPEN_RECV, NULL);
		break;
	case BGP_MSG_UPDATE:
		n->ctr[BGP_C_UPDATE_IN]++;
		if (fsm_event(n, BGP_EV_UPDATE_RECV, NULL) & BGP_A_PROCESS_UPDATE)
			process_update(n, body, len);
		break;
	case BGP_MSG_NOTIFICATION:
		n->ctr[BGP_C_NOTIFICATION_IN]++;
		if (!bgp_decode_notification(body, len, &err))
			bgp_err_set(&err, 0, 0, NULL, 0);
		n->err_recv = err;
		n->has_err_recv = true;
		n->notification_exchanged = true;
		bgp_log(BGP_LOG_WARN, "neighbor %s: received NOTIFICATION %u/%u (%s, %s)", n->name,
			err.code, err.subcode, bgp_err_code_name(err.code),
			bgp_err_subcode_name(err.code, err.subcode));
		fsm_event(n,
			  err.code == BGP_ERR_OPEN && err.subcode == BGP_OPEN_BAD_VERSION
			      ? BGP_EV_NOTIF_VERSION_ERR
			      : BGP_EV_NOTIF_RECV,
			  NULL);
		break;
	case BGP_MSG_KEEPALIVE:
		n->ctr[BGP_C_KEEPALIVE_IN]++;
		fsm_event(n, BGP_EV_KEEPALIVE_RECV, NULL);
		break;
	case BGP_MSG_ROUTE_REFRESH: {
		struct bgp_route_refresh rr;

		n->ctr[BGP_C_REFRESH_IN]++;
		if (!bgp_decode_route_refresh(msg, mlen, &rr, &err)) {
			n->ctr[BGP_C_ERR_REFRESH]++;
			fsm_event(n, BGP_EV_HEADER_ERR, &err);
			break;
		}
		if (fsm_event(n, BGP_EV_REFRESH_RECV, NULL) & BGP_A_PROCESS_REFRESH)
			process_refresh(n, &rr);
		break;
	}
	default:
		break; /* bgp_decode_header() let no other type through */
	}
}

/* RFC 4271 6.8: the connection opened by the side with the higher BGP
 * Identifier survives.  c is the pending connection whose OPEN arrived. */
static void resolve_collision(struct bgp_neighbor *n, struct bgp_conn *c)
{
	struct bgp_err err;
	bool keep_new;

	if (!check_open(n, &c->open, &err)) {
		send_notification(n, c, &err);
		conn_close(c);
		n->pending = NULL;
		return;
	}
	n->ctr[BGP_C_COLLISIONS]++;
	/* c was opened by the peer.  Keep it when the peer's identifier is
	 * higher, or when the current connection was opened by the peer too
	 * (then the newer one is the live one). */
	keep_new = !n->conn || !n->conn->outgoing || n->sp->cfg.router_id < c->open.bgp_id;
	bgp_err_set(&err, BGP_ERR_CEASE, BGP_CEASE_COLLISION, NULL, 0);
	if (!keep_new) {
		send_notification(n, c, &err);
		conn_close(c);
		n->pending = NULL;
		return;
	}
	if (n->conn) {
		send_notification(n, n->conn, &err);
		conn_close(n->conn);
		n->conn_gen++;
	}
	n->conn = c;
	n->pending = NULL;
	c->pending = false;
	n->peer_open = c->open;
	if (n->fsm.state == BGP_ST_OPENSENT) {
		fsm_event(n, BGP_EV_OPEN_RECV, NULL);
	} else {
		/* Already in OpenConfirm on the old connection: redo its entry actions. */
		negotiate(n);
		send_keepalive(n);
		if (n->keepalive)
			timer_start(n->t_keepalive, n->keepalive, true);
		if (n->hold)
			timer_start(n->t_hold, n->hold, false);
		conn_flush(c);
	}
}

static void conn_failed(struct bgp_conn *c)
{
	struct bgp_neighbor *n = c->nbr;

	if (c->pending) {
		conn_close(c);
		n->pending = NULL;
		return;
	}
	fsm_event(n, BGP_EV_TCP_FAILS, NULL);
}

/*
 * Handles the complete messages buffered in c->in, at most BGP_READ_BATCH of
 * them or BGP_READ_BUDGET_MS of work.  When that leaves complete messages
 * unhandled, the read event goes off (the peer's TCP window closes behind
 * it) and a zero timer brings us back after the event loop has served
 * everything else that is due: other neighbors, timers, the control socket,
 * signals.  So one peer's burst costs others at most one batch of latency.
 */
static void process_input(struct bgp_conn *c)
{
	struct bgp_neighbor *n = c->nbr;
	size_t off = 0;
	unsigned handled = 0;
	int64_t start = bgp_now_ms();
	bool more = false;

	while (c->in_len - off >= BGP_HDR_LEN) {
		uint8_t type;
		uint16_t mlen;
		struct bgp_err err;

		if (handled >= BGP_READ_BATCH ||
		    (handled && bgp_now_ms() - start >= BGP_READ_BUDGET_MS) || c->overflow) {
			more = true;
			break;
		}
		if (!bgp_decode_header(c->in + off, c->in_len - off, &type, &mlen, &err)) {
			if (c->pending) {
				conn_close(c);
				n->pending = NULL;
			} else {
				n->ctr[BGP_C_ERR_HEADER]++;
				fsm_event(n, BGP_EV_HEADER_ERR, &err);
			}
			return;
		}
		if (mlen > c->in_len - off)
			break;
		handle_msg(c, type, c->in + off, mlen);
		if (c->closed)
			return;
		off += mlen;
		handled++;
	}
	if (off) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	if (more) {
		struct timeval zero = {0, 0};

		if (!c->overflow) { /* an overflow is reset by on_outq() */
			n->ctr[BGP_C_READ_YIELDS]++;
			evtimer_add(c->ev_resume, &zero);
		}
		event_del(c->ev_read);
	} else {
		event_add(c->ev_read, NULL);
	}
	if (evbuffer_get_length(c->out))
		conn_flush(c);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_conn *c = arg;

	if (!c->closed)
		process_input(c);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_conn *c = arg;
	struct bgp_neighbor *n = c->nbr;
	ssize_t r;

	r = read(c->fd, c->in + c->in_len, BGP_INBUF_SIZE - c->in_len);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		if (!c->pending)
			bgp_log(BGP_LOG_INFO, "neighbor %s: connection %s", n->name,
				r == 0 ? "closed by peer" : strerror(errno));
		conn_failed(c);
		return;
	}
	if (r < 0)
		return;
	c->in_len += (size_t)r;
	n->last_read_ms = bgp_now_ms();
	process_input(c);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_conn *c = arg;
	struct bgp_neighbor *n = c->nbr;

	if (c->connecting) {
		int soerr = c->connect_errno;
		socklen_t sl = sizeof(soerr);

		if (!soerr && getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			soerr = errno;
		if (soerr) {
			bgp_log(BGP_LOG_DEBUG, "neighbor %s: connect: %s", n->name,
				strerror(soerr));
			fsm_event(n, BGP_EV_TCP_FAILS, NULL);
			return;
		}
		c->connecting = false;
		event_del(c->ev_write);
		event_add(c->ev_read, NULL);
		conn_local_addr(c);
		fsm_event(n, BGP_EV_TCP_CONNECTED, NULL);
		return;
	}
	conn_flush(c);
}

void bgp_session_incoming(struct bgp_neighbor *n, int fd)
{
	struct bgp_conn *c;

	n->ctr[BGP_C_CONN_ACCEPTED]++;
	if (n->fsm.state == BGP_ST_ESTABLISHED && n->cfg.graceful_restart && n->peer_open.gr) {
		/* RFC 4724 4.2: a new connection from a restarting peer ends the old
		 * session as if TCP had failed, keeping its routes stale. */
		bgp_log(BGP_LOG_INFO,
			"neighbor %s: new connection while established: peer restarted", n->name);
		fsm_event(n, BGP_EV_TCP_FAILS, NULL);
		evtimer_del(n->t_idlehold);
		fsm_event(n, BGP_EV_AUTO_START, NULL);
	}
	switch (n->fsm.state) {
	case BGP_ST_CONNECT:
	case BGP_ST_ACTIVE:
		drop_conn(n, true); /* our own attempt, if any, loses to a working connection */
		c = conn_new(n, fd, false, false);
		if (!c)
			return;
		n->conn = c;
		fsm_event(n, BGP_EV_TCP_CONNECTED, NULL);
		break;
	case BGP_ST_OPENSENT:
	case BGP_ST_OPENCONFIRM:
		if (n->pending) {
			conn_close(n->pending);
			n->pending = NULL;
		}
		c = conn_new(n, fd, false, false);
		if (!c)
			return;
		c->pending = true;
		n->pending = c;
		send_open(n, c);
		conn_flush(c);
		break;
	default: /* Idle (not started or waiting to restart), Established: refuse */
		n->ctr[BGP_C_CONN_REJECTED]++;
		close(fd);
		break;
	}
}

/* ---- timers ---- */

static void on_connretry(evutil_socket_t fd, short what, void *arg)
{
	fsm_event(arg, BGP_EV_CONNRETRY_EXPIRES, NULL);
}

static void on_hold(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_neighbor *n = arg;

	n->ctr[BGP_C_HOLD_EXPIRED]++;
	bgp_log(BGP_LOG_WARN, "neighbor %s: hold timer expired", n->name);
	fsm_event(n, BGP_EV_HOLD_EXPIRES, NULL);
}

static void on_keepalive(evutil_socket_t fd, short what, void *arg)
{
	fsm_event(arg, BGP_EV_KEEPALIVE_EXPIRES, NULL);
}

static void on_idlehold(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_neighbor *n = arg;

	if (!n->admin_down)
		fsm_event(n, BGP_EV_AUTO_START, NULL);
}

static void on_limit_restart(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_neighbor *n = arg;

	n->admin_down = false;
	bgp_log(BGP_LOG_INFO, "neighbor %s: restarting after the prefix limit delay", n->name);
	fsm_event(n, BGP_EV_AUTO_START, NULL);
}

static void on_gr_restart(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_neighbor *n = arg;

	if (n->fsm.state != BGP_ST_ESTABLISHED) {
		bgp_log(BGP_LOG_INFO, "neighbor %s: restart time over, dropping stale routes",
			n->name);
		gr_stop_waiting(n, -1, true);
	}
}

static void on_gr_stale(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_neighbor *n = arg;

	bgp_log(BGP_LOG_INFO, "neighbor %s: no End-of-RIB in time, dropping stale routes", n->name);
	gr_stop_waiting(n, -1, true);
}

static void on_err_stale(evutil_socket_t fd, short what, void *arg)
{
	struct bgp_neighbor *n = arg;

	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (n->err_refreshing[f]) {
			n->err_refreshing[f] = false;
			bgp_rib_sweep_stale(n->sp->rib, n->slot, f);
		}
	}
}

struct bgp_neighbor *bgp_session_create(struct bgp_speaker *sp, uint16_t slot,
					const struct bgp_neighbor_config *nc)
{
	struct bgp_neighbor *n = calloc(1, sizeof(*n));
	char a[64];

	if (!n)
		return NULL;
	n->sp = sp;
	n->slot = slot;
	n->cfg = *nc;
	inet_ntop(nc->addr_fam == BGP_FAM_V4 ? AF_INET : AF_INET6, nc->addr, a, sizeof(a));
	snprintf(n->name, sizeof(n->name), "%s", a);
	bgp_fsm_init(&n->fsm, nc->passive);
	n->state_since_ms = bgp_now_ms();
	n->t_connretry = evtimer_new(sp->base, on_connretry, n);
	n->t_hold = evtimer_new(sp->base, on_hold, n);
	n->t_keepalive = evtimer_new(sp->base, on_keepalive, n);
	n->t_idlehold = evtimer_new(sp->base, on_idlehold, n);
	n->t_limit_restart = evtimer_new(sp->base, on_limit_restart, n);
	n->t_gr_restart = evtimer_new(sp->base, on_gr_restart, n);
	n->t_gr_stale = evtimer_new(sp->base, on_gr_stale, n);
	n->t_err_stale = evtimer_new(sp->base, on_err_stale, n);
	n->t_refresh = evtimer_new(sp->base, on_refresh, n);
	n->t_outq = evtimer_new(sp->base, on_outq, n);
	bgp_adjout_init(&n->adv);
	if (!n->t_connretry || !n->t_hold || !n->t_keepalive || !n->t_idlehold ||
	    !n->t_limit_restart || !n->t_gr_restart || !n->t_gr_stale || !n->t_err_stale ||
	    !n->t_refresh || !n->t_outq) {
		bgp_session_destroy(n);
		return NULL;
	}
	return n;
}

void bgp_session_destroy(struct bgp_neighbor *n)
{
	if (!n)
		return;
	struct event **timers[] = {
	    &n->t_connretry,  &n->t_hold,     &n->t_keepalive, &n->t_idlehold, &n->t_limit_restart,
	    &n->t_gr_restart, &n->t_gr_stale, &n->t_err_stale, &n->t_refresh,  &n->t_outq};

	drop_conn(n, true);
	for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
		if (*timers[i])
			event_free(*timers[i]);
	bgp_adjout_fini(&n->adv);
	free(n);
}
