/*
 * metadata: see metadata.h.  The asking instance is found through the
 * claim of its address (model.h: /c/<scope>/<hex> -> {"id","owner"}), so a
 * look-up costs one key read however many instances exist, and the answer
 * is built only from resources of the claim holder's owner.
 */
#include "model/metadata.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/instance.h"
#include "model/vpc.h"
#include "model/vswitch.h"

/* The holder of an address claim: its id into id (RANDID_MAX) and owner. */
static bool md_claim_holder(struct model *m, const char *scope, const char *ip, char *id,
			    uint64_t *owner)
{
	struct netaddr a;
	char key[MODEL_KEY_MAX], hex[33], *val = NULL;
	size_t len = 0;
	if (!ip || !netaddr_parse4(ip, &a))
		return false;
	snprintf(key, sizeof(key), "/c/%s/%s", scope, netaddr_keyhex(&a, hex));
	if (store_get(m->txn, key, &val, &len, NULL) < 0)
		return false;
	json_t *o = json_loadb(val, len, 0, NULL);
	free(val);
	bool ok = o && json_is_string(json_object_get(o, "id")) && mj_int(o, "owner") > 0;
	if (ok) {
		snprintf(id, RANDID_MAX, "%s", mj_str(o, "id"));
		*owner = (uint64_t)mj_int(o, "owner");
	}
	json_decref(o);
	return ok;
}

static bool md_is_kind(const char *id, const char *kind)
{
	char k[16];
	return model_id_kind(id, k) && strcmp(k, kind) == 0;
}

/* The NIC (an ENI, or a classic instance itself) holding ip in the network,
 * and the instance it serves.  Both new references, or false. */
static bool md_find(struct model *m, const char *region, const char *net, const char *ip,
		    json_t **nic, json_t **inst)
{
	char scope[MODEL_SCOPE_MAX], id[RANDID_MAX];
	uint64_t owner;
	*nic = *inst = NULL;
	if (!region || !net || !ip)
		return false;
	if (strcmp(net, METADATA_CLASSIC) == 0) {
		snprintf(scope, sizeof(scope), INSTANCE_CLASSIC_SCOPE_FMT, region);
		if (!md_claim_holder(m, scope, ip, id, &owner) || !md_is_kind(id, "i"))
			return false;
		*inst = m_get_owned(m, owner, id);
		if (!*inst || instance_is_vpc(*inst) || strcmp(mj_str(*inst, "region"), region)) {
			json_decref(*inst);
			*inst = NULL;
			return false;
		}
		*nic = json_incref(*inst);
		return true;
	}
	vpc_scope_v4(net, scope);
	if (!md_claim_holder(m, scope, ip, id, &owner) || !md_is_kind(id, "eni"))
		return false;
	*nic = m_get_owned(m, owner, id);
	const char *inst_id = *nic ? mj_str(*nic, "instance_id") : "";
	if (inst_id[0])
		*inst = m_get_owned(m, owner, inst_id);
	if (!*inst || !instance_is_vpc(*inst) || strcmp(mj_str(*inst, "vpc_id"), net) != 0 ||
	    strcmp(mj_str(*inst, "region"), region) != 0) {
		json_decref(*nic);
		json_decref(*inst);
		*nic = *inst = NULL;
		return false;
	}
	return true;
}

static void md_netmask(unsigned len, char *buf)
{
	struct netaddr mask = {.family = NETADDR_V4};
	mask.lo = len == 0 ? 0 : (0xffffffffu << (32 - len)) & 0xffffffffu;
	netaddr_format(&mask, buf);
}

/* The IPv6 gateway of a vSwitch's /64: by the same rule as IPv4 (the third
 * address from the top), so both gateways sit in the reserved range. */
static void md_ipv6_gateway(const json_t *vsw, char *buf)
{
	struct netprefix p;
	buf[0] = '\0';
	if (!netprefix_parse(mj_str(vsw, "ipv6_cidr"), &p))
		return;
	struct netaddr gw = netprefix_last(&p);
	netaddr_add(&gw, -2, &gw);
	netaddr_format(&gw, buf);
}

static int md_cmp_device(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int64_t dx = mj_int(x, "device_index"), dy = mj_int(y, "device_index");
	return dx < dy ? -1 : dx > dy;
}

struct md_eq_inst {
	const char *id;
};

static bool md_keep_attached(void *arg, json_t *eni)
{
	return strcmp(mj_str(eni, "instance_id"), ((struct md_eq_inst *)arg)->id) == 0;
}

static json_t *md_vpc_nic(struct model *m, uint64_t owner, const json_t *eni)
{
	json_t *o = json_object();
	json_t *vsw = m_get_owned(m, owner, mj_str(eni, "vswitch_id"));
	json_t *vpc = m_get_owned(m, owner, mj_str(eni, "vpc_id"));
	char buf[NETADDR_STRLEN];
	struct netprefix p;
	mj_set_str(o, "network-interface-id", mj_str(eni, "id"));
	mj_set_str(o, "primary-ip-address", mj_str(eni, "primary_ip"));
	if (vsw && netprefix_parse(mj_str(vsw, "cidr"), &p)) {
		md_netmask(p.len, buf);
		mj_set_str(o, "netmask", buf);
		mj_set_str(o, "gateway", vswitch_gateway(vsw, buf));
	}
	json_t *v4 = json_array();
	json_array_append_new(v4, json_string(mj_str(eni, "primary_ip")));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(eni, "private_ips"), i, v)
	{
		if (json_is_string(v))
			json_array_append(v4, v);
	}
	json_object_set_new(o, "private-ipv4s", v4);
	json_t *v6 = json_object_get(eni, "ipv6s");
	json_object_set_new(o, "ipv6s", v6 ? json_deep_copy(v6) : json_array());
	if (vsw) {
		md_ipv6_gateway(vsw, buf);
		mj_set_str(o, "ipv6-gateway", buf);
		mj_set_str(o, "vswitch-cidr-block", mj_str(vsw, "cidr"));
		mj_set_str(o, "vswitch-ipv6-cidr-block", mj_str(vsw, "ipv6_cidr"));
	}
	if (vpc) {
		mj_set_str(o, "vpc-cidr-block", mj_str(vpc, "cidr"));
		mj_set_str(o, "vpc-ipv6-cidr-block", mj_str(vpc, "ipv6_cidr"));
	}
	json_decref(vsw);
	json_decref(vpc);
	return o;
}

static json_t *md_classic_nic(struct model *m, const json_t *inst)
{
	json_t *o = json_object();
	const struct model_region *r = model_config_region(m->cfg, mj_str(inst, "region"));
	char buf[NETADDR_STRLEN];
	mj_set_str(o, "primary-ip-address", mj_str(inst, "private_ip"));
	if (r) {
		md_netmask(r->classic_pool.len, buf);
		mj_set_str(o, "netmask", buf);
		mj_set_str(o, "gateway", instance_classic_gateway(r, buf));
	}
	json_t *v4 = json_array();
	json_array_append_new(v4, json_string(mj_str(inst, "private_ip")));
	json_object_set_new(o, "private-ipv4s", v4);
	json_object_set_new(o, "ipv6s", json_array()); /* NET-15: VPC only */
	return o;
}

json_t *metadata_for_ip(struct model *m, const char *region, const char *vpc_or_classic,
			const char *src_ip)
{
	json_t *nic, *inst;
	if (!md_find(m, region, vpc_or_classic, src_ip, &nic, &inst))
		return NULL;
	uint64_t owner = (uint64_t)mj_int(inst, "owner");
	json_t *t = json_object();
	json_t *macs = json_object();
	const char *id = mj_str(inst, "id");
	mj_set_str(t, "instance-id", id);
	mj_set_str(t, "private-ipv4", mj_str(inst, "private_ip"));
	mj_set_str(t, "region-id", mj_str(inst, "region"));
	mj_set_str(t, "zone-id", mj_str(inst, "zone"));
	mj_set_str(t, "hostname", mj_str(inst, "hostname"));
	mj_set_str(t, "image-id", mj_str(inst, "image_id"));
	json_t *sub = json_object();
	mj_set_str(sub, "instance-type", mj_str(inst, "itype"));
	json_object_set_new(t, "instance", sub);
	if (instance_is_vpc(inst)) {
		mj_set_str(t, "network-type", "vpc");
		mj_set_str(t, "vpc-id", mj_str(inst, "vpc_id"));
		mj_set_str(t, "vswitch-id", mj_str(inst, "vswitch_id"));
		struct md_eq_inst eq = {id};
		json_t *enis = m_list_owner(m, owner, "eni", md_keep_attached, &eq);
		size_t n = json_array_size(enis);
		json_t **v = n ? calloc(n, sizeof(*v)) : NULL;
		for (size_t i = 0; v && i < n; i++)
			v[i] = json_array_get(enis, i);
		if (v)
			qsort(v, n, sizeof(*v), md_cmp_device);
		for (size_t i = 0; v && i < n; i++) {
			if (strcmp(mj_str(v[i], "id"), mj_str(inst, "primary_eni")) == 0)
				mj_set_str(t, "mac", mj_str(v[i], "mac"));
			json_object_set_new(macs, mj_str(v[i], "mac"), md_vpc_nic(m, owner, v[i]));
		}
		free(v);
		json_decref(enis);
		json_t *pri = json_object_get(macs, mj_str(t, "mac"));
		if (pri) {
			mj_set_str(t, "vswitch-cidr-block", mj_str(pri, "vswitch-cidr-block"));
			mj_set_str(t, "vpc-cidr-block", mj_str(pri, "vpc-cidr-block"));
		}
	} else {
		mj_set_str(t, "network-type", "classic");
		mj_set_str(t, "mac", mj_str(inst, "mac"));
		json_object_set_new(macs, mj_str(inst, "mac"), md_classic_nic(m, inst));
	}
	json_t *net = json_object(), *ifs = json_object();
	json_object_set_new(ifs, "macs", macs);
	json_object_set_new(net, "interfaces", ifs);
	json_object_set_new(t, "network", net);
	json_t *dns = json_object();
	mj_set_str(dns, "nameservers", METADATA_DNS1 "\n" METADATA_DNS2);
	json_object_set_new(t, "dns-conf", dns);
	json_decref(nic);
	json_decref(inst);
	return t;
}

static int md_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int md_render_dir(json_t *dir, char **text)
{
	size_t n = json_object_size(dir), i = 0, total = 1;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	const char *k;
	json_t *v;
	json_object_foreach(dir, k, v)
	{
		keys[i++] = k;
		total += strlen(k) + 2;
	}
	qsort(keys, n, sizeof(*keys), md_cmp_str);
	char *out = malloc(total), *p = out;
	if (!out) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		size_t len = strlen(keys[i]);
		memcpy(p, keys[i], len);
		p += len;
		if (json_is_object(json_object_get(dir, keys[i])))
			*p++ = '/';
		if (i + 1 < n)
			*p++ = '\n';
	}
	*p = '\0';
	free(keys);
	*text = out;
	return 0;
}

int metadata_lookup(json_t *tree, const char *path, char **text)
{
	static const char prefix[] = "/latest/meta-data";
	*text = NULL;
	if (!tree || !path)
		return -ENOENT;
	if (strncmp(path, prefix, sizeof(prefix) - 1) == 0 &&
	    (path[sizeof(prefix) - 1] == '/' || path[sizeof(prefix) - 1] == '\0'))
		path += sizeof(prefix) - 1;
	json_t *cur = tree;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (!json_is_object(cur))
			return -ENOENT; /* a path below a leaf */
		char seg[128];
		if (len >= sizeof(seg))
			return -ENOENT;
		memcpy(seg, p, len);
		seg[len] = '\0';
		cur = json_object_get(cur, seg);
		if (!cur)
			return -ENOENT;
		p += len;
	}
	if (json_is_object(cur))
		return md_render_dir(cur, text);
	if (json_is_string(cur))
		*text = strdup(json_string_value(cur));
	else
		*text = json_dumps(cur, JSON_COMPACT);
	return *text ? 0 : -ENOMEM;
}

json_t *dhcp_lease_for(struct model *m, const char *region, const char *vpc_or_classic,
		       const char *ip)
{
	json_t *nic, *inst;
	if (!md_find(m, region, vpc_or_classic, ip, &nic, &inst))
		return NULL;
	bool vpc = instance_is_vpc(inst);
	const char *primary = mj_str(nic, vpc ? "primary_ip" : "private_ip");
	if (strcmp(primary, ip) != 0) {
		/* DHCP serves a NIC's primary address; secondary ones are static (NET-22). */
		json_decref(nic);
		json_decref(inst);
		return NULL;
	}
	json_t *l = json_object();
	char buf[NETADDR_STRLEN];
	unsigned len = 0;
	mj_set_str(l, "address", primary);
	mj_set_str(l, "hostname", mj_str(inst, "hostname"));
	mj_set_str(l, "network_type", vpc ? "vpc" : "classic");
	mj_set_int(l, "mtu", METADATA_MTU);
	mj_set_int(l, "lease_seconds", METADATA_LEASE_SECONDS);
	json_t *dns = json_array();
	json_array_append_new(dns, json_string(METADATA_DNS1));
	json_array_append_new(dns, json_string(METADATA_DNS2));
	json_object_set_new(l, "dns", dns);
	json_object_set_new(l, "ipv6", json_null());
	if (vpc) {
		uint64_t owner = (uint64_t)mj_int(nic, "owner");
		json_t *vsw = m_get_owned(m, owner, mj_str(nic, "vswitch_id"));
		struct netprefix p;
		mj_set_str(l, "mac", mj_str(nic, "mac"));
		if (vsw && netprefix_parse(mj_str(vsw, "cidr"), &p)) {
			len = p.len;
			mj_set_str(l, "gateway", vswitch_gateway(vsw, buf));
		}
		json_t *v6 = json_array_get(json_object_get(nic, "ipv6s"), 0);
		if (vsw && json_is_string(v6)) {
			json_t *o = json_object();
			mj_set_str(o, "address", json_string_value(v6));
			mj_set_int(o, "prefix_len", VSWITCH_IPV6_PREFIX_LEN);
			md_ipv6_gateway(vsw, buf);
			mj_set_str(o, "gateway", buf);
			json_object_set_new(l, "ipv6", o);
		}
		json_decref(vsw);
	} else {
		const struct model_region *r = model_config_region(m->cfg, region);
		mj_set_str(l, "mac", mj_str(inst, "mac"));
		if (r) {
			len = r->classic_pool.len;
			mj_set_str(l, "gateway", instance_classic_gateway(r, buf));
		}
	}
	mj_set_int(l, "prefix_len", len);
	md_netmask(len, buf);
	mj_set_str(l, "netmask", buf);
	mj_set_bool(l, "no_broadcast", !instance_carries_broadcast(inst)); /* NET-10 */
	json_decref(nic);
	json_decref(inst);
	return l;
}
