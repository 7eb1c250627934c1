/*
 * Unit tests of bgp/adjout.c, the Adj-RIB-Out hash set: randomized
 * add/delete/lookup compared with a deliberately simple reference (a linear
 * array, the structure it replaced), across growth and backward-shift
 * deletions; and iteration visiting each member once.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/adjout.h"

#define UNIVERSE 3000

static struct bgp_prefix nth(unsigned i)
{
	struct bgp_prefix p = {.fam = (uint8_t)(i % 2), .len = (uint8_t)(i % 2 ? 48 : 24)};

	/* Many prefixes that differ in one byte: a good test of the probing. */
	p.addr[0] = (uint8_t)(i % 2 ? 0x20 : 10);
	p.addr[1] = (uint8_t)(i >> 8);
	p.addr[2] = (uint8_t)i;
	return p;
}

Test(adjout, random_operations_match_a_linear_reference)
{
	struct bgp_adjout s;
	static bool ref[UNIVERSE];
	size_t count = 0;

	bgp_adjout_init(&s);
	srandom(7);
	for (int op = 0; op < 200000; op++) {
		unsigned i = (unsigned)random() % UNIVERSE;
		struct bgp_prefix p = nth(i);

		switch (random() % 3) {
		case 0:
		case 1:
			cr_assert(bgp_adjout_add(&s, &p));
			count += !ref[i];
			ref[i] = true;
			break;
		default:
			bgp_adjout_del(&s, &p);
			count -= ref[i];
			ref[i] = false;
			break;
		}
		cr_assert_eq(s.count, count, "op %d", op);
		if (op % 997 == 0) {
			for (unsigned k = 0; k < UNIVERSE; k++) {
				struct bgp_prefix q = nth(k);

				cr_assert_eq(bgp_adjout_has(&s, &q), ref[k], "op %d prefix %u", op,
					     k);
			}
		}
	}
	/* Iteration: every member once, nothing else. */
	static unsigned seen[UNIVERSE];
	size_t visited = 0;

	for (size_t j = 0; j < s.cap; j++) {
		const struct bgp_prefix *p = bgp_adjout_at(&s, j);

		if (!p)
			continue;
		visited++;
		unsigned k = (unsigned)p->addr[1] << 8 | p->addr[2];
		struct bgp_prefix q = nth(k);

		cr_assert(k < UNIVERSE && ref[k] && bgp_prefix_eq(p, &q));
		seen[k]++;
	}
	cr_assert_eq(visited, count);
	for (unsigned k = 0; k < UNIVERSE; k++)
		cr_assert_eq(seen[k], ref[k] ? 1u : 0u);
	bgp_adjout_clear(&s);
	cr_assert_eq(s.count, 0);
	struct bgp_prefix p0 = nth(0);

	cr_assert_not(bgp_adjout_has(&s, &p0));
	bgp_adjout_fini(&s);
	bgp_adjout_fini(&s); /* twice is fine: fini leaves an empty set */
}

Test(adjout, empty_set_needs_no_table)
{
	struct bgp_adjout s;
	struct bgp_prefix p = nth(1);

	bgp_adjout_init(&s);
	cr_assert_not(bgp_adjout_has(&s, &p));
	bgp_adjout_del(&s, &p);
	cr_assert_eq(s.count, 0);
	cr_assert_eq(s.cap, 0);
	bgp_adjout_fini(&s);
}
