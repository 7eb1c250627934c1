/*
 * openvpcd: the openvpc daemon.  With no arguments it runs everything of a
 * single-host install in one process (ARCHITECTURE.md): the API on
 * 127.0.0.1:8080, the SQLite store under ./var, the local agent.  On first
 * start it creates the operator account and prints its keys (also written,
 * mode 0600, to <data_dir>/operator.json).
 *
 * Start-up unwinds in reverse order on any failure; SIGINT/SIGTERM stop it
 * cleanly.  A kill -9 loses nothing that was acknowledged (the store
 * commits before any answer).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/dpsync.h"
#include "agent/local.h"
#include "api/act_dp.h"
#include "api/server.h"
#include "daemon/config.h"
#include "lib/log.h"
#include "model/account.h"
#include "model/clock.h"

static volatile sig_atomic_t openvpcd_stop;

static void openvpcd_on_signal(int sig)
{
	(void)sig;
	openvpcd_stop = 1;
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: openvpcd [--config FILE] [--data-dir DIR] [--listen IP:PORT]\n"
	    "                [--threads N] [--test-clock] [--settle-delay-ms N] [--log-level 0-3]\n"
	    "                [--dataplane auto|on|off] [--dp-prefix PFX] [--dp-destroy]\n"
	    "       openvpcd [--data-dir DIR] --mint-operator-key  (recovery: a new operator key)\n"
	    "Runs the openvpc API, store and local agent. See docs/operations.md.\n");
}

static int write_file_0600(const char *path, const char *text)
{
	char tmp[DCONF_PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t w = write(fd, text, len);
	int rc = (w == (ssize_t)len && fsync(fd) == 0) ? 0 : -EIO;
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	return rc;
}

/* The operator's key, in one write transaction: on every start, creates the
 * operator account when there is none (mint false); with
 * --mint-operator-key, the host-side recovery when no operator key works
 * (docs/operations.md), adds a key to the operator account (mint true; safe
 * while another openvpcd runs: an ordinary SQLite transaction).  A new key
 * is printed and written, mode 0600, to <data_dir>/operator.json. */
static int openvpcd_operator_key(struct store *st, const struct dconf *c, bool mint)
{
	struct store_txn *t;
	int rc = store_begin(st, true, &t);
	if (rc < 0)
		return rc;
	struct model m;
	model_init(&m, t, &c->model, (int64_t)time(NULL), 0, true);
	bool created = true;
	struct account_key key;
	if ((mint ? account_mint_operator_key(&m, &key) : account_bootstrap(&m, &created, &key)) <
	    0) {
		store_abort(t);
		log_err("%s: %s", mint ? "mint-operator-key" : "bootstrap", merr_message(&m.err));
		return -EIO;
	}
	rc = store_commit(t, NULL);
	if (rc < 0 || !created)
		return rc;
	char path[DCONF_PATH_MAX + 32], text[512];
	snprintf(text, sizeof(text),
		 "{\"AccountId\":%" PRIu64 ",\"AccessKeyId\":\"%s\",\"AccessKeySecret\":\"%s\"}\n",
		 key.owner, key.akid, key.secret);
	snprintf(path, sizeof(path), "%s/operator.json", c->data_dir);
	if (write_file_0600(path, text) < 0)
		log_warn("cannot write %s", path);
	printf("openvpcd: %s %" PRIu64
	       "\n  AccessKeyId     %s\n  AccessKeySecret %s\n  (saved in %s)\n",
	       mint ? "new operator key for account" : "created the operator account", key.owner,
	       key.akid, key.secret, path);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"data-dir", required_argument, NULL, 'd'},
	    {"listen", required_argument, NULL, 'l'},
	    {"threads", required_argument, NULL, 't'},
	    {"test-clock", no_argument, NULL, 'T'},
	    {"settle-delay-ms", required_argument, NULL, 's'},
	    {"log-level", required_argument, NULL, 'v'},
	    {"dataplane", required_argument, NULL, 'D'},
	    {"dp-prefix", required_argument, NULL, 'P'},
	    {"dp-destroy", no_argument, NULL, 'X'},
	    {"mint-operator-key", no_argument, NULL, 'K'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct dconf c;
	dconf_defaults(&c);
	/* The config file first, so command-line options override it. */
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--config") && dconf_load(&c, argv[i + 1]) < 0)
			return 2;
	int ch;
	bool dp_destroy = false, mint = false;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			break;
		case 'd':
			snprintf(c.data_dir, sizeof(c.data_dir), "%s", optarg);
			break;
		case 'l':
			snprintf(c.listen, sizeof(c.listen), "%s", optarg);
			break;
		case 't':
			c.threads = (unsigned)atoi(optarg);
			break;
		case 'T':
			c.test_clock = true;
			break;
		case 's':
			c.settle_delay_ms = atoi(optarg);
			break;
		case 'v':
			c.log_level = atoi(optarg);
			break;
		case 'K':
			mint = true;
			break;
		case 'D':
			if (!dconf_dp_mode(optarg, &c.dataplane)) {
				fprintf(stderr, "openvpcd: --dataplane is auto, on or off\n");
				return 2;
			}
			break;
		case 'P':
			snprintf(c.dp_prefix, sizeof(c.dp_prefix), "%.5s", optarg);
			break;
		case 'X':
			dp_destroy = true;
			break;
		default:
			usage();
			return ch == 'h' ? 0 : 2;
		}
	}
	log_set_level((enum log_level)c.log_level);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (dp_destroy) {
		/* Removes the namespaces and pins of the prefix (devices go with
		 * their namespaces); the store is untouched. */
		int r = dpsync_destroy_all(c.dp_prefix);
		printf("openvpcd: data plane of prefix %s removed%s\n", c.dp_prefix,
		       r < 0 ? " (some pins remained)" : "");
		return r < 0 ? 1 : 0;
	}
	if (mkdir(c.data_dir, 0700) < 0 && errno != EEXIST) {
		log_err("cannot create %s: %s", c.data_dir, strerror(errno));
		return 1;
	}
	char uri[DCONF_PATH_MAX + 32];
	snprintf(uri, sizeof(uri), "sqlite:%s/openvpc.db", c.data_dir);
	struct store *st = NULL;
	struct agent_local *agent = NULL;
	struct api_server *api = NULL;
	int rc = store_open(uri, &st);
	if (rc < 0) {
		log_err("cannot open the store %s: %d", uri, rc);
		return 1;
	}
	rc = openvpcd_operator_key(st, &c, mint);
	if (mint)
		goto out_store;
	if (rc < 0) {
		log_err("bootstrap failed: %d", rc);
		goto out_store;
	}
	struct dpsync *dp = NULL;
	char why[256] = "disabled by configuration (--dataplane off)";
	if (c.dataplane != DCONF_DP_OFF) {
		struct dpsync_opts dpo = {.prefix = c.dp_prefix, .cfg = &c.model, .tap = c.dp_tap};
		rc = dpsync_create(&dpo, &dp, why, sizeof(why));
		if (rc < 0 && c.dataplane == DCONF_DP_ON) {
			log_err("the data plane cannot start: %s", why);
			goto out_store;
		}
	}
	if (dp)
		printf("openvpcd: data plane on (prefix %s, backend %s, pins /sys/fs/bpf/%s)\n",
		       dpsync_prefix(dp), dpsync_backend(dp), dpsync_prefix(dp));
	else
		printf("openvpcd: data plane off: %s\n", why);
	act_dp_set(dp, why);
	struct agent_local_opts ao = {
	    .settle_delay_ms = c.settle_delay_ms, .tick_ms = 500, .dp = dp};
	rc = agent_local_start(st, &c.model, &ao, &agent);
	if (rc < 0) {
		log_err("agent failed to start: %d", rc);
		goto out_store;
	}
	struct api_server_opts so = {.listen = c.listen,
				     .threads = c.threads,
				     .test_clock = c.test_clock,
				     .max_skew = 900,
				     .data_dir = c.data_dir};
	rc = api_server_start(st, &c.model, &so, &api);
	if (rc < 0)
		goto out_agent;

	char addr[160], path[DCONF_PATH_MAX + 32];
	const char *colon = strrchr(c.listen, ':');
	snprintf(addr, sizeof(addr), "%.*s:%u\n", (int)(colon - c.listen), c.listen,
		 api_server_port(api));
	snprintf(path, sizeof(path), "%s/api.addr", c.data_dir);
	write_file_0600(path, addr);
	printf("openvpcd: API listening on http://%.*s (store %s, revision %" PRIu64 "%s)\n",
	       (int)strlen(addr) - 1, addr, uri, store_revision(st),
	       c.test_clock ? ", test clock" : "");

	struct sigaction sa = {.sa_handler = openvpcd_on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!openvpcd_stop)
		pause();
	log_info("stopping");
	rc = 0;
	api_server_stop(api);
out_agent:
	agent_local_stop(agent);
	act_dp_set(NULL, "stopping");
	dpsync_destroy(dp); /* the kernel state stays: forwarding goes on */
out_store:
	store_close(st);
	return rc < 0 ? 1 : 0;
}
