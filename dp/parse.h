/*
 * parse: the first stage.  Reads the Ethernet, ARP, IPv4, IPv6 and L4
 * headers through bounds checks the verifier follows, and copies what later
 * stages need into ctx->p, so no stage keeps a packet pointer across a helper
 * that may move the data.
 *
 * Returns 0, or a drop reason (DP_DROP_MALFORMED) for a packet whose headers
 * are cut short or inconsistent.  A non-first fragment has no L4 header:
 * p.frag is set and ports are 0.  IPv6 extension headers other than a
 * fragment header are not walked: the packet is treated as carrying the
 * first next-header value with no ports (XXX: hop-by-hop, routing and
 * destination-option headers are rare between instances; walk them when a
 * user needs them).
 */
#ifndef OPENVPC_DP_PARSE_H
#define OPENVPC_DP_PARSE_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "dp/ctx.h"

/* linux/icmp.h pulls in libc headers that do not build for BPF. */
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129
struct dp_icmphdr {
	__u8 type, code;
	__be16 csum;
	__be16 id, seq;
};

/* Linear bytes wanted before parsing: Ethernet + the largest IPv4 header +
 * a TCP header, or an ICMP error's inner headers. */
#define DP_PULL_LEN 128

static __always_inline int dp_is_icmp_echo(__u8 family, __u8 type)
{
	return family == 4 ? (type == ICMP_ECHO || type == ICMP_ECHOREPLY)
			   : (type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY);
}

static __always_inline int dp_is_icmp_error(__u8 family, __u8 type)
{
	return family == 4 ? (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
			      type == ICMP_PARAMETERPROB)
			   : (type >= 1 && type <= 4);
}

static __always_inline int dp_parse_l4(struct dp_ctx *c, void *l4, void *end)
{
	struct dp_pkt *p = &c->p;
	p->l4off = (__u16)(l4 - (void *)(long)c->skb->data);
	if (p->frag)
		return 0;
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		if ((void *)(th + 1) > end)
			return DP_DROP_MALFORMED;
		p->sport = th->source;
		p->dport = th->dest;
		p->tcp_flags = ((__u8 *)th)[13];
	} else if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		if ((void *)(uh + 1) > end)
			return DP_DROP_MALFORMED;
		p->sport = uh->source;
		p->dport = uh->dest;
	} else if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		struct dp_icmphdr *ih = l4;
		if ((void *)ih + 8 > end)
			return DP_DROP_MALFORMED;
		p->icmp_type = ih->type;
		p->icmp_code = ih->code;
		if (dp_is_icmp_echo(p->family, ih->type))
			p->sport = ih->id;
		else if (dp_is_icmp_error(p->family, ih->type))
			p->icmp_err = 1;
	}
	return 0;
}

static __always_inline int dp_parse(struct dp_ctx *c)
{
	struct __sk_buff *skb = c->skb;
	struct dp_pkt *p = &c->p;
	p->len = skb->len;
	if ((long)skb->data_end - (long)skb->data < DP_PULL_LEN &&
	    skb->len > skb->data_end - skb->data)
		bpf_skb_pull_data(skb, skb->len < DP_PULL_LEN ? skb->len : DP_PULL_LEN);
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return DP_DROP_MALFORMED;
	dp_mac_cpy(p->smac, eth->h_source);
	dp_mac_cpy(p->dmac, eth->h_dest);
	p->mcast = eth->h_dest[0] & 1;
	p->eth_proto = bpf_ntohs(eth->h_proto);
	p->l3off = sizeof(*eth);
	if (p->eth_proto == ETH_P_IP) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end)
			return DP_DROP_MALFORMED;
		__u32 ihl = ip->ihl * 4;
		if (ip->version != 4 || ihl < sizeof(*ip) || bpf_ntohs(ip->tot_len) < ihl ||
		    bpf_ntohs(ip->tot_len) + sizeof(*eth) > p->len)
			return DP_DROP_MALFORMED;
		p->family = 4;
		p->proto = ip->protocol;
		p->ttl = ip->ttl;
		*(__u32 *)p->saddr = ip->saddr;
		*(__u32 *)p->daddr = ip->daddr;
		p->frag = (bpf_ntohs(ip->frag_off) & 0x1fff) != 0;
		void *l4 = (void *)ip + ihl;
		if (l4 > end)
			return DP_DROP_MALFORMED;
		return dp_parse_l4(c, l4, end);
	}
	if (p->eth_proto == ETH_P_IPV6) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return DP_DROP_MALFORMED;
		if (ip6->version != 6 ||
		    bpf_ntohs(ip6->payload_len) + sizeof(*ip6) + sizeof(*eth) > p->len)
			return DP_DROP_MALFORMED;
		p->family = 6;
		p->proto = ip6->nexthdr;
		p->ttl = ip6->hop_limit;
		dp_addr_cpy(p->saddr, (__u8 *)&ip6->saddr);
		dp_addr_cpy(p->daddr, (__u8 *)&ip6->daddr);
		void *l4 = ip6 + 1;
		if (p->proto == IPPROTO_FRAGMENT) {
			__u8 *fh = l4; /* next header, reserved, offset+flags (2), id (4) */
			if ((void *)(fh + 8) > end)
				return DP_DROP_MALFORMED;
			p->proto = fh[0];
			p->frag = ((((__u16)fh[2] << 8) | fh[3]) & 0xfff8) != 0;
			l4 = fh + 8;
		}
		return dp_parse_l4(c, l4, end);
	}
	return 0; /* ARP and others: the program looks at eth_proto */
}

#endif
