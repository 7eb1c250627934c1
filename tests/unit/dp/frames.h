/*
 * frames: Ethernet frames built by the data-plane tests and benchmark
 * (IPv4 TCP/UDP, ARP, IPv6 neighbour solicitation), with the checksums a
 * real sender would set, and the checksum helpers that verify the
 * program's answers independently of dp/.
 */
#ifndef OPENVPC_TESTS_UNIT_DP_FRAMES_H
#define OPENVPC_TESTS_UNIT_DP_FRAMES_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FR_IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* Ones' complement sum of n bytes (big-endian 16-bit words), not folded. */
static inline uint32_t fr_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t fr_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static inline void fr_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void fr_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline size_t fr_eth(uint8_t *b, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	fr_put16(b + 12, type);
	return 14;
}

/* The IPv4 header checksum of the 20-byte header at ip (0 when valid). */
static inline uint16_t fr_ip4_csum(const uint8_t *ip)
{
	return fr_fold(fr_sum(ip, 20, 0));
}

/* Ethernet + IPv4 (20 bytes) + TCP (20 bytes, flags) or UDP (8 bytes) +
 * payload_len zero bytes.  Addresses in host order.  Returns the length. */
static inline size_t fr_ip4(uint8_t *b, const uint8_t dmac[6], const uint8_t smac[6], uint8_t proto,
			    uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
			    uint8_t tcp_flags, uint8_t ttl, size_t payload_len)
{
	size_t l4 = proto == 6 ? 20 : proto == 17 ? 8 : 8;
	size_t n = fr_eth(b, dmac, smac, 0x0800);
	uint8_t *ip = b + n;
	memset(ip, 0, 20 + l4 + payload_len);
	ip[0] = 0x45;
	fr_put16(ip + 2, (uint16_t)(20 + l4 + payload_len));
	fr_put16(ip + 4, 0x1234);
	fr_put16(ip + 6, 0x4000); /* DF */
	ip[8] = ttl;
	ip[9] = proto;
	fr_put32(ip + 12, saddr);
	fr_put32(ip + 16, daddr);
	fr_put16(ip + 10, fr_ip4_csum(ip));
	uint8_t *h = ip + 20;
	if (proto == 6) {
		fr_put16(h, sport);
		fr_put16(h + 2, dport);
		fr_put32(h + 4, 1000);
		h[12] = 5 << 4;
		h[13] = tcp_flags;
		fr_put16(h + 14, 65535);
	} else if (proto == 17) {
		fr_put16(h, sport);
		fr_put16(h + 2, dport);
		fr_put16(h + 4, (uint16_t)(8 + payload_len));
	} else { /* ICMP echo request: id = sport */
		h[0] = 8;
		fr_put16(h + 4, sport);
		fr_put16(h + 6, 1);
		fr_put16(h + 2, fr_fold(fr_sum(h, 8 + payload_len, 0)));
		return n + 20 + l4 + payload_len;
	}
	/* L4 checksum over the pseudo-header */
	uint32_t s = fr_sum(ip + 12, 8, 0) + proto + (uint32_t)(l4 + payload_len);
	size_t csum_off = proto == 6 ? 16 : 6;
	uint16_t c = fr_fold(fr_sum(h, l4 + payload_len, s));
	fr_put16(h + csum_off, c);
	return n + 20 + l4 + payload_len;
}

/* An ARP request from (sha, spa) for tpa, broadcast.  Host-order addresses. */
static inline size_t fr_arp(uint8_t *b, const uint8_t sha[6], uint32_t spa, uint32_t tpa,
			    uint16_t op)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	size_t n = fr_eth(b, bcast, sha, 0x0806);
	uint8_t *a = b + n;
	fr_put16(a, 1);
	fr_put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	fr_put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	fr_put32(a + 14, spa);
	memset(a + 18, 0, 6);
	fr_put32(a + 24, tpa);
	memset(a + 28, 0, 18); /* Ethernet padding to 60 bytes */
	return n + 28 + 18;
}

/* The ICMPv6 checksum of the message at icmp (len bytes) between src and dst
 * (0 when the stored checksum is valid). */
static inline uint16_t fr_icmp6_csum(const uint8_t src[16], const uint8_t dst[16],
				     const uint8_t *icmp, size_t len)
{
	uint32_t s = fr_sum(src, 16, 0);
	s = fr_sum(dst, 16, s);
	s += (uint32_t)len;
	s += 58;
	return fr_fold(fr_sum(icmp, len, s));
}

/* A neighbour solicitation from (smac, src) for target, to the target's
 * solicited-node multicast group, with the Source Link-Layer Address
 * option. */
static inline size_t fr_ns(uint8_t *b, const uint8_t smac[6], const uint8_t src[16],
			   const uint8_t target[16], uint8_t hop_limit)
{
	uint8_t dmac[6] = {0x33, 0x33, 0xff, target[13], target[14], target[15]};
	uint8_t dst[16] = {0xff, 0x02, 0, 0, 0,	   0,	       0,	   0,
			   0,	 0,    0, 1, 0xff, target[13], target[14], target[15]};
	size_t n = fr_eth(b, dmac, smac, 0x86dd);
	uint8_t *ip6 = b + n;
	memset(ip6, 0, 40 + 32);
	ip6[0] = 0x60;
	fr_put16(ip6 + 4, 32);
	ip6[6] = 58;
	ip6[7] = hop_limit;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);
	uint8_t *icmp = ip6 + 40;
	icmp[0] = 135;
	memcpy(icmp + 8, target, 16);
	icmp[24] = 1; /* Source Link-Layer Address */
	icmp[25] = 1;
	memcpy(icmp + 26, smac, 6);
	fr_put16(icmp + 2, fr_icmp6_csum(src, dst, icmp, 32));
	return n + 40 + 32;
}

#endif
