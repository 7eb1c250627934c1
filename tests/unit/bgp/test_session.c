/*
 * Unit tests of bgp/session.c and speaker.c against a hostile raw peer over
 * loopback, without privileges (127.0.0.1 = the speaker, 127.0.0.3 = the
 * peer, unprivileged ports derived from the PID):
 *
 *   - a ROUTE-REFRESH flood: the event loop keeps serving a 10 ms timer
 *     (input is handled in bounded batches), the re-advertisements are
 *     rate-limited and coalesced, each costs O(networks);
 *   - a peer that stops reading: the output queue stays under
 *     max-output-queue and the session is reset with Cease/8;
 *   - a connection burst: lingering sockets per address are capped, and
 *     accept() out of descriptors pauses the listener instead of spinning;
 *   - the control socket shows an AS path of 1,000 ASes whole, and drops
 *     clients that never finish their command;
 *   - a malformed ROUTE-REFRESH: the NOTIFICATION data is the whole message.
 *
 * Each Criterion case runs in its own process, so a lowered RLIMIT_NOFILE
 * stays in its case.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bgp/ctl.h"
#include "bgp/speaker.h"

#define PEER_AS 65001u
#define PEER_ADDR "127.0.0.3" /* not test_speaker.c's 127.0.0.2: its binds never meet ours */

/* Listening ports above the kernel's ephemeral range (32768-60999) and the
 * ports test_speaker.c uses, so no client socket or other case takes them. */
static uint16_t port_base(int k)
{
	return (uint16_t)(61000 + (getpid() * 7 + k * 2) % 4000);
}

static void spin(struct event_base *base, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static json_t *ctl(struct bgp_speaker *sp, const char *line)
{
	char *s = bgp_ctl_command(sp, line);
	json_t *j = json_loads(s, 0, NULL);

	free(s);
	cr_assert_not_null(j);
	return j;
}

static json_t *nbr_json(struct bgp_speaker *sp)
{
	json_t *a = ctl(sp, "neighbors");
	json_t *n = json_incref(json_array_get(a, 0));

	json_decref(a);
	return n;
}

static long long counter(struct bgp_speaker *sp, const char *name)
{
	json_t *n = nbr_json(sp);
	long long v = json_integer_value(json_object_get(json_object_get(n, "counters"), name));

	json_decref(n);
	return v;
}

static char *state(struct bgp_speaker *sp)
{
	json_t *n = nbr_json(sp);
	char *s = strdup(json_string_value(json_object_get(n, "state")));

	json_decref(n);
	return s;
}

/* A speaker on 127.0.0.1:port with one passive neighbor PEER_ADDR and
 * nets IPv4 networks 10.x.y.0/24 (exported). */
static struct bgp_speaker *speaker(struct event_base *base, uint16_t port, int nets,
				   uint32_t max_outq)
{
	struct bgp_speaker_config c;
	struct bgp_neighbor_config n;
	struct bgp_speaker *sp;

	bgp_speaker_config_defaults(&c);
	c.router_id = 0x7f000001;
	c.listen_port = port;
	c.n_listen = 1;
	c.listen[0].fam = BGP_FAM_V4;
	inet_pton(AF_INET, "127.0.0.1", c.listen[0].addr);
	sp = bgp_speaker_create(base, &c, NULL);
	cr_assert_not_null(sp);
	cr_assert_eq(bgp_speaker_listen(sp), 0);
	for (int i = 0; i < nets; i++) {
		struct bgp_prefix p = {.fam = BGP_FAM_V4, .len = 24};

		p.addr[0] = 10;
		p.addr[1] = (uint8_t)(i >> 8);
		p.addr[2] = (uint8_t)i;
		cr_assert_eq(bgp_speaker_network_add(sp, &p), 0);
	}
	bgp_neighbor_config_defaults(&n);
	n.addr_fam = BGP_FAM_V4;
	inet_pton(AF_INET, PEER_ADDR, n.addr);
	n.remote_as = PEER_AS;
	n.passive = true;
	n.import_accept = n.export_networks = true;
	n.has_nexthop4 = true;
	inet_pton(AF_INET, "192.0.2.1", n.nexthop4);
	n.idle_hold = 60; /* no restart within a test */
	n.enhanced_rr = false;
	if (max_outq)
		n.max_output_queue = max_outq;
	cr_assert_eq(bgp_speaker_neighbor_add(sp, &n), 0);
	return sp;
}

static int peer_connect(uint16_t port, int rcvbuf)
{
	struct sockaddr_in src = {.sin_family = AF_INET},
			   dst = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	inet_pton(AF_INET, PEER_ADDR, &src.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	cr_assert_eq(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&dst, sizeof(dst)), 0, "%s", strerror(errno));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* Writes all of buf, running the speaker's loop while the socket is full. */
static void put(struct event_base *base, int fd, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	for (int i = 0; off < len && i < 20000; i++) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w > 0)
			off += (size_t)w;
		else
			spin(base, 1);
	}
	cr_assert_eq(off, len);
}

/* Reads and discards what the speaker sent; returns the bytes read and
 * copies the first NOTIFICATION seen (if any) into notif. */
static size_t drain(int fd, uint8_t *notif, size_t *notif_len)
{
	static uint8_t buf[1 << 16];
	static size_t have;
	size_t total = 0;
	ssize_t r;

	while ((r = read(fd, buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)r;
		total += (size_t)r;
		while (have >= 19) {
			size_t ml = (size_t)buf[16] << 8 | buf[17];

			if (ml < 19 || have < ml)
				break;
			if (buf[18] == BGP_MSG_NOTIFICATION && notif && !*notif_len) {
				memcpy(notif, buf, ml);
				*notif_len = ml;
			}
			memmove(buf, buf + ml, have - ml);
			have -= ml;
		}
	}
	return total;
}

static bool is_state(struct bgp_speaker *sp, const char *want)
{
	char *s = state(sp);
	bool eq = strcmp(s, want) == 0;

	free(s);
	return eq;
}

/* Brings a session up from a raw peer: OPEN, KEEPALIVE. */
static int establish(struct event_base *base, struct bgp_speaker *sp, uint16_t port, int rcvbuf)
{
	uint8_t buf[128];
	struct bgp_wbuf w;
	struct bgp_open o = {
	    .as4 = true, .as4_value = PEER_AS, .hold_time = 30, .bgp_id = 0x7f000002};
	int fd = peer_connect(port, rcvbuf);

	o.mp[BGP_FAM_V4] = o.mp[BGP_FAM_V6] = true;
	o.route_refresh = true;
	bgp_wbuf_init(&w, buf, sizeof(buf));
	put(base, fd, buf, bgp_encode_open(&w, &o));
	bgp_wbuf_init(&w, buf, sizeof(buf));
	put(base, fd, buf, bgp_encode_keepalive(&w));
	for (int i = 0; i < 200 && !is_state(sp, "Established"); i++) {
		spin(base, 10);
		drain(fd, NULL, NULL);
	}
	cr_assert(is_state(sp, "Established"));
	return fd;
}

static size_t refreshes(uint8_t *buf, size_t count)
{
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, buf, count * BGP_ROUTE_REFRESH_LEN);
	for (size_t i = 0; i < count; i++)
		bgp_encode_route_refresh(&w, BGP_FAM_V4, BGP_RR_REQUEST);
	return w.len;
}

static void teardown(struct event_base *base, struct bgp_speaker *sp)
{
	bgp_speaker_destroy(sp);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
}

/* ---- ROUTE-REFRESH flood ---- */

struct ticker {
	struct event *ev;
	int64_t last_ms, max_gap_ms;
	bool armed;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct ticker *t = arg;
	int64_t now = now_ms();

	if (t->armed && now - t->last_ms > t->max_gap_ms)
		t->max_gap_ms = now - t->last_ms;
	t->last_ms = now;
	t->armed = true;
}

Test(session, refresh_flood_is_batched_and_rate_limited, .timeout = 60)
{
	struct event_base *base = event_base_new();
	uint16_t port = port_base(0);
	struct bgp_speaker *sp = speaker(base, port, 1000, 0);
	int fd = establish(base, sp, port, 0);
	enum { FLOOD = 20000 };
	static uint8_t flood[FLOOD * BGP_ROUTE_REFRESH_LEN];
	size_t len = refreshes(flood, FLOOD), off = 0;
	struct ticker t = {0};
	struct timeval ten = {0, 10000};
	long long ann0 = counter(sp, "prefixes-announced-out");
	int64_t start = now_ms();

	/* A 10 ms timer stands for everything else the loop serves (hold
	 * timers, other peers): the flood must not hold it up for long. */
	t.ev = event_new(base, -1, EV_PERSIST, on_tick, &t);
	event_add(t.ev, &ten);
	while (off < len) {
		ssize_t w = write(fd, flood + off, len - off);

		if (w > 0)
			off += (size_t)w;
		spin(base, 5);
		drain(fd, NULL, NULL);
	}
	for (int i = 0; i < 100 && counter(sp, "route-refresh-in") < FLOOD; i++) {
		spin(base, 10);
		drain(fd, NULL, NULL);
	}
	int64_t elapsed = now_ms() - start;
	long long in = counter(sp, "route-refresh-in");
	long long deferred = counter(sp, "route-refresh-deferred");
	long long ann = counter(sp, "prefixes-announced-out") - ann0;
	long long yields = counter(sp, "input-yields");

	cr_assert_eq(in, FLOOD);
	cr_assert(is_state(sp, "Established"));
	/* Rate limit: a burst of 4, then one per 500 ms, the rest coalesced. */
	cr_assert_leq(ann, 1000LL * (4 + elapsed / 500 + 2), "announced %lld in %lld ms", ann,
		      (long long)elapsed);
	cr_assert_geq(deferred, FLOOD - 4 - elapsed / 500 - 2);
	/* Bounded batches: the input was taken in several slices. */
	cr_assert_gt(yields, 0);
	cr_assert_lt(t.max_gap_ms, 250, "the loop stalled for %lld ms", (long long)t.max_gap_ms);
	event_free(t.ev);
	close(fd);
	teardown(base, sp);
}

/* ---- a peer that does not read ---- */

/* Shrinks the send buffer of the speaker's end of the connection whose
 * peer end is peer_fd (same process): the kernel's buffers only delay the
 * bound (loopback autotuning would let them absorb megabytes first). */
static void shrink_speaker_sndbuf(int peer_fd)
{
	struct sockaddr_in me, want;
	socklen_t sl = sizeof(want);
	int small = 4096, found = 0;

	cr_assert_eq(getsockname(peer_fd, (struct sockaddr *)&want, &sl), 0);
	for (int fd = 0; fd < 1024; fd++) {
		struct sockaddr_in peer;
		socklen_t pl = sizeof(peer);

		sl = sizeof(me);
		if (fd == peer_fd || getpeername(fd, (struct sockaddr *)&peer, &pl) < 0 ||
		    peer.sin_family != AF_INET || peer.sin_port != want.sin_port ||
		    peer.sin_addr.s_addr != want.sin_addr.s_addr)
			continue;
		cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
		found++;
	}
	cr_assert_eq(found, 1);
}

Test(session, output_queue_is_bounded_then_cease_8, .timeout = 90)
{
	struct event_base *base = event_base_new();
	uint16_t port = port_base(1);
	struct bgp_speaker *sp = speaker(base, port, 1000, BGP_MIN_MAX_OUTQ);
	int fd = establish(base, sp, port, 4096);
	uint8_t rr[10 * BGP_ROUTE_REFRESH_LEN + BGP_KEEPALIVE_LEN];
	size_t len = refreshes(rr, 10);
	struct bgp_wbuf kw;

	/* Refreshes, and a KEEPALIVE so that the hold timer is not what ends it. */
	bgp_wbuf_init(&kw, rr + len, BGP_KEEPALIVE_LEN);
	len += bgp_encode_keepalive(&kw);
	shrink_speaker_sndbuf(fd);
	long long max_q = 0;
	char *st = NULL;

	/* From now on the peer only writes. */
	for (int i = 0; i < 1200; i++) {
		json_t *n = nbr_json(sp);
		long long q = json_integer_value(json_object_get(n, "output-queue-bytes"));

		json_decref(n);
		if (q > max_q)
			max_q = q;
		if (getenv("OVB_DEBUG") && i % 20 == 0)
			fprintf(stderr, "q %lld ann %lld\n", q,
				counter(sp, "prefixes-announced-out"));
		if (counter(sp, "output-queue-resets") > 0)
			break;
		if (write(fd, rr, len) < 0 && errno != EAGAIN)
			break;
		spin(base, 50);
	}
	cr_assert_eq(counter(sp, "output-queue-resets"), 1);
	cr_assert_leq(max_q, BGP_MIN_MAX_OUTQ);
	st = state(sp);
	cr_assert_str_neq(st, "Established");
	free(st);
	json_t *n = nbr_json(sp);
	json_t *e = json_object_get(n, "last-notification-sent");

	cr_assert_eq(json_integer_value(json_object_get(e, "code")), BGP_ERR_CEASE);
	cr_assert_eq(json_integer_value(json_object_get(e, "subcode")), BGP_CEASE_OUT_OF_RESOURCES);
	json_decref(n);
	close(fd);
	teardown(base, sp);
}

/* ---- connection bursts ---- */

static long long summary_int(struct bgp_speaker *sp, const char *key)
{
	json_t *j = ctl(sp, "summary");
	long long v = json_integer_value(json_object_get(j, key));

	json_decref(j);
	return v;
}

Test(session, lingering_sockets_per_address_are_capped, .timeout = 60)
{
	struct event_base *base = event_base_new();
	uint16_t port = port_base(2);
	struct bgp_speaker *sp = speaker(base, port, 1, 0);
	int fds[60];

	/* Each new connection from the neighbor replaces the previous one,
	 * which lingers (half-closed, waiting for our FIN to be answered). */
	for (int i = 0; i < 60; i++) {
		fds[i] = peer_connect(port, 0);
		spin(base, 5);
	}
	spin(base, 50);
	cr_assert_leq(summary_int(sp, "lingering-sockets"), 4);
	for (int i = 0; i < 60; i++)
		close(fds[i]);
	teardown(base, sp);
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

Test(session, accept_out_of_descriptors_pauses_instead_of_spinning, .timeout = 60)
{
	struct event_base *base = event_base_new();
	uint16_t port = port_base(3);
	struct bgp_speaker *sp = speaker(base, port, 1, 0);
	int pipefd[2];
	pid_t child;
	struct rlimit old, low;
	char c;

	cr_assert_eq(pipe(pipefd), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		/* The attacker: 40 connections held open until told to stop. */
		for (int i = 0; i < 40; i++) {
			struct sockaddr_in src = {.sin_family = AF_INET},
					   dst = {.sin_family = AF_INET, .sin_port = htons(port)};
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			inet_pton(AF_INET, PEER_ADDR, &src.sin_addr);
			inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
			bind(fd, (struct sockaddr *)&src, sizeof(src));
			fcntl(fd, F_SETFL, O_NONBLOCK);
			connect(fd, (struct sockaddr *)&dst, sizeof(dst));
		}
		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	/* Leave the speaker two descriptors to spare: the burst exhausts them. */
	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = (rlim_t)open_fds() + 2;
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	spin(base, 500);
	double cpu0 = cpu_seconds();

	spin(base, 2000);
	double cpu = cpu_seconds() - cpu0;

	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	long long pauses = summary_int(sp, "accept-pauses");

	close(pipefd[1]);
	waitpid(child, NULL, 0);
	cr_assert_geq(pauses, 1, "accept never ran out of descriptors");
	cr_assert_leq(pauses, 5, "%lld pauses in 2.5 s", pauses);
	cr_assert_lt(cpu, 0.5, "%.2f CPU seconds in 2 s: accept() spins", cpu);
	teardown(base, sp);
}

/* ---- the AS path on the control socket, and the ROUTE-REFRESH error ---- */

Test(session, long_as_path_shown_whole, .timeout = 30)
{
	struct event_base *base = event_base_new();
	uint16_t port = port_base(4);
	struct bgp_speaker *sp = speaker(base, port, 1, 0);
	int fd = establish(base, sp, port, 0);
	static uint8_t msg[BGP_MAX_LEN], path[4100];
	struct bgp_wbuf w, pw;
	struct bgp_out_attrs a = {.origin = BGP_ORIGIN_IGP};
	struct bgp_prefix p = {.fam = BGP_FAM_V4, .len = 24, .addr = {198, 51, 100}};
	size_t msglen;
	const int ases = 1000;

	/* 1,000 ASes: the peer's, then 999 x 4294967295 (10 digits each). */
	bgp_wbuf_init(&pw, path, sizeof(path));
	for (int left = ases; left > 0; left -= 250) {
		bgp_put_u8(&pw, BGP_AS_SEQUENCE);
		bgp_put_u8(&pw, (uint8_t)(left < 250 ? left : 250));
		for (int i = 0; i < (left < 250 ? left : 250); i++)
			bgp_put_u32(&pw, left == ases && i == 0 ? PEER_AS : 0xffffffffu);
	}
	a.aspath = path;
	a.aspath_len = (uint16_t)pw.len;
	inet_pton(AF_INET, "192.0.2.99", a.nexthop4);
	bgp_wbuf_init(&w, msg, sizeof(msg));
	cr_assert_eq(bgp_encode_update(&w, BGP_FAM_V4, &a, true, &p, 1, &msglen), 1);
	put(base, fd, msg, msglen);
	json_t *r = NULL;

	for (int i = 0; i < 200; i++) {
		spin(base, 10);
		drain(fd, NULL, NULL);
		r = ctl(sp, "routes received");
		if (json_array_size(r))
			break;
		json_decref(r);
		r = NULL;
	}
	cr_assert_not_null(r);
	const char *text = json_string_value(json_object_get(json_array_get(r, 0), "as-path"));

	cr_assert_not_null(text);
	cr_assert_eq(strlen(text), strlen("65001") + (size_t)(ases - 1) * 11, "%zu chars",
		     strlen(text));
	cr_assert_str_eq(text + strlen(text) - 11, " 4294967295");
	json_decref(r);
	close(fd);
	teardown(base, sp);
}

Test(session, bad_route_refresh_notification_carries_the_message, .timeout = 30)
{
	struct event_base *base = event_base_new();
	uint16_t port = port_base(5);
	struct bgp_speaker *sp = speaker(base, port, 1, 0);
	int fd = establish(base, sp, port, 0);
	uint8_t bad[BGP_HDR_LEN + 600], notif[BGP_MAX_LEN];
	size_t nlen = 0;

	memset(bad, 0xff, 16);
	bad[16] = (uint8_t)(sizeof(bad) >> 8);
	bad[17] = (uint8_t)sizeof(bad);
	bad[18] = BGP_MSG_ROUTE_REFRESH;
	for (size_t i = BGP_HDR_LEN; i < sizeof(bad); i++)
		bad[i] = (uint8_t)i;
	bad[19] = 0, bad[20] = 1, bad[21] = 0, bad[22] = 1;
	put(base, fd, bad, sizeof(bad));
	for (int i = 0; i < 100 && !nlen; i++) {
		spin(base, 10);
		drain(fd, notif, &nlen);
	}
	/* RFC 7313 5: 7/1, data = the complete message (619 bytes > the old 256). */
	cr_assert_eq(nlen, BGP_HDR_LEN + 2 + sizeof(bad));
	cr_assert_eq(notif[19], BGP_ERR_ROUTE_REFRESH);
	cr_assert_eq(notif[20], BGP_RR_BAD_LEN);
	cr_assert_eq(memcmp(notif + 21, bad, sizeof(bad)), 0);
	close(fd);
	teardown(base, sp);
}

/* ---- the control socket ---- */

Test(session, idle_control_clients_are_dropped, .timeout = 40)
{
	struct event_base *base = event_base_new();
	uint16_t port = port_base(6);
	struct bgp_speaker *sp = speaker(base, port, 1, 0);
	char path[64];
	struct bgp_ctl *c;
	int fds[20];

	snprintf(path, sizeof(path), "/tmp/ovbgpt%d.sock", (int)getpid());
	c = bgp_ctl_create(base, sp, path);
	cr_assert_not_null(c);
	for (int i = 0; i < 20; i++) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};

		strcpy(sun.sun_path, path);
		fds[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		cr_assert_eq(connect(fds[i], (struct sockaddr *)&sun, sizeof(sun)), 0);
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
		spin(base, 10); /* accepted before the backlog (16) fills */
	}
	/* Half a command, never finished: each holds a descriptor until the
	 * read timeout (10 s) drops it. */
	for (int i = 0; i < 20; i++)
		cr_assert_eq(write(fds[i], "summ", 4), 4);
	spin(base, 11500);
	for (int i = 0; i < 20; i++) {
		char b[16];

		cr_assert_eq(read(fds[i], b, sizeof(b)), 0, "client %d still connected", i);
		close(fds[i]);
	}
	bgp_ctl_destroy(c);
	teardown(base, sp);
}
