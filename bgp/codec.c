/*
 * codec.c: message framing, OPEN with capabilities, NOTIFICATION,
 * KEEPALIVE, ROUTE-REFRESH and NLRI fields.  See codec.h for the contract;
 * UPDATE and path attributes live in update.c.
 */
#include "bgp/codec.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool bgp_fam_from_afi(uint16_t afi, uint8_t safi, enum bgp_fam *out)
{
	if (safi != BGP_SAFI_UNICAST)
		return false;
	if (afi == BGP_AFI_IPV4)
		*out = BGP_FAM_V4;
	else if (afi == BGP_AFI_IPV6)
		*out = BGP_FAM_V6;
	else
		return false;
	return true;
}

uint16_t bgp_fam_afi(enum bgp_fam f)
{
	return f == BGP_FAM_V6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

const char *bgp_fam_name(enum bgp_fam f)
{
	return f == BGP_FAM_V6 ? "ipv6-unicast" : "ipv4-unicast";
}

static unsigned fam_bits(unsigned fam)
{
	return fam == BGP_FAM_V6 ? 128 : 32;
}

char *bgp_prefix_format(const struct bgp_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->fam == BGP_FAM_V6 ? AF_INET6 : AF_INET, p->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
	return buf;
}

bool bgp_prefix_parse(const char *s, struct bgp_prefix *out)
{
	char tmp[64];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long len;
	size_t n;

	if (!slash || (n = (size_t)(slash - s)) >= sizeof(tmp) || n == 0)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, tmp, out->addr) == 1)
		out->fam = BGP_FAM_V4;
	else if (inet_pton(AF_INET6, tmp, out->addr) == 1)
		out->fam = BGP_FAM_V6;
	else
		return false;
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	len = strtoul(slash + 1, &end, 10);
	if (*end || len > fam_bits(out->fam))
		return false;
	out->len = (uint8_t)len;
	for (unsigned bit = out->len; bit < fam_bits(out->fam); bit++)
		if (out->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

bool bgp_prefix_eq(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->fam == b->fam && a->len == b->len &&
	       memcmp(a->addr, b->addr, a->fam == BGP_FAM_V6 ? 16 : 4) == 0;
}

const char *bgp_err_code_name(uint8_t code)
{
	switch (code) {
#define X(name, val, text)                                                                         \
	case val:                                                                                  \
		return text;
		BGP_ERR_CODES(X)
#undef X
	}
	return "Unknown error";
}

const char *bgp_err_subcode_name(uint8_t code, uint8_t sub)
{
	static const char *const hdr[] = {"unspecific", "connection not synchronized",
					  "bad message length", "bad message type"};
	static const char *const open[] = {"unspecific",
					   "unsupported version number",
					   "bad peer AS",
					   "bad BGP identifier",
					   "unsupported optional parameter",
					   "deprecated",
					   "unacceptable hold time",
					   "unsupported capability"};
	static const char *const upd[] = {"unspecific",
					  "malformed attribute list",
					  "unrecognized well-known attribute",
					  "missing well-known attribute",
					  "attribute flags error",
					  "attribute length error",
					  "invalid ORIGIN attribute",
					  "deprecated",
					  "invalid NEXT_HOP attribute",
					  "optional attribute error",
					  "invalid network field",
					  "malformed AS_PATH"};
	static const char *const fsm[] = {"unspecific", "unexpected message in OpenSent",
					  "unexpected message in OpenConfirm",
					  "unexpected message in Established"};
	static const char *const cease[] = {"unspecific",
					    "maximum number of prefixes reached",
					    "administrative shutdown",
					    "peer de-configured",
					    "administrative reset",
					    "connection rejected",
					    "other configuration change",
					    "connection collision resolution",
					    "out of resources"};
#define PICK(tab) return sub < sizeof(tab) / sizeof(tab[0]) ? tab[sub] : "unknown subcode"
	switch (code) {
	case BGP_ERR_HEADER:
		PICK(hdr);
	case BGP_ERR_OPEN:
		PICK(open);
	case BGP_ERR_UPDATE:
		PICK(upd);
	case BGP_ERR_FSM:
		PICK(fsm);
	case BGP_ERR_CEASE:
		PICK(cease);
	case BGP_ERR_ROUTE_REFRESH:
		return sub == BGP_RR_BAD_LEN ? "invalid message length" : "unknown subcode";
	default:
		return sub == 0 ? "unspecific" : "unknown subcode";
	}
#undef PICK
}

void bgp_err_set(struct bgp_err *e, uint8_t code, uint8_t subcode, const void *data, size_t len)
{
	e->code = code;
	e->subcode = subcode;
	if (len > BGP_ERR_DATA_MAX)
		len = BGP_ERR_DATA_MAX; /* more than a NOTIFICATION can carry */
	e->data_len = (uint16_t)len;
	if (len)
		memcpy(e->data, data, len);
}

static void err_u16(struct bgp_err *e, uint8_t code, uint8_t sub, uint16_t v)
{
	uint8_t d[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	bgp_err_set(e, code, sub, d, 2);
}

bool bgp_decode_header(const uint8_t *buf, size_t len, uint8_t *type, uint16_t *msglen,
		       struct bgp_err *err)
{
	struct bgp_cur c;
	uint8_t marker[BGP_MARKER_LEN];
	uint16_t l;
	uint8_t t;
	uint16_t min;

	bgp_cur_init(&c, buf, len);
	if (!bgp_cur_bytes(&c, marker, sizeof(marker)) || !bgp_cur_u16(&c, &l) ||
	    !bgp_cur_u8(&c, &t)) {
		bgp_err_set(err, BGP_ERR_HEADER, BGP_HDR_BAD_LEN, NULL, 0);
		return false;
	}
	for (size_t i = 0; i < sizeof(marker); i++) {
		if (marker[i] != 0xff) {
			bgp_err_set(err, BGP_ERR_HEADER, BGP_HDR_NOT_SYNC, NULL, 0);
			return false;
		}
	}
	if (l < BGP_HDR_LEN || l > BGP_MAX_LEN) {
		err_u16(err, BGP_ERR_HEADER, BGP_HDR_BAD_LEN, l);
		return false;
	}
	switch (t) {
	case BGP_MSG_OPEN:
		min = BGP_OPEN_MIN_LEN;
		break;
	case BGP_MSG_UPDATE:
		min = BGP_UPDATE_MIN_LEN;
		break;
	case BGP_MSG_NOTIFICATION:
		min = BGP_NOTIFICATION_MIN_LEN;
		break;
	case BGP_MSG_KEEPALIVE:
		min = BGP_KEEPALIVE_LEN;
		if (l != BGP_KEEPALIVE_LEN) {
			err_u16(err, BGP_ERR_HEADER, BGP_HDR_BAD_LEN, l);
			return false;
		}
		break;
	case BGP_MSG_ROUTE_REFRESH:
		min = BGP_HDR_LEN; /* a wrong length is a ROUTE-REFRESH error (RFC 7313 5) */
		break;
	default:
		bgp_err_set(err, BGP_ERR_HEADER, BGP_HDR_BAD_TYPE, &t, 1);
		return false;
	}
	if (l < min) {
		err_u16(err, BGP_ERR_HEADER, BGP_HDR_BAD_LEN, l);
		return false;
	}
	*type = t;
	*msglen = l;
	return true;
}

void bgp_begin_msg(struct bgp_wbuf *w, enum bgp_msg_type type)
{
	static const uint8_t marker[BGP_MARKER_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						       0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						       0xff, 0xff, 0xff, 0xff};

	bgp_put_bytes(w, marker, sizeof(marker));
	bgp_put_u16(w, 0);
	bgp_put_u8(w, (uint8_t)type);
}

size_t bgp_finish_msg(struct bgp_wbuf *w, size_t start)
{
	size_t n = w->len - start;

	if (w->overflow || n > BGP_MAX_LEN)
		return 0;
	bgp_patch_u16(w, start + BGP_MARKER_LEN, (uint16_t)n);
	return w->overflow ? 0 : n;
}

uint32_t bgp_open_peer_as(const struct bgp_open *o)
{
	return o->as4 ? o->as4_value : o->my_as16;
}

/* Parses the capabilities inside one Capabilities optional parameter. */
static bool decode_caps(struct bgp_cur c, struct bgp_open *o, struct bgp_err *err)
{
	while (bgp_cur_left(&c)) {
		uint8_t code, len;
		struct bgp_cur v;
		uint16_t afi;
		uint8_t res, safi;
		enum bgp_fam fam;

		if (!bgp_cur_u8(&c, &code) || !bgp_cur_u8(&c, &len) || !bgp_cur_sub(&c, len, &v))
			goto bad;
		switch (code) {
		case 1: /* multiprotocol */
			if (len != 4 || !bgp_cur_u16(&v, &afi) || !bgp_cur_u8(&v, &res) ||
			    !bgp_cur_u8(&v, &safi))
				goto bad;
			o->any_mp = true;
			if (bgp_fam_from_afi(afi, safi, &fam))
				o->mp[fam] = true;
			break;
		case 2:
		case 128:
			if (len != 0)
				goto bad;
			o->route_refresh = true;
			break;
		case 64: { /* graceful restart */
			uint16_t word;

			if (len < 2 || (len - 2) % 4 != 0 || !bgp_cur_u16(&v, &word))
				goto bad;
			o->gr = true;
			o->gr_flags = (uint8_t)(word >> 12);
			o->gr_time = word & 0x0fff;
			while (bgp_cur_left(&v)) {
				uint8_t flags;

				if (!bgp_cur_u16(&v, &afi) || !bgp_cur_u8(&v, &safi) ||
				    !bgp_cur_u8(&v, &flags))
					goto bad;
				if (bgp_fam_from_afi(afi, safi, &fam)) {
					o->gr_fam[fam] = true;
					o->gr_fwd[fam] = (flags & BGP_GR_FWD) != 0;
				}
			}
			break;
		}
		case 65:
			if (len != 4 || !bgp_cur_u32(&v, &o->as4_value))
				goto bad;
			o->as4 = true;
			break;
		case 70:
			if (len != 0)
				goto bad;
			o->enhanced_rr = true;
			break;
		default:
			o->unknown_caps++;
			break;
		}
	}
	return true;
bad:
	bgp_err_set(err, BGP_ERR_OPEN, 0, NULL, 0);
	return false;
}

bool bgp_decode_open(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_err *err)
{
	struct bgp_cur c, params;
	uint8_t optlen;
	uint32_t id;
	bool extended = false;

	memset(o, 0, sizeof(*o));
	bgp_cur_init(&c, body, len);
	if (!bgp_cur_u8(&c, &o->version) || !bgp_cur_u16(&c, &o->my_as16) ||
	    !bgp_cur_u16(&c, &o->hold_time) || !bgp_cur_u32(&c, &id) || !bgp_cur_u8(&c, &optlen)) {
		err_u16(err, BGP_ERR_HEADER, BGP_HDR_BAD_LEN, (uint16_t)(len + BGP_HDR_LEN));
		return false;
	}
	o->bgp_id = id;
	if (o->version != BGP_VERSION) {
		err_u16(err, BGP_ERR_OPEN, BGP_OPEN_BAD_VERSION, BGP_VERSION);
		return false;
	}
	/* RFC 9072: an Optional Parameters Length of 255 followed by type 255
	 * announces the extended form with 2-octet lengths. */
	if (optlen == 255 && bgp_cur_left(&c) >= 3 && bgp_cur_ptr(&c)[0] == 255) {
		uint16_t elen;
		uint8_t t;

		extended = true;
		if (!bgp_cur_u8(&c, &t) || !bgp_cur_u16(&c, &elen) || elen != bgp_cur_left(&c)) {
			bgp_err_set(err, BGP_ERR_OPEN, 0, NULL, 0);
			return false;
		}
		bgp_cur_sub(&c, elen, &params);
	} else if (optlen != bgp_cur_left(&c) || !bgp_cur_sub(&c, optlen, &params)) {
		bgp_err_set(err, BGP_ERR_OPEN, 0, NULL, 0);
		return false;
	}
	while (bgp_cur_left(&params)) {
		uint8_t ptype;
		uint16_t plen;
		uint8_t plen8;
		struct bgp_cur pv;

		if (!bgp_cur_u8(&params, &ptype)) {
			bgp_err_set(err, BGP_ERR_OPEN, 0, NULL, 0);
			return false;
		}
		if (extended) {
			if (!bgp_cur_u16(&params, &plen)) {
				bgp_err_set(err, BGP_ERR_OPEN, 0, NULL, 0);
				return false;
			}
		} else {
			if (!bgp_cur_u8(&params, &plen8)) {
				bgp_err_set(err, BGP_ERR_OPEN, 0, NULL, 0);
				return false;
			}
			plen = plen8;
		}
		if (!bgp_cur_sub(&params, plen, &pv)) {
			bgp_err_set(err, BGP_ERR_OPEN, 0, NULL, 0);
			return false;
		}
		if (ptype != 2) {
			bgp_err_set(err, BGP_ERR_OPEN, BGP_OPEN_BAD_OPT, NULL, 0);
			return false;
		}
		if (!decode_caps(pv, o, err))
			return false;
	}
	if (o->hold_time == 1 || o->hold_time == 2) {
		bgp_err_set(err, BGP_ERR_OPEN, BGP_OPEN_BAD_HOLD, NULL, 0);
		return false;
	}
	if (id == 0) {
		bgp_err_set(err, BGP_ERR_OPEN, BGP_OPEN_BAD_ID, NULL, 0);
		return false;
	}
	if (bgp_open_peer_as(o) == 0 || (o->as4 && o->my_as16 == 0)) {
		bgp_err_set(err, BGP_ERR_OPEN, BGP_OPEN_BAD_AS, NULL, 0);
		return false;
	}
	/* RFC 4760 8: a speaker that sends no MP capability speaks IPv4 unicast. */
	if (!o->any_mp)
		o->mp[BGP_FAM_V4] = true;
	return true;
}

size_t bgp_encode_open(struct bgp_wbuf *w, const struct bgp_open *o)
{
	size_t start = w->len, optlen_at, caps_at, paramlen_at;

	bgp_begin_msg(w, BGP_MSG_OPEN);
	bgp_put_u8(w, BGP_VERSION);
	bgp_put_u16(w, o->as4_value > 0xffff ? (uint16_t)BGP_AS_TRANS : (uint16_t)o->as4_value);
	bgp_put_u16(w, o->hold_time);
	bgp_put_u32(w, o->bgp_id);
	optlen_at = w->len;
	bgp_put_u8(w, 0);
	bgp_put_u8(w, 2); /* Capabilities parameter */
	paramlen_at = w->len;
	bgp_put_u8(w, 0);
	caps_at = w->len;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		if (!o->mp[f])
			continue;
		bgp_put_u8(w, 1);
		bgp_put_u8(w, 4);
		bgp_put_u16(w, bgp_fam_afi((enum bgp_fam)f));
		bgp_put_u8(w, 0);
		bgp_put_u8(w, BGP_SAFI_UNICAST);
	}
	if (o->route_refresh) {
		bgp_put_u8(w, 2);
		bgp_put_u8(w, 0);
	}
	if (o->enhanced_rr) {
		bgp_put_u8(w, 70);
		bgp_put_u8(w, 0);
	}
	if (o->gr) {
		uint8_t n = 0;

		for (int f = 0; f < BGP_FAM_COUNT; f++)
			n += o->gr_fam[f];
		bgp_put_u8(w, 64);
		bgp_put_u8(w, (uint8_t)(2 + 4 * n));
		bgp_put_u16(
		    w, (uint16_t)(((unsigned)(o->gr_flags & 0xf) << 12) | (o->gr_time & 0x0fff)));
		for (int f = 0; f < BGP_FAM_COUNT; f++) {
			if (!o->gr_fam[f])
				continue;
			bgp_put_u16(w, bgp_fam_afi((enum bgp_fam)f));
			bgp_put_u8(w, BGP_SAFI_UNICAST);
			bgp_put_u8(w, o->gr_fwd[f] ? BGP_GR_FWD : 0);
		}
	}
	if (o->as4) {
		bgp_put_u8(w, 65);
		bgp_put_u8(w, 4);
		bgp_put_u32(w, o->as4_value);
	}
	if (w->overflow)
		return 0;
	/* Our capabilities are a few dozen bytes: the 1-octet lengths hold them. */
	w->buf[paramlen_at] = (uint8_t)(w->len - caps_at);
	w->buf[optlen_at] = (uint8_t)(w->len - paramlen_at + 1);
	return bgp_finish_msg(w, start);
}

size_t bgp_encode_keepalive(struct bgp_wbuf *w)
{
	size_t start = w->len;

	bgp_begin_msg(w, BGP_MSG_KEEPALIVE);
	return bgp_finish_msg(w, start);
}

bool bgp_decode_notification(const uint8_t *body, size_t len, struct bgp_err *e)
{
	struct bgp_cur c;
	uint8_t code, sub;

	bgp_cur_init(&c, body, len);
	if (!bgp_cur_u8(&c, &code) || !bgp_cur_u8(&c, &sub))
		return false;
	bgp_err_set(e, code, sub, bgp_cur_ptr(&c), bgp_cur_left(&c));
	return true;
}

size_t bgp_encode_notification(struct bgp_wbuf *w, const struct bgp_err *e)
{
	size_t start = w->len;

	bgp_begin_msg(w, BGP_MSG_NOTIFICATION);
	bgp_put_u8(w, e->code);
	bgp_put_u8(w, e->subcode);
	bgp_put_bytes(w, e->data, e->data_len);
	return bgp_finish_msg(w, start);
}

bool bgp_decode_route_refresh(const uint8_t *msg, size_t msglen, struct bgp_route_refresh *rr,
			      struct bgp_err *err)
{
	struct bgp_cur c;

	bgp_cur_init(&c, msg, msglen);
	if (msglen != BGP_ROUTE_REFRESH_LEN || !bgp_cur_skip(&c, BGP_HDR_LEN) ||
	    !bgp_cur_u16(&c, &rr->afi) || !bgp_cur_u8(&c, &rr->subtype) ||
	    !bgp_cur_u8(&c, &rr->safi)) {
		/* RFC 7313 5: the data is the complete message, header included. */
		bgp_err_set(err, BGP_ERR_ROUTE_REFRESH, BGP_RR_BAD_LEN, msg, msglen);
		return false;
	}
	return true;
}

size_t bgp_encode_route_refresh(struct bgp_wbuf *w, enum bgp_fam fam, uint8_t subtype)
{
	size_t start = w->len;

	bgp_begin_msg(w, BGP_MSG_ROUTE_REFRESH);
	bgp_put_u16(w, bgp_fam_afi(fam));
	bgp_put_u8(w, subtype);
	bgp_put_u8(w, BGP_SAFI_UNICAST);
	return bgp_finish_msg(w, start);
}

bool bgp_nlri_check(struct bgp_cur c, enum bgp_fam fam, uint32_t *count)
{
	uint32_t n = 0;

	while (bgp_cur_left(&c)) {
		uint8_t plen;

		if (!bgp_cur_u8(&c, &plen) || plen > fam_bits(fam) ||
		    !bgp_cur_skip(&c, (plen + 7u) / 8))
			return false;
		n++;
	}
	if (count)
		*count = n;
	return true;
}

bool bgp_nlri_next(struct bgp_cur *c, enum bgp_fam fam, struct bgp_prefix *out)
{
	uint8_t plen;
	size_t nbytes;

	if (!bgp_cur_peek_u8(c, &plen) || plen > fam_bits(fam) ||
	    bgp_cur_left(c) < 1 + (plen + 7u) / 8)
		return false;
	bgp_cur_u8(c, &plen);
	nbytes = (plen + 7u) / 8;
	memset(out, 0, sizeof(*out));
	out->fam = (uint8_t)fam;
	out->len = plen;
	bgp_cur_bytes(c, out->addr, nbytes);
	if (plen % 8)
		out->addr[nbytes - 1] &= (uint8_t)(0xff << (8 - plen % 8));
	return true;
}

size_t bgp_nlri_size(const struct bgp_prefix *p)
{
	return 1 + (p->len + 7u) / 8;
}

bool bgp_nlri_put(struct bgp_wbuf *w, const struct bgp_prefix *p)
{
	size_t n = bgp_nlri_size(p);

	if (!bgp_wbuf_room(w, n))
		return false;
	bgp_put_u8(w, p->len);
	bgp_put_bytes(w, p->addr, n - 1);
	return true;
}
