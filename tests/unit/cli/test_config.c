/*
 * Unit tests of cli/config: reading profiles, rewriting one profile while
 * keeping the rest of the file, the file and directory modes, and the order
 * of the sources of each setting (command line, environment, profile,
 * defaults).  Each test runs in its own process (Criterion's default) with
 * a fresh temporary HOME and a cleared environment.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/config.h"

static char home[64];

static void clear_env(void)
{
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
}

static void setup(void)
{
	snprintf(home, sizeof(home), "/tmp/openvpc-cli-home.XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	setenv("HOME", home, 1);
	clear_env();
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(config, .init = setup, .fini = teardown);

static char *path_in_home(const char *rel)
{
	char *p;
	cr_assert(asprintf(&p, "%s/%s", home, rel) > 0);
	return p;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char sample[] = "; written by hand\n"
			     "[profile default]\n"
			     "endpoint = 10.1.1.1:8080\n"
			     "region = cn-beijing\n"
			     "access_key_id = AKDEF\n"
			     "access_key_secret = SKDEF\n"
			     "\n"
			     "[profile demo]\n"
			     "access_key_id = AKDEMO\n"
			     "access_key_secret = SKDEMO\n"
			     "color = blue\n"
			     "\n"
			     "[other]\n"
			     "endpoint = 10.9.9.9:1\n";

Test(config, path)
{
	char *p = cli_config_path();
	char *want = path_in_home(".openvpc/config");
	cr_expect_str_eq(p, want);
	free(p);
	free(want);
	setenv("OPENVPC_CONFIG", "/elsewhere/cfg", 1);
	p = cli_config_path();
	cr_expect_str_eq(p, "/elsewhere/cfg");
	free(p);
}

Test(config, read)
{
	char *path = path_in_home("config");
	write_file(path, sample);
	struct cli_profile p;
	char err[256];
	cr_assert_eq(cli_config_read(path, "demo", &p, err, sizeof(err)), 1);
	cr_expect_str_eq(p.name, "demo");
	cr_expect_str_eq(p.akid, "AKDEMO");
	cr_expect_str_eq(p.secret, "SKDEMO");
	cr_expect_null(p.endpoint);
	cli_profile_free(&p);
	/* "[NAME]" without "profile" is a profile too. */
	cr_assert_eq(cli_config_read(path, "other", &p, err, sizeof(err)), 1);
	cr_expect_str_eq(p.endpoint, "10.9.9.9:1");
	cli_profile_free(&p);
	cr_assert_eq(cli_config_read(path, "nope", &p, err, sizeof(err)), 0);
	cr_expect_str_eq(p.name, "nope");
	cli_profile_free(&p);
	free(path);
	/* No file is no profile, not an error. */
	cr_assert_eq(cli_config_read("/nonexistent/x", "default", &p, err, sizeof(err)), 0);
	cli_profile_free(&p);
}

Test(config, read_all_and_syntax_error)
{
	char *path = path_in_home("config");
	write_file(path, sample);
	struct cli_profile *all;
	size_t n;
	char err[256];
	cr_assert_eq(cli_config_read_all(path, &all, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 3);
	cr_expect_str_eq(all[0].name, "default");
	cr_expect_str_eq(all[1].name, "demo");
	cr_expect_str_eq(all[2].name, "other");
	for (size_t i = 0; i < n; i++)
		cli_profile_free(&all[i]);
	free(all);
	write_file(path, "[profile x]\nthis line has no equals sign\n");
	cr_expect_eq(cli_config_read_all(path, &all, &n, err, sizeof(err)), -1);
	cr_expect(strstr(err, "line 2") != NULL, "%s", err);
	free(path);
}

Test(config, save_creates_file_and_dir_with_private_modes)
{
	char *path = path_in_home(".openvpc/config");
	struct cli_profile p = {
	    .name = "default", .endpoint = "127.0.0.1:9", .akid = "AK", .secret = "SK"};
	char err[256];
	cr_assert_eq(cli_config_save(path, &p, err, sizeof(err)), 0, "%s", err);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	char *dir = path_in_home(".openvpc");
	cr_assert_eq(stat(dir, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0700);
	cr_expect_str_eq(read_file(path), "[profile default]\n"
					  "endpoint = 127.0.0.1:9\n"
					  "access_key_id = AK\n"
					  "access_key_secret = SK\n");
	/* No temporary file is left behind. */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 1", dir);
	cr_expect_eq(system(cmd), 0);
	free(dir);
	free(path);
}

Test(config, save_updates_one_profile_and_keeps_the_rest)
{
	char *path = path_in_home("config");
	write_file(path, sample);
	chmod(path, 0644);
	struct cli_profile p = {.name = "demo", .endpoint = "10.2.2.2:80", .secret = "NEWSK"};
	char err[256];
	cr_assert_eq(cli_config_save(path, &p, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(read_file(path), "; written by hand\n"
					  "[profile default]\n"
					  "endpoint = 10.1.1.1:8080\n"
					  "region = cn-beijing\n"
					  "access_key_id = AKDEF\n"
					  "access_key_secret = SKDEF\n"
					  "\n"
					  "[profile demo]\n"
					  "access_key_id = AKDEMO\n"
					  "access_key_secret = NEWSK\n"
					  "color = blue\n"
					  "endpoint = 10.2.2.2:80\n"
					  "\n"
					  "[other]\n"
					  "endpoint = 10.9.9.9:1\n");
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
	/* A new profile is appended. */
	struct cli_profile q = {.name = "new", .region = "cn-shanghai"};
	cr_assert_eq(cli_config_save(path, &q, err, sizeof(err)), 0, "%s", err);
	const char *text = read_file(path);
	cr_expect(strstr(text, "endpoint = 10.9.9.9:1\n\n[profile new]\nregion = cn-shanghai\n") !=
		      NULL,
		  "%s", text);
	/* Values with line breaks would corrupt the file: refused. */
	struct cli_profile bad = {.name = "demo", .region = "a\nb"};
	cr_expect_eq(cli_config_save(path, &bad, err, sizeof(err)), -1);
	free(path);
}

/* Resolves with the given command-line values. */
static struct cli_profile resolve(struct cli_sources cl, int want_rc)
{
	struct cli_profile p;
	char err[256] = "";
	int rc = cli_config_resolve(&cl, &p, err, sizeof(err));
	cr_assert_eq(rc, want_rc, "rc %d: %s", rc, err);
	return p;
}

Test(config, defaults)
{
	struct cli_profile p = resolve((struct cli_sources){0}, 0);
	cr_expect_str_eq(p.name, "default");
	cr_expect_str_eq(p.endpoint, CLI_DEFAULT_ENDPOINT);
	cr_expect_str_eq(p.region, CLI_DEFAULT_REGION);
	cr_expect_null(p.akid);
	cr_expect_null(p.secret);
	cli_profile_free(&p);
}

Test(config, precedence_flags_env_file)
{
	char *path = path_in_home("cfg");
	write_file(path, sample);
	setenv("OPENVPC_CONFIG", path, 1);
	/* The file alone. */
	struct cli_profile p = resolve((struct cli_sources){0}, 0);
	cr_expect_str_eq(p.endpoint, "10.1.1.1:8080");
	cr_expect_str_eq(p.region, "cn-beijing");
	cr_expect_str_eq(p.akid, "AKDEF");
	cr_expect_str_eq(p.secret, "SKDEF");
	cli_profile_free(&p);
	/* The environment beats the file... */
	setenv("OPENVPC_ENDPOINT", "env:1", 1);
	setenv("ALIBABA_CLOUD_REGION_ID", "cn-shenzhen", 1);
	setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "AKALI", 1);
	setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "SKALI", 1);
	p = resolve((struct cli_sources){0}, 0);
	cr_expect_str_eq(p.endpoint, "env:1");
	cr_expect_str_eq(p.region, "cn-shenzhen");
	cr_expect_str_eq(p.akid, "AKALI");
	cr_expect_str_eq(p.secret, "SKALI");
	cli_profile_free(&p);
	/* ...OPENVPC_* beat ALIBABA_CLOUD_*... */
	setenv("OPENVPC_REGION", "cn-qingdao", 1);
	setenv("OPENVPC_ACCESS_KEY_ID", "AKENV", 1);
	setenv("OPENVPC_ACCESS_KEY_SECRET", "SKENV", 1);
	p = resolve((struct cli_sources){0}, 0);
	cr_expect_str_eq(p.region, "cn-qingdao");
	cr_expect_str_eq(p.akid, "AKENV");
	cr_expect_str_eq(p.secret, "SKENV");
	cli_profile_free(&p);
	/* ...and the command line beats everything. */
	p = resolve(
	    (struct cli_sources){
		.endpoint = "flag:2", .region = "r", .akid = "AKF", .secret = "SKF"},
	    0);
	cr_expect_str_eq(p.endpoint, "flag:2");
	cr_expect_str_eq(p.region, "r");
	cr_expect_str_eq(p.akid, "AKF");
	cr_expect_str_eq(p.secret, "SKF");
	cli_profile_free(&p);
	free(path);
}

Test(config, profile_from_env_and_flag)
{
	char *path = path_in_home("cfg");
	write_file(path, sample);
	setenv("OPENVPC_CONFIG", path, 1);
	setenv("OPENVPC_PROFILE", "demo", 1);
	struct cli_profile p = resolve((struct cli_sources){0}, 0);
	cr_expect_str_eq(p.name, "demo");
	cr_expect_str_eq(p.akid, "AKDEMO");
	cr_expect_str_eq(p.endpoint, CLI_DEFAULT_ENDPOINT);
	cli_profile_free(&p);
	/* --profile beats OPENVPC_PROFILE. */
	p = resolve((struct cli_sources){.profile = "default"}, 0);
	cr_expect_str_eq(p.akid, "AKDEF");
	cli_profile_free(&p);
	/* A named profile that does not exist is an error. */
	p = resolve((struct cli_sources){.profile = "ghost"}, -1);
	free(path);
}

Test(config, explicit_profile_ranks_above_the_environment)
{
	char *path = path_in_home("cfg");
	write_file(path, sample);
	setenv("OPENVPC_CONFIG", path, 1);
	setenv("OPENVPC_ACCESS_KEY_ID", "AKENV", 1);
	setenv("OPENVPC_ACCESS_KEY_SECRET", "SKENV", 1);
	setenv("OPENVPC_REGION", "cn-env", 1);
	struct cli_profile p = resolve((struct cli_sources){.profile = "demo"}, 0);
	cr_expect_str_eq(p.akid, "AKDEMO");
	cr_expect_str_eq(p.secret, "SKDEMO");
	/* The profile sets no region: the environment still fills it. */
	cr_expect_str_eq(p.region, "cn-env");
	cli_profile_free(&p);
	free(path);
}

Test(config, key_pairs_are_never_mixed)
{
	char *path = path_in_home("cfg");
	write_file(path, sample);
	setenv("OPENVPC_CONFIG", path, 1);
	/* An id in the environment without its secret: refused, not paired
	 * with the file's secret. */
	setenv("OPENVPC_ACCESS_KEY_ID", "AKENV", 1);
	resolve((struct cli_sources){0}, -1);
	unsetenv("OPENVPC_ACCESS_KEY_ID");
	resolve((struct cli_sources){.akid = "AK"}, -1);
	resolve((struct cli_sources){.secret = "SK"}, -1);
	free(path);
}
