/*
 * Unit tests of api/nonce (issue 7, "Replay across restarts"): a nonce is
 * refused for the whole timestamp window, across a reopen of its log (the
 * daemon's restart or crash), and one account cannot take the shared table
 * from the others.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/nonce.h"

#define T0 1800000000
#define W 900

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/openvpc-nonce-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(nonce, .init = mkdir_tmp, .fini = rm_tmp);

Test(nonce, replay_refused_until_the_timestamp_leaves_the_window)
{
	struct nonce_cache *c = nonce_cache_create(1024, W);
	cr_assert_eq(nonce_cache_check(c, 1, "ak", "n1", T0, T0), NONCE_FRESH);
	cr_assert_eq(nonce_cache_check(c, 1, "ak", "n1", T0, T0 + 1), NONCE_REPLAYED);
	cr_assert_eq(nonce_cache_check(c, 1, "ak", "n1", T0, T0 + W), NONCE_REPLAYED);
	/* Another key's nonce of the same text is its own. */
	cr_assert_eq(nonce_cache_check(c, 2, "ak2", "n1", T0, T0), NONCE_FRESH);
	/* Stamped in the future: remembered until that stamp leaves the window. */
	cr_assert_eq(nonce_cache_check(c, 1, "ak", "f", T0 + W, T0), NONCE_FRESH);
	cr_assert_eq(nonce_cache_check(c, 1, "ak", "f", T0 + W, T0 + 2 * W), NONCE_REPLAYED);
	/* Past the window the slot is free again (the stamp would be expired). */
	cr_assert_eq(nonce_cache_check(c, 1, "ak", "n1", T0, T0 + W + 2), NONCE_FRESH);
	nonce_cache_destroy(c);
}

Test(nonce, survives_a_reopen_of_its_log)
{
	char sub[128];
	snprintf(sub, sizeof(sub), "%s/nonces", dir);
	struct nonce_cache *c;
	cr_assert_eq(nonce_cache_open(sub, 1024, W, T0, &c), 0);
	cr_assert_eq(nonce_cache_check(c, 7, "ak", "once", T0, T0), NONCE_FRESH);
	cr_assert_eq(nonce_cache_sync(c), 0);
	nonce_cache_destroy(c);
	/* Reopened within the window: still refused. */
	cr_assert_eq(nonce_cache_open(sub, 1024, W, T0 + 10, &c), 0);
	cr_assert_eq(nonce_cache_check(c, 7, "ak", "once", T0, T0 + 10), NONCE_REPLAYED);
	cr_assert_eq(nonce_cache_live(c, 7, T0 + 10), 1);
	nonce_cache_destroy(c);
	/* A torn record at the end (power loss mid-append) is ignored. */
	char seg[192];
	snprintf(seg, sizeof(seg), "%s/%d.log", sub, T0 - T0 % W);
	FILE *f = fopen(seg, "a");
	cr_assert_not_null(f);
	fputs("torn", f);
	fclose(f);
	cr_assert_eq(nonce_cache_open(sub, 1024, W, T0 + 20, &c), 0);
	cr_assert_eq(nonce_cache_check(c, 7, "ak", "once", T0, T0 + 20), NONCE_REPLAYED);
	cr_assert_eq(nonce_cache_check(c, 7, "ak", "twice", T0, T0 + 20), NONCE_FRESH);
	nonce_cache_destroy(c);
	cr_assert_eq(nonce_cache_open(sub, 1024, W, T0 + 30, &c), 0);
	cr_assert_eq(nonce_cache_check(c, 7, "ak", "twice", T0, T0 + 30), NONCE_REPLAYED);
	nonce_cache_destroy(c);
	/* Long after, the segment is gone and the nonce forgotten. */
	cr_assert_eq(nonce_cache_open(sub, 1024, W, T0 + 4 * W, &c), 0);
	cr_assert_eq(access(seg, F_OK), -1);
	cr_assert_eq(nonce_cache_live(c, 0, T0 + 4 * W), 0);
	nonce_cache_destroy(c);
}

Test(nonce, one_account_cannot_exhaust_the_table)
{
	struct nonce_cache *c = nonce_cache_create(4096, W); /* 3072 usable */
	char n[32];
	size_t a = 0;
	for (int i = 0; i < 10000; i++) {
		snprintf(n, sizeof(n), "a%d", i);
		enum nonce_result r = nonce_cache_check(c, 1, "akA", n, T0, T0);
		if (r == NONCE_OVER_SHARE)
			break;
		cr_assert_eq(r, NONCE_FRESH);
		a++;
	}
	cr_assert(a >= 1400 && a <= 1536, "account A took %zu", a);
	/* A second greedy account gets its own share; a third still gets in. */
	size_t b = 0;
	for (int i = 0; i < 10000; i++) {
		snprintf(n, sizeof(n), "b%d", i);
		if (nonce_cache_check(c, 2, "akB", n, T0, T0) != NONCE_FRESH)
			break;
		b++;
	}
	cr_assert(b >= 700, "account B took %zu", b);
	for (int i = 0; i < 100; i++) {
		snprintf(n, sizeof(n), "c%d", i);
		cr_assert_eq(nonce_cache_check(c, 3, "akC", n, T0, T0), NONCE_FRESH);
	}
	/* A is still refused, on its own. */
	cr_assert_eq(nonce_cache_check(c, 1, "akA", "more", T0, T0), NONCE_OVER_SHARE);
	/* Once the window has passed (counts are kept by expiry buckets of
	 * about 2*W/30 seconds), A's share is free again. */
	int64_t later = T0 + W + 2 + 2 * (2 * W / 30 + 1);
	cr_assert_eq(nonce_cache_check(c, 1, "akA", "later", later, later), NONCE_FRESH);
	nonce_cache_destroy(c);
}
