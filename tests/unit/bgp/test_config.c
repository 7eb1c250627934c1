/*
 * Unit tests of bgp/config.c: the INI file of openvpc-bgpd.  EC-5 defaults
 * (ASN 45104, 8 neighbors, 100 routes per neighbor) and RFC 8212 (no
 * implicit import/export policy).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bgp/config.h"

static struct bgp_file_config C;
static char err[256];

Test(config, full_example)
{
	const char *text = "[global]\n"
			   "asn = 45104\n"
			   "router-id = 192.0.2.1\n"
			   "listen = 192.0.2.1\n"
			   "listen = 2001:db8::1\n"
			   "listen-port = 1179\n"
			   "control-socket = /tmp/x.sock\n"
			   "multipath = yes\n"
			   "network = 10.0.0.0/16\n"
			   "network = 2001:db8:100::/48\n"
			   "\n"
			   "[neighbor 192.0.2.2]\n"
			   "remote-as = 4200000001\n"
			   "description = cpe-1\n"
			   "import = accept\n"
			   "export = networks\n"
			   "hold-time = 9\n"
			   "md5-password = s3cret\n"
			   "max-prefixes = 100\n"
			   "max-prefixes-action = teardown\n"
			   "max-prefixes-restart = 30\n"
			   "families = ipv4\n"
			   "passive = yes\n"
			   "max-output-queue = 1048576\n"
			   "\n"
			   "[neighbor 2001:db8::2]\n"
			   "remote-as = 1.10\n";

	cr_assert_eq(bgp_config_parse(text, &C, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(C.sp.asn, 45104);
	cr_assert_eq(C.sp.router_id, 0xc0000201);
	cr_assert_eq(C.sp.n_listen, 2);
	cr_assert_eq(C.sp.listen_port, 1179);
	cr_assert(C.sp.multipath);
	cr_assert_str_eq(C.control_path, "/tmp/x.sock");
	cr_assert_eq(C.n_networks, 2);
	cr_assert_eq(C.n_nbrs, 2);
	cr_assert_eq(C.nbrs[0].remote_as, 4200000001u);
	cr_assert(C.nbrs[0].import_accept && C.nbrs[0].export_networks);
	cr_assert_eq(C.nbrs[0].hold_time, 9);
	cr_assert_str_eq(C.nbrs[0].md5_key, "s3cret");
	cr_assert_eq(C.nbrs[0].limit_action, BGP_LIMIT_TEARDOWN);
	cr_assert_eq(C.nbrs[0].limit_restart, 30);
	cr_assert(C.nbrs[0].fam[BGP_FAM_V4] && !C.nbrs[0].fam[BGP_FAM_V6]);
	cr_assert(C.nbrs[0].passive);
	cr_assert_eq(C.nbrs[0].max_output_queue, 1048576);
	cr_assert_eq(C.nbrs[1].max_output_queue, BGP_DEFAULT_MAX_OUTQ);
	cr_assert_eq(C.nbrs[1].addr_fam, BGP_FAM_V6);
	cr_assert_eq(C.nbrs[1].remote_as, 65546); /* asdot 1.10 */
}

Test(config, defaults_follow_ec5_and_rfc8212)
{
	const char *text =
	    "[global]\nrouter-id = 10.0.0.1\n[neighbor 10.0.0.2]\nremote-as = 65001\n";

	cr_assert_eq(bgp_config_parse(text, &C, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(C.sp.asn, BGP_DEFAULT_ASN);
	cr_assert_eq(C.sp.max_neighbors, 8);
	cr_assert_eq(C.sp.n_listen, 1); /* "::", both families */
	cr_assert_eq(C.nbrs[0].max_prefixes, 100);
	cr_assert_eq(C.nbrs[0].limit_action, BGP_LIMIT_KEEP_FIRST);
	cr_assert_not(C.nbrs[0].import_accept);
	cr_assert_not(C.nbrs[0].export_networks);
	cr_assert_eq(C.nbrs[0].hold_time, 90);
	cr_assert(C.nbrs[0].as4 && C.nbrs[0].graceful_restart);
}

static void expect_error(const char *text, const char *needle)
{
	cr_assert_eq(bgp_config_parse(text, &C, err, sizeof(err)), -1, "accepted: %s", text);
	cr_assert(strstr(err, needle), "error '%s' lacks '%s'", err, needle);
}

Test(config, errors_name_section_and_key)
{
	expect_error("[global]\nrouter-id = 10.0.0.1\nhodl = 1\n", "unknown key 'hodl'");
	expect_error("[global]\nasn = 0\nrouter-id = 10.0.0.1\n", "bad ASN");
	expect_error("[global]\nasn = 4294967296\nrouter-id = 10.0.0.1\n", "bad ASN");
	expect_error("[global]\nasn = 1\n", "router-id is required");
	expect_error("[global]\nrouter-id = 10.0.0.1\n[neighbor 10.0.0.2]\nimport = accept\n",
		     "remote-as is required");
	expect_error(
	    "[global]\nrouter-id = 10.0.0.1\n[neighbor 10.0.0.2]\nremote-as = 1\nimport = all\n",
	    "import must be");
	expect_error(
	    "[global]\nrouter-id = 10.0.0.1\n[neighbor 10.0.0.2]\nremote-as = 1\nhold-time = 2\n",
	    "hold-time");
	expect_error("[global]\nrouter-id = 10.0.0.1\n[neighbor 10.0.0.x]\nremote-as = 1\n",
		     "bad neighbor address");
	expect_error("[global]\nrouter-id = 10.0.0.1\nnetwork = 10.0.0.1/8\n", "bad network");
	expect_error("[bogus]\nx = 1\n", "unknown section");
	expect_error("[global]\nrouter-id = 10.0.0.1\n[neighbor 10.0.0.2]\nremote-as = 1\n"
		     "max-prefixes-action = block\n",
		     "max-prefixes-action");
	expect_error("[global]\nrouter-id = 10.0.0.1\n[neighbor 10.0.0.2]\nremote-as = 1\n"
		     "max-output-queue = 4096\n",
		     "max-output-queue");
}

Test(config, neighbor_limit)
{
	char text[4096] = "[global]\nrouter-id = 10.0.0.1\n";

	for (int i = 0; i < 9; i++) {
		char s[80];

		snprintf(s, sizeof(s), "[neighbor 10.0.0.%d]\nremote-as = 6500%d\n", i + 2, i);
		strcat(text, s);
	}
	expect_error(text, "max-neighbors is 8");
}
