/*
 * adjout.c: the Adj-RIB-Out hash set; see adjout.h.
 */
#include "bgp/adjout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FREE_LEN 0xff

static size_t hash(const struct bgp_prefix *p)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	h = (h ^ p->fam) * 1099511628211ull;
	h = (h ^ p->len) * 1099511628211ull;
	for (unsigned i = 0; i < (p->len + 7u) / 8; i++)
		h = (h ^ p->addr[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

void bgp_adjout_init(struct bgp_adjout *s)
{
	memset(s, 0, sizeof(*s));
}

void bgp_adjout_fini(struct bgp_adjout *s)
{
	free(s->slot);
	bgp_adjout_init(s);
}

void bgp_adjout_clear(struct bgp_adjout *s)
{
	for (size_t i = 0; i < s->cap; i++)
		s->slot[i].len = FREE_LEN;
	s->count = 0;
}

/* Index of p, or of the free slot where it would go. */
static size_t find(const struct bgp_adjout *s, const struct bgp_prefix *p)
{
	size_t mask = s->cap - 1, i = hash(p) & mask;

	while (s->slot[i].len != FREE_LEN && !bgp_prefix_eq(&s->slot[i], p))
		i = (i + 1) & mask;
	return i;
}

static bool grow(struct bgp_adjout *s)
{
	size_t cap = s->cap ? s->cap * 2 : 64;
	struct bgp_adjout n = {.slot = malloc(cap * sizeof(*n.slot)), .cap = cap};

	if (!n.slot)
		return false;
	bgp_adjout_clear(&n);
	for (size_t i = 0; i < s->cap; i++) {
		if (s->slot[i].len != FREE_LEN) {
			n.slot[find(&n, &s->slot[i])] = s->slot[i];
			n.count++;
		}
	}
	free(s->slot);
	*s = n;
	return true;
}

bool bgp_adjout_add(struct bgp_adjout *s, const struct bgp_prefix *p)
{
	size_t i;

	if ((s->count + 1) * 2 > s->cap && !grow(s))
		return false;
	i = find(s, p);
	if (s->slot[i].len == FREE_LEN) {
		s->slot[i] = *p;
		s->count++;
	}
	return true;
}

bool bgp_adjout_has(const struct bgp_adjout *s, const struct bgp_prefix *p)
{
	return s->cap && s->slot[find(s, p)].len != FREE_LEN;
}

void bgp_adjout_del(struct bgp_adjout *s, const struct bgp_prefix *p)
{
	size_t mask, i, j;

	if (!s->cap)
		return;
	mask = s->cap - 1;
	i = find(s, p);
	if (s->slot[i].len == FREE_LEN)
		return;
	/* Backward shift: move later members of the probe run into the hole
	 * when their home slot does not lie cyclically in (hole, j]. */
	for (j = (i + 1) & mask; s->slot[j].len != FREE_LEN; j = (j + 1) & mask) {
		size_t home = hash(&s->slot[j]) & mask;

		if (((j - home) & mask) >= ((j - i) & mask)) {
			s->slot[i] = s->slot[j];
			i = j;
		}
	}
	s->slot[i].len = FREE_LEN;
	s->count--;
}
