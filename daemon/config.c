/*
 * config: see config.h.  Parsed with libinih; each [region ID] or
 * [instance_type NAME] section adds one entry and the first such section
 * replaces the built-in list.
 */
#include "daemon/config.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct dconf_parse {
	struct dconf *c;
	bool regions_reset, itypes_reset;
	char err[256];
};

static bool dconf_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes"))
		*out = true;
	else if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no"))
		*out = false;
	else
		return false;
	return true;
}

static bool dconf_uint(const char *v, long long max, unsigned *out)
{
	char *end;
	long long n = strtoll(v, &end, 10);
	if (*v == '\0' || *end || n < 0 || n > max)
		return false;
	*out = (unsigned)n;
	return true;
}

static struct model_region *dconf_region(struct dconf_parse *p, const char *id)
{
	struct model_config *mc = &p->c->model;
	if (!p->regions_reset) {
		p->regions_reset = true;
		mc->n_regions = 0;
	}
	for (size_t i = 0; i < mc->n_regions; i++)
		if (!strcmp(mc->regions[i].id, id))
			return &mc->regions[i];
	if (mc->n_regions == MODEL_MAX_REGIONS)
		return NULL;
	struct model_region *r = &mc->regions[mc->n_regions++];
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	snprintf(r->name, sizeof(r->name), "%s", id);
	r->classic_offered = true;
	netprefix_parse("10.240.0.0/16", &r->classic_pool);
	netprefix_parse("198.18.0.0/20", &r->public_pool);
	netprefix_parse("2001:db8::/32", &r->ipv6_pool);
	return r;
}

static struct model_itype *dconf_itype(struct dconf_parse *p, const char *name)
{
	struct model_config *mc = &p->c->model;
	if (!p->itypes_reset) {
		p->itypes_reset = true;
		mc->n_itypes = 0;
	}
	for (size_t i = 0; i < mc->n_itypes; i++)
		if (!strcmp(mc->itypes[i].name, name))
			return &mc->itypes[i];
	if (mc->n_itypes == MODEL_MAX_ITYPES)
		return NULL;
	struct model_itype *t = &mc->itypes[mc->n_itypes++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	const char *dot = strrchr(name, '.');
	snprintf(t->family, sizeof(t->family), "%.*s", dot ? (int)(dot - name) : (int)strlen(name),
		 name);
	t->eni_max = 1;
	t->ips_per_eni = 1;
	t->queues_max = 1;
	t->internal_bw_mbps = 1000;
	t->cpu = 1;
	t->memory_gib = 1;
	return t;
}

static bool dconf_zones(struct model_region *r, const char *v)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", v);
	r->n_zones = 0;
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		char *end = tok + strlen(tok);
		while (end > tok && end[-1] == ' ')
			*--end = '\0';
		if (!*tok || r->n_zones == MODEL_MAX_ZONES)
			return false;
		struct model_zone *z = &r->zones[r->n_zones++];
		snprintf(z->id, sizeof(z->id), "%s", tok);
		snprintf(z->name, sizeof(z->name), "%s", tok);
	}
	return r->n_zones > 0;
}

bool dconf_dp_mode(const char *v, enum dconf_dp *out)
{
	if (!strcmp(v, "auto"))
		*out = DCONF_DP_AUTO;
	else if (!strcmp(v, "on"))
		*out = DCONF_DP_ON;
	else if (!strcmp(v, "off"))
		*out = DCONF_DP_OFF;
	else
		return false;
	return true;
}

static int dconf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct dconf_parse *p = user;
	struct dconf *c = p->c;
	bool ok = true;
	unsigned u;
	if (!strcmp(section, "server")) {
		if (!strcmp(name, "listen"))
			snprintf(c->listen, sizeof(c->listen), "%s", value);
		else if (!strcmp(name, "threads"))
			ok = dconf_uint(value, 256, &c->threads) && c->threads > 0;
		else if (!strcmp(name, "data_dir"))
			snprintf(c->data_dir, sizeof(c->data_dir), "%s", value);
		else if (!strcmp(name, "log_level"))
			ok = dconf_uint(value, 3, &u) && ((c->log_level = (int)u), true);
		else
			ok = false;
	} else if (!strcmp(section, "clock")) {
		if (!strcmp(name, "mode") && (!strcmp(value, "real") || !strcmp(value, "test")))
			c->test_clock = !strcmp(value, "test");
		else
			ok = false;
	} else if (!strcmp(section, "agent")) {
		if (!strcmp(name, "settle_delay_ms"))
			ok = dconf_uint(value, 60000, &u) && ((c->settle_delay_ms = (int)u), true);
		else
			ok = false;
	} else if (!strcmp(section, "dataplane")) {
		if (!strcmp(name, "mode"))
			ok = dconf_dp_mode(value, &c->dataplane);
		else if (!strcmp(name, "prefix") && *value && strlen(value) <= 5 &&
			 strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(value))
			snprintf(c->dp_prefix, sizeof(c->dp_prefix), "%s", value);
		else if (!strcmp(name, "instance_backend") &&
			 (!strcmp(value, "netns") || !strcmp(value, "tap")))
			c->dp_tap = !strcmp(value, "tap");
		else
			ok = false;
	} else if (!strcmp(section, "quota")) {
		int q = model_quota_by_name(name);
		ok = q >= 0 && dconf_uint(value, 1 << 30, &u);
		if (ok)
			c->model.quota_default[q] = u;
	} else if (!strcmp(section, "timing")) {
		ok = dconf_uint(value, 1 << 30, &u);
		if (ok && !strcmp(name, "ip_change_window_s"))
			c->model.timing.ip_change_window = u;
		else if (ok && !strcmp(name, "expiry_guard_s"))
			c->model.timing.expiry_guard = u;
		else if (ok && !strcmp(name, "migration_duration_s"))
			c->model.timing.migration_duration = u;
		else
			ok = false;
	} else if (!strncmp(section, "region ", 7)) {
		struct model_region *r = dconf_region(p, section + 7);
		if (!r)
			ok = false;
		else if (!strcmp(name, "name"))
			snprintf(r->name, sizeof(r->name), "%s", value);
		else if (!strcmp(name, "zones"))
			ok = dconf_zones(r, value);
		else if (!strcmp(name, "classic"))
			ok = dconf_bool(value, &r->classic_offered);
		else if (!strcmp(name, "classic_pool"))
			ok = netprefix_parse(value, &r->classic_pool) &&
			     r->classic_pool.addr.family == NETADDR_V4;
		else if (!strcmp(name, "public_pool"))
			ok = netprefix_parse(value, &r->public_pool) &&
			     r->public_pool.addr.family == NETADDR_V4;
		else if (!strcmp(name, "ipv6_pool"))
			ok = netprefix_parse(value, &r->ipv6_pool) &&
			     r->ipv6_pool.addr.family == NETADDR_V6 && r->ipv6_pool.len <= 48;
		else
			ok = false;
	} else if (!strncmp(section, "instance_type ", 14)) {
		struct model_itype *t = dconf_itype(p, section + 14);
		if (!t)
			ok = false;
		else if (!strcmp(name, "family"))
			snprintf(t->family, sizeof(t->family), "%s", value);
		else if (!strcmp(name, "io_optimized"))
			ok = dconf_bool(value, &t->io_optimized);
		else if (!strcmp(name, "eni_max"))
			ok = dconf_uint(value, 64, &t->eni_max) && t->eni_max > 0;
		else if (!strcmp(name, "ips_per_eni"))
			ok = dconf_uint(value, 64, &t->ips_per_eni) && t->ips_per_eni > 0;
		else if (!strcmp(name, "ipv6_per_eni"))
			ok = dconf_uint(value, 64, &t->ipv6_per_eni);
		else if (!strcmp(name, "queues_max"))
			ok = dconf_uint(value, 64, &t->queues_max) && t->queues_max > 0;
		else if (!strcmp(name, "internal_bw_mbps"))
			ok = dconf_uint(value, 1000000, &t->internal_bw_mbps);
		else if (!strcmp(name, "cpu"))
			ok = dconf_uint(value, 1024, &t->cpu);
		else if (!strcmp(name, "memory_gib"))
			ok = dconf_uint(value, 1 << 20, &t->memory_gib);
		else
			ok = false;
	} else {
		snprintf(p->err, sizeof(p->err), "unknown section [%s]", section);
		return 0;
	}
	if (!ok) {
		snprintf(p->err, sizeof(p->err), "[%s] %s = %s: unknown key or bad value", section,
			 name, value);
		return 0;
	}
	return 1;
}

void dconf_defaults(struct dconf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
	c->threads = 16;
	snprintf(c->data_dir, sizeof(c->data_dir), "./var");
	c->log_level = 2;
	snprintf(c->dp_prefix, sizeof(c->dp_prefix), "ov");
	model_config_defaults(&c->model);
}

int dconf_load(struct dconf *c, const char *path)
{
	struct dconf_parse p = {.c = c};
	int rc = ini_parse(path, dconf_handler, &p);
	if (rc == -1) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "%s:%d: %s\n", path, rc, p.err[0] ? p.err : "syntax error");
		return -1;
	}
	return 0;
}
