/*
 * config: built-in defaults and look-ups of the operator's configuration.
 * The default pools lie in ranges reserved for documentation and
 * benchmarking (198.18.0.0/15, 2001:db8::/32) so that a default install
 * never hands out an address that someone else owns.
 */
#include "model/config.h"

#include <stdio.h>
#include <string.h>

#include "lib/log.h"

static const char *const model_quota_names[MODEL_QUOTA__COUNT] = {
#define MODEL_QUOTA_NAME(n, s, d) [MODEL_QUOTA_##n] = s,
    MODEL_QUOTAS(MODEL_QUOTA_NAME)
#undef MODEL_QUOTA_NAME
};

static const int64_t model_quota_defaults[MODEL_QUOTA__COUNT] = {
#define MODEL_QUOTA_DEF(n, s, d) [MODEL_QUOTA_##n] = d,
    MODEL_QUOTAS(MODEL_QUOTA_DEF)
#undef MODEL_QUOTA_DEF
};

/* The built-in catalogue: one type that is not I/O-optimized (NET-14: 1
 * Gbit/s, no secondary ENIs) and I/O-optimized types of growing size. */
static const struct model_itype model_itype_defaults[] = {
    {"ecs.s2.small", "ecs.s2", false, 1, 1, 0, 1, 1000, 1, 2},
    {"ecs.g6.large", "ecs.g6", true, 3, 6, 1, 2, 10000, 2, 8},
    {"ecs.g6.xlarge", "ecs.g6", true, 4, 10, 1, 4, 10000, 4, 16},
    {"ecs.c6.2xlarge", "ecs.c6", true, 4, 10, 1, 8, 10000, 8, 16},
    {"ecs.g7.4xlarge", "ecs.g7", true, 8, 20, 1, 8, 25000, 16, 64},
};

static void model_parse_prefix_or_die(const char *s, struct netprefix *p)
{
	if (!netprefix_parse(s, p))
		fatal("bad built-in prefix %s", s);
}

void model_config_defaults(struct model_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	struct model_region *r = &cfg->regions[0];
	snprintf(r->id, sizeof(r->id), "cn-hangzhou");
	snprintf(r->name, sizeof(r->name), "China (Hangzhou)");
	snprintf(r->zones[0].id, sizeof(r->zones[0].id), "cn-hangzhou-a");
	snprintf(r->zones[0].name, sizeof(r->zones[0].name), "Hangzhou Zone A");
	snprintf(r->zones[1].id, sizeof(r->zones[1].id), "cn-hangzhou-b");
	snprintf(r->zones[1].name, sizeof(r->zones[1].name), "Hangzhou Zone B");
	r->n_zones = 2;
	r->classic_offered = true;
	model_parse_prefix_or_die("10.240.0.0/16", &r->classic_pool);
	model_parse_prefix_or_die("198.18.0.0/20", &r->public_pool);
	model_parse_prefix_or_die("2001:db8::/32", &r->ipv6_pool);
	cfg->n_regions = 1;

	size_t n = sizeof(model_itype_defaults) / sizeof(model_itype_defaults[0]);
	memcpy(cfg->itypes, model_itype_defaults, sizeof(model_itype_defaults));
	cfg->n_itypes = n;
	memcpy(cfg->quota_default, model_quota_defaults, sizeof(model_quota_defaults));
	cfg->timing.ip_change_window = 6 * 3600;
	cfg->timing.expiry_guard = 24 * 3600;
	cfg->timing.migration_duration = 5 * 60;
}

const struct model_region *model_config_region(const struct model_config *cfg, const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < cfg->n_regions; i++)
		if (strcmp(cfg->regions[i].id, id) == 0)
			return &cfg->regions[i];
	return NULL;
}

const struct model_zone *model_config_zone(const struct model_region *r, const char *zone_id)
{
	if (!zone_id)
		return NULL;
	for (size_t i = 0; i < r->n_zones; i++)
		if (strcmp(r->zones[i].id, zone_id) == 0)
			return &r->zones[i];
	return NULL;
}

const struct model_itype *model_config_itype(const struct model_config *cfg, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < cfg->n_itypes; i++)
		if (strcmp(cfg->itypes[i].name, name) == 0)
			return &cfg->itypes[i];
	return NULL;
}

const char *model_quota_name(enum model_quota q)
{
	return (unsigned)q < MODEL_QUOTA__COUNT ? model_quota_names[q] : "";
}

int model_quota_by_name(const char *name)
{
	for (int i = 0; i < MODEL_QUOTA__COUNT; i++)
		if (strcmp(model_quota_names[i], name) == 0)
			return i;
	return -1;
}
