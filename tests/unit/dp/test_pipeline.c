/*
 * Unit tests of the ENI program (dp/eni.bpf.c) through BPF_PROG_TEST_RUN:
 * each case loads the program with dpload_open() under its own pin prefix
 * "u<4 digits of the pid>" (Criterion runs every case in its own process),
 * fills the maps directly as the agent would, sends one crafted frame and
 * checks the verdict, the drop reason, the delivery device and, where the
 * program answers, the frame it made.  Root is required (every case is
 * skipped, visibly, otherwise); .fini removes the pins, the devices and the
 * namespace even when the case fails.
 *
 *   test process (host netns)                       netns <P>ns
 *   +------------------------------------------+    +------------------+
 *   | <P>a  ENI 1 eni-a 10.0.1.5, 2001:db8:1::5 |----| a0 (down)        |
 *   |       vsw 1, mac 02:00:00:00:00:01       |    |                  |
 *   | <P>b  ENI 2 eni-b 10.0.1.6, 2001:db8:1::6 |----| b0 (down)        |
 *   |       vsw 1, mac 02:00:00:00:00:02       |    |                  |
 *   | <P>c  ENI 3 eni-c 10.0.2.7                |----| c0 (down)        |
 *   |       vsw 2, mac 02:00:00:00:00:03       |    +------------------+
 *   | lo    not an ENI (NO_ENI)                |
 *   +------------------------------------------+
 *   network 1 (vpc-test), route table 1: 10.0.1.0/24 and 10.0.2.0/24 LOCAL;
 *   network 2 (vpc-other): ENI 4 (no device) holds 10.0.1.9.
 *   Security groups:
 *     ENI 1 egress  slot 0: 0.0.0.0/0 -> drop tcp/22, else default (accept)
 *     ENI 1 ingress slot 0: 10.0.2.7/32 inner accept; else default (drop)
 *     ENI 2 ingress slot 1 (live): 0.0.0.0/0 -> accept tcp/80 (counter 5)
 *     ENI 2 ingress slot 0 (stale): 0.0.0.0/0 -> accept tcp/all (counter 6)
 *     ENI 3 ingress slot 0: 0.0.0.0/0 -> accept tcp/80 (counter 5)
 *
 * No packet is sent anywhere: BPF_PROG_TEST_RUN runs the program on a
 * buffer, and a redirect it asks for is not carried out.
 */
#include <criterion/criterion.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/dpload.h"
#include "agent/netdev.h"
#include "tests/unit/dp/frames.h"

static char P[8];   /* "u" + 4 digits of the pid: pin prefix and name prefix */
static char NS[16]; /* the namespace holding the veth peers */
static struct dpload *D;
static const struct dpload_maps *M;
static int IFA, IFB, IFC; /* host ends: ENI 1, 2, 3 */
static int PROG = -1;	  /* the pinned program, for runs that read the output frame */
static uint32_t COOKIE;

static const uint8_t MAC1[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t MAC2[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t MAC3[6] = {0x02, 0, 0, 0, 0, 0x03};
static const uint8_t GWMAC[6] = DP_GW_MAC;
static const uint8_t V6A[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
static const uint8_t V6B[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6};

#define A1 FR_IP4(10, 0, 1, 5)
#define A2 FR_IP4(10, 0, 1, 6)
#define A3 FR_IP4(10, 0, 2, 7)
#define GW4 FR_IP4(10, 0, 1, 253)

static const char *N(const char *suffix)
{
	static char bufs[4][32];
	static int i;
	char *b = bufs[i++ % 4];
	snprintf(b, sizeof(bufs[0]), "%s%s", P, suffix);
	return b;
}

/* ---- map contents ---------------------------------------------------------- */

static void put(int fd, const void *k, const void *v)
{
	int rc = bpf_map_update_elem(fd, k, v, BPF_ANY);
	cr_assert_eq(rc, 0, "map update (fd %d): %s", fd, strerror(errno));
}

static void put_eni(uint32_t idx, int ifindex, uint32_t net, uint32_t vsw, const uint8_t mac[6],
		    uint8_t slot, const char *id, bool map_device)
{
	struct dp_eni e;
	memset(&e, 0, sizeof(e));
	e.ifindex = (uint32_t)ifindex;
	e.net = net;
	e.rtb = net; /* one table per network here */
	e.vsw = vsw;
	e.gen = 1;
	memcpy(e.mac, mac, 6);
	e.sg_slot = slot;
	e.flags = DP_ENI_UP;
	e.gw4 = htonl(vsw == 1 ? GW4 : FR_IP4(10, 0, 2, 253));
	snprintf(e.id, sizeof(e.id), "%s", id);
	put(M->eni, &idx, &e);
	if (map_device) {
		uint32_t ifx = (uint32_t)ifindex;
		struct dp_ifmap_val v = {.eni = idx};
		put(M->ifmap, &ifx, &v);
	}
}

static void put_addr4(uint32_t net, uint32_t a, uint32_t eni_idx)
{
	struct dp_addr_key k;
	memset(&k, 0, sizeof(k));
	k.net = net;
	k.family = 4;
	uint32_t be = htonl(a);
	memcpy(k.addr, &be, 4);
	struct dp_addr_val v = {.eni = eni_idx};
	put(M->addr, &k, &v);
}

static void put_addr6(uint32_t net, const uint8_t a[16], uint32_t eni_idx)
{
	struct dp_addr_key k;
	memset(&k, 0, sizeof(k));
	k.net = net;
	k.family = 6;
	memcpy(k.addr, a, 16);
	struct dp_addr_val v = {.eni = eni_idx};
	put(M->addr, &k, &v);
}

static void put_route4(uint32_t table, uint32_t pfx, uint32_t plen)
{
	struct dp_route_key k;
	memset(&k, 0, sizeof(k));
	k.prefixlen = 32 + plen;
	k.table = table << 1;
	uint32_t be = htonl(pfx);
	memcpy(k.addr, &be, 4);
	struct dp_route_val v;
	memset(&v, 0, sizeof(v));
	v.type = DP_RT_LOCAL;
	put(M->route, &k, &v);
}

static void put_sg_region(uint32_t table, uint32_t pfx, uint32_t plen, uint32_t ruleset,
			  uint32_t flags)
{
	struct dp_sg_key k;
	memset(&k, 0, sizeof(k));
	k.prefixlen = 32 + plen;
	k.table = table;
	uint32_t be = htonl(pfx);
	memcpy(k.addr, &be, 4);
	struct dp_sg_val v = {.ruleset = ruleset, .flags = flags};
	put(M->sg_lpm, &k, &v);
}

/* A one-rule rule set. */
static void put_ruleset(uint32_t id, uint8_t proto, uint8_t action, uint16_t lo, uint16_t hi,
			uint32_t counter)
{
	struct dp_sg_chunk_key k = {.ruleset = id, .chunk = 0};
	struct dp_sg_chunk c;
	memset(&c, 0, sizeof(c));
	c.n = 1;
	c.r[0].proto = proto;
	c.r[0].action = action;
	c.r[0].priority = 1;
	c.r[0].port_lo = lo;
	c.r[0].port_hi = hi;
	c.r[0].sport_lo = 0;
	c.r[0].sport_hi = 0xffff;
	c.r[0].counter = counter;
	put(M->sg_rules, &k, &c);
}

static void fill_maps(void)
{
	uint32_t one = 1, two = 2;
	struct dp_net n1 = {.gen = 1}, n2 = {.gen = 1};
	snprintf(n1.id, sizeof(n1.id), "vpc-test");
	snprintf(n2.id, sizeof(n2.id), "vpc-other");
	put(M->net, &one, &n1);
	put(M->net, &two, &n2);
	struct dp_rtb t1 = {.gen = 1}, t2 = {.gen = 1};
	snprintf(t1.id, sizeof(t1.id), "vtb-test");
	snprintf(t2.id, sizeof(t2.id), "vtb-other");
	put(M->rtb, &one, &t1);
	put(M->rtb, &two, &t2);

	put_eni(1, IFA, 1, 1, MAC1, 0, "eni-a", true);
	put_eni(2, IFB, 1, 1, MAC2, 1, "eni-b", true);
	put_eni(3, IFC, 1, 2, MAC3, 0, "eni-c", true);
	put_eni(4, 999999, 2, 1, MAC1, 0, "eni-other", false);
	put_addr4(1, A1, 1);
	put_addr6(1, V6A, 1);
	put_addr4(1, A2, 2);
	put_addr6(1, V6B, 2);
	put_addr4(1, A3, 3);
	put_addr4(2, FR_IP4(10, 0, 1, 9), 4);
	put_route4(1, FR_IP4(10, 0, 1, 0), 24);
	put_route4(1, FR_IP4(10, 0, 2, 0), 24);
	put_route4(2, FR_IP4(10, 0, 1, 0), 24);

	put_ruleset(10, 6, DP_ACT_ACCEPT, 80, 80, 5);
	put_ruleset(11, 6, DP_ACT_ACCEPT, 0, 0xffff, 6);
	put_ruleset(12, 6, DP_ACT_DROP, 22, 22, 7);
	put_sg_region(DP_SG_TABLE(1, 0, 1, 0), 0, 0, 12, 0);
	put_sg_region(DP_SG_TABLE(1, 0, 0, 0), A3, 32, 0, DP_SG_INNER);
	put_sg_region(DP_SG_TABLE(2, 1, 0, 0), 0, 0, 10, 0);
	put_sg_region(DP_SG_TABLE(2, 0, 0, 0), 0, 0, 11, 0);
	put_sg_region(DP_SG_TABLE(3, 0, 0, 0), 0, 0, 10, 0);
}

/* ---- setup and cleanup ----------------------------------------------------- */

static void teardown(void)
{
	if (geteuid() != 0 || !P[0])
		return;
	if (PROG >= 0)
		close(PROG);
	dpload_close(D);
	D = NULL;
	dpload_unpin(P);
	netdev_link_del(NULL, N("a"));
	netdev_link_del(NULL, N("b"));
	netdev_link_del(NULL, N("c"));
	netdev_netns_del(NS);
}

static void setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("skipped: not root");
	snprintf(P, sizeof(P), "u%04d", (int)(getpid() % 10000));
	snprintf(NS, sizeof(NS), "%sns", P);
	teardown(); /* a previous run of the same pid that crashed */
	cr_assert_eq(netdev_netns_add(NS), 0);
	cr_assert_eq(netdev_veth_add(N("a"), NS, "a0", MAC1, 1, &IFA), 0);
	cr_assert_eq(netdev_veth_add(N("b"), NS, "b0", MAC2, 1, &IFB), 0);
	cr_assert_eq(netdev_veth_add(N("c"), NS, "c0", MAC3, 1, &IFC), 0);
	char why[256] = "";
	int rc = dpload_open(P, &D, why, sizeof(why));
	cr_assert_eq(rc, 0, "dpload_open: %s", why);
	M = dpload_maps(D);
	char path[128];
	snprintf(path, sizeof(path), "/sys/fs/bpf/%s/prog_eni", P);
	PROG = bpf_obj_get(path);
	cr_assert_geq(PROG, 0, "%s: %s", path, strerror(errno));
	uint32_t zero = 0;
	struct dp_cfg cfg;
	cr_assert_eq(bpf_map_lookup_elem(M->cfg, &zero, &cfg), 0);
	COOKIE = cfg.trace_cookie;
	fill_maps();
}

TestSuite(dp, .init = setup, .fini = teardown, .timeout = 60);

/* ---- running the program --------------------------------------------------- */

static struct dpload_trace_out T;

/* A trace run: T gets the verdict, the reason, the device and the events. */
static void trace(int ifindex, const void *f, size_t n)
{
	int rc = dpload_trace(D, ifindex, f, n, 1, &T);
	cr_assert_eq(rc, 0, "dpload_trace: %s", strerror(-rc));
}

static void expect_drop(int ifindex, const void *f, size_t n, uint32_t reason)
{
	trace(ifindex, f, n);
	cr_expect_eq(T.retval, TC_ACT_SHOT, "retval %d", T.retval);
	cr_expect_eq(T.verdict, DP_VERDICT_DROP, "verdict %u", T.verdict);
	cr_expect_eq(T.reason, reason, "reason %u, expected %u", T.reason, reason);
}

static void expect_forward(int ifindex, const void *f, size_t n, int to)
{
	trace(ifindex, f, n);
	cr_expect_eq(T.retval, TC_ACT_REDIRECT, "retval %d", T.retval);
	cr_expect_eq(T.verdict, DP_VERDICT_FORWARD, "verdict %u (reason %u)", T.verdict, T.reason);
	cr_expect_eq(T.ifindex, (uint32_t)to, "ifindex %u, expected %d", T.ifindex, to);
}

/* The first event of stage in T, or NULL. */
static const struct dp_trace_ev *ev(uint16_t stage)
{
	for (uint32_t i = 0; i < T.trace.n; i++)
		if (T.trace.ev[i].stage == stage)
			return &T.trace.ev[i];
	return NULL;
}

/* A forwarding-mode run (dpload_run): the program's return. */
static int run(int ifindex, const void *f, size_t n)
{
	uint64_t ns;
	int retval = -1;
	int rc = dpload_run(D, ifindex, f, n, 1, &ns, &retval);
	cr_assert_eq(rc, 0, "dpload_run: %s", strerror(-rc));
	return retval;
}

/* A run that keeps the frame the program made (in trace mode or not). */
static int run_out(int ifindex, const void *f, size_t n, bool tracing, uint8_t *out,
		   uint32_t *outlen)
{
	struct __sk_buff ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.ifindex = (uint32_t)ifindex;
	if (tracing) {
		ctx.cb[0] = DP_TRACE_MAGIC;
		ctx.cb[1] = COOKIE;
	}
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = (uint32_t)n,
		    .data_out = out, .data_size_out = *outlen, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .ctx_out = &ctx, .ctx_size_out = sizeof(ctx),
		    .repeat = 1);
	int rc = bpf_prog_test_run_opts(PROG, &o);
	cr_assert_eq(rc, 0, "test run: %s", strerror(errno));
	*outlen = o.data_size_out;
	return (int)o.retval;
}

static uint64_t stat_sum(int fd, uint32_t idx)
{
	int n = dpload_ncpus(D);
	struct dp_stat v[n];
	if (bpf_map_lookup_elem(fd, &idx, v) < 0)
		return ~0ull;
	uint64_t s = 0;
	for (int i = 0; i < n; i++)
		s += v[i].packets;
	return s;
}

static unsigned ct_count(void)
{
	struct dp_ct_key k, next;
	unsigned n = 0;
	void *prev = NULL;
	while (bpf_map_get_next_key(M->ct, prev, &next) == 0) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

/* Sum of every counter the program may touch for ENIs 0..4 and rules 0..7. */
static uint64_t all_counters(void)
{
	uint64_t s = 0;
	for (uint32_t e = 0; e <= 4; e++) {
		for (uint32_t i = 0; i < DP_STAT_MAX; i++)
			s += stat_sum(M->eni_stats, e * DP_STAT_MAX + i);
		for (uint32_t i = 0; i < DP_DROP_MAX; i++)
			s += stat_sum(M->drops, e * DP_DROP_MAX + i);
	}
	for (uint32_t r = 0; r < 8; r++)
		s += stat_sum(M->rule_stats, r);
	return s;
}

static size_t tcp(uint8_t *b, const uint8_t smac[6], uint32_t s, uint32_t d, uint16_t sport,
		  uint16_t dport, uint8_t flags, uint8_t ttl)
{
	return fr_ip4(b, GWMAC, smac, 6, s, d, sport, dport, flags, ttl, 0);
}

#define SYN 0x02
#define ACK 0x10

/* ---- parse and the device ---------------------------------------------------- */

/* BPF_PROG_TEST_RUN itself refuses an IPv4 frame shorter than 14 + 20 bytes
 * and an IPv6 one shorter than 14 + 40 (EINVAL), so the headers cut here are
 * the ones after them. */
Test(dp, parse_truncated_is_malformed)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 64);
	expect_drop(IFA, f, n - 10, DP_DROP_MALFORMED); /* TCP header cut at 10 bytes */
	cr_expect_not_null(ev(DP_STAGE_ENI), "the device's ENI is found before the parse verdict");
	const struct dp_trace_ev *e = ev(DP_STAGE_PARSE);
	cr_assert_not_null(e);
	cr_expect_eq(e->result, DP_DROP_MALFORMED);
	/* tot_len larger than the frame */
	f[14 + 2] = 0x05;
	expect_drop(IFA, f, n, DP_DROP_MALFORMED);
	/* IHL below 5 */
	n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 64);
	f[14] = 0x44;
	expect_drop(IFA, f, n, DP_DROP_MALFORMED);
	/* an ARP header cut short */
	n = fr_arp(f, MAC1, A1, A2, 1);
	expect_drop(IFA, f, 14 + 10, DP_DROP_MALFORMED);
	/* an IPv6 header whose payload length exceeds the frame */
	n = fr_ns(f, MAC1, V6A, V6B, 255);
	f[14 + 4] = 0x04;
	expect_drop(IFA, f, n, DP_DROP_MALFORMED);
}

Test(dp, device_not_an_eni_is_no_eni)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 64);
	expect_drop(1 /* lo */, f, n, DP_DROP_NO_ENI);
	cr_expect_null(ev(DP_STAGE_ENI));
}

Test(dp, unknown_ethertype_dropped)
{
	uint8_t f[64];
	memset(f, 0, sizeof(f));
	fr_eth(f, GWMAC, MAC1, 0x88cc); /* LLDP */
	expect_drop(IFA, f, sizeof(f), DP_DROP_ETHERTYPE);
}

/* ---- port security ------------------------------------------------------------- */

Test(dp, port_security_source_mac_NET_13)
{
	uint8_t f[128];
	const uint8_t other[6] = {0x02, 0, 0, 0, 0, 0x99};
	size_t n = tcp(f, other, A1, A2, 40000, 80, SYN, 64);
	expect_drop(IFA, f, n, DP_DROP_SPOOF_MAC);
	/* ENI 2's MAC sent from ENI 1's device is a spoof too */
	n = tcp(f, MAC2, A2, A1, 40000, 80, SYN, 64);
	expect_drop(IFA, f, n, DP_DROP_SPOOF_MAC);
}

Test(dp, port_security_source_ip_NET_13)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A2, A3, 40000, 80, SYN, 64); /* ENI 2's address from ENI 1 */
	expect_drop(IFA, f, n, DP_DROP_SPOOF_IP);
	n = tcp(f, MAC1, FR_IP4(10, 0, 1, 77), A2, 40000, 80, SYN, 64); /* nobody's */
	expect_drop(IFA, f, n, DP_DROP_SPOOF_IP);
	const struct dp_trace_ev *e = ev(DP_STAGE_PORTSEC);
	cr_assert_not_null(e);
	cr_expect_eq(e->result, DP_DROP_SPOOF_IP);
}

/* ---- ARP and ND: answered by the network ---------------------------------------- */

Test(dp, arp_request_answered_with_gateway_mac_NET_10)
{
	uint8_t f[64], out[256];
	size_t n = fr_arp(f, MAC1, A1, A2, 1);
	trace(IFA, f, n);
	cr_expect_eq(T.retval, TC_ACT_REDIRECT);
	cr_expect_eq(T.verdict, DP_VERDICT_REPLY);
	cr_expect_eq(T.ifindex, (uint32_t)IFA, "the reply goes back to the asker");
	const struct dp_trace_ev *e = ev(DP_STAGE_ARP);
	cr_assert_not_null(e);
	cr_expect_eq(e->result, 1);
	cr_expect_eq(e->b, 2, "holder ENI %u", e->b);

	uint32_t outlen = sizeof(out);
	int rc = run_out(IFA, f, n, false, out, &outlen);
	cr_assert_eq(rc, TC_ACT_REDIRECT);
	cr_assert_geq(outlen, 42u);
	cr_expect_arr_eq(out, MAC1, 6, "to the asker");
	cr_expect_arr_eq(out + 6, GWMAC, 6, "from ee:ff:ff:ff:ff:ff");
	uint8_t *a = out + 14;
	cr_expect_eq(a[6] << 8 | a[7], 2, "an ARP reply");
	cr_expect_arr_eq(a + 8, GWMAC, 6, "sender hardware address");
	uint8_t spa[4], tpa[4];
	fr_put32(spa, A2);
	fr_put32(tpa, A1);
	cr_expect_arr_eq(a + 14, spa, 4, "sender protocol address: the asked one");
	cr_expect_arr_eq(a + 18, MAC1, 6, "target hardware address: the asker");
	cr_expect_arr_eq(a + 24, tpa, 4, "target protocol address: the asker's");

	/* The gateway is answered too. */
	n = fr_arp(f, MAC1, A1, GW4, 1);
	trace(IFA, f, n);
	cr_expect_eq(T.verdict, DP_VERDICT_REPLY);
}

Test(dp, arp_unknown_or_other_dropped_NET_10)
{
	uint8_t f[64];
	size_t n = fr_arp(f, MAC1, A1, FR_IP4(10, 0, 1, 77), 1);
	expect_drop(IFA, f, n, DP_DROP_ARP_UNKNOWN);
	/* an address of another network (NET-1) is unknown here */
	n = fr_arp(f, MAC1, A1, FR_IP4(10, 0, 1, 9), 1);
	expect_drop(IFA, f, n, DP_DROP_ARP_UNKNOWN);
	/* its own address: no answer (duplicate-address detection succeeds) */
	n = fr_arp(f, MAC1, A1, A1, 1);
	expect_drop(IFA, f, n, DP_DROP_ARP_UNKNOWN);
	/* a gratuitous reply, a request from someone else's address */
	n = fr_arp(f, MAC1, A1, A2, 2);
	expect_drop(IFA, f, n, DP_DROP_ARP_OTHER);
	n = fr_arp(f, MAC1, A2, A3, 1);
	expect_drop(IFA, f, n, DP_DROP_ARP_OTHER);
}

Test(dp, nd_solicitation_answered_with_valid_checksum_NET_10)
{
	uint8_t f[128], out[256];
	size_t n = fr_ns(f, MAC1, V6A, V6B, 255);
	trace(IFA, f, n);
	cr_expect_eq(T.retval, TC_ACT_REDIRECT);
	cr_expect_eq(T.verdict, DP_VERDICT_REPLY, "verdict %u reason %u", T.verdict, T.reason);
	cr_expect_eq(T.ifindex, (uint32_t)IFA);
	cr_expect_not_null(ev(DP_STAGE_ND));

	uint32_t outlen = sizeof(out);
	int rc = run_out(IFA, f, n, false, out, &outlen);
	cr_assert_eq(rc, TC_ACT_REDIRECT);
	cr_assert_eq(outlen, 14u + 40 + 32, "length %u", outlen);
	cr_expect_arr_eq(out, MAC1, 6);
	cr_expect_arr_eq(out + 6, GWMAC, 6);
	const uint8_t *ip6 = out + 14, *icmp = ip6 + 40;
	cr_expect_eq(ip6[0] >> 4, 6);
	cr_expect_eq(ip6[4] << 8 | ip6[5], 32, "payload length");
	cr_expect_eq(ip6[6], 58);
	cr_expect_eq(ip6[7], 255, "hop limit 255 (RFC 4861 7.1.2)");
	cr_expect_arr_eq(ip6 + 8, V6B, 16, "from the target");
	cr_expect_arr_eq(ip6 + 24, V6A, 16, "to the asker");
	cr_expect_eq(icmp[0], 136, "a neighbour advertisement");
	cr_expect_eq(icmp[1], 0);
	cr_expect_eq(icmp[4], 0x60, "solicited + override, not a router: flags %#x", icmp[4]);
	cr_expect_arr_eq(icmp + 8, V6B, 16, "target");
	cr_expect_eq(icmp[24], 2, "target link-layer address option");
	cr_expect_eq(icmp[25], 1);
	cr_expect_arr_eq(icmp + 26, GWMAC, 6);
	uint16_t c = fr_icmp6_csum(ip6 + 8, ip6 + 24, icmp, 32);
	cr_expect_eq(c, 0, "ICMPv6 checksum %02x%02x is wrong (residue %#x)", icmp[2], icmp[3], c);

	/* fe80::1, from the link-local address: the gateway, a router */
	uint8_t ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
	uint8_t gw[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	n = fr_ns(f, MAC1, ll, gw, 255);
	outlen = sizeof(out);
	rc = run_out(IFA, f, n, false, out, &outlen);
	cr_assert_eq(rc, TC_ACT_REDIRECT);
	cr_expect_eq(icmp[4], 0xe0, "router + solicited + override: flags %#x", icmp[4]);
	c = fr_icmp6_csum(ip6 + 8, ip6 + 24, icmp, 32);
	cr_expect_eq(c, 0, "ICMPv6 checksum of the gateway's advertisement (residue %#x)", c);
}

Test(dp, nd_unknown_or_bad_hop_limit_dropped_NET_10)
{
	uint8_t f[128];
	uint8_t nobody[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77};
	size_t n = fr_ns(f, MAC1, V6A, nobody, 255);
	expect_drop(IFA, f, n, DP_DROP_ND_UNKNOWN);
	n = fr_ns(f, MAC1, V6A, V6B, 64);
	expect_drop(IFA, f, n, DP_DROP_ND_OTHER);
	n = fr_ns(f, MAC1, V6B, V6A, 255); /* from ENI 2's address */
	expect_drop(IFA, f, n, DP_DROP_SPOOF_IP);
}

/* ---- no floods ----------------------------------------------------------------------- */

Test(dp, broadcast_and_multicast_dropped_NET_10)
{
	uint8_t f[128];
	const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	size_t n = fr_ip4(f, bcast, MAC1, 17, A1, 0xffffffffu, 68, 67, 0, 64, 0);
	expect_drop(IFA, f, n, DP_DROP_FLOOD);
	n = fr_ip4(f, bcast, MAC1, 17, A1, FR_IP4(10, 0, 1, 255), 5000, 5000, 0, 64, 0);
	expect_drop(IFA, f, n, DP_DROP_FLOOD); /* the subnet broadcast, by its MAC */
	const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
	n = fr_ip4(f, mc, MAC1, 17, A1, FR_IP4(224, 0, 0, 251), 5353, 5353, 0, 255, 0);
	expect_drop(IFA, f, n, DP_DROP_FLOOD);
}

/* ---- routing and delivery ---------------------------------------------------------------- */

Test(dp, no_host_and_no_route_NET_1)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, FR_IP4(10, 0, 1, 99), 40000, 80, SYN, 64);
	expect_drop(IFA, f, n, DP_DROP_NO_HOST);
	const struct dp_trace_ev *e = ev(DP_STAGE_ROUTE);
	cr_assert_not_null(e);
	cr_expect_eq(e->result, DP_RT_LOCAL);
	/* 10.0.1.9 is held in another VPC: isolated (NET-1) */
	n = tcp(f, MAC1, A1, FR_IP4(10, 0, 1, 9), 40000, 80, SYN, 64);
	expect_drop(IFA, f, n, DP_DROP_NO_HOST);
	n = tcp(f, MAC1, A1, FR_IP4(192, 168, 0, 1), 40000, 80, SYN, 64);
	expect_drop(IFA, f, n, DP_DROP_NO_ROUTE);
}

Test(dp, routed_across_vswitches_ttl_NET_1)
{
	uint8_t f[128], out[256];
	size_t n = tcp(f, MAC1, A1, A3, 40000, 80, SYN, 1);
	expect_drop(IFA, f, n, DP_DROP_TTL);
	cr_expect_not_null(ev(DP_STAGE_TTL));
	/* the same vSwitch is not routed: TTL 1 is delivered */
	n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 1);
	expect_forward(IFA, f, n, IFB);
	cr_expect_null(ev(DP_STAGE_TTL));

	/* forwarded with TTL 64: 63 on the way out, header checksum still valid,
	 * MACs rewritten */
	n = tcp(f, MAC1, A1, A3, 40001, 80, SYN, 64);
	expect_forward(IFA, f, n, IFC);
	uint32_t outlen = sizeof(out);
	int rc = run_out(IFA, f, n, false, out, &outlen);
	cr_assert_eq(rc, TC_ACT_REDIRECT);
	cr_assert_eq(outlen, (uint32_t)n);
	cr_expect_arr_eq(out, MAC3, 6);
	cr_expect_arr_eq(out + 6, GWMAC, 6);
	cr_expect_eq(out[14 + 8], 63, "ttl %u", out[14 + 8]);
	cr_expect_eq(fr_ip4_csum(out + 14), 0, "IPv4 header checksum after the TTL change");
}

/* ---- security groups -------------------------------------------------------------------- */

Test(dp, sg_ingress_accepts_port_80_only_NET_25)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 81, SYN, 64);
	expect_drop(IFA, f, n, DP_DROP_SG_INGRESS);
	n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 64);
	expect_forward(IFA, f, n, IFB);
	const struct dp_trace_ev *e = ev(DP_STAGE_SG_INGRESS);
	cr_assert_not_null(e);
	cr_expect_eq(e->b, 5, "the deciding rule's counter: %u (slot 1's rule, not slot 0's)",
		     e->b);
	/* udp/80 is not tcp/80 */
	n = fr_ip4(f, GWMAC, MAC1, 17, A1, A2, 40000, 80, 0, 64, 0);
	expect_drop(IFA, f, n, DP_DROP_SG_INGRESS);
}

Test(dp, sg_live_slot_selects_table_NET_25)
{
	/* Flip ENI 2 to slot 0 (which accepts all of tcp): port 81 passes. */
	uint32_t two = 2;
	struct dp_eni e;
	cr_assert_eq(bpf_map_lookup_elem(M->eni, &two, &e), 0);
	e.sg_slot = 0;
	put(M->eni, &two, &e);
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 81, SYN, 64);
	expect_forward(IFA, f, n, IFB);
	const struct dp_trace_ev *ev_in = ev(DP_STAGE_SG_INGRESS);
	cr_assert_not_null(ev_in);
	cr_expect_eq(ev_in->b, 6);
}

Test(dp, sg_egress_drop_rule_NET_25)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 22, SYN, 64);
	expect_drop(IFA, f, n, DP_DROP_SG_EGRESS);
}

Test(dp, sg_default_ingress_denied_inner_accept_NET_13)
{
	uint8_t f[128];
	/* ENI 1 has no ingress rule: a new flow from ENI 2 is denied... */
	size_t n = tcp(f, MAC2, A2, A1, 40000, 80, SYN, 64);
	expect_drop(IFB, f, n, DP_DROP_SG_INGRESS);
	/* ...one from ENI 3, which shares an inner-accept group with it, passes
	 * on any port (and is routed: vSwitch 2 to 1). */
	n = tcp(f, MAC3, A3, A1, 40000, 12345, SYN, 64);
	expect_forward(IFC, f, n, IFA);
	const struct dp_trace_ev *e = ev(DP_STAGE_SG_INGRESS);
	cr_assert_not_null(e);
	cr_expect_eq(e->result, 3 /* DP_SG_RES_INNER */, "result %u", e->result);
}

/* ---- conntrack ---------------------------------------------------------------------------- */

Test(dp, second_packet_hits_conntrack_reply_passes_NET_25)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 64);
	cr_assert_eq(run(IFA, f, n), TC_ACT_REDIRECT);
	cr_expect_eq(ct_count(), 2u, "one entry per direction");

	/* the second packet: conntrack decides, no security-group lookup */
	n = tcp(f, MAC1, A1, A2, 40000, 80, ACK, 64);
	expect_forward(IFA, f, n, IFB);
	const struct dp_trace_ev *e = ev(DP_STAGE_CT);
	cr_assert_not_null(e);
	cr_expect_eq(e->b, 1, "fresh");
	cr_expect_eq(e->result, DP_CT_SYN_SENT, "state %u", e->result);
	cr_expect_null(ev(DP_STAGE_SG_EGRESS));
	cr_expect_null(ev(DP_STAGE_SG_INGRESS));

	/* the reply passes although ENI 1 denies every new ingress flow
	 * (stateful, NET-25) */
	n = tcp(f, MAC2, A2, A1, 80, 40000, SYN | ACK, 64);
	expect_forward(IFB, f, n, IFA);
	e = ev(DP_STAGE_CT);
	cr_assert_not_null(e);
	cr_expect_eq(e->a, 1, "the reply entry");
	cr_expect_null(ev(DP_STAGE_SG_INGRESS));
	cr_assert_eq(run(IFB, f, n), TC_ACT_REDIRECT);

	/* the state moved to ESTABLISHED in both entries */
	n = tcp(f, MAC1, A1, A2, 40000, 80, ACK, 64);
	trace(IFA, f, n);
	e = ev(DP_STAGE_CT);
	cr_assert_not_null(e);
	cr_expect_eq(e->result, DP_CT_ESTABLISHED, "state %u", e->result);

	/* a new flow (other port) from ENI 2 to ENI 1 is still denied */
	n = tcp(f, MAC2, A2, A1, 81, 40000, SYN | ACK, 64);
	expect_drop(IFB, f, n, DP_DROP_SG_INGRESS);
}

Test(dp, generation_bump_revokes_flow_NET_25)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 64);
	cr_assert_eq(run(IFA, f, n), TC_ACT_REDIRECT);
	/* ENI 2's policy changes: the live slot 1 now denies port 80 too */
	put_ruleset(10, 6, DP_ACT_ACCEPT, 443, 443, 5);
	uint32_t two = 2;
	struct dp_eni e;
	cr_assert_eq(bpf_map_lookup_elem(M->eni, &two, &e), 0);
	e.gen = 2;
	put(M->eni, &two, &e);
	n = tcp(f, MAC1, A1, A2, 40000, 80, ACK, 64);
	expect_drop(IFA, f, n, DP_DROP_SG_INGRESS);
	const struct dp_trace_ev *c = ev(DP_STAGE_CT);
	cr_assert_not_null(c);
	cr_expect_eq(c->b, 0, "stale");
}

Test(dp, trace_writes_nothing)
{
	uint8_t f[128];
	uint64_t before = all_counters();
	unsigned ct0 = ct_count();
	cr_assert_eq(ct0, 0u);
	size_t n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 64);
	expect_forward(IFA, f, n, IFB); /* a new, accepted flow */
	n = tcp(f, MAC1, A1, A3, 40000, 80, SYN, 64);
	expect_forward(IFA, f, n, IFC); /* routed */
	n = tcp(f, MAC1, A1, A2, 40000, 81, SYN, 64);
	expect_drop(IFA, f, n, DP_DROP_SG_INGRESS);
	expect_drop(1, f, n, DP_DROP_NO_ENI);
	n = fr_arp(f, MAC1, A1, A2, 1);
	trace(IFA, f, n);
	cr_expect_eq(T.verdict, DP_VERDICT_REPLY);
	cr_expect_eq(ct_count(), 0u, "a trace created conntrack entries");
	cr_expect_eq(all_counters(), before, "a trace moved counters");
	cr_expect_gt(T.trace.n, 0u, "the trace recorded events");
}

Test(dp, wrong_cookie_is_not_a_trace)
{
	/* cb[0] magic with a wrong cookie runs in forwarding mode: a sender
	 * cannot suppress counters by setting the magic. */
	uint8_t f[128], out[256];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 81, SYN, 64);
	uint32_t saved = COOKIE;
	COOKIE ^= 0x5a5a5a5au;
	uint32_t outlen = sizeof(out);
	int rc = run_out(IFA, f, n, true, out, &outlen);
	COOKIE = saved;
	cr_expect_eq(rc, TC_ACT_SHOT);
	cr_expect_eq(stat_sum(M->drops, 1 * DP_DROP_MAX + DP_DROP_SG_INGRESS), 1u);
}

Test(dp, counters_in_forwarding_mode)
{
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 80, SYN, 64);
	cr_assert_eq(run(IFA, f, n), TC_ACT_REDIRECT);
	n = tcp(f, MAC1, A1, A2, 40000, 80, ACK, 64);
	cr_assert_eq(run(IFA, f, n), TC_ACT_REDIRECT);
	cr_expect_eq(stat_sum(M->eni_stats, 1 * DP_STAT_MAX + DP_STAT_TX), 2u);
	cr_expect_eq(stat_sum(M->eni_stats, 2 * DP_STAT_MAX + DP_STAT_RX), 2u);
	cr_expect_eq(stat_sum(M->rule_stats, 5), 1u, "the rule counts the flow's first packet");

	n = tcp(f, MAC1, A1, A2, 40001, 81, SYN, 64);
	cr_assert_eq(run(IFA, f, n), TC_ACT_SHOT);
	cr_assert_eq(run(IFA, f, n), TC_ACT_SHOT);
	cr_expect_eq(stat_sum(M->drops, 1 * DP_DROP_MAX + DP_DROP_SG_INGRESS), 2u);
	cr_expect_eq(stat_sum(M->eni_stats, 1 * DP_STAT_MAX + DP_STAT_DROP), 2u);

	cr_assert_eq(run(1, f, n), TC_ACT_SHOT);
	cr_expect_eq(stat_sum(M->drops, 0 * DP_DROP_MAX + DP_DROP_NO_ENI), 1u,
		     "drops on unknown devices count against ENI 0");

	n = fr_arp(f, MAC1, A1, A2, 1);
	cr_assert_eq(run(IFA, f, n), TC_ACT_REDIRECT);
	cr_expect_eq(stat_sum(M->eni_stats, 1 * DP_STAT_MAX + DP_STAT_ARP), 1u);
	cr_expect_eq(stat_sum(M->eni_stats, 1 * DP_STAT_MAX + DP_STAT_TX), 2u,
		     "an ARP answer is not a sent packet");
}

Test(dp, gateway_echo_answered)
{
	uint8_t f[128], out[256];
	size_t n = fr_ip4(f, GWMAC, MAC1, 1, A1, GW4, 0x77, 0, 0, 64, 8);
	trace(IFA, f, n);
	cr_expect_eq(T.verdict, DP_VERDICT_REPLY, "verdict %u reason %u", T.verdict, T.reason);
	uint32_t outlen = sizeof(out);
	cr_assert_eq(run_out(IFA, f, n, false, out, &outlen), TC_ACT_REDIRECT);
	const uint8_t *ip = out + 14, *icmp = ip + 20;
	cr_expect_eq(icmp[0], 0, "an echo reply");
	cr_expect_eq(fr_fold(fr_sum(icmp, 16, 0)), 0, "ICMP checksum");
	cr_expect_eq(fr_ip4_csum(ip), 0, "IPv4 header checksum");
}

/* ---- security-group profiles (dp_eni.sg_tab, map "sgp") -------------------------------- */

/* ENI 2 in profile 1 (gen 5: accepts all of tcp) or profile 2 (gen 4: tcp/80
 * only), both in slot 0. */
static void put_profiles(void)
{
	uint32_t p1 = 1, p2 = 2;
	struct dp_sgp s1 = {.gen = 5, .slot = 0}, s2 = {.gen = 4, .slot = 0};
	put(M->sgp, &p1, &s1);
	put(M->sgp, &p2, &s2);
	put_sg_region(DP_SG_TABLE(DP_SGP_BASE + 1, 0, 0, 0), 0, 0, 11, 0);
	put_sg_region(DP_SG_TABLE(DP_SGP_BASE + 2, 0, 0, 0), 0, 0, 10, 0);
}

static void eni2_profile(uint32_t prof, uint32_t gen)
{
	uint32_t two = 2;
	struct dp_eni e;
	cr_assert_eq(bpf_map_lookup_elem(M->eni, &two, &e), 0);
	e.sg_tab = prof;
	e.gen = gen;
	put(M->eni, &two, &e);
}

Test(dp, sg_profile_tables_and_rule_change_NET_25)
{
	put_profiles();
	eni2_profile(1, 1);
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 81, SYN, 64);
	expect_forward(IFA, f, n, IFB); /* profile 1's tables, not ENI 2's own */
	cr_assert_eq(run(IFA, f, n), TC_ACT_REDIRECT);
	/* profile 1's rules change (as dpsync does: new tables in slot 1, slot
	 * flipped, generation bumped): the flow is decided again and dropped */
	put_sg_region(DP_SG_TABLE(DP_SGP_BASE + 1, 1, 0, 0), 0, 0, 10, 0);
	uint32_t p1 = 1;
	struct dp_sgp s1 = {.gen = 6, .slot = 1};
	put(M->sgp, &p1, &s1);
	n = tcp(f, MAC1, A1, A2, 40000, 81, ACK, 64);
	expect_drop(IFA, f, n, DP_DROP_SG_INGRESS);
}

/* An ENI moved to another profile must have its flows decided again.  Flows
 * record eni.gen + sgp.gen; the agent keeps that sum strictly increasing
 * for an ENI (dp.h), so on a move it sets the ENI's generation to the old
 * sum + 1 - the new profile's generation (agent/dpsync.c dps_nic_commit).
 * (A plain eni.gen + 1 could meet the old sum: found by this test.) */
Test(dp, sg_profile_move_revalidates_flows_NET_25)
{
	put_profiles();
	eni2_profile(1, 1); /* decided under 1 + 5 */
	uint8_t f[128];
	size_t n = tcp(f, MAC1, A1, A2, 40000, 81, SYN, 64);
	cr_assert_eq(run(IFA, f, n), TC_ACT_REDIRECT);
	eni2_profile(2, 3); /* now 3 + 4 = 7 > 6: profile 2 denies tcp/81 */
	n = tcp(f, MAC1, A1, A2, 40000, 81, ACK, 64);
	expect_drop(IFA, f, n, DP_DROP_SG_INGRESS);
	const struct dp_trace_ev *c = ev(DP_STAGE_CT);
	cr_assert_not_null(c);
	cr_expect_eq(c->b, 0, "the conntrack entry should be stale (fresh = %u)", c->b);
}
