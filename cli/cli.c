/*
 * cli: parsing the command line of `openvpc`, running one command, and the
 * help texts.  The flow of a resource command (cli_run_cmd):
 *
 *   argv --cli_parse--> global options + words + command flags
 *        --cli_cmd_find--> the table row (commands.c)
 *        --cli_collect--> struct cli_argset (flags checked against the row)
 *        --cli_argset_emit--> struct cli_params (+ fixed, Key=Value, RegionId)
 *        --cli_fetch--> the answer (every page of a list, merged)
 *        --cli_print--> a table, "Field: value" lines, the new ids, or JSON
 *
 * Exit statuses are those of enum cli_exit; usage errors print a hint.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bgp.h"
#include "cli/commands.h"
#include "cli/config.h"
#include "cli/dp.h"
#include "cli/flags.h"
#include "cli/render.h"
#include "cli/request.h"

#define CLI_VERSION "0.1.0"
#define CLI_MAX_PAGES 10000
#define CLI_PAGE_SIZE "50"

/* One `--name value` that is not a global option: an API parameter. */
struct cli_flag {
	char *name; /* without the dashes */
	char *val;
};

struct cli_opts {
	struct cli_sources src;
	const char *save_profile;
	const char *from_operator_file;
	const char *timeout;
	const char *field; /* --field PATH: print only that field */
	bool json, help, debug, version;
	char **words;
	size_t n_words;
	struct cli_flag *flags;
	size_t n_flags;
	/* The strings of "--name=value" arguments, freed at the end. */
	char **owned;
	size_t n_owned;
};

/* The options every command understands, and where they go. */
enum cli_opt_kind { CLI_OPT_STR, CLI_OPT_BOOL };
struct cli_opt_spec {
	const char *name;
	enum cli_opt_kind kind;
	size_t off;
	const char *help;
};
#define CLI_OFF(f) offsetof(struct cli_opts, f)
static const struct cli_opt_spec cli_opt_specs[] = {
    {"endpoint", CLI_OPT_STR, CLI_OFF(src.endpoint),
     "HOST:PORT of openvpcd (default " CLI_DEFAULT_ENDPOINT ")"},
    {"region", CLI_OPT_STR, CLI_OFF(src.region), "region id (default " CLI_DEFAULT_REGION ")"},
    {"profile", CLI_OPT_STR, CLI_OFF(src.profile),
     "profile of the config file (default \"default\")"},
    {"access-key-id", CLI_OPT_STR, CLI_OFF(src.akid), "AccessKey id (with --access-key-secret)"},
    {"access-key-secret", CLI_OPT_STR, CLI_OFF(src.secret), "AccessKey secret"},
    {"json", CLI_OPT_BOOL, CLI_OFF(json), "print the answer's JSON body instead of text"},
    {"field", CLI_OPT_STR, CLI_OFF(field),
     "print only this field (dotted path, e.g. NetworkInterfaceId), one line per item"},
    {"timeout", CLI_OPT_STR, CLI_OFF(timeout), "seconds to wait for an answer (default 30)"},
    {"debug", CLI_OPT_BOOL, CLI_OFF(debug), "print each request URL and HTTP status to stderr"},
    {"help", CLI_OPT_BOOL, CLI_OFF(help), "help for the command at hand"},
    {"version", CLI_OPT_BOOL, CLI_OFF(version), "print the version"},
    {"save-profile", CLI_OPT_STR, CLI_OFF(save_profile), NULL},
    {"from-operator-file", CLI_OPT_STR, CLI_OFF(from_operator_file), NULL},
};
#define CLI_N(a) (sizeof(a) / sizeof((a)[0]))

static int cli_usage(FILE *err, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int cli_usage(FILE *err, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("openvpc: ", err);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fputc('\n', err);
	if (hint)
		fprintf(err, "%s\n", hint);
	return CLI_EXIT_USAGE;
}

static void cli_opts_free(struct cli_opts *o)
{
	free(o->words);
	free(o->flags);
	for (size_t i = 0; i < o->n_owned; i++)
		free(o->owned[i]);
	free(o->owned);
}

static bool cli_starts_dashdash(const char *s)
{
	return s[0] == '-' && s[1] == '-';
}

/* Keeps a heap string until cli_opts_free; returns it (NULL on ENOMEM). */
static char *cli_own(struct cli_opts *o, char *s)
{
	char **n = s ? realloc(o->owned, (o->n_owned + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(s);
		return NULL;
	}
	o->owned = n;
	o->owned[o->n_owned++] = s;
	return s;
}

/* Splits argv into global options, words and command flags.  A command
 * flag takes the next argument as its value unless that starts with "--"
 * (then the value is "true": `--enable-ipv6 --json`); "--name=value" always
 * works, also for values that start with "--". */
static int cli_parse(int argc, char **argv, struct cli_opts *o, FILE *err)
{
	memset(o, 0, sizeof(*o));
	o->words = calloc((size_t)argc + 1, sizeof(*o->words));
	o->flags = calloc((size_t)argc + 1, sizeof(*o->flags));
	if (!o->words || !o->flags)
		return cli_usage(err, NULL, "out of memory");
	bool rest_words = false;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (rest_words || !(a[0] == '-' && a[1] != '\0')) {
			o->words[o->n_words++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			rest_words = true;
			continue;
		}
		if (strcmp(a, "-h") == 0) {
			o->help = true;
			continue;
		}
		if (!cli_starts_dashdash(a)) {
			/* "-5" is a value (clock advance -5), "-x" a mistake. */
			if (isdigit((unsigned char)a[1])) {
				o->words[o->n_words++] = a;
				continue;
			}
			return cli_usage(err,
					 "Flags are written --name value (see 'openvpc help').",
					 "unknown flag %s", a);
		}
		char *name = a + 2, *val = NULL;
		char *eq = strchr(name, '=');
		if (eq) {
			name = cli_own(o, strndup(name, (size_t)(eq - name)));
			if (!name)
				return cli_usage(err, NULL, "out of memory");
			val = eq + 1;
		}
		if (!*name)
			return cli_usage(err, NULL, "empty flag name in %s", a);
		const struct cli_opt_spec *spec = NULL;
		for (size_t k = 0; k < CLI_N(cli_opt_specs); k++)
			if (strcmp(cli_opt_specs[k].name, name) == 0)
				spec = &cli_opt_specs[k];
		if (spec && spec->kind == CLI_OPT_BOOL) {
			bool on = !val || strcmp(val, "true") == 0 || strcmp(val, "1") == 0;
			if (val && !on && strcmp(val, "false") != 0 && strcmp(val, "0") != 0)
				return cli_usage(err, NULL, "--%s takes true or false, not \"%s\"",
						 name, val);
			*(bool *)((char *)o + spec->off) = on;
			continue;
		}
		if (!val) {
			if (spec && i + 1 < argc)
				val = argv[++i];
			else if (spec)
				return cli_usage(err, NULL, "--%s needs a value", name);
			else if (i + 1 < argc && !cli_starts_dashdash(argv[i + 1]))
				val = argv[++i];
			else
				val = "true";
		}
		if (spec) {
			*(const char **)((char *)o + spec->off) = val;
			continue;
		}
		o->flags[o->n_flags].name = name;
		o->flags[o->n_flags].val = val;
		o->n_flags++;
	}
	return CLI_EXIT_OK;
}

/* Prints `text` wrapped at 78 columns, each line indented. */
static void cli_wrap(FILE *out, const char *text, int indent)
{
	int col = 0;
	const char *s = text;
	while (*s) {
		while (*s == ' ')
			s++;
		size_t len = strcspn(s, " ");
		if (len == 0)
			break;
		if (col > indent && col + 1 + (int)len > 78) {
			fputc('\n', out);
			col = 0;
		}
		if (col == 0) {
			fprintf(out, "%*s", indent, "");
			col = indent;
		} else {
			fputc(' ', out);
			col++;
		}
		fwrite(s, 1, len, out);
		col += (int)len;
		s += len;
	}
	if (col > 0)
		fputc('\n', out);
}

static void cli_help_top(FILE *out)
{
	fputs("openvpc: the command line of openvpc, a self-hosted cloud network that speaks\n"
	      "the Alibaba Cloud VPC and ECS API.\n"
	      "\n"
	      "Usage:\n"
	      "  openvpc [options] GROUP COMMAND [ID] [--flag value ...] [Key=Value ...]\n"
	      "  openvpc [options] call VERSION ACTION [Key=Value ...] [--flag value ...]\n"
	      "  openvpc configure [--profile NAME] [--endpoint HOST:PORT] [--region ID]\n"
	      "                    [--access-key-id ID --access-key-secret SECRET |\n"
	      "                     --from-operator-file PATH]\n"
	      "  openvpc configure list\n"
	      "  openvpc help [GROUP [COMMAND]]\n"
	      "\n"
	      "Groups:\n",
	      out);
	for (size_t g = 0; g < cli_n_groups; g++) {
		char verbs[512] = "";
		size_t len = 0;
		for (size_t i = 0; i < cli_n_cmds; i++)
			if (strcmp(cli_cmds[i].group, cli_groups[g].name) == 0 &&
			    len < sizeof(verbs) - 1)
				len += (size_t)snprintf(verbs + len, sizeof(verbs) - len, "%s%s",
							len ? "|" : "", cli_cmds[i].verb);
		for (char *v = verbs; *v; v++)
			if (*v == '|')
				*v = ' ';
		fprintf(out, "  %-14s %s\n", cli_groups[g].name, cli_groups[g].help);
		cli_wrap(out, verbs, 19);
	}
	fputs("\nOptions (anywhere on the line):\n", out);
	for (size_t k = 0; k < CLI_N(cli_opt_specs); k++) {
		if (!cli_opt_specs[k].help)
			continue;
		char left[64];
		snprintf(left, sizeof(left), "--%s%s", cli_opt_specs[k].name,
			 cli_opt_specs[k].kind == CLI_OPT_STR ? " V" : "");
		fprintf(out, "  %-22s %s\n", left, cli_opt_specs[k].help);
	}
	fputs("\n"
	      "A command's flags are its API parameters in kebab case: --vswitch-id is\n"
	      "VSwitchId, --sg-id SecurityGroupId, --eni-id NetworkInterfaceId; --PascalCase\n"
	      "passes a name verbatim, and Key=Value arguments are sent as they are.  Repeat\n"
	      "a list flag for more values (--security-group-ids a --security-group-ids b);\n"
	      "--tag key=value adds a tag.  The positional ID is the resource the command\n"
	      "acts on: openvpc vpc delete vpc-xxx.\n"
	      "\n"
	      "Settings come from the options above, then OPENVPC_ENDPOINT, OPENVPC_REGION,\n"
	      "OPENVPC_PROFILE, OPENVPC_ACCESS_KEY_ID/_SECRET (or ALIBABA_CLOUD_ACCESS_KEY_ID/\n"
	      "_SECRET, ALIBABA_CLOUD_REGION_ID), then ~/.openvpc/config (or $OPENVPC_CONFIG).\n"
	      "\n"
	      "Exit status: 0 done, 1 the API answered an error, 2 usage or configuration\n"
	      "error, 3 openvpcd could not be reached.  'openvpc GROUP help' lists a group's\n"
	      "commands; 'openvpc GROUP COMMAND --help' shows a command's flags.\n",
	      out);
}

static void cli_help_group(FILE *out, const struct cli_group *g)
{
	fprintf(out, "openvpc %s: %s\n\nCommands:\n", g->name, g->help);
	for (size_t i = 0; i < cli_n_cmds; i++) {
		const struct cli_cmd *c = &cli_cmds[i];
		if (strcmp(c->group, g->name) != 0)
			continue;
		char left[96];
		snprintf(left, sizeof(left), "%s%s%s", c->verb, c->metavar ? " " : "",
			 c->metavar ? c->metavar : "");
		fprintf(out, "  %-28s %s\n", left, c->help);
	}
	fprintf(out, "\nRun 'openvpc %s COMMAND --help' for a command's flags.\n", g->name);
}

/* The flag (without dashes) a command shows for one parameter word. */
static char *cli_word_flag(const struct cli_cmd *c, const char *word, enum cli_kind *kind)
{
	char name[128];
	if (!cli_kind_parse(word, name, sizeof(name), kind))
		return NULL;
	if (*kind == CLI_KIND_TAG)
		return strdup("tag");
	return cli_param_flag(c->action, name);
}

static void cli_help_cmd(FILE *out, const struct cli_cmd *c)
{
	if (c->flags & CLI_EXEC) {
		cli_dp_exec_help(out);
		return;
	}
	fprintf(out, "Usage: openvpc %s %s%s%s [--flag value ...]\n\n", c->group, c->verb,
		c->metavar ? " " : "", c->metavar ? c->metavar : "");
	fprintf(out, "%c%s.\n", toupper((unsigned char)c->help[0]), c->help + 1);
	fprintf(out, "Calls %s (Version %s)", c->action, c->version);
	if (c->pos) {
		char name[128];
		enum cli_kind k;
		if (cli_kind_parse(c->pos, name, sizeof(name), &k))
			fprintf(out, "; %s is its %s", c->metavar ? c->metavar : "the argument",
				name);
	}
	if (c->fixed)
		fprintf(out, " with %s", c->fixed);
	fputs(".\n", out);
	if (c->params && c->params[0]) {
		char *line = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&line, &len);
		if (m) {
			const char *s = c->params;
			while (*s) {
				while (*s == ' ')
					s++;
				size_t wl = strcspn(s, " ");
				if (!wl)
					break;
				char word[128];
				snprintf(word, sizeof(word), "%.*s", (int)wl, s);
				s += wl;
				enum cli_kind k;
				char *flag = cli_word_flag(c, word, &k);
				if (!flag)
					continue;
				fprintf(m, "--%s%s ", flag,
					k == CLI_KIND_TAG      ? " K=V..."
					: k == CLI_KIND_SCALAR ? ""
							       : "...");
				free(flag);
			}
			if (c->name)
				fprintf(m, "--name ");
			if (fclose(m) == 0) {
				fputs("\nFlags (... = repeat for more values):\n", out);
				cli_wrap(out, line, 2);
			}
			free(line);
		}
	} else if (!c->params) {
		fputs("\nFlags: any API parameter of the action (--kebab-case or --PascalCase).\n",
		      out);
	}
	if (c->name)
		fprintf(out, "  (--name is %s)\n", c->name);
	if (c->flags & CLI_SAVES_KEYS)
		fputs("  --save-profile NAME   also save the new key pair as profile NAME\n", out);
	switch (c->out) {
	case CLI_OUT_NONE:
		fputs("\nPrints nothing when it succeeds.\n", out);
		break;
	case CLI_OUT_ID:
		fprintf(out, "\nPrints %s on one line.\n", c->id);
		break;
	case CLI_OUT_TABLE: {
		fputs("\nPrints a table:", out);
		for (size_t i = 0; i < CLI_MAX_COLS && c->cols[i].header; i++)
			fprintf(out, " %s", c->cols[i].header);
		fputs(".\n", out);
		break;
	}
	case CLI_OUT_SHOW:
	case CLI_OUT_FIELDS:
		fputs("\nPrints \"Field: value\" lines.\n", out);
		break;
	case CLI_OUT_TEXT:
		fprintf(out, "\nPrints %s as it is.\n", c->id);
		break;
	}
	if (c->example)
		fprintf(out, "\nExample:\n  %s\n", c->example);
}

/* The closest of `cands` to `word`, if it is close enough to be a hint. */
static const char *cli_closest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bd = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		size_t d = cli_edit_distance(word, cands[i]);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	size_t len = strlen(word);
	return bd <= (len < 5 ? 1 : len < 9 ? 2 : 3) ? best : NULL;
}

/* Finds the closest flag of a command to an unknown one. */
static char *cli_flag_hint(const struct cli_cmd *c, const char *flag)
{
	const char *cands[96];
	char *owned[96];
	size_t n = 0;
	const char *s = c->params ? c->params : "";
	char both[2048];
	snprintf(both, sizeof(both), "%s %s", s, c->pos ? c->pos : "");
	s = both;
	while (*s && n < CLI_N(cands) - 1) {
		while (*s == ' ')
			s++;
		size_t wl = strcspn(s, " ");
		if (!wl)
			break;
		char word[128];
		snprintf(word, sizeof(word), "%.*s", (int)wl, s);
		s += wl;
		enum cli_kind k;
		owned[n] = cli_word_flag(c, word, &k);
		if (owned[n]) {
			cands[n] = owned[n];
			n++;
		}
	}
	size_t nowned = n;
	if (c->name)
		cands[n++] = "name";
	const char *best = cli_closest(flag, cands, n);
	char *hint = NULL;
	if (best && asprintf(&hint, "Did you mean --%s?  See 'openvpc %s %s --help'.", best,
			     c->group, c->verb) < 0)
		hint = NULL;
	if (!best &&
	    asprintf(&hint, "See 'openvpc %s %s --help' for its flags.", c->group, c->verb) < 0)
		hint = NULL;
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	return hint;
}

/* Adds one command flag to the argument set, checking it against the row
 * (c == NULL: the `call` command, which takes any parameter). */
static int cli_add_flag(const struct cli_cmd *c, const char *action, const char *flag,
			const char *val, struct cli_argset *as, struct cli_params *verbatim,
			FILE *err)
{
	enum cli_kind kind = CLI_KIND_SCALAR;
	char *param = NULL;
	if (strcmp(flag, "tag") == 0) {
		/* The tag list is Tag.N, except Tags.N on DescribeIpv6Gateways. */
		const char *tp = "Tag";
		enum cli_kind k;
		if (c && c->params && cli_param_lookup(c->params, "Tags", &k) && k == CLI_KIND_TAG)
			tp = "Tags";
		if (c && c->params && !(cli_param_lookup(c->params, tp, &k) && k == CLI_KIND_TAG))
			return cli_usage(err, NULL, "'openvpc %s %s' takes no tags", c->group,
					 c->verb);
		param = strdup(tp);
		kind = CLI_KIND_TAG;
	} else if (strcmp(flag, "name") == 0 && c && c->name) {
		param = strdup(c->name);
	} else {
		param = cli_flag_param(action, flag);
	}
	if (!param)
		return cli_usage(err, NULL, "out of memory");
	int rc = CLI_EXIT_OK;
	if (kind == CLI_KIND_TAG) {
		/* kind already set */
	} else if (isupper((unsigned char)flag[0])) {
		/* --PascalCase: verbatim, unchecked (the escape hatch). */
		if (!c || !c->params || !cli_param_lookup(c->params, param, &kind)) {
			bool ok = cli_params_add(verbatim, param, val);
			free(param);
			return ok ? CLI_EXIT_OK : cli_usage(err, NULL, "out of memory");
		}
	} else if (c && c->params && cli_param_lookup(c->params, param, &kind)) {
		/* a parameter of the command */
	} else if (c && c->pos && cli_param_lookup(c->pos, param, &kind)) {
		/* the positional argument given as a flag */
	} else if (cli_param_lookup(cli_common_params, param, &kind)) {
		/* RegionId, DryRun, ClientToken, paging */
	} else if (c && c->params) {
		char *hint = cli_flag_hint(c, flag);
		rc = cli_usage(err, hint, "unknown flag --%s for 'openvpc %s %s'", flag, c->group,
			       c->verb);
		free(hint);
		free(param);
		return rc;
	}
	if (!cli_argset_add(as, param, kind, val))
		rc = cli_usage(err, NULL, "out of memory");
	free(param);
	return rc;
}

/* Appends "Key=Value" words to params (the verbatim escape hatch). */
static bool cli_add_kv_word(struct cli_params *p, const char *word)
{
	const char *eq = strchr(word, '=');
	char *k = strndup(word, (size_t)(eq - word));
	bool ok = k && cli_params_add(p, k, eq + 1);
	free(k);
	return ok;
}

static bool cli_is_kv_word(const char *w)
{
	const char *eq = strchr(w, '=');
	return eq && eq != w && isupper((unsigned char)w[0]);
}

/* The settings in effect and a connection from them. */
struct cli_ctx {
	struct cli_opts *o;
	struct cli_profile prof;
	struct cli_conn conn;
	FILE *out, *err;
};

static int cli_ctx_init(struct cli_ctx *x, struct cli_opts *o, FILE *out, FILE *err, bool need_key)
{
	memset(x, 0, sizeof(*x));
	x->o = o;
	x->out = out;
	x->err = err;
	char msg[512];
	if (cli_config_resolve(&o->src, &x->prof, msg, sizeof(msg)) < 0)
		return cli_usage(err, NULL, "%s", msg);
	long timeout = 0;
	if (o->timeout) {
		char *end;
		timeout = strtol(o->timeout, &end, 10);
		if (*end || timeout <= 0 || timeout > 86400)
			return cli_usage(err, NULL, "--timeout wants seconds, not \"%s\"",
					 o->timeout);
	}
	if (need_key && !x->prof.akid)
		return cli_usage(err,
				 "Run 'openvpc configure --access-key-id ID --access-key-secret "
				 "SECRET' (or --from-operator-file <data-dir>/operator.json),\n"
				 "or set OPENVPC_ACCESS_KEY_ID and OPENVPC_ACCESS_KEY_SECRET.",
				 "no AccessKey pair for profile \"%s\"", x->prof.name);
	x->conn = (struct cli_conn){.endpoint = x->prof.endpoint,
				    .akid = x->prof.akid,
				    .secret = x->prof.secret,
				    .timeout_s = timeout,
				    .debug = o->debug};
	return CLI_EXIT_OK;
}

/* Makes one call; on failure prints why and returns the exit status. */
static int cli_call_checked(struct cli_ctx *x, const char *version, const char *action,
			    const struct cli_params *p, struct cli_reply *r)
{
	if (cli_call(&x->conn, version, action, p, r) != CLI_EXIT_OK) {
		char *base = cli_base_url(x->conn.endpoint);
		fprintf(x->err,
			"Error: cannot reach openvpcd at %s: %s\n"
			"(Is it running?  The endpoint comes from --endpoint, OPENVPC_ENDPOINT "
			"or the profile \"%s\".)\n",
			base ? base : x->conn.endpoint, r->error, x->prof.name);
		free(base);
		return CLI_EXIT_CONNECT;
	}
	if (cli_reply_is_error(r)) {
		cli_print_error(x->err, r);
		return CLI_EXIT_API;
	}
	return CLI_EXIT_OK;
}

/* Calls the action and, for a paged list the user did not page by hand,
 * fetches every page and appends its items to the first answer, which is
 * left in *body (owned by the caller). */
static int cli_fetch(struct cli_ctx *x, const struct cli_cmd *c, struct cli_params *p,
		     json_t **body)
{
	*body = NULL;
	bool by_number = (c->flags & CLI_PAGED) && c->list && !cli_params_get(p, "PageNumber");
	bool by_token = (c->flags & CLI_TOKEN_PAGED) && c->list && !cli_params_get(p, "NextToken");
	if (by_number && !cli_params_get(p, "PageSize") &&
	    !cli_params_set(p, "PageSize", CLI_PAGE_SIZE))
		return cli_usage(x->err, NULL, "out of memory");
	for (unsigned page = 1; page <= CLI_MAX_PAGES; page++) {
		char num[16];
		snprintf(num, sizeof(num), "%u", page);
		if (by_number && !cli_params_set(p, "PageNumber", num)) {
			json_decref(*body);
			*body = NULL;
			return cli_usage(x->err, NULL, "out of memory");
		}
		struct cli_reply r;
		int rc = cli_call_checked(x, c->version, c->action, p, &r);
		if (rc != CLI_EXIT_OK) {
			cli_reply_free(&r);
			json_decref(*body);
			*body = NULL;
			return rc;
		}
		json_t *got = json_incref(r.json);
		cli_reply_free(&r);
		if (!*body) {
			*body = got;
		} else {
			json_t *all = cli_list_at(*body, c->list);
			json_t *more = cli_list_at(got, c->list);
			if (all && more)
				json_array_extend(all, more);
		}
		json_t *items = c->list ? cli_list_at(got, c->list) : NULL;
		size_t n_page = json_array_size(items);
		bool more_pages = false;
		if (by_number) {
			json_t *all = cli_list_at(*body, c->list);
			json_int_t total = json_integer_value(json_object_get(got, "TotalCount"));
			more_pages = n_page > 0 && (json_int_t)json_array_size(all) < total;
		} else if (by_token) {
			const char *next = json_string_value(json_object_get(got, "NextToken"));
			more_pages = next && *next && n_page > 0;
			if (more_pages && !cli_params_set(p, "NextToken", next)) {
				if (got != *body)
					json_decref(got);
				return cli_usage(x->err, NULL, "out of memory");
			}
		}
		if (got != *body)
			json_decref(got);
		if (!more_pages)
			break;
	}
	return CLI_EXIT_OK;
}

static void cli_print_json(FILE *out, const json_t *body)
{
	char *s = json_dumps(body, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s) {
		fputs(s, out);
		fputc('\n', out);
	}
	free(s);
}

/* The first key of a dotted path ("Permissions" of "Permissions.Permission"). */
static void cli_first_key(const char *path, char *out, size_t size)
{
	size_t len = strcspn(path, ".");
	if (len >= size)
		len = size - 1;
	memcpy(out, path, len);
	out[len] = '\0';
}

static int cli_print(struct cli_ctx *x, const struct cli_cmd *c, const json_t *body,
		     const char *pos_val)
{
	FILE *out = x->out;
	static const char *const skip_rid[] = {"RequestId", NULL};
	if (c->out == CLI_OUT_SHOW && c->list) {
		json_t *items = cli_list_at(body, c->list);
		if (json_array_size(items) == 0) {
			fprintf(x->err, "Error: %s: no %s \"%s\" in region %s.\n",
				c->not_found ? c->not_found : "NotFound", c->group,
				pos_val ? pos_val : "", x->prof.region);
			return CLI_EXIT_API;
		}
	}
	if (x->o->json) {
		cli_print_json(out, body);
		return CLI_EXIT_OK;
	}
	if (x->o->field) {
		/* One value per listed item (or of the shown object, or of the
		 * answer), so scripts can capture any field without a JSON tool. */
		const json_t *items = c->list ? cli_list_at(body, c->list) : NULL;
		if (json_is_array(items)) {
			size_t i;
			json_t *it;
			json_array_foreach(items, i, it)
			{
				char *v = cli_cell(it, x->o->field);
				fprintf(out, "%s\n", v ? v : "");
				free(v);
			}
		} else {
			char *v = cli_cell(body, x->o->field);
			fprintf(out, "%s\n", v ? v : "");
			free(v);
		}
		return CLI_EXIT_OK;
	}
	int rc = 0;
	switch (c->out) {
	case CLI_OUT_NONE:
		break;
	case CLI_OUT_ID: {
		char *ids = cli_cell(body, c->id);
		if (ids && ids[0]) {
			for (char *s = ids; *s; s++)
				if (*s == ',')
					*s = ' ';
			fprintf(out, "%s\n", ids);
		} else if (ids) {
			rc = cli_render_show(out, body, skip_rid);
		}
		free(ids);
		break;
	}
	case CLI_OUT_TABLE: {
		json_t *items = cli_list_at(body, c->list);
		json_t *empty = items ? NULL : json_array();
		rc = cli_render_table(out, items ? items : empty, c->cols, 0);
		json_decref(empty);
		break;
	}
	case CLI_OUT_SHOW: {
		const json_t *obj = c->list ? json_array_get(cli_list_at(body, c->list), 0) : body;
		char subkey[128] = "";
		if (c->sub)
			cli_first_key(c->sub, subkey, sizeof(subkey));
		const char *const skip[] = {"RequestId", subkey[0] ? subkey : NULL, NULL};
		rc = cli_render_show(out, obj, skip);
		if (rc == 0 && c->sub) {
			json_t *items = cli_list_at(obj, c->sub);
			fprintf(out, "%s:%s\n", subkey, json_array_size(items) ? "" : " (none)");
			if (json_array_size(items))
				rc = cli_render_table(out, items, c->sub_cols, 2);
		}
		break;
	}
	case CLI_OUT_FIELDS:
		rc = cli_render_show(out, body, skip_rid);
		break;
	case CLI_OUT_TEXT: {
		const char *text = json_string_value(json_object_get(body, c->id));
		if (text) {
			size_t len = strlen(text);
			fputs(text, out);
			if (len > 0 && text[len - 1] != '\n')
				fputc('\n', out);
		}
		break;
	}
	}
	if (rc < 0) {
		fprintf(x->err, "openvpc: out of memory\n");
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/* `--save-profile NAME`: the key pair of the answer becomes a profile that
 * uses the current endpoint and region. */
static int cli_save_keys(struct cli_ctx *x, const json_t *body)
{
	const char *id = json_string_value(json_object_get(body, "AccessKeyId"));
	const char *secret = json_string_value(json_object_get(body, "AccessKeySecret"));
	if (!id || !secret) {
		fprintf(x->err, "openvpc: the answer has no AccessKey pair to save\n");
		return CLI_EXIT_API;
	}
	char *path = cli_config_path();
	struct cli_profile p = {.name = (char *)x->o->save_profile,
				.endpoint = x->prof.endpoint,
				.region = x->prof.region,
				.akid = (char *)id,
				.secret = (char *)secret};
	char msg[512];
	int rc = path ? cli_config_save(path, &p, msg, sizeof(msg)) : -1;
	if (rc < 0)
		fprintf(x->err, "openvpc: cannot save profile %s: %s\n", p.name,
			path ? msg : "no config file path (set HOME or OPENVPC_CONFIG)");
	else
		fprintf(x->err, "openvpc: saved the key pair as profile \"%s\" in %s\n", p.name,
			path);
	free(path);
	return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

static int cli_run_cmd(struct cli_opts *o, const struct cli_cmd *c, char **words, size_t n,
		       FILE *out, FILE *err)
{
	struct cli_argset as;
	struct cli_params verbatim, params;
	cli_argset_init(&as);
	cli_params_init(&verbatim);
	cli_params_init(&params);
	struct cli_ctx x = {0};
	json_t *body = NULL;
	const char *pos_val = NULL;
	int rc = CLI_EXIT_OK;
	char msg[512];

	if (o->save_profile && !(c->flags & CLI_SAVES_KEYS)) {
		rc = cli_usage(err, NULL,
			       "--save-profile only goes with account create and key create");
		goto out;
	}
	if (o->from_operator_file) {
		rc = cli_usage(err, NULL, "--from-operator-file only goes with configure");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (cli_is_kv_word(words[i])) {
			if (!cli_add_kv_word(&verbatim, words[i])) {
				rc = cli_usage(err, NULL, "out of memory");
				goto out;
			}
		} else if (c->pos && !pos_val) {
			pos_val = words[i];
		} else {
			rc = cli_usage(
			    err, "Arguments after the command are its ID and Key=Value pairs.",
			    "unexpected argument \"%s\" for 'openvpc %s %s'", words[i], c->group,
			    c->verb);
			goto out;
		}
	}
	if (pos_val) {
		char name[128];
		enum cli_kind kind;
		if (!cli_kind_parse(c->pos, name, sizeof(name), &kind) ||
		    !cli_argset_add(&as, name, kind, pos_val)) {
			rc = cli_usage(err, NULL, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < o->n_flags; i++) {
		rc = cli_add_flag(c, c->action, o->flags[i].name, o->flags[i].val, &as, &verbatim,
				  err);
		if (rc != CLI_EXIT_OK)
			goto out;
	}
	if ((c->flags & CLI_POS_REQUIRED) && !pos_val) {
		char name[128];
		enum cli_kind kind;
		cli_kind_parse(c->pos, name, sizeof(name), &kind);
		if (!cli_argset_find(&as, name) && !cli_params_get(&verbatim, name)) {
			char hint[256];
			snprintf(hint, sizeof(hint), "Usage: openvpc %s %s %s [--flag value ...]",
				 c->group, c->verb, c->metavar);
			rc = cli_usage(err, hint, "'openvpc %s %s' needs %s", c->group, c->verb,
				       c->metavar);
			goto out;
		}
	}
	if (cli_argset_emit(&as, false, &params, msg, sizeof(msg)) < 0) {
		rc = cli_usage(err, NULL, "%s", msg);
		goto out;
	}
	if (c->fixed && !cli_add_kv_word(&params, c->fixed)) {
		rc = cli_usage(err, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < verbatim.n; i++) {
		if (!cli_params_set(&params, verbatim.kv[i].k, verbatim.kv[i].v)) {
			rc = cli_usage(err, NULL, "out of memory");
			goto out;
		}
	}
	rc = cli_ctx_init(&x, o, out, err, true);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (!cli_params_get(&params, "RegionId") &&
	    !cli_params_add(&params, "RegionId", x.prof.region)) {
		rc = cli_usage(err, NULL, "out of memory");
		goto out;
	}
	rc = cli_fetch(&x, c, &params, &body);
	if (rc != CLI_EXIT_OK)
		goto out;
	rc = cli_print(&x, c, body, pos_val);
	if (rc == CLI_EXIT_OK && o->save_profile)
		rc = cli_save_keys(&x, body);
out:
	json_decref(body);
	cli_profile_free(&x.prof);
	cli_params_free(&params);
	cli_params_free(&verbatim);
	cli_argset_free(&as);
	return rc;
}

/* openvpc instance exec ID -- CMD [ARGS...]: the settings of a command,
 * then cli/dp.c (which does not return when the command runs). */
static int cli_run_exec(struct cli_opts *o, char **words, size_t n, FILE *out, FILE *err)
{
	if (o->save_profile || o->from_operator_file)
		return cli_usage(err, NULL,
				 "--save-profile and --from-operator-file do not go with exec");
	/* The one flag: the instance as --instance-id, like any command's ID. */
	const char *id_flag = NULL;
	for (size_t i = 0; i < o->n_flags; i++) {
		if (strcmp(o->flags[i].name, "instance-id") == 0 && !id_flag)
			id_flag = o->flags[i].val;
		else
			return cli_usage(
			    err,
			    "Usage: openvpc instance exec INSTANCE_ID -- CMD [ARGS...]  "
			    "(the command's own flags go after --)",
			    "unknown flag --%s for 'openvpc instance exec'", o->flags[i].name);
	}
	char **all = calloc(n + 2, sizeof(*all));
	if (!all)
		return cli_usage(err, NULL, "out of memory");
	size_t k = 0;
	if (id_flag)
		all[k++] = (char *)id_flag;
	for (size_t i = 0; i < n; i++)
		all[k++] = words[i];
	struct cli_ctx x;
	int rc = cli_ctx_init(&x, o, out, err, true);
	if (rc == CLI_EXIT_OK)
		rc = cli_dp_exec(&x.conn, x.prof.region, all, k, out, err);
	cli_profile_free(&x.prof);
	free(all);
	return rc;
}

/* openvpc call VERSION ACTION [Key=Value ...] [--flag value ...] */
static int cli_run_call(struct cli_opts *o, char **words, size_t n, FILE *out, FILE *err)
{
	static const char usage[] =
	    "Usage: openvpc call VERSION ACTION [Key=Value ...] [--flag value ...]\n"
	    "Example: openvpc call 2016-04-28 DescribeVpcs PageSize=50";
	if (o->help) {
		fprintf(out,
			"%s\n\nCalls any action and prints the JSON body. Flags map to "
			"parameters as for the\nother commands; a repeated flag becomes "
			"Name.1, Name.2.  RegionId is added\nfrom the profile unless given.\n",
			usage);
		return CLI_EXIT_OK;
	}
	if (n < 2)
		return cli_usage(err, usage, "'openvpc call' needs a VERSION and an ACTION");
	const char *version = words[0], *action = words[1];
	struct cli_argset as;
	struct cli_params params;
	cli_argset_init(&as);
	cli_params_init(&params);
	struct cli_ctx x = {0};
	int rc = CLI_EXIT_OK;
	char msg[512];
	if (o->save_profile || o->from_operator_file) {
		rc = cli_usage(err, NULL,
			       "--save-profile and --from-operator-file do not go with call");
		goto out;
	}
	for (size_t i = 0; i < o->n_flags && rc == CLI_EXIT_OK; i++)
		rc = cli_add_flag(NULL, action, o->flags[i].name, o->flags[i].val, &as, &params,
				  err);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (cli_argset_emit(&as, true, &params, msg, sizeof(msg)) < 0) {
		rc = cli_usage(err, NULL, "%s", msg);
		goto out;
	}
	for (size_t i = 2; i < n; i++) {
		const char *eq = strchr(words[i], '=');
		if (!eq || eq == words[i]) {
			rc = cli_usage(err, usage, "\"%s\" is not Key=Value", words[i]);
			goto out;
		}
		if (!cli_add_kv_word(&params, words[i])) {
			rc = cli_usage(err, NULL, "out of memory");
			goto out;
		}
	}
	rc = cli_ctx_init(&x, o, out, err, true);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (!cli_params_get(&params, "RegionId") &&
	    !cli_params_add(&params, "RegionId", x.prof.region)) {
		rc = cli_usage(err, NULL, "out of memory");
		goto out;
	}
	struct cli_reply r;
	rc = cli_call_checked(&x, version, action, &params, &r);
	if (rc == CLI_EXIT_OK)
		cli_print_json(out, r.json);
	cli_reply_free(&r);
out:
	cli_profile_free(&x.prof);
	cli_params_free(&params);
	cli_argset_free(&as);
	return rc;
}

/* Reads the keys of openvpcd's operator.json. */
static int cli_read_operator(const char *path, char **id, char **secret, FILE *err)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	if (!j)
		return cli_usage(err, NULL, "cannot read %s: %s", path, je.text);
	const char *i = json_string_value(json_object_get(j, "AccessKeyId"));
	const char *s = json_string_value(json_object_get(j, "AccessKeySecret"));
	int rc = CLI_EXIT_OK;
	if (!i || !s) {
		rc = cli_usage(err, NULL, "%s has no AccessKeyId and AccessKeySecret", path);
	} else {
		*id = strdup(i);
		*secret = strdup(s);
		if (!*id || !*secret)
			rc = cli_usage(err, NULL, "out of memory");
	}
	json_decref(j);
	return rc;
}

static int cli_configure_list(FILE *out, FILE *err)
{
	char *path = cli_config_path();
	struct cli_profile *all = NULL;
	size_t n = 0;
	char msg[512];
	if (!path)
		return cli_usage(err, NULL, "no config file path (set HOME or OPENVPC_CONFIG)");
	int rc = CLI_EXIT_OK;
	if (cli_config_read_all(path, &all, &n, msg, sizeof(msg)) < 0) {
		rc = cli_usage(err, NULL, "%s", msg);
	} else {
		json_t *items = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(
			    items, json_pack("{s:s, s:s, s:s, s:s}", "Profile", all[i].name,
					     "Endpoint", all[i].endpoint ? all[i].endpoint : "",
					     "Region", all[i].region ? all[i].region : "",
					     "AccessKeyId", all[i].akid ? all[i].akid : ""));
		static const struct cli_column cols[] = {{"PROFILE", "Profile"},
							 {"ENDPOINT", "Endpoint"},
							 {"REGION", "Region"},
							 {"ACCESS-KEY-ID", "AccessKeyId"},
							 {NULL, NULL}};
		fprintf(out, "# %s\n", path);
		if (cli_render_table(out, items, cols, 0) < 0)
			rc = cli_usage(err, NULL, "out of memory");
		json_decref(items);
	}
	for (size_t i = 0; i < n; i++)
		cli_profile_free(&all[i]);
	free(all);
	free(path);
	return rc;
}

static int cli_run_configure(struct cli_opts *o, char **words, size_t n, FILE *out, FILE *err)
{
	static const char usage[] =
	    "Usage: openvpc configure [--profile NAME] [--endpoint HOST:PORT] [--region ID]\n"
	    "                         [--access-key-id ID --access-key-secret SECRET |\n"
	    "                          --from-operator-file PATH]\n"
	    "       openvpc configure list";
	if (o->help) {
		fprintf(out,
			"%s\n\nWrites the given settings into profile NAME (default: "
			"$OPENVPC_PROFILE or \"default\")\nof ~/.openvpc/config (or "
			"$OPENVPC_CONFIG), keeping its other settings.  --from-operator-file\n"
			"takes the key pair from the operator.json that openvpcd writes in its "
			"data directory.\n'configure list' prints the profiles (not their "
			"secrets).\n",
			usage);
		return CLI_EXIT_OK;
	}
	if (n == 1 && strcmp(words[0], "list") == 0 && o->n_flags == 0)
		return cli_configure_list(out, err);
	if (n > 0)
		return cli_usage(err, usage, "unexpected argument \"%s\" for 'openvpc configure'",
				 words[0]);
	if (o->n_flags > 0)
		return cli_usage(err, usage, "unknown flag --%s for 'openvpc configure'",
				 o->flags[0].name);
	if (o->save_profile)
		return cli_usage(err, usage, "--save-profile does not go with configure");
	if (!o->src.akid != !o->src.secret)
		return cli_usage(err, usage, "give both --access-key-id and --access-key-secret");
	if (o->src.akid && o->from_operator_file)
		return cli_usage(err, usage,
				 "give either the key pair or --from-operator-file, not both");
	if (!o->src.akid && !o->from_operator_file && !o->src.endpoint && !o->src.region)
		return cli_usage(err, usage, "nothing to configure");
	const char *name = o->src.profile ? o->src.profile : getenv("OPENVPC_PROFILE");
	if (!name || !*name)
		name = CLI_DEFAULT_PROFILE;
	if (strpbrk(name, "[]\r\n") || !*name)
		return cli_usage(err, NULL, "\"%s\" is not a usable profile name", name);
	char *id = NULL, *secret = NULL;
	int rc = CLI_EXIT_OK;
	if (o->from_operator_file)
		rc = cli_read_operator(o->from_operator_file, &id, &secret, err);
	char *path = cli_config_path();
	if (rc == CLI_EXIT_OK && !path)
		rc = cli_usage(err, NULL, "no config file path (set HOME or OPENVPC_CONFIG)");
	if (rc == CLI_EXIT_OK) {
		struct cli_profile p = {.name = (char *)name,
					.endpoint = (char *)o->src.endpoint,
					.region = (char *)o->src.region,
					.akid = id ? id : (char *)o->src.akid,
					.secret = secret ? secret : (char *)o->src.secret};
		char msg[512];
		if (cli_config_save(path, &p, msg, sizeof(msg)) < 0)
			rc = cli_usage(err, NULL, "%s", msg);
		else
			fprintf(out, "Saved profile \"%s\" in %s\n", name, path);
	}
	free(path);
	free(id);
	free(secret);
	return rc;
}

static int cli_unknown_group(const char *word, FILE *err)
{
	const char *cands[64];
	size_t n = 0;
	for (size_t g = 0; g < cli_n_groups && n < CLI_N(cands) - 4; g++)
		cands[n++] = cli_groups[g].name;
	cands[n++] = "call";
	cands[n++] = "configure";
	cands[n++] = "help";
	const char *best = cli_closest(word, cands, n);
	char hint[128];
	if (best)
		snprintf(hint, sizeof(hint),
			 "Did you mean '%s'?  'openvpc help' lists the commands.", best);
	else
		snprintf(hint, sizeof(hint), "'openvpc help' lists the commands.");
	return cli_usage(err, hint, "unknown command '%s'", word);
}

static int cli_unknown_verb(const struct cli_group *g, const char *verb, FILE *err)
{
	const char *cands[64];
	size_t n = 0;
	for (size_t i = 0; i < cli_n_cmds && n < CLI_N(cands); i++)
		if (strcmp(cli_cmds[i].group, g->name) == 0)
			cands[n++] = cli_cmds[i].verb;
	const char *best = cli_closest(verb, cands, n);
	char hint[192];
	if (best)
		snprintf(hint, sizeof(hint),
			 "Did you mean 'openvpc %s %s'?  'openvpc %s help' lists its commands.",
			 g->name, best, g->name);
	else
		snprintf(hint, sizeof(hint), "'openvpc %s help' lists its commands.", g->name);
	return cli_usage(err, hint, "unknown command '%s %s'", g->name, verb);
}

int cli_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct cli_opts o;
	int rc = cli_parse(argc, argv, &o, err);
	if (rc != CLI_EXIT_OK)
		goto done;
	if (o.version) {
		fprintf(out, "openvpc %s\n", CLI_VERSION);
		goto done;
	}
	if (o.n_words == 0) {
		cli_help_top(o.help ? out : err);
		rc = o.help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto done;
	}
	const char *w0 = o.words[0];
	if (strcmp(w0, "help") == 0) {
		const struct cli_group *g = o.n_words > 1 ? cli_group_find(o.words[1]) : NULL;
		const struct cli_cmd *c =
		    g && o.n_words > 2 ? cli_cmd_find(g->name, o.words[2]) : NULL;
		if (o.n_words > 1 && !g)
			rc = cli_unknown_group(o.words[1], err);
		else if (o.n_words > 2 && !c)
			rc = cli_unknown_verb(g, o.words[2], err);
		else if (c)
			cli_help_cmd(out, c);
		else if (g)
			cli_help_group(out, g);
		else
			cli_help_top(out);
		goto done;
	}
	if (strcmp(w0, "version") == 0) {
		fprintf(out, "openvpc %s\n", CLI_VERSION);
		goto done;
	}
	if (strcmp(w0, "configure") == 0) {
		rc = cli_run_configure(&o, o.words + 1, o.n_words - 1, out, err);
		goto done;
	}
	if (strcmp(w0, "call") == 0) {
		rc = cli_run_call(&o, o.words + 1, o.n_words - 1, out, err);
		goto done;
	}
	if (strcmp(w0, "bgp") == 0) {
		/* The BGP speaker answers on its own control socket, not the API. */
		const char *sock = NULL;
		for (size_t i = 0; i < o.n_flags; i++)
			if (strcmp(o.flags[i].name, "socket") == 0)
				sock = o.flags[i].val;
		rc = cli_bgp_main(o.words + 1, o.n_words - 1, sock, o.json, out, err);
		goto done;
	}
	const struct cli_group *g = cli_group_find(w0);
	if (!g) {
		rc = cli_unknown_group(w0, err);
		goto done;
	}
	/* `openvpc trace --eni ... `: the group's one command needs no verb
	 * (`openvpc trace packet ...` is the same). */
	const struct cli_cmd *self =
	    strcmp(g->name, "trace") == 0 ? cli_cmd_find(g->name, "packet") : NULL;
	if (self && (o.n_words > 1 || o.n_flags > 0 || o.help) &&
	    !(o.n_words > 1 &&
	      (strcmp(o.words[1], "help") == 0 || cli_cmd_find(g->name, o.words[1])))) {
		if (o.help)
			cli_help_cmd(out, self);
		else
			rc = cli_run_cmd(&o, self, o.words + 1, o.n_words - 1, out, err);
		goto done;
	}
	if (o.n_words == 1 || strcmp(o.words[1], "help") == 0) {
		bool asked = o.help || o.n_words > 1;
		cli_help_group(asked ? out : err, g);
		rc = asked ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		goto done;
	}
	const struct cli_cmd *c = cli_cmd_find(g->name, o.words[1]);
	if (!c) {
		rc = cli_unknown_verb(g, o.words[1], err);
		goto done;
	}
	if (o.help) {
		cli_help_cmd(out, c);
		goto done;
	}
	if (c->flags & CLI_EXEC)
		rc = cli_run_exec(&o, o.words + 2, o.n_words - 2, out, err);
	else
		rc = cli_run_cmd(&o, c, o.words + 2, o.n_words - 2, out, err);
done:
	cli_opts_free(&o);
	return rc;
}
