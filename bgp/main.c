/*
 * main.c: openvpc-bgpd, the BGP speaker of a virtual border router as its
 * own process.  Reads the configuration file, starts the neighbors, serves
 * the control socket and runs until SIGTERM/SIGINT, when it sends Cease
 * (administrative shutdown) to every neighbor.
 *
 *   openvpc-bgpd -c FILE [-s CONTROL-SOCKET] [-v] [-t]
 *     -t  check the configuration and exit
 */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgp/config.h"
#include "bgp/ctl.h"
#include "bgp/log.h"
#include "bgp/speaker.h"

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	bgp_log(BGP_LOG_INFO, "signal %d: shutting down", (int)sig);
	event_base_loopbreak(arg);
}

static void usage(void)
{
	fprintf(stderr, "usage: openvpc-bgpd -c FILE [-s CONTROL-SOCKET] [-v] [-t]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cfgpath = NULL, *ctlpath = NULL;
	bool verbose = false, check = false;
	struct bgp_file_config *cfg;
	char err[256];
	struct event_base *base;
	struct bgp_speaker *sp;
	struct bgp_ctl *ctl;
	struct event *sigterm, *sigint;
	int opt, rc = 1;

	while ((opt = getopt(argc, argv, "c:s:vth")) != -1) {
		switch (opt) {
		case 'c':
			cfgpath = optarg;
			break;
		case 's':
			ctlpath = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 't':
			check = true;
			break;
		default:
			usage();
		}
	}
	if (!cfgpath)
		usage();
	cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return 1;
	if (bgp_config_load(cfgpath, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "openvpc-bgpd: %s: %s\n", cfgpath, err);
		goto out_cfg;
	}
	if (check) {
		printf("configuration ok: %u neighbors, %zu networks\n", cfg->n_nbrs,
		       cfg->n_networks);
		rc = 0;
		goto out_cfg;
	}
	bgp_log_set_level(verbose ? BGP_LOG_DEBUG : (enum bgp_log_level)cfg->log_level);
	signal(SIGPIPE, SIG_IGN);
	srandom((unsigned)getpid());

	base = event_base_new();
	if (!base)
		goto out_cfg;
	sp = bgp_speaker_create(base, &cfg->sp, NULL);
	if (!sp)
		goto out_base;
	if ((rc = bgp_speaker_listen(sp)) < 0) {
		fprintf(stderr, "openvpc-bgpd: listen: %s\n", strerror(-rc));
		rc = 1;
		goto out_speaker;
	}
	ctl = bgp_ctl_create(base, sp, ctlpath ? ctlpath : cfg->control_path);
	if (!ctl) {
		fprintf(stderr, "openvpc-bgpd: control socket %s failed\n",
			ctlpath ? ctlpath : cfg->control_path);
		rc = 1;
		goto out_speaker;
	}
	for (size_t i = 0; i < cfg->n_networks; i++)
		bgp_speaker_network_add(sp, &cfg->networks[i]);
	for (unsigned i = 0; i < cfg->n_nbrs; i++) {
		int r = bgp_speaker_neighbor_add(sp, &cfg->nbrs[i]);

		if (r < 0) {
			fprintf(stderr, "openvpc-bgpd: neighbor %u: %s\n", i, strerror(-r));
			rc = 1;
			goto out_ctl;
		}
	}
	sigterm = evsignal_new(base, SIGTERM, on_signal, base);
	sigint = evsignal_new(base, SIGINT, on_signal, base);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	bgp_log(BGP_LOG_INFO, "started: AS %u, %u neighbors, %zu networks", cfg->sp.asn,
		cfg->n_nbrs, cfg->n_networks);
	event_base_dispatch(base);
	event_free(sigterm);
	event_free(sigint);
	rc = 0;
out_ctl:
	bgp_ctl_destroy(ctl);
out_speaker:
	bgp_speaker_destroy(sp);
	event_base_loop(base, EVLOOP_NONBLOCK); /* run deferred frees */
out_base:
	event_base_free(base);
out_cfg:
	free(cfg);
	return rc;
}
