/*
 * Unit tests of cli/cli: the command line as a whole, without a daemon:
 * help texts and their exit status, usage errors with their hints (unknown
 * command, verb or flag, a missing ID, flags that belong elsewhere), no
 * credentials, an unreachable daemon (exit 3), and `configure` writing the
 * config file (from flags and from an operator.json).  Each test runs in its
 * own process with a temporary HOME.
 */
#include <criterion/criterion.h>

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "cli/request.h"

static char home[64];

static void setup(void)
{
	snprintf(home, sizeof(home), "/tmp/openvpc-cli-test.XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	setenv("HOME", home, 1);
	static const char *const vars[] = {"OPENVPC_CONFIG",
					   "OPENVPC_PROFILE",
					   "OPENVPC_ENDPOINT",
					   "OPENVPC_REGION",
					   "OPENVPC_ACCESS_KEY_ID",
					   "OPENVPC_ACCESS_KEY_SECRET",
					   "ALIBABA_CLOUD_ACCESS_KEY_ID",
					   "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
					   "ALIBABA_CLOUD_REGION_ID"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void teardown(void)
{
	curl_global_cleanup();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(cli, .init = setup, .fini = teardown);

struct run {
	int rc;
	char *out, *err;
};

/* Runs `openvpc ARGS...` (NULL-terminated) and captures both streams. */
static struct run run(const char *first, ...)
{
	char *argv[32] = {"openvpc"};
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
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

Test(cli, help)
{
	struct run r = run("help", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "Usage:");
	expect_in(r.out, "ipv6gw");
	expect_in(r.out, "Exit status");
	run_free(&r);
	r = run("--help", NULL);
	cr_expect_eq(r.rc, 0);
	run_free(&r);
	r = run(NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "Usage:");
	run_free(&r);
	r = run("vpc", "help", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "enable-classiclink");
	run_free(&r);
	r = run("vpc", "--help", NULL);
	cr_expect_eq(r.rc, 0);
	run_free(&r);
	r = run("vpc", "create", "--help", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "Calls CreateVpc (Version 2016-04-28)");
	expect_in(r.out, "--cidr-block");
	expect_in(r.out, "--tag K=V...");
	run_free(&r);
	r = run("help", "eni", "assign-ip", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "--private-ip-address...");
	run_free(&r);
	r = run("sg", "-h", NULL);
	cr_expect_eq(r.rc, 0);
	run_free(&r);
	r = run("call", "--help", NULL);
	cr_expect_eq(r.rc, 0);
	run_free(&r);
	r = run("version", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "openvpc ");
	run_free(&r);
}

Test(cli, usage_errors)
{
	struct run r = run("vcp", "list", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "unknown command 'vcp'");
	expect_in(r.err, "Did you mean 'vpc'?");
	run_free(&r);
	r = run("vpc", "lsit", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "Did you mean 'openvpc vpc list'?");
	run_free(&r);
	r = run("vpc", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "Commands:");
	run_free(&r);
	r = run("vpc", "create", "--cidr-blok", "10.0.0.0/8", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "unknown flag --cidr-blok for 'openvpc vpc create'");
	expect_in(r.err, "Did you mean --cidr-block?");
	run_free(&r);
	r = run("vpc", "delete", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "needs VPC_ID");
	run_free(&r);
	r = run("vpc", "delete", "vpc-1", "vpc-2", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "unexpected argument \"vpc-2\"");
	run_free(&r);
	r = run("vpc", "create", "--vpc-name", "a", "--name", "b", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "given 2 times");
	run_free(&r);
	r = run("vpc", "list", "--save-profile", "x", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
	r = run("vpc", "list", "-x", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "unknown flag -x");
	run_free(&r);
	r = run("vpc", "list", "--endpoint", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "--endpoint needs a value");
	run_free(&r);
	r = run("zone", "list", "--tag", "a=b", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "takes no tags");
	run_free(&r);
	r = run("call", "2016-04-28", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
	r = run("--timeout", "soon", "vpc", "list", "--access-key-id", "a", "--access-key-secret",
		"b", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
}

Test(cli, no_credentials)
{
	struct run r = run("vpc", "list", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "no AccessKey pair");
	expect_in(r.err, "openvpc configure");
	run_free(&r);
	r = run("--access-key-id", "a", "vpc", "list", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	expect_in(r.err, "no secret");
	run_free(&r);
}

Test(cli, unreachable_daemon)
{
	struct run r = run("--endpoint", "127.0.0.1:1", "--access-key-id", "a",
			   "--access-key-secret", "b", "vpc", "delete", "vpc-1", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_CONNECT);
	expect_in(r.err, "cannot reach openvpcd at http://127.0.0.1:1");
	run_free(&r);
	r = run("--endpoint", "127.0.0.1:1", "--access-key-id", "a", "--access-key-secret", "b",
		"call", "2016-04-28", "DescribeVpcs", "PageSize=1", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_CONNECT);
	run_free(&r);
}

Test(cli, configure)
{
	char cfg[128];
	snprintf(cfg, sizeof(cfg), "%s/sub/config", home);
	setenv("OPENVPC_CONFIG", cfg, 1);
	struct run r =
	    run("configure", "--profile", "p1", "--endpoint", "10.0.0.1:80", "--region",
		"cn-beijing", "--access-key-id", "AK", "--access-key-secret", "SK", NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_in(r.out, "Saved profile \"p1\"");
	run_free(&r);
	struct stat st;
	cr_assert_eq(stat(cfg, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	/* Only what is given changes. */
	r = run("configure", "--profile", "p1", "--region", "cn-shanghai", NULL);
	cr_expect_eq(r.rc, 0);
	run_free(&r);
	struct cli_profile p;
	char err[256];
	cr_assert_eq(cli_config_read(cfg, "p1", &p, err, sizeof(err)), 1);
	cr_expect_str_eq(p.endpoint, "10.0.0.1:80");
	cr_expect_str_eq(p.region, "cn-shanghai");
	cr_expect_str_eq(p.akid, "AK");
	cr_expect_str_eq(p.secret, "SK");
	cli_profile_free(&p);

	/* From openvpcd's operator.json, into the default profile. */
	char op[128];
	snprintf(op, sizeof(op), "%s/operator.json", home);
	FILE *f = fopen(op, "w");
	fputs("{\"AccountId\":1,\"AccessKeyId\":\"LTAIop\",\"AccessKeySecret\":\"opsecret\"}\n", f);
	fclose(f);
	r = run("configure", "--from-operator-file", op, NULL);
	cr_expect_eq(r.rc, 0, "%s", r.err);
	run_free(&r);
	cr_assert_eq(cli_config_read(cfg, "default", &p, err, sizeof(err)), 1);
	cr_expect_str_eq(p.akid, "LTAIop");
	cr_expect_str_eq(p.secret, "opsecret");
	cli_profile_free(&p);

	r = run("configure", "list", NULL);
	cr_expect_eq(r.rc, 0);
	expect_in(r.out, "p1       10.0.0.1:80");
	expect_in(r.out, "LTAIop");
	cr_expect_null(strstr(r.out, "opsecret"), "secrets are not listed");
	run_free(&r);

	/* Mistakes. */
	r = run("configure", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
	r = run("configure", "--access-key-id", "x", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
	r = run("configure", "--from-operator-file", "/nonexistent.json", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
	r = run("configure", "--vpc-id", "x", NULL);
	cr_expect_eq(r.rc, CLI_EXIT_USAGE);
	run_free(&r);
}
