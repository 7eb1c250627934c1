/*
 * dp: the structures the data plane's BPF programs and the agent share.
 *
 * This header is the one contract between the two sides: every map key and
 * value, every index scheme, the drop reasons, the counters and the trace
 * records are defined here with fixed-width types and explicit padding, and
 * both the BPF programs (dp/NAME.bpf.c, compiled by clang -target bpf) and the
 * agent (agent/, gcc or clang) include it.  Nothing else crosses.
 *
 * Indexes.  The agent hands out small integers and recycles them:
 *   ENI index   1..DP_ENI_MAX-1   (0 = none / a device that is not an ENI)
 *   VPC index   1..DP_VPC_MAX-1   (one per VPC on this host, one per region's
 *                                  classic network: the "network index")
 *   table index 1..DP_RTB_MAX-1   (one per route table)
 * Each index's owner id (eni-..., vpc-..., vtb-...) is stored in its map
 * value, so an agent that restarts recovers every assignment from the pinned
 * maps instead of renumbering (conntrack entries hold ENI indexes).
 *
 * Addresses are kept in network byte order, IPv4 in the first 4 bytes of a
 * 16-byte array (the other 12 zero), so one key shape serves both families;
 * the family is always part of the key.
 *
 * Generations.  An ENI's policy (its groups' rules, its peers) and a route
 * table carry a generation number that the agent bumps when a change may
 * revoke what existing flows were allowed.  A conntrack entry records the
 * generations it was decided under; on a mismatch the flow is decided again
 * as if new, and dropped if no longer allowed (ARCHITECTURE: "a change ...
 * that affects existing flows invalidates them").
 */
#ifndef OPENVPC_DP_DP_H
#define OPENVPC_DP_DP_H

#ifdef __bpf__
#include <linux/types.h>
typedef __u8 dp_u8;
typedef __u16 dp_u16;
typedef __u32 dp_u32;
typedef __u64 dp_u64;
#else
#include <stdint.h>
typedef uint8_t dp_u8;
typedef uint16_t dp_u16;
typedef uint32_t dp_u32;
typedef uint64_t dp_u64;
#endif

/* --- sizes (map capacities; the agent may size maps smaller at load) ------ */
#define DP_ENI_MAX 16384
#define DP_VPC_MAX 4096
#define DP_RTB_MAX 8192
#define DP_ADDR_MAX 131072
#define DP_ROUTE_MAX 131072
#define DP_CT_MAX 262144
#define DP_SG_PREFIX_MAX 262144
#define DP_SG_CHUNK_MAX 131072
#define DP_RULE_MAX 65536
#define DP_ECMP_MAX 16
#define DP_SG_CHUNK_RULES 8
#define DP_SG_CHUNKS_PER_SET 128 /* bounded walk: 1,024 rules per address region */

/* The MAC the network answers with for every address (the vSwitch's), as
 * Alibaba's VPC does: instances see ee:ff:ff:ff:ff:ff as every neighbour. */
#define DP_GW_MAC                                                                                  \
	{                                                                                          \
		0xee, 0xff, 0xff, 0xff, 0xff, 0xff                                                 \
	}

/* --- the per-host configuration (array map "cfg", one entry) --------------- */
struct dp_cfg {
	dp_u32 trace_cookie;	 /* a trace run carries it in cb[1] (see "trace") */
	dp_u32 flags;		 /* reserved, 0 */
	dp_u64 ct_timeout_ns[4]; /* by DP_CT_T_*: see conntrack.h */
	dp_u64 prog_hash;	 /* of the BPF object the pinned program came from (agent) */
};
enum { DP_CT_T_TCP_OPEN = 0, DP_CT_T_TCP_EST = 1, DP_CT_T_TCP_CLOSE = 2, DP_CT_T_OTHER = 3 };

/* --- ENIs (array map "eni", by ENI index; hash "ifmap": ifindex -> index) -- */
enum {
	DP_ENI_UP = 1 << 0,	 /* forwarding to and from it */
	DP_ENI_TAP = 1 << 1,	 /* its device is a TAP: deliver with bpf_redirect */
	DP_ENI_CLASSIC = 1 << 2, /* a classic instance's NIC (NET-10: no L2 at all) */
};
struct dp_eni {
	dp_u32 ifindex;	 /* the host-side device (veth host end or TAP) */
	dp_u32 net;	 /* network index: its VPC, or its region's classic network */
	dp_u32 rtb;	 /* route table index of its vSwitch (0: classic, no routes) */
	dp_u32 vsw;	 /* a small number per vSwitch (crossing vSwitches = routed: TTL) */
	dp_u32 gen;	 /* policy generation (see above) */
	dp_u32 link_net; /* ClassicLink: the VPC's network index it is linked to, or 0 */
	dp_u8 mac[6];
	dp_u8 sg_slot;	 /* sg_tab 0: which of its own two table slots is live */
	dp_u8 flags;	 /* DP_ENI_* */
	dp_u32 gw4;	 /* vSwitch gateway, network order (0: none) */
	dp_u8 gw6[16];	 /* vSwitch IPv6 gateway (0: none); fe80::1 is always answered */
	char id[32];	 /* "eni-..." (or the classic instance id), NUL-padded */
	dp_u32 sg_tab;	 /* its security-group profile ("sgp" index), 0: tables of its own */
	dp_u32 cfg_hash; /* agent only: a hash of what it configured in the instance */
};

struct dp_ifmap_val {
	dp_u32 eni;
	dp_u32 pad;
};

/* --- addresses (hash "addr"): who holds an address in a network ----------- */
/* Every private address (primary, secondary, IPv6) of every ENI of a network
 * on this host.  It serves delivery (destination -> ENI), the ARP/ND answers
 * (a known address is answered) and port security (a source must map to the
 * sending ENI). */
struct dp_addr_key {
	dp_u32 net;
	dp_u32 family; /* 4 or 6 */
	dp_u8 addr[16];
};
struct dp_addr_val {
	dp_u32 eni;
	dp_u32 flags; /* reserved, 0 */
};

/* --- route tables (LPM trie "route"; array "rtb": table index -> state) ---- */
/* key.prefixlen counts the bits after the prefixlen field: 32 for the table
 * word, then the address prefix.  table = rtb index << 1 | (family == 6). */
struct dp_route_key {
	dp_u32 prefixlen;
	dp_u32 table;
	dp_u8 addr[16];
};
enum {
	DP_RT_LOCAL = 1, /* a vSwitch CIDR: deliver to whichever ENI holds the address */
	DP_RT_ENI = 2,	 /* custom route: next hop ENI(s), ECMP by flow hash */
};
struct dp_route_val {
	dp_u32 type;
	dp_u32 n; /* DP_RT_ENI: number of next hops, 1..DP_ECMP_MAX */
	dp_u32 eni[DP_ECMP_MAX];
	dp_u16 weight_cum[DP_ECMP_MAX]; /* cumulative weights; pick hash % total */
};
struct dp_rtb {
	dp_u32 gen;
	dp_u32 pad;
	char id[32]; /* "vtb-..." */
};
/* networks (array "net", by network index): the owner id, for recovery */
struct dp_net {
	dp_u32 gen;
	dp_u32 pad;
	char id[32]; /* "vpc-..." or "classic/<region>" */
};

/* --- security groups ------------------------------------------------------ */
/*
 * An ENI's rules are precompiled per (direction, family) into an LPM trie of
 * remote-address regions ("sg_lpm") and rule sets ("sg_rules").  For every
 * distinct remote prefix P named by a rule (CIDR peers as given, group peers
 * expanded into their members' /32 and /128 addresses) the set of P is every
 * rule whose prefix contains P, ordered by priority (drop before accept at
 * equal priority): a lookup of the remote address finds its most specific P,
 * and exactly the rules of that set can match it.  A set lives in chunks of
 * DP_SG_CHUNK_RULES; the first rule whose protocol, ports and local address
 * match decides.  No match: egress accepts, ingress drops (NET-25).
 *
 * A remote address that shares a group with InnerAccessPolicy Accept carries
 * DP_SG_INNER: the flow is allowed whatever the rules (NET-13).
 *
 * The tables depend only on a NIC's owner and set of groups, so NICs with the
 * same set share one profile (array "sgp", index dp_eni.sg_tab): a rule
 * change rewrites one profile's tables, not every member's.  (An ENI with
 * sg_tab 0 has tables of its own, under its ENI index and dp_eni.sg_slot.)
 *
 * Tables never change in place.  A profile has two slots; the agent writes
 * the new tables into the slot that is not live (new rule-set ids), flips
 * dp_sgp.slot in one update (bumping its generation), then deletes the old
 * slot's entries.  Flows record dp_eni.gen + dp_sgp.gen; the agent keeps
 * that sum strictly increasing for each ENI, also when the ENI moves to
 * another profile (it then sets dp_eni.gen accordingly).
 *
 * table = base << 3 | slot << 2 | (dir == egress) << 1 | (family == 6), where
 * base is DP_SGP_BASE + the profile index, or the ENI index for sg_tab 0.
 */
#define DP_SGP_MAX DP_ENI_MAX
#define DP_SGP_BASE (1u << 20)
struct dp_sgp {
	dp_u32 gen; /* added to the member ENIs' generations */
	dp_u8 slot;
	dp_u8 pad[3];
};
#define DP_SG_TABLE(eni, slot, egress, v6)                                                         \
	(((dp_u32)(eni) << 3) | ((dp_u32)(slot) << 2) | ((dp_u32)(egress) << 1) | (dp_u32)(v6))
struct dp_sg_key {
	dp_u32 prefixlen; /* 32 + the address prefix length */
	dp_u32 table;
	dp_u8 addr[16];
};
enum { DP_SG_INNER = 1 << 0 };
struct dp_sg_val {
	dp_u32 ruleset; /* 0: no rule applies to this region */
	dp_u32 flags;
};
enum { DP_ACT_ACCEPT = 1, DP_ACT_DROP = 2 };
struct dp_sg_rule {
	dp_u8 proto;  /* IP protocol, 0 = all */
	dp_u8 action; /* DP_ACT_* */
	dp_u16 priority;
	dp_u16 port_lo, port_hi;   /* destination ports (host order), 0..65535 = all */
	dp_u16 sport_lo, sport_hi; /* source ports */
	dp_u8 local_plen;	   /* the local address must be in local_addr/plen; 0 = any */
	dp_u8 pad[3];
	dp_u32 counter; /* index into "rule_stats" (0 = not counted) */
	dp_u8 local_addr[16];
};
struct dp_sg_chunk_key {
	dp_u32 ruleset;
	dp_u32 chunk;
};
struct dp_sg_chunk {
	dp_u32 n;    /* rules used in r[] */
	dp_u32 more; /* a chunk chunk+1 follows */
	struct dp_sg_rule r[DP_SG_CHUNK_RULES];
};

/* --- connection tracking (LRU hash "ct") ----------------------------------- */
/* One entry per direction.  Ports: TCP/UDP ports; ICMP echo: the identifier in
 * sport and 0 in dport; other protocols 0. */
struct dp_ct_key {
	dp_u32 net;
	dp_u8 family;
	dp_u8 proto;
	dp_u16 sport; /* network order */
	dp_u16 dport;
	dp_u16 pad;
	dp_u8 saddr[16];
	dp_u8 daddr[16];
};
enum {
	DP_CT_NEW = 0,
	DP_CT_SYN_SENT = 1,
	DP_CT_ESTABLISHED = 2,
	DP_CT_CLOSING = 3, /* FIN seen */
	DP_CT_CLOSED = 4,  /* RST seen */
};
struct dp_ct {
	dp_u64 last_ns; /* bpf_ktime_get_coarse_ns of the last packet */
	dp_u64 packets; /* this direction */
	dp_u64 bytes;
	dp_u32 src_eni; /* the sender in this direction */
	dp_u32 dst_eni; /* where this direction is delivered */
	dp_u32 src_gen; /* generations decided under */
	dp_u32 dst_gen;
	dp_u32 rt_gen;
	dp_u32 rule;  /* counter of the deciding ingress rule (0: default/inner) */
	dp_u8 state;  /* DP_CT_* (the same in both entries) */
	dp_u8 reply;  /* 1: this entry is the reply direction */
	dp_u8 routed; /* crosses vSwitches: decrement TTL */
	dp_u8 pad[5];
};

/* --- counters -------------------------------------------------------------- */
struct dp_stat {
	dp_u64 packets;
	dp_u64 bytes;
};
/* per ENI (per-CPU array "eni_stats", index eni * DP_STAT_MAX + stat) */
#define DP_STATS(X)                                                                                \
	X(TX, "sent by the ENI and forwarded")                                                     \
	X(RX, "delivered to the ENI")                                                              \
	X(ARP, "answered by the network: ARP, neighbour discovery, gateway echo")                  \
	X(DROP, "sent by the ENI and dropped (all reasons)")
enum {
#define DP_X(n, d) DP_STAT_##n,
	DP_STATS(DP_X)
#undef DP_X
	    DP_STAT_MAX
};

/* Drop reasons (per-CPU array "drops", index eni * DP_DROP_MAX + reason;
 * eni 0 collects drops on devices that are not known ENIs). */
#define DP_DROPS(X)                                                                                \
	X(NONE, "not dropped")                                                                     \
	X(MALFORMED, "malformed or truncated packet")                                              \
	X(NO_ENI, "the device is not an ENI of this host")                                         \
	X(ENI_DOWN, "the ENI's instance is stopped or the ENI detached")                           \
	X(SPOOF_MAC, "source MAC is not the ENI's")                                                \
	X(SPOOF_IP, "source address is not assigned to the ENI")                                   \
	X(ARP_UNKNOWN, "ARP request for an address nobody holds")                                  \
	X(ARP_OTHER, "ARP that is not a request from the ENI's own address")                       \
	X(ND_UNKNOWN, "neighbour solicitation for an address nobody holds")                        \
	X(ND_OTHER, "ICMPv6 neighbour discovery the network does not answer")                      \
	X(FLOOD, "broadcast or multicast: the network carries none")                               \
	X(ETHERTYPE, "not IPv4, IPv6 or ARP")                                                      \
	X(NO_ROUTE, "no route to the destination")                                                 \
	X(NO_HOST, "no ENI holds the destination address")                                         \
	X(TTL, "TTL or hop limit exceeded")                                                        \
	X(SG_EGRESS, "denied by the source's security groups (egress)")                            \
	X(SG_INGRESS, "denied by the destination's security groups (ingress)")                     \
	X(DST_DOWN, "the destination ENI is down")                                                 \
	X(FRAGMENT, "non-first IP fragment without a tracked flow")                                \
	X(CT_FULL, "connection table full")                                                        \
	X(LOOP, "a route sends the packet back to its sender")
enum {
#define DP_X(n, d) DP_DROP_##n,
	DP_DROPS(DP_X)
#undef DP_X
	    DP_DROP_MAX
};

/* --- trace ------------------------------------------------------------------ */
/*
 * A trace run (BPF_PROG_TEST_RUN by the agent) sets cb[0] = DP_TRACE_MAGIC and
 * cb[1] = cfg.trace_cookie.  The program then writes no state (no conntrack
 * entry, no counter) and records each decision into the array map "trace"
 * (one entry; the agent serializes trace runs).  On return cb[2] holds the
 * final DP_VERDICT_*, cb[3] the delivery ifindex, cb[4] the drop reason.
 */
#define DP_TRACE_MAGIC 0x7472ace1u
#define DP_TRACE_MAX 32
#define DP_STAGES(X)                                                                               \
	X(PARSE, "parse")                                                                          \
	X(ENI, "ENI of the device")                                                                \
	X(PORTSEC, "port security")                                                                \
	X(ARP, "ARP answer")                                                                       \
	X(ND, "neighbour discovery answer")                                                        \
	X(CT, "connection tracking")                                                               \
	X(ROUTE, "route lookup")                                                                   \
	X(DELIVER, "destination ENI")                                                              \
	X(SG_EGRESS, "security groups, egress of the source")                                      \
	X(SG_INGRESS, "security groups, ingress of the destination")                               \
	X(TTL, "TTL")                                                                              \
	X(FORWARD, "forward")                                                                      \
	X(GATEWAY, "the vSwitch gateway answers")                                                  \
	X(DROP, "drop")
enum {
#define DP_X(n, d) DP_STAGE_##n,
	DP_STAGES(DP_X)
#undef DP_X
	    DP_STAGE_MAX
};
enum {
	DP_VERDICT_DROP = 1,
	DP_VERDICT_FORWARD = 2, /* to another ENI (cb[3]: its ifindex) */
	DP_VERDICT_REPLY = 3,	/* answered by the network (ARP/ND) back to the sender */
};
struct dp_trace_ev {
	dp_u16 stage;	/* DP_STAGE_* */
	dp_u16 result;	/* stage-specific: a drop reason, a ct state, a route type, ... */
	dp_u32 a, b, c; /* stage-specific: indexes, rule counters, priorities */
};
struct dp_trace {
	dp_u32 n;
	dp_u32 pad;
	struct dp_trace_ev ev[DP_TRACE_MAX];
};

#endif
