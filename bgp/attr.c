/*
 * attr.c: the table of interned attribute sets (see attr.h).  A chained hash
 * table that doubles when its load passes one.
 */
#include "bgp/attr.h"

#include <stdlib.h>
#include <string.h>

struct bgp_attr_table {
	struct bgp_attrs **buckets;
	size_t nbuckets; /* power of two */
	size_t count;
	size_t bytes;
};

/* The part of struct bgp_attrs that is content (compared and hashed). */
#define ATTRS_KEY_OFF offsetof(struct bgp_attrs, origin)

static size_t attrs_size(const struct bgp_attrs *a)
{
	return sizeof(*a) + a->nh_len + a->aspath_len + a->comm_len + a->lcomm_len +
	       a->extcomm_len + a->other_len;
}

static uint32_t hash_bytes(const uint8_t *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++) { /* FNV-1a */
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

struct bgp_attr_table *bgp_attr_table_create(void)
{
	struct bgp_attr_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->nbuckets = 256;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	return t;
}

void bgp_attr_table_destroy(struct bgp_attr_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct bgp_attrs *a = t->buckets[i], *n;

		for (; a; a = n) {
			n = a->hnext;
			free(a);
		}
	}
	free(t->buckets);
	free(t);
}

size_t bgp_attr_table_count(const struct bgp_attr_table *t)
{
	return t->count;
}

size_t bgp_attr_table_bytes(const struct bgp_attr_table *t)
{
	return t->bytes + t->nbuckets * sizeof(*t->buckets);
}

static void grow(struct bgp_attr_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct bgp_attrs **b = calloc(nb, sizeof(*b));

	if (!b)
		return; /* keep the longer chains: correct, only slower */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct bgp_attrs *a = t->buckets[i], *n;

		for (; a; a = n) {
			n = a->hnext;
			a->hnext = b[a->hash & (nb - 1)];
			b[a->hash & (nb - 1)] = a;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

struct bgp_attrs *bgp_attrs_intern(struct bgp_attr_table *t, const struct bgp_pattrs *pa,
				   const uint8_t *nh, uint8_t nh_len, uint32_t default_lp)
{
	/* Build the candidate on the stack, sized for the largest possible set. */
	union {
		struct bgp_attrs a;
		uint8_t raw[sizeof(struct bgp_attrs) + 32 + BGP_ASPATH_MAX + BGP_MAX_LEN * 2 +
			    BGP_OTHER_MAX];
	} cand;
	struct bgp_attrs *k = &cand.a, *a;
	uint8_t *d;
	size_t size;

	memset(k, 0, sizeof(*k));
	k->origin = pa->origin;
	k->nh_len = nh_len;
	k->aspath_len = pa->aspath_len;
	k->hops = (uint16_t)bgp_aspath_hops(pa->aspath, pa->aspath_len);
	if (bgp_pattrs_has(pa, BGP_ATTR_MED)) {
		k->flags |= BGP_ATTRS_MED;
		k->med = pa->med;
	}
	k->flags |= BGP_ATTRS_LOCAL_PREF;
	k->local_pref = bgp_pattrs_has(pa, BGP_ATTR_LOCAL_PREF) ? pa->local_pref : default_lp;
	if (bgp_pattrs_has(pa, BGP_ATTR_ATOMIC_AGGREGATE))
		k->flags |= BGP_ATTRS_ATOMIC_AGGR;
	if (bgp_pattrs_has(pa, BGP_ATTR_AGGREGATOR)) {
		k->flags |= BGP_ATTRS_AGGREGATOR;
		k->aggr_as = pa->aggr_as;
		memcpy(k->aggr_id, pa->aggr_id, 4);
	}
	k->comm_len = pa->comm_len;
	k->lcomm_len = pa->lcomm_len;
	k->extcomm_len = pa->extcomm_len;
	k->other_len = pa->other_len;
	d = k->data;
	memcpy(d, nh, nh_len);
	d += nh_len;
	memcpy(d, pa->aspath, pa->aspath_len);
	d += pa->aspath_len;
	if (pa->comm_len)
		memcpy(d, pa->comm, pa->comm_len);
	d += pa->comm_len;
	if (pa->lcomm_len)
		memcpy(d, pa->lcomm, pa->lcomm_len);
	d += pa->lcomm_len;
	if (pa->extcomm_len)
		memcpy(d, pa->extcomm, pa->extcomm_len);
	d += pa->extcomm_len;
	memcpy(d, pa->other, pa->other_len);

	size = attrs_size(k);
	k->hash = hash_bytes((const uint8_t *)k + ATTRS_KEY_OFF, size - ATTRS_KEY_OFF, 2166136261u);
	for (a = t->buckets[k->hash & (t->nbuckets - 1)]; a; a = a->hnext) {
		if (a->hash == k->hash && attrs_size(a) == size &&
		    memcmp((const uint8_t *)a + ATTRS_KEY_OFF, (const uint8_t *)k + ATTRS_KEY_OFF,
			   size - ATTRS_KEY_OFF) == 0) {
			a->refcnt++;
			return a;
		}
	}
	a = malloc(size);
	if (!a)
		return NULL;
	memcpy(a, k, size);
	a->refcnt = 1;
	if (t->count >= t->nbuckets)
		grow(t);
	a->hnext = t->buckets[a->hash & (t->nbuckets - 1)];
	t->buckets[a->hash & (t->nbuckets - 1)] = a;
	t->count++;
	t->bytes += size;
	return a;
}

void bgp_attrs_ref(struct bgp_attrs *a)
{
	a->refcnt++;
}

void bgp_attrs_unref(struct bgp_attr_table *t, struct bgp_attrs *a)
{
	struct bgp_attrs **pp;

	if (!a || --a->refcnt)
		return;
	for (pp = &t->buckets[a->hash & (t->nbuckets - 1)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == a) {
			*pp = a->hnext;
			break;
		}
	}
	t->count--;
	t->bytes -= attrs_size(a);
	free(a);
}
