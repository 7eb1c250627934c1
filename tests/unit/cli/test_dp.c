/*
 * Unit tests of the CLI's data-plane commands (cli/dp.c and their rows in
 * cli/commands.c): `openvpc show counters|drops|rules|flows`, `openvpc trace`
 * and `openvpc instance exec`.  A fake openvpcd (a thread answering HTTP on
 * 127.0.0.1 with canned JSON per Action) stands in for the daemon, so the
 * tests check what the CLI sends (the short flags' parameters) and how it
 * prints the answers, and exec's refusals, without a data plane.  The one
 * test that really enters a namespace needs root and makes its own.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dp.h"
#include "cli/request.h"

/* ------------------------------------------------------------ fake openvpcd */

#define MAX_ANSWERS 8

static struct {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t mu;
	const char *action[MAX_ANSWERS];
	const char *body[MAX_ANSWERS];
	int status[MAX_ANSWERS];
	size_t n;
	char last_query[8192]; /* the decoded query of the last request */
	char calls[1024];      /* the actions called, space-separated */
} fake;

static void pct_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (s[i] == '%' && i + 2 < len) {
			char hex[3] = {s[i + 1], s[i + 2], 0};
			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			out[o++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	out[o] = '\0';
}

/* The decoded value of parameter k in the last request, or NULL. */
static const char *sent(const char *k)
{
	static char val[1024];
	char want[128];
	snprintf(want, sizeof(want), "&%s=", k);
	const char *p = strstr(fake.last_query, want);
	if (!p)
		return NULL;
	p += strlen(want);
	size_t len = strcspn(p, "&");
	snprintf(val, sizeof(val), "%.*s", (int)len, p);
	return val;
}

static void *fake_serve(void *arg)
{
	(void)arg;
	for (;;) {
		int c = accept(fake.fd, NULL, NULL);
		if (c < 0)
			return NULL;
		char req[16384];
		size_t used = 0;
		while (used < sizeof(req) - 1) {
			ssize_t r = read(c, req + used, sizeof(req) - 1 - used);
			if (r <= 0)
				break;
			used += (size_t)r;
			req[used] = '\0';
			if (strstr(req, "\r\n\r\n"))
				break;
		}
		req[used] = '\0';
		/* "GET /?a=b&c=d HTTP/1.1": decode each parameter into "&k=v". */
		char query[8192] = "";
		const char *q = strstr(req, "/?");
		if (q) {
			q += 2;
			size_t qlen = strcspn(q, " ");
			size_t o = 0;
			while (qlen > 0) {
				size_t part = strcspn(q, "& ");
				if (part > qlen)
					part = qlen;
				char dec[2048];
				pct_decode(q, part, dec, sizeof(dec));
				o += (size_t)snprintf(query + o, sizeof(query) - o, "&%s", dec);
				if (o >= sizeof(query))
					o = sizeof(query) - 1;
				q += part;
				qlen -= part;
				if (qlen > 0 && *q == '&') {
					q++;
					qlen--;
				}
			}
		}
		pthread_mutex_lock(&fake.mu);
		snprintf(fake.last_query, sizeof(fake.last_query), "%s&", query);
		const char *action = NULL;
		char *a = strstr(fake.last_query, "&Action=");
		char name[128] = "";
		if (a) {
			a += 8;
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(a, "&"), a);
			action = name;
		}
		size_t cl = strlen(fake.calls);
		snprintf(fake.calls + cl, sizeof(fake.calls) - cl, "%s ", action ? action : "?");
		const char *body = "{\"RequestId\":\"R\",\"Code\":\"InvalidApi.NotFound\","
				   "\"Message\":\"no such action\"}";
		int status = 404;
		for (size_t i = 0; action && i < fake.n; i++)
			if (strcmp(fake.action[i], action) == 0) {
				body = fake.body[i];
				status = fake.status[i];
			}
		pthread_mutex_unlock(&fake.mu);
		char head[256];
		int hl = snprintf(head, sizeof(head),
				  "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
				  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
				  status, strlen(body));
		ssize_t w1 = write(c, head, (size_t)hl);
		ssize_t w2 = write(c, body, strlen(body));
		(void)w1;
		(void)w2;
		close(c);
	}
}

static void answer(const char *action, int status, const char *body)
{
	pthread_mutex_lock(&fake.mu);
	cr_assert_lt(fake.n, MAX_ANSWERS);
	fake.action[fake.n] = action;
	fake.status[fake.n] = status;
	fake.body[fake.n] = body;
	fake.n++;
	pthread_mutex_unlock(&fake.mu);
}

static char home[64];

static void setup(void)
{
	snprintf(home, sizeof(home), "/tmp/openvpc-cli-dp.XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	setenv("HOME", home, 1);
	unsetenv("OPENVPC_CONFIG");
	unsetenv("OPENVPC_PROFILE");
	unsetenv("ALIBABA_CLOUD_ACCESS_KEY_ID");
	unsetenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	memset(&fake, 0, sizeof(fake));
	pthread_mutex_init(&fake.mu, NULL);
	fake.fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_geq(fake.fd, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	cr_assert_eq(bind(fake.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(fake.fd, 16), 0);
	socklen_t sl = sizeof(sa);
	getsockname(fake.fd, (struct sockaddr *)&sa, &sl);
	fake.port = ntohs(sa.sin_port);
	char ep[64];
	snprintf(ep, sizeof(ep), "127.0.0.1:%d", fake.port);
	setenv("OPENVPC_ENDPOINT", ep, 1);
	setenv("OPENVPC_REGION", "cn-hangzhou", 1);
	setenv("OPENVPC_ACCESS_KEY_ID", "LTAItest", 1);
	setenv("OPENVPC_ACCESS_KEY_SECRET", "secret", 1);
	pthread_create(&fake.thread, NULL, fake_serve, NULL);
}

static void teardown(void)
{
	shutdown(fake.fd, SHUT_RDWR);
	close(fake.fd);
	pthread_join(fake.thread, NULL);
	curl_global_cleanup();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(dp, .init = setup, .fini = teardown);

struct run {
	int rc;
	char *out, *err;
};

static struct run run(const char *first, ...)
{
	char *argv[40] = {"openvpc"};
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 39; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	struct run r = {0};
	size_t lo, le;
	FILE *o = open_memstream(&r.out, &lo), *e = open_memstream(&r.err, &le);
	r.rc = cli_main(argc, argv, o, e);
	fclose(o);
	fclose(e);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#define expect_in(hay, needle)                                                                     \
	cr_expect(strstr((hay), (needle)) != NULL, "no \"%s\" in:\n%s", (needle), (hay))
#define expect_sent(k, v)                                                                          \
	do {                                                                                       \
		const char *got_ = sent(k);                                                        \
		cr_expect(got_ &&strcmp(got_, (v)) == 0, "%s sent as %s, not %s", (k),             \
			  got_ ? got_ : "(nothing)", (v));                                         \
	} while (0)

/* ------------------------------------------------------------ pure helpers */

Test(dp, ids_and_paths)
{
	cr_expect(cli_dp_id_ok("i-2ze0123456789abcdefg"));
	cr_expect(cli_dp_id_ok("a_b-C9"));
	cr_expect(!cli_dp_id_ok(""));
	cr_expect(!cli_dp_id_ok("../etc"));
	cr_expect(!cli_dp_id_ok("i-1/x"));
	cr_expect(!cli_dp_id_ok("i 1"));
	char buf[128];
	cr_expect_eq(cli_dp_netns_path("ov", "i-abc", buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "/run/netns/ovi-abc");
	cr_expect_eq(cli_dp_netns_path("e1a2", "i-abc", buf, sizeof(buf)), 0);
	cr_expect_str_eq(buf, "/run/netns/e1a2i-abc");
	cr_expect_eq(cli_dp_netns_path("o/v", "i-abc", buf, sizeof(buf)), -1);
	cr_expect_eq(cli_dp_netns_path("ov", "..", buf, sizeof(buf)), -1);
	cr_expect_eq(cli_dp_netns_path(NULL, "i-1", buf, sizeof(buf)), -1);
	cr_expect_eq(cli_dp_netns_path("ov", "i-abc", buf, 12), -1);
}

Test(dp, exec_split)
{
	char *w[] = {"i-1", "ping", "-c", "1", "10.0.1.2"};
	const char *id;
	char **argv;
	char msg[256];
	cr_assert_eq(cli_dp_exec_split(w, 5, &id, &argv, msg, sizeof(msg)), 0);
	cr_expect_str_eq(id, "i-1");
	cr_expect_str_eq(argv[0], "ping");
	cr_expect_str_eq(argv[3], "10.0.1.2");
	cr_expect_eq(cli_dp_exec_split(w, 1, &id, &argv, msg, sizeof(msg)), -1);
	cr_expect(strstr(msg, "needs a command") != NULL, "%s", msg);
	cr_expect_eq(cli_dp_exec_split(w, 0, &id, &argv, msg, sizeof(msg)), -1);
	char *bad[] = {"../x", "true"};
	cr_expect_eq(cli_dp_exec_split(bad, 2, &id, &argv, msg, sizeof(msg)), -1);
	cr_expect(strstr(msg, "not an instance id") != NULL, "%s", msg);
}

Test(dp, plane_answer)
{
	const char *prefix, *reason;
	json_t *on = json_loads("{\"Enabled\":true,\"Reason\":\"\",\"Prefix\":\"ov\","
				"\"Backend\":\"netns\"}",
				0, NULL);
	cr_expect_eq(cli_dp_plane(on, &prefix, &reason), 1);
	cr_expect_str_eq(prefix, "ov");
	json_t *off =
	    json_loads("{\"Enabled\":false,\"Reason\":\"not root\",\"Prefix\":\"ov\"}", 0, NULL);
	cr_expect_eq(cli_dp_plane(off, &prefix, &reason), 0);
	cr_expect_str_eq(reason, "not root");
	json_t *bad = json_loads("{\"Enabled\":\"yes\"}", 0, NULL);
	cr_expect_eq(cli_dp_plane(bad, &prefix, &reason), -1);
	json_t *evil = json_loads("{\"Enabled\":true,\"Prefix\":\"../x\"}", 0, NULL);
	cr_expect_eq(cli_dp_plane(evil, &prefix, &reason), -1);
	json_t *inst =
	    json_loads("{\"Instances\":{\"Instance\":[{\"InstanceId\":\"i-1\"}]}}", 0, NULL);
	cr_expect(cli_dp_has_instance(inst, "i-1"));
	cr_expect(!cli_dp_has_instance(inst, "i-2"));
	cr_expect(!cli_dp_has_instance(off, "i-1"));
	json_decref(on);
	json_decref(off);
	json_decref(bad);
	json_decref(evil);
	json_decref(inst);
}

/* ------------------------------------------------------------ show */

static const char counters[] =
    "{\"RequestId\":\"R1\",\"Counters\":{\"Counter\":[{\"NetworkInterfaceId\":\"eni-a\","
    "\"InstanceId\":\"i-a\",\"TxPackets\":10,\"TxBytes\":980,\"RxPackets\":9,\"RxBytes\":882,"
    "\"ArpPackets\":2,\"DropPackets\":1,\"DropBytes\":98},{\"NetworkInterfaceId\":\"eni-b\","
    "\"InstanceId\":\"i-b\",\"TxPackets\":0,\"TxBytes\":0,\"RxPackets\":0,\"RxBytes\":0,"
    "\"ArpPackets\":0,\"DropPackets\":0,\"DropBytes\":0}]}}";

Test(dp, show_counters)
{
	answer("DescribeEniCounters", 200, counters);
	struct run r = run("show", "counters", "--eni", "eni-a", NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_sent("Version", "2026-01-01");
	expect_sent("NetworkInterfaceId", "eni-a");
	expect_in(r.out, "ENI    INSTANCE  TX-PKTS  TX-BYTES  RX-PKTS");
	expect_in(r.out, "eni-a  i-a       10       980       9");
	run_free(&r);
	/* The positional and the long flag say the same. */
	r = run("show", "counters", "eni-b", NULL);
	cr_expect_eq(r.rc, 0);
	expect_sent("NetworkInterfaceId", "eni-b");
	run_free(&r);
	r = run("show", "counters", "--network-interface-id", "eni-c", NULL);
	cr_expect_eq(r.rc, 0);
	expect_sent("NetworkInterfaceId", "eni-c");
	run_free(&r);
	/* No ENI: every ENI (no parameter sent). */
	r = run("show", "counters", NULL);
	cr_expect_eq(r.rc, 0);
	cr_expect_null(sent("NetworkInterfaceId"));
	run_free(&r);
	r = run("show", "counters", "--json", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "\"TxBytes\": 980");
	run_free(&r);
	r = run("show", "counters", "--field", "RxPackets", NULL);
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "9\n0\n");
	run_free(&r);
	r = run("show", "counters", "--eni-typo", "x", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "unknown flag --eni-typo for 'openvpc show counters'");
	run_free(&r);
}

Test(dp, show_drops_rules_flows)
{
	answer("DescribeDrops", 200,
	       "{\"RequestId\":\"R\",\"Drops\":{\"Drop\":[{\"NetworkInterfaceId\":\"eni-a\","
	       "\"Reason\":\"SPOOF_IP\",\"Description\":\"source address is not assigned to the "
	       "ENI\",\"Packets\":3,\"Bytes\":252}]}}");
	answer("DescribeRuleCounters", 200,
	       "{\"RequestId\":\"R\",\"Rules\":{\"Rule\":[{\"SecurityGroupId\":\"sg-a\","
	       "\"SecurityGroupRuleId\":\"sgr-1\",\"Packets\":5,\"Bytes\":300}]}}");
	answer("DescribeFlows", 200,
	       "{\"RequestId\":\"R\",\"Flows\":{\"Flow\":[{\"Protocol\":\"tcp\",\"SourceIp\":"
	       "\"10.0.1.1\",\"SourcePort\":40000,\"DestinationIp\":\"10.0.1.2\","
	       "\"DestinationPort\":80,\"State\":\"ESTABLISHED\",\"Direction\":\"original\","
	       "\"Packets\":4,\"Bytes\":300,\"PeerNetworkInterfaceId\":\"eni-b\"}]}}");
	struct run r = run("show", "drops", "--eni", "eni-a", NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_sent("Action", "DescribeDrops");
	expect_sent("NetworkInterfaceId", "eni-a");
	expect_in(r.out, "REASON");
	expect_in(r.out, "SPOOF_IP  3        252    source address is not assigned");
	run_free(&r);
	r = run("show", "rules", "--sg", "sg-a", NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_sent("SecurityGroupId", "sg-a");
	expect_in(r.out, "sg-a            sgr-1  5        300");
	run_free(&r);
	r = run("show", "flows", "--eni", "eni-a", NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_sent("NetworkInterfaceId", "eni-a");
	expect_in(r.out, "tcp    10.0.1.1  40000  10.0.1.2     80     ESTABLISHED  original");
	run_free(&r);
	r = run("show", "flows", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "needs ENI_ID");
	run_free(&r);
	r = run("show", "nothing", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
}

/* ------------------------------------------------------------ trace */

static const char trace_drop[] =
    "{\"RequestId\":\"R\",\"Verdict\":\"Drop\",\"DropReason\":\"SG_INGRESS\","
    "\"DropDescription\":\"denied by the destination's security groups (ingress)\","
    "\"Steps\":{\"Step\":[{\"Stage\":\"port security\",\"Result\":\"ok\",\"Detail\":\"\"},"
    "{\"Stage\":\"route lookup\",\"Result\":\"local\",\"Detail\":\"10.0.1.0/24\"},"
    "{\"Stage\":\"security groups, ingress of the destination\",\"Result\":\"drop\","
    "\"Detail\":\"no rule matches\"}]}}";

Test(dp, trace)
{
	answer("TracePacket", 200, trace_drop);
	struct run r = run("trace", "--eni", "eni-a", "--proto", "tcp", "--dst", "10.0.1.2",
			   "--src", "10.0.1.1", "--sport", "40000", "--dport", "80", "--flags",
			   "SYN", "--ttl", "5", NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_sent("Action", "TracePacket");
	expect_sent("Version", "2026-01-01");
	expect_sent("NetworkInterfaceId", "eni-a");
	expect_sent("Protocol", "tcp");
	expect_sent("DestinationIp", "10.0.1.2");
	expect_sent("SourceIp", "10.0.1.1");
	expect_sent("SourcePort", "40000");
	expect_sent("DestinationPort", "80");
	expect_sent("TcpFlags", "SYN");
	expect_sent("Ttl", "5");
	expect_in(r.out, "Verdict:");
	expect_in(r.out, "Drop\n");
	expect_in(r.out, "DropReason:");
	expect_in(r.out, "SG_INGRESS");
	expect_in(r.out, "Steps:\n  STAGE");
	expect_in(r.out, "  route lookup  ");
	cr_expect(strstr(r.out, "Steps.1") == NULL, "steps printed as fields:\n%s", r.out);
	run_free(&r);
	/* `trace packet` is the same command; the ENI can be positional. */
	r = run("trace", "packet", "eni-b", "--dst", "10.0.1.3", NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_sent("NetworkInterfaceId", "eni-b");
	run_free(&r);
	r = run("trace", "eni-c", "--dst", "10.0.1.3", NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_sent("NetworkInterfaceId", "eni-c");
	run_free(&r);
	r = run("trace", "--eni", "eni-a", "--dst", "10.0.1.2", "--json", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "\"DropReason\": \"SG_INGRESS\"");
	run_free(&r);
	r = run("trace", "--eni", "eni-a", "--dst", "10.0.1.2", "--field", "Verdict", NULL);
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "Drop\n");
	run_free(&r);
	r = run("trace", "--dst", "10.0.1.2", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "needs ENI_ID");
	run_free(&r);
	r = run("trace", "--eni", "eni-a", "--dts", "10.0.1.2", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "Did you mean --dst?");
	run_free(&r);
	r = run("trace", "--help", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "--proto");
	expect_in(r.out, "Calls TracePacket");
	run_free(&r);
	r = run("trace", "help", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "packet");
	run_free(&r);
	r = run("trace", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
}

Test(dp, trace_api_error)
{
	answer("TracePacket", 400,
	       "{\"RequestId\":\"R9\",\"Code\":\"MissingParameter\",\"Message\":\"DestinationIp "
	       "is required\"}");
	struct run r = run("trace", "--eni", "eni-a", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_API);
	expect_in(r.err, "Error: MissingParameter");
	run_free(&r);
}

/* ------------------------------------------------------------ instance exec */

static const char plane_on[] =
    "{\"RequestId\":\"R\",\"Enabled\":true,\"Reason\":\"\",\"Prefix\":\"zq9\","
    "\"Backend\":\"netns\"}";
static const char inst_a[] =
    "{\"RequestId\":\"R\",\"TotalCount\":1,\"Instances\":{\"Instance\":[{\"InstanceId\":"
    "\"i-cliunittest\",\"Status\":\"Running\"}]}}";

Test(dp, exec_refused_when_the_data_plane_is_off)
{
	answer("DescribeDataPlane", 200,
	       "{\"RequestId\":\"R\",\"Enabled\":false,\"Reason\":\"not root\",\"Prefix\":\"ov\","
	       "\"Backend\":\"netns\"}");
	struct run r = run("instance", "exec", "i-1", "--", "true", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_API);
	expect_in(r.err, "data plane of openvpcd is off: not root");
	cr_expect_str_eq(fake.calls, "DescribeDataPlane ");
	expect_sent("Version", "2026-01-01");
	run_free(&r);
}

Test(dp, exec_refuses_an_unknown_instance)
{
	answer("DescribeDataPlane", 200, plane_on);
	answer("DescribeInstances", 200,
	       "{\"RequestId\":\"R\",\"TotalCount\":0,\"Instances\":{\"Instance\":[]}}");
	struct run r = run("instance", "exec", "i-other", "--", "true", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_API);
	expect_in(r.err, "InvalidInstanceId.NotFound");
	expect_sent("Action", "DescribeInstances");
	expect_sent("InstanceIds", "[\"i-other\"]");
	run_free(&r);
}

Test(dp, exec_without_a_namespace)
{
	answer("DescribeDataPlane", 200, plane_on);
	answer("DescribeInstances", 200, inst_a);
	struct run r = run("instance", "exec", "i-cliunittest", "--", "true", NULL);
	cr_expect_eq(r.rc, CLI_DP_EXIT_CANNOT_ENTER);
	expect_in(r.err, "no network namespace on this host (/run/netns/zq9i-cliunittest)");
	run_free(&r);
	/* The instance given as its flag says the same. */
	r = run("instance", "exec", "--instance-id", "i-cliunittest", "--", "true", NULL);
	cr_expect_eq(r.rc, CLI_DP_EXIT_CANNOT_ENTER, "%s", r.err);
	expect_sent("InstanceIds", "[\"i-cliunittest\"]");
	run_free(&r);
}

Test(dp, exec_usage)
{
	struct run r = run("instance", "exec", "i-1", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "needs a command");
	run_free(&r);
	r = run("instance", "exec", "i-1", "--count", "3", "--", "ping", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "unknown flag --count for 'openvpc instance exec'");
	run_free(&r);
	r = run("instance", "exec", "--instance-id", "i-1", "--instance-id", "i-2", "--", "true",
		NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "unknown flag --instance-id");
	run_free(&r);
	r = run("instance", "exec", "--help", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "INSTANCE_ID -- CMD");
	expect_in(r.out, "setns");
	run_free(&r);
	r = run("instance", "help", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "exec INSTANCE_ID -- CMD");
	run_free(&r);
	cr_expect_str_eq(fake.calls, "");
}

/* As root: a namespace of our own named like openvpcd's (the PID in the
 * name, so parallel runs do not meet), a command run in it, and its exit
 * status passed through. */
Test(dp, exec_runs_the_command_in_the_namespace)
{
	if (geteuid() != 0) {
		cr_skip_test("needs root (a network namespace)");
		return;
	}
	char id[32], ns[40], cmd[160];
	static char inst[256];
	snprintf(id, sizeof(id), "i-cliut%d", (int)getpid());
	snprintf(ns, sizeof(ns), "zq9%s", id);
	snprintf(inst, sizeof(inst),
		 "{\"RequestId\":\"R\",\"TotalCount\":1,\"Instances\":{\"Instance\":[{"
		 "\"InstanceId\":\"%s\",\"Status\":\"Running\"}]}}",
		 id);
	answer("DescribeDataPlane", 200, plane_on);
	answer("DescribeInstances", 200, inst);
	snprintf(cmd, sizeof(cmd), "ip netns add %s", ns);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "ip -n %s link add zq9probe type veth peer name zq9probe2", ns);
	bool made = system(cmd) == 0;
	cr_expect(made, "cannot make a veth in the test namespace");
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {
		    "openvpc",
		    "instance",
		    "exec",
		    id,
		    "--",
		    "sh",
		    "-c",
		    "ip link show zq9probe >/dev/null && [ -e /sys/class/net/zq9probe ] "
		    "&& exit 7; exit 1",
		    NULL};
		_exit(cli_main(8, argv, stdout, stderr));
	}
	int st = 0;
	waitpid(pid, &st, 0);
	cr_expect(!made || (WIFEXITED(st) && WEXITSTATUS(st) == 7), "status %d", st);
	pid = fork();
	if (pid == 0) {
		char *argv[] = {"openvpc", "instance", "exec", id, "--", "/nonexistent/command",
				NULL};
		_exit(cli_main(6, argv, stdout, stderr));
	}
	waitpid(pid, &st, 0);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == CLI_DP_EXIT_NOT_FOUND, "status %d", st);
	snprintf(cmd, sizeof(cmd), "ip netns del %s", ns);
	cr_expect_eq(system(cmd), 0);
}
