/*
 * Model tests of what an instance learns from the network: the metadata
 * tree and its rendering (NET-17), the DHCP/RA lease (NET-16), and the
 * classic network's lack of broadcast (NET-10).  The central property: an
 * answer is about the asking instance only, never another one (G-1).
 *
 * World: VPC 10.0.0.0/16 with IPv6, vSwitch a1 (10.0.1.0/24, IPv6) and a2
 * (10.0.3.0/24) in zone a; a second VPC with the same CIDR; groups; a
 * classic group.
 */
#include <errno.h>

#include "fixture.h"
#include "model/eni.h"
#include "model/instance.h"
#include "model/metadata.h"
#include "model/secgroup.h"
#include "model/vpc.h"
#include "model/vswitch.h"

TestSuite(metadata, .init = fx_setup, .fini = fx_teardown);

#define ID_LEN RANDID_MAX
#define REGION "cn-hangzhou"

static char vpc[ID_LEN], vpc2[ID_LEN], vsw_a1[ID_LEN], vsw_a2[ID_LEN], vsw2[ID_LEN];
static char sg[ID_LEN], sg2[ID_LEN], sg_classic[ID_LEN];

static void copy_id(char *dst, const json_t *o)
{
	snprintf(dst, ID_LEN, "%s", mj_str(o, "id"));
}

static void mk(int (*fn)(struct model *, const void *, json_t **), const void *req, char *out)
{
	struct model *m = fx_begin(&fx);
	json_t *o = NULL;
	cr_assert_eq(fn(m, req, &o), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	copy_id(out, o);
	json_decref(o);
}

static int mk_vpc_fn(struct model *m, const void *q, json_t **o)
{
	return vpc_create(m, q, o);
}

static int mk_vsw_fn(struct model *m, const void *q, json_t **o)
{
	return vswitch_create(m, q, o);
}

static int mk_sg_fn(struct model *m, const void *q, json_t **o)
{
	return sg_create(m, q, o);
}

static void make_world(void)
{
	struct vpc_create_req v = {.cidr = "10.0.0.0/16", .enable_ipv6 = true};
	mk(mk_vpc_fn, &v, vpc);
	mk(mk_vpc_fn, &v, vpc2);
	fx_settle_all(&fx);
	struct vswitch_create_req s1 = {
	    .vpc_id = vpc, .zone_id = "cn-hangzhou-a", .cidr = "10.0.1.0/24", .ipv6_index = 0};
	struct vswitch_create_req s2 = {
	    .vpc_id = vpc, .zone_id = "cn-hangzhou-a", .cidr = "10.0.3.0/24", .ipv6_index = -1};
	struct vswitch_create_req s3 = {
	    .vpc_id = vpc2, .zone_id = "cn-hangzhou-a", .cidr = "10.0.1.0/24", .ipv6_index = -1};
	mk(mk_vsw_fn, &s1, vsw_a1);
	mk(mk_vsw_fn, &s2, vsw_a2);
	mk(mk_vsw_fn, &s3, vsw2);
	struct sg_create_req g1 = {.vpc_id = vpc}, g2 = {.vpc_id = vpc2}, gc = {0};
	mk(mk_sg_fn, &g1, sg);
	mk(mk_sg_fn, &g2, sg2);
	mk(mk_sg_fn, &gc, sg_classic);
	fx_settle_all(&fx);
}

/* A settled instance: VPC on vsw (classic when vsw is NULL), with n_nics
 * secondary ENIs on vsw_a2 and v6 IPv6 addresses. */
static void mk_inst(const char *vsw, const char *group, size_t n_nics, int64_t v6, char *id)
{
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {group};
	struct instance_nic_req nics[2] = {{.vswitch_id = vsw_a2}, {.vswitch_id = vsw_a2}};
	struct instance_create_req q = {
	    .zone_id = "cn-hangzhou-a",
	    .vswitch_id = vsw,
	    .sg_ids = sgs,
	    .n_sg = 1,
	    .itype = "ecs.g6.large",
	    .ipv6_count = v6,
	    .nics = nics,
	    .n_nics = n_nics,
	    .hostname = "web1",
	    .image_id = "ubuntu_22_04_x64",
	    .bw_out = 5,
	    .start = true,
	};
	json_t *ids = NULL;
	cr_assert_eq(instance_create(m, &q, 1, &ids), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	snprintf(id, ID_LEN, "%s", json_string_value(json_array_get(ids, 0)));
	json_decref(ids);
	fx_settle_all(&fx);
}

static json_t *get(const char *id)
{
	struct model *m = fx_begin(&fx);
	json_t *o = m_get(m, id);
	fx_abort(&fx);
	return o;
}

/* The tree for ip as the system (the metadata service runs with no caller). */
static json_t *tree_for(const char *net, const char *ip)
{
	struct model *m = fx_begin(&fx);
	m->caller = 0;
	json_t *t = metadata_for_ip(m, REGION, net, ip);
	fx_abort(&fx);
	return t;
}

static json_t *lease_for(const char *net, const char *ip)
{
	struct model *m = fx_begin(&fx);
	m->caller = 0;
	json_t *t = dhcp_lease_for(m, REGION, net, ip);
	fx_abort(&fx);
	return t;
}

/* metadata_lookup of path, asserted to succeed; the caller frees. */
static char *look(json_t *t, const char *path)
{
	char *text = NULL;
	int rc = metadata_lookup(t, path, &text);
	cr_assert_eq(rc, 0, "lookup %s: %d", path, rc);
	return text;
}

#define assert_look(t, path, want)                                                                 \
	do {                                                                                       \
		char *got_ = look(t, path);                                                        \
		cr_assert_str_eq(got_, want, "%s", path);                                          \
		free(got_);                                                                        \
	} while (0)

Test(metadata, net17_vpc_instance_answers_about_itself)
{
	make_world();
	char id[ID_LEN];
	mk_inst(vsw_a1, sg, 0, 1, id);
	json_t *inst = get(id);
	json_t *eni = get(mj_str(inst, "primary_eni"));
	const char *ip = mj_str(inst, "private_ip");
	const char *mac = mj_str(eni, "mac");
	const char *v6 = json_string_value(json_array_get(json_object_get(eni, "ipv6s"), 0));
	json_t *t = tree_for(vpc, ip);
	cr_assert_not_null(t);
	assert_look(t, "instance-id", id);
	assert_look(t, "mac", mac);
	assert_look(t, "private-ipv4", ip);
	assert_look(t, "region-id", REGION);
	assert_look(t, "zone-id", "cn-hangzhou-a");
	assert_look(t, "vpc-id", vpc);
	assert_look(t, "vswitch-id", vsw_a1);
	assert_look(t, "network-type", "vpc");
	assert_look(t, "hostname", "web1");
	assert_look(t, "instance/instance-type", "ecs.g6.large");
	assert_look(t, "vpc-cidr-block", "10.0.0.0/16");
	char base[128], path[192], want[128];
	snprintf(base, sizeof(base), "network/interfaces/macs/%s/", mac);
	snprintf(path, sizeof(path), "%sprimary-ip-address", base);
	assert_look(t, path, ip);
	snprintf(path, sizeof(path), "%snetmask", base);
	assert_look(t, path, "255.255.255.0");
	snprintf(path, sizeof(path), "%sgateway", base);
	assert_look(t, path, "10.0.1.253");
	snprintf(path, sizeof(path), "%sprivate-ipv4s", base);
	snprintf(want, sizeof(want), "[\"%s\"]", ip);
	assert_look(t, path, want);
	snprintf(path, sizeof(path), "%sipv6s", base);
	snprintf(want, sizeof(want), "[\"%s\"]", v6);
	assert_look(t, path, want);
	snprintf(path, sizeof(path), "%svswitch-cidr-block", base);
	assert_look(t, path, "10.0.1.0/24");
	json_t *vsw = get(vsw_a1);
	snprintf(path, sizeof(path), "%svswitch-ipv6-cidr-block", base);
	assert_look(t, path, mj_str(vsw, "ipv6_cidr"));
	snprintf(path, sizeof(path), "%sipv6-gateway", base);
	char *gw6 = look(t, path);
	struct netprefix p6;
	struct netaddr g6;
	cr_assert(netprefix_parse(mj_str(vsw, "ipv6_cidr"), &p6));
	cr_assert(netaddr_parse6(gw6, &g6), "%s", gw6);
	cr_assert(netprefix_contains(&p6, &g6));
	free(gw6);
	json_decref(vsw);
	snprintf(path, sizeof(path), "%svpc-cidr-block", base);
	assert_look(t, path, "10.0.0.0/16");
	snprintf(path, sizeof(path), "%snetwork-interface-id", base);
	assert_look(t, path, mj_str(eni, "id"));
	/* NET-5: the public address is never visible inside the instance. */
	char *all = json_dumps(t, 0);
	cr_assert_null(strstr(all, mj_str(inst, "public_ip")), "public IP leaked: %s", all);
	free(all);
	json_decref(t);
	json_decref(eni);
	json_decref(inst);
}

Test(metadata, net17_directories_list_their_children)
{
	make_world();
	char id[ID_LEN];
	mk_inst(vsw_a1, sg, 1, 0, id);
	json_t *inst = get(id);
	json_t *t = tree_for(vpc, mj_str(inst, "private_ip"));
	cr_assert_not_null(t);
	char *root = look(t, "");
	cr_assert(strstr(root, "instance-id\n"), "%s", root);
	cr_assert(strstr(root, "network/\n"), "%s", root);
	cr_assert(strstr(root, "instance/\n"), "%s", root);
	cr_assert(strstr(root, "mac\n"), "%s", root);
	char *same = look(t, "/latest/meta-data/");
	cr_assert_str_eq(root, same);
	free(same);
	free(root);
	assert_look(t, "/latest/meta-data/instance-id", id);
	assert_look(t, "network/", "interfaces/");
	assert_look(t, "network/interfaces", "macs/");
	/* Both NICs of the instance, sorted, each a directory. */
	struct model *m = fx_begin(&fx);
	json_t *l = eni_list_for_instance(m, id);
	fx_abort(&fx);
	cr_assert_eq(json_array_size(l), 2);
	const char *m0 = mj_str(json_array_get(l, 0), "mac"),
		   *m1 = mj_str(json_array_get(l, 1), "mac");
	char want[128];
	if (strcmp(m0, m1) < 0)
		snprintf(want, sizeof(want), "%s/\n%s/", m0, m1);
	else
		snprintf(want, sizeof(want), "%s/\n%s/", m1, m0);
	assert_look(t, "network/interfaces/macs/", want);
	char path[160];
	snprintf(path, sizeof(path), "network/interfaces/macs/%s/gateway", m1);
	assert_look(t, path, "10.0.3.253"); /* the secondary ENI is on a2 */
	json_decref(l);
	char *leaf = look(t, "dns-conf/nameservers");
	cr_assert_str_eq(leaf, METADATA_DNS1 "\n" METADATA_DNS2);
	free(leaf);
	/* Unknown paths, and paths below a leaf, are not found. */
	char *text = NULL;
	cr_assert_eq(metadata_lookup(t, "user-data", &text), -ENOENT);
	cr_assert_eq(metadata_lookup(t, "instance-id/x", &text), -ENOENT);
	cr_assert_eq(metadata_lookup(t, "network/interfaces/macs/00:00:00:00:00:00/", &text),
		     -ENOENT);
	cr_assert_eq(metadata_lookup(NULL, "instance-id", &text), -ENOENT);
	cr_assert_null(text);
	json_decref(t);
	json_decref(inst);
}

Test(metadata, net17_a_secondary_address_finds_the_same_instance)
{
	make_world();
	char id[ID_LEN];
	mk_inst(vsw_a1, sg, 1, 0, id);
	struct model *m = fx_begin(&fx);
	json_t *l = eni_list_for_instance(m, id);
	fx_abort(&fx);
	json_t *t = tree_for(vpc, mj_str(json_array_get(l, 1), "primary_ip"));
	cr_assert_not_null(t);
	assert_look(t, "instance-id", id);
	assert_look(t, "mac", mj_str(json_array_get(l, 0), "mac"));
	json_decref(t);
	json_decref(l);
}

Test(metadata, net17_never_another_instances_data)
{
	make_world();
	char a[ID_LEN], b[ID_LEN], c[ID_LEN];
	mk_inst(vsw_a1, sg, 1, 0, a);
	mk_inst(vsw_a1, sg, 1, 0, b);
	fx_as(&fx, fx.other);
	char sg_o[ID_LEN], vpc_o[ID_LEN], vsw_o[ID_LEN];
	struct vpc_create_req v = {.cidr = "10.0.0.0/16"};
	mk(mk_vpc_fn, &v, vpc_o);
	fx_settle_all(&fx);
	struct vswitch_create_req s = {
	    .vpc_id = vpc_o, .zone_id = "cn-hangzhou-a", .cidr = "10.0.1.0/24", .ipv6_index = -1};
	mk(mk_vsw_fn, &s, vsw_o);
	struct sg_create_req g = {.vpc_id = vpc_o};
	mk(mk_sg_fn, &g, sg_o);
	fx_settle_all(&fx);
	mk_inst(vsw_o, sg_o, 0, 0, c); /* same address as a, another account's VPC */
	fx_as(&fx, fx.owner);
	json_t *ia = get(a), *ib = get(b);
	fx_as(&fx, fx.other);
	json_t *ic = get(c);
	fx_as(&fx, fx.owner);
	cr_assert_str_eq(mj_str(ia, "private_ip"), mj_str(ic, "private_ip"));
	json_t *ta = tree_for(vpc, mj_str(ia, "private_ip"));
	json_t *tc = tree_for(vpc_o, mj_str(ic, "private_ip"));
	char *da = json_dumps(ta, 0), *dc = json_dumps(tc, 0);
	cr_assert(strstr(da, a));
	cr_assert_null(strstr(da, b), "B's id in A's metadata");
	cr_assert_null(strstr(da, c), "C's id in A's metadata");
	cr_assert(strstr(dc, c));
	cr_assert_null(strstr(dc, a));
	json_t *eb = get(mj_str(ib, "primary_eni"));
	cr_assert_null(strstr(da, mj_str(eb, "mac")), "B's MAC in A's metadata");
	char quoted[64];
	snprintf(quoted, sizeof(quoted), "\"%s\"", mj_str(ib, "private_ip"));
	cr_assert_null(strstr(da, quoted), "B's IP in A's metadata: %s", da);
	free(da);
	free(dc);
	json_decref(eb);
	json_decref(ta);
	json_decref(tc);
	/* The address asked in another network, or not held by an instance, finds nothing. */
	cr_assert_null(tree_for(vpc2, mj_str(ia, "private_ip")));
	cr_assert_null(tree_for(METADATA_CLASSIC, mj_str(ia, "private_ip")));
	cr_assert_null(tree_for(vpc, "10.0.1.200"));
	cr_assert_null(tree_for(vpc, "not-an-ip"));
	cr_assert_null(tree_for("vpc-doesnotexist0000000", mj_str(ia, "private_ip")));
	struct model *m = fx_begin(&fx);
	cr_assert_null(metadata_for_ip(m, "cn-shanghai", vpc, mj_str(ia, "private_ip")));
	fx_abort(&fx);
	json_decref(ia);
	json_decref(ib);
	json_decref(ic);
}

Test(metadata, net17_unattached_eni_and_deleted_instance_answer_nothing)
{
	make_world();
	char id[ID_LEN];
	mk_inst(vsw_a1, sg, 0, 0, id);
	struct model *m = fx_begin(&fx);
	const char *sgs[] = {sg};
	struct eni_create_req q = {.vswitch_id = vsw_a1, .sg_ids = sgs, .n_sg = 1};
	json_t *eni = NULL;
	cr_assert_eq(eni_create(m, &q, &eni), 0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	cr_assert_null(tree_for(vpc, mj_str(eni, "primary_ip")));
	cr_assert_null(lease_for(vpc, mj_str(eni, "primary_ip")));
	json_decref(eni);
	json_t *inst = get(id);
	char ip[64];
	snprintf(ip, sizeof(ip), "%s", mj_str(inst, "private_ip"));
	json_decref(inst);
	json_t *t = tree_for(vpc, ip);
	cr_assert_not_null(t);
	json_decref(t);
	m = fx_begin(&fx);
	cr_assert_eq(instance_delete(m, id, true, false), 0);
	fx_commit(&fx);
	fx_settle_all(&fx);
	cr_assert_null(tree_for(vpc, ip));
}

Test(metadata, net17_classic_instance)
{
	make_world();
	char id[ID_LEN];
	mk_inst(NULL, sg_classic, 0, 0, id);
	json_t *inst = get(id);
	const char *ip = mj_str(inst, "private_ip");
	json_t *t = tree_for(METADATA_CLASSIC, ip);
	cr_assert_not_null(t);
	assert_look(t, "instance-id", id);
	assert_look(t, "network-type", "classic");
	assert_look(t, "private-ipv4", ip);
	assert_look(t, "mac", mj_str(inst, "mac"));
	char path[160], *text = NULL;
	snprintf(path, sizeof(path), "network/interfaces/macs/%s/netmask", mj_str(inst, "mac"));
	assert_look(t, path, "255.255.0.0");
	snprintf(path, sizeof(path), "network/interfaces/macs/%s/gateway", mj_str(inst, "mac"));
	assert_look(t, path, "10.240.0.1");
	snprintf(path, sizeof(path), "network/interfaces/macs/%s/ipv6s", mj_str(inst, "mac"));
	assert_look(t, path, "[]");
	/* A classic instance has no VPC or vSwitch. */
	cr_assert_eq(metadata_lookup(t, "vpc-id", &text), -ENOENT);
	cr_assert_eq(metadata_lookup(t, "vswitch-id", &text), -ENOENT);
	/* The classic address asked in a VPC is not found. */
	cr_assert_null(tree_for(vpc, ip));
	json_decref(t);
	json_decref(inst);
}

Test(metadata, net16_dhcp_lease_of_a_vpc_nic)
{
	make_world();
	char id[ID_LEN], plain[ID_LEN];
	mk_inst(vsw_a1, sg, 1, 1, id);
	mk_inst(vsw_a2, sg, 0, 0, plain);
	json_t *inst = get(id);
	json_t *eni = get(mj_str(inst, "primary_eni"));
	json_t *l = lease_for(vpc, mj_str(inst, "private_ip"));
	cr_assert_not_null(l);
	cr_assert_str_eq(mj_str(l, "address"), mj_str(inst, "private_ip"));
	cr_assert_eq(mj_int(l, "prefix_len"), 24);
	cr_assert_str_eq(mj_str(l, "netmask"), "255.255.255.0");
	cr_assert_str_eq(mj_str(l, "gateway"), "10.0.1.253");
	cr_assert_str_eq(mj_str(l, "mac"), mj_str(eni, "mac"));
	cr_assert_str_eq(mj_str(l, "hostname"), "web1");
	cr_assert_eq(mj_int(l, "mtu"), METADATA_MTU);
	cr_assert_eq(json_array_size(json_object_get(l, "dns")), 2);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(l, "dns"), 0)),
			 METADATA_DNS1);
	cr_assert_not(mj_bool(l, "no_broadcast"));
	json_t *v6 = json_object_get(l, "ipv6");
	cr_assert(json_is_object(v6));
	cr_assert_str_eq(mj_str(v6, "address"),
			 json_string_value(json_array_get(json_object_get(eni, "ipv6s"), 0)));
	cr_assert_eq(mj_int(v6, "prefix_len"), 64);
	cr_assert(mj_str(v6, "gateway")[0]);
	json_decref(l);
	/* Without IPv6 the lease has none. */
	json_t *ip2 = get(plain);
	l = lease_for(vpc, mj_str(ip2, "private_ip"));
	cr_assert(json_is_null(json_object_get(l, "ipv6")));
	cr_assert_str_eq(mj_str(l, "gateway"), "10.0.3.253");
	json_decref(l);
	json_decref(ip2);
	/* The secondary ENI gets its own lease; unknown addresses none. */
	struct model *m = fx_begin(&fx);
	json_t *nics = eni_list_for_instance(m, id);
	fx_abort(&fx);
	l = lease_for(vpc, mj_str(json_array_get(nics, 1), "primary_ip"));
	cr_assert_not_null(l);
	cr_assert_str_eq(mj_str(l, "mac"), mj_str(json_array_get(nics, 1), "mac"));
	json_decref(l);
	json_decref(nics);
	cr_assert_null(lease_for(vpc, "10.0.1.222"));
	cr_assert_null(lease_for(vpc2, mj_str(inst, "private_ip")));
	json_decref(eni);
	json_decref(inst);
}

Test(metadata, net16_secondary_private_ips_are_not_leased)
{
	make_world();
	char id[ID_LEN];
	mk_inst(vsw_a1, sg, 0, 0, id);
	json_t *inst = get(id);
	json_t *assigned = NULL;
	struct model *m = fx_begin(&fx);
	cr_assert_eq(eni_assign_ips(m, mj_str(inst, "primary_eni"), false, NULL, 0, 1, &assigned),
		     0, "%s", merr_message(&m->err));
	fx_commit(&fx);
	const char *sec = json_string_value(json_array_get(assigned, 0));
	cr_assert_null(lease_for(vpc, sec));
	/* ...but metadata lists them, and they identify the instance. */
	json_t *t = tree_for(vpc, sec);
	cr_assert_not_null(t);
	char *all = json_dumps(t, 0);
	cr_assert(strstr(all, sec));
	free(all);
	json_decref(t);
	json_decref(assigned);
	json_decref(inst);
}

Test(metadata, net10_classic_lease_says_no_broadcast)
{
	make_world();
	char id[ID_LEN];
	mk_inst(NULL, sg_classic, 0, 0, id);
	json_t *inst = get(id);
	json_t *l = lease_for(METADATA_CLASSIC, mj_str(inst, "private_ip"));
	cr_assert_not_null(l);
	cr_assert(mj_bool(l, "no_broadcast"));
	cr_assert_str_eq(mj_str(l, "network_type"), "classic");
	cr_assert_str_eq(mj_str(l, "gateway"), "10.240.0.1");
	cr_assert_eq(mj_int(l, "prefix_len"), 16);
	cr_assert_str_eq(mj_str(l, "mac"), mj_str(inst, "mac"));
	cr_assert(json_is_null(json_object_get(l, "ipv6")), "NET-15: no IPv6 on classic");
	json_decref(l);
	json_decref(inst);
}
