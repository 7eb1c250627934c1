/*
 * commands: the one static table of the CLI's resource commands.  Each row
 * says everything `openvpc GROUP VERB` needs: the API version and action it
 * calls, what its positional argument is, which flags it accepts (so typos
 * are caught and help can list them), and how its answer is printed.
 * Adding a command is adding a row; cli.c has no per-command code.
 */
#ifndef OPENVPC_CLI_COMMANDS_H
#define OPENVPC_CLI_COMMANDS_H

#include <stddef.h>

#include "cli/render.h"

#define CLI_V_VPC "2016-04-28"
#define CLI_V_ECS "2014-05-26"
#define CLI_V_OPS "2026-01-01"

#define CLI_MAX_COLS 12

/* How a command prints a successful answer (--json always prints the body). */
enum cli_out {
	CLI_OUT_NONE,	/* nothing: the exit status says it worked */
	CLI_OUT_ID,	/* the value(s) at `id`, on one line, space-separated */
	CLI_OUT_TABLE,	/* the list at `list` as a table of `cols` */
	CLI_OUT_SHOW,	/* "Field: value" lines of the body, or of the first item of `list` */
	CLI_OUT_FIELDS, /* "Field: value" lines of the body (for answers that are not ids) */
	CLI_OUT_TEXT,	/* the string at `id`, as it is (a CSV export) */
};

/* Flags of a command. */
#define CLI_POS_REQUIRED 0x01 /* the positional argument (or its flag) must be given */
#define CLI_PAGED 0x02	      /* PageNumber paging: every page is fetched */
#define CLI_TOKEN_PAGED 0x04  /* NextToken paging: every page is fetched */
#define CLI_SAVES_KEYS 0x08   /* accepts --save-profile NAME for the returned key pair */
#define CLI_EXEC 0x10	      /* `instance exec`: run by cli/dp.c, not as one call */

struct cli_cmd {
	const char *group, *verb;
	const char *version, *action;
	const char *pos;     /* parameter of the positional argument (flags.h kind suffix) */
	const char *metavar; /* the positional argument in help: "VPC_ID" */
	unsigned flags;
	enum cli_out out;
	const char *list;   /* TABLE: the list; SHOW: show its first item */
	const char *id;	    /* ID: what to print */
	const char *name;   /* the parameter that --name stands for */
	const char *fixed;  /* "Key=Value" always sent */
	const char *params; /* accepted parameters, flags.h kinds; NULL accepts any */
	struct cli_column cols[CLI_MAX_COLS];
	const char *sub; /* SHOW: this list is printed as a table under the fields */
	struct cli_column sub_cols[CLI_MAX_COLS];
	const char *not_found; /* SHOW of a list item: the error code when none matches */
	const char *help;      /* one line */
	const char *example;   /* one command line, or NULL */
};

struct cli_group {
	const char *name;
	const char *help;
};

extern const struct cli_cmd cli_cmds[];
extern const size_t cli_n_cmds;
extern const struct cli_group cli_groups[];
extern const size_t cli_n_groups;

/* Parameters every command accepts besides its own list. */
extern const char cli_common_params[];

/* The row for GROUP VERB, or NULL. */
const struct cli_cmd *cli_cmd_find(const char *group, const char *verb);
/* The group named `name`, or NULL. */
const struct cli_group *cli_group_find(const char *name);

#endif
