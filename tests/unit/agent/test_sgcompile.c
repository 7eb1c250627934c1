/*
 * Tests of agent/sgcompile: the security-group tables compiled for the data
 * plane decide every flow as the model's sg_evaluate does (NET-13, NET-25).
 *
 * State is built through the model's own functions (vpc_create,
 * vswitch_create, eni_create, sg_create, sg_authorize, ...) in a real store
 * (tests/unit/model/fixture.h); classic instances are stand-in documents as
 * in tests/unit/model/test_sg.c.  The documents are then read back from the
 * store and fed to an index, as the agent's change feed would, and each
 * flow is asked of both sg_evaluate and sgc_decide over compiled tables.
 *
 * The randomized cases print their seed; SGC_SEED=<n> in the environment
 * reruns one.
 */
#include <arpa/inet.h>
#include <time.h>

#include "agent/sgcompile.h"
#include "model/eni.h"
#include "model/secgroup.h"
#include "model/vpc.h"
#include "model/vswitch.h"
#include "tests/unit/model/fixture.h"

TestSuite(sgc, .init = fx_setup, .fini = fx_teardown);

#define ID RANDID_MAX
#define TCP 6
#define UDP 17
#define ICMP 1
#define ICMP6 58
#define GRE 47

/* --- building state through the model ---------------------------------------- */

static void copy_id(char *dst, const json_t *o)
{
	snprintf(dst, ID, "%s", mj_str(o, "id"));
}

static void mk_vpc(const char *cidr, char *out)
{
	struct model *m = fx_begin(&fx);
	struct vpc_create_req q = {.cidr = cidr, .enable_ipv6 = true};
	json_t *v = NULL;
	cr_assert_eq(vpc_create(m, &q, &v), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, v);
	json_decref(v);
}

static void mk_vsw(const char *vpc, const char *cidr, int v6idx, char *out)
{
	fx_settle_all(&fx);
	struct model *m = fx_begin(&fx);
	struct vswitch_create_req q = {
	    .vpc_id = vpc, .zone_id = "cn-hangzhou-a", .cidr = cidr, .ipv6_index = v6idx};
	json_t *v = NULL;
	cr_assert_eq(vswitch_create(m, &q, &v), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, v);
	json_decref(v);
	fx_settle_all(&fx);
}

static void mk_sg(const char *vpc, const char *type, char *out)
{
	struct model *m = fx_begin(&fx);
	struct sg_create_req q = {.vpc_id = vpc, .type = type};
	json_t *g = NULL;
	cr_assert_eq(sg_create(m, &q, &g), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, g);
	json_decref(g);
}

/* A secondary ENI through eni_create; -1 when the model refuses. */
static int try_eni(const char *vsw, const char *const *sgs, size_t nsg, const char *ip, int64_t n2,
		   int64_t n6, char *out)
{
	struct model *m = fx_begin(&fx);
	struct eni_create_req q = {.vswitch_id = vsw,
				   .primary_ip = ip,
				   .sg_ids = sgs,
				   .n_sg = nsg,
				   .secondary_count = n2,
				   .ipv6_count = n6};
	json_t *e = NULL;
	if (eni_create(m, &q, &e) < 0) {
		fx_abort(&fx);
		return -1;
	}
	fx_commit(&fx);
	copy_id(out, e);
	json_decref(e);
	return 0;
}

static void mk_eni(const char *vsw, const char *const *sgs, size_t nsg, const char *ip, int64_t n2,
		   int64_t n6, char *out)
{
	cr_assert_eq(try_eni(vsw, sgs, nsg, ip, n2, n6, out), 0, "eni_create: %s",
		     merr_message(&fx.m.err));
}

/* A stand-in classic instance (model/instance.h fields) of the acting account. */
static void mk_classic(const char *ip, const char *const *sgs, size_t nsg, char *out)
{
	struct model *m = fx_begin(&fx);
	json_t *i = model_new_resource(m, "i", "Running");
	mj_set_str(i, "network", "classic");
	mj_set_str(i, "private_ip", ip);
	json_t *g = json_array();
	for (size_t k = 0; k < nsg; k++)
		json_array_append_new(g, json_string(sgs[k]));
	json_object_set_new(i, "security_group_ids", g);
	cr_assert_eq(m_create(m, i), 0);
	fx_commit(&fx);
	copy_id(out, i);
	json_decref(i);
}

static int try_rule(const char *sg, bool egress, struct sg_rule_req q)
{
	struct model *m = fx_begin(&fx);
	if (sg_authorize(m, sg, egress, &q, 1, NULL) < 0) {
		fx_abort(&fx);
		return -1;
	}
	fx_commit(&fx);
	return 0;
}

static void rule(const char *sg, bool egress, struct sg_rule_req q)
{
	cr_assert_eq(try_rule(sg, egress, q), 0, "sg_authorize: %s: %s", merr_wire(fx.m.err.code),
		     merr_message(&fx.m.err));
}

static void set_policy(const char *sg, const char *p)
{
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_set_inner_policy(m, sg, p), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
}

/* A document as stored, of any account (new reference). */
static json_t *get_any(const char *id)
{
	struct model *m = fx_begin(&fx);
	char kind[16];
	cr_assert(model_id_kind(id, kind));
	json_t *all = m_list_owner(m, 0, kind, NULL, NULL), *v, *found = NULL;
	size_t i;
	json_array_foreach(all, i, v)
	{
		if (strcmp(mj_str(v, "id"), id) == 0)
			found = json_incref(v);
	}
	json_decref(all);
	fx_abort(&fx);
	cr_assert_not_null(found, "%s not found", id);
	return found;
}

/* The address k of family fam (4/6) of a NIC, into buf; false when none. */
static bool nic_addr(const json_t *doc, int fam, size_t k, char *buf)
{
	const char *v[64];
	size_t n = 0;
	const char *p = mj_str(doc, fam == 4 ? "primary_ip" : "");
	if (fam == 4 && !*p)
		p = mj_str(doc, "private_ip");
	if (fam == 4 && *p)
		v[n++] = p;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(doc, fam == 4 ? "private_ips" : "ipv6s"), i, x)
	{
		if (n < 64)
			v[n++] = json_string_value(x);
	}
	if (k >= n)
		return false;
	snprintf(buf, NETADDR_STRLEN, "%s", v[k]);
	return true;
}

/* --- the index fed from the store ------------------------------------------------ */

/* Every group and NIC of every account into idx; `known` (id -> kind)
 * remembers what was fed, so that what disappeared is deleted. */
static void feed(struct sgc_index *idx, json_t *known, struct sgc_change *chg)
{
	static const char *const kinds[] = {"sg", "eni", "i"};
	json_t *now = json_object();
	struct model *m = fx_begin(&fx);
	for (size_t k = 0; k < 3; k++) {
		json_t *all = m_list_owner(m, 0, kinds[k], NULL, NULL), *v;
		size_t i;
		cr_assert_not_null(all);
		json_array_foreach(all, i, v)
		{
			int rc = k == 0 ? sgc_index_put_group(idx, v, chg)
					: sgc_index_put_nic(idx, v, chg);
			cr_assert_eq(rc, 0);
			json_object_set_new(now, mj_str(v, "id"), json_string(kinds[k]));
		}
		json_decref(all);
	}
	fx_abort(&fx);
	const char *id;
	json_t *v;
	json_object_foreach(known, id, v)
	{
		if (json_object_get(now, id))
			continue;
		int rc = strcmp(json_string_value(v), "sg") == 0 ? sgc_index_del_group(idx, id, chg)
								 : sgc_index_del_nic(idx, id, chg);
		cr_assert_eq(rc, 0);
	}
	json_object_clear(known);
	json_object_update(known, now);
	json_decref(now);
	if (chg)
		cr_assert_eq(chg->err, 0);
}

static struct sgc_index *index_now(json_t **known)
{
	struct sgc_index *idx = sgc_index_create();
	cr_assert_not_null(idx);
	json_t *k = json_object();
	feed(idx, k, NULL);
	if (known)
		*known = k;
	else
		json_decref(k);
	return idx;
}

static void to_bytes(const char *s, int *fam, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*fam = 4;
		return;
	}
	cr_assert_eq(inet_pton(AF_INET6, s, out), 1, "bad address %s", s);
	*fam = 6;
}

static bool model_says(struct model *m, const char *src_nic, const char *src, const char *dst_nic,
		       const char *dst, uint8_t proto, uint16_t sport, uint16_t dport, char *why)
{
	struct sg_flow f = {
	    .src_nic = src_nic, .dst_nic = dst_nic, .proto = proto, .sport = sport, .dport = dport};
	cr_assert(netaddr_parse(src, &f.src));
	cr_assert(netaddr_parse(dst, &f.dst));
	bool accept = false;
	cr_assert_eq(sg_evaluate(m, &f, &accept, why, 256), 0, "%s", merr_message(&m->err));
	return accept;
}

/* How the flows compared were decided (enum sgc_by), to show the
 * randomized cases reach every path. */
static unsigned by_count[6];

/* Both deciders agree, on the deciding rule too (ts/td: the compiled
 * tables of src_nic/dst_nic, NULL for an outside end); returns the verdict. */
static bool agree_tables(struct model *m, const struct sgc_index *idx, const char *src_nic,
			 const struct sgc_tables *ts, const char *src, const char *dst_nic,
			 const struct sgc_tables *td, const char *dst, uint8_t proto,
			 uint16_t sport, uint16_t dport, const char *seedmsg)
{
	char why[256];
	bool want = model_says(m, src_nic, src, dst_nic, dst, proto, sport, dport, why);
	struct sgc_flow f = {.proto = proto, .sport = sport, .dport = dport};
	int fam2;
	to_bytes(src, &f.family, f.src);
	to_bytes(dst, &fam2, f.dst);
	cr_assert_eq(f.family, fam2);
	struct sgc_decision d;
	cr_assert_eq(sgc_decide(ts, td, &f, &d), 0);
	by_count[d.by < 6 ? d.by : 0]++;
	cr_assert_eq(d.accept, want,
		     "%s%s %s -> %s %s proto %u %u->%u: model %s (%s), compiled %s (by %d, "
		     "counter %u)",
		     seedmsg, src_nic ? src_nic : "outside", src, dst_nic ? dst_nic : "outside",
		     dst, proto, sport, dport, want ? "accepts" : "denies", why,
		     d.accept ? "accepts" : "denies", d.by, d.counter);
	/* The deciding rule: "egress rule <id> of <sg>" / "ingress rule <id> of <sg>". */
	char rid[64], gid[64];
	const char *g = NULL, *r = NULL;
	if (sscanf(why, "egress rule %63s of %63s", rid, gid) == 2 ||
	    sscanf(why, "ingress rule %63s of %63s", rid, gid) == 2) {
		cr_assert(d.by == SGC_BY_EGRESS || d.by == SGC_BY_INGRESS, "%s%s: by %d", seedmsg,
			  why, d.by);
		cr_assert(sgc_index_counter_rule(idx, d.counter, &g, &r), "%s%s: counter %u",
			  seedmsg, why, d.counter);
		cr_assert_str_eq(r, rid, "%s%s: compiled rule %s of %s", seedmsg, why, r, g);
		cr_assert_str_eq(g, gid, "%s%s", seedmsg, why);
	} else if (strstr(why, "reach each other")) {
		cr_assert_eq(d.by, SGC_BY_INNER, "%s%s: by %d", seedmsg, why, d.by);
	} else if (strstr(why, "no ingress rule")) {
		cr_assert_eq(d.by, SGC_BY_INGRESS_DEFAULT, "%s%s: by %d", seedmsg, why, d.by);
	} else {
		cr_assert_eq(d.by, SGC_BY_OUTSIDE, "%s%s: by %d", seedmsg, why, d.by);
	}
	return want;
}

static bool agree(struct model *m, const struct sgc_index *idx, const char *src_nic,
		  const char *src, const char *dst_nic, const char *dst, uint8_t proto,
		  uint16_t sport, uint16_t dport, const char *seedmsg)
{
	struct sgc_tables ts, td;
	sgc_tables_init(&ts);
	sgc_tables_init(&td);
	if (src_nic)
		cr_assert_eq(sgc_compile_nic(idx, src_nic, &ts), 0, "compile %s", src_nic);
	if (dst_nic)
		cr_assert_eq(sgc_compile_nic(idx, dst_nic, &td), 0, "compile %s", dst_nic);
	bool v = agree_tables(m, idx, src_nic, src_nic ? &ts : NULL, src, dst_nic,
			      dst_nic ? &td : NULL, dst, proto, sport, dport, seedmsg);
	sgc_tables_fini(&ts);
	sgc_tables_fini(&td);
	return v;
}

/* Asserts the verdict of a flow, asked of both. */
static void expect(const struct sgc_index *idx, bool want, const char *src_nic, const char *src,
		   const char *dst_nic, const char *dst, uint8_t proto, uint16_t sport,
		   uint16_t dport)
{
	struct model *m = fx_begin(&fx);
	bool got = agree(m, idx, src_nic, src, dst_nic, dst, proto, sport, dport, "");
	fx_abort(&fx);
	cr_assert_eq(got, want, "%s %s -> %s %s proto %u %u->%u: expected %s",
		     src_nic ? src_nic : "outside", src, dst_nic ? dst_nic : "outside", dst, proto,
		     sport, dport, want ? "accept" : "deny");
}

/* --- a small world for the hand-written cases ----------------------------------------- */

struct world {
	char vpc[ID], vsw[ID], vpc2[ID], vsw2[ID];
};
static struct world w;

static void world(void)
{
	memset(&w, 0, sizeof(w));
	mk_vpc("10.0.0.0/16", w.vpc);
	mk_vpc("172.16.0.0/16", w.vpc2);
	mk_vsw(w.vpc, "10.0.1.0/24", 0, w.vsw);
	mk_vsw(w.vpc2, "172.16.1.0/24", 0, w.vsw2);
}

static void v6_of(const char *eni, char *buf)
{
	json_t *d = get_any(eni);
	cr_assert(nic_addr(d, 6, 0, buf), "%s has no IPv6", eni);
	json_decref(d);
}

static void collect(void *arg, const char *nic_id)
{
	json_array_append_new(arg, json_string(nic_id));
}

static bool has_str(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

/* --- hand-written cases ---------------------------------------------------------------------- */

Test(sgc, net25_priority_order_and_drop_wins_at_equal_priority)
{
	world();
	char ga[ID], gb[ID], a[ID], b[ID];
	mk_sg(w.vpc, NULL, ga);
	mk_sg(w.vpc, NULL, gb);
	const char *sa[] = {ga}, *sb[] = {gb};
	mk_eni(w.vsw, sa, 1, "10.0.1.10", 0, 0, a);
	mk_eni(w.vsw, sb, 1, "10.0.1.20", 0, 0, b);
	rule(gb, false,
	     (struct sg_rule_req){
		 .protocol = "tcp", .port_range = "1/65535", .source_cidr = "10.0.0.0/16"});
	struct sgc_index *idx = index_now(NULL);
	expect(idx, true, a, "10.0.1.10", b, "10.0.1.20", TCP, 40000, 22);
	sgc_index_destroy(idx);
	/* A drop of the same priority wins over the accept. */
	rule(gb, false,
	     (struct sg_rule_req){.protocol = "tcp",
				  .port_range = "22/22",
				  .source_cidr = "10.0.0.0/16",
				  .policy = "drop"});
	idx = index_now(NULL);
	expect(idx, false, a, "10.0.1.10", b, "10.0.1.20", TCP, 40000, 22);
	expect(idx, true, a, "10.0.1.10", b, "10.0.1.20", TCP, 40000, 80);
	sgc_index_destroy(idx);
	/* A lower number goes first: accept at 1 beats drop at 5. */
	rule(gb, false,
	     (struct sg_rule_req){.protocol = "tcp",
				  .port_range = "80/80",
				  .source_cidr = "10.0.1.10",
				  .policy = "drop",
				  .priority = "5"});
	rule(gb, false,
	     (struct sg_rule_req){.protocol = "tcp",
				  .port_range = "81/81",
				  .source_cidr = "10.0.1.10",
				  .policy = "drop",
				  .priority = "1"});
	idx = index_now(NULL);
	expect(idx, true, a, "10.0.1.10", b, "10.0.1.20", TCP, 40000, 80);
	expect(idx, false, a, "10.0.1.10", b, "10.0.1.20", TCP, 40000, 81);
	sgc_index_destroy(idx);
}

Test(sgc, net25_nested_cidrs)
{
	world();
	char g[ID], a[ID];
	mk_sg(w.vpc, NULL, g);
	const char *s[] = {g};
	mk_eni(w.vsw, s, 1, "10.0.1.10", 0, 0, a);
	rule(g, false,
	     (struct sg_rule_req){.protocol = "all", .source_cidr = "0.0.0.0/0", .priority = "50"});
	rule(g, false,
	     (struct sg_rule_req){.protocol = "all",
				  .source_cidr = "192.0.2.0/24",
				  .policy = "drop",
				  .priority = "20"});
	rule(g, false,
	     (struct sg_rule_req){.protocol = "tcp",
				  .port_range = "22/22",
				  .source_cidr = "192.0.2.128/25",
				  .priority = "10"});
	rule(g, false,
	     (struct sg_rule_req){.protocol = "all",
				  .source_cidr = "192.0.2.130",
				  .policy = "drop",
				  .priority = "5"});
	struct sgc_index *idx = index_now(NULL);
	expect(idx, true, NULL, "198.51.100.1", a, "10.0.1.10", UDP, 1, 53);
	expect(idx, false, NULL, "192.0.2.1", a, "10.0.1.10", TCP, 40000, 22);
	expect(idx, true, NULL, "192.0.2.129", a, "10.0.1.10", TCP, 40000, 22);
	expect(idx, false, NULL, "192.0.2.129", a, "10.0.1.10", TCP, 40000, 23);
	expect(idx, false, NULL, "192.0.2.130", a, "10.0.1.10", TCP, 40000, 22);
	/* The regions: 0/0, /24, /25, /32; the /32's set holds all four rules. */
	struct sgc_tables t;
	cr_assert_eq(sgc_compile_nic(idx, a, &t), 0);
	const struct sgc_table *in4 = &t.t[0][0];
	cr_assert_eq(in4->n, 5, "four regions and the NIC itself (an inner peer)");
	size_t maxn = 0, inner = 0;
	for (size_t i = 0; i < in4->n; i++) {
		inner += (in4->e[i].val.flags & DP_SG_INNER) != 0;
		if (t.sets[in4->e[i].val.ruleset].n > maxn)
			maxn = t.sets[in4->e[i].val.ruleset].n;
	}
	cr_assert_eq(maxn, 4);
	cr_assert_eq(inner, 1);
	cr_assert_eq(in4->e[0].plen, 0, "0/0 sorts first");
	cr_assert_eq(t.t[0][1].n, 1, "IPv6 ingress: only 0/0 (the NIC has no IPv6)");
	cr_assert_eq(t.t[0][1].e[0].val.ruleset, 0, "and no rule");
	sgc_tables_fini(&t);
	sgc_index_destroy(idx);
}

Test(sgc, net25_ports_src_ports_icmp_all)
{
	world();
	char g[ID], a[ID];
	mk_sg(w.vpc, NULL, g);
	const char *s[] = {g};
	mk_eni(w.vsw, s, 1, "10.0.1.10", 0, 0, a);
	rule(g, false,
	     (struct sg_rule_req){.protocol = "tcp",
				  .port_range = "8000/8080",
				  .source_port_range = "1024/2048",
				  .source_cidr = "0.0.0.0/0"});
	rule(g, false, (struct sg_rule_req){.protocol = "icmp", .source_cidr = "198.51.100.0/24"});
	rule(g, false, (struct sg_rule_req){.protocol = "gre", .source_cidr = "203.0.113.7"});
	rule(g, false, (struct sg_rule_req){.protocol = "all", .source_cidr = "203.0.113.8"});
	struct sgc_index *idx = index_now(NULL);
	const char *me = "10.0.1.10";
	expect(idx, true, NULL, "192.0.2.1", a, me, TCP, 1500, 8000);
	expect(idx, true, NULL, "192.0.2.1", a, me, TCP, 2048, 8080);
	expect(idx, false, NULL, "192.0.2.1", a, me, TCP, 2049, 8080);
	expect(idx, false, NULL, "192.0.2.1", a, me, TCP, 1500, 8081);
	expect(idx, false, NULL, "192.0.2.1", a, me, UDP, 1500, 8000);
	expect(idx, true, NULL, "198.51.100.9", a, me, ICMP, 7, 0);
	expect(idx, false, NULL, "198.51.100.9", a, me, UDP, 7, 0);
	expect(idx, true, NULL, "203.0.113.7", a, me, GRE, 0, 0);
	expect(idx, false, NULL, "203.0.113.7", a, me, ICMP, 0, 0);
	expect(idx, true, NULL, "203.0.113.8", a, me, 132 /* SCTP */, 5, 5);
	expect(idx, true, NULL, "203.0.113.8", a, me, TCP, 5, 5);
	sgc_index_destroy(idx);
}

Test(sgc, net13_inner_accept_and_drop)
{
	world();
	char g[ID], e[ID], a[ID], b[ID], c[ID], d[ID];
	mk_sg(w.vpc, NULL, g);
	mk_sg(w.vpc, "enterprise", e);
	const char *sg[] = {g}, *se[] = {e};
	mk_eni(w.vsw, sg, 1, "10.0.1.10", 1, 1, a);
	mk_eni(w.vsw, sg, 1, "10.0.1.20", 0, 1, b);
	mk_eni(w.vsw, se, 1, "10.0.1.30", 0, 0, c);
	mk_eni(w.vsw, se, 1, "10.0.1.40", 0, 0, d);
	/* An egress drop of everything does not stop members of an Accept group. */
	rule(g, true,
	     (struct sg_rule_req){.protocol = "all", .dest_cidr = "0.0.0.0/0", .policy = "drop"});
	struct sgc_index *idx = index_now(NULL);
	json_t *da = get_any(a);
	char a2[NETADDR_STRLEN], a6[NETADDR_STRLEN], b6[NETADDR_STRLEN];
	cr_assert(nic_addr(da, 4, 1, a2));
	json_decref(da);
	v6_of(a, a6);
	v6_of(b, b6);
	expect(idx, true, a, "10.0.1.10", b, "10.0.1.20", TCP, 1, 22);
	expect(idx, true, a, a2, b, "10.0.1.20", TCP, 1, 22);
	expect(idx, true, b, "10.0.1.20", a, a2, UDP, 1, 53);
	expect(idx, true, a, a6, b, b6, TCP, 1, 22);
	expect(idx, false, a, "10.0.1.10", c, "10.0.1.30", TCP, 1, 22);
	/* Enterprise: members isolated (inner Drop), rules only accept. */
	expect(idx, false, c, "10.0.1.30", d, "10.0.1.40", TCP, 1, 22);
	sgc_index_destroy(idx);
	rule(e, false,
	     (struct sg_rule_req){
		 .protocol = "tcp", .port_range = "22/22", .source_cidr = "10.0.1.30"});
	idx = index_now(NULL);
	expect(idx, true, c, "10.0.1.30", d, "10.0.1.40", TCP, 1, 22);
	expect(idx, false, c, "10.0.1.30", d, "10.0.1.40", TCP, 1, 23);
	sgc_index_destroy(idx);
	/* Drop policy on the normal group: the egress drop applies again. */
	set_policy(g, "Drop");
	idx = index_now(NULL);
	expect(idx, false, a, "10.0.1.10", b, "10.0.1.20", TCP, 1, 22);
	struct sgc_tables t;
	cr_assert_eq(sgc_compile_nic(idx, a, &t), 0);
	for (int dir = 0; dir < 2; dir++)
		for (int f = 0; f < 2; f++)
			for (size_t i = 0; i < t.t[dir][f].n; i++)
				cr_assert_eq(t.t[dir][f].e[i].val.flags, 0, "no inner peer left");
	sgc_tables_fini(&t);
	sgc_index_destroy(idx);
}

Test(sgc, net25_group_peers_same_vpc_and_classic_other_account)
{
	world();
	char g1[ID], g2[ID], a[ID], b[ID], b2[ID];
	mk_sg(w.vpc, NULL, g1);
	mk_sg(w.vpc, NULL, g2);
	const char *s1[] = {g1}, *s2[] = {g2};
	mk_eni(w.vsw, s1, 1, "10.0.1.10", 0, 1, a);
	mk_eni(w.vsw, s2, 1, "10.0.1.20", 1, 1, b);
	mk_eni(w.vsw, s2, 1, "10.0.1.21", 0, 0, b2);
	rule(g1, false,
	     (struct sg_rule_req){.protocol = "tcp", .port_range = "22/22", .group_id = g2});
	struct sgc_index *idx = index_now(NULL);
	char b6[NETADDR_STRLEN], a6[NETADDR_STRLEN], bsec[NETADDR_STRLEN];
	v6_of(b, b6);
	v6_of(a, a6);
	json_t *db = get_any(b);
	cr_assert(nic_addr(db, 4, 1, bsec));
	json_decref(db);
	expect(idx, true, b, "10.0.1.20", a, "10.0.1.10", TCP, 1, 22);
	expect(idx, true, b, bsec, a, "10.0.1.10", TCP, 1, 22);
	expect(idx, true, b, b6, a, a6, TCP, 1, 22);
	expect(idx, true, b2, "10.0.1.21", a, "10.0.1.10", TCP, 1, 22);
	expect(idx, false, b2, "10.0.1.21", a, "10.0.1.10", TCP, 1, 23);
	expect(idx, false, NULL, "10.0.1.99", a, "10.0.1.10", TCP, 1, 22);
	/* The index's dependents of g2: its members and g1's. */
	json_t *dep = json_array();
	cr_assert_eq(sgc_index_dependents(idx, g2, collect, dep), 0);
	cr_assert_eq(json_array_size(dep), 3, "b, b2 (members) and a (g1 names g2)");
	cr_assert(has_str(dep, a) && has_str(dep, b) && has_str(dep, b2));
	json_decref(dep);
	sgc_index_destroy(idx);

	/* Classic groups of two accounts: B's group names A's with its owner. */
	char ca[ID], cb[ID], ia[ID], ib[ID], owner_txt[24];
	mk_sg(NULL, NULL, ca);
	const char *sca[] = {ca};
	mk_classic("10.200.0.1", sca, 1, ia);
	fx_as(&fx, fx.other);
	mk_sg(NULL, NULL, cb);
	const char *scb[] = {cb};
	mk_classic("10.200.0.2", scb, 1, ib);
	fx_as(&fx, fx.owner);
	idx = index_now(NULL);
	expect(idx, false, ia, "10.200.0.1", ib, "10.200.0.2", TCP, 1, 22);
	sgc_index_destroy(idx);
	snprintf(owner_txt, sizeof(owner_txt), "%" PRIu64, fx.owner);
	fx_as(&fx, fx.other);
	rule(cb, false,
	     (struct sg_rule_req){.protocol = "tcp",
				  .port_range = "22/22",
				  .group_id = ca,
				  .group_owner_id = owner_txt});
	/* Classic "internet" rules never apply to intranet traffic. */
	rule(cb, false,
	     (struct sg_rule_req){
		 .protocol = "all", .source_cidr = "0.0.0.0/0", .nic_type = "internet"});
	fx_as(&fx, fx.owner);
	idx = index_now(NULL);
	expect(idx, true, ia, "10.200.0.1", ib, "10.200.0.2", TCP, 1, 22);
	expect(idx, false, ia, "10.200.0.1", ib, "10.200.0.2", TCP, 1, 80);
	expect(idx, false, ib, "10.200.0.2", ia, "10.200.0.1", TCP, 1, 22);
	expect(idx, false, NULL, "192.0.2.1", ib, "10.200.0.2", TCP, 1, 80);
	sgc_index_destroy(idx);
}

Test(sgc, net25_local_cidr_and_families)
{
	world();
	char g[ID], p[ID], a[ID], b[ID], a2[NETADDR_STRLEN], a6[NETADDR_STRLEN], b6[NETADDR_STRLEN];
	mk_sg(w.vpc, NULL, g);
	mk_sg(w.vpc, NULL, p);
	const char *sg[] = {g}, *sp[] = {p};
	mk_eni(w.vsw, sg, 1, "10.0.1.10", 1, 1, a);
	mk_eni(w.vsw, sp, 1, "10.0.1.20", 0, 1, b);
	json_t *da = get_any(a);
	cr_assert(nic_addr(da, 4, 1, a2));
	json_decref(da);
	v6_of(a, a6);
	v6_of(b, b6);
	/* SSH only to the primary address: DestCidrIp narrows the rule. */
	rule(g, false,
	     (struct sg_rule_req){.protocol = "tcp",
				  .port_range = "22/22",
				  .source_cidr = "0.0.0.0/0",
				  .dest_cidr = "10.0.1.10"});
	/* A group peer narrowed to an IPv4 local address: never an IPv6 flow. */
	rule(g, false,
	     (struct sg_rule_req){.protocol = "udp",
				  .port_range = "53/53",
				  .group_id = p,
				  .dest_cidr = "10.0.1.0/24"});
	/* IPv6 only. */
	rule(g, false,
	     (struct sg_rule_req){
		 .protocol = "tcp", .port_range = "443/443", .source_cidr6 = "::/0"});
	/* IPv4 only. */
	rule(g, false,
	     (struct sg_rule_req){
		 .protocol = "tcp", .port_range = "80/80", .source_cidr = "0.0.0.0/0"});
	struct sgc_index *idx = index_now(NULL);
	expect(idx, true, NULL, "192.0.2.1", a, "10.0.1.10", TCP, 1, 22);
	expect(idx, false, NULL, "192.0.2.1", a, a2, TCP, 1, 22);
	expect(idx, true, b, "10.0.1.20", a, a2, UDP, 1, 53);
	expect(idx, false, b, b6, a, a6, UDP, 1, 53);
	expect(idx, true, b, b6, a, a6, TCP, 1, 443);
	expect(idx, false, NULL, "192.0.2.1", a, "10.0.1.10", TCP, 1, 443);
	expect(idx, true, NULL, "192.0.2.1", a, "10.0.1.10", TCP, 1, 80);
	expect(idx, false, NULL, "2001:db8::1", a, a6, TCP, 1, 80);
	expect(idx, true, NULL, "2001:db8::1", a, a6, TCP, 1, 443);
	/* Egress of the IPv6 family is untouched by IPv4 drops. */
	rule(g, true,
	     (struct sg_rule_req){.protocol = "all", .dest_cidr = "0.0.0.0/0", .policy = "drop"});
	sgc_index_destroy(idx);
	idx = index_now(NULL);
	expect(idx, false, a, "10.0.1.10", NULL, "192.0.2.1", TCP, 1, 80);
	expect(idx, true, a, a6, NULL, "2001:db8::1", TCP, 1, 80);
	sgc_index_destroy(idx);
}

Test(sgc, net25_counters_stable_freed_and_named)
{
	world();
	char g[ID], a[ID];
	mk_sg(w.vpc, NULL, g);
	const char *sg[] = {g};
	mk_eni(w.vsw, sg, 1, "10.0.1.10", 0, 0, a);
	rule(g, false,
	     (struct sg_rule_req){
		 .protocol = "tcp", .port_range = "22/22", .source_cidr = "0.0.0.0/0"});
	rule(g, false,
	     (struct sg_rule_req){
		 .protocol = "tcp", .port_range = "80/80", .source_cidr = "0.0.0.0/0"});
	struct sgc_index *idx = sgc_index_create();
	json_t *known = json_object();
	struct sgc_change chg;
	sgc_change_init(&chg);
	feed(idx, known, &chg);
	cr_assert_eq(chg.n_counters, 2, "two rules, two new counters");
	cr_assert(sgc_change_has(&chg, a));
	json_t *doc = get_any(g);
	const json_t *rules = json_object_get(doc, "rules");
	const char *r0 = mj_str(json_array_get(rules, 0), "id");
	const char *r1 = mj_str(json_array_get(rules, 1), "id");
	uint32_t c0 = sgc_index_rule_counter(idx, g, r0), c1 = sgc_index_rule_counter(idx, g, r1);
	cr_assert(c0 && c1 && c0 != c1);
	const char *gg, *rr;
	cr_assert(sgc_index_counter_rule(idx, c1, &gg, &rr));
	cr_assert_str_eq(gg, g);
	cr_assert_str_eq(rr, r1);
	/* Feeding the same state again changes nothing. */
	sgc_change_clear(&chg);
	feed(idx, known, &chg);
	cr_assert_eq(chg.n, 0);
	cr_assert_eq(chg.n_counters, 0);
	/* Revoking rule 0 frees its counter; rule 1 keeps its own. */
	struct model *m = fx_begin(&fx);
	cr_assert_eq(sg_revoke(m, g, false, NULL, 0, &r0, 1), 0);
	fx_commit(&fx);
	feed(idx, known, &chg);
	cr_assert(sgc_change_has(&chg, a));
	cr_assert_eq(sgc_index_rule_counter(idx, g, r1), c1);
	cr_assert_not(sgc_index_counter_rule(idx, c0, NULL, NULL));
	/* A name change is nothing to the tables. */
	sgc_change_clear(&chg);
	m = fx_begin(&fx);
	cr_assert_eq(sg_modify(m, g, "renamed", NULL), 0);
	fx_commit(&fx);
	feed(idx, known, &chg);
	cr_assert_eq(chg.n, 0);
	json_decref(doc);
	json_decref(known);
	sgc_change_fini(&chg);
	sgc_index_destroy(idx);
}

/* --- chunks and keys
 * ------------------------------------------------------------------------------ */

Test(sgc, net25_chunks_and_keys)
{
	struct dp_sg_rule r[20];
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 20; i++)
		r[i].counter = (uint32_t)i + 1;
	struct sgc_ruleset s = {.r = r, .n = 20};
	cr_assert_eq(sgc_chunk_count(&s), 3);
	struct dp_sg_chunk c;
	sgc_chunk(&s, 0, &c);
	cr_assert(c.n == 8 && c.more == 1 && c.r[0].counter == 1);
	sgc_chunk(&s, 2, &c);
	cr_assert(c.n == 4 && c.more == 0 && c.r[3].counter == 20);
	struct sgc_ruleset e = {0};
	cr_assert_eq(sgc_chunk_count(&e), 0);
	struct sgc_entry en = {.addr = {10, 0, 1, 0}, .plen = 24};
	struct dp_sg_key k;
	sgc_entry_key(&en, 7, 1, true, false, &k);
	cr_assert_eq(k.prefixlen, 56);
	cr_assert_eq(k.table, (7u << 3) | (1u << 2) | (1u << 1));
	cr_assert_eq(k.addr[2], 1);
}

/* --- randomized: random states, flows and changes -----------------------------------------------
 */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static unsigned rn(struct rng *r, unsigned n)
{
	return (unsigned)(rnd(r) % n);
}

static uint64_t seed_of(uint64_t dflt)
{
	const char *e = getenv("SGC_SEED");
	uint64_t s = e && *e ? strtoull(e, NULL, 10) : dflt;
	return s ? s : 1;
}

#define RVPC 3
#define RG_MAX 48
#define RN_MAX 96

struct rgroup {
	char id[ID];
	uint64_t owner;
	int vpc; /* -1: classic */
	bool ent;
};

struct rnic {
	char id[ID];
	uint64_t owner;
	int vpc;  /* -1: classic instance */
	bool ent; /* in enterprise groups */
	bool gone;
};

struct rworld {
	char vpc[RVPC][ID], vsw[RVPC][ID];
	uint64_t vpc_owner[RVPC];
	struct rgroup g[RG_MAX];
	size_t ng;
	struct rnic n[RN_MAX];
	size_t nn;
	int classic_next;
};

static void rw_group(struct rworld *rw, int vpc, uint64_t owner, bool ent)
{
	struct rgroup *g = &rw->g[rw->ng++];
	g->owner = owner;
	g->vpc = vpc;
	g->ent = ent;
	fx_as(&fx, owner);
	mk_sg(vpc >= 0 ? rw->vpc[vpc] : NULL, ent ? "enterprise" : NULL, g->id);
	fx_as(&fx, fx.owner);
}

/* 1..3 random groups fit for a NIC (one VPC or classic, one owner, one type). */
static size_t rw_pick_groups(struct rng *r, const struct rworld *rw, int vpc, uint64_t owner,
			     bool ent, const char **out)
{
	size_t cand[RG_MAX], nc = 0, n = 0;
	for (size_t i = 0; i < rw->ng; i++)
		if (rw->g[i].vpc == vpc && rw->g[i].owner == owner && rw->g[i].ent == ent)
			cand[nc++] = i;
	cr_assert(nc > 0);
	size_t want = 1 + rn(r, 3);
	for (size_t k = 0; k < want; k++) {
		const char *id = rw->g[cand[rn(r, (unsigned)nc)]].id;
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= strcmp(out[j], id) == 0;
		if (!dup)
			out[n++] = id;
	}
	return n;
}

static void rw_eni(struct rng *r, struct rworld *rw, int vpc)
{
	if (rw->nn == RN_MAX)
		return;
	struct rnic *n = &rw->n[rw->nn];
	memset(n, 0, sizeof(*n));
	n->vpc = vpc;
	n->owner = rw->vpc_owner[vpc];
	n->ent = rn(r, 4) == 0;
	const char *sgs[3];
	size_t ns = rw_pick_groups(r, rw, vpc, n->owner, n->ent, sgs);
	fx_as(&fx, n->owner);
	if (try_eni(rw->vsw[vpc], sgs, ns, NULL, rn(r, 3), rn(r, 2), n->id) == 0)
		rw->nn++;
	fx_as(&fx, fx.owner);
}

static void rw_classic(struct rng *r, struct rworld *rw, uint64_t owner)
{
	if (rw->nn == RN_MAX)
		return;
	struct rnic *n = &rw->n[rw->nn++];
	memset(n, 0, sizeof(*n));
	n->vpc = -1;
	n->owner = owner;
	const char *sgs[3];
	size_t ns = rw_pick_groups(r, rw, -1, owner, false, sgs);
	char ip[32];
	snprintf(ip, sizeof(ip), "10.200.0.%d", ++rw->classic_next);
	fx_as(&fx, owner);
	mk_classic(ip, sgs, ns, n->id);
	fx_as(&fx, fx.owner);
}

/* Every NIC address in the store: id -> [addresses]; all addresses -> holder. */
static void rw_addrs(json_t **by_nic, json_t **holders)
{
	*by_nic = json_object();
	*holders = json_object();
	struct model *m = fx_begin(&fx);
	static const char *const kinds[] = {"eni", "i"};
	for (int k = 0; k < 2; k++) {
		json_t *all = m_list_owner(m, 0, kinds[k], NULL, NULL), *v;
		size_t i;
		json_array_foreach(all, i, v)
		{
			if (k == 1 && strcmp(mj_str(v, "network"), "classic") != 0)
				continue;
			json_t *l = json_array();
			char a[NETADDR_STRLEN];
			for (int fam = 4; fam <= 6; fam += 2)
				for (size_t j = 0; nic_addr(v, fam, j, a); j++) {
					cr_assert_null(json_object_get(*holders, a),
						       "address %s held twice", a);
					json_object_set_new(*holders, a,
							    json_string(mj_str(v, "id")));
					json_array_append_new(l, json_string(a));
				}
			json_object_set_new(*by_nic, mj_str(v, "id"), l);
		}
		json_decref(all);
	}
	fx_abort(&fx);
}

/* A random address of a NIC (text), or an outside one; false: none of fam. */
static bool rw_nic_addr(struct rng *r, json_t *by_nic, const char *id, int fam, char *out)
{
	const json_t *l = json_object_get(by_nic, id);
	const char *c[64];
	size_t n = 0, i;
	json_t *v;
	json_array_foreach(l, i, v)
	{
		const char *s = json_string_value(v);
		if ((strchr(s, ':') != NULL) == (fam == 6) && n < 64)
			c[n++] = s;
	}
	if (!n)
		return false;
	snprintf(out, NETADDR_STRLEN, "%s", c[rn(r, (unsigned)n)]);
	return true;
}

static void rw_outside(struct rng *r, const struct rworld *rw, json_t *by_nic, json_t *holders,
		       int fam, char *out)
{
	for (;;) {
		if (fam == 4) {
			static const char *const fixed[] = {"192.0.2.7", "192.0.2.200",
							    "198.51.100.1", "8.8.8.8"};
			if (rn(r, 2))
				snprintf(out, NETADDR_STRLEN, "%s", fixed[rn(r, 4)]);
			else
				snprintf(out, NETADDR_STRLEN, "10.%u.1.%u", rn(r, 3),
					 1 + rn(r, 254));
		} else {
			char near[NETADDR_STRLEN] = "";
			unsigned pick = rn(r, (unsigned)rw->nn + 1);
			if (pick < rw->nn && !rw->n[pick].gone)
				rw_nic_addr(r, by_nic, rw->n[pick].id, 6, near);
			struct netaddr a;
			if (*near && rn(r, 2) && netaddr_parse(near, &a)) {
				a.lo ^= 1 + rn(r, 255);
				netaddr_format(&a, out);
			} else {
				snprintf(out, NETADDR_STRLEN, "2001:db8::%x", 1 + rn(r, 0xfff));
			}
		}
		if (!json_object_get(holders, out))
			return;
	}
}

#define CIDR_LEN 64

/* A random address-ish CIDR of family fam around the world's addresses. */
static void rw_cidr(struct rng *r, const struct rworld *rw, json_t *by_nic, int fam, char *out)
{
	char a[NETADDR_STRLEN];
	unsigned pick = rn(r, (unsigned)rw->nn + 1);
	bool have =
	    pick < rw->nn && !rw->n[pick].gone && rw_nic_addr(r, by_nic, rw->n[pick].id, fam, a);
	if (fam == 4) {
		static const unsigned lens[] = {32, 32, 31, 30, 28, 24, 16, 8};
		static const char *const fixed[] = {"0.0.0.0/0", "10.0.0.0/8",	  "192.0.2.0/24",
						    "192.0.2.7", "10.200.0.0/24", "10.1.0.0/16"};
		if (!have || rn(r, 3) == 0)
			snprintf(out, CIDR_LEN, "%s", fixed[rn(r, 6)]);
		else
			snprintf(out, CIDR_LEN, "%s/%u", a, lens[rn(r, 8)]);
	} else {
		static const unsigned lens[] = {128, 128, 127, 120, 64, 56, 48};
		static const char *const fixed[] = {"::/0", "2001:db8::/32", "2001:db8::7"};
		if (!have || rn(r, 3) == 0) {
			snprintf(out, CIDR_LEN, "%s", fixed[rn(r, 3)]);
		} else {
			snprintf(out, CIDR_LEN, "%s/%u", a, lens[rn(r, 7)]);
		}
	}
}

static void rw_port_range(struct rng *r, char *out)
{
	static const unsigned lo[] = {1, 22, 80, 443, 1000, 40000, 65535};
	unsigned a = lo[rn(r, 7)], span = rn(r, 3) == 0 ? 0 : rn(r, 50);
	if (rn(r, 8) == 0)
		snprintf(out, 24, "1/65535");
	else
		snprintf(out, 24, "%u/%u", a, a + span > 65535 ? 65535 : a + span);
}

/* Tries one random rule on a random group (as its owner); true if added. */
static bool rw_rule(struct rng *r, struct rworld *rw, json_t *by_nic)
{
	static const char *const protos[] = {"tcp",    "tcp", "udp", "icmp",
					     "icmpv6", "gre", "all", "all"};
	const struct rgroup *g = &rw->g[rn(r, (unsigned)rw->ng)];
	bool egress = rn(r, 2);
	char ports[24], sports[24], peer[CIDR_LEN], local[CIDR_LEN], prio[8], owner[24];
	struct sg_rule_req q = {.protocol = protos[rn(r, 8)]};
	bool has_ports = strcmp(q.protocol, "tcp") == 0 || strcmp(q.protocol, "udp") == 0;
	if (has_ports) {
		rw_port_range(r, ports);
		q.port_range = ports;
		if (rn(r, 4) == 0) {
			rw_port_range(r, sports);
			q.source_port_range = sports;
		}
	} else if (rn(r, 2)) {
		q.port_range = "-1/-1";
	}
	unsigned kind = rn(r, 10); /* 0-4 v4 CIDR, 5-6 v6 CIDR, 7-9 group */
	if (g->vpc < 0 && kind >= 5 && kind <= 6)
		kind = 0;
	if (g->ent && kind >= 7)
		kind = 1;
	int fam = kind <= 4 ? 4 : kind <= 6 ? 6 : (g->vpc >= 0 && rn(r, 3) == 0 ? 6 : 4);
	const char **peer_field = fam == 4 ? (egress ? &q.dest_cidr : &q.source_cidr)
					   : (egress ? &q.dest_cidr6 : &q.source_cidr6);
	const char **local_field = fam == 4 ? (egress ? &q.source_cidr : &q.dest_cidr)
					    : (egress ? &q.source_cidr6 : &q.dest_cidr6);
	if (kind <= 6) {
		rw_cidr(r, rw, by_nic, fam, peer);
		*peer_field = peer;
	} else {
		/* VPC groups: same VPC, or a classic group of the same account
		 * (ClassicLink); classic groups: any account's classic group. */
		size_t cand[RG_MAX], nc = 0;
		for (size_t i = 0; i < rw->ng; i++) {
			const struct rgroup *p = &rw->g[i];
			if (g->vpc >= 0 ? (p->vpc == g->vpc || (p->vpc < 0 && p->owner == g->owner))
					: p->vpc < 0)
				cand[nc++] = i;
		}
		const struct rgroup *p = &rw->g[cand[rn(r, (unsigned)nc)]];
		q.group_id = p->id;
		if (p->owner != g->owner) {
			snprintf(owner, sizeof(owner), "%" PRIu64, p->owner);
			q.group_owner_id = owner;
		}
	}
	if (rn(r, 4) == 0) {
		rw_cidr(r, rw, by_nic, fam, local);
		*local_field = local;
	}
	if (!g->ent && rn(r, 5) < 2)
		q.policy = "drop";
	snprintf(prio, sizeof(prio), "%u", 1 + rn(r, 3));
	q.priority = prio;
	if (g->vpc < 0 && !q.group_id && rn(r, 5) == 0)
		q.nic_type = "internet";
	fx_as(&fx, g->owner);
	bool ok = try_rule(g->id, egress, q) == 0;
	fx_as(&fx, fx.owner);
	return ok;
}

static void rw_build(struct rng *r, struct rworld *rw)
{
	memset(rw, 0, sizeof(*rw));
	static const char *const cidrs[RVPC] = {"10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"};
	static const char *const vsw[RVPC] = {"10.0.1.0/24", "10.1.1.0/24", "10.2.1.0/24"};
	for (int v = 0; v < RVPC; v++) {
		rw->vpc_owner[v] = v == 2 ? fx.other : fx.owner;
		fx_as(&fx, rw->vpc_owner[v]);
		mk_vpc(cidrs[v], rw->vpc[v]);
		mk_vsw(rw->vpc[v], vsw[v], 0, rw->vsw[v]);
		fx_as(&fx, fx.owner);
	}
	for (int v = 0; v < RVPC; v++) {
		for (int k = 0; k < 3; k++)
			rw_group(rw, v, rw->vpc_owner[v], false);
		rw_group(rw, v, rw->vpc_owner[v], true);
	}
	for (int k = 0; k < 2; k++) {
		rw_group(rw, -1, fx.owner, false);
		rw_group(rw, -1, fx.other, false);
	}
	for (size_t i = 0; i < rw->ng; i++)
		if (!rw->g[i].ent && rn(r, 3) == 0) {
			fx_as(&fx, rw->g[i].owner);
			set_policy(rw->g[i].id, "Drop");
			fx_as(&fx, fx.owner);
		}
	for (int v = 0; v < RVPC; v++)
		for (int k = 0; k < 5; k++)
			rw_eni(r, rw, v);
	for (int k = 0; k < 3; k++) {
		rw_classic(r, rw, fx.owner);
		rw_classic(r, rw, fx.other);
	}
	/* A forged document: bob's classic instance listing one of alice's
	 * groups.  The API cannot make it; both deciders must ignore it as a
	 * member of alice's group (owner rule of sg_nic_in_group). */
	if (rw->nn < RN_MAX) {
		struct rnic *n = &rw->n[rw->nn++];
		memset(n, 0, sizeof(*n));
		n->vpc = -1;
		n->owner = fx.other;
		const char *sgs[3];
		size_t ns = rw_pick_groups(r, rw, -1, fx.owner, false, sgs);
		char ip[32];
		snprintf(ip, sizeof(ip), "10.200.0.%d", ++rw->classic_next);
		fx_as(&fx, fx.other);
		mk_classic(ip, sgs, ns, n->id);
		fx_as(&fx, fx.owner);
	}
	json_t *by_nic, *holders;
	rw_addrs(&by_nic, &holders);
	int added = 0;
	for (int k = 0; k < 150; k++)
		added += rw_rule(r, rw, by_nic);
	fprintf(stderr, "  %zu groups, %zu NICs, %d of 150 random rules accepted by the model\n",
		rw->ng, rw->nn, added);
	json_decref(by_nic);
	json_decref(holders);
}

/* n random flows, model against compiled tables. */
static void rw_flows(struct rng *r, struct rworld *rw, const struct sgc_index *idx, int n,
		     const char *seedmsg)
{
	json_t *by_nic, *holders;
	rw_addrs(&by_nic, &holders);
	/* In creation order: the model's ids are random, the seed must not
	 * depend on them. */
	size_t nn = 0, i;
	const char **ids = calloc(rw->nn + 1, sizeof(*ids));
	struct sgc_tables *t = calloc(rw->nn + 1, sizeof(*t));
	for (i = 0; i < rw->nn; i++)
		if (!rw->n[i].gone) {
			cr_assert_not_null(json_object_get(by_nic, rw->n[i].id));
			ids[nn] = rw->n[i].id;
			cr_assert_eq(sgc_compile_nic(idx, ids[nn], &t[nn]), 0, "%scompile %s",
				     seedmsg, ids[nn]);
			nn++;
		}
	cr_assert_eq(nn, json_object_size(by_nic));
	static const uint8_t protos[] = {TCP, TCP, TCP, UDP, UDP, ICMP, ICMP6, GRE, 132};
	static const uint16_t dports[] = {22, 80, 443, 1, 65535, 1000, 1010, 40000, 23, 81};
	static const uint16_t sports[] = {40000, 40005, 1024, 80, 1, 65535};
	struct model *m = fx_begin(&fx);
	int accepted = 0;
	for (int f = 0; f < n; f++) {
		int fam = rn(r, 10) < 7 ? 4 : 6;
		long si = rn(r, 4) ? (long)rn(r, (unsigned)nn) : -1;
		long di = rn(r, 4) || si < 0 ? (long)rn(r, (unsigned)nn) : -1;
		char sa[NETADDR_STRLEN], da[NETADDR_STRLEN];
		if (si >= 0 && !rw_nic_addr(r, by_nic, ids[si], fam, sa))
			si = -1;
		if (di >= 0 && !rw_nic_addr(r, by_nic, ids[di], fam, da))
			di = -1;
		if (si < 0 && di < 0) {
			f--;
			continue;
		}
		if (si < 0)
			rw_outside(r, rw, by_nic, holders, fam, sa);
		if (di < 0)
			rw_outside(r, rw, by_nic, holders, fam, da);
		uint8_t proto = protos[rn(r, sizeof(protos))];
		uint16_t dport = rn(r, 4) ? dports[rn(r, 10)] : (uint16_t)rn(r, 65536);
		uint16_t sport = rn(r, 4) ? sports[rn(r, 6)] : (uint16_t)rn(r, 65536);
		accepted += agree_tables(m, idx, si >= 0 ? ids[si] : NULL, si >= 0 ? &t[si] : NULL,
					 sa, di >= 0 ? ids[di] : NULL, di >= 0 ? &t[di] : NULL, da,
					 proto, sport, dport, seedmsg);
	}
	fx_abort(&fx);
	for (i = 0; i < nn; i++)
		sgc_tables_fini(&t[i]);
	free(t);
	free(ids);
	json_decref(by_nic);
	json_decref(holders);
	fprintf(stderr,
		"  %d flows: %d accepted; by inner %u, egress drop %u, ingress rule %u, ingress "
		"default %u, outside %u\n",
		n, accepted, by_count[SGC_BY_INNER], by_count[SGC_BY_EGRESS],
		by_count[SGC_BY_INGRESS], by_count[SGC_BY_INGRESS_DEFAULT],
		by_count[SGC_BY_OUTSIDE]);
	memset(by_count, 0, sizeof(by_count));
	/* Both verdicts occur, or the test proves little. */
	if (n >= 500)
		cr_assert(accepted > n / 20 && accepted < n - n / 20, "%saccepted %d of %d",
			  seedmsg, accepted, n);
}

Test(sgc, net13_net25_random_states_match_sg_evaluate, .timeout = 600)
{
	uint64_t base = seed_of(20260115);
	for (int round = 0; round < 3; round++) {
		if (round > 0) {
			fx_teardown();
			fx_setup();
		}
		uint64_t seed = base + (uint64_t)round;
		char msg[64];
		snprintf(msg, sizeof(msg), "[SGC_SEED=%" PRIu64 "] ", seed);
		fprintf(stderr, "sgcompile random states: seed %" PRIu64 "\n", seed);
		struct rng r = {seed * 0x9e3779b97f4a7c15ull};
		struct rworld rw;
		rw_build(&r, &rw);
		struct sgc_index *idx = index_now(NULL);
		rw_flows(&r, &rw, idx, 2000, msg);
		sgc_index_destroy(idx);
	}
}

/* --- randomized: incremental updates
 * -------------------------------------------------------------- */

struct snap {
	size_t n;
	char (*id)[ID];
	struct sgc_tables *t;
};

static void snap_take(const struct sgc_index *idx, const json_t *known, struct snap *s)
{
	size_t cap = json_object_size(known) + 1;
	s->n = 0;
	s->id = calloc(cap, sizeof(*s->id));
	s->t = calloc(cap, sizeof(*s->t));
	const char *id;
	json_t *v;
	json_object_foreach((json_t *)known, id, v)
	{
		if (strcmp(json_string_value(v), "sg") == 0)
			continue;
		int rc = sgc_compile_nic(idx, id, &s->t[s->n]);
		if (rc == -ENOENT)
			continue; /* a VPC instance */
		cr_assert_eq(rc, 0);
		snprintf(s->id[s->n++], ID, "%s", id);
	}
}

static void snap_free(struct snap *s)
{
	for (size_t i = 0; i < s->n; i++)
		sgc_tables_fini(&s->t[i]);
	free(s->t);
	free(s->id);
	memset(s, 0, sizeof(*s));
}

static const struct sgc_tables *snap_find(const struct snap *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->id[i], id) == 0)
			return &s->t[i];
	return NULL;
}

/* Every NIC whose tables differ between a and b is in chg; returns how many differ. */
static size_t snap_covered(const struct snap *a, const struct snap *b, const struct sgc_change *chg,
			   const char *what)
{
	size_t changed = 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct snap *x = pass ? b : a, *y = pass ? a : b;
		for (size_t i = 0; i < x->n; i++) {
			const struct sgc_tables *o = snap_find(y, x->id[i]);
			if (o && sgc_tables_equal(&x->t[i], o))
				continue;
			if (pass == 1 && o)
				continue; /* counted in pass 0 */
			changed++;
			cr_assert(sgc_change_has(chg, x->id[i]),
				  "%s: the tables of %s changed but the index did not report it",
				  what, x->id[i]);
		}
	}
	return changed;
}

/* Rule counters replaced by a hash of the rule's (group, id), so that the
 * tables of two indexes (which number counters in their own order) compare. */
static void snap_normalize(const struct sgc_index *idx, struct snap *s)
{
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->t[i].nsets; k++)
			for (size_t j = 0; j < s->t[i].sets[k].n; j++) {
				struct dp_sg_rule *x = &s->t[i].sets[k].r[j];
				const char *g, *rid;
				cr_assert(sgc_index_counter_rule(idx, x->counter, &g, &rid));
				uint32_t h = 2166136261u;
				for (const char *p = g; *p; p++)
					h = (h ^ (uint8_t)*p) * 16777619u;
				for (const char *p = rid; *p; p++)
					h = (h ^ (uint8_t)*p) * 16777619u;
				x->counter = h;
			}
}

/* One random change through the model; returns its name (NULL: refused). */
static const char *rw_mutate(struct rng *r, struct rworld *rw)
{
	unsigned kind = rn(r, 11);
	struct model *m;
	size_t k;
	switch (kind) {
	case 0:
	case 1: {
		json_t *by_nic, *holders;
		rw_addrs(&by_nic, &holders);
		bool ok = rw_rule(r, rw, by_nic);
		json_decref(by_nic);
		json_decref(holders);
		return ok ? "authorize" : NULL;
	}
	case 2:
	case 3: {
		const struct rgroup *g = &rw->g[rn(r, (unsigned)rw->ng)];
		json_t *doc = get_any(g->id);
		const json_t *rules = json_object_get(doc, "rules");
		const char *name = NULL;
		if (json_array_size(rules)) {
			const json_t *x =
			    json_array_get(rules, rn(r, (unsigned)json_array_size(rules)));
			const char *rid = mj_str(x, "id");
			bool eg = strcmp(mj_str(x, "direction"), "egress") == 0;
			fx_as(&fx, g->owner);
			m = fx_begin(&fx);
			int rc;
			if (kind == 2) {
				rc = sg_revoke(m, g->id, eg, NULL, 0, &rid, 1);
				name = "revoke";
			} else {
				char prio[8];
				snprintf(prio, sizeof(prio), "%u", 1 + rn(r, 3));
				struct sg_rule_req q = {.priority = prio};
				rc = sg_modify_rule(m, g->id, eg, rid, &q);
				name = "modify rule priority";
			}
			if (rc == 0)
				fx_commit(&fx);
			else
				fx_abort(&fx), name = NULL;
			fx_as(&fx, fx.owner);
		}
		json_decref(doc);
		return name;
	}
	case 4: {
		const struct rgroup *g = &rw->g[rn(r, (unsigned)rw->ng)];
		if (g->ent)
			return NULL;
		json_t *doc = get_any(g->id);
		bool acc = strcmp(mj_str(doc, "inner_access_policy"), "Accept") == 0;
		json_decref(doc);
		fx_as(&fx, g->owner);
		set_policy(g->id, acc ? "Drop" : "Accept");
		fx_as(&fx, fx.owner);
		return "inner policy";
	}
	case 5:
	case 6: {
		struct rnic *n = &rw->n[rn(r, (unsigned)rw->nn)];
		if (n->gone)
			return NULL;
		const char *sgs[3];
		bool classic = n->vpc < 0;
		size_t ns =
		    rw_pick_groups(r, rw, n->vpc, classic ? n->owner : n->owner, n->ent, sgs);
		fx_as(&fx, n->owner);
		m = fx_begin(&fx);
		int rc;
		if (classic) {
			json_t *doc = m_get(m, n->id);
			cr_assert_not_null(doc);
			json_t *g = json_array();
			for (size_t i = 0; i < ns; i++)
				json_array_append_new(g, json_string(sgs[i]));
			json_object_set_new(doc, "security_group_ids", g);
			rc = m_put(m, doc);
			json_decref(doc);
		} else {
			struct eni_modify_req q = {
			    .eni_id = n->id, .sg_ids = sgs, .n_sg = ns, .delete_on_release = -1};
			rc = eni_modify(m, &q);
		}
		if (rc == 0)
			fx_commit(&fx);
		else
			fx_abort(&fx);
		fx_as(&fx, fx.owner);
		return rc == 0 ? "change groups" : NULL;
	}
	case 7: {
		struct rnic *n = &rw->n[rn(r, (unsigned)rw->nn)];
		if (n->gone || n->vpc < 0)
			return NULL;
		bool v6 = rn(r, 2);
		fx_as(&fx, n->owner);
		m = fx_begin(&fx);
		int rc;
		json_t *doc = m_get(m, n->id);
		const json_t *have = json_object_get(doc, v6 ? "ipv6s" : "private_ips");
		if (json_array_size(have) && rn(r, 2)) {
			const char *ip = json_string_value(json_array_get(have, 0));
			rc = eni_unassign_ips(m, n->id, v6, &ip, 1);
		} else {
			rc = eni_assign_ips(m, n->id, v6, NULL, 0, 1, NULL);
		}
		json_decref(doc);
		if (rc == 0)
			fx_commit(&fx);
		else
			fx_abort(&fx);
		fx_as(&fx, fx.owner);
		return rc == 0 ? "addresses" : NULL;
	}
	case 8:
		k = rw->nn;
		rw_eni(r, rw, (int)rn(r, RVPC));
		return rw->nn > k ? "new ENI" : NULL;
	case 9: {
		struct rnic *n = &rw->n[rn(r, (unsigned)rw->nn)];
		if (n->gone || n->vpc < 0)
			return NULL;
		fx_as(&fx, n->owner);
		m = fx_begin(&fx);
		int rc = eni_delete(m, n->id);
		if (rc == 0)
			fx_commit(&fx);
		else
			fx_abort(&fx);
		fx_as(&fx, fx.owner);
		if (rc < 0)
			return NULL;
		fx_settle_all(&fx);
		n->gone = true;
		return "delete ENI";
	}
	default: {
		const struct rgroup *g = &rw->g[rn(r, (unsigned)rw->ng)];
		fx_as(&fx, g->owner);
		m = fx_begin(&fx);
		cr_assert_eq(sg_modify(m, g->id, NULL, "changed"), 0);
		fx_commit(&fx);
		fx_as(&fx, fx.owner);
		return "group description";
	}
	}
}

Test(sgc, net13_net25_random_updates_report_every_changed_nic, .timeout = 600)
{
	uint64_t seed = seed_of(20260201);
	char msg[64];
	snprintf(msg, sizeof(msg), "[SGC_SEED=%" PRIu64 "] ", seed);
	fprintf(stderr, "sgcompile random updates: seed %" PRIu64 "\n", seed);
	struct rng r = {seed * 0x9e3779b97f4a7c15ull};
	struct rworld rw;
	rw_build(&r, &rw);
	json_t *known;
	struct sgc_index *idx = index_now(&known);
	struct snap before, after;
	snap_take(idx, known, &before);
	struct sgc_change chg;
	sgc_change_init(&chg);
	int applied = 0, steps = 200;
	size_t changed = 0, reported = 0;
	for (int step = 0; step < steps; step++) {
		const char *what = rw_mutate(&r, &rw);
		if (!what)
			continue;
		applied++;
		fx_settle_all(&fx);
		sgc_change_clear(&chg);
		feed(idx, known, &chg);
		snap_take(idx, known, &after);
		char ctx[160];
		snprintf(ctx, sizeof(ctx), "%sstep %d (%s)", msg, step, what);
		changed += snap_covered(&before, &after, &chg, ctx);
		reported += chg.n;
		snap_free(&before);
		before = after;
		memset(&after, 0, sizeof(after));
		if (applied % 20 == 0) {
			/* The incremental index is the one built from scratch. */
			struct sgc_index *fresh = index_now(NULL);
			struct snap f, cur;
			snap_take(fresh, known, &f);
			snap_take(idx, known, &cur);
			snap_normalize(fresh, &f);
			snap_normalize(idx, &cur);
			cr_assert_eq(f.n, cur.n);
			for (size_t i = 0; i < f.n; i++) {
				const struct sgc_tables *o = snap_find(&cur, f.id[i]);
				cr_assert(o && sgc_tables_equal(&f.t[i], o),
					  "%s: %s differs from a fresh index", ctx, f.id[i]);
			}
			snap_free(&f);
			snap_free(&cur);
			sgc_index_destroy(fresh);
			rw_flows(&r, &rw, idx, 200, msg);
		}
	}
	fprintf(stderr,
		"  %d changes applied; %zu table changes, all reported (%zu reports in all)\n",
		applied, changed, reported);
	cr_assert(applied > steps / 2);
	cr_assert(changed > 0);
	rw_flows(&r, &rw, idx, 1000, msg);
	snap_free(&before);
	sgc_change_fini(&chg);
	json_decref(known);
	sgc_index_destroy(idx);
}

/* --- scale: 10,000 ENIs of one account
 * ------------------------------------------------------------------ */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static json_t *bench_rule(const char *id, const char *dir, const char *proto, int pf, int pt,
			  const char *cidr, const char *cidr6, const char *group,
			  const char *policy, int prio)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:s, s:s, s:s, s:i, s:s, s:s, s:s, "
			 "s:i}",
			 "id", id, "direction", dir, "protocol", proto, "port_from", pf, "port_to",
			 pt, "src_port_from", -1, "src_port_to", -1, "peer_cidr", cidr,
			 "peer_cidr6", cidr6, "peer_group", group, "peer_owner", 0, "local_cidr",
			 "", "local_cidr6", "", "policy", policy, "priority", prio);
}

/* A group of owner 1 in vpc-bench with ten rules, two naming groups. */
static json_t *bench_group(int g, int ngroups, const char *policy)
{
	char id[32], peer[32], self[32], rid[32];
	snprintf(id, sizeof(id), "sg-bench%03d", g);
	snprintf(self, sizeof(self), "sg-bench%03d", g);
	snprintf(peer, sizeof(peer), "sg-bench%03d", (g + 1) % ngroups);
	json_t *rules = json_array();
#define R(k, ...)                                                                                  \
	do {                                                                                       \
		snprintf(rid, sizeof(rid), "sgr-%03d-%d", g, k);                                   \
		json_array_append_new(rules, bench_rule(rid, __VA_ARGS__));                        \
	} while (0)
	R(0, "ingress", "tcp", 22, 22, "0.0.0.0/0", "", "", "accept", 1);
	R(1, "ingress", "tcp", 80, 80, "10.0.0.0/8", "", "", "accept", 1);
	R(2, "ingress", "tcp", 443, 443, "", "", peer, "accept", 2);
	R(3, "ingress", "udp", 53, 53, "", "", self, "accept", 2);
	R(4, "ingress", "icmp", -1, -1, "0.0.0.0/0", "", "", "accept", 3);
	R(5, "ingress", "tcp", 443, 443, "", "::/0", "", "accept", 1);
	R(6, "ingress", "all", -1, -1, "192.0.2.0/24", "", "", "drop", 1);
	R(7, "ingress", "tcp", 8000, 8100, "198.51.100.7/32", "", "", "accept", 5);
	R(8, "egress", "all", -1, -1, "203.0.113.0/24", "", "", "drop", 1);
	R(9, "egress", "tcp", 25, 25, "0.0.0.0/0", "", "", "drop", 1);
#undef R
	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:o}", "id", id, "kind", "sg", "owner", 1,
			 "vpc_id", "vpc-bench", "type", "normal", "inner_access_policy", policy,
			 "rules", rules);
}

static json_t *bench_eni(int i, int g1, int g2)
{
	char id[32], ip[32], ip2[32], ip6[64];
	snprintf(id, sizeof(id), "eni-bench%05d", i);
	snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 250, i % 250 + 1);
	snprintf(ip2, sizeof(ip2), "10.2.%d.%d", i / 250, i % 250 + 1);
	snprintf(ip6, sizeof(ip6), "2001:db8:1::%x", i + 1);
	json_t *sgs = json_array();
	char gid[32];
	snprintf(gid, sizeof(gid), "sg-bench%03d", g1);
	json_array_append_new(sgs, json_string(gid));
	if (g2 >= 0) {
		snprintf(gid, sizeof(gid), "sg-bench%03d", g2);
		json_array_append_new(sgs, json_string(gid));
	}
	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:[s], s:[s], s:o}", "id", id, "kind", "eni",
			 "owner", 1, "vpc_id", "vpc-bench", "primary_ip", ip, "private_ips", ip2,
			 "ipv6s", ip6, "security_group_ids", sgs);
}

static size_t tables_entries(const struct sgc_tables *t)
{
	return t->t[0][0].n + t->t[0][1].n + t->t[1][0].n + t->t[1][1].n;
}

Test(sgc, net25_scale_10000_enis_in_100_groups, .timeout = 600)
{
	enum { NG = 100, NE = 10000 };
	json_t *groups[NG], **enis = calloc(NE, sizeof(*enis));
	for (int g = 0; g < NG; g++)
		groups[g] = bench_group(g, NG, "Accept");
	for (int i = 0; i < NE; i++)
		enis[i] = bench_eni(i, i % NG, i % 5 == 0 ? (i / NG) % NG : -1);

	/* Build, without and with change reports. */
	double t0 = now_ms();
	struct sgc_index *idx = sgc_index_create();
	for (int g = 0; g < NG; g++)
		cr_assert_eq(sgc_index_put_group(idx, groups[g], NULL), 0);
	for (int i = 0; i < NE; i++)
		cr_assert_eq(sgc_index_put_nic(idx, enis[i], NULL), 0);
	double t_build = now_ms() - t0;
	cr_assert_eq(sgc_index_nic_count(idx), NE);
	cr_assert_eq(sgc_index_group_count(idx), NG);

	struct sgc_change chg;
	sgc_change_init(&chg);
	t0 = now_ms();
	struct sgc_index *idx2 = sgc_index_create();
	for (int i = 0; i < NE; i++)
		cr_assert_eq(sgc_index_put_nic(idx2, enis[i], &chg), 0);
	for (int g = 0; g < NG; g++)
		cr_assert_eq(sgc_index_put_group(idx2, groups[g], &chg), 0);
	double t_build_chg = now_ms() - t0;
	cr_assert_eq(chg.n, NE);
	cr_assert_eq(chg.err, 0);
	sgc_index_destroy(idx2);

	/* Compile: the average over 200 ENIs. */
	struct sgc_tables t;
	size_t entries = 0, sets = 0;
	t0 = now_ms();
	for (int k = 0; k < 200; k++) {
		char id[32];
		snprintf(id, sizeof(id), "eni-bench%05d", k * 37 % NE);
		cr_assert_eq(sgc_compile_nic(idx, id, &t), 0);
		entries += tables_entries(&t);
		sets += t.nsets;
		sgc_tables_fini(&t);
	}
	double t_compile = (now_ms() - t0) / 200;

	/* One ENI changes an address: who is told. */
	sgc_change_clear(&chg);
	json_t *e = bench_eni(123, 123 % NG, -1);
	json_array_set_new(json_object_get(e, "private_ips"), 0, json_string("10.3.0.1"));
	t0 = now_ms();
	cr_assert_eq(sgc_index_put_nic(idx, e, &chg), 0);
	double t_update = now_ms() - t0;
	size_t told = chg.n;
	json_decref(e);
	/* A rule added to one group. */
	sgc_change_clear(&chg);
	json_t *g5 = bench_group(5, NG, "Accept");
	json_array_append_new(json_object_get(g5, "rules"),
			      bench_rule("sgr-new", "ingress", "tcp", 3306, 3306, "10.9.0.0/16", "",
					 "", "accept", 1));
	t0 = now_ms();
	cr_assert_eq(sgc_index_put_group(idx, g5, &chg), 0);
	double t_rule = now_ms() - t0;
	size_t told_rule = chg.n;
	cr_assert_eq(chg.n_counters, 1);
	json_decref(g5);
	sgc_index_destroy(idx);

	/* The worst case of one account: 10,000 ENIs in one Accept group whose
	 * rule names the group itself. */
	idx = sgc_index_create();
	json_t *one = bench_group(0, 1, "Accept");
	cr_assert_eq(sgc_index_put_group(idx, one, NULL), 0);
	for (int i = 0; i < NE; i++) {
		json_t *x = bench_eni(i, 0, -1);
		cr_assert_eq(sgc_index_put_nic(idx, x, NULL), 0);
		json_decref(x);
	}
	t0 = now_ms();
	cr_assert_eq(sgc_compile_nic(idx, "eni-bench00042", &t), 0);
	double t_big = now_ms() - t0;
	size_t big_entries = tables_entries(&t), big_sets = t.nsets;
	/* And the tables decide: a member is an inner peer; an outsider is not. */
	struct sgc_flow f = {.family = 4, .proto = TCP, .sport = 1, .dport = 443};
	to_bytes("10.1.0.1", &f.family, f.src);
	to_bytes("10.1.0.43", &f.family, f.dst);
	struct sgc_decision d;
	cr_assert_eq(sgc_decide(NULL, &t, &f, &d), 0);
	cr_assert(d.accept && d.by == SGC_BY_INNER);
	sgc_tables_fini(&t);
	json_decref(one);
	sgc_index_destroy(idx);

	fprintf(stderr,
		"sgcompile scale (%d ENIs, %d groups, 10 rules each):\n"
		"  build %.1f ms (%.2f us/ENI); with change reports %.1f ms\n"
		"  compile one ENI %.3f ms (%zu entries, %zu rule sets on average)\n"
		"  one ENI's address changes: %.3f ms, %zu NICs to recompile\n"
		"  one rule added to a group: %.3f ms, %zu NICs to recompile\n"
		"  one ENI of a 10,000-member group: compile %.1f ms, %zu entries, %zu sets\n",
		NE, NG, t_build, t_build * 1000 / NE, t_build_chg, t_compile, entries / 200,
		sets / 200, t_update, told, t_rule, told_rule, t_big, big_entries, big_sets);
	/* Generous bounds (sanitizers are slow): a regression to a scan of all
	 * NICs per member lookup would break them by orders of magnitude. */
	cr_assert_lt(t_build, 10000);
	cr_assert_lt(t_compile, 100);
	cr_assert_lt(t_update, 100);
	for (int g = 0; g < NG; g++)
		json_decref(groups[g]);
	for (int i = 0; i < NE; i++)
		json_decref(enis[i]);
	free(enis);
	sgc_change_fini(&chg);
}
