/*
 * Unit tests of bgp/codec.c: header, OPEN, NOTIFICATION, ROUTE-REFRESH,
 * KEEPALIVE, NLRI — round trips and every malformed case the decoder knows.
 * EC-5 (BGP-4 with 2- or 4-octet peer ASN).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "bgp/codec.h"

static size_t mkhdr(uint8_t *b, uint16_t len, uint8_t type)
{
	memset(b, 0xff, 16);
	b[16] = (uint8_t)(len >> 8);
	b[17] = (uint8_t)len;
	b[18] = type;
	return 19;
}

static void expect_hdr_err(const uint8_t *b, size_t len, uint8_t code, uint8_t sub)
{
	uint8_t type;
	uint16_t mlen;
	struct bgp_err e;

	cr_assert_not(bgp_decode_header(b, len, &type, &mlen, &e));
	cr_assert_eq(e.code, code, "code %u", e.code);
	cr_assert_eq(e.subcode, sub, "subcode %u", e.subcode);
}

Test(header, keepalive_ok)
{
	uint8_t b[19], type;
	uint16_t len;
	struct bgp_err e;
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, b, sizeof(b));
	cr_assert_eq(bgp_encode_keepalive(&w), 19);
	cr_assert(bgp_decode_header(b, 19, &type, &len, &e));
	cr_assert_eq(type, BGP_MSG_KEEPALIVE);
	cr_assert_eq(len, 19);
}

Test(header, bad_marker)
{
	uint8_t b[19];

	mkhdr(b, 19, 4);
	b[3] = 0;
	expect_hdr_err(b, 19, BGP_ERR_HEADER, BGP_HDR_NOT_SYNC);
}

Test(header, short_buffer)
{
	uint8_t b[19];

	mkhdr(b, 19, 4);
	expect_hdr_err(b, 18, BGP_ERR_HEADER, BGP_HDR_BAD_LEN);
}

Test(header, bad_lengths)
{
	uint8_t b[19];
	uint16_t lens[] = {0, 18, 4097, 65535};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		mkhdr(b, lens[i], 4);
		expect_hdr_err(b, 19, BGP_ERR_HEADER, BGP_HDR_BAD_LEN);
	}
}

Test(header, bad_length_data_is_the_length)
{
	uint8_t b[19], type;
	uint16_t mlen;
	struct bgp_err e;

	mkhdr(b, 5000, 2);
	cr_assert_not(bgp_decode_header(b, 19, &type, &mlen, &e));
	cr_assert_eq(e.data_len, 2);
	cr_assert_eq(e.data[0] << 8 | e.data[1], 5000);
}

Test(header, per_type_minimum)
{
	uint8_t b[19];

	mkhdr(b, 28, BGP_MSG_OPEN);
	expect_hdr_err(b, 19, BGP_ERR_HEADER, BGP_HDR_BAD_LEN);
	mkhdr(b, 22, BGP_MSG_UPDATE);
	expect_hdr_err(b, 19, BGP_ERR_HEADER, BGP_HDR_BAD_LEN);
	mkhdr(b, 20, BGP_MSG_NOTIFICATION);
	expect_hdr_err(b, 19, BGP_ERR_HEADER, BGP_HDR_BAD_LEN);
	mkhdr(b, 20, BGP_MSG_KEEPALIVE);
	expect_hdr_err(b, 19, BGP_ERR_HEADER, BGP_HDR_BAD_LEN);
}

Test(header, bad_type)
{
	uint8_t b[19];
	uint8_t types[] = {0, 6, 255};

	for (size_t i = 0; i < sizeof(types); i++) {
		struct bgp_err e;
		uint8_t t;
		uint16_t l;

		mkhdr(b, 19, types[i]);
		cr_assert_not(bgp_decode_header(b, 19, &t, &l, &e));
		cr_assert_eq(e.code, BGP_ERR_HEADER);
		cr_assert_eq(e.subcode, BGP_HDR_BAD_TYPE);
		cr_assert_eq(e.data_len, 1);
		cr_assert_eq(e.data[0], types[i]);
	}
}

/* ---- OPEN ---- */

static void full_open(struct bgp_open *o)
{
	memset(o, 0, sizeof(*o));
	o->as4 = true;
	o->as4_value = 4200000001u;
	o->hold_time = 90;
	o->bgp_id = 0x0a000001;
	o->mp[BGP_FAM_V4] = o->mp[BGP_FAM_V6] = true;
	o->route_refresh = true;
	o->enhanced_rr = true;
	o->gr = true;
	o->gr_flags = BGP_GR_RESTARTING;
	o->gr_time = 120;
	o->gr_fam[BGP_FAM_V4] = true;
	o->gr_fwd[BGP_FAM_V4] = true;
	o->gr_fam[BGP_FAM_V6] = true;
}

Test(open, round_trip_all_capabilities)
{
	uint8_t buf[256];
	struct bgp_wbuf w;
	struct bgp_open in, out;
	struct bgp_err e;
	size_t len;
	uint8_t type;
	uint16_t mlen;

	full_open(&in);
	bgp_wbuf_init(&w, buf, sizeof(buf));
	len = bgp_encode_open(&w, &in);
	cr_assert_gt(len, 29);
	cr_assert(bgp_decode_header(buf, len, &type, &mlen, &e));
	cr_assert_eq(type, BGP_MSG_OPEN);
	cr_assert_eq(mlen, len);
	cr_assert(bgp_decode_open(buf + 19, len - 19, &out, &e));
	cr_assert_eq(out.my_as16, BGP_AS_TRANS); /* RFC 6793: 4-octet AS in My AS */
	cr_assert_eq(bgp_open_peer_as(&out), 4200000001u);
	cr_assert_eq(out.hold_time, 90);
	cr_assert_eq(out.bgp_id, 0x0a000001);
	cr_assert(out.mp[BGP_FAM_V4] && out.mp[BGP_FAM_V6]);
	cr_assert(out.route_refresh && out.enhanced_rr && out.gr && out.as4);
	cr_assert_eq(out.gr_time, 120);
	cr_assert_eq(out.gr_flags, BGP_GR_RESTARTING);
	cr_assert(out.gr_fam[BGP_FAM_V4] && out.gr_fwd[BGP_FAM_V4]);
	cr_assert(out.gr_fam[BGP_FAM_V6] && !out.gr_fwd[BGP_FAM_V6]);
}

Test(open, two_octet_as)
{
	uint8_t buf[256];
	struct bgp_wbuf w;
	struct bgp_open in, out;
	struct bgp_err e;
	size_t len;

	memset(&in, 0, sizeof(in));
	in.as4_value = 65001;
	in.hold_time = 3;
	in.bgp_id = 1;
	bgp_wbuf_init(&w, buf, sizeof(buf));
	len = bgp_encode_open(&w, &in);
	cr_assert(bgp_decode_open(buf + 19, len - 19, &out, &e));
	cr_assert_not(out.as4);
	cr_assert_eq(bgp_open_peer_as(&out), 65001);
	/* RFC 4760 8: no MP capability at all means IPv4 unicast. */
	cr_assert(out.mp[BGP_FAM_V4]);
	cr_assert_not(out.mp[BGP_FAM_V6]);
}

/* Builds an OPEN body: version, as, hold, id, then raw optional parameters. */
static size_t open_body(uint8_t *b, uint8_t version, uint16_t as, uint16_t hold, uint32_t id,
			const uint8_t *opt, uint8_t optlen)
{
	b[0] = version;
	b[1] = (uint8_t)(as >> 8);
	b[2] = (uint8_t)as;
	b[3] = (uint8_t)(hold >> 8);
	b[4] = (uint8_t)hold;
	b[5] = (uint8_t)(id >> 24);
	b[6] = (uint8_t)(id >> 16);
	b[7] = (uint8_t)(id >> 8);
	b[8] = (uint8_t)id;
	b[9] = optlen;
	if (optlen)
		memcpy(b + 10, opt, optlen);
	return 10u + optlen;
}

static void expect_open_err(const uint8_t *b, size_t len, uint8_t code, uint8_t sub)
{
	struct bgp_open o;
	struct bgp_err e;

	cr_assert_not(bgp_decode_open(b, len, &o, &e));
	cr_assert_eq(e.code, code, "code %u", e.code);
	cr_assert_eq(e.subcode, sub, "subcode %u", e.subcode);
}

Test(open, bad_version_carries_supported_version)
{
	uint8_t b[64];
	size_t len = open_body(b, 3, 65001, 90, 1, NULL, 0);
	struct bgp_open o;
	struct bgp_err e;

	cr_assert_not(bgp_decode_open(b, len, &o, &e));
	cr_assert_eq(e.code, BGP_ERR_OPEN);
	cr_assert_eq(e.subcode, BGP_OPEN_BAD_VERSION);
	cr_assert_eq(e.data_len, 2);
	cr_assert_eq(e.data[1], 4);
}

Test(open, unacceptable_hold_time)
{
	uint8_t b[64];

	expect_open_err(b, open_body(b, 4, 65001, 1, 1, NULL, 0), BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD);
	expect_open_err(b, open_body(b, 4, 65001, 2, 1, NULL, 0), BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD);
}

Test(open, hold_zero_and_three_ok)
{
	uint8_t b[64];
	struct bgp_open o;
	struct bgp_err e;

	cr_assert(bgp_decode_open(b, open_body(b, 4, 65001, 0, 1, NULL, 0), &o, &e));
	cr_assert(bgp_decode_open(b, open_body(b, 4, 65001, 3, 1, NULL, 0), &o, &e));
}

Test(open, zero_identifier)
{
	uint8_t b[64];

	expect_open_err(b, open_body(b, 4, 65001, 90, 0, NULL, 0), BGP_ERR_OPEN, BGP_OPEN_BAD_ID);
}

Test(open, zero_as)
{
	uint8_t b[64];
	uint8_t cap0[] = {2, 6, 65, 4, 0, 0, 0, 0};

	expect_open_err(b, open_body(b, 4, 0, 90, 1, NULL, 0), BGP_ERR_OPEN, BGP_OPEN_BAD_AS);
	expect_open_err(b, open_body(b, 4, 65001, 90, 1, cap0, sizeof(cap0)), BGP_ERR_OPEN,
			BGP_OPEN_BAD_AS);
}

Test(open, truncated_fixed_part)
{
	uint8_t b[64];

	open_body(b, 4, 65001, 90, 1, NULL, 0);
	expect_open_err(b, 9, BGP_ERR_HEADER, BGP_HDR_BAD_LEN);
}

Test(open, optlen_inconsistent)
{
	uint8_t b[64];
	uint8_t opt[] = {2, 2, 2, 0};
	size_t len = open_body(b, 4, 65001, 90, 1, opt, sizeof(opt));

	b[9] = 5; /* claims more than there is */
	expect_open_err(b, len, BGP_ERR_OPEN, 0);
	b[9] = 3; /* claims less */
	expect_open_err(b, len, BGP_ERR_OPEN, 0);
}

Test(open, unsupported_optional_parameter)
{
	uint8_t b[64];
	uint8_t opt[] = {1, 1, 0}; /* type 1: authentication, deprecated */

	expect_open_err(b, open_body(b, 4, 65001, 90, 1, opt, sizeof(opt)), BGP_ERR_OPEN,
			BGP_OPEN_BAD_OPT);
}

Test(open, parameter_overrun)
{
	uint8_t b[64];
	uint8_t opt[] = {2, 9, 2, 0};

	expect_open_err(b, open_body(b, 4, 65001, 90, 1, opt, sizeof(opt)), BGP_ERR_OPEN, 0);
}

Test(open, capability_overrun_and_bad_lengths)
{
	uint8_t b[64];
	uint8_t over[] = {2, 2, 1, 4};		  /* MP says 4 bytes, none there */
	uint8_t mp3[] = {2, 5, 1, 3, 0, 1, 0};	  /* MP length 3 */
	uint8_t rr1[] = {2, 3, 2, 1, 0};	  /* route refresh with a byte */
	uint8_t as4_2[] = {2, 4, 65, 2, 0, 1};	  /* AS4 length 2 */
	uint8_t gr3[] = {2, 5, 64, 3, 0, 120, 0}; /* GR length not 2+4n */
	uint8_t err1[] = {2, 3, 70, 1, 0};	  /* enhanced RR with data */
	uint8_t *cases[] = {over, mp3, rr1, as4_2, gr3, err1};
	size_t lens[] = {sizeof(over),	sizeof(mp3), sizeof(rr1),
			 sizeof(as4_2), sizeof(gr3), sizeof(err1)};

	for (size_t i = 0; i < 6; i++)
		expect_open_err(b, open_body(b, 4, 65001, 90, 1, cases[i], (uint8_t)lens[i]),
				BGP_ERR_OPEN, 0);
}

Test(open, unknown_capability_ignored)
{
	uint8_t b[64];
	uint8_t opt[] = {2, 5, 200, 3, 1, 2, 3};
	struct bgp_open o;
	struct bgp_err e;

	cr_assert(bgp_decode_open(b, open_body(b, 4, 65001, 90, 1, opt, sizeof(opt)), &o, &e));
	cr_assert_eq(o.unknown_caps, 1);
}

Test(open, mp_for_unknown_family_only)
{
	uint8_t b[64];
	uint8_t opt[] = {2, 6, 1, 4, 0, 25, 0, 65}; /* L2VPN EVPN */
	struct bgp_open o;
	struct bgp_err e;

	cr_assert(bgp_decode_open(b, open_body(b, 4, 65001, 90, 1, opt, sizeof(opt)), &o, &e));
	cr_assert_not(o.mp[BGP_FAM_V4]); /* an MP capability was sent, IPv4 was not in it */
	cr_assert_not(o.mp[BGP_FAM_V6]);
}

Test(open, cisco_route_refresh)
{
	uint8_t b[64];
	uint8_t opt[] = {2, 2, 128, 0};
	struct bgp_open o;
	struct bgp_err e;

	cr_assert(bgp_decode_open(b, open_body(b, 4, 65001, 90, 1, opt, sizeof(opt)), &o, &e));
	cr_assert(o.route_refresh);
}

Test(open, several_parameters)
{
	uint8_t b[64];
	uint8_t opt[] = {2, 6, 65, 4, 0, 0, 0xfd, 0xe9, 2, 2, 2, 0};
	struct bgp_open o;
	struct bgp_err e;

	cr_assert(bgp_decode_open(b, open_body(b, 4, 65001, 90, 1, opt, sizeof(opt)), &o, &e));
	cr_assert(o.as4 && o.route_refresh);
	cr_assert_eq(o.as4_value, 65001);
}

Test(open, rfc9072_extended_parameters)
{
	uint8_t b[64];
	/* optlen 255, type 255, 2-byte length 7, then param type 2 len(2)=4: RR cap */
	uint8_t opt[] = {255, 0, 7, 2, 0, 4, 2, 0, 70, 0};
	size_t len = open_body(b, 4, 65001, 90, 1, opt, sizeof(opt));
	struct bgp_open o;
	struct bgp_err e;

	b[9] = 255;
	cr_assert(bgp_decode_open(b, len, &o, &e));
	cr_assert(o.route_refresh && o.enhanced_rr);
}

/* ---- NOTIFICATION, ROUTE-REFRESH ---- */

Test(notification, round_trip_with_data)
{
	uint8_t buf[300], data[] = {0, 1, 1, 0, 0, 0, 100};
	struct bgp_wbuf w;
	struct bgp_err in, out;
	size_t len;

	bgp_err_set(&in, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, data, sizeof(data));
	bgp_wbuf_init(&w, buf, sizeof(buf));
	len = bgp_encode_notification(&w, &in);
	cr_assert_eq(len, 21 + sizeof(data));
	cr_assert(bgp_decode_notification(buf + 19, len - 19, &out));
	cr_assert_eq(out.code, 6);
	cr_assert_eq(out.subcode, 1);
	cr_assert_eq(out.data_len, sizeof(data));
	cr_assert_eq(memcmp(out.data, data, sizeof(data)), 0);
	cr_assert_str_eq(bgp_err_subcode_name(6, 1), "maximum number of prefixes reached");
}

Test(notification, too_short)
{
	uint8_t b[1] = {6};
	struct bgp_err e;

	cr_assert_not(bgp_decode_notification(b, 1, &e));
}

Test(notification, long_data_kept_up_to_what_a_message_holds)
{
	uint8_t big[5000];
	struct bgp_err e;

	memset(big, 7, sizeof(big));
	bgp_err_set(&e, 3, 1, big, 1000);
	cr_assert_eq(e.data_len, 1000);
	bgp_err_set(&e, 3, 1, big, sizeof(big));
	cr_assert_eq(e.data_len, BGP_ERR_DATA_MAX);
	cr_assert_eq(BGP_ERR_DATA_MAX, BGP_MAX_LEN - BGP_HDR_LEN - 2);
}

Test(route_refresh, round_trip_subtypes)
{
	uint8_t buf[64];
	struct bgp_wbuf w;
	struct bgp_route_refresh rr;
	struct bgp_err e;
	uint8_t subs[] = {BGP_RR_REQUEST, BGP_RR_BORR, BGP_RR_EORR};

	for (size_t i = 0; i < 3; i++) {
		bgp_wbuf_init(&w, buf, sizeof(buf));
		cr_assert_eq(bgp_encode_route_refresh(&w, BGP_FAM_V6, subs[i]), 23);
		cr_assert(bgp_decode_route_refresh(buf, 23, &rr, &e));
		cr_assert_eq(rr.afi, BGP_AFI_IPV6);
		cr_assert_eq(rr.safi, 1);
		cr_assert_eq(rr.subtype, subs[i]);
	}
}

Test(route_refresh, bad_length_is_7_1_with_the_whole_message)
{
	/* RFC 7313 5: the NOTIFICATION data is the complete message, header included. */
	uint8_t b[BGP_MAX_LEN];
	struct bgp_route_refresh rr;
	struct bgp_err e;
	size_t lens[] = {BGP_HDR_LEN + 5, BGP_HDR_LEN + 3, BGP_HDR_LEN, 300, BGP_ERR_DATA_MAX};

	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7 + 1);
	memset(b, 0xff, 16);
	b[18] = BGP_MSG_ROUTE_REFRESH;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		b[16] = (uint8_t)(lens[i] >> 8);
		b[17] = (uint8_t)lens[i];
		cr_assert_not(bgp_decode_route_refresh(b, lens[i], &rr, &e));
		cr_assert_eq(e.code, BGP_ERR_ROUTE_REFRESH);
		cr_assert_eq(e.subcode, BGP_RR_BAD_LEN);
		cr_assert_eq(e.data_len, lens[i], "len %zu: data %u", lens[i], e.data_len);
		cr_assert_eq(memcmp(e.data, b, lens[i]), 0);
	}
	/* A 4096-byte message is more than a NOTIFICATION holds: cut to fit. */
	cr_assert_not(bgp_decode_route_refresh(b, BGP_MAX_LEN, &rr, &e));
	cr_assert_eq(e.data_len, BGP_ERR_DATA_MAX);
	cr_assert_eq(memcmp(e.data, b, BGP_ERR_DATA_MAX), 0);
	/* And the NOTIFICATION that carries it is a valid message of <= 4096 bytes. */
	uint8_t out[BGP_MAX_LEN];
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, out, sizeof(out));
	cr_assert_eq(bgp_encode_notification(&w, &e), BGP_MAX_LEN);
}

/* ---- NLRI and prefixes ---- */

Test(nlri, parse_and_iterate)
{
	uint8_t f[] = {24, 10, 1, 2, 0, 8, 10, 32, 192, 0, 2, 1, 23, 10, 0, 3};
	struct bgp_cur c;
	struct bgp_prefix p;
	uint32_t n;
	char buf[64];
	const char *want[] = {"10.1.2.0/24", "0.0.0.0/0", "10.0.0.0/8", "192.0.2.1/32",
			      "10.0.2.0/23"};
	int i = 0;

	bgp_cur_init(&c, f, sizeof(f));
	cr_assert(bgp_nlri_check(c, BGP_FAM_V4, &n));
	cr_assert_eq(n, 5);
	while (bgp_nlri_next(&c, BGP_FAM_V4, &p))
		cr_assert_str_eq(bgp_prefix_format(&p, buf, sizeof(buf)), want[i++]);
	cr_assert_eq(i, 5);
}

Test(nlri, host_bits_cleared)
{
	uint8_t f[] = {23, 10, 0, 3};
	struct bgp_cur c;
	struct bgp_prefix p;

	bgp_cur_init(&c, f, sizeof(f));
	cr_assert(bgp_nlri_next(&c, BGP_FAM_V4, &p));
	cr_assert_eq(p.addr[2], 2);
}

Test(nlri, too_long_prefix)
{
	uint8_t f4[] = {33, 1, 2, 3, 4, 5};
	uint8_t f6[] = {129, 0};
	struct bgp_cur c;

	bgp_cur_init(&c, f4, sizeof(f4));
	cr_assert_not(bgp_nlri_check(c, BGP_FAM_V4, NULL));
	bgp_cur_init(&c, f6, sizeof(f6));
	cr_assert_not(bgp_nlri_check(c, BGP_FAM_V6, NULL));
}

Test(nlri, truncated)
{
	uint8_t f[] = {24, 10, 1};
	struct bgp_cur c;
	struct bgp_prefix p;

	bgp_cur_init(&c, f, sizeof(f));
	cr_assert_not(bgp_nlri_check(c, BGP_FAM_V4, NULL));
	cr_assert_not(bgp_nlri_next(&c, BGP_FAM_V4, &p));
}

Test(nlri, v6_full_length)
{
	uint8_t f[17] = {128, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	struct bgp_cur c;
	struct bgp_prefix p;
	char buf[64];

	bgp_cur_init(&c, f, sizeof(f));
	cr_assert(bgp_nlri_check(c, BGP_FAM_V6, NULL));
	cr_assert(bgp_nlri_next(&c, BGP_FAM_V6, &p));
	cr_assert_str_eq(bgp_prefix_format(&p, buf, sizeof(buf)), "2001:db8::1/128");
}

Test(prefix, parse_format_round_trip)
{
	const char *ok[] = {"10.0.0.0/8", "0.0.0.0/0", "192.0.2.1/32", "2001:db8::/32", "::/0"};
	const char *bad[] = {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0",	    "x/8",
			     "10.0.0.0/",  "/8",	  "2001:db8::1/32", "10.0.0.0/8x"};
	struct bgp_prefix p;
	char buf[64];

	for (size_t i = 0; i < 5; i++) {
		cr_assert(bgp_prefix_parse(ok[i], &p), "%s", ok[i]);
		cr_assert_str_eq(bgp_prefix_format(&p, buf, sizeof(buf)), ok[i]);
	}
	for (size_t i = 0; i < 8; i++)
		cr_assert_not(bgp_prefix_parse(bad[i], &p), "%s", bad[i]);
}

Test(cursor, never_reads_past_end)
{
	uint8_t b[3] = {1, 2, 3};
	struct bgp_cur c, sub;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	bgp_cur_init(&c, b, 3);
	cr_assert_not(bgp_cur_u32(&c, &v32));
	cr_assert_eq(c.pos, 0);
	cr_assert(bgp_cur_u16(&c, &v16));
	cr_assert_eq(v16, 0x0102);
	cr_assert_not(bgp_cur_sub(&c, 2, &sub));
	cr_assert(bgp_cur_u8(&c, &v8));
	cr_assert_not(bgp_cur_u8(&c, &v8));
}

Test(cursor, writer_overflow_latches)
{
	uint8_t b[3];
	struct bgp_wbuf w;

	bgp_wbuf_init(&w, b, sizeof(b));
	bgp_put_u16(&w, 1);
	bgp_put_u16(&w, 2);
	cr_assert(w.overflow);
	bgp_put_u8(&w, 3);
	cr_assert_eq(w.len, 2);
}
