/*
 * sgcompile: security groups compiled into the data plane's per-ENI tables
 * (NET-13, NET-25), and a userspace evaluator of those tables.
 *
 * The agent keeps a struct sgc_index in memory, fed from the store's change
 * feed: every security group (kind "sg") and every NIC (an ENI, kind "eni",
 * or a classic instance, kind "i" with network "classic").  The index knows
 * each group's rules and members and, on every change, says which NICs'
 * tables must be compiled again.  sgc_compile_nic() is a pure function of
 * the index: the four tables of one NIC (ingress/egress x IPv4/IPv6) in the
 * form dp/dp.h describes ("security groups"), with rule-set numbers local to
 * the NIC.  The agent gives them global ids, chunks them with sgc_chunk()
 * and writes them into the ENI's free slot.
 *
 * The reference is sg_evaluate() (model/secgroup.c): for every flow between
 * NICs whose addresses are their own, and every outside address that no NIC
 * holds, sgc_decide() over the compiled tables gives the same verdict and
 * names the same deciding rule (tests/unit/agent/test_sgcompile.c checks it
 * on random states).  The tables decide intranet traffic: "internet" rules
 * of classic groups (a classic instance's public NIC) are left out.
 *
 * Compilation of one table (direction d, family f) of NIC N:
 *  1. The candidate rules: the direction-d rules of N's groups (in N's
 *     security_group_ids order; a group counts only when it is known and
 *     N's owner's, as sg_nic_load finds it), less classic "internet" rules,
 *     less rules whose local CIDR is of the other family (sg_rule_matches:
 *     a rule with local_cidr never matches an IPv6 flow, one with
 *     local_cidr6 never an IPv4 flow).  They are sorted by priority, drop
 *     before accept, then group position in N's list, then position in the
 *     group's rules: the order in which sg_evaluate's first best wins.
 *  2. Each candidate's remote prefixes: peer_cidr (f = 4) or peer_cidr6
 *     (f = 6) as given; a peer_group expands into the /32 (or /128) of every
 *     address (primary_ip / private_ip, private_ips, ipv6s) of every member
 *     of that group whose owner is the rule's peer_owner, or the group's own
 *     owner when peer_owner is 0.
 *  3. Inner peers: every address of family f of every NIC that shares with
 *     N a group of N's owner whose inner_access_policy is "Accept" (and is
 *     N's owner's, as sg_nic_in_group wants; N itself included) gets its own
 *     /32 (/128) entry with DP_SG_INNER, in both directions.
 *  4. Regions: for every distinct prefix P of 2 and 3, and always for 0/0,
 *     an entry whose rule set is every candidate with a prefix containing P
 *     (ancestors or equal), in the order of 1.  The longest match of a
 *     remote address therefore finds exactly the candidates that can match
 *     it.  Identical rule sets are shared within the NIC (over its four
 *     tables); the empty set is number 0.
 *
 * A remote NIC is recognised by its address: two NICs holding the same
 * address (overlapping VPCs) are one remote for the tables.  The data plane
 * compares addresses within the ENI's network, where addresses are unique.
 *
 * Not thread-safe: one thread owns an index (and its tables).
 */
#ifndef OPENVPC_AGENT_SGCOMPILE_H
#define OPENVPC_AGENT_SGCOMPILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/dp.h"

/* Largest rule set the data plane walks (dp.h: DP_SG_CHUNKS_PER_SET chunks). */
#define SGC_SET_RULES_MAX (DP_SG_CHUNK_RULES * DP_SG_CHUNKS_PER_SET)

/* --- change sets ------------------------------------------------------------ */

/*
 * The NICs whose tables must be compiled again, accumulated over any number
 * of index updates (each NIC id once), and the rule counters those updates
 * allocated (the agent zeroes their "rule_stats" before it writes tables
 * that use them: a counter may be a recycled one).  A NIC that was deleted
 * is listed too: sgc_compile_nic() then answers -ENOENT and the agent
 * removes its tables.  Embedded: sgc_change_init()/sgc_change_fini().
 */
struct sgc_change {
	char **nics; /* owned copies, in order of first report */
	size_t n;
	uint32_t *counters; /* newly allocated rule counters */
	size_t n_counters;
	/* private */
	size_t cap, cap_counters;
	uint32_t *slots; /* open addressing over nics[], index + 1 (0 = free) */
	size_t nslots;
	int err; /* -ENOMEM when a report could not be recorded */
};
void sgc_change_init(struct sgc_change *c);
/* Frees the lists; the struct may be initialised again.  Accepts NULL. */
void sgc_change_fini(struct sgc_change *c);
/* Empties the lists, keeping their memory. */
void sgc_change_clear(struct sgc_change *c);
bool sgc_change_has(const struct sgc_change *c, const char *nic_id);

/* --- the index -------------------------------------------------------------- */

struct sgc_index;

struct sgc_index *sgc_index_create(void);
/* Accepts NULL. */
void sgc_index_destroy(struct sgc_index *idx);

/*
 * Updates from the change feed.  Documents are borrowed (nothing of them is
 * kept); chg (may be NULL) receives the NICs whose compiled tables this
 * change may alter, and the counters it allocated.  Every put replaces the
 * previous state of that id.  Returns 0, -EINVAL for a document without an
 * id, or -ENOMEM (the index is then unchanged for that id, except that
 * chg->err may be set when only the report failed: recompile everything).
 *
 * put_group: a group object (model/secgroup.h).  Reported: its members,
 *   unless nothing the tables use changed (name, description, tags, rule
 *   descriptions).  Its rules keep their counters by rule id.
 * del_group: reported: its members.  Its rules' counters are freed.
 * put_nic: an ENI or classic instance; its addresses are primary_ip (ENI)
 *   or private_ip (classic instance), private_ips[] and ipv6s[] (text),
 *   its groups security_group_ids[], its account owner.  Any other document (a VPC instance,
 *   a classic instance migrated to a VPC) removes that id, as del_nic.
 *   Reported when its groups, addresses or owner changed: the NIC, and for
 *   every group it joined or left (every group it is in when its addresses
 *   or owner changed): that group's members when the group is Accept, and
 *   the members of every group with a rule naming that group as peer.
 * del_nic: as a put_nic of a NIC with no groups and no addresses.
 */
int sgc_index_put_group(struct sgc_index *idx, const json_t *sg, struct sgc_change *chg);
int sgc_index_del_group(struct sgc_index *idx, const char *id, struct sgc_change *chg);
int sgc_index_put_nic(struct sgc_index *idx, const json_t *nic, struct sgc_change *chg);
int sgc_index_del_nic(struct sgc_index *idx, const char *id, struct sgc_change *chg);

bool sgc_index_has_nic(const struct sgc_index *idx, const char *nic_id);
size_t sgc_index_nic_count(const struct sgc_index *idx);
size_t sgc_index_group_count(const struct sgc_index *idx);

/* Calls cb(arg, nic_id) once for each NIC whose tables depend on the group:
 * its members, and the members of every group with a rule naming it as
 * peer_group.  nic_id is borrowed for the call.  Returns 0 or -ENOMEM. */
typedef void (*sgc_nic_cb)(void *arg, const char *nic_id);
int sgc_index_dependents(const struct sgc_index *idx, const char *group_id, sgc_nic_cb cb,
			 void *arg);

/* Rule counters: every (group, rule id) known to the index holds one of
 * 1..DP_RULE_MAX-1 while the rule exists (0 when all are taken: the rule is
 * then not counted).  Never-used counters go first, then freed ones,
 * oldest first, so that a revoked rule's count lingers as long as possible.
 * sgc_index_counter_rule: the rule of a counter (borrowed strings, valid
 * until the group's next put or delete); false when the counter is free. */
bool sgc_index_counter_rule(const struct sgc_index *idx, uint32_t counter, const char **group_id,
			    const char **rule_id);
/* The counter of a rule, 0 when unknown. */
uint32_t sgc_index_rule_counter(const struct sgc_index *idx, const char *group_id,
				const char *rule_id);

/* --- compiled tables -------------------------------------------------------- */

/* One LPM entry.  addr in network order, IPv4 in the first 4 bytes (dp.h);
 * val.ruleset is a set number of the NIC (index into sgc_tables.sets, 0 =
 * no rule applies), val.flags DP_SG_INNER or 0. */
struct sgc_entry {
	uint8_t addr[16];
	uint8_t plen; /* 0..32 or 0..128 */
	uint8_t pad[3];
	struct dp_sg_val val;
};

/* One table: entries sorted by (addr, plen), always including 0/0. */
struct sgc_table {
	struct sgc_entry *e;
	size_t n;
};

/* One rule set: rules in decision order, 1..SGC_SET_RULES_MAX of them
 * (sets[0] is the empty set, n = 0).  dp_sg_rule.counter is the index's. */
struct sgc_ruleset {
	struct dp_sg_rule *r;
	size_t n;
};

struct sgc_tables {
	struct sgc_table t[2][2]; /* [egress][v6] */
	struct sgc_ruleset *sets; /* nsets >= 1 once compiled */
	size_t nsets;
};

void sgc_tables_init(struct sgc_tables *t);
/* Frees and re-initialises.  Accepts NULL. */
void sgc_tables_fini(struct sgc_tables *t);
/* Same entries (address, length, flags) with rule sets of the same content. */
bool sgc_tables_equal(const struct sgc_tables *a, const struct sgc_tables *b);

/*
 * Compiles the four tables of a NIC into *out (which need not be
 * initialised; whatever it held is not freed).  Returns 0 (then the caller
 * frees *out with sgc_tables_fini), -ENOENT when the index has no such NIC,
 * -ENOMEM, or -E2BIG when a region has more than SGC_SET_RULES_MAX rules
 * (the data plane could not walk it).  On failure *out is empty.
 */
int sgc_compile_nic(const struct sgc_index *idx, const char *nic_id, struct sgc_tables *out);

/* --- writing them ------------------------------------------------------------ */

/* Chunks of a set in map "sg_rules": ceil(n / DP_SG_CHUNK_RULES), 0 for the
 * empty set (which is never written: ruleset 0 means none). */
uint32_t sgc_chunk_count(const struct sgc_ruleset *s);
/* Chunk k (0 <= k < sgc_chunk_count) of a set, as stored at {global id, k}:
 * n rules, more = 1 unless it is the last. */
void sgc_chunk(const struct sgc_ruleset *s, uint32_t k, struct dp_sg_chunk *out);
/* The "sg_lpm" key of an entry in table DP_SG_TABLE(eni, slot, egress, v6).
 * The value is e->val with ruleset translated to the agent's global id. */
void sgc_entry_key(const struct sgc_entry *e, uint32_t eni, unsigned slot, bool egress, bool v6,
		   struct dp_sg_key *key);

/* --- evaluating them ------------------------------------------------------- */

/*
 * One direction of one NIC, exactly as dp/secgroup.h's dp_sg_check: the
 * longest match of `remote` in table [egress][family == 6]; DP_SG_INNER:
 * accept (*inner true, *counter 0); else the set's chunks in order, the
 * first rule whose protocol (0: any), destination port, source port and
 * local address match decides; none: accept on egress, drop on ingress
 * (*counter 0).  family 4 or 6; addresses in network order as in dp.h;
 * ports in host order.  *verdict gets DP_ACT_ACCEPT or DP_ACT_DROP.
 * Returns 0, or -EINVAL (bad family, or a table referencing a missing set).
 */
int sgc_eval(const struct sgc_tables *t, bool egress, int family, const uint8_t remote[16],
	     const uint8_t local[16], uint8_t proto, uint16_t sport, uint16_t dport, int *verdict,
	     uint32_t *counter, bool *inner);

/* A new flow from src to dst (addresses network order, ports host order). */
struct sgc_flow {
	int family; /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint8_t proto;
	uint16_t sport, dport;
};

enum sgc_by {
	SGC_BY_INNER = 1,	    /* a shared Accept group */
	SGC_BY_EGRESS = 2,	    /* a drop rule of the source's egress */
	SGC_BY_INGRESS = 3,	    /* a rule of the destination's ingress */
	SGC_BY_INGRESS_DEFAULT = 4, /* no ingress rule matched: denied */
	SGC_BY_OUTSIDE = 5,	    /* egress allowed; no destination tables (outside) */
};

struct sgc_decision {
	bool accept;
	enum sgc_by by;
	uint32_t counter; /* the deciding rule's counter, 0 for none (OUTSIDE: the
			   * accepting egress rule's, if one matched) */
};

/*
 * The flow's decision as the data plane takes it: src's egress (NULL: the
 * source is outside, or its egress was decided elsewhere) finding INNER:
 * accept; a drop: deny; then dst's ingress (NULL: the destination is
 * outside: accept), where INNER accepts, a rule decides, and no rule
 * denies.  Returns 0 or -EINVAL.
 */
int sgc_decide(const struct sgc_tables *src, const struct sgc_tables *dst, const struct sgc_flow *f,
	       struct sgc_decision *out);

#endif
