/*
 * Unit tests of bgp/decision.c (each step of the decision process), bgp/rib.c
 * (counts, best-path reporting, stale marking, against a simple reference
 * under random operations) and bgp/attr.c (interning).  ER-3: two sessions
 * to the same customer network, the best (or both, multipath) wins.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/attr.h"
#include "bgp/decision.h"
#include "bgp/rib.h"

static struct bgp_attr_table *T;

static void setup(void)
{
	T = bgp_attr_table_create();
}

static void teardown(void)
{
	bgp_attr_table_destroy(T);
}

/* Attributes with an AS_PATH of `hops` copies of first_as. */
static struct bgp_attrs *mk(uint32_t first_as, unsigned hops, uint8_t origin, int med, uint32_t lp)
{
	static struct bgp_pattrs pa;
	uint8_t nh[4] = {192, 0, 2, 1};

	memset(&pa, 0, offsetof(struct bgp_pattrs, other));
	pa.origin = origin;
	pa.seen = 1ull << BGP_ATTR_ORIGIN | 1ull << BGP_ATTR_AS_PATH;
	if (hops) {
		pa.aspath[0] = BGP_AS_SEQUENCE;
		pa.aspath[1] = (uint8_t)hops;
		for (unsigned i = 0; i < hops; i++) {
			pa.aspath[2 + 4 * i] = (uint8_t)(first_as >> 24);
			pa.aspath[3 + 4 * i] = (uint8_t)(first_as >> 16);
			pa.aspath[4 + 4 * i] = (uint8_t)(first_as >> 8);
			pa.aspath[5 + 4 * i] = (uint8_t)first_as;
		}
		pa.aspath_len = (uint16_t)(2 + 4 * hops);
	}
	if (med >= 0) {
		pa.seen |= 1ull << BGP_ATTR_MED;
		pa.med = (uint32_t)med;
	}
	return bgp_attrs_intern(T, &pa, nh, 4, lp);
}

static struct bgp_rib_peer peers[4] = {
    {.ebgp = true, .router_id = 30, .addr = {10, 0, 0, 3}, .addr_len = 4},
    {.ebgp = true, .router_id = 20, .addr = {10, 0, 0, 2}, .addr_len = 4},
    {.ebgp = false, .router_id = 10, .addr = {10, 0, 0, 1}, .addr_len = 4},
    {.ebgp = true, .router_id = 20, .addr = {10, 0, 0, 9}, .addr_len = 4},
};

static int best2(struct bgp_attrs *a, int pa, struct bgp_attrs *b, int pb)
{
	struct bgp_path p[2] = {{.attrs = a, .peer = (uint16_t)pa, .flags = BGP_PATH_ACCEPTED},
				{.attrs = b, .peer = (uint16_t)pb, .flags = BGP_PATH_ACCEPTED}};
	int r1 = bgp_decision_run(p, 2, peers, false);
	struct bgp_path q[2] = {p[1], p[0]};
	int r2 = bgp_decision_run(q, 2, peers, false);

	cr_assert_eq(r1, 1 - r2, "decision depends on order");
	return r1;
}

TestSuite(decision, .init = setup, .fini = teardown);

Test(decision, local_pref_first)
{
	cr_assert_eq(best2(mk(1, 5, 2, 100, 200), 0, mk(2, 1, 0, 0, 100), 1), 0);
}

Test(decision, shorter_as_path)
{
	cr_assert_eq(best2(mk(1, 3, 0, -1, 100), 1, mk(2, 2, 0, -1, 100), 0), 1);
}

Test(decision, lower_origin)
{
	cr_assert_eq(best2(mk(1, 1, 2, -1, 100), 1, mk(2, 1, 1, -1, 100), 0), 1);
}

Test(decision, med_only_within_neighbor_as)
{
	/* Same neighboring AS: lower MED wins although its router id is higher. */
	cr_assert_eq(best2(mk(7, 1, 0, 10, 100), 1, mk(7, 1, 0, 5, 100), 0), 1);
	/* Different neighboring AS: MED ignored, router id decides (peer 1 has 20 < 30). */
	cr_assert_eq(best2(mk(7, 1, 0, 10, 100), 1, mk(8, 1, 0, 5, 100), 0), 0);
	/* Missing MED counts as 0. */
	cr_assert_eq(best2(mk(7, 1, 0, -1, 100), 0, mk(7, 1, 0, 1, 100), 1), 0);
}

Test(decision, med_removal_is_order_independent)
{
	struct bgp_attrs *a = mk(1, 1, 0, 10, 100), *b = mk(2, 1, 0, 0, 100),
			 *c = mk(1, 1, 0, 5, 100);
	int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	struct bgp_attrs *at[3] = {a, b, c};
	uint16_t pr[3] = {1, 0, 3}; /* router ids 20, 30, 20 */

	for (int k = 0; k < 6; k++) {
		struct bgp_path p[3];
		int r;

		for (int i = 0; i < 3; i++)
			p[i] = (struct bgp_path){.attrs = at[perm[k][i]],
						 .peer = pr[perm[k][i]],
						 .flags = BGP_PATH_ACCEPTED};
		r = bgp_decision_run(p, 3, peers, false);
		/* a is removed by c (same AS, higher MED); b (id 30) vs c (id 20): c. */
		cr_assert_eq(p[r].attrs, c, "permutation %d", k);
	}
}

Test(decision, ebgp_over_ibgp)
{
	cr_assert_eq(best2(mk(1, 1, 0, -1, 100), 2, mk(2, 1, 0, -1, 100), 0), 1);
}

Test(decision, router_id_then_address)
{
	cr_assert_eq(best2(mk(1, 1, 0, -1, 100), 0, mk(2, 1, 0, -1, 100), 1), 1);
	/* peers 1 and 3 share router id 20: lower address (10.0.0.2) wins. */
	cr_assert_eq(best2(mk(1, 1, 0, -1, 100), 3, mk(2, 1, 0, -1, 100), 1), 1);
}

Test(decision, only_accepted_paths)
{
	struct bgp_path p[2] = {
	    {.attrs = mk(1, 1, 0, -1, 900), .peer = 0, .flags = 0},
	    {.attrs = mk(2, 9, 2, -1, 1), .peer = 1, .flags = BGP_PATH_ACCEPTED}};

	cr_assert_eq(bgp_decision_run(p, 2, peers, false), 1);
	p[1].flags = 0;
	cr_assert_eq(bgp_decision_run(p, 2, peers, false), -1);
	cr_assert_not(p[0].flags & BGP_PATH_BEST);
}

Test(decision, multipath_marks_equal_paths)
{
	struct bgp_path p[3] = {
	    {.attrs = mk(1, 1, 0, -1, 100), .peer = 0, .flags = BGP_PATH_ACCEPTED},
	    {.attrs = mk(2, 1, 0, -1, 100), .peer = 1, .flags = BGP_PATH_ACCEPTED},
	    {.attrs = mk(3, 2, 0, -1, 100), .peer = 3, .flags = BGP_PATH_ACCEPTED}};
	int b = bgp_decision_run(p, 3, peers, true);

	cr_assert_eq(b, 1);
	cr_assert(p[0].flags & BGP_PATH_MULTIPATH);
	cr_assert(p[1].flags & BGP_PATH_MULTIPATH);
	cr_assert_not(p[2].flags & BGP_PATH_MULTIPATH);
	cr_assert(p[1].flags & BGP_PATH_BEST);
	cr_assert_not(p[0].flags & BGP_PATH_BEST);
}

TestSuite(attr, .init = setup, .fini = teardown);

Test(attr, interning_shares_equal_sets)
{
	struct bgp_attrs *a = mk(1, 2, 0, 5, 100), *b = mk(1, 2, 0, 5, 100),
			 *c = mk(1, 2, 0, 6, 100);

	cr_assert_eq(a, b);
	cr_assert_neq(a, c);
	cr_assert_eq(a->refcnt, 2);
	cr_assert_eq(bgp_attr_table_count(T), 2);
	bgp_attrs_unref(T, a);
	bgp_attrs_unref(T, b);
	cr_assert_eq(bgp_attr_table_count(T), 1);
	bgp_attrs_unref(T, c);
	cr_assert_eq(bgp_attr_table_count(T), 0);
}

Test(attr, table_grows)
{
	struct bgp_attrs *v[2000];

	for (int i = 0; i < 2000; i++)
		v[i] = mk(1, 1, 0, i, 100);
	cr_assert_eq(bgp_attr_table_count(T), 2000);
	for (int i = 0; i < 2000; i++) {
		cr_assert_eq(mk(1, 1, 0, i, 100), v[i]);
		bgp_attrs_unref(T, v[i]);
		bgp_attrs_unref(T, v[i]);
	}
	cr_assert_eq(bgp_attr_table_count(T), 0);
}

/* ---- RIB ---- */

struct events {
	int count;
	int nulls;
	struct bgp_prefix last;
	const struct bgp_attrs *last_attrs;
};

static void on_best(void *ctx, const struct bgp_prefix *p, const struct bgp_path *best)
{
	struct events *e = ctx;

	e->count++;
	e->last = *p;
	e->last_attrs = best ? best->attrs : NULL;
	e->nulls += best == NULL;
}

static struct bgp_prefix pfx(uint32_t i)
{
	struct bgp_prefix p = {.fam = BGP_FAM_V4, .len = 24};

	p.addr[0] = 10;
	p.addr[1] = (uint8_t)(i >> 8);
	p.addr[2] = (uint8_t)i;
	return p;
}

TestSuite(rib, .init = setup, .fini = teardown);

Test(rib, add_replace_withdraw)
{
	struct events ev = {0};
	struct bgp_rib *r = bgp_rib_create(T, on_best, &ev);
	struct bgp_attrs *a = mk(1, 1, 0, -1, 100), *b = mk(2, 1, 0, -1, 100);
	struct bgp_prefix p = pfx(1);

	bgp_rib_set_peer(r, 0, &peers[0]);
	bgp_rib_set_peer(r, 1, &peers[1]);
	cr_assert_eq(bgp_rib_update(r, 0, &p, a, true), 1);
	cr_assert_eq(ev.count, 1);
	cr_assert_eq(ev.last_attrs, a);
	cr_assert_eq(bgp_rib_update(r, 0, &p, a, true), 0);
	cr_assert_eq(ev.count, 1, "same path again: no change reported");
	cr_assert_eq(bgp_rib_update(r, 1, &p, b, true), 1);
	cr_assert_eq(ev.count, 2, "peer 1 has the lower router id and wins");
	cr_assert_eq(ev.last_attrs, b);
	cr_assert_eq(bgp_rib_prefix_count(r, BGP_FAM_V4), 1);
	cr_assert_eq(bgp_rib_best_count(r, BGP_FAM_V4), 1);
	cr_assert(bgp_rib_withdraw(r, 1, &p));
	cr_assert_eq(ev.last_attrs, a);
	cr_assert_not(bgp_rib_withdraw(r, 1, &p));
	cr_assert(bgp_rib_withdraw(r, 0, &p));
	cr_assert_eq(ev.nulls, 1);
	cr_assert_eq(bgp_rib_prefix_count(r, BGP_FAM_V4), 0);
	cr_assert_eq(bgp_rib_best_count(r, BGP_FAM_V4), 0);
	cr_assert_eq(a->refcnt, 1);
	cr_assert_eq(b->refcnt, 1);
	bgp_rib_destroy(r);
	bgp_attrs_unref(T, a);
	bgp_attrs_unref(T, b);
}

Test(rib, rejected_paths_counted_not_best)
{
	struct events ev = {0};
	struct bgp_rib *r = bgp_rib_create(T, on_best, &ev);
	struct bgp_attrs *a = mk(1, 1, 0, -1, 100);
	struct bgp_prefix p = pfx(1);

	bgp_rib_update(r, 0, &p, a, false);
	cr_assert_eq(bgp_rib_received(r, 0), 1);
	cr_assert_eq(bgp_rib_accepted(r, 0), 0);
	cr_assert_eq(bgp_rib_best_count(r, BGP_FAM_V4), 0);
	cr_assert_eq(ev.count, 0);
	bgp_rib_update(r, 0, &p, a, true);
	cr_assert_eq(bgp_rib_accepted(r, 0), 1);
	cr_assert_eq(ev.count, 1);
	bgp_rib_destroy(r);
	bgp_attrs_unref(T, a);
}

Test(rib, stale_mark_refresh_sweep)
{
	struct bgp_rib *r = bgp_rib_create(T, NULL, NULL);
	struct bgp_attrs *a = mk(1, 1, 0, -1, 100);

	for (uint32_t i = 0; i < 100; i++) {
		struct bgp_prefix p = pfx(i);

		bgp_rib_update(r, 0, &p, a, true);
		bgp_rib_update(r, 1, &p, a, true);
	}
	cr_assert_eq(bgp_rib_mark_stale(r, 0, -1), 100);
	for (uint32_t i = 0; i < 40; i++) {
		struct bgp_prefix p = pfx(i);

		bgp_rib_update(r, 0, &p, a, true); /* refreshed: no longer stale */
	}
	cr_assert_eq(bgp_rib_sweep_stale(r, 0, BGP_FAM_V4), 60);
	cr_assert_eq(bgp_rib_received(r, 0), 40);
	cr_assert_eq(bgp_rib_received(r, 1), 100);
	cr_assert_eq(bgp_rib_flush(r, 1, -1), 100);
	cr_assert_eq(bgp_rib_prefix_count(r, BGP_FAM_V4), 40);
	cr_assert_eq(bgp_rib_flush(r, 0, BGP_FAM_V6), 0);
	cr_assert_eq(bgp_rib_flush(r, 0, BGP_FAM_V4), 40);
	cr_assert_eq(bgp_rib_prefix_count(r, BGP_FAM_V4), 0);
	bgp_rib_destroy(r);
	cr_assert_eq(a->refcnt, 1);
	bgp_attrs_unref(T, a);
}

Test(rib, v4_and_v6_kept_apart)
{
	struct bgp_rib *r = bgp_rib_create(T, NULL, NULL);
	struct bgp_attrs *a = mk(1, 1, 0, -1, 100);
	struct bgp_prefix p4 = pfx(0), p6 = pfx(0);

	p6.fam = BGP_FAM_V6;
	bgp_rib_update(r, 0, &p4, a, true);
	bgp_rib_update(r, 0, &p6, a, true);
	cr_assert_eq(bgp_rib_prefix_count(r, BGP_FAM_V4), 1);
	cr_assert_eq(bgp_rib_prefix_count(r, BGP_FAM_V6), 1);
	cr_assert(bgp_rib_withdraw(r, 0, &p6));
	cr_assert(bgp_rib_has(r, 0, &p4));
	bgp_rib_destroy(r);
	bgp_attrs_unref(T, a);
}

/* The reference: a plain array indexed by [peer][prefix]. */
Test(rib, random_operations_against_reference)
{
	enum { NP = 5000, NPEER = 4, OPS = 60000 };
	static struct bgp_attrs *ref[NPEER][NP];
	struct bgp_rib *r = bgp_rib_create(T, NULL, NULL);
	struct bgp_attrs *pool[8];
	unsigned seed = 12345;

	memset(ref, 0, sizeof(ref));
	for (int i = 0; i < 8; i++)
		pool[i] = mk((uint32_t)i + 1, (unsigned)(i % 3) + 1, 0, i, 100);
	for (int i = 0; i < NPEER; i++)
		bgp_rib_set_peer(r, (uint16_t)i, &peers[i]);
	for (int op = 0; op < OPS; op++) {
		uint32_t i = (uint32_t)rand_r(&seed) % NP;
		int peer = rand_r(&seed) % NPEER, what = rand_r(&seed) % 10;
		struct bgp_prefix p = pfx(i);

		if (what < 6) {
			struct bgp_attrs *a = pool[rand_r(&seed) % 8];

			cr_assert_eq(bgp_rib_update(r, (uint16_t)peer, &p, a, true),
				     ref[peer][i] ? 0 : 1);
			ref[peer][i] = a;
		} else if (what < 9) {
			cr_assert_eq(bgp_rib_withdraw(r, (uint16_t)peer, &p), ref[peer][i] != NULL);
			ref[peer][i] = NULL;
		} else {
			cr_assert_eq(bgp_rib_has(r, (uint16_t)peer, &p), ref[peer][i] != NULL);
		}
	}
	size_t total = 0;
	for (int peer = 0; peer < NPEER; peer++) {
		size_t n = 0;

		for (int i = 0; i < NP; i++)
			n += ref[peer][i] != NULL;
		cr_assert_eq(bgp_rib_received(r, (uint16_t)peer), n);
	}
	for (int i = 0; i < NP; i++) {
		bool any = false;

		for (int peer = 0; peer < NPEER; peer++)
			any |= ref[peer][i] != NULL;
		total += any;
	}
	cr_assert_eq(bgp_rib_prefix_count(r, BGP_FAM_V4), total);
	cr_assert_eq(bgp_rib_best_count(r, BGP_FAM_V4), total);
	bgp_rib_destroy(r);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(pool[i]->refcnt, 1);
		bgp_attrs_unref(T, pool[i]);
	}
}

static bool count_walk(void *ctx, const struct bgp_prefix *p, const struct bgp_path *paths,
		       size_t n)
{
	*(size_t *)ctx += n;
	return true;
}

Test(rib, many_prefixes_cross_chunks)
{
	struct bgp_rib *r = bgp_rib_create(T, NULL, NULL);
	struct bgp_attrs *a = mk(1, 1, 0, -1, 100);
	size_t seen = 0;

	for (uint32_t i = 0; i < 50000; i++) {
		struct bgp_prefix p = {.fam = BGP_FAM_V4, .len = 32};

		p.addr[0] = 10;
		p.addr[1] = (uint8_t)(i >> 16);
		p.addr[2] = (uint8_t)(i >> 8);
		p.addr[3] = (uint8_t)i;
		cr_assert_eq(bgp_rib_update(r, 0, &p, a, true), 1);
	}
	bgp_rib_walk(r, BGP_FAM_V4, count_walk, &seen);
	cr_assert_eq(seen, 50000);
	cr_assert_eq(a->refcnt, 50001);
	cr_assert_eq(bgp_rib_flush(r, 0, -1), 50000);
	bgp_rib_destroy(r);
	bgp_attrs_unref(T, a);
}
