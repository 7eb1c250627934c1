/*
 * render: API response bodies (jansson values) as text for people: aligned
 * tables for lists, "Field: value" lines for one object, and the single
 * cells both are made of.
 *
 * A column names its value with a path of object keys joined by ".":
 *   "VpcId", "VpcAttributes.VSwitchId", "NextHops.NextHop.NextHopId".
 * Walking a path descends objects; at an array it continues in every item
 * and the cell joins what it finds with ",".  A list wrapper such as
 * {"VSwitchIds":{"VSwitchId":[...]}} needs no second key: a one-key object
 * whose value is an array is looked through.  "A|B" takes the first of A, B
 * that renders non-empty (PublicIpAddress|EipAddress.IpAddress).
 *
 * Cells: strings as they are, numbers in decimal, booleans as true/false,
 * null as "", arrays joined with ",", tag objects ({Key,Value} or
 * {TagKey,TagValue}) as key=value, other objects as Key=value pairs.
 *
 * All output goes to the FILE * given; nothing here exits or reads state.
 */
#ifndef OPENVPC_CLI_RENDER_H
#define OPENVPC_CLI_RENDER_H

#include <jansson.h>
#include <stdio.h>

struct cli_column {
	const char *header; /* printed as given */
	const char *path;   /* see above */
};

/* The text of one cell at `path` below v.  Heap string; NULL on ENOMEM. */
char *cli_cell(const json_t *v, const char *path);

/* The value of a JSON node as one cell (same rules, no path). */
char *cli_cell_value(const json_t *v);

/* The list at `path` (e.g. "Vpcs.Vpc") below body: borrowed, or NULL when
 * the body has no array there. */
json_t *cli_list_at(const json_t *body, const char *path);

/* Prints a header row and one row per item of `items` (a JSON array),
 * columns separated by two spaces and padded to the widest cell (counted
 * in UTF-8 characters); `cols` ends with a {NULL, NULL} entry.  `indent`
 * spaces precede every line.  Returns 0 or -1 on ENOMEM. */
int cli_render_table(FILE *out, const json_t *items, const struct cli_column *cols, int indent);

/* Prints every field of the object `obj` as "Name: value", names padded so
 * values line up.  Nested objects print as "Parent.Child: value"; lists of
 * scalars and tags as one joined cell; lists of other objects as
 * "Name.1.Field: value" lines.  Keys named in `skip` (NULL-terminated, may
 * be NULL) are left out.  Returns 0 or -1 on ENOMEM. */
int cli_render_show(FILE *out, const json_t *obj, const char *const *skip);

/* Counts UTF-8 characters (not bytes) of s. */
size_t cli_utf8_width(const char *s);

#endif
