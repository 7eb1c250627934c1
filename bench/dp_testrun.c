/*
 * dp_testrun: the ENI program's cost per packet, measured with
 * BPF_PROG_TEST_RUN against a host-sized map population, and the maps'
 * memory per ENI, per route and per flow.
 *
 *   build/bench/dp_testrun [repeat [flows]]      (root; defaults 1000000 100000)
 *
 * Population (pin prefix "b<pid>", removed at exit): 100 networks x 100 ENIs
 * = 10,000 ENIs, every network with the same CIDR 10.0.0.0/16 (ENI j holds
 * 10.0.0.j+1); one route table per network with 10.0.0.0/16 LOCAL and 999
 * custom /24 routes to an ENI = 100,000 routes; 1,000 security-group rules
 * on the measured destination (ENI 2): 900 rules with their own remote /32
 * (900 address regions of 101 rules each) and 100 rules for 0.0.0.0/0, of
 * which the last (tcp/80 accept) is the one the measured flow matches: a new
 * flow walks 100 rules (13 chunks).  The sender is ENI 1 on lo (ifindex 1;
 * a test run needs no other device; redirects are never carried out).
 *
 * Figures (kernel-measured durations, ns per packet):
 *   floor       an empty TC program (return TC_ACT_OK), repeat N
 *   floor/1     the same, one test run per packet (the per-call method's floor)
 *   established the second packet of a flow, repeat N.  A test run hands
 *               every repetition the same skb, so a program that rewrites the
 *               frame sees its own output from the second repetition on; the
 *               sender's MAC is therefore DP_GW_MAC (the rewrite leaves such
 *               a frame unchanged) and the run checks that the flow's
 *               conntrack entry counted every repetition.
 *   established/1  the same packet, one test run per packet (flows runs)
 *   new flow/1  a new flow every packet: `flows` distinct frames (two source
 *               addresses x flows/2 source ports), one test run each, each
 *               creating its two conntrack entries.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/dpload.h"
#include "tests/unit/dp/frames.h"

#define NETS 100
#define ENIS_PER_NET 100
#define ROUTES_PER_TABLE 1000
#define SG_OWN 900
#define SG_BROAD 100

static struct dpload *D;
static const struct dpload_maps *M;
static char prefix[16];
static const uint8_t GWMAC[6] = DP_GW_MAC;

static void fail(const char *what)
{
	fprintf(stderr, "dp_testrun: %s: %s\n", what, strerror(errno));
	dpload_close(D);
	dpload_unpin(prefix);
	exit(1);
}

static void put(int fd, const void *k, const void *v)
{
	if (bpf_map_update_elem(fd, k, v, BPF_ANY) < 0)
		fail("map update");
}

static uint32_t eni_of(uint32_t net, uint32_t j)
{
	return (net - 1) * ENIS_PER_NET + j + 1;
}

static void put_addr(uint32_t net, uint32_t a, uint32_t eni)
{
	struct dp_addr_key k;
	memset(&k, 0, sizeof(k));
	k.net = net;
	k.family = 4;
	uint32_t be = htonl(a);
	memcpy(k.addr, &be, 4);
	struct dp_addr_val v = {.eni = eni};
	put(M->addr, &k, &v);
}

static void populate(void)
{
	for (uint32_t net = 1; net <= NETS; net++) {
		struct dp_net n = {.gen = 1};
		snprintf(n.id, sizeof(n.id), "vpc-bench%u", net);
		put(M->net, &net, &n);
		struct dp_rtb t = {.gen = 1};
		snprintf(t.id, sizeof(t.id), "vtb-bench%u", net);
		put(M->rtb, &net, &t);
		for (uint32_t j = 0; j < ENIS_PER_NET; j++) {
			uint32_t idx = eni_of(net, j);
			struct dp_eni e;
			memset(&e, 0, sizeof(e));
			e.ifindex = idx == 1 ? 1 : 100000 + idx;
			e.net = net;
			e.rtb = net;
			e.vsw = 1;
			e.gen = 1;
			uint8_t mac[6] = {0x02, 0, 0, 0, (uint8_t)(idx >> 8), (uint8_t)idx};
			memcpy(e.mac, idx == 1 ? GWMAC : mac, 6);
			e.flags = DP_ENI_UP;
			e.gw4 = htonl(FR_IP4(10, 0, 255, 254));
			snprintf(e.id, sizeof(e.id), "eni-bench%u", idx);
			put(M->eni, &idx, &e);
			uint32_t ifx = e.ifindex;
			struct dp_ifmap_val iv = {.eni = idx};
			put(M->ifmap, &ifx, &iv);
			put_addr(net, FR_IP4(10, 0, 0, j + 1), idx);
		}
		put_addr(net, FR_IP4(10, 0, 1, 1), eni_of(net, 0)); /* a secondary address */
		struct dp_route_key rk;
		struct dp_route_val rv;
		memset(&rk, 0, sizeof(rk));
		memset(&rv, 0, sizeof(rv));
		rk.prefixlen = 32 + 16;
		rk.table = net << 1;
		uint32_t p = htonl(FR_IP4(10, 0, 0, 0));
		memcpy(rk.addr, &p, 4);
		rv.type = DP_RT_LOCAL;
		put(M->route, &rk, &rv);
		for (uint32_t k = 0; k < ROUTES_PER_TABLE - 1; k++) {
			rk.prefixlen = 32 + 24;
			p = htonl(FR_IP4(172, 16 + k / 256, k % 256, 0));
			memcpy(rk.addr, &p, 4);
			memset(&rv, 0, sizeof(rv));
			rv.type = DP_RT_ENI;
			rv.n = 1;
			rv.eni[0] = eni_of(net, 1 + k % (ENIS_PER_NET - 1));
			rv.weight_cum[0] = 1;
			put(M->route, &rk, &rv);
		}
	}

	/* ENI 2's ingress: rule sets 1..900 (own /32 + the broad ones), 901 (0/0) */
	struct dp_sg_rule broad[SG_BROAD];
	for (int k = 0; k < SG_BROAD; k++) {
		struct dp_sg_rule *r = &broad[k];
		memset(r, 0, sizeof(*r));
		r->proto = 6;
		r->action = k < SG_BROAD - 1 ? DP_ACT_DROP : DP_ACT_ACCEPT;
		r->priority = k < SG_BROAD - 1 ? 50 : 100;
		r->port_lo = r->port_hi = k < SG_BROAD - 1 ? (uint16_t)(2000 + k) : 80;
		r->sport_hi = 0xffff;
		r->counter = (uint32_t)(SG_OWN + 1 + k);
	}
	for (uint32_t set = 1; set <= SG_OWN + 1; set++) {
		struct dp_sg_rule rules[1 + SG_BROAD];
		int n = 0;
		if (set <= SG_OWN) {
			struct dp_sg_rule *r = &rules[n++];
			memset(r, 0, sizeof(*r));
			r->proto = 6;
			r->action = DP_ACT_ACCEPT;
			r->priority = 1;
			r->port_lo = r->port_hi = (uint16_t)(1000 + set);
			r->sport_hi = 0xffff;
			r->counter = set;
		}
		memcpy(&rules[n], broad, sizeof(broad));
		n += SG_BROAD;
		for (int c = 0; c * DP_SG_CHUNK_RULES < n; c++) {
			struct dp_sg_chunk ch;
			memset(&ch, 0, sizeof(ch));
			int left = n - c * DP_SG_CHUNK_RULES;
			ch.n = left < DP_SG_CHUNK_RULES ? (uint32_t)left : DP_SG_CHUNK_RULES;
			ch.more = left > DP_SG_CHUNK_RULES;
			memcpy(ch.r, &rules[c * DP_SG_CHUNK_RULES], ch.n * sizeof(ch.r[0]));
			struct dp_sg_chunk_key ck = {.ruleset = set, .chunk = (uint32_t)c};
			put(M->sg_rules, &ck, &ch);
		}
		struct dp_sg_key sk;
		memset(&sk, 0, sizeof(sk));
		sk.table = DP_SG_TABLE(2, 0, 0, 0);
		if (set <= SG_OWN) {
			sk.prefixlen = 32 + 32;
			uint32_t a = htonl(FR_IP4(10, 200, (set - 1) / 100, (set - 1) % 100 + 1));
			memcpy(sk.addr, &a, 4);
		} else {
			sk.prefixlen = 32;
		}
		struct dp_sg_val sv = {.ruleset = set};
		put(M->sg_lpm, &sk, &sv);
	}
}

/* One test run of prog_fd; the kernel's duration (ns) or exits. */
static uint64_t test_run(int prog_fd, const void *f, size_t n, uint32_t repeat, int *retval)
{
	static uint8_t out[2048];
	struct __sk_buff ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.ifindex = 1;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .data_size_in = (uint32_t)n,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);
	if (bpf_prog_test_run_opts(prog_fd, &o) < 0)
		fail("BPF_PROG_TEST_RUN");
	*retval = (int)o.retval;
	return o.duration;
}

static uint64_t memlock_of(int fd)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *fp = fopen(path, "r");
	unsigned long long v = 0;
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(fp);
	return v;
}

struct mapinfo {
	const char *name;
	int fd;
	uint64_t before, after;
	struct bpf_map_info info;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint32_t repeat = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	uint32_t flows = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 100000;
	if (flows > 120000 || flows < 2) {
		fprintf(stderr, "dp_testrun: flows must be 2..120000 (the conntrack table)\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "dp_testrun: needs root (BPF_PROG_TEST_RUN)\n");
		return 2;
	}
	snprintf(prefix, sizeof(prefix), "b%d", (int)getpid());
	dpload_unpin(prefix);
	char why[256] = "";
	if (dpload_open(prefix, &D, why, sizeof(why)) < 0) {
		fprintf(stderr, "dp_testrun: %s\n", why);
		return 1;
	}
	M = dpload_maps(D);
	struct mapinfo maps[] = {
	    {"eni", M->eni, 0, 0, {0}},
	    {"ifmap", M->ifmap, 0, 0, {0}},
	    {"addr", M->addr, 0, 0, {0}},
	    {"eni_stats", M->eni_stats, 0, 0, {0}},
	    {"drops", M->drops, 0, 0, {0}},
	    {"route", M->route, 0, 0, {0}},
	    {"rtb", M->rtb, 0, 0, {0}},
	    {"net", M->net, 0, 0, {0}},
	    {"sg_lpm", M->sg_lpm, 0, 0, {0}},
	    {"sg_rules", M->sg_rules, 0, 0, {0}},
	    {"rule_stats", M->rule_stats, 0, 0, {0}},
	    {"ct", M->ct, 0, 0, {0}},
	};
	size_t nmaps = sizeof(maps) / sizeof(maps[0]);
	for (size_t i = 0; i < nmaps; i++) {
		uint32_t len = sizeof(maps[i].info);
		bpf_obj_get_info_by_fd(maps[i].fd, &maps[i].info, &len);
		maps[i].before = memlock_of(maps[i].fd);
	}
	double t0 = now_s();
	populate();
	printf("populated %u ENIs (%u networks), %u routes, %u rules on ENI 2 in %.1f s\n",
	       NETS * ENIS_PER_NET, NETS, NETS * ROUTES_PER_TABLE, SG_OWN + SG_BROAD, now_s() - t0);

	char path[300];
	snprintf(path, sizeof(path), "/sys/fs/bpf/%s/prog_eni", prefix);
	int prog = bpf_obj_get(path);
	if (prog < 0)
		fail(path);
	struct bpf_insn empty[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = TC_ACT_OK},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	int floor_fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "empty", "GPL", empty, 2, NULL);
	if (floor_fd < 0)
		fail("loading the empty program");

	uint8_t f[128];
	const uint8_t smac[6] = DP_GW_MAC;
	size_t n = fr_ip4(f, GWMAC, smac, 6, FR_IP4(10, 0, 0, 1), FR_IP4(10, 0, 0, 2), 40000, 80,
			  0x10, 64, 0);
	int rv;
	printf("frame: %zu bytes, tcp 10.0.0.1:40000 -> 10.0.0.2:80 (ENI 1 -> ENI 2, one "
	       "vSwitch)\n",
	       n);

	/* floor */
	uint64_t floor_ns = test_run(floor_fd, f, n, repeat, &rv);
	uint64_t sum = 0;
	for (uint32_t i = 0; i < flows; i++)
		sum += test_run(floor_fd, f, n, 1, &rv);
	double floor1 = (double)sum / flows;

	/* established: the first packet creates the entries */
	test_run(prog, f, n, 1, &rv);
	if (rv != TC_ACT_REDIRECT) {
		fprintf(stderr, "dp_testrun: the first packet was not forwarded (%d)\n", rv);
		return 1;
	}
	struct dp_ct_key ck;
	memset(&ck, 0, sizeof(ck));
	ck.net = 1;
	ck.family = 4;
	ck.proto = 6;
	ck.sport = htons(40000);
	ck.dport = htons(80);
	fr_put32(ck.saddr, FR_IP4(10, 0, 0, 1));
	fr_put32(ck.daddr, FR_IP4(10, 0, 0, 2));
	struct dp_ct e0, e1;
	if (bpf_map_lookup_elem(M->ct, &ck, &e0) < 0)
		fail("the flow's conntrack entry");
	uint64_t est_ns = test_run(prog, f, n, repeat, &rv);
	bpf_map_lookup_elem(M->ct, &ck, &e1);
	if (rv != TC_ACT_REDIRECT || e1.packets - e0.packets != repeat) {
		fprintf(stderr,
			"dp_testrun: established run: return %d, conntrack counted %llu of %u "
			"packets\n",
			rv, (unsigned long long)(e1.packets - e0.packets), repeat);
		return 1;
	}
	sum = 0;
	for (uint32_t i = 0; i < flows; i++)
		sum += test_run(prog, f, n, 1, &rv);
	double est1 = (double)sum / flows;

	/* new flows */
	uint8_t(*fr)[80] = malloc((size_t)flows * 80);
	if (!fr)
		fail("malloc");
	for (uint32_t i = 0; i < flows; i++)
		fr_ip4(fr[i], GWMAC, smac, 6, i % 2 ? FR_IP4(10, 0, 1, 1) : FR_IP4(10, 0, 0, 1),
		       FR_IP4(10, 0, 0, 2), (uint16_t)(10000 + i / 2), 80, 0x02, 64, 0);
	sum = 0;
	uint32_t bad = 0;
	for (uint32_t i = 0; i < flows; i++) {
		sum += test_run(prog, fr[i], n, 1, &rv);
		bad += rv != TC_ACT_REDIRECT;
	}
	free(fr);
	double new1 = (double)sum / flows;
	if (bad) {
		fprintf(stderr, "dp_testrun: %u of %u new flows were not forwarded\n", bad, flows);
		return 1;
	}
	struct dp_ct_key k, nk;
	void *prev = NULL;
	unsigned long entries = 0;
	while (bpf_map_get_next_key(M->ct, prev, &nk) == 0) {
		entries++;
		k = nk;
		prev = &k;
	}

	printf("\nns per packet (BPF_PROG_TEST_RUN, kernel-measured):\n");
	printf("  %-44s %8llu\n", "floor: empty TC program, repeat", (unsigned long long)floor_ns);
	printf("  %-44s %8.0f\n", "floor: empty TC program, one run per packet", floor1);
	printf("  %-44s %8llu\n", "established flow, repeat", (unsigned long long)est_ns);
	printf("  %-44s %8.0f\n", "established flow, one run per packet", est1);
	printf("  %-44s %8.0f\n", "new flow every packet, one run per packet", new1);
	printf("  (repeat = %u, one run per packet = %u runs; %lu conntrack entries after)\n",
	       repeat, flows, entries);

	printf("\nmap memory (memlock from /proc/self/fdinfo; before -> after population):\n");
	printf("  %-10s %8s %6s %6s %12s %12s\n", "map", "max", "key", "value", "before", "after");
	for (size_t i = 0; i < nmaps; i++) {
		maps[i].after = memlock_of(maps[i].fd);
		printf("  %-10s %8u %6u %6u %12llu %12llu\n", maps[i].name,
		       maps[i].info.max_entries, maps[i].info.key_size, maps[i].info.value_size,
		       (unsigned long long)maps[i].before, (unsigned long long)maps[i].after);
	}
	/* per ENI: its slot in the preallocated eni, ifmap, eni_stats (DP_STAT_MAX
	 * per ENI) and drops (DP_DROP_MAX) maps, plus one address in addr. */
	double per_eni = (double)maps[0].after / maps[0].info.max_entries +
			 (double)maps[1].after / maps[1].info.max_entries +
			 (double)maps[2].after / maps[2].info.max_entries +
			 (double)maps[3].after / maps[3].info.max_entries * DP_STAT_MAX +
			 (double)maps[4].after / maps[4].info.max_entries * DP_DROP_MAX;
	double per_route = (double)(maps[5].after - maps[5].before) / (NETS * ROUTES_PER_TABLE);
	double per_flow = 2.0 * maps[11].after / maps[11].info.max_entries;
	printf("\nper ENI   %8.0f bytes (eni + ifmap + one addr + %d eni_stats + %d drops slots, "
	       "%d CPUs)\n",
	       per_eni, DP_STAT_MAX, DP_DROP_MAX, dpload_ncpus(D));
	printf("per route %8.0f bytes (route memlock growth / %u routes)\n", per_route,
	       NETS * ROUTES_PER_TABLE);
	printf("per flow  %8.0f bytes (two ct entries, preallocated LRU)\n", per_flow);
	printf(
	    "sg rules  %8llu bytes for %u rules in %u regions (sg_lpm + sg_rules growth)\n",
	    (unsigned long long)(maps[8].after - maps[8].before + maps[9].after - maps[9].before),
	    SG_OWN + SG_BROAD, SG_OWN + 1);

	close(prog);
	close(floor_fd);
	dpload_close(D);
	dpload_unpin(prefix);
	return 0;
}
