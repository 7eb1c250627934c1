/*
 * cli: the `openvpc` command as a function, so the tests can run it
 * without a process: the command line is parsed here, checked against the
 * command table (commands.h), turned into parameters (flags.h), sent
 * (request.h) with the settings of config.h, and the answer printed
 * (render.h).  main.c only sets up libcurl and calls cli_main().
 */
#ifndef OPENVPC_CLI_CLI_H
#define OPENVPC_CLI_CLI_H

#include <stdio.h>

/* Runs `openvpc argv[1..]`, printing results to out and diagnostics to
 * err.  Returns the exit status (enum cli_exit in request.h).  curl must
 * have been initialised with curl_global_init() by the caller. */
int cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
