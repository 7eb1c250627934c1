/*
 * arp: the network answers ARP itself (NET-10: nothing is flooded).
 *
 * A request from the ENI's own address for the vSwitch gateway or for an
 * address another ENI of the same network holds is turned, in place, into the
 * reply, sent back to the asker with the network's MAC (DP_GW_MAC): every
 * neighbour of an instance has that MAC, and the pipeline rewrites it to the
 * real destination when it forwards.  Anything else (a reply, a gratuitous
 * announcement, a probe from 0.0.0.0, a request for a free address or for
 * the asker's own) is dropped and counted; the instance then sees no owner,
 * which is what duplicate-address detection wants.
 */
#ifndef OPENVPC_DP_ARP_H
#define OPENVPC_DP_ARP_H

/* linux/if_arp.h pulls in libc headers; the three values it gives: */
#define DP_ARPHRD_ETHER 1
#define DP_ARPOP_REQUEST 1
#define DP_ARPOP_REPLY 2

#include "dp/ctx.h"
#include "dp/parse.h"

struct dp_arp_eth {
	__be16 htype, ptype;
	__u8 hlen, plen;
	__be16 op;
	__u8 sha[6];
	__u8 spa[4];
	__u8 tha[6];
	__u8 tpa[4];
} __attribute__((packed));

/* Returns 0 when the packet was made a reply (the caller sends it back), or a
 * drop reason. */
static __always_inline int dp_arp(struct dp_ctx *c)
{
	void *data = (void *)(long)c->skb->data, *end = (void *)(long)c->skb->data_end;
	struct ethhdr *eth = data;
	struct dp_arp_eth *a = (void *)(eth + 1);
	if ((void *)(a + 1) > end)
		return DP_DROP_MALFORMED;
	if (a->htype != bpf_htons(DP_ARPHRD_ETHER) || a->ptype != bpf_htons(ETH_P_IP) ||
	    a->hlen != 6 || a->plen != 4)
		return DP_DROP_MALFORMED;
	if (a->op != bpf_htons(DP_ARPOP_REQUEST))
		return DP_DROP_ARP_OTHER;
	struct dp_addr_key k = {.net = c->eni->net, .family = 4};
	__builtin_memcpy(k.addr, a->spa, 4);
	struct dp_addr_val *own = bpf_map_lookup_elem(&addr, &k);
	if (!own || own->eni != c->eni_idx || !dp_mac_eq(a->sha, c->eni->mac))
		return DP_DROP_ARP_OTHER;
	__u32 tpa;
	__builtin_memcpy(&tpa, a->tpa, 4);
	int known = c->eni->gw4 && tpa == c->eni->gw4;
	__u32 holder = 0;
	if (!known) {
		__builtin_memcpy(k.addr, a->tpa, 4);
		struct dp_addr_val *v = bpf_map_lookup_elem(&addr, &k);
		if (v && v->eni != c->eni_idx) {
			known = 1;
			holder = v->eni;
		}
	}
	dp_trace(c, DP_STAGE_ARP, known, bpf_ntohl(tpa), holder, 0);
	if (!known)
		return DP_DROP_ARP_UNKNOWN;
	const __u8 gw[6] = DP_GW_MAC;
	__u8 spa[4];
	__builtin_memcpy(spa, a->spa, 4);
	a->op = bpf_htons(DP_ARPOP_REPLY);
	dp_mac_cpy(a->tha, a->sha);
	__builtin_memcpy(a->tpa, spa, 4);
	dp_mac_cpy(a->sha, gw);
	__builtin_memcpy(a->spa, &tpa, 4);
	dp_mac_cpy(eth->h_dest, eth->h_source);
	dp_mac_cpy(eth->h_source, gw);
	return 0;
}

#endif
