/*
 * sgcompile: security groups -> the per-ENI LPM tables and rule sets of
 * dp/dp.h, with the index that tells which NICs to recompile, and the
 * evaluator that reads the tables as dp/secgroup.h does.  Design and
 * contracts: sgcompile.h.
 *
 * Invariants of the index:
 *  1. A group node (struct sgc_gnode) exists for every group id that is
 *     known (put), listed by a NIC, or named as peer by a known group's
 *     rule; it is freed (gnode_gc) as soon as none of the three holds.
 *  2. A NIC's links are its security_group_ids in order, each id once; link
 *     k of NIC n is on the member list of the node of that id.  So the
 *     members of a group are found in O(members).
 *  3. gn->referrers holds each known group with at least one rule naming gn
 *     as peer_group, once; g->peers holds the distinct nodes its rules name.
 *  4. Every rule of a known group holds a counter (or 0 when all are
 *     taken); by_counter[c] names the (group node, rule index) holding c.
 */
#include "agent/sgcompile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/netaddr.h"
#include "model/model.h"

/* --- a small intrusive string hash table ---------------------------------- */

struct sgc_hnode {
	struct sgc_hnode *next;
	uint32_t h;
	char *id; /* owned by the containing object */
};

struct sgc_hmap {
	struct sgc_hnode **b;
	size_t nb, n;
};

static uint32_t sgc_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static struct sgc_hnode *hmap_find(const struct sgc_hmap *m, const char *id)
{
	if (!m->nb)
		return NULL;
	uint32_t h = sgc_hash(id);
	for (struct sgc_hnode *x = m->b[h & (m->nb - 1)]; x; x = x->next)
		if (x->h == h && strcmp(x->id, id) == 0)
			return x;
	return NULL;
}

static int hmap_insert(struct sgc_hmap *m, struct sgc_hnode *x)
{
	if (m->n + 1 > m->nb) {
		size_t nb = m->nb ? m->nb * 2 : 64;
		struct sgc_hnode **b = calloc(nb, sizeof(*b));
		if (!b)
			return -ENOMEM;
		for (size_t i = 0; i < m->nb; i++) {
			struct sgc_hnode *y = m->b[i], *next;
			for (; y; y = next) {
				next = y->next;
				y->next = b[y->h & (nb - 1)];
				b[y->h & (nb - 1)] = y;
			}
		}
		free(m->b);
		m->b = b;
		m->nb = nb;
	}
	x->h = sgc_hash(x->id);
	x->next = m->b[x->h & (m->nb - 1)];
	m->b[x->h & (m->nb - 1)] = x;
	m->n++;
	return 0;
}

static void hmap_remove(struct sgc_hmap *m, struct sgc_hnode *x)
{
	struct sgc_hnode **p = &m->b[x->h & (m->nb - 1)];
	while (*p != x)
		p = &(*p)->next;
	*p = x->next;
	m->n--;
}

/* --- the index's objects ---------------------------------------------------- */

struct sgc_nic;
struct sgc_gnode;

/* NIC n is a member of the group node gn (invariant 2). */
struct sgc_link {
	struct sgc_nic *nic;
	struct sgc_gnode *gn;
	struct sgc_link *prev, *next;
};

struct sgc_nic {
	struct sgc_hnode hn;
	uint64_t owner;
	struct netaddr *a4, *a6; /* sorted, distinct */
	size_t n4, n6;
	struct sgc_link *links; /* in security_group_ids order */
	size_t nlinks;
};

struct sgc_rule {
	char *id;
	bool egress;
	bool internet; /* nic_type "internet" */
	bool never;    /* can match no flow (unknown protocol, empty ports, bad local) */
	uint8_t proto;
	uint8_t action;
	int64_t priority;
	uint16_t plo, phi, slo, shi;
	struct netprefix pc[2]; /* peer_cidr, peer_cidr6 as parsed */
	size_t npc;
	struct sgc_gnode *peer; /* peer_group's node, or NULL */
	uint64_t peer_owner;	/* as stored (0: the group's owner) */
	bool has_local;		/* the local address must be in lc */
	struct netprefix lc;
	uint32_t counter;
};

struct sgc_group {
	uint64_t owner;
	bool vpc;
	bool accept; /* inner_access_policy "Accept" */
	struct sgc_rule *rules;
	size_t nrules;
	struct sgc_gnode **peers; /* distinct peer nodes (invariant 3) */
	size_t npeers;
};

struct sgc_gnode {
	struct sgc_hnode hn;
	struct sgc_group *g; /* NULL: not known */
	struct sgc_link *members;
	size_t nmembers;
	struct sgc_gnode **referrers;
	size_t nref, capref;
};

struct sgc_counter_ref {
	struct sgc_gnode *gn; /* NULL: free */
	uint32_t ri;
};

struct sgc_index {
	struct sgc_hmap nics, groups;
	size_t nknown; /* group nodes with g != NULL */
	struct sgc_counter_ref by_counter[DP_RULE_MAX];
	uint32_t next_fresh;	    /* never used counters: next_fresh..DP_RULE_MAX-1 */
	uint32_t ring[DP_RULE_MAX]; /* freed counters, oldest first */
	uint32_t ring_head, ring_n;
};

/* --- change sets -------------------------------------------------------------- */

void sgc_change_init(struct sgc_change *c)
{
	memset(c, 0, sizeof(*c));
}

void sgc_change_clear(struct sgc_change *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->nics[i]);
	c->n = 0;
	c->n_counters = 0;
	c->err = 0;
	if (c->slots)
		memset(c->slots, 0, c->nslots * sizeof(*c->slots));
}

void sgc_change_fini(struct sgc_change *c)
{
	if (!c)
		return;
	sgc_change_clear(c);
	free(c->nics);
	free(c->counters);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

static size_t change_slot(const struct sgc_change *c, const char *id)
{
	size_t mask = c->nslots - 1, i = sgc_hash(id) & mask;
	while (c->slots[i] && strcmp(c->nics[c->slots[i] - 1], id) != 0)
		i = (i + 1) & mask;
	return i;
}

bool sgc_change_has(const struct sgc_change *c, const char *nic_id)
{
	return c->nslots && c->slots[change_slot(c, nic_id)];
}

static void change_add(struct sgc_change *c, const char *id)
{
	if (!c || c->err)
		return;
	if (c->n * 2 + 2 > c->nslots) {
		size_t ns = c->nslots ? c->nslots * 2 : 64;
		uint32_t *s = calloc(ns, sizeof(*s));
		if (!s) {
			c->err = -ENOMEM;
			return;
		}
		free(c->slots);
		c->slots = s;
		c->nslots = ns;
		for (size_t i = 0; i < c->n; i++)
			c->slots[change_slot(c, c->nics[i])] = (uint32_t)i + 1;
	}
	size_t k = change_slot(c, id);
	if (c->slots[k])
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		char **v = realloc(c->nics, cap * sizeof(*v));
		if (!v) {
			c->err = -ENOMEM;
			return;
		}
		c->nics = v;
		c->cap = cap;
	}
	char *d = strdup(id);
	if (!d) {
		c->err = -ENOMEM;
		return;
	}
	c->nics[c->n++] = d;
	c->slots[k] = (uint32_t)c->n;
}

static void change_add_counter(struct sgc_change *c, uint32_t ctr)
{
	if (!c || c->err || !ctr)
		return;
	if (c->n_counters == c->cap_counters) {
		size_t cap = c->cap_counters ? c->cap_counters * 2 : 32;
		uint32_t *v = realloc(c->counters, cap * sizeof(*v));
		if (!v) {
			c->err = -ENOMEM;
			return;
		}
		c->counters = v;
		c->cap_counters = cap;
	}
	c->counters[c->n_counters++] = ctr;
}

static void change_members(struct sgc_change *c, const struct sgc_gnode *gn)
{
	for (const struct sgc_link *l = gn->members; l; l = l->next)
		change_add(c, l->nic->hn.id);
}

/* Every NIC whose tables use gn's membership: inner peers of an Accept
 * group, and the users of the rules naming it. */
static void change_membership(struct sgc_change *c, const struct sgc_gnode *gn)
{
	if (gn->g && gn->g->accept)
		change_members(c, gn);
	for (size_t i = 0; i < gn->nref; i++)
		change_members(c, gn->referrers[i]);
}

/* --- group nodes ---------------------------------------------------------------- */

static struct sgc_gnode *gnode_find(const struct sgc_index *idx, const char *id)
{
	return (struct sgc_gnode *)hmap_find(&idx->groups, id);
}

static struct sgc_gnode *gnode_get(struct sgc_index *idx, const char *id)
{
	struct sgc_gnode *gn = gnode_find(idx, id);
	if (gn)
		return gn;
	gn = calloc(1, sizeof(*gn));
	if (!gn || !(gn->hn.id = strdup(id)) || hmap_insert(&idx->groups, &gn->hn) < 0) {
		if (gn)
			free(gn->hn.id);
		free(gn);
		return NULL;
	}
	return gn;
}

/* Invariant 1. */
static void gnode_gc(struct sgc_index *idx, struct sgc_gnode *gn)
{
	if (!gn || gn->g || gn->members || gn->nref)
		return;
	hmap_remove(&idx->groups, &gn->hn);
	free(gn->referrers);
	free(gn->hn.id);
	free(gn);
}

static int gnode_reserve_ref(struct sgc_gnode *gn)
{
	if (gn->nref < gn->capref)
		return 0;
	size_t cap = gn->capref ? gn->capref * 2 : 4;
	struct sgc_gnode **v = realloc(gn->referrers, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	gn->referrers = v;
	gn->capref = cap;
	return 0;
}

static void gnode_del_ref(struct sgc_gnode *gn, const struct sgc_gnode *r)
{
	for (size_t i = 0; i < gn->nref; i++)
		if (gn->referrers[i] == r) {
			gn->referrers[i] = gn->referrers[--gn->nref];
			return;
		}
}

/* --- counters ------------------------------------------------------------------- */

static uint32_t counter_alloc(struct sgc_index *idx)
{
	if (idx->next_fresh < DP_RULE_MAX)
		return idx->next_fresh++;
	if (!idx->ring_n)
		return 0;
	uint32_t c = idx->ring[idx->ring_head];
	idx->ring_head = (idx->ring_head + 1) % DP_RULE_MAX;
	idx->ring_n--;
	return c;
}

static void counter_free(struct sgc_index *idx, uint32_t c)
{
	if (!c)
		return;
	idx->by_counter[c].gn = NULL;
	idx->ring[(idx->ring_head + idx->ring_n) % DP_RULE_MAX] = c;
	idx->ring_n++;
}

bool sgc_index_counter_rule(const struct sgc_index *idx, uint32_t counter, const char **group_id,
			    const char **rule_id)
{
	if (counter == 0 || counter >= DP_RULE_MAX || !idx->by_counter[counter].gn)
		return false;
	const struct sgc_counter_ref *r = &idx->by_counter[counter];
	if (group_id)
		*group_id = r->gn->hn.id;
	if (rule_id)
		*rule_id = r->gn->g->rules[r->ri].id;
	return true;
}

uint32_t sgc_index_rule_counter(const struct sgc_index *idx, const char *group_id,
				const char *rule_id)
{
	const struct sgc_gnode *gn = gnode_find(idx, group_id);
	if (!gn || !gn->g)
		return 0;
	for (size_t i = 0; i < gn->g->nrules; i++)
		if (strcmp(gn->g->rules[i].id, rule_id) == 0)
			return gn->g->rules[i].counter;
	return 0;
}

/* --- groups ----------------------------------------------------------------------- */

static void group_free(struct sgc_group *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nrules; i++)
		free(g->rules[i].id);
	free(g->rules);
	free(g->peers);
	free(g);
}

/* Mirrors sg_in_range and the stored -1/-1 = all: an empty range (from >
 * to, or from beyond 65535) makes the rule match nothing. */
static bool rule_range(int64_t from, int64_t to, uint16_t *lo, uint16_t *hi)
{
	if (from < 0) {
		*lo = 0;
		*hi = 0xffff;
		return true;
	}
	if (from > to || from > 0xffff)
		return false;
	*lo = (uint16_t)from;
	*hi = (uint16_t)(to > 0xffff ? 0xffff : to);
	return true;
}

/* One stored rule (model/secgroup.h) into r; peer nodes are created. */
static int rule_parse(struct sgc_index *idx, const json_t *j, struct sgc_rule *r)
{
	static const struct {
		const char *name;
		uint8_t num;
		bool ports;
	} protos[] = {{"tcp", 6, true},	     {"udp", 17, true},	 {"icmp", 1, false},
		      {"icmpv6", 58, false}, {"gre", 47, false}, {"all", 0, false}};
	memset(r, 0, sizeof(*r));
	if (!(r->id = strdup(mj_str(j, "id"))))
		return -ENOMEM;
	r->egress = strcmp(mj_str(j, "direction"), "egress") == 0;
	if (!r->egress && strcmp(mj_str(j, "direction"), "ingress") != 0)
		r->never = true;
	r->internet = strcmp(mj_str(j, "nic_type"), "internet") == 0;
	r->action = strcmp(mj_str(j, "policy"), "drop") == 0 ? DP_ACT_DROP : DP_ACT_ACCEPT;
	r->priority = mj_int(j, "priority");
	const char *proto = mj_str(j, "protocol");
	size_t k = 0;
	while (k < sizeof(protos) / sizeof(protos[0]) && strcmp(protos[k].name, proto) != 0)
		k++;
	r->plo = r->slo = 0;
	r->phi = r->shi = 0xffff;
	if (k == sizeof(protos) / sizeof(protos[0])) {
		r->never = true; /* sg_proto_match: an unknown protocol matches nothing */
	} else {
		r->proto = protos[k].num;
		if (protos[k].ports &&
		    (!rule_range(mj_int(j, "port_from"), mj_int(j, "port_to"), &r->plo, &r->phi) ||
		     !rule_range(mj_int(j, "src_port_from"), mj_int(j, "src_port_to"), &r->slo,
				 &r->shi)))
			r->never = true;
	}
	/* sg_rule_matches: each local CIDR given must contain the local address
	 * (of its own family, whatever the field's name): an unparsable one
	 * matches nothing, two match their intersection. */
	const char *lcs[2] = {mj_str(j, "local_cidr"), mj_str(j, "local_cidr6")};
	for (int i = 0; i < 2; i++) {
		struct netprefix p;
		if (!*lcs[i])
			continue;
		if (!netprefix_parse(lcs[i], &p)) {
			r->never = true;
		} else if (!r->has_local || netprefix_covers(&r->lc, &p)) {
			r->has_local = true;
			r->lc = p;
		} else if (!netprefix_covers(&p, &r->lc)) {
			r->never = true; /* disjoint, or of two families */
		}
	}
	const char *pg = mj_str(j, "peer_group");
	if (*pg) {
		/* sg_rule_matches: a group peer decides alone. */
		if (!(r->peer = gnode_get(idx, pg)))
			return -ENOMEM;
		r->peer_owner = (uint64_t)mj_int(j, "peer_owner");
		return 0;
	}
	/* sg_cidr_has: a CIDR contains only addresses of its own family. */
	const char *pcs[2] = {mj_str(j, "peer_cidr"), mj_str(j, "peer_cidr6")};
	for (int i = 0; i < 2; i++)
		if (netprefix_parse(pcs[i], &r->pc[r->npc]))
			r->npc++;
	return 0;
}

static bool prefix_eq(const struct netprefix *a, const struct netprefix *b)
{
	return a->len == b->len && netaddr_eq(&a->addr, &b->addr);
}

/* Same in everything the tables use (the counter aside). */
static bool rule_same(const struct sgc_rule *a, const struct sgc_rule *b)
{
	return strcmp(a->id, b->id) == 0 && a->egress == b->egress && a->internet == b->internet &&
	       a->never == b->never && a->proto == b->proto && a->action == b->action &&
	       a->priority == b->priority && a->plo == b->plo && a->phi == b->phi &&
	       a->slo == b->slo && a->shi == b->shi && a->npc == b->npc &&
	       (a->npc < 1 || prefix_eq(&a->pc[0], &b->pc[0])) &&
	       (a->npc < 2 || prefix_eq(&a->pc[1], &b->pc[1])) && a->peer == b->peer &&
	       a->peer_owner == b->peer_owner && a->has_local == b->has_local &&
	       (!a->has_local || prefix_eq(&a->lc, &b->lc));
}

static bool group_same(const struct sgc_group *a, const struct sgc_group *b)
{
	if (a->owner != b->owner || a->vpc != b->vpc || a->accept != b->accept ||
	    a->nrules != b->nrules)
		return false;
	for (size_t i = 0; i < a->nrules; i++)
		if (!rule_same(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}

/* gc of a group's distinct peers and of its own node (which may be one of
 * them: a rule naming its own group), each once. */
static void group_gc_nodes(struct sgc_index *idx, struct sgc_gnode **peers, size_t n,
			   struct sgc_gnode *self)
{
	bool self_seen = false;
	for (size_t i = 0; i < n; i++) {
		self_seen |= peers[i] == self;
		gnode_gc(idx, peers[i]);
	}
	if (!self_seen)
		gnode_gc(idx, self);
}

static int group_parse(struct sgc_index *idx, const json_t *sg, struct sgc_group **out)
{
	struct sgc_group *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->owner = (uint64_t)mj_int(sg, "owner");
	g->vpc = mj_str(sg, "vpc_id")[0] != '\0';
	g->accept = strcmp(mj_str(sg, "inner_access_policy"), "Accept") == 0;
	const json_t *rules = json_object_get(sg, "rules");
	size_t n = json_array_size(rules);
	int rc = -ENOMEM;
	if (n && (!(g->rules = calloc(n, sizeof(*g->rules))) ||
		  !(g->peers = calloc(n, sizeof(*g->peers)))))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		g->nrules++;
		if ((rc = rule_parse(idx, json_array_get(rules, i), &g->rules[i])) < 0)
			goto fail;
		struct sgc_gnode *p = g->rules[i].peer;
		size_t k = 0;
		while (p && k < g->npeers && g->peers[k] != p)
			k++;
		if (p && k == g->npeers)
			g->peers[g->npeers++] = p;
	}
	*out = g;
	return 0;
fail:
	*out = g; /* the caller frees it and collects its peers */
	return rc;
}

/* The old rule with r's id: at the same position (the usual case: rules
 * are appended and removed), else anywhere. */
static struct sgc_rule *group_rule_by_id(const struct sgc_group *g, size_t pos, const char *id)
{
	if (!g)
		return NULL;
	if (pos < g->nrules && strcmp(g->rules[pos].id, id) == 0)
		return &g->rules[pos];
	for (size_t i = 0; i < g->nrules; i++)
		if (strcmp(g->rules[i].id, id) == 0)
			return &g->rules[i];
	return NULL;
}

/* Moves ng's rule counters in: the old rule of the same id keeps its own;
 * a new id gets a new one; an old id that is gone frees its own. */
static void group_counters(struct sgc_index *idx, struct sgc_gnode *gn, struct sgc_group *old,
			   struct sgc_group *ng, struct sgc_change *chg)
{
	for (size_t i = 0; i < ng->nrules; i++) {
		struct sgc_rule *o = group_rule_by_id(old, i, ng->rules[i].id);
		if (o && o->counter) {
			ng->rules[i].counter = o->counter;
			o->counter = 0; /* taken over (also: a repeated id gets its own) */
		} else {
			ng->rules[i].counter = counter_alloc(idx);
			change_add_counter(chg, ng->rules[i].counter);
		}
	}
	if (old)
		for (size_t i = 0; i < old->nrules; i++)
			counter_free(idx, old->rules[i].counter);
	for (size_t i = 0; i < ng->nrules; i++)
		if (ng->rules[i].counter)
			idx->by_counter[ng->rules[i].counter] =
			    (struct sgc_counter_ref){.gn = gn, .ri = (uint32_t)i};
}

/* Replaces gn's group by ng (NULL: the group is gone). */
static int group_replace(struct sgc_index *idx, struct sgc_gnode *gn, struct sgc_group *ng,
			 struct sgc_change *chg)
{
	struct sgc_group *old = gn->g;
	/* Reserve first: nothing below can fail. */
	for (size_t i = 0; ng && i < ng->npeers; i++)
		if (gnode_reserve_ref(ng->peers[i]) < 0)
			return -ENOMEM;
	if (old)
		for (size_t i = 0; i < old->npeers; i++)
			gnode_del_ref(old->peers[i], gn);
	if (ng)
		for (size_t i = 0; i < ng->npeers; i++)
			ng->peers[i]->referrers[ng->peers[i]->nref++] = gn;
	if (ng)
		group_counters(idx, gn, old, ng, chg);
	else if (old)
		for (size_t i = 0; i < old->nrules; i++)
			counter_free(idx, old->rules[i].counter);
	gn->g = ng;
	if (!old != !ng)
		idx->nknown += ng ? 1 : (size_t)-1;
	change_members(chg, gn);
	if (old) {
		for (size_t i = 0; i < old->npeers; i++)
			if (old->peers[i] != gn)
				gnode_gc(idx, old->peers[i]);
		group_free(old);
	}
	return 0;
}

int sgc_index_put_group(struct sgc_index *idx, const json_t *sg, struct sgc_change *chg)
{
	const char *id = mj_str(sg, "id");
	if (!*id)
		return -EINVAL;
	struct sgc_gnode *gn = gnode_get(idx, id);
	if (!gn)
		return -ENOMEM;
	struct sgc_group *ng = NULL;
	int rc = group_parse(idx, sg, &ng);
	if (rc == 0 && gn->g && group_same(gn->g, ng)) {
		/* The counters stay with the old copy; ng's peers are its peers. */
		group_free(ng);
		return 0;
	}
	if (rc == 0)
		rc = group_replace(idx, gn, ng, chg);
	if (rc < 0 && ng) {
		struct sgc_gnode **peers = ng->peers;
		size_t np = ng->npeers;
		ng->peers = NULL;
		group_free(ng);
		group_gc_nodes(idx, peers, np, gn);
		free(peers);
	} else if (rc < 0) {
		gnode_gc(idx, gn);
	}
	return rc;
}

int sgc_index_del_group(struct sgc_index *idx, const char *id, struct sgc_change *chg)
{
	struct sgc_gnode *gn = gnode_find(idx, id);
	if (!gn || !gn->g)
		return 0;
	int rc = group_replace(idx, gn, NULL, chg);
	gnode_gc(idx, gn);
	return rc;
}

size_t sgc_index_group_count(const struct sgc_index *idx)
{
	return idx->nknown;
}

/* --- NICs ---------------------------------------------------------------------------- */

static bool nic_doc_is_nic(const json_t *doc)
{
	const char *kind = mj_str(doc, "kind");
	return strcmp(kind, "eni") == 0 ||
	       (strcmp(kind, "i") == 0 && strcmp(mj_str(doc, "network"), "classic") == 0);
}

static int addr_cmp(const void *a, const void *b)
{
	return netaddr_cmp(a, b);
}

/* Distinct sorted addresses of one family. */
static size_t addr_uniq(struct netaddr *a, size_t n)
{
	if (!n)
		return 0;
	qsort(a, n, sizeof(*a), addr_cmp);
	size_t k = 1;
	for (size_t i = 1; i < n; i++)
		if (!netaddr_eq(&a[i], &a[k - 1]))
			a[k++] = a[i];
	return k;
}

static void addr_push(struct netaddr *v4, size_t *n4, struct netaddr *v6, size_t *n6, const char *s)
{
	struct netaddr a;
	if (!s || !netaddr_parse(s, &a))
		return;
	if (a.family == NETADDR_V4)
		v4[(*n4)++] = a;
	else
		v6[(*n6)++] = a;
}

struct nic_new {
	uint64_t owner;
	struct netaddr *a4, *a6;
	size_t n4, n6;
	const char **gids; /* borrowed from the document */
	size_t ng;
};

static void nic_new_free(struct nic_new *x)
{
	free(x->a4);
	free(x->a6);
	free(x->gids);
}

static int nic_new_parse(const json_t *doc, struct nic_new *x)
{
	memset(x, 0, sizeof(*x));
	x->owner = (uint64_t)mj_int(doc, "owner");
	const json_t *pips = json_object_get(doc, "private_ips");
	const json_t *v6s = json_object_get(doc, "ipv6s");
	const json_t *gids = json_object_get(doc, "security_group_ids");
	size_t max = 2 + json_array_size(pips) + json_array_size(v6s);
	x->a4 = malloc(max * sizeof(*x->a4));
	x->a6 = malloc(max * sizeof(*x->a6));
	x->gids = malloc((json_array_size(gids) + 1) * sizeof(*x->gids));
	if (!x->a4 || !x->a6 || !x->gids) {
		nic_new_free(x);
		return -ENOMEM;
	}
	/* An ENI's primary_ip; a classic instance's private_ip (model/instance.h). */
	addr_push(x->a4, &x->n4, x->a6, &x->n6, mj_str(doc, "primary_ip"));
	addr_push(x->a4, &x->n4, x->a6, &x->n6, mj_str(doc, "private_ip"));
	size_t i;
	const json_t *v;
	json_array_foreach(pips, i, v)
	{
		addr_push(x->a4, &x->n4, x->a6, &x->n6, json_string_value(v));
	}
	json_array_foreach(v6s, i, v)
	{
		addr_push(x->a4, &x->n4, x->a6, &x->n6, json_string_value(v));
	}
	x->n4 = addr_uniq(x->a4, x->n4);
	x->n6 = addr_uniq(x->a6, x->n6);
	json_array_foreach(gids, i, v)
	{
		const char *s = json_string_value(v);
		size_t k = 0;
		while (s && k < x->ng && strcmp(x->gids[k], s) != 0)
			k++;
		if (s && *s && k == x->ng)
			x->gids[x->ng++] = s; /* the first of a repeated id orders it */
	}
	return 0;
}

static bool addrs_eq(const struct netaddr *a, size_t na, const struct netaddr *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!netaddr_eq(&a[i], &b[i]))
			return false;
	return true;
}

static bool gids_have(const struct nic_new *x, const char *id)
{
	for (size_t i = 0; i < x->ng; i++)
		if (strcmp(x->gids[i], id) == 0)
			return true;
	return false;
}

static void link_insert(struct sgc_link *l)
{
	struct sgc_gnode *gn = l->gn;
	l->prev = NULL;
	l->next = gn->members;
	if (gn->members)
		gn->members->prev = l;
	gn->members = l;
	gn->nmembers++;
}

static void link_remove(struct sgc_link *l)
{
	struct sgc_gnode *gn = l->gn;
	if (l->prev)
		l->prev->next = l->next;
	else
		gn->members = l->next;
	if (l->next)
		l->next->prev = l->prev;
	gn->nmembers--;
}

/* Replaces NIC n's state by x (x NULL: the NIC goes), reporting. */
static int nic_replace(struct sgc_index *idx, struct sgc_nic *n, struct nic_new *x,
		       struct sgc_change *chg)
{
	static struct nic_new none;
	const struct nic_new *nx = x ? x : &none;
	bool all = n->owner != nx->owner || !addrs_eq(n->a4, n->n4, nx->a4, nx->n4) ||
		   !addrs_eq(n->a6, n->n6, nx->a6, nx->n6);
	bool same_groups = n->nlinks == nx->ng;
	for (size_t i = 0; same_groups && i < nx->ng; i++)
		same_groups = strcmp(n->links[i].gn->hn.id, nx->gids[i]) == 0;
	if (x && !all && same_groups)
		return 0;
	struct sgc_link *links = NULL;
	size_t made = 0;
	if (nx->ng && !(links = calloc(nx->ng, sizeof(*links))))
		return -ENOMEM;
	for (; made < nx->ng; made++) {
		links[made].nic = n;
		if (!(links[made].gn = gnode_get(idx, nx->gids[made]))) {
			for (size_t i = 0; i < made; i++)
				gnode_gc(idx, links[i].gn);
			free(links);
			return -ENOMEM;
		}
	}
	/* The groups whose membership changes: those left now, those joined
	 * after the links move (their members then include n either way). */
	change_add(chg, n->hn.id);
	for (size_t i = 0; i < n->nlinks; i++)
		if (all || !gids_have(nx, n->links[i].gn->hn.id))
			change_membership(chg, n->links[i].gn);
	for (size_t i = 0; i < n->nlinks; i++)
		link_remove(&n->links[i]);
	struct sgc_link *old = n->links;
	size_t nold = n->nlinks;
	for (size_t i = 0; i < nx->ng; i++)
		link_insert(&links[i]);
	n->links = links;
	n->nlinks = nx->ng;
	for (size_t i = 0; i < nold; i++)
		gnode_gc(idx, old[i].gn);
	free(old);
	free(n->a4);
	free(n->a6);
	n->owner = nx->owner;
	n->a4 = nx->a4;
	n->a6 = nx->a6;
	n->n4 = nx->n4;
	n->n6 = nx->n6;
	if (x) {
		x->a4 = x->a6 = NULL; /* moved */
	}
	for (size_t i = 0; i < n->nlinks; i++)
		change_membership(chg, n->links[i].gn);
	return 0;
}

static void nic_free(struct sgc_nic *n)
{
	free(n->a4);
	free(n->a6);
	free(n->links);
	free(n->hn.id);
	free(n);
}

int sgc_index_del_nic(struct sgc_index *idx, const char *id, struct sgc_change *chg)
{
	struct sgc_nic *n = (struct sgc_nic *)hmap_find(&idx->nics, id);
	if (!n)
		return 0;
	int rc = nic_replace(idx, n, NULL, chg);
	if (rc < 0)
		return rc;
	hmap_remove(&idx->nics, &n->hn);
	nic_free(n);
	return 0;
}

int sgc_index_put_nic(struct sgc_index *idx, const json_t *doc, struct sgc_change *chg)
{
	const char *id = mj_str(doc, "id");
	if (!*id)
		return -EINVAL;
	if (!nic_doc_is_nic(doc))
		return sgc_index_del_nic(idx, id, chg);
	struct nic_new x;
	if (nic_new_parse(doc, &x) < 0)
		return -ENOMEM;
	struct sgc_nic *n = (struct sgc_nic *)hmap_find(&idx->nics, id);
	bool fresh = !n;
	int rc = -ENOMEM;
	if (fresh) {
		if (!(n = calloc(1, sizeof(*n))) || !(n->hn.id = strdup(id)))
			goto fail;
		/* A new NIC differs from the empty one it replaces by its owner. */
		n->owner = x.owner + 1;
		if (hmap_insert(&idx->nics, &n->hn) < 0)
			goto fail;
	}
	rc = nic_replace(idx, n, &x, chg);
	if (rc < 0 && fresh) {
		hmap_remove(&idx->nics, &n->hn);
		goto fail;
	}
	nic_new_free(&x);
	return rc;
fail:
	if (fresh && n) {
		free(n->hn.id);
		free(n);
	}
	nic_new_free(&x);
	return rc;
}

bool sgc_index_has_nic(const struct sgc_index *idx, const char *nic_id)
{
	return hmap_find(&idx->nics, nic_id) != NULL;
}

size_t sgc_index_nic_count(const struct sgc_index *idx)
{
	return idx->nics.n;
}

int sgc_index_dependents(const struct sgc_index *idx, const char *group_id, sgc_nic_cb cb,
			 void *arg)
{
	const struct sgc_gnode *gn = gnode_find(idx, group_id);
	if (!gn)
		return 0;
	struct sgc_change c;
	sgc_change_init(&c);
	change_members(&c, gn);
	for (size_t i = 0; i < gn->nref; i++)
		change_members(&c, gn->referrers[i]);
	int rc = c.err;
	for (size_t i = 0; rc == 0 && i < c.n; i++)
		cb(arg, c.nics[i]);
	sgc_change_fini(&c);
	return rc;
}

/* --- index life ----------------------------------------------------------------------- */

struct sgc_index *sgc_index_create(void)
{
	struct sgc_index *idx = calloc(1, sizeof(*idx));
	if (idx)
		idx->next_fresh = 1;
	return idx;
}

void sgc_index_destroy(struct sgc_index *idx)
{
	if (!idx)
		return;
	for (size_t b = 0; b < idx->nics.nb; b++) {
		struct sgc_hnode *x = idx->nics.b[b], *next;
		for (; x; x = next) {
			next = x->next;
			nic_free((struct sgc_nic *)x);
		}
	}
	for (size_t b = 0; b < idx->groups.nb; b++) {
		struct sgc_hnode *x = idx->groups.b[b], *next;
		for (; x; x = next) {
			next = x->next;
			struct sgc_gnode *gn = (struct sgc_gnode *)x;
			group_free(gn->g);
			free(gn->referrers);
			free(gn->hn.id);
			free(gn);
		}
	}
	free(idx->nics.b);
	free(idx->groups.b);
	free(idx);
}

/* --- compiled tables ---------------------------------------------------------------------- */

void sgc_tables_init(struct sgc_tables *t)
{
	memset(t, 0, sizeof(*t));
}

void sgc_tables_fini(struct sgc_tables *t)
{
	if (!t)
		return;
	for (int e = 0; e < 2; e++)
		for (int f = 0; f < 2; f++)
			free(t->t[e][f].e);
	for (size_t i = 0; i < t->nsets; i++)
		free(t->sets[i].r);
	free(t->sets);
	sgc_tables_init(t);
}

static bool set_eq(const struct sgc_ruleset *a, const struct sgc_ruleset *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->r, b->r, a->n * sizeof(*a->r)) == 0);
}

bool sgc_tables_equal(const struct sgc_tables *a, const struct sgc_tables *b)
{
	for (int e = 0; e < 2; e++)
		for (int f = 0; f < 2; f++) {
			const struct sgc_table *x = &a->t[e][f], *y = &b->t[e][f];
			if (x->n != y->n)
				return false;
			for (size_t i = 0; i < x->n; i++) {
				const struct sgc_entry *p = &x->e[i], *q = &y->e[i];
				if (memcmp(p->addr, q->addr, 16) != 0 || p->plen != q->plen ||
				    p->val.flags != q->val.flags || p->val.ruleset >= a->nsets ||
				    q->val.ruleset >= b->nsets ||
				    !set_eq(&a->sets[p->val.ruleset], &b->sets[q->val.ruleset]))
					return false;
			}
		}
	return true;
}

static void addr_bytes(const struct netaddr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (a->family == NETADDR_V4) {
		uint32_t v = (uint32_t)a->lo;
		for (int i = 0; i < 4; i++)
			out[i] = (uint8_t)(v >> (24 - 8 * i));
		return;
	}
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(a->hi >> (56 - 8 * i));
		out[8 + i] = (uint8_t)(a->lo >> (56 - 8 * i));
	}
}

/* addr with the bits from len on cleared, into out. */
static void bytes_mask(const uint8_t addr[16], unsigned len, uint8_t out[16])
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo = i * 8;
		if (len >= lo + 8)
			out[i] = addr[i];
		else if (len <= lo)
			out[i] = 0;
		else
			out[i] = (uint8_t)(addr[i] & (0xff00u >> (len - lo)));
	}
}

/* Is a inside p/len (the first len bits equal)? */
static bool bytes_in(const uint8_t p[16], unsigned len, const uint8_t a[16])
{
	uint8_t m[16];
	bytes_mask(a, len, m);
	return memcmp(m, p, (len + 7) / 8) == 0;
}

/* A candidate rule of one table. */
struct cand {
	const struct sgc_rule *r;
	size_t gpos, rpos;
	struct dp_sg_rule dr;
};

static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->r->priority != b->r->priority)
		return a->r->priority < b->r->priority ? -1 : 1;
	if (a->r->action != b->r->action)
		return a->r->action == DP_ACT_DROP ? -1 : 1;
	if (a->gpos != b->gpos)
		return a->gpos < b->gpos ? -1 : 1;
	return a->rpos < b->rpos ? -1 : a->rpos > b->rpos;
}

/* One (prefix, candidate) pair; cand = PI_INNER marks an inner peer,
 * PI_DEFAULT the 0/0 region. */
#define PI_INNER UINT32_MAX
#define PI_DEFAULT (UINT32_MAX - 1)
struct pitem {
	uint8_t addr[16];
	uint8_t plen;
	uint32_t cand;
};

static int pitem_pfx_cmp(const struct pitem *a, const struct pitem *b)
{
	int c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return (int)a->plen - (int)b->plen;
}

static int pitem_cmp(const void *pa, const void *pb)
{
	const struct pitem *a = pa, *b = pb;
	int c = pitem_pfx_cmp(a, b);
	if (c)
		return c;
	return a->cand < b->cand ? -1 : a->cand > b->cand;
}

static int u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	return a < b ? -1 : a > b;
}

/* A growable array. */
struct vec {
	void *v;
	size_t n, cap, sz;
};

static void *vec_push(struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *p = realloc(v->v, cap * v->sz);
		if (!p)
			return NULL;
		v->v = p;
		v->cap = cap;
	}
	return (char *)v->v + v->sz * v->n++;
}

/* The rule sets of one NIC, interned by content. */
struct pool {
	struct sgc_tables *t;
	size_t cap;
	uint32_t *slots; /* set index + 1 */
	uint64_t *hash;	 /* per set */
	size_t nslots;
};

static uint64_t set_hash(const struct dp_sg_rule *r, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	const uint8_t *p = (const uint8_t *)r;
	for (size_t i = 0; i < n * sizeof(*r); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static size_t pool_slot(const struct pool *p, uint64_t h, const struct dp_sg_rule *r, size_t n)
{
	size_t mask = p->nslots - 1, i = (size_t)h & mask;
	for (; p->slots[i]; i = (i + 1) & mask) {
		uint32_t k = p->slots[i] - 1;
		const struct sgc_ruleset *s = &p->t->sets[k];
		if (p->hash[k] == h && s->n == n && memcmp(s->r, r, n * sizeof(*r)) == 0)
			break;
	}
	return i;
}

static int pool_grow(struct pool *p)
{
	size_t cap = p->cap ? p->cap * 2 : 16;
	struct sgc_ruleset *s = realloc(p->t->sets, cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	p->t->sets = s;
	uint64_t *h = realloc(p->hash, cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	p->hash = h;
	p->cap = cap;
	size_t ns = cap * 2;
	uint32_t *sl = calloc(ns, sizeof(*sl));
	if (!sl)
		return -ENOMEM;
	free(p->slots);
	p->slots = sl;
	p->nslots = ns;
	for (size_t k = 1; k < p->t->nsets; k++) {
		const struct sgc_ruleset *x = &p->t->sets[k];
		p->slots[pool_slot(p, p->hash[k], x->r, x->n)] = (uint32_t)k + 1;
	}
	return 0;
}

/* The set number of r[0..n): 0 for the empty set. */
static int pool_intern(struct pool *p, const struct dp_sg_rule *r, size_t n, uint32_t *out)
{
	if (n == 0) {
		*out = 0;
		return 0;
	}
	if (p->t->nsets + 1 > p->cap && pool_grow(p) < 0)
		return -ENOMEM;
	uint64_t h = set_hash(r, n);
	size_t i = pool_slot(p, h, r, n);
	if (p->slots[i]) {
		*out = p->slots[i] - 1;
		return 0;
	}
	struct dp_sg_rule *c = malloc(n * sizeof(*c));
	if (!c)
		return -ENOMEM;
	memcpy(c, r, n * sizeof(*c));
	size_t k = p->t->nsets++;
	p->t->sets[k] = (struct sgc_ruleset){.r = c, .n = n};
	p->hash[k] = h;
	p->slots[i] = (uint32_t)k + 1;
	*out = (uint32_t)k;
	return 0;
}

static int push_pitem(struct vec *items, const struct netaddr *a, unsigned plen, uint32_t cand)
{
	struct pitem *it = vec_push(items);
	if (!it)
		return -ENOMEM;
	uint8_t b[16];
	addr_bytes(a, b);
	bytes_mask(b, plen, it->addr);
	it->plen = (uint8_t)plen;
	it->cand = cand;
	return 0;
}

/* Every address of family v6 of the members of gn owned by owner. */
static int push_members(struct vec *items, const struct sgc_gnode *gn, uint64_t owner, bool v6,
			uint32_t cand)
{
	for (const struct sgc_link *l = gn->members; l; l = l->next) {
		const struct sgc_nic *m = l->nic;
		if (m->owner != owner)
			continue;
		const struct netaddr *a = v6 ? m->a6 : m->a4;
		size_t na = v6 ? m->n6 : m->n4;
		for (size_t i = 0; i < na; i++)
			if (push_pitem(items, &a[i], v6 ? 128 : 32, cand) < 0)
				return -ENOMEM;
	}
	return 0;
}

static bool rule_has_peer_of(const struct sgc_rule *r, uint8_t family)
{
	for (size_t i = 0; i < r->npc; i++)
		if (r->pc[i].addr.family == family)
			return true;
	return false;
}

/* Steps 1 and 2 of the header for one table: the sorted candidates. */
static int table_cands(const struct sgc_nic *n, bool egress, bool v6, struct vec *cands)
{
	for (size_t i = 0; i < n->nlinks; i++) {
		const struct sgc_group *g = n->links[i].gn->g;
		if (!g || g->owner != n->owner)
			continue; /* sg_nic_load: m_get_owned(nic's owner) */
		for (size_t j = 0; j < g->nrules; j++) {
			const struct sgc_rule *r = &g->rules[j];
			if (r->egress != egress || r->never || (!g->vpc && r->internet))
				continue;
			uint8_t fam = v6 ? NETADDR_V6 : NETADDR_V4;
			if (r->has_local && r->lc.addr.family != fam)
				continue;
			if (!r->peer && !rule_has_peer_of(r, fam))
				continue;
			struct cand *c = vec_push(cands);
			if (!c)
				return -ENOMEM;
			memset(c, 0, sizeof(*c));
			c->r = r;
			c->gpos = i;
			c->rpos = j;
			c->dr.proto = r->proto;
			c->dr.action = r->action;
			c->dr.priority = (uint16_t)(r->priority < 0	   ? 0
						    : r->priority > 0xffff ? 0xffff
									   : r->priority);
			c->dr.port_lo = r->plo;
			c->dr.port_hi = r->phi;
			c->dr.sport_lo = r->slo;
			c->dr.sport_hi = r->shi;
			c->dr.counter = r->counter;
			if (r->has_local) {
				c->dr.local_plen = r->lc.len;
				addr_bytes(&r->lc.addr, c->dr.local_addr);
			}
		}
	}
	if (cands->n > 1)
		qsort(cands->v, cands->n, sizeof(struct cand), cand_cmp);
	return 0;
}

static int compile_table(const struct sgc_nic *n, bool egress, bool v6, struct pool *pool,
			 struct sgc_table *out)
{
	struct vec cands = {.sz = sizeof(struct cand)}, items = {.sz = sizeof(struct pitem)};
	struct vec ents = {.sz = sizeof(struct sgc_entry)}, ranges = {.sz = sizeof(size_t)};
	uint32_t *scratch = NULL;
	struct dp_sg_rule *rules = NULL;
	int rc = -ENOMEM;
	if ((rc = table_cands(n, egress, v6, &cands)) < 0)
		goto out;
	rc = -ENOMEM;
	const struct cand *cv = cands.v;
	struct netaddr zero = {.family = v6 ? NETADDR_V6 : NETADDR_V4};
	if (push_pitem(&items, &zero, 0, PI_DEFAULT) < 0)
		goto out;
	for (uint32_t k = 0; k < cands.n; k++) {
		const struct sgc_rule *r = cv[k].r;
		if (r->peer) {
			const struct sgc_group *g = n->links[cv[k].gpos].gn->g;
			if (push_members(&items, r->peer, r->peer_owner ? r->peer_owner : g->owner,
					 v6, k) < 0)
				goto out;
		} else {
			for (size_t i = 0; i < r->npc; i++)
				if (r->pc[i].addr.family == (v6 ? NETADDR_V6 : NETADDR_V4) &&
				    push_pitem(&items, &r->pc[i].addr, r->pc[i].len, k) < 0)
					goto out;
		}
	}
	/* Step 3: inner peers. */
	for (size_t i = 0; i < n->nlinks; i++) {
		const struct sgc_gnode *gn = n->links[i].gn;
		if (gn->g && gn->g->owner == n->owner && gn->g->accept &&
		    push_members(&items, gn, n->owner, v6, PI_INNER) < 0)
			goto out;
	}
	/* Step 4: the regions, sorted by prefix; ranges[e] = first item of e. */
	struct pitem *it = items.v;
	qsort(it, items.n, sizeof(*it), pitem_cmp);
	bool lens[129] = {false};
	for (size_t i = 0; i < items.n; i++) {
		if (i > 0 && pitem_pfx_cmp(&it[i], &it[i - 1]) == 0)
			continue;
		size_t *r = vec_push(&ranges);
		struct sgc_entry *e = vec_push(&ents);
		if (!r || !e)
			goto out;
		*r = i;
		memset(e, 0, sizeof(*e));
		memcpy(e->addr, it[i].addr, 16);
		e->plen = it[i].plen;
		lens[e->plen] = true;
	}
	size_t *rv = ranges.v;
	struct sgc_entry *ev = ents.v;
	size_t nents = ents.n;
	if (!(scratch = malloc((items.n + 1) * sizeof(*scratch))) ||
	    !(rules = malloc((cands.n + 1) * sizeof(*rules))))
		goto out;
	for (size_t e = 0; e < nents; e++) {
		size_t ns = 0;
		for (unsigned len = 0; len <= ev[e].plen; len++) {
			if (!lens[len])
				continue;
			/* The region's ancestor of this length, if it is one. */
			struct pitem key = {.plen = (uint8_t)len};
			bytes_mask(ev[e].addr, len, key.addr);
			size_t lo = 0, hi = nents;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				struct pitem m = {.plen = ev[mid].plen};
				memcpy(m.addr, ev[mid].addr, 16);
				if (pitem_pfx_cmp(&m, &key) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo == nents || ev[lo].plen != len || memcmp(ev[lo].addr, key.addr, 16))
				continue;
			size_t end = lo + 1 < nents ? rv[lo + 1] : items.n;
			for (size_t i = rv[lo]; i < end; i++) {
				if (it[i].cand == PI_INNER) {
					if (lo == e)
						ev[e].val.flags |= DP_SG_INNER;
				} else if (it[i].cand != PI_DEFAULT &&
					   (ns == 0 || scratch[ns - 1] != it[i].cand)) {
					scratch[ns++] = it[i].cand;
				}
			}
		}
		qsort(scratch, ns, sizeof(*scratch), u32_cmp);
		size_t nr = 0;
		for (size_t i = 0; i < ns; i++)
			if (i == 0 || scratch[i] != scratch[i - 1])
				rules[nr++] = cv[scratch[i]].dr;
		if (nr > SGC_SET_RULES_MAX) {
			rc = -E2BIG;
			goto out;
		}
		if (pool_intern(pool, rules, nr, &ev[e].val.ruleset) < 0)
			goto out;
	}
	out->e = ents.v;
	out->n = ents.n;
	ents.v = NULL;
	rc = 0;
out:
	free(cands.v);
	free(items.v);
	free(ents.v);
	free(ranges.v);
	free(scratch);
	free(rules);
	return rc;
}

int sgc_compile_nic(const struct sgc_index *idx, const char *nic_id, struct sgc_tables *out)
{
	sgc_tables_init(out);
	const struct sgc_nic *n = (const struct sgc_nic *)hmap_find(&idx->nics, nic_id);
	if (!n)
		return -ENOENT;
	struct pool pool = {.t = out};
	int rc = pool_grow(&pool);
	if (rc == 0) {
		out->sets[0] = (struct sgc_ruleset){0};
		pool.hash[0] = 0;
		out->nsets = 1;
	}
	for (int e = 0; rc == 0 && e < 2; e++)
		for (int f = 0; rc == 0 && f < 2; f++)
			rc = compile_table(n, e, f, &pool, &out->t[e][f]);
	free(pool.slots);
	free(pool.hash);
	if (rc < 0)
		sgc_tables_fini(out);
	return rc;
}

/* --- writing ------------------------------------------------------------------------------- */

uint32_t sgc_chunk_count(const struct sgc_ruleset *s)
{
	return (uint32_t)((s->n + DP_SG_CHUNK_RULES - 1) / DP_SG_CHUNK_RULES);
}

void sgc_chunk(const struct sgc_ruleset *s, uint32_t k, struct dp_sg_chunk *out)
{
	memset(out, 0, sizeof(*out));
	size_t first = (size_t)k * DP_SG_CHUNK_RULES;
	if (first >= s->n)
		return;
	size_t n = s->n - first;
	if (n > DP_SG_CHUNK_RULES)
		n = DP_SG_CHUNK_RULES;
	memcpy(out->r, s->r + first, n * sizeof(*out->r));
	out->n = (dp_u32)n;
	out->more = first + n < s->n;
}

void sgc_entry_key(const struct sgc_entry *e, uint32_t eni, unsigned slot, bool egress, bool v6,
		   struct dp_sg_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = 32 + e->plen;
	key->table = DP_SG_TABLE(eni, slot & 1, egress, v6);
	memcpy(key->addr, e->addr, 16);
}

/* --- evaluating ---------------------------------------------------------------------------- */

static bool rule_hit(const struct dp_sg_rule *r, const uint8_t local[16], uint8_t proto,
		     uint16_t sport, uint16_t dport)
{
	if (r->proto && r->proto != proto)
		return false;
	if (dport < r->port_lo || dport > r->port_hi || sport < r->sport_lo || sport > r->sport_hi)
		return false;
	return !r->local_plen || bytes_in(r->local_addr, r->local_plen, local);
}

static int eval_impl(const struct sgc_tables *t, bool egress, int family, const uint8_t remote[16],
		     const uint8_t local[16], uint8_t proto, uint16_t sport, uint16_t dport,
		     int *verdict, uint32_t *counter, bool *inner, bool *matched)
{
	*matched = false;
	if (family != 4 && family != 6)
		return -EINVAL;
	const struct sgc_table *tb = &t->t[egress][family == 6];
	uint8_t key[16];
	memcpy(key, remote, 16);
	if (family == 4)
		memset(key + 4, 0, 12);
	/* The trie's longest match. */
	const struct sgc_entry *best = NULL;
	for (size_t i = 0; i < tb->n; i++)
		if ((!best || tb->e[i].plen > best->plen) &&
		    bytes_in(tb->e[i].addr, tb->e[i].plen, key))
			best = &tb->e[i];
	*inner = false;
	*counter = 0;
	*verdict = egress ? DP_ACT_ACCEPT : DP_ACT_DROP;
	if (best && (best->val.flags & DP_SG_INNER)) {
		*inner = true;
		*verdict = DP_ACT_ACCEPT;
		return 0;
	}
	if (!best || !best->val.ruleset)
		return 0;
	if (best->val.ruleset >= t->nsets)
		return -EINVAL;
	const struct sgc_ruleset *s = &t->sets[best->val.ruleset];
	/* dp_sg_chunk_cb under bpf_loop(DP_SG_CHUNKS_PER_SET). */
	for (uint32_t c = 0; c < DP_SG_CHUNKS_PER_SET; c++) {
		if (c >= sgc_chunk_count(s))
			break; /* no such chunk in the map */
		struct dp_sg_chunk ch;
		sgc_chunk(s, c, &ch);
		for (uint32_t j = 0; j < DP_SG_CHUNK_RULES && j < ch.n; j++)
			if (rule_hit(&ch.r[j], local, proto, sport, dport)) {
				*verdict = ch.r[j].action;
				*counter = ch.r[j].counter;
				*matched = true;
				return 0;
			}
		if (!ch.more)
			break;
	}
	return 0;
}

int sgc_eval(const struct sgc_tables *t, bool egress, int family, const uint8_t remote[16],
	     const uint8_t local[16], uint8_t proto, uint16_t sport, uint16_t dport, int *verdict,
	     uint32_t *counter, bool *inner)
{
	bool matched;
	return eval_impl(t, egress, family, remote, local, proto, sport, dport, verdict, counter,
			 inner, &matched);
}

int sgc_decide(const struct sgc_tables *src, const struct sgc_tables *dst, const struct sgc_flow *f,
	       struct sgc_decision *out)
{
	int v = 0;
	uint32_t ctr = 0;
	bool inner = false, matched = false;
	int rc;
	memset(out, 0, sizeof(*out));
	if (src) {
		rc = eval_impl(src, true, f->family, f->dst, f->src, f->proto, f->sport, f->dport,
			       &v, &ctr, &inner, &matched);
		if (rc < 0)
			return rc;
		if (inner) {
			*out = (struct sgc_decision){.accept = true, .by = SGC_BY_INNER};
			return 0;
		}
		if (v == DP_ACT_DROP) {
			*out = (struct sgc_decision){.by = SGC_BY_EGRESS, .counter = ctr};
			return 0;
		}
	}
	if (!dst) {
		*out = (struct sgc_decision){.accept = true, .by = SGC_BY_OUTSIDE, .counter = ctr};
		return 0;
	}
	rc = eval_impl(dst, false, f->family, f->src, f->dst, f->proto, f->sport, f->dport, &v,
		       &ctr, &inner, &matched);
	if (rc < 0)
		return rc;
	if (inner)
		*out = (struct sgc_decision){.accept = true, .by = SGC_BY_INNER};
	else
		*out =
		    (struct sgc_decision){.accept = v == DP_ACT_ACCEPT,
					  .by = matched ? SGC_BY_INGRESS : SGC_BY_INGRESS_DEFAULT,
					  .counter = ctr};
	return 0;
}
