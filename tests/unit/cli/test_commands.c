/*
 * Unit tests of cli/commands: the command table is consistent, so every row
 * can run and print: unique GROUP VERB pairs in known groups, an action and
 * a known version, a help line, columns for tables, an id path for
 * creates, parameter words that parse, a metavar for every positional.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "cli/commands.h"
#include "cli/flags.h"

Test(commands, rows_are_complete)
{
	for (size_t i = 0; i < cli_n_cmds; i++) {
		const struct cli_cmd *c = &cli_cmds[i];
		const char *what = c->verb;
		cr_expect_not_null(cli_group_find(c->group), "%s: unknown group", c->group);
		cr_expect(c->action && c->action[0], "%s %s", c->group, what);
		cr_expect(!strcmp(c->version, CLI_V_VPC) || !strcmp(c->version, CLI_V_ECS) ||
			      !strcmp(c->version, CLI_V_OPS),
			  "%s %s: version %s", c->group, what, c->version);
		cr_expect(c->help && c->help[0], "%s %s: no help", c->group, what);
		cr_expect(c->example && strstr(c->example, "openvpc "), "%s %s: no example",
			  c->group, what);
		cr_expect(!c->pos || c->metavar, "%s %s: positional without a metavar", c->group,
			  what);
		cr_expect(!(c->flags & CLI_POS_REQUIRED) || c->pos, "%s %s", c->group, what);
		if (c->out == CLI_OUT_TABLE)
			cr_expect(c->list && c->cols[0].header,
				  "%s %s: a table needs a list and columns", c->group, what);
		if (c->out == CLI_OUT_ID || c->out == CLI_OUT_TEXT)
			cr_expect(c->id, "%s %s: no id path", c->group, what);
		if (c->flags & (CLI_PAGED | CLI_TOKEN_PAGED))
			cr_expect(c->list, "%s %s: paging needs the list", c->group, what);
		if (c->sub)
			cr_expect(c->sub_cols[0].header, "%s %s", c->group, what);
		for (size_t j = 0; j < i; j++)
			cr_expect(strcmp(cli_cmds[j].group, c->group) ||
				      strcmp(cli_cmds[j].verb, what),
				  "%s %s twice", c->group, what);
		for (size_t k = 0; k < CLI_MAX_COLS && c->cols[k].header; k++)
			cr_expect(c->cols[k].path, "%s %s column %s", c->group, what,
				  c->cols[k].header);
	}
}

Test(commands, every_group_has_commands)
{
	for (size_t g = 0; g < cli_n_groups; g++) {
		size_t n = 0;
		for (size_t i = 0; i < cli_n_cmds; i++)
			n += strcmp(cli_cmds[i].group, cli_groups[g].name) == 0;
		cr_expect_gt(n, 0, "group %s is empty", cli_groups[g].name);
	}
}

Test(commands, find)
{
	const struct cli_cmd *c = cli_cmd_find("vpc", "create");
	cr_assert_not_null(c);
	cr_expect_str_eq(c->action, "CreateVpc");
	cr_expect_str_eq(cli_cmd_find("sg", "authorize")->action, "AuthorizeSecurityGroup");
	cr_expect_str_eq(cli_cmd_find("key", "disable")->fixed, "Status=Inactive");
	cr_expect_null(cli_cmd_find("vpc", "explode"));
	cr_expect_null(cli_cmd_find("nope", "list"));
	cr_expect_not_null(cli_group_find("ipv6gw"));
}

/* The brief's list of commands is all there. */
Test(commands, required_commands_exist)
{
	static const char *const want[][2] = {{"region", "list"},
					      {"zone", "list"},
					      {"vpc", "create"},
					      {"vpc", "list"},
					      {"vpc", "show"},
					      {"vpc", "modify"},
					      {"vpc", "delete"},
					      {"vpc", "enable-classiclink"},
					      {"vpc", "disable-classiclink"},
					      {"vswitch", "create"},
					      {"vswitch", "list"},
					      {"vswitch", "show"},
					      {"vswitch", "modify"},
					      {"vswitch", "delete"},
					      {"route-table", "list"},
					      {"route", "list"},
					      {"route", "add"},
					      {"route", "delete"},
					      {"sg", "create"},
					      {"sg", "list"},
					      {"sg", "show"},
					      {"sg", "delete"},
					      {"sg", "authorize"},
					      {"sg", "authorize-egress"},
					      {"sg", "revoke"},
					      {"sg", "revoke-egress"},
					      {"sg", "policy"},
					      {"sg", "join"},
					      {"sg", "leave"},
					      {"instance", "run"},
					      {"instance", "create"},
					      {"instance", "list"},
					      {"instance", "show"},
					      {"instance", "start"},
					      {"instance", "stop"},
					      {"instance", "reboot"},
					      {"instance", "delete"},
					      {"instance", "modify-vpc"},
					      {"instance", "modify-network"},
					      {"instance", "allocate-public-ip"},
					      {"instance", "convert-to-eip"},
					      {"instance", "replace-public-ip"},
					      {"eni", "create"},
					      {"eni", "list"},
					      {"eni", "show"},
					      {"eni", "attach"},
					      {"eni", "detach"},
					      {"eni", "delete"},
					      {"eni", "modify"},
					      {"eni", "assign-ip"},
					      {"eni", "unassign-ip"},
					      {"eni", "assign-ipv6"},
					      {"eni", "unassign-ipv6"},
					      {"eip", "allocate"},
					      {"eip", "list"},
					      {"eip", "associate"},
					      {"eip", "unassociate"},
					      {"eip", "release"},
					      {"eip", "modify"},
					      {"ipv6gw", "create"},
					      {"ipv6gw", "list"},
					      {"ipv6gw", "show"},
					      {"ipv6gw", "delete"},
					      {"ipv6", "list"},
					      {"ipv6", "open-internet"},
					      {"ipv6", "close-internet"},
					      {"classiclink", "attach"},
					      {"classiclink", "detach"},
					      {"classiclink", "list"},
					      {"account", "create"},
					      {"account", "list"},
					      {"key", "create"},
					      {"key", "delete"},
					      {"key", "disable"},
					      {"key", "enable"},
					      {"quota", "list"},
					      {"quota", "set"},
					      {"clock", "show"},
					      {"clock", "advance"},
					      {"rdns", "set"},
					      {"rdns", "list"},
					      {"traffic", "export"},
					      {"region", "classic-offered"}};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect_not_null(cli_cmd_find(want[i][0], want[i][1]), "missing %s %s",
				   want[i][0], want[i][1]);
}
