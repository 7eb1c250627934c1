/*
 * Unit tests of cli/flags: the mapping of --kebab-case flags to the cloud's
 * PascalCase parameter names (with its irregular spellings), the inverse
 * used by help texts, and the flattening of repeated flags into the list
 * forms the SDKs send (shared/reference/alibaba-api.md 2.3): Name.N,
 * Tag.N.Key/Value, JSON-array strings and comma lists.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/flags.h"

static void expect_param(const char *action, const char *flag, const char *want)
{
	char *got = cli_flag_param(action, flag);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, want, "--%s (%s)", flag, action ? action : "any");
	free(got);
}

static void expect_flag(const char *action, const char *param, const char *want)
{
	char *got = cli_param_flag(action, param);
	cr_assert_not_null(got);
	cr_expect_str_eq(got, want, "%s (%s)", param, action ? action : "any");
	free(got);
}

Test(flags, generic_rule)
{
	expect_param(NULL, "vpc-id", "VpcId");
	expect_param(NULL, "cidr-block", "CidrBlock");
	expect_param(NULL, "ipv6-cidr-block", "Ipv6CidrBlock");
	expect_param(NULL, "enable-ipv6", "EnableIpv6");
	expect_param(NULL, "network-interface-id", "NetworkInterfaceId");
	expect_param(NULL, "security-group-ids", "SecurityGroupIds");
	expect_param(NULL, "internet-max-bandwidth-out", "InternetMaxBandwidthOut");
	expect_param(NULL, "ipv4-prefix-count", "Ipv4PrefixCount");
	expect_param(NULL, "page_size", "PageSize");
	expect_param(NULL, "x", "X");
}

Test(flags, irregular_words_and_aliases)
{
	expect_param(NULL, "vswitch-id", "VSwitchId");
	expect_param(NULL, "vswitch-name", "VSwitchName");
	expect_param(NULL, "vpc-ipv6-cidr-block", "VpcIpv6CidrBlock");
	expect_param(NULL, "vrouter-id", "VRouterId");
	expect_param(NULL, "eni-id", "NetworkInterfaceId");
	expect_param(NULL, "sg-id", "SecurityGroupId");
	expect_param(NULL, "sg-ids", "SecurityGroupIds");
	expect_param(NULL, "ipv6gw-id", "Ipv6GatewayId");
	expect_param(NULL, "eip-id", "AllocationId");
	expect_param(NULL, "cidr", "CidrBlock");
	expect_param(NULL, "isp", "ISP");
	/* The same flag is EnableIpv6 on CreateVpc but EnableIPv6 on ModifyVpcAttribute. */
	expect_param("CreateVpc", "enable-ipv6", "EnableIpv6");
	expect_param("ModifyVpcAttribute", "enable-ipv6", "EnableIPv6");
	expect_param("ModifyVSwitchAttribute", "enable-ipv6", "EnableIPv6");
}

Test(flags, pascal_case_is_verbatim)
{
	expect_param(NULL, "VpcName", "VpcName");
	expect_param(NULL, "Tag.1.Key", "Tag.1.Key");
	expect_param("CreateVpc", "EnableIPv6", "EnableIPv6");
}

Test(flags, inverse)
{
	expect_flag(NULL, "VSwitchId", "vswitch-id");
	expect_flag(NULL, "VpcIpv6CidrBlock", "vpc-ipv6-cidr-block");
	expect_flag(NULL, "NetworkInterfaceId", "network-interface-id");
	expect_flag(NULL, "ISP", "isp");
	expect_flag(NULL, "Ipv4PrefixCount", "ipv4-prefix-count");
	expect_flag("ModifyVpcAttribute", "EnableIPv6", "enable-ipv6");
	/* Aliases are forward only: help spells the long form. */
	expect_flag(NULL, "CidrBlock", "cidr-block");
	expect_flag(NULL, "AllocationId", "allocation-id");
}

/* Every parameter any command lists survives flag -> param -> flag, so
 * every flag help prints is one the command accepts. */
Test(flags, round_trip_over_the_command_table)
{
	size_t checked = 0;
	for (size_t i = 0; i < cli_n_cmds; i++) {
		const struct cli_cmd *c = &cli_cmds[i];
		char all[2048];
		snprintf(all, sizeof(all), "%s %s", c->params ? c->params : "",
			 c->pos ? c->pos : "");
		for (char *save = NULL, *w = strtok_r(all, " ", &save); w;
		     w = strtok_r(NULL, " ", &save)) {
			char name[128];
			enum cli_kind kind;
			cr_assert(cli_kind_parse(w, name, sizeof(name), &kind), "%s", w);
			char *flag = cli_param_flag(c->action, name);
			char *back = cli_flag_param(c->action, flag);
			cr_expect_str_eq(back, name, "%s %s: %s -> --%s -> %s", c->group, c->verb,
					 name, flag, back);
			free(flag);
			free(back);
			checked++;
		}
	}
	cr_expect_gt(checked, 300);
}

Test(flags, kinds)
{
	char name[64];
	enum cli_kind k;
	cr_assert(cli_kind_parse("SecurityGroupIds.N", name, sizeof(name), &k));
	cr_expect_str_eq(name, "SecurityGroupIds");
	cr_expect_eq(k, CLI_KIND_LIST_N);
	cr_assert(cli_kind_parse("Tag.N", name, sizeof(name), &k));
	cr_expect_eq(k, CLI_KIND_TAG);
	cr_assert(cli_kind_parse("Tags.N", name, sizeof(name), &k));
	cr_expect_eq(k, CLI_KIND_TAG);
	cr_assert(cli_kind_parse("InstanceIds[]", name, sizeof(name), &k));
	cr_expect_str_eq(name, "InstanceIds");
	cr_expect_eq(k, CLI_KIND_JSON);
	cr_assert(cli_kind_parse("VpcId,", name, sizeof(name), &k));
	cr_expect_str_eq(name, "VpcId");
	cr_expect_eq(k, CLI_KIND_COMMA);
	cr_assert(cli_kind_parse("VpcName", name, sizeof(name), &k));
	cr_expect_eq(k, CLI_KIND_SCALAR);
	cr_expect_not(cli_kind_parse("AVeryLongParameterName", name, 8, &k));

	cr_expect(cli_param_lookup("VpcId, VpcName Tag.N", "Tag", &k));
	cr_expect_eq(k, CLI_KIND_TAG);
	cr_expect(cli_param_lookup("VpcId, VpcName Tag.N", "VpcId", &k));
	cr_expect_eq(k, CLI_KIND_COMMA);
	cr_expect_not(cli_param_lookup("VpcId, VpcName Tag.N", "Vpc", &k));
	cr_expect_not(cli_param_lookup("", "Vpc", &k));
}

/* Emits the argument set and returns the params as "k=v;k=v;". */
static char *emit(struct cli_argset *s, bool generic, int *rc)
{
	struct cli_params p;
	cli_params_init(&p);
	char err[256] = "";
	*rc = cli_argset_emit(s, generic, &p, err, sizeof(err));
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	if (*rc < 0)
		fprintf(m, "error: %s", err);
	for (size_t i = 0; i < p.n; i++)
		fprintf(m, "%s=%s;", p.kv[i].k, p.kv[i].v);
	fclose(m);
	cli_params_free(&p);
	return out;
}

Test(flags, list_flattening)
{
	struct cli_argset s;
	cli_argset_init(&s);
	cli_argset_add(&s, "SecurityGroupIds", CLI_KIND_LIST_N, "sg-a");
	cli_argset_add(&s, "VSwitchId", CLI_KIND_SCALAR, "vsw-1");
	cli_argset_add(&s, "SecurityGroupIds", CLI_KIND_LIST_N, "sg-b");
	int rc;
	char *got = emit(&s, false, &rc);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(got, "SecurityGroupIds.1=sg-a;SecurityGroupIds.2=sg-b;VSwitchId=vsw-1;");
	free(got);
	cli_argset_free(&s);
}

Test(flags, single_value_of_a_list_is_still_numbered)
{
	struct cli_argset s;
	cli_argset_init(&s);
	cli_argset_add(&s, "PrivateIpAddress", CLI_KIND_LIST_N, "10.0.0.5");
	int rc;
	char *got = emit(&s, false, &rc);
	cr_expect_str_eq(got, "PrivateIpAddress.1=10.0.0.5;");
	free(got);
	cli_argset_free(&s);
}

Test(flags, tags)
{
	struct cli_argset s;
	cli_argset_init(&s);
	cli_argset_add(&s, "Tag", CLI_KIND_TAG, "env=prod");
	cli_argset_add(&s, "Tag", CLI_KIND_TAG, "team=net=core");
	cli_argset_add(&s, "Tag", CLI_KIND_TAG, "bare");
	int rc;
	char *got = emit(&s, false, &rc);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(got, "Tag.1.Key=env;Tag.1.Value=prod;Tag.2.Key=team;Tag.2.Value=net=core;"
			      "Tag.3.Key=bare;");
	free(got);
	cli_argset_free(&s);

	cli_argset_init(&s);
	cli_argset_add(&s, "Tag", CLI_KIND_TAG, "=v");
	got = emit(&s, false, &rc);
	cr_expect_eq(rc, -1);
	cr_expect(strstr(got, "key=value") != NULL, "%s", got);
	free(got);
	cli_argset_free(&s);
}

Test(flags, numbering_continues_after_verbatim_items)
{
	struct cli_argset s;
	cli_argset_init(&s);
	cli_argset_add(&s, "Tag", CLI_KIND_TAG, "b=2");
	struct cli_params p;
	cli_params_init(&p);
	cli_params_add(&p, "Tag.1.Key", "a");
	char err[128];
	cr_assert_eq(cli_argset_emit(&s, false, &p, err, sizeof(err)), 0);
	cr_expect_str_eq(cli_params_get(&p, "Tag.2.Key"), "b");
	cr_expect_str_eq(cli_params_get(&p, "Tag.2.Value"), "2");
	cli_params_free(&p);
	cli_argset_free(&s);
}

Test(flags, json_and_comma_lists)
{
	struct cli_argset s;
	cli_argset_init(&s);
	cli_argset_add(&s, "InstanceIds", CLI_KIND_JSON, "i-1");
	cli_argset_add(&s, "InstanceIds", CLI_KIND_JSON, "i-\"2\"");
	cli_argset_add(&s, "VpcId", CLI_KIND_COMMA, "vpc-1");
	cli_argset_add(&s, "VpcId", CLI_KIND_COMMA, "vpc-2");
	cli_argset_add(&s, "PublicIpAddresses", CLI_KIND_JSON, "[\"1.2.3.4\"]");
	int rc;
	char *got = emit(&s, false, &rc);
	cr_expect_str_eq(got, "InstanceIds=[\"i-1\",\"i-\\\"2\\\"\"];VpcId=vpc-1,vpc-2;"
			      "PublicIpAddresses=[\"1.2.3.4\"];");
	free(got);
	cli_argset_free(&s);
}

Test(flags, repeated_scalar)
{
	struct cli_argset s;
	cli_argset_init(&s);
	cli_argset_add(&s, "VpcName", CLI_KIND_SCALAR, "a");
	cli_argset_add(&s, "VpcName", CLI_KIND_SCALAR, "b");
	int rc;
	/* A command with a parameter list: a usage error naming the flag. */
	char *got = emit(&s, false, &rc);
	cr_expect_eq(rc, -1);
	cr_expect(strstr(got, "--vpc-name is given 2 times") != NULL, "%s", got);
	free(got);
	/* `openvpc call`: the SDKs' generic rule, Name.1, Name.2. */
	got = emit(&s, true, &rc);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(got, "VpcName.1=a;VpcName.2=b;");
	free(got);
	cli_argset_free(&s);
}

Test(flags, params_list)
{
	struct cli_params p;
	cli_params_init(&p);
	cr_assert(cli_params_add(&p, "A", "1"));
	cr_assert(cli_params_set(&p, "A", "2"));
	cr_assert(cli_params_set(&p, "B", "3"));
	cr_expect_eq(p.n, 2);
	cr_expect_str_eq(cli_params_get(&p, "A"), "2");
	cr_expect_str_eq(cli_params_get(&p, "B"), "3");
	cr_expect_null(cli_params_get(&p, "C"));
	cli_params_free(&p);
}

Test(flags, edit_distance)
{
	cr_expect_eq(cli_edit_distance("vpc", "vpc"), 0);
	cr_expect_eq(cli_edit_distance("vcp", "vpc"), 1);
	cr_expect_eq(cli_edit_distance("cidr-blok", "cidr-block"), 1);
	cr_expect_eq(cli_edit_distance("", "abc"), 3);
	cr_expect_eq(cli_edit_distance("kitten", "sitting"), 3);
}
