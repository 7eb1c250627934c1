/*
 * dpsync: see dpsync.h.
 *
 * State.  Documents are kept as jansson objects keyed by id (jansson's
 * object is the hash table): instances, ENIs, vSwitches, route tables and
 * custom route entries.  Security groups and NIC membership live in the
 * agent/sgcompile.h index.  What was written to the kernel is kept beside
 * it ("shadow"), per ENI and per route table, so apply writes differences
 * only, and so it can be read back from the pinned maps after a restart.
 *
 * Invariants:
 *  1. An ENI has an index (and map entries) exactly while its device
 *     exists; the index is recorded with its id in map "eni", so a restart
 *     keeps it.
 *  2. Security-group tables of an ENI are written into the slot that is not
 *     live, then dp_eni.sg_slot flips (with the policy generation bumped) in
 *     one update, then the old slot's entries and rule sets are deleted.
 *  3. A route table's generation is bumped whenever one of its entries
 *     changes, so flows decided under the old table are decided again.
 */
#include "agent/dpsync.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/netdev.h"
#include "agent/sgcompile.h"
#include "lib/log.h"
#include "lib/netaddr.h"
#include "model/config.h"
#include "model/model.h"
#include "model/vswitch.h"

/* Time spent per phase since start, µs (logged with the first sync). */
static uint64_t dps_t_netns, dps_t_veth, dps_t_inside, dps_t_sg, dps_t_attach;
static uint64_t dps_now_us(void);

/* --- small index allocator ------------------------------------------------ */

struct dps_alloc {
	uint8_t *used;
	uint32_t max, next;
};

static int dps_alloc_init(struct dps_alloc *a, uint32_t max)
{
	a->used = calloc(max, 1);
	a->max = max;
	a->next = 1;
	return a->used ? 0 : -ENOMEM;
}

static uint32_t dps_alloc_get(struct dps_alloc *a)
{
	for (uint32_t k = 0; k < a->max; k++) {
		uint32_t i = (a->next + k) % a->max;
		if (i == 0 || a->used[i])
			continue;
		a->used[i] = 1;
		a->next = i + 1;
		return i;
	}
	return 0;
}

static void dps_alloc_put(struct dps_alloc *a, uint32_t i)
{
	if (i && i < a->max)
		a->used[i] = 0;
}

/* --- shadow: what is in the kernel ---------------------------------------- */

struct dps_eni {
	char id[32];
	uint32_t idx;
	struct dp_eni val;
	struct dp_addr_key *addrs;
	size_t n_addrs;
	uint32_t prof; /* its security-group profile (index), 0 before the first */
	bool attached; /* the program is on its device (this run, or read back) */
};

/* A security-group profile: the tables shared by the NICs of one owner
 * with one set of groups (dp.h "security groups"). */
struct dps_prof {
	char key[256]; /* owner:sg-a,sg-b,... */
	uint32_t idx;
	uint32_t refs;
	char rep[32]; /* a member, to compile the tables from */
	struct dp_sgp val;
	struct dp_sg_key *keys; /* of the live slot */
	size_t n_keys;
	uint32_t *sets; /* global rule-set ids of the live slot, and their chunk counts */
	uint32_t *set_chunks;
	size_t n_sets;
};

struct dps_rtb {
	char id[32];
	uint32_t idx;
	struct dp_route_key *keys;
	struct dp_route_val *vals;
	size_t n;
};

struct dpsync {
	char prefix[DPSYNC_PREFIX_MAX + 1];
	int lock_fd; /* flock on /run/openvpc/dp-<prefix>.lock: one daemon per prefix */
	const struct model_config *cfg;
	bool tap;
	struct dpload *dl;
	const struct dpload_maps *m;
	pthread_mutex_t lock;

	json_t *inst, *eni, *vsw, *vtb, *rte; /* id -> document */
	json_t *inst_enis; /* instance id -> {eni id: true}: the ENIs that follow an instance */
	json_t *dirty_inst, *dirty_eni, *dirty_vtb, *dirty_sg; /* id -> true */
	struct sgc_index *sgi;
	struct sgc_change sgchg;

	struct dps_alloc eni_idx, net_idx, rtb_idx, set_idx, prof_idx;
	struct dps_prof **profs; /* by profile index */
	json_t *prof_by_key;	 /* key -> index */
	json_t *dirty_prof;	 /* index (as text) -> true */
	json_t *net_of;		 /* vpc id -> index */
	json_t *vsw_of;		 /* vsw id -> small number */
	uint32_t vsw_next;
	struct dps_eni **enis; /* by ENI index */
	struct dps_rtb **rtbs; /* by table index */
	json_t *eni_by_id;     /* id -> index */
	bool first_done;
	struct dpsync_stats st;
	uint32_t ring[1024]; /* apply durations, µs */
	uint32_t ring_n;
	json_t *rtb_by_id;
};

static const char *dps_kind_of(const char *key, char *id, size_t idlen)
{
	/* /r/<owner>/<kind>/<id> */
	const char *p = strchr(key + 3, '/');
	if (!p)
		return NULL;
	const char *k = p + 1, *q = strchr(k, '/');
	if (!q)
		return NULL;
	snprintf(id, idlen, "%s", q + 1);
	static __thread char kind[16];
	size_t n = (size_t)(q - k);
	if (n >= sizeof(kind))
		return NULL;
	memcpy(kind, k, n);
	kind[n] = 0;
	return kind;
}

static void dps_mark(json_t *set, const char *id)
{
	json_object_set_new(set, id, json_true());
}

/* --- names ----------------------------------------------------------------- */

static void dps_netns_name(const struct dpsync *s, const char *inst_id, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", s->prefix, inst_id);
}

/* prefix + base32 of a 64-bit FNV-1a of the ENI id: 15 characters at most. */
static void dps_dev_name(const struct dpsync *s, const char *eni_id, char *buf)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *c = eni_id; *c; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ull;
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	size_t pl = strlen(s->prefix), n = 15 - pl;
	if (n > 10)
		n = 10;
	memcpy(buf, s->prefix, pl);
	for (size_t i = 0; i < n; i++) {
		buf[pl + i] = b32[h & 31];
		h >>= 5;
	}
	buf[pl + n] = 0;
}

static bool dps_parse_mac(const char *t, uint8_t mac[6])
{
	unsigned v[6];
	if (sscanf(t, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return true;
}

/* A netaddr (host order) as dp.h's 16 network-order bytes. */
static void dps_addr16(const struct netaddr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (a->family == NETADDR_V4) {
		uint32_t v = htonl((uint32_t)a->lo);
		memcpy(out, &v, 4);
	} else {
		for (int i = 0; i < 8; i++) {
			out[i] = (uint8_t)(a->hi >> (56 - 8 * i));
			out[8 + i] = (uint8_t)(a->lo >> (56 - 8 * i));
		}
	}
}

static void dps_addr_from16(int family, const uint8_t in[16], char *buf)
{
	inet_ntop(family == 6 ? AF_INET6 : AF_INET, in, buf, NETADDR_STRLEN);
}

/* --- lifecycle ------------------------------------------------------------- */

static int dps_readback(struct dpsync *s);

int dpsync_create(const struct dpsync_opts *o, struct dpsync **out, char *why, size_t whylen)
{
	*out = NULL;
	size_t pl = strlen(o->prefix);
	if (pl == 0 || pl > DPSYNC_PREFIX_MAX ||
	    strspn(o->prefix, "abcdefghijklmnopqrstuvwxyz0123456789") != pl) {
		snprintf(why, whylen, "the data-plane prefix must be 1 to %d of [a-z0-9]",
			 DPSYNC_PREFIX_MAX);
		return -EINVAL;
	}
	/* Two daemons on one prefix would remove each other's namespaces when
	 * they reconcile: the prefix is taken with a lock held for the
	 * process's life (released by the kernel when it dies, even by kill -9). */
	char lock[96];
	mkdir("/run/openvpc", 0700);
	snprintf(lock, sizeof(lock), "/run/openvpc/dp-%s.lock", o->prefix);
	int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0) {
		int e = errno;
		snprintf(why, whylen, "cannot open %s: %s", lock, strerror(e));
		return -e;
	}
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t n = pread(lfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = 0;
		pid[strcspn(pid, "\n")] = 0;
		snprintf(why, whylen,
			 "the prefix %s is in use by another openvpcd (pid %s); give this one "
			 "another --dp-prefix",
			 o->prefix, *pid ? pid : "?");
		close(lfd);
		return -EBUSY;
	}
	char pidtxt[32];
	int pl2 = snprintf(pidtxt, sizeof(pidtxt), "%d\n", (int)getpid());
	if (ftruncate(lfd, 0) == 0 && pwrite(lfd, pidtxt, (size_t)pl2, 0) < 0)
		log_debug("dataplane: cannot write %s", lock);
	struct dpsync *s = calloc(1, sizeof(*s));
	if (!s) {
		close(lfd);
		return -ENOMEM;
	}
	s->lock_fd = lfd;
	s->cfg = o->cfg;
	snprintf(s->prefix, sizeof(s->prefix), "%s", o->prefix);
	s->tap = o->tap;
	pthread_mutex_init(&s->lock, NULL);
	int rc = dpload_open(s->prefix, &s->dl, why, whylen);
	if (rc < 0) {
		pthread_mutex_destroy(&s->lock);
		close(s->lock_fd);
		free(s);
		return rc;
	}
	s->m = dpload_maps(s->dl);
	s->inst = json_object();
	s->inst_enis = json_object();
	s->eni = json_object();
	s->vsw = json_object();
	s->vtb = json_object();
	s->rte = json_object();
	s->dirty_inst = json_object();
	s->dirty_eni = json_object();
	s->dirty_vtb = json_object();
	s->dirty_sg = json_object();
	s->prof_by_key = json_object();
	s->dirty_prof = json_object();
	s->net_of = json_object();
	s->vsw_of = json_object();
	s->eni_by_id = json_object();
	s->rtb_by_id = json_object();
	s->sgi = sgc_index_create();
	sgc_change_init(&s->sgchg);
	s->enis = calloc(DP_ENI_MAX, sizeof(*s->enis));
	s->rtbs = calloc(DP_RTB_MAX, sizeof(*s->rtbs));
	if (!s->sgi || !s->enis || !s->rtbs || dps_alloc_init(&s->eni_idx, DP_ENI_MAX) < 0 ||
	    dps_alloc_init(&s->net_idx, DP_VPC_MAX) < 0 ||
	    dps_alloc_init(&s->rtb_idx, DP_RTB_MAX) < 0 ||
	    dps_alloc_init(&s->set_idx, DP_SG_CHUNK_MAX) < 0 ||
	    dps_alloc_init(&s->prof_idx, DP_SGP_MAX) < 0 ||
	    !(s->profs = calloc(DP_SGP_MAX, sizeof(*s->profs)))) {
		dpsync_destroy(s);
		return -ENOMEM;
	}
	rc = dps_readback(s);
	if (rc < 0) {
		snprintf(why, whylen, "cannot read the pinned maps back: %s", strerror(-rc));
		dpsync_destroy(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void dps_eni_free(struct dps_eni *e)
{
	if (!e)
		return;
	free(e->addrs);
	free(e);
}

void dpsync_destroy(struct dpsync *s)
{
	if (!s)
		return;
	json_decref(s->inst);
	json_decref(s->inst_enis);
	json_decref(s->eni);
	json_decref(s->vsw);
	json_decref(s->vtb);
	json_decref(s->rte);
	json_decref(s->dirty_inst);
	json_decref(s->dirty_eni);
	json_decref(s->dirty_vtb);
	json_decref(s->dirty_sg);
	json_decref(s->prof_by_key);
	json_decref(s->dirty_prof);
	if (s->profs)
		for (uint32_t i = 0; i < DP_SGP_MAX; i++)
			if (s->profs[i]) {
				free(s->profs[i]->keys);
				free(s->profs[i]->sets);
				free(s->profs[i]->set_chunks);
				free(s->profs[i]);
			}
	free(s->profs);
	free(s->prof_idx.used);
	json_decref(s->net_of);
	json_decref(s->vsw_of);
	json_decref(s->eni_by_id);
	json_decref(s->rtb_by_id);
	sgc_index_destroy(s->sgi);
	sgc_change_fini(&s->sgchg);
	if (s->enis)
		for (uint32_t i = 0; i < DP_ENI_MAX; i++)
			dps_eni_free(s->enis[i]);
	if (s->rtbs)
		for (uint32_t i = 0; i < DP_RTB_MAX; i++)
			if (s->rtbs[i]) {
				free(s->rtbs[i]->keys);
				free(s->rtbs[i]->vals);
				free(s->rtbs[i]);
			}
	free(s->enis);
	free(s->rtbs);
	free(s->eni_idx.used);
	free(s->net_idx.used);
	free(s->rtb_idx.used);
	free(s->set_idx.used);
	dpload_close(s->dl);
	pthread_mutex_destroy(&s->lock);
	if (s->lock_fd > 0)
		close(s->lock_fd);
	free(s);
}

const char *dpsync_prefix(const struct dpsync *s)
{
	return s->prefix;
}

const char *dpsync_backend(const struct dpsync *s)
{
	return s->tap ? "tap" : "netns";
}

/* --- read back (restart) ----------------------------------------------------- */

static void *dps_grow(void *p, size_t n, size_t size)
{
	/* grows by powers of two: n is the count before the append */
	if (n && (n & (n - 1)))
		return p;
	void *q = realloc(p, (n ? n * 2 : 4) * size);
	if (!q)
		fatal("out of memory");
	return q;
}

static int dps_readback(struct dpsync *s)
{
	/* Networks and route tables by owner id. */
	for (uint32_t i = 1; i < DP_VPC_MAX; i++) {
		struct dp_net n;
		if (bpf_map_lookup_elem(s->m->net, &i, &n) == 0 && n.id[0]) {
			n.id[sizeof(n.id) - 1] = 0;
			s->net_idx.used[i] = 1;
			json_object_set_new(s->net_of, n.id, json_integer(i));
		}
	}
	for (uint32_t i = 1; i < DP_RTB_MAX; i++) {
		struct dp_rtb t;
		if (bpf_map_lookup_elem(s->m->rtb, &i, &t) == 0 && t.id[0]) {
			t.id[sizeof(t.id) - 1] = 0;
			s->rtb_idx.used[i] = 1;
			struct dps_rtb *r = calloc(1, sizeof(*r));
			if (!r)
				return -ENOMEM;
			snprintf(r->id, sizeof(r->id), "%s", t.id);
			r->idx = i;
			s->rtbs[i] = r;
			json_object_set_new(s->rtb_by_id, t.id, json_integer(i));
		}
	}
	for (uint32_t i = 1; i < DP_ENI_MAX; i++) {
		struct dp_eni e;
		if (bpf_map_lookup_elem(s->m->eni, &i, &e) == 0 && e.id[0]) {
			e.id[sizeof(e.id) - 1] = 0;
			struct dps_eni *x = calloc(1, sizeof(*x));
			if (!x)
				return -ENOMEM;
			snprintf(x->id, sizeof(x->id), "%s", e.id);
			x->idx = i;
			x->val = e;
			x->attached = true; /* filters outlive the process */
			s->enis[i] = x;
			s->eni_idx.used[i] = 1;
			json_object_set_new(s->eni_by_id, e.id, json_integer(i));
		}
	}
	/* Address entries by ENI. */
	struct dp_addr_key ak, nk;
	void *prev = NULL;
	while (bpf_map_get_next_key(s->m->addr, prev, &nk) == 0) {
		ak = nk;
		prev = &ak;
		struct dp_addr_val v;
		if (bpf_map_lookup_elem(s->m->addr, &ak, &v) < 0)
			continue;
		struct dps_eni *x = v.eni < DP_ENI_MAX ? s->enis[v.eni] : NULL;
		if (!x) {
			bpf_map_delete_elem(s->m->addr, &ak);
			continue;
		}
		x->addrs = dps_grow(x->addrs, x->n_addrs, sizeof(*x->addrs));
		x->addrs[x->n_addrs++] = ak;
	}
	/* Route entries by table. */
	struct dp_route_key rk, rn;
	bool first = true;
	while (bpf_map_get_next_key(s->m->route, first ? NULL : &rk, &rn) == 0) {
		first = false;
		rk = rn;
		struct dp_route_val v;
		if (bpf_map_lookup_elem(s->m->route, &rk, &v) < 0)
			continue;
		struct dps_rtb *r = (rk.table >> 1) < DP_RTB_MAX ? s->rtbs[rk.table >> 1] : NULL;
		if (!r)
			continue; /* removed by reconcile's sweep below */
		r->keys = dps_grow(r->keys, r->n, sizeof(*r->keys));
		r->vals = dps_grow(r->vals, r->n, sizeof(*r->vals));
		r->keys[r->n] = rk;
		r->vals[r->n] = v;
		r->n++;
	}
	/* Security groups: the profiles and rule sets in use stay reserved
	 * until the first apply has written fresh ones and reconcile sweeps the
	 * old (traffic keeps using them until each ENI flips). */
	for (uint32_t i = 1; i < DP_ENI_MAX; i++)
		if (s->enis[i] && s->enis[i]->val.sg_tab < DP_SGP_MAX)
			s->prof_idx.used[s->enis[i]->val.sg_tab] = 1;
	struct dp_sg_chunk_key ck, cn;
	first = true;
	while (bpf_map_get_next_key(s->m->sg_rules, first ? NULL : &ck, &cn) == 0) {
		first = false;
		ck = cn;
		if (ck.ruleset < DP_SG_CHUNK_MAX)
			s->set_idx.used[ck.ruleset] = 1;
	}
	return 0;
}

/* --- feeding ---------------------------------------------------------------- */

static void dps_mark_vpc_tables(struct dpsync *s, const char *vpc_id)
{
	const char *id;
	json_t *d;
	json_object_foreach(s->vtb, id, d)
	{
		if (strcmp(mj_str(d, "vpc_id"), vpc_id) == 0)
			dps_mark(s->dirty_vtb, id);
	}
}

static void dps_mark_vsw_enis(struct dpsync *s, const char *vsw_id)
{
	const char *id;
	json_t *d;
	json_object_foreach(s->eni, id, d)
	{
		if (strcmp(mj_str(d, "vswitch_id"), vsw_id) == 0)
			dps_mark(s->dirty_eni, id);
	}
}

void dpsync_feed(struct dpsync *s, const char *key, const char *value, size_t len)
{
	char id[MODEL_KEY_MAX];
	const char *kind = dps_kind_of(key, id, sizeof(id));
	if (!kind)
		return;
	json_t *doc = value ? json_loadb(value, len, 0, NULL) : NULL;
	pthread_mutex_lock(&s->lock);
	if (strcmp(kind, "i") == 0) {
		json_t *old = json_object_get(s->inst, id);
		if (doc)
			json_object_set(s->inst, id, doc);
		else
			json_object_del(s->inst, id);
		dps_mark(s->dirty_inst, id);
		/* Its ENIs follow its state (up/down; next hops by instance);
		 * the primary is among them (its document names the instance). */
		const char *eid;
		json_t *e;
		json_object_foreach(json_object_get(s->inst_enis, id), eid, e)
		{
			dps_mark(s->dirty_eni, eid);
		}
		const char *vpc = doc ? mj_str(doc, "vpc_id") : "";
		if (*vpc)
			dps_mark_vpc_tables(s, vpc);
		if (doc && strcmp(mj_str(doc, "network"), "classic") == 0)
			sgc_index_put_nic(s->sgi, doc, &s->sgchg);
		else
			sgc_index_del_nic(s->sgi, id, &s->sgchg);
		/* A classic instance is its own NIC (NET-9); a migrated one's
		 * classic NIC goes away here. */
		dps_mark(s->dirty_eni, id);
		json_t *was = old ? old : doc;
		if (was && *mj_str(was, "classiclink_vpc_id"))
			dps_mark_vpc_tables(s, mj_str(was, "classiclink_vpc_id"));
	} else if (strcmp(kind, "eni") == 0) {
		json_t *old = json_object_get(s->eni, id);
		if (old && *mj_str(old, "vpc_id"))
			dps_mark_vpc_tables(s, mj_str(old, "vpc_id"));
		if (old && *mj_str(old, "instance_id"))
			json_object_del(json_object_get(s->inst_enis, mj_str(old, "instance_id")),
					id);
		if (doc && *mj_str(doc, "instance_id")) {
			const char *iid = mj_str(doc, "instance_id");
			json_t *set = json_object_get(s->inst_enis, iid);
			if (!set) {
				set = json_object();
				json_object_set_new(s->inst_enis, iid, set);
			}
			json_object_set_new(set, id, json_true());
		}
		if (doc) {
			json_object_set(s->eni, id, doc);
			sgc_index_put_nic(s->sgi, doc, &s->sgchg);
			dps_mark_vpc_tables(s, mj_str(doc, "vpc_id"));
		} else {
			json_object_del(s->eni, id);
			sgc_index_del_nic(s->sgi, id, &s->sgchg);
		}
		dps_mark(s->dirty_eni, id);
	} else if (strcmp(kind, "vsw") == 0) {
		json_t *old = json_object_get(s->vsw, id);
		const char *vpc = doc ? mj_str(doc, "vpc_id") : old ? mj_str(old, "vpc_id") : "";
		char vpcbuf[64];
		snprintf(vpcbuf, sizeof(vpcbuf), "%s", vpc);
		if (doc)
			json_object_set(s->vsw, id, doc);
		else
			json_object_del(s->vsw, id);
		dps_mark_vpc_tables(s, vpcbuf);
		dps_mark_vsw_enis(s, id);
	} else if (strcmp(kind, "vtb") == 0) {
		if (doc)
			json_object_set(s->vtb, id, doc);
		else
			json_object_del(s->vtb, id);
		dps_mark(s->dirty_vtb, id);
		/* vSwitches bound to it change their ENIs' table. */
		const char *vid;
		json_t *v;
		json_object_foreach(s->vsw, vid, v)
		{
			if (strcmp(mj_str(v, "route_table_id"), id) == 0)
				dps_mark_vsw_enis(s, vid);
		}
	} else if (strcmp(kind, "rte") == 0) {
		json_t *old = json_object_get(s->rte, id);
		if (old)
			dps_mark(s->dirty_vtb, mj_str(old, "route_table_id"));
		if (doc) {
			json_object_set(s->rte, id, doc);
			dps_mark(s->dirty_vtb, mj_str(doc, "route_table_id"));
		} else {
			json_object_del(s->rte, id);
		}
	} else if (strcmp(kind, "sg") == 0) {
		if (doc)
			sgc_index_put_group(s->sgi, doc, &s->sgchg);
		else
			sgc_index_del_group(s->sgi, id, &s->sgchg);
	}
	pthread_mutex_unlock(&s->lock);
	json_decref(doc);
}

/* --- what should exist ---------------------------------------------------- */

/* The instance of an ENI when the ENI should have a device now. */
static json_t *dps_eni_instance(struct dpsync *s, json_t *eni)
{
	const char *iid = mj_str(eni, "instance_id");
	const char *st = mj_str(eni, "status");
	if (!*iid || strcmp(st, "Detaching") == 0 || strcmp(st, "Deleting") == 0)
		return NULL;
	json_t *inst = json_object_get(s->inst, iid);
	if (!inst || strcmp(mj_str(inst, "network"), "classic") == 0 ||
	    strcmp(mj_str(inst, "status"), "Deleting") == 0)
		return NULL;
	return inst;
}

static bool dps_instance_up(json_t *inst)
{
	const char *st = mj_str(inst, "status"), *to = mj_str(inst, "settle_to");
	if (*to)
		return strcmp(to, "Running") == 0;
	return strcmp(st, "Running") == 0;
}

static uint32_t dps_net_index(struct dpsync *s, const char *vpc_id, bool create)
{
	json_t *v = json_object_get(s->net_of, vpc_id);
	if (v)
		return (uint32_t)json_integer_value(v);
	if (!create)
		return 0;
	uint32_t i = dps_alloc_get(&s->net_idx);
	if (!i)
		return 0;
	struct dp_net n = {0};
	snprintf(n.id, sizeof(n.id), "%s", vpc_id);
	bpf_map_update_elem(s->m->net, &i, &n, BPF_ANY);
	json_object_set_new(s->net_of, vpc_id, json_integer(i));
	return i;
}

static struct dps_rtb *dps_rtb_get(struct dpsync *s, const char *vtb_id, bool create)
{
	json_t *v = json_object_get(s->rtb_by_id, vtb_id);
	if (v)
		return s->rtbs[json_integer_value(v)];
	if (!create)
		return NULL;
	uint32_t i = dps_alloc_get(&s->rtb_idx);
	if (!i)
		return NULL;
	struct dps_rtb *r = calloc(1, sizeof(*r));
	if (!r)
		fatal("out of memory");
	snprintf(r->id, sizeof(r->id), "%s", vtb_id);
	r->idx = i;
	s->rtbs[i] = r;
	struct dp_rtb t = {.gen = 1};
	snprintf(t.id, sizeof(t.id), "%s", vtb_id);
	bpf_map_update_elem(s->m->rtb, &i, &t, BPF_ANY);
	json_object_set_new(s->rtb_by_id, vtb_id, json_integer(i));
	return r;
}

static uint32_t dps_vsw_number(struct dpsync *s, const char *vsw_id)
{
	json_t *v = json_object_get(s->vsw_of, vsw_id);
	if (v)
		return (uint32_t)json_integer_value(v);
	uint32_t n = ++s->vsw_next;
	json_object_set_new(s->vsw_of, vsw_id, json_integer(n));
	return n;
}

/* --- instance devices ------------------------------------------------------- */

struct dps_addrs {
	struct netprefix p[64];
	size_t n;
};

static void dps_eni_addrs(json_t *eni, json_t *vsw, struct dps_addrs *out)
{
	out->n = 0;
	struct netprefix c4 = {0}, c6 = {0};
	netprefix_parse(mj_str(vsw, "cidr"), &c4);
	bool has6 = netprefix_parse(mj_str(vsw, "ipv6_cidr"), &c6);
	struct netaddr a;
	if (netaddr_parse(mj_str(eni, "primary_ip"), &a))
		out->p[out->n++] = (struct netprefix){a, c4.len};
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(eni, "private_ips"), i, v)
	{
		if (out->n < 64 && netaddr_parse(json_string_value(v), &a))
			out->p[out->n++] = (struct netprefix){a, c4.len};
	}
	json_array_foreach(json_object_get(eni, "ipv6s"), i, v)
	{
		if (out->n < 64 && netaddr_parse(json_string_value(v), &a))
			out->p[out->n++] = (struct netprefix){a, has6 ? c6.len : 64};
	}
}

struct dps_addr_sync {
	const struct dps_addrs *want;
	struct netprefix stale[64];
	size_t n_stale;
};

static int dps_addr_seen(void *arg, const struct netprefix *p)
{
	struct dps_addr_sync *x = arg;
	if (p->addr.family == NETADDR_V6 && (p->addr.hi >> 48) == 0xfe80)
		return 0; /* the kernel's link-local address */
	for (size_t i = 0; i < x->want->n; i++)
		if (netaddr_eq(&x->want->p[i].addr, &p->addr) && x->want->p[i].len == p->len)
			return 0;
	if (x->n_stale < 64)
		x->stale[x->n_stale++] = *p;
	return 0;
}

/* The instance side of one ENI, run by one thread that joined the
 * instance's namespace (netdev_in_netns): one thread per ENI, not one per
 * netlink request, which is what makes a restart over thousands of ENIs
 * fast. */
struct dps_inside {
	json_t *eni, *vsw;
	const char *ifn;
	bool up;
};

static int dps_inside_fn(void *arg)
{
	struct dps_inside *in = arg;
	json_t *eni = in->eni, *vsw = in->vsw;
	const char *ifn = in->ifn;
	bool up = in->up;
	char path[64];
	snprintf(path, sizeof(path), "net/ipv6/conf/%s/accept_dad", ifn);
	netdev_sysctl(NULL, path, "0");
	struct dps_addrs want;
	dps_eni_addrs(eni, vsw, &want);
	int rc;
	struct dps_addr_sync x = {.want = &want};
	netdev_addr_list(NULL, ifn, dps_addr_seen, &x);
	for (size_t i = 0; i < x.n_stale; i++)
		netdev_addr_del(NULL, ifn, &x.stale[i]);
	for (size_t i = 0; i < want.n; i++)
		if ((rc = netdev_addr_add(NULL, ifn, &want.p[i])) < 0)
			return rc;
	netdev_link_set_up(NULL, "lo", true);
	if ((rc = netdev_link_set_up(NULL, ifn, up)) < 0)
		return rc;
	int64_t dix = mj_int(eni, "device_index");
	if (up) {
		/* ENIs of one instance may share a subnet: each address's replies
		 * must leave by its own ENI (port security drops them elsewhere),
		 * so a table per device and rules by source, for the primary too
		 * (the main table may prefer any of them). */
		uint32_t table = 100 + (uint32_t)dix;
		struct netprefix sub;
		char gwt[NETADDR_STRLEN];
		struct netaddr gw;
		struct netprefix dflt = {.addr = {.family = NETADDR_V4}, .len = 0};
		if (netprefix_parse(mj_str(vsw, "cidr"), &sub)) {
			netdev_route_replace_table(NULL, &sub, NULL, ifn, table);
			/* In the main table only the primary is on-link, so traffic
			 * from other sources (an instance routing for others) leaves
			 * by eth0, whose ENI custom routes name. */
			if (dix > 0)
				netdev_route_del(NULL, &sub, NULL, ifn);
		}
		if (netaddr_parse(vswitch_gateway(vsw, gwt), &gw))
			netdev_route_replace_table(NULL, &dflt, &gw, ifn, table);
		for (size_t i = 0; i < want.n; i++)
			if (want.p[i].addr.family == NETADDR_V4) {
				struct netprefix one = {want.p[i].addr, 32};
				netdev_rule_add(NULL, &one, table, table);
			}
	}
	if (up && dix == 0) {
		char gwt[NETADDR_STRLEN];
		struct netaddr gw;
		struct netprefix dflt = {.addr = {.family = NETADDR_V4}, .len = 0};
		if (netaddr_parse(vswitch_gateway(vsw, gwt), &gw))
			netdev_route_replace(NULL, &dflt, &gw, ifn);
		if (json_array_size(json_object_get(eni, "ipv6s"))) {
			struct netprefix d6 = {.addr = {.family = NETADDR_V6}, .len = 0};
			struct netaddr ll = {
			    .family = NETADDR_V6, .hi = 0xfe80000000000000ull, .lo = 1};
			netdev_route_replace(NULL, &d6, &ll, ifn);
		}
	}
	return 0;
}

/* A hash of everything dps_plumb configures for an ENI, kept in its map
 * entry: after a restart an ENI whose device is there with the same hash is
 * left as it is (thousands of ENIs are checked in milliseconds). */
static uint32_t dps_plumb_hash(const char *ns, json_t *eni, json_t *vsw, bool up)
{
	uint64_t h = 1469598103934665603ull;
	const char *parts[6] = {ns,
				mj_str(eni, "mac"),
				mj_str(eni, "primary_ip"),
				mj_str(vsw, "cidr"),
				mj_str(vsw, "ipv6_cidr"),
				mj_str(eni, "id")};
	for (int i = 0; i < 6; i++) {
		for (const char *c = parts[i]; *c; c++)
			h = (h ^ (uint8_t)*c) * 1099511628211ull;
		h = (h ^ 0xff) * 1099511628211ull;
	}
	const char *arrs[2] = {"private_ips", "ipv6s"};
	for (int k = 0; k < 2; k++) {
		size_t i;
		json_t *v;
		json_array_foreach(json_object_get(eni, arrs[k]), i, v)
		{
			for (const char *c = json_string_value(v); c && *c; c++)
				h = (h ^ (uint8_t)*c) * 1099511628211ull;
			h = (h ^ 0xfe) * 1099511628211ull;
		}
	}
	h = (h ^ (uint64_t)mj_int(eni, "device_index")) * 1099511628211ull;
	h = (h ^ (uint64_t)mj_int(eni, "queue_number")) * 1099511628211ull;
	h = (h ^ (up ? 1u : 2u)) * 1099511628211ull;
	uint32_t r = (uint32_t)(h ^ (h >> 32));
	return r ? r : 1;
}

/* Makes the instance side of one ENI: the device inside the namespace, its
 * addresses and (primary ENI) default routes.  Returns the host ifindex or
 * a negative errno. */
static int dps_plumb(struct dpsync *s, json_t *eni, json_t *inst, json_t *vsw, bool up,
		     uint32_t *hash)
{
	char ns[96], dev[16], ifn[16];
	dps_netns_name(s, mj_str(inst, "id"), ns, sizeof(ns));
	dps_dev_name(s, mj_str(eni, "id"), dev);
	snprintf(ifn, sizeof(ifn), "eth%d", (int)mj_int(eni, "device_index"));
	uint8_t mac[6];
	if (!dps_parse_mac(mj_str(eni, "mac"), mac))
		return -EINVAL;
	int ifindex = 0, rc;
	*hash = dps_plumb_hash(ns, eni, vsw, up);
	json_t *xi = json_object_get(s->eni_by_id, mj_str(eni, "id"));
	struct dps_eni *x = xi ? s->enis[json_integer_value(xi)] : NULL;
	if (x && x->val.cfg_hash == *hash && x->val.ifindex &&
	    netdev_ifindex(NULL, dev) == (int)x->val.ifindex)
		return (int)x->val.ifindex; /* as configured, device and all */
	if (s->tap) {
		rc = netdev_tap_add(dev, mac, (unsigned)mj_int(eni, "queue_number"), &ifindex);
		if (rc < 0)
			return rc;
		return ifindex;
	}
	uint64_t t0 = dps_now_us();
	if ((rc = netdev_netns_add(ns)) < 0)
		return rc;
	uint64_t t1 = dps_now_us();
	dps_t_netns += t1 - t0;
	unsigned q = (unsigned)mj_int(eni, "queue_number");
	rc = netdev_veth_add(dev, ns, ifn, mac, q ? q : 1, &ifindex);
	if (rc == -EEXIST) {
		/* Same name, other peer (an ENI moved to another instance, or
		 * another device index): make it again. */
		netdev_link_del(NULL, dev);
		rc = netdev_veth_add(dev, ns, ifn, mac, q ? q : 1, &ifindex);
	}
	if (rc < 0)
		return rc;
	uint64_t t2 = dps_now_us();
	dps_t_veth += t2 - t1;
	struct dps_inside in = {.eni = eni, .vsw = vsw, .ifn = ifn, .up = up};
	rc = netdev_in_netns(ns, dps_inside_fn, &in);
	dps_t_inside += dps_now_us() - t2;
	if (rc < 0)
		return rc;
	return ifindex;
}

/* --- ENI map entries ----------------------------------------------------- */

static void dps_prof_drop_tables(struct dpsync *s, struct dps_prof *p)
{
	for (size_t i = 0; i < p->n_keys; i++)
		bpf_map_delete_elem(s->m->sg_lpm, &p->keys[i]);
	for (size_t i = 0; i < p->n_sets; i++) {
		struct dp_sg_chunk_key ck = {.ruleset = p->sets[i]};
		for (ck.chunk = 0; ck.chunk < p->set_chunks[i]; ck.chunk++)
			bpf_map_delete_elem(s->m->sg_rules, &ck);
		dps_alloc_put(&s->set_idx, p->sets[i]);
	}
	p->n_keys = 0;
	p->n_sets = 0;
}

static void dps_prof_put(struct dpsync *s, uint32_t idx)
{
	struct dps_prof *p = idx < DP_SGP_MAX ? s->profs[idx] : NULL;
	if (!p || --p->refs > 0)
		return;
	dps_prof_drop_tables(s, p);
	struct dp_sgp zero = {0};
	bpf_map_update_elem(s->m->sgp, &idx, &zero, BPF_ANY);
	json_object_del(s->prof_by_key, p->key);
	char k[16];
	snprintf(k, sizeof(k), "%u", idx);
	json_object_del(s->dirty_prof, k);
	free(p->keys);
	free(p->sets);
	free(p->set_chunks);
	free(p);
	s->profs[idx] = NULL;
	dps_alloc_put(&s->prof_idx, idx);
}

static void dps_eni_remove(struct dpsync *s, struct dps_eni *x)
{
	for (size_t i = 0; i < x->n_addrs; i++)
		bpf_map_delete_elem(s->m->addr, &x->addrs[i]);
	if (x->val.ifindex) {
		uint32_t ifx = x->val.ifindex;
		bpf_map_delete_elem(s->m->ifmap, &ifx);
	}
	if (x->prof)
		dps_prof_put(s, x->prof);
	/* Clear the entry (id too: the index is free), and its counters. */
	struct dp_eni zero = {0};
	bpf_map_update_elem(s->m->eni, &x->idx, &zero, BPF_ANY);
	json_object_del(s->eni_by_id, x->id);
	s->enis[x->idx] = NULL;
	dps_alloc_put(&s->eni_idx, x->idx);
	dps_eni_free(x);
}

static void dps_stats_zero(struct dpsync *s, uint32_t idx)
{
	int nc = dpload_ncpus(s->dl);
	struct dp_stat *z = calloc((size_t)nc, sizeof(*z));
	if (!z)
		return;
	for (uint32_t k = 0; k < DP_STAT_MAX; k++) {
		uint32_t i = idx * DP_STAT_MAX + k;
		bpf_map_update_elem(s->m->eni_stats, &i, z, BPF_ANY);
	}
	for (uint32_t k = 0; k < DP_DROP_MAX; k++) {
		uint32_t i = idx * DP_DROP_MAX + k;
		bpf_map_update_elem(s->m->drops, &i, z, BPF_ANY);
	}
	free(z);
}

static bool dps_addrkey_eq(const struct dp_addr_key *a, const struct dp_addr_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Compiles a profile's tables from one of its members and writes them into
 * the free slot, flips the slot (bumping the generation every member's
 * flows carry) and frees the old slot. */
static int dps_prof_write_(struct dpsync *s, struct dps_prof *p)
{
	struct sgc_tables t;
	int rc = sgc_compile_nic(s->sgi, p->rep, &t);
	if (rc == -ENOENT) {
		/* Not in any group the index knows (yet): no tables, so egress
		 * accepts and ingress drops by default. */
		sgc_tables_init(&t);
	} else if (rc < 0) {
		return rc;
	}
	unsigned slot = (p->val.slot & 1) ^ 1;
	uint32_t base = DP_SGP_BASE + p->idx;
	uint32_t *gid = calloc(t.nsets ? t.nsets : 1, sizeof(*gid));
	uint32_t *gch = calloc(t.nsets ? t.nsets : 1, sizeof(*gch));
	size_t nk = 0;
	for (int e = 0; e < 2; e++)
		for (int v = 0; v < 2; v++)
			nk += t.t[e][v].n;
	struct dp_sg_key *keys = calloc(nk ? nk : 1, sizeof(*keys));
	size_t nsets = 0, w = 0;
	if (!gid || !gch || !keys) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 1; i < t.nsets; i++) {
		uint32_t n = sgc_chunk_count(&t.sets[i]);
		uint32_t g = dps_alloc_get(&s->set_idx);
		if (!g) {
			rc = -ENOSPC;
			goto undo;
		}
		gid[i] = g;
		gch[i] = n;
		nsets = i;
		for (uint32_t k = 0; k < n; k++) {
			struct dp_sg_chunk ch;
			sgc_chunk(&t.sets[i], k, &ch);
			struct dp_sg_chunk_key ck = {.ruleset = g, .chunk = k};
			if (bpf_map_update_elem(s->m->sg_rules, &ck, &ch, BPF_ANY) < 0) {
				rc = -errno;
				goto undo;
			}
		}
	}
	for (int e = 0; e < 2; e++)
		for (int v = 0; v < 2; v++)
			for (size_t i = 0; i < t.t[e][v].n; i++) {
				const struct sgc_entry *en = &t.t[e][v].e[i];
				sgc_entry_key(en, base, slot, e, v, &keys[w]);
				struct dp_sg_val val = en->val;
				val.ruleset = val.ruleset < t.nsets ? gid[val.ruleset] : 0;
				if (bpf_map_update_elem(s->m->sg_lpm, &keys[w], &val, BPF_ANY) <
				    0) {
					rc = -errno;
					goto undo;
				}
				w++;
			}
	/* Flip: one update of the profile makes the new tables live for every
	 * member at once. */
	struct dp_sgp nv = {.gen = p->val.gen + 1, .slot = (uint8_t)slot};
	if (bpf_map_update_elem(s->m->sgp, &p->idx, &nv, BPF_ANY) < 0) {
		rc = -errno;
		goto undo;
	}
	p->val = nv;
	dps_prof_drop_tables(s, p);
	free(p->keys);
	free(p->sets);
	free(p->set_chunks);
	p->keys = keys;
	p->n_keys = w;
	p->sets = calloc(nsets ? nsets : 1, sizeof(*p->sets));
	p->set_chunks = calloc(nsets ? nsets : 1, sizeof(*p->set_chunks));
	if (!p->sets || !p->set_chunks)
		fatal("out of memory");
	for (size_t i = 1; i <= nsets; i++) {
		p->sets[i - 1] = gid[i];
		p->set_chunks[i - 1] = gch[i];
	}
	p->n_sets = nsets;
	keys = NULL;
	rc = 0;
	goto out;
undo:
	for (size_t i = 0; i < w; i++)
		bpf_map_delete_elem(s->m->sg_lpm, &keys[i]);
	for (size_t i = 1; i <= nsets; i++) {
		struct dp_sg_chunk_key ck = {.ruleset = gid[i]};
		for (ck.chunk = 0; ck.chunk < gch[i]; ck.chunk++)
			bpf_map_delete_elem(s->m->sg_rules, &ck);
		dps_alloc_put(&s->set_idx, gid[i]);
	}
out:
	free(gid);
	free(gch);
	free(keys);
	sgc_tables_fini(&t);
	return rc;
}

static int dps_prof_write(struct dpsync *s, struct dps_prof *p)
{
	uint64_t t0 = dps_now_us();
	int rc = dps_prof_write_(s, p);
	dps_t_sg += dps_now_us() - t0;
	return rc;
}

/* The profile key of a NIC document: its owner and its groups, sorted. */
static void dps_prof_key(json_t *nic, char *buf, size_t len)
{
	const char *ids[16];
	size_t n = 0, i;
	json_t *g;
	json_array_foreach(json_object_get(nic, "security_group_ids"), i, g)
	{
		if (n < 16 && json_is_string(g))
			ids[n++] = json_string_value(g);
	}
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && strcmp(ids[b - 1], ids[b]) > 0; b--) {
			const char *t = ids[b];
			ids[b] = ids[b - 1];
			ids[b - 1] = t;
		}
	int off = snprintf(buf, len, "%lld:", (long long)mj_int(nic, "owner"));
	for (i = 0; i < n && off > 0 && (size_t)off < len; i++)
		off += snprintf(buf + off, len - (size_t)off, "%s%s", i ? "," : "", ids[i]);
}

/* The profile for a key, made (with its tables) when it is new; a
 * reference is taken.  0 when none could be made. */
static uint32_t dps_prof_get(struct dpsync *s, const char *key, const char *member)
{
	json_t *v = json_object_get(s->prof_by_key, key);
	if (v) {
		struct dps_prof *p = s->profs[json_integer_value(v)];
		p->refs++;
		return p->idx;
	}
	uint32_t i = dps_alloc_get(&s->prof_idx);
	if (!i)
		return 0;
	struct dps_prof *p = calloc(1, sizeof(*p));
	if (!p)
		fatal("out of memory");
	snprintf(p->key, sizeof(p->key), "%s", key);
	snprintf(p->rep, sizeof(p->rep), "%s", member);
	p->idx = i;
	p->refs = 1;
	bpf_map_lookup_elem(s->m->sgp, &i, &p->val); /* a recycled index keeps counting */
	s->profs[i] = p;
	json_object_set_new(s->prof_by_key, key, json_integer(i));
	int rc = dps_prof_write(s, p);
	if (rc < 0)
		log_warn("dataplane: security-group tables of %s: %s", key, strerror(-rc));
	return i;
}

/* Writes a NIC's entries once its device exists: its index (allocated on
 * first use), security-group tables (first time: they flip the slot), the
 * ENI entry v, the device's ifmap entry, its addresses (keys[0..n), the rest
 * removed), and the program on the device. */
static int dps_nic_commit(struct dpsync *s, const char *id, json_t *doc, int ifindex,
			  struct dp_eni v, const struct dp_addr_key *keys, size_t n)
{
	json_t *xi = json_object_get(s->eni_by_id, id);
	struct dps_eni *x = xi ? s->enis[json_integer_value(xi)] : NULL;
	if (!x) {
		uint32_t i = dps_alloc_get(&s->eni_idx);
		if (!i) {
			log_warn("dataplane: %s: no free ENI index (DP_ENI_MAX)", id);
			return -ENOSPC;
		}
		x = calloc(1, sizeof(*x));
		if (!x)
			fatal("out of memory");
		snprintf(x->id, sizeof(x->id), "%s", id);
		x->idx = i;
		s->enis[i] = x;
		json_object_set_new(s->eni_by_id, id, json_integer(i));
		dps_stats_zero(s, i);
	}
	if (x->val.ifindex && x->val.ifindex != (uint32_t)ifindex) {
		uint32_t old = x->val.ifindex;
		bpf_map_delete_elem(s->m->ifmap, &old);
	}
	bool same_dev = x->val.ifindex == (uint32_t)ifindex && x->attached;
	v.ifindex = (uint32_t)ifindex;
	v.gen = x->val.gen;
	snprintf(v.id, sizeof(v.id), "%s", id);
	/* Its security-group profile: the same one unless its groups or owner
	 * changed; a new profile's tables are written before the ENI points at
	 * it, and its generation moves so flows are decided again. */
	char pkey[256];
	dps_prof_key(doc, pkey, sizeof(pkey));
	uint32_t old_prof = x->prof;
	if (!old_prof || strcmp(s->profs[old_prof]->key, pkey) != 0) {
		uint32_t np = dps_prof_get(s, pkey, id);
		if (!np) {
			log_warn("dataplane: %s: no free security-group profile", id);
			return -ENOSPC;
		}
		/* The flows' generation is the ENI's plus its profile's: set the
		 * ENI's so that the sum moves past every value it had (a plain
		 * increment could meet the old sum when the new profile's
		 * generation is lower). */
		uint32_t old_eff =
		    x->val.gen + (x->prof && s->profs[x->prof] ? s->profs[x->prof]->val.gen : 0);
		x->prof = np;
		v.gen = old_eff + 1 - s->profs[np]->val.gen;
	} else {
		old_prof = 0;
	}
	v.sg_tab = x->prof;
	if (bpf_map_update_elem(s->m->eni, &x->idx, &v, BPF_ANY) < 0)
		return -errno;
	x->val = v;
	if (old_prof) {
		struct dps_prof *op = s->profs[old_prof];
		if (op && op->refs > 1 && strcmp(op->rep, id) == 0)
			for (uint32_t i = 1; i < DP_ENI_MAX; i++)
				if (s->enis[i] && s->enis[i] != x && s->enis[i]->prof == old_prof) {
					snprintf(op->rep, sizeof(op->rep), "%s", s->enis[i]->id);
					break;
				}
		dps_prof_put(s, old_prof);
	}
	struct dp_ifmap_val iv = {.eni = x->idx};
	uint32_t ifx = (uint32_t)ifindex;
	bpf_map_update_elem(s->m->ifmap, &ifx, &iv, BPF_ANY);
	for (size_t i = 0; i < n; i++) {
		struct dp_addr_val av = {.eni = x->idx};
		bpf_map_update_elem(s->m->addr, &keys[i], &av, BPF_ANY);
	}
	for (size_t i = 0; i < x->n_addrs; i++) {
		bool keep = false;
		for (size_t j = 0; j < n && !keep; j++)
			keep = dps_addrkey_eq(&x->addrs[i], &keys[j]);
		if (!keep)
			bpf_map_delete_elem(s->m->addr, &x->addrs[i]);
	}
	free(x->addrs);
	x->addrs = calloc(n ? n : 1, sizeof(*x->addrs));
	if (!x->addrs)
		fatal("out of memory");
	memcpy(x->addrs, keys, n * sizeof(*keys));
	x->n_addrs = n;
	uint64_t ta = dps_now_us();
	/* The same device carrying the same program: nothing to attach. */
	int rc = same_dev && dpload_reused(s->dl) ? 0 : dpload_attach(s->dl, ifindex);
	dps_t_attach += dps_now_us() - ta;
	if (rc < 0)
		log_warn("dataplane: %s: cannot attach the program to device %d: %s", id, ifindex,
			 strerror(-rc));
	else
		x->attached = true;
	return rc;
}

static void dps_drop_nic(struct dpsync *s, const char *id)
{
	json_t *xi = json_object_get(s->eni_by_id, id);
	struct dps_eni *x = xi ? s->enis[json_integer_value(xi)] : NULL;
	if (x)
		dps_eni_remove(s, x);
	char dev[16];
	dps_dev_name(s, id, dev);
	netdev_link_del(NULL, dev); /* a veth takes its peer with it */
}

/* A classic instance is its own NIC (NET-9): eth0 with its internal address
 * in the region's classic network, which has no routes and carries nothing
 * but unicast between addresses (NET-10); when linked to a VPC (NET-27) its
 * address is also known in the VPC's network. */
static int dps_classic_apply(struct dpsync *s, const char *id, json_t *inst)
{
	const struct model_region *rg =
	    s->cfg ? model_config_region(s->cfg, mj_str(inst, "region")) : NULL;
	struct netaddr a;
	if (strcmp(mj_str(inst, "network"), "classic") != 0 ||
	    strcmp(mj_str(inst, "status"), "Deleting") == 0 || !rg ||
	    !netaddr_parse4(mj_str(inst, "private_ip"), &a)) {
		dps_drop_nic(s, id);
		return 0;
	}
	char ns[96], dev[16], netid[80];
	dps_netns_name(s, id, ns, sizeof(ns));
	dps_dev_name(s, id, dev);
	uint8_t mac[6];
	if (!dps_parse_mac(mj_str(inst, "mac"), mac))
		return -EINVAL;
	bool up = dps_instance_up(inst);
	struct netaddr hi = netprefix_last(&rg->classic_pool), gw;
	netaddr_add(&hi, -2, &gw);
	int ifindex = 0, rc;
	if ((rc = netdev_netns_add(ns)) < 0)
		return rc;
	rc = netdev_veth_add(dev, ns, "eth0", mac, 1, &ifindex);
	if (rc == -EEXIST) {
		netdev_link_del(NULL, dev);
		rc = netdev_veth_add(dev, ns, "eth0", mac, 1, &ifindex);
	}
	if (rc < 0)
		return rc;
	struct netprefix p = {a, rg->classic_pool.len};
	if ((rc = netdev_addr_add(ns, "eth0", &p)) < 0)
		return rc;
	netdev_link_set_up(ns, "lo", true);
	if ((rc = netdev_link_set_up(ns, "eth0", up)) < 0)
		return rc;
	if (up) {
		struct netprefix dflt = {.addr = {.family = NETADDR_V4}, .len = 0};
		netdev_route_replace(ns, &dflt, &gw, "eth0");
	}
	struct dp_eni v = {0};
	snprintf(netid, sizeof(netid), "classic/%s", rg->id);
	v.net = dps_net_index(s, netid, true);
	const char *link = mj_str(inst, "classiclink_vpc_id");
	v.link_net = *link ? dps_net_index(s, link, true) : 0;
	memcpy(v.mac, mac, 6);
	v.flags = (uint8_t)((up ? DP_ENI_UP : 0) | DP_ENI_CLASSIC);
	uint8_t g16[16];
	dps_addr16(&gw, g16);
	memcpy(&v.gw4, g16, 4);
	struct dp_addr_key keys[2] = {{.net = v.net, .family = 4},
				      {.net = v.link_net, .family = 4}};
	dps_addr16(&a, keys[0].addr);
	dps_addr16(&a, keys[1].addr);
	return dps_nic_commit(s, id, inst, ifindex, v, keys, v.link_net ? 2 : 1);
}

/* Brings one NIC's devices and entries to what the documents say. */
static int dps_eni_apply(struct dpsync *s, const char *id)
{
	if (strncmp(id, "i-", 2) == 0) {
		json_t *inst = json_object_get(s->inst, id);
		if (!inst) {
			dps_drop_nic(s, id);
			return 0;
		}
		return dps_classic_apply(s, id, inst);
	}
	json_t *eni = json_object_get(s->eni, id);
	json_t *inst = eni ? dps_eni_instance(s, eni) : NULL;
	json_t *vsw = eni ? json_object_get(s->vsw, mj_str(eni, "vswitch_id")) : NULL;
	if (!inst || !vsw) {
		dps_drop_nic(s, id);
		return 0;
	}
	bool up = dps_instance_up(inst);
	uint32_t hash = 0;
	int ifindex = dps_plumb(s, eni, inst, vsw, up, &hash);
	if (ifindex < 0) {
		log_warn("dataplane: %s: cannot make its device: %s", id, strerror(-ifindex));
		return ifindex;
	}
	struct dp_eni v = {0};
	v.cfg_hash = hash;
	v.net = dps_net_index(s, mj_str(eni, "vpc_id"), true);
	struct dps_rtb *rt = dps_rtb_get(s, mj_str(vsw, "route_table_id"), true);
	if (rt && !json_object_get(s->vtb, rt->id))
		dps_mark(s->dirty_vtb, rt->id);
	v.rtb = rt ? rt->idx : 0;
	v.vsw = dps_vsw_number(s, mj_str(vsw, "id"));
	dps_parse_mac(mj_str(eni, "mac"), v.mac);
	v.flags = (uint8_t)((up ? DP_ENI_UP : 0) | (s->tap ? DP_ENI_TAP : 0));
	char gwt[NETADDR_STRLEN];
	struct netaddr gw;
	uint8_t g16[16];
	if (netaddr_parse(vswitch_gateway(vsw, gwt), &gw)) {
		dps_addr16(&gw, g16);
		memcpy(&v.gw4, g16, 4);
	}
	struct dps_addrs want;
	dps_eni_addrs(eni, vsw, &want);
	struct dp_addr_key keys[64];
	for (size_t i = 0; i < want.n; i++) {
		memset(&keys[i], 0, sizeof(keys[i]));
		keys[i].net = v.net;
		keys[i].family = want.p[i].addr.family;
		dps_addr16(&want.p[i].addr, keys[i].addr);
	}
	return dps_nic_commit(s, id, eni, ifindex, v, keys, want.n);
}

/* --- route tables --------------------------------------------------------- */

static uint32_t dps_hop_eni(struct dpsync *s, const char *type, const char *hop_id)
{
	const char *eni_id = hop_id;
	if (strcmp(type, "Instance") == 0 || strncmp(hop_id, "i-", 2) == 0) {
		json_t *inst = json_object_get(s->inst, hop_id);
		if (!inst)
			return 0;
		eni_id = mj_str(inst, "primary_eni");
	}
	json_t *xi = json_object_get(s->eni_by_id, eni_id);
	return xi ? (uint32_t)json_integer_value(xi) : 0;
}

static void dps_route_key(uint32_t table_idx, const struct netprefix *p, struct dp_route_key *k)
{
	memset(k, 0, sizeof(*k));
	k->table = table_idx << 1 | (p->addr.family == NETADDR_V6);
	k->prefixlen = 32 + p->len;
	dps_addr16(&p->addr, k->addr);
}

/* Appends one entry to a table being built (keys and vals grow together). */
static void dps_route_push(struct dp_route_key **keys, struct dp_route_val **vals, size_t *n,
			   size_t *cap, uint32_t table_idx, const struct netprefix *p,
			   const struct dp_route_val *v)
{
	if (*n == *cap) {
		*cap *= 2;
		*keys = realloc(*keys, *cap * sizeof(**keys));
		*vals = realloc(*vals, *cap * sizeof(**vals));
		if (!*keys || !*vals)
			fatal("out of memory");
	}
	dps_route_key(table_idx, p, &(*keys)[*n]);
	(*vals)[*n] = *v;
	(*n)++;
}

static int dps_vtb_apply(struct dpsync *s, const char *id)
{
	json_t *vtb = json_object_get(s->vtb, id);
	struct dps_rtb *r = dps_rtb_get(s, id, vtb != NULL);
	if (!r)
		return 0;
	size_t cap = 16, n = 0;
	struct dp_route_key *keys = calloc(cap, sizeof(*keys));
	struct dp_route_val *vals = calloc(cap, sizeof(*vals));
	if (!keys || !vals)
		fatal("out of memory");
	if (vtb) {
		const char *vpc = mj_str(vtb, "vpc_id"), *vid, *eid;
		json_t *v, *e;
		/* System routes: every vSwitch CIDR of the VPC is local. */
		json_object_foreach(s->vsw, vid, v)
		{
			if (strcmp(mj_str(v, "vpc_id"), vpc) != 0)
				continue;
			const char *cidrs[2] = {mj_str(v, "cidr"), mj_str(v, "ipv6_cidr")};
			for (int c = 0; c < 2; c++) {
				struct netprefix p;
				if (!netprefix_parse(cidrs[c], &p))
					continue;
				struct dp_route_val local = {.type = DP_RT_LOCAL};
				dps_route_push(&keys, &vals, &n, &cap, r->idx, &p, &local);
			}
		}
		/* Custom routes whose next hops are programmed here. */
		json_object_foreach(s->rte, eid, e)
		{
			if (strcmp(mj_str(e, "route_table_id"), id) != 0 ||
			    strcmp(mj_str(e, "status"), "Deleting") == 0)
				continue;
			struct netprefix p;
			if (!netprefix_parse(mj_str(e, "dest"), &p))
				continue;
			struct dp_route_val rv = {.type = DP_RT_ENI};
			uint32_t cum = 0;
			size_t i;
			json_t *h;
			json_array_foreach(json_object_get(e, "next_hops"), i, h)
			{
				uint32_t ei = dps_hop_eni(s, mj_str(h, "type"), mj_str(h, "id"));
				if (!ei || rv.n >= DP_ECMP_MAX)
					continue;
				int64_t wgt = mj_int(h, "weight");
				cum += (uint32_t)(wgt > 0 ? wgt : 1);
				rv.eni[rv.n] = ei;
				rv.weight_cum[rv.n] = (uint16_t)cum;
				rv.n++;
			}
			if (!rv.n)
				continue;
			dps_route_push(&keys, &vals, &n, &cap, r->idx, &p, &rv);
		}
	}
	/* Differences only; any difference bumps the table's generation. */
	bool changed = false;
	for (size_t i = 0; i < n; i++) {
		bool same = false;
		for (size_t j = 0; j < r->n && !same; j++)
			same = memcmp(&keys[i], &r->keys[j], sizeof(keys[i])) == 0 &&
			       memcmp(&vals[i], &r->vals[j], sizeof(vals[i])) == 0;
		if (!same) {
			bpf_map_update_elem(s->m->route, &keys[i], &vals[i], BPF_ANY);
			changed = true;
		}
	}
	for (size_t j = 0; j < r->n; j++) {
		bool keep = false;
		for (size_t i = 0; i < n && !keep; i++)
			keep = memcmp(&keys[i], &r->keys[j], sizeof(keys[i])) == 0;
		if (!keep) {
			bpf_map_delete_elem(s->m->route, &r->keys[j]);
			changed = true;
		}
	}
	free(r->keys);
	free(r->vals);
	r->keys = keys;
	r->vals = vals;
	r->n = n;
	if (changed || !vtb) {
		struct dp_rtb t = {0};
		bpf_map_lookup_elem(s->m->rtb, &r->idx, &t);
		t.gen++;
		snprintf(t.id, sizeof(t.id), "%s", id);
		bpf_map_update_elem(s->m->rtb, &r->idx, &t, BPF_ANY);
	}
	if (!vtb && n == 0) {
		struct dp_rtb zero = {0};
		bpf_map_update_elem(s->m->rtb, &r->idx, &zero, BPF_ANY);
		json_object_del(s->rtb_by_id, id);
		s->rtbs[r->idx] = NULL;
		dps_alloc_put(&s->rtb_idx, r->idx);
		free(r->keys);
		free(r->vals);
		free(r);
	}
	return 0;
}

/* --- instances ------------------------------------------------------------ */

static int dps_inst_apply(struct dpsync *s, const char *id)
{
	json_t *inst = json_object_get(s->inst, id);
	if (s->tap)
		return 0;
	char ns[96];
	dps_netns_name(s, id, ns, sizeof(ns));
	if (!inst || strcmp(mj_str(inst, "status"), "Deleting") == 0)
		return netdev_netns_del(ns);
	return netdev_netns_add(ns);
}

static uint64_t dps_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int dps_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

void dpsync_get_stats(struct dpsync *s, struct dpsync_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	out->nics = (uint32_t)json_object_size(s->eni_by_id);
	uint32_t n = s->ring_n < 1024 ? s->ring_n : 1024, v[1024];
	memcpy(v, s->ring, n * sizeof(v[0]));
	pthread_mutex_unlock(&s->lock);
	if (n) {
		qsort(v, n, sizeof(v[0]), dps_cmp_u32);
		out->apply_p50_us = v[n / 2];
		out->apply_p99_us = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
		out->apply_max_us = v[n - 1];
	}
}

int dpsync_apply(struct dpsync *s)
{
	int errors = 0;
	pthread_mutex_lock(&s->lock);
	bool work = json_object_size(s->dirty_inst) || json_object_size(s->dirty_eni) ||
		    json_object_size(s->dirty_vtb) || s->sgchg.n;
	uint64_t t0 = dps_now_us();
	const char *id;
	json_t *v;
	void *tmp;
	/* Instances first (namespaces), then ENIs (devices, entries), then the
	 * tables that name ENIs, then security groups. */
	json_object_foreach_safe(s->dirty_inst, tmp, id, v)
	{
		if (dps_inst_apply(s, id) < 0)
			errors++;
		else
			json_object_del(s->dirty_inst, id);
	}
	/* A group change touches tables only: those NICs are not plumbed again. */
	for (size_t i = 0; i < s->sgchg.n; i++)
		dps_mark(s->dirty_sg, s->sgchg.nics[i]);
	sgc_change_clear(&s->sgchg);
	json_object_foreach_safe(s->dirty_eni, tmp, id, v)
	{
		if (dps_eni_apply(s, id) < 0) {
			errors++;
			continue;
		}
		json_object_del(s->dirty_eni, id);
	}
	/* Group changes: each profile a changed NIC uses is compiled once
	 * (from that NIC, which is a member). */
	json_object_foreach_safe(s->dirty_sg, tmp, id, v)
	{
		json_t *xi = json_object_get(s->eni_by_id, id);
		struct dps_eni *x = xi ? s->enis[json_integer_value(xi)] : NULL;
		if (x && x->prof && s->profs[x->prof]) {
			char k[16];
			snprintf(k, sizeof(k), "%u", x->prof);
			snprintf(s->profs[x->prof]->rep, sizeof(s->profs[x->prof]->rep), "%s", id);
			dps_mark(s->dirty_prof, k);
		}
		json_object_del(s->dirty_sg, id);
	}
	json_object_foreach_safe(s->dirty_prof, tmp, id, v)
	{
		uint32_t pi = (uint32_t)strtoul(id, NULL, 10);
		struct dps_prof *p = pi < DP_SGP_MAX ? s->profs[pi] : NULL;
		if (p) {
			int rc = dps_prof_write(s, p);
			if (rc < 0) {
				log_warn("dataplane: security-group tables of %s: %s", p->key,
					 strerror(-rc));
				errors++;
				continue;
			}
		}
		json_object_del(s->dirty_prof, id);
	}
	json_object_foreach_safe(s->dirty_vtb, tmp, id, v)
	{
		if (dps_vtb_apply(s, id) < 0)
			errors++;
		else
			json_object_del(s->dirty_vtb, id);
	}
	uint64_t dt = dps_now_us() - t0;
	if (!s->first_done) {
		s->first_done = true;
		s->st.first_sync_us = dt ? dt : 1;
		s->st.first_sync_nics = (uint32_t)json_object_size(s->eni_by_id);
		log_info("dataplane: first sync: %u NICs in %.1f ms (namespaces %.1f, veths %.1f, "
			 "inside %.1f, groups %.1f, attach %.1f ms)",
			 s->st.first_sync_nics, (double)dt / 1000.0, dps_t_netns / 1000.0,
			 dps_t_veth / 1000.0, dps_t_inside / 1000.0, dps_t_sg / 1000.0,
			 dps_t_attach / 1000.0);
	} else if (work) {
		s->ring[s->ring_n++ % 1024] = (uint32_t)(dt > UINT32_MAX ? UINT32_MAX : dt);
		s->st.applies++;
	}
	pthread_mutex_unlock(&s->lock);
	return errors;
}

/* --- reconcile ------------------------------------------------------------- */

struct dps_sweep {
	struct dpsync *s;
	char (*names)[96];
	size_t n, cap;
};

static int dps_sweep_add(struct dps_sweep *w, const char *name)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->names = realloc(w->names, w->cap * sizeof(*w->names));
		if (!w->names)
			fatal("out of memory");
	}
	snprintf(w->names[w->n++], 96, "%s", name);
	return 0;
}

static int dps_netns_cb(void *arg, const char *name)
{
	struct dps_sweep *w = arg;
	const char *iid = name + strlen(w->s->prefix);
	if (!json_object_get(w->s->inst, iid))
		dps_sweep_add(w, name);
	return 0;
}

static int dps_link_cb(void *arg, const char *name, int ifindex, const char *kind)
{
	struct dps_sweep *w = arg;
	uint32_t ifx = (uint32_t)ifindex;
	struct dp_ifmap_val iv;
	if (bpf_map_lookup_elem(w->s->m->ifmap, &ifx, &iv) == 0 && iv.eni < DP_ENI_MAX &&
	    w->s->enis[iv.eni])
		return 0;
	if (strcmp(kind, "veth") == 0 || strcmp(kind, "tun") == 0)
		dps_sweep_add(w, name);
	return 0;
}

int dpsync_reconcile(struct dpsync *s)
{
	pthread_mutex_lock(&s->lock);
	int removed = 0;
	/* ENI indexes read back that no document claims any more. */
	for (uint32_t i = 1; i < DP_ENI_MAX; i++) {
		struct dps_eni *x = s->enis[i];
		if (x && !json_object_get(s->eni, x->id) && !json_object_get(s->inst, x->id)) {
			dps_eni_remove(s, x);
			removed++;
		}
	}
	/* Security-group entries and rule sets that no live profile owns, and
	 * the profile indexes of the previous run. */
	uint8_t *live_set = calloc(DP_SG_CHUNK_MAX, 1);
	if (!live_set)
		fatal("out of memory");
	for (uint32_t i = 1; i < DP_SGP_MAX; i++)
		if (s->profs[i])
			for (size_t k = 0; k < s->profs[i]->n_sets; k++)
				live_set[s->profs[i]->sets[k]] = 1;
	struct dp_sg_key sk, sn;
	bool first = true;
	struct dp_sg_key *stale = NULL;
	size_t ns = 0;
	while (bpf_map_get_next_key(s->m->sg_lpm, first ? NULL : &sk, &sn) == 0) {
		first = false;
		sk = sn;
		uint32_t base = sk.table >> 3;
		struct dps_prof *p = base >= DP_SGP_BASE && base - DP_SGP_BASE < DP_SGP_MAX
					 ? s->profs[base - DP_SGP_BASE]
					 : NULL;
		if (!p || ((sk.table >> 2) & 1) != (p->val.slot & 1)) {
			stale = dps_grow(stale, ns, sizeof(*stale));
			stale[ns++] = sk;
		}
	}
	for (size_t i = 0; i < ns; i++)
		bpf_map_delete_elem(s->m->sg_lpm, &stale[i]);
	free(stale);
	struct dp_sg_chunk_key ck, cn, *cstale = NULL;
	size_t nc = 0;
	first = true;
	while (bpf_map_get_next_key(s->m->sg_rules, first ? NULL : &ck, &cn) == 0) {
		first = false;
		ck = cn;
		if (ck.ruleset >= DP_SG_CHUNK_MAX || !live_set[ck.ruleset]) {
			cstale = dps_grow(cstale, nc, sizeof(*cstale));
			cstale[nc++] = ck;
		}
	}
	for (size_t i = 0; i < nc; i++)
		bpf_map_delete_elem(s->m->sg_rules, &cstale[i]);
	free(cstale);
	for (uint32_t i = 1; i < DP_SG_CHUNK_MAX; i++)
		if (s->set_idx.used[i] && !live_set[i])
			s->set_idx.used[i] = 0;
	free(live_set);
	for (uint32_t i = 1; i < DP_SGP_MAX; i++)
		if (s->prof_idx.used[i] && !s->profs[i]) {
			struct dp_sgp zero = {0};
			bpf_map_update_elem(s->m->sgp, &i, &zero, BPF_ANY);
			s->prof_idx.used[i] = 0;
		}
	removed += (int)(ns + nc);
	/* Route tables with no document. */
	for (uint32_t i = 1; i < DP_RTB_MAX; i++)
		if (s->rtbs[i] && !json_object_get(s->vtb, s->rtbs[i]->id)) {
			char id[32];
			snprintf(id, sizeof(id), "%s", s->rtbs[i]->id);
			dps_vtb_apply(s, id);
		}
	/* Namespaces and devices of the prefix that nothing accounts for. */
	struct dps_sweep w = {.s = s};
	netdev_netns_list(s->prefix, dps_netns_cb, &w);
	for (size_t i = 0; i < w.n; i++) {
		netdev_netns_del(w.names[i]);
		removed++;
	}
	w.n = 0;
	netdev_link_list(NULL, s->prefix, dps_link_cb, &w);
	for (size_t i = 0; i < w.n; i++) {
		netdev_link_del(NULL, w.names[i]);
		removed++;
	}
	free(w.names);
	pthread_mutex_unlock(&s->lock);
	if (removed)
		log_info("dataplane: reconciled: removed %d stale objects", removed);
	return removed;
}

int dpsync_destroy_all(const char *prefix)
{
	struct dps_sweep w = {0};
	struct dpsync fake = {0};
	snprintf(fake.prefix, sizeof(fake.prefix), "%s", prefix);
	fake.inst = json_object();
	w.s = &fake;
	netdev_netns_list(prefix, dps_netns_cb, &w);
	for (size_t i = 0; i < w.n; i++)
		netdev_netns_del(w.names[i]);
	w.n = 0;
	json_decref(fake.inst);
	free(w.names);
	return dpload_unpin(prefix);
}

/* --- queries -------------------------------------------------------------- */

static struct dps_eni *dps_find(struct dpsync *s, const char *eni_id)
{
	json_t *xi = json_object_get(s->eni_by_id, eni_id);
	return xi ? s->enis[json_integer_value(xi)] : NULL;
}

json_t *dpsync_enis(struct dpsync *s, uint64_t owner)
{
	json_t *a = json_array();
	pthread_mutex_lock(&s->lock);
	for (uint32_t i = 1; i < DP_ENI_MAX; i++) {
		struct dps_eni *x = s->enis[i];
		json_t *doc = x ? json_object_get(s->eni, x->id) : NULL;
		if (x && !doc)
			doc = json_object_get(s->inst, x->id); /* a classic NIC */
		if (!doc || (owner && (uint64_t)mj_int(doc, "owner") != owner))
			continue;
		json_array_append_new(
		    a, json_pack("{s:s,s:I,s:s,s:i,s:i}", "id", x->id, "owner",
				 (json_int_t)mj_int(doc, "owner"), "instance_id",
				 *mj_str(doc, "instance_id") ? mj_str(doc, "instance_id") : x->id,
				 "index", (int)i, "ifindex", (int)x->val.ifindex));
	}
	pthread_mutex_unlock(&s->lock);
	return a;
}

static void dps_stat_sum(struct dpsync *s, int fd, uint32_t idx, uint64_t *p, uint64_t *b)
{
	int nc = dpload_ncpus(s->dl);
	struct dp_stat *v = calloc((size_t)nc, sizeof(*v));
	*p = *b = 0;
	if (v && bpf_map_lookup_elem(fd, &idx, v) == 0)
		for (int c = 0; c < nc; c++) {
			*p += v[c].packets;
			*b += v[c].bytes;
		}
	free(v);
}

json_t *dpsync_counters(struct dpsync *s, const char *eni_id)
{
	pthread_mutex_lock(&s->lock);
	struct dps_eni *x = dps_find(s, eni_id);
	json_t *o = NULL;
	if (x) {
		o = json_object();
		static const char *const names[] = {
#define DP_X(n, d) #n,
		    DP_STATS(DP_X)
#undef DP_X
		};
		for (uint32_t k = 0; k < DP_STAT_MAX; k++) {
			uint64_t p, b;
			dps_stat_sum(s, s->m->eni_stats, x->idx * DP_STAT_MAX + k, &p, &b);
			json_object_set_new(o, names[k],
					    json_pack("[I,I]", (json_int_t)p, (json_int_t)b));
		}
	}
	pthread_mutex_unlock(&s->lock);
	return o;
}

static const char *const dps_drop_names[] = {
#define DP_X(n, d) #n,
    DP_DROPS(DP_X)
#undef DP_X
};

json_t *dpsync_drops(struct dpsync *s, const char *eni_id)
{
	pthread_mutex_lock(&s->lock);
	struct dps_eni *x = dps_find(s, eni_id);
	json_t *o = NULL;
	if (x) {
		o = json_object();
		for (uint32_t k = 1; k < DP_DROP_MAX; k++) {
			uint64_t p, b;
			dps_stat_sum(s, s->m->drops, x->idx * DP_DROP_MAX + k, &p, &b);
			if (p)
				json_object_set_new(
				    o, dps_drop_names[k],
				    json_pack("[I,I]", (json_int_t)p, (json_int_t)b));
		}
	}
	pthread_mutex_unlock(&s->lock);
	return o;
}

json_t *dpsync_rule_counters(struct dpsync *s, uint64_t owner, const char *sg_id)
{
	json_t *a = json_array();
	pthread_mutex_lock(&s->lock);
	for (uint32_t c = 1; c < DP_RULE_MAX; c++) {
		const char *g, *r;
		if (!sgc_index_counter_rule(s->sgi, c, &g, &r))
			continue;
		if (sg_id && *sg_id && strcmp(g, sg_id) != 0)
			continue;
		(void)owner; /* the API filters groups by owner */
		uint64_t p, b;
		dps_stat_sum(s, s->m->rule_stats, c, &p, &b);
		json_array_append_new(a,
				      json_pack("{s:s,s:s,s:I,s:I}", "sg", g, "rule", r, "packets",
						(json_int_t)p, "bytes", (json_int_t)b));
	}
	pthread_mutex_unlock(&s->lock);
	return a;
}

static const char *dps_ct_state(uint8_t st, uint8_t proto)
{
	if (proto != 6)
		return "ESTABLISHED";
	switch (st) {
	case DP_CT_SYN_SENT:
		return "SYN_SENT";
	case DP_CT_ESTABLISHED:
		return "ESTABLISHED";
	case DP_CT_CLOSING:
		return "CLOSING";
	case DP_CT_CLOSED:
		return "CLOSED";
	default:
		return "NEW";
	}
}

json_t *dpsync_flows(struct dpsync *s, const char *eni_id)
{
	pthread_mutex_lock(&s->lock);
	struct dps_eni *x = dps_find(s, eni_id);
	if (!x) {
		pthread_mutex_unlock(&s->lock);
		return NULL;
	}
	json_t *a = json_array();
	/* Entries past their timeout are dead to the program (conntrack.h):
	 * they are not listed.  The program's clock is CLOCK_MONOTONIC. */
	struct dp_cfg cfg = {0};
	uint32_t zero = 0;
	bpf_map_lookup_elem(s->m->cfg, &zero, &cfg);
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	struct dp_ct_key k, nk;
	bool first = true;
	while (bpf_map_get_next_key(s->m->ct, first ? NULL : &k, &nk) == 0 &&
	       json_array_size(a) < 10000) {
		first = false;
		k = nk;
		struct dp_ct v;
		if (bpf_map_lookup_elem(s->m->ct, &k, &v) < 0 || v.src_eni != x->idx)
			continue;
		int t = k.proto != 6		       ? DP_CT_T_OTHER
			: v.state == DP_CT_ESTABLISHED ? DP_CT_T_TCP_EST
			: v.state == DP_CT_SYN_SENT    ? DP_CT_T_TCP_OPEN
						       : DP_CT_T_TCP_CLOSE;
		if (now > v.last_ns && now - v.last_ns > cfg.ct_timeout_ns[t])
			continue;
		char src[NETADDR_STRLEN], dst[NETADDR_STRLEN];
		dps_addr_from16(k.family, k.saddr, src);
		dps_addr_from16(k.family, k.daddr, dst);
		const char *proto = k.proto == 6    ? "tcp"
				    : k.proto == 17 ? "udp"
				    : k.proto == 1  ? "icmp"
				    : k.proto == 58 ? "icmpv6"
						    : "other";
		struct dps_eni *peer = v.dst_eni < DP_ENI_MAX ? s->enis[v.dst_eni] : NULL;
		json_array_append_new(
		    a, json_pack("{s:s,s:s,s:i,s:s,s:i,s:s,s:s,s:I,s:I,s:s}", "proto", proto, "src",
				 src, "sport", (int)ntohs(k.sport), "dst", dst, "dport",
				 (int)ntohs(k.dport), "state", dps_ct_state(v.state, k.proto),
				 "direction", v.reply ? "reply" : "original", "packets",
				 (json_int_t)v.packets, "bytes", (json_int_t)v.bytes, "peer",
				 peer ? peer->id : ""));
	}
	pthread_mutex_unlock(&s->lock);
	return a;
}

int dpsync_trace(struct dpsync *s, const char *eni_id, const void *frame, size_t len,
		 struct dpload_trace_out *out, char *to_eni)
{
	pthread_mutex_lock(&s->lock);
	struct dps_eni *x = dps_find(s, eni_id);
	int ifindex = x ? (int)x->val.ifindex : 0;
	pthread_mutex_unlock(&s->lock);
	to_eni[0] = 0;
	if (!x)
		return -ENOENT;
	int rc = dpload_trace(s->dl, ifindex, frame, len, 1, out);
	if (rc == 0 && out->ifindex) {
		pthread_mutex_lock(&s->lock);
		uint32_t ifx = out->ifindex;
		struct dp_ifmap_val iv;
		if (bpf_map_lookup_elem(s->m->ifmap, &ifx, &iv) == 0 && iv.eni < DP_ENI_MAX &&
		    s->enis[iv.eni])
			snprintf(to_eni, 32, "%s", s->enis[iv.eni]->id);
		pthread_mutex_unlock(&s->lock);
	}
	return rc;
}

bool dpsync_eni_mac(struct dpsync *s, const char *eni_id, uint8_t mac[6])
{
	pthread_mutex_lock(&s->lock);
	struct dps_eni *x = dps_find(s, eni_id);
	if (x)
		memcpy(mac, x->val.mac, 6);
	pthread_mutex_unlock(&s->lock);
	return x != NULL;
}
