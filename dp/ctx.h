/*
 * ctx: the per-packet context every stage reads and writes, the trace
 * recorder, the counters and the drop exit.  One struct dp_ctx lives on the
 * program's stack for one packet; nothing is allocated.
 *
 * Trace mode (dp.h, "trace"): a run of BPF_PROG_TEST_RUN that carries the
 * magic and the host's cookie in cb[0..1].  In trace mode every stage calls
 * dp_trace() with its decision and no stage writes state: dp_count(),
 * dp_drop() and the conntrack writes check ctx->tracing first.
 */
#ifndef OPENVPC_DP_CTX_H
#define OPENVPC_DP_CTX_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "dp/dp.h"
#include "dp/maps.h"

/* What parse.h found.  Addresses are copied out of the packet (16 bytes,
 * IPv4 in the first 4) so later stages never hold packet pointers across
 * helpers that may move the data. */
struct dp_pkt {
	__u32 len;	 /* skb->len */
	__u16 eth_proto; /* host order */
	__u8 family;	 /* 0 (not IP), 4, 6 */
	__u8 proto;	 /* L4 protocol */
	__u16 l3off;	 /* always 14 */
	__u16 l4off;	 /* 0: no L4 header in the linear data */
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport, dport; /* network order; ICMP echo: id in sport */
	__u8 tcp_flags;
	__u8 ttl;
	__u8 icmp_type, icmp_code;
	__u8 frag;     /* 1: a non-first fragment (no L4 header) */
	__u8 icmp_err; /* an ICMP error carrying an inner header */
	__u8 mcast;    /* destination MAC is multicast or broadcast */
	__u8 pad;
	__u8 smac[6], dmac[6];
};

struct dp_ctx {
	struct __sk_buff *skb;
	struct dp_pkt p;
	__u32 eni_idx;
	struct dp_eni *eni;
	__u32 dst_idx;
	struct dp_eni *dst;
	__u8 tracing;
	__u8 routed;
	__u8 verdict;
	__u8 pad;
	__u32 drop_reason;
	__u32 rule; /* counter of the deciding ingress rule */
	/* The network the flow lives in: the ENI's, or for a classic NIC linked
	 * to a VPC (ClassicLink, NET-27) that VPC's when the destination is
	 * there, so both directions of a flow share one conntrack zone. */
	__u32 zone;
};

/* Records one decision (trace mode only).  stage_result = stage << 16 |
 * result.  Global, so the verifier checks it once. */
__attribute__((noinline)) int dp_trace_raw(__u32 tracing, __u32 stage_result, __u32 a, __u32 b,
					   __u32 x)
{
	if (!tracing)
		return 0;
	__u32 zero = 0;
	struct dp_trace *t = bpf_map_lookup_elem(&trace, &zero);
	if (!t)
		return 0;
	__u32 n = t->n;
	if (n >= DP_TRACE_MAX)
		return 0;
	struct dp_trace_ev *ev = &t->ev[n & (DP_TRACE_MAX - 1)];
	ev->stage = stage_result >> 16;
	ev->result = stage_result & 0xffff;
	ev->a = a;
	ev->b = b;
	ev->c = x;
	t->n = n + 1;
	return 0;
}

static __always_inline void dp_trace(struct dp_ctx *c, __u16 stage, __u16 result, __u32 a, __u32 b,
				     __u32 x)
{
	if (c->tracing)
		dp_trace_raw(1, (__u32)stage << 16 | result, a, b, x);
}

static __always_inline void dp_stat_add(void *map, __u32 idx, __u32 len)
{
	struct dp_stat *s = bpf_map_lookup_elem(map, &idx);
	if (s) {
		s->packets++;
		s->bytes += len;
	}
}

/* Counts one packet against an ENI's counter (not in trace mode). */
static __always_inline void dp_count(struct dp_ctx *c, __u32 eni_idx, __u32 stat)
{
	if (c->tracing || eni_idx >= DP_ENI_MAX)
		return;
	dp_stat_add(&eni_stats, eni_idx * DP_STAT_MAX + stat, c->p.len);
}

/* The one exit for a dropped packet: counts it by reason against the sending
 * ENI (0 when unknown), records it, and returns TC_ACT_SHOT. */
static __always_inline int dp_drop(struct dp_ctx *c, __u32 reason)
{
	__u32 e = c->eni_idx < DP_ENI_MAX ? c->eni_idx : 0;
	c->verdict = DP_VERDICT_DROP;
	c->drop_reason = reason;
	dp_trace(c, DP_STAGE_DROP, reason, e, 0, 0);
	if (!c->tracing) {
		dp_stat_add(&drops, e * DP_DROP_MAX + (reason < DP_DROP_MAX ? reason : 0),
			    c->p.len);
		if (e)
			dp_stat_add(&eni_stats, e * DP_STAT_MAX + DP_STAT_DROP, c->p.len);
	}
	return TC_ACT_SHOT;
}

static __always_inline int dp_addr_eq(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static __always_inline void dp_addr_cpy(__u8 *d, const __u8 *s)
{
	__u32 *x = (__u32 *)d;
	const __u32 *y = (const __u32 *)s;
	x[0] = y[0];
	x[1] = y[1];
	x[2] = y[2];
	x[3] = y[3];
}

static __always_inline void dp_mac_cpy(__u8 *d, const __u8 *s)
{
	__builtin_memcpy(d, s, 6);
}

static __always_inline int dp_mac_eq(const __u8 *a, const __u8 *b)
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3] && a[4] == b[4] &&
	       a[5] == b[5];
}

/* addr inside pfx/plen (both 16-byte arrays, network order)? */
static __always_inline int dp_prefix_has(const __u8 *pfx, __u32 plen, const __u8 *addr)
{
	const __u32 *p = (const __u32 *)pfx, *a = (const __u32 *)addr;
#pragma unroll
	for (int w = 0; w < 4; w++) {
		int bits = (int)plen - 32 * w;
		if (bits <= 0)
			break;
		__u32 mask = bits >= 32 ? 0xffffffffu : bpf_htonl(~0u << (32 - bits));
		if ((p[w] ^ a[w]) & mask)
			return 0;
	}
	return 1;
}

#endif
