/*
 * flags: flag names to parameter names, parameter kinds, and the flattening
 * of repeated flags into the cloud's list forms.  See flags.h.
 */
#include "cli/flags.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_params_init(struct cli_params *p)
{
	memset(p, 0, sizeof(*p));
}

void cli_params_free(struct cli_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->kv[i].k);
		free(p->kv[i].v);
	}
	free(p->kv);
	memset(p, 0, sizeof(*p));
}

bool cli_params_add(struct cli_params *p, const char *k, const char *v)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct cli_kv *kv = realloc(p->kv, cap * sizeof(*kv));
		if (!kv)
			return false;
		p->kv = kv;
		p->cap = cap;
	}
	char *kc = strdup(k), *vc = strdup(v);
	if (!kc || !vc) {
		free(kc);
		free(vc);
		return false;
	}
	p->kv[p->n].k = kc;
	p->kv[p->n].v = vc;
	p->n++;
	return true;
}

bool cli_params_set(struct cli_params *p, const char *k, const char *v)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->kv[i].k, k) == 0) {
			char *vc = strdup(v);
			if (!vc)
				return false;
			free(p->kv[i].v);
			p->kv[i].v = vc;
			return true;
		}
	}
	return cli_params_add(p, k, v);
}

const char *cli_params_get(const struct cli_params *p, const char *k)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->kv[i].k, k) == 0)
			return p->kv[i].v;
	return NULL;
}

bool cli_kind_parse(const char *word, char *name, size_t size, enum cli_kind *kind)
{
	size_t len = strlen(word);
	*kind = CLI_KIND_SCALAR;
	if (len > 2 && strcmp(word + len - 2, ".N") == 0) {
		len -= 2;
		*kind = CLI_KIND_LIST_N;
		if ((len == 3 && strncmp(word, "Tag", 3) == 0) ||
		    (len == 4 && strncmp(word, "Tags", 4) == 0))
			*kind = CLI_KIND_TAG;
	} else if (len > 2 && strcmp(word + len - 2, "[]") == 0) {
		len -= 2;
		*kind = CLI_KIND_JSON;
	} else if (len > 1 && word[len - 1] == ',') {
		len -= 1;
		*kind = CLI_KIND_COMMA;
	}
	if (len >= size)
		return false;
	memcpy(name, word, len);
	name[len] = '\0';
	return true;
}

bool cli_param_lookup(const char *params, const char *param, enum cli_kind *kind)
{
	const char *s = params;
	while (s && *s) {
		while (*s == ' ')
			s++;
		size_t len = strcspn(s, " ");
		if (len == 0)
			break;
		char word[128], name[128];
		if (len < sizeof(word)) {
			memcpy(word, s, len);
			word[len] = '\0';
			enum cli_kind k;
			if (cli_kind_parse(word, name, sizeof(name), &k) &&
			    strcmp(name, param) == 0) {
				*kind = k;
				return true;
			}
		}
		s += len;
	}
	return false;
}

/* Words of a kebab flag that the cloud spells irregularly (vswitch), and
 * short forms of long words (sg-id for security-group-id).  The inverse,
 * cli_param_flag(), needs none of them: its generic rule already gives
 * "vswitch" for "VSwitch", and it spells the long forms out. */
static const struct {
	const char *word, *pascal;
} cli_word_irregular[] = {
    {"vswitch", "VSwitch"},  {"vswitches", "VSwitches"},  {"vrouter", "VRouter"},
    {"sg", "SecurityGroup"}, {"eni", "NetworkInterface"}, {"ipv6gw", "Ipv6Gateway"},
    {"vsw", "VSwitch"},	     {"rt", "RouteTable"},
};

/* Whole flags that are short forms: forward only. */
static const struct {
	const char *flag, *param;
} cli_flag_alias[] = {
    {"eip-id", "AllocationId"},
    {"cidr", "CidrBlock"},
};

/* Whole flags with an irregular name, both ways; action NULL means every
 * action.  The cloud spells IPv6 two ways: EnableIpv6 on CreateVpc but
 * EnableIPv6 on the Modify* actions. */
static const struct {
	const char *action, *flag, *param;
} cli_flag_irregular[] = {
    {NULL, "isp", "ISP"},
    {"ModifyVpcAttribute", "enable-ipv6", "EnableIPv6"},
    {"ModifyVSwitchAttribute", "enable-ipv6", "EnableIPv6"},
    {"CreateNetworkInterface", "enable-primary-ipv6", "EnablePrimaryIPv6"},
    {"ModifyNetworkInterfaceAttribute", "enable-primary-ipv6", "EnablePrimaryIPv6"},
    {"AssociateVpcCidrBlock", "ipv6-cidr-block", "IPv6CidrBlock"},
    {"UnassociateVpcCidrBlock", "ipv6-cidr-block", "IPv6CidrBlock"},
    /* The data plane's inspection commands take short flags (show counters
     * --eni, trace --proto tcp --dst ...); the long forms work as well. */
    {"DescribeEniCounters", "eni", "NetworkInterfaceId"},
    {"DescribeDrops", "eni", "NetworkInterfaceId"},
    {"DescribeFlows", "eni", "NetworkInterfaceId"},
    {"DescribeRuleCounters", "sg", "SecurityGroupId"},
    {"TracePacket", "eni", "NetworkInterfaceId"},
    {"TracePacket", "proto", "Protocol"},
    {"TracePacket", "src", "SourceIp"},
    {"TracePacket", "dst", "DestinationIp"},
    {"TracePacket", "sport", "SourcePort"},
    {"TracePacket", "dport", "DestinationPort"},
    {"TracePacket", "flags", "TcpFlags"},
};

#define CLI_N(a) (sizeof(a) / sizeof((a)[0]))

static bool cli_action_matches(const char *want, const char *action)
{
	return want == NULL || (action && strcmp(want, action) == 0);
}

/* A growable string; every append reports ENOMEM through ok. */
struct cli_buf {
	char *s;
	size_t n, cap;
	bool ok;
};

static void cli_buf_put(struct cli_buf *b, const char *s, size_t len)
{
	if (!b->ok)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap < b->n + len + 1)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns) {
			b->ok = false;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, len);
	b->n += len;
	b->s[b->n] = '\0';
}

static char *cli_buf_take(struct cli_buf *b)
{
	if (!b->ok || !b->s) {
		free(b->s);
		return b->ok ? strdup("") : NULL;
	}
	return b->s;
}

char *cli_flag_param(const char *action, const char *flag)
{
	if (isupper((unsigned char)flag[0]))
		return strdup(flag);
	for (size_t i = 0; i < CLI_N(cli_flag_irregular); i++)
		if (cli_action_matches(cli_flag_irregular[i].action, action) &&
		    strcmp(cli_flag_irregular[i].flag, flag) == 0)
			return strdup(cli_flag_irregular[i].param);
	for (size_t i = 0; i < CLI_N(cli_flag_alias); i++)
		if (strcmp(cli_flag_alias[i].flag, flag) == 0)
			return strdup(cli_flag_alias[i].param);
	struct cli_buf b = {.ok = true};
	const char *s = flag;
	while (*s) {
		size_t len = strcspn(s, "-_");
		if (len > 0) {
			size_t j;
			for (j = 0; j < CLI_N(cli_word_irregular); j++) {
				if (strlen(cli_word_irregular[j].word) == len &&
				    strncmp(cli_word_irregular[j].word, s, len) == 0) {
					cli_buf_put(&b, cli_word_irregular[j].pascal,
						    strlen(cli_word_irregular[j].pascal));
					break;
				}
			}
			if (j == CLI_N(cli_word_irregular)) {
				char c = (char)toupper((unsigned char)s[0]);
				cli_buf_put(&b, &c, 1);
				cli_buf_put(&b, s + 1, len - 1);
			}
		}
		s += len;
		if (*s)
			s++;
	}
	return cli_buf_take(&b);
}

char *cli_param_flag(const char *action, const char *param)
{
	for (size_t i = 0; i < CLI_N(cli_flag_irregular); i++)
		if (cli_action_matches(cli_flag_irregular[i].action, action) &&
		    strcmp(cli_flag_irregular[i].param, param) == 0)
			return strdup(cli_flag_irregular[i].flag);
	/* A new word starts at an upper-case letter that follows a lower-case
	 * letter or a digit; a run of capitals stays with the word it opens,
	 * so VSwitchId -> vswitch-id and EnableIPv6 -> enable-ipv6. */
	struct cli_buf b = {.ok = true};
	for (size_t i = 0; param[i]; i++) {
		unsigned char c = (unsigned char)param[i];
		if (i > 0 && isupper(c) &&
		    (islower((unsigned char)param[i - 1]) || isdigit((unsigned char)param[i - 1])))
			cli_buf_put(&b, "-", 1);
		char l = (char)tolower(c);
		cli_buf_put(&b, &l, 1);
	}
	return cli_buf_take(&b);
}

void cli_argset_init(struct cli_argset *s)
{
	memset(s, 0, sizeof(*s));
}

void cli_argset_free(struct cli_argset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = 0; j < s->a[i].n; j++)
			free(s->a[i].vals[j]);
		free(s->a[i].vals);
		free(s->a[i].param);
	}
	free(s->a);
	memset(s, 0, sizeof(*s));
}

const struct cli_arg *cli_argset_find(const struct cli_argset *s, const char *param)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->a[i].param, param) == 0)
			return &s->a[i];
	return NULL;
}

bool cli_argset_add(struct cli_argset *s, const char *param, enum cli_kind kind, const char *val)
{
	struct cli_arg *a = (struct cli_arg *)cli_argset_find(s, param);
	if (!a) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 8;
			struct cli_arg *na = realloc(s->a, cap * sizeof(*na));
			if (!na)
				return false;
			s->a = na;
			s->cap = cap;
		}
		a = &s->a[s->n];
		memset(a, 0, sizeof(*a));
		a->param = strdup(param);
		if (!a->param)
			return false;
		a->kind = kind;
		s->n++;
	}
	char **nv = realloc(a->vals, (a->n + 1) * sizeof(*nv));
	if (!nv)
		return false;
	a->vals = nv;
	a->vals[a->n] = strdup(val);
	if (!a->vals[a->n])
		return false;
	a->n++;
	return true;
}

/* The highest K of the parameters named "<name>.K[.…]" already in out. */
static unsigned cli_max_index(const struct cli_params *out, const char *name)
{
	size_t len = strlen(name);
	unsigned max = 0;
	for (size_t i = 0; i < out->n; i++) {
		const char *k = out->kv[i].k;
		if (strncmp(k, name, len) != 0 || k[len] != '.' ||
		    !isdigit((unsigned char)k[len + 1]))
			continue;
		unsigned long v = strtoul(k + len + 1, NULL, 10);
		if (v > max && v < 100000)
			max = (unsigned)v;
	}
	return max;
}

/* Appends s to b as a JSON string literal. */
static void cli_buf_json_str(struct cli_buf *b, const char *s)
{
	cli_buf_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			cli_buf_put(b, e, 2);
		} else if (c < 0x20) {
			char e[8];
			snprintf(e, sizeof(e), "\\u%04x", c);
			cli_buf_put(b, e, 6);
		} else {
			cli_buf_put(b, (const char *)&c, 1);
		}
	}
	cli_buf_put(b, "\"", 1);
}

static int cli_emit_one(const struct cli_arg *a, bool generic, struct cli_params *out, char *err,
			size_t errsz)
{
	char key[256];
	enum cli_kind kind = a->kind;
	if (kind == CLI_KIND_SCALAR && a->n > 1) {
		if (!generic) {
			char *flag = cli_param_flag(NULL, a->param);
			snprintf(err, errsz, "--%s is given %zu times; it takes one value",
				 flag ? flag : a->param, a->n);
			free(flag);
			return -1;
		}
		kind = CLI_KIND_LIST_N;
	}
	switch (kind) {
	case CLI_KIND_SCALAR:
		return cli_params_add(out, a->param, a->vals[0]) ? 0 : -1;
	case CLI_KIND_LIST_N: {
		unsigned base = cli_max_index(out, a->param);
		for (size_t i = 0; i < a->n; i++) {
			snprintf(key, sizeof(key), "%s.%zu", a->param, base + i + 1);
			if (!cli_params_add(out, key, a->vals[i]))
				return -1;
		}
		return 0;
	}
	case CLI_KIND_TAG: {
		unsigned base = cli_max_index(out, a->param);
		for (size_t i = 0; i < a->n; i++) {
			const char *v = a->vals[i];
			const char *eq = strchr(v, '=');
			size_t klen = eq ? (size_t)(eq - v) : strlen(v);
			if (klen == 0) {
				snprintf(err, errsz, "--tag wants key=value, not \"%s\"", v);
				return -1;
			}
			char *tk = strndup(v, klen);
			if (!tk)
				return -1;
			snprintf(key, sizeof(key), "%s.%zu.Key", a->param, base + i + 1);
			bool ok = cli_params_add(out, key, tk);
			free(tk);
			if (ok && eq) {
				snprintf(key, sizeof(key), "%s.%zu.Value", a->param, base + i + 1);
				ok = cli_params_add(out, key, eq + 1);
			}
			if (!ok)
				return -1;
		}
		return 0;
	}
	case CLI_KIND_JSON:
	case CLI_KIND_COMMA: {
		if (a->n == 1 && (kind == CLI_KIND_COMMA || a->vals[0][0] == '['))
			return cli_params_add(out, a->param, a->vals[0]) ? 0 : -1;
		struct cli_buf b = {.ok = true};
		if (kind == CLI_KIND_JSON)
			cli_buf_put(&b, "[", 1);
		for (size_t i = 0; i < a->n; i++) {
			if (i > 0)
				cli_buf_put(&b, ",", 1);
			if (kind == CLI_KIND_JSON)
				cli_buf_json_str(&b, a->vals[i]);
			else
				cli_buf_put(&b, a->vals[i], strlen(a->vals[i]));
		}
		if (kind == CLI_KIND_JSON)
			cli_buf_put(&b, "]", 1);
		char *v = cli_buf_take(&b);
		bool ok = v && cli_params_add(out, a->param, v);
		free(v);
		return ok ? 0 : -1;
	}
	}
	return -1;
}

int cli_argset_emit(const struct cli_argset *s, bool generic, struct cli_params *out, char *err,
		    size_t errsz)
{
	for (size_t i = 0; i < s->n; i++) {
		err[0] = '\0';
		if (cli_emit_one(&s->a[i], generic, out, err, errsz) < 0) {
			if (!err[0])
				snprintf(err, errsz, "out of memory");
			return -1;
		}
	}
	return 0;
}

size_t cli_edit_distance(const char *a, const char *b)
{
	/* Optimal string alignment: insertions, deletions, substitutions and
	 * swaps of neighbours ("vcp" is one step from "vpc"). */
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return (size_t)-1;
	size_t d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}
