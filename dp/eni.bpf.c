/*
 * eni.bpf.c: the program at TC ingress of every ENI's host-side device (the
 * veth's host end, or the TAP): every packet an instance sends starts here,
 * and this one pass decides and delivers it straight into the destination
 * instance (bpf_redirect_peer to a veth, bpf_redirect to a TAP), so the
 * destination's host-side hooks are never crossed.  The pipeline:
 *
 *   parse -> ENI of the device -> MAC check -> ARP / ND answered here
 *     -> no floods -> source address check (port security) -> gateway echo
 *     -> conntrack: a live entry with current generations forwards at once
 *     -> otherwise: route -> destination ENI -> security groups -> TTL
 *        -> conntrack entry for both directions
 *     -> rewrite MACs -> redirect
 *
 * Each stage is a header (parse.h, arp.h, nd.h, conntrack.h, route.h,
 * secgroup.h); this file is the order.  Every drop leaves through dp_drop()
 * with a reason (dp.h DP_DROPS).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "dp/arp.h"
#include "dp/conntrack.h"
#include "dp/ctx.h"
#include "dp/gateway.h"
#include "dp/nd.h"
#include "dp/parse.h"
#include "dp/route.h"
#include "dp/secgroup.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline int dp_finish(struct dp_ctx *c, int rc, __u32 ifindex)
{
	if (c->tracing) {
		c->skb->cb[2] = c->verdict;
		c->skb->cb[3] = ifindex;
		c->skb->cb[4] = c->drop_reason;
	}
	return rc;
}

/* Sends the packet (already rewritten) to an ENI's instance. */
static __always_inline int dp_send(struct dp_ctx *c, const struct dp_eni *to)
{
	dp_trace(c, DP_STAGE_FORWARD, to->flags & DP_ENI_TAP ? 1 : 0, to->ifindex, 0, 0);
	if (to->flags & DP_ENI_TAP)
		return bpf_redirect(to->ifindex, 0);
	return bpf_redirect_peer(to->ifindex, 0);
}

/* TTL / hop limit for a routed packet: 0, or DP_DROP_TTL.  The IPv4 header
 * checksum is updated incrementally (RFC 1624). */
static __always_inline int dp_ttl(struct dp_ctx *c)
{
	if (c->p.ttl <= 1)
		return DP_DROP_TTL;
	if (c->tracing)
		return 0;
	if (c->p.family == 4) {
		__u32 off = sizeof(struct ethhdr) + offsetof(struct iphdr, ttl);
		__u16 old = bpf_htons((__u16)c->p.ttl << 8),
		      nw = bpf_htons((__u16)(c->p.ttl - 1) << 8);
		/* ttl and protocol share a 16-bit word; only the ttl byte changes */
		__u8 t = c->p.ttl - 1;
		bpf_l3_csum_replace(c->skb, sizeof(struct ethhdr) + offsetof(struct iphdr, check),
				    old, nw, 2);
		bpf_skb_store_bytes(c->skb, off, &t, 1, 0);
	} else {
		__u8 t = c->p.ttl - 1;
		bpf_skb_store_bytes(
		    c->skb, sizeof(struct ethhdr) + offsetof(struct ipv6hdr, hop_limit), &t, 1, 0);
	}
	return 0;
}

static __always_inline int dp_rewrite_mac(struct dp_ctx *c, const struct dp_eni *to)
{
	void *data = (void *)(long)c->skb->data, *end = (void *)(long)c->skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return DP_DROP_MALFORMED;
	const __u8 gw[6] = DP_GW_MAC;
	dp_mac_cpy(eth->h_source, gw);
	dp_mac_cpy(eth->h_dest, to->mac);
	return 0;
}

/* The flow of this packet for the security groups: as it travels
 * (reverse = 0), or as its originator sent it when this packet is a reply
 * (reverse = 1; c->dst is then the originator). */
static __always_inline void dp_sg_flow_of(const struct dp_ctx *c, struct dp_sg_flow *f, int reverse)
{
	int icmp = c->p.proto == IPPROTO_ICMP || c->p.proto == IPPROTO_ICMPV6;
	f->family = c->p.family;
	f->proto = c->p.proto;
	f->tracing = c->tracing;
	f->len = c->p.len;
	f->rule = 0;
	if (!reverse) {
		dp_addr_cpy(f->saddr, c->p.saddr);
		dp_addr_cpy(f->daddr, c->p.daddr);
		f->sport = c->p.sport;
		f->dport = c->p.dport;
		f->src_eni = c->eni_idx;
		dp_sg_where(c->eni_idx, c->eni, &f->src_tab, &f->src_slot);
		f->dst_eni = c->dst_idx;
		dp_sg_where(c->dst_idx, c->dst, &f->dst_tab, &f->dst_slot);
	} else {
		dp_addr_cpy(f->saddr, c->p.daddr);
		dp_addr_cpy(f->daddr, c->p.saddr);
		f->sport = icmp ? c->p.sport : c->p.dport;
		f->dport = icmp ? 0 : c->p.sport;
		f->src_eni = c->dst_idx;
		dp_sg_where(c->dst_idx, c->dst, &f->src_tab, &f->src_slot);
		f->dst_eni = c->eni_idx;
		dp_sg_where(c->eni_idx, c->eni, &f->dst_tab, &f->dst_slot);
	}
}

/* The full decision for a new (or revalidated) flow of the packet's
 * direction.  Returns 0 with c->dst_idx/c->dst set, or a drop reason. */
static __always_inline int dp_decide(struct dp_ctx *c, __u32 *rt_gen)
{
	int r = dp_route(c, rt_gen);
	if (r)
		return r;
	__u32 d = c->dst_idx;
	c->dst = d && d < DP_ENI_MAX ? bpf_map_lookup_elem(&eni, &d) : NULL;
	if (!c->dst || !c->dst->ifindex) {
		dp_trace(c, DP_STAGE_DELIVER, 0, d, 0, 0);
		return DP_DROP_NO_HOST;
	}
	dp_trace(c, DP_STAGE_DELIVER, c->dst->flags, d, c->dst->ifindex, 0);
	if (!(c->dst->flags & DP_ENI_UP))
		return DP_DROP_DST_DOWN;
	if (c->dst_idx == c->eni_idx)
		return DP_DROP_LOOP;
	c->routed = c->dst->vsw != c->eni->vsw;
	struct dp_sg_flow f;
	dp_sg_flow_of(c, &f, 0);
	r = dp_sg_decide(&f);
	c->rule = f.rule;
	return r;
}

/* An ICMP error about a tracked flow passes wherever that flow passes: the
 * inner header is the flow as its receiver saw it (RFC 792, RFC 4443). */
static __always_inline int dp_icmp_related(struct dp_ctx *c)
{
	if (!c->p.icmp_err || !c->p.l4off)
		return 0;
	void *data = (void *)(long)c->skb->data, *end = (void *)(long)c->skb->data_end;
	struct dp_ct_key k = {.net = c->zone, .family = c->p.family};
	__u32 off = c->p.l4off & 0x7ff;
	if (c->p.family == 4) {
		struct iphdr *in = data + off + 8;
		if ((void *)(in + 1) > end || in->ihl != 5)
			return 0;
		__u16 *ports = (void *)(in + 1);
		if ((void *)(ports + 2) > end)
			return 0;
		k.proto = in->protocol;
		*(__u32 *)k.saddr = in->saddr;
		*(__u32 *)k.daddr = in->daddr;
		k.sport = ports[0];
		k.dport = ports[1];
	} else {
		struct ipv6hdr *in = data + off + 8;
		if ((void *)(in + 1) > end)
			return 0;
		__u16 *ports = (void *)(in + 1);
		if ((void *)(ports + 2) > end)
			return 0;
		k.proto = in->nexthdr;
		dp_addr_cpy(k.saddr, (__u8 *)&in->saddr);
		dp_addr_cpy(k.daddr, (__u8 *)&in->daddr);
		k.sport = ports[0];
		k.dport = ports[1];
	}
	/* Errors about ICMP itself are not tracked (echo ids sit elsewhere). */
	if (k.proto != IPPROTO_TCP && k.proto != IPPROTO_UDP)
		return 0;
	/* The inner packet went from the error's destination to its source. */
	return bpf_map_lookup_elem(&ct, &k) != NULL;
}

static __always_inline int dp_pipeline(struct dp_ctx *c)
{
	int r = dp_parse(c);
	dp_trace(c, DP_STAGE_PARSE, r, c->p.eth_proto, c->p.family, c->p.proto);
	__u32 ifx = c->skb->ifindex;
	struct dp_ifmap_val *iv = bpf_map_lookup_elem(&ifmap, &ifx);
	if (iv && iv->eni < DP_ENI_MAX) {
		c->eni_idx = iv->eni;
		c->eni = bpf_map_lookup_elem(&eni, &c->eni_idx);
	}
	if (!c->eni) {
		c->eni_idx = 0;
		return dp_drop(c, DP_DROP_NO_ENI);
	}
	dp_trace(c, DP_STAGE_ENI, c->eni->flags, c->eni_idx, c->eni->net, c->eni->rtb);
	if (r)
		return dp_drop(c, r);
	if (!(c->eni->flags & DP_ENI_UP))
		return dp_drop(c, DP_DROP_ENI_DOWN);

	/* Port security: the MAC first (ARP and ND check their own fields). */
	if (!dp_mac_eq(c->p.smac, c->eni->mac)) {
		dp_trace(c, DP_STAGE_PORTSEC, DP_DROP_SPOOF_MAC, 0, 0, 0);
		return dp_drop(c, DP_DROP_SPOOF_MAC);
	}
	if (c->p.eth_proto == ETH_P_ARP) {
		r = dp_arp(c);
		if (r)
			return dp_drop(c, r);
		c->verdict = DP_VERDICT_REPLY;
		dp_count(c, c->eni_idx, DP_STAT_ARP);
		return dp_send(c, c->eni);
	}
	if (c->p.family == 0)
		return dp_drop(c, DP_DROP_ETHERTYPE);
	if (c->p.family == 6 && c->p.proto == IPPROTO_ICMPV6 && c->p.icmp_type >= 133 &&
	    c->p.icmp_type <= 137) {
		r = dp_nd(c);
		if (r)
			return dp_drop(c, r);
		c->verdict = DP_VERDICT_REPLY;
		dp_count(c, c->eni_idx, DP_STAT_ARP);
		return dp_send(c, c->eni);
	}
	if (c->p.mcast || (c->p.family == 4 && ((__u32 *)c->p.daddr)[0] == 0xffffffff) ||
	    (c->p.family == 6 && c->p.daddr[0] == 0xff))
		return dp_drop(c, DP_DROP_FLOOD);

	struct dp_addr_key ak = {.net = c->eni->net, .family = c->p.family};
	dp_addr_cpy(ak.addr, c->p.saddr);
	struct dp_addr_val *own = bpf_map_lookup_elem(&addr, &ak);
	int src_ok = own && own->eni == c->eni_idx;
	if (!src_ok && dp_routes_to_me(c))
		src_ok = 2;
	dp_trace(c, DP_STAGE_PORTSEC, src_ok ? 0 : DP_DROP_SPOOF_IP, src_ok, 0, 0);
	if (!src_ok)
		return dp_drop(c, DP_DROP_SPOOF_IP);
	c->zone = c->eni->net;
	if (c->eni->link_net) {
		struct dp_addr_key lk = {.net = c->eni->link_net, .family = c->p.family};
		dp_addr_cpy(lk.addr, c->p.daddr);
		if (bpf_map_lookup_elem(&addr, &lk))
			c->zone = c->eni->link_net;
	}

	r = dp_gateway_echo(c);
	if (r < 0)
		return dp_drop(c, -r);
	if (r > 0) {
		c->verdict = DP_VERDICT_REPLY;
		dp_count(c, c->eni_idx, DP_STAT_ARP);
		return dp_send(c, c->eni);
	}

	/* Conntrack: the fast path. */
	__u64 now = bpf_ktime_get_coarse_ns();
	struct dp_ct_key ck;
	dp_ct_key_of(c, &ck);
	struct dp_ct *e = dp_ct_lookup(c, &ck, now);
	__u32 rt_gen = 0;
	if (e) {
		__u32 d = e->dst_eni;
		c->dst_idx = d;
		c->dst = d && d < DP_ENI_MAX ? bpf_map_lookup_elem(&eni, &d) : NULL;
		__u32 t = c->eni->rtb;
		struct dp_rtb *tb = t ? bpf_map_lookup_elem(&rtb, &t) : NULL;
		rt_gen = tb ? tb->gen : 0;
		__u32 tb0;
		__u8 sl0;
		__u32 gsrc = dp_sg_where(c->eni_idx, c->eni, &tb0, &sl0);
		__u32 gdst = dp_sg_where(d, c->dst, &tb0, &sl0);
		int fresh = c->dst && e->src_gen == gsrc && e->dst_gen == gdst &&
			    (e->reply || e->rt_gen == rt_gen);
		dp_trace(c, DP_STAGE_CT, e->state, e->reply, fresh, d);
		if (fresh) {
			if (!(c->dst->flags & DP_ENI_UP))
				return dp_drop(c, DP_DROP_DST_DOWN);
			c->routed = e->routed;
			dp_ct_touch(c, &ck, e, now);
			goto forward;
		}
		/* A stale decision: decide again for the flow's originator. */
		if (e->reply) {
			if (!c->dst)
				return dp_drop(c, DP_DROP_NO_HOST);
			struct dp_sg_flow f;
			dp_sg_flow_of(c, &f, 1);
			r = dp_sg_decide(&f);
			if (r)
				return dp_drop(c, r);
			if (!c->tracing) {
				struct dp_ct_key ok;
				dp_ct_reverse(&ck, &ok);
				struct dp_ct *oe = bpf_map_lookup_elem(&ct, &ok);
				if (oe) {
					oe->src_gen = gdst;
					oe->dst_gen = gsrc;
				}
				e->src_gen = gsrc;
				e->dst_gen = gdst;
			}
			c->routed = e->routed;
			dp_ct_touch(c, &ck, e, now);
			goto forward;
		}
	} else if (c->p.frag) {
		return dp_drop(c, DP_DROP_FRAGMENT);
	} else {
		dp_trace(c, DP_STAGE_CT, 0, 0, 0, 0);
	}

	/* A new flow, or the originator's direction of a stale one. */
	c->dst = NULL;
	c->dst_idx = 0;
	c->rule = 0;
	if (dp_icmp_related(c)) {
		r = dp_route(c, &rt_gen);
		if (r)
			return dp_drop(c, r);
		__u32 d = c->dst_idx;
		c->dst = d && d < DP_ENI_MAX ? bpf_map_lookup_elem(&eni, &d) : NULL;
		if (!c->dst || !(c->dst->flags & DP_ENI_UP))
			return dp_drop(c, DP_DROP_NO_HOST);
		c->routed = c->dst->vsw != c->eni->vsw;
		goto forward; /* related: no entry of its own */
	}
	r = dp_decide(c, &rt_gen);
	if (r)
		return dp_drop(c, r);
	__u32 tb1;
	__u8 sl1;
	__u32 gs = dp_sg_where(c->eni_idx, c->eni, &tb1, &sl1);
	__u32 gd = dp_sg_where(c->dst_idx, c->dst, &tb1, &sl1);
	if (e && !c->tracing) {
		/* Revalidated: refresh both entries in place. */
		e->dst_eni = c->dst_idx;
		e->src_gen = gs;
		e->dst_gen = gd;
		e->rt_gen = rt_gen;
		e->routed = c->routed;
		dp_ct_touch(c, &ck, e, now);
		struct dp_ct_key rk;
		dp_ct_reverse(&ck, &rk);
		struct dp_ct *re = bpf_map_lookup_elem(&ct, &rk);
		if (re) {
			re->dst_eni = c->eni_idx;
			re->src_gen = gd;
			re->dst_gen = gs;
			re->routed = c->routed;
		}
	} else {
		r = dp_ct_create(c, &ck, gs, gd, rt_gen, now);
		if (r)
			return dp_drop(c, r);
	}

forward:
	if (!c->dst)
		return dp_drop(c, DP_DROP_NO_HOST);
	if (c->routed) {
		r = dp_ttl(c);
		dp_trace(c, DP_STAGE_TTL, r, c->p.ttl, 0, 0);
		if (r)
			return dp_drop(c, r);
	}
	{
		struct dp_eni *to = c->dst;
		r = dp_rewrite_mac(c, to);
		if (r)
			return dp_drop(c, r);
		c->verdict = DP_VERDICT_FORWARD;
		dp_count(c, c->eni_idx, DP_STAT_TX);
		dp_count(c, c->dst_idx, DP_STAT_RX);
		return dp_send(c, to);
	}
}

SEC("tc")
int dp_eni_ingress(struct __sk_buff *skb)
{
	struct dp_ctx c = {.skb = skb};
	if (skb->cb[0] == DP_TRACE_MAGIC) {
		__u32 zero = 0;
		struct dp_cfg *g = bpf_map_lookup_elem(&cfg, &zero);
		if (g && g->trace_cookie && skb->cb[1] == g->trace_cookie) {
			c.tracing = 1;
			struct dp_trace *t = bpf_map_lookup_elem(&trace, &zero);
			if (t)
				t->n = 0;
		}
	}
	int rc = dp_pipeline(&c);
	__u32 ifx = c.verdict == DP_VERDICT_FORWARD && c.dst ? c.dst->ifindex
		    : c.verdict == DP_VERDICT_REPLY && c.eni ? c.eni->ifindex
							     : 0;
	return dp_finish(&c, rc, ifx);
}
