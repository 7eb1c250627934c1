/*
 * gateway: the vSwitch gateway answers ICMP echo requests to its IPv4
 * address, as the cloud's does (users ping the gateway to check their
 * link).  The request becomes the reply in place: addresses and MACs
 * swapped, type 8 -> 0 with the ICMP checksum adjusted incrementally (RFC
 * 1624); the IPv4 header checksum does not change when addresses swap.
 * Security groups do not apply: the gateway is the network itself.
 */
#ifndef OPENVPC_DP_GATEWAY_H
#define OPENVPC_DP_GATEWAY_H

#include "dp/ctx.h"
#include "dp/parse.h"

/* 1 when the packet is an echo request to the gateway (then rewritten into
 * the reply), 0 when it is not for the gateway, or a negative drop reason. */
static __always_inline int dp_gateway_echo(struct dp_ctx *c)
{
	struct dp_pkt *p = &c->p;
	if (p->family != 4 || p->proto != IPPROTO_ICMP || p->icmp_type != ICMP_ECHO || p->frag ||
	    !c->eni->gw4 || *(__u32 *)p->daddr != c->eni->gw4)
		return 0;
	void *data = (void *)(long)c->skb->data, *end = (void *)(long)c->skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end)
		return -DP_DROP_MALFORMED;
	struct dp_icmphdr *ih = (void *)ip + (ip->ihl & 0xf) * 4;
	if ((void *)(ih + 1) > end)
		return -DP_DROP_MALFORMED;
	const __u8 gw[6] = DP_GW_MAC;
	__u32 s = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = s;
	ih->type = ICMP_ECHOREPLY;
	__u32 sum = (__u32)bpf_ntohs(ih->csum) + 0x0800;
	sum = (sum & 0xffff) + (sum >> 16);
	ih->csum = bpf_htons((__u16)sum);
	dp_mac_cpy(eth->h_dest, eth->h_source);
	dp_mac_cpy(eth->h_source, gw);
	dp_trace(c, DP_STAGE_GATEWAY, 1, bpf_ntohl(c->eni->gw4), 0, 0);
	return 1;
}

#endif
