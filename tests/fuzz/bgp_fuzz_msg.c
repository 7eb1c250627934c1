/*
 * libFuzzer target: one BGP message (header included) from an untrusted
 * peer, through every decoder the session layer uses, and for UPDATEs on
 * into attribute interning and the RIB, under 2- and 4-octet AS and eBGP/iBGP
 * contexts.  The first byte of the input picks the context (bits: 1 4-octet
 * AS, 2 iBGP, 4 peer AS 23456, 8 no IPv6, 16 no IPv4 unicast, 32 our own
 * addresses known for the next hop check); the rest is the message.  Traps
 * check invariants: whole AS path text, RFC 7313 NOTIFICATION data, no
 * classic NLRI without IPv4 unicast, no multicast/link-local IPv6 next hop.  Built by
 * tests/bgp/fuzz.sh or meson -Dfuzz=true.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bgp/attr.h"
#include "bgp/codec.h"
#include "bgp/rib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bgp_update upd;

static void exercise_update(const uint8_t *body, size_t len, const struct bgp_peer_ctx *ctx)
{
	struct bgp_err err;
	struct bgp_attr_table *t;
	struct bgp_rib *rib;
	struct bgp_prefix p;
	static char buf[BGP_ASPATH_TEXT_SIZE(BGP_ASPATH_MAX)];

	if (!bgp_decode_update(body, len, ctx, &upd, &err))
		return;
	t = bgp_attr_table_create();
	rib = bgp_rib_create(t, NULL, NULL);
	if (!t || !rib)
		goto out;
	bgp_aspath_format(upd.a.aspath, upd.a.aspath_len, buf, sizeof(buf));
	if (strlen(buf) + 1 >= sizeof(buf))
		__builtin_trap(); /* the text must never be cut (BGP_ASPATH_TEXT_SIZE) */
	if (!ctx->fam[BGP_FAM_V4] && (upd.n_nlri || upd.n_withdrawn))
		__builtin_trap(); /* classic NLRI of a peer without IPv4 unicast are ignored */
	if (!upd.treat_as_withdraw && upd.mp_reach_fam == BGP_FAM_V6 &&
	    (upd.mp_nh[0] == 0xff || (upd.mp_nh[0] == 0xfe && (upd.mp_nh[1] & 0xc0) == 0x80)))
		__builtin_trap(); /* RFC 2545: no multicast or link-local global next hop */
	while (bgp_nlri_next(&upd.withdrawn, BGP_FAM_V4, &p))
		bgp_rib_withdraw(rib, 0, &p);
	if (!upd.treat_as_withdraw && upd.n_nlri) {
		struct bgp_attrs *a = bgp_attrs_intern(t, &upd.a, upd.a.nexthop, 4, 100);

		while (a && bgp_nlri_next(&upd.nlri, BGP_FAM_V4, &p)) {
			bgp_prefix_format(&p, buf, sizeof(buf));
			bgp_rib_update(rib, 0, &p, a, true);
		}
		bgp_attrs_unref(t, a);
	}
	if (!upd.treat_as_withdraw && upd.mp_reach_fam >= 0) {
		struct bgp_attrs *a = bgp_attrs_intern(t, &upd.a, upd.mp_nh, upd.mp_nh_len, 100);

		while (a && bgp_nlri_next(&upd.mp_reach, (enum bgp_fam)upd.mp_reach_fam, &p))
			bgp_rib_update(rib, 1, &p, a, true);
		bgp_attrs_unref(t, a);
	}
	if (upd.mp_unreach_fam >= 0)
		while (bgp_nlri_next(&upd.mp_unreach, (enum bgp_fam)upd.mp_unreach_fam, &p))
			bgp_rib_withdraw(rib, 1, &p);
	bgp_rib_flush(rib, 0, -1);
out:
	bgp_rib_destroy(rib);
	bgp_attr_table_destroy(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t type;
	uint16_t mlen;
	struct bgp_err err;
	struct bgp_peer_ctx ctx = {0};
	const uint8_t *msg, *whole;
	size_t len;

	if (size < 1)
		return 0;
	ctx.as4 = data[0] & 1;
	ctx.ebgp = !(data[0] & 2);
	ctx.peer_as = (data[0] & 4) ? 23456 : 65001;
	ctx.fam[BGP_FAM_V4] = true;
	ctx.fam[BGP_FAM_V6] = !(data[0] & 8);
	ctx.fam[BGP_FAM_V4] = !(data[0] & 16); /* a peer without IPv4 unicast */
	if (data[0] & 32) {		       /* our own addresses known: 10.0.0.1, 2001:db8::1 */
		static const uint8_t l4[4] = {10, 0, 0, 1};
		static const uint8_t l6[16] = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 0,
					       0,    0, 0,   0,	   0, 0, 0, 1};

		ctx.has_local4 = ctx.has_local6 = true;
		memcpy(ctx.local4, l4, 4);
		memcpy(ctx.local6, l6, 16);
	}
	msg = data + 1;
	len = size - 1;
	if (len < BGP_HDR_LEN || !bgp_decode_header(msg, len, &type, &mlen, &err) || mlen > len)
		return 0;
	whole = msg;
	msg += BGP_HDR_LEN;
	len = mlen - BGP_HDR_LEN;
	switch (type) {
	case BGP_MSG_OPEN: {
		struct bgp_open o;
		uint8_t out[256];
		struct bgp_wbuf w;

		if (bgp_decode_open(msg, len, &o, &err)) {
			bgp_wbuf_init(&w, out, sizeof(out));
			bgp_encode_open(&w, &o);
		}
		break;
	}
	case BGP_MSG_UPDATE:
		exercise_update(msg, len, &ctx);
		break;
	case BGP_MSG_NOTIFICATION:
		if (bgp_decode_notification(msg, len, &err))
			(void)bgp_err_subcode_name(err.code, err.subcode);
		break;
	case BGP_MSG_ROUTE_REFRESH: {
		struct bgp_route_refresh rr;

		if (!bgp_decode_route_refresh(whole, mlen, &rr, &err) &&
		    (err.data_len != (mlen < BGP_ERR_DATA_MAX ? mlen : BGP_ERR_DATA_MAX) ||
		     memcmp(err.data, whole, err.data_len) != 0))
			__builtin_trap(); /* RFC 7313 5: the data is the whole message */
		break;
	}
	default:
		break;
	}
	return 0;
}
