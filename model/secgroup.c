/*
 * secgroup: security groups, their rules, membership checks and the policy
 * the data plane compiles (NET-13, NET-22, NET-23, NET-25, G-1).  See
 * secgroup.h for the stored shape of a group.
 *
 * Invariants:
 *  1. A group's rules live inside the group object, so a group and its rules
 *     change in one write and are deleted together.
 *  2. No two rules of a group are equal in identity (sg_rule_same): direction,
 *     protocol, ports, peer, other-side CIDR, policy and NIC type.  Priority
 *     and description are attributes of a rule, not part of what it is.
 *  3. A rule naming a peer group keeps that group alive: DeleteSecurityGroup
 *     refuses while any group of any account names it (the cloud does, and
 *     DescribeSecurityGroupReferences shows who).
 *  4. Membership is stored on the member NIC ("security_group_ids" of an ENI
 *     or a classic instance), never on the group; sg_members() derives it.
 *  5. A peer group of another account is reached only through the owner the
 *     request named (m_get_owned), so an id alone never reveals another
 *     account's group (G-1).
 *
 * Groups are synchronous, as in the cloud: no transitional status, no settle
 * hook.  The data plane learns of changes through the store's change feed.
 */
#include "model/secgroup.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "model/account.h"

/* --- small helpers -------------------------------------------------------- */

static bool sg_arr_has(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	}
	return false;
}

static bool sg_is_enterprise(const json_t *sg)
{
	return strcmp(mj_str(sg, "type"), SG_TYPE_ENTERPRISE) == 0;
}

static bool sg_is_vpc(const json_t *sg)
{
	return mj_str(sg, "vpc_id")[0] != '\0';
}

/* A member NIC of sg_id: an ENI, or a classic instance, listing the group. */
static bool sg_keep_member(void *arg, json_t *res)
{
	const char *sg_id = arg;
	if (!sg_arr_has(json_object_get(res, "security_group_ids"), sg_id))
		return false;
	const char *kind = mj_str(res, "kind");
	return strcmp(kind, "eni") == 0 ||
	       (strcmp(kind, "i") == 0 && strcmp(mj_str(res, "network"), "classic") == 0);
}

json_t *sg_members(struct model *m, const json_t *sg)
{
	uint64_t owner = (uint64_t)mj_int(sg, "owner");
	char *id = (char *)mj_str(sg, "id");
	json_t *enis = m_list_owner(m, owner, "eni", sg_keep_member, id);
	if (!enis)
		return NULL;
	json_t *insts = m_list_owner(m, owner, "i", sg_keep_member, id);
	if (!insts) {
		json_decref(enis);
		return NULL;
	}
	json_array_extend(enis, insts);
	json_decref(insts);
	return enis;
}

/* Private IPv4 addresses a member NIC holds (NET-22). */
static int64_t sg_nic_ips(const json_t *nic)
{
	if (strcmp(mj_str(nic, "kind"), "eni") == 0)
		return (mj_str(nic, "primary_ip")[0] ? 1 : 0) +
		       (int64_t)json_array_size(json_object_get(nic, "private_ips"));
	return mj_str(nic, "private_ip")[0] ? 1 : 0;
}

static int sg_count_ips(struct model *m, const json_t *sg, int64_t *n)
{
	json_t *members = sg_members(m, sg);
	if (!members)
		return -1;
	int64_t total = 0;
	size_t i;
	json_t *nic;
	json_array_foreach(members, i, nic)
	{
		total += sg_nic_ips(nic);
	}
	json_decref(members);
	*n = total;
	return 0;
}

int sg_private_ip_count(struct model *m, const char *sg_id, int64_t *n)
{
	json_t *sg = m_need(m, sg_id, MERR_SG_NOT_FOUND);
	if (!sg)
		return -1;
	int rc = sg_count_ips(m, sg, n);
	json_decref(sg);
	return rc;
}

int64_t sg_private_ip_limit(struct model *m, const json_t *sg)
{
	if (sg_is_enterprise(sg))
		return SG_ENTERPRISE_PRIVATE_IP_MAX;
	return m_quota_of(m, (uint64_t)mj_int(sg, "owner"), MODEL_QUOTA_SG_PRIVATE_IP);
}

/* --- membership (NET-22, NET-23) ----------------------------------------- */

int sg_check_membership(struct model *m, const char *const *sg_ids, size_t n, const char *vpc_id,
			int64_t add_ips, const json_t *already, const char **type_out)
{
	if (n == 0)
		return merrf(m, MERR_MISSING_PARAMETER,
			     "A network interface must be in at least one security group.");
	int64_t max = m_quota(m, MODEL_QUOTA_SG_PER_NIC);
	if ((int64_t)n > max)
		return merrf(m, MERR_SG_NIC_LIMIT,
			     "A network interface can be in at most %lld security groups; %zu were "
			     "given.",
			     (long long)max, n);
	bool in_vpc = vpc_id && *vpc_id;
	const char *type = NULL;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++)
			if (strcmp(sg_ids[i], sg_ids[j]) == 0)
				return merrf(m, MERR_SG_ID_REPEATED,
					     "The security group %.64s is given twice.", sg_ids[i]);
		json_t *sg = m_need(m, sg_ids[i], MERR_SG_NOT_FOUND);
		if (!sg)
			return -1;
		int rc = 0;
		const char *gv = mj_str(sg, "vpc_id");
		const char *t = sg_is_enterprise(sg) ? SG_TYPE_ENTERPRISE : SG_TYPE_NORMAL;
		if (in_vpc && !*gv)
			rc =
			    merrf(m, MERR_SG_NOT_VPC,
				  "The security group %s is a classic network group; a VPC network "
				  "interface joins groups of its VPC %.64s.",
				  sg_ids[i], vpc_id);
		else if (in_vpc && strcmp(gv, vpc_id) != 0)
			rc = merrf(m, MERR_SG_VPC_MISMATCH,
				   "The security group %s belongs to VPC %s, not to %.64s.",
				   sg_ids[i], gv, vpc_id);
		else if (!in_vpc && *gv)
			rc = merrf(m, MERR_SG_VPC_MISMATCH,
				   "The security group %s belongs to VPC %s; a classic network "
				   "instance joins classic network groups only.",
				   sg_ids[i], gv);
		else if (type && strcmp(type, t) != 0)
			rc = merrf(
			    m, MERR_SG_MULTI_TYPE,
			    "The security groups mix normal and enterprise types (%s is %s); a "
			    "network interface is in groups of one type (NET-23).",
			    sg_ids[i], t);
		type = t;
		if (rc == 0 && add_ips > 0 && !sg_arr_has(already, sg_ids[i])) {
			int64_t have, limit = sg_private_ip_limit(m, sg);
			rc = sg_count_ips(m, sg, &have);
			if (rc == 0 && have + add_ips > limit)
				rc =
				    merrf(m, MERR_SG_IP_LIMIT,
					  "The security group %s holds %lld private IPs of at most "
					  "%lld; %lld more do not fit (NET-22).",
					  sg_ids[i], (long long)have, (long long)limit,
					  (long long)add_ips);
		}
		json_decref(sg);
		if (rc < 0)
			return -1;
	}
	if (type_out)
		*type_out = type;
	return 0;
}

/* --- groups ----------------------------------------------------------------- */

int sg_create(struct model *m, const struct sg_create_req *r, json_t **out)
{
	if (!m->region)
		return merrf(m, MERR_MISSING_PARAMETER, "RegionId is mandatory for this action.");
	const char *type = SG_TYPE_NORMAL;
	if (r->type && *r->type) {
		if (strcasecmp(r->type, SG_TYPE_NORMAL) == 0)
			type = SG_TYPE_NORMAL;
		else if (strcasecmp(r->type, SG_TYPE_ENTERPRISE) == 0)
			type = SG_TYPE_ENTERPRISE;
		else
			return merrf(m, MERR_SG_TYPE,
				     "The SecurityGroupType %.64s is not valid; use normal or "
				     "enterprise.",
				     r->type);
	}
	json_t *vpc = NULL;
	if (r->vpc_id && *r->vpc_id) {
		vpc = m_need(m, r->vpc_id, MERR_VPC_NOT_FOUND);
		if (!vpc)
			return -1;
		json_decref(vpc);
	}
	if (!vpc && strcmp(type, SG_TYPE_ENTERPRISE) == 0)
		return merrf(m, MERR_SG_ENTERPRISE_NEEDS_VPC,
			     "An enterprise security group belongs to a VPC: give VpcId.");
	if (!model_valid_name(r->name))
		return merrf(m, MERR_SG_NAME,
			     "The SecurityGroupName %.64s is not valid: 2-128 characters, starting "
			     "with a letter, not with http:// or https://.",
			     r->name);
	if (!model_valid_description(r->description))
		return merrf(m, MERR_SG_DESCRIPTION,
			     "The Description is not valid: 2-256 characters, not starting with "
			     "http:// or https://.");
	int64_t n;
	if (m_count(m, "sg", NULL, NULL, &n) < 0)
		return -1;
	int64_t max = m_quota(m, MODEL_QUOTA_SECURITY_GROUP);
	if (n >= max)
		return merrf(
		    m, MERR_SG_QUOTA,
		    "The maximum number of security groups is reached: this account may have "
		    "%lld in %s.",
		    (long long)max, m->region->id);

	json_t *sg = model_new_resource(m, "sg", NULL);
	const char *vpc_id = vpc ? r->vpc_id : "";
	mj_set_str(sg, "vpc_id", vpc_id);
	if (*vpc_id)
		mj_set_str(sg, "parent", vpc_id);
	mj_set_str(sg, "type", type);
	/* NET-13: members of a normal group reach each other until it says Drop;
	 * enterprise groups isolate them, always. */
	mj_set_str(sg, "inner_access_policy",
		   strcmp(type, SG_TYPE_ENTERPRISE) == 0 ? "Drop" : "Accept");
	mj_set_str(sg, "name", r->name);
	mj_set_str(sg, "description", r->description);
	json_object_set_new(sg, "tags", r->tags ? json_deep_copy(r->tags) : json_array());
	json_object_set_new(sg, "rules", json_array());
	int rc = m_create(m, sg);
	if (rc == 0 && out)
		*out = json_incref(sg);
	json_decref(sg);
	return rc;
}

struct sg_ref_ctx {
	const char *id;
	uint64_t owner;
};

/* A group other than the target whose rules name the target as peer. */
static bool sg_keep_referencing(void *arg, json_t *res)
{
	const struct sg_ref_ctx *c = arg;
	uint64_t res_owner = (uint64_t)mj_int(res, "owner");
	if (res_owner == c->owner && strcmp(mj_str(res, "id"), c->id) == 0)
		return false;
	size_t i;
	json_t *rule;
	json_array_foreach(json_object_get(res, "rules"), i, rule)
	{
		uint64_t po = (uint64_t)mj_int(rule, "peer_owner");
		if (strcmp(mj_str(rule, "peer_group"), c->id) == 0 &&
		    (po ? po : res_owner) == c->owner)
			return true;
	}
	return false;
}

json_t *sg_referencing(struct model *m, const json_t *sg)
{
	struct sg_ref_ctx c = {mj_str(sg, "id"), (uint64_t)mj_int(sg, "owner")};
	/* Peers of another account (G-1 exception) make this a scan of every
	 * owner's groups; groups are few next to NICs. */
	json_t *groups = m_list_owner(m, 0, "sg", sg_keep_referencing, &c);
	if (!groups)
		return NULL;
	json_t *out = json_array();
	size_t i;
	json_t *g;
	json_array_foreach(groups, i, g)
	{
		json_t *e = json_object();
		mj_set_str(e, "id", mj_str(g, "id"));
		mj_set_int(e, "owner", mj_int(g, "owner"));
		json_array_append_new(out, e);
	}
	json_decref(groups);
	return out;
}

int sg_delete(struct model *m, const char *sg_id)
{
	json_t *sg = m_need(m, sg_id, MERR_SG_NOT_FOUND);
	if (!sg)
		return -1;
	int rc = -1;
	json_t *members = sg_members(m, sg), *refs = NULL;
	if (!members)
		goto out;
	if (json_array_size(members) > 0) {
		merrf(m, MERR_SG_DEPENDENCY,
		      "The security group %s still has %zu member(s) (%s...): remove them from the "
		      "group first.",
		      sg_id, json_array_size(members), mj_str(json_array_get(members, 0), "id"));
		goto out;
	}
	refs = sg_referencing(m, sg);
	if (!refs)
		goto out;
	if (json_array_size(refs) > 0) {
		merrf(
		    m, MERR_SG_DEPENDENCY,
		    "The security group %s is named by rules of %zu other group(s) (%s...): revoke "
		    "those rules first (DescribeSecurityGroupReferences lists them).",
		    sg_id, json_array_size(refs), mj_str(json_array_get(refs, 0), "id"));
		goto out;
	}
	rc = m_del(m, sg);
out:
	json_decref(refs);
	json_decref(members);
	json_decref(sg);
	return rc;
}

int sg_modify(struct model *m, const char *sg_id, const char *name, const char *description)
{
	json_t *sg = m_need(m, sg_id, MERR_SG_NOT_FOUND);
	if (!sg)
		return -1;
	int rc = -1;
	if (name && !model_valid_name(name)) {
		merrf(m, MERR_SG_NAME,
		      "The SecurityGroupName %.64s is not valid: 2-128 characters, starting with a "
		      "letter, not with http:// or https://.",
		      name);
		goto out;
	}
	if (description && !model_valid_description(description)) {
		merrf(
		    m, MERR_SG_DESCRIPTION,
		    "The Description is not valid: 2-256 characters, not starting with http:// or "
		    "https://.");
		goto out;
	}
	if (name)
		mj_set_str(sg, "name", name);
	if (description)
		mj_set_str(sg, "description", description);
	rc = m_put(m, sg);
out:
	json_decref(sg);
	return rc;
}

int sg_set_inner_policy(struct model *m, const char *sg_id, const char *policy)
{
	const char *p;
	if (policy && strcasecmp(policy, "accept") == 0)
		p = "Accept";
	else if (policy && strcasecmp(policy, "drop") == 0)
		p = "Drop";
	else
		return merrf(m, MERR_INVALID_PARAMETER,
			     "The InnerAccessPolicy %.32s is not valid; use Accept or Drop.",
			     policy ? policy : "");
	json_t *sg = m_need(m, sg_id, MERR_SG_NOT_FOUND);
	if (!sg)
		return -1;
	int rc = -1;
	if (sg_is_enterprise(sg) && strcmp(p, "Accept") == 0) {
		merrf(
		    m, MERR_SG_ENTERPRISE_INNER_POLICY,
		    "The security group %s is an enterprise group: its members are always isolated "
		    "from each other (InnerAccessPolicy Drop); use rules to let them talk.",
		    sg_id);
		goto out;
	}
	mj_set_str(sg, "inner_access_policy", p);
	rc = m_put(m, sg);
out:
	json_decref(sg);
	return rc;
}

/* --- rules -------------------------------------------------------------------- */

static const char *const sg_protocols[] = {"tcp", "udp", "icmp", "icmpv6", "gre", "all", NULL};

static bool sg_proto_has_ports(const char *proto)
{
	return strcmp(proto, "tcp") == 0 || strcmp(proto, "udp") == 0;
}

/* "a/b" with two decimal integers (-1 allowed); false on anything else. */
static bool sg_parse_range(const char *s, int64_t *a, int64_t *b)
{
	int64_t v[2];
	const char *p = s;
	for (int k = 0; k < 2; k++) {
		bool neg = *p == '-';
		if (neg)
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		int64_t x = 0;
		int nd = 0;
		while (isdigit((unsigned char)*p)) {
			if (++nd > 6)
				return false;
			x = x * 10 + (*p++ - '0');
		}
		v[k] = neg ? -x : x;
		if (k == 0 && *p++ != '/')
			return false;
	}
	if (*p)
		return false;
	*a = v[0];
	*b = v[1];
	return true;
}

/* Clears the host bits of a below len. */
static void sg_mask(struct netaddr *a, unsigned len)
{
	if (a->family == NETADDR_V4) {
		uint32_t mask = len == 0 ? 0 : (uint32_t)(0xffffffffu << (32 - len));
		a->lo &= mask;
		return;
	}
	if (len <= 64) {
		a->hi &= len == 0 ? 0 : (uint64_t)(~0ull << (64 - len));
		a->lo = 0;
	} else {
		a->lo &= len == 128 ? ~0ull : (uint64_t)(~0ull << (128 - len));
	}
}

/* An address ("10.0.0.1" = /32) or a CIDR block of one family, host bits
 * cleared ("10.0.0.1/24" is 10.0.0.0/24, as the cloud reads it), as
 * canonical text into out (NETADDR_STRLEN). */
static bool sg_parse_cidr(const char *s, uint8_t family, char *out)
{
	char buf[NETADDR_STRLEN];
	struct netprefix p;
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!netaddr_parse(buf, &p.addr) || p.addr.family != family)
		return false;
	unsigned len = netaddr_bits(&p.addr);
	if (slash) {
		const char *l = slash + 1;
		unsigned v = 0;
		int nd = 0;
		while (isdigit((unsigned char)l[nd])) {
			if (nd == 3)
				return false;
			v = v * 10 + (unsigned)(l[nd++] - '0');
		}
		if (nd == 0 || l[nd] || v > len)
			return false;
		len = v;
	}
	sg_mask(&p.addr, len);
	p.len = (uint8_t)len;
	netprefix_format(&p, out);
	return true;
}

/* A strict decimal account id; false on anything else. */
static bool sg_parse_owner(const char *s, uint64_t *out)
{
	if (!*s || strlen(s) > 20)
		return false;
	uint64_t v = 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

/* The account named `name`, or 0. */
static uint64_t sg_account_by_name(struct model *m, const char *name)
{
	json_t *all = account_list(m);
	uint64_t found = 0;
	size_t i;
	json_t *a;
	json_array_foreach(all, i, a)
	{
		if (strcmp(mj_str(a, "name"), name) == 0)
			found = (uint64_t)mj_int(a, "id");
	}
	json_decref(all);
	return found;
}

/* The owner a rule's group peer belongs to: 0 = the group's own account.
 * -1 with the error set on a malformed or unknown owner. */
static int sg_peer_owner(struct model *m, const json_t *sg, bool egress,
			 const struct sg_rule_req *q, uint64_t *out)
{
	uint64_t self = (uint64_t)mj_int(sg, "owner"), by_id = 0, by_name = 0;
	const char *dir = egress ? "Dest" : "Source";
	enum merr_code nf = egress ? MERR_SG_DEST_GROUP_NOT_FOUND : MERR_SG_SOURCE_GROUP_NOT_FOUND;
	if (q->group_owner_id && *q->group_owner_id && !sg_parse_owner(q->group_owner_id, &by_id))
		return merrf(m, MERR_INVALID_PARAMETER,
			     "%sGroupOwnerId %.32s is not an account id (a decimal number).", dir,
			     q->group_owner_id);
	if (q->group_owner_account && *q->group_owner_account) {
		by_name = sg_account_by_name(m, q->group_owner_account);
		/* An unknown account answers like a group that does not exist (G-1). */
		if (!by_name)
			return merrf(m, nf, "The %sGroupId %.64s does not exist in account %.64s.",
				     dir, q->group_id ? q->group_id : "", q->group_owner_account);
	}
	if (by_id && by_name && by_id != by_name)
		return merrf(m, MERR_INVALID_PARAMETER,
			     "%sGroupOwnerId and %sGroupOwnerAccount name different accounts.", dir,
			     dir);
	uint64_t o = by_id ? by_id : by_name;
	*out = o == self ? 0 : o;
	return 0;
}

/* Checks the peer group of a rule of sg (NET-25, G-1). */
static int sg_check_peer_group(struct model *m, const json_t *sg, bool egress, const char *gid,
			       uint64_t peer_owner)
{
	const char *dir = egress ? "Dest" : "Source";
	if (sg_is_enterprise(sg))
		return merrf(m, MERR_SG_ENTERPRISE_GROUP_AUTH,
			     "The security group %s is an enterprise group: its rules name CIDR "
			     "blocks, not security groups (%sGroupId).",
			     mj_str(sg, "id"), dir);
	json_t *peer = peer_owner ? m_get_owned(m, peer_owner, gid) : m_get(m, gid);
	/* Another account's group can be a peer only between classic groups.
	 * Any other cross-account pairing answers exactly like a group that
	 * does not exist, whether or not it does (G-1): a different answer for
	 * an existing group would tell the caller what another account owns. */
	if (peer && (strcmp(mj_str(peer, "region"), mj_str(sg, "region")) != 0 ||
		     (peer_owner && (sg_is_vpc(sg) || *mj_str(peer, "vpc_id"))))) {
		json_decref(peer);
		peer = NULL;
	}
	if (!peer || strcmp(mj_str(peer, "kind"), "sg") != 0) {
		json_decref(peer);
		return merrf(m,
			     egress ? MERR_SG_DEST_GROUP_NOT_FOUND : MERR_SG_SOURCE_GROUP_NOT_FOUND,
			     "The %sGroupId %.64s does not exist%s.", dir, gid,
			     peer_owner ? " in the named account" : "");
	}
	int rc = 0;
	const char *pv = mj_str(peer, "vpc_id");
	if (sg_is_vpc(sg)) {
		/* Same VPC; or a classic group of the same account, whose members
		 * reach the VPC through ClassicLink (NET-27). */
		bool ok = peer_owner == 0 && (!*pv || strcmp(pv, mj_str(sg, "vpc_id")) == 0);
		if (!ok)
			rc = merrf(
			    m, egress ? MERR_SG_DEST_GROUP_MISMATCH : MERR_SG_SOURCE_GROUP_MISMATCH,
			    "The %sGroupId %s is not in the VPC %s of security group %s.", dir, gid,
			    mj_str(sg, "vpc_id"), mj_str(sg, "id"));
	} else if (*pv) {
		rc =
		    merrf(m, MERR_SG_NETWORK_CONFLICT,
			  "The security group %s is a classic network group; its %sGroupId %s is a "
			  "VPC group.",
			  mj_str(sg, "id"), dir, gid);
	}
	json_decref(peer);
	return rc;
}

/*
 * Validates one rule request for group sg and builds the stored rule (no id
 * yet) into *out.  resolve: the peer group must exist and fit (Authorize and
 * Modify); Revoke only needs the rule's identity.
 */
static int sg_rule_build(struct model *m, const json_t *sg, bool egress,
			 const struct sg_rule_req *q, bool resolve, json_t **out)
{
	const char *dir = egress ? "Dest" : "Source";
	char proto[8];
	/* 1. protocol */
	if (!q->protocol || !*q->protocol)
		return merrf(
		    m, MERR_MISSING_PARAMETER,
		    "The input parameter \"IpProtocol\" that is mandatory for processing this "
		    "request is not supplied.");
	const char *const *pp = sg_protocols;
	while (*pp && strcasecmp(*pp, q->protocol) != 0)
		pp++;
	if (!*pp)
		return merrf(
		    m, MERR_SG_PROTOCOL,
		    "The IpProtocol %.32s is not supported; use TCP, UDP, ICMP, ICMPv6, GRE or "
		    "ALL.",
		    q->protocol);
	snprintf(proto, sizeof(proto), "%s", *pp);
	bool ports = sg_proto_has_ports(proto);

	/* 2. ports */
	int64_t pf = -1, pt = -1, sf = -1, st = -1;
	if (q->port_range_list_id && *q->port_range_list_id)
		return merrf(
		    m, MERR_SG_PORT_RANGE_LIST,
		    "The port range list %.64s was not found: openvpc has no port range lists; "
		    "give PortRange instead.",
		    q->port_range_list_id);
	if (!q->port_range || !*q->port_range) {
		if (ports)
			return merrf(m, MERR_SG_PORT_MISSING,
				     "PortRange is required for %s rules (for example 22/22).",
				     proto);
	} else if (!sg_parse_range(q->port_range, &pf, &pt)) {
		return merrf(
		    m, MERR_SG_PORT_MALFORMED,
		    "The PortRange %.32s is not valid: two integers as from/to, like 80/80 "
		    "or -1/-1.",
		    q->port_range);
	}
	if (ports && !(pf >= 1 && pf <= pt && pt <= 65535))
		return merrf(
		    m, MERR_SG_PORT_RANGE,
		    "The PortRange %.32s is not valid for %s: ports are 1 to 65535, from <= "
		    "to.",
		    q->port_range, proto);
	if (!ports && !(pf == -1 && pt == -1))
		return merrf(m, MERR_SG_PORT_RANGE,
			     "The PortRange of a %s rule must be -1/-1 (all), not %.32s.", proto,
			     q->port_range);
	if (q->source_port_range && *q->source_port_range) {
		if (!sg_parse_range(q->source_port_range, &sf, &st) ||
		    !((sf == -1 && st == -1) || (ports && sf >= 1 && sf <= st && st <= 65535)))
			return merrf(
			    m, MERR_SG_SOURCE_PORT,
			    "The SourcePortRange %.32s is not valid for %s: 1-65535 as from/to "
			    "for TCP and UDP, -1/-1 otherwise.",
			    q->source_port_range, proto);
	}

	/* 3. peer and the other side */
	bool has_scidr = q->source_cidr && *q->source_cidr;
	bool has_scidr6 = q->source_cidr6 && *q->source_cidr6;
	bool has_dcidr = q->dest_cidr && *q->dest_cidr;
	bool has_dcidr6 = q->dest_cidr6 && *q->dest_cidr6;
	bool has_group = q->group_id && *q->group_id;
	bool has_prefix = q->prefix_list_id && *q->prefix_list_id;
	if (has_scidr && has_scidr6)
		return merr(m, MERR_SG_SOURCE_IP_BOTH);
	if (has_dcidr && has_dcidr6)
		return merr(m, MERR_SG_DEST_IP_BOTH);
	bool peer_v4 = egress ? has_dcidr : has_scidr;
	bool peer_v6 = egress ? has_dcidr6 : has_scidr6;
	int npeers = (peer_v4 || peer_v6) + has_group + has_prefix;
	if (npeers == 0)
		return merrf(m, egress ? MERR_SG_MISSING_DEST : MERR_SG_MISSING_SOURCE,
			     "One of %sCidrIp, Ipv6%sCidrIp, %sGroupId or %sPrefixListId must be "
			     "given.",
			     dir, dir, dir, dir);
	if (npeers > 1)
		return merrf(m, MERR_SG_PEER_CONFLICT,
			     "A rule has one peer: give only one of %sCidrIp, Ipv6%sCidrIp, "
			     "%sGroupId and %sPrefixListId.",
			     dir, dir, dir, dir);
	if (has_prefix)
		return merrf(
		    m, MERR_SG_PREFIX_LIST,
		    "The prefix list %.64s was not found: openvpc has no prefix lists; name "
		    "CIDR blocks or a security group instead.",
		    q->prefix_list_id);
	char scidr[NETADDR_STRLEN] = "", scidr6[NETADDR_STRLEN] = "";
	char dcidr[NETADDR_STRLEN] = "", dcidr6[NETADDR_STRLEN] = "";
	if (has_scidr && !sg_parse_cidr(q->source_cidr, NETADDR_V4, scidr))
		return merrf(m, MERR_SG_SOURCE_CIDR,
			     "The SourceCidrIp %.64s is not an IPv4 address or CIDR block.",
			     q->source_cidr);
	if (has_dcidr && !sg_parse_cidr(q->dest_cidr, NETADDR_V4, dcidr))
		return merrf(m, MERR_SG_DEST_CIDR,
			     "The DestCidrIp %.64s is not an IPv4 address or CIDR block.",
			     q->dest_cidr);
	if (has_scidr6 && !sg_parse_cidr(q->source_cidr6, NETADDR_V6, scidr6))
		return merrf(m, MERR_SG_SOURCE_CIDR6,
			     "The Ipv6SourceCidrIp %.64s is not an IPv6 address or CIDR block.",
			     q->source_cidr6);
	if (has_dcidr6 && !sg_parse_cidr(q->dest_cidr6, NETADDR_V6, dcidr6))
		return merrf(m, MERR_SG_DEST_CIDR6,
			     "The Ipv6DestCidrIp %.64s is not an IPv6 address or CIDR block.",
			     q->dest_cidr6);
	if ((has_scidr6 || has_dcidr6) && !sg_is_vpc(sg))
		return merrf(
		    m, has_scidr6 ? MERR_SG_SOURCE_CIDR6 : MERR_SG_DEST_CIDR6,
		    "IPv6 rules apply to VPC security groups only (NET-15); %s is a classic "
		    "network group.",
		    mj_str(sg, "id"));
	bool any_v4 = has_scidr || has_dcidr, any_v6 = has_scidr6 || has_dcidr6;
	if (any_v4 && any_v6)
		return merrf(m, MERR_SG_FAMILY_CONFLICT,
			     "The rule mixes IPv4 and IPv6 addresses; a rule is of one family.");
	if (strcmp(proto, "icmp") == 0 && any_v6)
		return merr(m, MERR_SG_V4PROTO_V6ADDR);
	if (strcmp(proto, "icmpv6") == 0 && any_v4)
		return merr(m, MERR_SG_V6PROTO_V4ADDR);

	/* 4. policy, priority, NIC type, description */
	const char *policy = "accept";
	if (q->policy && *q->policy) {
		if (strcasecmp(q->policy, "accept") == 0)
			policy = "accept";
		else if (strcasecmp(q->policy, "drop") == 0)
			policy = "drop";
		else
			return merrf(m, MERR_SG_POLICY,
				     "The Policy %.32s is not valid; use accept or drop.",
				     q->policy);
	}
	if (strcmp(policy, "drop") == 0 && sg_is_enterprise(sg))
		return merrf(m, MERR_SG_ENTERPRISE_DROP,
			     "The security group %s is an enterprise group: its rules only accept "
			     "(everything else is dropped already).",
			     mj_str(sg, "id"));
	int64_t prio = SG_PRIORITY_DEFAULT;
	if (q->priority && *q->priority) {
		char *end;
		long long v = strtoll(q->priority, &end, 10);
		if (*end || !isdigit((unsigned char)q->priority[strspn(q->priority, "+-")]))
			return merrf(m, MERR_SG_PRIORITY_MALFORMED,
				     "The Priority %.32s is not an integer.", q->priority);
		if (v < SG_PRIORITY_MIN || v > SG_PRIORITY_MAX)
			return merrf(m, MERR_SG_PRIORITY,
				     "The Priority %.32s is not valid: %d (first) to %d (last).",
				     q->priority, SG_PRIORITY_MIN, SG_PRIORITY_MAX);
		prio = v;
	}
	const char *nic = "intranet";
	if (q->nic_type && *q->nic_type) {
		if (strcasecmp(q->nic_type, "intranet") == 0)
			nic = "intranet";
		else if (strcasecmp(q->nic_type, "internet") == 0)
			nic = "internet";
		else
			return merrf(m, MERR_SG_NIC_TYPE,
				     "The NicType %.32s is not valid; use intranet or internet.",
				     q->nic_type);
	}
	if (strcmp(nic, "internet") == 0 && sg_is_vpc(sg))
		return merrf(
		    m, MERR_SG_NIC_TYPE_MISMATCH,
		    "NicType internet applies to classic network groups only; the rules of "
		    "VPC group %s are intranet.",
		    mj_str(sg, "id"));
	if (strcmp(nic, "internet") == 0 && has_group)
		return merrf(m, MERR_SG_NIC_TYPE_MISMATCH,
			     "A rule naming a security group applies to the intranet NIC only.");
	if (q->description && *q->description &&
	    (strlen(q->description) > SG_RULE_DESCRIPTION_MAX ||
	     strncasecmp(q->description, "http://", 7) == 0 ||
	     strncasecmp(q->description, "https://", 8) == 0))
		return merrf(
		    m, MERR_SG_DESCRIPTION,
		    "The rule Description is not valid: 1-%d characters, not starting with "
		    "http:// or https://.",
		    SG_RULE_DESCRIPTION_MAX);

	/* 5. the group peer (NET-25, G-1) */
	uint64_t peer_owner = 0;
	if (has_group) {
		char kind[16];
		if (!model_id_kind(q->group_id, kind) || strcmp(kind, "sg") != 0)
			return merrf(m,
				     egress ? MERR_SG_DEST_GROUP_NOT_FOUND
					    : MERR_SG_SOURCE_GROUP_NOT_FOUND,
				     "The %sGroupId %.64s does not exist.", dir, q->group_id);
		if (sg_peer_owner(m, sg, egress, q, &peer_owner) < 0)
			return -1;
		if (resolve && sg_check_peer_group(m, sg, egress, q->group_id, peer_owner) < 0)
			return -1;
	}

	json_t *r = json_object();
	mj_set_str(r, "direction", egress ? "egress" : "ingress");
	mj_set_str(r, "protocol", proto);
	mj_set_int(r, "port_from", pf);
	mj_set_int(r, "port_to", pt);
	mj_set_int(r, "src_port_from", sf);
	mj_set_int(r, "src_port_to", st);
	mj_set_str(r, "peer_cidr", egress ? dcidr : scidr);
	mj_set_str(r, "peer_cidr6", egress ? dcidr6 : scidr6);
	mj_set_str(r, "peer_group", has_group ? q->group_id : "");
	mj_set_int(r, "peer_owner", (int64_t)peer_owner);
	mj_set_str(r, "local_cidr", egress ? scidr : dcidr);
	mj_set_str(r, "local_cidr6", egress ? scidr6 : dcidr6);
	mj_set_str(r, "policy", policy);
	mj_set_int(r, "priority", prio);
	mj_set_str(r, "nic_type", nic);
	mj_set_str(r, "description", q->description);
	*out = r;
	return 0;
}

/* Invariant 2: what makes two rules the same rule. */
static bool sg_rule_same(const json_t *a, const json_t *b)
{
	static const char *const strs[] = {"direction",	  "protocol",	"peer_cidr",
					   "peer_cidr6",  "peer_group", "local_cidr",
					   "local_cidr6", "policy",	"nic_type"};
	static const char *const ints[] = {"port_from", "port_to", "src_port_from", "src_port_to",
					   "peer_owner"};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(mj_str(a, strs[i]), mj_str(b, strs[i])) != 0)
			return false;
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (mj_int(a, ints[i]) != mj_int(b, ints[i]))
			return false;
	return true;
}

/* Index of the rule of `rules` equal to r (skipping index `skip`), or -1. */
static ssize_t sg_rule_find(const json_t *rules, const json_t *r, ssize_t skip)
{
	size_t i;
	json_t *x;
	json_array_foreach(rules, i, x)
	{
		if ((ssize_t)i != skip && sg_rule_same(x, r))
			return (ssize_t)i;
	}
	return -1;
}

static ssize_t sg_rule_find_id(const json_t *rules, const char *id, bool egress)
{
	size_t i;
	json_t *x;
	json_array_foreach(rules, i, x)
	{
		if (strcmp(mj_str(x, "id"), id) == 0 &&
		    strcmp(mj_str(x, "direction"), egress ? "egress" : "ingress") == 0)
			return (ssize_t)i;
	}
	return -1;
}

static size_t sg_group_rule_count(const json_t *rules)
{
	size_t n = 0, i;
	json_t *x;
	json_array_foreach(rules, i, x)
	{
		n += mj_str(x, "peer_group")[0] != '\0';
	}
	return n;
}

/* Rule quotas for a group about to hold `rules` (NET-25). */
static int sg_check_rule_quotas(struct model *m, const json_t *sg, const json_t *rules)
{
	int64_t max = m_quota_of(m, (uint64_t)mj_int(sg, "owner"), MODEL_QUOTA_SG_RULE);
	if ((int64_t)json_array_size(rules) > max)
		return merrf(
		    m, MERR_SG_RULE_QUOTA,
		    "The security group %s would hold %zu rules; at most %lld are allowed.",
		    mj_str(sg, "id"), json_array_size(rules), (long long)max);
	size_t ng = sg_group_rule_count(rules);
	if (ng > SG_GROUP_RULE_MAX)
		return merrf(
		    m, MERR_SG_GROUP_RULE_QUOTA,
		    "The security group %s would hold %zu rules naming groups; at most %d are "
		    "allowed.",
		    mj_str(sg, "id"), ng, SG_GROUP_RULE_MAX);
	return 0;
}

int sg_authorize(struct model *m, const char *sg_id, bool egress, const struct sg_rule_req *rules,
		 size_t n, json_t **ids)
{
	json_t *sg = m_need(m, sg_id, MERR_SG_NOT_FOUND);
	if (!sg)
		return -1;
	int rc = -1;
	json_t *built = json_array(), *added = json_array(), *newids = json_array();
	json_t *have = json_object_get(sg, "rules");
	if (n == 0) {
		merrf(m, MERR_MISSING_PARAMETER,
		      "No rule was given (IpProtocol or Permissions.N).");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *r;
		if (sg_rule_build(m, sg, egress, &rules[i], true, &r) < 0)
			goto out;
		if (sg_rule_find(built, r, -1) >= 0) {
			json_decref(r);
			merrf(m, MERR_SG_PERMISSIONS_DUP,
			      "Permissions.%zu repeats an earlier rule of the same request.",
			      i + 1);
			goto out;
		}
		json_array_append(built, r);
		/* An existing rule: success without change (the cloud's rule). */
		if (sg_rule_find(have, r, -1) < 0)
			json_array_append(added, r);
		json_decref(r);
	}
	json_t *all = json_copy(have);
	json_array_extend(all, added);
	rc = sg_check_rule_quotas(m, sg, all);
	json_decref(all);
	if (rc < 0)
		goto out;
	size_t i;
	json_t *r;
	json_array_foreach(added, i, r)
	{
		char id[RANDID_MAX];
		model_new_id("sgr", id);
		mj_set_str(r, "id", id);
		mj_set_int(r, "created", m->now);
		json_array_append(have, r);
		json_array_append_new(newids, json_string(id));
	}
	rc = json_array_size(added) ? m_put(m, sg) : 0;
	if (rc == 0 && ids)
		*ids = json_incref(newids);
out:
	json_decref(newids);
	json_decref(added);
	json_decref(built);
	json_decref(sg);
	return rc;
}

int sg_revoke(struct model *m, const char *sg_id, bool egress, const struct sg_rule_req *rules,
	      size_t n, const char *const *rule_ids, size_t n_ids)
{
	json_t *sg = m_need(m, sg_id, MERR_SG_NOT_FOUND);
	if (!sg)
		return -1;
	int rc = -1;
	json_t *have = json_object_get(sg, "rules");
	size_t before = json_array_size(have);
	if (n == 0 && n_ids == 0) {
		merrf(m, MERR_MISSING_PARAMETER,
		      "No rule was given (IpProtocol, Permissions.N or SecurityGroupRuleId.N).");
		goto out;
	}
	for (size_t i = 0; i < n_ids; i++) {
		ssize_t k = sg_rule_find_id(have, rule_ids[i], egress);
		if (k < 0) {
			merrf(m, MERR_SG_RULE_ID_NOT_FOUND,
			      "The security group %s has no %s rule %.64s.", sg_id,
			      egress ? "egress" : "ingress", rule_ids[i]);
			goto out;
		}
		json_array_remove(have, (size_t)k);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *r;
		if (sg_rule_build(m, sg, egress, &rules[i], false, &r) < 0)
			goto out;
		/* Revoking a rule that is not there changes nothing and is no error,
		 * mirroring Authorize of a rule that is. */
		ssize_t k = sg_rule_find(have, r, -1);
		json_decref(r);
		if (k >= 0)
			json_array_remove(have, (size_t)k);
	}
	rc = json_array_size(have) != before ? m_put(m, sg) : 0;
out:
	json_decref(sg);
	return rc;
}

/* Text forms of a stored rule, to merge a partial ModifySecurityGroupRule. */
struct sg_rule_text {
	char port[32], sport[32], prio[8], owner[24];
};

static void sg_rule_to_req(const json_t *r, bool egress, struct sg_rule_text *t,
			   struct sg_rule_req *q)
{
	memset(q, 0, sizeof(*q));
	snprintf(t->port, sizeof(t->port), "%lld/%lld", (long long)mj_int(r, "port_from"),
		 (long long)mj_int(r, "port_to"));
	snprintf(t->sport, sizeof(t->sport), "%lld/%lld", (long long)mj_int(r, "src_port_from"),
		 (long long)mj_int(r, "src_port_to"));
	snprintf(t->prio, sizeof(t->prio), "%lld", (long long)mj_int(r, "priority"));
	snprintf(t->owner, sizeof(t->owner), "%lld", (long long)mj_int(r, "peer_owner"));
	q->protocol = mj_str(r, "protocol");
	q->port_range = t->port;
	q->source_port_range = t->sport;
	const char *pc = mj_str(r, "peer_cidr"), *pc6 = mj_str(r, "peer_cidr6");
	const char *lc = mj_str(r, "local_cidr"), *lc6 = mj_str(r, "local_cidr6");
	q->source_cidr = egress ? lc : pc;
	q->source_cidr6 = egress ? lc6 : pc6;
	q->dest_cidr = egress ? pc : lc;
	q->dest_cidr6 = egress ? pc6 : lc6;
	q->group_id = mj_str(r, "peer_group");
	q->group_owner_id = mj_int(r, "peer_owner") ? t->owner : NULL;
	q->policy = mj_str(r, "policy");
	q->priority = t->prio;
	q->nic_type = mj_str(r, "nic_type");
	q->description = mj_str(r, "description");
}

static const char *sg_peer_kind(const char *cidr, const char *cidr6, const char *group,
				const char *prefix)
{
	if (cidr && *cidr)
		return "IPv4 CIDR";
	if (cidr6 && *cidr6)
		return "IPv6 CIDR";
	if (group && *group)
		return "security group";
	if (prefix && *prefix)
		return "prefix list";
	return NULL;
}

#define SG_OVERRIDE(field)                                                                         \
	do {                                                                                       \
		if (r->field && *r->field)                                                         \
			q.field = r->field;                                                        \
	} while (0)

/* ModifySecurityGroupRule by rule id: the merged rule replaces rules[k]. */
static int sg_modify_rule_by_id(struct model *m, json_t *sg, bool egress, size_t k,
				const struct sg_rule_req *r)
{
	json_t *have = json_object_get(sg, "rules");
	json_t *old = json_array_get(have, k);
	struct sg_rule_text t;
	struct sg_rule_req q;
	sg_rule_to_req(old, egress, &t, &q);
	const char *was = sg_peer_kind(mj_str(old, "peer_cidr"), mj_str(old, "peer_cidr6"),
				       mj_str(old, "peer_group"), NULL);
	const char *now =
	    egress ? sg_peer_kind(r->dest_cidr, r->dest_cidr6, r->group_id, r->prefix_list_id)
		   : sg_peer_kind(r->source_cidr, r->source_cidr6, r->group_id, r->prefix_list_id);
	if (now && strcmp(now, was) != 0)
		return merrf(m, MERR_SG_RULE_ENTITY_TYPE,
			     "The rule's peer is a %s; it cannot become a %s (revoke it and add a "
			     "new rule).",
			     was, now);
	if (r->nic_type && *r->nic_type && strcasecmp(r->nic_type, q.nic_type) != 0)
		return merrf(m, MERR_SG_RULE_NIC_TYPE,
			     "The rule's NicType is %s and cannot change.", q.nic_type);
	SG_OVERRIDE(protocol);
	SG_OVERRIDE(port_range);
	SG_OVERRIDE(source_port_range);
	SG_OVERRIDE(source_cidr);
	SG_OVERRIDE(source_cidr6);
	SG_OVERRIDE(dest_cidr);
	SG_OVERRIDE(dest_cidr6);
	SG_OVERRIDE(group_id);
	SG_OVERRIDE(policy);
	SG_OVERRIDE(priority);
	SG_OVERRIDE(description);
	if (r->group_id && *r->group_id) {
		q.group_owner_id = r->group_owner_id;
		q.group_owner_account = r->group_owner_account;
	}
	/* The peer CIDR of one family replaces the rule's; the other side's CIDR
	 * of the other family would mix families and is refused by the build. */
	json_t *nr;
	if (sg_rule_build(m, sg, egress, &q, true, &nr) < 0)
		return -1;
	if (sg_rule_find(have, nr, (ssize_t)k) >= 0) {
		json_decref(nr);
		return merrf(m, MERR_SG_RULE_DUPLICATE,
			     "The modified rule %s would equal another rule of the group.",
			     mj_str(old, "id"));
	}
	mj_set_str(nr, "id", mj_str(old, "id"));
	mj_set_int(nr, "created", mj_int(old, "created"));
	json_array_set_new(have, k, nr);
	return m_put(m, sg);
}

int sg_modify_rule(struct model *m, const char *sg_id, bool egress, const char *rule_id,
		   const struct sg_rule_req *r)
{
	json_t *sg = m_need(m, sg_id, MERR_SG_NOT_FOUND);
	if (!sg)
		return -1;
	int rc = -1;
	json_t *have = json_object_get(sg, "rules");
	if (rule_id && *rule_id) {
		ssize_t k = sg_rule_find_id(have, rule_id, egress);
		if (k < 0)
			merrf(m, MERR_SG_RULE_ID_NOT_FOUND,
			      "The security group %s has no %s rule %.64s.", sg_id,
			      egress ? "egress" : "ingress", rule_id);
		else
			rc = sg_modify_rule_by_id(m, sg, egress, (size_t)k, r);
		goto out;
	}
	json_t *want;
	if (sg_rule_build(m, sg, egress, r, false, &want) < 0)
		goto out;
	ssize_t k = sg_rule_find(have, want, -1);
	json_decref(want);
	if (k < 0) {
		merrf(m, MERR_SG_RULE_NOT_FOUND,
		      "The security group %s has no %s rule with these protocol, ports, peer and "
		      "policy; give SecurityGroupRuleId to change those.",
		      sg_id, egress ? "egress" : "ingress");
		goto out;
	}
	json_t *x = json_array_get(have, (size_t)k);
	/* Validated by the build above. */
	if (r->priority && *r->priority)
		mj_set_int(x, "priority", strtoll(r->priority, NULL, 10));
	if (r->description && *r->description)
		mj_set_str(x, "description", r->description);
	rc = m_put(m, sg);
out:
	json_decref(sg);
	return rc;
}

/* --- policy evaluation (NET-13, NET-25) ------------------------------------- */

struct sg_nic {
	json_t *doc; /* the ENI or classic instance */
	uint64_t owner;
	json_t *groups; /* its group objects */
};

static bool sg_keep_id(void *arg, json_t *res)
{
	return strcmp(mj_str(res, "id"), (const char *)arg) == 0;
}

/* Finds a NIC of any account: the caller's first, then every owner's. */
static json_t *sg_find_any(struct model *m, const char *id)
{
	char kind[16];
	if (!model_id_kind(id, kind))
		return NULL;
	json_t *doc = m_get(m, id);
	if (doc)
		return doc;
	json_t *all = m_list_owner(m, 0, kind, sg_keep_id, (void *)id);
	if (all && json_array_size(all) > 0)
		doc = json_incref(json_array_get(all, 0));
	json_decref(all);
	return doc;
}

static int sg_nic_load(struct model *m, const char *id, struct sg_nic *n)
{
	memset(n, 0, sizeof(*n));
	n->doc = sg_find_any(m, id);
	const char *kind = n->doc ? mj_str(n->doc, "kind") : "";
	if (n->doc && strcmp(kind, "i") == 0 && strcmp(mj_str(n->doc, "network"), "classic") != 0) {
		/* A VPC instance: its groups are its primary ENI's (NET-23). */
		json_t *eni = m_get_owned(m, (uint64_t)mj_int(n->doc, "owner"),
					  mj_str(n->doc, "primary_eni"));
		json_decref(n->doc);
		n->doc = eni;
		kind = "eni";
	}
	if (!n->doc || (strcmp(kind, "eni") != 0 && strcmp(kind, "i") != 0)) {
		json_decref(n->doc);
		n->doc = NULL;
		return merrf(m, MERR_INVALID_PARAMETER,
			     "%.64s is not a network interface or classic instance.", id);
	}
	n->owner = (uint64_t)mj_int(n->doc, "owner");
	n->groups = json_array();
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(n->doc, "security_group_ids"), i, g)
	{
		json_t *sg = m_get_owned(m, n->owner, json_string_value(g));
		if (sg)
			json_array_append_new(n->groups, sg);
	}
	return 0;
}

static void sg_nic_fini(struct sg_nic *n)
{
	json_decref(n->doc);
	json_decref(n->groups);
}

static bool sg_nic_in_group(const struct sg_nic *n, uint64_t owner, const char *sg_id)
{
	return n && n->doc && n->owner == owner &&
	       sg_arr_has(json_object_get(n->doc, "security_group_ids"), sg_id);
}

static bool sg_cidr_has(const char *cidr, const struct netaddr *a)
{
	struct netprefix p;
	return *cidr && netprefix_parse(cidr, &p) && netprefix_contains(&p, a);
}

static bool sg_proto_match(const char *proto, uint8_t p)
{
	static const struct {
		const char *name;
		uint8_t num;
	} t[] = {{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}, {"gre", 47}};
	if (strcmp(proto, "all") == 0)
		return true;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(proto, t[i].name) == 0)
			return p == t[i].num;
	return false;
}

static bool sg_in_range(int64_t from, int64_t to, uint16_t port)
{
	return from < 0 || (port >= from && port <= to);
}

/* Does rule r of group sg (on NIC `local`) match the flow, whose other end
 * is `other` at address oa, with the local end at la? */
static bool sg_rule_matches(const json_t *sg, const json_t *r, const struct sg_flow *f,
			    const struct netaddr *la, const struct netaddr *oa,
			    const struct sg_nic *other)
{
	if (!sg_proto_match(mj_str(r, "protocol"), f->proto))
		return false;
	if (sg_proto_has_ports(mj_str(r, "protocol")) &&
	    (!sg_in_range(mj_int(r, "port_from"), mj_int(r, "port_to"), f->dport) ||
	     !sg_in_range(mj_int(r, "src_port_from"), mj_int(r, "src_port_to"), f->sport)))
		return false;
	/* A VPC NIC's public traffic arrives on its private NIC: every rule of a
	 * VPC group applies.  A classic instance has two NICs (NET-25). */
	if (!sg_is_vpc(sg) && (strcmp(mj_str(r, "nic_type"), "internet") == 0) != f->internet)
		return false;
	const char *lc = mj_str(r, "local_cidr"), *lc6 = mj_str(r, "local_cidr6");
	if ((*lc && !sg_cidr_has(lc, la)) || (*lc6 && !sg_cidr_has(lc6, la)))
		return false;
	const char *pg = mj_str(r, "peer_group");
	if (*pg) {
		uint64_t po = (uint64_t)mj_int(r, "peer_owner");
		return sg_nic_in_group(other, po ? po : (uint64_t)mj_int(sg, "owner"), pg);
	}
	return sg_cidr_has(mj_str(r, "peer_cidr"), oa) || sg_cidr_has(mj_str(r, "peer_cidr6"), oa);
}

/* Picks the deciding rule of one direction over all of a NIC's groups:
 * lowest priority number, drop before accept on a tie.  NULL when none. */
static const json_t *sg_decide(const struct sg_nic *local, const char *direction,
			       const struct sg_flow *f, const struct netaddr *la,
			       const struct netaddr *oa, const struct sg_nic *other,
			       const json_t **group)
{
	const json_t *best = NULL;
	size_t i, j;
	json_t *sg, *r;
	json_array_foreach(local->groups, i, sg)
	{
		json_array_foreach(json_object_get(sg, "rules"), j, r)
		{
			if (strcmp(mj_str(r, "direction"), direction) != 0 ||
			    !sg_rule_matches(sg, r, f, la, oa, other))
				continue;
			int64_t p = mj_int(r, "priority");
			bool drop = strcmp(mj_str(r, "policy"), "drop") == 0;
			if (!best || p < mj_int(best, "priority") ||
			    (p == mj_int(best, "priority") && drop &&
			     strcmp(mj_str(best, "policy"), "drop") != 0)) {
				best = r;
				*group = sg;
			}
		}
	}
	return best;
}

int sg_evaluate(struct model *m, const struct sg_flow *f, bool *accept, char *why, size_t whylen)
{
	struct sg_nic src = {0}, dst = {0};
	if (f->src_nic && sg_nic_load(m, f->src_nic, &src) < 0)
		return -1;
	if (f->dst_nic && sg_nic_load(m, f->dst_nic, &dst) < 0) {
		sg_nic_fini(&src);
		return -1;
	}
	const struct sg_nic *ps = f->src_nic ? &src : NULL, *pd = f->dst_nic ? &dst : NULL;
	const json_t *r, *g = NULL;
	size_t i;
	json_t *sg;
	/* 1. NET-13: members of one group with InnerAccessPolicy Accept. */
	if (ps && pd && !f->internet) {
		json_array_foreach(src.groups, i, sg)
		{
			if (strcmp(mj_str(sg, "inner_access_policy"), "Accept") == 0 &&
			    sg_nic_in_group(pd, src.owner, mj_str(sg, "id"))) {
				*accept = true;
				snprintf(
				    why, whylen,
				    "%s: members of the group reach each other (InnerAccessPolicy "
				    "Accept)",
				    mj_str(sg, "id"));
				goto out;
			}
		}
	}
	/* 2. egress of the source: allowed unless a rule drops it. */
	if (ps && (r = sg_decide(ps, "egress", f, &f->src, &f->dst, pd, &g)) != NULL &&
	    strcmp(mj_str(r, "policy"), "drop") == 0) {
		*accept = false;
		snprintf(why, whylen, "egress rule %s of %s (drop, priority %lld)", mj_str(r, "id"),
			 mj_str(g, "id"), (long long)mj_int(r, "priority"));
		goto out;
	}
	/* 3. ingress of the destination: denied unless a rule accepts it. */
	if (!pd) {
		*accept = true;
		snprintf(why, whylen, "egress allowed%s; the destination is outside the cloud",
			 ps && g ? " by a rule" : " by default");
		goto out;
	}
	r = sg_decide(pd, "ingress", f, &f->dst, &f->src, ps, &g);
	if (!r) {
		*accept = false;
		snprintf(why, whylen,
			 "no ingress rule of the destination's groups matches: denied by "
			 "default");
		goto out;
	}
	*accept = strcmp(mj_str(r, "policy"), "accept") == 0;
	snprintf(why, whylen, "ingress rule %s of %s (%s, priority %lld)", mj_str(r, "id"),
		 mj_str(g, "id"), mj_str(r, "policy"), (long long)mj_int(r, "priority"));
out:
	sg_nic_fini(&src);
	sg_nic_fini(&dst);
	return 0;
}
