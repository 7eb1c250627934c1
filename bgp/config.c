/*
 * config.c: INI configuration for openvpc-bgpd (see config.h, docs/bgp.md).
 *
 *   [global]            asn, router-id, listen (repeatable), listen-port,
 *                       control-socket, max-neighbors, multipath, log-level,
 *                       network (repeatable)
 *   [neighbor ADDRESS]  remote-as, import, export, ... one section per neighbor
 *
 * RFC 8212: `import` and `export` have no permissive default.  A neighbor
 * without them gets none/none and a warning at start.
 */
#include "bgp/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bgp/log.h"

struct parse_ctx {
	struct bgp_file_config *cfg;
	struct bgp_neighbor_config *cur; /* the neighbor section being read */
	bool listen_seen;
	const char *section, *key; /* for error messages (libinih gives no line numbers) */
	char *err;
	size_t errlen;
	int line_err;
};

static bool parse_u32(const char *v, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return false;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end || x > max)
		return false;
	*out = (uint32_t)x;
	return true;
}

static bool parse_u16(const char *v, uint16_t *out)
{
	uint32_t x;

	if (!parse_u32(v, 0xffff, &x))
		return false;
	*out = (uint16_t)x;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
		 !strcasecmp(v, "off"))
		*out = false;
	else
		return false;
	return true;
}

/* ASN as "65001" or asdot "1.10". */
static bool parse_asn(const char *v, uint32_t *out)
{
	const char *dot = strchr(v, '.');

	if (dot) {
		char hi[8];
		uint32_t h, l;
		size_t n = (size_t)(dot - v);

		if (n == 0 || n >= sizeof(hi))
			return false;
		memcpy(hi, v, n);
		hi[n] = 0;
		if (!parse_u32(hi, 0xffff, &h) || !parse_u32(dot + 1, 0xffff, &l))
			return false;
		*out = h << 16 | l;
	} else if (!parse_u32(v, 0xffffffffu, out)) {
		return false;
	}
	return *out != 0;
}

static bool parse_addr(const char *v, uint8_t *fam, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, v, addr) == 1) {
		*fam = BGP_FAM_V4;
		return true;
	}
	if (inet_pton(AF_INET6, v, addr) == 1) {
		*fam = BGP_FAM_V6;
		return true;
	}
	return false;
}

static int fail(struct parse_ctx *pc, const char *fmt, const char *a, const char *b)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, a, b);
	if (!pc->line_err) {
		snprintf(pc->err, pc->errlen, "[%s] %s: %s", pc->section, pc->key, msg);
		pc->line_err = 1;
	}
	return 0;
}

static int global_key(struct parse_ctx *pc, const char *k, const char *v)
{
	struct bgp_file_config *c = pc->cfg;

	if (!strcmp(k, "asn")) {
		if (!parse_asn(v, &c->sp.asn))
			return fail(pc, "bad ASN '%s'%s", v, "");
	} else if (!strcmp(k, "router-id")) {
		struct in_addr a;

		if (inet_pton(AF_INET, v, &a) != 1 || a.s_addr == 0)
			return fail(pc, "bad router-id '%s'%s", v, "");
		c->sp.router_id = ntohl(a.s_addr);
	} else if (!strcmp(k, "listen")) {
		pc->listen_seen = true;
		if (!strcmp(v, "none")) {
			c->sp.n_listen = 0;
			return 1;
		}
		if (c->sp.n_listen == 4)
			return fail(pc, "at most 4 listen addresses%s%s", "", "");
		if (!parse_addr(v, &c->sp.listen[c->sp.n_listen].fam,
				c->sp.listen[c->sp.n_listen].addr))
			return fail(pc, "bad listen address '%s'%s", v, "");
		c->sp.n_listen++;
	} else if (!strcmp(k, "listen-port")) {
		if (!parse_u16(v, &c->sp.listen_port))
			return fail(pc, "bad port '%s'%s", v, "");
	} else if (!strcmp(k, "control-socket")) {
		if (strlen(v) >= sizeof(c->control_path))
			return fail(pc, "control-socket path too long%s%s", "", "");
		strcpy(c->control_path, v);
	} else if (!strcmp(k, "max-neighbors")) {
		uint32_t x;

		if (!parse_u32(v, BGP_RIB_MAX_PEERS, &x) || x == 0)
			return fail(pc, "max-neighbors must be 1..64, not '%s'%s", v, "");
		c->sp.max_neighbors = x;
	} else if (!strcmp(k, "multipath")) {
		if (!parse_bool(v, &c->sp.multipath))
			return fail(pc, "bad boolean '%s'%s", v, "");
	} else if (!strcmp(k, "log-level")) {
		static const char *const lv[] = {"error", "warn", "info", "debug"};
		int i;

		for (i = 0; i < 4 && strcmp(v, lv[i]); i++)
			;
		if (i == 4)
			return fail(pc, "bad log-level '%s'%s", v, "");
		c->log_level = i;
	} else if (!strcmp(k, "network")) {
		struct bgp_prefix p;

		if (!bgp_prefix_parse(v, &p))
			return fail(pc, "bad network '%s' (host bits set?)%s", v, "");
		if (c->n_networks == BGP_MAX_NETWORKS)
			return fail(pc, "too many networks%s%s", "", "");
		c->networks[c->n_networks++] = p;
	} else {
		return fail(pc, "unknown key '%s' in [global]%s", k, "");
	}
	return 1;
}

static int neighbor_key(struct parse_ctx *pc, const char *k, const char *v)
{
	struct bgp_neighbor_config *n = pc->cur;
	uint8_t fam;
	uint8_t a[16];

	if (!strcmp(k, "remote-as")) {
		if (!parse_asn(v, &n->remote_as))
			return fail(pc, "bad ASN '%s'%s", v, "");
	} else if (!strcmp(k, "local-as")) {
		if (!parse_asn(v, &n->local_as))
			return fail(pc, "bad ASN '%s'%s", v, "");
	} else if (!strcmp(k, "description")) {
		snprintf(n->description, sizeof(n->description), "%s", v);
	} else if (!strcmp(k, "port")) {
		if (!parse_u16(v, &n->port) || !n->port)
			return fail(pc, "bad port '%s'%s", v, "");
	} else if (!strcmp(k, "local-address")) {
		if (!parse_addr(v, &fam, n->local_addr) || fam != n->addr_fam)
			return fail(pc, "bad local-address '%s' (same family as the neighbor)%s", v,
				    "");
		n->has_local_addr = true;
	} else if (!strcmp(k, "passive")) {
		if (!parse_bool(v, &n->passive))
			return fail(pc, "bad boolean '%s'%s", v, "");
	} else if (!strcmp(k, "hold-time")) {
		if (!parse_u16(v, &n->hold_time) || n->hold_time == 1 || n->hold_time == 2)
			return fail(pc, "hold-time must be 0 or >= 3, not '%s'%s", v, "");
	} else if (!strcmp(k, "keepalive")) {
		if (!parse_u16(v, &n->keepalive))
			return fail(pc, "bad keepalive '%s'%s", v, "");
	} else if (!strcmp(k, "connect-retry")) {
		if (!parse_u16(v, &n->connect_retry) || !n->connect_retry)
			return fail(pc, "bad connect-retry '%s'%s", v, "");
	} else if (!strcmp(k, "idle-hold-time")) {
		if (!parse_u16(v, &n->idle_hold))
			return fail(pc, "bad idle-hold-time '%s'%s", v, "");
	} else if (!strcmp(k, "md5-password")) {
		if (strlen(v) > 80)
			return fail(pc, "md5-password longer than 80 bytes%s%s", "", "");
		strcpy(n->md5_key, v);
	} else if (!strcmp(k, "import")) {
		if (!strcmp(v, "accept"))
			n->import_accept = true;
		else if (!strcmp(v, "none"))
			n->import_accept = false;
		else
			return fail(pc, "import must be 'accept' or 'none', not '%s'%s", v, "");
	} else if (!strcmp(k, "export")) {
		if (!strcmp(v, "networks"))
			n->export_networks = true;
		else if (!strcmp(v, "none"))
			n->export_networks = false;
		else
			return fail(pc, "export must be 'networks' or 'none', not '%s'%s", v, "");
	} else if (!strcmp(k, "max-prefixes")) {
		if (!parse_u32(v, 0xffffffffu, &n->max_prefixes))
			return fail(pc, "bad max-prefixes '%s'%s", v, "");
	} else if (!strcmp(k, "max-prefixes-action")) {
		if (!strcmp(v, "keep-first"))
			n->limit_action = BGP_LIMIT_KEEP_FIRST;
		else if (!strcmp(v, "teardown"))
			n->limit_action = BGP_LIMIT_TEARDOWN;
		else
			return fail(
			    pc, "max-prefixes-action must be keep-first or teardown, not '%s'%s", v,
			    "");
	} else if (!strcmp(k, "max-output-queue")) {
		if (!parse_u32(v, 1u << 30, &n->max_output_queue) ||
		    n->max_output_queue < BGP_MIN_MAX_OUTQ)
			return fail(pc,
				    "max-output-queue must be 65536..1073741824 bytes, not '%s'%s",
				    v, "");
	} else if (!strcmp(k, "max-prefixes-restart")) {
		if (!parse_u32(v, 86400, &n->limit_restart))
			return fail(pc, "bad max-prefixes-restart '%s'%s", v, "");
	} else if (!strcmp(k, "families")) {
		char buf[64], *save = NULL, *tok;

		snprintf(buf, sizeof(buf), "%s", v);
		n->fam[BGP_FAM_V4] = n->fam[BGP_FAM_V6] = false;
		for (tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
			if (!strcmp(tok, "ipv4"))
				n->fam[BGP_FAM_V4] = true;
			else if (!strcmp(tok, "ipv6"))
				n->fam[BGP_FAM_V6] = true;
			else
				return fail(pc, "unknown family '%s'%s", tok, "");
		}
	} else if (!strcmp(k, "four-octet-as")) {
		if (!parse_bool(v, &n->as4))
			return fail(pc, "bad boolean '%s'%s", v, "");
	} else if (!strcmp(k, "graceful-restart")) {
		if (!parse_bool(v, &n->graceful_restart))
			return fail(pc, "bad boolean '%s'%s", v, "");
	} else if (!strcmp(k, "graceful-restart-time")) {
		if (!parse_u16(v, &n->gr_time) || n->gr_time > 4095)
			return fail(pc, "graceful-restart-time must be 0..4095, not '%s'%s", v, "");
	} else if (!strcmp(k, "stale-time")) {
		if (!parse_u16(v, &n->stale_time))
			return fail(pc, "bad stale-time '%s'%s", v, "");
	} else if (!strcmp(k, "enhanced-route-refresh")) {
		if (!parse_bool(v, &n->enhanced_rr))
			return fail(pc, "bad boolean '%s'%s", v, "");
	} else if (!strcmp(k, "next-hop")) {
		if (!parse_addr(v, &fam, a) || fam != BGP_FAM_V4)
			return fail(pc, "next-hop must be an IPv4 address, not '%s'%s", v, "");
		memcpy(n->nexthop4, a, 4);
		n->has_nexthop4 = true;
	} else if (!strcmp(k, "next-hop6")) {
		if (!parse_addr(v, &fam, a) || fam != BGP_FAM_V6)
			return fail(pc, "next-hop6 must be an IPv6 address, not '%s'%s", v, "");
		memcpy(n->nexthop6, a, 16);
		n->has_nexthop6 = true;
	} else if (!strcmp(k, "local-pref")) {
		if (!parse_u32(v, 0xffffffffu, &n->local_pref))
			return fail(pc, "bad local-pref '%s'%s", v, "");
	} else if (!strcmp(k, "med")) {
		if (!parse_u32(v, 0xffffffffu, &n->med))
			return fail(pc, "bad med '%s'%s", v, "");
		n->has_med = true;
	} else {
		return fail(pc, "unknown key '%s' in a neighbor section%s", k, "");
	}
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *pc = user;

	if (pc->line_err)
		return 0;
	pc->section = section;
	pc->key = name ? name : "";
	if (!name) {
		/* A new section (inih calls with NULL name when INI_CALL_HANDLER_ON_NEW_SECTION).
		 */
		return 1;
	}
	if (!strcmp(section, "global"))
		return global_key(pc, name, value);
	if (!strncmp(section, "neighbor ", 9)) {
		const char *addr = section + 9;
		struct bgp_file_config *c = pc->cfg;
		uint8_t fam, a[16];

		if (!parse_addr(addr, &fam, a))
			return fail(pc, "bad neighbor address '%s'%s", addr, "");
		if (!pc->cur || pc->cur->addr_fam != fam || memcmp(pc->cur->addr, a, 16) != 0) {
			pc->cur = NULL;
			for (unsigned i = 0; i < c->n_nbrs; i++)
				if (c->nbrs[i].addr_fam == fam && !memcmp(c->nbrs[i].addr, a, 16))
					pc->cur = &c->nbrs[i];
			if (!pc->cur) {
				if (c->n_nbrs == BGP_RIB_MAX_PEERS)
					return fail(pc, "too many neighbors%s%s", "", "");
				pc->cur = &c->nbrs[c->n_nbrs++];
				bgp_neighbor_config_defaults(pc->cur);
				pc->cur->addr_fam = fam;
				memcpy(pc->cur->addr, a, 16);
			}
		}
		return neighbor_key(pc, name, value);
	}
	return fail(pc, "unknown section [%s]%s", section, "");
}

int bgp_config_parse(const char *text, struct bgp_file_config *out, char *err, size_t errlen)
{
	struct parse_ctx pc = {.cfg = out, .err = err, .errlen = errlen};
	int rc;

	memset(out, 0, sizeof(*out));
	bgp_speaker_config_defaults(&out->sp);
	out->log_level = BGP_LOG_INFO;
	snprintf(out->control_path, sizeof(out->control_path), "/run/openvpc-bgpd.sock");
	if (errlen)
		err[0] = 0;
	rc = ini_parse_string(text, handler, &pc);
	if (pc.line_err)
		return -1;
	if (rc != 0) {
		snprintf(err, errlen, "line %d: syntax error", rc);
		return -1;
	}
	if (out->sp.router_id == 0) {
		snprintf(err, errlen, "[global] router-id is required");
		return -1;
	}
	if (!pc.listen_seen) {
		/* No listen line at all: every IPv4 and IPv6 address. */
		out->sp.n_listen = 1;
		out->sp.listen[0].fam = BGP_FAM_V6;
		memset(out->sp.listen[0].addr, 0, 16);
	}
	for (unsigned i = 0; i < out->n_nbrs; i++) {
		if (!out->nbrs[i].remote_as) {
			char a[64];

			inet_ntop(out->nbrs[i].addr_fam == BGP_FAM_V4 ? AF_INET : AF_INET6,
				  out->nbrs[i].addr, a, sizeof(a));
			snprintf(err, errlen, "[neighbor %s]: remote-as is required", a);
			return -1;
		}
	}
	if (out->n_nbrs > out->sp.max_neighbors) {
		snprintf(err, errlen, "%u neighbors configured, max-neighbors is %u", out->n_nbrs,
			 out->sp.max_neighbors);
		return -1;
	}
	return 0;
}

int bgp_config_load(const char *path, struct bgp_file_config *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	long size;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (size < 0 || size > 1 << 20) {
		fclose(f);
		snprintf(err, errlen, "%s: too large", path);
		return -1;
	}
	text = malloc((size_t)size + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	text[fread(text, 1, (size_t)size, f)] = 0;
	fclose(f);
	rc = bgp_config_parse(text, out, err, errlen);
	free(text);
	return rc;
}
