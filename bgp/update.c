/*
 * update.c: UPDATE messages and their path attributes (RFC 4271 4.3 and 5,
 * RFC 4760, RFC 6793 four-octet AS, RFC 7606 revised error handling).
 *
 * Error handling follows RFC 7606.  The three outcomes, from mildest:
 *   attribute discard  - the attribute is dropped, the route kept
 *                        (ATOMIC_AGGREGATE, AGGREGATOR, AS4_*, LOCAL_PREF
 *                        from an external peer, duplicates);
 *   treat-as-withdraw  - every NLRI of the message (classic and MP_REACH)
 *                        is withdrawn; the session stays up;
 *   session reset      - only where the NLRI cannot be located or parsed:
 *                        inconsistent field lengths, bad NLRI syntax, bad or
 *                        repeated MP_REACH/MP_UNREACH, and RFC 4271's
 *                        unrecognized well-known attribute.
 * bgp_decode_update() returns false only for a session reset.
 */
#include "bgp/codec.h"

#include <stdio.h>
#include <string.h>

/* Expected flags (optional, transitive) of the attributes we know. */
static bool attr_flags_ok(uint8_t type, uint8_t flags)
{
	uint8_t ot = flags & (BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE);

	switch (type) {
	case BGP_ATTR_ORIGIN:
	case BGP_ATTR_AS_PATH:
	case BGP_ATTR_NEXT_HOP:
	case BGP_ATTR_LOCAL_PREF:
	case BGP_ATTR_ATOMIC_AGGREGATE:
		return ot == BGP_AF_TRANSITIVE;
	case BGP_ATTR_MED:
	case BGP_ATTR_ORIGINATOR_ID:
	case BGP_ATTR_CLUSTER_LIST:
	case BGP_ATTR_MP_REACH:
	case BGP_ATTR_MP_UNREACH:
		return ot == BGP_AF_OPTIONAL;
	default:
		return ot == (BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE);
	}
}

/* Validates AS_PATH segments of as_size-octet ASNs and writes them in
 * 4-octet form.  With allow_confed false, confederation segments are an error;
 * with drop_confed they are skipped (AS4_PATH, RFC 6793 6). */
static bool aspath_parse(struct bgp_cur c, unsigned as_size, bool allow_confed, bool drop_confed,
			 struct bgp_wbuf *out)
{
	while (bgp_cur_left(&c)) {
		uint8_t type, count;
		bool keep = true;

		if (!bgp_cur_u8(&c, &type) || !bgp_cur_u8(&c, &count) || count == 0)
			return false;
		if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET)
			return false;
		if (type >= BGP_AS_CONFED_SEQUENCE) {
			if (drop_confed)
				keep = false;
			else if (!allow_confed)
				return false;
		}
		if (bgp_cur_left(&c) < (size_t)count * as_size)
			return false;
		if (keep) {
			bgp_put_u8(out, type);
			bgp_put_u8(out, count);
		}
		for (unsigned i = 0; i < count; i++) {
			uint32_t as = 0;
			uint16_t as16 = 0;

			if (as_size == 2) {
				bgp_cur_u16(&c, &as16);
				as = as16;
			} else {
				bgp_cur_u32(&c, &as);
			}
			if (keep)
				bgp_put_u32(out, as);
		}
	}
	return !out->overflow;
}

/* Number of ASes for the RFC 6793 merge (AS_SET counts one, confed zero). */
unsigned bgp_aspath_hops(const uint8_t *aspath, size_t len)
{
	struct bgp_cur c;
	unsigned n = 0;
	uint8_t type, count;

	bgp_cur_init(&c, aspath, len);
	while (bgp_cur_u8(&c, &type) && bgp_cur_u8(&c, &count)) {
		if (type == BGP_AS_SEQUENCE)
			n += count;
		else if (type == BGP_AS_SET)
			n += 1;
		if (!bgp_cur_skip(&c, (size_t)count * 4))
			break;
	}
	return n;
}

bool bgp_aspath_contains(const uint8_t *aspath, size_t len, uint32_t as)
{
	struct bgp_cur c;
	uint8_t type, count;

	bgp_cur_init(&c, aspath, len);
	while (bgp_cur_u8(&c, &type) && bgp_cur_u8(&c, &count)) {
		for (unsigned i = 0; i < count; i++) {
			uint32_t a;

			if (!bgp_cur_u32(&c, &a))
				return false;
			if (a == as)
				return true;
		}
	}
	return false;
}

uint32_t bgp_aspath_first(const uint8_t *aspath, size_t len)
{
	struct bgp_cur c;
	uint8_t type, count;
	uint32_t as;

	bgp_cur_init(&c, aspath, len);
	if (!bgp_cur_u8(&c, &type) || !bgp_cur_u8(&c, &count) || type != BGP_AS_SEQUENCE ||
	    !bgp_cur_u32(&c, &as))
		return 0;
	return as;
}

char *bgp_aspath_format(const uint8_t *aspath, size_t len, char *buf, size_t size)
{
	struct bgp_cur c;
	uint8_t type, count;
	size_t o = 0;

	buf[0] = 0;
	bgp_cur_init(&c, aspath, len);
	while (bgp_cur_u8(&c, &type) && bgp_cur_u8(&c, &count)) {
		bool set = type == BGP_AS_SET || type == BGP_AS_CONFED_SET;
		bool confed = type >= BGP_AS_CONFED_SEQUENCE;

		if (o && o < size)
			o += (size_t)snprintf(buf + o, size - o, " ");
		if (o < size && (set || confed))
			o += (size_t)snprintf(buf + o, size - o, "%s",
					      confed ? (set ? "[{" : "(") : "{");
		for (unsigned i = 0; i < count; i++) {
			uint32_t as;

			if (!bgp_cur_u32(&c, &as))
				return buf;
			if (o < size)
				o += (size_t)snprintf(buf + o, size - o, i ? " %u" : "%u", as);
		}
		if (o < size && (set || confed))
			o += (size_t)snprintf(buf + o, size - o, "%s",
					      confed ? (set ? "}]" : ")") : "}");
	}
	return buf;
}

/* RFC 6793 4.2.3: the leading (hops(AS_PATH) - hops(AS4_PATH)) ASes of
 * AS_PATH followed by AS4_PATH.  Writes into *out; false on overflow. */
static bool aspath_merge(const uint8_t *p, size_t plen, const uint8_t *p4, size_t p4len,
			 struct bgp_wbuf *out)
{
	unsigned hp = bgp_aspath_hops(p, plen), h4 = bgp_aspath_hops(p4, p4len);
	unsigned need;
	struct bgp_cur c;
	uint8_t type, count;

	if (hp < h4) {
		bgp_put_bytes(out, p, plen); /* AS4_PATH is ignored */
		return !out->overflow;
	}
	need = hp - h4;
	bgp_cur_init(&c, p, plen);
	while (need && bgp_cur_u8(&c, &type) && bgp_cur_u8(&c, &count)) {
		if (type == BGP_AS_SEQUENCE) {
			unsigned take = count < need ? count : need;

			bgp_put_u8(out, type);
			bgp_put_u8(out, (uint8_t)take);
			for (unsigned i = 0; i < count; i++) {
				uint32_t as = 0;

				bgp_cur_u32(&c, &as);
				if (i < take)
					bgp_put_u32(out, as);
			}
			need -= take;
		} else {
			/* AS_SET counts one; confederation segments count zero and are kept. */
			bgp_put_u8(out, type);
			bgp_put_u8(out, count);
			for (unsigned i = 0; i < count; i++) {
				uint32_t as = 0;

				bgp_cur_u32(&c, &as);
				bgp_put_u32(out, as);
			}
			if (type == BGP_AS_SET)
				need--;
		}
	}
	bgp_put_bytes(out, p4, p4len);
	return !out->overflow;
}

/* An IPv4 next hop (NEXT_HOP or a 4-byte MP_REACH next hop): not 0/8,
 * loopback, multicast or class E (RFC 4271 6.3, RFC 1122 3.2.1.3), and not
 * the receiving speaker's own address (RFC 4271 6.3 a). */
static bool nexthop4_valid(const uint8_t nh[4], const struct bgp_peer_ctx *ctx)
{
	if (nh[0] == 0 || nh[0] == 127 || nh[0] >= 224)
		return false;
	if (ctx->has_local4 && memcmp(nh, ctx->local4, 4) == 0)
		return false;
	return true;
}

static bool ip6_is_linklocal(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; /* fe80::/10 */
}

/* The global next hop of an IPv6 MP_REACH (RFC 2545 3, RFC 4291 2.4): not
 * unspecified, loopback, multicast or link-local (a link-local address is
 * only valid as the second of a 32-byte next hop), an IPv4-mapped address
 * only with a valid IPv4 address, and not the receiving speaker's own. */
static bool nexthop6_valid(const uint8_t a[16], const struct bgp_peer_ctx *ctx)
{
	static const uint8_t zero[16], mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return false; /* :: and ::1 */
	if (a[0] == 0xff || ip6_is_linklocal(a))
		return false;
	if (memcmp(a, mapped, 12) == 0 && !nexthop4_valid(a + 12, ctx))
		return false;
	if (ctx->has_local6 && memcmp(a, ctx->local6, 16) == 0)
		return false;
	return true;
}

static void taw(struct bgp_update *u, const char *why)
{
	if (!u->treat_as_withdraw)
		u->why = why;
	u->treat_as_withdraw = true;
}

static void discard(struct bgp_update *u, const char *why)
{
	u->discarded++;
	if (!u->treat_as_withdraw)
		u->why = why;
}

/* Copies an attribute into *err's data, for NOTIFICATIONs that carry it. */
static void err_attr(struct bgp_err *err, uint8_t code, uint8_t sub, const uint8_t *attr_start,
		     size_t attr_len)
{
	bgp_err_set(err, code, sub, attr_start, attr_len);
}

/* MP_REACH_NLRI (RFC 4760 3).  False means session reset. */
static bool parse_mp_reach(struct bgp_cur v, const struct bgp_peer_ctx *ctx, struct bgp_update *u,
			   struct bgp_err *err)
{
	uint16_t afi;
	uint8_t safi, nhlen, reserved;
	enum bgp_fam fam;

	if (!bgp_cur_u16(&v, &afi) || !bgp_cur_u8(&v, &safi) || !bgp_cur_u8(&v, &nhlen)) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_UPD_OPTIONAL_ATTR, NULL, 0);
		return false;
	}
	if (!bgp_fam_from_afi(afi, safi, &fam) || !ctx->fam[fam]) {
		u->ignored_fam++; /* a family we did not negotiate: ignored (RFC 4760 7) */
		return true;
	}
	if ((fam == BGP_FAM_V4 && nhlen != 4) ||
	    (fam == BGP_FAM_V6 && nhlen != 16 && nhlen != 32) ||
	    !bgp_cur_bytes(&v, u->mp_nh, nhlen) || !bgp_cur_u8(&v, &reserved)) {
		/* RFC 7606 7.11: the NLRI cannot be located reliably. */
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_UPD_OPTIONAL_ATTR, NULL, 0);
		return false;
	}
	u->mp_nh_len = nhlen;
	if (!bgp_nlri_check(v, fam, &u->n_mp_reach)) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_UPD_OPTIONAL_ATTR, NULL, 0);
		return false;
	}
	u->mp_reach = v;
	u->mp_reach_fam = (int)fam;
	return true;
}

static bool parse_mp_unreach(struct bgp_cur v, const struct bgp_peer_ctx *ctx, struct bgp_update *u,
			     struct bgp_err *err)
{
	uint16_t afi;
	uint8_t safi;
	enum bgp_fam fam;

	if (!bgp_cur_u16(&v, &afi) || !bgp_cur_u8(&v, &safi)) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_UPD_OPTIONAL_ATTR, NULL, 0);
		return false;
	}
	if (!bgp_fam_from_afi(afi, safi, &fam) || !ctx->fam[fam]) {
		u->ignored_fam++;
		return true;
	}
	if (!bgp_nlri_check(v, fam, &u->n_mp_unreach)) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_UPD_OPTIONAL_ATTR, NULL, 0);
		return false;
	}
	u->mp_unreach = v;
	u->mp_unreach_fam = (int)fam;
	return true;
}

bool bgp_decode_update(const uint8_t *body, size_t len, const struct bgp_peer_ctx *ctx,
		       struct bgp_update *u, struct bgp_err *err)
{
	struct bgp_cur c, attrs;
	uint16_t wlen, alen;
	uint64_t occurred[4] = {0}; /* every attribute type seen, for duplicates */
	struct bgp_cur aspath_raw = {0}, as4path_raw = {0};
	bool have_as4path = false, have_as4aggr = false;
	uint32_t as4aggr_as = 0;
	uint8_t as4aggr_id[4] = {0};
	unsigned attr_count = 0;

	memset(u, 0, offsetof(struct bgp_update, a));
	u->a.seen = 0;
	u->a.aspath_len = 0;
	u->a.comm_len = u->a.lcomm_len = u->a.extcomm_len = u->a.other_len = 0;
	u->a.comm = u->a.lcomm = u->a.extcomm = NULL;
	u->mp_reach_fam = u->mp_unreach_fam = u->eor_fam = -1;

	bgp_cur_init(&c, body, len);
	if (!bgp_cur_u16(&c, &wlen) || !bgp_cur_sub(&c, wlen, &u->withdrawn) ||
	    !bgp_cur_u16(&c, &alen) || !bgp_cur_sub(&c, alen, &attrs)) {
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_UPD_MALFORMED_LIST, NULL, 0);
		return false;
	}
	bgp_cur_sub(&c, bgp_cur_left(&c), &u->nlri);
	if (!bgp_nlri_check(u->withdrawn, BGP_FAM_V4, &u->n_withdrawn) ||
	    !bgp_nlri_check(u->nlri, BGP_FAM_V4, &u->n_nlri)) {
		/* RFC 7606 5.3: NLRI that cannot be parsed leave no choice. */
		bgp_err_set(err, BGP_ERR_UPDATE, BGP_UPD_BAD_NETWORK, NULL, 0);
		return false;
	}
	if (!ctx->fam[BGP_FAM_V4] && (u->n_withdrawn || u->n_nlri)) {
		/* Classic NLRI are IPv4 unicast: from a peer that did not negotiate
		 * it they are ignored and counted, as MP attributes of a family not
		 * negotiated are (RFC 4760 6 negotiates families; ignoring keeps the
		 * session, as RFC 7606 prefers).  They were syntax-checked above, so
		 * the rest of the message is still located reliably. */
		u->ignored_fam++;
		u->n_withdrawn = u->n_nlri = 0;
		bgp_cur_init(&u->withdrawn, body, 0);
		bgp_cur_init(&u->nlri, body, 0);
	}

	while (bgp_cur_left(&attrs)) {
		const uint8_t *start = bgp_cur_ptr(&attrs);
		uint8_t flags, type, len8;
		uint16_t alen16;
		struct bgp_cur v;

		attr_count++;
		if (!bgp_cur_u8(&attrs, &flags) || !bgp_cur_u8(&attrs, &type)) {
			taw(u, "truncated attribute header");
			break;
		}
		if (flags & BGP_AF_EXTLEN) {
			if (!bgp_cur_u16(&attrs, &alen16)) {
				taw(u, "truncated attribute header");
				break;
			}
		} else {
			if (!bgp_cur_u8(&attrs, &len8)) {
				taw(u, "truncated attribute header");
				break;
			}
			alen16 = len8;
		}
		if (!bgp_cur_sub(&attrs, alen16, &v)) {
			/* RFC 7606 4: rely on Total Path Attribute Length for the NLRI. */
			taw(u, "attribute overruns the path attributes");
			break;
		}
		size_t whole = (size_t)(bgp_cur_ptr(&attrs) - start);

		if ((occurred[type / 64] >> (type % 64)) & 1) {
			if (type == BGP_ATTR_MP_REACH || type == BGP_ATTR_MP_UNREACH) {
				bgp_err_set(err, BGP_ERR_UPDATE, BGP_UPD_MALFORMED_LIST, NULL, 0);
				return false;
			}
			discard(u, "repeated attribute");
			continue;
		}
		occurred[type / 64] |= 1ull << (type % 64);

		bool known = type <= BGP_ATTR_AS4_AGGREGATOR || type == BGP_ATTR_LARGE_COMMUNITIES;
		if (known && type != 11 && type != 12 && type != 13 &&
		    !attr_flags_ok(type, flags)) {
			if (type == BGP_ATTR_MP_REACH || type == BGP_ATTR_MP_UNREACH) {
				err_attr(err, BGP_ERR_UPDATE, BGP_UPD_ATTR_FLAGS, start, whole);
				return false;
			}
			if (type == BGP_ATTR_AS4_PATH || type == BGP_ATTR_AS4_AGGREGATOR ||
			    type == BGP_ATTR_ATOMIC_AGGREGATE || type == BGP_ATTR_AGGREGATOR)
				discard(u, "attribute flags error");
			else
				taw(u, "attribute flags error");
			continue;
		}

		switch (type) {
		case BGP_ATTR_ORIGIN: {
			uint8_t o;

			if (alen16 != 1 || !bgp_cur_u8(&v, &o) || o > BGP_ORIGIN_INCOMPLETE) {
				taw(u, "invalid ORIGIN");
				break;
			}
			u->a.origin = o;
			u->a.seen |= 1ull << type;
			break;
		}
		case BGP_ATTR_AS_PATH:
			aspath_raw = v;
			u->a.seen |= 1ull << type; /* validated after the loop */
			break;
		case BGP_ATTR_NEXT_HOP:
			if (alen16 != 4 || !bgp_cur_bytes(&v, u->a.nexthop, 4)) {
				taw(u, "invalid NEXT_HOP length");
				break;
			}
			u->a.seen |= 1ull << type; /* semantics checked after the loop */
			break;
		case BGP_ATTR_MED:
			if (alen16 != 4 || !bgp_cur_u32(&v, &u->a.med)) {
				taw(u, "invalid MULTI_EXIT_DISC length");
				break;
			}
			u->a.seen |= 1ull << type;
			break;
		case BGP_ATTR_LOCAL_PREF:
			if (ctx->ebgp) {
				discard(u, "LOCAL_PREF from an external peer");
				break;
			}
			if (alen16 != 4 || !bgp_cur_u32(&v, &u->a.local_pref)) {
				taw(u, "invalid LOCAL_PREF length");
				break;
			}
			u->a.seen |= 1ull << type;
			break;
		case BGP_ATTR_ATOMIC_AGGREGATE:
			if (alen16 != 0) {
				discard(u, "invalid ATOMIC_AGGREGATE length");
				break;
			}
			u->a.seen |= 1ull << type;
			break;
		case BGP_ATTR_AGGREGATOR: {
			uint16_t as16;

			if (alen16 != (ctx->as4 ? 8 : 6)) {
				discard(u, "invalid AGGREGATOR length");
				break;
			}
			if (ctx->as4) {
				bgp_cur_u32(&v, &u->a.aggr_as);
			} else {
				bgp_cur_u16(&v, &as16);
				u->a.aggr_as = as16;
			}
			bgp_cur_bytes(&v, u->a.aggr_id, 4);
			u->a.seen |= 1ull << type;
			break;
		}
		case BGP_ATTR_COMMUNITIES:
			if (alen16 == 0 || alen16 % 4) {
				taw(u, "invalid COMMUNITIES length");
				break;
			}
			u->a.comm = bgp_cur_ptr(&v);
			u->a.comm_len = alen16;
			u->a.seen |= 1ull << type;
			break;
		case BGP_ATTR_ORIGINATOR_ID:
		case BGP_ATTR_CLUSTER_LIST:
			/* Route reflection attributes: meaningless from an external peer
			 * (RFC 4456 8) and unused by a speaker that reflects nothing. */
			if (ctx->ebgp) {
				discard(u, "route reflection attribute from an external peer");
				break;
			}
			if ((type == BGP_ATTR_ORIGINATOR_ID && alen16 != 4) ||
			    (type == BGP_ATTR_CLUSTER_LIST && (alen16 == 0 || alen16 % 4))) {
				taw(u, "invalid route reflection attribute");
				break;
			}
			break;
		case BGP_ATTR_MP_REACH:
			if (!parse_mp_reach(v, ctx, u, err))
				return false;
			break;
		case BGP_ATTR_MP_UNREACH:
			if (!parse_mp_unreach(v, ctx, u, err))
				return false;
			break;
		case BGP_ATTR_EXT_COMMUNITIES:
			if (alen16 == 0 || alen16 % 8) {
				taw(u, "invalid EXTENDED COMMUNITIES length");
				break;
			}
			u->a.extcomm = bgp_cur_ptr(&v);
			u->a.extcomm_len = alen16;
			u->a.seen |= 1ull << type;
			break;
		case BGP_ATTR_AS4_PATH:
			if (ctx->as4) {
				discard(u, "AS4_PATH from a four-octet speaker");
				break;
			}
			as4path_raw = v;
			have_as4path = true;
			break;
		case BGP_ATTR_AS4_AGGREGATOR:
			if (ctx->as4) {
				discard(u, "AS4_AGGREGATOR from a four-octet speaker");
				break;
			}
			if (alen16 != 8) {
				discard(u, "invalid AS4_AGGREGATOR length");
				break;
			}
			bgp_cur_u32(&v, &as4aggr_as);
			bgp_cur_bytes(&v, as4aggr_id, 4);
			have_as4aggr = true;
			break;
		case BGP_ATTR_LARGE_COMMUNITIES:
			if (alen16 == 0 || alen16 % 12) {
				taw(u, "invalid LARGE_COMMUNITY length");
				break;
			}
			u->a.lcomm = bgp_cur_ptr(&v);
			u->a.lcomm_len = alen16;
			u->a.seen |= 1ull << type;
			break;
		default:
			if (!(flags & BGP_AF_OPTIONAL)) {
				err_attr(err, BGP_ERR_UPDATE, BGP_UPD_UNKNOWN_WELLKNOWN, start,
					 whole);
				return false;
			}
			if (flags & BGP_AF_TRANSITIVE) {
				/* Kept for re-announcement with the Partial bit set (RFC 4271 5).
				 */
				struct bgp_wbuf o;

				bgp_wbuf_init(&o, u->a.other + u->a.other_len,
					      sizeof(u->a.other) - u->a.other_len);
				bgp_put_u8(&o, flags | BGP_AF_PARTIAL);
				bgp_put_bytes(&o, start + 1, whole - 1);
				if (!o.overflow)
					u->a.other_len = (uint16_t)(u->a.other_len + o.len);
			}
			break;
		}
	}

	/* AS_PATH: validate, convert to 4-octet form, merge AS4_PATH. */
	if (bgp_pattrs_has(&u->a, BGP_ATTR_AS_PATH)) {
		uint8_t tmp[BGP_ASPATH_MAX];
		struct bgp_wbuf w, w4;
		uint8_t tmp4[BGP_MAX_LEN * 2];
		bool ok;

		bgp_wbuf_init(&w, ctx->as4 || !have_as4path ? u->a.aspath : tmp,
			      sizeof(u->a.aspath));
		ok = aspath_parse(aspath_raw, ctx->as4 ? 4 : 2, !ctx->ebgp, false, &w);
		if (!ok) {
			u->a.seen &= ~(1ull << BGP_ATTR_AS_PATH);
			taw(u, "malformed AS_PATH");
		} else if (!ctx->as4 && have_as4path) {
			/* RFC 6793 4.2.3: AGGREGATOR other than AS_TRANS with an
			 * AS4_AGGREGATOR means both AS4 attributes are ignored. */
			bool ignore4 = have_as4aggr && bgp_pattrs_has(&u->a, BGP_ATTR_AGGREGATOR) &&
				       u->a.aggr_as != BGP_AS_TRANS;

			bgp_wbuf_init(&w4, tmp4, sizeof(tmp4));
			if (!ignore4 && !aspath_parse(as4path_raw, 4, false, true, &w4)) {
				discard(u, "malformed AS4_PATH");
				ignore4 = true;
			}
			struct bgp_wbuf m;

			bgp_wbuf_init(&m, u->a.aspath, sizeof(u->a.aspath));
			if (ignore4)
				bgp_put_bytes(&m, tmp, w.len);
			else if (!aspath_merge(tmp, w.len, tmp4, w4.len, &m))
				taw(u, "AS_PATH too long");
			w.len = m.len;
		}
		u->a.aspath_len = (uint16_t)w.len;
		if (ok && ctx->ebgp &&
		    bgp_aspath_first(u->a.aspath, u->a.aspath_len) != ctx->peer_as)
			taw(u, "AS_PATH does not start with the peer's AS");
	}
	if (!ctx->as4 && have_as4aggr && bgp_pattrs_has(&u->a, BGP_ATTR_AGGREGATOR) &&
	    u->a.aggr_as == BGP_AS_TRANS) {
		u->a.aggr_as = as4aggr_as;
		memcpy(u->a.aggr_id, as4aggr_id, 4);
	}

	/* Well-known mandatory attributes, needed only when something is announced. */
	if (!u->treat_as_withdraw && (u->n_nlri || u->mp_reach_fam >= 0)) {
		if (!bgp_pattrs_has(&u->a, BGP_ATTR_ORIGIN) ||
		    !bgp_pattrs_has(&u->a, BGP_ATTR_AS_PATH) ||
		    (u->n_nlri && !bgp_pattrs_has(&u->a, BGP_ATTR_NEXT_HOP)))
			taw(u, "missing well-known attribute");
	}
	/* Next hops (RFC 4271 6.3, RFC 7606 7.3 and 7.11: a semantically wrong
	 * next hop withdraws the routes, the session stays).  NEXT_HOP matters
	 * only with classic NLRI (RFC 4760 3: otherwise it is ignored). */
	if (!u->treat_as_withdraw && u->n_nlri && !nexthop4_valid(u->a.nexthop, ctx))
		taw(u, "invalid NEXT_HOP");
	if (!u->treat_as_withdraw && u->mp_reach_fam == BGP_FAM_V4 &&
	    !nexthop4_valid(u->mp_nh, ctx))
		taw(u, "invalid MP_REACH next hop");
	if (!u->treat_as_withdraw && u->mp_reach_fam == BGP_FAM_V6) {
		if (!nexthop6_valid(u->mp_nh, ctx))
			taw(u, "invalid MP_REACH next hop");
		else if (u->mp_nh_len == 32 && !ip6_is_linklocal(u->mp_nh + 16))
			u->mp_nh_len = 16; /* RFC 2545 3: the second must be link-local; as
					    * FRR does, a second that is not is ignored */
	}

	/* End-of-RIB (RFC 4724 2). */
	if (len == 4 && ctx->fam[BGP_FAM_V4])
		u->eor_fam = BGP_FAM_V4;
	else if (attr_count == 1 && u->mp_unreach_fam >= 0 && u->n_mp_unreach == 0 && wlen == 0 &&
		 u->n_nlri == 0)
		u->eor_fam = u->mp_unreach_fam;
	return true;
}

/* ---- encoding ---- */

static void put_attr_hdr(struct bgp_wbuf *w, uint8_t flags, uint8_t type, size_t len)
{
	if (len > 255) {
		bgp_put_u8(w, flags | BGP_AF_EXTLEN);
		bgp_put_u8(w, type);
		bgp_put_u16(w, (uint16_t)len);
	} else {
		bgp_put_u8(w, flags);
		bgp_put_u8(w, type);
		bgp_put_u8(w, (uint8_t)len);
	}
}

/* AS_PATH in the peer's format, plus AS4_PATH when a 2-octet peer needs it. */
static void put_aspath(struct bgp_wbuf *w, const struct bgp_out_attrs *a, bool as4)
{
	struct bgp_cur c;
	uint8_t type, count;
	bool need4 = false;
	size_t len2 = 0;

	if (as4) {
		put_attr_hdr(w, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, a->aspath_len);
		bgp_put_bytes(w, a->aspath, a->aspath_len);
		return;
	}
	bgp_cur_init(&c, a->aspath, a->aspath_len);
	while (bgp_cur_u8(&c, &type) && bgp_cur_u8(&c, &count)) {
		len2 += 2 + 2u * count;
		for (unsigned i = 0; i < count; i++) {
			uint32_t as = 0;

			bgp_cur_u32(&c, &as);
			need4 |= as > 0xffff;
		}
	}
	put_attr_hdr(w, BGP_AF_TRANSITIVE, BGP_ATTR_AS_PATH, len2);
	bgp_cur_init(&c, a->aspath, a->aspath_len);
	while (bgp_cur_u8(&c, &type) && bgp_cur_u8(&c, &count)) {
		bgp_put_u8(w, type);
		bgp_put_u8(w, count);
		for (unsigned i = 0; i < count; i++) {
			uint32_t as = 0;

			bgp_cur_u32(&c, &as);
			bgp_put_u16(w, as > 0xffff ? (uint16_t)BGP_AS_TRANS : (uint16_t)as);
		}
	}
	if (need4) {
		put_attr_hdr(w, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_AS4_PATH,
			     a->aspath_len);
		bgp_put_bytes(w, a->aspath, a->aspath_len);
	}
}

/* The attributes other than MP_REACH. */
static void put_common_attrs(struct bgp_wbuf *w, enum bgp_fam fam, const struct bgp_out_attrs *a,
			     bool as4)
{
	put_attr_hdr(w, BGP_AF_TRANSITIVE, BGP_ATTR_ORIGIN, 1);
	bgp_put_u8(w, a->origin);
	put_aspath(w, a, as4);
	if (fam == BGP_FAM_V4) {
		put_attr_hdr(w, BGP_AF_TRANSITIVE, BGP_ATTR_NEXT_HOP, 4);
		bgp_put_bytes(w, a->nexthop4, 4);
	}
	if (a->has_med) {
		put_attr_hdr(w, BGP_AF_OPTIONAL, BGP_ATTR_MED, 4);
		bgp_put_u32(w, a->med);
	}
	if (a->has_local_pref) {
		put_attr_hdr(w, BGP_AF_TRANSITIVE, BGP_ATTR_LOCAL_PREF, 4);
		bgp_put_u32(w, a->local_pref);
	}
	if (a->comm_len) {
		put_attr_hdr(w, BGP_AF_OPTIONAL | BGP_AF_TRANSITIVE, BGP_ATTR_COMMUNITIES,
			     a->comm_len);
		bgp_put_bytes(w, a->comm, a->comm_len);
	}
	bgp_put_bytes(w, a->other, a->other_len);
}

size_t bgp_encode_update(struct bgp_wbuf *w, enum bgp_fam fam, const struct bgp_out_attrs *attrs,
			 bool as4, const struct bgp_prefix *p, size_t n, size_t *msglen)
{
	size_t start = w->len, used = 0, limit, alen_at, mplen_at = 0, mpstart = 0;
	uint8_t tmp[BGP_MAX_LEN];
	struct bgp_wbuf common;

	*msglen = 0;
	bgp_wbuf_init(&common, tmp, sizeof(tmp));
	if (attrs)
		put_common_attrs(&common, fam, attrs, as4);
	if (common.overflow)
		return 0;
	/* Never build past one message, nor past the caller's buffer. */
	limit = w->cap - start < BGP_MAX_LEN ? w->cap : start + BGP_MAX_LEN;

	bgp_begin_msg(w, BGP_MSG_UPDATE);
	if (fam == BGP_FAM_V4 && !attrs) {
		size_t wlen_at = w->len;

		bgp_put_u16(w, 0);
		while (used < n && w->len + bgp_nlri_size(&p[used]) + 2 <= limit)
			bgp_nlri_put(w, &p[used++]);
		bgp_patch_u16(w, wlen_at, (uint16_t)(w->len - wlen_at - 2));
		bgp_put_u16(w, 0);
	} else if (fam == BGP_FAM_V4) {
		bgp_put_u16(w, 0);
		bgp_put_u16(w, (uint16_t)common.len);
		bgp_put_bytes(w, tmp, common.len);
		while (used < n && w->len + bgp_nlri_size(&p[used]) <= limit)
			bgp_nlri_put(w, &p[used++]);
	} else {
		bgp_put_u16(w, 0);
		alen_at = w->len;
		bgp_put_u16(w, 0);
		/* MP attribute first (RFC 7606 5.1), always with an extended length. */
		bgp_put_u8(w, BGP_AF_OPTIONAL | BGP_AF_EXTLEN);
		bgp_put_u8(w, attrs ? BGP_ATTR_MP_REACH : BGP_ATTR_MP_UNREACH);
		mplen_at = w->len;
		bgp_put_u16(w, 0);
		mpstart = w->len;
		bgp_put_u16(w, BGP_AFI_IPV6);
		bgp_put_u8(w, BGP_SAFI_UNICAST);
		if (attrs) {
			bgp_put_u8(w, attrs->nexthop6_len);
			bgp_put_bytes(w, attrs->nexthop6, attrs->nexthop6_len);
			bgp_put_u8(w, 0);
		}
		while (used < n && w->len + bgp_nlri_size(&p[used]) + common.len <= limit)
			bgp_nlri_put(w, &p[used++]);
		bgp_patch_u16(w, mplen_at, (uint16_t)(w->len - mpstart));
		bgp_put_bytes(w, tmp, common.len);
		bgp_patch_u16(w, alen_at, (uint16_t)(w->len - alen_at - 2));
	}
	*msglen = bgp_finish_msg(w, start);
	if (!*msglen) {
		w->len = start;
		w->overflow = false;
		return 0;
	}
	return used;
}

size_t bgp_encode_eor(struct bgp_wbuf *w, enum bgp_fam fam)
{
	size_t start = w->len;

	bgp_begin_msg(w, BGP_MSG_UPDATE);
	bgp_put_u16(w, 0);
	if (fam == BGP_FAM_V4) {
		bgp_put_u16(w, 0);
	} else {
		bgp_put_u16(w, 6);
		bgp_put_u8(w, BGP_AF_OPTIONAL);
		bgp_put_u8(w, BGP_ATTR_MP_UNREACH);
		bgp_put_u8(w, 3);
		bgp_put_u16(w, BGP_AFI_IPV6);
		bgp_put_u8(w, BGP_SAFI_UNICAST);
	}
	return bgp_finish_msg(w, start);
}
