/*
 * act_dp: openvpc's data-plane actions (Version 2026-01-01): whether the
 * data plane runs, the counters and drops of ENIs and the hits of
 * security-group rules, the connection-tracking entries of an ENI, and
 * TracePacket, which runs the very program that forwards on a packet built
 * from the parameters, in the mode that records every decision and writes
 * no state (dp/dp.h "trace").  An account sees only its own ENIs and groups.
 *
 * The daemon hands the host's data plane over with act_dp_set() before the
 * server starts; NULL means off, with the reason it gives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/dpsync.h"
#include "api/act_dp.h"
#include "api/api.h"
#include "api/server-private.h"

static struct dpsync *act_dp;
static char act_dp_reason[256] = "not started";

void act_dp_set(struct dpsync *dp, const char *reason)
{
	act_dp = dp;
	snprintf(act_dp_reason, sizeof(act_dp_reason), "%s", reason ? reason : "");
}

static const char *const act_dp_drop_desc[] = {
#define DP_X(n, d) d,
    DP_DROPS(DP_X)
#undef DP_X
};
static const char *const act_dp_drop_name[] = {
#define DP_X(n, d) #n,
    DP_DROPS(DP_X)
#undef DP_X
};
static const char *const act_dp_stage_desc[] = {
#define DP_X(n, d) d,
    DP_STAGES(DP_X)
#undef DP_X
};

static int act_dp_need(struct api_req *r)
{
	if (!act_dp)
		return merrf(r->m, MERR_DP_OFF, "The data plane is not running on this host: %s.",
			     act_dp_reason);
	return 0;
}

/* The caller's NIC by NetworkInterfaceId: an ENI, or a classic instance,
 * which is its own NIC (NET-9).  The document is shaped for the trace's
 * defaults ("primary_ip", "ipv6s"). */
static json_t *act_dp_owned(struct api_req *r, const char *id)
{
	/* The operator names any account's NIC: its owner is the data plane's
	 * to tell (other callers find only their own, G-1). */
	if (!r->m->admin || !act_dp)
		return NULL;
	json_t *all = dpsync_enis(act_dp, 0), *doc = NULL, *x;
	size_t i;
	json_array_foreach(all, i, x)
	{
		if (strcmp(mj_str(x, "id"), id) == 0) {
			doc = m_get_owned(r->m, (uint64_t)mj_int(x, "owner"), id);
			break;
		}
	}
	json_decref(all);
	return doc;
}

static json_t *act_dp_eni(struct api_req *r, const char *id)
{
	json_t *o = act_dp_owned(r, id);
	if (o) {
		if (strncmp(id, "i-", 2) == 0)
			mj_set_str(o, "primary_ip", mj_str(o, "private_ip"));
		return o;
	}
	if (strncmp(id, "i-", 2) == 0) {
		json_t *i = m_need_kind(r->m, id, "i", MERR_ENI_NOT_FOUND);
		if (i && strcmp(mj_str(i, "network"), "classic") != 0) {
			json_decref(i);
			merrf(r->m, MERR_ENI_NOT_FOUND,
			      "%.64s is a VPC instance: name its network interface.", id);
			return NULL;
		}
		if (i)
			mj_set_str(i, "primary_ip", mj_str(i, "private_ip"));
		return i;
	}
	return m_need_kind(r->m, id, "eni", MERR_ENI_NOT_FOUND);
}

static int act_describe_dataplane(struct api_req *r)
{
	jo_bool(r->out, "Enabled", act_dp != NULL);
	jo_str(r->out, "Reason", act_dp ? "" : act_dp_reason);
	jo_str(r->out, "Prefix", act_dp ? dpsync_prefix(act_dp) : "");
	jo_str(r->out, "Backend", act_dp ? dpsync_backend(act_dp) : "");
	if (act_dp) {
		struct dpsync_stats st;
		dpsync_get_stats(act_dp, &st);
		jo_int(r->out, "NetworkInterfaces", st.nics);
		jo_int(r->out, "FirstSyncMicroseconds", (int64_t)st.first_sync_us);
		jo_int(r->out, "FirstSyncNetworkInterfaces", st.first_sync_nics);
		jo_int(r->out, "Applies", (int64_t)st.applies);
		jo_int(r->out, "ApplyP50Microseconds", (int64_t)st.apply_p50_us);
		jo_int(r->out, "ApplyP99Microseconds", (int64_t)st.apply_p99_us);
		jo_int(r->out, "ApplyMaxMicroseconds", (int64_t)st.apply_max_us);
	}
	return 0;
}

/* The ENIs a listing covers: the one named, or all of the caller's. */
static json_t *act_dp_targets(struct api_req *r)
{
	const char *id = arg_opt(r, "NetworkInterfaceId");
	json_t *all = dpsync_enis(act_dp, r->m->admin ? 0 : r->m->caller);
	if (!id)
		return all;
	json_t *e = act_dp_eni(r, id);
	if (!e) {
		json_decref(all);
		return NULL;
	}
	json_decref(e);
	json_t *one = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(all, i, x)
	{
		if (strcmp(mj_str(x, "id"), id) == 0)
			json_array_append(one, x);
	}
	json_decref(all);
	if (json_array_size(one) == 0) {
		json_decref(one);
		merrf(r->m, MERR_DP_NOT_PROGRAMMED,
		      "The network interface %s is not attached to an instance on this host.", id);
		return NULL;
	}
	return one;
}

static int act_describe_eni_counters(struct api_req *r)
{
	json_t *t;
	if (act_dp_need(r) < 0 || !(t = act_dp_targets(r)))
		return -1;
	json_t *list = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(t, i, x)
	{
		json_t *c = dpsync_counters(act_dp, mj_str(x, "id"));
		if (!c)
			continue;
		json_t *o = json_object();
		jo_str(o, "NetworkInterfaceId", mj_str(x, "id"));
		jo_str(o, "InstanceId", mj_str(x, "instance_id"));
		static const struct {
			const char *k, *p, *b;
		} f[] = {{"TX", "TxPackets", "TxBytes"},
			 {"RX", "RxPackets", "RxBytes"},
			 {"ARP", "ArpPackets", "ArpBytes"},
			 {"DROP", "DropPackets", "DropBytes"}};
		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			json_t *pb = json_object_get(c, f[k].k);
			jo_int(o, f[k].p, json_integer_value(json_array_get(pb, 0)));
			jo_int(o, f[k].b, json_integer_value(json_array_get(pb, 1)));
		}
		json_array_append_new(list, o);
		json_decref(c);
	}
	json_decref(t);
	json_object_set_new(r->out, "Counters", json_pack("{s:o}", "Counter", list));
	return 0;
}

static int act_describe_drops(struct api_req *r)
{
	json_t *t;
	if (act_dp_need(r) < 0 || !(t = act_dp_targets(r)))
		return -1;
	json_t *list = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(t, i, x)
	{
		json_t *d = dpsync_drops(act_dp, mj_str(x, "id"));
		if (!d)
			continue;
		for (uint32_t k = 1; k < DP_DROP_MAX; k++) {
			json_t *pb = json_object_get(d, act_dp_drop_name[k]);
			if (!pb)
				continue;
			json_t *o = json_object();
			jo_str(o, "NetworkInterfaceId", mj_str(x, "id"));
			jo_str(o, "Reason", act_dp_drop_name[k]);
			jo_str(o, "Description", act_dp_drop_desc[k]);
			jo_int(o, "Packets", json_integer_value(json_array_get(pb, 0)));
			jo_int(o, "Bytes", json_integer_value(json_array_get(pb, 1)));
			json_array_append_new(list, o);
		}
		json_decref(d);
	}
	json_decref(t);
	json_object_set_new(r->out, "Drops", json_pack("{s:o}", "Drop", list));
	return 0;
}

static int act_describe_rule_counters(struct api_req *r)
{
	if (act_dp_need(r) < 0)
		return -1;
	const char *sg = arg_opt(r, "SecurityGroupId");
	if (sg && !r->m->admin) {
		json_t *g = m_need_kind(r->m, sg, "sg", MERR_SG_NOT_FOUND);
		if (!g)
			return -1;
		json_decref(g);
	}
	json_t *all = dpsync_rule_counters(act_dp, r->m->caller, sg);
	json_t *list = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(all, i, x)
	{
		/* Only the caller's groups (the operator: everyone's). */
		if (!r->m->admin) {
			json_t *g = m_get(r->m, mj_str(x, "sg"));
			if (!g)
				continue;
			json_decref(g);
		}
		json_t *o = json_object();
		jo_str(o, "SecurityGroupId", mj_str(x, "sg"));
		jo_str(o, "SecurityGroupRuleId", mj_str(x, "rule"));
		jo_int(o, "Packets", mj_int(x, "packets"));
		jo_int(o, "Bytes", mj_int(x, "bytes"));
		json_array_append_new(list, o);
	}
	json_decref(all);
	json_object_set_new(r->out, "Rules", json_pack("{s:o}", "Rule", list));
	return 0;
}

static int act_describe_flows(struct api_req *r)
{
	const char *id;
	if (act_dp_need(r) < 0 || arg_need(r, "NetworkInterfaceId", &id) < 0)
		return -1;
	json_t *e = act_dp_eni(r, id);
	if (!e)
		return -1;
	json_decref(e);
	json_t *f = dpsync_flows(act_dp, id);
	if (!f)
		return merrf(
		    r->m, MERR_DP_NOT_PROGRAMMED,
		    "The network interface %s is not attached to an instance on this host.", id);
	json_t *list = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(f, i, x)
	{
		json_t *o = json_object();
		jo_str(o, "Protocol", mj_str(x, "proto"));
		jo_str(o, "SourceIp", mj_str(x, "src"));
		jo_int(o, "SourcePort", mj_int(x, "sport"));
		jo_str(o, "DestinationIp", mj_str(x, "dst"));
		jo_int(o, "DestinationPort", mj_int(x, "dport"));
		jo_str(o, "State", mj_str(x, "state"));
		jo_str(o, "Direction", mj_str(x, "direction"));
		jo_int(o, "Packets", mj_int(x, "packets"));
		jo_int(o, "Bytes", mj_int(x, "bytes"));
		jo_str(o, "PeerNetworkInterfaceId", mj_str(x, "peer"));
		json_array_append_new(list, o);
	}
	json_decref(f);
	json_object_set_new(r->out, "Flows", json_pack("{s:o}", "Flow", list));
	return 0;
}

/* --- TracePacket ------------------------------------------------------------ */

static uint16_t act_dp_csum(const void *p, size_t n, uint32_t s)
{
	const uint8_t *b = p;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

struct act_dp_pkt {
	const char *proto;
	struct netaddr src, dst;
	int64_t sport, dport, ttl;
	uint8_t tcp_flags;
	uint8_t mac[6];
};

/* Builds the Ethernet frame the ENI would send; returns its length. */
static size_t act_dp_frame(const struct act_dp_pkt *k, uint8_t *f)
{
	static const uint8_t gw[6] = DP_GW_MAC;
	memset(f, 0, 128);
	memcpy(f, gw, 6);
	memcpy(f + 6, k->mac, 6);
	bool v6 = k->dst.family == NETADDR_V6;
	uint8_t s16[16], d16[16];
	memset(s16, 0, 16);
	memset(d16, 0, 16);
	if (!v6) {
		uint32_t a = htonl((uint32_t)k->src.lo), b = htonl((uint32_t)k->dst.lo);
		memcpy(s16, &a, 4);
		memcpy(d16, &b, 4);
	} else {
		for (int i = 0; i < 8; i++) {
			s16[i] = (uint8_t)(k->src.hi >> (56 - 8 * i));
			s16[8 + i] = (uint8_t)(k->src.lo >> (56 - 8 * i));
			d16[i] = (uint8_t)(k->dst.hi >> (56 - 8 * i));
			d16[8 + i] = (uint8_t)(k->dst.lo >> (56 - 8 * i));
		}
	}
	if (strcmp(k->proto, "arp") == 0) {
		static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
		memcpy(f, bc, 6);
		f[12] = 0x08, f[13] = 0x06;
		uint8_t *a = f + 14;
		a[0] = 0, a[1] = 1, a[2] = 0x08, a[3] = 0, a[4] = 6, a[5] = 4, a[6] = 0, a[7] = 1;
		memcpy(a + 8, k->mac, 6);
		memcpy(a + 14, s16, 4);
		memcpy(a + 24, d16, 4);
		return 14 + 28 + 18; /* padded to the Ethernet minimum */
	}
	uint8_t proto = strcmp(k->proto, "tcp") == 0	? 6
			: strcmp(k->proto, "udp") == 0	? 17
			: strcmp(k->proto, "icmp") == 0 ? 1
							: 58;
	size_t l4len = proto == 6 ? 20 : 8;
	uint8_t *l4;
	if (!v6) {
		f[12] = 0x08, f[13] = 0x00;
		uint8_t *ip = f + 14;
		ip[0] = 0x45;
		uint16_t tot = (uint16_t)(20 + l4len);
		ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot;
		ip[6] = 0x40; /* DF */
		ip[8] = (uint8_t)k->ttl;
		ip[9] = proto;
		memcpy(ip + 12, s16, 4);
		memcpy(ip + 16, d16, 4);
		uint16_t c = act_dp_csum(ip, 20, 0);
		ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
		l4 = ip + 20;
	} else {
		f[12] = 0x86, f[13] = 0xdd;
		uint8_t *ip = f + 14;
		ip[0] = 0x60;
		ip[4] = (uint8_t)(l4len >> 8), ip[5] = (uint8_t)l4len;
		ip[6] = proto;
		ip[7] = (uint8_t)k->ttl;
		memcpy(ip + 8, s16, 16);
		memcpy(ip + 24, d16, 16);
		l4 = ip + 40;
	}
	if (proto == 6 || proto == 17) {
		l4[0] = (uint8_t)(k->sport >> 8), l4[1] = (uint8_t)k->sport;
		l4[2] = (uint8_t)(k->dport >> 8), l4[3] = (uint8_t)k->dport;
		if (proto == 6) {
			l4[12] = 0x50;
			l4[13] = k->tcp_flags;
			l4[14] = 0xff, l4[15] = 0xff;
		} else {
			l4[5] = 8;
		}
	} else {
		l4[0] = proto == 1 ? 8 : 128; /* echo request */
		l4[4] = (uint8_t)(k->sport >> 8), l4[5] = (uint8_t)k->sport;
		l4[7] = 1;
	}
	size_t len = (size_t)(l4 - f) + l4len;
	return len < 60 ? 60 : len;
}

static uint8_t act_dp_flags(const char *s, bool *ok)
{
	*ok = true;
	if (!s)
		return 0x02;
	uint8_t f = 0;
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok(buf, ",|+ "); t; t = strtok(NULL, ",|+ ")) {
		if (!strcasecmp(t, "SYN"))
			f |= 0x02;
		else if (!strcasecmp(t, "ACK"))
			f |= 0x10;
		else if (!strcasecmp(t, "FIN"))
			f |= 0x01;
		else if (!strcasecmp(t, "RST"))
			f |= 0x04;
		else if (!strcasecmp(t, "PSH"))
			f |= 0x08;
		else
			*ok = false;
	}
	return f;
}

static void act_dp_step(json_t *steps, const struct dp_trace_ev *ev)
{
	json_t *o = json_object();
	const char *stage = ev->stage < DP_STAGE_MAX ? act_dp_stage_desc[ev->stage] : "?";
	char res[160] = "", det[200] = "";
	switch (ev->stage) {
	case DP_STAGE_PARSE:
		snprintf(res, sizeof(res), "%s",
			 ev->result ? act_dp_drop_desc[ev->result % DP_DROP_MAX] : "ok");
		snprintf(det, sizeof(det), "ethertype 0x%04x, IPv%u, protocol %u", ev->a, ev->b,
			 ev->c);
		break;
	case DP_STAGE_ENI:
		snprintf(res, sizeof(res), "%s", ev->result & DP_ENI_UP ? "up" : "down");
		snprintf(det, sizeof(det), "ENI index %u, network %u, route table %u", ev->a, ev->b,
			 ev->c);
		break;
	case DP_STAGE_PORTSEC:
		snprintf(res, sizeof(res), "%s",
			 ev->result   ? act_dp_drop_desc[ev->result % DP_DROP_MAX]
			 : ev->a == 2 ? "source routed to this ENI by a custom route"
				      : "source address and MAC are the ENI's");
		break;
	case DP_STAGE_ARP:
	case DP_STAGE_ND:
		snprintf(res, sizeof(res), "%s",
			 ev->result ? "answered with the network's MAC"
				    : "unknown address: not answered");
		snprintf(det, sizeof(det), "holder ENI index %u", ev->b);
		break;
	case DP_STAGE_CT:
		if (ev->b == 0 && ev->c == 0 && ev->result == 0)
			snprintf(res, sizeof(res), "no entry: a new flow");
		else
			snprintf(res, sizeof(res), "entry (%s direction), %s",
				 ev->a ? "reply" : "original",
				 ev->b ? "decision current" : "decision stale: decided again");
		break;
	case DP_STAGE_ROUTE:
		snprintf(res, sizeof(res), "%s",
			 ev->c			     ? act_dp_drop_desc[ev->c % DP_DROP_MAX]
			 : ev->result == DP_RT_ENI   ? "custom route to an ENI"
			 : ev->result == DP_RT_LOCAL ? "system route: a vSwitch of the VPC"
						     : "delivered by address");
		snprintf(det, sizeof(det), "table %u, destination ENI index %u", ev->a, ev->b);
		break;
	case DP_STAGE_DELIVER:
		snprintf(res, sizeof(res), "%s", ev->result & DP_ENI_UP ? "up" : "down or unknown");
		snprintf(det, sizeof(det), "ENI index %u, device %u", ev->a, ev->b);
		break;
	case DP_STAGE_SG_EGRESS:
	case DP_STAGE_SG_INGRESS: {
		static const char *const r4[] = {"?", "accepted by a rule", "dropped by a rule",
						 "same group, InnerAccessPolicy Accept",
						 "no rule matched (default)"};
		snprintf(res, sizeof(res), "%s", r4[ev->result < 5 ? ev->result : 0]);
		snprintf(det, sizeof(det), "ENI index %u, rule counter %u", ev->a, ev->b);
		break;
	}
	case DP_STAGE_TTL:
		snprintf(res, sizeof(res), "%s", ev->result ? "expired" : "decremented (routed)");
		snprintf(det, sizeof(det), "TTL %u", ev->a);
		break;
	case DP_STAGE_FORWARD:
		snprintf(res, sizeof(res), "%s",
			 ev->result ? "bpf_redirect to a TAP"
				    : "bpf_redirect_peer into the instance");
		snprintf(det, sizeof(det), "device %u", ev->a);
		break;
	case DP_STAGE_GATEWAY:
		snprintf(res, sizeof(res), "echo request answered by the gateway");
		break;
	case DP_STAGE_DROP:
		snprintf(res, sizeof(res), "%s", act_dp_drop_desc[ev->result % DP_DROP_MAX]);
		snprintf(det, sizeof(det), "reason %s", act_dp_drop_name[ev->result % DP_DROP_MAX]);
		break;
	}
	jo_str(o, "Stage", stage);
	jo_str(o, "Result", res);
	jo_str(o, "Detail", det);
	json_array_append_new(steps, o);
}

static int act_trace_packet(struct api_req *r)
{
	const char *id, *dst, *proto = arg_opt(r, "Protocol");
	if (act_dp_need(r) < 0 || arg_need(r, "NetworkInterfaceId", &id) < 0 ||
	    arg_need(r, "DestinationIp", &dst) < 0)
		return -1;
	json_t *e = act_dp_eni(r, id);
	if (!e)
		return -1;
	struct act_dp_pkt k = {.proto = proto ? proto : "tcp"};
	const char *src = arg_opt(r, "SourceIp");
	int rc = 0;
	if (!netaddr_parse(dst, &k.dst))
		rc = merrf(r->m, MERR_INVALID_PARAMETER, "DestinationIp %.64s is not an address.",
			   dst);
	else if (!src) {
		const char *p = mj_str(e, "primary_ip");
		if (k.dst.family == NETADDR_V6) {
			json_t *v6 = json_array_get(json_object_get(e, "ipv6s"), 0);
			p = v6 ? json_string_value(v6) : "::";
		}
		netaddr_parse(p, &k.src);
	} else if (!netaddr_parse(src, &k.src) || k.src.family != k.dst.family)
		rc = merrf(r->m, MERR_INVALID_PARAMETER,
			   "SourceIp %.64s is not an address of DestinationIp's family.", src);
	json_decref(e);
	if (rc < 0)
		return -1;
	if (strcmp(k.proto, "tcp") && strcmp(k.proto, "udp") && strcmp(k.proto, "icmp") &&
	    strcmp(k.proto, "icmpv6") && strcmp(k.proto, "arp"))
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "Protocol must be tcp, udp, icmp, icmpv6 or arp, not %.32s.", k.proto);
	if ((!strcmp(k.proto, "arp") || !strcmp(k.proto, "icmp")) && k.dst.family != NETADDR_V4)
		return merrf(r->m, MERR_INVALID_PARAMETER, "Protocol %s needs IPv4 addresses.",
			     k.proto);
	if (!strcmp(k.proto, "icmpv6") && k.dst.family != NETADDR_V6)
		return merr(r->m, MERR_INVALID_PARAMETER);
	bool ok;
	k.tcp_flags = act_dp_flags(arg_opt(r, "TcpFlags"), &ok);
	if (!ok)
		return merrf(r->m, MERR_INVALID_PARAMETER,
			     "TcpFlags is a list of SYN, ACK, FIN, RST, PSH.");
	if (arg_int(r, "SourcePort", 40000, 0, 65535, &k.sport) < 0 ||
	    arg_int(r, "DestinationPort", 80, 0, 65535, &k.dport) < 0 ||
	    arg_int(r, "Ttl", 64, 0, 255, &k.ttl) < 0)
		return -1;
	if (!dpsync_eni_mac(act_dp, id, k.mac))
		return merrf(
		    r->m, MERR_DP_NOT_PROGRAMMED,
		    "The network interface %s is not attached to an instance on this host.", id);
	uint8_t frame[128];
	size_t len = act_dp_frame(&k, frame);
	struct dpload_trace_out out;
	char to[32];
	rc = dpsync_trace(act_dp, id, frame, len, &out, to);
	if (rc < 0)
		return merrf(r->m, MERR_INTERNAL, "The trace run failed: %s.", strerror(-rc));
	const char *verdict = out.verdict == DP_VERDICT_FORWARD ? "Forward"
			      : out.verdict == DP_VERDICT_REPLY ? "Reply"
								: "Drop";
	jo_str(r->out, "Verdict", verdict);
	jo_str(r->out, "DropReason",
	       out.verdict == DP_VERDICT_DROP ? act_dp_drop_name[out.reason % DP_DROP_MAX] : "");
	jo_str(r->out, "DropDescription",
	       out.verdict == DP_VERDICT_DROP ? act_dp_drop_desc[out.reason % DP_DROP_MAX] : "");
	jo_str(r->out, "DeliverTo", out.verdict == DP_VERDICT_FORWARD ? to : "");
	json_t *steps = json_array();
	for (uint32_t i = 0; i < out.trace.n && i < DP_TRACE_MAX; i++)
		act_dp_step(steps, &out.trace.ev[i]);
	json_object_set_new(r->out, "Steps", json_pack("{s:o}", "Step", steps));
	return 0;
}

const struct api_action api_actions_dp[] = {
    {API_VERSION_OPS, "DescribeDataPlane", act_describe_dataplane, 0},
    {API_VERSION_OPS, "DescribeEniCounters", act_describe_eni_counters, 0},
    {API_VERSION_OPS, "DescribeDrops", act_describe_drops, 0},
    {API_VERSION_OPS, "DescribeRuleCounters", act_describe_rule_counters, 0},
    {API_VERSION_OPS, "DescribeFlows", act_describe_flows, 0},
    {API_VERSION_OPS, "TracePacket", act_trace_packet, 0},
    {0},
};
