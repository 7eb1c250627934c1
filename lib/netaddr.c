/*
 * netaddr: parsing, formatting and arithmetic of IPv4/IPv6 addresses and
 * prefixes (see netaddr.h for the model).
 *
 * The parsers are hand-written rather than wrappers of inet_pton() so that
 * the accepted language is the same on every libc and is exactly the one the
 * header promises: dotted quads of 1-3 decimal digits without leading zeros,
 * RFC 4291 IPv6 text (1-4 hex digits per group, at most one "::" standing for
 * at least one zero group, an optional trailing dotted quad), no zone index,
 * no whitespace.  Arithmetic widens both families to one unsigned 128-bit
 * value so there is one code path per operation; the family width is
 * applied as a mask at the end.
 */
#include "lib/netaddr.h"

#include <stdio.h>
#include <string.h>

/* GCC and clang both provide this type on every 64-bit target we build on. */
__extension__ typedef unsigned __int128 u128;

static u128 to_u128(const struct netaddr *a)
{
	return ((u128)a->hi << 64) | a->lo;
}

static struct netaddr from_u128(uint8_t family, u128 v)
{
	struct netaddr a = {.family = family, .hi = (uint64_t)(v >> 64), .lo = (uint64_t)v};
	return a;
}

static bool is_v4(const struct netaddr *a)
{
	return a->family == NETADDR_V4;
}

unsigned netaddr_bits(const struct netaddr *a)
{
	return is_v4(a) ? 32 : 128;
}

/* All-ones value of the family's width. */
static u128 family_max(const struct netaddr *a)
{
	return is_v4(a) ? (u128)UINT32_MAX : ~(u128)0;
}

/* Mask of the host part of a prefix of length `len` in a `width`-bit family.
 * A length beyond the width (an invalid struct) yields an empty host part. */
static u128 host_mask(unsigned width, unsigned len)
{
	if (len >= width)
		return 0;
	unsigned n = width - len;
	if (n >= 128)
		return ~(u128)0;
	return ((u128)1 << n) - 1;
}

static u128 prefix_host_mask(const struct netprefix *p)
{
	return host_mask(netaddr_bits(&p->addr), p->len);
}

/* ---- parsing ---------------------------------------------------------- */

/* Parses a dotted quad at s, stopping at the first character that cannot
 * continue it.  Stores the value and returns the end, or NULL when invalid. */
static const char *parse_quad(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		if (i > 0) {
			if (*s != '.')
				return NULL;
			s++;
		}
		if (*s < '0' || *s > '9')
			return NULL;
		unsigned octet = 0;
		int nd = 0;
		while (*s >= '0' && *s <= '9') {
			if (nd == 3)
				return NULL;
			if (nd == 1 && octet == 0)
				return NULL; /* leading zero: "01" */
			octet = octet * 10 + (unsigned)(*s - '0');
			nd++;
			s++;
		}
		if (octet > 255)
			return NULL;
		v = (v << 8) | octet;
	}
	*out = v;
	return s;
}

bool netaddr_parse4(const char *s, struct netaddr *out)
{
	uint32_t v;
	const char *end = parse_quad(s, &v);
	if (end == NULL || *end != '\0')
		return false;
	*out = from_u128(NETADDR_V4, v);
	return true;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool netaddr_parse6(const char *s, struct netaddr *out)
{
	uint16_t g[8];
	int ng = 0;
	int gap = -1; /* index in g[] where "::" stands, or -1 */
	const char *p = s;

	if (p[0] == ':') {
		if (p[1] != ':')
			return false;
		gap = 0;
		p += 2;
	}
	while (*p != '\0') {
		int nd = 0;
		unsigned v = 0;
		while (hex_value(p[nd]) >= 0) {
			if (nd == 4)
				return false;
			v = (v << 4) | (unsigned)hex_value(p[nd]);
			nd++;
		}
		if (p[nd] == '.') {
			/* A trailing dotted quad fills the last two groups. */
			uint32_t q;
			const char *end = parse_quad(p, &q);
			if (end == NULL || *end != '\0' || ng > 6)
				return false;
			g[ng++] = (uint16_t)(q >> 16);
			g[ng++] = (uint16_t)q;
			break;
		}
		if (nd == 0 || ng == 8)
			return false;
		g[ng++] = (uint16_t)v;
		p += nd;
		if (*p == '\0')
			break;
		if (*p != ':')
			return false;
		p++;
		if (*p == ':') {
			if (gap >= 0)
				return false;
			gap = ng;
			p++;
		} else if (*p == '\0') {
			return false; /* "1:" */
		}
	}

	uint16_t full[8] = {0};
	if (gap >= 0) {
		if (ng == 8)
			return false; /* "::" must stand for at least one group */
		int tail = ng - gap;
		memcpy(full, g, (size_t)gap * sizeof(g[0]));
		memcpy(full + 8 - tail, g + gap, (size_t)tail * sizeof(g[0]));
	} else {
		if (ng != 8)
			return false;
		memcpy(full, g, sizeof(full));
	}
	u128 v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 16) | full[i];
	*out = from_u128(NETADDR_V6, v);
	return true;
}

bool netaddr_parse(const char *s, struct netaddr *out)
{
	if (strchr(s, ':') != NULL)
		return netaddr_parse6(s, out);
	return netaddr_parse4(s, out);
}

bool netprefix_parse(const char *s, struct netprefix *out)
{
	const char *slash = strchr(s, '/');
	if (slash == NULL)
		return false;
	size_t alen = (size_t)(slash - s);
	char abuf[NETADDR_STRLEN];
	if (alen >= sizeof(abuf))
		return false;
	memcpy(abuf, s, alen);
	abuf[alen] = '\0';

	struct netaddr a;
	if (!netaddr_parse(abuf, &a))
		return false;

	const char *l = slash + 1;
	unsigned len = 0;
	int nd = 0;
	while (l[nd] >= '0' && l[nd] <= '9') {
		if (nd == 3 || (nd == 1 && len == 0))
			return false; /* too long, or a leading zero */
		len = len * 10 + (unsigned)(l[nd] - '0');
		nd++;
	}
	if (nd == 0 || l[nd] != '\0' || len > netaddr_bits(&a))
		return false;
	if ((to_u128(&a) & host_mask(netaddr_bits(&a), len)) != 0)
		return false;
	out->addr = a;
	out->len = (uint8_t)len;
	return true;
}

/* ---- formatting ------------------------------------------------------- */

static char *format_quad(uint32_t v, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(v >> 24), (unsigned)(v >> 16) & 0xff,
		 (unsigned)(v >> 8) & 0xff, (unsigned)v & 0xff);
	return buf;
}

/* RFC 5952: lowercase, no leading zeros, the longest run of two or more
 * zero groups (the first of equal runs) as "::", and section 5's dotted
 * form for IPv4-mapped addresses (::ffff:0:0/96). */
static char *format6(const struct netaddr *a, char *buf)
{
	uint16_t g[8];
	u128 v = to_u128(a);
	for (int i = 7; i >= 0; i--) {
		g[i] = (uint16_t)v;
		v >>= 16;
	}

	int best = -1, best_len = 1;
	for (int i = 0; i < 8;) {
		if (g[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}

	bool mapped = a->hi == 0 && (a->lo >> 32) == 0xffff;
	int ngroups = mapped ? 6 : 8;
	char *o = buf;
	for (int i = 0; i < ngroups; i++) {
		if (i == best) {
			*o++ = ':';
			*o++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i > 0 && o[-1] != ':')
			*o++ = ':';
		o += sprintf(o, "%x", g[i]);
	}
	if (mapped) {
		*o++ = ':';
		format_quad((uint32_t)a->lo, o);
	} else {
		*o = '\0';
	}
	return buf;
}

char *netaddr_format(const struct netaddr *a, char *buf)
{
	if (is_v4(a))
		return format_quad((uint32_t)a->lo, buf);
	return format6(a, buf);
}

char *netprefix_format(const struct netprefix *p, char *buf)
{
	netaddr_format(&p->addr, buf);
	size_t n = strlen(buf);
	snprintf(buf + n, NETADDR_STRLEN - n, "/%u", (unsigned)p->len);
	return buf;
}

char *netaddr_keyhex(const struct netaddr *a, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	int n = is_v4(a) ? 8 : 32;
	u128 v = to_u128(a);
	for (int i = n - 1; i >= 0; i--) {
		buf[i] = digits[(unsigned)v & 0xf];
		v >>= 4;
	}
	buf[n] = '\0';
	return buf;
}

/* ---- comparison and arithmetic ---------------------------------------- */

bool netaddr_eq(const struct netaddr *a, const struct netaddr *b)
{
	return a->family == b->family && a->hi == b->hi && a->lo == b->lo;
}

int netaddr_cmp(const struct netaddr *a, const struct netaddr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return 0;
}

bool netaddr_add(const struct netaddr *a, int64_t n, struct netaddr *out)
{
	u128 v = to_u128(a);
	u128 r;
	if (n >= 0) {
		r = v + (u128)n;
		if (r < v || r > family_max(a))
			return false;
	} else {
		/* -(n + 1) + 1 avoids negating INT64_MIN */
		u128 m = (u128)(uint64_t)(-(n + 1)) + 1;
		if (m > v)
			return false;
		r = v - m;
	}
	*out = from_u128(a->family, r);
	return true;
}

int64_t netaddr_diff(const struct netaddr *a, const struct netaddr *b)
{
	/* Mixed families have no distance; the header forbids the call and 0
	 * is the least harmful answer for a caller that ignores that. */
	if (a->family != b->family)
		return 0;
	u128 x = to_u128(a), y = to_u128(b);
	if (y >= x) {
		u128 d = y - x;
		return d > (u128)INT64_MAX ? INT64_MAX : (int64_t)d;
	}
	u128 d = x - y;
	if (d > (u128)INT64_MAX)
		return INT64_MIN;
	return -(int64_t)d;
}

struct netaddr netprefix_first(const struct netprefix *p)
{
	return from_u128(p->addr.family, to_u128(&p->addr) & ~prefix_host_mask(p));
}

struct netaddr netprefix_last(const struct netprefix *p)
{
	return from_u128(p->addr.family, to_u128(&p->addr) | prefix_host_mask(p));
}

uint64_t netprefix_size(const struct netprefix *p)
{
	unsigned width = netaddr_bits(&p->addr);
	if (p->len >= width)
		return 1;
	unsigned n = width - p->len;
	return n >= 64 ? UINT64_MAX : (uint64_t)1 << n;
}

bool netprefix_contains(const struct netprefix *p, const struct netaddr *a)
{
	if (p->addr.family != a->family)
		return false;
	u128 keep = ~prefix_host_mask(p);
	return (to_u128(a) & keep) == (to_u128(&p->addr) & keep);
}

bool netprefix_covers(const struct netprefix *outer, const struct netprefix *inner)
{
	return inner->len >= outer->len && netprefix_contains(outer, &inner->addr);
}

bool netprefix_overlaps(const struct netprefix *a, const struct netprefix *b)
{
	/* Two prefixes either nest or are disjoint. */
	if (a->len <= b->len)
		return netprefix_contains(a, &b->addr);
	return netprefix_contains(b, &a->addr);
}
