/*
 * libFuzzer target for lib/netaddr.  The input is read twice: as text, which
 * must parse, format and re-parse to the same value and the same canonical
 * text (address and prefix forms, each family parser agreeing with the
 * dispatching one); and, when long enough, as raw bytes that build two
 * prefixes, an address and an offset whose arithmetic must agree with
 * itself (add then diff, containment implies overlap, first/last inside).
 * A broken property calls abort(), which libFuzzer reports as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static void check_addr_text(const char *s)
{
	struct netaddr a, b, c;
	if (!netaddr_parse(s, &a))
		return;
	bool p4 = netaddr_parse4(s, &b), p6 = netaddr_parse6(s, &c);
	CHECK(p4 != p6);
	CHECK(netaddr_eq(&a, p4 ? &b : &c));

	char t1[NETADDR_STRLEN], t2[NETADDR_STRLEN], k[33];
	netaddr_format(&a, t1);
	CHECK(strlen(t1) < NETADDR_STRLEN);
	CHECK(netaddr_parse(t1, &b));
	CHECK(netaddr_eq(&a, &b));
	CHECK(strcmp(netaddr_format(&b, t2), t1) == 0);
	CHECK(strlen(netaddr_keyhex(&a, k)) == netaddr_bits(&a) / 4);
}

static void check_prefix_text(const char *s)
{
	struct netprefix p, q;
	if (!netprefix_parse(s, &p))
		return;
	char t1[NETADDR_STRLEN], t2[NETADDR_STRLEN];
	netprefix_format(&p, t1);
	CHECK(netprefix_parse(t1, &q));
	CHECK(netaddr_eq(&p.addr, &q.addr) && p.len == q.len);
	CHECK(strcmp(netprefix_format(&q, t2), t1) == 0);

	struct netaddr f = netprefix_first(&p), l = netprefix_last(&p);
	CHECK(netaddr_eq(&f, &p.addr));
	CHECK(netprefix_contains(&p, &f) && netprefix_contains(&p, &l));
	CHECK(netprefix_covers(&p, &p) && netprefix_overlaps(&p, &p));
	uint64_t size = netprefix_size(&p);
	CHECK(size >= 1);
	if (size < UINT64_MAX)
		CHECK((uint64_t)netaddr_diff(&f, &l) == size - 1);
}

static uint64_t take64(const uint8_t **d)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | *(*d)++;
	return v;
}

static struct netprefix take_prefix(const uint8_t **d, bool v4)
{
	struct netprefix p = {.addr = {.family = v4 ? NETADDR_V4 : NETADDR_V6}};
	p.addr.hi = v4 ? 0 : take64(d);
	p.addr.lo = take64(d);
	if (v4)
		p.addr.lo &= UINT32_MAX;
	p.len = (uint8_t)(*(*d)++ % (netaddr_bits(&p.addr) + 1));
	p.addr = netprefix_first(&p);
	return p;
}

/* Needs 1 + 2 * 17 + 16 + 8 = 59 bytes. */
static void check_arithmetic(const uint8_t *d)
{
	bool v4 = d[0] & 1;
	d++;
	struct netprefix p = take_prefix(&d, v4), q = take_prefix(&d, v4);
	struct netaddr a = {.family = p.addr.family, .hi = take64(&d), .lo = take64(&d)};
	if (v4) {
		a.hi = 0;
		a.lo &= UINT32_MAX;
	}
	int64_t n = (int64_t)take64(&d);

	bool o = netprefix_overlaps(&p, &q);
	CHECK(o == netprefix_overlaps(&q, &p));
	if (netprefix_covers(&p, &q))
		CHECK(o && q.len >= p.len);
	if (netprefix_covers(&p, &q) && netprefix_covers(&q, &p))
		CHECK(netaddr_eq(&p.addr, &q.addr) && p.len == q.len);
	if (netprefix_contains(&p, &a) && netprefix_contains(&q, &a))
		CHECK(o);
	struct netaddr f = netprefix_first(&p), l = netprefix_last(&p);
	CHECK(netprefix_contains(&p, &a) == (netaddr_cmp(&f, &a) <= 0 && netaddr_cmp(&a, &l) <= 0));

	struct netaddr r, back;
	if (netaddr_add(&a, n, &r)) {
		CHECK(netaddr_diff(&a, &r) == n);
		CHECK(netaddr_add(&r, 0, &back) && netaddr_eq(&r, &back));
		if (n != INT64_MIN) {
			CHECK(netaddr_add(&r, -n, &back));
			CHECK(netaddr_eq(&a, &back));
		}
	}
	char t[NETADDR_STRLEN];
	netaddr_format(&a, t);
	struct netaddr b;
	CHECK(netaddr_parse(t, &b) && netaddr_eq(&a, &b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[128];
	if (size < sizeof(s)) {
		memcpy(s, data, size);
		s[size] = '\0';
		check_addr_text(s);
		check_prefix_text(s);
	}
	if (size >= 59)
		check_arithmetic(data);
	return 0;
}
