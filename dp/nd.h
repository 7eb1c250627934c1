/*
 * nd: the network answers IPv6 neighbour solicitations itself, as arp.h does
 * for IPv4.  A solicitation from one of the ENI's own addresses (or its
 * link-local address: any fe80::/64 source from the ENI's MAC) for the
 * gateway (fe80::1, or the vSwitch's IPv6 gateway) or for an address another
 * ENI of the network holds is rewritten in place into a solicited
 * advertisement from DP_GW_MAC with the Target Link-Layer Address option.
 * Duplicate-address probes (source ::) get no answer, so they succeed.
 * Router solicitations, redirects and MLD are not answered here (router
 * advertisements are svc/'s, next issue): dropped and counted.
 */
#ifndef OPENVPC_DP_ND_H
#define OPENVPC_DP_ND_H

#include "dp/ctx.h"
#include "dp/parse.h"

#define DP_ND_NS 135
#define DP_ND_NA 136
/* ICMPv6 NS/NA body: type, code, csum, 4 bytes (flags), target (16). */
#define DP_ND_BODY 24
#define DP_ND_OPT 8

static __always_inline int dp_is_ll(const __u8 *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* fe80::1 */
static __always_inline int dp_is_gw_ll(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;
	return w[0] == bpf_htonl(0xfe800000) && w[1] == 0 && w[2] == 0 && w[3] == bpf_htonl(1);
}

static __always_inline __u32 dp_csum_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* Returns 0 when the packet became the advertisement, or a drop reason.  The
 * packet is resized, so the caller re-reads every pointer. */
static __always_inline int dp_nd(struct dp_ctx *c)
{
	struct dp_pkt *p = &c->p;
	if (p->icmp_type != DP_ND_NS || p->frag)
		return DP_DROP_ND_OTHER;
	void *data = (void *)(long)c->skb->data, *end = (void *)(long)c->skb->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	__u8 *icmp = (void *)(ip6 + 1);
	if ((void *)(icmp + DP_ND_BODY) > end)
		return DP_DROP_MALFORMED;
	if (ip6->hop_limit != 255 || icmp[1] != 0)
		return DP_DROP_ND_OTHER; /* RFC 4861 7.1.1 */
	__u8 target[16];
	dp_addr_cpy(target, icmp + 8);
	/* The asker: its link-local address, or one of its own. */
	struct dp_addr_key k = {.net = c->eni->net, .family = 6};
	int zero_src = ((__u32 *)p->saddr)[0] == 0 && ((__u32 *)p->saddr)[1] == 0 &&
		       ((__u32 *)p->saddr)[2] == 0 && ((__u32 *)p->saddr)[3] == 0;
	if (zero_src)
		return DP_DROP_ND_OTHER;
	if (!dp_is_ll(p->saddr)) {
		dp_addr_cpy(k.addr, p->saddr);
		struct dp_addr_val *own = bpf_map_lookup_elem(&addr, &k);
		if (!own || own->eni != c->eni_idx)
			return DP_DROP_SPOOF_IP;
	}
	int known = dp_is_gw_ll(target) || dp_addr_eq(target, c->eni->gw6);
	__u32 holder = 0;
	if (!known) {
		dp_addr_cpy(k.addr, target);
		struct dp_addr_val *v = bpf_map_lookup_elem(&addr, &k);
		if (v && v->eni != c->eni_idx) {
			known = 1;
			holder = v->eni;
		}
	}
	dp_trace(c, DP_STAGE_ND, known, bpf_ntohl(((__u32 *)target)[3]), holder, 0);
	if (!known)
		return DP_DROP_ND_UNKNOWN;

	/* Make it exactly Ethernet + IPv6 + NA (24) + TLLA option (8). */
	__u32 want = sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + DP_ND_BODY + DP_ND_OPT;
	if (c->skb->len != want && bpf_skb_change_tail(c->skb, want, 0) < 0)
		return DP_DROP_MALFORMED;
	data = (void *)(long)c->skb->data;
	end = (void *)(long)c->skb->data_end;
	struct ethhdr *eth = data;
	ip6 = (void *)(eth + 1);
	icmp = (void *)(ip6 + 1);
	if ((void *)(icmp + DP_ND_BODY + DP_ND_OPT) > end)
		return DP_DROP_MALFORMED;
	const __u8 gw[6] = DP_GW_MAC;
	dp_mac_cpy(eth->h_dest, eth->h_source);
	dp_mac_cpy(eth->h_source, gw);
	ip6->payload_len = bpf_htons(DP_ND_BODY + DP_ND_OPT);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 255;
	dp_addr_cpy((__u8 *)&ip6->daddr, p->saddr);
	dp_addr_cpy((__u8 *)&ip6->saddr, target);
	icmp[0] = DP_ND_NA;
	icmp[1] = 0;
	icmp[2] = 0;
	icmp[3] = 0;
	icmp[4] = 0x60; /* Solicited | Override; a router only for the gateway */
	if (!holder)
		icmp[4] |= 0x80;
	icmp[5] = icmp[6] = icmp[7] = 0;
	dp_addr_cpy(icmp + 8, target);
	icmp[24] = 2; /* Target Link-Layer Address */
	icmp[25] = 1;
	dp_mac_cpy(icmp + 26, gw);
	/* Checksum: pseudo-header (src, dst, length, next header) + the message. */
	__u64 s = 0;
	const __u32 *w = (const __u32 *)target;
	/* 64-bit sums: four 32-bit words overflow 32 bits (that lost a carry) */
	s += (__u64)w[0] + w[1] + w[2] + w[3];
	w = (const __u32 *)p->saddr;
	s += (__u64)w[0] + w[1] + w[2] + w[3];
	s += (__u64)bpf_htonl(DP_ND_BODY + DP_ND_OPT) + bpf_htonl(IPPROTO_ICMPV6);
	const __u32 *m = (const __u32 *)icmp;
#pragma unroll
	for (int i = 0; i < (DP_ND_BODY + DP_ND_OPT) / 4; i++)
		s += m[i];
	__u16 csum = dp_csum_fold(s);
	__builtin_memcpy(icmp + 2, &csum, 2);
	return 0;
}

#endif
