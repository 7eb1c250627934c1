/*
 * Unit tests of lib/netaddr: table tests of the accepted and refused text
 * forms and of RFC 5952 output, edge cases of the arithmetic, and randomized
 * comparisons against (a) a deliberately simple bit-by-bit reference model of
 * prefixes and addition and (b) the C library's inet_pton()/inet_ntop().
 * The addresses every API parameter passes through (SPEC G-5: bad input is
 * refused with a clear error) are parsed here.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/netaddr.h"

/* ---- tables of text forms ---------------------------------------------- */

struct form {
	const char *in;
	const char *canon; /* NULL: must be refused */
};

static const struct form v4_forms[] = {
    {"0.0.0.0", "0.0.0.0"},
    {"10.0.0.1", "10.0.0.1"},
    {"255.255.255.255", "255.255.255.255"},
    {"192.168.100.200", "192.168.100.200"},
    {"1.2.3.0", "1.2.3.0"},
    {"", NULL},
    {"1.2.3", NULL},
    {"1.2.3.4.5", NULL},
    {"01.2.3.4", NULL},
    {"1.2.3.00", NULL},
    {"1.2.3.256", NULL},
    {"1..3.4", NULL},
    {"1.2.3.4.", NULL},
    {".1.2.3", NULL},
    {"1.2.3.4 ", NULL},
    {" 1.2.3.4", NULL},
    {"0x1.2.3.4", NULL},
    {"1.2.3.-4", NULL},
    {"+1.2.3.4", NULL},
    {"1.2.3.4/", NULL},
    {"1234.1.1.1", NULL},
    {"1.2.3.4\n", NULL},
    {"a.b.c.d", NULL},
    {"16909060", NULL},
};

static const struct form v6_forms[] = {
    {"::", "::"},
    {"::1", "::1"},
    {"1::", "1::"},
    {"0:0:0:0:0:0:0:0", "::"},
    {"2001:db8::1", "2001:db8::1"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
    {"2001:DB8::AbCd", "2001:db8::abcd"},
    /* RFC 5952 4.2.3: of two equal runs the first is compressed */
    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
    /* 4.2.3: the longest run wins */
    {"2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"},
    {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
    /* 4.2.2: a single zero group is not compressed */
    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
    {"2001:db8::0:1", "2001:db8::1"},
    {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
    {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
    {"fe80::1:2", "fe80::1:2"},
    /* embedded dotted quads; section 5 output only for IPv4-mapped */
    {"::ffff:10.0.0.1", "::ffff:10.0.0.1"},
    {"::ffff:a00:1", "::ffff:10.0.0.1"},
    {"::10.0.0.1", "::a00:1"},
    {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
    {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
    {"", NULL},
    {":", NULL},
    {":::", NULL},
    {"1:::2", NULL},
    {"1::2::3", NULL},
    {"1:2:3:4:5:6:7:8:9", NULL},
    {"1:2:3:4:5:6:7", NULL},
    {"1:2:3:4:5:6:7:8::", NULL},
    {"::1:2:3:4:5:6:7:8", NULL},
    {"1:2:3:4::5:6:7:8", NULL},
    {"12345::", NULL},
    {"00000::1", NULL},
    {"g::", NULL},
    {":1::", NULL},
    {"1::2:", NULL},
    {"1:", NULL},
    {":1", NULL},
    {"::ffff:1.2.3", NULL},
    {"::ffff:1.2.3.04", NULL},
    {"::ffff:1.2.3.256", NULL},
    {"1.2.3.4::", NULL},
    {"::1.2.3.4:5", NULL},
    {"::1.2.3.4.5", NULL},
    {"1:2:3:4:5:6:7:1.2.3.4", NULL},
    {"fe80::1%eth0", NULL},
    {" ::1", NULL},
    {"::1 ", NULL},
    {"[::1]", NULL},
    {"::-1", NULL},
    {"::0x1", NULL},
};

Test(netaddr, parse4_table)
{
	for (size_t i = 0; i < sizeof(v4_forms) / sizeof(v4_forms[0]); i++) {
		const struct form *f = &v4_forms[i];
		struct netaddr a;
		bool ok = netaddr_parse4(f->in, &a);
		cr_expect_eq(ok, f->canon != NULL, "parse4(\"%s\") = %d", f->in, ok);
		if (!ok || f->canon == NULL)
			continue;
		char buf[NETADDR_STRLEN];
		cr_expect_str_eq(netaddr_format(&a, buf), f->canon, "format of \"%s\"", f->in);
		cr_expect_eq(a.family, NETADDR_V4);
		cr_expect_eq(a.hi, 0);
		cr_expect_eq(netaddr_bits(&a), 32);
		struct netaddr b;
		cr_expect(!netaddr_parse6(f->in, &b), "parse6 took v4 \"%s\"", f->in);
	}
	struct netaddr a;
	cr_assert(netaddr_parse4("10.1.2.3", &a));
	cr_expect_eq(a.lo, 0x0a010203u);
}

Test(netaddr, parse6_table)
{
	for (size_t i = 0; i < sizeof(v6_forms) / sizeof(v6_forms[0]); i++) {
		const struct form *f = &v6_forms[i];
		struct netaddr a;
		bool ok = netaddr_parse6(f->in, &a);
		cr_expect_eq(ok, f->canon != NULL, "parse6(\"%s\") = %d", f->in, ok);
		if (!ok || f->canon == NULL)
			continue;
		char buf[NETADDR_STRLEN];
		cr_expect_str_eq(netaddr_format(&a, buf), f->canon, "format of \"%s\"", f->in);
		cr_expect_eq(a.family, NETADDR_V6);
		cr_expect_eq(netaddr_bits(&a), 128);
		struct netaddr b;
		cr_expect(netaddr_parse(buf, &b) && netaddr_eq(&a, &b), "re-parse of %s", buf);
		cr_expect(!netaddr_parse4(f->in, &b), "parse4 took v6 \"%s\"", f->in);
	}
	struct netaddr a;
	cr_assert(netaddr_parse6("2001:db8:1:2:3:4:5:6", &a));
	cr_expect_eq(a.hi, UINT64_C(0x20010db800010002));
	cr_expect_eq(a.lo, UINT64_C(0x0003000400050006));
}

Test(netaddr, parse_dispatches_on_family)
{
	struct netaddr a;
	cr_assert(netaddr_parse("10.0.0.1", &a));
	cr_expect_eq(a.family, NETADDR_V4);
	cr_assert(netaddr_parse("::ffff:10.0.0.1", &a));
	cr_expect_eq(a.family, NETADDR_V6);
	cr_expect(!netaddr_parse("", &a));
	cr_expect(!netaddr_parse("10.0.0.1:80", &a));
	cr_expect(!netaddr_parse("vpc-123", &a));

	/* The same 32 bits in the two families are different values. */
	struct netaddr v4, v6;
	cr_assert(netaddr_parse("0.0.0.1", &v4));
	cr_assert(netaddr_parse("::1", &v6));
	cr_expect(!netaddr_eq(&v4, &v6));
	cr_expect_lt(netaddr_cmp(&v4, &v6), 0);
	cr_expect_gt(netaddr_cmp(&v6, &v4), 0);
}

static const struct form prefix_forms[] = {
    {"10.0.0.0/8", "10.0.0.0/8"},
    {"0.0.0.0/0", "0.0.0.0/0"},
    {"192.168.1.0/24", "192.168.1.0/24"},
    {"192.168.1.128/25", "192.168.1.128/25"},
    {"10.0.0.1/32", "10.0.0.1/32"},
    {"2001:db8::/32", "2001:db8::/32"},
    {"2001:DB8:0:0::/64", "2001:db8::/64"},
    {"::/0", "::/0"},
    {"::1/128", "::1/128"},
    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"},
    {"10.0.0.1/8", NULL},
    {"10.0.0.0/33", NULL},
    {"10.0.0.0/08", NULL},
    {"10.0.0.0/00", NULL},
    {"10.0.0.0/", NULL},
    {"10.0.0.0", NULL},
    {"10.0.0.0/8/8", NULL},
    {"10.0.0.0/-1", NULL},
    {"10.0.0.0/+8", NULL},
    {"10.0.0.0/ 8", NULL},
    {"10.0.0.0/8 ", NULL},
    {"10.0.0.0/1000", NULL},
    {"/8", NULL},
    {"/", NULL},
    {"", NULL},
    {"2001:db8::1/32", NULL},
    {"::/129", NULL},
    {"::1/127", NULL},
    {"010.0.0.0/8", NULL},
    {"0000:0000:0000:0000:0000:0000:0000:0000:0000/0", NULL},
};

Test(netaddr, prefix_table)
{
	for (size_t i = 0; i < sizeof(prefix_forms) / sizeof(prefix_forms[0]); i++) {
		const struct form *f = &prefix_forms[i];
		struct netprefix p;
		bool ok = netprefix_parse(f->in, &p);
		cr_expect_eq(ok, f->canon != NULL, "netprefix_parse(\"%s\") = %d", f->in, ok);
		if (!ok || f->canon == NULL)
			continue;
		char buf[NETADDR_STRLEN];
		cr_expect_str_eq(netprefix_format(&p, buf), f->canon, "format of \"%s\"", f->in);
	}
	struct netprefix p;
	cr_assert(netprefix_parse("172.16.0.0/12", &p));
	cr_expect_eq(p.len, 12);
	cr_expect_eq(p.addr.lo, 0xac100000u);
}

Test(netaddr, longest_text_fits)
{
	struct netprefix p;
	char buf[NETADDR_STRLEN];
	cr_assert(netprefix_parse("0000:0000:0000:0000:0000:ffff:255.255.255.255/128", &p));
	cr_expect_str_eq(netprefix_format(&p, buf), "::ffff:255.255.255.255/128");
	cr_assert(netprefix_parse("1111:2222:3333:4444:5555:6666:7777:8888/128", &p));
	cr_expect_str_eq(netprefix_format(&p, buf), "1111:2222:3333:4444:5555:6666:7777:8888/128");
}

/* ---- arithmetic edge cases ---------------------------------------------- */

static struct netaddr A(const char *s) {
	struct netaddr a;
	cr_assert(netaddr_parse(s, &a), "parse %s", s);
	return a;
}

static struct netprefix
P(const char *s) {
	struct netprefix p;
	cr_assert(netprefix_parse(s, &p), "parse %s", s);
	return p;
}

static void
expect_add(const char *a, int64_t n, const char *want)
{
	struct netaddr x = A(a), r;
	bool ok = netaddr_add(&x, n, &r);
	cr_expect_eq(ok, want != NULL, "%s + %" PRId64, a, n);
	if (ok && want) {
		char buf[NETADDR_STRLEN];
		cr_expect_str_eq(netaddr_format(&r, buf), want, "%s + %" PRId64, a, n);
	}
}

Test(netaddr, add_edges)
{
	expect_add("10.0.0.255", 1, "10.0.1.0");
	expect_add("10.0.1.0", -1, "10.0.0.255");
	expect_add("255.255.255.255", 0, "255.255.255.255");
	expect_add("255.255.255.255", 1, NULL);
	expect_add("0.0.0.0", -1, NULL);
	expect_add("0.0.0.0", INT64_C(4294967295), "255.255.255.255");
	expect_add("0.0.0.0", INT64_C(4294967296), NULL);
	expect_add("0.0.0.1", INT64_MAX, NULL);
	expect_add("255.255.255.255", INT64_MIN, NULL);
	expect_add("::ffff:ffff:ffff:ffff", 1, "0:0:0:1::");
	expect_add("0:0:0:1::", -1, "::ffff:ffff:ffff:ffff");
	expect_add("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, NULL);
	expect_add("::", -1, NULL);
	expect_add("::1:0:0:0:0", INT64_MIN, "::8000:0:0:0");
	expect_add("::", INT64_MAX, "::7fff:ffff:ffff:ffff");
	expect_add("::ffff:255.255.255.255", 1, "::1:0:0:0");
	/* v4 and v6 never mix: the v4 top does not roll into bit 32 */
	struct netaddr x = A("255.255.255.255"), r;
	cr_expect(!netaddr_add(&x, 1, &r));
}

Test(netaddr, diff_saturates)
{
	struct netaddr a = A("10.0.0.0"), b = A("10.0.1.4");
	cr_expect_eq(netaddr_diff(&a, &b), 260);
	cr_expect_eq(netaddr_diff(&b, &a), -260);
	cr_expect_eq(netaddr_diff(&a, &a), 0);
	struct netaddr lo = A("::"), hi = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	cr_expect_eq(netaddr_diff(&lo, &hi), INT64_MAX);
	cr_expect_eq(netaddr_diff(&hi, &lo), INT64_MIN);
	struct netaddr m = A("::8000:0:0:0");
	cr_expect_eq(netaddr_diff(&m, &lo), INT64_MIN); /* exactly -2^63 */
	cr_expect_eq(netaddr_diff(&lo, &m), INT64_MAX); /* 2^63 saturates */
	struct netaddr m1 = A("::7fff:ffff:ffff:ffff");
	cr_expect_eq(netaddr_diff(&lo, &m1), INT64_MAX);
	cr_expect_eq(netaddr_diff(&m1, &lo), -INT64_MAX);
}

Test(netaddr, first_last_size)
{
	char b1[NETADDR_STRLEN], b2[NETADDR_STRLEN];
	struct netprefix p = P("10.1.0.0/16");
	struct netaddr f = netprefix_first(&p), l = netprefix_last(&p);
	cr_expect_str_eq(netaddr_format(&f, b1), "10.1.0.0");
	cr_expect_str_eq(netaddr_format(&l, b2), "10.1.255.255");
	cr_expect_eq(netprefix_size(&p), 65536);

	p = P("0.0.0.0/0");
	l = netprefix_last(&p);
	cr_expect_str_eq(netaddr_format(&l, b2), "255.255.255.255");
	cr_expect_eq(netprefix_size(&p), UINT64_C(1) << 32);

	p = P("10.0.0.7/32");
	cr_expect_eq(netprefix_size(&p), 1);
	f = netprefix_first(&p);
	l = netprefix_last(&p);
	cr_expect(netaddr_eq(&f, &l));

	p = P("2001:db8::/64");
	l = netprefix_last(&p);
	cr_expect_str_eq(netaddr_format(&l, b2), "2001:db8::ffff:ffff:ffff:ffff");
	cr_expect_eq(netprefix_size(&p), UINT64_MAX);
	p = P("2001:db8::/65");
	cr_expect_eq(netprefix_size(&p), UINT64_C(1) << 63);
	p = P("::/0");
	l = netprefix_last(&p);
	cr_expect_str_eq(netaddr_format(&l, b2), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	cr_expect_eq(netprefix_size(&p), UINT64_MAX);
}

Test(netaddr, contains_covers_overlaps)
{
	struct netprefix p8 = P("10.0.0.0/8"), p16 = P("10.1.0.0/16"), o16 = P("11.1.0.0/16");
	struct netaddr in = A("10.255.0.1"), out = A("11.0.0.0"), v6 = A("::a00:1");
	cr_expect(netprefix_contains(&p8, &in));
	cr_expect(!netprefix_contains(&p8, &out));
	cr_expect(!netprefix_contains(&p8, &v6));
	cr_expect(netprefix_covers(&p8, &p16));
	cr_expect(!netprefix_covers(&p16, &p8));
	cr_expect(netprefix_covers(&p8, &p8));
	cr_expect(netprefix_overlaps(&p8, &p16));
	cr_expect(netprefix_overlaps(&p16, &p8));
	cr_expect(!netprefix_overlaps(&p8, &o16));
	cr_expect(!netprefix_covers(&p8, &o16));

	struct netprefix all4 = P("0.0.0.0/0"), all6 = P("::/0");
	cr_expect(netprefix_contains(&all4, &in));
	cr_expect(!netprefix_contains(&all6, &in));
	cr_expect(netprefix_contains(&all6, &v6));
	cr_expect(!netprefix_overlaps(&all4, &all6));
	cr_expect(!netprefix_covers(&all6, &p8));
}

Test(netaddr, keyhex_sorts_numerically)
{
	char k[33];
	struct netaddr a = A("10.0.0.1");
	cr_expect_str_eq(netaddr_keyhex(&a, k), "0a000001");
	a = A("2001:db8::1");
	cr_expect_str_eq(netaddr_keyhex(&a, k), "20010db8000000000000000000000001");
	a = A("::");
	cr_expect_str_eq(netaddr_keyhex(&a, k), "00000000000000000000000000000000");

	const char *order[] = {"0.0.0.0",	"0.0.0.9",  "0.0.0.10",
			       "9.255.255.255", "10.0.0.0", "255.255.255.255"};
	for (size_t i = 0; i + 1 < sizeof(order) / sizeof(order[0]); i++) {
		char k1[33], k2[33];
		struct netaddr x = A(order[i]), y = A(order[i + 1]);
		cr_expect_lt(strcmp(netaddr_keyhex(&x, k1), netaddr_keyhex(&y, k2)), 0, "%s < %s",
			     order[i], order[i + 1]);
		cr_expect_lt(netaddr_cmp(&x, &y), 0);
	}
}

/* ---- randomized comparison against a reference model -------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, so a failure reproduces */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

/* The reference model: an address is `width` bits in a big-endian byte
 * array, handled one bit at a time. */
struct ref {
	unsigned width; /* 32 or 128 */
	uint8_t b[16];
};

static int ref_bit(const struct ref *r, unsigned i)
{
	return (r->b[i / 8] >> (7 - i % 8)) & 1;
}

static void ref_set_bit(struct ref *r, unsigned i, int v)
{
	if (v)
		r->b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	else
		r->b[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

static bool ref_contains(const struct ref *p, unsigned len, const struct ref *a)
{
	if (p->width != a->width)
		return false;
	for (unsigned i = 0; i < len; i++)
		if (ref_bit(p, i) != ref_bit(a, i))
			return false;
	return true;
}

static bool ref_overlaps(const struct ref *p, unsigned pl, const struct ref *q, unsigned ql)
{
	return ref_contains(p, pl < ql ? pl : ql, q);
}

/* a + n over 128 bits with a zero-extended and n sign-extended; the result
 * is valid when the carry out says no wrap and it fits the width. */
static bool ref_add(const struct ref *a, int64_t n, struct ref *out)
{
	uint8_t x[16] = {0}, y[16], z[16];
	unsigned nb = a->width / 8;
	memcpy(x + 16 - nb, a->b, nb);
	uint64_t u = (uint64_t)n;
	for (int i = 15; i >= 0; i--) {
		y[i] = i >= 8 ? (uint8_t)(u >> (8 * (15 - i))) : (n < 0 ? 0xff : 0);
	}
	unsigned carry = 0;
	for (int i = 15; i >= 0; i--) {
		unsigned s = (unsigned)x[i] + y[i] + carry;
		z[i] = (uint8_t)s;
		carry = s >> 8;
	}
	if ((n >= 0) == (carry != 0))
		return false;
	for (unsigned i = 0; i < 16 - nb; i++)
		if (z[i] != 0)
			return false;
	out->width = a->width;
	memset(out->b, 0, sizeof(out->b));
	memcpy(out->b, z + 16 - nb, nb);
	return true;
}

static struct netaddr ref_to_addr(const struct ref *r)
{
	struct netaddr a = {.family = r->width == 32 ? NETADDR_V4 : NETADDR_V6};
	if (r->width == 32) {
		for (int i = 0; i < 4; i++)
			a.lo = a.lo << 8 | r->b[i];
	} else {
		for (int i = 0; i < 8; i++)
			a.hi = a.hi << 8 | r->b[i];
		for (int i = 8; i < 16; i++)
			a.lo = a.lo << 8 | r->b[i];
	}
	return a;
}

static void random_ref(struct ref *r, unsigned width)
{
	r->width = width;
	memset(r->b, 0, sizeof(r->b));
	for (unsigned i = 0; i < width / 8; i++)
		r->b[i] = (uint8_t)rnd();
}

/* An address that shares a random number of leading bits with `base`. */
static void near_ref(struct ref *r, const struct ref *base)
{
	*r = *base;
	unsigned from = (unsigned)(rnd() % (base->width + 1));
	for (unsigned i = from; i < base->width; i++)
		ref_set_bit(r, i, (int)(rnd() & 1));
}

static void random_prefix(struct ref *r, unsigned *len, const struct ref *base)
{
	near_ref(r, base);
	*len = (unsigned)(rnd() % (base->width + 1));
	for (unsigned i = *len; i < r->width; i++)
		ref_set_bit(r, i, 0);
}

Test(netaddr, randomized_against_reference)
{
	rng_state = UINT64_C(0x9e3779b97f4a7c15);
	unsigned n_contains = 0, n_overlaps = 0;
	for (int iter = 0; iter < 20000; iter++) {
		unsigned width = (rnd() & 1) ? 32 : 128;
		struct ref base, rp, rq, ra;
		unsigned pl, ql;
		random_ref(&base, width);
		random_prefix(&rp, &pl, &base);
		random_prefix(&rq, &ql, &base);
		near_ref(&ra, &rp);

		struct netprefix p = {.addr = ref_to_addr(&rp), .len = (uint8_t)pl};
		struct netprefix q = {.addr = ref_to_addr(&rq), .len = (uint8_t)ql};
		struct netaddr a = ref_to_addr(&ra);

		bool c = ref_contains(&rp, pl, &ra);
		n_contains += c;
		cr_assert_eq(netprefix_contains(&p, &a), c, "iter %d contains", iter);
		bool o = ref_overlaps(&rp, pl, &rq, ql);
		n_overlaps += o;
		cr_assert_eq(netprefix_overlaps(&p, &q), o, "iter %d overlaps", iter);
		cr_assert_eq(netprefix_overlaps(&q, &p), o, "iter %d overlaps sym", iter);
		cr_assert_eq(netprefix_covers(&p, &q), ql >= pl && ref_contains(&rp, pl, &rq),
			     "iter %d covers", iter);

		/* first/last: host bits all 0 / all 1 */
		struct ref rl = rp;
		for (unsigned i = pl; i < width; i++)
			ref_set_bit(&rl, i, 1);
		struct netaddr f = netprefix_first(&p), l = netprefix_last(&p);
		struct netaddr wf = ref_to_addr(&rp), wl = ref_to_addr(&rl);
		cr_assert(netaddr_eq(&f, &wf), "iter %d first", iter);
		cr_assert(netaddr_eq(&l, &wl), "iter %d last", iter);
		uint64_t size = width - pl >= 64 ? UINT64_MAX : UINT64_C(1) << (width - pl);
		cr_assert_eq(netprefix_size(&p), size, "iter %d size", iter);

		/* add: n of every magnitude, both signs */
		int shift = (int)(rnd() % 64);
		int64_t n = (int64_t)(rnd() >> shift);
		if (rnd() & 1)
			n = -n;
		if (rnd() % 64 == 0)
			n = (rnd() & 1) ? INT64_MIN : INT64_MAX;
		struct ref rr;
		struct netaddr r;
		bool want = ref_add(&ra, n, &rr);
		bool got = netaddr_add(&a, n, &r);
		cr_assert_eq(got, want, "iter %d add ok %" PRId64, iter, n);
		if (want) {
			struct netaddr w = ref_to_addr(&rr);
			cr_assert(netaddr_eq(&r, &w), "iter %d add value", iter);
			cr_assert_eq(netaddr_diff(&a, &r), n, "iter %d diff", iter);
			int c2 = netaddr_cmp(&a, &r);
			cr_assert(n > 0 ? c2 < 0 : n < 0 ? c2 > 0 : c2 == 0, "iter %d cmp", iter);
		}

		/* cmp against memcmp of the big-endian bytes */
		int mc = memcmp(ra.b, rp.b, width / 8);
		int cc = netaddr_cmp(&a, &p.addr);
		cr_assert((mc < 0) == (cc < 0) && (mc == 0) == (cc == 0), "iter %d cmp", iter);
	}
	/* The generator must exercise both answers, or the test proves little. */
	cr_expect_gt(n_contains, 2000);
	cr_expect_lt(n_contains, 18000);
	cr_expect_gt(n_overlaps, 2000);
	cr_expect_lt(n_overlaps, 18000);
}

/* ---- randomized comparison against the C library ------------------------ */

/* Random 128-bit values with many zero groups, so "::" placement matters. */
static void random_groups(uint8_t b[16])
{
	for (int i = 0; i < 8; i++) {
		uint16_t g = (rnd() % 3 == 0) ? (uint16_t)rnd() : 0;
		if (rnd() % 8 == 0)
			g = (uint16_t)(rnd() & 0xf);
		b[2 * i] = (uint8_t)(g >> 8);
		b[2 * i + 1] = (uint8_t)g;
	}
	if (rnd() % 16 == 0) { /* IPv4-mapped */
		memset(b, 0, 10);
		b[10] = b[11] = 0xff;
	}
}

Test(netaddr, format_matches_inet_ntop)
{
	rng_state = UINT64_C(0x243f6a8885a308d3);
	for (int iter = 0; iter < 20000; iter++) {
		struct ref r = {.width = 128};
		random_groups(r.b);
		struct netaddr a = ref_to_addr(&r);
		char mine[NETADDR_STRLEN], libc[INET6_ADDRSTRLEN];
		netaddr_format(&a, mine);
		cr_assert(inet_ntop(AF_INET6, r.b, libc, sizeof(libc)) != NULL);
		/* glibc also prints deprecated IPv4-compatible addresses
		 * (::/96 with a non-zero word 6) in dotted form; RFC 5952 does
		 * not, so those are only checked for round trip. */
		bool compat = a.hi == 0 && (a.lo >> 32) == 0 && ((a.lo >> 16) & 0xffff) != 0;
		if (!compat)
			cr_assert_str_eq(mine, libc, "iter %d", iter);
		struct netaddr b;
		cr_assert(netaddr_parse6(mine, &b) && netaddr_eq(&a, &b), "round trip %s", mine);
	}
	rng_state = UINT64_C(0x13198a2e03707344);
	for (int iter = 0; iter < 5000; iter++) {
		struct ref r;
		random_ref(&r, 32);
		struct netaddr a = ref_to_addr(&r);
		char mine[NETADDR_STRLEN], libc[INET_ADDRSTRLEN];
		netaddr_format(&a, mine);
		cr_assert(inet_ntop(AF_INET, r.b, libc, sizeof(libc)) != NULL);
		cr_assert_str_eq(mine, libc);
	}
}

/* Mutates a valid address text into a near miss: these are the inputs where
 * a parser is most likely to be wrong. */
static void mutate(char *s, size_t cap)
{
	static const char alphabet[] = "0123456789abcdefABCDEFg:.:.%/ ";
	size_t n = strlen(s);
	int k = (int)(rnd() % 3) + 1;
	while (k-- > 0) {
		size_t pos = n ? (size_t)(rnd() % (n + 1)) : 0;
		char c = alphabet[rnd() % (sizeof(alphabet) - 1)];
		switch (rnd() % 3) {
		case 0: /* insert */
			if (n + 1 < cap) {
				memmove(s + pos + 1, s + pos, n - pos + 1);
				s[pos] = c;
				n++;
			}
			break;
		case 1: /* delete */
			if (pos < n) {
				memmove(s + pos, s + pos + 1, n - pos);
				n--;
			}
			break;
		default: /* replace */
			if (pos < n)
				s[pos] = c;
			break;
		}
	}
}

Test(netaddr, parse_matches_inet_pton)
{
	rng_state = UINT64_C(0xa4093822299f31d0);
	unsigned accepted = 0, refused = 0;
	for (int iter = 0; iter < 50000; iter++) {
		char s[64];
		bool six = rnd() & 1;
		if (six) {
			struct ref r = {.width = 128};
			random_groups(r.b);
			/* The libc text, which may use the dotted forms, then
			 * sometimes with leading zeros added to a group. */
			inet_ntop(AF_INET6, r.b, s, sizeof(s));
		} else {
			struct ref r;
			random_ref(&r, 32);
			inet_ntop(AF_INET, r.b, s, sizeof(s));
		}
		if (rnd() % 4 != 0)
			mutate(s, sizeof(s));

		uint8_t lb[16];
		struct netaddr a;
		bool lib6 = inet_pton(AF_INET6, s, lb) == 1;
		bool my6 = netaddr_parse6(s, &a);
		cr_assert_eq(my6, lib6, "parse6(\"%s\"): mine %d libc %d", s, my6, lib6);
		if (my6) {
			struct ref r = {.width = 128};
			memcpy(r.b, lb, 16);
			struct netaddr w = ref_to_addr(&r);
			cr_assert(netaddr_eq(&a, &w), "parse6(\"%s\") value", s);
		}
		bool lib4 = inet_pton(AF_INET, s, lb) == 1;
		bool my4 = netaddr_parse4(s, &a);
		cr_assert_eq(my4, lib4, "parse4(\"%s\"): mine %d libc %d", s, my4, lib4);
		if (my4) {
			struct ref r = {.width = 32};
			memcpy(r.b, lb, 4);
			struct netaddr w = ref_to_addr(&r);
			cr_assert(netaddr_eq(&a, &w), "parse4(\"%s\") value", s);
		}
		if (my4 || my6)
			accepted++;
		else
			refused++;
	}
	cr_expect_gt(accepted, 5000);
	cr_expect_gt(refused, 5000);
}
