/*
 * bgp: `openvpc bgp ...`, the introspection of openvpc-bgpd through its unix
 * control socket (bgp/ctl.c): sessions, routes received/accepted/advertised,
 * per-neighbor counters.  It speaks the socket's line protocol (one command
 * line in, one JSON document out) and renders tables like the rest of the
 * CLI; --json prints the document as it came.
 *
 *   openvpc bgp [--socket PATH] neighbors [NEIGHBOR]
 *   openvpc bgp [--socket PATH] routes [best|received|accepted|advertised] [NEIGHBOR]
 *   openvpc bgp [--socket PATH] summary | networks
 *   openvpc bgp [--socket PATH] refresh|reset NEIGHBOR
 * The socket is --socket, else $OPENVPC_BGP_SOCKET, else CLI_BGP_SOCKET.
 */
#include "cli/bgp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/render.h"

#define CLI_BGP_REPLY_MAX (64u << 20) /* a full table of 1M routes as JSON fits */

/* Sends one command line; returns the parsed reply or NULL (message on err). */
static json_t *cli_bgp_ask(const char *path, char **words, size_t n, FILE *err, int *rc)
{
	char cmd[1024] = "";
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(cmd);
		if (strchr(words[i], '\n') || l + strlen(words[i]) + 2 >= sizeof(cmd)) {
			fprintf(err, "openvpc bgp: the command is too long\n");
			*rc = CLI_EXIT_USAGE;
			return NULL;
		}
		snprintf(cmd + l, sizeof(cmd) - l, "%s%s", l ? " " : "", words[i]);
	}
	strcat(cmd, "\n");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(err, "openvpc bgp: socket path too long: %s\n", path);
		*rc = CLI_EXIT_USAGE;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(err, "Error: cannot reach openvpc-bgpd at %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		*rc = CLI_EXIT_CONNECT;
		return NULL;
	}
	size_t len = strlen(cmd), off = 0;
	while (off < len) {
		ssize_t w = write(fd, cmd + off, len - off);
		if (w <= 0) {
			fprintf(err, "Error: writing to %s: %s\n", path, strerror(errno));
			close(fd);
			*rc = CLI_EXIT_CONNECT;
			return NULL;
		}
		off += (size_t)w;
	}
	shutdown(fd, SHUT_WR);
	size_t cap = 65536, used = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (used + 1 >= cap) {
			if (cap >= CLI_BGP_REPLY_MAX)
				break;
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		ssize_t r = read(fd, buf + used, cap - used - 1);
		if (r <= 0)
			break;
		used += (size_t)r;
	}
	close(fd);
	json_error_t je;
	json_t *reply = json_loadb(buf, used, JSON_DISABLE_EOF_CHECK, &je);
	free(buf);
	if (!reply) {
		fprintf(err, "Error: openvpc-bgpd sent an answer that is not JSON: %s\n", je.text);
		*rc = CLI_EXIT_API;
	}
	return reply;
}

static const struct cli_column cli_bgp_neighbor_cols[] = {
    {"NEIGHBOR", "address"},
    {"REMOTE-AS", "remote-as"},
    {"STATE", "state"},
    {"FOR(S)", "state-seconds"},
    {"RECEIVED", "received"},
    {"ACCEPTED", "accepted"},
    {"ADVERTISED", "advertised"},
    {"FLAPS", "flaps"},
    {"DESCRIPTION", "description"},
    {NULL, NULL},
};

static const struct cli_column cli_bgp_route_cols[] = {
    {"PREFIX", "prefix"},     {"NEIGHBOR", "neighbor"},
    {"NEXT-HOP", "next-hop"}, {"AS-PATH", "as-path"},
    {"ORIGIN", "origin"},     {"LOCAL-PREF", "local-pref"},
    {"MED", "med"},	      {NULL, NULL},
};

static const struct cli_column cli_bgp_adv_cols[] = {
    {"PREFIX", "prefix"},
    {"NEIGHBOR", "neighbor"},
    {NULL, NULL},
};

int cli_bgp_main(char **words, size_t n, const char *socket_path, bool json, FILE *out, FILE *err)
{
	if (n == 0 || strcmp(words[0], "help") == 0) {
		fprintf(n ? out : err,
			"usage: openvpc bgp [--socket PATH] COMMAND\n"
			"  neighbors [NEIGHBOR]        sessions, states, prefix counts (one: every "
			"field and counter)\n"
			"  routes [best|received|accepted|advertised] [NEIGHBOR]\n"
			"  summary | networks | refresh NEIGHBOR | reset NEIGHBOR\n"
			"The socket: --socket, $OPENVPC_BGP_SOCKET, or %s.\n",
			CLI_BGP_SOCKET);
		return n ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	const char *path = socket_path ? socket_path : getenv("OPENVPC_BGP_SOCKET");
	if (!path || !*path)
		path = CLI_BGP_SOCKET;
	int rc = CLI_EXIT_OK;
	json_t *reply = cli_bgp_ask(path, words, n, err, &rc);
	if (!reply)
		return rc;
	const char *e = json_string_value(json_object_get(reply, "error"));
	if (e) {
		fprintf(err, "Error: BgpControl: %s\n", e);
		json_decref(reply);
		return CLI_EXIT_API;
	}
	if (json) {
		char *text = json_dumps(reply, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(out, "%s\n", text ? text : "");
		free(text);
	} else if (strcmp(words[0], "neighbors") == 0 && n == 1) {
		rc = cli_render_table(out, reply, cli_bgp_neighbor_cols, 0);
	} else if (strcmp(words[0], "neighbors") == 0 && json_array_size(reply) == 1) {
		rc = cli_render_show(out, json_array_get(reply, 0), NULL);
	} else if (strcmp(words[0], "routes") == 0) {
		bool adv = n > 1 && strcmp(words[1], "advertised") == 0;
		rc = cli_render_table(out, reply, adv ? cli_bgp_adv_cols : cli_bgp_route_cols, 0);
	} else if (json_is_object(reply)) {
		rc = cli_render_show(out, reply, NULL);
	} else {
		char *text = json_dumps(reply, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(out, "%s\n", text ? text : "");
		free(text);
	}
	json_decref(reply);
	return rc < 0 ? CLI_EXIT_API : rc;
}
