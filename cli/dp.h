/*
 * dp: the CLI's side of the data plane that is not a plain table row:
 * `openvpc instance exec ID -- CMD [ARGS...]`, which runs a command inside
 * an instance's network namespace.  The inspection commands (`openvpc show
 * counters|drops|rules|flows`, `openvpc trace`) are ordinary rows of
 * commands.c; this module only holds what they cannot say.
 *
 * exec, step by step (cli_dp_exec):
 *   1. DescribeDataPlane (Version 2026-01-01): refused unless Enabled; its
 *      Prefix names openvpcd's namespaces;
 *   2. DescribeInstances InstanceIds=["ID"]: the instance must be one this
 *      profile's account can see;
 *   3. setns(2) into /run/netns/<Prefix><ID> (CLONE_NEWNET), then, best
 *      effort as `ip netns exec` does, a private mount namespace with the
 *      namespace's own /sys (so /sys/class/net lists eth0, eth1, ...);
 *   4. execvp(CMD, ARGS): the exit status is the command's.
 *
 * The pure helpers below are what the unit tests check without a daemon.
 */
#ifndef OPENVPC_CLI_DP_H
#define OPENVPC_CLI_DP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli/request.h"

/* Exit statuses of exec itself when it gets as far as the namespace (the
 * command's own status otherwise), as env(1) and `ip netns exec` use them. */
#define CLI_DP_EXIT_CANNOT_ENTER 126 /* the namespace cannot be entered (not root, gone) */
#define CLI_DP_EXIT_NOT_FOUND 127    /* CMD could not be executed */

#define CLI_DP_NETNS_DIR "/run/netns"

/* Whether `id` can be part of a namespace name: 1..64 characters of
 * [A-Za-z0-9_-] (no "/", no ".."). */
bool cli_dp_id_ok(const char *id);

/* Splits exec's words (what follows `instance exec`) into the instance id
 * and the command: words[0] is the id, words[1..n-1] the command and its
 * arguments.  *argv points into words (borrowed).  Returns 0, or -1 with a
 * usage message in msg. */
int cli_dp_exec_split(char **words, size_t n, const char **id, char ***argv, char *msg,
		      size_t msgsz);

/* The path of the namespace openvpcd made for an instance:
 * CLI_DP_NETNS_DIR "/" prefix id.  Returns 0, or -1 when prefix or id is
 * not a safe name or the path does not fit. */
int cli_dp_netns_path(const char *prefix, const char *id, char *buf, size_t size);

/* Reads a DescribeDataPlane answer: 1 when Enabled is true (*prefix is its
 * Prefix, borrowed from body), 0 when false (*reason is its Reason, or ""),
 * -1 when the body is not such an answer (no boolean Enabled, or Enabled
 * with no usable Prefix). */
int cli_dp_plane(const json_t *body, const char **prefix, const char **reason);

/* Whether a DescribeInstances answer lists instance `id`. */
bool cli_dp_has_instance(const json_t *body, const char *id);

/* Prints `openvpc instance exec --help`. */
void cli_dp_exec_help(FILE *out);

/* Runs `openvpc instance exec WORDS...` with the connection given (every
 * string borrowed; region is sent as RegionId).  On success it does not
 * return: the process becomes the command.  Otherwise it returns an exit
 * status: CLI_EXIT_USAGE for bad words, CLI_EXIT_API when the data plane is
 * off or the instance unknown (or the API answered an error),
 * CLI_EXIT_CONNECT when openvpcd cannot be reached, CLI_DP_EXIT_* when the
 * namespace cannot be entered or the command not run.  Messages go to err;
 * out and err are flushed before the exec. */
int cli_dp_exec(const struct cli_conn *conn, const char *region, char **words, size_t n, FILE *out,
		FILE *err);

#endif
