/*
 * cursor: the only way BGP code reads or writes wire bytes.
 *
 * A peer controls every byte of a BGP message, so no parser in bgp/ does
 * pointer arithmetic on wire data.  A reader (struct bgp_cur) remembers the
 * buffer, its length and the position; every get checks that enough bytes
 * remain and returns false (leaving the cursor where it was) when they do not.
 * A sub-cursor carves out a length-delimited field so that the field's parser
 * cannot read past its end even when it is wrong about the contents.
 *
 * A writer (struct bgp_wbuf) appends to a fixed buffer and latches an
 * overflow flag instead of writing past the end; encoders check the flag once
 * at the end.  Multi-byte values are big-endian on the wire.
 *
 * Everything here is inline and allocation-free.
 */
#ifndef OPENVPC_BGP_CURSOR_H
#define OPENVPC_BGP_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bgp_cur {
	const uint8_t *buf; /* borrowed */
	size_t len;
	size_t pos;
};

static inline void bgp_cur_init(struct bgp_cur *c, const uint8_t *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->pos = 0;
}

static inline size_t bgp_cur_left(const struct bgp_cur *c)
{
	return c->len - c->pos;
}

/* Pointer to the current position: only for handing a span to another cursor
 * or for copying out a whole field already length-checked. */
static inline const uint8_t *bgp_cur_ptr(const struct bgp_cur *c)
{
	return c->buf + c->pos;
}

static inline bool bgp_cur_u8(struct bgp_cur *c, uint8_t *v)
{
	if (bgp_cur_left(c) < 1)
		return false;
	*v = c->buf[c->pos++];
	return true;
}

static inline bool bgp_cur_peek_u8(const struct bgp_cur *c, uint8_t *v)
{
	if (bgp_cur_left(c) < 1)
		return false;
	*v = c->buf[c->pos];
	return true;
}

static inline bool bgp_cur_u16(struct bgp_cur *c, uint16_t *v)
{
	if (bgp_cur_left(c) < 2)
		return false;
	*v = (uint16_t)((c->buf[c->pos] << 8) | c->buf[c->pos + 1]);
	c->pos += 2;
	return true;
}

static inline bool bgp_cur_u32(struct bgp_cur *c, uint32_t *v)
{
	if (bgp_cur_left(c) < 4)
		return false;
	*v = ((uint32_t)c->buf[c->pos] << 24) | ((uint32_t)c->buf[c->pos + 1] << 16) |
	     ((uint32_t)c->buf[c->pos + 2] << 8) | (uint32_t)c->buf[c->pos + 3];
	c->pos += 4;
	return true;
}

/* Copies n bytes into out (out may be NULL to skip). */
static inline bool bgp_cur_bytes(struct bgp_cur *c, void *out, size_t n)
{
	if (bgp_cur_left(c) < n)
		return false;
	if (out && n)
		memcpy(out, c->buf + c->pos, n);
	c->pos += n;
	return true;
}

static inline bool bgp_cur_skip(struct bgp_cur *c, size_t n)
{
	return bgp_cur_bytes(c, NULL, n);
}

/* Carves the next n bytes into *sub and advances past them. */
static inline bool bgp_cur_sub(struct bgp_cur *c, size_t n, struct bgp_cur *sub)
{
	if (bgp_cur_left(c) < n)
		return false;
	bgp_cur_init(sub, c->buf + c->pos, n);
	c->pos += n;
	return true;
}

struct bgp_wbuf {
	uint8_t *buf; /* borrowed */
	size_t cap;
	size_t len;
	bool overflow;
};

static inline void bgp_wbuf_init(struct bgp_wbuf *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

static inline bool bgp_wbuf_room(const struct bgp_wbuf *w, size_t n)
{
	return !w->overflow && w->cap - w->len >= n;
}

static inline void bgp_put_u8(struct bgp_wbuf *w, uint8_t v)
{
	if (!bgp_wbuf_room(w, 1)) {
		w->overflow = true;
		return;
	}
	w->buf[w->len++] = v;
}

static inline void bgp_put_u16(struct bgp_wbuf *w, uint16_t v)
{
	if (!bgp_wbuf_room(w, 2)) {
		w->overflow = true;
		return;
	}
	w->buf[w->len++] = (uint8_t)(v >> 8);
	w->buf[w->len++] = (uint8_t)v;
}

static inline void bgp_put_u32(struct bgp_wbuf *w, uint32_t v)
{
	if (!bgp_wbuf_room(w, 4)) {
		w->overflow = true;
		return;
	}
	w->buf[w->len++] = (uint8_t)(v >> 24);
	w->buf[w->len++] = (uint8_t)(v >> 16);
	w->buf[w->len++] = (uint8_t)(v >> 8);
	w->buf[w->len++] = (uint8_t)v;
}

static inline void bgp_put_bytes(struct bgp_wbuf *w, const void *p, size_t n)
{
	if (!bgp_wbuf_room(w, n)) {
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
}

/* Patches a 16-bit value at an earlier offset (a length field written before
 * its contents were known).  The offset must be one this writer produced. */
static inline void bgp_patch_u16(struct bgp_wbuf *w, size_t at, uint16_t v)
{
	if (at + 2 > w->len) {
		w->overflow = true;
		return;
	}
	w->buf[at] = (uint8_t)(v >> 8);
	w->buf[at + 1] = (uint8_t)v;
}

#endif
