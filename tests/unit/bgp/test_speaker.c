/*
 * Unit tests of bgp/speaker.c, session.c and ctl.c without privileges: the
 * EC-5 neighbor limit, argument checks, the control commands, and two
 * speakers in one process talking BGP over loopback (127.0.0.1 <-> 127.0.0.2
 * on unprivileged ports): session up, routes both ways, withdrawal, the
 * prefix limit and its timed restart; and collision detection (RFC 4271
 * 6.8) against raw sockets, both ways of the BGP Identifier comparison.
 */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgp/ctl.h"
#include "bgp/speaker.h"

static struct bgp_neighbor_config nbr(const char *addr4, uint32_t as)
{
	struct bgp_neighbor_config n;

	bgp_neighbor_config_defaults(&n);
	n.addr_fam = BGP_FAM_V4;
	cr_assert(inet_pton(AF_INET, addr4, n.addr) == 1);
	n.remote_as = as;
	n.passive = true; /* never connects anywhere */
	return n;
}

static json_t *cmd(struct bgp_speaker *sp, const char *line)
{
	char *s = bgp_ctl_command(sp, line);
	json_t *j = json_loads(s, 0, NULL);

	free(s);
	cr_assert_not_null(j);
	return j;
}

Test(speaker, neighbor_limit_and_arguments)
{
	struct event_base *base = event_base_new();
	struct bgp_speaker_config c;
	struct bgp_speaker *sp;
	char a[32];

	bgp_speaker_config_defaults(&c);
	c.router_id = 0x7f000001;
	sp = bgp_speaker_create(base, &c, NULL);
	cr_assert_not_null(sp);
	for (int i = 0; i < 8; i++) {
		struct bgp_neighbor_config n;

		snprintf(a, sizeof(a), "127.0.1.%d", i + 1);
		n = nbr(a, 65001);
		cr_assert_eq(bgp_speaker_neighbor_add(sp, &n), 0);
	}
	struct bgp_neighbor_config n9 = nbr("127.0.1.99", 65001);
	cr_assert_eq(bgp_speaker_neighbor_add(sp, &n9), -ENOSPC); /* EC-5: 8 per VBR */
	struct bgp_neighbor_config dup = nbr("127.0.1.1", 65001);
	cr_assert_eq(bgp_speaker_neighbor_remove(sp, BGP_FAM_V4, n9.addr), -ENOENT);
	cr_assert_eq(bgp_speaker_neighbor_remove(sp, BGP_FAM_V4, dup.addr), 0);
	cr_assert_eq(bgp_speaker_neighbor_add(sp, &n9), 0);
	cr_assert_eq(bgp_speaker_neighbor_add(sp, &n9), -EEXIST);
	struct bgp_neighbor_config bad = nbr("127.0.2.1", 0);
	cr_assert_eq(bgp_speaker_neighbor_add(sp, &bad), -EINVAL);
	bad = nbr("127.0.2.1", 4200000000u);
	bad.as4 = false;
	cr_assert_eq(bgp_speaker_neighbor_add(sp, &bad), -EINVAL);
	bad = nbr("127.0.2.1", 65001);
	bad.max_output_queue = BGP_MIN_MAX_OUTQ - 1; /* no room for a re-advertisement */
	cr_assert_eq(bgp_speaker_neighbor_add(sp, &bad), -EINVAL);

	json_t *j = cmd(sp, "summary");
	cr_assert_eq(json_integer_value(json_object_get(j, "neighbors-configured")), 8);
	cr_assert_eq(json_integer_value(json_object_get(j, "asn")), 45104);
	json_decref(j);
	j = cmd(sp, "neighbors");
	cr_assert_eq(json_array_size(j), 8);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "state")),
			 "Active");
	json_decref(j);
	j = cmd(sp, "bogus");
	cr_assert_not_null(json_object_get(j, "error"));
	json_decref(j);
	j = cmd(sp, "routes received 10.9.9.9");
	cr_assert_not_null(json_object_get(j, "error"));
	json_decref(j);
	j = cmd(sp, "network add 10.0.0.0/8");
	cr_assert(json_is_true(json_object_get(j, "ok")));
	json_decref(j);
	j = cmd(sp, "network add 10.0.0.0/8");
	cr_assert_not_null(json_object_get(j, "error"));
	json_decref(j);
	j = cmd(sp, "network del 10.0.0.1/8");
	cr_assert_not_null(json_object_get(j, "error"));
	json_decref(j);
	j = cmd(sp, "refresh 127.0.1.2");
	cr_assert_not_null(json_object_get(j, "error")); /* not established */
	json_decref(j);
	bgp_speaker_destroy(sp);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
}

/* ---- two speakers over loopback ---- */

struct side {
	struct bgp_speaker *sp;
	int established;
	int routes;
	int downs;
};

static void on_session(void *ctx, const struct bgp_neighbor_config *n, enum bgp_state from,
		       enum bgp_state to)
{
	struct side *s = ctx;

	if (to == BGP_ST_ESTABLISHED)
		s->established++;
	if (from == BGP_ST_ESTABLISHED)
		s->downs++;
}

static void on_route(void *ctx, const struct bgp_prefix *p, const struct bgp_route_info *best)
{
	struct side *s = ctx;

	s->routes += best ? 1 : -1;
}

static bool run_until(struct event_base *base, bool (*cond)(struct side *, struct side *),
		      struct side *a, struct side *b, int seconds)
{
	for (int i = 0; i < seconds * 50; i++) {
		struct timeval tv = {0, 20000};

		if (cond(a, b))
			return true;
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	return cond(a, b);
}

static bool both_up(struct side *a, struct side *b)
{
	return a->established >= 1 && b->established >= 1 && a->routes == 3 && b->routes == 1;
}

static bool a_has_two(struct side *a, struct side *b)
{
	return a->routes == 2;
}

static bool b_down(struct side *a, struct side *b)
{
	return b->downs >= 1 && a->downs >= 1;
}

static bool up_again(struct side *a, struct side *b)
{
	return a->established >= 2 && b->established >= 2 && b->routes == 1;
}

static struct bgp_speaker *mk(struct event_base *base, const char *addr, uint16_t port, uint32_t as,
			      struct side *s)
{
	struct bgp_speaker_config c;
	struct bgp_speaker_hooks h = {
	    .route_changed = on_route, .session_changed = on_session, .ctx = s};
	struct bgp_speaker *sp;

	bgp_speaker_config_defaults(&c);
	c.asn = as;
	inet_pton(AF_INET, addr, &c.router_id);
	c.router_id = ntohl(c.router_id);
	c.listen_port = port;
	c.n_listen = 1;
	c.listen[0].fam = BGP_FAM_V4;
	inet_pton(AF_INET, addr, c.listen[0].addr);
	sp = bgp_speaker_create(base, &c, &h);
	cr_assert_not_null(sp);
	cr_assert_eq(bgp_speaker_listen(sp), 0);
	return sp;
}

Test(speaker, two_speakers_over_loopback, .timeout = 60)
{
	struct event_base *base = event_base_new();
	struct side a = {0}, b = {0};
	uint16_t pa = (uint16_t)(20000 + getpid() % 20000), pb = (uint16_t)(pa + 1);
	struct bgp_neighbor_config na, nb;
	struct bgp_prefix p;
	char *s;

	a.sp = mk(base, "127.0.0.1", pa, 45104, &a);
	b.sp = mk(base, "127.0.0.2", pb, 4200000001u, &b);
	/* A (the cloud) accepts from B and announces nothing; B announces 3 routes,
	 * A one network; A keeps at most 3 prefixes and tears down past them. */
	bgp_neighbor_config_defaults(&na);
	na.addr_fam = BGP_FAM_V4;
	inet_pton(AF_INET, "127.0.0.2", na.addr);
	na.port = pb;
	na.remote_as = 4200000001u;
	na.import_accept = na.export_networks = true;
	na.hold_time = 3;
	na.connect_retry = 1;
	na.idle_hold = 0;
	na.max_prefixes = 3;
	na.limit_action = BGP_LIMIT_TEARDOWN;
	na.limit_restart = 1;
	na.has_local_addr = true;
	inet_pton(AF_INET, "127.0.0.1", na.local_addr);
	na.has_nexthop4 = true; /* 127/8 is no next hop (RFC 4271 6.3) */
	inet_pton(AF_INET, "192.0.2.1", na.nexthop4);
	na.has_nexthop6 = true;
	inet_pton(AF_INET6, "2001:db8::1", na.nexthop6);
	nb = na;
	inet_pton(AF_INET, "127.0.0.1", nb.addr);
	inet_pton(AF_INET, "127.0.0.2", nb.local_addr);
	nb.port = pa;
	nb.remote_as = 45104;
	nb.max_prefixes = 100;
	nb.limit_action = BGP_LIMIT_KEEP_FIRST;
	inet_pton(AF_INET6, "2001:db8::2", nb.nexthop6);
	inet_pton(AF_INET, "192.0.2.2", nb.nexthop4);

	bgp_prefix_parse("10.1.0.0/16", &p);
	bgp_speaker_network_add(a.sp, &p);
	const char *bn[] = {"192.0.2.0/24", "198.51.100.0/24", "2001:db8:1::/48"};
	for (int i = 0; i < 3; i++) {
		bgp_prefix_parse(bn[i], &p);
		bgp_speaker_network_add(b.sp, &p);
	}
	cr_assert_eq(bgp_speaker_neighbor_add(a.sp, &na), 0);
	cr_assert_eq(bgp_speaker_neighbor_add(b.sp, &nb), 0);
	cr_assert(run_until(base, both_up, &a, &b, 20), "a: up %d routes %d, b: up %d routes %d",
		  a.established, a.routes, b.established, b.routes);

	s = bgp_ctl_command(a.sp, "routes received");
	cr_assert(strstr(s, "\"as-path\": \"4200000001\""), "%s", s);
	cr_assert(strstr(s, "2001:db8::2"), "%s", s);
	free(s);

	/* A withdrawal from B. */
	bgp_prefix_parse("198.51.100.0/24", &p);
	cr_assert_eq(bgp_speaker_network_remove(b.sp, &p), 0);
	cr_assert(run_until(base, a_has_two, &a, &b, 10));

	/* Two more from B: past A's limit of 3, A tears down (Cease/1). */
	bgp_speaker_network_add(b.sp, &p);
	bgp_prefix_parse("203.0.113.0/24", &p);
	bgp_speaker_network_add(b.sp, &p);
	cr_assert(run_until(base, b_down, &a, &b, 10));
	s = bgp_ctl_command(b.sp, "neighbors");
	cr_assert(strstr(s, "maximum number of prefixes reached"), "%s", s);
	free(s);
	/* B fixes its side; A's restart timer (1 s) brings the session back. */
	cr_assert_eq(bgp_speaker_network_remove(b.sp, &p), 0);
	cr_assert(run_until(base, up_again, &a, &b, 20), "a up %d, b up %d", a.established,
		  b.established);

	bgp_speaker_destroy(a.sp);
	bgp_speaker_destroy(b.sp);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
}

/* ---- collision detection (RFC 4271 6.8), driven by raw sockets ---- */

static int raw_listen(const char *addr, uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	inet_pton(AF_INET, addr, &sin.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	cr_assert(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	cr_assert(listen(fd, 4) == 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static int raw_connect(const char *from, const char *to, uint16_t port)
{
	struct sockaddr_in src = {.sin_family = AF_INET},
			   dst = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, from, &src.sin_addr);
	inet_pton(AF_INET, to, &dst.sin_addr);
	cr_assert(bind(fd, (struct sockaddr *)&src, sizeof(src)) == 0);
	cr_assert(connect(fd, (struct sockaddr *)&dst, sizeof(dst)) == 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void spin(struct event_base *base, int ms)
{
	struct timeval tv = {0, ms * 1000};

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Reads whole messages from fd for up to ~1 s; returns the types seen in order. */
static int read_types(struct event_base *base, int fd, uint8_t *types, int max, uint8_t *notif)
{
	uint8_t buf[8192];
	size_t len = 0;
	int n = 0;

	for (int i = 0; i < 50 && n < max; i++) {
		ssize_t r;

		spin(base, 20);
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r > 0)
			len += (size_t)r;
		while (len >= 19 && n < max) {
			size_t ml = (size_t)buf[16] << 8 | buf[17];

			if (ml < 19 || len < ml)
				break;
			types[n++] = buf[18];
			if (buf[18] == BGP_MSG_NOTIFICATION && notif) {
				notif[0] = buf[19];
				notif[1] = buf[20];
			}
			memmove(buf, buf + ml, len - ml);
			len -= ml;
		}
	}
	return n;
}

static void send_open(int fd, uint32_t as, uint32_t id)
{
	uint8_t buf[64];
	struct bgp_wbuf w;
	struct bgp_open o = {.as4 = true, .as4_value = as, .hold_time = 30, .bgp_id = id};

	bgp_wbuf_init(&w, buf, sizeof(buf));
	size_t l = bgp_encode_open(&w, &o);
	cr_assert_eq(write(fd, buf, l), (ssize_t)l);
}

static void collision(uint32_t peer_id, bool expect_new_kept)
{
	struct event_base *base = event_base_new();
	struct side a = {0};
	uint16_t pa = (uint16_t)(30000 + getpid() % 15000 + (expect_new_kept ? 0 : 7)),
		 pb = (uint16_t)(pa + 1);
	int lfd = raw_listen("127.0.0.2", pb), c1, c2;
	struct bgp_neighbor_config n;
	uint8_t t1[4], t2[4], cease[2] = {0, 0};
	int k1, k2;
	char *s;

	a.sp = mk(base, "127.0.0.1", pa, 45104, &a);
	bgp_neighbor_config_defaults(&n);
	n.addr_fam = BGP_FAM_V4;
	inet_pton(AF_INET, "127.0.0.2", n.addr);
	n.port = pb;
	n.remote_as = 65001;
	n.has_local_addr = true;
	inet_pton(AF_INET, "127.0.0.1", n.local_addr);
	cr_assert_eq(bgp_speaker_neighbor_add(a.sp, &n), 0);
	/* Connection 1: the speaker's own, accepted here; it sent its OPEN. */
	for (int i = 0; i < 50 && (c1 = accept(lfd, NULL, NULL)) < 0; i++)
		spin(base, 20);
	cr_assert_geq(c1, 0);
	fcntl(c1, F_SETFL, O_NONBLOCK);
	cr_assert_eq(read_types(base, c1, t1, 1, NULL), 1);
	cr_assert_eq(t1[0], BGP_MSG_OPEN);
	/* Connection 2: the peer's, while the speaker is in OpenSent. */
	c2 = raw_connect("127.0.0.2", "127.0.0.1", pa);
	cr_assert_eq(read_types(base, c2, t2, 1, NULL), 1);
	cr_assert_eq(t2[0], BGP_MSG_OPEN);
	send_open(c2, 65001, peer_id);
	if (expect_new_kept) {
		/* The peer's identifier is higher: its connection survives. */
		k1 = read_types(base, c1, t1, 1, cease);
		cr_assert_eq(k1, 1);
		cr_assert_eq(t1[0], BGP_MSG_NOTIFICATION);
		k2 = read_types(base, c2, t2, 1, NULL);
		cr_assert_eq(t2[0], BGP_MSG_KEEPALIVE);
	} else {
		k2 = read_types(base, c2, t2, 1, cease);
		cr_assert_eq(k2, 1);
		cr_assert_eq(t2[0], BGP_MSG_NOTIFICATION);
	}
	cr_assert_eq(cease[0], BGP_ERR_CEASE);
	cr_assert_eq(cease[1], BGP_CEASE_COLLISION);
	s = bgp_ctl_command(a.sp, "neighbors");
	cr_assert(strstr(s, "\"collisions-resolved\": 1"), "%s", s);
	cr_assert(strstr(s, expect_new_kept ? "OpenConfirm" : "OpenSent"), "%s", s);
	free(s);
	close(c1);
	close(c2);
	close(lfd);
	bgp_speaker_destroy(a.sp);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
}

Test(speaker, collision_peer_with_higher_id_wins, .timeout = 30)
{
	collision(0x7f000002, true);
}

Test(speaker, collision_our_higher_id_keeps_ours, .timeout = 30)
{
	collision(0x01010101, false);
}
