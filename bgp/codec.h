/*
 * codec: BGP-4 messages to and from wire bytes (RFC 4271, 4760, 5492, 6793,
 * 2918/7313, 4724, 7606).
 *
 * The codec is pure: no sockets, no clock, no allocation.  Decoders read only
 * through struct bgp_cur, validate everything a later stage relies on, and
 * report a protocol error as a struct bgp_err (the NOTIFICATION the caller
 * should send).  An UPDATE that is malformed in a way RFC 7606 allows the
 * session to survive decodes successfully with treat_as_withdraw set, or with
 * the bad attribute dropped and counted in `discarded`.
 *
 * Files: codec.c (header, OPEN, NOTIFICATION, ROUTE-REFRESH, KEEPALIVE, NLRI)
 * and update.c (UPDATE and its path attributes, decode and encode).
 */
#ifndef OPENVPC_BGP_CODEC_H
#define OPENVPC_BGP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/cursor.h"

#define BGP_MARKER_LEN 16
#define BGP_HDR_LEN 19
#define BGP_MAX_LEN 4096
#define BGP_OPEN_MIN_LEN 29
#define BGP_UPDATE_MIN_LEN 23
#define BGP_KEEPALIVE_LEN 19
#define BGP_NOTIFICATION_MIN_LEN 21
#define BGP_ROUTE_REFRESH_LEN 23
#define BGP_VERSION 4
#define BGP_AS_TRANS 23456u
#define BGP_ASPATH_MAX 8192 /* 4-octet form of the longest AS_PATH a 4096-byte message holds */
#define BGP_OTHER_MAX 4096  /* unknown transitive attributes kept for re-announcement */
/* NOTIFICATION data: all a 4096-byte NOTIFICATION can carry (RFC 4271 4.5),
 * so that, e.g., a whole bad ROUTE-REFRESH fits (RFC 7313 5). */
#define BGP_ERR_DATA_MAX (BGP_MAX_LEN - BGP_NOTIFICATION_MIN_LEN)

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,
};

/* The address families this speaker handles.  Index into per-family arrays. */
enum bgp_fam { BGP_FAM_V4 = 0, BGP_FAM_V6 = 1, BGP_FAM_COUNT = 2 };
#define BGP_AFI_IPV4 1
#define BGP_AFI_IPV6 2
#define BGP_SAFI_UNICAST 1

/* Maps (AFI, SAFI) to a family; returns false for anything we do not speak. */
bool bgp_fam_from_afi(uint16_t afi, uint8_t safi, enum bgp_fam *out);
uint16_t bgp_fam_afi(enum bgp_fam f);
const char *bgp_fam_name(enum bgp_fam f);

/* A prefix as it is on the wire: network byte order, bits past len zero. */
struct bgp_prefix {
	uint8_t fam; /* enum bgp_fam */
	uint8_t len;
	uint8_t addr[16];
};

/* Text form "10.0.0.0/8" or "2001:db8::/32" into buf of >= 50 bytes. */
char *bgp_prefix_format(const struct bgp_prefix *p, char *buf, size_t size);
/* Parses the text form; host bits must be zero. */
bool bgp_prefix_parse(const char *s, struct bgp_prefix *out);
bool bgp_prefix_eq(const struct bgp_prefix *a, const struct bgp_prefix *b);

/* NOTIFICATION error codes and subcodes (RFC 4271 4.5, 4486, 6608, 7313). */
#define BGP_ERR_CODES(X)                                                                           \
	X(HEADER, 1, "Message Header Error")                                                       \
	X(OPEN, 2, "OPEN Message Error")                                                           \
	X(UPDATE, 3, "UPDATE Message Error")                                                       \
	X(HOLD, 4, "Hold Timer Expired")                                                           \
	X(FSM, 5, "Finite State Machine Error")                                                    \
	X(CEASE, 6, "Cease")                                                                       \
	X(ROUTE_REFRESH, 7, "ROUTE-REFRESH Message Error")

enum bgp_err_code {
#define X(name, val, text) BGP_ERR_##name = val,
	BGP_ERR_CODES(X)
#undef X
};

/* Subcodes, per code. */
enum {
	BGP_HDR_NOT_SYNC = 1,
	BGP_HDR_BAD_LEN = 2,
	BGP_HDR_BAD_TYPE = 3,

	BGP_OPEN_BAD_VERSION = 1,
	BGP_OPEN_BAD_AS = 2,
	BGP_OPEN_BAD_ID = 3,
	BGP_OPEN_BAD_OPT = 4,
	BGP_OPEN_BAD_HOLD = 6,
	BGP_OPEN_BAD_CAP = 7,

	BGP_UPD_MALFORMED_LIST = 1,
	BGP_UPD_UNKNOWN_WELLKNOWN = 2,
	BGP_UPD_MISSING_WELLKNOWN = 3,
	BGP_UPD_ATTR_FLAGS = 4,
	BGP_UPD_ATTR_LEN = 5,
	BGP_UPD_BAD_ORIGIN = 6,
	BGP_UPD_BAD_NEXTHOP = 8,
	BGP_UPD_OPTIONAL_ATTR = 9,
	BGP_UPD_BAD_NETWORK = 10,
	BGP_UPD_BAD_ASPATH = 11,

	BGP_FSM_UNSPEC = 0,
	BGP_FSM_IN_OPENSENT = 1,
	BGP_FSM_IN_OPENCONFIRM = 2,
	BGP_FSM_IN_ESTABLISHED = 3,

	BGP_CEASE_MAX_PREFIX = 1,
	BGP_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_CEASE_PEER_DECONF = 3,
	BGP_CEASE_ADMIN_RESET = 4,
	BGP_CEASE_REJECTED = 5,
	BGP_CEASE_CONFIG_CHANGE = 6,
	BGP_CEASE_COLLISION = 7,
	BGP_CEASE_OUT_OF_RESOURCES = 8,

	BGP_RR_BAD_LEN = 1,
};

const char *bgp_err_code_name(uint8_t code);
/* A short name for (code, subcode), e.g. "Cease/maximum number of prefixes reached". */
const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode);

/* A NOTIFICATION to send (or one received).  Plain value: copyable. */
struct bgp_err {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	uint8_t data[BGP_ERR_DATA_MAX];
};

/* Sets code/subcode and copies up to BGP_ERR_DATA_MAX bytes of data. */
void bgp_err_set(struct bgp_err *e, uint8_t code, uint8_t subcode, const void *data, size_t len);

/* The message header.  Decodes the 19 bytes at the start of buf (which holds
 * at least BGP_HDR_LEN bytes) and checks marker, length and type against
 * RFC 4271 6.1, including each type's minimum length.  On error fills *err. */
bool bgp_decode_header(const uint8_t *buf, size_t len, uint8_t *type, uint16_t *msglen,
		       struct bgp_err *err);

/* Writes a header with the length patched in later by bgp_finish_msg(). */
void bgp_begin_msg(struct bgp_wbuf *w, enum bgp_msg_type type);
/* Patches the length field; returns the message length or 0 on overflow. */
size_t bgp_finish_msg(struct bgp_wbuf *w, size_t start);

/* Graceful restart (RFC 4724) flags. */
#define BGP_GR_RESTARTING 0x8 /* R bit in the 4-bit restart flags */
#define BGP_GR_FWD 0x80	      /* F bit per AFI */

/* The contents of an OPEN, with the capabilities we understand. */
struct bgp_open {
	uint8_t version;
	uint16_t my_as16;
	uint16_t hold_time;
	uint32_t bgp_id; /* host order */
	bool as4;	 /* RFC 6793 capability present */
	uint32_t as4_value;
	bool mp[BGP_FAM_COUNT]; /* RFC 4760 capability per family */
	bool route_refresh;	/* RFC 2918 (code 2) or the old code 128 */
	bool enhanced_rr;	/* RFC 7313 */
	bool gr;		/* RFC 4724 capability present */
	uint8_t gr_flags;	/* high 4 bits of the restart flags/time word */
	uint16_t gr_time;	/* seconds, 12 bits */
	bool gr_fam[BGP_FAM_COUNT];
	bool gr_fwd[BGP_FAM_COUNT];
	uint16_t unknown_caps; /* count, for introspection */
	bool any_mp;	       /* peer sent any MP capability (also for families we don't know) */
};

/* The peer's AS: the 4-octet capability value when present, else My AS. */
uint32_t bgp_open_peer_as(const struct bgp_open *o);

/* Decodes an OPEN body (after the header).  Checks version, hold time
 * (0 or >= 3), BGP identifier (not 0, and with AS4 not 0 either), optional
 * parameter syntax and known capability syntax.  Does not check the AS
 * against configuration: the caller does that.  Fills *err on failure. */
bool bgp_decode_open(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_err *err);
/* Encodes a whole OPEN message; My AS is AS_TRANS when as4_value > 65535. */
size_t bgp_encode_open(struct bgp_wbuf *w, const struct bgp_open *o);

size_t bgp_encode_keepalive(struct bgp_wbuf *w);

/* NOTIFICATION: decode the body into *e; encode a whole message. */
bool bgp_decode_notification(const uint8_t *body, size_t len, struct bgp_err *e);
size_t bgp_encode_notification(struct bgp_wbuf *w, const struct bgp_err *e);

/* ROUTE-REFRESH (RFC 2918) with the RFC 7313 subtype in the reserved byte. */
enum bgp_rr_subtype { BGP_RR_REQUEST = 0, BGP_RR_BORR = 1, BGP_RR_EORR = 2 };
struct bgp_route_refresh {
	uint16_t afi;
	uint8_t subtype;
	uint8_t safi;
};
/* Decodes a whole ROUTE-REFRESH message, header included (msg, msglen as
 * bgp_decode_header() framed it).  A body other than 4 bytes is error 7/1
 * with the complete message as the data (RFC 7313 5); a message longer than
 * a NOTIFICATION can carry is cut at BGP_ERR_DATA_MAX. */
bool bgp_decode_route_refresh(const uint8_t *msg, size_t msglen, struct bgp_route_refresh *rr,
			      struct bgp_err *err);
size_t bgp_encode_route_refresh(struct bgp_wbuf *w, enum bgp_fam fam, uint8_t subtype);

/* NLRI (RFC 4271 4.3 / RFC 4760 5): a sequence of (length, prefix bytes).
 * bgp_nlri_check() validates a whole field: each length <= the family width,
 * the bytes present.  bgp_nlri_next() then iterates a checked field; it
 * returns false at the end (or on a field that was not checked).  Host bits
 * set on the wire are cleared (RFC 4271: they are irrelevant). */
bool bgp_nlri_check(struct bgp_cur c, enum bgp_fam fam, uint32_t *count);
bool bgp_nlri_next(struct bgp_cur *c, enum bgp_fam fam, struct bgp_prefix *out);
/* Appends one prefix in NLRI form; false when it does not fit. */
bool bgp_nlri_put(struct bgp_wbuf *w, const struct bgp_prefix *p);
size_t bgp_nlri_size(const struct bgp_prefix *p);

/* ---- UPDATE (update.c) ---- */

/* Path attribute type codes. */
enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_ORIGINATOR_ID = 9,
	BGP_ATTR_CLUSTER_LIST = 10,
	BGP_ATTR_MP_REACH = 14,
	BGP_ATTR_MP_UNREACH = 15,
	BGP_ATTR_EXT_COMMUNITIES = 16,
	BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
	BGP_ATTR_LARGE_COMMUNITIES = 32,
};
#define BGP_AF_OPTIONAL 0x80
#define BGP_AF_TRANSITIVE 0x40
#define BGP_AF_PARTIAL 0x20
#define BGP_AF_EXTLEN 0x10

enum bgp_origin { BGP_ORIGIN_IGP = 0, BGP_ORIGIN_EGP = 1, BGP_ORIGIN_INCOMPLETE = 2 };
enum bgp_seg_type {
	BGP_AS_SET = 1,
	BGP_AS_SEQUENCE = 2,
	BGP_AS_CONFED_SEQUENCE = 3,
	BGP_AS_CONFED_SET = 4
};

/* What the decoder needs to know about the session. */
struct bgp_peer_ctx {
	bool as4; /* both sides sent the 4-octet AS capability */
	bool ebgp;
	uint32_t peer_as;
	bool fam[BGP_FAM_COUNT]; /* families negotiated */
	/* Our own addresses on this session: a next hop equal to one of them is
	 * semantically incorrect (RFC 4271 6.3).  has_local4/6 false: unknown. */
	bool has_local4, has_local6;
	uint8_t local4[4];
	uint8_t local6[16];
};

/* Path attributes of one UPDATE, normalised: AS_PATH in 4-octet form with
 * AS4_PATH merged (RFC 6793 4.2.3).  Variable parts point into the message
 * (borrowed: valid while the message buffer is) or into this struct. */
struct bgp_pattrs {
	uint64_t seen; /* bit t set when attribute type t (< 64) was kept */
	uint8_t origin;
	uint16_t aspath_len;
	uint8_t aspath[BGP_ASPATH_MAX]; /* segments: type, count, count x 4-octet AS */
	uint8_t nexthop[4];
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggr_as;
	uint8_t aggr_id[4];
	const uint8_t *comm; /* borrowed, comm_len % 4 == 0 */
	uint16_t comm_len;
	const uint8_t *lcomm; /* borrowed, lcomm_len % 12 == 0 */
	uint16_t lcomm_len;
	const uint8_t *extcomm; /* borrowed, % 8 == 0 */
	uint16_t extcomm_len;
	uint16_t
	    other_len; /* unknown optional transitive attributes, re-encoded with Partial set */
	uint8_t other[BGP_OTHER_MAX];
};

static inline bool bgp_pattrs_has(const struct bgp_pattrs *a, unsigned type)
{
	return type < 64 && (a->seen >> type) & 1;
}

/* A decoded UPDATE.  Cursors are over validated NLRI fields of the message
 * (borrowed).  fam fields are -1 when the attribute was absent or carried a
 * family that was not negotiated (then it is ignored and counted). */
struct bgp_update {
	struct bgp_cur withdrawn; /* IPv4 */
	struct bgp_cur nlri;	  /* IPv4 */
	int mp_reach_fam;
	struct bgp_cur mp_reach;
	uint8_t mp_nh[32];
	uint8_t mp_nh_len; /* 4, 16 or 32 (32: global, then link-local) */
	int mp_unreach_fam;
	struct bgp_cur mp_unreach;
	uint32_t n_withdrawn, n_nlri, n_mp_reach, n_mp_unreach;
	bool treat_as_withdraw; /* RFC 7606: withdraw every NLRI this message announces */
	const char *why;	/* static text for the log when treat_as_withdraw or discarded */
	uint16_t discarded;	/* attributes dropped ("attribute discard") */
	uint16_t ignored_fam;	/* MP attributes of families not negotiated */
	int eor_fam;		/* End-of-RIB marker for this family, else -1 */
	struct bgp_pattrs a;
};

/* Decodes an UPDATE body.  Returns false when RFC 7606 says the session must
 * be reset, with the NOTIFICATION in *err.  Otherwise *u describes what to do.
 * u is large (~12 KiB): callers keep one, not one per message on a small stack. */
bool bgp_decode_update(const uint8_t *body, size_t len, const struct bgp_peer_ctx *ctx,
		       struct bgp_update *u, struct bgp_err *err);

/* Counts AS numbers in a 4-octet AS_PATH for best path (AS_SET counts one,
 * confederation segments zero: RFC 4271 9.1.2.2 and RFC 5065). */
unsigned bgp_aspath_hops(const uint8_t *aspath, size_t len);
/* True when as appears anywhere in a 4-octet AS_PATH (loop detection,
 * RFC 4271 9.1.2). */
bool bgp_aspath_contains(const uint8_t *aspath, size_t len, uint32_t as);
/* Leftmost AS of the first AS_SEQUENCE, or 0. */
uint32_t bgp_aspath_first(const uint8_t *aspath, size_t len);
/* Text form "65001 65002 {1 2}" into buf (cut when buf is too small). */
char *bgp_aspath_format(const uint8_t *aspath, size_t len, char *buf, size_t size);
/* A buffer of this size always holds the whole text of a len-byte 4-octet
 * AS_PATH: at most 3 characters per byte (" 4294967295" for an AS of 4 bytes,
 * " [{" and "}]" for a segment header of 2), and the NUL. */
#define BGP_ASPATH_TEXT_SIZE(len) (3 * (size_t)(len) + 1)

/* Attributes for one UPDATE we send. */
struct bgp_out_attrs {
	uint8_t origin;
	const uint8_t *aspath; /* 4-octet form, already with our AS prepended when eBGP */
	uint16_t aspath_len;
	uint8_t nexthop4[4];  /* IPv4 NEXT_HOP (IPv4 NLRI) */
	uint8_t nexthop6[32]; /* MP_REACH next hop (IPv6 NLRI): global [+ link-local] */
	uint8_t nexthop6_len; /* 16 or 32 */
	bool has_med;
	uint32_t med;
	bool has_local_pref; /* iBGP only */
	uint32_t local_pref;
	const uint8_t *comm;
	uint16_t comm_len;
	const uint8_t *other; /* pre-encoded extra attributes, appended as they are */
	uint16_t other_len;
};

/* Encodes one UPDATE announcing (or, when attrs is NULL, withdrawing) up to n
 * prefixes of family fam from p.  Returns how many prefixes it consumed (it
 * stops when the message is full) and the message length in *msglen.  For
 * IPv4 it uses the classic fields, for IPv6 MP_REACH/MP_UNREACH.  as4 says
 * whether the peer speaks 4-octet AS: if not, the AS_PATH goes out in 2-octet
 * form with AS_TRANS and an AS4_PATH when needed (RFC 6793 4.2.2). */
size_t bgp_encode_update(struct bgp_wbuf *w, enum bgp_fam fam, const struct bgp_out_attrs *attrs,
			 bool as4, const struct bgp_prefix *p, size_t n, size_t *msglen);
/* Encodes the End-of-RIB marker for a family (RFC 4724 2). */
size_t bgp_encode_eor(struct bgp_wbuf *w, enum bgp_fam fam);

#endif
