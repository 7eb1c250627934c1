/*
 * route: where a new flow goes (NET-1, EC-9's custom entries).
 *
 * Lookup tiers.  The sender's vSwitch names a route table; its LPM trie
 * ("route", keyed by table and destination) holds one DP_RT_LOCAL entry per
 * vSwitch CIDR and IPv6 /64 of the VPC (the system routes) and the custom
 * entries.  LOCAL delivers to the ENI that holds the destination address in
 * the network ("addr"); an ENI entry delivers to its next hop, one of up to
 * DP_ECMP_MAX chosen by a hash of the flow over the cumulative weights, so a
 * flow stays on one hop.  A classic network has no table: it delivers by
 * address alone.
 *
 * Returns 0 with ctx->dst_idx set, or a drop reason.
 */
#ifndef OPENVPC_DP_ROUTE_H
#define OPENVPC_DP_ROUTE_H

#include "dp/ctx.h"
#include "dp/parse.h"

static __always_inline __u32 dp_flow_hash(const struct dp_pkt *p)
{
	const __u32 *s = (const __u32 *)p->saddr, *d = (const __u32 *)p->daddr;
	__u32 h = s[0] ^ s[1] ^ s[2] ^ s[3] ^ d[0] ^ d[1] ^ d[2] ^ d[3];
	h ^= ((__u32)p->sport << 16 | p->dport) ^ p->proto;
	h ^= h >> 16;
	h *= 0x45d9f3b;
	h ^= h >> 16;
	return h;
}

static __always_inline int dp_deliver_local(struct dp_ctx *c, __u32 netidx)
{
	struct dp_addr_key k = {.net = netidx, .family = c->p.family};
	dp_addr_cpy(k.addr, c->p.daddr);
	struct dp_addr_val *v = bpf_map_lookup_elem(&addr, &k);
	if (!v)
		return DP_DROP_NO_HOST;
	c->dst_idx = v->eni;
	return 0;
}

static __always_inline int dp_route(struct dp_ctx *c, __u32 *rt_gen)
{
	*rt_gen = 0;
	if (!c->eni->rtb || c->zone != c->eni->net) {
		/* The classic network has no routes: delivery by address; a linked
		 * classic NIC reaches its VPC's addresses the same way. */
		int r = dp_deliver_local(c, c->zone);
		dp_trace(c, DP_STAGE_ROUTE, 0, 0, c->dst_idx, r);
		return r;
	}
	__u32 t = c->eni->rtb;
	struct dp_rtb *tb = bpf_map_lookup_elem(&rtb, &t);
	if (tb)
		*rt_gen = tb->gen;
	struct dp_route_key k = {
	    .prefixlen = 32 + (c->p.family == 6 ? 128 : 32),
	    .table = (c->eni->rtb << 1) | (c->p.family == 6),
	};
	dp_addr_cpy(k.addr, c->p.daddr);
	struct dp_route_val *rv = bpf_map_lookup_elem(&route, &k);
	if (!rv) {
		/* No route: only a classic instance linked to this VPC holds such
		 * an address in the VPC's network (ClassicLink). */
		if (dp_deliver_local(c, c->zone) == 0) {
			dp_trace(c, DP_STAGE_ROUTE, 0, c->eni->rtb, c->dst_idx, 0);
			return 0;
		}
		dp_trace(c, DP_STAGE_ROUTE, 0, c->eni->rtb, 0, DP_DROP_NO_ROUTE);
		return DP_DROP_NO_ROUTE;
	}
	if (rv->type == DP_RT_LOCAL) {
		int r = dp_deliver_local(c, c->eni->net);
		dp_trace(c, DP_STAGE_ROUTE, DP_RT_LOCAL, c->eni->rtb, c->dst_idx, r);
		return r;
	}
	__u32 n = rv->n;
	if (n == 0 || n > DP_ECMP_MAX)
		return DP_DROP_NO_ROUTE;
	__u32 pick = 0;
	if (n > 1) {
		__u32 total = rv->weight_cum[(n - 1) & (DP_ECMP_MAX - 1)];
		__u32 x = total ? dp_flow_hash(&c->p) % total : 0;
#pragma unroll
		for (int i = 0; i < DP_ECMP_MAX; i++) {
			if (i < n && x >= rv->weight_cum[i])
				pick = i + 1;
		}
		if (pick >= n)
			pick = n - 1;
	}
	c->dst_idx = rv->eni[pick & (DP_ECMP_MAX - 1)];
	dp_trace(c, DP_STAGE_ROUTE, DP_RT_ENI, c->eni->rtb, c->dst_idx, 0);
	if (c->dst_idx == c->eni_idx)
		return DP_DROP_LOOP;
	return 0;
}

/* Port security for a source address that is not the ENI's own: an ENI that
 * is the next hop of a custom route may send from addresses that route
 * covers (it is the router for them: replies from the network behind it). */
static __always_inline int dp_routes_to_me(struct dp_ctx *c)
{
	if (!c->eni->rtb)
		return 0;
	struct dp_route_key k = {
	    .prefixlen = 32 + (c->p.family == 6 ? 128 : 32),
	    .table = (c->eni->rtb << 1) | (c->p.family == 6),
	};
	dp_addr_cpy(k.addr, c->p.saddr);
	struct dp_route_val *rv = bpf_map_lookup_elem(&route, &k);
	if (!rv || rv->type != DP_RT_ENI)
		return 0;
	int mine = 0;
#pragma unroll
	for (int i = 0; i < DP_ECMP_MAX; i++)
		if (i < rv->n && rv->eni[i] == c->eni_idx)
			mine = 1;
	return mine;
}

#endif
