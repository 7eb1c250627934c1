/*
 * libFuzzer target for the ENI program (dp/eni.bpf.c): every input is an
 * Ethernet frame run through the loaded program with BPF_PROG_TEST_RUN,
 * first in trace mode (dpload_trace), then in forwarding mode (dpload_run),
 * against a small fixed map setup.  The BPF code is not instrumented (the
 * fuzzer sees only this file's branches), so the first input byte steers
 * the frame past the checks a random frame would almost never pass:
 *
 *   bit 0  source MAC := ENI 1's           bit 2  destination := ENI 2's
 *   bit 1  source address := ENI 1's        bit 3  destination MAC := ee:ff:..
 *
 * It aborts when the program returns anything but TC_ACT_SHOT, _REDIRECT or
 * _OK, when a trace's verdict is not a DP_VERDICT_* (or its reason, device
 * or event count is out of range), or when the trace's return differs from
 * the forwarding run's on the same state (a trace must predict forwarding).
 * Needs root; without it the target says so and exits 0.
 *
 * Setup: pin prefix "fz<pid>", ENI 1 on lo (ifindex 1: BPF_PROG_TEST_RUN
 * needs no device of its own for it), ENI 2 on a device index nothing uses
 * (a redirect is never carried out by a test run); one network, route table
 * 1 with 10.0.1.0/24 and 2001:db8:1::/64 LOCAL; ENI 2 accepts tcp/80 and
 * all of udp; ENI 1's egress drops tcp/22.  No packet leaves the program.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/pkt_cls.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/dpload.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ENI2_IFINDEX 0x7ffffff0u

/* Coverage of the program's decisions: libFuzzer reads this section as
 * extra 8-bit counters (Linux). */
#define DP_COV_RESULTS 32
__attribute__((section("__libfuzzer_extra_counters"),
	       used)) static uint8_t dp_cov[DP_STAGE_MAX * DP_COV_RESULTS + DP_DROP_MAX * 2];

static struct dpload *D;
static char prefix[16];
static const uint8_t MAC1[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t MAC2[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t GWMAC[6] = DP_GW_MAC;
static const uint8_t V6A[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5};
static const uint8_t V6B[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6};

static void die(const char *what, int rc)
{
	fprintf(stderr, "fuzz_dp: setup: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	abort();
}

static void put(int fd, const void *k, const void *v)
{
	if (bpf_map_update_elem(fd, k, v, BPF_ANY) < 0)
		die("map update", errno);
}

static void cleanup(void)
{
	dpload_close(D);
	D = NULL;
	dpload_unpin(prefix);
}

static void setup_maps(const struct dpload_maps *m)
{
	uint32_t one = 1;
	struct dp_net n = {.gen = 1};
	snprintf(n.id, sizeof(n.id), "vpc-fuzz");
	put(m->net, &one, &n);
	struct dp_rtb t = {.gen = 1};
	snprintf(t.id, sizeof(t.id), "vtb-fuzz");
	put(m->rtb, &one, &t);
	for (uint32_t i = 1; i <= 2; i++) {
		struct dp_eni e;
		memset(&e, 0, sizeof(e));
		e.ifindex = i == 1 ? 1 : ENI2_IFINDEX;
		e.net = 1;
		e.rtb = 1;
		e.vsw = i; /* different vSwitches: routed, the TTL stage runs */
		e.gen = 1;
		memcpy(e.mac, i == 1 ? MAC1 : MAC2, 6);
		e.flags = DP_ENI_UP;
		e.gw4 = htonl(0x0a0001fd);
		snprintf(e.id, sizeof(e.id), "eni-fuzz%u", i);
		put(m->eni, &i, &e);
		uint32_t ifx = e.ifindex;
		struct dp_ifmap_val iv = {.eni = i};
		put(m->ifmap, &ifx, &iv);
		struct dp_addr_key ak;
		memset(&ak, 0, sizeof(ak));
		ak.net = 1;
		ak.family = 4;
		uint32_t a = htonl(0x0a000104 + i);
		memcpy(ak.addr, &a, 4);
		struct dp_addr_val av = {.eni = i};
		put(m->addr, &ak, &av);
		ak.family = 6;
		memcpy(ak.addr, i == 1 ? V6A : V6B, 16);
		put(m->addr, &ak, &av);
	}
	struct dp_route_key rk;
	struct dp_route_val rv;
	memset(&rv, 0, sizeof(rv));
	rv.type = DP_RT_LOCAL;
	memset(&rk, 0, sizeof(rk));
	rk.prefixlen = 32 + 24;
	rk.table = 1 << 1;
	uint32_t p4 = htonl(0x0a000100);
	memcpy(rk.addr, &p4, 4);
	put(m->route, &rk, &rv);
	memset(&rk, 0, sizeof(rk));
	rk.prefixlen = 32 + 64;
	rk.table = 1 << 1 | 1;
	memcpy(rk.addr, V6A, 8);
	put(m->route, &rk, &rv);

	/* rule sets: 10 = accept tcp/80 then udp, 12 = drop tcp/22 */
	struct dp_sg_chunk c;
	memset(&c, 0, sizeof(c));
	c.n = 2;
	c.r[0] = (struct dp_sg_rule){.proto = 6,
				     .action = DP_ACT_ACCEPT,
				     .priority = 1,
				     .port_lo = 80,
				     .port_hi = 80,
				     .sport_hi = 0xffff,
				     .counter = 1};
	c.r[1] = (struct dp_sg_rule){.proto = 17,
				     .action = DP_ACT_ACCEPT,
				     .priority = 2,
				     .port_hi = 0xffff,
				     .sport_hi = 0xffff};
	struct dp_sg_chunk_key ck = {.ruleset = 10, .chunk = 0};
	put(m->sg_rules, &ck, &c);
	memset(&c, 0, sizeof(c));
	c.n = 1;
	c.r[0] = (struct dp_sg_rule){.proto = 6,
				     .action = DP_ACT_DROP,
				     .priority = 1,
				     .port_lo = 22,
				     .port_hi = 22,
				     .sport_hi = 0xffff,
				     .counter = 2};
	ck.ruleset = 12;
	put(m->sg_rules, &ck, &c);
	for (int v6 = 0; v6 <= 1; v6++) {
		struct dp_sg_key sk;
		memset(&sk, 0, sizeof(sk));
		sk.prefixlen = 32;
		sk.table = DP_SG_TABLE(2, 0, 0, v6);
		struct dp_sg_val sv = {.ruleset = 10};
		put(m->sg_lpm, &sk, &sv);
		sk.table = DP_SG_TABLE(1, 0, 1, v6);
		sv.ruleset = 12;
		put(m->sg_lpm, &sk, &sv);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (geteuid() != 0) {
		fprintf(stderr, "fuzz_dp: skipped: not root (BPF_PROG_TEST_RUN needs CAP_BPF)\n");
		exit(0);
	}
	snprintf(prefix, sizeof(prefix), "fz%d", (int)getpid());
	dpload_unpin(prefix);
	char why[256] = "";
	int rc = dpload_open(prefix, &D, why, sizeof(why));
	if (rc < 0) {
		fprintf(stderr, "fuzz_dp: %s\n", why);
		abort();
	}
	atexit(cleanup);
	setup_maps(dpload_maps(D));
	return 0;
}

static int retval_ok(int r)
{
	return r == TC_ACT_SHOT || r == TC_ACT_REDIRECT || r == TC_ACT_OK;
}

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_dp: " __VA_ARGS__);                                  \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t f[1514];
	if (size < 1 + 14)
		return 0;
	uint8_t ctl = data[0];
	size_t n = size - 1 > sizeof(f) ? sizeof(f) : size - 1;
	memcpy(f, data + 1, n);
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	if (ctl & 1)
		memcpy(f + 6, MAC1, 6);
	if (ctl & 8)
		memcpy(f, GWMAC, 6);
	if (type == 0x0800 && n >= 14 + 20) {
		if (ctl & 2)
			memcpy(f + 26, (const uint8_t[]){10, 0, 1, 5}, 4);
		if (ctl & 4)
			memcpy(f + 30, (const uint8_t[]){10, 0, 1, 6}, 4);
	} else if (type == 0x86dd && n >= 14 + 40) {
		if (ctl & 2)
			memcpy(f + 22, V6A, 16);
		if (ctl & 4)
			memcpy(f + 38, V6B, 16);
	}
	/* The kernel's test run refuses IP frames shorter than their base
	 * header (EINVAL); nothing else may fail. */
	int short_ip = (type == 0x0800 && n < 14 + 20) || (type == 0x86dd && n < 14 + 40);

	struct dpload_trace_out t;
	int rc = dpload_trace(D, 1, f, n, 1, &t);
	if (short_ip && rc == -EINVAL)
		return 0;
	CHECK(rc == 0, "dpload_trace failed: %s (%zu bytes, type %#06x)", strerror(-rc), n, type);
	CHECK(retval_ok(t.retval), "trace: program returned %d", t.retval);
	CHECK(t.verdict == DP_VERDICT_DROP || t.verdict == DP_VERDICT_FORWARD ||
		  t.verdict == DP_VERDICT_REPLY,
	      "trace: verdict %u", t.verdict);
	CHECK((t.verdict == DP_VERDICT_DROP) == (t.retval == TC_ACT_SHOT),
	      "trace: verdict %u with return %d", t.verdict, t.retval);
	if (t.verdict == DP_VERDICT_DROP)
		CHECK(t.reason > DP_DROP_NONE && t.reason < DP_DROP_MAX, "trace: drop reason %u",
		      t.reason);
	else
		CHECK(t.ifindex == 1 || t.ifindex == ENI2_IFINDEX, "trace: delivered to %u",
		      t.ifindex);
	if (t.verdict == DP_VERDICT_REPLY)
		CHECK(t.ifindex == 1, "trace: a reply goes to %u, not the sender", t.ifindex);
	CHECK(t.trace.n > 0 && t.trace.n <= DP_TRACE_MAX, "trace: %u events", t.trace.n);
	for (uint32_t i = 0; i < t.trace.n; i++)
		CHECK(t.trace.ev[i].stage < DP_STAGE_MAX, "trace: event %u has stage %u", i,
		      t.trace.ev[i].stage);

	for (uint32_t i = 0; i < t.trace.n; i++)
		dp_cov[t.trace.ev[i].stage * DP_COV_RESULTS +
		       t.trace.ev[i].result % DP_COV_RESULTS]++;
	dp_cov[DP_STAGE_MAX * DP_COV_RESULTS + t.reason * 2 + (t.verdict == DP_VERDICT_DROP)]++;

	uint64_t ns;
	int retval = -1;
	rc = dpload_run(D, 1, f, n, 1, &ns, &retval);
	CHECK(rc == 0, "dpload_run failed: %s", strerror(-rc));
	CHECK(retval_ok(retval), "run: program returned %d", retval);
	CHECK(retval == t.retval, "run returned %d, the trace before it %d (verdict %u reason %u)",
	      retval, t.retval, t.verdict, t.reason);
	return 0;
}
