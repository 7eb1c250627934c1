/*
 * main: the `openvpc` executable.  Everything it does lives in the ovcli
 * library (cli.c and the modules it uses) so the unit tests can reach it;
 * this file only initialises libcurl around cli_main().
 */
#include <curl/curl.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/request.h"

int main(int argc, char **argv)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "openvpc: cannot initialise libcurl\n");
		return CLI_EXIT_CONNECT;
	}
	int rc = cli_main(argc, argv, stdout, stderr);
	curl_global_cleanup();
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_USAGE; /* e.g. a full disk or a closed pipe: say it failed */
	return rc;
}
