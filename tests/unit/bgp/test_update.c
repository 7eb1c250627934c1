/*
 * Unit tests of bgp/update.c: UPDATE round trips (IPv4, IPv6 via MP-BGP,
 * 2- and 4-octet AS paths) and every malformed case with the RFC 7606
 * outcome: attribute discard, treat-as-withdraw or session reset.
 * EC-5: BGP-4, the user's ASN may be 2-byte or 4-byte.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgp/codec.h"

static struct bgp_update U;

static struct bgp_peer_ctx ebgp(bool as4)
{
	struct bgp_peer_ctx c = {.as4 = as4, .ebgp = true, .peer_as = 65001};

	c.fam[BGP_FAM_V4] = c.fam[BGP_FAM_V6] = true;
	return c;
}

/* A small UPDATE body builder. */
struct ub {
	uint8_t w[512];
	size_t wlen;
	uint8_t a[4096];
	size_t alen;
	uint8_t n[512];
	size_t nlen;
	uint8_t body[6000];
};

static void attr(struct ub *b, uint8_t flags, uint8_t type, const void *v, size_t len)
{
	b->a[b->alen++] = flags | (len > 255 ? BGP_AF_EXTLEN : 0);
	b->a[b->alen++] = type;
	if (len > 255) {
		b->a[b->alen++] = (uint8_t)(len >> 8);
		b->a[b->alen++] = (uint8_t)len;
	} else {
		b->a[b->alen++] = (uint8_t)len;
	}
	memcpy(b->a + b->alen, v, len);
	b->alen += len;
}

static void raw_attr(struct ub *b, const void *v, size_t len)
{
	memcpy(b->a + b->alen, v, len);
	b->alen += len;
}

static void nlri(struct ub *b, uint8_t len, const uint8_t *addr)
{
	b->n[b->nlen++] = len;
	memcpy(b->n + b->nlen, addr, (len + 7u) / 8);
	b->nlen += (len + 7u) / 8;
}

static void wd(struct ub *b, uint8_t len, const uint8_t *addr)
{
	b->w[b->wlen++] = len;
	memcpy(b->w + b->wlen, addr, (len + 7u) / 8);
	b->wlen += (len + 7u) / 8;
}

static size_t body(struct ub *b)
{
	size_t o = 0;

	b->body[o++] = (uint8_t)(b->wlen >> 8);
	b->body[o++] = (uint8_t)b->wlen;
	memcpy(b->body + o, b->w, b->wlen);
	o += b->wlen;
	b->body[o++] = (uint8_t)(b->alen >> 8);
	b->body[o++] = (uint8_t)b->alen;
	memcpy(b->body + o, b->a, b->alen);
	o += b->alen;
	memcpy(b->body + o, b->n, b->nlen);
	return o + b->nlen;
}

static const uint8_t NET1[] = {10, 1, 1};
static const uint8_t NH[] = {192, 0, 2, 1};

/* ORIGIN, AS_PATH (2- or 4-octet [65001]), NEXT_HOP. */
static void mandatory(struct ub *b, bool as4)
{
	uint8_t o = 0;
	uint8_t p4[] = {2, 1, 0, 0, 0xfd, 0xe9};
	uint8_t p2[] = {2, 1, 0xfd, 0xe9};

	attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	if (as4)
		attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p4, sizeof(p4));
	else
		attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p2, sizeof(p2));
	attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
}

static bool decode(struct ub *b, struct bgp_peer_ctx ctx, struct bgp_err *e)
{
	size_t len = body(b);

	return bgp_decode_update(b->body, len, &ctx, &U, e);
}

static void expect_ok(struct ub *b, struct bgp_peer_ctx ctx)
{
	struct bgp_err e;

	cr_assert(decode(b, ctx, &e), "unexpected session reset %u/%u", e.code, e.subcode);
	cr_assert_not(U.treat_as_withdraw, "unexpected treat-as-withdraw: %s", U.why);
}

static void expect_taw(struct ub *b, struct bgp_peer_ctx ctx)
{
	struct bgp_err e;

	cr_assert(decode(b, ctx, &e), "unexpected session reset %u/%u", e.code, e.subcode);
	cr_assert(U.treat_as_withdraw, "expected treat-as-withdraw");
}

static void expect_reset(struct ub *b, struct bgp_peer_ctx ctx, uint8_t sub)
{
	struct bgp_err e;

	cr_assert_not(decode(b, ctx, &e), "expected a session reset");
	cr_assert_eq(e.code, BGP_ERR_UPDATE);
	cr_assert_eq(e.subcode, sub, "subcode %u", e.subcode);
}

Test(update, minimal_announcement)
{
	struct ub b = {0};
	struct bgp_prefix p;
	char buf[64];

	mandatory(&b, true);
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.n_nlri, 1);
	cr_assert(bgp_nlri_next(&U.nlri, BGP_FAM_V4, &p));
	cr_assert_str_eq(bgp_prefix_format(&p, buf, sizeof(buf)), "10.1.1.0/24");
	cr_assert_eq(bgp_aspath_first(U.a.aspath, U.a.aspath_len), 65001);
	cr_assert_eq(memcmp(U.a.nexthop, NH, 4), 0);
	cr_assert_eq(U.eor_fam, -1);
}

Test(update, end_of_rib_v4_and_v6)
{
	struct ub b = {0};
	uint8_t mpu[] = {0, 2, 1};

	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.eor_fam, BGP_FAM_V4);
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_UNREACH, mpu, 3);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.eor_fam, BGP_FAM_V6);
}

Test(update, withdraw_only_needs_no_attributes)
{
	struct ub b = {0};

	wd(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.n_withdrawn, 1);
}

/* ---- session reset cases ---- */

Test(update, withdrawn_length_overrun)
{
	uint8_t body[] = {0, 9, 24, 10, 1, 1, 0, 0};
	struct bgp_peer_ctx ctx = ebgp(true);
	struct bgp_err e;

	cr_assert_not(bgp_decode_update(body, sizeof(body), &ctx, &U, &e));
	cr_assert_eq(e.subcode, BGP_UPD_MALFORMED_LIST);
}

Test(update, attribute_length_overrun)
{
	uint8_t body[] = {0, 0, 0, 9, 0x40, 1, 1, 0};
	struct bgp_peer_ctx ctx = ebgp(true);
	struct bgp_err e;

	cr_assert_not(bgp_decode_update(body, sizeof(body), &ctx, &U, &e));
	cr_assert_eq(e.subcode, BGP_UPD_MALFORMED_LIST);
}

Test(update, body_too_short)
{
	uint8_t body[] = {0, 0, 0};
	struct bgp_peer_ctx ctx = ebgp(true);
	struct bgp_err e;

	cr_assert_not(bgp_decode_update(body, sizeof(body), &ctx, &U, &e));
}

Test(update, nlri_bad_length_resets)
{
	struct ub b = {0};
	uint8_t bad[] = {1, 2, 3, 4, 5};

	mandatory(&b, true);
	nlri(&b, 33, bad);
	expect_reset(&b, ebgp(true), BGP_UPD_BAD_NETWORK);
}

Test(update, nlri_truncated_resets)
{
	struct ub b = {0};

	mandatory(&b, true);
	b.n[b.nlen++] = 24;
	b.n[b.nlen++] = 10;
	expect_reset(&b, ebgp(true), BGP_UPD_BAD_NETWORK);
}

Test(update, withdrawn_bad_prefix_resets)
{
	struct ub b = {0};
	uint8_t bad[] = {1, 2, 3, 4, 5};

	wd(&b, 40, bad);
	expect_reset(&b, ebgp(true), BGP_UPD_BAD_NETWORK);
}

Test(update, mp_reach_twice_resets)
{
	struct ub b = {0};
	uint8_t mp[] = {0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};

	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	expect_reset(&b, ebgp(true), BGP_UPD_MALFORMED_LIST);
}

Test(update, mp_unreach_twice_resets)
{
	struct ub b = {0};
	uint8_t mpu[] = {0, 2, 1};

	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_UNREACH, mpu, 3);
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_UNREACH, mpu, 3);
	expect_reset(&b, ebgp(true), BGP_UPD_MALFORMED_LIST);
}

Test(update, mp_reach_bad_nexthop_length_resets)
{
	struct ub b = {0};
	uint8_t mp[] = {0, 2, 1, 5, 1, 2, 3, 4, 5, 0, 32, 0x20, 1, 0xd, 0xb8};

	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	expect_reset(&b, ebgp(true), BGP_UPD_OPTIONAL_ATTR);
}

Test(update, mp_reach_truncated_resets)
{
	struct ub b = {0};
	uint8_t mp[] = {0, 2};

	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	expect_reset(&b, ebgp(true), BGP_UPD_OPTIONAL_ATTR);
}

Test(update, mp_reach_bad_nlri_resets)
{
	struct ub b = {0};
	uint8_t mp[] = {0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0, 0,	 0, 0,
			0, 0, 0, 0,  0,	   0, 0,   1,	 0, 130, 1};

	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	expect_reset(&b, ebgp(true), BGP_UPD_OPTIONAL_ATTR);
}

Test(update, mp_unreach_bad_nlri_resets)
{
	struct ub b = {0};
	uint8_t mpu[] = {0, 1, 1, 33, 1, 2, 3, 4, 5};

	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_UNREACH, mpu, sizeof(mpu));
	expect_reset(&b, ebgp(true), BGP_UPD_OPTIONAL_ATTR);
}

Test(update, mp_reach_flags_error_resets)
{
	struct ub b = {0};
	uint8_t mp[] = {0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};

	mandatory(&b, true);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	expect_reset(&b, ebgp(true), BGP_UPD_ATTR_FLAGS);
}

Test(update, unrecognized_well_known_resets)
{
	struct ub b = {0};
	uint8_t v = 0;

	mandatory(&b, true);
	attr(&b, BGP_AF_TRANSITIVE, 99, &v, 1);
	nlri(&b, 24, NET1);
	expect_reset(&b, ebgp(true), BGP_UPD_UNKNOWN_WELLKNOWN);
}

/* ---- treat-as-withdraw cases ---- */

Test(update, attribute_overruns_path_attributes)
{
	struct ub b = {0};
	uint8_t trunc[] = {0x40, 1, 5, 0};

	mandatory(&b, true);
	raw_attr(&b, trunc, sizeof(trunc));
	nlri(&b, 24, NET1);
	expect_taw(&b, ebgp(true));
	cr_assert_eq(U.n_nlri, 1); /* the NLRI are still located and withdrawn */
}

Test(update, truncated_attribute_header)
{
	struct ub b = {0};
	uint8_t trunc[] = {0x50, 1, 0};

	mandatory(&b, true);
	raw_attr(&b, trunc, sizeof(trunc));
	nlri(&b, 24, NET1);
	expect_taw(&b, ebgp(true));
}

Test(update, origin_bad_length_and_value)
{
	struct ub b = {0}, c = {0};
	uint8_t o2[] = {0, 0}, o3 = 3;
	uint8_t p[] = {2, 1, 0, 0, 0xfd, 0xe9};

	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, o2, 2);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	nlri(&b, 24, NET1);
	expect_taw(&b, ebgp(true));
	attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o3, 1);
	attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	nlri(&c, 24, NET1);
	expect_taw(&c, ebgp(true));
}

static void with_aspath(struct ub *b, const uint8_t *p, size_t len)
{
	uint8_t o = 0;

	attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, len);
	attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	nlri(b, 24, NET1);
}

Test(update, aspath_malformations)
{
	uint8_t overrun[] = {2, 3, 0, 0, 0xfd, 0xe9};
	uint8_t badtype[] = {7, 1, 0, 0, 0xfd, 0xe9};
	uint8_t zero[] = {2, 0};
	uint8_t wrongfirst[] = {2, 1, 0, 0, 0xfd, 0xea};
	uint8_t confed[] = {3, 1, 0, 0, 0xfd, 0xe9, 2, 1, 0, 0, 0xfd, 0xe9};
	uint8_t empty[1];
	const uint8_t *cases[] = {overrun, badtype, zero, wrongfirst, confed, empty};
	size_t lens[] = {sizeof(overrun),    sizeof(badtype), sizeof(zero),
			 sizeof(wrongfirst), sizeof(confed),  0};

	for (size_t i = 0; i < 6; i++) {
		struct ub b = {0};

		with_aspath(&b, cases[i], lens[i]);
		expect_taw(&b, ebgp(true));
	}
}

Test(update, confed_allowed_from_ibgp)
{
	struct ub b = {0};
	uint8_t confed[] = {3, 1, 0, 0, 0xfd, 0xe9, 2, 1, 0, 0, 0xfd, 0xe9};
	struct bgp_peer_ctx ctx = ebgp(true);

	ctx.ebgp = false;
	with_aspath(&b, confed, sizeof(confed));
	expect_ok(&b, ctx);
	cr_assert_eq(bgp_aspath_hops(U.a.aspath, U.a.aspath_len), 1);
}

Test(update, nexthop_bad_length_and_martians)
{
	uint8_t five[] = {1, 2, 3, 4, 5};
	const uint8_t bad[][4] = {
	    {0, 0, 0, 0}, {127, 0, 0, 1}, {224, 0, 0, 1}, {255, 255, 255, 255}};
	uint8_t o = 0, p[] = {2, 1, 0, 0, 0xfd, 0xe9};
	struct ub b = {0};

	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, five, 5);
	nlri(&b, 24, NET1);
	expect_taw(&b, ebgp(true));
	for (size_t i = 0; i < 4; i++) {
		struct ub c = {0};

		attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
		attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
		attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, bad[i], 4);
		nlri(&c, 24, NET1);
		expect_taw(&c, ebgp(true));
	}
}

Test(update, missing_well_known)
{
	uint8_t o = 0, p[] = {2, 1, 0, 0, 0xfd, 0xe9};
	struct ub a = {0}, b = {0}, c = {0};

	attr(&a, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	attr(&a, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	nlri(&a, 24, NET1);
	expect_taw(&a, ebgp(true));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	nlri(&b, 24, NET1);
	expect_taw(&b, ebgp(true));
	attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	nlri(&c, 24, NET1);
	expect_taw(&c, ebgp(true));
}

Test(update, mp_reach_needs_no_next_hop_attribute)
{
	struct ub b = {0};
	uint8_t o = 0, p[] = {2, 1, 0, 0, 0xfd, 0xe9};
	uint8_t mp[] = {0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0,  0,	   0, 0,   0,
			0, 0, 0, 0,  0,	   0, 1,   0,	 32, 0x20, 1, 0xd, 0xb8};

	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.mp_reach_fam, BGP_FAM_V6);
	cr_assert_eq(U.n_mp_reach, 1);
	cr_assert_eq(U.mp_nh_len, 16);
}

Test(update, mp_reach_taw_still_locates_nlri)
{
	struct ub b = {0};
	uint8_t o = 5, p[] = {2, 1, 0, 0, 0xfd, 0xe9};
	uint8_t mp[] = {0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0,  0,	   0, 0,   0,
			0, 0, 0, 0,  0,	   0, 1,   0,	 32, 0x20, 1, 0xd, 0xb8};

	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	expect_taw(&b, ebgp(true));
	cr_assert_eq(U.mp_reach_fam, BGP_FAM_V6);
	cr_assert_eq(U.n_mp_reach, 1);
}

Test(update, mp_family_not_negotiated_is_ignored)
{
	struct ub b = {0}, c = {0};
	uint8_t mp[] = {0, 2, 1, 16, 0x20, 1, 0xd, 0xb8, 0,  0,	   0, 0,   0,
			0, 0, 0, 0,  0,	   0, 1,   0,	 32, 0x20, 1, 0xd, 0xb8};
	uint8_t evpn[] = {0, 25, 70, 4, 1, 2, 3, 4, 0, 9, 9};
	struct bgp_peer_ctx ctx = ebgp(true);

	ctx.fam[BGP_FAM_V6] = false;
	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, sizeof(mp));
	expect_ok(&b, ctx);
	cr_assert_eq(U.mp_reach_fam, -1);
	cr_assert_eq(U.ignored_fam, 1);
	mandatory(&c, true);
	attr(&c, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, evpn, sizeof(evpn));
	expect_ok(&c, ebgp(true));
	cr_assert_eq(U.ignored_fam, 1);
}

/* An UPDATE announcing 2001:db8::/32 through MP_REACH with next hop nh
 * (16 or 32 bytes), ORIGIN and AS_PATH, and no NEXT_HOP attribute. */
static void mp6(struct ub *b, const uint8_t *nh, uint8_t nhlen)
{
	uint8_t o = 0, p[] = {2, 1, 0, 0, 0xfd, 0xe9};
	uint8_t mp[64] = {0, 2, 1, nhlen};
	size_t l = 4;

	memcpy(mp + l, nh, nhlen);
	l += nhlen;
	mp[l++] = 0;
	mp[l++] = 32;
	mp[l++] = 0x20, mp[l++] = 1, mp[l++] = 0xd, mp[l++] = 0xb8;
	attr(b, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp, l);
	attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
}

#define IP6(...) ((const uint8_t[16]){__VA_ARGS__})
static const uint8_t GLOBAL6[16] = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t OWN6[16] = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99};
static const uint8_t LL6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

Test(update, mp_reach_ipv6_next_hop_semantics)
{
	/* RFC 2545 3 / RFC 4291 2.4 / RFC 4271 6.3: treat-as-withdraw (RFC 7606 7.11). */
	const uint8_t *bad[] = {
	    IP6(0),							 /* :: */
	    IP6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),	 /* ::1 */
	    IP6(0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),	 /* ff02::1 */
	    IP6(0xff, 0x0e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),	 /* ff0e::1 */
	    LL6,							 /* fe80::1 alone */
	    IP6(0xfe, 0xbf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),	 /* fe80::/10 too */
	    IP6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1), /* ::ffff:127.0.0.1 */
	    IP6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 224, 0, 0, 5), /* ::ffff:224.0.0.5 */
	    OWN6,							 /* our own address */
	};
	struct bgp_peer_ctx ctx = ebgp(true);

	ctx.has_local6 = true;
	memcpy(ctx.local6, OWN6, 16);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ub b = {0}, c = {0};
		uint8_t two[32];

		mp6(&b, bad[i], 16);
		expect_taw(&b, ctx);
		cr_assert_eq(U.n_mp_reach, 1, "case %zu: NLRI still located", i);
		/* The same as the global half of a 32-byte next hop. */
		memcpy(two, bad[i], 16);
		memcpy(two + 16, LL6, 16);
		mp6(&c, two, 32);
		expect_taw(&c, ctx);
	}
	/* Without a known local address, a global address is fine. */
	struct ub d = {0};

	mp6(&d, OWN6, 16);
	expect_ok(&d, ebgp(true));
	/* A public IPv4-mapped address is a valid next hop. */
	struct ub e = {0};

	mp6(&e, IP6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1), 16);
	expect_ok(&e, ctx);
}

Test(update, mp_reach_ipv6_global_and_link_local)
{
	struct bgp_peer_ctx ctx = ebgp(true);
	uint8_t two[32];
	struct ub b = {0}, c = {0}, d = {0};

	/* RFC 2545: global + link-local, both kept. */
	memcpy(two, GLOBAL6, 16);
	memcpy(two + 16, LL6, 16);
	mp6(&b, two, 32);
	expect_ok(&b, ctx);
	cr_assert_eq(U.mp_nh_len, 32);
	cr_assert_eq(memcmp(U.mp_nh + 16, LL6, 16), 0);
	/* A second address that is not link-local (here ::, or a global one) is
	 * ignored, as FRR does: the route keeps its global next hop. */
	memset(two + 16, 0, 16);
	mp6(&c, two, 32);
	expect_ok(&c, ctx);
	cr_assert_eq(U.mp_nh_len, 16);
	memcpy(two + 16, GLOBAL6, 16);
	mp6(&d, two, 32);
	expect_ok(&d, ctx);
	cr_assert_eq(U.mp_nh_len, 16);
}

Test(update, next_hop_equal_to_our_address)
{
	/* RFC 4271 6.3 a: the NEXT_HOP must not be the receiving speaker's address. */
	struct bgp_peer_ctx ctx = ebgp(true);
	struct ub b = {0}, c = {0};
	uint8_t mp4[] = {0, 1, 1, 4, 192, 0, 2, 1, 0, 24, 10, 9, 9};
	uint8_t o = 0, p[] = {2, 1, 0, 0, 0xfd, 0xe9};

	ctx.has_local4 = true;
	memcpy(ctx.local4, NH, 4);
	mandatory(&b, true);
	nlri(&b, 24, NET1);
	expect_taw(&b, ctx);
	cr_assert_str_eq(U.why, "invalid NEXT_HOP");
	/* The same in a 4-byte MP_REACH next hop (IPv4 unicast via RFC 4760). */
	attr(&c, BGP_AF_OPTIONAL, BGP_ATTR_MP_REACH, mp4, sizeof(mp4));
	attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&c, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	expect_taw(&c, ctx);
	/* Another address is fine. */
	ctx.local4[3] = 2;
	struct ub d = {0};

	mandatory(&d, true);
	nlri(&d, 24, NET1);
	expect_ok(&d, ctx);
}

Test(update, next_hop_attribute_ignored_without_classic_nlri)
{
	/* RFC 4760 3: with only MP_REACH NLRI, NEXT_HOP is ignored, so even a
	 * martian there withdraws nothing. */
	struct ub b = {0};
	const uint8_t martian[4] = {127, 0, 0, 1};

	mp6(&b, GLOBAL6, 16);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, martian, 4);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.n_mp_reach, 1);
}

Test(update, classic_nlri_without_ipv4_unicast_are_ignored)
{
	/* A peer that negotiated only IPv6 unicast: classic IPv4 NLRI and
	 * withdrawals are ignored and counted; the session stays. */
	struct bgp_peer_ctx ctx = ebgp(true);
	struct ub b = {0}, c = {0}, d = {0};
	struct bgp_prefix p;
	struct bgp_err e;

	ctx.fam[BGP_FAM_V4] = false;
	mandatory(&b, true);
	nlri(&b, 24, NET1);
	wd(&b, 16, NET1);
	expect_ok(&b, ctx);
	cr_assert_eq(U.n_nlri, 0);
	cr_assert_eq(U.n_withdrawn, 0);
	cr_assert_not(bgp_nlri_next(&U.nlri, BGP_FAM_V4, &p));
	cr_assert_not(bgp_nlri_next(&U.withdrawn, BGP_FAM_V4, &p));
	cr_assert_eq(U.ignored_fam, 1);
	/* IPv6 in the same message still counts. */
	mp6(&c, GLOBAL6, 16);
	nlri(&c, 24, NET1);
	expect_ok(&c, ctx);
	cr_assert_eq(U.n_mp_reach, 1);
	cr_assert_eq(U.n_nlri, 0);
	/* Syntax is still checked: a bad prefix length resets. */
	mandatory(&d, true);
	nlri(&d, 24, NET1);
	d.n[0] = 33;
	cr_assert_not(decode(&d, ctx, &e));
	/* The empty UPDATE is not an IPv4 End-of-RIB then. */
	struct ub eor = {0};

	expect_ok(&eor, ctx);
	cr_assert_eq(U.eor_fam, -1);
}

Test(update, aspath_text_is_never_cut)
{
	/* The longest AS_PATH a message carries, in its widest text form: the
	 * control socket shows it whole (BGP_ASPATH_TEXT_SIZE). */
	static uint8_t path[BGP_ASPATH_MAX];
	static char text[BGP_ASPATH_TEXT_SIZE(BGP_ASPATH_MAX)];
	size_t l = 0, ases = 0;

	while (l + 6 <= sizeof(path)) { /* one-AS AS_CONFED_SETs: the widest per byte */
		path[l++] = BGP_AS_CONFED_SET;
		path[l++] = 1;
		path[l++] = 0xff, path[l++] = 0xff, path[l++] = 0xff, path[l++] = 0xff;
		ases++;
	}
	bgp_aspath_format(path, l, text, BGP_ASPATH_TEXT_SIZE(l));
	cr_assert_eq(strlen(text), ases * strlen("[{4294967295}]") + (ases - 1));
	l = 0;
	path[l++] = BGP_AS_SEQUENCE;
	path[l++] = 255;
	for (int i = 0; i < 255; i++)
		path[l++] = 0xff, path[l++] = 0xff, path[l++] = 0xff, path[l++] = 0xfe;
	bgp_aspath_format(path, l, text, BGP_ASPATH_TEXT_SIZE(l));
	cr_assert_eq(strlen(text), 255 * 11 - 1);
}

Test(update, med_local_pref_lengths)
{
	struct ub a = {0}, b = {0};
	uint8_t three[] = {0, 0, 1};
	struct bgp_peer_ctx ibgp = ebgp(true);

	mandatory(&a, true);
	attr(&a, BGP_AF_OPTIONAL, BGP_ATTR_MED, three, 3);
	nlri(&a, 24, NET1);
	expect_taw(&a, ebgp(true));
	ibgp.ebgp = false;
	mandatory(&b, true);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_LOCAL_PREF, three, 3);
	nlri(&b, 24, NET1);
	expect_taw(&b, ibgp);
}

Test(update, local_pref_from_ebgp_discarded)
{
	struct ub b = {0};
	uint8_t lp[] = {0, 0, 0, 200};

	mandatory(&b, true);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_LOCAL_PREF, lp, 4);
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.discarded, 1);
	cr_assert_not(bgp_pattrs_has(&U.a, BGP_ATTR_LOCAL_PREF));
}

Test(update, atomic_aggregate_and_aggregator_discarded)
{
	struct ub b = {0};
	uint8_t one = 1, five[] = {1, 2, 3, 4, 5};

	mandatory(&b, true);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ATOMIC_AGGREGATE, &one, 1);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AGGREGATOR, five, 5);
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.discarded, 2);
}

Test(update, aggregator_two_and_four_octet)
{
	struct ub a = {0}, b = {0};
	uint8_t ag4[] = {0, 1, 0, 0, 10, 0, 0, 1};
	uint8_t ag2[] = {0xfd, 0xe9, 10, 0, 0, 1};

	mandatory(&a, true);
	attr(&a, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AGGREGATOR, ag4, 8);
	nlri(&a, 24, NET1);
	expect_ok(&a, ebgp(true));
	cr_assert_eq(U.a.aggr_as, 65536);
	mandatory(&b, false);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AGGREGATOR, ag2, 6);
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(false));
	cr_assert_eq(U.a.aggr_as, 65001);
}

Test(update, community_length_errors)
{
	uint8_t three[] = {1, 2, 3}, eleven[11] = {0}, seven[7] = {0};
	struct {
		uint8_t type;
		const uint8_t *v;
		size_t len;
	} cases[] = {{BGP_ATTR_COMMUNITIES, three, 3},
		     {BGP_ATTR_COMMUNITIES, three, 0},
		     {BGP_ATTR_LARGE_COMMUNITIES, eleven, 11},
		     {BGP_ATTR_EXT_COMMUNITIES, seven, 7}};

	for (size_t i = 0; i < 4; i++) {
		struct ub b = {0};

		mandatory(&b, true);
		attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, cases[i].type, cases[i].v,
		     cases[i].len);
		nlri(&b, 24, NET1);
		expect_taw(&b, ebgp(true));
	}
}

Test(update, communities_kept)
{
	struct ub b = {0};
	uint8_t c[] = {0xfd, 0xe9, 0, 1, 0xfd, 0xe9, 0, 2};
	uint8_t l[12] = {0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0, 2};

	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_COMMUNITIES, c, 8);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_LARGE_COMMUNITIES, l, 12);
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.a.comm_len, 8);
	cr_assert_eq(U.a.lcomm_len, 12);
}

Test(update, flags_error_on_well_known)
{
	struct ub b = {0};
	uint8_t o = 0, p[] = {2, 1, 0, 0, 0xfd, 0xe9};

	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p, sizeof(p));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	nlri(&b, 24, NET1);
	expect_taw(&b, ebgp(true));
}

Test(update, flags_error_on_med)
{
	struct ub b = {0};
	uint8_t med[] = {0, 0, 0, 1};

	mandatory(&b, true);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_MED, med, 4);
	nlri(&b, 24, NET1);
	expect_taw(&b, ebgp(true));
}

Test(update, duplicate_attribute_discarded_first_kept)
{
	struct ub b = {0};
	uint8_t o2 = 2;

	mandatory(&b, true);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o2, 1);
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.discarded, 1);
	cr_assert_eq(U.a.origin, 0);
}

Test(update, unknown_optional_attributes)
{
	struct ub b = {0};
	uint8_t v[] = {1, 2, 3};

	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, 201, v, 3);
	attr(&b, BGP_AF_OPTIONAL, 202, v, 3);
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.a.other_len, 6); /* only the transitive one, with Partial set */
	cr_assert_eq(U.a.other[0], BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE | BGP_AF_PARTIAL);
	cr_assert_eq(U.a.other[1], 201);
}

Test(update, route_reflection_attributes)
{
	struct ub b = {0}, c = {0};
	uint8_t id[] = {1, 2, 3, 4}, three[] = {1, 2, 3};
	struct bgp_peer_ctx ibgp = ebgp(true);

	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL, BGP_ATTR_ORIGINATOR_ID, id, 4);
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.discarded, 1);
	ibgp.ebgp = false;
	mandatory(&c, true);
	attr(&c, BGP_AF_OPTIONAL, BGP_ATTR_CLUSTER_LIST, three, 3);
	nlri(&c, 24, NET1);
	expect_taw(&c, ibgp);
}

/* ---- four-octet AS (RFC 6793) ---- */

Test(update, as4_path_merge)
{
	struct ub b = {0};
	uint8_t o = 0;
	/* AS_PATH (2-octet): 65001 23456 23456 ; AS4_PATH: 4200000001 4200000002 */
	uint8_t p2[] = {2, 3, 0xfd, 0xe9, 0x5b, 0xa0, 0x5b, 0xa0};
	uint8_t p4[] = {2, 2, 0xfa, 0x56, 0xea, 0x01, 0xfa, 0x56, 0xea, 0x02};
	char buf[128];

	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p2, sizeof(p2));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_PATH, p4, sizeof(p4));
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(false));
	cr_assert_str_eq(bgp_aspath_format(U.a.aspath, U.a.aspath_len, buf, sizeof(buf)),
			 "65001 4200000001 4200000002");
}

Test(update, as4_path_longer_than_as_path_ignored)
{
	struct ub b = {0};
	uint8_t o = 0;
	uint8_t p2[] = {2, 1, 0xfd, 0xe9};
	uint8_t p4[] = {2, 2, 0xfa, 0x56, 0xea, 0x01, 0xfa, 0x56, 0xea, 0x02};
	char buf[128];

	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p2, sizeof(p2));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_PATH, p4, sizeof(p4));
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(false));
	cr_assert_str_eq(bgp_aspath_format(U.a.aspath, U.a.aspath_len, buf, sizeof(buf)), "65001");
}

Test(update, malformed_as4_path_discarded)
{
	struct ub b = {0};
	uint8_t o = 0;
	uint8_t p2[] = {2, 2, 0xfd, 0xe9, 0x5b, 0xa0};
	uint8_t p4[] = {2, 5, 0xfa, 0x56};
	char buf[128];

	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, &o, 1);
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, p2, sizeof(p2));
	attr(&b, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, NH, 4);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_PATH, p4, sizeof(p4));
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(false));
	cr_assert_eq(U.discarded, 1);
	cr_assert_str_eq(bgp_aspath_format(U.a.aspath, U.a.aspath_len, buf, sizeof(buf)),
			 "65001 23456");
}

Test(update, as4_attributes_from_new_speaker_discarded)
{
	struct ub b = {0};
	uint8_t p4[] = {2, 1, 0, 0, 0xfd, 0xe9};
	uint8_t ag[] = {0, 0, 0xfd, 0xe9, 1, 1, 1, 1};

	mandatory(&b, true);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_PATH, p4, sizeof(p4));
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_AGGREGATOR, ag, sizeof(ag));
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(true));
	cr_assert_eq(U.discarded, 2);
}

Test(update, as4_aggregator_replaces_as_trans)
{
	struct ub b = {0};
	uint8_t ag[] = {0x5b, 0xa0, 10, 0, 0, 9};
	uint8_t ag4[] = {0xfa, 0x56, 0xea, 0x01, 10, 0, 0, 9};

	mandatory(&b, false);
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AGGREGATOR, ag, sizeof(ag));
	attr(&b, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_AGGREGATOR, ag4, sizeof(ag4));
	nlri(&b, 24, NET1);
	expect_ok(&b, ebgp(false));
	cr_assert_eq(U.a.aggr_as, 4200000001u);
}

Test(update, aspath_set_and_format)
{
	struct ub b = {0};
	uint8_t p[] = {2, 1, 0, 0, 0xfd, 0xe9, 1, 2, 0, 0, 0, 1, 0, 0, 0, 2};
	char buf[128];

	with_aspath(&b, p, sizeof(p));
	expect_ok(&b, ebgp(true));
	cr_assert_eq(bgp_aspath_hops(U.a.aspath, U.a.aspath_len), 2);
	cr_assert_str_eq(bgp_aspath_format(U.a.aspath, U.a.aspath_len, buf, sizeof(buf)),
			 "65001 {1 2}");
}

/* ---- encoding round trips ---- */

static void out_attrs(struct bgp_out_attrs *a, const uint8_t *aspath, size_t len)
{
	memset(a, 0, sizeof(*a));
	a->origin = BGP_ORIGIN_IGP;
	a->aspath = aspath;
	a->aspath_len = (uint16_t)len;
	memcpy(a->nexthop4, NH, 4);
	a->nexthop6[0] = 0x20;
	a->nexthop6[1] = 0x01;
	a->nexthop6[15] = 1;
	a->nexthop6_len = 16;
	a->has_med = true;
	a->med = 50;
}

static bool decode_msg(const uint8_t *m, size_t len, struct bgp_peer_ctx ctx)
{
	uint8_t type;
	uint16_t mlen;
	struct bgp_err e;

	if (!bgp_decode_header(m, len, &type, &mlen, &e) || type != BGP_MSG_UPDATE || mlen != len)
		return false;
	return bgp_decode_update(m + 19, len - 19, &ctx, &U, &e);
}

Test(update_encode, v4_many_prefixes_split_across_messages)
{
	static struct bgp_prefix p[3000];
	static uint8_t buf[BGP_MAX_LEN];
	uint8_t aspath[] = {2, 1, 0, 0, 0xb0, 0x30}; /* 45104 */
	struct bgp_out_attrs a;
	size_t done = 0, msgs = 0, seen = 0;

	out_attrs(&a, aspath, sizeof(aspath));
	for (int i = 0; i < 3000; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].fam = BGP_FAM_V4;
		p[i].len = 24;
		p[i].addr[0] = 10;
		p[i].addr[1] = (uint8_t)(i >> 8);
		p[i].addr[2] = (uint8_t)i;
	}
	while (done < 3000) {
		struct bgp_wbuf w;
		size_t mlen, used;
		struct bgp_prefix q;
		struct bgp_peer_ctx ctx = ebgp(true);

		ctx.peer_as = 45104;
		bgp_wbuf_init(&w, buf, sizeof(buf));
		used = bgp_encode_update(&w, BGP_FAM_V4, &a, true, p + done, 3000 - done, &mlen);
		cr_assert_gt(used, 0);
		cr_assert_leq(mlen, BGP_MAX_LEN);
		cr_assert(decode_msg(buf, mlen, ctx));
		cr_assert_not(U.treat_as_withdraw, "%s", U.why);
		cr_assert_eq(U.n_nlri, used);
		cr_assert_eq(U.a.med, 50);
		while (bgp_nlri_next(&U.nlri, BGP_FAM_V4, &q))
			cr_assert(bgp_prefix_eq(&q, &p[seen++]));
		done += used;
		msgs++;
	}
	cr_assert_eq(seen, 3000);
	cr_assert_geq(msgs, 3);
}

Test(update_encode, v6_announce_and_withdraw)
{
	uint8_t buf[BGP_MAX_LEN];
	uint8_t aspath[] = {2, 1, 0, 0, 0xb0, 0x30};
	struct bgp_out_attrs a;
	struct bgp_prefix p[2], q;
	struct bgp_wbuf w;
	size_t mlen;
	struct bgp_peer_ctx ctx = ebgp(true);

	ctx.peer_as = 45104;
	out_attrs(&a, aspath, sizeof(aspath));
	cr_assert(bgp_prefix_parse("2001:db8::/32", &p[0]));
	cr_assert(bgp_prefix_parse("2001:db8:1::/48", &p[1]));
	bgp_wbuf_init(&w, buf, sizeof(buf));
	cr_assert_eq(bgp_encode_update(&w, BGP_FAM_V6, &a, true, p, 2, &mlen), 2);
	cr_assert(decode_msg(buf, mlen, ctx));
	cr_assert_not(U.treat_as_withdraw, "%s", U.why);
	cr_assert_eq(U.mp_reach_fam, BGP_FAM_V6);
	cr_assert_eq(U.n_mp_reach, 2);
	cr_assert_eq(U.mp_nh_len, 16);
	cr_assert(bgp_nlri_next(&U.mp_reach, BGP_FAM_V6, &q));
	cr_assert(bgp_prefix_eq(&q, &p[0]));

	bgp_wbuf_init(&w, buf, sizeof(buf));
	cr_assert_eq(bgp_encode_update(&w, BGP_FAM_V6, NULL, true, p, 2, &mlen), 2);
	cr_assert(decode_msg(buf, mlen, ctx));
	cr_assert_eq(U.mp_unreach_fam, BGP_FAM_V6);
	cr_assert_eq(U.n_mp_unreach, 2);
	cr_assert_eq(U.eor_fam, -1);
}

Test(update_encode, v4_withdraw)
{
	uint8_t buf[BGP_MAX_LEN];
	struct bgp_prefix p;
	struct bgp_wbuf w;
	size_t mlen;

	cr_assert(bgp_prefix_parse("10.9.0.0/16", &p));
	bgp_wbuf_init(&w, buf, sizeof(buf));
	cr_assert_eq(bgp_encode_update(&w, BGP_FAM_V4, NULL, true, &p, 1, &mlen), 1);
	cr_assert(decode_msg(buf, mlen, ebgp(true)));
	cr_assert_eq(U.n_withdrawn, 1);
	cr_assert_eq(U.n_nlri, 0);
}

Test(update_encode, eor_round_trip)
{
	uint8_t buf[64];
	struct bgp_wbuf w;
	size_t len;

	for (int f = 0; f < 2; f++) {
		bgp_wbuf_init(&w, buf, sizeof(buf));
		len = bgp_encode_eor(&w, (enum bgp_fam)f);
		cr_assert(decode_msg(buf, len, ebgp(true)));
		cr_assert_eq(U.eor_fam, f);
	}
}

Test(update_encode, four_octet_as_to_old_speaker)
{
	uint8_t buf[BGP_MAX_LEN];
	uint8_t aspath[] = {2, 1, 0xfa, 0x56, 0xea, 0x01}; /* 4200000001 */
	struct bgp_out_attrs a;
	struct bgp_prefix p;
	struct bgp_wbuf w;
	size_t mlen;
	struct bgp_peer_ctx ctx = ebgp(false);
	char s[64];

	/* The receiving side sees AS_TRANS in AS_PATH and the real AS in AS4_PATH. */
	ctx.peer_as = BGP_AS_TRANS;
	out_attrs(&a, aspath, sizeof(aspath));
	cr_assert(bgp_prefix_parse("10.9.0.0/16", &p));
	bgp_wbuf_init(&w, buf, sizeof(buf));
	cr_assert_eq(bgp_encode_update(&w, BGP_FAM_V4, &a, false, &p, 1, &mlen), 1);
	ctx.peer_as = 4200000001u;
	cr_assert(decode_msg(buf, mlen, ctx));
	cr_assert_not(U.treat_as_withdraw, "%s", U.why);
	cr_assert_str_eq(bgp_aspath_format(U.a.aspath, U.a.aspath_len, s, sizeof(s)), "4200000001");
}
