/*
 * rib.c: prefix tables and per-neighbor paths (see rib.h for the model and
 * its invariants).  Each family has its own hash table of node indices;
 * nodes come from a chunked pool with a free list threaded through `next`.
 */
#include "bgp/rib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bgp/decision.h"

#define CHUNK_SHIFT 12
#define CHUNK_NODES (1u << CHUNK_SHIFT)
#define NIL 0u /* node indices are stored +1 so that 0 means none */

struct rib_node {
	uint32_t next; /* chain or free list, index + 1 */
	uint8_t fam;   /* 0xff when free */
	uint8_t len;
	uint8_t npaths;
	uint8_t cap; /* capacity of many[] when npaths > 1 */
	uint8_t addr[16];
	union {
		struct bgp_path one; /* npaths == 1 */
		struct bgp_path *many;
	} u;
};

struct rib_table {
	uint32_t *buckets;
	size_t nbuckets; /* power of two */
	size_t count;
	size_t best;
};

struct bgp_rib {
	struct bgp_attr_table *attrs;
	bgp_rib_best_fn best_changed;
	void *ctx;
	bool multipath;
	uint64_t seed; /* hash seed */
	struct rib_node **chunks;
	size_t nchunks;
	uint32_t free_head; /* index + 1 */
	size_t many_bytes;
	struct rib_table t[BGP_FAM_COUNT];
	struct bgp_rib_peer peers[BGP_RIB_MAX_PEERS];
	size_t received[BGP_RIB_MAX_PEERS];
	size_t accepted[BGP_RIB_MAX_PEERS];
};

static struct rib_node *node_at(const struct bgp_rib *r, uint32_t idx1)
{
	uint32_t i = idx1 - 1;

	return &r->chunks[i >> CHUNK_SHIFT][i & (CHUNK_NODES - 1)];
}

static struct bgp_path *node_paths(struct rib_node *n)
{
	return n->npaths <= 1 ? &n->u.one : n->u.many;
}

static size_t addr_bytes(unsigned fam)
{
	return fam == BGP_FAM_V6 ? 16 : 4;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x;
}

static uint64_t be64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/*
 * Bucket hash with locality.  A feed usually arrives in address order, and a
 * random hash then makes every insert a cache and TLB miss (on the machines
 * this runs on, a miss dominates the cost of learning a full table).  So the
 * hash keeps runs of 256 consecutive prefixes of one length in 256
 * consecutive buckets, and places each run at a pseudo-random position: the
 * distribution between runs is that of a good hash, and walking a feed in
 * order touches the bucket array (and the node pool, filled in arrival
 * order) sequentially.  The per-table random seed keeps a peer from
 * choosing prefixes that collide.
 */
static uint32_t prefix_hash(const struct bgp_prefix *p, uint64_t seed)
{
	uint64_t net, salt;

	if (p->fam == BGP_FAM_V6) {
		uint64_t hi = be64(p->addr), lo = be64(p->addr + 8);

		if (p->len == 0)
			net = 0;
		else if (p->len <= 64)
			net = hi >> (64 - p->len);
		else
			net = (lo >> (128 - p->len)) ^ mix64(hi);
		salt = 0x5bd1e9955bd1e995ull;
	} else {
		uint32_t a = (uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 |
			     (uint32_t)p->addr[2] << 8 | p->addr[3];

		net = p->len ? a >> (32 - p->len) : 0;
		salt = 0;
	}
	return (uint32_t)(mix64((net >> 8) ^ salt ^ seed ^ ((uint64_t)p->len << 56)) << 8) |
	       (uint32_t)(net & 0xff);
}

struct bgp_rib *bgp_rib_create(struct bgp_attr_table *attrs, bgp_rib_best_fn best_changed,
			       void *ctx)
{
	struct bgp_rib *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->attrs = attrs;
	r->best_changed = best_changed;
	r->ctx = ctx;
	if (getrandom(&r->seed, sizeof(r->seed), GRND_NONBLOCK) != sizeof(r->seed))
		r->seed = (uint64_t)(uintptr_t)r ^ 0x9e3779b97f4a7c15ull;
	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		r->t[f].nbuckets = 1024;
		r->t[f].buckets = calloc(r->t[f].nbuckets, sizeof(uint32_t));
		if (!r->t[f].buckets)
			goto fail;
	}
	return r;
fail:
	bgp_rib_destroy(r);
	return NULL;
}

void bgp_rib_destroy(struct bgp_rib *r)
{
	if (!r)
		return;
	for (size_t c = 0; c < r->nchunks; c++) {
		for (size_t i = 0; i < CHUNK_NODES; i++) {
			struct rib_node *n = &r->chunks[c][i];
			struct bgp_path *p;

			if (n->fam == 0xff)
				continue;
			p = node_paths(n);
			for (size_t k = 0; k < n->npaths; k++)
				bgp_attrs_unref(r->attrs, p[k].attrs);
			if (n->npaths > 1)
				free(n->u.many);
		}
		free(r->chunks[c]);
	}
	free(r->chunks);
	for (int f = 0; f < BGP_FAM_COUNT; f++)
		free(r->t[f].buckets);
	free(r);
}

void bgp_rib_set_peer(struct bgp_rib *r, uint16_t peer, const struct bgp_rib_peer *info)
{
	if (peer < BGP_RIB_MAX_PEERS)
		r->peers[peer] = *info;
}

void bgp_rib_set_multipath(struct bgp_rib *r, bool on)
{
	r->multipath = on;
}

static uint32_t node_alloc(struct bgp_rib *r)
{
	uint32_t idx1;

	if (r->free_head == NIL) {
		struct rib_node **nc = realloc(r->chunks, (r->nchunks + 1) * sizeof(*nc));
		struct rib_node *chunk;

		if (!nc)
			return NIL;
		r->chunks = nc;
		chunk = malloc(CHUNK_NODES * sizeof(*chunk));
		if (!chunk)
			return NIL;
		r->chunks[r->nchunks] = chunk;
		/* Thread the new nodes onto the free list in order. */
		for (uint32_t i = 0; i < CHUNK_NODES; i++) {
			uint32_t id1 = (uint32_t)(r->nchunks * CHUNK_NODES + i) + 1;

			chunk[i].fam = 0xff;
			chunk[i].next = i + 1 < CHUNK_NODES ? id1 + 1 : NIL;
		}
		r->free_head = (uint32_t)(r->nchunks * CHUNK_NODES) + 1;
		r->nchunks++;
	}
	idx1 = r->free_head;
	r->free_head = node_at(r, idx1)->next;
	return idx1;
}

static void node_free(struct bgp_rib *r, uint32_t idx1)
{
	struct rib_node *n = node_at(r, idx1);

	n->fam = 0xff;
	n->next = r->free_head;
	r->free_head = idx1;
}

static void table_grow(struct bgp_rib *r, struct rib_table *t)
{
	size_t nb = t->nbuckets * 2;
	uint32_t *b = calloc(nb, sizeof(*b));

	if (!b)
		return; /* longer chains: slower, still correct */
	for (size_t i = 0; i < t->nbuckets; i++) {
		uint32_t id = t->buckets[i], nx;

		for (; id != NIL; id = nx) {
			struct rib_node *n = node_at(r, id);
			struct bgp_prefix p = {.fam = n->fam, .len = n->len};
			uint32_t h;

			memcpy(p.addr, n->addr, sizeof(p.addr));
			h = prefix_hash(&p, r->seed) & (uint32_t)(nb - 1);
			nx = n->next;
			n->next = b[h];
			b[h] = id;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

/* Finds the node for p; *slot gets the link that points at it (for unlinking). */
static uint32_t lookup(const struct bgp_rib *r, const struct bgp_prefix *p, uint32_t **slot)
{
	const struct rib_table *t = &r->t[p->fam];
	uint32_t *link = &t->buckets[prefix_hash(p, r->seed) & (t->nbuckets - 1)];

	while (*link != NIL) {
		struct rib_node *n = node_at(r, *link);

		if (n->len == p->len && memcmp(n->addr, p->addr, addr_bytes(p->fam)) == 0) {
			if (slot)
				*slot = link;
			return *link;
		}
		link = &n->next;
	}
	return NIL;
}

static int path_index(struct rib_node *n, uint16_t peer)
{
	struct bgp_path *p = node_paths(n);

	for (int i = 0; i < n->npaths; i++)
		if (p[i].peer == peer)
			return i;
	return -1;
}

static void node_prefix(const struct rib_node *n, struct bgp_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->fam = n->fam;
	p->len = n->len;
	memcpy(p->addr, n->addr, addr_bytes(n->fam));
}

/* Runs the decision process on a node and reports a change of best path. */
static void redecide(struct bgp_rib *r, struct rib_node *n, const struct bgp_attrs *old_attrs,
		     int old_peer)
{
	struct bgp_path *paths = node_paths(n);
	int b = bgp_decision_run(paths, n->npaths, r->peers, r->multipath);
	struct rib_table *t = &r->t[n->fam];
	struct bgp_prefix p;

	if (old_peer >= 0 && b < 0)
		t->best--;
	else if (old_peer < 0 && b >= 0)
		t->best++;
	if (b < 0 && old_peer < 0)
		return;
	if (b >= 0 && old_peer == paths[b].peer && old_attrs == paths[b].attrs)
		return;
	if (r->best_changed) {
		node_prefix(n, &p);
		r->best_changed(r->ctx, &p, b >= 0 ? &paths[b] : NULL);
	}
}

/* The best path's identity before a change (peer -1 when none). */
static void best_of(struct rib_node *n, const struct bgp_attrs **attrs, int *peer)
{
	struct bgp_path *p = node_paths(n);

	*attrs = NULL;
	*peer = -1;
	for (int i = 0; i < n->npaths; i++) {
		if (p[i].flags & BGP_PATH_BEST) {
			*attrs = p[i].attrs;
			*peer = p[i].peer;
		}
	}
}

int bgp_rib_update(struct bgp_rib *r, uint16_t peer, const struct bgp_prefix *p,
		   struct bgp_attrs *attrs, bool accepted)
{
	struct rib_table *t = &r->t[p->fam];
	uint32_t id = lookup(r, p, NULL);
	struct rib_node *n;
	struct bgp_path *paths;
	const struct bgp_attrs *old_attrs;
	int old_peer, i;
	uint8_t flags = accepted ? BGP_PATH_ACCEPTED : 0;

	if (peer >= BGP_RIB_MAX_PEERS)
		return -EINVAL;
	if (id == NIL) {
		uint32_t h;

		id = node_alloc(r);
		if (id == NIL)
			return -ENOMEM;
		if (t->count >= t->nbuckets)
			table_grow(r, t);
		n = node_at(r, id);
		n->fam = p->fam;
		n->len = p->len;
		memset(n->addr, 0, sizeof(n->addr));
		memcpy(n->addr, p->addr, addr_bytes(p->fam));
		n->npaths = 1;
		n->cap = 0;
		n->u.one = (struct bgp_path){.attrs = attrs, .peer = peer, .flags = flags};
		h = prefix_hash(p, r->seed) & (uint32_t)(t->nbuckets - 1);
		n->next = t->buckets[h];
		t->buckets[h] = id;
		t->count++;
		bgp_attrs_ref(attrs);
		r->received[peer]++;
		r->accepted[peer] += accepted;
		redecide(r, n, NULL, -1);
		return 1;
	}
	n = node_at(r, id);
	best_of(n, &old_attrs, &old_peer);
	i = path_index(n, peer);
	if (i >= 0) {
		paths = node_paths(n);
		r->accepted[peer] -= (paths[i].flags & BGP_PATH_ACCEPTED) != 0;
		r->accepted[peer] += accepted;
		bgp_attrs_ref(attrs);
		bgp_attrs_unref(r->attrs, paths[i].attrs);
		paths[i].attrs = attrs;
		paths[i].flags = (uint8_t)((paths[i].flags & BGP_PATH_BEST) | flags);
		redecide(r, n, old_attrs, old_peer);
		return 0;
	}
	if (n->npaths == 255)
		return -ENOSPC; /* cannot happen with BGP_RIB_MAX_PEERS < 255 */
	if (n->npaths == 1) {
		struct bgp_path *m = malloc(4 * sizeof(*m));

		if (!m)
			return -ENOMEM;
		m[0] = n->u.one;
		n->u.many = m;
		n->cap = 4;
		r->many_bytes += 4 * sizeof(*m);
	} else if (n->npaths == n->cap) {
		struct bgp_path *m = realloc(n->u.many, (size_t)n->cap * 2 * sizeof(*m));

		if (!m)
			return -ENOMEM;
		r->many_bytes += (size_t)n->cap * sizeof(*m);
		n->u.many = m;
		n->cap = (uint8_t)(n->cap * 2);
	}
	n->u.many[n->npaths++] = (struct bgp_path){.attrs = attrs, .peer = peer, .flags = flags};
	bgp_attrs_ref(attrs);
	r->received[peer]++;
	r->accepted[peer] += accepted;
	redecide(r, n, old_attrs, old_peer);
	return 1;
}

/* Removes path i of node id (linked from *slot). */
static void remove_path(struct bgp_rib *r, uint32_t *slot, uint32_t id, int i)
{
	struct rib_node *n = node_at(r, id);
	struct bgp_path *paths = node_paths(n);
	const struct bgp_attrs *old_attrs;
	int old_peer;
	uint16_t peer = paths[i].peer;

	best_of(n, &old_attrs, &old_peer);
	r->received[peer]--;
	r->accepted[peer] -= (paths[i].flags & BGP_PATH_ACCEPTED) != 0;
	bgp_attrs_unref(r->attrs, paths[i].attrs);
	if (n->npaths == 1) {
		struct rib_table *t = &r->t[n->fam];

		n->npaths = 0;
		if (old_peer >= 0) {
			struct bgp_prefix p;

			t->best--;
			node_prefix(n, &p);
			if (r->best_changed)
				r->best_changed(r->ctx, &p, NULL);
		}
		*slot = n->next;
		t->count--;
		node_free(r, id);
		return;
	}
	paths[i] = paths[n->npaths - 1];
	n->npaths--;
	if (n->npaths == 1) {
		struct bgp_path keep = n->u.many[0];

		r->many_bytes -= (size_t)n->cap * sizeof(struct bgp_path);
		free(n->u.many);
		n->u.one = keep;
		n->cap = 0;
	}
	redecide(r, n, old_attrs, old_peer);
}

bool bgp_rib_withdraw(struct bgp_rib *r, uint16_t peer, const struct bgp_prefix *p)
{
	uint32_t *slot;
	uint32_t id = lookup(r, p, &slot);
	int i;

	if (id == NIL)
		return false;
	i = path_index(node_at(r, id), peer);
	if (i < 0)
		return false;
	remove_path(r, slot, id, i);
	return true;
}

bool bgp_rib_has(const struct bgp_rib *r, uint16_t peer, const struct bgp_prefix *p)
{
	uint32_t id = lookup(r, p, NULL);

	return id != NIL && path_index(node_at(r, id), peer) >= 0;
}

size_t bgp_rib_received(const struct bgp_rib *r, uint16_t peer)
{
	return peer < BGP_RIB_MAX_PEERS ? r->received[peer] : 0;
}

size_t bgp_rib_accepted(const struct bgp_rib *r, uint16_t peer)
{
	return peer < BGP_RIB_MAX_PEERS ? r->accepted[peer] : 0;
}

size_t bgp_rib_best_count(const struct bgp_rib *r, enum bgp_fam fam)
{
	return r->t[fam].best;
}

size_t bgp_rib_prefix_count(const struct bgp_rib *r, enum bgp_fam fam)
{
	return r->t[fam].count;
}

size_t bgp_rib_bytes(const struct bgp_rib *r)
{
	size_t b = r->nchunks * CHUNK_NODES * sizeof(struct rib_node) + r->many_bytes;

	for (int f = 0; f < BGP_FAM_COUNT; f++)
		b += r->t[f].nbuckets * sizeof(uint32_t);
	return b;
}

/* Applies op to every path of peer in family fam (all when fam < 0).
 * op: 0 mark stale, 1 sweep stale, 2 flush. */
static size_t for_peer(struct bgp_rib *r, uint16_t peer, int fam, int op)
{
	size_t done = 0;

	for (int f = 0; f < BGP_FAM_COUNT; f++) {
		struct rib_table *t = &r->t[f];

		if (fam >= 0 && f != fam)
			continue;
		for (size_t b = 0; b < t->nbuckets; b++) {
			uint32_t *slot = &t->buckets[b];

			while (*slot != NIL) {
				uint32_t id = *slot;
				struct rib_node *n = node_at(r, id);
				int i = path_index(n, peer);
				struct bgp_path *paths = node_paths(n);
				bool removed_node = false;

				if (i >= 0) {
					if (op == 0) {
						paths[i].flags |= BGP_PATH_STALE;
						done++;
					} else if (op == 2 || (paths[i].flags & BGP_PATH_STALE)) {
						removed_node = n->npaths == 1;
						remove_path(r, slot, id, i);
						done++;
					}
				}
				if (!removed_node)
					slot = &n->next;
			}
		}
	}
	return done;
}

size_t bgp_rib_mark_stale(struct bgp_rib *r, uint16_t peer, int fam)
{
	return for_peer(r, peer, fam, 0);
}

size_t bgp_rib_sweep_stale(struct bgp_rib *r, uint16_t peer, int fam)
{
	return for_peer(r, peer, fam, 1);
}

size_t bgp_rib_flush(struct bgp_rib *r, uint16_t peer, int fam)
{
	return for_peer(r, peer, fam, 2);
}

void bgp_rib_walk(const struct bgp_rib *r, enum bgp_fam fam, bgp_rib_walk_fn fn, void *ctx)
{
	const struct rib_table *t = &r->t[fam];

	for (size_t b = 0; b < t->nbuckets; b++) {
		for (uint32_t id = t->buckets[b]; id != NIL;) {
			struct rib_node *n = node_at(r, id);
			struct bgp_prefix p;

			node_prefix(n, &p);
			if (!fn(ctx, &p, node_paths(n), n->npaths))
				return;
			id = n->next;
		}
	}
}
