/*
 * netaddr: IPv4 and IPv6 addresses and prefixes as values.
 *
 * Every address in the control plane passes through here: API parameters are
 * parsed with netaddr_parse()/netprefix_parse(), stored in canonical text
 * (netaddr_format()), and compared, contained and allocated as numbers.
 * Addresses are kept in host order inside a 128-bit value so that IPv4 and
 * IPv6 share the arithmetic; `family` tells them apart and a v4 value never
 * equals a v6 value.  Parsing is strict: no leading zeros in IPv4 octets, no
 * host bits set in a prefix (netprefix_parse() rejects "10.0.0.1/8"), no
 * trailing garbage.  These functions never allocate.
 */
#ifndef OPENVPC_LIB_NETADDR_H
#define OPENVPC_LIB_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum netaddr_family { NETADDR_V4 = 4, NETADDR_V6 = 6 };

/* An address: 32 bits (v4) or 128 bits (v6), in host order in hi:lo. */
struct netaddr {
	uint8_t family; /* enum netaddr_family */
	uint64_t hi;	/* v4: always 0 */
	uint64_t lo;	/* v4: the address in the low 32 bits */
};

/* A prefix: the network address (host bits zero) and its length. */
struct netprefix {
	struct netaddr addr;
	uint8_t len; /* 0..32 for v4, 0..128 for v6 */
};

/* Longest text form of either family plus "/128" and NUL. */
#define NETADDR_STRLEN 48

/* Parses "10.0.0.1" or "2001:db8::1" (any valid RFC 4291 text form).
 * Returns false (and leaves *out unspecified) on anything else. */
bool netaddr_parse(const char *s, struct netaddr *out);
/* Same, restricted to one family. */
bool netaddr_parse4(const char *s, struct netaddr *out);
bool netaddr_parse6(const char *s, struct netaddr *out);

/* Parses "a.b.c.d/len" or "v6/len".  Host bits must be zero. */
bool netprefix_parse(const char *s, struct netprefix *out);

/* Canonical text (RFC 5952 for v6) into buf of at least NETADDR_STRLEN. Returns buf. */
char *netaddr_format(const struct netaddr *a, char *buf);
char *netprefix_format(const struct netprefix *p, char *buf);

/* Width of the family in bits: 32 or 128. */
unsigned netaddr_bits(const struct netaddr *a);

bool netaddr_eq(const struct netaddr *a, const struct netaddr *b);
/* Total order: v4 before v6, then numeric. Returns <0, 0, >0. */
int netaddr_cmp(const struct netaddr *a, const struct netaddr *b);

/* a + n (n may be negative).  Returns false on wrap outside the family. */
bool netaddr_add(const struct netaddr *a, int64_t n, struct netaddr *out);
/* b - a as a signed count, saturating at INT64_MAX/MIN. Same family only. */
int64_t netaddr_diff(const struct netaddr *a, const struct netaddr *b);

/* First and last address of the prefix. */
struct netaddr netprefix_first(const struct netprefix *p);
struct netaddr netprefix_last(const struct netprefix *p);
/* Number of addresses, saturating at UINT64_MAX (v6 /64 and shorter). */
uint64_t netprefix_size(const struct netprefix *p);

/* True when the address lies inside the prefix (same family). */
bool netprefix_contains(const struct netprefix *p, const struct netaddr *a);
/* True when inner is equal to or more specific than outer and inside it. */
bool netprefix_covers(const struct netprefix *outer, const struct netprefix *inner);
/* True when the two prefixes share at least one address. */
bool netprefix_overlaps(const struct netprefix *a, const struct netprefix *b);

/* Fixed-width lowercase hex of the address (8 chars v4, 32 chars v6), which
 * sorts in numeric order: used in store keys so that a key range is an
 * address range.  buf needs 33 bytes. Returns buf. */
char *netaddr_keyhex(const struct netaddr *a, char *buf);

#endif
