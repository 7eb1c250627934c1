/*
 * conntrack: stateful security groups (NET-13, NET-25).
 *
 * Design.  One LRU hash entry per direction of a flow, keyed by the network
 * index and the 5-tuple as that direction carries it, so a packet of either
 * direction costs one lookup.  The entry holds what the first packet
 * decided: where this direction is delivered, whether it is routed (TTL),
 * and the generations of both ENIs' policies and of the route table it was
 * decided under.  An established flow therefore costs one hash lookup plus
 * the generation checks; a stale generation sends the packet through the
 * full decision again (a revoked accept stops existing flows, NET-25).
 *
 * TCP states (both entries carry the same state):
 *   (none) --SYN--> SYN_SENT --SYN+ACK (reply)--> ESTABLISHED
 *   (none) --other--> ESTABLISHED (picked up mid-stream, as Linux's loose mode)
 *   any --FIN--> CLOSING      any --RST--> CLOSED
 * Timeouts (cfg.ct_timeout_ns): SYN_SENT, CLOSING and CLOSED use the short
 * TCP timeouts, ESTABLISHED the long one, UDP/ICMP/others the "other" one.
 * An entry older than its timeout is treated as absent (LRU reclaims it).
 *
 * Writes happen only outside trace mode (ctx.h).
 */
#ifndef OPENVPC_DP_CONNTRACK_H
#define OPENVPC_DP_CONNTRACK_H

#include "dp/ctx.h"
#include "dp/parse.h"

#define DP_TCP_FIN 0x01
#define DP_TCP_SYN 0x02
#define DP_TCP_RST 0x04
#define DP_TCP_ACK 0x10

static __always_inline void dp_ct_key_of(const struct dp_ctx *c, struct dp_ct_key *k)
{
	k->net = c->zone;
	k->family = c->p.family;
	k->proto = c->p.proto;
	k->sport = c->p.sport;
	k->dport = c->p.dport;
	k->pad = 0;
	dp_addr_cpy(k->saddr, c->p.saddr);
	dp_addr_cpy(k->daddr, c->p.daddr);
}

static __always_inline void dp_ct_reverse(const struct dp_ct_key *k, struct dp_ct_key *r)
{
	r->net = k->net;
	r->family = k->family;
	r->proto = k->proto;
	r->pad = 0;
	if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6) {
		r->sport = k->sport; /* the echo identifier, both ways */
		r->dport = 0;
	} else {
		r->sport = k->dport;
		r->dport = k->sport;
	}
	dp_addr_cpy(r->saddr, k->daddr);
	dp_addr_cpy(r->daddr, k->saddr);
}

static __always_inline __u64 dp_ct_timeout(__u8 proto, __u8 state)
{
	__u32 zero = 0;
	struct dp_cfg *g = bpf_map_lookup_elem(&cfg, &zero);
	if (!g)
		return 0;
	if (proto != IPPROTO_TCP)
		return g->ct_timeout_ns[DP_CT_T_OTHER];
	if (state == DP_CT_ESTABLISHED)
		return g->ct_timeout_ns[DP_CT_T_TCP_EST];
	if (state == DP_CT_SYN_SENT)
		return g->ct_timeout_ns[DP_CT_T_TCP_OPEN];
	return g->ct_timeout_ns[DP_CT_T_TCP_CLOSE];
}

/* The live entry for this packet's direction, or NULL (absent or expired). */
static __always_inline struct dp_ct *dp_ct_lookup(struct dp_ctx *c, struct dp_ct_key *k, __u64 now)
{
	struct dp_ct *e = bpf_map_lookup_elem(&ct, k);
	if (!e)
		return NULL;
	if (now - e->last_ns > dp_ct_timeout(k->proto, e->state))
		return NULL;
	return e;
}

/* The state after this packet, given the entry's state and direction. */
static __always_inline __u8 dp_ct_next(__u8 state, __u8 reply, __u8 proto, __u8 flags)
{
	if (proto != IPPROTO_TCP)
		return DP_CT_ESTABLISHED;
	if (flags & DP_TCP_RST)
		return DP_CT_CLOSED;
	if (flags & DP_TCP_FIN)
		return DP_CT_CLOSING;
	if (state == DP_CT_SYN_SENT && reply && (flags & DP_TCP_SYN) && (flags & DP_TCP_ACK))
		return DP_CT_ESTABLISHED;
	if (state == DP_CT_CLOSED && (flags & DP_TCP_SYN) && !(flags & DP_TCP_ACK))
		return DP_CT_SYN_SENT; /* a new connection on the same tuple */
	return state;
}

/* Updates an entry for one more packet (not in trace mode).  A state change
 * is copied into the other direction's entry. */
static __always_inline void dp_ct_touch(struct dp_ctx *c, struct dp_ct_key *k, struct dp_ct *e,
					__u64 now)
{
	if (c->tracing)
		return;
	e->last_ns = now;
	__sync_fetch_and_add(&e->packets, 1);
	__sync_fetch_and_add(&e->bytes, c->p.len);
	__u8 st = dp_ct_next(e->state, e->reply, k->proto, c->p.tcp_flags);
	if (st != e->state) {
		e->state = st;
		struct dp_ct_key r;
		dp_ct_reverse(k, &r);
		struct dp_ct *o = bpf_map_lookup_elem(&ct, &r);
		if (o) {
			o->state = st;
			o->last_ns = now;
		}
	}
}

/* Records a newly decided flow in both directions.  Returns 0 or a drop
 * reason (the table refused the entry). */
static __always_inline int dp_ct_create(struct dp_ctx *c, struct dp_ct_key *k, __u32 src_gen,
					__u32 dst_gen, __u32 rt_gen, __u64 now)
{
	if (c->tracing)
		return 0;
	__u8 st = DP_CT_ESTABLISHED;
	if (k->proto == IPPROTO_TCP)
		st = (c->p.tcp_flags & DP_TCP_SYN) && !(c->p.tcp_flags & DP_TCP_ACK)
			 ? DP_CT_SYN_SENT
			 : dp_ct_next(DP_CT_ESTABLISHED, 0, IPPROTO_TCP, c->p.tcp_flags);
	struct dp_ct fwd = {
	    .last_ns = now,
	    .packets = 1,
	    .bytes = c->p.len,
	    .src_eni = c->eni_idx,
	    .dst_eni = c->dst_idx,
	    .src_gen = src_gen,
	    .dst_gen = dst_gen,
	    .rt_gen = rt_gen,
	    .rule = c->rule,
	    .state = st,
	    .reply = 0,
	    .routed = c->routed,
	};
	struct dp_ct rev = fwd;
	rev.packets = 0;
	rev.bytes = 0;
	rev.src_eni = c->dst_idx;
	rev.dst_eni = c->eni_idx;
	rev.reply = 1;
	struct dp_ct_key r;
	dp_ct_reverse(k, &r);
	if (bpf_map_update_elem(&ct, k, &fwd, BPF_ANY) < 0 ||
	    bpf_map_update_elem(&ct, &r, &rev, BPF_ANY) < 0)
		return DP_DROP_CT_FULL;
	return 0;
}

#endif
