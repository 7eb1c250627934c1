/*
 * secgroup: the security-group decision of a new flow (NET-13, NET-25).
 *
 * Tiers (dp.h, "security groups"): an LPM lookup of the remote address in
 * the ENI's compiled table for (direction, family) gives the address region;
 * the region carries DP_SG_INNER (same group, InnerAccessPolicy Accept:
 * allowed whatever the rules) or a rule set whose rules are exactly those
 * that can match the region, in decision order.  The first rule whose
 * protocol, ports and local address match decides.  So a new flow costs one
 * trie lookup and a short walk, whatever the number of rules of the ENI.
 *
 * The flow's decision (sg_evaluate in model/secgroup.c is the reference):
 * inner accept, else the source's egress (first match; drop denies; none
 * accepts), then the destination's ingress (first match; none denies).
 */
#ifndef OPENVPC_DP_SECGROUP_H
#define OPENVPC_DP_SECGROUP_H

#include "dp/ctx.h"
#include "dp/parse.h"

enum { DP_SG_RES_ACCEPT = 1, DP_SG_RES_DROP = 2, DP_SG_RES_INNER = 3, DP_SG_RES_DEFAULT = 4 };

/* One flow as the security groups see it, in its originator's direction.
 * Global functions below take it by pointer so the verifier checks each of
 * them once, not at every call site. */
struct dp_sg_flow {
	__u8 saddr[16], daddr[16];
	__u32 src_eni, dst_eni;
	__u32 src_tab, dst_tab; /* table bases (dp.h "security groups") */
	__u8 src_slot, dst_slot;
	__u8 family, proto;
	__u16 sport, dport; /* network order */
	__u8 tracing;
	__u8 pad[3];
	__u32 len;
	__u32 rule; /* out: the deciding ingress rule's counter */
};

struct dp_sg_walk {
	const struct dp_sg_flow *f;
	int local_is_src;
	__u32 ruleset;
	__u32 action;  /* 0: no match yet */
	__u32 counter; /* of the matching rule */
	__u32 prio;
};

/* local_is_src: the local end of the rule is the flow's source (egress). */
__attribute__((noinline)) int dp_sg_rule_match(const struct dp_sg_rule *r,
					       const struct dp_sg_flow *f, int local_is_src)
{
	if (!r || !f)
		return 0;
	if (r->proto && r->proto != f->proto)
		return 0;
	if (r->port_lo != 0 || r->port_hi != 0xffff || r->sport_lo != 0 || r->sport_hi != 0xffff) {
		__u16 dport = bpf_ntohs(f->dport), sport = bpf_ntohs(f->sport);
		if (dport < r->port_lo || dport > r->port_hi || sport < r->sport_lo ||
		    sport > r->sport_hi)
			return 0;
	}
	if (r->local_plen) {
		__u8 lp[16], la[16];
		__builtin_memcpy(lp, r->local_addr, 16);
		__builtin_memcpy(la, local_is_src ? f->saddr : f->daddr, 16);
		if (!dp_prefix_has(lp, r->local_plen, la))
			return 0;
	}
	return 1;
}

static long dp_sg_chunk_cb(__u32 i, void *arg)
{
	struct dp_sg_walk *w = arg;
	struct dp_sg_chunk_key k = {.ruleset = w->ruleset, .chunk = i};
	struct dp_sg_chunk *ch = bpf_map_lookup_elem(&sg_rules, &k);
	if (!ch)
		return 1;
	for (int j = 0; j < DP_SG_CHUNK_RULES; j++) {
		if (j >= ch->n)
			break;
		if (dp_sg_rule_match(&ch->r[j], w->f, w->local_is_src)) {
			w->action = ch->r[j].action;
			w->counter = ch->r[j].counter;
			w->prio = ch->r[j].priority;
			return 1;
		}
	}
	return ch->more ? 0 : 1;
}

/* One direction of one ENI: DP_SG_RES_*, with *counter the deciding rule. */
static __always_inline int dp_sg_check(const struct dp_sg_flow *f, int egress, __u32 *counter)
{
	int v6 = f->family == 6;
	struct dp_sg_key k = {
	    .prefixlen = 32 + (v6 ? 128 : 32),
	    .table = egress ? DP_SG_TABLE(f->src_tab, f->src_slot & 1, 1, v6)
			    : DP_SG_TABLE(f->dst_tab, f->dst_slot & 1, 0, v6),
	};
	const __u8 *remote = egress ? f->daddr : f->saddr;
	dp_addr_cpy(k.addr, remote);
	*counter = 0;
	struct dp_sg_val *v = bpf_map_lookup_elem(&sg_lpm, &k);
	if (v && (v->flags & DP_SG_INNER))
		return DP_SG_RES_INNER;
	if (!v || !v->ruleset)
		return DP_SG_RES_DEFAULT;
	struct dp_sg_walk w = {.f = f, .local_is_src = egress, .ruleset = v->ruleset};
	bpf_loop(DP_SG_CHUNKS_PER_SET, dp_sg_chunk_cb, &w, 0);
	if (!w.action)
		return DP_SG_RES_DEFAULT;
	*counter = w.counter;
	return w.action == DP_ACT_ACCEPT ? DP_SG_RES_ACCEPT : DP_SG_RES_DROP;
}

/* Where an ENI's tables are: *base and *slot for DP_SG_TABLE, and the
 * generation its flows are decided under (its own plus its profile's). */
static __always_inline __u32 dp_sg_where(__u32 eni_idx, const struct dp_eni *e, __u32 *base,
					 __u8 *slot)
{
	if (!e) {
		*base = 0;
		*slot = 0;
		return 0;
	}
	if (!e->sg_tab) {
		*base = eni_idx;
		*slot = e->sg_slot & 1;
		return e->gen;
	}
	__u32 t = e->sg_tab;
	struct dp_sgp *p = bpf_map_lookup_elem(&sgp, &t);
	*base = DP_SGP_BASE + t;
	*slot = p ? p->slot & 1 : 0;
	return e->gen + (p ? p->gen : 0);
}

/* The decision for a new flow: 0 (allowed) or a drop reason.  Counts the
 * deciding rules (not in trace mode); f->rule gets the ingress rule. */
__attribute__((noinline)) int dp_sg_decide(struct dp_sg_flow *f)
{
	if (!f)
		return DP_DROP_SG_EGRESS;
	__u32 ctr = 0;
	int r = dp_sg_check(f, 1, &ctr);
	dp_trace_raw(f->tracing, DP_STAGE_SG_EGRESS << 16 | r, f->src_eni, ctr, 0);
	if (r == DP_SG_RES_INNER)
		return 0;
	if (ctr && !f->tracing)
		dp_stat_add(&rule_stats, ctr, f->len);
	if (r == DP_SG_RES_DROP)
		return DP_DROP_SG_EGRESS;
	r = dp_sg_check(f, 0, &ctr);
	dp_trace_raw(f->tracing, DP_STAGE_SG_INGRESS << 16 | r, f->dst_eni, ctr, 0);
	if (r == DP_SG_RES_INNER)
		return 0;
	if (ctr && !f->tracing)
		dp_stat_add(&rule_stats, ctr, f->len);
	f->rule = ctr;
	return r == DP_SG_RES_ACCEPT ? 0 : DP_DROP_SG_INGRESS;
}

#endif
