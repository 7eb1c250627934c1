/*
 * flags: how the CLI turns its command line into API parameters.
 *
 * Three jobs, all pure (no I/O), so the unit tests cover them exactly:
 *  1. Names.  `--kebab-case` flags map to the cloud's PascalCase parameter
 *     names by a generic rule (split on "-", capitalise each word) plus a
 *     small table of the cloud's irregular spellings (vswitch -> VSwitch,
 *     sg -> SecurityGroup, eni -> NetworkInterface, ISP, EnableIPv6 on the
 *     Modify* actions, ...).  A flag that starts with an upper-case letter
 *     (`--VpcName`) is already a parameter name and passes verbatim.
 *     cli_param_flag() is the inverse, used for help texts and hints.
 *  2. Kinds.  A command lists the parameters it accepts in one string whose
 *     words carry a suffix for their kind (cli_kind_parse):
 *        Name      a scalar: given once
 *        Name.N    a list flattened as Name.1, Name.2, ...   (SDK rule)
 *        Name[]    a list sent as one JSON array string      (DescribeInstances)
 *        Name,     a list sent as one comma-separated string (DescribeVpcs VpcId)
 *        Tag.N     the tag list, filled from `--tag key=value` (Tag.N.Key/.Value)
 *  3. Collection.  struct cli_argset gathers every value of every flag in
 *     order, then cli_argset_emit() writes the flattened parameters into a
 *     struct cli_params, the ordered list the request is signed over.
 *
 * Ownership: every returned char * is heap memory the caller frees; the
 * structs own their strings and are released with their _free function.
 */
#ifndef OPENVPC_CLI_FLAGS_H
#define OPENVPC_CLI_FLAGS_H

#include <stdbool.h>
#include <stddef.h>

/* An ordered list of decoded name=value request parameters. */
struct cli_params {
	struct cli_kv {
		char *k;
		char *v;
	} * kv;
	size_t n, cap;
};

void cli_params_init(struct cli_params *p);
void cli_params_free(struct cli_params *p);
/* Appends a copy of k=v.  Returns false when memory runs out. */
bool cli_params_add(struct cli_params *p, const char *k, const char *v);
/* Replaces the value of k (or appends k=v).  Returns false on ENOMEM. */
bool cli_params_set(struct cli_params *p, const char *k, const char *v);
/* The value of the first k, borrowed, or NULL. */
const char *cli_params_get(const struct cli_params *p, const char *k);

enum cli_kind {
	CLI_KIND_SCALAR,
	CLI_KIND_LIST_N, /* Name.1, Name.2 */
	CLI_KIND_JSON,	 /* Name=["a","b"] */
	CLI_KIND_COMMA,	 /* Name=a,b */
	CLI_KIND_TAG,	 /* Name.1.Key, Name.1.Value */
};

/* Splits one word of a command's parameter string ("SecurityGroupIds.N")
 * into the parameter name (written into name, size bytes) and its kind.
 * Returns false when the name does not fit. */
bool cli_kind_parse(const char *word, char *name, size_t size, enum cli_kind *kind);

/* The kind of `param` in a space-separated parameter string, or false when
 * the string does not list it ("Tag" matches the word "Tag.N"). */
bool cli_param_lookup(const char *params, const char *param, enum cli_kind *kind);

/* The parameter name for `--flag` (flag given without the dashes) when
 * calling `action` (may be NULL).  Never NULL unless memory runs out. */
char *cli_flag_param(const char *action, const char *flag);

/* The kebab-case flag (without dashes) that maps back to `param` for
 * `action` (may be NULL): cli_flag_param(action, cli_param_flag(action, p))
 * == p for every parameter the command table lists. */
char *cli_param_flag(const char *action, const char *param);

/* Collects flag values per parameter, in order of first appearance. */
struct cli_argset {
	struct cli_arg {
		char *param;
		enum cli_kind kind;
		char **vals;
		size_t n;
	} * a;
	size_t n, cap;
};

void cli_argset_init(struct cli_argset *s);
void cli_argset_free(struct cli_argset *s);
/* Records one value of `param` of the given kind.  Returns false on ENOMEM. */
bool cli_argset_add(struct cli_argset *s, const char *param, enum cli_kind kind, const char *val);
/* The collected argument for param, borrowed, or NULL. */
const struct cli_arg *cli_argset_find(const struct cli_argset *s, const char *param);

/* Flattens the collected values into out:
 *   SCALAR  one value -> Name=v; several -> usage error, unless `generic`
 *           (the `call` command, which knows no parameter list), where
 *           several values flatten like LIST_N;
 *   LIST_N  Name.1=a Name.2=b (numbered after any Name.K already in out);
 *   JSON    Name=["a","b"]  (a single value starting with "[" passes as is);
 *   COMMA   Name=a,b;
 *   TAG     each "k=v" -> Name.I.Key=k, Name.I.Value=v ("k" alone: Key only).
 * Returns 0, or -1 with a message in err (size errsz) for a usage error or
 * when memory runs out. */
int cli_argset_emit(const struct cli_argset *s, bool generic, struct cli_params *out, char *err,
		    size_t errsz);

/* Levenshtein distance, for "did you mean" hints. */
size_t cli_edit_distance(const char *a, const char *b);

#endif
