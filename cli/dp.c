/*
 * dp: `openvpc instance exec` (see dp.h): two signed calls to learn the data
 * plane's namespace prefix and that the instance is the caller's, then
 * setns(2) into the instance's network namespace and execvp(3).
 */
#include "cli/dp.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/render.h"

#define CLI_DP_ID_MAX 64

bool cli_dp_id_ok(const char *id)
{
	size_t n = 0;
	for (const char *s = id; *s; s++, n++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return n >= 1 && n <= CLI_DP_ID_MAX;
}

int cli_dp_exec_split(char **words, size_t n, const char **id, char ***argv, char *msg,
		      size_t msgsz)
{
	*id = NULL;
	*argv = NULL;
	if (n == 0) {
		snprintf(msg, msgsz, "'openvpc instance exec' needs INSTANCE_ID and a command");
		return -1;
	}
	if (!cli_dp_id_ok(words[0])) {
		snprintf(msg, msgsz, "\"%s\" is not an instance id", words[0]);
		return -1;
	}
	if (n < 2 || !words[1][0]) {
		snprintf(msg, msgsz, "'openvpc instance exec %s' needs a command to run", words[0]);
		return -1;
	}
	*id = words[0];
	*argv = words + 1;
	return 0;
}

int cli_dp_netns_path(const char *prefix, const char *id, char *buf, size_t size)
{
	/* The prefix is openvpcd's --dp-prefix (at most 5 characters); an empty
	 * one would still name a file of its own, but refuse anything that could
	 * leave the directory. */
	if (!prefix || (prefix[0] && !cli_dp_id_ok(prefix)) || !cli_dp_id_ok(id))
		return -1;
	int len = snprintf(buf, size, "%s/%s%s", CLI_DP_NETNS_DIR, prefix, id);
	return len < 0 || (size_t)len >= size ? -1 : 0;
}

int cli_dp_plane(const json_t *body, const char **prefix, const char **reason)
{
	*prefix = NULL;
	*reason = "";
	const json_t *en = json_object_get(body, "Enabled");
	if (!json_is_boolean(en))
		return -1;
	if (!json_is_true(en)) {
		const char *r = json_string_value(json_object_get(body, "Reason"));
		*reason = r ? r : "";
		return 0;
	}
	const char *p = json_string_value(json_object_get(body, "Prefix"));
	if (!p || (p[0] && !cli_dp_id_ok(p)))
		return -1;
	*prefix = p;
	return 1;
}

bool cli_dp_has_instance(const json_t *body, const char *id)
{
	const json_t *items = cli_list_at(body, "Instances.Instance");
	size_t i;
	const json_t *it;
	json_array_foreach(items, i, it)
	{
		const char *got = json_string_value(json_object_get(it, "InstanceId"));
		if (got && strcmp(got, id) == 0)
			return true;
	}
	return false;
}

/* One call; prints why it failed.  Returns CLI_EXIT_* (r always to be freed). */
static int cli_dp_call(const struct cli_conn *conn, const char *version, const char *action,
		       const struct cli_params *p, struct cli_reply *r, FILE *err)
{
	if (cli_call(conn, version, action, p, r) != CLI_EXIT_OK) {
		char *base = cli_base_url(conn->endpoint);
		fprintf(err, "Error: cannot reach openvpcd at %s: %s\n",
			base ? base : conn->endpoint, r->error);
		free(base);
		return CLI_EXIT_CONNECT;
	}
	if (cli_reply_is_error(r)) {
		cli_print_error(err, r);
		return CLI_EXIT_API;
	}
	if (!r->json) {
		fprintf(err, "Error: %s: the answer is not JSON\n", action);
		return CLI_EXIT_API;
	}
	return CLI_EXIT_OK;
}

/* Gives the process the namespace's own /sys, as `ip netns exec` does, so
 * tools that read /sys/class/net see the instance's devices.  Best effort:
 * without it the namespace is entered all the same (netlink and sockets do
 * not need /sys). */
static void cli_dp_private_sys(const char *nsname)
{
	if (unshare(CLONE_NEWNS) < 0)
		return;
	if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return;
	if (umount2("/sys", MNT_DETACH) < 0)
		return;
	(void)mount(nsname, "/sys", "sysfs", 0, NULL);
}

void cli_dp_exec_help(FILE *out)
{
	fputs("Usage: openvpc instance exec INSTANCE_ID -- CMD [ARGS...]\n"
	      "\n"
	      "Runs CMD inside the instance's network namespace on openvpcd's host, where\n"
	      "its ENIs are eth0, eth1, ... with their MACs and addresses: `ping`, `curl`,\n"
	      "`nc` from the instance.  Asks DescribeDataPlane (Version " CLI_V_OPS ") for\n"
	      "the namespace prefix (refused when the data plane is off) and\n"
	      "DescribeInstances whether the instance is this profile's, then enters\n"
	      "" CLI_DP_NETNS_DIR "/<Prefix><INSTANCE_ID> with setns(2) and executes CMD.\n"
	      "Needs root (CAP_SYS_ADMIN).  Everything after -- is the command's.\n"
	      "\n"
	      "Exit status: the command's; 1 when the data plane is off or the instance\n"
	      "unknown, 2 usage, 3 openvpcd unreachable, 126 the namespace cannot be\n"
	      "entered (not root, not on this host), 127 CMD cannot be run.\n"
	      "\n"
	      "Example:\n"
	      "  openvpc instance exec $i -- ping -c 3 10.0.1.2\n",
	      out);
}

int cli_dp_exec(const struct cli_conn *conn, const char *region, char **words, size_t n, FILE *out,
		FILE *err)
{
	const char *id;
	char **argv;
	char msg[256];
	if (cli_dp_exec_split(words, n, &id, &argv, msg, sizeof(msg)) < 0) {
		fprintf(err,
			"openvpc: %s\nUsage: openvpc instance exec INSTANCE_ID -- CMD [ARGS...]\n",
			msg);
		return CLI_EXIT_USAGE;
	}

	struct cli_params p;
	cli_params_init(&p);
	struct cli_reply r = {0};
	char path[256];
	int rc = CLI_EXIT_OK;
	if (!cli_params_add(&p, "RegionId", region)) {
		rc = CLI_EXIT_USAGE;
		fprintf(err, "openvpc: out of memory\n");
		goto out;
	}
	rc = cli_dp_call(conn, CLI_V_OPS, "DescribeDataPlane", &p, &r, err);
	if (rc != CLI_EXIT_OK)
		goto out;
	const char *prefix, *reason;
	int on = cli_dp_plane(r.json, &prefix, &reason);
	if (on < 0) {
		fprintf(err, "Error: DescribeDataPlane: an answer without Enabled and Prefix\n");
		rc = CLI_EXIT_API;
		goto out;
	}
	if (on == 0) {
		fprintf(err,
			"Error: the data plane of openvpcd is off%s%s: instances have no network "
			"namespace to run a command in.\n",
			reason[0] ? ": " : "", reason);
		rc = CLI_EXIT_API;
		goto out;
	}
	if (cli_dp_netns_path(prefix, id, path, sizeof(path)) < 0) {
		fprintf(err, "Error: no usable namespace name for prefix \"%s\" and \"%s\"\n",
			prefix, id);
		rc = CLI_EXIT_API;
		goto out;
	}
	cli_reply_free(&r);

	/* The instance must be one this profile can see: the namespace file is
	 * readable by anyone on the host, the API says whose it is. */
	json_t *ids = json_pack("[s]", id);
	char *ids_s = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
	json_decref(ids);
	bool ok = ids_s && cli_params_add(&p, "InstanceIds", ids_s);
	free(ids_s);
	if (!ok) {
		rc = CLI_EXIT_USAGE;
		fprintf(err, "openvpc: out of memory\n");
		goto out;
	}
	rc = cli_dp_call(conn, CLI_V_ECS, "DescribeInstances", &p, &r, err);
	if (rc != CLI_EXIT_OK)
		goto out;
	if (!cli_dp_has_instance(r.json, id)) {
		fprintf(err,
			"Error: InvalidInstanceId.NotFound: no instance \"%s\" in region %s.\n", id,
			region);
		rc = CLI_EXIT_API;
		goto out;
	}

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			fprintf(err,
				"Error: instance %s has no network namespace on this host (%s): "
				"openvpcd has not created it yet, or runs on another host.\n",
				id, path);
		else
			fprintf(err, "Error: cannot open %s: %s\n", path, strerror(errno));
		rc = CLI_DP_EXIT_CANNOT_ENTER;
		goto out;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = errno;
		if (e == EPERM)
			fprintf(err,
				"Error: openvpc instance exec needs root (CAP_SYS_ADMIN) to enter "
				"the network namespace of %s: run it as root, e.g. with sudo.\n",
				id);
		else
			fprintf(err, "Error: cannot enter %s: %s\n", path, strerror(e));
		close(fd);
		rc = CLI_DP_EXIT_CANNOT_ENTER;
		goto out;
	}
	close(fd);
	cli_dp_private_sys(path + strlen(CLI_DP_NETNS_DIR) + 1);
	cli_reply_free(&r);
	cli_params_free(&p);
	fflush(out);
	fflush(err);
	execvp(argv[0], argv);
	fprintf(err, "openvpc: cannot run %s: %s\n", argv[0], strerror(errno));
	return CLI_DP_EXIT_NOT_FOUND;
out:
	cli_reply_free(&r);
	cli_params_free(&p);
	return rc;
}
